"""Cooling components against hand calculations, and the hourly model's invariants."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from planner.cooling import (
    TECHNOLOGIES,
    load_cooling_parameters,
    select_cooling,
    simulate_cooling,
)
from planner.cooling.components import (
    chiller_cop,
    crf,
    electrical_loss,
    fan_kw_per_kw,
    part_load_power,
    pump_kw_per_kw,
    tower_water_l,
)
from planner.errors import InputError
from planner.scenario import COOLING_TECHNOLOGIES

HYPER, _ = load_cooling_parameters("hyperscale")
LEGACY, _ = load_cooling_parameters("legacy-enterprise")


def test_registry_matches_scenario_ids():
    assert tuple(TECHNOLOGIES) == COOLING_TECHNOLOGIES


def test_electrical_loss_terms():
    # 0.01 + 0.02 * 0.5 + 0.04 * 0.25 = 0.03 kW per kW of design IT at half load.
    assert_allclose(electrical_loss(0.5, 0.01, 0.02, 0.04), 0.03)
    assert_allclose(electrical_loss(1.0, 0.01, 0.02, 0.04), 0.07)


def test_fan_power_from_flow_and_pressure():
    # V = 1 kW / (1.2 kg/m3 * 1.006 kJ/kgK * 10 K) = 0.08284 m3/s; P = V * 500 Pa / 0.5 = 82.8 W.
    assert_allclose(fan_kw_per_kw(500.0, 0.5, 10.0), 0.08284, rtol=1e-3)
    assert_allclose(fan_kw_per_kw(500.0, 0.5, 10.0, airflow_ratio=1.3), 0.1077, rtol=1e-3)


def test_pump_power_from_flow_and_head():
    # V = 1 / (1000 * 4.186 * 8) = 2.986e-5 m3/s per kW; P = V * 200 kPa / 0.7 = 8.53 W.
    assert_allclose(pump_kw_per_kw(200_000.0, 0.7, 8.0), 0.008531, rtol=1e-3)


def test_part_load_power():
    assert_allclose(part_load_power(0.04, 0.5, 2.0), 0.01)
    assert_allclose(part_load_power(0.04, np.array([0.2, 1.0]), 0.0), [0.04, 0.04])


def test_chiller_cop_table_is_clamped_and_staged():
    table_c, table_cop = [15.0, 25.0, 35.0, 45.0], [4.3, 3.5, 2.8, 2.1]
    plr, factor = [0.1, 0.5, 1.0], [0.5, 1.0, 1.0]
    # At 30 C, halfway between 3.5 and 2.8; at -10 C and 55 C the ends hold (no extrapolation).
    assert_allclose(
        chiller_cop([30.0, -10.0, 55.0], 1.0, table_c, table_cop, plr, factor),
        [3.15, 4.3, 2.1],
        rtol=1e-6,
    )
    # 30 % load on one chiller: factor interp(0.3) = 0.75; on four staged chillers two run at
    # 60 % load (factor 1.0).
    assert_allclose(chiller_cop(35.0, 0.3, table_c, table_cop, plr, factor, count=1), 2.1)
    assert_allclose(chiller_cop(35.0, 0.3, table_c, table_cop, plr, factor, count=4), 2.8)


def test_tower_water_hand_calculation():
    # 100 kWh rejected, 1.5 L/kWh -> E = 150 L; circulating 100 * 3600 / (4.186 * 5.6) =
    # 15,357 L, drift 0.001 % = 0.154 L; blowdown 150 / (6 - 1) - 0.154 = 29.85 L.
    assert_allclose(tower_water_l(100.0, 1.5, 6.0, 1e-5, 5.6), 150 + 29.846 + 0.1536, rtol=1e-4)


def test_capital_recovery_factor():
    # 8 %, 15 years: 0.08 * 1.08^15 / (1.08^15 - 1) = 0.11683 (standard annuity tables).
    assert_allclose(crf(0.08, 15), 0.11683, rtol=1e-4)
    assert_allclose(crf(0.0, 10), 0.1)


def flat(temp_air: float, temp_wet: float, n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    return np.full((n, 8760), temp_air), np.full((n, 8760), temp_wet)


def test_cold_hour_hyperscale_water_economizer_by_hand():
    # Wet-bulb 0 C: tower water max(0 + 3.9, 5) = 5 C, but free cooling only needs
    # 18 - 2.2 = 15.8 C water: all free cooling, no chiller term. Dry-bulb 5 C: the dry coils
    # leave 5 + 8 K x (load 1) = 13 C <= 15.8 C, so all heat leaves dry and no water
    # evaporates. Hand sum per kW of design IT at full load (hyperscale preset):
    #   losses 0.004 + 0.012 + 0.008 = 0.024, lighting 0.005            -> 1.029 kW of heat
    #   fans 1.05 / (1.2 * 1.006 * 13) * 400 / 0.70 / 1000 = 0.03823 kW/kW, x 1.029 = 0.03934
    #   q = 1.029 + 0.03934 = 1.06834 kW through the loops (the design flow)
    #   pumps (200000 / (4186 * 10 * 0.7) + 120000 / (4186 * 5.6 * 0.7)) / 1000 = 0.014138 x q
    #   dry-coil fans 0.015 x q = 0.016025 (tower fans idle)
    # PUE = 1.029 + 0.03934 + 0.015104 + 0.016025 = 1.09947
    ta, tw = flat(5.0, 0.0)
    r = simulate_cooling("water-economizer", ta, tw, HYPER)
    assert_allclose(r.economizer_fraction, 1.0)
    assert_allclose(r.pue[0, 0], 1.09947, rtol=2e-5)
    assert_allclose(r.wue_l_per_kwh[0, 0], 0.0, atol=1e-6)


def test_cold_hour_open_tower_evaporation_by_hand():
    # Legacy preset: open towers only (no dry mode), the tower water is held at 5 C.
    # Inlet 5 C / wet-bulb 0 C at sea level: w_in = 0.001756 kg/kg (ASHRAE eq. 35), h_in =
    # 1.006 * 5 + 0.001756 * (2501 + 1.86 * 5) = 9.44 kJ/kg; the air takes dh = 1.2 * 4.186 *
    # 5.6 = 28.13 kJ/kg and leaves saturated at h_out = 37.57 kJ/kg, i.e. at 13.36 C where
    # w_sat = 0.009554 kg/kg. Evaporation 3600 * (0.009554 - 0.001756) / 28.13 = 0.998 L per
    # kWh rejected (all-latent would be 1.48): the cold air warms up and carries heat sensibly.
    from planner.cooling.components import tower_evaporation_l_per_kwh

    e = tower_evaporation_l_per_kwh(5.0, 0.0, 101325.0, 1.2, 5.6, 1.5)
    assert_allclose(e, 0.998, rtol=2e-3)
    # Hot, humid air leaves nearly all the heat as vapour: 30 C / 26 C wet-bulb, w_in = 0.019643,
    # h_in = 80.40 kJ/kg, h_out = 108.53 kJ/kg, saturated at 31.62 C where w_sat = 0.029971:
    # 3600 * (0.029971 - 0.019643) / 28.13 = 1.3217 L/kWh. Very dry air is capped at 1.5.
    e_humid = tower_evaporation_l_per_kwh(30.0, 26.0, 101325.0, 1.2, 5.6, 1.5)
    assert_allclose(e_humid, 1.3217, rtol=1e-3)
    assert_allclose(tower_evaporation_l_per_kwh(40.0, 19.0, 101325.0, 1.2, 5.6, 1.5), 1.5)


def test_hot_hour_uses_the_chiller():
    # 35 C, wet-bulb 26 C, full load, hyperscale preset. As in the cold hour: IT + losses +
    # lighting 1.029, fans 0.03934, loop heat q = 1.06834, pumps per kW of q 0.0068257 (chilled)
    # and 0.0073129 (condenser).
    # Water economizer: tower water 26 + 3.9 = 29.9 C > 28 - 2.2 C, so no free cooling; chiller
    # COP at 29.9 C between 10.2 (29.4 C) and 8.0 (35 C): 10.2 - 2.2 x 0.5 / 5.6 = 10.0036,
    # four chillers at full load (factor 1.0): chiller 1.06834 / 10.0036 = 0.106796; towers
    # 0.006 x (1.06834 + 0.106796) = 0.007051 (the dry coils leave 35 + 8 x 1.1 = 43.8 C, too
    # warm to help). PUE = 1.029 + 0.03934 + 0.106796 + 0.007051 + 0.014138 x 1.06834 = 1.19729.
    ta, tw = flat(35.0, 26.0)
    r = simulate_cooling("water-economizer", ta, tw, HYPER)
    assert_allclose(r.economizer_fraction, 0.0)
    assert_allclose(r.pue[0, 0], 1.19729, rtol=2e-5)
    # Air-cooled chiller: COP 3.8 at 35 C; PUE = 1.029 + 0.03934 + 1.06834 / 3.8
    # + 0.0068257 x 1.06834 = 1.35678: air-cooled condensers run hotter than towers.
    r_air = simulate_cooling("air-chiller", ta, tw, HYPER)
    assert_allclose(r_air.pue[0, 0], 1.35678, rtol=2e-5)
    assert_allclose(r_air.wue_l_per_kwh, 0.0)


def test_half_load_raises_pue():
    # Legacy preset, air-cooled chiller at 10 C (COP table clamped at its 15 C end: 4.3).
    # Full load: IT + losses + lighting 1 + 0.03 + 0.045 + 0.025 + 0.02 = 1.12; constant-speed
    # fans 1.3 / (1.2 x 1.006 x 10) x 500 / 0.5 / 1000 = 0.107687 kW/kW x 1.12 = 0.120609;
    # design loop heat 1.240609; chiller 1.240609 / 4.3 = 0.288514; constant-speed pumps
    # 250000 / (4186 x 6) / 0.7 / 1000 x 1.240609 = 0.017640. PUE 1.54676.
    # Half load: 0.5 + 0.03 + 0.0225 + 0.00625 + 0.02 = 0.57875; heat 0.699359 is 0.56372 of
    # design on two chillers, part-load factor 0.95 + 0.05 x 0.06372 / 0.25 = 0.96274, COP
    # 4.1398, chiller 0.168936; PUE (0.57875 + 0.120609 + 0.168936 + 0.017640) / 0.5 = 1.77187.
    # Fixed losses and constant-speed fans weigh double.
    ta, tw = flat(10.0, 5.0)
    full = simulate_cooling("air-chiller", ta, tw, LEGACY, 1.0).pue_annual()
    half = simulate_cooling("air-chiller", ta, tw, LEGACY, 0.5).pue_annual()
    assert_allclose(full, 1.54676, rtol=2e-5)
    assert_allclose(half, 1.77187, rtol=2e-5)


def test_result_methods_shapes_and_weights():
    rng = np.random.default_rng(0)
    ta = rng.uniform(-5, 35, (3, 8760))
    tw = ta - rng.uniform(0, 8, (3, 8760))
    load = np.linspace(0.5, 1.0, 8760)
    r = simulate_cooling("air-economizer", ta, tw, HYPER, load)
    assert r.pue.shape == (3, 8760) and r.pue.dtype == np.float32
    assert r.monthly_pue().shape == (3, 12) and r.monthly_wue().shape == (3, 12)
    expected = (r.pue[1].astype(float) * load).sum() / load.sum()
    assert_allclose(r.pue_annual()[1], expected, rtol=1e-6)
    assert np.all(r.pue_peak() >= r.pue_annual())
    assert np.all(r.economizer_hours() <= 8760)
    assert np.all((r.economizer_fraction >= 0) & (r.economizer_fraction <= 1))
    summary = r.summary()
    assert list(summary.columns[:3]) == ["cooling_technology", "pue_annual", "pue_peak"]


def test_bad_inputs():
    ta, tw = flat(10.0, 5.0)
    cases = [
        (
            lambda: simulate_cooling("magic", ta, tw, HYPER),
            "cooling.technology",
            "unknown cooling technology 'magic'; expected one of air-economizer, water-economizer",
        ),
        (
            lambda: simulate_cooling("air-chiller", ta[:, :100], tw[:, :100], HYPER),
            "temp_air_c",
            r"expected an array of shape \(n_sites, 8760\), got \(1, 100\)",
        ),
        (
            lambda: simulate_cooling("air-chiller", ta, tw[:, :100], HYPER),
            "temp_wet_c",
            "expected an array of shape",
        ),
        (
            lambda: simulate_cooling("air-chiller", ta, tw, HYPER, 0.0),
            "it_load_fraction",
            "it_load_fraction must be above 0 and at most 1.5",
        ),
        (
            lambda: simulate_cooling("air-chiller", ta, tw, HYPER, np.ones(5)),
            "it_load_fraction",
            r"it_load_fraction of shape \(5,\) does not fit \(1, 8760\)",
        ),
        (
            lambda: simulate_cooling("air-chiller", ta, tw, {"electrical": {}}),
            "cooling",
            "cooling parameters have no section 'misc'",
        ),
        (
            lambda: load_cooling_parameters("tiny"),
            "preset",
            "no cooling preset 'tiny'; known: hyperscale, legacy-enterprise",
        ),
    ]
    for call, field, words in cases:
        with pytest.raises(InputError, match=words) as err:
            call()
        assert err.value.field == field, words


def test_select_rules_density_and_water_stress():
    ta = np.stack([np.full(8760, 30.0), np.full(8760, 5.0), np.full(8760, 5.0)])
    tw = ta - np.array([[12.0], [3.0], [3.0]])
    tech, result = select_cooling(
        ta,
        tw,
        HYPER,
        price_usd_per_mwh=[80.0, 80.0, 80.0],
        water_stress=[0.0, 4.5, 0.0],
        max_water_stress=3.0,
        rack_density_kw=[20.0, 20.0, 120.0],
    )
    assert tech[2] == "liquid-dtc"  # 120 kW racks
    cands = result.candidates
    row = cands[(cands.site == 1) & (cands.technology == "water-economizer")].iloc[0]
    assert not row.allowed and "water stress" in row.reason
    # Cold and dry at 5 C: outside air, which needs no water, wins under water stress too.
    assert tech.tolist() == ["air-economizer", "air-economizer", "liquid-dtc"]
    # The chosen one is the cheapest allowed candidate at each site.
    for k in range(3):
        ok = cands[(cands.site == k) & cands.allowed]
        assert tech[k] == ok.loc[ok.cost_usd_per_mw_year.idxmin(), "technology"]
    assert list(result.technology) == list(tech)


def test_select_rack_density_threshold_boundary():
    # 50 kW threshold (active rear-door coils): a rack exactly at it may use air; just above,
    # only liquid-dtc; GPUs that ship liquid-cooled only force liquid at any density.
    ta, tw = flat(5.0, 2.0, n=4)
    threshold = HYPER["selection"]["liquid_rack_kw_threshold"]
    assert threshold == 50.0
    tech, result = select_cooling(
        ta,
        tw,
        HYPER,
        price_usd_per_mwh=80.0,
        rack_density_kw=[40.8, 50.0, 50.01, 20.0],
        liquid_required=[False, False, False, True],
    )
    cands = result.candidates
    air = cands[cands.technology == "air-economizer"].set_index("site")
    assert list(air.allowed) == [True, True, False, False]
    assert "rack density above 50 kW" in air.reason[2]
    assert "liquid-cooled only" in air.reason[3]
    assert tech[2] == "liquid-dtc" and tech[3] == "liquid-dtc"
    # The H100/H200 rack (40.8 kW) is not forced onto liquid.
    assert cands[(cands.site == 0)].allowed.all()


def test_select_capex_scales_with_design_mechanical_share():
    # A climate that never needs a chiller for outside air (5 C, dry) saves the plant:
    # capex = 1.7 M - 0.7 M * (1 - 0) = 1.0 M USD per MW for the airside economizer; the
    # air-cooled chiller always needs its full plant (share 1): 1.7 M.
    ta, tw = flat(5.0, 2.0)
    _, result = select_cooling(ta, tw, HYPER, price_usd_per_mwh=80.0)
    c = result.candidates.set_index("technology")
    assert_allclose(c.loc["air-economizer", "design_mechanical_fraction"], 0.0, atol=1e-6)
    assert_allclose(c.loc["air-economizer", "capex_usd_per_mw"], 1.0e6)
    assert_allclose(c.loc["air-chiller", "capex_usd_per_mw"], 1.7e6)
    assert result.capex_usd_per_mw is not None
    assert_allclose(result.capex_usd_per_mw[0], c.loc[result.technology[0], "capex_usd_per_mw"])


def test_select_rules_out_thirsty_candidates_under_water_stress():
    # Hot, humid hours: the airside economizer's water-cooled backup runs all year (WUE above
    # 0.5 L/kWh), so above the stress ceiling it is ruled out like the flagged technologies.
    ta, tw = flat(31.0, 27.0)
    tech, result = select_cooling(
        ta, tw, HYPER, price_usd_per_mwh=100.0, water_stress=4.0, max_water_stress=3.5
    )
    c = result.candidates.set_index("technology")
    assert c.loc["air-economizer", "wue_l_per_kwh"] > 0.5
    for name in ("air-economizer", "water-economizer", "evaporative"):
        assert not c.loc[name, "allowed"] and "water stress" in c.loc[name, "reason"]
    # Of the two dry ones left, warm-water cold plates cost less a year than air-cooled chillers.
    assert (
        c.loc["liquid-dtc", "cost_usd_per_mw_year"] < c.loc["air-chiller", "cost_usd_per_mw_year"]
    )
    assert tech[0] == "liquid-dtc"


def test_select_water_stress_ceiling_boundary():
    # cooling.allow_water_cooling_above_stress is the highest score at which water-intensive
    # cooling is still allowed: a site exactly at the ceiling keeps the waterside economizer,
    # one just above loses it (and the evaporative cooler) with the reason; any score is fine
    # without a ceiling (5.0, the top of the Aqueduct scale).
    ta, tw = flat(31.0, 27.0, n=3)
    _, result = select_cooling(
        ta, tw, HYPER, price_usd_per_mwh=100.0, water_stress=[3.5, 3.51, 5.0], max_water_stress=3.5
    )
    c = result.candidates
    wet = c[c.technology == "water-economizer"].set_index("site")
    assert wet.allowed.tolist() == [True, False, False]
    assert wet.reason.tolist() == ["", "water stress above 3.5", "water stress above 3.5"]
    evap = c[c.technology == "evaporative"].set_index("site")
    assert evap.allowed.tolist() == [True, False, False]
    _, free = select_cooling(ta, tw, HYPER, price_usd_per_mwh=100.0, water_stress=5.0)
    assert free.candidates.allowed.all()
