"""The linkage's part of the demo: three departments' sheets of the demo street, written the
way those departments write them (``linkage.noise``: homophone names, IDs missing, mistyped or
15-digit, phones changed, addresses three ways, moves), loaded as sources and linked to the
registry; then a grid worker updates a few residents' phones, so the outboxes have changes.

ALL SHEETS ARE SYNTHETIC, made from the demo's synthetic residents and shops; the sources are
marked ``is_demo``. Sizes are capped (public security 2,000 rows, civil affairs' elderly 600,
the market regulator's 300) so that loading and linking takes seconds at full scale.

The market regulator's sheet holds the economy demo's enterprises (when it is loaded) as a
market regulator writes them — another legal form, a place qualifier, a credit code missing or
mistyped — and a few enterprises the street's register does not know; it is linked to the
economy's enterprises.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.db import transaction

from streetbrain.core.audit import audit_context
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.identifiers import credit_check_char
from streetbrain.core.models import OrgUnit, User
from streetbrain.core.protected import reveal_value
from streetbrain.linkage import actions
from streetbrain.linkage import normalise as nz
from streetbrain.linkage.models import Department, Source
from streetbrain.linkage.noise import Home, Noise, TruePerson, person_row, population
from streetbrain.registry.models import Resident

from .synth.people import Population

PUBLIC_SECURITY_ROWS = 2000
ELDERLY_ROWS = 600
ENTERPRISE_ROWS = 300

# A record a clerk must look at: no ID number, no phone, the name heard on the phone, moved.
HARD = Noise(homophone=0.7, id_missing=1, phone_missing=1, moved=0.6, birth_missing=0.2)
# Real ambiguity: a relative or namesake at one address. The row has a resident's house and
# date of birth, no ID number and no phone, and a given name one character away from the
# resident's (王建国 / 王建华): the resident written wrong, or a twin or cousin the registry does
# not hold — the data cannot say which, only a clerk who asks the family. Measured on the
# shipped model: about a quarter of such rows land in the review band (p ≈ 0.42), the rest
# (the changed name too far in pinyin) are new.
AMBIGUOUS = Noise(homophone=0, id_missing=1, phone_missing=1, moved=0, birth_missing=0)
AMBIGUOUS_SHARE = 0.05
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"


def _relative_name(name: str, rng: random.Random) -> str:
    """The name with one given-name character changed (the surname kept)."""
    if len(name) < 2:
        return name
    i = rng.randrange(1, len(name))
    return name[:i] + rng.choice([c for c in GIVEN_CHARS if c != name[i]]) + name[i + 1 :]


# Departments' sheets are noisier than the benchmark's: most rows with this noise, 4 % HARD,
# AMBIGUOUS_SHARE ambiguous; and they hold people the registry does not (1 in 13 rows).
NOISE = Noise(homophone=0.1, id_missing=0.3, id_typo=0.05, phone_changed=0.15, moved=0.1)
HARD_SHARE = 0.04


def sheet_row(p: TruePerson, rng: random.Random, homes: list[Home], phone) -> tuple[dict, str]:
    """One department row of person ``p`` with the demo's noise mix, and which noise it got
    (normal, hard, ambiguous). ``phone()`` draws a new phone number."""
    draw = rng.random()
    ambiguous = HARD_SHARE <= draw < HARD_SHARE + AMBIGUOUS_SHARE
    kind = HARD if draw < HARD_SHARE else AMBIGUOUS if ambiguous else NOISE
    rec = person_row(p, rng, kind, moved_to=rng.choice(homes), new_phone=phone())
    if ambiguous:
        rec["name"] = _relative_name(p.name, rng)
    return rec, "hard" if draw < HARD_SHARE else "ambiguous" if ambiguous else "normal"


# The people model the demo links with (Splink's settings with m and u), trained once on sheets
# of the demo's own synthetic people (``train_shipped_model``) and shipped: the demo only
# scores, it does not train. Regenerate after changing the engine's comparisons:
#   .venv/bin/python -c "from streetbrain.demo.linkage import write_shipped_model as w; w()"
MODEL_FILE = Path(__file__).resolve().parent / "data" / "linkage_people_model.json"
# The shipped model's prior, as ``engine.with_prior``'s share: not the sheets' true share of
# known people (0.9) but 9× lower. Splink multiplies the fields' evidence as if independent;
# a row with no ID number and no phone whose name, date of birth and house agree is scored
# sure (a relative shares the house and the surname), so at 0.9 nearly nothing is left to a
# clerk. Tuned with bench/bench_linkage_demo.py on the demo's sheets drawn with seeds 7 and 11
# (the demo draws 19), full scale, upper threshold 0.95: share 0.9 → 91.6 % of rows linked,
# precision 1.0000, 3 pairs to review; 0.1 → 91.2 %, 1.0000, 22; 0.05 → 90.1 %, 1.0000, 84;
# above 0.9 the first wrong auto-link appears.
SHIPPED_PRIOR_SHARE = 0.1

PS_HEADERS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "address": "居住地址",
}
ELDERLY_HEADERS = {
    "name": "老人姓名",
    "id_number": "身份证号码",
    "birth_date": "出生年月",
    "phone": "手机号",
    "address": "户籍地址",
}
ENTERPRISE_HEADERS = ["企业名称", "统一社会信用代码", "法定代表人", "经营场所", "联系电话"]


def is_loaded() -> bool:
    return Source.objects.filter(is_demo=True).exists()


def _home(resident, communities: dict[str, str]) -> Home | None:
    if resident.house_id is None:
        return None
    a = nz.address(actions.house_address(resident.house))
    if not (a.compound and a.building and a.room):
        return None
    return Home(
        communities.get(resident.org_unit.parent_id, ""),
        a.compound,
        int(a.building),
        int(a.unit or 1),
        a.room,
    )


def train_shipped_model(n_registry: int = 8000, n_sheet: int = 2000, seed: int = 19) -> dict:
    """Splink trained, without labels, on a registry of ``n_registry`` synthetic people (as the
    registry writes them) and a department's sheet of ``n_sheet`` (about 9 in 10 of them in
    the registry, with the demo's noise). Pure: no database."""
    from streetbrain.linkage import engine

    rng = random.Random(seed)
    extra = n_sheet // 13
    people, homes, pop = population(n_registry + extra, Population(dt.date(2026, 12, 1)), seed=seed)
    registry = [
        engine.normalised_record(
            i,
            {
                "name": p.name,
                "id_number": p.id_number,
                "phone": p.phone,
                "birth_date": p.birth_date,
                "sex": p.sex,
                "address": f"{p.home.compound}{p.home.building}幢{p.home.unit}单元{p.home.room}室",
            },
            engine.PEOPLE,
        )
        for i, p in enumerate(people[:n_registry])
    ]
    chosen = rng.sample(people[:n_registry], n_sheet - extra) + people[n_registry:]
    sheet = [
        engine.normalised_record(j, sheet_row(p, rng, homes, lambda: pop.mobile(rng))[0], "people")
        for j, p in enumerate(chosen)
    ]
    model = engine.train([registry, sheet], engine.PEOPLE, seed=seed)
    return model.linker.misc.save_model_to_json()


