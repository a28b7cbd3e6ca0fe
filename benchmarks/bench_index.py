"""Corpus index speed: query latency, stats, indexing rate, size and memory on 1,000,000 passages.

The corpus is generated: Indonesian passages drawn from a vocabulary of policy words and roots of
PySastrawi's dictionary with their affixed forms (``ber-``, ``meN-``, ``di-…-kan``, ``peN-…-an``,
``ke-…-an``), Zipf-distributed, in documents of every type, year and region, with model labels.
It is written through the real store (stemming with its cache, FTS5 triggers, one transaction per
document) and kept in ``benchmarks/out/corpus-1m.db`` for the next run.

Figures:
- query latency over a fixed set of 100 queries (50 with rare terms, 50 with common ones; half of
  each with variable / type / year filters): p50 < 20 ms, p95 < 100 ms, common terms apart;
- ``stats`` < 1 s;
- indexing rate (no classification; stemming included) >= 10,000 passages/s, in a fresh process
  on a fresh database of 100,000 passages, with the stem cache filled beforehand (steady state);
  the same with an empty cache is reported beside it (each new word costs PySastrawi ~0.1-0.3 ms);
- database size per passage; peak memory of the process that runs the queries and stats < 1 GB.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from run import figure

from tumis_mining.index import Corpus, Store
from tumis_mining.index.fts import parse_query
from tumis_mining.index.schema import LABELS
from tumis_mining.index.store import BatchWriter
from tumis_mining.records import Document, PageInfo, ParsedDocument, Passage, stable_id

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DB = OUT / "corpus-1m.db"
PASSAGES = 1_000_000
RATE_PASSAGES = 100_000
SEED = 20240601

# Words of Indonesian policy texts, most frequent first (function words, then the domain).
COMMON = """yang dan di dalam untuk dengan pada dari ini atau oleh sebagaimana dimaksud ayat pasal
adalah tersebut sebagai kepada serta bahwa akan dapat telah huruf angka tentang nomor tahun
desa daerah kabupaten pemerintah bupati program masyarakat kemiskinan sosial bantuan pelaksanaan
penanggulangan pembangunan kegiatan rumah warga tim koordinasi dinas kepala data keluarga miskin
peraturan perangkat camat kecamatan anggaran dana usaha perusahaan lembaga pemberdayaan kesehatan
pendidikan layanan bidang tugas wewenang tanggung jawab laporan pelaporan pengawasan evaluasi
perencanaan musyawarah kerja sama gotong royong zakat infak sedekah baznas verifikasi validasi
penerima sasaran tangga layak huni jamban sanitasi air bersih listrik modal pelatihan keterampilan
pendamping pendampingan relawan tokoh agama forum rapat sekretariat ketua anggota wakil sekretaris
""".split()

TITLES = ["Penanggulangan Kemiskinan", "Program Desa Tuntas Kemiskinan", "Pemberdayaan Masyarakat",
          "Perbaikan Rumah Tidak Layak Huni", "Tim Koordinasi", "Pengelolaan Zakat",
          "Tanggung Jawab Sosial Perusahaan", "Pendataan Keluarga Miskin", "Bantuan Sosial",
          "Pembangunan Desa", "Pelayanan Kesehatan", "Sanitasi dan Air Bersih"]
REGIONS = ["Kabupaten Sragen", "Kabupaten Karanganyar", "Kabupaten Boyolali", "Kota Surakarta",
           "Kabupaten Klaten", "Kabupaten Wonogiri", "Kabupaten Sukoharjo", "Provinsi Jawa Tengah",
           "Kabupaten Banjarnegara", "Provinsi Bali", "Kabupaten Grobogan", "Kabupaten Blora"]
TYPES = ["perbup", "perda", "keputusan", "news", "pergub", "perdes", "instruksi", "surat_edaran",
         "laporan", "pp", "permen", "uu"]
TYPE_WEIGHTS = [20, 12, 15, 25, 6, 6, 4, 4, 3, 2, 2, 1]


def _affixed(root: str) -> list[str]:
    """A root with the usual derivations (meN- and peN- with their sound changes)."""
    first = root[0]
    if first in "bfpv":
        nasal, rest = "m", root[1:] if first == "p" else root
    elif first in "dcjtz":
        nasal, rest = "n", root[1:] if first == "t" else root
    elif first in "s":
        nasal, rest = "ny", root[1:]
    elif first in "gkh" or first in "aiueo":
        nasal, rest = "ng", root[1:] if first == "k" else root
    else:
        nasal, rest = "", root
    return [root, f"ber{root}", f"me{nasal}{rest}", f"di{root}kan", f"pe{nasal}{rest}an",
            f"ke{root}an", f"{root}nya"]


def vocabulary(rng: random.Random) -> tuple[list[str], np.ndarray]:
    """Words and their Zipf probabilities: policy words first, then dictionary roots' forms."""
    import Sastrawi  # noqa: PLC0415

    dictionary = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    roots = [w for w in dictionary.read_text().split() if w.isalpha() and 4 <= len(w) <= 9]
    rng.shuffle(roots)
    words = list(COMMON)
    for root in COMMON[40:]:
        words.extend(_affixed(root)[1:4])
    for root in roots[:6000]:
        words.extend(_affixed(root)[: rng.randint(1, 5)])
    seen, unique = set(), []
    for word in words:
        if word not in seen:
            seen.add(word)
            unique.append(word)
    ranks = np.arange(1, len(unique) + 1)
    weights = 1.0 / ranks ** 1.05
    return unique, weights / weights.sum()


