"""Duplicates (最多报一次): the open case a new report repeats, if any. The same or a related
class (``CASES_RELATED_CLASSES``), within the radius and the window of the class's
立结案标准, and a similar text (cosine similarity of character bigrams); a sensor's alarms by
the device and its merge window. For a batch the candidates of every report come from one
query (``duplicate_candidates_many``); staff see the near cases of a case
(``duplicate_candidates``)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from ..models import OPEN_STATES, Case
from .pipeline import ReportInput, class_for_label, label_of, time_limit_for

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _bigrams(text: str) -> Counter:
    chars = [c for c in unicodedata.normalize("NFKC", text or "").lower() if c.isalnum()]
    return Counter(a + b for a, b in itertools.pairwise(chars)) or Counter(chars)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigram counts (0..1): robust for Chinese, no tokenizer."""
    va, vb = _bigrams(a), _bigrams(b)
    if not va or not vb:
        return 0.0
    dot = sum(v * vb.get(k, 0) for k, v in va.items())
    return dot / math.sqrt(sum(v * v for v in va.values()) * sum(v * v for v in vb.values()))


def related_classes(component_class) -> list:
    """The class itself and those configured as related (``CASES_RELATED_CLASSES``)."""
    related = getattr(settings, "CASES_RELATED_CLASSES", {}).get(label_of(component_class), [])
    out = [component_class]
    for label in related:
        found = class_for_label(label)
        if found is not None and found.pk != component_class.pk:
            out.append(found)
    return out


@dataclass
class DuplicateMatch:
    case: Case
    distance_m: float
    similarity: float
    score: float


def _search_box(data: ReportInput, standard, now: dt.datetime):
    """(radius m, Δlat, Δlon, since) of the duplicate search around a report."""
    radius = standard.duplicate_radius_m if standard else settings.CASES_DUPLICATE_RADIUS_M
    days = standard.duplicate_window_days if standard else settings.CASES_DUPLICATE_WINDOW_DAYS
    dlat = radius / 111_320.0
    dlon = radius / (111_320.0 * max(0.1, math.cos(math.radians(data.lat))))
    return radius, dlat, dlon, now - dt.timedelta(days=days)


def duplicate_candidates_many(items) -> dict[int, list[Case]]:
    """The open cases near each report, for a whole batch in one query: ``items`` are
    ``(index, ReportInput, component_class, standard, now)``; the answer maps each index to
    its candidates (partial cases: id, title, description, place, time), which
    ``find_duplicate(..., candidates=...)`` then scores without a query of its own."""
    rows = []
    for i, data, component_class, standard, now in items:
        if component_class is None or data.lon is None or data.sensor is not None:
            continue
        _radius, dlat, dlon, since = _search_box(data, standard, now)
        since = connection.ops.adapt_datetimefield_value(since)
        for cls in related_classes(component_class):
            rows.append(
                (
                    i,
                    cls.pk,
                    data.lat - dlat,
                    data.lat + dlat,
                    data.lon - dlon,
                    data.lon + dlon,
                    since,
                )
            )
    out: dict[int, list[Case]] = {i: [] for i, *_rest in items}
    if not rows:
        return out
    table = Case._meta.db_table
    states = sorted(OPEN_STATES)
    # Only placeholders and the model's own table name go into the text (no input).
    sql = (
        "WITH v (i, class_id, lat_lo, lat_hi, lon_lo, lon_hi, since) AS (VALUES "
        + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        + f") SELECT v.i, c.id, c.title, c.description, c.lon, c.lat, c.reported_at "  # noqa: S608
        f"FROM v JOIN {table} c ON c.component_class_id = v.class_id "
        "AND c.lat BETWEEN v.lat_lo AND v.lat_hi AND c.lon BETWEEN v.lon_lo AND v.lon_hi "
        "AND c.reported_at >= v.since "
        f"AND c.state IN ({', '.join(['%s'] * len(states))}) ORDER BY v.i, c.id"
    )
    params = [value for row in rows for value in row] + states
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for i, pk, title, description, lon, lat, reported_at in cursor.fetchall():
            out[i].append(
                Case(
                    pk=pk,
                    title=title,
                    description=description,
                    lon=lon,
                    lat=lat,
                    reported_at=reported_at,
                )
            )
    return out


