"""`planner optimize [SCENARIO...]`: evaluate, rank, allocate and write the results."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click

from planner.cli.options import emit_json, emit_table, json_option, scenario_path, sites_option

EXIT_INFEASIBLE = 3


class TerminalBar:
    """A one-line progress bar on stderr (a progress callback); silent off a terminal."""

    def __init__(self, enabled: bool = True, width: int = 28) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.width = width
        self._last = 0.0
        self._shown = False

    def __call__(self, label: str, fraction: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        filled = int(round(self.width * fraction))
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {fraction:4.0%} {label[:40]:<40}")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r" + " " * (self.width + 48) + "\r")
            sys.stderr.flush()
            self._shown = False


@click.command()
@click.argument("scenarios", nargs=-1)
@sites_option
@click.option(
    "--out",
    "out_root",
    type=click.Path(path_type=Path),
    default=Path("results"),
    show_default=True,
    help="Folder that receives one sub-folder of results per scenario.",
)
@click.option(
    "--format",
    "formats",
    default="pdf,html,csv,xlsx,geojson",
    show_default=True,
    help="Output formats besides results.json: csv, xlsx, geojson, gpkg, html, pdf.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for several scenarios (default: one per CPU).",
)
@click.option("--overwrite", is_flag=True, help="Replace results that already exist.")
@json_option
@click.pass_context
def optimize(
    ctx: click.Context,
    scenarios: tuple[str, ...],
    sites_file: Path | None,
    out_root: Path,
    formats: str,
    workers: int | None,
    overwrite: bool,
    as_json: bool,
) -> None:
    """Find the best sites and split of the fleet for each SCENARIO.

    SCENARIO is a scenario file, a folder of them, or a bundled example's name; with none, the
    bundled example runs. Each scenario's results go to OUT/<scenario file name>/: results.json
    plus the formats asked for, the folder built whole and swapped in at the end. Several
    scenarios run in parallel and OUT/summary.csv lists each one's outcome; one failing
    scenario stops no other. Exit code 3 when a scenario has no allocation that meets its
    rules; for a batch, the worst outcome: 1 (internal error) > 2 (bad input) > 3 > 0.
    """
    from planner.inputs import check_regular_file
    from planner.optimize.batch import check_writable, plan_jobs, scenario_files
    from planner.outputs import FolderLock
    from planner.report import parse_formats
    from planner.scenario import load_scenario

    wanted = [f for f in formats.split(",") if f.strip().lower() != "json"]
    fmt = parse_formats(wanted) if wanted else []
    files = scenario_files([scenario_path(s) for s in scenarios] or [scenario_path(None)])
    batch = len(files) > 1
    if not batch:
        load_scenario(files[0])  # fail fast, before any work, on a file that does not validate
    if sites_file is not None:
        check_regular_file(sites_file, what="site")
    jobs = plan_jobs(files, out_root, fmt, sites_file=sites_file)
    new_folder = not out_root.exists()
    check_writable(out_root, jobs, overwrite=overwrite, summary=batch)
    debug = bool((ctx.find_root().obj or {}).get("debug"))
    try:
        with FolderLock(out_root):
            if not batch:
                code = _run_single(jobs[0], as_json)
            else:
                code = _run_many(jobs, out_root, workers, as_json, debug=debug)
    except BaseException:
        # A run stopped before writing anything leaves no empty --out folder it made itself.
        if new_folder:
            with contextlib.suppress(OSError):
                out_root.rmdir()  # only if still empty
        raise
    if code:
        ctx.exit(code)


def _run_single(job: Any, as_json: bool) -> int:
    from planner.optimize.batch import run_json, write_results
    from planner.optimize.run import run_scenario
    from planner.scenario import load_scenario

    bar = TerminalBar(enabled=not as_json)
    try:
        scenario = load_scenario(job.scenario_file)
        results = run_scenario(
            scenario, sites_file=job.sites_file, progress=bar, scenario_file=job.scenario_file
        )
    finally:
        bar.close()
    # Defaults applied to the user's data (region by nearest centre, climate from a site 900 km
    # away...) change the answer: say them where a person or a log will see them.
    for text in results.evaluation.warnings:
        click.echo(f"Warning: {text}", err=True)
    files = write_results(results, job.out_dir, job.formats)
    doc = run_json(results, job, [str(f) for f in files])
    doc["outcome"] = "ok" if results.allocation.feasible else "infeasible"
    if as_json:
        emit_json(doc)
    else:
        _print_run(results, job.out_dir, files)
    # "error" (the solver found nothing within its time limit) is also "no allocation": exit 3.
    return 0 if results.allocation.feasible else EXIT_INFEASIBLE


def _run_many(
    jobs: list[Any], out_root: Path, workers: int | None, as_json: bool, *, debug: bool = False
) -> int:
    from planner.optimize.batch import batch_exit_code, error_line, run_batch, write_summary

    bar = TerminalBar(enabled=not as_json)
    bar("Running scenarios", 0.0)

    def on_done(done: int, total: int, outcome: dict[str, Any]) -> None:
        bar(f"{done} of {total} scenarios done", done / total)

    try:
        outcomes = run_batch(jobs, workers=workers, on_done=on_done)
    finally:
        bar.close()
    summary = write_summary(out_root, outcomes)
    rows = [o["row"] for o in outcomes]
    if as_json:
        emit_json(
            {
                "summary_file": str(summary),
                "summary": rows,
                "runs": [o["json"] for o in outcomes],
            }
        )
    else:
        emit_table(
            rows,
            [
                ("scenario", "Scenario", ""),
                ("outcome", "Outcome", ""),
                ("status", "Status", ""),
                ("n_sites", "Sites", "d"),
                ("objective_usd", "Cost (USD)", ",.0f"),
                ("sites", "Where", ""),
                ("out_dir", "Results", ""),
            ],
        )
        click.echo(f"Summary: {summary}")
    for o in outcomes:
        if o["error"]:
            click.echo(error_line(o), err=True)
            if debug and o.get("traceback"):
                click.echo(o["traceback"], err=True)
    return batch_exit_code(outcomes)


def _print_run(results: Any, out_dir: Path, files: list[Path]) -> None:
    """The answer first (recommendation, its cost and confidence), then the screening view."""
    alloc = results.allocation
    click.echo(f"{results.scenario.name}: {alloc.status}.")
    click.echo(alloc.message)
    _print_allocation(alloc)
    _print_recommendation(results)
    _print_weighted_score(results.ranking)
    click.echo(f"\nWrote {len(files)} file{'s' if len(files) != 1 else ''} to {out_dir}.")


def _print_allocation(alloc: Any) -> None:
    if alloc.summary is None or not len(alloc.summary):
        return
    rows = alloc.summary.reset_index().to_dict(orient="records")
    for r in rows:
        r["cost_musd"] = r["cost_usd"] / 1e6
    click.echo("")
    emit_table(
        rows,
        [
            ("site_id", "Site", ""),
            ("name", "Name", ""),
            ("gpus", "GPUs", ",d"),
            ("share", "Share", ".0%"),
            ("facility_mw", "MW", ",.1f"),
            ("cost_musd", "Cost (M USD, NPV)", ",.1f"),
            ("co2_t", "CO2 (t, horizon)", ",.0f"),
            ("water_m3", "Water (m3, horizon)", ",.0f"),
        ],
    )
    if alloc.binding:
        click.echo("At their limit: " + "; ".join(alloc.binding) + ".")


SWITCHES_SHOWN = 4


def _print_recommendation(results: Any) -> None:
    """Why, what it costs per GPU-hour, build vs rent, how sure, what would change it."""
    rec, bvr = results.recommendation, results.build_vs_rent
    if rec is None:
        return
    click.echo("\nRecommendation: " + rec["why"])
    if bvr is not None and bvr.get("usd_per_gpu_hour") is not None:
        parts = bvr["usd_per_gpu_hour_by_component"]
        split = ", ".join(f"{k} {v:.2f}" for k, v in parts.items() if abs(v) >= 0.005)
        click.echo(
            f"Levelised cost: {bvr['usd_per_gpu_hour']:.2f} USD per delivered GPU-hour ({split})."
        )
    if bvr is not None:
        click.echo(bvr["verdict"])
    from planner.report.decision import recommended_sites
    from planner.report.matching import matching_sentence

    matching = matching_sentence(results, recommended_sites(results))
    if matching:
        click.echo(matching)
    if rec.get("robustness"):
        click.echo(rec["robustness"]["sentence"])
    switches = [row for row in rec.get("switching_values") or [] if row["value"] is not None]
    # Nearest first: the relative distance from the base value (absolute for a zero base).
    switches.sort(key=lambda r: abs(r["value"] - r["base"]) / (abs(r["base"]) or 1.0))
    for row in switches[:SWITCHES_SHOWN]:
        click.echo("  - " + row["sentence"])
    if len(switches) > SWITCHES_SHOWN:
        click.echo(f"  ({len(switches) - SWITCHES_SHOWN} more switching values in results.json)")


def _print_weighted_score(ranking: Any) -> None:
    top = ranking.head(10).reset_index().to_dict(orient="records")
    click.echo("\nRanking by weighted score (screening view, top 10):")
    emit_table(
        top,
        [
            ("rank", "Rank", "d"),
            ("site_id", "Site", ""),
            ("score", "Weighted score", ".3f"),
            ("feasible", "Feasible", ""),
            ("reasons", "Reasons", ""),
        ],
    )
    n_bad = int((~ranking["feasible"].astype(bool)).sum())
    if n_bad:
        click.echo(
            f"{n_bad} site{'s' if n_bad > 1 else ''} fail a hard constraint (see ranking.csv)."
        )
