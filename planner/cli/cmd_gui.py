"""`planner gui [SCENARIO | SWEEP_DIR] [--screenshot PNG]`: the desktop window.

Qt is imported only when the command runs (through importlib), so the rest of the command
line works where PySide6 is missing.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from pathlib import Path

import click

from planner.cli.options import scenario_path

TABS = ("map", "recommendation", "detail", "compare", "pareto", "uncertainty", "all")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
MAX_SIDE_PX = 16384  # Qt's largest paint device side


@click.command()
@click.argument("scenario", required=False)
@click.option(
    "--screenshot",
    type=click.Path(path_type=Path),
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
    """Open the desktop window on SCENARIO (default: the bundled example), or on a sweep
    folder written by `planner sweep` (its Sweep tab)."""
    from planner.scenario import load_scenario

    path = scenario_path(scenario)
    # Every check before the window starts: a bad file, size or target is one sentence, exit 2.
    if path.is_dir():
        check_sweep_folder(path, screenshot)
    else:
        load_scenario(path)
    width, height = parse_size(size)
    if screenshot is not None:
        check_screenshot_target(screenshot)
    try:
        app = importlib.import_module("planner.gui.app")
    except ImportError as exc:
        raise click.ClickException(f"the desktop window needs PySide6 ({exc}).") from None
    code = app.run_gui(path, screenshot=screenshot, tab=tab, size=(width, height))
    if code:
        raise click.exceptions.Exit(code)


def check_sweep_folder(path: Path, screenshot: Path | None) -> None:
    """Refuse a folder without a readable sweep manifest, and a screenshot of one (the
    screenshot runs a scenario).

    Raises
    ------
    InputError
        Naming the folder or its ``sweep.json``.
    """
    from planner.errors import InputError
    from planner.sweep.store import SweepStore

    SweepStore(path).read_manifest()
    if screenshot is not None:
        raise InputError("--screenshot takes a scenario file, not a sweep folder", file=path)


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` to ``(1600, 1000)``.

    Raises
    ------
    InputError
        Unless both sides are whole numbers from 1 to :data:`MAX_SIDE_PX`.
    """
    from planner.errors import InputError

    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    sides = (int(match[1]), int(match[2])) if match else (0, 0)
    if not all(1 <= side <= MAX_SIDE_PX for side in sides):
        raise InputError(
            f"expected WIDTHxHEIGHT in whole pixels from 1 to {MAX_SIDE_PX}, got '{text}'",
            field="--size",
        )
    return sides


def check_screenshot_target(path: Path) -> None:
    """Refuse a screenshot path that cannot be written, before the window starts.

    Raises
    ------
    InputError
        For a folder, a missing or read-only folder, or a suffix that is not an image type.
    """
    from planner.errors import InputError

    if path.is_dir():
        raise InputError("expected an image file name, found a folder", file=path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(
            f"expected an image file name ending in {', '.join(IMAGE_SUFFIXES)}", file=path
        )
    folder = path.parent
    if not folder.is_dir():
        raise InputError("the folder of the screenshot does not exist", file=path)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(f"cannot write the screenshot here ({exc.strerror})", file=path) from None
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError("the screenshot file is read-only", file=path)
