"""The labelled passages of corpora/labels/: enough, varied, split fairly, not templated."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tumis_mining.classify.data import GENRES, LABELS, check_disjoint, load_split

LABELS_DIR = Path(__file__).resolve().parent.parent / "corpora" / "labels"
# Passages must not name the variables: the classifier has to learn what they look like.
VARIABLE_NAMES = (
    "facilitative leadership", "kepemimpinan fasilitatif", "kondisi awal", "starting conditions",
    "institutional design", "desain kelembagaan", "collaborative process", "proses kolaboratif",
    "collaborative governance", "tata kelola kolaboratif",
)


@pytest.fixture(scope="module")
def train():
    return load_split(LABELS_DIR, "train")


@pytest.fixture(scope="module")
def test_split():
    return load_split(LABELS_DIR, "test")


@pytest.fixture(scope="module")
def everything(train, test_split):
    return train + test_split


def test_at_least_2000_passages(everything):
    assert len(everything) >= 2000


def test_at_least_300_per_label(everything):
    counts = Counter(p.label for p in everything)
    assert set(LABELS) == set(counts)
    assert [] == [label for label, n in counts.items() if n < 300]


def test_mostly_indonesian_with_english(everything):
    langs = Counter(p.lang for p in everything)
    assert langs["id"] / len(everything) >= 0.75
    assert langs["en"] / len(everything) >= 0.10


def test_every_label_in_every_genre_in_both_splits(train, test_split):
    for split in (train, test_split):
        pairs = {(p.label, p.genre) for p in split}
        assert [] == [(label, genre) for label in LABELS for genre in GENRES
                      if (label, genre) not in pairs]


def test_test_split_is_a_stratified_fifth(everything, test_split):
    assert 0.18 <= len(test_split) / len(everything) <= 0.22
    total = Counter(p.label for p in everything)
    held = Counter(p.label for p in test_split)
    shares = {label: held[label] / total[label] for label in LABELS}
    assert {} == {label: round(s, 3) for label, s in shares.items() if not 0.17 <= s <= 0.23}


def test_splits_share_no_passage(train, test_split):
    check_disjoint(train, test_split)  # raises LabelDataError naming the passage


def test_hard_cases_are_marked_in_both_splits(train, test_split):
    assert sum(p.hard for p in train) >= 100
    assert sum(p.hard for p in test_split) >= 25


def test_no_passage_names_the_variables(everything):
    found = [(p.id, name) for p in everything for name in VARIABLE_NAMES
             if name in p.text.casefold()]
    assert [] == found


def test_no_near_duplicates_across_train_and_test(everything):
    matrix = TfidfVectorizer().fit_transform([p.text for p in everything])
    similarity = (matrix @ matrix.T).toarray()
    first, second = np.where(np.triu(similarity, k=1) > 0.8)
    pairs = [(everything[i].id, everything[j].id, round(float(similarity[i, j]), 3))
             for i, j in zip(first, second)]
    assert [] == pairs
