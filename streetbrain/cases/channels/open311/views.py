"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at ``/open311/v2/``.

Every resource answers in XML (mandatory) and JSON, chosen by the path's extension. Errors are
the spec's list of ``{code, description}``: 404 for what does not exist (a service, a request,
a token, another jurisdiction), 403 for a missing or wrong api_key, 413 for a body too large,
400 for anything else. An empty parameter counts as absent. Descriptions are in the client's
language (``Accept-Language``; Chinese by default).

Choices the spec leaves open, made here:

- ``jurisdiction_id`` may be left out (one jurisdiction); when given it must be the code of
  the deployment's root unit (``STREETBRAIN["ROOT_UNIT_CODE"]``), anything else is a 404.
- ``service_request_id`` is the report's number: each reporter follows their own request; a
  report merged into an open case (最多报一次) shows that case's status.
- A POST with an unknown ``service_code`` is a 404, as the spec's POST section lists it.
- ``start_date``/``end_date`` need a time zone and lie in 1900–2199 (the bounds of every
  date filter of the platform, ``core.filtersets``). With only one of them the range is the
  90 days after the start or before the end; with neither, the last 90 days.
- A body beyond Django's limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, the number of fields) is a
  413 in the error list; an ``address_string`` over 200 or an ``address_id`` over 64
  characters is refused (400), not cut.
- A POST is accepted at once and registered by the intake queue moments later
  (``intake.queue``): the answer carries ``service_request_id`` when registration already
  happened (the demo registers inside the request), else the ``token`` to follow it with.
- Extensions: ``page``/``page_size`` (at most 1,000), an ``Idempotency-Key`` request header
  on POST (a retried POST with the same key returns the first answer and stores nothing),
  and the discovery document's ``publication``: what the public list of requests publishes
  (``serialize.Publication``: public channels, cases made public, sensitive classes with a
  rounded place). A request the feed does not publish is a 404, as one that does not exist.
- A parameter holding control characters (``core.text``; a NUL among them) is a 400 naming
  it; a path holding them is a 400.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Max, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from streetbrain.core import extension_points as ep
from streetbrain.core import request_limits
from streetbrain.core.audit import audit_context
from streetbrain.core.filtersets import out_of_range
from streetbrain.core.models import ChangeLogEntry, OrgUnit
from streetbrain.core.protected import normalise_phone
from streetbrain.core.text import MESSAGE as TEXT_MESSAGE
from streetbrain.core.text import fields_with_control_characters, has_control_characters

from ...intake import actions, queue, refdata
from ...intake.pipeline import MAX_DESCRIPTION, ReportInput
from ...models import FINAL_STATES, Channel, Report, ServiceAttribute, TimeLimitStandard
from . import keys, serialize
from .render import MIME_TYPES, errors, respond, w3

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The date this implementation's resources last changed shape; the discovery changeset is the
# later of it and the last edit of a service definition or a time-limit standard.
IMPLEMENTATION_CHANGESET = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
MAX_SPAN = dt.timedelta(days=90)
MAX_ROWS = 1000
MAX_PAGE = 1_000_000
MAX_IDEMPOTENCY_KEY = 150
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_W3_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$", re.ASCII
)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_PHONE = re.compile(r"^\+?\d{3,20}$", re.ASCII)
_validate_email = EmailValidator()
_validate_url = URLValidator(schemes=["http", "https"])

# intake's field names → the Open311 parameter a client sent.
_PARAMS = {
    "long": "long",
    "lat": "lat",
    "address": "address_string",
    "address_id": "address_id",
    "description": "description",
}


class Open311Error(Exception):
    def __init__(self, status: int, *messages: str):
        super().__init__(*messages)
        self.status = status
        self.messages = list(messages)


def _field(name: str, message) -> str:
    return f"{name}: {message}"


def _param(request, name: str) -> str | None:
    """A parameter's value, or None when it is absent *or empty* (the spec treats both alike).
    A POST reads the form body first, then the query string."""
    value = None
    if request.method == "POST":
        value = request.POST.get(name)
    if value is None or not value.strip():
        value = request.GET.get(name)
    value = (value or "").strip()
    return value or None


