"""Hostile input to the file readers: each is read correctly or refused with one InputError.

Site files (CSV, XLSX, ODS, compressed), region files, hourly price/carbon files and weather
files. The property tests feed generated damage and assert a valid result or an InputError
with a one-line message: never another exception, never a warning.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
import time
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalog import load_catalog, merge_regions, read_regions_file, read_sites_file
from planner.climate import read_weather
from planner.errors import InputError
from planner.evaluate import read_hourly_file
from planner.inputs import MAX_INFLATED_BYTES, read_plain_bytes

DATA = Path(__file__).parent / "data"
CHICAGO = DATA / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"
GREENSBORO = DATA / "723170TYA.CSV.gz"
REGIONS = Path(__file__).parents[1] / "data" / "regions.csv"
EPW_HEADER_LINES = 8

# Cells a person or a broken export puts where a number belongs.
HOSTILE_CELLS = [
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e999",
    "-1",
    "-0.5",
    "abc",
    "1,5",
    "12 34",
    '"',
    "'",
    "0x10",
    "None",
    "\u00a0",
    "1e-400",
    "95",
    "-181",
]
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_sentence(err: InputError) -> None:
    text = str(err)
    assert text and "\n" not in text and text.endswith(".")
    assert "Traceback" not in text


def outcome(read, *args, **kwargs):
    """Call a reader with warnings as errors; return its value or the InputError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return read(*args, **kwargs)
        except InputError as err:
            assert_one_sentence(err)
            return err


@functools.cache
def _epw_text() -> str:
    return gzip.decompress(CHICAGO.read_bytes()).decode()


def epw_lines() -> list[str]:
    return _epw_text().splitlines()


def tmy3_lines() -> list[str]:
    return gzip.decompress(GREENSBORO.read_bytes()).decode().splitlines()


# --- site files: numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "words"),
    [
        ("lat", "inf", "expected a finite number, got 'inf'"),
        ("lat", "nan", "expected a number, got 'nan'"),
        ("lon", "1e308", "1e+308 is outside -180..180"),
        ("lat", "-90.5", "-90.5 is outside -90..90"),
        ("capacity_mw", "-5", "-5 is outside 0..100000"),
        ("capacity_mw", "inf", "expected a finite number, got 'inf'"),
        ("land_usd_per_m2", "-1", "-1 is outside 0..100000"),
        ("time_to_power_months", "-3", "-3 is outside 0..240"),
        ("time_to_power_months", "1e308", "outside 0..240"),
        ("elevation_m", "99999", "99999 is outside -500..9000"),
    ],
)
def test_site_numbers_are_finite_and_in_range(tmp_path, column, cell, words):
    row = {"id": "b", "name": "B", "lat": "50.1", "lon": "8.6", column: cell}
    header = ["id", "name", "lat", "lon", *([column] if column not in ("lat", "lon") else [])]
    text = ",".join(header) + "\na,A,48.8,2.3" + ",1" * (len(header) - 4) + "\n"
    text += ",".join(row[c] for c in header) + "\n"
    path = write(tmp_path, "sites.csv", text)
    with pytest.raises(InputError) as info:
        read_sites_file(path)
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), 2, column)
    assert words in str(err)
    assert_one_sentence(err)


def test_site_empty_optional_cell_takes_the_default(tmp_path):
    path = write(tmp_path, "s.csv", 'id,name,lat,lon,capacity_mw\na,A,48.8,2.3,\nb,B,50,8.6,""\n')
    sites, _ = read_sites_file(path)
    assert np.isinf(sites["capacity_mw"]).all()
    assert sites["defaults_applied"].str.contains("capacity_mw").all()


@pytest.mark.parametrize(
    "column", ["capacity_mw", "elevation_m", "time_to_power_months", "land_usd_per_m2"]
)
@pytest.mark.parametrize("cell", ["nan", "NaN", "None"])
def test_site_written_nan_is_not_an_empty_cell(tmp_path, column, cell):
    # 'nan' in capacity_mw used to read as empty, i.e. unlimited capacity.
    text = f"id,name,lat,lon,{column}\na,A,48.8,2.3,5\nb,B,50,8.6,{cell}\n"
    path = write(tmp_path, "s.csv", text)
    err = outcome(read_sites_file, path)
    assert isinstance(err, InputError)
    assert (err.row, err.field) == (2, column)
    assert f"expected a number, got '{cell}' (leave the cell empty" in str(err)


