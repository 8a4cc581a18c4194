"""Background tasks of the cases app. Idempotent: running one twice gives the same state.

Celery's ``autodiscover_tasks`` imports ``<app>.tasks``; each part defines its tasks in its
own ``tasks`` module, imported here so that a worker registers them:

- ``process_intake`` (``intake/tasks.py``): drains the intake queue, on demand and every 30 s;
- ``flag_deadlines`` (``workflow/tasks.py``): lights, warnings and overdue flags, every 5 min;
- ``refresh_stats`` (``evaluation/tasks.py``): the evaluation figures, every 15 min.

Every task keeps its registered name ``streetbrain.cases.tasks.<name>`` wherever it is
defined, because queued messages and the beat schedule (``CELERY_BEAT_SCHEDULE``) refer to
it by that name."""

from .evaluation import tasks as evaluation_tasks
from .intake import tasks as intake_tasks
from .workflow import tasks as workflow_tasks

__all__ = ["evaluation_tasks", "intake_tasks", "workflow_tasks"]
