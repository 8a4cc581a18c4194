"""Forms of the intake's pages: the 受理 form (a phone call or a 12345 transfer registered by
staff) and the configuration the pipeline reads (routing rules, 立结案标准, sensors)."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.geo_lookup import locate_point
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import normalise_phone
from streetbrain.core.text import CheckedForm

from ..forms import MatterClassField, PhotosField
from ..models import Channel, RoutingRule, Sensor, TimeLimitStandard

PHONE = re.compile(r"^\d{5,12}$")


# -- intake (受理登记) -------------------------------------------------------------------------


class ReportIntakeForm(CheckedForm):
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
