"""Typed records passed between stages.

``SourceDocument -> ExtractedText -> (Document, [Passage])``. Records are plain dataclasses;
``as_row()`` gives the column dict of the corpus contract (DESIGN.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = (
    "title",
    "menimbang",
    "mengingat",
    "diktum",
    "body",
    "closing",
    "penjelasan",
    "lampiran",
    "paragraph",
)

# The classifier's labels (../shared/CODEBOOK.md), in the order every model, table and report uses.
LABELS = (
    "starting_conditions",
    "facilitative_leadership",
    "institutional_design",
    "collaborative_process",
    "other",
)

DOC_TYPES = (
    "uu",
    "pp",
    "perpres",
    "permen",
    "perda",
    "pergub",
    "perbup",
    "perwali",
    "perdes",
    "keputusan",
    "instruksi",
    "surat_edaran",
    "perjanjian",
    "risalah",
    "laporan",
    "news",
    "other",
)

# Text put between pages when a document's pages are joined into its full text.
PAGE_SEPARATOR = "\n\n"


def stable_id(*parts: object, length: int = 16) -> str:
    """A deterministic hex id from the given parts (same parts, same id)."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:length]


@dataclass
class SourceDocument:
    """One document as a source hands it over: a path or bytes, plus metadata hints."""

    source: str
    path: Path | None = None
    content: bytes | None = None
    source_name: str = "files"
    url: str | None = None
    media_type: str | None = None
    hints: dict = field(default_factory=dict)
    # The validators of a fetched URL (for the next conditional GET).
    etag: str | None = None
    last_modified: str | None = None

    def read_bytes(self) -> bytes:
        if self.content is not None:
            return self.content
        if self.path is None:
            raise ValueError(f"{self.source}: neither a path nor content")
        return Path(self.path).read_bytes()


@dataclass
class PageText:
    """The cleaned text of one page and how it was obtained."""

    page: int  # 1-based
    text: str
    extractor: str  # "pypdfium2", "pdfplumber", "tesseract", "pdf-ocr-layer", "trafilatura", "text", "docx"
    ocr: bool = False

    @property
    def chars(self) -> int:
        return len(self.text)


@dataclass
class ExtractedText:
    """What extraction made of a document: its pages of text and what went wrong on the way."""

    source: str
    sha256: str
    kind: str  # "pdf" | "html" | "text" | "docx"
    pages: list[PageText]
    warnings: list[str] = field(default_factory=list)
    # Metadata the container itself carries (PDF info, HTML title/date, source hints).
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(p.text for p in self.pages)

    def page_starts(self) -> list[int]:
        """Offset in ``text`` where each page begins."""
        starts, offset = [], 0
        for page in self.pages:
            starts.append(offset)
            offset += len(page.text) + len(PAGE_SEPARATOR)
        return starts

    @property
    def main_extractor(self) -> str | None:
        counts: dict[str, int] = {}
        for page in self.pages:
            counts[page.extractor] = counts.get(page.extractor, 0) + 1
        return max(counts, key=counts.get) if counts else None


@dataclass
class Document:
    """A document's metadata: the ``documents`` columns of the corpus contract."""

    id: str
    source: str
    source_name: str
    url: str | None
    sha256: str
    status: str = "active"
    doc_type: str = "other"
    number: str | None = None
    year: int | None = None
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    enacted_on: str | None = None
    published_at: str | None = None
    amends: str | None = None
    pages: int = 0
    extractor: str | None = None
    ingested_at: str | None = None
    # The HTTP validators of the document's last fetch (for a conditional GET). Stored beside
    # the contract columns, so left out of ``as_row()``.
    etag: str | None = None
    last_modified: str | None = None

    def as_row(self) -> dict:
        """The ``documents`` columns of the corpus contract."""
        row = dataclasses.asdict(self)
        del row["etag"], row["last_modified"]
        return row


@dataclass
class Passage:
    """One passage: the ``passages`` columns of the corpus contract (label fields come later)."""

    id: str
    document_id: str
    seq: int
    section: str
    text: str
    char_start: int
    char_end: int
    bab: str | None = None
    pasal: str | None = None
    ayat: str | None = None
    amended_pasal: str | None = None
    page: int | None = None
    lang: str | None = None
    citation: str | None = None

    def as_row(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class PageInfo:
    """A ``pages`` row: which extractor produced each page."""

    document_id: str
    page: int
    extractor: str
    chars: int
    ocr: bool

    def as_row(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class ParsedDocument:
    """The output of extract + segment for one input."""

    document: Document
    passages: list[Passage]
    pages: list[PageInfo]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Failure:
    """A ``failures`` row: a document that did not pass a stage, and why."""

    source: str
    source_name: str
    sha256: str | None
    stage: str
    error: str
    message: str
    at: str | None = None

    def as_row(self) -> dict:
        return dataclasses.asdict(self)
