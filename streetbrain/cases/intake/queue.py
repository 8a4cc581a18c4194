"""The intake queue (收件): accept a report at once, register it in a batch moments later.

A client that sends reports (Open311) needs an answer in milliseconds, not the whole pipeline:
``actions.accept`` checks the report as fully as the pipeline would (fields, the place: a
point outside the street is refused now, not later) and stores it as one ``IntakeItem`` row
(``item_for``); the answer carries the item's token (Open311's ``token``).
``process_pending`` then takes the waiting items in order of arrival, a batch at a time, and
runs the rest of the pipeline on the batch (``store.store_reports``: classify, merge
duplicates, route, time limit, write in bulk), linking each item to its report. Batches make
the per-report cost a fraction of one-by-one registration, which is what lets a 2-core
machine keep up with hundreds of reports a second.

Who runs ``process_pending``:

- eagerly, inside the request, when Celery runs eagerly (the demo, the tests): the answer then
  already carries the ``service_request_id``;
- in production the Celery task ``tasks.process_intake``, started by the first report after a
  quiet second (``tasks.kick``: a key in the shared cache debounces the kicks) and every 30
  seconds by beat as a safety net. Workers take batches with ``FOR UPDATE SKIP LOCKED``, so
  several can run; the intake's advisory lock keeps their duplicate searches in order.

Nothing is lost: an item is deleted never; it stays pending until a batch that includes it
commits; a batch that fails is retried item by item, and an item that fails ``MAX_ATTEMPTS``
times is marked failed with its error for staff, and logged.
"""

from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone

from ..models import IntakeItem
from . import refdata, store
from .pipeline import Placement, ReportInput, label_of

log = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 5

# The plain fields of a report kept in the item's payload (the rest have columns).
_PAYLOAD = (
    "title",
    "description",
    "address",
    "address_id",
    "attributes",
    "media_url",
    "reporter_name",
    "email",
    "device_id",
    "account_id",
    "external_id",
)


def item_for(data: ReportInput, placement: Placement) -> IntakeItem:
    """The unsaved queue item of a report already validated and placed."""
    item = IntakeItem(
        received_at=data.received_at or timezone.now(),
        channel=data.channel,
        idempotency_key=data.idempotency_key or None,
        api_key=data.api_key,
        user=data.user if (data.user is not None and data.user.pk) else None,
        grid=placement.grid,
        building=placement.building,
        placed_how=placement.how,
        payload=_payload(data, placement),
    )
    item.phone = data.phone
    return item


def existing(idempotency_key: str) -> IntakeItem | None:
    """The item accepted before with this idempotency key, if any."""
    return IntakeItem.objects.filter(idempotency_key=idempotency_key).first()


def _payload(data: ReportInput, placement: Placement) -> dict:
    out = {name: getattr(data, name) for name in _PAYLOAD if getattr(data, name)}
    if data.audit:
        out["audit"] = data.audit
    requested = data.requested_class
    if requested is not None:
        out["requested_class"] = requested if isinstance(requested, str) else label_of(requested)
    if data.lon is not None:
        out["report_point"] = [data.lon, data.lat]
    if placement.lon is not None:
        out["point"] = [placement.lon, placement.lat]
    return out


# -- processing -----------------------------------------------------------------------------


def _input(item: IntakeItem) -> tuple[ReportInput, Placement, object]:
    payload = dict(item.payload)
    point = payload.pop("point", None)
    report_point = payload.pop("report_point", None)
    data = ReportInput(
        channel=item.channel,
        lon=report_point[0] if report_point else None,
        lat=report_point[1] if report_point else None,
        requested_class=payload.pop("requested_class", None),
        audit=payload.pop("audit", {}),
        idempotency_key=item.idempotency_key or "",
        user=item.user,
        api_key=item.api_key,
        received_at=item.received_at,
        phone_protected=(item.phone_cipher, item.phone_digest, item.phone_masked),
        token=item.token,
        **payload,
    )
    grid = refdata.get().grids_by_pk.get(item.grid_id) if item.grid_id else None
    if item.grid_id and grid is None:  # a grid cell made after the snapshot
        grid = (
            type(item)
            .grid.field.related_model.objects.select_related("parent")
            .get(pk=item.grid_id)
        )
    placement = Placement(
        grid,
        point[0] if point else None,
        point[1] if point else None,
        item.building,
        item.placed_how,
    )
    return data, placement, item.received_at


def process_pending(limit: int = BATCH) -> int:
    """Register up to ``limit`` waiting items (oldest first) in one batch; the number done."""
    with transaction.atomic():
        items = list(
            IntakeItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=IntakeItem.Status.PENDING)
            .select_related("api_key", "user", "building")
            .order_by("pk")[:limit]
        )
        if not items:
            return 0
        try:
            with transaction.atomic():
                results = store.store_reports([_input(item) for item in items])
        except Exception:
            log.exception("intake batch of %d failed; registering its items one by one", len(items))
            return _one_by_one(items)
        now = timezone.now()
        for item, result in zip(items, results, strict=True):
            item.status, item.report, item.processed_at = IntakeItem.Status.DONE, result.report, now
        IntakeItem.objects.bulk_update(items, ["status", "report", "processed_at"])
    return len(items)


def _one_by_one(items: list[IntakeItem]) -> int:
    done = 0
    for item in items:
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        result = store.store_reports([_input(item)])[0]
                except IntegrityError:
                    # Its report was stored before (same idempotency key): link to it.
                    result = store.replay(item.idempotency_key) if item.idempotency_key else None
                    if result is None:
                        raise
                item.status, item.report = IntakeItem.Status.DONE, result.report
                item.processed_at = timezone.now()
                item.save(update_fields=["status", "report", "processed_at"])
                done += 1
        except Exception as exc:
            item.attempts += 1
            item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if item.attempts >= MAX_ATTEMPTS:
                item.status = IntakeItem.Status.FAILED
                log.error("intake item %s failed %d times: %s", item.pk, item.attempts, exc)
            IntakeItem.objects.filter(pk=item.pk).update(
                attempts=item.attempts, last_error=item.last_error, status=item.status
            )
    return done


def status() -> dict:
    """The queue at a glance: counts per status, the oldest waiting item's time, and the
    failed items (at most 20, newest first) with their last error."""
    counts = dict(
        IntakeItem.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    oldest = IntakeItem.objects.filter(status=IntakeItem.Status.PENDING).aggregate(
        t=Min("received_at")
    )["t"]
    failed = list(IntakeItem.objects.filter(status=IntakeItem.Status.FAILED).order_by("-pk")[:20])
    return {
        "pending": counts.get(IntakeItem.Status.PENDING, 0),
        "done": counts.get(IntakeItem.Status.DONE, 0),
        "failed": counts.get(IntakeItem.Status.FAILED, 0),
        "oldest_pending": oldest,
        "failed_items": failed,
    }


def retry_failed() -> int:
    """Put the failed items back in the queue (after the cause was fixed); how many."""
    n = IntakeItem.objects.filter(status=IntakeItem.Status.FAILED).update(
        status=IntakeItem.Status.PENDING, attempts=0
    )
    if n:
        log.warning("intake: %d failed items put back in the queue", n)
    return n


def status_of(token) -> IntakeItem | None:
    """The item accepted with this token (a UUID or its text), or None."""
    try:
        key = token if isinstance(token, uuid.UUID) else uuid.UUID(str(token))
    except ValueError:
        return None
    return IntakeItem.objects.filter(token=key).first()
