"""Cutting long structural units into passages of a readable size.

A Pasal longer than ``MAX_PASSAGE_CHARS`` is cut at its ayat ``(1)``, ``(2)``, ... (a
Penjelasan's at its ``Ayat (1)`` lines); a piece still too long (a Pasal 1 of fifty
definitions, a Penjelasan Umum, a Lampiran table) is cut at line ends, preferring the start of a
list item or a blank line, and a single line longer than that at sentence ends. Every piece
keeps the structural path of the unit it came from.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from tumis_mining.segment.headings import Line, ayat_marker, starts_list_item
from tumis_mining.segment.news import news_spans

MAX_PASSAGE_CHARS = 1200
# A prose piece shorter than this (a heading, a one-line paragraph) joins the one after it.
SHORT_CHARS = 200


@dataclass
class Span:
    """A passage-to-be: its section, its offsets in the full text and its structural path."""

    section: str
    start: int
    end: int
    bab: str | None = None
    pasal: str | None = None
    ayat: str | None = None
    amended_pasal: str | None = None
    # What the citation names besides Pasal and ayat: a Menimbang letter, a Mengingat number,
    # an amending Pasal's change point, a Lampiran's number, "Umum" for the Penjelasan Umum.
    item: str | None = None


def lines_within(lines: list[Line], start: int, end: int) -> list[Line]:
    return [line for line in lines if line.start >= start and line.end <= end and not line.blank]


def split_ayat(
    span: Span,
    lines: list[Line],
    *,
    marker: Callable[[str], int | None] = ayat_marker,
    max_chars: int = MAX_PASSAGE_CHARS,
) -> list[Span]:
    """Cut a long Pasal at its ayat markers, in order from (1); short ones stay whole."""
    if span.end - span.start <= max_chars:
        return [span]
    inner = lines_within(lines, span.start, span.end)
    marks: list[tuple[int, int]] = []  # (offset, ayat number)
    for line in inner:
        if marker(line.text) == len(marks) + 1:
            marks.append((line.start, len(marks) + 1))
    if len(marks) < 2:
        return [span]
    pieces = []
    first_offset = marks[0][0]
    head_lines = [line for line in inner if line.start < first_offset]
    if len(head_lines) > 2:  # words before (1) beyond the heading: a piece of their own
        pieces.append(dataclasses.replace(span, end=first_offset))
        bounds = [(offset, number) for offset, number in marks]
    else:
        bounds = [(span.start, 1), *marks[1:]]
    for k, (offset, number) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else span.end
        pieces.append(dataclasses.replace(span, start=offset, end=end, ayat=str(number)))
    return pieces


def chunk(
    span: Span, lines: list[Line], text: str, *, max_chars: int = MAX_PASSAGE_CHARS
) -> list[Span]:
    """Cut a long span at line ends into pieces of about ``max_chars`` (or fewer) characters."""
    if span.end - span.start <= max_chars:
        return [span]
    inner = [line for line in lines if line.start >= span.start and line.end <= span.end]
    cuts: list[int] = []
    piece_start = span.start
    good = ok = None  # the last good (list item, after a blank line) and ordinary cut points
    after_blank = False
    for line in inner:
        if line.blank:
            after_blank = True
            continue
        if line.start > piece_start:
            if line.end - piece_start > max_chars:
                low = piece_start + max_chars // 3
                cut = good if good and good > low else ok if ok and ok > low else line.start
                cuts.append(cut)
                piece_start = cut
                good = ok = None
            if line.start > piece_start:
                ok = line.start
                if after_blank or starts_list_item(line.text):
                    good = line.start
        after_blank = False
    bounds = [span.start, *cuts, span.end]
    pieces = []
    for start, end in itertools.pairwise(bounds):
        if text[start:end].strip():
            pieces.extend(
                _sentences(dataclasses.replace(span, start=start, end=end), text, max_chars)
            )
    return pieces


def chunk_prose(span: Span, text: str, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Span]:
    """Cut running prose (a Penjelasan Umum) at paragraphs and sentence ends."""
    if span.end - span.start <= max_chars:
        return [span]
    pieces = _sentences(span, text, max_chars, limit=max_chars)
    merged: list[Span] = []
    for piece in pieces:  # a heading or a one-line paragraph goes with what follows it
        if (
            merged
            and merged[-1].end - merged[-1].start < SHORT_CHARS
            and piece.end - merged[-1].start <= max_chars
        ):
            merged[-1] = dataclasses.replace(merged[-1], end=piece.end)
        else:
            merged.append(piece)
    return merged


def _sentences(span: Span, text: str, max_chars: int, *, limit: int | None = None) -> list[Span]:
    """A piece far over the limit (one very long line) cut at sentence ends."""
    if span.end - span.start <= (2 * max_chars if limit is None else limit):
        return [span]
    pieces = news_spans(text[span.start : span.end], max_chars=max_chars)
    return [
        dataclasses.replace(span, start=span.start + s, end=span.start + e) for s, e in pieces
    ] or [span]


def split_long(span: Span, lines: list[Line], text: str, **kwargs) -> list[Span]:
    """Ayat first, then line ends: the pieces of one structural unit."""
    out = []
    for piece in split_ayat(span, lines, **kwargs):
        out.extend(chunk(piece, lines, text))
    return out
