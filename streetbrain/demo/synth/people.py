"""Synthetic people, households, shops, compounds and addresses for the demo district.

EVERYTHING HERE IS SYNTHETIC (合成数据). Names are random combinations of common surnames and
given-name characters; ID numbers, phone numbers and unified social credit codes are random
but carry valid check characters; residential compounds, property managers and shops are
invented; house numbers on the Eastern New Town road names are invented. No real person,
household, shop or compound is described.

Pure Python: no Django models, no database, no clock (callers pass ``today``). Every
generator draws from the ``random.Random`` it is given, so a seed gives the same output on
every machine (no set or hash order is ever relied on).
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from streetbrain.core.identifiers import credit_check_char, id_check_char

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # streetbrain/data

# --- weighted choice --------------------------------------------------------------------------


class Weighted:
    """A fixed weighted list to draw from quickly (cumulative weights computed once)."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [item for item, _ in pairs]
        total, cum = 0.0, []
        for _, w in pairs:
            total += w
            cum.append(total)
        self.cum = cum

    def pick(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum, k=1)[0]


def _parse(spec: str) -> list[tuple[str, float]]:
    """'王7.1 李7.0 欧阳0.05' -> [('王', 7.1), ('李', 7.0), ('欧阳', 0.05)]."""
    out = []
    for token in spec.split():
        k = next(i for i, ch in enumerate(token) if ch.isdigit())
        out.append((token[:k], float(token[k:])))
    return out


# --- names ------------------------------------------------------------------------------------

#: Surnames nationwide, weighted roughly by their share of the population (2020 census order).
SURNAMES_NATIONAL = Weighted(
    _parse(
        "王7.1 李7.0 张6.6 刘5.4 陈4.6 杨3.1 黄2.4 赵2.1 吴2.0 周1.9 徐1.5 孙1.5 马1.4 朱1.3 "
        "胡1.3 郭1.2 何1.2 林1.1 罗1.1 高1.1 郑0.9 梁0.9 谢0.8 宋0.8 唐0.8 许0.7 韩0.7 邓0.7 "
        "冯0.7 曹0.7 彭0.6 曾0.6 肖0.6 田0.6 董0.5 潘0.5 袁0.5 蔡0.5 蒋0.5 余0.5 于0.5 杜0.5 "
        "叶0.5 程0.4 魏0.4 苏0.4 吕0.4 丁0.4 任0.4 卢0.4 姚0.4 沈0.4 钟0.4 姜0.4 崔0.3 谭0.3 "
        "陆0.3 范0.3 汪0.3 廖0.3 石0.3 金0.3 韦0.3 贾0.3 夏0.3 付0.3 方0.3 邹0.2 熊0.2 白0.2 "
        "孟0.2 秦0.2 邱0.2 侯0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 龙0.2 黎0.2 史0.2 陶0.2 "
        "贺0.2 毛0.2 郝0.2 顾0.2 龚0.2 邵0.2 万0.1 覃0.1 武0.1 钱0.1 戴0.1 严0.1 莫0.1 孔0.1 "
        "向0.1 常0.1 汤0.1 欧阳0.03 上官0.01 司马0.01"
    )
)

#: Surnames of Ningbo and Zhejiang families: 陈 and 王 lead, with the local 应, 俞, 邵, 竺, 忻,
#: 励, 虞, 邬, 乐 … that are rare elsewhere.
SURNAMES_NINGBO = Weighted(
    _parse(
        "陈7.5 王6.5 张4.8 李3.5 林3.2 徐3.2 胡3.0 周2.8 吴2.6 杨2.3 朱2.0 孙1.8 应1.6 俞1.5 "
        "刘1.5 黄1.5 邵1.3 蒋1.3 沈1.3 郑1.3 史1.2 毛1.2 赵1.0 何1.0 叶1.0 金1.0 袁0.9 董0.9 "
        "许0.9 包0.8 戴0.8 方0.8 姚0.8 钱0.7 谢0.7 傅0.7 顾0.6 江0.6 虞0.6 施0.6 范0.6 任0.6 "
        "汪0.6 余0.6 曹0.6 潘0.6 马0.6 竺0.5 舒0.5 鲍0.5 忻0.5 乐0.5 邬0.5 严0.5 洪0.5 卢0.5 "
        "蔡0.5 罗0.5 励0.4 屠0.4 柴0.4 楼0.4 翁0.4 龚0.4 贺0.4 葛0.4 项0.3 裘0.3 岑0.3 钟0.3"
    )
)

