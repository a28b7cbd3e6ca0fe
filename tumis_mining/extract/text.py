"""Text of plain-text, Markdown and Word (DOCX) files.

``extract_text_file`` reads ``.txt`` and ``.md``: it decodes the bytes (a byte-order mark
first, then UTF-8, then the guess of charset-normalizer), normalises line ends and, for
Markdown, takes away heading markers, emphasis and link syntax line by line, so that the
line structure a regulation's text depends on stays as it was. ``extract_docx`` reads the
paragraphs and table cells of a Word document in document order with python-docx.

``decode_bytes`` is shared with the HTML extractor.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator

from tumis_mining.errors import ExtractionError
from tumis_mining.records import ExtractedText, PageText

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
# charset-normalizer reads at most this much of a large file (its head and its tail).
_SNIFF_BYTES = 64_000

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Where bytes are not UTF-8 and could be Windows-1252, they are: the charset of Indonesian
# text written on Windows. Browsers read "iso-8859-1" and "ascii" labels as Windows-1252 too.
_WESTERN = "cp1252"
_WESTERN_ALIASES = frozenset({"iso8859-1", "ascii", "cp1252"})
# Codec names (as ``codecs.lookup`` spells them) of multi-byte encodings.
_MULTIBYTE = (
    "utf", "big5", "gb", "hz", "shift_jis", "euc", "iso2022", "johab", "cp932", "cp949", "cp950"
)


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Decode ``data``; return the text, the encoding used and warnings.

    Order: a byte-order mark; valid UTF-8 (whatever was declared: a page that says
    "iso-8859-1" but holds UTF-8 is read as UTF-8); the ``declared`` charset (an HTTP header
    or a ``<meta charset>``) where charset-normalizer finds the bytes could be in it;
    Windows-1252 unless charset-normalizer sees a multi-byte encoding (it often names a
    sibling such as cp1250 for Western text, which turns "crème" into "crčme"); else
    charset-normalizer's guess; else Windows-1252 with undecodable bytes replaced.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            warnings = [] if "\ufffd" not in text else [f"undecodable bytes in {encoding} text"]
            return text, encoding.removesuffix("-sig"), warnings
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass

    from charset_normalizer import from_bytes

    sample = data if len(data) <= 2 * _SNIFF_BYTES else data[:_SNIFF_BYTES] + data[-_SNIFF_BYTES:]
    best = from_bytes(sample).best()
    guess = _codec_name(best.encoding) if best else None
    could_be = {_codec_name(name) for name in best.could_be_from_charset} if best else set()
    declared_codec = _codec_name(declared) if declared else None
    if declared_codec in _WESTERN_ALIASES:
        declared_codec = _WESTERN
    candidates = []
    if declared_codec and declared_codec != "utf-8" and (declared_codec in could_be or not best):
        candidates.append(declared_codec)
    if guess is None or not guess.startswith(_MULTIBYTE):
        candidates.append(_WESTERN)
    if guess and guess != "utf-8":
        candidates.append(guess)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, encoding, [f"text is not UTF-8; decoded as {encoding}"]
    text = data.decode(_WESTERN, errors="replace")
    return text, _WESTERN, [f"text is not UTF-8 and its charset is unclear; decoded as {_WESTERN}"]


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def extract_text_file(data: bytes, *, source: str, sha256: str, suffix: str) -> ExtractedText:
    """The text of a ``.txt`` or ``.md`` file (Markdown syntax stripped, lines kept).

    A form feed (``\\f``, as ``pdftotext`` writes between pages) starts a new page. Raises
    ``ExtractionError(error="no_text")`` when nothing but whitespace is left.
    """
    text, encoding, warnings = decode_bytes(data)
    text = _normalise_lines(text)
    markdown = "." + suffix.lower().lstrip(".") in MARKDOWN_SUFFIXES
    if markdown:
        text = strip_markdown(text)
    pages = text.split("\f")
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    if not text.strip():
        what = "empty" if not data else "whitespace only"
        raise ExtractionError(f"the text file has no text ({what})", error="no_text")
    return ExtractedText(
        source=source,
        sha256=sha256,
        kind="text",
        pages=[
            PageText(page=number, text=page.strip("\n"), extractor="text")
            for number, page in enumerate(pages, start=1)
        ],
        warnings=warnings,
        meta={"encoding": encoding, "markdown": markdown},
    )


def _normalise_lines(text: str) -> str:
    """Unix line ends, no trailing spaces on a line (Markdown's hard breaks included)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n".join(line.rstrip(" \t\u00a0") for line in text.split("\n"))


# --- Markdown -------------------------------------------------------------------------------

_ESCAPABLE = "\\`*_{}[]()#+-.!|>~<"
# Escaped characters are parked in the Private Use Area while the syntax is taken away.
_PARK = 0xF0000
_ESCAPED = re.compile(r"\\([" + re.escape(_ESCAPABLE) + r"])")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_BLOCKQUOTE = re.compile(r"^( {0,3})(?:> ?)+")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s+\S+.*$")
_INLINE_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_REFERENCE_LINK = re.compile(r"!?\[([^\]\n]+)\]\[[^\]\n]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_CODE = re.compile(r"`+([^`\n]+?)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")


