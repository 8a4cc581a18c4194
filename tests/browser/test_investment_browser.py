"""招商's "done when" path in a real browser under the strict CSP: the investment specialist
opens the whitelist and sees why 人力资源服务 ranks where it does, opens a lead needing
800–1,200 m² at ≤ 4 元/m²/天, gets the candidates with their score's parts, books a viewing,
moves the lead through its stages (HTMX forms) and signs two adjacent units; the units are let,
去化 moves, and the leader sees the funnel on the dashboard and the cockpit. Screenshots go to
test-output/screenshots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from streetbrain.core.months import add_months, month_start

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, f"login as {username} failed"


def shoot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"investment-{name}.png"), full_page=True)


def build(demo_data) -> dict:
    """A tower of the 专业服务 chain with tenants and two years of tax, two adjacent vacant
    units of 500 m² at 3.6 元 on floor 12; the whitelist computed; a lead."""
    from streetbrain.core.identifiers import credit_check_char
    from streetbrain.core.models import OrgUnit, User
    from streetbrain.economy.models import (
        Enterprise,
        Floor,
        IndustryChain,
        Lease,
        OfficeBuilding,
        TaxRecord,
        Unit,
    )
    from streetbrain.investment import actions
    from streetbrain.registry.models import Building, IndustryClass

    grid = OrgUnit.objects.filter(level="grid").order_by("code").first()
    chain = IndustryChain.objects.create(code="services", name="专业服务", industries="72,73,74")
    registry = Building.objects.create(
        code=f"{grid.code}931",
        name="东部新城商务中心（示例）",
        address="海晏北路1号",
        kind="office",
        org_unit=grid,
        floors_above=12,
    )
    tower = OfficeBuilding.objects.create(
        building=registry, grade="a", chain=chain, signature_industry="72"
    )
    units = {}
    for number in (10, 11, 12):
        floor = Floor.objects.create(building=tower, number=number)
        for k in (1, 2):
            units[f"{number}0{k}"] = Unit.objects.create(
                floor=floor,
                code=f"{number}0{k}",
                area_m2=Decimal(500),
                asking_rent=Decimal("3.6"),
            )
    today = dt.date.today()
    last = add_months(month_start(today), -1)
    for i, (code, unit) in enumerate((("7241", "1001"), ("7269", "1002"), ("5181", "1101"))):
        first17 = f"91330212MA{8100 + i:07d}"
        ent = Enterprise.objects.create(
            credit_code=first17 + credit_check_char(first17),
            name=f"示例企业{i}",
            industry=IndustryClass.objects.get(code=code),
            org_unit=grid,
        )
        lease = Lease.objects.create(
            contract_number=f"B{i}",
            enterprise=ent,
            building=tower,
            area_m2=Decimal(500),
            start_date=add_months(last, -30),
            end_date=add_months(last, 30),
            org_unit=grid,
        )
        lease.units.set([units[unit]])
        Unit.objects.filter(pk=units[unit].pk).update(status="occupied")
        for m in range(24):
            TaxRecord.objects.create(
                enterprise=ent,
                month=add_months(last, -m),
                total_tax=Decimal(20000 + 5000 * i + (2000 if m < 12 else 0)),
                local_tax=0,
            )
    specialist = User.objects.get(username="investment")
    actions.recompute_whitelist(user=specialist)
    lead = actions.create_lead(
        user=specialist,
        name="宁波甬才人力资源有限公司",
        industry=IndustryClass.objects.get(code="7263"),
        area_min_m2=Decimal(800),
        area_max_m2=Decimal(1200),
        rent_budget=Decimal(4),
        source="agent",
        expected_annual_tax=Decimal(3_000_000),
        opened_on=today - dt.timedelta(days=10),
    )
    return {"tower": tower, "units": units, "lead": lead}


def step(page, name: str, **fields) -> None:
    """Open a stage's HTMX form on the lead's page, fill it, submit; the page reloads."""
    page.click(f".actions [data-step={name}]")
    form = page.locator(f"#action-form[data-step={name}]")
    form.wait_for()
    for field, value in fields.items():
        page.fill(f"#action-form [name={field}]", value)
    with page.expect_navigation():
        form.locator("button.btn-primary").click()


def test_whitelist_lead_matching_viewing_signing_and_the_funnel(
    demo_data, open_page, screenshot_dir
):
    from streetbrain.core.identifiers import credit_check_char
    from streetbrain.economy.models import Lease, Unit
    from streetbrain.investment.models import Lead, LeadEvent

    world = build(demo_data)
    lead = world["lead"]
    page, problems = open_page("zh-CN")
    log_in(page, "investment", demo_data.password)

    # The whitelist: 726 人力资源服务 with its factors' values, weights and contributions.
    page.goto("/investment/whitelist/")
    row = page.locator("#entry-726")
    assert "人力资源服务" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    assert page.locator("#factors tbody tr").count() == 6
    assert "补链程度" in page.locator("#factors").inner_text()
    assert "排第" in page.locator("#entry-summary").inner_text()
    shoot(page, screenshot_dir, "whitelist-entry")

    # The lead: the candidates with their parts; 1201+1202 (1,000 m², 3.6 元) fits best.
    page.goto(lead.get_absolute_url())
    candidates = page.locator("#matches tr.candidate")
    assert candidates.count() >= 1
    best = candidates.first
    assert "1201、1202" in best.inner_text()
    shoot(page, screenshot_dir, "lead-matches")
    with page.expect_navigation():
        best.locator("button:has-text('预约看房')").click()
    assert "已预约看房" in page.locator("#timeline").inner_text()
    assert LeadEvent.objects.filter(lead=lead, kind="visit", data__booked=True).exists()

    today = dt.date.today().isoformat()
    step(page, "contact", on=today)
    step(page, "inspect", on=today)
    step(page, "negotiate", on=today)
    assert Lead.objects.get(pk=lead.pk).stage == "negotiation"

    # Sign the best candidate's units: the form comes with them ticked.
    with page.expect_navigation():
        page.locator("#matches tr.candidate").first.locator("a:has-text('签约这些单元')").click()
    form = page.locator("#action-form[data-step=sign]")
    assert form.locator("input[name=units]:checked").count() == 2
    page.fill("#id_start_date", today)
    page.fill("#id_end_date", dt.date(dt.date.today().year + 3, 12, 31).isoformat())
    page.fill("#id_contract_rent", "3.6")
    first17 = "91330212MA2H0K6T3"
    page.fill("#id_credit_code", first17 + credit_check_char(first17))
    with page.expect_navigation():
        form.locator("button.btn-primary").click()
    lead.refresh_from_db()
    assert lead.stage == "signed" and lead.lease is not None
    units = world["units"]
    assert set(
        Unit.objects.filter(pk__in=[units["1201"].pk, units["1202"].pk]).values_list(
            "status", flat=True
        )
    ) == {"occupied"}
    assert Lease.objects.get(pk=lead.lease_id).area_m2 == Decimal(1000)
    shoot(page, screenshot_dir, "lead-signed")

    # The leader: the funnel and 去化 on the dashboard, the funnel drawn on the cockpit.
    page2, problems2 = open_page("zh-CN")
    log_in(page2, "leader", demo_data.password)
    page2.goto("/investment/")
    assert page2.locator("#inv-funnel tr[data-stage=signed] td").nth(1).inner_text() == "1"
    assert "1,000" in page2.locator("#inv-absorption").inner_text()
    page2.goto("/cockpit/")
    page2.wait_for_selector("#investment-funnel svg")
    shoot(page2, screenshot_dir, "cockpit")
    problems.check()
    problems2.check()


def test_the_parks_layer_shows_each_criterion_in_its_popup(demo_data, open_page, screenshot_dir):
    """The specialist turns on the parks' layer of the one map and clicks the park: its popup
    lists each criterion's current figure against its target (the features' ``rows``)."""
    from shapely.geometry import shape

    from streetbrain.core.models import OrgUnit
    from streetbrain.economy.models import OfficeBuilding
    from streetbrain.investment.models import Park, ParkCriterion
    from streetbrain.registry.models import Building

    grid = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code").first()
    point = shape(grid.geometry).representative_point()
    registry = Building.objects.create(
        code=f"{grid.code}932",
        name="驿淘园区楼（示例）",
        address="江东北路1号",
        kind="office",
        org_unit=grid,
        floors_above=5,
        lon=point.x,
        lat=point.y,
    )
    park = Park.objects.create(
        name="宁波驿淘互联网产业园（示例）",
        building=OfficeBuilding.objects.create(building=registry, grade="b"),
        target_level="省级跨境电商产业园",
    )
    ParkCriterion.objects.create(park=park, label="电商企业", metric="enterprises", target=100)
    page, problems = open_page("zh-CN")
    log_in(page, "investment", demo_data.password)
    page.goto("/map/")
    page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
    box = page.locator("input[name=layer][value=investment_parks]")
    with page.expect_response(lambda r: "/api/map/layers/investment_parks/" in r.url):
        box.check()
    marker = page.locator('#onemap path.leaflet-interactive[fill="#c27c2c"]')
    marker.first.wait_for(state="attached")
    marker.first.click(force=True)
    popup = page.locator(".leaflet-popup-content .onemap-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "宁波驿淘互联网产业园（示例）" in text and "电商企业" in text and "0 / 100" in text
    assert popup.locator("a").get_attribute("href") == park.get_absolute_url()
    shoot(page, screenshot_dir, "parks-popup")
    problems.check()
