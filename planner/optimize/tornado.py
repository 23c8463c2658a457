"""Tornado: what each driver alone does to the recommendation's cost per delivered GPU-hour.

Each driver moves alone to its P10 and P90 (one-sigma spreads of
``scenario.analysis.uncertainty``, ``z = -/+ 1.2816``) while every other input stays at its
scenario value:

==================  ======================================  =================================
driver              low / high                              how
==================  ======================================  =================================
GPU capital         ``exp(-/+ z gpu_capital_sigma)``        block costs (linear)
time to power       ``-/+ z time_to_power_sigma_months``    re-evaluated, every leading site
capital per MW      ``exp(-/+ z capital_per_mw_sigma)``     block costs (linear)
utilization         ``-/+ z utilization_sigma`` (points)    re-evaluated
discount rate       ``-/+ z discount_rate_sigma`` (points)  re-evaluated
GPU rent            ``exp(-/+ z rent_sigma)``               block costs (linear)
electricity price   ``exp(-/+ z price_sigma)``, everywhere  block costs (linear)
PUE                 ``exp(-/+ z pue_sigma)``, every site    block costs (linear)
carbon price        ``-/+ z carbon_price_sigma_usd_per_t``  block costs (linear)
==================  ======================================  =================================

The bar is the recommended allocation's levelised cost (net present cost, bridge rent and
carbon price in, over the fleet's discounted delivered GPU-hours) with its sites and GPUs kept
fixed; each end also says which sites the allocation re-solved there recommends. Re-evaluated
drivers need a ``reevaluate`` function (a run from the scenario's files) and are left out
without one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.optimize.allocate import AllocationProblem
from planner.optimize.drivers import (
    Driver,
    Reevaluate,
    allocation_cost_usd,
    block_parts,
    explanation_problem,
    fixed_blocks,
    leading_sites,
    rebuilder,
    recommended_sites,
    value_at,
    with_value,
)
from planner.optimize.explain import phase_gpu_hours
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

P90_Z = 1.2815515655446004  # standard normal quantile at 0.9
COLUMNS = [
    "parameter",
    "label",
    "low_input",
    "high_input",
    "low",
    "high",
    "base",
    "sites_low",
    "sites_high",
]


def tornado_drivers(
    evaluation: Evaluation,
    scenario: Scenario,
    problem: AllocationProblem,
    reevaluate: Reevaluate | None,
    leading: list[str],
) -> list[tuple[Driver, float, float]]:
    """Each driver with its P10 and P90 values."""
    unc, z = scenario.analysis.uncertainty, P90_Z
    parts = block_parts(evaluation, scenario, problem)

    def factor(parameter: str, label: str, slope: np.ndarray, sigma: float):
        driver = Driver(parameter, label, 1.0, 0.0, np.inf, "x", slope=slope)
        return driver, float(np.exp(-z * sigma)), float(np.exp(z * sigma))

    carbon = float(scenario.objective.carbon_price_usd_per_t)
    spread = z * unc.carbon_price_sigma_usd_per_t
    out = [
        factor("gpu_capital_factor", "GPU capital", parts.gpu, unc.gpu_capital_sigma),
        factor("capital_per_mw_factor", "Capital per MW", parts.facility, unc.capital_per_mw_sigma),
        factor("rent_price_factor", "GPU rent", parts.rent, unc.rent_sigma),
        factor(
            "electricity_price_factor", "Electricity price", parts.market_energy, unc.price_sigma
        ),
        factor("pue_factor", "PUE", parts.energy + parts.carbon, unc.pue_sigma),
        (
            Driver(
                "carbon_price_usd_per_t",
                "Carbon price",
                carbon,
                0.0,
                np.inf,
                "USD/t",
                slope=parts.co2_discounted_t,
            ),
            max(0.0, carbon - spread),
            carbon + spread,
        ),
    ]
    if reevaluate is not None:
        out += _reevaluated(evaluation, scenario, reevaluate, leading)
    return out


def _reevaluated(
    evaluation: Evaluation, scenario: Scenario, reevaluate: Reevaluate, leading: list[str]
) -> list[tuple[Driver, float, float]]:
    """Time to power (every leading site), utilization and discount rate."""
    unc, z = scenario.analysis.uncertainty, P90_Z
    ttp = pd.to_numeric(
        evaluation.metrics["time_to_power_months"].reindex(leading), errors="coerce"
    ).fillna(0.0)

    def rebuild(changed=None, site_values=None):
        return rebuilder(scenario, reevaluate, leading, changed, site_values)

    def shifted(months: float) -> dict[str, dict[str, float]]:
        return {s: {"time_to_power_months": max(0.0, v + months)} for s, v in ttp.items()}

    def fraction(parameter: str, label: str, path: str, sigma: float, low: float, high: float):
        """A scenario share (utilization, discount rate) moved -/+ z sigma, kept in range."""
        base = float(value_at(scenario, path))
        rebuilt = rebuild(lambda v: with_value(scenario, path, v))
        driver = Driver(parameter, label, base, low, high, "fraction", rebuild=rebuilt)
        return driver, max(low, base - z * sigma), min(high, base + z * sigma)

    months = z * unc.time_to_power_sigma_months
    ttp_driver = Driver(
        "time_to_power_months",
        "Time to power",
        0.0,
        -np.inf,
        np.inf,
        "months",
        rebuild=rebuild(None, shifted),
    )
    return [
        (ttp_driver, -months, months),
        fraction(
            "utilization", "Utilization", "fleet.utilization", unc.utilization_sigma, 0.01, 1.0
        ),
        fraction(
            "discount_rate",
            "Discount rate",
            "scenario.discount_rate",
            unc.discount_rate_sigma,
            0.0,
            0.5,
        ),
    ]


def input_words(driver: Driver, value: float) -> str:
    """The input at a bar's end: "-18 %", "+8 months", "7.0 %", "36 USD/t"."""
    if driver.unit == "x":
        return f"{100 * (value - 1.0):+.0f} %"
    if driver.unit == "months":
        return f"{value:+.0f} months"
    return driver.words(value)


