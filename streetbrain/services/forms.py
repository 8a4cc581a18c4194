"""Forms of AI企服 (on core's CheckedForm: control characters refused with the one message)."""

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ReasonFormMixin, ScopedModelForm
from streetbrain.core.text import CheckedForm

from . import policyio, requests
from .models import Path, Policy

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

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


def dump_rule(value) -> str:
    """A clause's conditions or benefit as the YAML text the form shows (the import's format)."""
    if not value:
        return ""
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=None)


class RuleField(forms.CharField):
    """YAML (or JSON) text holding a list (conditions) or a mapping (benefit)."""

    widget = forms.Textarea(attrs={"rows": 6, "class": "mono", "spellcheck": "false"})

    def __init__(self, *args, kind=list, wrong_kind=None, **kwargs):
        self.kind, self.wrong_kind = kind, wrong_kind
        super().__init__(*args, required=False, max_length=20000, strip=False, **kwargs)

    def to_python(self, value):
        text = super().to_python(value) or ""
        if not text.strip():
            return self.kind()
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise forms.ValidationError(
                _("This is not valid YAML: check the brackets, colons and indentation.")
            ) from None
        if data is None:
            return self.kind()
        if not isinstance(data, self.kind):
            raise forms.ValidationError(
                self.wrong_kind or _("Write a list of conditions (each line starting with “- ”).")
                if self.kind is list
                else _("Write a mapping (e.g. {amount_cny: 10000}).")
            )
        return data

    def prepare_value(self, value):
        # the stored list or mapping (a form's initial data) shown as the YAML one types
        return value if isinstance(value, str) else dump_rule(value)


class SourcesField(RuleField):
    """A policy's sources as YAML text, checked by ``policyio.clean_sources``."""

    def __init__(self, *args, **kwargs):
        wrong = _("The sources are a list (each line starting with “- ”).")
        super().__init__(*args, kind=list, wrong_kind=wrong, **kwargs)

    def clean(self, value):
        return policyio.clean_sources(super().clean(value))


class PolicyForm(ScopedModelForm):
    """A policy's document data and its sources; its clauses are edited one by one
    (``ClauseForm``)."""

    sources = SourcesField(
        label=_("sources"),
        help_text=_(
            "Where the policy was read, one source a line: - {url: https://…, publisher: …, "
            "date: 2026-01-01, kind: official}. Links must be http or https."
        ),
    )

    class Meta:
        model = Policy
        fields = [
            "key", "title", "issuer", "doc_no", "level", "effective_from", "effective_to",
            "text", "note", "sources",
        ]  # fmt: skip
        widgets = {"effective_from": DATE_WIDGET, "effective_to": DATE_WIDGET}
        help_texts = {"key": _("Letters, digits, - and _ (e.g. NB-2026-07); unique.")}


class ClauseForm(ReasonFormMixin):
    """A clause with its structured conditions and benefit in the format of
    docs/services-policy-format.md (the rules are checked by ``actions.check_clause``)."""

    key = forms.CharField(label=_("clause"), max_length=80)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    path = forms.ChoiceField(label=_("path"), choices=Path.choices)
    valid_from = forms.DateField(label=_("valid from"), required=False, widget=DATE_WIDGET)
    conditions = RuleField(
        label=_("conditions"),
        kind=list,
        help_text=_(
            'One condition a line, all must hold: - {field: headcount, op: ">=", value: 10}. '
            "Operators == != >= > <= < in not_in; any_of for alternatives. A field the street "
            "does not hold makes the verdict unknown, never failed."
        ),
    )
    benefit = RuleField(
        label=_("benefit"),
        kind=dict,
        help_text=_(
            "E.g. {amount_cny: 10000}, {rate: 0.01, base_field: annual_revenue_cny, "
            "cap_cny: 100000} or {per_unit_cny: 1000, per_field: headcount}."
        ),
    )
    documents = forms.CharField(
        label=_("documents to submit"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text = forms.CharField(
        label=_("text"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )

    field_order = [
        "key", "title", "path", "valid_from", "conditions", "benefit", "documents", "text",
        "_change_reason",
    ]  # fmt: skip

    @classmethod
    def initial_of(cls, clause) -> dict:
        return {
            "key": clause.key,
            "title": clause.title,
            "path": clause.path,
            "valid_from": clause.valid_from,
            "conditions": dump_rule(clause.conditions),
            "benefit": dump_rule(clause.benefit),
            "documents": clause.documents,
            "text": clause.text,
        }
