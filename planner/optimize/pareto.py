"""Cost / carbon (or cost / water) trade-off by the epsilon-constraint method.

The two end points are the single-objective optima, each solved lexicographically so that it
is not dominated: the cheapest allocation (then the least CO2 at that cost) and the lowest-CO2
allocation (then the cheapest at that CO2). In between, the fleet cost is minimised with CO2
capped at evenly spaced levels. Points that another point dominates or duplicates (possible
with integer blocks, where several caps give the same allocation) are dropped, so the front
returned is mutually non-dominated and may have fewer points than asked for.

The MILP's matrices are built once per sweep
(:func:`planner.optimize.allocate.compile_problem`); each point only changes the objective
vector and the bound of a cap row before HiGHS solves it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.optimize.allocate import (
    AllocationProblem,
    CompiledModel,
    Solution,
    _gpu_counts,
    build_problem,
    compile_problem,
    explain_infeasible,
    fleet_cost_usd,
)
from planner.progress import ProgressCallback, report
from planner.results import Evaluation
from planner.scenario import Scenario

METRICS = {
    "co2": ("block_co2_t", "co2_t", "co2_cap_t"),
    "water": ("block_water_m3", "water_m3", "water_cap_m3"),
}


class ParetoInfeasible(Exception):
    """The allocation problem has no solution, so it has no front; ``args[0]`` explains why."""


def pareto_front(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series | None = None,
    *,
    points: int | None = None,
    metric: str = "co2",
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
    progress: ProgressCallback | None = None,
    delay_rent: bool = True,
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Sweep the cost / ``metric`` trade-off.

    Parameters
    ----------
    evaluation, scenario :
        As for :func:`planner.optimize.allocate.allocate`.
    screen : DataFrame or Series, optional
        Screening result (default: screened here).
    points : int, optional
        Points asked for, end points included (default ``scenario.analysis.pareto_points``,
        at least 2).
    metric : {"co2", "water"}
        Second objective: tonnes CO2 (market-based) or cubic metres of water over the horizon.
    mip_rel_gap : float
        Relative gap of each solve; small so that points are close to truly optimal.
    delay_rent : bool
        Include the rent of GPU-hours lost while sites wait for power in the cost (as
        :func:`planner.optimize.allocate.allocate` does).

    Returns
    -------
    (DataFrame, list of DataFrame)
        One row per point, cheapest first: ``point, cost_usd, co2_t, water_m3, n_sites, sites,
        cap`` (the epsilon level in the metric's unit, NaN at the end points); and per point the
        GPUs per open site and phase (index ``site_id``).

    Raises
    ------
    ParetoInfeasible
        When no allocation meets the rules (the message says why).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if screen is None:
        from planner.optimize.screen import screen_sites

        screen = screen_sites(evaluation, scenario)
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    problem = build_problem(evaluation, scenario, feasible, delay_rent=delay_rent)
    n_points = max(2, int(points if points is not None else scenario.analysis.pareto_points))
    return sweep(
        problem,
        n_points,
        metric=metric,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        progress=progress,
    )


def sweep(
    problem: AllocationProblem,
    n_points: int,
    *,
    metric: str = "co2",
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-4,
    progress: ProgressCallback | None = None,
    model: CompiledModel | None = None,
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Epsilon-constraint sweep on an already built problem (see :func:`pareto_front`).

    ``model`` is ``problem`` already compiled (:func:`~planner.optimize.allocate.compile_problem`,
    without ``drop``); by default it is compiled here, once for every solve of the sweep.
    """
    block_attr, _, cap_kw = METRICS[metric]
    if model is None:
        model = compile_problem(problem)
    elif model.problem is not problem:
        raise ValueError("model must be compiled from the problem swept")
    coef = getattr(problem, block_attr)

    def amount(sol: Solution) -> float:
        assert sol.blocks is not None
        return float((sol.blocks * coef).sum())

    opts = {"time_limit_s": time_limit_s, "mip_rel_gap": mip_rel_gap}
    report(progress, "Pareto front: cheapest allocation", 0.0)
    cheapest = model.solve(**opts)
    if not cheapest.ok:
        raise ParetoInfeasible(
            " ".join(explain_infeasible(problem))
            if cheapest.status == "infeasible"
            else cheapest.message
        )
    # Lexicographic: among allocations as cheap as the cheapest, the one with the least metric.
    cheapest = _refine(model, cheapest, metric, opts, first="cost")
    report(progress, f"Pareto front: lowest-{metric} allocation", 1.0 / n_points)
    greenest = model.solve(objective=metric, **opts)
    greenest = _refine(model, greenest, metric, opts, first=metric) if greenest.ok else cheapest
    hi, lo = amount(cheapest), amount(greenest)

    found: list[tuple[Solution, float]] = [(cheapest, np.nan)]
    if hi - lo > 1e-9 * max(abs(hi), 1.0):
        for k in range(1, n_points - 1):
            cap = hi - (hi - lo) * k / (n_points - 1)
            report(progress, f"Pareto front: point {k + 1} of {n_points}", (k + 1) / n_points)
            sol = model.solve(**{cap_kw: cap}, **opts)
            if sol.ok:
                found.append((sol, cap))
        found.append((greenest, np.nan))
        found = _fill_gaps(model, found, n_points, amount, cap_kw, opts)
    report(progress, "Pareto front", 1.0)

    rows, allocations = [], []
    for sol, cap in found:
        assert sol.blocks is not None
        open_ = sol.blocks.sum(axis=1) > 0
        rows.append(
            {
                "cost_usd": fleet_cost_usd(problem, sol.blocks),
                "co2_t": float((sol.blocks * problem.block_co2_t).sum()),
                "water_m3": float((sol.blocks * problem.block_water_m3).sum()),
                "n_sites": int(open_.sum()),
                "sites": ", ".join(map(str, problem.site_ids[open_])),
                "cap": cap,
            }
        )
        allocations.append(
            pd.DataFrame(
                _gpu_counts(problem, sol.blocks)[open_],
                index=pd.Index(problem.site_ids[open_], name="site_id"),
                columns=problem.phase_names,
            )
        )
    table = pd.DataFrame(rows)
    keep = non_dominated(table["cost_usd"].to_numpy(), table[METRICS[metric][1]].to_numpy())
    order = [i for i in np.argsort(table["cost_usd"].to_numpy(), kind="stable") if keep[i]]
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "point", np.arange(1, len(table) + 1))
    return table, [allocations[i] for i in order]


