"""Segmentation of real law texts (../shared/realdata/regulations-text, see EXPECTED.md)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest

from tumis_mining.records import ExtractedText, PageText, ParsedDocument, SourceDocument
from tumis_mining.segment import passage_text, segment
from tumis_mining.segment.headings import to_roman

pytestmark = pytest.mark.realdata

# file, doc_type, number, year, enacted_on, title, last Pasal, BAB count (EXPECTED.md).
EXPECTED = [
    # EXPECTED.md shortens this title; the document prints "... di Lingkungan Kementerian Keuangan".
    ("permenkeu-2012-148.md", "permen", "148/PMK.01/2012", 2012, "2012-09-19",
     "Izin Mengikuti Pendidikan di Luar Kedinasan untuk Pegawai Negeri Sipil di Lingkungan Kementerian Keuangan",
     17, 9),
    ("permenkeu-2022-133.md", "permen", "133/PMK.01/2022", 2022, "2022-09-02",
     "Tata Kelola Teknologi Informasi dan Komunikasi di Lingkungan Kementerian Keuangan", 46, 10),
    ("uu-1974-5.md", "uu", "5", 1974, "1974-07-23", "Pokok-Pokok Pemerintahan di Daerah", 94, 8),
    ("uu-1999-22.md", "uu", "22", 1999, "1999-05-07", "Pemerintahan Daerah", 134, 16),
    ("uu-2003-17.md", "uu", "17", 2003, "2003-04-05", "Keuangan Negara", 39, 11),
    ("uu-2022-1.md", "uu", "1", 2022, "2022-01-05",
     "Hubungan Keuangan antara Pemerintah Pusat dan Pemerintahan Daerah", 193, 12),
    ("uu-2022-3.md", "uu", "3", 2022, "2022-02-15", "Ibu Kota Negara", 44, 11),
    ("uu-2022-5.md", "uu", "5", 2022, "2022-03-16", "Provinsi Sulawesi Utara", 8, 3),
    ("uu-2022-7.md", "uu", "7", 2022, "2022-03-16", "Provinsi Sulawesi Tenggara", 8, 3),
    ("uu-2022-9.md", "uu", "9", 2022, "2022-03-16", "Provinsi Kalimantan Barat", 8, 3),
]  # fmt: skip
# Texts without a closing or with irregular headings: file, number, year, last Pasal.
ROBUSTNESS = [
    ("uu-2000-24.md", "24", 2000, 22),
    ("uu-2001-21.md", "21", 2001, 79),
    ("uu-2023-2.md", "2", 2023, 2),
    ("uu-2023-4.md", "4", 2023, 2),
]


@cache
def _parse(path: Path) -> tuple[str, ParsedDocument]:
    text = path.read_text(encoding="utf-8")
    extracted = ExtractedText(
        source=str(path),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        kind="text",
        pages=[PageText(1, text, "text")],
    )
    return text, segment(extracted, SourceDocument(source=str(path), path=path))


def _runs(values: list) -> list:
    """Consecutive repeats collapsed: a Pasal cut into ayat pieces counts once."""
    return [value for i, value in enumerate(values) if i == 0 or values[i - 1] != value]


def _body_pasal(parsed: ParsedDocument) -> list[str]:
    return _runs(
        [p.pasal for p in parsed.passages if p.section == "body" and p.amended_pasal is None]
    )


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


@pytest.mark.parametrize(
    ("name", "doc_type", "number", "year", "enacted_on", "title", "last_pasal", "babs"),
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_regulation_text_metadata(
    realdata, name, doc_type, number, year, enacted_on, title, last_pasal, babs
):
    document = _parse(realdata / "regulations-text" / name)[1].document
    assert (doc_type, number, year, enacted_on) == (
        document.doc_type,
        document.number,
        document.year,
        document.enacted_on,
    )
    assert _norm(title) == _norm(document.title)


@pytest.mark.parametrize(
    ("name", "doc_type", "number", "year", "enacted_on", "title", "last_pasal", "babs"),
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_regulation_text_structure(
    realdata, name, doc_type, number, year, enacted_on, title, last_pasal, babs
):
    parsed = _parse(realdata / "regulations-text" / name)[1]
    assert [str(n) for n in range(1, last_pasal + 1)] == _body_pasal(parsed)
    bab_runs = _runs([p.bab for p in parsed.passages if p.section == "body" and p.bab])
    assert [to_roman(n) for n in range(1, babs + 1)] == bab_runs
    assert [] == parsed.warnings


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED] + [row[0] for row in ROBUSTNESS])
def test_regulation_text_passages_point_at_their_spans(realdata, name):
    text, parsed = _parse(realdata / "regulations-text" / name)
    assert list(range(len(parsed.passages))) == [p.seq for p in parsed.passages]
    for passage in parsed.passages:
        assert passage.text == passage_text(text[passage.char_start : passage.char_end])
    assert len({p.id for p in parsed.passages}) == len(parsed.passages)
    sections = _runs([p.section for p in parsed.passages])
    assert ["title", "menimbang", "mengingat", "title", "body"] == sections[:5]


def test_uu_2003_17_penjelasan_is_apart_from_the_body(realdata):
    parsed = _parse(realdata / "regulations-text" / "uu-2003-17.md")[1]
    sections = _runs([p.section for p in parsed.passages])
    assert ["title", "menimbang", "mengingat", "title", "body", "closing", "penjelasan"] == sections
    penjelasan = [p for p in parsed.passages if p.section == "penjelasan"]
    umum = [p for p in penjelasan if p.pasal is None]
    assert umum[0].text.startswith(
        "PENJELASAN ATAS UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 17 TAHUN 2003"
    )
    assert {"UU 17/2003, Penjelasan Umum"} == {p.citation for p in umum}
    assert [str(n) for n in range(1, 40)] == _runs([p.pasal for p in penjelasan if p.pasal])
    assert "UU 17/2003, Penjelasan Pasal 3 ayat (4)" in [p.citation for p in penjelasan]
    assert not any("Cukup jelas" in p.text for p in parsed.passages if p.section == "body")


def test_uu_2022_1_broken_headings(realdata):
    """The text prints "Pasal 2 4" for Pasal 24 and "Pasal 10 0" for Pasal 100."""
    parsed = _parse(realdata / "regulations-text" / "uu-2022-1.md")[1]
    pasal_24 = next(p for p in parsed.passages if p.pasal == "24")
    pasal_100 = next(p for p in parsed.passages if p.pasal == "100")
    assert pasal_24.text.startswith("Pasal 2 4 (1) Subjek Pajak PBBKB adalah konsumen BBKB.")
    assert pasal_100.text.startswith("Pasal 10 0 (1) Pelanggaran terhadap ketentuan")


def test_uu_1974_5_false_bab_inside_an_article(realdata):
    """Pasal 83 quotes "BUKU KEDUA / BAB I." of the penal code: not a new chapter."""
    parsed = _parse(realdata / "regulations-text" / "uu-1974-5.md")[1]
    pasal_83 = [p for p in parsed.passages if p.pasal == "83"]
    assert {"IV"} == {p.bab for p in pasal_83}
    assert any("BUKU KEDUA BAB I." in p.text for p in pasal_83)


def test_permenkeu_citations_and_ayat(realdata):
    parsed = _parse(realdata / "regulations-text" / "permenkeu-2012-148.md")[1]
    citations = [p.citation for p in parsed.passages]
    assert "Permenkeu 148/PMK.01/2012, Menimbang huruf c" in citations
    assert "Permenkeu 148/PMK.01/2012, Pasal 16" in citations
    assert ("Menteri Keuangan Republik Indonesia", None) == (
        parsed.document.issuer,
        parsed.document.region,
    )
    pasal_5 = [p for p in parsed.passages if p.pasal == "5"]
    assert ["1", "2", "3"] == _runs([p.ayat for p in pasal_5])  # the long ayat (3) in two pieces
    assert "dimaksud pada ayat (1) disampaikan" in pasal_5[1].text  # markdown link unwrapped


def test_long_articles_are_cut_but_keep_their_path(realdata):
    parsed = _parse(realdata / "regulations-text" / "uu-2022-1.md")[1]
    body = [p for p in parsed.passages if p.section == "body"]
    assert max(len(p.text) for p in body) < 2500
    pasal_1 = [p for p in body if p.pasal == "1"]
    assert len(pasal_1) > 5 and {("I", "1")} == {(p.bab, p.pasal) for p in pasal_1}


@pytest.mark.parametrize(
    ("name", "number", "year", "last_pasal"), ROBUSTNESS, ids=[row[0] for row in ROBUSTNESS]
)
def test_robustness_texts_parse_into_passages(realdata, name, number, year, last_pasal):
    parsed = _parse(realdata / "regulations-text" / name)[1]
    document = parsed.document
    assert ("uu", number, year) == (document.doc_type, document.number, document.year)
    assert [str(n) for n in range(1, last_pasal + 1)] == _body_pasal(parsed)
    assert None is document.enacted_on
    assert [] == [p for p in parsed.passages if p.section == "closing"]
