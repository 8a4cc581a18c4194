"""The cooperatives' pages: the dashboard of the 16 by colour with their trends and a
comparison table, the list, a cooperative's page (why its colour: every indicator's value
and contribution; the colour's history; accounts, assets, shares, the plan, the exit with its
next step), the members (masked, revealed with a log entry), and the steps, each calling an
action (grade, override, open the exit, the exit's steps, a measure done)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectListView,
    ObjectRevealView,
    ScopedObjectMixin,
    StepView,
)

from . import actions, exit, forms
from .filtersets import CooperativeFilterSet
from .models import (
    AnnualAccount,
    Colour,
    ColourBand,
    Cooperative,
    ExitProcess,
    ExitStage,
    Grade,
    Indicator,
    Measure,
    Member,
    Plan,
)

TREND_YEARS = 5
COLOURS = [Colour.RED, Colour.YELLOW, Colour.GREEN]


def indicator_value(grade: Grade | None, code: str):
    for row in grade.indicators if grade else []:
        if row["code"] == code:
            return row["value"]
    return None


def trend_bars(accounts: list[AnnualAccount]) -> list[dict]:
    """The last years' income as bars of a sparkline (height in % of the largest)."""
    years = accounts[-TREND_YEARS:]
    top = max((a.income for a in years), default=Decimal(0)) or Decimal(1)
    return [
        {"year": a.year, "income": a.income, "height": max(int(a.income / top * 100), 2)}
        for a in years
    ]


def dashboard_rows(user) -> list[dict]:
    """One row per cooperative in the user's scope: colour, score, the income trend and the
    indicators of its latest grade, its colour history and where its exit stands."""
    coops = (
        Cooperative.objects.restrict(user)
        .select_related("org_unit")
        .prefetch_related(
            Prefetch("accounts", queryset=AnnualAccount.objects.order_by("year")),
            Prefetch("grades", queryset=Grade.objects.order_by("graded_at", "pk")),
        )
        .annotate(members_n=Count("members", distinct=True))
        .order_by("score", "name")
    )
    exits = dict(
        ExitProcess.objects.filter(cooperative__in=coops).values_list("cooperative_id", "stage")
    )
    stage_labels = dict(ExitProcess._meta.get_field("stage").choices)
    rows = []
    for c in coops:
        accounts, grades = list(c.accounts.all()), list(c.grades.all())
        grade = grades[-1] if grades else None
        last = accounts[-1] if accounts else None
        rows.append(
            {
                "coop": c,
                "grade": grade,
                "last": last,
                "trend": trend_bars(accounts),
                "history": [g.colour for g in grades][-6:],
                "income_trend": indicator_value(grade, "income_trend"),
                "debt_ratio": indicator_value(grade, "debt_ratio"),
                "reserved_land": indicator_value(grade, "reserved_land"),
                "exit_stage": stage_labels.get(exits.get(c.pk), ""),
                "overridden": bool(grade and grade.overridden),
            }
        )
    return rows


class DashboardView(ScopedObjectMixin, TemplateView):
    """/cooperatives/: the cooperatives by colour, each with its trend; the comparison
    table."""

    model = Cooperative
    template_name = "cooperatives/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = dashboard_rows(self.request.user)
        counts = Counter(r["coop"].colour for r in rows)
        ctx.update(
            title=_("Shareholding cooperatives (红黄绿)"),
            rows=rows,
            groups=[
                {"colour": c, "label": c.label, "rows": [r for r in rows if r["coop"].colour == c]}
                for c in COLOURS
            ],
            counts=[(c, c.label, counts.get(c, 0)) for c in COLOURS],
            can_grade=self.request.user.has_perm(actions.GRADE_PERMISSION),
        )
        return ctx


