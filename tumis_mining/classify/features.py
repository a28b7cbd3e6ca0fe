"""Text features for the passage classifier: normalisation, Indonesian stemming, TF-IDF.

``PassageVectorizer`` is a scikit-learn transformer giving, for each passage, word n-gram TF-IDF
(optionally over PySastrawi stems) side by side with character n-gram TF-IDF taken inside word
boundaries. It computes what two ``TfidfVectorizer`` objects in a ``FeatureUnion`` would, but
looks up each distinct word's character n-grams once and keeps them in a bounded cache, which
makes it several times faster on real text (most words repeat). Its learned state is plain
lists and arrays, so a model can be saved without pickle (see ``model.py``).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize

TOKEN_RE = re.compile(r"\w+")
DIGITS_RE = re.compile(r"\d+")
# Past this many entries a cache is emptied and refilled: constant memory on any input size.
CACHE_LIMIT = 200_000
# transform() grows a cache of the words it has met; threads sharing one model take turns.
_TRANSFORM_LOCK = threading.Lock()


def normalise(text: str) -> str:
    """Unicode NFKC, case folded, every run of digits written ``0``.

    Numbers (years, counts, article numbers) vary without changing what a passage is about.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return DIGITS_RE.sub("0", text.casefold())


def tokens(text: str) -> list[str]:
    """The word tokens of a normalised passage."""
    return TOKEN_RE.findall(normalise(text))


@functools.lru_cache(maxsize=1)
def _sastrawi():
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary  # noqa: PLC0415
    from Sastrawi.Stemmer.Stemmer import Stemmer  # noqa: PLC0415
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@functools.lru_cache(maxsize=CACHE_LIMIT)
def stem_word(word: str) -> str:
    """PySastrawi's stem of one normalised word, cached (bounded) for the whole process.

    The stemmer is made on first use (reading its dictionary takes ~10 ms). Words with digits or
    underscores are kept as they are (Sastrawi would drop those characters).
    """
    if not word.isalpha():
        return word
    return _sastrawi().stem_word(word) or word


