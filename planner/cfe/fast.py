"""Fast portfolio search: the three capacities by SLSQP, each trial scored by greedy dispatch.

The full LP (:mod:`planner.cfe.solve`) has about 35,000 variables for a year and takes
seconds to tens of seconds on HiGHS. Here the problem is kept in its three capacities:
minimise the annual net cost subject to ``score(S, W, E) >= target``, where ``score`` is the
greedy dispatch's CFE score (exact and vectorised, about a millisecond per portfolio).

- When the grid's carbon-free share is the same in every hour, greedy dispatch is optimal,
  the score is concave in the capacities and this solves the same problem as the LP (up to
  the optimiser's tolerance).
- When the share varies by hour, greedy does not save energy for the dirtiest hours: its
  score is at most the LP's, so the portfolio found still meets the target (conservative)
  and may cost a little more than the LP's.

The answer is always checked: if the optimiser stops slightly short of the target the
capacities are scaled up until greedy dispatch meets it. benchmarks/bench_cfe.py measures
the cost difference against the full LP.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from planner.cfe.dispatch import greedy_dispatch
from planner.cfe.model import CfeSite, PortfolioCosts

STEP = 1e-5  # finite-difference step [MW per MW of peak load]
MAX_ITERATIONS = 60  # SLSQP zig-zags at kinks (e.g. battery power = peak load); enough there


def evaluate(site: CfeSite, costs: PortfolioCosts, caps: np.ndarray) -> tuple[np.ndarray, ...]:
    """Annual net cost and CFE score of portfolios ``caps`` (k, 3) under greedy dispatch."""
    from planner.cfe.solve import _objective

    s_mw, w_mw, e_mwh = caps[:, 0:1], caps[:, 1:2], caps[:, 2]
    gen = s_mw * site.solar_cf + w_mw * site.wind_cf
    charge, discharge, _ = greedy_dispatch(
        gen - site.load_mw, e_mwh, costs.battery_duration_h, costs.efficiency_one_way
    )
    matched = np.clip(gen + discharge - charge, 0.0, site.load_mw)
    load = site.load_mw
    score = ((1.0 - site.grid_cfe) * matched).sum(axis=1) / load.sum() + (
        site.grid_cfe * load
    ).sum() / load.sum()
    c = _objective(site, costs)
    cost = caps @ c[:3] + matched @ c[3 : 3 + site.hours]
    return cost, score


def fast_capacities(site: CfeSite, target: float, costs: PortfolioCosts) -> np.ndarray | None:
    """Least-cost (S, W, E) meeting ``target`` under greedy dispatch; None if out of reach.

    ``site`` has a peak load of 1 MW. Starts from three portfolios (solar-led, wind-led,
    balanced with storage); the next start only if the first cannot be made feasible.
    """
    cap = costs.max_build_multiple
    upper = np.array([cap, cap, cap * costs.battery_duration_h])
    if evaluate(site, costs, upper[None, :])[1][0] < target - 1e-12:
        return None
    scale = max(1.0, float(np.abs(_unit_costs(site, costs)).max()))
    found = []
    for start in ([1.5, 1.5, 2.0], [2.0, 0.5, 0.0], [0.5, 2.0, 0.0]):
        x = _optimise(site, target, costs, np.minimum(start, upper), upper, scale)
        x = _repair(site, target, costs, x, upper)
        if x is not None:
            found.append((float(evaluate(site, costs, x[None, :])[0][0]), tuple(x)))
        if x is not None:
            break  # a convex problem: the other starts are a fallback only
    return np.array(min(found)[1]) if found else None


def _unit_costs(site: CfeSite, costs: PortfolioCosts) -> np.ndarray:
    from planner.cfe.solve import _objective

    return _objective(site, costs)[:3]


def _optimise(site, target, costs, x0, upper, scale) -> np.ndarray:
    """SLSQP on (S, W, E) with forward-difference gradients from one vectorised call."""
    probe = np.vstack([np.zeros(3), STEP * np.eye(3)])
    memo: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def at(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = x.tobytes()
        if key not in memo:
            memo[key] = evaluate(site, costs, x[None, :] + probe)
        return memo[key]

    def grad(values: np.ndarray) -> np.ndarray:
        return (values[1:] - values[0]) / STEP

    result = minimize(
        lambda x: at(x)[0][0] / scale,
        x0,
        jac=lambda x: grad(at(x)[0]) / scale,
        bounds=[(0.0, u - STEP) for u in upper],
        constraints=[
            {
                "type": "ineq",
                "fun": lambda x: np.array([at(x)[1][0] - target]),
                "jac": lambda x: grad(at(x)[1])[None, :],
            }
        ],
        method="SLSQP",
        options={"maxiter": MAX_ITERATIONS, "ftol": 1e-10},
    )
    return np.clip(result.x, 0.0, upper)


def _repair(site, target, costs, x, upper) -> np.ndarray | None:
    """x, scaled up until greedy dispatch meets the target (None if even the bound fails)."""
    if evaluate(site, costs, x[None, :])[1][0] >= target - 1e-12:
        return x
    ladder = 1.0 + np.geomspace(1e-6, 1.0, 60)  # at most doubling, in one vectorised call
    trials = np.minimum(x[None, :] * ladder[:, None] + 1e-6 * ladder[:, None], upper)
    ok = np.flatnonzero(evaluate(site, costs, trials)[1] >= target - 1e-12)
    return trials[ok[0]] if ok.size else None
