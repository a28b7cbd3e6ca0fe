"""A config file (``tumis.toml``) read into a :class:`Config`.

The file names the corpus, how remote documents are fetched, how work is spread over workers,
and the sources to pull::

    [corpus]
    db = "data/corpus.db"           # default; the fetched files go to "store" beside it
    fail_threshold = 0.5

    [fetch]                         # any field of FetchSettings
    allow_private_hosts = false

    [runner]
    kind = "threads"                # threads | processes | dask
    workers = 2                     # default: the number of CPUs
    # address = "tcp://127.0.0.1:8786"   (dask: a scheduler), or cluster = "local"

    [classifier]
    model = "models/classifier"

    [[sources]]
    name = "jdih-sragen"
    kind = "jdihn"                  # folder | jdihn | listing | feed
    url = "https://jdih.example.go.id/integrasi/jdihn.json"

Relative paths are relative to the config file's folder. Every mistake is one
:class:`~tumis_mining.errors.ConfigError` whose message names the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import ConfigError
from .base import SOURCE_KINDS, FetchSettings

DEFAULT_DB = "data/corpus.db"
DEFAULT_FAIL_THRESHOLD = 0.5
RUNNER_KINDS = ("threads", "processes", "dask")

# What each kind of source takes besides name, kind, url/path and enabled, with the defaults.
# The listing selectors left at None fall back to what works on a JDIH-style table (see
# ``sources.listing``).
KIND_OPTIONS: dict[str, dict[str, object]] = {
    "folder": {"pattern": None},
    "jdihn": {"max_records": None, "max_pages": 50},
    "listing": {
        "row": None, "title": None, "number": None, "year": None, "link": None, "next": None,
        "max_pages": 20,
    },
    "feed": {"max_items": 100},
}  # fmt: skip
_SELECTOR_OPTIONS = frozenset({"row", "title", "number", "year", "link", "next"})
_COUNT_OPTIONS = frozenset({"max_records", "max_pages", "max_items"})
_SOURCE_KEYS = ("name", "kind", "url", "path", "enabled")
_TABLES = ("corpus", "fetch", "runner", "classifier", "sources")
_TYPE_WORDS = {
    "bool": "true or false", "int": "a whole number", "float": "a number", "str": "a string",
}


@dataclass(frozen=True)
class RunnerSettings:
    """How documents are spread over workers.

    kind: ``threads``, ``processes`` or ``dask``. workers: how many (None: the number of CPUs).
    address: the Dask scheduler to use; cluster = ``"local"`` starts a local Dask cluster instead.
    """

    kind: str = "threads"
    workers: int | None = None
    address: str | None = None
    cluster: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in RUNNER_KINDS:
            raise ConfigError(f"runner kind {self.kind!r} is not one of {', '.join(RUNNER_KINDS)}")
        if self.workers is not None and (
            isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1
        ):
            raise ConfigError(
                f"runner workers must be a whole number of at least 1, not {self.workers!r}"
            )
        if self.cluster not in (None, "local"):
            raise ConfigError(f'runner cluster must be "local", not {self.cluster!r}')
        if self.kind == "dask":
            if self.address is None and self.cluster is None:
                raise ConfigError(
                    'runner address (a Dask scheduler) is required when kind = "dask", '
                    'unless cluster = "local"'
                )
            if self.address is not None and self.cluster is not None:
                raise ConfigError('runner takes an address or cluster = "local", not both')
        elif self.address is not None or self.cluster is not None:
            raise ConfigError(
                f'runner address and cluster are for kind = "dask", not {self.kind!r}'
            )


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: where it is and the options of its kind.

    url: for ``jdihn``, ``listing`` and ``feed`` (http or https). path: for ``folder`` (absolute
    once loaded from a file). options: the kind's options (``KIND_OPTIONS``); :meth:`option` gives
    one with its default.
    """

    name: str
    kind: str
    url: str | None = None
    path: Path | None = None
    enabled: bool = True
    options: dict = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError("a source needs a name")
        where = f"source {self.name!r}"
        if self.kind not in SOURCE_KINDS:
            raise ConfigError(
                f"{where}: kind {self.kind!r} is not one of {', '.join(SOURCE_KINDS)}"
            )
        if self.kind == "folder":
            if self.url is not None:
                raise ConfigError(f"{where}: a folder source takes a path, not a url")
            if self.path is None:
                raise ConfigError(f"{where}: path is required for a folder source")
        else:
            if self.path is not None:
                raise ConfigError(f"{where}: a {self.kind} source takes a url, not a path")
            if self.url is None:
                raise ConfigError(f"{where}: url is required for a {self.kind} source")
            if not is_http_url(self.url):
                raise ConfigError(f"{where}: url {self.url!r} is not an http(s) URL")
        if not isinstance(self.enabled, bool):
            raise ConfigError(f"{where}: enabled must be true or false, not {self.enabled!r}")

    def option(self, key: str) -> object:
        """The option ``key`` of this source's kind, or its default."""
        defaults = KIND_OPTIONS[self.kind]
        if key not in defaults:
            raise KeyError(f"{self.kind} sources have no option {key!r}")
        value = self.options.get(key)
        return defaults[key] if value is None else value


