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
most codes: it is looked for in bounded reads instead and ranked as above among what they
find: names and codes that are it or begin with it, anywhere in the scope (at most
``SHORT_SCAN``, through B-tree indexes: the prefix indexes of ``core/trigram.py`` on the big
tables), and names and other fields containing it among recent rows (at most ``SHORT_SCAN``
of them): the whole scope for a user who sees one community or grid (``SMALL_LEVELS``), else
the scope's rows among the table's newest ``SHORT_ROWS`` (by the provider's tiebreak, else
the newest id). No query is spent deciding. So '王勇' finds every
resident called 王勇 or 王勇军 among a district's 1.5 million and the recent cases that name
him, and neither a common nor a rare fragment reads every row.
Longer fragments, codes and identifiers search everything, through the trigram and exact
indexes (PostgreSQL; SQLite scans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import connections
from django.db.models import Case as Cond
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Contains

from . import extension_points as ep
from .maps import gcj02
from .scoping import permission_name

EXACT, PREFIX, NAME_CONTAINS, OTHER_CONTAINS = 0, 1, 2, 3

DEFAULT_LIMIT = 10  # per kind, in the search box
MAP_DEFAULT_LIMIT = 20  # in all, on the map
MAP_MAX_LIMIT = 50
MAX_QUERY = 100  # characters; longer is not a name
TRIGRAM_MIN = 3  # characters: shorter text is searched in a bounded scan
SHORT_SCAN = 200  # rows: a short fragment's matches of each sort, ranked among themselves
SMALL_LEVELS = ("community", "grid")  # scopes read whole for a short fragment's "contains"
SHORT_ROWS = 10_000  # rows: the newest of a scope, where a short fragment's "contains" is read
RELATED_IDS = 1_000  # related rows matched by id, past it joined (``_other_contains``)
NUMBER_FROM = 8  # digits: a number this long is a code or an identifier, not text
LONG_NUMBER = re.compile(rf"[0-9]{{{NUMBER_FROM - 1},}}[0-9Xx]")  # an ID number may end in X


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
    """Whether ``q`` is looked for in the provider's name and other text fields: not when it
    is a long number (``NUMBER_FROM`` digits or more, the last one perhaps an ID number's X:
    a case number, a credit or object code, a phone or an ID number, found through the codes
    and identifiers), which no name holds and an address holds only by chance, while reading
    for it cost a district's search more than the rest of it (its trigrams — "202", "026" —
    are in many addresses: 250 ms of the search for a case number, 65 ms without)."""
    if LONG_NUMBER.fullmatch(q):
        return False
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
            cond |= _other_contains(provider, name, q)
    if provider.exact is not None:
        identifier = provider.exact(q)
        if identifier is not None:
            cond |= identifier
            exact.append(When(identifier, then=Value(provider.exact_rank)))
    whens = [*exact, *prefix]
    if text:
        whens.append(When(**{f"{provider.name}__icontains": q}, then=Value(NAME_CONTAINS)))
    return cond, whens


def _other_contains(provider: ep.SearchProvider, name: str, q: str) -> Q:
    """``name`` contains ``q``. A field across a relation (a facility's
    ``component_class__name``) is matched in its own small table first and asked of the
    provider's rows by the ids it gives (at most ``RELATED_IDS``), which their own index
    serves: a joined table's condition among the OR's others would make PostgreSQL read every
    row of the provider's (176,000 facilities for a district: 90 ms). A fragment too short for
    the trigram indexes never gets here (its rows are read in bounded scans)."""
    if "__" not in name or len(q) < TRIGRAM_MIN:
        return Q(**{f"{name}__icontains": q})
    relation, field = name.rsplit("__", 1)
    target = model_of(provider)
    for part in relation.split("__"):
        target = target._meta.get_field(part).related_model
    ids = list(
        target._default_manager.filter(**{f"{field}__icontains": q})
        .order_by()
        .values_list("pk", flat=True)[: RELATED_IDS + 1]
    )
    if len(ids) > RELATED_IDS:
        return Q(**{f"{name}__icontains": q})
    return Q(**{f"{relation}__in": ids}) if ids else Q(pk__in=[])


def _anchored(provider: ep.SearchProvider, q: str, *, on_map: bool) -> Q:
    """The rows whose name or a code is ``q`` or begins with it, or that ``q`` identifies:
    what a B-tree (an expression index on ``UPPER(name)``, a code's own index, a digest)
    finds without reading the table."""
    code = q.upper()
    cond = Q()
    if _searches_text(provider, q, on_map=on_map):
        cond |= Q(**{f"{provider.name}__istartswith": q})
    if code.isascii() and code.isalnum():
        for name in provider.codes:
            cond |= Q(**{f"{name}__startswith": code})
    if provider.exact is not None:
        identifier = provider.exact(q)
        if identifier is not None:
            cond |= identifier
    return cond


def _folded_contains(provider: ep.SearchProvider, q: str) -> Q:
    """The name or another field contains ``q``, compared in lower case: the same rows as
    ``icontains`` but an expression no index holds, so the planner reads the bounded rows
    it is given instead of a trigram index that has nothing to offer two characters."""
    needle = Value(q.lower())
    cond = Q()
    for name in (provider.name, *provider.others):
        cond |= Q(Contains(Lower(name), needle))
    return cond


def _small_scope(user) -> bool:
    """Whether ``user`` sees one community's or one grid's rows only (``SMALL_LEVELS``)."""
    unit = getattr(user, "org_unit", None)
    return (
        not user.is_superuser
        and not getattr(user, "department_id", None)
        and unit is not None
        and unit.level in SMALL_LEVELS
    )


def _short_candidates(provider: ep.SearchProvider, qs, user, q: str, *, on_map: bool):
    """The rows a fragment shorter than ``TRIGRAM_MIN`` is ranked among, as one subquery:
    the first ``SHORT_SCAN`` rows whose name or code begins with it (anywhere in the scope,
    through an index), and its other matches among recent rows (the module's docstring; the
    first ``SHORT_SCAN`` matches of the table's newest rows, which the caller's scoped query
    then narrows to the scope's): bounded reads, since no index serves a two-character
    "contains"."""
    model = qs.model
    parts = []
    if _searches_text(provider, q, on_map=on_map):
        newest_order = (*(provider.tiebreak or ("-pk",)), "-pk")
        contains = _folded_contains(provider, q)
        if _small_scope(user):
            # A community's or a grid's rows (a few thousand at most): all of them, read as
            # the planner likes (OFFSET 0 keeps it from walking the whole table in id order
            # for the newest), the newest matches kept.
            rows = qs.order_by()
        else:
            # A street, a district (or a scope not by unit): the newest rows of the whole
            # table; whether those that contain the text are in the scope is asked by the
            # outer query, of them alone. Reading "the scope's newest" instead costs the
            # scope's share of the table in rows skipped (a street's newest cases lie among
            # 25 times as many of the district's); this costs the same for every scope. (The
            # scope asked in here, PostgreSQL reckoned on 10,000 questions and built the
            # whole scope as a hash first: a district's 40,000 shops, 34 ms, for 5 matches.)
            rows = model._base_manager.order_by(*newest_order)[:SHORT_ROWS]
        hit = Cond(When(contains, then=Value(True)), default=Value(False))
        newest = rows.annotate(_id=F("pk"), _hit=hit).values_list("_id", "_hit")
        sql, params = newest.query.sql_with_params()
        # The rows first, then the test on them: a subquery in FROM with a LIMIT or an OFFSET
        # is a fence no planner pushes the test through (left to itself, PostgreSQL expects
        # a "contains" to be rare and reads the whole table for it).
        if _small_scope(user):
            fence = "OFFSET 0" if connections[qs.db].vendor == "postgresql" else "LIMIT -1 OFFSET 0"
            sql = f'SELECT "n"."_id" FROM ({sql} {fence}) "n" WHERE "n"."_hit" ORDER BY 1 DESC'  # noqa: S608 (Django's own SQL, values in params)
        else:
            sql = f'SELECT "n"."_id" FROM ({sql}) "n" WHERE "n"."_hit"'  # noqa: S608
        recent = RawSQL(f"{sql} LIMIT {int(SHORT_SCAN)}", params)  # noqa: S611
        parts.append(model._base_manager.filter(pk__in=recent).order_by().values("pk"))
    anchored = _anchored(provider, q, on_map=on_map)
    if anchored:
        first = qs.filter(anchored).order_by().values("pk")[:SHORT_SCAN]
        parts.append(model._base_manager.filter(pk__in=first).order_by().values("pk"))
    if not parts:
        return model._base_manager.none().values("pk")
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


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
        qs, cond = qs.filter(pk__in=_short_candidates(provider, qs, user, q, on_map=on_map)), Q()
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