def strip_markdown(text: str) -> str:
    """Take Markdown syntax away, line for line: the result has as many lines as ``text``.

    Headings lose their ``#``, emphasis its ``*``/``_``, links and images keep their text,
    block quotes lose ``>``, rules and table rules become empty lines. List markers and
    numbering ("a.", "1.", "- 3 -") are left as they are: they are part of a regulation.
    """
    return "\n".join(_strip_markdown_line(line) for line in text.split("\n"))


def _strip_markdown_line(line: str) -> str:
    line = _ESCAPED.sub(lambda m: chr(_PARK + _ESCAPABLE.index(m.group(1))), line)
    if _RULE.match(line) or _TABLE_RULE.match(line) or _LINK_DEFINITION.match(line):
        return ""
    line = _BLOCKQUOTE.sub(r"\1", line)
    heading = _HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = _INLINE_LINK.sub(r"\1", line)
    line = _REFERENCE_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS_STAR.sub(r"\1", line)
    line = _EMPHASIS_UNDERSCORE.sub(r"\1", line)
    line = _STRIKE.sub(r"\1", line)
    return "".join(
        _ESCAPABLE[ord(c) - _PARK] if _PARK <= ord(c) < _PARK + len(_ESCAPABLE) else c
        for c in line
    ).rstrip()


# --- DOCX -----------------------------------------------------------------------------------

# Paragraphs (and tables) are separated by a blank line, as in the other extractors' text;
# a table's rows by a line end, its cells by a tab.
_BLOCK_SEPARATOR = "\n\n"
_CELL_SEPARATOR = "\t"


def extract_docx(data: bytes, *, source: str, sha256: str) -> ExtractedText:
    """The text of a Word (DOCX) document: paragraphs and table cells in document order.

    Raises ``ExtractionError(error="corrupt")`` for bytes python-docx cannot open and
    ``ExtractionError(error="no_text")`` for a document without text.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        detail = str(exc).strip("\"'") or type(exc).__name__
        raise ExtractionError(
            f"the file is not a readable DOCX document ({detail})", error="corrupt"
        ) from exc
    text = _BLOCK_SEPARATOR.join(_docx_blocks(document))
    if not text.strip():
        raise ExtractionError("the DOCX document has no text", error="no_text")
    return ExtractedText(
        source=source,
        sha256=sha256,
        kind="docx",
        pages=[PageText(page=1, text=text, extractor="docx")],
        meta=_docx_meta(document),
    )


def _docx_blocks(container) -> Iterator[str]:
    """The non-empty paragraphs and tables of a document or table cell, in order."""
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            rows = [row for row in _table_rows(item) if row]
            if rows:
                yield "\n".join(rows)
        else:
            paragraph = item.text.strip()
            if paragraph:
                yield paragraph


def _table_rows(table) -> Iterator[str]:
    """Each row as its cells' text joined by tabs; merged cells read once."""
    from docx.table import _Cell

    for row in table.rows:
        cells = []
        for tc in row._tr.tc_lst:  # each cell once: ``row.cells`` repeats merged ones
            if tc.vMerge == "continue":
                continue
            cell_text = "\n".join(_docx_blocks(_Cell(tc, table)))
            if cell_text:
                cells.append(cell_text)
        yield _CELL_SEPARATOR.join(cells)


def _docx_meta(document) -> dict:
    """The title the document's properties carry. Its dates are left out: templates carry
    theirs into every document made from them, so they say nothing about the document."""
    title = (document.core_properties.title or "").strip()
    return {"title": title} if title else {}
