"""The JDIH network integration feed: the JSON list of regulations a JDIH portal publishes.

A feed is a JSON array of records, or an object that wraps the array (``{"data": [...]}``, a
paginated ``{"data": {"data": [...], "next_page_url": ...}}``). A record reads, in part::

    {"idData": "1201", "jenis": "Peraturan Bupati", "singkatanJenis": "PERBUP",
     "noPeraturan": "12", "judul": "...", "tahun_pengundangan": "2019",
     "tanggal_penetapan": "2019-05-02", "tanggal_pengundangan": "02-05-2019",
     "tempatTerbit": "Sragen", "fileDownload": "perbup-12-2019.pdf",
     "urlDownload": "https://jdih.example.go.id/uploads/perbup-12-2019.pdf"}

Fields vary by portal and missing ones are normal. Each record with a download link becomes an
:class:`~tumis_mining.sources.base.Entry` whose hints keep the record's own fields and add the
keys ``segment.metadata.merge_hints`` reads (``tempatTerbit`` becomes ``region``); dates pass
through as the portal wrote them (``segment`` reads ``2019-05-02``, ``02-05-2019``,
``2 Mei 2019``). What the document's own text says wins over these hints.

A feed that is not JSON, or JSON with no array of records, raises ``FetchError(error="bad_feed")``
like a feed that could not be fetched: the flow records it and withdraws nothing.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

from .base import Entry, Fetcher, FetchError, Listing
from .config import SourceConfig, clean_url, is_http_url

# Where portals put the array of records inside a wrapping object, most common first.
_WRAPPERS = ("data", "result", "results", "records", "items", "peraturan", "rows", "list")
# Where a paginated feed names its next page.
_NEXT_KEYS = ("next_page_url", "next")
# How many record ids a warning names before it says "and N more".
_NAMED = 5


def discover_jdihn(source: SourceConfig, fetcher: Fetcher) -> Listing:
    """The documents a JDIH network feed lists.

    The first page's fetch error, or a first page that is no feed, raises :class:`FetchError`;
    a later page that fails leaves the listing incomplete (``complete=False``), with a warning,
    and so do a record that is not an object, stopping at ``max_records`` or ``max_pages``, and
    a feed that lists no documents at all (a portal's glitch must not withdraw its corpus).
    Records without a download link are named in one warning; a link listed twice is kept once.
    """
    listing = Listing(source.name)
    max_records = source.option("max_records")
    max_pages = source.option("max_pages")
    seen: set[str] = set()
    missing: list[str] = []
    url: str | None = source.url
    visited: set[str] = set()
    while url:
        if len(visited) >= max_pages:
            listing.warnings.append(
                f"jdihn: stopped after max_pages = {max_pages} pages of {source.url}; documents "
                "on later pages are not listed"
            )
            listing.complete = False
            break
        visited.add(url)
        try:
            records, next_url = _read_page(fetcher, url)
        except FetchError as exc:
            if len(visited) == 1:
                raise
            listing.warnings.append(f"jdihn: page {url} could not be read: {exc}")
            listing.complete = False
            break
        for position, record in enumerate(records, start=1):
            if max_records is not None and len(listing.entries) >= max_records:
                listing.warnings.append(
                    f"jdihn: stopped at max_records = {max_records}; later records of "
                    f"{source.url} are not listed"
                )
                listing.complete = False
                return _finish(listing, missing)
            if not isinstance(record, dict):
                listing.warnings.append(
                    f"jdihn: record {position} of {url} is not an object: {_short(record)}"
                )
                listing.complete = False
                continue
            link = record_link(record, url)
            if link is None:
                missing.append(_record_name(record, position))
                continue
            if not is_http_url(link):
                listing.warnings.append(
                    f"jdihn: record {_record_name(record, position)} has a download link that "
                    f"is not http(s): {link!r}"
                )
                continue
            if link in seen:
                continue
            seen.add(link)
            listing.entries.append(
                Entry(source.name, link, hints=record_hints(record), expect=_expect(link))
            )
        url = next_url if next_url not in visited else None
    if not listing.entries and listing.complete:
        listing.warnings.append(
            f"jdihn: the feed {source.url} lists no documents; nothing is withdrawn on its word"
        )
        listing.complete = False
    return _finish(listing, missing)


def record_hints(record: dict) -> dict:
    """A feed record's fields, plus the keys ``merge_hints`` reads where the feed names them
    otherwise (``tempatTerbit`` -> ``region``). Empty fields are dropped."""
    hints = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in record.items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }
    place = hints.get("tempatTerbit")
    if isinstance(place, str) and "region" not in hints:
        hints["region"] = " ".join(place.split())
    return hints


def record_link(record: dict, feed_url: str) -> str | None:
    """The document a record points to: ``urlDownload``, else ``fileDownload`` joined to the
    feed's URL; None when it has neither."""
    for key in ("urlDownload", "fileDownload"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return clean_url(urljoin(feed_url, value.strip()))
    return None


def _read_page(fetcher: Fetcher, url: str) -> tuple[list, str | None]:
    response = fetcher.get(url)
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(
            f"the JDIH feed {url} is not JSON ({exc})", error="bad_feed", url=url
        ) from None
    found = _records(data)
    if found is None:
        raise FetchError(
            f"the JDIH feed {url} holds no array of records (expected a JSON array, or an object "
            f"with one under {', '.join(repr(key) for key in _WRAPPERS[:3])}, ...)",
            error="bad_feed",
            url=url,
        )
    records, wrapper = found
    next_url = None
    for key in _NEXT_KEYS:
        value = wrapper.get(key) if wrapper else None
        if isinstance(value, str) and value.strip():
            next_url = clean_url(urljoin(response.url or url, value.strip()))
            break
    if next_url is None and wrapper and isinstance(wrapper.get("links"), dict):
        value = wrapper["links"].get("next")
        if isinstance(value, str) and value.strip():
            next_url = clean_url(urljoin(response.url or url, value.strip()))
    return records, next_url if next_url and is_http_url(next_url) else None


def _records(data: object, depth: int = 0) -> tuple[list, dict | None] | None:
    """The array of records and the object that wraps it (None for a bare array)."""
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict) or depth > 2:
        return None
    for key in _WRAPPERS:
        value = data.get(key)
        if isinstance(value, list):
            return value, data
        if isinstance(value, dict):
            inner = _records(value, depth + 1)
            if inner is not None:
                return inner[0], inner[1] or value
    lists = [value for value in data.values() if isinstance(value, list)]
    if len(lists) == 1 and all(isinstance(item, dict) for item in lists[0]):
        return lists[0], data
    return None


def _expect(link: str) -> str | None:
    return "pdf" if urlsplit(link).path.lower().endswith(".pdf") else None


def _record_name(record: dict, position: int) -> str:
    for key in ("idData", "id", "noPeraturan", "judul"):
        value = record.get(key)
        if value not in (None, ""):
            return f"{key}={_short(value)}"
    return f"#{position}"


def _short(value: object, limit: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish(listing: Listing, missing: list[str]) -> Listing:
    if missing:
        named = ", ".join(missing[:_NAMED])
        more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
        listing.warnings.append(
            f"jdihn: {len(missing)} record{'s have' if len(missing) > 1 else ' has'} no download "
            f"link (urlDownload or fileDownload): {named}{more}"
        )
    return listing
