"""`tumis schedule`: the refresh deployment served on a cron schedule against a real Prefect server.

The slow test starts `prefect server start` on loopback and `tumis schedule` beside it, each in its
own process group, reads the deployment's schedule back through the server's REST API, triggers a
run, checks what that run wrote to the corpus, and stops both as a user would (Ctrl-C). The fast
tests check the one-line errors that need no server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from flowkit import rows, small_folder, write_config

FOLDER_SOURCE = '[[sources]]\nname = "local"\nkind = "folder"\npath = "docs"\n'
PREFECT = Path(sys.executable).with_name("prefect")
TUMIS = [sys.executable, "-m", "tumis_mining.cli"]
# A child started from a background shell inherits SIGINT ignored; reset it so that the child
# meets SIGINT as it would meet Ctrl-C at a terminal (exec keeps the pid and process group).
RESET_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                "os.execv(sys.argv[1], sys.argv[1:])")
WITH_SIGINT = [sys.executable, "-c", RESET_SIGINT]
FINISHED = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
NO_SERVER = ("tumis: scheduling needs a Prefect server that outlives this command: start one with "
             "`prefect server start --host 127.0.0.1` and set "
             "PREFECT_API_URL=http://127.0.0.1:4200/api (see the README, 'Scheduled refresh')")


def quiet_env(home: Path, api_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def schedule_cli(config: Path, *options: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*TUMIS, "schedule", "--config", str(config), *options], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture()
def folder_config(tmp_path) -> Path:
    small_folder(tmp_path)
    return write_config(tmp_path, FOLDER_SOURCE)


# --- without a server -------------------------------------------------------------------------------


def test_schedule_without_a_server_is_one_clear_line(tmp_path, folder_config):
    result = schedule_cli(folder_config, env=quiet_env(tmp_path / "prefect"))
    assert 2 == result.returncode
    assert [NO_SERVER] == result.stderr.splitlines()
    assert "" == result.stdout


@pytest.mark.parametrize(("options", "message"), [
    (["--cron", "61 2 * * *"],
     "tumis: not a valid cron expression: '61 2 * * *' (e.g. \"0 2 * * *\" (02:00 daily))"),
    (["--timezone", "Asia/Jakata"],
     "tumis: not a valid time zone: 'Asia/Jakata' (e.g. Asia/Jakarta)"),
])
def test_a_bad_cron_or_time_zone_is_refused_before_any_server_is_asked(
        tmp_path, folder_config, options, message):
    # The API address leads nowhere: the check must come first.
    env = quiet_env(tmp_path / "prefect", api_url="http://127.0.0.1:9/api")
    result = schedule_cli(folder_config, *options, env=env)
    assert 2 == result.returncode
    assert [message] == result.stderr.splitlines()


def test_a_server_address_where_nothing_answers_is_one_clear_line(tmp_path, folder_config):
    port = free_port()  # nothing listens there
    env = quiet_env(tmp_path / "prefect", api_url=f"http://127.0.0.1:{port}/api")
    result = schedule_cli(folder_config, env=env)
    assert 2 == result.returncode
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tumis: no Prefect server answers at http://127.0.0.1:{port}/api")
    assert "prefect server start --host 127.0.0.1" in line


# --- against a real server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(argv: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    """A child in its own process group (so that it and its children can be stopped together),
    its output in files (a pipe nobody reads could fill and block it)."""
    with open(log.with_suffix(".out"), "w") as out, open(log.with_suffix(".err"), "w") as err:
        return subprocess.Popen([*WITH_SIGINT, *argv], env=env, cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_commands(pgid: int) -> list[str]:
    """The command lines of a process group's processes (Linux: from /proc; elsewhere none)."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:  # state, ppid, pgrp
                commands.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return commands


def stop(proc: subprocess.Popen | None) -> list[str]:
    """Ctrl-C, then SIGTERM, then SIGKILL, each after a bounded wait; the signals it took.
    What is left of the process group afterwards is killed too."""
    sent = []
    if proc is None:
        return sent
    for sig, patience in ((signal.SIGINT, 30), (signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        sent.append(sig.name)
        try:
            proc.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            continue
    for _ in range(50):
        if not group_alive(proc.pid):
            break
        os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.1)
    return sent


def wait_for(what: str, check, timeout: float, step: float = 1.0, alive=()):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds, or at once
    when a process of ``alive`` (pairs of name and Popen) has exited."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / step) + 1):
        for name, proc in alive:
            assert proc.poll() is None, f"{name} exited ({proc.returncode}) while waiting for {what}"
        try:
            value = check()
        except httpx.TransportError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            break
        time.sleep(step)
    pytest.fail(f"no {what} after {timeout:.0f} s")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def deployment(api: httpx.Client) -> dict | None:
    found = api.post("/deployments/filter", json={
        "flows": {"name": {"any_": ["refresh_corpus"]}},
        "deployments": {"name": {"any_": ["nightly"]}}}).json()
    return found[0] if found else None


def finished_run(api: httpx.Client, run_id: str) -> dict | None:
    run = api.get(f"/flow_runs/{run_id}").json()
    return run if run["state_type"] in FINISHED else None


def run_logs(api: httpx.Client, run_id: str) -> str:
    logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}},
                                          "sort": "TIMESTAMP_ASC", "limit": 200}).json()
    return "\n".join(entry["message"] for entry in logs)


