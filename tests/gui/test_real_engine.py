"""The window over the real engine: the sequences that crashed it (run twice, import a site
file and run again, export twice) and the interruptions a user makes (cancel an export, open
another scenario while a run is going).

A test double hid a segfault once: pyproj's per-thread PROJ context was freed between two
runs on a pooled Qt thread. These tests use :class:`planner.gui.engine.Engine` itself on a
small scenario (one phase, no Pareto front, no Monte Carlo) so that each run takes a second
or two.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner.scenario import load_scenario, save_scenario, scenario_from_dict
from tests.gui.fixtures import RUN_TIMEOUT_MS, run_to_end

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]


# Four user sites with their own ids; the nearest default sites lend them climate normals.
USER_SITES = """id,name,lat,lon
u-lulea,User Lulea,65.6,22.1
u-dublin,User Dublin,53.35,-6.26
u-chicago,User Chicago,41.88,-87.63
u-frankfurt,User Frankfurt,50.11,8.68
"""


def small_scenario(name: str, **sites: object) -> dict:
    return {
        "scenario": {"name": name},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 2048, "start_month": 24}]},
        "sites": {"include_countries": ["SE", "NO", "IE", "US"], **sites},
        "analysis": {"pareto_points": 0, "sensitivity": False},
    }


@pytest.fixture
def scenario_a(tmp_path) -> Path:
    path = tmp_path / "a.toml"
    save_scenario(scenario_from_dict(small_scenario("Scenario A")), path)
    return path


@pytest.fixture
def scenario_b(tmp_path) -> Path:
    path = tmp_path / "b.toml"
    save_scenario(scenario_from_dict(small_scenario("Scenario B", exclude_countries=["US"])), path)
    return path


@pytest.fixture
def sites_csv(tmp_path) -> Path:
    path = tmp_path / "user_sites.csv"
    path.write_text(USER_SITES, encoding="utf-8")
    return path


@pytest.fixture
def real(real_window, scenario_a):
    return real_window(scenario_a)


def test_run_twice(qtbot, real, dialogs):
    first = run_to_end(qtbot, real)
    second = run_to_end(qtbot, real)
    assert dialogs.errors == []
    assert second is not first
    # The filter keeps the default sites of four countries only, both times.
    countries = set(second.evaluation.metrics["country"])
    assert countries <= {"SE", "NO", "IE", "US"} and len(countries) >= 3
    assert list(first.evaluation.metrics.index) == list(second.evaluation.metrics.index)
    assert real.proxy.rowCount() == len(second.evaluation.metrics)


def test_import_a_site_file_and_run_twice(qtbot, real, dialogs, sites_csv):
    # The sequence that crashed the window (SIGSEGV in pyproj on the worker thread).
    assert real.import_sites(sites_csv)
    first = run_to_end(qtbot, real)
    second = run_to_end(qtbot, real)
    assert dialogs.errors == []
    # The scenario's country filter (SE, NO, IE, US) applies to user sites too: no Frankfurt.
    expected = ["u-lulea", "u-dublin", "u-chicago"]
    assert sorted(first.evaluation.metrics.index) == sorted(expected)
    assert sorted(second.evaluation.metrics.index) == sorted(expected)
    # The unsaved import is what ran: the file on disk still names the default catalog.
    assert real.doc.dirty
    assert load_scenario(real.doc.path).sites.catalog == "default"


def test_export_data_twice(qtbot, real, dialogs, sites_csv, tmp_path):
    assert real.import_sites(sites_csv)
    results = run_to_end(qtbot, real)
    for folder in (tmp_path / "first", tmp_path / "second"):
        with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
            assert real.export_to(folder, ("csv", "xlsx", "geojson")) is not None
    assert dialogs.errors == []
    for folder in (tmp_path / "first", tmp_path / "second"):
        csvs = sorted(folder.rglob("*.csv"))
        assert csvs, f"no CSV written in {folder}"
        text = "\n".join(p.read_text(encoding="utf-8") for p in csvs)
        assert all(sid in text for sid in results.evaluation.metrics.index)
        geojson = json.loads((folder / "sites.geojson").read_text(encoding="utf-8"))
        ids = {f["properties"].get("site_id") for f in geojson["features"]}
        assert ids >= set(results.evaluation.metrics.index)
        xlsx = next(folder.rglob("*.xlsx"))
        sheets = pd.read_excel(xlsx, sheet_name=None)
        assert sheets and all(len(s.columns) for s in sheets.values())


def test_cancel_an_export_in_the_middle(qtbot, real, dialogs, tmp_path):
    run_to_end(qtbot, real)
    folder = tmp_path / "cancelled"
    assert real.export_to(folder, ("pdf", "html", "csv")) is not None
    # The window shows the first progress report before the PDF is written (several
    # seconds); cancel while it is written.
    qtbot.waitUntil(lambda: "Writing PDF" in real.status_label.text(), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignals([real.runCancelled, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.on_cancel()
    assert dialogs.errors == []
    # Stopped between whole files: never the HTML after the PDF, never a truncated PDF.
    assert not list(folder.rglob("*.html")) and not list(folder.rglob("*.csv"))
    for pdf in folder.rglob("*.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    # The window still works: the same export runs to the end.
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(tmp_path / "complete", ("html", "csv"))
    assert list((tmp_path / "complete").rglob("*.html"))


def test_open_another_scenario_while_a_run_is_going(qtbot, real, dialogs, scenario_b):
    with qtbot.waitSignal(real.workDone, timeout=RUN_TIMEOUT_MS):
        assert real.on_run() is not None
        assert real.open_path(scenario_b)  # the run of A is cancelled or its results dropped
    assert real.doc.scenario.name == "Scenario B"
    assert real.results is None  # nothing of scenario A is shown as B's results
    results = run_to_end(qtbot, real)
    assert results.scenario.name == "Scenario B"
    assert "US" not in set(results.evaluation.metrics["country"])
    assert dialogs.errors == []


def test_window_survives_run_import_run_export(qtbot, real, dialogs, sites_csv, tmp_path):
    # The user's whole afternoon in one go, each step on the same window and worker thread.
    run_to_end(qtbot, real)
    assert real.import_sites(sites_csv)
    run_to_end(qtbot, real)
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(tmp_path / "out", ("html", "csv", "geojson"))
    run_to_end(qtbot, real)
    with qtbot.waitSignals([real.exportFinished, real.workDone], timeout=RUN_TIMEOUT_MS):
        real.export_to(tmp_path / "out2", ("csv",))
    assert dialogs.errors == []
    assert sorted(real.results.evaluation.metrics.index)[0] == "u-chicago"


HOSTILE_NAME = '<img src="x"><b>Evil</b> & Co'


def test_site_names_are_shown_as_typed(qtbot, real, dialogs, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    sites = tmp_path / "hostile.csv"
    pd.DataFrame([{"id": "evil", "name": HOSTILE_NAME, "lat": 65.6, "lon": 22.1}]).to_csv(
        sites, index=False
    )
    assert real.import_sites(sites)
    run_to_end(qtbot, real)
    real.select_sites(["evil"])
    # The detail title names the site literally; no label turns user text into markup.
    assert HOSTILE_NAME in real.detail.title.text()
    labels = real.findChildren(QLabel)
    assert labels and all(lab.textFormat() == Qt.TextFormat.PlainText for lab in labels)
    row = real.model.row_of("evil")
    tip = real.model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "evil" in tip  # escaped inside an explicit rich-text block
    marker_tip = real.map._markers["evil"].toolTip()
    assert "&lt;img" in marker_tip and "<img" not in marker_tip


def test_weights_of_any_scale_pin_their_slider(qtbot, dialogs, settings, tmp_path):
    from planner.gui.engine import Engine
    from planner.gui.mainwindow import MainWindow

    data = small_scenario("Huge weights")
    # Weights have any scale (the score divides by their sum): 1e10 is legal.
    data["objective"] = {
        "weights": {
            "cost": 1e10,
            "carbon": 0.5,
            "water": 0,
            "latency": 0,
            "risk": 0,
            "time_to_power": 0,
        }
    }
    path = tmp_path / "huge.toml"
    save_scenario(scenario_from_dict(data), path)
    win = MainWindow(engine=Engine(), dialogs=dialogs, settings=settings)
    qtbot.addWidget(win)
    assert win.open_path(path)
    assert dialogs.errors == []
    assert win.editor.weight_sliders["cost"].value() == 100  # pinned at its end
    assert win.editor.weight_sliders["carbon"].value() == 50
    assert win.editor._weight_labels["cost"].text() == "1e+10"
    win.worker.wait(5.0)


def test_import_shows_the_readers_messages(qtbot, real, dialogs, sites_csv):
    assert real.import_sites(sites_csv)
    # The reader assigned two regions by distance: said in the Messages panel, not a dialog.
    messages = real.messages.messages()
    assert any("whose centre is nearest" in m and "u-lulea" in m for m in messages)
    assert real.messages_dock.windowTitle() == f"Messages ({len(messages)})"
    assert "Messages" in real.status_label.text()
    assert dialogs.errors == []
    # The map shows the file's sites (after the scenario's country filter) before any run.
    qtbot.waitUntil(lambda: real.map.marker("u-dublin") is not None, timeout=RUN_TIMEOUT_MS)
    assert real.map.marker("u-frankfurt") is None


def test_run_stages_are_named_in_words(qtbot, real):
    from planner.gui.mainwindow import STAGES

    seen: list[str] = []
    shown = real._status
    real._status = lambda text: (seen.append(text), shown(text))
    run_to_end(qtbot, real)
    stages = [t for t in seen if t.endswith("…")]
    assert stages and all(t[0].isupper() for t in stages)
    assert any(t.rstrip("…") in STAGES.values() for t in stages)
    raw = {k for k in STAGES if k != k.capitalize()}
    assert not any(t.rstrip("…") in raw for t in stages)