class CooperativeListView(ObjectListView):
    model = Cooperative
    filterset_class = CooperativeFilterSet
    select_related = ("org_unit",)
    columns = [
        Column("name", link=True, order_by="name"),
        Column("former_village", order_by="former_village"),
        Column("org_unit"),
        Column("colour", order_by="colour"),
        Column("score", order_by="score"),
        Column("status"),
        Column("chair"),
    ]


class CooperativeDetailView(ObjectDetailView):
    model = Cooperative
    template_name = "cooperatives/detail.html"
    select_related = ("org_unit",)
    fields = [
        Column("credit_code"),
        Column("former_village"),
        Column("org_unit"),
        Column("chair"),
        Column("status"),
        Column("founded_on"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        coop, user = ctx["object"], self.request.user
        grades = list(coop.grades.select_related("graded_by").order_by("-graded_at", "-pk"))
        process = ExitProcess.objects.filter(cooperative=coop).first()
        plans = list(coop.plans.prefetch_related("measures").order_by("-year"))
        accounts = list(coop.accounts.order_by("-year"))
        counted = actions.disputes_by_year(coop, {a.year: a.disputes for a in accounts})
        for a in accounts:
            a.disputes_counted = counted[a.year]
        ctx.update(
            grade=grades[0] if grades else None,
            grades=grades,
            accounts=accounts,
            disputes=list(coop.disputes.select_related("case")[:20]),
            can_file_dispute=user.has_perm(actions.DISPUTE_PERMISSION),
            can_view_cases=user.has_perm("cases.view_case"),
            assets=list(coop.assets.all()),
            share_classes=list(
                coop.share_classes.annotate(
                    holders_n=Count("holders"), shares=Sum("holders__shares")
                )
            ),
            members_n=coop.members.count(),
            members_linked=coop.members.filter(resident__isnull=False).count(),
            plans=plans,
            today=timezone.localdate(),
            process=process,
            exit_steps=exit.available(process, user),
            exit_stages=exit_stage_line(process),
            can_open_exit=(
                process is None and coop.colour == Colour.RED and user.has_perm(exit.PERMISSION)
            ),
            can_grade=user.has_perm(actions.GRADE_PERMISSION),
            can_plan=user.has_perm(actions.PLAN_PERMISSION),
            events=list(coop.events.select_related("user")[:30]),
        )
        return ctx


def exit_stage_line(process: ExitProcess | None) -> list[dict]:
    """The exit's stages in order, each done or not (for the page's progress line)."""
    if process is None:
        return []
    order = list(ExitStage.values)
    reached = order.index(process.stage)
    return [
        {"label": label, "done": i <= reached, "current": i == reached}
        for i, (value, label) in enumerate(ExitStage.choices)
    ]


class MemberListView(ObjectListView):
    model = Member
    select_related = ("cooperative", "share_class")
    columns = [
        Column("name", link=True),
        Column("cooperative"),
        Column("household_no"),
        Column("id_number_masked"),
        Column("share_class"),
        Column("shares"),
        Column("resident"),
    ]


class MemberDetailView(ObjectDetailView):
    model = Member
    select_related = ("cooperative", "share_class", "resident")
    fields = [
        Column("cooperative"),
        Column("household_no"),
        Column("share_class"),
        Column("shares"),
        Column("resident"),
    ]


class MemberRevealView(ObjectRevealView):
    model = Member


# --- steps ----------------------------------------------------------------------------------


class CooperativeStepView(StepView):
    fragment = "cooperatives/_action_form.html"
    page = "cooperatives/action.html"
    model = Cooperative
    select_related = ("org_unit",)


class GradeView(CooperativeStepView):
    """Grade again on the data as it is now."""

    step = "grade"
    label = gettext_lazy("Grade now")
    permission = actions.GRADE_PERMISSION
    form_class = forms.NoteForm

    def action_url(self):
        return reverse("cooperatives:cooperative_grade", args=[self.object.pk])

    def perform(self, form, user):
        actions.grade(self.object, user)


class OverrideView(CooperativeStepView):
    """The officer's colour, with the reason."""

    step = "override"
    label = gettext_lazy("Override the colour")
    permission = actions.GRADE_PERMISSION
    form_class = forms.OverrideForm
    note_is_reason = False
    error_aliases = {"reason": "note"}

    def problem(self):
        if not self.object.grades.exists():
            return _("Grade the cooperative before overriding its colour.")
        return ""

    def action_url(self):
        return reverse("cooperatives:cooperative_override", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.override_colour(self.object, data["colour"], data["note"], user)


class OpenExitView(CooperativeStepView):
    step = "open_exit"
    label = gettext_lazy("Start the exit")
    permission = exit.PERMISSION
    form_class = forms.NoteForm

    def problem(self):
        if self.object.colour != Colour.RED:
            return _("Only a red cooperative can start its exit.")
        if ExitProcess.objects.filter(cooperative=self.object).exists():
            return _("This cooperative's exit has been started already.")
        return ""

    def action_url(self):
        return reverse("cooperatives:cooperative_open_exit", args=[self.object.pk])

    def perform(self, form, user):
        exit.open_exit(self.object, user, note=form.cleaned_data.get("note", ""))


class ExitStepView(StepView):
    """One of the exit's declared steps (``exit.TRANSITIONS``) with its evidence."""

    fragment = "cooperatives/_action_form.html"
    page = "cooperatives/action.html"
    model = ExitProcess
    scope_action = "view"  # the step's own permission (exit_cooperative) is what it takes
    select_related = ("cooperative",)
    steps = {
        name: (t.label, forms.EXIT_FORMS[name], t.permission)
        for name, t in exit.TRANSITIONS.items()
    }

    def problem(self):
        if self.step not in {t.name for t in exit.available(self.object, self.request.user)}:
            return _("This step is not possible at the exit's current stage.")
        return ""

    def action_url(self):
        return reverse("cooperatives:exit_step", args=[self.object.pk, self.step])

    def done_url(self):
        return self.object.cooperative.get_absolute_url()

    def perform(self, form, user):
        exit.perform(self.object, self.step, user, **form.cleaned_data)


class MeasureDoneView(StepView):
    fragment = "cooperatives/_action_form.html"
    page = "cooperatives/action.html"
    model = Measure
    step = "done"
    label = gettext_lazy("Mark the measure done")
    permission = actions.PLAN_PERMISSION
    form_class = forms.MeasureDoneForm
    select_related = ("plan__cooperative",)

    def problem(self):
        return _("This measure is done already.") if self.object.done_on else ""

    def action_url(self):
        return reverse("cooperatives:measure_done", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.complete_measure(self.object, data["done_on"], user, note=data.get("note", ""))


# --- 一社一策: plans and measures, as steps (each calls its action) -----------------------------


class PlanStepMixin:
    """The plans' forms: the plan permission, opened in the plan section's panel."""

    fragment = "cooperatives/_action_form.html"
    page = "cooperatives/action.html"
    permission = actions.PLAN_PERMISSION
    panel = "plan-panel"

    def step_context(self):
        return {"panel": self.panel}


class PlanAddView(PlanStepMixin, CooperativeStepView):
    """A year's plan for the cooperative, for the colour it has, with a first measure."""

    step = "plan"
    label = gettext_lazy("Add a plan")
    form_class = forms.PlanForm

    def get_initial(self, request):
        return {"year": timezone.localdate().year}

    def action_url(self):
        return reverse("cooperatives:plan_add", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        if Plan.objects.filter(cooperative=self.object, year=data["year"]).exists():
            raise ValidationError(
                {"year": _("There is a plan for this year already: change that one.")}
            )
        measures = [(data["title"], data["owner"], data["deadline"])] if data["title"] else []
        actions.record_plan(self.object, data["year"], data["summary"], measures, user)


class PlanEditView(PlanStepMixin, StepView):
    model = Plan
    step = "edit"
    label = gettext_lazy("Change the plan")
    form_class = forms.PlanEditForm
    select_related = ("cooperative",)

    def get_initial(self, request):
        return {"summary": self.object.summary}

    def action_url(self):
        return reverse("cooperatives:plan_edit", args=[self.object.pk])

    def perform(self, form, user):
        actions.edit_plan(self.object, form.cleaned_data["summary"], user)


class MeasureAddView(PlanStepMixin, StepView):
    model = Plan
    step = "measure"
    label = gettext_lazy("Add a measure")
    form_class = forms.MeasureForm
    select_related = ("cooperative",)

    def action_url(self):
        return reverse("cooperatives:measure_add", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.add_measure(self.object, data["title"], data["owner"], data["deadline"], user)


class MeasureEditView(PlanStepMixin, StepView):
    model = Measure
    step = "edit"
    label = gettext_lazy("Change the measure")
    form_class = forms.MeasureEditForm
    select_related = ("plan__cooperative",)

    def problem(self):
        return _("This measure is done already.") if self.object.done_on else ""

    def get_initial(self, request):
        m = self.object
        return {"title": m.title, "owner": m.owner, "deadline": m.deadline}

    def action_url(self):
        return reverse("cooperatives:measure_edit", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.edit_measure(
            self.object,
            data["title"],
            data["owner"],
            data["deadline"],
            user,
            reason=data.get("note", ""),
        )


# --- the grading's indicators (the street's setting) ----------------------------------------


class IndicatorListView(ScopedObjectMixin, TemplateView):
    """/cooperatives/indicators/: the grading's indicators and colour bands as the street set
    them, each indicator changed on its own form (with the reason)."""

    model = Indicator
    template_name = "cooperatives/indicators.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        total = sum((i.weight for i in Indicator.objects.filter(active=True)), Decimal(0))
        ctx.update(
            title=_("Grading indicators"),
            indicators=list(self.scoped_queryset()),
            bands=list(ColourBand.objects.all()),
            total_weight=total,
            can_grade=self.request.user.has_perm(actions.GRADE_PERMISSION),
        )
        return ctx


class IndicatorEditView(StepView):
    fragment = "cooperatives/_action_form.html"
    page = "cooperatives/action.html"
    model = Indicator
    scope_action = "view"  # a street-wide setting: the grading permission is what it takes
    step = "edit"
    label = gettext_lazy("Change the indicator")
    permission = actions.GRADE_PERMISSION
    form_class = forms.IndicatorForm
    note_is_reason = False  # the action takes the reason itself
    error_aliases = {"reason": "note"}

    def get_initial(self, request):
        i = self.object
        return {"weight": i.weight, "bad": i.bad, "good": i.good, "active": i.active}

    def action_url(self):
        return reverse("cooperatives:indicator_edit", args=[self.object.pk])

    def done_url(self):
        return reverse("cooperatives:indicator_list")

    def perform(self, form, user):
        data = form.cleaned_data
        actions.set_indicator(
            self.object,
            weight=data["weight"],
            bad=data["bad"],
            good=data["good"],
            active=data["active"],
            user=user,
            reason=data["note"],
        )


# --- disputes and petitions, filed as cases ---------------------------------------------------


class DisputeFileView(CooperativeStepView):
    step = "dispute"
    label = gettext_lazy("File a dispute or petition")
    permission = actions.DISPUTE_PERMISSION
    scope_action = "view"  # the cooperative is not changed: a case is opened about it
    form_class = forms.DisputeForm
    note_is_reason = False

    def step_context(self):
        return {"panel": "dispute-panel"}

    def action_url(self):
        return reverse("cooperatives:dispute_file", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.file_dispute(
            self.object,
            data["kind"],
            data["title"],
            data["description"],
            user,
            channel=data["channel"],
            filed_on=data["filed_on"],
        )
