"""Pareto front and uncertainty run on their own from their tabs, from the last run's results."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]

ACTIONS = ("compute_pareto", "run_uncertainty")


def test_disabled_until_a_run_has_results(qtbot, window):
    for key in ACTIONS:
        assert not window.actions_by_id[key].isEnabled()
    assert not window.pareto.compute_button.isEnabled()
    assert not window.uncertainty.run_button.isEnabled()
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Run")
    texts = [a.text() for a in run_menu.actions()]
    assert "Compute &Pareto front" in texts and "Run &uncertainty" in texts
    with qtbot.waitSignals([window.runFinished, window.workDone], timeout=20_000):
        window.on_run()
    for key in ACTIONS:
        assert window.actions_by_id[key].isEnabled()
    assert window.pareto.compute_button.isEnabled()
    assert window.uncertainty.run_button.isEnabled()


def test_spin_boxes_default_from_the_scenario(ran):
    # The synthetic scenario asks for 6 Pareto points and no Monte Carlo draws
    # (tests/report_fixtures.py scenario_dict): 6 from the scenario, 1,000 by default.
    assert ran.pareto.points_spin.value() == 6
    assert ran.uncertainty.draws_spin.value() == 1_000


def test_compute_pareto_updates_the_tab_without_re_evaluating(qtbot, ran):
    evaluation = ran.results.evaluation
    assert ran.pareto.points.rowCount() == 6  # the run's synthetic front
    ran.pareto.points_spin.setValue(4)
    kinds = []
    ran.analysisFinished.connect(kinds.append)
    with qtbot.waitSignals([ran.analysisFinished, ran.workDone], timeout=60_000):
        ran.pareto.compute_button.click()
    assert kinds == ["pareto"]
    assert ran.engine.analyses == [("pareto", 4)]
    assert ran.engine.runs == 1 and ran.results.evaluation is evaluation
    front = ran.results.pareto
    assert ran.results.scenario.analysis.pareto_points == 4
    # At most the points asked for (dominated or duplicate points are dropped), at least the
    # two end points; cheapest first, so along the front cost rises while CO2 falls.
    assert 2 <= len(front) <= 4
    assert np.all(np.diff(front["cost_usd"]) >= 0) and np.all(np.diff(front["co2_t"]) <= 0)
    # The tab's table shows the new front, in USD million.
    assert ran.pareto.points.rowCount() == len(front)
    model = ran.pareto.points
    headers = [model.headerData(i, _horizontal()) for i in range(model.columnCount())]
    cost = headers.index("Cost\n(USD M)")  # the unit on its own line: narrow columns
    assert model.index(0, cost).data() == f"{front['cost_usd'].iloc[0] / 1e6:,.1f}"
    assert model.index(0, cost).data(_alignment()) & _right()  # numbers right-aligned
    assert ran.pareto.chart.figure is not None
    assert ran.actions_by_id["compute_pareto"].isEnabled()


def test_run_uncertainty_updates_the_tab(qtbot, ran):
    tornado = ran.results.sensitivity
    ran.uncertainty.draws_spin.setValue(500)
    with qtbot.waitSignals([ran.analysisFinished, ran.workDone], timeout=60_000):
        ran.actions_by_id["run_uncertainty"].trigger()
    assert ran.engine.analyses == [("uncertainty", 500)]
    table = ran.results.uncertainty
    # Each draw has exactly one first site, and only sites passing the constraints compete.
    assert table["p_first"].sum() == pytest.approx(1.0)
    infeasible = ~ran.results.ranking["feasible"].reindex(table.index).astype(bool)
    assert (table.loc[infeasible, "p_first"] == 0).all()
    # Each draw puts k sites in its top k (10 feasible sites here), so the shares sum to k.
    k = ran.results.scenario.analysis.uncertainty.top_k
    assert table["p_top_k"].sum() == pytest.approx(k)
    model = ran.uncertainty.table_model
    headers = [model.headerData(i, _horizontal()) for i in range(model.columnCount())]
    assert "P50 (USD/GPU-h)" in headers  # the core's usd_per_gpu_hour_p50 column is shown
    # The tornado does not depend on draws: the run's own stays.
    assert ran.results.sensitivity is tornado
    assert "500 draws" in ran.uncertainty.note.text()


def test_cancel_an_analysis_keeps_the_results(qtbot, ran):
    before = ran.results
    ran.engine.analysis_steps = 20_000
    ran.engine.step_wait_s = 0.002  # 40 s if never cancelled
    assert ran.on_compute_pareto() is not None
    # Progress shown by the window (not a wait on the task's signal, which would disconnect a
    # slot while the worker thread emits it).
    qtbot.waitUntil(lambda: "simulated wait" in ran.status_label.text(), timeout=20_000)
    assert ran.progress.isVisible() and ran.cancel_button.isVisible()
    assert not ran.actions_by_id["compute_pareto"].isEnabled()  # one worker: one job at a time
    with qtbot.waitSignals([ran.runCancelled, ran.workDone], timeout=20_000):
        ran.cancel_button.click()
    assert ran.results is before
    assert ran.pareto.points.rowCount() == 6
    assert not ran.progress.isVisible()
    assert ran.actions_by_id["compute_pareto"].isEnabled()


def test_an_infeasible_front_is_one_sentence(qtbot, ran, dialogs, monkeypatch):
    import planner.optimize.pareto as pareto

    def no_front(*args, **kwargs):
        raise pareto.ParetoInfeasible("the fleet needs 40 MW but the feasible sites offer 12 MW")

    monkeypatch.setattr(pareto, "pareto_front", no_front)
    with qtbot.waitSignals([ran.runFailed, ran.workDone], timeout=20_000):
        ran.on_compute_pareto()
    assert dialogs.errors == [
        "The Pareto front stopped: the fleet needs 40 MW but the feasible sites offer 12 MW."
    ]
    assert ran.pareto.points.rowCount() == 6


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def _alignment():
    from PySide6.QtCore import Qt

    return Qt.ItemDataRole.TextAlignmentRole


def _right():
    from PySide6.QtCore import Qt

    return Qt.AlignmentFlag.AlignRight
