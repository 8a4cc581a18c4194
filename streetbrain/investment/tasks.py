"""招商's periodic work: the whitelist recomputed every night from the economy's new figures
(idempotent: each run is a new computation; nothing published changes)."""

from celery import shared_task

from streetbrain.core.audit import audit_context

from . import whitelist


@shared_task(name="streetbrain.investment.tasks.recompute")
def recompute() -> str:
    with audit_context(source="task"):
        run = whitelist.compute()
    return (
        "no tax data" if run is None else f"whitelist run {run.pk}: {run.entries.count()} entries"
    )
