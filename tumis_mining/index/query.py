"""Reading the corpus: search, counts, and agreement between analysts and the model.

``Corpus(path).search("miskin", variable="institutional_design", year=(2019, 2023))`` returns a
pandas DataFrame of passages ranked by BM25, with a highlighted snippet, the document's title,
type, year, region and source, and the citation (Pasal/ayat) to quote. Without search text the
passages come newest document first, in document order. Filters are SQL parameters; search text
goes through :func:`~tumis_mining.index.fts.parse_query`, so any text is safe. Withdrawn documents
are left out unless asked for.

A search matching more than ``RANK_WINDOW`` passages (``RANK_WINDOW_FILTERED`` with filters)
ranks the most recently indexed ones of them (BM25 costs ~2 us per matching passage, and a common
word can match a third of a corpus), widening the window while fewer than ``limit`` pass the
filters; ``Corpus.ranked_within`` (and the DataFrame's ``attrs["ranked_within"]``) says when.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..records import DOC_TYPES
from .fts import HIGHLIGHT, Query, parse_query, snippet
from .schema import LABELS, PASSAGE_COLUMNS
from .store import connect

# What a search row holds beyond the passage columns.
RESULT_EXTRA = ("variable", "doc_type", "number", "year", "title", "region", "source", "snippet",
                "score")
RESULT_COLUMNS = PASSAGE_COLUMNS + RESULT_EXTRA
# A search with more matches than this ranks the most recently indexed ones (see Corpus._ranked).
RANK_WINDOW = 2_000
RANK_WINDOW_FILTERED = 10_000

_SELECT = ", ".join(f"p.{c}" for c in PASSAGE_COLUMNS) + (
    ", p.variable, d.doc_type, d.number, d.year, d.title, d.region, d.source"
)


@dataclass(frozen=True)
class Filters:
    """Search filters, checked when made."""

    variable: str | None = None
    doc_type: str | None = None
    year: tuple[int | None, int | None] | None = None
    region: str | None = None
    topic: int | None = None
    min_confidence: float | None = None
    include_withdrawn: bool = False

    def __post_init__(self) -> None:
        if self.variable is not None and self.variable not in LABELS:
            raise ConfigError(f"unknown variable {self.variable!r}; one of: {', '.join(LABELS)}")
        if self.doc_type is not None and self.doc_type not in DOC_TYPES:
            raise ConfigError(f"unknown document type {self.doc_type!r}; one of: {', '.join(DOC_TYPES)}")
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1:
            raise ConfigError("min_confidence must be between 0 and 1")
        if self.year is not None:
            low, high = self.year
            if low is not None and high is not None and low > high:
                raise ConfigError(f"the year range {low}..{high} is empty")

    @property
    def narrows(self) -> bool:
        """Whether any filter beyond the document status is set."""
        return any(value is not None and value != "" for value in (
            self.variable, self.doc_type, self.year, self.region, self.topic, self.min_confidence))

    def where(self) -> tuple[list[str], dict]:
        """SQL conditions over ``p`` (passages) and ``d`` (documents), and their parameters."""
        clauses, params = [], {}
        if not self.include_withdrawn:
            clauses.append("d.status = 'active'")
        if self.variable is not None:
            clauses.append("p.variable = :variable")
            params["variable"] = self.variable
        if self.doc_type is not None:
            clauses.append("d.doc_type = :doc_type")
            params["doc_type"] = self.doc_type
        if self.year is not None:
            low, high = self.year
            if low is not None:
                clauses.append("d.year >= :year_low")
                params["year_low"] = int(low)
            if high is not None:
                clauses.append("d.year <= :year_high")
                params["year_high"] = int(high)
        if self.region:
            clauses.append("d.region LIKE :region ESCAPE '\\'")
            escaped = self.region.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["region"] = f"%{escaped}%"
        if self.topic is not None:
            clauses.append("p.topic = :topic")
            params["topic"] = int(self.topic)
        if self.min_confidence is not None:
            clauses.append("p.confidence >= :min_confidence")
            params["min_confidence"] = float(self.min_confidence)
        return clauses, params


@dataclass
class Agreement:
    """Analysts' codes against the model's labels on the same passages."""

    passages: int
    observed: float  # share of passages where both agree
    kappa: float  # Cohen's kappa (nan when it is undefined: no passages, or one label only)
    confusion: pd.DataFrame  # rows: analyst's label, columns: model's label


class Corpus:
    """A corpus database opened for reading. ``Corpus(path)``; ``close()`` when done."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, create=False, readonly=True)
        self.ranked_within: int | None = None  # the window the last search ranked in (None: all)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- search ---------------------------------------------------------------------------------

    def search(self, text: str | None = None, variable: str | None = None, doc_type: str | None = None,
               year: tuple[int | None, int | None] | int | None = None, region: str | None = None,
               topic: int | None = None, min_confidence: float | None = None, limit: int = 50,
               include_withdrawn: bool = False) -> pd.DataFrame:
        """Passages matching ``text`` and the filters, best first (see the module docstring)."""
        rows = self.search_rows(text, variable=variable, doc_type=doc_type, year=year,
                                region=region, topic=topic, min_confidence=min_confidence,
                                limit=limit, include_withdrawn=include_withdrawn)
        frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
        frame.attrs["ranked_within"] = self.ranked_within
        return frame

    def search_rows(self, text: str | None = None, *, limit: int = 50,
                    marks: tuple[str, str] = HIGHLIGHT, **filters) -> list[dict]:
        """Like :meth:`search`, as a list of plain dicts (``scores`` parsed into a dict)."""
        if isinstance(filters.get("year"), int):
            filters["year"] = (filters["year"], filters["year"])
        chosen = Filters(**filters)
        where, params = chosen.where()
        if limit < 1:
            raise ConfigError("limit must be at least 1")
        params["limit"] = int(limit)
        self.ranked_within = None
        query = parse_query(text) if text is not None and text.strip() else None
        if query is None:
            sql = (f"SELECT {_SELECT}, NULL AS score FROM passages AS p"
                   " JOIN documents AS d ON d.id = p.document_id"
                   + (" WHERE " + " AND ".join(where) if where else "")
                   + " ORDER BY d.year DESC, d.id, p.seq LIMIT :limit")
            rows = self.conn.execute(sql, params).fetchall()
        else:
            params["match"] = query.expression
            rows = self._ranked(where, params, limit, chosen.narrows)
        return [self._result(row, query, marks) for row in rows]

    def _ranked(self, where: list[str], params: dict, limit: int, narrowed: bool) -> list:
        """The best ``limit`` matches by BM25.

        BM25 costs about 2 us for each matching passage, plus a read of the whole list of
        passages of each word, so a word found in a third of a million-passage corpus would take
        a second. A search with more than ``RANK_WINDOW`` matches (``RANK_WINDOW_FILTERED`` with
        filters, which pass only some) therefore ranks the most recently indexed ones, and
        widens the window, as far as all matches, while fewer than ``limit`` pass the filters.
        ``ranked_within`` tells which window gave the results (None: all matches).
        """
        window = RANK_WINDOW_FILTERED if narrowed else RANK_WINDOW
        while True:
            floor = self.conn.execute(
                "SELECT rowid FROM passages_fts WHERE passages_fts MATCH :match"
                " ORDER BY rowid DESC LIMIT 1 OFFSET :offset",
                {"match": params["match"], "offset": window - 1},
            ).fetchone()
            if floor is None:
                return self.conn.execute(self._ranked_sql(where), params).fetchall()
            rows = self.conn.execute(self._ranked_sql(where, windowed=True),
                                     {**params, "floor": floor[0]}).fetchall()
            if len(rows) >= limit:
                self.ranked_within = window
                return rows
            # Enough window for `limit` rows at the share that passed, twice over.
            window = max(window * 4, window * limit * 2 // max(len(rows), 1))

    @staticmethod
    def _ranked_sql(where: list[str], windowed: bool = False) -> str:
        # FTS5 ranks the matches and hands them over best first (the plan shows INDEX 32, its
        # ORDER BY rank); the joins and filters stop as soon as `limit` rows have passed.
        return (
            f"SELECT {_SELECT}, passages_fts.rank AS score FROM passages_fts"
            " JOIN passages AS p ON p.rowid = passages_fts.rowid"
            " JOIN documents AS d ON d.id = p.document_id"
            " WHERE passages_fts MATCH :match"
            + (" AND passages_fts.rowid >= :floor" if windowed else "")
            + "".join(f" AND {clause}" for clause in where)
            + " ORDER BY passages_fts.rank LIMIT :limit"
        )

    @staticmethod
    def _result(row, query: Query | None, marks: tuple[str, str]) -> dict:
        result = dict(row)
        if result["scores"]:
            result["scores"] = json.loads(result["scores"])
        result["snippet"] = snippet(result["text"], query, marks=marks)
        if result["score"] is not None:
            result["score"] = round(-result["score"], 4)  # FTS5 rank: lower is better
        return result

    # --- counts ---------------------------------------------------------------------------------

    def stats(self, include_withdrawn: bool = False) -> pd.DataFrame:
        """Passages counted by effective variable x document type x year (x topic when fitted)."""
        status = "" if include_withdrawn else "WHERE d.status = 'active'"
        sql = f"""
            SELECT g.variable, d.doc_type, d.year, g.topic, SUM(g.n)
            FROM (SELECT variable, document_id, topic, count(*) AS n FROM passages
                  GROUP BY variable, document_id, topic) AS g
            JOIN documents AS d ON d.id = g.document_id
            {status}
            GROUP BY g.variable, d.doc_type, d.year, g.topic
            ORDER BY g.variable, d.doc_type, d.year, g.topic
        """
        columns = ["variable", "doc_type", "year", "topic", "passages"]
        frame = pd.DataFrame([tuple(r) for r in self.conn.execute(sql)], columns=columns)
        frame = frame.astype({"year": "Int64", "topic": "Int64", "passages": "int64"})
        if frame["topic"].isna().all():  # topics not fitted yet
            frame = frame.drop(columns="topic")
        return frame

    def totals(self) -> dict[str, int]:
        """How many documents (active, withdrawn), passages, labels and failures the corpus holds."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents WHERE status = 'active'"),
            "withdrawn": one("SELECT count(*) FROM documents WHERE status = 'withdrawn'"),
            "passages": one("SELECT count(*) FROM passages"),
            "labels": one("SELECT count(*) FROM labels AS l JOIN passages AS p"
                          " ON p.id = l.passage_id AND p.text_sha256 = l.text_sha256"),
            "failures": one("SELECT count(*) FROM failures"),
        }

    def failures(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT source, source_name, sha256, stage, error, message, at FROM failures"
            " ORDER BY source, stage", self.conn)

    def corrections(self) -> pd.DataFrame:
        """Analysts' codes with the passage text they were given for (for ``tumis train``).

        Columns: passage_id, text, label (the analyst's), note, at, model_label, model.
        Codes given for an earlier text of a passage are left out.
        """
        return pd.read_sql_query(
            "SELECT l.passage_id, p.text, l.label, l.note, l.at, p.label AS model_label, p.model"
            " FROM labels AS l JOIN passages AS p"
            " ON p.id = l.passage_id AND p.text_sha256 = l.text_sha256 ORDER BY l.at, l.passage_id",
            self.conn)

    # --- agreement ------------------------------------------------------------------------------

    def agreement(self) -> Agreement:
        """Cohen's kappa and the confusion table of analysts' codes against the model's labels.

        Counts the passages that have both, for the text the analyst saw.
        """
        pairs = self.conn.execute(
            "SELECT l.label, p.label FROM labels AS l JOIN passages AS p"
            " ON p.id = l.passage_id AND p.text_sha256 = l.text_sha256"
            " WHERE p.label IS NOT NULL").fetchall()
        return agreement(pairs)


def agreement(pairs: list[tuple[str, str]]) -> Agreement:
    """Cohen's kappa and confusion table of (analyst, model) label pairs."""
    labels = list(LABELS) + sorted({x for pair in pairs for x in pair} - set(LABELS))
    confusion = pd.DataFrame(0, index=pd.Index(labels, name="analyst"),
                             columns=pd.Index(labels, name="model"))
    for human, model in pairs:
        confusion.loc[human, model] += 1
    n = len(pairs)
    if n == 0:
        return Agreement(0, math.nan, math.nan, confusion)
    observed = sum(confusion.loc[x, x] for x in labels) / n
    expected = sum(confusion.loc[x].sum() * confusion[x].sum() for x in labels) / (n * n)
    kappa = math.nan if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, observed, kappa, confusion)
