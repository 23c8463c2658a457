"""Batches: one failing scenario never takes the others down; each outcome is a summary row.

The evaluation is replaced by a synthetic one (as in test_cli_optimize); a scenario named
"boom" makes it raise, standing for a bug met inside a worker. Worker processes (a local Dask
cluster) inherit the replacement only when they are forked, so the process tests need the fork
start method.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from pathlib import Path

import pytest
from optimizer_fixtures import make_evaluation

from planner.cli.main import run
from planner.optimize.batch import (
    BAD_INPUT,
    INFEASIBLE,
    INTERNAL_ERROR,
    OK,
    Job,
    batch_exit_code,
    failed_outcome,
    run_batch,
)

needs_fork = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="worker processes see the test's synthetic evaluation only when forked",
)

SCENARIO = """
[scenario]
name = "{name}"

[fleet]
block_gpus = 1024

[[fleet.phases]]
gpu = "H100-SXM"
count = 4096
{extra}
"""


@pytest.fixture(autouse=True)
def synthetic_evaluation(monkeypatch):
    import planner.evaluate
    import planner.optimize.run

    def fake(scenario, catalog=None, *, sites_file=None, progress=None, **_reevaluation):
        if scenario.name == "boom":
            raise ZeroDivisionError("a bug in the evaluation")
        return make_evaluation(scenario, 10, 3)

    monkeypatch.setattr(planner.evaluate, "evaluate_sites", fake)
    # The explanations re-evaluate a few sites through their own path: the same fake.
    import planner.optimize.run

    monkeypatch.setattr(
        planner.optimize.run,
        "scenario_reevaluator",
        lambda scenario, catalog: lambda changed, only_sites, site_values=None: fake(changed),
    )
    # Synthetic sites cannot be re-evaluated from the catalog: no re-evaluated drivers.
    monkeypatch.setattr(planner.optimize.run, "scenario_reevaluator", lambda *_: None)


@pytest.fixture
def four_scenarios(tmp_path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    texts = {
        "a-good": SCENARIO.format(name="good", extra=""),
        "b-bad": SCENARIO.format(name="bad", extra="[fleet.oops]\nx = 1\n"),
        "c-infeasible": SCENARIO.format(
            name="tight", extra="[constraints]\nmax_share_per_site = 0.2\n"
        ),
        "d-boom": SCENARIO.format(name="boom", extra=""),
    }
    for stem, text in texts.items():
        (folder / f"{stem}.toml").write_text(text)
    return folder


def summary_rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        return {Path(row["file"]).stem: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    "workers", ["1", pytest.param("2", marks=needs_fork)], ids=["in-process", "processes"]
)
def test_every_outcome_is_a_row_and_the_worst_is_the_exit_code(
    four_scenarios, tmp_path, capsys, workers
):
    out = tmp_path / "out"
    code = run(["optimize", str(four_scenarios), "--out", str(out), "--format", "csv",
                "--workers", workers, "--json"])
    assert code == 1  # internal error outranks bad input and infeasible
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    rows = summary_rows(out)
    outcomes = {stem: row["outcome"] for stem, row in rows.items()}
    assert outcomes == {
        "a-good": OK,
        "b-bad": BAD_INPUT,
        "c-infeasible": INFEASIBLE,
        "d-boom": INTERNAL_ERROR,
    }
    assert "fleet.oops" in rows["b-bad"]["message"]
    assert "ZeroDivisionError" in rows["d-boom"]["message"]
    for row in rows.values():
        assert row["message"].endswith(".")
    # The good and the infeasible scenario still wrote their results.
    assert (out / "a-good" / "ranking.csv").is_file()
    assert (out / "c-infeasible" / "results.json").is_file()
    assert not (out / "b-bad").exists() and not (out / "d-boom").exists()
    # One JSON document per scenario, each with its status.
    assert [r["outcome"] for r in doc["runs"]] == [OK, BAD_INPUT, INFEASIBLE, INTERNAL_ERROR]
    assert all("status" in r and "file" in r for r in doc["runs"])
    assert "Traceback" not in captured.err
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_bad_input_alone_exits_2_infeasible_alone_3(four_scenarios, tmp_path):
    (four_scenarios / "d-boom.toml").unlink()
    assert run(["optimize", str(four_scenarios), "--out", str(tmp_path / "o1"),
                "--format", "csv", "--workers", "1"]) == 2
    (four_scenarios / "b-bad.toml").unlink()
    assert run(["optimize", str(four_scenarios), "--out", str(tmp_path / "o2"),
                "--format", "csv", "--workers", "1"]) == 3


def test_debug_prints_the_worker_traceback(four_scenarios, tmp_path, capsys):
    run(["--debug", "optimize", str(four_scenarios), "--out", str(tmp_path / "o"),
         "--format", "csv", "--workers", "1"])
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err


# --- run_batch with injected job functions (module level: sent to worker processes) --------


def _ok_job(job: Job) -> dict:
    row = {"outcome": OK, "scenario": job.scenario_file.stem, "file": str(job.scenario_file)}
    return {"outcome": OK, "row": row, "files": [], "error": "", "json": row}


def _raising_job(job: Job) -> dict:
    if job.scenario_file.stem == "raises":
        raise KeyError("no such column")
    return _ok_job(job)


def _dying_job(job: Job) -> dict:
    if job.scenario_file.stem == "dies":
        os._exit(7)  # like a crash in compiled code: no exception, no outcome sent
    return _ok_job(job)


def jobs_named(tmp_path: Path, *stems: str) -> list[Job]:
    return [Job(tmp_path / f"{s}.toml", tmp_path / "out" / s, ("csv",)) for s in stems]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_in_the_job_is_that_jobs_outcome(tmp_path, workers):
    jobs = jobs_named(tmp_path, "first", "raises", "last")
    done = []
    outcomes = run_batch(
        jobs, workers=workers, job_function=_raising_job, on_done=lambda d, n, o: done.append(d)
    )
    assert [o["outcome"] for o in outcomes] == [OK, INTERNAL_ERROR, OK]
    assert "KeyError" in outcomes[1]["error"] and outcomes[1]["row"]["file"].endswith("raises.toml")
    assert done == [1, 2, 3]


def test_a_worker_process_that_dies_is_that_jobs_outcome(tmp_path):
    jobs = jobs_named(tmp_path, "first", "dies", "middle", "last")
    outcomes = run_batch(jobs, workers=2, job_function=_dying_job)
    assert [o["outcome"] for o in outcomes] == [OK, INTERNAL_ERROR, OK, OK]
    assert "worker process running this scenario died" in outcomes[1]["error"]
    assert outcomes[1]["json"]["status"] == INTERNAL_ERROR


def test_exit_code_precedence(tmp_path):
    (job,) = jobs_named(tmp_path, "x")
    ok = _ok_job(job)
    bad = failed_outcome(job, BAD_INPUT, "bad.")
    bug = failed_outcome(job, INTERNAL_ERROR, "bug.")
    infeasible = {**ok, "outcome": INFEASIBLE}
    assert batch_exit_code([ok, ok]) == 0
    assert batch_exit_code([ok, infeasible]) == 3
    assert batch_exit_code([infeasible, bad, ok]) == 2
    assert batch_exit_code([bad, bug, infeasible]) == 1


def test_each_error_line_names_its_scenario_file_once(four_scenarios, tmp_path, capsys):
    run(["optimize", str(four_scenarios), "--out", str(tmp_path / "o"), "--format", "csv",
         "--workers", "1"])
    err = capsys.readouterr().err.splitlines()
    for stem in ("b-bad", "d-boom"):
        path = str(four_scenarios / f"{stem}.toml")
        (line,) = [line for line in err if path in line]
        assert line.count(path) == 1 and line.startswith(path), line


def test_a_device_or_fifo_given_as_scenario_or_site_file_is_named_as_such(tmp_path, capsys):
    # Not "no such file": the path exists, it is the wrong kind of thing.
    import os

    from planner.cli.main import run

    fifo = tmp_path / "sites.csv"
    os.mkfifo(fifo)
    assert run(["optimize", "/dev/zero", "--out", str(tmp_path / "o1")]) == 2
    assert "got a device" in capsys.readouterr().err
    assert run(["optimize", "--sites", str(fifo), "--out", str(tmp_path / "o2")]) == 2
    assert "got a FIFO" in capsys.readouterr().err


def test_a_stop_cleans_the_half_built_folders_of_unfinished_scenarios(tmp_path):
    from planner.optimize.batch import _clean_unfinished

    out = tmp_path / "out"
    out.mkdir()
    # "a": killed while building its folder; "b": killed half-way through the swap (its
    # previous results aside, the new ones not yet in); "c": finished, left alone.
    (out / ".a.tmp-x1").mkdir()
    (out / ".a.tmp-x1" / "results.json").write_text("{}")
    (out / ".b.old-y1").mkdir()
    (out / ".b.old-y1" / "results.json").write_text("previous")
    (out / ".b.tmp-y2").mkdir()
    (out / "c").mkdir()
    jobs = [Job(tmp_path / f"{s}.toml", out / s, ("csv",)) for s in ("a", "b")]
    _clean_unfinished(jobs)
    assert sorted(p.name for p in out.iterdir()) == ["b", "c"]
    assert (out / "b" / "results.json").read_text() == "previous"
