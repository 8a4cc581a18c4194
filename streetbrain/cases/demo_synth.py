"""The demo district's case history (事件), computed without touching the database.

``plan_history(world, now=…, scale=…)`` returns every case of the last 24 months up to
``now``: its reports, its full ``CaseEvent`` timeline and the fields the engine would have
set, plus a few dozen cases that reached each open state today so that every demo account
has work when it logs in. ``cases/demo.py`` writes the plan with ``bulk_create``.

ALL REPORTERS, NAMES, PHONE NUMBERS AND TEXTS ARE SYNTHETIC.

How a case is made (``_Life``): a day of the 24 months (volume growing over time, lower on
rest days and at 春节), a channel in realistic shares (grid worker patrols ~45 %, the 12345
hotline ~20 %, residents ~15 % …), a class by channel and season (more 暴露垃圾 in summer,
积水 in the plum-rain and typhoon months, noise at night …), a grid cell weighted by what
the class needs (shops, homes, area), a point inside it (or at the facility, shop or
building concerned), a text from ``synth_texts``. Then the workflow runs step by step, each
step mirroring what ``workflow/actions.py`` sets (states, timestamps, counters, the clock), with the
delays people take during working hours (``core.worktime``): verification on site, 受理,
立案, 派遣, 处置, extensions, suspensions (挂账), mis-dispatches sent back, rework after a
failed check, 结案, and now and then a reopening. Deadlines and lights come from the engine's
own ``clock.compute_deadline`` / ``clock.compute_light``. A step that would happen after
``now`` is not taken: the case stays in the state it had reached, which is how the last
weeks end up with open cases in every state.

Who acts: each step is done by the demo account of its role (acceptor, shiftlead,
dispatcher, leader), the ``gridworker`` account in its own grid and the ``handler`` account
for its department (城管); grid workers of the other grids and the other departments' staff
have no account in the demo, so their steps carry a synthetic name and no user.

Everything is deterministic for a given ``(world, now, scale, seed)``: each day of the
history draws from its own ``random.Random``.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from shapely.geometry.base import BaseGeometry

from streetbrain.core import worktime

from . import synth_texts
from .intake import duplicates
from .models import CHANNELS_NEEDING_VERIFICATION, CLOCK_STATES, CaseEvent, Channel, State
from .workflow import clock

SEED = 20_220_315  # 数字福明 2.0
HISTORY_DAYS = 730  # 24 months up to today
FULL_SCALE_CASES = 20_300  # history at scale 1 (plus the cases of today's work)

A = CaseEvent.Action
SH = worktime.SHANGHAI
MINUTE = dt.timedelta(minutes=1)
CALENDAR_UNITS = set(worktime.CALENDAR_UNITS)

#: Metres to degrees around 29.87° N.
M_LAT = 1 / 110_900
M_LON = 1 / 96_300

# --- inputs ---------------------------------------------------------------------------------


@dataclass
class GridSpec:
    """A grid cell as the generator needs it. The weights are relative (any unit)."""

    code: str
    community: str  # the community's code
    polygon: BaseGeometry
    area: float = 1.0
    shops: float = 0.0  # street shops and commercial landmarks
    homes: float = 0.0  # residential buildings
    west: bool = False  # the older neighbourhoods
    # anchors: (id, lon, lat, address)
    facilities: dict[str, list[tuple]] = field(default_factory=dict)  # component code → …
    shop_anchors: list[tuple] = field(default_factory=list)
    buildings: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class ClassSpec:
    label: str  # "matter:06010"
    name: str
    amount: Decimal  # the 立结案标准's handling limit
    unit: str
    radius_m: int = 250
    window_days: int = 30
    closing: str = ""  # 结案条件


@dataclass
class World:
    """What the generator knows of the district (from the database, or from files)."""

    grids: list[GridSpec]
    classes: dict[str, ClassSpec]
    route: Callable[[str, str], str | None]  # (label or "", grid code) → department code
    departments: dict[str, str]  # code → name
    accounts: dict[str, tuple[str, str]]  # role → (username, display name)
    gridworker_grid: str | None = None
    handler_department: str | None = "cg"
    default_limit: tuple[Decimal, str] = (Decimal("1"), "work_day")


# --- outputs --------------------------------------------------------------------------------


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


# --- volumes and shares ---------------------------------------------------------------------

# Shares on a working day; over the whole history they come to about: grid workers 45 %,
# 12345 hotline 20 %, residents 15 %, sensors 8 %, phone 5 %, Open311 3 %, superior and media
# the rest.
CHANNEL_SHARES = [
    (Channel.GRIDWORKER, 51.0),
    (Channel.HOTLINE, 18.0),
    (Channel.CITIZEN, 13.5),
    (Channel.SENSOR, 6.6),
    (Channel.PHONE, 4.5),
    (Channel.OPEN311, 2.7),
    (Channel.SUPERIOR, 2.8),
    (Channel.MEDIA, 1.5),
]
# Patrols mostly happen on working days; the public reports every day.
REST_DAY_FACTOR = {Channel.GRIDWORKER: 0.3, Channel.SUPERIOR: 0.2, Channel.MEDIA: 0.5}

#: How often each class occurs overall (relative), and where it happens (grid profile).
CLASS_WEIGHTS: dict[str, tuple[float, str]] = {
    "matter:06010": (14.0, "street"),  # 暴露垃圾
    "matter:06042": (6.0, "home"),  # 垃圾满溢
    "matter:06036": (7.0, "home"),  # 乱堆杂物
    "matter:06012": (5.0, "street"),  # 道路不洁
    "matter:06014": (1.5, "street"),  # 道路遗撒
    "matter:06017": (3.0, "street"),  # 绿地脏乱
    "matter:06045": (1.2, "home"),  # 毁绿
    "matter:09006": (9.0, "shop"),  # 占道经营
    "matter:09005": (7.0, "shop"),  # 店外经营
    "matter:09001": (2.5, "shop"),  # 游商
    "matter:06001": (2.0, "home"),  # 私搭乱建
    "matter:08016": (0.6, "street"),  # 无证建设
    "matter:07001": (6.0, "street"),  # 小广告
    "matter:07002": (1.5, "shop"),  # 散发广告
    "matter:09009": (6.0, "street"),  # 机动车乱停
    "matter:09012": (2.0, "home"),  # 消防通道
    "matter:09010": (4.0, "shop"),  # 非机动车乱停
    "matter:09011": (3.0, "shop"),  # 共享单车
    "matter:08001": (2.5, "home"),  # 施工扰民
    "matter:06028": (3.0, "home"),  # 噪声
    "matter:06027": (2.0, "shop"),  # 油烟
    "matter:06029": (1.5, "shop"),  # 露天烧烤
    "matter:01004": (2.0, "street"),  # 积水 / 雨水箅子
    "matter:01003": (1.5, "street"),  # 雨水井盖
    "matter:01002": (1.2, "street"),  # 污水井盖
    "matter:01037": (3.0, "street"),  # 路灯
    "matter:01060": (0.5, "street"),  # 路灯配电箱
    "matter:04002": (1.5, "street"),  # 行道树
    "matter:06013": (2.5, "street"),  # 道路破损
    "matter:06007": (1.5, "home"),  # 沿街晾挂
    "matter:06034": (1.2, "street"),  # 废弃车辆
}
GRID_PROFILES = {
    "street": (0.5, 0.3, 0.2),  # weights of (area, shops, homes)
    "shop": (0.15, 0.75, 0.1),
    "home": (0.2, 0.1, 0.7),
}

_STREET_SCENE = "06010 06036 09006 09005 07001 09010 09011 06012 06007 06017 09001".split()
_COMPLAINTS = "06028 08001 06027 06029 06001 09012 01037 09009 06034 06045".split()
CHANNEL_FACTORS: dict[str, dict[str, float]] = {
    Channel.GRIDWORKER: {
        **dict.fromkeys(_STREET_SCENE, 1.6),
        "06028": 0.15,
        "08001": 0.2,
        "06027": 0.4,
        "06029": 0.5,
    },
    Channel.CITIZEN: {**dict.fromkeys(_COMPLAINTS, 2.2), "07001": 0.5, "06012": 0.6},
    Channel.HOTLINE: {
        **dict.fromkeys(_COMPLAINTS, 2.6),
        "06028": 4.0,
        "08001": 4.0,
        "07001": 0.4,
        "06012": 0.5,
        "09011": 0.5,
    },
    Channel.PHONE: {**dict.fromkeys(_COMPLAINTS, 2.4), "07001": 0.4},
    Channel.OPEN311: {**dict.fromkeys(_COMPLAINTS, 1.8), "09011": 1.5},
    Channel.SUPERIOR: {"06001": 5.0, "08016": 6.0, "06027": 3.0, "06034": 3.0, "09006": 1.5},
    Channel.MEDIA: {"06001": 4.0, "06027": 4.0, "08001": 4.0, "09012": 4.0, "06013": 2.0},
}

_SUMMER = (0.85, 0.8, 0.9, 0.95, 1.05, 1.2, 1.35, 1.35, 1.15, 1.0, 0.9, 0.85)
_NIGHT_OUT = (0.55, 0.55, 0.8, 1.0, 1.2, 1.45, 1.65, 1.65, 1.3, 1.0, 0.7, 0.55)
#: Month factors (January … December) of the seasonal classes.
SEASONS: dict[str, tuple[float, ...]] = {
    "06010": _SUMMER,
    "06042": _SUMMER,
    "06017": _SUMMER,
    "06028": _NIGHT_OUT,
    "06029": _NIGHT_OUT,
    "01004": (0.3, 0.4, 0.6, 0.9, 1.1, 3.0, 2.6, 2.1, 1.7, 0.6, 0.4, 0.3),  # 梅雨, 台风
    "04002": (0.6, 0.6, 0.8, 0.8, 0.9, 1.0, 1.4, 2.3, 2.0, 0.9, 0.7, 0.6),  # 台风
    "01003": (0.8, 0.8, 0.9, 1.0, 1.0, 1.5, 1.4, 1.3, 1.2, 0.9, 0.8, 0.8),
    "01037": (1.3, 1.2, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3),  # long nights
    "09011": (0.7, 0.6, 1.1, 1.3, 1.3, 1.0, 0.9, 0.9, 1.2, 1.3, 1.0, 0.7),
    "09006": (1.15, 1.25, 1.0, 1.0, 1.0, 0.9, 0.85, 0.85, 1.0, 1.0, 1.0, 1.1),
    "08001": (0.8, 0.4, 1.0, 1.1, 1.1, 1.1, 1.0, 1.0, 1.1, 1.1, 1.1, 1.0),
    "06001": (0.9, 0.6, 1.2, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9),
    "06027": (1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2),
}

_HOURS = {
    "patrol": "0 0 0 0 0 0 .1 .4 2 3 3 2.4 .5 1.1 2.8 3 2.5 1.1 .2 .15 .1 .05 0 0",
    "public": ".3 .15 .1 .08 .1 .2 .6 1.4 2 2 1.8 1.6 1.4 1.4 1.5 1.5 1.5 1.5 1.6 1.9 2 1.6 1.1 .6",
    "hotline": ".1 0 0 0 0 .1 .2 .8 2.2 2.6 2.4 1.8 1 1.6 2.4 2.4 2.2 1.6 .8 .6 .5 .4 .2 .1",
    "night": "2.2 1.6 .9 .3 .2 .5 1.2 1 .5 .4 .4 .5 .6 .5 .4 .4 .5 .7 1.2 2 3 3.5 3.5 2.8",
    "stall": ".2 .1 .1 .1 .3 1 2.5 3 2 1 .8 1 1 .8 .8 1 1.5 2.5 3 2.5 1.5 .8 .4 .3",
    "flat": ".6 .5 .5 .5 .5 .6 .8 1 1 1 1 1 1 1 1 1 1 1 1 1 1 .9 .8 .7",
    "office": "0 0 0 0 0 0 0 .2 1.5 2.5 2.5 1.5 .3 .8 2.5 2.5 2 1 .2 0 0 0 0 0",
}
#: Hour-of-day profiles: relative weights of the hours 00 … 23.
HOURS: dict[str, tuple[float, ...]] = {
    k: tuple(float(x) for x in v.split()) for k, v in _HOURS.items()
}
_NIGHT_CLASSES = {"06028", "06029", "08001"}

#: The sensors and AI cameras: (prefix, count, kind, label, name pattern, grid profile).
SENSOR_TYPES = [
    ("FM-CAM", 6, "ai_camera", "matter:09006", "{road}占道经营AI摄像头", "shop"),
    ("FM-CAM", 4, "ai_camera", "matter:06010", "{road}暴露垃圾AI摄像头", "street"),
    ("FM-WL", 6, "water_level", "matter:01004", "{road}易涝点积水监测", "street"),
    ("FM-MH", 5, "manhole_cover", "matter:01003", "{road}雨水井盖监测", "street"),
    ("FM-MH", 3, "manhole_cover", "matter:01002", "{road}污水井盖监测", "street"),
]
SENSOR_RATE = {"ai_camera": 1.0, "water_level": 0.8, "manhole_cover": 0.5}

#: Matter classes whose problem is a component of the same code (井盖, 路灯 …).
COMPONENT_MATTERS = {"01002", "01003", "01004", "01037", "01060", "04002"}
SHOP_MATTERS = {"09005": 0.8, "06027": 0.85, "06028": 0.3, "06029": 0.5, "09010": 0.3}
BUILDING_MATTERS = {"06001": 0.6, "06007": 0.5, "09012": 0.6, "06036": 0.4, "06042": 0.3}

# --- the texts people write -----------------------------------------------------------------

NOTES: dict[str, tuple[str, ...]] = {
    "verify": (
        "现场核实属实，已拍照取证",
        "经现场查看，情况属实",
        "到场核实，问题存在",
        "现场核实属实，已告知当事人",
    ),
    "verify_false": (
        "现场未发现所述问题",
        "到场查看，问题已不存在",
        "经核实为误报",
        "现场核实不属实，已电话告知反映人",
    ),
    "verify_false_sensor": ("AI误识别，现场无相关情况", "设备误报，现场正常", "现场核实无异常"),
    "accept": ("符合受理条件，予以受理", "已受理", "受理，转立案", "信息完整，受理"),
    "reject": (
        "不属于城市管理受理范围，已告知反映人",
        "重复反映，已有案卷在办",
        "信息不全，无法确定位置，已回电说明",
        "属物业管理范畴，已引导联系小区物业",
    ),
    "classify": ("人工分类", "按现场照片更正分类", "更正分类"),
    "register": ("符合立案条件，予以立案", "立案", "按立结案标准立案"),
    "dispatch": ("请按时限处置", "派遣至责任单位", "请尽快到场处置并反馈", ""),
    "start": ("已接单，安排人员前往", "处置人员已出发", "已到场处置", ""),
    "handled": (
        "已处置完毕，附处置后照片",
        "已责令当事人整改，现场已整改到位",
        "已安排人员处理完毕",
        "处置完成，请核查",
    ),
    "check_pass": ("核查通过，现场已整改到位", "现场复核，处置到位", "核查属实，同意结案"),
    "check_fail": (
        "复核发现问题仍未解决，请返工",
        "现场仍有残留，需返工",
        "整改不到位，退回重新处置",
        "处置后问题复发，返工",
    ),
    "confirm": ("已经处理好了，谢谢", "满意", "问题解决了，辛苦了"),
    "close": ("符合结案条件，予以结案", "结案", "已回访，同意结案"),
    "req_ext": (
        "涉及多个部门协调，申请延期",
        "需等待配件到货，申请延期",
        "当事人需时间整改，申请延期",
        "工程量较大，申请延期",
    ),
    "ext_ok": ("情况属实，同意延期", "同意延期"),
    "ext_no": ("理由不充分，请按原时限处置",),
    "req_back": ("不属于本单位职责，申请回退", "该点位非本单位管养，申请回退重新派遣"),
    "back_ok": ("同意回退，重新派遣", "核实派遣有误，同意回退"),
    "back_no": ("属于你单位职责范围，请继续处置",),
    "reroute": ("派遣单位有误，改派", "职责调整，改派责任单位"),
    "suspend": ("涉及产权纠纷，暂缓处置", "需走司法程序，挂账", "待业主大会表决，挂账"),
    "resume": ("条件已具备，恢复处置", "恢复处置"),
    "void": (
        "经核实为重复立案，作废",
        "当事人已自行整改，无需处置，作废",
        "误立案，作废",
    ),
    "reopen": ("回访不满意，问题复发，重新处置", "市民再次反映问题未解决，重启案卷"),
}

_MOBILE = (
    "138 139 137 136 135 134 150 151 152 157 158 159 182 183 187 188 130 131 132 155 "
    "156 185 186 176 133 153 180 181 189 177 199"
).split()
_SURNAMES = "王 陈 张 李 林 徐 周 胡 吴 孙 朱 郑 毛 俞 杨 黄 刘 邵 史 应 戴 邬 贺".split()
_GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 霞 平 刚 华 燕 斌 琳 浩 婷 晨".split()
MEDIA = ("宁波晚报", "宁波日报", "甬派", "中国宁波网", "宁波电视台《看看看》", "鄞州新闻")
SUPERIORS = ("鄞州区城市运行管理中心", "鄞州区综合行政执法局", "鄞州区12345政务服务热线")
_ROAD = re.compile(r"^(.+?(?:路|街|道|弄|巷))")
ROADS_WEST = ("福明路", "桑田路", "中山东路", "百丈东路", "王隘路", "江南路", "惊驾路")
ROADS_EAST = ("民安东路", "宁穿路", "海晏北路", "河清北路", "会展路", "宁东路", "江澄北路")


# --- small helpers --------------------------------------------------------------------------


class _Table:
    """Weighted choice with cumulative weights computed once."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs):
        self.items, self.cum, total = [], [], 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                self.items.append(item)
                self.cum.append(total)

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (largest remainder, ties by index)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def day_weight(day: dt.date, first: dt.date, calendar: worktime.WorkCalendar) -> float:
    """Relative case volume of a day: growing use of the platform, quieter rest days and
    festivals."""
    trend = 0.85 + 0.3 * (day - first).days / HISTORY_DAYS
    weight = trend * (1.0 if calendar.is_working_day(day) else 0.78)
    holiday = calendar.holiday_name(day) or ""
    if "春节" in holiday:
        weight *= 0.55
    elif holiday and not calendar.is_working_day(day):
        weight *= 0.85
    return weight


