"""Switching values: the driver value past which the recommended sites change, and it is true."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from planner.optimize.allocate import allocate, build_problem
from planner.optimize.drivers import linear_drivers as drivers
from planner.optimize.screen import screen_sites
from planner.optimize.switching import MAX_SOLVES, sites_at, switching_values
from tests.optimizer_fixtures import make_evaluation, make_scenario


def synthetic(seed: int = 0):
    sc = make_scenario(objective={"carbon_price_usd_per_t": 100.0})
    ev = make_evaluation(sc, n_sites=8, seed=seed)
    screen = screen_sites(ev, sc)
    return sc, ev, screen, allocate(ev, sc, screen)


def just_past(driver, value: float, direction: str) -> float:
    """A value a hair beyond ``value`` in ``direction``, inside the driver's range."""
    step = 1e-6 * (driver.high - driver.low)
    return min(value + step, driver.high) if direction == "up" else max(value - step, driver.low)


def assert_true_switches(ev, sc, screen, alloc, rows, parameters=None) -> int:
    """Every switching value holds: just past it the allocation contains ``new_sites``."""
    problem = build_problem(ev, sc, screen["feasible"])
    base = frozenset(map(str, alloc.summary.index))
    by_key = {(d.parameter, d.site_id): d for d in drivers(ev, sc, problem, sorted(base))}
    checked = 0
    for row in rows:
        if parameters is not None and row["parameter"] not in parameters:
            continue
        driver = by_key[(row["parameter"], row["site_id"])]
        if row["value"] is None:
            ends = (
                [driver.low, driver.high]
                if row["direction"] is None
                else [driver.low if row["direction"] == "down" else driver.high]
            )
            for end in ends:  # no change: the range's end still gives the recommendation
                assert sites_at(problem, driver, end) == base, row["sentence"]
            continue
        past = sites_at(problem, driver, just_past(driver, row["value"], row["direction"]))
        assert set(row["new_sites"]) <= past, row["sentence"]
        assert past != base
        checked += 1
    return checked


def test_switching_values_are_true_on_a_synthetic_evaluation():
    sc, ev, screen, alloc = synthetic()
    rows = switching_values(ev, sc, screen, alloc)
    assert rows and {r["parameter"] for r in rows} >= {
        "carbon_price_usd_per_t",
        "electricity_price_factor",
        "rent_price_factor",
    }
    # Synthetic metrics have no GPU or facility cost split: those drivers are left out.
    assert "gpu_capital_factor" not in {r["parameter"] for r in rows}
    assert assert_true_switches(ev, sc, screen, alloc, rows) >= 1
    for row in rows:
        assert row["direction"] in ("up", "down", None)
        if row["value"] is None:
            assert row["new_sites"] == [] and "does not change" in row["sentence"]
        else:
            verb = "rises above" if row["direction"] == "up" else "falls below"
            assert row["sentence"].startswith("The recommendation changes to ")
            assert verb in row["sentence"]
            assert set(row["new_sites"]) != set(alloc.summary.index)


def test_the_base_value_gives_the_recommendation_and_costs_are_linear():
    sc, ev, screen, alloc = synthetic()
    problem = build_problem(ev, sc, screen["feasible"])
    base = frozenset(map(str, alloc.summary.index))
    for driver in drivers(ev, sc, problem, sorted(base)):
        assert sites_at(problem, driver, driver.base) == base
    # Carbon: the synthetic block cost carries co2 x 100 USD/t undiscounted at rate 0.
    sc0 = make_scenario(
        objective={"carbon_price_usd_per_t": 100.0}, scenario={"name": "s", "discount_rate": 0.0}
    )
    ev0 = make_evaluation(sc0, n_sites=8)
    problem0 = build_problem(ev0, sc0)
    carbon = drivers(ev0, sc0, problem0, [])[0]
    co2 = ev0.phase_block_co2_t.reindex(list(problem0.site_ids)).to_numpy(float)
    np.testing.assert_allclose(carbon.slope, np.where(problem0.allowed, co2, 0.0))


def test_carbon_price_at_zero_searches_upward_only():
    sc = make_scenario(objective={"carbon_price_usd_per_t": 0.0})
    ev = make_evaluation(sc, n_sites=8, seed=1)
    screen = screen_sites(ev, sc)
    alloc = allocate(ev, sc, screen)
    rows = [
        r
        for r in switching_values(ev, sc, screen, alloc)
        if r["parameter"] == "carbon_price_usd_per_t"
    ]
    assert len(rows) == 1 and rows[0]["direction"] == "up"


def test_budget_of_solves(monkeypatch):
    from planner.optimize import switching

    sc, ev, screen, alloc = synthetic()
    calls = []
    real = switching.sites_at

    def counting(*args, **kwargs):
        calls.append(args[1].parameter)
        return real(*args, **kwargs)

    monkeypatch.setattr(switching, "sites_at", counting)
    rows = switching_values(ev, sc, screen, alloc)
    searched = {(r["parameter"], r["site_id"]) for r in rows}
    assert len(calls) <= MAX_SOLVES * 2 * len(searched)


def test_infeasible_allocation_has_none():
    sc, ev, screen, _ = synthetic()
    from planner.results import Allocation

    assert switching_values(ev, sc, screen, Allocation("infeasible", "No.")) == []


