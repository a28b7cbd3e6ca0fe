"""Topics in the corpus database: reading passages, caching embeddings, writing topics.

Tables (``tumis_mining/index/schema.py``, version 2): the contract's ``topics(id, label, words,
size, model)`` and ``passages.topic``, plus ``topic_models`` (one row per fit, ``current`` = 1 for
the one passages refer to), ``passage_embeddings`` (a vector per text sha256 and embedding
version, float32 bytes), ``topics_per_class`` (topic x effective variable) and
``topics_over_time`` (topic x document year). Only passages of active documents take part.

Every write is one transaction: a reader sees the topics of one model, never a mix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..index.store import StoreError, connect, now
from .model import Topic, TopicSlice

_CHUNK = 500  # SQL variables per IN (...) list


@dataclass
class CorpusPassages:
    """The active passages of a corpus, in storage order, with what topics need of them."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    shas: list[str] = field(default_factory=list)
    variables: list[str | None] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)
    topics: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class ModelRow:
    id: str
    fitted_at: str
    embedding: str
    settings: dict
    passages: int
    metrics: dict
    path: str | None
    report: str | None


def open_corpus(path: str | Path) -> sqlite3.Connection:
    """A connection to an existing corpus (migrated to the current schema)."""
    return connect(path, create=False)


@contextmanager
def transaction(conn: sqlite3.Connection):
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot write the corpus database: {exc}") from exc
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_passages(conn: sqlite3.Connection) -> CorpusPassages:
    found = CorpusPassages()
    rows = conn.execute(
        "SELECT p.id, p.text, p.text_sha256, p.variable, d.year, p.topic FROM passages AS p"
        " JOIN documents AS d ON d.id = p.document_id WHERE d.status = 'active' ORDER BY p.rowid")
    for row in rows:
        found.ids.append(row[0])
        found.texts.append(row[1])
        found.shas.append(row[2])
        found.variables.append(row[3])
        found.years.append(row[4])
        found.topics.append(row[5])
    return found


# --- embeddings -----------------------------------------------------------------------------------

def cached_embeddings(conn: sqlite3.Connection, model: str, shas: Iterable[str],
                      dim: int) -> dict[str, np.ndarray]:
    """Vectors already stored for these text hashes under the embedding version ``model``."""
    wanted = sorted(set(shas))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        rows = conn.execute(
            f"SELECT text_sha256, vector FROM passage_embeddings WHERE model = ?"
            f" AND text_sha256 IN ({', '.join('?' * len(chunk))})", (model, *chunk))
        for sha, blob in rows:
            vector = np.frombuffer(blob, dtype="<f4")
            if vector.shape[0] == dim:
                found[sha] = vector
    return found


def store_embeddings(conn: sqlite3.Connection, model: str, vectors: dict[str, np.ndarray]) -> None:
    rows = [(model, sha, np.asarray(v, dtype="<f4").tobytes()) for sha, v in vectors.items()]
    with transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO passage_embeddings (model, text_sha256, vector)"
                         " VALUES (?, ?, ?)", rows)


def prune_embeddings(conn: sqlite3.Connection, stale_prefix: str, keep: str) -> int:
    """Forget vectors of texts no passage has any more, and of earlier fits of a corpus-fitted
    embedder (``stale_prefix`` such as ``tfidf-svd.v1@``, except the version ``keep``)."""
    with transaction(conn):
        removed = conn.execute(
            "DELETE FROM passage_embeddings WHERE model LIKE ? AND model != ?",
            (stale_prefix.replace("%", "") + "%", keep)).rowcount
        removed += conn.execute(
            "DELETE FROM passage_embeddings WHERE text_sha256 NOT IN"
            " (SELECT text_sha256 FROM passages)").rowcount
    return removed


# --- topics ---------------------------------------------------------------------------------------

def current_model(conn: sqlite3.Connection) -> ModelRow | None:
    row = conn.execute(
        "SELECT id, fitted_at, embedding, settings, passages, metrics, path, report"
        " FROM topic_models WHERE current = 1 ORDER BY fitted_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return ModelRow(row[0], row[1], row[2], json.loads(row[3] or "{}"), row[4],
                    json.loads(row[5] or "{}"), row[6], row[7])


