"""The projects' forms: thin inputs to ``actions`` (which check everything again and say what is
wrong in the user's language), on ``core.text.CheckedForm`` like every form of the platform."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.text import CheckedForm

from .models import (
    STAGE_ORDER,
    HardCaseStep,
    Household,
    Milestone,
    Plot,
    Project,
    ProjectIndicator,
    Stage,
    TaskForceMember,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class MonthField(forms.CharField):
    """A month as 2024-03 (or 2024年3月), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def clean(self, value):
        text = super().clean(value)
        m = MONTH_RE.match(text or "")
        if not m or not 1 <= int(m[2]) <= 12:
            raise forms.ValidationError(_("Give a month, e.g. 2024-03."))
        return dt.date(int(m[1]), int(m[2]), 1)


class AdvanceForm(CheckedForm):
    """A household's next stage: the day, the evidence, and for valuing or signing the
    valuation or the compensation option."""

    on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    evidence = forms.CharField(label=gettext_lazy("Evidence"), max_length=300)
    valuation = forms.DecimalField(
        label=gettext_lazy("Valuation (CNY)"), required=False, max_digits=14, decimal_places=2
    )
    option = forms.ChoiceField(
        label=gettext_lazy("Compensation option"),
        choices=[("", "—"), *Household.Option.choices],
        required=False,
    )

    def action_inputs(self) -> dict:
        return dict(self.cleaned_data)


class StepForm(CheckedForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (HardCaseStep.Kind.STEP, HardCaseStep.Kind.STEP.label),
            (HardCaseStep.Kind.MEETING, HardCaseStep.Kind.MEETING.label),
        ],
    )
    on = forms.DateField(label=gettext_lazy("Date"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HardCaseAdvanceForm(CheckedForm):
    on = forms.DateField(label=gettext_lazy("Date"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=gettext_lazy("Evidence"), max_length=500)


class ReportForm(CheckedForm):
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("Indicator"), queryset=ProjectIndicator.objects.none()
    )
    month = MonthField(label=gettext_lazy("Month"))
    value = forms.DecimalField(
        label=gettext_lazy("Amount this month"), max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = project.indicators.filter(
            source=ProjectIndicator.Source.ENTERED
        )


class DecideForm(CheckedForm):
    approve = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Approve")), ("0", gettext_lazy("Reject"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


class MilestoneForm(CheckedForm):
    done_on = forms.DateField(label=gettext_lazy("Reached"), widget=DATE)
    evidence = forms.CharField(label=gettext_lazy("Evidence"), max_length=300)


class IssueForm(CheckedForm):
    """A case near a site made one of the task force's issues: its leader and departments."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    leader = forms.ModelChoiceField(label=gettext_lazy("Leader"), queryset=None)
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        from streetbrain.core.models import Department, User

        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.restrict(user).filter(
            groups__name="leader", is_active=True
        )
        self.fields["departments"].queryset = Department.objects.restrict(user)


class MeetingForm(CheckedForm):
    """A task-force meeting with up to three follow-up items (who, by when)."""

    ROWS = 3

    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DATE)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=80)
    decisions = forms.CharField(
        label=gettext_lazy("Decisions"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        from streetbrain.core.models import User

        super().__init__(*args, **kwargs)
        users = User.objects.restrict(user).filter(is_active=True)
        for i in range(self.ROWS):
            self.fields[f"item_{i}"] = forms.CharField(
                label=gettext_lazy("Follow-up item"), max_length=200, required=False
            )
            self.fields[f"owner_{i}"] = forms.ModelChoiceField(
                label=gettext_lazy("Owner"), queryset=users, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=gettext_lazy("Due"), widget=DATE, required=False
            )

    def clean(self):
        data = super().clean()
        items = []
        for i in range(self.ROWS):
            item, owner, due = (data.get(f"{k}_{i}") for k in ("item", "owner", "due"))
            if not (item or owner or due):
                continue
            if not (item and owner and due):
                raise forms.ValidationError(
                    _("A follow-up item needs its text, its owner and its due date.")
                )
            owner_dept = owner.department
            items.append((item, owner, owner_dept, due))
        data["items"] = items
        return data

    def action_inputs(self) -> dict:
        d = self.cleaned_data
        return {
            "held_on": d["held_on"],
            "title": d["title"],
            "decisions": d["decisions"],
            "items": d["items"],
        }


class DoneForm(CheckedForm):
    done_on = forms.DateField(label=gettext_lazy("Done"), widget=DATE)


# -- projects and their parts, created and edited (values go to ``actions.save_*``) ---------------


def _leaders(form, name: str) -> None:
    """Active users only: nobody assigns work to a closed account."""
    field = form.fields[name]
    field.queryset = field.queryset.filter(is_active=True)


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "kind",
            "year",
            "description",
            "leader",
            "office",
            "start_date",
            "end_date",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"description": gettext_lazy("About the project")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _leaders(self, "leader")
        if not self.instance.pk:  # a project of this year, for the whole year
            year = timezone.localdate().year
            defaults = {
                "year": year,
                "start_date": dt.date(year, 1, 1),
                "end_date": dt.date(year, 12, 31),
            }
            for name, value in defaults.items():
                if self.initial.get(name) is None:
                    self.initial[name] = value


class MemberForm(ScopedModelForm):
    class Meta:
        model = TaskForceMember
        fields = ["user", "department", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _leaders(self, "user")


class MilestoneEditForm(ScopedModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "planned_on"]
        widgets = {"planned_on": DATE}


class IndicatorForm(ScopedModelForm):
    """A project's indicator: entered by monthly reports, or computed by one of the declared
    computations (``Measure``) — the page never asks for a number the platform knows."""

    measure = forms.ChoiceField(label=gettext_lazy("Computation"), required=False, choices=())

    class Meta:
        model = ProjectIndicator
        fields = ["name", "unit", "target", "source", "measure", "feeds"]

    def __init__(self, *args, **kwargs):
        from streetbrain.core import extension_points as ep

        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [
            ("", "—"),
            *(
                (m.key, f"{m.label}" + (f"（{m.unit}）" if m.unit else ""))
                for m in ep.registry.items(ep.Measure)
            ),
        ]


class OutlineField(forms.CharField):
    """A plot's outline as GeoJSON text (a Polygon or MultiPolygon, WGS-84, as a GIS tool
    exports it); the action checks its shape."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": '{"type": "Polygon", ...}'})

    def prepare_value(self, value):
        if isinstance(value, dict):
            import json

            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        import json

        text = super().to_python(value)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                _("Give a GeoJSON Polygon or MultiPolygon (WGS-84).")
            ) from None


