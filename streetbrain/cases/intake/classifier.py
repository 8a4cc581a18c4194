"""Case classification that learns the street's own history.

A linear text classifier over Chinese (or any) report texts, trained from labelled history.
It works for any label set; in StreetBrain the labels are GB/T 47678.5 classes as
``"kind:code"`` (e.g. ``"matter:06010"`` 暴露垃圾).

Measured on real citizens' messages (5,975 messages to a city government, 7 classes, stratified
5-fold cross-validation, ``bench/bench_classifier_real.py``), not only on the synthetic reports:
the features and the regularisation below are the ones that held up there.

Features (``_features``), all TF-IDF with sublinear tf on the NFKC-normalised, lower-cased text
(``normalize``):

- the whole text: character 2–4-grams and jieba word uni-/bigrams;
- the title (the first line of a text that has more than one; ``title_of``) again, as its own
  character 1–3-grams and jieba words: titles are short and say what the report is about, and a
  block of their own lets the model weigh them apart from a long, pleading body.

Model (``NBLinear``): NB-SVM — one linear SVM per class (one-vs-rest) on the features scaled by
their naive-Bayes log-count ratio for that class (Wang & Manning 2012), the class with the
highest score wins. Its scores become probabilities by a softmax with one temperature fitted on
out-of-fold scores (temperature scaling: it keeps the ranking, so the predicted class and its
explanation stay the linear model's). The probabilities are the confidences; the caller applies
the threshold below which a report waits for a human.

The explanation of a prediction lists the features with the largest contribution (effective
coefficient × tf-idf value) to the predicted class's score; every feature is a substring of
``normalize(text)`` (a title feature and a whole-text feature with the same name add up).

A model file is a joblib dump of ``{"format": FORMAT_VERSION, "meta": {...}, "pipeline": ...}``;
``load`` refuses another format version (retrain: ``streetbrain cases classifier retrain``).
Like any pickle, only load model files you trust.

    model = train(texts, labels)
    model.save("model.joblib")
    model = load("model.joblib")
    [p] = model.predict(["路灯不亮"])
    p.label, p.confidence, p.explanation, p.alternatives
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

# 2: NB-SVM with title blocks and temperature-scaled probabilities (1 was SGD logistic regression).
FORMAT_VERSION = 2
# The SVMs' C, measured by 5-fold cross-validation on the real messages: NB-SVM C=1 0.927
# macro-F1, C=0.3 0.924, C=0.1 0.921 (features above; see bench/bench_classifier_real.py).
C = 1.0
# Laplace smoothing of the naive-Bayes counts behind the log-count ratios.
NB_ALPHA = 1.0
# Folds of the out-of-fold scores that the temperature is fitted on (fewer if a class is rarer):
# two keep training on 6,000 messages well under two minutes on two busy cores.
CALIBRATION_FOLDS = 2
# Whole-text character n-grams seen in one training text only are dropped once there are this
# many texts: they are mostly place names and typos, and they double the model's size. Below
# it (a handful of examples) they may be all there is.
MIN_DF_FROM = 200

# A feature worth showing has at least one letter, digit or CJK character.
_SHOWABLE = re.compile(r"\w")
_BREAK = re.compile(r"[\W_]+")


class ClassifierError(Exception):
    """A user-facing problem (bad input file, unusable training data, unreadable model)."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # the model's probability of ``label``, in [0, 1]
    explanation: list[tuple[str, float]] = field(default_factory=list)  # (feature, weight)
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # top 3, best first


def normalize(text: str) -> str:
    """The text as the features see it: NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def title_of(text: str) -> str:
    """The normalised title: the first line of a text of several lines (``"title\\nbody"``, as
    the intake and the CSV reader join them), else nothing — a one-line text is all body."""
    first, sep, _rest = (text or "").partition("\n")
    return normalize(first) if sep else ""


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """jieba word unigrams and bigrams of adjacent words of ``normalize(text)``. Bigrams are
    written without a separator, so they are substrings of it; none spans punctuation or
    spaces."""
    out: list[str] = []
    prev = None
    for token in _jieba().lcut(normalize(text), HMM=False):
        if _BREAK.fullmatch(token):
            prev = None
            continue
        out.append(token)
        if prev is not None:
            out.append(prev + token)
        prev = token
    return out


def title_words(text: str) -> list[str]:
    """``words`` of the title only."""
    return words(title_of(text))


def baseline_words(text: str) -> list[str]:
    """jieba words without punctuation: the baseline's tokens."""
    return [t for t in _jieba().lcut(normalize(text), HMM=False) if not _BREAK.fullmatch(t)]


