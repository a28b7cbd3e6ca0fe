"""PDF text: pypdfium2 as the fast path, pdfplumber where it reads better, tesseract for scans.

How a page gets its text:

1. pypdfium2 reads every page (about a millisecond a page).
2. A cheap check decides whether that text can be trusted: on a few sampled pages pdfplumber
   reads the page too, and the two must agree in character count and in sampled lines. If they
   do, pypdfium2's text stands for the whole document; if not, every page is read again with
   pdfplumber (page by page: a page pdfplumber cannot read keeps pypdfium2's text).
3. A page with little or no text but a large image is a scan: with tesseract it is OCR'd; without
   it the page carries a ``needs_ocr`` warning. A scan that brings its own OCR text layer keeps it,
   flagged ``ocr``, and gets the OCR clean-up.
4. When one library cannot open a file, the other one is tried before the file is given up.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from ..errors import ExtractionError
from ..records import ExtractedText, PageText
from ..settings import ExtractSettings
from .clean import clean_pages, doubled_share
from .ocr import find_tesseract, ocr_image

log = logging.getLogger(__name__)

FAST = "pypdfium2"
SLOW = "pdfplumber"
_IMAGE = 3  # FPDF_PAGEOBJ_IMAGE
_GARBAGE = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]")


@dataclass
class _Page:
    index: int
    text: str = ""
    extractor: str = FAST
    ocr: bool = False
    image_cover: float = 0.0
    has_objects: bool = True
    needs_ocr: bool = False
    warnings: list[str] = field(default_factory=list)


class _SlowReader:
    """pdfplumber, opened once and only when a page needs it (opening a large PDF costs)."""

    def __init__(self, data: bytes, password: str | None, doc=None) -> None:
        self._data, self._password = data, password
        self.doc, self.tried = doc, doc is not None
        self._texts: dict[tuple[int, bool], str | None] = {}

    def text(self, index: int, dedupe: bool = False) -> str | None:
        """pdfplumber's text of one page, read once (None when it cannot be read)."""
        key = (index, dedupe)
        if key not in self._texts:
            doc = self.get()
            self._texts[key] = None if doc is None else _slow_page_text(doc, index, dedupe)
        return self._texts[key]

    def get(self):
        if not self.tried:
            self.tried = True
            self.doc, _ = _open_slow(self._data, self._password)
        return self.doc

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


def extract_pdf(data: bytes, *, source: str, sha256: str, settings: ExtractSettings) -> ExtractedText:
    """Extract the text of every page of a PDF (see the module docstring for how)."""
    warnings: list[str] = []
    fast_doc, fast_error = _open_fast(data, settings.password)
    slow_doc, slow_error = (None, None)
    if fast_doc is None:
        slow_doc, slow_error = _open_slow(data, settings.password)
        if slow_doc is None:
            raise _open_failure(fast_error, slow_error)
        warnings.append(f"pypdfium2 could not open the file ({fast_error}); read with pdfplumber")
    slow = _SlowReader(data, settings.password, slow_doc)
    try:
        meta = _metadata(fast_doc, slow_doc, warnings)
        count = len(fast_doc) if fast_doc is not None else len(slow_doc.pages)
        if count == 0:
            raise ExtractionError("no pages: the PDF has no pages", error="no_pages")
        if count > settings.max_pages:
            raise ExtractionError(
                f"too large: {count} pages (the limit is {settings.max_pages})", error="too_large"
            )
        if fast_doc is not None:
            pages = [_read_fast_page(fast_doc, i, settings) for i in range(count)]
            if settings.detect_ocr_layers:
                _probe_ocr_layers(pages, fast_doc, settings)
            reread = _pages_to_reread(pages, slow, settings, warnings)
            if (reread is None or reread) and slow.get() is not None:
                chosen = pages if reread is None else [pages[i] for i in reread]
                _reread_slow(chosen, slow)
        else:
            pages = [_Page(i) for i in range(count)]
            _reread_slow(pages, slow, force=True)
        _ocr_scans(pages, fast_doc, settings, warnings)
    finally:
        slow.close()
        if fast_doc is not None:
            fast_doc.close()
    return _finish(pages, source, sha256, meta, warnings)


