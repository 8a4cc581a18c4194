"""List columns and detail fields of the core object types."""

from django.utils.translation import gettext_lazy as _

from .generic import Column

ORG_UNIT_COLUMNS = [
    Column("code", order_by="code", link=True),
    Column("name", order_by="name", link=True),
    Column("level", order_by="level"),
    Column("parent.name", _("parent")),
    Column("legacy_code"),
    Column("area_km2", _("area (km²)")),
]

ORG_UNIT_FIELDS = [
    Column("code"),
    Column("name"),
    Column("level"),
    Column("parent"),
    Column("legacy_code"),
    Column("area_km2", _("area (km²)")),
    Column("illustrative"),
]

DEPARTMENT_COLUMNS = [
    Column("code", order_by="code", link=True),
    Column("name", order_by="name", link=True),
    Column("kind", order_by="kind"),
    Column("org_unit.name", _("org unit")),
    Column("phone"),
    Column("is_active"),
]

DEPARTMENT_FIELDS = [
    Column("code"),
    Column("name"),
    Column("kind"),
    Column("org_unit"),
    Column("phone"),
    Column("is_active"),
]

USER_COLUMNS = [
    Column("username", order_by="username", link=True),
    Column("display_name", order_by="display_name"),
    Column("roles_display", _("roles")),
    Column("org_unit.name", _("org unit")),
    Column("department.name", _("department")),
    Column("is_active"),
]

USER_FIELDS = [
    Column("username"),
    Column("display_name"),
    Column("roles_display", _("roles")),
    Column("org_unit"),
    Column("department"),
    Column("is_active"),
    Column("last_login"),
]
