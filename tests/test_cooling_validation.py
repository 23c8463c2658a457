"""Validation of annual PUE and WUE against published studies and operators' reports.

Climates: five real NREL TMY3 years in tests/data (Chicago, Dulles, Greensboro, Golden/Denver
at 1,829 m, Tampa) and synthetic years from typed normals for Singapore and Phoenix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.climate import pressure_from_elevation_pa, read_weather, wet_bulb_c
from planner.climate.synth import synthesize_years
from planner.cooling import load_cooling_parameters, select_cooling, simulate_cooling

DATA = Path(__file__).parent / "data"
US_FILES = {
    "chicago": "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz",
    "dulles": "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz",
    "greensboro": "723170TYA.CSV.gz",
    "golden": "USA_CO_Golden-NREL.724666_TMY3.epw.gz",
    "tampa": "USA_FL_Tampa.Intl.AP.722110_TMY3.epw.gz",
}


def _f_to_c(values: list[float]) -> list[float]:
    return [(v - 32.0) / 1.8 for v in values]


# Singapore Changi, Meteorological Service Singapore 1991-2020 climate normals (mean daily
# max/min); dew point from the mean relative humidity of about 80-84 % (approximate).
SINGAPORE = pd.DataFrame({
    "site_id": "SIN", "month": range(1, 13),
    "temp_max_c": [30.6, 31.5, 32.0, 32.4, 32.2, 31.7, 31.2, 31.2, 31.2, 31.6, 31.1, 30.5],
    "temp_min_c": [23.9, 24.2, 24.6, 25.3, 25.7, 25.6, 25.3, 25.2, 24.9, 24.8, 24.4, 24.1],
    "temp_dew_c": [23.0, 23.0, 23.5, 24.3, 24.6, 24.3, 23.9, 23.9, 23.9, 24.1, 24.0, 23.5],
})
# Phoenix Sky Harbor, NOAA NCEI U.S. Climate Normals 1991-2020 (mean daily max/min, F);
# mean dew point from NCEI comparative climatic data (approximate, F).
PHOENIX = pd.DataFrame({
    "site_id": "PHX", "month": range(1, 13),
    "temp_max_c": _f_to_c([67.6, 71.0, 77.5, 85.4, 94.8, 104.2, 106.5, 105.4, 100.3, 89.2,
                           76.9, 66.2]),
    "temp_min_c": _f_to_c([46.1, 49.5, 54.5, 61.0, 70.3, 79.5, 85.2, 84.4, 78.4, 66.1, 53.6,
                           45.5]),
    "temp_dew_c": _f_to_c([32, 32, 33, 32, 34, 39, 56, 59, 52, 41, 34, 31]),
})


@pytest.fixture(scope="module")
def climates() -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    out = {}
    for key, name in US_FILES.items():
        table, meta = read_weather(DATA / name)
        out[key] = (table["temp_air_c"].to_numpy(), table["temp_wet_c"].to_numpy(),
                    float(table["pressure_pa"].mean()))
    for key, normals, elevation, lat in (("singapore", SINGAPORE, 15.0, 1.37),
                                         ("phoenix", PHOENIX, 337.0, 33.43)):
        temp, dew = synthesize_years(normals, seed=1, lat=[lat])
        pressure = float(pressure_from_elevation_pa(elevation))
        out[key] = (temp[0], wet_bulb_c(temp[0], dew[0], pressure), pressure)
    return out


def annual(climates, key: str, tech: str, preset: str = "hyperscale") -> tuple[float, float]:
    ta, tw, p = climates[key]
    params, _ = load_cooling_parameters(preset)
    r = simulate_cooling(tech, ta, tw, params, pressure_pa=p)
    return float(r.pue_annual()[0]), float(r.wue_annual()[0])


@pytest.mark.parametrize("tech", ["air-economizer", "water-economizer"])
def test_hyperscale_economizer_pue_across_us_climates(climates, tech):
    # Lei & Masanet 2022 (Resources, Conservation and Recycling): hyperscale airside and
    # waterside economizer annual PUE about 1.07-1.17 from cold to hot U.S. climate zones.
    for key in US_FILES:
        pue, _ = annual(climates, key, tech)
        assert 1.06 <= pue <= 1.19, (key, pue)
    assert annual(climates, "golden", tech)[0] < annual(climates, "tampa", tech)[0]
    assert annual(climates, "chicago", tech)[0] < annual(climates, "tampa", tech)[0]


@pytest.mark.parametrize("tech", ["air-economizer", "water-economizer"])
def test_hyperscale_economizer_pue_singapore(climates, tech):
    # Lei & Masanet 2022: about 1.3 in Singapore, the worst of the climates studied, for
    # their chiller COPs. Google (June 2024) states that the PUE of its water-cooled Singapore
    # data centres tracks its global fleet average (about 1.10), so a hyperscale plant with
    # 18 C chilled water can do better; with the Carnot-scaled chiller table (COP 10.2 at
    # 29.4 C condenser water, docs/cooling.md) the model gives about 1.19. Band 1.15-1.36.
    pue, _ = annual(climates, "singapore", tech)
    assert 1.15 <= pue <= 1.36
    assert pue > max(annual(climates, key, tech)[0] for key in US_FILES)


def test_waterside_wue_depends_on_climate(climates):
    # Hyperscale waterside economizer with hybrid (dry + wet) heat rejection: the tower
    # evaporates only in hours the dry coils cannot carry, and less per kWh in cold air
    # (Merkel). Published site WUE spans about 0.2 L/kWh (hyperscale fleets with water-saving
    # designs; Microsoft about 0.3 for FY2024-25, per secondary summaries) to about 1.8 L/kWh
    # (the U.S. average of
    # Shehabi et al. 2016, LBNL, for towers running all year); Lei & Masanet 2022 give
    # 1.7-2.6 for all-wet towers, which the legacy preset keeps (3.0-3.3 with 3 cycles).
    values = {key: annual(climates, key, "water-economizer")[1] for key in climates}
    assert all(0.2 <= v <= 2.2 for v in values.values()), values
    assert values["chicago"] < values["tampa"] < values["singapore"]
    assert values["singapore"] >= 1.5 and values["chicago"] <= 1.0
    legacy = [annual(climates, key, "water-economizer", "legacy-enterprise")[1]
              for key in ("chicago", "singapore")]
    assert all(2.0 <= v <= 3.5 for v in legacy), legacy


def test_airside_wue_from_dry_to_humid(climates):
    # Lei & Masanet 2022: airside economizer WUE from near 0 (cold, dry) to about 1.5-2.5
    # (hot, humid). Operators: 0.01-0.03 L/kWh in cool dry sites, 1.7-2.8 in Singapore.
    assert annual(climates, "golden", "air-economizer")[1] < 0.1
    assert 1.5 <= annual(climates, "singapore", "air-economizer")[1] <= 2.5
    assert annual(climates, "tampa", "air-economizer")[1] > annual(climates, "chicago",
                                                                   "air-economizer")[1]


def test_legacy_air_cooled_chiller_pue(climates):
    # Lei & Masanet 2020/2022: midsize / enterprise air-cooled chiller PUE about 1.4-1.8;
    # Uptime Institute surveys put the industry average at about 1.55-1.6.
    values = {key: annual(climates, key, "air-chiller", "legacy-enterprise")[0]
              for key in climates}
    assert all(1.4 <= v <= 1.8 for v in values.values()), values
    assert 1.5 <= float(np.median(list(values.values()))) <= 1.65
    assert values["singapore"] > values["chicago"]


def test_hot_humid_worse_than_cold_for_every_technology(climates):
    for tech in ("air-economizer", "water-economizer", "air-chiller", "evaporative",
                 "liquid-dtc"):
        for preset in ("hyperscale", "legacy-enterprise"):
            assert annual(climates, "singapore", tech, preset)[0] > annual(
                climates, "chicago", tech, preset)[0], (tech, preset)


def test_evaporative_wue_in_reported_range(climates):
    # Sites with evaporative cooling report WUE about 0.2-1.8 L/kWh (the project's design
    # notes, from operators' sustainability reports); cold sites use less, hot dry ones more.
    values = {key: annual(climates, key, "evaporative")[1] for key in climates}
    assert all(v <= 1.8 for v in values.values())
    assert values["phoenix"] > values["chicago"]


def test_auto_choice_gives_a_hyperscale_fleet_pue(climates):
    # Hyperscale operators report fleet PUE 1.08-1.15 (Google about 1.09-1.10, Meta about
    # 1.08, AWS 1.15 in 2024): the auto choice over U.S. sites lands in that band.
    keys = list(US_FILES)
    ta = np.stack([climates[k][0] for k in keys])
    tw = np.stack([climates[k][1] for k in keys])
    params, _ = load_cooling_parameters("hyperscale")
    tech, result = select_cooling(ta, tw, params, price_usd_per_mwh=70.0,
                                  pressure_pa=[climates[k][2] for k in keys])
    pue = result.pue_annual()
    assert np.all((pue >= 1.06) & (pue <= 1.15)), dict(zip(keys, pue, strict=True))
