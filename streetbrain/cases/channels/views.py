"""The report pages (/report/, namespace ``report``): the residents' pages and the grid
worker's phone page.

The residents' pages (no login): report a problem (随手拍) and follow it by its tracking
number. A report goes through ``intake.actions.submit_report`` like every other channel. The
tracking page shows the public side of the case only: its state in plain words, the steps'
times and names, how many people reported it and the deadline; never staff names, phones or
internal notes (the handling-completed note, which tells the reporter what was done, is the
exception).

The grid worker's phone page (/report/grid/, login required): report on patrol (网格员巡查上报)
and work the cases waiting on site in their grid: 待核实 (verify a citizen's report) and 待核查
(check a department's fix). Everything goes through ``actions``; the list is the worker's
scope. It is the field side of reporting and shares the report form and the map.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from streetbrain.core.models import OrgUnit

from ..intake.actions import submit_report
from ..intake.pipeline import street_unit
from ..intake.store import IntakeResult
from ..models import CLOCK_STATES, Case, CaseEvent, Report, State
from ..workflow import actions
from . import ratelimit
from .forms import ConfirmForm, GridReportForm, PublicReportForm, TaskActionForm

# -- shared with the grid worker's page -------------------------------------------------------


def street_name() -> str:
    try:
        return street_unit().name
    except ValidationError:
        return ""


def map_geojson(user=None) -> dict:
    """The street's outline and its grid cells as GeoJSON for the location picker (the grid
    cells are public knowledge: they hang on every community's notice board). With ``user``,
    the cells of their own unit are marked ``own``."""
    try:
        street = street_unit()
    except ValidationError:
        return {"type": "FeatureCollection", "features": []}
    own_path = getattr(getattr(user, "org_unit", None), "path", None)
    features = []
    units = (
        OrgUnit.objects.filter(path__startswith=street.path, geometry__isnull=False)
        .filter(level__in=[OrgUnit.Level.STREET, OrgUnit.Level.GRID])
        .order_by("path")
        .values_list("code", "name", "level", "path", "geometry")
    )
    for code, name, level, path, geometry in units:
        role = "street" if level == OrgUnit.Level.STREET else "grid"
        if role == "grid" and own_path and path.startswith(own_path):
            role = "own"
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"code": code, "name": name, "role": role},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def picker_strings() -> dict:
    """The location picker's words (report.js has no catalogue of its own)."""
    return {
        "locating": _("Finding your location…"),
        "located": _("Location set from your phone (accuracy about %(m)s m)."),
        "tapped": _("Location set where you tapped the map."),
        "outside": _("This point lies outside the street. Tap the map where the problem is."),
        "denied": _("Your location is not available. Tap the map where the problem is."),
        "unsupported": _("This browser cannot give your location. Tap the map instead."),
        "chosen": _("Chosen point"),
        "tooBig": _("This photo is larger than 10 MB."),
        "sending": _("Sending…"),
        "copied": _("Copied"),
        "metres": _("%(m)s m"),
        "kilometres": _("%(km)s km"),
    }


# -- the report form --------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ReportView(View):
    """/report/: the citizens' form. Bad input shows the form again and stores nothing."""

    template_name = "cases/public/report_form.html"

    def get(self, request):
        return self.render(PublicReportForm())

    def post(self, request):
        outcome = ratelimit.public_report(request)
        if not outcome.allowed:
            return rate_limited(request, outcome)
        form = PublicReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = submit_report(form.report_input())
            except ValidationError as err:
                form.add_intake_errors(err)
            else:
                return redirect("report:thanks", token=result.report.token)
        return self.render(form)

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                # A file input cannot be filled in again: say so when the form comes back.
                "photo_lost": form.is_bound and bool(self.request.FILES),
                "street_name": street_name(),
                "map_geojson": map_geojson(),
                "picker_strings": picker_strings(),
            },
        )


