"""Benchmark: the case classifier on real citizens' messages, against plain TF-IDF + linear SVMs.

Run from the repository root (needs ../shared/data; skips, saying so, without it):

    .venv/bin/python bench/bench_classifier_real.py [--csv PATH] [--no-full]

The data: ``../shared/data/messages/taidi2020c_messages.csv``, 5,975 messages to a Chinese city
government with their first-level class (7 classes; see its README: for measuring and tuning
only, never shipped). A text is ``title + "\\n" + text``, as ``streetbrain cases classifier train
--text-column title,text`` reads it.

Stratified 5-fold cross-validation (shuffled, seed 0); in every fold, on the same split:

- ours: ``classifier.train`` (the product's model, trained exactly as the CLI trains it);
- baselines: character 1–3-gram TF-IDF + LinearSVC and jieba-word TF-IDF + LinearSVC (sublinear
  tf), each with C in 0.5, 1, 2; the best of the six by mean macro-F1 is the bar to beat (picking
  the baseline's C on the test folds favours the baseline).

Prints macro-F1 per fold and mean, our expected calibration error (10 bins) and the share of
messages a 0.5 confidence threshold leaves to humans (with the accuracy of the rest), the
training time per fold, then (unless ``--no-full``) the time to train on all messages. The
machine's load average is printed beside the times: on a shared machine they vary with it.
Exit status 1 if ours is below 0.92 or not above the best baseline.
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
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from streetbrain.cases.intake import classifier  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT.parent / "shared/data/messages/taidi2020c_messages.csv"
GOAL = 0.92
BASELINE_C = (0.5, 1.0, 2.0)


def ece(confidences, correct, bins: int = 10) -> float:
    confidences, correct = np.asarray(confidences), np.asarray(correct, dtype=float)
    total = 0.0
    for lo, hi in itertools.pairwise(np.linspace(0, 1, bins + 1)):
        mask = (confidences > lo) & (confidences <= hi)
        if mask.any():
            total += mask.mean() * abs(confidences[mask].mean() - correct[mask].mean())
    return total


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def baselines(x_train, y_train, x_test):
    """{name: predictions} of the six plain TF-IDF + LinearSVC baselines."""
    out = {}
    vectorizers = {
        "char 1-3 TF-IDF + LinearSVC": TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            sublinear_tf=True,
            preprocessor=classifier.normalize,
            dtype=np.float32,
        ),
        "jieba words TF-IDF + LinearSVC": TfidfVectorizer(
            tokenizer=classifier.baseline_words,
            token_pattern=None,
            lowercase=False,
            sublinear_tf=True,
            dtype=np.float32,
        ),
    }
    for name, vec in vectorizers.items():
        a, b = vec.fit_transform(x_train), vec.transform(x_test)
        for c in BASELINE_C:
            out[f"{name}, C={c:g}"] = LinearSVC(C=c, random_state=0).fit(a, y_train).predict(b)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--no-full", action="store_true", help="skip training on all messages")
    args = parser.parse_args()
    if not args.csv.exists():
        print(f"SKIPPED: {args.csv} is not here (the shared data sits beside the repository).")
        return 0
    texts, labels = classifier.read_csv(args.csv, ["title", "text"], "label")
    y = np.asarray(labels)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}); {len(texts)} messages, "
        f"{len(set(labels))} classes; stratified 5-fold CV, seed 0"
    )
    folds = StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y)
    scores: dict[str, list[float]] = {}
    train_s, conf, correct = [], [], []
    for k, (tr, te) in enumerate(folds, 1):
        x_train, x_test = [texts[i] for i in tr], [texts[i] for i in te]
        t0 = time.perf_counter()
        model = classifier.train(x_train, y[tr])
        train_s.append(time.perf_counter() - t0)
        predictions = model.predict(x_test, explain=0)
        pred = [p.label for p in predictions]
        scores.setdefault("ours: NB-SVM, text + title blocks", []).append(
            f1_score(y[te], pred, average="macro")
        )
        conf += [p.confidence for p in predictions]
        correct += [p == t for p, t in zip(pred, y[te], strict=True)]
        for name, base_pred in baselines(x_train, y[tr], x_test).items():
            scores.setdefault(name, []).append(f1_score(y[te], base_pred, average="macro"))
        print(
            f"fold {k}: ours {scores['ours: NB-SVM, text + title blocks'][-1]:.4f}, "
            f"trained in {train_s[-1]:.1f} s ({load()})",
            flush=True,
        )

    print(f"\n{'model':<44} {'mean':>7}   macro-F1 per fold")
    for name, fs in scores.items():
        print(f"{name:<44} {np.mean(fs):>7.4f}   {' '.join(f'{f:.4f}' for f in fs)}")
    ours_name = next(iter(scores))
    ours = float(np.mean(scores[ours_name]))
    best_name = max((n for n in scores if n != ours_name), key=lambda n: np.mean(scores[n]))
    best = float(np.mean(scores[best_name]))
    print(f"best baseline: {best_name} {best:.4f}; ours {ours:.4f} ({ours - best:+.4f})")

    conf, correct = np.asarray(conf), np.asarray(correct)
    print(f"\ncalibration over the 5 held-out folds: ECE {ece(conf, correct):.4f} (10 bins)")
    for threshold in (0.5, 0.7, 0.9):
        auto = conf >= threshold
        print(
            f"  threshold {threshold:.1f}: {1 - auto.mean():6.1%} left to humans; the rest "
            f"({auto.mean():.1%}) at {correct[auto].mean():.4f} accuracy"
        )
    print(
        f"training time per fold ({len(tr)} messages): {', '.join(f'{s:.1f}' for s in train_s)} s"
    )
    if not args.no_full:
        t0 = time.perf_counter()
        classifier.train(texts, labels)
        print(f"training on all {len(texts)} messages: {time.perf_counter() - t0:.1f} s ({load()})")
    ok = ours >= GOAL and ours > best
    print(f"bar: macro-F1 >= {GOAL} and above the best baseline: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
