"""One scenario end to end: evaluate, screen, rank, allocate, and the analyses it asks for."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from planner.progress import ProgressCallback, report, scaled
from planner.results import Allocation, Evaluation, Results
from planner.scenario import Scenario


def optimize_evaluation(
    evaluation: Evaluation,
    scenario: Scenario,
    *,
    progress: ProgressCallback | None = None,
    time_limit_s: float = 60.0,
) -> Results:
    """Everything after evaluation, from cached metrics (no re-evaluation).

    Screening, ranking and allocation always, with the allocation explained (build vs rent,
    yearly cash flows, Scope 2: :mod:`planner.optimize.explain`); the Pareto front when
    ``scenario.analysis.pareto_points > 0``; Monte Carlo when ``analysis.uncertainty.draws > 0``;
    the tornado table when ``analysis.sensitivity``.
    """
    from planner import __version__
    from planner.optimize.allocate import allocate
    from planner.optimize.explain import explain_allocation, recommend
    from planner.optimize.pareto import ParetoInfeasible, pareto_front
    from planner.optimize.rank import rank_sites
    from planner.optimize.screen import screen_sites
    from planner.optimize.uncertainty import monte_carlo, sensitivity

    analysis = scenario.analysis
    report(progress, "Screening sites", 0.0)
    screen = screen_sites(evaluation, scenario)
    ranking = rank_sites(
        evaluation.metrics, screen, scenario.objective.weights, scenario.objective.cost_metric
    )
    report(progress, "Allocating the fleet", 0.05)
    allocation: Allocation = allocate(evaluation, scenario, screen, time_limit_s=time_limit_s)
    # Build vs rent, yearly cash and Scope 2 of the recommendation (None when infeasible).
    build_vs_rent, cash_flows, scope2 = explain_allocation(evaluation, scenario, allocation)
    # The allocation is the recommendation; its alternatives are solved on the same basis.
    recommendation = recommend(
        evaluation, scenario, screen, ranking, allocation, time_limit_s=time_limit_s
    )

    pareto, pareto_allocations = None, []
    if analysis.pareto_points > 0 and allocation.feasible:
        try:
            pareto, pareto_allocations = pareto_front(
                evaluation,
                scenario,
                screen,
                points=analysis.pareto_points,
                time_limit_s=time_limit_s,
                progress=scaled(progress, 0.2, 0.7),
            )
        except ParetoInfeasible:
            pareto = None
    uncertainty = None
    if analysis.uncertainty.draws > 0 and screen["feasible"].any():
        uncertainty = monte_carlo(
            evaluation, scenario, screen["feasible"], progress=scaled(progress, 0.7, 0.95)
        )
    tornado = None
    if analysis.sensitivity and screen["feasible"].any():
        share = allocation.summary["share"] if allocation.summary is not None else None
        tornado = sensitivity(evaluation, scenario, screen["feasible"], share)
    report(progress, "Done", 1.0)
    return Results(
        scenario=scenario,
        evaluation=evaluation,
        ranking=ranking,
        allocation=allocation,
        pareto=pareto,
        pareto_allocations=pareto_allocations,
        uncertainty=uncertainty,
        sensitivity=tornado,
        build_vs_rent=build_vs_rent,
        cash_flows=cash_flows,
        scope2=scope2,
        recommendation=recommendation,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
    )


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
        Data catalog (default: the embedded one, loaded by the evaluation).
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
    from planner.evaluate import evaluate_sites

    report(progress, "Checking the scenario", 0.0)
    warnings = check_scenario(scenario, file=scenario_file, sites_file=sites_file, catalog=catalog)
    evaluation = evaluate_sites(
        scenario, catalog, sites_file=sites_file, progress=scaled(progress, 0.0, 0.5)
    )
    # The site file's own warnings are already among the evaluation's.
    evaluation.warnings.extend(w for w in warnings if w not in evaluation.warnings)
    return optimize_evaluation(evaluation, scenario, progress=scaled(progress, 0.5, 1.0))


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
