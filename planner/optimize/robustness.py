"""How sure the recommendation is: Monte Carlo draws that re-solve the allocation.

Each draw moves the uncertain inputs together and solves the allocation MILP again. From the
draws: the probability that each site is in the optimal allocation, the P10/P50/P90 of the
recommendation's own cost (its allocation kept fixed), and its regret, the extra cost of keeping
the recommendation over the draw's optimum.

Draws are a scrambled Sobol sequence (:class:`scipy.stats.qmc.Sobol`; a power of two, so the
sequence keeps its balance) turned into standard normal ``z`` by the inverse normal CDF. With
the spreads of ``scenario.analysis.uncertainty`` (one sigma; lognormal factors ``exp(sigma z)``
with median 1, additive amounts ``base + sigma z``):

========================  ==========  =========================================================
input                     drawn       moves (see :class:`planner.optimize.drivers.BlockParts`)
========================  ==========  =========================================================
electricity price         per region  market-priced energy (the PPA share stays at its strike)
grid carbon intensity     per region  the carbon-price part of the block cost
PUE                       per site    all energy and the carbon-price part
GPU capital               once        GPU capital and idle GPUs
capital per MW            once        shell, electrical, mechanical, land, grid
GPU rent                  once        bridge rent while a site waits for power
carbon price              once        additive, ``max(0, price + sigma z)``
========================  ==========  =========================================================

Inputs that need a re-evaluation per draw (time to power, discount rate, utilization) are left
to the tornado (:mod:`planner.optimize.tornado`). Problems with more than
:data:`~planner.optimize.drivers.EXPLAIN_SITES` candidates are solved on the leading sites
(the recommended ones and the cheapest others).

Named steps: :func:`draw_normals`, :func:`draw_block_costs`, :func:`solve_draws`,
:func:`summarise`; :func:`robustness` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm, qmc

from planner.optimize.allocate import AllocationProblem, solve
from planner.optimize.drivers import (
    MIP_REL_GAP,
    BlockParts,
    allocation_cost_usd,
    block_parts,
    explanation_problem,
    fixed_blocks,
)
from planner.optimize.explain import musd, phase_gpu_hours
from planner.progress import ProgressCallback, report
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

FACTORS = (
    "electricity price (per region)",
    "grid carbon intensity (per region)",
    "PUE (per site)",
    "GPU capital",
    "capital per MW",
    "GPU rent",
    "carbon price",
)


@dataclass
class Layout:
    """Which column of a draw's ``z`` moves which input."""

    region_of_site: np.ndarray  # (S,) index into the regions
    n_regions: int
    n_sites: int

    @property
    def width(self) -> int:
        return 2 * self.n_regions + self.n_sites + 4


def draw_normals(n_draws: int, width: int, seed: int) -> np.ndarray:
    """(n, width) standard normals from a scrambled Sobol sequence, n a power of two."""
    m = max(int(np.ceil(np.log2(max(n_draws, 1)))), 0)
    u = qmc.Sobol(width, scramble=True, seed=seed).random_base2(m)
    return norm.ppf(np.clip(u, 1e-12, 1.0 - 1e-12))


def draw_block_costs(
    problem: AllocationProblem, parts: BlockParts, layout: Layout, z: np.ndarray, scenario: Scenario
) -> np.ndarray:
    """(S, P) block costs in one draw ``z`` (a row of :func:`draw_normals`)."""
    unc = scenario.analysis.uncertainty
    r, s = layout.n_regions, layout.n_sites
    price = np.exp(unc.price_sigma * z[:r])[layout.region_of_site][:, None]
    intensity = np.exp(unc.carbon_sigma * z[r : 2 * r])[layout.region_of_site][:, None]
    pue = np.exp(unc.pue_sigma * z[2 * r : 2 * r + s])[:, None]
    gpu, facility, rent = np.exp(
        np.array([unc.gpu_capital_sigma, unc.capital_per_mw_sigma, unc.rent_sigma])
        * z[2 * r + s : 2 * r + s + 3]
    )
    base_price = float(scenario.objective.carbon_price_usd_per_t)
    carbon_price = max(0.0, base_price + unc.carbon_price_sigma_usd_per_t * z[-1])
    fixed_price_energy = parts.energy - parts.market_energy
    delta = (
        parts.market_energy * (price * pue - 1.0)
        + fixed_price_energy * (pue - 1.0)
        + carbon_price * parts.co2_discounted_t * intensity * pue
        - parts.carbon
        + parts.gpu * (gpu - 1.0)
        + parts.facility * (facility - 1.0)
        + parts.rent * (rent - 1.0)
    )
    return np.where(problem.allowed, problem.block_cost_usd + delta, 0.0)


