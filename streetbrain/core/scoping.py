"""One mechanism scopes every query to the user's org unit (块) and department (条).

A scoped model declares where its org unit's materialised path is (``scope_lookup``, e.g.
``"org_unit__path"``) and, for objects that are dispatched to departments, where the
department is (``scope_department_lookup``). ``Model.objects.restrict(user, action)`` then
returns only what that user may ``action`` ("view", "add", "change", "delete"): the
permission comes from the user's roles, the rows from their scope. Scopes inherit down the
tree: a street leader sees the street, a community its grids, a grid worker one grid.

Writes are checked the NetBox way: save inside a transaction, re-read the object through the
restricted queryset, and roll back if the user could not see it (``ensure_in_scope``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

ACTIONS = ("view", "add", "change", "delete")


def permission_name(model: type[models.Model], action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def ancestor_paths(path: str) -> list[str]:
    """'3302/330212/330212014/' -> ['3302/', '3302/330212/'] (strict ancestors)."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def scope_q(model: type[models.Model], user, action: str = "view") -> Q:
    """The row filter of ``user``'s scope for ``model`` (no permission check). Objects of
    ancestor units (``scope_include_ancestors``) are visible, never writable."""
    if user.is_superuser:
        return Q()
    department_lookup = getattr(model, "scope_department_lookup", None)
    if department_lookup and getattr(user, "department_id", None):
        # A department (条) sees what was dispatched to it, wherever it is.
        return Q(**{department_lookup: user.department_id})
    path_lookup = getattr(model, "scope_lookup", None)
    if path_lookup is None:
        return Q()  # reference data (code tables): not tied to an org unit
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return Q(pk__in=[])
    ancestors = action == "view" and getattr(model, "scope_include_ancestors", False)
    return _unit_q(path_lookup, unit, ancestors)


def _unit_q(path_lookup: str, unit, ancestors: bool) -> Q:
    """Rows whose org-unit path (at ``path_lookup``) lies in ``unit``'s subtree, and with
    ``ancestors`` at the units above it too."""
    q = Q(**{f"{path_lookup}__startswith": unit.path})
    if ancestors:
        q |= Q(**{f"{path_lookup}__in": ancestor_paths(unit.path)})
    return q


def scope_units(model: type[models.Model], user, limit: int) -> list[int] | None:
    """The ids of the org units whose rows make up ``user``'s view scope of ``model``, when
    that scope is "rows whose own ``org_unit`` is one of a few units": at most ``limit`` of
    them, the model's rows hanging on the unit directly (``scope_lookup`` ``org_unit__path``)
    or keeping a copy of the unit their scope reaches through another row (``scope_unit_copy``:
    a case's reports), and the user scoped by their unit, not their department. ``None``
    otherwise (a scope of more units, one reached through another row without the copy, a
    superuser's or a department's): read it as the one filter ``scope_q`` makes. A list read
    along ``(org_unit, id)`` one unit at a time (``core.api.pagination.ByUnit``) costs the
    scope's size, not the table's; the scope's filter still decides which rows are seen."""
    own_unit = getattr(model, "scope_lookup", None) == "org_unit__path" or getattr(
        model, "scope_unit_copy", False
    )
    if user.is_superuser or not own_unit:
        return None
    if getattr(model, "scope_department_lookup", None) and getattr(user, "department_id", None):
        return None
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return None
    # scope_q's rule for the view, on the units themselves
    wanted = _unit_q("path", unit, getattr(model, "scope_include_ancestors", False))
    units = type(unit)._default_manager  # OrgUnit's, without importing the models here
    ids = list(units.filter(wanted).values_list("pk", flat=True)[: limit + 1])
    return ids if len(ids) <= limit else None


def within(user, path: str) -> bool:
    """Whether the org-unit ``path`` lies in ``user``'s own subtree. The units above it are
    visible as context (names, outlines, breadcrumbs), but what was computed for them, the
    whole street's figures, is not the user's."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = getattr(user, "org_unit", None)
    return unit is not None and path.startswith(unit.path)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> ScopedQuerySet:
        """Rows of this queryset that ``user`` may ``action``; empty for anonymous users."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        return self.filter(scope_q(self.model, user, action))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def ensure_in_scope(obj: models.Model, user, action: str) -> None:
    """Raise PermissionDenied unless ``obj`` (already saved) is within ``user``'s scope for
    ``action``. Call inside the transaction that saved it so that the write rolls back."""
    model = type(obj)
    if not model._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(
            _("This change would put %(object)s outside your area of responsibility.")
            % {"object": obj}
        )


def scoped_save(obj: models.Model, user, *, action: str | None = None) -> models.Model:
    """Save ``obj`` and keep the change only if the result stays in ``user``'s scope."""
    action = action or ("add" if obj._state.adding else "change")
    with transaction.atomic():
        if not obj._state.adding:
            # The object as it is now must be in scope too: no editing your way into it.
            ensure_in_scope(type(obj)._default_manager.get(pk=obj.pk), user, action)
        obj.save()
        ensure_in_scope(obj, user, action)
    return obj


def scoped_delete(obj: models.Model, user) -> None:
    with transaction.atomic():
        ensure_in_scope(obj, user, "delete")
        obj.delete()


def resolve_path(obj: models.Model) -> str:
    """The org-unit path an object belongs to, following its model's ``scope_lookup``."""
    lookup = getattr(type(obj), "scope_lookup", None)
    if not lookup:
        return ""
    value = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)
