"""Passages for the topics tests: the labelled training passages (corpora/labels/train), read as
they are or written into a corpus database as documents of a few passages each."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tumis_mining.index import Store
from tumis_mining.records import Document, ParsedDocument, Passage, stable_id

TRAIN = Path(__file__).resolve().parent.parent / "corpora" / "labels" / "train"
GENRE_TYPES = {"regulation": "perbup", "decree": "keputusan", "news": "news", "report": "laporan"}


@dataclass
class Prediction:
    label: str
    confidence: float = 0.9
    scores: dict = field(default_factory=dict)


def labelled(n: int | None = None, lang: str | None = "id") -> list[dict]:
    """``n`` labelled passages spread over the four training files (all when ``n`` is None)."""
    rows = []
    for path in sorted(TRAIN.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    rows = [r for r in rows if lang is None or r["lang"] == lang]
    if n is not None:
        rows = rows[:: max(1, len(rows) // n)][:n]
    return rows


def documents(rows: list[dict], per_document: int = 8, first_year: int = 2019,
              prefix: str = "/corpus/doc") -> list[tuple[ParsedDocument, list[Prediction]]]:
    """The rows as documents of ``per_document`` passages, years 2019..2023 in turn."""
    batch = []
    for number, start in enumerate(range(0, len(rows), per_document)):
        chunk = rows[start:start + per_document]
        source = f"{prefix}-{number:03d}.txt"
        doc_id = stable_id(source)
        document = Document(id=doc_id, source=source, source_name="files", url=None,
                            sha256=stable_id(source, "content", length=64),
                            doc_type=GENRE_TYPES.get(chunk[0]["genre"], "other"),
                            number=str(number), year=first_year + number % 5,
                            region="Kabupaten Sragen", title=f"Dokumen {number}", pages=1,
                            extractor="text")
        passages, offset = [], 0
        for seq, row in enumerate(chunk):
            text = row["text"]
            passages.append(Passage(id=stable_id(doc_id, "paragraph", seq), document_id=doc_id,
                                    seq=seq, section="paragraph", text=text, char_start=offset,
                                    char_end=offset + len(text), page=1, lang=row["lang"]))
            offset += len(text) + 2
        batch.append((ParsedDocument(document, passages, [], []),
                      [Prediction(row["label"], 0.9, {row["label"]: 0.9}) for row in chunk]))
    return batch


def build_corpus(db: Path, rows: list[dict], **options) -> Path:
    with Store.open(db) as store:
        store.write_documents(documents(rows, **options), model="test-classifier")
    return db
