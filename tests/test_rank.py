"""Ranking: hand-calculated min-max scores, contributions that sum to the score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from optimizer_fixtures import make_evaluation, make_scenario

from planner.optimize.rank import CRITERIA, rank_sites


def table():
    return pd.DataFrame(
        {
            "usd_per_gpu_hour": [1.0, 2.0, 3.0, 1.5],
            "tco_usd": [30e6, 20e6, 10e6, 40e6],
            "co2_market_t_per_year": [100.0, 0.0, 50.0, 10.0],
            "water_m3_per_year": [5.0, 5.0, 5.0, 5.0],
            "latency_ms": [np.nan] * 4,
            "risk_score": [0.2, 0.4, 0.0, 0.9],
            "time_to_power_months": [12, 24, 36, 6],
        },
        index=pd.Index(["a", "b", "c", "d"], name="site_id"),
    )


def test_cost_only_weights_give_min_max_scores():
    # Feasible a, b, c: cost 1, 2, 3 -> (3 - x) / (3 - 1) = 1, 0.5, 0.
    screen = pd.DataFrame(
        {"feasible": [True, True, True, False], "reasons": ["", "", "", "too far"]},
        index=table().index,
    )
    r = rank_sites(table(), screen, {"cost": 1.0})
    assert r.loc[["a", "b", "c"], "score"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    # d (1.5) is scored on the feasible range but ranked after every feasible site.
    assert r.loc["d", "score"] == pytest.approx(0.75)
    assert r["rank"].tolist() == [1, 2, 3, 4] and list(r.index) == ["a", "b", "c", "d"]
    assert r.loc["d", "reasons"] == "too far" and not r.loc["d", "feasible"]


def test_two_criteria_hand_calculation():
    # Weights 0.6 cost, 0.4 carbon over all four sites.
    # cost norm: (3 - x) / 2 -> a 1, b 0.5, c 0, d 0.75;
    # carbon norm: (100 - x) / 100 -> 0, 1, .5, .9
    # score = 0.6 cost + 0.4 carbon -> a 0.6, b 0.7, c 0.2, d 0.81.
    r = rank_sites(table(), None, {"cost": 0.6, "carbon": 0.4})
    assert r.loc[["a", "b", "c", "d"], "score"].tolist() == pytest.approx([0.6, 0.7, 0.2, 0.81])
    assert list(r.index) == ["d", "b", "a", "c"]
    assert r.loc["d", "contrib_carbon"] == pytest.approx(0.36)


def test_tco_metric_and_missing_latency_drop_out():
    # Latency is all NaN: its weight drops and the others are rescaled (0.5 / 0.5).
    # TCO 30, 20, 10, 40 -> norm 1/3, 2/3, 1, 0.
    r = rank_sites(table(), None, {"cost": 0.5, "latency": 0.5}, cost_metric="tco")
    assert r.loc[["a", "b", "c", "d"], "score"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0, 0.0])
    assert (r["contrib_latency"] == 0).all()


def test_equal_values_give_full_marks():
    r = rank_sites(table(), None, {"water": 1.0})
    assert (r["score"] == 1.0).all()


def test_contributions_sum_to_score_on_random_sites():
    sc = make_scenario()
    ev = make_evaluation(sc, 300, 11)
    r = rank_sites(ev.metrics, None, sc.objective.weights)
    contrib = r[[f"contrib_{c}" for c in CRITERIA]].sum(axis=1)
    assert np.allclose(contrib, r["score"], atol=1e-12)
    assert r["score"].between(0, 1).all()
    assert (np.diff(r["score"].to_numpy()) <= 1e-15).all()


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match=r"unknown criteria \['beauty'\]; expected some of"):
        rank_sites(table(), None, {"beauty": 1.0})
    for bad in (-1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="weights must be finite and non-negative"):
            rank_sites(table(), None, {"cost": bad})
    words = r"cost_metric must be one of \['tco', 'usd_per_gpu_hour'\], got 'npv'"
    with pytest.raises(ValueError, match=words):
        rank_sites(table(), None, {"cost": 1.0}, cost_metric="npv")


def test_time_to_power_criterion_uses_the_ready_month():
    # Both sites get grid power in month 12, but site b's building takes 30 months: the fleet
    # can start at a in month 18 (its build lead) and at b only in month 30, so a ranks first.
    metrics = pd.DataFrame(
        {"time_to_power_months": [12.0, 12.0], "ready_month": [18, 30]},
        index=pd.Index(["a", "b"], name="site_id"),
    )
    r = rank_sites(metrics, None, {"time_to_power": 1.0})
    assert r.loc["a", "rank"] == 1 and r.loc["b", "rank"] == 2
    assert r.loc["a", "score"] == pytest.approx(1.0) and r.loc["b", "score"] == pytest.approx(0.0)
