"""results.json of large runs: the per-site tables in a Parquet side file, read back as if the
JSON held them; a missing or replaced side file refused in one sentence naming it.

The threshold is lowered to a few sites so that the 12-site fixture is a "large" run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from report_fixtures import make_results

import planner.results as results_module
from planner.cli.main import run
from planner.errors import InputError
from planner.results import Results, side_file_path

FRAMES = [
    "metrics",
    "phase_block_cost_usd",
    "phase_block_co2_t",
    "phase_block_water_m3",
    "block_site_mw",
    "rtt_ms",
    "monthly",
    "provenance",
    "site_fixed_cost_by_first_phase_usd",
]


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(results_module, "SIDE_FILE_SITES", 3)


def saved_twice(tmp_path: Path, results: Results, monkeypatch) -> tuple[Path, Path]:
    """The same results saved in one JSON (``one/``) and with a side file (``two/``)."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = results.save_json(tmp_path / "one" / "results.json")
    monkeypatch.setattr(results_module, "SIDE_FILE_SITES", 3)
    two = results.save_json(tmp_path / "two" / "results.json")
    return one, two


def assert_same(a: Results, b: Results) -> None:
    pairs = [(getattr(a.evaluation, n), getattr(b.evaluation, n)) for n in FRAMES]
    for left, right in [*pairs, (a.ranking, b.ranking), (a.uncertainty, b.uncertainty)]:
        assert (left is None) == (right is None)
        if left is not None:
            pd.testing.assert_frame_equal(left, right, check_exact=True)
    pd.testing.assert_series_equal(
        a.evaluation.site_fixed_cost_usd, b.evaluation.site_fixed_cost_usd, check_exact=True
    )
    cases = [r.evaluation.hourly_case_of_site for r in (a, b)]
    assert [None if c is None else list(c) for c in cases] == [
        None if c is None else list(c) for c in cases[::-1]
    ]
    assert a.allocation.objective_usd == b.allocation.objective_usd


def test_a_small_run_keeps_everything_in_one_json(tmp_path):
    path = make_results().save_json(tmp_path / "results.json")
    data = json.loads(path.read_text())
    assert "side_file" not in data and "metrics" in data["evaluation"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_above_the_threshold_the_tables_round_trip_through_the_side_file(tmp_path, monkeypatch):
    results = make_results()
    results.evaluation.hourly_case_of_site = [0] * len(results.evaluation.metrics)
    results.evaluation.hourly_pue = results.evaluation.hourly_pue[:1]
    results.evaluation.hourly_wue_l_per_kwh = results.evaluation.hourly_wue_l_per_kwh[:1]
    one, two = saved_twice(tmp_path, results, monkeypatch)
    assert sorted(p.name for p in two.parent.iterdir()) == ["results.json", "results.sites.parquet"]
    data = json.loads(two.read_text())
    ref = data["side_file"]
    assert ref["name"] == "results.sites.parquet" and ref["sites"] == 12
    # Every per-site table left the JSON; the scenario, allocation and provenance stay.
    for key in ("metrics", "monthly", "rtt_ms", "site_fixed_cost_usd", "hourly_case_of_site"):
        assert key not in data["evaluation"], key
    assert "ranking" not in data and "uncertainty" not in data
    assert {"scenario", "allocation"} <= set(data) and "provenance" in data["evaluation"]
    assert_same(Results.load_json(one), Results.load_json(two))


def test_a_table_of_some_sites_in_its_own_order_keeps_both(tmp_path, monkeypatch):
    results = make_results()
    # Four sites, in reverse order, with a whole-number column: 1 must come back as 1, not 1.0.
    sites = list(results.evaluation.metrics.index[:4])[::-1]
    results.uncertainty = pd.DataFrame(
        {"p_first": [0.5, 0.25, 0.25, 0.0], "wins": [2, 1, 1, 0]},
        index=pd.Index(sites, name="site_id"),
    )
    one, two = saved_twice(tmp_path, results, monkeypatch)
    back = Results.load_json(two)
    assert list(back.uncertainty.index) == sites
    assert back.uncertainty["wins"].tolist() == [2, 1, 1, 0]
    assert back.uncertainty["wins"].dtype.kind == "i"
    assert_same(Results.load_json(one), back)


def test_a_missing_side_file_is_named(tmp_path, large):
    path = make_results().save_json(tmp_path / "results.json")
    side = side_file_path(path)
    side.unlink()
    with pytest.raises(InputError) as info:
        Results.load_json(path)
    assert info.value.file == str(side) or Path(info.value.file) == side
    assert "is missing" in str(info.value) and str(side) in str(info.value)
    assert str(info.value).count(". ") == 0  # one sentence


def test_a_replaced_side_file_is_named(tmp_path, large):
    path = make_results().save_json(tmp_path / "results.json")
    side = side_file_path(path)
    raw = bytearray(side.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped byte
    side.write_bytes(bytes(raw))
    with pytest.raises(InputError, match="SHA-256 differs") as info:
        Results.load_json(path)
    assert Path(info.value.file) == side


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "../results.sites.parquet"), ("name", None), ("tables", {"scenario.name": {}})],
)
def test_a_side_file_entry_pointing_elsewhere_is_refused(tmp_path, large, key, value):
    path = make_results().save_json(tmp_path / "results.json")
    data = json.loads(path.read_text())
    data["side_file"][key] = value
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        Results.load_json(path)
    assert info.value.field == "side_file" and Path(info.value.file) == path


def test_a_layout_naming_a_column_the_side_file_lacks_is_refused(tmp_path, large):
    path = make_results().save_json(tmp_path / "results.json")
    data = json.loads(path.read_text())
    data["side_file"]["tables"]["evaluation.rtt_ms"]["columns"].append("Atlantis")
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="cannot read the side file") as info:
        Results.load_json(path)
    assert Path(info.value.file) == side_file_path(path)


def test_report_reads_a_results_file_with_a_side_file(tmp_path, large, capsys):
    path = make_results().save_json(tmp_path / "results.json")
    out = tmp_path / "report.html"
    assert run(["report", str(path), "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    side_file_path(path).unlink()
    assert run(["report", str(path), "--out", str(tmp_path / "again.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "results.sites.parquet" in err[0] and "missing" in err[0]


def test_an_optimize_folder_lists_its_side_file_and_reports_from_the_folder(
    tmp_path, large, capsys
):
    from planner.optimize.batch import write_results

    out = tmp_path / "run"
    written = write_results(make_results(), out, ["json"])
    assert written == [out / "results.json", out / "results.sites.parquet"]
    assert all(p.is_file() for p in written)
    # `planner report` takes the folder as well as its results.json.
    html = tmp_path / "r.html"
    assert run(["report", str(out), "--out", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # A folder with neither results.json nor sweep.json is refused in one line.
    (tmp_path / "empty").mkdir()
    assert run(["report", str(tmp_path / "empty")]) == 2
    assert "no sweep.json" in capsys.readouterr().err
