"""The real test set: labelled passages of ../shared/realdata, kept as references, read at run time.

``corpora/labels/real/references.jsonl`` holds one line per labelled passage::

    {"file": "regulations-text/uu-2003-17.md", "citation": "UU 17/2003, Pasal 6", "part": 0,
     "text_sha256": "...", "label": "institutional_design", "note": "..."}

``file`` is relative to the realdata folder; ``part`` is the 0-based index among that file's
passages sharing the citation (a long article is cut into pieces with one citation). The text is
never copied into the project: it is parsed from the real document with the project's own parser,
and ``text_sha256`` proves it is still the text that was labelled. When the parser changes so that
a reference no longer resolves, or resolves to other text, loading fails with an AssertionError
naming the reference: someone must read the passage again and re-check its label.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

from tumis_mining.pipeline import parse_file
from tumis_mining.records import LABELS, Passage

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "corpora" / "labels" / "real" / "references.jsonl"


def read_references(path: Path = REFERENCES) -> list[dict]:
    """The reference rows, in file order (no realdata needed)."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reference_name(ref: dict) -> str:
    """How a reference is named in messages: file, citation and part."""
    return f"{ref['file']} | {ref['citation']} | part {ref['part']}"


@cache
def _passages_by_citation(path: Path) -> dict[str, list[Passage]]:
    """One real document parsed once per session, its passages grouped by citation in order."""
    grouped: dict[str, list[Passage]] = defaultdict(list)
    for passage in parse_file(path).passages:
        grouped[passage.citation].append(passage)
    return dict(grouped)


def resolve(realdata: Path, ref: dict) -> Passage:
    """The passage a reference names; AssertionError naming it when it no longer matches."""
    path = realdata / ref["file"]
    assert path.is_file(), f"{reference_name(ref)}: the document {path} is missing"
    pieces = _passages_by_citation(path).get(ref["citation"], [])
    assert ref["part"] < len(pieces), (
        f"{reference_name(ref)}: the citation no longer resolves (the parser now gives "
        f"{len(pieces)} passage(s) with this citation); re-check the label against the new passages"
    )
    passage = pieces[ref["part"]]
    actual = hashlib.sha256(passage.text.encode()).hexdigest()
    assert ref["text_sha256"] == actual, (
        f"{reference_name(ref)}: the passage text changed (sha256 {actual}, labelled "
        f"{ref['text_sha256']}); the parser changed, so re-read the passage and re-check the label"
    )
    return passage


def load_real_set(realdata: Path, references: Path = REFERENCES) -> list[tuple[str, str, dict]]:
    """(text, label, reference) for every reference, each document parsed once."""
    return [(resolve(realdata, ref).text, ref["label"], ref) for ref in read_references(references)]
