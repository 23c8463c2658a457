"""`planner sweep SWEEP.toml --out DIR`: every point of a parameter sweep, on a Dask cluster."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click

from planner.cli.options import emit_json, emit_table, json_option

EXIT_ERROR, EXIT_BAD_INPUT = 1, 2


class SweepProgress:
    """Done, failed and the time left on stderr: one line redrawn on a terminal, else a line
    every :attr:`every_s` seconds and at the end."""

    def __init__(self, total: int, *, enabled: bool = True, every_s: float = 30.0) -> None:
        self.total = total
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.every_s = every_s
        self.started = time.monotonic()
        self.first_done: int | None = None
        self._last = self.started
        self.failed = 0
        self._shown = False

    def __call__(self, row: dict[str, Any], done: int, total: int) -> None:
        if row.get("status") == "error":
            self.failed += 1
        if self.first_done is None:
            self.first_done = done - 1  # resumed points were done before this run
        now = time.monotonic()
        if not self.enabled or (
            now - self._last < (0.2 if self.tty else self.every_s) and done < total
        ):
            return
        self._last = now
        line = self.line(done, total, now)
        if self.tty:
            sys.stderr.write("\r" + line.ljust(78))
            self._shown = True
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def line(self, done: int, total: int, now: float) -> str:
        ran = done - (self.first_done or 0)
        elapsed = max(now - self.started, 1e-9)
        rate = ran / elapsed * 60.0
        text = f"Sweep: {done:,} of {total:,} points done, {self.failed} failed"
        if ran and done < total:
            left = (total - done) / (ran / elapsed)
            text += f", {rate:,.1f} points/min, about {_duration(left)} left"
        return text

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._shown = False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@click.command()
@click.argument("sweep_file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder of the sweep: sweep.parquet (one row per point), sweep.json, sweep.jsonl.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes of the local Dask cluster (default: one per CPU).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Use a running Dask scheduler (tcp://host:8786) instead of a local cluster.",
)
@click.option("--resume", is_flag=True, help="Keep the points already done; rerun failed ones.")
@click.option("--overwrite", is_flag=True, help="Replace a previous sweep in --out.")
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=100),
    default=1,
    show_default=True,
    help="Times a point whose worker process died is run again.",
)
@click.option(
    "--format",
    "formats",
    default="none",
    show_default=True,
    help="Per-point files in OUT/points/<id>/: none, json, or report formats "
    "(csv, xlsx, geojson, gpkg, html, pdf).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Run the valid points; invalid ones become rows with status bad-input.",
)
@click.option(
    "--full-analysis",
    is_flag=True,
    help="Keep each point's Monte Carlo draws, Pareto front, tornado and the recommendation's "
    "alternatives and switching values (off by default: much faster).",
)
@json_option
@click.pass_context
def sweep(
    ctx: click.Context,
    sweep_file: Path,
    out_dir: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    overwrite: bool,
    retries: int,
    formats: str,
    skip_invalid: bool,
    full_analysis: bool,
    as_json: bool,
) -> None:
    """Run every point of SWEEP_FILE: a base scenario and axes of values (docs/sweep.md).

    Each point is merged into the base scenario and checked before any work starts; invalid
    points are listed with their axis values (exit 2) unless --skip-invalid. Points run on a
    local Dask cluster (--workers) or a running one (--scheduler), and each finished point is
    a row of OUT/sweep.parquet at once. Exit 1 when a point failed with an error (--resume
    retries it), 2 for bad input, 0 otherwise (an infeasible point is an answer).
    """
    from planner.errors import InputError
    from planner.outputs import FolderLock, check_output_folder
    from planner.sweep.run import prepare, run_sweep
    from planner.sweep.spec import load_sweep
    from planner.sweep.store import LOG, MANIFEST

    if workers is not None and scheduler:
        raise InputError("give --workers or --scheduler, not both", field="--scheduler")
    fmt = _formats(formats)
    spec = load_sweep(sweep_file)
    analysis = "full" if full_analysis else ("explained" if fmt else "fast")
    plan = prepare(spec, analysis=analysis)
    if plan.invalid and not skip_invalid:
        _report_invalid(plan, spec, as_json)
        ctx.exit(EXIT_BAD_INPUT)
    check_output_folder(out_dir, overwrite=True)
    if out_dir.is_dir() and not (resume or overwrite):
        if (out_dir / MANIFEST).exists() or (out_dir / LOG).exists():
            raise InputError(
                "a sweep already ran here; pass --resume to finish it, --overwrite to start "
                "again, or choose another --out",
                file=out_dir,
            )
        check_output_folder(out_dir, overwrite=False)
    debug = bool((ctx.find_root().obj or {}).get("debug"))
    progress = SweepProgress(len(plan.points), enabled=True)
    started = time.perf_counter()
    with FolderLock(out_dir):
        try:
            outcome = run_sweep(
                spec,
                out_dir,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                retries=retries,
                formats=fmt,
                skip_invalid=skip_invalid,
                full_analysis=full_analysis,
                plan=plan,
                on_row=progress,
            )
        finally:
            progress.close()
    seconds = time.perf_counter() - started
    if as_json:
        emit_json(_json_doc(spec, out_dir, outcome, seconds, len(plan.points)))
    else:
        _print(outcome, out_dir, seconds)
    for row in outcome.rows:
        if row["status"] == "error":
            click.echo(f"Point {row['id']}: {row.get('message', '')}", err=True)
            if debug and row.get("traceback"):
                click.echo(row["traceback"], err=True)
    if outcome.counts.get("error"):
        ctx.exit(EXIT_ERROR)
    if outcome.counts.get("bad-input") and not skip_invalid:
        ctx.exit(EXIT_BAD_INPUT)


def _formats(text: str) -> list[str]:
    from planner.report import parse_formats

    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    if not wanted or wanted == ["none"]:
        return []
    if "none" in wanted:
        from planner.errors import InputError

        raise InputError("'none' cannot be combined with other formats", field="--format")
    others = [f for f in wanted if f != "json"]
    return ["json", *parse_formats(others)] if others else ["json"]


def _report_invalid(plan: Any, spec: Any, as_json: bool) -> None:
    n, total = len(plan.invalid), len(plan.points)
    if as_json:
        emit_json(
            {
                "sweep_file": str(spec.file),
                "status": "invalid",
                "points": total,
                "invalid": [
                    {
                        "id": b.point.id,
                        "values": b.point.values,
                        "error": b.message,
                        "field": b.field,
                    }
                    for b in plan.invalid
                ],
            }
        )
    for bad in plan.invalid:
        click.echo(f"Point {bad.point.id} ({bad.point.label()}): {bad.message}", err=True)
    click.echo(
        f"Error: {spec.file}: {n} of {total} point{'s' if total != 1 else ''} "
        f"{'are' if n != 1 else 'is'} invalid; fix the sweep or pass --skip-invalid to run the "
        "others.",
        err=True,
    )


def _json_doc(spec: Any, out_dir: Path, outcome: Any, seconds: float, total: int) -> dict[str, Any]:
    return {
        "sweep_file": str(spec.file),
        "out_dir": str(out_dir),
        "table": None if outcome.table is None else str(outcome.table),
        "manifest": str(outcome.manifest),
        "points": total,
        "ran": outcome.ran,
        "skipped": outcome.skipped,
        "counts": outcome.counts,
        "seconds": round(seconds, 2),
        "rows": [
            {k: v for k, v in r.items() if k not in ("traceback", "files")} for r in outcome.rows
        ],
    }


def _print(outcome: Any, out_dir: Path, seconds: float) -> None:
    counts = ", ".join(f"{n} {s}" for s, n in outcome.counts.items() if n)
    click.echo(
        f"{len(outcome.rows):,} points ({counts or 'none'}); ran {outcome.ran:,}, kept "
        f"{outcome.skipped:,} done before; {seconds:.1f} s."
    )
    shown = [r for r in outcome.rows if r["status"] == "ok"]
    shown.sort(key=lambda r: r.get("objective_usd") or float("inf"))
    if shown:
        click.echo("\nCheapest points:")
        emit_table(
            [{**r, "musd": r["objective_usd"] / 1e6, "label": _label(r)} for r in shown[:10]],
            [
                ("id", "Point", ""),
                ("label", "Values", ""),
                ("musd", "Objective (M USD)", ",.1f"),
                ("usd_per_gpu_hour", "USD/GPU-h", ".2f"),
                ("sites", "Sites", ""),
            ],
        )
    with contextlib.suppress(TypeError):
        click.echo(f"\nTable: {outcome.table}")
    click.echo(f"Report: planner report {out_dir}")


def _label(row: dict[str, Any]) -> str:
    from planner.sweep.spec import format_value

    return ", ".join(f"{k}={format_value(v)}" for k, v in row.get("values", {}).items())