# Given-name characters by birth cohort and sex: (first characters, second characters,
# single-character names). Two-character names combine a first and a second character.
_GIVEN = {
    ("M", 1959): (
        "建国志德文金荣永福宝根海兴祥炳其明家富长",
        "国华明林生根发荣康平昌祥良才民海兴德勇年",
        "明华林强勇军平德福根荣祥海",
    ),
    ("F", 1959): (
        "秀桂玉月凤金美素翠彩爱雪菊兰琴巧亚杏银珍",
        "英兰珍芳娣凤琴花仙梅娟娥华云香霞莲芬宝娟",
        "英兰珍芳凤琴梅娟华云",
    ),
    ("M", 1979): (
        "建国志伟立卫红海晓永明军文新俊光宏小东亚",
        "军华明强平伟东峰刚勇波斌辉杰林忠民荣锋飞",
        "伟强军勇斌刚平辉华峰波杰",
    ),
    ("F", 1979): (
        "丽红海小晓美秀春雪玲彩素静亚建巧慧燕月凤",
        "萍红娟芳英华燕丽霞梅玲琴敏青艳君平蓉云琳",
        "丽敏静燕娟艳芳霞玲红萍琴",
    ),
    ("M", 1999): (
        "晓俊佳志家海建文浩宇天鹏振一子嘉凯少剑思",
        "伟杰斌峰磊超鹏涛辉波强军宇浩晨龙鑫炜凯亮",
        "杰磊超涛鹏鑫波宇浩峰亮健俊帆凯",
    ),
    ("F", 1999): (
        "晓佳丽静雅婷文思诗梦欣晶雪美亚琳秀巧慧嘉",
        "婷静丽敏燕娟琳洁雯颖倩莉霞蕾露怡萍佳瑶雪",
        "婷静敏琳洁倩颖蕾莉佳琪瑶",
    ),
    ("M", 2009): (
        "宇浩子俊博嘉佳家明天思一志文晨泽梓钰昊睿",
        "轩豪涛杰鑫航宇辉磊阳晨哲博洋凯文翔昊睿凡",
        "宇浩晨阳睿哲航凯博",
    ),
    ("F", 2009): (
        "欣雨佳思诗梦雅子可晨心紫艺嘉怡语静若婉依",
        "怡涵琪悦妍彤婷萱瑶雯洁琳颖晴璐蕾欣月宁菲",
        "琪悦妍婷萱瑶颖璐菲",
    ),
    ("M", 9999): (
        "梓子宇浩一俊沐宸铭奕承煜皓思嘉睿锦瑞泽亦",
        "轩睿辰宸泽豪航阳铭然川熙哲远霖烨博安恒诚",
        "睿辰泽航铭熙哲恒诚",
    ),
    ("F", 9999): (
        "梓子欣一语若思可诗沐雨紫依伊芷安心佳米悦",
        "涵萱彤诺汐琪然妍菲怡瑶宁希玥冉悦琳柔晴娜",
        "涵萱彤诺琪妍菲瑶玥",
    ),
}
_COHORTS = (1959, 1979, 1999, 2009, 9999)
_SINGLE_SHARE = {1959: 0.22, 1979: 0.35, 1999: 0.28, 2009: 0.15, 9999: 0.1}


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    """A 1- or 2-character given name typical of the person's birth cohort and sex."""
    cohort = next(c for c in _COHORTS if birth_year <= c)
    first, second, single = _GIVEN[(sex, cohort)]
    if rng.random() < _SINGLE_SHARE[cohort]:
        return rng.choice(single)
    a, b = rng.choice(first), rng.choice(second)
    if a == b and rng.random() < 0.7:  # 婷婷 and 丽丽 exist, but not that often
        b = rng.choice(second)
    return a + b


def surname(rng: random.Random, local: bool) -> str:
    return (SURNAMES_NINGBO if local else SURNAMES_NATIONAL).pick(rng)


def person_name(rng: random.Random, sex: str, birth_year: int, local: bool = True) -> str:
    return surname(rng, local) + given_name(rng, sex, birth_year)


