"""The recommendation: the allocation, what it minimised, why, its alternatives, how far
each driver may move before it changes, and how sure it is.

Named steps:

1. :func:`objective_words` - what the allocation minimised, in words.
2. :func:`alternative_requests` - which alternatives to solve: the top weighted-score site
   alone, the allocation without each recommended site, the three cheapest sites alone.
3. :func:`solve_alternatives` - each one solved by the same MILP and rules
   (:func:`planner.optimize.allocate.allocate` with ``exclude`` / ``only``).
4. :func:`compare_alternative` - cost, CO2 and water deltas and a sentence.
5. :func:`why_sentence` - what makes the recommendation cheapest.
6. :func:`planner.optimize.switching.switching_values` - how far each main driver must move
   before the recommended sites change.
7. :func:`planner.optimize.robustness.robustness` - Monte Carlo draws that re-solve it.

:func:`recommend` runs them all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.labels import ROLES
from planner.optimize.drivers import Reevaluate
from planner.optimize.explain import musd
from planner.progress import ProgressCallback, report, scaled
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

LEADING_BY_COST = 3


def objective_words(scenario: Scenario, evaluation: Evaluation) -> str:
    """What the allocation minimises, e.g. "net present cost + carbon at 100 USD/t + ..."."""
    objective = scenario.objective
    metrics = evaluation.metrics
    # As planner.optimize.allocate.water_stress_factor: without stress data, 1 per m3.
    weighted = "water_weighted_m3_per_year" in metrics or "water_stress" in metrics
    basis = "stress-weighted" if weighted else "unweighted"
    return (
        f"net present cost + carbon at {objective.carbon_price_usd_per_t:g} USD/t"
        f" + water at {objective.water_price_usd_per_m3:g} USD/m³ ({basis})"
        f" + risk at {objective.risk_price_usd_per_mw_year:g} USD per MW-year at risk score 1"
    )


def alternative_requests(
    ranking: pd.DataFrame, allocation: Allocation, single_site_cost_usd: pd.Series
) -> list[tuple[str, str]]:
    """``(role, site_id)`` pairs to solve, each site at most once per kind of restriction.

    ``top_weighted_score`` and ``single_site`` mean the site alone (``only``), ``without`` the
    best allocation without it (``exclude``). ``single_site_cost_usd``: each feasible site's
    objective for the whole fleet, ignoring capacity (what "leading by cost" sorts on). A
    one-site recommendation is not repeated as an alternative.
    """
    out: list[tuple[str, str]] = []
    feasible = ranking[ranking["feasible"].astype(bool)] if "feasible" in ranking else ranking
    if len(feasible):
        out.append(("top_weighted_score", str(feasible.index[0])))
    out += [("without", str(s)) for s in allocation.summary.index]
    alone = {site for role, site in out if role != "without"}
    if len(allocation.summary) == 1:  # the recommendation is already that site alone
        alone.add(str(allocation.summary.index[0]))
    cheapest = single_site_cost_usd[np.isfinite(single_site_cost_usd)].sort_values(kind="stable")
    for site in cheapest.index[:LEADING_BY_COST]:
        if str(site) not in alone:
            out.append(("single_site", str(site)))
    return out


def single_site_cost_usd(evaluation: Evaluation, scenario: Scenario, screen) -> pd.Series:
    """Objective of the whole fleet at each feasible site alone, ignoring its capacity (USD).

    Fixed cost for the first phase by start month plus every phase's blocks at their cost
    (partial last blocks pro rata); infinite where some phase never gets power there.
    """
    from planner.optimize.allocate import build_problem

    feasible = screen["feasible"] if isinstance(screen, pd.DataFrame) else screen
    problem = build_problem(evaluation, scenario, feasible)
    first = problem.phase_order()[0]
    blocks = problem.phase_gpus / problem.block_gpus
    cost = problem.fixed_by_phase()[:, first] + (problem.block_cost_usd * blocks).sum(axis=1)
    cost = np.where(problem.allowed.all(axis=1), cost, np.inf)
    return pd.Series(cost, index=pd.Index(problem.site_ids, name="site_id"))


def solve_alternatives(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series,
    requests: list[tuple[str, str]],
    *,
    time_limit_s: float = 60.0,
) -> list[tuple[str, str, Allocation]]:
    """Each request solved by the same MILP, rules and prices as the recommendation."""
    from planner.optimize.allocate import allocate

    out = []
    for role, site in requests:
        restrict = {"exclude": [site]} if role == "without" else {"only": [site]}
        alt = allocate(evaluation, scenario, screen, time_limit_s=time_limit_s, **restrict)
        out.append((role, site, alt))
    return out


def _totals(allocation: Allocation) -> tuple[float, float, float]:
    """Objective (USD), CO2 (t) and water (m3) of a feasible allocation."""
    summary = allocation.summary
    return (
        float(allocation.objective_usd or 0.0),
        float(summary["co2_t"].sum()),
        float(summary["water_m3"].sum()),
    )


def _more_or_less(ours: float, theirs: float, what: str) -> str:
    """'96 % less CO₂' / '12 % more water' / 'the same water' (theirs against ours)."""
    if ours == 0:
        return f"the same {what}" if theirs == 0 else f"{theirs:,.0f} more {what}"
    change = (theirs - ours) / ours
    if abs(change) < 0.005:
        return f"the same {what}"
    return f"{abs(change):.0%} {'more' if change > 0 else 'less'} {what}".replace("%", " %")


def _short_reason(message: str) -> str:
    """First reason of an infeasible allocation's message, as a phrase."""
    text = message.split(": ", 1)[1] if message.startswith("No allocation") else message
    text = text.split("; ")[0].rstrip(".").strip() or "no allocation meets every rule"
    return text[0].lower() + text[1:]


