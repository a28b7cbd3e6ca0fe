"""Segment stage: a document's metadata and its passages along its real structure.

``segment(extracted, source)`` turns an ``ExtractedText`` into a ``ParsedDocument``:

- a regulation or decree (a text with a title block such as ``PERATURAN BUPATI SRAGEN / NOMOR
  12 TAHUN 2019 / TENTANG ...``) is cut along its legal structure (``segment.legal``): title,
  Menimbang and Mengingat items, each Pasal (long ones by ayat), a decree's diktum, closing,
  Penjelasan, Lampiran; its metadata come from the title block and closing
  (``segment.metadata``);
- a news article (``kind == "html"``) or any other prose is cut into paragraphs
  (``segment.news``), its title and date taken from the page.

Passage offsets point into ``extracted.text``; the passage text is the same span with markdown
links and runs of whitespace flattened.
"""

from __future__ import annotations

import bisect
import re

from tumis_mining.lang import detect_lang
from tumis_mining.records import (
    Document,
    ExtractedText,
    PageInfo,
    ParsedDocument,
    Passage,
    SourceDocument,
    stable_id,
)
from tumis_mining.segment.dates import parse_date, signing_dates
from tumis_mining.segment.legal import LegalStructure, parse_legal
from tumis_mining.segment.metadata import citation_prefix, hint_doc_type, merge_hints
from tumis_mining.segment.news import news_spans
from tumis_mining.segment.pieces import Span

__all__ = ["passage_text", "segment"]

_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((?:/|https?://)[^)\s]*\)")
_ITALIC = re.compile(r"(?<![\w*])_(\S(?:[^_\n]*\S)?)_(?![\w*])")


def segment(extracted: ExtractedText, source: SourceDocument) -> ParsedDocument:
    """Metadata and passages of one extracted document."""
    text = extracted.text
    document = Document(
        id=stable_id(source.source),
        source=source.source,
        source_name=source.source_name,
        url=source.url,
        sha256=extracted.sha256,
        pages=len(extracted.pages),
        extractor=extracted.main_extractor,
        etag=source.etag,
        last_modified=source.last_modified,
    )
    warnings = list(extracted.warnings)
    structure = None if extracted.kind == "html" else parse_legal(text)
    if structure is not None:
        spans = _legal_document(document, structure, text)
        warnings.extend(structure.warnings)
    else:
        spans = _prose_document(document, extracted, source)
    warnings.extend(merge_hints(document, source.hints))
    passages = _passages(document, spans, extracted)
    if not passages:
        warnings.append("segment: the document has no text to cut into passages")
    pages = [
        PageInfo(document.id, page.page, page.extractor, page.chars, page.ocr)
        for page in extracted.pages
    ]
    return ParsedDocument(document, passages, pages, warnings)


def _legal_document(document: Document, structure: LegalStructure, text: str) -> list[Span]:
    block = structure.title
    document.doc_type = block.doc_type
    document.number = block.number
    document.year = block.year
    document.title = block.title
    document.issuer = block.issuer
    document.region = block.region
    document.amends = block.amends
    closing = text[structure.closing[0] : structure.closing[1]] if structure.closing else ""
    enacted, promulgated = signing_dates(closing, loose=True) if closing else (None, None)
    if not enacted and not block.lampiran:  # no closing found: look through the whole text
        enacted, anywhere = signing_dates(text)
        promulgated = promulgated or anywhere
    document.enacted_on = enacted
    document.published_at = promulgated
    if document.year is None and enacted:
        document.year = int(enacted[:4])
    return structure.spans


def _prose_document(
    document: Document, extracted: ExtractedText, source: SourceDocument
) -> list[Span]:
    """A news article or other prose: paragraph spans, title and date from the page."""
    hinted = hint_doc_type(source.hints["doc_type"]) if source.hints.get("doc_type") else None
    document.doc_type = hinted or ("news" if extracted.kind == "html" else "other")
    title = extracted.meta.get("title")
    document.title = " ".join(str(title).split()) if title else None
    document.published_at = parse_date(extracted.meta.get("date"))
    return [Span("paragraph", start, end) for start, end in news_spans(extracted.text)]


def passage_text(raw: str) -> str:
    """A passage's text: markdown links and italics unwrapped, whitespace runs flattened."""
    flat = _MARKDOWN_LINK.sub(r"\1", raw)
    flat = _ITALIC.sub(r"\1", flat)
    return " ".join(flat.split())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _passages(document: Document, spans: list[Span], extracted: ExtractedText) -> list[Passage]:
    text = extracted.text
    starts = extracted.page_starts()
    prefix = citation_prefix(document)
    passages: list[Passage] = []
    paragraph = 0
    for span in spans:
        start, end = _trim(text, span.start, span.end)
        body = passage_text(text[start:end])
        if not body:
            continue
        seq = len(passages)
        if span.section == "paragraph":
            paragraph += 1
        passages.append(
            Passage(
                id=stable_id(
                    document.id,
                    span.section,
                    span.bab,
                    span.pasal,
                    span.ayat,
                    span.amended_pasal,
                    seq,
                ),
                document_id=document.id,
                seq=seq,
                section=span.section,
                text=body,
                char_start=start,
                char_end=end,
                bab=span.bab,
                pasal=span.pasal,
                ayat=span.ayat,
                amended_pasal=span.amended_pasal,
                page=extracted.pages[bisect.bisect_right(starts, start) - 1].page
                if starts
                else None,
                lang=detect_lang(body),
                citation=f"{prefix}, {_where(span, paragraph)}",
            )
        )
    return passages


def _where(span: Span, paragraph: int) -> str:
    """The part of a citation after the document: ``Pasal 5 ayat (2)``, ``Menimbang huruf a``."""
    section = span.section
    if section == "paragraph":
        return f"paragraf {paragraph}"
    if section in ("menimbang", "mengingat"):
        return span.item or section.capitalize()
    if section == "title":
        return span.item or "Judul"
    if section == "closing":
        return "Penutup"
    if section == "lampiran":
        return span.item or "Lampiran"
    if section == "diktum":
        return f"Diktum {span.pasal}"
    article = _article(span)
    if section == "penjelasan":
        return f"Penjelasan {article}" if span.pasal else "Penjelasan Umum"
    return article or "Batang Tubuh"


def _article(span: Span) -> str:
    if not span.pasal:
        return ""
    ayat = f" ayat ({span.ayat})" if span.ayat else ""
    if span.amended_pasal:
        return f"Pasal {span.pasal} (Pasal {span.amended_pasal}{ayat})"
    if span.item:
        return f"Pasal {span.pasal} {span.item}"
    return f"Pasal {span.pasal}{ayat}"
