"""Background tasks of the cockpit. Idempotent: running one twice gives the same state."""

from celery import shared_task


@shared_task(name="streetbrain.cockpit.tasks.refresh_density", ignore_result=True)
def refresh_density() -> int:
    """Every 15 minutes: the map's case densities of this month and the last."""
    from .density import refresh_recent

    return refresh_recent()
