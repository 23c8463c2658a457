"""Time rules for imported hourly data: instants, local standard time, one 8,760-hour year.

Every imported value is labelled by the instant its interval STARTS (readers convert the
interval ends or "start - end" ranges some sources print). From there:

1. instants are converted to the region's *local standard time*: UTC plus the zone's winter
   (standard) offset, without daylight saving, the time base of TMY weather files and of
   the planner's hour 0..8759;
2. sub-hourly values (5, 15, 30 minutes) become hourly means;
3. 29 February is dropped, so every year has 8,760 hours;
4. hours a time-zone shift pushed across New Year (at most a day) are wrapped round to the
   same hours of the neighbouring year, short gaps (at most :data:`MAX_FILLED_RUN_HOURS`
   in a row) are interpolated, and longer gaps refuse the year;
5. one year is taken (``year``) or every complete year is averaged hour by hour into a
   typical year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from planner.errors import InputError

HOURS_PER_YEAR = 8760
MAX_FILLED_RUN_HOURS = 6
"""Longest run of missing hours filled by linear interpolation (a lost DST hour, a short
outage of the publisher's feed); longer runs refuse the year. An assumption of this project."""
MAX_WRAPPED_HOURS = 24
"""A year holding at most this many hours is the spill-over of a time-zone shift (a UTC
calendar year seen in local time); its hours fill the same hours of the neighbouring year."""

_OFFSET_AT_END = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_NAIVE_FORMATS = ("ISO8601", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M")


def check_zone(zone: str, *, what: str = "time zone") -> ZoneInfo:
    """The IANA zone ``zone`` (``"America/New_York"``), or one sentence saying it is unknown."""
    try:
        return ZoneInfo(str(zone).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown {what} '{str(zone)[:40]}': expected an IANA zone such as "
            "'America/Chicago' or 'Europe/Berlin'"
        ) from None


def parse_instants(
    text: pd.Series,
    *,
    zone: str | None,
    path: object = None,
    field: str = "timestamp",
    dayfirst: bool = False,
) -> pd.DatetimeIndex:
    """Time stamps as UTC instants.

    Stamps with an offset or ``Z`` are exact. Naive stamps are wall-clock times in ``zone``;
    a repeated hour (the autumn change) is resolved by order: the first time a stamp appears
    it is daylight time, the second time standard time. A stamp that does not exist (inside
    the spring-forward gap) is refused: the file is probably in standard time, which a fixed
    zone such as ``Etc/GMT+5`` describes.

    Parameters
    ----------
    text : Series of str
        One stamp per row, in file order (row numbers in messages are 1-based positions).
    zone : str or None
        IANA zone of naive stamps; None refuses naive stamps.

    Raises
    ------
    InputError
        An unreadable or empty stamp, naive stamps without ``zone``, a mix of naive and
        aware stamps, or a nonexistent local time; naming the row.
    """
    text = text.astype(str).str.strip().reset_index(drop=True)
    if text.empty:
        raise InputError("the file has no rows of data", file=path, field=field)
    aware = text.str.contains(_OFFSET_AT_END, regex=True).to_numpy()
    if aware.any() and not aware.all():
        row = int(np.flatnonzero(~aware if aware[0] else aware)[0])
        raise InputError(
            f"'{_shown(text[row])}' mixes time stamps with and without a UTC offset",
            file=path,
            row=row + 1,
            field=field,
        )
    if aware.all():
        stamps = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
        _refuse_unread(text, stamps, path, field)
        return pd.DatetimeIndex(stamps)
    if zone is None:
        raise InputError(
            f"time stamps such as '{_shown(text[0])}' have no UTC offset; give their time zone "
            "with --tz (an IANA zone such as 'America/New_York')",
            file=path,
            row=1,
            field=field,
        )
    check_zone(zone)
    naive = _parse_naive(text, dayfirst=dayfirst)
    _refuse_unread(text, naive, path, field)
    return localize(pd.DatetimeIndex(naive), zone, path=path, field=field)


def _parse_naive(text: pd.Series, *, dayfirst: bool) -> pd.Series:
    """Naive stamps under the first format that reads every row (else pandas' mixed reader)."""
    best = None
    for fmt in _NAIVE_FORMATS:
        got = pd.to_datetime(text, format=fmt, errors="coerce")
        if not got.isna().any():
            return got
        if best is None or got.isna().sum() < best.isna().sum():
            best = got
    mixed = pd.to_datetime(text, format="mixed", dayfirst=dayfirst, errors="coerce")
    return mixed if mixed.isna().sum() <= best.isna().sum() else best


def _refuse_unread(text: pd.Series, stamps: pd.Series, path: object, field: str) -> None:
    bad = np.flatnonzero(pd.isna(stamps.to_numpy()))
    if bad.size:
        cell = text[int(bad[0])]
        got = "an empty cell" if cell == "" else f"'{_shown(cell)}'"
        raise InputError(
            f"expected a date and time such as 2023-01-01T00:00:00Z, got {got}",
            file=path,
            row=int(bad[0]) + 1,
            field=field,
        )


def _shown(cell: str) -> str:
    return cell.encode("unicode_escape").decode("ascii")[:40]


def localize(
    naive: pd.DatetimeIndex, zone: str, *, path: object = None, field: str = "timestamp"
) -> pd.DatetimeIndex:
    """Naive wall-clock times in ``zone`` as UTC instants (repeats by order, gaps refused)."""
    first_seen = ~naive.duplicated(keep="first")
    local = naive.tz_localize(zone, ambiguous=first_seen, nonexistent="NaT")
    gap = np.flatnonzero(local.isna() & ~naive.isna())
    if gap.size:
        row = int(gap[0])
        raise InputError(
            f"{naive[row]:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip that hour "
            "in spring); if the file is in standard time all year, give a fixed zone such as "
            "--tz Etc/GMT+5 (UTC-5)",
            file=path,
            row=row + 1,
            field=field,
        )
    return local.tz_convert("UTC")


def standard_offset(zone: str, year: int) -> pd.Timedelta:
    """The zone's standard (winter) UTC offset in ``year``: the smallest offset it uses.

    Equals ``utcoffset - dst`` in both hemispheres; for Europe/Dublin, which the time zone
    database describes with a negative DST in winter, it gives GMT, the clock weather files
    use.
    """
    check_zone(zone)
    probe = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="7D", tz="UTC")
    offsets = probe.tz_convert(zone).tz_localize(None) - probe.tz_localize(None)
    return pd.Timedelta(offsets.min())


def to_local_standard(instants: pd.DatetimeIndex, zone: str) -> pd.DatetimeIndex:
    """UTC instants as naive local standard times in ``zone`` (no daylight saving)."""
    utc = pd.DatetimeIndex(instants).tz_convert("UTC").tz_localize(None)
    years = np.unique(utc.year)
    offset = {int(y): standard_offset(zone, int(y)) for y in years}
    shift = pd.to_timedelta(pd.Series(utc.year).map(offset).to_numpy())
    return utc + shift


@dataclass
class LocalYear:
    """One year of 8,760 hourly values in local standard time and how it was made.

    ``values[0]`` is 00:00-01:00 local standard time on 1 January.
    """

    values: np.ndarray
    years_used: list[int]
    years_left_out: list[int] = field(default_factory=list)
    filled_hours: int = 0
    wrapped_hours: int = 0
    leap_day_hours: int = 0
    sub_hourly_rows: int = 0
    notes: list[str] = field(default_factory=list)


def hour_of_year(local: pd.DatetimeIndex) -> np.ndarray:
    """Position 0..8759 of each local hour in its year, counting as if 29 February did not exist."""
    after_leap_day = local.is_leap_year & (local.month > 2)
    day = local.day_of_year.to_numpy() - 1 - after_leap_day.astype(int)
    return day * 24 + local.hour.to_numpy()


def year_hours(year: int) -> pd.DatetimeIndex:
    """The 8,760 local hours of ``year`` without 29 February."""
    hours = pd.date_range(f"{year}-01-01", periods=8784 if _leap(year) else 8760, freq="h")
    return hours[~((hours.month == 2) & (hours.day == 29))]


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def typical_year(
    values: pd.Series, zone: str, *, year: int | None = None, path: object = None
) -> LocalYear:
    """One 8,760-hour year in local standard time from values labelled by UTC interval start.

    Parameters
    ----------
    values : Series of float
        Index: tz-aware instants where each interval starts; NaN marks a missing value.
    zone : str
        IANA zone of the region; its standard offset defines local standard time.
    year : int, optional
        Take this local year; default: the hour-by-hour mean of every complete year.

    Raises
    ------
    InputError
        The asked year is absent or has a gap over :data:`MAX_FILLED_RUN_HOURS` hours, or no
        year is complete; one sentence saying which dates are missing.
    """
    local = to_local_standard(pd.DatetimeIndex(values.index), zone)
    series = pd.Series(values.to_numpy(dtype=float), index=local).dropna()
    if series.empty:
        raise InputError("the file holds no values", file=path)
    hourly = series.groupby(series.index.floor("h")).mean()
    leap_day = (hourly.index.month == 2) & (hourly.index.day == 29)
    hourly = hourly[~leap_day]
    table = _year_table(hourly)
    out = LocalYear(np.empty(0), [], leap_day_hours=int(leap_day.sum()))
    out.sub_hourly_rows = int(len(series) - len(hourly) - leap_day.sum())
    out.wrapped_hours = _wrap_spill_over(table)
    filled = {y: _fill_short_gaps(row) for y, row in table.items()}
    gaps = {y: missing for y, (missing, _) in filled.items()}
    complete = [y for y, missing in gaps.items() if missing.size == 0]
    if year is not None:
        if year not in table:
            raise InputError(f"no values for {year}; {_coverage(hourly)}", file=path)
        if gaps[year].size:
            raise InputError(_gap_sentence(year, gaps[year], hourly), file=path)
        complete = [year]
    if not complete:
        worst = max(table, key=lambda y: np.isfinite(table[y]).sum())
        raise InputError(_gap_sentence(worst, gaps[worst], hourly), file=path)
    out.values = np.mean([table[y] for y in complete], axis=0)
    out.years_used = complete
    out.years_left_out = [y for y in table if y not in complete and year is None]
    out.filled_hours = sum(filled[y][1] for y in complete)
    return out


def _year_table(hourly: pd.Series) -> dict[int, np.ndarray]:
    """Year -> 8,760 values (NaN where missing) by local hour of year."""
    table: dict[int, np.ndarray] = {}
    years = hourly.index.year.to_numpy()
    positions = hour_of_year(pd.DatetimeIndex(hourly.index))
    for y in np.unique(years):
        row = np.full(HOURS_PER_YEAR, np.nan)
        pick = years == y
        row[positions[pick]] = hourly.to_numpy()[pick]
        table[int(y)] = row
    return table


def _wrap_spill_over(table: dict[int, np.ndarray]) -> int:
    """Move the hours of a spill-over year into its neighbours' empty hours; count them."""
    moved = 0
    for y in sorted(table):
        row = table[y]
        if np.isfinite(row).sum() > MAX_WRAPPED_HOURS or len(table) == 1:
            continue
        for other in (y + 1, y - 1):
            target = table.get(other)
            if target is not None and np.isfinite(target).sum() > MAX_WRAPPED_HOURS:
                take = np.isfinite(row) & ~np.isfinite(target)
                target[take] = row[take]
                moved += int(take.sum())
        del table[y]
    return moved


def _fill_short_gaps(row: np.ndarray) -> tuple[np.ndarray, int]:
    """Interpolate runs of at most MAX_FILLED_RUN_HOURS missing hours in place.

    Returns the positions inside longer runs (the row is then left as it was) and the
    number of hours filled.
    """
    missing = ~np.isfinite(row)
    if not missing.any():
        return np.empty(0, dtype=int), 0
    run_id = np.cumsum(np.diff(np.concatenate(([0], missing.astype(int)))) == 1) * missing
    lengths = np.bincount(run_id)
    long_run = missing & (lengths[run_id] > MAX_FILLED_RUN_HOURS)
    if long_run.any():
        return np.flatnonzero(long_run), 0
    known = np.flatnonzero(~missing)
    row[missing] = np.interp(np.flatnonzero(missing), known, row[known])
    return np.empty(0, dtype=int), int(missing.sum())


def _coverage(hourly: pd.Series) -> str:
    first, last = hourly.index.min(), hourly.index.max()
    return f"the file covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"


def _gap_sentence(year: int, missing: np.ndarray, hourly: pd.Series) -> str:
    """'... covers A to B, expected one whole year' or '... missing on D1 to D2, D3'."""
    dates = year_hours(year)[missing].normalize().unique()
    ranges = _date_ranges(dates)
    shown = ", ".join(ranges[:4]) + (f" and {len(ranges) - 4} more" if len(ranges) > 4 else "")
    at_ends = dates[0].day_of_year == 1 or (dates[-1].month, dates[-1].day) == (12, 31)
    if len(ranges) <= 2 and at_ends:
        lacks = f"{year} lacks {shown}, local standard time"
        return f"{_coverage(hourly)}, expected one whole year ({lacks})"
    return (
        f"{year} has gaps longer than {MAX_FILLED_RUN_HOURS} hours, on {shown} "
        "(local standard time); export those dates or choose another --year"
    )


def _date_ranges(dates: pd.DatetimeIndex) -> list[str]:
    """Consecutive dates as 'A to B' ranges, single dates alone."""
    out: list[str] = []
    start = prev = dates[0]
    for day in [*dates[1:], None]:
        if day is not None and (day - prev).days == 1:
            prev = day
            continue
        out.append(f"{start:%Y-%m-%d}" if start == prev else f"{start:%Y-%m-%d} to {prev:%Y-%m-%d}")
        if day is not None:
            start = prev = day
    return out
