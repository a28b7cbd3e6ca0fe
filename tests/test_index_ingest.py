"""Ingest: files into the corpus, idempotent, changed files replaced, failures recorded, and a
killed ingest or a busy reader never sees half a document."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tumis_mining.index import Corpus, Store, ingest

ROOT = Path(__file__).resolve().parent.parent

PARAGRAPHS = [
    "Bupati Sragen mengundang perusahaan dan lembaga amil zakat untuk berkolaborasi dalam "
    "Program Desa Tuntas Kemiskinan di Desa {n}.",
    "Warga bersama relawan bergotong royong memperbaiki rumah tidak layak huni milik keluarga "
    "miskin di dusun {n}.",
    "Tim Koordinasi dibentuk dengan Keputusan Bupati dan bertugas menyusun rencana aksi desa {n}.",
    "Angka kemiskinan di kecamatan itu masih tinggi ketika program dimulai pada tahun {n}.",
    "Pertandingan sepak bola antarkecamatan berakhir dengan skor {n} untuk tuan rumah.",
]


@dataclass
class Prediction:
    label: str
    confidence: float
    scores: dict


class KeywordClassifier:
    """A stand-in for the trained classifier: a label from a few keywords."""

    version = "keywords-test-1"
    RULES = (("mengundang", "facilitative_leadership"), ("dibentuk", "institutional_design"),
             ("gotong royong", "collaborative_process"), ("angka kemiskinan", "starting_conditions"))

    def predict(self, texts):
        out = []
        for text in texts:
            label = next((lab for word, lab in self.RULES if word in text.lower()), "other")
            out.append(Prediction(label, 0.75, {label: 0.75, "other": 0.25} if label != "other"
                                  else {"other": 0.75, "institutional_design": 0.25}))
        return out


class BrokenClassifier:
    version = "broken-1"

    def predict(self, texts):
        raise RuntimeError("the model file is damaged")


def news_file(folder: Path, name: str, n: int, paragraphs: int = 5) -> Path:
    lines = [f"Berita Desa Tumis nomor {n}", ""]
    for i in range(paragraphs):
        lines += [PARAGRAPHS[i % len(PARAGRAPHS)].format(n=n * 1000 + i), ""]
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def counts(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages),"
                            " (SELECT count(*) FROM failures)").fetchone()
    finally:
        conn.close()


def half_documents(conn: sqlite3.Connection) -> list[tuple]:
    """Documents whose stored passages are not all the passages they have."""
    return conn.execute(
        "SELECT d.id, d.passages, count(p.id) FROM documents AS d"
        " LEFT JOIN passages AS p ON p.document_id = d.id GROUP BY d.id"
        " HAVING count(p.id) != d.passages").fetchall()


def test_the_sample_corpus_is_ingested_and_twice_adds_nothing(sample_dir, tmp_path):
    db = tmp_path / "corpus.db"
    first = ingest([sample_dir], db, KeywordClassifier(), isolate=False)
    assert (15, 15, 0, 0, 0) == (first.files, first.new, first.changed, first.unchanged, first.failed)
    assert (15, 234, 0) == counts(db)
    assert 234 == sum(first.passages.values())
    second = ingest([sample_dir], db, KeywordClassifier(), isolate=False)
    assert (0, 0, 15, 0, 0) == (second.new, second.changed, second.unchanged, second.failed,
                                sum(second.passages.values()))
    assert (15, 234, 0) == counts(db)
    with Store.open(db) as store:
        runs = store.conn.execute("SELECT flow, counts FROM runs ORDER BY started_at").fetchall()
    assert ["ingest", "ingest"] == [r[0] for r in runs]


def test_the_same_file_from_another_working_folder_is_the_same_document(tmp_path, monkeypatch):
    news_file(tmp_path, "berita.txt", 1)
    db = tmp_path / "corpus.db"
    ingest([tmp_path / "berita.txt"], db, KeywordClassifier(), isolate=False)
    monkeypatch.chdir(tmp_path)
    summary = ingest(["berita.txt"], db, KeywordClassifier(), isolate=False)
    assert (0, 1) == (summary.new, summary.unchanged)


def test_a_changed_file_replaces_its_passages_and_keeps_labels_of_unchanged_text(tmp_path):
    path = news_file(tmp_path, "berita.txt", 1, paragraphs=4)
    db = tmp_path / "corpus.db"
    ingest([path], db, KeywordClassifier(), isolate=False)
    with Store.open(db) as store:
        kept, edited = store.conn.execute(
            "SELECT id FROM passages WHERE seq IN (1, 2) ORDER BY seq").fetchall()
        store.set_label(kept[0], "starting_conditions", note="village head's view")
        store.set_label(edited[0], "facilitative_leadership")
    text = path.read_text(encoding="utf-8").replace("bergotong royong", "bekerja bakti")
    path.write_text(text.replace("Angka kemiskinan", "Jumlah warga miskin"), encoding="utf-8")
    summary = ingest([path], db, KeywordClassifier(), isolate=False)
    assert (0, 1, 0) == (summary.new, summary.changed, summary.unchanged)
    with Corpus(db) as corpus:
        assert [] == corpus.search_rows('"bergotong royong"')
        found = corpus.search_rows('"bekerja bakti"')
        assert [(edited[0], "other", "other")] == [(r["id"], r["label"], r["variable"]) for r in found]
        assert [(kept[0], "facilitative_leadership", "starting_conditions")] == [
            (r["id"], r["label"], r["variable"]) for r in corpus.search_rows('"mengundang"')]
    assert (1, 5, 0) == counts(db)


def test_a_classifier_that_fails_leaves_a_failures_row_and_the_exit_status(tmp_path):
    news_file(tmp_path, "berita.txt", 1)
    summary = ingest([tmp_path / "berita.txt"], tmp_path / "corpus.db", BrokenClassifier(), isolate=False)
    assert (1, 1) == (summary.failed, summary.exit_status)
    assert ["classify"] == [f.stage for f in summary.failures]
    with Corpus(tmp_path / "corpus.db") as corpus:
        failures = corpus.failures()
    assert [("classify", "classify")] == list(zip(failures["stage"], failures["error"]))
    assert "RuntimeError: the model file is damaged" in failures["message"][0]


def test_the_exit_status_fails_only_past_the_threshold(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    news_file(docs, "a.txt", 1)
    news_file(docs, "b.txt", 2)
    (docs / "scan.pdf").write_text("<html>not a PDF</html>", encoding="utf-8")
    summary = ingest([docs], tmp_path / "corpus.db", KeywordClassifier(), isolate=False)
    assert (3, 2, 1, 0) == (summary.files, summary.new, summary.failed, summary.exit_status)
    (docs / "b.txt").unlink()
    (docs / "other.pdf").write_bytes(b"")
    summary = ingest([docs], tmp_path / "corpus.db", KeywordClassifier(), isolate=False,
                     fail_threshold=0.5)
    assert (3, 1, 2, 1) == (summary.files, summary.unchanged, summary.failed, summary.exit_status)
    assert 0 == ingest([docs], tmp_path / "corpus.db", KeywordClassifier(), isolate=False,
                       fail_threshold=0.7).exit_status


def test_a_failure_is_cleared_when_the_source_later_succeeds(sample_dir, tmp_path):
    path = tmp_path / "perbup.pdf"
    path.write_text("<html><body>Halaman tidak ditemukan</body></html>", encoding="utf-8")
    db = tmp_path / "corpus.db"
    ingest([path], db, KeywordClassifier(), isolate=False)
    assert (0, 0, 1) == counts(db)
    path.write_bytes((sample_dir / "regulations" / "inbup-sragen-3-2022_gotong-royong-rtlh.pdf").read_bytes())
    summary = ingest([path], db, KeywordClassifier(), isolate=False)
    assert (1, 0) == (summary.new, summary.failed)
    assert (1, 9, 0) == counts(db)


def test_without_a_classifier_passages_are_stored_unlabelled(tmp_path):
    news_file(tmp_path, "berita.txt", 1)
    summary = ingest([tmp_path / "berita.txt"], tmp_path / "corpus.db", None, isolate=False)
    assert {"unlabelled": 6} == dict(summary.passages)  # the headline and five paragraphs
    with Corpus(tmp_path / "corpus.db") as corpus:
        assert {None} == set(corpus.search()["label"])


_INGEST = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[3])
    from test_index_ingest import KeywordClassifier
    from tumis_mining.index import ingest
    ingest([sys.argv[1]], sys.argv[2], KeywordClassifier(), isolate=False)
""")


