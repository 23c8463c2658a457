"""Monte Carlo and tornado: reproducible, consistent with hand-calculated cost rescaling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from optimizer_fixtures import make_evaluation, make_scenario

from planner.optimize.rank import rank_sites
from planner.optimize.uncertainty import P10_Z, monte_carlo


def setup(**uncertainty):
    sc = make_scenario(
        analysis={"uncertainty": {"draws": 400, "seed": 7, "top_k": 3, **uncertainty}}
    )
    return sc, make_evaluation(sc, 30, 5)


def test_same_seed_same_numbers_and_frequencies_add_up():
    sc, ev = setup()
    a = monte_carlo(ev, sc)
    b = monte_carlo(ev, sc)
    pd.testing.assert_frame_equal(a, b)
    assert a["p_first"].sum() == pytest.approx(1.0)
    assert a["p_top_k"].sum() == pytest.approx(3.0)
    assert (a["usd_per_gpu_hour_p10"] <= a["usd_per_gpu_hour_p50"]).all()
    assert (a["usd_per_gpu_hour_p50"] <= a["usd_per_gpu_hour_p90"]).all()
    assert not a.equals(monte_carlo(ev, sc, seed=8))


def test_no_spread_reproduces_the_base_ranking():
    sc, ev = setup(price_sigma=0.0, carbon_sigma=0.0, pue_sigma=0.0, growth_sigma=0.0, draws=10)
    out = monte_carlo(ev, sc)
    best = rank_sites(ev.metrics, None, sc.objective.weights).index[0]
    assert out.loc[best, "p_first"] == 1.0
    assert np.allclose(out["usd_per_gpu_hour_p10"], ev.metrics["usd_per_gpu_hour"])
    assert np.allclose(out["usd_per_gpu_hour_p90"], ev.metrics["usd_per_gpu_hour"])


def test_infeasible_sites_never_rank():
    sc, ev = setup()
    feasible = pd.Series(True, index=ev.metrics.index)
    feasible.iloc[:10] = False
    out = monte_carlo(ev, sc, feasible)
    assert (out["p_first"].iloc[:10] == 0).all() and (out["p_top_k"].iloc[:10] == 0).all()


def test_price_p50_is_the_base_and_spread_matches_the_lognormal():
    # Price alone, sigma 0.2, every site in its own region: the cost per GPU-hour is
    # (tco + E (f - 1)) / H with H = tco / base, linear in f, so its P90 is at
    # f = exp(1.2816 x 0.2).
    sc, ev = setup(price_sigma=0.2, carbon_sigma=0.0, pue_sigma=0.0, growth_sigma=0.0, draws=20000)
    ev.metrics["region_code"] = ev.metrics.index
    out = monte_carlo(ev, sc)
    m = ev.metrics
    hours = m["tco_usd"] / m["usd_per_gpu_hour"]
    f90 = math.exp(P10_Z * 0.2)
    expected = (m["tco_usd"] + m["cost_energy_usd"] * (f90 - 1)) / hours
    assert np.allclose(out["usd_per_gpu_hour_p90"], expected, rtol=0.01)
    assert np.allclose(out["usd_per_gpu_hour_p50"], m["usd_per_gpu_hour"], rtol=0.01)


def test_zero_draws_is_refused():
    sc, ev = setup(draws=0)
    with pytest.raises(ValueError, match="at least one draw"):
        monte_carlo(ev, sc)


@pytest.mark.parametrize(
    ("factor", "moves"),
    [("carbon_sigma", ("cost_carbon_usd",)), ("pue_sigma", ("cost_energy_usd", "cost_carbon_usd"))],
)
def test_each_factor_alone_moves_p90_by_hand(factor, moves):
    # One factor alone (sigma 0.2), every site its own region: the items it scales follow
    # f = exp(1.2816 x 0.2) at P90 (carbon intensity scales the carbon cost; PUE the energy and
    # the carbon cost, both proportional to facility energy).
    spreads = dict.fromkeys(("price_sigma", "carbon_sigma", "pue_sigma", "growth_sigma"), 0.0)
    sc = make_scenario(
        objective={"carbon_price_usd_per_t": 100.0},
        analysis={"uncertainty": {"draws": 20000, "seed": 7, **spreads, factor: 0.2}},
    )
    ev = make_evaluation(sc, 30, 5)
    ev.metrics["region_code"] = ev.metrics.index
    m = ev.metrics
    assert (m["cost_carbon_usd"] > 0).all()  # the factor has something to move
    out = monte_carlo(ev, sc)
    hours = m["tco_usd"] / m["usd_per_gpu_hour"]
    moved = sum(m[c] for c in moves)
    expected = (m["tco_usd"] + moved * (math.exp(P10_Z * 0.2) - 1)) / hours
    assert np.allclose(out["usd_per_gpu_hour_p90"], expected, rtol=0.01)
    assert not np.allclose(out["usd_per_gpu_hour_p90"], m["usd_per_gpu_hour"], rtol=0.001)
