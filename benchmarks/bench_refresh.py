"""Incremental refresh: a second ``refresh_corpus`` over unchanged sources, and Prefect's overhead.

Sources, in a temporary folder: the bundled sample corpus (15 documents) as a folder source, and a
JDIH network feed served by a local HTTP server on 127.0.0.1 listing 10 PDFs (copies of the
sample's PDFs under other URLs, each with an ETag; a request carrying it is answered 304).

Everything is measured in one fresh Python process with its own ``PREFECT_HOME`` (so Prefect
starts its own temporary server, with analytics off): Prefect's start-up (the first flow call,
which starts the server), Prefect's overhead per flow run and per task, then the first refresh
(every document new) and the second (every document unchanged).

Figures:
- first and second refresh in seconds, both after start-up; second / first < 0.10;
- the second refresh did no extraction or classification: it counted 0 new or changed
  documents, Prefect recorded 0 ``process`` task runs in its flow run, and the library's parse
  and classifier ``predict`` were called 0 times (each count is shown for the first run too, which
  shows that the measurement sees the work when there is some);
- the conditional GETs of the second run answered 304; Prefect's start-up, overhead per run (the
  median of 5 empty flows) and per task (50 tasks submitted, timed inside their flow; the whole
  flow less an empty one beside it); the load average (other work on the machine slows every figure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import figure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "corpora" / "sample"
REMOTE_PDFS = 10
OVERHEAD_RUNS = 5
TASKS = 50
TASK_FLOW_RUNS = 5
TIMEOUT = 1800  # seconds for the whole measured process


# --- the measured process ---------------------------------------------------------------------------


def _sources(where: Path, server) -> Path:
    """The sample folder (documents only), the feed on ``server``, and the config naming both."""
    docs = where / "docs"
    for path in sorted(SAMPLE.rglob("*")):
        if path.suffix in (".pdf", ".html"):
            target = docs / path.relative_to(SAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    pdfs = sorted((SAMPLE / "regulations").glob("*.pdf"))
    records = []
    for i in range(REMOTE_PDFS):
        pdf = pdfs[i % len(pdfs)]
        url = server.add(f"/uploads/{i:02d}-{pdf.name}", pdf.read_bytes(),
                         content_type="application/pdf", etag=f'"{i}-v1"')
        records.append({"idData": str(i + 1), "urlDownload": url, "tempatTerbit": "Sragen",
                        "judul": pdf.stem.split("_", 1)[-1].replace("-", " ")})
    feed = server.add("/integrasi/jdihn.json", json.dumps(records).encode(),
                      content_type="application/json")
    config = where / "tumis.toml"
    config.write_text(
        '[corpus]\ndb = "corpus.db"\n\n'
        "[fetch]\nallow_private_hosts = true\nrate_limit = 0\n\n"
        '[[sources]]\nname = "sample"\nkind = "folder"\npath = "docs"\n\n'
        f'[[sources]]\nname = "jdih"\nkind = "jdihn"\nurl = "{feed}"\n', encoding="utf-8")
    return config


class _Calls:
    """Counts calls of the library functions that extract and classify (in this process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts = {"extractions": 0, "classifications": 0}

    def wrap(self, owner, name: str, key: str) -> None:
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            with self._lock:
                self.counts[key] += 1
            return original(*args, **kwargs)

        setattr(owner, name, counted)

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self.counts)


