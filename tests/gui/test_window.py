"""The desktop window end to end on the offscreen platform, over the synthetic results."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.scenario import load_scenario
from tests.report_fixtures import make_results

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]


def _table_order(window) -> list[str]:
    from planner.gui.models import SITE_ID_ROLE

    proxy = window.proxy
    return [proxy.index(r, 0).data(SITE_ID_ROLE) for r in range(proxy.rowCount())]


def test_run_shows_expected_top_site(ran):
    # The synthetic ranking puts this site first (tests/report_fixtures.py, rank column).
    expected = make_results().ranking.sort_values("rank").index[0]
    assert _table_order(ran)[0] == expected
    assert ran.proxy.rowCount() == 12
    # Units are in the headers.
    headers = [
        ran.model.headerData(i, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
        for i in range(ran.model.columnCount())
    ]
    assert "Cost (USD/GPU-h)" in headers and "Latency (ms)" in headers


def test_infeasible_sites_are_grey_with_reasons(ran):
    from PySide6.QtCore import Qt

    row = ran.model.row_of("us-az-phoenix")
    index = ran.model.index(row, 1)
    assert "water stress 4.6" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    # Infeasible sites come after every feasible one.
    assert set(_table_order(ran)[-2:]) == {"us-az-phoenix", "ie-dublin"}


def test_weight_sliders_rerank_live(ran, qtbot):
    before = _table_order(ran)[0]
    sliders = ran.editor.weight_sliders
    # Latency only: the lowest latency wins. The synthetic latency is 0.9 ms per degree from
    # (40 N, 80 W) (tests/report_fixtures.py): Ashburn 0.9 x hypot(0.96, 2.51) = 2.4 ms,
    # Columbus 0.9 x hypot(0.04, 3.00) = 2.7 ms, every other site farther.
    for name in ("cost", "carbon", "water", "risk", "time_to_power"):
        sliders[name].setValue(0)
    with qtbot.waitSignal(ran.reranked, timeout=5_000):
        sliders["latency"].setValue(100)
    assert before != "us-va-ashburn"
    assert _table_order(ran)[:2] == ["us-va-ashburn", "us-oh-columbus"]
    assert ran.engine.runs == 1  # re-ranked from cached metrics, not re-run
    assert ran.isWindowModified()


def test_table_selection_is_shown_on_map(ran):
    from PySide6.QtCore import QItemSelectionModel

    proxy_row = _table_order(ran).index("no-oslo")
    ran.table.selectionModel().select(
        ran.proxy.index(proxy_row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert ran.map.selected_sites() == ["no-oslo"]
    assert ran.detail.site_id == "no-oslo"


def test_map_click_selects_in_table(ran, qtbot):
    from PySide6.QtCore import Qt

    ran.map.fit_sites()
    marker = ran.map.marker("se-lulea")
    point = ran.map.mapFromScene(marker.pos())
    qtbot.mouseClick(ran.map.viewport(), Qt.MouseButton.LeftButton, pos=point)
    rows = ran.table.selectionModel().selectedRows()
    assert [ran.proxy.data(r, Qt.ItemDataRole.UserRole + 1) for r in rows] == ["se-lulea"]


def test_compare_marks_best(ran):
    from PySide6.QtCore import Qt

    ran.select_sites(["se-lulea", "us-va-ashburn", "no-oslo"])
    table = ran.compare.table
    assert table.columnCount() == 3
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    row = labels.index("Latency (ms)")
    # Ashburn is closest to the synthetic demand point (40 N, 80 W): lowest latency.
    assert table.item(row, 1).text().startswith("★")
    assert not table.item(row, 0).text().startswith("★")
    # The others show how far they are from the best, in the row's unit.
    latency = ran.results.evaluation.metrics["latency_ms"]
    gap = round(latency["se-lulea"]) - round(latency["us-va-ashburn"])
    assert table.item(row, 0).text() == f"{latency['se-lulea']:.0f} (+{gap:.0f})"
    assert table.item(row, 0).textAlignment() & Qt.AlignmentFlag.AlignRight


def test_compare_marks_ties_and_rows_that_do_not_differ():
    import pandas as pd

    from planner.gui.columns import Column
    from planner.gui.panels import compare_cells

    pue = Column("pue_annual", "PUE", "", ".3f", better="low")
    cells = compare_cells(pd.Series({"a": 1.1204, "b": 1.1196, "c": 1.25}), pue)
    # 1.120 and 1.120 read the same: a tie for the best, both marked; c shows its gap.
    assert cells["a"] == ("★= 1.120", "tie") and cells["b"] == ("★= 1.120", "tie")
    assert cells["c"] == ("1.250 (+0.130)", "")
    same = compare_cells(pd.Series({"a": 2.0, "b": 2.0}), pue)
    assert same == {"a": ("= 2.000", "same"), "b": ("= 2.000", "same")}
    tech = Column("cooling_technology", "Cooling technology")
    assert compare_cells(pd.Series({"a": "liquid-dtc", "b": "liquid-dtc"}), tech)["a"] == (
        "= liquid-dtc",
        "same",
    )
    score = Column("score", "Score", "0–1", ".3f", better="high")
    cells = compare_cells(pd.Series({"a": 0.75, "b": 0.70}), score)
    assert cells["a"] == ("★ 0.750", "best") and cells["b"] == ("0.700 (-0.050)", "")


def test_undo_redo_an_edit(window):
    doc = window.doc
    assert not window.isWindowModified()
    window.editor.weight_sliders["water"].setValue(55)
    assert doc.scenario.objective.weights.water == pytest.approx(0.55)
    assert window.isWindowModified()
    window.actions_by_id["undo"].trigger()
    assert doc.scenario.objective.weights.water == pytest.approx(0.1)  # scenario_dict default
    assert window.editor.weight_sliders["water"].value() == 10
    assert not window.isWindowModified()
    window.actions_by_id["redo"].trigger()
    assert doc.scenario.objective.weights.water == pytest.approx(0.55)


def test_invalid_edit_is_refused_with_a_sentence(window, dialogs):
    # max_sites below min_sites: the core's validator refuses; the document does not change.
    window.doc.edit(("constraints", "min_sites"), 2)
    spin = window.editor.findChild(
        __import__("PySide6.QtWidgets").QtWidgets.QSpinBox, "constraints.max_sites"
    )
    spin.setValue(1)
    assert dialogs.errors and "min_sites" in dialogs.errors[-1]
    assert window.doc.scenario.constraints.max_sites == 2
    assert spin.value() == 2


def test_bad_sites_csv_gives_a_dialog_and_changes_nothing(window, dialogs, tmp_path):
    bad = tmp_path / "sites.csv"
    bad.write_text("site_id,lat,lon\na,10,20\nb,north,30\n", encoding="utf-8")
    before = window.doc.scenario.model_copy(deep=True)
    dialogs.answers.append(bad)
    window.actions_by_id["import_sites"].trigger()
    assert len(dialogs.errors) == 1
    assert "row 2" in dialogs.errors[0] and "lat" in dialogs.errors[0]
    assert "Traceback" not in dialogs.errors[0]
    assert window.doc.scenario == before
    assert not window.doc.dirty


def test_good_sites_csv_is_an_undoable_edit(window, tmp_path):
    good = tmp_path / "sites.csv"
    good.write_text("site_id,lat,lon\na,10,20\n", encoding="utf-8")
    assert window.import_sites(good)
    assert Path(window.doc.scenario.sites.catalog) == good.resolve()
    window.doc.undo_stack.undo()
    assert window.doc.scenario.sites.catalog == "default"


def test_cancel_a_long_run(qtbot, window):
    window.engine.steps = 20_000
    window.engine.step_wait_s = 0.002  # 40 s if never cancelled
    assert window.on_run() is not None
    # The run has started and reports progress. (Waiting on the task's own signal would
    # connect and disconnect a slot while the worker thread emits it: PySide can crash then.)
    qtbot.waitUntil(lambda: "Evaluating sites" in window.status_label.text(), timeout=20_000)
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    with qtbot.waitSignals([window.runCancelled, window.workDone], timeout=20_000):
        window.cancel_button.click()
    assert not window.progress.isVisible()
    assert window.actions_by_id["run"].isEnabled()
    assert window.results is None
    assert window.engine.runs == 1


def test_failed_run_is_one_sentence(qtbot, window, dialogs):
    def broken(scenario, progress=None):
        raise ZeroDivisionError("division by zero")

    window.engine.run = broken
    with qtbot.waitSignal(window.runFailed, timeout=5_000):
        window.on_run()
    assert len(dialogs.errors) == 1
    assert dialogs.errors[0].startswith("The run failed") and dialogs.errors[0].endswith(".")
    assert "\n" not in dialogs.errors[0]


def test_save_reopen_same_scenario(window, dialogs, tmp_path):
    window.editor.weight_sliders["risk"].setValue(30)
    window.doc.edit(("fleet", "phases"), [{"gpu": "B200", "count": 2048, "start_month": 3}])
    target = tmp_path / "saved.toml"
    dialogs.answers.append(target)
    assert window.on_save_as()
    assert not window.isWindowModified()
    assert window.doc.path == target
    assert load_scenario(target) == window.doc.scenario
    assert window.recent_files()[0] == str(target.resolve())
    assert window.open_path(target)
    assert window.doc.scenario.objective.weights.risk == pytest.approx(0.3)
    assert window.doc.scenario.fleet.phases[0].gpu == "B200"


def test_quit_asks_to_save(window, dialogs):
    window.editor.weight_sliders["risk"].setValue(30)
    dialogs.answers.append("cancel")
    assert not window.close()
    dialogs.answers.append("discard")
    assert window.close()


def test_export_runs_in_a_worker(qtbot, ran, dialogs, tmp_path):
    # The user names the report; PDF and HTML take that name.
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dialogs.answers.append(tmp_path / "board-pack.pdf")
    exported: list = []
    ran.exportFinished.connect(exported.append)
    with qtbot.waitSignals([ran.exportFinished, ran.workDone], timeout=10_000):
        ran.actions_by_id["export_report"].trigger()
    assert dialogs.suggested[-1].endswith("synthetic-report.pdf")  # from the scenario's name
    written = exported[0]
    assert [p.name for p in written] == ["board-pack.pdf", "board-pack.html"]
    assert all(p.read_text(encoding="utf-8") == "synthetic" for p in written)
    assert dialogs.overwrite_questions == []
    # No hidden work folder is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board-pack.html", "board-pack.pdf"]


def test_export_asks_before_replacing_files(qtbot, ran, dialogs, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "board-pack.pdf").write_text("the user's own file", encoding="utf-8")
    dialogs.answers.append(tmp_path / "board-pack")
    dialogs.overwrite_answers.append(False)
    with qtbot.waitSignals([ran.exportFinished, ran.workDone], timeout=10_000):
        ran.on_export_report()
    assert [p.name for p in dialogs.overwrite_questions[0]] == ["board-pack.pdf"]
    assert (tmp_path / "board-pack.pdf").read_text(encoding="utf-8") == "the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board-pack.pdf"]
    assert "kept" in ran.status_label.text()
    # Asked again and answered yes: replaced.
    dialogs.answers.append(tmp_path / "board-pack.pdf")
    with qtbot.waitSignals([ran.exportFinished, ran.workDone], timeout=10_000):
        ran.on_export_report()
    assert (tmp_path / "board-pack.pdf").read_text(encoding="utf-8") == "synthetic"


def test_export_shows_progress_per_format_and_cancel_writes_nothing(
    qtbot, ran, engine, dialogs, tmp_path
):
    import threading

    release = threading.Event()
    original = engine.export

    def slow_export(results, out_dir, formats, progress=None):
        for i, fmt in enumerate(formats):
            progress(f"Writing {fmt.upper()} ({i + 1} of {len(formats)})", i / len(formats))
            release.wait(5.0)  # the user presses Cancel while the first file is written
        return original(results, out_dir, formats, progress)

    engine.export = slow_export
    folder = tmp_path / "data"
    assert ran.export_to(folder, ("csv", "xlsx", "geojson")) is not None
    qtbot.waitUntil(lambda: "Writing CSV (1 of 3)" in ran.status_label.text(), timeout=10_000)
    with qtbot.waitSignals([ran.runCancelled, ran.workDone], timeout=10_000):
        ran.on_cancel()
        release.set()
    assert list(folder.iterdir()) == []  # nothing written, no hidden folder left
    assert "Cancelled" in ran.status_label.text()


def test_layout_and_recent_files_are_remembered(qtbot, engine, dialogs, settings, scenario_file):
    from planner.gui.mainwindow import MainWindow

    first = MainWindow(engine=engine, dialogs=dialogs, settings=settings)
    qtbot.addWidget(first)
    first.open_path(scenario_file)
    first.show()
    first.resize(first.minimumSizeHint().width() + 10, first.minimumSizeHint().height() + 10)
    size = first.size()
    assert size.width() < 1600  # not the default size
    first.close()
    second = MainWindow(engine=engine, dialogs=dialogs, settings=settings)
    qtbot.addWidget(second)
    # The offscreen screen is 800 x 800 px; restoreGeometry clamps the width to it, not the height.
    assert second.size().height() == size.height()
    assert second.recent_files() == [str(scenario_file.resolve())]


def test_pareto_and_uncertainty_tabs_have_charts(ran):
    assert ran.pareto.chart.figure is not None
    assert ran.pareto.points.rowCount() == 6
    ran.pareto.select_point(4)
    assert ran.pareto.alloc_label.text() == "Allocation of point 5"
    assert ran.uncertainty.tornado.figure is not None
    assert ran.uncertainty.probabilities.figure is not None


def test_help_lists_shortcuts(window, dialogs):
    window.actions_by_id["shortcuts"].trigger()
    window.actions_by_id["about"].trigger()
    assert "F5" in dialogs.abouts[0][1]
    assert "0.1.0" in dialogs.abouts[1][1]


def test_real_reader_refuses_bad_sites_csv_with_a_dialog(
    qtbot, dialogs, settings, scenario_file, tmp_path
):
    # The application's own engine, with the catalog's site reader (planner.catalog).
    from planner.gui.engine import Engine
    from planner.gui.mainwindow import MainWindow

    pytest.importorskip("planner.catalog")
    win = MainWindow(engine=Engine(), dialogs=dialogs, settings=settings)
    qtbot.addWidget(win)
    assert win.open_path(scenario_file)
    bad = tmp_path / "bad-sites.csv"
    bad.write_text("id,name,lat,lon\nx1,Somewhere,95.0,10.0\n", encoding="utf-8")
    before = win.doc.scenario.model_copy(deep=True)
    assert not win.import_sites(bad)
    assert len(dialogs.errors) == 1 and "bad-sites.csv" in dialogs.errors[0]
    assert "\n" not in dialogs.errors[0]
    assert win.doc.scenario == before and not win.doc.dirty


def test_weather_import_validates_with_the_climate_reader(
    qtbot, dialogs, settings, scenario_file, tmp_path
):
    from planner.gui.engine import Engine
    from planner.gui.mainwindow import MainWindow

    win = MainWindow(engine=Engine(), dialogs=dialogs, settings=settings)
    qtbot.addWidget(win)
    assert win.open_path(scenario_file)
    bad = tmp_path / "station.epw"
    bad.write_text("LOCATION,Nowhere\nnot a weather file\n", encoding="utf-8")
    assert not win.import_weather("se-lulea", bad)
    assert len(dialogs.errors) == 1 and "station.epw" in dialogs.errors[0]
    assert win.doc.scenario.sites.weather_files == {}


def test_map_hover_zoom_and_fit(ran, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    marker = ran.map.marker("se-lulea")
    assert "Luleå" in marker.toolTip() and "USD/GPU-h" in marker.toolTip()
    ran.map.fit_sites()
    before = ran.map.transform().m11()
    centre = QPointF(ran.map.viewport().rect().center())
    event = QWheelEvent(
        centre,
        ran.map.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    ran.map.wheelEvent(event)
    assert ran.map.transform().m11() == pytest.approx(before * 1.2**2)
    ran.actions_by_id["fit_map"].trigger()
    assert ran.map.transform().m11() == pytest.approx(before)
    # Chosen sites are diamonds labelled with their name and share (tests/report_fixtures.py:
    # 10 of 12 blocks at the first); the others stay dots.
    assert ran.map.labels()["se-lulea"] == "Luleå · 83%"
    assert ran.map.marker("se-lulea").chosen and not ran.map.marker("no-oslo").chosen


def test_map_legend_folds_and_moves(ran, qtbot):
    from PySide6.QtCore import QPoint, Qt

    legend = ran.map.legend
    assert legend.isVisible() and legend.title.text().startswith("Score (0–1)")
    assert "◆ chosen by the allocation" in legend.key.text()
    open_height = legend.height()
    legend.fold.click()
    assert legend.collapsed and not legend.body.isVisible()
    assert legend.height() < open_height
    legend.fold.click()
    assert not legend.collapsed and legend.body.isVisible()
    # Dragged by its title, it moves and stays where it was put (inside the map).
    before = legend.pos()
    qtbot.mousePress(legend, Qt.MouseButton.LeftButton, pos=QPoint(20, 8))
    qtbot.mouseMove(legend, pos=QPoint(140, -60))
    qtbot.mouseRelease(legend, Qt.MouseButton.LeftButton, pos=QPoint(140, -60))
    assert legend.moved_by_user and legend.pos() != before
    moved = legend.pos()
    ran.map.fit_sites()  # a zoom or pan does not carry the legend with the scene
    assert legend.pos() == moved
    assert ran.map.rect().contains(legend.geometry())
