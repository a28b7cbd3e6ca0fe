"""Labelled passages: loading, checking and hashing ``corpora/labels/{train,test}/*.jsonl``.

Each line is one JSON object with ``id, text, label, lang, genre, source_note``; a
``source_note`` starting with ``HARD:`` marks a hard case (see ``corpora/labels/ANNOTATION.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import TumisError
from ..records import LABELS

LANGS = ("id", "en")
GENRES = ("regulation", "decree", "news", "report")
SPLITS = ("train", "test")
FIELDS = ("id", "text", "label", "lang", "genre", "source_note")
HARD_PREFIX = "HARD:"


class LabelDataError(TumisError):
    """The labelled passages cannot be read or break the format."""

    error = "labels"


@dataclass(frozen=True)
class LabelledPassage:
    id: str
    text: str
    label: str
    lang: str
    genre: str
    source_note: str = ""

    @property
    def hard(self) -> bool:
        """A hard case by the annotators' mark (``source_note`` starting ``HARD:``)."""
        return self.source_note.startswith(HARD_PREFIX)


def _parse(line: str, where: str) -> LabelledPassage:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LabelDataError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise LabelDataError(f"{where}: expected a JSON object")
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise LabelDataError(f"{where}: missing field(s) {', '.join(missing)}")
    if not all(isinstance(record[f], str) for f in FIELDS):
        raise LabelDataError(f"{where}: every field must be a string")
    passage = LabelledPassage(**{f: record[f] for f in FIELDS})
    if not passage.text.strip():
        raise LabelDataError(f"{where}: empty text")
    for value, allowed, name in ((passage.label, LABELS, "label"), (passage.lang, LANGS, "lang"),
                                 (passage.genre, GENRES, "genre")):
        if value not in allowed:
            raise LabelDataError(f"{where}: {name} {value!r} is not one of {', '.join(allowed)}")
    return passage


def load_labels(folder: str | Path) -> list[LabelledPassage]:
    """Every passage of the ``*.jsonl`` files in ``folder`` (sorted by file name, then line)."""
    folder = Path(folder)
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        raise LabelDataError(f"no labelled passages (*.jsonl) in {folder}")
    passages: list[LabelledPassage] = []
    seen: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                passage = _parse(line, where)
                if passage.id in seen:
                    raise LabelDataError(f"{where}: id {passage.id!r} already used at {seen[passage.id]}")
                seen[passage.id] = where
                passages.append(passage)
    return passages


def load_split(labels_dir: str | Path, split: str) -> list[LabelledPassage]:
    """The ``train`` or ``test`` split under ``labels_dir`` (``corpora/labels``)."""
    if split not in SPLITS:
        raise LabelDataError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return load_labels(Path(labels_dir) / split)


def check_disjoint(train: Iterable[LabelledPassage], test: Iterable[LabelledPassage]) -> None:
    """No passage id or text may be in both splits: training never sees the test split."""
    train_ids = {p.id: p for p in train}
    train_texts = {_text_key(p.text) for p in train_ids.values()}
    for passage in test:
        if passage.id in train_ids:
            raise LabelDataError(f"passage id {passage.id!r} is in both the train and test splits")
        if _text_key(passage.text) in train_texts:
            raise LabelDataError(f"the text of test passage {passage.id!r} is also in the train split")


def _text_key(text: str) -> str:
    return " ".join(text.casefold().split())


def data_hash(passages: Iterable[LabelledPassage]) -> str:
    """sha256 of the passages as canonical JSON lines, sorted by id: same data, same hash."""
    digest = hashlib.sha256()
    for passage in sorted(passages, key=lambda p: p.id):
        digest.update(json.dumps(asdict(passage), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()
