"""Charts: one figure per call, titled, axes labelled with units, legends; no pyplot state."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from report_fixtures import make_results

from planner import charts


@pytest.fixture(scope="module")
def results():
    return make_results()


def _titles(fig: Figure) -> list[str]:
    return [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]


def _all_figures(results):
    ev, m, r = results.evaluation, results.evaluation.metrics, results.ranking
    sites = m[["name", "lat", "lon"]].join(r[["rank", "score", "feasible"]])
    return {
        "map": charts.site_map(sites, None, chosen=["se-lulea"]),
        "cost": charts.cost_breakdown(m, list(r.index[:3])),
        "cost_one": charts.cost_breakdown(m, ["se-lulea"]),
        "monthly": charts.monthly_pue_wue(ev.monthly, "se-lulea"),
        "heatmap": charts.pue_heatmap(ev.hourly_pue[0]),
        "contrib": charts.score_contributions(r, m["name"]),
        "rank_p": charts.rank_probability(results.uncertainty, m["name"]),
        "pareto": charts.pareto_front(results.pareto),
        "tornado": charts.tornado(results.sensitivity),
    }


def test_every_chart_has_title_units_and_legend(results):
    for name, fig in _all_figures(results).items():
        assert isinstance(fig, Figure), name
        main = fig.axes[0]
        assert _titles(fig)[0], f"{name} has no title"
        label = main.get_xlabel() + main.get_ylabel()
        # A unit in brackets, or the 0-1 scale of a dimensionless score.
        assert "[" in label or "0-1" in label, f"{name}: axis label without a unit: {label!r}"
        has_key = main.get_legend() is not None or fig.legends or len(fig.axes) > 1  # colour bar
        if name not in ("cost_one",):  # one bar per labelled component: no key needed
            assert has_key, f"{name} has no legend or colour bar"


def test_no_pyplot_figures_left_behind(results):
    _all_figures(results)
    # The module never imports pyplot, so no global figure registry can grow.
    assert (
        "matplotlib.pyplot" not in sys.modules
        or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    )


def test_redraw_into_given_figure(results):
    fig = Figure()
    out = charts.monthly_pue_wue(results.evaluation.monthly, "se-lulea", fig=fig)
    assert out is fig
    charts.monthly_pue_wue(results.evaluation.monthly, "no-oslo", fig=fig)
    assert len(fig.axes) == 2  # cleared, not stacked: the line axis and its twin


def test_heatmap_cells_are_monthly_hourly_means():
    # January hours 0..743: a PUE equal to the hour of day / 100 + 1 averages to exactly that.
    pue = 1.0 + (np.arange(8760) % 24) / 100.0
    fig = charts.pue_heatmap(pue)
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (12, 24)
    np.testing.assert_allclose(grid[0], 1.0 + np.arange(24) / 100.0)
    np.testing.assert_allclose(grid[11], grid[0])


def test_monthly_axis_shows_the_values(results):
    fig = charts.monthly_pue_wue(results.evaluation.monthly, "se-lulea")
    line = fig.axes[0].get_lines()[0]
    monthly = results.evaluation.monthly
    expected = monthly[monthly.site_id == "se-lulea"].sort_values("month")["pue"].to_numpy()
    np.testing.assert_allclose(line.get_ydata(), expected)


def test_missing_data_gives_a_titled_placeholder(results):
    assert "not computed" in charts.pareto_front(None).axes[0].texts[0].get_text()
    assert charts.tornado(None).axes[0].get_title(loc="left")
    fig = charts.monthly_pue_wue(results.evaluation.monthly, "no-such-site")
    assert "No monthly data" in fig.axes[0].texts[0].get_text()


def test_png_and_svg_output(results):
    fig = charts.tornado(results.sensitivity)
    png = charts.figure_png(fig, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.figure_svg(fig)
    assert svg.startswith("<svg") and "Sensitivity" in svg


def test_map_draws_country_outlines(results):
    import geopandas as gpd
    from shapely.geometry import box

    basemap = gpd.GeoDataFrame(
        {"iso_a2": ["SE"], "name": ["Box"]}, geometry=[box(10, 55, 25, 69)], crs="EPSG:4326"
    )
    m, r = results.evaluation.metrics, results.ranking
    fig = charts.site_map(m[["name", "lat", "lon"]].join(r[["rank", "score", "feasible"]]), basemap)
    assert len(fig.axes[0].collections[0].get_paths()) == 1


def test_tornado_labels_say_how_far_each_parameter_moved(results):
    import pandas as pd

    # Multipliers as planner.optimize.uncertainty.sensitivity gives them: exp(-/+1.2816 sigma).
    # sigma 0.2: exp(-0.25631) = 0.7739 (-23 %), exp(0.25631) = 1.2922 (+29 %);
    # sigma 0.03: exp(-0.038447) = 0.9623 (-3.8 %), exp(0.038447) = 1.0392 (+3.9 %).
    table = pd.DataFrame(
        {
            "parameter": ["electricity price", "PUE"],
            "low": [1.10, 1.18],
            "high": [1.30, 1.22],
            "base": [1.20, 1.20],
            "low_factor": [0.7739, 0.9623],
            "high_factor": [1.2922, 1.0392],
        }
    )
    labels = [t.get_text() for t in charts.tornado(table).axes[0].get_yticklabels()]
    # Widest swing on top, i.e. last on the y axis.
    assert labels == ["PUE\n(-3.8 % / +3.9 %)", "electricity price\n(-23 % / +29 %)"]
    # A table without the factors (an older results.json) keeps the bare names.
    bare = [t.get_text() for t in charts.tornado(results.sensitivity).axes[0].get_yticklabels()]
    assert sorted(bare) == sorted(results.sensitivity["parameter"])


def test_site_map_frames_the_sites_that_can_be_chosen():
    import pandas as pd

    # Three feasible sites in Europe and one excluded site in Texas: the map shows Europe
    # (about -10 to 30 degrees east) and says that one excluded site lies outside the view.
    sites = pd.DataFrame(
        {
            "lat": [53.3, 50.1, 40.4, 32.8],
            "lon": [-6.3, 8.7, -3.7, -96.8],
            "score": [0.8, 0.6, 0.7, 0.2],
            "feasible": [True, True, True, False],
        },
        index=pd.Index(["dublin", "frankfurt", "madrid", "dallas"], name="site_id"),
    )
    fig = charts.site_map(sites)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert -40 < x0 < -6.3 and 8.7 < x1 < 40
    notes = [t.get_text() for t in ax.texts]
    assert "1 excluded site outside this view" in notes
    # With every site feasible, all of them are in view and no note is drawn.
    everyone = charts.site_map(sites.assign(feasible=True))
    assert everyone.axes[0].get_xlim()[0] < -96.8
    assert not any("outside this view" in t.get_text() for t in everyone.axes[0].texts)


def test_site_names_in_any_script_have_glyphs(results, recwarn):
    # matplotlib warns "Glyph ... missing from font(s)" for each character no font draws;
    # DejaVu Sans has accents, CO₂ and Arabic, the shipped Droid Sans Fallback has CJK.
    import io
    import logging
    import warnings

    m = results.evaluation.metrics.copy()
    names = ["東京 Tokyo", "서울 Seoul", "Luleå CO₂", "الرياض", "Zürich"]
    m.loc[m.index[:5], "name"] = names
    fig = charts.cost_breakdown(m, list(m.index[:5]))
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png")
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    missing = [r.getMessage() for r in records if "missing from" in r.getMessage()]
    assert missing == []
    labels = " ".join(t.get_text() for ax in fig.axes for t in ax.get_xticklabels())
    labels += " ".join(t.get_text() for ax in fig.axes for t in ax.get_yticklabels())
    assert "東京" in labels  # the names are on the chart, not dropped


def test_map_names_recommended_sites_with_leader_lines_and_keeps_legends_outside(results):
    m, r = results.evaluation.metrics, results.ranking
    sites = m[["name", "lat", "lon"]].join(r[["rank", "score", "feasible"]])
    chosen = ["se-lulea", "ca-qc-montreal"]
    fig = charts.site_map(sites, None, chosen=chosen)
    ax = fig.axes[0]
    named = {a.get_text(): a for a in ax.texts if a.get_text() in {"Luleå", "Montréal, QC"}}
    assert set(named) == {"Luleå", "Montréal, QC"}
    assert all(a.arrow_patch is not None for a in named.values())  # leader lines
    # Numbered labels are for the highest-scoring sites that are not recommended.
    numbers = {a.get_text() for a in ax.texts if a.get_text().isdigit()}
    assert numbers and all(int(n) <= 5 for n in numbers)
    assert ax.get_legend() is None and fig.legends  # the key is the figure's, not the map's
    fig.canvas.draw()
    frame = ax.get_window_extent()
    legend = fig.legends[0].get_window_extent()
    assert legend.y1 <= frame.y0  # below the map: it can never cover a site
    # The view frames the sites that pass the constraints and the recommended ones.
    x0, x1 = ax.get_xlim()
    ok = sites[sites["feasible"] | sites.index.isin(chosen)]
    assert x0 <= ok["lon"].min() and ok["lon"].max() <= x1


def test_allocation_robustness_bars(results):
    p = {"se-lulea": 0.91, "ca-qc-montreal": 0.64, "no-oslo": 0.38, "ie-dublin": 0.0}
    names = results.evaluation.metrics["name"]
    fig = charts.allocation_robustness(p, names, chosen=["se-lulea", "ca-qc-montreal"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Luleå", "Montréal, QC", "Oslo"]
    assert sorted(b.get_width() for b in ax.patches) == pytest.approx([38.0, 64.0, 91.0])
    assert "[%]" in ax.get_xlabel() and fig.legends
    # A recommended site never in the optimum still shows, at 0 %.
    fig = charts.allocation_robustness({"no-oslo": 1.0}, names, chosen=["se-lulea"])
    assert "Luleå" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "not computed" in charts.allocation_robustness(None).axes[0].texts[0].get_text()


def test_tornado_with_inputs_and_re_solved_sites():
    import pandas as pd

    table = pd.DataFrame(
        {
            "parameter": ["gpu_capital", "time_to_power"],
            "label": ["GPU capital", "Time to power"],
            "low_input": ["-15 %", "-6 months"],
            "high_input": ["+17 %", "+6 months"],
            "low": [2.0, 2.18],
            "high": [2.4, 2.25],
            "base": [2.2, 2.2],
            "sites_low": [["Luleå"], ["Luleå"]],
            "sites_high": [["Oslo"], ["Luleå"]],
        }
    )
    fig = charts.tornado(table, recommended=["Luleå"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Time to power\n(-6 months / +6 months)", "GPU capital\n(-15 % / +17 %)"]
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["→ Oslo"]  # only where the recommended sites change
    assert "delivered GPU-hour" in ax.get_xlabel()


def test_cfe_heatmap_cells_are_month_hour_means_by_hand():
    # Share = 1 from 12:00 to 18:00 in January only, else 0.5: January's cells at 12-17 h are
    # 100 %, every other cell 50 %.
    share = np.full(8760, 0.5)
    january = np.arange(8760) < 31 * 24
    afternoon = (np.arange(8760) % 24 >= 12) & (np.arange(8760) % 24 < 18)
    share[january & afternoon] = 1.0
    fig = charts.cfe_heatmap(share)
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (12, 24)
    assert np.allclose(grid[0, 12:18], 100.0) and np.allclose(grid[0, :12], 50.0)
    assert np.allclose(grid[1:], 50.0)


def test_cfe_duration_curve_sorts_each_year_from_high_to_low():
    share = np.tile(np.r_[np.ones(12), np.full(12, 0.25)], 365)
    grid = np.full(8760, 0.25)
    fig = charts.cfe_duration_curve(share, grid, target=0.9)
    portfolio, alone = fig.axes[0].lines[:2]
    y = portfolio.get_ydata()
    assert y[0] == 100.0 and y[4379] == 100.0 and y[4380] == 25.0 and y[-1] == 25.0
    assert np.allclose(alone.get_ydata(), 25.0)


def test_a_nearly_flat_pue_year_keeps_plain_colour_bar_labels():
    # PUE 1.080 +- 0.0003: the bar must read 1.0797..1.0803, not "+1.08" and "-0.0002".
    pue = 1.08 + 0.0003 * np.sin(np.arange(8760) / 500)
    fig = charts.pue_heatmap(pue)
    fig.canvas.draw()
    bar = fig.axes[1]
    labels = [t.get_text() for t in bar.get_yticklabels()]
    assert bar.yaxis.get_offset_text().get_text() == ""
    assert all(text.startswith("1.0") for text in labels if text)
