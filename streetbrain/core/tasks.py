"""Background tasks of the core app. Idempotent: running one twice gives the same state."""

from celery import shared_task

from .audit import audit_context


@shared_task(name="streetbrain.core.tasks.refresh_key_figures")
def refresh_key_figures() -> int:
    from .actions import refresh_key_figures as refresh

    with audit_context(source="task"):
        return refresh()
