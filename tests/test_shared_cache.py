"""The cache every web process shares: the public report page's rate limit counts once across
several processes (the database cache of the demo, Redis of production), the database cache's
``incr`` is atomic and keeps the expiry, ``migrate`` creates its table, and a per-process cache
in production is reported (system check) and refused by ``serve`` with several workers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta

import pytest
from django.core import checks
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from streetbrain.core import cache as shared_cache

# One web process: waits for the common start, then submits ATTEMPTS reports as one client and
# prints how many the limiter let through. The limit is high enough that the processes overlap
# while they count (each needs a few milliseconds per report; they start up to 0.2 s apart).
WORKER = textwrap.dedent(
    """
    import sys, time
    import django

    django.setup()
    from streetbrain.cases.channels import ratelimit

    start, ident, attempts = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    print(sum(ratelimit.hit("public-report", ident, "100/h").allowed for _ in range(attempts)))
    """
)
PROCESSES = 4
ATTEMPTS = 100  # each process alone would accept all of its hundred
LIMIT = 100


def _demo_environment(var_dir, **extra) -> dict[str, str]:
    """A process of the demo (its settings, its SQLite file in ``var_dir``, no CACHE_URL)."""
    drop = ("DATABASE_URL", "CACHE_URL", "SECRET_KEY", "STREETBRAIN_DATA_KEYS")
    env = {k: v for k, v in os.environ.items() if k not in (*drop, "STREETBRAIN_DIGEST_KEY")}
    env["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    env["STREETBRAIN_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def _accepted_by_processes(env: dict[str, str]) -> list[int]:
    ident = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex}"  # never seen before
    start = time.time() + 3.0  # every process has started and set Django up by then
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start), ident, str(ATTEMPTS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    accepted = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        accepted.append(int(out.strip()))
    return accepted


def test_the_demo_counts_once_across_processes(tmp_path):
    """Four processes of the demo: together they accept the limit, not four times it."""
    env = _demo_environment(tmp_path)
    # The demo's `migrate` creates the table (tests/test_project.py); only the table is needed.
    subprocess.run(
        [sys.executable, "-m", "django", "createcachetable"], env=env, check=True, timeout=120
    )
    accepted = _accepted_by_processes(env)
    assert sum(accepted) == LIMIT, accepted


@pytest.mark.services
def test_redis_counts_once_across_processes(tmp_path):
    """The same with production's cache, Redis (database 14: apart from Celery's test database
    and any real deployment's; the client is new each run, so nothing needs clearing)."""
    env = _demo_environment(tmp_path, CACHE_URL="rediscache://127.0.0.1:6379/14")
    accepted = _accepted_by_processes(env)
    assert sum(accepted) == LIMIT, accepted


DB_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "streetbrain.core.cache.DatabaseCache", "LOCATION": "sb_test_cache"},
}


@pytest.fixture
def db_cache(db):
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", "sb_test_cache", verbosity=0)
        yield caches["shared"]


def _expires(key: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM sb_test_cache WHERE cache_key = %s", [key])
        return cursor.fetchone()[0]


def test_database_cache_incr_counts_and_keeps_the_expiry(db_cache):
    assert db_cache.add("n", 0, timeout=3600)
    before = _expires(db_cache.make_key("n"))
    assert [db_cache.incr("n") for _ in range(3)] == [1, 2, 3]
    assert db_cache.decr("n") == 2 and db_cache.get("n") == 2
    # Django's inherited incr wrote the value back with the default timeout (300 s): an hour's
    # rate-limit window then restarted after five quiet minutes.
    assert _expires(db_cache.make_key("n")) == before
    with pytest.raises(ValueError):
        db_cache.incr("missing")


def test_database_cache_incr_of_an_expired_key_fails(db_cache):
    db_cache.set("old", 5, timeout=3600)
    past = timezone.now() - timedelta(seconds=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sb_test_cache SET expires = %s WHERE cache_key = %s",
            [connection.ops.adapt_datetimefield_value(past), db_cache.make_key("old")],
        )
    with pytest.raises(ValueError):
        db_cache.incr("old")


@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table():
    assert "sb_migrate_cache" not in connection.introspection.table_names()
    caches_config = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "streetbrain.core.cache.DatabaseCache",
            "LOCATION": "sb_migrate_cache",
        },
    }
    with override_settings(CACHES=caches_config):
        call_command("migrate", verbosity=0)
    assert "sb_migrate_cache" in connection.introspection.table_names()


@pytest.mark.parametrize(
    ("backend", "demo", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False, True),
        ("django.core.cache.backends.dummy.DummyCache", False, True),
        ("django.core.cache.backends.redis.RedisCache", False, False),
        ("streetbrain.core.cache.DatabaseCache", False, False),
        ("django.core.cache.backends.locmem.LocMemCache", True, False),  # tests, one process
    ],
)
def test_a_per_process_cache_in_production_is_reported(settings, backend, demo, warned):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "x"}}
    settings.STREETBRAIN = {**settings.STREETBRAIN, "DEMO": demo}
    messages = [m for m in checks.run_checks() if m.id == "streetbrain.W010"]
    assert bool(messages) is warned
    assert shared_cache.is_process_local() is (backend in shared_cache.PROCESS_LOCAL_BACKENDS)


@pytest.mark.parametrize(
    ("backend", "workers", "refused"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", 4, True),
        ("django.core.cache.backends.locmem.LocMemCache", 1, False),
        ("django.core.cache.backends.redis.RedisCache", 4, False),
    ],
)
def test_production_serves_several_workers_only_on_a_shared_cache(
    settings, monkeypatch, backend, workers, refused
):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/14"}}
    settings.STREETBRAIN = {**settings.STREETBRAIN, "DEMO": False}
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no in-process beat thread
    started = []
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", lambda app: started.append(app))
    if refused:
        with pytest.raises(CommandError, match="CACHE_URL"):
            call_command("serve", "--workers", str(workers), skip_checks=True)
    else:
        call_command("serve", "--workers", str(workers), skip_checks=True, stdout=io.StringIO())
    assert bool(started) is not refused
