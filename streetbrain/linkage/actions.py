"""What a clerk (or the demo) does with department sheets; each function is one transaction.

- :func:`load_source`: a sheet becomes a source and staged records (never registry rows), then
  :func:`link_source` links it to the registry's residents as they stand (incremental: only this
  sheet's records are scored, against the registry, not everything again);
- :func:`decide`: the review queue's answer, kept as a :class:`Decision` by the record's
  fingerprint — a decided pair is never asked again, in this delivery or the next;
- :func:`resolve_conflict`: a source disagrees with the registry (a phone): the clerk keeps the
  registry's value or adopts the source's; only then is the registry changed (a model save,
  audited in the change log with the reason);
- :func:`link_one`: one grid worker's record against the registry, under a second;
- :func:`outbox` / :func:`export_outbox`: what changed in the registry for the residents a
  department holds since it last received its outbox, as Excel in the department's own columns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.audit import change_reason
from streetbrain.core.dataio import FileFormatError, cell_text, read_table
from streetbrain.core.models import ChangeLogEntry, OrgUnit
from streetbrain.core.protected import digest, normalise_phone, reveal_value
from streetbrain.registry.models import Resident

from . import engine
from . import normalise as nz
from .models import (
    Conflict,
    Decision,
    Department,
    FieldLineage,
    HouseMatch,
    Kind,
    OutboxExport,
    Source,
    StagedRecord,
)

# Above UPPER a record is linked without asking; below LOWER it is new; between, a clerk sees it.
# These are the street's thresholds until its clerks have decided enough pairs (``thresholds``).
UPPER = 0.95
LOWER = 0.02
# Thresholds are learnt from the clerks' decisions once there are this many, with at least
# MIN_EACH of each outcome; a band's edge is where the decided pairs' error stays under ERROR.
MIN_DECISIONS = 20
MIN_EACH = 5
ERROR = 0.05
# The registry fields a linked record is checked against (and whose changes reach outboxes).
CHECKED_FIELDS = ("phone", "name", "address")
OUTBOX_FIELDS = {
    "phone_masked": "phone",
    "name": "name",
    "house": "address",
    "residence": "residence",
}


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _street_of(user) -> OrgUnit:
    unit = getattr(user, "org_unit", None)
    if unit is None:
        unit = OrgUnit.objects.filter(level="street").order_by("pk").first()
    if unit is None:
        raise ValidationError(_("There is no street to load the sheet for."))
    return unit


# --- loading ------------------------------------------------------------------------------------


def fingerprint(fields: dict[str, Any]) -> str:
    """The record as the linkage sees it (normalised), hashed: a re-delivered identical record
    has the same fingerprint, so a clerk's decision about it still holds."""
    keys = ("name", "id_number", "birth_date", "phone", "house_key", "ent_name", "credit_code")
    text = "|".join(str(fields.get(k) or "") for k in keys)
    return hashlib.sha256(text.encode()).hexdigest()


def load_source(
    file,
    *,
    name: str,
    department: str,
    delivered_on,
    user=None,
    org_unit: OrgUnit | None = None,
    file_name: str = "",
    is_demo: bool = False,
    link: bool = True,
    model: dict | None = None,
    prior_share: float = engine.PRIOR_SHARE,
) -> Source:
    """Stage a department's sheet (CSV or XLSX with a header row) and link it."""
    _require(user, "linkage.add_source")
    if department not in Department.values:
        raise ValidationError({"department": _("Choose a department.")})
    try:
        table = read_table(file)
    except FileFormatError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    columns = engine.column_map(table.headers)
    try:
        kind = engine.sheet_kind(columns)
    except engine.SheetError:
        raise ValidationError(
            {
                "file": _(
                    "The sheet has no column the linkage compares (姓名, 公民身份号码, "
                    "企业名称, 统一社会信用代码 …)."
                )
            }
        ) from None
    if not table.rows:
        raise ValidationError({"file": _("The sheet has no rows under its header.")})
    unit = org_unit or _street_of(user)
    by_position = {i: f for f, i in columns.items()}
    with transaction.atomic():
        source = Source.objects.create(
            org_unit=unit,
            name=name,
            department=department,
            kind=kind,
            delivered_on=delivered_on,
            file_name=file_name[:200],
            headers=table.headers,
            column_map={table.headers[i]: f for i, f in by_position.items()},
            rows=len(table.rows),
            is_demo=is_demo,
            created_by=user if user is not None and user.pk else None,
        )
        staged = []
        for number, cells in table.rows:
            raw = {f: _text(cells, i) for f, i in columns.items()}
            fields = engine.normalised_record(number - 1, raw, kind)
            values = {
                table.headers[i]: _text(cells, i)
                for i in range(len(table.headers))
                if by_position.get(i) not in ("id_number", "phone") and table.headers[i]
            }
            rec = StagedRecord(
                source=source,
                row=number - 1,
                name=(raw.get("name") or raw.get("enterprise_name") or "")[:100],
                values=values,
                fingerprint=fingerprint(fields),
            )
            rec.id_number = raw.get("id_number", "")
            rec.phone = raw.get("phone", "")
            staged.append(rec)
        StagedRecord.objects.bulk_create(staged, batch_size=1000)
    if link:
        link_source(source, user=user, model=model, prior_share=prior_share)
    return source


