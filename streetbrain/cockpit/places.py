"""一图通览's place search: type a place and jump there, whether its layer is on or not.

One small finder per kind of place (``KINDS``), each with the permission of the map layer it
belongs to and the scope of its rows (``.restrict(user)``, as the layers read them): a user
who may not see a layer finds nothing of that kind. Every finder asks the database for at
most ``limit`` rows, ranked there: an exact match of the name or a code first, then a prefix,
then the name containing the text, then another field (an address) containing it. Only rows
with a position are found: the map has to fly somewhere.

``search`` merges the kinds so that exact and prefix matches come first whatever their kind,
and gives every kind a fair share of the list before any kind gets more (one kind with many
matches cannot crowd out the others).

Positions are WGS-84, shifted to GCJ-02 for a 高德 base map exactly as the layers are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Case as Cond
from django.db.models import Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy

from streetbrain.core.models import OrgUnit

from . import gcj02
from .layers import _may, _url

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_QUERY = 100  # characters; longer is not a place name

EXACT, PREFIX, NAME_CONTAINS, OTHER_CONTAINS = 0, 1, 2, 3


@dataclass(frozen=True)
class Kind:
    name: str
    label: object
    permission: str  # the corresponding layer's permission
    find: Callable[[object, str, int], list[dict]]  # (user, q, limit) -> results with "rank"
    app: str = ""  # the app that must be installed


def _ranked(qs, q: str, *, name: str, codes: tuple[str, ...] = (), others: tuple[str, ...] = ()):
    """Rows whose ``name`` contains ``q``, whose ``codes`` start with it or whose ``others``
    contain it, with their rank (``_rank``), best first and shortest names first."""
    code = q.upper()
    cond = Q(**{f"{name}__icontains": q})
    exact = [When(**{f"{name}__iexact": q}, then=Value(EXACT))]
    prefix = [When(**{f"{name}__istartswith": q}, then=Value(PREFIX))]
    for field in codes:
        cond |= Q(**{f"{field}__startswith": code})
        exact.append(When(**{field: code}, then=Value(EXACT)))
        prefix.append(When(**{f"{field}__startswith": code}, then=Value(PREFIX)))
    for field in others:
        cond |= Q(**{f"{field}__icontains": q})
    rank = Cond(
        *exact,
        *prefix,
        When(**{f"{name}__icontains": q}, then=Value(NAME_CONTAINS)),
        default=Value(OTHER_CONTAINS),
        output_field=IntegerField(),
    )
    return qs.filter(cond).annotate(_rank=rank).order_by("_rank", Length(name), name, "pk")


def _result(rank, name, detail, lon, lat, url, bbox=None) -> dict:
    out = {"rank": rank, "name": name, "detail": detail or "", "lon": lon, "lat": lat}
    if bbox:
        out["bbox"] = bbox
    out["url"] = url
    return out


def _bbox(geometry: dict | None) -> list[float] | None:
    """[min lon, min lat, max lon, max lat] of a GeoJSON geometry."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(value):
        if value and isinstance(value[0], (int, float)):
            xs.append(value[0])
            ys.append(value[1])
        else:
            for v in value:
                walk(v)

    if not geometry:
        return None
    for g in geometry.get("geometries") or [geometry]:
        walk(g.get("coordinates") or [])
    return [min(xs), min(ys), max(xs), max(ys)] if xs else None


# -- the kinds ------------------------------------------------------------------------------


def _units(level: str):
    def find(user, q: str, limit: int) -> list[dict]:
        qs = OrgUnit.objects.restrict(user).filter(level=level, geometry__isnull=False)
        rows = _ranked(qs, q, name="name", codes=("code",)).values_list(
            "_rank", "pk", "name", "parent__name", "geometry", "centroid_lon", "centroid_lat"
        )
        out = []
        for rank, pk, name, parent, geometry, lon, lat in rows[:limit]:
            bbox = _bbox(geometry)
            if bbox is None:
                continue
            if lon is None or lat is None:
                lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
            out.append(_result(rank, name, parent, lon, lat, _url("core:orgunit_detail", pk), bbox))
        return out

    return find


def _buildings(user, q: str, limit: int) -> list[dict]:
    from streetbrain.registry.models import Building

    qs = Building.objects.restrict(user).filter(lon__isnull=False, lat__isnull=False)
    if _economy() and _may(user, "economy.view_officebuilding"):
        # A tower is found as a tower (its own page); the same building twice would be noise.
        from streetbrain.economy.models import OfficeBuilding

        towers = OfficeBuilding.objects.restrict(user).filter(building=OuterRef("pk"))
        qs = qs.exclude(Exists(towers))
    rows = _ranked(qs, q, name="name", others=("address",)).values_list(
        "_rank", "pk", "name", "address", "lon", "lat"
    )
    return [
        _result(rank, name, address, lon, lat, _url("registry:building_detail", pk))
        for rank, pk, name, address, lon, lat in rows[:limit]
    ]


