"""Project-level checks: migrations match the models, Django's system checks pass, the
console script wraps the management commands and finds its settings (the demo's after
``make demo``, production's otherwise, which refuse to start without their secrets)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from streetbrain import startup

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("streetbrain")
# What a fresh shell in the project folder has: none of the settings' variables.
SETTINGS_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DATABASE_URL",
    "CACHE_URL",
    "STREETBRAIN_DATA_KEYS",
    "STREETBRAIN_DIGEST_KEY",
    "STREETBRAIN_VAR_DIR",
)
DEMO_NOTE = "using the demo settings"


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_system_checks_pass():
    call_command("check", "--fail-level", "WARNING")


def test_console_script_wraps_management_commands():
    script = SCRIPT
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


def fresh_shell(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    # The var folder of the checkout, moved to a temporary one (the developer's is left alone).
    env["STREETBRAIN_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def streetbrain(*args: str, env: dict[str, str], cwd: Path = ROOT):
    return subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def demo_var(tmp_path_factory) -> Path:
    """A var folder as `make demo` leaves it (migrated with the demo settings; the district
    itself is not needed to find the settings)."""
    var_dir = tmp_path_factory.mktemp("demo-var")
    done = streetbrain(
        "migrate",
        "-v",
        "0",
        env=fresh_shell(var_dir, DJANGO_SETTINGS_MODULE="streetbrain.settings.demo"),
    )
    assert done.returncode == 0, done.stderr
    return var_dir


def test_console_script_uses_the_demo_after_make_demo(demo_var, tmp_path):
    """After `make demo`, the README's commands work in a fresh shell, as written."""
    env = fresh_shell(demo_var)
    intake = streetbrain("cases", "intake", env=env)
    assert intake.returncode == 0, intake.stderr
    assert DEMO_NOTE in intake.stderr and "Traceback" not in intake.stderr
    exported = streetbrain("export", "buildings", str(tmp_path / "buildings.csv"), env=env)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "buildings.csv").exists()
    imported = streetbrain(
        "import", "buildings", str(tmp_path / "buildings.csv"), "--dry-run", env=env
    )
    assert imported.returncode == 0, imported.stderr
    # Not from another folder's point of view only: the script finds the project's var folder
    # wherever it is started.
    assert streetbrain("cases", "intake", env=env, cwd=tmp_path).returncode == 0


def test_migrate_created_the_demo_cache_table(demo_var):
    with sqlite3.connect(demo_var / "streetbrain.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "streetbrain_cache" in tables


def test_console_script_makes_the_demo_in_a_fresh_checkout(tmp_path):
    made = streetbrain("demo", "--help", env=fresh_shell(tmp_path))
    assert made.returncode == 0, made.stderr
    assert DEMO_NOTE in made.stderr and "--reset" in made.stdout


def test_production_still_refuses_without_its_secrets(demo_var, tmp_path):
    # Asked for by name, even where a demo is at hand.
    named = streetbrain(
        "check", env=fresh_shell(demo_var, DJANGO_SETTINGS_MODULE=startup.PRODUCTION)
    )
    assert named.returncode == 2 and "SECRET_KEY is not set" in named.stderr
    # Without a demo: production by default.
    bare = streetbrain("check", env=fresh_shell(tmp_path))
    assert bare.returncode == 2 and "SECRET_KEY is not set" in bare.stderr
    assert DEMO_NOTE not in bare.stderr
    # A production configuration in sight (a SECRET_KEY, a DATABASE_URL) is never taken for
    # the demo: then the missing data keys stop it.
    for extra in ({"SECRET_KEY": "x" * 50}, {"DATABASE_URL": "sqlite:///:memory:"}):
        configured = streetbrain("check", env=fresh_shell(demo_var, **extra))
        assert configured.returncode == 2, configured.stderr
        assert DEMO_NOTE not in configured.stderr
        assert "is not set" in configured.stderr or "must be set" in configured.stderr


def test_settings_choice(tmp_path):
    demo = tmp_path / "var"
    demo.mkdir()
    for name in startup.DEMO_FILES:
        (demo / name).write_text("x")
    here = {"STREETBRAIN_VAR_DIR": str(demo)}
    assert startup.choose(["streetbrain", "check"], here)[0] == startup.DEMO
    assert startup.choose(["streetbrain", "check"], {"STREETBRAIN_VAR_DIR": str(tmp_path)}) == (
        startup.PRODUCTION,
        None,
    )
    assert startup.choose(["streetbrain", "demo"], {"STREETBRAIN_VAR_DIR": str(tmp_path)})[0] == (
        startup.DEMO
    )
    named = {**here, "DJANGO_SETTINGS_MODULE": "streetbrain.settings.test"}
    assert startup.choose(["streetbrain", "check"], named) == ("streetbrain.settings.test", None)
    # Django's --settings beats the environment, in both spellings.
    for argv in (["sb", "check", "--settings", "a.b"], ["sb", "check", "--settings=a.b"]):
        assert startup.choose(argv, named) == ("a.b", None)


def test_settings_module_from_the_project_env_file(tmp_path, monkeypatch):
    """.env.example sets DJANGO_SETTINGS_MODULE: in .env it counts (it was ignored: the
    console script had chosen production before the settings read the file)."""
    (tmp_path / ".env").write_text("DJANGO_SETTINGS_MODULE=streetbrain.settings.demo\n")
    monkeypatch.setattr(startup, "PROJECT_DIR", tmp_path)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    assert startup.use_settings(["streetbrain", "check"]) == "streetbrain.settings.demo"


def test_the_wsgi_module_freezes_what_start_up_made():
    """A gunicorn worker's start-up objects (every app's views imported) are kept out of the
    garbage collector's walks: ``gc.freeze`` after the URLconf is loaded."""
    code = (
        "import gc, sys, streetbrain.wsgi; "
        "print(gc.get_freeze_count(), 'streetbrain.cases.workflow.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "streetbrain.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    frozen, views = out.stdout.split()
    assert views == "True"
    assert int(frozen) > 100_000
