"""综合评价: precomputed figures per grid, community, department and role, checked against
counts derived by hand from a small month of cases; scope; the page; the Excel bulletin."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from streetbrain.cases.evaluation import definitions, periods, scores, stats
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Case, CaseStat, StaffStat, State
from streetbrain.cases.workflow import actions, clock
from streetbrain.core.worktime import SHANGHAI

GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
# Spots inside 东城社区第1网格 ~550 m apart, so that no report merges into another's case.
SPOTS = {
    "A": (121.603, 29.8625),
    "B": (121.609, 29.8625),
    "C": (121.615, 29.8625),
    "D": (121.603, 29.8675),
    "F": (121.609, 29.8675),
    "H": (121.615, 29.8675),
}
RIVER = (121.63, 29.865)  # 江城社区第1网格
EAST_GRID, RIVER_GRID, EAST_GRID_2 = "33021201400101", "33021201400201", "33021201400102"
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def minutes(t, n):
    return t + dt.timedelta(minutes=n)


def grid_report(user, point, when):
    lon, lat = point
    return submit_report(
        ReportInput(
            channel="gridworker", description=GARBAGE, lon=lon, lat=lat, user=user, received_at=when
        )
    ).case


@pytest.fixture
def world(case_world, make_user):
    """Eight cases, each a different path through the workflow (times in working hours of
    Mon 2 – Wed 4 March 2026 unless said):

    A  on time all the way, closed on time.
    B  registered 3.5 工作时 after the report and dispatched 4 工作时 after 立案 (both late);
       extended, failed the check once (返工), closed on time.
    C  dispatched to 城管, sent back (approved rollback), dispatched to 东城居委会, suspended.
    D  registered, then voided.
    E  a citizen's report in 江城, verified, handled 7.75 工作时 after dispatch against a limit
       of 4 (late), closed on 1 April.
    F  handled and checked, not closed yet.
    H  a report not accepted (never registered).
    G  registered and closed in April, at A's spot.
    """
    u = case_world["users"]
    river_worker = make_user("jcgrid", role="gridworker", unit=case_world["river_grid"])
    u["river_worker"] = river_worker
    gw, acc, lead, disp, cg = (
        u["gridworker"],
        u["acceptor"],
        u["shiftlead"],
        u["dispatcher"],
        u["handler"],
    )
    t0 = at(2026, 3, 2, 9, 0)
    cases = {key: grid_report(gw, SPOTS[key], t0) for key in "ABCDFH"}
    for key in "ABCDF":
        actions.perform(cases[key], "accept", acc, now=minutes(t0, 5))
    actions.perform(cases["H"], "reject", acc, now=minutes(t0, 10), note="不属于城管范围")

    a = cases["A"]
    actions.perform(a, "register", lead, now=minutes(t0, 30))
    actions.perform(a, "dispatch", disp, now=minutes(t0, 45))
    actions.perform(a, "start", cg, now=minutes(t0, 60))
    actions.perform(a, "complete", cg, now=minutes(t0, 90), note="已清运")
    actions.perform(a, "check_pass", gw, now=minutes(t0, 105))
    actions.perform(a, "close", lead, now=minutes(t0, 120))

    b = cases["B"]
    actions.perform(b, "register", lead, now=at(2026, 3, 2, 14, 0))
    actions.perform(b, "dispatch", disp, now=at(2026, 3, 3, 9, 0))
    actions.perform(b, "complete", cg, now=at(2026, 3, 3, 11, 0), note="已清运")
    actions.perform(b, "check_fail", gw, now=at(2026, 3, 3, 11, 10), note="还有残留")
    actions.perform(
        b, "request_extension", cg, now=at(2026, 3, 3, 11, 20), amount=2, note="需要车辆"
    )
    actions.perform(b, "approve_extension", lead, now=at(2026, 3, 3, 11, 30))
    actions.perform(b, "complete", cg, now=at(2026, 3, 3, 14, 0), note="清理完毕")
    actions.perform(b, "check_pass", gw, now=at(2026, 3, 3, 14, 10))
    actions.perform(b, "close", lead, now=at(2026, 3, 3, 14, 20))

    c = cases["C"]
    actions.perform(c, "register", lead, now=minutes(t0, 40))
    actions.perform(c, "dispatch", disp, now=minutes(t0, 60))
    actions.perform(c, "request_rollback", cg, now=minutes(t0, 90), note="不属于城管")
    actions.perform(c, "approve_rollback", disp, now=minutes(t0, 100))
    actions.perform(c, "dispatch", disp, now=at(2026, 3, 3, 9, 0), department="sq-001")
    actions.perform(c, "suspend", lead, now=at(2026, 3, 3, 10, 0), note="等待业主配合")

    d = cases["D"]
    actions.perform(d, "register", lead, now=minutes(t0, 50))
    actions.perform(d, "void", lead, now=minutes(t0, 60), note="重复上报")

    f = cases["F"]
    actions.perform(f, "register", lead, now=minutes(t0, 60))
    actions.perform(f, "dispatch", disp, now=minutes(t0, 90))
    actions.perform(f, "complete", cg, now=at(2026, 3, 2, 14, 0), note="已清运")
    actions.perform(f, "check_pass", gw, now=at(2026, 3, 2, 14, 30))

    e = submit_report(
        ReportInput(
            channel="citizen",
            description=GARBAGE,
            lon=RIVER[0],
            lat=RIVER[1],
            received_at=at(2026, 3, 3, 10, 0),
        )
    ).case
    cases["E"] = e
    actions.perform(e, "verify", river_worker, now=at(2026, 3, 3, 10, 10), note="属实")
    actions.perform(e, "accept", acc, now=at(2026, 3, 3, 10, 15))
    actions.perform(e, "register", lead, now=at(2026, 3, 3, 10, 30))
    actions.perform(e, "dispatch", disp, now=at(2026, 3, 3, 10, 45))
    actions.perform(e, "start", u["river_handler"], now=at(2026, 3, 3, 11, 0))
    actions.perform(e, "complete", u["river_handler"], now=at(2026, 3, 4, 11, 0), note="已清运")
    actions.perform(e, "check_pass", river_worker, now=at(2026, 3, 4, 11, 30))
    actions.perform(e, "close", lead, now=at(2026, 4, 1, 9, 0))

    g = grid_report(gw, SPOTS["A"], at(2026, 4, 8, 9, 0))  # A is closed: no merge
    cases["G"] = g
    actions.perform(g, "accept", acc, now=at(2026, 4, 8, 9, 5))
    actions.perform(g, "register", lead, now=at(2026, 4, 8, 9, 10))
    actions.perform(g, "dispatch", disp, now=at(2026, 4, 8, 9, 20))
    actions.perform(g, "complete", cg, now=at(2026, 4, 8, 10, 0), note="已清运")
    actions.perform(g, "check_pass", gw, now=at(2026, 4, 8, 10, 10))
    actions.perform(g, "close", lead, now=at(2026, 4, 8, 10, 20))

    states = {k: Case.objects.get(pk=c.pk).state for k, c in cases.items()}
    assert states == {
        "A": State.CLOSED,
        "B": State.CLOSED,
        "C": State.SUSPENDED,
        "D": State.VOID,
        "F": State.CHECKED,
        "H": State.REJECTED,
        "E": State.CLOSED,
        "G": State.CLOSED,
    }
    stats.refresh_all()
    return {**case_world, "cases": cases, "users": u}


def only(tables):
    assert len(tables) == 1
    return tables[0]


def by_key(table):
    return {row.key: row for row in table.rows}


# The March cohort, derived by hand from the fixture's story.
MARCH_TOTAL = {
    "registered": 6,  # A B C D E F
    "registered_on_time": 5,  # all but B
    "voided": 1,  # D
    "to_dispatch": 5,  # not D
    "dispatched_on_time": 4,  # A C E F (C's first dispatch); B late
    "misdispatched": 1,  # C
    "to_handle": 5,  # A B C E F
    "handled": 4,  # A B E F
    "reworked": 1,  # B
    "extended": 1,  # B
    "to_close": 5,
    "suspended": 1,  # C
    "closed": 3,  # A B E
    "closed_on_time": 2,  # A B
}
EAST_MARCH = {
    "registered": 5,
    "registered_on_time": 4,
    "voided": 1,
    "to_dispatch": 4,
    "dispatched_on_time": 3,
    "misdispatched": 1,
    "to_handle": 4,
    "handled": 3,
    "reworked": 1,
    "extended": 1,
    "to_close": 4,
    "suspended": 1,
    "closed": 2,
    "closed_on_time": 2,
}


def test_flags_of_timeliness(world):
    flags = {
        k: (c.registered_on_time, c.dispatched_on_time)
        for k, c in ((k, Case.objects.get(pk=c.pk)) for k, c in world["cases"].items())
    }
    assert flags["A"] == (True, True)
    assert flags["B"] == (False, False)  # 3.5 and 4 工作时
    assert flags["C"] == (True, True)  # its first dispatch counts, not the late second
    assert flags["D"] == (True, None)
    assert flags["E"] == (True, True)
    assert flags["H"] == (None, None)


def test_area_counts_and_rates(world):
    table = only(scores.indicators(MARCH, MARCH, "grid", world["users"]["leader"]))
    assert table.total.counts == MARCH_TOTAL
    rows = by_key(table)
    assert rows[EAST_GRID].counts == EAST_MARCH
    assert rows[RIVER_GRID].counts["registered"] == 1
    assert rows[RIVER_GRID].counts["closed"] == 1
    assert rows[RIVER_GRID].counts["closed_on_time"] == 0
    # All four grids of the street are listed, those without cases unranked.
    assert set(rows) == set(world["grids"]) and rows[EAST_GRID_2].score is None
    assert rows[EAST_GRID_2].rank is None and not rows[EAST_GRID_2].has_data

    r = table.total.rates
    assert r["closing_rate"] == pytest.approx(3 / 4)  # 结案数 / (应结案数 − 缓办数)
    assert r["closed_on_time_rate"] == pytest.approx(2 / 4)
    assert r["closing_on_time_rate"] == pytest.approx(2 / 3)
    assert r["registered_on_time_rate"] == pytest.approx(5 / 6)
    assert r["accurate_registration_rate"] == pytest.approx(5 / 6)
    assert r["dispatched_on_time_rate"] == pytest.approx(4 / 5)
    assert r["accurate_dispatch_rate"] == pytest.approx(4 / 5)
    assert r["rework_rate"] == pytest.approx(1 / 4)
    assert r["extension_rate"] == pytest.approx(1 / 5)
    # 30 × 75 + 40 × 50 + 15 × (100 − 25) + 15 × (100 − 20), / 100
    assert table.total.score == pytest.approx(65.75)
    # The total alone (the cockpit's tiles), from one sum: the same counts, rates and score.
    alone = scores.total(MARCH, MARCH, world["users"]["leader"])
    assert (alone.counts, alone.rates, alone.score) == (table.total.counts, r, 65.75)
    # 东城1: 结案率 2/3, 按期 2/3, 返工 1/3, 延期 1/4; 江城1: 1, 0, 0, 0
    assert rows[EAST_GRID].score == pytest.approx(round((85 * 200 / 3 + 15 * 75) / 100, 2))
    assert rows[RIVER_GRID].score == pytest.approx(60.0)
    assert (rows[EAST_GRID].rank, rows[RIVER_GRID].rank) == (1, 2)
    assert [r.key for r in table.rows][:2] == [EAST_GRID, RIVER_GRID]


def test_communities_sum_their_grids(world):
    leader = world["users"]["leader"]
    table = only(scores.indicators(MARCH, APRIL, "community", leader))
    rows = by_key(table)
    assert set(rows) == {"330212014001", "330212014002"}
    east = rows["330212014001"].counts
    assert east["registered"] == 6 and east["closed"] == 3  # A B C D F + G in April
    assert (
        rows["330212014002"].counts
        == by_key(only(scores.indicators(MARCH, APRIL, "grid", leader)))[RIVER_GRID].counts
    )
    assert table.total.counts["registered"] == 7


def test_departments(world):
    table = only(scores.indicators(MARCH, MARCH, "department", world["users"]["leader"]))
    depts = world["departments"]
    rows = by_key(table)
    urban, east, river = (rows[str(depts[k].pk)] for k in ("urban", "east", "river"))
    assert (urban.counts["registered"], urban.counts["closed"], urban.counts["reworked"]) == (
        3,
        2,
        1,
    )
    assert urban.rates["closing_rate"] == pytest.approx(2 / 3)
    assert urban.rates["extension_rate"] == pytest.approx(1 / 3)
    assert urban.score == pytest.approx(66.67)
    # 东城居委会 has C, suspended: no 结案率; only 延期率 (0) is scored.
    assert east.counts["suspended"] == 1 and east.rates["closing_rate"] is None
    assert east.score == pytest.approx(100.0)
    assert river.score == pytest.approx(60.0)
    # D (voided before dispatch) is in the unranked "not dispatched" row; the total equals
    # the areas' total.
    assert rows["—"].counts["voided"] == 1 and rows["—"].rank is None
    assert table.total.counts == MARCH_TOTAL
    assert [r.rank for r in table.rows[:3]] == [1, 2, 3]


def test_staff(world):
    u = world["users"]
    tables = {t.kind: t for t in scores.indicators(MARCH, MARCH, "role", u["leader"])}
    assert list(tables) == ["shiftlead", "dispatcher", "gridworker", "handler"]

    lead = by_key(tables["shiftlead"])[str(u["shiftlead"].pk)]
    assert {
        k: lead.counts[k] for k in ("registered", "registered_on_time", "registered_voided")
    } == {
        "registered": 6,
        "registered_on_time": 5,
        "registered_voided": 1,
    }
    assert (lead.counts["closed"], lead.counts["closed_on_time"]) == (2, 2)  # E closed in April
    assert lead.rates["closing_on_time_rate"] == 1
    assert lead.score == pytest.approx(round((25 * 500 / 6 + 40 * 500 / 6 + 35 * 100) / 100, 2))

    disp = by_key(tables["dispatcher"])[str(u["dispatcher"].pk)]
    # A B C C' E F: six acts, five first dispatches of which four on time, C's first undone.
    assert {
        k: disp.counts[k]
        for k in ("dispatches", "first_dispatches", "dispatched_on_time", "misdispatched")
    } == {"dispatches": 6, "first_dispatches": 5, "dispatched_on_time": 4, "misdispatched": 1}
    assert disp.rates["accurate_dispatch_rate"] == pytest.approx(5 / 6)
    assert disp.score == pytest.approx(round((20 * 100 + 40 * 80 + 40 * 500 / 6) / 100, 2))

    workers = by_key(tables["gridworker"])
    grid = workers[str(u["gridworker"].pk)]
    assert {k: grid.counts[k] for k in ("reports", "reports_registered", "verifications")} == {
        "reports": 6,  # A B C D F H
        "reports_registered": 5,
        "verifications": 0,
    }
    assert grid.counts["checks"] == 4  # A, B fail, B pass, F
    river = workers[str(u["river_worker"].pk)]
    assert (river.counts["verifications"], river.counts["checks"]) == (1, 1)
    # Volumes against the busiest grid worker: reports 0/6, checks 2/4.
    assert river.score == pytest.approx(25.0)
    assert grid.score == pytest.approx(round((30 * 100 + 40 * 500 / 6 + 30 * 100) / 100, 2))

    handlers = by_key(tables["handler"])
    cg = handlers[str(u["handler"].pk)]
    assert (cg.counts["handled"], cg.counts["handled_on_time"], cg.counts["handled_reworked"]) == (
        4,
        4,
        1,
    )
    assert cg.score == pytest.approx(90.0)
    jc = handlers[str(u["river_handler"].pk)]
    assert (jc.counts["handled"], jc.counts["handled_on_time"]) == (1, 0)
    assert jc.score == pytest.approx(40.0)
    assert jc.detail == world["departments"]["river"].name

    april = {t.kind: t for t in scores.indicators(APRIL, APRIL, "role", u["leader"])}
    lead_april = by_key(april["shiftlead"])[str(u["shiftlead"].pk)]
    assert (lead_april.counts["registered"], lead_april.counts["closed"]) == (1, 2)
    assert lead_april.counts["closed_on_time"] == 1  # G on time, E late


def test_scope_of_a_community_and_a_department(world, make_user):
    u = world["users"]
    river_lead = make_user("jclead", role="leader", unit=world["river"])
    table = only(scores.indicators(MARCH, APRIL, "grid", river_lead))
    assert {r.key for r in table.rows} == {RIVER_GRID, "33021201400202"}
    assert table.total.counts["registered"] == 1
    roles = {t.kind: t for t in scores.indicators(MARCH, APRIL, "role", river_lead)}
    assert {r.name for r in roles["gridworker"].rows} == {"jcgrid"}
    assert {r.name for r in roles["handler"].rows} == {"jc1"}
    assert not roles["shiftlead"].rows and not roles["dispatcher"].rows

    # A department sees the cases it has, wherever they are, and its own people.
    handler = u["river_handler"]
    depts = only(scores.indicators(MARCH, APRIL, "department", handler))
    assert [r.key for r in depts.rows] == [str(world["departments"]["river"].pk)]
    grids = only(scores.indicators(MARCH, APRIL, "grid", handler))
    assert [r.key for r in grids.rows] == [RIVER_GRID]
    urban = only(scores.indicators(MARCH, APRIL, "grid", u["handler"]))
    assert urban.total.counts["registered"] == 4  # A B F G (C left 城管 after the rollback)
    for user in (river_lead, handler, u["handler"]):  # the total alone keeps each scope
        assert (
            scores.total(MARCH, APRIL, user).counts
            == only(scores.indicators(MARCH, APRIL, "grid", user)).total.counts
        )

    # Without the cases' permission: nothing.
    outsider = make_user("louyu", role="building", unit=world["street"])
    nothing = only(scores.indicators(MARCH, APRIL, "grid", outsider))
    assert nothing.rows == [] and nothing.total.counts["registered"] == 0
    assert scores.total(MARCH, APRIL, outsider).counts == nothing.total.counts


def test_periods_sum_months(world):
    leader = world["users"]["leader"]
    q1 = only(scores.indicators(dt.date(2026, 1, 1), dt.date(2026, 3, 1), "grid", leader))
    q2 = only(scores.indicators(dt.date(2026, 4, 1), dt.date(2026, 6, 1), "grid", leader))
    year = only(scores.indicators(dt.date(2026, 1, 1), dt.date(2026, 12, 1), "grid", leader))
    assert q1.total.counts == MARCH_TOTAL
    assert q2.total.counts["registered"] == 1 and q2.total.counts["closed_on_time"] == 1
    assert {k: q1.total.counts[k] + q2.total.counts[k] for k in MARCH_TOTAL} == year.total.counts
    trend = scores.trend(dt.date(2026, 4, 1), leader, months=3)
    assert [m["month"] for m in trend] == ["2026-02", "2026-03", "2026-04"]
    assert trend[0]["closing_rate"] is None
    assert trend[1]["closing_rate"] == pytest.approx(0.75)
    assert trend[2]["closed_on_time_rate"] == 1


def test_refresh_is_idempotent_and_follows_later_changes(world):
    rows = CaseStat.objects.count(), StaffStat.objects.count()
    stats.refresh_months([MARCH, APRIL])
    assert (CaseStat.objects.count(), StaffStat.objects.count()) == rows
    # A March case resumes and is handled in June: the recent refresh of June recomputes
    # March too, because the case changed since the last refresh.
    u = world["users"]
    c = world["cases"]["C"]
    actions.perform(c, "resume", u["shiftlead"], now=at(2026, 6, 1, 9, 0))
    stats.refresh_recent(now=at(2026, 6, 15, 12, 0))
    table = only(scores.indicators(MARCH, MARCH, "grid", u["leader"]))
    assert table.total.counts["suspended"] == 0
    assert table.total.rates["closing_rate"] == pytest.approx(3 / 5)


def test_refresh_fills_missing_flags_in_working_time(world):
    Case.objects.update(registered_on_time=None, dispatched_on_time=None)
    stats.refresh_months([MARCH])
    b = Case.objects.get(pk=world["cases"]["B"].pk)
    c = Case.objects.get(pk=world["cases"]["C"].pk)
    assert (b.registered_on_time, b.dispatched_on_time) == (False, False)
    assert (c.registered_on_time, c.dispatched_on_time) == (True, True)
    # Friday 17:00 → Monday 09:30 is 1.5 工作时 (30 min on Friday, 1 h on Monday): on time.
    assert clock.registered_in_time(at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 30))
    assert not clock.dispatched_in_time(at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 30))


def test_period_parsing():
    today = dt.date(2026, 8, 20)
    p, ok = periods.parse_period({}, today)
    assert ok and (p.kind, p.first, p.last) == ("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 1))
    p, ok = periods.parse_period({"period": "quarter", "quarter": "2025Q4"}, today)
    assert ok and (p.first, p.last, p.slug) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 1),
        "2025Q4",
    )
    p, ok = periods.parse_period({"period": "month", "month": "2026-02"}, today)
    assert ok and p.first == p.last == dt.date(2026, 2, 1) and p.end_date == dt.date(2026, 2, 28)
    p, ok = periods.parse_period({"period": "year", "year": "2025"}, today)
    assert ok and (p.first, p.last) == (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    p, ok = periods.parse_period({"period": "range", "from": "2025-11", "to": "2026-02"}, today)
    assert ok and len(p.months) == 4
    for bad in (
        {"period": "range", "from": "2026-05", "to": "2026-01"},
        {"period": "quarter", "quarter": "2026Q7"},
        {"period": "month", "month": "soon"},
        {"period": "decade"},
    ):
        p, ok = periods.parse_period(bad, today)
        assert not ok and p.slug == "2026Q3"
    for p in (
        periods.Period("month", dt.date(2026, 2, 1), dt.date(2026, 2, 1)),
        periods.quarter_of(today),
        periods.Period("year", dt.date(2025, 1, 1), dt.date(2025, 12, 1)),
        periods.Period("range", dt.date(2025, 11, 1), dt.date(2026, 2, 1)),
    ):
        assert periods.parse_period(p.query(), today) == (p, True)


def test_weights_are_checked(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CASES_SCORE_WEIGHTS = {
        **settings.CASES_SCORE_WEIGHTS,
        "area": {"closing_rate": 50, "speed": 50},
    }
    with pytest.raises(ImproperlyConfigured):
        definitions.weights()


def test_the_page(world, client, django_assert_max_num_queries):
    client.force_login(world["users"]["leader"])
    url = reverse("cases:evaluation")
    assert url == "/cases/evaluation/"
    with django_assert_max_num_queries(16):
        response = client.get(url, {"period": "quarter", "quarter": "2026Q1", "dim": "grid"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "东城社区第1网格" in html and "江城社区第1网格" in html
    assert "67.92" in html and "65.75" in html and "75.0%" in html
    assert 'id="eval-charts-data"' in html and 'id="eval-trend-data"' in html
    assert "<script>" not in html  # the CSP forbids inline scripts
    assert response.context["dimension"] == "grid"
    chart = response.context["charts"][0]
    assert chart["names"][:2] == ["东城社区第1网格", "江城社区第1网格"]
    assert chart["scores"][:2] == [pytest.approx(67.92), pytest.approx(60.0)]
    assert [m["month"] for m in response.context["trend"]][-1] == "2026-03"
    footnotes = dict(response.context["formulas"])
    assert str(definitions.INDICATORS["closing_rate"].label) in footnotes
    bad = client.get(url, {"period": "decade"})
    assert bad.status_code == 200 and not bad.context["period_valid"]
    # The number of queries does not grow with the rows shown.
    for dim in ("community", "department", "role"):
        with django_assert_max_num_queries(16):
            response = client.get(url, {"period": "year", "year": "2026", "dim": dim})
        assert response.status_code == 200
    assert "jcgrid" in response.content.decode()


def test_the_page_needs_the_cases_permission(world, client, make_user):
    url = reverse("cases:evaluation")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("louyu", role="building", unit=world["street"]))
    assert client.get(url).status_code == 403
    assert client.get(reverse("cases:evaluation_export")).status_code == 403


def test_the_excel_bulletin(world, client):
    from openpyxl import load_workbook

    client.force_login(world["users"]["leader"])
    response = client.get(
        reverse("cases:evaluation_export"), {"period": "quarter", "quarter": "2026Q1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4
    grid = book[book.sheetnames[0]]
    assert "福明街道" in grid["A1"].value and "2026" in grid["A1"].value
    assert "2026-01-01" in grid["A2"].value and "2026-03-31" in grid["A2"].value
    header = [c.value for c in grid[4]]
    assert (
        len(header) == 1 + 5 + 4 + 2
    )  # unit, counts, 结案率 按期结案率 返工率 延期率, score, rank
    rows = {r[0].value: r for r in grid.iter_rows(min_row=5) if r[0].value}
    east = rows["东城社区第1网格"]
    values = [c.value for c in east]
    assert values[1:6] == [5, 4, 1, 2, 2]  # 立案, 应结案, 缓办, 结案, 按期结案
    assert values[6] == pytest.approx(2 / 3) and east[6].number_format == "0.00%"
    assert values[-2] == pytest.approx(67.92) and values[-1] == 1
    total = next(r for name, r in rows.items() if r[1].value == 6)
    assert total[6].value == pytest.approx(0.75) and total[-2].value == pytest.approx(65.75)
    assert total[-1].value is None  # the total is not ranked
    notes = [r[0].value for r in grid.iter_rows(min_row=5) if str(r[0].value or "")[:2] == "1."]
    assert notes and "/" in notes[0]

    roles = book[book.sheetnames[3]]
    texts = [c.value for row in roles.iter_rows() for c in row if c.value is not None]
    assert "lead" in texts and "disp" in texts and "jcgrid" in texts


def test_a_rollback_blames_the_last_dispatch_and_a_failed_check_the_last_handling(
    case_world, make_user
):
    u = case_world["users"]
    depts = case_world["departments"]
    street = case_world["street"]
    disp2 = make_user("disp2", role="dispatcher", unit=street)
    east_handler = make_user("dc1", role="handler", unit=street, department=depts["east"])
    cg2 = make_user("cg2", role="handler", unit=street, department=depts["urban"])
    t = at(2026, 5, 12, 9, 0)  # a Tuesday
    case = grid_report(u["gridworker"], SPOTS["A"], t)
    actions.perform(case, "accept", u["acceptor"], now=minutes(t, 5))
    actions.perform(case, "register", u["shiftlead"], now=minutes(t, 10))
    actions.perform(case, "dispatch", u["dispatcher"], now=minutes(t, 20))  # to 城管
    actions.perform(case, "reroute", disp2, now=minutes(t, 30), department="sq-001", note="改派")
    actions.perform(case, "request_rollback", east_handler, now=minutes(t, 40), note="非本部门")
    actions.perform(case, "approve_rollback", u["dispatcher"], now=minutes(t, 50))
    actions.perform(case, "dispatch", u["dispatcher"], now=minutes(t, 60))  # 城管 again
    actions.perform(case, "complete", u["handler"], now=minutes(t, 90), note="已清运")
    actions.perform(case, "check_fail", u["gridworker"], now=minutes(t, 100), note="未清理干净")
    actions.perform(case, "complete", cg2, now=minutes(t, 120), note="已清理")
    actions.perform(case, "check_pass", u["gridworker"], now=minutes(t, 130))
    stats.refresh_months([t])

    may = dt.date(2026, 5, 1)
    tables = {x.kind: by_key(x) for x in scores.indicators(may, may, "role", u["leader"])}
    first, second = (
        tables["dispatcher"][str(u["dispatcher"].pk)],
        tables["dispatcher"][str(disp2.pk)],
    )
    assert (first.counts["dispatches"], first.counts["first_dispatches"]) == (2, 1)
    assert first.counts["misdispatched"] == 0  # 改派 came after its dispatch
    assert (second.counts["dispatches"], second.counts["misdispatched"]) == (1, 1)
    handlers = tables["handler"]
    assert handlers[str(u["handler"].pk)].counts["handled_reworked"] == 1
    assert handlers[str(cg2.pk)].counts["handled_reworked"] == 0
    area = only(scores.indicators(may, may, "grid", u["leader"])).total.counts
    assert (area["misdispatched"], area["reworked"], area["handled"]) == (1, 1, 1)


@pytest.mark.django_db
def test_the_staff_counts_read_the_staff_acts_index():
    """Each query of a month's staff counts over events that names acts can be read through
    the partial index ``event_staff_acts`` (its condition covers the acts they count): without
    it a district's 18.8 M events were read whole for each (PostgreSQL; SQLite plans are not
    asked)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    start, end = periods.month_bounds(dt.date(2026, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        stats._staff_counts(start, end)
    acts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "cases_caseevent"."user_id"')
    ]
    assert len(acts) == 3  # dispatching, verifying and checking, handling
    with connection.cursor() as cursor:
        # On empty tables any index serves: leave the planner this one or none (the test's
        # transaction is rolled back with the drops).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'cases_caseevent' "
            "AND indexname NOT IN ('event_staff_acts', 'cases_caseevent_pkey')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in acts:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "event_staff_acts" in plan, plan
