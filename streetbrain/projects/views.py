"""Pages of the key projects (namespace ``projects``), under /projects/: the board of the year's
projects with their lights and reasons, a project's page (its task force, milestones,
indicators, and by kind its campaign burndown or its metro sites with the cases near them),
the street's five indicators, the plots with their households, the hard cases, and the
monthly report as Excel. Every read goes through ``restrict(user)``; every change through
``actions``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from streetbrain.core.audit import change_reason
from streetbrain.core.generic import ObjectEditView, ScopedObjectMixin, StepView, apply_errors
from streetbrain.core.text import CheckedForm

from . import actions, report, status
from .forms import (
    ActualForm,
    AdvanceForm,
    DecideForm,
    DoneForm,
    HardCaseAdvanceForm,
    HardCaseOpenForm,
    IndicatorForm,
    IssueForm,
    MeetingForm,
    MemberForm,
    MilestoneEditForm,
    MilestoneForm,
    PlotForm,
    ProjectForm,
    ReportForm,
    StepForm,
    TargetForm,
)
from .measures import cases_near
from .models import (
    STAGE_ORDER,
    FollowUp,
    HardCase,
    HardCaseNotice,
    Household,
    IndicatorReport,
    Milestone,
    Plot,
    Project,
    ProjectIndicator,
    Site,
    Stage,
    StreetIndicator,
    TaskForceMember,
)


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _projects(user, year: int):
    return (
        Project.objects.restrict(user)
        .filter(year=year)
        .select_related("leader", "office")
        .prefetch_related("milestones", "indicators__feeds", "sites")
    )


def _default_year(user) -> int:
    today = timezone.localdate()
    years = set(Project.objects.restrict(user).values_list("year", flat=True))
    return today.year if today.year in years or not years else max(years)


class BoardView(ScopedObjectMixin, TemplateView):
    """The board: every project of the year with its light and the reasons for it."""

    model = Project
    template_name = "projects/board.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        year = _year(self.request, _default_year(user))
        rows = [(p, status.project_status(p, user, today)) for p in _projects(user, year)]
        counts = {light: sum(1 for _p, s in rows if s.light == light) for light in status.RANK}
        years = sorted(set(Project.objects.restrict(user).values_list("year", flat=True)))
        return {
            **super().get_context_data(**kwargs),
            "title": _("Key projects"),
            "year": year,
            "years": years,
            "rows": rows,
            "counts": counts,
        }


class ProjectDetailView(ScopedObjectMixin, TemplateView):
    model = Project
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        project = get_object_or_404(
            Project.objects.restrict(user).select_related("leader", "office"),
            pk=kwargs["pk"],
        )
        st = status.project_status(project, user, today)
        ctx = {
            **super().get_context_data(**kwargs),
            "title": project.name,
            "object": project,
            "status": st,
            "members": project.members.select_related("user", "department"),
            "milestones": project.milestones.all(),
            "events": project.events.select_related("user")[:20],
            "reports": IndicatorReport.objects.restrict(user)
            .filter(indicator__project=project)
            .select_related("indicator", "submitted_by")
            .order_by("-month", "pk")[:24],
            "report_form": ReportForm(project=project)
            if user.has_perm("projects.report_project")
            else None,
            "can_decide": user.has_perm("projects.approve_project"),
            "plots": Plot.objects.restrict(user).filter(project=project),
        }
        if project.plots.exists():
            ctx["campaign"] = status.campaign(project, user)
            ctx["burndown"] = status.hard_case_burndown(project, user, today)
            ctx["burndown_json"] = ctx["burndown"]
            ctx["hard_cases"] = (
                HardCase.objects.restrict(user)
                .filter(plot__project=project)
                .select_related("plot", "leader")
            )
        sites = list(project.sites.all())
        if sites:
            near = cases_near(user, [(s.lon, s.lat, s.radius_m) for s in sites])
            ctx["sites"] = sites
            ctx["near_cases"] = [
                {"case": c, "site": sites[i], "distance_m": round(d)} for c, i, d in near[:50]
            ]
            ctx["near_count"] = len(near)
            ctx["meetings"] = project.meetings.prefetch_related("follow_ups__owner")
        return ctx


class SiteDetailView(ScopedObjectMixin, TemplateView):
    """A metro site: the cases within its radius (found by their position, not tagged) and the
    task force's issues here with their leader and departments."""

    model = Site
    template_name = "projects/site_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        site = get_object_or_404(
            Site.objects.restrict(user).select_related("project"), pk=kwargs["pk"]
        )
        near = cases_near(user, [(site.lon, site.lat, site.radius_m)])
        return {
            **super().get_context_data(**kwargs),
            "title": site.name,
            "object": site,
            "near_cases": [{"case": c, "distance_m": round(d)} for c, _i, d in near[:100]],
            "near_count": len(near),
            "issues": site.issues.select_related("case", "leader").prefetch_related("departments"),
        }


