"""Background tasks of the map and cockpit. Idempotent: running one twice gives the same
state."""

from celery import shared_task

from streetbrain.core import extension_points as ep


def refresh_layers(everything: bool = False) -> int:
    """Recompute what the map layers precompute (``MapLayer.refresh``): the recent months,
    or everything. Rows written."""
    return sum(
        layer.refresh(everything) for layer in ep.items(ep.MapLayer) if layer.refresh is not None
    )


# The task's name is kept from when it refreshed the case densities only: a production
# interface (the beat schedule and queued messages name it).
@shared_task(name="streetbrain.cockpit.tasks.refresh_density", ignore_result=True)
def refresh_density() -> int:
    """Every 15 minutes: the map layers' precomputed figures of this month and the last."""
    return refresh_layers()
