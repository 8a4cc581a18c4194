"""Domain changes of the core app. Views, API, CLI and tasks call these; each runs in one
transaction and is audited through the change log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .audit import audit_context, log_change
from .protected import protected_names, reveal_value
from .scoping import ensure_in_scope


def reveal(obj, fields: list[str], user, *, reason: str = "") -> dict[str, str]:
    """Reveal protected fields of ``obj`` to ``user``: checks the permission and the scope,
    writes a 'reveal' entry to the change log (naming the fields, never the values) and returns
    the plain values."""
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
