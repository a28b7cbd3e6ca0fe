"""PDF extraction on real documents and on the bad or odd PDFs of ../shared/realdata/robustness."""

from __future__ import annotations

from collections import Counter

import pytest

from tumis_mining.errors import ExtractionError
from tumis_mining.extract import extract, extract_file
from tumis_mining.extract import pdf as pdf_module
from tumis_mining.extract.ocr import find_tesseract
from tumis_mining.records import SourceDocument
from tumis_mining.settings import ExtractSettings

needs_tesseract = pytest.mark.skipif(
    find_tesseract() is None, reason="tesseract-ocr with Indonesian is not installed"
)

FAILURES = {
    "pdfplumber__empty.pdf": ("not_pdf", "not a PDF (looks like an empty file)"),
    "jdih-banjarnegara__dummy.pdf": ("not_pdf", "not a PDF (looks like text: 'Dummy PDF content')"),
    "pdfplumber__password-example.pdf": ("encrypted", "encrypted: a password is required to open this PDF"),
    "pypdf__enc-r2-user-password.pdf": ("encrypted", "encrypted: a password is required to open this PDF"),
    "pdfplumber__issue-297-example.pdf": ("no_pages", "no pages with content: the PDF's 1 page(s) are blank"),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_bad_pdf_fails_with_its_reason(realdata, name):
    with pytest.raises(ExtractionError) as info:
        extract_file(realdata / "robustness" / name)
    assert FAILURES[name] == (info.value.error, str(info.value))


def test_zip_fed_as_pdf_is_not_a_pdf(realdata):
    data = (realdata / "robustness" / "pdfplumber__issue-948.zip").read_bytes()
    with pytest.raises(ExtractionError) as info:
        extract(SourceDocument(source="download.pdf", content=data, url="https://x.test/download.pdf"))
    assert ("not_pdf", "not a PDF (looks like ZIP)") == (info.value.error, str(info.value))


def test_password_opens_encrypted_pdf(realdata):
    text = extract_file(
        realdata / "robustness" / "pdfplumber__password-example.pdf", ExtractSettings(password="test")
    )
    assert text.pages and any(page.text.strip() for page in text.pages)


def test_empty_user_password_opens_silently(realdata):
    text = extract_file(realdata / "robustness" / "pypdf__enc-r6-empty-password.pdf")
    assert 1 == len(text.pages)
    assert text.pages[0].text.strip()


@pytest.mark.parametrize(
    "name",
    [
        "pdfminer__issue-1113-evil-xobjects.pdf",  # circular form XObjects
        "pdfminer__zen_of_python_corrupted.pdf",  # broken xref
        "pypdf__bytes.pdf",  # unterminated object, non-UTF-8 title
        "pypdf__issue-297.pdf",
        "pypdf__missing_info.pdf",  # no /Info
        "pdfplumber__issue-848.pdf",  # rotated pages
        "pdfplumber__issue-192-example.pdf",  # vertical text
        "pypdf__multilang.pdf",
        "samplefiles__habibi-arabic.pdf",
        "samplefiles__multicolumn.pdf",
        "pdfminer__issue_495_pdfobjref.pdf",
    ],
)
def test_damaged_or_odd_pdf_still_gives_text(realdata, name):
    text = extract_file(realdata / "robustness" / name)
    assert sum(len(page.text.strip()) for page in text.pages) > 10


def test_rotated_pages_keep_their_text(realdata):
    text = extract_file(realdata / "robustness" / "pdfplumber__issue-848.pdf")
    assert 8 == len(text.pages)
    assert all(len(page.text) > 1000 for page in text.pages)
    assert {"pypdfium2"} == {page.extractor for page in text.pages}


def test_object_refs_do_not_leak_cid_glyphs(realdata):
    text = extract_file(realdata / "robustness" / "pdfminer__issue_495_pdfobjref.pdf")
    assert "(cid:" not in text.text


def test_doubled_characters_are_deduplicated(realdata):
    text = extract_file(realdata / "robustness" / "pdfplumber__issue-71-duplicate-chars.pdf")
    assert "项目描述" in text.text
    assert "项项目目" not in text.text


def test_scan_with_ocr_layer_keeps_layer_and_is_flagged(realdata):
    text = extract_file(realdata / "robustness" / "pypdf__Seige_of_Vicksburg_Sample_OCR.pdf")
    assert 6 == len(text.pages)
    assert all(page.ocr for page in text.pages)
    assert "Vicksburg" in text.text


@needs_tesseract
def test_image_only_page_is_ocrd(realdata):
    text = extract_file(realdata / "robustness" / "pdfminer__pdf-with-jbig2.pdf")
    page = text.pages[0]
    assert (True, True) == (page.ocr, page.extractor.startswith("tesseract"))
    assert page.text.strip()


def test_image_only_page_without_ocr_fails_needs_ocr(realdata):
    with pytest.raises(ExtractionError) as info:
        extract_file(realdata / "robustness" / "pdfminer__pdf-with-jbig2.pdf", ExtractSettings(ocr="off"))
    assert "needs_ocr" == info.value.error
    assert "no text layer and OCR unavailable" in str(info.value)


def test_missing_tesseract_is_a_page_warning_not_silence(realdata):
    """A page that needs OCR on a machine without tesseract: warned, the rest kept."""
    missing = ExtractSettings(tesseract="tesseract-not-installed-here")
    text = extract_file(realdata / "robustness" / "pypdf__jpeg.pdf", missing)
    assert "A PDF with a JPEG image." in text.text
    assert any(w.startswith("needs_ocr: page 1") for w in text.warnings)


def test_pdf_behind_junk_prefix_is_read_by_the_other_library(realdata):
    """pypdfium2 refuses a PDF after a saved HTTP header; pdfplumber reads it: never lost."""
    data = (realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf").read_bytes()
    junk = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n" + b"X-Pad: " + b"-" * 2000 + b"\r\n\r\n"
    text = extract(SourceDocument(source="saved.pdf", content=junk + data))
    assert 4 == len(text.pages)
    assert {"pdfplumber"} == {page.extractor for page in text.pages}
    assert "PERATURAN GUBERNUR BALI" in text.text
    assert any("pypdfium2 could not open" in w for w in text.warnings)


def test_truncated_pdf_is_read_by_pdfium_when_pdfplumber_fails(realdata):
    data = (realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf").read_bytes()
    text = extract(SourceDocument(source="cut.pdf", content=data[: int(len(data) * 0.99)]))
    assert 4 == len(text.pages)
    assert "PERATURAN GUBERNUR BALI" in text.text


def test_fast_path_used_on_born_digital_regulation(realdata):
    """pypdfium2 reads every page but the two whose Mengingat numbers it reads apart from their
    text (a numbering column); pdfplumber's layout puts those back together."""
    text = extract_file(realdata / "regulations" / "pergub-bali-2-2021_batang-tubuh.pdf")
    assert 28 == len(text.pages)
    assert [2, 3] == [page.page for page in text.pages if page.extractor == "pdfplumber"]
    assert 26 == sum(1 for page in text.pages if page.extractor == "pypdfium2")
    assert "5. Peraturan Pemerintah Nomor 18 Tahun 2016 tentang" in text.text


def test_fast_path_never_reads_everything_with_pdfplumber(realdata):
    text = extract_file(
        realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf", ExtractSettings(fast_path="never")
    )
    assert {"pdfplumber"} == {page.extractor for page in text.pages}


def test_fast_and_slow_paths_give_the_same_words(realdata):
    """Word order may differ around boxes (paraf, signatures); the words themselves may not."""
    path = realdata / "regulations" / "pergub-bali-2-2021_batang-tubuh.pdf"
    fast = Counter(extract_file(path, ExtractSettings(fast_path="always")).text.split())
    slow = Counter(extract_file(path, ExtractSettings(fast_path="never")).text.split())
    differing = sum(((fast - slow) + (slow - fast)).values())
    assert differing <= 0.01 * sum(slow.values())


def test_disagreeing_page_falls_back_page_by_page(realdata, monkeypatch):
    """When the sampled check fails on one page, that page alone is re-read with pdfplumber."""
    original = pdf_module._agree
    calls = []

    def disagree_once(fast, slow):
        calls.append(1)
        return len(calls) > 1 and original(fast, slow)

    monkeypatch.setattr(pdf_module, "_agree", disagree_once)
    text = extract_file(realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf")
    extractors = [page.extractor for page in text.pages]
    assert 1 == extractors.count("pdfplumber")
    assert 3 == extractors.count("pypdfium2")
    assert any("disagree on page(s)" in w for w in text.warnings)


def test_running_headers_and_noise_removed_from_real_perda(realdata):
    text = extract_file(realdata / "regulations" / "perda-banjarnegara-8-2025_pajak-retribusi.pdf").text
    assert "ditandatangani secara elektronik" not in text
    assert "PERATURAN DAERAH KABUPATEN BANJARNEGARA" in text
    assert "TELAH DITELITI OLEH PARAF" not in text and "KABAG HUKUM" not in text
    assert "BUPATI BANJARNEGARA," in text  # the signing official stays


def test_ocr_layer_noise_normalised_in_perpres(realdata):
    text = extract_file(realdata / "regulations" / "perpres-158-2024_scan-ocr.pdf")
    assert all(page.ocr for page in text.pages)
    body = text.text
    assert "FRESIDEN" not in body and "REFUBUK" not in body
    assert "NOMOR 158 TAHUN 2024" in body
    assert "SK No" not in body
    assert "Pasal 14. . ." not in body
