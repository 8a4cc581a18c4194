"""招商: the whitelist computed from the economy's data with every factor explained, weights and
decisions with reasons, published versions; the lead's stages as declared transitions with
their timeline, signing through the economy's ``sign_lease`` (occupancy and 去化 move); space
matching with its score's parts; the pages and the API."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from collections import OrderedDict
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from streetbrain.economy.models import Enterprise, Floor, Lease, TaxRecord, Unit
from streetbrain.investment import actions, dashboard, matching, whitelist
from streetbrain.investment.models import Lead, LeadEvent, WhitelistEntry, WhitelistFactor
from streetbrain.registry.models import IndustryClass

from .test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db
d = dt.date


@pytest.fixture(name="world")
def _world(tree, make_user):
    w = build_economy(tree)
    east = w["east_tower"]
    f3 = Floor.objects.create(building=east, number=3)
    w["units"]["e301"] = Unit.objects.create(
        floor=f3, code="301", area_m2=Decimal("500"), asking_rent=Decimal("3.5")
    )
    w["units"]["e302"] = Unit.objects.create(
        floor=f3, code="302", area_m2=Decimal("500"), asking_rent=Decimal("3.8")
    )
    w["units"]["e303"] = Unit.objects.create(
        floor=f3, code="303", area_m2=Decimal("1000"), asking_rent=Decimal("6")
    )
    soft, trade = w["enterprises"]["soft"], w["enterprises"]["trade"]
    lease = Lease.objects.create(
        contract_number="L1",
        enterprise=soft,
        building=east,
        area_m2=Decimal("80"),
        start_date=d(2023, 1, 1),
        end_date=d(2030, 12, 31),
    )
    lease.units.set([w["units"]["e101"]])
    lease2 = Lease.objects.create(
        contract_number="L2",
        enterprise=trade,
        building=w["river_tower"],
        area_m2=Decimal("150"),
        start_date=d(2023, 1, 1),
        end_date=d(2030, 12, 31),
    )
    lease2.units.set([w["units"]["r101"]])
    for m in range(24):
        month = d(2024 + m // 12, m % 12 + 1, 1)
        TaxRecord.objects.create(
            enterprise=soft, month=month, total_tax=Decimal(1000 + 100 * (m >= 12)), local_tax=0
        )
        TaxRecord.objects.create(enterprise=trade, month=month, total_tax=Decimal(500), local_tax=0)
    w["users"] = {
        "investment": make_user("inv", role="investment", unit=tree["street"]),
        "grid": make_user("grid", role="investment", unit=tree["east_grid"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
    }
    return w


def test_whitelist_scores_each_industry_and_explains_it(world):
    run = actions.recompute_whitelist(user=world["users"]["investment"])
    assert (run.first_month, run.last_month) == (d(2024, 1, 1), d(2025, 12, 1))
    software = run.entries.get(code="651")  # 甲软件's 中类
    parts = {p["key"]: p for p in software.factors}
    # 12,000 + 1,200 CNY of tax in the last 12 months over 80 m².
    assert parts["tax_per_m2"]["value"] == pytest.approx(13200 / 80)
    assert parts["tax_growth"]["value"] == pytest.approx(13200 / 12000 - 1)
    assert parts["stay"]["value"] == 1.0
    trade = run.entries.get(code="518")
    assert {p["key"]: p for p in trade.factors}["tax_growth"]["value"] == 0.0
    # Software beats trade on tax per m² and growth: it ranks higher among the groups.
    assert software.rank < trade.rank
    assert software.score == pytest.approx(
        sum(p["contribution"] for p in software.factors), abs=0.05
    )
    # The chain lists I and 72: 72x groups with no tenant have the full chain gap.
    hr = run.entries.get(code="726")
    assert hr.name == "人力资源服务"
    assert {p["key"]: p for p in hr.factors}["chain_gap"]["normalised"] == 1.0
    assert run.entries.get(code="65").name == "软件和信息技术服务业"


def test_weights_decisions_and_published_versions(world):
    user = world["users"]["investment"]
    factor = WhitelistFactor.objects.get(key="chain_gap")
    with pytest.raises(ValidationError):
        actions.set_weight(factor, 50, reason="", user=user)
    with pytest.raises(ValidationError):
        actions.set_weight(factor, 150, reason="too much", user=user)
    actions.set_weight(factor, 0, reason="招商引链 not this year", user=user)
    actions.decide_industry("518", "exclude", reason="批发 over-represented", user=user)
    actions.decide_industry("726", "pin", reason="人力资源 is a target of the plan", user=user)
    run = actions.recompute_whitelist(user=user)
    assert run.weights["chain_gap"] == 0
    assert run.entries.get(code="518").decision == "exclude"
    assert run.entries.get(code="726").decision_reason == "人力资源 is a target of the plan"
    v1 = actions.publish_whitelist(run, year=2026, user=user)
    assert (v1.year, v1.version) == (2026, 1)
    with pytest.raises(ValidationError):
        actions.publish_whitelist(run, year=2026, user=user)
    v2 = actions.publish_whitelist(actions.recompute_whitelist(user=user), year=2026, user=user)
    assert v2.version == 2 and whitelist.published() == v2
    with pytest.raises(PermissionDenied):
        actions.recompute_whitelist(user=world["users"]["leader"])


def new_lead(world, **kw):
    values = dict(
        name="丁人力资源有限公司",
        industry=IndustryClass.objects.get(code="7263"),
        area_min_m2=Decimal("800"),
        area_max_m2=Decimal("1200"),
        rent_budget=Decimal("4"),
        expected_annual_tax=Decimal("2000000"),
        opened_on=d(2026, 1, 5),
    )
    values.update(kw)
    return actions.create_lead(user=world["users"]["investment"], **values)


def test_matching_finds_adjacent_units_and_explains_the_score(world):
    lead = new_lead(world)
    found = matching.match_lead(lead, world["users"]["investment"], today=d(2026, 2, 1))
    codes = [c.unit_codes for c in found]
    # 301+302 (1,000 m², rents under budget) and 303 alone (1,000 m², rent over budget).
    assert codes[0] == "301、302"
    assert "303" in codes
    best = found[0]
    assert best.area_m2 == 1000 and best.parts["rent"] == 1.0
    assert best.parts["area"] == pytest.approx(0.95)  # the middle, less one joined unit
    assert best.parts["cluster"] == 0.0  # no 72 tenant in 东城大厦 yet
    software = new_lead(world, name="戊软件", industry=IndustryClass.objects.get(code="6513"))
    for c in matching.match_lead(software, world["users"]["investment"], today=d(2026, 2, 1)):
        assert c.parts["cluster"] == 0.2  # 甲软件 (65) holds 101 in 东城大厦: 1 of 5
        assert c.parts["chain"] == 1.0  # the chain lists I; the 一楼一品 is I
    worse = next(c for c in found if c.unit_codes == "303")
    assert worse.parts["rent"] == 0.0 and worse.score < best.score
    # A grid cell's specialist sees only its own space (and not this street lead).
    assert not Lead.objects.restrict(world["users"]["grid"]).filter(pk=lead.pk).exists()


def test_pipeline_to_signing_moves_occupancy_and_absorption(world):
    user = world["users"]["investment"]
    lead = new_lead(world)
    with pytest.raises(ValidationError):
        actions.perform(lead, "sign", user, on=d(2026, 1, 6))  # not from 线索
    actions.perform(lead, "contact", user, on=d(2026, 1, 6))
    actions.perform(lead, "inspect", user, on=d(2026, 1, 10))
    units = [world["units"]["e301"], world["units"]["e302"]]
    actions.record_visit(lead, on=d(2026, 1, 12), units=units, booked=True, user=user)
    actions.perform(lead, "negotiate", user, on=d(2026, 1, 20))
    before = dashboard.absorption(user, d(2026, 2, 1))["done"]
    occupied = dashboard.occupancy(user, d(2026, 2, 1))
    with pytest.raises(ValidationError) as info:
        actions.perform(
            lead,
            "sign",
            user,
            on=d(2026, 2, 1),
            units=[u.pk for u in units],
            start_date=d(2026, 2, 1),
            end_date=d(2029, 1, 31),
        )
    assert "credit_code" in info.value.message_dict
    assert Lead.objects.get(pk=lead.pk).stage == "negotiation"
    lead = actions.perform(
        lead,
        "sign",
        user,
        on=d(2026, 2, 1),
        units=[u.pk for u in units],
        start_date=d(2026, 2, 1),
        end_date=d(2029, 1, 31),
        credit_code=credit_code(77),
        contract_rent="3.6",
    )
    assert lead.stage == "signed" and lead.lease.area_m2 == Decimal("1000")
    assert Enterprise.objects.get(credit_code=credit_code(77)).name == "丁人力资源有限公司"
    assert set(
        Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("status", flat=True)
    ) == {"occupied"}
    assert dashboard.absorption(user, d(2026, 2, 1))["done"] == before + 1000
    total = float(sum(u.area_m2 for u in Unit.objects.all()))
    assert dashboard.occupancy(user, d(2026, 2, 1)) == pytest.approx(occupied + 1000 / total)
    actions.perform(lead, "land", user, on=d(2026, 2, 1))
    kinds = list(LeadEvent.objects.filter(lead=lead).values_list("kind", "to_stage"))
    assert kinds == [
        ("created", "lead"),
        ("stage", "contact"),
        ("stage", "inspection"),
        ("visit", ""),
        ("stage", "negotiation"),
        ("stage", "signed"),
        ("stage", "landed"),
    ]
    funnel = dict((s, n) for s, _l, n in dashboard.summary(user, d(2026, 2, 1))["funnel"])
    assert funnel["signed"] == funnel["landed"] == 1


def test_losing_needs_a_reason(world):
    user = world["users"]["investment"]
    lead = new_lead(world)
    with pytest.raises(ValidationError):
        actions.perform(lead, "lose", user)
    lead = actions.perform(lead, "lose", user, note="选择了鄞州其他街道")
    assert lead.stage == "lost" and lead.lost_reason == "选择了鄞州其他街道"
    assert [t.name for t in actions.available(lead, user)] == ["reopen"]


def test_pages_and_api(world, client, api_client):
    user = world["users"]["investment"]
    actions.recompute_whitelist(user=user)
    lead = new_lead(world)
    client.force_login(user)
    for name, args in (
        ("investment:index", []),
        ("investment:whitelist", []),
        ("investment:lead_list", []),
        ("investment:lead_detail", [lead.pk]),
        ("investment:park_list", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    entry = WhitelistEntry.objects.get(code="726", run=whitelist.latest_run())
    page = client.get(reverse("investment:whitelistentry_detail", args=[entry.pk])).content.decode()
    assert "人力资源服务" in page and 'data-factor="chain_gap"' in page
    xlsx = client.get(reverse("investment:whitelistrun_export", args=[entry.run_id]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    shortlist = client.get(reverse("investment:lead_shortlist", args=[lead.pk]))
    assert shortlist.status_code == 200 and shortlist.content[:2] == b"PK"
    r = client.post(
        reverse("investment:lead_add_event", args=[lead.pk, "visit"]),
        {"on": "2026-01-08", "units": f"{world['units']['e303'].pk}", "booked": "1"},
    )
    assert r.status_code == 302
    assert LeadEvent.objects.filter(lead=lead, kind="visit", data__booked=True).exists()
    api_client.force_authenticate(user)
    data = api_client.get("/api/investment/leads/").json()
    assert data["count"] == 1
    matches = api_client.get(f"/api/investment/leads/{lead.pk}/matches/").json()
    assert matches[0]["units"] and set(matches[0]["parts"]) == set(matching.WEIGHTS)
    assert {"building", "area_m2", "score"} <= set(matches[0])
    wl = api_client.get("/api/investment/whitelist/").json()
    assert wl["count"] > 0 and wl["results"][0]["factors"]
    assert api_client.get("/api/investment/parks/").status_code == 200
    # The grid cell's specialist does not see the street's lead.
    api_client.force_authenticate(world["users"]["grid"])
    assert api_client.get(f"/api/investment/leads/{lead.pk}/").status_code == 404


def test_a_vacant_unit_ranks_the_open_leads_it_fits(world, client):
    user = world["users"]["investment"]
    fits = new_lead(world, area_min_m2=Decimal("900"), area_max_m2=Decimal("1100"))
    new_lead(world, name="太大公司", area_min_m2=Decimal("3000"), area_max_m2=Decimal("4000"))
    unit = world["units"]["e303"]  # 1,000 m²
    found = matching.match_space(unit, user, today=d(2026, 2, 1))
    assert [lead for lead, _s, _p in found] == [fits]
    client.force_login(user)
    page = client.get(reverse("investment:space_match", args=[unit.pk]))
    assert page.status_code == 200 and fits.name in page.content.decode()
    assert client.get(reverse("investment:space_list")).status_code == 200


def test_learned_ranking_prefers_the_towers_an_industry_went_to(world):
    from streetbrain.investment import learned

    east, river = world["east_tower"], world["river_tower"]
    soft = world["enterprises"]["soft"]
    # Three more software companies chose 东城大厦 before the cut-off; one trader chose 江城中心.
    for i in range(3):
        ent = Enterprise.objects.create(
            credit_code=credit_code(100 + i),
            name=f"软件{i}",
            industry=soft.industry,
            org_unit=world["east_grid"],
        )
        Lease.objects.create(
            contract_number=f"S{i}",
            enterprise=ent,
            building=east,
            area_m2=Decimal("150"),
            start_date=d(2024, 3, 1),
            end_date=d(2026, 2, 28),
        )
    model = learned.fit(before=d(2025, 1, 1))
    ranked = model.rank(soft.industry.division, 150)
    assert ranked[0] == east.pk
    # A trader goes where the trader went, though 东城大厦 is the more popular tower.
    assert model.rank(world["enterprises"]["trade"].industry.division, 150)[0] == river.pk
    assert model.popular()[0] == east.pk
    Lease.objects.create(
        contract_number="S9",
        enterprise=soft,
        building=east,
        area_m2=Decimal("150"),
        start_date=d(2025, 6, 1),
        end_date=d(2027, 5, 31),
    )
    result = learned.evaluate(d(2025, 1, 1), k=1)
    assert result["test"] == 1 and result["hit_rate"] == 1.0


def _pdf_text(data: bytes) -> str:
    """The text a reportlab PDF sets: its streams inflated, its UCS-2 (CID font) strings read."""
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(m):
        c = m.group(1)
        return bytes([int(c, 8)]) if c[:1].isdigit() else escapes.get(c, c)

    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1).strip().removesuffix(b"~>")
        try:
            page = zlib.decompress(base64.a85decode(raw))
        except (ValueError, zlib.error):
            continue
        for s in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", page, re.S):
            text = re.sub(rb"\\([0-7]{1,3}|.)", unescape, s, flags=re.S)
            out.append(text.decode("utf-16-be", errors="replace"))
    return "\n".join(out)


def test_shortlist_as_pdf(world, client):
    """The shortlist prints as a PDF with the same candidates, parts and reasons as the page;
    out of the user's scope it is a 404, without the permission a 403."""
    lead = new_lead(world)
    client.force_login(world["users"]["investment"])
    url = reverse("investment:lead_shortlist_pdf", args=[lead.pk])
    assert url in client.get(lead.get_absolute_url()).content.decode()
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="shortlist-{lead.pk}.pdf"'
    text = _pdf_text(response.content)
    assert "丁人力资源有限公司" in text and "东城大厦" in text
    best = matching.match_lead(lead, world["users"]["investment"])[0]
    assert best.unit_codes in text and "面积匹配" in text
    assert "学习部分未启用" in text  # two leases of history: the rules' score alone, said so
    client.force_login(world["users"]["grid"])
    assert client.get(url).status_code == 404
    client.force_login(world["users"]["leader"])
    world["users"]["leader"].groups.clear()
    assert client.get(url).status_code == 403


