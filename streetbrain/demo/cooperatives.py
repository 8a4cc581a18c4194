"""The cooperatives' part of the demo district: 16 village shareholding cooperatives with
5 years of accounts, share classes and members, assets and 留用地 plots, graded by the
product's own grading (every colour: 3 red — one of them mid-exit —, yellow and green), the
colours of the three years before as their history, one officer's override, and a plan
(一社一策) each.

No public list of 福明's former villages was found, so the villages' names are made up and
every row is marked demo (the pages show "Synthetic"); the credit codes are synthetic with
valid check characters (N2: a village collective economic organisation, GB 32100). Some
members carry the ID number of a demo resident, so that ``actions.link_residents`` finds
them. The figures follow a profile per colour, and the colours come out of the grading, not
from the profile: ``tests/test_cooperatives_demo.py`` checks that every colour is there."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from streetbrain.cooperatives import actions, exit, grading
from streetbrain.cooperatives.models import (
    AnnualAccount,
    Asset,
    Colour,
    Cooperative,
    ExitProcess,
    Grade,
    Member,
    ShareClass,
)
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import digest, encrypt, mask_id_number
from streetbrain.registry.models import Resident

from .context import default_scale
from .synth.people import make_credit_code, make_id_number, person_name

DEMO = "demo"
YEARS = 5
# Made-up village names (示例): no public list of the street's former villages was found.
VILLAGES = [
    "东郊", "新桥", "沙堰", "后塘", "陈家", "张家", "王家", "联丰",
    "河头", "前洋", "戴家", "周宿", "桑家", "李家", "杨木", "朱家",
]  # fmt: skip
# The profile of each: 3 red, 6 yellow, 7 green (the grading decides the colour).
PROFILES = ["red"] * 3 + ["yellow"] * 6 + ["green"] * 7
SHARE_CLASSES = [("人口股", False), ("农龄股", False), ("集体股", True)]

PLAN_TEXT = {
    "red": ("终止退出：依法召开成员大会，清产核资，资产评估后向社员结算，办理注销。", [
        ("召开成员大会表决终止退出", "农经站"), ("委托评估机构资产评估", "街道财政办"),
        ("社员结算方案公示", "合作社董事会")]),
    "yellow": ("盘活留用地和闲置资产：推进留用地项目立项开发，闲置厂房招租。", [
        ("留用地项目立项", "农经站"), ("闲置厂房公开招租", "合作社董事会"),
        ("引入国资合作开发", "街道经发办")]),
    "green": ("稳健经营：对标政策与市场，规范分红，提升资产收益。", [
        ("年度审计与财务公开", "合作社监事会"), ("资产提质增效方案", "合作社董事会")]),
}  # fmt: skip


def is_loaded() -> bool:
    return Cooperative.objects.filter(data_source=DEMO).exists()


def _account(rng: random.Random, profile: str, year_index: int, base: float) -> dict:
    """One year's figures for a profile: income trend, debt, dividend, disputes, survey."""
    growth = {"red": -0.12, "yellow": -0.01, "green": 0.06}[profile] + rng.uniform(-0.02, 0.02)
    income = base * (1 + growth) ** year_index
    debt = {"red": 0.72, "yellow": 0.42, "green": 0.22}[profile] + rng.uniform(-0.05, 0.05)
    total_assets = base * rng.uniform(4.0, 6.0)
    dividend = {"red": 0, "yellow": rng.uniform(150, 350), "green": rng.uniform(550, 900)}[profile]
    disputes = {"red": rng.randint(5, 8), "yellow": rng.randint(1, 3), "green": rng.randint(0, 1)}
    survey = {
        "red": rng.uniform(20, 35),
        "yellow": rng.uniform(50, 70),
        "green": rng.uniform(78, 92),
    }
    q = lambda x: Decimal(str(round(x, 2)))  # noqa: E731
    return {
        "income": q(income),
        "net_income": q(income * rng.uniform(0.25, 0.45) * (-0.3 if profile == "red" else 1)),
        "distribution_per_share": q(dividend),
        "total_assets": q(total_assets),
        "liabilities": q(total_assets * debt),
        "disputes": disputes[profile],
        "survey_continue_pct": q(survey[profile]) if year_index >= YEARS - 2 else None,
    }


