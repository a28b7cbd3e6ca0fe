"""Legal-structure segmentation on small regulations written in the real format."""

from __future__ import annotations

import hashlib

import pytest

from tumis_mining.records import PAGE_SEPARATOR, ExtractedText, PageText, SourceDocument, stable_id
from tumis_mining.segment import passage_text, segment
from tumis_mining.segment.headings import bab_heading, pasal_heading

PERBUP = """\
SALINAN

BUPATI SRAGEN
PROVINSI JAWA TENGAH

PERATURAN BUPATI SRAGEN
NOMOR 12 TAHUN 2019

TENTANG

PENANGGULANGAN KEMISKINAN TERPADU
DI KABUPATEN SRAGEN

DENGAN RAHMAT TUHAN YANG MAHA ESA

BUPATI SRAGEN,

Menimbang : a. bahwa penanggulangan kemiskinan memerlukan kerja sama
antara Pemerintah Daerah, Pemerintah Desa, dunia usaha, dan
masyarakat;
b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam
huruf a, perlu menetapkan Peraturan Bupati tentang Penanggulangan
Kemiskinan Terpadu di Kabupaten Sragen;

Mengingat : 1. Undang-Undang Nomor 13 Tahun 1950 tentang Pembentukan
Daerah-daerah Kabupaten dalam Lingkungan Provinsi Jawa Tengah;
2. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;
3. Peraturan Presiden Nomor 15 Tahun 2010 tentang Percepatan
Penanggulangan Kemiskinan;

MEMUTUSKAN:
Menetapkan : PERATURAN BUPATI TENTANG PENANGGULANGAN KEMISKINAN
TERPADU DI KABUPATEN SRAGEN.

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Peraturan Bupati ini yang dimaksud dengan:
1. Daerah adalah Kabupaten Sragen.
2. Bupati adalah Bupati Sragen.
3. Tim Koordinasi Penanggulangan Kemiskinan Daerah yang selanjutnya
disingkat TKPKD adalah wadah koordinasi lintas sektor dan lintas
pemangku kepentingan.

BAB II
KELEMBAGAAN DAN PENDANAAN

Bagian Kesatu
Tim Koordinasi

Pasal 2
(1) Bupati membentuk TKPKD.
(2) TKPKD sebagaimana dimaksud pada ayat (1) diketuai oleh Wakil
Bupati.

Pasal 3
TKPKD mengoordinasikan perangkat daerah, pemerintah desa, dan dunia
usaha dalam pelaksanaan program sebagaimana dimaksud dalam
Pasal 4.
Pasal 4 . . .

Bagian Kedua
Pendanaan

Pasal 4
(1) Pendanaan penanggulangan kemiskinan bersumber dari:
a. Anggaran Pendapatan dan Belanja Daerah;
b. Anggaran Pendapatan dan Belanja Desa; dan
c. sumber lain yang sah dan tidak mengikat, termasuk dana tanggung
jawab sosial dan lingkungan perusahaan, zakat, infak, dan sedekah
yang dihimpun oleh BAZNAS, Lazismu, dan Lazisnu.
(2) Dana tanggung jawab sosial dan lingkungan perusahaan sebagaimana
dimaksud pada ayat (1) huruf c diarahkan untuk bedah rumah tidak
layak huni, penyambungan listrik bagi rumah tangga miskin, jambanisasi,
dan bantuan modal usaha di desa dengan angka kemiskinan tertinggi,
dengan memperhatikan data terpadu kesejahteraan sosial yang
dimutakhirkan oleh Dinas Sosial bersama pemerintah desa.
(3) Perusahaan yang menyalurkan dana sebagaimana dimaksud pada ayat (2)
menyampaikan rencana dan realisasi kegiatan kepada TKPKD paling
lambat pada akhir triwulan berjalan, dan TKPKD memadukannya dengan
program perangkat daerah agar tidak terjadi tumpang tindih bantuan
kepada rumah tangga sasaran yang sama.
(4) Kepala Desa memfasilitasi musyawarah desa untuk menetapkan rumah
tangga sasaran, lokasi kegiatan, dan jadwal pelaksanaan bantuan
sebagaimana dimaksud pada ayat (2), dengan melibatkan pendamping
sosial, tokoh masyarakat, dan perwakilan rumah tangga miskin.

BAB III
KETENTUAN PENUTUP

Pasal 5
Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.

Agar setiap orang mengetahuinya, memerintahkan pengundangan
Peraturan Bupati ini dengan penempatannya dalam Berita Daerah
Kabupaten Sragen.

Ditetapkan di Sragen
pada tanggal 3 Juni 2019

BUPATI SRAGEN,

ttd.

Diundangkan di Sragen
pada tanggal 4 Juni 2019

SEKRETARIS DAERAH KABUPATEN SRAGEN,

ttd.

BERITA DAERAH KABUPATEN SRAGEN TAHUN 2019 NOMOR 12

PENJELASAN
ATAS
PERATURAN BUPATI SRAGEN
NOMOR 12 TAHUN 2019
TENTANG
PENANGGULANGAN KEMISKINAN TERPADU DI KABUPATEN SRAGEN

I. UMUM
Kemiskinan di Kabupaten Sragen tidak dapat dituntaskan oleh satu
perangkat daerah. Peraturan Bupati ini mengatur kerja sama antara
Pemerintah Daerah, desa, dunia usaha, dan lembaga amil zakat.

II. PASAL DEMI PASAL
Pasal 1
Cukup jelas.
Pasal 2
Ayat (1)
Cukup jelas.
Ayat (2)
Wakil Bupati memimpin rapat koordinasi paling sedikit sekali dalam
tiga bulan.
Pasal 3
Cukup jelas.
Pasal 4
Cukup jelas.
Pasal 5
Cukup jelas.
"""

