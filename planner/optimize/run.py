"""One scenario end to end: evaluate, screen, rank, allocate, and the analyses it asks for."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from planner.optimize.drivers import Reevaluate
from planner.progress import ProgressCallback, report, scaled
from planner.results import Allocation, Evaluation, Results
from planner.scenario import Scenario


def optimize_evaluation(
    evaluation: Evaluation,
    scenario: Scenario,
    *,
    progress: ProgressCallback | None = None,
    time_limit_s: float = 60.0,
    reevaluate: Reevaluate | None = None,
    explain: bool = True,
) -> Results:
    """Everything after evaluation, from cached metrics.

    Screening, ranking and allocation always, with the allocation explained (build vs rent,
    yearly cash flows, Scope 2: :mod:`planner.optimize.explain`) and made a recommendation
    (alternatives, switching values and, with ``analysis.uncertainty.draws > 0``, its
    robustness: :mod:`planner.optimize.recommend`); the Pareto front when
    ``analysis.pareto_points > 0``; the weighted score's Monte Carlo when there are draws; the
    tornado when ``analysis.sensitivity``.

    Parameters
    ----------
    reevaluate : callable, optional
        Re-evaluates a few sites with a changed input (:class:`planner.optimize.drivers.
        Reevaluate`), for the drivers every present value depends on (time to power, discount
        rate, utilization). :func:`run_scenario` gives one; without it (a results file loaded
        back) those drivers are left out of the switching values and the tornado.
    explain : bool
        Make the allocation a recommendation (alternatives, switching values, robustness);
        False leaves ``recommendation`` None (a sweep's fast points: seconds each).
    """
    from planner import __version__
    from planner.optimize.allocate import allocate
    from planner.optimize.explain import explain_allocation
    from planner.optimize.rank import rank_sites
    from planner.optimize.recommend import recommend
    from planner.optimize.screen import screen_sites
    from planner.optimize.tornado import tornado

    report(progress, "Screening sites", 0.0)
    screen = screen_sites(evaluation, scenario)
    ranking = rank_sites(
        evaluation.metrics, screen, scenario.objective.weights, scenario.objective.cost_metric
    )
    report(progress, "Allocating the fleet", 0.05)
    allocation: Allocation = allocate(evaluation, scenario, screen, time_limit_s=time_limit_s)
    # Build vs rent, yearly cash and Scope 2 of the recommendation (None when infeasible).
    build_vs_rent, cash_flows, scope2 = explain_allocation(evaluation, scenario, allocation)
    # The allocation is the recommendation; alternatives, switching values and robustness.
    recommendation = (
        None
        if not explain
        else recommend(
            evaluation,
            scenario,
            screen,
            ranking,
            allocation,
            reevaluate=reevaluate,
            progress=scaled(progress, 0.1, 0.55),
            time_limit_s=time_limit_s,
        )
    )
    pareto, pareto_allocations = _pareto(
        evaluation, scenario, screen, allocation, scaled(progress, 0.55, 0.8), time_limit_s
    )
    uncertainty = _weighted_score_monte_carlo(
        evaluation, scenario, screen, scaled(progress, 0.8, 0.9)
    )
    report(progress, "Tornado", 0.9)
    sensitivity = None
    if scenario.analysis.sensitivity:
        sensitivity = tornado(
            evaluation,
            scenario,
            screen,
            allocation,
            reevaluate=reevaluate,
            time_limit_s=time_limit_s,
        )
    report(progress, "Done", 1.0)
    return Results(
        scenario=scenario,
        evaluation=evaluation,
        ranking=ranking,
        allocation=allocation,
        pareto=pareto,
        pareto_allocations=pareto_allocations,
        uncertainty=uncertainty,
        sensitivity=sensitivity,
        build_vs_rent=build_vs_rent,
        cash_flows=cash_flows,
        scope2=scope2,
        recommendation=recommendation,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
    )


def _pareto(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame,
    allocation: Allocation,
    progress: ProgressCallback | None,
    time_limit_s: float,
) -> tuple[pd.DataFrame | None, list[pd.DataFrame]]:
    """The cost/carbon Pareto front when the scenario asks for points (else None, [])."""
    from planner.optimize.pareto import ParetoInfeasible, pareto_front

    points = scenario.analysis.pareto_points
    if points <= 0 or not allocation.feasible:
        return None, []
    try:
        return pareto_front(
            evaluation,
            scenario,
            screen,
            points=points,
            time_limit_s=time_limit_s,
            progress=progress,
        )
    except ParetoInfeasible:
        return None, []


def _weighted_score_monte_carlo(
    evaluation: Evaluation,
    scenario: Scenario,
    screen: pd.DataFrame,
    progress: ProgressCallback | None,
) -> pd.DataFrame | None:
    """How often each site tops the weighted score (the screening view), with draws."""
    from planner.optimize.uncertainty import monte_carlo

    if scenario.analysis.uncertainty.draws <= 0 or not screen["feasible"].any():
        return None
    return monte_carlo(evaluation, scenario, screen["feasible"], progress=progress)


def scenario_reevaluator(scenario: Scenario, catalog: Any) -> Reevaluate:
    """A :class:`~planner.optimize.drivers.Reevaluate` on the catalog ``scenario`` ran on.

    Climate and cooling of a set of sites are kept for each scenario asked (a switching search
    on a site's time to power, a dozen trials, then re-runs only the money); any other site
    value, or another scenario (discount rate, utilization), prepares the sites again.
    """
    from planner.evaluate import evaluate_prepared, prepare_sites

    prepared: dict[tuple[str, tuple[str, ...]], Any] = {}

    def reevaluate(changed: Scenario, only_sites, site_values=None) -> Evaluation:
        values = dict(site_values or {})
        ttp = {
            s: v["time_to_power_months"]
            for s, v in values.items()
            if set(v) == {"time_to_power_months"}
        }
        if len(ttp) != len(values):  # other site values change the climate or cooling inputs
            return evaluate_prepared(
                changed, prepare_sites(changed, catalog, only_sites=only_sites, site_values=values)
            )
        key = (changed.model_dump_json(), tuple(only_sites))
        if key not in prepared:
            if len(prepared) >= 8:
                prepared.clear()  # bound the memory: a few leading-site sets at a time
            prepared[key] = prepare_sites(changed, catalog, only_sites=only_sites)
        return evaluate_prepared(changed, prepared[key], time_to_power_months=ttp)

    return reevaluate


def run_scenario(
    scenario: Scenario,
    *,
    catalog: Any = None,
    sites_file: str | Path | None = None,
    progress: ProgressCallback | None = None,
    scenario_file: str | Path | None = None,
) -> Results:
    """Evaluate every candidate site for ``scenario`` and optimise over them.

    First runs :func:`planner.checks.check_scenario` (files, codes, names), so bad input stops
    before any computing; its warnings join ``results.evaluation.warnings``.

    Parameters
    ----------
    scenario : Scenario
    catalog : Catalog, optional
        Data catalog (default: the scenario's files or the embedded one,
        :func:`planner.evaluate.scenario_catalog`).
    sites_file : path, optional
        A site file that replaces the scenario's candidate sites.
    progress : callable(label, fraction), optional
        Progress and cancellation (see :mod:`planner.progress`); evaluation takes the first
        half of the bar.
    scenario_file : path, optional
        The scenario's file, named in error messages.

    Raises
    ------
    InputError
        Bad input found by the checks or the evaluation, naming the file and the field.
    """
    from planner.checks import check_scenario
    from planner.evaluate import evaluate_sites, scenario_catalog

    report(progress, "Checking the scenario", 0.0)
    warnings = check_scenario(scenario, file=scenario_file, sites_file=sites_file, catalog=catalog)
    if catalog is None or sites_file is not None:
        catalog = scenario_catalog(scenario, sites_file)
    evaluation = evaluate_sites(scenario, catalog, progress=scaled(progress, 0.0, 0.5))
    # The site file's own warnings are already among the evaluation's.
    evaluation.warnings.extend(w for w in warnings if w not in evaluation.warnings)
    return optimize_evaluation(
        evaluation,
        scenario,
        progress=scaled(progress, 0.5, 1.0),
        reevaluate=scenario_reevaluator(scenario, catalog),
    )


def summary_row(results: Results, *, scenario_file: str = "", out_dir: str = "") -> dict[str, Any]:
    """One line of a batch summary table for a finished run."""
    alloc = results.allocation
    ranking = results.ranking
    top = ranking.index[0] if len(ranking) and bool(ranking["feasible"].iloc[0]) else ""
    summary = alloc.summary if alloc.summary is not None else pd.DataFrame()
    return {
        "scenario": results.scenario.name,
        "file": scenario_file,
        "status": alloc.status,
        "objective_usd": alloc.objective_usd,
        "sites": ", ".join(map(str, summary.index)),
        "n_sites": len(summary),
        "co2_t": float(summary["co2_t"].sum()) if "co2_t" in summary else None,
        "water_m3": float(summary["water_m3"].sum()) if "water_m3" in summary else None,
        "top_ranked": top,
        "feasible_sites": int(ranking["feasible"].sum()) if len(ranking) else 0,
        "out_dir": out_dir,
        "message": alloc.message,
    }
