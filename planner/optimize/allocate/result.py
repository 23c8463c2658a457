"""The public entry point: :func:`allocate`, from an evaluation to an :class:`Allocation`.

Screen (unless given), :func:`~planner.optimize.allocate.problem.build_problem`,
:func:`~planner.optimize.allocate.solver.solve`; then either the allocation with its per-site
summary (:func:`allocation_from_blocks`) or, when none exists, the reason in words.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from planner.optimize.allocate.diagnose import binding_constraints, explain_infeasible
from planner.optimize.allocate.problem import AllocationProblem, build_problem
from planner.optimize.allocate.solver import Solution, solve
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario


def allocate(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series | None = None,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-3,
    delay_rent: bool = True,
    exclude: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> Allocation:
    """Place the fleet's blocks at the lowest net present cost that meets every rule.

    Parameters
    ----------
    evaluation : Evaluation
    scenario : Scenario
    screen : DataFrame or Series, optional
        :func:`planner.optimize.screen.screen_sites` output; default: screen here.
    time_limit_s, mip_rel_gap : float
        Solver limits (see :func:`solve`).
    delay_rent : bool
        Charge blocks the rent of GPU-hours lost while their site waits for power (default).
    exclude, only : iterable of str
        Leave these site ids out / use only these (see :func:`build_problem`); the same rules
        and prices apply, so the result is comparable with the unrestricted allocation.

    Returns
    -------
    Allocation
        ``status`` optimal / feasible / infeasible / error; when infeasible ``message`` says
        which rule fails and by how much.
    """
    if screen is None:
        from planner.optimize.screen import screen_sites

        screen = screen_sites(evaluation, scenario)
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    problem = build_problem(
        evaluation, scenario, feasible, delay_rent=delay_rent, exclude=exclude, only=only
    )
    if problem.n_sites == 0:
        if only is not None or exclude:
            return Allocation("infeasible", _sentences([_restricted_message(screen, only)]))
        return Allocation("infeasible", _no_site_message(screen))
    solution = solve(problem, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    if not solution.ok:
        if solution.status == "infeasible":
            reasons = explain_infeasible(problem)
            return Allocation(
                "infeasible", "No allocation meets every rule: " + "; ".join(reasons) + "."
            )
        return Allocation(solution.status, _sentences([solution.message]))
    return allocation_from_blocks(problem, solution, evaluation)


def allocation_from_blocks(
    problem: AllocationProblem, solution: Solution, evaluation: Evaluation | None = None
) -> Allocation:
    """Wrap a solved block matrix into an :class:`Allocation` with per-site summary."""
    assert solution.blocks is not None
    blocks = solution.blocks
    open_ = blocks.sum(axis=1) > 0
    ids = pd.Index(problem.site_ids[open_], name="site_id")
    block_df = pd.DataFrame(blocks[open_], index=ids, columns=problem.phase_names)
    gpus = _gpu_counts(problem, blocks)[open_]
    gpu_df = pd.DataFrame(gpus, index=ids, columns=problem.phase_names)
    summary = _site_summary(problem, blocks, gpus, ids)
    if evaluation is not None and "country" in evaluation.metrics:
        summary.insert(1, "country", evaluation.metrics["country"].reindex(ids).to_numpy())
    order = np.argsort(-summary["gpus"].to_numpy(), kind="stable")
    summary, block_df, gpu_df = summary.iloc[order], block_df.iloc[order], gpu_df.iloc[order]
    return Allocation(
        status=solution.status,
        message=_allocation_message(summary, solution.status, problem),
        objective_usd=float(summary["cost_usd"].sum()),
        gap=solution.gap,
        blocks=block_df,
        gpus=gpu_df,
        summary=summary,
        binding=binding_constraints(problem, blocks),
    )


def _site_summary(
    problem: AllocationProblem, blocks: np.ndarray, gpus: np.ndarray, ids: pd.Index
) -> pd.DataFrame:
    """Per open site (``ids``; ``gpus`` their rows): blocks, GPUs, share, MW, costs, CO2, water."""
    open_ = blocks.sum(axis=1) > 0
    total_gpus = float(problem.phase_gpus.sum())
    # Blocks actually filled: the partial last block of a phase carries only its GPUs' cost,
    # power, CO2 and water (block figures are per GPU times block_gpus), so the summary and the
    # reported objective match the fleet's own cost (tco_usd for the whole fleet at one site).
    b = gpus / float(problem.block_gpus)

    def part(values: np.ndarray | None) -> np.ndarray:
        return values if values is not None else np.zeros(blocks.shape)

    delay = part(problem.block_delay_usd)
    return pd.DataFrame(
        {
            "name": problem.site_names[open_],
            "grid": problem.grid[open_],
            "blocks": blocks[open_].sum(axis=1),
            "gpus": gpus.sum(axis=1),
            "share": gpus.sum(axis=1) / total_gpus,
            "facility_mw": (b * problem.block_mw[open_]).sum(axis=1),
            "capacity_mw": problem.capacity_mw[open_],
            "cost_usd": problem.site_fixed_cost(blocks)[open_]
            + (b * problem.block_cost_usd[open_]).sum(axis=1),
            "delay_rent_usd": (b * delay[open_]).sum(axis=1),
            "water_price_usd": (b * part(problem.block_water_price_usd)[open_]).sum(axis=1),
            "risk_price_usd": (b * part(problem.block_risk_price_usd)[open_]).sum(axis=1),
            "co2_t": (b * problem.block_co2_t[open_]).sum(axis=1),
            "water_m3": (b * problem.block_water_m3[open_]).sum(axis=1),
        },
        index=ids,
    )


def _allocation_message(
    summary: pd.DataFrame, status: str, problem: AllocationProblem | None = None
) -> str:
    """The allocation in one sentence: its sites (largest first), cost and rent; and, for a
    pre-screened problem, among how many sites it was chosen."""
    cost = float(summary["cost_usd"].sum())
    where = ", ".join(
        f"{s} {g:,.0f} GPUs" for s, g in zip(summary.index, summary["gpus"], strict=True)
    )
    message = (
        f"{'Optimal' if status == 'optimal' else 'Best found'} allocation: "
        f"{len(summary)} site{'s' if len(summary) > 1 else ''} ({where}); net present cost "
        f"{cost / 1e9:,.3f} billion USD"
    )
    rent = float(summary["delay_rent_usd"].sum())
    if rent > 0:
        message += (
            f", of which {rent / 1e9:,.3f} billion USD rents GPU-hours while sites wait for power"
        )
    message += "."
    if problem is not None and problem.prescreened_from:
        message += (
            f" Chosen among the {problem.n_sites:,} leading of {problem.prescreened_from:,} "
            "feasible sites (pre-screened by cost per block)."
        )
    return message


def _gpu_counts(problem: AllocationProblem, blocks: np.ndarray) -> np.ndarray:
    """GPUs per site and phase: full blocks, less the partial last block at its biggest site."""
    gpus = blocks * problem.block_gpus
    surplus = problem.blocks_needed * problem.block_gpus - problem.phase_gpus
    for p in np.flatnonzero(surplus > 0):
        s = int(np.argmax(blocks[:, p]))
        gpus[s, p] -= surplus[p]
    return gpus


def _restricted_message(screen: pd.DataFrame | pd.Series, only: Iterable[str] | None) -> str:
    """Why a restricted problem has no site: the kept site fails screening, or none is left."""
    if only is None:
        return "no other site passes the hard constraints"
    kept = list(only)
    if isinstance(screen, pd.DataFrame) and "reasons" in screen and len(kept) == 1:
        reasons = screen["reasons"].get(kept[0]) if kept[0] in screen.index else None
        if reasons:
            text = reasons if isinstance(reasons, str) else "; ".join(map(str, reasons))
            return f"it fails the hard constraints ({text})"
    return "it fails the hard constraints"


def _no_site_message(screen: pd.DataFrame | pd.Series) -> str:
    head = f"No allocation is possible: none of the {len(screen)} sites passes the hard constraints"
    if not isinstance(screen, pd.DataFrame) or "reasons" not in screen:
        return _sentences([head])
    from planner.optimize.screen import summarise_reasons

    detail = summarise_reasons(screen["reasons"])
    return _sentences([head + (f" ({detail})" if detail else "")])


def _sentences(parts: list[str]) -> str:
    parts = [p.strip() for p in parts if p and p.strip()]
    return " ".join(p[0].upper() + p[1:] + ("" if p.endswith(".") else ".") for p in parts)
