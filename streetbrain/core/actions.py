"""Domain changes of the core app. Views, API, CLI and tasks call these; each runs in one
transaction and is audited through the change log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation

from . import figures
from .models import ImportJob, KeyFigure, OrgUnit
from .request_id import current_request_id

logger = logging.getLogger(__name__)


def refresh_key_figures() -> int:
    """Recompute every registered key figure for every org unit (street and below, and the
    units above it); returns the number of figures written."""
    units = list(OrgUnit.objects.all())
    now = timezone.now()
    rows = []
    for figure in figures.FIGURES.values():
        values = figure.compute(units)
        rows.extend(
            KeyFigure(org_unit_id=unit_id, key=figure.key, value=value, computed_at=now)
            for unit_id, value in values.items()
        )
    with transaction.atomic():
        KeyFigure.objects.all().delete()
        KeyFigure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def key_figures_for(unit: OrgUnit, user=None) -> list[dict]:
    """The figures of one unit in display order, with their labels and links to the lists
    behind them. With a ``user``, only the figures of lists that user may view, and none of a
    unit outside their own subtree (the street above a grid worker's grid)."""
    from .scoping import within

    if user is not None and not within(user, unit.path):
        return []
    stored = {kf.key: kf for kf in KeyFigure.objects.filter(org_unit=unit)}
    out = []
    for figure in sorted(figures.FIGURES.values(), key=lambda f: f.order):
        if unit.level not in figure.levels:
            continue
        if user is not None and figure.permission and not user.has_perm(figure.permission):
            continue
        if user is not None and figure.unit_scope_only and getattr(user, "department_id", None):
            continue
        kf = stored.get(figure.key)
        out.append(
            {
                "key": figure.key,
                "label": figure.label,
                "unit": figure.unit,
                "value": kf.value if kf else None,
                "computed_at": kf.computed_at if kf else None,
                "link": figure.link,
            }
        )
    return out


def reveal(obj, fields: list[str], user, *, reason: str = "") -> dict[str, str]:
    """Reveal protected fields of ``obj`` to ``user``: checks the permission and the scope,
    writes a 'reveal' entry to the change log (naming the fields, never the values) and returns
    the plain values."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .audit import audit_context, log_change
    from .protected import protected_names, reveal_value
    from .scoping import ensure_in_scope

    model = type(obj)
    permission = getattr(model, "reveal_permission", "")
    if not permission or not user.has_perm(permission):
        raise PermissionDenied(_("You may not see protected personal data."))
    ensure_in_scope(obj, user, "view")
    allowed = set(protected_names(model))
    unknown = [f for f in fields if f not in allowed]
    if unknown or not fields:
        raise ValueError(f"not protected fields of {model.__name__}: {unknown or fields}")
    values = {f: reveal_value(obj, f) for f in fields}
    with audit_context(**({"reason": reason} if reason else {})):
        log_change(obj, "reveal", prechange=None, postchange=None, changed_fields=list(fields))
    return values


# --- import jobs (导入任务) -------------------------------------------------------------------
#
# A page import runs as a background task: the page keeps the uploaded file under
# IMPORT_DIR (private), creates an ImportJob and starts the task after the commit; the task runs
# dataio.run_import, writing its progress to the job row, and stores the report on it.

STALE_AFTER = 24 * 3600  # kept files older than this are removed
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
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


def keep_upload(data: bytes) -> str:
    """Keep an uploaded file (readable by this process's user only); return its name."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale_uploads()
    kind = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    name = f"{uuid.uuid4().hex}.{kind}"
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
    from .tasks import run_import_job

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


def run_import_job(job_id: int) -> str:
    """Run a queued import job (the ``run_import_job`` task); returns its final status, or
    "skipped" for a job that is not queued (done, running, or gone): running a job twice
    imports it once. An exception marks the job failed (and is logged); the kept file is
    removed when the job is done with it."""
    from django.utils.translation import gettext as _

    from .audit import audit_context

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
    from django.utils.translation import gettext as _

    from . import dataio

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
