"""How good are the topics: coherence, diversity, separation of the variables, outliers.

- ``npmi``: NPMI coherence of each topic's top 10 words, averaged over word pairs and topics.
  Probabilities are passage frequencies in the fitted corpus (a word or phrase "occurs" in a
  passage when the topic vectorizer finds it there); a pair that never co-occurs scores -1.
  Range -1 to 1; above 0 means the words come together more than chance.
- ``diversity``: unique words among all topics' top 10, over 10 x topics (1 = no word shared).
- ``ami``: adjusted mutual information between topics and the passages' variables (labels),
  outliers counted as a topic of their own; ``purity``: the passage-weighted share of each
  topic's most common variable. Variables are functions of a passage, not subjects, so topics
  are not expected to reproduce them; these tell which embedding keeps them apart better.
- ``outliers_before`` / ``outliers``: share of passages in topic -1 before and after reduction.

``compare_embeddings`` fits one model per embedding on the same passages and returns these
figures with timings (``models/topics/README.md`` records the comparison).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from .embedders import make_embedder
from .model import TopicModel
from .settings import EMBEDDINGS, TopicSettings

TOP_N = 10


@dataclass(frozen=True)
class TopicMetrics:
    topics: int
    passages: int
    outliers_before: float
    outliers: float
    diversity: float
    npmi: float
    ami: float | None = None
    purity: float | None = None

    def as_dict(self) -> dict:
        """Rounded figures; NaN (nothing to measure) becomes None."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else
                    round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def topic_diversity(word_lists: Sequence[Sequence[str]], top_n: int = TOP_N) -> float:
    """Share of unique words among the topics' top ``top_n`` words."""
    words = [w for words in word_lists for w in list(words)[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


def npmi_coherence(word_lists: Sequence[Sequence[str]], occurrences, vocabulary: dict[str, int],
                   top_n: int = TOP_N) -> float:
    """Mean NPMI over the topics (each the mean over its word pairs); NaN without pairs.

    ``occurrences``: binary passages x words matrix (scipy sparse), columns per ``vocabulary``.
    """
    if occurrences is None or occurrences.shape[0] == 0:
        return math.nan
    matrix = occurrences.tocsc()
    n = matrix.shape[0]
    scores = []
    for words in word_lists:
        columns = [vocabulary[w] for w in list(words)[:top_n] if w in vocabulary]
        if len(columns) < 2:
            continue
        sub = (matrix[:, columns] > 0).astype(np.float64)
        together = np.asarray((sub.T @ sub).todense())
        single = np.diag(together)
        pairs = []
        for i in range(len(columns)):
            for j in range(i + 1, len(columns)):
                joint = together[i, j] / n
                if joint <= 0:
                    pairs.append(-1.0)
                elif joint >= 1:
                    pairs.append(1.0)
                else:
                    pmi = math.log(joint / ((single[i] / n) * (single[j] / n)))
                    pairs.append(pmi / -math.log(joint))
        scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else math.nan


def variable_separation(topics: Sequence[int], labels: Sequence[str | None]) -> tuple[float, float]:
    """Adjusted mutual information and purity of topics against labels (unlabelled left out)."""
    from sklearn.metrics import adjusted_mutual_info_score  # noqa: PLC0415

    pairs = [(int(t), str(label)) for t, label in zip(topics, labels) if label is not None]
    if not pairs:
        return math.nan, math.nan
    tops, labs = zip(*pairs)
    ami = float(adjusted_mutual_info_score(labs, tops))
    by_topic: dict[int, Counter] = {}
    for topic, label in pairs:
        by_topic.setdefault(topic, Counter())[label] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(pairs)
    return ami, float(purity)


def occurrence_matrix(model: TopicModel, texts: Sequence[str]):
    """Binary passages x topic-words matrix of ``texts`` under the model's vectorizer."""
    counts = model.bertopic_.vectorizer_model.transform(list(texts))
    counts.data[:] = 1
    return counts


def evaluate(model: TopicModel, texts: Sequence[str] | None = None,
             topics: Sequence[int] | None = None,
             labels: Sequence[str | None] | None = None) -> TopicMetrics:
    """The figures of a fitted model over ``texts`` with their ``topics`` (default: the passages
    it was fitted on, and the topics it gave them)."""
    if texts is None:
        occurrences = getattr(model, "occurrences_", None)
        if occurrences is None:
            raise ValueError("a loaded model needs the texts to evaluate on")
        topics = model.topics_ if topics is None else topics
    else:
        occurrences = occurrence_matrix(model, texts)
        topics = model.transform(texts) if topics is None else topics
    word_lists = [t.words for t in model.topics(topics) if t.id != -1]
    topic_array = np.asarray(topics)
    ami = purity = None
    if labels is not None:
        ami, purity = variable_separation(topic_array, labels)
    return TopicMetrics(
        topics=len(word_lists),
        passages=len(topic_array),
        outliers_before=float(model.outliers_before_),
        outliers=float(np.mean(topic_array == -1)) if len(topic_array) else 0.0,
        diversity=topic_diversity(word_lists),
        npmi=npmi_coherence(word_lists, occurrences, model.vocabulary_),
        ami=ami,
        purity=purity,
    )


def compare_embeddings(texts: Sequence[str], labels: Sequence[str | None],
                       names: Sequence[str] = EMBEDDINGS, settings: TopicSettings | None = None,
                       e5_cache=None, held_out: tuple[Sequence[str], Sequence[str]] | None = None
                       ) -> list[dict]:
    """Fit one model per embedding on the same passages: metrics, seconds, topic labels.

    ``e5_cache``: a ``tumis_mining.classify.embeddings.EmbeddingCache`` (the e5 vectors of
    labelled passages are kept there by ``tumis train``). ``held_out``: (texts, labels) assigned
    with ``transform`` after the fit, scored as ``held_out_ami`` / ``held_out_purity``.
    """
    settings = settings or TopicSettings()
    texts = list(texts)
    results = []
    for name in names:
        chosen = replace(settings, embedding=name)
        embedder = make_embedder(chosen, len(set(texts)), cache=e5_cache)
        started = time.perf_counter()
        vectors = embedder.fit_embed(texts)
        embedded = time.perf_counter() - started
        model = TopicModel(chosen, embedder).fit(texts, vectors)
        fitted = time.perf_counter() - started - embedded
        metrics = evaluate(model, labels=labels)
        extra = {}
        if held_out is not None:
            assigned = model.transform(held_out[0], embedder.embed(list(held_out[0])))
            extra["held_out_ami"], extra["held_out_purity"] = (
                round(v, 4) for v in variable_separation(assigned, held_out[1]))
        results.append({
            "embedding": name,
            "embed_seconds": round(embedded, 2),
            "fit_seconds": round(fitted, 2),
            "sub_models": model.sub_models_,
            **metrics.as_dict(),
            **extra,
            "labels": [t.label for t in model.topics() if t.id != -1],
        })
    return results
