"""`planner report RESULTS_OR_SCENARIO --out FILE`: rebuild a PDF or HTML report.

`planner report SWEEP_DIR`: the report of a sweep folder (sweep-report.html and .pdf in it).
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from planner.cli.options import emit_json, json_option, scenario_path


@click.command()
@click.argument("source")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Report file to write; its suffix (.pdf or .html) decides the type. For a sweep "
    "folder, default: sweep-report.html and sweep-report.pdf in it.",
)
@click.option("--overwrite", is_flag=True, help="Replace the report file if it exists.")
@json_option
def report(source: str, out_file: Path, overwrite: bool, as_json: bool) -> None:
    """Write a PDF or HTML report from SOURCE.

    SOURCE is a results.json written by `planner optimize` or the folder holding it (fast:
    nothing is recomputed), a
    scenario file or bundled example name, which is evaluated and optimised first, or a sweep
    folder written by `planner sweep` (its table: the answer along each axis, heat maps of two
    axes, the points that changed the answer).
    """
    from planner.errors import InputError
    from planner.report import write_report
    from planner.results import Results

    # A folder is a sweep, or the folder `planner optimize` wrote (its results.json), unless it
    # is named like a results file (then that file is refused).
    if Path(source).is_dir() and Path(source).suffix.lower() != ".json":
        if (Path(source) / "results.json").is_file() and not (Path(source) / "sweep.json").exists():
            source = str(Path(source) / "results.json")
        else:
            _sweep_report(Path(source), out_file, overwrite, as_json)
            return
    if out_file is None:
        raise InputError("--out is required (a .pdf or .html file)", field="--out")
    _check_out(out_file, overwrite)

    started = time.perf_counter()
    path = Path(source)
    if path.suffix.lower() == ".json":
        results = Results.load_json(path)  # says what is wrong with a path that is no file
    else:
        results = _run(scenario_path(source), quiet=as_json)
    written = write_report(results, out_file)
    seconds = time.perf_counter() - started
    if as_json:
        emit_json(
            {
                "report": str(written),
                "scenario": results.scenario.name,
                "status": results.allocation.status,
                "seconds": round(seconds, 2),
            }
        )
    else:
        click.echo(f"Wrote {written} ({written.stat().st_size / 1024:,.0f} KB) in {seconds:.1f} s.")


def _check_out(out_file: Path, overwrite: bool) -> None:
    from planner.errors import InputError

    if out_file.suffix.lower() not in (".pdf", ".html", ".htm"):
        raise InputError(
            "expected a report file name ending in .pdf or .html", file=out_file, field="--out"
        )
    if out_file.exists() and not overwrite:
        raise InputError(
            "the report file already exists; pass --overwrite to replace it", file=out_file
        )
    if not out_file.resolve().parent.is_dir():
        raise InputError("the folder of the report file does not exist", file=out_file)


def _sweep_report(folder: Path, out_file: Path | None, overwrite: bool, as_json: bool) -> None:
    """The report of a sweep folder; its own sweep-report files are rewritten each time."""
    from planner.errors import InputError
    from planner.report.sweep import write_sweep_report
    from planner.sweep.store import is_sweep_folder

    if not is_sweep_folder(folder):
        raise InputError(
            "not a sweep folder (no sweep.json); give a sweep folder, a results.json or a scenario",
            file=folder,
        )
    if out_file is not None:
        _check_out(out_file, overwrite)
    started = time.perf_counter()
    written = write_sweep_report(folder, out_file)
    seconds = time.perf_counter() - started
    if as_json:
        emit_json(
            {
                "report": str(written[0]),
                "reports": [str(p) for p in written],
                "sweep": str(folder),
                "seconds": round(seconds, 2),
            }
        )
    else:
        for path in written:
            click.echo(f"Wrote {path} ({path.stat().st_size / 1024:,.0f} KB).")
        click.echo(f"{seconds:.1f} s.")


def _run(scenario_file: Path, *, quiet: bool) -> object:
    """Evaluate and optimise a scenario file, with a progress bar on stderr."""
    from planner.cli.cmd_optimize import TerminalBar
    from planner.optimize.run import run_scenario
    from planner.scenario import load_scenario

    scenario = load_scenario(scenario_file)
    bar = TerminalBar(enabled=not quiet)
    try:
        return run_scenario(scenario, progress=bar, scenario_file=scenario_file)
    finally:
        bar.close()