def compare_alternative(
    recommendation: Allocation, role: str, site: str, name: str, alternative: Allocation
) -> dict[str, Any]:
    """One alternative against the recommendation: deltas (alternative - recommendation)."""
    label = ROLES[role].format(name=name)
    row: dict[str, Any] = {"site_id": site, "name": name, "role": role}
    if not alternative.feasible or alternative.summary is None:
        why = _short_reason(alternative.message)
        none = dict.fromkeys(("cost_usd", "delta_cost_usd", "delta_co2_t", "delta_water_m3"))
        return {**row, **none, "sites": [], "sentence": f"{label}: infeasible ({why})."}
    cost, co2, water = _totals(recommendation)
    alt_cost, alt_co2, alt_water = _totals(alternative)
    delta = alt_cost - cost
    sentence = (
        f"{label}: {'+' if delta >= 0 else '-'}{musd(abs(delta))} "
        f"({'+' if delta >= 0 else '-'}{abs(delta) / cost:.1%}".replace("%", " %")
        + f"), {_more_or_less(co2, alt_co2, 'CO₂')}, {_more_or_less(water, alt_water, 'water')}."
    )
    if set(alternative.summary.index) == set(recommendation.summary.index) and abs(delta) < 1:
        sentence = f"{label}: the recommendation itself."
    return {
        **row,
        "cost_usd": alt_cost,
        "delta_cost_usd": delta,
        "delta_co2_t": alt_co2 - co2,
        "delta_water_m3": alt_water - water,
        "sites": [str(s) for s in alternative.summary.index],
        "sentence": sentence,
    }


def why_sentence(
    evaluation: Evaluation, scenario: Scenario, allocation: Allocation, runner_up: dict | None
) -> str:
    """One or two sentences: cost per GPU-hour against the runner-up, power timing, carbon."""
    summary, metrics = allocation.summary, evaluation.metrics
    main = summary.index[0]  # the site holding the most GPUs
    names = _names(summary)
    rate = _usd_per_gpu_hour(metrics, main)
    first = f"{names} {'is' if len(summary) == 1 else 'are'} the cheapest allocation"
    if rate is not None:
        where = "" if len(summary) == 1 else f"; {_name(metrics, main)} runs"
        first += f"{where} at {rate:.2f} USD per GPU-hour"
    if runner_up is not None:
        # Compare with a site the recommendation does not use (the runner-up may share some).
        others = [s for s in runner_up["sites"] if s not in summary.index]
        other_rate = _usd_per_gpu_hour(metrics, others[0]) if others else None
        if rate is not None and other_rate is not None:
            first += f", against {other_rate:.2f} at {_name(metrics, others[0])}"
        label = ROLES[runner_up["role"]].format(name=runner_up["name"])
        label = label.replace("Without", "without")  # never lower-case a site's name
        first += f" (the runner-up, {label}, +{musd(runner_up['delta_cost_usd'])})"
    bridge = float(summary["delay_rent_usd"].sum()) if "delay_rent_usd" in summary else 0.0
    ready = None
    if "ready_month" in metrics:
        ready = pd.to_numeric(metrics["ready_month"].reindex(summary.index), errors="coerce")
    start = min(p.start_month for p in scenario.fleet.phases)
    if bridge > 0:
        second = f"It rents {musd(bridge)} of GPU-hours until power arrives"
    elif ready is not None and ready.notna().all():
        second = f"Its power is ready by month {int(ready.max())}, with no rent while waiting"
        if int(ready.max()) <= start:
            second = "Its power is ready when the fleet starts, with no rent while waiting"
    else:
        second = ""
    price = scenario.objective.carbon_price_usd_per_t
    if price > 0:
        co2 = float(summary["co2_t"].sum())
        clause = f"carbon at {price:g} USD/t prices its {co2:,.0f} t of CO₂"
        second = f"{second}; {clause}" if second else clause[0].upper() + clause[1:]
    return f"{first}." + (f" {second}." if second else "")


