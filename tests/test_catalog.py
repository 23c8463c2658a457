"""The embedded default data: types, ranges, referential integrity, provenance, spot checks."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from planner.catalog import Catalog, default_catalog
from planner.errors import InputError
from planner.params import PROVENANCE_COLUMNS


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return default_catalog()


def test_gpu_ids_and_columns(cat):
    assert set(cat.gpus.index) >= {
        "A100-SXM",
        "H100-SXM",
        "H100-PCIe",
        "H200",
        "B200",
        "GB200",
        "MI300X",
        "L40S",
    }
    for col in (
        "name",
        "vendor",
        "tdp_w",
        "node_power_w_per_gpu",
        "gpus_per_node",
        "rack_density_kw",
        "liquid_required",
        "server_usd_per_gpu",
        "network_usd_per_gpu",
        "capital_usd_per_gpu",
        "capital_year",
        "cloud_usd_per_gpu_hour",
        "cloud_year",
        "source",
        "year",
    ):
        assert col in cat.gpus.columns
    assert "price_usd" not in cat.gpus.columns  # module price replaced by all-in capital
    assert cat.gpus["liquid_required"].dtype == bool
    assert (cat.gpus["node_power_w_per_gpu"] >= cat.gpus["tdp_w"]).all()
    assert cat.gpus["capital_year"].between(2020, 2026).all()
    assert cat.gpus["cloud_year"].between(2024, 2026).all()


def test_gpu_spot_checks(cat):
    g = cat.gpus
    # NVIDIA H100 datasheet: SXM5 up to 700 W; DGX H100 user guide: 10.2 kW max for 8 GPUs.
    assert g.at["H100-SXM", "tdp_w"] == 700
    assert g.at["H100-SXM", "node_power_w_per_gpu"] * 8 == pytest.approx(10_200)
    # DGX A100 user guide: 6.5 kW max, 8x A100 at 400 W.
    assert g.at["A100-SXM", "node_power_w_per_gpu"] * 8 == pytest.approx(6_500)
    assert g.at["A100-SXM", "tdp_w"] == 400
    # DGX B200 datasheet: about 14.3 kW for 8 GPUs.
    assert g.at["B200", "node_power_w_per_gpu"] * 8 == pytest.approx(14_300)
    # AMD MI300X datasheet: 750 W peak board power.
    assert g.at["MI300X", "tdp_w"] == 750
    # GB200 NVL72 (NVIDIA product page): 72 GPUs in a liquid-cooled rack of about 120-132 kW;
    # the catalog takes the upper end, 132 kW / 72 = 1,833.3 W per GPU (to 0.1 W).
    assert g.at["GB200", "node_power_w_per_gpu"] * 72 == pytest.approx(132_000, abs=0.1 * 72)
    assert g.at["GB200", "rack_density_kw"] == 132.0
    assert g.at["GB200", "liquid_required"]
    # NVIDIA L40S datasheet: 350 W.
    assert g.at["L40S", "tdp_w"] == 350


def test_regions_cover_every_state_and_30_others(cat):
    r = cat.regions
    us = [c for c in r.index if c.startswith("US-")]
    assert len(us) == 51  # 50 states + DC
    assert len(r) - len(us) >= 30
    for code in (
        "SE-SE1",
        "NO-NO1",
        "CA-QC",
        "IE",
        "NL",
        "DE",
        "SG",
        "JP-TK",
        "IN",
        "MY",
        "AU-NSW",
        "BR",
        "MX",
    ):
        assert code in r.index


def test_region_types_and_ranges(cat):
    r = cat.regions
    assert r["moratorium"].dtype == bool
    assert r["price_usd_per_mwh"].between(20, 500).all()
    assert r["carbon_g_per_kwh"].between(0, 1000).all()
    assert r["carbon_free_share"].between(0, 1).all()
    assert r["water_stress"].between(0, 5).all()
    assert r["construction_index"].between(0.4, 2.0).all()
    assert r["time_to_power_months"].between(6, 120).all()
    assert r["hazard"].between(0, 1).all()
    assert r["grid"].notna().all() and (r["grid"] != "").all()
    assert r["country"].str.fullmatch(r"[A-Z]{2}").all()
    for field in ("price_usd_per_mwh", "carbon_g_per_kwh", "water_stress", "time_to_power_months"):
        assert r[f"{field}_source"].ne("").all(), field
        assert r[f"{field}_year"].notna().all(), field


def test_region_spot_checks_against_sources(cat):
    r = cat.regions
    # EIA Electric Power Annual 2023, industrial price: Virginia 8.92, Texas 6.60, Ohio 7.03,
    # Iowa 6.91, California 18.64 cents/kWh.
    assert r.at["US-VA", "price_usd_per_mwh"] == pytest.approx(89.2)
    assert r.at["US-TX", "price_usd_per_mwh"] == pytest.approx(66.0)
    assert r.at["US-OH", "price_usd_per_mwh"] == pytest.approx(70.3)
    assert r.at["US-IA", "price_usd_per_mwh"] == pytest.approx(69.1)
    assert r.at["US-CA", "price_usd_per_mwh"] == pytest.approx(186.4)
    # EPA eGRID2023 state CO2e output rate: Virginia 539.6 lb/MWh, Washington 266.6 lb/MWh,
    # Kentucky 1747.0 lb/MWh (x 0.45359 kg/lb).
    assert r.at["US-VA", "carbon_g_per_kwh"] == pytest.approx(539.599 * 0.45359237, abs=0.1)
    assert r.at["US-WA", "carbon_g_per_kwh"] == pytest.approx(266.585 * 0.45359237, abs=0.1)
    assert r.at["US-KY", "carbon_g_per_kwh"] == pytest.approx(1747.004 * 0.45359237, abs=0.1)
    # Ember / OWID 2023 lifecycle intensity: France 56.0, Poland 661.9, Sweden 40.7 gCO2e/kWh.
    assert r.at["FR", "carbon_lifecycle_g_per_kwh"] == pytest.approx(56.0, abs=0.1)
    assert r.at["PL", "carbon_lifecycle_g_per_kwh"] == pytest.approx(661.9, abs=0.1)
    assert r.at["SE-SE1", "carbon_lifecycle_g_per_kwh"] == pytest.approx(40.7, abs=0.1)
    # Direct intensity from the Ember 2023 mix for Germany: coal 135.35, gas 76.0, oil 20.13 TWh
    # of 504.79 TWh, at 998 / 408 / 771 g/kWh (the documented direct-from-mix factors).
    expected = (135.35 * 998 + 76.0 * 408 + 20.13 * 771) / 504.79
    assert r.at["DE", "carbon_g_per_kwh"] == pytest.approx(expected, abs=0.1)
    # Eurostat nrg_pc_205 2023-S2 band ID, Germany 0.205 EUR/kWh at the ECB 2023 rate 1.0813.
    assert r.at["DE", "price_usd_per_mwh"] == pytest.approx(0.205 * 1.0813 * 1000, abs=0.1)
    # Ireland: EirGrid's restriction covers greater Dublin only, not the whole country
    # (sub-national areas live in data/moratoria.csv).
    assert not r.at["IE", "moratorium"]


def test_carbon_column_is_one_measure(cat):
    # carbon_g_per_kwh is direct (combustion) everywhere: eGRID for states, mix-derived elsewhere,
    # and the NGA scope 2 factor for New South Wales (scope 2 in the NGA is the combustion at the
    # power station; extraction and grid losses are its scope 3).
    assert set(cat.regions["carbon_g_per_kwh_source"]) <= {
        "egrid-2023",
        "direct-from-mix",
        "cer-provincial-mix",
        "dcceew-nga-2024",
    }


def test_sites_count_countries_and_integrity(cat):
    s = cat.sites
    assert len(s) >= 60
    assert s["country"].nunique() >= 15
    assert s.crs.to_epsg() == 4326
    assert s.index.name == "site_id" and s.index.is_unique
    assert s["region_code"].isin(cat.regions.index).all()
    assert (
        cat.regions.loc[s["region_code"], "country"].to_numpy() == s["country"].to_numpy()
    ).all()
    assert s["lat"].between(-90, 90).all() and s["lon"].between(-180, 180).all()
    assert (s["capacity_mw"] > 0).all()
    assert s["ttp_is_estimate"].dtype == bool
    assert np.allclose(s.geometry.x, s["lon"]) and np.allclose(s.geometry.y, s["lat"])


def test_sites_required_by_scenarios_and_issue(cat):
    names = " ".join(cat.sites["name"])
    for town in (
        "Ashburn",
        "Columbus",
        "Dallas",
        "Abilene",
        "Phoenix",
        "Reno",
        "Quincy",
        "The Dalles",
        "Prineville",
        "Council Bluffs",
        "Des Moines",
        "Atlanta",
        "Montreal",
        "Queretaro",
        "Sao Paulo",
        "Dublin",
        "Amsterdam",
        "Frankfurt",
        "Lulea",
        "Stockholm",
        "Oslo",
        "Odense",
        "Hamina",
        "Keflavik",
        "Singapore",
        "Johor",
        "Mumbai",
        "Tokyo",
        "Sydney",
        "Secaucus",
        "Piscataway",
        "Aurora",
        "Paris",
        "Madrid",
        "Milan",
        "Warsaw",
    ):
        assert town in names, town
    grids = set(cat.regions.loc[cat.sites.loc[cat.sites.country == "US", "region_code"], "grid"])
    assert {"PJM", "ERCOT", "MISO", "SPP", "CAISO", "WECC-NW"} <= grids


def test_every_site_has_12_months_of_climate(cat):
    n = cat.climate_normals
    counts = n.groupby("site_id")["month"].apply(lambda m: sorted(m.tolist()))
    assert set(counts.index) == set(cat.sites.index)
    assert all(months == list(range(1, 13)) for months in counts)
    assert (n["temp_max_c"] > n["temp_min_c"]).all()
    assert (n["temp_dew_c"] <= n["temp_max_c"]).all()
    assert n["station"].notna().all() and n["source"].notna().all()


def test_climate_spot_checks(cat):
    n = cat.climate_normals.set_index(["site_id", "month"])
    # NOAA 1991-2020 normals, Phoenix Sky Harbor: July mean max 106.5 F = 41.4 C.
    assert n.at[("mesa-az", 7), "temp_max_c"] == pytest.approx(41.4, abs=0.5)
    # Met Eireann 1991-2020, Dublin Airport: July mean max 19.8 C (typed value 19.8).
    assert n.at[("dublin-ie", 7), "temp_max_c"] == pytest.approx(19.8, abs=0.5)
    # MSS Singapore Changi 1991-2020: annual mean daily min about 24.4 C.
    assert n.loc["singapore-sg", "temp_min_c"].mean() == pytest.approx(24.4, abs=0.5)
    # SMHI Lulea: January mean min near -15 C.
    assert n.at[("lulea-se", 1), "temp_min_c"] == pytest.approx(-15.7, abs=1.5)


def test_demand_centers(cat):
    d = cat.demand_centers
    required = [
        "Frankfurt",
        "Paris",
        "Madrid",
        "Milan",
        "Warsaw",
        "Stockholm",
        "London",
        "Amsterdam",
        "Dublin",
        "New York",
        "Chicago",
        "Los Angeles",
        "Dallas",
        "Toronto",
        "Washington",
        "San Francisco",
        "Seattle",
        "Atlanta",
        "Tokyo",
        "Singapore",
        "Sydney",
        "Mumbai",
        "Sao Paulo",
        "Mexico City",
    ]
    assert set(required) <= set(d.index)
    assert len(d) >= 40
    assert list(d.columns[:4]) == ["country", "lat", "lon", "population"]
    assert (d["population"] > 100_000).all()
    # UN World Urbanization Prospects 2018, Tokyo 2020: 37.39 million.
    assert d.at["Tokyo", "population"] == pytest.approx(37_393_000, rel=0.01)


def test_scenario_demand_centers_and_countries_exist(cat):
    from planner.checks import check_scenario
    from planner.paths import data_dir
    from planner.scenario import load_scenario

    paths = sorted((data_dir() / "scenarios").glob("*.toml"))
    assert len(paths) == 6
    for path in paths:
        scenario = load_scenario(path)
        # Every GPU, demand center, country and region code resolves in the default catalog
        # (check_scenario raises on the first that does not), with nothing to warn about.
        assert check_scenario(scenario, file=path, catalog=cat) == [], path.name
        allowed = scenario.constraints.allowed_countries
        if allowed:
            in_reach = cat.sites["country"].isin(allowed).sum()
            assert in_reach >= scenario.constraints.min_sites, path.name


def test_basemap(cat):
    b = cat.basemap
    assert {"iso_a2", "name", "geometry"} <= set(b.columns)
    assert len(b) == 177 and b.crs.to_epsg() == 4326
    assert {"FR", "NO", "US", "DE"} <= set(
        b["iso_a2"]
    )  # Natural Earth leaves France and Norway at -99
    assert (b["iso_a2"].str.len() == 2).all()


def test_provenance_covers_every_default_figure(cat):
    p = cat.provenance
    assert list(p.columns[: len(PROVENANCE_COLUMNS)]) == PROVENANCE_COLUMNS
    assert p["source"].str.len().gt(0).all()
    assert p["year"].notna().all()
    reg = p[p.dataset == "regions"]
    assert set(reg["key"]) == set(cat.regions.index)
    assert set(p.loc[p.dataset == "gpus", "key"]) == set(cat.gpus.index)
    assert set(p.loc[p.dataset == "sites", "key"]) == set(cat.sites.index)
    assert set(p.loc[p.dataset == "demand_centers", "key"]) == set(cat.demand_centers.index)
    # The sources referenced are all in sources.csv: their citations, not the ids, are shown.
    assert not p["source"].isin(cat.sources.index).any()


def test_default_catalog_is_fast_and_cached():
    default_catalog()
    start = time.perf_counter()
    for _ in range(10):
        default_catalog()
    assert time.perf_counter() - start < 0.5


def test_climate_normals_for(cat):
    table = cat.climate_normals_for(["ashburn-va", "lulea-se"])
    assert len(table) == 24
    assert list(table["site_id"].unique()) == ["ashburn-va", "lulea-se"]
    with pytest.raises(InputError, match="unknown site id 'nowhere'") as err:
        cat.climate_normals_for(["nowhere"])
    assert err.value.field == "site_id"


def test_site_table_joins_region_figures(cat):
    t = cat.site_table()
    assert t.at["ashburn-va", "price_usd_per_mwh"] == cat.regions.at["US-VA", "price_usd_per_mwh"]
    assert t.at["ashburn-va", "grid"] == "PJM"
    assert pd.notna(t["water_stress"]).all()