class IndicatorsView(ScopedObjectMixin, TemplateView):
    """The street's five indicators: target and raised target, the months' actuals, the
    projection to the year's end, the gap, and the projects that feed each."""

    model = StreetIndicator
    template_name = "projects/indicators.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        year = _year(self.request, today.year)
        rows = [
            status.street_status(ind, year, user, today)
            for ind in StreetIndicator.objects.restrict(user)
        ]
        charts = {
            f"ind-chart-{r.indicator.pk}": {
                "months": [m.strftime("%Y-%m") for m, _v in r.series],
                "values": [v for _m, v in r.series],
                "target": r.raised_target if r.raised_target is not None else r.target,
            }
            for r in rows
        }
        return {
            **super().get_context_data(**kwargs),
            "title": _("Street indicators"),
            "year": year,
            "rows": rows,
            "charts_json": charts,
            "can_import": user.has_perm("projects.add_indicatoractual"),
        }


class PlotListView(ScopedObjectMixin, TemplateView):
    model = Plot
    template_name = "projects/plot_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rows = []
        for plot in Plot.objects.restrict(user).select_related("project"):
            counts = status.stage_counts(Household.objects.restrict(user).filter(plot=plot))
            rows.append(
                {
                    "plot": plot,
                    "stages": [counts[s] for s in STAGE_ORDER],
                    "signed": status.reached(counts, Stage.SIGNED),
                    "cleared": status.reached(counts, Stage.DEMOLISHED),
                }
            )
        return {
            **super().get_context_data(**kwargs),
            "title": _("Plots"),
            "rows": rows,
            "stage_labels": [Stage(s).label for s in STAGE_ORDER],
        }


class PlotDetailView(ScopedObjectMixin, TemplateView):
    model = Plot
    template_name = "projects/plot_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plot = get_object_or_404(
            Plot.objects.restrict(user).select_related("project"), pk=kwargs["pk"]
        )
        households = Household.objects.restrict(user).filter(plot=plot).select_related("resident")
        counts = status.stage_counts(households)
        can = user.has_perm("projects.change_household")
        return {
            **super().get_context_data(**kwargs),
            "title": plot.name,
            "object": plot,
            "stages": [{"label": Stage(s).label, **counts[s]} for s in STAGE_ORDER],
            "households": [(h, actions.available(h, user) if can else []) for h in households],
            "hard_cases": plot.hard_cases.select_related("leader"),
            "advance_form": AdvanceForm() if can else None,
        }


class HouseholdAdvanceView(ScopedObjectMixin, TemplateView):
    """POST: a household's next stage (``actions.advance_household``)."""

    model = Household
    action = "change"
    template_name = "projects/household_advance.html"

    def post(self, request, pk, name):
        household = get_object_or_404(Household.objects.restrict(request.user, "change"), pk=pk)
        form = AdvanceForm(request.POST)
        if form.is_valid():
            try:
                actions.advance_household(
                    household, name, user=request.user, **form.action_inputs()
                )
                return redirect(household.get_absolute_url())
            except ValidationError as exc:
                apply_errors(form, exc, {"name": None})
        return self.render_to_response(
            {
                "title": _("Household %(h)s") % {"h": household},
                "object": household,
                "form": form,
                "name": name,
            },
            status=400,
        )

    def get(self, request, pk, name):
        household = get_object_or_404(Household.objects.restrict(request.user, "change"), pk=pk)
        return self.render_to_response(
            {
                "title": _("Household %(h)s") % {"h": household},
                "object": household,
                "form": AdvanceForm(),
                "name": name,
            },
        )


