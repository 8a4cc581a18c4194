"""The district data set of issue 13 (``bench/district``, ``bench/bench_district_load.py``):
the streets' codes and illustrative outlines, the planners' district parameters (which must
leave the demo's own output as it was), moving a history between streets, and two streets
loaded at a tiny scale into the test database, so that the generator cannot rot unseen."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from district import layout
from district.replay import move_history, original_sensor_id, sensor_id

from streetbrain.demo.synth import people
from streetbrain.demo.synth.cases.generator import plan_history
from streetbrain.demo.synth.cases.world import world_from_files
from streetbrain.demo.synth.district import STREET_CODE, build_demo_district
from streetbrain.demo.synth.registry import grids_from_district, plan_registry

TODAY = dt.date(2026, 6, 1)


def test_the_district_has_the_real_nbs_streets_of_yinzhou():
    specs = layout.street_specs()
    codes = [s.code for s in specs]
    assert len(specs) == 25 and codes == sorted(codes)
    assert all(c.startswith("330212") and len(c) == 9 for c in codes)
    names = {s.code: s.name for s in specs}
    assert names["330212014"] == "福明街道" and names["330212001"] == "下应街道"
    assert names["330212110"] == "姜山镇"
    demo = next(s for s in specs if s.is_demo_street)
    assert (demo.dx, demo.dy) == (0, 0)  # 福明 stays where the demo draws it
    assert len({(s.dx, s.dy) for s in specs}) == 25


def test_fewer_streets_always_include_fuming():
    specs = layout.street_specs(3)
    assert len(specs) == 3 and STREET_CODE in [s.code for s in specs]
    with pytest.raises(ValueError):
        layout.street_specs(0)


def test_each_street_is_the_demo_tiling_moved_and_recoded():
    template = build_demo_district()
    spec = layout.street_specs()[0]
    d = layout.street_district(spec, template)
    assert d.street.code == spec.code and d.street.name == "下应街道"
    assert len(d.grids) == len(template.grids) and len(d.communities) == len(template.communities)
    for g, t in zip(d.grids, template.grids, strict=True):
        assert g.code == spec.code + t.code[len(STREET_CODE) :]
        assert g.community_code.startswith(spec.code)
        assert g.polygon.area == pytest.approx(t.polygon.area)
        assert g.polygon.centroid.x == pytest.approx(t.polygon.centroid.x + spec.dx)
    # streets do not overlap
    others = [layout.street_district(s, template).street.polygon for s in layout.street_specs(4)]
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            assert a.intersection(b).area < 1e-9


def test_population_serials_keep_processes_apart_and_default_as_before():
    rng_a, rng_b = __import__("random").Random(1), __import__("random").Random(1)
    birth = dt.date(1980, 5, 4)
    default = people.Population(TODAY).id_number(rng_a, "330212", birth, "M")
    assert default == people.make_id_number("330212", birth, "M", rng_b.randrange(500))
    even = people.Population(TODAY, serials=range(0, 500, 2))
    odd = people.Population(TODAY, serials=range(1, 500, 2))
    rng = __import__("random").Random(2)
    a = {even.id_number(rng, "330212", birth, "F") for _ in range(100)}
    b = {odd.id_number(rng, "330212", birth, "F") for _ in range(100)}
    assert len(a) == len(b) == 100 and not a & b
    # shop credit codes: each process its own share, the default draws unchanged
    rng_a, rng_b = __import__("random").Random(3), __import__("random").Random(3)
    shops_a = people.Shops(people.Population(TODAY, share=(0, 2)))
    shops_b = people.Shops(people.Population(TODAY, share=(1, 2)))
    codes_a = {shops_a.credit_code(rng_a, "91") for _ in range(300)}
    codes_b = {shops_b.credit_code(rng_b, "91") for _ in range(300)}
    assert len(codes_a) == len(codes_b) == 300 and not codes_a & codes_b
    one, other = people.Shops(people.Population(TODAY)), people.Shops(people.Population(TODAY))
    rng_a, rng_b = __import__("random").Random(4), __import__("random").Random(4)
    drawn = [one.credit_code(rng_a, "92") for _ in range(5)]
    assert drawn == [other.credit_code(rng_b, "92") for _ in range(5)]
    assert all(c.startswith("92330212MA2") for c in drawn)  # the demo's own office letter


def test_registry_plan_district_parameters():
    grids = grids_from_district(build_demo_district())
    base = plan_registry(grids, scale=0.01, today=TODAY)
    again = plan_registry(grids, scale=0.01, today=TODAY, population=people.Population(TODAY))
    assert [f.object_id for f in base.facilities] == [f.object_id for f in again.facilities]
    moved = plan_registry(grids, scale=0.01, today=TODAY, facility_serial_base=4000)
    ids = {f.object_id for f in base.facilities}
    assert ids.isdisjoint(f.object_id for f in moved.facilities)
    other = plan_registry(grids, scale=0.01, today=TODAY, seed=7)
    assert [b.name for b in other.buildings] != [b.name for b in base.buildings]


def test_a_history_moves_to_another_street_unchanged_in_time_and_state():
    world = world_from_files()
    now = timezone.make_aware(dt.datetime(2026, 6, 1, 12))
    history = plan_history(world, now=now, scale=0.01)
    before = [(c.grid, c.lon, c.reported_at, c.state, len(c.events)) for c in history.cases]
    specs = layout.street_specs()
    demo = next(s for s in specs if s.is_demo_street)
    target = specs[0]
    move_history(history, world, world, demo, target)
    for (grid, lon, reported, state, events), c in zip(before, history.cases, strict=True):
        assert c.grid == target.code + grid[len(STREET_CODE) :]
        assert c.lon == pytest.approx(lon + target.dx - demo.dx)
        assert (c.reported_at, c.state, len(c.events)) == (reported, state, events)
    assert all(s.device_id.startswith("Y001-") for s in history.sensors)
    assert sensor_id(demo, "Y001-FM-CAM-001") == original_sensor_id("Y001-FM-CAM-001")


@pytest.mark.django_db
def test_two_streets_load_at_a_tiny_scale(settings):
    from district.load import BENCH_USERS, Config, Say, finish, load_frame, load_streets

    from streetbrain.cases.models import Case
    from streetbrain.core.models import OrgUnit, User
    from streetbrain.economy.models import Enterprise, TaxRecord
    from streetbrain.registry.models import Resident

    cfg = Config(streets=layout.street_specs(2), scale=0.004, processes=1, histories=2)
    load_frame(cfg, Say(quiet=True))
    load_streets(cfg)
    finish()
    streets = OrgUnit.objects.filter(level=OrgUnit.Level.STREET)
    assert sorted(streets.values_list("code", flat=True)) == ["330212001", STREET_CODE]
    for street in streets:
        prefix = street.code
        assert Resident.objects.filter(org_unit__code__startswith=prefix).exists()
        assert Case.objects.filter(org_unit__code__startswith=prefix).exists()
        assert Enterprise.objects.filter(org_unit__code__startswith=prefix).exists()
    assert TaxRecord.objects.exists()
    # residents' ID numbers are stored as the registry stores them: encrypted and digested
    # every resident in its household and house, as the demo writes them
    assert not Resident.objects.filter(household__isnull=True).exists()
    assert not Resident.objects.filter(house__isnull=True).exists()
    r = Resident.objects.exclude(id_number_digest="").first()
    assert r is not None and r.id_number and len(r.id_number) == 18
    leader, worker = User.objects.get(username="leader"), User.objects.get(username="gridworker")
    for username, *_ in BENCH_USERS:
        user = User.objects.get(username=username)
        assert user.check_password("streetbrain-demo")
        like = leader if username != "grid_worker" else worker
        assert set(user.groups.all()) == set(like.groups.all())
    assert User.objects.get(username="district_leader").org_unit.code == "330212"
    assert User.objects.get(username="grid_worker").org_unit.level == OrgUnit.Level.GRID


@pytest.mark.django_db
def test_a_street_sharing_a_history_gets_a_moved_copy_of_its_rows(settings):
    """PostgreSQL: the second street of a history is written by ``INSERT … SELECT`` from the
    first one's rows (``replay.copy_history``), moved as ``move_history`` moves a plan; on
    SQLite it is written from the moved plan. Either way the same cases, moved."""
    from district.load import Config, Say, load_frame, load_streets
    from django.db.models import F

    from streetbrain.cases.models import Case, CaseEvent, Report, Sensor

    specs = layout.street_specs(2)
    cfg = Config(streets=specs, scale=0.004, processes=1, histories=1)
    load_frame(cfg, Say(quiet=True))
    load_streets(cfg)
    first, second = sorted(specs, key=lambda s: s.index)
    rows = {}
    for spec in (first, second):
        rows[spec.code] = list(
            Case.objects.filter(org_unit__code__startswith=spec.code)
            .order_by("pk")
            .values_list(
                "pk",
                "number",
                "org_unit__code",
                "community__code",
                "lon",
                "reported_at",
                "state",
                "title",
                "facility__org_unit__code",
                "sensor__device_id",
            )
        )
    a, b = rows[first.code], rows[second.code]
    assert a and len(a) == len(b)
    n = len(first.code)
    for x, y in zip(a, b, strict=True):
        pk, number = y[0], y[1]
        assert number == f"{timezone.localtime(y[5]):%Y%m%d}{pk:07d}"
        assert y[2] == second.code + x[2][n:]
        assert y[3] == second.code + x[3][n:]
        assert y[4] == pytest.approx(x[4] + second.dx - first.dx)
        assert y[5:8] == x[5:8]
        if x[8] is not None:
            assert y[8] is not None and y[8].startswith(second.code)
        if x[9] is not None:
            assert y[9] == sensor_id(second, original_sensor_id(x[9]))
    for x, y in zip(a, b, strict=True):
        assert Report.objects.filter(case_id=x[0]).count() == (
            Report.objects.filter(case_id=y[0]).count()
        )
    assert CaseEvent.objects.filter(case__org_unit__code__startswith=first.code).count() == (
        CaseEvent.objects.filter(case__org_unit__code__startswith=second.code).count()
    )
    # the steps that name a report name one of their own case's reports
    for e in CaseEvent.objects.filter(
        case__org_unit__code__startswith=second.code, data__has_key="report"
    ):
        assert Report.objects.filter(pk=e.data["report"], case_id=e.case_id).exists()
    # reports keep their reporter's phone (decrypted with the same keys), new tracking tokens
    reports = Report.objects.filter(case__org_unit__code__startswith=second.code)
    with_phone = reports.exclude(phone_cipher="").first()
    if with_phone is not None:
        assert with_phone.phone and len(with_phone.phone) >= 7
    assert reports.values("token").distinct().count() == reports.count()
    # and their copy of the case's unit moves with the case (the street's cursor pages)
    assert reports.exists()
    assert not Report.objects.exclude(org_unit_id=F("case__org_unit_id")).exists()
    assert Sensor.objects.filter(org_unit__code__startswith=second.code).count() == (
        Sensor.objects.filter(org_unit__code__startswith=first.code).count()
    )


@pytest.mark.django_db
def test_secondary_indexes_and_foreign_keys_come_back_as_they_were():
    from district.load import BIG_TABLES, drop_secondary, rebuild_secondary
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite keeps its indexes)")

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
                [list(BIG_TABLES)],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "convalidated FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) "
                "ORDER BY 1, 2",
                [list(BIG_TABLES)],
            )
            return indexes, cursor.fetchall()

    before = schema()
    deferred = drop_secondary()
    assert deferred.indexes and deferred.foreign_keys
    dropped = schema()
    assert len(dropped[0]) < len(before[0]) and len(dropped[1]) < len(before[1])
    rebuild_secondary(deferred, threads=1)  # the test's transaction: one connection
    after = schema()
    for now, then in zip(after, before, strict=True):  # what differs, if anything
        assert set(now) - set(then) == set() and set(then) - set(now) == set()
    assert after == before


def test_economy_planners_side_by_side_draw_from_their_own_credit_codes():
    import dataclasses

    from streetbrain.demo.synth.economy.enterprises import SHARED_OFFICES
    from streetbrain.demo.synth.economy.planner import plan_economy
    from streetbrain.demo.synth.economy.world import world_from_files

    world = world_from_files(TODAY)
    codes = {}
    for i in range(2):
        plan = plan_economy(dataclasses.replace(world, code_share=(i, 2)), scale=0.05, seed=5)
        codes[i] = {e.credit_code for e in plan.enterprises}
        for code in codes[i]:
            body = code[8:16]
            assert body[2] == SHARED_OFFICES[i] if body.startswith("MA") else int(body) % 2 == i
    assert codes[0] and codes[1] and not codes[0] & codes[1]
    # one planner alone draws as before
    alone = plan_economy(world, scale=0.05, seed=5)
    assert all(
        e.credit_code[8:11] == "MA2" or e.credit_code[8:16].isdigit() for e in alone.enterprises
    )
