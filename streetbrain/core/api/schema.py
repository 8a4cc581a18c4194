"""The OpenAPI schema's view of an operation: drf-spectacular's, plus the error answers.

drf-spectacular documents the answer of success only. A client (and the fuzzing in
``tests/test_fuzz_api.py``, which checks every status it receives against the schema) must
also know the errors the API gives and their shape: DRF's, through
``core.api.exceptions.exception_handler``. Each operation gets those that can happen to it:

- 400 (``ValidationError``: a field's messages, or a list of messages) where it takes a body,
  filters, a page or parameters of its own;
- 401 (``Error``: ``detail``) everywhere, for a token that is not valid or has expired (token
  authentication runs before any view); 403 everywhere (no permission; the token exchange's
  wrong password);
- 404 where its path names an object (or the object is outside the caller's scope: the API
  never says that something exists that the caller may not see), and for a list's page past
  the last;
- 413 where it takes a body (``DATA_UPLOAD_MAX_MEMORY_SIZE``);
- 429 everywhere (a throttle, or an account locked after failed logins; ``Retry-After``).

An operation that declares a code itself (``@extend_schema(responses={…})``) keeps its own.

And read-only fields say what they really hold. DRF drops ``allow_blank`` and ``allow_null``
from the fields a ModelSerializer makes read-only, so the schema claimed that an empty
``light`` was one of green/yellow/red and a user without a department had a department code;
a read-only field now takes both from the model field its ``source`` reaches (``""`` where that
field may be blank, null where it or a relation on the way may be null).
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "oneOf": [
        {
            "type": "object",
            "description": "field name (or non_field_errors, or detail) → its messages",
            "additionalProperties": True,
        },
        {"type": "array", "items": {"type": "string"}},
    ]
}


def retry_after() -> dict:
    return {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": str(_("seconds until the caller may try again")),
        }
    }


BODY_METHODS = ("POST", "PUT", "PATCH")


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (schema, description, headers) in self._error_answers().items():
            if code in responses:
                continue
            answer = {
                "description": str(description),
                "content": {media: {"schema": schema} for media in self._error_media_types()},
            }
            if headers:
                answer["headers"] = headers
            responses[code] = answer
        return responses

    def _error_media_types(self) -> list[str]:
        media = [m for m in self.map_renderers("media_type") if "json" in m]
        return media or ["application/json"]

    def _error_answers(self) -> dict:
        answers = {}
        paginated = bool(self._get_pagination_parameters())
        has_query = bool(
            paginated or self._get_filter_parameters() or self.get_override_parameters()
        )
        takes_body = self.method in BODY_METHODS
        if takes_body or has_query:
            answers["400"] = (VALIDATION_ERROR, _("The request is not valid"), None)
        # Token authentication runs before any view: a token that is not valid (or expired)
        # is a 401 even where anyone may ask. An operation open to anyone may still refuse
        # (the token exchange: a wrong password).
        answers["401"] = (ERROR, _("The token is not valid or has expired"), None)
        answers["403"] = (ERROR, _("Not logged in, or not permitted"), None)
        if "{" in self.path or paginated:  # a page past the last is DRF's 404
            answers["404"] = (ERROR, _("Not found, or outside your scope"), None)
        if takes_body:
            answers["413"] = (ERROR, _("The request body is too large"), None)
        answers["429"] = (ERROR, _("Too many requests, or the account is locked"), retry_after())
        return answers

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "response" and field.read_only:
            blank, null = _model_allows(field)
            if blank and hasattr(field, "allow_blank"):
                field.allow_blank = True
            if null:
                field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_allows(field) -> tuple[bool, bool]:
    """(blank, null) of the model field a serializer field's source reaches: blank where the
    last field may be blank, null where it, or a relation on the way, may be null."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if (
        model is None
        or not source
        or source == "*"
        or isinstance(field, serializers.ManyRelatedField)
    ):
        return False, False
    null = False
    model_field = None
    for name in source.split("."):
        if model is None:
            return False, null
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False, null  # a property or method: its hint says
        null = null or bool(getattr(model_field, "null", False))
        model = model_field.related_model if model_field.is_relation else None
    if isinstance(field, serializers.RelatedField):
        # A related field reads the related row (its slug or pk): blank does not apply.
        return False, null
    blank = isinstance(model_field, models.CharField | models.TextField) and model_field.blank
    return blank, null