def _tfidf(**kwargs):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **kwargs)


def _features(*, titles: bool = True, min_df: int = 2):
    """The feature blocks (see the module's docstring); ``titles=False`` leaves the title
    blocks out (training texts without any title would give them no vocabulary)."""
    from sklearn.pipeline import FeatureUnion

    blocks = [
        (
            "char",
            _tfidf(analyzer="char", ngram_range=(2, 4), min_df=min_df, preprocessor=normalize),
        ),
        ("word", _tfidf(analyzer=words)),
    ]
    if titles:
        blocks += [
            ("title_char", _tfidf(analyzer="char", ngram_range=(1, 3), preprocessor=title_of)),
            ("title_word", _tfidf(analyzer=title_words)),
        ]
    return FeatureUnion(blocks)


def build_pipeline(*, titles: bool = True, min_df: int = 2, c: float = C):
    """Our model: the feature blocks of ``_features`` and ``NBLinear``."""
    from sklearn.pipeline import Pipeline

    from streetbrain.cases.intake.nbsvm import NBLinear

    clf = NBLinear(C=c, alpha=NB_ALPHA, folds=CALIBRATION_FOLDS)
    return Pipeline([("features", _features(titles=titles, min_df=min_df)), ("clf", clf)])


def build_baseline():
    """The plain baseline: TF-IDF of jieba words + multinomial naive Bayes."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(tokenizer=baseline_words, token_pattern=None)),
            ("nb", MultinomialNB()),
        ]
    )


class Model:
    """A trained classifier and its metadata."""

    def __init__(self, pipeline, meta: dict):
        self.pipeline = pipeline
        self.meta = meta
        clf = pipeline.named_steps["clf"]
        self.labels: list[str] = [str(c) for c in clf.classes_]
        self._feature_names = None

    # -- prediction --------------------------------------------------------------------------

    def predict(
        self, texts: Sequence[str], *, explain: int = 8, alternatives: int = 3
    ) -> list[Prediction]:
        """One ``Prediction`` per text: the label, its probability, the ``explain`` features
        that pushed hardest towards it (weight = coefficient × tf-idf value, largest first)
        and the ``alternatives`` most probable labels with their probabilities (best first,
        the predicted label included)."""
        texts = [t or "" for t in texts]
        if not texts:
            return []
        steps = self.pipeline.named_steps
        X = steps["features"].transform(texts).tocsr()
        clf = steps["clf"]
        proba = clf.predict_proba(X)
        best = proba.argmax(axis=1)
        coef = self._class_coef()
        names, showable = self._names() if explain else (None, None)
        out = []
        for i, k in enumerate(best):
            order = np.argsort(-proba[i], kind="stable")[:alternatives]
            alts = [(self.labels[j], float(proba[i, j])) for j in order]
            expl: list[tuple[str, float]] = []
            if explain:
                lo, hi = X.indptr[i], X.indptr[i + 1]
                cols = X.indices[lo:hi]
                contrib = X.data[lo:hi] * coef[k, cols]
                keep = (contrib > 0) & showable[cols]
                cols, contrib = cols[keep], contrib[keep]
                top = np.argsort(-contrib, kind="stable")[: 3 * explain]
                merged: dict[str, float] = {}
                for j in top:
                    name = names[cols[j]]
                    merged[name] = merged.get(name, 0.0) + float(contrib[j])
                expl = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:explain]
            out.append(Prediction(self.labels[k], float(proba[i, k]), expl, alts))
        return out

    def predict_labels(self, texts: Sequence[str]) -> list[str]:
        """Just the labels (fast path for evaluation and batch work)."""
        return [str(x) for x in self.pipeline.predict([t or "" for t in texts])]

    def _class_coef(self) -> np.ndarray:
        """One row of effective weights per class (``NBLinear`` keeps one even for two)."""
        return self.pipeline.named_steps["clf"].coef_

    def _names(self) -> tuple[list[str], np.ndarray]:
        """Feature names (a char n-gram and a word may share a name: their weights add up)
        and which of them are worth showing."""
        if self._feature_names is None:
            union = self.pipeline.named_steps["features"]
            names = []
            for _name, vec in union.transformer_list:
                names.extend(n.strip() or n for n in vec.get_feature_names_out().tolist())
            showable = np.array([bool(_SHOWABLE.search(n)) for n in names], dtype=bool)
            self._feature_names = (names, showable)
        return self._feature_names

    # -- files -------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        import joblib

        path = Path(path)
        # Write beside the target and rename: web workers reload the model when its file
        # changes and must never read a half-written one.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            joblib.dump(
                {"format": FORMAT_VERSION, "meta": self.meta, "pipeline": self.pipeline},
                tmp,
                compress=3,
            )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = C) -> Model:
    """Train on labelled texts. Needs at least two distinct labels. A text is ``"title\nbody"``
    or just a body; the title blocks are used if any training text has a title."""
    import sklearn

    texts = [t or "" for t in texts]
    labels = [str(label) for label in labels]
    if not texts:
        raise ClassifierError(_("There are no training examples."))
    if len(texts) != len(labels):
        raise ClassifierError(_("There must be as many labels as texts."))
    label_set = sorted(set(labels))
    if len(label_set) < 2:
        raise ClassifierError(
            _("Training needs at least two different labels; found only %(label)s.")
            % {"label": repr(label_set[0])}
        )
    titles = any(title_of(t) for t in texts)
    min_df = 2 if len(texts) >= MIN_DF_FROM else 1
    pipeline = build_pipeline(titles=titles, min_df=min_df, c=c)
    pipeline.fit(texts, labels)
    clf = pipeline.named_steps["clf"]
    meta = {
        "format": FORMAT_VERSION,
        "labels": label_set,
        "training_size": len(texts),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "features": [name for name, _vec in pipeline.named_steps["features"].transformer_list],
        "temperature": round(clf.temperature_, 4),
    }
    return Model(pipeline, meta)


def load(path: str | Path) -> Model:
    """Load a model saved by ``Model.save``; ``ClassifierError`` if the file is missing,
    unreadable, not a model, or of another format version."""
    import warnings

    import joblib

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn version warnings: checked via meta
            data = joblib.load(path)
    except Exception as exc:  # any failure to unpickle means "not a usable model file"
        raise ClassifierError(
            _("Cannot read the model file %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(data, dict) or "pipeline" not in data or "format" not in data:
        raise ClassifierError(_("%(path)s is not a case classifier model.") % {"path": path})
    if data["format"] != FORMAT_VERSION:
        raise ClassifierError(
            _("%(path)s has model format %(found)s; this version reads format %(expected)s.")
            % {"path": path, "found": data["format"], "expected": FORMAT_VERSION}
        )
    return Model(data["pipeline"], dict(data.get("meta") or {}))


# -- evaluation ----------------------------------------------------------------------------------


def metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Accuracy, macro-F1 and per-class precision/recall/F1/support (classes of either side)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y_true, y_pred = [str(y) for y in y_true], [str(y) for y in y_pred]
    classes = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=sorted(set(y_true)), average="macro", zero_division=0)
        ),
        "per_class": {
            c: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, c in enumerate(classes)
        },
    }


def evaluate(model: Model, texts: Sequence[str], labels: Sequence[str]) -> dict:
    return metrics(labels, model.predict_labels(texts))


# -- CSV input -----------------------------------------------------------------------------------


def split_columns(specs: Iterable[str]) -> list[str]:
    """``["title,description"]`` or ``["title", "description"]`` → ``["title", "description"]``."""
    out = []
    for spec in specs:
        out.extend(c.strip() for c in spec.split(",") if c.strip())
    return out


def read_csv(
    path: str | Path, text_columns: Sequence[str], label_column: str
) -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV file (UTF-8, with or without BOM, or GB18030). The text is
    the named columns joined by a newline; rows with an empty label are skipped."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ClassifierError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}
        ) from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ClassifierError(
                _("%(path)s is neither UTF-8 nor GB18030 text.") % {"path": path}
            ) from exc
    reader = csv.DictReader(content.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ClassifierError(_("%(path)s is empty.") % {"path": path})
    reader.fieldnames = header
    text_columns = list(text_columns)
    if not text_columns:
        raise ClassifierError(_("Name at least one text column."))
    missing = [c for c in [*text_columns, label_column] if c not in header]
    if missing:
        raise ClassifierError(
            _("%(path)s has no column %(missing)s; its columns are: %(columns)s.")
            % {"path": path, "missing": ", ".join(missing), "columns": ", ".join(header)}
        )
    texts, labels = [], []
    for row in reader:
        label = (row.get(label_column) or "").strip()
        if not label:
            continue
        texts.append("\n".join((row.get(c) or "").strip() for c in text_columns))
        labels.append(label)
    if not texts:
        raise ClassifierError(_("%(path)s has no labelled rows.") % {"path": path})
    return texts, labels
