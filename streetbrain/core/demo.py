"""The demo district of 福明街道: its org tree (illustrative outlines), departments and the demo
accounts. Every app may add a ``demo.py`` with ``load(ctx)``; the ``demo`` command runs them
in INSTALLED_APPS order. All names and numbers of people are synthetic."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from shapely.geometry import mapping

from .demo_geometry import build_demo_district
from .geo import area_m2
from .models import Department, OrgUnit, User

DEFAULT_PASSWORD = "streetbrain-demo"  # noqa: S105 - the documented demo password


@dataclass
class DemoContext:
    password: str = field(
        default_factory=lambda: os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    )
    log: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # user, role, scope

    def say(self, line: str) -> None:
        self.log.append(line)

    @property
    def password_hint(self) -> str:
        return "$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else DEFAULT_PASSWORD


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


DEPARTMENTS = [
    # code, name, kind, phone
    ("cg", "福明街道综合行政执法队（城管）", Department.Kind.URBAN_MANAGEMENT, "0574-8000 0001"),
    ("scjg", "鄞州区市场监管局福明市场监管所", Department.Kind.MARKET_REGULATION, "0574-8000 0002"),
    ("zj", "福明街道城建办（住建）", Department.Kind.HOUSING, "0574-8000 0003"),
    ("hb", "鄞州生态环境分局", Department.Kind.ENVIRONMENT, "0574-8000 0004"),
    ("xf", "福明消防救援站", Department.Kind.FIRE, "0574-8000 0005"),
    ("ga", "福明派出所", Department.Kind.PUBLIC_SECURITY, "0574-8000 0006"),
    ("jt", "鄞州区交通运输局东部新城中队", Department.Kind.TRANSPORT, "0574-8000 0007"),
    ("sw", "东部新城水务服务站", Department.Kind.UTILITIES, "0574-8000 0008"),
    ("gd", "国网宁波供电公司东部新城营业所", Department.Kind.UTILITIES, "0574-8000 0009"),
    ("wy", "福明街道物业管理办", Department.Kind.PROPERTY, "0574-8000 0010"),
    ("jfb", "福明街道经济发展办（楼宇办）", Department.Kind.ECONOMY, "0574-8000 0011"),
]


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


ACCOUNTS = [
    # username, full name (synthetic), role (None: superuser), department code
    ("admin", "系统管理员", None, None),
    ("leader", "王建国", "leader", None),
    ("acceptor", "李晓梅", "acceptor", None),
    ("shiftlead", "张伟", "shiftlead", None),
    ("dispatcher", "陈静", "dispatcher", None),
    ("gridworker", "刘洋", "gridworker", None),  # scoped to one grid cell
    ("handler", "赵磊", "handler", "cg"),  # 城管 handler: sees what is dispatched to 城管
    ("building", "孙丽", "building", None),
    # A leader of one community (江城社区): sees its figures, registers and cases only.
    ("community_leader", "周敏", "leader", None),
]

# Accounts scoped below the street; every other account works for the whole street.
SCOPES = {"gridworker": _first_grid, "community_leader": _jiangcheng}


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


def demo_modules():
    """(app label, demo module) of every StreetBrain app that has a ``demo.py``, in
    INSTALLED_APPS order (the order their data depends on). An app without one is skipped;
    a demo module that fails to import fails loudly."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("streetbrain."):
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        yield config.label, importlib.import_module(name)


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
