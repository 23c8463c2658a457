"""Hourly irradiance from monthly temperature normals, for sites without a weather file.

Steps, vectorised over sites:

1. Daily global radiation by Hargreaves and Samani, as given in FAO Irrigation and Drainage
   Paper 56 (Allen, Pereira, Raes and Smith 1998): ``Rs = kRs sqrt(Tmax - Tmin) Ra`` (eq. 50)
   with ``Ra`` the extraterrestrial radiation of the day (eq. 21-25), capped at the clear-sky
   ``Rso = (0.75 + 2e-5 z) Ra`` (eq. 37). ``kRs`` is 0.16 inland and 0.19 on the coast.
   Daily Tmax and Tmin come from the monthly normals through the same mean-preserving daily
   interpolation as the synthetic years (:mod:`planner.climate.synth`).
2. Hourly global radiation: the day's total spread over its hours by the ratio of Collares-
   Pereira and Rabl (1979, Solar Energy 22, 155-164; Duffie and Beckman 2013 eq. 2.13.2),
   then rescaled so the hours add up to the day exactly.
3. Beam and diffuse: the Erbs, Klein and Duffie (1982, Solar Energy 28, 293-302) diffuse
   fraction as a function of the hourly clearness index.

Every day of a month has the same sky: the profile is a mean day, without the cloudy and
clear days of a real year (docs/renewables.md gives the effect on capacity factors).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.renewables.solar import SunHours

KRS_INLAND = 0.16
KRS_COASTAL = 0.19
_GSC_MJ_M2_MIN = 0.0820  # FAO-56 solar constant
_MJ_TO_WH = 1e6 / 3600.0
_DAY = np.arange(1, 366)


def extraterrestrial_daily_mj_m2(lat_deg: ArrayLike) -> np.ndarray:
    """Daily extraterrestrial radiation on a horizontal surface [MJ/m2/day], (n, 365).

    FAO-56 eq. 21 with eq. 23 (inverse relative distance), 24 (declination), 25 (sunset
    hour angle).
    """
    phi = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))[:, None]
    dr = 1.0 + 0.033 * np.cos(2.0 * np.pi * _DAY / 365.0)
    decl = 0.409 * np.sin(2.0 * np.pi * _DAY / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(decl), -1.0, 1.0))
    return (
        24.0
        * 60.0
        / np.pi
        * _GSC_MJ_M2_MIN
        * dr
        * (ws * np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.sin(ws))
    )


def hargreaves_daily_mj_m2(
    temp_max_c: np.ndarray,
    temp_min_c: np.ndarray,
    lat_deg: ArrayLike,
    elevation_m: ArrayLike,
    krs: ArrayLike = KRS_INLAND,
) -> np.ndarray:
    """Daily global horizontal radiation [MJ/m2/day] from daily Tmax and Tmin, (n, 365).

    FAO-56 eq. 50, capped at the clear-sky radiation of eq. 37.
    """
    ra = extraterrestrial_daily_mj_m2(lat_deg)
    col = np.atleast_1d(np.asarray(elevation_m, dtype=float))[:, None]
    krs_col = np.broadcast_to(np.asarray(krs, dtype=float), col.shape[:1])[:, None]
    rs = krs_col * np.sqrt(np.maximum(temp_max_c - temp_min_c, 0.0)) * ra
    return np.minimum(rs, (0.75 + 2e-5 * col) * ra)


def hourly_ghi_w_m2(daily_mj_m2: np.ndarray, sun: SunHours) -> np.ndarray:
    """Hour-ending global horizontal irradiance [W/m2] from daily totals, (n, 8760).

    Collares-Pereira and Rabl (1979) ratio of hourly to daily global radiation at the hour
    angle of the sunlit mid-point, renormalised per day (the ratio is for instants, the hours
    are intervals).
    """
    ws = sun.sunset_angle_rad
    w = sun.hour_angle_rad
    a = 0.409 + 0.5016 * np.sin(ws - np.pi / 3.0)
    b = 0.6609 - 0.4767 * np.sin(ws - np.pi / 3.0)
    denom = np.maximum(np.sin(ws) - ws * np.cos(ws), 1e-9)
    r = np.pi / 24.0 * (a + b * np.cos(w)) * (np.cos(w) - np.cos(ws)) / denom
    r = np.where(sun.cos_zenith > 0.0, np.maximum(r, 0.0), 0.0)
    n = r.shape[0]
    per_day = r.reshape(n, 365, 24)
    total = per_day.sum(axis=2, keepdims=True)
    share = np.divide(per_day, total, out=np.zeros_like(per_day), where=total > 0)
    return (share * (daily_mj_m2 * _MJ_TO_WH)[:, :, None]).reshape(n, 365 * 24)


def erbs_split(ghi_w_m2: np.ndarray, sun: SunHours) -> tuple[np.ndarray, np.ndarray]:
    """Direct normal and diffuse horizontal irradiance [W/m2] from global (Erbs et al. 1982).

    Diffuse fraction of the hourly clearness index ``kt = GHI / (E0 cos z)``:
    ``1 - 0.09 kt`` up to 0.22, a quartic up to 0.80, 0.165 above. Below 5 degrees of sun
    elevation everything is diffuse (kt is meaningless there).
    """
    cos_z = sun.cos_zenith
    low = cos_z < np.sin(np.radians(5.0))
    kt = np.clip(ghi_w_m2 / np.maximum(sun.extra_w_m2 * cos_z, 1.0), 0.0, 1.0)
    kd = np.where(
        kt <= 0.22,
        1.0 - 0.09 * kt,
        np.where(
            kt <= 0.80,
            0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4,
            0.165,
        ),
    )
    kd = np.where(low, 1.0, kd)
    dhi = kd * ghi_w_m2
    dni = np.where(low, 0.0, (ghi_w_m2 - dhi) / np.maximum(cos_z, 1e-3))
    return np.minimum(dni, sun.extra_w_m2), dhi
