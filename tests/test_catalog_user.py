"""User site and region files: defaults, spatial join, and every bad-input path."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.catalog import load_catalog, read_sites_file
from planner.errors import InputError
from planner.geo import join_countries, nearest_point


def write(tmp_path: Path, text: str, name: str = "sites.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_minimal_csv_gets_documented_defaults(tmp_path):
    path = write(
        tmp_path, "id,name,lat,lon\nx1,Near Dublin,53.30,-6.40\nx2,Lulea town,65.58,22.15\n"
    )
    sites, warnings = read_sites_file(path)
    assert list(sites.index) == ["x1", "x2"]
    assert sites.at["x1", "region_code"] == "IE"  # Ireland has one region: the country join decides
    assert sites.at["x1", "country"] == "IE"
    assert sites.at["x2", "region_code"] == "SE-SE1"  # nearest Swedish zone centre
    assert np.isinf(sites.at["x1", "capacity_mw"])
    assert sites.at["x1", "land_usd_per_m2"] == 60.0
    assert sites.at["x1", "time_to_power_months"] == 60  # Ireland's region figure
    assert sites.at["x1", "ttp_is_estimate"]
    assert sites.at["x1", "climate_site_id"] == "dublin-ie"
    # Dublin default site (53.32, -6.43) to (53.30, -6.40): 0.02 deg of latitude is 2.22 km and
    # 0.03 deg of longitude at 53.3 N is 0.03 x 111.32 x cos(53.31) = 2.00 km; sqrt(2.22^2 +
    # 2.00^2) = 2.99 km, stored to 0.1 km.
    assert sites.at["x1", "climate_distance_km"] == pytest.approx(3.0, abs=1e-9)
    assert "capacity_mw" in sites.at["x1", "defaults_applied"]
    assert "region_code" in sites.at["x1", "defaults_applied"]
    assert sites.crs.to_epsg() == 4326
    assert warnings == [
        f"{path.name}: 1 site(s) lie in a country with several regions and take the region of "
        "that country whose centre is nearest: x2 -> SE-SE1 (155 km)"
    ]


def test_given_values_are_kept_and_not_listed_as_defaults(tmp_path):
    path = write(
        tmp_path,
        "site_id,name,latitude,longitude,region_code,capacity_mw,time_to_power_months\n"
        "a,A,39.0,-77.5,US-VA,80,18\n",
    )
    sites, _ = read_sites_file(path)
    row = sites.loc["a"]
    assert (
        row["region_code"] == "US-VA"
        and row["capacity_mw"] == 80
        and row["time_to_power_months"] == 18
    )
    assert not row["ttp_is_estimate"]
    assert (
        "capacity_mw" not in row["defaults_applied"]
        and "region_code" not in row["defaults_applied"]
    )


def test_point_at_sea_falls_back_with_a_warning(tmp_path):
    path = write(tmp_path, "id,name,lat,lon\nsea,Mid Atlantic,40.0,-40.0\n")
    sites, warnings = read_sites_file(path)
    # No country: the nearest region centre (Maine, the easternmost US region) and its country.
    assert sites.at["sea", "region_code"] == "US-ME" and sites.at["sea", "country"] == "US"
    assert warnings == [
        "sites.csv: 1 site(s) lie outside every country of the basemap (or in one with no "
        "region) and take the nearest known region by its centre: sea -> US-ME (2,452 km)",
        "sites.csv: 1 site(s) are more than 300 km from the nearest default climate "
        "(up to 2,817 km); give them a weather file for a better answer",
    ]


def test_geojson_and_geopackage(tmp_path):
    frame = gpd.GeoDataFrame(
        {"id": ["f1", "f2"], "name": ["Frankfurt", "Madrid"]},
        geometry=[Point(8.7, 50.1), Point(-3.6, 40.4)],
        crs="EPSG:4326",
    )
    for name, driver in (("s.geojson", "GeoJSON"), ("s.gpkg", "GPKG")):
        frame.to_file(tmp_path / name, driver=driver)
        sites, _ = read_sites_file(tmp_path / name)
        assert sites.loc["f1", "region_code"] == "DE" and sites.loc["f2", "region_code"] == "ES"
        assert sites.loc["f1", "lat"] == pytest.approx(50.1)


def test_shapefile_in_projected_crs(tmp_path):
    frame = gpd.GeoDataFrame(
        {"id": ["p"], "name": ["Paris"]}, geometry=[Point(2.35, 48.86)], crs="EPSG:4326"
    )
    frame.to_crs("EPSG:3857").to_file(tmp_path / "s.shp")
    sites, _ = read_sites_file(tmp_path / "s.shp")
    assert sites.loc["p", "lat"] == pytest.approx(48.86, abs=1e-6)
    assert sites.loc["p", "region_code"] == "FR"


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [
        ("id,name,lat\na,A,1\n", None, "lon", "missing column 'lon'"),
        ("id,name,lat,lon\na,A,north,2\n", 1, "lat", "expected a number, got 'north'"),
        ("id,name,lat,lon\na,A,10,2\nb,B,95,2\n", 2, "lat", "95 is outside -90..90"),
        ("id,name,lat,lon\na,A,10,200\n", 1, "lon", "outside -180..180"),
        ("id,name,lat,lon\na,A,10,2\na,B,11,2\n", 2, "id", "duplicate id 'a'"),
        (
            "id,name,lat,lon,region_code\na,A,10,2,XX-NOPE\n",
            1,
            "region_code",
            "unknown region 'XX-NOPE'",
        ),
        ("id,name,lat,lon\n", None, None, "no rows"),
        ("", None, None, "empty"),
        ("id,name,lat,lon,capacity_mw\na,A,10,2,lots\n", 1, "capacity_mw", "expected a number"),
    ],
)
def test_bad_site_files(tmp_path, text, row, field, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_sites_file(path)
    err = info.value
    assert err.file == str(path) and err.row == row and err.field == field
    assert words in str(err)
    assert str(err).count(".") >= 1 and "\n" not in str(err)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such site file") as err:
        read_sites_file(tmp_path / "nope.csv")
    assert err.value.file == str(tmp_path / "nope.csv") and err.value.field is None


def test_load_catalog_with_user_sites_borrows_climate(tmp_path):
    path = write(tmp_path, "id,name,lat,lon\nx,Near Phoenix,33.5,-112.1\n")
    cat = load_catalog(sites_file=path)
    assert list(cat.sites.index) == ["x"]
    normals = cat.climate_normals_for(["x"])
    assert len(normals) == 12 and set(normals["climate_site_id"]) == {"mesa-az"}
    assert cat.warnings == [
        "sites.csv: 1 site(s) lie in a country with several regions and take the region of "
        "that country whose centre is nearest: x -> US-AZ (96 km)"
    ]


def test_regions_file_updates_and_adds(tmp_path):
    path = write(tmp_path, "region_code,price_usd_per_mwh\nUS-VA,55\n", "regions.csv")
    cat = load_catalog(regions_file=path)
    assert cat.regions.at["US-VA", "price_usd_per_mwh"] == 55
    assert cat.regions.at["US-VA", "price_usd_per_mwh_source"] == "user file regions.csv"
    assert cat.regions.at["US-TX", "price_usd_per_mwh"] == pytest.approx(66.0)
    bad = write(tmp_path, "region_code,price_usd_per_mwh\nZZ-NEW,55\n", "new.csv")
    with pytest.raises(InputError, match="new region 'ZZ-NEW' needs a value for 'name'") as err:
        load_catalog(regions_file=bad)
    assert (err.value.file, err.value.row, err.value.field) == (str(bad), 1, "name")
    neg = write(tmp_path, "region_code,price_usd_per_mwh\nUS-VA,-5\n", "neg.csv")
    with pytest.raises(InputError, match=r"-5 is outside 0\.\.2000") as err:
        load_catalog(regions_file=neg)
    assert (err.value.file, err.value.row, err.value.field) == (str(neg), 1, "price_usd_per_mwh")


def test_join_countries_and_nearest_point():
    from planner.catalog import default_catalog

    basemap = default_catalog().basemap
    codes = join_countries([48.86, 40.71, 0.0], [2.35, -74.0, -30.0], basemap)
    assert list(codes) == ["FR", "US", ""]
    idx, km = nearest_point([51.5], [-0.13], [48.86, 40.71], [2.35, -74.0])
    # London (51.5, -0.13) to Paris (48.86, 2.35): the haversine on a 6,371.0 km sphere gives
    # 342.5 km; the WGS84 ellipsoid differs from the sphere by well under 0.3 %.
    assert idx[0] == 0 and km[0] == pytest.approx(342.5, abs=1.0)


def test_thousand_point_csv_is_fast(tmp_path):
    rng = np.random.default_rng(7)
    n = 1000
    pd.DataFrame(
        {
            "id": [f"s{i}" for i in range(n)],
            "name": "x",
            "lat": rng.uniform(30, 60, n),
            "lon": rng.uniform(-120, 30, n),
        }
    ).to_csv(tmp_path / "big.csv", index=False)
    read_sites_file(tmp_path / "big.csv")  # warm caches
    start = time.perf_counter()
    sites, _ = read_sites_file(tmp_path / "big.csv")
    assert time.perf_counter() - start < 2.0
    assert len(sites) == n and sites["region_code"].notna().all()


def test_city_state_missing_from_the_basemap(tmp_path):
    # Singapore has no outline at 1:110m; a point in it must not join to Malaysia.
    path = write(tmp_path, "id,name,lat,lon\nsg,Jurong,1.33,103.70\nmy,Kulai,1.66,103.60\n")
    sites, _ = read_sites_file(path)
    assert sites.at["sg", "region_code"] == "SG"
    assert sites.at["my", "region_code"] == "MY"