AMENDING = """\
BUPATI SRAGEN
PROVINSI JAWA TENGAH

PERATURAN BUPATI SRAGEN
NOMOR 7 TAHUN 2023
TENTANG
PERUBAHAN ATAS PERATURAN BUPATI NOMOR 12 TAHUN 2019
TENTANG PENANGGULANGAN KEMISKINAN TERPADU DI KABUPATEN SRAGEN

DENGAN RAHMAT TUHAN YANG MAHA ESA
BUPATI SRAGEN,

Menimbang : a. bahwa untuk mempercepat penuntasan kemiskinan melalui
program Desa Tuntas Kemiskinan perlu melibatkan perusahaan,
lembaga amil zakat, dan perangkat daerah secara terpadu;
b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam
huruf a, perlu menetapkan Peraturan Bupati tentang Perubahan atas
Peraturan Bupati Nomor 12 Tahun 2019;
Mengingat : 1. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;
2. Peraturan Bupati Sragen Nomor 12 Tahun 2019 tentang Penanggulangan
Kemiskinan Terpadu di Kabupaten Sragen;
MEMUTUSKAN:
Menetapkan : PERATURAN BUPATI TENTANG PERUBAHAN ATAS PERATURAN BUPATI
NOMOR 12 TAHUN 2019 TENTANG PENANGGULANGAN KEMISKINAN TERPADU DI
KABUPATEN SRAGEN.
Pasal I
Beberapa ketentuan dalam Peraturan Bupati Sragen Nomor 12 Tahun 2019
tentang Penanggulangan Kemiskinan Terpadu di Kabupaten Sragen (Berita
Daerah Kabupaten Sragen Tahun 2019 Nomor 12) diubah sebagai berikut:
1. Ketentuan ayat (2) Pasal 2 diubah, sehingga Pasal 2 berbunyi
sebagai berikut:
Pasal 2
(1) Bupati membentuk TKPKD.
(2) TKPKD sebagaimana dimaksud pada ayat (1) diketuai oleh Sekretaris
Daerah dan beranggotakan perangkat daerah, camat, dan kepala desa.
2. Di antara Pasal 3 dan Pasal 4 disisipkan 1 (satu) pasal, yakni
Pasal 3A yang berbunyi sebagai berikut:
Pasal 3A
(1) Dinas Sosial menjadi koordinator pelaksanaan program Desa Tuntas
Kemiskinan.
(2) Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah menyusun
laporan capaian program setiap triwulan.
3. Ketentuan Pasal 5 dihapus.
Pasal II
Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.
Agar setiap orang mengetahuinya, memerintahkan pengundangan
Peraturan Bupati ini dengan penempatannya dalam Berita Daerah
Kabupaten Sragen.
Ditetapkan di Sragen
pada tanggal 2O Maret 2O23
BUPATI SRAGEN,
ttd.
"""