def documents(total: int, seed: int = SEED):
    """Generated ``(ParsedDocument, predictions)`` pairs, ``total`` passages in all."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    words, probs = vocabulary(rng)
    vocab = np.array(words, dtype=object)
    made, n = 0, 0
    while made < total:
        n += 1
        doc_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        year = rng.randint(2005, 2024)
        region = rng.choice(REGIONS)
        count = min(total - made, rng.randint(10, 90))
        doc_id = stable_id(f"bench://{n}")
        document = Document(id=doc_id, source=f"bench://{n}", source_name="bench", url=None,
                            sha256=stable_id("content", n, length=64), doc_type=doc_type,
                            number=str(rng.randint(1, 60)), year=year, region=region,
                            title=f"{rng.choice(TITLES)} di {region}", pages=max(1, count // 6))
        lengths = nprng.integers(12, 110, size=count)
        tokens = vocab[nprng.choice(len(vocab), size=int(lengths.sum()), p=probs)]
        passages, offset, start = [], 0, 0
        for seq, length in enumerate(lengths):
            body = " ".join(tokens[offset:offset + length])
            offset += length
            pasal = str(seq + 1) if doc_type != "news" else None
            text = (f"Pasal {pasal} " if pasal else "") + body[0].upper() + body[1:] + "."
            passages.append(Passage(
                id=stable_id(doc_id, "body", seq), document_id=doc_id, seq=seq,
                section="paragraph" if doc_type == "news" else "body", text=text,
                char_start=start, char_end=start + len(text), pasal=pasal, page=1 + seq // 6,
                lang="id", citation=f"{doc_type} {region} {year}, Pasal {pasal}" if pasal else None))
            start += len(text) + 2
        pages = [PageInfo(doc_id, p, "pypdfium2", 2000, False) for p in range(1, document.pages + 1)]
        labels = rng.choices(LABELS, [15, 12, 35, 18, 20], k=count)
        predictions = [_Prediction(label, round(rng.uniform(0.35, 0.99), 3)) for label in labels]
        made += count
        yield ParsedDocument(document, passages, pages), predictions


class _Prediction:
    __slots__ = ("label", "confidence", "scores")

    def __init__(self, label: str, confidence: float) -> None:
        self.label = label
        self.confidence = confidence
        rest = (1 - confidence) / (len(LABELS) - 1)
        self.scores = {x: confidence if x == label else rest for x in LABELS}


def build(path: Path, total: int) -> dict:
    """Write a generated corpus of ``total`` passages; seconds spent writing (not generating)."""
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    written, seconds, cpu = 0, 0.0, 0.0
    with Store.open(path) as store:
        writer = BatchWriter(store, "bench-model-1")
        for parsed, predictions in documents(total):
            started, cpu_started = time.perf_counter(), time.process_time()
            writer.add(parsed, predictions)
            seconds += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            written += len(parsed.passages)
        started, cpu_started = time.perf_counter(), time.process_time()
        writer.flush()
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"passages": written, "seconds": seconds, "cpu_seconds": cpu}


_RATE = """
import json, random, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from bench_index import build, vocabulary
from tumis_mining.index.fts import stem_word
if sys.argv[4] == "warm":
    for word in vocabulary(random.Random(int(sys.argv[5])))[0]:
        stem_word(word)
