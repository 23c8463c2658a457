"""Readers of published hourly exports: values labelled by the UTC instant each interval starts.

=========== ============================================== ===============================
format      time column read                               label in the file
=========== ============================================== ===============================
eia930      "UTC Time at End of Hour" (else "Local Time     hour END: one hour is taken off
            at End of Hour", else "Data Date" + "Hour
            Number")
entsoe      "MTU (CET/CEST)" / "MTU (UTC)" ranges           "start - end": the start is read
            "01.01.2023 00:00 - 01.01.2023 01:00"
gridstatus  interval_start_utc, Interval Start,             interval start
            interval_start_local, Time
cambium     timestamp_local (local standard time), else     interval start
            timestamp (Eastern Standard Time, assumption)
csv         timestamp (ISO 8601; naive needs --tz)          interval start
=========== ============================================== ===============================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.hourly import mix
from planner.hourly.tables import find_column, numbers, pick_rows, read_table
from planner.hourly.timebase import localize, parse_instants, standard_offset

DEFAULT_EUR_USD = 1.0824
"""USD per EUR: ECB euro reference rate, annual average 2024 (source id ``ecb-eur-usd-2024``)."""

UNITS = {
    "price": "USD/MWh",
    "carbon": "gCO2/kWh",
    "carbon-lifecycle": "gCO2e/kWh",
    "cfe-share": "share",
    "demand": "MW",
}


@dataclass
class ReadOptions:
    """What the command line says about the file beyond its format."""

    zone: str | None = None
    """IANA zone of naive stamps (``--tz`` or the region's zone)."""
    quantity: str | None = None
    column: str | None = None
    select: str | None = None
    """Balancing authority (EIA-930) or location (gridstatus) when the file holds several."""
    eur_usd: float = DEFAULT_EUR_USD


@dataclass
class HourlySource:
    """Values read from an export, indexed by the UTC instant each interval starts."""

    values: pd.Series
    quantity: str
    unit: str
    column: str
    notes: list[str] = field(default_factory=list)


def _series(values: np.ndarray, instants: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=instants)


def _guess_quantity(name: str) -> str | None:
    low = name.lower()
    for pattern, quantity in (
        (r"cfe|carbon.free", "cfe-share"),
        (r"co2|carbon|emission", "carbon"),
        (r"price|lmp|spp|cost|eur|usd", "price"),
        (r"load|demand", "demand"),
    ):
        if re.search(pattern, low):
            return quantity
    return None


def _value_column(frame: pd.DataFrame, skip: set[str], opt: ReadOptions, path: Path) -> str:
    """``--column`` or the one column left once time and label columns are set aside."""
    if opt.column is not None:
        found = find_column(frame, opt.column)
        if found is None:
            raise InputError(
                f"no column '{opt.column}' (the file has {', '.join(frame.columns[:8])})",
                file=path,
                field=opt.column,
            )
        return found
    left = [c for c in frame.columns if c.lower() not in skip and c.strip() != ""]
    if len(left) == 1:
        return left[0]
    raise InputError(
        f"the file has {len(left)} value columns ({', '.join(left[:8])}); choose one with --column",
        file=path,
    )


# --- generic csv -------------------------------------------------------------------------------

_TIME_NAMES = ("timestamp", "datetime", "time", "date", "time_utc", "timestamp_utc")


def read_generic(path: Path, opt: ReadOptions) -> HourlySource:
    """``timestamp`` (ISO 8601, interval start) and one numeric value column."""
    frame = read_table(path, "hourly", lambda cells: any(c.lower() in _TIME_NAMES for c in cells))
    time_col = find_column(frame, *_TIME_NAMES)
    if time_col is None:
        raise InputError("expected a 'timestamp' column", file=path, field="timestamp")
    skip = {time_col.lower(), "hour", "unnamed: 0"}
    col = _value_column(frame, skip, opt, path)
    quantity = opt.quantity or _guess_quantity(col)
    if quantity is None:
        raise InputError(
            f"cannot tell what column '{col}' holds; give --quantity", file=path, field=col
        )
    instants = parse_instants(frame[time_col], zone=opt.zone, path=path, field=time_col)
    values = numbers(frame[col], path, col)
    return HourlySource(_series(values, instants), quantity, UNITS[quantity], col)


# --- gridstatus --------------------------------------------------------------------------------

_GS_TIME = (
    "interval_start_utc",
    "interval start",
    "interval_start_local",
    "time",
    "interval_start",
)
_GS_END = ("interval_end_utc", "interval end", "interval_end_local", "interval_end")
_GS_META = {
    *_GS_TIME,
    *_GS_END,
    "location",
    "location type",
    "location_type",
    "market",
    "respondent",
    "ba",
    "zone",
    "publish time",
    "publish_time_utc",
    "publish_time_local",
}
_GS_BY_QUANTITY = {"price": ("lmp", "spp", "price"), "demand": ("load", "demand")}


def read_gridstatus(path: Path, opt: ReadOptions) -> HourlySource:
    """A CSV written by the gridstatus library (``df.to_csv``): LMPs, load or fuel mix."""
    names = {*_GS_TIME, *_GS_END}
    frame = read_table(path, "gridstatus", lambda cells: any(c.lower() in names for c in cells))
    frame = frame.drop(columns=[c for c in frame.columns if c.lower() in {"", "unnamed: 0"}])
    frame = pick_rows(frame, find_column(frame, "location"), opt.select, path, "--location")
    instants = _gridstatus_instants(frame, opt, path)
    quantity = opt.quantity
    value_cols = [c for c in frame.columns if c.lower() not in _GS_META]
    if quantity in mix.QUANTITIES and opt.column is None:
        cols = {c: numbers(frame[c], path, c) for c in value_cols if mix.fuel_of(c)}
        values, unit, notes = mix.mix_quantity(mix.fuel_frame(cols, path), quantity)
        return HourlySource(_series(values, instants), quantity, unit, "fuel mix", notes)
    col = opt.column
    if col is None and quantity in _GS_BY_QUANTITY:
        col = find_column(frame, *_GS_BY_QUANTITY[quantity])
    col = col or _value_column(
        frame, {c.lower() for c in frame.columns} - {c.lower() for c in value_cols}, opt, path
    )
    found = find_column(frame, col)
    if found is None:
        raise InputError(f"no column '{col}'", file=path, field=col)
    quantity = quantity or _guess_quantity(found)
    if quantity is None:
        raise InputError(f"cannot tell what '{found}' holds; give --quantity", file=path)
    values = numbers(frame[found], path, found)
    return HourlySource(_series(values, instants), quantity, UNITS[quantity], found)


def _gridstatus_instants(frame: pd.DataFrame, opt: ReadOptions, path: Path) -> pd.DatetimeIndex:
    """Interval starts; from interval ends minus the step when only ends are there."""
    start = find_column(frame, *_GS_TIME)
    column = start or find_column(frame, *_GS_END)
    if column is None:
        raise InputError("expected an 'interval_start_utc' or 'Time' column", file=path)
    zone = "UTC" if "utc" in column.lower() else opt.zone
    instants = parse_instants(frame[column], zone=zone, path=path, field=column)
    if start is None:
        step = pd.Series(instants).diff().median()
        instants = instants - (step if pd.notna(step) else pd.Timedelta(hours=1))
    return instants


# --- Cambium -----------------------------------------------------------------------------------

_CAMBIUM_DEFAULT = {
    "carbon": ("aer_load_co2_c", "aer_load_co2e"),
    "carbon-lifecycle": ("aer_load_co2e",),
    "price": ("energy_cost_enduse", "total_cost_enduse"),
}


def read_cambium(path: Path, opt: ReadOptions) -> HourlySource:
    """An NREL Cambium hourly CSV: metadata lines, then ``timestamp``, ``timestamp_local``...

    Emission rates are kg/MWh (= g/kWh), costs USD/MWh of the release's dollar year.
    """
    frame = read_table(path, "Cambium", lambda cells: "timestamp" in [c.lower() for c in cells])
    col = opt.column
    if col is None:
        for name in _CAMBIUM_DEFAULT.get(opt.quantity or "carbon", ()):
            if find_column(frame, name):
                col = name
                break
    skip = {"timestamp", "timestamp_local", "t", "hour", "", "unnamed: 0"}
    col = find_column(frame, col) if col else _value_column(frame, skip, opt, path)
    if col is None:
        raise InputError(f"no column '{opt.column}'", file=path, field=str(opt.column))
    quantity = opt.quantity or _guess_quantity(col) or "carbon"
    values = numbers(frame[col], path, col)
    instants, notes = _cambium_instants(frame, opt, path)
    if len(instants) > len(values):  # an 8,760-hour leap year: 30 December stands in for 31
        values = np.concatenate([values, values[-24:]])
    return HourlySource(_series(values, instants), quantity, UNITS[quantity], col, notes)


def _cambium_instants(
    frame: pd.DataFrame, opt: ReadOptions, path: Path
) -> tuple[pd.DatetimeIndex, list[str]]:
    local = find_column(frame, "timestamp_local")
    column = local or "timestamp"
    naive = pd.DatetimeIndex(pd.to_datetime(frame[column].str.strip(), errors="coerce"))
    if naive.isna().any():
        row = int(np.flatnonzero(naive.isna())[0])
        raise InputError("expected a date and time", file=path, row=row + 1, field=column)
    notes = []
    leap = (naive.month == 2) & (naive.day == 29)
    if leap.any() and len(naive) == 8760:
        naive = naive.append(naive[-24:] + pd.Timedelta(days=1))
        notes.append("an 8,760-hour leap year: 30 December copied to 31 December")
    if local is not None and opt.zone is not None:
        offset = standard_offset(opt.zone, int(naive[0].year))
        notes.append("timestamp_local read as local standard time (Cambium has no DST)")
        return (naive - offset).tz_localize("UTC"), notes
    notes.append("timestamp read as Eastern Standard Time, UTC-5 (assumption)")
    return localize(naive, "Etc/GMT+5", path=path, field=column), notes


# --- EIA-930 -----------------------------------------------------------------------------------

_EIA_FUEL = re.compile(r"^net generation \(mw\) from (.+?)(?: \((adjusted|imputed)\))?$", re.I)


def read_eia930(path: Path, opt: ReadOptions) -> HourlySource:
    """An EIA-930 balance file (six-month download or a balancing authority's file)."""
    frame = read_table(
        path,
        "EIA-930",
        lambda cells: (
            any("end of hour" in c.lower() for c in cells) or ("Balancing Authority" in cells)
        ),
    )
    frame = pick_rows(frame, find_column(frame, "Balancing Authority"), opt.select, path, "--ba")
    instants = _eia_instants(frame, opt, path)
    quantity = opt.quantity or "carbon"
    if quantity == "demand":
        col = find_column(frame, "Demand (MW) (Adjusted)") or find_column(frame, "Demand (MW)")
        if col is None:
            raise InputError("expected a 'Demand (MW)' column", file=path)
        return HourlySource(_series(numbers(frame[col], path, col), instants), quantity, "MW", col)
    values, unit, notes = mix.mix_quantity(_eia_fuels(frame, path), quantity)
    return HourlySource(_series(values, instants), quantity, unit, "fuel mix", notes)


def _eia_fuels(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """MW per fuel: the '(Adjusted)' column where it has a value, else the plain one."""
    plain: dict[str, str] = {}
    adjusted: dict[str, str] = {}
    for col in frame.columns:
        match = _EIA_FUEL.match(col.strip())
        if match and match.group(2) is None:
            plain[match.group(1)] = col
        elif match and match.group(2).lower() == "adjusted":
            adjusted[match.group(1)] = col
    columns = {}
    for name in {*plain, *adjusted}:
        best = numbers(frame[adjusted[name]], path, adjusted[name]) if name in adjusted else None
        raw = numbers(frame[plain[name]], path, plain[name]) if name in plain else None
        columns[name] = (
            raw if best is None else best if raw is None else np.where(np.isnan(best), raw, best)
        )
    split = [n for n in columns if "excluding pumped" in n.lower()]
    combined = [n for n in columns if "hydropower and pumped" in n.lower()]
    for name in combined:  # newer files split hydro; keep the combined column only where not
        for other in split:
            columns[name] = np.where(np.isnan(columns[other]), columns[name], np.nan)
    return mix.fuel_frame(dict(sorted(columns.items())), path)


def _eia_instants(frame: pd.DataFrame, opt: ReadOptions, path: Path) -> pd.DatetimeIndex:
    """Hour starts: UTC end of hour minus one hour (else local end, else date + hour number)."""
    hour = pd.Timedelta(hours=1)
    utc = find_column(frame, "UTC Time at End of Hour")
    if utc is not None:
        return parse_instants(frame[utc], zone="UTC", path=path, field=utc) - hour
    local = find_column(frame, "Local Time at End of Hour")
    if local is not None:
        ends = frame[local].astype(str).str.strip()
        return _local_hour_ends(ends, opt, path, local)
    date, number = find_column(frame, "Data Date"), find_column(frame, "Hour Number")
    if date is None or number is None:
        raise InputError("expected a 'UTC Time at End of Hour' column", file=path)
    if opt.zone is None:
        raise InputError("local hours need the time zone: give --tz", file=path)
    days = pd.DatetimeIndex(pd.to_datetime(frame[date].str.strip(), format="mixed"))
    midnight = localize(days, opt.zone, path=path, field=date)
    counts = numbers(frame[number], path, number)
    return midnight + pd.to_timedelta(counts - 1, unit="h")


def _local_hour_ends(ends: pd.Series, opt: ReadOptions, path: Path, col: str) -> pd.DatetimeIndex:
    """Local hour ends (wall clock, with DST) as UTC hour starts."""
    return parse_instants(ends, zone=opt.zone, path=path, field=col) - pd.Timedelta(hours=1)


# --- ENTSO-E -----------------------------------------------------------------------------------

_ENTSOE_ZONES = {
    "UTC": "UTC",
    "CET/CEST": "Europe/Brussels",
    "CET": "Europe/Brussels",
    "EET/EEST": "Europe/Athens",
    "WET/WEST": "Europe/Lisbon",
    "GMT/BST": "Europe/London",
}
_SUFFIX_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "BST": 1,
    "WEST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
}
_MTU_START = re.compile(
    r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s+(\d{1,2}):(\d{2})(?::\d{2})?"
    r"\s*(?:\(([A-Z]+)\))?"
)
_GEN_COLUMN = re.compile(r"^(.+?) - actual aggregated\s*[\[(]mw[\])]$", re.I)


def read_entsoe(path: Path, opt: ReadOptions) -> HourlySource:
    """An ENTSO-E Transparency Platform export: day-ahead prices or generation per type."""
    frame = read_table(
        path, "ENTSO-E", lambda cells: any(c.upper().startswith(("MTU", "TIME (")) for c in cells)
    )
    frame = frame.rename(columns=lambda c: c.strip())
    mtu = next(c for c in frame.columns if c.upper().startswith(("MTU", "TIME (")))
    sequence = find_column(frame, "Sequence")
    notes: list[str] = []
    if sequence is not None and frame[sequence].nunique() > 1:
        first = frame[sequence].iloc[0]
        frame = frame[frame[sequence] == first].reset_index(drop=True)
        notes.append(f"rows of '{first}' only ({sequence})")
    instants = _entsoe_instants(frame[mtu], mtu, path)
    price = next(
        (
            c
            for c in frame.columns
            if "price" in c.lower() and "mwh" in c.lower() and "intraday" not in c.lower()
        ),
        None,
    )
    gen = {c: _GEN_COLUMN.match(c).group(1) for c in frame.columns if _GEN_COLUMN.match(c)}
    quantity = opt.quantity or ("price" if price else "carbon")
    if quantity == "price":
        if price is None:
            raise InputError("expected a 'Day-ahead Price [EUR/MWh]' column", file=path)
        if "eur" not in price.lower():
            raise InputError(f"expected prices in EUR/MWh, got '{price}'", file=path, field=price)
        values = numbers(frame[price], path, price) * opt.eur_usd
        notes.append(f"EUR converted at {opt.eur_usd:g} USD/EUR")
        return HourlySource(_series(values, instants), quantity, "USD/MWh", price, notes)
    cols = {name: numbers(frame[c], path, c) for c, name in gen.items()}
    values, unit, mix_notes = mix.mix_quantity(mix.fuel_frame(cols, path), quantity)
    return HourlySource(_series(values, instants), quantity, unit, "fuel mix", notes + mix_notes)


def _entsoe_instants(cells: pd.Series, column: str, path: Path) -> pd.DatetimeIndex:
    """Starts of "dd.mm.yyyy HH:MM - dd.mm.yyyy HH:MM" ranges; "(CET)"/"(CEST)" tags honoured."""
    inside = re.search(r"\(([^)]*)\)", column)
    zone = _ENTSOE_ZONES.get(inside.group(1).strip().upper() if inside else "CET/CEST")
    if zone is None:
        raise InputError(f"unknown time base in '{column}'", file=path, field=column)
    parts = cells.astype(str).str.extract(_MTU_START)
    bad = np.flatnonzero(parts[0].isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise InputError(
            f"expected a range such as '01.01.2023 00:00 - 01.01.2023 01:00', got "
            f"'{str(cells.iloc[row])[:40]}'",
            file=path,
            row=row + 1,
            field=column,
        )
    naive = pd.DatetimeIndex(
        pd.to_datetime(
            pd.DataFrame(
                {
                    "year": parts[2].astype(int),
                    "month": parts[1].astype(int),
                    "day": parts[0].astype(int),
                    "hour": parts[3].astype(int),
                    "minute": parts[4].astype(int),
                }
            )
        )
    )
    instants = localize(naive, zone, path=path, field=column)
    tag = parts[5].fillna("").str.upper().map(_SUFFIX_HOURS)
    tagged = tag.notna().to_numpy()
    if tagged.any():  # an explicit "(CET)" / "(CEST)" beats the order rule
        exact = naive - pd.to_timedelta(tag.fillna(0).to_numpy(), unit="h")
        instants = pd.DatetimeIndex(np.where(tagged, exact.tz_localize("UTC"), instants))
    return (
        pd.DatetimeIndex(instants).tz_convert("UTC")
        if instants.tz
        else pd.DatetimeIndex(instants).tz_localize("UTC")
    )


READERS: dict[str, Callable[[Path, ReadOptions], HourlySource]] = {
    "eia930": read_eia930,
    "entsoe": read_entsoe,
    "gridstatus": read_gridstatus,
    "cambium": read_cambium,
    "csv": read_generic,
}
