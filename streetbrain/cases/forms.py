"""Forms of the case pages: the intake form (受理登记), the action forms built from a
transition's declared inputs, the staff corrections and the configuration forms."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.models import Department, OrgUnit
from streetbrain.core.protected import normalise_phone
from streetbrain.registry.models import ComponentClass

from . import actions
from .models import Channel, RoutingRule, Sensor, TimeLimitStandard, TimeUnit

PHONE = re.compile(r"^\d{5,12}$")


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
            if (getattr(f, "content_type", "") or "") not in actions.PHOTO_TYPES:
                raise ValidationError(
                    _("“%(name)s” is not a photo (JPEG, PNG, WebP, GIF, HEIC).") % {"name": f.name}
                )
            if f.size > actions.MAX_PHOTO_BYTES:
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


# -- intake (受理登记) -------------------------------------------------------------------------


class ReportIntakeForm(forms.Form):
    """A phone call or a 12345 hotline transfer, registered by the 受理员."""

    CHANNELS = [
        (Channel.PHONE.value, Channel.PHONE.label),
        (Channel.HOTLINE.value, Channel.HOTLINE.label),
    ]

    channel = forms.ChoiceField(
        label=_("channel"), choices=CHANNELS, initial=Channel.HOTLINE, widget=forms.RadioSelect
    )
    external_id = forms.CharField(
        label=_("12345 work order number"),
        required=False,
        max_length=64,
        help_text=_("Required for a hotline transfer."),
    )
    reporter_name = forms.CharField(label=_("caller's name"), required=False, max_length=60)
    phone = forms.CharField(
        label=_("caller's phone"),
        required=False,
        max_length=20,
        help_text=_("Stored encrypted; lists show it masked."),
    )
    title = forms.CharField(label=_("title"), required=False, max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    component_class = MatterClassField(
        required=False,
        help_text=_("Optional: leave empty and the classifier suggests one."),
    )
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    lon = forms.FloatField(label=_("longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("latitude"), required=False, min_value=-90, max_value=90)
    photos = PhotosField()
    # One key per rendered form: a double submit stores the report once.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4().hex)

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data.get("phone", "").strip())
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Enter a phone number of 5 to 12 digits."))
        return phone

    def clean_submission(self):
        value = self.cleaned_data.get("submission", "")
        return value if re.fullmatch(r"[0-9a-f]{32}", value or "") else ""

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.HOTLINE and not data.get("external_id", "").strip():
            self.add_error("external_id", _("Give the hotline's work order number."))
        has_lon, has_lat = data.get("lon") is not None, data.get("lat") is not None
        if has_lon != has_lat:
            self.add_error("lat" if has_lon else "lon", _("Give both latitude and longitude."))
        if not has_lon and not has_lat and not data.get("address", "").strip():
            if "address" not in self.errors:
                self.add_error("address", _("Give the address, or pick the place on the map."))
        return data


# Keys of intake errors → fields of the form.
INTAKE_ERROR_FIELDS = {"long": "lon", "photo": "photos", "location": "address"}


# -- configuration --------------------------------------------------------------------------


class ConfigForm(ScopedModelForm):
    """Configuration changes the workflow of everyone: the reason is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["_change_reason"]
        reason.required = True
        reason.help_text = _("Required; kept in the change log.")
        for name in ("component_class",):
            if name in self.fields:
                self.fields[name].queryset = self.fields[name].queryset.order_by("kind", "code")
                self.fields[name].label_from_instance = _class_label

    # the reason field comes last in the form
    def __iter__(self):
        names = [n for n in self.fields if n != "_change_reason"] + ["_change_reason"]
        return iter([self[n] for n in names])


def _class_label(obj) -> str:
    return f"{obj.get_kind_display()} {obj.code} {obj.name}"


class RoutingRuleForm(ConfigForm):
    class Meta:
        model = RoutingRule
        fields = ["component_class", "major_code", "area", "department", "priority", "is_active",
                  "note"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            self.fields["area"].queryset.exclude(level=OrgUnit.Level.CITY).order_by("path")
        )

    def clean_major_code(self):
        value = self.cleaned_data.get("major_code", "").strip()
        if value and not re.fullmatch(r"\d{2}", value):
            raise ValidationError(_("Two digits, e.g. 06."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("component_class") is not None and data.get("major_code"):
            self.add_error("major_code", _("Give either a class or a major class code, not both."))
        return data


class TimeLimitStandardForm(ConfigForm):
    class Meta:
        model = TimeLimitStandard
        fields = ["component_class", "condition", "limit_amount", "limit_unit",
                  "filing_condition", "closing_condition", "duplicate_radius_m",
                  "duplicate_window_days", "is_active"]  # fmt: skip
        widgets = {
            "filing_condition": forms.Textarea(attrs={"rows": 2}),
            "closing_condition": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_limit_amount(self):
        value = self.cleaned_data.get("limit_amount")
        if value is not None and value <= 0:
            raise ValidationError(_("Enter a positive number."))
        return value


class SensorForm(ConfigForm):
    """A sensor's grid cell follows its position when it is left empty."""

    class Meta:
        model = Sensor
        fields = ["device_id", "name", "kind", "component_class", "lon", "lat", "org_unit",
                  "merge_window_minutes", "is_active"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = (
            self.fields["org_unit"].queryset.filter(level=OrgUnit.Level.GRID).order_by("code")
        )
        self.fields["org_unit"].help_text = _("Leave empty: the grid cell at the position.")

    def clean(self):
        from streetbrain.core.geo_lookup import locate_point

        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error("lat" if lat is None else "lon", _("Give both latitude and longitude."))
        elif lon is not None and data.get("org_unit") is None and "org_unit" not in self.errors:
            grid = locate_point(lon, lat)
            if grid is None:
                self.add_error("lon", _("This place lies outside the street's grid cells."))
            else:
                data["org_unit"] = grid
        if data.get("org_unit") is None and not self.errors:
            self.add_error("org_unit", _("Choose the grid cell, or give the position."))
        return data
