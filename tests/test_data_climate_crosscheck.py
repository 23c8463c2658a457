"""The typed climate normals checked against data they were not typed from.

The normals in data/climate_normals.csv were typed from published 1991-2020 tables. Two of
their stations also have a real NREL TMY3 year in tests/data (Chicago O'Hare, Washington
Dulles). A TMY3 year is built from months of 1976-2005 and so differs from 1991-2020 normals by
about a degree; a typing slip (a wrong sign, a Fahrenheit value, a shifted month) shows up as
several degrees.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.catalog import default_catalog
from planner.climate import read_weather
from planner.climate.synth import normals_from_weather

TEST_DATA = Path(__file__).parent / "data"
# The normals as the planner serves them: one block of 12 months per default site, expanded
# from its station's typed normals (several sites may share a station).
NORMALS = default_catalog().climate_normals
SITES = default_catalog().sites
COLUMNS = ["temp_max_c", "temp_min_c", "temp_dew_c"]


@pytest.mark.parametrize(
    ("station", "weather_file"),
    [
        ("ORD", "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"),
        ("IAD", "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz"),
    ],
)
def test_typed_normals_agree_with_the_stations_tmy3_year(station, weather_file):
    table, _ = read_weather(TEST_DATA / weather_file)
    real = normals_from_weather(table).set_index("month")[COLUMNS]
    rows = NORMALS[NORMALS["station_id"] == station].drop_duplicates("month")
    typed = rows.set_index("month")[COLUMNS]
    assert typed.index.tolist() == list(range(1, 13))
    difference = (typed - real).abs()
    # Measured when this test was written: mean 0.6-1.1 K for max/min, 1.0-1.5 K for dew point;
    # worst month 2.5 K (max/min) and 3.5 K (dew point, which was estimated from humidity).
    assert difference[["temp_max_c", "temp_min_c"]].mean().max() < 1.5
    assert difference[["temp_max_c", "temp_min_c"]].max().max() < 3.5
    assert difference["temp_dew_c"].mean() < 2.0
    # The annual cycle is in the right months: correlation of the monthly means close to 1.
    assert np.corrcoef(typed["temp_max_c"], real["temp_max_c"])[0, 1] > 0.98


def test_every_station_is_physically_plausible():
    # Mean daily maximum above the minimum; a monthly mean dew point cannot sit far above the
    # mean daily minimum (air at night cools to near its dew point, not far below it).
    assert (NORMALS["temp_max_c"] > NORMALS["temp_min_c"]).all()
    assert (NORMALS["temp_dew_c"] <= NORMALS["temp_min_c"] + 4.0).all()
    assert NORMALS["temp_max_c"].between(-30, 50).all()


def test_seasons_follow_the_hemisphere():
    # Outside the tropics, July is warmer than January in the north and colder in the south.
    by_month = NORMALS.pivot(index="site_id", columns="month", values="temp_max_c")
    lat = SITES["lat"].reindex(by_month.index)
    north, south = lat > 23.5, lat < -23.5
    assert north.sum() > 40 and south.sum() >= 2  # both hemispheres are checked
    assert (by_month.loc[north, 7] > by_month.loc[north, 1]).all()
    assert (by_month.loc[south, 7] < by_month.loc[south, 1]).all()
