"""The Recommendation tab, the header, the map of chosen sites and the laptop fit, on the
bundled EU example run by the real engine (what a user sees, cell by cell)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.gui.columns import format_value
from tests.gui.fixtures import RUN_TIMEOUT_MS, run_to_end

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]

EU = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "eu-inference.toml"
LAPTOP = (1366, 768)
# A 1920 x 1080 screen at 150 % scaling (QT_SCALE_FACTOR=1.5) is 1280 x 720 logical pixels.
SCALED_1920 = (1280, 720)
WINDOW_FRAME_PX = 40  # title bar and a task bar take at least this much of the height


@pytest.fixture
def eu(qtbot, real_window):
    """The EU example in a 1366x768 window, its candidate sites shown, then run."""
    from PySide6.QtCore import QSize

    win = real_window(EU)
    qtbot.waitUntil(lambda: win.map.marker("lulea-se") is not None, timeout=RUN_TIMEOUT_MS)
    # Before any run: every candidate on the map, in one colour, and the count above it.
    candidates = len(win.map._markers)
    assert candidates >= 40
    assert f"{candidates:,} candidate sites" in win.summary_label.text()
    assert win.map.legend.title.text() == "Candidate sites"
    assert win.header_recommended.text() == ""
    run_to_end(qtbot, win)
    assert win.size() == QSize(*LAPTOP)
    return win


def names(results, ids) -> list[str]:
    return [str(results.evaluation.metrics.at[s, "name"]) for s in ids]


def test_recommendation_tab_header_map_and_laptop_fit(qtbot, eu, dialogs):
    from PySide6.QtCore import Qt

    results = eu.results
    rec = results.recommendation
    summary = results.allocation.summary
    assert dialogs.errors == []
    # The header names both answers on their own basis, and never says "best".
    recommended = eu.header_recommended.text()
    assert recommended.startswith("Recommended: ")
    for sid, share in summary["share"].items():
        assert f"{results.evaluation.metrics.at[sid, 'name']} {share:.0%}" in recommended
    top = results.ranking[results.ranking["feasible"]].sort_values("rank").index[0]
    score = format_value(results.ranking.at[top, "score"], ".3f")
    assert eu.header_top_score.text() == (
        f"Highest weighted score: {names(results, [top])[0]} ({score})"
    )
    panel = eu.recommendation
    texts = [
        recommended,
        eu.header_top_score.text(),
        panel.recommended.text(),
        panel.recommended_basis.text(),
        panel.top_score.text(),
        panel.top_score_basis.text(),
    ]
    assert not any("best" in t.lower() for t in texts)
    assert "split over sites at the lowest net present cost" in panel.recommended_basis.text()
    assert "screening view of each site on its own" in panel.top_score_basis.text()

    # Allocation: one row per chosen site with its GPUs per phase, then the totals.
    table = panel.allocation
    assert table.model.rowCount() == len(summary) + 1
    gpus = results.allocation.gpus
    for row, sid in enumerate(summary.index):
        assert table.cell(row, 0) == results.evaluation.metrics.at[sid, "name"]
        for phase in range(gpus.shape[1]):
            assert table.cell(row, 1 + phase) == f"{int(gpus.at[sid, gpus.columns[phase]]):,}"
    last = len(summary)
    assert table.cell(last, 0) == "All sites"
    assert table.cell(last, 1 + gpus.shape[1]) == "8,192"  # 4,096 H200 + 4,096 B200
    header = table.model.headerData(1, Qt.Orientation.Horizontal)
    assert header.startswith("Phase 1: H200") and "(GPUs)" in header
    for text in results.allocation.binding:
        assert text in panel.binding.text()

    assert panel.why.text() == rec["why"]
    alternatives = rec["alternatives"]
    assert panel.alternatives.model.rowCount() == len(alternatives)
    without = next(i for i, a in enumerate(alternatives) if a["role"] == "without")
    assert panel.alternatives.cell(without, 0).startswith("Without ")
    assert panel.alternatives.cell(without, 2) == format(
        alternatives[without]["delta_cost_usd"] / 1e6, "+,.1f"
    )
    assert panel.alternatives.cell(without, 5) == alternatives[without]["sentence"]
    switching = rec.get("switching_values") or []
    assert panel.switching.model.rowCount() == len(switching)
    if switching:
        assert panel.switching.cell(0, 3) == switching[0]["sentence"]
    verdict = results.build_vs_rent["verdict"]
    assert panel.verdict.text() == verdict
    assert panel._bvr_values["rent_only_usd"].text() == (
        f"{results.build_vs_rent['rent_only_usd'] / 1e6:,.1f} M USD"
    )

    # The map: chosen sites are labelled diamonds, the selection is a ring of its own.
    for sid in summary.index:
        marker = eu.map.marker(sid)
        assert marker.chosen
        assert eu.map.labels()[sid].endswith(f"{summary.at[sid, 'share']:.0%}")
    first = summary.index[0]
    eu.select_sites([first])
    ring = eu.map._rings[first]
    assert ring.pen().color() != eu.map.marker(first).pen().color()
    # "Fit to sites" frames the feasible and chosen sites, not the whole world.
    eu.actions_by_id["fit_map"].trigger()
    visible = set(eu.map.visible_sites())
    feasible = set(results.ranking.index[results.ranking["feasible"]])
    assert feasible | set(summary.index) <= visible
    assert "ashburn-va" not in visible  # an American site, outside the EU's allowed countries

    # Fits a laptop: every tab has been shown (charts drawn, tables filled) before measuring.
    for i in range(eu.tabs.count()):
        eu.tabs.setCurrentIndex(i)
        qtbot.wait(20)
    hint = eu.minimumSizeHint()
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1] - WINDOW_FRAME_PX, hint
    assert hint.width() <= SCALED_1920[0] and hint.height() <= SCALED_1920[1] - WINDOW_FRAME_PX
    # The status line and the header are cut with "…" rather than widening the window; the
    # whole text is in the tool tip.
    status = eu.status_label
    assert status.text().startswith("Run finished")
    if status.is_elided():
        assert status.elided_text().endswith("…")
    assert "Run finished" in status.toolTip()
    assert eu.header_recommended.width() <= eu.width()


def test_out_of_date_banner_after_an_edit(qtbot, eu):
    from PySide6.QtWidgets import QSpinBox

    assert eu.banner.text() == ""
    horizon = eu.editor.findChild(QSpinBox, "scenario.horizon_years")
    horizon.setValue(horizon.value() + 1)
    assert eu.banner.text().startswith("Results out of date")
    assert eu.banner.isVisibleTo(eu)
    # Undone, the inputs are the run's again: the results are current.
    eu.on_undo()
    assert eu.banner.text() == ""
    # Weights re-rank live: never out of date.
    with qtbot.waitSignal(eu.reranked, timeout=5_000):
        eu.editor.weight_sliders["cost"].setValue(90)
    assert eu.banner.text() == ""
    assert eu.recommendation.top_score.text() == eu.header_top_score.text()


def test_run_uncertainty_shows_the_recommendations_robustness(qtbot, eu):
    panel = eu.recommendation
    assert panel.robustness_sentence.text().startswith("No robustness analysis")
    eu.tabs.setCurrentWidget(panel)
    eu.uncertainty.draws_spin.setValue(100)  # the core rounds up to 128 (Sobol balance)
    with qtbot.waitSignals([eu.analysisFinished, eu.workDone], timeout=RUN_TIMEOUT_MS):
        panel.robustness_button.click()
    assert eu.tabs.currentWidget() is panel  # asked from here, shown here
    rob = eu.results.recommendation["robustness"]
    assert panel.robustness_sentence.text() == rob["sentence"]
    assert panel._robustness_values["p_same_sites"].text() == (
        f"{rob['p_same_sites'] * 100:.0f} % of the draws"
    )
    assert panel._robustness_values["cost"].text() == (
        " / ".join(f"{rob[f'cost_{q}_usd'] / 1e6:,.1f}" for q in ("p10", "p50", "p90")) + " M USD"
    )
    assert panel.robustness_sites.model.rowCount() == len(rob["p_in_optimum"])
    # Most often in the cheapest allocation first, in percent of the draws.
    top, p = max(rob["p_in_optimum"].items(), key=lambda kv: kv[1])
    assert panel.robustness_sites.cell(0, 0) == eu.results.evaluation.metrics.at[top, "name"]
    assert panel.robustness_sites.cell(0, 2) == f"{p * 100:.0f}"
    assert "robustness" in eu.status_label.text()
