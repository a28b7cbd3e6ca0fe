"""Language of passages: Indonesian, English, or undetermined."""

from __future__ import annotations

import re
import time

import pytest

from tumis_mining.lang import detect_lang


@pytest.mark.parametrize(
    "text",
    [
        "Pasal 5 ayat (1)",
        "Bupati Sragen mencanangkan program Desa Tuntas Kemiskinan di Desa Jabung.",
        "(2) Forum sebagaimana dimaksud pada ayat (1) dipimpin oleh Kepala Dinas Sosial.",
        "a. bahwa penanggulangan kemiskinan memerlukan kerja sama lintas lembaga;",
        "PRESIDEN REPUBLIK INDONESIA,",
        "Ketua Keamanan Informasi (Chief Information Security Officer) Kementerian Keuangan "
        "bertanggung jawab atas keamanan informasi.",
        "Strategi TIK adalah rencana tindak (action plan) jangka panjang TIK untuk mendukung "
        "proses bisnis (business process) Kementerian Keuangan.",
        '"Kami ingin setiap warga miskin ditangani secara tuntas," kata Bupati.',
    ],
)
def test_indonesian(text):
    assert "id" == detect_lang(text)


@pytest.mark.parametrize(
    "text",
    [
        "The regent convened the agencies, the villages and the zakat bodies in one forum.",
        "Article 5 shall apply to all villages in the regency.",
        "This programme was launched in 2022 in Desa Jabung, Plupuh, by the Bupati of Sragen.",
        "Poverty alleviation requires collaboration between government and civil society.",
    ],
)
def test_english(text):
    assert "en" == detect_lang(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12.500.000",
        "Sragen",
        "BAB IV",
        "Desa Jabung",
        "a. pimpinan unit eselon I;",  # the list marker "a." and Roman "I" are not English
        "Der Bürgermeister besucht heute das Dorf und spricht mit den Bewohnern.",
    ],
)
def test_undetermined(text):
    assert "und" == detect_lang(text)


def test_real_regulation_paragraphs_are_indonesian(realdata):
    text = (realdata / "regulations-text" / "uu-2022-5.md").read_text(encoding="utf-8")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if len(p.split()) >= 8]
    assert {"id": len(paragraphs)} == {
        lang: sum(1 for p in paragraphs if detect_lang(p) == lang)
        for lang in {detect_lang(p) for p in paragraphs}
    }


def test_fast_enough_for_every_passage():
    texts = [
        f"Bantuan ke-{i} disalurkan Dinas Sosial kepada keluarga miskin di Desa Jabung."
        for i in range(20_000)
    ]
    started = time.perf_counter()
    langs = {detect_lang(text) for text in texts}
    elapsed = time.perf_counter() - started
    assert ({"id"}, True) == (langs, elapsed < 1.0)
