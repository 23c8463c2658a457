"""Readers for hourly typical-year weather files: EnergyPlus EPW and NREL TMY3.

:func:`read_weather` detects the format from the content (not the extension), checks every
row, renames the file's columns to the canonical names of docs/nomenclature.md and computes the
thermodynamic wet-bulb. Files may be compressed (``.epw.gz``, ``.csv.gz``, ``.zip``).

Canonical weather table: 8,760 rows (hour 0 = 1 January 00:00-01:00 local standard time; the
files' hour-ending stamps 1..24 map to hours 0..23), columns

- ``temp_air_c``: dry-bulb temperature [C]
- ``temp_dew_c``: dew-point temperature [C], never above the dry-bulb
- ``relative_humidity_pct``: relative humidity [%]
- ``pressure_pa``: station barometric pressure [Pa]
- ``temp_wet_c``: thermodynamic wet-bulb [C], computed by :func:`planner.climate.wet_bulb_c`
- ``month``: calendar month 1-12 (an addition to the contract, for monthly summaries)

and a metadata dict ``{source, format, name, lat, lon, elevation_m, tz_hours, file}``.

With ``resource=True`` the table also holds the columns of :data:`RESOURCE_COLUMNS` that the
file carries, for solar and wind profiles (:mod:`planner.renewables`):

- ``ghi_w_m2``, ``dni_w_m2``, ``dhi_w_m2``: global horizontal, direct normal and diffuse
  horizontal irradiance [W/m2], the mean over the hour ENDING at the file's stamp (so the sun
  position for hour h belongs at its middle, h + 0.5)
- ``wind_speed_m_s``: wind speed at the station's anemometer (10 m) [m/s]

and the metadata a ``warnings`` list. Their missing codes (EPW 9999 W/m2 and 999 m/s, TMY3
-9900) are gaps: up to 6 consecutive hours are filled by linear interpolation, longer gaps and
values outside 0-1,500 W/m2 or 0-100 m/s are refused like the other columns; a column with
every value missing is left out and ``meta["warnings"]`` says so (a site without it falls
back to the normals, docs/renewables.md). Without ``resource`` the table and the checks are
exactly those above, so a bad irradiance value never blocks a cooling run.

Repairs, all documented and limited: a missing dew point is computed from relative humidity
(and vice versa); a missing pressure is the standard atmosphere at the station elevation; gaps
of up to 6 consecutive hours in dry-bulb or dew point are filled by linear interpolation.
Longer gaps, missing or duplicated hours, rows of the wrong width and values outside physical
ranges raise :class:`planner.errors.InputError` naming the file and the line.

Odd but real files are read: blank lines before the first record, quoted names holding commas
in the header records, a blank elevation when pressure is given, and leap years (8,784 hours:
29 February is dropped; a leap-year file that already left it out has 8,760). Missing pressure
with no elevation to compute it from is refused rather than guessed at sea level. Compressed
files (gzip, or a zip holding one ``.epw`` or ``.csv``) are inflated up to 64 MB
(:mod:`planner.inputs`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.climate.psychro import (
    dew_point_from_rh_c,
    pressure_from_elevation_pa,
    relative_humidity_pct,
    wet_bulb_c,
)
from planner.errors import InputError
from planner.inputs import read_input_bytes

HOURS_PER_YEAR = 8760
WEATHER_COLUMNS = ["temp_air_c", "temp_dew_c", "relative_humidity_pct", "pressure_pa",
                   "temp_wet_c", "month"]
RESOURCE_COLUMNS = ["ghi_w_m2", "dni_w_m2", "dhi_w_m2", "wind_speed_m_s"]
"""Optional solar and wind columns, read with ``read_weather(path, resource=True)``."""
MAX_GAP_HOURS = 6
"""Longest run of missing hours filled by interpolation; longer gaps are refused."""

# Physical plausibility limits (world records with a margin): outside them a value is an error.
_LIMITS = {
    "temp_air_c": (-90.0, 60.0, "C"),
    "temp_dew_c": (-95.0, 40.0, "C"),
    "relative_humidity_pct": (0.0, 110.0, "%"),
    "pressure_pa": (30_000.0, 110_000.0, "Pa"),
}
_RESOURCE_LIMITS = {
    "ghi_w_m2": (0.0, 1500.0, "W/m2"),  # above the solar constant (1,361) with a margin
    "dni_w_m2": (0.0, 1500.0, "W/m2"),
    "dhi_w_m2": (0.0, 1500.0, "W/m2"),
    "wind_speed_m_s": (0.0, 100.0, "m/s"),  # beyond the strongest hurricanes' hourly means
}
_DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MONTH_OF_HOUR = np.repeat(np.arange(1, 13), _DAYS_PER_MONTH * 24)
_DAY_OF_HOUR = np.concatenate([np.repeat(np.arange(1, n + 1), 24) for n in _DAYS_PER_MONTH])
_HOUR_ENDING = np.tile(np.arange(1, 25), 365)

# EPW data rows: 35 fields (EnergyPlus Auxiliary Programs, "Weather Converter", EPW format).
_EPW_FIELDS = 35
_EPW_COLUMNS = {1: "month", 2: "day", 3: "hour", 6: "temp_air_c", 7: "temp_dew_c",
                8: "relative_humidity_pct", 9: "pressure_pa"}
_EPW_MISSING = {"temp_air_c": 99.9, "temp_dew_c": 99.9, "relative_humidity_pct": 999.0,
                "pressure_pa": 999999.0}
_EPW_FIELD_NAMES = {"temp_air_c": "Dry Bulb Temperature", "temp_dew_c": "Dew Point Temperature",
                    "relative_humidity_pct": "Relative Humidity",
                    "pressure_pa": "Atmospheric Station Pressure",
                    "ghi_w_m2": "Global Horizontal Radiation",
                    "dni_w_m2": "Direct Normal Radiation",
                    "dhi_w_m2": "Diffuse Horizontal Radiation", "wind_speed_m_s": "Wind Speed"}
_EPW_RESOURCE = {13: "ghi_w_m2", 14: "dni_w_m2", 15: "dhi_w_m2", 21: "wind_speed_m_s"}
_EPW_RESOURCE_MISSING = {"ghi_w_m2": 9999.0, "dni_w_m2": 9999.0, "dhi_w_m2": 9999.0,
                         "wind_speed_m_s": 999.0}
# TMY3 (NREL/TP-581-43156, 2008) column headers we use, and their missing-value code.
_TMY3_COLUMNS = {"Dry-bulb (C)": "temp_air_c", "Dew-point (C)": "temp_dew_c",
                 "RHum (%)": "relative_humidity_pct", "Pressure (mbar)": "pressure_pa"}
_TMY3_RESOURCE = {"GHI (W/m^2)": "ghi_w_m2", "DNI (W/m^2)": "dni_w_m2",
                   "DHI (W/m^2)": "dhi_w_m2", "Wspd (m/s)": "wind_speed_m_s"}
_TMY3_MISSING = -9900.0


def month_of_hour() -> np.ndarray:
    """Calendar month (1-12) of each of the 8,760 hours of a typical (non-leap) year."""
    return _MONTH_OF_HOUR.copy()


def read_weather(path: str | Path, *, resource: bool = False
                 ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an EPW or TMY3 file into the canonical weather table and its metadata.

    Parameters
    ----------
    path : str or Path
        An EnergyPlus ``.epw`` file or an NREL TMY3 ``.csv`` file, optionally compressed:
        gzip, or a zip archive holding one ``.epw`` (or one ``.csv``) file.
    resource : bool
        Also read irradiance and wind speed (:data:`RESOURCE_COLUMNS`, module docstring).

    Returns
    -------
    (DataFrame, dict)
        The weather table described in the module docstring and the metadata
        ``{source, format ("epw" | "tmy3"), name, lat, lon, elevation_m, tz_hours, file}``;
        ``elevation_m`` is None when the file leaves it blank.

    Raises
    ------
    InputError
        If the file is missing, empty, truncated, of another kind, has missing or duplicated
        hours, rows of the wrong width, or values out of physical range; the message names
        the file and the line.
    """
    path = Path(path)
    lines = _read_lines(path)
    top = next(i for i, line in enumerate(lines) if line.strip())  # blank lines before line 1
    first = lines[top].lstrip("\ufeff")
    if first.upper().startswith("LOCATION,"):
        return _read_epw(path, lines, top, resource)
    if len(lines) > top + 1 and lines[top + 1].lstrip().startswith("Date (MM/DD/YYYY)"):
        return _read_tmy3(path, lines, top, resource)
    raise InputError(
        f"line {top + 1}: not a weather file (expected an EPW file starting with 'LOCATION,' or "
        "an NREL TMY3 file whose second line starts with 'Date (MM/DD/YYYY)')",
        file=path,
    )


