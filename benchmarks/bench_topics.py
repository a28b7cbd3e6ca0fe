"""Topic modelling speed, memory and quality on 50,000 passages (issue: topics with BERTopic).

The passages are made from real ones: the labelled training passages (corpora/labels/train)
and the passages of the bundled sample corpus, cut into sentences and recombined (1 to 3
sentences of the same variable and language, or of the same sample document), each given a year
2018-2024. They are kept in ``benchmarks/out/topics-50k.jsonl``; 10,000 more made the same way
(another seed) are the "new passages" a refresh brings.

Figures, each fit in a fresh process on the default settings (tfidf-svd.v1 + UMAP + HDBSCAN):
- fit on 50,000 passages with embeddings computed < 300 s, and its peak memory < 4,096 MB;
- fit from cached embeddings (the same fit, the vectors read from disk), reported apart;
- assigning new passages (embedding + nearest topic) >= 1,000 passages/s;
- topic diversity >= 0.7 and outliers after reduction <= 20 %, with NPMI coherence and the
  separation of the variables (AMI) beside them;
- the embedding comparison on the labelled passages (``models/topics/README.md``): NPMI,
  diversity, AMI per embedding (and the AMI of the held-out test split, assigned to the topics
  fitted on the training split), and e5's embedding rate. e5 vectors are read from the training
  cache (``~/.cache/tumis``, filled by ``tumis train``) or computed there (some minutes).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from run import figure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DATA = OUT / "topics-50k.jsonl"
NEW = OUT / "topics-new-10k.jsonl"
VECTORS = OUT / "topics-50k-vectors"
PASSAGES = 50_000
NEW_PASSAGES = 10_000
SEED = 20240601
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def _labelled(split: str = "train") -> list[dict]:
    rows = []
    for path in sorted((ROOT / "corpora" / "labels" / split).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def _pools() -> dict[tuple, list[str]]:
    """Sentences by (variable, language) from the labelled passages, and by sample document."""
    from tumis_mining.pipeline import collect_files, parse_file  # noqa: PLC0415
    from tumis_mining.settings import ExtractSettings  # noqa: PLC0415

    pools: dict[tuple, list[str]] = {}
    for row in _labelled():
        for sentence in _SENTENCE.split(row["text"]):
            if len(sentence) >= 30:
                pools.setdefault((row["label"], row["lang"]), []).append(sentence)
    for path in collect_files([ROOT / "corpora" / "sample"]):
        parsed = parse_file(path, ExtractSettings(ocr="off"))
        for passage in parsed.passages:
            for sentence in _SENTENCE.split(passage.text):
                if len(sentence) >= 30:
                    pools.setdefault((None, path.stem), []).append(sentence)
    return {key: sentences for key, sentences in pools.items() if len(sentences) >= 3}


def make_passages(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pools = _pools()
    keys = sorted(pools, key=lambda k: (str(k[0]), k[1]))
    weights = [len(pools[k]) for k in keys]
    rows = []
    for _ in range(n):
        key = rng.choices(keys, weights)[0]
        text = " ".join(rng.choice(pools[key]) for _ in range(rng.choice((1, 2, 2, 3))))
        rows.append({"text": text, "label": key[0], "year": rng.randint(2018, 2024)})
    return rows


def _cached(path: Path, n: int, seed: int) -> Path:
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        rows = make_passages(n, seed)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    return path


_CHILD = """
import json, resource, sys, time
import numpy as np
from pathlib import Path
from tumis_mining.topics import TopicModel, TopicSettings
from tumis_mining.topics.embedders import load_embedder, make_embedder
from tumis_mining.topics.evaluate import evaluate
mode, data, new, vectors_dir = sys.argv[1:5]
rows = [json.loads(line) for line in open(data, encoding="utf-8")]
texts = [r["text"] for r in rows]
out = {}
started = time.perf_counter()
settings = TopicSettings()
if mode == "full":
    model = TopicModel(settings).fit(texts)
    out["fit_seconds"] = time.perf_counter() - started
    unique = list(dict.fromkeys(texts))
    Path(vectors_dir).mkdir(parents=True, exist_ok=True)
    model.embedder_.save(Path(vectors_dir))
    np.save(Path(vectors_dir) / "vectors.npy", model.embedder_.embed(unique))
    metrics = evaluate(model, labels=[r["label"] for r in rows]).as_dict()
    out.update(metrics)
    fresh = [json.loads(line)["text"] for line in open(new, encoding="utf-8")]
    model.transform(fresh[:100])
    began = time.perf_counter()
    assigned = model.transform(fresh)
    out["assign_rate"] = len(fresh) / (time.perf_counter() - began)
    out["assign_outliers"] = float(np.mean(assigned == -1))
    out["labels"] = [t.label for t in model.topics()][:12]
