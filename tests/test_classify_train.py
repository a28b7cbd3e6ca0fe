"""Training: calibration as scikit-learn does it, the selection rule, determinism, rebuilds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

from tumis_mining.classify import Classifier
from tumis_mining.classify.candidates import HEADS, make_pipeline
from tumis_mining.classify.data import LABELS, load_split
from tumis_mining.classify.train import (
    TrainSettings,
    _export,
    fit_temperature,
    select_candidate,
    select_setting,
    train,
)

ROOT = Path(__file__).resolve().parent.parent
LABELS_DIR = ROOT / "corpora" / "labels"
MODEL = ROOT / "models" / "classifier"


@pytest.fixture(scope="module")
def small_labels(tmp_path_factory) -> Path:
    """40 training and 10 test passages per label, taken in file order from corpora/labels."""
    folder = tmp_path_factory.mktemp("labels")
    for split, per_label in (("train", 40), ("test", 10)):
        (folder / split).mkdir()
        taken = {label: 0 for label in LABELS}
        rows = []
        for passage in load_split(LABELS_DIR, split):
            if taken[passage.label] < per_label:
                taken[passage.label] += 1
                rows.append(json.dumps(passage.__dict__, ensure_ascii=False))
        (folder / split / "part.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_data(small_labels):
    passages = load_split(small_labels, "train")
    return [p.text for p in passages], np.array([LABELS.index(p.label) for p in passages])


def test_temperature_is_the_one_scikit_learn_fits(small_data):
    texts, y = small_data
    features = make_pipeline(HEADS["tfidf"], {"word_ngrams": (1, 1), "C": 10.0}, 0) \
        .named_steps["features"].fit(texts).transform(texts)
    folds = StratifiedKFold(5, shuffle=True, random_state=3)
    with threadpool_limits(limits=1, user_api="blas"):
        calibrated = CalibratedClassifierCV(LogisticRegression(C=10.0, max_iter=5000),
                                            method="temperature", cv=folds,
                                            ensemble=False).fit(features, y)
        logits = cross_val_predict(LogisticRegression(C=10.0, max_iter=5000), features, y,
                                   cv=folds, method="decision_function")
    expected = float(calibrated.calibrated_classifiers_[0].calibrators[0].beta_)
    assert pytest.approx(expected, rel=1e-4) == fit_temperature(logits, y)


def test_exported_head_computes_what_the_pipeline_computes(small_data):
    texts, y = small_data
    setting = {"word_ngrams": (1, 2), "C": 30.0}
    pipeline = make_pipeline(HEADS["tfidf-stem"], setting, 7).fit(texts, y)
    head = _export(HEADS["tfidf-stem"], setting, pipeline.named_steps["classifier"],
                   vectorizer=pipeline.named_steps["features"])
    unseen = ["Bupati memimpin rapat bersama para camat dan perusahaan.", "Cuaca cerah sepanjang hari."]
    assert np.allclose(pipeline.predict_proba(unseen), np.exp(head.log_proba(unseen)), atol=1e-12)


def test_setting_rule_keeps_the_most_regularised_near_tie():
    assert 1 == select_setting([{}, {}, {}], [0.90, 0.951, 0.953], tolerance=0.005)
    assert 0 == select_setting([{}, {}], [0.95, 0.95], tolerance=0.0)


def _result(name, f1, speed, slow):
    return SimpleNamespace(name=name, cv=SimpleNamespace(macro_f1=f1), speed=speed,
                           needs_embeddings=slow)


def test_candidate_rule_prefers_fast_unless_the_slow_gain_is_large():
    results = [_result("tfidf-lr.v1", 0.950, 9000, False), _result("tfidf-stem-lr.v1", 0.953, 4000, False),
               _result("e5-tfidf-avg.v1", 0.970, 8, True)]
    settings = TrainSettings(tolerance=0.005, slow_gain=0.03)
    assert "tfidf-lr.v1" == select_candidate(results, settings)[0]
    results[2] = _result("e5-tfidf-avg.v1", 0.990, 8, True)
    assert "e5-tfidf-avg.v1" == select_candidate(results, settings)[0]
    results[1] = _result("tfidf-stem-lr.v1", 0.960, 4000, False)
    results[2] = _result("e5-tfidf-avg.v1", 0.970, 8, True)
    assert "tfidf-stem-lr.v1" == select_candidate(results, settings)[0]


def test_training_twice_gives_the_same_model_and_metrics(small_labels, tmp_path):
    settings = TrainSettings(candidates=("tfidf-stem-lr.v1",), jobs=1)
    first = train(small_labels, tmp_path / "a", settings)
    second = train(small_labels, tmp_path / "b", settings)
    assert first.metadata["parameter_hash"] == second.metadata["parameter_hash"]
    for key in ("version", "cv", "test", "test_hard", "candidates", "grids", "data_hash"):
        if key == "candidates":
            strip = [{k: v for k, v in c.items() if k not in ("passages_per_second", "speed_note")}
                     for c in first.metadata[key]]
            assert strip == [{k: v for k, v in c.items() if k not in ("passages_per_second", "speed_note")}
                             for c in second.metadata[key]]
        else:
            assert first.metadata[key] == second.metadata[key]
    texts = [p.text for p in load_split(small_labels, "test")]
    loaded = Classifier.load(tmp_path / "b")
    assert first.classifier.predict(texts) == loaded.predict(texts)
    assert {"model.json", "vocabulary.json", "weights.npz", "metadata.json", "MODEL_CARD.md"} <= \
        {p.name for p in (tmp_path / "a").iterdir()}


def test_model_card_has_every_section(small_labels, tmp_path):
    train(small_labels, tmp_path, TrainSettings(candidates=("tfidf-lr.v1",)))
    card = (tmp_path / "MODEL_CARD.md").read_text()
    for heading in ("## Data", "## Candidates", "## Quality", "Confusion matrix", "hard cases",
                    "## Calibration", "Reliability", "## Known weaknesses", "## Library versions"):
        assert heading in card


def test_train_command_shows_progress_on_stderr(small_labels, tmp_path):
    program = ("from tumis_mining.cli import cli, main\n"
               "from tumis_mining.classify.cli import train_command\n"
               "cli.add_command(train_command)\nmain()\n")
    result = subprocess.run([sys.executable, "-c", program, "train", "--labels", str(small_labels),
                             "--out", str(tmp_path), "--candidates", "tfidf-lr.v1", "--jobs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert 0 == result.returncode, result.stderr
    assert "cross-validating head tfidf (5 folds)" in result.stderr
    assert "scoring the test split (once)" in result.stderr
    assert f"-> {tmp_path}" in result.stdout


@pytest.mark.slow
def test_retraining_reproduces_the_committed_model(tmp_path):
    metadata = json.loads((MODEL / "metadata.json").read_text())
    report = train(LABELS_DIR, tmp_path, TrainSettings(candidates=(metadata["candidate"],), jobs=2))
    assert metadata["parameter_hash"] == report.metadata["parameter_hash"]
    assert metadata["test"] == report.metadata["test"]
    texts = [p.text for p in load_split(LABELS_DIR, "test")[::5]]
    assert Classifier.load(MODEL).predict(texts) == Classifier.load(tmp_path).predict(texts)