def rate_limited(request, outcome: ratelimit.Outcome):
    minutes = max(1, round(outcome.retry_after / 60))
    response = render(
        request,
        "cases/public/rate_limited.html",
        {"street_name": street_name(), "minutes": minutes, "limit": outcome.limit},
        status=429,
    )
    response["Retry-After"] = str(outcome.retry_after)
    return response


# -- after sending ----------------------------------------------------------------------------


def _report_or_404(token) -> Report:
    return get_object_or_404(
        Report.objects.select_related("case", "case__component_class", "case__org_unit"),
        token=token,
    )


@never_cache
def thanks(request, token):
    """The page after sending: the tracking number, and whether others reported it first."""
    report = _report_or_404(token)
    case = report.case
    others = max(0, case.report_count - 1)
    merged_text = ""
    if not report.is_primary:
        merged_text = ngettext(
            "%(n)d person has already reported this problem; we will handle it together.",
            "%(n)d people have already reported this problem; we will handle it together.",
            others,
        ) % {"n": others}
    return render(
        request,
        "cases/public/thanks.html",
        {
            "report": report,
            "case": case,
            "merged": not report.is_primary,
            "merged_text": merged_text,
            "track_url": request.build_absolute_uri(reverse("report:track", args=[token])),
            "street_name": street_name(),
            "picker_strings": picker_strings(),
            "state_text": state_text(case),
        },
    )


# -- tracking ---------------------------------------------------------------------------------

# What a citizen reads for each state.
STATE_TEXT = {
    State.REPORTED: gettext_lazy("Received. The street office is reviewing your report."),
    State.VERIFYING: gettext_lazy("Received. A grid worker will check the place."),
    State.ACCEPTED: gettext_lazy("Accepted. It will be registered and passed on."),
    State.REGISTERED: gettext_lazy("Registered. It is being passed to the department in charge."),
    State.DISPATCHED: gettext_lazy("Passed to the department in charge."),
    State.HANDLING: gettext_lazy("The department in charge is working on it."),
    State.SUSPENDED: gettext_lazy(
        "Handling is paused until conditions allow it; it will continue then."
    ),
    State.HANDLED: gettext_lazy(
        "The department reports that it has been dealt with. Is the problem solved?"
    ),
    State.CHECKED: gettext_lazy("Dealt with and checked; the case is being closed."),
    State.CLOSED: gettext_lazy("Solved and closed."),
    State.REJECTED: gettext_lazy(
        "Not accepted: the problem was not found on site, or it is not the street's matter."
    ),
    State.VOID: gettext_lazy("Cancelled."),
}

# The steps a citizen sees, and the step each state belongs to.
STEPS = [
    pgettext_lazy("report step", "Received"),
    pgettext_lazy("report step", "Accepted"),
    pgettext_lazy("report step", "Being handled"),
    pgettext_lazy("report step", "Dealt with"),
    pgettext_lazy("report step", "Closed"),
]
STEP_OF_STATE = {
    State.REPORTED: 0,
    State.VERIFYING: 0,
    State.ACCEPTED: 1,
    State.REGISTERED: 1,
    State.DISPATCHED: 2,
    State.HANDLING: 2,
    State.SUSPENDED: 2,
    State.HANDLED: 3,
    State.CHECKED: 3,
    State.CLOSED: 4,
}

# Timeline steps a citizen sees; the others (classification, warnings, internal requests and
# notes) are the office's business.
PUBLIC_ACTIONS = {
    CaseEvent.Action.REPORT,
    CaseEvent.Action.MERGE,
    CaseEvent.Action.VERIFY,
    CaseEvent.Action.ACCEPT,
    CaseEvent.Action.REJECT,
    CaseEvent.Action.REGISTER,
    CaseEvent.Action.DISPATCH,
    CaseEvent.Action.REROUTE,
    CaseEvent.Action.START,
    CaseEvent.Action.APPROVE_EXTENSION,
    CaseEvent.Action.SUSPEND,
    CaseEvent.Action.RESUME,
    CaseEvent.Action.HANDLED,
    CaseEvent.Action.CHECK_PASS,
    CaseEvent.Action.CHECK_FAIL,
    CaseEvent.Action.CONFIRM,
    CaseEvent.Action.CLOSE,
    CaseEvent.Action.REOPEN,
    CaseEvent.Action.VOID,
}
# Notes shown to the public: only what the department says it did.
PUBLIC_NOTE_ACTIONS = {CaseEvent.Action.HANDLED}

