"""Extract: turn a source document (PDF, HTML, TXT/MD, DOCX, page image) into pages of text.

Entry points: :func:`extract` for a :class:`SourceDocument`, :func:`extract_file` for a path.
The container type is sniffed from the bytes, not trusted from the name: a ``.pdf`` that is
really a ZIP or a text file fails with that reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import ExtractionError
from ..records import ExtractedText, PageText, SourceDocument
from ..settings import ExtractSettings

SUFFIX_KINDS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".docx": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
SUPPORTED_SUFFIXES = tuple(SUFFIX_KINDS)

_DESCRIPTIONS = {
    "zip": "ZIP",
    "docx": "a Word document",
    "html": "HTML",
    "text": "text",
    "image": "an image",
    "postscript": "PostScript",
    "empty": "an empty file",
    "binary": "unknown binary data",
}


def sniff(data: bytes) -> str:
    """What the bytes really are: pdf, html, text, docx, zip, image, postscript, empty or binary."""
    if not data.strip():
        return "empty"
    if b"%PDF-" in data[:65536]:  # junk before the header (a saved HTTP response) is common
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/document.xml" in data[:65536] or b"word/" in data else "zip"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if data.startswith(b"%!PS"):
        return "postscript"
    text = _peek_text(data)
    if text is None:
        return "binary"
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body", "<?xml")) or (
        "<html" in lowered[:2048] or "<body" in lowered[:4096]
    ):
        return "html"
    return "text"


def _peek_text(data: bytes) -> str | None:
    sample = data[:4096]
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if sample.startswith(bom):
            return sample[len(bom):].decode(codec, "replace")
    if b"\x00" in sample:
        return None
    text = sample.decode("utf-8", "replace")
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t\f"))
    if odd > 0.1 * max(len(text), 1):
        text = sample.decode("latin-1")
        odd = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        if odd > 0.05 * len(text):
            return None
    return text


def _short_preview(data: bytes) -> str:
    text = (_peek_text(data) or "").strip().replace("\n", " ")
    return f": '{text[:40]}'" if text else ""


def extract(source: SourceDocument, settings: ExtractSettings | None = None) -> ExtractedText:
    """Extract the pages of one source document."""
    settings = settings or ExtractSettings()
    data = source.read_bytes()
    if len(data) > settings.max_bytes:
        raise ExtractionError(
            f"too large: {len(data) / 1e6:.1f} MB (the limit is {settings.max_bytes / 1e6:.0f} MB)",
            error="too_large",
        )
    sha256 = hashlib.sha256(data).hexdigest()
    name = source.path.name if source.path is not None else (source.url or source.source)
    expected = SUFFIX_KINDS.get(Path(str(name).split("?")[0]).suffix.lower())
    if source.media_type:
        expected = _media_kind(source.media_type) or expected
    actual = sniff(data)
    if expected == "pdf" and actual != "pdf":
        what = _DESCRIPTIONS.get(actual, actual)
        preview = _short_preview(data) if actual == "text" else ""
        raise ExtractionError(f"not a PDF (looks like {what}{preview})", error="not_pdf")
    kind = actual
    if kind == "pdf":
        from .pdf import extract_pdf  # noqa: PLC0415

        return extract_pdf(data, source=source.source, sha256=sha256, settings=settings)
    if kind == "html":
        from .html import extract_html  # noqa: PLC0415

        return extract_html(data, source=source.source, sha256=sha256, url=source.url)
    if kind == "text":
        from .text import extract_text_file  # noqa: PLC0415

        suffix = Path(str(name)).suffix.lower() or ".txt"
        return extract_text_file(data, source=source.source, sha256=sha256, suffix=suffix)
    if kind == "docx":
        from .text import extract_docx  # noqa: PLC0415

        return extract_docx(data, source=source.source, sha256=sha256)
    if kind == "image":
        return _extract_image(data, source=source.source, sha256=sha256, settings=settings)
    if kind == "empty":
        raise ExtractionError("empty file (0 bytes of content)", error="empty")
    raise ExtractionError(
        f"unsupported file type (looks like {_DESCRIPTIONS.get(kind, kind)})", error="unsupported"
    )


def _media_kind(media_type: str) -> str | None:
    media_type = media_type.split(";")[0].strip().lower()
    return {
        "application/pdf": "pdf",
        "text/html": "html",
        "application/xhtml+xml": "html",
        "text/plain": "text",
        "text/markdown": "text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    }.get(media_type)


def _extract_image(data: bytes, *, source: str, sha256: str, settings: ExtractSettings) -> ExtractedText:
    """A page image (a photographed or scanned decree): OCR it as a one-page document."""
    import io

    from PIL import Image, UnidentifiedImageError

    from .clean import clean_pages
    from .ocr import find_tesseract, ocr_image

    engine = find_tesseract(settings.tesseract, settings.ocr_lang) if settings.ocr != "off" else None
    if engine is None:
        raise ExtractionError(
            "needs_ocr: an image with no text layer and OCR unavailable (install tesseract-ocr "
            "and tesseract-ocr-ind)",
            error="needs_ocr",
        )
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ExtractionError(f"unreadable image: {exc}", error="corrupt") from exc
    text = clean_pages([ocr_image(image, engine, timeout=settings.ocr_page_timeout)], ocr_pages={0})[0]
    if not text.strip():
        raise ExtractionError("no text: OCR found no text in the image", error="no_text")
    return ExtractedText(source, sha256, "image", [PageText(1, text, engine.name, True)])


def extract_file(path: str | Path, settings: ExtractSettings | None = None) -> ExtractedText:
    """Extract one file on disk."""
    path = Path(path)
    return extract(SourceDocument(source=str(path), path=path), settings)
