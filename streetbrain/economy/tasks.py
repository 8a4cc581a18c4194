"""Background tasks of the economy app. Idempotent: running one twice gives the same state."""

from __future__ import annotations

from celery import shared_task

from streetbrain.core.audit import audit_context
from streetbrain.core.months import last_complete_month, parse_month

from . import metrics, rules


@shared_task(name="streetbrain.economy.tasks.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Recompute every month's building-economy figures from the raw rows (about a minute at ten
    times the street's size): late tax records and corrected leases change past months too."""
    with audit_context(source="task"):
        return metrics.refresh_all()


@shared_task(name="streetbrain.economy.tasks.raise_warnings", ignore_result=True)
def raise_warnings(month: str | None = None) -> int:
    """Run the move-out rules as of ``month`` (``YYYY-MM``; default the last complete month)
    and raise or update the warnings above the threshold."""
    as_of = parse_month(month) if month else last_complete_month()
    if as_of is None:
        raise ValueError(f"not a month (YYYY-MM): {month}")
    with audit_context(source="task", actor_name="move-out rules"):
        return len(rules.raise_warnings(as_of))


@shared_task(name="streetbrain.economy.tasks.nightly", ignore_result=True)
def nightly() -> dict:
    """Every night: the figures, then the move-out warnings of the last complete month."""
    return {"figures": refresh_figures(), "warnings": raise_warnings()}