class PlotForm(ScopedModelForm):
    geometry = OutlineField(label=gettext_lazy("Outline (GeoJSON, WGS-84)"), required=False)

    class Meta:
        model = Plot
        fields = [
            "code",
            "name",
            "planned_households",
            "planned_area_m2",
            "target_date",
            "geometry",
        ]
        widgets = {"target_date": DATE}


class HardCaseOpenForm(CheckedForm):
    """A hard case opened on a plot (``actions.open_hard_case``): its leader (包案), plan and
    time limit in working days on the case engine's calendar."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=80)
    household = forms.ModelChoiceField(
        label=gettext_lazy("Household"), queryset=Household.objects.none(), required=False
    )
    area_m2 = forms.DecimalField(
        label=gettext_lazy("Area (m²)"), max_digits=10, decimal_places=2, min_value=0
    )
    leader = forms.ModelChoiceField(label=gettext_lazy("Leader"), queryset=None)
    plan = forms.CharField(
        label=gettext_lazy("Plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    limit_days = forms.IntegerField(
        label=gettext_lazy("Time limit (working days)"), min_value=1, max_value=750, initial=90
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        choices=[(s, Stage(s).label) for s in STAGE_ORDER[:-1]],
        initial=Stage.SURVEY,
    )

    def __init__(self, *args, plot, user, **kwargs):
        from streetbrain.core.models import User

        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.restrict(user).filter(plot=plot)
        self.fields["leader"].queryset = User.objects.restrict(user).filter(
            groups__name="leader", is_active=True
        )


class ActualForm(CheckedForm):
    """A month's year-to-date figure of a street indicator (统计局口径)."""

    month = MonthField(label=gettext_lazy("Month"))
    value = forms.DecimalField(label=gettext_lazy("Year to date"), max_digits=14, decimal_places=2)


class TargetForm(CheckedForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=14, decimal_places=2)
    raised_target = forms.DecimalField(
        label=gettext_lazy("Raised target"), max_digits=14, decimal_places=2, required=False
    )
