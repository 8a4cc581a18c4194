"""Benchmark: the case classifier (streetbrain.cases.intake.classifier) on held-out reports.

Run from the repository root:

    .venv/bin/python bench/bench_classifier.py [--train N] [--test N] [--batch N] [--repeat R]

Trains our model (NB-SVM over char 2–4-grams + jieba words of the text and char 1–3-grams + words
of the title, TF-IDF; temperature-scaled confidences) and the plain
baseline (TF-IDF of jieba words + multinomial naive Bayes) on the same synthetic reports
(``synth_texts.generate(train, seed=1)``), scores both on held-out ones (seed 2): accuracy and
macro-F1, plus our confidence's calibration (expected calibration error, 10 bins) and what a
human-review threshold would leave to the machine. (On real citizens' messages:
``bench_classifier_real.py``.) Then times batch classification of
``--batch`` texts (seed 3), with explanations (``predict``) and labels only; best of R runs.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetbrain.settings.test")

import django

django.setup()

import numpy as np  # noqa: E402
import sklearn  # noqa: E402

from streetbrain.cases.intake import classifier  # noqa: E402
from streetbrain.demo.synth import texts as synth_texts  # noqa: E402

BAR = 2_000  # texts/s classified in batch


def texts_of(rows):
    return [f"{r['title']}\n{r['description']}" for r in rows]


def labels_of(rows):
    return [r["label"] for r in rows]


def ece(confidences, correct, bins=10):
    confidences, correct = np.asarray(confidences), np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (confidences > lo) & (confidences <= hi)
        if mask.any():
            total += mask.mean() * abs(confidences[mask].mean() - correct[mask].mean())
    return total


def best_rate(fn, items, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(items)
        best = min(best, time.perf_counter() - t0)
    return len(items) / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=4000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    train_rows = synth_texts.generate(args.train, seed=1)
    test_rows = synth_texts.generate(args.test, seed=2)
    x_train, y_train = texts_of(train_rows), labels_of(train_rows)
    x_test, y_test = texts_of(test_rows), labels_of(test_rows)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}); {len(synth_texts.labels())} classes, "
        f"train {args.train}, held-out {args.test}"
    )

    t0 = time.perf_counter()
    model = classifier.train(x_train, y_train)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline = classifier.build_baseline().fit(x_train, y_train)
    base_train_s = time.perf_counter() - t0

    predictions = model.predict(x_test)
    ours = classifier.metrics(y_test, [p.label for p in predictions])
    base = classifier.metrics(y_test, list(baseline.predict(x_test)))
    print(f"{'model':<44} {'macro-F1':>9} {'accuracy':>9} {'train s':>8}")
    print(
        f"{'ours: NB-SVM, text + title blocks':<44} {ours['macro_f1']:>9.4f} "
        f"{ours['accuracy']:>9.4f} {train_s:>8.2f}"
    )
    print(
        f"{'baseline: jieba words TF-IDF + MultinomialNB':<44} {base['macro_f1']:>9.4f} "
        f"{base['accuracy']:>9.4f} {base_train_s:>8.2f}"
    )
    print(f"macro-F1 gain over baseline: {ours['macro_f1'] - base['macro_f1']:+.4f}")

    conf = [p.confidence for p in predictions]
    correct = [p.label == y for p, y in zip(predictions, y_test, strict=True)]
    print(f"calibration: expected calibration error {ece(conf, correct):.4f} (10 bins)")
    for threshold in (0.5, 0.7, 0.9):
        auto = [c for p, c in zip(predictions, correct, strict=True) if p.confidence >= threshold]
        share = len(auto) / len(predictions)
        acc = sum(auto) / len(auto) if auto else float("nan")
        print(
            f"  threshold {threshold:.1f}: {share:6.1%} classified automatically at "
            f"{acc:.4f} accuracy, {1 - share:6.1%} wait for a human"
        )

    batch = texts_of(synth_texts.generate(args.batch, seed=3))
    model.predict(batch[:100])  # warm-up
    with_expl = best_rate(model.predict, batch, args.repeat)
    labels_only = best_rate(model.predict_labels, batch, args.repeat)
    base_rate = best_rate(baseline.predict, batch, args.repeat)
    print(f"throughput, {args.batch} texts in one batch, one process, best of {args.repeat}:")
    print(f"  predict (label, confidence, explanation, top-3): {with_expl:>9,.0f} texts/s")
    print(f"  predict_labels:                                  {labels_only:>9,.0f} texts/s")
    print(f"  baseline predict:                                {base_rate:>9,.0f} texts/s")
    ok = with_expl >= BAR and ours["macro_f1"] >= base["macro_f1"]
    print(
        f"bar: >= {BAR:,} texts/s with explanations and macro-F1 >= baseline: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
