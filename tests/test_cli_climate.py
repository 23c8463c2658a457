"""`planner climate summary` and `planner pue`: output, JSON and bad input (exit code 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import run

DATA = Path(__file__).parent / "data"
CHICAGO = DATA / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"
GREENSBORO = DATA / "723170TYA.CSV.gz"


def planner_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=120
    )


def test_climate_summary_json(capsys):
    assert run(["climate", "summary", str(GREENSBORO), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "tmy3" and doc["hours"] == 8760
    assert doc["lat"] == 36.1 and doc["elevation_m"] == 273.0
    # The file's extremes: -16.7 C and 35.6 C dry-bulb.
    assert (doc["temp_air_c"]["min"], doc["temp_air_c"]["max"]) == (-16.7, 35.6)
    assert doc["temp_wet_c"]["max"] <= doc["temp_air_c"]["max"]
    # Hours strictly below (above, for the dew point) each threshold, counted in the file.
    from planner.climate import read_weather

    table, _ = read_weather(GREENSBORO)
    assert doc["temp_air_c"]["mean"] == pytest.approx(table["temp_air_c"].mean(), rel=1e-12)
    keys = {t["key"]: t["hours"] for t in doc["thresholds"]}
    assert keys == {
        "hours_dry_bulb_below_18c": int((table["temp_air_c"] < 18).sum()),
        "hours_dry_bulb_below_24c": int((table["temp_air_c"] < 24).sum()),
        "hours_dry_bulb_below_27c": int((table["temp_air_c"] < 27).sum()),
        "hours_wet_bulb_below_12c": int((table["temp_wet_c"] < 12).sum()),
        "hours_wet_bulb_below_22c": int((table["temp_wet_c"] < 22).sum()),
        "hours_dew_point_above_17c": int((table["temp_dew_c"] > 17).sum()),
    }
    assert keys["hours_dry_bulb_below_18c"] == 5084 and keys["hours_dew_point_above_17c"] == 2408
    assert [m["month"] for m in doc["monthly"]] == list(range(1, 13))
    january = table.loc[table["month"] == 1, "temp_air_c"].mean()
    assert doc["monthly"][0]["temp_air_c"] == pytest.approx(january, rel=1e-12)


def test_climate_summary_table(capsys):
    assert run(["climate", "summary", str(CHICAGO)]) == 0
    out = capsys.readouterr().out
    assert "Chicago Ohare" in out and "dry-bulb" in out and "hours_wet_bulb_below_12c" in out


def test_climate_summary_bad_file_exit_2(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\nworld\n")
    done = planner_cli("climate", "summary", str(bad))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "line 1" in lines[0]
    assert done.stdout == ""


def test_pue_json_with_climate_file(capsys):
    assert run(["pue", "--climate", str(CHICAGO), "--cooling", "water-economizer", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["technology"] == "water-economizer" and doc["preset"] == "hyperscale"
    # The file's hours at its mean station pressure through the cooling model, at full load;
    # inside the 1.07-1.17 of hyperscale economizers in U.S. climates (Lei & Masanet 2022).
    from planner.climate import read_weather
    from planner.cooling import load_cooling_parameters, simulate_cooling

    table, _ = read_weather(CHICAGO)
    params, _ = load_cooling_parameters("hyperscale")
    direct = simulate_cooling(
        "water-economizer",
        table["temp_air_c"].to_numpy(),
        table["temp_wet_c"].to_numpy(),
        params,
        pressure_pa=float(table["pressure_pa"].mean()),
    )
    assert doc["pue_annual"] == pytest.approx(direct.pue_annual()[0], rel=1e-9)
    assert doc["pue_peak"] == pytest.approx(direct.pue_peak()[0], rel=1e-9)
    assert doc["wue_l_per_kwh"] == pytest.approx(direct.wue_annual()[0], rel=1e-9)
    assert 1.07 <= doc["pue_annual"] <= 1.17 and doc["pue_peak"] > doc["pue_annual"]
    assert len(doc["monthly"]) == 12
    # Chicago's July is warmer than its January: more mechanical cooling, higher PUE.
    assert doc["monthly"][6]["pue"] > doc["monthly"][0]["pue"]
    assert sum(m["economizer_hours"] for m in doc["monthly"]) == pytest.approx(
        doc["economizer_hours"], rel=1e-6
    )


def test_pue_table_legacy(capsys):
    assert (
        run(
            [
                "pue",
                "--climate",
                str(GREENSBORO),
                "--cooling",
                "air-chiller",
                "--preset",
                "legacy-enterprise",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "annual PUE" in out and "Jul" in out


def test_pue_auto_on_a_default_site(capsys):
    from planner.catalog import default_catalog

    site = default_catalog().sites.index[0]
    assert run(["pue", "--site", site, "--cooling", "auto", "--rack-kw", "120", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["technology"] == "liquid-dtc" and doc["climate"]["source"] == "normals"
    assert len(doc["candidates"]) == 5


def test_pue_on_every_default_site():
    from planner.catalog import default_catalog
    from planner.cli.cmd_pue import run_pue

    for site in default_catalog().sites.index:
        doc = run_pue(
            climate_file=None, site_id=site, technology="air-economizer", preset="hyperscale"
        )
        assert 1.03 < doc["pue_annual"] < 1.4, site
        assert 0 <= doc["wue_l_per_kwh"] < 3.0, site


@pytest.mark.parametrize(
    "args, words",
    [
        (["pue", "--cooling", "air-chiller"], "exactly one of --climate"),
        (["pue", "--climate", "x.epw", "--site", "a", "--cooling", "air-chiller"], "exactly one"),
        (["pue", "--site", "no-such-site", "--cooling", "air-chiller"], "unknown site id"),
        (["pue", "--climate", "missing.epw", "--cooling", "air-chiller"], "no such weather file"),
        (["pue", "--climate", "x.epw", "--cooling", "ice-cubes"], "ice-cubes"),
    ],
)
def test_pue_bad_input_exit_2(args, words):
    done = planner_cli(*args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
