"""Passages of news articles and other running prose: paragraphs, long ones cut at sentences.

``news_spans(text)`` gives ``(start, end)`` offsets into ``text``: one span per paragraph
(paragraphs are separated by blank lines), and a paragraph longer than ``max_chars`` cut into
pieces at sentence boundaries. Sentence boundaries come from a spaCy pipeline,
``spacy.blank("id")`` with a ``sentencizer``, followed by ``tumis_id_sentence_rules``, a
component that takes back the boundaries the sentencizer puts where Indonesian writing has a
full stop that ends no sentence: after abbreviations ("No.", "Kab.", "Jl.", "Hj.", "dll.",
"a.n.", "S.Sos."), after a list marker or an initial ("meliputi: 1. Rumah", "H. Untung"), and
before a word in lower case; numbers such as "Rp1.500.000" or "12.5" are single tokens already.
The pipeline needs no model download (spaCy ships the Indonesian language data) and is built
once, on first use.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MAX_CHARS = 1200

SENTENCE_RULES = "tumis_id_sentence_rules"

# Abbreviations after whose full stop a sentence never ends. Matched case-sensitively, with
# their own inner full stops ("a.n", "S.Sos"); the final full stop is implied.
ABBREVIATIONS = frozenset(
    """
    No Nom Nomor Hal Lamp Kep Kab Kec Kel Ds Des Dsn Dk Prov Jl Jln Gg Kp RT RW Telp Tlp
    Prof Dr dr drg Drs Dra Ir Ns H Hj KH Tn Ny Nn Sdr Sdri Bpk Bp Yth Ybs St Tbk PT CV
    dll dsb dst dkk tsb tgl hlm jo Stbl yg dg dgn kpd utk sbg spt
    Rp USD
    a.n u.p u.b q.q d.a s.d
    S.H S.E S.T S.Pd S.Sos S.Kom S.Ag S.IP S.Kep S.Ked S.Hut S.Si S.Ak S.Psi S.Farm S.Kes
    M.H M.M M.Si M.Pd M.Kes M.Ag M.Sc M.A M.T M.Eng M.Hum A.Md
    Kol Brig Jend Mayjen Letjen Brigjen Letkol Kapt Serda Kompol AKBP AKP Iptu Ipda
    Aiptu Bripka Brigpol Pol
    Jan Feb Mar Apr Jun Jul Agt Agu Ags Sep Okt Nop Nov Des
    """.split()
)

# What comes before a full stop that ends no sentence. They are matched against the last
# characters before a sentence start, with a newline put in front at the start of the text.
_ABBREVIATION_BEFORE = re.compile(
    r"[\s(\[\"'“‘/](?:"
    + "|".join(sorted((re.escape(a) for a in ABBREVIATIONS), key=len, reverse=True))
    + r")\.[\s\"'”’)]*$"
)
# An initial: "H. Untung", "D.W. Martowardojo".
_INITIAL_BEFORE = re.compile(r"[\s(\[.][A-Z]\.\s*$")
# A list marker: "meliputi: 1. Rumah; 2. Listrik", "a. Bupati" at the start of a line.
_ENUMERATOR_BEFORE = re.compile(r"(?:[\n:;,]|\bdan|\batau)\s*(?:[a-zA-Z]|\d{1,3})\.\s*$")
_LOOK_BACK = 24
# The sentencizer leaves an opening quote at the end of the sentence before it.
_OPENING_QUOTES = frozenset({'"', "'", "“", "‘", "«"})

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Blocks longer than this are fed to spaCy in pieces cut at line ends.
_NLP_CHUNK = 100_000


def news_spans(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the passages of ``text``: paragraphs, long ones cut.

    A paragraph is a run of text between blank lines; its span leaves out the whitespace
    around it. A paragraph longer than ``max_chars`` is cut between sentences into pieces of
    at most ``max_chars`` characters, of similar lengths; only a single sentence longer than
    ``max_chars`` is cut inside, at a space.

    >>> news_spans("Satu.\\n\\n  Dua.  ")
    [(0, 5), (9, 13)]
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, not {max_chars}")
    spans: list[tuple[int, int]] = []
    for start, end in _paragraphs(text):
        if end - start <= max_chars:
            spans.append((start, end))
        else:
            sentences = sentence_spans(text, start, end)
            spans.extend(_pack(text, sentences, max_chars))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text[start:end]``, whitespace left out."""
    end = len(text) if end is None else end
    nlp = sentence_pipeline()
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _chunks(text, start, end):
        doc = nlp(text[chunk_start:chunk_end])
        for sent in doc.sents:
            span = _strip(text, chunk_start + sent.start_char, chunk_start + sent.end_char)
            if span[0] < span[1]:
                spans.append(span)
    return spans


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    """The spaCy pipeline that finds Indonesian sentences (built once, on first call)."""
    import spacy
    from spacy.language import Language

    from spacy.lang.id import Indonesian

    if not Language.has_factory(SENTENCE_RULES):
        Language.component(SENTENCE_RULES, func=_apply_sentence_rules)

    class _SentenceDefaults(Indonesian.Defaults):
        # Indonesian keeps only its abbreviation exceptions ("a.n.", "dll."): the other ~20,000
        # (reduplicated words) cost about 5 s to compile and never move a sentence boundary.
        tokenizer_exceptions = {
            text: tokens for text, tokens in Indonesian.Defaults.tokenizer_exceptions.items()
            if "." in text
        }

    class _IndonesianSentences(Indonesian):
        Defaults = _SentenceDefaults

    nlp = _IndonesianSentences()
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "…", "?!", "!?"]})
    nlp.add_pipe(SENTENCE_RULES, after="sentencizer")
    return nlp


