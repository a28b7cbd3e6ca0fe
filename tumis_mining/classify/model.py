"""The trained classifier: prediction, and saving/loading without running code.

A model folder (``models/classifier/``) holds

- ``model.json``: format, candidate, labels, each head's settings and temperature;
- ``vocabulary.json``: each tfidf head's word and character vocabularies (and stems);
- ``weights.npz``: coefficients, intercepts and idf weights as plain arrays (read with
  ``allow_pickle=False``);
- ``metadata.json`` and ``MODEL_CARD.md``, written by training.

Loading reads JSON and numbers only: no pickle, nothing executed. Probabilities are computed as
the training pipeline computes them: ``softmax(beta * (X @ coef.T + intercept))`` per head
(``CalibratedClassifierCV`` with temperature scaling), heads combined by geometric mean.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import TumisError
from .features import PassageVectorizer

FORMAT = "tumis-classifier/1"
FILES = ("model.json", "vocabulary.json", "weights.npz")
FIX = "rebuild it with `tumis train`"


class ModelError(TumisError):
    """The model folder is missing, corrupt or written by an incompatible version."""

    error = "model"


@dataclass(frozen=True)
class Prediction:
    """The classification of one passage."""

    label: str
    confidence: float
    scores: dict[str, float]
    model: str


@dataclass
class LinearHead:
    """Features -> logistic regression -> temperature-scaled softmax."""

    name: str
    features: str  # "tfidf" or "e5"
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray  # (labels,)
    beta: float  # inverse temperature
    settings: dict = field(default_factory=dict)
    vectorizer: PassageVectorizer | None = None
    embedder: object | None = None  # an E5Embedder, made on first use

    def transform(self, texts: Sequence[str]):
        if self.features == "tfidf":
            return self.vectorizer.transform(texts)
        if self.embedder is None:
            from .embeddings import E5Embedder  # noqa: PLC0415

            self.embedder = E5Embedder()
        return self.embedder.embed(texts)

    def log_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.log_proba_features(self.transform(texts))

    def log_proba_features(self, features) -> np.ndarray:
        """Log-probabilities from this head's features (a TF-IDF matrix or embeddings)."""
        logits = np.asarray(features @ self.coef.T) + self.intercept
        return log_softmax(self.beta * logits)


