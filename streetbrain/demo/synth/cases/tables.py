"""The case history's tables: how many cases a day, by which channel, of which class in
which month, at which hours, where; the sensors; the words staff and reporters use; and the
small helpers that draw from them (weighted choices, names and phone numbers, points inside a
grid cell)."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import re

import shapely
from shapely.geometry.base import BaseGeometry

from streetbrain.cases.models import CaseEvent, Channel
from streetbrain.core import worktime

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
NIGHT_CLASSES = {"06028", "06029", "08001"}

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


class Table:
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


def pick(rng: random.Random, seq):
    """``rng.choice(seq)`` in a third of the time (one float draw instead of bit sampling)."""
    return seq[int(rng.random() * len(seq))]


def mobile(rng: random.Random) -> str:
    return pick(rng, _MOBILE) + f"{int(rng.random() * 10**8):08d}"


def person(rng: random.Random) -> str:
    return (
        pick(rng, _SURNAMES) + pick(rng, _GIVEN) + (pick(rng, _GIVEN) if rng.random() < 0.6 else "")
    )


def caller(rng: random.Random) -> str:
    """How a hotline or phone reporter is written down: 王女士, 陈先生, or a full name."""
    r = rng.random()
    if r < 0.45:
        return pick(rng, _SURNAMES) + "女士"
    if r < 0.85:
        return pick(rng, _SURNAMES) + "先生"
    return person(rng)


class Points:
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


def road_of(address: str) -> str:
    m = _ROAD.match(address or "")
    return m.group(1) if m else ""
