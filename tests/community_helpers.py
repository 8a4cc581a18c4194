"""What the community platform's tests share: 江城 (the ``tree`` fixture's river community)
with two residential buildings, households and residents, and the 城市综合服务体's spaces."""

from __future__ import annotations

import datetime as dt

import pytest

from streetbrain.core.identifiers import id_check_char
from streetbrain.registry.models import Building, House, Household, Resident

from .conftest import PASSWORD


def id_number(birth: str, serial: str) -> str:
    first17 = f"330212{birth}{serial}"
    return first17 + id_check_char(first17)


def make_resident(name, house, household, birth="19800101", serial="123", relation="head"):
    r = Resident(
        name=name,
        residence="registered",
        household=household,
        house=house,
        org_unit=house.org_unit,
        relation=relation,
    )
    r.set_id_number(id_number(birth, serial))
    r.phone = "13900000000"
    r.save()
    return r


def make_home(grid, code, name, number="1-101"):
    building = Building.objects.filter(code=code).first() or Building.objects.create(
        code=code,
        name=name,
        address=f"{name}路1号",
        kind="residential",
        compound="江城花园",
        org_unit=grid,
        lon=121.63,
        lat=29.865,
    )
    house = House.objects.create(
        building=building, number=number, floor=1, area_m2=88, use="owner", org_unit=grid
    )
    household = Household.objects.create(code=f"H{code[-8:]}-{number}", house=house, org_unit=grid)
    return house, household


@pytest.fixture(name="jiangcheng")
def jiangcheng_fixture(tree, departments, make_user, settings):
    """江城: two households (张伟 born 1980, 李秀兰 born 1950 in another), an east household
    (out of the community), a community staff account, a grid worker of 江城 and the spaces."""
    from streetbrain.community.models import Space

    settings.COMMUNITY_SITE_UNIT = "江城社区"
    grid = tree["river_grid"]
    house, household = make_home(grid, "33021201400201001", "江城1幢")
    house2, household2 = make_home(grid, "33021201400201001", "江城1幢", number="1-102")
    zhang = make_resident("张伟", house, household, "19800101", "123")
    li = make_resident("李秀兰", house2, household2, "19500505", "246")
    ehouse, ehh = make_home(tree["east_grid"], "33021201400101001", "东城1幢")
    east = make_resident("王芳", ehouse, ehh, "19900202", "357")
    staff = make_user("jc-staff", role="community", unit=tree["river"])
    grid_worker = make_user("jc-grid", role="gridworker", unit=grid)
    spaces = {}
    for name, kind, cap, who, days in (
        ("阅览室", "reading", 40, "residents", "daily"),
        ("活动室一", "activity", 20, "residents", "daily"),
        ("长者活动室", "activity", 20, "elderly", "daily"),
        ("剧场", "theatre", 200, "staff", "working"),
    ):
        spaces[name] = Space.objects.create(
            name=name,
            kind=kind,
            capacity=cap,
            who=who,
            days=days,
            org_unit=grid,
            opens=dt.time(8, 0),
            closes=dt.time(21, 0),
            weekly_limit=2,
        )
    return {
        **tree,
        "house": house,
        "household": household,
        "house2": house2,
        "household2": household2,
        "zhang": zhang,
        "li": li,
        "staff": staff,
        "grid_worker": grid_worker,
        "spaces": spaces,
        "east_resident": east,
    }


def verified_account(world, resident, phone):
    """A resident's account signed up, claimed by details and confirmed by the staff."""
    from streetbrain.community import actions

    result = actions.send_code(phone)
    account = actions.sign_up(phone, result.shown_code, PASSWORD, world["river"])
    house = resident.house
    actions.claim_by_details(account, resident.name, resident_id_tail(resident), house)
    actions.decide(account, world["staff"], approve=True)
    account.refresh_from_db()
    user = account.user
    user.__class__.objects.get(pk=user.pk)
    return account


def resident_id_tail(resident) -> str:
    from streetbrain.core.protected import reveal_value

    return reveal_value(resident, "id_number")[-6:]


def next_slot(space, *, days_ahead=1, hour=9):
    from streetbrain.community import rules
    from streetbrain.core.worktime import SHANGHAI

    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days_ahead)
    while not rules.slots(space, day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def bulk_verified_accounts(world, n: int):
    """``n`` verified accounts of ``n`` new households in 江城 (written directly: the tests of
    concurrency need many households, not the sign-up)."""
    from django.contrib.auth import get_user_model

    from streetbrain.community.models import ResidentAccount

    grid = world["river_grid"]
    user_model = get_user_model()
    accounts = []
    for i in range(n):
        house, household = make_home(grid, "33021201400201009", "江城9幢", number=f"9-{i:04d}")
        user = user_model(username=f"bulk-resident-{i}", display_name=f"居民{i}")
        user.set_unusable_password()
        user.save()
        account = ResidentAccount(
            user=user,
            community=world["river"],
            org_unit=grid,
            household=household,
            house=house,
            state="verified",
            method="details",
        )
        account.phone = f"1360000{i:04d}"
        account.save()
        accounts.append(account)
    return accounts
