"""What the flow tests share: a small corpus folder, a config file, and reading a corpus back."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample"

# Three documents of the bundled sample: two news pages and a regent's instruction (PDF).
SMALL = (
    "news/2022-04-12_rakor-desa-tumis-pendapa.html",
    "news/2022-12-11_final-liga-askab-sragen.html",
    "regulations/inbup-sragen-3-2022_gotong-royong-rtlh.pdf",
)


def small_folder(where: Path, names=SMALL) -> Path:
    folder = where / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE / name, folder / Path(name).name)
    return folder


def write_config(where: Path, sources: str, *, fetch: str = "", runner: str = "",
                 db: str = "corpus.db") -> Path:
    """A config file in ``where`` with the given ``[[sources]]`` tables (TOML text)."""
    text = f'[corpus]\ndb = "{db}"\n'
    if fetch:
        text += f"\n[fetch]\n{fetch}\n"
    if runner:
        text += f"\n[runner]\n{runner}\n"
    path = where / "tumis.toml"
    path.write_text(text + "\n" + sources, encoding="utf-8")
    return path


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def corpus_state(db: Path) -> dict:
    """What a corpus holds, without the times of writing: for comparing two runs."""
    return {
        "documents": rows(db, "SELECT id, source, source_name, sha256, status, doc_type, number, "
                              "year, title, pages, passages FROM documents ORDER BY id"),
        "passages": rows(db, "SELECT id, document_id, seq, section, pasal, ayat, text, label, "
                             "confidence, topic FROM passages ORDER BY id"),
        "pages": rows(db, "SELECT document_id, page, extractor, chars FROM pages "
                          "ORDER BY document_id, page"),
        "failures": rows(db, "SELECT source, stage, error FROM failures ORDER BY source, stage"),
        "fts": rows(db, "SELECT count(*) FROM passages_fts"),
    }
