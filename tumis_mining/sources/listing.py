"""An HTML listing of documents: a JDIH-style table of regulations, page after page.

A JDIH portal lists its regulations in a table, one row per document, with the title (judul),
number (nomor), year (tahun) and a download link, and a "next" link to the following page::

    <table><thead><tr><th>No</th><th>Jenis</th><th>Nomor</th><th>Tahun</th><th>Judul</th>
    <th>Unduh</th></tr></thead>
    <tbody><tr><td>1</td><td>Peraturan Bupati</td><td>12</td><td>2019</td><td>Tentang ...</td>
    <td><a href="/uploads/perbup-12-2019.pdf">Download</a></td></tr> ...</tbody></table>
    <ul class="pagination"><li class="next"><a href="?page=2">&raquo;</a></li></ul>

Each source may set CSS selectors: ``row`` (default ``table tbody tr``, then ``table tr``),
``link`` (default: links ending ``.pdf`` or containing ``download``), ``title``, ``number`` and
``year`` (searched inside a row; by default read from the columns whose header says Judul or
Tentang, Nomor, Tahun, and also Jenis and the dates), ``next`` (default ``rel="next"`` links,
``.pagination .next`` and the like, then a link reading ``Next``, ``Selanjutnya`` or ``»``),
and ``max_pages`` (20). Pages are followed on the listing's own host only, never one page twice.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from .base import Entry, Fetcher, FetchError, Listing
from .config import SourceConfig, clean_url, is_http_url

DEFAULT_ROW = "table tbody tr"
FALLBACK_ROW = "table tr"
DEFAULT_LINK = "a[href$='.pdf'], a[href$='.PDF'], a[href*='download'], a[href*='Download']"
DEFAULT_NEXT = (
    "a[rel~='next'], link[rel~='next'], .pagination .next a, .pagination a.next, "
    "li.next > a, a.next, a.next-page"
)
_NEXT_WORDS = frozenset(
    {"next", "next »", "next ›", "selanjutnya", "berikutnya", "»", "›", ">", ">>", "lanjut"}
)
# A column header (lower case, punctuation dropped) and the hint its cells give.
_HEADERS = (
    (("judul", "tentang", "nama peraturan", "nama dokumen", "uraian", "perihal"), "title"),
    (("nomor", "no peraturan", "nomer"), "number"),
    (("tahun",), "year"),
    (("jenis", "bentuk", "tipe"), "doc_type"),
    (("tanggal penetapan", "tgl penetapan", "ditetapkan"), "enacted_on"),
    (("tanggal pengundangan", "tgl pengundangan", "diundangkan"), "published_at"),
    (("status",), "status"),
)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_NUMBER_PREFIX = re.compile(r"^(?:nomor|no)\s*[.:]?\s*", re.IGNORECASE)
_NUMBER_YEAR = re.compile(r"\s+tahun\s+\d{4}\s*$", re.IGNORECASE)


def discover_listing(source: SourceConfig, fetcher: Fetcher) -> Listing:
    """The documents an HTML listing shows, following its pages.

    The first page's fetch error raises :class:`FetchError` (the flow records it and withdraws
    nothing). A later page that fails, a page whose selectors match nothing, and stopping at
    ``max_pages`` are warnings that leave the listing incomplete (``complete=False``).
    """
    listing = Listing(source.name)
    max_pages = int(source.option("max_pages"))
    host = urlsplit(source.url).hostname
    seen: set[str] = set()
    visited: set[str] = set()
    url: str | None = clean_url(source.url)
    while url:
        if len(visited) >= max_pages:
            listing.warnings.append(
                f"listing: stopped after max_pages = {max_pages} pages; {url} and the pages "
                "after it are not read"
            )
            listing.complete = False
            break
        visited.add(url)
        try:
            response = fetcher.get(url, expect="html")
        except FetchError as exc:
            if len(visited) == 1:
                raise
            listing.warnings.append(f"listing: page {url} could not be read: {exc}")
            listing.complete = False
            break
        page_url = clean_url(response.url or url)
        visited.add(page_url)
        root = _parse(response.content)
        if root is None:
            listing.warnings.append(f"listing: page {page_url} is not an HTML page")
            listing.complete = False
            break
        base = _base_url(root, page_url)
        for entry in _page_entries(source, root, base, page_url, listing):
            if entry.location not in seen:
                seen.add(entry.location)
                listing.entries.append(entry)
        url = _next_page(source, root, base)
        if url and urlsplit(url).hostname != host:
            listing.warnings.append(
                f"listing: the next page of {page_url} is on another host ({url}); not followed"
            )
            url = None
        if url in visited:
            url = None
    return listing


def _parse(content: bytes) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
    try:
        return lxml.html.document_fromstring(content, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _base_url(root: lxml.html.HtmlElement, page_url: str) -> str:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            joined = urljoin(page_url, href)
            return joined if is_http_url(joined) else page_url
    return page_url


def _page_entries(
    source: SourceConfig, root: lxml.html.HtmlElement, base: str, page_url: str, listing: Listing
) -> list[Entry]:
    row_selector = source.option("row")
    if row_selector is None:
        shown = f"{DEFAULT_ROW!r} (or {FALLBACK_ROW!r})"
        rows = [row for row in root.cssselect(DEFAULT_ROW) if row.xpath("./td")]
        if not rows:
            rows = [row for row in root.cssselect(FALLBACK_ROW) if row.xpath("./td")]
    else:
        shown = repr(row_selector)
        rows = root.cssselect(row_selector)
    if not rows:
        listing.warnings.append(
            f"listing: the row selector {shown} matched nothing on {page_url}; no documents "
            "were found there (is it a listing page? set the source's row selector)"
        )
        listing.complete = False
        return []
    link_selector = source.option("link") or DEFAULT_LINK
    columns = _columns(rows[0]) if row_selector is None else {}
    entries, unlinked = [], 0
    for row in rows:
        link = _row_link(row, link_selector, base)
        if link is None:
            unlinked += 1
            continue
        entries.append(
            Entry(source.name, link, hints=_row_hints(source, row, columns), expect=_expect(link))
        )
    if unlinked:
        listing.warnings.append(
            f"listing: {unlinked} of {len(rows)} rows on {page_url} have no link matching "
            f"{link_selector!r}"
        )
    if not entries:
        listing.complete = False
    return entries


def _row_link(row: lxml.html.HtmlElement, selector: str, base: str) -> str | None:
    for anchor in row.cssselect(selector):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        link = clean_url(urljoin(base, href))
        if is_http_url(link):
            return link
    return None


def _columns(row: lxml.html.HtmlElement) -> dict[int, str]:
    """Which hint each column of ``row``'s table gives, read from the table's header cells."""
    table = next(row.iterancestors("table"), None)
    if table is None:
        return {}
    header = table.xpath("./thead/tr[th][1] | ./tr[th][1] | ./tbody/tr[th][1]")
    if not header:
        return {}
    columns: dict[int, str] = {}
    for index, cell in enumerate(header[0].xpath("./th | ./td")):
        label = " ".join(re.sub(r"[^\w ]+", " ", cell.text_content().lower()).split())
        for words, key in _HEADERS:
            if key not in columns.values() and any(
                label == word or label.startswith(word + " ") for word in words
            ):
                columns[index] = key
                break
    return columns


def _row_hints(source: SourceConfig, row: lxml.html.HtmlElement, columns: dict[int, str]) -> dict:
    hints: dict[str, str] = {}
    cells = row.xpath("./td | ./th")
    for index, key in columns.items():
        if index < len(cells):
            hints[key] = _text(cells[index])
    for key in ("title", "number", "year"):
        selector = source.option(key)
        if selector:
            found = row.cssselect(selector)
            hints[key] = _text(found[0]) if found else ""
    if hints.get("number"):
        hints["number"] = _NUMBER_YEAR.sub("", _NUMBER_PREFIX.sub("", hints["number"])).strip()
    if "year" in hints:
        year = _YEAR.search(hints["year"])
        hints["year"] = year.group(1) if year else ""
    return {key: value for key, value in hints.items() if value}


def _next_page(source: SourceConfig, root: lxml.html.HtmlElement, base: str) -> str | None:
    selector = source.option("next")
    candidates = root.cssselect(selector or DEFAULT_NEXT)
    if not selector:
        candidates += [
            anchor
            for anchor in root.iter("a")
            if " ".join(anchor.text_content().split()).lower() in _NEXT_WORDS
        ]
    for anchor in candidates:
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        link = clean_url(urljoin(base, href))
        if is_http_url(link):
            return link
    return None


def _expect(link: str) -> str | None:
    return "pdf" if urlsplit(link).path.lower().endswith(".pdf") else None


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())
