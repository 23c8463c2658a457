"""Entry points: hourly solar and wind output per MW at each site, from a weather file or
from climate normals (docs/renewables.md).

``profiles_from_weather`` uses a file read with ``read_weather(path, resource=True)``;
``profiles_from_normals`` serves the sites without one: solar from the temperature normals
(:mod:`planner.renewables.radiation`), wind from a published regional capacity factor
(data/wind_resource.csv) shaped by a synthetic year (:func:`synthetic_wind_cf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.climate.psychro import pressure_from_elevation_pa
from planner.climate.synth import _DAILY, synthesize_years
from planner.errors import InputError
from planner.paths import data_dir
from planner.renewables.radiation import (
    KRS_INLAND,
    erbs_split,
    hargreaves_daily_mj_m2,
    hourly_ghi_w_m2,
)
from planner.renewables.solar import PVSystem, pv_output, sun_hours
from planner.renewables.wind import (
    Turbine,
    air_density_kg_m3,
    hub_speed_m_s,
    synthetic_wind_cf,
    wind_cf_from_speed,
)

WIND_RESOURCE_COLUMNS = ["country", "onshore_wind_cf", "period", "source", "year", "note"]


@dataclass(frozen=True)
class Profiles:
    """Hourly output per MW installed (MW AC per MW AC for solar), shape (n, 8760), and a
    sentence per site saying where each came from."""

    solar_cf: np.ndarray
    wind_cf: np.ndarray
    solar_basis: list[str]
    wind_basis: list[str]


def profiles_from_weather(
    weather: pd.DataFrame,
    meta: dict[str, Any],
    *,
    pv: PVSystem | None = None,
    turbine: Turbine | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Solar and wind output per MW, shape (8760,), from a weather table with resource columns.

    Parameters
    ----------
    weather, meta :
        From ``read_weather(path, resource=True)``.
    pv, turbine : optional
        The plant models; their defaults if None.

    Returns
    -------
    (solar_cf, wind_cf) : float32 ndarrays (8760,) or None
        None for a technology whose columns the file lacks (use the normals for it). Solar
        needs ``ghi_w_m2``; without ``dni_w_m2`` or ``dhi_w_m2`` they come from the Erbs
        split of GHI. Without ``wind_speed_m_s`` the cell temperature uses 1 m/s.
    """
    t = weather["temp_air_c"].to_numpy(dtype=float)
    wind = (
        wind_cf_from_speed(
            weather["wind_speed_m_s"].to_numpy(float),
            weather["pressure_pa"].to_numpy(float),
            t,
            turbine,
        )
        if "wind_speed_m_s" in weather.columns
        else None
    )
    if "ghi_w_m2" not in weather.columns:
        return None, wind
    sun = sun_hours([meta["lat"]], [meta["lon"]], [meta["tz_hours"]])
    ghi = weather["ghi_w_m2"].to_numpy(dtype=float)[None, :]
    if {"dni_w_m2", "dhi_w_m2"} <= set(weather.columns):
        dni = weather["dni_w_m2"].to_numpy(dtype=float)[None, :]
        dhi = weather["dhi_w_m2"].to_numpy(dtype=float)[None, :]
    else:
        dni, dhi = erbs_split(ghi, sun)
    ws = weather["wind_speed_m_s"].to_numpy(float) if "wind_speed_m_s" in weather else 1.0
    solar = pv_output(sun, ghi, dni, dhi, t[None, :], ws, pv)[0]
    return solar, wind


