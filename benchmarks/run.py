"""Run every benchmark under benchmarks/ and print each figure against its target.

Each ``bench_*.py`` module has ``run() -> list[dict]``; a figure is one JSON line
``{"bench", "value", "unit", "target", "met"}`` (``target`` like ">= 100" or "< 3"). A final
PASS/MISS summary follows, and the figures are saved to ``benchmarks/out/latest.json``.

Usage: python benchmarks/run.py [NAME ...]   (NAME: a module such as bench_extract)
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def check(value: float, target: str) -> bool:
    op, number = target.split()
    limit = float(number)
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}[op]


def figure(bench: str, value: float, unit: str, target: str | None = None, **extra) -> dict:
    """One benchmark figure; ``met`` is None for figures reported without a target."""
    record = {"bench": bench, "value": round(value, 4), "unit": unit, "target": target,
              "met": None if target is None else check(value, target)}
    record.update(extra)
    return record


def main(names: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    OUT.mkdir(exist_ok=True)
    modules = names or sorted(p.stem for p in HERE.glob("bench_*.py"))
    figures = []
    for name in modules:
        started = time.perf_counter()
        module = importlib.import_module(name)
        for record in module.run():
            print(json.dumps(record, ensure_ascii=False), flush=True)
            figures.append(record)
        print(f"# {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    (OUT / "latest.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    print()
    for record in figures:
        status = {True: "PASS", False: "MISS", None: "info"}[record["met"]]
        target = f" (target {record['target']})" if record["target"] else ""
        print(f"{status:4}  {record['bench']}: {record['value']} {record['unit']}{target}")
    misses = sum(1 for r in figures if r["met"] is False)
    passes = sum(1 for r in figures if r["met"] is True)
    print(f"\n{passes} PASS, {misses} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