def write_shipped_model() -> Path:
    MODEL_FILE.parent.mkdir(exist_ok=True)
    MODEL_FILE.write_text(json.dumps(train_shipped_model(), ensure_ascii=False, indent=1) + "\n")
    return MODEL_FILE


def shipped_model() -> dict | None:
    return json.loads(MODEL_FILE.read_text()) if MODEL_FILE.exists() else None


def _enterprise_rows(street, rng: random.Random) -> list[list[str]]:
    """The market regulator's 市场主体名录: the economy's enterprises of the street (none when
    the economy demo is not loaded) written its way, and about 8 % it alone knows."""
    from streetbrain.economy.models import Enterprise

    enterprises = list(
        Enterprise.objects.filter(org_unit__path__startswith=street.path).order_by("pk")[
            :ENTERPRISE_ROWS
        ]
    )
    rows = []
    for e in enterprises:
        core = nz.enterprise_name(e.name)
        name = e.name
        if not core.branch:  # a branch is written as registered
            name = rng.choice(
                [
                    e.name,
                    core.core + "有限公司",
                    core.core + "有限责任公司",
                    "宁波" + core.core + "有限公司",
                    core.core + "（宁波）有限公司",
                ]
            )
        code = e.credit_code
        draw = rng.random()
        if draw < 0.12:
            code = ""
        elif draw < 0.15:  # one character mistyped
            i = rng.randrange(8, 17)
            code = code[:i] + rng.choice("0123456789".replace(code[i], "")) + code[i + 1 :]
        rows.append(
            [name, code, rng.choice(SURNAMES) + rng.choice(GIVEN), e.registered_address, ""]
        )
    for i in range(len(enterprises) // 12):
        body = f"9133020{rng.randrange(10**10):010d}"
        rows.append(
            [
                f"宁波{rng.choice(SURNAMES)}{rng.choice(GIVEN)}商贸有限公司",
                body + credit_check_char(body),
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                f"福明路{100 + i}号",
                "",
            ]
        )
    rng.shuffle(rows)
    return rows


SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]


