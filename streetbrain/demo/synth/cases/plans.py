"""What the case history generator returns: each case with its reports and its timeline
(the fields the engine would have set), the sensors, the history's first day and its end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from streetbrain.cases.models import State


@dataclass(slots=True)
class EventPlan:
    time: dt.datetime
    action: str
    from_state: str
    to_state: str
    user: str | None = None  # a demo account's username
    actor_name: str = ""
    role: str = ""
    department: str | None = None  # department code
    note: str = ""
    data: dict = field(default_factory=dict)  # "report": index into the case's reports


@dataclass(slots=True)
class ReportPlan:
    channel: str
    received_at: dt.datetime
    title: str
    description: str
    is_primary: bool
    lon: float
    lat: float
    address: str = ""
    reporter_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    external_id: str = ""
    user: str | None = None
    api_key: bool = False
    sensor: str | None = None  # device id
    requested_label: str = ""
    predicted_label: str = ""
    predicted_confidence: float | None = None
    merge_score: float | None = None


@dataclass(slots=True)
class SensorPlan:
    device_id: str
    name: str
    kind: str
    label: str
    grid: str
    lon: float
    lat: float
    address: str = ""


@dataclass(slots=True)
class CasePlan:
    """The fields of one ``Case`` (the attribute names ``intake``'s clock functions read)."""

    title: str
    description: str
    channel: str
    grid: str
    community: str
    lon: float
    lat: float
    reported_at: dt.datetime
    label: str = ""  # its class now ("" while it waits for triage)
    class_confidence: float | None = None
    class_source: str = ""
    needs_triage: bool = False
    address: str = ""
    facility: int | None = None
    shop: int | None = None
    building: int | None = None
    sensor: str | None = None
    state: str = State.REPORTED
    department: str | None = None
    suggested_department: str | None = None
    accepted_at: dt.datetime | None = None
    registered_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    handled_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    limit_amount: Decimal | None = None
    limit_unit: str = ""
    standard: str = ""  # the label whose 立结案标准 applies ("" = none)
    deadline: dt.datetime | None = None
    pauses: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    light: str = ""
    warned_at: dt.datetime | None = None
    overdue_flagged_at: dt.datetime | None = None
    closed_on_time: bool | None = None
    registered_on_time: bool | None = None
    dispatched_on_time: bool | None = None
    rework_count: int = 0
    extension_count: int = 0
    rollback_count: int = 0
    reopen_count: int = 0
    pending_request: str = ""
    pending_request_data: dict = field(default_factory=dict)
    registered_by: str | None = None
    dispatched_by: str | None = None
    closed_by: str | None = None
    reports: list[ReportPlan] = field(default_factory=list)
    events: list[EventPlan] = field(default_factory=list)
    correction: tuple[str, str] | None = None  # (predicted, right label) of a staff fix
    forced: str = ""  # the account this case was made for ("" = history)

    @property
    def report_count(self) -> int:
        return len(self.reports)


@dataclass
class History:
    cases: list[CasePlan]  # sorted by reported_at
    sensors: list[SensorPlan]
    first_day: dt.date
    now: dt.datetime
