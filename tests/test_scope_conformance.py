"""Scope conformance: every route the project registers, as every kind of user, names only
what lies in that user's scope, shows only the figures of units inside it, and refuses writes
outside it with nothing changed.

Routes are found by walking the URL resolver (DRF's routers included), so a new app's pages
and API are covered the day they land; what a route shows is inferred from its view
(``scopecheck.model_of``). What inference cannot read is declared below, in one place:
``DECLARED`` (the model or the values of a URL argument), ``NO_SCOPE`` (routes that show
nothing scoped, and why) and ``STAFF_ONLY`` (the admin). A route that is none of these fails
``test_every_route_is_covered`` with the way to declare it.

The district is the demo at 2 % (every app's demo part), loaded once per module and rolled
back after. A residential building, an office tower, a sensor, a warning per tower, photos,
notifications, import jobs and API tokens are placed so that every object type has rows inside
and outside each user's unit. Users: the demo's grid worker (江城社区第1网格), community leader
(江城社区), 城管 handler (a department: what was dispatched to it), the street leader (the
control: the street is theirs), the superuser (every page renders) and an anonymous client;
for writes, two accounts that hold every permission, scoped like the grid worker and the
community leader, so that nothing but the scope can refuse them.

Caches: every answer the walk gets, to anyone, says ``Cache-Control: no-store`` and varies on
``Authorization`` and ``Cookie`` (``_cache_problem``).

Figures: while a user's tests run, the precomputed figures of units outside their scope carry
canaries (``Canaries``): key figures and the economy's monthly figures unique values, the
evaluation's counts a poison of 10⁸ that shows in any sum it enters; those of their own unit
other canaries, which the home page must show.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.files.base import ContentFile
from django.db import connection, connections, models, transaction
from django.db.models import F, Q
from django.test import Client, override_settings
from django.urls import reverse

from streetbrain.core import extension_points as ep
from streetbrain.core.actions import create_api_token
from streetbrain.core.audit import audit_context
from streetbrain.core.figures import refresh_key_figures
from streetbrain.core.geo_lookup import invalidate
from streetbrain.core.models import ImportJob, KeyFigure, OrgUnit, User
from streetbrain.core.scoping import scope_q
from streetbrain.demo.context import DemoContext
from streetbrain.demo.extensions import in_order
from streetbrain.economy.tasks import refresh_figures as refresh_economy_figures
from streetbrain.projects import views as project_views

from . import scopecheck
from .scopecheck import Route, visible

pytestmark = pytest.mark.django_db

# --- declarations: what the walk cannot infer ---------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """What a route's view does not say: the model of the object a URL argument names
    (``objects``) and the values to try for its other arguments (``values``: a list, or a
    function of the ``World``)."""

    objects: dict[str, str] = field(default_factory=dict)  # argument → "app_label.Model"
    values: dict[str, list | Callable] = field(default_factory=dict)
    # A write's input, for views that read it before the object: with it, only the scope
    # can refuse.
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NoScope:
    """A route that shows nothing of any org unit, and why; ``values`` fill its URL."""

    why: str
    values: dict[str, list | Callable] = field(default_factory=dict)


def _report_token(world) -> list:
    return [world.objects["report_token"]]


def _community_space(world) -> list:
    from streetbrain.community.models import Space

    return list(Space.objects.order_by("pk").values_list("pk", flat=True)[:1])


def _layer_names(world) -> list:
    """The map's layers, as the map asks for them: whatever the layer list offers."""
    client = world.client("leader")
    return [layer["name"] for layer in client.get(reverse("api:map-layers")).json()["layers"]]


def _panel_keys(world) -> list:
    """The cockpit's panels: every declared one (a user who may not see one gets a 403)."""
    from streetbrain.core import extension_points as ep

    return [panel.key for panel in ep.items(ep.CockpitPanel)]


def _filtersets_with_units(world) -> list:
    """Filter sets whose choices are org units (a district's thousands): the search box's
    endpoint answers their choices."""
    from streetbrain.cases.filtersets import CaseFilterSet
    from streetbrain.core.filtersets import filterset_key

    return [filterset_key(CaseFilterSet)]


DECLARED: dict[str, Declared] = {
    "core:filter_choices": Declared(
        values={"key": _filtersets_with_units, "name": ["org_unit", "community"]}
    ),
    # The step's name comes first in the URL; any valid step shows whether the object's scope
    # is checked (the refusal must come before the step's own rules).
    "cases:case_act": Declared({"pk": "cases.Case"}, {"name": ["verify", "dispatch"]}),
    "api:cases:case-perform": Declared(values={"name": ["verify"]}),
    "cases:report_split": Declared({"report": "cases.Report"}),
    "cases:attachment": Declared({"pk": "cases.Attachment"}),
    "cases:notification_open": Declared({"pk": "cases.Notification"}),
    "report:grid_act": Declared({"pk": "cases.Case"}, payload={"action": "verify", "note": "x"}),
    # The job pages sit under a type's pages, but their pk is the job's.
    "registry:*_import_job": Declared({"pk": "core.ImportJob"}),
    "economy:lease_act": Declared(values={"name": ["end"]}),
    "economy:moveoutwarning_act": Declared(values={"name": ["note", "assign"]}),
    "cooperatives:exit_step": Declared(values={"name": ["resolve", "value"]}),
    # A department's outbox: what it lists is restricted to the caller's sources.
    "linkage:outbox_detail": Declared(values={"department": ["civil_affairs"]}),
    "linkage:outbox_export": Declared(values={"department": ["civil_affairs"]}),
    "api:map-layer": Declared(values={"name": _layer_names}),
    "projects:household_advance": Declared(values={"name": ["survey", "sign"]}),
    # A project's part added (on the project) or changed (the part's pk, named by the step).
    "projects:part_add": Declared({"pk": "projects.Project"}, {"name": ["milestone", "plot"]}),
    "projects:part_edit": Declared({"pk": "projects.Milestone"}, {"name": ["milestone"]}),
    "projects:indicator_step": Declared(
        {"pk": "projects.StreetIndicator"}, {"name": ["value", "target"]}
    ),
    "projects:notice_open": Declared({"pk": "projects.HardCaseNotice"}),
    # One cockpit panel's body (the polling ones); what it shows is its panel's, of the
    # user's own unit.
    "cockpit:panel": Declared(values={"key": _panel_keys}),
    # AI企服: a clause (the street's reference data) and what is sent or exported of it goes
    # through the scoped matches and notices; a notice's step names its step after its pk.
    "services:clause_add": Declared({"policy": "services.Policy"}),
    "services:clause_send": Declared({"pk": "services.Clause"}),
    "services:clause_export": Declared({"pk": "services.Clause"}, {"gateway": ["csv"]}),
    "services:notice_step": Declared({"pk": "services.Notice"}, {"step": ["read"]}),
    "investment:*_import_job": Declared({"pk": "core.ImportJob"}),
    "investment:whitelist_act": Declared(values={"name": ["decide"]}),
    "investment:whitelist_act_on": Declared(
        {"pk": "investment.WhitelistRun"}, {"name": ["publish"]}
    ),
    "investment:lead_step": Declared(values={"name": ["contact"]}),
    "investment:lead_add_event": Declared(values={"kind": ["note"]}),
    "community:resident_qr": Declared({"pk": "registry.Resident"}),
    "community:residentaccount_decide": Declared(
        {"pk": "community.ResidentAccount"}, payload={"decision": "approve"}
    ),
    "community:booking_checkin": Declared({"pk": "community.Booking"}),
    "community:servicerequest_answer": Declared(
        {"pk": "community.ServiceRequest"}, payload={"state": "done"}
    ),
    "community:activity_attendance": Declared(
        {"pk": "community.Activity"}, payload={"signup": "0", "attended": "yes"}
    ),
    "community:proposal_review": Declared(
        {"pk": "community.Proposal"}, payload={"decision": "decline", "reason": "x"}
    ),
}

