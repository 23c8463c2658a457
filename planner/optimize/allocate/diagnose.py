"""Checking and explaining allocations: broken rules, binding rules, why none exists.

:func:`violations` recomputes every rule from a block matrix, independent of the solver (the
tests' referee); :func:`binding_constraints` names the rules an allocation sits at; and
:func:`explain_infeasible` says which rule makes a problem infeasible and by how much, first
from simple necessary conditions with their numbers, then by re-solving with one rule left out.
"""

from __future__ import annotations

import numpy as np

from planner.optimize.allocate.problem import AllocationProblem, LatencyRuleData
from planner.optimize.allocate.solver import solve


def violations(
    problem: AllocationProblem,
    blocks: np.ndarray,
    *,
    co2_cap_t: float | None = None,
    water_cap_m3: float | None = None,
) -> list[str]:
    """Every rule an allocation breaks, in words (empty list = the allocation is valid).

    Independent of the solver: recomputes each constraint from ``blocks`` (S, P) directly.
    """
    out: list[str] = []
    blocks = np.asarray(blocks)
    per_site = blocks.sum(axis=1)
    open_ = per_site > 0
    N = problem.total_blocks
    if (blocks < 0).any():
        out.append("negative block count")
    for p, name in enumerate(problem.phase_names):
        if blocks[:, p].sum() != problem.blocks_needed[p]:
            out.append(
                f"{name}: {blocks[:, p].sum()} blocks placed, {problem.blocks_needed[p]} needed"
            )
    if (blocks[~problem.allowed] > 0).any():
        out.append("a block sits at a site where its phase is not allowed")
    used_mw = (blocks * problem.block_mw).sum(axis=1)
    over = used_mw > problem.capacity_mw * (1 + 1e-9) + 1e-9
    for s in np.flatnonzero(over):
        out.append(
            f"site {problem.site_ids[s]} uses {used_mw[s]:.1f} MW "
            f"of {problem.capacity_mw[s]:.1f} MW"
        )
    for s in np.flatnonzero(per_site > problem.share_blocks):
        out.append(
            f"site {problem.site_ids[s]} holds {per_site[s]} of {N} blocks, above the share limit"
        )
    k = int(open_.sum())
    if not problem.min_sites <= k <= problem.max_sites:
        out.append(f"{k} sites open, allowed {problem.min_sites}..{problem.max_sites}")
    for rule in problem.latency:
        got = int(per_site[rule.within].sum())
        if got < problem.latency_blocks(rule):
            out.append(
                f"{got} blocks within {rule.max_rtt_ms:g} ms of {rule.center}, "
                f"{problem.latency_blocks(rule)} needed"
            )
    grids = len(set(problem.grid[open_].astype(str)))
    if grids < problem.min_grids:
        out.append(f"{grids} grid regions used, {problem.min_grids} needed")
    if (
        co2_cap_t is not None
        and (blocks * problem.block_co2_t).sum() > co2_cap_t * (1 + 1e-9) + 1e-6
    ):
        out.append("CO2 above its cap")
    if (
        water_cap_m3 is not None
        and (blocks * problem.block_water_m3).sum() > water_cap_m3 * (1 + 1e-9) + 1e-6
    ):
        out.append("water above its cap")
    return out


def explain_infeasible(problem: AllocationProblem, *, time_limit_s: float = 10.0) -> list[str]:
    """Sentences saying which constraint makes the problem infeasible and by how much.

    First checks simple necessary conditions (each alone proves infeasibility, with numbers);
    if none fails, re-solves with one constraint group left out at a time and names the groups
    whose removal alone makes the problem feasible.
    """
    if problem.n_sites == 0:
        return ["no candidate site passes the hard constraints"]
    out = (
        _site_count_reasons(problem)
        + _share_reasons(problem)
        + _capacity_reasons(problem)
        + _phase_reasons(problem)
        + _grid_reasons(problem)
        + _latency_reasons(problem)
    )
    return out or _relaxation_reasons(problem, time_limit_s=time_limit_s)


def _k_max(problem: AllocationProblem) -> int:
    """Most sites that may be open."""
    return min(problem.max_sites, problem.n_sites)


def _largest(values: np.ndarray, k: int) -> float:
    """Sum of the ``k`` largest values."""
    return np.sort(values)[::-1][:k].sum()


def _finite_mw(capacity_mw: np.ndarray) -> np.ndarray:
    """Capacities with unlimited (inf) counted as 0 MW, for the messages' totals."""
    return np.where(np.isfinite(capacity_mw), capacity_mw, 0)


