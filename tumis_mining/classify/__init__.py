"""Classify passages into the four collaboration variables of ``../shared/CODEBOOK.md``.

``Classifier.load(path).predict(texts)`` gives one ``Prediction`` (label, confidence, scores,
model) per text; ``train(labels_dir, out_dir)`` rebuilds a model; ``evaluate(classifier, pairs)``
scores one on ``(text, label)`` pairs. The CLI commands are in ``tumis_mining.classify.cli``.

Names are imported on first use, so that importing this package (as the command line does)
does not load scikit-learn.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "Classifier": "model",
    "Prediction": "model",
    "ModelError": "model",
    "LABELS": "data",
    "LabelledPassage": "data",
    "LabelDataError": "data",
    "load_labels": "data",
    "load_split": "data",
    "data_hash": "data",
    "evaluate": "metrics",
    "Evaluation": "metrics",
    "train": "train",
    "TrainSettings": "train",
    "CANDIDATES": "candidates",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
