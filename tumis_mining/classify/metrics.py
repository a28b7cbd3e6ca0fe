"""Scores of a classifier: per-label precision, recall and F1, macro-F1, confusion, calibration.

``evaluate(classifier, pairs)`` is the entry point for any labelled set of ``(text, label)``
pairs, e.g. a test set built from real documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from ..errors import TumisError

ECE_BINS = 10


@dataclass(frozen=True)
class LabelScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Scores on one labelled set; ``confusion[i][j]``: true ``labels[i]`` predicted ``labels[j]``."""

    labels: tuple[str, ...]
    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScores]
    confusion: list[list[int]]
    ece: float
    reliability: list[dict]

    def as_dict(self) -> dict:
        return asdict(self)


def scores(labels: Sequence[str], truth: Sequence[str], proba: np.ndarray) -> Evaluation:
    """Evaluate probabilities ``proba`` (columns in ``labels`` order) against true labels."""
    labels = tuple(labels)
    unknown = sorted(set(truth) - set(labels))
    if unknown:
        raise TumisError(f"labels outside the model's labels: {', '.join(unknown)}")
    truth = np.asarray(truth, dtype=object)
    proba = np.asarray(proba, dtype=np.float64)
    predicted = np.asarray(labels, dtype=object)[proba.argmax(axis=1)] if len(truth) else truth
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(labels), zero_division=0)
    per_label = {label: LabelScores(float(p), float(r), float(f), int(s))
                 for label, p, r, f, s in zip(labels, precision, recall, f1, support)}
    matrix = confusion_matrix(truth, predicted, labels=list(labels)) if len(truth) else \
        np.zeros((len(labels), len(labels)), dtype=int)
    correct = predicted == truth
    confidence = proba.max(axis=1) if len(truth) else np.zeros(0)
    return Evaluation(
        labels=labels, n=len(truth),
        accuracy=float(correct.mean()) if len(truth) else 0.0,
        macro_f1=float(np.mean(f1)),
        per_label=per_label,
        confusion=matrix.tolist(),
        ece=expected_calibration_error(confidence, correct),
        reliability=reliability_table(confidence, correct),
    )


def evaluate(classifier, pairs: Iterable[tuple[str, str]]) -> Evaluation:
    """Score ``classifier`` (a ``Classifier``) on ``(text, label)`` pairs."""
    pairs = list(pairs)
    texts = [text for text, _ in pairs]
    truth = [label for _, label in pairs]
    return scores(classifier.labels, truth, classifier.predict_proba(texts))


def _bins(confidence: np.ndarray, bins: int) -> np.ndarray:
    return np.minimum((confidence * bins).astype(int), bins - 1)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray,
                               bins: int = ECE_BINS) -> float:
    """ECE over ``bins`` equal-width bins of top-label confidence: sum of |accuracy - confidence|
    weighted by each bin's share of passages."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return 0.0
    which = _bins(confidence, bins)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def reliability_table(confidence: np.ndarray, correct: np.ndarray,
                      bins: int = ECE_BINS) -> list[dict]:
    """Per confidence bin: its range, passages, mean confidence and accuracy (empty bins left out)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    which = _bins(confidence, bins)
    rows = []
    for b in range(bins):
        members = which == b
        if members.any():
            rows.append({"low": b / bins, "high": (b + 1) / bins, "n": int(members.sum()),
                         "confidence": float(confidence[members].mean()),
                         "accuracy": float(correct[members].mean())})
    return rows
