"""Classified passages as a REFI-QDA project (``.qdpx``) for QualCoder, NVivo, ATLAS.ti, MAXQDA.

A ``.qdpx`` file is a zip holding ``project.qde`` (QDA-XML, namespace ``urn:QDA-XML:project:1.0``,
schema ``Project-mrt2019.xsd``) and ``sources/``, one UTF-8 text file per document. The project
holds:

- one user, ``tumis-mining``, who made every coding;
- the codebook: the five labels as codes, each with the codebook's description;
- document variables (``doc_type``, ``number``, ``year``, ``region``) with each source's values;
- one ``TextSource`` per document that has at least one exported passage, its text in
  ``sources/<guid>.txt`` (``plainTextPath="internal://<guid>.txt"``);
- one ``PlainTextSelection`` per exported passage, at the passage's offsets in that text, coded
  with its effective label (the analyst's code where present, else the model's); a passage
  without a label is a selection without a coding.

How a source text is built. The corpus stores passages, not the document's full text:
``passages.char_start``/``char_end`` point into the extracted text, which is not kept, and a
passage's ``text`` may be cleaned on the way (page noise dropped, whitespace folded), so its
stored span need not even have the passage's length; the text between passages (headings such as
``BAB II``, page numbers) is gone. The source text is therefore rebuilt from the passages themselves: every
passage of the document (not only the exported ones, so the source is the whole document), in
passage order (``seq``), joined by one blank line (:data:`PASSAGE_JOIN`). A selection's
``startPosition``/``endPosition`` are the offsets of its passage in that text, counted in Unicode
characters (code points), so ``text[start:end]`` is the passage text exactly.

GUIDs are UUID 5 of the corpus ids (:func:`guid`), so exporting the same corpus again gives the
same GUIDs and an analyst's project can be matched with a later export; the zip entries carry a
fixed timestamp, and only the project's ``creationDateTime`` (the ``created`` argument) changes.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from .. import __version__
from .tabular import _replacing

NAMESPACE = "urn:QDA-XML:project:1.0"
PASSAGE_JOIN = "\n\n"
USER_NAME = "tumis-mining"
# Fixed so that the same corpus gives the same zip (1980-01-01 is the earliest a zip can hold).
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tumis-mining:qdpx")

# The codebook (CODEBOOK.md): the label, its Indonesian name, what a passage so coded is mainly
# about, and a colour for QDA tools.
CODES: dict[str, tuple[str, str, str]] = {
    "starting_conditions": (
        "kondisi awal",
        (
            "The situation at the outset that helps or hinders cooperation: imbalances of power, "
            "resources, knowledge or capacity between actors; incentives for and constraints on "
            "participation; the prehistory of cooperation or conflict; the problem as it stood when "
            "collaboration began, framed as the baseline that motivated joint action."
        ),
        "#E69F00",
    ),
    "facilitative_leadership": (
        "kepemimpinan fasilitatif",
        (
            "A leader (bupati, wakil bupati, camat, kepala desa, a programme champion) convening the "
            "parties, mediating between them, setting the tone, building trust or empowering weaker "
            "actors; a leader's instructions or appeals that bring others into the programme; "
            "leadership styles and their effect on participation."
        ),
        "#56B4E9",
    ),
    "institutional_design": (
        "desain kelembagaan",
        (
            "Formal rules, bodies, roles, authority and procedures: regulations, guidelines, SOPs, "
            "eligibility criteria, funding and reporting rules, time frames; bodies and their "
            "membership, roles and lines of coordination; articles (Pasal) that assign tasks, duties "
            "or authority to institutions."
        ),
        "#009E73",
    ),
    "collaborative_process": (
        "proses kolaboratif",
        (
            "The actors actually working together, and what that yields: face-to-face dialogue "
            "(meetings, musyawarah desa, rembug), trust building, commitment to the process, shared "
            "understanding, joint action and intermediate outcomes such as houses renovated together "
            "or aid delivered jointly (gotong royong)."
        ),
        "#D55E00",
    ),
    "other": (
        "lainnya",
        (
            "None of the four: legal boilerplate with no collaborative content (enactment and "
            "promulgation clauses, signatures, place-name definitions), text unrelated to "
            "collaboration, and bare final statistics reported without reference to who worked "
            "together."
        ),
        "#999999",
    ),
}

# Document columns given to QDA tools as variables of each source: (column, QDA-XML type).
DOCUMENT_VARIABLES = (("doc_type", "Text"), ("number", "Text"), ("year", "Integer"),
                      ("region", "Text"))


def guid(kind: str, *ids: object) -> str:
    """The deterministic GUID of a project element: UUID 5 of its kind and corpus ids."""
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join([kind, *map(str, ids)])))


@dataclass
class SourceText:
    """A document's rebuilt plain text and where each of its passages sits in it."""

    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # passage id -> (start, end)


