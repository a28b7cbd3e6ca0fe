"""What Datasette shows about the corpus: titles, descriptions, facets, search and canned queries.

:func:`build_metadata` returns a Datasette 0.65 metadata document (a dict to write as JSON) for a
corpus database served under the name ``database`` (Datasette names a database after its file
stem). The database is served immutable, so nothing here creates views or tables: facets on
document type, year and region live on ``documents``; facets on the passage's variable, its
document's type and year (copied onto each passage) and topic on ``passages``; the canned
queries join the two.

Datasette 0.65's search box on a table filters the rows (``rowid in (... MATCH ...)``) and keeps
the table's order; it cannot order them by relevance. The canned query ``search_passages`` does:
best first by BM25 (FTS5 ``rank``), with a snippet of each passage.

Datasette 0.65 has no setting that hides a column, so the internal columns of
:data:`HIDDEN_COLUMNS` are hidden from the pages by a style sheet (:func:`style_sheet`),
left out of every canned query, and still present in the JSON API.
"""

from __future__ import annotations

from html import escape

from ..records import LABELS

# The codebook's labels (CODEBOOK.md): the Indonesian name and what the passage is mainly about.
LABEL_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "starting_conditions": (
        "kondisi awal",
        ("the situation at the outset that helps or hinders cooperation: imbalances of power, "
         "resources or capacity, incentives and constraints on taking part, earlier cooperation or "
         "conflict, the problem as it stood when collaboration began"),
    ),
    "facilitative_leadership": (
        "kepemimpinan fasilitatif",
        ("a leader (bupati, camat, kepala desa, a programme champion) convening the parties, "
         "mediating, setting the tone, building trust or empowering weaker actors"),
    ),
    "institutional_design": (
        "desain kelembagaan",
        ("formal rules, bodies, roles, authority and procedures: regulations, guidelines, "
         "membership of teams and forums, articles (Pasal) that assign tasks or authority"),
    ),
    "collaborative_process": (
        "proses kolaboratif",
        ("the actors actually working together and what that yields: meetings and musyawarah held, "
         "trust and shared understanding built, joint action and small wins"),
    ),
    "other": (
        "lainnya",
        ("none of the four: legal boilerplate (enactment clauses, signatures, definitions of "
         "place names) and text unrelated to collaboration"),
    ),
}

# Internal columns: the stems indexed for search beside the text, and the hash that ties an
# analyst's label to the text it was given for.
HIDDEN_COLUMNS: dict[str, tuple[str, ...]] = {"passages": ("stem", "text_sha256")}

# Tables an analyst has no use for in a browser (vectors as bytes).
HIDDEN_TABLES = ("passage_embeddings",)

_PASSAGE_VIEW_COLUMNS = """p.citation, p.section, p.text, p.variable, p.label AS model_label,
    p.confidence, p.topic, p.id AS passage_id"""

