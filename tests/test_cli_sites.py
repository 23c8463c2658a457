"""`planner sites list|validate` and `planner data sources` through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from planner.cli.main import run


def test_sites_list_table(capsys):
    assert run(["sites", "list"]) == 0
    out = capsys.readouterr().out
    assert "ashburn-va" in out and "USD/MWh" in out and "PJM" in out


def test_sites_list_json_has_region_figures(capsys):
    assert run(["sites", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] >= 60
    site = next(s for s in doc["sites"] if s["site_id"] == "ashburn-va")
    # EIA Electric Power Annual 2023: Virginia industrial 8.92 cents/kWh.
    assert site["price_usd_per_mwh"] == 89.2
    for key in ("carbon_g_per_kwh", "water_stress", "time_to_power_months", "grid", "region_code"):
        assert key in site


def test_sites_validate_good_file(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("id,name,lat,lon\na,Near Frankfurt,50.1,8.6\n")
    assert run(["sites", "validate", str(path)]) == 0
    assert "valid, 1 sites" in capsys.readouterr().out
    assert run(["sites", "validate", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is True and doc["sites"][0]["region_code"] == "DE"
    assert doc["sites"][0]["capacity_mw"] is None  # unlimited (inf) is null in strict JSON
    assert doc["defaults_applied"]["capacity_mw"] == 1


def test_sites_validate_bad_file_is_one_sentence_and_exit_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,name,lat,lon\na,A,10,2\nb,B,91,2\n")
    done = subprocess.run(
        [sys.executable, "-m", "planner", "sites", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Error: {path}, row 2, field 'lat': 91 is outside -90..90."
    ]
    assert done.stdout == ""


def test_sites_validate_missing_file_exit_2(tmp_path, capsys):
    assert run(["sites", "validate", str(tmp_path / "none.csv")]) == 2
    assert capsys.readouterr().err == f"Error: {tmp_path / 'none.csv'}: no such site file.\n"


def test_sites_list_with_user_file(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("id,name,lat,lon\na,Near Dallas,32.8,-96.8\n")
    assert run(["sites", "list", "--file", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sites"][0]["grid"] == "ERCOT"


def test_data_sources(capsys):
    assert run(["data", "sources"]) == 0
    out = capsys.readouterr().out
    assert "Electric Power Annual 2023" in out and "eGRID2023" in out
    assert run(["data", "sources", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == len({s["source"] for s in doc["sources"]})
    assert all(s["year"] for s in doc["sources"])
    assert run(["data", "sources", "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] > 1000


def test_help_is_listed(capsys):
    assert run(["sites", "--help"]) == 0
    out = capsys.readouterr().out
    assert "list" in out and "validate" in out


def test_sites_validate_workbooks(tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["id", "name", "latitude", "longitude"], ["a", "Near Frankfurt", 50.1, 8.6]):
        book.active.append(row)
    book.save(tmp_path / "mine.xlsx")
    assert run(["sites", "validate", str(tmp_path / "mine.xlsx")]) == 0
    assert "valid, 1 sites" in capsys.readouterr().out
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert run(["sites", "validate", str(tmp_path / "locked.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "password-protected" in err[0]
