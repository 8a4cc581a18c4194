"""What a request refused for its body's size is told. Django refuses a body beyond
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``), or with more fields or files than
``DATA_UPLOAD_MAX_NUMBER_FIELDS``/``…_FILES``, when it is first read; by default that is a bare
400 page. The API (``core.api.exceptions``), Open311 (its views' decorator) and the pages
(``core.views.bad_request``, the project's ``handler400``) answer it with ``refusal``'s status
and reason, each in its own format and the request's language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BODY_LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def refusal(exc: BaseException | None) -> tuple[int, str] | None:
    """(413, why) when ``exc`` is Django refusing a request's body; None for anything else."""
    if isinstance(exc, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, _("The request is too large (at most %(size)s).") % {"size": size}
    if isinstance(exc, TooManyFieldsSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 413, _("The request has too many fields (at most %(n)d).") % {"n": count}
    if isinstance(exc, TooManyFilesSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 413, _("The request has too many files (at most %(n)d).") % {"n": count}
    return None