NO_SCOPE: dict[str, NoScope] = {
    "healthz": NoScope("liveness for load balancers: no data"),
    "login": NoScope("the login form"),
    "logout": NoScope("ends the caller's own session"),
    "password_change*": NoScope("the caller's own password"),
    "set_language": NoScope("the caller's own language"),
    "javascript-catalog": NoScope("the UI's translations"),
    "schema": NoScope("the OpenAPI document: the API's shape, no data"),
    "api-docs": NoScope("Swagger UI over the schema"),
    "api:root": NoScope("a directory of the API's URLs"),
    "api:*:api-root": NoScope("DRF's directory of a router's URLs"),
    "api:token": NoScope("exchanges the caller's own password for their token"),
    "report:[ntc]*": NoScope(
        "the residents' public pages: no login by design; a report is reached by its "
        "reporter's secret tracking token",
        {"token": _report_token},
    ),
    **{
        f"community:{name}": NoScope(
            "the residents' site: a resident's own account, showing only their household's "
            "rows (community.models.CommunityQuerySet), never an org unit's; anonymous "
            "clients go to its own phone login",
            {"pk": _community_space, "code": ["nothing-here"]},
        )
        for name in (
            "home",
            "signup",
            "login",
            "verify",
            "household",
            "spaces",
            "space_book",
            "my_bookings",
            "door_checkin",
            "activities",
            "points",
            "consultations",
            "reports",
            "services",
            "proposals",
        )
    },
    "open311:*": NoScope(
        "Open311 GeoReport v2: public by its specification (what its feed publishes is "
        "issue 12, item 7)",
        {
            "fmt": ["json"],
            "code": ["06010"],
            "request_id": lambda world: [world.objects["case"].pk],
            "token": _report_token,
            "path": ["nothing-here"],
        },
    ),
}

# Query strings a route needs to show anything: a search shows nothing without a query.
# Several per route: each is requested.
QUERIES: dict[str, list[dict]] = {
    "search": [{"q": "王"}, {"q": "路"}],
    "api:search": [{"q": "王"}, {"q": "路"}],
    "api:map-search": [{"q": "社区"}, {"q": "大厦"}],
    "core:filter_choices": [{"term": ""}, {"term": "社区"}, {"term": "网格"}],
}

STAFF_ONLY = {"admin:*": "Django's admin: staff accounts (in the demo, the superuser) only"}

# Objects anyone may name by their code.
PUBLIC_CODES = {
    "core.orgunit": "the street's grid cells are public knowledge (they hang on every "
    "community's notice board): the residents' report page shows every one",
}


def _match(table: dict, name: str):
    for pattern, value in table.items():
        if fnmatch.fnmatchcase(name, pattern):
            return value
    return None


# --- the district -----------------------------------------------------------------------------

READERS = ("anonymous", "gridworker", "community_leader", "handler", "leader", "admin")
WRITERS = (
    "anonymous",
    "gridworker",
    "community_leader",
    "handler",
    "grid_writer",
    "community_writer",
)
# Writes through relations: the demo's grid worker (issue 12's case) and the two accounts with
# every permission. The forms are built alike for every account: those two reach every form.
RELATION_WRITERS = ("gridworker", "grid_writer", "community_writer")
FORM_WRITERS = ("grid_writer", "community_writer")


@dataclass
class World:
    users: dict[str, object]
    objects: dict[str, object]
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, name: str) -> Client:
        if name not in self.clients:
            client = Client()
            user = self.users[name]
            if user.is_authenticated:
                client.force_login(user)
            self.clients[name] = client
        return self.clients[name]


def _load_demo(ctx) -> None:
    with audit_context(source="cli", reason="demo load"):
        for loader in in_order(ep.items(ep.DemoLoader)):
            loader.load(ctx)
            invalidate()


def _move(model, rows, grid: OrgUnit) -> None:
    model.objects.filter(pk__in=[r.pk for r in rows]).update(org_unit=grid)


