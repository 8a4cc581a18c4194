"""``streetbrain linkage link|dedupe``: entity resolution on any two sheets, without loading
them anywhere (nothing is written to the database).

    streetbrain linkage link LEFT RIGHT --out PAIRS.csv [--threshold P]
    streetbrain linkage dedupe FILE --out CLUSTERS.csv [--threshold P]

LEFT, RIGHT and FILE are CSV or XLSX files with a header row in the import engine's header names
(姓名, 身份证号码/公民身份号码, 联系电话/手机号, 住址/户籍地址/居住地址, 出生日期, 性别,
统一社会信用代码, 企业名称 …); a sheet with 企业名称 or 统一社会信用代码 is linked as enterprises,
otherwise as people. Rows are numbered from 1 for the first data row (the header is row 0).

PAIRS.csv: ``left_row,right_row,probability``, one line per linked pair, each right row with at
most its single best left row. CLUSTERS.csv: ``row,cluster``, every row, the cluster named by its
smallest row. The model is Splink's, trained on the two sheets without labels
(``linkage.engine``).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from streetbrain.core.dataio import FileFormatError, read_table
from streetbrain.linkage import engine


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise CommandError(f"--threshold must be a probability between 0 and 1: {text}")
    return value


def _sheet(path: str) -> tuple[str, list[dict]]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        return engine.records_from_table(read_table(file))
    except (FileFormatError, engine.SheetError) as exc:
        raise CommandError(f"{path}: {exc}") from exc


class Command(BaseCommand):
    help = "Record linkage (Splink): link two sheets, or find the duplicates within one."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True, metavar="{link,dedupe}")
        link = groups.add_parser("link", help="link the rows of RIGHT to the rows of LEFT")
        link.add_argument("left")
        link.add_argument("right")
        link.add_argument("--out", required=True, help="PAIRS.csv to write")
        link.add_argument("--threshold", type=_probability, default=engine.DEFAULT_THRESHOLD)
        dedupe = groups.add_parser("dedupe", help="cluster the rows of FILE that are one entity")
        dedupe.add_argument("file")
        dedupe.add_argument("--out", required=True, help="CLUSTERS.csv to write")
        dedupe.add_argument("--threshold", type=_probability, default=engine.DEFAULT_THRESHOLD)

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["group"] == "link":
            kind, left = _sheet(options["left"])
            right_kind, right = _sheet(options["right"])
            if kind != right_kind:
                raise CommandError(f"one sheet holds {kind}, the other {right_kind}")
            pairs = engine.link(left, right, kind, threshold=options["threshold"])
            with open(options["out"], "w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                out.writerow(["left_row", "right_row", "probability"])
                for p in pairs:
                    out.writerow([p.left_row, p.right_row, f"{p.probability:.6f}"])
            self.stdout.write(
                f"{len(pairs)} of {len(right)} right rows linked to {len(left)} left rows "
                f"({kind}) in {time.perf_counter() - started:.1f} s → {options['out']}"
            )
        else:
            kind, records = _sheet(options["file"])
            clusters = engine.dedupe(records, kind, threshold=options["threshold"])
            with open(options["out"], "w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                out.writerow(["row", "cluster"])
                for row in sorted(clusters):
                    out.writerow([row, clusters[row]])
            n = len(set(clusters.values()))
            self.stdout.write(
                f"{len(records)} rows ({kind}) in {n} clusters in "
                f"{time.perf_counter() - started:.1f} s → {options['out']}"
            )
