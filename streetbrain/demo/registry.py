"""The registry's part of the demo district of 福明街道: resident tags, residential compounds
and their buildings, houses, households and residents, city components (管理部件), street
shops, and the real OpenStreetMap landmarks.

ALL PEOPLE, HOUSEHOLDS, BUILDINGS, HOUSES, FACILITIES AND SHOPS ARE SYNTHETIC (planned by
``synth.registry`` from ``synth.people``); only the landmarks (``Place``) are real,
© OpenStreetMap contributors (ODbL).

:func:`load` writes the plan with ``bulk_create`` and one change-log entry per created object
(``log_bulk``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence

from django.db import transaction
from shapely.geometry import mapping, shape

from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.geo import GridLocator
from streetbrain.core.models import Department, OrgUnit
from streetbrain.registry.codes import load_code_tables
from streetbrain.registry.models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Place,
    Resident,
    ResidentTag,
    Shop,
)

from .context import default_scale
from .synth import people
from .synth.district import load_osm_features
from .synth.registry import SEED, GridInfo, HousePlan, RegistryPlan, plan_registry

DEMO = "demo"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


def grids_from_db(units=None) -> list[GridInfo]:
    """The planner's grid cells: every grid cell with an outline, or those of ``units``."""
    if units is None:
        units = OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False)
    grids = units.select_related("parent").order_by("code")
    return [
        GridInfo(g.code, g.parent.name, g.parent.code, shape(g.geometry), g.area_m2 or 0.0)
        for g in grids
    ]


class _Timer:
    """How the registry's rows are written and logged: ``bulk_create`` and one change-log
    entry per object (the district benchmark, ``bench/district``, writes with ``COPY`` and
    without change log through a subclass)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.log_seconds = 0.0
        self.log_entries = 0

    def create(self, model, objs: list, batch_size: int = 1000) -> list:
        return _create(model, objs, batch_size=batch_size)

    def log(self, objs: Sequence, chunk: int = 5000) -> None:
        """Change-log entries for created objects, in chunks (bounded memory)."""
        start = time.perf_counter()
        for i in range(0, len(objs), chunk):
            self.log_entries += log_bulk(objs[i : i + chunk], "create")
        self.log_seconds += time.perf_counter() - start


def _create(model, objs: list, batch_size: int = 1000) -> list:
    model.objects.bulk_create(objs, batch_size=batch_size)
    return objs


def is_loaded() -> bool:
    return Building.objects.filter(data_source=DEMO).exists()


def load(ctx, scale: float | None = None) -> None:
    """Load the registry's demo data (``ctx``: a ``DemoContext``)."""
    if is_loaded():
        ctx.say("registry: demo data already loaded")
        return
    if not OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False).exists():
        ctx.say("registry: no grid cells with outlines (load the core demo first): skipped")
        return
    scale = default_scale() if scale is None else scale
    with transaction.atomic():
        if not ComponentClass.objects.exists():  # a database migrated without its signals
            load_code_tables()
        _load(ctx, scale)


def _step(ctx, timer: _Timer, label: str, fn: Callable[[], str]) -> None:
    start, logged, entries = time.perf_counter(), timer.log_seconds, timer.log_entries
    summary = fn()
    total = time.perf_counter() - start
    log_s, log_n = timer.log_seconds - logged, timer.log_entries - entries
    ctx.say(
        f"{label}: {summary} ({total:.1f} s, of which change log {log_s:.1f} s for {log_n} entries)"
    )


