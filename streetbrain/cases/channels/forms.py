"""Forms of the citizens' report page (随手拍) and the grid worker's phone page. They check what
a person can correct on the page; ``intake.actions.submit_report`` checks the rest (is the
point inside the street, …) and its errors are put back on these forms' fields."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from streetbrain.core import extension_points as ep
from streetbrain.core.protected import normalise_phone
from streetbrain.core.text import CheckedForm
from streetbrain.registry.models import ComponentClass

from ..intake import pipeline
from ..intake.pipeline import ReportInput
from ..timeline import photo_type

MAX_PHOTOS = 6

# -- photos ---------------------------------------------------------------------------------


def validate_photo(upload) -> None:
    """A photo we keep (by its content, ``timeline.photo_type``); the upload's content type
    becomes what it is, not what the browser said."""
    upload.content_type = photo_type(upload).mime


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (Django's documented pattern for ``multiple``)."""

    def __init__(self, *args, max_files: int = MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("At most %(n)d photos.") % {"n": self.max_files}, code="too_many"
            )
        single = super().clean
        out = [single(f, initial) for f in files]
        for f in out:
            validate_photo(f)
        return out


def photo_field(**kwargs) -> forms.FileField:
    return forms.FileField(
        required=False,
        validators=[validate_photo],
        widget=forms.FileInput(attrs={"accept": "image/*", **kwargs.pop("attrs", {})}),
        **kwargs,
    )


# -- the report -----------------------------------------------------------------------------


def category_choices() -> list:
    """The common 事项 classes (those with a 立结案标准 row), grouped by major class, after
    the "not sure" choice that leaves the class to the classifier and the staff."""
    classes = (
        ComponentClass.objects.filter(time_limits__is_active=True)
        .exclude(ep.reserved_classes_q())  # an app's own channel only (enterprises' 诉求)
        .distinct()
        .order_by("major_code", "kind", "code")
    )
    groups: dict[str, list] = {}
    for c in classes:
        groups.setdefault(c.major_name, []).append((pipeline.label_of(c), c.name))
    return [("", _("Not sure: let the system decide")), *groups.items()]


_UUID_HEX = re.compile(r"^[0-9a-f]{32}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class BaseReportForm(CheckedForm):
    """What every reporter on a page gives: what, where."""

    #: The idempotency key's prefix: keys of different pages never collide.
    key_prefix = "web:"
    channel = "citizen"

    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=pipeline.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the problem.")},
    )
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_("Optional if you marked the place on the map."),
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    def clean_category(self):
        value = self.cleaned_data.get("category") or ""
        if not value:
            return None
        found = pipeline.class_for_label(value)
        if found is None or ep.is_reserved(found):
            raise ValidationError(_("Choose a category from the list."))
        return found

    def clean_idempotency_key(self) -> str:
        # A person cannot fix a hidden field: a bad key only means no protection against
        # a double submit, never an error.
        value = (self.cleaned_data.get("idempotency_key") or "").strip().lower().replace("-", "")
        return value if _UUID_HEX.match(value) else ""

    def clean(self):
        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        if "lon" in self.errors or "lat" in self.errors:
            return data
        if (lon is None) != (lat is None):
            self.add_error("lon", _("Mark the place on the map again."))
        elif lon is None and not data.get("address"):
            self.add_error(
                "lon", _("Mark the place on the map, use your location, or give an address.")
            )
        return data

    def report_input(self, **extra) -> ReportInput:
        data = self.cleaned_data
        key = data.get("idempotency_key") or ""
        return ReportInput(
            channel=self.channel,
            description=data["description"],
            lon=data.get("lon"),
            lat=data.get("lat"),
            address=data.get("address") or "",
            requested_class=data.get("category"),
            idempotency_key=f"{self.key_prefix}{key}" if key else "",
            **extra,
        )

    # submit_report's field names → this form's fields
    ERROR_FIELDS = {
        "description": "description",
        "long": "lon",
        "lat": "lon",
        "location": "lon",
        "address": "address",
        "address_id": "address",
        "photo": "photo",
        "requested_class": "category",
    }

    def add_intake_errors(self, error: ValidationError) -> None:
        """Put ``submit_report``'s errors on the fields they concern."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            name = self.ERROR_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


class PublicReportForm(BaseReportForm):
    """The citizens' form (随手拍): a photo, and a name and phone only if they want a call."""

    photo = photo_field(label=_("Photo"), help_text=_("Optional; at most 10 MB."))
    name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("Optional: only if you want us to call you back."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the street office uses what I enter here only to handle this problem. "
            "My phone number is stored encrypted and seen only by the staff who need it."
        ),
        error_messages={"required": _("Please agree before sending the report.")},
    )

    def clean_phone(self) -> str:
        value = normalise_phone((self.cleaned_data.get("phone") or "").strip())
        if not value:
            return ""
        if not (_MOBILE.match(value) or _LANDLINE.match(value) or _LOCAL.match(value)):
            raise ValidationError(
                _("Enter an 11-digit mobile number or a landline number with its area code.")
            )
        return value

    def clean_name(self) -> str:
        return (self.cleaned_data.get("name") or "").strip()

    def report_input(self, **extra) -> ReportInput:
        data = self.cleaned_data
        photo = data.get("photo")
        return super().report_input(
            reporter_name=data.get("name") or "",
            phone=data.get("phone") or "",
            photos=[photo] if photo else [],
            **extra,
        )


class GridReportForm(BaseReportForm):
    """The grid worker's report on patrol (网格员巡查上报): the place from the phone, photos
    from its camera."""

    key_prefix = "grid:"
    channel = "gridworker"
    ERROR_FIELDS = {**BaseReportForm.ERROR_FIELDS, "photo": "photos"}

    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = gettext("Up to %(n)d photos, at most 10 MB each.") % {
            "n": MAX_PHOTOS
        }

    def report_input(self, **extra) -> ReportInput:
        return super().report_input(photos=self.cleaned_data.get("photos") or [], **extra)


class TaskActionForm(CheckedForm):
    """核实 / 核查 on site: the answer, a note and a photo."""

    ACTIONS = {
        "verify": "verifying",
        "verify_false": "verifying",
        "check_pass": "handled",
        "check_fail": "handled",
    }

    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = photo_field(label=_("Photo"), attrs={"capture": "environment"})


class ConfirmForm(CheckedForm):
    """The reporter's answer to 处置完成: solved or not."""

    answer = forms.ChoiceField(choices=[("solved", "solved"), ("unsolved", "unsolved")])
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
