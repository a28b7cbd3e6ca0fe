"""A refresh killed with SIGKILL midway, then run again, ends with the same corpus as a run that
was never interrupted: whole documents only after the kill, nothing missing or doubled after."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flowkit import ROOT, SAMPLE, corpus_state, rows, write_config

TUMIS = Path(sys.executable).with_name("tumis")

# Ten documents of the bundled sample: regulations of every size, and news pages.
DOCUMENTS = (
    "regulations/perda-sragen-5-2021_penanggulangan-kemiskinan.pdf",
    "regulations/perbup-sragen-12-2022_desa-tuntas-kemiskinan.pdf",
    "regulations/kepbup-sragen-400.9-123-2023_tim-koordinasi-desa-tumis.pdf",
    "regulations/perbup-sragen-31-2023_perubahan-desa-tuntas-kemiskinan.pdf",
    "regulations/perdes-jabung-4-2022_pelaksanaan-desa-tumis.pdf",
    "regulations/se-bupati-sragen-460-1187-2022_zis-asn-desa-tumis.pdf",
    "regulations/inbup-sragen-3-2022_gotong-royong-rtlh.pdf",
    "news/2022-03-22_peluncuran-desa-tumis-jabung.html",
    "news/2022-08-16_perusahaan-pendamping-desa-tumis.html",
    "news/2023-01-17_angka-kemiskinan-sragen-turun.html",
)
# The folder holds the sample twice over (a copy per year folder, as an archive would), so that a
# refresh takes long enough to be caught midway.
COPIES = ("arsip-2023", "arsip-2024")
RUN_TIMEOUT = 420  # seconds for one whole refresh, Prefect's temporary server included


def _env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
               OMP_THREAD_LIMIT="1")
    return env


def _refresh(config: Path, env: dict[str, str]) -> subprocess.Popen:
    """``tumis refresh`` in its own process group, printing to ``refresh.log`` beside ``config``."""
    with open(_log(config), "ab") as log:
        return subprocess.Popen([str(TUMIS), "refresh", "--config", str(config)],
                                cwd=config.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _log(config: Path) -> Path:
    return config.parent / "refresh.log"


def _tail(config: Path) -> str:
    return _log(config).read_text(encoding="utf-8", errors="replace")[-3000:]


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the refresh's whole process group (Prefect's temporary server too), and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


def _finish(config: Path, env: dict[str, str]) -> str:
    """Run a refresh to its end; what it printed."""
    _log(config).unlink(missing_ok=True)
    process = _refresh(config, env)
    try:
        process.wait(timeout=RUN_TIMEOUT)
    finally:
        _kill(process)
    assert 0 == process.returncode, _tail(config)
    return _log(config).read_text(encoding="utf-8", errors="replace")


def _documents_written(db: Path) -> int | None:
    """How many documents a reader sees in ``db`` now (None while it cannot be read)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.OperationalError:
        return None
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or locked by the writer
        return None
    finally:
        conn.close()


def _wait_until_partly_written(config: Path, db: Path, process: subprocess.Popen,
                               total: int) -> int:
    """Poll ``db`` until some but not all documents are written; how many were."""
    deadline = time.monotonic() + RUN_TIMEOUT
    for _ in range(RUN_TIMEOUT * 50):
        if time.monotonic() > deadline or process.poll() is not None:
            break
        written = _documents_written(db)
        if written and written < total:
            return written
        time.sleep(0.02)
    pytest.fail(f"the refresh was not caught midway (exit {process.poll()}): {_tail(config)}")


@pytest.mark.slow
def test_a_refresh_killed_midway_and_run_again_builds_the_same_corpus(tmp_path):
    folder = tmp_path / "docs"
    for copy in COPIES:
        (folder / copy).mkdir(parents=True)
        for name in DOCUMENTS:
            shutil.copy(SAMPLE / name, folder / copy / Path(name).name)
    total = len(COPIES) * len(DOCUMENTS)
    source = f'[[sources]]\nname = "arsip"\nkind = "folder"\npath = "{folder}"\n'
    model = tmp_path / "classifier"
    shutil.copytree(ROOT / "models" / "classifier", model)  # one model for both runs
    classifier = f'[classifier]\nmodel = "{model}"\n\n'
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    reference.mkdir()
    killed.mkdir()
    config_a = write_config(reference, classifier + source)
    config_b = write_config(killed, classifier + source)
    db_a, db_b = reference / "corpus.db", killed / "corpus.db"
    env = _env(tmp_path / "prefect")

    _finish(config_a, env)
    assert total == rows(db_a, "SELECT count(*) FROM documents")[0][0]

    process = _refresh(config_b, env)
    try:
        written = _wait_until_partly_written(config_b, db_b, process, total)
    finally:
        _kill(process)
    assert -signal.SIGKILL == process.returncode
    assert 0 < written < total

    # Only whole documents: each with every passage it counts, and the index in step.
    assert [] == rows(db_b, "SELECT id, passages, (SELECT count(*) FROM passages p "
                            "WHERE p.document_id = d.id) FROM documents d "
                            "WHERE passages != (SELECT count(*) FROM passages p "
                            "WHERE p.document_id = d.id)")
    assert rows(db_b, "SELECT count(*) FROM passages") == rows(
        db_b, "SELECT count(*) FROM passages_fts")
    assert [("ok",)] == rows(db_b, "PRAGMA integrity_check")
    left = rows(db_b, "SELECT count(*) FROM documents")[0][0]
    assert written <= left < total

    output = _finish(config_b, env)
    assert f"arsip: {total} listed, {total - left} new, 0 changed, {left} unchanged" in output
    assert corpus_state(db_a) == corpus_state(db_b)