@dataclass(frozen=True)
class Config:
    """A whole config file. ``path`` is the file it was read from (None for :meth:`default`)."""

    path: Path | None
    db: Path
    store: Path
    fail_threshold: float = DEFAULT_FAIL_THRESHOLD
    fetch: FetchSettings = field(default_factory=FetchSettings)
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    model: Path | None = None
    sources: list[SourceConfig] = field(default_factory=list, hash=False)

    @classmethod
    def default(cls, db_path: str | Path = DEFAULT_DB) -> Config:
        """A config with no sources, for a corpus at ``db_path``."""
        db = Path(db_path)
        return cls(path=None, db=db, store=db.parent / "store")

    def select(self, name: str | None = None) -> list[SourceConfig]:
        """The enabled sources (``name`` None), or the one named (enabled or not)."""
        if name is None:
            return [source for source in self.sources if source.enabled]
        for source in self.sources:
            if source.name == name:
                return [source]
        there = ", ".join(source.name for source in self.sources) or "none"
        raise ConfigError(f"{self._label()}: no source named {name!r}; the sources are: {there}")

    def _label(self) -> str:
        return str(self.path) if self.path else "config"


def is_http_url(url: object) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def clean_url(url: str) -> str:
    """``url`` fit to fetch and to compare: the fragment dropped, spaces and other unsafe
    characters of the path and query percent-encoded (existing escapes kept)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = quote(parts.path, safe="/%:@!$&'()*+,;=~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, ""))


def load_config(path: str | Path) -> Config:
    """Read and check a config file."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    try:
        return _config(path, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _config(path: Path, data: dict) -> Config:
    _no_unknown("the top level", data, _TABLES)
    here = path.resolve().parent
    corpus = _table(data, "corpus")
    _no_unknown("[corpus]", corpus, ("db", "store", "fail_threshold"))
    db = _path(here, _string(corpus.get("db", DEFAULT_DB), "[corpus] db"))
    store = db.parent / "store"
    if "store" in corpus:
        store = _path(here, _string(corpus["store"], "[corpus] store"))
    threshold = corpus.get("fail_threshold", DEFAULT_FAIL_THRESHOLD)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 1
    ):
        raise ConfigError(
            f"[corpus] fail_threshold must be a number from 0 to 1, not {threshold!r}"
        )
    classifier = _table(data, "classifier")
    _no_unknown("[classifier]", classifier, ("model",))
    model = None
    if "model" in classifier:
        model = _path(here, _string(classifier["model"], "[classifier] model"))
    return Config(
        path=path,
        db=db,
        store=store,
        fail_threshold=float(threshold),
        fetch=_fetch(_table(data, "fetch")),
        runner=_runner(_table(data, "runner")),
        model=model,
        sources=_sources(here, data.get("sources", [])),
    )


def _fetch(table: dict) -> FetchSettings:
    known = {item.name: item.type for item in fields(FetchSettings)}
    _no_unknown("[fetch]", table, tuple(known))
    for key, value in table.items():
        kind = known[key]
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, int | float) and not isinstance(value, bool),
            "str": isinstance(value, str),
        }.get(str(kind), True)
        if not ok:
            word = _TYPE_WORDS.get(str(kind), kind)
            raise ConfigError(f"[fetch] {key} must be {word}, not {value!r}")
    values = {key: float(value) if known[key] == "float" else value for key, value in table.items()}
    try:
        return FetchSettings(**values)
    except ConfigError as exc:
        raise ConfigError(f"[fetch] {str(exc).replace('fetch.', '')}") from None


def _runner(table: dict) -> RunnerSettings:
    _no_unknown("[runner]", table, tuple(item.name for item in fields(RunnerSettings)))
    for key in ("kind", "address", "cluster"):
        if key in table:
            _string(table[key], f"[runner] {key}")
    try:
        return RunnerSettings(**table)
    except ConfigError as exc:
        raise ConfigError(f"[runner] {str(exc).removeprefix('runner ')}") from None


def _sources(here: Path, items: object) -> list[SourceConfig]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ConfigError("sources must be an array of tables ([[sources]])")
    sources: list[SourceConfig] = []
    names: set[str] = set()
    for number, item in enumerate(items, start=1):
        source = _source(here, number, item)
        if source.name in names:
            raise ConfigError(f"[[sources]] name {source.name!r} is used by more than one source")
        names.add(source.name)
        sources.append(source)
    return sources


def _source(here: Path, number: int, item: dict) -> SourceConfig:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"[[sources]] #{number}: name is required (a non-empty string)")
    where = f"source {name!r}"
    kind = item.get("kind")
    if kind is None:
        raise ConfigError(f"{where}: kind is required ({', '.join(SOURCE_KINDS)})")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    _no_unknown(where, item, _SOURCE_KEYS + tuple(KIND_OPTIONS[kind]))
    url = item.get("url")
    if url is not None:
        url = _string(url, f"{where}: url").strip()
    path = item.get("path")
    if path is not None:
        path = _path(here, _string(path, f"{where}: path"))
    options = {key: item[key] for key in KIND_OPTIONS[kind] if key in item}
    for key, value in options.items():
        if key in _SELECTOR_OPTIONS:
            _selector(value, f"{where}: {key}")
        elif key in _COUNT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"{where}: {key} must be a whole number of at least 1, not {value!r}"
                )
        else:
            _string(value, f"{where}: {key}")
    return SourceConfig(name=name, kind=kind, url=url, path=path,
                        enabled=item.get("enabled", True), options=options)


def _selector(value: object, key: str) -> None:
    _string(value, key)
    from cssselect import GenericTranslator, SelectorError  # noqa: PLC0415 - listing sources only

    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ConfigError(f"{key} {value!r} is not a CSS selector: {exc}") from None


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _string(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a non-empty string, not {value!r}")
    return value


def _path(here: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else here / path


def _no_unknown(where: str, table: dict, known: tuple[str, ...]) -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise ConfigError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(known: {', '.join(known)})"
        )
