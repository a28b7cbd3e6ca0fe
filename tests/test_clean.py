"""Page clean-up: the noise real regulation PDFs print around their text."""

from __future__ import annotations

from tumis_mining.extract.clean import (
    clean_pages,
    dedupe_doubled,
    fix_heading_line,
    fix_ocr_text,
    join_hyphenation,
)

PAGE_1 = """SALINAN
BUPATI SRAGEN
PROVINSI JAWA TENGAH
PERATURAN BUPATI SRAGEN
NOMOR 12 TAHUN 2022
TENTANG
PROGRAM DESA TUNTAS KEMISKINAN
Menimbang : a. bahwa angka kemiskinan di Kabupaten Sragen masih
tinggi sehingga perlu penanganan terpadu;
Pasal 1 . . ."""

PAGE_2 = """- 2 -
BUPATI SRAGEN
Pasal 1
Dalam Peraturan Bupati ini yang dimaksud dengan:
1. Daerah adalah Kabupaten Sragen.
2. Desa Tuntas Kemiskinan adalah desa yang menuntaskan penanganan kemiskin-
an secara terpadu.
BAB II . . ."""

PAGE_3 = """- 3 -
BUPATI SRAGEN
BAB II
TIM KOORDINASI
Pasal 2
(1) Bupati membentuk Tim Koordinasi Desa Tuntas Kemiskinan.
Paraf Koordinasi
Sekda
Asisten Pemerintahan
Kabag Hukum
(2) Tim . . ."""

PAGE_4 = """- 4 -
BUPATI SRAGEN
(2) Tim sebagaimana dimaksud pada ayat (1) diketuai oleh Bupati.
Ditetapkan di Sragen
pada tanggal 14 Maret 2022
BUPATI SRAGEN,
ttd."""


def test_sample_pages_lose_their_noise():
    pages = clean_pages([PAGE_1, PAGE_2, PAGE_3, PAGE_4])
    text = "\n".join(pages)
    assert "SALINAN" not in text
    assert "- 2 -" not in text and "- 3 -" not in text
    assert "Pasal 1 . . ." not in text and "BAB II . . ." not in text and "(2) Tim . . ." not in text
    assert "Paraf" not in text and "Kabag Hukum" not in text
    assert "penanganan kemiskinan secara terpadu" in text.replace("\n", " ")


def test_running_header_dropped_but_title_block_kept():
    pages = clean_pages([PAGE_1, PAGE_2, PAGE_3, PAGE_4])
    assert pages[0].startswith("BUPATI SRAGEN\nPROVINSI JAWA TENGAH")
    assert pages[1].startswith("Pasal 1\n")
    assert pages[2].startswith("BAB II\n")
    assert pages[3].startswith("(2) Tim sebagaimana")


def test_signature_block_survives():
    pages = clean_pages([PAGE_1, PAGE_2, PAGE_3, PAGE_4])
    assert pages[3].endswith("Ditetapkan di Sragen\npada tanggal 14 Maret 2022\nBUPATI SRAGEN,\nttd.")


def test_hyphenated_break_joined_and_reduplication_kept():
    assert "penanganan kemiskinan" == join_hyphenation("penanganan kemiskin-\nan")
    assert "sehari-hari" == join_hyphenation("sehari-\nhari")
    assert "Undang-\nUndang" == join_hyphenation("Undang-\nUndang")


def test_doubled_characters():
    assert "SALINAN BUPATI" == dedupe_doubled("SSAALLIINNAANN BBUUPPAATTII")
    assert "Pasal 11 Allah" == dedupe_doubled("Pasal 11 Allah")


def test_ocr_heading_confusions():
    assert "Pasal 10" == fix_heading_line("Pasal 1O")
    assert "Pasal 11" == fix_heading_line("Pasal l1")
    assert "Pasal 5" == fix_heading_line("Pasa] 5")
    assert "Pasal 27" == fix_heading_line("Pasal2T")
    assert "BAB XI" == fix_heading_line("BABxI")
    assert "BAB XI" == fix_heading_line("BAB Xl")
    assert "Pasal II" == fix_heading_line("Pasal II")
    assert "Pasal 81A" == fix_heading_line("Pasal 81A")
    # a sentence is never a heading
    line = "sebagaimana dimaksud dalam Pasal 1O ayat (2)"
    assert line == fix_heading_line(line)


def test_ocr_text_confusions():
    text = "FRESIDEN\nREFUBUK INDONESIA\nNOMOR I58 TAHUN 2O24\nUndang-Undang Nomor 39 Tahun 2OO8"
    assert ("PRESIDEN\nREPUBLIK INDONESIA\nNOMOR 158 TAHUN 2024\nUndang-Undang Nomor 39 Tahun 2008"
            == fix_ocr_text(text))
    assert "pada tanggal 5 November 2021" == fix_ocr_text("pada tanggal 5 November 2O2l")


def test_page_numbers_and_serials_only_at_the_edges():
    page = "- 7 -\nPasal 9\nBiaya paling banyak\n12\nper tahun.\nSK No 247006 A"
    assert "Pasal 9\nBiaya paling banyak\n12\nper tahun." == clean_pages([page])[0]


def test_catchword_without_dots_is_dropped_when_it_opens_the_next_page():
    pages = clean_pages(["Pasal 13\nDirektorat Jenderal mempunyai tugas.\nBagian", "Bagian Kedua\nSekretariat"])
    assert "Pasal 13\nDirektorat Jenderal mempunyai tugas." == pages[0]


def test_pages_opening_with_an_article_keep_their_heading():
    duties = ["menyusun rencana aksi", "memverifikasi data", "menggalang dana CSR",
              "memantau bedah rumah", "melaporkan hasil", "mengevaluasi program"]
    pages = [f"- {n} -\nPasal {n}\nTim Koordinasi bertugas {duty}.\nPasal {n + 1} . . ."
             for n, duty in zip(range(2, 8), duties)]
    cleaned = clean_pages(pages)
    assert all(page.startswith(f"Pasal {n}\n") for n, page in zip(range(2, 8), cleaned))
