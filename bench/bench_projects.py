"""Benchmark: the key projects (项目为王) on the demo — the projects' demo load, and what the
pages and the API compute on every request: the board's ten lights, the street indicators'
projections, the campaign's counts and burndown, the cases within the metro sites' radius, and
the API's four lists and the monthly Excel report through the test client.

Run from the repository root:

    .venv/bin/python bench/bench_projects.py [--scale S] [--repeat N]

``--scale`` is the registry's and the cases' demo scale underneath (the projects' own demo
does not scale: 10 projects, 5 plots, ≈300 households, 20 hard cases, 4 sites); the economy
is loaded at the same scale so the computed 去化 and tax have figures to read. Prints the
seconds of each step (median of ``--repeat`` runs) and what it computed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"  {label:<44} {statistics.median(times) * 1000:8.1f} ms")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, cpu count {os.cpu_count()}, {platform.platform()}")
    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-projects-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    try:
        return run(args.scale, args.repeat, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(scale: float, repeat: int, var: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.utils import timezone

    from streetbrain.core.audit import audit_context
    from streetbrain.core.models import User
    from streetbrain.demo import cases as cases_demo
    from streetbrain.demo import core as core_demo
    from streetbrain.demo import economy as economy_demo
    from streetbrain.demo import projects as projects_demo
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext
    from streetbrain.projects import status
    from streetbrain.projects.measures import cases_near
    from streetbrain.projects.models import Project, Site, StreetIndicator

    call_command("migrate", interactive=False, verbosity=0)
    ctx = DemoContext()
    start = time.perf_counter()
    with (
        override_settings(CASES_CLASSIFIER_MODEL=str(var / "classifier.joblib")),
        audit_context(source="cli", reason="demo load"),
    ):
        core_demo.load(ctx)
        registry_demo.load(ctx, scale=scale)
        cases_demo.load(ctx, scale=scale, background_training=False)
        economy_demo.load(ctx, scale=scale)
        print(
            f"\ncore, registry, cases, economy at scale {scale:g}: "
            f"{time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        projects_demo.load(ctx)
        print(f"projects demo load: {time.perf_counter() - start:.2f} s")
    print("  " + next(line for line in ctx.log if line.startswith("projects:")))

    user = User.objects.get(username="projects")
    today = timezone.localdate()
    year = Project.objects.values_list("year", flat=True).first()
    print(f"\nper request (median of {repeat}), as the 项目办 account, year {year}:")

    def board():
        projects = (
            Project.objects.restrict(user)
            .filter(year=year)
            .prefetch_related("milestones", "indicators__feeds", "sites")
        )
        return [status.project_status(p, user, today) for p in projects]

    lights = timed("board: 10 lights with reasons", board, repeat)
    print("    lights", {k: sum(1 for s in lights if s.light == k) for k in status.RANK})
    timed(
        "street indicators: 5 projections",
        lambda: [status.street_status(i, year, user, today) for i in StreetIndicator.objects.all()],
        repeat,
    )
    bd = Project.objects.get(name="征迁拔钉清零")
    camp = timed(
        "campaign: households per stage and plot", lambda: status.campaign(bd, user), repeat
    )
    print(
        f"    households {sum(s['households'] for s in camp['stages'])}, "
        f"signed {camp['signed']['households']}"
    )
    burn = timed(
        "burndown of the hard cases", lambda: status.hard_case_burndown(bd, user, today), repeat
    )
    print(f"    {burn['remaining_m2']:,.0f} of {burn['total_m2']:,.0f} m² standing")
    points = [(s.lon, s.lat, s.radius_m) for s in Site.objects.all()]
    near = timed("cases within 300 m of the 4 sites", lambda: cases_near(user, points), repeat)
    print(f"    {len(near)} cases")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # The demo's static files are served from a manifest `collectstatic` writes; the pages here
    # only need their URLs.
    plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    storages = override_settings(
        STORAGES={**__import__("django.conf").conf.settings.STORAGES, **plain}
    )
    storages.enable()
    for url in (
        "/projects/",
        f"/projects/{bd.pk}/",
        "/projects/indicators/",
        "/api/projects/",
        "/api/projects/indicators/",
        "/api/projects/plots/",
        "/api/projects/hard-cases/",
        "/projects/report.xlsx",
    ):
        response = timed(f"GET {url}", lambda url=url: client.get(url), repeat)
        assert response.status_code == 200, (url, response.status_code)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
