"""A per-client rate limit for the public pages, kept in Django's cache, which every web
process of a deployment shares (Redis in production, the database in the demo: see
``streetbrain/core/cache.py``), so that four processes let the limit through, not four times it.

A fixed window: the count of a client in the current window is one cache key that expires with
the window. ``cache.incr`` is atomic in Redis, locmem and our database cache; the window's first
request creates the key with ``cache.add``, which only one process wins. At most twice the rate
can pass around a window's edge, which is good enough to stop a script flooding the intake, and
needs one cache operation per request.

The client is ``REMOTE_ADDR``. Behind reverse proxies set ``CASES_PUBLIC_TRUSTED_PROXIES`` to
their number: the client is then that many entries from the right of ``X-Forwarded-For``
(entries further left are whatever the client chose to send, so they are never trusted).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"10/h"`` → ``(10, 3600)``; also ``"5/min"``, ``"100/day"``, ``"20/15m"``.
    Empty (or ``"off"``) means no limit: ``None``."""
    if rate is None or not str(rate).strip() or str(rate).strip().lower() == "off":
        return None
    match = _RATE.match(str(rate).lower())
    if match is None or match.group(3) not in _UNITS:
        raise ImproperlyConfigured(f"Bad rate {rate!r}: write e.g. '10/h', '5/min' or '100/day'.")
    count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    if multiple < 1:
        raise ImproperlyConfigured(f"Bad rate {rate!r}: the period must be at least 1.")
    return count, multiple * _UNITS[unit]


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``CASES_PUBLIC_TRUSTED_PROXIES``
    proxies, the address the outermost trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "CASES_PUBLIC_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    # Each trusted proxy appends the address it received the request from.
    return forwarded[-min(proxies, len(forwarded))]


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    count: int
    limit: int | None
    retry_after: int  # seconds until the window ends (0 without a limit)


def hit(scope: str, ident: str, rate: str | None, *, now: float | None = None) -> Outcome:
    """Count one request of ``ident`` in ``scope``; ``allowed`` is False past the rate."""
    parsed = parse_rate(rate)
    if parsed is None:
        return Outcome(True, 0, None, 0)
    limit, period = parsed
    now = time.time() if now is None else now
    window = math.floor(now / period)
    # The address is hashed: the cache holds no client addresses.
    digest = hashlib.sha256(f"{scope}\0{ident}".encode()).hexdigest()[:32]
    key = f"streetbrain:ratelimit:{scope}:{digest}:{period}:{window}"
    retry_after = max(1, math.ceil((window + 1) * period - now))
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request: create the count (one process wins)
        count = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
    return Outcome(count <= limit, count, limit, retry_after)


def public_report(request) -> Outcome:
    """One submission of the public report form (``CASES_PUBLIC_RATE`` per client)."""
    return hit("public-report", client_ip(request), settings.CASES_PUBLIC_RATE)
