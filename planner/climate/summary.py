"""Figures that describe a typical year at a glance (``planner climate summary``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# (key, column, operator, threshold C, what it means)
THRESHOLDS: list[tuple[str, str, str, float, str]] = [
    ("hours_dry_bulb_below_18c", "temp_air_c", "<", 18.0,
     "airside economizer, conservative 18 C supply"),
    ("hours_dry_bulb_below_24c", "temp_air_c", "<", 24.0,
     "airside economizer, 24 C supply"),
    ("hours_dry_bulb_below_27c", "temp_air_c", "<", 27.0,
     "airside economizer at the ASHRAE recommended 27 C limit"),
    ("hours_wet_bulb_below_12c", "temp_wet_c", "<", 12.0,
     "full waterside economizer for 18 C chilled water (3.9 K tower + 2.2 K exchanger)"),
    ("hours_wet_bulb_below_22c", "temp_wet_c", "<", 22.0,
     "partial waterside economizer for 28 C return water"),
    ("hours_dew_point_above_17c", "temp_dew_c", ">", 17.0,
     "too humid for outside air (ASHRAE A1 allowable dew point limit)"),
]


def summarize_weather(table: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    """Location, hours, dry-bulb/wet-bulb statistics and hours beyond economizer thresholds.

    Parameters
    ----------
    table, meta
        A weather table and its metadata (:func:`planner.climate.read_weather`).

    Returns
    -------
    dict
        Plain JSON-ready values: ``format, source, name, lat, lon, elevation_m, tz_hours, file,
        hours``, ``temp_air_c`` and ``temp_wet_c`` as ``{mean, min, max}``, ``temp_dew_c_mean``,
        ``relative_humidity_pct_mean``, the :data:`THRESHOLDS` hour counts under ``thresholds``
        and monthly means under ``monthly``.
    """
    def stats(col: str) -> dict[str, float]:
        v = table[col].to_numpy(dtype=float)
        return {"mean": float(v.mean()), "min": float(v.min()), "max": float(v.max())}

    thresholds = []
    for key, col, op, value, meaning in THRESHOLDS:
        v = table[col].to_numpy(dtype=float)
        hours = int(np.count_nonzero(v < value if op == "<" else v > value))
        thresholds.append({"key": key, "hours": hours, "meaning": meaning})
    monthly = table.groupby("month")[["temp_air_c", "temp_wet_c", "temp_dew_c"]].mean()
    return {
        **{k: meta.get(k) for k in ("format", "source", "name", "lat", "lon", "elevation_m",
                                     "tz_hours", "file")},
        "hours": int(len(table)),
        "temp_air_c": stats("temp_air_c"),
        "temp_wet_c": stats("temp_wet_c"),
        "temp_dew_c_mean": float(table["temp_dew_c"].mean()),
        "relative_humidity_pct_mean": float(table["relative_humidity_pct"].mean()),
        "thresholds": thresholds,
        "monthly": [
            {"month": int(m), "temp_air_c": float(r.temp_air_c), "temp_wet_c": float(r.temp_wet_c),
             "temp_dew_c": float(r.temp_dew_c)}
            for m, r in monthly.iterrows()
        ],
    }
