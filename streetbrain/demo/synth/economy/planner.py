"""The economy's plan: ``plan_economy(world, scale=…, seed=…)`` (towers, the simulated
history, tax and headcount, today's unit statuses, the move-outs' ground truth), and what the
loader and the benchmarks read off a plan (main and last buildings, a year's tax per tower)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence

from streetbrain.core.months import add_months, last_day, month_start

from .plans import EconomyPlan, MoveOut
from .simulation import Sim
from .tables import BUILDINGS, ONE_DAY, SEED
from .tax import series
from .towers import plan_buildings, plan_floors
from .world import World


def plan_economy(world: World, *, scale: float = 1.0, seed: int = SEED) -> EconomyPlan:
    """Everything the economy demo creates, computed without the database."""
    world = dataclasses.replace(  # in a stable order; every other field as given
        world,
        grids=sorted(world.grids, key=lambda g: g.code),
        landmarks=sorted(world.landmarks, key=lambda lm: lm.ref),
        homes=sorted(world.homes),
    )
    rng = random.Random(f"{seed}:buildings")
    n = max(2, round(BUILDINGS * scale))
    buildings = plan_buildings(world, rng, n)
    sim = Sim(world, random.Random(f"{seed}:history"), scale=n / BUILDINGS)
    sim.buildings = buildings
    floors_rng = random.Random(f"{seed}:floors")
    for b in buildings:
        plan_floors(floors_rng, b, sim.units)
        sim.signature[b.code] = sim.industries.under(b.signature_industry)
    sim.run()
    series(sim, random.Random(f"{seed}:tax"))
    _unit_status(sim, random.Random(f"{seed}:status"))
    _addresses(sim)
    truth = []
    deregistered = []
    for e in sim.enterprises:
        leave = e.leave
        if leave is None or not leave.done:
            continue
        if e.status == "deregistered":
            deregistered.append(e.credit_code)
            continue
        onset = sim.ms(leave.onset) if leave.signals else None
        truth.append(
            MoveOut(
                credit_code=e.credit_code,
                month=month_start(leave.day),
                last_day=leave.day,
                mode=leave.mode,
                signals=leave.signals,
                onset=onset,
                lead_months=sim.mi(leave.day) - leave.onset if leave.signals else None,
            )
        )
    return EconomyPlan(
        first_month=sim.first,
        last_month=sim.last,
        buildings=buildings,
        units=sim.units,
        enterprises=sim.enterprises,
        leases=sim.leases,
        events=sorted(sim.events, key=lambda ev: (ev.date, ev.enterprise)),
        truth=sorted(truth, key=lambda t: (t.last_day, t.credit_code)),
        false_alarms=sim.false_alarms,
        deregistered=sorted(deregistered),
    )


def _unit_status(sim: Sim, rng: random.Random) -> None:
    """Today's letting status of each unit, from the leases in force: occupied; occupied but
    coming free (the tenant gave notice on a lease ending within three months); vacant and on
    the market, or not (being refitted)."""
    soon = add_months(sim.last, 4) - ONE_DAY
    noticed = {i for i in sorted(sim.active) if sim.leases[i].end <= soon and rng.random() < 0.35}
    for unit in sim.units:
        if unit.holder != -1:
            unit.status = "occupied_available" if unit.holder in noticed else "occupied"
        else:
            unit.status = "vacant_unavailable" if rng.random() < 0.08 else "vacant_available"


def _addresses(sim: Sim) -> None:
    """Registered addresses of local tenants: their main building's."""
    first_building: dict[int, int] = {}
    for lease in sim.leases:
        first_building.setdefault(lease.enterprise, lease.building)
    for e in sim.enterprises:
        b = sim.buildings[first_building[e.index]]
        if e.local:
            e.registered_address = f"浙江省宁波市鄞州区{b.address}{b.name}"


def main_buildings(plan: EconomyPlan, on: dt.date) -> dict[int, int]:
    """Enterprise index → the building where its leases in force on ``on`` cover the most
    area (ties: the lowest building code), as ``actions.relocate_enterprise`` decides."""
    area: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for lease in plan.leases:
        if lease.state == "active":
            area[lease.enterprise][lease.building] += lease.area
    out = {}
    for e, held in area.items():
        out[e] = min(held, key=lambda b: (-held[b], plan.buildings[b].code))
    return out


def last_buildings(plan: EconomyPlan) -> dict[int, int]:
    """Enterprise index → the building of its last lease (by start, then number)."""
    out: dict[int, tuple] = {}
    for lease in plan.leases:
        key = (lease.start, lease.contract_number)
        if lease.enterprise not in out or key > out[lease.enterprise][0]:
            out[lease.enterprise] = (key, lease.building)
    return {e: b for e, (_k, b) in out.items()}


def annual_tax(plan: EconomyPlan, months: Sequence[int]) -> dict[int, float]:
    """Building index → the tax of the given month indexes, each enterprise's month split over
    the buildings where it held space at the month's end, by area (as the metrics do)."""
    held: dict[tuple[int, int], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    wanted = set(months)
    for lease in plan.leases:
        last = lease.ended_on or lease.end
        for m in wanted:
            end = last_day(plan.month(m))
            if lease.start <= end <= last:
                held[(lease.enterprise, m)][lease.building] += lease.area
    out: dict[int, float] = defaultdict(float)
    for e in plan.enterprises:
        for m, total, _local in e.tax:
            if m in wanted and (e.index, m) in held:
                h = held[(e.index, m)]
                s = sum(h.values())
                for b, a in h.items():
                    out[b] += total * a / s
    return out
