"""Background tasks of the core app. Idempotent: running one twice gives the same state.

``run_import_job`` is declared in ``importjobs.py`` beside the functions that start it;
importing it here registers it with the workers, which import every app's ``tasks``."""

from celery import shared_task

from . import extension_points as ep
from . import figures
from .audit import audit_context
from .importjobs import run_import_job

__all__ = ["refresh_key_figures", "run_import_job", "schedule_periodic_tasks"]


@shared_task(name="streetbrain.core.tasks.refresh_key_figures")
def refresh_key_figures() -> int:
    with audit_context(source="task"):
        return figures.refresh_key_figures()


def schedule_periodic_tasks() -> None:
    """Add the apps' declared periodic tasks (``PeriodicTask``) to Celery beat's schedule,
    beside what the settings schedule (``CELERY_BEAT_SCHEDULE``, which wins on a clash)."""
    from django.conf import settings

    from streetbrain.celery import app

    schedule = dict(getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {})
    for item in ep.items(ep.PeriodicTask):
        schedule.setdefault(item.key, {"task": item.task, "schedule": item.seconds})
    app.conf.beat_schedule = schedule
