"""`tumis classify` and `tumis train` as a user runs them: JSONL contract, streaming, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tumis_mining.classify.data import LABELS

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "classifier"
# The commands as the main `tumis` group carries them (cli.add_command).
TUMIS = """
from tumis_mining.cli import cli, main
from tumis_mining.classify.cli import classify_command, train_command
cli.add_command(classify_command)
cli.add_command(train_command)
main()
"""


def tumis(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", TUMIS, *args], input=stdin, capture_output=True,
                          text=True, timeout=600, env=env, cwd=ROOT)


def lines(*records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.mark.parametrize("name", ["classify", "train"])
def test_help_has_an_example(name):
    result = tumis(name, "--help")
    assert 0 == result.returncode
    assert f"Example: tumis {name}" in result.stdout


def test_classify_jsonl_contract():
    result = tumis("classify", "--model", str(MODEL), stdin=lines(
        {"id": "p1", "text": "Peraturan Bupati ini mulai berlaku pada tanggal diundangkan."},
        {"id": 7, "text": "Musyawarah desa membahas dan menyepakati bersama daftar penerima bantuan."},
    ))
    assert 0 == result.returncode, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [["id", "label", "confidence", "scores"]] * 2 == [list(r) for r in records]
    assert ["p1", 7] == [r["id"] for r in records]
    assert "other" == records[0]["label"]
    assert list(LABELS) == list(records[0]["scores"])
    assert records[0]["confidence"] == max(records[0]["scores"].values())


def test_classify_streams_any_number_of_lines_in_order():
    texts = [p["text"] for p in map(json.loads, (ROOT / "corpora/labels/train/cp.jsonl").open())]
    stdin = lines(*({"id": i, "text": texts[i % len(texts)]} for i in range(2500)))
    result = tumis("classify", "--model", str(MODEL), "--batch-size", "300", stdin=stdin + "\n")
    assert 0 == result.returncode, result.stderr
    assert list(range(2500)) == [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("bad, message", [
    ("{not json", "line 3: not valid JSON (Expecting property name enclosed in double quotes)"),
    ('["a", "b"]', 'line 3: expected a JSON object with "id" and "text"'),
    ('{"id": "x"}', 'line 3: missing "text"'),
    ('{"id": "x", "text": 5}', 'line 3: "text" must be a string'),
])
def test_bad_line_stops_with_its_number_after_writing_the_lines_before(bad, message):
    stdin = lines({"id": "a", "text": "Rapat koordinasi."}, {"id": "b", "text": "Pasal 1."}) + bad + "\n" \
        + lines({"id": "c", "text": "Tidak dibaca."})
    result = tumis("classify", "--model", str(MODEL), stdin=stdin)
    assert 2 == result.returncode
    assert [f"tumis: {message}"] == result.stderr.splitlines()
    assert ["a", "b"] == [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_missing_model_is_one_line_naming_the_fix(tmp_path):
    result = tumis("classify", "--model", str(tmp_path / "none"), stdin=lines({"id": 1, "text": "x"}))
    assert 1 == result.returncode
    assert [f"tumis: no model folder at {tmp_path / 'none'}; build the model with `tumis train`"] == \
        result.stderr.splitlines()


def test_model_from_environment(tmp_path):
    env = {**__import__("os").environ, "TUMIS_MODEL": str(tmp_path / "elsewhere")}
    result = tumis("classify", stdin=lines({"id": 1, "text": "x"}), env=env)
    assert 1 == result.returncode
    assert str(tmp_path / "elsewhere") in result.stderr


def test_train_rejects_an_unknown_candidate(tmp_path):
    result = tumis("train", "--candidates", "bert.v9", "--out", str(tmp_path))
    assert 2 == result.returncode
    assert ["tumis: unknown candidate 'bert.v9'; choose from tfidf-lr.v1, tfidf-stem-lr.v1, "
            "e5-lr.v1, e5-tfidf-avg.v1"] == result.stderr.splitlines()


def test_train_without_labels_is_one_clear_line(tmp_path):
    result = tumis("train", "--labels", str(tmp_path), "--out", str(tmp_path / "model"),
                   "--candidates", "tfidf-lr.v1")
    assert 1 == result.returncode
    assert [f"tumis: no labelled passages (*.jsonl) in {tmp_path / 'train'}"] == result.stderr.splitlines()
