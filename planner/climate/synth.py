"""Synthetic typical years from monthly climate normals, seeded and vectorised over sites.

Method (documented in docs/cooling.md, "Synthetic years"):

1. **Daily climatology.** The 12 monthly means of daily maximum, daily minimum and dew point
   are turned into 365 daily values by periodic piecewise-linear interpolation between
   mid-month points whose heights are solved so that each month's mean of the daily values
   equals its normal exactly (a 12 x 12 linear system, the same for every site).
2. **Day-to-day variability.** A first-order autoregressive anomaly (lag-1 correlation
   :data:`AR1_PHI`) with standard deviation ``max(0.8, 0.11 |lat|) * (1 + 0.35 cos(...))``
   [K] (larger in local winter) is added to the daily maximum and minimum, and
   :data:`DEW_ANOMALY_SLOPE` times it plus an independent AR(1) part (:data:`DEW_OWN_FRACTION`
   of the deviation) to the dew point; the anomalies are re-centred within each
   month so monthly means still equal the normals. The coefficients were fitted to six NREL
   TMY3 stations (Chicago, Tampa, Golden, Dulles, Greensboro, Sand Point): within-month
   standard deviation of daily mean temperature 1.1-3.1 K in summer, 4-6.4 K in winter.
3. **Diurnal cycle.** Hourly dry-bulb follows a cosine rising from the daily minimum at 06:00
   to the maximum at 15:00 and a cosine falling to the next day's minimum.
4. **Dew point** follows the daily value (no diurnal swing) and is capped by the dry-bulb; the
   moisture removed by the cap on humid nights is returned to the month's other hours so the
   monthly mean dew point still equals its normal.

Each site's random stream depends only on ``(seed, site_id)``, so a site gets the same year
whichever other sites are synthesised with it.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.climate.psychro import pressure_from_elevation_pa, relative_humidity_pct, wet_bulb_c
from planner.climate.weather import HOURS_PER_YEAR, month_of_hour
from planner.errors import InputError

AR1_PHI = 0.67
"""Lag-1 autocorrelation of daily temperature anomalies (median of the six fitted stations)."""
DEW_ANOMALY_SLOPE = 0.8
"""Dew-point anomaly per kelvin of temperature anomaly (fitted: 0.3 dry, 1.0-1.2 humid)."""
DEW_OWN_FRACTION = 0.5
"""Independent dew-point anomaly, as a share of the temperature anomaly's deviation (fitted:
residual 0.4-0.6 of it at the humid stations)."""
HOUR_OF_MIN = 6.0
HOUR_OF_MAX = 15.0
NORMAL_COLUMNS = ["month", "temp_max_c", "temp_min_c", "temp_dew_c"]

_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MONTH_OF_DAY = np.repeat(np.arange(12), _DAYS)
_MONTH_OF_HOUR = month_of_hour()
_MID = np.cumsum(_DAYS) - _DAYS / 2.0  # mid-month day position (days from 1 January 00:00)


def _daily_operator() -> np.ndarray:
    """(365, 12) matrix mapping 12 monthly normals to mean-preserving daily values."""
    day = np.arange(365) + 0.5
    # Periodic linear interpolation weights from mid-month nodes.
    nodes = np.concatenate([_MID - 365, _MID, _MID + 365])
    interp = np.zeros((365, 12))
    for k in range(12):
        values = np.zeros(36)
        values[[k, k + 12, k + 24]] = 1.0
        interp[:, k] = np.interp(day, nodes, values)
    averaging = np.zeros((12, 365))
    averaging[_MONTH_OF_DAY, np.arange(365)] = 1.0 / _DAYS[_MONTH_OF_DAY]
    # Node heights x with averaging @ interp @ x = normals.
    return interp @ np.linalg.inv(averaging @ interp)


_DAILY = _daily_operator()


def _hourly_shape() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per hour of a day: weights on (previous max, today's min, today's max, next min)."""
    h = np.arange(24) + 0.5  # hour-ending stamps: the middle of each hour
    w = np.zeros((4, 24))
    rise = (h >= HOUR_OF_MIN) & (h < HOUR_OF_MAX)
    x = (h - HOUR_OF_MIN) / (HOUR_OF_MAX - HOUR_OF_MIN)
    w[1, rise] = (1 + np.cos(np.pi * x[rise])) / 2
    w[2, rise] = 1 - w[1, rise]
    fall_span = 24.0 - (HOUR_OF_MAX - HOUR_OF_MIN)
    late = h >= HOUR_OF_MAX
    y = (h - HOUR_OF_MAX) / fall_span
    w[2, late] = (1 + np.cos(np.pi * y[late])) / 2
    w[3, late] = 1 - w[2, late]
    early = h < HOUR_OF_MIN
    y = (h + 24.0 - HOUR_OF_MAX) / fall_span
    w[0, early] = (1 + np.cos(np.pi * y[early])) / 2
    w[1, early] = 1 - w[0, early]
    return w[0], w[1], w[2], w[3]


