"""Background work runs on Celery: eagerly in the demo and tests, and here once through a real
worker and the machine's Redis, the way production scales past one machine."""

from __future__ import annotations

import pytest

from streetbrain.celery import app
from streetbrain.core.models import KeyFigure, OrgUnit

from .conftest import require_service


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker_through_redis(tree, settings):
    require_service("Redis", "127.0.0.1", 6379)
    from celery.contrib.testing.worker import start_worker

    from streetbrain.core.tasks import refresh_key_figures

    url = "redis://127.0.0.1:6379/15"
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = refresh_key_figures.delay()
            written = result.get(timeout=30)
        assert result.status == "SUCCESS"
        assert written == KeyFigure.objects.count() > 0
        street = OrgUnit.objects.get(code="330212014")
        assert KeyFigure.objects.get(org_unit=street, key="grids").value == 4
    finally:
        app.conf.update(task_always_eager=True)


def test_eager_in_tests(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER


def test_the_beat_schedule_names_registered_tasks(settings):
    """Beat and queued messages name tasks by their registered name: every name the schedule
    uses is registered once a worker has imported the apps' task modules (``<app>.tasks``),
    whichever module of the app defines the task."""
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    cases = {name for name in app.tasks if name.startswith("streetbrain.cases.")}
    assert cases == {
        "streetbrain.cases.tasks.flag_deadlines",
        "streetbrain.cases.tasks.process_intake",
        "streetbrain.cases.tasks.refresh_stats",
    }
