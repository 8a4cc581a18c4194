"""Background tasks of the core app. Idempotent: running one twice gives the same state."""

from celery import shared_task
from django.db import OperationalError

from .audit import audit_context


@shared_task(name="streetbrain.core.tasks.refresh_key_figures")
def refresh_key_figures() -> int:
    from .actions import refresh_key_figures as refresh

    with audit_context(source="task"):
        return refresh()


# The job row is the result (status, progress, report): nothing to keep in the result backend.
# A busy database (a lock held by the request that queued the job, a failover) is retried with
# backoff: the task is idempotent, and a job whose claim failed is still queued.
@shared_task(
    name="streetbrain.core.tasks.run_import_job",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=5,
)
def run_import_job(job_id: int) -> str:
    """Run an import job started on a page (idempotent: a job that is not queued is skipped).
    The job sets its own audit context: the uploader, the reason and the upload's request id."""
    from .actions import run_import_job as run

    return run(job_id)
