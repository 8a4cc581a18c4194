"""Department sheets as departments really write them, with the truth kept: the benchmark and the
demo make their sheets here from the demo's people (``demo.synth.people``).

The noise is the one the street sees: homophone characters in names (王晓明 / 王小明), stray
spaces, ID numbers missing, mistyped or still in their 15-digit first-generation form, phones
changed or missing, the same house written three ways (5幢2单元502室, 5-2-502, 5号楼502, with
or without the community and the city), people who moved, namesakes and relatives at one address
(the population makes those by itself).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

# Same pinyin, different character: the spelling a clerk hears on the phone.
HOMOPHONES = {
    "晓": "小",
    "小": "晓",
    "明": "铭",
    "铭": "明",
    "伟": "玮",
    "丽": "莉",
    "莉": "丽",
    "华": "桦",
    "军": "君",
    "静": "婧",
    "杰": "洁",
    "芳": "方",
    "燕": "艳",
    "艳": "燕",
    "红": "虹",
    "英": "瑛",
    "平": "萍",
    "萍": "平",
    "建": "健",
    "文": "雯",
    "玲": "灵",
    "波": "博",
    "峰": "锋",
    "锋": "峰",
    "辉": "晖",
    "勇": "永",
    "娟": "鹃",
    "霞": "侠",
    "涛": "韬",
    "俊": "骏",
    "鹏": "朋",
    "婷": "亭",
    "佳": "嘉",
    "嘉": "佳",
    "欣": "馨",
    "怡": "仪",
    "宇": "雨",
    "浩": "昊",
    "昊": "浩",
    "梓": "子",
    "子": "梓",
    "慧": "惠",
    "惠": "慧",
    "秀": "绣",
    "玉": "钰",
    "国": "帼",
    "志": "智",
    "智": "志",
    "金": "今",
    "荣": "蓉",
}


@dataclass(slots=True)
class Home:
    community: str
    compound: str
    building: int
    unit: int
    room: str


@dataclass(slots=True)
class TruePerson:
    key: int
    name: str
    sex: str
    birth_date: datetime.date
    id_number: str
    phone: str
    home: Home


def address_text(home: Home, rng: random.Random) -> str:
    """One house, written the ways the sheets write it."""
    style = rng.random()
    if style < 0.3:
        return f"{home.community}{home.compound}{home.building}幢{home.unit}单元{home.room}室"
    if style < 0.5:
        return f"{home.compound}{home.building}-{home.unit}-{home.room}"
    if style < 0.65:
        return f"{home.compound}{home.building}号楼{home.room}"
    if style < 0.8:
        return (
            f"浙江省宁波市鄞州区福明街道{home.community}{home.compound}"
            f"{home.building}栋{home.unit}单元{home.room}"
        )
    return f"{home.compound}小区{home.building}幢{home.unit}单元{home.room}室"


def homophone(name: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(name) if i > 0 and c in HOMOPHONES]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def _mistype(digits: str, rng: random.Random) -> str:
    i = rng.randrange(len(digits) - 1)
    if rng.random() < 0.5:  # two neighbouring digits swapped
        if digits[i] != digits[i + 1]:
            return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    new = str((int(digits[i]) + rng.randrange(1, 10)) % 10)
    return digits[:i] + new + digits[i + 1 :]


def to_15(id18: str) -> str:
    """The first-generation form: no century, no check character."""
    return id18[:6] + id18[8:17]


@dataclass(frozen=True, slots=True)
class Noise:
    homophone: float = 0.06
    spaces: float = 0.03
    id_missing: float = 0.12
    id_typo: float = 0.03
    id_15: float = 0.05
    phone_changed: float = 0.12
    phone_missing: float = 0.12
    moved: float = 0.05
    birth_missing: float = 0.2


def person_row(
    p: TruePerson,
    rng: random.Random,
    noise: Noise,
    *,
    moved_to: Home | None = None,
    new_phone: str = "",
) -> dict[str, str]:
    """The fields of one department's record of ``p`` (field names as in ``engine``)."""
    name = p.name
    if rng.random() < noise.homophone:
        name = homophone(name, rng)
    if len(name) >= 2 and rng.random() < noise.spaces:
        name = name[:1] + " " + name[1:]
    ident = p.id_number
    r = rng.random()
    if r < noise.id_missing:
        ident = ""
    elif r < noise.id_missing + noise.id_typo:
        ident = _mistype(ident[:17], rng) + ident[17]
    elif r < noise.id_missing + noise.id_typo + noise.id_15 and p.birth_date.year < 2000:
        ident = to_15(ident)
    phone = p.phone
    r = rng.random()
    if r < noise.phone_missing:
        phone = ""
    elif r < noise.phone_missing + noise.phone_changed and new_phone:
        phone = new_phone
    home = moved_to if (moved_to is not None and rng.random() < noise.moved) else p.home
    birth = "" if rng.random() < noise.birth_missing else _date_text(p.birth_date, rng)
    return {
        "name": name,
        "id_number": ident.lower() if rng.random() < 0.2 else ident,
        "sex": {"M": "男", "F": "女"}[p.sex],
        "birth_date": birth,
        "phone": phone,
        "address": address_text(home, rng),
    }


def _date_text(day: datetime.date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.5:
        return day.isoformat()
    if style < 0.75:
        return f"{day.year}年{day.month}月{day.day}日"
    if style < 0.9:
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    return day.strftime("%Y%m%d")


# --- a population of true people in houses -----------------------------------------------------

COMMUNITIES = ("江城社区", "曙光社区", "福明家园社区", "新城社区", "东湖社区", "明东社区")
COMPOUND_WORDS = (
    "东方家园 曙光丽苑 福明花园 江南春 新城家园 明湖苑 东湖花园 天童嘉园 兴宁苑 锦绣江南 "
    "四季青苑 幸福家园 碧水湾 金色水岸 和美苑 南苑新村 朝晖小筑 阳光城 丽景华庭 宁波春天"
).split()


def population(n_people: int, pop, seed: int = 19):
    """``n_people`` true people in households in houses, from the demo's generator ``pop`` (a
    ``demo.synth.people.Population``: its names, ID numbers, phones and household shapes;
    namesakes and relatives come with it). The caller passes it: only the demo package and
    the benchmarks import the demo package."""
    rng = random.Random(seed)
    compounds = [
        (COMMUNITIES[i % len(COMMUNITIES)], f"{w}{'' if i < len(COMPOUND_WORDS) else i // 20}")
        for i, w in enumerate(COMPOUND_WORDS * max(1, n_people // 6000 + 1))
    ]
    people: list[TruePerson] = []
    homes: list[Home] = []
    while len(people) < n_people:
        community, compound = rng.choice(compounds)
        home = Home(
            community,
            compound,
            rng.randint(1, 40),
            rng.randint(1, 4),
            f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}",
        )
        homes.append(home)
        spec = pop.household(rng, rented=rng.random() < 0.25)
        for m in spec.members:
            if not m.phone and rng.random() < 0.5:
                m.phone = pop.mobile(rng)
            people.append(
                TruePerson(len(people), m.name, m.sex, m.birth_date, m.id_number, m.phone, home)
            )
    return people[:n_people], homes, pop
