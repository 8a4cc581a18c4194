"""Form pieces the case pages share (photos, the class select, putting an action's errors on a
form) and the workflow's forms: the action forms built from a transition's declared inputs
and the staff corrections."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.core.models import Department
from streetbrain.registry.models import ComponentClass

from .models import TimeUnit
from .timeline import MAX_PHOTO_BYTES, PHOTO_TYPES

# -- pieces ---------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos; each is checked for type and size (the action checks again)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault(
            "help_text", _("JPEG, PNG, WebP, GIF or HEIC, at most 10 MB each; several allowed.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/*")

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        out = []
        for f in files:
            f = super().clean(f, initial)
            if f is None:
                continue
            if (getattr(f, "content_type", "") or "") not in PHOTO_TYPES:
                raise ValidationError(
                    _("“%(name)s” is not a photo (JPEG, PNG, WebP, GIF, HEIC).") % {"name": f.name}
                )
            if f.size > MAX_PHOTO_BYTES:
                raise ValidationError(
                    _("“%(name)s” is larger than 10 MB.") % {"name": f.name},
                )
            out.append(f)
        if self.required and not out:
            raise ValidationError(self.error_messages["required"], code="required")
        return out


def matter_class_choices(blank_label="") -> list:
    """管理事项 grouped by their major class, for a select with option groups."""
    groups: dict[str, list] = {}
    rows = ComponentClass.objects.filter(kind=ComponentClass.Kind.MATTER).order_by("code")
    for pk, major, code, name in rows.values_list("pk", "major_name", "code", "name"):
        groups.setdefault(major, []).append((str(pk), f"{code} {name}"))
    return [("", blank_label or "———"), *groups.items()]


class MatterClassField(forms.ChoiceField):
    """A select of the 管理事项 classes (GB/T 47678.5), cleaned to a ComponentClass."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("class"))
        super().__init__(choices=(), **kwargs)
        self.choices = matter_class_choices  # a callable: read when the form is shown

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        found = ComponentClass.objects.filter(pk=value, kind=ComponentClass.Kind.MATTER).first()
        if found is None:
            raise ValidationError(_("Unknown class."))
        return found


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Put an action's ``ValidationError`` on the form: field messages on their fields (with
    the action's names mapped by ``aliases``), everything else on the form itself."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = aliases.get(key, key)
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# -- workflow actions -----------------------------------------------------------------------


class CaseActionForm(forms.Form):
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


class ReclassifyForm(forms.Form):
    component_class = MatterClassField(required=True)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.TextInput()
    )


class PlaceForm(forms.Form):
    lon = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class SplitForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"), required=True, max_length=1000, widget=forms.TextInput()
    )
