"""Forms of the residents' site and the workbench: plain checked forms; the rules live in
``actions`` and their errors come back onto these forms' fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.cases.channels.forms import BaseReportForm
from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.text import CheckedForm
from streetbrain.registry.models import Building, Household

from .models import Activity, Consultation, ConsultationOption, Notice, Service


class PhoneForm(CheckedForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class SignUpForm(PhoneForm):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        min_length=8,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(PhoneForm):
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ClaimForm(CheckedForm):
    """Who you are in the registry: name, the ID number's last 6 characters, the house."""

    name = forms.CharField(label=_("Full name"), max_length=40)
    id_tail = forms.CharField(
        label=_("Last 6 characters of your ID number"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    number = forms.CharField(label=_("Flat number"), max_length=20, help_text=_("e.g. 2-1502"))

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Building.objects.filter(kind=Building.Kind.RESIDENTIAL)
        if community is not None:
            qs = qs.filter(org_unit__path__startswith=community.path)
        self.fields["building"].queryset = qs.order_by("compound", "name")
        self.fields["building"].label_from_instance = lambda b: (
            f"{b.compound} {b.name}" if b.compound else b.name
        )


class QrClaimForm(CheckedForm):
    token = forms.CharField(
        label=_("Code from the grid worker's QR code"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DecideForm(CheckedForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Confirm")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BookForm(CheckedForm):
    start = forms.DateTimeField(label=_("Slot"), widget=forms.HiddenInput)
    people = forms.IntegerField(label=_("People"), min_value=1, max_value=500, initial=1)
    purpose = forms.CharField(label=_("Purpose"), max_length=100, required=False)


class ActivityForm(ScopedModelForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "description",
            "starts",
            "ends",
            "place",
            "capacity",
            "points",
            "volunteer_hours",
            "cancelled",
            "org_unit",
        ]
        widgets = {
            "starts": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("An activity ends after it starts."))
        return data


class NoticeForm(ScopedModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "published", "org_unit"]
        widgets = {"published": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class SpendForm(CheckedForm):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100000)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["household"].queryset = Household.objects.restrict(user)


class AttendanceForm(CheckedForm):
    signup = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.ChoiceField(
        label=_("Attendance"), choices=[("yes", _("Attended")), ("no", _("Absent"))]
    )


class ConsultationForm(ScopedModelForm):
    """A consultation; its options one per line when it is created (fixed once votes come)."""

    options_text = forms.CharField(
        label=_("Options (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    class Meta:
        model = Consultation
        fields = ["question", "background", "opens", "closes", "outcome", "org_unit"]
        widgets = {
            "opens": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["options_text"]

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Voting closes after it opens."))
        if "options_text" in self.fields:
            options = [o.strip() for o in (data.get("options_text") or "").splitlines()]
            options = [o for o in options if o]
            if len(options) < 2:
                self.add_error("options_text", _("Give at least two options."))
            data["options"] = options
        return data

    def _save_m2m(self):  # the options, once the consultation is saved (ObjectEditView)
        super()._save_m2m()
        for i, text in enumerate(self.cleaned_data.get("options", [])):
            ConsultationOption.objects.get_or_create(
                consultation=self.instance, text=text[:100], defaults={"position": i}
            )


class ResidentReportForm(BaseReportForm):
    """The report page's form inside the account: the place defaults to the resident's
    building when none is marked or given."""

    key_prefix = "community:"

    def clean(self):
        data = super(BaseReportForm, self).clean()
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error("address", _("Give the place again."))
        return data


class ServiceForm(ScopedModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "category",
            "description",
            "min_age",
            "max_age",
            "tag",
            "time_limit_days",
            "handling",
            "space",
            "org_unit",
        ]

    def clean(self):
        data = super().clean()
        if data.get("handling") == Service.Handling.BOOKING and not data.get("space"):
            self.add_error("space", _("A service handled as a booking names its space."))
        return data


class AnswerForm(CheckedForm):
    state = forms.ChoiceField(
        label=_("Step"),
        choices=[("accepted", _("Accept")), ("done", _("Finished")), ("declined", _("Decline"))],
    )
    answer = forms.CharField(label=_("Answer to the household"), max_length=200, required=False)


class ServiceRequestForm(CheckedForm):
    """A resident's request: the member it is for; what the matter is (a case's
    description); the slot (a booked service)."""

    service = forms.IntegerField(widget=forms.HiddenInput)
    resident = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What is needed, and where"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start = forms.DateTimeField(label=_("Slot"), required=False)


class ProposalForm(CheckedForm):
    question = forms.CharField(label=_("Your question"), max_length=200)
    background = forms.CharField(
        label=_("Why it matters"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    options = forms.CharField(
        label=_("Options (one per line)"), max_length=1100, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(CheckedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Put it to the vote")), ("decline", _("Decline"))],
    )
    reason = forms.CharField(label=_("Reason (to the household)"), max_length=200, required=False)
    opens = forms.DateTimeField(
        label=_("Voting opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes = forms.DateTimeField(
        label=_("Voting closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
