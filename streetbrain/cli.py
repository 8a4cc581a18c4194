"""The ``streetbrain`` console script: Django's management commands under one name
(``streetbrain serve``, ``streetbrain demo``, ``streetbrain migrate`` …).

Its settings: ``DJANGO_SETTINGS_MODULE``, else production's, else after ``make demo`` the demo's
(``streetbrain/startup.py`` says when).

Changes made through it are audited with the channel "command line" and the OS user name.
"""

from __future__ import annotations

import getpass
import sys

from streetbrain.startup import use_settings


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    use_settings(argv)
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"streetbrain: {exc}\n")
        raise SystemExit(2) from exc
    from streetbrain.core.audit import audit_context

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = "unknown"
    with audit_context(source="cli", actor_name=f"cli:{actor}"):
        execute_from_command_line(["streetbrain", *argv[1:]])


if __name__ == "__main__":
    main()
