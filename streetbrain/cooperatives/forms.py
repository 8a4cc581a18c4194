"""The forms of the cooperatives' steps: the override, the exit's steps, a plan's measure.
Input is checked here; the rules (the majority, the order of the dates) are the actions'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.cases.models import Channel
from streetbrain.core.text import CheckedForm

from .actions import DISPUTE_CHANNELS
from .models import Colour, Dispute


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


# --- 一社一策: plans and measures ---------------------------------------------------------------


class PlanForm(CheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    title = forms.CharField(label=_("First measure"), max_length=200, required=False)
    owner = forms.CharField(label=_("Responsible"), max_length=60, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        given = [bool(data.get(k)) for k in ("title", "owner", "deadline")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                _("A measure needs what is to be done, its owner and its deadline.")
            )
        return data


class PlanEditForm(CheckedForm):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)


class MeasureForm(CheckedForm):
    title = forms.CharField(label=_("Plan measure"), max_length=200)
    owner = forms.CharField(label=_("Responsible"), max_length=60)
    deadline = _date(_("Deadline"))


class MeasureEditForm(MeasureForm):
    note = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)


class IndicatorForm(CheckedForm):
    weight = forms.DecimalField(label=_("Weight"), max_digits=4, decimal_places=2, min_value=0)
    bad = forms.DecimalField(label=_("0 points at"), max_digits=10, decimal_places=2)
    good = forms.DecimalField(label=_("100 points at"), max_digits=10, decimal_places=2)
    active = forms.BooleanField(label=_("Active"), required=False)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


# --- disputes and petitions (cases) -------------------------------------------------------------


class DisputeForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Dispute.Kind.choices)
    channel = forms.ChoiceField(label=_("Came in by"), choices=())
    title = forms.CharField(label=_("Title"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    filed_on = forms.DateField(label=_("Date"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in DISPUTE_CHANNELS]
