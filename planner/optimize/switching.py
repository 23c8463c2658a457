"""Switching values: how far each main driver must move before the recommendation changes.

The recommendation is the set of sites of the optimal allocation. For each driver
(:mod:`planner.optimize.drivers`: carbon price, electricity price and time to power of each
recommended site, PUE, GPU capital, capital per MW, rent price, discount rate) the MILP is
re-solved with the driver moved: first at the end of a sensible range, then by bisection between
the base value and the first value that changes the set of sites, to about 1 % of the range
within a budget of solves.

Named steps:

1. :func:`planner.optimize.drivers.linear_drivers` and ``reevaluated_drivers`` - the drivers.
2. :func:`sites_at` - the recommended set of sites with a driver at a value.
3. :func:`search` - bisection in one direction; the first value with another set of sites.
4. :func:`switching_sentence` - the result in words.

:func:`switching_values` runs them all. Drivers that need a re-evaluation (time to power,
discount rate) are searched only when a ``reevaluate`` function is given (a run from the
scenario's own files; not a results file loaded back), on the leading sites.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.optimize.allocate import AllocationProblem
from planner.optimize.drivers import (
    Driver,
    Reevaluate,
    explanation_problem,
    leading_sites,
    linear_drivers,
    recommended_sites,
    reevaluated_drivers,
)
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

TOLERANCE = 0.01  # of the range
MAX_SOLVES = 12  # per driver and direction


def sites_at(
    problem: AllocationProblem, driver: Driver, value: float, *, time_limit_s: float = 60.0
) -> frozenset[str] | None:
    """Site ids of the optimal allocation with ``driver`` at ``value`` (None if unsolved)."""
    return recommended_sites(driver.problem_at(problem, value), time_limit_s=time_limit_s)


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
            f"{driver.words(low)} and {driver.words(high)}"
            if driver.unit != "x"
            else f"{low:.2f}× and {high:.2f}× its scenario value"
        )
        return f"The recommendation does not change with {driver.label} between {words}."
    verb = "rises above" if direction == "up" else "falls below"
    return f"The recommendation changes to {names} if {driver.label} {verb} " + (
        f"{driver.words(value)}."
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
    reevaluate: Reevaluate | None = None,
    also_consider: list[str] = (),
    time_limit_s: float = 60.0,
) -> list[dict[str, Any]]:
    """For each driver and direction, the value past which the recommended sites change.

    Parameters
    ----------
    reevaluate : callable, optional
        Re-evaluates sites (see :class:`planner.optimize.drivers.Reevaluate`); without it the
        time to power and the discount rate are not searched.
    also_consider : list of str
        Sites re-evaluated besides the recommended and cheapest ones (the alternatives).

    Returns
    -------
    list of dict
        ``{parameter, site_id, base, value, unit, direction, new_sites, sentence}``, one per
        driver and direction where the sites change; a driver (or direction) without change
        within its range has ``value`` null, ``new_sites`` empty and a sentence saying so
        (``direction`` null when neither direction changes). Empty for an infeasible
        allocation.
    """
    if not allocation.feasible or allocation.summary is None:
        return []
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    sites = [str(s) for s in allocation.summary.index]
    problem = explanation_problem(evaluation, scenario, feasible, [*sites, *also_consider])
    found = linear_drivers(evaluation, scenario, problem, sites)
    if reevaluate is not None:
        leading = leading_sites(evaluation, feasible, [*sites, *also_consider])
        found += reevaluated_drivers(evaluation, scenario, reevaluate, sites, leading)
    out: list[dict[str, Any]] = []
    for driver in found:
        out += _driver_rows(problem, driver, sites, evaluation.metrics, time_limit_s)
    return out


def _driver_rows(
    problem: AllocationProblem,
    driver: Driver,
    sites: list[str],
    metrics: pd.DataFrame,
    time_limit_s: float,
) -> list[dict[str, Any]]:
    """The switching values of one driver, down and up (see :func:`switching_values`)."""
    base_sites = frozenset(sites)
    if driver.rebuild is not None and sites_at(problem, driver, driver.base) != base_sites:
        return []  # the leading sites alone do not reproduce the recommendation
    row = {
        "parameter": driver.parameter,
        "site_id": driver.site_id,
        "base": driver.base,
        "unit": driver.unit,
    }
    out, unchanged = [], []
    for direction in ("down", "up"):
        end = driver.low if direction == "down" else driver.high
        if (end - driver.base) * (1 if direction == "up" else -1) <= 0:
            continue  # the base is at the range's end (a carbon price of 0)
        value, new, end = search(problem, driver, base_sites, direction, time_limit_s=time_limit_s)
        if value is None:
            unchanged.append((direction, end))
            continue
        ordered = sorted(new, key=lambda s: (s not in sites, s))
        sentence = switching_sentence(driver, direction, value, _names(metrics, ordered), end)
        out.append(
            {
                **row,
                "value": float(value),
                "direction": direction,
                "new_sites": ordered,
                "sentence": sentence,
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