def _apply_sentence_rules(doc: Doc) -> Doc:
    """Take back the sentencizer's boundaries that Indonesian full stops do not make."""
    text = doc.text
    for i in range(1, len(doc)):
        token = doc[i]
        if not token.is_sent_start:
            continue
        window_start = token.idx - _LOOK_BACK
        before = text[max(0, window_start) : token.idx]
        if window_start <= 0:
            before = "\n" + before
        previous = doc[i - 1]
        if (
            token.text[:1].islower()
            or _ABBREVIATION_BEFORE.search(before)
            or _INITIAL_BEFORE.search(before)
            or _ENUMERATOR_BEFORE.search(before)
        ):
            token.is_sent_start = False
        elif (
            previous.text in _OPENING_QUOTES
            and not previous.whitespace_
            and i >= 2
            and doc[i - 2].whitespace_
        ):
            # 'pulang. "Kami siap," katanya.': the quote opens the next sentence.
            token.is_sent_start = False
            previous.is_sent_start = True
    return doc


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the blank-line-separated blocks of ``text``, whitespace left out."""
    spans, position = [], 0
    for match in _BLANK_LINES.finditer(text):
        spans.append(_strip(text, position, match.start()))
        position = match.end()
    spans.append(_strip(text, position, len(text)))
    return [span for span in spans if span[0] < span[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``_NLP_CHUNK`` characters, cut at line ends."""
    chunks = []
    while end - start > _NLP_CHUNK:
        cut = text.rfind("\n", start, start + _NLP_CHUNK)
        if cut <= start:
            cut = text.rfind(" ", start, start + _NLP_CHUNK)
        if cut <= start:
            cut = start + _NLP_CHUNK
        chunks.append((start, cut))
        start = cut
    chunks.append((start, end))
    return chunks


def _pack(
    text: str, sentences: list[tuple[int, int]], max_chars: int
) -> list[tuple[int, int]]:
    """Group consecutive sentences into pieces of at most ``max_chars``, of similar lengths."""
    units: list[tuple[int, int]] = []
    for start, end in sentences:
        if end - start <= max_chars:
            units.append((start, end))
        else:
            units.extend(_cut_long_sentence(text, start, end, max_chars))
    if not units:
        return []
    total = units[-1][1] - units[0][0]
    target = total / math.ceil(total / max_chars)
    pieces: list[tuple[int, int]] = []
    piece_start, piece_end = units[0]
    for start, end in units[1:]:
        grown = end - piece_start
        current = piece_end - piece_start
        if grown > max_chars or (current >= target and grown - target > target - current):
            pieces.append((piece_start, piece_end))
            piece_start = start
        piece_end = end
    pieces.append((piece_start, piece_end))
    return pieces


def _cut_long_sentence(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at a line end or a space, preferring one after ";" or ","."""
    pieces = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = -1
        for mark in ("\n", "; ", ", ", " "):
            found = text.rfind(mark, start + max_chars // 2, limit)
            if found != -1:
                cut = found + len(mark) - 1
                break
        if cut == -1:  # no space at all: cut hard
            cut = limit
        piece = _strip(text, start, cut)
        if piece[0] < piece[1]:
            pieces.append(piece)
        start = _strip(text, cut, end)[0]
    if start < end:
        pieces.append((start, end))
    return pieces
