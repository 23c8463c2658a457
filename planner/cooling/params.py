"""Cooling presets from data/cooling.toml, with provenance."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.params import load_parameter_file
from planner.paths import data_dir

PRESETS = ("hyperscale", "legacy-enterprise")
"""Preset names in data/cooling.toml."""


@cache
def _load(path: str) -> tuple[dict[str, Any], pd.DataFrame]:
    return load_parameter_file(path)


def load_cooling_parameters(preset: str = "hyperscale", path: str | Path | None = None
                            ) -> tuple[dict[str, Any], pd.DataFrame]:
    """One preset's parameters (plain nested values) and its provenance rows.

    Parameters
    ----------
    preset : str
        ``"hyperscale"`` (default: a modern hyperscale hall) or ``"legacy-enterprise"``.
    path : path, optional
        Another parameter file with the same layout; the embedded data/cooling.toml by default.
    """
    file = Path(path) if path is not None else data_dir() / "cooling.toml"
    values, provenance = _load(str(file))
    if preset not in values:
        raise InputError(f"no cooling preset '{preset}'; known: {', '.join(sorted(values))}",
                         file=file, field="preset")
    rows = provenance[provenance["key"].str.startswith(preset + ".")]
    import copy

    return copy.deepcopy(values[preset]), rows.reset_index(drop=True)
