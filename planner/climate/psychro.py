"""Psychrometrics in SI units, vectorised over any array shape.

Exact relations of ASHRAE Handbook - Fundamentals (2017, chapter 1), the same ones psychrolib
implements point by point:

- saturation pressure of water vapour over liquid water and over ice by Hyland and Wexler
  (eq. 5 and 6), switching at the triple point 0.01 C;
- humidity ratio ``W = 0.621945 p_w / (p - p_w)`` (eq. 20 and 22);
- thermodynamic wet-bulb temperature from the adiabatic saturation balance (eq. 33 above
  freezing and 35 below), solved for each element by a safeguarded secant iteration;
- standard-atmosphere pressure from elevation (eq. 3).

:func:`wet_bulb_stull_c` (Stull 2011) is a closed form kept only as a documented fallback and as
the iteration's starting point: it assumes sea-level pressure and its error grows to 1.5-2 C at
altitude and in cold, dry air.

All functions take temperatures in degrees Celsius, pressures in pascals and relative humidity
in percent (0-100), and return float64 arrays (or float32 when ``dtype`` says so).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Hyland-Wexler coefficients, ASHRAE Fundamentals 2017 ch. 1 eq. 5 (over ice, -100..0 C).
_C1, _C2, _C3, _C4, _C5, _C6, _C7 = (
    -5.6745359e03, 6.3925247e00, -9.6778430e-03, 6.2215701e-07, 2.0747825e-09,
    -9.4840240e-13, 4.1635019e00,
)
# Eq. 6 (over liquid water, 0..200 C).
_C8, _C9, _C10, _C11, _C12, _C13 = (
    -5.8002206e03, 1.3914993e00, -4.8640239e-02, 4.1764768e-05, -1.4452093e-08, 6.5459673e00,
)
_TRIPLE_POINT_C = 0.01
_KELVIN = 273.15
_MOLAR_MASS_RATIO = 0.621945  # M_water / M_dry_air, ASHRAE eq. 20
_CHUNK = 1 << 13  # elements per block: keeps temporaries in cache and peak memory low

FloatArray = NDArray[np.floating]


def pressure_from_elevation_pa(elevation_m: ArrayLike) -> FloatArray:
    """Standard-atmosphere barometric pressure [Pa] at an elevation [m] above sea level.

    ASHRAE Fundamentals 2017 ch. 1 eq. 3: ``p = 101325 (1 - 2.25577e-5 Z)^5.2559``.
    Valid from below sea level to about 11,000 m.
    """
    z = np.asarray(elevation_m, dtype=float)
    return 101325.0 * (1.0 - 2.25577e-5 * z) ** 5.2559


def saturation_pressure_pa(temp_c: ArrayLike) -> FloatArray:
    """Saturation vapour pressure [Pa] over water (t >= 0.01 C) or ice (below), Hyland-Wexler."""
    t = np.asarray(temp_c, dtype=float)
    return _pws(t)


def _pws_exact(t_c: FloatArray) -> FloatArray:
    tk = t_c + _KELVIN
    ln_tk = np.log(tk)
    water = _C8 / tk + _C9 + tk * (_C10 + tk * (_C11 + tk * _C12)) + _C13 * ln_tk
    if np.any(t_c < _TRIPLE_POINT_C):
        ice = _C1 / tk + _C2 + tk * (_C3 + tk * (_C4 + tk * (_C5 + tk * _C6))) + _C7 * ln_tk
        water = np.where(t_c < _TRIPLE_POINT_C, ice, water)
    return np.exp(water)


# ln(p_ws) tabulated every 0.02 K with a node on the triple point: linear interpolation of the
# logarithm is exact to 1e-7 relative (its curvature is below 6e-4 per K^2), and indexing the
# table is several times faster than evaluating logarithms and two polynomials per element.
_TAB_T0_C = -99.99
_TAB_STEP_K = 0.02
_TAB_T = _TAB_T0_C + _TAB_STEP_K * np.arange(int(round((199.99 - _TAB_T0_C) / _TAB_STEP_K)) + 1)
_TAB_LN = np.log(_pws_exact(_TAB_T))
_TAB_SLOPE = np.append(np.diff(_TAB_LN), 0.0)
_TAB_T_MAX = float(_TAB_T[-1]) - 1e-3  # a Python float, so float32 inputs stay float32
_TABLES = {
    np.dtype(np.float64): (_TAB_LN, _TAB_SLOPE),
    np.dtype(np.float32): (_TAB_LN.astype(np.float32), _TAB_SLOPE.astype(np.float32)),
}


def _pws(t_c: FloatArray) -> FloatArray:
    tab_ln, tab_slope = _TABLES[t_c.dtype]
    x = (np.clip(t_c, _TAB_T0_C, _TAB_T_MAX) - _TAB_T0_C) * (1.0 / _TAB_STEP_K)
    i = x.astype(np.intp)
    x -= i
    x *= tab_slope[i]
    x += tab_ln[i]
    return np.exp(x, out=x) if isinstance(x, np.ndarray) else np.exp(x)


def _dpws_dt(t_c: FloatArray, pws: FloatArray) -> FloatArray:
    """Derivative of the saturation pressure [Pa/K] (analytic, from the same fits)."""
    tk = t_c + _KELVIN
    water = -_C8 / tk**2 + _C10 + 2 * _C11 * tk + 3 * _C12 * tk**2 + _C13 / tk
    if np.any(t_c < _TRIPLE_POINT_C):
        ice = (-_C1 / tk**2 + _C3 + 2 * _C4 * tk + 3 * _C5 * tk**2 + 4 * _C6 * tk**3
               + _C7 / tk)
        water = np.where(t_c < _TRIPLE_POINT_C, ice, water)
    return pws * water


def humidity_ratio_from_vapor_pressure(vapor_pressure_pa: ArrayLike, pressure_pa: ArrayLike
                                       ) -> FloatArray:
    """Humidity ratio [kg water / kg dry air] from the partial vapour pressure (ASHRAE eq. 20)."""
    pw = np.asarray(vapor_pressure_pa, dtype=float)
    p = np.asarray(pressure_pa, dtype=float)
    return _MOLAR_MASS_RATIO * pw / (p - pw)


def humidity_ratio(temp_dew_c: ArrayLike, pressure_pa: ArrayLike) -> FloatArray:
    """Humidity ratio [kg/kg] of air whose dew point is ``temp_dew_c`` [C] at ``pressure_pa``."""
    return humidity_ratio_from_vapor_pressure(_pws(np.asarray(temp_dew_c, dtype=float)),
                                              pressure_pa)


def dew_point_from_vapor_pressure_c(vapor_pressure_pa: ArrayLike) -> FloatArray:
    """Dew-point (frost-point below 0.01 C) temperature [C] for a vapour pressure [Pa].

    Inverts Hyland-Wexler by Newton's method from a Magnus-formula start; converges to
    better than 1e-6 K in a few steps over -100..100 C.
    """
    pw = np.maximum(np.asarray(vapor_pressure_pa, dtype=float), 1e-3)
    # Magnus start (Alduchov and Eskridge 1996 coefficients), good to ~0.3 K.
    gamma = np.log(pw / 610.94)
    t = 243.04 * gamma / (17.625 - gamma)
    for _ in range(8):
        p = _pws(t)
        step = (p - pw) / _dpws_dt(t, p)
        t = t - step
        if np.all(np.abs(step) < 1e-7):
            break
    return t


def dew_point_from_rh_c(temp_air_c: ArrayLike, relative_humidity_pct: ArrayLike) -> FloatArray:
    """Dew point [C] from dry-bulb [C] and relative humidity [%, 0-100] (ASHRAE eq. 24).

    Relative humidity is the ratio of vapour pressure to saturation pressure at the dry-bulb;
    it is clipped to 0.01-100 % so that dry air gives a very low, finite dew point.
    """
    t = np.asarray(temp_air_c, dtype=float)
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 0.01, 100.0) / 100.0
    return dew_point_from_vapor_pressure_c(rh * _pws(t))


def relative_humidity_pct(temp_air_c: ArrayLike, temp_dew_c: ArrayLike) -> FloatArray:
    """Relative humidity [%] from dry-bulb and dew point [C] (ASHRAE eq. 24)."""
    t = np.asarray(temp_air_c, dtype=float)
    td = np.minimum(np.asarray(temp_dew_c, dtype=float), t)
    return 100.0 * _pws(td) / _pws(t)


def wet_bulb_stull_c(temp_air_c: ArrayLike, relative_humidity_pct: ArrayLike) -> FloatArray:
    """Wet-bulb [C] by Stull (2011, J. Appl. Meteor. Climatol. 50, 2267-2269), closed form.

    Fallback only: fitted at sea-level pressure for 5-99 % RH and -20..50 C; its error is
    within 1 C there but grows to 1.5-2 C at altitude and in cold, dry air. Prefer
    :func:`wet_bulb_c`.
    """
    t = np.asarray(temp_air_c, dtype=float)
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 1.0, 100.0)
    return (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )


def wet_bulb_c(
    temp_air_c: ArrayLike,
    temp_dew_c: ArrayLike | None = None,
    pressure_pa: ArrayLike = 101325.0,
    *,
    relative_humidity_pct: ArrayLike | None = None,
    dtype: type = np.float64,
) -> FloatArray:
    """Thermodynamic wet-bulb temperature [C], exact (ASHRAE Fundamentals 2017 eq. 33/35).

    Parameters
    ----------
    temp_air_c : array_like
        Dry-bulb temperature [C].
    temp_dew_c : array_like, optional
        Dew-point temperature [C]; values above the dry-bulb are taken as saturated air.
    pressure_pa : array_like
        Barometric pressure [Pa]; see :func:`pressure_from_elevation_pa`.
    relative_humidity_pct : array_like, optional
        Relative humidity [%], used when ``temp_dew_c`` is not given.
    dtype : numpy dtype
        Dtype of the result and of the arithmetic: ``np.float32`` halves memory traffic and
        is about twice as fast, with results within 1e-3 K of the float64 solution.

    Returns
    -------
    ndarray
        Wet-bulb temperature [C], broadcast shape of the inputs. Converged to 1e-4 K.

    Notes
    -----
    The adiabatic-saturation balance is solved for t* between the dew point and the dry-bulb
    with a secant iteration started from Stull's closed form and kept inside that bracket;
    inputs are processed in blocks of 8,192 elements so 8.76 million hours need only a few
    megabytes of temporaries.
    """
    if temp_dew_c is None:
        if relative_humidity_pct is None:
            raise ValueError("wet_bulb_c needs temp_dew_c or relative_humidity_pct")
        temp_dew_c = dew_point_from_rh_c(temp_air_c, relative_humidity_pct)
    work = np.dtype(dtype)
    if work not in _TABLES:
        raise ValueError(f"dtype must be float32 or float64, got {work}")
    t, td, p = np.broadcast_arrays(
        np.asarray(temp_air_c, dtype=work),
        np.asarray(temp_dew_c, dtype=work),
        np.asarray(pressure_pa, dtype=work),
    )
    shape = t.shape
    t, td, p = t.ravel(), td.ravel(), p.ravel()
    out = np.empty(t.size, dtype=work)
    for start in range(0, t.size, _CHUNK):
        s = slice(start, start + _CHUNK)
        out[s] = _wet_bulb_block(t[s], td[s], p[s])
    return out.reshape(shape)


def humidity_ratio_from_wet_bulb(temp_air_c: ArrayLike, temp_wet_c: ArrayLike,
                                 pressure_pa: ArrayLike) -> FloatArray:
    """Humidity ratio [kg/kg] from dry-bulb and thermodynamic wet-bulb [C] (ASHRAE eq. 33/35).

    Keeps the dtype of float32 inputs (the cooling model's hourly blocks).
    """
    t = np.asarray(temp_air_c)
    t = t if t.dtype in _TABLES else t.astype(float)
    twb = np.asarray(temp_wet_c, dtype=t.dtype)
    return _w_from_wet_bulb(t, np.minimum(twb, t), np.asarray(pressure_pa, dtype=t.dtype))


def _w_from_wet_bulb(t: FloatArray, twb: FloatArray, p: FloatArray) -> FloatArray:
    """Humidity ratio implied by dry-bulb t and wet-bulb twb (ASHRAE eq. 33 / 35)."""
    pws = _pws(twb)
    ws = _MOLAR_MASS_RATIO * pws / (p - pws)
    above = (2501.0 - 2.326 * twb) * ws - 1.006 * (t - twb)
    above /= 2501.0 + 1.86 * t - 4.186 * twb
    if np.any(twb < 0.0):
        below = ((2830.0 - 0.24 * twb) * ws - 1.006 * (t - twb)) / (2830.0 + 1.86 * t - 2.1 * twb)
        return np.where(twb < 0.0, below, above)
    return above


def _pws_and_dln(t_c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Saturation pressure [Pa] and d ln(p_ws)/dT [1/K] from the same table."""
    tab_ln, tab_slope = _TABLES[t_c.dtype]
    x = (np.clip(t_c, _TAB_T0_C, _TAB_T_MAX) - _TAB_T0_C) * (1.0 / _TAB_STEP_K)
    i = x.astype(np.intp)
    x -= i
    slope = tab_slope[i]
    x *= slope
    x += tab_ln[i]
    return np.exp(x, out=x) if isinstance(x, np.ndarray) else np.exp(x), slope * (1.0 / _TAB_STEP_K)


# Adiabatic-saturation balance (ASHRAE eq. 33 over water, 35 over ice), written as
# g(t*) = (a - b t*) Ws(t*) - 1.006 (t - t*) - W (a + 1.86 t - d t*) = 0.
_WATER = (2501.0, 2.326, 4.186)
_ICE = (2830.0, 0.24, 2.1)


def _newton(t: FloatArray, w: FloatArray, p: FloatArray, x: FloatArray, low: FloatArray,
            high: FloatArray, branch: tuple[float, float, float]) -> tuple[FloatArray, bool]:
    a, b, d = branch
    # float32 rounding leaves steps of ~1e-5 K; stop there rather than iterate on noise.
    tol = 1e-6 if x.dtype == np.float64 else 2e-4
    for _ in range(10):
        pws, dln = _pws_and_dln(x)
        inv = 1.0 / (p - pws)
        ws = _MOLAR_MASS_RATIO * pws * inv
        dws = ws * dln * p * inv  # d Ws / dT = 0.621945 p p_ws' / (p - p_ws)^2
        g = (a - b * x) * ws - 1.006 * (t - x) - w * (a + 1.86 * t - d * x)
        dg = (a - b * x) * dws - b * ws + 1.006 + d * w
        x_new = np.clip(x - g / dg, low, high)
        # Converged when no element moves (saturated air sits on the bracket's end).
        moved = np.abs(x_new - x)
        x = x_new
        if moved.max(initial=0.0) < tol:
            return x, True
    return x, False


def _wet_bulb_block(t: FloatArray, td: FloatArray, p: FloatArray) -> FloatArray:
    td = np.minimum(td, t)
    pw = _pws(td)
    w = _MOLAR_MASS_RATIO * pw / (p - pw)
    rh = 100.0 * pw / _pws(t)
    # Newton on the over-water balance, from Stull's estimate, kept in [dew point, dry-bulb].
    x0 = np.clip(wet_bulb_stull_c(t, rh), td, t)
    x, converged = _newton(t, w, p, x0, td, t, _WATER)
    # Below 0 C the balance is the over-ice one. Near 0 C the two branches may give two roots
    # or none; we take the over-water root when it is at or above 0 C (a wetted wick stays
    # liquid just below freezing), else the over-ice root, else 0 C where the balance jumps.
    # psychrolib's bisection may land on either root there: the two differ by < 1 K, and
    # only for wet-bulbs within 1 K of 0 C.
    cold = x < 0.0
    if np.any(cold):
        tc, tdc = t[cold], td[cold]
        xi, _ = _newton(tc, w[cold], p[cold], np.minimum(x[cold], 0.0), tdc, tc, _ICE)
        x[cold] = np.minimum(xi, 0.0)
    if not converged:
        redo = ~np.isfinite(x)
        x[redo] = np.nan
    return x