# search_passages: the optional filters are written `(:x = '' OR p.x = :x)` so that SQLite cannot
# drive the query from an index on passages and probe the full-text index row by row (seconds on
# a large corpus); FTS5 hands the matches over best first and the filters follow.
QUERIES: dict[str, dict] = {
    "search_passages": {
        "title": "Search passages, best first",
        "hide_sql": True,
        "description_html": (
            "<p>Passages matching the words given, most relevant first (BM25), each with a "
            "snippet that marks the words found <code>**like this**</code>. A word also finds "
            "its affixed forms: <code>miskin</code> finds <em>kemiskinan</em> (the snippet marks "
            "the words as typed). Several words: passages with all of them; "
            "<code>\"a phrase\"</code> in quotes. Optionally narrowed to one variable (" + ", ".join(LABELS) + "), document "
            "type (perbup, perda, keputusan, news ...) and year; leave them empty for all. "
            "Withdrawn documents are left out; the best 100 are shown.</p>"
        ),
        "sql": """SELECT round(-passages_fts.rank, 3) AS score,
    snippet(passages_fts, 0, '**', '**', '…', 32) AS snippet,
    p.doc_type, p.year, d.title AS document, p.citation, p.variable, p.label AS model_label,
    p.confidence, p.topic, p.id AS passage_id, p.document_id
FROM passages_fts
JOIN passages AS p ON p.rowid = passages_fts.rowid
JOIN documents AS d ON d.id = p.document_id
WHERE passages_fts MATCH COALESCE(NULLIF(escape_fts(:q), ''), '""')
  AND (COALESCE(:variable, '') = '' OR p.variable = :variable)
  AND (COALESCE(:doc_type, '') = '' OR p.doc_type = :doc_type)
  AND (COALESCE(:year, '') = '' OR p.year = CAST(:year AS INTEGER))
  AND d.status = 'active'
ORDER BY passages_fts.rank
LIMIT 100""",
    },
    "passages_by_variable_and_year": {
        "title": "Passages of one variable by year",
        "description": (
            "Passages whose effective label is the variable given (one of "
            + ", ".join(LABELS) + "), in documents of the year given (leave the year empty for "
            "every year), newest year first. Withdrawn documents are left out."
        ),
        "sql": f"""SELECT d.year, d.doc_type, d.title AS document, {_PASSAGE_VIEW_COLUMNS},
    p.document_id
FROM passages AS p
JOIN documents AS d ON d.id = p.document_id
WHERE p.variable = :variable
  AND (COALESCE(:year, '') = '' OR d.year = CAST(:year AS INTEGER))
  AND d.status = 'active'
ORDER BY d.year DESC, d.id, p.seq""",
    },
    "document_passages": {
        "title": "A document's passages in order",
        "description": (
            "Every passage of one document (its id is in the documents table), in reading order, "
            "with the Pasal/ayat to cite and the label each carries."
        ),
        "sql": f"""SELECT p.seq, p.page, p.bab, p.pasal, p.ayat, {_PASSAGE_VIEW_COLUMNS}
FROM passages AS p
WHERE p.document_id = :document_id
ORDER BY p.seq""",
    },
    "variable_mix_by_document_type": {
        "title": "Variable mix per document type",
        "description": (
            "How many passages of each document type carry each label (the effective label: the "
            "analyst's code where present, else the model's). Withdrawn documents are left out."
        ),
        "sql": "SELECT d.doc_type, count(*) AS passages,\n"
        + ",\n".join(f"    sum(p.variable = '{label}') AS {label}" for label in LABELS)
        + ",\n    sum(p.variable IS NULL) AS unlabelled\n"
        "FROM passages AS p\nJOIN documents AS d ON d.id = p.document_id\n"
        "WHERE d.status = 'active'\nGROUP BY d.doc_type\nORDER BY passages DESC",
    },
}


def labels_html() -> str:
    """The codebook's labels as an HTML list."""
    items = "".join(
        f"<li><code>{escape(label)}</code> ({escape(indonesian)}): {escape(about)}</li>"
        for label, (indonesian, about) in LABEL_DESCRIPTIONS.items()
    )
    return f'<ul class="tumis-labels">{items}</ul>'


def style_sheet() -> str:
    """The style sheet added to every page: internal columns hidden, the labels as a list."""
    selectors = [f".col-{column}" for columns in HIDDEN_COLUMNS.values() for column in columns]
    return (",\n".join(selectors) + " {\n    display: none;\n}\n"
            ".tumis-labels {\n    list-style: disc;\n    padding-left: 1.5em;\n}\n")


def build_metadata(database: str, *, reports_url: str | None = None,
                   css_url: str | None = None) -> dict:
    """The Datasette metadata document for the corpus served as ``database``.

    ``reports_url`` (the topics report, when one is served beside the corpus) is linked from the
    descriptions; ``css_url`` is a style sheet to add to every page (:func:`style_sheet`).
    """
    report_link = (f' The <a href="{escape(reports_url)}">topics report</a> shows the topics '
                   "found in the passages, per variable and over time." if reports_url else "")
    metadata: dict = {
        "title": "tumis-mining corpus",
        "description_html": (
            "<p>Indonesian policy documents (regulations, regent decrees, news) cut into passages "
            "along their legal structure (Bab, Pasal, ayat), each passage classified by the "
            "collaborative-governance variable it is mainly about.</p>"
            "<p>Start with <strong>passages</strong> (search box: <code>miskin</code> also finds "
            "<em>kemiskinan</em>) or <strong>documents</strong>; the queries below answer common "
            f"questions.{report_link}</p>"
            f"<p>The labels:</p>{labels_html()}"
        ),
        "databases": {database: _database(reports_url)},
    }
    if css_url:
        metadata["extra_css_urls"] = [css_url]
    return metadata


