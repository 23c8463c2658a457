"""Options and output helpers shared by the commands."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click

sites_option = click.option(
    "--sites",
    "sites_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Site file (CSV, GeoJSON, GeoPackage, Shapefile) replacing the scenario's candidates.",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout, nothing else."
)


def scenario_path(value: str | None) -> Path:
    """A scenario argument: a file path, a bundled example's name, or None for the default."""
    from planner.paths import example_scenario

    if value is None:
        return example_scenario()
    path = Path(value)
    if path.exists() or path.suffix:
        return path
    try:
        return example_scenario(value)
    except FileNotFoundError:
        return path


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types: NaN and infinities become null, numpy scalars become numbers."""
    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.reset_index().to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def emit_json(obj: Any) -> None:
    """Write one JSON document to stdout (strict JSON: no NaN)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, allow_nan=False) + "\n")
    sys.stdout.flush()


def emit_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> None:
    """Print an aligned text table. ``columns`` is (key, header, format spec) per column."""
    header = [h for _, h, _ in columns]
    cells = [[_cell(row.get(key), spec) for key, _, spec in columns] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    numeric = [bool(spec) for _, _, spec in columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        )

    click.echo(line(header).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo(line(r).rstrip())


def _cell(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            return str(value)
    return str(value)
