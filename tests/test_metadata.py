"""Metadata of regulations: title blocks, dates, citations and source hints."""

from __future__ import annotations

import pytest

from tumis_mining.records import Document
from tumis_mining.segment.dates import find_date, parse_date, signing_dates
from tumis_mining.segment.headings import split_lines
from tumis_mining.segment.metadata import (
    amended_regulation,
    citation_prefix,
    doc_kind,
    find_title_block,
    hint_doc_type,
    merge_hints,
    smart_case,
)


def _block(text: str):
    return find_title_block(split_lines(text))


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def test_perda_title_block_behind_a_noisy_letterhead():
    block = _block(
        "ROVINSI JAW\n"
        "BUPATI BANJARNGERA\n"
        "PROVINSI JAWA TENGAH\n"
        "PERATURAN DAERAH KABUPATEN BANJARNEGARA\n"
        "NOMOR 8 TAHUN 2025\n"
        "TENTANG\n"
        "PERUBAHAN ATAS PERATURAN DAERAH NOMOR 8 TAHUN 2023\n"
        "TENTANG PAJAK DAERAH DAN RETRIBUSI DAERAH\n"
        "DENGAN RAHMAT TUHAN YANG MAHA ESA\n"
        "BUPATI BANJARNEGARA,\n"
        "Menimbang : a. bahwa kebijakan pajak daerah ...\n"
    )
    assert ("perda", "8", 2025) == (block.doc_type, block.number, block.year)
    assert (
        "Perubahan atas Peraturan Daerah Nomor 8 Tahun 2023 tentang Pajak Daerah dan Retribusi Daerah"
        == block.title
    )
    assert ("Bupati Banjarnegara", "Kabupaten Banjarnegara") == (block.issuer, block.region)
    assert "Peraturan Daerah Nomor 8 Tahun 2023" == block.amends
    assert (3, 8) == (block.start, block.end)


def test_pergub_title_block_with_comma_inside_the_title():
    block = _block(
        "SALINAN\nGUBERNUR BALI\nPERATURAN GUBERNUR BALI\nNOMOR 2 TAHUN 2021\nTENTANG\n"
        "PERUBAHAN ATAS PERATURAN GUBERNUR NOMOR 58 TAHUN 2019\n"
        "TENTANG KEDUDUKAN, SUSUNAN ORGANISASI, TUGAS DAN FUNGSI,\n"
        "SERTA TATA KERJA PERANGKAT DAERAH DI LINGKUNGAN\n"
        "PEMERINTAH PROVINSI BALI\n"
        "DENGAN RAHMAT TUHAN YANG MAHA ESA\nGUBERNUR BALI,\n"
    )
    assert ("pergub", "2", 2021, "Gubernur Bali", "Provinsi Bali") == (
        block.doc_type,
        block.number,
        block.year,
        block.issuer,
        block.region,
    )
    assert _norm(
        "Perubahan atas Peraturan Gubernur Nomor 58 Tahun 2019 tentang Kedudukan, Susunan Organisasi, "
        "Tugas dan Fungsi, serta Tata Kerja Perangkat Daerah di Lingkungan Pemerintah Provinsi Bali"
    ) == _norm(block.title)
    assert "Peraturan Gubernur Nomor 58 Tahun 2019" == block.amends


def test_permen_number_with_slashes():
    block = _block(
        "PERATURAN MENTERI KEUANGAN REPUBLIK INDONESIA\nNOMOR 2/PMK.07/2022\nTENTANG\n"
        "PENGELOLAAN DANA BAGI HASIL\n\nDENGAN RAHMAT TUHAN YANG MAHA ESA\n"
    )
    assert ("permen", "2/PMK.07/2022", 2022) == (block.doc_type, block.number, block.year)
    assert ("Menteri Keuangan Republik Indonesia", None) == (block.issuer, block.region)


def test_ocr_noisy_perpres_number_and_year():
    block = _block(
        "SALINAN\nFRESIDEN\nREFUBUK INDONESIA\nPERATURAN PRESIDEN REPUBLIK INDONESIA\n"
        "NOMOR I58 TAHUN 2O24\nTENTANG\nKEMENTERIAN KEUANGAN\nDENGAN RAHMATTUHAN YANG MAHA ESA\n"
    )
    assert ("perpres", "158", 2024, "Kementerian Keuangan") == (
        block.doc_type,
        block.number,
        block.year,
        block.title,
    )
    assert ("Presiden Republik Indonesia", None) == (block.issuer, block.region)


