"""Import jobs (导入任务): a page import runs as a background task. The page keeps the uploaded
file under IMPORT_DIR (private), creates an ImportJob and starts the task after the commit; the
task runs dataio.run_import, writing its progress to the job row, and stores the report on it.

The task is declared here, beside the functions that start it and the one it runs, so that
neither imports the other in a circle; ``tasks.py`` imports this module for the workers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import dataio, filetypes
from .audit import audit_context
from .models import ImportJob
from .request_id import current_request_id

logger = logging.getLogger(__name__)

STALE_AFTER = 24 * 3600  # kept files older than this are removed
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx|xls)$")
PREVIEW_LIMIT = 200  # preview rows a job's report keeps
ERROR_LIMIT = 1000  # errors a job's report keeps
PROGRESS_INTERVAL = 1.0  # seconds between progress writes (run_import reports every 500 rows)


def upload_dir() -> Path:
    return Path(settings.IMPORT_DIR)


def remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_AFTER
    for path in upload_dir().glob("*"):
        try:
            if UPLOAD_NAME.match(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def upload_type(data: bytes) -> filetypes.FileType | None:
    """What an import file is by its content: XLSX, the old XLS (the reader explains that it
    cannot read it), CSV text; None for anything else (a photo, a PDF …)."""
    kind = filetypes.sniff(data[: filetypes.HEAD_BYTES])
    if kind in (filetypes.XLSX, filetypes.XLS):
        return kind
    return filetypes.CSV if filetypes.is_text(data) else None


def keep_upload(data: bytes) -> str:
    """Keep an uploaded file (readable by this process's user only) under the extension of
    its type; return its name."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale_uploads()
    kind = upload_type(data) or filetypes.CSV  # the job reports what it cannot read
    name = f"{uuid.uuid4().hex}.{kind.extension}"
    path = directory / name
    path.touch(mode=0o600)
    path.write_bytes(data)
    return name


def start_import_job(
    spec_key: str,
    data: bytes,
    user,
    *,
    dry_run: bool,
    reason: str = "",
    original_name: str = "",
    max_rows: int | None = None,
    request_id: uuid.UUID | None = None,
    remote_addr: str | None = None,
) -> ImportJob:
    """Keep the file, create the job and start its task once the job is committed."""
    job = ImportJob.objects.create(
        spec_key=spec_key,
        user=user,
        file_name=keep_upload(data),
        original_name=original_name[:255],
        dry_run=dry_run,
        reason=reason[:500],
        max_rows=max_rows,
        request_id=request_id,
        remote_addr=remote_addr,
        language=translation.get_language() or "",
    )
    _enqueue(job)
    return job


def confirm_import_job(
    checked: ImportJob,
    user,
    *,
    reason: str = "",
    request_id: uuid.UUID | None = None,
    remote_addr: str | None = None,
) -> ImportJob | None:
    """Import the file that the dry run ``checked`` checked, as a new job; None if that is no
    longer possible (not ``user``'s passed check, the file gone, or confirmed already)."""
    if (
        checked.user_id != user.pk
        or not checked.confirmable
        or not UPLOAD_NAME.match(checked.file_name)
        or not (upload_dir() / checked.file_name).is_file()
    ):
        return None
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                spec_key=checked.spec_key,
                user=user,
                file_name=checked.file_name,
                original_name=checked.original_name,
                dry_run=False,
                reason=reason[:500],
                max_rows=checked.max_rows,
                request_id=request_id,
                remote_addr=remote_addr,
                language=translation.get_language() or "",
            )
    except IntegrityError:  # the file has its real run already (importjob_one_real_run_per_file)
        return None
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    # After the commit: the worker must find the job row.
    transaction.on_commit(lambda: run_import_job.delay(job.pk))