@dataclass
class Draws:
    """What each draw gave: its optimum's sites, the recommendation's cost and regret."""

    in_optimum: np.ndarray  # (n, S) bool
    same_sites: np.ndarray  # (n,) bool: the optimum has exactly the recommended sites
    cost_usd: np.ndarray  # (n,) the recommendation's net present cost (its allocation fixed)
    regret_usd: np.ndarray  # (n,) its objective minus the draw's optimum (>= 0)
    solved: np.ndarray  # (n,) bool


def solve_draws(
    problem: AllocationProblem,
    parts: BlockParts,
    layout: Layout,
    normals: np.ndarray,
    allocation: Allocation,
    scenario: Scenario,
    *,
    progress: ProgressCallback | None = None,
    time_limit_s: float = 60.0,
) -> Draws:
    """Solve the allocation in every draw; keep the recommendation fixed to price it."""
    ours = fixed_blocks(problem, allocation)  # GPUs in blocks, partial last block a fraction
    ours_whole = _whole_blocks(problem, allocation)
    chosen = ours.sum(axis=1) > 0
    n = len(normals)
    out = Draws(
        in_optimum=np.zeros((n, problem.n_sites), bool),
        same_sites=np.zeros(n, bool),
        cost_usd=np.full(n, np.nan),
        regret_usd=np.full(n, np.nan),
        solved=np.zeros(n, bool),
    )
    for i, z in enumerate(normals):
        trial = replace(
            problem, block_cost_usd=draw_block_costs(problem, parts, layout, z, scenario)
        )
        out.cost_usd[i] = allocation_cost_usd(trial, ours)
        solution = solve(trial, time_limit_s=time_limit_s, mip_rel_gap=MIP_REL_GAP)
        if solution.ok:
            opened = solution.blocks.sum(axis=1) > 0
            out.in_optimum[i], out.same_sites[i], out.solved[i] = (
                opened,
                (opened == chosen).all(),
                True,
            )
            regret = _objective(trial, ours_whole) - _objective(trial, solution.blocks)
            out.regret_usd[i] = max(regret, 0.0)  # a near tie within the solver's gap
        if progress is not None and (i + 1) % 16 == 0:
            report(progress, "Robustness", (i + 1) / n)
    return out


def _whole_blocks(problem: AllocationProblem, allocation: Allocation) -> np.ndarray:
    table = allocation.blocks.rename(index=str)
    index = pd.Index(problem.site_ids.astype(str))
    return table.reindex(index=index, columns=problem.phase_names).fillna(0.0).to_numpy(float)


def _objective(problem: AllocationProblem, blocks: np.ndarray) -> float:
    """What the MILP minimises for whole ``blocks``: fixed costs plus block costs."""
    return float(problem.site_fixed_cost(blocks).sum() + (blocks * problem.block_cost_usd).sum())


