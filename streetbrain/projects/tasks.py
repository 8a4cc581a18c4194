"""The projects' periodic work: escalate the hard cases past their deadline (hourly)."""

from celery import shared_task

from streetbrain.core.audit import audit_context


@shared_task(name="streetbrain.projects.tasks.escalate")
def escalate() -> int:
    from .actions import escalate_overdue

    with audit_context(source="task"):
        return escalate_overdue()