def _site_count_reasons(problem: AllocationProblem) -> list[str]:
    """``min_sites`` above the sites that pass screening, or above the fleet's blocks."""
    S, N, out = problem.n_sites, problem.total_blocks, []
    if problem.min_sites > S:
        out.append(
            f"min_sites is {problem.min_sites} but only {S} site{'s pass' if S > 1 else ' passes'} "
            "the hard constraints"
        )
    if problem.min_sites > N:
        out.append(
            f"min_sites is {problem.min_sites} but the fleet has only {N} blocks of "
            f"{problem.block_gpus:,} GPUs"
        )
    return out


def _share_reasons(problem: AllocationProblem) -> list[str]:
    """The share limit times the most sites allowed does not cover the fleet."""
    N, k_max = problem.total_blocks, _k_max(problem)
    share_total = problem.share_blocks * k_max
    if share_total >= N:
        return []
    return [
        f"at most {problem.max_share:.0%} of the fleet per site ({problem.share_blocks} of {N} "
        f"blocks) at {k_max} site"
        f"{'s' if k_max > 1 else ''} covers only {share_total / N:.0%} of the fleet"
    ]


def _capacity_reasons(problem: AllocationProblem) -> list[str]:
    """The largest sites allowed cannot hold the fleet's power (each phase at its lightest)."""
    S, N, k_max = problem.n_sites, problem.total_blocks, _k_max(problem)
    if _largest(problem.max_blocks_per_site(share=False), k_max) >= N:
        return []
    lightest = np.min(np.where(problem.allowed, problem.block_mw, np.inf), axis=0)
    fleet_mw = float((problem.blocks_needed * lightest).sum())
    offer = np.sort(_finite_mw(problem.capacity_mw))[::-1][:k_max].sum()
    if k_max < S:
        which = f"the {k_max} largest feasible sites (max_sites = {problem.max_sites}) offer"
    else:
        which = "the only feasible site offers" if S == 1 else f"the {S} feasible sites offer"
    return [f"the fleet needs {_mw(fleet_mw)} but {which} {_mw(offer)}"]


def _phase_reasons(problem: AllocationProblem) -> list[str]:
    """A phase gets power inside the horizon nowhere, or only at sites too small for it."""
    N, k_max, out = problem.total_blocks, _k_max(problem), []
    both = problem.max_blocks_per_site()
    for p in range(problem.n_phases):
        # A phase can only go where it gets power inside the horizon.
        allowed = problem.allowed[:, p]
        if not allowed.any():
            out.append(
                f"{problem.phase_label(p)}, {problem.phase_gpus[p]:,} GPUs, cannot get power "
                "inside the horizon "
                "at any feasible site"
            )
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.floor(problem.capacity_mw[allowed] / problem.block_mw[allowed, p] + 1e-9)
        fit = np.minimum(np.nan_to_num(fit, nan=0.0, posinf=N), both[allowed])
        if _largest(fit, k_max) < problem.blocks_needed[p]:
            need_mw = problem.blocks_needed[p] * float(problem.block_mw[allowed, p].min())
            offer = float(_largest(_finite_mw(problem.capacity_mw[allowed]), k_max))
            out.append(
                f"{problem.phase_label(p)} needs {_mw(need_mw)} but the sites that get power "
                "in time for it "
                f"offer {_mw(offer)}"
            )
    return out


def _grid_reasons(problem: AllocationProblem) -> list[str]:
    """Fewer grid regions among the sites, or fewer sites allowed, than regions required."""
    out = []
    distinct = len(set(problem.grid.astype(str)))
    if problem.min_grids > distinct:
        out.append(
            f"min_grid_regions is {problem.min_grids} but the feasible sites lie in "
            f"{distinct} grid region{'s' if distinct > 1 else ''}"
        )
    if problem.min_grids > problem.max_sites:
        out.append(
            f"min_grid_regions ({problem.min_grids}) exceeds max_sites ({problem.max_sites})"
        )
    return out


def _latency_reasons(problem: AllocationProblem) -> list[str]:
    """Per latency rule: no site within reach, or the sites within reach hold too little."""
    out = []
    for rule in problem.latency:
        need = problem.latency_blocks(rule)
        if need == 0:
            continue
        where = f"within {rule.max_rtt_ms:g} ms of {rule.center}"
        within = np.flatnonzero(rule.within)
        if len(within) == 0:
            near = (
                ""
                if not np.isfinite(rule.nearest_ms)
                else f" (the nearest is {_ms(rule.nearest_ms)} away)"
            )
            out.append(
                f"no feasible site is {where}{near}, but {rule.min_share:.0%} of the fleet must be"
            )
            continue
        out += _latency_shortfall(problem, rule, within, need, where)
    return out