def load_wind_resource(path: str | Path | None = None) -> pd.DataFrame:
    """The table of regional onshore wind capacity factors, indexed by ``country``."""
    path = Path(path) if path is not None else data_dir() / "wind_resource.csv"
    frame = pd.read_csv(path, dtype={"country": str}, keep_default_na=False)
    missing = [c for c in WIND_RESOURCE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"no column '{missing[0]}'", file=path, field=missing[0])
    cf = pd.to_numeric(frame["onshore_wind_cf"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~((cf > 0.0) & (cf < 0.7)))
    if bad.size:
        raise InputError(
            f"expected a capacity factor between 0 and 0.7, got "
            f"'{frame['onshore_wind_cf'].iloc[bad[0]]}'",
            file=path,
            row=int(bad[0]) + 1,
            field="onshore_wind_cf",
        )
    if "*" not in set(frame["country"]):
        raise InputError("no default row (country '*')", file=path, field="country")
    frame["onshore_wind_cf"] = cf
    return frame.set_index("country")


def wind_targets(
    countries: Sequence[str], table: pd.DataFrame | None = None
) -> tuple[np.ndarray, list[str]]:
    """Annual onshore capacity factor per site from its country, and the basis sentence."""
    table = load_wind_resource() if table is None else table
    rows = [table.loc[c] if c in table.index else table.loc["*"] for c in countries]
    basis = [
        f"synthetic wind year scaled to {r['onshore_wind_cf']:.3f} ({r['source']}, "
        f"{r['period']}{'' if c in table.index else ', default for other countries'})"
        for c, r in zip(countries, rows, strict=True)
    ]
    return np.array([r["onshore_wind_cf"] for r in rows], dtype=float), basis


def daily_temperatures_c(
    normals_long: pd.DataFrame, site_ids: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Daily mean Tmax and Tmin (n, 365) interpolated from the monthly normals (mean-
    preserving, as in the synthetic years)."""
    wide = normals_long.pivot_table(
        index="site_id", columns="month", values=["temp_max_c", "temp_min_c"], aggfunc="mean"
    )
    wide = wide.reindex(index=list(site_ids))
    tmax = wide["temp_max_c"].reindex(columns=range(1, 13)).to_numpy(dtype=float)
    tmin = wide["temp_min_c"].reindex(columns=range(1, 13)).to_numpy(dtype=float)
    if np.isnan(tmax).any() or np.isnan(tmin).any():
        k = int(np.flatnonzero(np.isnan(tmax).any(axis=1) | np.isnan(tmin).any(axis=1))[0])
        raise InputError(
            f"site '{list(site_ids)[k]}' does not have normals for all 12 months", field="month"
        )
    return tmax @ _DAILY.T, tmin @ _DAILY.T


def profiles_from_normals(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    elevation_m: ArrayLike,
    tz_hours: ArrayLike | None,
    normals_long: pd.DataFrame,
    site_ids: Sequence[Any],
    countries: Sequence[str],
    *,
    seed: int = 0,
    krs: ArrayLike = KRS_INLAND,
    pv: PVSystem | None = None,
    turbine: Turbine | None = None,
    wind_table: pd.DataFrame | None = None,
) -> Profiles:
    """Solar and wind profiles for n sites (or climate cases) without a weather file.

    Parameters
    ----------
    lat_deg, lon_deg, elevation_m : array_like, shape (n,)
        Site position [deg] and elevation [m].
    tz_hours : array_like (n,) or None
        Standard UTC offset [h]; ``round(lon / 15)`` where None or NaN (the nautical time
        zone: can be an hour off real zones).
    normals_long : DataFrame
        ``site_id, month, temp_max_c, temp_min_c, temp_dew_c`` rows, 12 per site_id (as for
        :func:`planner.climate.synthesize_years`).
    site_ids : sequence
        Row order of the outputs; also the keys of the random streams.
    countries : sequence of str
        ISO2 country per site for the wind capacity factor (data/wind_resource.csv).
    seed : int
        Seed of the synthetic temperatures and winds.
    krs : array_like
        Hargreaves coefficient per site: 0.16 inland (default), 0.19 coastal (FAO-56).
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    tz = np.full(lat.shape, np.nan) if tz_hours is None else np.asarray(tz_hours, float)
    tz = np.where(np.isfinite(tz), tz, np.round(lon / 15.0))
    ids = list(site_ids)
    temp, _dew = synthesize_years(normals_long, seed=seed, lat=lat, site_ids=ids, dtype=np.float64)
    pressure = pressure_from_elevation_pa(np.asarray(elevation_m, dtype=float))[:, None]
    target, wind_basis = wind_targets(countries, wind_table)
    wind, mean_hub = synthetic_wind_cf(
        target, ids, lat, air_density_kg_m3(pressure, temp), seed, turbine
    )
    tmax, tmin = daily_temperatures_c(normals_long, ids)
    sun = sun_hours(lat, lon, tz)
    ghi = hourly_ghi_w_m2(hargreaves_daily_mj_m2(tmax, tmin, lat, elevation_m, krs), sun)
    dni, dhi = erbs_split(ghi, sun)
    # Cell temperature needs 10 m wind: the synthetic year's mean brought down by the shear.
    ws10 = (mean_hub / hub_speed_m_s(1.0, turbine))[:, None]
    solar = pv_output(sun, ghi, dni, dhi, temp, ws10, pv)
    solar_basis = [
        "Hargreaves-Samani radiation from the temperature normals (FAO-56), mean "
        "day per month, Erbs split"
    ] * len(ids)
    return Profiles(solar, wind, solar_basis, wind_basis)
