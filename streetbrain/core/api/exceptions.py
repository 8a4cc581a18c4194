from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .. import request_limits


class ContentTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "content_too_large"


def exception_handler(exc, context):
    """Domain code raises Django's exceptions; answer them as DRF would its own (403/400),
    in the request's language. A body Django refuses to read (too large, too many fields)
    is a 413 in the same shape, not Django's bare 400 page."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif (refused := request_limits.refusal(exc)) is not None:
        exc = ContentTooLarge(refused[1])
    return drf_exception_handler(exc, context)
