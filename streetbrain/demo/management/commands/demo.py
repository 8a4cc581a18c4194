"""Prepare the demo district: migrate, collect static files, load 福明街道 once (idempotent),
refresh the key figures, and print the demo accounts. The parts of the district are the
declared ``DemoLoader``s (``streetbrain/demo/extensions.py`` and any app's own), run each after
those it depends on."""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from streetbrain.core import extension_points as ep
from streetbrain.core.audit import audit_context
from streetbrain.core.figures import refresh_key_figures
from streetbrain.demo import core as core_demo
from streetbrain.demo.bulk import collected_after
from streetbrain.demo.context import DemoContext
from streetbrain.demo.extensions import in_order


def collect_static_if_changed() -> bool:
    """collectstatic recompresses every file each time (seconds); skip it when no source file
    changed since the last run."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = storage.path(path)
            info = os.stat(stat)
            digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    stamp = settings.STATIC_ROOT / ".sources.sha256"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())
    return True


class Command(BaseCommand):
    help = "Load the demo district of 福明街道 (idempotent; --reset rebuilds it)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete all data and reload.")
        parser.add_argument("--no-static", action="store_true", help="Skip collectstatic.")

    def handle(self, *args, reset=False, no_static=False, **options):
        if not settings.STREETBRAIN.get("DEMO"):
            raise CommandError(
                "The demo loads synthetic data and demo accounts; it runs only with "
                "DJANGO_SETTINGS_MODULE=streetbrain.settings.demo."
            )
        started = time.monotonic()
        with collected_after():  # rendering the migrations' model states: 28 → 23 s
            call_command("migrate", interactive=False, verbosity=0)
        if not no_static:
            collect_static_if_changed()
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        ctx = DemoContext()
        loaded_any = False
        # Each part decides whether it is loaded, so a demo database made before an app
        # existed gets that app's data on the next run.
        with audit_context(source="cli", reason="demo load"):
            for loader in in_order(ep.items(ep.DemoLoader)):
                if loader.is_loaded():
                    self.stdout.write(f"  {loader.key}: already loaded, reused")
                    continue
                step = time.monotonic()
                with collected_after():
                    loader.load(ctx)
                loaded_any = True
                self.stdout.write(f"  {loader.key}: {time.monotonic() - step:.1f} s")
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        if not loaded_any:
            self.stdout.write("demo district already loaded: reusing it (make demo-reset rebuilds)")
        refresh_key_figures()
        core_demo.describe_accounts(ctx)  # every account there is, whichever parts just loaded
        self.stdout.write(self.style.SUCCESS(f"demo ready in {time.monotonic() - started:.1f} s"))
        self.stdout.write(f"demo accounts (password: {ctx.password_hint}):")
        for username, role, scope in ctx.accounts:
            self.stdout.write(f"  {username:<11} {role:<11} {scope}")