def _read_lines(path: Path) -> list[str]:
    raw, _name = read_input_bytes(path, what="weather", suffixes=(".epw", ".csv"))
    if b"\x00" in raw[:4096]:
        raise InputError("line 1: not a weather file (binary content)", file=path)
    text = raw.decode("utf-8", errors="replace")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError("the weather file is empty", file=path)
    return lines


def _number(text: str, path: Path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"line {line}: expected a number for {what}, got '{_shown(text)}'",
                         file=path) from None
    if not np.isfinite(value):
        raise InputError(f"line {line}: expected a finite number for {what}, got "
                         f"'{_shown(text)}'", file=path)
    return value


def _shown(text: str) -> str:
    """A cell as quoted in a message: stripped, on one line, at most 40 characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:37] + "..."


def _fields(line: str) -> list[str]:
    """The comma-separated fields of a header record; quotes may protect commas in names."""
    return [f.strip() for f in next(csv.reader([line]), [])]


def _read_data_rows(rows: list[str], usecols: list[int]) -> pd.DataFrame:
    # Data rows hold no quoted fields; QUOTE_NONE keeps a stray quote from swallowing lines.
    return pd.read_csv(io.StringIO("\n".join(rows)), header=None, usecols=usecols, dtype=str,
                       engine="c", keep_default_na=False, quoting=csv.QUOTE_NONE)


def _check_location(meta: dict[str, Any], path: Path, line: int) -> None:
    for key, low, high in (("lat", -90, 90), ("lon", -180, 180), ("tz_hours", -12, 14),
                           ("elevation_m", -500, 9000)):
        value = meta[key]
        if value is not None and not low <= value <= high:
            raise InputError(f"line {line}: {key} is {value:g}, expected {low} to {high}",
                             file=path)


# --------------------------------------------------------------------------------------- EPW
def _read_epw(path: Path, lines: list[str], top: int, resource: bool = False
              ) -> tuple[pd.DataFrame, dict[str, Any]]:
    meta = _epw_location(path, lines[top], top + 1)
    header_end = next((i for i in range(top, min(top + 20, len(lines)))
                       if lines[i].upper().startswith("DATA PERIODS")), None)
    if header_end is None:
        raise InputError("no 'DATA PERIODS' header record in the first 20 lines (truncated or "
                         "not an EPW file)", file=path)
    records_per_hour = _epw_records_per_hour(path, lines[header_end], header_end + 1)
    first_data = header_end + 1
    data = lines[first_data:]
    for k, row in enumerate(data):
        n = row.count(",") + 1
        if n != _EPW_FIELDS:
            raise InputError(f"line {first_data + k + 1}: {n} comma-separated fields, expected "
                             f"{_EPW_FIELDS} in an EPW data row", file=path)
    expected = HOURS_PER_YEAR * records_per_hour
    leap = (HOURS_PER_YEAR + 24) * records_per_hour
    if len(data) not in (expected, leap):
        raise InputError(
            f"line {first_data + len(data)}: the file ends after {len(data)} data rows, expected "
            f"{expected} hourly rows (truncated or not a full year)", file=path)
    names = {**_EPW_COLUMNS, **(_EPW_RESOURCE if resource else {})}
    cols = sorted(names)
    raw = _read_data_rows(data, cols)
    raw.columns = [names[c] for c in cols]
    frame = _to_numbers(raw, path, first_data + 1)
    frame, line_of_row = _drop_leap_day(frame, path, first_data + 1, expected)
    if records_per_hour > 1:
        # Sub-hourly files: average the records of each hour.
        frame = frame.groupby(np.arange(len(frame)) // records_per_hour).mean()
        line_of_row = line_of_row[::records_per_hour]
    _check_calendar(frame, path, line_of_row)
    for name, code in {**_EPW_MISSING, **_EPW_RESOURCE_MISSING}.items():
        if name in frame.columns:
            frame.loc[frame[name] >= code, name] = np.nan
    return _finish(frame, meta, path, line_of_row, _EPW_FIELD_NAMES, resource)


def _epw_location(path: Path, record: str, line: int) -> dict[str, Any]:
    loc = _fields(record)
    if len(loc) < 10:
        raise InputError(f"line {line}: the LOCATION record has {len(loc)} fields, expected 10",
                         file=path)
    meta = {
        "source": loc[4] or "EPW",
        "format": "epw",
        "name": ", ".join(p for p in (loc[1], loc[2], loc[3]) if p and p != "-"),
        "lat": _number(loc[6], path, line, "latitude"),
        "lon": _number(loc[7], path, line, "longitude"),
        "tz_hours": _number(loc[8], path, line, "time zone"),
        # Elevation only matters when pressure is missing; _finish says so then.
        "elevation_m": _number(loc[9], path, line, "elevation") if loc[9] else None,
        "file": str(path),
    }
    _check_location(meta, path, line)
    return meta


def _epw_records_per_hour(path: Path, record: str, line: int) -> int:
    period = _fields(record)
    if len(period) < 3 or not period[2]:
        return 1
    if not period[2].isdigit() or not 1 <= int(period[2]) <= 60:
        raise InputError(f"line {line}: the DATA PERIODS record gives {_shown(period[2])} "
                         "records per hour, expected a whole number from 1 to 60", file=path)
    return int(period[2])


def _drop_leap_day(frame: pd.DataFrame, path: Path, first_line: int,
                   expected: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows without 29 February, and the file line of each row kept.

    A leap year has 24 hours more; the typical year has 365 days, so 29 February goes (the
    usual practice of EnergyPlus and pvlib). A leap-year file that already left it out is
    an ordinary 8,760-hour file.
    """
    lines = np.arange(len(frame)) + first_line
    keep = ~((frame["month"] == 2) & (frame["day"] == 29)).to_numpy()
    if keep.all():
        if len(frame) > expected:
            raise InputError(f"line {int(lines[expected])}: {len(frame)} data rows but no "
                             "29 February; expected the hours of one year", file=path)
        return frame, lines
    frame = frame[keep].reset_index(drop=True)
    return frame, lines[keep]


