"""Domain changes of the core app. Views, API, CLI and tasks call these; each runs in one
transaction and is audited through the change log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import figures
from .models import KeyFigure, OrgUnit


def refresh_key_figures() -> int:
    """Recompute every registered key figure for every org unit (street and below, and the
    units above it); returns the number of figures written."""
    units = list(OrgUnit.objects.all())
    now = timezone.now()
    rows = []
    for figure in figures.FIGURES.values():
        values = figure.compute(units)
        rows.extend(
            KeyFigure(org_unit_id=unit_id, key=figure.key, value=value, computed_at=now)
            for unit_id, value in values.items()
        )
    with transaction.atomic():
        KeyFigure.objects.all().delete()
        KeyFigure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def key_figures_for(unit: OrgUnit, user=None) -> list[dict]:
    """The figures of one unit in display order, with their labels, and links to the lists
    behind them where ``user`` may open those lists."""
    stored = {kf.key: kf for kf in KeyFigure.objects.filter(org_unit=unit)}
    out = []
    for figure in sorted(figures.FIGURES.values(), key=lambda f: f.order):
        if unit.level not in figure.levels:
            continue
        kf = stored.get(figure.key)
        out.append(
            {
                "key": figure.key,
                "label": figure.label,
                "unit": figure.unit,
                "value": kf.value if kf else None,
                "computed_at": kf.computed_at if kf else None,
                "link": figure.link
                if figure.link
                and (
                    user is None
                    or not figure.link_permission
                    or user.has_perm(figure.link_permission)
                )
                else "",
            }
        )
    return out


def reveal(obj, fields: list[str], user, *, reason: str = "") -> dict[str, str]:
    """Reveal protected fields of ``obj`` to ``user``: checks the permission and the scope,
    writes a 'reveal' entry to the change log (naming the fields, never the values) and returns
    the plain values."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .audit import audit_context, log_change
    from .protected import protected_names, reveal_value
    from .scoping import ensure_in_scope

    model = type(obj)
    permission = getattr(model, "reveal_permission", "")
    if not permission or not user.has_perm(permission):
        raise PermissionDenied(_("You may not see protected personal data."))
    ensure_in_scope(obj, user, "view")
    allowed = set(protected_names(model))
    unknown = [f for f in fields if f not in allowed]
    if unknown or not fields:
        raise ValueError(f"not protected fields of {model.__name__}: {unknown or fields}")
    values = {f: reveal_value(obj, f) for f in fields}
    with audit_context(**({"reason": reason} if reason else {})):
        log_change(obj, "reveal", prechange=None, postchange=None, changed_fields=list(fields))
    return values
