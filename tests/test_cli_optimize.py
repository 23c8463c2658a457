"""`planner optimize` and `planner pareto` through the CLI: outputs, JSON and exit codes.

The evaluation is replaced by a synthetic one so these tests exercise the optimizer and the
command, not the data catalog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from optimizer_fixtures import make_evaluation

from planner.cli.main import run
from planner.results import Results

SCENARIO = """
[scenario]
name = "{name}"
horizon_years = 10

[fleet]
block_gpus = 1024

[[fleet.phases]]
gpu = "H100-SXM"
count = 4096

[[fleet.phases]]
gpu = "B200"
count = 2048
start_month = 12

[constraints]
max_sites = 3
{extra}

[analysis]
pareto_points = 4
sensitivity = true

[analysis.uncertainty]
draws = 50
"""


@pytest.fixture(autouse=True)
def synthetic_evaluation(monkeypatch):
    import planner.evaluate
    import planner.optimize.run

    def fake(scenario, catalog=None, *, sites_file=None, progress=None, **_reevaluation):
        if progress:
            progress("evaluating", 1.0)
        return make_evaluation(scenario, 25, 4)

    monkeypatch.setattr(planner.evaluate, "evaluate_sites", fake)
    # Synthetic sites cannot be re-evaluated from the catalog: no re-evaluated drivers.
    monkeypatch.setattr(planner.optimize.run, "scenario_reevaluator", lambda *_: None)


def write(tmp_path: Path, name: str = "plan", extra: str = "") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, extra=extra))
    return path


def test_optimize_writes_results_and_prints_a_summary(tmp_path, capsys):
    scenario = write(tmp_path)
    out = tmp_path / "out"
    assert run(["optimize", str(scenario), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "plan: optimal." in text and "Ranking by weighted score (screening view, top 10)" in text
    folder = out / "plan"
    results = Results.load_json(folder / "results.json")
    assert results.allocation.status == "optimal"
    assert results.pareto is not None and results.uncertainty is not None
    assert results.sensitivity is not None
    assert (folder / "ranking.csv").is_file()


def test_json_is_one_document_with_ranking_and_allocation(tmp_path, capsys):
    scenario = write(tmp_path)
    assert run(["optimize", str(scenario), "--out", str(tmp_path / "o"), "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["status"] == "optimal" and doc["objective_usd"] > 0
    assert len(doc["ranking"]) == 25 and {"rank", "score", "contrib_cost"} <= set(doc["ranking"][0])
    assert sum(row["gpus"] for row in doc["allocation"]) == 6144
    assert captured.err == ""


def test_existing_outputs_need_overwrite(tmp_path, capsys):
    scenario = write(tmp_path)
    out = tmp_path / "out"
    assert run(["optimize", str(scenario), "--out", str(out)]) == 0
    capsys.readouterr()
    assert run(["optimize", str(scenario), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pass --overwrite" in err[0] and str(out / "plan") in err[0]
    assert run(["optimize", str(scenario), "--out", str(out), "--overwrite"]) == 0


def test_unwritable_out_is_bad_input(tmp_path, capsys):
    scenario = write(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(["optimize", str(scenario), "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a folder, found a file" in err[0] and str(blocker) in err[0]


def test_infeasible_exits_3_and_explains(tmp_path, capsys):
    scenario = write(tmp_path, extra="max_share_per_site = 0.2")
    assert run(["optimize", str(scenario), "--out", str(tmp_path / "o")]) == 3
    out = capsys.readouterr().out
    # 20 % of 6 blocks is one whole block per site; three sites hold 3 of 6 blocks.
    assert (
        "at most 20% of the fleet per site (1 of 6 blocks) at 3 sites covers only 50% of the fleet"
        in out
    )
    assert (
        Results.load_json(tmp_path / "o" / "plan" / "results.json").allocation.status
        == "infeasible"
    )


def test_bad_format_and_missing_file_are_bad_input(tmp_path, capsys):
    scenario = write(tmp_path)
    assert run(["optimize", str(scenario), "--out", str(tmp_path / "o"), "--format", "docx"]) == 2
    assert "unknown output format 'docx'" in capsys.readouterr().err
    assert run(["optimize", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2


def test_batch_folder_runs_each_scenario_and_writes_a_summary(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, "alpha")
    write(folder, "beta", extra="max_share_per_site = 0.2")
    out = tmp_path / "out"
    code = run(["optimize", str(folder), "--out", str(out), "--workers", "2", "--json"])
    assert code == 3  # beta is infeasible
    doc = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in doc["summary"]] == ["optimal", "infeasible"]
    assert (out / "alpha" / "results.json").is_file() and (out / "beta" / "results.json").is_file()
    assert (out / "summary.csv").read_text().count("\n") == 3


def test_pareto_command(tmp_path, capsys):
    scenario = write(tmp_path)
    assert run(["pareto", str(scenario), "--points", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    costs = [p["cost_usd"] for p in doc["points"]]
    co2 = [p["co2_t"] for p in doc["points"]]
    assert costs == sorted(costs) and co2 == sorted(co2, reverse=True)
    assert run(["pareto", str(scenario), "--points", "3"]) == 0
    assert "non-dominated allocations" in capsys.readouterr().out


def test_pareto_infeasible_exits_3(tmp_path, capsys):
    scenario = write(tmp_path, extra="max_share_per_site = 0.2")
    assert run(["pareto", str(scenario)]) == 3
