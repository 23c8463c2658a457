"""Weather readers on real NREL files, and every bad-input path naming the file and line."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import psychrolib
import pytest
from numpy.testing import assert_allclose

from planner.climate import WEATHER_COLUMNS, read_weather
from planner.errors import InputError

DATA = Path(__file__).parent / "data"
CHICAGO = DATA / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"
GOLDEN = DATA / "USA_CO_Golden-NREL.724666_TMY3.epw.gz"
GREENSBORO = DATA / "723170TYA.CSV.gz"

psychrolib.SetUnitSystem(psychrolib.SI)


def text_of(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode()


def test_epw_chicago():
    table, meta = read_weather(CHICAGO)
    assert list(table.columns) == WEATHER_COLUMNS and len(table) == 8760
    # LOCATION record of the file: Chicago Ohare Intl Ap, 41.98 N, 87.92 W, UTC-6, 201 m.
    assert meta["format"] == "epw" and meta["source"] == "TMY3"
    assert (meta["lat"], meta["lon"], meta["tz_hours"], meta["elevation_m"]) == (
        41.98,
        -87.92,
        -6.0,
        201.0,
    )
    assert "Chicago" in meta["name"]
    # First data row: 1986,1,1,1,... dry-bulb -12.2 C, dew point -16.1 C, RH 73 %, 99500 Pa.
    first = table.iloc[0]
    assert_allclose(
        first[["temp_air_c", "temp_dew_c", "relative_humidity_pct", "pressure_pa"]],
        [-12.2, -16.1, 73, 99500],
    )
    assert_allclose(
        first["temp_wet_c"], psychrolib.GetTWetBulbFromTDewPoint(-12.2, -16.1, 99500), atol=1e-3
    )
    # Last data row: 1981,12,31,24: dry-bulb -6.1 C, dew point -8.9 C.
    assert_allclose(table.iloc[-1][["temp_air_c", "temp_dew_c"]], [-6.1, -8.9])
    assert (table["temp_dew_c"] <= table["temp_air_c"]).all()
    assert (
        table["month"].value_counts().sort_index().to_numpy()
        == 24 * np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ).all()


def test_epw_at_altitude_has_low_pressure():
    table, meta = read_weather(GOLDEN)
    assert meta["elevation_m"] == 1829.0
    # Station pressure is read from the file (80.0 to 83.9 kPa, mean 82.14 kPa), not assumed:
    # the standard atmosphere at 1,829 m would be 101325 (1 - 2.25577e-5 x 1829)^5.2559
    # = 81.25 kPa at every hour.
    assert table["pressure_pa"].mean() == pytest.approx(82_137.09, abs=0.01)
    assert (table["pressure_pa"].min(), table["pressure_pa"].max()) == (80_000.0, 83_900.0)
    # The wet-bulb uses that pressure. Hour 5534 (August): 33.0 C, dew point -7.0 C, 83,100 Pa;
    # psychrolib (ASHRAE reference code) gives 12.397 C there and 13.892 C at sea level.
    hot = table.iloc[5533]
    assert (hot["temp_air_c"], hot["temp_dew_c"], hot["pressure_pa"]) == (33.0, -7.0, 83_100.0)
    assert_allclose(hot["temp_wet_c"], 12.397, atol=2e-3)


def test_tmy3_greensboro():
    table, meta = read_weather(GREENSBORO)
    assert meta["format"] == "tmy3" and len(table) == 8760
    # Station record: 723170,"GREENSBORO PIEDMONT TRIAD INT",NC,-5.0,36.100,-79.950,273
    assert (meta["lat"], meta["lon"], meta["tz_hours"], meta["elevation_m"]) == (
        36.1,
        -79.95,
        -5.0,
        273.0,
    )
    # First row 01/01/1988 01:00: dry-bulb 10.0 C, dew 6.1 C, RH 77 %, 993 mbar.
    assert_allclose(
        table.iloc[0][["temp_air_c", "temp_dew_c", "relative_humidity_pct", "pressure_pa"]],
        [10.0, 6.1, 77, 99300],
    )
    # Last row 12/31/1980 24:00: dry-bulb 2.2 C, dew 0.6 C.
    assert_allclose(table.iloc[-1][["temp_air_c", "temp_dew_c"]], [2.2, 0.6])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_empty_file(tmp_path):
    path = write(tmp_path, "empty.epw", "")
    with pytest.raises(InputError, match="the weather file is empty") as err:
        read_weather(path)
    assert (err.value.file, err.value.field) == (str(path), None)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such weather file") as err:
        read_weather(tmp_path / "nope.epw")
    assert err.value.file == str(tmp_path / "nope.epw")


def test_not_a_weather_file(tmp_path):
    path = write(tmp_path, "sites.csv", "site_id,lat,lon\na,1,2\n")
    with pytest.raises(InputError, match="line 1: not a weather file") as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_truncated_epw(tmp_path):
    lines = text_of(CHICAGO).splitlines()[:1000]
    path = write(tmp_path, "short.epw", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 1000: the file ends after 992 data rows") as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_epw_wrong_field_count(tmp_path):
    lines = text_of(CHICAGO).splitlines()
    lines[20] = lines[20].rsplit(",", 1)[0]  # drop the last field of data row 12 (line 21)
    path = write(tmp_path, "narrow.epw", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 21: 34 comma-separated fields, expected 35") as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_epw_value_out_of_range(tmp_path):
    lines = text_of(CHICAGO).splitlines()
    fields = lines[100].split(",")
    fields[6] = "75.0"  # dry-bulb of 75 C on line 101
    lines[100] = ",".join(fields)
    path = write(tmp_path, "hot.epw", "\n".join(lines))
    with pytest.raises(
        InputError, match=r"line 101: Dry Bulb Temperature is 75 C, expected -90"
    ) as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_epw_non_numeric_value(tmp_path):
    lines = text_of(CHICAGO).splitlines()
    fields = lines[50].split(",")
    fields[7] = "abc"
    lines[50] = ",".join(fields)
    path = write(tmp_path, "abc.epw", "\n".join(lines))
    with pytest.raises(
        InputError, match=r"line 51: expected a number for temp_dew_c, got 'abc'"
    ) as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_short_gap_is_filled_and_long_gap_refused(tmp_path):
    lines = text_of(CHICAGO).splitlines()
    fields = lines[200].split(",")
    fields[6] = "99.9"  # EPW missing-value code for dry-bulb, one hour
    lines[200] = ",".join(fields)
    table, _ = read_weather(write(tmp_path, "gap.epw", "\n".join(lines)))
    before, after = float(lines[199].split(",")[6]), float(lines[201].split(",")[6])
    assert_allclose(table["temp_air_c"].iloc[192], (before + after) / 2)
    for k in range(300, 310):
        fields = lines[k].split(",")
        fields[6] = "99.9"
        lines[k] = ",".join(fields)
    longgap = write(tmp_path, "longgap.epw", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 301: 10 consecutive hours of Dry Bulb") as err:
        read_weather(longgap)
    assert err.value.file == str(longgap)


def test_tmy3_missing_hour(tmp_path):
    lines = text_of(GREENSBORO).splitlines()
    del lines[500]  # line 501 is hour 01/21 19:00; without it 20:00 comes too early
    path = write(tmp_path, "gap.csv", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 501: expected month 1 day 21 hour 19") as err:
        read_weather(path)
    assert "missing, duplicated or unordered hours" in str(err.value)
    assert err.value.file == str(path)


def test_tmy3_truncated(tmp_path):
    lines = text_of(GREENSBORO).splitlines()[:4000]
    path = write(tmp_path, "short.csv", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 4000: the file ends after 3998 hours") as err:
        read_weather(path)
    assert err.value.file == str(path)


def test_tmy3_wrong_field_count(tmp_path):
    lines = text_of(GREENSBORO).splitlines()
    lines[10] += ",extra"
    wide = write(tmp_path, "wide.csv", "\n".join(lines))
    with pytest.raises(InputError, match=r"line 11: 72 comma-separated fields, expected 71") as err:
        read_weather(wide)
    assert err.value.file == str(wide)


def test_leap_year_epw_drops_29_february(tmp_path):
    lines = text_of(CHICAGO).splitlines()
    start = 8 + 59 * 24  # first row of 1 March (8 header lines, 59 days of 24 hours)
    leap = []
    for row in lines[start - 24 : start]:  # 28 February, copied as 29 February
        fields = row.split(",")
        fields[2] = "29"
        fields[6] = "50.0"  # a value that must not survive
        leap.append(",".join(fields))
    path = write(tmp_path, "leap.epw", "\n".join(lines[:start] + leap + lines[start:]))
    table, _ = read_weather(path)
    original, _ = read_weather(CHICAGO)
    assert len(table) == 8760
    assert_allclose(table["temp_air_c"], original["temp_air_c"])


def test_tmy3_missing_pressure_from_elevation(tmp_path):
    lines = text_of(GREENSBORO).splitlines()
    fields = lines[2].split(",")
    header = lines[1].split(",")
    fields[header.index("Pressure (mbar)")] = "-9900"  # TMY3 missing-value code
    lines[2] = ",".join(fields)
    table, _ = read_weather(write(tmp_path, "nopressure.csv", "\n".join(lines)))
    # Standard atmosphere at 273 m: 101325 (1 - 2.25577e-5 * 273)^5.2559 = 101325 * 0.968054
    # = 98,088 Pa.
    assert_allclose(table["pressure_pa"].iloc[0], 98088, atol=5)