def _task_runs(flow_run_id, at_least: int) -> list:
    """The task runs Prefect recorded for a flow run (they arrive as events: wait until the
    ``at_least`` known ones are there and the count holds still)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    seen, steady, deadline = -1, 0, time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            finished = [r for r in runs if r.state is not None and r.state.is_final()]
            steady = steady + 1 if len(finished) == seen == len(runs) else 0
            seen = len(finished)
            if (seen >= at_least and steady >= 2) or time.monotonic() > deadline:
                return runs
            time.sleep(0.5)


def _named(runs: list, name: str) -> int:
    return sum(1 for r in runs if r.name == name or r.name.startswith(name + " "))


def measure(where: Path) -> dict:
    """Run everything in this process (Prefect's settings must already be in the environment)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from httpfixture import FixtureServer

    started = time.perf_counter()
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    import flows.common
    from flows.refresh import refresh_corpus
    from tumis_mining import runs as library_runs
    from tumis_mining.classify.model import Classifier
    from tumis_mining.sources.config import load_config

    result = {"import_s": time.perf_counter() - started}

    calls = _Calls()
    calls.wrap(library_runs, "parse", "extractions")
    calls.wrap(library_runs, "parse_isolated", "extractions")
    calls.wrap(Classifier, "predict", "classifications")
    process_calls = _Calls()
    process_calls.wrap(flows.common, "process", "extractions")  # what the process task calls

    @task(name="trivial", cache_policy=NO_CACHE)
    def trivial(i: int) -> int:
        return i

    @flow(name="bench_empty")
    def empty() -> None:
        return None

    @flow(name="bench_tasks")
    def submitted(n: int) -> float:
        """Seconds from the first submit to the last result (inside the flow)."""
        begun = time.perf_counter()
        futures = [trivial.submit(i) for i in range(n)]
        assert sum(f.result() for f in futures) == n * (n - 1) // 2
        return time.perf_counter() - begun

    @flow(name="bench_sequential_tasks")
    def sequential(n: int) -> float:
        begun = time.perf_counter()
        assert sum(trivial(i) for i in range(n)) == n * (n - 1) // 2
        return time.perf_counter() - begun

    def timed(call) -> tuple[float, object]:
        begun = time.perf_counter()
        value = call()
        return time.perf_counter() - begun, value

    result["startup_s"] = timed(empty)[0]  # starts the temporary server
    result["empty_s"] = [timed(empty)[0] for _ in range(OVERHEAD_RUNS)]
    timed(lambda: submitted(TASKS))  # the task machinery's first use, not counted
    # Each: (the whole flow call, the tasks inside it).
    result["submitted_s"] = [timed(lambda: submitted(TASKS)) for _ in range(TASK_FLOW_RUNS)]
    result["sequential_s"] = [timed(lambda: sequential(TASKS)) for _ in range(TASK_FLOW_RUNS)]

    with FixtureServer() as server:
        config = _sources(where, server)
        for run in ("first", "second"):
            before, process_before = calls.snapshot(), process_calls.snapshot()
            seen = len(server.requests)
            begun = time.perf_counter()
            load_config(config).select(None)  # what run_refresh does before the flow
            state = refresh_corpus(config=str(config), return_state=True)
            seconds = time.perf_counter() - begun
            counts = state.result()
            after, process_after = calls.snapshot(), process_calls.snapshot()
            conditional = [r for r in server.requests[seen:] if r.path.startswith("/uploads/")
                           and "If-None-Match" in r.headers]
            listed = sum(t.listed for t in counts.sources.values() if t.error is None)
            remote = counts.sources["jdih"].listed
            task_runs = _task_runs(state.state_details.flow_run_id,
                                   at_least=len(counts.sources) + remote)
            result[run] = {
                "seconds": seconds,
                "documents": counts.as_dict()["documents"],
                "listed": listed,
                "passages": sum(counts.passages.values()),
                "failures": [f"{f.source}: {f.message}" for f in counts.failures],
                "extractions": after["extractions"] - before["extractions"],
                "classifications": after["classifications"] - before["classifications"],
                "process_calls": process_after["extractions"] - process_before["extractions"],
                "process_task_runs": _named(task_runs, "process"),
                "fetch_task_runs": _named(task_runs, "fetch"),
                "task_runs": len(task_runs),
                "conditional_gets": len(conditional),
                "remote": remote,
            }
    return result


# --- the bench --------------------------------------------------------------------------------------


def _prefect_env(where: Path) -> dict:
    env = dict(os.environ)
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        env.pop(name, None)  # a temporary server, never a configured one
    env.update(PREFECT_HOME=str(where / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    return env


_CHILD = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench_refresh import measure
where = Path(sys.argv[2])
(where / "result.json").write_text(json.dumps(measure(where)))
"""


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        where = Path(tmp)
        done = subprocess.run([sys.executable, "-c", _CHILD, str(HERE), str(where)],
                              env=_prefect_env(where), cwd=where, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
        if done.returncode != 0 or not (where / "result.json").exists():
            raise RuntimeError(f"the measured process failed ({done.returncode}):\n"
                               f"{done.stderr[-4000:]}")
        result = json.loads((where / "result.json").read_text())
    first, second = result["first"], result["second"]
    # Medians: a flow run's start and end are calls to Prefect's server, whose SQLite database is
    # busy recording the events of earlier runs, so single runs vary by a second or more.
    per_run = _median(result["empty_s"])
    # Per task: the time the tasks took inside their flow, and the whole flow less an empty one
    # (the variation of the flow's start and end, divided by 50, weighs on the second).
    per_task = _median([inside for _, inside in result["submitted_s"]]) / TASKS
    per_task_by_difference = (_median([whole for whole, _ in result["submitted_s"]])
                              - per_run) / TASKS
    sequential = _median([inside for _, inside in result["sequential_s"]]) / TASKS
    unchanged = second["documents"]["unchanged"]
    return [
        figure("refresh.prefect_import", result["import_s"], "s"),
        figure("refresh.prefect_startup", result["startup_s"], "s",
               note="the first flow call of a process: starts Prefect's temporary server"),
        figure("refresh.first_refresh", first["seconds"], "s", documents=first["documents"],
               passages=first["passages"], failures=first["failures"]),
        figure("refresh.second_refresh", second["seconds"], "s", documents=second["documents"]),
        figure("refresh.second_over_first", second["seconds"] / first["seconds"], "ratio", "< 0.1"),
        figure("refresh.second_new_or_changed",
               second["documents"]["new"] + second["documents"]["changed"], "documents", "<= 0",
               unchanged=unchanged, listed=second["listed"],
               first_run=first["documents"]["new"] + first["documents"]["changed"]),
        figure("refresh.second_process_task_runs", second["process_task_runs"], "task runs", "<= 0",
               first_run=first["process_task_runs"], fetch_task_runs=second["fetch_task_runs"],
               task_runs=second["task_runs"]),
        figure("refresh.second_extractions", second["extractions"], "calls", "<= 0",
               first_run=first["extractions"], process_calls=second["process_calls"]),
        figure("refresh.second_classifications", second["classifications"], "calls", "<= 0",
               first_run=first["classifications"]),
        figure("refresh.second_conditional_gets", second["conditional_gets"], "requests",
               f">= {second['remote']}", note="each answered 304 (its ETag still matches)"),
        figure("refresh.prefect_overhead_per_run", per_run, "s", runs=len(result["empty_s"]),
               mean=round(_mean(result["empty_s"]), 4), min=round(min(result["empty_s"]), 4),
               max=round(max(result["empty_s"]), 4),
               note="an empty flow (median); up to 1 s of it is the end of the run joining "
                    "Prefect's heartbeat thread, which sleeps in 1 s steps"),
        figure("refresh.prefect_overhead_per_task", per_task * 1000, "ms", tasks=TASKS,
               how="submitted to the flow's thread pool, as the refresh does; timed inside the flow",
               called_in_sequence_ms=round(sequential * 1000, 2),
               whole_flow_less_empty_flow_ms=round(per_task_by_difference * 1000, 2)),
        figure("refresh.load_average", os.getloadavg()[0], "runnable processes",
               cores=os.cpu_count()),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for record in run():
        print(json.dumps(record, ensure_ascii=False))