def _towers(user, q: str, limit: int) -> list[dict]:
    from streetbrain.economy.models import OfficeBuilding

    qs = OfficeBuilding.objects.restrict(user).filter(
        building__lon__isnull=False, building__lat__isnull=False
    )
    rows = _ranked(qs, q, name="building__name").values_list(
        "_rank", "pk", "building__name", "building__address", "building__lon", "building__lat"
    )
    return [
        _result(rank, name, address, lon, lat, _url("economy:officebuilding_detail", pk))
        for rank, pk, name, address, lon, lat in rows[:limit]
    ]


def _shops(user, q: str, limit: int) -> list[dict]:
    """Shops by name, address or credit code; a shop without its own position is found at
    its building's."""
    from streetbrain.registry.models import Shop

    qs = Shop.objects.restrict(user).filter(
        Q(lon__isnull=False, lat__isnull=False)
        | Q(building__lon__isnull=False, building__lat__isnull=False)
    )
    rows = _ranked(qs, q, name="name", codes=("credit_code",), others=("address",)).values_list(
        "_rank", "pk", "name", "address", "lon", "lat", "building__lon", "building__lat"
    )
    out = []
    for rank, pk, name, address, lon, lat, b_lon, b_lat in rows[:limit]:
        if lon is None or lat is None:
            lon, lat = b_lon, b_lat
        out.append(_result(rank, name, address, lon, lat, _url("registry:shop_detail", pk)))
    return out


def _facilities(user, q: str, limit: int) -> list[dict]:
    """管理部件 by object id (prefix) or name; unnamed ones go by their class and serial."""
    from streetbrain.registry.models import Facility

    rows = _ranked(
        Facility.objects.restrict(user), q, name="name", codes=("object_id",)
    ).values_list(
        "_rank", "pk", "object_id", "name", "address", "lon", "lat", "component_class__name"
    )
    out = []
    for rank, pk, object_id, name, address, lon, lat, cls in rows[:limit]:
        title = name or f"{cls} {object_id[-6:]}"
        detail = " · ".join(v for v in (cls if name else object_id, address) if v)
        out.append(_result(rank, title, detail, lon, lat, _url("registry:facility_detail", pk)))
    return out


def _landmarks(user, q: str, limit: int) -> list[dict]:
    """OpenStreetMap's named places: public, unscoped, shown with the buildings' permission
    like their layer."""
    from streetbrain.registry.models import Place

    kinds = dict(Place.Kind.choices)
    rows = _ranked(Place.objects.all(), q, name="name").values_list(
        "_rank", "pk", "name", "kind", "lon", "lat"
    )
    return [
        _result(rank, name, str(kinds.get(kind, kind)), lon, lat, _url("registry:place_detail", pk))
        for rank, pk, name, kind, lon, lat in rows[:limit]
    ]


def _enterprises(user, q: str, limit: int) -> list[dict]:
    """Enterprises by name or credit code, found at their tower: the one of their lease in
    force with the most space, else of their latest lease. One without a tower is not on the
    map."""
    from streetbrain.economy.models import Enterprise, Lease

    located = Lease.objects.filter(enterprise=OuterRef("pk"), building__building__lon__isnull=False)
    qs = Enterprise.objects.restrict(user).filter(Exists(located))
    rows = list(
        _ranked(qs, q, name="name", codes=("credit_code",)).values_list(
            "_rank", "pk", "name", "credit_code"
        )[:limit]
    )
    towers: dict[int, tuple] = {}
    leases = (
        Lease.objects.filter(
            enterprise_id__in=[r[1] for r in rows], building__building__lon__isnull=False
        )
        .annotate(
            ended=Cond(When(state=Lease.State.ACTIVE, then=Value(0)), default=Value(1)),
        )
        .order_by("enterprise_id", "ended", "-area_m2", "-end_date", "-pk")
        .values_list(
            "enterprise_id", "building__building__name", "building__building__lon",
            "building__building__lat",
        )
    )  # fmt: skip
    for enterprise_id, *tower in leases:
        towers.setdefault(enterprise_id, tuple(tower))
    out = []
    for rank, pk, name, credit_code in rows:
        if pk not in towers:
            continue
        tower, lon, lat = towers[pk]
        out.append(
            _result(
                rank, name, f"{tower} · {credit_code}", lon, lat,
                _url("economy:enterprise_detail", pk),
            )
        )  # fmt: skip
    return out


