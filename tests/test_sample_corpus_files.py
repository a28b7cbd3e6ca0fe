"""The bundled sample corpus: reproducible from its sources, and as noisy as EXPECTED.json says."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
SOURCES = ROOT / "corpora" / "sample-src"
SCRIPT = ROOT / "scripts" / "make_sample_corpus.py"
EXPECTED = json.loads((SAMPLE / "EXPECTED.json").read_text(encoding="utf-8"))["files"]
PDFS = sorted(name for name, facts in EXPECTED.items() if facts["kind"] == "pdf")
NEWS = sorted(name for name, facts in EXPECTED.items() if facts["kind"] == "html")
MAIN_PERBUP = "regulations/perbup-sragen-12-2022_desa-tuntas-kemiskinan.pdf"
AMENDING_PERBUP = "regulations/perbup-sragen-31-2023_perubahan-desa-tuntas-kemiskinan.pdf"
KEPUTUSAN = "regulations/kepbup-sragen-400.9-123-2023_tim-koordinasi-desa-tumis.pdf"
PERDA = "regulations/perda-sragen-5-2021_penanggulangan-kemiskinan.pdf"
WRONG_CHARSET = "news/2022-11-08_baznas-modal-usaha-desa-tumis.html"


def sample_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@functools.cache
def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def page_images(path: Path) -> list[list[tuple]]:
    with pdfplumber.open(path) as pdf:
        return [[tuple(image["srcsize"]) for image in page.images] for page in pdf.pages]


def cleaned_text(name: str) -> str:
    """The text layer without the furniture EXPECTED lists, hyphens joined, spaces collapsed."""
    facts, pages = EXPECTED[name], page_texts(SAMPLE / name)
    noise = facts["noise"]
    kept = []
    for number, text in enumerate(pages, start=1):
        if number in facts["image_pages"]:
            continue  # no text layer: only OCR can read it
        key = str(number)
        lines = text.split("\n")
        if number == 1 and noise["salinan"]:
            lines.remove(noise["salinan"])
        for table in ("page_headers", "footers"):
            if key in noise[table]:
                lines.remove(noise[table][key])
        if key in noise["catchwords"]:
            last = [i for i, line in enumerate(lines) if line.endswith(noise["catchwords"][key])]
            lines[last[-1]] = lines[last[-1]][: -len(noise["catchwords"][key])].rstrip()
        if number in noise["paraf_pages"]:
            paraf = {"Paraf Koordinasi", "Sekda", "Asisten Pemkesra", "Kabag Hukum", "Kadinsos"}
            lines = [re.sub(r"^Paraf Koordinasi ?", "", line) for line in lines
                     if line not in paraf]
        kept.append("\n".join(line for line in lines if line))
    joined = "\n".join(kept)
    joined = re.sub(r"([a-z])-\n([a-z])", r"\1\2", joined)
    return " ".join(joined.split())


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "head")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "head")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(name: str) -> str:
    parser = VisibleText()
    parser.feed((SAMPLE / name).read_bytes().decode("utf-8"))
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)],
                         capture_output=True, text=True)
    assert 0 == run.returncode, run.stderr
    return out


def test_rerun_writes_the_same_set_of_files(regenerated):
    assert sample_files(SAMPLE) == sample_files(regenerated)


@pytest.mark.parametrize("name", sorted(sample_files(SAMPLE)))
def test_rerun_reproduces_committed_file(regenerated, name):
    if EXPECTED.get(name, {}).get("image_pages"):
        # The scanned page is drawn with a system font, so its pixels may differ between
        # machines; its text layer (none) and the other pages must not.
        assert page_texts(SAMPLE / name) == page_texts(regenerated / name)
        assert page_images(SAMPLE / name) == page_images(regenerated / name)
    else:
        assert (SAMPLE / name).read_bytes() == (regenerated / name).read_bytes(), (
            f"{name} differs: run scripts/make_sample_corpus.py and commit corpora/sample")


def test_expected_covers_every_file():
    assert sample_files(SAMPLE) - {"EXPECTED.json"} == set(EXPECTED)


def test_corpus_stays_small():
    assert sum((SAMPLE / name).stat().st_size for name in sample_files(SAMPLE)) < 3_000_000


def test_sample_has_six_regulations_and_six_news_articles_at_least():
    assert len(PDFS) >= 6
    assert len(NEWS) >= 6
    assert {"perbup", "perda", "keputusan", "instruksi", "perdes"} <= {
        EXPECTED[name]["doc_type"] for name in PDFS}


@pytest.mark.parametrize("name", PDFS)
def test_pdf_opens_with_expected_page_count(name):
    assert EXPECTED[name]["pages"] == len(page_texts(SAMPLE / name))


def test_main_perbup_structure():
    facts = EXPECTED[MAIN_PERBUP]
    assert [str(n) for n in range(1, 21)] == facts["pasal"]
    assert ["I", "II", "III", "IV", "V", "VI", "VII"] == facts["bab"]
    assert [str(n) for n in range(1, 21)] == facts["penjelasan_pasal"]
    assert (True, False, None) == (facts["has_penjelasan"], facts["has_lampiran"], facts["amends"])
    assert ("perbup", "12", 2022, "2022-03-14") == (
        facts["doc_type"], facts["number"], facts["year"], facts["enacted_on"])
    assert facts["pages"] >= 8


def test_main_perbup_text_layer_carries_its_structure():
    text = "\n".join(page_texts(SAMPLE / MAIN_PERBUP))
    headings = re.findall(r"^Pasal (\d+)$", text.split("PENJELASAN")[0], flags=re.M)
    assert EXPECTED[MAIN_PERBUP]["pasal"] == headings
    for phrase in ("DENGAN RAHMAT TUHAN YANG MAHA ESA", "MEMUTUSKAN:", "Bagian Kesatu",
                   "BERITA DAERAH KABUPATEN SRAGEN TAHUN 2022 NOMOR 12", "I. UMUM",
                   "II. PASAL DEMI PASAL", "Cukup jelas.", "Ayat (1)"):
        assert phrase in text


def test_amending_perbup_quotes_amended_articles_inside_pasal_i():
    facts = EXPECTED[AMENDING_PERBUP]
    assert ["I", "II"] == facts["pasal"]
    assert ["5", "9A", "19"] == facts["amended_pasal"]
    assert "Peraturan Bupati Nomor 12 Tahun 2022" == facts["amends"]
    text = "\n".join(page_texts(SAMPLE / AMENDING_PERBUP))
    assert "1. Ketentuan Pasal 5 diubah sehingga berbunyi sebagai berikut:" in text
    assert "\nPasal 9A\n" in text


def test_keputusan_has_diktum_and_lampiran_table():
    facts = EXPECTED[KEPUTUSAN]
    assert ["KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA", "KEENAM"] == facts["diktum"]
    assert ("keputusan", "400.9/123/2023", 2023, True) == (
        facts["doc_type"], facts["number"], facts["year"], facts["has_lampiran"])
    lampiran = "\n".join(page_texts(SAMPLE / KEPUTUSAN)[3:])
    for cell in ("KEDUDUKAN", "Kepala Badan Perencanaan", "Camat Plupuh", "Kepala Desa Jabung",
                 "Ketua Badan Amil Zakat", "PT PLN (Persero)", "Ketua Palang Merah"):
        assert cell in lampiran


def test_rasterised_page_has_an_image_and_no_text_layer():
    assert [3] == EXPECTED[PERDA]["image_pages"]
    with pdfplumber.open(SAMPLE / PERDA) as pdf:
        page = pdf.pages[2]
        assert "" == (page.extract_text() or "")
        assert [] == page.chars
        assert 1 == len(page.images)
        assert (0, 0) == (round(page.images[0]["x0"]), round(page.images[0]["top"]))
        assert pdf.pages[1].extract_text() and pdf.pages[3].extract_text()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_rasterised_page_is_legible_to_ocr(tmp_path):
    image = tmp_path / "page-3.png"
    pypdfium2.PdfDocument(SAMPLE / PERDA)[2].render(scale=300 / 72).to_pil().save(image)
    run = subprocess.run(["tesseract", str(image), "-", "-l", "ind"], capture_output=True,
                         text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    printed = EXPECTED[PERDA]["image_text"]["3"]
    assert ["2", "3", "4", "5", "6"] == [
        p for p, page in EXPECTED[PERDA]["pasal_pages"].items() if page == 3]
    for heading in ("Pasal 2", "Pasal 3", "Pasal 4", "Pasal 5", "Pasal 6", "BAB II"):
        assert heading in printed
        assert heading in run.stdout
    assert "Penanggulangan Kemiskinan bertujuan untuk:" in run.stdout


@pytest.mark.parametrize("name", PDFS)
def test_raw_text_layer_carries_the_noise_expected_lists(name):
    noise, pages = EXPECTED[name]["noise"], page_texts(SAMPLE / name)
    image_pages = set(EXPECTED[name]["image_pages"])
    if noise["salinan"]:
        assert noise["salinan"] == pages[0].split("\n")[0]
    for table in ("page_headers", "footers", "catchwords"):
        for page, printed in noise[table].items():
            if int(page) not in image_pages:
                assert printed in pages[int(page) - 1]
    for page in noise["paraf_pages"]:
        if page not in image_pages:
            assert "Paraf Koordinasi" in pages[page - 1]
    joined = "\n".join(pages)
    for split in noise["hyphenations"]:  # "head-" ends a line, "tail" starts one
        head, tail = split.split("\n")
        assert head + "\n" in joined and "\n" + tail in joined


def test_catchwords_page_numbers_and_hyphenation_in_main_perbup():
    noise = EXPECTED[MAIN_PERBUP]["noise"]
    pages = page_texts(SAMPLE / MAIN_PERBUP)
    assert "- 2 -" == pages[1].split("\n")[0]
    assert "Pasal 2 . . ." == noise["catchwords"]["3"]
    assert pages[2].rstrip().endswith("Pasal 2 . . .")
    assert noise["paraf_pages"] and noise["hyphenations"]
    assert re.search(r"[a-z]-\n[a-z]", "\n".join(pages))


@pytest.mark.parametrize("name", PDFS)
def test_expected_sentences_survive_in_the_cleaned_text_layer(name):
    text = cleaned_text(name)
    for sentence in EXPECTED[name]["sentences"]:
        assert sentence in text


@pytest.mark.parametrize("name", NEWS)
def test_news_page_shows_title_date_sentences_and_clutter(name):
    facts, raw = EXPECTED[name], (SAMPLE / name).read_bytes().decode("utf-8")
    text = visible_text(name)
    assert f">{facts['title']}</h1>" in raw
    if facts["date_source"] == "meta":
        assert f'<meta property="article:published_time" content="{facts["published_at"]}">' in raw
    else:
        assert "article:published_time" not in raw
        assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} \w+ \d{4} \| "
                         r"\d\d:\d\d WIB", text)
    for sentence in facts["sentences"]:
        assert sentence in text
    for item in facts["clutter"]:
        assert item in text
    assert f"charset={facts['declared_charset']}" in raw or (
        f'charset="{facts["declared_charset"]}"' in raw)


def test_news_dates_and_the_unrelated_article():
    assert "Selasa, 8 November 2022 | 09:30 WIB" in visible_text(WRONG_CHARSET)
    assert ["news/2022-12-11_final-liga-askab-sragen.html"] == [
        name for name in NEWS if EXPECTED[name]["unrelated"]]
    assert {"meta", "visible"} == {EXPECTED[name]["date_source"] for name in NEWS}


def test_wrong_charset_page_declares_latin1_but_is_utf8():
    raw = (SAMPLE / WRONG_CHARSET).read_bytes()
    assert ("iso-8859-1", "utf-8") == (EXPECTED[WRONG_CHARSET]["declared_charset"],
                                       EXPECTED[WRONG_CHARSET]["charset"])
    assert b"charset=iso-8859-1" in raw
    text = raw.decode("utf-8")
    assert "“Anak saya bilang namanya kafé" in text
    assert "kafÃ©" in raw.decode("iso-8859-1")


def test_sample_config_points_at_the_sample_folder_and_project_database():
    path = ROOT / "corpora" / "sample.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert ROOT / "data" / "corpus.db" == (path.parent / config["corpus"]["db"]).resolve()
    assert [{"name": "sample", "kind": "folder", "path": "sample"}] == config["sources"]
    assert SAMPLE == (path.parent / config["sources"][0]["path"]).resolve()


def test_sources_hold_no_placeholder_text():
    for path in sorted(SOURCES.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8").lower()
            assert [] == [word for word in ("lorem", "todo", "...") if word in text], path
