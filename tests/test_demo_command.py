"""``streetbrain demo``: it loads the whole district from an empty database, audited as the
command line, and a second run reuses what is there.

One run of the command (every part of the district, about a minute under load) serves both
tests: it is made once for the module, read by the first test, run again inside the second
test's own transaction, and rolled back after. (Each test used to run the command
itself, and the idempotence test a third time: two full loads for the same facts.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from streetbrain.core.models import ChangeLogEntry, Department, OrgUnit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded_from_empty(django_db_setup, django_db_blocker) -> str:
    """The command's output from a run on the empty test database; its rows stay for the
    module's tests and are rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo", "--no-static", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_command_loads_from_empty(loaded_from_empty):
    out = loaded_from_empty
    assert "80 grid cells" in out or "grid cells" in out
    assert "already loaded" not in out  # every part loaded by this run, none found
    assert OrgUnit.objects.filter(level="grid").count() >= 60
    entries = ChangeLogEntry.objects.filter(source="cli", reason="demo load")
    # Every part of the demo audits as the command line, under a source the API can name.
    sources = set(ChangeLogEntry.objects.values_list("source", flat=True).distinct())
    assert sources <= set(ChangeLogEntry.Source.values), sources
    assert entries.filter(content_type__model="orgunit").count() == OrgUnit.objects.count()


def test_demo_load_is_audited_and_idempotent(loaded_from_empty):
    counts = (OrgUnit.objects.count(), Department.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("demo", "--no-static", stdout=out)
    out = out.getvalue()
    assert "already loaded" in out
    assert "leader" in out and "streetbrain-demo" in out
    assert (OrgUnit.objects.count(), Department.objects.count(), User.objects.count()) == counts
