"""The forms of the cooperatives' steps: the override, the exit's steps, a plan's measure.
Input is checked here; the rules (the majority, the order of the dates) are the actions'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.core.text import CheckedForm

from .models import Colour


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # Django's argument name
        super().__init__(attrs, format)


def _date(label):
    return forms.DateField(label=label, widget=DateInput())


def _amount(label):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0)


EVIDENCE = forms.CharField(
    label=_("Evidence"),
    max_length=200,
    help_text=_("The document's reference: resolution no., valuation report no. …"),
)


class NoteForm(CheckedForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(CheckedForm):
    colour = forms.ChoiceField(label=_("Colour"), choices=Colour.choices)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(CheckedForm):
    resolved_on = _date(_("Resolution date"))
    members_due = forms.IntegerField(label=_("Members due to attend"), min_value=1)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    evidence = EVIDENCE
    note = forms.CharField(label=_("Note"), required=False)


class ValueForm(CheckedForm):
    valued_on = _date(_("Valuation date"))
    valuation = _amount(_("Valuation (CNY 10,000)"))
    evidence = EVIDENCE
    note = forms.CharField(label=_("Note"), required=False)


class SettleForm(CheckedForm):
    settled_on = _date(_("Settlement date"))
    settled_amount = _amount(_("Settled to members (CNY 10,000)"))
    evidence = EVIDENCE
    note = forms.CharField(label=_("Note"), required=False)


class DeregisterForm(CheckedForm):
    deregistered_on = _date(_("Deregistration date"))
    evidence = EVIDENCE
    note = forms.CharField(label=_("Note"), required=False)


EXIT_FORMS = {
    "resolve": ResolveForm,
    "value": ValueForm,
    "settle": SettleForm,
    "deregister": DeregisterForm,
}


class MeasureDoneForm(CheckedForm):
    done_on = _date(_("Done on"))
    note = forms.CharField(label=_("Note"), required=False)
