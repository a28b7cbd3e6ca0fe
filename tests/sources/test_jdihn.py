"""The JDIH network feed: records to entries, their hints, wrapped and paginated feeds, and feeds
that are broken."""

from __future__ import annotations

import json

import pytest
from fakefetcher import FakeFetcher

from tumis_mining.records import Document
from tumis_mining.segment.metadata import merge_hints
from tumis_mining.sources.base import Entry, FetchError
from tumis_mining.sources.config import SourceConfig
from tumis_mining.sources.discover import discover
from tumis_mining.sources.jdihn import discover_jdihn

FEED = "https://jdih.example.go.id/integrasi/jdihn.json"
PERBUP = {
    "idData": "1201",
    "tahun_pengundangan": "2019",
    "tanggal_pengundangan": "02-05-2019",
    "jenis": "Peraturan Bupati",
    "noPeraturan": "12",
    "judul": "Pedoman Pelaksanaan Program Penanggulangan Kemiskinan Terpadu",
    "noPanggil": "-",
    "singkatanJenis": "PERBUP",
    "tempatTerbit": "Sragen",
    "penerbit": "",
    "bidangHukum": "Hukum Tata Negara",
    "subjek": "KEMISKINAN",
    "status": "Berlaku",
    "tanggal_penetapan": "2019-05-02",
    "fileDownload": "perbup-12-2019.pdf",
    "urlDownload": "https://jdih.example.go.id/uploads/perbup-12-2019.pdf",
    "urlDetailPeraturan": "https://jdih.example.go.id/produk-hukum/1201",
}
KEPBUP = {
    "idData": "1388",
    "jenis": "Keputusan Bupati",
    "noPeraturan": "400.9/117/2022",
    "judul": "Pembentukan Tim Koordinasi Desa Tuntas Kemiskinan",
    "tahun_pengundangan": "2022",
    "tanggal_penetapan": "11 Juli 2022",
    "fileDownload": "../files/Kepbup 400.9-117-2022.pdf",
}
NO_LINK = {"idData": "1402", "jenis": "Instruksi Bupati", "noPeraturan": "2", "judul": "Gerakan"}


def _source(**options) -> SourceConfig:
    return SourceConfig(name="jdih-sragen", kind="jdihn", url=FEED, options=options)


def test_records_become_entries_with_their_links():
    feed = json.dumps([PERBUP, KEPBUP, NO_LINK, dict(PERBUP, idData="1201b")])
    listing = discover_jdihn(_source(), FakeFetcher({FEED: feed}))
    assert [
        ("https://jdih.example.go.id/uploads/perbup-12-2019.pdf", "pdf"),
        ("https://jdih.example.go.id/files/Kepbup%20400.9-117-2022.pdf", "pdf"),
    ] == [(entry.location, entry.expect) for entry in listing.entries]
    assert [
        "jdihn: 1 record has no download link (urlDownload or fileDownload): idData=1402"
    ] == listing.warnings
    assert listing.complete


def test_a_record_keeps_its_fields_and_gives_the_keys_metadata_reads():
    listing = discover_jdihn(_source(), FakeFetcher({FEED: json.dumps([PERBUP])}))
    hints = listing.entries[0].hints
    expected = {key: value for key, value in PERBUP.items() if value} | {"region": "Sragen"}
    assert expected == hints


def test_feed_dates_in_their_several_shapes_reach_the_document():
    listing = discover_jdihn(_source(), FakeFetcher({FEED: json.dumps([PERBUP, KEPBUP])}))
    documents = []
    for entry in listing.entries:
        document = Document(id="d", source=entry.location, source_name="jdih-sragen", url=None,
                            sha256="0" * 64)
        assert [] == merge_hints(document, entry.hints)
        documents.append(document)
    perbup, kepbup = documents
    assert ("perbup", "12", 2019, "2019-05-02", "2019-05-02", "Sragen") == (
        perbup.doc_type, perbup.number, perbup.year, perbup.enacted_on, perbup.published_at,
        perbup.region,
    )
    assert ("keputusan", "2022-07-11", None) == (kepbup.doc_type, kepbup.enacted_on,
                                                 kepbup.published_at)


