"""The evaluation's background task (registered under the cases app's task names: see
``cases/tasks.py``)."""

from celery import shared_task

from streetbrain.core.audit import audit_context

from . import stats


@shared_task(name="streetbrain.cases.tasks.refresh_stats", ignore_result=True)
def refresh_stats() -> int:
    """Every 15 minutes: recompute the evaluation figures of the current and previous month."""
    with audit_context(source="task"):
        return stats.refresh_recent()
