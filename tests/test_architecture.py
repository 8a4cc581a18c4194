"""The house's rules on imports (pyproject.toml, ``[tool.importlinter]``): the core imports no
app, the map and the cockpit no domain app, a domain app only the apps below it, and no
import circle at any level of the package. ``lint-imports`` reads the source (it imports
nothing), so a function-level import counts like any other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": pythonpath or os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_an_import_of_an_app_from_the_core_is_caught_with_the_circle_it_closes(tmp_path):
    """The contracts are not a formality: one function-level import of the registry in the
    core breaks two of them (the core imports an app; registry → core → registry)."""
    shutil.copytree(ROOT / "streetbrain", tmp_path / "streetbrain", ignore=shutil.ignore_patterns(
        "__pycache__", "static", "locale", "templates", "data"
    ))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    scoping = tmp_path / "streetbrain" / "core" / "scoping.py"
    scoping.write_text(
        scoping.read_text(encoding="utf-8")
        + "\n\ndef _shops():\n    from streetbrain.registry.models import Shop\n\n"
        + "    return Shop\n",
        encoding="utf-8",
    )
    result = lint(tmp_path, pythonpath=str(tmp_path))
    assert result.returncode != 0
    assert "The core imports no app BROKEN" in result.stdout
    assert "No import circle, at any level of the package BROKEN" in result.stdout
    assert "streetbrain.core.scoping -> streetbrain.registry.models" in result.stdout
