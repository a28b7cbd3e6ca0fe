"""HTML listings: JDIH-style tables over several pages, custom selectors, broken pages, and the
real JDIH home page (no listing on it: no documents, a clear warning)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakefetcher import FakeFetcher

from tumis_mining.sources.base import FetchError
from tumis_mining.sources.config import SourceConfig
from tumis_mining.sources.discover import discover
from tumis_mining.sources.listing import discover_listing

DATA = Path(__file__).resolve().parent.parent / "data" / "listing"
SITE = "https://jdih.example.go.id"
START = f"{SITE}/produk-hukum"
PAGES = {
    START: (DATA / "jdih-produk-hukum-page-1.html").read_bytes(),
    f"{SITE}/produk-hukum?page=2": (DATA / "jdih-produk-hukum-page-2.html").read_bytes(),
    f"{SITE}/produk-hukum?page=3": (DATA / "jdih-produk-hukum-page-3.html").read_bytes(),
}
ALL_LINKS = [
    f"{SITE}/uploads/produk-hukum/perbup-12-2019.pdf",
    f"{SITE}/uploads/produk-hukum/perda-3-2020.pdf",
    "https://files.example.go.id/jdih/kepbup-400-117-2022.pdf",
    f"{SITE}/produk-hukum/download?id=17",
    f"{SITE}/uploads/produk-hukum/Surat%20Edaran%20460%202023.PDF",
]


def _source(url: str = START, **options) -> SourceConfig:
    return SourceConfig(name="jdih-sragen-produk-hukum", kind="listing", url=url, options=options)


def test_three_pages_of_a_jdih_table_give_every_document_once():
    fetcher = FakeFetcher(PAGES)
    listing = discover_listing(_source(), fetcher)
    assert ALL_LINKS == [entry.location for entry in listing.entries]
    assert [START, f"{SITE}/produk-hukum?page=2", f"{SITE}/produk-hukum?page=3"] == fetcher.calls
    assert listing.complete
    assert [
        f"listing: 1 of 3 rows on {SITE}/produk-hukum?page=2 have no link matching "
        "\"a[href$='.pdf'], a[href$='.PDF'], a[href*='download'], a[href*='Download']\""
    ] == listing.warnings


def test_a_row_gives_its_columns_as_hints():
    listing = discover_listing(_source(), FakeFetcher(PAGES))
    first, second, *_ = listing.entries
    assert {
        "doc_type": "Peraturan Bupati",
        "number": "12",
        "year": "2019",
        "title": "Pedoman Pelaksanaan Program Penanggulangan Kemiskinan Terpadu",
        "enacted_on": "2 Mei 2019",
        "status": "Berlaku",
    } == first.hints
    # The cells read "Nomor 3" and "Tahun 2020".
    assert ("3", "2020") == (second.hints["number"], second.hints["year"])
    assert ["pdf", "pdf", "pdf", None, "pdf"] == [entry.expect for entry in listing.entries]
    assert {"jdih-sragen-produk-hukum"} == {entry.source_name for entry in listing.entries}


def test_max_pages_stops_early_and_leaves_the_listing_incomplete():
    fetcher = FakeFetcher(PAGES)
    listing = discover_listing(_source(max_pages=2), fetcher)
    assert ALL_LINKS[:4] == [entry.location for entry in listing.entries]
    assert 2 == len(fetcher.calls)
    assert not listing.complete
    assert (
        f"listing: stopped after max_pages = 2 pages; {SITE}/produk-hukum?page=3 and the pages "
        "after it are not read"
    ) == listing.warnings[-1]


def test_a_later_page_that_fails_is_a_warning_and_an_incomplete_listing():
    pages = dict(PAGES)
    del pages[f"{SITE}/produk-hukum?page=2"]
    listing = discover_listing(_source(), FakeFetcher(pages))
    assert ALL_LINKS[:3] == [entry.location for entry in listing.entries]
    assert not listing.complete
    assert [
        f"listing: page {SITE}/produk-hukum?page=2 could not be read: "
        f"{SITE}/produk-hukum?page=2: the server answered 404 Not Found"
    ] == listing.warnings


def test_the_first_page_that_fails_raises():
    with pytest.raises(FetchError) as raised:
        discover_listing(_source(f"{SITE}/tidak-ada"), FakeFetcher(PAGES))
    assert "http_404" == raised.value.error


def test_custom_selectors_read_a_card_layout():
    page = """<html><body><div class="daftar">
      <div class="dokumen"><h4 class="judul">Rencana Aksi Daerah Penanggulangan Kemiskinan</h4>
        <span class="nomor">No. 45 Tahun 2022</span> <span class="tahun">2022</span>
        <a class="lihat" href="/detail/45">Lihat</a>
        <a class="unduh" href="/berkas/45.pdf">Unduh</a>
      </div>
      <div class="dokumen"><h4 class="judul">Satuan Tugas Desa Tumis</h4>
        <span class="nomor">Nomor: 9</span> <span class="tahun">Tahun 2023</span>
        <a class="unduh" href="/berkas/9.pdf">Unduh</a>
      </div></div>
      <a class="berikut" href="/dokumen?hal=2">Berikutnya</a></body></html>"""
    page_2 = """<html><body><div class="dokumen"><h4 class="judul">Pedoman Bedah Rumah</h4>
      <span class="nomor">3</span><span class="tahun">2024</span>
      <a class="unduh" href="https://cdn.example.go.id/berkas/3.pdf">Unduh</a></div></body></html>"""
    source = _source(f"{SITE}/dokumen", row="div.dokumen", title=".judul", number=".nomor",
                     year=".tahun", link="a.unduh", next="a.berikut")
    listing = discover_listing(source, FakeFetcher({f"{SITE}/dokumen": page,
                                                    f"{SITE}/dokumen?hal=2": page_2}))
    assert [
        (f"{SITE}/berkas/45.pdf",
         {"title": "Rencana Aksi Daerah Penanggulangan Kemiskinan", "number": "45",
          "year": "2022"}),
        (f"{SITE}/berkas/9.pdf",
         {"title": "Satuan Tugas Desa Tumis", "number": "9", "year": "2023"}),
        ("https://cdn.example.go.id/berkas/3.pdf",
         {"title": "Pedoman Bedah Rumah", "number": "3", "year": "2024"}),
    ] == [(entry.location, entry.hints) for entry in listing.entries]
    assert listing.complete
    assert [] == listing.warnings


def test_a_table_without_tbody_and_a_base_href():
    page = """<html><head><base href="https://jdih.example.go.id/arsip/"></head><body><table>
      <tr><th>Judul</th><th>Tahun</th><th>Berkas</th></tr>
      <tr><td>Instruksi Bupati tentang Gerakan Sragen Peduli</td><td>2018</td>
          <td><a href="inbup-2-2018.pdf">PDF</a></td></tr></table></body></html>"""
    listing = discover_listing(_source(f"{SITE}/lama"), FakeFetcher({f"{SITE}/lama": page}))
    assert [(f"{SITE}/arsip/inbup-2-2018.pdf",
             {"title": "Instruksi Bupati tentang Gerakan Sragen Peduli", "year": "2018"})] == [
        (entry.location, entry.hints) for entry in listing.entries
    ]


def test_a_next_link_to_another_host_or_back_to_a_seen_page_is_not_followed():
    page = """<html><body><table><tbody><tr><td>Perbup 1/2020</td>
      <td><a href="/a.pdf">PDF</a></td></tr></tbody></table>
      <a rel="next" href="https://elsewhere.example.com/page2">Next</a></body></html>"""
    looping = """<html><body><table><tbody><tr><td>Perbup 2/2020</td>
      <td><a href="/b.pdf">PDF</a></td></tr></tbody></table>
      <a href="/loop">Selanjutnya</a></body></html>"""
    fetcher = FakeFetcher({f"{SITE}/x": page, f"{SITE}/loop": looping})
    away = discover_listing(_source(f"{SITE}/x"), fetcher)
    assert [f"{SITE}/a.pdf"] == [entry.location for entry in away.entries]
    assert [
        f"listing: the next page of {SITE}/x is on another host "
        "(https://elsewhere.example.com/page2); not followed"
    ] == away.warnings
    loop = discover_listing(_source(f"{SITE}/loop"), fetcher)
    assert [f"{SITE}/b.pdf"] == [entry.location for entry in loop.entries]
    assert [f"{SITE}/x", f"{SITE}/loop"] == fetcher.calls
    assert loop.complete


def test_a_page_whose_selectors_match_nothing_is_named_in_a_warning():
    page = "<html><body><p>Halaman sedang dalam perbaikan.</p></body></html>"
    listing = discover_listing(_source(f"{SITE}/kosong", row="table.produk tr"),
                               FakeFetcher({f"{SITE}/kosong": page}))
    assert [] == listing.entries
    assert not listing.complete
    assert [
        f"listing: the row selector 'table.produk tr' matched nothing on {SITE}/kosong; no "
        "documents were found there (is it a listing page? set the source's row selector)"
    ] == listing.warnings


def test_the_real_jdih_home_page_gives_no_documents_and_a_clear_warning(realdata):
    home = (realdata / "gov-html" / "jdih-banjarnegara_index_saved.html").read_bytes()
    url = "https://jdih.banjarnegarakab.go.id/"
    source = SourceConfig(name="jdih-banjarnegara", kind="listing", url=url)
    listing = discover(source, FakeFetcher({url: home}))
    assert [] == listing.entries
    assert not listing.complete
    assert [
        "listing: the row selector 'table tbody tr' (or 'table tr') matched nothing on "
        "https://jdih.banjarnegarakab.go.id/; no documents were found there (is it a listing "
        "page? set the source's row selector)"
    ] == listing.warnings