class HardCaseListView(ScopedObjectMixin, TemplateView):
    model = HardCase
    template_name = "projects/hardcase_list.html"
    mine = False

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        qs = HardCase.objects.restrict(user).select_related("plot", "leader")
        mine = self.mine or bool(self.request.GET.get("mine"))
        if mine:
            qs = qs.filter(leader=user)
        rows = [(h, actions.light_of(h, now)) for h in qs]
        return {
            **super().get_context_data(**kwargs),
            "title": _("Hard cases"),
            "rows": rows,
            "total_m2": sum(float(h.area_m2) for h, _l in rows),
            "mine": mine,
        }


class HardCaseDetailView(ScopedObjectMixin, TemplateView):
    """A hard case: its plan, leader, deadline and light, its steps; its leader (or the project
    office) records a step or a meeting, or moves it to the next stage."""

    model = HardCase
    template_name = "projects/hardcase_detail.html"

    def _object(self):
        return get_object_or_404(
            HardCase.objects.restrict(self.request.user).select_related(
                "plot__project", "leader", "household"
            ),
            pk=self.kwargs["pk"],
        )

    def may_work(self, hc) -> bool:
        user = self.request.user
        return hc.leader_id == user.pk or user.has_perm("projects.change_hardcase")

    def get_context_data(self, **kwargs):
        hc = kwargs.pop("object", None) or self._object()
        work = self.may_work(hc) and hc.closed_at is None
        nxt = STAGE_ORDER.index(hc.stage) + 1
        return {
            **super().get_context_data(**kwargs),
            "title": hc.title,
            "object": hc,
            "light": actions.light_of(hc),
            "steps": hc.steps.select_related("user"),
            "step_form": kwargs.get("step_form") or (StepForm() if work else None),
            "advance_form": kwargs.get("advance_form")
            or (HardCaseAdvanceForm() if work and nxt < len(STAGE_ORDER) else None),
            "next_stage": Stage(STAGE_ORDER[nxt]).label if nxt < len(STAGE_ORDER) else "",
        }

    def post(self, request, pk):
        hc = self._object()
        if not self.may_work(hc):
            raise PermissionDenied(_("Only the case's leader or the project office may do this."))
        if request.POST.get("what") == "advance":
            form, key, call = (
                HardCaseAdvanceForm(request.POST),
                "advance_form",
                actions.advance_hard_case,
            )
        else:
            form, key, call = StepForm(request.POST), "step_form", actions.record_step
        if form.is_valid():
            try:
                call(hc, user=request.user, **form.cleaned_data)
                return redirect(hc.get_absolute_url())
            except ValidationError as exc:
                apply_errors(form, exc)
        return self.render_to_response(self.get_context_data(object=hc, **{key: form}), status=400)


class ReportSubmitView(ScopedObjectMixin, TemplateView):
    """POST: a monthly report of one of the project's entered indicators."""

    model = Project
    template_name = "projects/form_page.html"

    def get(self, request, pk):
        project = get_object_or_404(Project.objects.restrict(request.user), pk=pk)
        return self.render_to_response(
            {"title": _("Monthly report"), "object": project, "form": ReportForm(project=project)}
        )

    def post(self, request, pk):
        project = get_object_or_404(Project.objects.restrict(request.user), pk=pk)
        if not request.user.has_perm("projects.report_project"):
            raise PermissionDenied(_("Your role may not do this."))
        form = ReportForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            data = dict(form.cleaned_data)
            indicator = data.pop("indicator")
            try:
                actions.submit_report(indicator, user=request.user, **data)
                return redirect(project.get_absolute_url())
            except ValidationError as exc:
                apply_errors(form, exc, {"indicator": "indicator"})
        return self.render_to_response(
            {"title": _("Monthly report"), "object": project, "form": form}, status=400
        )


