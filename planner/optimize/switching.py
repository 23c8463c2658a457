"""Switching values: how far each main driver must move before the recommendation changes.

The recommendation is the set of sites of the optimal allocation. For each driver the
allocation's block costs are changed *linearly* in the driver's value, on the evaluation's
cached arrays (no re-evaluation), and the MILP is re-solved: first at the end of a sensible
range, then by bisection between the base value and the first value that changes the set of
sites, to about 1 % of the range within a budget of solves.

Named steps:

1. :func:`drivers` - each driver as a base value, a range and the slope of every block's cost.
2. :func:`sites_at` - the recommended set of sites with a driver at a value.
3. :func:`search` - bisection in one direction; the first value with another set of sites.
4. :func:`switching_sentence` - the result in words.

:func:`switching_values` runs them all. Left out because they need a re-evaluation: the time to
power of a site (its block costs depend on the month a block starts running there: energy,
carbon, capital charges, idle GPUs), the discount rate and the PUE (every present value).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from planner.optimize.allocate import AllocationProblem, build_problem, running_start_month, solve
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

CARBON_RANGE_USD_PER_T = (0.0, 1_000.0)
FACTOR_RANGE = (0.25, 4.0)
TOLERANCE = 0.01  # of the range
MAX_SOLVES = 12  # per driver and direction
# Tighter than allocate's 0.1 %: a near tie must not read as a change of recommendation.
MIP_REL_GAP = 1e-6
GPU_COMPONENTS = ("gpus", "idle")
FACILITY_COMPONENTS = ("shell", "electrical", "mechanical", "land", "grid")


@dataclass
class Driver:
    """One driver: block cost at value ``v`` is ``base cost + (v - base) x slope``."""

    parameter: str  # e.g. "carbon_price_usd_per_t", "electricity_price_factor"
    label: str  # in words, e.g. "the carbon price"
    base: float
    low: float
    high: float
    unit: str  # "USD/t" or "x" (a factor on the scenario's value)
    slope: np.ndarray  # (S, P) USD per block per unit of the value
    site_id: str | None = None


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


def _share(metrics: pd.DataFrame, ids: np.ndarray, parts: tuple[str, ...]) -> np.ndarray | None:
    """(S,) share of each site's ``tco_usd`` in ``cost_<part>_usd``; None without the columns.

    The evaluation does not split a block's cost into components, only the whole fleet's at
    each site, so a component's part of a block cost is taken as its share of the site's TCO.
    """
    columns = [f"cost_{p}_usd" for p in parts]
    if not {*columns, "tco_usd"} <= set(metrics.columns):
        return None
    sub = metrics.reindex(list(ids))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = sub[columns].sum(axis=1).to_numpy(float) / sub["tco_usd"].to_numpy(float)
    return np.nan_to_num(share, nan=0.0, posinf=0.0, neginf=0.0)


def drivers(
    evaluation: Evaluation, scenario: Scenario, problem: AllocationProblem, sites: list[str]
) -> list[Driver]:
    """The drivers searched: carbon price, electricity at each recommended site, GPU capital,
    capital per MW and the rent price (each that the evaluation's arrays allow)."""
    ids, metrics = problem.site_ids, evaluation.metrics
    own = (
        problem.block_cost_usd
        - _part(problem.block_delay_usd)
        - _part(problem.block_water_price_usd)
        - _part(problem.block_risk_price_usd)
    )  # the evaluation's block cost, carbon included
    out = [
        Driver(
            "carbon_price_usd_per_t",
            "the carbon price",
            float(scenario.objective.carbon_price_usd_per_t),
            CARBON_RANGE_USD_PER_T[0],
            max(CARBON_RANGE_USD_PER_T[1], float(scenario.objective.carbon_price_usd_per_t)),
            "USD/t",
            np.where(problem.allowed, discounted_co2_t(evaluation, scenario, ids), 0.0),
        )
    ]
    energy = _share(metrics, ids, ("energy",))
    for site in sites if energy is not None else []:
        on_site = (ids == site)[:, None]
        out.append(
            Driver(
                "electricity_price_factor",
                f"the electricity price at {_name(metrics, site)}",
                1.0,
                *FACTOR_RANGE,
                "x",
                np.where(on_site, energy[:, None] * own, 0.0),
                site_id=site,
            )
        )
    for parameter, label, parts in (
        ("gpu_capital_factor", "GPU capital", GPU_COMPONENTS),
        ("capital_per_mw_factor", "facility capital per MW", FACILITY_COMPONENTS),
    ):
        share = _share(metrics, ids, parts)
        if share is not None:
            out.append(Driver(parameter, label, 1.0, *FACTOR_RANGE, "x", share[:, None] * own))
    delay = _part(problem.block_delay_usd)
    if np.any(delay > 0):  # no site waits for power: the rent cannot matter
        out.append(
            Driver("rent_price_factor", "the GPU rent price", 1.0, *FACTOR_RANGE, "x", delay)
        )
    return out


def _part(values: np.ndarray | None) -> np.ndarray | float:
    return 0.0 if values is None else values


def sites_at(
    problem: AllocationProblem, driver: Driver, value: float, *, time_limit_s: float = 60.0
) -> frozenset[str] | None:
    """Site ids of the optimal allocation with ``driver`` at ``value`` (None if unsolved)."""
    cost = problem.block_cost_usd + (value - driver.base) * driver.slope
    trial = replace(problem, block_cost_usd=np.where(problem.allowed, cost, 0.0))
    solution = solve(trial, time_limit_s=time_limit_s, mip_rel_gap=MIP_REL_GAP)
    if not solution.ok:
        return None
    return frozenset(str(s) for s in problem.site_ids[solution.blocks.sum(axis=1) > 0])


def search(
    problem: AllocationProblem,
    driver: Driver,
    base_sites: frozenset[str],
    direction: str,
    *,
    time_limit_s: float = 60.0,
) -> tuple[float | None, frozenset[str] | None, float]:
    """First value in ``direction`` that changes the sites (bisection, :data:`MAX_SOLVES`).

    Stops when the bracket is within ``TOLERANCE`` of the range, or of the distance from the
    base when that is smaller.

    Returns
    -------
    value, new_sites, end : float or None, frozenset or None, float
        None, None when nothing changes up to the range's ``end``. ``value`` is a value
        actually solved, with ``new_sites`` its sites: past it the recommendation changes.
    """
    end = driver.high if direction == "up" else driver.low
    new = sites_at(problem, driver, end, time_limit_s=time_limit_s)
    if new is None or new == base_sites:
        return None, None, end
    same, changed, solves = driver.base, end, 1
    # 1 % of the range, or of the distance moved when the switch lies close to the base.
    while solves < MAX_SOLVES and abs(changed - same) > TOLERANCE * min(
        driver.high - driver.low, abs(changed - driver.base)
    ):
        middle = 0.5 * (same + changed)
        found = sites_at(problem, driver, middle, time_limit_s=time_limit_s)
        solves += 1
        if found is None or found == base_sites:
            same = middle
        else:
            changed, new = middle, found
    return changed, new, end


def _value_words(driver: Driver, value: float) -> str:
    if driver.unit == "USD/t":
        return f"{value:,.0f} USD/t"
    return f"{value:.2f}× its scenario value"


def switching_sentence(
    driver: Driver, direction: str | None, value: float | None, names: str, end: float
) -> str:
    """ "The recommendation changes to X if the carbon price falls below 85 USD/t." or, with
    no change, "The recommendation does not change with the carbon price between 0 and 1,000
    USD/t."."""
    if value is None:
        low, high = (
            (min(driver.base, end), max(driver.base, end))
            if direction
            else (driver.low, driver.high)
        )
        words = (
            f"{low:,.0f} and {high:,.0f} USD/t"
            if driver.unit == "USD/t"
            else (f"{low:.2f}× and {high:.2f}× its scenario value")
        )
        return f"The recommendation does not change with {driver.label} between {words}."
    verb = "rises above" if direction == "up" else "falls below"
    return f"The recommendation changes to {names} if {driver.label} {verb} " + (
        f"{_value_words(driver, value)}."
    )


def _name(metrics: pd.DataFrame, site: str) -> str:
    if "name" in metrics and site in metrics.index:
        return str(metrics.at[site, "name"])
    return str(site)


def _names(metrics: pd.DataFrame, sites: list[str]) -> str:
    names = [_name(metrics, s) for s in sites]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def switching_values(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series,
    allocation: Allocation,
    *,
    time_limit_s: float = 60.0,
) -> list[dict[str, Any]]:
    """For each driver and direction, the value past which the recommended sites change.

    Returns
    -------
    list of dict
        ``{parameter, site_id, base, value, direction, new_sites, sentence}``, one per driver
        and direction where the sites change; a driver (or direction) without change within
        its range has ``value`` null, ``new_sites`` empty and a sentence saying so (``direction``
        null when neither direction changes). Empty for an infeasible allocation.
    """
    if not allocation.feasible or allocation.summary is None:
        return []
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    problem = build_problem(evaluation, scenario, feasible)
    sites = [str(s) for s in allocation.summary.index]
    base_sites, metrics = frozenset(sites), evaluation.metrics
    out: list[dict[str, Any]] = []
    for driver in drivers(evaluation, scenario, problem, sites):
        row = {"parameter": driver.parameter, "site_id": driver.site_id, "base": driver.base}
        unchanged = []
        for direction in ("down", "up"):
            end = driver.low if direction == "down" else driver.high
            if (end - driver.base) * (1 if direction == "up" else -1) <= 0:
                continue  # the base is at the range's end (a carbon price of 0)
            value, new, end = search(
                problem, driver, base_sites, direction, time_limit_s=time_limit_s
            )
            if value is None:
                unchanged.append((direction, end))
                continue
            ordered = sorted(new, key=lambda s: (s not in sites, s))
            out.append(
                {
                    **row,
                    "value": float(value),
                    "direction": direction,
                    "new_sites": ordered,
                    "sentence": switching_sentence(
                        driver, direction, value, _names(metrics, ordered), end
                    ),
                }
            )
        if unchanged:
            direction, end = unchanged[0] if len(unchanged) == 1 else (None, driver.high)
            out.append(
                {
                    **row,
                    "value": None,
                    "direction": direction,
                    "new_sites": [],
                    "sentence": switching_sentence(driver, direction, None, "", end),
                }
            )
    return out
