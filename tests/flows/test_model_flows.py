"""fit_topics and train_classifier as flows, and a refresh that gives new passages their topic."""

from __future__ import annotations

import json
import shutil

import pytest
from flowkit import SAMPLE, rows, small_folder, write_config

from flows.refresh import run_refresh
from flows.topics import fit_topics
from flows.train import train_classifier

ALL_BUT_ONE = tuple(str(p.relative_to(SAMPLE)) for p in sorted(SAMPLE.rglob("*"))
                    if p.suffix in (".pdf", ".html") and "final-liga" not in p.name)
LAST = SAMPLE / "news" / "2022-12-11_final-liga-askab-sragen.html"
LABELS = SAMPLE.parents[1] / "corpora" / "labels"


@pytest.mark.slow
def test_topics_fitted_by_the_flow_are_assigned_to_new_passages_by_the_next_refresh(tmp_path):
    folder = small_folder(tmp_path, ALL_BUT_ONE)
    config = write_config(tmp_path, '[[sources]]\nname = "s"\nkind = "folder"\npath = "docs"\n')
    db = tmp_path / "corpus.db"
    first = run_refresh(config)
    assert any("No topic model yet" in note for note in first.notes)

    fitted = fit_topics(db=str(db))
    assert fitted["refitted"] and fitted["topics"] >= 2
    assert [(0,)] == rows(db, "SELECT count(*) FROM passages WHERE topic IS NULL")

    shutil.copy(LAST, folder / LAST.name)
    second = run_refresh(config)
    assert 1 == second.sources["s"].new
    assert any("new passage(s) assigned" in note for note in second.notes)
    assert [(0,)] == rows(db, "SELECT count(*) FROM passages WHERE topic IS NULL")
    [(counts,)] = rows(db, "SELECT counts FROM runs ORDER BY started_at DESC LIMIT 1")
    assert any("assigned" in note for note in json.loads(counts)["notes"])


def _labels_subset(where, every: int):
    """Every ``every``-th line of each labelled file: a small corpus of real passages."""
    for split in ("train", "test"):
        (where / split).mkdir(parents=True)
        for path in sorted((LABELS / split).glob("*.jsonl")):
            lines = path.read_text(encoding="utf-8").splitlines()[::every]
            (where / split / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


@pytest.mark.slow
def test_train_classifier_flow_writes_a_model_with_its_card(tmp_path):
    labels = _labels_subset(tmp_path / "labels", every=3)
    out = tmp_path / "model"
    summary = train_classifier(labels=str(labels), out=str(out), candidates=["tfidf-lr.v1"])
    assert summary["test_macro_f1"] > 0.75
    assert (out / "MODEL_CARD.md").is_file() and (out / "metadata.json").is_file()
    assert summary["model"] == json.loads((out / "metadata.json").read_text())["version"]
