"""The intake pipeline's steps, each a function without side effects on the database:
validate → place → classify → find a duplicate → route → time limit.

``actions.submit_report`` runs them and writes the result in one transaction; the steps are
separate so that tests, benchmarks and the demo generator can use each on its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core import worktime
from streetbrain.core.models import OrgUnit

from . import refdata
from .models import (
    CLOCK_STATES,
    OPEN_STATES,
    Case,
    Channel,
)

MAX_DESCRIPTION = 4000
EARTH_RADIUS_M = 6_371_008.8


@dataclass
class ReportInput:
    """What a channel hands to the pipeline (every field optional except the channel)."""

    channel: str
    title: str = ""
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    address_id: str = ""
    requested_class: object = None  # a ComponentClass, or "matter:06010" / "06010"
    attributes: dict = field(default_factory=dict)
    media_url: str = ""
    reporter_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    external_id: str = ""
    idempotency_key: str = ""
    user: object = None
    api_key: object = None
    sensor: object = None
    received_at: dt.datetime | None = None
    photos: list = field(default_factory=list)  # UploadedFile objects
    facility: object = None
    shop: object = None
    building: object = None
    # (cipher, digest, masked) of a phone protected when the report was accepted (the queue)
    phone_protected: tuple | None = None
    token: object = None  # the report's tracking token, if given when it was accepted
    # The audit context (source, actor_name) of the request that accepted a queued report, so
    # that its change-log entries name the client even when a background batch writes them.
    audit: dict = field(default_factory=dict)


# -- validate -------------------------------------------------------------------------------


def _float(value, name: str, errors: dict) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = _("Enter a number.")
        return None
    if math.isnan(number) or math.isinf(number):
        errors[name] = _("Enter a number.")
        return None
    return number


def validate(data: ReportInput) -> ReportInput:
    """Normalise ``data`` in place; raise ``ValidationError`` (field → message) if unusable."""
    errors: dict[str, str] = {}
    if data.channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    data.title = (data.title or "").strip()[:200]
    data.description = (data.description or "").strip()
    if len(data.description) > MAX_DESCRIPTION:
        errors["description"] = _("The description may have at most %(n)d characters.") % {
            "n": MAX_DESCRIPTION
        }
    if not data.title and not data.description:
        errors["description"] = _("Describe the problem.")
    data.lon = _float(data.lon, "long", errors)
    data.lat = _float(data.lat, "lat", errors)
    if (data.lon is None) != (data.lat is None):
        errors["lat" if data.lat is None else "long"] = _(
            "Give both latitude and longitude, or neither."
        )
    elif data.lon is not None:
        if not -180 <= data.lon <= 180:
            errors["long"] = _("Longitude must lie between -180 and 180.")
        if not -90 <= data.lat <= 90:
            errors["lat"] = _("Latitude must lie between -90 and 90.")
    data.address = (data.address or "").strip()[:200]
    data.address_id = (data.address_id or "").strip()[:64]
    if (
        data.lon is None
        and not data.address
        and not data.address_id
        and data.sensor is None
        and data.facility is None
        and data.shop is None
        and data.building is None
    ):
        errors["location"] = _("Give the location: a point on the map or an address.")
    data.idempotency_key = (data.idempotency_key or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    return data


# -- place ----------------------------------------------------------------------------------


@dataclass
class Placement:
    grid: OrgUnit | None
    lon: float | None
    lat: float | None
    building: object = None
    how: str = ""  # "point", "building", "address", "sensor", "facility", "shop", ""


def street_unit() -> OrgUnit:
    """The unit that holds unplaced cases: the configured street, or the first street."""
    code = settings.CASES_HOME_UNIT or settings.STREETBRAIN["ROOT_UNIT_CODE"]
    qs = OrgUnit.objects.filter(code=code) if code else OrgUnit.objects.none()
    unit = qs.first() or OrgUnit.objects.filter(level="street").order_by("path").first()
    if unit is None:
        raise ValidationError(_("No street is set up to receive reports."))
    return unit


_ADDRESS_NOISE = re.compile(r"[\s,，。.、()（）\-—#号]+")


def _address_key(text: str) -> str:
    return _ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def geocode_address(address: str, address_id: str = ""):
    """A registry building for an address (or an address id = the building's code), or None.
    Exact address, then the longest building address or name contained in the text."""
    from streetbrain.registry.models import Building

    if address_id:
        found = Building.objects.filter(code=address_id).first()
        if found is not None:
            return found
    key = _address_key(address)
    if not key:
        return None
    best, best_len = None, 0
    for pk, addr, name in Building.objects.values_list("pk", "address", "name").iterator():
        for candidate in (_address_key(addr), _address_key(name)):
            if candidate and len(candidate) >= 4 and candidate in key and len(candidate) > best_len:
                best, best_len = pk, len(candidate)
    return Building.objects.select_related("org_unit").get(pk=best) if best else None


def locate_point(lon: float, lat: float) -> OrgUnit | None:
    """The grid cell containing the point (from the snapshot: no query), or None."""
    from streetbrain.core.geo_lookup import locate_code

    code = locate_code(lon, lat)
    return refdata.get().grids.get(code) if code else None


def place(data: ReportInput) -> Placement:
    anchor = data.facility or data.shop or data.building
    if data.lon is None and anchor is not None and getattr(anchor, "lon", None) is not None:
        data.lon, data.lat = anchor.lon, anchor.lat
    if data.lon is None and data.sensor is not None and data.sensor.lon is not None:
        data.lon, data.lat = data.sensor.lon, data.sensor.lat
    if data.lon is not None:
        grid = locate_point(data.lon, data.lat)
        if grid is None:
            raise ValidationError(
                {"location": _("This place lies outside the street's grid cells.")}
            )
        return Placement(grid, data.lon, data.lat, data.building, "point")
    if anchor is not None and getattr(anchor, "org_unit_id", None):
        return Placement(anchor.org_unit, None, None, data.building, "anchor")
    building = geocode_address(data.address, data.address_id)
    if building is not None:
        if building.lon is not None:
            grid = locate_point(building.lon, building.lat) or building.org_unit
        else:
            grid = building.org_unit
        return Placement(grid, building.lon, building.lat, building, "building")
    if data.address_id:
        raise ValidationError({"address_id": _("Unknown address id.")})
    return Placement(None, None, None, None, "")


# -- classify -------------------------------------------------------------------------------


@dataclass
class Classification:
    component_class: object  # ComponentClass or None (waits for a human)
    source: str  # reporter | model | sensor | ""
    confidence: float | None
    predicted_label: str = ""
    predicted_confidence: float | None = None
    explanation: list = field(default_factory=list)


_model_lock = threading.Lock()
_model_state: dict = {"path": None, "mtime": None, "model": None}


def model_path() -> Path:
    return Path(settings.CASES_CLASSIFIER_MODEL)


def classifier_model():
    """The trained classifier (reloaded when its file changes), or None if there is none."""
    from . import classifier

    path = model_path()
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    with _model_lock:
        if _model_state["path"] != path or _model_state["mtime"] != mtime:
            try:
                _model_state["model"] = classifier.load(path)
            except classifier.ClassifierError:
                _model_state["model"] = None
            _model_state.update(path=path, mtime=mtime)
        return _model_state["model"]


def class_for_label(label: str):
    """'matter:06010' or 'component:01001' or '06010' → ComponentClass (or None)."""
    if not label:
        return None
    classes = refdata.get().classes
    kind, _sep, code = label.rpartition(":")
    if kind:
        return classes.get((kind, code))
    return classes.get(("matter", code)) or classes.get(("component", code))


def label_of(component_class) -> str:
    return f"{component_class.kind}:{component_class.code}" if component_class else ""


def classify(data: ReportInput) -> Classification:
    return classify_many([data])[0]


def _chosen(data: ReportInput) -> Classification | None:
    """The class the reporter or the sensor gave, if any."""
    requested = data.requested_class
    if isinstance(requested, str):
        requested = class_for_label(requested)
    if requested is None and data.sensor is not None and data.sensor.component_class_id:
        return Classification(data.sensor.component_class, "sensor", 1.0)
    if requested is not None:
        # The reporter chose the class (an Open311 service, a grid worker's category): keep it
        # with full confidence; staff can still correct it (and the correction is kept).
        return Classification(requested, "reporter", 1.0)
    return None


def classify_many(items: list[ReportInput]) -> list[Classification]:
    """A class for each report: the one its reporter or sensor chose, else the classifier's
    prediction if confident enough (the texts are predicted together, which is much faster
    per text), else none (the report waits for a human)."""
    out: list[Classification | None] = [_chosen(data) for data in items]
    todo = [i for i, found in enumerate(out) if found is None]
    model = classifier_model() if todo else None
    if model is None:
        return [found or Classification(None, "", None) for found in out]
    texts = ["\n".join(t for t in (items[i].title, items[i].description) if t) for i in todo]
    threshold = settings.CASES_CLASSIFIER_THRESHOLD
    for i, prediction in zip(todo, model.predict(texts, explain=6), strict=True):
        pred_fields = dict(
            predicted_label=prediction.label,
            predicted_confidence=prediction.confidence,
            explanation=[[w, round(v, 4)] for w, v in prediction.explanation],
        )
        found = class_for_label(prediction.label) if prediction.confidence >= threshold else None
        if found is not None:
            out[i] = Classification(found, "model", prediction.confidence, **pred_fields)
        else:
            out[i] = Classification(None, "", None, **pred_fields)
    return out


# -- duplicates -----------------------------------------------------------------------------


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
    from django.db import connection

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


# -- route ----------------------------------------------------------------------------------


def route(component_class, grid: OrgUnit | None):
    """The responsible department by the routing rules, or None: the most specific matching
    rule (a single class, then a major class, then any class; then the deepest area; then the
    lowest priority number) wins."""
    best, best_key = None, None
    path = grid.path if grid is not None else ""
    for rule in refdata.get().rules:
        if rule.component_class_id is not None:
            if component_class is None or rule.component_class_id != component_class.pk:
                continue
            specificity = 2
        elif rule.major_code:
            if component_class is None or rule.major_code != component_class.major_code:
                continue
            specificity = 1
        else:
            specificity = 0
        if rule.area_id is not None and not path.startswith(rule.area.path):
            continue
        key = (-specificity, -(rule.area.depth if rule.area_id else -1), rule.priority, rule.pk)
        if best_key is None or key < best_key:
            best, best_key = rule, key
    return best.department if best else None


# -- time limit -----------------------------------------------------------------------------


def time_limit_for(component_class, condition: str = ""):
    """The active 立结案标准 of a class: the one for ``condition`` if given and present, else
    the class's default (empty condition), else any of its conditions."""
    if component_class is None:
        return None
    limits = refdata.get().limits
    pk = component_class.pk
    if condition and (pk, condition) in limits:
        return limits[(pk, condition)]
    if (pk, "") in limits:
        return limits[(pk, "")]
    candidates = [std for (cls, _c), std in limits.items() if cls == pk]
    return min(candidates, key=lambda std: std.pk) if candidates else None


def default_limit() -> tuple[Decimal, str]:
    amount, unit = settings.CASES_DEFAULT_TIME_LIMIT
    return Decimal(str(amount)), unit


# -- the clock ------------------------------------------------------------------------------


def _parse(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def pauses_of(case: Case) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [(_parse(a), _parse(b)) for a, b in (case.pauses or [])]


def extensions_of(case: Case) -> list[tuple[float, str]]:
    return [(float(a), u) for a, u in (case.extensions or [])]


def clock_start(case: Case) -> dt.datetime | None:
    """The handling clock starts at 派遣 (dispatch)."""
    return case.dispatched_at


def compute_deadline(case: Case) -> dt.datetime | None:
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return None
    pauses = pauses_of(case)
    if any(end is None for _, end in pauses):
        return None  # suspended: the deadline is undefined until the clock runs again
    return worktime.default_calendar().deadline(
        start, float(case.limit_amount), case.limit_unit, pauses, extensions_of(case)
    )


def compute_light(case: Case, now: dt.datetime | None = None) -> str:
    """green / yellow / red for a case whose clock has started ("" otherwise). A handled case
    is judged at ``handled_at`` (its clock stopped there)."""
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return ""
    end = case.handled_at or now or timezone.now()
    return worktime.default_calendar().light(
        start, end, float(case.limit_amount), case.limit_unit, pauses_of(case), extensions_of(case)
    )


def used_fraction(case: Case, now: dt.datetime | None = None) -> float | None:
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return None
    end = case.handled_at or now or timezone.now()
    return worktime.default_calendar().used_fraction(
        start, end, float(case.limit_amount), case.limit_unit, pauses_of(case), extensions_of(case)
    )


def clock_running(case: Case) -> bool:
    return case.state in CLOCK_STATES
