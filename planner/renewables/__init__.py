"""Solar and wind generation profiles per site, for 24/7 carbon-free matching (pure core).

Public functions
----------------
profiles_from_weather(weather, meta) -> (solar_cf, wind_cf)
    From a file read with ``read_weather(path, resource=True)``.
profiles_from_normals(lat, lon, elevation_m, tz_hours, normals, site_ids, countries) -> Profiles
    For sites without a weather file (docs/renewables.md).
"""

from __future__ import annotations

from planner.renewables.profiles import (
    Profiles,
    load_wind_resource,
    profiles_from_normals,
    profiles_from_weather,
    wind_targets,
)
from planner.renewables.solar import PVSystem
from planner.renewables.wind import Turbine

__all__ = [
    "PVSystem",
    "Profiles",
    "Turbine",
    "load_wind_resource",
    "profiles_from_normals",
    "profiles_from_weather",
    "wind_targets",
]
