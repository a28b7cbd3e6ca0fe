"""The real test set (corpora/labels/real): references still name the passages labelled."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from realset import LABELS, load_real_set, read_references, resolve

pytestmark = pytest.mark.realdata


def test_every_reference_resolves_with_its_hash(realdata: Path) -> None:
    rows = load_real_set(realdata)
    assert len(read_references()) == len(rows)
    assert [] == [ref for text, _, ref in rows if not text.strip()]


def test_at_least_120_references() -> None:
    assert len(read_references()) >= 120


def test_at_least_8_documents() -> None:
    assert len({ref["file"] for ref in read_references()}) >= 8


def test_every_label_is_valid() -> None:
    assert [] == [ref for ref in read_references() if ref["label"] not in LABELS]


def test_every_reference_has_a_note() -> None:
    assert [] == [ref for ref in read_references() if not ref.get("note", "").strip()]


def test_no_two_references_to_the_same_passage(realdata: Path) -> None:
    keys = Counter((ref["file"], ref["citation"], ref["part"]) for ref in read_references())
    assert {} == {key: n for key, n in keys.items() if n > 1}
    # Resolved, two references must not land on one passage either.
    seqs = Counter((ref["file"], resolve(realdata, ref).seq) for ref in read_references())
    assert {} == {key: n for key, n in seqs.items() if n > 1}


def _write(path: Path, refs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(ref) + "\n" for ref in refs), encoding="utf-8")
    return path


def test_changed_text_names_the_reference(realdata: Path, tmp_path: Path) -> None:
    ref = dict(read_references()[0], text_sha256="0" * 64)
    references = _write(tmp_path / "references.jsonl", [ref])
    with pytest.raises(AssertionError, match="passage text changed") as raised:
        load_real_set(realdata, references)
    assert ref["citation"] in str(raised.value)


def test_unresolved_citation_names_the_reference(realdata: Path, tmp_path: Path) -> None:
    ref = dict(read_references()[0], part=999)
    references = _write(tmp_path / "references.jsonl", [ref])
    with pytest.raises(AssertionError, match="citation no longer resolves") as raised:
        load_real_set(realdata, references)
    assert f"{ref['citation']} | part 999" in str(raised.value)
