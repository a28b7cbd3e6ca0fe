"""A news feed (RSS 2.0, RSS 1.0 or Atom): each item's article page, fetched and extracted later.

Each item becomes an :class:`~tumis_mining.sources.base.Entry` for its link (``expect="html"``)
with the item's title and date as hints (``title``, ``published_at``; the date as the feed wrote
it, which ``segment`` reads: ``Thu, 02 May 2019 10:00:00 +0700``, ``2019-05-02T10:00:00+07:00``).

A feed lists only its latest items, so an article that has left it is not gone from the web: a
feed's listing is never ``complete``, and nothing is withdrawn on its word.

The XML is parsed without network access, without expanding entities and without lxml's huge-tree
mode. A feed that is not XML, or XML that is neither RSS nor Atom, raises
``FetchError(error="bad_feed")``, as a feed that could not be fetched does.
"""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
from lxml import etree

from .base import Entry, Fetcher, FetchError, Listing
from .config import SourceConfig, clean_url, is_http_url


def discover_feed(source: SourceConfig, fetcher: Fetcher) -> Listing:
    """The articles a feed lists, newest first as the feed orders them, up to ``max_items``."""
    listing = Listing(source.name, complete=False)
    max_items = int(source.option("max_items"))
    response = fetcher.get(source.url)
    feed_url = response.url or source.url
    root = _parse(response.content, feed_url)
    name = etree.QName(root).localname.lower()
    if name == "feed":
        items = [_atom_item(entry) for entry in _children(root, "entry")]
    elif name in ("rss", "rdf"):
        channel = next(_children(root, "channel"), root)
        items = [_rss_item(item) for item in _children(channel, "item")]
        if not items:  # RSS 1.0 puts its items beside the channel
            items = [_rss_item(item) for item in _children(root, "item")]
    else:
        raise FetchError(
            f"the feed {feed_url} is neither RSS nor Atom (its root element is <{name}>)",
            error="bad_feed",
            url=feed_url,
        )
    seen: set[str] = set()
    unlinked = 0
    for link, hints in items:
        if len(listing.entries) >= max_items:
            break
        location = clean_url(urljoin(feed_url, link)) if link else None
        if not location or not is_http_url(location):
            unlinked += 1
            continue
        if location in seen:
            continue
        seen.add(location)
        listing.entries.append(Entry(source.name, location, hints=hints, expect="html"))
    if unlinked:
        listing.warnings.append(
            f"feed: {unlinked} item{'s' if unlinked > 1 else ''} of {feed_url} "
            f"{'have' if unlinked > 1 else 'has'} no http(s) link"
        )
    if not items:
        listing.warnings.append(f"feed: {feed_url} lists no items")
    return listing


def _parse(content: bytes, url: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=True,
    )
    if not content.strip():
        raise FetchError(f"the feed {url} is empty", error="bad_feed", url=url)
    try:
        root = etree.fromstring(content.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"the feed {url} is not XML ({exc})", error="bad_feed", url=url) from None
    if root is None:
        raise FetchError(f"the feed {url} is not XML", error="bad_feed", url=url)
    return root


def _children(element: etree._Element, name: str):
    """Child elements named ``name`` in whatever namespace (RSS 1.0 and 2.0 differ)."""
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def _child_text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in _children(element, name):
            text = " ".join("".join(child.itertext()).split())
            if text:
                return text
    return None


def _rss_item(item: etree._Element) -> tuple[str | None, dict]:
    link = _child_text(item, "link")
    if not link:
        for guid in _children(item, "guid"):
            permalink = (guid.get("isPermaLink") or "true").lower() != "false"
            text = (guid.text or "").strip()
            if permalink and text.startswith(("http://", "https://")):
                link = text
    return link, _hints(_child_text(item, "title"), _child_text(item, "pubDate", "date"))


def _atom_item(entry: etree._Element) -> tuple[str | None, dict]:
    link = None
    for candidate in _children(entry, "link"):
        if (candidate.get("rel") or "alternate") == "alternate" and candidate.get("href"):
            link = candidate.get("href")
            break
    title = None
    for element in _children(entry, "title"):
        title = "".join(element.itertext())
        if element.get("type") in ("html", "xhtml") and "<" in title:
            title = lxml.html.fragment_fromstring(title, create_parent="div").text_content()
    return link, _hints(title, _child_text(entry, "published", "updated"))


def _hints(title: str | None, published: str | None) -> dict:
    hints = {}
    if title and " ".join(title.split()):
        hints["title"] = " ".join(title.split())
    if published:
        hints["published_at"] = published
    return hints