def _load(
    ctx,
    scale: float,
    *,
    street: OrgUnit | None = None,
    grids: list[GridInfo] | None = None,
    seed: int = SEED,
    timer: _Timer | None = None,
    population: people.Population | None = None,
    facility_serial_base: int = 0,
    places: bool = True,
) -> None:
    """The demo's registry; for a district of several streets (``bench/district``) one
    ``street`` at a time: its grid cells (or the ``grids`` given), its own ``seed``."""
    timer = timer or _Timer(ctx)
    today = datetime.date.today()
    start = time.perf_counter()
    units = OrgUnit.objects.filter(level=OrgUnit.Level.GRID)
    if street is not None:
        units = units.filter(code__startswith=street.code)
    grid_units = {g.code: g for g in units.order_by("code")}
    if grids is None:
        grids = [g for g in grids_from_db() if g.code in grid_units]
    plan = plan_registry(
        grids,
        scale=scale,
        today=today,
        seed=seed,
        population=population,
        facility_serial_base=facility_serial_base,
    )
    ctx.say(
        f"registry plan (synthetic people, houses and shops; scale {scale:g}): "
        f"{time.perf_counter() - start:.1f} s"
    )
    tags = {}
    _step(ctx, timer, "resident tags", lambda: _load_tags(timer, tags))
    buildings: dict[str, Building] = {}
    _step(ctx, timer, "buildings", lambda: _load_buildings(timer, plan, grid_units, buildings))
    houses: list[tuple[House, HousePlan]] = []
    _step(ctx, timer, "houses", lambda: _load_houses(timer, plan, buildings, houses))
    _step(ctx, timer, "households and residents", lambda: _load_people(timer, houses, tags))
    _step(ctx, timer, "facilities", lambda: _load_facilities(timer, plan, grid_units))
    _step(ctx, timer, "shops", lambda: _load_shops(timer, plan, grid_units, buildings))
    if places:
        _step(ctx, timer, "named places", lambda: _load_places(timer, grids, grid_units))
    ctx.say(
        f"registry change log: {timer.log_entries} entries ({timer.log_seconds:.1f} s); "
        f"registry total {time.perf_counter() - start:.1f} s"
    )


def _load_tags(timer: _Timer, tags: dict[str, ResidentTag]) -> str:
    existing = {t.code: t for t in ResidentTag.objects.all()}
    new = [
        ResidentTag(code=code, name=name, sensitive=sensitive)
        for code, name, sensitive in people.TAGS
        if code not in existing
    ]
    timer.create(ResidentTag, new)
    timer.log(new)
    tags.update(existing)
    tags.update({t.code: t for t in new})
    return f"{len(new)} created"


def _load_buildings(
    timer: _Timer, plan: RegistryPlan, grid_units: dict[str, OrgUnit], out: dict[str, Building]
) -> str:
    objs = [
        Building(
            code=b.code,
            name=b.name,
            address=b.address,
            kind=Building.Kind.RESIDENTIAL,
            compound=b.compound,
            lon=b.lon,
            lat=b.lat,
            floors_above=b.floors_above,
            floors_below=b.floors_below,
            gross_area_m2=b.gross_area,
            year_built=b.year,
            property_manager=b.manager,
            org_unit=grid_units[b.grid],
            data_source=DEMO,
        )
        for b in plan.buildings
    ]
    timer.create(Building, objs)
    timer.log(objs)
    out.update({o.code: o for o in objs})
    compounds = len({b.compound for b in plan.buildings})
    return f"{len(objs)} residential buildings in {compounds} compounds"


def _load_houses(
    timer: _Timer,
    plan: RegistryPlan,
    buildings: dict[str, Building],
    out: list[tuple[House, HousePlan]],
) -> str:
    for b, h in plan.houses():
        building = buildings[b.code]
        house = House(
            building=building,
            number=h.number,
            floor=h.floor,
            area_m2=h.area,
            use=h.use,
            org_unit=building.org_unit,
            data_source=DEMO,
        )
        out.append((house, h))
    objs = [house for house, _ in out]
    timer.create(House, objs)
    timer.log(objs)
    uses: dict[str, int] = {}
    for o in objs:
        uses[o.use] = uses.get(o.use, 0) + 1
    mix = ", ".join(f"{k} {100 * v / max(1, len(objs)):.0f}%" for k, v in sorted(uses.items()))
    return f"{len(objs)} houses ({mix})"


def _load_people(
    timer: _Timer, houses: list[tuple[House, HousePlan]], tags: dict[str, ResidentTag]
) -> str:
    households: list[Household] = []
    residents: list[Resident] = []
    resident_tags: list[list[str]] = []
    for house, h in houses:
        if h.household is None:
            continue
        hh = Household(
            code=h.household_code,
            house=house,
            kind=h.household.kind,
            org_unit=house.org_unit,
            data_source=DEMO,
        )
        households.append(hh)
        for p in h.household.members:
            r = Resident(
                name=p.name,
                residence=p.residence,
                household=hh,
                relation=p.relation,
                house=house,
                org_unit=house.org_unit,
                data_source=DEMO,
            )
            # The model's own method: validates, encrypts (Fernet), digests, masks, and
            # derives sex and birth date from the number (a few µs each).
            r.set_id_number(p.id_number)
            r.phone = p.phone
            residents.append(r)
            resident_tags.append(p.tags)
    timer.create(Household, households)
    timer.log(households)
    timer.create(Resident, residents, batch_size=2000)
    through = Resident.tags.through
    links = [
        through(resident_id=r.pk, residenttag_id=tags[code].pk)
        for r, codes in zip(residents, resident_tags, strict=True)
        for code in codes
    ]
    timer.create(through, links, batch_size=5000)
    _cache_tags(residents, resident_tags, tags)
    timer.log(residents)
    return f"{len(households)} households, {len(residents)} residents, {len(links)} tag marks"


