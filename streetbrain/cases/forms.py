"""Form pieces the case pages share: photos, the select of 管理事项 classes, and putting an
action's ``ValidationError`` on a form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.registry.models import ComponentClass

from .timeline import photo_type


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos; each is checked for type (by its content) and size (the action
    checks again)."""

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
            try:
                f.content_type = photo_type(f).mime  # what it is, not what the browser said
            except ValidationError as exc:
                if exc.code == "too_large":
                    message = _("“%(name)s” is larger than 10 MB.")
                else:
                    message = _("“%(name)s” is not a photo (JPEG, PNG, WebP, GIF, HEIC).")
                raise ValidationError(message % {"name": f.name}) from None
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
