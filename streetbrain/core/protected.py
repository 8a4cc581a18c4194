"""Protected personal data (PIPL): ID numbers and phone numbers are encrypted at rest, found by
exact match through a keyed digest, shown masked, and revealed only to roles with the
permission, each reveal written to the change log.

A protected value ``x`` is stored in three columns that the model declares:
``x_cipher`` (Fernet: AES-128-CBC + HMAC, random IV), ``x_digest`` (HMAC-SHA256 of the
normalised value, for equality search and uniqueness) and ``x_masked`` (what everyone sees).
``protected_property`` gives the model an ``x`` attribute: assigning a plain value fills the
three columns; reading it gives the masked form; :func:`reveal` decrypts.

Keys come from the environment: ``STREETBRAIN_DATA_KEYS`` (comma-separated secrets; the first
encrypts, all decrypt, so keys can be rotated with ``streetbrain rotate_data_key``) and
``STREETBRAIN_DIGEST_KEY``. Any strong secret string works: it is stretched into a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MASK = "*"


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"streetbrain:{purpose}:{secret}".encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "STREETBRAIN_DATA_KEYS is not set: personal data cannot be encrypted. "
            "Set it to one or more long random secrets (see .env.example)."
        )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, "data"))) for k in keys])


def _data_keys() -> tuple[str, ...]:
    return tuple(settings.STREETBRAIN_DATA_KEYS)


def _digest_key() -> bytes:
    key = settings.STREETBRAIN_DIGEST_KEY
    if not key:
        raise ImproperlyConfigured(
            "STREETBRAIN_DIGEST_KEY is not set: protected values cannot be searched."
        )
    return _derive(key, "digest")


def encrypt(value: str) -> str:
    return _fernet(_data_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_data_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong or missing key must never pass silently
        raise ImproperlyConfigured("protected value cannot be decrypted with the keys set") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    return _fernet(_data_keys()).rotate(token.encode()).decode()


def digest(normalised: str) -> str:
    return hmac.new(_digest_key(), normalised.encode(), hashlib.sha256).hexdigest()


# --- normalisers and masks --------------------------------------------------------------------


def normalise_id_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


def mask_id_number(value: str) -> str:
    """330212********123X: the area of issue and the last four stay visible."""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Mobiles 138****1234; landlines keep their area code and last four (0574****4321)."""
    if len(value) <= 7:
        return value[:1] + MASK * max(len(value) - 1, 0)
    if value.startswith("0"):
        area = 3 if value[:2] in ("01", "02") else 4
        return value[:area] + MASK * max(len(value) - area - 4, 4) + value[-4:]
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def is_masked(value: str) -> bool:
    return MASK * 3 in (value or "")


class ProtectedProperty(property):
    """A property that knows it is protected (Django accepts properties as model kwargs)."""

    protected_name: str
    normalise: Callable[[str], str]


def protected_property(
    name: str, *, normalise: Callable[[str], str], mask: Callable[[str], str], label: str = ""
) -> ProtectedProperty:
    """A model attribute backed by ``name_cipher``, ``name_digest`` and ``name_masked``."""

    def fget(obj) -> str:
        return getattr(obj, f"{name}_masked")

    def fset(obj, value: str | None) -> None:
        value = normalise(value or "")
        if not value:
            setattr(obj, f"{name}_cipher", "")
            setattr(obj, f"{name}_digest", "")
            setattr(obj, f"{name}_masked", "")
            return
        setattr(obj, f"{name}_cipher", encrypt(value))
        setattr(obj, f"{name}_digest", digest(value))
        setattr(obj, f"{name}_masked", mask(value))

    prop = ProtectedProperty(fget, fset, doc=f"{label or name} (protected: masked on read)")
    prop.protected_name = name
    prop.normalise = normalise
    return prop


def protected_names(model) -> list[str]:
    return [
        attr for attr in dir(model) if isinstance(getattr(model, attr, None), ProtectedProperty)
    ]


def reveal_value(obj, name: str) -> str:
    """The plain value (no logging here: use ``core.actions.reveal``, which logs)."""
    cipher = getattr(obj, f"{name}_cipher")
    return decrypt(cipher) if cipher else ""


def lookup(model, name: str, value: str) -> dict:
    """ORM filter kwargs finding ``value`` exactly: ``Model.objects.filter(**lookup(...))``."""
    prop = getattr(model, name)
    return {f"{name}_digest": digest(prop.normalise(value))}
