"""`planner gui [SCENARIO] [--screenshot PNG]`: the desktop window.

Qt is imported only when the command runs (through importlib), so the rest of the command
line works where PySide6 is missing.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from planner.cli.options import scenario_path

TABS = ("map", "detail", "compare", "pareto", "uncertainty", "all")


@click.command()
@click.argument("scenario", required=False)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Run the scenario, save the window as this PNG and exit.",
)
@click.option(
    "--tab",
    type=click.Choice(TABS),
    default="map",
    show_default=True,
    help="Tab to capture with --screenshot ('all' writes NAME-<tab>.png for each).",
)
@click.option(
    "--size",
    default="1600x1000",
    show_default=True,
    help="Window size for --screenshot, WxH pixels.",
)
def gui(scenario: str | None, screenshot: Path | None, tab: str, size: str) -> None:
    """Open the desktop window on SCENARIO (default: the bundled example)."""
    from planner.errors import InputError
    from planner.scenario import load_scenario

    path = scenario_path(scenario)
    load_scenario(path)  # a bad file: one sentence and exit 2, before any window opens
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise InputError(f"expected WIDTHxHEIGHT in pixels, got '{size}'", field="--size") from None
    try:
        app = importlib.import_module("planner.gui.app")
    except ImportError as exc:
        raise click.ClickException(f"the desktop window needs PySide6 ({exc}).") from None
    code = app.run_gui(path, screenshot=screenshot, tab=tab, size=(width, height))
    if code:
        raise click.exceptions.Exit(code)
