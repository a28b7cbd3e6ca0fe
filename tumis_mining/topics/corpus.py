"""The topics stage over a corpus database: fit (or assign), store, report.

``run_topics(db)`` fits a topic model over the active passages when the corpus has none (or
``refit=True``, or another embedding is asked for), saves it beside the database
(``data/corpus.topics/`` for ``data/corpus.db``), and stores every passage's topic, the topics,
topics per variable and topics over time. Otherwise it loads the saved model and assigns only the
passages that have no topic yet (new or changed documents since the fit) with ``transform``: no
refit. Either way the per-variable and per-year tables are recomputed (analysts' labels may have
changed the variables) and the HTML report is rewritten when a path is given.

Embeddings are computed once per distinct passage text and kept in ``passage_embeddings`` under
the embedder's version: e5 vectors (slow to compute) are reused by every later fit;
``tfidf-svd.v1`` vectors belong to one fit, and those of earlier fits are dropped.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .embedders import make_embedder
from .evaluate import evaluate
from .model import Topic, TopicModel
from .report import write_report
from .settings import TopicSettings, TopicsError
from .store import (CorpusPassages, cached_embeddings, current_model, open_corpus,
                    prune_embeddings, read_passages, set_report, store_embeddings, write_topics)


class Progress:
    """What ``run_topics`` reports while it works; the command line draws it."""

    def step(self, message: str) -> None:
        """A new step begins."""

    def advance(self, done: int, total: int) -> None:
        """Passages embedded so far in the current step."""


@dataclass
class TopicsRun:
    """What a run did."""

    model: str
    refitted: bool
    passages: int
    assigned: int
    topics: list[Topic]
    metrics: dict
    model_dir: Path
    report: Path | None
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def outliers(self) -> float:
        total = sum(t.size for t in self.topics)
        return sum(t.size for t in self.topics if t.id == -1) / total if total else 0.0


def default_model_dir(db: str | Path) -> Path:
    """Where a corpus keeps its topic model: ``data/corpus.topics/`` for ``data/corpus.db``."""
    db = Path(db)
    return db.with_name(db.stem + ".topics")


def run_topics(db: str | Path, settings: TopicSettings | None = None, *, refit: bool = False,
               embedding: str | None = None, model_dir: str | Path | None = None,
               report: str | Path | None = None, progress: Progress | None = None) -> TopicsRun:
    """Fit or update the topics of the corpus at ``db``; see the module doc."""
    started = time.perf_counter()
    progress = progress or Progress()
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir(db)
    conn = open_corpus(db)
    try:
        progress.step("reading passages")
        passages = read_passages(conn)
        if not len(passages):
            raise TopicsError(f"{db} has no passages: ingest documents first "
                              "(`tumis ingest PATH... --db DB`)")
        current = current_model(conn)
        notes: list[str] = []
        if settings is None:
            settings = TopicSettings.from_dict(current.settings) if current else TopicSettings()
        if embedding is not None and embedding != settings.embedding:
            settings = replace(settings, embedding=embedding)
        reason = _refit_reason(refit, current, settings, model_dir)
        if reason:
            notes.append(reason)
            model, topics, changed, metrics = _fit(conn, passages, settings, model_dir, progress)
        else:
            model, topics, changed = _assign(conn, passages, model_dir, current, progress)
            metrics = dict(current.metrics)
            metrics["outliers"] = float(np.mean(np.asarray(topics) == -1))
        progress.step("topics per variable and over time")
        per_class = model.topics_per_class(passages.texts, topics, passages.variables)
        over_time = model.topics_over_time(passages.texts, topics, passages.years)
        topic_list = model.topics(topics)
        progress.step("writing topics to the corpus")
        write_topics(conn, model=model.version_, embedding=model.settings.embedding,
                     settings=model.settings.as_dict(), fitted_passages=model.passages_,
                     metrics=metrics, path=str(model_dir.resolve()), topics=topic_list,
                     passage_ids=passages.ids, assignments=topics, per_class=per_class,
                     over_time=over_time, refit=bool(reason), changed=changed)
        written = None
        if report is not None:
            progress.step(f"writing the report {report}")
            written = write_report(report, model, topic_list, per_class, over_time,
                                   _report_metrics(metrics), title=f"Topics of {Path(db).name}")
            set_report(conn, model.version_, str(Path(written).resolve()))
    finally:
        conn.close()
    return TopicsRun(model=model.version_, refitted=bool(reason), passages=len(passages),
                     assigned=len(changed), topics=topic_list, metrics=metrics,
                     model_dir=model_dir, report=written,
                     seconds=time.perf_counter() - started, notes=notes)


def _refit_reason(refit: bool, current, settings: TopicSettings, model_dir: Path) -> str | None:
    if refit:
        return "refit on request"
    if current is None:
        return "no topic model yet"
    if not (model_dir / "model.json").exists():
        return f"no saved model in {model_dir}"
    if current.embedding != settings.embedding:
        return f"embedding {settings.embedding} asked for (the model has {current.embedding})"
    return None


def _embed(conn, embedder, texts: list[str], shas: list[str], progress: Progress) -> np.ndarray:
    """Vectors for ``texts``: from the corpus cache where there, computed (and cached) if not."""
    version = embedder.version
    cached = cached_embeddings(conn, version, shas, embedder.dim)
    missing = [i for i, sha in enumerate(shas) if sha not in cached]
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, sha in enumerate(shas):
        if sha in cached:
            out[i] = cached[sha]
    if missing:
        progress.step(f"embedding {len(missing)} passages ({version}; "
                      f"{len(cached)} from the corpus cache)")
        fresh = embedder.embed([texts[i] for i in missing], progress=progress.advance)
        out[missing] = fresh
        store_embeddings(conn, version, {shas[i]: fresh[k] for k, i in enumerate(missing)})
    return out


def _distinct(passages: CorpusPassages) -> tuple[list[str], list[str], np.ndarray]:
    """Distinct texts, their hashes, and for each passage the index of its text."""
    index: dict[str, int] = {}
    texts, shas, where = [], [], np.zeros(len(passages), dtype=np.int64)
    for i, (text, sha) in enumerate(zip(passages.texts, passages.shas)):
        if sha not in index:
            index[sha] = len(texts)
            texts.append(text)
            shas.append(sha)
        where[i] = index[sha]
    return texts, shas, where


def _fit(conn, passages: CorpusPassages, settings: TopicSettings, model_dir: Path,
         progress: Progress):
    texts, shas, where = _distinct(passages)
    embedder = make_embedder(settings, len(texts))
    if embedder.fitted_on_corpus:
        progress.step(f"fitting the {settings.embedding} embedding on {len(texts)} passages")
        vectors = embedder.fit_embed(texts)
        store_embeddings(conn, embedder.version, dict(zip(shas, vectors)))
    else:
        vectors = _embed(conn, embedder, texts, shas, progress)
    model = TopicModel(settings, embedder).fit(passages.texts, vectors[where], step=progress.step)
    topics = list(model.topics_)
    progress.step("measuring the topics")
    metrics = evaluate(model, labels=passages.variables).as_dict()
    progress.step(f"saving the model to {model_dir}")
    _save(model, model_dir)
    prune_embeddings(conn, settings.embedding + "@", keep=embedder.version)
    return model, topics, list(range(len(passages))), metrics


def _save(model: TopicModel, model_dir: Path) -> None:
    """Save into a fresh folder, then swap it in: the old model stays whole until then."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = model_dir.with_name(model_dir.name + ".new")
    old = model_dir.with_name(model_dir.name + ".old")
    for stale in (fresh, old):
        if stale.exists():
            shutil.rmtree(stale)
    model.save(fresh)
    if model_dir.exists():
        model_dir.rename(old)
    fresh.rename(model_dir)
    if old.exists():
        shutil.rmtree(old)


def _assign(conn, passages: CorpusPassages, model_dir: Path, current, progress: Progress):
    progress.step(f"loading the topic model from {model_dir}")
    model = TopicModel.load(model_dir)
    if model.version_ != current.id:
        raise TopicsError(f"{model_dir} holds {model.version_}, but the corpus's topics come from "
                          f"{current.id}; refit with `tumis topics --refit`")
    changed = [i for i, topic in enumerate(passages.topics) if topic is None]
    topics = [int(t) if t is not None else -1 for t in passages.topics]
    if changed:
        texts = [passages.texts[i] for i in changed]
        shas = [passages.shas[i] for i in changed]
        vectors = _embed(conn, model.embedder_, texts, shas, progress)
        progress.step(f"assigning {len(changed)} new passages to {len(model.topics())} topics")
        for i, topic in zip(changed, model.transform(texts, vectors)):
            topics[i] = int(topic)
    return model, topics, changed


def _report_metrics(metrics: dict) -> dict:
    names = {"npmi": "NPMI coherence", "diversity": "topic diversity",
             "ami": "topics vs variables (AMI)", "outliers_before": "outliers before reduction",
             "outliers": "outliers now"}
    return {label: metrics[key] for key, label in names.items() if metrics.get(key) is not None}

