"""Extract + segment of real regulation PDFs (../shared/realdata/regulations, see EXPECTED.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tumis_mining.pipeline import parse_file
from tumis_mining.records import ExtractedText, PageText, ParsedDocument, SourceDocument
from tumis_mining.segment import segment
from tumis_mining.segment.headings import to_roman

pytestmark = pytest.mark.realdata

# file, doc_type, number, year, enacted_on, title (EXPECTED.md).
EXPECTED = [
    ("pergub-bali-1-2021_batang-tubuh.pdf", "pergub", "1", 2021, "2021-01-04",
     "Perubahan atas Peraturan Gubernur Nomor 29 Tahun 2019 tentang Kelas dan Nilai Jabatan di Lingkungan "
     "Pemerintah Provinsi Bali"),
    ("pergub-bali-2-2021_batang-tubuh.pdf", "pergub", "2", 2021, "2021-01-20",
     "Perubahan atas Peraturan Gubernur Nomor 58 Tahun 2019 tentang Kedudukan, Susunan Organisasi, Tugas dan "
     "Fungsi, serta Tata Kerja Perangkat Daerah di Lingkungan Pemerintah Provinsi Bali"),
    ("perda-banjarnegara-8-2025_pajak-retribusi.pdf", "perda", "8", 2025, "2025-12-30",
     "Perubahan atas Peraturan Daerah Nomor 8 Tahun 2023 tentang Pajak Daerah dan Retribusi Daerah"),
    ("perpres-158-2024_scan-ocr.pdf", "perpres", "158", 2024, "2024-11-05", "Kementerian Keuangan"),
]  # fmt: skip


@cache
def _parse(path: Path) -> ParsedDocument:
    return parse_file(path)


def _runs(values: list) -> list:
    return [value for i, value in enumerate(values) if i == 0 or values[i - 1] != value]


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _body(parsed: ParsedDocument) -> list:
    return [p for p in parsed.passages if p.section == "body"]


@pytest.mark.parametrize(
    ("name", "doc_type", "number", "year", "enacted_on", "title"),
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_regulation_pdf_metadata(realdata, name, doc_type, number, year, enacted_on, title):
    document = _parse(realdata / "regulations" / name).document
    assert (doc_type, number, year, enacted_on) == (
        document.doc_type,
        document.number,
        document.year,
        document.enacted_on,
    )
    assert _norm(title) == _norm(document.title)


def test_pergub_bali_1_quotes_the_amended_pasal_3(realdata):
    parsed = _parse(realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf")
    document = parsed.document
    assert ("Gubernur Bali", "Provinsi Bali", "Peraturan Gubernur Nomor 29 Tahun 2019") == (
        document.issuer,
        document.region,
        document.amends,
    )
    assert [
        ("I", None, "Pergub Bali 1/2021, Pasal I"),
        ("I", "3", "Pergub Bali 1/2021, Pasal I (Pasal 3)"),
        ("II", None, "Pergub Bali 1/2021, Pasal II"),
    ] == [(p.pasal, p.amended_pasal, p.citation) for p in _body(parsed)]
    quoted = _body(parsed)[1]
    assert quoted.text.startswith(
        "Pasal 3 (1) Kelas dan Nilai Jabatan digunakan untuk program kepegawaian"
    )
    assert (3, 4) == (quoted.page, _body(parsed)[2].page)


def test_pergub_bali_2_change_points_and_quoted_articles(realdata):
    parsed = _parse(realdata / "regulations" / "pergub-bali-2-2021_batang-tubuh.pdf")
    body = _body(parsed)
    assert ["I", "II"] == _runs([p.pasal for p in body])
    change_points = [p.citation for p in body if p.amended_pasal is None and p.pasal == "I"][1:]
    assert [f"Pergub Bali 2/2021, Pasal I angka {n}" for n in range(1, 23)] == change_points
    quoted = _runs([p.amended_pasal for p in body if p.amended_pasal])
    assert ["1", "8", "11", "16", "20", "21", "22", "23", "25", "26", "27", "28", "29", "31", "32", "33", "35",
            "36", "39", "42", "47"] == quoted  # fmt: skip
    assert 4 == len([p for p in parsed.passages if p.section == "menimbang"])


def test_perda_banjarnegara_amending_structure(realdata):
    parsed = _parse(realdata / "regulations" / "perda-banjarnegara-8-2025_pajak-retribusi.pdf")
    document = parsed.document
    assert (
        "Bupati Banjarnegara",
        "Kabupaten Banjarnegara",
        "Peraturan Daerah Nomor 8 Tahun 2023",
    ) == (
        document.issuer,
        document.region,
        document.amends,
    )
    body = _body(parsed)
    assert ["I", "II"] == _runs([p.pasal for p in body])
    assert ["7", "11", "22", "45", "68", "74", "81", "81A", "82", "85"] == _runs(
        [p.amended_pasal for p in body if p.amended_pasal]
    )
    assert "Perda Banjarnegara 8/2025, Pasal I (Pasal 81A)" in [p.citation for p in body]
    assert "Perda Banjarnegara 8/2025, Pasal I (Pasal 74 ayat (7))" in [p.citation for p in body]
    sections = _runs([p.section for p in parsed.passages])
    assert [
        "title",
        "menimbang",
        "mengingat",
        "title",
        "body",
        "closing",
        "penjelasan",
        "lampiran",
    ] == sections
    penjelasan = [p.citation for p in parsed.passages if p.section == "penjelasan"]
    assert [
        "Perda Banjarnegara 8/2025, Penjelasan Umum",
        "Perda Banjarnegara 8/2025, Penjelasan Pasal I",
        "Perda Banjarnegara 8/2025, Penjelasan Pasal II",
    ] == penjelasan
    lampiran = _runs([p.citation for p in parsed.passages if p.section == "lampiran"])
    assert [
        "Perda Banjarnegara 8/2025, Lampiran I",
        "Perda Banjarnegara 8/2025, Lampiran II",
    ] == lampiran


def test_perpres_scan_pasal_and_bab(realdata):
    """The OCR layer prints ``Pasal I``, ``Pasal 1 1``, ``pasal 22``, ``Pasal TT``, ``BABxI``."""
    parsed = _parse(realdata / "regulations" / "perpres-158-2024_scan-ocr.pdf")
    body = _body(parsed)
    assert [str(n) for n in range(1, 99)] == _runs([p.pasal for p in body])
    assert [to_roman(n) for n in range(1, 13)] == _runs([p.bab for p in body])
    assert ("Presiden Republik Indonesia", None) == (parsed.document.issuer, parsed.document.region)
    pasal_77 = next(p for p in body if p.pasal == "77")
    assert "Perpres 158/2024, Pasal 77" == pasal_77.citation
    assert [] == [w for w in parsed.warnings if w.startswith("body:")]


def test_abstract_is_not_a_regulation(realdata):
    parsed = _parse(realdata / "regulations" / "perda-banjarnegara-8-2025_abstrak.pdf")
    assert ("other", None, None) == (
        parsed.document.doc_type,
        parsed.document.number,
        parsed.document.year,
    )
    assert {"paragraph"} == {p.section for p in parsed.passages}


def test_lampiran_printed_on_its_own(realdata):
    parsed = _parse(realdata / "regulations" / "pergub-bali-2-2021_lampiran-I_struktur-org.pdf")
    document = parsed.document
    assert ("pergub", "2", 2021) == (document.doc_type, document.number, document.year)
    assert {"lampiran"} == {p.section for p in parsed.passages}
    assert {None} == {p.pasal for p in parsed.passages}
    assert {"Pergub Bali 2/2021, Lampiran I"} == {p.citation for p in parsed.passages}


def test_perpres_raw_ocr_layer_without_extraction_cleaning(realdata):
    """The parser reads the scan's raw OCR layer too: ``Pasal 1O``, ``Pasal2T``, ``PasalT2``,
    ``2l`` above ``Pasal``, ``Pasal`` above ``1 1``, ``BABxI`` and catchwords such as
    ``Pasal22 . .`` at page feet."""
    import pdfplumber

    path = realdata / "regulations" / "perpres-158-2024_scan-ocr.pdf"
    with pdfplumber.open(path) as pdf:
        pages = [
            PageText(i + 1, page.extract_text() or "", "pdfplumber", ocr=True)
            for i, page in enumerate(pdf.pages)
        ]
    parsed = segment(ExtractedText(str(path), "raw", "pdf", pages), SourceDocument(str(path)))
    body = _body(parsed)
    assert [str(n) for n in range(1, 99)] == _runs([p.pasal for p in body])
    assert [to_roman(n) for n in range(1, 13)] == _runs([p.bab for p in body])
    pasal_27 = next(p for p in body if p.pasal == "27")
    assert (13, "Pasal2T (1) Direktorat Jenderal Bea dan Cukai") == (
        pasal_27.page,
        pasal_27.text[:45],
    )
    assert ("perpres", "158", 2024, "2024-11-05") == (
        parsed.document.doc_type,
        parsed.document.number,
        parsed.document.year,
        parsed.document.enacted_on,
    )


def test_preamble_items_survive_reading_order_of_numbering_columns_and_ocr_layers(realdata):
    """Pergub Bali 2 prints its Mengingat numbers in a column of their own, and the Perpres scan's
    OCR layer lists Menimbang/Mengingat labels apart from their text; pdfplumber's layout is used
    on those pages so that each item keeps its number."""
    bali = _parse(realdata / "regulations" / "pergub-bali-2-2021_batang-tubuh.pdf")
    mengingat = [p.citation for p in bali.passages if p.section == "mengingat"]
    assert [f"Pergub Bali 2/2021, Mengingat angka {n}" for n in range(1, 11)] == mengingat
    perpres = _parse(realdata / "regulations" / "perpres-158-2024_scan-ocr.pdf")
    assert 1 == len([p for p in perpres.passages if p.section == "menimbang"])
    assert 3 == len([p for p in perpres.passages if p.section == "mengingat"])
    menimbang = next(p for p in perpres.passages if p.section == "menimbang")
    assert "perlu menetapkan peraturan presiden tentang Kementerian Keuangan" in menimbang.text