def geojson_sites(tmp_path: Path, capacity: str) -> Path:
    feature = (
        '{{"type": "Feature", "properties": {{"id": "{0}", "name": "{0}", "capacity_mw": {1}}}, '
        '"geometry": {{"type": "Point", "coordinates": [8.6, 50.1]}}}}'
    )
    features = ", ".join([feature.format("a", "12.5"), feature.format("b", capacity)])
    text = f'{{"type": "FeatureCollection", "features": [{features}]}}'
    return write(tmp_path, "s.geojson", text)


def test_geojson_null_is_missing_but_nan_is_refused(tmp_path):
    sites, _ = read_sites_file(geojson_sites(tmp_path, "null"))
    assert np.isinf(sites.at["b", "capacity_mw"]) and sites.at["a", "capacity_mw"] == 12.5
    err = outcome(read_sites_file, geojson_sites(tmp_path, "NaN"))
    assert isinstance(err, InputError) and (err.row, err.field) == (2, "capacity_mw")
    assert "got 'nan'" in str(err)


def test_site_headers_as_spreadsheets_write_them(tmp_path):
    path = write(tmp_path, "s.csv", "Site ID,Name,Latitude,Longitude\na,A,48.8,2.3\n")
    sites, _ = read_sites_file(path)
    assert list(sites.index) == ["a"] and sites.at["a", "lat"] == 48.8


def test_site_alias_and_column_twice_is_refused(tmp_path):
    path = write(tmp_path, "s.csv", "id,name,lat,latitude,lon\na,A,1,1,2\n")
    with pytest.raises(InputError, match="two columns give 'lat'") as info:
        read_sites_file(path)
    assert info.value.field == "lat"


def test_site_csv_saved_by_excel_in_cp1252(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("id,name,lat,lon\nz,Zürich,47.4,8.5\n".encode("cp1252"))
    sites, _ = read_sites_file(path)
    assert sites.at["z", "name"] == "Zürich"


def test_site_csv_compressed(tmp_path):
    text = b"id,name,lat,lon\na,A,48.8,2.3\n"
    gz = tmp_path / "s.csv.gz"
    gz.write_bytes(gzip.compress(text))
    zipped = tmp_path / "s.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("sites/s.csv", text)
        archive.writestr("sites/readme.pdf", b"%PDF")
    for path in (gz, zipped):
        sites, _ = read_sites_file(path)
        assert list(sites.index) == ["a"]


CONTROL_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f", "\x85"]


def site_csv(tmp_path: Path, column: str, cell: str) -> Path:
    """Two sites; the second has ``cell`` in ``column`` (written with the csv module)."""
    rows = [
        {"id": "a", "name": "Alpha", "lat": "48.8", "lon": "2.3"},
        {"id": "b", "name": "Beta", "lat": "50.1", "lon": "8.6"},
    ]
    rows[1][column] = cell
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[1]), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "s.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


@pytest.mark.parametrize("column", ["id", "name", "country", "region_code", "notes"])
@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_site_control_characters_are_refused_at_read_time(tmp_path, column, char):
    # They passed `sites validate` and crashed the XLSX export later (exit 1).
    path = site_csv(tmp_path, column, f"D{char}E")
    err = outcome(read_sites_file, path)
    assert isinstance(err, InputError), err
    assert (err.file, err.row, err.field) == (str(path), 2, column)
    assert f"control character U+{ord(char):04X} at character 2" in str(err)
    assert char not in str(err)


@pytest.mark.parametrize("column", ["id", "name", "country", "region_code"])
@pytest.mark.parametrize(
    ("char", "words"), [("\t", "a tab"), ("\n", "a line break"), ("\r", "a line break")]
)
def test_site_tabs_and_line_breaks_in_one_line_fields_are_refused(tmp_path, column, char, words):
    err = outcome(read_sites_file, site_csv(tmp_path, column, f"Be{char}ta"))
    assert isinstance(err, InputError), err
    assert (err.row, err.field) == (2, column)
    assert f"holds {words} at character 3" in str(err) and "split CSV rows" in str(err)


def test_site_notes_may_hold_line_breaks_and_cells_are_stripped(tmp_path):
    sites, _ = read_sites_file(site_csv(tmp_path, "notes", "two\nlines\tand a tab"))
    assert sites.at["b", "notes"] == "two\nlines\tand a tab"
    sites, _ = read_sites_file(site_csv(tmp_path, "name", " Beta\n"))
    assert sites.at["b", "name"] == "Beta"