def _assets(rng: random.Random, profile: str, coop: Cooperative) -> list[Asset]:
    A, D = Asset.Kind, Asset.Development
    idle = {"red": 0.7, "yellow": 0.35, "green": 0.0}[profile]
    out = [
        Asset(cooperative=coop, kind=A.BUILDING, name=f"{coop.former_village}标准厂房{i + 1}号",
              area_m2=Decimal(rng.randint(800, 6000)), book_value=Decimal(rng.randint(200, 2000)),
              in_use=rng.random() >= idle)
        for i in range(rng.randint(2, 4))
    ] + [
        Asset(cooperative=coop, kind=A.FINANCIAL, name="银行定期存款",
              book_value=Decimal(rng.randint(100, 3000)))
    ]  # fmt: skip
    plots = {"red": [], "yellow": [D.PLANNING, D.APPROVED], "green": [D.OPERATING]}[profile]
    for i, status in enumerate(plots):
        out.append(
            Asset(
                cooperative=coop,
                kind=A.RESERVED_LAND,
                name=f"{coop.former_village}留用地{i + 1}号地块",
                area_m2=Decimal(rng.randint(5000, 30000)),
                book_value=Decimal(rng.randint(500, 5000)),
                in_use=status == D.OPERATING,
                development=status,
            )
        )
    return out


