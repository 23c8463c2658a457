"""``planner data import-hourly``: an export in, one region's column of a 8,760-hour file out."""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.hourly.formats import READERS, ReadOptions
from planner.hourly.timebase import HOURS_PER_YEAR, LocalYear, check_zone, standard_offset
from planner.hourly.timebase import typical_year as _typical_year

#: The evaluation's kind of hourly file for each quantity (``[energy] price_file`` ...).
KIND_OF_QUANTITY = {
    "price": "price",
    "carbon": "carbon",
    "carbon-lifecycle": "carbon",
    "cfe-share": "cfe",
    "demand": "demand",
}


@dataclass
class Imported:
    """The year made from an export and what the provenance lines say about it."""

    region: str
    zone: str
    quantity: str
    unit: str
    year: LocalYear
    standard_offset_hours: float
    provenance: list[str] = field(default_factory=list)


def region_zone(region: str, tz: str | None) -> str:
    """``tz`` if given, else the region's zone from the regions table (``tz`` column)."""
    if tz:
        check_zone(tz)
        return tz.strip()
    from planner.catalog import default_catalog

    regions = default_catalog().regions
    if region in regions.index and "tz" in regions and isinstance(regions.at[region, "tz"], str):
        zone = regions.at[region, "tz"].strip()
        if zone:
            return zone
    raise InputError(
        f"region '{region}' has no time zone in the regions table; give one with --tz",
        field="region",
    )


def import_hourly(
    path: str | Path,
    fmt: str,
    region: str,
    *,
    tz: str | None = None,
    year: int | None = None,
    options: ReadOptions | None = None,
) -> Imported:
    """Read an export and make the region's 8,760-hour year in local standard time.

    Parameters
    ----------
    path : path
    fmt : {"eia930", "entsoe", "gridstatus", "cambium", "csv"}
    region : str
        Region code (column name in the output).
    tz : str, optional
        IANA zone overriding the region's; needed for a region unknown to the regions table.
    year : int, optional
        Take this local year instead of averaging every complete year.
    options : ReadOptions, optional
        Quantity, column, area, exchange rate; its zone is set here.
    """
    path = Path(path)
    if fmt not in READERS:
        raise InputError(f"unknown format '{fmt}': expected one of {', '.join(READERS)}")
    zone = region_zone(region, tz)
    opt = options or ReadOptions()
    opt.zone = zone
    source = READERS[fmt](path, opt)
    _refuse_repeats(source.values.index, path)
    local = _typical_year(source.values, zone, year=year, path=path)
    offset_h = standard_offset(zone, local.years_used[0]).total_seconds() / 3600
    out = Imported(region, zone, source.quantity, source.unit, local, offset_h)
    out.provenance = provenance_lines(out, path, fmt, source.column, source.notes)
    return out


def _refuse_repeats(instants: pd.DatetimeIndex, path: Path) -> None:
    repeated = np.flatnonzero(pd.DatetimeIndex(instants).duplicated())
    if repeated.size:
        row = int(repeated[0])
        raise InputError(
            f"the interval starting {instants[row]:%Y-%m-%d %H:%M} UTC appears twice",
            file=path,
            row=row + 1,
        )


def provenance_lines(
    imp: Imported, path: Path, fmt: str, column: str, notes: list[str]
) -> list[str]:
    """The ``region: key=value`` lines recorded in the output file."""
    from planner import __version__

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    y = imp.year
    sign = "+" if imp.standard_offset_hours >= 0 else "-"
    facts = [
        f"source={fmt}; file={path.name}; sha256={digest}",
        f"quantity={imp.quantity}; unit={imp.unit}; column={column}",
        f"time zone={imp.zone}; local standard time=UTC{sign}{abs(imp.standard_offset_hours):g}",
        f"years={'+'.join(map(str, y.years_used))} ({len(y.years_used)} averaged)"
        + (f"; left out={'+'.join(map(str, y.years_left_out))}" if y.years_left_out else ""),
        f"hours filled={y.filled_hours}; wrapped at New Year={y.wrapped_hours}; "
        f"29 February hours dropped={y.leap_day_hours}; sub-hourly rows averaged="
        f"{y.sub_hourly_rows}",
        f"planner {__version__}; imported {_dt.date.today():%Y-%m-%d}",
        *notes,
    ]
    return [f"{imp.region}: {fact}" for fact in facts]


def write_region_column(
    path: str | Path, region_code: str, values_8760: np.ndarray, provenance: list[str]
) -> None:
    """Write or update the one-column-per-region hourly file at ``path``.

    The file has ``# `` provenance lines, then ``hour`` (0..8759, ignored by the reader)
    and one column per region code. An existing file keeps its other regions' columns and
    provenance lines; this region's are replaced.
    """
    path = Path(path)
    values = np.asarray(values_8760, dtype=float)
    if values.shape != (HOURS_PER_YEAR,) or not np.isfinite(values).all():
        raise InputError(f"expected 8760 finite values for '{region_code}'", file=path)
    table = pd.DataFrame({"hour": np.arange(HOURS_PER_YEAR)})
    lines: list[str] = []
    if path.exists():
        lines, table = _existing(path)
        lines = [line for line in lines if not line.startswith(f"{region_code}: ")]
    table[region_code] = values
    body = table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    head = "".join(f"# {line}\n" for line in [*lines, *provenance])
    path.write_text(head + body, encoding="utf-8")


def _existing(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Provenance lines and table of an hourly file written before."""
    from planner.evaluate import read_hourly_provenance

    text = path.read_text(encoding="utf-8-sig").splitlines()
    body = [line for line in text if not line.startswith("#")]
    from io import StringIO

    table = pd.read_csv(StringIO("\n".join(body)))
    if "hour" not in table or len(table) != HOURS_PER_YEAR:
        raise InputError(
            "exists and is not an hourly file of 8760 rows with an 'hour' column; remove it or "
            "choose another --out",
            file=path,
        )
    return read_hourly_provenance(path), table
