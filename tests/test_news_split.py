"""Passages of news text: paragraphs, long ones cut at Indonesian sentence boundaries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tumis_mining.extract.html import extract_html
from tumis_mining.segment.news import news_spans, sentence_pipeline, sentence_spans

DATA = Path(__file__).parent / "data"


def _texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_one_span_per_paragraph_without_surrounding_whitespace():
    text = (
        "\n  SRAGEN – Bupati Sragen mencanangkan Desa Tumis.  \n"
        "Program dimulai di Desa Jabung.\n"
        "\n \t\n"
        "Kepala Dinas Sosial memimpin forum koordinasi.\n\n\n"
        "   Bapperida menyusun laporan.   \n"
    )
    spans = news_spans(text)
    assert [
        "SRAGEN – Bupati Sragen mencanangkan Desa Tumis.  \nProgram dimulai di Desa Jabung.",
        "Kepala Dinas Sosial memimpin forum koordinasi.",
        "Bapperida menyusun laporan.",
    ] == _texts(text, spans)
    assert [(3, 84), (89, 135), (141, 168)] == spans


@pytest.mark.parametrize("text", ["", " \n\n \t ", "\n"])
def test_no_text_no_spans(text):
    assert [] == news_spans(text)


SENTENCES = [
    "Bupati Sragen mencanangkan program Desa Tuntas Kemiskinan di Desa Jabung, Kec. Plupuh.",
    "Bantuan senilai Rp1.500.000 diserahkan kepada 112 rumah tangga, atau 12.5 persen warga.",
    "Penyerahan disaksikan Kepala Dinas Sosial, Prof. Dr. Ir. H. Suryo, M.Si. dari universitas.",
    "Dasar hukumnya Perbup No. 12 Tahun 2023 Pasal 5 ayat (1) huruf a. yang mengatur forum.",
    "Forum melibatkan BAZNAS, Lazismu, PLN, PMI, dll. serta perusahaan di Kab. Sragen.",
    "Surat ditandatangani a.n. Bupati Sragen u.p. Sekretaris Daerah, S.Sos., di Jl. Raya No. 5.",
    '"Semua pihak duduk bersama," kata Bupati.',
    "Apakah target tercapai tahun ini?",
]


def test_sentences_of_indonesian_news():
    text = " ".join(SENTENCES)
    assert SENTENCES == _texts(text, sentence_spans(text))


@pytest.mark.parametrize(
    "sentence",
    [
        "Bantuan diantar ke Ds. Jabung, Kec. Plupuh, Kab. Sragen oleh petugas.",
        "Rapat dipimpin Hj. Sri dan H. Untung di Jl. Sukowati No. 12 kemarin.",
        "Dana Rp. 2.000.000 dan Rp1.500.000 cair, naik 12.5 persen dari tahun lalu.",
        "Surat a.n. Bupati u.p. Kepala Dinas dikirim ke Drs. Kepala Bidang, S.Sos., M.M. hari ini.",
        "Bantuan berupa beras, minyak, gula, dll. diterima warga tsb. dengan baik.",
        "Ketentuan Pasal 5 ayat (1) huruf a. berlaku sejak diundangkan.",
        "Rincian bantuan: 1. Bedah rumah; 2. Sambungan listrik; dan 3. Modal usaha.",
        "Sambutan Prof. Dr. Suryo diikuti dsb. acara lainnya.",
    ],
)
def test_no_sentence_boundary_after_abbreviations(sentence):
    assert [sentence] == _texts(sentence, sentence_spans(sentence))


def test_opening_quote_starts_the_next_sentence():
    text = (
        'Warga antusias. "Kami siap," kata Kepala Desa. “Program ini berhasil.” '
        "Demikian laporannya."
    )
    assert [
        "Warga antusias.",
        '"Kami siap," kata Kepala Desa.',
        "“Program ini berhasil.”",
        "Demikian laporannya.",
    ] == _texts(text, sentence_spans(text))


def test_long_paragraph_cut_between_sentences():
    sentence = "Forum koordinasi Desa Tumis digelar di kantor Kec. Plupuh setiap bulan."  # 71
    paragraph = " ".join([sentence] * 10)  # 719 characters
    text = "Judul berita.\n\n" + paragraph + "\n\nPenutup."
    pieces = _texts(text, news_spans(text, max_chars=200))
    assert [
        "Judul berita.",
        " ".join([sentence] * 2),
        " ".join([sentence] * 2),
        " ".join([sentence] * 2),
        " ".join([sentence] * 2),
        " ".join([sentence] * 2),
        "Penutup.",
    ] == pieces


def test_long_paragraph_pieces_are_of_similar_length():
    sentence = "Bantuan modal usaha disalurkan BAZNAS kepada keluarga miskin di Desa Jabung."
    paragraph = " ".join([sentence] * 17)  # 1,308 characters: two pieces, not 1,199 + 108
    assert [692, 615] == [end - start for start, end in news_spans(paragraph)]


def test_single_sentence_longer_than_max_chars_is_cut_at_spaces():
    sentence = (
        "Bantuan diberikan kepada rumah tangga miskin ekstrem di Desa Jabung, Desa Karungan, "
        "Desa Gedongan, Desa Sambirejo; termasuk lansia, penyandang disabilitas, dan anak yatim "
        "yang tercatat dalam DTKS."
    )
    pieces = _texts(sentence, news_spans(sentence, max_chars=100))
    assert (
        [
            "Bantuan diberikan kepada rumah tangga miskin ekstrem di Desa Jabung, Desa Karungan, "
            "Desa Gedongan,",
            "Desa Sambirejo; termasuk lansia, penyandang disabilitas, dan anak yatim yang "
            "tercatat dalam DTKS.",
        ],
        sentence,
    ) == (pieces, " ".join(pieces))


def test_spans_of_an_extracted_news_article():
    extracted = extract_html(
        (DATA / "news_desa_tumis_jabung.html").read_bytes(), source="a.html", sha256="0" * 64
    )
    text = extracted.text
    spans = news_spans(text)
    assert (6, text.split("\n\n")) == (len(spans), _texts(text, spans))


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        news_spans("Satu kalimat.", max_chars=0)


def test_pipeline_is_built_once_from_blank_indonesian():
    nlp = sentence_pipeline()
    assert (True, "id", ["sentencizer", "tumis_id_sentence_rules"]) == (
        nlp is sentence_pipeline(),
        nlp.lang,
        nlp.pipe_names,
    )


def test_importing_does_not_load_spacy():
    code = (
        "import sys, tumis_mining.segment.news, tumis_mining.lang; "
        "print('spacy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "False" == result.stdout.strip()


def test_long_list_without_full_stops_is_cut_at_line_ends():
    items = [f"Desa penerima nomor {i} di Kecamatan Plupuh" for i in range(1, 31)]
    text = "\n".join(items)  # 1,280 characters, no sentence end
    pieces = _texts(text, news_spans(text, max_chars=400))
    assert (True, items) == (
        all(len(piece) <= 400 for piece in pieces),
        "\n".join(pieces).split("\n"),
    )
