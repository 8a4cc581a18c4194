"""Moving a planned case history from one street of the district to another.

The demo's generator (``streetbrain.demo.synth.cases.generator.plan_history``) plans about 400
cases a second per core on this shared machine: 2 million cases would take more than the whole
load's 20 minutes on two cores. So the district plans a few histories (``--histories``, each on
the world of its first street, seeded) and moves each to the other streets that share it:
every street is the same illustrative tiling moved elsewhere (``layout``), so a case's grid
cell, community, point and reports move with it unchanged in time, class, state, timeline and
working-time fields. Its anchors (the manhole cover, shop or building it was about) become the
anchor of the same rank in the same grid cell of the new street; the sensors get the street's
own device ids. Streets sharing a history therefore have the same case figures: said wherever
the data set is described (``docs/scale-out.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from streetbrain.demo.synth.cases.plans import History
from streetbrain.demo.synth.cases.world import World

from .layout import StreetSpec


def sensor_id(spec: StreetSpec, device: str) -> str:
    """The device id of a demo sensor in ``spec``'s street (福明 keeps the demo's)."""
    base = original_sensor_id(device)
    return base if spec.is_demo_street else f"Y{spec.code[-3:]}-{base}"


def original_sensor_id(device: str) -> str:
    return device.split("-", 1)[1] if device.startswith("Y") and "-" in device else device


def _anchor_map(old: World, new: World, old_code: str, new_code: str) -> dict[str, dict]:
    """pk in ``old`` → pk of the same rank in the same grid cell of ``new``, per anchor kind."""
    new_grids = {g.code: g for g in new.grids}
    out: dict[str, dict] = {"facility": {}, "shop": {}, "building": {}}
    for g in old.grids:
        target = new_grids.get(new_code + g.code[len(old_code) :])
        if target is None:
            continue
        pairs = [("shop", g.shop_anchors, target.shop_anchors)]
        pairs.append(("building", g.buildings, target.buildings))
        for cls, anchors in g.facilities.items():
            pairs.append(("facility", anchors, target.facilities.get(cls, [])))
        for kind, mine, theirs in pairs:
            for i, anchor in enumerate(mine):
                out[kind][anchor[0]] = theirs[i % len(theirs)][0] if theirs else None
    return out


def move_history(
    history: History,
    old_world: World,
    new_world: World,
    old: StreetSpec,
    new: StreetSpec,
) -> None:
    """Move ``history`` (planned on, or last moved to, ``old``'s street) to ``new``'s, in place."""
    dx, dy = new.dx - old.dx, new.dy - old.dy
    anchors = _anchor_map(old_world, new_world, old.code, new.code)
    n = len(old.code)

    def recode(code: str) -> str:
        return new.code + code[n:] if code and code.startswith(old.code) else code

    for s in history.sensors:
        s.device_id = sensor_id(new, s.device_id)
        s.grid = recode(s.grid)
        s.lon, s.lat = s.lon + dx, s.lat + dy
    for c in history.cases:
        c.grid, c.community = recode(c.grid), recode(c.community)
        c.lon, c.lat = c.lon + dx, c.lat + dy
        if c.facility is not None:
            c.facility = anchors["facility"].get(c.facility)
        if c.shop is not None:
            c.shop = anchors["shop"].get(c.shop)
        if c.building is not None:
            c.building = anchors["building"].get(c.building)
        if c.sensor:
            c.sensor = sensor_id(new, c.sensor)
        for r in c.reports:
            r.lon, r.lat = r.lon + dx, r.lat + dy
            if r.sensor:
                r.sensor = sensor_id(new, r.sensor)


# --- the same move, set-based: a written street's rows copied in SQL --------------------------


@dataclass
class Written:
    """Where a street's case history went: its world and lookups, its contiguous ranges of
    case and report ids, and its sensors (device id → ``Sensor``)."""

    spec: StreetSpec
    world: World
    lk: dict
    first_case: int
    cases: int
    first_report: int
    reports: int
    first_event: int  # the street's events: ids first_event … last_event (events rows)
    last_event: int
    events: int
    sensors: dict


def _unit_map(source: Written, lk: dict, code: str) -> dict[int, int]:
    """Grid cells' and communities' ids in ``source``'s street → the same cells in ``code``'s."""
    n = len(source.spec.code)
    out = {}
    for grid, unit in source.lk["units"].items():
        target = lk["units"].get(code + grid[n:])
        if target is None:
            continue
        out[unit.pk] = target.pk
        if unit.parent_id and target.parent_id:
            out[unit.parent_id] = target.parent_id
    return out


def copy_history(source: Written, spec: StreetSpec, world: World, lk: dict) -> Written:
    """Write ``source``'s case history again for ``spec``'s street, moved as ``move_history``
    moves a planned one, with ``INSERT … SELECT`` from ``source``'s rows: no Python per case,
    report or step. Ids follow the tables' last ones (the caller holds the writers' lock);
    each report gets a new tracking token; the reporters' phones keep their ciphertext (the
    same phone, encrypted once). Returns the copy's ``Written``."""
    from django.db import connection
    from django.utils import timezone

    from streetbrain.cases.models import Case, CaseEvent, Report, Sensor
    from streetbrain.demo.bulk import next_pk

    dx, dy = spec.dx - source.spec.dx, spec.dy - source.spec.dy
    units = _unit_map(source, lk, spec.code)
    anchors = _anchor_map(source.world, world, source.spec.code, spec.code)
    sensors = {}
    for device, s in source.sensors.items():
        sensors[sensor_id(spec, device)] = Sensor(
            device_id=sensor_id(spec, device),
            name=s.name,
            kind=s.kind,
            component_class_id=s.component_class_id,
            lon=s.lon + dx,
            lat=s.lat + dy,
            org_unit_id=units[s.org_unit_id],
            merge_window_minutes=s.merge_window_minutes,
            is_active=s.is_active,
            last_alarm_at=s.last_alarm_at,
        )
    Sensor.objects.bulk_create(list(sensors.values()))
    sensor_map = {s.pk: sensors[sensor_id(spec, d)].pk for d, s in source.sensors.items()}
    first_case, first_report = next_pk(Case), next_pk(Report)
    off, roff = first_case - source.first_case, first_report - source.first_report
    maps = {
        "unit": units,
        "facility": anchors["facility"],
        "shop": anchors["shop"],
        "building": anchors["building"],
        "sensor": sensor_map,
    }
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, mapping in maps.items():
            cursor.execute(f"DROP TABLE IF EXISTS district_map_{name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE district_map_{name} (old bigint PRIMARY KEY, new bigint) "
                "ON COMMIT DROP"
            )
            with cursor.cursor.copy(f"COPY district_map_{name} (old, new) FROM STDIN") as copy:
                for old, new in mapping.items():
                    copy.write_row((old, new))
            cursor.execute(f"ANALYZE district_map_{name}")

        def mapped(name: str, column: str) -> str:
            return f"(SELECT m.new FROM district_map_{name} m WHERE m.old = t.{column})"

        tz = timezone.get_current_timezone_name()
        pk = f"(t.id + {off:d})"
        case_sql = {
            "id": pk,
            "number": (
                f"to_char(t.reported_at AT TIME ZONE '{tz}', 'YYYYMMDD') || "
                f"CASE WHEN length({pk}::text) >= 7 THEN {pk}::text "
                f"ELSE lpad({pk}::text, 7, '0') END"
            ),
            "org_unit_id": mapped("unit", "org_unit_id"),
            "community_id": mapped("unit", "community_id"),
            "lon": f"t.lon + {dx!r}",
            "lat": f"t.lat + {dy!r}",
            "building_id": mapped("building", "building_id"),
            "facility_id": mapped("facility", "facility_id"),
            "shop_id": mapped("shop", "shop_id"),
            "sensor_id": mapped("sensor", "sensor_id"),
            "updated_at": "now()",
        }
        report_sql = {
            "id": f"(t.id + {roff:d})",
            "case_id": f"(t.case_id + {off:d})",
            "split_from_id": f"(t.split_from_id + {off:d})",
            "org_unit_id": mapped("unit", "org_unit_id"),
            "token": "gen_random_uuid()",
            "lon": f"t.lon + {dx!r}",
            "lat": f"t.lat + {dy!r}",
            "sensor_id": mapped("sensor", "sensor_id"),
        }
        event_sql = {
            "id": None,  # the table's sequence
            "case_id": f"(t.case_id + {off:d})",
            "data": (
                "CASE WHEN t.data ? 'report' THEN jsonb_set(t.data, '{report}', "
                f"to_jsonb((t.data->>'report')::bigint + {roff:d})) ELSE t.data END"
            ),
        }
        last_case = source.first_case + source.cases
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM cases_caseevent")
        first_event = cursor.fetchone()[0]
        copied = {}
        for model, exprs, where in (
            (Case, case_sql, f"t.id >= {source.first_case:d} AND t.id < {last_case:d}"),
            (
                Report,
                report_sql,
                f"t.id >= {source.first_report:d} AND "
                f"t.id < {source.first_report + source.reports:d}",
            ),
            (
                CaseEvent,
                event_sql,
                f"t.id >= {source.first_event:d} AND t.id <= {source.last_event:d}",
            ),
        ):
            fields = model._meta.concrete_fields
            columns = [f.column for f in fields if exprs.get(f.column, "") is not None]
            select = [exprs.get(c) or f"t.{q(c)}" for c in columns]
            table = q(model._meta.db_table)
            # identifiers from the models' metadata, numbers formatted as numbers
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
                f"SELECT {', '.join(select)} FROM {table} t WHERE {where} ORDER BY t.id"
            )
            copied[model] = cursor.rowcount
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_caseevent")
        last_event = cursor.fetchone()[0]
    expected = {Case: source.cases, Report: source.reports, CaseEvent: source.events}
    if copied != expected:
        raise RuntimeError(f"copied {copied}, expected {expected}")
    return Written(
        spec=spec,
        world=world,
        lk=lk,
        first_case=first_case,
        cases=source.cases,
        first_report=first_report,
        reports=source.reports,
        first_event=first_event,
        last_event=last_event,
        events=source.events,
        sensors=sensors,
    )