@pytest.mark.parametrize(
    ("column", "cell", "words"),
    [
        ("name", "Vir\x01ginia", "control character U+0001"),
        ("grid", "PJM\nEast", "a line break"),
        ("price_usd_per_mwh_source", "eia\x00", "control character U+0000"),
        ("note", "bad\x1b[31m", "control character U+001B"),
    ],
)
def test_region_text_control_characters_are_refused(tmp_path, column, cell, words):
    table = pd.read_csv(REGIONS, dtype=str, keep_default_na=False)
    table.loc[1, column] = cell
    path = tmp_path / "regions.csv"
    table.to_csv(path, index=False)
    err = outcome(read_regions_file, path)
    assert isinstance(err, InputError), err
    assert (err.row, err.field) == (2, column) and words in str(err)


# --- site files: spreadsheets ----------------------------------------------------------------


def workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def with_cached_value(path: Path, formula: str, value: str) -> Path:
    """Give a formula the value a spreadsheet program saves with it (openpyxl writes none)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    old = f"<f>{formula}</f><v></v>".encode()
    assert old in parts[sheet]
    parts[sheet] = parts[sheet].replace(old, f"<f>{formula}</f><v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_xlsx_and_ods_site_lists(tmp_path):
    rows = [
        ["Site ID", "Name", "Latitude", "Longitude", "capacity_mw"],
        ["a", "Alpha", 48.85, 2.35, None],
        [10, "Gamma", 40.4, -3.7, 12.5],
    ]
    xlsx = workbook(tmp_path / "sites.xlsx", rows)
    ods = tmp_path / "sites.ods"
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(ods, engine="odf", index=False)
    for path in (xlsx, ods):
        sites, _ = outcome(read_sites_file, path)
        assert list(sites.index) == ["a", "10"]
        assert sites.at["10", "capacity_mw"] == 12.5 and np.isinf(sites.at["a", "capacity_mw"])
        assert sites.at["a", "region_code"] == "FR"


def test_xlsx_formula_reads_its_saved_value(tmp_path):
    path = workbook(tmp_path / "f.xlsx", [["id", "name", "lat", "lon"], ["a", "A", 48.8, "=1+1"]])
    sites, _ = read_sites_file(with_cached_value(path, "1+1", "2"))
    assert sites.at["a", "lon"] == 2.0


def test_xlsx_formula_without_saved_value_is_refused(tmp_path):
    path = workbook(tmp_path / "f.xlsx", [["id", "name", "lat", "lon"], ["a", "A", 48.8, "=1+1"]])
    with pytest.raises(InputError) as info:
        read_sites_file(path)
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), 1, "lon")
    assert "cell D2 holds the formula '=1+1' with no saved value" in str(err)
    assert_one_sentence(err)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.xlsx", None, "the first sheet of the XLSX workbook is empty"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected"),
        ("cut.xlsx", "truncated", "broken XLSX workbook file"),
        ("junk.ods", b"not a spreadsheet", "broken ODS spreadsheet file"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old .xls workbooks are not read"),
        ("header.xlsx", [["id", "name", "lat", "lon"]], "no sites"),
    ],
)
def test_bad_workbooks_are_one_sentence(tmp_path, name, content, words):
    path = tmp_path / name
    if content is None:
        openpyxl.Workbook().save(path)
    elif content == "truncated":
        full = workbook(tmp_path / "full.xlsx", [["id", "name", "lat", "lon"], ["a", "A", 1, 2]])
        path.write_bytes(full.read_bytes()[:400])
    elif isinstance(content, list):
        workbook(path, content)
    else:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_sites_file(path)
    assert info.value.file == str(path) and words in str(info.value)
    assert_one_sentence(info.value)


# --- region files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "words"),
    [
        ("price_usd_per_mwh", "inf", "expected a finite number, got 'inf'"),
        ("price_usd_per_mwh", "-5", "-5 is outside 0..2000"),
        ("carbon_g_per_kwh", "1e308", "1e+308 is outside 0..1500"),
        ("water_stress", "nan", "expected a number, got 'nan'"),
        ("lat", "91", "91 is outside -90..90"),
        ("time_to_power_months", "-1", "-1 is outside 0..240"),
        ("carbon_lifecycle_g_per_kwh", "-1", "-1 is outside 0..2000"),
        ("price_usd_per_mwh_year", "20233", "20233 is outside 1900..2100"),
    ],
)
def test_region_numbers_are_finite_and_in_range(tmp_path, column, cell, words):
    # The embedded regions file with one cell damaged in its second row.
    table = pd.read_csv(REGIONS, dtype=str, keep_default_na=False)
    table.loc[1, column] = cell
    path = tmp_path / "regions.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        read_regions_file(path)
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), 2, column)
    assert words in str(err)


@pytest.mark.parametrize("column", ["saidi_minutes", "carbon_lifecycle_g_per_kwh"])
def test_region_written_nan_in_an_optional_column_is_refused(tmp_path, column):
    table = pd.read_csv(REGIONS, dtype=str, keep_default_na=False)
    table.loc[1, column] = "nan"
    path = tmp_path / "regions.csv"
    table.to_csv(path, index=False)
    err = outcome(read_regions_file, path)
    assert isinstance(err, InputError) and (err.row, err.field) == (2, column)
    assert "expected a number, got 'nan'" in str(err)


def test_region_update_with_empty_cell_keeps_the_default(tmp_path):
    path = write(tmp_path, "r.csv", "region_code,price_usd_per_mwh,carbon_g_per_kwh\nUS-VA,,100\n")
    cat = load_catalog(regions_file=path)
    assert cat.regions.at["US-VA", "price_usd_per_mwh"] == pytest.approx(89.2)
    assert cat.regions.at["US-VA", "carbon_g_per_kwh"] == 100


# --- hourly price and carbon files -----------------------------------------------------------


def hourly_text(values: list[str], header: str = "hour,price") -> str:
    return header + "\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(values))


@pytest.mark.parametrize(
    ("what", "cell", "words"),
    [
        ("price", "inf", "expected a finite number, got 'inf'"),
        ("price", "nan", "expected a finite number, got 'nan'"),
        ("price", "", "expected a finite number, got an empty cell"),
        ("price", "1e308", "1e+308 USD/MWh is outside -1000..20000 USD/MWh"),
        ("price", "-5000", "outside -1000..20000"),
        ("carbon", "-1", "-1 gCO2/kWh is outside 0..2000 gCO2/kWh"),
        ("carbon", "abc", "expected a finite number, got 'abc'"),
    ],
)
def test_hourly_values_are_finite_and_in_range(tmp_path, what, cell, words):
    values = ["50"] * 8760
    values[99] = cell
    path = write(tmp_path, "h.csv", hourly_text(values, f"hour,{what}"))
    with pytest.raises(InputError) as info:
        read_hourly_file(path, what)
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), 100, what)
    assert words in str(err)


def test_hourly_negative_prices_are_real(tmp_path):
    values = ["-40.5" if i % 24 == 13 else "60" for i in range(8760)]
    frame = read_hourly_file(write(tmp_path, "h.csv", hourly_text(values)), "price")
    assert frame["price"].min() == -40.5


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["0"] * 8760, "every hourly price value is zero"),
        (["50"] * 8784, "got 8784 (a leap year? remove 29 February)"),
        ([], "expected 8760 hourly rows, got 0"),
    ],
)
def test_hourly_meaningless_files(tmp_path, values, words):
    path = write(tmp_path, "h.csv", hourly_text(values))
    with pytest.raises(InputError, match=re.escape(words)) as info:
        read_hourly_file(path, "price")
    assert info.value.file == str(path)
    assert info.value.field == ("price" if values and values[0] == "0" else None)


def test_hourly_carbon_free_grid_is_accepted(tmp_path):
    # Iceland and Norway run carbon-free hours; a whole zero year is plausible for carbon.
    path = write(tmp_path, "c.csv", hourly_text(["0"] * 8760, "hour,IS"))
    frame = read_hourly_file(path, "carbon")
    assert (frame["IS"] == 0).all() and len(frame) == 8760


def test_hourly_price_all_zero_says_why_it_is_refused(tmp_path):
    path = write(tmp_path, "p.csv", hourly_text(["0"] * 8760, "hour,IS"))
    err = outcome(read_hourly_file, path, "price")
    assert isinstance(err, InputError) and err.field == "IS"
    assert "a whole year at exactly zero is almost surely an export that lost" in str(err)


def test_hourly_pandas_index_column_and_compression(tmp_path):
    frame = pd.DataFrame({"US-VA": np.linspace(30, 90, 8760), "US-TX": 55.0})
    plain = tmp_path / "p.csv"
    frame.to_csv(plain)  # a first, unnamed column 0..8759
    gz = tmp_path / "p.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    zipped = tmp_path / "p.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(plain, "prices/p.csv")
    for path in (plain, gz, zipped):
        got = read_hourly_file(path, "price")
        assert list(got.columns) == ["US-VA", "US-TX"] and len(got) == 8760


# --- weather files ---------------------------------------------------------------------------


def insert_leap_day(lines: list[str], first_data: int, make) -> list[str]:
    """Copy 28 February as 29 February, inserted before 1 March (24 rows)."""
    start = first_data + 59 * 24
    return lines[:start] + [make(row) for row in lines[start - 24 : start]] + lines[start:]


def test_leap_year_tmy3_drops_29_february(tmp_path):
    lines = tmy3_lines()

    def leap(row: str) -> str:
        return row.replace("02/28/", "02/29/", 1)

    path = write(tmp_path, "leap.csv", "\n".join(insert_leap_day(lines, 2, leap)))
    table, _ = read_weather(path)
    original, _ = read_weather(GREENSBORO)
    assert len(table) == 8760
    np.testing.assert_allclose(table["temp_air_c"], original["temp_air_c"])


def test_leap_year_epw_without_29_february(tmp_path):
    lines = epw_lines()
    # The header says leap year; the data, as is usual for typical years, have no 29 February.
    lines[4] = lines[4].replace("HOLIDAYS/DAYLIGHT SAVINGS,No", "HOLIDAYS/DAYLIGHT SAVINGS,Yes")
    table, _ = read_weather(write(tmp_path, "leap.epw", "\n".join(lines)))
    assert len(table) == 8760
    # 8,784 rows with no 29 February are not a year.
    extra = lines + lines[-24:]
    with pytest.raises(InputError, match=r"line 8769: 8784 data rows but no 29 February"):
        read_weather(write(tmp_path, "long.epw", "\n".join(extra)))


def test_weather_blank_first_lines_and_quoted_names(tmp_path):
    lines = epw_lines()
    lines[0] = lines[0].replace("LOCATION,Chicago Ohare Intl Ap", 'LOCATION,"Chicago, O\'Hare"')
    table, meta = read_weather(write(tmp_path, "q.epw", "\n\n" + "\n".join(lines)))
    assert len(table) == 8760 and meta["lat"] == pytest.approx(41.98)
    assert meta["name"].startswith("Chicago, O'Hare")


@pytest.mark.parametrize(
    ("name", "edit", "words"),
    [
        ("head.epw", lambda x: x[:EPW_HEADER_LINES], "line 8: the file ends after 0 data rows"),
        ("head.csv", "tmy3-header", "line 2: the file ends after its header"),
        ("quote.epw", "quote", "line 101: expected a number for month, got '\"1'"),
        (
            "nopressure.epw",
            "no-elevation-no-pressure",
            "line 11: Atmospheric Station Pressure "
            "is missing and the location record gives no elevation",
        ),
        ("rate.epw", "records-per-hour", "records per hour, expected a whole number"),
    ],
)
def test_weather_refusals_name_the_line(tmp_path, name, edit, words):
    lines = tmy3_lines() if name.endswith(".csv") else epw_lines()
    if callable(edit):
        lines = edit(lines)
    elif edit == "tmy3-header":
        lines = lines[:2]
    elif edit == "quote":
        lines[100] = lines[100].replace(",", ',"', 1)
    elif edit == "records-per-hour":
        lines[7] = lines[7].replace("DATA PERIODS,1,1", "DATA PERIODS,1,0")
    elif edit == "no-elevation-no-pressure":
        lines[0] = ",".join(lines[0].split(",")[:9] + [""])
        fields = lines[10].split(",")
        fields[9] = "999999"  # the EPW missing-value code
        lines[10] = ",".join(fields)
    path = write(tmp_path, name, "\n".join(lines))
    with pytest.raises(InputError) as info:
        read_weather(path)
    assert info.value.file == str(path) and words in str(info.value)
    assert_one_sentence(info.value)


def epw_with_dry_bulb(cell: str, line: int = 101) -> str:
    lines = epw_lines()
    fields = lines[line - 1].split(",")
    fields[6] = cell  # dry-bulb temperature, C
    lines[line - 1] = ",".join(fields)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("inf", "line 101: expected a finite number for temp_air_c, got 'inf'"),
        ("-inf", "expected a finite number"),
        ("Infinity", "expected a finite number"),
        ("nan", "line 101: expected a number for temp_air_c, got 'nan'"),
    ],
)
def test_weather_non_finite_values_are_refused(tmp_path, cell, words):
    # 'inf' passed as the EPW missing code 99.9 and was filled in, while 'nan' was refused.
    path = write(tmp_path, "w.epw", epw_with_dry_bulb(cell))
    err = outcome(read_weather, path)
    assert isinstance(err, InputError) and words in str(err)
    assert err.file == str(path)


def test_weather_missing_code_is_still_filled(tmp_path):
    frame, _ = outcome(read_weather, write(tmp_path, "w.epw", epw_with_dry_bulb("99.9")))
    assert np.isfinite(frame.iloc[:, :].select_dtypes("number").to_numpy()).all()


def test_weather_blank_elevation_is_fine_when_pressure_is_given(tmp_path):
    lines = epw_lines()
    lines[0] = ",".join(lines[0].split(",")[:9] + [""])
    table, meta = read_weather(write(tmp_path, "noelev.epw", "\n".join(lines)))
    assert meta["elevation_m"] is None and table["pressure_pa"].notna().all()


def test_weather_zip_as_distributed(tmp_path):
    text = "\n".join(epw_lines())
    path = tmp_path / "USA_IL_Chicago.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix in (".epw", ".ddy", ".stat", ".clm"):
            archive.writestr(f"USA_IL_Chicago{suffix}", text if suffix == ".epw" else "x")
    table, _ = read_weather(path)
    assert len(table) == 8760
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.epw", text)
        archive.writestr("b.epw", text)
    with pytest.raises(InputError, match="holding one .epw or .csv weather file, found 2"):
        read_weather(two)


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory) -> Path:
    """1 GB of zeros, gzip-compressed in 16 MB chunks to about 1 MB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.epw.gz"
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(16 * 2**20)
    with path.open("wb") as out:
        for _ in range(64):
            out.write(deflate.compress(zeros))
        out.write(deflate.flush())
    assert path.stat().st_size < 2 * 2**20
    return path


