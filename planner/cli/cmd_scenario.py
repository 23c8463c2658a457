"""`planner scenario validate FILE`: check a scenario file before running it."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.options import emit_json, json_option


@click.group()
def scenario() -> None:
    """Check scenario files."""


@scenario.command()
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def validate(file: Path, as_json: bool) -> None:
    """Validate FILE: syntax, every field, and references to the data catalog."""
    from planner.scenario import check_references, load_scenario

    loaded = load_scenario(file)
    check_references(loaded, file=file)
    summary = {
        "file": str(file),
        "valid": True,
        "name": loaded.name,
        "gpus": loaded.fleet.total_gpus,
        "phases": len(loaded.fleet.phases),
    }
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"{file}: valid - '{loaded.name}', {summary['gpus']:,} GPUs in "
            f"{summary['phases']} phase(s)."
        )
