"""Indonesian-aware full-text search: stems beside the text, safe queries, highlighted snippets.

The FTS5 table ``passages_fts`` indexes two columns of ``passages``: ``text`` as written and
``stem``, the PySastrawi stems of the passage's affixed words (``kemiskinan -> miskin``,
``berkolaborasi -> kolaborasi``; words that are their own stem are left out, they are in
``text`` already). Both columns are lower-cased and folded to plain letters (``é -> e``) by the
``unicode61 remove_diacritics 2`` tokenizer; :func:`fold` does the same in Python.

:func:`parse_query` turns whatever a user typed into an FTS5 expression that cannot fail: every
term is quoted, a word matches its stem in the text or in the stems (so ``miskin`` finds
``kemiskinan``, and ``berkolaborasi`` finds ``kolaborasi`` and ``berkolaborasi``), a quoted
phrase matches the text exactly, ``word*`` is a prefix, and ``AND``/``OR``/``NOT`` (upper case,
between terms) keep their FTS5 meaning. Anything else (``NEAR(``, a stray ``*``, an unclosed
quote) is read as plain words. Text with nothing to search for raises :class:`QueryError`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import TumisError

# Tokens as FTS5's unicode61 tokenizer cuts them: runs of letters and digits.
TOKEN_RE = re.compile(r"[^\W_]+")
# Words shorter than this are never affixed forms worth stemming (di, ke, yang, dan ...).
MIN_STEM_LENGTH = 5
STEM_CACHE_SIZE = 1 << 18
OPERATORS = ("AND", "OR", "NOT")
HIGHLIGHT = ("**", "**")


class QueryError(TumisError):
    """The search text has nothing to search for."""

    error = "query"


def fold(text: str) -> str:
    """Lower case, diacritics removed (``Kémiskinan -> kemiskinan``)."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The folded tokens of a text, as the index sees them."""
    return TOKEN_RE.findall(fold(text))


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415 - reads a dictionary

    # The factory wraps the stemmer in an unbounded cache of whole texts; keep the bare one.
    return StemmerFactory().create_stemmer().delegatedStemmer


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem_word(word: str) -> str:
    """The stem of one folded word (itself when it has none); cached, bounded."""
    if len(word) < MIN_STEM_LENGTH or not (word.isascii() and word.isalpha()):
        return word
    return _stemmer().stem_word(word) or word


# Every ASCII character that is not a letter or digit separates tokens, as in the tokenizer.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# In front of stem_word's LRU cache: word -> its stem, or "" when the word is its own stem. Read
# with one C-level map per passage; emptied when full (stem_word refills it cheaply).
_AFFIXED: dict[str, str] = {}


def stem_text(text: str) -> str:
    """The ``stem`` column of a passage: the stems of its words that have an affix."""
    if text.isascii():
        found = text.lower().translate(_ASCII_SEPARATORS).split()
    else:
        found = TOKEN_RE.findall(fold(text))
    try:
        return " ".join(filter(None, map(_AFFIXED.__getitem__, found)))
    except KeyError:
        if len(_AFFIXED) > STEM_CACHE_SIZE:
            _AFFIXED.clear()
        for token in found:
            if token not in _AFFIXED:
                stem = stem_word(token)
                _AFFIXED[token] = "" if stem == token else stem
        return " ".join(filter(None, map(_AFFIXED.__getitem__, found)))


# --- queries -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One thing to find: a word (with its stem), an exact word or phrase, or a prefix."""

    kind: str  # "word" | "exact" | "prefix"
    tokens: tuple[str, ...]
    stem: str | None = None

    def fts(self) -> str:
        quoted = '"' + " ".join(self.tokens) + '"'
        if self.kind == "exact":
            return f"text : {quoted}"
        if self.kind == "prefix":
            return "{text stem} : " + quoted + " *"
        # The stem in either column: the word itself, its root, and every form of the root.
        # (Matching the typed form as well would rank it first, but BM25 would then weigh two
        # phrases per word, at twice the cost.)
        return "{text stem} : " + f'"{self.stem}"'


@dataclass
class Query:
    """A parsed search: the FTS5 expression and the terms to highlight."""

    text: str
    expression: str
    terms: list[Term] = field(default_factory=list)


_LEX_RE = re.compile(r'"([^"]*)"?|([^\s"]+)')


