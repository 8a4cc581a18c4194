"""The key projects' part of the demo (项目为王): the seed's ten projects of 2022 — 楼宇赋能提维,
产业栽桐引凤, 商圈共生共荣, 电商借船出海, 征迁拔钉清零, 轨道保驾护航, 社区提亮增色, 股改一社一策,
四季党建, 数字福明 2.0 — replayed in the demo's current year so that they meet the economy's and
the cases' demo data; the street's five indicators over the last 24 complete months; the
campaign's 5 plots with about 300 households and its 20 hard cases totalling 85,000 m² in every
stage; metro line 7's 4 sites with the demo's cases around them, their issues and meetings.

The seed's own figures are the targets where it gives one (去化 80,000 m², a 百亿 shopping
district, 16 cooperatives, 20 hard cases and 85,000 m²); every other target, all progress,
every household, person and figure is SYNTHETIC and marked ``data_source="demo"`` (the pages
show "Synthetic"). The whole part is a few hundred rows written with ``bulk_create`` (well
under a second); it does not scale with ``DEMO_SCALE``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import Department, OrgUnit, User
from streetbrain.core.months import add_months, last_complete_month
from streetbrain.projects import actions
from streetbrain.projects.models import (
    STAGE_ORDER,
    FollowUp,
    HardCase,
    HardCaseStep,
    Household,
    HouseholdEvent,
    IndicatorActual,
    IndicatorReport,
    IndicatorTarget,
    Meeting,
    Milestone,
    Plot,
    Project,
    ProjectIndicator,
    Site,
    SiteIssue,
    Stage,
    StreetIndicator,
    TaskForceMember,
)

from .context import DemoContext

DEMO = "demo"
SEED = 2022

# code, name, kind, unit, 2-year-ago base year's yearly figure (amounts) or growth %, growth
STREET_INDICATORS = [
    ("gdp_growth", "GDP增速", StreetIndicator.Kind.RATE, "%", 6.5, 0.0),
    ("industry_va", "规上工业增加值", StreetIndicator.Kind.AMOUNT, "亿元", 38.0, 0.07),
    ("retail_sales", "限上批零销售额", StreetIndicator.Kind.AMOUNT, "亿元", 410.0, 0.09),
    ("fixed_investment", "固定资产投资", StreetIndicator.Kind.AMOUNT, "亿元", 52.0, 0.05),
    ("tax", "税收收入", StreetIndicator.Kind.AMOUNT, "亿元", 31.0, 0.06),
]
# The share of a year's total reached by each month end (statistics seasonality, synthetic).
SEASON = [0.06, 0.12, 0.2, 0.28, 0.36, 0.45, 0.53, 0.61, 0.7, 0.79, 0.89, 1.0]

# (code, name, kind, office code, description)
PROJECTS = [
    ("lyfn", "楼宇赋能提维", Project.Kind.ECONOMY, "jfb", "楼宇提质、亿元楼宇培育（一楼一长）"),
    ("zty", "产业栽桐引凤", Project.Kind.ECONOMY, "jfb", "招商白名单，一楼一链 · 一楼一品"),
    ("sq", "商圈共生共荣", Project.Kind.ECONOMY, "jfb", "阪急、文化广场、宏泰广场商圈；首店经济"),
    ("dsc", "电商借船出海", Project.Kind.ECONOMY, "jfb", "会展中心9号馆跨境电商园区"),
    ("bd", "征迁拔钉清零", Project.Kind.DEMOLITION, "zj", "最后5个地块、20个疑难杂症清零"),
    (
        "gd7",
        "轨道保驾护航",
        Project.Kind.INFRASTRUCTURE,
        "jt",
        "轨道交通7号线站点建设，领导包案、专班推进",
    ),
    ("sqtl", "社区提亮增色", Project.Kind.COMMUNITY, "", "江城社区未来社区样板"),
    ("gg", "股改一社一策", Project.Kind.REFORM, "", "16个股份经济合作社红黄绿三色管理"),
    ("djsj", "四季党建", Project.Kind.PARTY, "", "工程项目四季党建、楼宇党建"),
    ("szfm", "数字福明 2.0", Project.Kind.DIGITAL, "", "一图通览、一表通查、一键通达、一网通管"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = "建国秀英桂芳志强海燕国庆立新红梅文华小平永明玉兰德福金凤伟民丽华春生"
LEADERS = [("xm_lead1", "钱振华"), ("xm_lead2", "沈海波"), ("xm_lead3", "方明远")]


def is_loaded() -> bool:
    return Project.objects.filter(data_source=DEMO).exists()


def _person(rng: random.Random) -> str:
    i = rng.randrange(0, len(GIVEN) // 2) * 2
    return rng.choice(SURNAMES) + GIVEN[i : i + 2]


def _street() -> OrgUnit | None:
    root = settings.STREETBRAIN.get("ROOT_UNIT_CODE")
    return (
        OrgUnit.objects.filter(level=OrgUnit.Level.STREET, code=root).first()
        or OrgUnit.objects.filter(level=OrgUnit.Level.STREET).order_by("code").first()
    )


def _user(username: str, name: str, street: OrgUnit, role: str, password: str | None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, org_unit=street)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        group = Group.objects.filter(name=role).first()
        if group:
            user.groups.add(group)
    return user


def _tax_target(street: OrgUnit, year: int) -> float:
    """Last year's street tax in the economy's demo (its December year to date, 万元) raised
    by 8 %, so the computed indicator meets a target of its own magnitude; 150,000 万元 when
    the economy has no figures for last year."""
    from streetbrain.economy.models import MonthlyFigure

    row = (
        MonthlyFigure.objects.filter(scope="street", key=street.code, month__year=year - 1)
        .order_by("-month")
        .values_list("tax_total_ytd", flat=True)
        .first()
    )
    return round(float(row) * 1.08 / 10_000) if row else 150000


def _square(lon: float, lat: float, half_m: float) -> dict:
    dlat = half_m / 111_320.0
    dlon = half_m / (111_320.0 * math.cos(math.radians(lat)))
    ring = [
        [round(lon - dlon, 6), round(lat - dlat, 6)],
        [round(lon + dlon, 6), round(lat - dlat, 6)],
        [round(lon + dlon, 6), round(lat + dlat, 6)],
        [round(lon - dlon, 6), round(lat + dlat, 6)],
        [round(lon - dlon, 6), round(lat - dlat, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _day(year: int, day_of_year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=day_of_year)


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load(ctx: DemoContext, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("projects: demo data already loaded")
        return
    street = _street()
    if street is None:
        ctx.say("projects: no street (load the core demo first): skipped")
        return
    today = today or timezone.localdate()
    with transaction.atomic():
        _load(ctx, street, today)


def _load(ctx: DemoContext, street: OrgUnit, today: dt.date) -> None:
    rng = random.Random(SEED)
    year = today.year
    depts = {d.code: d for d in Department.objects.all()}
    office = _user("projects", "吴婷", street, "projects", ctx.password)
    leader = _user("leader", "王建国", street, "leader", ctx.password)
    leaders = [leader] + [_user(u, n, street, "leader", None) for u, n in LEADERS]
    staff = [
        u
        for u in User.objects.filter(
            username__in=["building", "dispatcher", "handler", "acceptor"]
        ).order_by("username")
    ]

    # -- the five street indicators, 24 months ----------------------------------------------
    last = last_complete_month(today)
    months = [add_months(last, -i) for i in range(23, -1, -1)]
    indicators = {}
    for order, (code, name, kind, unit, *_figures) in enumerate(STREET_INDICATORS):
        indicators[code] = StreetIndicator.objects.create(
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            org_unit=street,
            order=order,
            data_source=DEMO,
        )
    actuals, targets = [], []
    for code, _label, kind, _unit, base, growth in STREET_INDICATORS:
        ind = indicators[code]
        for y in sorted({m.year for m in months} | {year}):
            k = y - (year - 2)
            yearly = base * (1 + growth) ** k
            if kind == StreetIndicator.Kind.RATE:
                target = Decimal("6.5")
                raised = Decimal("7.0") if y == year else None
            else:
                target = Decimal(str(round(yearly * 1.04, 2)))
                raised = Decimal(str(round(yearly * 1.08, 2))) if y == year else None
            targets.append(
                IndicatorTarget(
                    indicator=ind, year=y, target=target, raised_target=raised, data_source=DEMO
                )
            )
            for m in [m for m in months if m.year == y]:
                noise = 1 + rng.uniform(-0.03, 0.03)
                if kind == StreetIndicator.Kind.RATE:
                    value = round(6.0 + 0.8 * math.sin(m.month / 2) + rng.uniform(-0.3, 0.3), 2)
                else:
                    value = round(yearly * SEASON[m.month - 1] * noise, 2)
                actuals.append(
                    IndicatorActual(
                        indicator=ind, month=m, value=Decimal(str(value)), data_source=DEMO
                    )
                )
    IndicatorTarget.objects.bulk_create(targets)
    IndicatorActual.objects.bulk_create(actuals)

    # -- the ten projects -------------------------------------------------------------------
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    projects = {}
    for i, (code, name, kind, office_code, description) in enumerate(PROJECTS):
        projects[code] = Project(
            code=f"{year}-{code}",
            name=name,
            kind=kind,
            year=year,
            description=description,
            org_unit=street,
            leader=leaders[i % len(leaders)] if code != "bd" else leader,
            office=depts.get(office_code),
            start_date=start,
            end_date=end,
            data_source=DEMO,
        )
    Project.objects.bulk_create(projects.values())
    members = []
    for p in projects.values():
        members.append(
            TaskForceMember(project=p, user=office, role="项目办联络员", data_source=DEMO)
        )
        for j, u in enumerate(staff[: 2 + rng.randrange(2)]):
            members.append(
                TaskForceMember(
                    project=p,
                    user=u,
                    department=u.department or p.office,
                    role=("专班成员", "牵头科室")[j % 2],
                    data_source=DEMO,
                )
            )
    TaskForceMember.objects.bulk_create(members)

    elapsed = (today - start).days
    milestones = []
    # Per project: (name, planned day of the year, reached days after plan or None = not yet)
    plans = {
        "lyfn": [("亿元楼宇培育名单", 60, 5), ("楼宇专员全覆盖", 150, 10), ("年度考核", 340, None)],
        "zty": [("招商白名单发布", 45, 0), ("一楼一链图谱", 120, 20), ("链主企业落地", 240, 15)],
        "sq": [("首店引进计划", 80, 3), ("百亿商圈评估", 330, None)],
        "dsc": [("园区运营方签约", 90, 15), ("省级园区申报", 200, None)],
        "bd": [
            ("五个地块入户调查完成", 60, 8),
            ("签约率达到80%", 180, 40),
            ("全部交地", 350, None),
        ],
        "gd7": [("站点交地", 100, 0), ("管线迁改完成", 210, 12), ("围挡优化", 280, 20)],
        "sqtl": [("场景方案评审", 90, 0), ("未来邻里上线", 230, 0), ("城市综合服务体", 355, None)],
        "gg": [("一社一策方案", 120, 30), ("红色社退出", 270, None)],
        "djsj": [("春季", 80, 0), ("夏季", 170, 0), ("秋季", 260, 0), ("冬季", 350, None)],
        "szfm": [("一图通览", 100, 0), ("一表通查", 200, 25), ("一键通达", 300, 30)],
    }
    for code, items in plans.items():
        for name, day, late in items:
            planned = _day(year, day)
            done = None
            if late is not None and day + late <= elapsed:
                done = _day(year, day + late)
            milestones.append(
                Milestone(
                    project=projects[code],
                    name=name,
                    planned_on=planned,
                    done_on=done,
                    evidence="会议纪要（示例）" if done else "",
                    data_source=DEMO,
                )
            )
    Milestone.objects.bulk_create(milestones)

    # -- indicators: computed where the platform knows the number, else entered ---------------
    def ind(code, name, unit, target, *, measure="", feeds=None, params=None):
        return ProjectIndicator(
            project=projects[code],
            name=name,
            unit=unit,
            target=Decimal(str(target)),
            source="computed" if measure else "entered",
            measure=measure,
            params=params or {},
            feeds=indicators.get(feeds) if feeds else None,
            data_source=DEMO,
        )

    project_indicators = [
        ind(
            "lyfn",
            "街道楼宇税收",
            "万元",
            _tax_target(street, year),
            measure="economy.tax",
            feeds="tax",
        ),
        ind("zty", "去化", "m²", 80000, measure="economy.absorption_m2"),
        ind("sq", "限上批零销售额", "亿元", 100, feeds="retail_sales"),
        ind("sq", "首店引进", "家", 20),
        ind("dsc", "入驻跨境电商企业", "家", 50),
        ind("bd", "疑难杂症清零面积", "m²", 85000, measure="projects.hard_cases_cleared_m2"),
        ind("bd", "签约户数", "户", 300, measure="projects.signed"),
        ind(
            "bd",
            "拆除面积",
            "m²",
            36000,
            measure="projects.demolished_m2",
            feeds="fixed_investment",
        ),
        ind("gd7", "站点周边案件（只看不考核）", "件", 0, measure="cases.near_sites"),
        ind("gd7", "管线迁改", "处", 12),
        ind("sqtl", "未来社区场景上线", "个", 3),
        ind("gg", "完成一社一策", "个", 16),
        ind("djsj", "四季党建活动", "场", 4),
        ind("szfm", "上线模块", "个", 4),
        ind("lyfn", "规上工业增加值贡献", "亿元", 2, feeds="industry_va"),
    ]
    ProjectIndicator.objects.bulk_create(project_indicators)
    # Monthly reports of the entered ones: each month's share, approved by the office; the
    # last month's waits. Some projects run behind (their light says so).
    pace = {
        "sq": 0.85,
        "dsc": 0.55,
        "gd7": 1.05,
        "sqtl": 1.05,
        "gg": 0.7,
        "djsj": 1.1,
        "szfm": 1.0,
        "lyfn": 1.05,
    }
    waiting = {"sq", "gd7"}  # their last month's report waits for the office
    reports = []
    report_months = [m for m in months if m.year == year]
    for pi in project_indicators:
        if pi.source != "entered":
            continue
        code = pi.project.code.split("-", 1)[1]
        share = pace.get(code, 0.9)
        for m in report_months:
            amount = float(pi.target) * share / 12 * rng.uniform(0.85, 1.15)
            decided = m != report_months[-1] or code not in waiting
            reports.append(
                IndicatorReport(
                    indicator=pi,
                    month=m,
                    value=Decimal(str(round(amount, 2))),
                    note="月报（示例）",
                    state="approved" if decided else "submitted",
                    submitted_by=office,
                    decided_by=leader if decided else None,
                    decided_at=_aware(add_months(m, 1)) if decided else None,
                    data_source=DEMO,
                )
            )
    IndicatorReport.objects.bulk_create(reports)

    # -- 拔钉清零: 5 plots, ~300 households, 20 hard cases of 85,000 m² ---------------------------
    bd = projects["bd"]
    grids = list(
        OrgUnit.objects.filter(
            level=OrgUnit.Level.GRID, path__startswith=street.path, centroid_lon__isnull=False
        ).order_by("code")
    )
    picks = [grids[(i * 7 + 3) % len(grids)] for i in range(5)] if grids else []
    plot_names = ["董家跟地块", "王隘村地块", "史家码地块", "福明家园东地块", "新城村地块"]
    sizes = [72, 64, 58, 55, 51]
    plots = []
    for i, name in enumerate(plot_names):
        g = picks[i] if picks else None
        lon = g.centroid_lon if g else 121.62 + i * 0.004
        lat = g.centroid_lat if g else 29.87
        plots.append(
            Plot(
                project=bd,
                code=f"BD-{i + 1:02d}",
                name=name,
                geometry=_square(lon, lat, 90),
                centroid_lon=lon,
                centroid_lat=lat,
                planned_households=sizes[i],
                target_date=dt.date(year, 12, 20),
                data_source=DEMO,
            )
        )
    Plot.objects.bulk_create(plots)
    from streetbrain.registry.models import Resident

    households, events = [], []
    # The year's pace: most households signed and cleared by now, a tail still at survey or
    # valuation — the 钉子户 the campaign is about.
    weights = [0.04, 0.06, 0.12, 0.14, 0.34, 0.30]
    for i, plot in enumerate(plots):
        residents = (
            list(Resident.objects.filter(org_unit=picks[i]).order_by("pk")[: sizes[i] // 3])
            if picks
            else []
        )
        area_total = Decimal(0)
        for n in range(sizes[i]):
            stage = rng.choices(STAGE_ORDER, weights)[0]
            resident = residents[n] if n < len(residents) else None
            area = Decimal(str(round(rng.uniform(60, 180), 2)))
            area_total += area
            h = Household(
                plot=plot,
                number=f"{n + 1:03d}",
                owner_name=resident.name if resident else _person(rng),
                resident=resident,
                area_m2=area,
                legal=rng.random() > 0.15,
                option=rng.choice(["money", "swap"]) if STAGE_ORDER.index(stage) >= 2 else "",
                valuation=(area * Decimal(rng.randrange(18000, 26000))).quantize(Decimal("1"))
                if STAGE_ORDER.index(stage) >= 1
                else None,
                stage=stage,
                data_source=DEMO,
            )
            h.phone = f"13{rng.randrange(100000000, 999999999)}"
            # The stages' days, spread over the year up to today.
            day = rng.randrange(5, 40)
            steps = []
            for s in STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]:
                day = min(day + rng.randrange(10, 60), max(elapsed - 1, 1))
                steps.append((s, _day(year, day)))
            h.stage_on = steps[-1][1]
            households.append((h, steps))
        plot.planned_area_m2 = area_total
    Plot.objects.bulk_update(plots, ["planned_area_m2"])
    Household.objects.bulk_create([h for h, _s in households])
    for h, steps in households:
        before = ""
        for s, on in steps:
            events.append(
                HouseholdEvent(
                    household=h,
                    from_stage=before,
                    to_stage=s,
                    on=on,
                    evidence="入户调查表（示例）" if s == Stage.SURVEY else "协议/照片（示例）",
                    user=office,
                    at=_aware(on),
                )
            )
            before = s
    HouseholdEvent.objects.bulk_create(events)

    # 20 hard cases: areas summing to exactly 85,000 m², every stage present.
    raw = [rng.uniform(1500, 7500) for _ in range(20)]
    areas = [round(85000 * r / sum(raw)) for r in raw]
    areas[-1] += 85000 - sum(areas)
    case_stages = (
        [Stage.SURVEY] * 3
        + [Stage.VALUATION] * 4
        + [Stage.SIGNED] * 3
        + [Stage.VACATED] * 3
        + [Stage.DEMOLISHED] * 4
        + [Stage.HANDED_OVER] * 3
    )
    hard_cases, hc_steps = [], []
    titles = [
        "违建厂房",
        "祖屋分户争议",
        "商铺经营损失",
        "继承未析产",
        "租户安置",
        "面积认定分歧",
        "产权调换房源",
        "老人不愿搬",
        "补偿标准诉求",
        "企业停产停业损失",
    ]
    for i in range(20):
        plot = plots[i % 5]
        opened = _day(year, 10 + i * 3)
        limit = rng.choice([90, 150, 220, 240])
        hc = HardCase(
            plot=plot,
            title=f"{plot.name}·{titles[i % len(titles)]}{i + 1:02d}",
            area_m2=Decimal(areas[i]),
            leader=leaders[i % len(leaders)],
            plan="1. 包案领导约谈；2. 评估复核；3. 法律顾问释法；4. 多部门联合攻坚（示例）",
            stage=case_stages[i],
            opened_at=_aware(opened),
            limit_days=limit,
            deadline=actions.deadline_for(_aware(opened), limit),
            data_source=DEMO,
        )
        closed = case_stages[i] == Stage.HANDED_OVER
        hard_cases.append(hc)
        reached = STAGE_ORDER.index(case_stages[i])
        day = 10 + i * 3
        hc_steps.append(
            HardCaseStep(
                hard_case=hc,
                kind="step",
                on=opened,
                note="包案领导首次约谈（示例）",
                user=hc.leader,
                at=_aware(opened),
            )
        )
        for s in range(1, reached + 1):
            day = min(day + rng.randrange(15, 45), max(elapsed - 1, 1))
            on = _day(year, day)
            hc_steps.append(
                HardCaseStep(
                    hard_case=hc,
                    kind="stage",
                    on=on,
                    note="阶段推进（示例）",
                    user=hc.leader,
                    at=_aware(on),
                    data={"from": STAGE_ORDER[s - 1], "to": STAGE_ORDER[s]},
                )
            )
        if closed:
            hc.closed_at = _aware(_day(year, day))
    HardCase.objects.bulk_create(hard_cases)
    HardCaseStep.objects.bulk_create(hc_steps)
    escalated = actions.escalate_overdue(timezone.now())

    # -- 轨道保驾护航: 4 sites where the demo's cases are, their issues and meetings ------------
    gd7 = projects["gd7"]
    from streetbrain.cases.models import Case

    located = list(
        Case.objects.filter(lon__isnull=False, org_unit__path__startswith=street.path)
        .order_by("pk")
        .values_list("pk", "lon", "lat")[:4000]
    )
    station_names = ["福明路站", "江澄北路站", "宁穿路站", "会展中心站"]
    sites = []
    for i, name in enumerate(station_names):
        if located:
            _pk, lon, lat = located[(i * len(located)) // 4 + len(located) // 8]
        else:
            lon, lat = 121.60 + i * 0.01, 29.87
        sites.append(
            Site(
                project=gd7,
                name=name,
                kind="station" if i < 3 else "works",
                lon=lon,
                lat=lat,
                radius_m=300,
                data_source=DEMO,
            )
        )
    Site.objects.bulk_create(sites)
    from streetbrain.projects.measures import cases_near

    issues = 0
    taskforce = [depts[c] for c in ("jt", "cg", "sw", "zj") if c in depts]
    for i, site in enumerate(sites):
        for case, _j, _d in cases_near(None, [(site.lon, site.lat, site.radius_m)])[:3]:
            issue = SiteIssue.objects.create(
                site=site, case=case, leader=leaders[i % len(leaders)], data_source=DEMO
            )
            issue.departments.set(taskforce[: 2 + i % 2])
            issues += 1
    for k, (title, decisions) in enumerate(
        [
            ("7号线专班第一次例会", "1. 明确各站点包案领导；2. 夜间施工噪音投诉24小时内回应"),
            ("7号线专班第二次例会", "1. 管线迁改倒排工期；2. 占道围挡每周巡查"),
        ]
    ):
        held = _day(year, 60 + k * 120)
        meeting = Meeting.objects.create(
            project=gd7, held_on=held, title=title, decisions=decisions, data_source=DEMO
        )
        for j, u in enumerate([leaders[1], office]):
            due = held + dt.timedelta(days=14 + 7 * j)
            FollowUp.objects.create(
                meeting=meeting,
                item=("落实站点围挡优化", "汇总周边投诉并反馈")[j],
                owner=u,
                department=taskforce[j] if j < len(taskforce) else None,
                due_on=due,
                done_on=due - dt.timedelta(days=2) if due < today and (k + j) % 3 else None,
                data_source=DEMO,
            )

    log_bulk(list(projects.values()) + plots + hard_cases + sites, "create")
    ctx.say(
        f"projects: {len(projects)} projects, {len(indicators)} street indicators × "
        f"{len(months)} months, {len(plots)} plots, {len(households)} households, "
        f"{len(hard_cases)} hard cases ({sum(areas)} m², {escalated} escalated), "
        f"{len(sites)} metro sites with {issues} issues"
    )


LOADER = DemoLoader(
    "projects",
    load,
    is_loaded,
    depends_on=("core", "registry", "cases", "economy"),
    order=60,
)
