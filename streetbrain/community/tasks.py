"""Celery tasks of the community platform (idempotent)."""

from celery import shared_task

from . import actions


@shared_task(name="streetbrain.community.tasks.mark_no_shows")
def mark_no_shows() -> int:
    """Bookings not checked in 15 minutes after their start become no-shows."""
    return actions.mark_no_shows()