class ReportDecideView(ScopedObjectMixin, TemplateView):
    """POST: the project office approves or rejects a monthly report."""

    model = IndicatorReport
    template_name = "projects/form_page.html"

    def get(self, request, pk):
        report = get_object_or_404(
            IndicatorReport.objects.restrict(request.user).select_related("indicator__project"),
            pk=pk,
        )
        return self.render_to_response(
            {"title": _("Monthly report"), "object": report.indicator.project, "form": DecideForm()}
        )

    def post(self, request, pk):
        report = get_object_or_404(
            IndicatorReport.objects.restrict(request.user).select_related("indicator__project"),
            pk=pk,
        )
        form = DecideForm(request.POST)
        if form.is_valid():
            try:
                actions.decide_report(report, user=request.user, **form.cleaned_data)
                return redirect(report.indicator.project.get_absolute_url())
            except ValidationError as exc:
                apply_errors(form, exc, {"report": None})
        return self.render_to_response(
            {"title": _("Monthly report"), "object": report.indicator.project, "form": form},
            status=400,
        )


class ReportAttachmentView(ScopedObjectMixin, TemplateView):
    """A report's attachment, to those who see the report."""

    model = IndicatorReport

    def get(self, request, pk):
        from django.core.files.storage import default_storage
        from django.http import FileResponse, Http404

        report = get_object_or_404(IndicatorReport.objects.restrict(request.user), pk=pk)
        if not report.attachment or not default_storage.exists(report.attachment):
            raise Http404
        return FileResponse(
            default_storage.open(report.attachment, "rb"),
            as_attachment=True,
            filename=report.attachment.rsplit("/", 1)[-1],
        )


