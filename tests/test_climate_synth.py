"""Synthetic typical years: monthly normals reproduced, seeded, vectorised, and close to a
real TMY3 year in the annual PUE it gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from planner.climate import (
    pressure_from_elevation_pa,
    read_weather,
    relative_humidity_pct,
    wet_bulb_c,
)
from planner.climate.synth import normals_from_weather, synthesize_year, synthesize_years
from planner.cooling import TECHNOLOGIES, load_cooling_parameters, simulate_cooling
from planner.errors import InputError

DATA = Path(__file__).parent / "data"

# Singapore Changi climate station, Meteorological Service Singapore 1991-2020 normals
# (mean daily maximum and minimum, C); dew point from the station's mean relative humidity
# of about 80-84 % (approximate, typed for this test).
SINGAPORE = pd.DataFrame(
    {
        "site_id": "SIN",
        "month": range(1, 13),
        "temp_max_c": [30.6, 31.5, 32.0, 32.4, 32.2, 31.7, 31.2, 31.2, 31.2, 31.6, 31.1, 30.5],
        "temp_min_c": [23.9, 24.2, 24.6, 25.3, 25.7, 25.6, 25.3, 25.2, 24.9, 24.8, 24.4, 24.1],
        "temp_dew_c": [23.0, 23.0, 23.5, 24.3, 24.6, 24.3, 23.9, 23.9, 23.9, 24.1, 24.0, 23.5],
    }
)


def daily(values: np.ndarray) -> np.ndarray:
    return values.reshape(-1, 365, 24)


def test_monthly_normals_are_reproduced():
    temp, dew = synthesize_years(SINGAPORE, seed=3, lat=[1.37], dtype=np.float64)
    assert temp.shape == dew.shape == (1, 8760)
    table = pd.DataFrame({"temp_air_c": temp[0], "temp_dew_c": dew[0]})
    got = normals_from_weather(table)
    # Daily max/min of hourly values sit a little inside the cosine's extremes (hour midpoints).
    assert_allclose(got["temp_max_c"], SINGAPORE["temp_max_c"], atol=0.15)
    assert_allclose(got["temp_min_c"], SINGAPORE["temp_min_c"], atol=0.15)
    assert_allclose(got["temp_dew_c"], SINGAPORE["temp_dew_c"], atol=0.05)
    assert np.all(dew <= temp)


def test_diurnal_cycle_min_at_dawn_max_mid_afternoon():
    flat = pd.DataFrame(
        {
            "site_id": "x",
            "month": range(1, 13),
            "temp_max_c": 20.0,
            "temp_min_c": 10.0,
            "temp_dew_c": 5.0,
        }
    )
    temp, _ = synthesize_years(flat, seed=0, lat=[50.0])
    day = daily(temp)[0].mean(axis=0)
    # Hour-ending stamps sit mid-hour. The minimum is at 06:00 and the maximum at 15:00; the fall
    # from 15:00 to 06:00 takes 15 h, the rise 9 h. The anomalies are the same for the day's
    # maximum and minimum and average out within each month, so the mean day is the cosine:
    # 05:30: 10 + 10 (1 + cos(pi 14.5/15)) / 2 = 10.027; 06:30: 10 + 10 (1 - cos(pi/18)) / 2
    # = 10.076; 14:30: 20 - 10 (1 - cos(pi/18)) / 2 = 19.924; 15:30: 20 - 10 (1 - cos(pi/30))
    # / 2 = 19.973.
    assert int(np.argmin(day)) == 5 and int(np.argmax(day)) == 15
    assert_allclose(day[[5, 6, 14, 15]], [10.0274, 10.0760, 19.9240, 19.9726], atol=2e-4)
    assert_allclose(day.mean(), 15.0, atol=1e-3)


def test_seeded_and_independent_of_other_sites():
    other = SINGAPORE.assign(site_id="OTHER")
    both = pd.concat([SINGAPORE, other])
    a, _ = synthesize_years(SINGAPORE, seed=5, lat=[1.37])
    b, _ = synthesize_years(both, seed=5, lat=[1.37, 1.37])
    c, _ = synthesize_years(SINGAPORE, seed=6, lat=[1.37])
    assert_allclose(a[0], b[0])
    assert not np.allclose(b[0], b[1])
    assert not np.allclose(a, c)


def test_day_to_day_variability_grows_with_latitude():
    flat = pd.DataFrame(
        {
            "site_id": "x",
            "month": range(1, 13),
            "temp_max_c": 20.0,
            "temp_min_c": 10.0,
            "temp_dew_c": 5.0,
        }
    )
    tropic, _ = synthesize_years(flat, seed=1, lat=[1.0])
    north, _ = synthesize_years(flat, seed=1, lat=[50.0])
    assert daily(north).mean(axis=2).std() > 3 * daily(tropic).mean(axis=2).std()


def test_synthesize_year_gives_a_weather_table():
    table = synthesize_year(SINGAPORE.drop(columns="site_id"), elevation_m=15.0, lat=1.37, seed=1)
    assert list(table.columns) == [
        "temp_air_c",
        "temp_dew_c",
        "relative_humidity_pct",
        "pressure_pa",
        "temp_wet_c",
        "month",
    ]
    assert_allclose(table["pressure_pa"], pressure_from_elevation_pa(15.0))
    assert (table["temp_wet_c"] <= table["temp_air_c"] + 1e-9).all()
    assert_allclose(
        table["relative_humidity_pct"],
        relative_humidity_pct(table["temp_air_c"], table["temp_dew_c"]),
        rtol=1e-12,
    )
    # Annual means 28.13 C (the mean of the max and min normals) and dew point 23.84 C: at those,
    # RH = 100 p_ws(23.84) / p_ws(28.13) = 77.6 %; the mean of hourly RH sits a little higher
    # (nights nearer saturation weigh more): 78.4 %. (The typed dew points are approximate;
    # MSS publishes 80-84 % mean RH for Changi.)
    assert table["temp_air_c"].mean() == pytest.approx(28.134, abs=1e-3)
    assert table["temp_dew_c"].mean() == pytest.approx(23.837, abs=1e-3)
    assert table["relative_humidity_pct"].mean() == pytest.approx(78.4, abs=0.3)


def test_synthetic_wet_bulb_uses_the_pressure_at_the_site_elevation():
    # At 2,000 m the standard atmosphere is 79,495 Pa (ASHRAE Fundamentals ch. 1 table 1); the
    # wet-bulb must be computed there, not at sea level, where dry air's wet-bulb is higher.
    table = synthesize_year(SINGAPORE.drop(columns="site_id"), elevation_m=2000.0, lat=1.37, seed=1)
    assert_allclose(table["pressure_pa"], 79_495, atol=5)
    high = wet_bulb_c(table["temp_air_c"], table["temp_dew_c"], 79_495.0)
    sea = wet_bulb_c(table["temp_air_c"], table["temp_dew_c"], 101_325.0)
    assert_allclose(table["temp_wet_c"], high, atol=2e-3)
    assert np.abs(table["temp_wet_c"] - sea).max() > 0.2


def test_bad_normals():
    bad = SINGAPORE.copy()
    bad.loc[3, "temp_max_c"] = 10.0  # below that month's minimum
    with pytest.raises(
        InputError, match="the mean daily maximum is below the mean daily minimum"
    ) as e:
        synthesize_years(bad)
    assert (e.value.row, e.value.field) == (4, "temp_max_c")
    with pytest.raises(InputError, match="site 'SIN' does not have normals for all 12 months") as e:
        synthesize_years(SINGAPORE.iloc[:11])
    assert e.value.field == "month"
    missing = SINGAPORE.drop(columns="temp_dew_c")
    with pytest.raises(InputError, match="climate normals have no column 'temp_dew_c'") as e:
        synthesize_years(missing)
    assert e.value.field == "temp_dew_c"
    text = SINGAPORE.astype({"temp_min_c": object})
    text.loc[0, "temp_min_c"] = "n/a"
    with pytest.raises(InputError, match="expected a number, got 'n/a'") as e:
        synthesize_years(text)
    assert (e.value.row, e.value.field) == (1, "temp_min_c")


@pytest.mark.parametrize("name", ["723170TYA.CSV.gz", "USA_FL_Tampa.Intl.AP.722110_TMY3.epw.gz"])
def test_annual_pue_error_against_real_tmy3(name):
    # Normals computed from a real NREL TMY3 year, then a synthetic year from those normals:
    # the annual PUE of every technology must agree within 0.015 (the figure quoted in
    # docs/cooling.md: within 0.012 at the five test stations, usually within 0.005).
    real, meta = read_weather(DATA / name)
    normals = normals_from_weather(real).assign(site_id="s")
    pressure = pressure_from_elevation_pa(meta["elevation_m"])
    temp, dew = synthesize_years(normals, seed=0, lat=[meta["lat"]])
    wet = wet_bulb_c(temp, dew, pressure, dtype=np.float32)
    params, _ = load_cooling_parameters("hyperscale")
    for tech in TECHNOLOGIES:
        a = simulate_cooling(
            tech, real["temp_air_c"], real["temp_wet_c"], params, pressure_pa=pressure
        )
        b = simulate_cooling(tech, temp, wet, params, pressure_pa=pressure)
        assert abs(a.pue_annual()[0] - b.pue_annual()[0]) < 0.015, tech
        assert abs(a.wue_annual()[0] - b.wue_annual()[0]) < 0.25, tech