def _text(cells, i: int) -> str:
    if i >= len(cells):
        return ""
    try:
        return cell_text(cells[i])
    except ValueError:
        return ""


# --- the two sides as the engine sees them ------------------------------------------------------


def house_address(house) -> str:
    """A registry house as an address the normaliser parses (东方家园5幢2单元1502室)."""
    if house is None:
        return ""
    building = house.building
    unit, _sep, room = house.number.rpartition("-")
    text = building.name
    if unit:
        text += f"{unit}单元"
    return text + (f"{room}室" if room else "")


def registry_candidates(unit: OrgUnit, fields: list[dict[str, Any]]) -> list[int]:
    """The residents of ``unit`` that share a blocking key with any of the records: the same ID
    number or phone (by their digests), name, date of birth, or house. Blocking in the
    database (a homophone name is found by its birth date): the registry side of a link is
    these, not every resident, so that a sheet of a few thousand rows links in seconds against
    a street of 65,000 people. (A record sharing none of these keys with its resident — a new
    name, number, phone, birth date and house at once — would not be found by Splink's blocking
    rules either.)"""
    from streetbrain.registry.models import House

    base = Resident.objects.filter(org_unit__path__startswith=unit.path)
    keys = {
        "id_number_digest": {digest(f["id_number"]) for f in fields if f.get("id_number")},
        "phone_digest": {digest(f["phone"]) for f in fields if f.get("phone")},
        "name": {f["name"] for f in fields if f.get("name")},
        "birth_date": {f["birth_date"] for f in fields if f.get("birth_date")},
    }
    pks: set[int] = set()
    for column, values in keys.items():
        values = sorted(values)
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            pks.update(base.filter(**{f"{column}__in": chunk}).values_list("pk", flat=True))
    wanted: dict[str, set[str]] = defaultdict(set)
    for f in fields:
        if f.get("house_key"):
            compound, building, room = f["house_key"].split("|")
            wanted[f"{compound}{building}幢"].add(room)
    names = sorted(wanted)
    house_ids = []
    for i in range(0, len(names), 500):
        for pk, bname, number in House.objects.filter(
            building__name__in=names[i : i + 500]
        ).values_list("pk", "building__name", "number"):
            if number.rpartition("-")[2] in wanted[bname]:
                house_ids.append(pk)
    for i in range(0, len(house_ids), 500):
        pks.update(base.filter(house_id__in=house_ids[i : i + 500]).values_list("pk", flat=True))
    return sorted(pks)


def registry_people(unit: OrgUnit, pks: list[int] | None = None) -> list[dict[str, Any]]:
    """The residents of ``unit`` (or those of ``pks``) as engine records (unique_id = the
    resident's pk)."""
    residents = Resident.objects.filter(org_unit__path__startswith=unit.path)
    if pks is not None:
        residents = residents.filter(pk__in=pks)
    residents = residents.select_related("house__building").only(
        "pk",
        "name",
        "id_number_cipher",
        "phone_cipher",
        "birth_date",
        "sex",
        "house__number",
        "house__building__name",
    )
    out = []
    for r in residents.iterator(chunk_size=5000):
        out.append(
            engine.normalised_record(
                r.pk,
                {
                    "name": r.name,
                    "id_number": reveal_value(r, "id_number"),
                    "phone": reveal_value(r, "phone"),
                    "birth_date": r.birth_date,
                    "sex": r.sex,
                    "address": house_address(r.house),
                },
                engine.PEOPLE,
            )
        )
    return out