class StemCache:
    """Word -> stem: ``known`` stems first (a model's training vocabulary), then ``stem_word``."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self._known = dict(known or {})

    def __call__(self, word: str) -> str:
        stem = self._known.get(word)
        return stem if stem is not None else stem_word(word)


def char_ngrams(word: str, low: int, high: int) -> list[str]:
    """Character n-grams of one word padded with a space each side (sklearn's ``char_wb``)."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        if n > len(padded):
            break
        grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


def word_ngrams(words: Sequence[str], low: int, high: int) -> list[str]:
    grams = []
    for n in range(low, high + 1):
        if n == 1:
            grams.extend(words)
        else:
            grams.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return grams


class PassageVectorizer(TransformerMixin, BaseEstimator):
    """Word and character n-gram TF-IDF of passages, as one sparse matrix.

    Parameters follow ``TfidfVectorizer``: sublinear term frequency, smoothed idf, each block
    (words, characters) L2-normalised, blocks side by side; ``char_weight`` scales the
    character block. With ``stem=True`` word n-grams are built from PySastrawi stems; character
    n-grams always come from the words as written, so they keep what stemming drops.
    """

    def __init__(self, word_ngrams=(1, 2), char_ngrams=(2, 5), stem=False, min_df=2,
                 max_df=1.0, char_weight=1.0):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.stem = stem
        self.min_df = min_df
        self.max_df = max_df
        self.char_weight = char_weight

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, X: Iterable[str], y=None) -> PassageVectorizer:
        docs = [tokens(text) for text in X]
        n_docs = len(docs)
        stems: dict[str, str] = {}
        if self.stem:
            stemmer = StemCache()
            stems = {w: stemmer(w) for w in sorted({w for doc in docs for w in doc})}
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        char_of: dict[str, list[str]] = {}
        for doc in docs:
            words = [stems[w] for w in doc] if self.stem else doc
            word_df.update(set(word_ngrams(words, *self.word_ngrams)))
            grams: set[str] = set()
            for word in set(doc):
                if word not in char_of:
                    char_of[word] = char_ngrams(word, *self.char_ngrams)
                grams.update(char_of[word])
            char_df.update(grams)
        self.word_vocabulary_, self.word_idf_ = self._prune(word_df, n_docs)
        self.char_vocabulary_, self.char_idf_ = self._prune(char_df, n_docs)
        self.stems_ = stems
        self.n_features_out_ = len(self.word_vocabulary_) + len(self.char_vocabulary_)
        self._reset_caches()
        return self

    def _prune(self, df: Counter, n_docs: int) -> tuple[list[str], np.ndarray]:
        limit = self.max_df * n_docs if isinstance(self.max_df, float) else self.max_df
        terms = sorted(t for t, n in df.items() if self.min_df <= n <= limit)
        counts = np.array([df[t] for t in terms], dtype=np.float64)
        idf = np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0
        return terms, idf

    # -- transforming -------------------------------------------------------------------------

    def _reset_caches(self) -> None:
        """Lookup tables derived from the learned state (rebuilt after loading, never saved)."""
        self._word_index = {t: i for i, t in enumerate(self.word_vocabulary_)}
        self._char_index = {t: i for i, t in enumerate(self.char_vocabulary_)}
        self._stemmer = StemCache(self.stems_) if self.stem else None
        # Every word of the training vocabulary gets a row: its unigram feature and its
        # character n-gram counts, so that a batch is a (passages x words) count matrix times
        # these (words x features) matrices.
        known = sorted(self.stems_) if self.stem else sorted(
            {g for g in self.word_vocabulary_ if " " not in g})
        self._known = {w: i for i, w in enumerate(known)}
        self._known_unigrams = self._unigram_matrix(known)
        self._known_chars = self._char_matrix(known)

    def _learn_words(self, words: list[str]) -> None:
        """Add rows for words met for the first time (``transform`` starts again past
        CACHE_LIMIT words, so memory stays bounded on any input)."""
        for word in words:
            self._known[word] = len(self._known)
        self._known_unigrams = sp.vstack([self._known_unigrams, self._unigram_matrix(words)],
                                         format="csr")
        self._known_chars = sp.vstack([self._known_chars, self._char_matrix(words)], format="csr")

    def _term(self, word: str) -> str:
        return self._stemmer(word) if self._stemmer is not None else word

    def _unigram_matrix(self, words: list[str]) -> sp.csr_matrix:
        index = self._word_index
        rows, cols = [], []
        if self.word_ngrams[0] <= 1:
            for row, word in enumerate(words):
                j = index.get(self._term(word))
                if j is not None:
                    rows.append(row)
                    cols.append(j)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                             shape=(len(words), len(self.word_vocabulary_)))

    def _char_matrix(self, words: list[str]) -> sp.csr_matrix:
        index = self._char_index
        low, high = self.char_ngrams
        indices: list[int] = []
        indptr = [0]
        for word in words:
            indices.extend(index[g] for g in char_ngrams(word, low, high) if g in index)
            indptr.append(len(indices))
        matrix = sp.csr_matrix((np.ones(len(indices)), indices, indptr),
                               shape=(len(words), len(self.char_vocabulary_)))
        matrix.sum_duplicates()
        return matrix

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        with _TRANSFORM_LOCK:
            return self._transform(X)

    def _transform(self, X: Iterable[str]) -> sp.csr_matrix:
        if not hasattr(self, "_known") or len(self._known) > CACHE_LIMIT:
            self._reset_caches()
        known = self._known
        n_known = len(known)
        new: dict[str, int] = {}  # words not met before
        word_index = self._word_index
        low, high = self.word_ngrams
        ids: list[int] = []
        indptr = [0]
        gram_ids: list[int] = []
        gram_indptr = [0]
        for text in X:
            doc = tokens(text)
            doc_ids = [known.get(w, -1) for w in doc]
            if -1 in doc_ids:
                doc_ids = [i if i >= 0 else new.setdefault(w, n_known + len(new))
                           for w, i in zip(doc, doc_ids)]
            ids.extend(doc_ids)
            indptr.append(len(ids))
            if high >= 2:
                terms = [self._term(w) for w in doc] if self._stemmer is not None else doc
                for gram in word_ngrams(terms, max(low, 2), high):
                    j = word_index.get(gram)
                    if j is not None:
                        gram_ids.append(j)
            gram_indptr.append(len(gram_ids))
        if new:
            self._learn_words(list(new))
        n_docs = len(indptr) - 1
        counts = sp.csr_matrix((np.ones(len(ids)), np.asarray(ids, dtype=np.int64), indptr),
                               shape=(n_docs, len(known)))
        grams = sp.csr_matrix((np.ones(len(gram_ids)), np.asarray(gram_ids, dtype=np.int64),
                               gram_indptr), shape=(n_docs, len(self.word_vocabulary_)))
        words_block = _tfidf(counts @ self._known_unigrams + grams, self.word_idf_)
        chars_block = _tfidf(counts @ self._known_chars, self.char_idf_)
        if self.char_weight != 1.0:
            chars_block.data *= self.char_weight
        return sp.hstack([words_block, chars_block], format="csr")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([f"w:{t}" for t in self.word_vocabulary_]
                        + [f"c:{t}" for t in self.char_vocabulary_], dtype=object)

    # -- state without caches (for copying and saving) ----------------------------------------

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for key in ("_word_index", "_char_index", "_stemmer", "_known", "_known_unigrams",
                    "_known_chars"):
            state.pop(key, None)
        return state

    def learned_state(self) -> dict:
        """What ``fit`` learned, as JSON-ready lists plus float arrays."""
        return {"word_vocabulary": self.word_vocabulary_, "char_vocabulary": self.char_vocabulary_,
                "stems": self.stems_, "word_idf": self.word_idf_, "char_idf": self.char_idf_}

    @classmethod
    def from_state(cls, params: dict, state: dict) -> PassageVectorizer:
        vectorizer = cls(**params)
        vectorizer.word_vocabulary_ = list(state["word_vocabulary"])
        vectorizer.char_vocabulary_ = list(state["char_vocabulary"])
        vectorizer.stems_ = dict(state["stems"])
        vectorizer.word_idf_ = np.asarray(state["word_idf"], dtype=np.float64)
        vectorizer.char_idf_ = np.asarray(state["char_idf"], dtype=np.float64)
        vectorizer.n_features_out_ = len(vectorizer.word_vocabulary_) + len(vectorizer.char_vocabulary_)
        vectorizer._reset_caches()
        return vectorizer


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Term counts -> sublinear tf x idf -> unit rows."""
    matrix = counts.tocsr()  # products and sums of count matrices: no duplicate entries
    if matrix.nnz:
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix.data *= idf[matrix.indices]
        normalize(matrix, copy=False)
    return matrix
