"""The intake queue's worker: ``process_intake`` drains the queue in batches (registered under
the cases app's task names: see ``cases/tasks.py``). ``kick`` starts it when a report is
queued, at most once a second; beat starts it every 30 seconds as a safety net."""

import time

from celery import shared_task
from django.core.cache import cache

from streetbrain.core.audit import audit_context

from . import queue

KICK_KEY = "streetbrain:cases:intake-kick"
KICK_SECONDS = 1
DRAIN_SECONDS = 50.0


@shared_task(name="streetbrain.cases.tasks.process_intake", ignore_result=True)
def process_intake() -> int:
    """Register the reports waiting in the intake queue, in batches, until it is empty. Started
    by incoming reports, and by beat every 30 seconds as a safety net."""
    with audit_context(source="task", actor_name="intake"):
        return drain()


def kick() -> None:
    """Start a worker on the queue unless one was started in the last second."""
    if cache.add(KICK_KEY, 1, timeout=KICK_SECONDS):
        process_intake.delay()


def drain(max_seconds: float = DRAIN_SECONDS) -> int:
    """Process batches until the queue is empty (or ``max_seconds`` passed: then hand over to
    a fresh task, so one task never runs for long)."""
    started, total = time.monotonic(), 0
    while True:
        done = queue.process_pending()
        total += done
        if done == 0:
            # Clear the debounce key *before* the last look: a report accepted after that look
            # finds the key gone and starts a new task, so none waits for the safety net.
            cache.delete(KICK_KEY)
            done = queue.process_pending()
            total += done
            if done == 0:
                return total
        if time.monotonic() - started > max_seconds:
            cache.delete(KICK_KEY)
            kick()
            return total
