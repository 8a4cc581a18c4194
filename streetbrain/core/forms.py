from django import forms
from django.utils.translation import gettext_lazy as _

from .generic import ScopedModelForm
from .models import ApiToken, Department, OrgUnit


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "kind", "org_unit", "phone", "is_active", "sort_order"]


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "level", "parent", "legacy_code", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
            level=OrgUnit.Level.GRID
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What will use the token, e.g. “monthly tax import script”."),
    )
