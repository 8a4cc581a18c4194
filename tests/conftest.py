"""Shared fixtures: a small org tree with two communities of two grid cells each, and users
with a role and a scope."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from shapely.geometry import box, mapping

from streetbrain.core.models import Department, OrgUnit, User

PASSWORD = "correct-horse-battery"


def _square(x0, y0, x1, y1) -> dict:
    geo = mapping(box(x0, y0, x1, y1))
    return {
        "type": "Polygon",
        "coordinates": [[list(p) for p in ring] for ring in geo["coordinates"]],
    }


@pytest.fixture
def tree(db):
    """宁波市 › 鄞州区 › 福明街道 › {东城社区: 2 grids, 江城社区: 2 grids}, laid out as squares
    around (121.60–121.64, 29.86–29.88)."""
    city = OrgUnit.objects.create(code="3302", name="宁波市", level="city")
    district = OrgUnit.objects.create(code="330212", name="鄞州区", level="district", parent=city)
    street = OrgUnit.objects.create(
        code="330212014",
        name="福明街道",
        level="street",
        parent=district,
        geometry=_square(121.60, 29.86, 121.64, 29.88),
    )
    east = OrgUnit.objects.create(
        code="330212014001",
        name="东城社区",
        level="community",
        parent=street,
        geometry=_square(121.60, 29.86, 121.62, 29.88),
    )
    river = OrgUnit.objects.create(
        code="330212014002",
        name="江城社区",
        level="community",
        parent=street,
        geometry=_square(121.62, 29.86, 121.64, 29.88),
    )
    grids = {}
    for community, x0 in ((east, 121.60), (river, 121.62)):
        for seq, (y0, y1) in enumerate(((29.86, 29.87), (29.87, 29.88)), start=1):
            code = f"{community.code}{seq:02d}"
            grids[code] = OrgUnit.objects.create(
                code=code,
                name=f"{community.name}第{seq}网格",
                level="grid",
                parent=community,
                geometry=_square(x0, y0, x0 + 0.02, y1),
            )
    other_street = OrgUnit.objects.create(
        code="330212001", name="百丈街道", level="street", parent=district
    )
    return {
        "city": city,
        "district": district,
        "street": street,
        "east": east,
        "river": river,
        "grids": grids,
        "other_street": other_street,
        "east_grid": grids["33021201400101"],
        "river_grid": grids["33021201400201"],
    }


@pytest.fixture
def departments(tree):
    urban = Department.objects.create(code="cg", name="城管", kind="urban", org_unit=tree["street"])
    east_committee = Department.objects.create(
        code="sq-001", name="东城社区居委会", kind="community", org_unit=tree["east"]
    )
    river_committee = Department.objects.create(
        code="sq-002", name="江城社区居委会", kind="community", org_unit=tree["river"]
    )
    elsewhere = Department.objects.create(
        code="bz-cg", name="百丈城管", kind="urban", org_unit=tree["other_street"]
    )
    return {
        "urban": urban,
        "east": east_committee,
        "river": river_committee,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def make_user(db):
    def make(username, *, role=None, unit=None, department=None, superuser=False, perms=()):
        user = User(
            username=username,
            display_name=username,
            org_unit=unit,
            department=department,
            is_superuser=superuser,
            is_staff=superuser,
        )
        user.set_password(PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        if perms:
            from django.contrib.auth.models import Permission

            for name in perms:
                app_label, codename = name.split(".")
                user.user_permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
        return User.objects.get(pk=user.pk)  # fresh: no cached permissions

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def service_available(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a machine service is missing locally; in CI a missing service fails."""
    if service_available(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# --- cases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def case_model_path(tmp_path_factory):
    """A case classifier trained once per test session on the synthetic report texts."""
    from streetbrain.cases.intake import classifier
    from streetbrain.demo.synth import texts as synth_texts

    rows = synth_texts.generate(3000, seed=11)
    model = classifier.train(
        [f"{r['title']}\n{r['description']}" for r in rows], [r["label"] for r in rows]
    )
    path = tmp_path_factory.mktemp("case-model") / "model.joblib"
    model.save(path)
    return path


@pytest.fixture
def case_world(tree, departments, make_user, settings, case_model_path):
    """The tree and departments, a trained classifier, routing rules and one user per case
    role: acceptor, shiftlead, dispatcher and leader for the street, a grid worker for the
    east grid, a 城管 handler and a 江城 committee handler."""
    from streetbrain.cases.models import RoutingRule

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    settings.CASES_HOME_UNIT = "330212014"
    RoutingRule.objects.create(department=departments["urban"], priority=900)
    RoutingRule.objects.create(
        department=departments["river"], area=tree["river"], major_code="06", priority=500
    )
    street = tree["street"]
    users = {
        "acceptor": make_user("acc", role="acceptor", unit=street),
        "shiftlead": make_user("lead", role="shiftlead", unit=street),
        "dispatcher": make_user("disp", role="dispatcher", unit=street),
        "leader": make_user("boss", role="leader", unit=street),
        "gridworker": make_user("grid", role="gridworker", unit=tree["east_grid"]),
        "handler": make_user("cg1", role="handler", unit=street, department=departments["urban"]),
        "river_handler": make_user(
            "jc1", role="handler", unit=tree["river"], department=departments["river"]
        ),
    }
    return {**tree, "departments": departments, "users": users}


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (简体中文). Django's LocaleMiddleware
    activates a request's language for the thread and leaves it active, so without this an
    English request in one test would make the next test's messages English (an order
    dependence xdist exposed)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_case_refdata():
    """Rolled-back test transactions send no signals: start each test with a fresh snapshot of
    the cases' reference data (classes, routing rules, time limits) and no checked api keys."""
    from streetbrain.cases.channels.open311 import keys
    from streetbrain.cases.intake import refdata

    refdata.invalidate()
    keys.forget()
    yield
    refdata.invalidate()
    keys.forget()


# --- the fuzzing's summary (tests/test_fuzz_api.py, tests/test_fuzz_open311.py) --------------

FUZZ_DIR = Path(__file__).resolve().parents[1] / "test-output" / "fuzz"


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        shutil.rmtree(FUZZ_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """How much the fuzzing ran: its operations, the users, the requests (every worker's)."""
    if hasattr(config, "workerinput") or not FUZZ_DIR.exists():
        return
    requests: Counter = Counter()
    for part in FUZZ_DIR.glob("*.json"):
        for op, who, n in json.loads(part.read_text()):
            requests[(op, who)] += n
    if not requests:
        return
    operations = {op for op, _ in requests}
    users = sorted({who for _, who in requests})
    terminalreporter.write_sep("-", "fuzzing")
    terminalreporter.write_line(
        f"fuzzed {len(operations)} operations ({len(requests)} operation × user pairs; "
        f"users: {', '.join(users)}) with {sum(requests.values())} generated requests; "
        f"server errors and schema violations fail the run"
    )