def build_source_text(passages: Iterable[tuple[str, str]]) -> SourceText:
    """The source text of a document from its ``(passage id, text)`` pairs in passage order.

    The passages joined by :data:`PASSAGE_JOIN`; ``spans`` gives each passage's offsets, so
    ``text[start:end]`` is its text exactly (see the module docstring).
    """
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    offset = 0
    for passage_id, text in passages:
        if parts:
            parts.append(PASSAGE_JOIN)
            offset += len(PASSAGE_JOIN)
        parts.append(text)
        spans[passage_id] = (offset, offset + len(text))
        offset += len(text)
    return SourceText("".join(parts), spans)


def write_qdpx(conn: sqlite3.Connection, rows: Iterator[dict], out: Path, *,
               project_name: str = "tumis-mining corpus", created: datetime | None = None) -> tuple[int, int]:
    """Write the passages ``rows`` (from :func:`~.tabular.select_passages`) as a ``.qdpx`` project.

    ``rows`` must come grouped by document, as ``select_passages`` gives them; ``conn`` is read
    for all the passages of each document, to rebuild its text. ``created`` (default: now) is the
    project's creation time. Returns how many documents and passages were written.
    """
    created = (created or datetime.now(UTC)).replace(microsecond=0)
    stamp = created.isoformat().replace("+00:00", "Z")
    user = guid("user", USER_NAME)
    E = ElementMaker(namespace=NAMESPACE, nsmap={None: NAMESPACE})

    project = E.Project(name=project_name, origin=f"tumis-mining {__version__}",
                        creatingUserGUID=user, creationDateTime=stamp)
    project.append(E.Users(E.User(guid=user, name=USER_NAME)))
    project.append(E.CodeBook(E.Codes(*[
        E.Code(E.Description(f"{indonesian}. {description}"), guid=guid("code", label),
               name=label, isCodable="true", color=color)
        for label, (indonesian, description, color) in CODES.items()
    ])))
    project.append(E.Variables(*[
        E.Variable(guid=guid("variable", name), name=name, typeOfVariable=kind)
        for name, kind in DOCUMENT_VARIABLES
    ]))

    sources = E.Sources()
    documents = passages = 0
    with _replacing(out) as part, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
        for document_id, group in groupby(rows, key=lambda row: row["document_id"]):
            chosen = list(group)
            source_guid = guid("document", document_id)
            full = build_source_text(conn.execute(
                "SELECT id, text FROM passages WHERE document_id = ? ORDER BY seq", (document_id,)))
            _add(archive, f"sources/{source_guid}.txt", full.text.encode("utf-8"))
            sources.append(_text_source(E, chosen, full, source_guid, user, stamp))
            documents += 1
            passages += len(chosen)
        if len(sources):  # QDA-XML wants at least one source inside <Sources>
            project.append(sources)
        _add(archive, "project.qde",
             etree.tostring(project, xml_declaration=True, encoding="utf-8", pretty_print=True))
    return documents, passages


def _text_source(E, rows: list[dict], full: SourceText, source_guid: str, user: str,
                 stamp: str) -> etree._Element:
    first = rows[0]
    name = _xml_text(first["title"] or Path(first["source"]).name)
    described = _xml_text("; ".join(x for x in (first["title"], first["source"]) if x))
    source = E.TextSource(E.Description(described), guid=source_guid, name=name,
                          plainTextPath=f"internal://{source_guid}.txt", creatingUser=user,
                          creationDateTime=stamp)
    for row in rows:
        start, end = full.spans[row["id"]]
        selection = E.PlainTextSelection(
            E.Description(_describe(row)), guid=guid("passage", row["id"]),
            name=_xml_text(row["citation"] or row["id"]), startPosition=str(start), endPosition=str(end),
            creatingUser=user, creationDateTime=stamp)
        if row["variable"]:
            selection.append(E.Coding(E.CodeRef(targetGUID=guid("code", row["variable"])),
                                      guid=guid("coding", row["id"], row["variable"]),
                                      creatingUser=user, creationDateTime=stamp))
        source.append(selection)
    for name, kind in DOCUMENT_VARIABLES:
        value = first[name]
        if value is None or value == "":
            continue
        typed = (E.IntegerValue(str(int(value))) if kind == "Integer"
                 else E.TextValue(_xml_text(str(value))))
        source.append(E.VariableValue(E.VariableRef(targetGUID=guid("variable", name)), typed))
    return source


def _describe(row: dict) -> str:
    """What a selection's description tells the analyst: passage id, who coded it, how sure."""
    parts = [f"passage {row['id']}"]
    if row["variable"] and row["variable"] != row["label"]:
        parts.append(f"analyst's code {row['variable']} (model: {row['label'] or 'none'})")
    elif row["label"]:
        confidence = f" {row['confidence']:.2f}" if row["confidence"] is not None else ""
        parts.append(f"model {row['model']}: {row['label']}{confidence}" if row["model"]
                     else f"model: {row['label']}{confidence}")
    if row["scores"]:
        scores = json.loads(row["scores"])
        parts.append("scores " + ", ".join(f"{k} {float(v):.2f}" for k, v in scores.items()))
    return _xml_text("; ".join(parts))


def _xml_text(value: str) -> str:
    """``value`` without the control characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