def find_duplicate(
    data: ReportInput,
    component_class,
    standard,
    now: dt.datetime,
    *,
    opened=(),
    candidates: list | None = None,
) -> DuplicateMatch | None:
    """The open case this report repeats, if any (最多报一次). ``opened``: cases opened
    earlier in the same batch, not yet in the database, compared as well. ``candidates``:
    the open cases near it, if already fetched (``duplicate_candidates_many``)."""
    if data.sensor is not None:
        window = dt.timedelta(minutes=data.sensor.merge_window_minutes)
        for case in reversed(opened):
            if case.sensor_id == data.sensor.pk and case.reported_at >= now - window:
                return DuplicateMatch(case, 0.0, 1.0, 1.0)
        case = (
            Case.objects.filter(
                sensor=data.sensor, state__in=OPEN_STATES, reported_at__gte=now - window
            )
            .order_by("-reported_at")
            .first()
        )
        if case is not None:
            return DuplicateMatch(case, 0.0, 1.0, 1.0)
    if component_class is None or data.lon is None:
        return None
    radius, dlat, dlon, since = _search_box(data, standard, now)
    classes = related_classes(component_class)
    class_ids = {c.pk for c in classes}
    if candidates is None:
        candidates = list(
            Case.objects.filter(
                component_class__in=classes,
                state__in=OPEN_STATES,
                reported_at__gte=since,
                lat__range=(data.lat - dlat, data.lat + dlat),
                lon__range=(data.lon - dlon, data.lon + dlon),
            ).only("pk", "title", "description", "lon", "lat", "number", "reported_at")[:50]
        )
    candidates = candidates + [
        case
        for case in opened
        if case.component_class_id in class_ids
        and case.lon is not None
        and case.reported_at >= since
        and abs(case.lat - data.lat) <= dlat
        and abs(case.lon - data.lon) <= dlon
    ]
    text = "\n".join(t for t in (data.title, data.description) if t)
    threshold = settings.CASES_DUPLICATE_MIN_SIMILARITY
    best = None
    for case in candidates:
        d = distance_m(data.lon, data.lat, case.lon, case.lat)
        if d > radius:
            continue
        sim = similarity(text, f"{case.title}\n{case.description}")
        if sim < threshold:
            continue
        score = sim * (1.0 - 0.5 * d / radius)
        if best is None or score > best.score:
            best = DuplicateMatch(case, d, sim, score)
    return best


def duplicate_candidates(case: Case, limit: int = 5) -> list[DuplicateMatch]:
    """Open cases near ``case`` of its classes (for staff review), best first."""
    if case.component_class_id is None or case.lon is None:
        return []
    data = ReportInput(
        channel=case.channel,
        title=case.title,
        description=case.description,
        lon=case.lon,
        lat=case.lat,
    )
    standard = time_limit_for(case.component_class)
    radius = standard.duplicate_radius_m if standard else settings.CASES_DUPLICATE_RADIUS_M
    dlat = radius / 111_320.0
    dlon = radius / (111_320.0 * max(0.1, math.cos(math.radians(case.lat))))
    out = []
    for other in Case.objects.filter(
        component_class__in=related_classes(case.component_class),
        state__in=OPEN_STATES,
        lat__range=(case.lat - dlat, case.lat + dlat),
        lon__range=(case.lon - dlon, case.lon + dlon),
    ).exclude(pk=case.pk)[:50]:
        d = distance_m(case.lon, case.lat, other.lon, other.lat)
        if d <= radius:
            sim = similarity(
                f"{data.title}\n{data.description}", f"{other.title}\n{other.description}"
            )
            out.append(DuplicateMatch(other, d, sim, sim * (1.0 - 0.5 * d / radius)))
    return sorted(out, key=lambda m: -m.score)[:limit]