def _start_ingest(docs: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _INGEST, str(docs), str(db), str(Path(__file__).parent)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_documents(db: Path, process: subprocess.Popen, more_than: int = 0,
                        timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if counts(db)[0] > more_than:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.02)


@pytest.mark.slow
def test_a_killed_ingest_leaves_no_half_document(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(40):
        news_file(docs, f"berita-{n:02d}.txt", n, paragraphs=300)
    db = tmp_path / "corpus.db"
    for delay in (0.0, 0.15, 0.4):
        before = counts(db)[0] if db.exists() else 0
        process = _start_ingest(docs, db)
        _wait_for_documents(db, process, more_than=before)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        conn = sqlite3.connect(db)
        assert [("ok",)] == conn.execute("PRAGMA integrity_check").fetchall()
        conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")
        assert [] == half_documents(conn)
        conn.close()
    summary = ingest([docs], db, KeywordClassifier(), isolate=False)
    assert 40 == summary.new + summary.unchanged
    assert (40, 40 * 301, 0) == counts(db)


@pytest.mark.slow
def test_readers_keep_working_while_an_ingest_writes(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(30):
        news_file(docs, f"berita-{n:02d}.txt", n, paragraphs=200)
    db = tmp_path / "corpus.db"
    ingest([docs / "berita-00.txt"], db, KeywordClassifier(), isolate=False)
    process = _start_ingest(docs, db)
    seen, errors = [], []

    def read_loop() -> None:
        deadline = time.monotonic() + 60
        with Corpus(db) as corpus:
            for _ in range(2_000):
                if process.poll() is not None or time.monotonic() > deadline:
                    break
                try:
                    found = corpus.search_rows("kemiskinan", limit=20, variable="starting_conditions")
                    corpus.stats()
                    seen.append((len(found), len(half_documents(corpus.conn))))
                except Exception as exc:  # noqa: BLE001 - the test reports every error
                    errors.append(repr(exc))

    reader = threading.Thread(target=read_loop)
    reader.start()
    reader.join(90)
    process.wait(60)
    assert [] == errors
    assert 0 == process.returncode, process.stderr.read().decode()
    assert len(seen) >= 5
    assert {0} == {half for _, half in seen}
    assert {20} == {found for found, _ in seen}
    assert (30, 30 * 201, 0) == counts(db)


@pytest.mark.slow
@pytest.mark.realdata
def test_a_batch_of_bad_files_ends_as_documents_or_failures(realdata, tmp_path):
    folder = realdata / "robustness"
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    db = tmp_path / "corpus.db"
    summary = ingest([folder], db, KeywordClassifier(), isolate=True)
    assert len(files) == summary.files == summary.new + summary.failed
    assert 0 == summary.exit_status
    conn = sqlite3.connect(db)
    documents = {Path(s).name for (s,) in conn.execute("SELECT source FROM documents")}
    failures = {Path(s).name: (e, m)
                for s, e, m in conn.execute("SELECT source, error, message FROM failures")}
    conn.close()
    assert set(files) == documents | set(failures)
    assert set() == documents & set(failures)
    assert "encrypted" == failures["pdfplumber__password-example.pdf"][0]
    assert "not_pdf" == failures["pdfplumber__empty.pdf"][0]
    assert all(message for _, message in failures.values())
    assert len(failures) == summary.failed
    lines = summary.lines()
    assert lines[0] == (f"{len(files)} file(s): {summary.new} new, 0 changed, 0 unchanged, "
                        f"{summary.failed} failed")
    assert summary.failed == sum(1 for line in lines if line.startswith("FAILED"))


def test_the_trained_classifier_labels_every_passage(sample_dir, tmp_path):
    model_dir = ROOT / "models" / "classifier"
    if not (model_dir / "model.json").is_file():
        pytest.skip("no trained classifier in models/classifier")
    from tumis_mining.classify import Classifier

    classifier = Classifier.load(model_dir)
    summary = ingest([sample_dir / "regulations"], tmp_path / "corpus.db", classifier, isolate=False)
    assert (7, 0) == (summary.new, summary.failed)
    conn = sqlite3.connect(tmp_path / "corpus.db")
    rows = conn.execute("SELECT label, confidence, scores, model, variable FROM passages").fetchall()
    conn.close()
    assert 184 == len(rows)
    assert {classifier.version} == {model for _, _, _, model, _ in rows}
    assert all(label == variable for label, _, _, _, variable in rows)
    for label, confidence, scores, _, _ in rows:
        probabilities = json.loads(scores)
        assert label == max(probabilities, key=probabilities.get)
        assert abs(1 - sum(probabilities.values())) < 0.01
        assert 0 < confidence <= 1
