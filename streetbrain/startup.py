"""How every entry point (the ``streetbrain`` console script and ``manage.py``, the Celery app,
WSGI) picks its settings.

Django's ``--settings`` option, else ``DJANGO_SETTINGS_MODULE`` from the environment or from
the project's ``.env`` (the file the settings read). Without either, production's settings
(``streetbrain.settings.production``), except where those could not start anyway and the demo
is at hand: no ``SECRET_KEY`` and no ``DATABASE_URL`` set, and either the var folder holds the
demo (its SQLite database and the secret key the demo settings generate) or the command is
``streetbrain demo``. Then the demo's settings, with a one-line note on stderr. So after
``make demo`` the README's commands run against the demo as written, and production still
refuses to start without its secrets.

This module imports nothing of the project: the package's ``__init__`` runs it (through the
Celery app) before any settings exist.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import environ

PROJECT_DIR = Path(__file__).resolve().parent.parent  # as in settings/base.py
PRODUCTION = "streetbrain.settings.production"
DEMO = "streetbrain.settings.demo"
# What the demo settings leave in the var folder: the SQLite file and the generated secret key.
DEMO_FILES = ("streetbrain.sqlite3", "django_secret_key.secret")


def demo_reason(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """Why the demo settings apply, or None: production's settings would refuse to start (no
    ``SECRET_KEY``), nothing points at another database (no ``DATABASE_URL``), and the demo is
    here (``var/``) or being made (``streetbrain demo``)."""
    if env.get("SECRET_KEY") or env.get("DATABASE_URL"):
        return None
    var_dir = Path(env.get("STREETBRAIN_VAR_DIR") or PROJECT_DIR / "var")
    if all((var_dir / name).is_file() for name in DEMO_FILES):
        return f"{var_dir} holds the demo database"
    if len(argv) > 1 and argv[1] == "demo":
        return "this is the demo command"
    return None


def settings_option(argv: Sequence[str]) -> str | None:
    """The value of a ``--settings`` option (Django's own, which beats the environment)."""
    for i, arg in enumerate(argv[1:], start=1):
        if arg.startswith("--settings="):
            return arg.partition("=")[2]
        if arg == "--settings" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def choose(argv: Sequence[str], env: Mapping[str, str]) -> tuple[str, str | None]:
    """The settings module, and the note to print when the demo's were chosen unasked."""
    if option := settings_option(argv):
        return option, None
    if env.get("DJANGO_SETTINGS_MODULE"):
        return env["DJANGO_SETTINGS_MODULE"], None
    reason = demo_reason(argv, env)
    if reason is None:
        return PRODUCTION, None
    return DEMO, (
        f"streetbrain: using the demo settings ({DEMO}): DJANGO_SETTINGS_MODULE is not set and "
        f"{reason}. Set DJANGO_SETTINGS_MODULE to choose."
    )


def use_settings(argv: Sequence[str] | None = None) -> str:
    """Set ``DJANGO_SETTINGS_MODULE`` unless it is set (once per process; child processes
    inherit it) or ``--settings`` names one, and return it. Django's ``--settings`` is applied
    here because the settings are loaded before the command line is parsed."""
    argv = sys.argv if argv is None else argv
    if option := settings_option(argv):
        os.environ["DJANGO_SETTINGS_MODULE"] = option
    elif not os.environ.get("DJANGO_SETTINGS_MODULE"):
        # The settings read the project's .env themselves; read it here already so that a
        # DJANGO_SETTINGS_MODULE, SECRET_KEY or DATABASE_URL written there counts.
        environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)
        module, note = choose(argv, os.environ)
        os.environ["DJANGO_SETTINGS_MODULE"] = module
        if note:
            sys.stderr.write(note + "\n")
    return os.environ["DJANGO_SETTINGS_MODULE"]
