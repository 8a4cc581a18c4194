"""``streetbrain cases act|show|flag-deadlines``: the workflow from the command line, as a named
user, audited as the command line; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Case, CaseEvent, Notification
from streetbrain.cases.workflow import actions
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.worktime import SHANGHAI

EAST = (121.61, 29.865)
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def run(*args) -> str:
    out = io.StringIO()
    call_command("cases", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def case(case_world) -> Case:
    return submit_report(
        ReportInput(
            channel="citizen",
            description=GARBAGE,
            lon=EAST[0],
            lat=EAST[1],
            received_at=at(2026, 3, 2, 9, 0),
        )
    ).case


def test_act_takes_steps_as_the_user(case_world, case):
    u = case_world["users"]
    out = run("act", case.number, "verify", "--user", "grid", "--note", "现场属实")
    case.refresh_from_db()
    assert case.state == "reported" and case.number in out
    assert case.get_state_display() in out
    event = case.events.get(action=CaseEvent.Action.VERIFY)
    assert event.user == u["gridworker"] and event.note == "现场属实"
    entry = ChangeLogEntry.objects.filter(
        content_type__model="case", object_id=str(case.pk), action="update"
    ).latest("pk")
    assert entry.source == "cli" and entry.user == u["gridworker"]
    run("act", case.number, "accept", "--user", "acc")
    run("act", case.number, "register", "--user", "lead")
    run("act", case.number, "dispatch", "--user", "disp", "--department", "sq-001")
    case.refresh_from_db()
    assert case.state == "dispatched" and case.department.code == "sq-001"
    run("act", case.number, "reroute", "--user", "disp", "--department", "cg", "--note", "城管")
    run(
        "act",
        case.number,
        *("request_extension", "--user", "cg1", "--amount", "2", "--unit", "work_hour"),
        *("--note", "需要吊车"),
    )
    case.refresh_from_db()
    assert case.department.code == "cg" and case.pending_request == "extension"
    assert case.pending_request_data == {"amount": "2", "unit": "work_hour"}


@pytest.mark.parametrize(
    "args, says",
    [
        (("19990101000000", "accept", "--user", "acc"), "19990101000000"),
        (("{number}", "teleport", "--user", "acc"), "teleport"),
        (("{number}", "accept", "--user", "nobody"), "nobody"),
        (("{number}", "accept", "--user", "disp"), None),  # the wrong role
        (("{number}", "verify", "--user", "jc1"), None),  # another department's handler
        (("{number}", "reject", "--user", "acc"), "note"),  # a reason is required
        (("{number}", "register", "--user", "lead"), None),  # the wrong state
        (("{number}", "accept", "--user", "acc", "--department", "cg"), "--department"),
    ],
)
def test_act_refusals_change_nothing(case_world, case, args, says):
    args = [a.format(number=case.number) for a in args]
    with pytest.raises(CommandError) as err:
        run("act", *args)
    assert str(err.value)
    if says:
        assert says in str(err.value)
    case.refresh_from_db()
    assert case.state == "verifying" and case.events.count() == 1


def test_act_checks_the_extension_amount(case_world, case):
    u = case_world["users"]
    actions.perform(case, "accept", u["acceptor"])
    actions.perform(case, "register", u["shiftlead"])
    actions.perform(case, "dispatch", u["dispatcher"])
    with pytest.raises(CommandError) as err:
        run(
            "act",
            case.number,
            "request_extension",
            "--user",
            "cg1",
            "--amount",
            "abc",
            "--note",
            "x",
        )
    assert "amount" in str(err.value)
    case.refresh_from_db()
    assert case.pending_request == ""


def test_show_prints_state_clock_and_timeline(case_world, case):
    u = case_world["users"]
    actions.perform(case, "verify", u["gridworker"], now=at(2026, 3, 2, 9, 0), note="属实")
    actions.perform(case, "accept", u["acceptor"], now=at(2026, 3, 2, 9, 5))
    actions.perform(case, "register", u["shiftlead"], now=at(2026, 3, 2, 9, 10))
    actions.perform(case, "dispatch", u["dispatcher"], now=at(2026, 3, 2, 9, 15))
    out = run("show", case.number)
    case.refresh_from_db()
    assert out.startswith(f"{case.number} ")
    assert case.get_state_display() in out and "(dispatched)" in out
    assert "matter:06010" in out and "33021201400101" in out and "城管" in out
    assert "2026-03-02 14:45" in out  # the deadline: 4 工作时 from 09:15, lunch excluded
    timeline = out.split(_("Timeline:"))[1]
    for action in ("report", "verify", "accept", "register", "dispatch"):
        assert str(CaseEvent.Action(action).label) in timeline
    assert "属实" in timeline and "grid" in timeline and "disp" in timeline
    assert timeline.index("2026-03-02 09:05") < timeline.index("2026-03-02 09:15")
    with pytest.raises(CommandError):
        run("show", "000")


def test_flag_deadlines_prints_the_counts(case_world, case):
    u = case_world["users"]
    actions.perform(case, "accept", u["acceptor"], now=at(2026, 3, 2, 9, 5))
    actions.perform(case, "register", u["shiftlead"], now=at(2026, 3, 2, 9, 10))
    actions.perform(case, "dispatch", u["dispatcher"], now=at(2026, 3, 2, 9, 15))
    expected = _("warned: %(warned)d, overdue: %(overdue)d, lights updated: %(updated)d")
    assert run("flag-deadlines").strip() == expected % {"warned": 0, "overdue": 1, "updated": 0}
    case.refresh_from_db()
    assert case.light == "red" and case.overdue_flagged_at is not None
    assert Notification.objects.filter(user=u["shiftlead"], kind="overdue").exists()
    # Flagged once only.
    run("flag-deadlines")
    assert case.events.filter(action=CaseEvent.Action.OVERDUE).count() == 1
    assert Notification.objects.filter(user=u["shiftlead"], kind="overdue").count() == 1


def test_classifier_retrain_learns_from_registered_cases_and_corrections(case_world, tmp_path):
    from streetbrain.cases.intake import classifier
    from streetbrain.cases.intake.actions import submit_report
    from streetbrain.cases.models import TrainingExample

    u = case_world["users"]
    lamp = "路灯不亮了，晚上这一段漆黑一片"
    cases = []
    for i, text in enumerate([GARBAGE, lamp, "广场舞音响太吵了，晚上十点还在放"]):
        case = submit_report(
            ReportInput(channel="gridworker", description=text, lon=121.601 + i * 0.006, lat=29.861)
        ).case
        actions.perform(case, "accept", u["acceptor"])
        cases.append(case)
    # A human corrects the third one's class before registering it.
    actions.reclassify(cases[2], "matter:06028", u["acceptor"], note="噪声扰民")
    for case in cases:
        actions.perform(case, "register", u["shiftlead"])
    out = tmp_path / "model.joblib"
    err = io.StringIO()
    call_command("cases", "classifier", "retrain", "--model", str(out), stderr=err)
    model = classifier.load(out)
    assert model.meta["training_size"] == 3 + TrainingExample.objects.count() == 4
    assert "matter:06028" in model.labels and "matter:01037" in model.labels
    assert "4" in err.getvalue()
    # Not enough to learn from: a clear error, no file.
    with pytest.raises(CommandError):
        call_command(
            "cases", "classifier", "retrain", "--model", str(tmp_path / "x.joblib"), "--limit", "0"
        )
    assert not (tmp_path / "x.joblib").exists()