def _database(reports_url: str | None) -> dict:
    description = ("The corpus: documents, their passages and labels, analysts' codes, "
                   "topics, failures and runs.")
    if reports_url:
        description += f' Topics report: <a href="{escape(reports_url)}">{escape(reports_url)}</a>.'
    tables = {
        "passages": {
            "title": "Passages",
            "description_html": (
                "<p>One row per passage: a Pasal, ayat or paragraph with its place in the document, "
                "its text and its label. <code>variable</code> is the effective label (an "
                "analyst's code where present, else the model's, <code>label</code>). The search "
                "box finds affixed forms too: <code>miskin</code> finds <em>kemiskinan</em>, "
                "<code>kolaborasi</code> finds <em>berkolaborasi</em>; it keeps the table's order, "
                'while <a href="search_passages">Search passages, best first</a> ranks the '
                "matches. Facet by section or language from a column's menu.</p>" + labels_html()
            ),
            "fts_table": "passages_fts",
            "fts_pk": "rowid",
            "facets": ["variable", "doc_type", "year", "topic"],
            "label_column": "citation",
            "columns": {
                "citation": "Where to cite it: the Pasal and ayat (or the paragraph of a news item).",
                "variable": "The effective label: the analyst's code where present, else the model's.",
                "label": "The model's label; confidence is its probability.",
                "topic": "Topic id (-1: no topic); see the topics table.",
                "doc_type": "The type of the passage's document (a copy of documents.doc_type): "
                            "perbup, perda, keputusan, news ...",
                "year": "The year of the passage's document (a copy of documents.year; for news, "
                        "the year it was published).",
            },
        },
        "documents": {
            "title": "Documents",
            "description": "One row per document: its type, number, year, title, issuer and region, "
                           "where it came from, and how many passages it has. Open a document to "
                           "follow the link to its passages.",
            "facets": ["doc_type", "year", "region"],
            "sort_desc": "year",
            "label_column": "title",
            "columns": {
                "doc_type": "Document type: perbup (regent regulation), keputusan (decree), perda, "
                            "news ...",
                "status": "active, or withdrawn when the source no longer offers it.",
                "amends": "The regulation this one amends, when it is an amendment.",
                "warnings": "What went wrong on the way, short of failing (JSON).",
                "etag": "The ETag the server sent when the document was last fetched.",
                "last_modified": "The Last-Modified date the server sent when the document was "
                                 "last fetched.",
                "withdrawn_at": "When the document was found gone from its source (empty while "
                                "active).",
            },
        },
        "labels": {
            "title": "Analysts' codes",
            "description": "Labels given by analysts (`tumis label`), kept beside the model's and "
                           "used in place of it for the passage text they were given for.",
        },
        "topics": {
            "title": "Topics",
            "description": "Topics found in the passages: their label, most telling words and size.",
            "label_column": "label",
        },
        "topics_per_class": {"title": "Topics per variable",
                             "description": "Passages of each topic by effective variable."},
        "topics_over_time": {"title": "Topics over time",
                             "description": "Passages of each topic by document year."},
        "topic_models": {"title": "Topic models",
                         "description": "Each fitted topic model, its settings and figures."},
        "failures": {
            "title": "Failures",
            "description": "Inputs that could not be made into documents, with the stage and reason.",
        },
        "runs": {"title": "Runs", "description": "Each ingest or refresh run and its counts."},
        "pages": {"title": "Pages", "description": "Each document page: extractor, characters, OCR."},
    }
    for table in HIDDEN_TABLES:
        tables[table] = {"hidden": True}
    return {
        "title": "Corpus",
        "description_html": description,
        "tables": tables,
        "queries": {name: dict(query) for name, query in QUERIES.items()},
    }
