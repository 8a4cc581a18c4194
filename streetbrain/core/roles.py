"""Roles are permission sets (Django groups named by role code); scopes are org units.

The roles and their permissions are data declared here and synchronised into the database
after every migration, so a deployment always has them; admins may add further groups.
Later domains extend ``ROLES`` with their own permissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    description: str
    permissions: tuple[str, ...] = field(default_factory=tuple)


VIEW_ORG = ("core.view_orgunit", "core.view_department")
CODE_TABLES = (
    "registry.view_componentclass",
    "registry.view_industryclass",
    "registry.view_industrysection",
    "registry.view_division",
    "registry.view_residenttag",
    "registry.view_place",
)
THINGS = ("registry.view_building", "registry.view_facility", "registry.view_shop")
PEOPLE = ("registry.view_house", "registry.view_household", "registry.view_resident")


CASES_VIEW = ("cases.view_case", "cases.view_report", "cases.view_caseevent")


def _crud(*models: str) -> tuple[str, ...]:
    return tuple(f"registry.{a}_{m}" for m in models for a in ("view", "add", "change"))


# 楼宇大脑: everything of the building economy can be seen by its people and the leaders; the
# building specialists keep its data (space, enterprises, leases, tax, headcount) and handle
# the move-out warnings. The figures and the timelines are written by the system only.
ECONOMY_VIEW = tuple(
    f"economy.view_{m}"
    for m in (
        "industrychain",
        "officebuilding",
        "floor",
        "unit",
        "enterprise",
        "headcountrecord",
        "taxrecord",
        "lease",
        "enterpriseevent",
        "moveoutwarning",
        "warningevent",
        "monthlyfigure",
    )
)
ECONOMY_KEEP = tuple(
    f"economy.{a}_{m}"
    for m in (
        "officebuilding",
        "floor",
        "unit",
        "enterprise",
        "headcountrecord",
        "taxrecord",
        "lease",
    )
    for a in ("add", "change")
)


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role(
            "leader",
            _("Street leader"),
            _("Sees the whole street's figures, registers and cases."),
            (
                *VIEW_ORG,
                "core.view_user",
                "core.view_changelogentry",
                *CODE_TABLES,
                *THINGS,
                *PEOPLE,
                *CASES_VIEW,
                "cases.reopen_case",
                *ECONOMY_VIEW,
                "economy.assign_moveoutwarning",
            ),
        ),
        Role(
            "acceptor",
            _("Intake clerk"),
            _("Registers reports from calls and the 12345 hotline (受理员)."),
            (
                *VIEW_ORG,
                *CODE_TABLES,
                *THINGS,
                "registry.view_house",
                *CASES_VIEW,
                "cases.add_case",
                "cases.accept_case",
                "cases.view_timelimitstandard",
            ),
        ),
        Role(
            "shiftlead",
            _("Shift leader"),
            _("Registers (立案) and closes (结案) cases (值班长)."),
            (
                *VIEW_ORG,
                "core.view_user",
                *CODE_TABLES,
                *THINGS,
                *CASES_VIEW,
                "cases.add_case",
                "cases.accept_case",
                "cases.register_case",
                "cases.approve_case",
                "cases.reopen_case",
                "cases.view_timelimitstandard",
                "cases.view_routingrule",
            ),
        ),
        Role(
            "dispatcher",
            _("Dispatcher"),
            _("Dispatches cases to the responsible department (派遣员)."),
            (
                *VIEW_ORG,
                *CODE_TABLES,
                *THINGS,
                *CASES_VIEW,
                "cases.dispatch_case",
                "cases.view_routingrule",
            ),
        ),
        Role(
            "gridworker",
            _("Grid worker"),
            _("Reports and verifies on site in their grid (网格员)."),
            (
                *VIEW_ORG,
                *CODE_TABLES,
                *_crud("building", "house", "household", "resident", "facility", "shop"),
                "registry.reveal_personal_data",
                *CASES_VIEW,
                "cases.add_case",
                "cases.verify_case",
            ),
        ),
        Role(
            "handler",
            _("Department handler"),
            _("Handles the cases dispatched to their department (处置人员)."),
            (
                *VIEW_ORG,
                *CODE_TABLES,
                "registry.view_facility",
                "registry.view_shop",
                *CASES_VIEW,
                "cases.handle_case",
            ),
        ),
        Role(
            "building",
            _("Building specialist"),
            _("Looks after the office towers and their enterprises (楼宇专员)."),
            (
                *VIEW_ORG,
                "core.view_user",
                *CODE_TABLES,
                "registry.view_building",
                "registry.view_shop",
                *ECONOMY_VIEW,
                *ECONOMY_KEEP,
                "economy.add_moveoutwarning",
                "economy.change_moveoutwarning",
                "economy.assign_moveoutwarning",
            ),
        ),
        Role(
            "dataadmin",
            _("Data administrator"),
            _("Maintains org units, departments and users within their unit."),
            (
                *VIEW_ORG,
                "core.add_orgunit",
                "core.change_orgunit",
                "core.add_department",
                "core.change_department",
                "core.delete_department",
                "core.view_user",
                "core.add_user",
                "core.change_user",
                "core.view_changelogentry",
                *CODE_TABLES,
                *_crud("building", "house", "household", "resident", "facility", "shop"),
                *(
                    f"registry.delete_{m}"
                    for m in ("building", "house", "household", "resident", "facility", "shop")
                ),
                "registry.reveal_personal_data",
                *CASES_VIEW,
                *(
                    f"cases.{a}_{m}"
                    for m in ("timelimitstandard", "routingrule", "sensor", "serviceattribute")
                    for a in ("view", "add", "change", "delete")
                ),
                "cases.view_apikey",
            ),
        ),
    ]
}


def role_label(code: str) -> str:
    role = ROLES.get(code)
    return str(role.label) if role else code


def sync_roles(stdout=None, *, strict: bool = True) -> None:
    """Create or update a group per role with exactly the declared permissions.

    After each app's migration some apps' permissions may not exist yet: ``strict=False``
    skips them, and the run after the last app sees them all."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES.values():
        group, _created = Group.objects.get_or_create(name=role.code)
        wanted = []
        for name in role.permissions:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is None:
                if not strict:
                    continue
                raise LookupError(f"role {role.code}: unknown permission {name}")
            wanted.append(perm)
        if set(group.permissions.all()) != set(wanted):
            group.permissions.set(wanted)
        if stdout is not None:
            stdout.write(f"role {role.code}: {len(wanted)} permissions")


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    from .audit import audit_context

    with audit_context(source="system", reason="sync roles after migrate"):
        sync_roles(strict=False)