def daily_counts(today: dt.date, scale: float) -> tuple[dt.date, list[int]]:
    """(first day, cases reported on each of the ``HISTORY_DAYS`` days up to ``today``)."""
    calendar = worktime.default_calendar()
    first = today - dt.timedelta(days=HISTORY_DAYS - 1)
    days = [first + dt.timedelta(days=k) for k in range(HISTORY_DAYS)]
    total = max(1, round(FULL_SCALE_CASES * scale))
    return first, allocate(total, [day_weight(d, first, calendar) for d in days])


def _pick(rng: random.Random, seq):
    """``rng.choice(seq)`` in a third of the time (one float draw instead of bit sampling)."""
    return seq[int(rng.random() * len(seq))]


def _mobile(rng: random.Random) -> str:
    return _pick(rng, _MOBILE) + f"{int(rng.random() * 10**8):08d}"


def _person(rng: random.Random) -> str:
    return (
        _pick(rng, _SURNAMES)
        + _pick(rng, _GIVEN)
        + (_pick(rng, _GIVEN) if rng.random() < 0.6 else "")
    )


def _caller(rng: random.Random) -> str:
    """How a hotline or phone reporter is written down: 王女士, 陈先生, or a full name."""
    r = rng.random()
    if r < 0.45:
        return _pick(rng, _SURNAMES) + "女士"
    if r < 0.85:
        return _pick(rng, _SURNAMES) + "先生"
    return _person(rng)