def _cache_tags(
    residents: list[Resident], resident_tags: list[list[str]], tags: dict[str, ResidentTag]
) -> None:
    """Give each resident its tags as a prefetched result, as ``prefetch_related`` would, so
    that the change-log snapshots do not query the tags of every resident one by one."""
    empty = ResidentTag.objects.none()
    empty._result_cache, empty._prefetch_done = [], True
    for r, codes in zip(residents, resident_tags, strict=True):
        if codes:
            qs = ResidentTag.objects.none()
            qs._result_cache = sorted((tags[c] for c in codes), key=lambda t: t.code)
            qs._prefetch_done = True
        else:
            qs = empty
        r._prefetched_objects_cache = {"tags": qs}


def _load_facilities(timer: _Timer, plan: RegistryPlan, grid_units: dict[str, OrgUnit]) -> str:
    classes = {c.code: c for c in ComponentClass.objects.filter(kind=ComponentClass.Kind.COMPONENT)}
    departments = {d.code: d for d in Department.objects.all()}
    objs = [
        Facility(
            object_id=f.object_id,
            component_class=classes[f.class_code],
            name=f.name,
            lon=f.lon,
            lat=f.lat,
            address=f.address,
            owner=departments.get(f.owner) if f.owner else None,
            maintainer=departments.get(f.maintainer) if f.maintainer else None,
            state=f.state,
            installed_on=f.installed_on,
            org_unit=grid_units[f.grid],
            data_source=DEMO,
        )
        for f in plan.facilities
    ]
    timer.create(Facility, objs)
    timer.log(objs)
    majors = len({f.class_code[:2] for f in plan.facilities})
    kinds = len({f.class_code for f in plan.facilities})
    return f"{len(objs)} facilities of {kinds} classes in {majors} major classes"


def _load_shops(
    timer: _Timer,
    plan: RegistryPlan,
    grid_units: dict[str, OrgUnit],
    buildings: dict[str, Building],
) -> str:
    industries = {c.code: c for c in IndustryClass.objects.all()}
    objs = []
    for s in plan.shops:
        shop = Shop(
            name=s.spec.name,
            credit_code=s.spec.credit_code,
            licence_no=s.spec.licence_no,
            industry=industries[s.spec.industry],
            building=buildings[s.building] if s.building else None,
            address=s.address,
            operator=s.spec.operator,
            lon=s.lon,
            lat=s.lat,
            status=s.status,
            inspection=s.inspection,
            inspected_on=s.inspected_on,
            org_unit=grid_units[s.grid],
            data_source=DEMO,
        )
        shop.phone = s.spec.phone
        objs.append(shop)
    timer.create(Shop, objs)
    timer.log(objs)
    linked = sum(1 for s in plan.shops if s.building)
    return f"{len(objs)} shops ({linked} in residential buildings)"


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def _load_places(timer: _Timer, grids: list[GridInfo], grid_units: dict[str, OrgUnit]) -> str:
    locator = GridLocator([(g.code, g.polygon) for g in grids])
    kinds = {k.value for k in Place.Kind}
    existing = set(Place.objects.values_list("osm_ref", flat=True))
    objs = []
    for i, (props, geom) in enumerate(load_osm_features()):
        name = (props.get("name") or "").strip()
        ref = f"eastern_new_town_osm#{i}"  # the extract carries no OSM ids: file + feature
        if not name or ref in existing:
            continue
        centroid = geom.centroid
        code = locator.locate(centroid.x, centroid.y)
        geo = mapping(geom)
        objs.append(
            Place(
                name=name[:100],
                kind=props.get("kind") if props.get("kind") in kinds else Place.Kind.OTHER,
                osm_ref=ref,
                geometry={"type": geo["type"], "coordinates": _lists(geo["coordinates"])},
                lon=round(centroid.x, 7),
                lat=round(centroid.y, 7),
                org_unit=grid_units.get(code) if code else None,
                attribution=OSM_ATTRIBUTION,
            )
        )
    timer.create(Place, objs)
    timer.log(objs)
    inside = sum(1 for o in objs if o.org_unit_id)
    return f"{len(objs)} OpenStreetMap landmarks ({inside} inside 福明街道)"


LOADER = DemoLoader("registry", load, is_loaded, depends_on=("core",), order=20)