def test_learned_part_joins_the_score_once_the_history_suffices(world, monkeypatch):
    from django.utils import translation

    from streetbrain.investment import learned

    user = world["users"]["investment"]
    lead = new_lead(world)  # 7263 人力资源, 800–1,200 m²
    today = d(2026, 2, 1)
    # Two new leases in the history: too few; the score is the rules' alone, and says so.
    found = matching.match_lead(lead, user, today=today)
    assert not found.history.enough and found.history.leases == 2
    assert set(found[0].parts) == set(matching.WEIGHTS) and not found[0].reasons
    assert found[0].score == matching.total(found[0].parts)
    with translation.override("en"):
        assert "holds 2 new leases, fewer than the 50" in found.learned_note
    # Three consultancies (大类 72, like the lead) took ~1,000 m² in 江城中心; one starts
    # after today and is not history yet.
    river, east = world["river_tower"], world["east_tower"]
    for i, start in enumerate((d(2024, 5, 1), d(2025, 3, 1), d(2025, 9, 1), d(2026, 6, 1))):
        ent = Enterprise.objects.create(
            credit_code=credit_code(200 + i),
            name=f"咨询{i}",
            industry=world["enterprises"]["consult"].industry,
            org_unit=world["river_grid"],
        )
        Lease.objects.create(
            contract_number=f"C{i}",
            enterprise=ent,
            building=river,
            area_m2=Decimal("1000"),
            start_date=start,
            end_date=d(2029, 12, 31),
        )
    monkeypatch.setattr(learned, "MIN_HISTORY", 5)
    monkeypatch.setattr(learned, "_fitted", OrderedDict())  # fitted anew under the new bar
    found = matching.match_lead(lead, user, today=today)
    assert found.history.enough and found.history.leases == 5
    assert found.weights == {**matching.WEIGHTS, "learned": matching.LEARNED_WEIGHT}
    assert found.learned_share == pytest.approx(15 / 115 * 100, abs=0.05)
    best = found[0]
    assert best.building_id == east.pk and list(best.parts)[-1] == "learned"
    # 东城大厦 took no 72 and no lease of 800–1,500 m²: below 江城中心, the best tower (1).
    model = learned.fit_counts(Lease.objects.filter(start_date__lt=today), [east.pk])
    expected, why = learned.part(model, east.pk, "72", 1000)
    assert best.parts["learned"] == expected and 0 < expected < 1
    assert (why["rank"], why["division"], why["division_total"]) == (2, 0, 3)
    assert learned.part(model, river.pk, "72", 1000)[0] == 1.0
    assert best.score == matching.total(best.parts, found.weights)
    with translation.override("en"):
        reason = matching.learned_part(found.history, east.pk, "72", 1000)[1]
    assert "0 of the street's 3 new leases of 大类 72" in reason and "ranks 2 of 2" in reason
    # Counted in the database, the model is the one the benchmark trains over rows.
    rows = learned._rows(Lease.objects.filter(start_date__lt=today))
    trained = learned.train(rows, model.towers)
    assert (model.n, model.by_division, model.by_size) == (
        trained.n,
        trained.by_division,
        trained.by_size,
    )
    # The other direction carries the same part; the page shows its share and reason.
    unit = world["units"]["e303"]
    (_lead, score, parts), *_ = matching.match_space(unit, user, today=today)
    assert parts["learned"] == learned.part(model, east.pk, "72", 1000)[0]
    assert score == matching.total(parts, found.weights)
    # Fitted once per state of the leases: the same model again; an edited lease shows once
    # the cached model expires, a new lease at once.
    assert learned.fit_for(user, today).model is found.history.model
    changed = Lease.objects.get(contract_number="C0")
    changed.area_m2 = Decimal("120")
    changed.save()
    assert learned.fit_for(user, today).model is found.history.model
    monkeypatch.setattr(learned, "CACHE_SECONDS", 0)
    refitted = learned.fit_for(user, today).model
    # 乙贸易's 150 m² and the edited lease now share the band 100–200 m².
    assert refitted is not found.history.model and refitted.by_size[river.pk][1] == 2
    monkeypatch.setattr(learned, "CACHE_SECONDS", 600)
    Lease.objects.create(
        contract_number="C9",
        enterprise=changed.enterprise,
        building=east,
        area_m2=Decimal("900"),
        start_date=d(2025, 10, 1),
        end_date=d(2027, 9, 30),
    )
    assert learned.fit_for(user, today).model.by_division[east.pk]["72"] == 1


