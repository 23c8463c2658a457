"""What moves the recommendation: the drivers that switching values, the tornado and the Monte
Carlo robustness all vary.

A driver turns one input's value into an allocation problem. Two kinds:

- **linear** drivers change the block costs of the problem already built, on the evaluation's
  cached arrays (no re-evaluation): the carbon price, the electricity price, PUE, GPU capital,
  facility capital per MW and the rent price. Block cost at value ``v`` is ``cost + (v - base)
  x slope``, with the slope from :class:`BlockParts`.
- **re-evaluated** drivers change an input every present value depends on: the time to power
  of a site, the discount rate and the fleet's utilization. They re-evaluate the *leading
  sites* only (:func:`leading_sites`: the recommended ones, their alternatives and the cheapest
  others), screen them again and build the problem on them (a few tens of milliseconds).

Named steps:

1. :func:`block_parts` - the problem's block cost split into what each driver scales.
2. :func:`linear_drivers`, :func:`reevaluated_drivers` - the drivers and their ranges.
3. :meth:`Driver.problem_at` - the allocation problem with a driver at a value.
4. :func:`recommended_sites` / :func:`allocation_cost_usd` - what a problem recommends and
   what the recommended allocation costs on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from planner.optimize.allocate import AllocationProblem, build_problem, running_start_month, solve
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

# Tighter than allocate's 0.1 %: a near tie must not read as a change of recommendation.
MIP_REL_GAP = 1e-6
GPU_COMPONENTS = ("gpus", "idle")
FACILITY_COMPONENTS = ("shell", "electrical", "mechanical", "land", "grid")
LEADING_SITES = 12  # cheapest single sites re-evaluated besides the recommended ones
# The explanations re-solve the MILP hundreds of times; above this many feasible sites they do
# so on the leading ones (near-identical parcels make each solve of a big problem slow).
EXPLAIN_SITES = 60


class Reevaluate(Protocol):
    """Evaluate some sites again with a changed scenario or site values (see
    :func:`planner.evaluate.evaluate_sites`' ``only_sites`` and ``site_values``)."""

    def __call__(
        self,
        scenario: Scenario,
        only_sites: Sequence[str],
        site_values: Mapping[str, Mapping[str, float]] | None = None,
    ) -> Evaluation: ...


# --- step 1: the block cost in parts -----------------------------------------------------------


@dataclass
class BlockParts:
    """The block cost of an :class:`AllocationProblem` in the parts drivers scale, (S, P) each.

    The evaluation splits costs into components for the whole fleet at a site, not per block,
    so a component's part of a block's own cost is taken as its share of the site's block
    costs (:func:`variable_share`).
    """

    own: np.ndarray  # the evaluation's block cost, carbon price included, USD
    market_energy: np.ndarray  # energy bought at market prices (the PPA share is fixed), USD
    energy: np.ndarray  # all energy, PPA included (scales with PUE), USD
    carbon: np.ndarray  # carbon price x CO2, USD
    co2_discounted_t: np.ndarray  # CO2 discounted as the carbon price is, t
    gpu: np.ndarray  # GPU capital and idle GPUs, USD
    facility: np.ndarray  # shell, electrical, mechanical, land, grid, USD
    rent: np.ndarray  # bridge rent while the site waits for power, USD


def discounted_co2_t(evaluation: Evaluation, scenario: Scenario, ids: np.ndarray) -> np.ndarray:
    """(S, P) tonnes of CO2 per block, discounted as the carbon price in the block cost.

    The evaluation prices carbon monthly from the block's running month, discounted
    (``planner.evaluate.cost_components``); the block's horizon CO2 is spread evenly over its
    running months and discounted like :func:`planner.optimize.allocate.externality_costs`
    does for water (exact but for the seasonal shape within a year).
    """
    from planner import economics as econ

    months = scenario.scenario.horizon_years * 12
    start = running_start_month(evaluation, scenario)
    tail = econ.tail_sums(econ.discount_factors(scenario.scenario.discount_rate, months))[start]
    running = months - start
    with np.errstate(divide="ignore", invalid="ignore"):
        per_month = np.where(running > 0, tail / running, 0.0)
    co2 = evaluation.phase_block_co2_t.to_numpy(float) * per_month
    frame = pd.DataFrame(
        co2, index=evaluation.metrics.index, columns=evaluation.phase_block_co2_t.columns
    )
    return np.nan_to_num(frame.reindex(list(ids)).to_numpy(float), nan=0.0)


def variable_share(
    evaluation: Evaluation, ids: np.ndarray, parts: tuple[str, ...], *, less_fixed: bool = False
) -> np.ndarray:
    """(S,) share of each site's block costs (TCO less the site's fixed cost) that is
    ``cost_<part>_usd``; 0 without the columns.

    GPU, idle-GPU and energy costs are all per block, so their share is exact. Facility
    capital has a fixed part per site (``less_fixed``): the site's whole fixed cost is taken
    off it (the fixed operating cost, a small part, is counted as facility).
    """
    metrics = evaluation.metrics
    columns = [f"cost_{p}_usd" for p in parts]
    if not {*columns, "tco_usd"} <= set(metrics.columns):
        return np.zeros(len(ids))
    sub = metrics.reindex(list(ids))
    fixed = evaluation.site_fixed_cost_usd.reindex(list(ids)).fillna(0.0).to_numpy(float)
    amount = sub[columns].sum(axis=1).to_numpy(float) - (fixed if less_fixed else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = amount / (sub["tco_usd"].to_numpy(float) - fixed)
    return np.clip(np.nan_to_num(share, nan=0.0, posinf=0.0, neginf=0.0), 0.0, 1.0)


def block_parts(
    evaluation: Evaluation, scenario: Scenario, problem: AllocationProblem
) -> BlockParts:
    """Split ``problem.block_cost_usd`` into the parts the drivers scale."""
    ids = problem.site_ids
    own = (
        problem.block_cost_usd
        - _part(problem.block_delay_usd)
        - _part(problem.block_water_price_usd)
        - _part(problem.block_risk_price_usd)
    )
    co2 = np.where(problem.allowed, discounted_co2_t(evaluation, scenario, ids), 0.0)
    energy = variable_share(evaluation, ids, ("energy",))[:, None] * own
    return BlockParts(
        own=own,
        market_energy=(1.0 - scenario.energy.ppa_share) * energy,
        energy=energy,
        carbon=float(scenario.objective.carbon_price_usd_per_t) * co2,
        co2_discounted_t=co2,
        gpu=variable_share(evaluation, ids, GPU_COMPONENTS)[:, None] * own,
        facility=variable_share(evaluation, ids, FACILITY_COMPONENTS, less_fixed=True)[:, None]
        * own,
        rent=np.broadcast_to(_part(problem.block_delay_usd), own.shape).copy(),
    )


def _part(values: np.ndarray | None) -> np.ndarray | float:
    return 0.0 if values is None else values


# --- step 2: the drivers -----------------------------------------------------------------------


@dataclass
class Driver:
    """One input the recommendation may depend on, with the range it is searched over.

    ``unit`` is "USD/t", "x" (a factor on the scenario's own values), "months" (added to a
    site's time to power) or "fraction" (discount rate, utilization). A linear driver has a
    ``slope``; a re-evaluated one a ``rebuild`` that returns the problem at a value.
    """

    parameter: str  # e.g. "carbon_price_usd_per_t", "time_to_power_months"
    label: str  # in words, e.g. "the carbon price"
    base: float
    low: float
    high: float
    unit: str
    slope: np.ndarray | None = None  # (S, P) USD per block per unit of the value
    rebuild: Callable[[float], tuple[AllocationProblem, Evaluation, Scenario] | None] | None = None
    site_id: str | None = None

    def problem_at(self, problem: AllocationProblem, value: float) -> AllocationProblem | None:
        """The allocation problem with this driver at ``value`` (None if it cannot be built)."""
        if self.rebuild is not None:
            built = self.rebuild(value)
            return None if built is None else built[0]
        cost = problem.block_cost_usd + (value - self.base) * self.slope
        return replace(problem, block_cost_usd=np.where(problem.allowed, cost, 0.0))

    def words(self, value: float) -> str:
        """The value in words: "182 USD/t", "1.25× its scenario value", "30 months", "7.5 %"."""
        if self.unit == "USD/t":
            return f"{value:,.0f} USD/t"
        if self.unit == "months":
            return f"{value:,.0f} months"
        if self.unit == "fraction":
            return f"{100 * value:.1f} %"
        return f"{value:.2f}× its scenario value"


CARBON_RANGE_USD_PER_T = (0.0, 1_000.0)
FACTOR_RANGE = (0.25, 4.0)
PUE_FACTOR_RANGE = (0.9, 1.5)  # a PUE below about 1 is not physical
TTP_EXTRA_MONTHS = 60
DISCOUNT_RANGE = (0.0, 0.25)


def linear_drivers(
    evaluation: Evaluation,
    scenario: Scenario,
    problem: AllocationProblem,
    sites: list[str],
) -> list[Driver]:
    """Carbon price, electricity price at each of ``sites``, PUE, GPU capital, capital per MW
    and the rent price (the last only when some site waits for power)."""
    parts = block_parts(evaluation, scenario, problem)
    carbon = float(scenario.objective.carbon_price_usd_per_t)
    out = [
        Driver(
            "carbon_price_usd_per_t",
            "the carbon price",
            carbon,
            CARBON_RANGE_USD_PER_T[0],
            max(CARBON_RANGE_USD_PER_T[1], carbon),
            "USD/t",
            slope=parts.co2_discounted_t,
        )
    ]
    for site in sites if parts.market_energy.any() else []:
        on_site = (problem.site_ids == site)[:, None]
        out.append(
            Driver(
                "electricity_price_factor",
                f"the electricity price at {_name(evaluation.metrics, site)}",
                1.0,
                *FACTOR_RANGE,
                "x",
                slope=np.where(on_site, parts.market_energy, 0.0),
                site_id=site,
            )
        )
    if parts.energy.any():
        out.append(
            Driver(
                "pue_factor",
                "the PUE",
                1.0,
                *PUE_FACTOR_RANGE,
                "x",
                slope=parts.energy + parts.carbon,
            )
        )
    for parameter, label, slope in (
        ("gpu_capital_factor", "GPU capital", parts.gpu),
        ("capital_per_mw_factor", "facility capital per MW", parts.facility),
    ):
        if slope.any():
            out.append(Driver(parameter, label, 1.0, *FACTOR_RANGE, "x", slope=slope))
    if parts.rent.any():  # no site waits for power: the rent cannot matter
        out.append(
            Driver(
                "rent_price_factor", "the GPU rent price", 1.0, *FACTOR_RANGE, "x", slope=parts.rent
            )
        )
    return out


def leading_sites(
    evaluation: Evaluation,
    feasible: pd.Series,
    must: Sequence[str],
    limit: int = LEADING_SITES,
) -> list[str]:
    """``must`` (the recommended sites and alternatives) and the ``limit`` feasible sites
    with the lowest cost per delivered GPU-hour, in that order and without repeats."""
    metrics = evaluation.metrics
    ok = feasible.reindex(metrics.index).fillna(False).to_numpy(bool)
    cost = pd.to_numeric(metrics.get("usd_per_gpu_hour"), errors="coerce")
    if cost is None:
        cheapest = list(metrics.index[ok][:limit])
    else:
        cheapest = list(cost[ok].sort_values(kind="stable").index[:limit])
    return list(dict.fromkeys([*map(str, must), *map(str, cheapest)]))


def explanation_problem(
    evaluation: Evaluation,
    scenario: Scenario,
    feasible: pd.Series,
    must: Sequence[str],
) -> AllocationProblem:
    """The allocation problem the explanations re-solve: every feasible site up to
    :data:`EXPLAIN_SITES`, else ``must`` (the recommended sites and alternatives) and the
    cheapest others (:func:`leading_sites`)."""
    problem = build_problem(evaluation, scenario, feasible)
    if problem.n_sites <= EXPLAIN_SITES:
        return problem
    only = leading_sites(evaluation, feasible, must, max(EXPLAIN_SITES - len(must), 0))
    return build_problem(evaluation, scenario, feasible, only=only)


def rebuilder(
    scenario: Scenario,
    reevaluate: Reevaluate,
    leading: list[str],
    changed: Callable[[float], Scenario] | None = None,
    site_values: Callable[[float], dict[str, dict[str, float]]] | None = None,
) -> Callable[[float], tuple[AllocationProblem, Evaluation, Scenario]]:
    """A re-evaluated driver's ``rebuild``: at a value, the scenario (``changed``) or the site
    values it gives, the ``leading`` sites re-evaluated, screened again and made a problem."""
    from planner.optimize.screen import screen_sites

    def at(value: float) -> tuple[AllocationProblem, Evaluation, Scenario]:
        new_scenario = scenario if changed is None else changed(value)
        values = None if site_values is None else site_values(value)
        ev = reevaluate(new_scenario, leading, values)
        feasible = screen_sites(ev, new_scenario)["feasible"]
        return build_problem(ev, new_scenario, feasible), ev, new_scenario

    return at


def reevaluated_drivers(
    evaluation: Evaluation,
    scenario: Scenario,
    reevaluate: Reevaluate,
    sites: list[str],
    leading: list[str],
) -> list[Driver]:
    """Time to power at each of ``sites`` and the discount rate, each re-evaluating the
    ``leading`` sites."""
    metrics = evaluation.metrics

    def rebuild(changed=None, site_values=None):
        return rebuilder(scenario, reevaluate, leading, changed, site_values)

    out = []
    horizon = scenario.scenario.horizon_years * 12
    for site in sites:
        base = float(pd.to_numeric(metrics.at[site, "time_to_power_months"], errors="coerce"))
        if not np.isfinite(base):
            continue
        out.append(
            Driver(
                "time_to_power_months",
                f"the time to power at {_name(metrics, site)}",
                base,
                0.0,
                min(base + TTP_EXTRA_MONTHS, float(horizon)),
                "months",
                rebuild=rebuild(site_values=lambda v, s=site: {s: {"time_to_power_months": v}}),
                site_id=site,
            )
        )
    rate = float(scenario.scenario.discount_rate)
    out.append(
        Driver(
            "discount_rate",
            "the discount rate",
            rate,
            *DISCOUNT_RANGE,
            "fraction",
            rebuild=rebuild(lambda v: with_value(scenario, "scenario.discount_rate", v)),
        )
    )
    return out


def value_at(scenario: Scenario, path: str) -> Any:
    """The value at the dotted ``path`` of ``scenario`` (e.g. "fleet.utilization")."""
    target: Any = scenario
    for name in path.split("."):
        target = getattr(target, name)
    return target


def with_value(scenario: Scenario, path: str, value: Any) -> Scenario:
    """A copy of ``scenario`` with the dotted ``path`` (e.g. "fleet.utilization") set."""
    copy = scenario.model_copy(deep=True)
    parent, _, name = path.rpartition(".")
    setattr(value_at(copy, parent) if parent else copy, name, value)
    return copy


# --- step 4: what a problem recommends, what the recommendation costs on it --------------------


def recommended_sites(
    problem: AllocationProblem | None, *, time_limit_s: float = 60.0
) -> frozenset[str] | None:
    """Site ids of the optimal allocation of ``problem`` (None if unsolved)."""
    if problem is None or problem.n_sites == 0:
        return None
    solution = solve(problem, time_limit_s=time_limit_s, mip_rel_gap=MIP_REL_GAP)
    if not solution.ok:
        return None
    return frozenset(str(s) for s in problem.site_ids[solution.blocks.sum(axis=1) > 0])


def fixed_blocks(problem: AllocationProblem, allocation: Allocation) -> np.ndarray | None:
    """(S, P) GPUs of ``allocation`` in blocks (the partial last block as a fraction) on the
    rows of ``problem``; None when a recommended site is not in the problem."""
    gpus = allocation.gpus
    if gpus is None:
        return None
    index = pd.Index(problem.site_ids.astype(str))
    if not set(map(str, gpus.index)) <= set(index):
        return None
    table = gpus.rename(index=str).reindex(index=index, columns=problem.phase_names)
    return table.fillna(0.0).to_numpy(float) / float(problem.block_gpus)


def allocation_cost_usd(problem: AllocationProblem, blocks: np.ndarray) -> float:
    """Net present cost of a fixed allocation on ``problem``, priced water and risk left out
    (they steer the allocation but are not cash), bridge rent and the carbon price included."""
    cash = (
        problem.block_cost_usd
        - _part(problem.block_water_price_usd)
        - _part(problem.block_risk_price_usd)
    )
    return float(problem.site_fixed_cost(blocks).sum() + (blocks * cash).sum())


def _name(metrics: pd.DataFrame, site: str) -> str:
    if "name" in metrics and site in metrics.index:
        return str(metrics.at[site, "name"])
    return str(site)
