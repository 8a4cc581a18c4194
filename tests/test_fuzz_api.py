"""Fuzzing the API: schemathesis over every operation of the OpenAPI schema, every method, as an
anonymous client, the demo's grid worker and the street leader.

Schemathesis generates requests from the schema (valid ones and, in its negative mode, ones
that break it: wrong types, out-of-range numbers, missing or extra fields, odd strings) and
sends them to the project's WSGI application in this process, against the demo district at
2 % (the scope suite's ``world``). Every response is checked:

- no server error (5xx) — the issue-12 bar;
- its status code and content type are among those the schema declares, and its body conforms
  to the schema's response for that status;
- no personal value is unmasked: no ID number or phone of any row of the district appears in
  the response, except in the answer of a ``…/reveal/`` operation (which is logged);

Each request runs in a savepoint rolled back after it, so writes (a leader's DELETE of row 1)
do not change the district for the next one. ``FUZZ_EXAMPLES`` (default 12) bounds the
examples per operation and user; the number of operations and requests is printed at the end
of the run, in pytest's summary (``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from streetbrain.core.actions import create_api_token
from streetbrain.core.audit import audit_context
from streetbrain.core.protected import protected_names, reveal_value

from .test_scope_conformance import world  # noqa: F401  (the district, a module fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
USERS = ("anonymous", "gridworker", "leader")
REVEAL = re.compile(r"/reveal/$")

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

COUNTS: Counter = Counter()
PERSONAL: set[str] = set()


def personal_values() -> set[str]:
    """Every plain ID number and phone of every protected row in the database."""
    from django.apps import apps

    values = set()
    for model in apps.get_models():
        names = protected_names(model)
        if not names:
            continue
        for obj in model._default_manager.all():
            for name in names:
                value = reveal_value(obj, name)
                if len(value) >= 7:  # short landline stubs would match any number
                    values.add(value)
    return values


@schemathesis.check
def no_unmasked_personal_data(ctx, response, case) -> bool | None:
    """No plain ID number or phone in a response, but in a reveal operation's own answer."""
    if REVEAL.search(case.operation.path):
        return None
    text = response.text or ""
    leaked = sorted(v for v in PERSONAL if v in text)
    if leaked:
        masked = [v[:3] + "…" for v in leaked[:3]]
        raise AssertionError(f"{len(leaked)} personal value(s) unmasked, e.g. {masked}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    no_unmasked_personal_data,
]


@pytest.fixture(scope="module")
def fuzz_world(world, django_db_blocker):  # noqa: F811
    """The district, tokens for the fuzzing users, the personal values to look for; and the
    request signals that would close the test's connection mid-transaction switched off (as
    Django's test client does)."""
    with django_db_blocker.unblock():
        headers = {"anonymous": {}}
        for name in USERS[1:]:
            with audit_context(source="cli", reason="fuzzing"):
                _token, key = create_api_token(world.users[name], "fuzzing")
            headers[name] = {"Authorization": f"Token {key}"}
        PERSONAL.clear()
        PERSONAL.update(personal_values())
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield headers
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    record_counts()


FUZZ_DIR = Path(__file__).resolve().parents[1] / "test-output" / "fuzz"


def record_counts() -> None:
    """This process's counts, for the run's summary (``conftest.pytest_terminal_summary``
    adds up those of every xdist worker)."""
    FUZZ_DIR.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    rows = [[op, who, n] for (op, who), n in sorted(COUNTS.items())]
    (FUZZ_DIR / f"{worker}-{os.getpid()}.json").write_text(json.dumps(rows))


@pytest.mark.parametrize("who", USERS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, who, fuzz_world):
    COUNTS[(case.operation.label, who)] += 1
    with transaction.atomic():
        response = case.call(headers=fuzz_world[who])
        try:
            case.validate_response(response, checks=CHECKS)
        finally:
            transaction.set_rollback(True)
