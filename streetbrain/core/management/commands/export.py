"""``streetbrain export <type> FILE [--format csv|xlsx]``: write every object of a type to a
file that ``streetbrain import`` reads back unchanged. Protected values are masked; with
``--as USERNAME --reveal`` they are exported in plain text for a user who may reveal them,
and each exported object is logged as revealed."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from streetbrain.core import dataio


class Command(BaseCommand):
    help = "Export one object type to CSV (UTF-8 with BOM) or Excel (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("type", help="object type: " + ", ".join(sorted(dataio.all_specs())))
        parser.add_argument("file", help="output file ('-' for standard output, CSV only)")
        parser.add_argument(
            "--format",
            choices=sorted(dataio.CONTENT_TYPES),
            default=None,
            help="csv or xlsx (default: from the file name, else csv)",
        )
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help="export what this platform user may see (default: everything)",
        )
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="plain ID numbers and phones (needs --as a user with the reveal permission)",
        )
        parser.add_argument("--reason", default="", help="reason kept in the change log (reveal)")

    def handle(self, *args, **options):
        try:
            spec = dataio.get_spec(options["type"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        file, username, reveal = options["file"], options["username"], options["reveal"]
        fmt = options["format"] or ("xlsx" if file.lower().endswith(".xlsx") else "csv")
        if file == "-" and fmt != "csv":
            raise CommandError("only CSV can be written to standard output")
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {username!r}")
        if reveal and user is None:
            raise CommandError("--reveal needs --as USERNAME (a user with the reveal permission)")
        qs = spec.model._default_manager.all()
        if user is not None:
            qs = qs.restrict(user, "view")
        try:
            rows = dataio.export_rows(
                spec,
                qs,
                reveal_for=user if reveal else None,
                user=user,
                reason=options["reason"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        data = dataio.write_xlsx(spec, rows) if fmt == "xlsx" else dataio.write_csv(rows)
        if file == "-":
            self.stdout.write(data.decode("utf-8-sig"), ending="")
        else:
            Path(file).write_bytes(data)
            self.stderr.write(f"{file}: {len(rows) - 1} rows")