PUBLIC_LABELS = {
    CaseEvent.Action.MERGE: gettext_lazy("Someone else reported the same problem"),
    CaseEvent.Action.APPROVE_EXTENSION: gettext_lazy("Time limit extended"),
}


def state_text(case: Case) -> str:
    return str(STATE_TEXT.get(case.state, case.get_state_display()))


def public_timeline(case: Case) -> list[dict]:
    out = []
    for event in case.events.filter(action__in=PUBLIC_ACTIONS).order_by("time", "pk"):
        label = PUBLIC_LABELS.get(event.action) or event.get_action_display()
        if event.action == CaseEvent.Action.VERIFY and event.data.get("true") is False:
            label = _("Not found on site")
        out.append(
            {
                "time": event.time,
                "label": label,
                "note": event.note if event.action in PUBLIC_NOTE_ACTIONS else "",
                "action": event.action,
            }
        )
    return out


@never_cache
def track(request, token):
    """The public view of a report's case."""
    report = _report_or_404(token)
    case = report.case
    step = STEP_OF_STATE.get(case.state)
    steps = [
        {"label": label, "done": step is not None and i < step, "current": i == step}
        for i, label in enumerate(STEPS)
    ]
    deadline = case.deadline if case.state in CLOCK_STATES else None
    return render(
        request,
        "cases/public/track.html",
        {
            "report": report,
            "case": case,
            "state_text": state_text(case),
            "steps": steps,
            "finished_badly": case.state in (State.REJECTED, State.VOID),
            "timeline": public_timeline(case),
            "deadline": deadline,
            "limit": (
                f"{case.limit_amount.normalize():f} {case.get_limit_unit_display()}"
                if case.limit_amount is not None and case.limit_unit
                else ""
            ),
            "awaiting_confirmation": case.state == State.HANDLED,
            "confirm_form": ConfirmForm(),
            "street_name": street_name(),
        },
    )


@require_POST
def confirm(request, token):
    """The reporter's 已解决 / 没有解决 on a handled case (it counts as the check, 核查)."""
    report = _report_or_404(token)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “Solved” or “Not solved”."))
        return redirect("report:track", token=report.token)
    satisfied = form.cleaned_data["answer"] == "solved"
    try:
        actions.confirm_by_reporter(
            report.token, satisfied=satisfied, note=form.cleaned_data["comment"]
        )
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    else:
        messages.success(
            request,
            _("Thank you. We have recorded that the problem is solved.")
            if satisfied
            else _("Thank you. The case goes back to the department to be dealt with again."),
        )
    return redirect("report:track", token=report.token)


@never_cache
def track_lookup(request):
    """/report/track/?code=…: open a report by the tracking number typed or pasted."""
    code = (request.GET.get("code") or "").strip()
    error, status = "", 200
    if code:
        try:
            token = uuid.UUID(code.replace(" ", ""))
        except ValueError:
            error = _("This is not a tracking number. It looks like 1b9d6bcd-bbfd-4b2d-….")
        else:
            if Report.objects.filter(token=token).exists():
                return redirect("report:track", token=token)
            error, status = _("No report has this tracking number."), 404
    return render(
        request,
        "cases/public/track_lookup.html",
        {"code": code, "error": error, "street_name": street_name()},
        status=status,
    )


# -- the grid worker's phone page ------------------------------------------------------------

