"""What the economy's planner returns: towers with their floors and units, enterprises with
their tax and headcount, leases, timeline events, and the ground truth of the move-outs
(``MoveOut``) and of the signals that were not followed by one (``FalseAlarm``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from streetbrain.core.months import add_months


@dataclass(slots=True)
class UnitPlan:
    index: int
    building: int
    floor: int
    code: str
    area: float
    asking_rent: float
    retail: bool
    status: str = "vacant_available"
    holder: int = -1  # the lease holding it now in the simulation (-1: none)
    free_from: dt.date = dt.date.min


@dataclass(slots=True)
class FloorPlan:
    number: int
    label: str
    use: str
    units: list[int] = field(default_factory=list)


@dataclass(slots=True)
class BuildingPlan:
    index: int
    code: str
    name: str
    kind: str
    grid: str
    address: str
    lon: float
    lat: float
    footprint: dict
    floors_above: int
    floors_below: int
    year_built: int
    gross_area: float
    property_manager: str
    grade: str
    owner: str
    manager: str
    leader: str | None
    chain: str
    signature_industry: str
    signature_share: float
    osm_ref: str
    occupancy: float
    rank: int = 99  # prestige: the tax tiers go by it
    tax_target: float = 0.0
    floors: list[FloorPlan] = field(default_factory=list)


@dataclass(slots=True)
class EnterprisePlan:
    index: int
    credit_code: str
    name: str
    industry: str
    founded_on: dt.date
    capital: float
    local: bool
    registered_address: str = ""
    status: str = "active"
    status_changed_on: dt.date | None = None
    weight: float = 1.0  # tax intensity (relative)
    share: float = 0.4  # locally retained share of its tax
    growth: float = 0.0  # a year
    staff_per_m2: float = 0.08
    first_month: int = 0  # first month index in the street (may be < 0)
    new_firm: bool = False
    leave: LeavePlan | None = None
    dip: tuple[int, int, float] | None = None  # a false alarm's tax dip: onset, months, factor
    dip_staff: tuple[int, float] | None = None  # a false alarm's headcount fall: onset, rate
    relocating: bool = False
    tax: list[tuple[int, float, float]] = field(default_factory=list)  # month, total, local
    staff: list[tuple[int, int, int]] = field(default_factory=list)  # month, headcount, insured


@dataclass(slots=True)
class LeavePlan:
    kind: str  # "move_out" (leaves the street) or "deregister"
    month: int  # month index of the last day held
    day: dt.date  # the last day held
    mode: str  # "expiry" (at the contract's end) or "early"
    signals: tuple[str, ...]  # tax, headcount, area (expiry is implied by the mode)
    onset: int  # first month of the signals
    tax_factor: float = 1.0
    staff_rate: float = 0.0
    done: bool = False


@dataclass(slots=True)
class LeasePlan:
    index: int
    contract_number: str
    enterprise: int
    building: int
    units: list[int]
    area: float
    signed_on: dt.date
    start: dt.date
    end: dt.date
    rent_free: float
    rent: float
    state: str = "active"
    ended_on: dt.date | None = None
    renewed_from: int | None = None


@dataclass(slots=True)
class EventPlan:
    enterprise: int
    kind: str
    date: dt.date
    building: int | None = None
    lease: int | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MoveOut:
    """One real move-out: the enterprise left the street (status 迁出) with its last day held,
    the signals it showed before (empty: none) and from which month."""

    credit_code: str
    month: dt.date  # the month of the last day held (first day)
    last_day: dt.date
    mode: str  # "expiry" or "early"
    signals: tuple[str, ...]
    onset: dt.date | None
    lead_months: int | None


@dataclass(frozen=True)
class FalseAlarm:
    credit_code: str
    signals: tuple[str, ...]
    onset: dt.date


@dataclass
class EconomyPlan:
    first_month: dt.date
    last_month: dt.date
    buildings: list[BuildingPlan]
    units: list[UnitPlan]
    enterprises: list[EnterprisePlan]
    leases: list[LeasePlan]
    events: list[EventPlan]
    truth: list[MoveOut]
    false_alarms: list[FalseAlarm]
    deregistered: list[str]

    def month(self, index: int) -> dt.date:
        return add_months(self.first_month, index)