def levelised_at(
    problem: AllocationProblem,
    driver: Driver,
    value: float,
    allocation: Allocation,
    evaluation: Evaluation,
    scenario: Scenario,
    *,
    time_limit_s: float,
) -> tuple[float, str]:
    """The recommendation's USD per delivered GPU-hour with ``driver`` at ``value``, and the
    names of the sites the re-solved allocation recommends there."""
    if driver.rebuild is not None:
        trial, ev, changed = driver.rebuild(value)
    else:
        trial, ev, changed = driver.problem_at(problem, value), evaluation, scenario
    blocks = fixed_blocks(trial, allocation)
    hours = float(phase_gpu_hours(ev, changed).sum())
    cost = np.nan if blocks is None else allocation_cost_usd(trial, blocks) / hours
    sites = recommended_sites(trial, time_limit_s=time_limit_s)
    names = ", ".join(sorted(_name(evaluation.metrics, s) for s in sites)) if sites else ""
    return float(cost), names


def tornado(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series,
    allocation: Allocation,
    *,
    reevaluate: Reevaluate | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame | None:
    """One-at-a-time sensitivity of the recommendation's cost per delivered GPU-hour.

    Returns
    -------
    DataFrame or None
        One row per driver, largest swing first: ``parameter, label, low_input, high_input``
        (the driver at P10 / P90, in words), ``low, high, base`` (USD per delivered GPU-hour),
        ``sites_low, sites_high`` (the recommended sites, re-solved, at each end). None for an
        infeasible allocation.
    """
    if not allocation.feasible or allocation.summary is None or allocation.gpus is None:
        return None
    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    recommended = list(map(str, allocation.summary.index))
    problem = explanation_problem(evaluation, scenario, feasible, recommended)
    ours = fixed_blocks(problem, allocation)
    base = allocation_cost_usd(problem, ours) / float(phase_gpu_hours(evaluation, scenario).sum())
    leading = leading_sites(evaluation, feasible, recommended)
    rows: list[dict[str, Any]] = []
    for driver, low, high in tornado_drivers(evaluation, scenario, problem, reevaluate, leading):
        row = {"parameter": driver.parameter, "label": driver.label, "base": base}
        for end, value in (("low", low), ("high", high)):
            row[end], row[f"sites_{end}"] = levelised_at(
                problem,
                driver,
                value,
                allocation,
                evaluation,
                scenario,
                time_limit_s=time_limit_s,
            )
            row[f"{end}_input"] = input_words(driver, value)
        rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    swing = (table["high"] - table["low"]).abs().fillna(0.0).to_numpy()
    return table.iloc[np.argsort(-swing, kind="stable")].reset_index(drop=True)


def _name(metrics: pd.DataFrame, site: str) -> str:
    if "name" in metrics and site in metrics.index:
        return str(metrics.at[site, "name"])
    return str(site)