def parse_query(text: str) -> Query:
    """The safe FTS5 expression for what a user typed (see the module docstring)."""
    items: list[Term | str] = []
    for match in _LEX_RE.finditer(text):
        phrase, word = match.groups()
        if word is not None and word in OPERATORS:
            items.append(word)
            continue
        term = _phrase_term(phrase) if phrase is not None else _word_term(word)
        if term is not None:
            items.append(term)
    items = _tidy(items)
    terms = [item for item in items if isinstance(item, Term)]
    if not terms:
        raise QueryError(f"nothing to search for in {text!r}: type words or a \"quoted phrase\"")
    parts = []
    for item in items:
        if parts and not isinstance(item, str) and not isinstance(parts[-1], str):
            parts.append("AND")  # FTS5 takes no implicit AND next to a column filter in brackets
        parts.append(item)
    expression = " ".join(item if isinstance(item, str) else item.fts() for item in parts)
    return Query(text, expression, terms)


def _word_term(word: str) -> Term | None:
    prefix = word.endswith("*")
    found = tokens(word)
    if not found:
        return None
    if len(found) > 1:  # 12/2019, e-ktp, rumah-rumah: the words in a row, as the index cut them
        return Term("exact", tuple(found))
    if prefix:
        return Term("prefix", (found[0],))
    return Term("word", (found[0],), stem_word(found[0]))


def _phrase_term(phrase: str) -> Term | None:
    found = tokens(phrase)
    return Term("exact", tuple(found)) if found else None


def _tidy(items: list[Term | str]) -> list[Term | str]:
    """Operators only between two terms; a run of operators keeps its last."""
    tidy: list[Term | str] = []
    for item in items:
        if isinstance(item, str):
            if tidy and isinstance(tidy[-1], str):
                tidy[-1] = item
            elif tidy:
                tidy.append(item)
        else:
            tidy.append(item)
    while tidy and isinstance(tidy[-1], str):
        tidy.pop()
    return tidy


# --- snippets ----------------------------------------------------------------------------------

def snippet(text: str, query: Query | None, *, width: int = 32,
            marks: tuple[str, str] = HIGHLIGHT) -> str:
    """A window of about ``width`` words around the first match, each match between ``marks``."""
    if text.isascii():
        words = TOKEN_RE.findall(text.lower())
    else:
        words = [fold(word) for word in TOKEN_RE.findall(text)]
    if not words:
        return text.strip()[:240]
    hits = _hits(words, query.terms) if query else set()
    first = min(hits) if hits else 0
    start = max(0, first - width // 4)
    end = min(len(words), start + width)
    start = max(0, min(start, end - width))
    spans = []  # (begin, finish) of words start..end, and where the word after them begins
    for i, match in enumerate(TOKEN_RE.finditer(text)):
        if i >= start:
            spans.append(match.span())
        if i == end:
            break
    pieces = []
    cursor = spans[0][0]
    for i in range(start, end):
        begin, finish = spans[i - start]
        after_hit = i > start and i - 1 in hits
        if after_hit and i not in hits:
            pieces.append(marks[1])
        pieces.append(text[cursor:begin])
        if i in hits and not after_hit:  # a run of hits shares one pair of marks
            pieces.append(marks[0])
        pieces.append(text[begin:finish])
        cursor = finish
    if end - 1 in hits:
        pieces.append(marks[1])
    if end < len(words):
        pieces.append(text[cursor:spans[-1][0]].rstrip())
    else:
        pieces.append(text[cursor:])
    body = " ".join("".join(pieces).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(words) else "")


def _hits(words: list[str], terms: list[Term]) -> set[int]:
    hits: set[int] = set()
    for term in terms:
        if term.kind == "exact":
            n, first = len(term.tokens), term.tokens[0]
            for i in range(len(words) - n + 1):
                if words[i] == first and tuple(words[i:i + n]) == term.tokens:
                    hits.update(range(i, i + n))
            continue
        target = term.tokens[0] if term.kind == "prefix" else term.stem
        # A word holds its root whole, bar the first letter that meN-/peN- may drop
        # (menulis: tulis): only such words are worth stemming (a new word costs ~0.2 ms).
        core = target[1:] or target
        for i, word in enumerate(words):
            if core not in word:
                continue
            if term.kind == "prefix":
                found = word.startswith(target) or stem_word(word).startswith(target)
            else:
                found = word == target or stem_word(word) == target
            if found:
                hits.add(i)
    return hits