_W_PREV_MAX, _W_MIN, _W_MAX, _W_NEXT_MIN = _hourly_shape()


def _normals_arrays(normals: pd.DataFrame, site_ids: list[Any] | None
                    ) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ["site_id", *NORMAL_COLUMNS] if c not in normals.columns]
    if missing:
        raise InputError(f"climate normals have no column '{missing[0]}'", field=missing[0])
    frame = normals.reset_index(drop=True)
    for col in ("month", "temp_max_c", "temp_min_c", "temp_dew_c"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(values.to_numpy(dtype=float)))
        if bad.size:
            raise InputError(f"expected a number, got '{frame[col].iloc[bad[0]]}'",
                             row=int(bad[0]) + 1, field=col)
        frame[col] = values
    bad = np.flatnonzero(~frame["month"].isin(range(1, 13)).to_numpy())
    if bad.size:
        raise InputError("expected a month 1-12", row=int(bad[0]) + 1, field="month")
    bad = np.flatnonzero((frame["temp_max_c"] < frame["temp_min_c"]).to_numpy())
    if bad.size:
        raise InputError("the mean daily maximum is below the mean daily minimum",
                         row=int(bad[0]) + 1, field="temp_max_c")
    for col, (low, high) in {"temp_max_c": (-70, 55), "temp_min_c": (-80, 45),
                             "temp_dew_c": (-80, 35)}.items():
        bad = np.flatnonzero(((frame[col] < low) | (frame[col] > high)).to_numpy())
        if bad.size:
            raise InputError(f"{frame[col].iloc[bad[0]]:g} C is outside {low} to {high} C",
                             row=int(bad[0]) + 1, field=col)
    ids = list(pd.unique(frame["site_id"])) if site_ids is None else list(site_ids)
    wide = frame.pivot_table(index="site_id", columns="month",
                             values=["temp_max_c", "temp_min_c", "temp_dew_c"], aggfunc="mean")
    wide = wide.reindex(index=ids)
    counts = frame.groupby("site_id")["month"].nunique().reindex(ids)
    incomplete = counts.index[counts.fillna(0).to_numpy() < 12]
    if len(incomplete):
        raise InputError(f"site '{incomplete[0]}' does not have normals for all 12 months",
                         field="month")

    def block(name: str) -> np.ndarray:
        return wide[name].reindex(columns=range(1, 13)).to_numpy(dtype=float)

    return ids, block("temp_max_c"), block("temp_min_c"), block("temp_dew_c")


def _anomalies(ids: list[Any], seed: int, lat: np.ndarray) -> np.ndarray:
    """(2, n, 365) daily anomalies [K] of temperature and dew point, AR(1), re-centred per
    month, seeded per site."""
    n = len(ids)
    shocks = np.empty((2, n, 365 + 60))
    for k, site in enumerate(ids):  # only the random streams are per site; the maths is not
        key = zlib.crc32(str(site).encode("utf-8"))
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, key])
        shocks[:, k] = rng.standard_normal((2, 425))
    # Unit-variance AR(1): x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, with 60 days of spin-up;
    # a loop over days, vectorised over sites (scipy.signal.lfilter costs ~1 s to import).
    ar = shocks * np.sqrt(1 - AR1_PHI**2)
    for day in range(1, ar.shape[2]):
        ar[:, :, day] += AR1_PHI * ar[:, :, day - 1]
    ar = ar[:, :, 60:]
    day = np.arange(365) + 0.5
    north = np.where(lat >= 0, 1.0, -1.0)[:, None]
    # Local winter peaks mid-January in the north, mid-July in the south.
    seasonal = 1.0 + 0.35 * north * np.cos(2 * np.pi * (day - 15.0) / 365.0)[None, :]
    sigma = np.maximum(0.8, 0.11 * np.abs(lat))[:, None] * seasonal
    anomaly = ar * sigma  # [0]: temperature, [1]: dew point's own part
    anomaly[1] = DEW_ANOMALY_SLOPE * anomaly[0] + DEW_OWN_FRACTION * anomaly[1]
    for m in range(12):  # 12 slices, vectorised over sites
        cols = _MONTH_OF_DAY == m
        anomaly[:, :, cols] -= anomaly[:, :, cols].mean(axis=2, keepdims=True)
    return anomaly


