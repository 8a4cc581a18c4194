"""The cooperatives' and the party office's edit pages in a real browser under the strict CSP:
the 农经 officer changes a plan (一社一策) through its HTMX form, first with a bad input (the
error in Chinese, nothing changed), then for good; the 党建办 records an activity with its
attendance. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, f"login as {username} failed"


def build() -> dict:
    from streetbrain.cooperatives import actions as coop_actions
    from streetbrain.cooperatives.models import Cooperative
    from streetbrain.core.models import OrgUnit
    from streetbrain.demo.synth.people import make_credit_code, make_id_number
    from streetbrain.party.models import Organisation, PartyMember

    community = OrgUnit.objects.filter(level="community").order_by("code").first()
    coop = Cooperative.objects.create(
        org_unit=community,
        name="示例股份经济合作社",
        credit_code=make_credit_code("N2", "330212", "00009101"),
        former_village="示例村",
        colour="yellow",
    )
    plan = coop_actions.record_plan(
        coop, dt.date.today().year, "盘活闲置厂房", [("厂房招租", "王主任", dt.date.today())], None
    )
    org = Organisation.objects.create(
        org_unit=community, name="示例社区党委", level="committee", form="own",
        attached_to="community",
    )  # fmt: skip
    member = PartyMember(org_unit=community, organisation=org, name="陈红")
    member.set_id_number(make_id_number("330212", dt.date(1975, 3, 4), "F", 21))
    member.save()
    return {"coop": coop, "plan": plan, "org": org, "member": member}


def test_the_officer_changes_a_plan_and_the_party_office_records_an_activity(
    demo_data, open_page, screenshot_dir
):
    from streetbrain.party.models import Activity

    objs = build()
    plan = objs["plan"]

    page, problems = open_page()
    log_in(page, "cooperatives", demo_data.password)
    page.goto(objs["coop"].get_absolute_url())
    page.locator("#coop-plans a:has-text('修改方案')").click()
    form = page.locator("#plan-panel #action-form")
    form.wait_for()
    page.fill("#plan-panel [name=summary]", "   ")
    form.locator("button.btn-primary").click()
    page.locator("#plan-panel .error, #plan-panel .msg-error").first.wait_for()
    plan.refresh_from_db()
    assert plan.summary == "盘活闲置厂房"
    page.fill("#plan-panel [name=summary]", "盘活闲置厂房，推进留用地开发")
    with page.expect_navigation():
        page.locator("#plan-panel button.btn-primary").click()
    page.locator(".plan-summary:has-text('推进留用地开发')").wait_for()
    page.screenshot(path=str(screenshot_dir / "cooperatives-plan.png"), full_page=True)
    plan.refresh_from_db()
    assert plan.summary == "盘活闲置厂房，推进留用地开发"
    problems.check()

    page2, problems2 = open_page()
    log_in(page2, "party", demo_data.password)
    page2.goto(objs["org"].get_absolute_url())
    page2.locator(".actions a:has-text('登记活动')").click()
    activity_form = page2.locator("#action-panel #action-form")
    activity_form.wait_for()
    page2.select_option("#action-panel [name=kind]", "theme_day")
    page2.fill("#action-panel [name=title]", "主题党日：学习新修订的条例")
    page2.locator("#action-panel label:has-text('陈红')").click()
    with page2.expect_navigation():
        activity_form.locator("button.btn-primary").click()
    page2.locator("#party-activities td:has-text('学习新修订的条例')").wait_for()
    page2.screenshot(path=str(screenshot_dir / "party-activity.png"), full_page=True)
    activity = Activity.objects.get(organisation=objs["org"])
    assert list(activity.attendees.all()) == [objs["member"]]
    problems2.check()
