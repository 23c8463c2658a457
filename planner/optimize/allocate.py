"""Fleet allocation as a mixed-integer linear programme (scipy.optimize.milp, HiGHS).

Decision variables
------------------
``x[s, p]``  integer blocks of phase ``p`` placed at site ``s`` (a block is
             ``scenario.fleet.block_gpus`` GPUs; a phase needs ``ceil(count / block_gpus)`` blocks),
``y[s]``     binary, site ``s`` is opened,
``z[s, k]``  binary, site ``s`` is open by the ``k``-th phase in order of start month (only where
             the site's fixed cost depends on it; ``y[s]`` is the last one),
``g[k]``     binary, grid region ``k`` hosts an open site (only with ``min_grid_regions > 1``).

Constraints (each a named *group* so an infeasible problem can be explained by relaxing one)
---------------------------------------------------------------------------------------------
demand     ``sum_s x[s, p] = n_p`` for every phase,
capacity   ``sum_p block_site_mw[s, p] x[s, p] <= capacity_mw[s] y[s]``,
share      ``sum_p x[s, p] <= floor(max_share_per_site N) y[s]`` (N = blocks of the fleet),
open       ``sum_p x[s, p] >= y[s]`` (an open site hosts at least one block),
first      ``z[s, k] <= z[s, k + 1]``, ``x[s, p_k] <= u[s, p_k] z[s, k]`` (u: the bound on x),
sites      ``min_sites <= sum_s y[s] <= max_sites``,
latency    ``sum_{s within max_rtt_ms of center} sum_p x[s, p] >= ceil(min_share N)`` per rule,
grids      ``g[k] <= sum_{s in k} y[s]``, ``sum_k g[k] >= min_grid_regions``,
caps       optional ``sum co2 x <= cap`` / ``sum water x <= cap`` (Pareto sweeps).

Objective: ``sum_s sum_k (F[s, k] - F[s, k + 1]) z[s, k] + sum_{s,p} (phase_block_cost_usd[s, p] +
delay_rent_usd[s, p]) x[s, p]``, with ``F[s, k]`` the evaluation's
``site_fixed_cost_by_first_phase_usd`` (phases sorted by start month, ``F[s, P] = 0``): ``z`` is
0 up to the first phase the site serves and 1 from there on, so the sum telescopes to ``F`` of
that phase: a site used only by a late phase pays its fixed cost from that phase on. This needs
``F`` non-increasing in ``k`` (a later first phase charges fewer, more discounted months), which
:func:`build_problem` checks. The block cost is the evaluation's net present cost of one block
(GPUs, facility, energy, opex, idle GPUs while a site waits for power, and the scenario's carbon
price), so the objective is the fleet's TCO including the carbon price, plus the rent of the
GPU-hours a late site cannot deliver (see :func:`delay_rent_usd`), so that every allocation
delivers the same work. Two optional priced externalities join the block cost the same way
(:func:`externality_costs`): stress-weighted water at ``objective.water_price_usd_per_m3`` and
an expected-loss proxy for risk at ``objective.risk_price_usd_per_mw_year``. Data residency,
time to power and the other single-site rules are applied before, by
:mod:`planner.optimize.screen`; ``exclude`` / ``only`` restrict the candidate sites further
(the alternatives of :mod:`planner.optimize.explain`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

GROUPS = ("capacity", "share", "sites", "latency", "grids", "caps")


@dataclass
class LatencyRuleData:
    """One latency rule resolved against the candidate sites."""

    center: str
    max_rtt_ms: float
    min_share: float
    within: np.ndarray  # bool per candidate site
    nearest_ms: float  # smallest RTT of any candidate site (for messages)


@dataclass
class AllocationProblem:
    """Arrays the MILP is built from; candidate sites only (those that passed screening).

    Shapes: ``S`` candidate sites, ``P`` phases. Costs in USD (net present over the horizon),
    CO2 in tonnes and water in cubic metres over the horizon, power in MW.
    """

    site_ids: np.ndarray  # (S,)
    site_names: np.ndarray  # (S,) for messages
    phase_names: list[str]
    blocks_needed: np.ndarray  # (P,) int
    block_gpus: int
    phase_gpus: np.ndarray  # (P,) GPUs asked for per phase (last block may be partial)
    block_cost_usd: np.ndarray  # (S, P)
    block_co2_t: np.ndarray  # (S, P)
    block_water_m3: np.ndarray  # (S, P)
    block_mw: np.ndarray  # (S, P)
    fixed_cost_usd: np.ndarray  # (S,)
    capacity_mw: np.ndarray  # (S,) inf = unlimited
    grid: np.ndarray  # (S,) grid region label
    allowed: np.ndarray  # (S, P) bool: block of phase p may go to site s
    min_sites: int = 1
    max_sites: int = 1_000_000
    max_share: float = 1.0
    min_grids: int = 1
    latency: list[LatencyRuleData] = field(default_factory=list)
    block_delay_usd: np.ndarray | None = None  # (S, P) part of block_cost_usd: rent while waiting
    block_water_price_usd: np.ndarray | None = None  # (S, P) part of block_cost_usd: priced water
    block_risk_price_usd: np.ndarray | None = None  # (S, P) part of block_cost_usd: priced risk
    # (S, P) fixed cost of the site when phase p is the first it serves (None: fixed_cost_usd).
    fixed_cost_by_phase_usd: np.ndarray | None = None
    phase_start_month: np.ndarray | None = None  # (P,) int, orders the phases for the above
    phase_labels: list[str] = field(
        default_factory=list
    )  # for messages: "phase 2 (B200, month 12)"

    def phase_order(self) -> np.ndarray:
        """Phase indices sorted by start month (stable; in given order without start months)."""
        if self.phase_start_month is None:
            return np.arange(self.n_phases)
        return np.argsort(np.asarray(self.phase_start_month), kind="stable")

    def fixed_by_phase(self) -> np.ndarray:
        """(S, P) USD: fixed cost of each site when phase ``p`` is the first it serves."""
        if self.fixed_cost_by_phase_usd is None:
            return np.repeat(self.fixed_cost_usd[:, None], self.n_phases, axis=1)
        return self.fixed_cost_by_phase_usd

    def site_fixed_cost(self, blocks: np.ndarray) -> np.ndarray:
        """(S,) USD: each site's fixed cost under ``blocks`` (S, P); 0 where it is not open.

        A site pays the fixed cost of the earliest-starting phase it serves.
        """
        order = self.phase_order()
        served = np.asarray(blocks)[:, order] > 0
        first = np.argmax(served, axis=1)  # position in start order of the first served phase
        fixed = self.fixed_by_phase()[:, order][np.arange(self.n_sites), first]
        return np.where(served.any(axis=1), fixed, 0.0)

    def phase_label(self, p: int) -> str:
        return self.phase_labels[p] if p < len(self.phase_labels) else self.phase_names[p]

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_phases(self) -> int:
        return len(self.phase_names)

    @property
    def total_blocks(self) -> int:
        return int(self.blocks_needed.sum())

    @property
    def share_blocks(self) -> int:
        """Most blocks one site may hold under ``max_share_per_site``."""
        return int(math.floor(self.max_share * self.total_blocks + 1e-9))

    def latency_blocks(self, rule: LatencyRuleData) -> int:
        """Fewest blocks that must sit within reach of ``rule``'s center."""
        return int(math.ceil(rule.min_share * self.total_blocks - 1e-9))

    def max_blocks_per_site(self, *, capacity: bool = True, share: bool = True) -> np.ndarray:
        """Upper bound on the blocks each site can take (capacity at its lightest block, share)."""
        n = self.total_blocks
        ub = np.full(self.n_sites, float(n))
        if capacity:
            lightest = np.min(np.where(self.allowed, self.block_mw, np.inf), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                fit = np.floor(self.capacity_mw / lightest + 1e-9)
            ub = np.minimum(ub, np.nan_to_num(fit, nan=0.0, posinf=float(n)))
        if share:
            ub = np.minimum(ub, self.share_blocks)
        ub[~self.allowed.any(axis=1)] = 0
        return ub.astype(int)


@dataclass
class Solution:
    """Raw MILP outcome on an :class:`AllocationProblem`."""

    status: str  # optimal / feasible / infeasible / error
    message: str
    blocks: np.ndarray | None = None  # (S, P) int
    gap: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible") and self.blocks is not None


# --- building the problem -----------------------------------------------------------------


def blocks_needed(scenario: Scenario) -> np.ndarray:
    """Blocks per phase: ``ceil(count / block_gpus)`` (the last block may be partial)."""
    size = scenario.fleet.block_gpus
    return np.array([-(-p.count // size) for p in scenario.fleet.phases], dtype=int)


def delay_rent_usd(
    evaluation: Evaluation,
    scenario: Scenario,
    rent_usd_per_gpu_hour: np.ndarray | None = None,
) -> pd.DataFrame:
    """Present cost of renting the GPU-hours one block loses while its site waits for power.

    The evaluation's block cost saves a late site's energy (and, with GPUs bought when power is
    ready, their capital charge too), so on cost alone a site that gets power late looks
    *cheaper* while it delivers fewer GPU-hours. To compare allocations that deliver the same
    work, each block is also charged the useful GPU-hours it misses between its phase's start
    and the site's ready month (``max(time_to_power_months, facility.build_lead_months)``, as
    in the evaluation) at the rent of the phase's GPU model (bridge rent), discounted monthly
    like every other cost.

    The rent per phase is ``rent_usd_per_gpu_hour`` when given, else
    :func:`planner.evaluate.phase_rent_usd_per_gpu_hour`: ``energy.cloud_gpu_hour_usd`` for
    every model when the scenario sets it, otherwise each model's ``cloud_usd_per_gpu_hour``
    from the embedded GPU catalog (the one the evaluation used).

    Useful GPU-hours per GPU and calendar month are the evaluation's own
    (``useful_gpu_hours_per_gpu_month``: hourly activity after its cap at 1, which for an
    inference fleet's diurnal peak is below utilization x hours), so that delivered plus rented
    GPU-hours are the same at every site. Evaluations without it (older results files) fall
    back to ``fleet.utilization`` x hours in the month x ``fleet.monthly_load_factor``.

    Returns
    -------
    DataFrame
        Index ``site_id``, one column per phase: USD per block.
    """
    from planner import economics as econ

    months = scenario.scenario.horizon_years * 12
    if evaluation.useful_gpu_hours_per_gpu_month is not None:
        useful = np.asarray(evaluation.useful_gpu_hours_per_gpu_month, dtype=float)
    else:
        days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
        factor = np.asarray(scenario.fleet.monthly_load_factor or [1.0] * 12, dtype=float)
        useful = scenario.fleet.utilization * 24.0 * days * factor  # GPU-hours per GPU-month
    discounted = useful[np.arange(months) % 12] * econ.discount_factors(
        scenario.scenario.discount_rate, months
    )
    tail = econ.tail_sums(discounted)  # tail[m]: PV of useful hours from month m to the end
    metrics = evaluation.metrics
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    start = running_start_month(evaluation, scenario)
    lost_hours = (tail[phase_start][None, :] - tail[start]) * scenario.fleet.block_gpus
    if rent_usd_per_gpu_hour is None:
        from planner.evaluate import phase_rent_usd_per_gpu_hour

        rent_usd_per_gpu_hour = phase_rent_usd_per_gpu_hour(scenario)
    return pd.DataFrame(
        lost_hours * np.asarray(rent_usd_per_gpu_hour, dtype=float)[None, :],
        index=metrics.index.copy(),
        columns=evaluation.phase_block_cost_usd.columns,
    )


def running_start_month(evaluation: Evaluation, scenario: Scenario) -> np.ndarray:
    """(sites, P) month each phase starts running at each site of ``evaluation.metrics``.

    ``max(phase start, ready month)`` with the ready month ``max(time_to_power_months,
    facility.build_lead_months)`` rounded up, capped at the horizon (= never runs).
    """
    months = scenario.scenario.horizon_years * 12
    metrics = evaluation.metrics
    ttp = pd.to_numeric(metrics.get("time_to_power_months"), errors="coerce")
    ttp = np.zeros(len(metrics)) if ttp is None else np.nan_to_num(ttp.to_numpy(float), nan=0.0)
    ready = np.ceil(np.maximum(ttp, scenario.facility.build_lead_months)).astype(int)
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    return np.minimum(np.maximum(phase_start[None, :], ready[:, None]), months)


def water_stress_factor(metrics: pd.DataFrame) -> np.ndarray:
    """Per site, what one m3 of water counts as in the water price (stress-weighted m3 per m3).

    The evaluation's ``water_weighted_m3_per_year / water_m3_per_year`` (its WRI Aqueduct
    stress score, 0-5, with unknown stress already filled in); where that cannot be formed,
    the site's ``water_stress`` column; else 1 (unweighted).
    """
    n = len(metrics)
    factor = np.full(n, np.nan)
    if {"water_weighted_m3_per_year", "water_m3_per_year"} <= set(metrics.columns):
        weighted = pd.to_numeric(metrics["water_weighted_m3_per_year"], errors="coerce")
        volume = pd.to_numeric(metrics["water_m3_per_year"], errors="coerce").to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(volume > 0, weighted.to_numpy(float) / volume, np.nan)
    if "water_stress" in metrics.columns:
        stress = pd.to_numeric(metrics["water_stress"], errors="coerce").to_numpy(float)
        factor = np.where(np.isfinite(factor), factor, stress)
    return np.where(np.isfinite(factor), factor, 1.0)


def externality_costs(
    evaluation: Evaluation, scenario: Scenario
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Net present USD per block of the two priced externalities: water and risk.

    Both are level flows over the months a block runs at its site (:func:`running_start_month`
    to the horizon end), discounted monthly like every other cost (``d_m`` the end-of-month
    discount factor, ``T[s, p] = sum_{m >= start} d_m``, ``R`` running months):

    - water: ``water_price_usd_per_m3 x stress[s] x block_water_m3[s, p] x T / R``; the
      block's horizon water is spread evenly over its running months, and ``stress`` is
      :func:`water_stress_factor` (a m3 at stress 3 is priced as 3 m3);
    - risk: ``risk_price_usd_per_mw_year x risk_score[s] x block_site_mw[s, p] x T / 12``,
      an expected loss per MW-year of the block's site power at risk score 1 (the score, 0-1,
      scales it): a simple proxy for outages, hazards and connection delays, not a model.
      Sites without a ``risk_score`` carry none.

    Returns
    -------
    water_usd, risk_usd : DataFrame
        Index ``site_id``, one column per phase, USD per block (0 with the default prices).
    """
    from planner import economics as econ

    objective = scenario.objective
    months = scenario.scenario.horizon_years * 12
    metrics = evaluation.metrics
    columns = evaluation.phase_block_cost_usd.columns
    start = running_start_month(evaluation, scenario)
    tail = econ.tail_sums(econ.discount_factors(scenario.scenario.discount_rate, months))[start]
    running = months - start
    with np.errstate(divide="ignore", invalid="ignore"):
        per_running_month = np.where(running > 0, tail / running, 0.0)

    def table(name: str) -> np.ndarray:
        frame = getattr(evaluation, name).reindex(index=metrics.index, columns=columns)
        return np.nan_to_num(frame.to_numpy(dtype=float), nan=0.0, posinf=0.0)

    stress = water_stress_factor(metrics)
    water = objective.water_price_usd_per_m3 * stress[:, None] * table("phase_block_water_m3")
    water = water * per_running_month
    score = pd.to_numeric(metrics.get("risk_score", pd.Series(0.0, index=metrics.index)))
    score = np.nan_to_num(score.to_numpy(float), nan=0.0)
    risk = objective.risk_price_usd_per_mw_year * score[:, None] * table("block_site_mw")
    risk = risk * tail / 12.0

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=metrics.index.copy(), columns=columns)

    return frame(water), frame(risk)


def build_problem(
    evaluation: Evaluation,
    scenario: Scenario,
    feasible: np.ndarray | pd.Series | None = None,
    *,
    delay_rent: bool = True,
    exclude: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> AllocationProblem:
    """Gather the candidate sites' arrays and the scenario's allocation rules.

    Parameters
    ----------
    evaluation : Evaluation
    scenario : Scenario
    feasible : bool array or Series over ``evaluation.metrics`` rows, optional
        Screening result; infeasible sites are left out of the problem.
    delay_rent : bool
        Add :func:`delay_rent_usd` to each block's cost (default), so that a late site pays for
        the GPU-hours it cannot deliver.
    exclude : iterable of str
        Site ids left out of the problem (the best allocation without them).
    only : iterable of str, optional
        When given, only these site ids may be used (e.g. one: the best single-site allocation).
    """
    metrics = evaluation.metrics
    if feasible is None:
        mask = np.ones(len(metrics), dtype=bool)
    elif isinstance(feasible, pd.Series):
        mask = feasible.reindex(metrics.index).fillna(False).to_numpy(dtype=bool)
    else:
        mask = np.asarray(feasible, dtype=bool)
    mask = mask & restrict_mask(metrics.index, exclude, only)
    ids = metrics.index[mask]
    phases = list(evaluation.phase_block_cost_usd.columns)
    n_phase = len(scenario.fleet.phases)
    if len(phases) != n_phase:
        raise ValueError(
            f"the evaluation has {len(phases)} phase columns but the scenario {n_phase} phases"
        )

    def frame(df: pd.DataFrame) -> np.ndarray:
        return df.reindex(index=ids, columns=phases).to_numpy(dtype=float)

    cost = frame(evaluation.phase_block_cost_usd)
    delay = (
        np.nan_to_num(frame(delay_rent_usd(evaluation, scenario)), nan=0.0)
        if delay_rent
        else np.zeros_like(cost)
    )
    # Priced water and risk (0 by default) join the block cost like the carbon price.
    water_usd, risk_usd = (
        np.nan_to_num(frame(t), nan=0.0) for t in externality_costs(evaluation, scenario)
    )
    co2 = np.nan_to_num(frame(evaluation.phase_block_co2_t), nan=0.0)
    water = np.nan_to_num(frame(evaluation.phase_block_water_m3), nan=0.0)
    mw = frame(evaluation.block_site_mw)
    allowed = np.isfinite(cost) & np.isfinite(mw) & (mw > 0)
    fixed = np.nan_to_num(
        evaluation.site_fixed_cost_usd.reindex(ids).to_numpy(dtype=float), nan=0.0
    )
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    fixed_by_phase = None
    if evaluation.site_fixed_cost_by_first_phase_usd is not None:
        by_first = evaluation.site_fixed_cost_by_first_phase_usd
        fixed_by_phase = np.nan_to_num(frame(by_first), nan=0.0)
        # The telescoping objective in :func:`solve` is exact only if a later first phase never
        # costs more (it charges fewer, more discounted months).
        ordered = fixed_by_phase[:, np.argsort(phase_start, kind="stable")]
        rise = np.diff(ordered, axis=1)
        tol = 1e-9 * max(float(np.abs(ordered).max(initial=0.0)), 1.0)
        if (rise > tol).any():
            s = int(np.argwhere(rise > tol)[0][0])
            raise ValueError(
                f"site_fixed_cost_by_first_phase_usd rises with a later first phase at site "
                f"{ids[s]}; it must not increase with the phase start month"
            )
    sub = metrics.loc[ids]
    capacity = (
        pd.to_numeric(sub["capacity_mw"], errors="coerce").fillna(np.inf).to_numpy(dtype=float)
        if "capacity_mw" in sub
        else np.full(len(ids), np.inf)
    )
    grid_col = next((c for c in ("grid", "region_code") if c in sub.columns), None)
    grid = (
        sub[grid_col].astype(str).fillna("").to_numpy(dtype=object)
        if grid_col
        else np.asarray(ids, dtype=object)
    )
    # A site with no grid label is its own region (never merged with another unknown one).
    unknown = (grid == "") | (grid == "nan") | (grid == "None")
    grid[unknown] = np.asarray(ids, dtype=object)[unknown]
    names = (
        sub["name"].astype(str).to_numpy(dtype=object)
        if "name" in sub
        else np.asarray(ids, dtype=object)
    )

    con = scenario.constraints
    rules = []
    for rule in con.latency:
        if rule.demand_center in evaluation.rtt_ms.columns:
            rtt = evaluation.rtt_ms[rule.demand_center].reindex(ids).to_numpy(dtype=float)
        else:
            rtt = np.full(len(ids), np.inf)
        within = rtt <= rule.max_rtt_ms
        nearest = float(np.nanmin(rtt)) if len(rtt) and np.isfinite(rtt).any() else math.inf
        rules.append(
            LatencyRuleData(rule.demand_center, rule.max_rtt_ms, rule.min_share, within, nearest)
        )

    return AllocationProblem(
        site_ids=np.asarray(ids, dtype=object),
        site_names=names,
        phase_names=phases,
        blocks_needed=blocks_needed(scenario),
        block_gpus=scenario.fleet.block_gpus,
        phase_gpus=np.array([p.count for p in scenario.fleet.phases], dtype=int),
        block_cost_usd=np.where(allowed, cost + delay + water_usd + risk_usd, 0.0),
        block_delay_usd=np.where(allowed, delay, 0.0),
        block_water_price_usd=np.where(allowed, water_usd, 0.0),
        block_risk_price_usd=np.where(allowed, risk_usd, 0.0),
        block_co2_t=co2,
        block_water_m3=water,
        block_mw=np.where(allowed, mw, 0.0),
        fixed_cost_usd=fixed,
        fixed_cost_by_phase_usd=fixed_by_phase,
        phase_start_month=phase_start,
        capacity_mw=capacity,
        grid=grid,
        allowed=allowed,
        min_sites=con.min_sites,
        max_sites=con.max_sites,
        max_share=con.max_share_per_site,
        min_grids=con.min_grid_regions,
        latency=rules,
        phase_labels=[
            f"phase {i + 1} ({ph.gpu}, month {ph.start_month})"
            for i, ph in enumerate(scenario.fleet.phases)
        ],
    )


def restrict_mask(
    site_ids: pd.Index, exclude: Iterable[str] = (), only: Iterable[str] | None = None
) -> np.ndarray:
    """Bool per site: not in ``exclude`` and, when ``only`` is given, in ``only``."""
    keep = ~site_ids.isin(list(exclude))
    if only is not None:
        keep &= site_ids.isin(list(only))
    return np.asarray(keep, dtype=bool)


# --- solving --------------------------------------------------------------------------------


def solve(
    problem: AllocationProblem,
    *,
    objective: str = "cost",
    co2_cap_t: float | None = None,
    water_cap_m3: float | None = None,
    cost_cap_usd: float | None = None,
    drop: frozenset[str] | set[str] = frozenset(),
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-3,
) -> Solution:
    """Solve the allocation MILP.

    Parameters
    ----------
    problem : AllocationProblem
    objective : {"cost", "co2", "water"}
        What to minimise: fleet net present cost (USD), or CO2 (t) / water (m3) over the horizon.
    co2_cap_t, water_cap_m3 : float, optional
        Upper bounds on the fleet's CO2 and water (epsilon constraints of a Pareto sweep).
    cost_cap_usd : float, optional
        Upper bound on the fleet's net present cost (second stage of a lexicographic solve).
    drop : set of str
        Constraint groups to leave out (``capacity``, ``share``, ``sites``, ``latency:<i>``,
        ``grids``), used to find which rule makes a problem infeasible.
    time_limit_s : float
        Wall-clock limit of the solver; on hitting it the best allocation found is returned with
        status ``feasible`` and its gap.
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops (1e-3 = 0.1 %).
    """
    S, P = problem.n_sites, problem.n_phases
    if S == 0:
        return Solution("infeasible", "no candidate site")
    n_blocks = problem.blocks_needed
    N = problem.total_blocks
    use_grids = "grids" not in drop and problem.min_grids > 1
    grid_labels, grid_index = np.unique(problem.grid.astype(str), return_inverse=True)
    G = len(grid_labels) if use_grids else 0
    nx, ny = S * P, S
    xi = np.arange(nx).reshape(S, P)
    yi = nx + np.arange(S)
    # Fixed cost by first phase served: F in start order, steps d[s, k] = F[s, k] - F[s, k + 1]
    # >= 0 (checked in build_problem), F[s, P] = 0. z[s, k] ("open by the k-th phase") exists
    # only where d > 0; a step of zero merges with the next variable (y[s] for the last).
    order = problem.phase_order()
    F = problem.fixed_by_phase()[:, order]
    steps = np.maximum(F[:, :-1] - F[:, 1:], 0.0)  # (S, P - 1)
    has_z = steps > 1e-9 * max(float(np.abs(F).max(initial=0.0)), 1.0)
    z_of = np.full((S, P - 1), -1, dtype=int)
    z_of[has_z] = nx + ny + G + np.arange(int(has_z.sum()))
    nz = int(has_z.sum())
    nvar = nx + ny + G + nz
    # link[s, k]: the variable that must be 1 if site s holds a block of the k-th phase.
    link = np.empty((S, P), dtype=int)
    link[:, P - 1] = yi
    for k in range(P - 2, -1, -1):  # a loop over phases, vectorised over sites
        link[:, k] = np.where(has_z[:, k], z_of[:, k], link[:, k + 1])
    z_site, z_k = np.nonzero(has_z)
    zi = z_of[z_site, z_k]
    fixed_y = F[:, P - 1]
    fixed_z = steps[z_site, z_k]

    # Objective, scaled to order one so HiGHS's absolute tolerances mean something.
    c = np.zeros(nvar)
    if objective == "cost":
        c[:nx] = problem.block_cost_usd.ravel()
        c[yi] = fixed_y
        c[zi] = fixed_z
    elif objective == "co2":
        c[:nx] = problem.block_co2_t.ravel()
    elif objective == "water":
        c[:nx] = problem.block_water_m3.ravel()
    else:
        raise ValueError(f"objective must be cost, co2 or water, got {objective!r}")
    bad = _not_finite_message(problem, c, nx, P, objective)
    if bad:  # HiGHS would scale by nan or inf and could call the result optimal
        return Solution("error", bad)
    scale = float(np.max(np.abs(c))) or 1.0
    c /= scale

    # Bounds: x up to what one site could ever take; disallowed (site, phase) pairs fixed at 0.
    ub_site = problem.max_blocks_per_site(
        capacity="capacity" not in drop, share="share" not in drop
    )
    ub_x = np.minimum(n_blocks[None, :], ub_site[:, None]).astype(float)
    ub_x[~problem.allowed] = 0.0
    if "capacity" not in drop:
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.floor(problem.capacity_mw[:, None] / problem.block_mw + 1e-9)
        ub_x = np.minimum(ub_x, np.nan_to_num(fit, nan=0.0, posinf=float(N)))
    lb = np.zeros(nvar)
    ub = np.concatenate(
        [ub_x.ravel(), (ub_site > 0).astype(float), np.ones(G), (ub_site[z_site] > 0).astype(float)]
    )
    integrality = np.ones(nvar)

    rows: list[sparse.coo_matrix] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []

    def add(
        r: np.ndarray,
        col: np.ndarray,
        val: np.ndarray,
        n_rows: int,
        low: np.ndarray,
        high: np.ndarray,
    ) -> None:
        rows.append(sparse.coo_matrix((val, (r, col)), shape=(n_rows, nvar)))
        lo.append(np.asarray(low, dtype=float))
        hi.append(np.asarray(high, dtype=float))

    site_of_x = np.repeat(np.arange(S), P)
    phase_of_x = np.tile(np.arange(P), S)
    ones_x = np.ones(nx)
    # demand: every block of every phase is placed.
    add(phase_of_x, np.arange(nx), ones_x, P, n_blocks, n_blocks)
    # link (share and open): x summed per site <= U_s y_s, and >= y_s.
    U = ub_site.astype(float)
    add(
        np.concatenate([site_of_x, np.arange(S)]),
        np.concatenate([np.arange(nx), yi]),
        np.concatenate([ones_x, -U]),
        S,
        np.full(S, -np.inf),
        np.zeros(S),
    )
    add(
        np.concatenate([site_of_x, np.arange(S)]),
        np.concatenate([np.arange(nx), yi]),
        np.concatenate([ones_x, -np.ones(S)]),
        S,
        np.zeros(S),
        np.full(S, np.inf),
    )
    # first phase served: z[s, k] <= next variable in the chain; a block of the k-th phase
    # opens the site from that phase on (x <= its bound x z). Rows only where z exists.
    if nz:
        nxt = link[z_site, z_k + 1]
        add(
            np.concatenate([np.arange(nz), np.arange(nz)]),
            np.concatenate([zi, nxt]),
            np.concatenate([np.ones(nz), -np.ones(nz)]),
            nz,
            np.full(nz, -np.inf),
            np.zeros(nz),
        )
        k_all = np.broadcast_to(np.arange(P), (S, P))
        s_all = np.broadcast_to(np.arange(S)[:, None], (S, P))
        use = (link != yi[:, None]) & (ub_x[:, order] > 0)
        s_use, k_use = s_all[use], k_all[use]
        m = len(s_use)
        add(
            np.concatenate([np.arange(m), np.arange(m)]),
            np.concatenate([xi[s_use, order[k_use]], link[s_use, k_use]]),
            np.concatenate([np.ones(m), -ub_x[s_use, order[k_use]]]),
            m,
            np.full(m, -np.inf),
            np.zeros(m),
        )
    # capacity (MW) for sites with a finite limit.
    if "capacity" not in drop:
        finite = np.flatnonzero(np.isfinite(problem.capacity_mw))
        if len(finite):
            k = len(finite)
            r = np.repeat(np.arange(k), P)
            cols = xi[finite].ravel()
            vals = problem.block_mw[finite].ravel()
            add(
                np.concatenate([r, np.arange(k)]),
                np.concatenate([cols, yi[finite]]),
                np.concatenate([vals, -problem.capacity_mw[finite]]),
                k,
                np.full(k, -np.inf),
                np.zeros(k),
            )
    # number of open sites.
    if "sites" not in drop:
        add(np.zeros(S, dtype=int), yi, np.ones(S), 1, [problem.min_sites], [problem.max_sites])
    # latency rules.
    for i, rule in enumerate(problem.latency):
        if f"latency:{i}" in drop or "latency" in drop:
            continue
        sites = np.flatnonzero(rule.within)
        cols = xi[sites].ravel()
        add(
            np.zeros(len(cols), dtype=int),
            cols,
            np.ones(len(cols)),
            1,
            [problem.latency_blocks(rule)],
            [np.inf],
        )
    # grid diversity.
    if use_grids:
        gcols = nx + ny + np.arange(G)
        add(
            np.concatenate([np.arange(G), grid_index]),
            np.concatenate([gcols, yi]),
            np.concatenate([np.ones(G), -np.ones(S)]),
            G,
            np.full(G, -np.inf),
            np.zeros(G),
        )
        add(np.zeros(G, dtype=int), gcols, np.ones(G), 1, [problem.min_grids], [np.inf])
    # epsilon constraints.
    if co2_cap_t is not None and "caps" not in drop:
        add(
            np.zeros(nx, dtype=int),
            np.arange(nx),
            problem.block_co2_t.ravel(),
            1,
            [-np.inf],
            [co2_cap_t],
        )
    if water_cap_m3 is not None and "caps" not in drop:
        add(
            np.zeros(nx, dtype=int),
            np.arange(nx),
            problem.block_water_m3.ravel(),
            1,
            [-np.inf],
            [water_cap_m3],
        )

    if cost_cap_usd is not None and "caps" not in drop:
        cols = np.concatenate([np.arange(nx), yi, zi])
        vals = np.concatenate([problem.block_cost_usd.ravel(), fixed_y, fixed_z])
        add(np.zeros(len(cols), dtype=int), cols, vals / 1e6, 1, [-np.inf], [cost_cap_usd / 1e6])

    A = sparse.vstack(rows).tocsr()
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
        options={
            "time_limit": float(time_limit_s),
            "mip_rel_gap": float(mip_rel_gap),
            "disp": False,
        },
    )
    gap = getattr(result, "mip_gap", None)
    gap = None if gap is None or not np.isfinite(gap) else float(gap)
    if result.x is None:
        if result.status == 2:
            return Solution("infeasible", "the constraints cannot all be met")
        if result.status == 1:
            return Solution(
                "error", f"no allocation found within the {time_limit_s:g} s time limit"
            )
        return Solution("error", f"the solver stopped: {result.message}")
    blocks = np.rint(result.x[:nx]).astype(int).reshape(S, P)
    status = "optimal" if result.status == 0 else "feasible"
    message = (
        "optimal allocation found"
        if status == "optimal"
        else (f"time limit reached; best allocation found (gap {100 * (gap or 0):.2f} %)")
    )
    return Solution(status, message, blocks, gap)


def _not_finite_message(
    problem: AllocationProblem, c: np.ndarray, nx: int, n_phases: int, objective: str
) -> str:
    """Why the objective cannot be trusted (a coefficient, or the largest total, not finite)."""
    bad = np.flatnonzero(~np.isfinite(c))
    if len(bad):
        i = int(bad[0])
        if i < nx:
            s, p = divmod(i, n_phases)
            where = f"site {problem.site_ids[s]}, {problem.phase_label(p)}"
        else:
            where = "a site's fixed cost"
        return f"the {objective} of {where} is {c[i]}, so no allocation can be priced"
    # Every block at its dearest site, every site open: the objective cannot exceed this.
    worst = float(np.abs(c).max(initial=0.0)) * (problem.total_blocks + len(c))
    if not math.isfinite(worst):
        return f"the {objective} figures are too large to add up (above 1e308)"
    return ""


# --- checking and explaining ------------------------------------------------------------------


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


def fleet_cost_usd(problem: AllocationProblem, blocks: np.ndarray) -> float:
    """Objective value of an allocation: fixed costs of open sites plus block costs (USD).

    Each open site pays the fixed cost of the earliest-starting phase it serves.
    """
    return float(problem.site_fixed_cost(blocks).sum() + (blocks * problem.block_cost_usd).sum())


def explain_infeasible(problem: AllocationProblem, *, time_limit_s: float = 10.0) -> list[str]:
    """Sentences saying which constraint makes the problem infeasible and by how much.

    First checks simple necessary conditions (each alone proves infeasibility, with numbers);
    if none fails, re-solves with one constraint group left out at a time and names the groups
    whose removal alone makes the problem feasible.
    """
    S, N = problem.n_sites, problem.total_blocks
    if S == 0:
        return ["no candidate site passes the hard constraints"]
    out: list[str] = []
    k_max = min(problem.max_sites, S)
    lightest_mw = np.min(np.where(problem.allowed, problem.block_mw, np.inf), axis=1)
    fleet_mw = float(
        (
            problem.blocks_needed
            * np.min(np.where(problem.allowed, problem.block_mw, np.inf), axis=0)
        ).sum()
    )
    cap_only = problem.max_blocks_per_site(share=False)
    both = problem.max_blocks_per_site()
    gpus = problem.block_gpus

    if problem.min_sites > S:
        out.append(
            f"min_sites is {problem.min_sites} but only {S} site{'s pass' if S > 1 else ' passes'} "
            "the hard constraints"
        )
    if problem.min_sites > N:
        out.append(
            f"min_sites is {problem.min_sites} but the fleet has only {N} blocks of {gpus:,} GPUs"
        )
    share_total = problem.share_blocks * k_max
    if share_total < N:
        out.append(
            f"at most {problem.max_share:.0%} of the fleet per site ({problem.share_blocks} of {N} "
            f"blocks) at {k_max} site"
            f"{'s' if k_max > 1 else ''} covers only {share_total / N:.0%} of the fleet"
        )
    top_cap = np.sort(cap_only)[::-1][:k_max].sum()
    if top_cap < N:
        caps = np.sort(np.where(np.isfinite(problem.capacity_mw), problem.capacity_mw, 0))[::-1][
            :k_max
        ]
        if k_max < S:
            which = f"the {k_max} largest feasible sites (max_sites = {problem.max_sites}) offer"
        else:
            which = "the only feasible site offers" if S == 1 else f"the {S} feasible sites offer"
        out.append(f"the fleet needs {_mw(fleet_mw)} but {which} {_mw(caps.sum())}")
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
        if np.sort(fit)[::-1][:k_max].sum() < problem.blocks_needed[p]:
            need_mw = problem.blocks_needed[p] * float(problem.block_mw[allowed, p].min())
            caps = problem.capacity_mw[allowed]
            offer = float(np.sort(np.where(np.isfinite(caps), caps, 0))[::-1][:k_max].sum())
            out.append(
                f"{problem.phase_label(p)} needs {_mw(need_mw)} but the sites that get power "
                "in time for it "
                f"offer {_mw(offer)}"
            )
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
    for rule in problem.latency:
        need = problem.latency_blocks(rule)
        within = np.flatnonzero(rule.within)
        where = f"within {rule.max_rtt_ms:g} ms of {rule.center}"
        if need == 0:
            continue
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
        offer_blocks = np.sort(both[within])[::-1][:k_max].sum()
        if offer_blocks < need:
            need_mw = need * float(np.min(lightest_mw[within]))
            caps = problem.capacity_mw[within]
            offer_mw = float(np.sort(np.where(np.isfinite(caps), caps, 0))[::-1][:k_max].sum())
            if np.sort(cap_only[within])[::-1][:k_max].sum() >= need:
                out.append(
                    f"{rule.min_share:.0%} of the fleet must be {where} but with at most "
                    f"{problem.max_share:.0%} per site the {len(within)} site(s) there take "
                    f"{offer_blocks / N:.0%}"
                )
            else:
                out.append(
                    f"the fleet needs {_mw(need_mw)} {where} ({rule.min_share:.0%} of the fleet) "
                    f"but the feasible sites {where} offer {_mw(offer_mw)}"
                )
    if out:
        return out

    # No single simple condition fails: find which rule, left out alone, restores feasibility.
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


# --- the public entry point -----------------------------------------------------------------


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
    total_gpus = float(problem.phase_gpus.sum())
    # Blocks actually filled: the partial last block of a phase carries only its GPUs' cost,
    # power, CO2 and water (block figures are per GPU times block_gpus), so the summary and the
    # reported objective match the fleet's own cost (tco_usd for the whole fleet at one site).
    b = gpus / float(problem.block_gpus)

    def part(values: np.ndarray | None) -> np.ndarray:
        return values if values is not None else np.zeros(blocks.shape)

    delay = part(problem.block_delay_usd)
    summary = pd.DataFrame(
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
    if evaluation is not None and "country" in evaluation.metrics:
        summary.insert(1, "country", evaluation.metrics["country"].reindex(ids).to_numpy())
    order = np.argsort(-summary["gpus"].to_numpy(), kind="stable")
    summary, block_df, gpu_df = summary.iloc[order], block_df.iloc[order], gpu_df.iloc[order]
    cost = float(summary["cost_usd"].sum())
    where = ", ".join(
        f"{s} {g:,.0f} GPUs" for s, g in zip(summary.index, summary["gpus"], strict=True)
    )
    message = (
        f"{'Optimal' if solution.status == 'optimal' else 'Best found'} allocation: "
        f"{len(summary)} site{'s' if len(summary) > 1 else ''} ({where}); net present cost "
        f"{cost / 1e9:,.3f} billion USD"
    )
    rent = float(summary["delay_rent_usd"].sum())
    if rent > 0:
        message += (
            f", of which {rent / 1e9:,.3f} billion USD rents GPU-hours while sites wait for power"
        )
    message += "."
    return Allocation(
        status=solution.status,
        message=message,
        objective_usd=cost,
        gap=solution.gap,
        blocks=block_df,
        gpus=gpu_df,
        summary=summary,
        binding=binding_constraints(problem, blocks),
    )


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
