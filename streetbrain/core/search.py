"""The one search: the search box over everything the user may see (``search``, grouped by
kind) and the map's search for places to fly to (``places``), both from the apps' declared
``SearchProvider``s (``extension_points``), read the same way and in the same scope as the
lists: ``restrict(user, "view")``.

Every provider asks the database for at most ``limit`` rows, ranked there: an exact match of
the name, a code or an identifier first (ID numbers and phones through their digests, never
partial numbers), then a prefix, then the name containing the text, then another field (an
address) containing it; shorter names first within a rank.

A fragment shorter than ``TRIGRAM_MIN`` characters (most Chinese names are two) has no
trigram for PostgreSQL's trigram indexes to use, and as the beginning of a code it matches
most codes: its matches are looked for in a bounded scan instead — the newest ``SHORT_SCAN``
matching rows (by the provider's tiebreak, else the newest id), ranked among themselves as
above — so a common fragment ('王勇' among millions of cases) never reads and sorts every
match. Longer fragments, codes and identifiers search everything, through the trigram and
exact indexes (PostgreSQL; SQLite scans).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Case as Cond
from django.db.models import IntegerField, Q, Value, When
from django.db.models.functions import Length

from . import extension_points as ep
from .maps import gcj02
from .scoping import permission_name

EXACT, PREFIX, NAME_CONTAINS, OTHER_CONTAINS = 0, 1, 2, 3

DEFAULT_LIMIT = 10  # per kind, in the search box
MAP_DEFAULT_LIMIT = 20  # in all, on the map
MAP_MAX_LIMIT = 50
MAX_QUERY = 100  # characters; longer is not a name
TRIGRAM_MIN = 3  # characters: shorter text is searched in a bounded scan
SHORT_SCAN = 200  # rows: a short fragment's newest matches, ranked among themselves


@dataclass
class Hit:
    provider: ep.SearchProvider
    rank: int
    obj: object
    place: dict | None = None


def model_of(provider: ep.SearchProvider):
    return apps.get_model(provider.model)


def permission_of(provider: ep.SearchProvider) -> str:
    return provider.permission or permission_name(model_of(provider), "view")


def providers(user, *, on_map: bool = False) -> list[ep.SearchProvider]:
    """The providers ``user`` may search: the search box's, or the map's (in their map
    order)."""
    found = [
        p
        for p in ep.items(ep.SearchProvider)
        if (p.map_kind if on_map else p.in_search) and ep.may(user, permission_of(p))
    ]
    if on_map:
        found.sort(key=lambda p: (p.map_order or p.order, p.key))
    return found


def _searches_text(provider: ep.SearchProvider, q: str, *, on_map: bool) -> bool:
    """Whether ``q`` is looked for in the provider's name and other text fields."""
    return (not on_map or provider.map_text) and len(q) >= provider.min_length


def _condition(provider: ep.SearchProvider, q: str, *, on_map: bool) -> tuple[Q, list]:
    """The rows matching ``q`` and the ranking's cases, for one provider."""
    code = q.upper()
    cond = Q()
    exact: list = []
    prefix: list = []
    text = _searches_text(provider, q, on_map=on_map)
    if text:
        cond |= Q(**{f"{provider.name}__icontains": q})
        exact.append(When(**{f"{provider.name}__iexact": q}, then=Value(EXACT)))
        prefix.append(When(**{f"{provider.name}__istartswith": q}, then=Value(PREFIX)))
    # Codes (grid codes, credit codes, object ids, case numbers) are letters and digits: a
    # text with anything else in it is not one, and costs no lookup.
    codes = provider.codes if code.isascii() and code.isalnum() else ()
    for name in codes:
        cond |= Q(**{f"{name}__startswith": code})
        exact.append(When(**{name: code}, then=Value(EXACT)))
        prefix.append(When(**{f"{name}__startswith": code}, then=Value(PREFIX)))
    if text:
        for name in provider.others:
            cond |= Q(**{f"{name}__icontains": q})
    if provider.exact is not None:
        identifier = provider.exact(q)
        if identifier is not None:
            cond |= identifier
            exact.append(When(identifier, then=Value(provider.exact_rank)))
    whens = [*exact, *prefix]
    if text:
        whens.append(When(**{f"{provider.name}__icontains": q}, then=Value(NAME_CONTAINS)))
    return cond, whens


def find(provider: ep.SearchProvider, user, q: str, limit: int, *, on_map=False) -> list[Hit]:
    """At most ``limit`` rows of one provider matching ``q``, best first (one query; the
    map's positions in one more where the provider places its rows itself)."""
    cond, whens = _condition(provider, q, on_map=on_map)
    if not cond:
        return []
    model = model_of(provider)
    qs = (
        provider.queryset(user)
        if provider.queryset is not None
        else model.objects.restrict(user, "view")
    )
    for other in ep.items(ep.SearchProvider):
        shadow = other.shadows.get(provider.key)
        if shadow is not None and other.key != provider.key and ep.may(user, permission_of(other)):
            qs = qs.exclude(shadow(user))
    if on_map and provider.map_filter is not None:
        qs = qs.filter(provider.map_filter())
    if provider.select_related:
        qs = qs.select_related(*provider.select_related)
    rank = Cond(*whens, default=Value(OTHER_CONTAINS), output_field=IntegerField())
    order = provider.tiebreak or (Length(provider.name), provider.name)
    if len(q) < TRIGRAM_MIN:
        # A short fragment (text, or the beginning of a code): its newest matches only, in
        # the same query (a subquery with a LIMIT: the scan stops there).
        newest = qs.filter(cond).order_by(*(provider.tiebreak or ("-pk",)), "-pk")
        qs, cond = qs.filter(pk__in=newest.values("pk")[:SHORT_SCAN]), Q()
    rows = list(qs.filter(cond).annotate(_rank=rank).order_by("_rank", *order, "pk")[:limit])
    places = {}
    if on_map and rows and provider.locate is not None:
        places = provider.locate(rows)
    return [
        Hit(provider, row._rank, row, places.get(row.pk))
        for row in rows
        if not on_map or row.pk in places
    ]