@pytest.mark.parametrize("reader", ["weather", "hourly", "sites"])
def test_gzip_bomb_is_refused_fast_with_bounded_memory(gzip_bomb, tmp_path, reader):
    path = gzip_bomb
    if reader != "weather":
        path = tmp_path / "bomb.csv.gz"
        path.write_bytes(gzip_bomb.read_bytes())
    read = {
        "weather": read_weather,
        "hourly": lambda p: read_hourly_file(p, "price"),
        "sites": read_sites_file,
    }[reader]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError, match="holds more than 64 MB of data") as info:
            read(path)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.file == str(path)
    assert seconds < 5.0
    assert peak < 3 * MAX_INFLATED_BYTES  # the cap, plus the chunks gzip joins; never 1 GB


# --- property tests: generated damage --------------------------------------------------------

cells = st.one_of(
    st.sampled_from(HOSTILE_CELLS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6),
)


@PROPERTY
@given(
    rows=st.lists(st.tuples(cells, cells, cells, cells), min_size=1, max_size=4),
    header=st.sampled_from(
        [
            "id,name,lat,lon",
            "id,name,latitude,longitude,capacity_mw",
            "site_id,name,lat,lon,time_to_power_months",
            "id,lat,lon,name",
        ]
    ),
    quote=st.booleans(),
)
def test_property_site_csv(tmp_path, rows, header, quote):
    buffer = io.StringIO()
    if quote:
        writer = csv.writer(buffer)
        writer.writerow(header.split(","))
        for k, row in enumerate(rows):
            writer.writerow([f"s{k}", *row][: len(header.split(","))])
        text = buffer.getvalue()
    else:
        text = header + "\n" + "".join(f"s{k}," + ",".join(r) + "\n" for k, r in enumerate(rows))
    result = outcome(read_sites_file, write(tmp_path, "s.csv", text))
    if not isinstance(result, InputError):
        sites, _ = result
        assert sites["lat"].between(-90, 90).all() and sites["lon"].between(-180, 180).all()
        assert np.isfinite(sites[["lat", "lon", "elevation_m", "land_usd_per_m2"]]).all().all()


