"""The case engine: intake pipeline (place, classify, merge, route, time limit), idempotency,
and the workflow's roles, scopes, events and clock."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from streetbrain.cases.intake import duplicates
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.intake.store import IntakeResult
from streetbrain.cases.models import Case, CaseEvent, Notification, Report, State, TrainingExample
from streetbrain.cases.workflow import actions
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.worktime import SHANGHAI

EAST = (121.61, 29.865)  # inside 东城社区第1网格
RIVER = (121.63, 29.865)  # inside 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def report(channel="citizen", point=EAST, text=GARBAGE, **kw) -> IntakeResult:
    lon, lat = point if point else (None, None)
    return submit_report(
        ReportInput(channel=channel, title="", description=text, lon=lon, lat=lat, **kw)
    )


def test_report_is_placed_classified_routed_and_timed(case_world):
    result = report(received_at=at(2026, 3, 2, 9, 0))
    case = result.case
    assert result.new_case and result.created
    assert case.org_unit == case_world["east_grid"] and case.community == case_world["east"]
    assert case.component_class.code == "06010" and case.class_source == "model"
    assert 0.5 <= case.class_confidence <= 1
    assert case.state == State.VERIFYING  # a citizen's report is verified on site first
    assert case.suggested_department == case_world["departments"]["urban"]
    assert (case.limit_amount, case.limit_unit) == (4, "work_hour")  # seeded 立结案标准
    assert case.number.startswith("20260302")
    primary = case.reports.get()
    assert primary.is_primary and primary.predicted_label == "matter:06010"
    assert any("垃圾" in word for word, _w in primary.explanation)
    event = case.events.get()
    assert event.action == CaseEvent.Action.REPORT and event.data["class"] == "matter:06010"


def test_area_rule_beats_the_default(case_world):
    case = report(point=RIVER).case
    assert case.suggested_department == case_world["departments"]["river"]


def test_duplicate_within_radius_merges_and_far_one_does_not(case_world):
    first = report(received_at=at(2026, 3, 2, 9, 0)).case
    # ~100 m north-east, similar words: a further report on the same case.
    again = report(
        point=(EAST[0] + 0.0007, EAST[1] + 0.0006),
        text="这里路边垃圾堆着没人清，生活垃圾发臭",
        received_at=at(2026, 3, 2, 10, 0),
        reporter_name="王女士",
    )
    assert not again.new_case and again.case.pk == first.pk
    assert again.duplicate.distance_m < 250
    first.refresh_from_db()
    assert first.report_count == 2 and first.reports.count() == 2
    assert first.events.filter(action=CaseEvent.Action.MERGE).exists()
    # ~1 km away: a new case.
    far = report(point=(EAST[0] + 0.009, EAST[1]), received_at=at(2026, 3, 2, 11, 0))
    assert far.new_case and far.case.pk != first.pk
    # Outside the 30-day window: a new case.
    late = report(received_at=at(2026, 4, 20, 9, 0))
    assert late.new_case


def test_different_class_at_the_same_place_is_not_merged(case_world):
    first = report().case
    other = report(text="路灯不亮了，晚上这一段漆黑一片，灯杆也歪了").case
    assert other.pk != first.pk and other.component_class.code == "01037"


def test_idempotency_key_makes_one_report(case_world):
    a = report(idempotency_key="app-123")
    b = report(idempotency_key="app-123")
    assert a.created and not b.created and a.report.pk == b.report.pk
    assert Report.objects.count() == 1 and Case.objects.count() == 1


def test_bad_input_changes_nothing(case_world):
    with pytest.raises(ValidationError) as err:
        report(text="")
    assert "description" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        report(point=None)
    assert "location" in err.value.message_dict
    with pytest.raises(ValidationError):
        report(point=(116.39, 39.90))  # Beijing: outside the street
    with pytest.raises(ValidationError):
        report(text="x" * 4001)
    assert Case.objects.count() == Report.objects.count() == CaseEvent.objects.count() == 0


def test_uncertain_text_waits_for_a_human_and_correction_is_kept(case_world):
    case = report(text="你好").case
    assert case.needs_triage and case.component_class is None
    acceptor = case_world["users"]["acceptor"]
    actions.reclassify(case, "matter:06036", acceptor, note="现场是杂物")
    case.refresh_from_db()
    assert case.component_class.code == "06036" and not case.needs_triage
    example = TrainingExample.objects.get()
    assert example.label == "matter:06036" and "你好" in example.text


def test_address_only_report_is_geocoded_against_buildings(case_world):
    from streetbrain.registry.models import Building

    Building.objects.create(
        code="B001",
        name="东城花园1幢",
        address="东城路88号东城花园1幢",
        org_unit=case_world["east_grid"],
        lon=EAST[0],
        lat=EAST[1],
        kind="residential",
    )
    result = submit_report(
        ReportInput(channel="hotline", description=GARBAGE, address="东城路88号东城花园1幢楼下")
    )
    assert result.case.org_unit == case_world["east_grid"] and result.case.building.code == "B001"
    unknown = submit_report(
        ReportInput(channel="hotline", description=GARBAGE, address="不存在的路1号")
    )
    assert not unknown.case.placed and unknown.case.org_unit == case_world["street"]


def run_to_closed(case_world, case, start):
    u = case_world["users"]
    t = start
    actions.perform(case, "verify", u["gridworker"], now=t, note="属实")
    actions.perform(case, "accept", u["acceptor"], now=t + dt.timedelta(minutes=5))
    actions.perform(case, "register", u["shiftlead"], now=t + dt.timedelta(minutes=10))
    actions.perform(case, "dispatch", u["dispatcher"], now=t + dt.timedelta(minutes=15))
    return case


def test_full_workflow_with_the_right_roles_and_the_clock_across_a_holiday(case_world):
    u = case_world["users"]
    # Dispatched on the eve of 国庆 2026 (Wed 30 Sep) at 16:00: of 4 工作时, 1.5 h run on
    # 30 Sep; 1–7 Oct are off, so the rest (2.5 h) runs on Thu 8 Oct from 08:30.
    t = at(2026, 9, 30, 15, 45)
    case = report(received_at=t).case
    run_to_closed(case_world, case, t)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.department == case_world["departments"]["urban"]
    assert case.registered_on_time is True and case.dispatched_on_time is True
    assert case.deadline == at(2026, 10, 8, 11, 0)
    actions.perform(case, "start", u["handler"], now=at(2026, 10, 8, 9, 0))
    actions.perform(case, "complete", u["handler"], now=at(2026, 10, 8, 10, 30), note="已清运")
    case.refresh_from_db()
    assert case.state == State.HANDLED and case.light == "yellow"  # 3.5 of 4 h used
    with pytest.raises(PermissionDenied):
        actions.perform(case, "close", u["dispatcher"], now=at(2026, 10, 8, 10, 35))
    actions.perform(case, "check_pass", u["gridworker"], now=at(2026, 10, 8, 10, 40), note="已清")
    actions.perform(case, "close", u["shiftlead"], now=at(2026, 10, 8, 10, 50))
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.closed_on_time is True
    steps = list(case.events.values_list("action", flat=True))
    assert steps == [
        "report",
        "verify",
        "accept",
        "register",
        "dispatch",
        "start",
        "handled",
        "check_ok",
        "close",
    ]
    handled = case.events.get(action="handled")
    assert handled.user == u["handler"] and handled.role == "handler" and handled.note == "已清运"
    # Every change of the case is also in the change log.
    assert ChangeLogEntry.objects.filter(object_id=str(case.pk)).count() >= 8


def test_check_failure_is_rework_and_reopen_needs_a_reason(case_world):
    u = case_world["users"]
    t = at(2026, 3, 2, 9, 0)
    case = report(received_at=t).case
    run_to_closed(case_world, case, t)
    actions.perform(case, "complete", u["handler"], now=at(2026, 3, 2, 10, 0), note="done")
    actions.perform(case, "check_fail", u["gridworker"], now=at(2026, 3, 2, 11, 0), note="没清干净")
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.rework_count == 1
    assert Notification.objects.filter(user=u["handler"], kind="rework").exists()
    actions.perform(case, "complete", u["handler"], now=at(2026, 3, 2, 12, 0), note="再清")
    actions.perform(case, "check_pass", u["gridworker"], now=at(2026, 3, 2, 13, 40))
    actions.perform(case, "close", u["shiftlead"], now=at(2026, 3, 2, 13, 45))
    with pytest.raises(ValidationError):
        actions.perform(case, "reopen", u["shiftlead"], note="")
    actions.perform(case, "reopen", u["shiftlead"], note="市民反映又有垃圾")
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.reopen_count == 1 and case.closed_at is None


def test_scope_and_department_limit_who_may_act(case_world):
    u = case_world["users"]
    case = report(point=RIVER).case  # 江城 grid: not the east grid worker's
    with pytest.raises(PermissionDenied):
        actions.perform(case, "verify", u["gridworker"], note="x")
    actions.perform(case, "accept", u["acceptor"])
    actions.perform(case, "register", u["shiftlead"])
    actions.perform(case, "dispatch", u["dispatcher"])  # suggested: 江城 committee
    case.refresh_from_db()
    assert case.department == case_world["departments"]["river"]
    # The 城管 handler does not see a case dispatched to 江城.
    with pytest.raises(PermissionDenied):
        actions.perform(case, "start", u["handler"])
    assert not Case.objects.restrict(u["handler"], "view").filter(pk=case.pk).exists()
    actions.perform(case, "start", u["river_handler"])
    # Wrong state: nothing changes.
    with pytest.raises(ValidationError):
        actions.perform(case, "dispatch", u["dispatcher"], department="cg")
    assert case.events.count() == 5


def test_suspension_stops_the_clock_and_extension_extends_it(case_world):
    u = case_world["users"]
    t = at(2026, 3, 2, 9, 0)  # Monday
    case = report(received_at=t).case
    run_to_closed(case_world, case, t)
    case.refresh_from_db()
    assert case.deadline == at(2026, 3, 2, 14, 45)  # 4 工作时 from 09:15, lunch excluded
    actions.perform(
        case, "suspend", u["shiftlead"], now=at(2026, 3, 2, 10, 15), note="等待产权单位"
    )
    actions.perform(case, "resume", u["shiftlead"], now=at(2026, 3, 3, 10, 15))
    case.refresh_from_db()
    assert case.deadline == at(2026, 3, 3, 14, 45)  # one working day later
    actions.perform(
        case,
        "request_extension",
        u["handler"],
        now=at(2026, 3, 3, 11, 0),
        amount=2,
        unit="work_hour",
        note="需要吊车",
    )
    assert Notification.objects.filter(user=u["shiftlead"], kind="request").exists()
    actions.perform(case, "approve_extension", u["shiftlead"], now=at(2026, 3, 3, 11, 5))
    case.refresh_from_db()
    assert case.extension_count == 1 and case.deadline == at(2026, 3, 3, 16, 45)


def test_rollback_returns_to_dispatch_and_keeps_history(case_world):
    u = case_world["users"]
    case = report().case
    run_to_closed(case_world, case, at(2026, 3, 2, 9, 0))
    actions.perform(case, "request_rollback", u["handler"], note="不属于城管")
    actions.perform(case, "approve_rollback", u["dispatcher"])
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.department is None and case.rollback_count == 1
    actions.perform(case, "dispatch", u["dispatcher"], department="sq-001")
    case.refresh_from_db()
    assert case.department.code == "sq-001"
    assert list(
        case.events.filter(action="dispatch").values_list("department__code", flat=True)
    ) == [
        "cg",
        "sq-001",
    ]


def test_reporter_confirmation_counts_as_the_check(case_world):
    u = case_world["users"]
    result = report()
    run_to_closed(case_world, result.case, at(2026, 3, 2, 9, 0))
    actions.perform(result.case, "complete", u["handler"], note="已清运")
    actions.confirm_by_reporter(result.report.token, satisfied=True, note="谢谢")
    result.case.refresh_from_db()
    assert result.case.state == State.CHECKED


def test_split_undoes_a_wrong_merge(case_world):
    first = report().case
    merged = report(point=(EAST[0] + 0.0005, EAST[1]), text="路边生活垃圾没人清运")
    assert merged.case.pk == first.pk
    new = actions.split_report(merged.report, case_world["users"]["acceptor"], note="两处")
    first.refresh_from_db()
    assert new.pk != first.pk and first.report_count == 1 and new.reports.get().split_from == first


def test_reports_keep_their_cases_unit_through_merge_split_and_placing(case_world):
    """``Report.org_unit`` is the path a narrow scope's cursor pages read along: it follows
    the report's case when the report opens it, joins it, is split off into a case of its
    own and when the case is placed elsewhere."""
    acceptor = case_world["users"]["acceptor"]

    def in_step():
        return not Report.objects.exclude(org_unit_id=models.F("case__org_unit_id")).exists()

    first = report().case
    merged = report(point=(EAST[0] + 0.0005, EAST[1]), text="路边生活垃圾没人清运")
    river = report(point=RIVER).case
    unplaced = report(point=None, address="东城某小区门口").case
    assert merged.case.pk == first.pk and not unplaced.placed
    assert {r.org_unit for r in first.reports.all()} == {case_world["east_grid"]}
    assert river.reports.get().org_unit == case_world["river_grid"]
    assert unplaced.reports.get().org_unit == unplaced.org_unit  # the street, until placed
    assert in_step()
    actions.place_case(first, acceptor, lon=RIVER[0], lat=RIVER[1] + 0.0003)
    assert set(first.reports.values_list("org_unit", flat=True)) == {case_world["river_grid"].pk}
    actions.place_case(unplaced, acceptor, lon=EAST[0], lat=EAST[1])
    assert unplaced.reports.get().org_unit == case_world["east_grid"]
    new = actions.split_report(merged.report, acceptor)
    assert new.org_unit == case_world["east_grid"]  # placed by its own point
    assert new.reports.get().org_unit == case_world["east_grid"]
    assert in_step()
    # The copy is not audited as a change of its own: placing is the case's change.
    logged = ChangeLogEntry.objects.filter(content_type__model="report")
    assert logged.exists()
    assert not any("org_unit" in (e.postchange or {}) for e in logged)
    assert not any("org_unit" in e.changed_fields for e in logged)


def test_flag_deadlines_warns_once_and_flags_overdue(case_world):
    u = case_world["users"]
    case = report().case
    run_to_closed(case_world, case, at(2026, 3, 2, 9, 0))  # deadline 14:45
    assert actions.flag_deadlines(at(2026, 3, 2, 13, 50)) == {
        "warned": 0,
        "overdue": 0,
        "updated": 0,
    }
    assert actions.flag_deadlines(at(2026, 3, 2, 14, 0))["warned"] == 1  # 80 % at 13:57
    assert actions.flag_deadlines(at(2026, 3, 2, 14, 10))["warned"] == 0
    assert actions.flag_deadlines(at(2026, 3, 2, 15, 0))["overdue"] == 1
    case.refresh_from_db()
    assert case.light == "red"
    kinds = set(Notification.objects.filter(user=u["shiftlead"]).values_list("kind", flat=True))
    assert kinds == {"warn", "overdue"}
    assert Notification.objects.filter(user=u["handler"], kind="overdue").exists()

    # A case that goes straight to overdue (nobody ran the check in between) is not warned
    # about afterwards.
    late = report(point=(EAST[0] + 0.005, EAST[1])).case
    run_to_closed(case_world, late, at(2026, 3, 2, 9, 0))
    assert actions.flag_deadlines(at(2026, 3, 3, 9, 0))["overdue"] == 1
    assert actions.flag_deadlines(at(2026, 3, 3, 9, 5)) == {"warned": 0, "overdue": 0, "updated": 0}


def test_available_actions_follow_role_and_state(case_world):
    u = case_world["users"]
    case = report().case
    names = {t.name for t in actions.available(case, u["gridworker"])}
    assert {"verify", "verify_false"} <= names and "register" not in names
    names = {t.name for t in actions.available(case, u["acceptor"])}
    assert {"accept", "reject"} <= names and "verify" not in names


def test_similarity_and_distance():
    assert duplicates.similarity("路边暴露垃圾", "路边暴露垃圾") == pytest.approx(1.0)
    assert duplicates.similarity("路边暴露垃圾", "路灯不亮") < 0.2
    assert duplicates.distance_m(121.61, 29.865, 121.61, 29.866) == pytest.approx(111.2, abs=0.5)