def test_keputusan_number_with_colon_and_year_inside():
    block = _block(
        "KEPUTUSAN BUPATI SRAGEN\nNOMOR : 400/123/2023\nTENTANG\nTIM PELAKSANA DESA TUMIS\n\nBUPATI SRAGEN,\n"
    )
    assert ("keputusan", "400/123/2023", 2023) == (block.doc_type, block.number, block.year)
    assert ("Bupati Sragen", "Kabupaten Sragen", "Tim Pelaksana Desa Tumis") == (
        block.issuer,
        block.region,
        block.title,
    )


def test_mixed_case_title_block_and_nomor_on_two_lines():
    block = _block(
        "Peraturan Walikota Surakarta\nNomor 5\nTahun 2020\nTentang\nPengentasan Kemiskinan\n\nWALIKOTA SURAKARTA,\n"
    )
    assert ("perwali", "5", 2020, "Pengentasan Kemiskinan") == (
        block.doc_type,
        block.number,
        block.year,
        block.title,
    )
    assert ("Wali Kota Surakarta", "Kota Surakarta") == (block.issuer, block.region)


def test_perdes_belongs_to_the_regency_of_its_letterhead():
    block = _block(
        "KEPALA DESA JABUNG\nKECAMATAN PLUPUH KABUPATEN SRAGEN\nPERATURAN DESA JABUNG\n"
        "NOMOR 4 TAHUN 2022\nTENTANG\nPELAKSANAAN PROGRAM DESA TUNTAS KEMISKINAN DI DESA JABUNG\n"
        "DENGAN RAHMAT TUHAN YANG MAHA ESA\nKEPALA DESA JABUNG,\n"
    )
    assert ("perdes", "Kepala Desa Jabung", "Kabupaten Sragen") == (
        block.doc_type,
        block.issuer,
        block.region,
    )


def test_surat_edaran_issuer_from_the_letterhead():
    block = _block(
        "BUPATI SRAGEN\nPROVINSI JAWA TENGAH\nSragen, 11 Juli 2022\nKepada\n"
        "Yth. 1. Kepala Perangkat Daerah;\n2. Camat se-Kabupaten Sragen;\ndi -\nSRAGEN\n"
        "SURAT EDARAN\nNOMOR 460/1187/17/2022\nTENTANG\nOPTIMALISASI ZAKAT, INFAK DAN SEDEKAH\n"
        "APARATUR SIPIL NEGARA\n1. Latar Belakang\nProgram Desa Tuntas Kemiskinan telah dimulai.\n"
    )
    assert ("surat_edaran", "460/1187/17/2022", 2022) == (block.doc_type, block.number, block.year)
    assert ("Bupati Sragen", "Kabupaten Sragen") == (block.issuer, block.region)
    assert "Optimalisasi Zakat, Infak dan Sedekah Aparatur Sipil Negara" == block.title


def test_prose_mentioning_a_regulation_has_no_title_block():
    text = (
        "PAJAK - RETRIBUSI\n2025\nPERDA NO.8, LD 2025/NO.8, 11 HLM.\n"
        "PERATURAN DAERAH TENTANG PERUBAHAN ATAS PERATURAN DAERAH NOMOR 8 TAHUN 2023\n"
        "TENTANG PAJAK DAERAH DAN RETRIBUSI DAERAH\nABSTRAK : - Kebijakan pajak daerah\n"
        "Undang-Undang Nomor 1 Tahun 2022 tentang Hubungan\nKeuangan Antara Pemerintah Pusat\n"
        "tentang Pajak Daerah dan Retribusi Daerah perlu diubah.\n"
    )
    assert None is _block(text)


def test_lampiran_printed_on_its_own():
    block = _block(
        "LAMPIRAN I\nPERATURAN GUBERNUR BALI\nNOMOR 2 TAHUN 2021\nTENTANG\n"
        "PERUBAHAN ATAS PERATURAN GUBERNUR NOMOR 58 TAHUN 2019\n"
        "STRUKTUR ORGANISASI PERANGKAT DAERAH DI LINGKUNGAN PEMERINTAH PROVINSI BALI\n"
        "A. STRUKTUR ORGANISASI SEKRETARIAT DAERAH\n"
    )
    assert (True, "pergub", "2", 2021) == (block.lampiran, block.doc_type, block.number, block.year)
    assert "Perubahan atas Peraturan Gubernur Nomor 58 Tahun 2019" == block.title


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("UNDANG-UNDANG REPUBLIK INDO NESIA", "uu"),
        ("PERATURAN PEMERINTAH REPUBLIK INDONESIA", "pp"),
        ("PERATURAN PEMERINTAH PENGGANTI UNDANG-UNDANG", "uu"),
        ("PERATURAN FRESIDEN REPUBLIK INDONESIA", "perpres"),
        ("PERATURAN MENTERI DALAM NEGERI", "permen"),
        ("PERATURAN DAERAH PROVINSI BALI", "perda"),
        ("PERATURAN BUPATI SRAGEN", "perbup"),
        ("PERATURAN WALI KOTA SURAKARTA", "perwali"),
        ("PERATURAN DESA JABUNG", "perdes"),
        ("KEPUTUSAN BUPATI SRAGEN", "keputusan"),
        ("INSTRUKSI BUPATI SRAGEN", "instruksi"),
        ("SURAT EDARAN BUPATI SRAGEN", "surat_edaran"),
        ("PERATURAN KEPALA BADAN KEPEGAWAIAN NEGARA", "other"),
    ],
)
def test_doc_kind(line, kind):
    assert kind == doc_kind(line)[0]


