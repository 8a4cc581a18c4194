"""The core's search providers: org units and departments."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Department, OrgUnit
from .search import SearchProvider, register

register(
    SearchProvider(
        "orgunits",
        OrgUnit,
        _("Org units"),
        ("name",),
        exact=lambda q: Q(code=q) if q.isdigit() else None,
        describe=lambda u: f"{u.get_level_display()} · {u.code}",
        order=10,
    )
)
register(
    SearchProvider(
        "departments",
        Department,
        _("Departments"),
        ("name",),
        describe=lambda d: d.get_kind_display(),
        order=90,
    )
)
