"""What the Open311 resources say about our data: services (the GB/T 47678.5 事项 classes),
service definitions (their ``ServiceAttribute`` questions) and service requests (one per
report, with the status of the case it belongs to). Public data only: a reporter's name,
phone, email, device and account never leave through here."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from streetbrain.registry.models import ComponentClass

from ...models import (
    FINAL_STATES,
    CaseEvent,
    Report,
    ServiceAttribute,
    State,
    TimeLimitStandard,
    TimeUnit,
)
from .render import w3

SERVICE_KIND = ComponentClass.Kind.MATTER

# Timeline steps whose note explains a status to the public: what the on-site check found, why
# a report was not accepted or voided, what was done, why it was closed or reopened. Other
# notes (dispatch, extensions, internal remarks) stay inside.
PUBLIC_NOTE_ACTIONS = (
    CaseEvent.Action.VERIFY,
    CaseEvent.Action.REJECT,
    CaseEvent.Action.HANDLED,
    CaseEvent.Action.CLOSE,
    CaseEvent.Action.REOPEN,
    CaseEvent.Action.VOID,
)


def services_queryset():
    return ComponentClass.objects.filter(kind=SERVICE_KIND)


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


def requests_queryset():
    """The reports the feed shows: those whose matter is known (a report that waits for a
    person to classify it is published once classified)."""
    return (
        Report.objects.filter(
            Q(case__component_class__isnull=False) | Q(requested_class__isnull=False)
        )
        .select_related("case", "case__component_class", "case__department", "requested_class")
        .only(
            "pk",
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
            "requested_class__code",
            "requested_class__name",
            "case__state",
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
            "case__component_class__code",
            "case__component_class__name",
            "case__department__name",
        )
    )


def public_notes(case_ids) -> dict[int, tuple[str, str]]:
    """case id → (state after, note) of its latest public timeline note (one query)."""
    notes: dict[int, tuple[str, str]] = {}
    rows = (
        CaseEvent.objects.filter(case_id__in=set(case_ids), action__in=PUBLIC_NOTE_ACTIONS)
        .exclude(note="")
        .order_by("case_id", "time", "pk")
        .values_list("case_id", "to_state", "note")
    )
    for case_id, to_state, note in rows:
        notes[case_id] = (to_state, note)
    return notes


def status_notes(case, notes: dict) -> str:
    """The note that explains the current state, else the state's name (待核实, 处置中 …)."""
    found = notes.get(case.pk)
    if found is not None and found[0] == case.state:
        return found[1]
    return str(State(case.state).label)


def request_entry(report: Report, notes: dict) -> dict:
    case = report.case
    cls = case.component_class or report.requested_class
    closed = case.state in FINAL_STATES
    updated = case.closed_at if (closed and case.closed_at) else case.updated_at
    if updated is None or updated < report.received_at:
        updated = report.received_at  # a further report is newer than the case's last change
    lon, lat = (report.lon, report.lat) if report.lon is not None else (case.lon, case.lat)
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case, notes) or None,
        "service_name": cls.name,
        "service_code": cls.code,
        "description": report.description or report.title or None,
        "agency_responsible": case.department.name if case.department_id else None,
        "service_notice": service_notice(case) or None,
        "requested_datetime": w3(report.received_at),
        "updated_datetime": w3(updated),
        "expected_datetime": w3(case.deadline),
        "address": report.address or case.address or None,
        "address_id": report.address_id or None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": report.media_url or None,
    }


def request_list(reports) -> list[dict]:
    reports = list(reports)
    notes = public_notes(r.case_id for r in reports)
    return [request_entry(r, notes) for r in reports]