# -------------------------------------------------------------------------------------- TMY3
def _read_tmy3(path: Path, lines: list[str], top: int, resource: bool = False
               ) -> tuple[pd.DataFrame, dict[str, Any]]:
    meta = _tmy3_station(path, lines[top], top + 1)
    header = [h.strip() for h in lines[top + 1].split(",")]
    missing = [h for h in _TMY3_COLUMNS if h not in header]
    if missing:
        raise InputError(f"line {top + 2}: the header has no column '{missing[0]}'", file=path)
    first_data = top + 3  # 1-based line of the first data row
    data = lines[top + 2:]
    if not data:
        raise InputError(f"line {top + 2}: the file ends after its header, expected "
                         f"{HOURS_PER_YEAR} hourly rows", file=path)
    width = len(header)
    for k, row in enumerate(data):
        n = row.count(",") + 1
        if n != width:
            raise InputError(f"line {k + first_data}: {n} comma-separated fields, expected "
                             f"{width} as in the header", file=path)
    if len(data) > HOURS_PER_YEAR + 24:
        raise InputError(f"line {HOURS_PER_YEAR + 24 + first_data}: more than "
                         f"{HOURS_PER_YEAR + 24} hourly rows", file=path)
    wanted = {**_TMY3_COLUMNS, **({h: n for h, n in _TMY3_RESOURCE.items() if h in header}
                                  if resource else {})}
    usecols = [header.index(h) for h in ("Date (MM/DD/YYYY)", "Time (HH:MM)", *wanted)]
    order = np.argsort(usecols)  # pandas returns usecols in file order
    frame = _read_data_rows(data, usecols)
    frame.columns = np.array(["date", "time", *wanted.values()])[order]
    date = frame["date"].str.split("/", expand=True)
    if date.shape[1] != 3:
        raise InputError(f"line {first_data}: expected dates as MM/DD/YYYY", file=path)
    frame["month"], frame["day"] = date[0], date[1]
    frame["hour"] = frame["time"].str.split(":").str[0]
    out = _to_numbers(frame[["month", "day", "hour", *wanted.values()]], path, first_data)
    out, line_of_row = _drop_leap_day(out, path, first_data, HOURS_PER_YEAR)
    _check_calendar(out, path, line_of_row)
    for name in wanted.values():
        out.loc[out[name] <= _TMY3_MISSING, name] = np.nan
    out["pressure_pa"] *= 100.0  # mbar -> Pa
    names = {v: k for k, v in wanted.items()}
    return _finish(out, meta, path, line_of_row, names, resource)


