"""The demo's parts as ``DemoLoader`` declarations: found in the demo package module by module,
run by the ``demo`` command each after the parts it depends on, skipped when loaded; the
command refusing to run outside the demo's settings; and no product module importing the
demo."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

import streetbrain.demo
from streetbrain.core import extension_points as ep
from streetbrain.core.extension_points import DemoLoader
from streetbrain.demo.extensions import in_order
from tests.test_architecture import ROOT, lint


def _loader(key, depends_on=(), order=100, calls=None, loaded=False):
    def load(ctx):
        calls.append(key)
        ctx.say(f"{key} loaded")

    return DemoLoader(key, load, lambda: loaded, depends_on=depends_on, order=order)


def test_each_domain_declares_its_loader_in_its_own_module():
    modules = {
        info.name: importlib.import_module(f"streetbrain.demo.{info.name}")
        for info in pkgutil.iter_modules(streetbrain.demo.__path__)
        if not info.ispkg
    }
    declaring = {name for name, module in modules.items() if hasattr(module, "LOADER")}
    assert declaring == {
        "core",
        "registry",
        "cases",
        "economy",
        "services",
        "districts",
        "investment",
        "projects",
        "cooperatives",
        "party",
        "community",
        "linkage",
    }
    for name in declaring:
        assert ep.registry.get(ep.DemoLoader, name) is modules[name].LOADER
        assert modules[name].LOADER.load.__module__ == f"streetbrain.demo.{name}"
        assert ep.registry.origin(ep.DemoLoader, name) == "streetbrain.demo.extensions"


def test_the_district_loads_the_four_base_domains_then_the_apps_on_them():
    # The apps each depend on some of the four; among those free to run, by order then key.
    assert [loader.key for loader in in_order(ep.items(ep.DemoLoader))] == [
        "core",
        "registry",
        "cases",
        "economy",
        "districts",
        "community",
        "cooperatives",
        "investment",
        "linkage",
        "projects",
        "services",
        "party",
    ]


def test_a_loader_runs_after_what_it_depends_on_whatever_its_order():
    calls: list[str] = []
    loaders = [
        _loader("wells", depends_on=("streets",), order=1, calls=calls),
        _loader("streets", order=50, calls=calls),
        _loader("bridges", depends_on=("streets",), order=1, calls=calls),
        _loader("alarms", order=50, calls=calls),
    ]
    # Free at the start: alarms and streets (order 50, then by key); bridges and wells come
    # first by their order (1) but wait for streets.
    assert [x.key for x in in_order(loaders)] == ["alarms", "streets", "bridges", "wells"]


def test_an_unknown_dependency_or_a_circle_is_an_error():
    calls: list[str] = []
    with pytest.raises(ValueError, match="depends on nowhere"):
        in_order([_loader("wells", depends_on=("nowhere",), calls=calls)])
    with pytest.raises(ValueError, match="circle"):
        in_order(
            [
                _loader("a", depends_on=("b",), calls=calls),
                _loader("b", depends_on=("a",), calls=calls),
                _loader("c", calls=calls),
            ]
        )


@pytest.mark.django_db
def test_the_command_runs_the_declared_loaders_in_order_and_skips_loaded_ones(capsys):
    calls: list[str] = []
    loaders = (
        _loader("wells", depends_on=("streets",), order=1, calls=calls),
        _loader("streets", order=50, calls=calls),
        _loader("lamps", order=5, calls=calls, loaded=True),
    )
    with ep.override(*loaders, replace=(ep.DemoLoader,)):
        call_command("demo", "--no-static")
    lines = capsys.readouterr().out.splitlines()
    assert calls == ["streets", "wells"]
    steps = [line.split(":")[0].strip() for line in lines if line.startswith("  ")][:5]
    assert steps == ["lamps", "streets", "wells", "streets loaded", "wells loaded"]
    assert lines[0] == "  lamps: already loaded, reused"
    assert any(line.startswith("demo ready in") for line in lines)


def test_the_command_refuses_outside_the_demo_settings():
    production_like = {**settings.STREETBRAIN, "DEMO": False}
    with override_settings(STREETBRAIN=production_like), pytest.raises(CommandError) as raised:
        call_command("demo", "--no-static")
    assert "DJANGO_SETTINGS_MODULE=streetbrain.settings.demo" in str(raised.value)


def test_a_product_module_importing_the_demo_breaks_the_import_contracts(tmp_path):
    """The intake retraining the classifier on the demo's synthetic texts would make the
    product depend on the demo: ``lint-imports`` refuses it."""
    shutil.copytree(ROOT / "streetbrain", tmp_path / "streetbrain", ignore=shutil.ignore_patterns(
        "__pycache__", "static", "locale", "templates", "data"
    ))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    actions = tmp_path / "streetbrain" / "cases" / "intake" / "actions.py"
    actions.write_text(
        actions.read_text(encoding="utf-8")
        + "\n\ndef _synthetic(n):\n    from streetbrain.demo.synth import texts\n\n"
        + "    return texts.generate(n)\n",
        encoding="utf-8",
    )
    result = lint(tmp_path, pythonpath=str(tmp_path))
    assert result.returncode != 0
    assert "Only the demo package imports the demo package BROKEN" in result.stdout
    assert "streetbrain.cases.intake.actions -> streetbrain.demo.synth.texts" in result.stdout


def test_a_production_process_does_not_import_the_demo_generators():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streetbrain.settings.production",
        "SECRET_KEY": "x" * 50,
        "STREETBRAIN_DATA_KEYS": "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=",
        "STREETBRAIN_DIGEST_KEY": "a digest key for this test",
    }
    script = (
        "import sys, django; django.setup();"
        "print(sorted(m for m in sys.modules if m.startswith('streetbrain.demo')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    imported = result.stdout.strip()
    assert (
        imported == "['streetbrain.demo', 'streetbrain.demo.apps', 'streetbrain.demo.extensions']"
    )