class ReportView(ScopedObjectMixin, TemplateView):
    """项目月报 (``?period=month``, the default) or 周报 (``?period=week``) of the year's
    projects, as Excel or PDF (``fmt``): the same sections (``report.build``), computed now
    from the data, never typed."""

    model = Project
    fmt = "xlsx"

    def get(self, request, *args, **kwargs):
        user, today = request.user, timezone.localdate()
        year = _year(request, _default_year(user))
        period = request.GET.get("period", "month")
        if period not in report.PERIODS:
            period = "month"
        built = report.build(user, year, today, period)
        if self.fmt == "pdf":
            return report.to_pdf(built).response(built.filename("pdf"))
        response = HttpResponse(
            report.to_xlsx(built),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{built.filename("xlsx")}"'
        return response


class _ActionView(ScopedObjectMixin, TemplateView):
    """POST a form to one action on an object in the user's scope; GET shows the form. A bad
    input comes back with the action's message on its field (400) and nothing changed."""

    template_name = "projects/form_page.html"
    form_class = None
    title = ""

    def get_object(self, request, pk):
        return get_object_or_404(self.model.objects.restrict(request.user), pk=pk)

    def make_form(self, data=None):
        return self.form_class(data)

    def back(self, obj):
        return obj.get_absolute_url()

    def call(self, obj, form, user):
        """The action the step performs (an abstract hook: every step view below names its own)."""
        raise NotImplementedError(f"{type(self).__name__} names no action")

    def render_form(self, obj, form, status=200):
        return self.render_to_response(
            {"title": self.title, "object": obj, "form": form, "back_url": self.back(obj)},
            status=status,
        )

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return self.render_form(obj, self.make_form())

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.call(obj, form, request.user)
                return redirect(self.back(obj))
            except ValidationError as exc:
                apply_errors(form, exc)
        return self.render_form(obj, form, status=400)


class MilestoneReachView(_ActionView):
    """A milestone reached, with its evidence."""

    model = Milestone
    action = "change"
    form_class = MilestoneForm
    title = gettext_lazy("Milestone reached")

    def back(self, obj):
        return obj.project.get_absolute_url()

    def call(self, obj, form, user):
        actions.reach_milestone(obj, user=user, **form.cleaned_data)


class SiteIssueView(_ActionView):
    """A case near the site made one of the task force's issues."""

    model = Site
    form_class = IssueForm
    title = gettext_lazy("Issue assigned")

    def check_permission(self):
        if not self.request.user.has_perm("projects.add_siteissue"):
            raise PermissionDenied(_("You do not have permission to do this."))

    def make_form(self, data=None):
        initial = {"case": self.request.GET.get("case")} if data is None else None
        return IssueForm(data, user=self.request.user, initial=initial)

    def call(self, obj, form, user):
        d = form.cleaned_data
        actions.assign_issue(
            obj, d["case"], leader=d["leader"], departments=d["departments"], user=user
        )


class MeetingView(_ActionView):
    """A task-force meeting of the project, with its follow-up items."""

    model = Project
    form_class = MeetingForm
    title = gettext_lazy("Meeting held")

    def check_permission(self):
        if not self.request.user.has_perm("projects.add_meeting"):
            raise PermissionDenied(_("You do not have permission to do this."))

    def make_form(self, data=None):
        return MeetingForm(data, user=self.request.user)

    def call(self, obj, form, user):
        actions.record_meeting(obj, user=user, **form.action_inputs())


class FollowUpDoneView(_ActionView):
    """A follow-up item done (its owner, or the project office)."""

    model = FollowUp
    form_class = DoneForm
    title = gettext_lazy("Follow-up done")

    def back(self, obj):
        return obj.meeting.project.get_absolute_url()

    def call(self, obj, form, user):
        actions.complete_follow_up(obj, user=user, **form.cleaned_data)


# -- projects and their parts, created and edited ------------------------------------------------


class ProjectEditView(ObjectEditView):
    """A new key project, or a change to one: the form's values go to ``actions.save_project``
    (which writes the timeline); the light is never typed in."""

    model = Project
    form_class = ProjectForm
    template_name = "projects/project_edit.html"

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in actions.PROJECT_FIELDS}
            try:
                with change_reason(form.cleaned_data.get("_change_reason") or ""):
                    project = actions.save_project(
                        obj if obj.pk else None, user=request.user, **values
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Project “%(p)s” saved.") % {"p": project})
                return HttpResponseRedirect(project.get_absolute_url())
        return self.render_to_response(self.edit_context(obj, form), status=400)

    def edit_context(self, obj, form):
        ctx = super().edit_context(obj, form)
        ctx["back_url"] = obj.get_absolute_url() if obj.pk else reverse("projects:index")
        return ctx


# name → (model, form, what it is called)
PARTS = {
    "member": (TaskForceMember, MemberForm, gettext_lazy("Task-force member")),
    "milestone": (Milestone, MilestoneEditForm, gettext_lazy("Milestone")),
    "indicator": (ProjectIndicator, IndicatorForm, gettext_lazy("Indicator")),
    "plot": (Plot, PlotForm, gettext_lazy("Plot")),
}


class _ProjectStep(StepView):
    """A form on the project page (an HTMX fragment in its panel, or a page of its own)."""

    fragment = "projects/_step_form.html"
    page = "projects/step_page.html"
    note_is_reason = False

    def project(self):
        return self.object

    def done_url(self):
        return self.project().get_absolute_url()

    def values(self, form):
        return {f: form.cleaned_data[f] for f in actions.PART_FIELDS[self.part]}

    def perform(self, form, user):
        with change_reason(form.cleaned_data.get("_change_reason") or ""):
            self.save(form, user)


class PartAddView(_ProjectStep):
    """A member, milestone, indicator or plot added to a project (``actions.save_part``)."""

    model = Project

    def select_step(self, name):
        if name not in PARTS:
            raise Http404(_("Unknown action."))
        self.part, self.form_class, what = PARTS[name]
        self.step, self.label = name, _("Add: %(what)s") % {"what": what}
        self.permission = f"projects.add_{self.part._meta.model_name}"

    def form_kwargs(self):
        return {"user": self.request.user, "instance": self.part(project=self.object)}

    def action_url(self):
        return reverse("projects:part_add", args=[self.object.pk, self.step])

    def save(self, form, user):
        actions.save_part(self.part, self.object, values=self.values(form), user=user)


class PartEditView(_ProjectStep):
    """A member, milestone, indicator or plot of a project changed."""

    select_related = ("project",)

    def select_step(self, name):
        if name not in PARTS:
            raise Http404(_("Unknown action."))
        self.part, self.form_class, what = PARTS[name]
        self.model = self.part
        self.step, self.label = name, _("Change: %(what)s") % {"what": what}
        self.permission = f"projects.change_{self.part._meta.model_name}"

    def project(self):
        return self.object.project

    def form_kwargs(self):
        return {"user": self.request.user, "instance": self.object}

    def action_url(self):
        return reverse("projects:part_edit", args=[self.step, self.object.pk])

    def save(self, form, user):
        actions.save_part(
            self.part, self.object.project_id, self.object, values=self.values(form), user=user
        )


class ConfirmForm(CheckedForm):
    """Nothing to fill in: the button is the decision."""


class MemberRemoveView(_ProjectStep):
    model = TaskForceMember
    scope_action = "delete"
    select_related = ("project", "user")
    step = "remove"
    label = gettext_lazy("Remove from the task force")
    permission = "projects.delete_taskforcemember"
    form_class = ConfirmForm

    def project(self):
        return self.object.project

    def action_url(self):
        return reverse("projects:member_remove", args=[self.object.pk])

    def save(self, form, user):
        actions.remove_member(self.object, user=user)


class HardCaseOpenView(_ProjectStep):
    """A hard case (疑难杂症) opened on a plot with its leader, plan and time limit
    (``actions.open_hard_case``); it then moves on from its own page."""

    model = Plot
    select_related = ("project",)
    step = "hard_case"
    label = gettext_lazy("Open a hard case")
    permission = "projects.add_hardcase"
    form_class = HardCaseOpenForm
    opened = None

    def form_kwargs(self):
        return {"plot": self.object, "user": self.request.user}

    def action_url(self):
        return reverse("projects:hardcase_open", args=[self.object.pk])

    def done_url(self):
        return (self.opened or self.object).get_absolute_url()

    def save(self, form, user):
        self.opened = actions.open_hard_case(self.object, user=user, **form.cleaned_data)


class StreetIndicatorStepView(_ProjectStep):
    """A street indicator's month figure (as the statistics bureau gives it) or its year's
    target and raised target (再加压)."""

    model = StreetIndicator
    scope_action = "view"  # the street's indicators: the actions check the permissions
    steps = {
        "value": (
            gettext_lazy("Enter a month's figure"),
            ActualForm,
            "projects.add_indicatoractual",
        ),
        "target": (
            gettext_lazy("Set the year's target"),
            TargetForm,
            "projects.change_indicatortarget",
        ),
    }

    def get_initial(self, request):
        if self.step == "target":
            return {"year": timezone.localdate().year}
        return {}

    def done_url(self):
        return self.object.get_absolute_url()

    def action_url(self):
        return reverse("projects:indicator_step", args=[self.object.pk, self.step])

    def save(self, form, user):
        if self.step == "value":
            actions.record_actual(self.object, user=user, **form.cleaned_data)
        else:
            actions.set_target(self.object, user=user, **form.cleaned_data)


# -- notices to leaders ---------------------------------------------------------------------------


class NoticeListView(LoginRequiredMixin, TemplateView):
    """The user's notices about hard cases (escalated to them), unread first."""

    template_name = "projects/notices.html"

    def get_context_data(self, **kwargs):
        notices = (
            HardCaseNotice.objects.restrict(self.request.user)
            .filter(user=self.request.user)
            .select_related("hard_case__plot")
            .order_by("read_at", "-created_at", "-pk")[:200]
        )
        return {**super().get_context_data(**kwargs), "title": _("Notices"), "notices": notices}


class NoticeOpenView(LoginRequiredMixin, View):
    """Follow a notice: it is read and its hard case opens."""

    def get(self, request, pk):
        try:
            notice = actions.read_notice(pk, user=request.user)
        except PermissionDenied:
            raise Http404 from None
        return HttpResponseRedirect(reverse("projects:hardcase_detail", args=[notice.hard_case_id]))
