"""The cases' demo history: a 2 % load checked against the engine (timelines, states and
timestamps, deadlines and lights, points in their grids, duplicates and counters), the demo
accounts' work, determinism, the classifier trained on it; and the generator alone at larger
scale (no database) for the full-scale count and the proportions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.db import models, transaction
from django.test import override_settings

from streetbrain.cases.models import (
    CLOCK_STATES,
    OPEN_STATES,
    ApiKey,
    Case,
    CaseEvent,
    Channel,
    Report,
    Sensor,
    State,
    TrainingExample,
)
from streetbrain.cases.workflow import actions, clock
from streetbrain.core.audit import audit_context
from streetbrain.core.geo_lookup import invalidate, locate_code
from streetbrain.core.models import ChangeLogEntry, User
from streetbrain.core.protected import digest
from streetbrain.core.worktime import SHANGHAI
from streetbrain.demo import cases as cases_demo
from streetbrain.demo import core as core_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.demo.synth.cases.generator import plan_history
from streetbrain.demo.synth.cases.tables import FULL_SCALE_CASES, HISTORY_DAYS, daily_counts
from streetbrain.demo.synth.cases.world import world_from_files

SCALE = 0.02
# A fixed "now" (a Wednesday afternoon) so that two loads cut the history at the same instant.
NOW = dt.datetime(2026, 3, 18, 15, 40, tzinfo=SHANGHAI)
A = CaseEvent.Action
NOT_STEPS = {A.MERGE, A.WARN, A.OVERDUE, A.NOTE, A.CLASSIFY}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return tmp_path_factory.mktemp("cases-demo") / "classifier.joblib"


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker, model_path):
    """Core, registry and cases demo at 2 %, loaded once for the module, rolled back after."""
    with (
        django_db_blocker.unblock(),
        override_settings(CASES_CLASSIFIER_MODEL=str(model_path)),
        transaction.atomic(),
    ):
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=SCALE)
            invalidate()
            cases_demo.load(ctx, scale=SCALE, now=NOW)
        yield ctx
        transaction.set_rollback(True)
    invalidate()


def _counts() -> tuple[Counter, Counter, Counter]:
    cases = Case.objects.all()
    return (
        Counter(cases.values_list("state", flat=True)),
        Counter(cases.values_list("component_class__code", flat=True)),
        Counter(cases.values_list("channel", flat=True)),
    )


# --- the generator alone ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world():
    return world_from_files()


@pytest.fixture(scope="module")
def big_plan(world):
    """About 3,000 cases from the generator alone (no database)."""
    return plan_history(world, now=NOW, scale=0.15)


def test_full_scale_history_has_20000_cases_over_24_months():
    today = dt.date.today()
    first, counts = daily_counts(today, 1.0)
    assert sum(counts) >= 20_000
    assert len(counts) == HISTORY_DAYS and first + dt.timedelta(days=729) == today
    assert (today - first).days >= 729  # 24 months up to today
    assert min(counts) > 0
    # scaled down proportionally
    assert sum(daily_counts(today, SCALE)[1]) == round(FULL_SCALE_CASES * SCALE)


def test_generator_is_deterministic(world):
    a = plan_history(world, now=NOW, scale=0.01)
    b = plan_history(world, now=NOW, scale=0.01)
    assert [(c.title, c.state, c.reported_at, len(c.events)) for c in a.cases] == [
        (c.title, c.state, c.reported_at, len(c.events)) for c in b.cases
    ]
    later = plan_history(world, now=NOW + dt.timedelta(days=1), scale=0.01)
    assert max(c.reported_at for c in later.cases) > NOW  # anchored on its "now"
    assert all(e.time <= NOW for c in a.cases for e in c.events)


def test_proportions_of_the_history(big_plan, world):
    cases = [c for c in big_plan.cases if not c.forced]
    n = len(cases)
    share = Counter(c.channel for c in cases)
    assert 0.38 <= share[Channel.GRIDWORKER] / n <= 0.52
    assert 0.15 <= share[Channel.HOTLINE] / n <= 0.25
    assert 0.11 <= share[Channel.CITIZEN] / n <= 0.19
    assert 0.05 <= share[Channel.SENSOR] / n <= 0.11
    assert all(share[c] for c in (Channel.PHONE, Channel.OPEN311, Channel.SUPERIOR, Channel.MEDIA))
    assert {c.label for c in cases if c.label} == set(world.classes)
    closed = [c for c in cases if c.state == State.CLOSED]
    assert len(closed) / n > 0.85
    late = sum(1 for c in closed if c.closed_on_time is False) / len(closed)
    assert 0.05 <= late <= 0.12
    assert 0.03 <= sum(1 for c in cases if c.rework_count) / n <= 0.09
    assert sum(1 for c in cases if c.extension_count) > 0
    assert sum(1 for c in cases if c.rollback_count) > 0
    assert sum(1 for c in cases if c.pauses) > 0
    assert sum(1 for c in cases if c.reopen_count) > 0
    assert 0.05 <= sum(1 for c in cases if c.report_count > 1) / n <= 0.15
    assert {State.REJECTED, State.VOID} <= {c.state for c in cases}


def test_seasons_and_hours(big_plan):
    cases = [c for c in big_plan.cases if not c.forced]

    def share(label, months):
        picked = [c for c in cases if c.reported_at.month in months]
        return sum(1 for c in picked if c.label == label) / max(1, len(picked))

    assert share("matter:06010", {6, 7, 8}) > share("matter:06010", {12, 1, 2})  # 暴露垃圾
    assert share("matter:01004", {6, 7, 8, 9}) > 2 * share("matter:01004", {11, 12, 1, 2})  # 积水
    noise = [c for c in cases if c.label == "matter:06028" and c.channel != Channel.GRIDWORKER]
    at_night = sum(1 for c in noise if c.reported_at.hour >= 19 or c.reported_at.hour < 2)
    assert at_night / len(noise) > 0.5
    patrols = [c for c in cases if c.channel == Channel.GRIDWORKER]
    in_hours = sum(1 for c in patrols if 8 <= c.reported_at.hour < 18)
    assert in_hours / len(patrols) > 0.85


# --- the load -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_says_what_it_did(district):
    log = "\n".join(district.log)
    assert "cases: written:" in log and "classifier: trained" in log
    assert Case.objects.count() >= round(FULL_SCALE_CASES * SCALE)
    assert Report.objects.count() > Case.objects.count()
    assert CaseEvent.objects.count() > 6 * Case.objects.count()


@pytest.mark.django_db
def test_every_case_has_one_primary_report_and_a_timeline_in_order(district):
    reports = Counter(Report.objects.values_list("case_id", flat=True))
    primaries = Counter(Report.objects.filter(is_primary=True).values_list("case_id", flat=True))
    # each report keeps its case's unit (the path a street's cursor pages read along)
    assert not Report.objects.exclude(org_unit_id=models.F("case__org_unit_id")).exists()
    events: dict[int, list] = {}
    for row in CaseEvent.objects.order_by("case_id", "pk").values_list(
        "case_id", "time", "action", "from_state", "to_state", "data"
    ):
        events.setdefault(row[0], []).append(row[1:])
    for case in Case.objects.all():
        assert primaries[case.pk] == 1, case.number
        assert case.report_count == reports[case.pk], case.number
        timeline = events[case.pk]
        times = [t for t, *_ in timeline]
        assert times == sorted(times), case.number
        assert timeline[0][1] == A.REPORT and timeline[0][0] == case.reported_at
        steps = [e for e in timeline if e[1] not in NOT_STEPS]
        assert steps[-1][3] == case.state, case.number
        for (_t, _a, _f, to, _d), (_t2, _a2, frm, _to2, _d2) in itertools.pairwise(steps):
            assert frm == to, case.number  # each step starts where the previous ended
        merges = [e for e in timeline if e[1] == A.MERGE]
        assert len(merges) == case.report_count - 1, case.number
        assert sum(1 for e in timeline if e[1] == A.CHECK_FAIL) == case.rework_count
        assert sum(1 for e in timeline if e[1] == A.APPROVE_EXTENSION) == case.extension_count
        assert sum(1 for e in timeline if e[1] == A.APPROVE_ROLLBACK) == case.rollback_count
        assert sum(1 for e in timeline if e[1] == A.REOPEN) == case.reopen_count
        assert len(case.extensions) == case.extension_count
        assert case.number == f"{case.reported_at.astimezone(SHANGHAI):%Y%m%d}{case.pk:07d}"


@pytest.mark.django_db
def test_merge_events_point_at_their_reports(district):
    for event in CaseEvent.objects.filter(action=A.MERGE).select_related("case"):
        report = Report.objects.get(pk=event.data["report"])
        assert report.case_id == event.case_id and not report.is_primary
        assert report.received_at == event.time
        assert report.merge_score is not None


@pytest.mark.django_db
def test_states_agree_with_timestamps(district):
    for c in Case.objects.all():
        chain = [
            c.reported_at,
            c.accepted_at,
            c.registered_at,
            c.dispatched_at,
            c.handled_at,
            c.closed_at,
        ]
        present = [t for t in chain if t is not None]
        assert present == sorted(present), c.number
        assert all(t <= NOW for t in present)
        if c.state == State.CLOSED:
            assert None not in chain, c.number
            assert c.closed_by_id and c.registered_by_id and c.dispatched_by_id
        elif c.state in (State.REJECTED, State.VOID):
            assert c.closed_at is not None
        else:
            assert c.closed_at is None and c.state in OPEN_STATES
        if c.state in (State.REPORTED, State.VERIFYING):
            assert c.accepted_at is None and c.registered_at is None
        if c.state in (State.DISPATCHED, State.HANDLING, State.SUSPENDED):
            assert c.department_id and c.dispatched_at and c.handled_at is None
        if c.state in (State.HANDLED, State.CHECKED):
            assert c.handled_at is not None and c.department_id
        if c.needs_triage:
            assert c.component_class_id is None and c.state in (
                State.REPORTED,
                State.VERIFYING,
                State.ACCEPTED,
                State.REJECTED,
            )
        elif c.state not in (State.REJECTED,):
            assert c.component_class_id is not None, c.number
        if c.state == State.SUSPENDED:
            assert c.pauses and c.pauses[-1][1] is None and c.deadline is None
        if c.pending_request:
            assert c.state in (State.DISPATCHED, State.HANDLING)


@pytest.mark.django_db
def test_clock_is_what_the_engine_computes(district):
    for c in Case.objects.filter(dispatched_at__isnull=False):
        if c.state == State.CLOSED:
            light = clock.compute_light(c, c.handled_at)
            assert c.light == light and c.closed_on_time == (light != "red"), c.number
        elif c.state in CLOCK_STATES:
            assert c.light == clock.compute_light(c, NOW), c.number
            assert c.deadline == clock.compute_deadline(c), c.number
        elif c.state in (State.HANDLED, State.CHECKED):
            assert c.light == clock.compute_light(c, c.handled_at), c.number
    closed = Case.objects.filter(state=State.CLOSED)
    assert closed.filter(closed_on_time=False).exists() and closed.filter(closed_on_time=True)
    open_red = Case.objects.filter(state__in=OPEN_STATES, light=Case.Light.RED)
    assert open_red.exists()  # overdue cases to chase
    flagged = Case.objects.filter(overdue_flagged_at__isnull=False)
    assert flagged.exists() and all(
        c.events.filter(action=A.OVERDUE, time=c.overdue_flagged_at).exists() for c in flagged
    )
    registered = Case.objects.filter(registered_at__isnull=False)
    assert registered.filter(registered_on_time=False).exists()
    for c in registered:  # 按时立案 and 按时派遣 as the workflow judges them
        assert c.registered_on_time == clock.registered_in_time(c.reported_at, c.registered_at), (
            c.number
        )
        first = c.events.filter(action=A.DISPATCH).order_by("time", "pk").first()
        if first is not None:  # the first dispatch is judged, a re-dispatch keeps it
            assert c.dispatched_on_time == clock.dispatched_in_time(c.registered_at, first.time), (
                c.number
            )


@pytest.mark.django_db
def test_points_lie_in_their_grids(district):
    invalidate()
    for case in Case.objects.select_related("org_unit"):
        assert case.placed and case.org_unit.level == "grid"
        assert locate_code(case.lon, case.lat) == case.org_unit.code, case.number
        assert case.community_id == case.org_unit.parent_id
    for sensor in Sensor.objects.select_related("org_unit"):
        assert locate_code(sensor.lon, sensor.lat) == sensor.org_unit.code


@pytest.mark.django_db
def test_every_open_state_and_channel_is_there(district):
    states, classes, channels = _counts()
    assert set(OPEN_STATES) <= set(states)
    assert {State.CLOSED, State.REJECTED} <= set(states)
    assert set(Channel.values) - {Channel.API} <= set(channels)
    assert len(classes) >= 25
    triage = Case.objects.filter(needs_triage=True, component_class__isnull=True)
    assert triage.filter(state__in=OPEN_STATES).exists()
    assert Case.objects.filter(report_count__gt=1).exists()
    assert Case.objects.filter(rework_count__gt=0).exists()
    assert TrainingExample.objects.exists()


@pytest.mark.django_db
def test_sensors_and_the_open311_key(district):
    sensors = list(Sensor.objects.all())
    assert len(sensors) == 24
    ids = {s.device_id for s in sensors}
    assert {"FM-CAM-001", "FM-WL-003", "FM-MH-007"} <= ids
    kinds = {s.device_id.rsplit("-", 1)[0]: s.component_class.code for s in sensors}
    assert kinds["FM-WL"] == "01004"
    assert {s.component_class.code for s in sensors if s.kind == "ai_camera"} == {"09006", "06010"}
    assert all(s.org_unit.level == "grid" for s in sensors)
    key = ApiKey.objects.get(key_digest=digest(cases_demo.DEMO_API_KEY))
    assert key.key_prefix == cases_demo.DEMO_API_KEY[:8] and key.is_active
    assert Report.objects.filter(channel=Channel.OPEN311, api_key=key).exists()
    assert Report.objects.filter(channel=Channel.SENSOR, sensor__isnull=False).exists()
    phoned = Report.objects.exclude(phone_digest="").first()
    assert phoned.phone_masked.count("*") == 4 and phoned.phone_cipher


@pytest.mark.django_db
def test_change_log_has_the_cases(district):
    entries = ChangeLogEntry.objects.filter(source="cli", reason="demo load")
    assert entries.filter(content_type__model="case").count() == Case.objects.count()
    assert entries.filter(content_type__model="sensor").count() == 24
    assert entries.filter(content_type__model="caseevent").count() == 0


@pytest.mark.django_db
def test_classifier_trained_on_the_history(district, model_path):
    from streetbrain.cases.intake import classifier

    assert model_path.exists()
    model = classifier.load(model_path)
    [p] = model.predict(["路边堆着好几袋生活垃圾，没人清运，已经发臭了"])
    assert p.label == "matter:06010"


@pytest.mark.django_db
def test_evaluation_figures_were_computed(district):
    from streetbrain.cases.models import CaseStat

    assert CaseStat.objects.exists()


# --- the demo accounts' work -------------------------------------------------------------------

WORK = {
    "gridworker": [(State.VERIFYING, "verify"), (State.HANDLED, "check_pass")],
    "acceptor": [(State.REPORTED, "accept")],
    "shiftlead": [(State.ACCEPTED, "register"), (State.CHECKED, "close")],
    "dispatcher": [(State.REGISTERED, "dispatch")],
    "handler": [(State.DISPATCHED, "start"), (State.HANDLING, "complete")],
}


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(WORK))
def test_demo_accounts_have_work(district, username):
    user = User.objects.get(username=username)
    for state, transition in WORK[username]:
        mine = Case.objects.restrict(user, "view").filter(state=state)
        assert mine.exists(), (username, state)
        assert any(transition in {t.name for t in actions.available(c, user)} for c in mine)
    if username == "gridworker":
        assert all(
            c.org_unit_id == user.org_unit_id for c in Case.objects.restrict(user, "view")[:50]
        )
    if username == "handler":
        assert Case.objects.restrict(user, "view").filter(department=user.department).exists()


@pytest.mark.django_db
def test_a_history_case_goes_on_through_the_engine(district):
    gridworker = User.objects.get(username="gridworker")
    shiftlead = User.objects.get(username="shiftlead")
    dispatcher = User.objects.get(username="dispatcher")
    later = NOW + dt.timedelta(hours=1)
    case = Case.objects.restrict(gridworker, "view").filter(state=State.HANDLED).first()
    case = actions.perform(case, "check_pass", gridworker, note="核查通过", now=later)
    case = actions.perform(case, "close", shiftlead, note="结案", now=later)
    assert case.state == State.CLOSED
    assert case.closed_on_time == (clock.compute_light(case, case.handled_at) != "red")
    registered = Case.objects.filter(state=State.REGISTERED).first()
    registered = actions.perform(registered, "dispatch", dispatcher, now=later)
    assert registered.state == State.DISPATCHED and registered.deadline is not None
    assert registered.department_id == registered.suggested_department_id


@pytest.mark.django_db
def test_two_loads_give_the_same_history(district, model_path):
    before = _counts()
    with override_settings(CASES_CLASSIFIER_MODEL=str(model_path)):
        Case.objects.all().delete()
        Sensor.objects.all().delete()
        assert not cases_demo.is_loaded()
        ctx = DemoContext(password="streetbrain-demo")
        cases_demo.load(ctx, scale=SCALE, now=NOW, background_training=False)
    assert _counts() == before
    assert ApiKey.objects.filter(key_digest=digest(cases_demo.DEMO_API_KEY)).count() == 1
