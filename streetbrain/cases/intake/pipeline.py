"""The intake pipeline's steps, each a function without side effects on the database:
validate → place → classify → find a duplicate (``duplicates``) → route → time limit.

``store.store_reports`` runs them on a batch of reports and writes the result in one
transaction (``actions.submit_report`` sends a batch of one, the queue larger ones); the
steps are separate so that tests, benchmarks and the demo generator can use each on its own.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from streetbrain.core.geo_lookup import locate_code
from streetbrain.core.models import OrgUnit
from streetbrain.registry.models import Building

from ..models import Channel
from . import classifier, refdata

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200  # Report.address
MAX_ADDRESS_ID = 64  # Report.address_id


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


def _coordinate(value, name: str, errors: dict) -> float | None:
    """A coordinate given as a number or its text; None when absent. Text that is no finite
    number ("abc", "NaN", "inf") is an error on ``name`` (the caller's word for it)."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        errors[name] = (
            _("The latitude is not a valid number.")
            if name == "lat"
            else _("The longitude is not a valid number.")
        )
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
    data.lon = _coordinate(data.lon, "long", errors)
    data.lat = _coordinate(data.lat, "lat", errors)
    # A coordinate that is no number says so (above), not that the other one is missing.
    unreadable = "long" in errors or "lat" in errors
    if not unreadable and (data.lon is None) != (data.lat is None):
        errors["lat" if data.lat is None else "long"] = _(
            "Give both latitude and longitude, or neither."
        )
    elif not unreadable and data.lon is not None:
        if not -180 <= data.lon <= 180:
            errors["long"] = _("Longitude must lie between -180 and 180.")
        if not -90 <= data.lat <= 90:
            errors["lat"] = _("Latitude must lie between -90 and 90.")
    # Refused when too long, never cut: a cut address may name another place.
    data.address = (data.address or "").strip()
    if len(data.address) > MAX_ADDRESS:
        errors["address"] = _("The address may have at most %(n)d characters.") % {"n": MAX_ADDRESS}
    data.address_id = (data.address_id or "").strip()
    if len(data.address_id) > MAX_ADDRESS_ID:
        errors["address_id"] = _("The address id may have at most %(n)d characters.") % {
            "n": MAX_ADDRESS_ID
        }
    if (
        data.lon is None
        and not unreadable
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