else:
    embedder = load_embedder(Path(vectors_dir))
    unique = list(dict.fromkeys(texts))
    vectors = np.load(Path(vectors_dir) / "vectors.npy")
    index = {t: i for i, t in enumerate(unique)}
    started = time.perf_counter()
    model = TopicModel(settings, embedder).fit(texts, vectors[[index[t] for t in texts]])
    out["fit_seconds"] = time.perf_counter() - started
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _child(mode: str) -> dict:
    result = subprocess.run([sys.executable, "-c", _CHILD, mode, str(DATA), str(NEW), str(VECTORS)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _comparison() -> list[dict]:
    from tumis_mining.classify.embeddings import EmbeddingCache  # noqa: PLC0415
    from tumis_mining.topics.evaluate import compare_embeddings  # noqa: PLC0415

    rows = _labelled()
    test = _labelled("test")
    cache = EmbeddingCache(Path.home() / ".cache" / "tumis")
    results = compare_embeddings([r["text"] for r in rows], [r["label"] for r in rows],
                                 e5_cache=cache,
                                 held_out=([r["text"] for r in test], [r["label"] for r in test]))
    figures = []
    for result in results:
        name = result["embedding"]
        extra = {"topics": result["topics"], "passages": result["passages"]}
        for key, unit in (("npmi", "NPMI"), ("diversity", "share"), ("ami", "AMI"),
                          ("purity", "share"), ("held_out_ami", "AMI"),
                          ("outliers_before", "share")):
            figures.append(figure(f"topics.labelled.{name}.{key}", result[key] or 0.0, unit,
                                  **extra))
        figures.append(figure(f"topics.labelled.{name}.fit", result["fit_seconds"], "s", **extra))
    return figures


def _e5_rate() -> float:
    from tumis_mining.topics.embedders import E5TopicEmbedder  # noqa: PLC0415

    texts = [r["text"] for r in _labelled()[:64]]
    embedder = E5TopicEmbedder()
    embedder.embed(texts[:2])
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def run() -> list[dict]:
    _cached(DATA, PASSAGES, SEED)
    _cached(NEW, NEW_PASSAGES, SEED + 1)
    full = _child("full")
    cached = _child("cached")
    extra = {"passages": PASSAGES, "topics": full["topics"]}
    figures = [
        figure("topics.fit_50k_with_embeddings", full["fit_seconds"], "s", "< 300", **extra),
        figure("topics.fit_50k_peak_memory", full["peak_mb"], "MB", "< 4096", **extra),
        figure("topics.fit_50k_from_cached_embeddings", cached["fit_seconds"], "s", **extra),
        figure("topics.assign_rate", full["assign_rate"], "passages/s", ">= 1000",
               passages=NEW_PASSAGES),
        figure("topics.diversity", full["diversity"], "share", ">= 0.7", **extra),
        figure("topics.outliers_after_reduction", full["outliers"], "share", "<= 0.2",
               before=full["outliers_before"], **extra),
        figure("topics.npmi", full["npmi"], "NPMI", **extra),
        figure("topics.variables_ami", full["ami"], "AMI", **extra),
    ]
    figures += _comparison()
    figures.append(figure("topics.e5_embed_rate", _e5_rate(), "passages/s"))
    return figures
