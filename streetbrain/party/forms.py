"""The party-building office's forms: organisations, members and alliances are edited as
records (scoped choices, the change log's reason); an activity and a rating are steps that call
``actions.record_activity`` and ``actions.rate``, whose checks come back onto these forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.identifiers import id_number_problem
from streetbrain.core.protected import lookup, normalise_id_number
from streetbrain.core.text import CheckedForm

from .models import Activity, Alliance, Organisation, PartyMember


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # Django's argument name
        super().__init__(attrs, format)


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "level",
            "form",
            "attached_to",
            "building",
            "place",
            "enterprises",
            "parent",
            "secretary",
            "founded_on",
            "org_unit",
        ]
        widgets = {"founded_on": DateInput()}

    def clean(self):
        data = super().clean()
        if data.get("attached_to") == Organisation.Attached.TOWER and not data.get("building"):
            self.add_error("building", _("Choose the office tower it is attached to."))
        parent = data.get("parent")
        if parent is not None and self.instance.pk and parent.pk == self.instance.pk:
            self.add_error("parent", _("An organisation cannot be its own parent."))
        return data


class PartyMemberForm(ScopedModelForm):
    id_number_input = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 11643). Leave empty to keep the current one."),
    )

    class Meta:
        model = PartyMember
        fields = ["name", "organisation", "transient", "employer", "joined_on", "org_unit"]
        widgets = {"joined_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["id_number_input"].widget.attrs["placeholder"] = (
                self.instance.id_number_masked
            )
        else:
            self.fields["id_number_input"].required = True

    def clean_id_number_input(self):
        value = normalise_id_number(self.cleaned_data.get("id_number_input", ""))
        if not value:
            return value
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)
        clash = PartyMember.objects.filter(**lookup(PartyMember, "id_number", value))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A party member with this ID number is already registered."))
        return value

    def save(self, commit=True):
        member = super().save(commit=False)
        if self.cleaned_data.get("id_number_input"):
            member.set_id_number(self.cleaned_data["id_number_input"])
        if commit:
            member.save()
        return member


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = ["name", "theme", "organisations", "founded_on", "org_unit"]
        widgets = {"founded_on": DateInput()}


class ActivityForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attended"),
        queryset=PartyMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, organisation=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            # The organisation's members the user sees (the action checks membership again).
            self.fields["attendees"].queryset = PartyMember.objects.restrict(user).filter(
                organisation=organisation
            )


class RateForm(CheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(_("The year cannot be in the future."))
        return year
