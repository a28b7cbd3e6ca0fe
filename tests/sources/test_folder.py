"""Folder sources: the files under a folder, their sidecar metadata, a pattern, a missing folder."""

from __future__ import annotations

import json
from pathlib import Path

from tumis_mining.sources.config import SourceConfig, load_config
from tumis_mining.sources.discover import discover
from tumis_mining.sources.folder import discover_folder

PERBUP_TEXT = "PERATURAN BUPATI SRAGEN\nNOMOR 12 TAHUN 2019\nTENTANG\nPENANGGULANGAN KEMISKINAN\n"


def _corpus(root: Path) -> Path:
    folder = root / "corpus"
    (folder / "perbup").mkdir(parents=True)
    (folder / "berita").mkdir()
    (folder / "perbup" / "perbup-12-2019.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "perbup" / "perbup-12-2019.pdf.json").write_text(json.dumps({
        "jenis": "Peraturan Bupati", "noPeraturan": "12", "tahun_pengundangan": "2019",
        "tempatTerbit": "Sragen", "tanggal_penetapan": "2 Mei 2019",
    }))
    (folder / "perbup" / "perbup-13-2019.txt").write_text(PERBUP_TEXT)
    (folder / "perbup" / "perbup-13-2019.json").write_text('{"doc_type": "perbup", "year": 2019}')
    (folder / "berita" / "desa-tumis-jabung.html").write_text("<html><body>Berita</body></html>")
    (folder / "berita" / ".desa-tumis-jabung.html.swp").write_bytes(b"\0")
    (folder / "sumber.toml").write_text("[corpus]\n")
    return folder


def test_every_document_file_is_listed_with_its_sidecar_hints(tmp_path):
    folder = _corpus(tmp_path)
    listing = discover_folder(SourceConfig(name="sample", kind="folder", path=folder))
    assert [
        (str((folder / "berita" / "desa-tumis-jabung.html").resolve()), {}),
        (str((folder / "perbup" / "perbup-12-2019.pdf").resolve()),
         {"jenis": "Peraturan Bupati", "noPeraturan": "12", "tahun_pengundangan": "2019",
          "tempatTerbit": "Sragen", "tanggal_penetapan": "2 Mei 2019", "region": "Sragen"}),
        (str((folder / "perbup" / "perbup-13-2019.txt").resolve()),
         {"doc_type": "perbup", "year": 2019}),
    ] == [(entry.location, entry.hints) for entry in listing.entries]
    assert {("sample", None)} == {(entry.source_name, entry.expect) for entry in listing.entries}
    assert listing.complete
    assert [] == listing.warnings


def test_a_pattern_narrows_the_files_ignoring_case(tmp_path):
    folder = _corpus(tmp_path)
    (folder / "perbup" / "LAMPIRAN.PDF").write_bytes(b"%PDF-1.4\n")
    source = SourceConfig(name="sample", kind="folder", path=folder, options={"pattern": "*.pdf"})
    assert ["LAMPIRAN.PDF", "perbup-12-2019.pdf"] == [
        Path(entry.location).name for entry in discover_folder(source).entries
    ]
    source = SourceConfig(name="sample", kind="folder", path=folder,
                          options={"pattern": "berita/*"})
    assert ["desa-tumis-jabung.html"] == [
        Path(entry.location).name for entry in discover(source, None).entries
    ]


def test_a_sidecar_that_is_not_a_json_object_is_a_warning(tmp_path):
    folder = _corpus(tmp_path)
    broken = folder / "perbup" / "perbup-13-2019.json"
    broken.write_text('["Peraturan Bupati", "13"]')
    listing = discover_folder(SourceConfig(name="sample", kind="folder", path=folder))
    assert {} == listing.entries[2].hints
    assert [f"folder: sidecar {broken} is not a JSON object; no hints used"] == listing.warnings
    broken.write_text("{jenis: Perbup}")
    listing = discover_folder(SourceConfig(name="sample", kind="folder", path=folder))
    assert [
        f"folder: sidecar {broken} is not readable JSON (Expecting property name enclosed in "
        "double quotes: line 1 column 2 (char 1)); no hints used"
    ] == listing.warnings
    assert 3 == len(listing.entries)


def test_a_missing_folder_lists_nothing_and_withdraws_nothing(tmp_path):
    missing = tmp_path / "belum-dipasang"
    listing = discover_folder(SourceConfig(name="arsip", kind="folder", path=missing))
    assert [] == listing.entries
    assert not listing.complete
    assert [f"folder: {missing} does not exist; nothing is listed and nothing withdrawn"] == (
        listing.warnings
    )


def test_the_bundled_sample_config_lists_every_sample_document(sample_dir):
    config = load_config(sample_dir.parent / "sample.toml")
    (source,) = config.select(None)
    listing = discover(source)
    expected = [
        str(path.resolve())
        for path in sorted(sample_dir.rglob("*"))
        if path.is_file() and path.suffix != ".json"
    ]
    assert 15 == len(expected)  # 8 news pages and 7 regulations
    assert expected == [entry.location for entry in listing.entries]
    assert listing.complete