@pytest.mark.parametrize(
    "line", ["BUPATI BANJARNGERA", "PRESIDEN REPUBLIK INDONESIA,", "Peraturan ini mulai berlaku"]
)
def test_not_a_doc_kind_line(line):
    assert None is doc_kind(line)


def test_smart_case():
    assert "Pokok-Pokok Pemerintahan di Daerah" == smart_case("POKOK-POKOK PEMERINTAHAN DI DAERAH")
    assert "Hubungan Keuangan antara Pemerintah Pusat dan Pemerintahan Daerah" == smart_case(
        "HUBUNGAN KEUANGAN ANTARA PEMERINTAH PUSAT DAN PEMERINTAHAN DAERAH"
    )
    assert "Perubahan Kedua atas Peraturan Daerah Nomor 10 Tahun 2016 tentang DPRD" == smart_case(
        "PERUBAHAN KEDUA ATAS PERATURAN DAERAH NOMOR 10 TAHUN 2016 TENTANG DPRD"
    )
    assert "Kementerian Keuangan" == smart_case("Kementerian Keuangan")


def test_amended_regulation():
    assert "Undang-Undang Nomor 23 Tahun 2014" == amended_regulation(
        "Perubahan Kedua atas Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah"
    )
    assert None is amended_regulation("Pajak Daerah dan Retribusi Daerah")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("30 Desember 2025", "2025-12-30"),
        ("30-12-2025", "2025-12-30"),
        ("30/12/2025", "2025-12-30"),
        ("2025-12-30T08:00:00+07:00", "2025-12-30"),
        ("pada tanggal 3O Nopember 2O2l", "2021-11-30"),
        ("5 Pebruari 1999", "1999-02-05"),
        ("7 Desembcr 2020", "2020-12-07"),
        ("Senin, 2 Januari 2023 10:00 WIB", "2023-01-02"),
        ("August 17, 2022", None),
        ("Nomor 8 Tahun 2025", None),
        ("31 Februari 2020", None),
    ],
)
def test_parse_date(text, iso):
    assert iso == parse_date(text)


def test_find_date_takes_the_first():
    assert "2019-06-03" == find_date("ditetapkan 3 Juni 2019, diundangkan 2019-06-04")


def test_signing_dates_of_a_closing():
    closing = (
        "Ditetapkan di Bali\nPARAF KOORDINASI\npada tanggal 4 Januari 2021\nGUBERNUR BALI,\nttd\n"
        "Diundangkan di Bali\npada tanggal 5 Januari 2021\n"
    )
    assert ("2021-01-04", "2021-01-05") == signing_dates(closing)


def test_signing_dates_telah_sah_and_numeric():
    assert ("2003-04-05", "2003-04-05") == signing_dates(
        "Telah sah\npada tanggal 5 April 2003\nDiundangkan di Jakarta\npada tanggal 5 April 2003\n"
    )
    assert ("2025-12-30", None) == signing_dates(
        "Ditetapkan di Banjarnegara\npada tanggal 30-12-2025\n"
    )


def test_signing_dates_read_an_ocr_damaged_ditetapkan_only_when_loose():
    closing = "Pilstapkan di Jakarta\npada tanggal 5 November 2024\nDiundangkan di Jakarta\npada tanggal 6 November 2024\n"
    assert (None, "2024-11-06") == signing_dates(closing)
    assert ("2024-11-05", "2024-11-06") == signing_dates(closing, loose=True)


def test_signing_dates_of_an_instruction_and_a_letter():
    assert ("2022-05-20", None) == signing_dates(
        "Dikeluarkan di Sragen\npada tanggal 20 Mei 2022\n"
    )
    assert ("2022-07-11", None) == signing_dates("BUPATI SRAGEN\nSragen, 11 Juli 2022\nKepada\n")