def test_results_json_keeps_and_checks_switching_values(tmp_path):
    from planner.errors import InputError
    from planner.optimize.run import optimize_evaluation
    from planner.results import Results

    sc, ev, _, _ = synthetic()
    results = optimize_evaluation(ev, sc)
    rows = results.recommendation["switching_values"]
    assert rows
    path = results.save_json(tmp_path / "results.json")
    assert Results.load_json(path).recommendation["switching_values"] == rows
    data = json.loads(path.read_text())
    old = copy.deepcopy(data)
    del old["recommendation"]["switching_values"]  # results from before: still loads
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert "switching_values" not in Results.load_json(tmp_path / "old.json").recommendation
    for key, bad in (("value", "low"), ("direction", "sideways"), ("new_sites", [1])):
        broken = copy.deepcopy(data)
        broken["recommendation"]["switching_values"][0][key] = bad
        (tmp_path / "bad.json").write_text(json.dumps(broken))
        with pytest.raises(InputError, match=r"recommendation.switching_values\[0\]"):
            Results.load_json(tmp_path / "bad.json")


def test_training_16k_carbon_switch_is_true():
    from planner.evaluate import evaluate_sites
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    sc = load_scenario(data_dir() / "scenarios" / "training-16k.toml")
    ev = evaluate_sites(sc)
    screen = screen_sites(ev, sc)
    alloc = allocate(ev, sc, screen)
    rows = switching_values(ev, sc, screen, alloc)
    carbon = [r for r in rows if r["parameter"] == "carbon_price_usd_per_t"]
    assert carbon
    assert assert_true_switches(ev, sc, screen, alloc, carbon) >= 1
    for row in carbon:
        if row["value"] is not None:
            assert "USD/t" in row["sentence"]


@pytest.fixture(scope="module")
def training_run():
    from planner.optimize.run import run_scenario
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    sc = load_scenario(data_dir() / "scenarios" / "training-16k.toml")
    sc.analysis.uncertainty.draws = 0
    sc.analysis.pareto_points = 0
    sc.analysis.sensitivity = False
    return sc, run_scenario(sc)


def test_reevaluated_switching_values_are_true_on_a_full_rerun(training_run):
    """Time to power and the discount rate are searched on the leading sites; just past each
    value, a full evaluation of every site recommends an allocation with ``new_sites``."""
    from planner.evaluate import evaluate_sites
    from planner.optimize.drivers import with_value

    sc, results = training_run
    rows = [
        r
        for r in results.recommendation["switching_values"]
        if r["parameter"] in ("time_to_power_months", "discount_rate")
    ]
    assert {r["parameter"] for r in rows} == {"time_to_power_months", "discount_rate"}
    checked = 0
    for row in rows:
        if row["value"] is None:
            continue
        step = 0.05 if row["parameter"] == "time_to_power_months" else 2e-4
        past = row["value"] + (step if row["direction"] == "up" else -step)
        if row["parameter"] == "discount_rate":
            ev = evaluate_sites(with_value(sc, "scenario.discount_rate", past))
            changed = with_value(sc, "scenario.discount_rate", past)
        else:
            changed = sc
            ev = evaluate_sites(sc, site_values={row["site_id"]: {"time_to_power_months": past}})
        alloc = allocate(ev, changed, screen_sites(ev, changed))
        assert set(row["new_sites"]) <= set(alloc.summary.index), row["sentence"]
        checked += 1
    assert checked >= 2


def test_only_sites_evaluates_the_same_numbers():
    import pandas as pd

    from planner.errors import InputError
    from planner.evaluate import evaluate_sites
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    sc = load_scenario(data_dir() / "scenarios" / "training-16k.toml")
    whole = evaluate_sites(sc)
    ids = list(whole.metrics.index[[7, 0, 30]])
    part = evaluate_sites(sc, only_sites=ids)
    numbers = whole.metrics.select_dtypes("number").columns
    pd.testing.assert_frame_equal(whole.metrics.loc[ids, numbers], part.metrics[numbers])
    pd.testing.assert_frame_equal(whole.phase_block_cost_usd.loc[ids], part.phase_block_cost_usd)
    with pytest.raises(InputError, match="site 'atlantis' is not among the candidate sites"):
        evaluate_sites(sc, only_sites=["atlantis"])
    with pytest.raises(InputError, match="cannot set 'no_such_column' of site"):
        evaluate_sites(sc, only_sites=ids, site_values={ids[0]: {"no_such_column": 1.0}})


def test_reevaluator_reuses_cooling_but_not_numbers():
    """A time to power changed on prepared sites gives the figures of a fresh evaluation."""
    import pandas as pd

    from planner.evaluate import evaluate_sites, scenario_catalog
    from planner.optimize.run import scenario_reevaluator
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    sc = load_scenario(data_dir() / "scenarios" / "training-16k.toml")
    catalog = scenario_catalog(sc)
    reevaluate = scenario_reevaluator(sc, catalog)
    ids = ["abilene-tx", "pryor-ok", "lulea-se"]
    first = reevaluate(sc, ids, {"abilene-tx": {"time_to_power_months": 40.0}})
    again = reevaluate(sc, ids, {"abilene-tx": {"time_to_power_months": 10.0}})  # cached sites
    fresh = evaluate_sites(
        sc, catalog, only_sites=ids, site_values={"abilene-tx": {"time_to_power_months": 10.0}}
    )
    pd.testing.assert_frame_equal(again.phase_block_cost_usd, fresh.phase_block_cost_usd)
    assert again.metrics.loc["abilene-tx", "time_to_power_months"] == 10.0
    assert (
        first.phase_block_cost_usd.loc["abilene-tx"] != again.phase_block_cost_usd.loc["abilene-tx"]
    ).any()
