"""Background tasks of the cases app. Idempotent: running one twice gives the same state."""

from celery import shared_task

from streetbrain.core.audit import audit_context


@shared_task(name="streetbrain.cases.tasks.flag_deadlines", ignore_result=True)
def flag_deadlines() -> dict:
    """Every 5 minutes: refresh lights, warn about cases near their limit, flag overdue ones."""
    from .actions import flag_deadlines as flag

    with audit_context(source="task"):
        return flag()


@shared_task(name="streetbrain.cases.tasks.refresh_stats", ignore_result=True)
def refresh_stats() -> int:
    """Every 15 minutes: recompute the evaluation figures of the current and previous month."""
    from .evaluation import refresh_recent

    with audit_context(source="task"):
        return refresh_recent()


@shared_task(name="streetbrain.cases.tasks.process_intake", ignore_result=True)
def process_intake() -> int:
    """Register the reports waiting in the intake queue, in batches, until it is empty. Started
    by incoming reports, and by beat every 30 seconds as a safety net."""
    from .intake_queue import drain

    with audit_context(source="task", actor_name="intake"):
        return drain()
