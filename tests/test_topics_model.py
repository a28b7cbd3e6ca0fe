"""The topic model: deterministic fits, outliers reduced, readable labels, new passages assigned
without a refit, small corpora, saving without pickle."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from topics_corpus import labelled

from tumis_mining.topics import TopicModel, TopicSettings, TopicsError
from tumis_mining.topics.vocabulary import (BOILERPLATE, INNER, fold_phrases, phrase_analyzer,
                                            stop_words)

SMALL = TopicSettings()  # below 200 passages: k-means on the embeddings


@pytest.fixture(scope="module")
def rows():
    return labelled(700)


DENSE = TopicSettings(max_outliers=0.95)  # HDBSCAN kept even when it leaves many outliers


@pytest.fixture(scope="module")
def dense(rows):
    """600 Indonesian passages: UMAP + HDBSCAN, with outliers to reduce."""
    return TopicModel(DENSE).fit([r["text"] for r in rows[:600]])


@pytest.fixture(scope="module")
def small(rows):
    return TopicModel(SMALL).fit([r["text"] for r in rows[:120]])


def test_dense_corpus_uses_umap_and_hdbscan(dense):
    assert {"embedding": "tfidf-svd.v1", "reduction": "umap.v1", "clustering": "hdbscan.v1",
            "vectorizer": "phrases-id.v1", "representation": "phrases.v1"} == dense.sub_models_


def test_outliers_are_reduced(dense):
    assert dense.outliers_before_ > 0.05
    assert 0 == sum(t == -1 for t in dense.topics_)
    assert [] == [t.id for t in dense.topics() if t.id == -1]


def test_same_data_same_topics(rows, dense):
    again = TopicModel(DENSE).fit([r["text"] for r in rows[:600]])
    assert dense.topics_ == again.topics_
    assert [t.as_dict() for t in dense.topics()] == [t.as_dict() for t in again.topics()]
    assert dense.version_ == again.version_


def test_small_fit_is_deterministic_too(rows, small):
    again = TopicModel(SMALL).fit([r["text"] for r in rows[:120]])
    assert small.topics_ == again.topics_
    assert {"reduction": "identity.v1", "clustering": "kmeans.v1"} == {
        k: small.sub_models_[k] for k in ("reduction", "clustering")}


def test_labels_are_readable(dense, small):
    stop = stop_words()
    for model in (dense, small):
        for topic in model.topics():
            assert topic.label == ", ".join(topic.words[:3])
            assert 3 <= len(topic.words) <= 10
            for phrase in topic.words:
                words = phrase.split()
                assert words[0] not in stop and words[-1] not in stop, phrase
                assert [] == [w for w in words if w in BOILERPLATE], phrase
                assert [] == [w for w in words[1:-1] if w in stop and w not in INNER], phrase


def test_phrases_fold_into_longer_ones():
    scored = [("rumah", 3.0), ("layak huni", 2.5), ("rumah tidak layak", 2.0),
              ("gotong royong", 1.9), ("rumah tidak layak huni", 1.8), ("royong", 1.0),
              ("rumah sakit umum", 0.2)]
    assert [("rumah tidak layak huni", 3.0), ("gotong royong", 1.9), ("rumah sakit umum", 0.2)] == (
        fold_phrases(scored, 10))


def test_no_topic_lists_a_phrase_and_a_part_of_it(dense, small):
    for topic in dense.topics() + small.topics():
        for word in topic.words:
            inside = [w for w in topic.words if w != word and f" {w} " in f" {word} "]
            assert [] == inside, (word, topic.words)


def test_phrases_are_read_within_clauses():
    analyze = phrase_analyzer(stop_words(), (1, 4))
    text = "47 rumah tidak layak huni, kerja sama dengan BAZNAS."
    assert ["rumah", "rumah tidak layak", "rumah tidak layak huni", "layak", "layak huni", "huni",
            "kerja sama", "baznas"] == analyze(text)
    # Only the actor is left of a cross-reference.
    text = "Pasal 5 ayat (1) sebagaimana dimaksud dalam Peraturan Bupati Nomor 12"
    assert ["bupati"] == analyze(text)


def test_topics_have_distinct_words(dense):
    words = [w for t in dense.topics() for w in t.words]
    assert len(set(words)) / len(words) >= 0.8


def test_new_passages_are_assigned_without_refit(rows, dense):
    before = (list(dense.topics_), dense.centroids_.copy(), dense.version_)
    new = [r["text"] for r in rows[600:700]]
    assigned = dense.transform(new)
    assert len(new) == len(assigned)
    assert set(assigned) <= {t.id for t in dense.topics()}
    assert before[0] == dense.topics_
    assert np.array_equal(before[1], dense.centroids_)
    assert before[2] == dense.version_
    # A passage already fitted goes where its nearest centroid is, again and again.
    assert list(dense.transform(new[:5])) == list(assigned[:5])


def test_passage_without_topic_words_is_an_outlier(dense):
    assert [-1, -1] == list(dense.transform(["Pasal 5 Cukup jelas.", "2019 2020 (1) a."]))


def test_save_and_load_give_the_same_model(tmp_path, rows, dense):
    folder = dense.save(tmp_path / "model")
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert ["bertopic/config.json", "bertopic/ctfidf.safetensors", "bertopic/ctfidf_config.json",
            "bertopic/topic_embeddings.safetensors", "bertopic/topics.json", "centroids.npz",
            "embedder.json", "embedder.npz", "model.json"] == files
    record = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert dense.version_ == record["version"]
    assert {"bertopic", "umap-learn", "hdbscan", "scikit-learn"} <= set(record["libraries"])
    loaded = TopicModel.load(folder)
    new = [r["text"] for r in rows[600:700]]
    assert list(dense.transform(new)) == list(loaded.transform(new))
    assert [t.as_dict() for t in dense.topics()] == [t.as_dict() for t in loaded.topics()]
    texts = [r["text"] for r in rows[:600]]
    labels = [r["label"] for r in rows[:600]]
    assert dense.topics_per_class(texts, dense.topics_, labels) == loaded.topics_per_class(
        texts, dense.topics_, labels)


def test_topics_per_class_and_over_time_count_every_passage(rows, small):
    texts = [r["text"] for r in rows[:120]]
    labels = [r["label"] for r in rows[:120]]
    years = [2019 + i % 3 for i in range(120)]
    per_class = small.topics_per_class(texts, small.topics_, labels)
    over_time = small.topics_over_time(texts, small.topics_, years)
    assert 120 == sum(s.frequency for s in per_class)
    assert 120 == sum(s.frequency for s in over_time)
    assert {2019, 2020, 2021} == {s.key for s in over_time}
    assert set(labels) == {s.key for s in per_class}
    assert all(s.words for s in per_class)


def test_a_few_dozen_passages_get_a_few_topics(rows):
    texts = [r["text"] for r in rows[:30]]
    model = TopicModel(TopicSettings()).fit(texts)
    assert 4 == len(model.topics())  # sqrt(30 / 2), rounded
    assert 0 == sum(t == -1 for t in model.topics_)
    assert all(len(t.words) >= 3 for t in model.topics())


def test_too_few_passages_is_a_clear_error(rows):
    with pytest.raises(TopicsError, match="3 passages are too few to find topics; at least 5"):
        TopicModel(TopicSettings()).fit([r["text"] for r in rows[:3]])


def test_passages_without_content_words_are_a_clear_error():
    texts = ["Pasal 1 Cukup jelas.", "Pasal 2 Cukup jelas.", "Pasal 3 Cukup jelas.",
             "Ayat (1) Cukup jelas.", "Huruf a Cukup jelas.", "Pasal 4 Cukup jelas."]
    with pytest.raises(TopicsError, match="no content words"):
        TopicModel(TopicSettings()).fit(texts)


def test_duplicate_passages_share_their_topic(rows):
    texts = [r["text"] for r in rows[:40]]
    model = TopicModel(TopicSettings()).fit(texts + texts[:10])
    assert model.topics_[:10] == model.topics_[40:]
    assert 50 == sum(t.size for t in model.topics())


def test_settings_are_checked():
    with pytest.raises(Exception, match="unknown embedding 'bert'"):
        TopicSettings(embedding="bert")
    with pytest.raises(Exception, match="ngram_range"):
        replace(TopicSettings(), ngram_range=(3, 1))


def test_bertopic_runs_without_torch():
    code = ("import sys\nfrom bertopic import BERTopic\nimport tumis_mining.topics.model\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert "[]" == result.stdout.strip(), result.stderr