def scheduled_starts(api: httpx.Client, deployment_id: str) -> list[str]:
    runs = api.post("/flow_runs/filter", json={
        "flow_runs": {"deployment_id": {"any_": [deployment_id]},
                      "state": {"type": {"any_": ["SCHEDULED"]}}},
        "sort": "EXPECTED_START_TIME_ASC", "limit": 5}).json()
    return [run["expected_start_time"] for run in runs if run["auto_scheduled"]]


@pytest.mark.slow
def test_schedule_serves_the_refresh_deployment_and_a_triggered_run_fills_the_corpus(
        tmp_path, folder_config):
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    logs = tmp_path / "logs"
    logs.mkdir()
    server = schedule = again = None
    try:
        server = spawn([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                        "--no-ui"], quiet_env(tmp_path / "server-home"), tmp_path, logs / "server")
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as api:
            wait_for("healthy server", lambda: api.get("/health").status_code == 200, 120,
                     alive=[("prefect server", server)])
            schedule = spawn([*TUMIS, "schedule", "--config", str(folder_config),
                              "--cron", "0 2 * * *", "--timezone", "Asia/Jakarta"],
                             quiet_env(tmp_path / "schedule-home", api_url=base), tmp_path,
                             logs / "schedule")
            served = wait_for("deployment refresh_corpus/nightly", lambda: deployment(api), 120,
                              alive=[("tumis schedule", schedule), ("prefect server", server)])

            assert (False, {"config": str(folder_config.resolve()), "source": None}) == (
                served["paused"], served["parameters"])
            schedules = api.get(f"/deployments/{served['id']}/schedules").json()
            assert [("0 2 * * *", "Asia/Jakarta", True)] == [
                (s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in schedules]
            # The server's scheduler reads the cron in Jakarta time: 02:00 WIB is 19:00 UTC.
            starts = wait_for("scheduled run", lambda: scheduled_starts(api, served["id"]), 90,
                              step=2, alive=[("tumis schedule", schedule)])
            assert {"19:00:00"} == {start[11:19] for start in starts}, starts

            created = api.post(f"/deployments/{served['id']}/create_flow_run", json={})
            assert 201 == created.status_code, created.text
            run_id = created.json()["id"]
            run = wait_for("finished flow run", lambda: finished_run(api, run_id), 180,
                           alive=[("tumis schedule", schedule)])
            assert "COMPLETED" == run["state_type"], (
                f"{run['state_type']}: {run['state']['message']}\n{run_logs(api, run_id)}\n"
                f"{tail(logs / 'schedule.err')}")
            assert served["id"] == run["deployment_id"]

            db = tmp_path / "corpus.db"
            documents = rows(db, "SELECT source_name, status, passages FROM documents")
            assert [("local", "active")] * 3 == [(name, status) for name, status, _ in documents]
            assert all(n > 0 for _, _, n in documents)
            assert sum(n for _, _, n in documents) == rows(db, "SELECT count(*) FROM passages")[0][0]
            # The first `runs` row is this run's (a scheduled 02:00 WIB run could come after it).
            runs = rows(db, "SELECT flow, finished_at IS NOT NULL, counts FROM runs ORDER BY started_at")
            assert ("refresh_corpus", 1) == runs[0][:2]
            local = json.loads(runs[0][2])["sources"]["local"]
            assert (3, 3, 0) == (local["listed"], local["new"], local["failed"])

            # Ctrl-C on an idle `tumis schedule`: it stops at once, cleanly, and pauses the
            # deployment. (The run's process outlives its COMPLETED state by a moment; a Ctrl-C
            # then reaches it too, and it may print a KeyboardInterrupt of its own.)
            wait_for("the end of the run's process", lambda: not any(
                "spawn_main" in command for command in group_commands(schedule.pid)), 60, step=0.5)
            assert ["SIGINT"] == stop(schedule), tail(logs / "schedule.err")
            err = (logs / "schedule.err").read_text()
            assert schedule.returncode in (0, 130), err
            assert "Traceback" not in err, err
            assert api.get(f"/deployments/{served['id']}").json()["paused"] is True

            # Stopped in the wrong order, the server first: Ctrl-C still ends it at once, and one
            # line says that the deployment could not be paused.
            again = spawn([*TUMIS, "schedule", "--config", str(folder_config)],
                          quiet_env(tmp_path / "schedule-home", api_url=base), tmp_path,
                          logs / "again")
            wait_for("the deployment served again", lambda: "being served" in (
                logs / "again.out").read_text() and not deployment(api)["paused"], 120,
                     alive=[("tumis schedule", again)])
        assert ["SIGINT"] == stop(server), tail(logs / "server.err")
        assert ["SIGINT"] == stop(again), tail(logs / "again.err")
        last = (logs / "again.err").read_text().splitlines()[-1]
        assert (1, True, True) == (
            again.returncode,
            last.startswith("tumis: the Prefect server did not answer ("),
            last.endswith("so refresh_corpus/nightly was not paused: its runs wait for the next "
                          "`tumis schedule` (stop `tumis schedule` before the server)")), last
    finally:
        for proc in (schedule, again, server):
            stop(proc)
    assert [] == [p.pid for p in (server, schedule, again) if group_alive(p.pid)]
