"""Article text of an HTML page (a news article, a government notice) with trafilatura.

``extract_html`` decodes the page itself, so that a wrong charset declaration does no harm
(UTF-8 bytes under ``<meta charset="iso-8859-1">``, Windows-1252 bytes under ``utf-8``), lets
trafilatura find the main content, then reads trafilatura's body element block by block: each
paragraph, heading, list or table becomes one paragraph of the text, and paragraphs are joined
by a blank line. Trafilatura drops navigation, menus, footers and share bars; what Indonesian
portals put inside the article body on top of that ("Baca Juga: ...", "Editor: ...", blocks
made mostly of links) is dropped here. A page whose content has no sentence of prose (a portal
home page, a listing) raises ``ExtractionError(error="no_text")``.

The publication date comes from the page's metadata (htmldate, through trafilatura); where the
metadata has none, from an Indonesian date printed near the headline ("Senin, 14 Maret 2023
10:15 WIB").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from tumis_mining.errors import ExtractionError
from tumis_mining.extract.text import decode_bytes
from tumis_mining.records import ExtractedText, PageText

PARAGRAPH_SEPARATOR = "\n\n"

# Short paragraphs that are furniture of Indonesian news pages, not article text.
_CLUTTER = re.compile(
    r"""^\W*(?:
        baca\s+(?:juga|pula|selengkapnya|berita\s+lain(?:nya)?)
        |simak\s+(?:juga|pula|berita|video)|lihat\s+(?:juga|pula|video)
        |(?:berita|artikel|topik)\s+(?:terkait|lainnya|pilihan|populer|terpopuler)
        |ikuti\s+(?:juga\s+)?(?:berita|kami|update|saluran|channel|akun)
        |dapatkan\s+(?:update|berita|informasi)|gabung\s+(?:di|ke|dengan)\s
        |(?:bagikan|share)(?:\s+(?:artikel|berita))?\s*(?::|$)
        |tags?\s*:|topik\s*:|kata\s+kunci\s*:
        |editor\s*:|penulis\s*:|reporter\s*:|pewarta\s*:|penyunting\s*:|redaktur\s*:|foto\s*:
        |copyright|hak\s+cipta|©|\(c\)\s*\d{4}
        |advertisement|scroll\s+to\s+continue|iklan\s*$|adsbygoogle
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CLUTTER_MAX_CHARS = 250
# A block whose text is mostly links is a list of other articles.
_LINK_SHARE = 0.7
# A sentence of prose: enough words, and an end.
_PROSE_MIN_WORDS = 8
_PROSE_END = re.compile(r"""[.!?…]["'”’»)\]]*$""")

_BLOCK_TAGS = frozenset({"p", "head", "list", "table", "quote", "code", "div", "section", "note"})
_CONTAINER_TAGS = frozenset({"quote", "div", "section", "note", "main", "body"})
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f\u3000]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# htmldate looks at metadata and the elements meant for dates, no guessing from image paths
# or copyright lines.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def extract_html(
    data: bytes,
    *,
    source: str,
    sha256: str,
    url: str | None = None,
    media_type: str | None = None,
) -> ExtractedText:
    """The article text of an HTML page, one ``PageText`` (page 1, extractor "trafilatura").

    ``media_type`` is the HTTP ``Content-Type`` when the page was fetched (its charset is a
    hint, not the law). ``meta`` holds ``title``, ``date`` (ISO, or None), ``sitename`` and
    ``url``. Raises ``ExtractionError(error="no_text")`` when the page has no article text.
    """
    import trafilatura

    if not data.strip():
        raise ExtractionError("the HTML page is empty", error="no_text")
    html, warnings = decode_html(data, media_type=media_type)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,  # to measure how much of a block is links; dropped from the text
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None:
        raise ExtractionError("no article text found in the HTML page", error="no_text")
    title = _clean_line(document.title or "") or None
    paragraphs = article_paragraphs(document.body, title=title)
    if not any(_is_prose(paragraph) for paragraph in paragraphs):
        raise ExtractionError(
            "no article text found in the HTML page (navigation only)", error="no_text"
        )
    date = document.date or indonesian_page_date(html, title=title)
    meta = {
        "title": title,
        "date": date,
        "sitename": _clean_line(document.sitename or "") or None,
        "url": url or document.url,
    }
    return ExtractedText(
        source=source,
        sha256=sha256,
        kind="html",
        pages=[
            PageText(page=1, text=PARAGRAPH_SEPARATOR.join(paragraphs), extractor="trafilatura")
        ],
        warnings=warnings,
        meta=meta,
    )


def decode_html(data: bytes, *, media_type: str | None = None) -> tuple[str, list[str]]:
    """The page as text, and warnings. A declared charset only breaks ties (see decode_bytes)."""
    declared = None
    if media_type:
        match = _HTTP_CHARSET.search(media_type)
        declared = match.group(1) if match else None
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    text, _encoding, warnings = decode_bytes(data, declared=declared)
    # lxml refuses text with an encoding declaration and would re-read it as bytes.
    return _XML_DECLARATION.sub("", text, count=1), warnings