def summarise(
    draws: Draws, problem: AllocationProblem, allocation: Allocation, gpu_hours: float
) -> dict[str, Any]:
    """The robustness figures and a sentence (see :func:`robustness`)."""
    ok = draws.solved
    n = int(len(ok))
    p_in = draws.in_optimum[ok].mean(axis=0) if ok.any() else np.zeros(problem.n_sites)
    p10, p50, p90 = np.nanpercentile(draws.cost_usd, [10, 50, 90])
    r50, r90 = np.nanpercentile(draws.regret_usd, [50, 90]) if ok.any() else (np.nan, np.nan)
    p_same = float(draws.same_sites[ok].mean()) if ok.any() else 0.0
    names = allocation.summary["name"] if "name" in allocation.summary else allocation.summary.index
    words = _join([str(x) for x in names])
    sentence = (
        f"Across {n} draws of the uncertain inputs, the optimal allocation uses the same sites "
        f"as the recommendation ({words}) in {100 * p_same:.0f} % of draws. Its net present "
        f"cost is {musd(p50)} at the median (P10 {musd(p10)}, P90 {musd(p90)}); "
        f"in 90 % of draws it costs at most {musd(r90)} more than that draw's optimum."
        if ok.any()
        else f"None of the {n} draws of the uncertain inputs could be solved within the time "
        f"limit; the recommendation's cost is {musd(p50)} at the median."
    )
    return {
        "draws": n,
        "method": "scrambled Sobol (scipy.stats.qmc), re-solving the allocation in each draw",
        "factors": list(FACTORS),
        "sites_considered": [str(s) for s in problem.site_ids],
        "p_in_optimum": {
            str(s): float(p) for s, p in zip(problem.site_ids, p_in, strict=True) if p > 0
        },
        "p_same_sites": p_same,
        "cost_p10_usd": _finite(p10),
        "cost_p50_usd": _finite(p50),
        "cost_p90_usd": _finite(p90),
        "usd_per_gpu_hour_p10": _finite(p10 / gpu_hours),
        "usd_per_gpu_hour_p50": _finite(p50 / gpu_hours),
        "usd_per_gpu_hour_p90": _finite(p90 / gpu_hours),
        "regret_p50_usd": _finite(r50),
        "regret_p90_usd": _finite(r90),
        "sentence": sentence,
    }


def _finite(value: float) -> float | None:
    """JSON has no NaN: a figure no draw could give is null."""
    return float(value) if np.isfinite(value) else None


def robustness(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series,
    allocation: Allocation,
    *,
    draws: int | None = None,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
    time_limit_s: float = 60.0,
) -> dict[str, Any] | None:
    """Monte Carlo robustness of the recommended allocation.

    Parameters
    ----------
    draws, seed : int, optional
        Override ``scenario.analysis.uncertainty.draws`` / ``seed``; draws are rounded up to
        a power of two (Sobol balance). Same seed, same numbers.

    Returns
    -------
    dict or None
        ``{draws, method, factors, sites_considered, p_in_optimum{site_id: p}, p_same_sites,
        cost_p10_usd, cost_p50_usd, cost_p90_usd, usd_per_gpu_hour_p10/p50/p90,
        regret_p50_usd, regret_p90_usd, sentence}``; costs are net present USD of the
        recommended allocation (bridge rent and carbon price in, priced water and risk out),
        per GPU-hour over the fleet's discounted delivered GPU-hours. None for an infeasible
        allocation or no draws.
    """
    unc = scenario.analysis.uncertainty
    n_draws = unc.draws if draws is None else int(draws)
    if n_draws <= 0 or not allocation.feasible or allocation.summary is None:
        return None
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    problem = explanation_problem(
        evaluation, scenario, feasible, list(map(str, allocation.summary.index))
    )
    parts = block_parts(evaluation, scenario, problem)
    layout = _layout(evaluation, problem)
    normals = draw_normals(n_draws, layout.width, unc.seed if seed is None else int(seed))
    result = solve_draws(
        problem,
        parts,
        layout,
        normals,
        allocation,
        scenario,
        progress=progress,
        time_limit_s=time_limit_s,
    )
    gpu_hours = float(phase_gpu_hours(evaluation, scenario).sum())
    return summarise(result, problem, allocation, gpu_hours)


def _layout(evaluation: Evaluation, problem: AllocationProblem) -> Layout:
    metrics = evaluation.metrics
    if "region_code" in metrics:
        regions = metrics["region_code"].reindex(problem.site_ids).astype(str).to_numpy()
    else:
        regions = np.asarray(problem.grid, dtype=str)
    labels, index = np.unique(regions, return_inverse=True)
    return Layout(region_of_site=index, n_regions=len(labels), n_sites=problem.n_sites)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
