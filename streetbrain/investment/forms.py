"""Forms of 招商's pages: the lead, the whitelist's weight, decision and publication, and the
inputs of the lead's steps. They check the input's shape; the actions check the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.text import CheckedForm
from streetbrain.economy.models import Unit

from .models import IndustryOverride, Lead

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3})
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class LeadForm(ScopedModelForm):
    class Meta:
        model = Lead
        fields = [
            "name",
            "credit_code",
            "industry",
            "area_min_m2",
            "area_max_m2",
            "rent_budget",
            "preferred_grade",
            "preferred_floor_min",
            "preferred_floor_max",
            "move_in_by",
            "source",
            "owner",
            "expected_annual_tax",
            "expected_headcount",
            "contact_name",
            "opened_on",
            "notes",
        ]
        widgets = {"move_in_by": DATE_WIDGET, "opened_on": DATE_WIDGET, "notes": NOTE_WIDGET}


class WeightForm(CheckedForm):
    weight = forms.DecimalField(label=_("weight"), min_value=0, max_value=100, decimal_places=2)
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000)


class ChainIndustriesForm(CheckedForm):
    """The classes an industrial chain lists; the action checks each against the code table."""

    industries = forms.CharField(
        label=_("industries"),
        max_length=200,
        required=False,
        help_text=_(
            "GB/T 4754-2017 section letters or code prefixes, separated by commas (e.g. I,72,7263)."
        ),
    )
    reason = forms.CharField(label=_("Reason for the change"), widget=NOTE_WIDGET, max_length=500)


class DecisionForm(CheckedForm):
    code = forms.RegexField(
        label=_("industry code"),
        regex=r"^[0-9]{2,3}$",
        error_messages={"invalid": _("An industry here is a 2-digit 大类 or 3-digit 中类 code.")},
    )
    kind = forms.ChoiceField(label=_("decision"), choices=IndustryOverride.Kind.choices)
    reason = forms.CharField(label=_("reason"), widget=NOTE_WIDGET, max_length=2000)


class PublishForm(CheckedForm):
    year = forms.IntegerField(label=_("whitelist year"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("note"), widget=NOTE_WIDGET, required=False, max_length=2000)


class StageForm(CheckedForm):
    """A stage change without other inputs: the day and a note (the reason, for 流失)."""

    on = forms.DateField(label=_("date"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)


class SignForm(StageForm):
    """签约: the units (of one tower, from the shortlist or typed), the term and rent; the
    company's credit code when the lead has none yet."""

    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(), label=_("units"), widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("lease start"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("lease end"), widget=DATE_WIDGET)
    contract_rent = forms.DecimalField(
        label=_("contract rent (CNY/m²/day)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        required=False,
    )
    rent_free_months = forms.DecimalField(
        label=_("rent-free months"), min_value=0, max_digits=4, decimal_places=1, initial=0
    )
    credit_code = forms.CharField(
        label=_("unified social credit code"), max_length=18, required=False
    )

    def __init__(self, *args, lead: Lead, user, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, "change").select_related("building__building")
        units = units.filter(status=Unit.Status.VACANT_AVAILABLE)
        if unit_ids:
            units = units.filter(pk__in=unit_ids)
            self.fields["units"].initial = list(unit_ids)
        else:
            units = units.filter(area_m2__lte=lead.area_max_m2).order_by(
                "building__building__code", "code"
            )[:200]
        self.fields["units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        if lead.credit_code or lead.enterprise_id:
            del self.fields["credit_code"]


class VisitForm(CheckedForm):
    on = forms.DateField(label=_("date"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)
    units = forms.CharField(required=False, widget=forms.HiddenInput)
    booked = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_units(self):
        raw = self.cleaned_data.get("units") or ""
        parts = [p for p in raw.split(",") if p.strip()]
        if not all(p.strip().isdigit() for p in parts):
            raise forms.ValidationError(_("Choose units from the list."))
        return [int(p) for p in parts]


class NoteForm(CheckedForm):
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, max_length=4000)