def write_topics(conn: sqlite3.Connection, *, model: str, embedding: str, settings: dict,
                 fitted_passages: int, metrics: dict, path: str | None, topics: Sequence[Topic],
                 passage_ids: Sequence[str], assignments: Sequence[int],
                 per_class: Sequence[TopicSlice], over_time: Sequence[TopicSlice],
                 refit: bool, changed: Sequence[int] | None = None) -> None:
    """Store a model's topics, its passages' topics and the per-variable and per-year tables.

    ``refit``: a new model (the topic_models row is written and made current; every passage of
    an inactive document loses its topic). Otherwise only the passages at ``changed`` (indexes
    into ``passage_ids``) are written, and the model's row keeps its fit figures.
    """
    with transaction(conn):
        if refit:
            conn.execute("UPDATE topic_models SET current = 0 WHERE current = 1")
            conn.execute(
                "INSERT OR REPLACE INTO topic_models (id, fitted_at, embedding, settings, passages,"
                " metrics, path, report, current) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 1)",
                (model, now(), embedding, json.dumps(settings, sort_keys=True), fitted_passages,
                 json.dumps(metrics, sort_keys=True), path))
            conn.execute("UPDATE passages SET topic = NULL WHERE topic IS NOT NULL")
            rows = range(len(passage_ids))
        else:
            conn.execute("UPDATE topic_models SET metrics = ? WHERE id = ?",
                         (json.dumps(metrics, sort_keys=True), model))
            rows = changed if changed is not None else range(len(passage_ids))
        conn.executemany("UPDATE passages SET topic = ? WHERE id = ?",
                         ((int(assignments[i]), passage_ids[i]) for i in rows))
        conn.execute("DELETE FROM topics")
        conn.executemany(
            "INSERT INTO topics (id, label, words, size, model) VALUES (?, ?, ?, ?, ?)",
            ((t.id, t.label, json.dumps(t.words, ensure_ascii=False), t.size, model)
             for t in topics if t.size > 0 or t.id != -1))
        conn.execute("DELETE FROM topics_per_class")
        conn.executemany(
            "INSERT INTO topics_per_class (topic, variable, frequency, words, model)"
            " VALUES (?, ?, ?, ?, ?)",
            ((s.topic, str(s.key), s.frequency, json.dumps(s.words, ensure_ascii=False), model)
             for s in per_class))
        conn.execute("DELETE FROM topics_over_time")
        conn.executemany(
            "INSERT INTO topics_over_time (topic, year, frequency, words, model)"
            " VALUES (?, ?, ?, ?, ?)",
            ((s.topic, int(s.key), s.frequency, json.dumps(s.words, ensure_ascii=False), model)
             for s in over_time))


def set_report(conn: sqlite3.Connection, model: str, report: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE topic_models SET report = ? WHERE id = ?", (report, model))


# --- reading --------------------------------------------------------------------------------------

def read_topics(conn: sqlite3.Connection) -> list[Topic]:
    """The topics of the current model, outliers (-1) first."""
    return [Topic(row[0], row[1], json.loads(row[2] or "[]"), row[3]) for row in conn.execute(
        "SELECT id, label, words, size FROM topics ORDER BY id")]


def read_topics_per_class(conn: sqlite3.Connection, topic: int | None = None,
                          variable: str | None = None) -> list[TopicSlice]:
    """Topics x variables: passage counts and the topic's words among that variable's passages."""
    sql = "SELECT topic, variable, frequency, words FROM topics_per_class"
    clauses, params = [], []
    if topic is not None:
        clauses.append("topic = ?")
        params.append(int(topic))
    if variable is not None:
        clauses.append("variable = ?")
        params.append(variable)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return [TopicSlice(r[0], r[1], r[2], json.loads(r[3])) for r in
            conn.execute(sql + " ORDER BY topic, variable", params)]


def read_topics_over_time(conn: sqlite3.Connection, topic: int | None = None,
                          years: tuple[int | None, int | None] | None = None) -> list[TopicSlice]:
    """Topics x years: passage counts and the topic's words in that year."""
    sql = "SELECT topic, year, frequency, words FROM topics_over_time WHERE 1 = 1"
    params: list = []
    if topic is not None:
        sql += " AND topic = ?"
        params.append(int(topic))
    low, high = years or (None, None)
    if low is not None:
        sql += " AND year >= ?"
        params.append(int(low))
    if high is not None:
        sql += " AND year <= ?"
        params.append(int(high))
    return [TopicSlice(r[0], r[1], r[2], json.loads(r[3])) for r in
            conn.execute(sql + " ORDER BY topic, year", params)]
