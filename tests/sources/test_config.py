"""Config files: every key read, defaults, paths relative to the file, and each mistake reported
as one ConfigError naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tumis_mining.errors import ConfigError
from tumis_mining.sources.base import FetchSettings
from tumis_mining.sources.config import Config, RunnerSettings, SourceConfig, load_config

FULL = """
[corpus]
db = "data/corpus.db"
store = "/srv/tumis/unduhan"
fail_threshold = 0.25

[fetch]
allow_private_hosts = true
timeout = 10
max_bytes = 5000000
max_redirects = 2
rate_limit = 0.5
retries = 1
backoff = 1
user_agent = "tumis-mining/test"

[runner]
kind = "dask"
workers = 2
address = "tcp://127.0.0.1:8786"

[classifier]
model = "../models/classifier"

[[sources]]
name = "jdih-sragen"
kind = "jdihn"
url = "https://jdih.example.go.id/integrasi/jdihn.json"
max_records = 500

[[sources]]
name = "produk-hukum"
kind = "listing"
url = "https://jdih.example.go.id/produk-hukum"
row = "table.produk tbody tr"
title = "td.judul"
number = "td:nth-child(3)"
year = "td:nth-child(4)"
link = "a.unduh"
next = "li.next a"
max_pages = 5
enabled = false

[[sources]]
name = "berita"
kind = "feed"
url = "https://sragenkab.example.go.id/rss.xml"