def _names(summary: pd.DataFrame) -> str:
    names = (
        [str(n) for n in summary["name"]] if "name" in summary else list(map(str, summary.index))
    )
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _name(metrics: pd.DataFrame, site: str) -> str:
    if "name" in metrics and site in metrics.index:
        return str(metrics.at[site, "name"])
    return str(site)


def _usd_per_gpu_hour(metrics: pd.DataFrame, site: str) -> float | None:
    if "usd_per_gpu_hour" not in metrics or site not in metrics.index:
        return None
    value = pd.to_numeric(pd.Series([metrics.at[site, "usd_per_gpu_hour"]]), errors="coerce")[0]
    return float(value) if np.isfinite(value) else None


def recommend(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame | pd.Series,
    ranking: pd.DataFrame,
    allocation: Allocation,
    *,
    reevaluate: Reevaluate | None = None,
    progress: ProgressCallback | None = None,
    time_limit_s: float = 60.0,
) -> dict[str, Any] | None:
    """The recommendation: the allocation, what it minimised, why, and what could change it.

    Parameters
    ----------
    reevaluate : callable, optional
        Re-evaluates a few sites with a changed input (see
        :class:`planner.optimize.drivers.Reevaluate`); without it the switching values of time
        to power and the discount rate are left out.

    Returns
    -------
    dict or None
        ``{objective, sites[{site_id, name, gpus, share}], why, alternatives[{site_id, name,
        role, cost_usd, delta_cost_usd, delta_co2_t, delta_water_m3, sites, sentence}],
        switching_values[{parameter, site_id, base, value, unit, direction, new_sites,
        sentence}], robustness}`` (``robustness``: :func:`planner.optimize.robustness.robustness`,
        None without Monte Carlo draws); None when the allocation is infeasible.
    """
    from planner.optimize.robustness import robustness
    from planner.optimize.switching import switching_values

    if not allocation.feasible or allocation.summary is None:
        return None
    requests = alternative_requests(
        ranking, allocation, single_site_cost_usd(evaluation, scenario, screen)
    )
    solved = solve_alternatives(evaluation, scenario, screen, requests, time_limit_s=time_limit_s)
    alternatives = [
        compare_alternative(allocation, role, site, _name(evaluation.metrics, site), alt)
        for role, site, alt in solved
    ]
    rivals = [a for a in alternatives if a["cost_usd"] is not None and a["delta_cost_usd"] > 0]
    runner_up = min(rivals, key=lambda a: a["delta_cost_usd"], default=None)
    report(progress, "Switching values", 0.1)
    switching = switching_values(
        evaluation,
        scenario,
        screen,
        allocation,
        reevaluate=reevaluate,
        also_consider=[s for a in alternatives for s in a.get("sites") or []],
        time_limit_s=time_limit_s,
    )
    confidence = robustness(
        evaluation,
        scenario,
        screen,
        allocation,
        progress=scaled(progress, 0.5, 1.0),
        time_limit_s=time_limit_s,
    )
    return {
        "objective": objective_words(scenario, evaluation),
        "sites": _site_rows(allocation.summary),
        "why": why_sentence(evaluation, scenario, allocation, runner_up),
        "alternatives": alternatives,
        "switching_values": switching,
        "robustness": confidence,
    }


def _site_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    names = summary["name"] if "name" in summary else pd.Series(summary.index, summary.index)
    return [
        {
            "site_id": str(s),
            "name": str(names[s]),
            "gpus": float(summary.at[s, "gpus"]),
            "share": float(summary.at[s, "share"]),
        }
        for s in summary.index
    ]
