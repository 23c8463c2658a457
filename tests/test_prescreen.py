"""Pre-screening a large allocation problem to its leading sites, and hourly arrays per case."""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimize.allocate import allocate, build_problem, fleet_cost_usd, solve
from planner.optimize.allocate.prescreen import MAX_SITES, PER_PHASE, leading_mask, unit_cost
from tests.optimizer_fixtures import make_evaluation, make_scenario


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prescreened_optimum_equals_the_whole_problem(seed):
    sc = make_scenario(constraints={"max_sites": 3})
    ev = make_evaluation(sc, n_sites=MAX_SITES + 200, seed=seed)
    whole = build_problem(ev, sc, leading_only=False)
    kept = build_problem(ev, sc)
    assert whole.n_sites == MAX_SITES + 200 and kept.n_sites < whole.n_sites
    assert kept.prescreened_from == whole.n_sites
    a = solve(whole, mip_rel_gap=1e-9)
    b = solve(kept, mip_rel_gap=1e-9)
    assert fleet_cost_usd(kept, b.blocks) == pytest.approx(
        fleet_cost_usd(whole, a.blocks), rel=1e-9
    )


def test_leading_sites_are_the_cheapest_of_every_phase():
    sc = make_scenario()
    ev = make_evaluation(sc, n_sites=1000, seed=4)
    problem = build_problem(ev, sc, leading_only=False)
    keep = leading_mask(problem)
    cost = unit_cost(problem)
    for p in range(problem.n_phases):
        # Every left-out site costs at least as much as the PER_PHASE-th cheapest of the phase.
        threshold = np.sort(cost[:, p])[PER_PHASE - 1]
        assert (cost[~keep, p] >= threshold).all()


def test_latency_rule_keeps_sites_within_reach():
    sc = make_scenario()
    ev = make_evaluation(sc, n_sites=1000, seed=5)
    problem = build_problem(ev, sc, leading_only=False)
    # A rule only the dearest 30 sites can meet: they must all stay.
    dear = np.argsort(-unit_cost(problem).min(axis=1))[:30]
    within = np.zeros(problem.n_sites, dtype=bool)
    within[dear] = True
    from planner.optimize.allocate import LatencyRuleData

    problem.latency = [LatencyRuleData("X", 10.0, 0.5, within, 1.0)]
    assert leading_mask(problem)[dear].all()


def test_allocation_says_it_was_prescreened():
    sc = make_scenario()
    ev = make_evaluation(sc, n_sites=MAX_SITES + 50, seed=3)
    alloc = allocate(ev, sc)
    assert alloc.feasible
    assert f"leading of {MAX_SITES + 50:,} feasible sites" in alloc.message


def test_small_problems_are_whole():
    sc = make_scenario()
    ev = make_evaluation(sc, n_sites=30, seed=3)
    problem = build_problem(ev, sc)
    assert problem.n_sites == 30 and problem.prescreened_from is None


def test_lowest_co2_allocation_survives_prescreening():
    """The Pareto front's other end: the least-CO2 allocation is among the kept sites."""
    sc = make_scenario(constraints={"max_sites": 3})
    ev = make_evaluation(sc, n_sites=MAX_SITES + 300, seed=6)
    whole = build_problem(ev, sc, leading_only=False)
    kept = build_problem(ev, sc)
    a = solve(whole, objective="co2", mip_rel_gap=1e-9)
    b = solve(kept, objective="co2", mip_rel_gap=1e-9)
    assert (b.blocks * kept.block_co2_t).sum() == pytest.approx(
        (a.blocks * whole.block_co2_t).sum()
    )
