"""Page imports run as background jobs (导入任务): the upload redirects to the job's page, which
polls its progress with HTMX while the job runs and shows the report when it is done. Eager in
the tests; the last test runs a job on a real worker through Redis."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from streetbrain.core import dataio, importjobs
from streetbrain.core.dataio_views import ObjectImportView
from streetbrain.core.models import ChangeLogEntry, ImportJob
from streetbrain.core.tasks import run_import_job
from streetbrain.registry.models import Household

from .conftest import require_service

EAST_GRID = "33021201400101"
OLD_EXCEL = "This is an old Excel (.xls) file: save it as .xlsx or CSV (UTF-8) and try again."


def households_csv(n: int, *, prefix: str = "HH") -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["户号", "网格编码"])
    writer.writerows([f"{prefix}-{i:05d}", EAST_GRID] for i in range(n))
    return buf.getvalue().encode("utf-8-sig")


def upload(data: bytes, name: str = "households.csv") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


IMPORT_URL = "/registry/households/import/"


@pytest.fixture
def worker(tree, make_user):
    return make_user("east-worker", role="gridworker", unit=tree["east"])


@pytest.fixture
def media(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return tmp_path / "imports"


def _start(client, data, *, on_commit, dry_run=False, name="households.csv", **extra):
    """Upload a file; the job's task is captured, not run. Returns the response and the task
    starters."""
    form = {"file": upload(data, name), "_change_reason": "年度核查"}
    if dry_run:
        form["dry_run"] = "on"
    with on_commit() as callbacks:
        response = client.post(IMPORT_URL, form, **extra)
    return response, callbacks


def test_job_goes_from_queued_to_done_with_progress(
    client, worker, media, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    response, callbacks = _start(
        client, households_csv(1200), on_commit=django_capture_on_commit_callbacks
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:household_import_job", args=[job.pk])
    assert job.status == "queued" and job.user == worker and not job.dry_run
    assert job.reason == "年度核查" and job.original_name == "households.csv"
    assert str(job.request_id) == response["X-Request-ID"]
    assert job.max_rows == ObjectImportView.max_rows == 200_000
    assert [p.name for p in media.iterdir()] == [job.file_name]
    page = client.get(response.url)
    assert page.status_code == 200 and 'id="import-progress"' in page.content.decode()
    assert not Household.objects.exists()

    # Every progress write is committed on the job row as the task goes (throttle off here).
    seen = []
    monkeypatch.setattr(importjobs, "PROGRESS_INTERVAL", 0)
    make_writer = importjobs._progress_writer

    def spy(job_id):
        write = make_writer(job_id)

        def recorded(done, total):
            write(done, total)
            row = ImportJob.objects.get(pk=job_id)
            seen.append((row.status, row.done_rows, row.total_rows))

        return recorded

    monkeypatch.setattr(importjobs, "_progress_writer", spy)
    assert len(callbacks) == 1
    callbacks[0]()

    assert seen == [
        ("running", 500, 1200),
        ("running", 1000, 1200),
        ("running", 1200, 1200),
    ]
    job.refresh_from_db()
    assert job.status == "done" and job.ok and job.written
    assert job.total_rows == job.done_rows == 1200
    assert job.started_at <= job.finished_at
    assert job.report["created"] == 1200 and job.report["errors"] == []
    assert job.report["request_id"] == str(job.request_id)
    assert Household.objects.count() == 1200
    assert not list(media.iterdir())  # a real run removes its file
    # The change log joins the upload's request: who, why and the request id of the page.
    household_type = ContentType.objects.get_for_model(Household)
    entries = ChangeLogEntry.objects.filter(content_type=household_type)
    assert entries.count() == 1200
    assert set(entries.values_list("request_id", "source", "user", "reason")) == {
        (job.request_id, "import", worker.pk, "年度核查")
    }
    html = client.get(response.url).content.decode()
    assert 'id="import-counts"' in html and f"?request_id={job.request_id}" in html


def test_job_page_of_another_user_is_404(
    client, worker, media, make_user, tree, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    response, _callbacks = _start(
        client, households_csv(3), on_commit=django_capture_on_commit_callbacks, dry_run=True
    )
    url = response.url
    assert client.get(url).status_code == 200
    colleague = make_user("colleague", role="gridworker", unit=tree["east"])
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    # The job of another type's page is not found either.
    job = ImportJob.objects.get()
    client.force_login(worker)
    assert client.get(f"/registry/buildings/import/jobs/{job.pk}/").status_code == 404
    # Without the import permission: refused; a superuser sees every job.
    client.force_login(make_user("leader", role="leader", unit=tree["street"]))
    assert client.get(url).status_code == 403
    client.force_login(make_user("root", superuser=True))
    assert client.get(url).status_code == 200
    assert list(ImportJob.visible_to(colleague)) == []
    assert list(ImportJob.visible_to(worker)) == [job]


def test_unreadable_file_gives_a_clear_report(
    client, worker, media, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    response, callbacks = _start(
        client, xls, on_commit=django_capture_on_commit_callbacks, name="households.csv"
    )
    callbacks[0]()
    job = ImportJob.objects.get()
    assert job.status == "done" and not job.ok
    with translation.override("zh-hans"):
        message = gettext(OLD_EXCEL)
    assert message != OLD_EXCEL
    assert job.report["errors"] == [{"row": None, "column": "", "message": message}]
    html = client.get(response.url).content.decode()
    assert 'id="import-errors"' in html and message in html and "hx-trigger" not in html
    assert not list(media.iterdir())


def test_report_is_in_the_language_of_the_upload(
    client, worker, media, django_capture_on_commit_callbacks
):
    """The task runs later, elsewhere: it writes the messages in the uploader's language."""
    client.force_login(worker)
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    _response, callbacks = _start(
        client, xls, on_commit=django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en"
    )
    with translation.override("zh-hans"):
        callbacks[0]()
    job = ImportJob.objects.get()
    assert job.language == "en"
    assert job.report["errors"][0]["message"] == OLD_EXCEL


