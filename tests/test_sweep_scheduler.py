"""A sweep against a running Dask cluster: real `dask scheduler` and `dask worker` processes.

The scheduler writes its address to a file; the worker joins it; `planner sweep --scheduler`
runs a tiny sweep there (the workers check the planner version and data, then run the points);
both processes are stopped at the end.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.cli.main import run
from planner.sweep.store import read_table

SWEEP = """
[sweep]
base = "training-16k"

[sweep.axes]
"fleet.phases[0].count" = [1024, 2048]
"sites.include_countries" = [["IS", "NO"]]
"""


def dask_command(role: str) -> list[str]:
    """`dask scheduler` / `dask worker` from this environment (or the module behind it)."""
    exe = Path(sys.executable).with_name("dask")
    if exe.exists():
        return [str(exe), role]
    found = shutil.which("dask")
    if found:
        return [found, role]
    return [sys.executable, "-m", f"distributed.cli.dask_{role}"]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # Dask's own clean shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(tmp_path):
    address_file = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [*dask_command("scheduler"), "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(address_file)],
        **quiet,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            assert scheduler.poll() is None, "the scheduler exited"
            time.sleep(0.2)
        time.sleep(0.2)  # the file is written whole, but give it a moment
        address = json.loads(address_file.read_text())["address"]
        worker = subprocess.Popen(
            [*dask_command("worker"), address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--name", "remote-1"],
            **quiet,
        )  # fmt: skip
        yield address
    finally:
        if worker is not None:
            stop(worker)
        stop(scheduler)


@pytest.mark.slow
def test_a_sweep_runs_on_an_existing_scheduler_and_worker(cluster, tmp_path, capsys):
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP)
    out = tmp_path / "out"
    code = run(["sweep", str(sweep), "--out", str(out), "--scheduler", cluster, "--json"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["ok"] == 2
    table = read_table(out / "sweep.parquet")
    assert set(table["worker"]) == {"remote-1"}
    assert (table["objective_usd"] > 0).all()


def test_an_unreachable_scheduler_is_bad_input(tmp_path, capsys):
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP)
    import planner.sweep.engine as engine

    engine.CONNECT_TIMEOUT_S, saved = 2, engine.CONNECT_TIMEOUT_S
    try:
        code = run(["sweep", str(sweep), "--out", str(tmp_path / "o"), "--scheduler",
                    "tcp://127.0.0.1:9"])  # fmt: skip
    finally:
        engine.CONNECT_TIMEOUT_S = saved
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler" in err and "Traceback" not in err
