"""The core's part of the demo district of 福明街道: its org tree (illustrative outlines,
``synth.district``), the departments and the demo accounts (``synth.accounts``)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from shapely.geometry import mapping

from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.geo import area_m2
from streetbrain.core.models import Department, OrgUnit, User

from .context import DemoContext
from .synth.accounts import ACCOUNTS, DEPARTMENTS, LOADER_ACCOUNTS
from .synth.district import build_demo_district


def _geometry(polygon) -> dict:
    geo = mapping(polygon)
    return {"type": geo["type"], "coordinates": _lists(geo["coordinates"])}


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def _unit(code, name, level, parent, *, polygon=None, legacy="", illustrative=False, order=0):
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit(code=code)
    unit.name, unit.level, unit.parent = name, level, parent
    unit.legacy_code, unit.illustrative, unit.sort_order = legacy, illustrative, order
    if polygon is not None:
        unit.geometry = _geometry(polygon)
        unit.centroid_lon = round(polygon.centroid.x, 7)
        unit.centroid_lat = round(polygon.centroid.y, 7)
        unit.area_m2 = round(area_m2(polygon), 1)
    unit.save()
    return unit


def load_org_tree(ctx: DemoContext) -> OrgUnit:
    district = build_demo_district()
    city = _unit("3302", "宁波市", OrgUnit.Level.CITY, None)
    yinzhou = _unit("330212", "鄞州区", OrgUnit.Level.DISTRICT, city)
    street = _unit(
        district.street.code,
        district.street.name,
        OrgUnit.Level.STREET,
        yinzhou,
        polygon=district.street.polygon,
        legacy="330204007",
        illustrative=True,
    )
    by_code = {}
    for i, c in enumerate(district.communities):
        by_code[c.code] = _unit(
            c.code,
            c.name,
            OrgUnit.Level.COMMUNITY,
            street,
            polygon=c.polygon,
            legacy=c.code_2016 or "",
            illustrative=True,
            order=i,
        )
    for i, g in enumerate(district.grids):
        _unit(
            g.code,
            g.name,
            OrgUnit.Level.GRID,
            by_code[g.community_code],
            polygon=g.polygon,
            illustrative=True,
            order=i,
        )
    ctx.say(
        f"org tree: 1 street, {len(district.communities)} communities, "
        f"{len(district.grids)} grid cells (illustrative outlines)"
    )
    return street


def load_departments(ctx: DemoContext, street: OrgUnit) -> None:
    for i, (code, name, kind, phone) in enumerate(DEPARTMENTS):
        dept = Department.objects.filter(code=code).first() or Department(code=code)
        dept.name, dept.kind, dept.phone, dept.org_unit, dept.sort_order = (
            name,
            kind,
            phone,
            street,
            i,
        )
        dept.save()
    # Each community's residents' committee takes community cases (社区).
    for i, community in enumerate(street.children.order_by("code")):
        code = f"sq-{community.code[-3:]}"
        dept = Department.objects.filter(code=code).first() or Department(code=code)
        dept.name, dept.kind = f"{community.name}居委会", Department.Kind.COMMUNITY
        dept.org_unit, dept.sort_order = community, 100 + i
        dept.save()
    ctx.say(f"departments: {Department.objects.count()}")


def _jiangcheng(street: OrgUnit) -> OrgUnit:
    """江城社区, the community the community-level accounts work in."""
    community = OrgUnit.objects.filter(parent=street, name="江城社区").first()
    return community or street.children.order_by("code").first()


def _first_grid(street: OrgUnit) -> OrgUnit:
    return _jiangcheng(street).children.order_by("code").first()


def _district(street: OrgUnit) -> OrgUnit:
    """鄞州区, the district above the street."""
    return street.parent


# Accounts scoped below (or above) the street; every other account works for the street.
SCOPES = {
    "gridworker": _first_grid,
    "community_leader": _jiangcheng,
    "community": _jiangcheng,
    "district": _district,
}


def load_accounts(ctx: DemoContext, street: OrgUnit) -> None:
    for username, full_name, role, dept_code in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(ctx.password)
        user.display_name = full_name
        user.org_unit = SCOPES[username](street) if username in SCOPES else street
        user.department = Department.objects.get(code=dept_code) if dept_code else None
        user.is_superuser = user.is_staff = role is None
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
    describe_accounts(ctx)
    ctx.say(f"accounts: {len(ACCOUNTS)}")


def describe_accounts(ctx: DemoContext) -> None:
    ctx.accounts = []
    for username, _name, role, _dept in ACCOUNTS:
        user = (
            User.objects.select_related("org_unit", "department").filter(username=username).first()
        )
        if user is None:
            continue
        scope = (user.org_unit.name if user.org_unit else "-") + (
            f" · {user.department.name}" if user.department else ""
        )
        ctx.accounts.append((username, role or "superuser", scope))
    for username, role in LOADER_ACCOUNTS:
        user = User.objects.select_related("org_unit").filter(username=username).first()
        if user is not None:
            ctx.accounts.append((username, role, user.org_unit.name if user.org_unit else "-"))


def is_loaded() -> bool:
    return (
        OrgUnit.objects.filter(level=OrgUnit.Level.STREET).exists()
        and User.objects.filter(username="leader").exists()
    )


@transaction.atomic
def load(ctx: DemoContext) -> None:
    street = load_org_tree(ctx)
    load_departments(ctx, street)
    load_accounts(ctx, street)


LOADER = DemoLoader("core", load, is_loaded, order=10)
