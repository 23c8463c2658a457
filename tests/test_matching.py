"""24/7 matching in the evaluation (planner.matching): money, carbon and screening by hand."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from planner.cfe import PortfolioCosts
from planner.evaluate import evaluate_sites, load_finance
from planner.matching import (
    EUROPE,
    HourlyInputs,
    SiteRenewables,
    match_sites,
    portfolio_costs,
)
from planner.paths import example_scenario
from planner.scenario import scenario_from_dict

HOURS = 8760
SUN = np.tile(np.r_[np.zeros(6), np.ones(12), np.zeros(6)], 365)  # 1 MW/MW from 06:00 to 18:00


def scenario(countries, **energy):
    with open(example_scenario("training-16k-247"), "rb") as f:
        data = tomllib.load(f)
    data["energy"].update(energy)
    data["sites"] = {"include_countries": countries}
    return scenario_from_dict(data)


def hand_case(target: float) -> tuple:
    """One site: flat load of 1 kW per kW of IT, sun half the day, no wind, a grid 20 %
    carbon-free at 500 gCO2/kWh and 100 USD/MWh (levy 0)."""
    renewables = SiteRenewables(
        solar_cf=SUN[None, :].astype(np.float32),
        wind_cf=np.zeros((1, HOURS), np.float32),
        case_of_site=np.array([0]),
        basis=np.array(["test"], dtype=object),
    )
    hourly = HourlyInputs(
        load_kw=np.ones((1, HOURS)),
        load_case=np.array([0]),
        price_shape=np.ones((1, 1)),
        price_level=np.array([100.0]),
        levy_usd_per_mwh=np.array([0.0]),
        carbon_g_per_kwh=np.array([[500.0]]),
        grid_cfe=np.array([[0.2]]),
    )
    # Storage and wind priced out: the least-cost portfolio is solar alone.
    costs = PortfolioCosts(
        solar_strike_usd_per_mwh=56.76,
        wind_strike_usd_per_mwh=10_000.0,
        battery_usd_per_kwh_year=1e6,
        contract="physical",
    )
    return scenario(["SE"], cfe_target=target), renewables, hourly, costs


def test_money_and_carbon_of_a_solar_portfolio_by_hand():
    # Score = 0.2 + 0.8 x (matched share); matched share = min(S, 1) x 12/24.
    # Target 0.6 needs S = 1: half of every day matched.
    sc, renewables, hourly, costs = hand_case(0.6)
    m = match_sites(sc, renewables, hourly, [costs], np.array([0]))
    r = m.results[0]
    assert r.solar_mw == pytest.approx(1.0, rel=1e-3)
    assert r.cfe_score == pytest.approx(0.6, abs=1e-6)
    # Per kW of IT a year: 4,380 kWh of sun paid at 56.76 USD/MWh = 248.6 USD; the 4,380 kWh
    # matched save 100 USD/MWh = 438.0 USD; the grid's 4,380 kWh at 500 g = 2.19 t.
    assert m.strike_usd.sum() == pytest.approx(4380 * 56.76 / 1000, rel=1e-3)
    assert m.value_usd.sum() == pytest.approx(4380 * 100 / 1000, rel=1e-3)
    assert m.market_t.sum() == pytest.approx(4380 * 500 / 1e6, rel=1e-3)
    # January: 31 days x 12 sunny hours x 56.76 USD/MWh, per kW.
    assert m.strike_usd[0, 0] == pytest.approx(31 * 12 * 56.76 / 1000, rel=1e-3)
    assert bool(m.reachable[0])


def test_a_target_the_grid_already_meets_buys_nothing_dear():
    # 20 % from the grid alone: a 20 % target needs no solar, and solar dearer than the price
    # saves nothing, so none is bought.
    sc, renewables, hourly, costs = hand_case(0.2)
    costs = PortfolioCosts(
        solar_strike_usd_per_mwh=500.0,
        wind_strike_usd_per_mwh=10_000.0,
        battery_usd_per_kwh_year=1e6,
        contract="physical",
    )
    m = match_sites(sc, renewables, hourly, [costs], np.array([0]))
    assert m.results[0].solar_mw == pytest.approx(0.0, abs=1e-6)
    assert m.results[0].cfe_score == pytest.approx(0.2)
    assert m.strike_usd.sum() == pytest.approx(0.0, abs=1e-9)
    assert m.market_t.sum() == pytest.approx(HOURS * 500 / 1e6)


def test_european_sites_take_the_european_strike():
    fin, _ = load_finance()
    sc = scenario(["SE"], cfe_target=0.9)
    costs, index = portfolio_costs(sc, fin, np.array(["SE", "US", "BR"]))
    assert list(index) == [1, 0, 0]
    europe = fin["cfe"]["europe_strike_usd_per_mwh"]
    assert costs[1].solar_strike_usd_per_mwh == costs[1].wind_strike_usd_per_mwh == europe
    assert costs[0].solar_strike_usd_per_mwh == fin["cfe"]["solar_strike_usd_per_mwh"]
    # Every portfolio is valued the conservative way, whatever energy.ppa_type says.
    assert {c.contract for c in costs} == {"physical"}
    assert {"SE", "DE", "GB", "NO", "IS"} <= EUROPE
    # A strike in the scenario applies everywhere.
    sc = scenario(["SE"], cfe_target=0.9, solar_ppa_usd_per_mwh=40.0)
    costs, _ = portfolio_costs(sc, fin, np.array(["SE", "US"]))
    assert {c.solar_strike_usd_per_mwh for c in costs} == {40.0}


@pytest.fixture(scope="module")
def lulea():
    """Sweden's sites at a 99 % target: above SE1's 98.3 % carbon-free grid, so a portfolio."""
    return evaluate_sites(scenario(["SE"], cfe_target=0.99))


def test_sites_reach_the_target_and_the_grid_score_is_the_regional_share(lulea):
    m = lulea.metrics
    assert (m["cfe_score"] >= 0.99 - 1e-6).all()
    # With no cfe_file every hour carries the region's annual share (regions.csv: SE1 0.983).
    row = m.loc["lulea-se"]
    assert row["cfe_grid_score"] == pytest.approx(0.983)
    assert row["cfe_reachable"]


def test_hourly_market_co2_follows_from_the_score(lulea):
    # With a flat grid share g and intensity, CO2 market/location = grid energy / load
    # = (1 - score) / (1 - g), since score = 1 - (1 - g) x grid / load.
    row = lulea.metrics.loc["lulea-se"]
    expected = (1 - row["cfe_score"]) / (1 - row["cfe_grid_score"])
    ratio = row["co2_market_t_per_year"] / row["co2_location_t_per_year"]
    assert ratio == pytest.approx(expected, rel=1e-3)
    assert (lulea.metrics["market_factor_basis"] == "hourly matching").all()


def test_hourly_shares_are_kept_for_charts_and_survive_a_save(lulea, tmp_path):
    ev = lulea
    row = ev.cfe_row("lulea-se")
    share = ev.hourly_cfe[row].astype(float)
    # The mean of the hourly share weighted by load is the score; the load is nearly flat.
    assert share.min() >= 0.983 - 1e-6 and share.max() <= 1.0 + 1e-6
    assert ev.hourly_grid_cfe[row] == pytest.approx(np.full(HOURS, 0.983), abs=1e-6)
    from planner.optimize.run import optimize_evaluation

    sc = scenario(["SE"], cfe_target=0.99)
    sc = sc.model_copy(
        update={
            "analysis": sc.analysis.model_copy(update={"pareto_points": 0, "sensitivity": False})
        }
    )
    results = optimize_evaluation(ev, sc, explain=False)
    path = results.save_json(tmp_path / "results.json")
    loaded = type(results).load_json(path)
    assert np.array_equal(loaded.evaluation.hourly_cfe, ev.hourly_cfe)
    assert list(loaded.evaluation.cfe_case_of_site) == list(ev.cfe_case_of_site)


def test_a_missed_target_is_a_screening_reason():
    from optimizer_fixtures import make_evaluation, make_scenario

    from planner.optimize.screen import screen_sites

    sc = make_scenario()
    sc = sc.model_copy(update={"energy": sc.energy.model_copy(update={"cfe_target": 0.95})})
    ev = make_evaluation(sc, 3, 1)
    ev.metrics["cfe_reachable"] = [True, False, True]
    ev.metrics["cfe_note"] = ["", "even the largest portfolio allowed reaches about 91.0 %", ""]
    out = screen_sites(ev, sc)
    assert list(out["feasible"]) == [True, False, True]
    assert out["reasons"].iloc[1] == (
        "cannot reach the 95 % hourly carbon-free target "
        "(even the largest portfolio allowed reaches about 91.0 %)"
    )


def test_too_many_distinct_sites_is_refused_in_one_sentence(monkeypatch):
    import planner.matching as matching
    from planner.errors import InputError

    monkeypatch.setattr(matching, "MAX_DISTINCT_SITES", 0)
    sc, renewables, hourly, costs = hand_case(0.6)
    with pytest.raises(InputError) as err:
        match_sites(sc, renewables, hourly, [costs], np.array([0]))
    assert err.value.field == "energy.cfe_target"
    assert "1 sites differ" in str(err.value)


def test_without_a_target_nothing_changes():
    ev = evaluate_sites(scenario(["IS"], cfe_target=None))
    assert "cfe_score" not in ev.metrics and ev.hourly_cfe is None
    assert isinstance(ev.metrics, pd.DataFrame)


def test_the_portfolio_joins_the_energy_bill(lulea):
    # The bill's average price per MWh of facility energy rises by exactly the portfolio's net
    # cost per MWh of load (strike payments less the hours it saves), site by site.
    plain = evaluate_sites(scenario(["SE"], cfe_target=None)).metrics
    m = lulea.metrics
    rise = m["price_usd_per_mwh"] - plain.loc[m.index, "price_usd_per_mwh"]
    assert rise.to_numpy() == pytest.approx(m["cfe_usd_per_mwh"].to_numpy(), rel=1e-6, abs=1e-6)
    assert (m["cfe_solar_mw"] + m["cfe_wind_mw"] > 0).all()  # 99 % needs a portfolio here


def test_the_report_section_states_each_recommended_sites_portfolio(lulea):
    from planner.optimize.run import optimize_evaluation
    from planner.report.decision import recommended_sites
    from planner.report.html import render_html
    from planner.report.matching import build_matching, matching_sentence
    from planner.report.model import build_report

    sc = scenario(["SE"], cfe_target=0.99)
    sc = sc.model_copy(
        update={
            "analysis": sc.analysis.model_copy(update={"pareto_points": 0, "sensitivity": False})
        }
    )
    results = optimize_evaluation(lulea, sc, explain=False)
    sites = recommended_sites(results)
    section = build_matching(results, sites)
    m = lulea.metrics.loc[sites[0]]
    rows = {r[0]: r[1] for r in section.portfolio.rows}
    assert rows["CFE score (hourly matched)"] == f"{100 * m['cfe_score']:.1f} %"
    assert rows["Solar PPA"] == f"{m['cfe_solar_mw']:,.0f} MW"
    assert "match 99 % of its load" in section.intro
    assert matching_sentence(results, sites) == section.intro
    assert len(section.charts) == min(len(sites), 3)
    html = render_html(build_report(results))
    assert 'id="matching"' in html and "24/7 carbon-free matching" in html


def test_a_site_whose_grid_meets_the_target_needs_no_portfolio_in_words():
    from types import SimpleNamespace

    from planner.report.matching import matching_sentence

    metrics = pd.DataFrame(
        {
            "name": ["Quebec"],
            "cfe_score": [0.995],
            "cfe_grid_score": [0.995],
            "cfe_usd_per_mwh": [0.0],
            "cfe_solar_mw": [0.0],
            "cfe_wind_mw": [0.0],
            "cfe_battery_mwh": [0.0],
        },
        index=["q"],
    )
    results = SimpleNamespace(
        evaluation=SimpleNamespace(metrics=metrics),
        scenario=SimpleNamespace(energy=SimpleNamespace(cfe_target=0.9)),
    )
    text = matching_sentence(results, ["q"])
    assert (
        "Quebec's grid alone is 99.5 % carbon-free hour by hour, so it needs no portfolio" in text
    )


def test_an_imported_hourly_files_record_reaches_the_provenance(tmp_path):
    # An hourly carbon-free share imported for SE-SE1 (the CSV path of import-hourly), used as
    # energy.cfe_file: its recorded facts become provenance rows the report's sources list.
    from planner.cli.main import run

    starts = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Etc/GMT-1")
    raw = tmp_path / "cfe_raw.csv"
    pd.DataFrame(
        {"timestamp": starts.strftime("%Y-%m-%dT%H:%M%z"), "share": 0.5 + 0.5 * (starts.hour >= 12)}
    ).to_csv(raw, index=False)
    out = tmp_path / "cfe.csv"
    args = ["data", "import-hourly", str(raw), "--format", "csv", "--region", "SE-SE1"]
    args += ["--quantity", "cfe-share"]
    assert run([*args, "--out", str(out)]) == 0
    ev = evaluate_sites(scenario(["SE"], cfe_target=0.9, cfe_file=str(out)))
    prov = ev.provenance[ev.provenance["dataset"] == "hourly files"]
    assert (prov["key"] == "SE-SE1").all() and (prov["field"] == "carbon-free share").all()
    assert prov["value"].str.startswith("source=csv; file=cfe_raw.csv").any()
    # SE1's hourly share: 50 % before noon, 100 % after (Stockholm's standard time is UTC+1),
    # so the grid alone scores 75 % at Lulea whatever the load's small hourly swing.
    row = ev.cfe_row("lulea-se")
    share = ev.hourly_grid_cfe[row]
    assert share[:12] == pytest.approx(0.5) and share[12:24] == pytest.approx(1.0)
    assert ev.metrics.loc["lulea-se", "cfe_grid_score"] == pytest.approx(0.75, abs=0.01)


def test_renewables_take_each_sites_elevation_from_the_catalog():
    # Wind power follows air density, which falls with elevation: the catalog's elevation_m
    # (data/sites.csv) must reach the renewables, not sea level.
    from planner.catalog import default_catalog
    from planner.matching import _elevations

    cat = default_catalog()
    ids = np.array(["los-lunas-nm", "lulea-se"], dtype=object)
    expected = cat.sites.loc[list(ids), "elevation_m"].astype(float).to_numpy()
    assert _elevations(cat, ids) == pytest.approx(expected)
    assert expected[0] > 1000  # Los Lunas, New Mexico sits above 1,400 m
