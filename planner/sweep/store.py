"""A sweep's folder: the manifest, the durable log of finished points and the table.

- ``sweep.json``: the manifest (sweep file, base, mode, axes, linked groups, every point's id
  and axis values, planner version, data hash), written atomically before any work;
- ``sweep.jsonl``: one JSON line per finished point, appended and flushed to disk as each
  point finishes, so a crash or Ctrl-C loses no finished row; a later line for the same id
  (a retried point) replaces the earlier one;
- ``sweep.parquet``: the table, one row per finished point in sweep order, rewritten whole and
  atomically every :data:`TABLE_EVERY` points, every :data:`TABLE_EVERY_S` seconds and at the
  end (Parquet files cannot be appended to; the table is small).

The Parquet file is written with fastparquet (no pyarrow needed); pandas reads it with either.
"""

from __future__ import annotations

import io
import json
import math
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError

MANIFEST = "sweep.json"
LOG = "sweep.jsonl"
TABLE = "sweep.parquet"
POINTS = "points"
REPORT = "sweep-report"
TABLE_EVERY = 25
TABLE_EVERY_S = 30.0
FORMAT_VERSION = 1

#: Columns after the id and the axes, in table order.
RESULT_COLUMNS = (
    "status",
    "message",
    "solver_status",
    "objective_usd",
    "sites",
    "n_sites",
    "usd_per_gpu_hour",
    "co2_location_t",
    "co2_market_t",
    "water_m3",
    "group",
    "evaluation_s",
    "wall_s",
    "worker",
)
TEXT_COLUMNS = {"status", "message", "solver_status", "sites", "group", "worker"}


def is_sweep_folder(path: str | Path) -> bool:
    """True for a folder holding a sweep manifest."""
    return (Path(path) / MANIFEST).is_file()


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class SweepStore:
    """The files of one sweep folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.manifest_path = self.folder / MANIFEST
        self.log_path = self.folder / LOG
        self.table_path = self.folder / TABLE
        self._log = None
        self._written_at = time.monotonic()
        self._unwritten = 0

    # --- manifest -------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        """The manifest.

        Raises
        ------
        InputError
            Missing or not a sweep manifest.
        """
        try:
            doc = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("not a sweep folder (no sweep.json)", file=self.folder) from None
        except (OSError, ValueError) as exc:
            raise InputError(
                f"cannot read the sweep manifest ({exc})", file=self.manifest_path
            ) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("points"), list):
            raise InputError("not a sweep manifest", file=self.manifest_path)
        return doc

    def write_manifest(self, doc: dict[str, Any]) -> Path:
        from planner.outputs import write_text

        self.folder.mkdir(parents=True, exist_ok=True)
        return write_text(self.manifest_path, json.dumps(_plain(doc), indent=1) + "\n")

    # --- the log --------------------------------------------------------------------------

    def read_log(self) -> dict[str, dict[str, Any]]:
        """The last record of each point id; a line cut short by a crash is skipped."""
        rows: dict[str, dict[str, Any]] = {}
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return rows
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                rows[row["id"]] = row
        return rows

    def append(self, row: dict[str, Any]) -> None:
        """Add one finished point to the log, on disk before this returns."""
        if self._log is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
        self._log.write(json.dumps(_plain(row), allow_nan=False) + "\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        self._unwritten += 1

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def reset(self) -> None:
        """Remove the log, table, manifest and per-point files of a previous sweep."""
        from planner.outputs import remove_tree

        self.close()
        for path in (self.log_path, self.table_path, self.manifest_path):
            path.unlink(missing_ok=True)
        if (self.folder / POINTS).exists():
            remove_tree(self.folder / POINTS)

    # --- the table ------------------------------------------------------------------------

    def table_due(self) -> bool:
        return self._unwritten >= TABLE_EVERY or (
            self._unwritten and time.monotonic() - self._written_at >= TABLE_EVERY_S
        )

    def write_table(
        self, rows: Iterable[dict[str, Any]], axes: Sequence[str], kinds: dict[str, str]
    ) -> Path:
        """Rewrite ``sweep.parquet`` atomically from ``rows`` (in the order given)."""
        from planner.outputs import atomic_file

        fastparquet = _fastparquet()
        table = rows_frame(rows, axes, kinds)
        with atomic_file(self.table_path) as tmp:
            fastparquet.write(str(tmp), table, write_index=False, compression="GZIP")
        self._unwritten = 0
        self._written_at = time.monotonic()
        return self.table_path


def axis_kinds(axes: dict[str, list[Any]]) -> dict[str, str]:
    """How each axis is stored: ``number`` (all numbers), ``text`` (all strings) or ``json``."""
    kinds = {}
    for axis, values in axes.items():
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            kinds[axis] = "number"
        elif all(isinstance(v, str) for v in values):
            kinds[axis] = "text"
        else:
            kinds[axis] = "json"
    return kinds


def rows_frame(
    rows: Iterable[dict[str, Any]], axes: Sequence[str], kinds: dict[str, str]
) -> pd.DataFrame:
    """The sweep table: id, one column per axis, then :data:`RESULT_COLUMNS`."""
    records = []
    for row in rows:
        record: dict[str, Any] = {"id": row["id"]}
        values = row.get("values", {})
        for axis in axes:
            value = values.get(axis)
            if kinds.get(axis) == "json":
                value = json.dumps(value, sort_keys=True)
            record[axis] = value
        for column in RESULT_COLUMNS:
            record[column] = row.get(column)
        records.append(record)
    columns = ["id", *axes, *RESULT_COLUMNS]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns:
        if column in TEXT_COLUMNS or column == "id" or kinds.get(column) in ("text", "json"):
            frame[column] = frame[column].map(lambda v: "" if v is None else str(v)).astype(object)
        elif column == "n_sites":
            frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _fastparquet() -> Any:
    import warnings

    with warnings.catch_warnings():
        # fastparquet asks pandas about an option pandas 3 deprecates, at import.
        warnings.simplefilter("ignore", DeprecationWarning)
        import fastparquet
    return fastparquet


def read_table(path: str | Path) -> pd.DataFrame:
    """A sweep table back from Parquet.

    Raises
    ------
    InputError
        Missing or unreadable.
    """
    fastparquet = _fastparquet()
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "no sweep table here (the sweep has not finished a point)", file=path
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the sweep table ({exc.strerror})", file=path) from None
    try:
        return fastparquet.ParquetFile(io.BytesIO(data)).to_pandas()
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad file
        raise InputError(f"not a readable Parquet table ({exc})", file=path) from None
