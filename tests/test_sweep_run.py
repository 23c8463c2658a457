"""Sweeps on a local Dask cluster: rows equal direct runs, failures stay with their point,
resume, the same table with 1 and 2 workers, invalid points refused before any work.

The base is the bundled training-16k restricted to four Nordic countries (five sites), so a
point takes well under a second. Functions given as ``optimize`` live at module level: the
workers are forked and find them by name.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

from planner.cli.main import run
from planner.sweep.run import prepare, reduce_analysis, run_sweep
from planner.sweep.spec import load_sweep, point_scenario
from planner.sweep.store import read_table
from planner.sweep.tasks import optimize_point, result_columns

needs_fork = pytest.mark.skipif(
    multiprocessing.get_context().get_start_method() != "fork",
    reason="the workers find this module's functions when they are forked",
)

SWEEP = """
[sweep]
base = "base.toml"
mode = "product"

[sweep.axes]
"fleet.phases[0].count" = [1024, 2048]
"objective.carbon_price_usd_per_t" = [0, 400]
"objective.weights.cost" = [0.5, 0.9]
"objective.weights.carbon" = [0.25, 0.05]

[[sweep.linked]]
axes = ["objective.weights.cost", "objective.weights.carbon"]
"""

COMPUTED = ["status", "solver_status", "objective_usd", "sites", "n_sites", "usd_per_gpu_hour",
            "co2_location_t", "co2_market_t", "water_m3"]  # fmt: skip


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    from planner.paths import example_scenario

    base = example_scenario("training-16k").read_text()
    base += '\n[sites]\ninclude_countries = ["SE", "NO", "FI", "IS"]\n'
    (tmp_path / "base.toml").write_text(base)
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    return path


def _boom_at_400(evaluation, scenario, analysis):
    if scenario.objective.carbon_price_usd_per_t == 400 and scenario.fleet.phases[0].count == 2048:
        raise ZeroDivisionError("a bug met at one point")
    return optimize_point(evaluation, scenario, analysis)


def _dies_at_400(evaluation, scenario, analysis):
    if scenario.objective.carbon_price_usd_per_t == 400 and scenario.fleet.phases[0].count == 2048:
        os._exit(3)  # like a crash in compiled code
    return optimize_point(evaluation, scenario, analysis)


@pytest.mark.slow
def test_rows_equal_direct_runs_and_linked_points_share_evaluations(sweep_file, tmp_path):
    from planner.optimize.run import run_scenario

    spec = load_sweep(sweep_file)
    out = run_sweep(spec, tmp_path / "out", workers=2)
    assert out.counts["ok"] == 8 and out.ran == 8
    table = read_table(tmp_path / "out" / "sweep.parquet")
    assert list(table["id"]) == [p.id for p in spec.points()]
    assert list(table.columns[:5]) == ["id", *spec.axes]
    # The linked weights moved together: 2 x 2 x 2 points, four evaluations of two points.
    assert table.groupby("group").size().tolist() == [2, 2, 2, 2]
    assert set(table["worker"]) <= {"0", "1"}
    # Two points run directly (run_scenario, the same analysis) give the same figures.
    for i in (0, 7):
        point = spec.points()[i]
        direct = result_columns(run_scenario(reduce_analysis(point_scenario(spec, point))))
        row = table.iloc[i]
        for column in COMPUTED:
            expected = direct[column]
            if isinstance(expected, float):
                assert row[column] == pytest.approx(expected, rel=1e-9), column
            else:
                assert row[column] == expected, column
    manifest = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert [p["id"] for p in manifest["points"]] == list(table["id"])
    assert manifest["axes"] == spec.axes and manifest["analysis"] == "fast"
    assert manifest["points"][0]["overrides"] == manifest["points"][0]["values"]
    assert len(manifest["data_hash"]) == 64 and manifest["planner_version"]


@needs_fork
@pytest.mark.slow
def test_a_point_that_raises_is_an_error_row_and_resume_runs_it_again(sweep_file, tmp_path):
    spec = load_sweep(sweep_file)
    out_dir = tmp_path / "out"
    first = run_sweep(spec, out_dir, workers=2, optimize=_boom_at_400)
    assert first.counts == {"ok": 6, "infeasible": 0, "bad-input": 0, "error": 2}
    bad = [r for r in first.rows if r["status"] == "error"]
    assert all("ZeroDivisionError: a bug met at one point" in r["message"] for r in bad)
    assert all("Traceback" in r["traceback"] for r in bad)
    log_lines = (out_dir / "sweep.jsonl").read_text().count("\n")
    # Resume: done points are kept, the two errors run again (now without the bug).
    second = run_sweep(spec, out_dir, workers=2, resume=True)
    assert (second.ran, second.skipped) == (2, 6)
    assert second.counts["ok"] == 8
    assert (out_dir / "sweep.jsonl").read_text().count("\n") == log_lines + 2
    # Once everything is done, a resume runs nothing (and starts no cluster).
    third = run_sweep(spec, out_dir, resume=True)
    assert (third.ran, third.skipped) == (0, 8)
    table = read_table(out_dir / "sweep.parquet")
    assert set(table["status"]) == {"ok"} and len(table) == 8


@needs_fork
@pytest.mark.slow
def test_a_worker_that_dies_takes_only_its_point_down(sweep_file, tmp_path):
    spec = load_sweep(sweep_file)
    out = run_sweep(spec, tmp_path / "out", workers=2, retries=0, optimize=_dies_at_400)
    statuses = {r["id"]: r["status"] for r in out.rows}
    assert sorted(statuses.values()).count("error") == 2
    assert sorted(statuses.values()).count("ok") == 6
    died = [r for r in out.rows if r["status"] == "error"]
    assert all("worker process running this point died" in r["message"] for r in died)


@pytest.mark.slow
def test_one_and_two_workers_give_the_same_table(sweep_file, tmp_path):
    spec = load_sweep(sweep_file)
    run_sweep(spec, tmp_path / "one", workers=1)
    run_sweep(spec, tmp_path / "two", workers=2)
    one, two = (read_table(tmp_path / d / "sweep.parquet") for d in ("one", "two"))
    volatile = ["evaluation_s", "wall_s", "worker"]
    pd.testing.assert_frame_equal(one.drop(columns=volatile), two.drop(columns=volatile))
    assert set(one["worker"]) == {"0"} and set(two["worker"]) == {"0", "1"}


def test_invalid_points_exit_2_with_their_values_before_any_work(sweep_file, tmp_path, capsys):
    text = sweep_file.read_text().replace("[1024, 2048]", "[1024, 0]")
    sweep_file.write_text(text)
    out = tmp_path / "out"
    assert run(["sweep", str(sweep_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "4 of 8 points are invalid" in err
    lines = [line for line in err.splitlines() if line.startswith("Point ")]
    assert len(lines) == 4
    assert all("fleet.phases[0].count=0" in line and "greater than 0" in line for line in lines)
    assert not out.exists()


@pytest.mark.slow
def test_skip_invalid_runs_the_others_and_keeps_bad_rows(sweep_file, tmp_path, capsys):
    text = sweep_file.read_text().replace("[1024, 2048]", "[1024, 0]")
    sweep_file.write_text(text)
    out = tmp_path / "out"
    code = run(["sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--skip-invalid",
                "--json"])  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"] == {"ok": 4, "infeasible": 0, "bad-input": 4, "error": 0}
    table = read_table(out / "sweep.parquet")
    bad = table[table["status"] == "bad-input"]
    assert (bad["fleet.phases[0].count"] == 0).all()
    assert bad["message"].str.contains("fleet.phases\\[0\\].count").all()
    assert bad["objective_usd"].isna().all()
    # A second run into the same folder without --resume or --overwrite is refused.
    assert run(["sweep", str(sweep_file), "--out", str(out), "--skip-invalid"]) == 2
    assert "a sweep already ran here; pass --resume" in capsys.readouterr().err


def test_resume_refuses_a_folder_made_from_another_base(sweep_file, tmp_path):
    from planner.errors import InputError
    from planner.sweep.run import check_resumable, manifest

    spec = load_sweep(sweep_file)
    plan = prepare(spec)
    doc = manifest(spec, plan, analysis="fast", formats=())
    check_resumable(doc, dict(doc), tmp_path)
    with pytest.raises(InputError, match="another base scenario"):
        check_resumable({**doc, "base_hash": "x"}, doc, tmp_path)
    with pytest.raises(InputError, match="another planner version"):
        check_resumable({**doc, "planner_version": "0.0.0"}, doc, tmp_path)


def test_a_worker_with_another_version_is_refused_in_one_sentence():
    from planner.errors import InputError
    from planner.sweep.engine import check_workers, fingerprint

    class FakeClient:
        def run(self, function):
            return {"tcp://10.0.0.2:4000": {**fingerprint(), "version": "0.0.1"}}

    with pytest.raises(InputError) as caught:
        check_workers(FakeClient())
    message = str(caught.value)
    assert "tcp://10.0.0.2:4000 runs planner 0.0.1" in message
    assert message.endswith(".") and "\n" not in message


def test_the_log_survives_a_cut_line_and_keeps_the_last_record(tmp_path):
    from planner.sweep.store import SweepStore

    store = SweepStore(tmp_path)
    store.append({"id": "a", "status": "error", "objective_usd": float("nan")})
    store.append({"id": "a", "status": "ok", "objective_usd": 1.0})
    store.close()
    with open(tmp_path / "sweep.jsonl", "a") as handle:
        handle.write('{"id": "b", "stat')  # a crash in the middle of a line
    rows = store.read_log()
    assert rows == {"a": {"id": "a", "status": "ok", "objective_usd": 1.0}}


@pytest.mark.slow
def test_per_point_files_hold_the_explained_results(tmp_path, capsys):
    from planner.paths import example_scenario
    from planner.results import Results

    base = example_scenario("training-16k").read_text()
    (tmp_path / "base.toml").write_text(base + '\n[sites]\ninclude_countries = ["IS", "NO"]\n')
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(
        '[sweep]\nbase = "base.toml"\n[sweep.axes]\n"fleet.phases[0].count" = [1024]\n'
    )
    out = tmp_path / "out"
    assert run(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--format", "json",
                "--json"]) == 0  # fmt: skip
    (row,) = json.loads(capsys.readouterr().out)["rows"]
    results = Results.load_json(out / "points" / row["id"] / "results.json")
    assert results.allocation.objective_usd == pytest.approx(row["objective_usd"], rel=1e-12)
    # Per-point files come with the recommendation's alternatives and switching values, but
    # still without draws, Pareto front or tornado.
    assert results.recommendation["alternatives"] and results.recommendation["robustness"] is None
    assert results.pareto is None and results.sensitivity is None


INTERRUPTED = """
import sys
from planner.cli.main import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_rows_and_resume_finishes(sweep_file, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    text = sweep_file.read_text().replace("[1024, 2048]", "[1024, 2048, 3072, 4096, 5120]")
    sweep_file.write_text(text)  # 20 points
    out = tmp_path / "out"
    args = [sys.executable, "-c", INTERRUPTED, "sweep", str(sweep_file), "--out", str(out),
            "--workers", "2"]  # fmt: skip
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # fmt: skip
    log = out / "sweep.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if log.exists() and log.read_text().count("\n") >= 2:
            break
        time.sleep(0.1)
    # As a terminal does: Ctrl-C reaches every process of the group, workers included.
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=120)
    if child.returncode == 0:
        pytest.skip("the sweep finished before Ctrl-C arrived")
    assert child.returncode == 130, err
    assert err.splitlines()[-1:] == ["Stopped."] and "Traceback" not in err, err
    done = read_table(out / "sweep.parquet")
    assert 2 <= len(done) < 20 and set(done["status"]) == {"ok"}
    assert not (tmp_path / "out.lock").exists()
    assert run(["sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--resume"]) == 0
    assert len(read_table(out / "sweep.parquet")) == 20