def test_failing_task_marks_the_job_failed(
    client, worker, media, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    response, callbacks = _start(
        client, households_csv(3), on_commit=django_capture_on_commit_callbacks
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(dataio, "run_import", broken)
    with caplog.at_level("ERROR", logger="streetbrain.core.importjobs"):
        callbacks[0]()
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.finished_at and not job.ok
    assert "disk on fire" not in job.report["message"]  # the details are for the log
    assert str(job.request_id) in job.report["message"]
    assert any(
        "import job" in r.getMessage() and r.exc_info and "disk on fire" in str(r.exc_info[1])
        for r in caplog.records
    )
    html = client.get(response.url).content.decode()
    assert job.report["message"] in html and "hx-trigger" not in html
    assert not list(media.iterdir())
    assert not Household.objects.exists()


def test_status_section_polls_while_running_and_stops_when_done(
    client, worker, media, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    response, callbacks = _start(
        client, households_csv(3), on_commit=django_capture_on_commit_callbacks, dry_run=True
    )
    url = response.url
    partial = client.get(url, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{url}"' in html
    assert "HX-Request" in partial["Vary"] and "no-cache" in partial["Cache-Control"]
    page = client.get(url).content.decode()
    assert "<html" in page and 'hx-trigger="every 1s"' in page

    ImportJob.objects.filter(pk=ImportJob.objects.get().pk).update(
        status="running", total_rows=3, done_rows=1
    )
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'max="3" value="1"' in html and 'hx-trigger="every 1s"' in html

    ImportJob.objects.update(status="queued", total_rows=0, done_rows=0)
    callbacks[0]()
    for html in (
        client.get(url, HTTP_HX_REQUEST="true").content.decode(),
        client.get(url).content.decode(),
    ):
        assert "hx-trigger" not in html and "hx-get" not in html
        assert 'id="import-preview"' in html and 'name="token"' in html


def test_task_is_idempotent(client, worker, media, django_capture_on_commit_callbacks):
    client.force_login(worker)
    _start(client, households_csv(5), on_commit=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert run_import_job(job.pk) == "done"
    logged = ChangeLogEntry.objects.count()
    finished = ImportJob.objects.get().finished_at
    # Run again (a redelivered message, a double click): nothing happens.
    assert run_import_job.delay(job.pk).get() == "skipped"
    assert run_import_job(job.pk) == "skipped"
    assert Household.objects.count() == 5 and ChangeLogEntry.objects.count() == logged
    assert ImportJob.objects.get().finished_at == finished
    # A running job is not started a second time either, nor a job that is gone.
    ImportJob.objects.update(status="running")
    assert run_import_job(job.pk) == "skipped"
    assert run_import_job(job.pk + 1000) == "skipped"


def test_confirmed_check_is_imported_once(
    client, worker, media, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    response, callbacks = _start(
        client, households_csv(4), on_commit=django_capture_on_commit_callbacks, dry_run=True
    )
    callbacks[0]()
    checked = ImportJob.objects.get()
    assert checked.confirmable and (media / checked.file_name).is_file()
    html = client.get(response.url).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(IMPORT_URL, {"token": token, "_change_reason": "确认"})
    real = ImportJob.objects.get(dry_run=False)
    assert confirmed.status_code == 302 and confirmed.url.endswith(f"/jobs/{real.pk}/")
    assert real.file_name == checked.file_name and real.status == "done" and real.written
    assert real.reason == "确认" and Household.objects.count() == 4
    assert not list(media.iterdir())
    # The check's page now links to its import instead of offering the button again.
    html = client.get(response.url).content.decode()
    assert 'name="token"' not in html and confirmed.url in html
    # A second confirmation of the same check (a second tab) is refused.
    assert client.post(IMPORT_URL, {"token": token}).status_code == 400
    assert importjobs.confirm_import_job(checked, worker) is None
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    # The import page lists the user's recent jobs.
    page = client.get(IMPORT_URL).content.decode()
    assert response.url in page and confirmed.url in page


# --- a real worker ---------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_job_runs_on_a_real_worker_and_its_progress_is_visible(
    client, tree, make_user, settings, tmp_path, monkeypatch
):
    """The page's request only creates the job; a worker takes it from Redis and runs it,
    committing its progress as it goes, so another connection (the polling page) sees it.

    The worker is held after its first progress write while this thread looks; otherwise this
    thread stays off the database while the worker writes (the test database is SQLite's
    shared-cache memory database, where a concurrent reader makes a writer fail at once)."""
    require_service("Redis", "127.0.0.1", 6379)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from streetbrain.celery import app

    settings.IMPORT_DIR = tmp_path
    worker_user = make_user("east-worker", role="gridworker", unit=tree["east"])
    client.force_login(worker_user)

    written, release, finished = threading.Event(), threading.Event(), threading.Event()
    make_writer = importjobs._progress_writer
    main_thread = threading.get_ident()

    def held(job_id):
        write = make_writer(job_id)

        def progress(done, total):
            write(done, total)
            if done < total and not written.is_set():
                assert threading.get_ident() != main_thread  # it runs in the worker
                written.set()
                release.wait(timeout=30)

        return progress

    def on_postrun(sender=None, **kwargs):
        if sender is not None and sender.name == run_import_job.name:
            finished.set()

    monkeypatch.setattr(importjobs, "_progress_writer", held)
    task_postrun.connect(on_postrun, weak=False)
    url = "redis://127.0.0.1:6379/15"
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            response = client.post(IMPORT_URL, {"file": upload(households_csv(1500))})
            assert response.status_code == 302
            try:
                assert written.wait(timeout=30), "the worker did not report progress"
                job = ImportJob.objects.get()
                assert (job.status, job.done_rows, job.total_rows) == ("running", 500, 1500)
                html = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
                assert 'max="1500" value="500"' in html and 'hx-trigger="every 1s"' in html
                assert not Household.objects.exists()
            finally:
                release.set()
            assert finished.wait(timeout=30), "the worker did not finish the job"
        job.refresh_from_db()
        assert job.status == "done", job.report
        assert job.total_rows == job.done_rows == 1500 and job.report["created"] == 1500
        assert Household.objects.count() == 1500
        html = client.get(response.url).content.decode()
        assert 'id="import-counts"' in html and "hx-trigger" not in html
    finally:
        task_postrun.disconnect(on_postrun)
        app.conf.update(task_always_eager=True)


def test_uploads_are_kept_outside_media_root():
    from django.conf import settings as django_settings

    from streetbrain.settings import base

    assert not str(base.IMPORT_DIR).startswith(str(base.MEDIA_ROOT))
    assert django_settings.IMPORT_DIR != django_settings.MEDIA_ROOT