def load(ctx, scale: float | None = None, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("cooperatives: demo data already loaded")
        return
    scale = default_scale() if scale is None else scale
    today = today or timezone.localdate()
    rng = random.Random(17)
    communities = list(OrgUnit.objects.filter(level=OrgUnit.Level.COMMUNITY).order_by("code"))
    if not communities:
        ctx.say("cooperatives: no communities; skipped")
        return
    # Demo residents whose ID numbers some members carry (linked afterwards by digest).
    residents = list(
        Resident.objects.filter(data_source=DEMO)
        .order_by("pk")
        .values_list("id_number_cipher", "id_number_digest", "id_number_masked", "name")[:64]
    )
    members_per = max(8, round(300 * scale))
    last_year = today.year - 1
    with transaction.atomic():
        coops = []
        for i, village in enumerate(VILLAGES):
            coops.append(
                Cooperative.objects.create(
                    org_unit=communities[i % len(communities)],
                    name=f"福明街道{village}股份经济合作社",
                    credit_code=make_credit_code("N2", "330212", f"{7300 + i:08d}"),
                    former_village=f"{village}村",
                    chair=person_name(rng, "M", 1965, local=True),
                    founded_on=dt.date(2005 + i % 6, 6, 30),
                    data_source=DEMO,
                )
            )
        # Interleave the profiles over the communities (not all reds in the first three).
        order = list(range(16))
        rng.shuffle(order)
        profiles = {coops[j].pk: PROFILES[k] for k, j in enumerate(order)}
        accounts, assets, classes, members = [], [], [], []
        serial = 0
        for c in coops:
            profile = profiles[c.pk]
            base = rng.uniform(300, 1500)
            for k in range(YEARS):
                accounts.append(AnnualAccount(cooperative=c, year=last_year - YEARS + 1 + k,
                                              **_account(rng, profile, k, base)))  # fmt: skip
            assets += _assets(rng, profile, c)
            classes += [
                ShareClass(cooperative=c, name=n, collective=col) for n, col in SHARE_CLASSES
            ]
        AnnualAccount.objects.bulk_create(accounts)
        Asset.objects.bulk_create(assets)
        ShareClass.objects.bulk_create(classes)
        by_coop = {}
        for sc in ShareClass.objects.filter(cooperative__in=coops, collective=False):
            by_coop.setdefault(sc.cooperative_id, []).append(sc)
        for n, c in enumerate(coops):
            for m in range(members_per):
                r = residents[(n * 4 + m)] if m < 4 and n * 4 + m < len(residents) else None
                if r is not None:
                    cipher, dig, masked, name = r
                else:
                    birth = dt.date(
                        1940 + rng.randint(0, 60), rng.randint(1, 12), rng.randint(1, 28)
                    )
                    sex = rng.choice("MF")
                    number = make_id_number("330212", birth, sex, serial % 500)
                    serial += 1
                    cipher, dig, masked = encrypt(number), digest(number), mask_id_number(number)
                    name = person_name(rng, sex, birth.year, local=True)
                members.append(
                    Member(cooperative=c, name=name, household_no=f"{m // 3 + 1:04d}",
                           id_number_cipher=cipher, id_number_digest=dig, id_number_masked=masked,
                           share_class=by_coop[c.pk][m % 2],
                           shares=Decimal(rng.choice([1, 1.5, 2, 2.5, 3])))
                )  # fmt: skip
        Member.objects.bulk_create(members)
        actions.link_residents()

        # The three years before as the colour's history, then the grade of today.
        rules, bands = actions.rules(), actions.bands()
        now = timezone.now()
        for c in coops:
            facts = actions.facts_of(c)
            for back in (3, 2, 1):
                past = grading.Facts(facts.years[: YEARS - back], facts.assets)
                result = grading.compute(past, rules, bands)
                Grade.objects.create(
                    cooperative=c, year=last_year - back, score=result.score,
                    computed_colour=result.colour, colour=result.colour,
                    indicators=result.indicators,
                    graded_at=now - dt.timedelta(days=365 * back),
                )  # fmt: skip
            actions.grade(c, None, now=now)
        for c in coops:
            c.refresh_from_db()
        reds = [c for c in coops if c.colour == Colour.RED]
        # One red mid-exit: the meeting resolved, the assets valued; settlement next.
        if reds:
            mid = reds[0]
            process = exit.open_exit(mid, None, note="三色评定为红色，启动终止退出。")
            due = members_per
            exit.perform(
                process,
                "resolve",
                None,
                resolved_on=today - dt.timedelta(days=60),
                members_due=due,
                votes_for=due - due // 5,
                evidence=f"{mid.former_village}股社〔{today.year}〕1号成员大会决议",
            )
            exit.perform(
                process,
                "value",
                None,
                valued_on=today - dt.timedelta(days=20),
                valuation=Decimal("1860.00"),
                evidence=f"甬评报字〔{today.year}〕第0317号",
            )
        # One officer's override: a green whose 留用地 stalls is kept yellow.
        greens = [c for c in coops if c.colour == Colour.GREEN]
        if greens:
            reason = "留用地项目审批停滞，按黄色管理跟进。"
            actions.override_colour(greens[-1], Colour.YELLOW, reason, None, now=now)
        for c in Cooperative.objects.filter(pk__in=[c.pk for c in coops]):
            text, measures = PLAN_TEXT[c.colour or "green"]
            dated = [
                (t, o, today + dt.timedelta(days=60 * (i + 1) - 150))
                for i, (t, o) in enumerate(measures)
            ]
            actions.record_plan(c, today.year, text, dated, None)
    counts = {k: Cooperative.objects.filter(data_source=DEMO, colour=k).count() for k in Colour}
    ctx.say(
        f"cooperatives: 16 with {len(accounts)} yearly accounts, {len(members)} members; "
        f"red {counts[Colour.RED]}, yellow {counts[Colour.YELLOW]}, green {counts[Colour.GREEN]}; "
        f"exits {ExitProcess.objects.count()}"
    )


LOADER = DemoLoader("cooperatives", load, is_loaded, depends_on=("core", "registry"), order=60)
