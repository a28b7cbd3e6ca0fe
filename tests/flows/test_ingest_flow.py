"""`tumis ingest` with URLs, directly and as the ingest_paths flow (`--flow`)."""

from __future__ import annotations

from click.testing import CliRunner
from flowkit import SAMPLE, rows, write_config

from tumis_mining.cli import cli

PERDES = SAMPLE / "regulations" / "perdes-jabung-4-2022_pelaksanaan-desa-tumis.pdf"
NEWS = SAMPLE / "news" / "2022-07-08_gotong-royong-bedah-rtlh-jabung.html"
LOOPBACK = 'allow_private_hosts = true\nrate_limit = 0\nretries = 1\nbackoff = 0\ntimeout = 2.0'


def _ingest(*args: str):
    return CliRunner().invoke(cli, ["ingest", *args], catch_exceptions=False)


def test_ingest_fetches_urls_beside_files(tmp_path, http_server):
    pdf = http_server.add("/uploads/perdes-4-2022.pdf", PERDES.read_bytes(),
                          content_type="application/pdf", etag='"a1"')
    missing = http_server.url("/uploads/hilang.pdf")
    config = write_config(tmp_path, "", fetch=LOOPBACK)
    db = tmp_path / "corpus.db"
    result = _ingest(pdf, missing, str(NEWS), "--db", str(db), "--config", str(config))
    assert 0 == result.exit_code, result.output
    assert "3 file(s): 2 new, 0 changed, 0 unchanged, 1 failed" in result.output
    assert [(missing, "fetch", "http_404")] == rows(db, "SELECT source, stage, error FROM failures")
    assert [('"a1"',)] == rows(db, "SELECT etag FROM documents WHERE url = ?", pdf)

    again = _ingest(pdf, "--db", str(db), "--config", str(config))
    assert "1 file(s): 0 new, 0 changed, 1 unchanged, 0 failed" in again.output
    assert '"a1"' == http_server.requests[-1].headers.get("If-None-Match")


def test_ingest_refuses_loopback_urls_without_the_setting(tmp_path, http_server):
    pdf = http_server.add("/uploads/perdes.pdf", PERDES.read_bytes())
    db = tmp_path / "corpus.db"
    result = _ingest(pdf, "--db", str(db))
    assert 1 == result.exit_code
    assert [("private_host",)] == rows(db, "SELECT error FROM failures")
    assert 0 == http_server.hits("/uploads/perdes.pdf")


def test_ingest_rejects_other_schemes(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", "ftp://example.org/a.pdf", "--db",
                                      str(tmp_path / "c.db")])
    assert 2 == result.exit_code
    assert "only files, folders and http(s) URLs" in result.output


def test_ingest_as_a_flow_writes_the_same_corpus_and_a_run(tmp_path, http_server):
    pdf = http_server.add("/uploads/perdes-4-2022.pdf", PERDES.read_bytes(),
                          content_type="application/pdf")
    config = write_config(tmp_path, "", fetch=LOOPBACK)
    direct, flowed = tmp_path / "direct.db", tmp_path / "flow.db"
    assert 0 == _ingest(pdf, str(NEWS), "--db", str(direct), "--config", str(config)).exit_code
    result = _ingest(pdf, str(NEWS), "--db", str(flowed), "--config", str(config), "--flow")
    assert 0 == result.exit_code, result.output
    assert "files: 2 listed, 2 new" in result.output
    query = "SELECT id, seq, section, pasal, text, label FROM passages ORDER BY id"
    assert rows(direct, query) == rows(flowed, query)
    assert [("ingest_paths",)] == rows(flowed, "SELECT flow FROM runs")
