"""Each publisher's export, made with a known shape, lands on the right local standard hours.

The shapes: a value equal to the local standard hour of day (0..23) of the interval start, so
that row h of the output must hold h % 24 whatever time base the file used. Standard offsets
(IANA tz database): America/New_York UTC-5, America/Chicago UTC-6, Europe/Brussels UTC+1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.hourly.formats import DEFAULT_EUR_USD, ReadOptions
from planner.hourly.importer import import_hourly

HOUR_OF_DAY = np.arange(8760) % 24


def utc_hours(
    first_local: str, offset_h: int, freq: str = "h", days: int = 365
) -> pd.DatetimeIndex:
    """Interval starts (UTC) of a local standard year beginning at ``first_local``."""
    start = pd.Timestamp(first_local) - pd.Timedelta(hours=offset_h)
    periods = (
        days * 86400 // int(pd.Timedelta(pd.tseries.frequencies.to_offset(freq)).total_seconds())
    )
    return pd.date_range(start, periods=periods, freq=freq, tz="UTC")


def std_hour(instants: pd.DatetimeIndex, offset_h: int) -> np.ndarray:
    return (instants + pd.Timedelta(hours=offset_h)).hour.to_numpy()


# --- EIA-930 -----------------------------------------------------------------------------------


def eia_text(ba_rows: dict[str, dict[str, list[str]]]) -> str:
    header = [
        "Balancing Authority",
        "Data Date",
        "Hour Number",
        "Local Time at End of Hour",
        "UTC Time at End of Hour",
        "Demand (MW)",
        "Net Generation (MW) from Coal",
        "Net Generation (MW) from Natural Gas",
        "Net Generation (MW) from Nuclear",
        "Net Generation (MW) from Solar",
        "Net Generation (MW) from Coal (Adjusted)",
    ]
    frame = pd.concat(
        [pd.DataFrame({"Balancing Authority": ba, **cols}) for ba, cols in ba_rows.items()]
    )
    return frame.reindex(columns=header, fill_value="").to_csv(index=False)


def eia_columns(starts: pd.DatetimeIndex) -> dict[str, list[str]]:
    ends = starts + pd.Timedelta(hours=1)
    local = ends.tz_convert("America/New_York")
    demand = 1000 + 100 * std_hour(starts, -5)
    return {
        "Data Date": list(local.strftime("%m/%d/%Y")),
        "Hour Number": ["1"] * len(starts),
        "Local Time at End of Hour": list(local.strftime("%m/%d/%Y %I:%M:%S %p")),
        "UTC Time at End of Hour": list(ends.strftime("%m/%d/%Y %I:%M:%S %p")),
        "Demand (MW)": [f"{d:,}" for d in demand],  # thousands separators, as EIA prints
        "Net Generation (MW) from Coal": ["1,000"] * len(starts),
        "Net Generation (MW) from Natural Gas": ["1,000"] * len(starts),
        "Net Generation (MW) from Nuclear": ["2,000"] * len(starts),
        "Net Generation (MW) from Solar": ["-50"] * len(starts),  # night draw: clipped
        "Net Generation (MW) from Coal (Adjusted)": [""] * len(starts),
    }


@pytest.fixture(scope="module")
def eia_file(tmp_path_factory) -> Path:
    starts = utc_hours("2023-01-01", -5)
    path = tmp_path_factory.mktemp("eia") / "EIA930_BALANCE_2023.csv"
    path.write_text(eia_text({"PJM": eia_columns(starts), "MISO": eia_columns(starts)}))
    return path


def test_eia930_demand_on_local_standard_hours(eia_file):
    opt = ReadOptions(quantity="demand", select="PJM")
    got = import_hourly(eia_file, "eia930", "US-VA", options=opt)
    np.testing.assert_array_equal(got.year.values, 1000 + 100 * HOUR_OF_DAY)
    assert got.year.years_used == [2023] and got.standard_offset_hours == -5


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        # Coal 1000, gas 1000, nuclear 2000 MW; solar -50 clipped to 0. Factors from
        # data/emission_factors.csv (IPCC AR5 WGIII Annex III, Table A.III.2 medians):
        # direct coal 760, gas 370, nuclear 0 -> (760000 + 370000) / 4000 = 282.5
        ("carbon", 282.5),
        # lifecycle coal 820, gas 490, nuclear 12, solar 48 -> (820000+490000+24000)/4000
        ("carbon-lifecycle", 333.5),
        # nuclear 2000 of 4000 MW
        ("cfe-share", 0.5),
    ],
)
def test_eia930_mix_by_hand(eia_file, quantity, expected):
    got = import_hourly(
        eia_file, "eia930", "US-VA", options=ReadOptions(quantity=quantity, select="pjm")
    )
    np.testing.assert_allclose(got.year.values, expected)
    assert any("clipped at zero" in line for line in got.provenance)


def test_eia930_several_areas_need_ba(eia_file):
    with pytest.raises(InputError, match="choose one with --ba"):
        import_hourly(eia_file, "eia930", "US-VA")


def test_eia930_local_end_of_hour_without_utc(tmp_path):
    starts = utc_hours("2023-01-01", -5)
    cols = eia_columns(starts)
    del cols["UTC Time at End of Hour"]
    path = tmp_path / "eia.csv"
    path.write_text(eia_text({"PJM": cols}).replace("UTC Time at End of Hour", "x"))
    got = import_hourly(path, "eia930", "US-VA", options=ReadOptions(quantity="demand"))
    np.testing.assert_array_equal(got.year.values, 1000 + 100 * HOUR_OF_DAY)


# --- ENTSO-E -----------------------------------------------------------------------------------


def entsoe_prices(tag_repeats: bool, freq: str = "h") -> str:
    starts = utc_hours("2023-01-01", 1, freq)
    local = starts.tz_convert("Europe/Brussels")
    ends = local + pd.tseries.frequencies.to_offset(freq)
    fmt = "%d.%m.%Y %H:%M"
    first = pd.Series(local.strftime(fmt))
    if tag_repeats:
        repeated = pd.Series(local.tz_localize(None)).duplicated(keep=False).to_numpy()
        tag = np.where(local.strftime("%Z") == "CEST", " (CEST)", " (CET)")
        first = first.where(~repeated, first + tag)
    mtu = first + " - " + pd.Series(ends.strftime(fmt))
    minutes = starts.minute.to_numpy()
    price = std_hour(starts, 1) * 10 + minutes / 15
    return pd.DataFrame(
        {
            "MTU (CET/CEST)": mtu,
            "Day-ahead Price [EUR/MWh]": price,
            "Currency": "EUR",
            "BZN|DE-LU": "",
        }
    ).to_csv(index=False)


@pytest.mark.parametrize("tag_repeats", [False, True])
def test_entsoe_prices_cet_cest_with_repeated_hour(tmp_path, tag_repeats):
    path = tmp_path / "prices.csv"
    path.write_text(entsoe_prices(tag_repeats))
    got = import_hourly(path, "entsoe", "DE")
    # The 25-row October day and the 23-row March day collapse onto 24 standard hours.
    np.testing.assert_allclose(got.year.values, HOUR_OF_DAY * 10 * DEFAULT_EUR_USD)
    assert got.unit == "USD/MWh" and got.year.filled_hours == 0


def test_entsoe_quarter_hour_mtus_are_averaged(tmp_path):
    path = tmp_path / "prices15.csv"
    path.write_text(entsoe_prices(False, "15min"))
    got = import_hourly(path, "entsoe", "DE", options=ReadOptions(eur_usd=1.0))
    # Quarters 0, 1, 2, 3 add 0..3 to the hour's value: the mean adds 1.5.
    np.testing.assert_allclose(got.year.values, HOUR_OF_DAY * 10 + 1.5)


def test_entsoe_generation_mix(tmp_path):
    starts = utc_hours("2023-01-01", 0)  # MTU (UTC)
    mtu = (
        pd.Series(starts.strftime("%d.%m.%Y %H:%M"))
        + " - "
        + pd.Series((starts + pd.Timedelta(hours=1)).strftime("%d.%m.%Y %H:%M"))
    )
    frame = pd.DataFrame(
        {
            "Area": "BZN|PT",
            "MTU (UTC)": mtu,
            "Biomass - Actual Aggregated [MW]": "n/e",
            "Fossil Gas - Actual Aggregated [MW]": "300",
            "Nuclear - Actual Aggregated [MW]": "700",
            "Hydro Pumped Storage - Actual Aggregated [MW]": "100",
            "Hydro Pumped Storage - Actual Consumption [MW]": "250",
            "Marine - Actual Aggregated [MW]": "-",
        }
    )
    path = tmp_path / "gen.csv"
    path.write_text(frame.to_csv(index=False))
    direct = import_hourly(path, "entsoe", "PT", tz="UTC")
    life = import_hourly(
        path, "entsoe", "PT", tz="UTC", options=ReadOptions(quantity="carbon-lifecycle")
    )
    cfe = import_hourly(path, "entsoe", "PT", tz="UTC", options=ReadOptions(quantity="cfe-share"))
    # Pumped storage left out: gas 300 x 370 / 1000 MW; lifecycle (300x490 + 700x12) / 1000.
    np.testing.assert_allclose(direct.year.values, 111.0)
    np.testing.assert_allclose(life.year.values, 155.4)
    np.testing.assert_allclose(cfe.year.values, 0.7)


# --- gridstatus --------------------------------------------------------------------------------


def test_gridstatus_lmp_five_minute_local_offsets(tmp_path):
    starts = utc_hours("2023-01-01", -6, "5min")
    local = starts.tz_convert("America/Chicago")
    rows = []
    for loc, base in (("HB_HOUSTON", 0.0), ("HB_NORTH", 100.0)):
        rows.append(
            pd.DataFrame(
                {
                    "Time": local.astype(str),
                    "Interval Start": local.astype(str),
                    "Interval End": (local + pd.Timedelta(minutes=5)).astype(str),
                    "Market": "REAL_TIME_5_MIN",
                    "Location": loc,
                    "Location Type": "Trading Hub",
                    "LMP": base + std_hour(starts, -6),
                    "Energy": 1.0,
                }
            )
        )
    path = tmp_path / "lmp.csv"
    pd.concat(rows).to_csv(path, index=False)
    got = import_hourly(
        path, "gridstatus", "US-TX", options=ReadOptions(select="HB_NORTH", column="LMP")
    )
    np.testing.assert_allclose(got.year.values, 100 + HOUR_OF_DAY)
    with pytest.raises(InputError, match="choose one with --location"):
        import_hourly(path, "gridstatus", "US-TX", options=ReadOptions(column="LMP"))


def test_gridstatus_utc_columns(tmp_path):
    starts = utc_hours("2023-01-01", -6)
    frame = pd.DataFrame(
        {
            "interval_start_utc": starts.strftime("%Y-%m-%d %H:%M:%S+00:00"),
            "interval_end_utc": (starts + pd.Timedelta(hours=1)).strftime(
                "%Y-%m-%d %H:%M:%S+00:00"
            ),
            "load": 5000 + std_hour(starts, -6),
        }
    )
    path = tmp_path / "load.csv"
    frame.to_csv(path, index=False)
    got = import_hourly(path, "gridstatus", "US-TX", options=ReadOptions(quantity="demand"))
    np.testing.assert_allclose(got.year.values, 5000 + HOUR_OF_DAY)


# --- Cambium -----------------------------------------------------------------------------------


def cambium_text(hours: int) -> str:
    local = pd.date_range("2024-01-01", periods=hours, freq="h")  # 2024: a leap year
    est = local + pd.Timedelta(hours=-1)  # Central standard -> Eastern standard
    head = "Cambium 2023 release,MidCase\nBalancing area,p60\nUnits,kg/MWh\n,\n"
    body = pd.DataFrame(
        {
            "timestamp": est.strftime("%Y-%m-%d %H:%M:%S"),
            "timestamp_local": local.strftime("%Y-%m-%d %H:%M:%S"),
            "aer_load_co2_c": local.hour * 2.0,
            "aer_load_co2e": local.hour * 3.0,
        }
    ).to_csv(index=False)
    return head + body


@pytest.mark.parametrize("hours", [8784, 8760])
def test_cambium_leap_year(tmp_path, hours):
    path = tmp_path / "cambium.csv"
    path.write_text(cambium_text(hours))
    got = import_hourly(path, "cambium", "US-TX")
    np.testing.assert_allclose(got.year.values, HOUR_OF_DAY * 2.0)
    assert got.year.years_used == [2024]
    life = import_hourly(path, "cambium", "US-TX", options=ReadOptions(quantity="carbon-lifecycle"))
    np.testing.assert_allclose(life.year.values, HOUR_OF_DAY * 3.0)


# --- generic csv -------------------------------------------------------------------------------


def test_generic_naive_local_times_across_dst(tmp_path):
    starts = utc_hours("2023-01-01", -5, "30min")
    wall = starts.tz_convert("America/New_York").tz_localize(None)  # repeats 01:00-01:30 in Nov
    frame = pd.DataFrame(
        {"timestamp": wall.strftime("%Y-%m-%d %H:%M"), "carbon": std_hour(starts, -5) * 1.0}
    )
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    got = import_hourly(path, "csv", "US-VA", tz="America/New_York")
    np.testing.assert_allclose(got.year.values, HOUR_OF_DAY)
    assert got.quantity == "carbon"


def test_generic_typical_year_and_year_choice(tmp_path):
    idx = pd.date_range("2022-01-01", "2024-12-31 23:00", freq="h", tz="UTC")
    value = np.select([idx.year == 2022, idx.year == 2023], [10.0, 20.0], 60.0)
    path = tmp_path / "p.csv"
    pd.DataFrame({"timestamp": idx.strftime("%Y-%m-%dT%H:%MZ"), "price": value}).to_csv(
        path, index=False
    )
    got = import_hourly(path, "csv", "IS")  # Atlantic/Reykjavik: UTC+0, no DST
    np.testing.assert_allclose(got.year.values, (10 + 20 + 60) / 3)
    assert got.year.years_used == [2022, 2023, 2024] and got.year.leap_day_hours == 24
    one = import_hourly(path, "csv", "IS", year=2023)
    np.testing.assert_allclose(one.year.values, 20.0)


def test_generic_short_gap_filled_long_gap_refused(tmp_path):
    idx = pd.date_range("2023-01-01", periods=8760, freq="h", tz="UTC")
    value = np.arange(8760, dtype=float)
    keep = np.ones(8760, bool)
    keep[100:103] = False  # three hours: interpolated
    path = tmp_path / "p.csv"
    pd.DataFrame(
        {"timestamp": idx[keep].strftime("%Y-%m-%dT%H:%M+00:00"), "price": value[keep]}
    ).to_csv(path, index=False)
    got = import_hourly(path, "csv", "IS")
    np.testing.assert_allclose(got.year.values, value)  # linear: exact on a ramp
    assert got.year.filled_hours == 3
    keep[2000:2048] = False  # 48 hours from 25 March 08:00 (hour 83 x 24 + 8) to 27 March 07:00
    pd.DataFrame(
        {"timestamp": idx[keep].strftime("%Y-%m-%dT%H:%M+00:00"), "price": value[keep]}
    ).to_csv(path, index=False)
    with pytest.raises(InputError, match="on 2023-03-25 to 2023-03-27 "):
        import_hourly(path, "csv", "IS")


def test_generic_naive_without_zone_and_nonexistent_time(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("timestamp,price\n2023-03-12 01:00,5\n2023-03-12 02:00,5\n")
    with pytest.raises(InputError, match="does not exist in America/New_York") as info:
        import_hourly(path, "csv", "US-VA")
    assert info.value.row == 2