def _latency_shortfall(
    problem: AllocationProblem, rule: LatencyRuleData, within: np.ndarray, need: int, where: str
) -> list[str]:
    """The sites within reach of a rule hold fewer blocks than it needs: by share, or by MW."""
    N, k_max = problem.total_blocks, _k_max(problem)
    offer_blocks = _largest(problem.max_blocks_per_site()[within], k_max)
    if offer_blocks >= need:
        return []
    if _largest(problem.max_blocks_per_site(share=False)[within], k_max) >= need:
        return [
            f"{rule.min_share:.0%} of the fleet must be {where} but with at most "
            f"{problem.max_share:.0%} per site the {len(within)} site(s) there take "
            f"{offer_blocks / N:.0%}"
        ]
    lightest_mw = np.min(np.where(problem.allowed, problem.block_mw, np.inf), axis=1)
    need_mw = need * float(np.min(lightest_mw[within]))
    offer_mw = float(_largest(_finite_mw(problem.capacity_mw[within]), k_max))
    return [
        f"the fleet needs {_mw(need_mw)} {where} ({rule.min_share:.0%} of the fleet) "
        f"but the feasible sites {where} offer {_mw(offer_mw)}"
    ]


def _relaxation_reasons(problem: AllocationProblem, *, time_limit_s: float) -> list[str]:
    """No single simple condition fails: which rule, left out alone, restores feasibility."""
    groups = ["capacity", "share", "sites", "grids"] + [
        f"latency:{i}" for i in range(len(problem.latency))
    ]
    culprits = []
    for group in groups:
        trial = solve(problem, drop={group}, time_limit_s=time_limit_s, mip_rel_gap=0.05)
        if trial.ok:
            culprits.append(_group_words(problem, group))
    if culprits:
        return [
            "the rules cannot all be met together; it becomes feasible without "
            + " or without ".join(culprits)
        ]
    return ["the rules cannot all be met together, and relaxing any single one is not enough"]


def _ms(value: float) -> str:
    """Milliseconds in words: two decimals below 1 ms, one below 10 ms, whole numbers above."""
    return (
        f"{value:.2f} ms" if value < 1 else f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
    )


def _mw(value: float) -> str:
    """Megawatts in words: one decimal below 100 MW, whole numbers above."""
    return f"{value:,.1f} MW" if value < 100 else f"{value:,.0f} MW"


def _group_words(problem: AllocationProblem, group: str) -> str:
    if group.startswith("latency:"):
        rule = problem.latency[int(group.split(":")[1])]
        share = f"{rule.min_share:.0%} within {rule.max_rtt_ms:g} ms"
        return f"the latency rule for {rule.center} ({share})"
    return {
        "capacity": "the sites' power capacity limits",
        "share": f"the {problem.max_share:.0%} maximum share per site",
        "sites": f"the {problem.min_sites}..{problem.max_sites} sites limit",
        "grids": f"the minimum of {problem.min_grids} grid regions",
    }[group]


def binding_constraints(problem: AllocationProblem, blocks: np.ndarray) -> list[str]:
    """Constraints at their limit in an allocation, in words."""
    out: list[str] = []
    per_site = blocks.sum(axis=1)
    open_ = per_site > 0
    N = problem.total_blocks
    used_mw = (blocks * problem.block_mw).sum(axis=1)
    lightest = np.min(np.where(problem.allowed, problem.block_mw, np.inf), axis=1)
    # Full = not even the lightest further block fits.
    full = (
        open_ & np.isfinite(problem.capacity_mw) & (used_mw + lightest > problem.capacity_mw + 1e-9)
    )
    for s in np.flatnonzero(full):
        out.append(
            f"site {problem.site_ids[s]} is full: {used_mw[s]:,.1f} "
            f"of {problem.capacity_mw[s]:,.1f} MW"
        )
    if problem.max_share < 1.0:
        for s in np.flatnonzero(open_ & (per_site >= problem.share_blocks)):
            # Whole blocks rarely land exactly on the limit: say what the site holds.
            out.append(
                f"site {problem.site_ids[s]} is at the share limit: {per_site[s]} of {N} "
                f"blocks ({per_site[s] / N:.0%} of the fleet; at most {problem.max_share:.0%})"
            )
    k = int(open_.sum())
    if k == problem.max_sites and problem.max_sites < problem.n_sites:
        out.append(f"the maximum of {problem.max_sites} site{'s' if k > 1 else ''} is used")
    if k == problem.min_sites and problem.min_sites > 1:
        out.append(f"exactly the minimum of {problem.min_sites} sites is open")
    for rule in problem.latency:
        got = int(per_site[rule.within].sum())
        need = problem.latency_blocks(rule)
        if need > 0 and got == need and got < N:
            out.append(
                f"the latency rule for {rule.center} is at its limit: {got / N:.0%} of the fleet "
                f"within {rule.max_rtt_ms:g} ms"
            )
    if problem.min_grids > 1 and len(set(problem.grid[open_].astype(str))) == problem.min_grids:
        out.append(f"exactly the minimum of {problem.min_grids} grid regions is used")
    return out
