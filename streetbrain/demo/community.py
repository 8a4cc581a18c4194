"""The community platform's part of the demo district: 江城社区's 城市综合服务体 with its 8
bookable spaces and a year of bookings (and the next two weeks'), the demo account
``resident`` (a verified 江城 resident, logging in on the residents' site with the phone
13900001111 or as ``resident``), more verified residents and a few claims waiting in the
verification queue. The community staff's account ``community`` is the core's (accounts.py).

ALL BOOKINGS AND ACCOUNTS ARE SYNTHETIC: every row is marked ``data_source="demo"``. Spaces and
accounts are saved one by one (audited); the bookings are written with ``bulk_create`` and not
logged one by one, like the economy's tax rows. Random but reproducible (seeded)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from streetbrain.community import rules
from streetbrain.community.models import (
    Activity,
    Booking,
    Consultation,
    ConsultationOption,
    Notice,
    PointEntry,
    Proposal,
    ResidentAccount,
    Service,
    Signup,
    Space,
    Vote,
)
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import OrgUnit, User
from streetbrain.core.worktime import SHANGHAI
from streetbrain.registry.models import Building, Household, Resident, ResidentTag

from .context import default_scale

DEMO = "demo"
RESIDENT_PHONE = "13900001111"

SPACES = [
    # name, kind, capacity, who, days, opens, closes, weekly limit, where, booked share
    ("阅览室", "reading", 60, "residents", "daily", "08:30", "21:00", 3, "一楼东侧", 0.45),
    ("多功能活动室一", "activity", 30, "residents", "daily", "08:30", "21:00", 2, "二楼201", 0.35),
    ("多功能活动室二", "activity", 30, "residents", "daily", "08:30", "21:00", 2, "二楼202", 0.3),
    ("书画室", "activity", 16, "residents", "daily", "09:00", "17:00", 2, "二楼205", 0.3),
    ("长者活动室", "activity", 24, "elderly", "daily", "08:30", "17:00", 3, "一楼西侧", 0.4),
    ("篮球场", "sports", 20, "residents", "daily", "07:00", "21:00", 2, "室外东侧", 0.5),
    ("羽毛球场", "sports", 8, "residents", "daily", "07:00", "21:00", 2, "三楼体育馆", 0.55),
    ("小剧场", "theatre", 180, "staff", "working", "09:00", "17:00", 1, "一楼剧场", 0.08),
]


def _jiangcheng() -> OrgUnit | None:
    return OrgUnit.objects.filter(level=OrgUnit.Level.COMMUNITY, name="江城社区").first()


def is_loaded() -> bool:
    return Space.objects.filter(data_source=DEMO).exists()


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _account(user, resident, community, *, state, now, phone) -> ResidentAccount:
    account = ResidentAccount(
        user=user,
        community=community,
        org_unit_id=resident.org_unit_id,
        resident=resident,
        household_id=resident.household_id,
        house_id=resident.house_id,
        state=state,
        method="details",
        claimed_at=now,
        data_source=DEMO,
    )
    account.phone = phone
    if state == ResidentAccount.State.VERIFIED:
        account.decided_at = now
    account.save()
    return account


def load_accounts(ctx, community, rng) -> tuple[ResidentAccount | None, list[int]]:
    residents = list(
        Resident.objects.filter(
            org_unit__path__startswith=community.path,
            household__isnull=False,
            house__isnull=False,
            relation="head",
        ).order_by("pk")[:60]
    )
    if not residents:
        return None, []
    now = timezone.now()
    staff = User.objects.filter(username="community").first()
    adults = [r for r in residents if r.age >= 18]
    demo = adults[0] if adults else residents[0]
    user = User.objects.filter(username="resident").first()
    if user is None:
        user = User(username="resident", display_name=demo.name)
        user.set_password(ctx.password)
        user.save()
    main = _account(user, demo, community, state="verified", now=now, phone=RESIDENT_PHONE)
    main.decided_by = staff
    main.save()
    others = [r for r in residents if r.household_id != demo.household_id]
    for i, resident in enumerate(others[:24]):
        state = "pending" if i < 4 else "verified"
        other = User(username=f"demo-resident-{i:02d}", display_name=resident.name)
        other.set_unusable_password()
        other.save()
        _account(other, resident, community, state=state, now=now, phone=f"1390000{i:04d}")
    return main, [r.household_id for r in residents]


def load_spaces(community) -> list[Space]:
    grid = community.children.order_by("code").first()
    spaces = []
    for name, kind, cap, who, days, opens, closes, limit, where, _share in SPACES:
        spaces.append(
            Space.objects.create(
                name=name,
                kind=kind,
                capacity=cap,
                who=who,
                days=days,
                opens=_time(opens),
                closes=_time(closes),
                weekly_limit=limit,
                location=f"城市综合服务体{where}",
                org_unit=grid,
                data_source=DEMO,
            )
        )
    return spaces


def plan_bookings(spaces, households, elderly, keep_free, rng, days_back, today):
    """A year of slots booked at each space's share; past ones mostly checked in, some
    no-shows and cancellations; the weekly limit per household and space respected."""
    now = timezone.now()
    used: dict = {}
    rows = []
    shares = {s[0]: s[-1] for s in SPACES}
    for space in spaces:
        pool = elderly if space.who == "elderly" else households
        pool = [h for h in pool if h not in keep_free] or pool
        if not pool:
            continue
        for offset in range(-days_back, rules.BOOK_AHEAD_DAYS + 1):
            day = today + dt.timedelta(days=offset)
            for start, end in rules.slots(space, day):
                share = shares.get(space.name, 0.3) * (0.5 if start > now else 1.0)
                if rng.random() >= share:
                    continue
                household = None if space.who == "staff" else rng.choice(pool)
                week = rules.week_of(start)[0]
                key = (household, space.pk, week)
                if household is not None and used.get(key, 0) >= space.weekly_limit:
                    continue
                used[key] = used.get(key, 0) + 1
                if start > now:
                    state, checked = "booked", None
                else:
                    roll = rng.random()
                    state = (
                        "checked_in" if roll < 0.88 else ("no_show" if roll < 0.95 else "cancelled")
                    )
                    checked = (
                        start + dt.timedelta(minutes=rng.randint(-10, 12))
                        if state == "checked_in"
                        else None
                    )
                rows.append(
                    Booking(
                        space=space,
                        org_unit_id=space.org_unit_id,
                        start=start,
                        end=end,
                        household_id=household,
                        people=rng.randint(1, min(6, space.capacity)),
                        state=state,
                        checked_in_at=checked,
                        data_source=DEMO,
                        purpose="社区活动" if household is None else "",
                    )
                )
    return rows


ACTIVITIES = [
    # title, kind, place, capacity, points, volunteer hours
    ("邻里读书会", "culture", "阅览室", 30, 5, 0),
    ("和合文化讲堂", "culture", "小剧场", 120, 5, 0),
    ("书法兴趣班", "culture", "书画室", 16, 5, 0),
    ("周末亲子手工", "children", "多功能活动室一", 20, 5, 0),
    ("四点半课堂", "children", "多功能活动室二", 25, 3, 0),
    ("长者健康讲座", "elderly", "长者活动室", 24, 5, 0),
    ("老年智能手机课", "elderly", "长者活动室", 20, 5, 0),
    ("楼道清洁志愿行动", "volunteer", "各小区楼道", 15, 10, 2),
    ("独居老人探访", "volunteer", "社区服务站", 10, 15, 3),
    ("垃圾分类督导", "volunteer", "小区垃圾投放点", 12, 10, 2),
]
NOTICES = [
    ("城市综合服务体开放时间调整", "阅览室即日起每天开放至 21:00，法定节假日闭馆。"),
    ("邻里积分兑换说明", "参加社区活动和志愿服务可获得邻里积分，积分可在社区服务站兑换生活用品。"),
    ("楼道堆物清理通知", "请各位居民于本周末前清理楼道堆放物品，保持消防通道畅通。"),
    ("老年食堂试运营", "社区老年食堂本月起试运营，60 岁以上居民凭本人账号预约用餐。"),
    ("冬季用电安全提醒", "请勿在楼道内为电动自行车充电，注意取暖设备用电安全。"),
]


def load_neighbourhood(ctx, community, households, main, rng) -> str:
    """60 activities over the last ten months and the next month, their sign-ups (places,
    then waiting lists), attendance with its points and volunteer hours in the ledger, some
    points spent, and the community's notices."""
    grid = community.children.order_by("code").first()
    now = timezone.now()
    activities = []
    for i in range(60):
        title, kind, place, cap, points, hours = ACTIVITIES[i % len(ACTIVITIES)]
        days = -300 + i * 5 + rng.randint(0, 3)
        day = (now + dt.timedelta(days=days)).astimezone(SHANGHAI).date()
        starts = dt.datetime.combine(day, dt.time(rng.choice([9, 14, 19])), tzinfo=SHANGHAI)
        activities.append(
            Activity(
                title=title,
                kind=kind,
                place=place,
                capacity=cap,
                points=points,
                volunteer_hours=hours,
                starts=starts,
                ends=starts + dt.timedelta(hours=2),
                description=f"{title}（演示数据）",
                org_unit=grid,
                data_source=DEMO,
            )
        )
    Activity.objects.bulk_create(activities)
    signups, entries = [], []
    pool = [h for h in households if not main or h != main.household_id]
    for activity in activities:
        wanted = min(len(pool), rng.randint(activity.capacity // 2, activity.capacity + 4))
        chosen = rng.sample(pool, wanted) if pool else []
        if main and activity.starts < now and rng.random() < 0.3:
            chosen = [main.household_id, *chosen[:-1]]
        for n, household in enumerate(chosen):
            state = "confirmed" if n < activity.capacity else "waiting"
            if activity.starts < now and state == "confirmed":
                state = "attended" if rng.random() < 0.85 else "absent"
            signups.append(
                Signup(
                    activity=activity,
                    household_id=household,
                    state=state,
                    org_unit_id=grid.pk,
                    data_source=DEMO,
                )
            )
            if state == "attended" and (activity.points or activity.volunteer_hours):
                entries.append(
                    PointEntry(
                        household_id=household,
                        activity=activity,
                        kind="volunteer" if activity.volunteer_hours else "activity",
                        points=activity.points,
                        hours=activity.volunteer_hours,
                        reason=f"{activity.title}（{activity.starts.astimezone(SHANGHAI):%Y-%m-%d}）",
                        org_unit_id=grid.pk,
                        data_source=DEMO,
                    )
                )
    Signup.objects.bulk_create(signups, batch_size=5000)
    earned: dict = {}
    for e in entries:
        earned[e.household_id] = earned.get(e.household_id, 0) + e.points
    for household, total in sorted(earned.items()):
        if total >= 30 and rng.random() < 0.4:
            entries.append(
                PointEntry(
                    household_id=household,
                    kind="spent",
                    points=-20,
                    reason="兑换生活用品（洗衣液）",
                    org_unit_id=grid.pk,
                    data_source=DEMO,
                )
            )
    PointEntry.objects.bulk_create(entries, batch_size=5000)
    for k, (title, body) in enumerate(NOTICES):
        Notice.objects.create(
            title=title,
            body=body,
            published=now - dt.timedelta(days=3 * k + 1),
            org_unit=grid,
            data_source=DEMO,
        )
    return f"{len(activities)} activities, {len(signups)} sign-ups, {len(entries)} points entries"


CONSULTATIONS = [
    # question, options, days open from/to today, outcome
    (
        "江城花苑是否增设电动自行车集中充电棚？",
        ["赞成，建在3幢东侧", "赞成，建在地下车库入口", "不赞成"],
        (-60, -30),
        "已于上月在3幢东侧建成充电棚，共 40 个充电口，楼道充电现象明显减少。",
    ),
    (
        "城市综合服务体阅览室周末是否延长开放到 21:00？",
        ["延长", "维持现状"],
        (-40, -10),
        "自本月起阅览室周末开放至 21:00。",
    ),
    ("社区是否开设“四点半课堂”寒假班？", ["开设", "不开设", "无所谓"], (-3, 11), ""),
]


def load_consultations(community, households, main, rng) -> int:
    grid = community.children.order_by("code").first()
    now = timezone.now()
    votes = []
    for question, options, (a, b), outcome in CONSULTATIONS:
        c = Consultation.objects.create(
            question=question,
            opens=now + dt.timedelta(days=a),
            closes=now + dt.timedelta(days=b),
            outcome=outcome,
            org_unit=grid,
            data_source=DEMO,
        )
        opts = [
            ConsultationOption.objects.create(consultation=c, text=text, position=i)
            for i, text in enumerate(options)
        ]
        weights = [0.6, 0.3, 0.1][: len(opts)]
        voters = [h for h in households if not main or h != main.household_id]
        for household in rng.sample(voters, min(len(voters), len(voters) * 2 // 3)):
            option = rng.choices(opts, weights=weights)[0]
            votes.append(
                Vote(
                    consultation=c,
                    option=option,
                    household_id=household,
                    org_unit_id=grid.pk,
                    data_source=DEMO,
                )
            )
    Vote.objects.bulk_create(votes, batch_size=5000)
    return len(votes)


SERVICES = [
    # name, category, min age, max age, tag code, working days, description, a request
    # becomes (community desk / a case of the street / a booking), the space booked
    ("老年助餐", "elderly", 60, None, "", 3, "社区老年食堂午餐，可预约送餐上门。", "community", ""),
    (
        "日间照料",
        "elderly",
        60,
        None,
        "",
        5,
        "城市综合服务体日间照料中心，白天托养。",
        "community",
        "",
    ),
    (
        "独居老人上门探访",
        "elderly",
        None,
        None,
        "elderly-alone",
        2,
        "网格员和志愿者定期上门。",
        "community",
        "",
    ),
    ("婴幼儿托育", "children", None, 3, "", 10, "3 岁以下婴幼儿托育服务。", "community", ""),
    ("四点半课堂", "children", 6, 12, "", 5, "放学后的作业辅导和兴趣活动。", "community", ""),
    ("居住证明开具", "certificates", 18, None, "", 3, "开具本社区居住证明。", "community", ""),
    (
        "家电维修便民服务",
        "convenience",
        None,
        None,
        "",
        5,
        "每月第一个周六在服务体门口。",
        "community",
        "",
    ),
    (
        "公共设施报修",
        "convenience",
        None,
        None,
        "",
        5,
        "楼道灯、路灯、井盖等公共设施损坏：转街道案件办理，可随时查看进度。",
        "case",
        "",
    ),
    (
        "长者健身指导",
        "elderly",
        60,
        None,
        "",
        1,
        "在长者活动室预约一小时健身指导。",
        "booking",
        "长者活动室",
    ),
]


def load_services(community, spaces) -> int:
    grid = community.children.order_by("code").first()
    tags = {t.code: t for t in ResidentTag.objects.all()}
    by_name = {s.name: s for s in spaces}
    for name, category, low, high, tag, days, text, handling, space in SERVICES:
        Service.objects.create(
            name=name,
            category=category,
            min_age=low,
            max_age=high,
            tag=tags.get(tag),
            time_limit_days=days,
            description=text,
            handling=handling,
            space=by_name.get(space),
            org_unit=grid,
            data_source=DEMO,
        )
    return len(SERVICES)


PROPOSALS = [
    # question, options, state, the staff's reason; an accepted one names the consultation
    # (of CONSULTATIONS) it became
    ("2幢北侧是否增设快递柜？", ["赞成", "不赞成"], "proposed", "", ""),
    (
        "篮球场夜间是否开放到 22:00？",
        ["开放到 22:00", "维持 21:00"],
        "declined",
        "篮球场灯光和噪声影响相邻住户，维持 21:00 关闭；周末白天可多预约。",
        "",
    ),
    (
        "社区是否开设“四点半课堂”寒假班？",
        ["开设", "不开设", "无所谓"],
        "accepted",
        "",
        "社区是否开设“四点半课堂”寒假班？",
    ),
]


def load_proposals(community, households, rng) -> int:
    grid = community.children.order_by("code").first()
    now = timezone.now()
    for i, (question, options, state, reason, became) in enumerate(PROPOSALS):
        Proposal.objects.create(
            household_id=rng.choice(households),
            question=question,
            options="\n".join(options),
            state=state,
            reason=reason,
            consultation=Consultation.objects.filter(question=became).first() if became else None,
            decided_at=None if state == "proposed" else now - dt.timedelta(days=4 + i),
            org_unit=grid,
            data_source=DEMO,
        )
    return len(PROPOSALS)


@transaction.atomic
def load(ctx) -> None:
    community = _jiangcheng()
    if community is None:
        ctx.say("community: no 江城社区 in the org tree (load the core demo first): skipped")
        return
    rng = random.Random(18)
    homes = Building.objects.filter(org_unit__path__startswith=community.path)
    if not homes.exists():
        ctx.say("community: 江城 has no residential building (load the registry demo first)")
    main, _heads = load_accounts(ctx, community, rng)
    spaces = load_spaces(community)
    households = list(
        Household.objects.filter(org_unit__path__startswith=community.path)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    limit = timezone.localdate().replace(year=timezone.localdate().year - rules.ELDERLY_AGE)
    elderly = sorted(
        set(
            Resident.objects.filter(
                org_unit__path__startswith=community.path,
                birth_date__lte=limit,
                household__isnull=False,
            ).values_list("household_id", flat=True)
        )
    )
    keep_free = {main.household_id} if main else set()
    days_back = max(30, round(365 * min(1.0, default_scale() * 10)))
    today = dt.datetime.now(SHANGHAI).date()
    rows = plan_bookings(spaces, households, elderly, keep_free, rng, days_back, today)
    Booking.objects.bulk_create(rows, batch_size=5000)
    neighbourhood = load_neighbourhood(ctx, community, households, main, rng)
    votes = load_consultations(community, households, main, rng)
    services = load_services(community, spaces)
    proposals = load_proposals(community, households, rng) if households else 0
    ctx.say(
        f"community: {len(spaces)} spaces, {len(rows)} bookings over {days_back} days, "
        f"{neighbourhood}, {len(CONSULTATIONS)} consultations with {votes} votes, "
        f"{services} services, {proposals} residents' proposals, "
        f"{ResidentAccount.objects.count()} residents' accounts (synthetic)"
    )


LOADER = DemoLoader("community", load, is_loaded, depends_on=("core", "registry"), order=60)
