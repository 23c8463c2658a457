"""`planner scenario validate FILE`: check a scenario file before running it."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.options import emit_json, json_option, scenario_path


@click.group()
def scenario() -> None:
    """Check scenario files."""


@scenario.command()
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def validate(file: Path, as_json: bool) -> None:
    """Validate FILE: syntax, every field, the files it refers to and every name it uses.

    Runs the checks `planner optimize` runs before computing (see planner.checks); warnings go
    to stderr (and into "warnings" with --json), the first error exits with code 2.
    """
    from planner.checks import check_scenario
    from planner.errors import InputError
    from planner.scenario import load_scenario

    file = scenario_path(str(file))
    try:
        loaded = load_scenario(file)
        warnings = check_scenario(loaded, file=file)
    except InputError as exc:
        if as_json:  # a script reading stdout gets the verdict too, not only the exit code
            emit_json({"file": str(file), "valid": False, "error": str(exc), "field": exc.field})
        raise
    for text in warnings:
        click.echo(f"Warning: {text}", err=True)
    summary = {
        "file": str(file),
        "valid": True,
        "name": loaded.name,
        "gpus": loaded.fleet.total_gpus,
        "phases": len(loaded.fleet.phases),
        "warnings": warnings,
    }
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"{file}: valid - '{loaded.name}', {summary['gpus']:,} GPUs in "
            f"{summary['phases']} phase(s)."
        )
