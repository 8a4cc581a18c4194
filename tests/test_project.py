"""Project-level checks: migrations match the models, Django's system checks pass, the
console script wraps the management commands."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_system_checks_pass():
    call_command("check", "--fail-level", "WARNING")


def test_console_script_wraps_management_commands():
    script = Path(sys.executable).with_name("streetbrain")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "streetbrain.settings.test"}
    result = subprocess.run(
        [str(script), "help"], env=env, capture_output=True, text=True, check=True
    )
    for command in ("serve", "demo", "migrate", "createsuperuser"):
        assert command in result.stdout


def test_console_script_explains_missing_configuration():
    script = Path(sys.executable).with_name("streetbrain")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.production"
    result = subprocess.run(
        [str(script), "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_readme_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def test_architecture_map_names_every_app():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for app in sorted(p.name for p in (ROOT / "streetbrain").iterdir() if (p / "apps.py").exists()):
        assert f"streetbrain/{app}" in text, app