def _cases(user, q: str, limit: int) -> list[dict]:
    """Cases by their number: the whole number, its beginning, or (four digits or more) its
    end, as people read out the last digits on the phone."""
    from streetbrain.cases import numbers
    from streetbrain.cases.models import Case

    if not q.isdigit():
        return []
    cond = Q(number__startswith=q)
    if len(q) >= 4:
        cond |= numbers.tail_q(q)
    rank = Cond(
        When(number=q, then=Value(EXACT)),
        When(number__startswith=q, then=Value(PREFIX)),
        default=Value(NAME_CONTAINS),
        output_field=IntegerField(),
    )
    rows = (
        Case.objects.restrict(user)
        .filter(cond, lon__isnull=False, lat__isnull=False)
        .annotate(_rank=rank)
        .order_by("_rank", "-reported_at", "-pk")
        .values_list("_rank", "pk", "number", "title", "address", "org_unit__name", "lon", "lat")
    )
    return [
        _result(
            rank, f"{number} {title}", address or unit or "", lon, lat,
            _url("cases:case_detail", pk),
        )
        for rank, pk, number, title, address, unit, lon, lat in rows[:limit]
    ]  # fmt: skip


def _economy() -> bool:
    return apps.is_installed("streetbrain.economy")


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("community", gettext_lazy("Communities"), "core.view_orgunit", _units("community")),
        Kind("grid", gettext_lazy("Grid cells"), "core.view_orgunit", _units("grid")),
        Kind("building", gettext_lazy("Buildings"), "registry.view_building", _buildings),
        Kind(
            "tower",
            gettext_lazy("Office buildings"),
            "economy.view_officebuilding",
            _towers,
            app="streetbrain.economy",
        ),
        Kind("shop", gettext_lazy("Street shops"), "registry.view_shop", _shops),
        Kind(
            "landmark",
            gettext_lazy("Landmarks (OpenStreetMap)"),
            "registry.view_building",
            _landmarks,
        ),
        Kind("facility", gettext_lazy("Facilities"), "registry.view_facility", _facilities),
        Kind(
            "enterprise",
            gettext_lazy("Enterprises"),
            "economy.view_enterprise",
            _enterprises,
            app="streetbrain.economy",
        ),
        Kind("case", gettext_lazy("Cases"), "cases.view_case", _cases, app="streetbrain.cases"),
    )
}


def available(user) -> list[Kind]:
    return [
        kind
        for kind in KINDS.values()
        if (not kind.app or apps.is_installed(kind.app)) and _may(user, kind.permission)
    ]


def search(user, q: str, *, limit: int = DEFAULT_LIMIT, gcj: bool = False) -> list[dict]:
    """At most ``limit`` places named like ``q`` in the user's scope, best first."""
    q = " ".join((q or "").split())[:MAX_QUERY]
    if not q or not user.is_authenticated:
        return []
    order = {name: i for i, name in enumerate(KINDS)}
    found: dict[str, list[dict]] = {}
    for kind in available(user):
        rows = kind.find(user, q, limit)
        if rows:
            found[kind.name] = rows
    chosen = _fair_share(found, limit)
    chosen.sort(key=lambda r: (r[1]["rank"], order[r[0]], r[2]))
    out = []
    for name, row, _i in chosen:
        lon, lat = row["lon"], row["lat"]
        bbox = row.get("bbox")
        if gcj:
            lon, lat = gcj02.from_wgs84(lon, lat)
            if bbox:
                bbox = [*gcj02.from_wgs84(bbox[0], bbox[1]), *gcj02.from_wgs84(bbox[2], bbox[3])]
        item = {
            "kind": name,
            "kind_label": str(KINDS[name].label),
            "name": row["name"],
            "detail": row["detail"],
            "lon": round(lon, 6),
            "lat": round(lat, 6),
        }
        if bbox:
            item["bbox"] = [round(v, 6) for v in bbox]
        item["url"] = row["url"]
        out.append(item)
    return out


def _fair_share(found: dict[str, list[dict]], limit: int) -> list[tuple[str, dict, int]]:
    """Up to ``limit`` rows: first an equal share per kind (each kind's best), then the
    remaining places go to the best of what is left, by rank."""
    if not found:
        return []
    share = max(1, limit // len(found))
    taken = [(name, row, i) for name, rows in found.items() for i, row in enumerate(rows[:share])]
    rest = [
        (name, row, i) for name, rows in found.items() for i, row in enumerate(rows[share:], share)
    ]
    order = {name: i for i, name in enumerate(KINDS)}
    rest.sort(key=lambda r: (r[1]["rank"], r[2], order[r[0]]))
    taken.sort(key=lambda r: (r[1]["rank"], r[2], order[r[0]]))
    return (taken[:limit] + rest)[:limit]
