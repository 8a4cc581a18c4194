"""Forms of AI企服 (on core's CheckedForm: control characters refused with the one message)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.core.text import CheckedForm

from . import requests

MAX_POLICY_FILE = 2 * 1024 * 1024


class SendForm(CheckedForm):
    message = forms.CharField(
        label=_("Message to the enterprises"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GrantForm(CheckedForm):
    amount = forms.DecimalField(
        label=_("Amount granted (CNY)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PolicyImportForm(CheckedForm):
    file = forms.FileField(
        label=_("Policy file (YAML, JSON or Excel)"),
        help_text=_("The format of docs/services-policy-format.md; at most 2 MB."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".yaml", ".yml", ".json", ".xlsx")):
            raise forms.ValidationError(_("Upload a .yaml, .yml, .json or .xlsx file."))
        if f.size > MAX_POLICY_FILE:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return f


class RequestForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=())
    text = forms.CharField(
        label=_("Your request"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = requests.choices()