def log_softmax(values: np.ndarray) -> np.ndarray:
    """Row-wise log of the softmax, computed stably."""
    shifted = values - values.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class Classifier:
    """A trained passage classifier. ``Classifier.load(path).predict(texts)``."""

    def __init__(self, candidate: str, labels: Sequence[str], heads: list[LinearHead],
                 metadata: dict | None = None) -> None:
        self.candidate = candidate
        self.labels = tuple(labels)
        self.heads = heads
        self.metadata = dict(metadata or {})
        self._version: str | None = None

    @property
    def version(self) -> str:
        """``<candidate>-<first 10 hex digits of the parameter hash>``, e.g. ``tfidf-lr.v1-1a2b3c4d5e``."""
        if self._version is None:
            self._version = f"{self.candidate}-{self.parameter_hash()[:10]}"
        return self._version

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in ``self.labels`` order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.labels)))
        log_p = sum(head.log_proba(texts) for head in self.heads) / len(self.heads)
        return np.exp(log_softmax(log_p))

    def predict(self, texts: Iterable[str], batch_size: int = 1000) -> list[Prediction]:
        """One ``Prediction`` per text: label, confidence (its probability), every label's score."""
        texts = list(texts)
        version = self.version
        predictions = []
        for start in range(0, len(texts), batch_size):
            proba = self.predict_proba(texts[start:start + batch_size])
            for row in proba:
                best = int(row.argmax())
                predictions.append(Prediction(
                    label=self.labels[best], confidence=float(row[best]),
                    scores={label: float(p) for label, p in zip(self.labels, row)},
                    model=version))
        return predictions

    # -- parameters and their hash ----------------------------------------------------------------

    def _documents(self) -> tuple[dict, dict, dict[str, np.ndarray]]:
        model = {"format": FORMAT, "candidate": self.candidate, "labels": list(self.labels),
                 "combine": "geometric_mean", "heads": []}
        vocabulary: dict = {}
        arrays: dict[str, np.ndarray] = {}
        for head in self.heads:
            model["heads"].append({"name": head.name, "features": head.features,
                                   "settings": head.settings, "beta": float(head.beta)})
            arrays[f"{head.name}.coef"] = np.asarray(head.coef, dtype=np.float64)
            arrays[f"{head.name}.intercept"] = np.asarray(head.intercept, dtype=np.float64)
            if head.features == "tfidf":
                state = head.vectorizer.learned_state()
                vocabulary[head.name] = {k: state[k] for k in
                                         ("word_vocabulary", "char_vocabulary", "stems")}
                arrays[f"{head.name}.word_idf"] = state["word_idf"]
                arrays[f"{head.name}.char_idf"] = state["char_idf"]
        return model, vocabulary, arrays

    def parameter_hash(self) -> str:
        """sha256 of the settings, vocabularies and weights (rounded to 1e-6)."""
        model, vocabulary, arrays = self._documents()
        digest = hashlib.sha256()
        model = {**model, "heads": [{**h, "beta": round(h["beta"], 6)} for h in model["heads"]]}
        digest.update(json.dumps(model, sort_keys=True).encode())
        digest.update(json.dumps(vocabulary, sort_keys=True, ensure_ascii=False).encode())
        for name in sorted(arrays):
            rounded = np.round(arrays[name], 6) + 0.0  # + 0.0 turns -0.0 into 0.0
            digest.update(name.encode())
            digest.update(rounded.astype("<f8").tobytes())
        return digest.hexdigest()

    # -- files --------------------------------------------------------------------------------

    def save(self, folder: str | Path, metadata: dict | None = None) -> Path:
        """Write ``model.json``, ``vocabulary.json``, ``weights.npz`` (+ ``metadata.json``)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        model, vocabulary, arrays = self._documents()
        (folder / "model.json").write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        (folder / "vocabulary.json").write_text(
            json.dumps(vocabulary, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8")
        np.savez(folder / "weights.npz", **arrays)
        if metadata is not None:
            self.metadata = dict(metadata)
            (folder / "metadata.json").write_text(
                json.dumps(metadata, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Classifier:
        """Read a model folder; any problem is one ``ModelError`` naming the file and the fix."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ModelError(f"no model folder at {folder}; build the model with `tumis train`")
        for name in FILES:
            if not (folder / name).is_file():
                raise ModelError(f"model file {folder / name} is missing; {FIX}")
        model = _read_json(folder / "model.json")
        if not isinstance(model, dict) or model.get("format") != FORMAT:
            found = model.get("format") if isinstance(model, dict) else None
            raise ModelError(f"model file {folder / 'model.json'} has format {found!r}, "
                             f"this version reads {FORMAT!r}; {FIX}")
        vocabulary = _read_json(folder / "vocabulary.json")
        arrays = _read_arrays(folder / "weights.npz")
        metadata_path = folder / "metadata.json"
        metadata = _read_json(metadata_path) if metadata_path.is_file() else {}
        try:
            heads = [_head(spec, vocabulary, arrays) for spec in model["heads"]]
            labels = model["labels"]
            for head in heads:
                if head.coef.shape[0] != len(labels) or head.intercept.shape != (len(labels),):
                    raise ValueError(f"head {head.name}: weights do not match the labels")
            classifier = cls(model["candidate"], labels, heads, metadata)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"model files in {folder} do not fit together ({exc}); {FIX}") from None
        return classifier


def _head(spec: dict, vocabulary: dict, arrays: dict[str, np.ndarray]) -> LinearHead:
    name = spec["name"]
    coef = arrays[f"{name}.coef"]
    vectorizer = None
    if spec["features"] == "tfidf":
        params = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in spec["settings"]["vectorizer"].items()}
        state = dict(vocabulary[name])
        state["word_idf"] = arrays[f"{name}.word_idf"]
        state["char_idf"] = arrays[f"{name}.char_idf"]
        if len(state["word_idf"]) != len(state["word_vocabulary"]) or \
                len(state["char_idf"]) != len(state["char_vocabulary"]):
            raise ValueError(f"head {name}: idf weights do not match the vocabulary")
        vectorizer = PassageVectorizer.from_state(params, state)
        if coef.shape[1] != vectorizer.n_features_out_:
            raise ValueError(f"head {name}: {coef.shape[1]} weights for "
                             f"{vectorizer.n_features_out_} features")
    elif spec["features"] != "e5":
        raise ValueError(f"unknown features {spec['features']!r}")
    return LinearHead(name=name, features=spec["features"], coef=coef,
                      intercept=arrays[f"{name}.intercept"], beta=float(spec["beta"]),
                      settings=spec["settings"], vectorizer=vectorizer)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model file {path} is corrupt or unreadable ({_reason(exc)}); {FIX}") from None


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"model file {path} is corrupt or unreadable ({_reason(exc)}); {FIX}") from None


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
