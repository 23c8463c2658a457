"""`planner evaluate SCENARIO [--sites FILE] [--json]`: every candidate site's metrics."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.options import emit_json, emit_table, json_option, scenario_path, sites_option

TABLE_COLUMNS = [
    ("site_id", "site", ""),
    ("name", "name", ""),
    ("country", "cc", ""),
    ("cooling_technology", "cooling", ""),
    ("pue_annual", "PUE", ".3f"),
    ("usd_per_gpu_hour", "USD/GPU-h", ".3f"),
    ("tco_musd", "TCO M USD", ",.0f"),
    ("cost_idle_musd", "idle M USD", ",.1f"),
    ("co2_market_kt", "kt CO2/yr", ",.1f"),
    ("water_kt", "kt water/yr", ",.1f"),
    ("latency_ms", "RTT ms", ".1f"),
    ("risk_score", "risk", ".2f"),
    ("ready_month", "ready", ".0f"),
]


@click.command()
@click.argument("scenario", required=False)
@sites_option
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=0,
    help="Show only the N cheapest sites in the table (0 = all; --json always has all).",
)
@json_option
def evaluate(scenario: str | None, sites_file: Path | None, top: int, as_json: bool) -> None:
    """Evaluate every candidate site of SCENARIO: cost, PUE, carbon, water, latency, risk.

    SCENARIO is a scenario file or a bundled example's name (default: the bundled example).
    The table is sorted by cost per delivered GPU-hour; --json prints every metric, the
    per-block costs the optimizer uses, round-trip times, provenance and warnings.
    """
    from planner.checks import check_scenario
    from planner.cli.cmd_optimize import TerminalBar
    from planner.evaluate import evaluate_sites
    from planner.scenario import load_scenario

    path = scenario_path(scenario)
    loaded = load_scenario(path)
    checked = check_scenario(loaded, file=path, sites_file=sites_file)
    bar = TerminalBar(enabled=not as_json)
    try:
        ev = evaluate_sites(loaded, sites_file=sites_file, progress=bar)
    finally:
        bar.close()
    # The site file's own warnings are already among the evaluation's (as in run_scenario).
    ev.warnings.extend(w for w in checked if w not in ev.warnings)
    for text in ev.warnings:
        click.echo(f"Warning: {text}", err=True)
    if as_json:
        emit_json(
            {
                "scenario": loaded.name,
                "sites": len(ev.metrics),
                "metrics": ev.metrics,
                "phase_block_cost_usd": ev.phase_block_cost_usd,
                "phase_block_co2_t": ev.phase_block_co2_t,
                "phase_block_water_m3": ev.phase_block_water_m3,
                "site_fixed_cost_usd": ev.site_fixed_cost_usd,
                "block_site_mw": ev.block_site_mw,
                "rtt_ms": ev.rtt_ms,
                "monthly": ev.monthly.set_index("site_id"),
                "provenance": ev.provenance.set_index("dataset"),
                "warnings": ev.warnings,
            }
        )
        return
    m = ev.metrics.sort_values("usd_per_gpu_hour", kind="stable")
    if top:
        m = m.head(top)
    rows = m.reset_index().to_dict(orient="records")
    for row in rows:
        row["tco_musd"] = row["tco_usd"] / 1e6
        row["cost_idle_musd"] = row["cost_idle_usd"] / 1e6
        row["co2_market_kt"] = row["co2_market_t_per_year"] / 1e3
        row["water_kt"] = row["water_m3_per_year"] / 1e3
    first = ev.metrics.iloc[0] if len(ev.metrics) else None
    click.echo(f"{loaded.name}: {len(ev.metrics)} site(s) evaluated")
    if first is not None:
        click.echo(
            f"Fleet: {loaded.fleet.total_gpus:,} GPUs, design IT {first['design_it_mw']:.1f} MW, "
            f"racks up to {first['rack_density_kw']:.0f} kW"
            + (" (liquid cooling required)" if first["liquid_required"] else "")
        )
    emit_table(rows, TABLE_COLUMNS)
