"""Bench-only settings of ``bench_district_pages.py``: production's, plus a middleware that
times every SQL statement of a request the bench marks (header ``X-Bench-Id``) and appends
the request's slowest statement (bound, as PostgreSQL ran it), its number of statements and
their total time to ``$BENCH_SQL_LOG/<pid>.jsonl``. Streamed responses are followed to
their last chunk. Never used by the product."""

import json
import os
import time

from django.db import connection

from streetbrain.settings.production import *  # noqa: F403
from streetbrain.settings.production import MIDDLEWARE as _PRODUCT_MIDDLEWARE
from streetbrain.settings.production import STORAGES as _PRODUCT_STORAGES

MIDDLEWARE = ["bench_pages_settings.SlowestQueryMiddleware", *_PRODUCT_MIDDLEWARE]
# The pages' asset URLs without a collected manifest (the bench fetches no assets; a
# manifest lookup and a plain URL cost the same).
STORAGES = {
    **_PRODUCT_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


class _Recorder:
    def __init__(self, bench_id: str):
        self.bench_id = bench_id
        self.count = 0
        self.db_ms = 0.0
        self.slowest_ms = -1.0
        self.slowest_sql = ""

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.count += 1
            self.db_ms += ms
            if ms > self.slowest_ms:
                self.slowest_ms = ms
                try:
                    self.slowest_sql = connection.ops.last_executed_query(
                        context["cursor"], sql, params
                    )
                except Exception:
                    self.slowest_sql = f"{sql} -- params {params!r}"

    def write(self) -> None:
        folder = os.environ.get("BENCH_SQL_LOG")
        if not folder:
            return
        line = {
            "id": self.bench_id,
            "queries": self.count,
            "db_ms": round(self.db_ms, 2),
            "slowest_ms": round(self.slowest_ms, 2),
            "sql": self.slowest_sql,
        }
        with open(os.path.join(folder, f"{os.getpid()}.jsonl"), "a") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


class SlowestQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bench_id = request.headers.get("X-Bench-Id")
        if not bench_id:
            return self.get_response(request)
        recorder = _Recorder(bench_id)
        with connection.execute_wrapper(recorder):
            response = self.get_response(request)
        if getattr(response, "streaming", False):
            response.streaming_content = self._follow(response.streaming_content, recorder)
        else:
            recorder.write()
        return response

    @staticmethod
    def _follow(content, recorder):
        try:
            with connection.execute_wrapper(recorder):
                yield from content
        finally:
            recorder.write()
