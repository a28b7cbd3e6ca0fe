"""Topic figures: diversity, NPMI coherence, separation of the variables."""

from __future__ import annotations

import math

import pytest
from scipy.sparse import csr_matrix

from tumis_mining.topics.evaluate import npmi_coherence, topic_diversity, variable_separation


def test_diversity_is_the_share_of_unique_words():
    assert 1.0 == topic_diversity([["a", "b"], ["c", "d"]])
    assert 0.75 == topic_diversity([["a", "b"], ["a", "d"]])
    assert 0.5 == topic_diversity([["a", "b"], ["a", "b"]])


def test_diversity_reads_the_top_ten_only():
    assert 1.0 == topic_diversity([[str(i) for i in range(10)] + ["x"], ["x"]])


def test_npmi_of_words_always_together_is_one_and_never_together_minus_one():
    # passages x words: a and b in passages 0-1, c in passage 2 only, d in passage 3 only
    occurrences = csr_matrix([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    vocabulary = {"a": 0, "b": 1, "c": 2, "d": 3}
    assert 1.0 == pytest.approx(npmi_coherence([["a", "b"]], occurrences, vocabulary))
    assert -1.0 == npmi_coherence([["c", "d"]], occurrences, vocabulary)
    assert 0.0 == pytest.approx(npmi_coherence([["a", "b"], ["c", "d"]], occurrences, vocabulary))


def test_npmi_of_independent_words_is_zero():
    occurrences = csr_matrix([[1, 1], [1, 0], [0, 1], [0, 0]])
    assert 0.0 == pytest.approx(npmi_coherence([["x", "y"]], occurrences, {"x": 0, "y": 1}))


def test_npmi_without_pairs_is_nan():
    assert math.isnan(npmi_coherence([["x"]], csr_matrix([[1]]), {"x": 0}))


def test_topics_that_follow_the_variables_separate_them_fully():
    ami, purity = variable_separation([0, 0, 1, 1, 2, 2], ["a", "a", "b", "b", "c", "c"])
    assert (1.0, 1.0) == (pytest.approx(ami), purity)


def test_unlabelled_passages_are_left_out():
    ami, purity = variable_separation([0, 0, 1, 1, 1], ["a", "a", "b", "a", None])
    assert 0.75 == purity