@PROPERTY
@given(
    codes=st.lists(st.sampled_from(["US-VA", "US-TX", "ZZ-NEW", "", "de"]), min_size=1, max_size=3),
    column=st.sampled_from(
        [
            "price_usd_per_mwh",
            "carbon_g_per_kwh",
            "water_stress",
            "lat",
            "hazard",
            "saidi_minutes",
            "construction_index",
        ]
    ),
    values=st.lists(cells, min_size=3, max_size=3),
)
def test_property_region_csv(tmp_path, codes, column, values):
    rows = "".join(f"{c},{v}\n" for c, v in zip(codes, values, strict=False))
    text = f"region_code,{column}\n" + rows
    path = write(tmp_path, "r.csv", text)
    result = outcome(load_catalog, regions_file=path)
    if not isinstance(result, InputError):
        update = read_regions_file(path, partial=True)
        merged = merge_regions(result.regions, update, path)
        assert np.isfinite(merged[column].dropna().to_numpy(float)).all()


@PROPERTY
@given(
    damage=st.lists(st.tuples(st.integers(0, 8759), cells), max_size=3),
    rows=st.sampled_from([8760, 8760, 8759, 8784]),
    what=st.sampled_from(["price", "carbon"]),
    fill=st.sampled_from(["50", "0"]),
)
def test_property_hourly_csv(tmp_path, damage, rows, what, fill):
    values = [fill] * rows
    for row, cell in damage:
        if row < rows:
            values[row] = cell.replace(",", "").replace('"', "").replace("\n", "")
    path = write(tmp_path, "h.csv", hourly_text(values, f"hour,{what}"))
    result = outcome(read_hourly_file, path, what)
    if not isinstance(result, InputError):
        assert result.shape == (8760, 1) and np.isfinite(result.to_numpy()).all()


