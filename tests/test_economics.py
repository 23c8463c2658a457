"""Economics formulas against hand calculations and published factor tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.economics import (
    capex_affine,
    capital_charge_pv,
    crf,
    discount_factors,
    escalation_factors,
    horizon_pv_from,
    idle_gpu_cost_usd,
    monthly_energy_bill,
    monthly_rate,
    npv,
    tail_sums,
    time_of_use_shape,
)
from planner.errors import InputError


def test_crf_matches_the_compound_interest_table():
    # Capital recovery factor (A/P, 8 %, 10 years) = 0.14903 in standard compound interest
    # tables (e.g. Newnan, Engineering Economic Analysis, 8 % table).
    assert crf(0.08, 10) == pytest.approx(0.14903, abs=1e-5)
    # (A/P, 10 %, 5 years) = 0.26380 in the same tables.
    assert crf(0.10, 5) == pytest.approx(0.26380, abs=1e-5)


def test_crf_at_zero_rate_is_straight_line():
    assert crf(0.0, 20) == pytest.approx(0.05)


def test_crf_rejects_zero_life():
    with pytest.raises(InputError, match="expected an asset life of more than zero periods") as e:
        crf(0.08, 0)
    assert e.value.field == "life_years"


def test_monthly_rate_compounds_to_the_annual_rate():
    # (1 + 0.0064340)^12 = 1.08
    assert monthly_rate(0.08) == pytest.approx(0.0064340, abs=1e-7)


def test_npv_by_hand():
    # 1,000 USD at the end of month 12 at 8 %/year is worth 1000 / 1.08 = 925.93 today.
    cash = np.zeros(12)
    cash[11] = 1000.0
    assert npv(cash, 0.08) == pytest.approx(925.926, abs=1e-3)
    # 100 USD at the end of each of 24 months at 0 % is 2,400.
    assert npv(np.full(24, 100.0), 0.0) == pytest.approx(2400.0)
    # The first month is discounted by 1.08^(-1/12) = 0.993607.
    assert discount_factors(0.08, 1)[0] == pytest.approx(0.993607, abs=1e-6)


def test_capital_charge_over_a_full_life_recovers_the_capex():
    # A level charge at crf over exactly the asset life has a present value equal to the capex.
    assert capital_charge_pv(1e6, 5, 0.08, 60, 0) == pytest.approx(1e6, rel=1e-9)
    # Starting after the horizon: nothing.
    assert capital_charge_pv(1e6, 5, 0.08, 60, 60) == 0.0


def test_idle_gpu_cost_by_hand_at_zero_rate():
    # 1,000 GPUs at 25,000 USD over a 5-year life cost 25e6 / 60 = 416,666.67 USD a month;
    # waiting six months for power costs 2.5 M USD.
    idle = idle_gpu_cost_usd(
        25_000, 1000, start_month=0, ready_month=6, life_years=5, annual_rate=0.0, months=120
    )
    assert idle == pytest.approx(2_500_000.0)
    on_time = idle_gpu_cost_usd(
        25_000, 1000, start_month=6, ready_month=3, life_years=5, annual_rate=0.0, months=120
    )
    assert on_time == 0.0


def test_idle_gpu_cost_by_hand_with_discounting():
    # Monthly rate i = 1.08^(1/12) - 1; monthly charge = 25e6 i (1+i)^60 / ((1+i)^60 - 1);
    # idle 3 months from month 0: charge x (v + v^2 + v^3), v = 1/(1+i).
    i = 1.08 ** (1 / 12) - 1
    charge = 25e6 * i * (1 + i) ** 60 / ((1 + i) ** 60 - 1)
    v = 1 / (1 + i)
    expected = charge * (v + v**2 + v**3)
    got = idle_gpu_cost_usd(25_000, 1000, 0, 3, 5, 0.08, 120)
    assert got == pytest.approx(expected, rel=1e-12)
    # (1+i)^60 = 1.08^5 = 1.469328, so the charge is 25e6 x 0.0201431 = 503,578 USD a month and
    # the three discount factors sum to 0.993607 + 0.987255 + 0.980944 = 2.961806.
    assert expected == pytest.approx(1_491_495, rel=1e-5)


def test_energy_bill_with_demand_charges_by_hand():
    # 1,000 kW flat all year, one hour of 2,000 kW in February, 50 USD/MWh, 10 USD/kW-month.
    kw = np.full(8760, 1000.0)
    kw[744 + 5] = 2000.0
    bill = monthly_energy_bill(kw, np.full(8760, 50.0), demand_charge_usd_per_kw_month=10.0)
    # January: 744 h x 1 MW = 744 MWh x 50 = 37,200 USD energy; 1,000 kW x 10 = 10,000 USD demand.
    assert bill["energy_mwh"][0] == pytest.approx(744.0)
    assert bill["grid_usd"][0] == pytest.approx(37_200.0)
    assert bill["demand_usd"][0] == pytest.approx(10_000.0)
    # February: 672 MWh + 1 MWh extra = 673 MWh x 50 = 33,650 USD; peak 2,000 kW -> 20,000 USD.
    assert bill["grid_usd"][1] == pytest.approx(33_650.0)
    assert bill["demand_usd"][1] == pytest.approx(20_000.0)
    # The year: 8,761 MWh.
    assert bill["energy_mwh"].sum() == pytest.approx(8761.0)


def test_physical_ppa_bill_by_hand():
    # January: 744 MWh at retail 50 USD/MWh, of which 10 are network charges and levies; half
    # under a physical PPA at 40. Retail half: 372 x 50 = 18,600 USD; PPA half pays strike and
    # levy: 372 x (40 + 10) = 18,600 USD, of which 372 x 40 = 14,880 is the fixed strike.
    bill = monthly_energy_bill(
        np.full(8760, 1000.0),
        50.0,
        ppa_share=0.5,
        ppa_strike_usd_per_mwh=40.0,
        ppa_type="physical",
        network_levy_usd_per_mwh=10.0,
    )
    assert bill["grid_usd"][0] == pytest.approx(18_600.0)
    assert bill["ppa_usd"][0] == pytest.approx(18_600.0)
    assert bill["ppa_strike_usd"][0] == pytest.approx(14_880.0)
    assert bill["ppa_indexed_usd"][0] == pytest.approx(3_720.0)


def test_virtual_ppa_bill_against_hourly_wholesale_by_hand():
    # January, 372 even hours at 20 USD/MWh and 500 kW, 372 odd hours at 80 USD/MWh and
    # 1,000 kW: E = 372 x 1.5 = 558 MWh, at retail R = 372 x (0.5 x 20 + 1 x 80) = 33,480 USD.
    # Levy 10, strike 45, PPA share 0.4.
    kw = np.tile([500.0, 1000.0], 4380)
    price = np.tile([20.0, 80.0], 4380)
    terms = {"ppa_share": 0.4, "ppa_strike_usd_per_mwh": 45.0, "network_levy_usd_per_mwh": 10.0}
    virtual = monthly_energy_bill(kw, price, ppa_type="virtual", **terms)
    assert virtual["energy_mwh"][0] == pytest.approx(558.0)
    # Virtual: all at retail, 33,480; settlement 0.4 x (45 x 558 - (33,480 - 10 x 558))
    # = 0.4 x (25,110 - 27,900) = -1,116 USD (wholesale was above the strike, weighted by load).
    assert virtual["grid_usd"][0] == pytest.approx(33_480.0)
    assert virtual["ppa_usd"][0] == pytest.approx(-1_116.0)
    # Physical: 0.6 x 33,480 = 20,088 at retail; 0.4 x 558 x (45 + 10) = 12,276 under the PPA.
    physical = monthly_energy_bill(kw, price, ppa_type="physical", **terms)
    assert physical["grid_usd"][0] == pytest.approx(20_088.0)
    assert physical["ppa_usd"][0] == pytest.approx(12_276.0)
    # Both 32,364 USD: the PPA volume follows the load and wholesale = retail - levy.
    for bill in (virtual, physical):
        assert bill["grid_usd"][0] + bill["ppa_usd"][0] == pytest.approx(32_364.0)


def test_ppa_type_is_checked():
    words = "expected a PPA type of virtual or physical, got 'sleeved'"
    with pytest.raises(InputError, match=words) as e:
        monthly_energy_bill(np.ones(8760), 50.0, ppa_share=0.5, ppa_type="sleeved")
    assert e.value.field == "energy.ppa_type"


def test_energy_bill_rejects_a_short_series():
    with pytest.raises(InputError, match="expected 8760 hourly values, got 100") as e:
        monthly_energy_bill(np.ones(100), 50.0)
    assert e.value.field is None
    with pytest.raises(InputError, match="expected a PPA share between 0 and 1, got 1.5") as e:
        monthly_energy_bill(np.ones(8760), 50.0, ppa_share=1.5)
    assert e.value.field == "energy.ppa_share"


def test_time_of_use_shape_by_hand():
    # A year starting on Monday has 261 weekdays (52 weeks + 1 Monday); 5 peak hours each =
    # 1,305 peak hours. Mean of the raw shape = (8760 + 0.5 x 1305) / 8760 = 1.074486.
    shape = time_of_use_shape(16, 21, 1.5, first_weekday=0)
    assert shape.mean() == pytest.approx(1.0)
    assert shape[0] == pytest.approx(1 / 1.074486, rel=1e-6)
    assert shape[16] == pytest.approx(1.5 / 1.074486, rel=1e-6)
    assert shape[5 * 24 + 16] == pytest.approx(1 / 1.074486, rel=1e-6)  # Saturday


def test_capex_affine_by_hand():
    # C(P) = sqrt(P) (u = 1, P0 = 1, b = 0.5): C(1) = 1, C(4) = 2; line through both has slope
    # 1/3 and intercept 2/3.
    fixed, per_mw = capex_affine(1.0, 1.0, 0.5, 1.0, 4.0)
    assert per_mw == pytest.approx(1 / 3)
    assert fixed == pytest.approx(2 / 3)
    # No economies of scale: no fixed part.
    fixed, per_mw = capex_affine(11.7e6, 40.0, 1.0, 1.0, 50.0)
    assert fixed == pytest.approx(0.0, abs=1e-6)
    assert per_mw == pytest.approx(11.7e6)


def test_capex_affine_single_size_uses_the_tangent():
    # b = 0.5 at P = 4: C = 2, C' = 0.25 -> per_mw 0.25, fixed 1.
    fixed, per_mw = capex_affine(1.0, 1.0, 0.5, 4.0, 4.0)
    assert (fixed, per_mw) == (pytest.approx(1.0), pytest.approx(0.25))


def test_tail_sums_and_escalation():
    assert tail_sums(np.array([1.0, 2.0, 3.0])).tolist() == [6.0, 5.0, 3.0, 0.0]
    assert escalation_factors(0.1, 25)[[0, 11, 12, 24]] == pytest.approx([1.0, 1.0, 1.1, 1.21])
    # 1 USD every month for two years, 10 %/year escalation, no discounting: 12 + 13.2 = 25.2.
    assert horizon_pv_from(np.ones(12), 0.0, 24, 0.1)[0] == pytest.approx(25.2)


@settings(max_examples=50, deadline=None)
@given(
    price=st.floats(0.0, 500.0),
    extra=st.floats(0.01, 100.0),
    demand=st.floats(0.0, 30.0),
    ppa=st.floats(0.0, 1.0),
)
def test_energy_cost_rises_with_price(price, extra, demand, ppa):
    kw = 1000.0 + 200.0 * np.sin(np.arange(8760) / 24.0)
    low = monthly_energy_bill(
        kw, price, demand_charge_usd_per_kw_month=demand, ppa_share=ppa, ppa_strike_usd_per_mwh=50
    )
    high = monthly_energy_bill(
        kw,
        price + extra,
        demand_charge_usd_per_kw_month=demand,
        ppa_share=ppa,
        ppa_strike_usd_per_mwh=50,
    )
    total = lambda b: b["grid_usd"].sum() + b["ppa_usd"].sum() + b["demand_usd"].sum()  # noqa: E731
    # A virtual PPA of the whole load costs the strike plus the levy whatever the retail price:
    # equal up to rounding.
    assert total(high) >= total(low) * (1 - 1e-12)
    if ppa < 0.99:  # strictly, unless the grid share is too small to register in float64
        assert total(high) > total(low)


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(0.0, 0.3), life=st.integers(1, 40))
def test_crf_is_at_least_straight_line(rate, life):
    assert crf(rate, life) >= 1.0 / life - 1e-12