def _plant(users: dict) -> dict:
    """Rows inside the narrow users' units where the 2 % demo has none there: a residential
    building with its people, an office tower with its floors, units, leases and tenants,
    a sensor; a warning in each tower; a photo, a notification and an import job for several
    users. Returns named objects the declarations use."""
    from streetbrain.cases.models import Attachment, Case, Notification, Report, Sensor
    from streetbrain.economy import actions as economy_actions
    from streetbrain.economy.models import (
        Enterprise,
        Floor,
        Lease,
        MoveOutWarning,
        OfficeBuilding,
        Unit,
    )
    from streetbrain.registry.models import Building, House, Household, Resident

    grid = users["gridworker"].org_unit
    home = Building.objects.filter(houses__residents__isnull=False).distinct().order_by("code")[0]
    houses = list(House.objects.filter(building=home))
    _move(Building, [home], grid)
    _move(House, houses, grid)
    _move(Household, Household.objects.filter(house__in=houses), grid)
    _move(
        Resident,
        Resident.objects.filter(Q(house__in=houses) | Q(household__house__in=houses)),
        grid,
    )

    towers = list(OfficeBuilding.objects.select_related("building").order_by("pk"))
    tower = towers[0]
    old = tower.org_unit_id
    _move(Building, [tower.building], grid)
    _move(OfficeBuilding, [tower], grid)
    _move(Floor, Floor.objects.filter(building=tower), grid)
    _move(Unit, Unit.objects.filter(building=tower), grid)
    _move(Lease, Lease.objects.filter(building=tower), grid)
    _move(
        Enterprise,
        Enterprise.objects.filter(org_unit_id=old, leases__building=tower).distinct(),
        grid,
    )
    _move(Sensor, Sensor.objects.order_by("pk")[:1], grid)

    evidence = [{"rule": "probe", "text": "scope conformance", "values": {}}]
    for t in towers:
        if not MoveOutWarning.objects.filter(building=t).exists():
            enterprise = Enterprise.objects.filter(leases__building=t).distinct().order_by("pk")[0]
            economy_actions.raise_warning(enterprise, risk_score=50, evidence=evidence, building=t)

    now = dt.datetime.now(dt.UTC)
    outside = Case.objects.exclude(org_unit__path__startswith=grid.parent.path).order_by("pk")[0]
    inside = Case.objects.filter(org_unit=grid).order_by("pk").first()
    if inside is None:  # the history of a 2 % demo may have passed this grid by
        inside = Case.objects.exclude(pk=outside.pk).order_by("pk")[0]
        _move(Case, [inside], grid)
    for case in (inside, outside):
        Attachment.objects.create(
            case=case, file=ContentFile(b"\x89PNG\r\n", name="probe.png"), content_type="image/png"
        )
    for name in ("gridworker", "community_leader", "handler", "leader", "grid_writer"):
        Notification.objects.create(
            user=users[name],
            case=inside if name != "handler" else outside,
            kind="warn",
            created_at=now,
        )
        ImportJob.objects.create(spec_key="residents", user=users[name], file_name=f"probe-{name}")
        create_api_token(users[name], f"probe-{name}")
    report = Report.objects.filter(case=outside).order_by("pk")[0]
    return {"case": outside, "report_token": report.token}


def _writer(name: str, unit: OrgUnit) -> User:
    """An account that may do everything a role can grant, scoped to ``unit``."""
    user = User.objects.create(username=name, display_name=name, org_unit=unit)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=[c.label for c in _apps()])
    )
    return User.objects.get(pk=user.pk)


