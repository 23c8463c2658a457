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
    assert_allclose(chiller_cop([30.0, -10.0, 55.0], 1.0, table_c, table_cop, plr, factor),
                    [3.15, 4.3, 2.1], rtol=1e-6)
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
    # Wet-bulb 0 C: tower water max(0 + 3.9, 5) = 5 C, + 2.2 K exchanger = 7.2 C, below the
    # 18 C supply: all free cooling, no chiller term. Hand sum per kW of design IT at full
    # load with the hyperscale preset (data/cooling.toml):
    #   losses 0.004 + 0.012 + 0.008 = 0.024, lighting 0.005            -> 1.029 kW of heat
    #   fans 1.05 / (1.2 * 1.006 * 13) * 400 / 0.70 / 1000 = 0.03823 kW/kW, x 1.029 = 0.03934
    #   q = 1.029 + 0.03934 = 1.06834 kW through the loops (the design flow)
    #   pumps (200000 / (4186 * 10 * 0.7) + 120000 / (4186 * 5.6 * 0.7)) / 1000 = 0.014138 x q
    #   tower fans 0.006 x q
    # PUE = 1.029 + 0.03934 + 0.015104 + 0.006410 = 1.08985
    ta, tw = flat(5.0, 0.0)
    r = simulate_cooling("water-economizer", ta, tw, HYPER)
    assert_allclose(r.economizer_fraction, 1.0)
    assert_allclose(r.pue[0, 0], 1.08985, rtol=2e-5)
    # Water: E = 1.5 q = 1.60251 L; drift 1e-5 * q * 3600 / (4.186 * 5.6) = 0.000164 L;
    # blowdown E / 5 - drift; make-up E * 1.2 = 1.92301 L per kWh of IT.
    assert_allclose(r.wue_l_per_kwh[0, 0], 1.92301, rtol=1e-4)


def test_hot_hour_uses_the_chiller():
    ta, tw = flat(35.0, 26.0)
    r = simulate_cooling("water-economizer", ta, tw, HYPER)
    assert_allclose(r.economizer_fraction, 0.0)
    assert r.pue[0, 0] > 1.15
    r_air = simulate_cooling("air-chiller", ta, tw, HYPER)
    assert r_air.pue[0, 0] > r.pue[0, 0]  # air-cooled condensers run hotter than towers


def test_half_load_raises_pue():
    ta, tw = flat(10.0, 5.0)
    full = simulate_cooling("air-chiller", ta, tw, LEGACY, 1.0).pue_annual()
    half = simulate_cooling("air-chiller", ta, tw, LEGACY, 0.5).pue_annual()
    assert half > full + 0.05  # fixed losses and constant-speed fans weigh double


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
    with pytest.raises(InputError, match="unknown cooling technology 'magic'"):
        simulate_cooling("magic", ta, tw, HYPER)
    with pytest.raises(InputError, match="shape"):
        simulate_cooling("air-chiller", ta[:, :100], tw[:, :100], HYPER)
    with pytest.raises(InputError, match="it_load_fraction"):
        simulate_cooling("air-chiller", ta, tw, HYPER, 0.0)
    with pytest.raises(InputError, match="no section"):
        simulate_cooling("air-chiller", ta, tw, {"electrical": {}})
    with pytest.raises(InputError, match="no cooling preset 'tiny'"):
        load_cooling_parameters("tiny")


def test_select_rules_density_and_water_stress():
    ta = np.stack([np.full(8760, 30.0), np.full(8760, 5.0), np.full(8760, 5.0)])
    tw = ta - np.array([[12.0], [3.0], [3.0]])
    tech, result = select_cooling(
        ta, tw, HYPER, price_usd_per_mwh=[80.0, 80.0, 80.0], water_stress=[0.0, 4.5, 0.0],
        max_water_stress=3.0, rack_density_kw=[20.0, 20.0, 120.0])
    assert tech[2] == "liquid-dtc"  # 120 kW racks
    cands = result.candidates
    row = cands[(cands.site == 1) & (cands.technology == "water-economizer")].iloc[0]
    assert not row.allowed and "water stress" in row.reason
    assert tech[1] not in ("water-economizer", "evaporative")
    # The chosen one is the cheapest allowed candidate at each site.
    for k in range(3):
        ok = cands[(cands.site == k) & cands.allowed]
        assert tech[k] == ok.loc[ok.cost_usd_per_mw_year.idxmin(), "technology"]
    assert list(result.technology) == list(tech)
