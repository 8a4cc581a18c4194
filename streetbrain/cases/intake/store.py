"""Storing reports: the rest of the intake pipeline for reports already validated and
placed, for a whole batch in one transaction (``store_reports``). Every channel ends here:
``actions.submit_report`` with a batch of one, the queue (``queue.process_pending``) with up
to 500. A report either opens a case or joins the open case it repeats (最多报一次); the
workflow's ``split_report`` undoes a wrong merge with ``open_case``."""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import F, PositiveIntegerField, Value, When

from streetbrain.core import audit

from .. import numbers
from ..models import CHANNELS_NEEDING_VERIFICATION, Case, CaseEvent, Channel, Report, State
from ..timeline import attach, display_name, event_row
from . import duplicates, pipeline
from .duplicates import DuplicateMatch
from .pipeline import Classification


@dataclass
class IntakeResult:
    report: Report
    case: Case
    created: bool  # a new report was stored (False: the idempotency key was seen before)
    new_case: bool  # the report opened a new case (False: merged into an open one)
    duplicate: DuplicateMatch | None = None
    classification: Classification | None = None


def replay(idempotency_key: str) -> IntakeResult | None:
    """The answer to a report sent before with this idempotency key, if it was stored."""
    existing = Report.objects.select_related("case").filter(idempotency_key=idempotency_key).first()
    return IntakeResult(existing, existing.case, False, False) if existing else None


# One key for PostgreSQL's advisory lock that serialises the duplicate search and the writes
# of concurrent intakes, so two reports of one incident arriving together make one case.
INTAKE_LOCK_KEY = 0x5B_1A7A_4E


def _lock_intake() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INTAKE_LOCK_KEY])


def store_reports(items) -> list[IntakeResult]:
    """The rest of the pipeline for reports already validated and placed, in one transaction:
    ``items`` are ``(ReportInput, Placement, received_at)`` in order of arrival. Each is
    classified, compared with the open cases *and* with the cases opened earlier in the same
    batch (so two reports of one incident in one batch make one case), routed and given its
    time limit; then cases, reports, timeline events and change-log entries are written in
    bulk. One report is a batch of one: every channel takes this path."""
    classifications = pipeline.classify_many([data for data, _placement, _now in items])
    with transaction.atomic():
        _lock_intake()
        fresh: list[Case] = []
        fresh_ids: set[int] = set()  # id() of the cases opened in this batch
        plan = []
        standards = [pipeline.time_limit_for(c.component_class) for c in classifications]
        nearby = duplicates.duplicate_candidates_many(
            [
                (i, data, classification.component_class, standard, now)
                for i, ((data, _placement, now), classification, standard) in enumerate(
                    zip(items, classifications, standards, strict=True)
                )
            ]
        )
        for i, ((data, placement, now), classification) in enumerate(
            zip(items, classifications, strict=True)
        ):
            standard = standards[i]
            duplicate = duplicates.find_duplicate(
                data,
                classification.component_class,
                standard,
                now,
                opened=fresh,
                candidates=nearby.get(i) if data.sensor is None else None,
            )
            if duplicate is None:
                case = _new_case(data, now, placement, classification, standard)
                fresh.append(case)
                fresh_ids.add(id(case))
            else:
                case = duplicate.case
                if id(case) in fresh_ids:
                    case.report_count += 1
            plan.append((data, placement, now, classification, duplicate, case))
        if fresh:
            Case.objects.bulk_create(fresh)
            for case in fresh:
                case.number = numbers.number(case.reported_at, case.pk)
            Case.objects.bulk_update(fresh, ["number"])
        # Further reports on cases opened before this batch: count them in the database (the
        # increment is atomic), then read those cases back for the answers and events.
        merged = Counter(
            case.pk for *_rest, duplicate, case in plan if duplicate and id(case) not in fresh_ids
        )
        if merged:  # one statement for the batch: report_count + n, n per case
            Case.objects.filter(pk__in=list(merged)).update(
                report_count=F("report_count")
                + DbCase(
                    *(When(pk=pk, then=Value(n)) for pk, n in merged.items()),
                    output_field=PositiveIntegerField(),
                )
            )
        current = Case.objects.in_bulk(list(merged)) if merged else {}
        reports, events, results = [], [], []
        for data, _placement, now, classification, duplicate, case in plan:
            if id(case) not in fresh_ids:
                case = current[case.pk]
            report = _report(data, case, now, classification, duplicate, primary=not duplicate)
            reports.append(report)
            results.append(
                IntakeResult(report, case, True, duplicate is None, duplicate, classification)
            )
        Report.objects.bulk_create(reports)
        for (data, placement, now, classification, duplicate, _case), result in zip(
            plan, results, strict=True
        ):
            events.append(_intake_event(data, placement, now, classification, duplicate, result))
        CaseEvent.objects.bulk_create(events)
        _log_intake(plan, results)
        sensors: dict = {}
        for (data, *_rest), result in zip(plan, results, strict=True):
            if data.photos:
                attach(result.case, data.photos, report=result.report)
            if data.sensor is not None:
                sensors[data.sensor.pk] = (type(data.sensor), result.report.received_at)
        for pk, (model, when) in sensors.items():
            model.objects.filter(pk=pk).update(last_alarm_at=when)
    return results