@PROPERTY
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 8767), st.integers(0, 34), st.sampled_from(HOSTILE_CELLS)),
        max_size=3,
    ),
    cut=st.one_of(st.none(), st.integers(0, 8768)),
    lead=st.sampled_from(["", "\n", "\ufeff", "\n \n"]),
)
def test_property_weather_text(tmp_path, edits, cut, lead):
    lines = epw_lines()
    for line, field, cell in edits:
        fields = lines[line].split(",")
        fields[min(field, len(fields) - 1)] = cell
        lines[line] = ",".join(fields)
    if cut is not None:
        lines = lines[:cut]
    result = outcome(read_weather, write(tmp_path, "w.epw", lead + "\n".join(lines)))
    if not isinstance(result, InputError):
        table, _ = result
        assert len(table) == 8760 and np.isfinite(table.drop(columns="month")).all().all()


# --- paths that are not regular files --------------------------------------------------------

READERS = {
    "weather": read_weather,
    "hourly": lambda p: read_hourly_file(p, "price"),
    "sites": read_sites_file,
    "regions": read_regions_file,
}


def not_a_file(tmp_path: Path, kind: str) -> Path:
    if kind == "device":
        return Path("/dev/zero")
    path = tmp_path / f"{kind}.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would block until a writer comes: it must not be opened
    else:
        path.mkdir()
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs")
@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("kind", "words"),
    [("device", "got a device"), ("fifo", "got a FIFO (named pipe)"), ("folder", "got a folder")],
)
def test_devices_fifos_and_folders_are_refused_unopened(tmp_path, reader, kind, words):
    path = not_a_file(tmp_path, kind)
    started = time.perf_counter()
    err = outcome(READERS[reader], path)
    assert isinstance(err, InputError) and err.file == str(path)
    assert "expected a regular" in str(err) and words in str(err)
    assert "no such" not in str(err)
    assert time.perf_counter() - started < 5.0


def test_plain_read_stops_one_byte_past_the_cap(tmp_path):
    path = write(tmp_path, "big.csv", "x" * 11)
    assert read_plain_bytes(path, what="results", limit=11) == b"x" * 11
    with pytest.raises(InputError, match="holds more than 10 bytes of data"):
        read_plain_bytes(path, what="results", limit=10)


def test_sparse_huge_weather_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.epw"
    with path.open("wb") as handle:
        handle.truncate(MAX_INFLATED_BYTES + 2**20)  # sparse: no disk, but reads as zeros
    tracemalloc.start()
    try:
        err = outcome(read_weather, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(err, InputError) and "holds more than 64 MB" in str(err)
    assert peak < 2 * MAX_INFLATED_BYTES
