"""Tax and headcount per enterprise and month: size, industry, trend and the filing calendar,
the move-outs' and the false alarms' signals, noise; then scaled per building to its tier."""

from __future__ import annotations

import math
import random
from collections import defaultdict

from .simulation import Sim
from .tables import HISTORY_MONTHS

_SEASON = {1: 1.3, 2: 0.72, 3: 0.9, 4: 1.25, 5: 1.45, 6: 0.92, 7: 1.2, 8: 0.9, 9: 0.93, 10: 1.2}


def _presence(sim: Sim) -> dict[int, dict[int, dict[int, float]]]:
    """Per enterprise and month: the area held per building at the month's end."""
    out: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for lease in sim.leases:
        last = lease.ended_on or lease.end
        m0 = max(0, sim.mi(lease.start))
        m1 = min(HISTORY_MONTHS - 1, sim.mi(last))
        for m in range(m0, m1 + 1):
            if lease.start <= sim.me(m) <= last:
                held = out[lease.enterprise][m]
                held[lease.building] = held.get(lease.building, 0.0) + lease.area
    return out


def series(sim: Sim, rng: random.Random) -> None:
    presence = _presence(sim)
    raw: dict[int, list[tuple[int, float]]] = {}
    main: dict[int, int] = {}
    for e in sim.enterprises:
        months = presence.get(e.index, {})
        if not months:
            continue
        # months in the street: from its first month (or the history's) to leaving
        first = max(0, e.first_month)
        last = HISTORY_MONTHS - 1
        if e.leave is not None and e.leave.done:
            last = min(last, sim.mi(e.leave.day))
        held_area = {m: sum(a.values()) for m, a in months.items()}
        area = max(held_area.values())
        span = range(first, last + 1)
        # main building: the most area over the last 12 months it was there
        weights: dict[int, float] = defaultdict(float)
        recent = [m for m in months if m >= last - 11] or list(months)
        for m in recent:
            for b, a in months[m].items():
                weights[b] += a
        main[e.index] = min(weights, key=lambda b: (-weights[b], b))
        base = e.weight * area**0.9
        staff0 = max(1.0, area * e.staff_per_m2 * math.exp(rng.gauss(0, 0.25)))
        small = base < 150
        series: list[tuple[int, float]] = []
        staff: list[tuple[int, int, int]] = []
        insured_share = rng.uniform(0.78, 1.0)
        level = 1.0
        headcount = staff0
        leave = e.leave
        for m in span:
            t = (m - first) / 12
            month = sim.ms(m)
            trend = (1 + e.growth) ** ((m - 18) / 12)
            factor = trend
            if e.new_firm:
                factor *= min(1.0, 0.35 + 0.11 * (m - e.first_month))
            staff_factor = 1.0
            if leave is not None and leave.onset <= m:
                k = m - leave.onset
                if "tax" in leave.signals:
                    factor *= max(leave.tax_factor, 1 - (1 - leave.tax_factor) * (k + 1) / 2)
                if "headcount" in leave.signals:
                    staff_factor = max(0.3, (1 - leave.staff_rate) ** (k + 1))
            if e.dip is not None and e.dip[0] <= m < e.dip[0] + e.dip[1]:
                factor *= e.dip[2]
            elif e.dip is not None and m >= e.dip[0] + e.dip[1]:
                factor *= 0.92
            if e.dip_staff is not None and e.dip_staff[0] <= m < e.dip_staff[0] + 6:
                staff_factor = (1 - e.dip_staff[1]) ** (m - e.dip_staff[0] + 1)
            elif e.dip_staff is not None and m >= e.dip_staff[0] + 6:
                staff_factor = (1 - e.dip_staff[1]) ** 6
            level = 0.7 * level + 0.3 * math.exp(rng.gauss(0, 0.18))
            value = base * factor * _SEASON.get(month.month, 1.0) * level
            if small and rng.random() < 0.08:
                value = 0.0
            elif rng.random() < 0.002:
                value = -value * rng.uniform(0.05, 0.4)  # a refund (留抵退税)
            series.append((m, value))
            headcount = staff0 * (1 + e.growth * 0.5) ** t * staff_factor
            hc = max(1, round(headcount * math.exp(rng.gauss(0, 0.03))))
            staff.append((m, hc, min(hc, round(hc * insured_share))))
        e.staff = staff
        if e.local:
            raw[e.index] = series
    # scale per building: the last 12 months' tax of its tenants reaches the building's tier
    totals: dict[int, float] = defaultdict(float)
    for idx, series in raw.items():
        for m, v in series:
            if m >= HISTORY_MONTHS - 12:
                totals[main[idx]] += v
    for idx, series in raw.items():
        b = main[idx]
        k = sim.buildings[b].tax_target / totals[b] if totals[b] > 0 else 0.0
        e = sim.enterprises[idx]
        out = []
        for m, v in series:
            total = round(v * k, 2)
            local = round(total * min(1.0, e.share * rng.uniform(0.97, 1.03)), 2)
            out.append((m, total, local))
        e.tax = out