def _apps():
    from django.apps import apps

    return [c for c in apps.get_app_configs() if c.name.startswith("streetbrain.")]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo district at 2 % with its objects placed, loaded once, rolled back after."""
    media = tmp_path_factory.mktemp("media")
    model = tmp_path_factory.mktemp("classifier") / "model.joblib"
    with (
        django_db_blocker.unblock(),
        override_settings(CASES_CLASSIFIER_MODEL=str(model), MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        _load_demo(DemoContext(password="streetbrain-demo"))
        users: dict[str, object] = {
            u.username: u
            for u in User.objects.filter(
                username__in=["gridworker", "community_leader", "handler", "leader", "admin"]
            )
        }
        users["anonymous"] = AnonymousUser()
        users["grid_writer"] = _writer("grid_writer", users["gridworker"].org_unit)
        users["community_writer"] = _writer("community_writer", users["community_leader"].org_unit)
        with audit_context(source="cli", reason="scope conformance"):
            objects = _plant(users)
        refresh_economy_figures()
        refresh_key_figures()
        invalidate()
        # Django's test teardown checks the connection's deferred foreign keys after every
        # test: on PostgreSQL all those the district's load left pending, on SQLite a scan
        # of every table, 2,000 times. Checked once here; the tests' own writes are refused
        # ones, and their fingerprints show any that was not.
        connection.check_constraints()
        db = connections["default"]
        db.check_constraints = lambda table_names=None: None
        world = World(users=users, objects=objects)
        for name in users:  # logged in outside the tests' transactions: the sessions stay
            world.client(name)
        yield world
        del db.check_constraints
        transaction.set_rollback(True)
    invalidate()


# --- what each route is ---------------------------------------------------------------------


ROUTES = scopecheck.routes()


def kind_of(route: Route) -> str:
    if _match(STAFF_ONLY, route.name):
        return "staff"
    if _match(NO_SCOPE, route.name):
        return "public"
    return "scoped"


def object_kwargs(route: Route) -> dict[str, type[models.Model]] | None:
    """URL argument → model of the object it names; None if an argument is not understood."""
    from django.apps import apps

    declared = _match(DECLARED, route.name) or Declared()
    out = {}
    for kwarg in route.kwargs:
        if kwarg in declared.objects:
            out[kwarg] = apps.get_model(declared.objects[kwarg])
        elif kwarg in declared.values:
            continue
        elif kwarg == "pk" and scopecheck.model_of(route) is not None:
            out[kwarg] = scopecheck.model_of(route)
        else:
            return None
    return out


def value_kwargs(route: Route) -> dict[str, list | Callable]:
    declared = _match(DECLARED, route.name) or _match(NO_SCOPE, route.name)
    values = declared.values if declared else {}
    return {k: v for k, v in values.items() if k in route.kwargs}


def why_uncovered(route: Route) -> str:
    kind = kind_of(route)
    if kind == "staff":
        return ""
    if kind == "public":
        missing = [k for k in route.kwargs if k not in value_kwargs(route)]
        return f"give values for {missing} in its NO_SCOPE entry" if missing else ""
    if route.methods is None:
        return (
            "a function view: the suite cannot see its methods or what it shows. Make it a "
            "class-based view on the generic views (or a viewset), or declare it in NO_SCOPE "
            "with the reason it shows nothing scoped"
        )
    if object_kwargs(route) is None:
        unknown = [k for k in route.kwargs if k != "pk" or scopecheck.model_of(route) is None]
        return (
            f"the URL argument(s) {unknown} name nothing the suite can infer: give the view a "
            "`model` (or a queryset or a serializer with Meta.model), or declare the "
            "argument's model or values in DECLARED"
        )
    return ""


def test_every_route_is_covered():
    """Every route is walked: inferred, declared, public for a stated reason, or staff-only."""
    problems = [f"{r.name} ({r.pattern}): {why}" for r in ROUTES if (why := why_uncovered(r))]
    assert not problems, "routes the scope suite cannot cover:\n  " + "\n  ".join(problems)
    stale = [
        p
        for table in (DECLARED, NO_SCOPE, STAFF_ONLY)
        for p in table
        if not any(fnmatch.fnmatchcase(r.name, p) for r in ROUTES)
    ]
    assert not stale, f"declarations that match no route any more: {stale}"


def test_an_undeclared_route_fails_the_walk():
    """The walk's own check: a function view, or an object argument no view names, is
    reported with the declaration it needs, not skipped."""

    def report(request, pk):  # a view the suite cannot read
        raise AssertionError

    function = Route("newapp:report", "newapp/<int:pk>/", report, ("pk",))
    assert "function view" in why_uncovered(function)
    from streetbrain.core.generic import ObjectDetailView

    detail = ObjectDetailView.as_view()
    unknown = Route("newapp:thing", "newapp/<int:thing>/", detail, ("thing",))
    assert "DECLARED" in why_uncovered(unknown)


OBJECT_KWARGS = {r.name: kw for r in ROUTES if kind_of(r) == "scoped" and (kw := object_kwargs(r))}
# A project's part (member, milestone, indicator, plot) is edited on one route whose `name`
# chooses the model: a link names the part of that model, not the declared example's.
BY_KWARG = {
    "projects:part_edit": ("pk", "name", {k: v[0] for k, v in project_views.PARTS.items()}),
}
LIST_MODELS = {
    r.name: m
    for r in ROUTES
    if kind_of(r) == "scoped" and not r.kwargs and (m := scopecheck.model_of(r)) is not None
}


# --- canaries ------------------------------------------------------------------------------------

KEY_FIGURE_FOREIGN = 900_000_000  # + id: a key figure of a unit outside the user's scope
KEY_FIGURE_OWN = 4_000_000  # + id: one of the user's own units
POISON = 100_000_000  # + id: an evaluation count of a unit outside the scope


def _numeric_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.FloatField | models.DecimalField | models.IntegerField)
        and not f.primary_key
        and not f.is_relation
    ]


def _canary_base(f: models.Field, index: int) -> int:
    """A base for unique values that fits the column on every database: + 10⁵ per field,
    + the row's id (below 10⁵)."""
    if isinstance(f, models.DecimalField):
        digits = min(f.max_digits - f.decimal_places, 12)
        return 7 * 10 ** (digits - 1) + index * 10**5
    if isinstance(f, models.FloatField):
        return 3_000_000_000 + index * 10**5
    return 1_500_000_000 + index * 10**5  # PositiveIntegerField: below 2³¹ on PostgreSQL


def plant_canaries(user) -> scopecheck.Canaries:
    """Canaries in the figures of units outside ``user``'s scope; their own unit's key
    figures get canaries too (``KEY_FIGURE_OWN``), for the home page's check."""
    from streetbrain.cases.models import CaseStat, StaffStat
    from streetbrain.economy.models import MonthlyFigure

    numbers: dict[int, str] = {}
    own = KeyFigure.objects.filter(scope_q(KeyFigure, user))
    foreign = KeyFigure.objects.exclude(pk__in=own.values("pk"))
    own.update(value=KEY_FIGURE_OWN + F("id"))
    foreign.update(value=KEY_FIGURE_FOREIGN + F("id"))
    for pk, key, unit in foreign.values_list("pk", "key", "org_unit__name"):
        numbers[KEY_FIGURE_FOREIGN + pk] = f"the key figure {key} of {unit} (outside the scope)"
    fields = _numeric_fields(MonthlyFigure)
    rows = MonthlyFigure.objects.exclude(
        pk__in=MonthlyFigure.objects.filter(scope_q(MonthlyFigure, user)).values("pk")
    )
    assert MonthlyFigure.objects.filter(pk__gte=10**5).count() == 0
    rows.update(**{f.name: _canary_base(f, i) + F("id") for i, f in enumerate(fields)})
    for pk, scope, key, month in rows.values_list("pk", "scope", "key", "month"):
        for i, f in enumerate(fields):
            numbers[_canary_base(f, i) + pk] = (
                f"the economy's {f.name} of {scope} {key} {month:%Y-%m} (outside the scope)"
            )
    for model in (CaseStat, StaffStat):
        inside = model.objects.filter(scope_q(model, user)).values("pk")
        model.objects.exclude(pk__in=inside).update(
            **{f.name: POISON + F("id") for f in _numeric_fields(model)}
        )
    return scopecheck.Canaries(numbers=numbers, poison=POISON)


@dataclass
class Viewer:
    name: str
    user: object
    checker: scopecheck.Checker
    picks: dict = field(default_factory=dict)

    def pick(self, model, world: World, *, inside: bool):
        """A row of ``model`` inside the user's scope, or one outside it (preferably one the
        street leader sees: a neighbour's, not a stranger's); None if there is none."""
        key = (model, inside)
        if key not in self.picks:
            rows = visible(model, self.user)
            every = model._default_manager.all()
            if inside:
                found = (rows if rows is not None else every).order_by("pk").first()
            elif rows is None:
                found = None
            else:
                hidden = every.exclude(pk__in=rows.values("pk"))
                street = visible(model, world.users["leader"])
                near = hidden.filter(pk__in=street.values("pk")) if street is not None else hidden
                found = near.order_by("pk").first() or hidden.order_by("pk").first()
            self.picks[key] = found
        return self.picks[key]


