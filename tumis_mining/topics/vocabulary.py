"""Topic words: which words and phrases may describe a topic, and how phrases are folded together.

Stop words are spaCy's Indonesian list (``spacy.lang.id.stop_words``) and its English one (the
corpus has English reports and abstracts), less a few words that carry meaning in this field
(``KEEP``: "usaha kecil", "masalah", "keluarga tidak mampu"), plus the legal boilerplate below.

Legal boilerplate (``BOILERPLATE``) is what marks the *form* of an Indonesian regulation rather
than what it is about: its structure (pasal, ayat, huruf, angka, bab, bagian, diktum, kesatu ...),
its cross-references (sebagaimana dimaksud, tercantum, berdasarkan, sesuai ketentuan, peraturan
perundang-undangan, nomor), its enactment and publication (menimbang, memutuskan, menetapkan,
ditetapkan, diundangkan, mulai berlaku, lembaran/berita daerah/negara, tambahan, salinan sesuai
dengan aslinya, ttd., dates and month names), the standing names every article repeats
(republik, indonesia, daerah, kabupaten, "dengan rahmat Tuhan Yang Maha Esa") and the wording of
amendments (berbunyi, diubah, dicabut, disisipkan). Every regulation has them whatever its
subject, so they would top any topic that holds regulations. Beside them: bits of web addresses
in news (www, id) and two verbs as empty as any stop word that spaCy's list lacks (memiliki,
terkait). Words that name actors, bodies and programmes stay (bupati, dinas, desa, baznas, tim
koordinasi): who convenes whom is what analysts look for, and c-TF-IDF already lowers words that
every topic shares. "daerah" and "kabupaten" are boilerplate on balance: "Peraturan Daerah",
"Lembaran Daerah" and "Daerah adalah Kabupaten Sragen" are in every regulation, and the bodies
they name ("Perangkat Daerah") are as generic.

Phrases (``phrase_analyzer``): n-grams of up to four words ("rumah tidak layak huni" has four),
read within a clause (never across a comma or full stop), over words of letters (numbers are
dropped: article numbers, dates and amounts describe no topic), holding no stop word but a
negation inside (``INNER``): "rumah tidak layak huni" and "keluarga kurang mampu" are phrases,
"tidak layak", "rumah tidak" and "huni di kecamatan" are not. "kerja sama" and "tanggung jawab"
are read as one word ("sama" and "jawab" are stop words). ``PhraseVectorizer`` is scikit-learn's
``CountVectorizer`` with this analyzer (its parameters are CountVectorizer's, so BERTopic saves
them as it saves any CountVectorizer). ``PhraseRepresentation`` folds a topic's top words: a
phrase inside a better-ranked longer one is dropped, and a longer phrase takes the place of the
shorter ones it contains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from sklearn.feature_extraction.text import CountVectorizer

from ..lang import spacy_stop_words

# Words of spaCy's Indonesian stop-word list that carry meaning here: "usaha kecil", "masalah"
# (the problem at the outset), "pendidikan tinggi", "keluarga tidak mampu" (poor households).
KEEP = frozenset({"kecil", "masalah", "tinggi", "mampu"})

# Stop words that may stand inside a phrase: "rumah tidak layak huni", "keluarga kurang mampu".
INNER = frozenset({"tidak", "belum", "kurang"})

# Compounds whose second word is a stop word: read as one word ("kerja sama", not "kerja").
COMPOUNDS = frozenset({("kerja", "sama"), ("bekerja", "sama"), ("tanggung", "jawab")})

BOILERPLATE = frozenset(
    """
    pasal ayat huruf angka bab bagian paragraf butir diktum lampiran penjelasan salinan halaman
    kesatu kedua ketiga keempat kelima keenam ketujuh kedelapan kesembilan kesepuluh
    sebagaimana dimaksud dimaksudkan tercantum berdasarkan sesuai ketentuan peraturan perundang
    undangan perundangan perundang-undangan nomor tentang tersebut
    menimbang mengingat memperhatikan memutuskan menetapkan ditetapkan diundangkan pengundangan
    berlaku mulai lembaran berita tambahan mengetahuinya memerintahkan penempatannya ditandatangani
    ttd aslinya republik indonesia negara daerah kabupaten rahmat tuhan maha esa
    berbunyi diubah dicabut disisipkan dihapus
    www http https com html id wib memiliki terkait
    tanggal januari februari maret april mei juni juli agustus september oktober november desember
    article paragraph regulation regulations shall hereinafter referred pursuant whereas letter
    """.split()
)

# Letters only, two or more, hyphenated compounds kept whole ("ibu-ibu", "perundang-undangan").
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]{2,})*\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# A phrase never spans these.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”‘’/|•·]+|\s[-–—]\s")


@lru_cache(maxsize=1)
def _base_stop_words() -> frozenset[str]:
    return (spacy_stop_words("id") | spacy_stop_words("en")) - KEEP


def stop_words(extra: Iterable[str] = ()) -> frozenset[str]:
    """Every word that may not start or end a topic phrase."""
    return _base_stop_words() | BOILERPLATE | {w.lower() for w in extra}


def content_words(extra: Iterable[str] = ()) -> Callable[[str], list[str]]:
    """A tokenizer for embeddings: the words of a text less stop words and boilerplate (so that
    "Pasal 5 Cukup jelas." has none, and stays out of every topic)."""
    stop = stop_words(extra)

    def tokenize(text: str) -> list[str]:
        return [w for w in _TOKEN.findall(text.lower()) if w not in stop]

    return tokenize


def _join_compounds(tokens: list[str]) -> list[str]:
    joined: list[str] = []
    for token in tokens:
        if joined and (joined[-1], token) in COMPOUNDS:
            joined[-1] = f"{joined[-1]} {token}"
        else:
            joined.append(token)
    return joined


def phrase_analyzer(stop: frozenset[str],
                    ngram_range: tuple[int, int]) -> Callable[[str], list[str]]:
    """Text -> its n-grams of words that are not stop words, but for ``INNER`` words inside."""
    low, high = ngram_range
    inner = INNER & stop

    def analyze(text: str) -> list[str]:
        grams: list[str] = []
        for clause in _CLAUSE.split(text.lower()):
            tokens = _join_compounds(_TOKEN.findall(clause))
            n = len(tokens)
            for i, first in enumerate(tokens):
                if first in stop:
                    continue
                for end in range(i + 1, min(i + high, n) + 1):
                    last = tokens[end - 1]
                    if last in stop:
                        if last in inner:
                            continue  # may go on: "rumah tidak" + "layak huni"
                        break
                    if end - i >= low:
                        grams.append(first if end - i == 1 else " ".join(tokens[i:end]))
        return grams

    return analyze


class PhraseVectorizer(CountVectorizer):
    """``CountVectorizer`` whose analyzer is :func:`phrase_analyzer` over ``stop_words``."""

    def build_analyzer(self):
        return phrase_analyzer(frozenset(self.stop_words or ()), tuple(self.ngram_range))


def build_vocabulary(texts: Sequence[str], stop: frozenset[str], ngram_range: tuple[int, int],
                     min_df: int, max_df: float):
    """The phrases found in at least ``min_df`` and at most ``max_df`` of the passages.

    Document frequency is counted over passages (BERTopic fits its vectorizer on one joined
    document per topic, where ``min_df`` would count topics). Returns the vocabulary (phrase ->
    column, sorted) and the binary passage x phrase matrix (kept for NPMI coherence).
    """
    counter = CountVectorizer(analyzer=phrase_analyzer(stop, ngram_range), binary=True,
                              min_df=min_df, max_df=max_df if len(texts) > 1 else 1.0,
                              dtype="int8")
    try:
        matrix = counter.fit_transform(texts)
    except ValueError:  # "empty vocabulary" or "max_df corresponds to < documents than min_df"
        return {}, None
    vocabulary = {word: int(index) for word, index in counter.vocabulary_.items()}
    return vocabulary, matrix.tocsc()


def make_vectorizer(stop: frozenset[str], ngram_range: tuple[int, int],
                    vocabulary: dict[str, int] | None) -> PhraseVectorizer:
    return PhraseVectorizer(stop_words=sorted(stop), ngram_range=tuple(ngram_range),
                            token_pattern=TOKEN_PATTERN, vocabulary=vocabulary)


def fold_phrases(words: Sequence[tuple[str, float]], top_n: int,
                 absorb: float = 0.5) -> list[tuple[str, float]]:
    """The ``top_n`` best words, sub-phrases folded into the phrases that contain them.

    A word inside a better-ranked phrase is dropped; a phrase that contains better-ranked words
    takes the place of the first of them when it scores at least ``absorb`` times as much
    (so "rumah" becomes "rumah tidak layak huni", but not a rare "rumah sakit umum").
    """
    kept: list[tuple[str, float]] = []
    for word, score in words:
        if not word or score <= 0:
            continue
        padded = f" {word} "
        if any(padded in f" {other} " for other, _ in kept):
            continue
        inside = [i for i, (other, _) in enumerate(kept) if f" {other} " in padded]
        if not inside:
            kept.append((word, score))
        elif score >= absorb * max(kept[i][1] for i in inside):
            kept[inside[0]] = (word, kept[inside[0]][1])
            for i in reversed(inside[1:]):
                del kept[i]
    return kept[:top_n]


class PhraseRepresentation:
    """BERTopic representation tuner (used in a list, so it needs no BERTopic base class)."""

    def __init__(self, top_n_words: int = 10) -> None:
        self.top_n_words = top_n_words

    def extract_topics(self, topic_model, documents, c_tf_idf, topics):
        return {topic: fold_phrases(words, self.top_n_words) or [("", 0.0)]
                for topic, words in topics.items()}


def topic_label(words: Sequence[str], topic: int, size: int = 3) -> str:
    """A readable label from a topic's top words: ``"rumah tidak layak huni, gotong royong"``."""
    if topic == -1:
        return "outliers"
    chosen = [w for w in words if w][:size]
    return ", ".join(chosen) if chosen else f"topic {topic}"
