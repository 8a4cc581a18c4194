"""What the Open311 resources say about our data: services (the GB/T 47678.5 事项 classes),
service definitions (their ``ServiceAttribute`` questions) and service requests (one per
report, with the status of the case it belongs to).

The list of requests is public (no key): it holds what the public should see, no more
(``Publication``, stated in the discovery document). Reports of the public channels
(``OPEN311_PUBLIC_CHANNELS``: the residents' page and Open311 clients) are published; a
report of a staff channel (a grid worker's, a 12345 transfer, a sensor's) only when its case
was made public, and then without its text and photo link. Sensitive classes
(``OPEN311_SENSITIVE_CLASSES``) show a rounded place and no address, text or photo link.
Never published: a reporter's name, phone, email, device and account, and the staff's notes
(the status note is the state's name)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from streetbrain.core import extension_points as ep
from streetbrain.registry.models import ComponentClass

from ...models import (
    FINAL_STATES,
    Channel,
    Report,
    ServiceAttribute,
    State,
    TimeLimitStandard,
    TimeUnit,
)
from .render import w3

SERVICE_KIND = ComponentClass.Kind.MATTER


def services_queryset():
    """The 事项 classes offered as services: not those an app reserves for its own channel
    (``ReservedClasses``: the enterprises' 诉求 classes are raised on /services/me/)."""
    return ComponentClass.objects.filter(kind=SERVICE_KIND).exclude(ep.reserved_classes_q())


def _keywords(cls) -> str:
    words = [cls.name]
    if cls.name.endswith("异常") and len(cls.name) > 2:
        words.append(cls.name[:-2])  # 供水井盖异常 is found as 供水井盖
    words.append(cls.major_name)
    if cls.major_name.endswith("类") and len(cls.major_name) > 1:
        words.append(cls.major_name[:-1])
    return ",".join(dict.fromkeys(w for w in words if w))


def service_list() -> list[dict]:
    """Every 事项 class as a service (two queries, whatever the number of classes)."""
    classes = services_queryset().annotate(
        has_attributes=Exists(ServiceAttribute.objects.filter(component_class=OuterRef("pk")))
    )
    descriptions = dict(
        TimeLimitStandard.objects.filter(
            component_class__kind=SERVICE_KIND, condition="", is_active=True
        ).values_list("component_class_id", "filing_condition")
    )
    return [
        {
            "service_code": cls.code,
            "service_name": cls.name,
            "description": descriptions.get(cls.pk) or None,
            "metadata": bool(cls.has_attributes),
            "type": "realtime",
            "keywords": _keywords(cls),
            "group": cls.major_name,
        }
        for cls in classes.order_by("code")
    ]


def attribute_entry(attr: ServiceAttribute) -> dict:
    return {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description or None,
        "order": attr.order,
        "description": attr.description,
        "values": [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in (attr.values or [])
            if isinstance(v, dict)
        ],
    }


def definition(cls, attributes: list[ServiceAttribute]) -> dict:
    return {"service_code": cls.code, "attributes": [attribute_entry(a) for a in attributes]}


# -- service requests -----------------------------------------------------------------------


def _limit_text(case) -> str:
    if case.limit_amount is None or not case.limit_unit:
        return ""
    return f"{float(case.limit_amount):g} {TimeUnit(case.limit_unit).label}"


def service_notice(case) -> str:
    """What the street will do: verify on site first where it does, then the time limit."""
    parts = []
    if case.state == State.VERIFYING:
        parts.append(_("The street verifies the report on site first."))
    limit = _limit_text(case)
    if limit and case.state not in FINAL_STATES:
        parts.append(
            _("Once dispatched, the responsible department has %(limit)s to handle it.")
            % {"limit": limit}
        )
    # Sentences ending in full-width punctuation (Chinese) need no space between them.
    text = ""
    for part in parts:
        if text and not text.endswith(("。", "！", "？")):
            text += " "
        text += part
    return text


@dataclass(frozen=True)
class Publication:
    """What the public feed publishes (settings ``OPEN311_PUBLIC_CHANNELS``,
    ``OPEN311_SENSITIVE_CLASSES``, ``OPEN311_SENSITIVE_DECIMALS``)."""

    channels: tuple[str, ...]
    sensitive: frozenset[str]  # 事项 codes
    decimals: int

    def is_sensitive(self, cls) -> bool:
        return cls is not None and cls.kind == SERVICE_KIND and cls.code in self.sensitive

    @property
    def metres(self) -> int:
        """About how far a rounded coordinate may lie from the place (one step of latitude)."""
        return max(1, int(round(111_320 / 10**self.decimals, -1)))


def publication() -> Publication:
    return Publication(
        channels=tuple(settings.OPEN311_PUBLIC_CHANNELS),
        sensitive=frozenset(settings.OPEN311_SENSITIVE_CLASSES),
        decimals=settings.OPEN311_SENSITIVE_DECIMALS,
    )


def publication_policy() -> dict:
    """The discovery document's statement of what the feed publishes (an extension of the
    spec's document: ``publication``)."""
    policy = publication()
    labels = dict(Channel.choices)
    channels = "、".join(str(labels.get(c, c)) for c in policy.channels) or _("none")
    text = _(
        "The public list of requests shows the reports residents sent (%(channels)s) and the "
        "cases the street has made public; reports of its own staff, 12345 transfers and "
        "sensors appear only in a public case, and without their texts. Never published: "
        "names, phone numbers, email addresses, device and account ids, staff notes. For the "
        "sensitive services listed, the place is rounded to about %(metres)d m, and the "
        "address, description and photo link are left out."
    ) % {"channels": channels, "metres": policy.metres}
    return {
        "policy": text,
        "channels": list(policy.channels),
        "sensitive_services": sorted(policy.sensitive),
        "sensitive_decimals": policy.decimals,
    }


def requests_queryset():
    """The reports the feed shows: those whose matter is known (a report that waits for a
    person to classify it is published once classified) and that the public may see: sent
    through a public channel, or belonging to a case the street made public."""
    policy = publication()
    return (
        Report.objects.filter(
            Q(case__component_class__isnull=False) | Q(requested_class__isnull=False)
        )
        .filter(Q(channel__in=policy.channels) | Q(case__public=True))
        .select_related("case", "case__component_class", "case__department", "requested_class")
        .only(
            "pk",
            "channel",
            "received_at",
            "description",
            "title",
            "address",
            "address_id",
            "lat",
            "lon",
            "media_url",
            "case",
            "requested_class",
            "requested_class__kind",
            "requested_class__code",
            "requested_class__name",
            "case__state",
            "case__public",
            "case__updated_at",
            "case__closed_at",
            "case__deadline",
            "case__address",
            "case__lat",
            "case__lon",
            "case__limit_amount",
            "case__limit_unit",
            "case__component_class",
            "case__department",
            "case__component_class__kind",
            "case__component_class__code",
            "case__component_class__name",
            "case__department__name",
        )
    )


def status_notes(case) -> str:
    """The state's public name (待核实, 处置中, 不予受理 …). Never a timeline note: those are
    the staff's words, written for the staff."""
    return str(State(case.state).label)


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def request_entry(report: Report, policy: Publication | None = None) -> dict:
    policy = policy or publication()
    case = report.case
    cls = case.component_class or report.requested_class
    closed = case.state in FINAL_STATES
    updated = case.closed_at if (closed and case.closed_at) else case.updated_at
    if updated is None or updated < report.received_at:
        updated = report.received_at  # a further report is newer than the case's last change
    lon, lat = (report.lon, report.lat) if report.lon is not None else (case.lon, case.lat)
    sensitive = policy.is_sensitive(cls)
    # A resident's own words are theirs to publish; a staff channel's (a grid worker's note,
    # a 12345 transcript) are not, even in a case made public.
    own_words = report.channel in policy.channels and not sensitive
    if sensitive:
        lon, lat = _rounded(lon, policy.decimals), _rounded(lat, policy.decimals)
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case) or None,
        "service_name": cls.name,
        "service_code": cls.code,
        "description": (report.description or report.title or None) if own_words else None,
        "agency_responsible": case.department.name if case.department_id else None,
        "service_notice": service_notice(case) or None,
        "requested_datetime": w3(report.received_at),
        "updated_datetime": w3(updated),
        "expected_datetime": w3(case.deadline),
        "address": None if sensitive else (report.address or case.address or None),
        "address_id": None if sensitive else (report.address_id or None),
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": (report.media_url or None) if own_words else None,
    }


def request_list(reports) -> list[dict]:
    policy = publication()
    return [request_entry(r, policy) for r in reports]