print(json.dumps(build(Path(sys.argv[2]), int(sys.argv[3]))))
"""


def _rate(cache: str) -> dict:
    """Indexing rate in a fresh process on a fresh database; ``cache`` cold or warm."""
    path = OUT / "corpus-rate.db"
    out = subprocess.run([sys.executable, "-c", _RATE, str(HERE), str(path), str(RATE_PASSAGES),
                          cache, str(SEED)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return result


_QUERIES = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from bench_index import DB, queries, latencies
from tumis_mining.index import Corpus
with Corpus(DB) as corpus:
    chosen = queries(corpus)
    times = latencies(corpus, chosen)
    started = time.perf_counter()
    corpus.stats()
    stats = time.perf_counter() - started
    total = corpus.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
print(json.dumps({"times": times, "stats": stats, "passages": total,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _df(corpus: Corpus, word: str) -> int:
    """How many passages a one-word search matches."""
    expression = parse_query(word).expression
    return corpus.conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?",
                               (expression,)).fetchone()[0]


def queries(corpus: Corpus) -> list[tuple[str, str, dict]]:
    """100 fixed queries: (kind, text, filters).

    Common terms match at least 5% of the passages, rare ones between 20 and 2,000 passages;
    one common query in five has two common words, and half of each kind carry variable /
    type / year filters. (A rare word searched with a common one costs what the common word
    costs: BM25 reads the whole list of passages of every word it weighs.)
    """
    rng = random.Random(SEED + 1)
    words, _ = vocabulary(random.Random(SEED))
    function_words = set(COMMON[:COMMON.index("desa")])
    content = [w for w in words if len(w) >= 4 and w not in function_words]
    total = corpus.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    common = [w for w in content[:300] if _df(corpus, w) >= total * 0.05][:50]
    tail = content[2000:]
    rng.shuffle(tail)
    rare = []
    for word in tail:
        if 20 <= _df(corpus, word) <= 2_000:
            rare.append(word)
            if len(rare) == 50:
                break
    filters = [{}, {"variable": "institutional_design"}, {"doc_type": "perbup"},
               {"year": (2015, 2020)},
               {"variable": "collaborative_process", "doc_type": "news", "year": (2019, 2024)}]
    chosen = []
    for kind, pool in (("common", common), ("rare", rare)):
        for i, word in enumerate(pool):
            pair = kind == "common" and i % 5 == 4
            text = f"{word} {common[(i * 7 + 3) % len(common)]}" if pair else word
            chosen.append((kind, text, filters[0] if i % 2 == 0 else filters[1 + (i // 2) % 4]))
    return chosen


def latencies(corpus: Corpus, chosen) -> dict[str, list[float]]:
    for _, text, filters in chosen[:10]:  # warm the page cache
        corpus.search_rows(text, limit=50, **filters)
    times: dict[str, list[float]] = {"all": [], "common": [], "rare": [], "filtered": [], "cpu": []}
    for kind, text, filters in chosen:
        started, cpu = time.perf_counter(), time.process_time()
        corpus.search_rows(text, limit=50, **filters)
        ms = (time.perf_counter() - started) * 1000
        times["cpu"].append((time.process_time() - cpu) * 1000)  # apart from waiting for a core
        times["all"].append(ms)
        times[kind].append(ms)
        if filters:
            times["filtered"].append(ms)
    return times


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def run() -> list[dict]:
    OUT.mkdir(exist_ok=True)
    figures = []
    if not DB.exists():
        built = build(DB.with_suffix(".tmp"), PASSAGES)
        DB.with_suffix(".tmp").rename(DB)
        figures.append(figure("index.build_1m", built["passages"] / built["seconds"], "passages/s",
                              seconds=round(built["seconds"], 1)))
    warm = _rate("warm")
    figures.append(figure("index.indexing_rate", warm["passages"] / warm["seconds"], "passages/s",
                          ">= 10000", passages=warm["passages"], stem_cache="warm"))
    figures.append(figure("index.indexing_rate_cpu", warm["passages"] / warm["cpu_seconds"],
                          "passages per CPU second", stem_cache="warm"))
    cold = _rate("cold")
    figures.append(figure("index.indexing_rate_cold_stem_cache", cold["passages"] / cold["seconds"],
                          "passages/s", passages=cold["passages"], stem_cache="cold"))
    out = subprocess.run([sys.executable, "-c", _QUERIES, str(HERE)], capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    times = result["times"]
    figures.append(figure("index.db_size_per_passage", DB.stat().st_size / result["passages"], "bytes",
                          passages=result["passages"], db_mb=round(DB.stat().st_size / 2**20)))
    figures.append(figure("index.query_p50", _percentile(times["all"], 50), "ms", "< 20",
                          queries=len(times["all"])))
    figures.append(figure("index.query_p95", _percentile(times["all"], 95), "ms", "< 100"))
    figures.append(figure("index.query_cpu_p50", _percentile(times["cpu"], 50), "ms"))
    figures.append(figure("index.query_cpu_p95", _percentile(times["cpu"], 95), "ms"))
    for kind in ("common", "rare", "filtered"):
        figures.append(figure(f"index.query_{kind}_p50", _percentile(times[kind], 50), "ms",
                              queries=len(times[kind])))
        figures.append(figure(f"index.query_{kind}_p95", _percentile(times[kind], 95), "ms"))
    figures.append(figure("index.stats", result["stats"], "s", "< 1"))
    figures.append(figure("index.peak_memory_queries", result["peak_mb"], "MB", "< 1024"))
    figures.append(figure("index.load_average", os.getloadavg()[0], "runnable processes",
                          cores=os.cpu_count()))
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for record in run():
        print(json.dumps(record, ensure_ascii=False))
