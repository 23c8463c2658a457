"""Pareto front: mutually non-dominated points whose ends are the single-objective optima."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from optimizer_fixtures import feasible_placements, make_evaluation, make_scenario, rule_breaks

from planner.optimize.allocate import build_problem, compile_problem, solve
from planner.optimize.pareto import ParetoInfeasible, non_dominated, pareto_front, sweep
from planner.optimize.screen import screen_sites


def instance(seed: int, **constraints):
    sc = make_scenario(
        fleet={
            "block_gpus": 1024,
            "phases": [
                {"gpu": "H100-SXM", "count": 3 * 1024},
                {"gpu": "B200", "count": 2 * 1024, "start_month": 6},
            ],
        },
        constraints={"max_sites": 3, **constraints},
        objective={"carbon_price_usd_per_t": 0.0},
    )
    return sc, make_evaluation(sc, 5, seed, capacity_mw=(2.0, 8.0), n_grids=3)


def dominated(points: np.ndarray) -> bool:
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j and (a <= b).all() and (a < b).any():
                return True
    return False


@pytest.mark.parametrize("seed", range(12))
def test_front_against_enumeration(seed):
    sc, ev = instance(seed, max_share_per_site=0.6)
    every = feasible_placements(ev, sc)
    if not every:
        with pytest.raises(ParetoInfeasible):
            pareto_front(ev, sc, points=6)
        return
    table, allocations = pareto_front(ev, sc, points=6, mip_rel_gap=1e-9, delay_rent=False)
    pts = table[["cost_usd", "co2_t"]].to_numpy()
    assert not dominated(pts)
    cost = np.array([c for c, _, _ in every])
    co2 = np.array([e for _, e, _ in every])
    # End points: the cheapest placement (least CO2 among equally cheap ones) and the
    # lowest-CO2 placement (cheapest among equally clean ones).
    cheap = np.flatnonzero(np.isclose(cost, cost.min(), rtol=1e-9))
    clean = np.flatnonzero(np.isclose(co2, co2.min(), rtol=1e-9))
    assert pts[0, 0] == pytest.approx(cost.min(), rel=1e-9)
    assert pts[0, 1] == pytest.approx(co2[cheap].min(), rel=1e-6)
    assert pts[-1, 1] == pytest.approx(co2.min(), rel=1e-9)
    assert pts[-1, 0] == pytest.approx(cost[clean].min(), rel=1e-6)
    # Every point is a real placement on the true front (no enumerated placement dominates it).
    for (c, e), alloc in zip(pts, allocations, strict=True):
        assert not (
            (cost <= c * (1 + 1e-9))
            & (co2 <= e * (1 + 1e-9))
            & ((cost < c * (1 - 1e-9)) | (co2 < e * (1 - 1e-9)))
        ).any()
        assert rule_breaks(ev, sc, alloc // 1024) == []
    assert table["point"].tolist() == list(range(1, len(table) + 1))
    assert (np.diff(table["cost_usd"]) > 0).all()


def test_water_front():
    sc, ev = instance(3)
    table, _ = pareto_front(ev, sc, points=5, metric="water", mip_rel_gap=1e-9, delay_rent=False)
    assert not dominated(table[["cost_usd", "water_m3"]].to_numpy())
    water = min(w for _, _, w in feasible_placements(ev, sc))
    assert table["water_m3"].iloc[-1] == pytest.approx(water, rel=1e-9)


def test_non_dominated_mask_by_hand():
    # (1, 5) (2, 3) (2, 4) (3, 3) (1, 5): (2, 4) is dominated by (2, 3), (3, 3) too, the second
    # (1, 5) duplicates the first.
    keep = non_dominated(np.array([1, 2, 2, 3, 1.0]), np.array([5, 3, 4, 3, 5.0]))
    assert keep.tolist() == [True, True, False, False, False]


def test_bad_metric():
    sc, ev = instance(0)
    with pytest.raises(ValueError, match="metric"):
        pareto_front(ev, sc, metric="noise")


class Rebuilding:
    """Stands in for a compiled model: every solve builds the matrices afresh (``solve``)."""

    def __init__(self, problem):
        self.problem = problem
        self.solves = 0

    def solve(self, **kw):
        self.solves += 1
        return solve(self.problem, **kw)


@pytest.mark.parametrize("metric", ["co2", "water"])
def test_sweep_on_the_compiled_model_equals_rebuilding_every_solve(metric):
    swept = 0
    for seed in range(6):
        sc, ev = instance(seed, max_share_per_site=0.6)
        problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"], delay_rent=False)
        if not solve(problem).ok:
            continue
        fresh = Rebuilding(problem)
        want, want_allocs = sweep(problem, 6, metric=metric, model=fresh)
        got, got_allocs = sweep(problem, 6, metric=metric)
        assert fresh.solves > 2
        pd.testing.assert_frame_equal(got, want)
        for a, b in zip(got_allocs, want_allocs, strict=True):
            pd.testing.assert_frame_equal(a, b)
        swept += len(got) > 1
    assert swept >= 2  # fronts of more than one point were compared


def test_sweep_refuses_a_model_of_another_problem():
    sc, ev = instance(0)
    problem = build_problem(ev, sc)
    other = compile_problem(build_problem(ev, sc, delay_rent=False))
    with pytest.raises(ValueError, match="compiled from the problem"):
        sweep(problem, 4, model=other)