def _xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class DemoSheet:
    """A department's people sheet as the demo writes it, with the truth kept: ``truth[i]`` is
    the resident row i was written from (None: a person the registry does not hold) and
    ``how[i]`` the noise it got (normal, hard, ambiguous)."""

    name: str
    department: str
    delivered_on: dt.date
    headers: dict[str, str]
    rows: list[list[str]]
    truth: list[int | None]
    how: list[str]
    people: list[tuple[Resident | None, TruePerson]]


def people_sheets(street, today: dt.date, rng: random.Random) -> list[DemoSheet]:
    """The public security's and civil affairs' sheets of ``street``'s residents (read and
    decrypted: only the few thousand the sheets hold), with their noise and their truth. The
    demo draws them with ``random.Random(19)``; ``bench/bench_linkage_demo.py`` draws others
    (other seeds) to tune and measure the shipped model against the truth."""
    communities = dict(OrgUnit.objects.filter(level="community").values_list("pk", "name"))
    all_pks = list(
        Resident.objects.filter(org_unit__path__startswith=street.path, house__isnull=False)
        .order_by("pk")
        .values_list("pk", "birth_date")
    )
    old_pks = [pk for pk, birth in all_pks if birth.year <= today.year - 60]
    picked = set(rng.sample([pk for pk, _b in all_pks], min(len(all_pks), PUBLIC_SECURITY_ROWS)))
    picked |= set(rng.sample(old_pks, min(len(old_pks), ELDERLY_ROWS)))
    residents = list(
        Resident.objects.filter(pk__in=sorted(picked))
        .select_related("house__building", "org_unit")
        .order_by("pk")
    )
    people: list[tuple[Resident, TruePerson]] = []
    for r in residents:
        home = _home(r, communities)
        if home is None:
            continue
        people.append(
            (
                r,
                TruePerson(
                    r.pk,
                    r.name,
                    r.sex,
                    r.birth_date,
                    reveal_value(r, "id_number"),
                    reveal_value(r, "phone"),
                    home,
                ),
            )
        )
    if not people:
        return []
    homes = [p.home for _r, p in people]
    # Departments' sheets are noisier than the benchmark's, and hold people the registry does
    # not (about 8 %): the review queue and the new records come from these.
    outsiders, _homes, _pop = population(max(20, len(people) // 10), Population(today), seed=23)
    for p in outsiders:
        p.home = rng.choice(homes)

    def phone() -> str:
        return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    ps_people = rng.sample(people, min(PUBLIC_SECURITY_ROWS, len(people) * 9 // 10))
    ps_people += [(None, p) for p in outsiders[: len(ps_people) // 12]]
    rng.shuffle(ps_people)
    elderly = [x for x in people if x[1].birth_date.year <= today.year - 60]
    el_people = rng.sample(elderly, min(ELDERLY_ROWS, len(elderly) * 9 // 10))
    old = [p for p in outsiders if p.birth_date.year <= today.year - 60]
    el_people += [(None, p) for p in old[: len(el_people) // 12]]
    rng.shuffle(el_people)
    sheets = [
        (
            "福明派出所实有人口",
            Department.PUBLIC_SECURITY,
            today - dt.timedelta(days=20),
            PS_HEADERS,
            ps_people,
        ),
        (
            "福明街道高龄老人名册",
            Department.CIVIL_AFFAIRS,
            today - dt.timedelta(days=12),
            ELDERLY_HEADERS,
            el_people,
        ),
    ]
    out = []
    for name, department, delivered, headers, chosen in sheets:
        rows, truth, hows = [], [], []
        for r, p in chosen:
            rec, how = sheet_row(p, rng, homes, phone)
            rows.append([rec[f] for f in headers])
            truth.append(r.pk if r else None)
            hows.append(how)
        out.append(DemoSheet(name, department, delivered, headers, rows, truth, hows, chosen))
    return out


def load(ctx, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("linkage: demo sources already loaded")
        return
    street = OrgUnit.objects.filter(level="street", geometry__isnull=False).order_by("pk").first()
    if street is None or not Resident.objects.exists():
        ctx.say("linkage: no street or no residents (load the registry demo first): skipped")
        return
    start = time.perf_counter()
    today = today or dt.date.today()
    rng = random.Random(19)
    sheets = people_sheets(street, today, rng)

    def phone() -> str:
        return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    clerk = User.objects.filter(username="linkage").first()
    model = shipped_model()
    with transaction.atomic(), audit_context(source="cli", reason="demo load"):
        for sheet in sheets:
            name, headers = sheet.name, sheet.headers
            data = _xlsx(list(headers.values()), sheet.rows)
            source = actions.load_source(
                data,
                name=name,
                department=sheet.department,
                delivered_on=sheet.delivered_on,
                org_unit=street,
                file_name=f"{name}.xlsx",
                is_demo=True,
                model=model,
                prior_share=SHIPPED_PRIOR_SHARE,
            )
            ctx.say(
                f"linkage: {name}: {source.rows} rows, {source.linked} linked, "
                f"{source.review} to review, {source.new} new"
            )
        rows = _enterprise_rows(street, rng)
        if rows:
            source = actions.load_source(
                _xlsx(ENTERPRISE_HEADERS, rows),
                name="福明市场监管所市场主体名录",
                department=Department.MARKET_REGULATOR,
                delivered_on=today - dt.timedelta(days=5),
                org_unit=street,
                file_name="市场主体名录.xlsx",
                is_demo=True,
            )
            ctx.say(
                f"linkage: {source.name}: {source.rows} rows, {source.linked} linked, "
                f"{source.review} to review, {source.new} new"
            )
        # A grid worker updates the phones of residents both departments hold: the change
        # reaches each department's outbox.
        held = [{pk for pk in sheet.truth if pk} for sheet in sheets] or [set()]
        held_by_both = set.intersection(*held)
        worker = User.objects.filter(username="gridworker").first() or clerk
        with audit_context(source="web", user=worker, reason="grid worker's visit"):
            for resident in Resident.objects.filter(pk__in=sorted(held_by_both)[:8]):
                resident.phone = phone()
                resident.save()
    ctx.say(f"linkage: demo sources loaded and linked ({time.perf_counter() - start:.1f} s)")


LOADER = DemoLoader("linkage", load, is_loaded, depends_on=("core", "registry"), order=60)