@pytest.fixture(scope="module", params=READERS)
def viewer(request, world, django_db_blocker):
    """One reader, with canaries planted for them (undone after their tests)."""
    name = request.param
    user = world.users[name]
    with django_db_blocker.unblock(), transaction.atomic():
        canaries = plant_canaries(user)
        checker = scopecheck.Checker(
            user,
            scopecheck.Resolver(OBJECT_KWARGS, LIST_MODELS, BY_KWARG),
            scopecheck.forbidden_codes(user, PUBLIC_CODES),
            canaries,
        )
        yield Viewer(name, user, checker)
        transaction.set_rollback(True)


# --- reads ---------------------------------------------------------------------------------------


def _gaps(test: str, ids: list[str], reason: str) -> dict[str, str]:
    return {f"{test}[{i}]": reason for i in ids}


# Gaps the suite found that are not fixed yet: test id (a pattern) → what leaks, where. Each
# is an xfail(strict): the day the gap is fixed its case fails until its line goes.
KNOWN_GAPS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _known_gap(request):
    for pattern, reason in KNOWN_GAPS.items():
        if fnmatch.fnmatchcase(request.node.name, pattern.replace("[", "[[]")):
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
            break


READ_ROUTES = [r for r in ROUTES if kind_of(r) != "staff" and "GET" in (r.methods or ("GET",))]
# Pages that show nothing scoped render alike for everyone: an anonymous client, a narrow
# user and the superuser show they do.
PUBLIC_READERS = ("anonymous", "gridworker", "admin")


def _values(spec, world) -> list:
    return spec(world) if callable(spec) else list(spec)


def urls(route: Route, viewer: Viewer, world: World) -> list[tuple[str, str, object]]:
    """(what, URL, object) to request: each object argument with an object inside and one
    outside the user's scope; the other arguments with their declared values."""
    import itertools

    values = {k: _values(v, world) for k, v in value_kwargs(route).items() if k in route.kwargs}
    objects = OBJECT_KWARGS.get(route.name, {}) if kind_of(route) == "scoped" else {}
    out = []
    combos = [dict(zip(values, c, strict=True)) for c in itertools.product(*values.values())]
    for fixed in combos or [{}]:
        if not objects:
            path = _path(route, fixed)
            for query in QUERIES.get(route.name, [{}]):
                out.append(("page", f"{path}?{urlencode(query)}" if query else path, None))
            continue
        for inside in (True, False):
            kwargs, target = dict(fixed), None
            for kwarg, model in objects.items():
                obj = viewer.pick(model, world, inside=inside)
                if obj is None:
                    break
                kwargs[kwarg], target = obj.pk, obj
            else:
                out.append(("inside" if inside else "outside", _path(route, kwargs), target))
    return out


def _path(route: Route, kwargs: dict) -> str:
    if not route.name.split(":")[-1].startswith("<unnamed"):
        return reverse(route.name, kwargs=kwargs or None)
    # An unnamed route (a catch-all) cannot be reversed: fill its pattern's groups.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route.pattern)
    return "/" + path.lstrip("^").rstrip("$")


def _cache_problem(response) -> str:
    """What lets a cache keep a response (issue 12, item 8): every answer of ours, to anyone,
    says ``no-store`` and varies on the credentials; no route declares itself public."""
    problems = []
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r} (expected no-store)")
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    if not {"authorization", "cookie"} <= vary:
        problems.append(f"Vary {response.get('Vary')!r} (expected Authorization, Cookie)")
    return "; ".join(problems)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _serializer_for(route: Route):
    actions = route.drf_actions or {}
    if not set(actions.values()) & {"list", "retrieve"}:
        return None
    cls = getattr(route.view_class, "serializer_class", None)
    return cls() if cls is not None else None


def _export_rows(route: Route, user):
    """The rows an export may hold for ``user``: the export of everything they may see."""
    from streetbrain.core import dataio
    from streetbrain.core.dataio_views import ObjectExportView

    cls = route.view_class
    if cls is None or not issubclass(cls, ObjectExportView):
        return None
    spec = dataio.get_spec(route.initkwargs["spec_key"])
    rows = dataio.export_rows(spec, visible(spec.model, user), user=user)
    return scopecheck.csv_rows(dataio.write_csv(rows))


@pytest.mark.parametrize("reader", PUBLIC_READERS)
@pytest.mark.parametrize("route", [r for r in READ_ROUTES if kind_of(r) == "public"], ids=str)
def test_get_public(route, reader, world):
    """A page that shows nothing scoped renders for everyone."""
    viewer = Viewer(reader, world.users[reader], checker=None)
    client = world.client(reader)
    for _what, url, _obj in urls(route, viewer, world):
        response = client.get(url)
        status = response.status_code
        assert status < 500, f"GET {url} ({route}) as {reader}: {status}"
        assert not _cache_problem(response), f"GET {url} as {reader}: {_cache_problem(response)}"


@pytest.mark.parametrize("route", [r for r in READ_ROUTES if kind_of(r) == "scoped"], ids=str)
def test_get(route, viewer, world):
    """GET as each reader: anonymous clients reach nothing; an object outside the scope is a
    404 (or 403); every page renders; what a page names and shows lies in the user's scope."""
    client = world.client(viewer.name)
    findings = scopecheck.Findings()
    for what, url, _obj in urls(route, viewer, world):
        response = client.get(url)
        where = f"GET {url} ({what})"
        status = response.status_code
        if problem := _cache_problem(response):
            findings.add(f"{where}: {problem}")
        if status >= 500:
            findings.add(f"{where}: {status}")
        elif not viewer.user.is_authenticated:
            if not (_login_redirect(response) or status in (401, 403)):
                findings.add(f"{where}: {status} for an anonymous client (expected the login)")
        elif _login_redirect(response):
            findings.add(f"{where}: sent a logged-in user to the login page")
        elif what == "outside" and status not in (403, 404):
            findings.add(f"{where}: {status} for an object outside the scope (expected 404/403)")
        elif status == 200:
            viewer.checker.check(
                response,
                where,
                findings,
                serializer=_serializer_for(route),
                export=_export_rows(route, viewer.user),
            )
    assert not findings, f"GET {route} as {viewer.name}:{findings}"


# --- writes ------------------------------------------------------------------------------------


