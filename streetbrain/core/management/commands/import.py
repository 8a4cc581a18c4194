"""``streetbrain import <type> FILE``: import a CSV or XLSX file (all or nothing).

The types are the keys of every app's ``dataio_specs.SPECS`` (buildings, residents, shops …).
Without ``--as`` the import runs with the full scope and is recorded in the change log under
the OS user who ran the command; with ``--as USERNAME`` it is that user's import, limited to
their scope and permissions. Exit code 1 when the file has errors (then nothing is written).
"""

from __future__ import annotations

import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from streetbrain.core import dataio

LARGE = 2000  # rows from which progress is shown


class Command(BaseCommand):
    help = "Import a CSV or Excel (.xlsx) file of one object type; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("type", help="object type: " + ", ".join(sorted(dataio.all_specs())))
        parser.add_argument("file", help="CSV (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help="import as this platform user (their scope and permissions)",
        )
        parser.add_argument("--reason", default="", help="reason kept in the change log")

    def handle(self, *args, **options):
        file, username = options["file"], options["username"]
        try:
            spec = dataio.get_spec(options["type"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {username!r}")
        try:
            table = dataio.read_table(file)
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except dataio.FileFormatError as exc:
            raise CommandError(f"{file}: {exc}") from exc

        started = time.monotonic()
        progress = self._progress if len(table.rows) >= LARGE else None
        report = dataio.run_import(
            spec,
            table,
            user,
            dry_run=options["dry_run"],
            progress=progress,
            reason=options["reason"],
        )
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(f"{report.summary()} ({time.monotonic() - started:.1f} s)")
        if report.errors:
            raise CommandError(f"{len(report.errors)} errors", returncode=1)

    def _progress(self, done: int, total: int) -> None:
        end = "\r" if sys.stderr.isatty() and done < total else "\n"
        self.stderr.write(f"{done}/{total}", ending=end)
        self.stderr.flush()