def _log_intake(plan, results) -> None:
    """Change-log entries for the cases opened and the reports stored, in the audit context
    of the request that accepted each report (a queued report is written by a background
    batch, but its entries name the client who sent it)."""
    groups: dict = {}
    for (data, *_rest, duplicate, _case), result in zip(plan, results, strict=True):
        context = tuple(sorted(data.audit.items()))
        user = data.user if (data.user is not None and data.user.pk) else None
        cases, reports = groups.setdefault((context, user.pk if user else None), ([], [], user))[:2]
        if duplicate is None:
            cases.append(result.case)
        reports.append(result.report)
    for (context, _user_pk), (cases, reports, user) in groups.items():
        extra = dict(context)
        if context and user is not None:
            extra["user"] = user
        with audit.audit_context(**extra) if extra else contextlib.nullcontext():
            audit.log_bulk(cases, "create")
            audit.log_bulk(reports, "create")


def _intake_event(data, placement, now, classification, duplicate, result) -> CaseEvent:
    case, report = result.case, result.report
    if duplicate is not None:
        return event_row(
            case,
            CaseEvent.Action.MERGE,
            user=data.user,
            from_state=case.state,
            now=now,
            actor_name=(
                data.reporter_name or display_name(data.user) or _channel_label(data.channel)
            ),
            data={
                "report": report.pk,
                "channel": data.channel,
                "distance_m": round(duplicate.distance_m, 1),
                "similarity": round(duplicate.similarity, 3),
            },
        )
    return event_row(
        case,
        CaseEvent.Action.REPORT,
        user=data.user,
        now=now,
        actor_name=data.reporter_name or display_name(data.user),
        data={
            "report": report.pk,
            "channel": data.channel,
            "placed": placement.how,
            "class": pipeline.label_of(classification.component_class),
            "class_source": classification.source,
            "confidence": classification.confidence,
            "predicted": classification.predicted_label,
            "suggested_department": case.suggested_department_id,
        },
    )


def _channel_label(channel: str) -> str:
    return str(Channel(channel).label)


def _new_case(data, now, placement, classification, standard) -> Case:
    """An unsaved case for a report that repeats no open case (its number is set once it has
    its primary key)."""
    grid = placement.grid
    unit = grid or pipeline.street_unit()
    amount, unit_name = (
        (standard.limit_amount, standard.limit_unit) if standard else pipeline.default_limit()
    )
    # Public, hotline and sensor reports are verified on site first (待核实).
    state = State.VERIFYING if data.channel in CHANNELS_NEEDING_VERIFICATION else State.REPORTED
    title = data.title or (data.description[:40] + ("…" if len(data.description) > 40 else ""))
    return Case(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        title=title,
        description=data.description,
        state=state,
        channel=data.channel,
        component_class=classification.component_class,
        class_confidence=classification.confidence,
        class_source=classification.source,
        needs_triage=classification.component_class is None,
        time_limit=standard,
        org_unit=unit,
        community=(grid.parent if grid is not None else None),
        placed=grid is not None,
        lon=placement.lon,
        lat=placement.lat,
        address=data.address,
        building=placement.building,
        facility=data.facility,
        shop=data.shop,
        sensor=data.sensor,
        suggested_department=pipeline.route(classification.component_class, grid),
        reported_at=now,
        limit_amount=amount,
        limit_unit=unit_name,
    )


def open_case(data, now, placement, classification, standard) -> Case:
    case = _new_case(data, now, placement, classification, standard)
    case.save()
    case.number = numbers.number(case.reported_at, case.pk)
    Case.objects.filter(pk=case.pk).update(number=case.number)
    return case


def _report(data, case, now, classification, duplicate, *, primary=False) -> Report:
    """An unsaved report of ``case`` from ``data``."""
    report = Report(
        case=case,
        org_unit_id=case.org_unit_id,
        is_primary=primary,
        channel=data.channel,
        idempotency_key=data.idempotency_key or None,
        received_at=now,
        title=data.title,
        description=data.description,
        requested_class=data.requested_class
        if not isinstance(data.requested_class, str)
        else pipeline.class_for_label(data.requested_class),
        predicted_label=classification.predicted_label,
        predicted_confidence=classification.predicted_confidence,
        explanation=classification.explanation,
        lon=data.lon,
        lat=data.lat,
        address=data.address,
        address_id=data.address_id,
        attributes=data.attributes or {},
        media_url=data.media_url,
        reporter_name=data.reporter_name[:60],
        email=data.email,
        device_id=data.device_id,
        account_id=data.account_id,
        external_id=data.external_id,
        user=data.user if (data.user is not None and data.user.pk) else None,
        api_key=data.api_key,
        sensor=data.sensor,
        merge_score=duplicate.similarity if duplicate else None,
    )
    if data.token is not None:
        report.token = data.token
    if data.phone_protected is not None:  # already encrypted when it was accepted
        report.phone_cipher, report.phone_digest, report.phone_masked = data.phone_protected
    else:
        report.phone = data.phone
    return report
