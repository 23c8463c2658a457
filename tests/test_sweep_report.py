"""The report of a sweep folder, from a hand-made manifest and table (no cluster needed)."""

from __future__ import annotations

import json

import pytest

from planner.cli.main import run
from planner.report.sweep import build_sweep_report, sweep_frame
from planner.sweep.spec import point_id
from planner.sweep.store import SweepStore, axis_kinds, read_table

AXES = {"objective.carbon_price_usd_per_t": [0, 100, 200], "energy.ppa_share": [0.0, 1.0]}


def answer(price: int, share: float) -> str:
    # The answer moves to the Nordic site once carbon costs 200, and with a full PPA at 100.
    return "lulea-se" if price >= 200 or (price >= 100 and share == 1.0) else "abilene-tx"


@pytest.fixture
def sweep_folder(tmp_path):
    store = SweepStore(tmp_path / "sweep")
    points, rows = [], []
    for price in AXES["objective.carbon_price_usd_per_t"]:
        for share in AXES["energy.ppa_share"]:
            values = {"objective.carbon_price_usd_per_t": price, "energy.ppa_share": share}
            pid = point_id(values)
            points.append({"id": pid, "values": values})
            failed = price == 200 and share == 1.0
            rows.append({
                "id": pid, "values": values,
                "status": "error" if failed else "ok",
                "message": "internal error: boom." if failed else "Optimal allocation.",
                "solver_status": "optimal",
                "objective_usd": None if failed else 1e9 + price * 1e6 - share * 5e6,
                "sites": "" if failed else answer(price, share),
                "n_sites": 0 if failed else 1,
            })  # fmt: skip
    store.write_manifest(
        {
            "kind": "planner-sweep", "sweep_file": "sweep.toml", "base": "training-16k",
            "scenario_name": "Training <16k>", "mode": "product", "axes": AXES, "linked": [],
            "analysis": "fast", "planner_version": "0.1.0", "points": points,
        }
    )  # fmt: skip
    store.write_table(rows, list(AXES), axis_kinds(AXES))
    return store.folder


def test_the_answers_changes_and_failures(sweep_folder):
    model = build_sweep_report(sweep_folder)
    assert [r[:3] for r in model.answers.rows] == [["A", "abilene-tx", "3"], ["B", "lulea-se", "2"]]
    changes = {(r[0], r[1], r[2]) for r in model.changes.rows}
    # Along the carbon price: 0 -> 100 with a full PPA, 100 -> 200 without one.
    assert ("objective.carbon_price_usd_per_t", "0 -> 100", "energy.ppa_share=1") in changes
    assert ("objective.carbon_price_usd_per_t", "100 -> 200", "energy.ppa_share=0") in changes
    # Along the PPA share at 100 USD/t; at 200 the full-PPA point failed: no answer to compare.
    assert ("energy.ppa_share", "0 -> 1", "objective.carbon_price_usd_per_t=100") in changes
    assert len(model.changes.rows) == 3
    assert model.failed.rows == [[model.failed.rows[0][0], "error", "internal error: boom."]]
    assert len(model.axes) == 2 and len(model.heatmaps) == 1


def test_planner_report_writes_html_and_pdf_into_the_sweep_folder(sweep_folder, capsys):
    assert run(["report", str(sweep_folder), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    html, pdf = (sweep_folder / "sweep-report.html", sweep_folder / "sweep-report.pdf")
    assert doc["reports"] == [str(html), str(pdf)]
    text = html.read_text(encoding="utf-8")
    assert "Points that changed the answer" in text and "Training &lt;16k&gt;" in text
    assert text.count("<svg") == 3  # two axes and one heat map
    assert pdf.read_bytes().startswith(b"%PDF")
    # Again: the sweep's own report files are simply rewritten.
    assert run(["report", str(sweep_folder)]) == 0
    # Any other folder is not a sweep; --out is still needed for a results file.
    assert run(["report", str(sweep_folder.parent)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


def test_the_table_reads_back_with_types_and_positions(sweep_folder):
    table = read_table(sweep_folder / "sweep.parquet")
    assert table["objective.carbon_price_usd_per_t"].dtype.kind == "f"
    assert table["n_sites"].dtype.kind == "i" and table["sites"].iloc[0] == "abilene-tx"
    manifest = SweepStore(sweep_folder).read_manifest()
    frame = sweep_frame(manifest, table)
    assert list(frame["pos_0"]) == [0, 0, 1, 1, 2, 2] and list(frame["pos_1"]) == [0, 1] * 3
