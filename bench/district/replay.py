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