def _tmy3_station(path: Path, record: str, line: int) -> dict[str, Any]:
    head = _fields(record)
    if len(head) < 7:
        raise InputError(f"line {line}: the TMY3 station record has {len(head)} fields, "
                         "expected 7", file=path)
    meta = {
        "source": "NREL TMY3",
        "format": "tmy3",
        "name": f"{head[1]}, {head[2]}",
        "tz_hours": _number(head[3], path, line, "time zone"),
        "lat": _number(head[4], path, line, "latitude"),
        "lon": _number(head[5], path, line, "longitude"),
        "elevation_m": _number(head[6], path, line, "elevation") if head[6] else None,
        "file": str(path),
    }
    _check_location(meta, path, line)
    return meta


# ------------------------------------------------------------------------------------ common
def _to_numbers(raw: pd.DataFrame, path: Path, first_line: int) -> pd.DataFrame:
    """Columns of text to floats; an empty cell is missing, anything else a finite number.

    'inf' is refused like 'nan': only the format's own missing codes (99.9, 999...) and empty
    cells mean missing, else an infinite value would pass as a missing code and be filled.
    """
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        text = raw[name].astype(str).str.strip()
        out[name] = pd.to_numeric(text, errors="coerce")
        bad = ~np.isfinite(out[name].to_numpy(float)) & (text != "").to_numpy()
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            kind = "a finite number" if np.isinf(out[name].iloc[k]) else "a number"
            raise InputError(f"line {first_line + k}: expected {kind} for {name}, got "
                             f"'{_shown(text.iloc[k])}'", file=path)
    return out


