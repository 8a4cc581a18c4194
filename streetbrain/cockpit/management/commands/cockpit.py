"""``streetbrain cockpit refresh [--all]``: recompute what the map's layers precompute (the
case densities: this month and the last, or every month with ``--all``, e.g. after
importing a case history)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from streetbrain.cockpit.tasks import refresh_layers


class Command(BaseCommand):
    help = "Cockpit tools: recompute the one map's precomputed layers (case densities)."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True, metavar="{refresh}")
        refresh = groups.add_parser("refresh", help="recompute the case densities")
        refresh.add_argument("--all", action="store_true", help="every month, not the last two")

    def handle(self, *args, group, **options):
        rows = refresh_layers(everything=options["all"])
        self.stdout.write(_("%(n)d case-density squares written.") % {"n": rows})
