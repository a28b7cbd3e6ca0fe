"""News feeds: RSS 2.0, RSS 1.0 and Atom items to entries, unsafe XML, and feeds that are not."""

from __future__ import annotations

import pytest
from fakefetcher import FakeFetcher

from tumis_mining.sources.base import Entry, FetchError
from tumis_mining.sources.config import SourceConfig
from tumis_mining.sources.discover import discover
from tumis_mining.sources.feed import discover_feed

FEED = "https://sragenkab.example.go.id/berita/rss.xml"
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Berita Pemkab Sragen</title>
  <link>https://sragenkab.example.go.id/</link>
  <description>Berita terbaru</description>
  <item>
    <title>Bupati Sragen Luncurkan Desa Tumis di Jabung</title>
    <link>https://sragenkab.example.go.id/berita/2022/03/22/peluncuran-desa-tumis</link>
    <pubDate>Tue, 22 Mar 2022 10:15:00 +0700</pubDate>
    <guid isPermaLink="false">berita-1021</guid>
  </item>
  <item>
    <title><![CDATA[BAZNAS & Lazismu Salurkan Modal Usaha]]></title>
    <guid>https://sragenkab.example.go.id/berita/2022/11/08/modal-usaha</guid>
    <dc:date>2022-11-08T09:00:00+07:00</dc:date>
  </item>
  <item>
    <title>Rakor Desa Tumis (tautan ganda)</title>
    <link>/berita/2022/03/22/peluncuran-desa-tumis</link>
  </item>
  <item>
    <title>Pengumuman tanpa tautan</title>
    <description>Kantor tutup pada hari libur nasional.</description>
  </item>
  <item>
    <title>Gotong Royong Bedah RTLH</title>
    <link>berita/2022/07/08/bedah-rtlh</link>
    <pubDate>Fri, 08 Jul 2022 08:00:00 +0700</pubDate>
  </item>
</channel>
</rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Dinas Sosial Kabupaten Sragen</title>
  <link href="https://dinsos.example.go.id/"/>
  <updated>2023-01-17T08:00:00Z</updated>
  <entry>
    <title type="html">Angka Kemiskinan Sragen &lt;b&gt;Turun&lt;/b&gt;</title>
    <link rel="edit" href="https://dinsos.example.go.id/api/posts/77"/>
    <link rel="alternate" type="text/html" href="https://dinsos.example.go.id/berita/kemiskinan-turun"/>
    <id>tag:dinsos.example.go.id,2023:77</id>
    <published>2023-01-17T08:00:00+07:00</published>
    <updated>2023-01-18T10:00:00+07:00</updated>
  </entry>
  <entry>
    <title>Musdes Verifikasi Data di Jabung</title>
    <link href="https://dinsos.example.go.id/berita/musdes-jabung"/>
    <id>tag:dinsos.example.go.id,2022:51</id>
    <updated>2022-05-25T13:30:00+07:00</updated>
  </entry>
</feed>
"""
RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://desa.example.id/"><title>Desa Jabung</title></channel>
  <item rdf:about="https://desa.example.id/kabar/1">
    <title>Kabar Desa Jabung</title><link>https://desa.example.id/kabar/1</link>
    <dc:date>2022-06-01</dc:date>
  </item>
</rdf:RDF>
"""


def _source(url: str = FEED, **options) -> SourceConfig:
    return SourceConfig(name="berita-sragen", kind="feed", url=url, options=options)


def test_rss_items_become_html_entries_with_title_and_date():
    listing = discover_feed(_source(), FakeFetcher({FEED: RSS}))
    assert [
        ("https://sragenkab.example.go.id/berita/2022/03/22/peluncuran-desa-tumis",
         {"title": "Bupati Sragen Luncurkan Desa Tumis di Jabung",
          "published_at": "Tue, 22 Mar 2022 10:15:00 +0700"}),
        ("https://sragenkab.example.go.id/berita/2022/11/08/modal-usaha",
         {"title": "BAZNAS & Lazismu Salurkan Modal Usaha",
          "published_at": "2022-11-08T09:00:00+07:00"}),
        ("https://sragenkab.example.go.id/berita/berita/2022/07/08/bedah-rtlh",
         {"title": "Gotong Royong Bedah RTLH", "published_at": "Fri, 08 Jul 2022 08:00:00 +0700"}),
    ] == [(entry.location, entry.hints) for entry in listing.entries]
    assert {"html"} == {entry.expect for entry in listing.entries}
    assert [f"feed: 1 item of {FEED} has no http(s) link"] == listing.warnings


def test_a_feed_listing_is_never_complete():
    listing = discover(_source(), FakeFetcher({FEED: RSS}))
    assert not listing.complete


def test_max_items_keeps_the_first_items():
    listing = discover_feed(_source(max_items=1), FakeFetcher({FEED: RSS}))
    assert [Entry("berita-sragen",
                  "https://sragenkab.example.go.id/berita/2022/03/22/peluncuran-desa-tumis",
                  expect="html")] == listing.entries


def test_atom_entries_use_their_alternate_link_and_published_date():
    url = "https://dinsos.example.go.id/atom.xml"
    listing = discover_feed(_source(url), FakeFetcher({url: ATOM}))
    assert [
        ("https://dinsos.example.go.id/berita/kemiskinan-turun",
         {"title": "Angka Kemiskinan Sragen Turun", "published_at": "2023-01-17T08:00:00+07:00"}),
        ("https://dinsos.example.go.id/berita/musdes-jabung",
         {"title": "Musdes Verifikasi Data di Jabung",
          "published_at": "2022-05-25T13:30:00+07:00"}),
    ] == [(entry.location, entry.hints) for entry in listing.entries]
    assert [] == listing.warnings


def test_rss_1_0_items_beside_the_channel():
    url = "https://desa.example.id/rss"
    listing = discover_feed(_source(url), FakeFetcher({url: RDF}))
    assert [("https://desa.example.id/kabar/1",
             {"title": "Kabar Desa Jabung", "published_at": "2022-06-01"})] == [
        (entry.location, entry.hints) for entry in listing.entries
    ]


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("isi rahasia")
    feed = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY bocor SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><item><title>Judul &bocor;</title>
<link>https://sragenkab.example.go.id/berita/1</link></item></channel></rss>"""
    listing = discover_feed(_source(), FakeFetcher({FEED: feed}))
    assert ["https://sragenkab.example.go.id/berita/1"] == [e.location for e in listing.entries]
    assert "rahasia" not in listing.entries[0].hints.get("title", "")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<!DOCTYPE html><html><body><p>Halaman tidak ditemukan</p></body></html>",
         f"the feed {FEED} is neither RSS nor Atom (its root element is <html>)"),
        ("", f"the feed {FEED} is empty"),
        ('{"data": []}', f"the feed {FEED} is not XML"),
    ],
    ids=["html-page", "empty-body", "json"],
)
def test_a_feed_that_is_not_a_feed_raises_bad_feed(body, message):
    with pytest.raises(FetchError) as raised:
        discover_feed(_source(), FakeFetcher({FEED: body}))
    assert ("bad_feed", message) == (raised.value.error, str(raised.value))


def test_a_feed_that_cannot_be_fetched_raises_its_error():
    with pytest.raises(FetchError) as raised:
        discover_feed(_source(), FakeFetcher({}))
    assert "http_404" == raised.value.error
