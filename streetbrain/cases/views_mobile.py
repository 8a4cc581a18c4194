"""The grid worker's phone page (/report/grid/): report on patrol (网格员巡查上报) and work the
cases waiting on site in their grid: 待核实 (verify a citizen's report) and 待核查 (check a
department's fix). Everything goes through ``actions``; the list is the worker's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from . import actions
from .forms_public import GridReportForm, TaskActionForm
from .models import Case, CaseEvent, State
from .views_public import map_geojson, picker_strings, street_name

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
                result = actions.submit_report(form.report_input(user=request.user))
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


def report_message(result: actions.IntakeResult) -> str:
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
