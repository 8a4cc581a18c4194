"""``streetbrain cockpit refresh [--all]``: recompute the map's case densities (this month and
the last, or every month with ``--all``, e.g. after importing a case history)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Cockpit tools: recompute the one map's precomputed case densities."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True, metavar="{refresh}")
        refresh = groups.add_parser("refresh", help="recompute the case densities")
        refresh.add_argument("--all", action="store_true", help="every month, not the last two")

    def handle(self, *args, group, **options):
        from streetbrain.cockpit import density

        rows = density.refresh() if options["all"] else density.refresh_recent()
        self.stdout.write(_("%(n)d case-density squares written.") % {"n": rows})
