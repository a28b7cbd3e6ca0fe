"""`tumis train --include-corrections` learns from analysts' codes in the corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tumis(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tumis_mining.cli", *args], capture_output=True,
                          text=True, timeout=900, cwd=cwd)


@pytest.mark.slow
def test_training_includes_analysts_codes(tmp_path):
    db = tmp_path / "corpus.db"
    news = ROOT / "corpora" / "sample" / "news" / "2022-04-12_rakor-desa-tumis-pendapa.html"
    assert 0 == tumis("ingest", str(news), "--db", str(db), cwd=tmp_path).returncode
    found = tumis("query", "--db", str(db), "--format", "json", "--limit", "2", cwd=tmp_path)
    ids = [row["id"] for row in json.loads(found.stdout)]
    for passage_id in ids:
        assert 0 == tumis("label", passage_id, "collaborative_process", "--db", str(db),
                          cwd=tmp_path).returncode
    out = tmp_path / "model"
    result = tumis("train", "--labels", str(ROOT / "corpora" / "labels"), "--out", str(out),
                   "--candidates", "tfidf-lr.v1", "--include-corrections", "--db", str(db),
                   cwd=tmp_path)
    assert 0 == result.returncode, result.stderr
    assert "2 analysts' correction(s) added to the training split" in result.stderr
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata  # the model was written


def test_include_corrections_without_a_database_is_a_usage_error(tmp_path):
    result = tumis("train", "--include-corrections", "--db", str(tmp_path / "none.db"),
                   "--out", str(tmp_path / "m"), cwd=tmp_path)
    assert 2 == result.returncode
    assert f"tumis: no corpus database at {tmp_path / 'none.db'}" in result.stderr
