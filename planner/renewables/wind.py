"""Onshore wind output per MW installed, from measured wind or a calibrated synthetic year.

- Height: power law ``v_hub = v_10 (h_hub / 10)^alpha`` with ``alpha = 1/7``, the classic
  neutral-stability exponent (Peterson and Hennessey 1978, J. Appl. Meteorol. 17, 390-394).
  Airport anemometers at 10 m with 1/7 understate modern hub-height resources in many places
  (night-time shear is larger): the measured-wind profile is conservative.
- Air density: ideal gas, dry air (``rho = p / (287.05 T)``); power scales with it below
  rated speed (IEC 61400-12-1 normalises power curves the same way).
- Power curve: a generic pitch-regulated turbine with the parameters of the IEA Wind 3.4 MW
  reference turbine (Bortolotti et al. 2019, IEA Wind TCP Task 37, NREL/TP-5000-73492): rated
  3.37 MW at 9.8 m/s, cut-in 4 m/s, cut-out 25 m/s, rotor 130 m, hub 110 m. Between cut-in
  and rated the power follows ``1/2 rho A Cp v^3`` with the constant power coefficient that
  reaches rated power at rated speed at 1.225 kg/m3 (Cp = 0.44); that is our simplification
  of the published curve, not the curve itself.
- Losses: 15 % (wakes, availability, electrical, curtailment): an **estimate** in the usual
  range of wind resource assessments, not a published figure.

Sites without measured wind get a synthetic year (:func:`synthetic_wind_cf`): Rayleigh-
distributed hub-height speeds (Weibull k = 2) with hour-to-hour persistence, scaled per site
so the annual capacity factor equals a published regional figure (data/wind_resource.csv).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

HOURS_PER_YEAR = 8760
RHO_STD_KG_M3 = 1.225
R_DRY_J_KG_K = 287.05
AR1_PHI_HOURLY = 0.9
"""Lag-1 correlation of each Gaussian component of the synthetic wind (speed ~0.8): an
**estimate** for hourly means at hub height, where weather systems last a day or more."""
SEASONAL_AMPLITUDE = 0.08
"""Relative swing of the synthetic mean speed over the year, peaking in early April in the
north (**estimate**; U.S. wind output peaks in March-April and is lowest in July-August,
EIA Today in Energy, 2022)."""


@dataclass(frozen=True)
class Turbine:
    """A generic onshore turbine and its site losses (module docstring for the sources)."""

    hub_height_m: float = 100.0
    rated_speed_m_s: float = 9.8
    cut_in_m_s: float = 4.0
    cut_out_m_s: float = 25.0
    losses: float = 0.15
    shear_exponent: float = 1.0 / 7.0
    measurement_height_m: float = 10.0


def hub_speed_m_s(speed_m_s: ArrayLike, turbine: Turbine | None = None) -> np.ndarray:
    """Wind speed at hub height [m/s] from the anemometer height by the power law."""
    t = turbine or Turbine()
    ratio = (t.hub_height_m / t.measurement_height_m) ** t.shear_exponent
    return np.asarray(speed_m_s, dtype=float) * ratio


def air_density_kg_m3(pressure_pa: ArrayLike, temp_air_c: ArrayLike) -> np.ndarray:
    """Dry-air density [kg/m3] (ideal gas)."""
    return np.asarray(pressure_pa, float) / (R_DRY_J_KG_K * (np.asarray(temp_air_c) + 273.15))


def power_fraction(
    speed_hub_m_s: ArrayLike,
    density_kg_m3: ArrayLike = RHO_STD_KG_M3,
    turbine: Turbine | None = None,
) -> np.ndarray:
    """Output over rated power (0-1) before losses, by the constant-Cp curve."""
    t = turbine or Turbine()
    v = np.asarray(speed_hub_m_s)
    cubic = (np.asarray(density_kg_m3) / RHO_STD_KG_M3) * (v / t.rated_speed_m_s) ** 3
    running = (v >= t.cut_in_m_s) & (v < t.cut_out_m_s)
    return np.where(running, np.minimum(cubic, 1.0), 0.0)


def wind_cf_from_speed(
    speed_10m_m_s: ArrayLike,
    pressure_pa: ArrayLike,
    temp_air_c: ArrayLike,
    turbine: Turbine | None = None,
) -> np.ndarray:
    """Hourly output per MW installed (after losses) from 10 m wind, pressure and temperature.

    Parameters
    ----------
    speed_10m_m_s : array_like
        Wind speed at the anemometer [m/s], shape (..., 8760).
    pressure_pa, temp_air_c : array_like
        Station pressure [Pa] and dry-bulb [C], broadcastable to the speeds.
    """
    t = turbine or Turbine()
    rho = air_density_kg_m3(pressure_pa, temp_air_c)
    out = power_fraction(hub_speed_m_s(speed_10m_m_s, t), rho, t) * (1.0 - t.losses)
    return out.astype(np.float32)


def _rayleigh_shape(keys: Sequence[Any], seed: int, lat_deg: np.ndarray) -> np.ndarray:
    """Unit-mean hourly speed multipliers (n, 8760): |Gaussian AR(1) pair|, seasonal swing.

    The modulus of two independent unit Gaussians is Rayleigh-distributed (Weibull k = 2),
    so each hour's marginal is Rayleigh whatever the persistence.
    """
    n = len(keys)
    spin = 200
    shocks = np.empty((2, n, HOURS_PER_YEAR + spin))
    for k, key in enumerate(keys):  # only the random streams are per site
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(str(key).encode())])
        shocks[:, k] = rng.standard_normal((2, HOURS_PER_YEAR + spin))
    x = shocks * np.sqrt(1.0 - AR1_PHI_HOURLY**2)
    for h in range(1, x.shape[2]):  # vectorised over sites; a loop over hours
        x[:, :, h] += AR1_PHI_HOURLY * x[:, :, h - 1]
    speed = np.hypot(x[0, :, spin:], x[1, :, spin:]) / np.sqrt(np.pi / 2.0)
    day = np.arange(HOURS_PER_YEAR) / 24.0
    north = np.where(np.asarray(lat_deg) >= 0.0, 1.0, -1.0)[:, None]
    season = 1.0 + SEASONAL_AMPLITUDE * north * np.cos(2.0 * np.pi * (day - 95.0) / 365.0)
    return (speed * season).astype(np.float32)


def synthetic_wind_cf(
    target_cf: ArrayLike,
    keys: Sequence[Any],
    lat_deg: ArrayLike,
    density_kg_m3: ArrayLike = RHO_STD_KG_M3,
    seed: int = 0,
    turbine: Turbine | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic hourly wind year per site whose annual capacity factor is ``target_cf``.

    Parameters
    ----------
    target_cf : array_like, shape (n,)
        Annual output per MW installed after losses (e.g. a national fleet average).
    keys : sequence
        One key per site (site id): its random stream depends only on ``(seed, key)``.
    lat_deg : array_like, shape (n,)
        Latitude [deg]; the hemisphere sets the season.
    density_kg_m3 : array_like
        Air density [kg/m3], scalar, (n,) or (n, 8760).

    Returns
    -------
    (wind_cf, mean_hub_speed_m_s) : ndarrays (n, 8760) float32 and (n,)
        Targets beyond the curve's reach (above about 0.55 after 15 % losses) get the
        highest factor reachable; the mean speed then says so.
    """
    t = turbine or Turbine()
    target = np.atleast_1d(np.asarray(target_cf, dtype=float))
    shape = _rayleigh_shape(list(keys), seed, np.atleast_1d(np.asarray(lat_deg, float)))
    rho = np.asarray(density_kg_m3, dtype=np.float32)
    rho = rho[:, None] if rho.ndim == 1 else rho
    lo, hi = np.full(target.size, 0.5), np.full(target.size, 14.0)
    for _ in range(24):  # bisection on the mean speed; CF rises with it below ~14 m/s
        mid = (lo + hi) / 2.0
        cf = power_fraction(shape * mid[:, None], rho, t).mean(axis=1) * (1.0 - t.losses)
        low = cf < target
        lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
    mean = (lo + hi) / 2.0
    out = power_fraction(shape * mean[:, None], rho, t) * (1.0 - t.losses)
    return out.astype(np.float32), mean
