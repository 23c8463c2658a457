"""Where the embedded data and resources live, installed or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    """Folder of the embedded default data (``data/`` of the source tree, shipped in the wheel)."""
    return _first_existing("data")


@cache
def resources_dir() -> Path:
    """Folder of icons, desktop entry and style sheets."""
    return _first_existing("resources")


def cjk_font_file() -> Path:
    """The shipped font for Chinese, Japanese and Korean text (PDF reports and charts)."""
    return resources_dir() / "fonts" / "DroidSansFallback.ttf"


def _first_existing(name: str) -> Path:
    # Wheels carry the folder inside the package; a source checkout keeps it at the top level.
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the planner's {name}/ folder is missing from {_PACKAGE_DIR}")


def example_scenario(name: str = "training-16k") -> Path:
    """Path of a bundled example scenario by its stem, e.g. ``"training-16k"``."""
    path = data_dir() / "scenarios" / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in (data_dir() / "scenarios").glob("*.toml")))
        raise FileNotFoundError(f"no bundled scenario '{name}'; known: {known}")
    return path