def staged_people(records, kind: str = engine.PEOPLE) -> list[dict[str, Any]]:
    """Staged records as engine records (unique_id = the record's pk)."""
    headers_field: dict[int, dict[str, str]] = {}
    out = []
    for rec in records:
        cmap = headers_field.setdefault(rec.source_id, rec.source.column_map)
        raw = {f: rec.values.get(h, "") for h, f in cmap.items() if f not in ("id_number", "phone")}
        raw["id_number"] = reveal_value(rec, "id_number")
        raw["phone"] = reveal_value(rec, "phone")
        out.append(engine.normalised_record(rec.pk, raw, kind))
    return out


def registry_enterprises(unit: OrgUnit) -> list[dict[str, Any]]:
    """The economy's enterprises of ``unit`` as engine records (unique_id = the enterprise's
    pk): name (its core, without legal form and place), credit code, registered address. A
    street holds a few thousand enterprises at most: all of them are the registry side."""
    from streetbrain.economy.models import Enterprise

    rows = Enterprise.objects.filter(org_unit__path__startswith=unit.path).values_list(
        "pk", "name", "credit_code", "registered_address"
    )
    return [
        engine.normalised_record(
            pk,
            {"enterprise_name": name, "credit_code": code, "address": address},
            engine.ENTERPRISES,
        )
        for pk, name, code, address in rows
    ]


def match_houses(unit: OrgUnit, fields: list[dict[str, Any]]) -> dict[int, tuple[int, str]]:
    """record (unique_id) → (registry house pk, how) for the records whose address parses to one
    house of ``unit``: the building named ``<compound><n>幢`` and, in it, the house whose number
    is ``<unit>-<room>``; a sheet without the unit matches the one house of that room in the
    building (two such houses: no match, the address does not say which)."""
    from streetbrain.registry.models import House

    wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in fields:
        if f.get("house_key"):
            compound, building, _room = f["house_key"].split("|")
            wanted[f"{compound}{building}幢"].append(f)
    names = sorted(wanted)
    houses: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for i in range(0, len(names), 500):
        for pk, bname, number in House.objects.filter(
            building__name__in=names[i : i + 500], org_unit__path__startswith=unit.path
        ).values_list("pk", "building__name", "number"):
            house_unit, _sep, room = number.rpartition("-")
            houses[(bname, room)].append((pk, house_unit))
    out: dict[int, tuple[int, str]] = {}
    for bname, records in wanted.items():
        for f in records:
            found = houses.get((bname, f["house_key"].rpartition("|")[2]), [])
            if f.get("unit"):
                same = [pk for pk, u in found if u == f["unit"]]
                if len(same) == 1:
                    out[f["unique_id"]] = (same[0], HouseMatch.ROOM)
            elif len(found) == 1:
                out[f["unique_id"]] = (found[0][0], HouseMatch.NO_UNIT)
    return out


# --- linking ------------------------------------------------------------------------------------


@dataclass
class LinkResult:
    linked: int = 0
    review: int = 0
    new: int = 0