def normalise_query(q: str | None) -> str:
    """The words of ``q`` one space apart, at most ``MAX_QUERY`` characters. A NUL character,
    which no stored text holds (and PostgreSQL refuses in a query), separates words too."""
    return " ".join((q or "").replace("\x00", " ").split())[:MAX_QUERY]


def search(user, q: str, *, limit: int = DEFAULT_LIMIT, types: list[str] | None = None):
    """The search box: results grouped by kind, ``[{key, label, more, results: [{object,
    title, description, url}]}]``, the kinds in their declared order."""
    q = normalise_query(q)
    if not q or not user.is_authenticated:
        return []
    groups = []
    for provider in providers(user):
        if types and provider.key not in types:
            continue
        hits = find(provider, user, q, limit + 1)
        if not hits:
            continue
        describe = provider.describe or (lambda obj: "")
        groups.append(
            {
                "key": provider.key,
                "label": provider.label,
                "more": len(hits) > limit,
                "results": [
                    {
                        "object": hit.obj,
                        "title": provider.title(hit.obj),
                        "description": describe(hit.obj),
                        "url": hit.obj.get_absolute_url(),
                    }
                    for hit in hits[:limit]
                ],
            }
        )
    return groups


def places(user, q: str, *, limit: int = MAP_DEFAULT_LIMIT, gcj: bool = False) -> list[dict]:
    """The map's search: at most ``limit`` places named like ``q`` in the user's scope, of
    every kind the user's layers show, best first."""
    q = normalise_query(q)
    if not q or not user.is_authenticated:
        return []
    kinds = providers(user, on_map=True)
    order = {p.map_kind: i for i, p in enumerate(kinds)}
    found: dict[str, list[Hit]] = {}
    for provider in kinds:
        hits = find(provider, user, q, limit, on_map=True)
        if hits:
            found[provider.map_kind] = hits
    chosen = _fair_share(found, limit, order)
    chosen.sort(key=lambda r: (r[1].rank, order[r[0]], r[2]))
    return [_place(hit, gcj) for _kind, hit, _i in chosen]


def _place(hit: Hit, gcj: bool) -> dict:
    provider, place = hit.provider, hit.place
    lon, lat = place["lon"], place["lat"]
    bbox = place.get("bbox")
    if gcj:
        lon, lat = gcj02.from_wgs84(lon, lat)
        if bbox:
            bbox = [*gcj02.from_wgs84(bbox[0], bbox[1]), *gcj02.from_wgs84(bbox[2], bbox[3])]
    title = provider.map_title or provider.title
    detail = place["detail"] if "detail" in place else (provider.map_detail or str)(hit.obj)
    item = {
        "kind": provider.map_kind,
        "kind_label": str(provider.map_label or provider.label),
        "name": title(hit.obj),
        "detail": detail or "",
        "lon": round(lon, 6),
        "lat": round(lat, 6),
    }
    if bbox:
        item["bbox"] = [round(v, 6) for v in bbox]
    item["url"] = hit.obj.get_absolute_url()
    return item


def _fair_share(found: dict[str, list[Hit]], limit: int, order: dict) -> list[tuple]:
    """Up to ``limit`` rows: first an equal share per kind (each kind's best), then the
    remaining places go to the best of what is left, by rank."""
    if not found:
        return []
    share = max(1, limit // len(found))
    taken = [(kind, hit, i) for kind, hits in found.items() for i, hit in enumerate(hits[:share])]
    rest = [
        (kind, hit, i) for kind, hits in found.items() for i, hit in enumerate(hits[share:], share)
    ]
    rest.sort(key=lambda r: (r[1].rank, r[2], order[r[0]]))
    taken.sort(key=lambda r: (r[1].rank, r[2], order[r[0]]))
    return (taken[:limit] + rest)[:limit]


# -- what providers use to place their rows ---------------------------------------------------


def at_point(lon: str = "lon", lat: str = "lat", *fallback: tuple[str, str]):
    """A ``locate`` reading each row's position from attributes (dotted paths), trying the
    ``fallback`` pairs where the row has none (a shop without its own position lies at its
    building's)."""

    def value(obj, path: str):
        for part in path.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj

    def locate(rows) -> dict:
        out = {}
        for row in rows:
            for x, y in ((lon, lat), *fallback):
                px, py = value(row, x), value(row, y)
                if px is not None and py is not None:
                    out[row.pk] = {"lon": px, "lat": py}
                    break
        return out

    return locate


def has_point(lon: str = "lon", lat: str = "lat", *fallback: tuple[str, str]):
    """The matching ``map_filter``: rows with a position (their own, or a fallback's)."""

    def condition() -> Q:
        cond = Q(**{f"{lon}__isnull": False, f"{lat}__isnull": False})
        for x, y in fallback:
            cond |= Q(**{f"{x}__isnull": False, f"{y}__isnull": False})
        return cond

    return condition


def bbox_of(geometry: dict | None) -> list[float] | None:
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