def _check_calendar(frame: pd.DataFrame, path: Path, line_of_row: np.ndarray) -> None:
    """Every hour of the typical year once, in order; else name the first wrong line."""
    got = frame[["month", "day", "hour"]].to_numpy()
    n = min(len(got), HOURS_PER_YEAR)
    expected = np.column_stack([_MONTH_OF_HOUR, _DAY_OF_HOUR, _HOUR_ENDING])[:n]
    wrong = np.flatnonzero(np.any(got[:n] != expected, axis=1))
    if wrong.size:
        k = int(wrong[0])
        m, d, h = expected[k]
        gm, gd, gh = (int(v) if np.isfinite(v) else -1 for v in got[k])
        raise InputError(
            f"line {int(line_of_row[k])}: expected month {m} day {d} hour {h}, found month {gm} "
            f"day {gd} hour {gh} (missing, duplicated or unordered hours)", file=path)
    if len(got) > HOURS_PER_YEAR:
        raise InputError(f"line {int(line_of_row[HOURS_PER_YEAR])}: more than {HOURS_PER_YEAR} "
                         "hours after 31 December 24:00", file=path)
    if len(got) < HOURS_PER_YEAR:
        last = int(line_of_row[-1]) if len(line_of_row) else 0
        raise InputError(f"line {last}: the file ends after {len(got)} hours, expected "
                         f"{HOURS_PER_YEAR} (missing hours or truncated)", file=path)


def _fill_gaps(values: np.ndarray, name: str, path: Path, line_of_row: np.ndarray,
               label: str) -> np.ndarray:
    missing = np.isnan(values)
    if not missing.any():
        return values
    if missing.all():
        raise InputError(f"line {int(line_of_row[0])}: every value of {label} is missing",
                         file=path)
    # Length of each run of missing hours (the year wraps: a gap may span New Year).
    edges = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long = np.flatnonzero(stops - starts > MAX_GAP_HOURS)
    if long.size:
        k = int(starts[long[0]])
        raise InputError(
            f"line {int(line_of_row[k])}: {int(stops[long[0]] - k)} consecutive hours of {label} "
            f"are missing, at most {MAX_GAP_HOURS} can be filled", file=path)
    hours = np.arange(values.size)
    good = ~missing
    return np.interp(hours, hours[good], values[good], period=values.size)


