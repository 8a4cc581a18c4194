"""Roles are permission sets (Django groups named by role code); scopes are org units.

The roles are declared by the apps (``Role`` in their ``extensions.py``: the core's
governance roles, the case engine's 受理员 … 处置人员, the building brain's 楼宇专员), and an
app adds its own permissions to a role declared elsewhere with a ``Grant`` (the registry's
lists for the street leader, say). They are synchronised into the database after every
migration, so a deployment always has them; admins may add further groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import extension_points as ep

# Seeing the org tree (块) and the departments (条): every role's first permissions.
VIEW_ORG = ("core.view_orgunit", "core.view_department")


@dataclass(frozen=True)
class RoleSet:
    """A role with every permission granted to it."""

    code: str
    label: object
    description: object
    permissions: tuple[str, ...]


def roles() -> dict[str, RoleSet]:
    """Every declared role with its own permissions and those granted to it, by code."""
    granted: dict[str, list[str]] = {}
    for grant in ep.items(ep.Grant):
        granted.setdefault(grant.role, []).extend(grant.permissions)
    out = {}
    for role in ep.items(ep.Role):
        permissions = dict.fromkeys((*role.permissions, *granted.pop(role.key, [])))
        out[role.key] = RoleSet(role.key, role.label, role.description, tuple(permissions))
    if granted:
        raise ep.ExtensionError(f"grants to roles nobody declares: {', '.join(sorted(granted))}")
    return out


def role_label(code: str) -> str:
    role = ep.registry.get(ep.Role, code)
    return str(role.label) if role else code


def sync_roles(stdout=None, *, strict: bool = True) -> None:
    """Create or update a group per role with exactly the declared permissions.

    After each app's migration some apps' permissions may not exist yet: ``strict=False``
    skips them, and the run after the last app sees them all."""
    from django.contrib.auth.models import Group, Permission

    # Every permission once (one query, not one per role and permission: ``migrate`` calls
    # this after each of its apps, 19 times, and the lookups one by one took 0.6 s a call).
    known: dict[tuple[str, str], int] = {}
    rows = Permission.objects.order_by("pk").values_list(
        "pk", "content_type__app_label", "codename"
    )
    for pk, app_label, codename in rows:
        known.setdefault((app_label, codename), pk)  # the first, as ``.first()`` took it
    for role in roles().values():
        group, _created = Group.objects.get_or_create(name=role.code)
        wanted = []
        for name in role.permissions:
            app_label, codename = name.split(".")
            pk = known.get((app_label, codename))
            if pk is None:
                if not strict:
                    continue
                raise LookupError(f"role {role.code}: unknown permission {name}")
            wanted.append(pk)
        if set(group.permissions.values_list("pk", flat=True)) != set(wanted):
            group.permissions.set(wanted)
        if stdout is not None:
            stdout.write(f"role {role.code}: {len(wanted)} permissions")
