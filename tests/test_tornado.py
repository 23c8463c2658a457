"""Tornado of the recommendation: each driver's swing pinned against a hand calculation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.evaluate import evaluate_arrays
from planner.optimize.allocate import allocate, build_problem
from planner.optimize.drivers import block_parts
from planner.optimize.screen import screen_sites
from planner.optimize.tornado import P90_Z, tornado
from tests.test_evaluate import CENTERS, FINANCE, GPUS, scenario, sites

# The worked example of tests/test_evaluate.py: one site ready at once, 1,024 H100 for one
# year at 0 %, utilization 1, PUE 1.2, 50 USD/MWh, 400 g/kWh.
GPU_HOURS = 1024 * 8760.0  # delivered GPU-hours (0 %: not discounted)
GPU_CAPITAL = 1024 * 25_000.0 / 5  # one year of a 5-year life at 0 %: 5,120,000 USD
ENERGY = 542_116.45  # 10,842.33 MWh x 50 USD
CO2_T = 10_842.33 * 0.4  # t at 400 g/kWh


def hand_tornado(**sigmas):
    sc = scenario()
    sc.objective.carbon_price_usd_per_t = sigmas.pop("carbon_price", 0.0)
    for key, value in sigmas.items():
        setattr(sc.analysis.uncertainty, key, value)
    ev = evaluate_arrays(sc, sites(n=1, ttp=(0,)), GPUS, CENTERS, FINANCE)
    screen = screen_sites(ev, sc)
    alloc = allocate(ev, sc, screen)
    return sc, ev, tornado(ev, sc, screen, alloc).set_index("parameter")


def swing(table, parameter):
    row = table.loc[parameter]
    return row["low"] - row["base"], row["high"] - row["base"]


def test_base_is_the_levelised_cost_of_the_allocation():
    sc, ev, table = hand_tornado()
    # The whole fleet at the one site: its TCO over the GPU-hours it delivers.
    expected = ev.metrics.loc["s0", "tco_usd"] / GPU_HOURS
    assert table["base"].to_numpy() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("parameter", "sigma_key", "amount"),
    [
        ("gpu_capital_factor", "gpu_capital_sigma", GPU_CAPITAL),
        ("electricity_price_factor", "price_sigma", ENERGY),
        ("pue_factor", "pue_sigma", ENERGY),  # no carbon price: energy alone scales
    ],
)
def test_each_factor_swings_its_own_cost_by_hand(parameter, sigma_key, amount):
    sigma = 0.2
    _, _, table = hand_tornado(**{sigma_key: sigma})
    low, high = swing(table, parameter)
    # The factor at P10/P90 is exp(-/+ 1.2816 sigma); its cost item scales with it.
    assert high == pytest.approx(amount * (math.exp(P90_Z * sigma) - 1) / GPU_HOURS, rel=2e-3)
    assert low == pytest.approx(amount * (math.exp(-P90_Z * sigma) - 1) / GPU_HOURS, rel=2e-3)


def test_carbon_price_swing_by_hand():
    _, _, table = hand_tornado(carbon_price=100.0, carbon_price_sigma_usd_per_t=40.0)
    low, high = swing(table, "carbon_price_usd_per_t")
    # 4,336.9 t x (+/- 1.2816 x 40 USD/t), over the GPU-hours.
    assert high == pytest.approx(CO2_T * P90_Z * 40.0 / GPU_HOURS, rel=2e-3)
    assert low == pytest.approx(-CO2_T * P90_Z * 40.0 / GPU_HOURS, rel=2e-3)
    assert table.loc["carbon_price_usd_per_t", "high_input"] == "151 USD/t"


def test_carbon_price_never_goes_below_zero():
    _, _, table = hand_tornado(carbon_price=10.0, carbon_price_sigma_usd_per_t=40.0)
    assert table.loc["carbon_price_usd_per_t", "low_input"] == "0 USD/t"
    low, _ = swing(table, "carbon_price_usd_per_t")
    assert low == pytest.approx(-CO2_T * 10.0 / GPU_HOURS, rel=2e-3)


def test_zero_spreads_give_no_swing_and_rent_is_flat_when_no_site_waits():
    zero = dict.fromkeys(
        (
            "price_sigma",
            "pue_sigma",
            "gpu_capital_sigma",
            "capital_per_mw_sigma",
            "rent_sigma",
            "carbon_price_sigma_usd_per_t",
        ),
        0.0,
    )
    _, _, table = hand_tornado(**zero)
    assert np.allclose(table["low"], table["base"]) and np.allclose(table["high"], table["base"])
    _, _, table = hand_tornado(rent_sigma=0.5)
    assert swing(table, "rent_price_factor") == pytest.approx((0.0, 0.0), abs=1e-12)


def test_block_parts_split_the_whole_site_exactly():
    sc = scenario()
    ev = evaluate_arrays(sc, sites(n=1, ttp=(0,)), GPUS, CENTERS, FINANCE)
    problem = build_problem(ev, sc)
    parts = block_parts(ev, sc, problem)
    blocks = problem.blocks_needed[None, :]
    m = ev.metrics.loc["s0"]
    assert (blocks * parts.gpu).sum() == pytest.approx(m["cost_gpus_usd"] + m["cost_idle_usd"])
    assert (blocks * parts.energy).sum() == pytest.approx(m["cost_energy_usd"])
    assert (blocks * parts.gpu).sum() == pytest.approx(GPU_CAPITAL, rel=1e-9)


def test_training_16k_has_every_driver_with_inputs_in_words():
    from planner.optimize.run import run_scenario
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    sc = load_scenario(data_dir() / "scenarios" / "training-16k.toml")
    sc.analysis.uncertainty.draws = 0
    sc.analysis.pareto_points = 0
    results = run_scenario(sc)
    table = results.sensitivity.set_index("parameter")
    assert set(table.index) == {
        "gpu_capital_factor",
        "capital_per_mw_factor",
        "rent_price_factor",
        "electricity_price_factor",
        "pue_factor",
        "carbon_price_usd_per_t",
        "time_to_power_months",
        "utilization",
        "discount_rate",
    }
    # Higher utilization spreads the same fleet over more GPU-hours; a higher discount rate
    # makes the capital-heavy build dearer per discounted GPU-hour.
    assert table.loc["utilization", "high"] < table.loc["utilization", "base"]
    assert table.loc["discount_rate", "high"] > table.loc["discount_rate", "base"]
    assert table.loc["time_to_power_months", "high_input"] == "+8 months"
    assert table["sites_low"].str.len().gt(0).all()
    base = results.build_vs_rent["usd_per_gpu_hour"]
    assert table["base"].to_numpy() == pytest.approx(base, rel=1e-9)


def test_rent_swing_by_hand_when_the_site_waits():
    # The site gets power at month 6: January to June, 181 days x 24 h = 4,344 useful hours of
    # 1,024 GPUs are rented at 2.5 USD (0 %, utilization 1): 11,120,640 USD of bridge rent.
    sc = scenario(cloud_gpu_hour_usd=2.5)
    sc.analysis.uncertainty.rent_sigma = 0.3
    ev = evaluate_arrays(sc, sites(n=1, ttp=(6,)), GPUS, CENTERS, FINANCE)
    screen = screen_sites(ev, sc)
    table = tornado(ev, sc, screen, allocate(ev, sc, screen)).set_index("parameter")
    bridge = 1024 * 4344 * 2.5
    low, high = swing(table, "rent_price_factor")
    assert high == pytest.approx(bridge * (math.exp(P90_Z * 0.3) - 1) / GPU_HOURS, rel=2e-3)
    assert low == pytest.approx(bridge * (math.exp(-P90_Z * 0.3) - 1) / GPU_HOURS, rel=2e-3)
