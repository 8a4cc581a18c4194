"""What every loader of the demo is given: the accounts' password, the lines it says, the
accounts the command prints at the end; and the scale of the load."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.conf import settings

DEFAULT_PASSWORD = "streetbrain-demo"  # noqa: S105 - the documented demo password


@dataclass
class DemoContext:
    password: str = field(
        default_factory=lambda: os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    )
    log: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # user, role, scope

    def say(self, line: str) -> None:
        self.log.append(line)

    @property
    def password_hint(self) -> str:
        return "$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else DEFAULT_PASSWORD


def default_scale() -> float:
    """The share of the full-scale district to load (``STREETBRAIN["DEMO_SCALE"]``: 1 in the
    demo, a few per cent in the tests)."""
    return float(getattr(settings, "STREETBRAIN", {}).get("DEMO_SCALE", 1.0))