# --- the body, block by block ---------------------------------------------------------------


def article_paragraphs(body, *, title: str | None = None) -> list[str]:
    """The paragraphs of trafilatura's body element, with the furniture of news pages dropped.

    A heading that repeats the title at the top is dropped (the title is in ``meta``).
    """
    paragraphs: list[str] = []
    drop_next_list = False
    for tag, text, link_chars in _blocks(body):
        if not text:
            continue
        if drop_next_list and tag == "list":
            drop_next_list = False
            continue
        drop_next_list = False
        if len(text) <= _CLUTTER_MAX_CHARS and _CLUTTER.match(text):
            # "Baca juga:" alone heads the list of links it announces.
            drop_next_list = len(text.split()) <= 4
            continue
        if link_chars > _LINK_SHARE * len(text):
            continue
        if not paragraphs and tag == "head" and title and _same(text, title):
            continue
        paragraphs.append(text)
    return paragraphs


def _blocks(element) -> Iterator[tuple[str, str, int]]:
    """``(tag, text, characters inside links)`` of each block under ``element``, in order."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _CONTAINER_TAGS and any(
            isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in child
        ):
            yield from _blocks(child)
        elif tag == "list":
            lines, links = [], 0
            for item in child.iter("item"):
                text, link_chars = _inline_text(item, skip={"list"})
                if text:
                    lines.append(text)
                    links += link_chars
            yield tag, "\n".join(lines), links
        elif tag == "table":
            rows, links = [], 0
            for row in child.iter("row"):
                cells = []
                for cell in row.iter("cell"):
                    text, link_chars = _inline_text(cell)
                    if text:
                        cells.append(text.replace("\n", " "))
                        links += link_chars
                if cells:
                    rows.append("\t".join(cells))
            yield tag, "\n".join(rows), links
        elif tag in ("graphic", "comments", ""):
            continue
        else:
            text, link_chars = _inline_text(child)
            yield tag, text, link_chars


def _inline_text(element, *, skip: frozenset[str] | set[str] = frozenset()) -> tuple[str, int]:
    """The text of an element with its line breaks (``<lb/>``), and how much of it is links."""
    parts: list[str] = []
    link_chars = 0

    def walk(node, in_link: bool) -> None:
        nonlocal link_chars
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
            if in_link:
                link_chars += len(node.text.strip())
        for child in node:
            if not isinstance(child.tag, str):  # comments, processing instructions
                pass
            elif child.tag not in skip:
                walk(child, in_link or child.tag == "ref")
            if child.tail:
                parts.append(child.tail)
                if in_link:
                    link_chars += len(child.tail.strip())

    walk(element, element.tag == "ref")
    lines = (_clean_line(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line), link_chars


def _clean_line(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def _same(a: str, b: str) -> bool:
    return _clean_line(a).casefold() == _clean_line(b).casefold()


def _is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= _PROSE_MIN_WORDS and bool(_PROSE_END.search(paragraph))


# --- Indonesian dates -----------------------------------------------------------------------

_MONTHS = {
    "januari": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12,
}  # fmt: skip
_DAYS = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)"
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
# "Senin, 14 Maret 2023", "14 Mar. 2023"; "Senin (14/3/2023)", "Senin, 14-03-2023".
_WORD_DATE = re.compile(
    rf"(?P<day_name>\b{_DAYS}\b\s*,?\s*)?"
    rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH})\b\.?\s+(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    rf"(?P<day_name>\b{_DAYS}\b)\s*[,(]?\s*"
    rf"(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
_MIN_YEAR = 1945


def indonesian_page_date(html: str, *, title: str | None = None) -> str | None:
    """The first Indonesian date printed at or after the headline, as ISO ``YYYY-MM-DD``.

    A date with its day name ("Senin, 14 Maret 2023") wins over a bare one; a date after the
    headline over one before it (portals print today's date in their top bar).
    """
    text = page_text(html)
    if not text:
        return None
    headline = text.find(title) if title else -1
    regions = [text[headline:], text] if headline > 0 else [text]
    for region in regions:
        dates = list(_dates_in(region))
        for with_day_name in (True, False):
            for has_day_name, date in dates:
                if has_day_name or not with_day_name:
                    return date
    return None


def _dates_in(text: str) -> Iterator[tuple[bool, str]]:
    found = []
    for pattern in (_WORD_DATE, _NUMERIC_DATE):
        for match in pattern.finditer(text):
            month = match.group("m")
            month_number = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                date = dt.date(int(match.group("y")), month_number, int(match.group("d")))
            except ValueError:
                continue
            if _MIN_YEAR <= date.year <= dt.date.today().year + 1:
                found.append((match.start(), bool(match.group("day_name")), date.isoformat()))
    for _position, has_day_name, date in sorted(found):
        yield has_day_name, date


def page_text(html: str) -> str:
    """The visible text of a page, one line per text node (scripts and styles left out)."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return ""
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    body = tree.find("body")
    pieces = (_clean_line(piece) for piece in (body if body is not None else tree).itertext())
    return "\n".join(piece for piece in pieces if piece)
