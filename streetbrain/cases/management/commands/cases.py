"""``streetbrain cases classifier train|evaluate``: the case classifier from the command line.

    streetbrain cases classifier train --csv history.csv --text-column title,description \\
        --label-column label --model var/case_classifier.joblib
    streetbrain cases classifier evaluate --csv held_out.csv --text-column title \\
        --text-column description --label-column label --model var/case_classifier.joblib --json

``--text-column`` may be repeated or comma-separated; the columns are joined by a newline.
``evaluate --json`` prints ``{"n", "accuracy", "macro_f1", "per_class": {label: {"precision",
"recall", "f1", "support"}}, "model": {...metadata}}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from streetbrain.cases import classifier


class Command(BaseCommand):
    help = "Case tools: train and evaluate the case classifier."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True, metavar="{classifier}")
        clf = groups.add_parser("classifier", help="the case text classifier")
        actions = clf.add_subparsers(dest="action", required=True, metavar="{train,evaluate}")
        for name, help_text in [
            ("train", "train a model from a labelled CSV file"),
            ("evaluate", "measure a model on a labelled CSV file"),
        ]:
            sub = actions.add_parser(name, help=help_text)
            sub.add_argument("--csv", required=True, help="CSV file (UTF-8 or GB18030)")
            sub.add_argument(
                "--text-column",
                action="append",
                required=True,
                help="text column(s); repeat or separate with commas to join several",
            )
            sub.add_argument("--label-column", required=True, help="the label column")
            sub.add_argument(
                "--model",
                required=True,
                help="model file to write" if name == "train" else "model file to read",
            )
            if name == "evaluate":
                sub.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        try:
            if options["action"] == "train":
                self.train(options)
            else:
                self.evaluate(options)
        except classifier.ClassifierError as exc:
            raise CommandError(str(exc)) from exc

    def _read(self, options):
        columns = classifier.split_columns(options["text_column"])
        return classifier.read_csv(options["csv"], columns, options["label_column"].strip())

    def train(self, options):
        texts, labels = self._read(options)
        model = classifier.train(texts, labels)
        path = Path(options["model"])
        try:
            model.save(path)
        except OSError as exc:
            raise CommandError(
                _("Cannot write the model file %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        self.stderr.write(
            _("%(path)s: trained on %(n)d examples, %(k)d labels.")
            % {"path": path, "n": len(texts), "k": len(model.labels)}
        )

    def evaluate(self, options):
        model = classifier.load(options["model"])
        texts, labels = self._read(options)
        report = classifier.evaluate(model, texts, labels)
        unknown = sorted(set(labels) - set(model.labels))
        report["unknown_labels"] = unknown
        report["model"] = model.meta
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        lines = [
            f"n={report['n']}  accuracy={report['accuracy']:.4f}  "
            f"macro-F1={report['macro_f1']:.4f}",
            f"{'label':<24} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}",
        ]
        for label, m in report["per_class"].items():
            lines.append(
                f"{label:<24} {m['precision']:>9.3f} {m['recall']:>9.3f} {m['f1']:>9.3f} "
                f"{m['support']:>8d}"
            )
        if unknown:
            lines.append(
                _("Labels the model never saw: %(labels)s") % {"labels": ", ".join(unknown)}
            )
        self.stdout.write("\n".join(lines))
