"""Hard-constraint screening: every site keeps its row, failures say why in words."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from optimizer_fixtures import make_evaluation, make_scenario

from planner.errors import InputError
from planner.optimize.screen import screen_sites, summarise_reasons


def setup(**constraints):
    sc = make_scenario(constraints=constraints)
    ev = make_evaluation(sc, 6, 3)
    m = ev.metrics
    m["capacity_mw"] = math.inf
    m["time_to_power_months"] = 12.0
    m["water_stress"] = 1.0
    m["country"] = "DE"
    return sc, ev


def test_all_pass_when_nothing_is_violated():
    sc, ev = setup()
    out = screen_sites(ev, sc)
    assert list(out.index) == list(ev.metrics.index)
    assert out["feasible"].all() and (out["reasons"] == "").all()


def test_capacity_below_one_block():
    sc, ev = setup()
    light = ev.block_site_mw.iloc[1].min()
    ev.metrics.iloc[1, ev.metrics.columns.get_loc("capacity_mw")] = 0.5 * light
    out = screen_sites(ev, sc)
    assert not out["feasible"].iloc[1] and out["feasible"].drop(out.index[1]).all()
    assert f"is below one block ({light:,.1f} MW)" in out["reasons"].iloc[1]


def test_time_to_power_beyond_horizon_and_limit():
    sc, ev = setup(max_time_to_power_months=24)
    ev.metrics["time_to_power_months"] = [12, 24, 25, 119, 120, 200]
    out = screen_sites(ev, sc)
    # Horizon 10 years = 120 months: month 120 and later is too late; 25..119 exceeds the limit.
    assert out["feasible"].tolist() == [True, True, False, False, False, False]
    assert out["reasons"].iloc[2] == "time to power 25 months exceeds the 24-month limit"
    assert out["reasons"].iloc[4] == "power arrives in month 120, after the 120-month horizon"


def test_residency_and_water_stress_combine_reasons():
    sc, ev = setup(allowed_countries=["de", "FR"], max_water_stress=3.0)
    ev.metrics.iloc[0, ev.metrics.columns.get_loc("country")] = "US"
    ev.metrics.iloc[0, ev.metrics.columns.get_loc("water_stress")] = 4.2
    out = screen_sites(ev, sc)
    assert out["reasons"].iloc[0] == (
        "country US is outside the allowed countries (data residency); "
        "water stress 4.2 exceeds the 3.0 limit"
    )
    assert out["feasible"].sum() == 5


def test_whole_fleet_latency_rule_screens_far_sites_but_partial_rule_does_not():
    sc, ev = setup(latency=[{"demand_center": "Paris", "max_rtt_ms": 5.0, "min_share": 1.0}])
    far = ev.rtt_ms["Paris"] > 5.0
    out = screen_sites(ev, sc)
    assert (out["feasible"] == ~far).all()
    sc2, _ = setup(latency=[{"demand_center": "Paris", "max_rtt_ms": 5.0, "min_share": 0.5}])
    assert screen_sites(ev, sc2)["feasible"].all()


def zones_file(tmp_path, features):
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def box(lon0, lat0, lon1, lat1):
    return {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }


def test_exclusion_zone_polygon(tmp_path):
    sc, ev = setup()
    lat, lon = ev.metrics["lat"].iloc[2], ev.metrics["lon"].iloc[2]
    path = zones_file(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"name": "Nature reserve"},
                "geometry": box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01),
            }
        ],
    )
    sc.sites.exclusion_zones_file = path
    out = screen_sites(ev, sc)
    assert out["feasible"].tolist() == [True, True, False, True, True, True]
    assert out["reasons"].iloc[2] == "inside exclusion zone 'Nature reserve'"


def test_exclusion_zone_file_must_hold_polygons(tmp_path):
    sc, ev = setup()
    sc.sites.exclusion_zones_file = zones_file(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            }
        ],
    )
    with pytest.raises(InputError, match="zones.geojson.*expected polygons, found Point"):
        screen_sites(ev, sc)


def test_unreadable_exclusion_zone_file(tmp_path):
    sc, ev = setup()
    bad = tmp_path / "zones.geojson"
    bad.write_text("not json")
    sc.sites.exclusion_zones_file = bad
    with pytest.raises(InputError, match="cannot read the exclusion zones"):
        screen_sites(ev, sc)


def test_sites_without_cost_are_screened():
    sc, ev = setup()
    ev.metrics.iloc[4, ev.metrics.columns.get_loc("usd_per_gpu_hour")] = np.nan
    out = screen_sites(ev, sc)
    assert out["reasons"].iloc[4] == "costs could not be evaluated for this site"


def test_summary_counts_sites_per_rule():
    sc, ev = setup(allowed_countries=["FR"], max_water_stress=0.5)
    out = screen_sites(ev, sc)
    assert summarise_reasons(out["reasons"]) == (
        "6 sites: outside the allowed countries; 6 sites: water stress above the limit"
    )


def test_moratorium_reason_names_the_area_or_the_region():
    sc, ev = setup()
    m = ev.metrics
    m["moratorium"] = [True, True, False, False, False, False]
    m["moratorium_area"] = [
        "the EirGrid greater-Dublin connection restriction (until 2028)",
        "",
        "",
        "",
        "",
        "",
    ]
    out = screen_sites(ev, sc)
    assert out["feasible"].tolist() == [False, False, True, True, True, True]
    assert out["reasons"].iloc[0] == (
        "in the EirGrid greater-Dublin connection restriction (until 2028), "
        "a moratorium on new data centres"
    )
    # No area named: the region's own flag.
    assert out["reasons"].iloc[1] == (
        "the region has a moratorium on new data-centre grid connections"
    )
    assert summarise_reasons(out["reasons"]) == "2 sites: a grid-connection moratorium"


# --- each rule at its boundary: a site exactly at a limit passes -------------------------------


def test_capacity_of_exactly_one_block_passes():
    # "Below one block" fails; a site whose capacity equals the lightest block takes that block.
    sc, ev = setup()
    light = ev.block_site_mw.min(axis=1)
    capacity = ev.metrics.columns.get_loc("capacity_mw")
    ev.metrics.iloc[1, capacity] = light.iloc[1]
    ev.metrics.iloc[2, capacity] = np.nextafter(light.iloc[2], 0.0)
    out = screen_sites(ev, sc)
    assert out["feasible"].tolist() == [True, True, False, True, True, True]
    assert out["reasons"].iloc[2] == (
        f"capacity {light.iloc[2]:,.1f} MW is below one block ({light.iloc[2]:,.1f} MW)"
    )


def test_water_stress_equal_to_the_limit_passes():
    # "max_water_stress" is the highest score allowed: 3.0 passes, 3.01 fails.
    sc, ev = setup(max_water_stress=3.0)
    ev.metrics["water_stress"] = [0.0, 2.99, 3.0, 3.01, 4.5, 5.0]
    out = screen_sites(ev, sc)
    assert out["feasible"].tolist() == [True, True, True, False, False, False]
    assert out["reasons"].iloc[3] == "water stress 3.0 exceeds the 3.0 limit"
    # The 5.0 ceiling is no rule at all: every score, 5 included, passes.
    sc5, _ = setup(max_water_stress=5.0)
    assert screen_sites(ev, sc5)["feasible"].all()


def test_round_trip_equal_to_a_whole_fleet_limit_passes():
    # max_rtt_ms is the longest round trip allowed: a site exactly at it passes.
    sc, ev = setup()
    rtt = ev.rtt_ms["Paris"]
    limit = float(rtt.iloc[3])
    sc, _ = setup(latency=[{"demand_center": "Paris", "max_rtt_ms": limit, "min_share": 1.0}])
    out = screen_sites(ev, sc)
    assert out["feasible"].tolist() == (rtt <= limit).tolist()
    assert out["feasible"].iloc[3] and (rtt > limit).any()
    far = int(np.flatnonzero((rtt > limit).to_numpy())[0])
    assert out["reasons"].iloc[far] == (
        f"round trip to Paris is {rtt.iloc[far]:.0f} ms, above the {limit:g} ms "
        "that the whole fleet must meet"
    )