def _trained_model(unit: OrgUnit, kind: str = Kind.PEOPLE) -> dict | None:
    return (
        Source.objects.filter(org_unit=unit, kind=kind, model__isnull=False)
        .order_by("-linked_at", "-pk")
        .values_list("model", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Thresholds:
    upper: float
    lower: float
    decisions: int  # the clerks' decisions they were learnt from (0: the constants)
    learnt: bool


def thresholds(unit: OrgUnit, kind: str = Kind.PEOPLE) -> Thresholds:
    """The street's upper and lower match-probability thresholds, learnt from its clerks'
    decisions (same / different, each with the pair's probability when it was asked).

    Method: the decided pairs sorted by probability. The upper threshold is the lowest
    probability of a "same" decision from which on at most ``ERROR`` of the decided pairs are
    "different" (linking all of them without asking would have been wrong that rarely); the
    lower threshold is the highest probability of a "different" decision up to which at most
    ``ERROR`` are "same" (calling them all new would have lost that few). With fewer than
    ``MIN_DECISIONS`` decisions, or fewer than ``MIN_EACH`` of either answer, the constants
    UPPER and LOWER hold. The learnt upper never
    falls under 0.5 and the lower never rises over it, and both stay inside the constants'
    review band widened to [LOWER / 10, 1 − (1 − UPPER) / 10] — the clerks only ever see pairs
    in the band, so the decisions say nothing far outside it."""
    target = "enterprise" if kind == Kind.ENTERPRISES else "resident"
    decided = list(
        Decision.objects.filter(
            org_unit=unit, probability__isnull=False, **{f"{target}__isnull": False}
        ).values_list("probability", "outcome")
    )
    same = sum(1 for _p, o in decided if o == Decision.Outcome.MATCH)
    if len(decided) < MIN_DECISIONS or min(same, len(decided) - same) < MIN_EACH:
        return Thresholds(UPPER, LOWER, len(decided), False)
    decided.sort()
    upper = None
    for i in range(len(decided)):  # the lowest "same" starting a tail ≥ 1 − ERROR "same"
        if decided[i][1] != Decision.Outcome.MATCH:
            continue
        tail = decided[i:]
        wrong = sum(1 for _p, o in tail if o != Decision.Outcome.MATCH)
        if wrong <= ERROR * len(tail):
            upper = decided[i][0]
            break
    lower = None
    for i in range(len(decided), 0, -1):  # the highest "different" ending a head ≤ ERROR "same"
        if decided[i - 1][1] == Decision.Outcome.MATCH:
            continue
        head = decided[:i]
        wrong = sum(1 for _p, o in head if o == Decision.Outcome.MATCH)
        if wrong <= ERROR * len(head):
            lower = decided[i - 1][0]
            break
    upper = UPPER if upper is None else upper
    lower = LOWER if lower is None else lower
    upper = min(max(upper, 0.5), 1 - (1 - UPPER) / 10)
    lower = max(min(lower, 0.5), LOWER / 10)
    if lower >= upper:  # the answers overlap everywhere: keep asking across the band
        return Thresholds(UPPER, LOWER, len(decided), False)
    return Thresholds(round(upper, 4), round(lower, 4), len(decided), True)


def link_source(
    source: Source,
    *,
    user=None,
    retrain: bool = False,
    model: dict | None = None,
    prior_share: float = engine.PRIOR_SHARE,
) -> LinkResult:
    """Link the source's pending records: people to the registry's residents (and their
    addresses to its houses), enterprises to the economy's enterprises. The model the street
    trained before for this kind of records is reused (a new sheet is only scored); the first
    sheet, or ``retrain``, trains it on this sheet against the registry (Splink, no labels).
    Records a clerk has decided before (same fingerprint) take the decision without being
    asked; the thresholds are the ones learnt from the clerks' decisions (``thresholds``).
    ``model``: a model trained elsewhere on records like these (the demo ships one), used
    instead, its prior set for this sheet's sizes (``engine.with_prior`` with ``prior_share``:
    the model's own calibration, e.g. the demo's ``SHIPPED_PRIOR_SHARE``)."""
    _require(user, "linkage.change_source")
    kind = source.kind
    records = list(
        StagedRecord.objects.filter(source=source, state=StagedRecord.State.PENDING).select_related(
            "source"
        )
    )
    result = LinkResult()
    if not records:
        return result
    right = staged_people(records, kind)
    if kind == Kind.PEOPLE:
        registry = registry_people(source.org_unit, registry_candidates(source.org_unit, right))
        houses = match_houses(source.org_unit, right)
    else:
        registry = registry_enterprises(source.org_unit)
        houses = {}
    trained = None if retrain else _trained_model(source.org_unit, kind)
    if model is not None:
        trained = engine.with_prior(model, len(registry), len(right), share=prior_share)
    pairs: list = []
    if registry and trained is not None:  # incremental: the model as trained before
        source.model = trained
        pairs = engine.predict_with(trained, registry, right, kind, threshold=0.001)
    elif registry:
        model = engine.train([registry, right], kind)
        source.model = model.linker.misc.save_model_to_json()
        predictions = model.linker.inference.predict(threshold_match_probability=0.001)
        pairs = engine.pairs_from(predictions, one_per_right=True)
    best = {p.right_row: p for p in pairs}
    decisions = _decisions({r.fingerprint for r in records}, kind)
    bounds = thresholds(source.org_unit, kind)
    target = "enterprise_id" if kind == Kind.ENTERPRISES else "resident_id"
    with transaction.atomic():
        for rec in records:
            rec.house_id, rec.house_how = houses.get(rec.pk, (None, ""))
            _apply_link(
                rec, best.get(rec.pk), decisions.get(rec.fingerprint, {}), result, bounds, target
            )
        _save_states(records)
        linked = [r for r in records if r.state == StagedRecord.State.LINKED]
        _check_fields(linked, source)
        _recount(source)
    return result


def _save_states(records: list[StagedRecord]) -> None:
    """One prepared UPDATE for all the records (Django's bulk_update builds a CASE per row and
    takes seconds for a few thousand). Link states are the result of one run, audited as the
    source's recount; a clerk's decisions are saved (and audited) one by one."""
    import json

    from django.db import connection

    table = StagedRecord._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET state = %s, how = %s, resident_id = %s, resident_ref = %s, "  # noqa: S608
        f"enterprise_id = %s, house_id = %s, house_how = %s, probability = %s, "
        f"weights = %s{cast} WHERE id = %s"
    )
    params = [
        (
            r.state,
            r.how,
            r.resident_id,
            r.resident_id,
            r.enterprise_id,
            r.house_id,
            r.house_how,
            r.probability,
            json.dumps(r.weights),
            r.pk,
        )
        for r in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _decisions(fingerprints: set[str], kind: str = Kind.PEOPLE) -> dict[str, dict[int, str]]:
    column = "enterprise_id" if kind == Kind.ENTERPRISES else "resident_id"
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for fp, target_id, outcome in Decision.objects.filter(
        fingerprint__in=fingerprints, **{f"{column}__isnull": False}
    ).values_list("fingerprint", column, "outcome"):
        out[fp][target_id] = outcome
    return out


def _apply_link(
    rec: StagedRecord,
    pair,
    decided: dict[int, str],
    result: LinkResult,
    bounds: Thresholds | None = None,
    target: str = "resident_id",
) -> None:
    State, How = StagedRecord.State, StagedRecord.How
    upper, lower = (bounds.upper, bounds.lower) if bounds else (UPPER, LOWER)
    same = [tid for tid, o in decided.items() if o == Decision.Outcome.MATCH]
    if same:
        rec.state, rec.how = State.LINKED, How.DECIDED
        setattr(rec, target, same[0])
        result.linked += 1
        return
    if pair is None or pair.probability < lower or decided.get(pair.left_row):
        rec.state, rec.how = State.NEW, ""
        setattr(rec, target, None)
        rec.probability = pair.probability if pair else None
        rec.weights = pair.explained() if pair else {}
        result.new += 1
        return
    setattr(rec, target, pair.left_row)
    rec.probability, rec.weights = pair.probability, pair.explained()
    if pair.probability >= upper:
        rec.state, rec.how = State.LINKED, How.AUTO
        result.linked += 1
    else:
        rec.state, rec.how = State.REVIEW, ""
        result.review += 1


def _recount(source: Source) -> None:
    from django.db.models import Count

    counts: dict[str, int] = defaultdict(int)
    for row in StagedRecord.objects.filter(source=source).values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    source.linked = counts[StagedRecord.State.LINKED]
    source.review = counts[StagedRecord.State.REVIEW]
    source.new = counts[StagedRecord.State.NEW]
    source.linked_at = timezone.now()
    source.save(update_fields=["linked", "review", "new", "linked_at", "model"])


def _check_fields(records: list[StagedRecord], source: Source) -> None:
    """Lineage for every checked field of the linked records; a conflict where the source's
    phone differs from the registry's (never applied by itself)."""
    if not records:
        return
    if source.kind == Kind.ENTERPRISES:
        _check_enterprise_fields(records, source)
        return
    residents = Resident.objects.in_bulk([r.resident_id for r in records])
    cmap_fields = set(source.column_map.values())
    lineage, conflicts = [], []
    for rec in records:
        resident = residents.get(rec.resident_id)
        if resident is None:
            continue
        if "phone" in cmap_fields:
            theirs = normalise_phone(reveal_value(rec, "phone"))
            ours = reveal_value(resident, "phone")
            if theirs:
                agrees = theirs == ours
                lineage.append(_lineage(resident, "phone", source, rec, agrees))
                if not agrees:
                    conflicts.append(
                        Conflict(
                            record=rec,
                            resident=resident,
                            field="phone",
                            registry_value=resident.phone_masked,
                            source_value=rec.phone_masked,
                        )
                    )
        if "name" in cmap_fields and rec.name:
            agrees = nz.person_name(rec.name) == resident.name
            lineage.append(_lineage(resident, "name", source, rec, agrees))
        if "id_number" in cmap_fields and rec.id_number_cipher:
            agrees = nz.id_number(reveal_value(rec, "id_number")).value == reveal_value(
                resident, "id_number"
            )
            lineage.append(_lineage(resident, "id_number", source, rec, agrees))
    FieldLineage.objects.bulk_create(lineage, batch_size=1000)
    Conflict.objects.bulk_create(conflicts, batch_size=1000)


def _lineage(resident, field, source, rec, agrees) -> FieldLineage:
    return FieldLineage(resident=resident, field=field, source=source, record=rec, agrees=agrees)


def _check_enterprise_fields(records: list[StagedRecord], source: Source) -> None:
    """Lineage of a linked enterprise's name (its core, without legal form and place) and
    credit code: which department's sheet confirmed or disputes them."""
    from streetbrain.economy.models import Enterprise

    enterprises = Enterprise.objects.in_bulk([r.enterprise_id for r in records])
    by_field = {f: h for h, f in source.column_map.items()}
    lineage = []
    for rec in records:
        ent = enterprises.get(rec.enterprise_id)
        if ent is None:
            continue
        name = rec.values.get(by_field.get("enterprise_name", ""), "")
        code = rec.values.get(by_field.get("credit_code", ""), "")
        checks = (
            ("enterprise_name", name, nz.enterprise_name(name) == nz.enterprise_name(ent.name)),
            ("credit_code", code, nz.credit_code(code)[0] == ent.credit_code),
        )
        for field, value, agrees in checks:
            if value:
                lineage.append(
                    FieldLineage(
                        enterprise=ent, field=field, source=source, record=rec, agrees=agrees
                    )
                )
    FieldLineage.objects.bulk_create(lineage, batch_size=1000)


# --- the review queue ---------------------------------------------------------------------------


def decide(record: StagedRecord, outcome: str, *, user=None) -> StagedRecord:
    """A clerk's answer for a record in review: the same person (linked) or not (new)."""
    _require(user, "linkage.add_decision")
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Say whether they are the same.")})
    with transaction.atomic():
        qs = StagedRecord.objects.all() if user is None else StagedRecord.objects.restrict(user)
        rec = qs.select_for_update().select_related("source").filter(pk=record.pk).first()
        if rec is None:
            raise PermissionDenied(_("This record is outside your area of responsibility."))
        if rec.state != StagedRecord.State.REVIEW or (
            rec.resident_id is None and rec.enterprise_id is None
        ):
            raise ValidationError(_("This record is not waiting for review."))
        Decision.objects.create(
            org_unit=rec.source.org_unit,
            fingerprint=rec.fingerprint,
            resident_id=rec.resident_id,
            enterprise_id=rec.enterprise_id,
            outcome=outcome,
            probability=rec.probability,
            record=rec,
            decided_by=user if user is not None and user.pk else None,
        )
        if outcome == Decision.Outcome.MATCH:
            rec.state, rec.how = StagedRecord.State.LINKED, StagedRecord.How.CLERK
            rec.resident_ref = rec.resident_id
            rec.save(update_fields=["state", "how", "resident_ref"])
            _check_fields([rec], rec.source)
        else:
            rec.state, rec.how = StagedRecord.State.NEW, ""
            rec.save(update_fields=["state", "how"])
        _recount(rec.source)
    return rec


def resolve_conflict(conflict: Conflict, *, adopt: bool, user=None, note: str = "") -> Conflict:
    """Keep the registry's value, or adopt the source's: the registry's resident is saved (the
    change log records it, with the source as the reason)."""
    _require(user, "linkage.change_conflict")
    with transaction.atomic():
        qs = Conflict.objects.all() if user is None else Conflict.objects.restrict(user, "change")
        c = (
            qs.select_for_update(of=("self",))
            .select_related("record__source", "resident")
            .filter(pk=conflict.pk)
            .first()
        )
        if c is None:
            raise PermissionDenied(_("This conflict is outside your area of responsibility."))
        if c.state != Conflict.State.OPEN:
            raise ValidationError(_("This conflict is resolved already."))
        if adopt:
            if c.field != "phone":
                raise ValidationError(_("Only a phone can be adopted from a source."))
            resident = c.resident
            if user is not None and not user.has_perm("registry.change_resident"):
                raise PermissionDenied(_("Your role may not change residents."))
            resident.phone = reveal_value(c.record, "phone")
            reason = _("Adopted from %(source)s, row %(row)s") % {
                "source": c.record.source,
                "row": c.record.row,
            }
            with change_reason(reason):
                resident.save()
            c.state = Conflict.State.ADOPTED
        else:
            c.state = Conflict.State.KEPT
        c.resolved_by = user if user is not None and user.pk else None
        c.resolved_at = timezone.now()
        c.note = note[:200]
        c.save()
    return c


# --- one record ---------------------------------------------------------------------------------


def candidates_for(fields: dict[str, Any], unit: OrgUnit) -> list[Resident]:
    """Registry residents that could be this record: same ID, phone, name, or house."""
    from django.db.models import Q

    q = Q()
    if fields.get("id_number"):
        q |= Q(id_number_digest=digest(fields["id_number"]))
    if fields.get("phone"):
        q |= Q(phone_digest=digest(fields["phone"]))
    if fields.get("name"):
        q |= Q(name=fields["name"])
    if not q:
        return []
    return list(
        Resident.objects.filter(q, org_unit__path__startswith=unit.path).select_related(
            "house__building"
        )[:200]
    )


def link_one(raw: dict[str, Any], *, unit: OrgUnit, user=None):
    """One record (a grid worker's) against the registry: the best resident and its pair, or
    (None, None). The model is trained on the candidates found by the blocking keys (ID number,
    phone, name) and the record, so it costs well under a second."""
    _require(user, "linkage.view_stagedrecord")
    fields = engine.normalised_record(0, raw, engine.PEOPLE)
    trained = _trained_model(unit)
    if trained is None:
        raise ValidationError(_("No sheet has been linked yet: there is no trained model."))
    residents = candidates_for(fields, unit)
    if not residents:
        return None, None
    left = [
        engine.normalised_record(
            r.pk,
            {
                "name": r.name,
                "id_number": reveal_value(r, "id_number"),
                "phone": reveal_value(r, "phone"),
                "birth_date": r.birth_date,
                "sex": r.sex,
                "address": house_address(r.house),
            },
            engine.PEOPLE,
        )
        for r in residents
    ]
    pair = engine.score_one(left, fields, trained)
    if pair is None:
        return None, None
    return next(r for r in residents if r.pk == pair.left_row), pair


# --- outboxes -----------------------------------------------------------------------------------


@dataclass
class OutboxRow:
    resident: Resident | None  # None: the person left the registry (died or moved away)
    changes: list[tuple[str, Any, int]]  # (what, when, change-log entry id)
    record: StagedRecord  # the department's latest record of the resident
    details: dict[str, str] = dataclasses.field(default_factory=dict)  # what → from … to …
    name: str = ""

    @property
    def left(self) -> bool:
        return self.resident is None

    def summary(self) -> str:
        """What changed, in the department's words (the Excel's 变更内容 column)."""
        parts = []
        for what in dict.fromkeys(w for w, _t, _e in self.changes):
            label = FIELD_LABELS.get(what, what)
            detail = self.details.get(what)
            parts.append(f"{label}（{detail}）" if detail else label)
        return "、".join(parts)


def _since(department: str, unit: OrgUnit):
    last = (
        OutboxExport.objects.filter(department=department, org_unit=unit)
        .order_by("-exported_at")
        .first()
    )
    return last.exported_at if last else None


def _residence_label(code) -> str:
    return RESIDENCE_LABELS.get(code, str(code or "—"))


def outbox(department: str, user) -> list[OutboxRow]:
    """The residents the department holds (linked records of its sources) whose registry
    fields changed after its last delivery (or its last outbox export): a new phone or name, a
    move to another house, a change of residence status (户籍 → 流动 …), and a person who left
    the registry altogether (deleted: died or moved out of the street), each said as such."""
    sources = Source.objects.restrict(user).filter(department=department, kind=Kind.PEOPLE)
    if not sources.exists():
        return []
    unit = sources.first().org_unit
    since = _since(department, unit)
    delivered = {s.pk: s for s in sources}
    latest: dict[int, StagedRecord] = {}
    for rec in StagedRecord.objects.filter(
        source__in=sources, state=StagedRecord.State.LINKED, resident_ref__isnull=False
    ).order_by("source__delivered_on", "pk"):
        latest[rec.resident_ref] = rec
    if not latest:
        return []
    ct = ContentType.objects.get_for_model(Resident)
    entries = ChangeLogEntry.objects.filter(
        content_type=ct,
        object_id__in=[str(pk) for pk in latest],
        action__in=[ChangeLogEntry.Action.UPDATE, ChangeLogEntry.Action.DELETE],
    ).order_by("time", "pk")
    changes: dict[int, list] = defaultdict(list)
    details: dict[int, dict[str, str]] = defaultdict(dict)
    names: dict[int, str] = {}
    for e in entries.only(
        "object_id", "object_repr", "time", "action", "changed_fields", "prechange", "postchange"
    ):
        rid = int(e.object_id)
        rec = latest[rid]
        after = since or _start_of(delivered[rec.source_id].delivered_on)
        if e.time <= after:
            continue
        if e.action == ChangeLogEntry.Action.DELETE:
            changes[rid].append(("left", e.time, e.pk))
            names[rid] = e.object_repr
            continue
        for f in e.changed_fields or []:
            if f in OUTBOX_FIELDS:
                changes[rid].append((OUTBOX_FIELDS[f], e.time, e.pk))
            if f == "residence":
                before = (e.prechange or {}).get("residence")
                now = (e.postchange or {}).get("residence")
                details[rid]["residence"] = f"{_residence_label(before)}→{_residence_label(now)}"
    residents = Resident.objects.in_bulk(list(changes))
    rows = []
    for rid in sorted(changes):
        resident = residents.get(rid)
        if resident is None and not any(w == "left" for w, _t, _e in changes[rid]):
            continue  # deleted without a log entry in reach: nothing to say
        if resident is not None:  # a later entry may say "left" for a pk reused: trust the row
            changes[rid] = [c for c in changes[rid] if c[0] != "left"]
        rows.append(
            OutboxRow(
                resident,
                changes[rid],
                latest[rid],
                details[rid],
                resident.name if resident else names.get(rid, latest[rid].name),
            )
        )
    return rows


def _start_of(day):
    import datetime as dt

    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)))


