"""The classifier on real regulation passages (corpora/labels/real), read from ../shared.

The real set is what it is: real regulations are mostly rules and boilerplate, so three labels
have one to seven passages. The figures are reported by `make bench` and the model card; this test
pins what the committed model does on the two labels with enough support, so that a change in
quality shows up as a failing test rather than silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from realset import load_real_set

from tumis_mining.classify import Classifier, evaluate

MODEL = Path(__file__).resolve().parent.parent / "models" / "classifier"

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real_scores(realdata):
    pairs = [(text, label) for text, label, _ in load_real_set(realdata)]
    return evaluate(Classifier.load(MODEL), pairs)


def test_real_set_is_scored_on_every_reference(real_scores):
    assert real_scores.n >= 120


def test_boilerplate_of_real_regulations_is_recognised(real_scores):
    assert real_scores.per_label["other"].recall >= 0.9


def test_real_institutional_articles_are_rarely_mislabelled_as_process(real_scores):
    """Real articles that assign duties are often taken for `other` (a known weakness, see the
    model card), but they are almost never given a collaboration label they do not have."""
    labels = list(real_scores.labels)
    row = real_scores.confusion[labels.index("institutional_design")]
    wrong_collaboration = sum(row[labels.index(l)] for l in
                              ("starting_conditions", "facilitative_leadership", "collaborative_process"))
    assert wrong_collaboration <= 0.05 * sum(row)
