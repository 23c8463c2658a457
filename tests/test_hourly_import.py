"""Time rules, the written region file, the evaluation's timestamped reader and the command.

Standard offsets from the IANA tz database: Australia/Sydney UTC+10 (AEST; DST in the
southern summer), Europe/Dublin UTC+0 in winter (tzdata's negative DST), America/New_York
UTC-5.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli.main import run
from planner.errors import InputError
from planner.evaluate import read_hourly_file, read_hourly_provenance
from planner.hourly.importer import write_region_column
from planner.hourly.timebase import hour_of_year, standard_offset, to_local_standard

HOUR_OF_DAY = np.arange(8760) % 24


@pytest.mark.parametrize(
    ("zone", "hours"),
    [
        ("Australia/Sydney", 10),
        ("Europe/Dublin", 0),
        ("America/New_York", -5),
        ("Asia/Kolkata", 5.5),
        ("America/Phoenix", -7),
    ],
)
def test_standard_offset_both_hemispheres(zone, hours):
    assert standard_offset(zone, 2023) == pd.Timedelta(hours=hours)


def test_local_standard_time_ignores_dst():
    # 12:00 UTC on 1 July: 08:00 EDT on the wall, 07:00 in New York standard time.
    got = to_local_standard(pd.DatetimeIndex(["2023-07-01 12:00Z"]), "America/New_York")
    assert got[0] == pd.Timestamp("2023-07-01 07:00")


def test_hour_of_year_skips_29_february():
    stamps = pd.DatetimeIndex(["2024-01-01 00:00", "2024-03-01 00:00", "2023-03-01 00:00"])
    # 1 March is day 59 (0-based) of a year without 29 February: 59 x 24 = 1416.
    np.testing.assert_array_equal(hour_of_year(stamps), [0, 1416, 1416])


def utc_file(tmp_path, starts, columns, name="t.csv"):
    path = tmp_path / name
    frame = pd.DataFrame({"timestamp": starts.strftime("%Y-%m-%dT%H:%M:%SZ"), **columns})
    frame.to_csv(path, index=False)
    return path


def test_evaluation_reads_timestamped_file_per_region_zone(tmp_path):
    starts = pd.date_range("2023-01-01", "2024-01-01 12:00", freq="h", tz="UTC", inclusive="left")
    utc_hour = starts.hour.to_numpy()
    path = utc_file(tmp_path, starts, {"US-VA": 50.0 + utc_hour, "DE": 50.0 + utc_hour})
    frame = read_hourly_file(path, "price")
    assert list(frame.columns) == ["US-VA", "DE"] and len(frame) == 8760
    # Local standard hour h is UTC hour h+5 in Virginia and h-1 in Germany.
    np.testing.assert_allclose(frame["US-VA"], 50 + (HOUR_OF_DAY + 5) % 24)
    np.testing.assert_allclose(frame["DE"], 50 + (HOUR_OF_DAY - 1) % 24)
    mapped = read_hourly_file(path, "price", {"US-VA": "UTC", "DE": "UTC"})
    np.testing.assert_allclose(mapped["DE"], 50 + HOUR_OF_DAY)


def test_evaluation_refuses_half_a_year_and_naive_stamps(tmp_path):
    starts = pd.date_range("2023-01-01", "2023-07-01", freq="h", tz="UTC", inclusive="left")
    path = utc_file(tmp_path, starts, {"IS": 10.0})
    with pytest.raises(InputError, match="covers 2023-01-01 to 2023-06-30, expected one whole"):
        read_hourly_file(path, "carbon")
    naive = tmp_path / "n.csv"
    naive.write_text("timestamp,IS\n2023-01-01 00:00,5\n")
    with pytest.raises(InputError, match="have no UTC offset"):
        read_hourly_file(naive, "carbon")


def test_cfe_share_range(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("hour,IS\n" + "".join(f"{i},1.2\n" for i in range(8760)))
    with pytest.raises(InputError, match="1.2 share is outside 0..1 share"):
        read_hourly_file(path, "cfe")


def test_region_file_keeps_other_columns_and_provenance(tmp_path):
    out = tmp_path / "prices.csv"
    write_region_column(out, "US-VA", np.full(8760, 40.0), ["US-VA: source=csv"])
    write_region_column(out, "DE", np.arange(8760.0), ["DE: source=entsoe"])
    write_region_column(out, "US-VA", np.full(8760, 45.0), ["US-VA: source=gridstatus"])
    frame = read_hourly_file(out, "price")
    assert list(frame.columns) == ["US-VA", "DE"]
    assert (frame["US-VA"] == 45).all() and frame["DE"].iloc[8759] == 8759
    assert read_hourly_provenance(out) == ["DE: source=entsoe", "US-VA: source=gridstatus"]


def test_cli_import_hourly(tmp_path, capsys):
    starts = pd.date_range("2022-12-31 05:00", periods=8760 * 2, freq="30min", tz="UTC")
    path = utc_file(tmp_path, starts, {"price": 30.0 + (starts - pd.Timedelta(hours=5)).hour})
    out = tmp_path / "out.csv"
    args = ["data", "import-hourly", str(path), "--format", "csv", "--region", "US-VA"]
    assert run([*args, "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == 8760 and doc["years"] == [2023] and doc["standard_offset_hours"] == -5
    assert (doc["min"], doc["max"], doc["mean"]) == (30.0, 53.0, 41.5)  # 30 + 0..23
    frame = read_hourly_file(out, "price")
    np.testing.assert_allclose(frame["US-VA"], 30 + HOUR_OF_DAY)
    assert any(
        line.startswith("US-VA: source=csv; file=t.csv") for line in read_hourly_provenance(out)
    )


def test_cli_bad_input_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,price\n2023-01-01T00:00Z,abc\n")
    args = ["data", "import-hourly", str(bad), "--format", "csv", "--region", "IS"]
    assert run([*args, "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 1, field 'price': expected a number, got 'abc'." in err
    assert run([*args, "--tz", "Mars/Olympus", "--out", str(tmp_path / "o.csv")]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


STAMPS = st.lists(
    st.one_of(
        st.sampled_from(["", "2023-13-01T00:00Z", "2023-03-12 02:30", "yesterday", "2023-01-01"]),
        st.text(max_size=12),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stamps=STAMPS,
    values=st.lists(st.sampled_from(["1", "-5", "n/e", "x", ""]), min_size=6, max_size=6),
)
def test_hostile_generic_files_raise_one_sentence(tmp_path, stamps, values):
    # Tiny files never make a year: each is refused with one InputError of one line.
    from planner.hourly.importer import import_hourly

    rows = "".join(
        f'"{s.replace(chr(34), "")}",{v}\n' for s, v in zip(stamps, values, strict=False)
    )
    path = tmp_path / "h.csv"
    path.write_text("timestamp,price\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_hourly(path, "csv", "US-VA")
    assert "\n" not in str(info.value)