def test_an_empty_promulgation_date_is_none():
    assert ("2022-09-02", None) == signing_dates(
        "Ditetapkan di Jakarta\npada tanggal 2 September 2022\nDiundangkan di Jakarta\npada tanggal\n\nMENTERI\n"
    )


def _document(**fields) -> Document:
    fields = {"source": "s", **fields}
    return Document(id="d", source_name="files", url=None, sha256="x", **fields)


@pytest.mark.parametrize(
    ("fields", "prefix"),
    [
        (
            {"doc_type": "perbup", "number": "12", "year": 2019, "region": "Kabupaten Sragen"},
            "Perbup Sragen 12/2019",
        ),
        (
            {"doc_type": "pergub", "number": "1", "year": 2021, "region": "Provinsi Bali"},
            "Pergub Bali 1/2021",
        ),
        (
            {"doc_type": "perda", "number": "8", "year": 2025, "region": "Kabupaten Banjarnegara"},
            "Perda Banjarnegara 8/2025",
        ),
        (
            {"doc_type": "perda", "number": "1", "year": 2020, "region": "Provinsi Bali"},
            "Perda Provinsi Bali 1/2020",
        ),
        ({"doc_type": "perpres", "number": "158", "year": 2024}, "Perpres 158/2024"),
        ({"doc_type": "uu", "number": "17", "year": 2003}, "UU 17/2003"),
        (
            {
                "doc_type": "permen",
                "number": "148/PMK.01/2012",
                "year": 2012,
                "issuer": "Menteri Keuangan Republik Indonesia",
            },
            "Permenkeu 148/PMK.01/2012",
        ),
        (
            {
                "doc_type": "keputusan",
                "number": "400/123/2023",
                "year": 2023,
                "issuer": "Bupati Sragen",
            },
            "Kepbup Sragen 400/123/2023",
        ),
        (
            {"doc_type": "instruksi", "number": "3", "year": 2022, "issuer": "Bupati Sragen"},
            "Inbup Sragen 3/2022",
        ),
        (
            {"doc_type": "keputusan", "number": "5", "year": 2021, "issuer": "Gubernur Bali"},
            "Kepgub Bali 5/2021",
        ),
        (
            {"doc_type": "perdes", "number": "4", "year": 2022, "issuer": "Kepala Desa Jabung"},
            "Perdes Jabung 4/2022",
        ),
        (
            {"doc_type": "surat_edaran", "number": "460/1187/17/2022", "issuer": "Bupati Sragen"},
            "SE Bupati Sragen 460/1187/17/2022",
        ),
        ({"doc_type": "news", "title": "Desa Tumis Dicanangkan"}, "Desa Tumis Dicanangkan"),
        ({"doc_type": "other", "source": "corpora/sample/abstrak.pdf"}, "abstrak.pdf"),
    ],
)
def test_citation_prefix(fields, prefix):
    assert prefix == citation_prefix(_document(**fields))


def test_hints_fill_what_the_text_did_not_give():
    document = _document(doc_type="perda", number="8", year=2025)
    warnings = merge_hints(
        document,
        {
            "tanggal_penetapan": "30 Desember 2025",
            "judul": "Perubahan Atas Peraturan Daerah Nomor 8 Tahun 2023",
        },
    )
    assert [] == warnings
    assert ("2025-12-30", "Perubahan Atas Peraturan Daerah Nomor 8 Tahun 2023") == (
        document.enacted_on,
        document.title,
    )


def test_hints_that_disagree_warn_and_the_text_wins():
    document = _document(
        doc_type="perda", number="8", year=2025, title="Pajak Daerah dan Retribusi Daerah"
    )
    warnings = merge_hints(
        document,
        {
            "doc_type": "Peraturan Daerah",
            "year": "2024",
            "title": "PAJAK DAERAH DAN RETRIBUSI DAERAH",
        },
    )
    assert [
        "metadata: year read from the text (2025) differs from the source's (2024); the text's is kept"
    ] == warnings
    assert 2025 == document.year


@pytest.mark.parametrize(
    ("value", "doc_type"),
    [("perbup", "perbup"), ("Peraturan Bupati", "perbup"), ("PERDA", "perda"), ("Keputusan Bupati Sragen", "keputusan"),
     ("surat edaran", "surat_edaran"), ("brosur", None)],
)  # fmt: skip
def test_hint_doc_type(value, doc_type):
    assert doc_type == hint_doc_type(value)
