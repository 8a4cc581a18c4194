"""Prepare the demo district: migrate, collect static files, load 福明街道 once (idempotent),
refresh the key figures, and print the demo accounts."""

import importlib
import time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from streetbrain.core import demo as core_demo
from streetbrain.core.actions import refresh_key_figures
from streetbrain.core.audit import audit_context


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
        call_command("migrate", interactive=False, verbosity=0)
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        ctx = core_demo.DemoContext()
        if core_demo.is_loaded():
            self.stdout.write("demo district already loaded: reusing it (make demo-reset rebuilds)")
        else:
            with audit_context(source="cli", reason="demo load"):
                for config in apps.get_app_configs():
                    if not config.name.startswith("streetbrain."):
                        continue
                    try:
                        module = importlib.import_module(f"{config.name}.demo")
                    except ModuleNotFoundError:
                        continue
                    step = time.monotonic()
                    module.load(ctx)
                    self.stdout.write(f"  {config.label}: {time.monotonic() - step:.1f} s")
            for line in ctx.log:
                self.stdout.write(f"  {line}")
        refresh_key_figures()
        if not ctx.accounts:
            core_demo.describe_accounts(ctx)
        self.stdout.write(self.style.SUCCESS(f"demo ready in {time.monotonic() - started:.1f} s"))
        self.stdout.write(f"demo accounts (password: {ctx.password_hint}):")
        for username, role, scope in ctx.accounts:
            self.stdout.write(f"  {username:<11} {role:<11} {scope}")
