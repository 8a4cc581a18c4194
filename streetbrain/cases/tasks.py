"""Background tasks of the cases app. Idempotent: running one twice gives the same state.

Celery's ``autodiscover_tasks`` imports ``<app>.tasks``: the parts' task modules are imported
here so that a worker registers them. Every task keeps its registered name
``streetbrain.cases.tasks.<name>`` wherever it is defined, because queued messages and the
beat schedule (``CELERY_BEAT_SCHEDULE``) refer to it by that name."""

from celery import shared_task

from streetbrain.core.audit import audit_context

from .evaluation import tasks as evaluation_tasks
from .intake import tasks as intake_tasks


@shared_task(name="streetbrain.cases.tasks.flag_deadlines", ignore_result=True)
def flag_deadlines() -> dict:
    """Every 5 minutes: refresh lights, warn about cases near their limit, flag overdue ones."""
    from .actions import flag_deadlines as flag

    with audit_context(source="task"):
        return flag()


__all__ = ["evaluation_tasks", "intake_tasks"]