# --- dates ------------------------------------------------------------------------------------


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_date_for_age(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    """A birth date at which a person is exactly ``age`` years old ``today``."""
    latest = years_before(today, age)
    earliest = years_before(today, age + 1) + datetime.timedelta(days=1)
    return earliest + datetime.timedelta(days=rng.randrange((latest - earliest).days + 1))


def age_on(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- division (area) codes ----------------------------------------------------------------------


#: Ningbo county codes in the ID numbers of people born in Ningbo, by birth era. 330204
#: (江东区, abolished in 2016) is where 福明街道 lay, and 330283 (奉化市) became 330213.
_NINGBO_BEFORE_2017 = Weighted(
    [
        ("330204", 35),  # 江东区
        ("330203", 12),  # 海曙区
        ("330212", 12),  # 鄞州区
        ("330205", 8),  # 江北区
        ("330211", 4),  # 镇海区
        ("330206", 4),  # 北仑区
        ("330281", 5),  # 余姚市
        ("330282", 5),  # 慈溪市
        ("330283", 3),  # 奉化市
        ("330226", 3),  # 宁海县
        ("330225", 3),  # 象山县
    ]
)
_NINGBO_SINCE_2017 = Weighted(
    [
        ("330212", 50),
        ("330203", 14),
        ("330205", 10),
        ("330211", 5),
        ("330206", 5),
        ("330281", 5),
        ("330282", 5),
        ("330213", 2),
        ("330226", 2),
        ("330225", 2),
    ]
)

#: Origin provinces of the floating population of Ningbo (rough shares).
FLOATING_PROVINCES = Weighted(
    [
        ("34", 18),  # 安徽
        ("36", 12),  # 江西
        ("41", 12),  # 河南
        ("52", 10),  # 贵州
        ("51", 9),  # 四川
        ("43", 7),  # 湖南
        ("42", 6),  # 湖北
        ("53", 5),  # 云南
        ("50", 5),  # 重庆
        ("32", 4),  # 江苏
        ("35", 3),  # 福建
        ("37", 3),  # 山东
        ("45", 2),  # 广西
        ("62", 2),  # 甘肃
        ("61", 1),  # 陕西
        ("13", 1),  # 河北
    ]
)


@lru_cache(maxsize=1)
def _counties() -> dict[str, tuple[str, ...]]:
    """County-level codes by province code, from the NBS list shipped in data/divisions."""
    by_province: dict[str, list[str]] = {}
    with (DATA_DIR / "divisions" / "areas.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["name"] == "市辖区" or row["cityCode"] == "3302":
                continue  # Ningbo's own counties are weighted above
            by_province.setdefault(row["provinceCode"], []).append(row["code"])
    return {p: tuple(codes) for p, codes in by_province.items()}


def ningbo_area(rng: random.Random, birth_year: int) -> str:
    return (_NINGBO_BEFORE_2017 if birth_year < 2017 else _NINGBO_SINCE_2017).pick(rng)


def local_birth_area(birth_year: int) -> str:
    """The area code of a child born in 福明街道: 江东区 before 2017, 鄞州区 since."""
    return "330204" if birth_year < 2017 else "330212"


def region_area(rng: random.Random, region: str, birth_year: int) -> str:
    """An area code for a person from ``region``: ningbo, zhejiang (outside Ningbo), other."""
    if region == "ningbo":
        return ningbo_area(rng, birth_year)
    if region == "zhejiang":
        return rng.choice(_counties()["33"])
    return rng.choice(_counties()[FLOATING_PROVINCES.pick(rng)])


# --- identifiers ------------------------------------------------------------------------------

_MOBILE_PREFIXES = Weighted(
    [
        (p, w)
        for group, w in (
            ("130 131 132 133 134 135 136 137 138 139", 3.0),
            ("150 151 152 153 155 156 157 158 159", 2.5),
            ("180 181 182 183 184 185 186 187 188 189", 2.2),
            ("176 177 178 173 175 166 199 198 191 195 193 147", 0.8),
        )
        for p in group.split()
    ]
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb11714_check_char(body8: str) -> str:
    """Check character of a 9-character organisation code (GB 11714-1997)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, _GB11714_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_id_number(area: str, birth: datetime.date, sex: str, serial: int) -> str:
    """An 18-digit ID number: area (6) + birth date (8) + serial (2) + sex digit + check.
    ``serial`` in 0–499 picks the order code; its parity is forced by ``sex``."""
    order = serial * 2 + (1 if sex == "M" else 0)  # 0–999; odd for men
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(category: str, area: str, body8: str) -> str:
    """A unified social credit code: registering authority and type (``category``, e.g. "92"
    个体工商户, "91" company), area (6), organisation code (8 + GB 11714 check), check."""
    first17 = category + area + body8 + gb11714_check_char(body8)
    return first17 + credit_check_char(first17)


# --- people and households --------------------------------------------------------------------

#: Resident tags of grid work: (code, name, sensitive).
TAGS = (
    ("elderly-alone", "独居老人", False),
    ("disabled", "残疾人", False),
    ("subsistence", "低保户", False),
    ("key-person", "重点人员", True),
    ("veteran", "退役军人", False),
    ("pregnant", "孕产妇", False),
    ("left-behind-child", "留守儿童", False),
    ("empty-nest", "空巢老人", False),
    ("extreme-poverty", "特困人员", False),
)

REGISTERED, PERMANENT, FLOATING = "registered", "permanent", "floating"
HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, OTHER = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "other",
)


@dataclass(slots=True)
class Person:
    name: str
    sex: str  # "M" / "F"
    birth_date: datetime.date
    id_number: str
    phone: str
    residence: str
    relation: str
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class HouseholdSpec:
    kind: str  # "family" / "collective"
    members: list[Person]


# Household types by the way the house is used, weighted (福明: an older, ageing west and a
# younger east; renters are mostly single workers and young families).
_OWNER_TYPES = Weighted(
    [
        ("single_elderly", 7),
        ("single", 5),
        ("elderly_couple", 13),
        ("couple", 8),
        ("couple_child", 25),
        ("couple_2children", 9),
        ("three_gen_up", 8),
        ("three_gen_down", 10),
        ("skip_gen", 2),
        ("single_parent", 5),
        ("couple_adult_child", 9),
    ]
)
_RENTED_TYPES = Weighted(
    [
        ("single", 28),
        ("couple", 17),
        ("couple_child", 22),
        ("couple_2children", 6),
        ("collective", 14),
        ("single_elderly", 3),
        ("single_parent", 5),
        ("three_gen_up", 5),
    ]
)
_STATUS = {
    False: Weighted([(REGISTERED, 70), (PERMANENT, 24), (FLOATING, 6)]),  # owner-occupied
    True: Weighted([(REGISTERED, 8), (PERMANENT, 30), (FLOATING, 62)]),  # rented
}
_REGION = {
    REGISTERED: Weighted([("ningbo", 80), ("zhejiang", 15), ("other", 5)]),
    PERMANENT: Weighted([("ningbo", 30), ("zhejiang", 35), ("other", 35)]),
    FLOATING: Weighted([("zhejiang", 15), ("other", 85)]),
}


class Population:
    """Makes people and households, keeping ID numbers and phone numbers unique."""

    def __init__(
        self, today: datetime.date, serials: range = range(500), share: tuple[int, int] = (0, 1)
    ):
        """``serials``: the ID numbers' order codes to draw from (0–499), ``share``: this
        planner's share (i, n) of the shops' credit codes. A district of several streets
        planned in several processes gives each process its own, so that no two processes
        make the same number; streets planned with one population share its sets."""
        self.today = today
        self.serials = serials
        self.share = share
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self.credit_codes: set[str] = set()

    # -- single values -------------------------------------------------------------------

    def id_number(self, rng: random.Random, area: str, birth: datetime.date, sex: str) -> str:
        while True:
            value = make_id_number(area, birth, sex, self.serials[rng.randrange(len(self.serials))])
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value

    def mobile(self, rng: random.Random) -> str:
        while True:
            value = _MOBILE_PREFIXES.pick(rng) + f"{rng.randrange(10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def landline(self, rng: random.Random) -> str:
        """A Ningbo landline (0574 + 8 digits)."""
        while True:
            value = f"0574-{rng.choice('88888765')}{rng.randrange(10**7):07d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def birth(self, rng: random.Random, age: int) -> datetime.date:
        return birth_date_for_age(rng, max(0, age), self.today)

    def person(
        self,
        rng: random.Random,
        *,
        sex: str,
        age: int,
        relation: str,
        residence: str,
        area: str,
        family_name: str | None = None,
        local_names: bool = True,
    ) -> Person:
        birth = self.birth(rng, age)
        name = (family_name or surname(rng, local_names)) + given_name(rng, sex, birth.year)
        return Person(
            name=name,
            sex=sex,
            birth_date=birth,
            id_number=self.id_number(rng, area, birth, sex),
            phone=self._maybe_phone(rng, age),
            residence=residence,
            relation=relation,
        )

    def _maybe_phone(self, rng: random.Random, age: int) -> str:
        share = 0.0 if age < 14 else 0.4 if age < 18 else 0.95 if age < 70 else 0.7
        if age >= 80:
            share = 0.35
        return self.mobile(rng) if rng.random() < share else ""

    # -- households ----------------------------------------------------------------------

    def household(self, rng: random.Random, *, rented: bool) -> HouseholdSpec:
        kind = (_RENTED_TYPES if rented else _OWNER_TYPES).pick(rng)
        status = _STATUS[rented].pick(rng)
        region = _REGION[status].pick(rng)
        hh = _HouseholdBuilder(self, rng, status, region)
        getattr(hh, kind)(rented)
        spec = HouseholdSpec(
            kind="collective" if kind == "collective" else "family", members=hh.members
        )
        self._tag(rng, spec, kind)
        return spec

    def _tag(self, rng: random.Random, spec: HouseholdSpec, kind: str) -> None:
        members, today = spec.members, self.today
        ages = [age_on(p.birth_date, today) for p in members]
        if len(members) == 1 and ages[0] >= 60:
            members[0].tags.append("elderly-alone")
            if members[0].residence == REGISTERED and rng.random() < 0.04:
                members[0].tags.append("extreme-poverty")
        elif len(members) >= 2 and min(ages) >= 60:
            for p in members:
                p.tags.append("empty-nest")
        if kind == "skip_gen":
            for p, a in zip(members, ages, strict=True):
                if p.relation == GRANDCHILD and a < 16:
                    p.tags.append("left-behind-child")
        if members[0].residence == REGISTERED and rng.random() < 0.006:
            for p in members:
                p.tags.append("subsistence")
        has_couple = any(p.relation == SPOUSE for p in members)
        for p, a in zip(members, ages, strict=True):
            if rng.random() < (0.035 if a >= 60 else 0.012 if a >= 6 else 0.004):
                p.tags.append("disabled")
            if 30 <= a <= 85 and rng.random() < (0.03 if p.sex == "M" else 0.002):
                p.tags.append("veteran")
            if 18 <= a <= 60 and rng.random() < 0.0015:
                p.tags.append("key-person")
            if (
                p.sex == "F"
                and 22 <= a <= 40
                and p.relation in (HEAD, SPOUSE, OTHER)
                and (has_couple or p.relation == OTHER)
                and spec.kind == "family"
                and rng.random() < 0.05
            ):
                p.tags.append("pregnant")


class _HouseholdBuilder:
    """Builds one household's members with consistent ages, sexes, names and origins."""

    def __init__(self, pop: Population, rng: random.Random, status: str, region: str):
        self.pop, self.rng, self.status, self.region = pop, rng, status, region
        self.local_names = region != "other"
        self.members: list[Person] = []
        self.head_area = ""

    # -- helpers -------------------------------------------------------------------------

    def _year(self, age: int) -> int:
        return self.pop.today.year - age

    def _area(self, age: int) -> str:
        return region_area(self.rng, self.region, self._year(age))

    def _child_area(self, age: int) -> str:
        born_here = 0.65 if self.region == "ningbo" else 0.35
        if self.rng.random() < born_here:
            return local_birth_area(self._year(age))
        return self.head_area or self._area(age)

    def add(self, sex, age, relation, area, family_name=None) -> Person:
        p = self.pop.person(
            self.rng,
            sex=sex,
            age=age,
            relation=relation,
            residence=self.status,
            area=area,
            family_name=family_name,
            local_names=self.local_names,
        )
        if relation == HEAD:
            self.members.insert(0, p)
        else:
            self.members.append(p)
        return p

    def _couple(self, lo: int, hi: int) -> tuple[Person, Person, int]:
        """Head and spouse; returns (husband, wife, wife's age)."""
        rng = self.rng
        husband_age = rng.randint(lo, hi)
        wife_age = max(23, husband_age - max(-3, min(10, round(rng.gauss(2, 2.5)))))
        self.head_area = self._area(husband_age)
        male_head = rng.random() < 0.8 or not 25 <= wife_age <= 85
        husband_area = self.head_area
        wife_area = self.head_area if rng.random() < 0.6 else self._area(wife_age)
        if not male_head:
            husband_area, wife_area = wife_area, self.head_area
        husband = self.add("M", husband_age, HEAD if male_head else SPOUSE, husband_area)
        wife = self.add("F", wife_age, SPOUSE if male_head else HEAD, wife_area)
        return husband, wife, wife_age

    def _children(self, father: Person | None, mother: Person | None, mother_age: int, n: int):
        rng = self.rng
        if father is not None:
            family = father.name[: _surname_len(father.name)]
            if mother is not None and rng.random() < 0.08:  # some take the mother's name
                family = mother.name[: _surname_len(mother.name)]
        else:  # a single mother: her name or the (absent) father's
            family = mother.name[: _surname_len(mother.name)] if rng.random() < 0.4 else None
        age = mother_age - rng.randint(23, 36)
        for k in range(n):
            if age < 0:
                if k == 0:
                    age = rng.randint(0, max(0, mother_age - 23))
                else:
                    break
            self.add(rng.choice("MF"), age, CHILD, self._child_area(age), family)
            age -= rng.randint(2, 9)

    # -- household types -----------------------------------------------------------------

    def single(self, rented: bool) -> None:
        age = self.rng.randint(25, 45 if rented else 62)
        self.head_area = self._area(age)
        self.add("M" if self.rng.random() < 0.55 else "F", age, HEAD, self.head_area)

    def single_elderly(self, rented: bool) -> None:
        age = self.rng.randint(65, 85)
        self.head_area = self._area(age)
        self.add("F" if self.rng.random() < 0.65 else "M", age, HEAD, self.head_area)

    def elderly_couple(self, rented: bool) -> None:
        self._couple(62, 85)

    def couple(self, rented: bool) -> None:
        self._couple(25, 40 if rented else 58)

    def couple_child(self, rented: bool) -> None:
        husband, wife, wife_age = self._couple(27, 45 if rented else 58)
        self._children(husband, wife, wife_age, 1)

    def couple_2children(self, rented: bool) -> None:
        husband, wife, wife_age = self._couple(30, 48)
        self._children(husband, wife, wife_age, 2)

    def couple_adult_child(self, rented: bool) -> None:
        husband, _wife, wife_age = self._couple(48, 68)
        rng = self.rng
        age = max(18, wife_age - rng.randint(23, 32))
        family = husband.name[: _surname_len(husband.name)]
        self.add(rng.choice("MF"), age, CHILD, self._child_area(age), family)

    def three_gen_up(self, rented: bool) -> None:
        """A young family with the head's parent(s)."""
        rng = self.rng
        husband, wife, wife_age = self._couple(28, 45)
        head = self.members[0]
        self._children(husband, wife, wife_age, 1 if rng.random() < 0.75 else 2)
        head_age = age_on(head.birth_date, self.pop.today)
        father_age = min(95, head_age + rng.randint(24, 34))
        mother_age = max(head_age + 21, father_age - rng.randint(0, 5))
        which = rng.random()
        if which < 0.65 or which >= 0.9:
            self.add("M", father_age, PARENT, self.head_area, head.name[: _surname_len(head.name)])
        if which < 0.9:
            self.add("F", min(95, mother_age), PARENT, self.head_area)

    def three_gen_down(self, rented: bool) -> None:
        """An older head (and spouse), a married child, the child's spouse, grandchildren."""
        rng = self.rng
        if rng.random() < 0.85:
            husband, _wife, wife_age = self._couple(55, 78)
            family = husband.name[: _surname_len(husband.name)]
            mother_age = wife_age
        else:
            mother_age = rng.randint(58, 80)
            self.head_area = self._area(mother_age)
            widow = self.add("F", mother_age, HEAD, self.head_area)
            family = None if rng.random() < 0.9 else widow.name[: _surname_len(widow.name)]
        child_age = max(25, mother_age - rng.randint(24, 33))
        son = rng.random() < 0.75  # a son and his wife more often live with his parents
        child = self.add("M" if son else "F", child_age, CHILD, self._child_area(child_age), family)
        partner_age = max(23, child_age + rng.randint(-3, 3) - (2 if son else -2))
        partner = self.add("F" if son else "M", partner_age, OTHER, self._area(partner_age))
        father, mother = (child, partner) if son else (partner, child)
        mother_age2 = partner_age if son else child_age
        before = len(self.members)
        self._children(father, mother, mother_age2, 1 if rng.random() < 0.7 else 2)
        for p in self.members[before:]:
            p.relation = GRANDCHILD

    def skip_gen(self, rented: bool) -> None:
        """Grandparents bringing up a grandchild whose parents work elsewhere (留守儿童)."""
        rng = self.rng
        if rng.random() < 0.7:
            husband, _wife, _ = self._couple(58, 78)
            family = husband.name[: _surname_len(husband.name)]
            head_age = age_on(self.members[0].birth_date, self.pop.today)
        else:
            head_age = rng.randint(58, 80)
            self.head_area = self._area(head_age)
            self.add("F", head_age, HEAD, self.head_area)
            family = None
        age = rng.randint(3, min(15, head_age - 40))
        self.add(rng.choice("MF"), age, GRANDCHILD, self._child_area(age), family)

    def single_parent(self, rented: bool) -> None:
        rng = self.rng
        female = rng.random() < 0.75
        age = rng.randint(30, 55)
        self.head_area = self._area(age)
        head = self.add("F" if female else "M", age, HEAD, self.head_area)
        father = None if female else head
        mother = head if female else None
        mother_age = age if female else age - rng.randint(0, 4)
        self._children(father, mother, mother_age, 1 if rng.random() < 0.8 else 2)

    def collective(self, rented: bool) -> None:
        """Unrelated workers sharing a rented flat, registered as a collective household."""
        rng = self.rng
        n = rng.choice((2, 2, 3, 3, 4))
        sex = "M" if rng.random() < 0.6 else "F"
        for k in range(n):
            age = rng.randint(25, 40) if k == 0 else rng.randint(20, 40)
            area = self._area(age)
            if k == 0:
                self.head_area = area
            self.add(sex, age, HEAD if k == 0 else OTHER, area)


_COMPOUND_SURNAMES = ("欧阳", "上官", "司马")


def _surname_len(name: str) -> int:
    return 2 if name[:2] in _COMPOUND_SURNAMES else 1


# --- shops ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopKind:
    industry: str  # GB/T 4754-2017 小类
    weight: float
    nouns: tuple[str, ...]
    company_share: float  # share registered as companies (91) instead of 个体工商户 (92)
    food_licence: int  # 0 none, 1 食品销售, 2 餐饮服务 (JY licence number)


#: Street shops typical of 福明街道, with their GB/T 4754-2017 classes (checked against
#: data/standards/gbt4754_2017_classes.csv by the tests).
SHOP_KINDS: tuple[ShopKind, ...] = (
    ShopKind("6210", 8, ("饭店", "酒家", "海鲜排档", "土菜馆", "小炒馆", "宁波菜馆"), 0.25, 2),
    ShopKind("6220", 5, ("快餐店", "中式快餐", "盖浇饭", "便当店"), 0.1, 2),
    ShopKind(
        "6291",
        12,
        (
            "面馆",
            "馄饨店",
            "宁波汤圆店",
            "年糕店",
            "小笼包",
            "煎饺馆",
            "拉面馆",
            "麻辣烫",
            "早餐店",
        ),
        0.03,
        2,
    ),
    ShopKind("6232", 2, ("咖啡", "咖啡馆"), 0.4, 2),
    ShopKind("6239", 3, ("奶茶店", "茶饮", "甜品店"), 0.3, 2),
    ShopKind("5213", 8, ("便利店", "便利超市"), 0.15, 1),
    ShopKind("5212", 2.5, ("超市", "生活超市"), 0.4, 1),
    ShopKind("5223", 6, ("水果店", "鲜果行", "蔬菜店"), 0.02, 1),
    ShopKind("5224", 3, ("鲜肉店", "水产店", "海鲜行"), 0.02, 1),
    ShopKind("5222", 3, ("面包房", "糕点店", "糕团店"), 0.2, 1),
    ShopKind("5227", 6, ("烟酒店", "烟酒商行"), 0.03, 1),
    ShopKind("5226", 1.5, ("茶叶店", "茶庄"), 0.1, 1),
    ShopKind("5251", 4, ("大药房", "药店"), 0.6, 0),
    ShopKind("5252", 0.5, ("国药馆",), 0.5, 0),
    ShopKind("8040", 8, ("理发店", "美发", "美容院", "美甲店"), 0.1, 0),
    ShopKind("8030", 2, ("洗衣店", "干洗店"), 0.05, 0),
    ShopKind("8053", 2, ("推拿馆", "养生馆"), 0.2, 0),
    ShopKind("8052", 1, ("足浴店",), 0.2, 0),
    ShopKind("5236", 1.5, ("眼镜店",), 0.2, 0),
    ShopKind("5274", 2, ("手机店", "通讯店"), 0.1, 0),
    ShopKind("8122", 1, ("手机维修",), 0.0, 0),
    ShopKind("5281", 2, ("五金店", "五金商行"), 0.05, 0),
    ShopKind("5235", 1.5, ("日用杂品店", "杂货店"), 0.02, 0),
    ShopKind("5232", 3, ("服装店", "女装店", "童装店"), 0.05, 0),
    ShopKind("5234", 1, ("化妆品店",), 0.1, 0),
    ShopKind("5241", 1, ("文具店",), 0.05, 0),
    ShopKind("7030", 3, ("房产中介", "房产"), 0.9, 0),
    ShopKind("6020", 2, ("快递驿站",), 0.3, 0),
    ShopKind("8425", 1.5, ("诊所", "口腔门诊部"), 1.0, 0),
    ShopKind("8223", 1, ("宠物美容",), 0.2, 0),
    ShopKind("8222", 0.5, ("宠物医院",), 1.0, 0),
    ShopKind("8393", 1.5, ("艺术培训", "书画培训"), 1.0, 0),
    ShopKind("9042", 1, ("福利彩票站",), 0.0, 0),
    ShopKind("9041", 0.7, ("体育彩票站",), 0.0, 0),
    ShopKind("8060", 0.5, ("照相馆",), 0.1, 0),
    ShopKind("7293", 1, ("图文打印",), 0.2, 0),
    ShopKind("8114", 1, ("电动车维修",), 0.0, 0),
    ShopKind("5238", 1, ("电动车行",), 0.2, 0),
)
_SHOP_KINDS = Weighted([(k, k.weight) for k in SHOP_KINDS])

_PLACE_WORDS = "甬上 福明 东港 三江 明州 江东 新城 宁东 桑田 会展 东湖 甬江".split()
_LUCKY_WORDS = (
    "鑫鑫 顺发 聚福 佳佳 惠民 好邻居 百姓 金利 万家 和顺 兴旺 喜乐 一品 福满 同心 悦来 "
    "恒丰 康乐 四季 丰收 鸿运 家和 乐购 小雨 晨光 天天 邻里 安康"
).split()
_NICKNAME_CHARS = "英芬毛娣根宝珍强明红萍华龙娟"


@dataclass(slots=True)
class ShopSpec:
    name: str
    industry: str
    credit_code: str
    licence_no: str
    operator: str
    phone: str


class Shops:
    """Makes shops with unique names and unique, valid credit codes."""

    def __init__(self, population: Population, district_area: str = "330212"):
        self.pop = population
        self.area = district_area
        self.names: set[str] = set()
        self.credit_codes = population.credit_codes
        self.licences: set[str] = set()

    def credit_code(self, rng: random.Random, category: str) -> str:
        i, n = self.pop.share
        office = "2" if n == 1 else "23456789ABCDEFGH"[i]
        while True:
            if category == "91" and rng.random() < 0.3:  # older companies: numeric org codes
                v = rng.randrange(10**7, 10**8)
                body = f"{max(10**7, v - v % n + i)}"
            else:  # since 2015: "MA" + the issuing office's letter + serial
                body = "MA" + office + "".join(rng.choice(USCC_CHARS) for _ in range(5))
            value = make_credit_code(category, self.area, body)
            if value not in self.credit_codes:
                self.credit_codes.add(value)
                return value

    def _name(self, rng: random.Random, kind: ShopKind, operator: str) -> str:
        noun = rng.choice(kind.nouns)
        for attempt in range(30):
            r = rng.random()
            if r < 0.3:
                family = operator[: _surname_len(operator)]
                prefix = rng.choice(("老", "小")) + family
            elif r < 0.42:
                prefix = "阿" + rng.choice(_NICKNAME_CHARS)
            elif r < 0.62:
                prefix = rng.choice(_PLACE_WORDS)
            else:
                prefix = rng.choice(_LUCKY_WORDS)
            name = prefix + noun
            if attempt > 20:
                name += f"（{rng.choice('二三四五')}店）"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no free shop name")  # pragma: no cover

    def shop(self, rng: random.Random) -> ShopSpec:
        kind: ShopKind = _SHOP_KINDS.pick(rng)
        category = "91" if rng.random() < kind.company_share else "92"
        sex = "M" if rng.random() < 0.55 else "F"
        birth_year = rng.randint(1960, 2000)
        local = rng.random() < 0.5
        operator = person_name(rng, sex, birth_year, local)
        licence = ""
        if kind.food_licence:
            while not licence or licence in self.licences:
                licence = f"JY{kind.food_licence}{self.area}{rng.randrange(10**7):07d}"
            self.licences.add(licence)
        phone = self.pop.landline(rng) if rng.random() < 0.15 else self.pop.mobile(rng)
        return ShopSpec(
            name=self._name(rng, kind, operator),
            industry=kind.industry,
            credit_code=self.credit_code(rng, category),
            licence_no=licence,
            operator=operator,
            phone=phone,
        )


# --- compounds, property managers, roads ----------------------------------------------------

#: Roads of Eastern New Town and the older 福明 neighbourhoods (the house numbers on them in
#: the demo are invented). West: the older estates; east: the new town.
ROADS_WEST = (
    "福明路",
    "桑田路",
    "中山东路",
    "百丈东路",
    "王隘路",
    "江南路",
    "惊驾路",
    "彩虹北路",
    "兴宁路",
    "宁穿路",
)
ROADS_EAST = (
    "民安东路",
    "宁穿路",
    "海晏北路",
    "河清北路",
    "会展路",
    "宁东路",
    "和济街",
    "松下街",
    "昌乐路",
    "江澄北路",
    "中山东路",
    "惊驾路",
)

_COMPOUND_WORDS = (
    "锦绣 东湖 明辉 江澄 怡景 和美 嘉禾 香榭 翠柏 金桂 丽晶 碧水 春晖 惠风 雅居 盛世 天润 "
    "福泰 明珠 金色 东方 瑞祥 绿洲 景和 安居 兴旺 新星 晨曦 阳光 康乐 紫薇 世纪 泰和 御景 "
    "银湖 水岸 云庭 静安 丽景 宁馨 嘉和 海晏 文澜 泊澜 悦澜 宏润 荷风 柳岸 星湖 和煦"
).split()
_SUFFIX_OLD = ("新村", "小区", "苑", "小区", "家园")
_SUFFIX_NEW = ("花园", "家园", "苑", "名邸", "华府", "嘉园", "雅苑", "公寓")
_PM_WORDS = (
    "甬泰 明辉 嘉裕 恒润 安逸 鑫诚 锦和 同创 惠邻 泓邦 宁安 东升 瑞丰 华庭 众诚 城邦 "
    "德信 嘉宁 和家 新宇"
).split()


class Places:
    """Compound names and property managers, unique within one district."""

    def __init__(self):
        self.compounds: set[str] = set()

    def compound_name(self, rng: random.Random, old: bool) -> str:
        suffixes = _SUFFIX_OLD if old else _SUFFIX_NEW
        for attempt in range(200):
            name = rng.choice(_COMPOUND_WORDS) + rng.choice(suffixes)
            if attempt > 100:
                name = rng.choice(_COMPOUND_WORDS) + name
            if name not in self.compounds:
                self.compounds.add(name)
                return name
        raise RuntimeError("no free compound name")  # pragma: no cover

    @staticmethod
    def property_manager(rng: random.Random, community: str, old: bool) -> str:
        if old and rng.random() < 0.45:
            return f"{community.removesuffix('社区')}社区物业服务站"
        form = rng.choice(("物业服务有限公司", "物业管理有限公司"))
        return f"宁波{rng.choice(_PM_WORDS)}{form}"

    @staticmethod
    def road(rng: random.Random, west: bool) -> str:
        return rng.choice(ROADS_WEST if west else ROADS_EAST)