def _refused(response, user) -> bool:
    """A write's refusal: the login for an anonymous client; 403, 404 or 405 for a user."""
    if not user.is_authenticated:
        return _login_redirect(response) or response.status_code in (401, 403)
    return response.status_code in (403, 404, 405)


def _send(client, method: str, url: str, data=None, *, api: bool):
    if api:
        return client.generic(method, url, json.dumps(data or {}), content_type="application/json")
    if method == "POST":
        return client.post(url, data or {})
    return client.generic(method, url)


WRITE_CASES = [
    (route, method)
    for route in ROUTES
    if kind_of(route) == "scoped" and OBJECT_KWARGS.get(route.name)
    for method in route.write_methods
]


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize(("route", "method"), WRITE_CASES, ids=[f"{m} {r}" for r, m in WRITE_CASES])
def test_write_outside_the_scope(route, method, writer, world):
    """Every write aimed at an object outside the user's scope is refused before it is read
    (403/404/405, not a form error or a redirect) and changes nothing: no row of any table,
    not the object, not the change log."""
    user = world.users[writer]
    values = {k: _values(v, world)[0] for k, v in value_kwargs(route).items()}
    kwargs, target = dict(values), None
    for kwarg, model in OBJECT_KWARGS[route.name].items():
        target = _outside(model, user, world)
        if target is None:
            pytest.skip(f"nothing of {model._meta.label} lies outside {writer}'s scope")
        kwargs[kwarg] = target.pk
    url = _path(route, kwargs)
    declared = _match(DECLARED, route.name)
    payload = declared.payload if declared else None
    before = scopecheck.fingerprint(target)
    response = _send(world.client(writer), method, url, payload, api=route.is_drf)
    after = scopecheck.fingerprint(target)
    assert _refused(response, user), (
        f"{method} {url} ({route}) as {writer}: {response.status_code} for "
        f"{target._meta.label} #{target.pk} outside the scope"
    )
    assert before == after, f"{method} {url} ({route}) as {writer} changed {_diff(before, after)}"


def _outside(model, user, world):
    """An object of ``model`` outside ``user``'s scope, one the street sees if possible."""
    rows = visible(model, user)
    if rows is None:
        return None
    every = model._default_manager.all()
    hidden = every.exclude(pk__in=rows.values("pk"))
    street = visible(model, world.users["leader"])
    near = hidden.filter(pk__in=street.values("pk")) if street is not None else hidden
    return near.order_by("pk").first() or hidden.order_by("pk").first()


def _diff(before, after) -> str:
    (counts_a, row_a), (counts_b, row_b) = before, after
    changed = [
        f"{a[0]}: {a[1:]} → {b[1:]}" for a, b in zip(counts_a, counts_b, strict=True) if a != b
    ]
    if row_a != row_b:
        changed.append(
            "the object: "
            + ", ".join(
                f"{k} {row_a.get(k)!r} → {v!r}"
                for k, v in (row_b or {}).items()
                if (row_a or {}).get(k) != v
            )
        )
    return "; ".join(changed)


# --- writes through relations (issue 12, item 1) -------------------------------------------------


def _writable_relations(serializer_class) -> list[str]:
    from rest_framework import relations

    fields = serializer_class().fields
    return [
        name
        for name, f in fields.items()
        if not f.read_only
        and isinstance(f, relations.RelatedField | relations.ManyRelatedField)
        and _relation_model(f) is not None
        and (
            getattr(_relation_model(f), "scope_lookup", None)
            or _relation_model(f)._meta.label_lower in scopecheck.OWNED_BY
        )
    ]


def _relation_model(f):
    from rest_framework import relations

    f = f.child_relation if isinstance(f, relations.ManyRelatedField) else f
    queryset = getattr(f, "queryset", None)
    return queryset.model if queryset is not None else None


API_RELATIONS = [
    (route, name)
    for route in ROUTES
    if kind_of(route) == "scoped"
    and "PATCH" in route.write_methods
    and getattr(route.view_class, "serializer_class", None) is not None
    for name in _writable_relations(route.view_class.serializer_class)
]


def _stranger(model, user, like=None):
    """A row of ``model`` the user may not see; for org units one of the same level as
    ``like`` (a grid for a grid field)."""
    rows = visible(model, user)
    hidden = model._default_manager.exclude(pk__in=rows.values("pk")).order_by("pk")
    if like is not None and model is OrgUnit:
        return hidden.filter(level=like.level).first() or hidden.first()
    return hidden.first()


def _wire(f, obj):
    """``obj`` as the API field ``f`` takes it: its slug, or its key; a list for many."""
    from rest_framework import relations

    child = f.child_relation if isinstance(f, relations.ManyRelatedField) else f
    value = (
        getattr(obj, child.slug_field) if isinstance(child, relations.SlugRelatedField) else obj.pk
    )
    return [value] if child is not f else value


@pytest.mark.parametrize("writer", RELATION_WRITERS)
@pytest.mark.parametrize(
    ("route", "field_name"), API_RELATIONS, ids=[f"{r} {f}" for r, f in API_RELATIONS]
)
def test_api_relation_outside_the_scope(route, field_name, writer, world):
    """PATCH an object of the user's own with a relation to a row they may not see (a
    resident of their grid into a household of another), and POST a new one with it:
    refused (403, or 400 naming the field), nothing changed."""
    user = world.users[writer]
    model = scopecheck.model_of(route)
    own = model._default_manager.restrict(user, "change").order_by("pk").first()
    if own is None:
        pytest.skip(f"{writer} may change no {model._meta.label}")
    f = route.view_class.serializer_class().fields[field_name]
    related = _relation_model(f)
    current = getattr(own, f.source, None) if "." not in f.source else None
    stranger = _stranger(related, user, like=current if isinstance(current, models.Model) else None)
    assert stranger is not None, f"every {related._meta.label} lies in {writer}'s scope"
    payload = {field_name: _wire(f, stranger)}
    problems = []
    for method, url in (
        ("PATCH", reverse(route.name, kwargs={"pk": own.pk})),
        ("POST", reverse(route.name.replace("-detail", "-list"))),
    ):
        before = scopecheck.fingerprint(own)
        response = _send(world.client(writer), method, url, payload, api=True)
        after = scopecheck.fingerprint(own)
        body = scopecheck.json_body(response) or {}
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 400 and field_name in body
        )
        chose = f"{method} {url} {{{field_name!r}: {related._meta.label} #{stranger.pk}}}"
        if not refused:
            problems.append(f"{chose}: {response.status_code} {response.content[:200]!r}")
        if before != after:
            problems.append(f"{chose} changed {_diff(before, after)}")
    assert not problems, f"as {writer}:\n  " + "\n  ".join(problems)


