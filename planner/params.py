"""Parameter files with provenance: every leaf value carries its unit, source and year.

A parameter file is TOML whose leaves are inline tables
``{ value = 0.97, unit = "-", source = "Lei & Masanet 2020, table 2", year = 2020, note = "" }``.
:func:`load_parameter_file` returns the plain nested values and one provenance row per leaf,
so models read ``params["ups"]["efficiency"]`` and reports list where each number came from.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError

PROVENANCE_COLUMNS = [
    "dataset",
    "key",
    "field",
    "value",
    "unit",
    "source",
    "year",
    "license",
    "note",
]


def load_parameter_file(path: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read a parameter TOML file into (nested plain values, provenance table)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such parameter file", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=path) from None
    rows: list[dict[str, Any]] = []
    values = _strip(raw, path, (), rows)
    return values, pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)


def _strip(node: Any, path: Path, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> Any:
    if isinstance(node, dict) and "value" in node:
        for needed in ("source", "year"):
            if needed not in node:
                raise InputError(f"parameter has no '{needed}'", file=path, field=".".join(keys))
        rows.append(
            {
                "dataset": path.stem,
                "key": ".".join(keys[:-1]),
                "field": keys[-1] if keys else "",
                "value": node["value"],
                "unit": node.get("unit", ""),
                "source": node["source"],
                "year": node["year"],
                "license": node.get("license", ""),
                "note": node.get("note", ""),
            }
        )
        return node["value"]
    if isinstance(node, dict):
        return {k: _strip(v, path, (*keys, k), rows) for k, v in node.items()}
    return node