def synthesize_years(
    normals_long: pd.DataFrame,
    elevation_m: ArrayLike | None = None,
    seed: int = 0,
    *,
    lat: ArrayLike | None = None,
    site_ids: list[Any] | None = None,
    dtype: type = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Hourly dry-bulb and dew point for many sites from monthly normals.

    Parameters
    ----------
    normals_long : DataFrame
        Columns ``site_id, month (1-12), temp_max_c, temp_min_c, temp_dew_c``: mean daily
        maximum and minimum dry-bulb and mean dew point [C], 12 rows per site.
    elevation_m : array_like, optional
        Site elevations [m] in output order; not needed for dry-bulb and dew point (accepted so
        callers can pass it with the normals; use :func:`pressure_from_elevation_pa` for wet-bulb).
    seed : int
        Seed of the random day-to-day variability.
    lat : array_like, optional
        Latitudes [deg] in output order; set the size of day-to-day variability (45 deg if
        omitted).
    site_ids : list, optional
        Output row order; the order of first appearance in ``normals_long`` by default.
    dtype : numpy dtype
        float32 by default (8760 x 1000 sites = 35 MB per array).

    Returns
    -------
    (temp_air_c, temp_dew_c) : ndarrays of shape (n_sites, 8760)
    """
    ids, tmax, tmin, tdew = _normals_arrays(normals_long, site_ids)
    n = len(ids)
    lat_a = np.full(n, 45.0) if lat is None else np.broadcast_to(np.asarray(lat, float), (n,))
    del elevation_m  # documented above: pressure does not enter dry-bulb or dew point
    anomaly = _anomalies(ids, seed, lat_a)
    dmax = tmax @ _DAILY.T + anomaly[0]
    dmin = tmin @ _DAILY.T + anomaly[0]
    ddew = tdew @ _DAILY.T + anomaly[1]
    # Hourly values are a (days, 4) x (4, 24) product per site: one matrix multiplication.
    days = np.stack([np.roll(dmax, 1, axis=1), dmin, dmax, np.roll(dmin, -1, axis=1)], axis=-1)
    weights = np.stack([_W_PREV_MAX, _W_MIN, _W_MAX, _W_NEXT_MIN])
    temp = (days.reshape(-1, 4).astype(dtype) @ weights.astype(dtype)).reshape(n, HOURS_PER_YEAR)
    dew = np.repeat(ddew.astype(dtype), 24, axis=1)
    capped = np.minimum(dew, temp)
    # Capping at the dry-bulb (humid nights) lowers the month's mean dew point below its
    # normal; give the lost moisture back to the month's uncapped hours, then cap again.
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], _MONTH_OF_HOUR])))
    lost = np.add.reduceat(dew - capped, starts, axis=1, dtype=np.float64)
    uncapped = capped < temp
    free = np.add.reduceat(uncapped, starts, axis=1, dtype=np.float64)
    shift = (lost / np.maximum(free, 1.0)).astype(dtype)
    capped += np.where(uncapped, shift[:, _MONTH_OF_HOUR - 1], dtype(0.0))
    np.minimum(capped, temp, out=capped)
    return temp, capped


def synthesize_year(normals: pd.DataFrame, elevation_m: float, lat: float, seed: int = 0
                    ) -> pd.DataFrame:
    """A canonical weather table (see :func:`planner.climate.read_weather`) for one site.

    Parameters
    ----------
    normals : DataFrame
        12 rows with columns ``month, temp_max_c, temp_min_c, temp_dew_c`` [C]
        (a ``site_id`` column is optional).
    elevation_m : float
        Site elevation [m]; sets the standard-atmosphere pressure for the wet-bulb.
    lat : float
        Latitude [deg]; sets the day-to-day variability.
    seed : int
        Random seed; the same inputs and seed give the same year.
    """
    frame = normals.copy()
    if "site_id" not in frame.columns:
        frame["site_id"] = "site"
    if frame["site_id"].nunique() != 1:
        raise InputError("synthesize_year takes the normals of one site; use synthesize_years",
                         field="site_id")
    temp, dew = synthesize_years(frame, seed=seed, lat=[lat], dtype=np.float64)
    pressure = float(pressure_from_elevation_pa(elevation_m))
    t, td = temp[0], dew[0]
    table = pd.DataFrame({
        "temp_air_c": t,
        "temp_dew_c": td,
        "relative_humidity_pct": relative_humidity_pct(t, td),
        "pressure_pa": np.full(HOURS_PER_YEAR, pressure),
        "temp_wet_c": wet_bulb_c(t, td, pressure),
        "month": month_of_hour(),
    })
    table.index.name = "hour"
    return table


def normals_from_weather(table: pd.DataFrame) -> pd.DataFrame:
    """Monthly normals (mean daily max, mean daily min, mean dew point) of a weather table.

    Used to compare a synthetic year with the real year it summarises.
    """
    t = table["temp_air_c"].to_numpy().reshape(365, 24)
    td = table["temp_dew_c"].to_numpy().reshape(365, 24)
    month = _MONTH_OF_DAY + 1
    frame = pd.DataFrame({"month": month, "temp_max_c": t.max(axis=1),
                          "temp_min_c": t.min(axis=1), "temp_dew_c": td.mean(axis=1)})
    return frame.groupby("month", as_index=False).mean()