FORM_ROUTES = [
    r
    for r in ROUTES
    if kind_of(r) == "scoped" and "POST" in r.write_methods and "GET" in (r.methods or ())
]


def _model_choice_fields(form) -> dict:
    from django import forms as django_forms

    return {
        name: f
        for name, f in form.fields.items()
        if isinstance(f, django_forms.ModelChoiceField)
        and (
            getattr(f.queryset.model, "scope_lookup", None)
            or f.queryset.model._meta.label_lower in scopecheck.OWNED_BY
        )
    }


@pytest.mark.parametrize("writer", FORM_WRITERS)
@pytest.mark.parametrize("route", FORM_ROUTES, ids=str)
def test_form_relation_outside_the_scope(route, writer, world):
    """Every page form's choice of a scoped object (the household of a resident, the
    department of a dispatch, the assignee of a warning, the enterprise of a lease) refuses
    a row the user may not see, whatever the page offered, and nothing changes."""
    import itertools

    user = world.users[writer]
    client = world.client(writer)
    fixed, target = {}, None
    for kwarg, model in OBJECT_KWARGS.get(route.name, {}).items():
        rows = visible(model, user)
        target = (rows if rows is not None else model._default_manager.all()).order_by("pk").first()
        if target is None:
            pytest.skip(f"{writer} sees no {model._meta.label}")
        fixed[kwarg] = target.pk
    values = {k: _values(v, world) for k, v in value_kwargs(route).items()}
    problems = []
    before = scopecheck.fingerprint(target)
    for combo in itertools.product(*values.values()):
        url = _path(route, {**fixed, **dict(zip(values, combo, strict=True))})
        page = client.get(url)
        # 409: the step is not possible in the object's state; its form is still there.
        form = page.context.get("form") if page.status_code in (200, 409) and page.context else None
        for name, f in (_model_choice_fields(form) if form is not None else {}).items():
            stranger = _stranger(f.queryset.model, user, like=_initial_object(form, name, f))
            if stranger is None:
                continue
            response = client.post(url, {name: stranger.pk})
            bound = response.context.get("form") if response.context else None
            refused = response.status_code in (403, 404) or (
                bound is not None and name in bound.errors
            )
            if not refused:
                problems.append(
                    f"{url} {name} = {stranger._meta.label} #{stranger.pk}: {response.status_code}"
                )
    after = scopecheck.fingerprint(target)
    if before != after:
        problems.append(f"changed {_diff(before, after)}")
    assert not problems, f"POST ({route}) as {writer}:\n  " + "\n  ".join(problems)


def _initial_object(form, name, f):
    value = form.initial.get(name) or form[name].value()
    if isinstance(value, models.Model):
        return value
    if isinstance(value, int | str) and str(value).isdigit():
        return f.queryset.model._default_manager.filter(pk=value).first()
    return f.queryset.first()


def _import_relations() -> list[tuple[str, str]]:
    from streetbrain.core import dataio

    out = []
    for key, spec in dataio.all_specs().items():
        for f in spec.fields:
            if isinstance(f, dataio.ForeignKeyField | dataio.ManyToManyField) and getattr(
                f, "scoped", True
            ):
                if getattr(f.related_model, "scope_lookup", None):
                    out.append((key, f.attr))
    return out


IMPORT_RELATIONS = _import_relations()


@pytest.mark.parametrize("writer", RELATION_WRITERS)
@pytest.mark.parametrize(
    ("spec_key", "attr"), IMPORT_RELATIONS, ids=[f"{k} {a}" for k, a in IMPORT_RELATIONS]
)
def test_import_relation_outside_the_scope(spec_key, attr, writer, world):
    """An import row of the user's own pointing at a row they may not see: an error on that
    column, nothing written."""
    from streetbrain.core import dataio

    spec = dataio.get_spec(spec_key)
    user = world.users[writer]
    if not user.has_perm(scopecheck_permission(spec.model, "change")):
        pytest.skip(f"{writer} may not import {spec.model._meta.label}")
    first = spec.model._default_manager.restrict(user, "change").order_by("pk").first()
    own = spec.model._default_manager.filter(pk=getattr(first, "pk", None))
    if first is None:
        pytest.skip(f"{writer} may change no {spec.model._meta.label}")
    f = spec.by_attr[attr]
    stranger = _stranger(
        f.related_model, user, like=getattr(own[0], attr, None) if not f.is_m2m else None
    )
    assert stranger is not None, f"every {f.related_model._meta.label} lies in {writer}'s scope"
    header, *rows = dataio.export_rows(spec, own, user=user)
    cells = list(rows[0])
    keys = f.keys if not f.is_m2m else (f.key,)
    for h, key in zip(f.headers, keys, strict=True):
        cells[header.index(h)] = str(scopecheck_walk(stranger, key))
    data = dataio.write_csv([header, cells])
    before = scopecheck.fingerprint(own[0])
    report = dataio.run_import(spec, data, user, dry_run=False)
    after = scopecheck.fingerprint(own[0])
    assert any(e.column in f.headers for e in report.errors), (
        f"import {spec_key} as {writer} with {attr} = {stranger._meta.label} #{stranger.pk}: "
        f"{report.summary()} {[str(e) for e in report.errors]}"
    )
    assert before == after, f"import {spec_key} as {writer} changed {_diff(before, after)}"


def scopecheck_permission(model, action):
    from streetbrain.core.scoping import permission_name

    return permission_name(model, action)


def scopecheck_walk(obj, path):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


# --- methods nobody uses (issue 12, item 3) ---------------------------------------------------

METHOD_ROUTES = [r for r in ROUTES if kind_of(r) != "staff"]


