"""Domain changes of the core app. Views, API, CLI and tasks call these; each runs in one
transaction and is audited through the change log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_context, log_change
from .models import ApiToken
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


def create_api_token(user, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user``, named for what will use it. Returns the token and its
    key: the only time the key exists in clear (only its digest is stored). Audited (the
    change log's "create", also on the user's log)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    if not user.is_active:
        raise PermissionDenied(_("An inactive account cannot have API tokens."))
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:10], digest=ApiToken.digest_of(key)
        )
    return token, key


def revoke_api_token(token: ApiToken, user) -> None:
    """Revoke ``token`` (its owner, a superuser, or ``user=None``: the system, i.e. the
    command line): it stops working at once and leaves the list. Audited (the change log's
    "delete", with the token's name and prefix)."""
    if user is not None and token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        token.delete()