class _Points:
    """Points strictly inside a grid cell (kept ``inset_m`` off its edges). Random points
    come from a pool drawn once per cell (vectorised), which is much faster than testing
    each point on its own."""

    POOL = 500

    def __init__(self, polygon: BaseGeometry, key: str, inset_m: float = 5.0):
        import zlib

        import numpy as np

        inner = polygon.buffer(-inset_m * M_LAT)
        if inner.is_empty:
            inner = polygon.buffer(-1 * M_LAT)
        shapely.prepare(inner)
        self.inner = inner
        minx, miny, maxx, maxy = inner.bounds
        rng = np.random.default_rng(zlib.crc32(key.encode()))
        pool: list[tuple[float, float]] = []
        while len(pool) < self.POOL:
            xs = np.round(rng.uniform(minx, maxx, 1024), 7)
            ys = np.round(rng.uniform(miny, maxy, 1024), 7)
            inside = shapely.contains_xy(inner, xs, ys)
            pool.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
        self.pool = pool[: self.POOL]

    def inside(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.inner, lon, lat))

    def random(self, rng: random.Random) -> tuple[float, float]:
        return self.pool[rng.randrange(self.POOL)]

    def near(self, rng: random.Random, lon: float, lat: float, radius_m: float):
        for _ in range(12):
            a, r = rng.uniform(0, 2 * math.pi), radius_m * math.sqrt(rng.random())
            x = round(lon + r * math.cos(a) * M_LON, 7)
            y = round(lat + r * math.sin(a) * M_LAT, 7)
            if shapely.contains_xy(self.inner, x, y):
                return x, y
        return lon, lat


# --- one case's life ------------------------------------------------------------------------


class _Cut(Exception):
    """The next step would happen after ``now``: the case stays where it is."""


class _Life:
    """Runs the workflow on a ``CasePlan``, step by step, as ``workflow/actions.py`` would."""

    def __init__(self, gen: _Generator, case: CasePlan, rng: random.Random):
        self.gen, self.case, self.rng = gen, case, rng
        self.t = case.reported_at
        self.running: list[list] = []  # clock intervals since the last dispatch
        self.extension_at: dt.datetime | None = None
        self.merges: list[tuple] = []
        self.light_at: tuple | None = None
        self.cut = False

    # -- time --
    @property
    def urgent(self) -> bool:
        return self.case.limit_unit in CALENDAR_UNITS

    def office(self, lo: float, hi: float) -> dt.datetime:
        """When a step ``lo``–``hi`` minutes of office time later happens (the command
        centre's duty staff act on urgent classes at once, day and night)."""
        minutes = self.rng.uniform(lo, hi)
        if self.urgent:
            return self.t + dt.timedelta(minutes=max(2.0, minutes * 0.35))
        return self.gen.work_add(self.t, minutes)

    def at(self, t: dt.datetime) -> dt.datetime:
        if t <= self.t:
            t = self.t + MINUTE
        t = t.replace(microsecond=0)
        if t > self.gen.now:
            raise _Cut
        self.t = t
        return t

    def note(self, key: str) -> str:
        return _pick(self.rng, NOTES[key])

    # -- actors --
    def actor(self, role: str) -> tuple[str | None, str]:
        gen, case = self.gen, self.case
        if role == "gridworker":
            if case.grid == gen.world.gridworker_grid and "gridworker" in gen.world.accounts:
                return gen.world.accounts["gridworker"]
            return None, gen.gridworker_name(case.grid)
        if role == "handler":
            if case.department == gen.world.handler_department and "handler" in gen.world.accounts:
                return gen.world.accounts["handler"]
            return None, gen.handler_name(case.department)
        return gen.world.accounts.get(role, (None, ""))

    def event(
        self,
        action: str,
        role: str,
        *,
        to: str | None = None,
        department: str | None = None,
        note: str = "",
        data: dict | None = None,
        actor: tuple[str | None, str] | None = None,
    ) -> EventPlan:
        case = self.case
        before = case.state
        if to is not None:
            case.state = to
        user, name = actor if actor is not None else self.actor(role)
        ev = EventPlan(
            self.t, action, before, case.state, user, name, role, department, note, data or {}
        )
        case.events.append(ev)
        return ev

    # -- the clock (as intake computes it) --
    def _open_interval(self) -> None:
        self.running.append([self.t, None])

    def _close_interval(self) -> None:
        if self.running and self.running[-1][1] is None:
            self.running[-1][1] = self.t

    def _limit(self, label: str) -> None:
        case, spec = self.case, self.gen.world.classes.get(label)
        if spec is not None:
            case.standard = label
            case.limit_amount, case.limit_unit = spec.amount, spec.unit
        else:
            case.standard = ""
            case.limit_amount, case.limit_unit = self.gen.world.default_limit

    # -- the transitions (see workflow/actions.py) --
    def report(self, data: dict) -> None:
        case = self.case
        case.state = (
            State.VERIFYING if case.channel in CHANNELS_NEEDING_VERIFICATION else State.REPORTED
        )
        primary = case.reports[0]
        case.events.append(
            EventPlan(
                case.reported_at,
                A.REPORT,
                "",
                case.state,
                primary.user,
                primary.reporter_name or primary.device_id,
                "gridworker" if case.channel == Channel.GRIDWORKER else "",
                None,
                "",
                data,
            )
        )

    def verify(self, t, true: bool = True) -> None:
        self.at(t)
        if true:
            self.event(
                A.VERIFY,
                "gridworker",
                to=State.REPORTED,
                note=self.note("verify"),
                data={"true": True},
            )
            return
        key = "verify_false_sensor" if self.case.channel == Channel.SENSOR else "verify_false"
        self.event(
            A.VERIFY, "gridworker", to=State.REJECTED, note=self.note(key), data={"true": False}
        )
        self.case.closed_at = self.t

    def classify(self, t, label: str) -> None:
        self.at(t)
        case = self.case
        before = case.label
        case.label, case.class_source, case.class_confidence = label, "staff", 1.0
        case.needs_triage = False
        self._limit(label)
        case.suggested_department = self.gen.world.route(label, case.grid)
        self.event(
            A.CLASSIFY, "acceptor", note=self.note("classify"), data={"from": before, "to": label}
        )

    def accept(self, t) -> None:
        self.at(t)
        self.case.accepted_at = self.t
        self.event(A.ACCEPT, "acceptor", to=State.ACCEPTED, note=self.note("accept"))

    def reject(self, t) -> None:
        self.at(t)
        self.case.closed_at = self.t
        self.event(A.REJECT, "acceptor", to=State.REJECTED, note=self.note("reject"))

    def register(self, t) -> None:
        self.at(t)
        case = self.case
        case.registered_at = self.t
        case.registered_on_time = self.gen.judge("registered", case.reported_at, self.t)
        case.registered_by = self.actor("shiftlead")[0]
        self._limit(case.label)
        if case.suggested_department is None:
            case.suggested_department = self.gen.world.route(case.label, case.grid)
        self.event(A.REGISTER, "shiftlead", to=State.REGISTERED, note=self.note("register"))

    def dispatch(self, t, department: str) -> None:
        self.at(t)
        case = self.case
        case.department = department
        case.dispatched_at = self.t
        case.dispatched_by = self.actor("dispatcher")[0]
        if case.registered_at is not None and case.dispatched_on_time is None:
            # 按时派遣 judges the first dispatch; a re-dispatch after a rollback keeps it
            case.dispatched_on_time = self.gen.judge("dispatched", case.registered_at, self.t)
        case.handled_at = None
        case.deadline = clock.compute_deadline(case)
        case.light = "green"  # compute_light at the clock's start: nothing used yet
        self.running = []
        self._open_interval()
        self.event(
            A.DISPATCH,
            "dispatcher",
            to=State.DISPATCHED,
            department=department,
            note=self.note("dispatch"),
            data={
                "department": department,
                "deadline": case.deadline.isoformat() if case.deadline else None,
            },
        )

    def reroute(self, t, department: str) -> None:
        self.at(t)
        case = self.case
        previous = case.department
        case.department = department
        self.event(
            A.REROUTE,
            "dispatcher",
            to=State.DISPATCHED,
            department=department,
            note=self.note("reroute"),
            data={"from": previous, "to": department},
        )

    def start(self, t) -> None:
        self.at(t)
        self.event(
            A.START,
            "handler",
            to=State.HANDLING,
            department=self.case.department,
            note=self.note("start"),
        )

    def complete(self, t) -> None:
        self.at(t)
        case = self.case
        case.handled_at = self.t
        case.pending_request = ""
        case.light = clock.compute_light(case, self.t)
        # what close() would compute again from the same inputs
        self.light_at = (self.t, len(case.pauses), len(case.extensions))
        self._close_interval()
        spec = self.gen.world.classes.get(case.label)
        note = self.note("handled")
        if spec is not None and spec.closing and self.rng.random() < 0.6:
            note = f"已处置：{spec.closing}"
        self.event(
            A.HANDLED,
            "handler",
            to=State.HANDLED,
            department=case.department,
            note=note,
            data={"light": case.light},
        )

    def request_extension(self, t, amount: Decimal, unit: str) -> None:
        self.at(t)
        case = self.case
        case.pending_request = "extension"
        case.pending_request_data = {"amount": str(amount), "unit": unit}
        self.event(
            A.REQUEST_EXTENSION,
            "handler",
            department=case.department,
            note=self.note("req_ext"),
            data=dict(case.pending_request_data),
        )

    def approve_extension(self, t) -> None:
        self.at(t)
        case = self.case
        data = case.pending_request_data
        case.extensions = [*case.extensions, [data["amount"], data["unit"]]]
        case.extension_count += 1
        case.pending_request, case.pending_request_data = "", {}
        case.deadline = clock.compute_deadline(case)
        case.light = clock.compute_light(case, self.t)
        self.extension_at = self.t
        self.event(A.APPROVE_EXTENSION, "shiftlead", note=self.note("ext_ok"), data=data)

    def deny_extension(self, t) -> None:
        self.at(t)
        case = self.case
        data = case.pending_request_data
        case.pending_request, case.pending_request_data = "", {}
        self.event(A.DENY_EXTENSION, "shiftlead", note=self.note("ext_no"), data=data)

    def request_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        case.pending_request = "rollback"
        case.pending_request_data = {"department": case.department}
        self.event(
            A.REQUEST_ROLLBACK, "handler", department=case.department, note=self.note("req_back")
        )

    def approve_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        previous = case.department
        case.department = None
        case.dispatched_at = None
        case.deadline = None
        case.light = ""
        case.rollback_count += 1
        case.pending_request, case.pending_request_data = "", {}
        self._close_interval()
        self.running = []
        self.event(
            A.APPROVE_ROLLBACK,
            "dispatcher",
            to=State.REGISTERED,
            department=previous,
            note=self.note("back_ok"),
            data={"from": previous},
        )

    def deny_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        case.pending_request, case.pending_request_data = "", {}
        self.event(A.DENY_ROLLBACK, "dispatcher", note=self.note("back_no"))

    def suspend(self, t) -> None:
        self.at(t)
        case = self.case
        case.pauses = [*case.pauses, [self.t.isoformat(), None]]
        case.deadline = None
        self._close_interval()
        self.event(
            A.SUSPEND,
            "shiftlead",
            to=State.SUSPENDED,
            department=case.department,
            note=self.note("suspend"),
        )

    def resume(self, t) -> None:
        self.at(t)
        case = self.case
        pauses = [list(p) for p in case.pauses]
        if pauses and pauses[-1][1] is None:
            pauses[-1][1] = self.t.isoformat()
        case.pauses = pauses
        case.deadline = clock.compute_deadline(case)
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        self.event(
            A.RESUME,
            "shiftlead",
            to=State.HANDLING,
            department=case.department,
            note=self.note("resume"),
        )

    def check_pass(self, t) -> None:
        self.at(t)
        self.event(A.CHECK_PASS, "gridworker", to=State.CHECKED, note=self.note("check_pass"))

    def confirm(self, t) -> None:
        self.at(t)
        primary = self.case.reports[0]
        self.event(
            A.CONFIRM,
            "",
            to=State.CHECKED,
            note=self.note("confirm"),
            data={"report": 0, "satisfied": True},
            actor=(None, primary.reporter_name or "反映人"),
        )

    def check_fail(self, t) -> None:
        self.at(t)
        case = self.case
        case.handled_at = None
        case.rework_count += 1
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        self.event(
            A.CHECK_FAIL,
            "gridworker",
            to=State.HANDLING,
            department=case.department,
            note=self.note("check_fail"),
        )

    def close(self, t) -> None:
        self.at(t)
        case = self.case
        case.closed_at = self.t
        case.closed_by = self.actor("shiftlead")[0]
        if case.handled_at is not None:
            if self.light_at != (case.handled_at, len(case.pauses), len(case.extensions)):
                case.light = clock.compute_light(case, case.handled_at)
            case.closed_on_time = case.light != "red"
        self.event(
            A.CLOSE,
            "shiftlead",
            to=State.CLOSED,
            note=self.note("close"),
            data={"on_time": case.closed_on_time},
        )

    def reopen(self, t) -> None:
        self.at(t)
        case = self.case
        case.reopen_count += 1
        case.closed_at = case.closed_by = case.closed_on_time = case.handled_at = None
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        to = State.HANDLING if case.department else State.REGISTERED
        self.event(A.REOPEN, "leader", to=to, department=case.department, note=self.note("reopen"))

    def void(self, t) -> None:
        self.at(t)
        case = self.case
        pauses = [list(p) for p in case.pauses]
        if pauses and pauses[-1][1] is None:
            pauses[-1][1] = self.t.isoformat()
        case.pauses = pauses
        case.closed_at = self.t
        self._close_interval()
        self.event(A.VOID, "shiftlead", to=State.VOID, note=self.note("void"))

    # -- when handling ends --
    def finish_at(self, fraction: float) -> dt.datetime:
        """The instant at which ``fraction`` of the (extended) limit is used, pauses
        excluded (the engine's own deadline arithmetic)."""
        case = self.case
        total = float(case.limit_amount) + sum(float(a) for a, _u in case.extensions)
        pauses = [(clock._parse(a), clock._parse(b)) for a, b in case.pauses if b]
        return self.gen.calendar.deadline(
            case.dispatched_at, total * fraction, case.limit_unit, pauses, []
        )