KEPUTUSAN = """\
KEPUTUSAN BUPATI SRAGEN
NOMOR 400/123/2023

TENTANG

TIM PELAKSANA PROGRAM DESA TUNTAS KEMISKINAN
KABUPATEN SRAGEN TAHUN 2023

BUPATI SRAGEN,

Menimbang : a. bahwa untuk menuntaskan kemiskinan ekstrem di desa perlu
dibentuk tim pelaksana yang melibatkan perangkat daerah, pemerintah
desa, dunia usaha, dan lembaga amil zakat;
b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam
huruf a, perlu menetapkan Keputusan Bupati;
Mengingat : 1. Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah;
2. Peraturan Bupati Sragen Nomor 12 Tahun 2019 tentang Penanggulangan
Kemiskinan Terpadu di Kabupaten Sragen;
Memperhatikan : Hasil Rapat Koordinasi Penanggulangan Kemiskinan
Kabupaten Sragen tanggal 5 Januari 2023;

MEMUTUSKAN:
Menetapkan : KEPUTUSAN BUPATI TENTANG TIM PELAKSANA PROGRAM DESA
TUNTAS KEMISKINAN KABUPATEN SRAGEN TAHUN 2023.
KESATU : Membentuk Tim Pelaksana Program Desa Tuntas Kemiskinan
Kabupaten Sragen Tahun 2023 dengan susunan keanggotaan sebagaimana
tercantum dalam Lampiran yang merupakan bagian tidak terpisahkan
dari Keputusan ini.
KEDUA : Tim sebagaimana dimaksud dalam Diktum KESATU mempunyai tugas:
a. mendata rumah tangga miskin bersama pemerintah desa;
b. menghimpun dukungan perusahaan melalui tanggung jawab sosial dan
lingkungan, BAZNAS, Lazismu, Lazisnu, PLN, dan PMI; dan
c. melaporkan pelaksanaan tugas kepada Bupati melalui Sekretaris Daerah.
KETIGA : Segala biaya yang timbul akibat ditetapkannya Keputusan ini
dibebankan pada Anggaran Pendapatan dan Belanja Daerah Kabupaten
Sragen dan sumber lain yang sah dan tidak mengikat.
KEEMPAT : Keputusan ini mulai berlaku pada tanggal ditetapkan.

Ditetapkan di Sragen
pada tanggal 9 Januari 2023
BUPATI SRAGEN,
ttd.

LAMPIRAN
KEPUTUSAN BUPATI SRAGEN
NOMOR 400/123/2023
TANGGAL 9 JANUARI 2023
TENTANG TIM PELAKSANA PROGRAM DESA TUNTAS KEMISKINAN
KABUPATEN SRAGEN TAHUN 2023

SUSUNAN KEANGGOTAAN TIM PELAKSANA
Pengarah : Bupati Sragen
Ketua : Sekretaris Daerah
Wakil Ketua : Kepala Dinas Sosial
Sekretaris : Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah
Anggota : 1. Kepala Dinas Pemberdayaan Masyarakat dan Desa
2. Kepala Dinas Kesehatan
3. Kepala Dinas Perumahan dan Kawasan Permukiman
4. Camat Plupuh
5. Kepala Desa Jabung

BUPATI SRAGEN,
ttd.
"""


def _extracted(*pages: str, kind: str = "text", meta: dict | None = None) -> ExtractedText:
    joined = PAGE_SEPARATOR.join(pages)
    return ExtractedText(
        source="mem://doc",
        sha256=hashlib.sha256(joined.encode()).hexdigest(),
        kind=kind,
        pages=[PageText(i + 1, text, "text") for i, text in enumerate(pages)],
        meta=meta or {},
    )


def _parse(*pages: str, hints: dict | None = None, kind: str = "text", meta: dict | None = None):
    source = SourceDocument(
        source="corpora/sample/perbup.txt", source_name="sample", hints=hints or {}
    )
    return segment(_extracted(*pages, kind=kind, meta=meta), source)


def _rows(parsed, section: str) -> list[tuple]:
    return [
        (p.pasal, p.ayat, p.amended_pasal, p.citation)
        for p in parsed.passages
        if p.section == section
    ]


def test_perbup_metadata():
    document = _parse(PERBUP).document
    assert ("perbup", "12", 2019) == (document.doc_type, document.number, document.year)
    assert "Penanggulangan Kemiskinan Terpadu di Kabupaten Sragen" == document.title
    assert ("Bupati Sragen", "Kabupaten Sragen") == (document.issuer, document.region)
    assert ("2019-06-03", "2019-06-04") == (document.enacted_on, document.published_at)
    assert None is document.amends


