"""The projects' forms: thin inputs to ``actions`` (which check everything again and say what is
wrong in the user's language), on ``core.text.CheckedForm`` like every form of the platform."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.text import CheckedForm

from .models import HardCaseStep, Household, ProjectIndicator

DATE = forms.DateInput(attrs={"type": "date"})
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
