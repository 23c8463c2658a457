"""Psychrometrics against ASHRAE worked values and psychrolib (the ASHRAE reference code)."""

from __future__ import annotations

import numpy as np
import psychrolib
import pytest
from numpy.testing import assert_allclose

from planner.climate import (
    dew_point_from_rh_c,
    pressure_from_elevation_pa,
    relative_humidity_pct,
    saturation_pressure_pa,
    wet_bulb_c,
    wet_bulb_stull_c,
)

psychrolib.SetUnitSystem(psychrolib.SI)


def test_standard_pressure_table():
    # ASHRAE Fundamentals 2017 ch. 1 table 1: 101.325 kPa at 0 m, 89.875 kPa at 1000 m,
    # 84.556 kPa at 1500 m, 79.495 kPa at 2000 m.
    assert_allclose(pressure_from_elevation_pa([0, 1000, 1500, 2000]),
                    [101325, 89875, 84556, 79495], atol=5)


def test_saturation_pressure_table():
    # Hyland-Wexler (ASHRAE Fundamentals 2017 ch. 1 eq. 5, 6) as evaluated by the ASHRAE
    # reference code psychrolib.GetSatVapPres: 2338.80 Pa at 20 C, 7383.46 Pa at 40 C and
    # 259.903 Pa at -10 C (over ice); table 3 of the chapter rounds these to 5 digits.
    assert_allclose(saturation_pressure_pa([20.0, 40.0, -10.0]), [2338.80, 7383.46, 259.903],
                    rtol=2e-6)


def test_wet_bulb_hand_value():
    # Hand calculation with ASHRAE Fundamentals 2017 ch. 1 eq. 33 at 101.325 kPa, t = 40 C,
    # t* = 20 C: p_ws(20 C) = 2338.8 Pa, W*s = 0.621945 * 2338.8 / (101325 - 2338.8)
    # = 0.014695; W = ((2501 - 2.326*20) * 0.014695 - 1.006*20) / (2501 + 1.86*40 - 4.186*20)
    # = 0.0064008 kg/kg. Air at 40 C with that W must have a wet-bulb of 20 C.
    w = 0.0064008
    pw = w * 101325 / (0.621945 + w)
    td = psychrolib.GetTDewPointFromVapPres(40.0, pw)
    assert_allclose(wet_bulb_c(40.0, td, 101325.0), 20.0, atol=0.01)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_wet_bulb_matches_psychrolib(dtype):
    rng = np.random.default_rng(7)
    t = rng.uniform(-30, 48, 1500)
    td = t - rng.uniform(0, 35, 1500)
    p = pressure_from_elevation_pa(rng.uniform(-50, 3500, 1500))
    ours = wet_bulb_c(t, td, p, dtype=dtype)
    ref = np.array([psychrolib.GetTWetBulbFromTDewPoint(a, b, c)
                    for a, b, c in zip(t, td, p, strict=True)])
    # psychrolib bisects to 0.001 K; near 0 C the balance has an over-water and an over-ice
    # root and the two codes may pick different ones (documented in planner.climate.psychro).
    clear = np.abs(ref) > 0.7
    assert_allclose(ours[clear], ref[clear], atol=1e-3)
    assert np.all(np.abs(ours - ref) < 1.0)
    assert np.all((ours <= t + 1e-4) & (ours >= np.minimum(td, t) - 1e-4))


def test_wet_bulb_from_rh_and_saturation():
    assert_allclose(wet_bulb_c(25.0, relative_humidity_pct=100.0), 25.0, atol=1e-3)
    ref = psychrolib.GetTWetBulbFromRelHum(35.0, 0.2, 79501.0)
    assert_allclose(wet_bulb_c(35.0, pressure_pa=79501.0, relative_humidity_pct=20.0), ref,
                    atol=1e-3)


def test_dew_point_round_trip():
    t = np.array([-20.0, 0.0, 15.0, 35.0])
    rh = np.array([60.0, 80.0, 50.0, 30.0])
    td = dew_point_from_rh_c(t, rh)
    ref = [psychrolib.GetTDewPointFromRelHum(a, b / 100) for a, b in zip(t, rh, strict=True)]
    assert_allclose(td, ref, atol=1e-4)
    assert_allclose(relative_humidity_pct(t, td), rh, rtol=1e-6)


def test_stull_fallback_is_close_at_sea_level_only():
    # Stull 2011 quotes errors within about 1 C at sea level for 5-99 % RH.
    assert abs(wet_bulb_stull_c(20.0, 50.0) - wet_bulb_c(20.0, relative_humidity_pct=50.0)) < 0.3
    # At 2,000 m in dry air it drifts by more than a degree (the reason it is only a fallback).
    exact = wet_bulb_c(30.0, pressure_pa=79501.0, relative_humidity_pct=10.0)
    assert abs(wet_bulb_stull_c(30.0, 10.0) - exact) > 1.0


def test_humidity_ratio_from_wet_bulb_hand_value():
    # Same hand calculation as test_wet_bulb_hand_value (ASHRAE eq. 33): 40 C dry-bulb and
    # 20 C wet-bulb at 101.325 kPa give W = 0.0064008 kg/kg.
    from planner.climate import humidity_ratio_from_wet_bulb

    assert_allclose(humidity_ratio_from_wet_bulb(40.0, 20.0, 101325.0), 0.0064008, rtol=1e-4)
    w32 = humidity_ratio_from_wet_bulb(np.float32([40.0]), np.float32([20.0]), 101325.0)
    assert w32.dtype == np.float32