def test_perbup_document_record():
    parsed = _parse(PERBUP)
    document = parsed.document
    assert stable_id("corpora/sample/perbup.txt") == document.id
    assert ("corpora/sample/perbup.txt", "sample", None) == (
        document.source,
        document.source_name,
        document.url,
    )
    assert (1, "text", None) == (document.pages, document.extractor, document.ingested_at)
    assert [(1, "text", len(PERBUP), False)] == [
        (p.page, p.extractor, p.chars, p.ocr) for p in parsed.pages
    ]


def test_perbup_preamble_items():
    parsed = _parse(PERBUP)
    citations = [
        p.citation for p in parsed.passages if p.section in ("title", "menimbang", "mengingat")
    ]
    assert [
        "Perbup Sragen 12/2019, Judul",
        "Perbup Sragen 12/2019, Menimbang huruf a",
        "Perbup Sragen 12/2019, Menimbang huruf b",
        "Perbup Sragen 12/2019, Mengingat angka 1",
        "Perbup Sragen 12/2019, Mengingat angka 2",
        "Perbup Sragen 12/2019, Mengingat angka 3",
        "Perbup Sragen 12/2019, Menetapkan",
    ] == citations
    menimbang_a = next(p for p in parsed.passages if p.section == "menimbang")
    assert menimbang_a.text.startswith(
        "a. bahwa penanggulangan kemiskinan memerlukan kerja sama antara"
    )


def test_perbup_body_pasal_bab_and_ayat():
    parsed = _parse(PERBUP)
    body = [(p.bab, p.pasal, p.ayat) for p in parsed.passages if p.section == "body"]
    assert [
        ("I", "1", None),
        ("II", "2", None),
        ("II", "3", None),
        ("II", "4", "1"),
        ("II", "4", "2"),
        ("II", "4", "3"),
        ("II", "4", "4"),
        ("III", "5", None),
    ] == body
    ayat_2 = next(p for p in parsed.passages if p.pasal == "4" and p.ayat == "2")
    assert "Perbup Sragen 12/2019, Pasal 4 ayat (2)" == ayat_2.citation
    assert ayat_2.text.startswith("(2) Dana tanggung jawab sosial")


def test_reference_and_catchword_do_not_start_an_article():
    parsed = _parse(PERBUP)
    pasal_3 = next(p for p in parsed.passages if p.pasal == "3" and p.section == "body")
    assert pasal_3.text.endswith("sebagaimana dimaksud dalam Pasal 4. Pasal 4 . . .")


def test_perbup_closing_and_penjelasan():
    parsed = _parse(PERBUP)
    closing = [p for p in parsed.passages if p.section == "closing"]
    assert ["Perbup Sragen 12/2019, Penutup"] == [p.citation for p in closing]
    assert closing[0].text.startswith("Agar setiap orang mengetahuinya")
    assert [
        (None, None, None, "Perbup Sragen 12/2019, Penjelasan Umum"),
        ("1", None, None, "Perbup Sragen 12/2019, Penjelasan Pasal 1"),
        ("2", None, None, "Perbup Sragen 12/2019, Penjelasan Pasal 2"),
        ("3", None, None, "Perbup Sragen 12/2019, Penjelasan Pasal 3"),
        ("4", None, None, "Perbup Sragen 12/2019, Penjelasan Pasal 4"),
        ("5", None, None, "Perbup Sragen 12/2019, Penjelasan Pasal 5"),
    ] == _rows(parsed, "penjelasan")


def test_passage_offsets_point_at_their_span():
    parsed = _parse(PERBUP)
    text = PERBUP
    for passage in parsed.passages:
        assert passage.text == passage_text(text[passage.char_start : passage.char_end])
        assert not text[passage.char_start].isspace()
    assert list(range(len(parsed.passages))) == [p.seq for p in parsed.passages]
    assert all(b.char_start >= a.char_end for a, b in zip(parsed.passages, parsed.passages[1:]))


def test_passage_ids_are_stable_and_distinct():
    first, second = _parse(PERBUP), _parse(PERBUP)
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
    assert len({p.id for p in first.passages}) == len(first.passages)
    passage = first.passages[0]
    expected = stable_id(first.document.id, "title", None, None, None, None, 0)
    assert expected == passage.id


def test_pages_of_passages():
    head, _, tail = PERBUP.partition("BAB II\n")
    parsed = _parse(head, "BAB II\n" + tail)
    pages = {(p.pasal, p.section): p.page for p in parsed.passages}
    assert (1, 2, 2) == (pages[("1", "body")], pages[("2", "body")], pages[("5", "body")])
    assert "text" == parsed.document.extractor and 2 == parsed.document.pages
    text = parsed.passages[0].text
    assert "id" == parsed.passages[0].lang and text.startswith("PERATURAN BUPATI SRAGEN")


