"""The streets of the district: their real NBS codes and names (``yinzhou_streets.csv``) and
ILLUSTRATIVE outlines: every street is the demo's illustrative 福明街道 (``build_demo_district``:
its 17 社区 and 80 单元网格) moved to its own place on a lattice around 福明, which stays where
the demo draws it (so the OpenStreetMap landmarks stay inside it). No public outline of any of
these streets exists; all of them are marked illustrative like the demo's.

Communities and grid cells are recoded under the street (street code + the demo's 3-digit
community suffix + the 2-digit grid number, as the demo does for 福明) and keep the demo's
names (``新城社区`` in every street: the planners tell the office-tower community and the
newer quarters by name, so the mix of each street stays the demo's). Pure Python on shapely;
no Django imports.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from shapely.affinity import translate

from streetbrain.demo.synth.district import (
    STREET_CODE,
    Community,
    DemoDistrict,
    Grid,
    Street,
    build_demo_district,
)

STREETS_CSV = Path(__file__).resolve().parent / "yinzhou_streets.csv"
DISTRICT_CODE, DISTRICT_NAME = "330212", "鄞州区"
CITY_CODE, CITY_NAME = "3302", "宁波市"

#: The lattice the streets are laid on: five columns, about one street's size apart.
COLUMNS = 5
STEP_LON, STEP_LAT = 0.052, 0.038


@dataclass(frozen=True)
class StreetSpec:
    index: int  # position in the district (0-based, in code order)
    code: str  # the NBS 9-digit code
    name: str
    dx: float  # degrees east of the demo's 福明 outline
    dy: float

    @property
    def is_demo_street(self) -> bool:
        return self.code == STREET_CODE

    @property
    def short(self) -> str:
        return self.name.removesuffix("街道").removesuffix("镇")


def read_streets(path: Path = STREETS_CSV) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    out = [(r["code"].strip(), r["name"].strip()) for r in csv.DictReader(rows)]
    for code, name in out:
        if len(code) != 9 or not code.startswith(DISTRICT_CODE) or not name:
            raise ValueError(f"{path}: bad street row {code!r} {name!r}")
    return sorted(out)


def street_specs(count: int | None = None, path: Path = STREETS_CSV) -> list[StreetSpec]:
    """The first ``count`` streets in code order (all by default), 福明 always among them."""
    rows = read_streets(path)
    if count is not None:
        if count < 1:
            raise ValueError("at least one street")
        demo = [r for r in rows if r[0] == STREET_CODE]
        others = [r for r in rows if r[0] != STREET_CODE]
        rows = sorted(demo + others[: count - len(demo)])
    home = next((i for i, (code, _n) in enumerate(rows) if code == STREET_CODE), 0)
    home_col, home_row = home % COLUMNS, home // COLUMNS
    specs = []
    for i, (code, name) in enumerate(rows):
        col, row = i % COLUMNS, i // COLUMNS
        specs.append(
            StreetSpec(i, code, name, (col - home_col) * STEP_LON, (home_row - row) * STEP_LAT)
        )
    return specs


def street_district(spec: StreetSpec, template: DemoDistrict | None = None) -> DemoDistrict:
    """The illustrative street ``spec``: the demo's 福明 moved by (dx, dy) and recoded."""
    template = template or build_demo_district()
    if spec.is_demo_street:
        return template

    def code(old: str) -> str:
        return spec.code + old[len(STREET_CODE) :]

    def move(polygon):
        return translate(polygon, xoff=spec.dx, yoff=spec.dy)

    communities = tuple(
        Community(code(c.code), None, c.name, move(c.polygon)) for c in template.communities
    )
    grids = tuple(
        Grid(code(g.code), code(g.community_code), g.name, move(g.polygon)) for g in template.grids
    )
    street = Street(spec.code, spec.name, move(template.street.polygon))
    return DemoDistrict(street=street, communities=communities, grids=grids)
