"""The workflow's background task (registered under the cases app's task names: see
``cases/tasks.py``)."""

from celery import shared_task

from streetbrain.core.audit import audit_context

from . import actions


@shared_task(name="streetbrain.cases.tasks.flag_deadlines", ignore_result=True)
def flag_deadlines() -> dict:
    """Every 5 minutes: refresh lights, warn about cases near their limit, flag overdue ones."""
    with audit_context(source="task"):
        return actions.flag_deadlines()