# --- opening ----------------------------------------------------------------------------------

def _open_fast(data: bytes, password: str | None):
    try:
        return pdfium.PdfDocument(data, password=password), None
    except pdfium.PdfiumError as exc:
        return None, str(exc)


def _open_slow(data: bytes, password: str | None):
    import pdfplumber  # noqa: PLC0415 - only needed when the fast path falls short

    try:
        doc = pdfplumber.open(io.BytesIO(data), password=password or "")
        _ = doc.pages  # forces the page tree to be read
        return doc, None
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        return None, f"{type(exc).__name__}: {exc}".rstrip(": ")


def _open_failure(fast_error: str | None, slow_error: str | None) -> ExtractionError:
    text = f"{fast_error} {slow_error}".lower()
    if "password" in text or "encrypt" in text:
        return ExtractionError(
            "encrypted: a password is required to open this PDF", error="encrypted"
        )
    return ExtractionError(
        f"unreadable PDF: neither pypdfium2 ({fast_error}) nor pdfplumber ({slow_error}) could open it",
        error="corrupt",
    )


def _metadata(fast_doc, slow_doc, warnings: list[str]) -> dict:
    try:
        if fast_doc is not None:
            raw = fast_doc.get_metadata_dict(skip_empty=True)
        else:
            raw = {k: v for k, v in (slow_doc.metadata or {}).items()}
    except Exception as exc:  # odd metadata is a warning, never a failure
        warnings.append(f"unreadable PDF metadata: {exc}")
        return {}
    meta = {}
    for key, value in raw.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            warnings.append(f"PDF metadata {key!r} is not text ({type(value).__name__})")
            value = str(value)
        meta[f"pdf_{key.lower()}"] = value
    return meta


# --- reading pages ----------------------------------------------------------------------------

def _read_fast_page(doc, index: int, settings: ExtractSettings) -> _Page:
    page = doc[index]
    result = _Page(index)
    try:
        rotation = page.get_rotation()
        if rotation:
            result.warnings.append(f"page {index + 1} is rotated by {rotation} degrees")
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        # pdfium marks a hyphen it found at a line end: the word goes on after it.
        text = re.sub("[\x02\ufffe](?=[a-z])", "", text)
        result.text = text.replace("\x02", "-").replace("\ufffe", "-")
        if len(result.text.strip()) < settings.min_text_chars or settings.ocr == "force":
            result.image_cover, result.has_objects = _image_cover(page)
    except pdfium.PdfiumError as exc:
        result.warnings.append(f"page {index + 1}: pypdfium2 could not read it ({exc})")
    finally:
        page.close()
    return result


