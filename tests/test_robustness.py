"""Robustness of the recommendation: Monte Carlo draws that re-solve the allocation, pinned
factor by factor against hand calculations."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from planner.evaluate import evaluate_arrays
from planner.optimize.allocate import allocate
from planner.optimize.robustness import draw_normals, robustness
from planner.optimize.screen import screen_sites
from tests.test_evaluate import CENTERS, FINANCE, GPUS, scenario, sites
from tests.test_tornado import CO2_T, ENERGY, GPU_CAPITAL, GPU_HOURS

SPREADS = (
    "price_sigma",
    "carbon_sigma",
    "pue_sigma",
    "gpu_capital_sigma",
    "capital_per_mw_sigma",
    "rent_sigma",
    "carbon_price_sigma_usd_per_t",
)


def run(arrays=None, draws=256, carbon_price=0.0, **sigmas):
    sc = scenario()
    sc.objective.carbon_price_usd_per_t = carbon_price
    for key in SPREADS:
        setattr(sc.analysis.uncertainty, key, sigmas.get(key, 0.0))
    ev = evaluate_arrays(sc, arrays or sites(n=1, ttp=(0,)), GPUS, CENTERS, FINANCE)
    screen = screen_sites(ev, sc)
    alloc = allocate(ev, sc, screen)
    return ev, alloc, robustness(ev, sc, screen, alloc, draws=draws, seed=7)


def test_sobol_normals_are_balanced():
    z = draw_normals(256, 3, seed=1)
    assert z.shape == (256, 3)
    # Each of 256 equal-probability strata of every input holds exactly one draw.
    strata = (norm.cdf(z) * 256).astype(int)
    assert all(len(set(strata[:, j])) == 256 for j in range(3))
    assert draw_normals(200, 3, seed=1).shape == (256, 3)  # rounded up to a power of two


def test_no_spread_gives_the_base_cost_everywhere():
    ev, alloc, out = run()
    tco = ev.metrics.loc["s0", "tco_usd"]
    for key in ("cost_p10_usd", "cost_p50_usd", "cost_p90_usd"):
        assert out[key] == pytest.approx(tco, rel=1e-9)
    assert out["usd_per_gpu_hour_p50"] == pytest.approx(tco / GPU_HOURS, rel=1e-9)
    assert out["regret_p90_usd"] == pytest.approx(0.0, abs=1e-6)
    assert out["p_same_sites"] == 1.0 and out["p_in_optimum"] == {"s0": 1.0}
    assert out["draws"] == 256


@pytest.mark.parametrize(
    ("sigma_key", "amount"),
    [("gpu_capital_sigma", GPU_CAPITAL), ("price_sigma", ENERGY), ("pue_sigma", ENERGY)],
)
def test_one_factor_alone_moves_the_percentiles_by_hand(sigma_key, amount):
    sigma = 0.2
    ev, _, out = run(**{sigma_key: sigma})
    tco = ev.metrics.loc["s0", "tco_usd"]
    # Cost = TCO + amount (exp(sigma z) - 1): its percentiles are those of z (monotone). The
    # 256 draws' sample quantiles sit within a few strata (0.03 in z) of the true ones.
    for key, q in (("cost_p10_usd", 0.1), ("cost_p50_usd", 0.5), ("cost_p90_usd", 0.9)):
        expected = amount * (math.exp(sigma * norm.ppf(q)) - 1.0)
        assert out[key] - tco == pytest.approx(expected, abs=0.03 * sigma * amount)


def test_carbon_price_alone_by_hand():
    ev, _, out = run(carbon_price=100.0, carbon_price_sigma_usd_per_t=30.0)
    tco = ev.metrics.loc["s0", "tco_usd"]
    # 4,336.9 t x (100 + 30 z) USD/t: P90 adds 4,336.9 x 30 x 1.2816.
    assert out["cost_p90_usd"] - tco == pytest.approx(CO2_T * 30.0 * norm.ppf(0.9), rel=0.02)


def test_probability_in_optimum_by_hand():
    # Two sites alike but for their region's electricity price, 50 and 55 USD/MWh, each drawn
    # lognormal (sigma 0.2) on its own: s0 is the cheaper iff 50 f0 < 55 f1, i.e.
    # z0 - z1 < ln(1.1) / 0.2, with probability Phi(ln(1.1) / (0.2 sqrt 2)) = 0.632.
    arrays = sites(n=2, ttp=(0, 0))
    arrays.table.loc["s1", "price_usd_per_mwh"] = 55.0
    arrays.table.loc["s1", "region_code"] = "US-TX"
    _, alloc, out = run(arrays, draws=1024, price_sigma=0.2)
    assert list(alloc.summary.index) == ["s0"]
    expected = norm.cdf(math.log(1.1) / (0.2 * math.sqrt(2.0)))
    assert out["p_in_optimum"]["s0"] == pytest.approx(expected, abs=0.03)
    assert out["p_in_optimum"]["s1"] == pytest.approx(1.0 - expected, abs=0.03)
    assert out["p_same_sites"] == pytest.approx(expected, abs=0.03)
    # Regret: zero when s0 stays optimal, positive otherwise.
    assert out["regret_p50_usd"] == pytest.approx(0.0, abs=1e-6)
    assert out["regret_p90_usd"] > 0.0


def test_same_seed_same_numbers_and_infeasible_gives_none():
    _, _, first = run(price_sigma=0.2)
    _, _, again = run(price_sigma=0.2)
    assert first == again
    sc = scenario()
    ev = evaluate_arrays(sc, sites(n=1, ttp=(0,)), GPUS, CENTERS, FINANCE)
    screen = screen_sites(ev, sc)
    alloc = allocate(ev, sc, screen)
    assert robustness(ev, sc, screen, alloc, draws=0) is None
    sc.constraints.min_sites = 2  # one site cannot meet it
    infeasible = allocate(ev, sc, screen)
    assert robustness(ev, sc, screen, infeasible, draws=16) is None


def test_no_solved_draw_says_so_and_gives_null_regret():
    import numpy as np

    from planner.optimize.allocate import build_problem
    from planner.optimize.robustness import Draws, summarise

    ev, alloc, _ = run(draws=16)
    problem = build_problem(ev, scenario())
    n = 8
    draws = Draws(
        in_optimum=np.zeros((n, problem.n_sites), bool),
        same_sites=np.zeros(n, bool),
        cost_usd=np.full(n, 2.0e6),
        regret_usd=np.full(n, np.nan),
        solved=np.zeros(n, bool),
    )
    out = summarise(draws, problem, alloc, gpu_hours=1.0e6)
    assert out["regret_p90_usd"] is None and out["p_same_sites"] == 0.0
    assert out["cost_p50_usd"] == 2.0e6
    assert out["sentence"].startswith("None of the 8 draws")
    assert "nan" not in out["sentence"]