def test_amending_perbup_pasal_i_and_quoted_articles():
    parsed = _parse(AMENDING)
    document = parsed.document
    assert ("perbup", "7", 2023, "2023-03-20") == (
        document.doc_type,
        document.number,
        document.year,
        document.enacted_on,
    )
    assert "Peraturan Bupati Nomor 12 Tahun 2019" == document.amends
    assert [
        ("I", None, None, "Perbup Sragen 7/2023, Pasal I"),
        ("I", None, None, "Perbup Sragen 7/2023, Pasal I angka 1"),
        ("I", None, "2", "Perbup Sragen 7/2023, Pasal I (Pasal 2)"),
        ("I", None, None, "Perbup Sragen 7/2023, Pasal I angka 2"),
        ("I", None, "3A", "Perbup Sragen 7/2023, Pasal I (Pasal 3A)"),
        ("I", None, None, "Perbup Sragen 7/2023, Pasal I angka 3"),
        ("II", None, None, "Perbup Sragen 7/2023, Pasal II"),
    ] == _rows(parsed, "body")
    quoted = next(p for p in parsed.passages if p.amended_pasal == "3A")
    assert quoted.text.startswith("Pasal 3A (1) Dinas Sosial menjadi koordinator")
    assert quoted.text.endswith("setiap triwulan.")


def test_keputusan_diktum_and_lampiran():
    parsed = _parse(KEPUTUSAN)
    document = parsed.document
    assert ("keputusan", "400/123/2023", 2023) == (
        document.doc_type,
        document.number,
        document.year,
    )
    assert ("Bupati Sragen", "Kabupaten Sragen", "2023-01-09") == (
        document.issuer,
        document.region,
        document.enacted_on,
    )
    assert (
        "Tim Pelaksana Program Desa Tuntas Kemiskinan Kabupaten Sragen Tahun 2023" == document.title
    )
    assert [
        ("KESATU", None, None, "Kepbup Sragen 400/123/2023, Diktum KESATU"),
        ("KEDUA", None, None, "Kepbup Sragen 400/123/2023, Diktum KEDUA"),
        ("KETIGA", None, None, "Kepbup Sragen 400/123/2023, Diktum KETIGA"),
        ("KEEMPAT", None, None, "Kepbup Sragen 400/123/2023, Diktum KEEMPAT"),
    ] == _rows(parsed, "diktum")
    lampiran = [p for p in parsed.passages if p.section == "lampiran"]
    assert ["Kepbup Sragen 400/123/2023, Lampiran"] == [p.citation for p in lampiran]
    assert "Wakil Ketua : Kepala Dinas Sosial" in lampiran[0].text
    assert "5. Kepala Desa Jabung" in lampiran[0].text
    memperhatikan = [p.citation for p in parsed.passages if p.section == "mengingat"][-1]
    assert "Kepbup Sragen 400/123/2023, Memperhatikan" == memperhatikan
    assert [] == [p for p in parsed.passages if p.section == "body"]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Pasal 1O", 10),
        ("Pasal l1", 11),
        ("Pasal2T", 27),
        ("Pasa] 5", 5),
        ("Pasal 2 4", 24),
        ("Pasal 10 0", 100),
        ("PasalT2", 72),
    ],
)
def test_ocr_noisy_pasal_heading_readings(line, value):
    heading = pasal_heading(line)
    assert value in [reading.value for reading in heading.readings]


@pytest.mark.parametrize(
    "line",
    ["Pasal 5 . . .", "Pasal22 . .", "Pasal 5 ayat (2)", "sebagaimana dimaksud dalam Pasal 12"],
)
def test_not_a_pasal_heading(line):
    assert None is pasal_heading(line)


@pytest.mark.parametrize(
    ("line", "value"), [("BABxI", 11), ("BAB Xl", 11), ("BAB IV", 4), ("BABVII", 7)]
)
def test_ocr_noisy_bab_heading(line, value):
    assert (value,) == bab_heading(line).readings


@pytest.mark.parametrize("line", ["BAB IV . . .", "BABI...", "Bab VIII Hal Keuangan"])
def test_not_a_bab_heading(line):
    assert None is bab_heading(line)


