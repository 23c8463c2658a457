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
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True,
                          text=True, timeout=120)


def test_climate_summary_json(capsys):
    assert run(["climate", "summary", str(GREENSBORO), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "tmy3" and doc["hours"] == 8760
    assert doc["lat"] == 36.1 and doc["elevation_m"] == 273.0
    assert doc["temp_air_c"]["min"] < doc["temp_air_c"]["mean"] < doc["temp_air_c"]["max"]
    assert doc["temp_wet_c"]["max"] <= doc["temp_air_c"]["max"]
    keys = {t["key"]: t["hours"] for t in doc["thresholds"]}
    assert keys["hours_dry_bulb_below_18c"] <= keys["hours_dry_bulb_below_27c"] <= 8760
    assert len(doc["monthly"]) == 12


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
    assert run(["pue", "--climate", str(CHICAGO), "--cooling", "water-economizer",
                "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["technology"] == "water-economizer" and doc["preset"] == "hyperscale"
    assert 1.05 < doc["pue_annual"] < 1.2 and doc["pue_peak"] > doc["pue_annual"]
    assert len(doc["monthly"]) == 12
    # Chicago's July is warmer than its January: more mechanical cooling, higher PUE.
    assert doc["monthly"][6]["pue"] > doc["monthly"][0]["pue"]
    assert sum(m["economizer_hours"] for m in doc["monthly"]) == pytest.approx(
        doc["economizer_hours"], rel=1e-6)


def test_pue_table_legacy(capsys):
    assert run(["pue", "--climate", str(GREENSBORO), "--cooling", "air-chiller",
                "--preset", "legacy-enterprise"]) == 0
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
        doc = run_pue(climate_file=None, site_id=site, technology="air-economizer",
                      preset="hyperscale")
        assert 1.03 < doc["pue_annual"] < 1.4, site
        assert 0 <= doc["wue_l_per_kwh"] < 3.0, site


@pytest.mark.parametrize("args, words", [
    (["pue", "--cooling", "air-chiller"], "exactly one of --climate"),
    (["pue", "--climate", "x.epw", "--site", "a", "--cooling", "air-chiller"], "exactly one"),
    (["pue", "--site", "no-such-site", "--cooling", "air-chiller"], "unknown site id"),
    (["pue", "--climate", "missing.epw", "--cooling", "air-chiller"], "no such weather file"),
    (["pue", "--climate", "x.epw", "--cooling", "ice-cubes"], "ice-cubes"),
])
def test_pue_bad_input_exit_2(args, words):
    done = planner_cli(*args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
