"""24/7 carbon-free matching in the window, over the real engine on a few sites.

With ``energy.cfe_target`` the Recommendation tab has a "24/7 carbon-free matching" box (a
sentence and one row per recommended site), the site table gains the CFE score and portfolio
cost, and the site detail shows the site's portfolio figures and its two hourly charts. Without
a target, or from a results file written before matching, none of it shows and nothing fails.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import numpy as np
import pytest

from planner.paths import example_scenario
from planner.results import Results
from planner.scenario import load_scenario, save_scenario
from tests.gui.fixtures import run_to_end

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]

TARGET = 0.9  # the example's cfe_target


def small_247(path, cfe_target=TARGET):
    """The bundled 24/7 example on the Irish and Swedish default sites (three), one phase,
    at most 60 % of the fleet per site (so two sites are recommended), no analyses."""
    scenario = load_scenario(example_scenario("training-16k-247"))
    assert scenario.energy.cfe_target == TARGET
    scenario.energy.cfe_target = cfe_target
    scenario.fleet.phases = scenario.fleet.phases[:1]
    scenario.sites.include_countries = ["IE", "SE"]
    scenario.constraints.max_share_per_site = 0.6
    scenario.analysis.pareto_points = 0
    scenario.analysis.sensitivity = False
    scenario.analysis.uncertainty.draws = 0
    save_scenario(scenario, path)
    return path


def percent(value) -> str:
    """A 0-1 share as the window's CFE columns print it: percent with one decimal."""
    return f"{100.0 * float(value):.1f}"


def column_texts(table, header_start: str) -> list[str]:
    from PySide6.QtCore import Qt

    model = table.model
    for c in range(model.columnCount()):
        header = str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ")
        if header.startswith(header_start):
            return [table.cell(r, c) for r in range(model.rowCount())]
    raise AssertionError(f"no column {header_start!r}")


def test_recommendation_detail_and_table_show_matching(qtbot, real_window, dialogs, tmp_path):
    window = real_window(small_247(tmp_path / "cfe.toml"))
    results = run_to_end(qtbot, window)
    assert dialogs.errors == []
    metrics = results.evaluation.metrics
    rec = [s["site_id"] for s in results.recommendation["sites"]]
    assert len(rec) == 2  # 60 % per site at most: the fleet needs two sites

    # The recommended sites reach the target: unreachable sites are screened out.
    assert (metrics.loc[rec, "cfe_score"] >= TARGET - 1e-6).all()
    panel = window.recommendation
    assert not panel.cfe_box.isHidden()
    assert "90 %" in panel.cfe_box.title()
    names = [str(metrics.at[s, "name"]) for s in rec]
    assert column_texts(panel.cfe_table, "Site") == names
    assert column_texts(panel.cfe_table, "CFE score") == [
        percent(metrics.at[s, "cfe_score"]) for s in rec
    ]
    assert column_texts(panel.cfe_table, "Grid alone") == [
        percent(metrics.at[s, "cfe_grid_score"]) for s in rec
    ]
    sentence = panel.cfe_sentence.text()
    assert sentence.startswith("The scenario asks every chosen site to match 90 %")
    for sid, name in zip(rec, names, strict=True):
        bought = metrics.loc[sid, ["cfe_solar_mw", "cfe_wind_mw", "cfe_battery_mwh"]].sum()
        if bought > 0:
            assert f"{name} reaches {percent(metrics.at[sid, 'cfe_score'])} %" in sentence
            assert f"{metrics.at[sid, 'cfe_usd_per_mwh']:+,.1f} USD per MWh" in sentence
        else:  # a grid above the target needs nothing bought, and the sentence says so
            grid = percent(metrics.at[sid, "cfe_grid_score"])
            assert f"{name}'s grid alone is {grid} % carbon-free" in sentence

    # The site table gains the CFE score column, at the metrics' values.
    column = window.model.column_of("cfe_score")
    assert column is not None
    row = window.model.row_of(rec[0])
    assert window.model.index(row, column).data() == percent(metrics.at[rec[0], "cfe_score"])

    # Site detail: the portfolio figures and both charts of the selected site.
    sid = rec[0]
    window.select_sites([sid])
    window.tabs.setCurrentWidget(window.detail)
    detail = window.detail
    score_text = detail._cfe_values["cfe_score"].text()
    assert score_text.startswith(
        f"{percent(metrics.at[sid, 'cfe_score'])} % (grid alone "
        f"{percent(metrics.at[sid, 'cfe_grid_score'])} %)"
    )
    assert detail.form.isRowVisible(detail._cfe_values["cfe_score"])
    duration = detail.cfe_duration_chart.figure
    heatmap = detail.cfe_heatmap_chart.figure
    assert duration is not None and heatmap is not None
    share = results.evaluation.hourly_cfe[results.evaluation.cfe_row(sid)]
    # The duration curve is the site's hourly share sorted high to low, in percent.
    curve = duration.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(curve, np.sort(100.0 * share)[::-1], rtol=1e-6)
    # Its mean is the score when the load is flat; the load varies only with PUE here
    # (about 1.08 all year), so the two agree within two points.
    assert abs(float(share.mean()) - float(metrics.at[sid, "cfe_score"])) < 0.02

    # Results that carry the scores but not the hourly shares: figures yes, charts no.
    bare = replace(
        results,
        evaluation=replace(
            results.evaluation, hourly_cfe=None, hourly_grid_cfe=None, cfe_case_of_site=None
        ),
    )
    detail.show_site(bare, sid)
    assert detail.cfe_duration_chart.isHidden() and detail.cfe_heatmap_chart.isHidden()
    assert "not in these results" in detail.cfe_message.text()
    assert detail.form.isRowVisible(detail._cfe_values["cfe_score"])


def test_no_target_hides_matching_and_reads_an_older_file(
    qtbot, real_window, dialogs, tmp_path, caplog
):
    window = real_window(small_247(tmp_path / "plain.toml", cfe_target=None))
    results = run_to_end(qtbot, window)
    assert dialogs.errors == []
    assert "cfe_score" not in results.evaluation.metrics

    def check_hidden(shown: Results) -> None:
        assert window.recommendation.cfe_box.isHidden()
        assert window.model.column_of("cfe_score") is None
        sid = shown.recommendation["sites"][0]["site_id"]
        window.select_sites([sid])
        window.tabs.setCurrentWidget(window.detail)
        detail = window.detail
        assert detail.cfe_duration_chart.isHidden() and detail.cfe_heatmap_chart.isHidden()
        assert not detail.form.isRowVisible(detail._cfe_values["cfe_score"])
        assert detail.cfe_message.text().startswith("No 24/7 carbon-free target")
        assert "Energy and PPA > 24/7 carbon-free target" in detail.cfe_message.text()

    check_hidden(results)
    with pytest.raises(ValueError, match="no 24/7 matching"):
        window.engine.figure("cfe_heatmap", results, results.evaluation.metrics.index[0])

    # A results file from before matching: no cfe_target in its scenario, no hourly shares.
    data = results.to_json_dict()
    data["scenario"]["energy"].pop("cfe_target", None)
    assert not any("cfe" in key for key in data["evaluation"])
    path = tmp_path / "older.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    older = Results.load_json(path)
    window.tabs.setCurrentWidget(window.recommendation)
    with caplog.at_level(logging.WARNING):
        window.set_results(older)
        check_hidden(older)
    assert not [r for r in caplog.records if "chart failed" in r.getMessage()]
    assert dialogs.errors == []
