"""Forms of the workflow's pages: the action forms built from a transition's declared inputs,
and the staff corrections (class, place, splitting a report off)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.core.models import Department
from streetbrain.core.text import CheckedForm

from ..forms import MatterClassField, PhotosField
from ..models import TimeUnit

# -- workflow actions -----------------------------------------------------------------------


class CaseActionForm(CheckedForm):
    """The inputs one transition declares (note, department, class, amount + unit, photos),
    nothing more. ``actions.perform`` validates again; its errors land on these fields."""

    def __init__(self, transition, case, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition, self.case, self.user = transition, case, user
        inputs = transition.inputs
        if "department" in inputs:
            departments = Department.objects.restrict(user, "view").filter(is_active=True)
            if case.department_id is not None and transition.name != "dispatch":
                departments = departments.exclude(pk=case.department_id)
            suggested = case.suggested_department_id
            if suggested and not departments.filter(pk=suggested).exists():
                suggested = None
            self.fields["department"] = forms.ModelChoiceField(
                queryset=departments.order_by("kind", "code"),
                label=_("department"),
                initial=suggested,
                help_text=_("Preselected: the department the routing rules suggest.")
                if suggested
                else "",
            )
        if "component_class" in inputs:
            self.fields["component_class"] = MatterClassField(
                initial=case.component_class_id, required=True
            )
        if "amount" in inputs:
            self.fields["amount"] = forms.DecimalField(
                label=_("extra time"), min_value=0.01, max_digits=8, decimal_places=2
            )
            self.fields["unit"] = forms.ChoiceField(
                label=_("unit"), choices=TimeUnit.choices, initial=case.limit_unit
            )
        if "note" in inputs:
            self.fields["note"] = forms.CharField(
                label=_("Reason") if transition.note_required else _("Note"),
                required=transition.note_required,
                error_messages={"required": _("Give a reason.")},
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if "photos" in inputs:
            self.fields["photos"] = PhotosField()

    def perform_inputs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


# -- staff corrections ----------------------------------------------------------------------


class ReclassifyForm(CheckedForm):
    component_class = MatterClassField(required=True)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.TextInput()
    )


class PlaceForm(CheckedForm):
    lon = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class SplitForm(CheckedForm):
    note = forms.CharField(
        label=_("Reason"), required=True, max_length=1000, widget=forms.TextInput()
    )
