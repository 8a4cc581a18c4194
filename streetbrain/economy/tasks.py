"""Background tasks of the economy app. Idempotent: running one twice gives the same state."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from streetbrain.core.audit import audit_context


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The month before ``today``'s: the latest month the bureaus have reported."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@shared_task(name="streetbrain.economy.tasks.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Recompute every month's building-economy figures from the raw rows (about a minute at ten
    times the street's size): late tax records and corrected leases change past months too."""
    from .metrics import refresh_all

    with audit_context(source="task"):
        return refresh_all()


@shared_task(name="streetbrain.economy.tasks.raise_warnings", ignore_result=True)
def raise_warnings(month: str | None = None) -> int:
    """Run the move-out rules as of ``month`` (``YYYY-MM``; default the last complete month)
    and raise or update the warnings above the threshold."""
    from .metrics import parse_month
    from .rules import raise_warnings as run

    with audit_context(source="task", actor_name="move-out rules"):
        return len(run(parse_month(month) if month else last_complete_month()))


@shared_task(name="streetbrain.economy.tasks.nightly", ignore_result=True)
def nightly() -> dict:
    """Every night: the figures, then the move-out warnings of the last complete month."""
    return {"figures": refresh_figures(), "warnings": raise_warnings()}
