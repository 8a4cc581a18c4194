"""The intake queue: Open311 reports accepted at once with a token and registered in batches
(by a Celery task in production, inside the request in the demo and the tests)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from streetbrain.cases.intake import queue, store, tasks
from streetbrain.cases.intake.actions import accept
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Case, IntakeItem, Report
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.protected import digest, reveal_value

from .test_open311 import BASE, EAST, GARBAGE, RIVER, o311, post  # noqa: F401

NEAR_EAST = (EAST[0] + 0.0002, EAST[1] + 0.0001)  # about 20 m away


@pytest.fixture
def queued(o311, settings, monkeypatch):  # noqa: F811
    """Production's way: accepting does not register; a task is started instead."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    kicks = []
    monkeypatch.setattr(
        "streetbrain.cases.intake.tasks.process_intake.delay", lambda: kicks.append(1)
    )
    cache.delete(tasks.KICK_KEY)
    return {**o311, "kicks": kicks}


def answer(response) -> dict:
    assert response.status_code == 200, response.content.decode()
    (data,) = json.loads(response.content)
    return data


def test_a_queued_post_answers_with_a_token_and_registers_nothing_yet(
    queued, django_capture_on_commit_callbacks
):
    client = queued["client"]
    with django_capture_on_commit_callbacks(execute=True):
        data = answer(post(client, phone="13812345678", device_id="q-1"))
    assert set(data) == {"token", "service_notice", "account_id"}
    assert "service_request_id" not in data
    item = IntakeItem.objects.get(token=uuid.UUID(data["token"]))
    assert item.status == IntakeItem.Status.PENDING and item.report is None
    assert item.grid == queued["east_grid"]  # placed when accepted
    # The phone is protected in the queue as on reports: never in the payload in clear.
    assert "13812345678" not in json.dumps(item.payload)
    assert item.phone == "138****5678" and reveal_value(item, "phone") == "13812345678"
    assert Report.objects.count() == 0 and Case.objects.count() == 0
    assert queued["kicks"] == [1]
    # The token says "not registered yet": a token and no id.
    pending = json.loads(client.get(f"{BASE}tokens/{data['token']}.json").content)
    assert pending == [{"token": data["token"]}]


def test_processing_registers_the_queue_and_the_token_then_names_the_request(queued):
    client = queued["client"]
    token = answer(post(client, phone="13812345678", device_id="q-2"))["token"]
    assert queue.process_pending() == 1
    item = IntakeItem.objects.get(token=token)
    report = item.report
    assert item.status == IntakeItem.Status.DONE and item.processed_at is not None
    assert report.token == item.token and report.device_id == "q-2"
    assert report.phone_digest == digest("13812345678") and report.phone == "138****5678"
    assert report.case.org_unit == queued["east_grid"] and report.case.number.isdigit()
    assert report.received_at == item.received_at
    assert json.loads(client.get(f"{BASE}tokens/{token}.json").content) == [
        {"service_request_id": str(report.pk), "token": token}
    ]
    # The change log names the Open311 client, although a background batch wrote it.
    entry = ChangeLogEntry.objects.get(content_type__model="report", object_id=str(report.pk))
    assert (entry.source, entry.user_name) == ("api", "open311:市民通 App")
    assert queue.process_pending() == 0


def test_one_batch_merges_two_reports_of_one_incident_into_one_case(queued):
    client = queued["client"]
    answer(post(client, device_id="a"))
    answer(post(client, device_id="b", lat=str(NEAR_EAST[1]), long=str(NEAR_EAST[0])))
    answer(post(client, device_id="c", lat=str(RIVER[1]), long=str(RIVER[0])))
    assert queue.process_pending() == 3
    a, b, c = (Report.objects.get(device_id=d) for d in "abc")
    assert a.case == b.case != c.case
    assert a.is_primary and not b.is_primary and b.merge_score > 0.5
    assert a.case.report_count == 2 and c.case.report_count == 1
    assert Case.objects.count() == 2
    # A later batch merges into the case opened by the earlier one (in the database now).
    answer(post(client, device_id="d"))
    assert queue.process_pending() == 1
    d = Report.objects.get(device_id="d")
    assert d.case == a.case and Case.objects.get(pk=a.case_id).report_count == 3
    assert list(a.case.events.values_list("action", flat=True)) == ["report", "merge", "merge"]


def test_a_replayed_post_returns_the_same_token_then_the_same_request(queued):
    client = queued["client"]
    headers = {"Idempotency-Key": "k-1"}
    first = answer(post(client, headers=headers))
    again = post(client, headers=headers)
    assert answer(again)["token"] == first["token"] and again["Idempotent-Replayed"] == "true"
    assert IntakeItem.objects.count() == 1
    queue.process_pending()
    after = answer(post(client, headers=headers))
    report = Report.objects.get()
    assert after["service_request_id"] == str(report.pk) and "token" not in after
    assert IntakeItem.objects.count() == 1 and Report.objects.count() == 1


