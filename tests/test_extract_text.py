"""Text of .txt, .md and .docx files: decoding, Markdown stripped line for line, Word order."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from tumis_mining.errors import ExtractionError
from tumis_mining.extract.text import (
    decode_bytes,
    extract_docx,
    extract_text_file,
    strip_markdown,
)

SHA = "0" * 64

PERBUP_LINES = (
    "PERATURAN BUPATI SRAGEN\n"
    "NOMOR 12 TAHUN 2023\n"
    "TENTANG\n"
    "DESA TUNTAS KEMISKINAN\n"
    "\n"
    "Pasal 5\n"
    "(1) Bupati membentuk forum koordinasi penanggulangan kemiskinan.\n"
    "(2) Forum sebagaimana dimaksud pada ayat (1) dipimpin oleh Kepala Dinas Sosial.\n"
)


def _text(data: bytes, suffix: str = ".txt"):
    return extract_text_file(data, source=f"perbup{suffix}", sha256=SHA, suffix=suffix)


def test_plain_text_keeps_its_lines():
    extracted = _text(PERBUP_LINES.encode("utf-8"))
    assert (
        "text",
        [(1, "text")],
        PERBUP_LINES.rstrip("\n"),
        [],
        {"encoding": "utf-8", "markdown": False},
    ) == (
        extracted.kind,
        [(page.page, page.extractor) for page in extracted.pages],
        extracted.text,
        extracted.warnings,
        extracted.meta,
    )


def test_windows_line_ends_and_trailing_spaces():
    data = b"Pasal 1  \r\nDalam Peraturan Bupati ini yang dimaksud:\t\r\n1. Daerah.\r"
    assert "Pasal 1\nDalam Peraturan Bupati ini yang dimaksud:\n1. Daerah." == _text(data).text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_text_with_a_byte_order_mark(encoding):
    text = "Café “Desa Tumis” dibuka – Pasal 5 ayat (1)."
    extracted = _text(text.encode(encoding))
    assert (text, []) == (extracted.text, extracted.warnings)


def test_text_in_windows_1252():
    text = "Kafé desa “Tumis” dibuka 2022–2023 oleh Bupati Sragen bersama BAZNAS."
    extracted = _text(text.encode("cp1252"))
    assert (text, ["text is not UTF-8; decoded as cp1252"], "cp1252") == (
        extracted.text,
        extracted.warnings,
        extracted.meta["encoding"],
    )


def test_declared_charset_breaks_ties_only():
    # Declared "iso-8859-1" is read as Windows-1252 (as browsers do); UTF-8 bytes stay UTF-8
    # whatever is declared.
    text = "Kafé “Tumis” – Sragen"
    assert [
        (text, "cp1252"),
        (text, "utf-8"),
    ] == [
        decode_bytes(text.encode("cp1252"), declared="iso-8859-1")[:2],
        decode_bytes(text.encode("utf-8"), declared="iso-8859-1")[:2],
    ]


def test_utf16_placeholder_named_pdf(realdata):
    # A real JDIH placeholder: UTF-16 LE text with a byte-order mark, named .pdf.
    data = (realdata / "robustness" / "jdih-banjarnegara__dummy.pdf").read_bytes()
    extracted = _text(data)
    assert ("Dummy PDF content", "utf-16") == (extracted.text, extracted.meta["encoding"])


def test_form_feeds_start_pages():
    data = b"Halaman satu.\n\x0cHalaman dua.\n\x0c"
    extracted = _text(data)
    assert [(1, "Halaman satu."), (2, "Halaman dua.")] == [
        (page.page, page.text) for page in extracted.pages
    ]


def test_strip_markdown_line_for_line():
    markdown = "\n".join(
        [
            "# PERATURAN MENTERI KEUANGAN #",
            "## BAB I",
            "**Pasal 1**",
            "(2) Sebagaimana dimaksud pada [ayat (1)](/permenkeu/2022/133/pasal-3/ayat-1) huruf a;",
            "Kerangka kerja _enterprise architecture_ dan *business enabler* serta __data__.",
            "  > Saya bersumpah/berjanji, bahwa saya akan setia.",
            "---",
            "| Lembaga | Jumlah |",
            "|---|---:|",
            "- 3 -",
            "a. nama_berkas tetap, 2 * 3 = 6, tanda \\*bintang\\* dan `kode`;",
            "![Logo](logo.png) [Lampiran][1]",
            "[1]: https://jdih.example.go.id/lampiran.pdf",
        ]
    )
    assert [
        "PERATURAN MENTERI KEUANGAN",
        "BAB I",
        "Pasal 1",
        "(2) Sebagaimana dimaksud pada ayat (1) huruf a;",
        "Kerangka kerja enterprise architecture dan business enabler serta data.",
        "  Saya bersumpah/berjanji, bahwa saya akan setia.",
        "",
        "| Lembaga | Jumlah |",
        "",
        "- 3 -",
        "a. nama_berkas tetap, 2 * 3 = 6, tanda *bintang* dan kode;",
        "Logo Lampiran",
        "",
    ] == strip_markdown(markdown).split("\n")


def test_markdown_suffix_switches_stripping_on():
    data = "## Pasal 2\n[Pasal 1](/uu/2022/5/pasal-1) berlaku.".encode()
    assert [
        "## Pasal 2\n[Pasal 1](/uu/2022/5/pasal-1) berlaku.",
        "Pasal 2\nPasal 1 berlaku.",
    ] == [_text(data, ".txt").text, _text(data, ".MD").text]


def test_real_regulation_markdown_keeps_every_line(realdata):
    path = realdata / "regulations-text" / "permenkeu-2022-133.md"
    source_lines = path.read_text(encoding="utf-8").strip("\n").split("\n")
    text = extract_text_file(path.read_bytes(), source=str(path), sha256=SHA, suffix=".md").text
    lines = text.split("\n")

    def line_from(source_prefix: str) -> str:
        return lines[next(i for i, s in enumerate(source_lines) if s.startswith(source_prefix))]

    assert (
        len(source_lines),
        [],
        "(2) Dalam mengoptimalkan peran TIK sebagaimana dimaksud pada ayat (1) perlu "
        "memperhatikan:",
        "Enterprise Architecture Kementerian Keuangan",
    ) == (
        len(lines),
        [line for line in lines if re.search(r"\]\(|(?<!\w)_\w", line)],
        line_from("(2) Dalam mengoptimalkan peran TIK"),
        line_from("_Enterprise Architecture_ Kementerian Keuangan"),
    )


def test_all_real_regulation_texts_keep_their_line_count(realdata):
    counts = {}
    for path in sorted((realdata / "regulations-text").glob("*.md")):
        source = path.read_text(encoding="utf-8")
        text = extract_text_file(path.read_bytes(), source=path.name, sha256=SHA, suffix=".md").text
        counts[path.name] = (len(source.strip("\n").split("\n")), len(text.split("\n")))
    assert {name: (n, n) for name, (n, _) in counts.items()} == counts


@pytest.mark.parametrize(
    ("data", "suffix"),
    [
        (b"", ".txt"),
        (b" \r\n\t\n", ".txt"),
        ("\ufeff\n".encode("utf-8"), ".txt"),
        (b"---\n", ".md"),
    ],
)
def test_text_file_without_text(data, suffix):
    with pytest.raises(ExtractionError) as raised:
        _text(data, suffix)
    assert "no_text" == raised.value.error


# --- DOCX -----------------------------------------------------------------------------------


def _docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _laporan(document) -> None:
    document.core_properties.title = "Laporan Triwulan I Desa Tumis"
    document.add_heading("Laporan Pelaksanaan Program Desa Tumis", level=1)
    document.add_paragraph(
        "Dinas Sosial Kabupaten Sragen menyampaikan laporan pelaksanaan program Desa Tuntas "
        "Kemiskinan di Desa Jabung."
    )
    document.add_paragraph("   ")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ["Lembaga", "Bentuk Dukungan", "Jumlah KK"],
        ["BAZNAS", "Modal usaha", "40"],
        ["PLN", "Sambungan listrik", ""],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    table.cell(2, 1).merge(table.cell(2, 2))  # one cell spanning two columns
    layout = document.add_table(rows=2, cols=4)  # how Word drafts lay out "Menimbang"
    for i, row in enumerate(
        [
            ["Menimbang", ":", "a.", "bahwa kemiskinan ekstrem perlu ditangani bersama;"],
            ["", "", "b.", "bahwa perlu menetapkan Peraturan Bupati;"],
        ]
    ):
        for j, value in enumerate(row):
            layout.cell(i, j).text = value
    closing = document.add_paragraph("Kepala Dinas Sosial Kabupaten Sragen,")
    closing.add_run().add_break()
    closing.add_run("ttd.")


def test_docx_paragraphs_and_tables_in_document_order():
    extracted = extract_docx(_docx_bytes(_laporan), source="laporan.docx", sha256=SHA)
    assert (
        "docx",
        [(1, "docx")],
        "Laporan Pelaksanaan Program Desa Tumis\n\n"
        "Dinas Sosial Kabupaten Sragen menyampaikan laporan pelaksanaan program Desa Tuntas "
        "Kemiskinan di Desa Jabung.\n\n"
        "Lembaga\tBentuk Dukungan\tJumlah KK\n"
        "BAZNAS\tModal usaha\t40\n"
        "PLN\tSambungan listrik\n\n"
        "Menimbang\t:\ta.\tbahwa kemiskinan ekstrem perlu ditangani bersama;\n"
        "b.\tbahwa perlu menetapkan Peraturan Bupati;\n\n"
        "Kepala Dinas Sosial Kabupaten Sragen,\nttd.",
        {"title": "Laporan Triwulan I Desa Tumis"},
    ) == (
        extracted.kind,
        [(page.page, page.extractor) for page in extracted.pages],
        extracted.text,
        extracted.meta,
    )


def test_docx_vertically_merged_cell_read_once():
    def build(document):
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Desa Jabung"
        table.cell(0, 1).text = "40 KK"
        table.cell(1, 1).text = "12 RTLH"
        table.cell(0, 0).merge(table.cell(1, 0))

    text = extract_docx(_docx_bytes(build), source="tabel.docx", sha256=SHA).text
    assert "Desa Jabung\t40 KK\n12 RTLH" == text


def _zip_without_word_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catatan.txt", "bukan dokumen Word")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("not a zip", b"{\\rtf1 Dokumen RTF yang diberi nama .docx}"),
        ("truncated", _docx_bytes(_laporan)[:2000]),
        ("zip without Word parts", _zip_without_word_parts()),
    ],
)
def test_corrupt_docx(case, data):
    with pytest.raises(ExtractionError) as raised:
        extract_docx(data, source=f"{case}.docx", sha256=SHA)
    assert ("corrupt", True) == (
        raised.value.error,
        str(raised.value).startswith("the file is not a readable DOCX document ("),
    )


def test_docx_without_text():
    def build(document):
        document.add_paragraph("")
        document.add_table(rows=1, cols=2)

    with pytest.raises(ExtractionError) as raised:
        extract_docx(_docx_bytes(build), source="kosong.docx", sha256=SHA)
    assert ("no_text", "the DOCX document has no text") == (raised.value.error, str(raised.value))
