"""The window's wiring, checked against the real engine: what the user edits (without saving)
is what runs, and what the window exports is what the run found.

Each test edits through the editor's own widgets, runs, and asserts that the results could
only come from the edited scenario (a run of the file on disk, or of another scenario, fails).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from planner.scenario import load_scenario, save_scenario, scenario_from_dict
from tests.gui.fixtures import RUN_TIMEOUT_MS, run_to_end

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]


def scenario_dict() -> dict:
    # Two phases, several feasible countries, up to three sites: each edit below has room to
    # change the answer.
    return {
        "scenario": {"name": "Wiring check"},
        "fleet": {
            "block_gpus": 512,
            "phases": [
                {"gpu": "H100-SXM", "count": 2048, "start_month": 24},
                {"gpu": "H100-SXM", "count": 1024, "start_month": 36},
            ],
        },
        "sites": {"include_countries": ["SE", "FI", "NO", "US", "CA"]},
        "constraints": {"max_sites": 3, "max_share_per_site": 0.5},
        "analysis": {"pareto_points": 0, "sensitivity": False},
    }


@pytest.fixture
def real(real_window, tmp_path):
    path = tmp_path / "wiring.toml"
    save_scenario(scenario_from_dict(scenario_dict()), path)
    return real_window(path)


def spin(win, name: str) -> QSpinBox:
    box = win.editor.findChild(QSpinBox, name)
    assert box is not None, name
    return box


def test_unsaved_constraint_edit_is_what_runs(qtbot, real):
    before = run_to_end(qtbot, real)
    assert len(before.allocation.summary) >= 2  # a half share cap needs two sites at least
    # One site at most, and no share cap: the run must place the whole fleet at one site.
    share = real.editor.findChild(QDoubleSpinBox, "constraints.max_share_per_site")
    share.setValue(share.maximum())
    spin(real, "constraints.max_sites").setValue(1)
    assert real.doc.dirty
    after = run_to_end(qtbot, real)
    assert after.scenario.constraints.max_sites == 1
    assert len(after.allocation.summary) == 1
    assert int(after.allocation.summary["gpus"].sum()) == 3072
    # The file on disk still says three sites: the run used the edits, not the file.
    assert load_scenario(real.doc.path).constraints.max_sites == 3


def test_unsaved_phase_edit_is_what_runs(qtbot, real):
    real.editor.phases_table.cellWidget(0, 1).setValue(4096)  # GPUs of phase 1
    results = run_to_end(qtbot, real)
    assert [p.count for p in results.scenario.fleet.phases] == [4096, 1024]
    assert int(results.allocation.summary["gpus"].sum()) == 4096 + 1024
    gpus = results.allocation.gpus
    assert int(gpus["phase_0"].sum()) == 4096 and int(gpus["phase_1"].sum()) == 1024


def test_unsaved_weight_edit_reaches_the_run_and_the_ranking(qtbot, real):
    sliders = real.editor.weight_sliders
    for name in ("cost", "carbon", "water", "risk", "time_to_power"):
        sliders[name].setValue(0)
    sliders["latency"].setValue(100)  # latency alone decides the score
    results = run_to_end(qtbot, real)
    weights = results.scenario.objective.weights
    assert weights.latency == pytest.approx(1.0) and weights.cost == 0.0
    # With latency alone, the top-scored site is the one with the lowest latency metric.
    metrics = results.evaluation.metrics
    feasible = results.ranking.index[results.ranking["feasible"].astype(bool)]
    best_latency = metrics.loc[feasible, "latency_ms"].idxmin()
    top = results.ranking.sort_values("rank").index[0]
    assert top == best_latency


def test_export_through_the_window_writes_what_the_run_found(qtbot, real, tmp_path):
    import openpyxl
    from pypdf import PdfReader

    results = run_to_end(qtbot, real)
    chosen = list(results.allocation.summary.index)
    names = results.evaluation.metrics.loc[chosen, "name"].tolist()
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(tmp_path / "report", ("pdf", "html"))
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(tmp_path / "data", ("xlsx", "csv"))

    pdf = PdfReader(io.BytesIO((tmp_path / "report" / "report.pdf").read_bytes()))
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    for text in (pdf_text, html):
        assert "Wiring check" in text
        assert all(_first_word(name) in text for name in names)

    book = openpyxl.load_workbook(tmp_path / "data" / "results.xlsx", read_only=True)
    cells = {
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }
    assert set(chosen) <= cells  # the chosen site ids are in the workbook
    allocation = (tmp_path / "data" / "allocation.csv").read_text(encoding="utf-8")
    assert all(site in allocation for site in chosen)


def _first_word(name: str) -> str:
    # Report tables may wrap a long name over two lines; its first word is on one.
    return name.split()[0].strip(",")


def test_window_export_keeps_the_users_other_files(qtbot, real, tmp_path):
    run_to_end(qtbot, real)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(folder, ("csv",))
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert Path(folder / "allocation.csv").is_file()
