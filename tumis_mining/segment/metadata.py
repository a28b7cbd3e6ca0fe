"""A regulation's metadata, read from its title block and closing.

The title block of an Indonesian regulation (UU 12/2011, Lampiran II) reads::

    PERATURAN BUPATI SRAGEN            <- kind and issuer: doc_type, issuer, region
    NOMOR 12 TAHUN 2019                <- number, year
    TENTANG
    PERUBAHAN ATAS PERATURAN ...       <- title (and what it amends)

``find_title_block`` finds it in the first lines of a text, past header noise such as
``SALINAN`` or a clipped letterhead (``ROVINSI JAW``); ``merge_hints`` fills what the text did
not give from the source's hints and warns where the two disagree; ``citation_prefix`` gives
the short name an analyst cites (``Perbup Sragen 12/2019``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tumis_mining.records import DOC_TYPES, Document
from tumis_mining.segment.dates import parse_date
from tumis_mining.segment.headings import Line, fuzzy_word, lampiran_line, ocr_int, starts_list_item

# How far into a document its title block may start (lines, after header noise).
TITLE_SEARCH_LINES = 40
LAMPIRAN_SEARCH_LINES = 400

_NATIONAL_ISSUER = "Presiden Republik Indonesia"
_SMALL_WORDS = frozenset(
    "dan atau di ke dari atas tentang untuk bagi serta yang dalam pada oleh dengan antara "
    "sebagai terhadap melalui per beserta of and the in between concerning on for to".split()
)
_ISSUER_WORDS = (
    "PRESIDEN",
    "MENTERI",
    "GUBERNUR",
    "BUPATI",
    "WALIKOTA",
    "WALI",
    "KEPALA",
    "KETUA",
    "DIREKTUR",
    "SEKRETARIS",
    "JAKSA",
    "PANGLIMA",
)
# "PERATURAN <word> ...": the word that tells the kind.
_SUBTYPES = (
    ("PRESIDEN", "perpres"),
    ("MENTERI", "permen"),
    ("DAERAH", "perda"),
    ("GUBERNUR", "pergub"),
    ("BUPATI", "perbup"),
    ("WALIKOTA", "perwali"),
)
# Who else makes a "PERATURAN ...": rules of agencies, banks and councils (doc_type "other").
_OTHER_ISSUERS = frozenset(
    "KEPALA BADAN LEMBAGA BANK OTORITAS KOMISI MAHKAMAH BERSAMA KETUA DEWAN SEKRETARIS JAKSA "
    "DIREKTUR PANGLIMA KEPOLISIAN".split()
)
_ROMAN_WORD = re.compile(r"[IVXLC]+")
_REGION_PREFIX = {"pergub": "Provinsi", "perbup": "Kabupaten", "perwali": "Kota", "perdes": "Desa"}
_ISSUER_FOR_REGION = {
    "Provinsi": "Gubernur",
    "Kabupaten": "Bupati",
    "Kota": "Wali Kota",
    "Desa": "Kepala Desa",
}
_REGION_FOR_ISSUER = {
    "GUBERNUR": "Provinsi",
    "BUPATI": "Kabupaten",
    "WALIKOTA": "Kota",
    "WALI KOTA": "Kota",
}
# A decree's or instruction's maker in its short citation: "Kepbup Sragen", "Inpres".
_MAKER_SHORT = {
    "Bupati": "bup",
    "Gubernur": "gub",
    "Wali Kota": "wal",
    "Walikota": "wal",
    "Presiden Republik Indonesia": "pres",
    "Presiden": "pres",
}
_SHORT_TYPE = {
    "uu": "UU", "pp": "PP", "perpres": "Perpres", "permen": "Permen", "perda": "Perda",
    "pergub": "Pergub", "perbup": "Perbup", "perwali": "Perwali", "perdes": "Perdes",
    "keputusan": "Keputusan", "instruksi": "Instruksi", "surat_edaran": "SE",
}  # fmt: skip
_MINISTRY_SHORT = {"KEUANGAN": "Permenkeu", "DALAM NEGERI": "Permendagri", "SOSIAL": "Permensos"}
_HINT_TYPES = {
    "peraturan daerah": "perda", "peraturan bupati": "perbup", "peraturan gubernur": "pergub",
    "peraturan walikota": "perwali", "peraturan wali kota": "perwali", "perwal": "perwali",
    "peraturan desa": "perdes", "undang-undang": "uu", "peraturan pemerintah": "pp",
    "peraturan presiden": "perpres", "peraturan menteri": "permen", "pmk": "permen",
    "permendagri": "permen", "keputusan bupati": "keputusan", "keputusan gubernur": "keputusan",
    "sk": "keputusan", "kepbup": "keputusan", "instruksi bupati": "instruksi", "inbup": "instruksi",
    "surat edaran": "surat_edaran", "se": "surat_edaran", "berita": "news",
}  # fmt: skip


@dataclass
class TitleBlock:
    """What the title block says, and where it lies (line indexes, ``end`` exclusive)."""

    start: int
    end: int
    doc_type: str
    number: str | None = None
    year: int | None = None
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    amends: str | None = None
    lampiran: bool = False  # the document is a Lampiran printed on its own


def smart_case(text: str) -> str:
    """``KELAS DAN NILAI JABATAN`` -> ``Kelas dan Nilai Jabatan``; mixed case is kept."""
    if any(char.islower() for char in text):
        return text
    words = []
    for position, word in enumerate(text.split(" ")):
        core = word.strip("()[]_,.;:\"'")
        if core.lower() in _SMALL_WORDS and position > 0:
            words.append(word.lower())
        elif (
            (_ROMAN_WORD.fullmatch(core) and len(core) > 1)  # II, IV: numerals stay
            or not re.search(r"[AEIOUY]", core)  # DPRD, PBB: acronyms stay
            or any(char.isdigit() for char in core)
        ):
            words.append(word)
        else:
            words.append("-".join(_capitalise(part) for part in word.split("-")))
    return " ".join(words)


def _capitalise(part: str) -> str:
    for i, char in enumerate(part):
        if char.isalpha():
            return part[:i] + char.upper() + part[i + 1 :].lower()
    return part


def _clean(text: str) -> str:
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text)
    return " ".join(text.split()).strip(" ,;:")


def _tokens(line: str) -> list[str]:
    line = re.sub(r"\s*-\s*", "-", line.upper())
    return line.split()


def _split_at_nomor(tokens: list[str]) -> tuple[list[str], list[str]]:
    for i, token in enumerate(tokens):
        if fuzzy_word(token.rstrip(":"), "NOMOR"):
            return tokens[:i], tokens[i:]
    return tokens, []


def doc_kind(line: str) -> tuple[str, str] | None:
    """The doc_type a title line names and the words after its kind (issuer or region).

    ``PERATURAN DAERAH KABUPATEN BANJARNEGARA`` -> ("perda", "KABUPATEN BANJARNEGARA").
    """
    tokens, _ = _split_at_nomor(_tokens(line))
    if not tokens or len(" ".join(tokens)) > 110 or "TENTANG" in _tokens(line):
        return None
    first = tokens[0]
    rest = tokens[1:]
    if fuzzy_word(first, "UNDANG-UNDANG") or first in ("UU", "UNDANG-UNDANG"):
        return "uu", " ".join(rest)
    if fuzzy_word(first, "KEPUTUSAN"):
        return "keputusan", " ".join(rest)
    if fuzzy_word(first, "INSTRUKSI"):
        return "instruksi", " ".join(rest)
    if fuzzy_word(first, "SURAT") and rest and fuzzy_word(rest[0], "EDARAN"):
        return "surat_edaran", " ".join(rest[1:])
    if not fuzzy_word(first, "PERATURAN") or not rest:
        return None
    second, after = rest[0], " ".join(rest[1:])
    if fuzzy_word(second, "PEMERINTAH"):
        return ("uu" if rest[1:2] and fuzzy_word(rest[1], "PENGGANTI") else "pp"), after
    for word, kind in _SUBTYPES:
        if fuzzy_word(second, word):
            return kind, (" ".join(rest) if kind == "permen" else after)
    if second == "WALI" and rest[1:2] == ["KOTA"]:
        return "perwali", " ".join(rest[2:])
    if second == "DESA":
        return "perdes", after
    if second == "KEPALA" and rest[1:2] == ["DESA"]:
        return "perdes", " ".join(rest[2:])
    if second in _OTHER_ISSUERS:
        return "other", " ".join(rest)
    return None


def _number_and_year(tokens: list[str]) -> tuple[str | None, int | None]:
    """``NOMOR 8 TAHUN 2025`` / ``NOMOR : 148/PMK.01/2012`` -> ("8", 2025) / ("148/...", 2012)."""
    words = tokens[1:]
    if words and words[0] == ":":
        words = words[1:]
    number_words, year = [], None
    for i, word in enumerate(words):
        if fuzzy_word(word, "TAHUN"):
            year = ocr_int(words[i + 1]) if i + 1 < len(words) else None
            break
        number_words.append(word)
    number = re.sub(r"\s*/\s*", "/", " ".join(number_words)).strip(" :,")
    if not number:
        return None, year
    if "/" not in number:
        value = ocr_int(number)
        number = str(value) if value is not None else number
    elif year is None:
        last = ocr_int(number.rsplit("/", 1)[1])
        year = last if last and 1900 <= last <= 2100 else None
    if year is not None and not 1800 <= year <= 2200:
        year = None
    return number, year


def _issuer_shaped(text: str) -> bool:
    """``BUPATI SRAGEN,`` / ``PRESIDEN REPUBLIK INDONESIA,``: the line naming who enacts."""
    text = text.strip()
    words = text.split()
    return (
        text.endswith(",")
        and text.upper() == text
        and len(text) < 80
        and bool(words)
        and any(fuzzy_word(words[0], word) for word in _ISSUER_WORDS)
    )


def _stops_title(text: str) -> bool:
    return (
        "RAHMAT" in text.upper()
        or bool(
            re.match(r"^\s*(Menimbang|Mengingat|Memperhatikan|MEMUTUSKAN|Menetapkan)\b", text, re.I)
        )
        or _issuer_shaped(text)
    )


def find_title_block(lines: list[Line]) -> TitleBlock | None:
    """The title block (kind, NOMOR, TENTANG) among the first lines, or None.

    A Lampiran printed on its own may carry its heading (``LAMPIRAN I / PERATURAN GUBERNUR BALI
    / NOMOR 2 TAHUN 2021 / TENTANG ...``) below its first page's content: it is looked for
    further down, up to ``LAMPIRAN_SEARCH_LINES``.
    """
    nonblank = [line for line in lines if not line.blank]
    for position in range(min(len(nonblank), TITLE_SEARCH_LINES)):
        block = _block_at(lines, nonblank, position)
        if block is not None:
            return block
    for position in range(min(len(nonblank), LAMPIRAN_SEARCH_LINES)):
        if lampiran_line(nonblank[position].text) is not None:
            block = _block_at(lines, nonblank, position + 1)
            if block is not None:
                return block
    return None


def _block_at(lines: list[Line], nonblank: list[Line], position: int) -> TitleBlock | None:
    """The title block whose kind line is ``nonblank[position]``, if there is one."""
    if position >= len(nonblank):
        return None
    line = nonblank[position]
    kind = doc_kind(line.text)
    if kind is None:
        return None
    # NOMOR on the same line or within the next three lines, TENTANG right after.
    window = nonblank[position : position + 4]
    nomor_at = next(
        (i for i, item in enumerate(window)
         if any(fuzzy_word(t.rstrip(":"), "NOMOR") for t in _tokens(item.text)[:8])),
        None,
    )  # fmt: skip
    if nomor_at is None:
        return None
    number, year = _number_and_year(_split_at_nomor(_tokens(window[nomor_at].text))[1])
    rest = nonblank[position + nomor_at + 1 : position + nomor_at + 12]
    if year is None and rest and fuzzy_word(_tokens(rest[0].text)[0], "TAHUN"):
        year = _number_and_year(["NOMOR", "-", *_tokens(rest[0].text)])[1]
        rest = rest[1:]
    tentang = next(
        (i for i, item in enumerate(rest[:3]) if re.match(r"^\s*(TENTANG|Tentang)\b", item.text)),
        None,
    )
    if tentang is None:
        return None
    title_lines = [re.sub(r"^\s*TENTANG\b\s*:?", "", rest[tentang].text, flags=re.I)]
    end = rest[tentang].index + 1
    lampiran = any(
        lampiran_line(item.text) is not None for item in nonblank[max(0, position - 2) : position]
    )
    widest = len(title_lines[0].strip())
    for item in lines[end : end + 12]:
        if item.blank and "".join(title_lines).strip():
            break
        if _stops_title(item.text):
            break
        if starts_list_item(item.text):  # "1. Latar Belakang": the content has begun
            break
        # A Lampiran's heading runs straight into its content: stop where the text widens.
        if lampiran and widest and len(item.stripped) > 1.2 * widest:
            break
        widest = max(widest, len(item.stripped))
        title_lines.append(item.text)
        end = item.index + 1
    block = TitleBlock(
        start=line.index,
        end=end,
        doc_type=kind[0],
        number=number,
        year=year,
        title=smart_case(_clean(" ".join(title_lines))) or None,
        lampiran=lampiran,
    )
    letterhead = [item.stripped for item in nonblank[max(0, position - 15) : position + nomor_at]]
    _issuer_and_region(block, kind[1], _issuer_line(lines, end), letterhead)
    block.amends = amended_regulation(block.title)
    return block


def _issuer_line(lines: list[Line], after: int) -> str | None:
    """The ``BUPATI SRAGEN,`` line that follows the title (past ``DENGAN RAHMAT ...``)."""
    for line in [item for item in lines[after : after + 8] if not item.blank][:3]:
        text = line.stripped
        if "RAHMAT" in text.upper():
            continue
        if text.endswith(",") and text.upper() == text and len(text) < 80:
            return text.rstrip(",").strip()
        return None
    return None


def _issuer_and_region(
    block: TitleBlock, words: str, issuer_line: str | None, letterhead: list[str]
) -> None:
    """Who enacted the document and for which region, from its kind line and letterhead.

    ``words`` follow the kind on the kind line (``KABUPATEN BANJARNEGARA``, ``BUPATI
    SRAGEN``); ``issuer_line`` is the ``BUPATI SRAGEN,`` line after the title; ``letterhead``
    the lines above the kind line (``BUPATI SRAGEN / PROVINSI JAWA TENGAH``, ``KEPALA DESA
    JABUNG / KECAMATAN PLUPUH KABUPATEN SRAGEN``), the last resort, as it is often noisy.
    """
    words = re.sub(r"\s+", " ", words).strip(" ,")
    kind = block.doc_type
    if kind in ("uu", "pp", "perpres"):
        block.issuer = _NATIONAL_ISSUER
        return
    if kind in _REGION_PREFIX:
        name = re.sub(r"^(PROVINSI|KABUPATEN|KOTA|DESA)\s+", "", words)
        if not name and issuer_line:
            name = issuer_line.split(" ", 1)[-1]
        if name:
            prefix = _REGION_PREFIX[kind]
            block.region = f"{prefix} {smart_case(name)}"
            block.issuer = f"{_ISSUER_FOR_REGION[prefix]} {smart_case(name)}"
        if kind == "perdes":  # a village's regulation belongs to its regency
            regency = _regency(letterhead)
            block.region = regency or block.region
        return
    if kind == "perda":
        match = re.match(r"(PROVINSI|KABUPATEN|KOTA)\s+(.+)", words)
        if match:
            block.region = f"{match.group(1).title()} {smart_case(match.group(2))}"
        elif issuer_line:
            block.region = _region_of_issuer(issuer_line)
        if issuer_line:
            block.issuer = smart_case(issuer_line)
        elif block.region:
            prefix, name = block.region.split(" ", 1)
            block.issuer = f"{_ISSUER_FOR_REGION[prefix]} {name}"
        return
    issuer = words
    if (
        issuer_line
        and len(issuer_line) > len(issuer)
        and (not issuer or issuer_line.split(" ")[0] == issuer.split(" ")[0])
    ):
        issuer = issuer_line
    if not issuer:  # "SURAT EDARAN / NOMOR ...": the letterhead says who
        issuer = next((line for line in letterhead if _issuer_shaped(line + ",")), "")
    if issuer:
        block.issuer = smart_case(issuer)
        block.region = _region_of_issuer(issuer)
        if issuer.upper().startswith("KEPALA DESA "):
            block.region = _regency(letterhead) or block.region


def _regency(letterhead: list[str]) -> str | None:
    """``Kabupaten Sragen`` from a letterhead line such as ``KECAMATAN PLUPUH KABUPATEN SRAGEN``."""
    for line in letterhead:
        match = re.search(r"\b(KABUPATEN|KOTA)\s+([A-Z][A-Z ]+?)\s*$", line.strip())
        if match:
            return f"{match.group(1).title()} {smart_case(match.group(2))}"
    return None


def _region_of_issuer(issuer: str) -> str | None:
    upper = issuer.upper()
    for word, prefix in _REGION_FOR_ISSUER.items():
        if upper.startswith(word + " "):
            return f"{prefix} {smart_case(upper[len(word) + 1 :])}"
    if upper.startswith("KEPALA DESA "):
        return f"Desa {smart_case(upper[len('KEPALA DESA ') :])}"
    return None


def amended_regulation(title: str | None) -> str | None:
    """``Perubahan atas Peraturan Gubernur Nomor 29 Tahun 2019 tentang ...`` -> the regulation."""
    if not title:
        return None
    match = re.match(
        r"^Perubahan\s+(?:\w+\s+)?atas\s+(.+?\bNomor\s+\S+(?:\s+Tahun\s+\d{4})?)", title, re.I
    )
    return match.group(1).strip(" ,") if match else None


def is_amending(title: str | None) -> bool:
    return bool(title and re.match(r"^\s*Perubahan\b", title, re.I))


# --- citation --------------------------------------------------------------------------------


def citation_prefix(document: Document) -> str:
    """``Perbup Sragen 12/2019``, ``UU 17/2003``, ``Kepbup Sragen 400.9/123/2023``."""
    if document.doc_type not in _SHORT_TYPE:
        return document.title or document.source.rstrip("/").rsplit("/", 1)[-1]
    name = _cited_name(document)
    if document.number:
        if "/" in document.number or document.year is None:
            return f"{name} {document.number}"
        return f"{name} {document.number}/{document.year}"
    return f"{name} {document.year}" if document.year else name


def _cited_name(document: Document) -> str:
    """The short name of a kind and its maker: ``Perbup Sragen``, ``Inbup Sragen``, ``UU``."""
    kind, issuer, region = document.doc_type, document.issuer or "", document.region
    short = _SHORT_TYPE[kind]
    if kind == "perdes":
        village = issuer.removeprefix("Kepala Desa ") if issuer else ""
        return f"{short} {village or (region or '').split(' ', 1)[-1]}".strip()
    if kind in ("perda", "pergub", "perbup", "perwali") and region:
        prefix, place = region.split(" ", 1)
        return f"{short} {place if prefix == 'Kabupaten' or kind != 'perda' else region}"
    if kind == "permen" and issuer:
        ministry = re.sub(r"^Menteri\s+|\s+Republik\s+Indonesia$", "", issuer, flags=re.I)
        return _MINISTRY_SHORT.get(ministry.upper(), f"Permen {ministry}")
    if kind in ("keputusan", "instruksi") and issuer:
        for head, maker in _MAKER_SHORT.items():
            if issuer.startswith(head):
                stem = "Kep" if kind == "keputusan" else "In"
                return f"{stem}{maker} {issuer.removeprefix(head).strip()}".strip()
    if kind in ("keputusan", "instruksi", "surat_edaran") and issuer:
        return f"{short} {issuer}"
    return short


# --- hints -----------------------------------------------------------------------------------

_HINT_KEYS = {
    "doc_type": ("doc_type", "jenis", "singkatanJenis"),
    "number": ("number", "nomor", "noPeraturan"),
    "year": ("year", "tahun", "tahun_pengundangan"),
    "title": ("title", "judul"),
    "enacted_on": ("enacted_on", "tanggal_penetapan"),
    "published_at": ("published_at", "tanggal_pengundangan"),
    "issuer": ("issuer",),
    "region": ("region",),
    "amends": ("amends",),
}


def hint_doc_type(value: str) -> str | None:
    text = " ".join(str(value).lower().replace("_", " ").split())
    if text.replace(" ", "_") in DOC_TYPES:
        return text.replace(" ", "_")
    if text in _HINT_TYPES:
        return _HINT_TYPES[text]
    kind = doc_kind(text)
    if kind and kind[0] != "other":
        return kind[0]
    for words, doc_type in _HINT_TYPES.items():
        if text.startswith(words + " "):
            return doc_type
    return None


def _hint_value(field: str, value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field == "doc_type":
        return hint_doc_type(str(value))
    if field == "year":
        return ocr_int(str(value).strip()[:4]) if str(value).strip()[:4].isdigit() else None
    if field in ("enacted_on", "published_at"):
        return parse_date(value)
    return " ".join(str(value).split())


def _same(field: str, ours: object, theirs: object) -> bool:
    if field in ("title", "issuer", "region", "amends", "number"):

        def norm(value: object) -> str:
            return re.sub(r"[\W_]+", " ", str(value).casefold()).strip()

        ours, theirs = norm(ours), norm(theirs)
        if field == "region":  # "Kabupaten Sragen" in the text, "Sragen" in a portal's record
            return ours == theirs or ours.endswith(" " + theirs) or theirs.endswith(" " + ours)
        return ours == theirs
    return ours == theirs


def merge_hints(document: Document, hints: dict) -> list[str]:
    """Fill ``document``'s empty fields from source hints; warn where the two disagree."""
    warnings = []
    for field, keys in _HINT_KEYS.items():
        raw = next((hints[key] for key in keys if hints.get(key) not in (None, "")), None)
        theirs = _hint_value(field, raw)
        if theirs is None:
            continue
        ours = getattr(document, field)
        if ours is None or (field == "doc_type" and ours == "other"):
            setattr(document, field, theirs)
        elif not _same(field, ours, theirs):
            warnings.append(
                f"metadata: {field} read from the text ({ours!r}) differs from the source's "
                f"({theirs!r}); the text's is kept"
            )
    return warnings