# --- the generator --------------------------------------------------------------------------


class _Generator:
    def __init__(self, world: World, now: dt.datetime, scale: float, seed: int):
        self.world, self.now, self.scale, self.seed = world, now, scale, seed
        self.calendar = worktime.default_calendar()
        self.grids = {g.code: g for g in world.grids}
        self.points = {g.code: _Points(g.polygon, f"{seed}:{g.code}") for g in world.grids}
        self.working: dict[int, bool] = {}
        self.intervals = [(a / 60e6, b / 60e6) for a, b in self.calendar.intervals]
        self.labels = [label for label in CLASS_WEIGHTS if label in world.classes]
        self._class_tables: dict = {}
        self._grid_tables: dict = {}
        self._names: dict = {}
        self.channels_work = _Table(CHANNEL_SHARES)
        self.channels_rest = _Table((c, w * REST_DAY_FACTOR.get(c, 1.0)) for c, w in CHANNEL_SHARES)
        self.hours = {k: _Table(enumerate(v)) for k, v in HOURS.items()}
        self.sensors = self._plan_sensors()
        self.sensors_by_id = {s.device_id: s for s in self.sensors}
        self.sensors_by_label: dict[str, list[SensorPlan]] = {}
        for s in self.sensors:
            self.sensors_by_label.setdefault(s.label, []).append(s)
        self.departments = [d for d in world.departments if not d.startswith("sq-")]
        # where the dispatcher sends a case no routing rule covers
        self.fallback = (
            world.handler_department
            if world.handler_department in world.departments
            else (self.departments or sorted(world.departments) or [None])[0]
        )
        self.hotline_seq: dict[dt.date, int] = {}

    def judge(self, what: str, start: dt.datetime, end: dt.datetime) -> bool | None:
        """按时立案 / 按时派遣 as the workflow judges them (``clock.registered_in_time`` /
        ``dispatched_in_time``: not red against ``CASES_REGISTER_LIMIT`` /
        ``CASES_DISPATCH_LIMIT``). For limits in working hours the light's rule, used ≤
        limit, is applied to the working seconds directly (the same arithmetic, a third of
        the time)."""
        from django.conf import settings

        if what == "registered":
            amount, unit = settings.CASES_REGISTER_LIMIT
            slow = clock.registered_in_time
        else:
            amount, unit = settings.CASES_DISPATCH_LIMIT
            slow = clock.dispatched_in_time
        if unit == "work_hour":
            return self.calendar.working_seconds_between(start, end) <= float(amount) * 3600
        return slow(start, end)

    def work_add(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` plus ``minutes`` of working time, as ``calendar.add(t, minutes / 60,
        "work_hour")`` answers (the earliest such instant), walking the working intervals
        of the next days directly: a step of office work takes minutes or hours, and this
        is many times faster than the general arithmetic."""
        local = t.astimezone(SH)
        ordinal = local.toordinal()
        clock = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        remaining = minutes
        for _day in range(40):
            working = self.working.get(ordinal)
            if working is None:
                working = self.calendar.is_working_day(dt.date.fromordinal(ordinal))
                self.working[ordinal] = working
            if working:
                for start, end in self.intervals:
                    begin = max(start, clock)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        day = dt.date.fromordinal(ordinal)
                        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=SH)
                        return midnight + dt.timedelta(minutes=begin + remaining)
                    remaining -= end - begin
            ordinal += 1
            clock = 0.0
        return self.calendar.add(t, minutes / 60, "work_hour")

    # -- names of the staff without a demo account --
    def gridworker_name(self, grid: str) -> str:
        key = ("grid", grid)
        if key not in self._names:
            self._names[key] = _person(random.Random(f"{self.seed}:{grid}"))
        return self._names[key]

    def handler_name(self, department: str | None) -> str:
        key = ("dept", department)
        if key not in self._names:
            name = self.world.departments.get(department or "", "")
            short = re.sub(r"^(福明街道|鄞州区|鄞州|国网宁波|东部新城)", "", name)[:8]
            self._names[key] = f"{short}·{_person(random.Random(f'{self.seed}:{department}'))}"
        return self._names[key]

    # -- tables --
    def class_table(self, channel: str, month: int) -> _Table:
        key = (channel, month)
        if key not in self._class_tables:
            factors = CHANNEL_FACTORS.get(channel, {})
            pairs = []
            for label in self.labels:
                code = label.rsplit(":", 1)[-1]
                weight = CLASS_WEIGHTS[label][0] * factors.get(code, 1.0)
                weight *= SEASONS.get(code, (1.0,) * 12)[month - 1]
                pairs.append((label, weight))
            self._class_tables[key] = _Table(pairs)
        return self._class_tables[key]

    def grid_table(self, profile: str) -> _Table:
        if profile not in self._grid_tables:
            grids = self.world.grids
            totals = [sum(getattr(g, k) for g in grids) or 1.0 for k in ("area", "shops", "homes")]
            a, s, h = GRID_PROFILES[profile]
            self._grid_tables[profile] = _Table(
                (
                    g.code,
                    a * g.area / totals[0] + s * g.shops / totals[1] + h * g.homes / totals[2],
                )
                for g in grids
            )
        return self._grid_tables[profile]

    def sensor_table(self, month: int) -> _Table:
        key = ("sensor", month)
        if key not in self._class_tables:
            self._class_tables[key] = _Table(
                (
                    label,
                    CLASS_WEIGHTS[label][0]
                    * SEASONS.get(label[-5:], (1.0,) * 12)[month - 1]
                    * sum(SENSOR_RATE[s.kind] for s in sensors),
                )
                for label, sensors in self.sensors_by_label.items()
            )
        return self._class_tables[key]

    # -- sensors --
    def _plan_sensors(self) -> list[SensorPlan]:
        rng = random.Random(f"{self.seed}:sensors")
        out, used, numbers = [], set(), {}
        for prefix, count, kind, label, pattern, profile in SENSOR_TYPES:
            if label not in self.world.classes:
                continue
            table = self.grid_table(profile)
            for _ in range(count):
                code = table.pick(rng)
                for _retry in range(20):
                    if (code, label) not in used:
                        break
                    code = table.pick(rng)
                used.add((code, label))
                grid = self.grids[code]
                numbers[prefix] = numbers.get(prefix, 0) + 1
                device = f"{prefix}-{numbers[prefix]:03d}"
                anchors = grid.facilities.get(label.rsplit(":", 1)[-1], [])
                if anchors and kind == "manhole_cover":
                    _id, lon, lat, address = rng.choice(anchors)
                    road = _road_of(address) or self._road(rng, grid)
                else:
                    lon, lat = self.points[code].random(rng)
                    road = self._road(rng, grid)
                    address = f"{road}{rng.randrange(1, 1200)}号附近"
                name = pattern.format(road=road)
                out.append(SensorPlan(device, name, kind, label, code, lon, lat, address))
        return out

    @staticmethod
    def _road(rng: random.Random, grid: GridSpec) -> str:
        return _pick(rng, ROADS_WEST if grid.west else ROADS_EAST)

    # -- the history --
    def plan(self) -> History:
        today = self.now.astimezone(SH).date()
        first, counts = daily_counts(today, self.scale)
        cases: list[CasePlan] = []
        for k, n in enumerate(counts):
            day = first + dt.timedelta(days=k)
            working = self.calendar.is_working_day(day)
            rng = random.Random(self.seed * 1_000_003 + day.toordinal())
            for _ in range(n):
                case = self._new_case(rng, day, working)
                life = _Life(self, case, rng)
                try:
                    self._live(life)
                except _Cut:
                    life.cut = True
                self._finish(life)
                cases.append(case)
        cases.extend(self._todays_work())
        cases.sort(key=lambda c: (c.reported_at, c.grid, c.title))
        return History(cases, self.sensors, first, self.now)

    def _when(self, rng: random.Random, day: dt.date, channel: str, code: str) -> dt.datetime:
        if channel == Channel.GRIDWORKER:
            profile = "night" if code in _NIGHT_CLASSES and rng.random() < 0.3 else "patrol"
        elif channel in (Channel.SUPERIOR, Channel.MEDIA):
            profile = "office"
        elif channel == Channel.SENSOR:
            profile = "stall" if code == "09006" else "flat"
        elif code in _NIGHT_CLASSES:
            profile = "night"
        elif channel in (Channel.HOTLINE, Channel.PHONE):
            profile = "hotline"
        else:
            profile = "public"
        hour = self.hours[profile].pick(rng)
        t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH) + dt.timedelta(
            seconds=rng.randrange(3600)
        )
        if t > self.now:  # later today than now: earlier today instead
            start = dt.datetime(day.year, day.month, day.day, tzinfo=SH)
            t = start + (self.now - start) * rng.random()
        return t.replace(microsecond=0)

    def _place(self, rng, grid: GridSpec, code: str):
        """(lon, lat, address, facility, shop, building) of a case of class ``code``."""
        points = self.points[grid.code]
        facility = shop = building = None
        anchor = None
        if code in COMPONENT_MATTERS and grid.facilities.get(code) and rng.random() < 0.85:
            anchor = rng.choice(grid.facilities[code])
            facility = anchor[0]
        elif grid.shop_anchors and rng.random() < SHOP_MATTERS.get(code, 0.0):
            anchor = rng.choice(grid.shop_anchors)
            shop = anchor[0]
        elif grid.buildings and rng.random() < BUILDING_MATTERS.get(code, 0.0):
            anchor = rng.choice(grid.buildings)
            building = anchor[0]
        if anchor is not None:
            _id, lon, lat, address = anchor
            if shop is not None or building is not None:
                lon, lat = points.near(rng, lon, lat, 15.0)
            if not points.inside(lon, lat):
                lon, lat = points.random(rng)
            return lon, lat, address or "", facility, shop, building
        lon, lat = points.random(rng)
        road = self._road(rng, grid)
        return lon, lat, f"{road}{rng.randrange(1, 1200)}号附近", None, None, None

    def _text(self, rng, label: str, channel: str, address: str) -> dict:
        road = _road_of(address) or address[:6]
        voice = {
            Channel.GRIDWORKER: "grid",
            Channel.HOTLINE: "hotline",
            Channel.PHONE: "hotline",
            Channel.SUPERIOR: "hotline",
        }.get(channel, "citizen")
        row = synth_texts.compose(label, rng, voice=voice, place=(road, address))
        if channel == Channel.SUPERIOR:
            row["description"] = f"上级交办：{row['description']}"
        elif channel == Channel.MEDIA:
            row["description"] = f"媒体曝光：{row['description']}"
        return row

    def _new_case(self, rng: random.Random, day: dt.date, working: bool) -> CasePlan:
        channel = (self.channels_work if working else self.channels_rest).pick(rng)
        sensor = None
        if channel == Channel.SENSOR:
            table = self.sensor_table(day.month)
            if not table.items:
                channel = Channel.CITIZEN
            else:
                sensor = rng.choice(self.sensors_by_label[table.pick(rng)])
        if sensor is not None:
            label = sensor.label
        else:
            label = self.class_table(channel, day.month).pick(rng)
        code = label.rsplit(":", 1)[-1]
        reported_at = self._when(rng, day, channel, code)
        if sensor is not None:
            grid = self.grids[sensor.grid]
            lon, lat, address = sensor.lon, sensor.lat, sensor.address
            facility = shop = building = None
            row = self._sensor_text(rng, sensor, reported_at)
        else:
            grid = self.grids[self.grid_table(CLASS_WEIGHTS[label][1]).pick(rng)]
            lon, lat, address, facility, shop, building = self._place(rng, grid, code)
            row = self._text(rng, label, channel, address)
        case = CasePlan(
            title=row["title"],
            description=row["description"],
            channel=channel,
            grid=grid.code,
            community=grid.community,
            lon=lon,
            lat=lat,
            reported_at=reported_at,
            address=address,
            facility=facility,
            shop=shop,
            building=building,
            sensor=sensor.device_id if sensor else None,
        )
        primary = self._report(rng, case, channel, row, reported_at, lon, lat, sensor)
        primary.is_primary = True
        case.reports.append(primary)
        self._classify_at_intake(rng, case, label, primary)
        return case

    def _sensor_text(self, rng, sensor: SensorPlan, when: dt.datetime) -> dict:
        name = self.world.classes[sensor.label].name
        if sensor.kind == "ai_camera":
            score = rng.uniform(0.72, 0.99)
            title = f"AI识别：{name}"
            desc = (
                f"{sensor.device_id}（{sensor.name}）于{when.astimezone(SH):%H:%M}识别到"
                f"{name}，置信度{score:.2f}，抓拍图片已存档。"
            )
        elif sensor.kind == "water_level":
            depth = rng.randint(12, 45)
            title = "积水告警"
            desc = (
                f"{sensor.device_id}（{sensor.name}）监测到路面积水深度{depth}厘米，"
                "超过告警阈值10厘米。"
            )
        else:
            angle = rng.randint(8, 40)
            title = f"井盖异常告警（{name[:4]}）"
            desc = f"{sensor.device_id}（{sensor.name}）监测到井盖倾斜{angle}°，疑似移位或缺失。"
        return {"title": title, "description": desc, "label": sensor.label}

    def _report(self, rng, case, channel, row, when, lon, lat, sensor=None) -> ReportPlan:
        r = ReportPlan(
            channel=channel,
            received_at=when,
            title=row["title"],
            description=row["description"],
            is_primary=False,
            lon=lon,
            lat=lat,
            address=case.address,
        )
        local = when.astimezone(SH)
        if channel == Channel.GRIDWORKER:
            user, name = (None, self.gridworker_name(case.grid))
            if case.grid == self.world.gridworker_grid and "gridworker" in self.world.accounts:
                user, name = self.world.accounts["gridworker"]
            r.user, r.reporter_name = user, name
        elif channel == Channel.SENSOR and sensor is not None:
            r.sensor, r.device_id = sensor.device_id, sensor.device_id
        elif channel in (Channel.HOTLINE, Channel.PHONE):
            r.reporter_name = _caller(rng)
            if rng.random() < 0.9:
                r.phone = _mobile(rng)
            if channel == Channel.HOTLINE:
                day = local.date()
                self.hotline_seq[day] = self.hotline_seq.get(day, 0) + 1
                r.external_id = f"12345-{day:%Y%m%d}-{self.hotline_seq[day]:04d}"
        elif channel in (Channel.CITIZEN, Channel.OPEN311):
            r.reporter_name = _person(rng) if rng.random() < 0.5 else _caller(rng)
            if rng.random() < 0.8:
                r.phone = _mobile(rng)
            if channel == Channel.OPEN311:
                r.api_key = True
                r.account_id = f"wx-{rng.randrange(16**8):08x}"
                r.device_id = f"app-{rng.randrange(16**6):06x}"
                if rng.random() < 0.3:
                    r.email = f"user{rng.randrange(10**5):05d}@example.com"
        elif channel == Channel.SUPERIOR:
            r.reporter_name = rng.choice(SUPERIORS)
            r.external_id = f"JB-{local:%Y%m%d}-{rng.randrange(1, 300):03d}"
        elif channel == Channel.MEDIA:
            r.reporter_name = rng.choice(MEDIA)
        return r

    def _classify_at_intake(self, rng, case: CasePlan, label: str, primary: ReportPlan) -> None:
        """The class the pipeline gave the report, and whether staff had to fix it later."""
        neighbours = [
            n
            for n in synth_texts.CLASSES.get(label, ("", [], [], []))[3]
            if n in self.world.classes
        ]
        if case.channel == Channel.SENSOR:
            source = "sensor"
        elif case.channel == Channel.GRIDWORKER:
            source = "reporter" if rng.random() < 0.9 else "model"
        elif case.channel in (Channel.CITIZEN, Channel.OPEN311):
            source = "reporter" if rng.random() < 0.45 else "model"
        else:
            source = "model"
        initial, confidence = label, 1.0
        if source == "sensor":
            pass
        elif source == "reporter":  # kept as chosen, the model is not asked
            primary.requested_label = label
        else:
            r = rng.random()
            if r < 0.05:  # below the threshold: waits for a human (needs triage)
                initial, confidence = "", None
                primary.predicted_label = rng.choice(neighbours or [label])
                primary.predicted_confidence = round(rng.uniform(0.2, 0.49), 3)
            elif r < 0.08 and neighbours:  # confidently wrong: staff correct it
                initial = rng.choice(neighbours)
                confidence = round(rng.uniform(0.5, 0.72), 3)
                primary.predicted_label, primary.predicted_confidence = initial, confidence
            else:
                confidence = round(0.5 + 0.49 * rng.random() ** 0.5, 3)
                primary.predicted_label, primary.predicted_confidence = label, confidence
        case.label = initial
        case.class_source = source if initial else ""
        case.class_confidence = confidence if initial else None
        case.needs_triage = not initial
        case.suggested_department = self.world.route(initial, case.grid)
        case.correction = (initial, label) if initial != label else None

    # -- the workflow of a history case --
    def _live(self, life: _Life) -> None:
        case, rng, world = life.case, life.rng, self.world
        label = case.correction[1] if case.correction else case.label
        life._limit(case.label)
        life.report(self._report_data(case))
        merges = self._plan_merges(rng, case, label)
        life.merges = merges
        if case.channel in CHANNELS_NEEDING_VERIFICATION:
            if case.channel == Channel.SENSOR:
                t = life.t + dt.timedelta(minutes=rng.uniform(8, 50))
            else:
                t = life.office(10, 80)
            false_rate = 0.11 if case.channel == Channel.SENSOR else 0.03
            if rng.random() < false_rate:
                life.verify(t, False)
                return
            life.verify(t)
        t = life.office(3, 35)
        if case.correction:
            life.classify(t, label)
            t = life.t + dt.timedelta(minutes=rng.uniform(1, 6))
        reject_rate = 0.01 if case.channel in (Channel.GRIDWORKER, Channel.SENSOR) else 0.03
        if rng.random() < reject_rate:
            life.reject(t)
            return
        life.accept(t)
        late = rng.random() < 0.05
        life.register(life.office(130, 420) if late else life.office(5, 55))
        if rng.random() < 0.006:
            life.void(life.office(20, 240))
            return
        right = case.suggested_department or world.route(label, case.grid) or self.fallback
        late = rng.random() < 0.04
        t = life.office(65, 260) if late else life.office(3, 50)
        r = rng.random()
        if r < 0.03:  # mis-dispatched: the department sends it back
            wrong = self._wrong_department(rng, right)
            life.dispatch(t, wrong)
            life.request_rollback(life.office(30, 300))
            if rng.random() < 0.12:
                life.deny_rollback(life.office(10, 90))
                right = wrong
            else:
                life.approve_rollback(life.office(10, 90))
                life.dispatch(life.office(5, 45), right)
        elif r < 0.04:  # re-dispatched by the dispatcher
            wrong = self._wrong_department(rng, right)
            life.dispatch(t, wrong)
            life.reroute(life.office(20, 180), right)
        else:
            life.dispatch(t, right)
        life.start(life.office(3, 60))
        if not self._handle(life, late=rng.random() < 0.032):
            return  # voided
        # the check (核查)
        while True:
            t = life.office(20, 200)
            if rng.random() < (0.06 if case.rework_count == 0 else 0.1):
                life.check_fail(t)
                life.complete(self._rework_end(life))
                continue
            public = case.channel in (Channel.CITIZEN, Channel.OPEN311)
            if public and rng.random() < 0.3:
                life.confirm(t)
            else:
                life.check_pass(t)
            break
        life.close(life.office(10, 120))
        if rng.random() < 0.004:  # not fixed after all
            life.reopen(life.t + dt.timedelta(days=rng.uniform(1, 8)))
            life.complete(self._rework_end(life))
            life.check_pass(life.office(20, 200))
            life.close(life.office(10, 120))

    def _handle(self, life: _Life, *, late: bool) -> bool:
        """From 处置中 to 处置完成: maybe an extension, a suspension or a void on the way
        (False: voided)."""
        case, rng = life.case, life.rng
        long_limit = case.limit_unit == "work_day"
        r = rng.random()
        ext_rate = 0.1 if long_limit else (0.025 if case.limit_unit == "work_hour" else 0.01)
        if r < 0.006:
            life.void(life.office(30, 600))
            return False
        if rng.random() < ext_rate:
            t = life.finish_at(rng.uniform(0.45, 0.9))
            amount, unit = self._extension(rng, case)
            life.request_extension(t, amount, unit)
            if rng.random() < 0.85:
                life.approve_extension(life.office(15, 120))
            else:
                life.deny_extension(life.office(15, 120))
        if long_limit and rng.random() < 0.05:
            life.suspend(life.finish_at(rng.uniform(0.2, 0.6)))
            days = rng.uniform(2, 20)
            life.resume(self.calendar.add(life.t, days, "work_day"))
        if late:
            fraction = rng.uniform(1.03, 2.6)
        elif rng.random() < 0.72:
            fraction = rng.uniform(0.08, 0.8)
        else:
            fraction = rng.uniform(0.8, 0.99)
        life.complete(life.finish_at(fraction))
        return True

    def _rework_end(self, life: _Life) -> dt.datetime:
        """When the rework of a failed check is done: a share of the limit later."""
        case, rng = life.case, life.rng
        share = float(case.limit_amount) * rng.uniform(0.1, 0.45)
        return self.calendar.add(life.t, share, case.limit_unit)

    @staticmethod
    def _extension(rng, case: CasePlan) -> tuple[Decimal, str]:
        unit = case.limit_unit
        if unit == "work_day":
            amount = max(1, round(float(case.limit_amount) * rng.uniform(0.3, 0.8)))
        elif unit == "work_hour":
            amount = rng.choice((2, 4, 8))
        elif unit == "hour":
            amount = rng.choice((1, 2, 4))
        elif unit == "minute":
            amount = rng.choice((30, 60))
        else:
            amount = rng.choice((1, 2))
        return Decimal(amount), unit

    def _wrong_department(self, rng, right: str | None) -> str:
        if right != "cg" and "cg" in self.world.departments:
            pool = ["cg"]
        else:
            pool = [d for d in ("scjg", "zj", "wy", "sw", "ga") if d in self.world.departments]
        pool = [d for d in pool if d != right] or [d for d in self.departments if d != right]
        return rng.choice(pool)

    def _report_data(self, case: CasePlan) -> dict:
        primary = case.reports[0]
        return {
            "report": 0,
            "channel": case.channel,
            "placed": "point",
            "class": case.label,
            "class_source": case.class_source,
            "confidence": case.class_confidence,
            "predicted": primary.predicted_label,
            "suggested_department": case.suggested_department,
        }

    # -- further reports (最多报一次) --
    def _plan_merges(self, rng, case: CasePlan, label: str) -> list[tuple]:
        """(minutes after the report, channel) of further reports on the same matter."""
        out = []
        if case.channel == Channel.SENSOR:
            sensor = case.sensor
            if rng.random() < 0.35:
                for _ in range(rng.randint(1, 4)):
                    out.append((rng.uniform(3, 58), Channel.SENSOR, sensor))
            return out
        if rng.random() < 0.09:
            spec = self.world.classes[label]
            window = spec.window_days * 1440
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                channel = _MERGE_CHANNELS.pick(rng)
                minutes = min(window - 1, rng.expovariate(1 / 600) + 10)
                out.append((minutes, channel, None))
        return sorted(out, key=lambda m: m[0])

    def _apply_merges(self, life: _Life) -> None:
        case, rng = life.case, life.rng
        merges = life.merges
        if not merges:
            return
        end = case.closed_at or self.now
        if case.state in (State.REJECTED, State.VOID):
            return
        label = case.label
        if not label:
            return
        spec = self.world.classes[label]
        timeline = [e.time for e in case.events]
        earliest = case.reported_at
        for ev in case.events:
            if ev.action == A.CLASSIFY:
                earliest = ev.time
        text = f"{case.title}\n{case.description}"
        points = self.points[case.grid]
        for minutes, channel, sensor in merges:
            t = (case.reported_at + dt.timedelta(minutes=minutes)).replace(microsecond=0)
            if t <= earliest or t >= end or t in timeline:
                continue
            if sensor is not None:
                row = self._sensor_text(rng, self.sensors_by_id[sensor], t)
                lon, lat, distance, sim = case.lon, case.lat, 0.0, 1.0
            else:
                voice = "hotline" if channel in (Channel.HOTLINE, Channel.PHONE) else "citizen"
                row = None
                for _try in range(3):
                    road = _road_of(case.address) or case.address[:6]
                    cand = synth_texts.compose(label, rng, voice=voice, place=(road, case.address))
                    sim = duplicates.similarity(f"{cand['title']}\n{cand['description']}", text)
                    if sim >= 0.15:
                        row = cand
                        break
                if row is None:
                    continue
                lon, lat = points.near(rng, case.lon, case.lat, spec.radius_m * 0.6)
                distance = duplicates.distance_m(lon, lat, case.lon, case.lat)
                if distance > spec.radius_m:
                    lon, lat, distance = case.lon, case.lat, 0.0
            report = self._report(
                rng, case, channel, row, t, lon, lat, self.sensors_by_id.get(sensor or "")
            )
            report.merge_score = round(sim, 3) if sensor is None else 1.0
            if channel != Channel.SENSOR and channel != Channel.GRIDWORKER:
                if rng.random() < 0.4:
                    report.requested_label = label
                else:
                    report.predicted_label = label
                    report.predicted_confidence = round(rng.uniform(0.55, 0.98), 3)
            case.reports.append(report)
            state = _state_at(case.events, t)
            case.events.append(
                EventPlan(
                    t,
                    A.MERGE,
                    state,
                    state,
                    report.user,
                    report.reporter_name or report.device_id or str(Channel(channel).label),
                    "gridworker" if report.user else "",
                    None,
                    "",
                    {
                        "report": len(case.reports) - 1,
                        "channel": channel,
                        "distance_m": round(distance, 1),
                        "similarity": round(sim, 3),
                    },
                )
            )
            timeline.append(t)

    # -- the periodic clock task (flag_deadlines) --
    def _apply_flags(self, life: _Life) -> None:
        case, rng = life.case, life.rng
        if case.dispatched_at is None or not life.running or case.limit_amount is None:
            return
        if case.light == "green" and not case.extensions and case.state != State.VOID:
            return  # the used share only grows: it never reached 80 %
        end_now = self.now
        intervals = [(a, b or end_now) for a, b in life.running]
        pauses = [(clock._parse(a), clock._parse(b)) for a, b in case.pauses if b]
        amount, unit = float(case.limit_amount), case.limit_unit
        cal = self.calendar
        ext = [(float(a), u) for a, u in case.extensions]

        def threshold(fraction: float) -> dt.datetime:
            plain = cal.deadline(case.dispatched_at, amount * fraction, unit, pauses, [])
            if ext and life.extension_at is not None and life.extension_at <= plain:
                total = amount + sum(a for a, _u in ext)
                return cal.deadline(case.dispatched_at, total * fraction, unit, pauses, [])
            return plain

        def first_running(t: dt.datetime) -> dt.datetime | None:
            for a, b in intervals:
                if t < b:
                    moment = max(t, a) + dt.timedelta(minutes=rng.uniform(0.5, 10))
                    return moment.replace(microsecond=0) if moment < b else None
            return None

        warn = first_running(threshold(0.8))
        overdue = first_running(threshold(1.0))
        if overdue is not None and warn is not None and warn >= overdue:
            warn = overdue + dt.timedelta(minutes=15)  # the next run warns as well
            if not any(a <= warn < b for a, b in intervals):
                warn = None
        for moment, action in ((warn, A.WARN), (overdue, A.OVERDUE)):
            if moment is None or moment > self.now:
                continue
            state = _state_at(case.events, moment)
            case.events.append(EventPlan(moment, action, state, state))
            if action == A.WARN:
                case.warned_at = moment
            else:
                case.overdue_flagged_at = moment

    def _finish(self, life: _Life) -> None:
        case = life.case
        case.events.sort(key=lambda e: e.time)
        if case.state in CLOCK_STATES and case.dispatched_at is not None:
            case.light = clock.compute_light(case, self.now)
        self._apply_merges(life)
        self._apply_flags(life)
        case.events.sort(key=lambda e: e.time)
        if case.label == "":
            case.standard = ""

    # -- today's work for the demo accounts --
    def _todays_work(self) -> list[CasePlan]:
        rng = random.Random(f"{self.seed}:today")
        world = self.world
        mine = world.gridworker_grid if world.gridworker_grid in self.grids else None
        handler = world.handler_department
        cg_labels = [
            label
            for label in self.labels
            if world.route(label, self.world.grids[0].code) == handler
        ] or self.labels
        urgent_cg = [
            label for label in cg_labels if world.classes[label].unit in ("hour", "minute")
        ] or cg_labels
        other = [label for label in self.labels if label not in cg_labels] or self.labels
        urgent_other = [
            label for label in other if world.classes[label].unit in ("hour", "minute")
        ] or other
        specs = [
            # (target state, how many, grid, channel, labels, variant, hours ago)
            (State.VERIFYING, 3, mine, None, self.labels, "", (0.3, 3)),
            (State.VERIFYING, 1, mine, Channel.CITIZEN, self.labels, "triage", (0.2, 2)),
            (State.VERIFYING, 2, None, None, self.labels, "", (0.3, 4)),
            (State.VERIFYING, 1, None, Channel.SENSOR, self.labels, "", (0.2, 2)),
            (State.HANDLED, 3, mine, None, self.labels, "", (5, 28)),
            (State.HANDLED, 2, None, None, self.labels, "", (5, 28)),
            (State.REPORTED, 4, None, None, self.labels, "", (0.5, 4)),
            (State.REPORTED, 2, None, Channel.HOTLINE, self.labels, "triage", (0.5, 3)),
            (State.ACCEPTED, 4, None, None, self.labels, "", (1, 5)),
            (State.CHECKED, 4, None, None, self.labels, "", (6, 30)),
            (State.REGISTERED, 4, None, None, self.labels, "", (1.5, 6)),
            (State.DISPATCHED, 4, None, None, cg_labels, "", (2, 8)),
            (State.DISPATCHED, 1, None, None, other, "", (2, 8)),
            (State.HANDLING, 2, None, None, cg_labels, "", (3, 20)),
            (State.HANDLING, 1, None, None, urgent_cg, "red", (6, 10)),
            (State.HANDLING, 1, None, None, urgent_cg, "yellow", (3, 5)),
            (State.HANDLING, 1, None, None, cg_labels, "extension", (20, 50)),
            (State.HANDLING, 1, None, None, cg_labels, "rollback", (3, 8)),
            (State.HANDLING, 1, None, None, urgent_other, "red", (4, 7)),
            (State.SUSPENDED, 2, None, None, cg_labels, "", (72, 240)),
        ]
        out = []
        for target, count, grid_code, channel, labels, variant, (lo, hi) in specs:
            for _ in range(count):
                out.append(self._forced(rng, target, grid_code, channel, labels, variant, lo, hi))
        return out

    def _forced(self, rng, target, grid_code, channel, labels, variant, lo, hi) -> CasePlan:
        world = self.world
        if channel == Channel.SENSOR and self.sensors:
            sensor = rng.choice(self.sensors)
            label, grid = sensor.label, self.grids[sensor.grid]
        else:
            sensor = None
            label = rng.choice(labels)
            if grid_code is None:
                grid = self.grids[self.grid_table(CLASS_WEIGHTS[label][1]).pick(rng)]
            else:
                grid = self.grids[grid_code]
            if channel is None:
                verify_first = target == State.VERIFYING or (
                    grid_code is not None and target != State.VERIFYING
                )
                pool = (
                    [Channel.CITIZEN, Channel.HOTLINE, Channel.OPEN311]
                    if verify_first
                    else [Channel.GRIDWORKER, Channel.HOTLINE, Channel.CITIZEN]
                )
                channel = rng.choice(pool)
        reported_at = (self.now - dt.timedelta(hours=rng.uniform(lo, hi))).replace(microsecond=0)
        code = label.rsplit(":", 1)[-1]
        if sensor is not None:
            lon, lat, address = sensor.lon, sensor.lat, sensor.address
            facility = shop = building = None
            row = self._sensor_text(rng, sensor, reported_at)
            channel = Channel.SENSOR
        else:
            lon, lat, address, facility, shop, building = self._place(rng, grid, code)
            row = self._text(rng, label, channel, address)
        case = CasePlan(
            title=row["title"],
            description=row["description"],
            channel=channel,
            grid=grid.code,
            community=grid.community,
            lon=lon,
            lat=lat,
            reported_at=reported_at,
            address=address,
            facility=facility,
            shop=shop,
            building=building,
            sensor=sensor.device_id if sensor else None,
            forced=str(target),
        )
        primary = self._report(rng, case, channel, row, reported_at, lon, lat, sensor)
        primary.is_primary = True
        case.reports.append(primary)
        if variant == "triage":
            case.label, case.class_source, case.class_confidence = "", "", None
            case.needs_triage = True
            primary.predicted_label = label
            primary.predicted_confidence = round(rng.uniform(0.25, 0.48), 3)
            case.suggested_department = world.route("", grid.code)
        else:
            case.label = label
            case.class_source = (
                "sensor"
                if sensor
                else ("reporter" if channel in (Channel.GRIDWORKER, Channel.CITIZEN) else "model")
            )
            case.class_confidence = (
                1.0 if case.class_source != "model" else round(rng.uniform(0.7, 0.98), 3)
            )
            if case.class_source == "model":
                primary.predicted_label = label
                primary.predicted_confidence = case.class_confidence
            if case.class_source == "reporter":
                primary.requested_label = label
            case.suggested_department = world.route(label, grid.code)
        life = _Life(self, case, rng)
        life._limit(case.label)
        life.report(self._report_data(case))
        steps = _forced_steps(case, target, variant, self.fallback)
        if not steps:
            return case
        end = self.now - dt.timedelta(minutes=rng.uniform(3, 12))
        dispatch_at = None
        spec = world.classes.get(label)
        if variant in ("red", "yellow") and spec is not None:
            limit_min = _calendar_minutes(spec.amount, spec.unit)
            share = rng.uniform(1.5, 2.5) if variant == "red" else rng.uniform(0.84, 0.95)
            dispatch_at = self.now - dt.timedelta(minutes=limit_min * share)
            if dispatch_at <= reported_at + dt.timedelta(minutes=30):
                reported_at = dispatch_at - dt.timedelta(minutes=rng.uniform(40, 120))
                case.reported_at = primary.received_at = case.events[0].time = reported_at
        times = _spread(case.reported_at, end, steps, dispatch_at)
        for (step, arg), t in zip(steps, times, strict=True):
            fn = getattr(life, step)
            if arg is None:
                fn(t)
            elif isinstance(arg, tuple):
                fn(t, *arg)
            else:
                fn(t, arg)
        case.events.sort(key=lambda e: e.time)
        if case.state in CLOCK_STATES and case.dispatched_at is not None:
            case.light = clock.compute_light(case, self.now)
        return case


_MERGE_CHANNELS = _Table(
    [
        (Channel.CITIZEN, 40),
        (Channel.HOTLINE, 35),
        (Channel.PHONE, 10),
        (Channel.OPEN311, 10),
        (Channel.GRIDWORKER, 5),
    ]
)


def _forced_steps(
    case: CasePlan, target: str, variant: str, fallback: str | None
) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = []
    if target == State.VERIFYING:
        return steps
    if case.channel in CHANNELS_NEEDING_VERIFICATION:
        steps.append(("verify", None))
    if target == State.REPORTED:
        return steps
    steps.append(("accept", None))
    if target == State.ACCEPTED:
        return steps
    steps.append(("register", None))
    if target == State.REGISTERED:
        return steps
    steps.append(("dispatch", case.suggested_department or fallback))
    if target == State.DISPATCHED:
        return steps
    steps.append(("start", None))
    if target == State.HANDLING:
        if variant == "extension":
            amount = Decimal(2) if case.limit_unit != "minute" else Decimal(30)
            steps.append(("request_extension", (amount, case.limit_unit)))
        elif variant == "rollback":
            steps.append(("request_rollback", None))
        return steps
    if target == State.SUSPENDED:
        steps.append(("suspend", None))
        return steps
    steps.append(("complete", None))
    if target == State.HANDLED:
        return steps
    steps.append(("check_pass", None))
    return steps


def _spread(start, end, steps, dispatch_at) -> list[dt.datetime]:
    """Times for ``steps`` between ``start`` and ``end`` (the dispatch at ``dispatch_at``
    if given)."""
    n = len(steps)
    names = [s for s, _a in steps]
    if dispatch_at is None or "dispatch" not in names:
        span = (end - start) / (n + 1)
        return [start + span * (i + 1) for i in range(n)]
    k = names.index("dispatch")
    before = (dispatch_at - start) / (k + 1)
    after = (end - dispatch_at) / (n - k)
    return [start + before * (i + 1) if i < k else dispatch_at + after * (i - k) for i in range(n)]


def _calendar_minutes(amount: Decimal, unit: str) -> float:
    factor = {"minute": 1, "hour": 60, "day": 1440, "work_hour": 60, "work_day": 450}
    return float(amount) * factor.get(unit, 60)


def _state_at(events: list[EventPlan], t: dt.datetime) -> str:
    state = ""
    for ev in events:
        if ev.time > t:
            break
        if ev.action not in (A.MERGE, A.WARN, A.OVERDUE):
            state = ev.to_state
    return state


def _road_of(address: str) -> str:
    m = _ROAD.match(address or "")
    return m.group(1) if m else ""


def plan_history(
    world: World, *, now: dt.datetime, scale: float = 1.0, seed: int = SEED
) -> History:
    """Every case of the demo history up to ``now`` (see the module docstring)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return _Generator(world, now.astimezone(SH).replace(microsecond=0), scale, seed).plan()


# --- a world from the shipped files (no database) --------------------------------------------


def _csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def classes_from_files() -> dict[str, ClassSpec]:
    """The classes of ``synth_texts`` with their default 立结案标准 row."""
    from .codes import TIME_LIMITS_CSV

    out = {}
    for row in _csv(TIME_LIMITS_CSV):
        label = f"{row['kind']}:{row['code']}"
        if row["condition"] or label not in synth_texts.CLASSES:
            continue
        out[label] = ClassSpec(
            label,
            synth_texts.CLASSES[label][0],
            Decimal(row["limit_amount"]),
            row["limit_unit"],
            int(row["duplicate_radius_m"] or 250),
            int(row["duplicate_window_days"] or 30),
            row["closing_condition"],
        )
    return out


def router_from_files() -> Callable[[str, str], str | None]:
    """The routing rules of the shipped CSV as a function (rules without an area only)."""
    from .codes import ROUTING_RULES_CSV

    rules = [r for r in _csv(ROUTING_RULES_CSV) if not r["area"]]

    def route(label: str, grid: str) -> str | None:
        code = label.rsplit(":", 1)[-1] if label else ""
        best, best_key = None, None
        for r in rules:
            if r["code"]:
                if f"{r['kind']}:{r['code']}" != label:
                    continue
                specificity = 2
            elif r["major_code"]:
                if not code or code[:2] != r["major_code"]:
                    continue
                specificity = 1
            else:
                specificity = 0
            key = (-specificity, int(r["priority"] or 100))
            if best_key is None or key < best_key:
                best, best_key = r["department"], key
        return best

    return route


def world_from_files() -> World:
    """A world from the demo geometry and the shipped tables: grid weights by area only and
    no registry anchors. For checking the generator without a database."""
    from streetbrain.core.geo import area_m2
    from streetbrain.demo.synth.accounts import ACCOUNTS, DEPARTMENTS
    from streetbrain.demo.synth.district import build_demo_district

    district = build_demo_district()
    grids = [
        GridSpec(
            g.code,
            g.community_code,
            g.polygon,
            area=area_m2(g.polygon),
            west=g.polygon.centroid.x < 121.607,
        )
        for g in sorted(district.grids, key=lambda g: g.code)
    ]
    departments = {code: name for code, name, _kind, _phone in DEPARTMENTS}
    for c in district.communities:
        departments[f"sq-{c.code[-3:]}"] = f"{c.name}居委会"
    accounts: dict = {}  # the first account of each role acts for it in the history
    for user, name, role, _d in ACCOUNTS:
        if role:
            accounts.setdefault(role, (user, name))
    return World(
        grids=grids,
        classes=classes_from_files(),
        route=router_from_files(),
        departments=departments,
        accounts=accounts,
        gridworker_grid=grids[0].code,
        handler_department="cg",
    )
