"""`planner evaluate`."""

from __future__ import annotations

import click

from planner.cli.main import not_built


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def evaluate(args: tuple[str, ...]) -> None:
    """Not built yet: says so and exits 2."""
    not_built("site evaluation")()