def test_ocr_noisy_headings_in_sequence():
    text = PERBUP.replace("Pasal 2\n(1)", "Pasa] 2\n(1)").replace("Pasal 4\n(1)", "Pasal\n4\n(1)")
    text = text.replace("BAB III\n", "BAB IIl\n").replace(
        "Pasal 5\nPeraturan", "Pasal S\nPeraturan"
    )
    body = [
        (p.bab, p.pasal)
        for p in _parse(text).passages
        if p.section == "body" and p.ayat in (None, "1")
    ]
    assert [("I", "1"), ("II", "2"), ("II", "3"), ("II", "4"), ("III", "5")] == body


def test_dropped_heading_is_tolerated_with_a_warning():
    text = PERBUP.replace("Pasal 3\nTKPKD", "TKPKD")
    parsed = _parse(text)
    assert ["1", "2", "4", "5"] == sorted({p.pasal for p in parsed.passages if p.section == "body"})
    assert any("no heading found for Pasal 3" in warning for warning in parsed.warnings)


def test_surat_edaran_without_headings():
    text = (
        "SURAT EDARAN BUPATI SRAGEN\nNOMOR 400/45/2023\nTENTANG\nPERCEPATAN PROGRAM DESA TUNTAS KEMISKINAN\n\n"
        "Yth. Kepala Perangkat Daerah, Camat, dan Kepala Desa se-Kabupaten Sragen\n\n"
        "Dalam rangka mempercepat penuntasan kemiskinan ekstrem, dengan ini disampaikan:\n"
        "1. Perangkat daerah memadukan program bantuan di desa sasaran.\n"
        "2. Camat memantau pelaksanaan program di wilayahnya.\n\n"
        "Ditetapkan di Sragen\npada tanggal 10 Februari 2023\nBUPATI SRAGEN,\nttd.\n"
    )
    parsed = _parse(text)
    assert ("surat_edaran", "400/45/2023", "2023-02-10") == (
        parsed.document.doc_type,
        parsed.document.number,
        parsed.document.enacted_on,
    )
    assert [
        ("title", "SE Bupati Sragen 400/45/2023, Judul"),
        ("body", "SE Bupati Sragen 400/45/2023, Batang Tubuh"),
        ("closing", "SE Bupati Sragen 400/45/2023, Penutup"),
    ] == [(p.section, p.citation) for p in parsed.passages]


def test_hints_fill_and_disagree():
    parsed = _parse(KEPUTUSAN, hints={"number": "400/999/2023", "published_at": "2023-01-10"})
    assert "400/123/2023" == parsed.document.number
    assert "2023-01-10" == parsed.document.published_at
    assert [
        "metadata: number read from the text ('400/123/2023') differs from the source's "
        "('400/999/2023'); the text's is kept"
    ] == parsed.warnings


def test_news_article_paragraphs():
    article = (
        "Pemerintah Kabupaten Sragen mencanangkan program Desa Tuntas Kemiskinan di Desa Jabung.\n\n"
        "Bupati Sragen mengajak perusahaan, BAZNAS, dan PMI bergotong royong membantu warga miskin.\n\n"
        "Dinas Sosial memimpin pendataan rumah tangga sasaran bersama pemerintah desa."
    )
    parsed = _parse(
        article,
        kind="html",
        meta={"title": "Desa Tumis Dicanangkan di Jabung", "date": "2022-08-17"},
    )
    document = parsed.document
    assert ("news", "Desa Tumis Dicanangkan di Jabung", "2022-08-17") == (
        document.doc_type,
        document.title,
        document.published_at,
    )
    assert [
        ("paragraph", "Desa Tumis Dicanangkan di Jabung, paragraf 1"),
        ("paragraph", "Desa Tumis Dicanangkan di Jabung, paragraf 2"),
        ("paragraph", "Desa Tumis Dicanangkan di Jabung, paragraf 3"),
    ] == [(p.section, p.citation) for p in parsed.passages]
    assert (
        article[parsed.passages[1].char_start : parsed.passages[1].char_end]
        == parsed.passages[1].text
    )


def test_text_without_title_block_is_prose():
    parsed = _parse(
        "Laporan kegiatan.\n\nRapat koordinasi dihadiri perangkat daerah.",
        hints={"doc_type": "laporan"},
    )
    assert "laporan" == parsed.document.doc_type
    assert ["paragraph", "paragraph"] == [p.section for p in parsed.passages]


def test_empty_text_gives_a_warning_not_an_error():
    parsed = _parse("   ")
    assert [] == parsed.passages
    assert ["segment: the document has no text to cut into passages"] == parsed.warnings
