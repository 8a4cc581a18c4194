"""NB-SVM for the case classifier (``classifier.build_pipeline``), in a module of its own so
that importing ``classifier`` does not import scikit-learn; model files refer to this path."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

RANDOM_STATE = 0  # the SVMs and the calibration folds (classifier.RANDOM_STATE)


class NBLinear(ClassifierMixin, BaseEstimator):
    """NB-SVM (one-vs-rest linear SVMs on naive-Bayes log-count-ratio scaled features) with
    temperature-scaled softmax probabilities.

    After ``fit``: ``classes_``; ``coef_`` (classes × features, float32), the effective
    weights — the SVM's weight times the feature's log-count ratio, so that a score is the
    plain ``X @ coef_.T + intercept_`` and a feature's contribution is ``x × coef``; and
    ``temperature_``."""

    def __init__(self, C: float = 1.0, alpha: float = 1.0, folds: int = 2):
        self.C = C
        self.alpha = alpha
        self.folds = folds

    def _fit_linear(self, X, y: np.ndarray, classes: np.ndarray):
        """Effective weights and intercepts of one NB-SVM per class."""
        present = (X > 0).astype(np.float32)
        coef = np.zeros((len(classes), X.shape[1]), dtype=np.float32)
        intercept = np.zeros(len(classes), dtype=np.float64)
        for k, cls in enumerate(classes):
            pos = y == cls
            p = self.alpha + np.asarray(present[pos].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~pos].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            svm = LinearSVC(C=self.C, random_state=RANDOM_STATE)
            svm.fit(X.multiply(ratio).tocsr(), pos)
            coef[k] = svm.coef_[0] * ratio
            intercept[k] = svm.intercept_[0]
        return coef, intercept

    def fit(self, X, y):
        X = X.tocsr()
        y = np.asarray([str(v) for v in y])
        self.classes_ = np.unique(y)
        self.coef_, self.intercept_ = self._fit_linear(X, y, self.classes_)
        # The temperature from out-of-fold scores: scores on the training texts themselves
        # are overconfident. Too few examples of some class for two folds: leave it at 1.
        self.temperature_ = 1.0
        _values, counts = np.unique(y, return_counts=True)
        n_folds = min(self.folds, int(counts.min()))
        if n_folds >= 2:
            scores = np.zeros((X.shape[0], len(self.classes_)))
            folds = StratifiedKFold(n_folds, shuffle=True, random_state=RANDOM_STATE)
            for train_idx, test_idx in folds.split(X, y):
                coef, intercept = self._fit_linear(X[train_idx], y[train_idx], self.classes_)
                scores[test_idx] = X[test_idx] @ coef.T + intercept
            truth = np.searchsorted(self.classes_, y)
            self.temperature_ = _fit_temperature(scores, truth)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        return _softmax(self.decision_function(X) / self.temperature_)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(scores / T)."""
    rows = np.arange(len(truth))

    def nll(log_t: float) -> float:
        z = scores / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, truth]))

    found = minimize_scalar(nll, bounds=(-6.0, 4.0), method="bounded")
    return float(np.exp(found.x))