def _progress_writer(job_id: int) -> Callable[[int, int], None]:
    """run_import's progress callback: writes done/total to the job row, at most once per
    PROGRESS_INTERVAL (and always the last call). run_import calls it while it checks the rows
    and after its write transaction, never inside it, so each update commits at once and the
    page polling from another connection sees it. Progress is best effort: a failed write is
    logged, not raised (run_import's last call comes after its commit)."""
    last = float("-inf")

    def write(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < PROGRESS_INTERVAL:
            return
        last = now
        try:
            ImportJob.objects.filter(pk=job_id).update(done_rows=done, total_rows=total)
        except DatabaseError:  # the bar may lag; the import itself must not fail for it
            logger.warning("import job %s: progress not written", job_id, exc_info=True)

    return write


def import_report_data(report) -> dict:
    """An ImportReport as the JSON a job keeps (errors and preview rows capped)."""
    return {
        "ok": report.ok,
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "error_count": len(report.errors),
        "errors": [
            {"row": e.row, "column": str(e.column), "message": str(e.message)}
            for e in report.errors[:ERROR_LIMIT]
        ],
        "preview_count": len(report.preview),
        "preview": [
            {
                "row": p.row,
                "action": p.action,
                "object": str(p.object),
                "changes": [[str(c) for c in change] for change in p.changes],
            }
            for p in report.preview[:PREVIEW_LIMIT]
        ],
        "request_id": str(report.request_id) if report.request_id else None,
    }


def run_job(job_id: int) -> str:
    """Run a queued import job (the ``run_import_job`` task); returns its final status, or
    "skipped" for a job that is not queued (done, running, or gone): running a job twice
    imports it once. An exception marks the job failed (and is logged); the kept file is
    removed when the job is done with it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    log_token = current_request_id.set(str(job.request_id or "-"))
    try:
        with (
            translation.override(job.language or settings.LANGUAGE_CODE),
            audit_context(
                source="import",
                user=job.user,
                reason=job.reason,
                # The upload's request id: the change log's entries of this import join it.
                request_id=job.request_id or uuid.uuid4(),
                remote_addr=job.remote_addr,
                request=None,
            ),
        ):
            try:
                job.status, job.report = _run_import(job)
            except Exception:
                logger.exception("import job %s (%s) failed", job.pk, job.spec_key)
                job.status = ImportJob.Status.FAILED
                job.report = {
                    "message": _(
                        "The import stopped because of an internal error; nothing was written. "
                        "Try again later, and if it happens again, tell the administrator the "
                        "request id %(request_id)s."
                    )
                    % {"request_id": job.request_id or "-"}
                }
    finally:
        current_request_id.reset(log_token)
    done = {"status": job.status, "report": job.report, "finished_at": timezone.now()}
    if job.status == ImportJob.Status.DONE:
        done["total_rows"] = done["done_rows"] = job.report["total"]
    ImportJob.objects.filter(pk=job.pk).update(**done)
    if not job.confirmable and UPLOAD_NAME.match(job.file_name):
        # A passed check keeps its file for the confirmation; other jobs are done with it.
        try:
            (upload_dir() / job.file_name).unlink(missing_ok=True)
        except OSError:
            logger.warning("import job %s: cannot remove %s", job.pk, job.file_name)
    return job.status


def _run_import(job: ImportJob) -> tuple[str, dict]:
    path = upload_dir() / job.file_name
    if not UPLOAD_NAME.match(job.file_name) or not path.is_file():
        return ImportJob.Status.FAILED, {
            "message": _("The uploaded file is no longer available: upload it again.")
        }
    spec = dataio.get_spec(job.spec_key)
    raw = path.read_bytes()
    try:
        table = dataio.read_table(raw)
    except dataio.FileFormatError:
        table = raw  # run_import reports it, as it reports every file it cannot read
    else:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))
    report = dataio.run_import(
        spec,
        table,
        job.user,
        dry_run=job.dry_run,
        reason=job.reason,
        progress=_progress_writer(job.pk),
        max_rows=job.max_rows,
    )
    return ImportJob.Status.DONE, import_report_data(report)


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
    return run_job(job_id)
