"""The building brain in a real browser under the strict CSP: a 楼宇专员 opens the dashboard
(去化 against the target, the charts drawn), a tower's stacking plan (colours by status, then
by industry; a click shows a unit), an enterprise's profile with its tax chart, and handles a
move-out warning to its outcome through the HTMX forms. Screenshots go to
test-output/screenshots/."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from streetbrain.core.months import add_months

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"
NAMES = "甬江汇金达衡新源智联"
KINDS = ("金融", "软件", "贸易", "咨询")


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, f"login as {username} failed"


def shoot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"building-{name}.png"), full_page=True)


def build_tower(demo_data) -> dict:
    """One office tower of 12 floors in a demo grid, 30 tenants over two years of leases, tax
    and headcount, the monthly figures recomputed from them, and a move-out warning."""
    from streetbrain.core.identifiers import credit_check_char
    from streetbrain.core.models import OrgUnit, User
    from streetbrain.economy import actions, metrics
    from streetbrain.economy.models import (
        Enterprise,
        Floor,
        HeadcountRecord,
        IndustryChain,
        OfficeBuilding,
        TaxRecord,
        Unit,
    )
    from streetbrain.registry.models import Building, IndustryClass

    rng = random.Random(5)
    grid = OrgUnit.objects.filter(level="grid").order_by("code").first()
    chain = IndustryChain.objects.create(code="finance", name="金融服务", industries="J")
    registry = Building.objects.create(
        code=f"{grid.code}901", name="宁波国际金融服务中心（示例）", address="民安东路268号",
        kind="office", org_unit=grid, floors_above=12,
    )  # fmt: skip
    specialist = User.objects.get(username="building")
    tower = OfficeBuilding.objects.create(
        building=registry, grade="a", owner="宁波东部新城开发投资集团", manager="东城物业运营",
        leader=specialist, chain=chain, signature_industry="J",
    )  # fmt: skip
    units = []
    for number in range(1, 13):
        floor = Floor.objects.create(building=tower, number=number)
        for k, area in enumerate((180, 95, 240, 130), start=1):
            units.append(
                Unit.objects.create(
                    floor=floor, code=f"{number}{k:02d}", area_m2=Decimal(area + number)
                )
            )
    classes = {c: IndustryClass.objects.get(code=c) for c in ("6622", "6513", "5181", "7241")}
    today = dt.date.today()
    first = add_months(today, -24)
    enterprises = []
    for i in range(30):
        first17 = f"91330212MA{7000 + i:07d}"
        code = rng.choice(list(classes))
        enterprise = Enterprise.objects.create(
            credit_code=first17 + credit_check_char(first17),
            name=f"宁波{NAMES[i % 10]}{KINDS[i % 4]}有限公司{i}",
            industry=classes[code], org_unit=grid, founded_on=dt.date(2012 + i % 10, 3, 1),
            registered_capital=Decimal(500 + 37 * i), locally_registered=i % 5 != 0,
        )  # fmt: skip
        enterprises.append(enterprise)
        start = add_months(first, rng.randint(0, 16))
        actions.sign_lease(
            enterprise, [units[i]], start_date=start,
            end_date=dt.date(today.year + 1 + i % 3, 6, 30),
        )  # fmt: skip
    units[33].status = Unit.Status.VACANT_UNAVAILABLE
    units[33].save()
    units[7].status = Unit.Status.OCCUPIED_AVAILABLE
    units[7].save()
    tax, heads = [], []
    for i, enterprise in enumerate(enterprises):
        base = rng.randint(80_000, 1_500_000)
        for n in range(24):
            month = add_months(first, n)
            falling = 0.45 if i == 0 and n >= 18 else 1.0
            amount = Decimal(round(base * falling * rng.uniform(0.8, 1.2), 2))
            tax.append(
                TaxRecord(
                    enterprise=enterprise,
                    month=month,
                    total_tax=amount,
                    local_tax=(amount * Decimal("0.35")).quantize(Decimal("0.01")),
                )
            )
            heads.append(
                HeadcountRecord(
                    enterprise=enterprise,
                    month=month,
                    headcount=60 - (n if i == 0 else 0) + i,
                    insured=55 - (n if i == 0 else 0) + i,
                )
            )
    TaxRecord.objects.bulk_create(tax)
    HeadcountRecord.objects.bulk_create(heads)
    metrics.refresh_all()
    warning = actions.raise_warning(
        enterprises[0], risk_score=78, building=tower, raised_on=today - dt.timedelta(days=10),
        evidence=[
            {"rule": "tax_drop", "text": "税收连续两个季度同比下降超过35%",
             "values": {"上季度同比": -0.52, "本季度同比": -0.55}},
            {"rule": "headcount_drop", "text": "从业人数半年下降超过10%",
             "values": {"半年前": 78, "本月": 60}},
        ],
    )  # fmt: skip
    return {"tower": tower, "enterprise": enterprises[0], "warning": warning}


def test_building_specialist_dashboard_stacking_plan_profile_and_warning(
    demo_data, open_page, screenshot_dir
):
    from streetbrain.economy.models import MoveOutWarning

    world = build_tower(demo_data)
    page, problems = open_page("zh-CN")
    log_in(page, "building", demo_data.password)

    # The dashboard: 去化 against 80,000 m², figures, charts drawn by ECharts.
    page.goto("/economy/")
    assert "80,000" in page.locator("#eco-absorption").inner_text()
    page.wait_for_selector("[data-chart=space-trend] canvas")
    page.wait_for_selector("[data-chart=tax-trend] canvas")
    page.wait_for_selector("[data-chart=ranking] canvas")
    page.wait_for_selector("[data-chart=industry-pie] canvas")
    assert page.locator("#eco-kpis .figure").count() == 8
    assert "宁波国际金融服务中心" in page.locator("#eco-building-table").inner_text()
    # The table's headers sort it (app.js makes them focusable sorters; one row here).
    header = page.locator("#eco-building-table thead th").nth(1)
    assert "sorter" in header.get_attribute("class") and header.get_attribute("tabindex") == "0"
    shoot(page, screenshot_dir, "economy-dashboard")

    # The tower's page: the stacking plan by status, then by industry; a click shows the unit.
    page.click("#eco-building-table a:has-text('宁波国际金融服务中心')")
    page.wait_for_selector("#stack .stack-cell")
    assert page.locator("#stack .stack-floor").count() == 12
    assert page.locator("#stack .stack-floor").first.locator(".stack-label").inner_text() == "12F"
    page.wait_for_selector("[data-chart=tax-trend] canvas")
    shoot(page, screenshot_dir, "economy-building")
    page.click("[data-colour=industry]")
    assert page.locator("#stack").get_attribute("data-mode") == "industry"
    assert page.locator("[data-legend=industry]").is_visible()
    page.locator("#stack .stack-cell.st-occupied").first.click()
    detail = page.locator("#unit-detail")
    assert detail.is_visible() and "有限公司" in detail.inner_text()
    page.locator("#stacking-plan").screenshot(
        path=str(screenshot_dir / "building-economy-stacking-industry.png")
    )

    # The enterprise's profile: identity, leases, tax and headcount charts, its warning.
    page.goto(world["enterprise"].get_absolute_url())
    assert world["enterprise"].credit_code in page.locator("#identity").inner_text()
    page.wait_for_selector("[data-chart=tax-history] canvas")
    page.wait_for_selector("[data-chart=headcount] canvas")
    assert (
        "迁出预警" in page.locator("#timeline").inner_text()
        or page.locator("#enterprise-warnings .eco-warning").count() == 1
    )
    shoot(page, screenshot_dir, "economy-enterprise")

    # The warning to its outcome: assign (to the 楼长), visit, close as retained.
    warning = world["warning"]
    page.goto(warning.get_absolute_url())
    assert "税收连续两个季度同比下降超过35%" in page.locator("#evidence").inner_text()
    page.click("#warning-actions [data-step=assign]")
    page.wait_for_selector("#action-form[data-step=assign] select")
    page.fill("#action-panel textarea", "请楼长本周走访")
    with page.expect_navigation():
        page.click("#action-panel button[type=submit]")
    page.click("#warning-actions [data-step=visit]")
    page.wait_for_selector("#action-form[data-step=visit] input[type=date]")
    # A visit without a note: the error in Chinese, nothing changed.
    page.click("#action-panel button[type=submit]")
    page.wait_for_selector("#action-panel .has-error")
    assert "请填写情况说明" in page.locator("#action-panel").inner_text()
    shoot(page, screenshot_dir, "economy-warning-error")
    page.fill("#action-panel textarea", "企业计划缩减面积，正在谈续租")
    with page.expect_navigation():
        page.click("#action-panel button[type=submit]")
    page.click("#warning-actions [data-step=close]")
    page.wait_for_selector("#action-form[data-step=close]")
    page.check("input[name=outcome][value=retained]")
    page.fill("#action-panel textarea", "已续签三年")
    with page.expect_navigation():
        page.click("#action-panel button[type=submit]")
    warning.refresh_from_db()
    assert warning.state == MoveOutWarning.State.CLOSED and warning.outcome == "retained"
    assert list(warning.events.values_list("action", flat=True)) == [
        "raised", "assigned", "visit", "closed",
    ]  # fmt: skip
    assert "已续签三年" in page.locator("#warning-timeline").inner_text()
    shoot(page, screenshot_dir, "economy-warning")

    # The lists.
    page.goto("/economy/warnings/?tab=closed")
    assert world["enterprise"].name in page.locator("#object-table").inner_text()
    page.goto("/economy/enterprises/?industry=J")
    shoot(page, screenshot_dir, "economy-enterprise-list")
    problems.check()


def test_building_specialist_signs_a_lease_from_the_stacking_plan(
    demo_data, open_page, screenshot_dir
):
    """A vacant unit of the stacking plan → "sign a lease on this unit" → the enterprise found
    by a search (HTMX) → signed: the lease, the timeline, and the unit let in the plan."""
    from playwright.sync_api import expect

    from streetbrain.core.identifiers import credit_check_char
    from streetbrain.economy.models import Enterprise, EnterpriseEvent, Lease

    world = build_tower(demo_data)
    tower = world["tower"]
    first17 = "91330212MA0077777"
    newcomer = Enterprise.objects.create(
        credit_code=first17 + credit_check_char(first17), name="宁波甬新科技有限公司",
        industry=world["enterprise"].industry, org_unit=tower.org_unit,
    )  # fmt: skip
    page, problems = open_page("zh-CN")
    log_in(page, "building", demo_data.password)
    page.goto(tower.get_absolute_url())
    cell = page.locator("#stack .stack-cell.st-vacant_available").first
    code = cell.get_attribute("data-code")
    cell.click()
    sign = page.locator("#unit-actions [data-unit-link=sign]")
    assert sign.is_visible()
    with page.expect_navigation():
        sign.click()
    form = page.locator("#action-form[data-step=sign]")
    assert form.locator("input[name=units]:checked").count() == 1
    page.fill("#id_q", "甬新")
    page.click("#action-form button[name=search]")
    expect(page.locator("#id_enterprise option")).to_have_count(2)  # the match, "---------"
    page.select_option("#id_enterprise", str(newcomer.pk))
    assert page.locator("#action-form input[name=units]:checked").count() == 1
    today = dt.date.today()
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", dt.date(today.year + 3, 12, 31).isoformat())
    page.fill("#id_rent_free_months", "2")
    page.fill("#id_contract_rent", "4.8")
    shoot(page, screenshot_dir, "economy-sign-lease")
    with page.expect_navigation():
        page.click("#action-form button.btn-primary")
    lease = Lease.objects.get(enterprise=newcomer)
    assert list(lease.units.values_list("code", flat=True)) == [code]
    kinds = set(EnterpriseEvent.objects.filter(enterprise=newcomer).values_list("kind", flat=True))
    assert kinds == {"lease_signed", "move_in"}
    page.wait_for_selector("#stack .stack-cell")
    assert "st-occupied" in page.locator(f"#unit-{lease.units.get().pk}").get_attribute("class")
    problems.check()
