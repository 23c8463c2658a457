"""The allocation problem: the candidate sites' arrays and the scenario's rules.

:func:`build_problem` gathers, for the sites that passed screening, what one block of each
phase costs, emits, uses in water and draws in power at each site, and the rules that bind the
whole fleet. The cost of a block is the sum of:

- the evaluation's ``phase_block_cost_usd``: its net present cost (GPUs, facility, energy,
  opex, idle GPUs while a site waits for power, and the scenario's carbon price),
- :func:`delay_rent_usd`: the rent of the GPU-hours it loses while its site waits for power,
- :func:`externality_costs`: stress-weighted water and a risk proxy, at the scenario's prices.

Nothing here knows about the solver; :mod:`planner.optimize.allocate.model` turns the problem
into matrices.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.results import Evaluation
from planner.scenario import Scenario


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
    # Feasible sites before pre-screening (planner.optimize.allocate.prescreen); None: all kept.
    prescreened_from: int | None = None
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
    leading_only: bool = True,
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
    leading_only : bool
        Above :data:`~planner.optimize.allocate.prescreen.MAX_SITES` feasible sites, keep the
        leading ones only (:mod:`planner.optimize.allocate.prescreen`; default).
    """
    metrics = evaluation.metrics
    mask = _screened_mask(metrics.index, feasible) & restrict_mask(metrics.index, exclude, only)
    ids = metrics.index[mask]
    phases = _phase_columns(evaluation, scenario)

    def frame(df: pd.DataFrame) -> np.ndarray:
        return df.reindex(index=ids, columns=phases).to_numpy(dtype=float)

    cost = frame(evaluation.phase_block_cost_usd)
    delay, water_usd, risk_usd = _priced_extras(evaluation, scenario, frame, cost, delay_rent)
    co2 = np.nan_to_num(frame(evaluation.phase_block_co2_t), nan=0.0)
    water = np.nan_to_num(frame(evaluation.phase_block_water_m3), nan=0.0)
    mw = frame(evaluation.block_site_mw)
    allowed = np.isfinite(cost) & np.isfinite(mw) & (mw > 0)
    fixed = np.nan_to_num(
        evaluation.site_fixed_cost_usd.reindex(ids).to_numpy(dtype=float), nan=0.0
    )
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    fixed_by_phase = _fixed_cost_by_first_phase(evaluation, ids, frame, phase_start)
    capacity, grid, names = _site_columns(metrics.loc[ids], ids)

    con = scenario.constraints
    problem = AllocationProblem(
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
        latency=_latency_rules(evaluation, scenario, ids),
        phase_labels=[
            f"phase {i + 1} ({ph.gpu}, month {ph.start_month})"
            for i, ph in enumerate(scenario.fleet.phases)
        ],
    )
    from planner.optimize.allocate.prescreen import prescreen

    return prescreen(problem) if leading_only else problem


def _screened_mask(index: pd.Index, feasible: np.ndarray | pd.Series | None) -> np.ndarray:
    """Bool per row of the metrics: the site passed screening (all of them without a result)."""
    if feasible is None:
        return np.ones(len(index), dtype=bool)
    if isinstance(feasible, pd.Series):
        return feasible.reindex(index).fillna(False).to_numpy(dtype=bool)
    return np.asarray(feasible, dtype=bool)


def _phase_columns(evaluation: Evaluation, scenario: Scenario) -> list[str]:
    """The evaluation's phase columns, which must be one per phase of the scenario."""
    phases = list(evaluation.phase_block_cost_usd.columns)
    n_phase = len(scenario.fleet.phases)
    if len(phases) != n_phase:
        raise ValueError(
            f"the evaluation has {len(phases)} phase columns but the scenario {n_phase} phases"
        )
    return phases


def _priced_extras(
    evaluation: Evaluation,
    scenario: Scenario,
    frame: Callable[[pd.DataFrame], np.ndarray],
    cost: np.ndarray,
    delay_rent: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, P) USD per block added to the evaluation's block cost: delay rent, water, risk.

    The rent is 0 with ``delay_rent=False``; priced water and risk are 0 by default and join
    the block cost like the carbon price.
    """
    delay = (
        np.nan_to_num(frame(delay_rent_usd(evaluation, scenario)), nan=0.0)
        if delay_rent
        else np.zeros_like(cost)
    )
    water_usd, risk_usd = (
        np.nan_to_num(frame(t), nan=0.0) for t in externality_costs(evaluation, scenario)
    )
    return delay, water_usd, risk_usd


def _fixed_cost_by_first_phase(
    evaluation: Evaluation,
    ids: pd.Index,
    frame: Callable[[pd.DataFrame], np.ndarray],
    phase_start: np.ndarray,
) -> np.ndarray | None:
    """(S, P) fixed cost by the first phase a site serves, checked never to rise with it.

    The telescoping objective of :mod:`planner.optimize.allocate.model` is exact only if a
    later first phase never costs more (it charges fewer, more discounted months).
    """
    if evaluation.site_fixed_cost_by_first_phase_usd is None:
        return None
    fixed_by_phase = np.nan_to_num(frame(evaluation.site_fixed_cost_by_first_phase_usd), nan=0.0)
    ordered = fixed_by_phase[:, np.argsort(phase_start, kind="stable")]
    rise = np.diff(ordered, axis=1)
    tol = 1e-9 * max(float(np.abs(ordered).max(initial=0.0)), 1.0)
    if (rise > tol).any():
        s = int(np.argwhere(rise > tol)[0][0])
        raise ValueError(
            f"site_fixed_cost_by_first_phase_usd rises with a later first phase at site "
            f"{ids[s]}; it must not increase with the phase start month"
        )
    return fixed_by_phase


def _site_columns(sub: pd.DataFrame, ids: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per candidate site: capacity (MW, inf = unlimited), grid region label, name."""
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
    return capacity, grid, names


def _latency_rules(
    evaluation: Evaluation, scenario: Scenario, ids: pd.Index
) -> list[LatencyRuleData]:
    """The scenario's latency rules resolved against the candidate sites' round-trip times."""
    rules = []
    for rule in scenario.constraints.latency:
        if rule.demand_center in evaluation.rtt_ms.columns:
            rtt = evaluation.rtt_ms[rule.demand_center].reindex(ids).to_numpy(dtype=float)
        else:
            rtt = np.full(len(ids), np.inf)
        within = rtt <= rule.max_rtt_ms
        nearest = float(np.nanmin(rtt)) if len(rtt) and np.isfinite(rtt).any() else math.inf
        rules.append(
            LatencyRuleData(rule.demand_center, rule.max_rtt_ms, rule.min_share, within, nearest)
        )
    return rules


def restrict_mask(
    site_ids: pd.Index, exclude: Iterable[str] = (), only: Iterable[str] | None = None
) -> np.ndarray:
    """Bool per site: not in ``exclude`` and, when ``only`` is given, in ``only``."""
    keep = ~site_ids.isin(list(exclude))
    if only is not None:
        keep &= site_ids.isin(list(only))
    return np.asarray(keep, dtype=bool)
