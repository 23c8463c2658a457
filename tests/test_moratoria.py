"""Moratoria by area: Dutch hyperscale rule with its two exempt locations, Amsterdam region,
EirGrid's greater-Dublin restriction; circles, size thresholds, years and the file checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.catalog import default_catalog
from planner.errors import InputError
from planner.geo import geodesic_distance_km
from planner.moratoria import (
    MORATORIA_COLUMNS,
    flag_moratoria,
    read_moratoria_file,
    site_moratoria,
)
from planner.paths import data_dir

# Sites at the places that matter; default sites where data/sites.csv has them.
PLACES = pd.DataFrame(
    [
        ("eemshaven", "NL", 53.44, 6.83),  # default site eemshaven-nl
        ("middenmeer", "NL", 52.81, 5.00),  # Agriport A7; not a default site
        ("schiphol-rijk", "NL", 52.29, 4.76),  # default site amsterdam-nl (Haarlemmermeer)
        ("amsterdam-science-park", "NL", 52.36, 4.95),
        ("rotterdam", "NL", 51.92, 4.48),
        ("dublin-grange-castle", "IE", 53.32, -6.43),  # default site dublin-ie
        ("dublin-clonshaugh", "IE", 53.40, -6.21),
        ("cork", "IE", 51.90, -8.47),
        ("limerick", "IE", 52.66, -8.63),
        ("galway", "IE", 53.27, -9.05),
        ("frankfurt", "DE", 50.11, 8.68),
    ],
    columns=["site_id", "country", "lat", "lon"],
).set_index("site_id")


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return default_catalog().moratoria


def check(areas, facility_mw, year=2026, places=PLACES):
    blocked, names = site_moratoria(
        places["lat"], places["lon"], places["country"], facility_mw, areas, year=year
    )
    return pd.Series(blocked, index=places.index), pd.Series(names, index=places.index)


def test_default_file_is_in_the_catalog_with_known_sources(areas):
    cat = default_catalog()
    assert list(areas.columns) == MORATORIA_COLUMNS[1:]
    assert set(areas["kind"]) == {"restricted", "exempt"}
    assert set(areas["source"]) <= set(cat.sources.index)
    assert areas["year"].between(2019, 2026).all()


def test_large_campus_hyperscale_locations_free_amsterdam_and_dublin_blocked(areas):
    # A 100 MW campus: the Dutch rule (70 MW and more) applies outside the two locations.
    blocked, names = check(areas, 100.0)
    assert not blocked["eemshaven"] and not blocked["middenmeer"]
    assert blocked["schiphol-rijk"] and blocked["amsterdam-science-park"]
    assert blocked["rotterdam"]
    assert names["rotterdam"] == (
        "the Dutch national restriction on hyperscale data centres (70 MW and more) (since 2022)"
    )
    assert "Haarlemmermeer" in names["schiphol-rijk"] and "national" in names["schiphol-rijk"]
    assert blocked["dublin-grange-castle"] and blocked["dublin-clonshaugh"]
    assert names["dublin-grange-castle"] == (
        "the EirGrid greater-Dublin connection restriction (until 2028)"
    )
    for west in ("cork", "limerick", "galway", "frankfurt"):
        assert not blocked[west] and names[west] == ""


def test_small_facility_escapes_the_dutch_size_threshold_but_not_amsterdam(areas):
    # 69.9 MW is below the 70 MW threshold; Amsterdam, Haarlemmermeer and Dublin have none.
    blocked, _ = check(areas, 69.9)
    assert not blocked["rotterdam"] and not blocked["eemshaven"]
    assert blocked["schiphol-rijk"] and blocked["dublin-grange-castle"]
    # Exactly 70 MW is "70 MW or more"; an unknown size counts as large enough.
    assert check(areas, 70.0)[0]["rotterdam"]
    assert check(areas, np.nan)[0]["rotterdam"]


def test_years_in_force(areas):
    # The Dublin restriction runs to 2028 inclusive; Amsterdam's policy to 2030.
    assert check(areas, 10.0, year=2028)[0]["dublin-grange-castle"]
    assert not check(areas, 10.0, year=2029)[0]["dublin-grange-castle"]
    assert check(areas, 10.0, year=2030)[0]["schiphol-rijk"]
    assert not check(areas, 10.0, year=2031)[0]["schiphol-rijk"]
    # Before 2022 there was no Dutch national rule; it is in force from its first year, and the
    # open end keeps it in force later.
    assert not check(areas, 100.0, year=2021)[0]["rotterdam"]
    assert check(areas, 100.0, year=2022)[0]["rotterdam"]
    assert check(areas, 100.0, year=2040)[0]["rotterdam"]
    # Both ends included for the Dublin restriction too (2022-2028), and Amsterdam's policy
    # starts in 2019.
    assert not check(areas, 10.0, year=2021)[0]["dublin-grange-castle"]
    assert check(areas, 10.0, year=2022)[0]["dublin-grange-castle"]
    blocked, names = check(areas, 10.0, year=2019)
    assert blocked["amsterdam-science-park"]
    assert names["amsterdam-science-park"] == (
        "the Amsterdam municipal data-centre policy (until 2030)"
    )
    assert not check(areas, 10.0, year=2018)[0]["amsterdam-science-park"]


def test_circle_boundary_is_inside(areas):
    # Points due north of Dublin's centre just inside and just outside the 35 km radius.
    dublin = areas.loc["ie-dublin"]
    km_per_deg = geodesic_distance_km(
        dublin["lat"], dublin["lon"], dublin["lat"] + 1, dublin["lon"]
    )
    step = float(dublin["radius_km"] / km_per_deg)
    lats = dublin["lat"] + np.array([step - 1e-4, step + 1e-4])
    places = pd.DataFrame(
        {"country": "IE", "lat": lats, "lon": dublin["lon"]}, index=["inside", "outside"]
    )
    distance = geodesic_distance_km(lats, dublin["lon"], dublin["lat"], dublin["lon"])
    assert distance[0] < 35.0 < distance[1]
    blocked, _ = check(areas, 10.0, places=places)
    assert blocked.tolist() == [True, False]


def test_circle_with_a_country_does_not_cross_the_border():
    areas = pd.DataFrame(
        {
            "name": ["zone"],
            "country": ["IE"],
            "kind": ["restricted"],
            "lat": [54.0],
            "lon": [-7.0],
            "radius_km": [100.0],
            "min_facility_mw": [np.nan],
            "start_year": [2020.0],
            "end_year": [np.nan],
        },
        index=["z"],
    )
    blocked, _ = site_moratoria([54.0, 54.0], [-7.0, -7.0], ["IE", "GB"], [1, 1], areas, year=2026)
    assert blocked.tolist() == [True, False]


def test_flag_combines_the_region_flag_and_caps_size_by_capacity(areas):
    table = pd.DataFrame(
        {
            "lat": [51.92, 51.92, 48.86],
            "lon": [4.48, 4.48, 2.35],
            "country": ["NL", "NL", "FR"],
            "capacity_mw": [50.0, np.inf, np.nan],
            "moratorium": [False, False, True],
        },
        index=["rotterdam-small", "rotterdam-big", "paris"],
    )
    # 120 MW fleet: capped at 50 MW by the first site's capacity, below the Dutch 70 MW.
    flag_moratoria(table, areas, [120.0, 120.0, 120.0], year=2026)
    assert table["moratorium"].tolist() == [False, True, True]
    assert table["moratorium_area"].iloc[1].startswith("the Dutch national restriction")
    assert table["moratorium_area"].iloc[2] == ""  # the region's own flag: no area to name


def test_no_areas_means_no_area_moratoria():
    blocked, names = site_moratoria([53.3], [-6.3], ["IE"], [100.0], None, year=2026)
    assert not blocked.any() and names.tolist() == [""]


def _write(tmp_path, rows: list[dict]) -> str:
    path = tmp_path / "moratoria.csv"
    base = {c: "" for c in MORATORIA_COLUMNS}
    base.update(area_id="a", name="A", country="XX", kind="restricted", start_year="2020")
    base.update(source="s", year="2024")
    pd.DataFrame([{**base, **r} for r in rows]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("rows", "field", "words"),
    [
        ([{"kind": "banned"}], "kind", "restricted or exempt"),
        ([{"radius_km": "10"}], "lat", "lat and lon"),
        ([{"lat": "95", "lon": "0", "radius_km": "5"}], "lat", "from -90 to 90"),
        ([{"end_year": "2010"}], "end_year", "ends before"),
        ([{}, {}], "area_id", "duplicate"),
        ([{"country": ""}], "country", "whole-country"),
        ([{"start_year": ""}], "start_year", "expected a value"),
    ],
)
def test_bad_files_name_row_and_field(tmp_path, rows, field, words):
    path = _write(tmp_path, rows)
    with pytest.raises(InputError, match=words) as err:
        read_moratoria_file(path)
    assert (err.value.file, err.value.field) == (str(path), field)
    assert err.value.row == len(rows)


def test_missing_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("area_id,name\na,A\n")
    with pytest.raises(InputError, match="missing column 'country'") as err:
        read_moratoria_file(path)
    assert (err.value.file, err.value.row, err.value.field) == (str(path), None, "country")


def test_default_file_reads_back():
    table = read_moratoria_file(data_dir() / "moratoria.csv")
    assert {"nl-hyperscale", "nl-het-hogeland", "nl-agriport", "ie-dublin"} <= set(table.index)
    assert np.isnan(table.at["nl-hyperscale", "radius_km"])
    assert table.at["nl-hyperscale", "min_facility_mw"] == 70.0


def test_default_sites_dublin_and_schiphol_blocked_eemshaven_free(areas):
    sites = default_catalog().sites.loc[["dublin-ie", "amsterdam-nl", "eemshaven-nl"]]
    blocked, _ = check(areas, 100.0, places=sites)
    assert blocked.tolist() == [True, True, False]


def test_a_restriction_that_ends_before_the_site_connects_does_not_block_it(tmp_path):
    # EirGrid's greater-Dublin restriction runs to 2028 (data/moratoria.csv). A Dublin site
    # whose power comes in month 72 of a 2026 start connects in 2032: not blocked. One with
    # power in month 12 (building ready in month 18) connects in 2027: blocked.
    from planner.evaluate import evaluate_sites
    from planner.scenario import scenario_from_dict

    sites = tmp_path / "dublin.csv"
    sites.write_text(
        "id,name,lat,lon,time_to_power_months\n"
        "late,Dublin late,53.33,-6.40,72\n"
        "soon,Dublin soon,53.34,-6.41,12\n",
        encoding="utf-8",
    )
    data = {
        "scenario": {"name": "Dublin", "start_year": 2026},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
        "sites": {"catalog": str(sites)},
    }
    metrics = evaluate_sites(scenario_from_dict(data)).metrics
    assert not metrics.at["late", "moratorium"]
    assert metrics.at["soon", "moratorium"]
    assert "Dublin" in metrics.at["soon", "moratorium_area"]


def test_a_site_exactly_on_the_circle_is_inside():
    # "A circle (boundary included)": a radius equal to the site's distance from the centre
    # (the same geodesic the planner measures) blocks the site; a hair less does not.
    lat, lon, centre = 53.40, -6.21, (53.35, -6.26)
    radius = float(geodesic_distance_km(lat, lon, *centre))
    # 0.05 deg north (5.56 km) and 0.05 deg east (0.05 x 111.32 x cos 53.4 = 3.32 km): 6.47 km
    # on a sphere; the WGS84 ellipsoid gives 6.48.
    assert radius == pytest.approx(6.47, abs=0.02)

    def area(r: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "name": ["ring"],
                "country": ["IE"],
                "kind": ["restricted"],
                "lat": [centre[0]],
                "lon": [centre[1]],
                "radius_km": [r],
                "min_facility_mw": [np.nan],
                "start_year": [2020.0],
                "end_year": [np.nan],
            },
            index=["ring"],
        )

    on, _ = site_moratoria([lat], [lon], ["IE"], [1.0], area(radius), year=2026)
    off, _ = site_moratoria([lat], [lon], ["IE"], [1.0], area(np.nextafter(radius, 0)), year=2026)
    assert on.tolist() == [True] and off.tolist() == [False]


def test_the_connection_year_counts_power_and_building_from_the_start_year(tmp_path):
    # A site connects when both its power (time to power) and its building (build lead) are
    # ready: start 2026 + floor(ready month / 12). EirGrid's Dublin restriction runs to 2028
    # inclusive, so month 35 (2028) is blocked and month 36 (2029) is not; with a 36-month
    # build lead, power in month 12 still connects in 2029.
    from planner.evaluate import evaluate_sites
    from planner.scenario import scenario_from_dict

    sites = tmp_path / "dublin.csv"
    sites.write_text(
        "id,name,lat,lon,time_to_power_months\n"
        "m35,Dublin 35,53.33,-6.40,35\n"
        "m36,Dublin 36,53.34,-6.41,36\n"
        "m12,Dublin 12,53.35,-6.42,12\n",
        encoding="utf-8",
    )

    def blocked(lead: int) -> dict:
        data = {
            "scenario": {"name": "Dublin", "start_year": 2026},
            "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
            "facility": {"build_lead_months": lead},
            "sites": {"catalog": str(sites)},
        }
        return evaluate_sites(scenario_from_dict(data)).metrics["moratorium"].to_dict()

    assert blocked(0) == {"m35": True, "m36": False, "m12": True}
    assert blocked(36) == {"m35": False, "m36": False, "m12": False}