def _check_jurisdiction(request) -> None:
    given = _param(request, "jurisdiction_id")
    if given is not None and given != settings.STREETBRAIN["ROOT_UNIT_CODE"]:
        raise Open311Error(404, _field("jurisdiction_id", _("Unknown jurisdiction.")))


def _check_text(request, path_arguments: dict) -> None:
    """No parameter (query string or form body, name or value), no ``Idempotency-Key`` and no
    part of the path may hold control characters (``core.text``; a NUL among them, which
    PostgreSQL refuses in a query): every one at fault is named, nothing is read further."""
    if has_control_characters([str(v) for v in path_arguments.values()]):
        raise Open311Error(400, TEXT_MESSAGE)
    names = fields_with_control_characters(request.GET)
    if request.method == "POST":
        names += [n for n in fields_with_control_characters(request.POST) if n not in names]
    if has_control_characters(request.headers.get("Idempotency-Key", "")):
        names.append("Idempotency-Key")
    if names:
        raise Open311Error(400, *(_field(name, TEXT_MESSAGE) for name in names))


def open311(*methods: str):
    """An Open311 view: allowed methods, the jurisdiction check, errors in the asked format.
    Exempt from CSRF: other systems post here, authenticated by their api_key."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, fmt: str, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(
                        400,
                        _("Method %(method)s is not supported here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                    )
                _check_text(request, kwargs)
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.messages)
            except request_limits.BODY_LIMIT_ERRORS as exc:  # a body Django will not read
                status, message = request_limits.refusal(exc)
                return errors(fmt, status, [message])

        return inner

    return wrap


# -- discovery and services -----------------------------------------------------------------


def _root_unit_name() -> str:
    unit = OrgUnit.objects.filter(code=settings.STREETBRAIN["ROOT_UNIT_CODE"]).first()
    return unit.name if unit is not None else settings.STREETBRAIN["ROOT_UNIT_CODE"]


def _changeset() -> str:
    types = ContentType.objects.get_for_models(ServiceAttribute, TimeLimitStandard).values()
    last = ChangeLogEntry.objects.filter(content_type__in=list(types)).aggregate(t=Max("time"))
    return w3(max(filter(None, (last["t"], IMPLEMENTATION_CHANGESET))))


@open311("GET", "HEAD")
def discovery(request, fmt):
    unit = _root_unit_name()
    changeset = _changeset()
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "The city operations centre (城市运行管理中心) of %(unit)s answers questions about "
        "this service."
    ) % {"unit": unit}
    key_service = getattr(settings, "OPEN311_KEY_SERVICE", "") or _(
        "The city operations centre of %(unit)s issues api_keys to the systems that report "
        "to it; reading needs no key."
    ) % {"unit": unit}
    endpoint = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    data = {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": changeset,
                "type": "production",
                "formats": MIME_TYPES,
            }
        ],
        # An extension of the spec's document: what the public list of requests publishes.
        "publication": serialize.publication_policy(),
    }
    return respond(fmt, "discovery", data)


@open311("GET", "HEAD")
def service_list(request, fmt):
    return respond(fmt, "services", serialize.service_list())


@open311("GET", "HEAD")
def service_definition(request, code, fmt):
    cls = serialize.services_queryset().filter(code=code).first()
    if cls is None:
        raise Open311Error(404, _field("service_code", _("Unknown service.")))
    attributes = list(
        ServiceAttribute.objects.filter(component_class=cls).order_by("order", "code")
    )
    return respond(fmt, "service_definition", serialize.definition(cls, attributes))


# -- reading requests -----------------------------------------------------------------------


def parse_w3(value: str, name: str) -> dt.datetime:
    """A W3C ISO 8601 date-time with its time zone. A ``+`` sent unencoded in a query string
    arrives as a space; it is read as the ``+`` it was."""
    value = value.replace(" ", "+")
    if not _W3_DATETIME.match(value):
        raise Open311Error(
            400,
            _field(
                name,
                _("Give a date and time with its time zone, e.g. 2026-03-01T00:00:00+08:00."),
            ),
        )
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _field(name, _("This date does not exist."))) from None
    # The platform's filters' bounds: near the calendar's ends (0001, 9999) the 90 days'
    # span or the move to UTC would leave it.
    problem = out_of_range(moment)
    if problem:
        raise Open311Error(400, _field(name, problem))
    return moment


def _positive_int(request, name: str, default: int, maximum: int) -> int:
    value = _param(request, name)
    if value is None:
        return default
    if not _is_number(value) or len(value) > 9 or not 1 <= int(value) <= maximum:
        message = _("Give a whole number from 1 to %(max)d.") % {"max": maximum}
        raise Open311Error(400, _field(name, message))
    return int(value)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _comma_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _filter_requests(request):
    qs = serialize.requests_queryset()
    ids = _comma_list(_param(request, "service_request_id"))
    if ids:  # overrides every other argument
        if len(ids) > MAX_ROWS:
            raise Open311Error(
                400,
                _field(
                    "service_request_id",
                    _("Ask for at most %(n)d requests at once.") % {"n": MAX_ROWS},
                ),
            )
        wanted = [int(i) for i in ids if _is_number(i) and len(i) <= 18]
        return qs.filter(pk__in=wanted).order_by("-received_at", "-pk")
    codes = _comma_list(_param(request, "service_code"))
    if codes:
        qs = qs.filter(
            Q(case__component_class__code__in=codes)
            | Q(case__component_class__isnull=True, requested_class__code__in=codes)
        )
    statuses = set(_comma_list(_param(request, "status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _field("status", _("The status is open or closed.")))
    if statuses == {"open"}:
        qs = qs.exclude(case__state__in=FINAL_STATES)
    elif statuses == {"closed"}:
        qs = qs.filter(case__state__in=FINAL_STATES)
    start_text, end_text = _param(request, "start_date"), _param(request, "end_date")
    start = parse_w3(start_text, "start_date") if start_text else None
    end = parse_w3(end_text, "end_date") if end_text else None
    if start is not None and end is not None:
        if start > end:
            raise Open311Error(400, _field("start_date", _("The start lies after the end.")))
        if end - start > MAX_SPAN:
            raise Open311Error(400, _field("end_date", _("The dates may span at most 90 days.")))
    elif start is not None:
        end = start + MAX_SPAN
    elif end is not None:
        start = end - MAX_SPAN
    else:
        start = timezone.now() - MAX_SPAN
    qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lte=end)
    page = _positive_int(request, "page", 1, MAX_PAGE)
    size = _positive_int(request, "page_size", MAX_ROWS, MAX_ROWS)
    offset = (page - 1) * size
    return qs.order_by("-received_at", "-pk")[offset : offset + size]


def _list_requests(request, fmt):
    return respond(fmt, "service_requests", serialize.request_list(_filter_requests(request)))


@open311("GET", "HEAD")
def request_detail(request, request_id, fmt):
    report = serialize.requests_queryset().filter(pk=request_id).first()
    if report is None:
        raise Open311Error(404, _field("service_request_id", _("Unknown service request.")))
    return respond(fmt, "service_requests", serialize.request_list([report]))


@open311("GET", "HEAD")
def token_detail(request, token, fmt):
    """The request a token stands for. A report accepted but not yet registered answers with
    the token alone (no ``service_request_id`` yet); a registered one with both."""
    item = queue.status_of(token)
    if item is not None and item.status == item.Status.PENDING:
        return respond(fmt, "service_requests", [{"token": str(item.token)}])
    if item is not None and item.status == item.Status.FAILED:
        raise Open311Error(
            404, _field("token", _("This report could not be registered; staff have been told."))
        )
    report_id = item.report_id if item is not None else None
    if report_id is None:
        try:
            key = uuid.UUID(token)
        except ValueError:
            key = None
        report_id = (
            Report.objects.filter(token=key).values_list("pk", flat=True).first() if key else None
        )
    if report_id is None:
        raise Open311Error(404, _field("token", _("Unknown token.")))
    return respond(
        fmt, "service_requests", [{"service_request_id": str(report_id), "token": token}]
    )


# -- creating a request ---------------------------------------------------------------------


def _answers(request, attributes: list[ServiceAttribute], problems: list[str]) -> dict:
    """``attribute[code]=value`` (and ``attribute[code][]=v`` repeated for a multivaluelist)
    checked against the service definition: known codes, datatypes, list keys, required."""
    given: dict[str, list[str]] = {}
    for source in (request.POST, request.GET):
        for name in source:
            match = _ATTRIBUTE.match(name)
            if match is None or (source is request.GET and name in request.POST):
                continue
            values = [v.strip() for v in source.getlist(name)]
            given.setdefault(match[1], []).extend(v for v in values if v)
    by_code = {a.code: a for a in attributes}
    answers: dict = {}
    for code, values in given.items():
        label = f"attribute[{code}]"
        attr = by_code.get(code)
        if attr is None and values:
            problems.append(_field(label, _("This service asks no such question.")))
            continue
        if attr is None or not values or not attr.variable:
            continue  # empty = not answered; a non-variable attribute only informs
        keys_allowed = {str(v.get("key")) for v in attr.values or [] if isinstance(v, dict)}
        kind = attr.datatype
        if kind == ServiceAttribute.Datatype.MULTI:
            unknown = [v for v in values if v not in keys_allowed]
            if unknown:
                problems.append(_field(label, _("Choose from the values the definition lists.")))
            else:
                answers[code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            problems.append(_field(label, _("Give one value.")))
            continue
        value = values[0]
        if kind == ServiceAttribute.Datatype.SINGLE:
            if value not in keys_allowed:
                problems.append(_field(label, _("Choose from the values the definition lists.")))
                continue
        elif kind == ServiceAttribute.Datatype.NUMBER:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                problems.append(_field(label, _("Enter a number.")))
                continue
            value = int(number) if number.is_integer() and "." not in value else number
        elif kind == ServiceAttribute.Datatype.DATETIME:
            try:
                value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                problems.append(_field(label, _("Enter a date and time (ISO 8601).")))
                continue
            value = value.isoformat()
        elif kind == ServiceAttribute.Datatype.STRING:
            if "\n" in value or "\r" in value or len(value) > 1000:
                problems.append(_field(label, _("One line of at most 1,000 characters.")))
                continue
        elif len(value) > MAX_DESCRIPTION:
            problems.append(_field(label, _("At most 4,000 characters.")))
            continue
        answers[code] = value
    for attr in attributes:
        if attr.required and attr.variable and attr.code not in answers:
            if not any(p.startswith(f"attribute[{attr.code}]:") for p in problems):
                problems.append(
                    _field(f"attribute[{attr.code}]", _("This question must be answered."))
                )
    return answers


def _contact_fields(request, problems: list[str]) -> dict:
    fields = {}
    email = _param(request, "email") or ""
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            _validate_email(email)
        except ValidationError:
            problems.append(_field("email", _("Enter a valid email address.")))
    media_url = _param(request, "media_url") or ""
    if media_url:
        try:
            if len(media_url) > 500:
                raise ValidationError("too long")
            _validate_url(media_url)
        except ValidationError:
            problems.append(
                _field("media_url", _("Enter an http(s) URL of at most 500 characters."))
            )
    phone = _param(request, "phone") or ""
    if phone and not _PHONE.match(normalise_phone(phone)):
        problems.append(_field("phone", _("Enter a valid phone number.")))
    for name in ("device_id", "account_id"):
        value = _param(request, name) or ""
        if len(value) > 64:
            problems.append(_field(name, _("At most 64 characters.")))
        fields[name] = value
    first, last = _param(request, "first_name") or "", _param(request, "last_name") or ""
    if first and last and _is_cjk(first + last):
        name = last + first  # 王 + 小明 = 王小明: Chinese names put the family name first
    else:
        name = " ".join(p for p in (first, last) if p)
    fields.update(email=email, media_url=media_url, phone=phone, reporter_name=name[:60])
    return fields


def _is_cjk(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or c == "·" for c in text)


def _validation_messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    out = []
    for name, messages in exc.message_dict.items():
        param = _PARAMS.get(name)
        out.extend(_field(param, m) if param else str(m) for m in messages)
    return out


def _create_request(request, fmt):
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length not in ("", "0") and request.content_type not in FORM_TYPES:
        raise Open311Error(
            400, _("Send the fields form-encoded (application/x-www-form-urlencoded).")
        )
    plain_key = _param(request, "api_key")
    api_key = keys.check(plain_key)
    if api_key is None:
        message = _("api_key is missing.") if not plain_key else _("api_key is not valid.")
        raise Open311Error(403, _field("api_key", message))
    code = _param(request, "service_code")
    if code is None:
        raise Open311Error(400, _field("service_code", _("Choose a service (service_code).")))
    snapshot = refdata.get()  # classes and questions without a query per report
    cls = snapshot.classes.get((serialize.SERVICE_KIND, code))
    if cls is None or ep.is_reserved(cls):
        raise Open311Error(404, _field("service_code", _("Unknown service.")))
    problems: list[str] = []
    answers = _answers(request, snapshot.attributes.get(cls.pk, []), problems)
    contact = _contact_fields(request, problems)
    idempotency = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency) > MAX_IDEMPOTENCY_KEY:
        problems.append(
            _field("Idempotency-Key", _("At most %(n)d characters.") % {"n": MAX_IDEMPOTENCY_KEY})
        )
    if problems:
        raise Open311Error(400, *problems)
    description = request.POST.get("description") or request.GET.get("description") or ""
    data = ReportInput(
        channel=Channel.OPEN311,
        # Without a description the service's name says what was reported.
        title="" if description.strip() else cls.name,
        description=description,
        lat=_param(request, "lat"),
        lon=_param(request, "long"),
        address=_param(request, "address_string") or "",
        address_id=_param(request, "address_id") or "",
        requested_class=cls,
        attributes=answers,
        api_key=api_key,
        user=api_key.user,
        idempotency_key=f"open311:{api_key.pk}:{idempotency}" if idempotency else "",
        **contact,
    )
    actor = f"open311:{api_key.name}"[:100]
    data.audit = {"source": "api", "actor_name": actor}
    with audit_context(source="api", user=api_key.user, actor_name=actor):
        try:
            item, created = actions.accept(data)
        except ValidationError as exc:
            raise Open311Error(400, *_validation_messages(exc)) from None
    response = respond(fmt, "service_requests", [_accepted(item, replay=not created)])
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _accepted(item, *, replay: bool) -> dict:
    """The POST's answer for an accepted item: its ``service_request_id`` once it is
    registered, else its ``token`` (the spec's way to say "registered shortly")."""
    report = item.report
    if report is None:
        return {
            "token": str(item.token),
            "service_notice": _(
                "Your report has been received and is being registered; follow it with the token."
            ),
            "account_id": item.payload.get("account_id") or None,
        }
    case = report.case
    notices = []
    if not report.is_primary and not replay:
        notices.append(
            _(
                "This problem had been reported already; your report was added to it and keeps "
                "its own number."
            )
        )
    notices.append(serialize.service_notice(case))
    return {
        "service_request_id": str(report.pk),
        "service_notice": " ".join(n for n in notices if n) or None,
        "account_id": report.account_id or None,
    }


@open311("GET", "HEAD", "POST")
def requests_view(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


# -- the rest -------------------------------------------------------------------------------


def root(request):
    """The endpoint's base URL: the discovery document says what is here."""
    return HttpResponseRedirect(reverse("open311:discovery", kwargs={"fmt": "xml"}))


@csrf_exempt
def not_found(request, path: str = ""):
    fmt = "json" if path.endswith(".json") else "xml"
    return errors(fmt, 404, [_("There is no such Open311 resource.")])
