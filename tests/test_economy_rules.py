"""The move-out rules (``economy.rules``): each rule fires and stays quiet on crafted histories
with exact evidence, the score, ``evaluate`` over the database with a bounded number of queries,
``raise_warnings`` without duplicates, and the precision/recall assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetbrain.core.audit import audit_context
from streetbrain.core.months import last_complete_month, month_end, month_index, month_of
from streetbrain.economy import rules
from streetbrain.economy.models import (
    Enterprise,
    EnterpriseEvent,
    HeadcountRecord,
    Lease,
    MoveOutWarning,
    TaxRecord,
    WarningEvent,
)
from tests.test_economy_models import build_economy, credit_code

M = dt.date
JUNE = month_index(M(2025, 6, 1))


# --- the rules, one by one --------------------------------------------------------------------


def _tax(values: dict[str, float]) -> dict[int, float]:
    return {month_index(dt.date.fromisoformat(k + "-01")): v for k, v in values.items()}


def test_tax_drop_two_quarters_running():
    last_year = {f"2024-{i:02d}": 10_000.0 for i in range(1, 7)}
    this_year = {f"2025-{i:02d}": 6_000.0 for i in range(1, 7)}
    found = rules.tax_drop(_tax({**last_year, **this_year}), JUNE)
    assert found["rule"] == "tax_drop"
    assert found["values"] == {
        "quarters": [
            {"months": "2025-01–2025-03", "tax": 18000.0, "last_year": 30000.0, "change": -0.4},
            {"months": "2025-04–2025-06", "tax": 18000.0, "last_year": 30000.0, "change": -0.4},
        ],
        "threshold": 0.35,
    }
    assert "40" in found["text"]
    # One quarter down 40 %, the other only 30 %: not two running.
    milder = {**this_year, "2025-01": 7000.0, "2025-02": 7000.0, "2025-03": 7000.0}
    assert rules.tax_drop(_tax({**last_year, **milder}), JUNE) is None
    # Exactly 35 % down is not "more than 35 %".
    edge = {f"2025-{i:02d}": 6_500.0 for i in range(1, 7)}
    assert rules.tax_drop(_tax({**last_year, **edge}), JUNE) is None
    # Nothing last year: nothing to compare with.
    assert rules.tax_drop(_tax(this_year), JUNE) is None
    # Missing months count as no tax.
    sparse = {"2025-02": 5_000.0, "2025-05": 5_000.0}
    found = rules.tax_drop(_tax({**last_year, **sparse}), JUNE)
    assert [q["change"] for q in found["values"]["quarters"]] == [-0.833, -0.833]


def test_lease_expiring_without_renewal():
    leases = [
        # number, area, start, end_date, last day, renewal known
        ("A1", 300.0, M(2024, 1, 1), M(2025, 10, 31), M(2025, 10, 31), False),
        ("A2", 100.0, M(2024, 1, 1), M(2025, 11, 30), M(2025, 11, 30), True),
        ("A3", 100.0, M(2024, 1, 1), M(2027, 1, 31), M(2027, 1, 31), False),
        ("A0", 50.0, M(2023, 1, 1), M(2024, 12, 31), M(2024, 12, 31), False),  # over
    ]
    evidence, share = rules.lease_expiring(leases, JUNE)
    assert share == 0.6
    assert evidence["values"] == {
        "leases": [{"contract": "A1", "area_m2": 300.0, "ends": "2025-10-31"}],
        "area_m2": 300.0,
        "share": 0.6,
        "first_end": "2025-10-31",
        "months": 6,
    }
    # The end of the sixth month after June is 2025-12-31; January 2026 is too far.
    later = [("B1", 100.0, M(2024, 1, 1), M(2026, 1, 1), M(2026, 1, 1), False)]
    assert rules.lease_expiring(later, JUNE) is None
    last_day = [("B2", 100.0, M(2024, 1, 1), M(2025, 12, 31), M(2025, 12, 31), False)]
    assert rules.lease_expiring(last_day, JUNE)[1] == 1.0
    assert rules.lease_expiring([leases[1]], JUNE) is None  # renewed
    assert rules.lease_expiring([], JUNE) is None


def test_headcount_drop():
    records = {JUNE: (70, 60), JUNE - 6: (100, 62)}
    found = rules.headcount_drop(records, JUNE)
    assert found["values"] == {
        "measure": "headcount",
        "now": 70,
        "then": 100,
        "now_month": "2025-06",
        "then_month": "2024-12",
        "change": -0.3,
        "threshold": 0.2,
    }
    # Social insurance can fire on its own; the latest record within three months counts.
    insured = {JUNE - 1: (95, 40), JUNE - 7: (100, 80)}
    found = rules.headcount_drop(insured, JUNE)
    assert (found["values"]["measure"], found["values"]["change"]) == ("insured", -0.5)
    assert rules.headcount_drop({JUNE: (85, None), JUNE - 6: (100, None)}, JUNE) is None
    assert rules.headcount_drop({JUNE: (10, 1)}, JUNE) is None  # nothing to compare with
    assert rules.headcount_drop({JUNE - 3: (10, 1), JUNE - 6: (100, 50)}, JUNE) is None


def test_area_reduced():
    found = rules.area_reduced({JUNE: 300.0, JUNE - 6: 400.0, JUNE - 12: 200.0}, JUNE)
    assert found["values"] == {
        "area_m2": 300.0,
        "area_6m_m2": 400.0,
        "area_12m_m2": 200.0,
        "change": -0.25,
    }
    assert "6" in found["text"]
    found = rules.area_reduced({JUNE: 300.0, JUNE - 6: 300.0, JUNE - 12: 500.0}, JUNE)
    assert found["values"]["change"] == -0.4
    assert rules.area_reduced({JUNE: 0.0, JUNE - 6: 400.0}, JUNE) is None  # gone already
    assert rules.area_reduced({JUNE: 370.0, JUNE - 6: 400.0}, JUNE) is None  # −7.5 %
    assert rules.area_reduced({JUNE: 300.0}, JUNE) is None


def test_registration_moved():
    off = {"date": "2025-05-02", "field": "locally_registered", "before": True, "after": False}
    on = {"date": "2025-05-03", "field": "locally_registered", "before": False, "after": True}
    moved = {"date": "2025-04-01", "field": "registered_address", "before": "甲路1号",
             "after": "杭州市西湖区"}  # fmt: skip
    found = rules.registration([off, on])
    assert found["values"] == {"changes": [off], "months": 6}
    assert "2025-05-02" in found["text"]
    assert rules.registration([moved])["values"]["changes"] == [moved]
    assert rules.registration([on]) is None
    assert rules.registration([]) is None


def test_score_combination():
    def item(rule):
        return {"rule": rule, "text": "x", "values": {}}

    assert rules.score([item("tax_drop")]) == 35.0
    assert rules.score([item("registration")]) == 40.0 == rules.THRESHOLD
    assert rules.score([item("tax_drop"), item("lease_expiring")], 0.5) == 52.5
    assert rules.score([item("headcount_drop"), item("area_reduced")]) == 45.0
    assert rules.score([item(r) for r in rules.WEIGHTS]) == 100.0
    assert rules.score([]) == 0.0


# --- over the database ------------------------------------------------------------------------


def _months_back(n: int) -> dt.date:
    return month_of(month_index(timezone.localdate()) - n)


@pytest.fixture
def history(tree):
    """As of the current month M: 甲软件 (in 东城, 200 m², lease ending in 4 months, tax −40 %
    two quarters running); 乙贸易 (in 江城, 150 m², long lease, its local registration ended
    now, headcount 50 → 30); 丙咨询 (in 东城 201, nothing wrong)."""
    eco = build_economy(tree)
    ent, units = eco["enterprises"], eco["units"]
    m = month_index(timezone.localdate())

    def lease(number, who, codes, start, end):
        row = Lease.objects.create(
            contract_number=number, enterprise=ent[who], building=units[codes[0]].building,
            area_m2=sum(units[c].area_m2 for c in codes), start_date=start, end_date=end,
        )  # fmt: skip
        row.units.set([units[c] for c in codes])
        return row

    lease("H1", "soft", ["e101", "e102"], month_of(m - 30), month_end(m + 4))
    lease("H2", "trade", ["r101"], month_of(m - 30), month_end(m + 30))
    lease("H3", "consult", ["e201"], month_of(m - 30), month_end(m + 30))
    taxes = []
    for i in range(m - 17, m + 1):
        drop = 0.6 if i > m - 6 else 1.0
        taxes.append(TaxRecord(enterprise=ent["soft"], month=month_of(i),
                               total_tax=10000 * drop, local_tax=4000 * drop))  # fmt: skip
        for who in ("trade", "consult"):
            taxes.append(TaxRecord(enterprise=ent[who], month=month_of(i), total_tax="5000",
                                   local_tax="2000"))  # fmt: skip
    TaxRecord.objects.bulk_create(taxes)
    HeadcountRecord.objects.bulk_create(
        [
            HeadcountRecord(enterprise=ent["trade"], month=month_of(m - 6), headcount=50),
            HeadcountRecord(enterprise=ent["trade"], month=month_of(m), headcount=30),
            HeadcountRecord(enterprise=ent["consult"], month=month_of(m - 6), headcount=20),
            HeadcountRecord(enterprise=ent["consult"], month=month_of(m), headcount=19),
        ]
    )
    with audit_context(source="cli", actor_name="test"):
        trade = Enterprise.objects.get(pk=ent["trade"].pk)
        trade.locally_registered = False
        trade.save()
    return eco


def test_evaluate_finds_the_signs(history):
    month = _months_back(0)
    found = {f.name: f for f in rules.evaluate(month)}
    assert set(found) == {"甲软件", "乙贸易"}
    soft, trade = found["甲软件"], found["乙贸易"]
    assert soft.rules == ["tax_drop", "lease_expiring"]
    assert soft.score == 70.0
    assert soft.building_id == history["east_tower"].pk
    assert soft.evidence[1]["values"]["leases"][0]["contract"] == "H1"
    assert [q["change"] for q in soft.evidence[0]["values"]["quarters"]] == [-0.4, -0.4]
    assert trade.rules == ["headcount_drop", "registration"]
    assert trade.score == 60.0
    assert trade.building_id == history["river_tower"].pk
    assert trade.evidence[1]["values"]["changes"][0]["after"] is False
    # Evidence texts are written in the street's language, whatever the caller's.
    assert all(isinstance(e["text"], str) and e["text"] for e in soft.evidence)
    # A month earlier the tax had fallen for one quarter only, and the lease was 5 months off.
    earlier = {f.name: f for f in rules.evaluate(_months_back(1))}
    assert earlier["甲软件"].rules == ["lease_expiring"]


def test_evaluate_uses_a_fixed_number_of_queries(history):
    month = _months_back(0)
    with CaptureQueriesContext(connection) as few:
        rules.evaluate(month)
    industry = history["enterprises"]["soft"].industry
    Enterprise.objects.bulk_create(
        Enterprise(credit_code=credit_code(900 + i), name=f"多{i}", industry=industry,
                   org_unit=history["street"])
        for i in range(60)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        rules.evaluate(month)
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_raise_warnings_once_per_enterprise(history):
    month = _months_back(0)
    warnings = rules.raise_warnings(month)
    assert len(warnings) == 2
    soft = MoveOutWarning.objects.get(enterprise=history["enterprises"]["soft"])
    assert soft.state == MoveOutWarning.State.OPEN
    assert soft.risk_score == Decimal("70.0")
    assert soft.building == history["east_tower"]
    assert [e["rule"] for e in soft.evidence] == ["tax_drop", "lease_expiring"]
    assert soft.raised_on == min(month_end(month_index(month)), timezone.localdate())
    assert (
        EnterpriseEvent.objects.filter(
            enterprise=soft.enterprise, kind=EnterpriseEvent.Kind.WARNING_RAISED
        ).count()
        == 1
    )
    # Run again: the open warnings are updated, not duplicated.
    rules.raise_warnings(month)
    assert MoveOutWarning.objects.count() == 2
    assert WarningEvent.objects.filter(warning=soft, action="updated").count() == 1
    call_command("economy", "warnings", "--month", f"{month:%Y-%m}")
    assert MoveOutWarning.objects.count() == 2


def test_warnings_command_dry_run(history, capsys):
    month = _months_back(0)
    call_command("economy", "warnings", "--month", f"{month:%Y-%m}", "--dry-run")
    out = capsys.readouterr().out
    assert "2 enterprises above 40" in out
    assert history["enterprises"]["soft"].credit_code in out
    assert not MoveOutWarning.objects.exists()


# --- precision and recall -----------------------------------------------------------------------


def test_assessment_of_warnings_against_move_outs():
    months = range(100, 124)
    alerts = {
        1: {110, 111, 112},  # leaves at 114: true, caught 4 months ahead
        2: {105},  # never leaves: false
        3: {118},  # leaves at 119: caught 1 month ahead
        4: {101, 102, 115},  # two episodes: the second true (leaves at 120), the first false
        5: {121},  # too recent to judge, and never leaves: not counted
    }
    move_outs = {1: 114, 3: 119, 4: 120, 6: 112, 7: 102}  # 6: missed; 7: before the window
    result = rules.assess(alerts, move_outs, months, horizon=6)
    assert (result.warnings, result.true_warnings) == (5, 3)
    assert result.precision == 0.6
    assert (result.move_outs, result.caught) == (4, 3)
    assert result.recall == 0.75
    assert sorted(result.lead_months) == [1, 4, 5]
    assert result.median_lead == 4.0
    empty = rules.assess({}, {}, months)
    assert (empty.precision, empty.recall, empty.median_lead) == (None, None, None)


def test_nightly_task_refreshes_figures_and_raises_warnings(history):
    from streetbrain.celery import app
    from streetbrain.economy import tasks
    from streetbrain.economy.models import MonthlyFigure

    # Declared by the economy (a PeriodicTask in its extensions.py), scheduled by the core.
    assert app.conf.beat_schedule["economy-nightly"]["task"] == tasks.nightly.name
    done = tasks.nightly()
    assert done["figures"] == MonthlyFigure.objects.count() > 0
    # The last complete month: 甲软件's tax had fallen one quarter only, but its lease ends soon.
    assert done["warnings"] == MoveOutWarning.objects.count()
    assert last_complete_month(M(2025, 3, 15)) == M(2025, 2, 1)


def test_bench_replays_history_against_move_outs(history):
    """The benchmark's ground truth and replay on the small history: 甲软件 leaves at its
    lease's end (4 months after the current month would be the future, so it ends it early
    now), 乙贸易 stays."""
    import importlib.util
    from pathlib import Path

    from streetbrain.economy import actions

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_economy_warnings.py"
    spec = importlib.util.spec_from_file_location("bench_economy_warnings", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    m = month_index(timezone.localdate())
    soft = history["enterprises"]["soft"]
    lease = Lease.objects.get(contract_number="H1")
    day = month_end(m - 1)
    actions.end_lease(lease, on=day, today=day)
    actions.set_enterprise_status(soft, Enterprise.Status.MOVED_OUT, on=day)
    truth, how = bench.move_outs(month_index)
    assert truth == {soft.pk: m - 1}
    assert how == {"status moved_out": 1}
    # Replayed as of two months ago, 甲软件 (operating then) is judged; its lease was due.
    found = {f.enterprise_id: f for f in rules.evaluate(_months_back(2))}
    assert found[soft.pk].rules == ["lease_expiring"]
    assert found[soft.pk].score == 35.0
    # As of now it has left: not judged any more.
    assert soft.pk not in {f.enterprise_id for f in rules.evaluate(_months_back(0))}