def test_a_point_outside_the_street_is_refused_when_accepted(queued):
    response = post(queued["client"], lat="29.90", long="121.70")
    assert response.status_code == 400
    assert IntakeItem.objects.count() == 0 and queued["kicks"] == []


def test_kicks_are_debounced_and_the_drain_empties_the_queue(
    queued, django_capture_on_commit_callbacks
):
    client = queued["client"]
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            answer(post(client, device_id=f"k{i}", lat=str(RIVER[1]), long=str(RIVER[0])))
    assert queued["kicks"] == [1]  # one task for a burst
    assert tasks.drain() == 3
    assert not IntakeItem.objects.filter(status="pending").exists()
    # The drain cleared the debounce key: the next report starts a task again.
    with django_capture_on_commit_callbacks(execute=True):
        answer(post(client, device_id="k9"))
    assert queued["kicks"] == [1, 1]


def test_a_bad_item_does_not_hold_back_the_batch_and_fails_after_retries(queued, monkeypatch):
    client = queued["client"]
    for name in ("good-1", "bad", "good-2"):
        answer(post(client, device_id=name, lat=str(RIVER[1]), long=str(RIVER[0])))
    real = store.store_reports

    def flaky(items):
        if any(data.device_id == "bad" for data, _p, _n in items):
            raise RuntimeError("disk on fire")
        return real(items)

    monkeypatch.setattr(store, "store_reports", flaky)
    assert queue.process_pending() == 2
    bad = IntakeItem.objects.get(payload__device_id="bad")
    assert bad.status == "pending" and bad.attempts == 1 and "disk on fire" in bad.last_error
    assert set(Report.objects.values_list("device_id", flat=True)) == {"good-1", "good-2"}
    for _ in range(queue.MAX_ATTEMPTS - 1):
        queue.process_pending()
    bad.refresh_from_db()
    assert bad.status == "failed" and bad.attempts == queue.MAX_ATTEMPTS
    assert queue.process_pending() == 0  # a failed item is not taken again
    response = client.get(f"{BASE}tokens/{bad.token}.json")
    assert response.status_code == 404


def test_the_queue_refuses_what_it_cannot_carry(db):
    with pytest.raises(ValueError):
        accept(ReportInput(channel="open311", description="x", photos=[object()]))


def test_in_the_demo_a_post_is_registered_inside_the_request(o311):  # noqa: F811
    data = answer(post(o311["client"]))
    assert "token" not in data
    report = Report.objects.get(pk=int(data["service_request_id"]))
    assert report.intake_item.status == "done" and report.token == report.intake_item.token


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_drains_the_queue_through_redis(case_world, settings):
    """Production's path end to end: the request commits the item and starts the task through
    Redis; a real worker registers it."""
    import time

    from celery.contrib.testing.worker import start_worker

    from streetbrain.cases.channels.open311 import keys
    from streetbrain.celery import app

    from .conftest import require_service

    require_service("Redis", "127.0.0.1", 6379)
    keys.create_api_key("worker test", key="streetbrain-worker-key")
    url = "redis://127.0.0.1:6379/15"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
    )
    cache.delete(tasks.KICK_KEY)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            token = answer(post(Client(), api_key="streetbrain-worker-key", device_id="celery-1"))[
                "token"
            ]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                item = IntakeItem.objects.get(token=token)
                if item.status == "done":
                    break
                time.sleep(0.2)
        assert item.status == "done"
        assert item.report.device_id == "celery-1" and item.report.case.report_count == 1
    finally:
        app.conf.update(task_always_eager=True)


def test_the_command_line_shows_retries_and_processes_the_queue(queued, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    client = queued["client"]
    answer(post(client, device_id="cli-ok"))
    answer(post(client, device_id="cli-bad", lat=str(RIVER[1]), long=str(RIVER[0])))
    real = store.store_reports

    def broken(items):
        if any(data.device_id == "cli-bad" for data, _p, _n in items):
            raise RuntimeError("no route to the database")
        return real(items)

    monkeypatch.setattr(store, "store_reports", broken)
    for _ in range(queue.MAX_ATTEMPTS):
        queue.process_pending()
    out = StringIO()
    call_command("cases", "intake", stdout=out)
    text = out.getvalue()
    from django.utils.translation import gettext as _

    counts = _("waiting: %(pending)d, registered: %(done)d, failed: %(failed)d")
    assert counts % {"pending": 0, "done": 1, "failed": 1} in text, text
    assert "no route to the database" in text
    # The cause is fixed: put it back and register it.
    monkeypatch.setattr(store, "store_reports", real)
    out = StringIO()
    call_command("cases", "intake", "--retry-failed", "--process", stdout=out)
    assert IntakeItem.objects.filter(status="done").count() == 2
    assert Report.objects.filter(device_id="cli-bad").count() == 1
