"""Climate: weather files, psychrometrics and synthetic typical years (pure core, no Qt).

Public functions
----------------
read_weather(path) -> (DataFrame, dict)
    EPW or TMY3 file into the canonical weather table (see :mod:`planner.climate.weather`).
wet_bulb_c, dew_point_from_rh_c, relative_humidity_pct, pressure_from_elevation_pa
    Vectorised exact psychrometrics (see :mod:`planner.climate.psychro`).
synthesize_year, synthesize_years
    Typical years from monthly normals (see :mod:`planner.climate.synth`).
summarize_weather
    Figures for ``planner climate summary`` (see :mod:`planner.climate.summary`).
"""

from __future__ import annotations

from planner.climate.psychro import (
    dew_point_from_rh_c,
    humidity_ratio,
    humidity_ratio_from_wet_bulb,
    pressure_from_elevation_pa,
    relative_humidity_pct,
    saturation_pressure_pa,
    wet_bulb_c,
    wet_bulb_stull_c,
)
from planner.climate.synth import normals_from_weather, synthesize_year, synthesize_years
from planner.climate.weather import HOURS_PER_YEAR, WEATHER_COLUMNS, month_of_hour, read_weather

__all__ = [
    "HOURS_PER_YEAR",
    "WEATHER_COLUMNS",
    "dew_point_from_rh_c",
    "humidity_ratio",
    "humidity_ratio_from_wet_bulb",
    "month_of_hour",
    "normals_from_weather",
    "pressure_from_elevation_pa",
    "read_weather",
    "relative_humidity_pct",
    "saturation_pressure_pa",
    "synthesize_year",
    "synthesize_years",
    "wet_bulb_c",
    "wet_bulb_stull_c",
]
