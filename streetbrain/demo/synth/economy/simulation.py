"""The month-by-month history of lettings on the units (see the package's docstring): the
initial lettings, then each month's area reductions, early terminations, expiries (renewals,
move-outs, relocations, closures) and new lettings; no unit is ever held by two leases."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from streetbrain.core.months import add_months

from ..people import Weighted
from .enterprises import Codes, Industries, Names, area_code
from .plans import (
    BuildingPlan,
    EnterprisePlan,
    EventPlan,
    FalseAlarm,
    LeasePlan,
    LeavePlan,
    UnitPlan,
)
from .tables import ELSEWHERE, HISTORY_MONTHS, LEAD, NEW_SUITE, ONE_DAY, SUITE, TAX_WEIGHT, TERM
from .world import World


class Sim:
    """The month-by-month history of lettings (see the package's docstring)."""

    def __init__(self, world: World, rng: random.Random, scale: float):
        self.world = world
        self.rng = rng
        self.first = add_months(world.last_month, -(HISTORY_MONTHS - 1))
        self.last = world.last_month
        self.industries = Industries(world.industries)
        self.names = Names()
        self.codes = Codes(world.taken_codes, world.code_share)
        self.enterprises: list[EnterprisePlan] = []
        self.leases: list[LeasePlan] = []
        self.events: list[EventPlan] = []
        self.buildings: list[BuildingPlan] = []
        self.units: list[UnitPlan] = []
        self.active: set[int] = set()
        self.held_by: dict[int, set[int]] = defaultdict(set)  # enterprise → active leases
        self.numbers: dict[str, int] = defaultdict(int)
        self.scheduled: dict[int, list[tuple[str, int]]] = defaultdict(list)  # month → actions
        self.false_alarms: list[FalseAlarm] = []
        self.scale = scale
        self.signature: dict[str, Weighted] = {}
        self.active_in: dict[int, set[int]] = defaultdict(set)  # building → active leases
        self.leaves: dict[int, list[int]] = defaultdict(list)  # month → leaving enterprises
        self.free: dict[dt.date, dict[int, list[int]]] = {}  # free units by day, building
        self.now = -1  # the month being simulated (-1: before the history)

    def activate(self, lease: LeasePlan) -> None:
        self.active.add(lease.index)
        self.active_in[lease.building].add(lease.index)
        self.held_by[lease.enterprise].add(lease.index)
        for u in lease.units:
            unit = self.units[u]
            assert unit.holder == -1 and unit.free_from <= lease.start, (unit.code, lease.start)
            unit.holder = lease.index
        for free in self.free.values():
            taken = set(lease.units)
            if lease.building in free:
                free[lease.building] = [u for u in free[lease.building] if u not in taken]

    def deactivate(self, lease: LeasePlan, free_from: dt.date) -> None:
        self.active.discard(lease.index)
        self.active_in[lease.building].discard(lease.index)
        self.held_by[lease.enterprise].discard(lease.index)
        for u in lease.units:
            unit = self.units[u]
            if unit.holder == lease.index:
                unit.holder = -1
                unit.free_from = free_from

    def free_units(self, day: dt.date) -> dict[int, list[int]]:
        """Building → its units free on ``day`` (kept up to date as units are let; units
        released after the first call are not added: a conservative view)."""
        if day not in self.free:
            free: dict[int, list[int]] = defaultdict(list)
            for unit in self.units:
                if unit.holder == -1 and unit.free_from <= day:
                    free[unit.building].append(unit.index)
            self.free[day] = free
        return self.free[day]

    # -- helpers
    def ms(self, m: int) -> dt.date:
        return add_months(self.first, m)

    def me(self, m: int) -> dt.date:
        return add_months(self.first, m + 1) - ONE_DAY

    def mi(self, day: dt.date) -> int:
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    def number(self, b: BuildingPlan, start: dt.date) -> str:
        prefix = f"{b.code}-{start:%Y%m%d}-"
        self.numbers[prefix] += 1
        return f"{prefix}{self.numbers[prefix]:02d}"

    def event(self, e: int, kind: str, date: dt.date, building=None, lease=None, data=None):
        self.events.append(EventPlan(e, kind, date, building, lease, data or {}))

    # -- enterprises
    def new_enterprise(self, b: BuildingPlan, retail: bool, moved_in: dt.date, new_firm: bool):
        rng = self.rng
        if retail:
            industry = self.industries.retail.pick(rng)
        else:
            sig = self.signature.get(b.code)
            industry = self.industries.pick(rng, sig, b.signature_share + 0.12)
        if new_firm:
            founded = moved_in - dt.timedelta(days=rng.randint(10, 120))
        else:
            years = min(25.0, rng.expovariate(1 / 6.5) + 0.3)
            founded = moved_in - dt.timedelta(days=int(years * 365.25))
        local = rng.random() < 0.79
        if local:
            area, city = area_code(rng, founded), "宁波"
        else:
            area, city = rng.choice(ELSEWHERE)
        section = self.industries.section_of.get(industry, "F")
        capital = math.exp(rng.gauss(math.log(300 if section != "J" else 3000), 1.1))
        e = EnterprisePlan(
            index=len(self.enterprises),
            credit_code=self.codes.credit_code(rng, area, founded),
            name=self.names.company(rng, industry, local, city),
            industry=industry,
            founded_on=founded,
            capital=round(min(capital, 5e6), 2),
            local=local,
            weight=TAX_WEIGHT.get(industry[:2], 1.0) * math.exp(rng.gauss(0, 1.0)),
            share=rng.uniform(0.30, 0.50),
            growth=rng.gauss(0.05, 0.12),
            staff_per_m2=1 / rng.uniform(7, 16) if not retail else 1 / rng.uniform(25, 60),
            first_month=self.mi(moved_in),
            new_firm=new_firm,
        )
        self.enterprises.append(e)
        return e

    # -- leases
    def sign(
        self,
        e: EnterprisePlan,
        b: BuildingPlan,
        units: list[int],
        start: dt.date,
        years: int,
        *,
        renewal_of: LeasePlan | None = None,
        end: dt.date | None = None,
        signed_before: tuple[int, int] = (10, 60),
    ) -> LeasePlan:
        rng = self.rng
        area = round(sum(self.units[u].area for u in units), 2)
        end = end or add_months(start, 12 * years) - ONE_DAY
        asking = sum(self.units[u].asking_rent * self.units[u].area for u in units) / area
        if renewal_of is not None:
            rent = renewal_of.rent * rng.choice((1.0, 1.0, 1.02, 1.03, 1.05))
            rent_free = rng.choice((0, 0, 0, 0.5, 1))
        else:
            rent = asking * rng.uniform(0.85, 1.0)
            rent_free = min(6.0, rng.choice((1, 1, 2, 2, 3)) + (area > 800) + (area > 1500))
        term = (end.year - start.year) * 12 + end.month - start.month + 1
        lease = LeasePlan(
            index=len(self.leases),
            contract_number=self.number(b, start),
            enterprise=e.index,
            building=b.index,
            units=sorted(units),
            area=area,
            signed_on=start - dt.timedelta(days=rng.randint(*signed_before)),
            start=start,
            end=end,
            rent_free=min(float(rent_free), max(0.0, term - 1.0)),
            rent=round(rent * 20) / 20,
            renewed_from=renewal_of.index if renewal_of is not None else None,
        )
        self.leases.append(lease)
        self.activate(lease)
        present = any(
            self.leases[x].building == b.index for x in self.held_by[e.index] if x != lease.index
        )
        if renewal_of is None:
            self.event(
                e.index,
                "lease_signed",
                lease.signed_on,
                b.index,
                lease.index,
                {"area_m2": f"{area:.2f}", "units": [self.units[u].code for u in lease.units]},
            )
            if not present:
                self.event(e.index, "move_in", start, b.index, lease.index)
        else:
            self.event(
                e.index,
                "lease_renewed",
                lease.signed_on,
                b.index,
                lease.index,
                {
                    "renewal_of": renewal_of.contract_number,
                    "area_m2": f"{area:.2f}",
                    "area_change_m2": f"{area - renewal_of.area:.2f}",
                },
            )
        self.plan_fate(e, lease)
        return lease

    def renew(self, lease: LeasePlan, start: dt.date, keep: list[int], end=None) -> LeasePlan:
        e = self.enterprises[lease.enterprise]
        lease.state, lease.ended_on = "renewed", start - ONE_DAY
        self.deactivate(lease, start)
        years = TERM.pick(self.rng)
        return self.sign(
            e,
            self.buildings[lease.building],
            keep,
            start,
            years,
            renewal_of=lease,
            end=end,
            signed_before=(20, 90) if end is None else (5, 30),
        )

    def finish(self, lease: LeasePlan, last_day: dt.date) -> None:
        """The lease ends (its end) or is terminated (before) with ``last_day`` held."""
        e = self.enterprises[lease.enterprise]
        early = last_day < lease.end
        lease.state, lease.ended_on = ("terminated" if early else "ended"), last_day
        self.deactivate(lease, last_day + ONE_DAY)
        self.event(
            e.index,
            "lease_terminated" if early else "lease_ended",
            last_day,
            lease.building,
            lease.index,
            {"area_m2": f"{lease.area:.2f}"},
        )
        if not any(self.leases[x].building == lease.building for x in self.held_by[e.index]):
            self.event(e.index, "move_out", last_day, lease.building, lease.index)

    # -- fates
    def plan_fate(self, e: EnterprisePlan, lease: LeasePlan) -> None:
        """Decide, when a lease is signed, how it ends if that is within the history: leaving
        the street (with or without signals), relocating, closing down, or renewing."""
        rng = self.rng
        if e.leave is not None or e.relocating:
            return
        start_m, end_m = self.mi(max(lease.start, self.first)), self.mi(lease.end)
        horizon = HISTORY_MONTHS - 1
        # leaving early: a small monthly hazard over the lease's months in the history
        for m in range(max(start_m, 1), min(end_m, horizon) + 1):
            r = rng.random()
            if r < 0.00045:
                self.plan_leave(e, lease, m, "early", "move_out")
                return
            if r < 0.00045 + 0.00008:
                self.plan_leave(e, lease, m, "early", "deregister")
                return
        if end_m <= horizon and end_m >= 1:
            r = rng.random()
            if r < 0.032:
                self.plan_leave(e, lease, end_m, "expiry", "move_out")
            elif r < 0.036:
                self.plan_leave(e, lease, end_m, "expiry", "deregister")

    def plan_leave(self, e, lease: LeasePlan, month: int, mode: str, kind: str) -> None:
        rng = self.rng
        if mode == "expiry":
            day = lease.end
        else:
            last = self.me(month)
            day = last if rng.random() < 0.6 else last.replace(day=rng.randint(1, last.day))
            day = max(day, lease.start)
        signals: tuple[str, ...] = ()
        onset = month
        if kind == "deregister" or rng.random() < 0.78:
            picks = []
            if e.local and rng.random() < 0.72:
                picks.append("tax")
            if rng.random() < 0.6:
                picks.append("headcount")
            lead = LEAD.pick(rng)
            onset = month - lead
            # giving up area is a renewal with fewer units at the onset: still to come
            reducible = (
                len(lease.units) >= 2 and onset > max(self.now, self.mi(lease.start)) and onset >= 0
            )
            if reducible and rng.random() < 0.45:
                picks.append("area")
            if not picks:
                picks.append("tax" if e.local else "headcount")
            signals = tuple(picks)
        e.leave = LeavePlan(
            kind=kind,
            month=month,
            day=day,
            mode=mode,
            signals=signals,
            onset=onset,
            tax_factor=rng.uniform(0.3, 0.55),
            staff_rate=rng.uniform(0.05, 0.12),
        )
        self.leaves[month].append(e.index)
        if "area" in signals:
            self.scheduled[onset].append(("reduce", lease.index))

    # -- the months
    def initial(self) -> None:
        rng = self.rng
        h0 = self.first
        for b in self.buildings:
            hq = 0
            floors = [f for f in b.floors if f.units]
            i = 0
            while i < len(floors):
                f = floors[i]
                retail = f.use == "retail"
                if not retail and f.number > 1 and rng.random() < 0.05 and i + 1 < len(floors):
                    # a whole floor, or a headquarters on 2–4 floors (one lease)
                    n = 1
                    if hq < 1 and rng.random() < 0.35:
                        n = min(rng.randint(2, 4), len(floors) - i)
                        hq += 1
                    span = [u for g in floors[i : i + n] for u in g.units]
                    if all(not self.units[u].retail for u in span):
                        self.initial_lease(b, span, retail=False)
                        i += n
                        continue
                k = 0
                while k < len(f.units):
                    if rng.random() < b.occupancy:
                        size = min(SUITE.pick(rng), len(f.units) - k)
                        self.initial_lease(b, f.units[k : k + size], retail=retail)
                        k += size
                    else:
                        self.units[f.units[k]].free_from = h0 - dt.timedelta(
                            days=rng.randint(30, 500)
                        )
                        k += 1
                i += 1

    def initial_lease(self, b: BuildingPlan, units: list[int], retail: bool) -> None:
        rng = self.rng
        years = TERM.pick(rng)
        start = add_months(self.first, -rng.randint(1, 12 * years - 1))
        for u in units:
            self.units[u].free_from = dt.date.min
        if start.year == self.first.year and rng.random() > 0.06:
            # Most leases starting in the history's first year (before it begins) continue an
            # earlier one: as many new lettings then as during the history, so that the year's
            # 去化 is not all the street's tenants.
            before = TERM.pick(rng)
            moved_in = add_months(start, -12 * before)
            e = self.new_enterprise(b, retail, moved_in, new_firm=False)
            e.first_month = min(self.mi(moved_in), 0)
            earlier = self.sign(e, b, units, moved_in, before, end=start - ONE_DAY)
            self.renew(earlier, start, units, end=add_months(start, 12 * years) - ONE_DAY)
            return
        if rng.random() < 0.35 and start > dt.date(2016, 1, 1):  # a renewal: here before
            moved_in = add_months(start, -12 * rng.choice((2, 3, 3, 5)))
        else:
            moved_in = start
        e = self.new_enterprise(b, retail, moved_in, new_firm=rng.random() < 0.2)
        e.first_month = min(self.mi(moved_in), 0)
        self.sign(e, b, units, start, years)

    def month(self, m: int) -> None:
        self.now = m
        rng = self.rng
        start, end = self.ms(m), self.me(m)
        # 1. area given up before leaving (a renewal with fewer units, same end)
        for action, idx in self.scheduled.pop(m, []):
            lease = self.leases[idx]
            if action == "reduce" and lease.state == "active" and lease.start < start:
                keep = lease.units[: max(1, len(lease.units) // 2)]
                e = self.enterprises[lease.enterprise]
                new = self.renew(lease, start, keep, end=lease.end)
                if e.leave is not None:
                    e.leave.day = min(e.leave.day, new.end) if e.leave.mode == "early" else new.end
        # 2. leaving: at the contract's end or early, every lease of the enterprise
        for e_idx in sorted(self.leaves.pop(m, [])):
            e = self.enterprises[e_idx]
            leave = e.leave
            held = sorted(self.held_by[e.index])
            if not held:
                leave.done = True
                continue
            last_day = leave.day if leave.mode == "early" else end
            for idx in held:
                lease = self.leases[idx]
                self.finish(lease, min(max(last_day, lease.start), lease.end))
            leave.day = max(self.leases[i].ended_on for i in held)
            leave.done = True
            e.status = "moved_out" if leave.kind == "move_out" else "deregistered"
            e.status_changed_on = leave.day
            self.event(
                e.index, "status_changed", leave.day, data={"from": "active", "to": e.status}
            )
        # 3. expiries at the month's end: renew (maybe with less space), relocate
        for idx in sorted(i for i in self.active if self.leases[i].end == end):
            lease = self.leases[idx]
            e = self.enterprises[lease.enterprise]
            nxt = add_months(start, 1)
            r = rng.random()
            if r < 0.015 and e.leave is None and not e.relocating:
                target = self.find_space(len(lease.units), nxt, exclude=lease.building)
                if target is not None:
                    b2, units = target
                    e.relocating = True
                    self.finish(lease, end)
                    self.sign(e, b2, units, nxt, TERM.pick(rng))
                    e.relocating = False
                    continue
            keep = lease.units
            if len(lease.units) >= 2 and r > 0.94:  # gives up space but stays (a false alarm)
                keep = lease.units[: len(lease.units) - max(1, len(lease.units) // 3)]
                self.false_alarms.append(FalseAlarm(e.credit_code, ("area",), add_months(start, 1)))
            self.renew(lease, nxt, keep)
        # 4. new lettings (去化): new enterprises, tenants expanding, second offices
        season = {1: 0.7, 2: 0.5, 3: 1.2, 4: 1.2, 5: 1.1, 6: 1.1, 9: 1.2, 10: 1.0, 11: 1.1}
        mean = 11 * self.scale * season.get(start.month, 1.0) * (1 + 0.01 * m)
        n = max(0, round(rng.gauss(mean, math.sqrt(max(mean, 1)))))
        for _ in range(n):
            size = NEW_SUITE.pick(rng)
            found = self.find_space(size, start)
            if found is None:
                continue
            b, units = found
            retail = self.units[units[0]].retail
            r = rng.random()
            tenants = [
                x
                for x in sorted(self.tenants_of(b.index))
                if self.enterprises[x].leave is None and not self.units[units[0]].retail
            ]
            if r < 0.08 and tenants:  # an expansion in its building
                e = self.enterprises[rng.choice(tenants)]
            elif r < 0.1 and tenants:  # a second office in another tower
                others = [x for x in sorted(self.all_tenants()) if x not in tenants]
                e = self.enterprises[rng.choice(others)] if others else None
                if e is None or e.leave is not None:
                    continue
            else:
                e = self.new_enterprise(b, retail, start, new_firm=rng.random() < 0.45)
            self.sign(e, b, units, start, TERM.pick(rng), signed_before=(10, 60))

    def tenants_of(self, b: int) -> set[int]:
        return {self.leases[i].enterprise for i in self.active_in[b]}

    def all_tenants(self) -> set[int]:
        return {self.leases[i].enterprise for i in self.active}

    def find_space(self, size: int, start: dt.date, exclude: int | None = None):
        """A building (weighted by vacant area and grade) and ``size`` adjacent free units."""
        rng = self.rng
        free = self.free_units(start)
        vacant = []
        for b in self.buildings:
            if b.index == exclude or not free.get(b.index):
                continue
            area = sum(self.units[u].area for u in free[b.index])
            pull = {"super_a": 1.6, "a": 1.3, "b": 1.0, "c": 0.7}[b.grade]
            vacant.append((b, area * pull))
        if not vacant:
            return None
        b = rng.choices([v[0] for v in vacant], weights=[v[1] for v in vacant], k=1)[0]
        here = set(free[b.index])
        runs = []
        for f in b.floors:
            run: list[int] = []
            for u in f.units:
                if u in here:
                    run.append(u)
                else:
                    if run:
                        runs.append(run)
                    run = []
            if run:
                runs.append(run)
        rng.shuffle(runs)
        for want in range(size, 0, -1):
            for r in runs:
                if len(r) >= want:
                    k = rng.randint(0, len(r) - want)
                    return b, r[k : k + want]
        return None

    def run(self) -> None:
        self.initial()
        for m in range(HISTORY_MONTHS):
            self.free.clear()
            self.month(m)
        self.false_alarm_dips()

    def false_alarm_dips(self) -> None:
        """Enterprises that stay but show the signals: a tax dip or staff cuts for a while."""
        rng = self.rng
        for e in self.enterprises:
            if e.leave is not None or e.status != "active":
                continue
            r = rng.random()
            if max(0, e.first_month + 3) > HISTORY_MONTHS - 3:
                continue
            if r < 0.03 and e.local:
                onset = rng.randint(max(0, e.first_month + 3), HISTORY_MONTHS - 3)
                e.dip = (onset, rng.randint(5, 9), rng.uniform(0.35, 0.62))
                signals: tuple[str, ...] = ("tax",)
                if rng.random() < 0.4:
                    e.dip_staff = (onset, rng.uniform(0.04, 0.09))
                    signals = ("tax", "headcount")
                self.false_alarms.append(FalseAlarm(e.credit_code, signals, self.ms(onset)))
            elif r < 0.045:
                onset = rng.randint(max(0, e.first_month + 3), HISTORY_MONTHS - 3)
                e.dip_staff = (onset, rng.uniform(0.04, 0.09))
                self.false_alarms.append(FalseAlarm(e.credit_code, ("headcount",), self.ms(onset)))