[[sources]]
name = "sample"
kind = "folder"
path = "corpora/sample"
pattern = "*.pdf"
"""


def _write(tmp_path: Path, text: str, name: str = "tumis.toml") -> Path:
    path = tmp_path / "proyek" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_key_is_read(tmp_path):
    path = _write(tmp_path, FULL)
    config = load_config(path)
    here = path.parent.resolve()
    assert Config(
        path=path,
        db=here / "data" / "corpus.db",
        store=Path("/srv/tumis/unduhan"),
        fail_threshold=0.25,
        fetch=FetchSettings(allow_private_hosts=True, timeout=10.0, max_bytes=5_000_000,
                            max_redirects=2, rate_limit=0.5, retries=1, backoff=1.0,
                            user_agent="tumis-mining/test"),
        runner=RunnerSettings(kind="dask", workers=2, address="tcp://127.0.0.1:8786"),
        model=here / ".." / "models" / "classifier",
        sources=[
            SourceConfig("jdih-sragen", "jdihn", url="https://jdih.example.go.id/integrasi/jdihn.json",
                         options={"max_records": 500}),
            SourceConfig("produk-hukum", "listing", url="https://jdih.example.go.id/produk-hukum",
                         enabled=False,
                         options={"row": "table.produk tbody tr", "title": "td.judul",
                                  "number": "td:nth-child(3)", "year": "td:nth-child(4)",
                                  "link": "a.unduh", "next": "li.next a", "max_pages": 5}),
            SourceConfig("berita", "feed", url="https://sragenkab.example.go.id/rss.xml"),
            SourceConfig("sample", "folder", path=here / "corpora" / "sample",
                         options={"pattern": "*.pdf"}),
        ],
    ) == config
    assert float is type(config.fetch.timeout)


def test_defaults_and_paths_relative_to_the_file(tmp_path, monkeypatch):
    path = _write(tmp_path, '[[sources]]\nname = "sample"\nkind = "folder"\npath = "sample"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("proyek") / "tumis.toml")
    here = path.parent.resolve()
    assert (here / "data" / "corpus.db", here / "data" / "store", 0.5, None) == (
        config.db, config.store, config.fail_threshold, config.model
    )
    assert (FetchSettings(), RunnerSettings()) == (config.fetch, config.runner)
    assert [here / "sample"] == [source.path for source in config.sources]


def test_source_options_fall_back_to_their_defaults(tmp_path):
    config = load_config(_write(tmp_path, FULL))
    jdihn, listing, feed, folder = config.sources
    assert (500, 50) == (jdihn.option("max_records"), jdihn.option("max_pages"))
    assert (100, None) == (feed.option("max_items"), SourceConfig(
        "x", "listing", url="https://a.example/").option("row"))
    assert 20 == SourceConfig("x", "listing", url="https://a.example/").option("max_pages")
    assert "*.pdf" == folder.option("pattern")


def test_select_gives_the_enabled_sources_or_the_one_named(tmp_path):
    config = load_config(_write(tmp_path, FULL))
    assert ["jdih-sragen", "berita", "sample"] == [source.name for source in config.select(None)]
    assert ["produk-hukum"] == [source.name for source in config.select("produk-hukum")]
    with pytest.raises(ConfigError) as raised:
        config.select("jdih-klaten")
    assert (
        f"{config.path}: no source named 'jdih-klaten'; the sources are: jdih-sragen, "
        "produk-hukum, berita, sample"
    ) == str(raised.value)


def test_a_default_config_has_no_sources():
    config = Config.default("data/corpus.db")
    assert (None, Path("data/corpus.db"), Path("data/store"), []) == (
        config.path, config.db, config.store, config.sources
    )
    assert [] == config.select(None)


def test_the_bundled_sample_config_loads(sample_dir):
    config = load_config(sample_dir.parent / "sample.toml")
    assert [SourceConfig("sample", "folder", path=sample_dir.parent / "sample")] == config.sources
    assert (sample_dir.parent / ".." / "data" / "corpus.db") == config.db


def test_a_dask_runner_may_start_a_local_cluster(tmp_path):
    config = load_config(_write(tmp_path, '[runner]\nkind = "dask"\ncluster = "local"\n'))
    assert RunnerSettings(kind="dask", cluster="local") == config.runner


SOURCE = '[[sources]]\nname = "jdih"\nkind = "jdihn"\nurl = "https://jdih.example.go.id/a.json"\n'
def _mistake(text: str, message: str, name: str):
    return pytest.param(text, message, id=name)


JDIH = '[[sources]]\nname = "jdih"\nkind = "jdihn"\n'
ARSIP = '[[sources]]\nname = "arsip"\nkind = "folder"\n'
MISTAKES = [
    _mistake("[corpus\ndb = 1\n", "not valid TOML: Expected ']' at the end of a table "
             "declaration (at line 1, column 8)", "bad-toml"),
    _mistake('[[sources]]\nname = "jdih"\nkind = "rss"\nurl = "https://a.example/"\n',
             "source 'jdih': kind 'rss' is not one of folder, jdihn, listing, feed",
             "unknown-kind"),
    _mistake(JDIH, "source 'jdih': url is required for a jdihn source", "missing-url"),
    _mistake(ARSIP, "source 'arsip': path is required for a folder source", "missing-path"),
    _mistake(ARSIP + 'url = "https://a.example/"\n',
             "source 'arsip': a folder source takes a path, not a url", "folder-with-url"),
    _mistake(JDIH + 'url = "ftp://jdih.example.go.id/a.json"\n',
             "source 'jdih': url 'ftp://jdih.example.go.id/a.json' is not an http(s) URL",
             "ftp-url"),
    _mistake(JDIH + 'url = "jdih.example.go.id/a.json"\n',
             "source 'jdih': url 'jdih.example.go.id/a.json' is not an http(s) URL",
             "url-without-scheme"),
    _mistake(SOURCE + SOURCE, "[[sources]] name 'jdih' is used by more than one source",
             "duplicate-name"),
    _mistake('[[sources]]\nkind = "jdihn"\nurl = "https://a.example/"\n',
             "[[sources]] #1: name is required (a non-empty string)", "missing-name"),
    _mistake('[[sources]]\nname = "jdih"\nurl = "https://a.example/"\n',
             "source 'jdih': kind is required (folder, jdihn, listing, feed)", "missing-kind"),
    _mistake(SOURCE + "max_items = 10\n", "source 'jdih': unknown key max_items (known: name, "
             "kind, url, path, enabled, max_records, max_pages)", "option-of-another-kind"),
    _mistake(SOURCE + "max_records = 0\n",
             "source 'jdih': max_records must be a whole number of at least 1, not 0",
             "zero-max-records"),
    _mistake(SOURCE + 'enabled = "ya"\n',
             "source 'jdih': enabled must be true or false, not 'ya'", "enabled-not-a-bool"),
    _mistake("[fetch]\nretry = 3\ntimout = 5\n", "[fetch]: unknown keys retry, timout (known: "
             "allow_private_hosts, timeout, max_seconds, max_bytes, max_redirects, rate_limit, "
             "retries, backoff, user_agent)", "unknown-fetch-keys"),
    _mistake('[fetch]\ntimeout = "30"\n', "[fetch] timeout must be a number, not '30'",
             "fetch-timeout-a-string"),
    _mistake("[fetch]\ntimeout = 0\n", "[fetch] timeout must be positive", "fetch-zero-timeout"),
    _mistake("[fetch]\nretries = -1\n",
             "[fetch] max_redirects and retries must not be negative", "fetch-negative-retries"),
    _mistake('[runner]\nkind = "dask"\n', '[runner] address (a Dask scheduler) is required '
             'when kind = "dask", unless cluster = "local"', "dask-without-address"),
    _mistake('[runner]\nkind = "cluster"\n',
             "[runner] kind 'cluster' is not one of threads, processes, dask",
             "unknown-runner-kind"),
    _mistake("[runner]\nworkers = 0\n",
             "[runner] workers must be a whole number of at least 1, not 0", "zero-workers"),
    _mistake('[runner]\naddress = "tcp://127.0.0.1:8786"\n',
             "[runner] address and cluster are for kind = \"dask\", not 'threads'",
             "address-without-dask"),
    _mistake("[corpus]\nfail_threshold = 2\n",
             "[corpus] fail_threshold must be a number from 0 to 1, not 2", "threshold-above-one"),
    _mistake('[corpus]\ndatabase = "x.db"\n',
             "[corpus]: unknown key database (known: db, store, fail_threshold)",
             "unknown-corpus-key"),
    _mistake('[[source]]\nname = "x"\n', "the top level: unknown key source (known: corpus, "
             "fetch, runner, classifier, sources)", "misspelt-sources-table"),
    _mistake('sources = "sample"\n', "sources must be an array of tables ([[sources]])",
             "sources-not-tables"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_each_mistake_is_one_error_naming_the_file_and_the_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert f"{path}: {message}" == str(raised.value)


def test_a_selector_that_is_not_css(tmp_path):
    path = _write(tmp_path, SOURCE.replace("jdihn", "listing") + 'row = "tr["\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}: source 'jdih': row 'tr[' is not a CSS selector: ")


def test_a_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "tumis.toml")
    assert f"{tmp_path / 'tumis.toml'}: no such config file" == str(raised.value)
