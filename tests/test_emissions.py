"""Emissions and water formulas, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.emissions import (
    PRODUCTION_MIX,
    RESIDUAL_MIX,
    carbon_cost_usd,
    co2_market_t,
    co2_t,
    market_factor_g_per_kwh,
    market_share_emitting,
    water_m3,
    water_weighted_m3,
)
from planner.errors import InputError


def test_location_based_co2_by_hand():
    # 100,000 MWh at 400 gCO2/kWh: 1e8 kWh x 400 g = 4e10 g = 40,000 t.
    assert co2_t(1e8, 400.0) == pytest.approx(40_000.0)


def test_market_based_co2_counts_the_carbon_free_ppa_as_zero():
    # Half the energy from a carbon-free PPA: 20,000 t; a PPA that is not carbon free: 40,000 t.
    assert co2_market_t(1e8, 400.0, 0.5, True) == pytest.approx(20_000.0)
    assert co2_market_t(1e8, 400.0, 0.5, False) == pytest.approx(40_000.0)
    assert market_share_emitting(1.0, True) == 0.0


def test_market_based_co2_at_the_residual_mix_by_hand():
    # GHG Protocol Scope 2 market-based: 1e8 kWh, 30 % from a carbon-free PPA, the other 70 %
    # at a residual mix of 520 g/kWh (production mix 400): 0.7 x 1e8 x 520 / 1e6 = 36,400 t.
    assert co2_market_t(1e8, 400.0, 0.3, True, residual_mix_g_per_kwh=520.0) == pytest.approx(
        36_400.0
    )
    # No residual mix published (NaN): the production mix, 0.7 x 1e8 x 400 / 1e6 = 28,000 t.
    assert co2_market_t(1e8, 400.0, 0.3, True, residual_mix_g_per_kwh=np.nan) == pytest.approx(
        28_000.0
    )
    factor, basis = market_factor_g_per_kwh([520.0, np.nan], [400.0, 300.0])
    assert factor.tolist() == [520.0, 300.0]
    assert basis.tolist() == [RESIDUAL_MIX, PRODUCTION_MIX]
    with pytest.raises(InputError, match="expected a residual mix of zero or more gCO2/kWh") as e:
        market_factor_g_per_kwh(-1.0, 400.0)
    assert e.value.field == "residual_mix_g_per_kwh"


def test_carbon_cost_by_hand():
    assert carbon_cost_usd(20_000.0, 50.0) == pytest.approx(1_000_000.0)


def test_water_by_hand():
    # 1e8 kWh of IT energy at 1.8 L/kWh (top of the reported evaporative range) = 1.8e8 L
    # = 180,000 m3.
    assert water_m3(1e8, 1.8) == pytest.approx(180_000.0)
    # Aqueduct score 4 (high stress): weighted 720,000.
    assert water_weighted_m3(180_000.0, 4.0) == pytest.approx(720_000.0)


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [
        (lambda: co2_t(1.0, -5.0), "carbon_g_per_kwh", "a carbon intensity of zero or more"),
        (lambda: water_m3(1.0, -0.1), "wue_l_per_kwh", "a water usage effectiveness of zero"),
        (lambda: water_weighted_m3(1.0, 6.0), "water_stress", "a water stress score between 0"),
        (lambda: water_weighted_m3(1.0, -0.5), "water_stress", "a water stress score between 0"),
        (lambda: market_share_emitting(1.2, True), "energy.ppa_share", "a PPA share between 0"),
    ],
)
def test_bad_inputs_are_rejected(call, field, words):
    with pytest.raises(InputError, match=f"expected {words}") as err:
        call()
    assert err.value.field == field


@settings(max_examples=60, deadline=None)
@given(
    energy=st.floats(0, 1e9), intensity=st.floats(0, 1200), k=st.floats(0, 10), ppa=st.floats(0, 1)
)
def test_carbon_scales_with_intensity(energy, intensity, k, ppa):
    base = co2_market_t(energy, intensity, ppa, True)
    assert co2_market_t(energy, k * intensity, ppa, True) == pytest.approx(
        k * base, rel=1e-9, abs=1e-9
    )
    assert co2_t(energy, intensity) >= base


def test_vectorised_over_sites():
    out = co2_t(np.array([1e6, 2e6]), np.array([100.0, 50.0]))
    assert out.tolist() == pytest.approx([100.0, 100.0])
