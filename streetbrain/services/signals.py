"""The matching follows an enterprise's data: when a row the profile is built from changes
(the enterprise itself, its leases, its monthly tax and headcount, its facts), the matching
task recomputes that enterprise's verdicts after the transaction commits — one task per
transaction for all the enterprises it touched (eager in the demo and the tests, a Celery
task in production).

Rows saved one by one send the model signals (the same ones the change log records from);
imports write in bulk and send ``core.dataio.imported`` instead. The receivers only collect
ids: the work is the task's, never the signal's (Saleor's rule: side effects on commit).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from streetbrain.core.dataio import imported
from streetbrain.economy.models import Enterprise, HeadcountRecord, Lease, TaxRecord

from . import tasks
from .models import Clause, EnterpriseFacts

# Model → the attribute naming the enterprise a row belongs to.
SOURCES = {
    Enterprise: "pk",
    Lease: "enterprise_id",
    TaxRecord: "enterprise_id",
    HeadcountRecord: "enterprise_id",
    EnterpriseFacts: "enterprise_id",
}


class _Batch:
    """The enterprises changed in one transaction, recomputed once when it commits."""

    def __init__(self):
        self.ids: set[int] = set()

    def __call__(self) -> None:
        ids, self.ids = sorted(self.ids), set()
        if ids and Clause.objects.filter(current=True).exists():
            tasks.recompute.delay(enterprise_ids=ids)


def enterprises_changed(enterprise_ids, using: str | None = None) -> None:
    """Recompute the matches of ``enterprise_ids`` once the current transaction commits
    (at once outside a transaction; not at all if it rolls back)."""
    ids = {int(i) for i in enterprise_ids if i is not None}
    if not ids:
        return
    conn = transaction.get_connection(using)
    batch = getattr(conn, "_services_batch", None)
    # The batch is reused while it waits for the commit of the same (save)point: a batch
    # that ran, or was rolled back with its savepoint, is gone from the connection's list.
    here = set(conn.savepoint_ids)
    waiting = batch is not None and any(
        entry[1] is batch and entry[0] == here for entry in getattr(conn, "run_on_commit", ())
    )
    if not waiting:
        batch = conn._services_batch = _Batch()
        batch.ids |= ids
        transaction.on_commit(batch, using=using)
    else:
        batch.ids |= ids


def _on_row(sender, instance, raw=False, using=None, **kwargs):
    if raw:  # fixtures
        return
    enterprises_changed([getattr(instance, SOURCES[sender])], using)


def _on_import(sender, objects=(), **kwargs):
    attribute = SOURCES.get(sender)
    if attribute is not None:
        enterprises_changed(getattr(obj, attribute) for obj in objects)


def connect() -> None:
    for model in SOURCES:
        uid = f"services-recompute-{model._meta.label_lower}"
        post_save.connect(_on_row, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_row, sender=model, dispatch_uid=f"{uid}-delete")
    imported.connect(_on_import, dispatch_uid="services-recompute-import")