def _fill_pressure(p: np.ndarray, meta: dict[str, Any], path: Path, line_of_row: np.ndarray,
                   label: str) -> np.ndarray:
    """Missing pressure from the standard atmosphere at the station's elevation.

    Without an elevation there is nothing honest to fill it with: at 1,500 m a sea-level
    guess overstates pressure by 17 % and shifts the wet-bulb, so the file is refused.
    """
    missing = np.isnan(p)
    if not missing.any():
        return p
    if meta["elevation_m"] is None:
        k = int(np.flatnonzero(missing)[0])
        raise InputError(f"line {int(line_of_row[k])}: {label} is missing and the location "
                         "record gives no elevation to compute it from; add the station "
                         "elevation (m) to the first line", file=path)
    return np.where(missing, pressure_from_elevation_pa(meta["elevation_m"]), p)


def _finish(frame: pd.DataFrame, meta: dict[str, Any], path: Path, line_of_row: np.ndarray,
            labels: dict[str, str], resource: bool = False
            ) -> tuple[pd.DataFrame, dict[str, Any]]:
    cols = {name: frame[name].to_numpy(dtype=float).copy() for name in _LIMITS}
    for name, (low, high, unit) in _LIMITS.items():
        v = cols[name]
        bad = np.flatnonzero((v < low) | (v > high))
        if bad.size:
            k = int(bad[0])
            raise InputError(f"line {int(line_of_row[k])}: {labels[name]} is {v[k]:g} {unit}, "
                             f"expected {low:g} to {high:g} {unit}", file=path)
    t, td, rh, p = (cols[n] for n in ("temp_air_c", "temp_dew_c", "relative_humidity_pct",
                                        "pressure_pa"))
    t = _fill_gaps(t, "temp_air_c", path, line_of_row, labels["temp_air_c"])
    # Dew point from RH where only RH is present, before filling the remaining gaps.
    need = np.isnan(td) & ~np.isnan(rh)
    if need.any():
        td[need] = dew_point_from_rh_c(t[need], rh[need])
    td = _fill_gaps(td, "temp_dew_c", path, line_of_row, labels["temp_dew_c"])
    # Rounding in the files can put the dew point a tenth above the dry-bulb: saturated air.
    td = np.minimum(td, t)
    p = _fill_pressure(p, meta, path, line_of_row, labels["pressure_pa"])
    rh = np.where(np.isnan(rh), relative_humidity_pct(t, td), rh)
    table = pd.DataFrame({
        "temp_air_c": t,
        "temp_dew_c": td,
        "relative_humidity_pct": np.clip(rh, 0.0, 100.0),
        "pressure_pa": p,
        "temp_wet_c": wet_bulb_c(t, td, p),
        "month": _MONTH_OF_HOUR,
    })
    table.index.name = "hour"
    if resource:
        meta["warnings"] = _add_resource(table, frame, path, line_of_row, labels)
    return table, meta


def _add_resource(table: pd.DataFrame, frame: pd.DataFrame, path: Path,
                  line_of_row: np.ndarray, labels: dict[str, str]) -> list[str]:
    """Irradiance and wind columns into ``table``; the warnings for those left out."""
    warnings = []
    for name in RESOURCE_COLUMNS:
        if name not in frame.columns:
            warnings.append(f"{path.name}: no {name} column; solar or wind falls back to the "
                            "climate normals")
            continue
        v = frame[name].to_numpy(dtype=float).copy()
        if np.isnan(v).all():
            warnings.append(f"{path.name}: every value of {labels[name]} is missing; the "
                            f"column {name} is left out")
            continue
        low, high, unit = _RESOURCE_LIMITS[name]
        bad = np.flatnonzero((v < low) | (v > high))
        if bad.size:
            k = int(bad[0])
            raise InputError(f"line {int(line_of_row[k])}: {labels[name]} is {v[k]:g} {unit}, "
                             f"expected {low:g} to {high:g} {unit}", file=path)
        table[name] = _fill_gaps(v, name, path, line_of_row, labels[name])
    return warnings