MAX_TASKS = 50


class GridWorkerMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Logged in (else the login page), with the grid worker's permissions (else 403)."""

    permission_required = ("cases.add_case", "cases.verify_case")


def tasks_of(user) -> dict:
    """The cases in ``user``'s scope waiting for someone on site, oldest first."""
    scoped = Case.objects.restrict(user, "view").select_related("org_unit", "component_class")
    handled_note = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.HANDLED)
        .order_by("-time", "-pk")
        .values("note")[:1]
    )
    verifying = scoped.filter(state=State.VERIFYING).order_by("reported_at", "pk")
    handled = (
        scoped.filter(state=State.HANDLED)
        .annotate(handled_note=Subquery(handled_note))
        .order_by("handled_at", "pk")
    )
    return {
        "verifying": list(verifying[:MAX_TASKS]),
        "verifying_total": verifying.count(),
        "handled": list(handled[:MAX_TASKS]),
        "handled_total": handled.count(),
    }


class GridWorkerPage(GridWorkerMixin, View):
    """上报 and 我的任务 on one phone-width page."""

    template_name = "cases/mobile/grid.html"

    def get(self, request):
        return self.render(GridReportForm())

    def post(self, request):
        form = GridReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = submit_report(form.report_input(user=request.user))
            except ValidationError as err:
                form.add_intake_errors(err)
            else:
                messages.success(request, report_message(result))
                return redirect(reverse("report:grid") + "#tasks")
        return self.render(form)

    def render(self, form, *, tasks=None):
        tasks = tasks if tasks is not None else tasks_of(self.request.user)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                **tasks,
                "street_name": street_name(),
                "map_geojson": map_geojson(self.request.user),
                "picker_strings": picker_strings(),
                "max_tasks": MAX_TASKS,
            },
        )


def report_message(result: IntakeResult) -> str:
    case = result.case
    if not result.created:
        return _("This report was already received: case %(number)s.") % {"number": case.number}
    if result.new_case:
        return _("Reported: case %(number)s.") % {"number": case.number}
    others = max(0, case.report_count - 1)
    return ngettext(
        "Joined case %(number)s, which %(n)d report already describes.",
        "Joined case %(number)s, which %(n)d reports already describe.",
        others,
    ) % {"number": case.number, "n": others}


class GridTaskActionView(GridWorkerMixin, View):
    """POST: 核实 (verify / verify_false) or 核查 (check_pass / check_fail) one case. A case
    outside the worker's scope is refused (403) by ``actions.perform``."""

    def post(self, request, pk: int):
        form = TaskActionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.error(request, pk, form)
        name = form.cleaned_data["action"]
        photo = form.cleaned_data.get("photo")
        try:
            case = actions.perform(
                pk,
                name,
                request.user,
                note=form.cleaned_data["note"],
                photos=[photo] if photo else [],
            )
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                for key, msgs in err.message_dict.items():
                    form.add_error(key if key in form.fields else None, msgs)
            else:
                form.add_error(None, err.messages)
            return self.error(request, pk, form)
        messages.success(
            request,
            _("%(action)s: case %(number)s.")
            % {"action": actions.TRANSITIONS[name].label, "number": case.number},
        )
        return redirect(reverse("report:grid") + "#tasks")

    def error(self, request, pk, form):
        """The page again with the case's card showing the errors and the note typed; if
        the case left the list meanwhile, the errors go to the top of the page."""
        tasks = tasks_of(request.user)
        card = next((c for c in tasks["verifying"] + tasks["handled"] if c.pk == pk), None)
        if card is None:
            for msg in form.non_field_errors() or [_("This case is no longer waiting for you.")]:
                messages.error(request, msg)
            return redirect(reverse("report:grid") + "#tasks")
        card.act_form = form
        page = GridWorkerPage()
        page.setup(request)
        return page.render(GridReportForm(), tasks=tasks)
