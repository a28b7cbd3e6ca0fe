"""A folder of documents on disk, each with optional sidecar metadata.

Every file under the folder is listed (``pipeline.collect_files`` rules: walked in sorted order,
hidden files and sidecars left out, files of unsupported types kept so that they fail with a
reason), narrowed by the source's optional ``pattern``. A sidecar ``X.pdf.json`` (or ``X.json``)
beside ``X.pdf`` holds a JSON object of metadata hints, the keys ``merge_hints`` reads
(``doc_type``, ``number``, ``year``, ``title``, ``region``, ...) or JDIH network fields
(``jenis``, ``noPeraturan``, ``tahun_pengundangan``, ``judul``, ``tempatTerbit``, ...)::

    {"jenis": "Peraturan Bupati", "noPeraturan": "12", "tahun_pengundangan": "2019",
     "tempatTerbit": "Sragen"}
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from ..pipeline import collect_files
from .base import Entry, Listing
from .config import SourceConfig
from .jdihn import record_hints

# Sidecars larger than this are not metadata: they are skipped with a warning.
MAX_SIDECAR_BYTES = 1024 * 1024


def discover_folder(source: SourceConfig) -> Listing:
    """The files of a folder source, each an :class:`Entry` whose location is its absolute path.

    A missing folder gives an empty listing with ``complete=False`` and a warning (its documents
    are not withdrawn: a disk that is not mounted is not a source that emptied). A sidecar that is
    not a JSON object is a warning; its document is listed without hints.
    """
    listing = Listing(source.name)
    folder = Path(source.path).expanduser() if source.path is not None else None
    if folder is None or not folder.exists():
        listing.warnings.append(
            f"folder: {folder} does not exist; nothing is listed and nothing withdrawn"
        )
        listing.complete = False
        return listing
    try:
        files = collect_files([folder])
    except OSError as exc:
        listing.warnings.append(f"folder: {folder} cannot be read: {exc}")
        listing.complete = False
        return listing
    pattern = source.option("pattern")
    base = folder if folder.is_dir() else folder.parent
    for file in files:
        if pattern and not matches(file.relative_to(base), str(pattern)):
            continue
        hints, warning = sidecar_hints(file)
        if warning:
            listing.warnings.append(warning)
        listing.entries.append(Entry(source.name, str(file.resolve()), hints=hints))
    return listing


def matches(relative: Path, pattern: str) -> bool:
    """Whether a file (its path inside the folder) matches a glob ``pattern``, ignoring case.

    The pattern matches from the right, as ``Path.match`` does: ``*.pdf`` takes PDF files at any
    depth, ``perbup/*.pdf`` the PDF files directly inside any folder named ``perbup``.
    """
    return PurePosixPath(relative.as_posix().lower()).match(pattern.lower())


def sidecar_hints(file: Path) -> tuple[dict, str | None]:
    """The hints of ``file``'s sidecar (``X.pdf.json``, else ``X.json``), and a warning if the
    sidecar could not be used."""
    for sidecar in (file.with_name(file.name + ".json"), file.with_suffix(".json")):
        if sidecar == file or not sidecar.is_file():
            continue
        try:
            if sidecar.stat().st_size > MAX_SIDECAR_BYTES:
                return {}, f"folder: sidecar {sidecar} is larger than {MAX_SIDECAR_BYTES} bytes"
            data = json.loads(sidecar.read_bytes())
        except (OSError, ValueError) as exc:
            return {}, f"folder: sidecar {sidecar} is not readable JSON ({exc}); no hints used"
        if not isinstance(data, dict):
            return {}, f"folder: sidecar {sidecar} is not a JSON object; no hints used"
        return record_hints(data), None
    return {}, None
