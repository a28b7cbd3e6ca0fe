"""The bundled sample corpus, parsed end to end, against corpora/sample/EXPECTED.json."""

from __future__ import annotations

import json
import re

import pytest

from tumis_mining.extract.ocr import find_tesseract
from tumis_mining.pipeline import parse_file
from tumis_mining.records import ParsedDocument

from conftest import SAMPLE

EXPECTED = json.loads((SAMPLE / "EXPECTED.json").read_text(encoding="utf-8"))["files"]
REGULATIONS = sorted(k for k, v in EXPECTED.items() if v.get("kind") == "pdf")
NEWS = sorted(k for k, v in EXPECTED.items() if v.get("kind") == "html")


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedDocument]:
    return {name: parse_file(SAMPLE / name) for name in REGULATIONS + NEWS}


def body_pasal(doc: ParsedDocument) -> list[str]:
    seen: list[str] = []
    for p in doc.passages:
        if p.section == "body" and p.pasal and (not seen or seen[-1] != p.pasal):
            seen.append(p.pasal)
    return seen


@pytest.mark.parametrize("name", REGULATIONS)
def test_regulation_metadata(parsed, name):
    want, doc = EXPECTED[name], parsed[name].document
    assert (want["doc_type"], want["number"], want["year"]) == (doc.doc_type, doc.number, doc.year)
    assert squash(want["title"]) == squash(doc.title)
    assert squash(want["issuer"]) == squash(doc.issuer)
    assert want["region"] == doc.region
    assert want["enacted_on"] == doc.enacted_on
    assert want["pages"] == doc.pages
    if want["amends"]:
        assert squash(want["amends"]) in squash(doc.amends)
    else:
        assert doc.amends is None


@pytest.mark.parametrize("name", REGULATIONS)
def test_regulation_structure(parsed, name):
    want, doc = EXPECTED[name], parsed[name]
    assert want["pasal"] == body_pasal(doc)
    assert want["bab"] == sorted({p.bab for p in doc.passages if p.section == "body" and p.bab},
                                 key=want["bab"].index if want["bab"] else None)
    amended = []
    for p in doc.passages:
        if p.amended_pasal and (not amended or amended[-1] != p.amended_pasal):
            amended.append(p.amended_pasal)
    assert want["amended_pasal"] == amended
    diktum = []
    for p in doc.passages:
        if p.section == "diktum" and p.pasal and (not diktum or diktum[-1] != p.pasal):
            diktum.append(p.pasal)
    assert want["diktum"] == diktum
    penjelasan = []
    for p in doc.passages:
        if p.section == "penjelasan" and p.pasal and (not penjelasan or penjelasan[-1] != p.pasal):
            penjelasan.append(p.pasal)
    assert want["penjelasan_pasal"] == penjelasan
    assert want["has_penjelasan"] == any(p.section == "penjelasan" for p in doc.passages)
    assert want["has_lampiran"] == any(p.section == "lampiran" for p in doc.passages)


@pytest.mark.parametrize("name", REGULATIONS)
def test_pasal_on_its_page(parsed, name):
    want, doc = EXPECTED[name], parsed[name]
    first_page = {}
    for p in doc.passages:
        if p.section == "body" and p.pasal and p.pasal not in first_page:
            first_page[p.pasal] = p.page
    assert {k: v for k, v in want["pasal_pages"].items()} == {
        k: first_page.get(k) for k in want["pasal_pages"]
    }


@pytest.mark.parametrize("name", REGULATIONS)
def test_regulation_text_is_clean_and_complete(parsed, name):
    want, doc = EXPECTED[name], parsed[name]
    text = squash(" ".join(p.text for p in doc.passages))
    for sentence in want["sentences"]:
        assert squash(sentence) in text
    noise = want["noise"]
    assert "salinan" not in squash(" ".join(p.text for p in doc.passages[:3]))
    for catchword in noise.get("catchwords", {}).values():
        for line in catchword if isinstance(catchword, list) else [catchword]:
            assert squash(line) not in text
    if noise.get("paraf_pages"):
        assert "paraf koordinasi" not in text


@pytest.mark.parametrize("name", REGULATIONS)
def test_passages_carry_offsets_and_citations(parsed, name):
    doc = parsed[name]
    citation = EXPECTED[name]["citation"]
    assert [p.seq for p in doc.passages] == list(range(len(doc.passages)))
    assert all(p.char_start < p.char_end for p in doc.passages)
    assert all(p.citation and p.citation.startswith(citation) for p in doc.passages)
    assert len({p.id for p in doc.passages}) == len(doc.passages)


def test_image_page_is_ocrd():
    if find_tesseract() is None:
        pytest.skip("tesseract-ocr with Indonesian is not installed")
    names = [n for n in REGULATIONS if EXPECTED[n]["image_pages"]]
    assert names
    for name in names:
        doc = parse_file(SAMPLE / name)
        assert EXPECTED[name]["image_pages"] == [p.page for p in doc.pages if p.ocr]


@pytest.mark.parametrize("name", NEWS)
def test_news_article(parsed, name):
    want, doc = EXPECTED[name], parsed[name]
    assert "news" == doc.document.doc_type
    assert squash(want["title"]) == squash(doc.document.title)
    assert want["published"] == (doc.document.published_at or "")[:10]
    assert all("paragraph" == p.section for p in doc.passages)
    assert len(doc.passages) >= want["paragraphs"]
    text = squash(" ".join(p.text for p in doc.passages))
    for sentence in want["sentences"]:
        assert squash(sentence) in text
    for clutter in want["clutter"]:
        assert squash(clutter) not in text
