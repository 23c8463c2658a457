"""Pre-screening: the leading candidate sites of a large problem, before the MILP.

A parcel list from a GIS can hold 100,000 feasible sites; the MILP (and the explanations that
re-solve it hundreds of times) only needs the sites that could take part in a cheap
allocation. A site's *unit cost* for phase ``p`` is the cost of one block there plus its fixed
cost spread over the blocks it can hold (``fixed / min(fleet blocks, blocks that fit)``). The
problem keeps:

1. for each phase, the :data:`PER_PHASE` sites of lowest unit cost, and the
   :data:`PER_PHASE_GREEN` of lowest CO2 and of lowest water per block (the Pareto front's
   other end);
2. for each latency rule, the :data:`PER_RULE` cheapest sites within its reach;
3. with ``min_grid_regions > 1``, the :data:`PER_GRID` cheapest sites of each grid region;
4. more of the cheapest sites until they could hold :data:`CAPACITY_MARGIN` times the fleet.

It is a heuristic with a plain guarantee: a site left out costs at least as much per block as
the :data:`PER_PHASE` cheapest sites of every phase, so it could only be in the optimum if
rules those sites cannot meet (capacity, share, site count) forced the allocation that far
down the list. The allocation says when it was pre-screened (``prescreened_from``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.optimize.allocate.problem import AllocationProblem, LatencyRuleData

MAX_SITES = 400  # problems up to this size are solved whole
PER_PHASE = 150
PER_PHASE_GREEN = 50
PER_RULE = 50
PER_GRID = 3
CAPACITY_MARGIN = 3.0


def unit_cost(problem: AllocationProblem) -> np.ndarray:
    """(S, P) USD per block: block cost plus the fixed cost spread over the blocks that fit;
    inf where a phase may not go."""
    fit = np.maximum(problem.max_blocks_per_site(share=False), 1)
    spread = problem.fixed_cost_usd / np.minimum(fit, max(problem.total_blocks, 1))
    return np.where(problem.allowed, problem.block_cost_usd + spread[:, None], np.inf)


def leading_mask(problem: AllocationProblem) -> np.ndarray:
    """(S,) bool: the sites kept by the four rules of the module docstring."""
    cost = unit_cost(problem)
    best = cost.min(axis=1)
    keep = np.zeros(problem.n_sites, dtype=bool)
    for p in range(problem.n_phases):
        keep[_cheapest(cost[:, p], PER_PHASE)] = True
        for per_block in (problem.block_co2_t, problem.block_water_m3):
            green = np.where(problem.allowed[:, p], per_block[:, p], np.inf)
            keep[_cheapest(green, PER_PHASE_GREEN)] = True
    for rule in problem.latency:
        keep[_cheapest(np.where(rule.within, best, np.inf), PER_RULE)] = True
    if problem.min_grids > 1:
        for label in np.unique(problem.grid.astype(str)):
            keep[_cheapest(np.where(problem.grid.astype(str) == label, best, np.inf), PER_GRID)] = (
                True
            )
    keep |= _enough_capacity(problem, best, keep)
    return keep


def _cheapest(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` smallest finite values."""
    finite = np.flatnonzero(np.isfinite(values))
    if len(finite) <= n:
        return finite
    return finite[np.argpartition(values[finite], n)[:n]]


def _enough_capacity(problem: AllocationProblem, best: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Cheapest sites, in order, until the kept ones could hold the fleet several times."""
    need = CAPACITY_MARGIN * float((problem.blocks_needed * problem.block_mw.max(axis=0)).sum())
    capacity = np.where(np.isfinite(problem.capacity_mw), problem.capacity_mw, need)
    have = float(capacity[keep].sum())
    extra = np.zeros(problem.n_sites, dtype=bool)
    for s in np.argsort(best, kind="stable"):
        if have >= need or not np.isfinite(best[s]):
            break
        if not keep[s]:
            extra[s] = True
            have += float(capacity[s])
    return extra


def subset(problem: AllocationProblem, mask: np.ndarray) -> AllocationProblem:
    """The same problem on the sites of ``mask`` only."""

    def rows(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[mask]

    return replace(
        problem,
        site_ids=problem.site_ids[mask],
        site_names=problem.site_names[mask],
        block_cost_usd=problem.block_cost_usd[mask],
        block_co2_t=problem.block_co2_t[mask],
        block_water_m3=problem.block_water_m3[mask],
        block_mw=problem.block_mw[mask],
        fixed_cost_usd=problem.fixed_cost_usd[mask],
        capacity_mw=problem.capacity_mw[mask],
        grid=problem.grid[mask],
        allowed=problem.allowed[mask],
        block_delay_usd=rows(problem.block_delay_usd),
        block_water_price_usd=rows(problem.block_water_price_usd),
        block_risk_price_usd=rows(problem.block_risk_price_usd),
        fixed_cost_by_phase_usd=rows(problem.fixed_cost_by_phase_usd),
        latency=[
            LatencyRuleData(r.center, r.max_rtt_ms, r.min_share, r.within[mask], r.nearest_ms)
            for r in problem.latency
        ],
        prescreened_from=problem.n_sites,
    )


def prescreen(problem: AllocationProblem, max_sites: int = MAX_SITES) -> AllocationProblem:
    """``problem`` itself when it has at most ``max_sites`` sites, else its leading sites."""
    if problem.n_sites <= max_sites:
        return problem
    return subset(problem, leading_mask(problem))
