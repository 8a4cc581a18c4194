"""Text that may be stored: no control characters.

A NUL byte, an escape sequence or another control character is never what a person meant to
write: PostgreSQL refuses NUL outright (the request fails later, as a server error), the
others end up in lists, exports, XML feeds and terminals. Every text input is held to one
rule, :func:`has_control_characters` — the Unicode control characters (category Cc: C0, DEL
and C1) except tab, line feed and carriage return — and refused with one message
(:data:`MESSAGE`), never silently stored. Each channel applies it where its input enters:

- page forms: every form of the project is a :class:`CheckedForm` or
  :class:`CheckedModelForm` (the error shows on the field; ``tests/test_text_inputs.py``
  fails on a form that is not);
- the REST API: its parsers (``core.api.parsers``, the default of every view);
- Open311: the ``open311`` view decorator, over every parameter;
- MQTT alarms: ``cases.channels.mqtt.parse_payload``, over the whole JSON payload;
- imports: every cell a type's columns read (``dataio``), as a row and column error.

A change reason only annotates another change: ``audit.audit_context`` drops control
characters from it instead (the pages' reason fields still refuse them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator as ProhibitNull
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

MESSAGE = _("Contains control characters (invisible characters such as NUL); remove them.")


def has_control_characters(value: Any) -> bool:
    """Whether ``value`` — a string, or lists and mappings of them at any depth (their keys
    too) — holds a control character other than tab, line feed and carriage return."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, Mapping):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_control_characters(v) for v in value)
    return False


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def fields_with_control_characters(data: Any, *, whole: str = "payload") -> list[str]:
    """The names of the top-level fields of ``data`` (a mapping, a ``QueryDict`` with all its
    values, or anything else, named ``whole``) that hold control characters."""
    if isinstance(data, Mapping):
        items = data.lists() if hasattr(data, "lists") else data.items()
        return [
            strip_control_characters(str(key)) or whole
            for key, value in items
            if has_control_characters(key) or has_control_characters(value)
        ]
    return [whole] if has_control_characters(data) else []


def validate_text(value: Any) -> None:
    """A validator: refuses ``value`` if it holds control characters."""
    if has_control_characters(value):
        raise ValidationError(MESSAGE, code="control_characters")


class ControlCharacterCheck:
    """Every text field of the form (``CharField`` and its kinds: email, URL, JSON …) refuses
    control characters, whenever the field was added. Django's own check of CharField, for
    NUL alone, gives way to it (one message, not two)."""

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and validate_text not in field.validators:
                field.validators = [v for v in field.validators if not isinstance(v, ProhibitNull)]
                field.validators.append(validate_text)
        super().full_clean()


class CheckedForm(ControlCharacterCheck, forms.Form):
    """The base of the project's forms."""


class CheckedModelForm(ControlCharacterCheck, forms.ModelForm):
    """The base of the project's model forms."""