def _probe_ocr_layers(pages: list[_Page], doc, settings: ExtractSettings) -> None:
    """Find scans that carry an OCR text layer: a page-sized image under the text.

    Looking at a page's objects costs more than reading its text, so three pages are probed
    first and the rest only when one of them is such a scan.
    """
    with_text = [p for p in pages if len(p.text.strip()) >= settings.min_text_chars]
    if not with_text:
        return
    probes = {0, len(with_text) // 2, len(with_text) - 1}
    for k in sorted(probes):
        _set_cover(with_text[k], doc)
    if any(with_text[k].image_cover >= settings.scan_cover for k in probes):
        for k, page in enumerate(with_text):
            if k not in probes:
                _set_cover(page, doc)


def _set_cover(page: _Page, doc) -> None:
    pdf_page = doc[page.index]
    try:
        page.image_cover, page.has_objects = _image_cover(pdf_page)
    finally:
        pdf_page.close()


def _image_cover(page) -> tuple[float, bool]:
    """Largest share of the page that one image covers, and whether the page has any objects."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    best, seen = 0.0, False
    for obj in page.get_objects(max_depth=2):
        seen = True
        if obj.type != _IMAGE:
            continue
        left, bottom, right, top = obj.get_bounds()
        cover = max(0.0, min(right, width) - max(left, 0)) * max(0.0, min(top, height) - max(bottom, 0))
        best = max(best, cover / area)
    return best, seen


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _grams(squashed: str, n: int = 4) -> Counter:
    return Counter(squashed[i:i + n] for i in range(max(len(squashed) - n + 1, 0)))


def _agree(fast: str, slow: str) -> bool:
    """The cheap check: similar character counts, and the same character 4-grams.

    Spaces and order are left out on purpose: around boxes, charts and columns the two
    libraries order text differently and neither is reliably better, and one may space out
    letters the other does not; a missing, doubled or mis-decoded glyph changes the 4-grams.
    """
    a, b = _squash(fast).casefold(), _squash(slow).casefold()
    if not a and not b:
        return True
    if min(len(a), len(b)) < 0.85 * max(len(a), len(b)):
        return False
    ga, gb = _grams(a), _grams(b)
    shared = sum((ga & gb).values())
    return shared >= 0.85 * max(sum(ga.values()), sum(gb.values()), 1)


# A line holding only a list marker or a preamble label: "5.", "b.", "(2)", "Menimbang :".
_MARKER_ONLY = re.compile(
    r"^\s*(?:\(?\d{1,3}[.)]|[a-z][.)]|\([a-z0-9]{1,3}\)|(?:Menimbang|Mengingat|Memperhatikan|"
    r"Menetapkan|MEMUTUSKAN)\s*:?)\s*$"
)


def _order_suspect(text: str) -> bool:
    """Two marker-only lines in a row: numbers or labels were read apart from their text
    (a numbering column, an OCR layer in odd order), which pdfplumber's layout puts back."""
    previous = False
    for line in text.splitlines():
        current = bool(_MARKER_ONLY.match(line))
        if current and previous:
            return True
        previous = current
    return False


def _risk(page: _Page) -> float:
    """How likely pypdfium2's reading order is to differ: a page of short lines (tables, charts,
    columns, boxes) is riskier than a page of running text."""
    lines = [line for line in page.text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    return sum(1 for line in lines if len(line.strip()) <= 12) / len(lines)


def _pages_to_reread(pages: list[_Page], slow: _SlowReader, settings: ExtractSettings,
                     warnings: list[str]) -> list[int] | None:
    """Which pages pdfplumber should read again; None means every page.

    Pages whose fast text shows garbage glyphs or doubled characters are always re-read. Then
    pdfplumber reads a few sampled pages, the riskiest first (see ``_risk``); each page where the
    two disagree is re-read and earns a look at one more page, and when most sampled pages
    disagree the fast path is dropped for the whole document.
    """
    if settings.fast_path == "never":
        return None
    with_text = [p for p in pages if len(p.text.strip()) >= settings.min_text_chars]
    suspicious = [
        p.index for p in with_text
        if _GARBAGE.search(p.text) or doubled_share(p.text) > 0.2 or _order_suspect(p.text)
    ]
    if settings.fast_path == "always" or not with_text:
        return suspicious
    n = len(with_text)
    wanted = max(1, min(settings.sample_pages, 1 + n // 300))
    middle = n // 2
    # Pages pdfplumber reads anyway come first: their check costs nothing more.
    flagged = set(suspicious)
    order = sorted(range(n), key=lambda k: (with_text[k].index not in flagged,
                                            -round(_risk(with_text[k]), 1), abs(k - middle)))
    queue, extra = order[:wanted], iter(order[wanted:])
    if slow.get() is None:
        return suspicious
    disagree: list[int] = []
    checked = 0
    while queue:
        page = with_text[queue.pop(0)]
        slow_text = slow.text(page.index, dedupe=page.index in flagged)
        if slow_text is None:
            continue
        checked += 1
        if len(_GARBAGE.findall(slow_text)) > len(_GARBAGE.findall(page.text)):
            continue  # pdfplumber reads this page worse (glyph ids): no reason to leave the fast path
        if not _agree(page.text, slow_text):
            disagree.append(page.index)
            more = next(extra, None)  # a disagreement earns a look at one more page
            if more is not None and checked < 4 * settings.sample_pages:
                queue.append(more)
    if not disagree:
        return suspicious
    if len(disagree) > checked / 2:
        warnings.append(
            f"pypdfium2 and pdfplumber disagree on {len(disagree)} of {checked} sampled pages; "
            "every page re-read with pdfplumber (kept where it reads better)"
        )
        return None
    warnings.append(
        "pypdfium2 and pdfplumber disagree on page(s) "
        + ", ".join(str(i + 1) for i in disagree) + "; those read with pdfplumber"
    )
    return sorted(set(suspicious) | set(disagree))


def _slow_page_text(slow_doc, index: int, dedupe: bool = False) -> str | None:
    """pdfplumber's text of one page; ``dedupe`` drops overprinted (doubled) characters."""
    try:
        page = slow_doc.pages[index]
        text = (page.dedupe_chars() if dedupe else page).extract_text() or ""
        page.close()
        return text
    except Exception:  # a page pdfminer cannot read keeps the other library's text
        return None


def _reread_slow(pages: list[_Page], reader: _SlowReader, force: bool = False) -> None:
    """Read pages again with pdfplumber, keeping the fast text where pdfplumber does worse."""
    for page in pages:
        if page.index >= len(reader.get().pages):
            continue
        slow = reader.text(page.index, dedupe=True)
        if slow is None:
            page.warnings.append(f"page {page.index + 1}: pdfplumber could not read it")
            continue
        fast_len, slow_len = len(_squash(page.text)), len(_squash(slow))
        garbage = len(_GARBAGE.findall(slow))
        if not force and (slow_len < 0.5 * fast_len or garbage > 0.05 * max(slow_len, 1) / 8):
            continue
        page.text, page.extractor = slow, SLOW


# --- scans ------------------------------------------------------------------------------------

def _ocr_scans(pages: list[_Page], fast_doc, settings: ExtractSettings, warnings: list[str]) -> None:
    engine = find_tesseract(settings.tesseract, settings.ocr_lang) if settings.ocr != "off" else None
    for page in pages:
        chars = len(page.text.strip())
        scanned = page.image_cover >= settings.scan_cover
        if chars >= settings.min_text_chars and settings.ocr != "force":
            if scanned:
                page.ocr = True  # a scan with its own OCR text layer
            continue
        if not scanned and page.image_cover < 0.15 and settings.ocr != "force":
            continue  # a blank or nearly blank page: nothing to read
        if engine is None or fast_doc is None:
            reason = "OCR is turned off" if settings.ocr == "off" else (
                "tesseract with the '%s' language is not installed" % settings.ocr_lang
                if fast_doc is not None else "the page cannot be rendered")
            page.warnings.append(f"needs_ocr: page {page.index + 1} has no text layer and {reason}")
            page.needs_ocr = True
            continue
        try:
            bitmap = fast_doc[page.index].render(scale=settings.ocr_dpi / 72, grayscale=True)
            image = bitmap.to_pil()
            text = ocr_image(image, engine, timeout=settings.ocr_page_timeout)
        except ExtractionError as exc:
            page.warnings.append(f"page {page.index + 1}: {exc}")
            continue
        if len(text.strip()) > chars:
            page.text, page.extractor, page.ocr = text, engine.name, True


def _finish(pages: list[_Page], source: str, sha256: str, meta: dict,
            warnings: list[str]) -> ExtractedText:
    ocr_pages = {p.index for p in pages if p.ocr}
    texts = clean_pages([p.text for p in pages], ocr_pages=ocr_pages)
    for page in pages:
        warnings.extend(page.warnings)
    result = ExtractedText(
        source=source,
        sha256=sha256,
        kind="pdf",
        pages=[PageText(p.index + 1, text, p.extractor, p.ocr) for p, text in zip(pages, texts)],
        warnings=warnings,
        meta=meta,
    )
    if not any(text.strip() for text in texts):
        if any(p.needs_ocr for p in pages):
            raise ExtractionError(
                "needs_ocr: no text layer and OCR unavailable (install tesseract-ocr and "
                "tesseract-ocr-ind)",
                error="needs_ocr",
            )
        if not any(p.has_objects or p.image_cover for p in pages):
            raise ExtractionError(
                f"no pages with content: the PDF's {len(pages)} page(s) are blank", error="no_pages"
            )
        raise ExtractionError("no text: the PDF holds no readable text", error="no_text")
    return result