def _fill_gaps(
    model: CompiledModel,
    found: list[tuple[Solution, float]],
    n_points: int,
    amount: Callable[[Solution], float],
    cap_kw: str,
    opts: dict,
) -> list[tuple[Solution, float]]:
    """Add points where evenly spaced caps repeated one another (integer blocks make steps).

    Between two neighbours a (cheaper) and b, the cheapest allocation with the metric just below
    a's is the next point on the front after a: either b itself (the gap holds no point) or a new
    point. The widest gap is split first, within a budget of ``2 n_points`` extra solves.
    """
    problem = model.problem

    def key(item: tuple[Solution, float]) -> tuple[float, float]:
        return fleet_cost_usd(problem, item[0].blocks), amount(item[0])  # type: ignore[arg-type]

    points = sorted({key(f): f for f in found}.items())  # unique by (cost, metric), cheapest first
    points = [p for p in points if p[1][0].ok]
    closed: set[tuple[float, float]] = set()
    budget = 2 * n_points
    while len(points) < n_points and budget > 0:
        costs = np.array([k[0] for k, _ in points])
        metric = np.array([k[1] for k, _ in points])
        span_c = max(costs.max() - costs.min(), 1e-12)
        span_m = max(metric.max() - metric.min(), 1e-12)
        width = np.hypot(np.diff(costs) / span_c, np.diff(metric) / span_m)
        for i in np.argsort(-width):
            if points[i][0] not in closed:
                break
        else:
            break
        a_key = points[i][0]
        closed.add(a_key)
        budget -= 1
        cap = a_key[1] - max(1e-6 * abs(a_key[1]), 1e-6)
        sol = model.solve(**{cap_kw: cap}, **opts)
        if not sol.ok:
            continue
        k = key((sol, cap))
        near = [
            abs(k[0] - q[0]) <= 1e-9 * max(abs(q[0]), 1.0)
            and abs(k[1] - q[1]) <= 1e-9 * max(abs(q[1]), 1.0)
            for q, _ in points
        ]
        if not any(near):
            points.append((k, (sol, cap)))
            points.sort(key=lambda p: p[0])
    return [f for _, f in points]


def _refine(
    model: CompiledModel, sol: Solution, metric: str, opts: dict, *, first: str
) -> Solution:
    """Second stage of a lexicographic solve: keep the first objective, improve the other."""
    assert sol.blocks is not None
    problem = model.problem
    cap_kw = METRICS[metric][2]
    coef = getattr(problem, METRICS[metric][0])
    if first == "cost":
        cost = fleet_cost_usd(problem, sol.blocks)
        # Allow the solver's own tolerance on the first objective, no more.
        better = model.solve(objective=metric, cost_cap_usd=cost * (1 + 1e-7) + 1.0, **opts)
        if better.ok and (float((better.blocks * coef).sum()) <= float((sol.blocks * coef).sum())):
            return better
        return sol
    level = float((sol.blocks * coef).sum())
    better = model.solve(**{cap_kw: level * (1 + 1e-7) + 1e-6}, **opts)
    return better if better.ok else sol


def non_dominated(cost: np.ndarray, other: np.ndarray, *, rel_tol: float = 1e-9) -> np.ndarray:
    """Mask of points no other point dominates (both objectives minimised); duplicates kept once.

    A point dominates another when it is no worse in both objectives and better in one, beyond
    a relative tolerance that absorbs floating-point noise.
    """
    cost = np.asarray(cost, float)
    other = np.asarray(other, float)
    n = len(cost)
    tol_c = rel_tol * max(np.abs(cost).max(initial=0.0), 1.0)
    tol_o = rel_tol * max(np.abs(other).max(initial=0.0), 1.0)
    le_c = cost[:, None] <= cost[None, :] + tol_c  # [i, j]: i no worse than j in cost
    le_o = other[:, None] <= other[None, :] + tol_o
    lt_c = cost[:, None] < cost[None, :] - tol_c
    lt_o = other[:, None] < other[None, :] - tol_o
    dominates = le_c & le_o & (lt_c | lt_o)
    keep = ~dominates.any(axis=0)
    # Equal points: keep the first.
    same = le_c & le_c.T & le_o & le_o.T
    for j in range(n):
        if keep[j] and same[:j, j][keep[:j]].any():
            keep[j] = False
    return keep