def test_what_the_text_says_wins_and_a_disagreement_is_a_warning():
    entry = discover_jdihn(_source(), FakeFetcher({FEED: json.dumps([PERBUP])})).entries[0]
    document = Document(id="d", source=entry.location, source_name="jdih-sragen", url=None,
                        sha256="0" * 64, doc_type="perbup", number="13", year=2019)
    warnings = merge_hints(document, entry.hints)
    assert "13" == document.number
    assert [
        "metadata: number read from the text ('13') differs from the source's ('12'); the "
        "text's is kept"
    ] == warnings


def test_a_feed_wrapped_in_an_object():
    feed = json.dumps({"status": "ok", "total": 2, "data": [PERBUP, KEPBUP]})
    listing = discover_jdihn(_source(), FakeFetcher({FEED: feed}))
    assert ["1201", "1388"] == [entry.hints["idData"] for entry in listing.entries]


def test_a_paginated_feed_is_followed_page_by_page():
    page_2 = f"{FEED}?page=2"
    fetcher = FakeFetcher({
        FEED: json.dumps({"data": {"current_page": 1, "data": [PERBUP], "next_page_url": page_2}}),
        page_2: json.dumps({"data": {"current_page": 2, "data": [KEPBUP], "next_page_url": None}}),
    })
    listing = discover_jdihn(_source(), fetcher)
    assert ["1201", "1388"] == [entry.hints["idData"] for entry in listing.entries]
    assert [FEED, page_2] == fetcher.calls
    assert listing.complete


def test_a_later_page_that_fails_leaves_the_listing_incomplete():
    feed = json.dumps({"data": [PERBUP], "links": {"next": "?page=2"}})
    listing = discover_jdihn(_source(), FakeFetcher({FEED: feed}))
    assert ["1201"] == [entry.hints["idData"] for entry in listing.entries]
    assert not listing.complete
    assert [
        f"jdihn: page {FEED}?page=2 could not be read: {FEED}?page=2: the server answered 404 "
        "Not Found"
    ] == listing.warnings


def test_max_records_stops_early_and_leaves_the_listing_incomplete():
    feed = json.dumps([PERBUP, KEPBUP])
    listing = discover_jdihn(_source(max_records=1), FakeFetcher({FEED: feed}))
    assert ["1201"] == [entry.hints["idData"] for entry in listing.entries]
    assert not listing.complete
    assert [f"jdihn: stopped at max_records = 1; later records of {FEED} are not listed"] == (
        listing.warnings
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Sedang pemeliharaan</body></html>",
         f"the JDIH feed {FEED} is not JSON (Expecting value: line 1 column 1 (char 0))"),
        (b'{"status": "error", "message": "token salah"}',
         f"the JDIH feed {FEED} holds no array of records (expected a JSON array, or an object "
         "with one under 'data', 'result', 'results', ...)"),
        (b"", f"the JDIH feed {FEED} is not JSON (Expecting value: line 1 column 1 (char 0))"),
    ],
    ids=["html-page", "object-without-records", "empty-body"],
)
def test_a_feed_that_is_not_a_feed_raises_bad_feed(body, message):
    with pytest.raises(FetchError) as raised:
        discover_jdihn(_source(), FakeFetcher({FEED: body}))
    assert ("bad_feed", message, FEED) == (raised.value.error, str(raised.value), raised.value.url)


def test_a_feed_that_cannot_be_fetched_raises_its_error():
    with pytest.raises(FetchError) as raised:
        discover(_source(), FakeFetcher({}))
    assert "http_404" == raised.value.error


def test_an_empty_feed_withdraws_nothing():
    listing = discover_jdihn(_source(), FakeFetcher({FEED: "[]"}))
    assert [] == listing.entries
    assert not listing.complete
    assert [f"jdihn: the feed {FEED} lists no documents; nothing is withdrawn on its word"] == (
        listing.warnings
    )


def test_a_record_that_is_not_an_object_leaves_the_listing_incomplete():
    feed = json.dumps([PERBUP, "Perbup 13/2019", {"idData": "9", "urlDownload": "ftp://x/a.pdf"}])
    listing = discover_jdihn(_source(), FakeFetcher({FEED: feed}))
    assert [Entry("jdih-sragen", PERBUP["urlDownload"], expect="pdf")] == listing.entries
    assert not listing.complete
    assert [
        f"jdihn: record 2 of {FEED} is not an object: Perbup 13/2019",
        "jdihn: record idData=9 has a download link that is not http(s): 'ftp://x/a.pdf'",
    ] == listing.warnings
