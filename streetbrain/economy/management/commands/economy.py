"""``streetbrain economy recompute|warnings``: the building economy's monthly work.

    streetbrain economy recompute                 # every month the data covers
    streetbrain economy recompute --month 2025-03 # one month
    streetbrain economy recompute --from 2024-01 --to 2025-12
    streetbrain economy warnings [--month 2025-03] [--dry-run]

``recompute`` rebuilds the monthly figures (``economy.metrics``) from the raw rows; ``warnings``
runs the move-out rules (``economy.rules``) as of a month (default: the last complete month)
and raises or updates a warning for each enterprise above the threshold; ``--dry-run`` lists
them without writing, each with its findings (the rule's label and sentence, in the site's
language).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from streetbrain.core.months import last_complete_month, parse_month
from streetbrain.economy import metrics


def _month(text: str):
    month = parse_month(text)
    if month is None:
        raise CommandError(f"not a month (YYYY-MM): {text}")
    return month


class Command(BaseCommand):
    help = "Building economy: recompute the monthly figures, run the move-out warning rules."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True, metavar="{recompute,warnings}")
        recompute = groups.add_parser("recompute", help="recompute the monthly figures")
        which = recompute.add_mutually_exclusive_group()
        which.add_argument("--month", help="one month, YYYY-MM")
        which.add_argument("--all", action="store_true", help="every month (the default)")
        which.add_argument("--from", dest="first", help="first month of a range, YYYY-MM")
        recompute.add_argument("--to", dest="last", help="last month of a range, YYYY-MM")
        warnings = groups.add_parser("warnings", help="run the move-out warning rules")
        warnings.add_argument("--month", help="as of this month, YYYY-MM (default: last month)")
        warnings.add_argument(
            "--dry-run", action="store_true", help="list the warnings without raising them"
        )

    def handle(self, *args, **options):
        if options["group"] == "recompute":
            return self.recompute(options)
        return self.warnings(options)

    def recompute(self, options):
        started = time.perf_counter()
        if options["month"]:
            month = _month(options["month"])
            rows = metrics.refresh_month(month)
            what = f"{month:%Y-%m}"
        elif options["first"]:
            first = _month(options["first"])
            last = _month(options["last"]) if options["last"] else last_complete_month()
            rows = metrics.refresh_months(first, last)
            what = f"{first:%Y-%m} – {last:%Y-%m}"
        else:
            rows = metrics.refresh_all()
            span = metrics.data_months()
            what = f"{span[0]:%Y-%m} – {span[1]:%Y-%m}" if span else "no data"
        seconds = time.perf_counter() - started
        self.stdout.write(f"monthly figures {what}: {rows} rows in {seconds:.1f} s")

    def warnings(self, options):
        from streetbrain.economy import rules

        month = _month(options["month"]) if options["month"] else last_complete_month()
        if options["dry_run"]:
            found = rules.evaluate(month)
            for result in found:
                if result.score >= rules.THRESHOLD:
                    names = ", ".join(e["rule"] for e in result.evidence)
                    self.stdout.write(f"{result.credit_code} {result.score:5.1f} {names}")
                    for finding in result.evidence:
                        label = rules.rule_label(finding["rule"])
                        self.stdout.write(f"    {label}: {rules.sentence(finding)}")
            above = sum(1 for r in found if r.score >= rules.THRESHOLD)
            self.stdout.write(f"{month:%Y-%m}: {above} enterprises above {rules.THRESHOLD}")
            return
        warnings = rules.raise_warnings(month)
        self.stdout.write(f"{month:%Y-%m}: {len(warnings)} warnings raised or updated")