@pytest.mark.parametrize("route", METHOD_ROUTES, ids=str)
def test_unknown_methods(route, world):
    """TRACE, PROPFIND or any method a route does not take: the API answers 405; a page 405
    or the refusal it gives the user whatever the method (the login, a 403); a function view,
    whose methods the suite cannot see, never a server error."""
    values = {k: _values(v, world)[0] for k, v in value_kwargs(route).items()}
    kwargs = dict(values)
    for kwarg, model in OBJECT_KWARGS.get(route.name, {}).items():
        obj = visible(model, world.users["gridworker"])
        obj = (obj if obj is not None else model._default_manager.all()).order_by("pk").first()
        kwargs[kwarg] = obj.pk if obj is not None else 1
    url = _path(route, kwargs)
    client = world.client("gridworker")
    for method in ("TRACE", "PROPFIND"):
        response = client.generic(method, url)
        status = response.status_code
        if route.is_drf:
            expected = status == 405
        else:
            expected = status in (302, 403, 405) if route.methods else status < 500
        assert expected, f"{method} {url} ({route}): {response.status_code}"


# --- the admin -------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_admin_is_staff_only(reader, world):
    """Every page of the admin sends anyone but staff to the admin's login; for the superuser
    every list and add page renders."""
    client = world.client(reader)
    login = reverse("admin:login")
    problems = []
    for route in ROUTES:
        if kind_of(route) != "staff" or route.name in ("admin:login", "admin:logout"):
            continue
        kwargs = {k: "core" if k == "app_label" else "1" for k in route.kwargs}
        if "unnamed" in route.name:
            continue  # the admin's catch-all and shortcuts redirect to its named pages
        try:
            url = reverse(route.name, kwargs=kwargs or None)
        except Exception:
            url = reverse(route.name, args=list(kwargs.values()))
        response = client.get(url)
        if reader != "admin":
            ok = response.status_code == 302 and response["Location"].startswith(login)
        else:
            ok = response.status_code < 500
        if not ok:
            problems.append(f"GET {url} ({route}): {response.status_code}")
    assert not problems, f"as {reader}:\n  " + "\n  ".join(problems)


# --- figures ----------------------------------------------------------------------------------


def test_home_shows_the_figures_of_the_users_unit(viewer, world):
    """What the home page shows for the user's unit is that unit's own figures (the own
    canaries), not another unit's."""
    from streetbrain.core.figures import key_figures_for

    if not viewer.user.is_authenticated:
        return
    unit = OrgUnit.home_of(viewer.user)
    text = world.client(viewer.name).get(reverse("home")).content.decode()
    shown = scopecheck.number_tokens(text)
    figures = [f for f in key_figures_for(unit, viewer.user) if f["value"] is not None]
    assert figures, f"no key figures for {unit} as {viewer.name}"
    missing = [f["key"] for f in figures if str(int(f["value"])) not in shown]
    own = [f["key"] for f in figures if KEY_FIGURE_OWN < f["value"] < KEY_FIGURE_FOREIGN]
    assert own == [f["key"] for f in figures], f"figures of another unit for {unit}: {figures}"
    assert not missing, f"the home page of {viewer.name} misses {missing} of {unit}"


# The map's counts, checked against the rows they count: layer → (model, rows counted).
MAP_COUNTS = {
    "cases": ("cases.Case", lambda qs: qs.filter(state__in=_open_states())),
    "facilities": ("registry.Facility", lambda qs: qs),
}
UNIT_COUNTS = {
    "residents": ("registry.Resident", lambda qs: qs),
    "households": ("registry.Household", lambda qs: qs),
    "open_cases": ("cases.Case", lambda qs: qs.filter(state__in=_open_states())),
}


# The key figures the map's area layers read for users who see the whole unit.
STORED_KEYS = {"residents": "residents", "households": "households", "open_cases": "cases_open"}


def _open_states():
    from streetbrain.cases.models import OPEN_STATES

    return OPEN_STATES


def test_map_counts_are_those_of_the_scoped_rows(viewer, world):
    """Binned layers count the user's rows and no more; the population and open cases of
    each area are those of the user's rows in it."""
    from django.apps import apps

    if not viewer.user.is_authenticated:
        return
    client = world.client(viewer.name)
    layers = {layer["name"] for layer in client.get(reverse("api:map-layers")).json()["layers"]}
    problems = []
    for name, (label, rows) in MAP_COUNTS.items():
        if name not in layers:
            continue
        model = apps.get_model(label)
        data = client.get(reverse("api:map-layer", args=[name]), {"zoom": 10}).json()
        assert data.get("aggregated"), f"{name} at zoom 10 is not binned: the check needs bins"
        counted = sum(f["properties"]["count"] for f in data["features"])
        expected = rows(visible(model, viewer.user)).exclude(lon=None).exclude(lat=None).count()
        if counted != expected:
            problems.append(f"{name}: the bins count {counted}, the user's rows are {expected}")
    for name in ("communities", "grids"):
        if name not in layers:
            continue
        for feature in client.get(reverse("api:map-layer", args=[name])).json()["features"]:
            props = feature["properties"]
            unit = OrgUnit.objects.get(code=props["code"])
            for key, (label, rows) in UNIT_COUNTS.items():
                if key not in props:
                    continue
                qs = rows(visible(apps.get_model(label), viewer.user))
                expected = qs.filter(org_unit__path__startswith=unit.path).count()
                # Or the unit's stored key figure (the map reads them for users who see
                # the whole unit: as of the last refresh; here the planted canary), never
                # one of a unit outside the scope.
                stored = KeyFigure.objects.filter(org_unit=unit, key=STORED_KEYS[key]).first()
                if stored is not None and props[key] == int(stored.value):
                    home = viewer.user.org_unit
                    own = viewer.user.is_superuser or (
                        home is not None
                        and unit.path.startswith(home.path)
                        and not viewer.user.department_id  # a department sees its cases only
                    )
                    if stored.value >= KEY_FIGURE_FOREIGN or not own:
                        problems.append(
                            f"{name} {unit}: {key} is the stored figure of a unit outside the scope"
                        )
                elif props[key] != expected:
                    problems.append(
                        f"{name} {unit}: {key} {props[key]}, the user's rows {expected}"
                    )
    assert not problems, f"as {viewer.name}:\n  " + "\n  ".join(problems)