# The outbox speaks the departments' language: the Excel goes to a 派出所 or 民政 clerk.
FIELD_LABELS = {
    "phone": "联系电话",
    "name": "姓名",
    "address": "住址（搬迁）",
    "residence": "居住状态",
    "left": "已不在本街道（死亡或迁出）",
}
RESIDENCE_LABELS = {
    Resident.Residence.REGISTERED: "户籍",
    Resident.Residence.PERMANENT: "常住",
    Resident.Residence.FLOATING: "流动",
}


def export_outbox(department: str, user) -> tuple[bytes, int]:
    """The outbox as XLSX in the department's own columns (its latest sheet's headers) with the
    registry's current values and a last column saying what changed; then it is empty. A
    person who left the registry keeps the department's own values, and the last column says
    they left."""
    import openpyxl

    _require(user, "linkage.add_outboxexport")
    rows = outbox(department, user)
    source = (
        Source.objects.restrict(user)
        .filter(department=department, kind=Kind.PEOPLE)
        .order_by("-delivered_on", "-pk")
        .first()
    )
    if source is None:
        raise ValidationError(_("This department has delivered no sheet of people."))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "变更"
    headers = [h for h in source.headers if h]
    ws.append([*headers, "变更内容"])
    for row in rows:
        r = row.resident
        if r is not None:
            plain = {
                "name": r.name,
                "id_number": reveal_value(r, "id_number"),
                "phone": reveal_value(r, "phone"),
                "address": house_address(r.house) if r.house_id else "",
                "birth_date": r.birth_date.isoformat(),
                "sex": r.get_sex_display(),
            }
        else:  # left the registry: the department's own record, as it delivered it
            plain = {
                "id_number": reveal_value(row.record, "id_number"),
                "phone": reveal_value(row.record, "phone"),
            }
        cells = []
        for h in headers:
            f = source.column_map.get(h)
            cells.append(_safe(plain[f] if f in plain else row.record.values.get(h, "")))
        ws.append([*cells, row.summary()])
    out = io.BytesIO()
    wb.save(out)
    with transaction.atomic():
        OutboxExport.objects.create(
            org_unit=source.org_unit,
            department=department,
            rows=len(rows),
            exported_by=user if user is not None and user.pk else None,
        )
        from streetbrain.core.audit import log_change

        for row in rows:  # the export reveals the numbers: one reveal entry per resident
            target = row.resident if row.resident is not None else row.record
            log_change(target, "reveal", prechange=None, postchange=None,
                       changed_fields=["id_number", "phone"])  # fmt: skip
    return out.getvalue(), len(rows)


def _safe(value: Any) -> Any:
    """Text Excel would run as a formula gets a leading apostrophe (as the dataio exports)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
