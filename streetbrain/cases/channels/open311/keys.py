"""Open311 api_keys. A key is shown once, when it is made; the database keeps only its keyed
digest (HMAC-SHA256 with ``STREETBRAIN_DIGEST_KEY``, as for protected personal data) and its
first eight characters, so that staff can tell keys apart without being able to use them."""

from __future__ import annotations

import secrets
import threading
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from streetbrain.core.protected import digest

from ...models import ApiKey

PREFIX_LENGTH = 8
MIN_KEY_LENGTH = 16
MAX_KEY_LENGTH = 200


def create_api_key(name: str, key: str | None = None, user=None) -> tuple[ApiKey, str]:
    """A new key for the client ``name`` (acting as ``user`` if given): ``(ApiKey, plain)``.

    Without ``key`` a random one is made (43 URL-safe characters). A given ``key`` (the demo's
    ``streetbrain-demo-key``) must be 16 to 200 printable characters without spaces; if that
    key exists already, the existing row is returned unchanged, so loading the demo twice is
    harmless."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the client that will use the key.")})
    plain = secrets.token_urlsafe(32) if key is None else key
    if not (MIN_KEY_LENGTH <= len(plain) <= MAX_KEY_LENGTH) or not plain.isprintable():
        raise ValidationError(
            {"key": _("A key has 16 to 200 printable characters.")},
        )
    if any(c.isspace() for c in plain):
        raise ValidationError({"key": _("A key may not contain spaces.")})
    key_digest = digest(plain)
    existing = ApiKey.objects.filter(key_digest=key_digest).first()
    if existing is not None:
        return existing, plain
    try:
        with transaction.atomic():
            api_key = ApiKey.objects.create(
                name=name[:100], key_digest=key_digest, key_prefix=plain[:PREFIX_LENGTH], user=user
            )
    except IntegrityError:  # made by a concurrent call in the meantime
        return ApiKey.objects.get(key_digest=key_digest), plain
    return api_key, plain


# Checked keys, per process: digest → (ApiKey or None, when the entry expires). A change of a
# key in this process clears it at once (signals); one made elsewhere (another worker, the
# admin) reaches this process within CHECK_TTL seconds, which bounds how long a deactivated
# key keeps working.
CHECK_TTL = 30.0
_checked: dict[str, tuple[ApiKey | None, float]] = {}
_checked_lock = threading.Lock()


def check(plain: str | None) -> ApiKey | None:
    """The active key whose value is ``plain``, or None (missing, unknown or deactivated)."""
    if not plain or len(plain) > MAX_KEY_LENGTH:
        return None
    key_digest = digest(plain)
    now = time.monotonic()
    with _checked_lock:
        found = _checked.get(key_digest)
    if found is not None and found[1] > now:
        return found[0]
    api_key = (
        ApiKey.objects.select_related("user").filter(key_digest=key_digest, is_active=True).first()
    )
    with _checked_lock:
        if len(_checked) > 10_000:  # unknown keys tried in bulk must not grow it without end
            _checked.clear()
        _checked[key_digest] = (api_key, now + CHECK_TTL)
    return api_key


def forget(**kwargs) -> None:
    """Clear the checked keys (connected to ApiKey's save and delete)."""
    with _checked_lock:
        _checked.clear()