def test_learned_part_on_the_lead_page_and_api(world, client, api_client, monkeypatch):
    from streetbrain.investment import learned

    monkeypatch.setattr(learned, "MIN_HISTORY", 2)
    monkeypatch.setattr(learned, "_fitted", OrderedDict())
    lead = new_lead(world)
    client.force_login(world["users"]["investment"])
    html = client.get(lead.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="learned-note"' in html and "trained on 2 new leases" in html
    assert "0 new leases of 大类 72" in html  # the reason, under the score
    api_client.force_authenticate(world["users"]["investment"])
    matches = api_client.get(f"/api/investment/leads/{lead.pk}/matches/").json()
    assert "learned" in matches[0]["parts"] and matches[0]["weights"]["learned"] == 15
    assert matches[0]["reasons"]


def test_chain_classes_change_with_a_reason(world, client):
    from django.contrib.contenttypes.models import ContentType

    from streetbrain.core.models import ChangeLogEntry
    from streetbrain.economy import actions as economy_actions
    from streetbrain.economy.models import IndustryChain

    chain = world["chain"]
    url = reverse("investment:chain_edit", args=[chain.pk])
    client.force_login(world["users"]["investment"])
    assert f'href="{url}"' in client.get(reverse("investment:whitelist")).content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'value="I,72"' in page.content.decode()
    # No reason, or a class the standard does not have: refused, in Chinese, nothing changed.
    refused = client.post(url, {"industries": "I,72,726"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and "必填项" in refused.content.decode()
    refused = client.post(
        url, {"industries": "I,99", "reason": "补链"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert refused.status_code == 400 and "没有以“99”开头的" in refused.content.decode()
    chain.refresh_from_db()
    assert chain.industries == "I,72"
    done = client.post(url, {"industries": "i, 72，7263、72", "reason": "人力资源补链"})
    assert done.status_code == 302
    chain.refresh_from_db()
    assert chain.industries == "I,72,7263"
    entry = ChangeLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(IndustryChain),
        object_id=str(chain.pk),
        action="update",
    )
    assert entry.reason == "人力资源补链" and entry.changed_fields == ["industries"]
    # The leader reads the whitelist but does not change the chains.
    client.force_login(world["users"]["leader"])
    assert client.get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        economy_actions.set_chain_industries(chain, "I", reason="x", user=world["users"]["leader"])
    with pytest.raises(ValidationError):
        economy_actions.set_chain_industries(chain, "I", reason=" ", user=None)


def test_the_cockpit_reads_occupancy_and_absorption_from_the_key_figures(world, monkeypatch):
    """The cockpit's 招商 tiles are the unit's key figures (refreshed every 15 minutes, like
    its other tiles), equal to the live sums after a refresh; the dashboard stays live."""
    from django.utils import timezone

    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.core.models import KeyFigure

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: d(2026, 2, 1))
    user = world["users"]["investment"]
    live = dashboard.summary(user, d(2026, 2, 1))
    assert dashboard.summary(user, d(2026, 2, 1), stored=True)["occupancy"] == live["occupancy"]
    refresh_key_figures()
    stored = dashboard.summary(user, d(2026, 2, 1), stored=True)
    assert stored["occupancy"] == pytest.approx(round(live["occupancy"] * 100, 1) / 100)
    assert stored["absorption"]["done"] == live["absorption"]["done"]
    # Read from the stored row, not summed: a changed row shows.
    KeyFigure.objects.filter(org_unit=user.org_unit, key="absorption_year").update(value=12345)
    assert dashboard.summary(user, d(2026, 2, 1), stored=True)["absorption"]["done"] == 12345
    assert (
        dashboard.summary(user, d(2026, 2, 1))["absorption"]["done"] == live["absorption"]["done"]
    )
