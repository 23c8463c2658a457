"""`planner evaluate`: table and JSON on the default catalog and on a user site file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import run

NOMENCLATURE_COLUMNS = [
    "name",
    "country",
    "region_code",
    "grid",
    "lat",
    "lon",
    "capacity_mw",
    "time_to_power_months",
    "ttp_is_estimate",
    "water_stress",
    "climate_source",
    "design_it_mw",
    "rack_density_kw",
    "liquid_required",
    "cooling_technology",
    "pue_annual",
    "pue_peak",
    "wue_l_per_kwh",
    "economizer_hours",
    "energy_mwh_per_year",
    "price_usd_per_mwh",
    "peak_facility_mw",
    "cost_shell_usd",
    "cost_electrical_usd",
    "cost_mechanical_usd",
    "cost_land_usd",
    "cost_grid_usd",
    "cost_gpus_usd",
    "cost_energy_usd",
    "cost_opex_usd",
    "cost_idle_usd",
    "cost_carbon_usd",
    "tco_usd",
    "capital_charges_pv_usd",
    "capital_nominal_usd",
    "usd_per_gpu_hour",
    "rent_usd_per_gpu_hour",
    "build_minus_rent_usd",
    "bridge_rent_usd",
    "co2_location_t_per_year",
    "co2_market_t_per_year",
    "market_factor_basis",
    "water_m3_per_year",
    "water_weighted_m3_per_year",
    "latency_ms",
    "risk_score",
    "risk_grid",
    "risk_hazard",
    "risk_constraint",
]


def test_json_on_the_default_catalog(capsys):
    assert run(["evaluate", "training-16k", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sites"] == len(doc["metrics"]) > 0
    first = doc["metrics"][0]
    for column in NOMENCLATURE_COLUMNS:
        assert column in first, column
    assert len(doc["phase_block_cost_usd"]) == doc["sites"]
    assert {"phase_0", "phase_1", "phase_2"} <= set(doc["phase_block_cost_usd"][0])
    # The hourly PUE behind every site is at least 1 (all facility power includes the IT load).
    assert all(row["pue_annual"] >= 1.0 for row in doc["metrics"])
    assert all(row["pue_peak"] >= row["pue_annual"] - 1e-9 for row in doc["metrics"])


def test_table_is_readable(capsys):
    assert run(["evaluate", "eu-inference", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "USD/GPU-h" in out and "PUE" in out
    assert len(out.strip().splitlines()) == 2 + 2 + 5


def test_site_filters_apply(tmp_path: Path, capsys):
    from planner.paths import example_scenario

    text = example_scenario("training-16k").read_text(encoding="utf-8")
    scenario = tmp_path / "se.toml"
    scenario.write_text(text + '\n[sites]\ninclude_countries = ["SE"]\n', encoding="utf-8")
    assert run(["evaluate", str(scenario), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sites"] > 0
    assert {row["country"] for row in doc["metrics"]} == {"SE"}


def test_user_site_file_without_region_codes(tmp_path: Path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,name,lat,lon\nx1,Near Dallas,32.9,-96.9\nx2,Near Stockholm,59.4,18.0\n"
    )
    assert run(["evaluate", "training-16k", "--sites", str(sites), "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert [row["site_id"] for row in doc["metrics"]] == ["x1", "x2"]
    # No normals of their own: the nearest default site's climate and its distance in km.
    assert [row["climate_source"] for row in doc["metrics"]] == [
        "nearest:garland-tx@24",
        "nearest:stockholm-se@3",
    ]
    assert [row["region_code"] for row in doc["metrics"]] == ["US-TX", "SE-SE3"]


def test_bad_scenario_is_one_sentence(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\n[[fleet.phases]]\ngpu = "NOPE"\ncount = 8\n')
    done = subprocess.run(
        [sys.executable, "-m", "planner", "evaluate", str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Error: {bad}, field 'fleet.phases[0].gpu': unknown GPU model 'NOPE'; expected one of "
        "A100-SXM, B200, GB200, H100-PCIe, H100-SXM, H200, L40S, MI300X."
    ]


def test_filters_that_leave_no_site_are_bad_input(tmp_path: Path, capsys):
    from planner.paths import example_scenario

    text = example_scenario("training-16k").read_text(encoding="utf-8")
    scenario = tmp_path / "none.toml"
    scenario.write_text(text + '\n[sites]\ninclude_countries = ["AQ"]\n', encoding="utf-8")
    assert run(["evaluate", str(scenario)]) == 2
    assert capsys.readouterr().err == (
        "Error: field 'sites': no candidate site is left after the site filters "
        "(63 before filtering).\n"
    )


@pytest.mark.parametrize(
    "name", ["finserv-lowlatency", "retail-seasonal", "healthcare-two-regions"]
)
def test_bundled_examples_evaluate(name, capsys):
    from planner.catalog import default_catalog
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    assert run(["evaluate", name, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # Every default site is evaluated (the scenario's rules screen them later, in optimize).
    assert doc["scenario"] == load_scenario(example_scenario(name)).scenario.name
    assert doc["sites"] == len(doc["metrics"]) == len(default_catalog().sites) == 63
    assert all(row["pue_annual"] >= 1.0 and row["tco_usd"] >= 0 for row in doc["metrics"])


def test_weather_file_replaces_a_sites_normals(tmp_path: Path):
    from planner.evaluate import evaluate_sites
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    epw = (
        Path(__file__).parent
        / "data"
        / "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz"
    )
    text = example_scenario("training-16k").read_text(encoding="utf-8")
    scenario = tmp_path / "va.toml"
    scenario.write_text(
        text
        + '\n[sites]\ninclude_regions = ["US-VA"]\n[sites.weather_files]\n'
        + f'"ashburn-va" = "{epw.as_posix()}"\n',
        encoding="utf-8",
    )
    ev = evaluate_sites(load_scenario(scenario))
    assert ev.metrics.loc["ashburn-va", "climate_source"] == epw.name
    assert (ev.metrics.drop(index="ashburn-va")["climate_source"] == "normals").all()
    assert (ev.metrics["pue_annual"] >= 1.0).all()
