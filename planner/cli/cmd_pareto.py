"""`planner pareto SCENARIO`: the cost / carbon (or water) trade-off of the fleet allocation."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.options import emit_json, emit_table, json_option, scenario_path, sites_option

EXIT_INFEASIBLE = 3


@click.command()
@click.argument("scenario", required=False)
@click.option(
    "--points",
    type=click.IntRange(min=2, max=200),
    default=None,
    help="Points on the front, end points included (default: the scenario's, else 10).",
)
@click.option(
    "--metric",
    type=click.Choice(["co2", "water"]),
    default="co2",
    show_default=True,
    help="Second objective traded against cost.",
)
@sites_option
@json_option
@click.pass_context
def pareto(
    ctx: click.Context,
    scenario: str | None,
    points: int | None,
    metric: str,
    sites_file: Path | None,
    as_json: bool,
) -> None:
    """Sweep the trade-off between net present cost and CO2 (or water) for SCENARIO.

    Each point is the cheapest allocation under a cap on CO2; the ends are the cheapest and the
    lowest-CO2 allocations. Exit code 3 when no allocation meets the scenario's rules.
    """
    from planner.checks import check_scenario
    from planner.cli.cmd_optimize import TerminalBar
    from planner.evaluate import evaluate_sites
    from planner.optimize.pareto import ParetoInfeasible, pareto_front
    from planner.progress import scaled
    from planner.scenario import load_scenario

    path = scenario_path(scenario)
    loaded = load_scenario(path)
    for text in check_scenario(loaded, file=path, sites_file=sites_file):
        click.echo(f"Warning: {text}", err=True)
    n_points = points or loaded.analysis.pareto_points or 10
    bar = TerminalBar(enabled=not as_json)
    try:
        evaluation = evaluate_sites(loaded, sites_file=sites_file, progress=scaled(bar, 0.0, 0.5))
        try:
            table, allocations = pareto_front(
                evaluation, loaded, points=n_points, metric=metric, progress=scaled(bar, 0.5, 1.0)
            )
        except ParetoInfeasible as exc:
            table, allocations, why = None, [], str(exc)
    finally:
        bar.close()
    if table is None:
        if as_json:
            emit_json(
                {"scenario": loaded.name, "status": "infeasible", "message": why, "points": []}
            )
        else:
            click.echo(f"{loaded.name}: no allocation meets the rules. {why}")
        ctx.exit(EXIT_INFEASIBLE)
    if as_json:
        emit_json(
            {
                "scenario": loaded.name,
                "status": "optimal",
                "metric": metric,
                "points": table,
                "allocations": [
                    {"point": int(p), "gpus": a}
                    for p, a in zip(table["point"], allocations, strict=True)
                ],
            }
        )
        return
    rows = table.to_dict(orient="records")
    for r in rows:
        r["cost_musd"] = r["cost_usd"] / 1e6
        r["co2_kt"] = r["co2_t"] / 1e3
        r["water_km3"] = r["water_m3"] / 1e3
    click.echo(
        f"{loaded.name}: {len(rows)} non-dominated allocations, cheapest first "
        f"(asked for {n_points})."
    )
    emit_table(
        rows,
        [
            ("point", "Point", "d"),
            ("cost_musd", "Cost (M USD)", ",.1f"),
            ("co2_kt", "CO2 (kt)", ",.1f"),
            ("water_km3", "Water (1000 m3)", ",.1f"),
            ("n_sites", "Sites", "d"),
            ("sites", "Where", ""),
        ],
    )
