"""The vectorised evaluation: a worked example by hand, additivity of block costs, invariants."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.evaluate import SiteArrays, evaluate_arrays, load_finance
from planner.scenario import scenario_from_dict

# DGX H100: 10.2 kW for 8 GPUs (NVIDIA datasheet) = 1,275 W per GPU. The all-in capital per GPU
# and the cloud rent are round test values.
GPUS = pd.DataFrame(
    {
        "node_power_w_per_gpu": [1275.0],
        "rack_density_kw": [40.8],
        "liquid_required": [False],
        "capital_usd_per_gpu": [25_000.0],
        "cloud_usd_per_gpu_hour": [2.5],
    },
    index=pd.Index(["H100-SXM"], name="gpu_id"),
)
CENTERS = pd.DataFrame(
    {"lat": [41.8781, 40.7128], "lon": [-87.6298, -74.0060], "population": [1.0, 3.0]},
    index=pd.Index(["Chicago", "New York"], name="name"),
)


def scenario(**energy):
    data = {
        "scenario": {"name": "hand", "horizon_years": 1, "discount_rate": 0.0},
        "fleet": {
            "workload": "training",
            "utilization": 1.0,
            "network_overhead_fraction": 0.0,
            "block_gpus": 256,
            "phases": [{"gpu": "H100-SXM", "count": 1024, "start_month": 0}],
        },
        "facility": {"build_lead_months": 0},
        "energy": {"price_escalation_per_year": 0.0, **energy},
    }
    return scenario_from_dict(data)


def sites(n=2, ttp=(0, 6), pue=1.2, wue=0.5, price=50.0, carbon=400.0) -> SiteArrays:
    table = pd.DataFrame(
        {
            "name": [f"S{i}" for i in range(n)],
            "country": "US",
            "region_code": "US-IL",
            "grid": "PJM",
            "lat": 40.7128,
            "lon": -74.0060,
            "capacity_mw": np.inf,
            "time_to_power_months": np.array(ttp, float)[:n],
            "ttp_is_estimate": False,
            "water_stress": 2.0,
            "climate_source": "test",
            "price_usd_per_mwh": price,
            "carbon_g_per_kwh": carbon,
            "construction_index": 1.0,
            "land_usd_per_m2": 59.0,
            "saidi_minutes": 120.0,
            "hazard": 0.1,
            "moratorium": False,
        },
        index=pd.Index([f"s{i}" for i in range(n)], name="site_id"),
    )
    return SiteArrays(
        table,
        np.full((n, 8760), pue),
        np.full((n, 8760), wue),
        np.array(["evaporative"] * n),
        np.zeros(n),
    )


FINANCE, _ = load_finance()

# Worked example (also in docs/evaluation.md). 1,024 GPUs x 1.275 kW = 1,305.6 kW design IT.
# Training at utilization 1 draws the busy fraction 0.79 (Latif et al. 2025; Newkirk et al. 2025).
DESIGN_KW = 1024 * 1.275
IT_KW = DESIGN_KW * FINANCE["workload"]["training_busy_fraction"]  # 1,031.424 kW
FACILITY_MWH = IT_KW * 1.2 * 8760 / 1000  # 10,842.33 MWh a year at PUE 1.2


def test_worked_example_energy_emissions_water_by_hand():
    ev = evaluate_arrays(scenario(), sites(), GPUS, CENTERS, FINANCE)
    m = ev.metrics.loc["s0"]
    assert FINANCE["workload"]["training_busy_fraction"] == 0.79
    assert m["design_it_mw"] == pytest.approx(1.3056)
    assert m["energy_mwh_per_year"] == pytest.approx(FACILITY_MWH)
    assert FACILITY_MWH == pytest.approx(10_842.33, abs=0.01)
    # 10,842.329 MWh x 50 USD/MWh = 542,116.45 USD in one undiscounted year.
    assert m["cost_energy_usd"] == pytest.approx(542_116.45, abs=0.1)
    # 10,842.33 MWh x 400 g/kWh = 4,336.93 t.
    assert m["co2_location_t_per_year"] == pytest.approx(4_336.93, abs=0.01)
    # IT energy 1,031.424 kW x 8,760 h = 9,035,274 kWh x 0.5 L/kWh = 4,517.6 m3;
    # stress 2 -> 9,035.3.
    assert m["water_m3_per_year"] == pytest.approx(4_517.64, abs=0.01)
    assert m["water_weighted_m3_per_year"] == pytest.approx(9_035.27, abs=0.01)
    assert m["pue_annual"] == pytest.approx(1.2)
    # GPUs: 1,024 x 25,000 USD over a 5-year life at 0 %: 5,120,000 USD a year.
    assert m["cost_gpus_usd"] == pytest.approx(5_120_000.0)
    assert m["cost_idle_usd"] == 0.0
    # Useful GPU-hours: 1,024 x 8,760 = 8,970,240.
    assert m["usd_per_gpu_hour"] == pytest.approx(m["tco_usd"] / 8_970_240)
    assert m["build_minus_rent_usd"] == pytest.approx(m["tco_usd"] - 2.5 * 8_970_240)


def test_demand_charges_by_hand():
    ev = evaluate_arrays(
        scenario(demand_charge_usd_per_kw_month=10.0), sites(), GPUS, CENTERS, FINANCE
    )
    # Peak facility load 1,031.424 x 1.2 = 1,237.709 kW x 10 USD x 12 months = 148,525.1 USD.
    assert ev.metrics.loc["s0", "cost_energy_usd"] == pytest.approx(542_116.45 + 148_525.1, abs=0.2)
    assert ev.metrics.loc["s0", "peak_facility_mw"] == pytest.approx(1.237709, abs=1e-6)


def test_ppa_carbon_free_share_by_hand():
    ev = evaluate_arrays(
        scenario(ppa_share=0.5, ppa_strike_usd_per_mwh=40.0), sites(), GPUS, CENTERS, FINANCE
    )
    m = ev.metrics.loc["s0"]
    assert m["co2_market_t_per_year"] == pytest.approx(4_336.93 / 2, abs=0.01)
    # No network levy in the table (0 assumed, with a warning): wholesale = retail = 50, so the
    # virtual PPA settles 0.5 x (40 - 50) = -5 USD per MWh on top of 50: 45 USD/MWh.
    assert m["price_usd_per_mwh"] == pytest.approx(45.0)
    assert any("network levy" in w for w in ev.warnings)


def levy_sites(levy=20.0, **kwargs) -> SiteArrays:
    arrays = sites(**kwargs)
    arrays.table["network_levy_usd_per_mwh"] = levy
    return arrays


def test_physical_ppa_pays_strike_plus_levy_by_hand():
    # Retail 50 USD/MWh of which 20 are network charges and levies; half the energy under a
    # physical PPA at 40. E = 10,842.329 MWh a year.
    # Retail half: 0.5 x 50 x E = 271,058.23 USD; PPA half: 0.5 x (40 + 20) x E = 325,269.87.
    # Total 55 x E = 596,328.10 USD, i.e. 55 USD/MWh (the strike alone would give 45).
    sc = scenario(ppa_share=0.5, ppa_strike_usd_per_mwh=40.0, ppa_type="physical")
    ev = evaluate_arrays(sc, levy_sites(), GPUS, CENTERS, FINANCE)
    m = ev.metrics.loc["s0"]
    assert m["cost_energy_usd"] == pytest.approx(596_328.10, abs=0.1)
    assert m["price_usd_per_mwh"] == pytest.approx(55.0)
    assert not any("network levy" in w for w in ev.warnings)


def test_virtual_ppa_settles_against_wholesale_by_hand():
    # All energy at retail: 50 x E = 542,116.45 USD; the contract for difference pays
    # (strike - wholesale) on half the energy, wholesale = 50 - 20 = 30:
    # 0.5 x (40 - 30) x E = 54,211.65 USD. Total 596,328.10: the same as physical, because the
    # volume follows the load and wholesale is retail minus the levy.
    sc = scenario(ppa_share=0.5, ppa_strike_usd_per_mwh=40.0, ppa_type="virtual")
    m = evaluate_arrays(sc, levy_sites(), GPUS, CENTERS, FINANCE).metrics.loc["s0"]
    assert m["cost_energy_usd"] == pytest.approx(542_116.45 + 54_211.65, abs=0.1)
    # A strike above wholesale costs money; one below it earns: strike 25 settles
    # 0.5 x (25 - 30) x E = -27,105.82 USD.
    sc.energy.ppa_strike_usd_per_mwh = 25.0
    m = evaluate_arrays(sc, levy_sites(), GPUS, CENTERS, FINANCE).metrics.loc["s0"]
    assert m["cost_energy_usd"] == pytest.approx(542_116.45 - 27_105.82, abs=0.1)


def test_ppa_strike_is_fixed_while_retail_escalates_by_hand():
    # Two years at 0 %, retail (levy included) escalating 10 % in year 2; strike 40, levy 20,
    # half under the PPA. Year 1: 55 x E. Year 2, physical: 0.5 x 55 (retail) + 0.5 x 22 (levy)
    # + 0.5 x 40 (strike) = 58.5 x E; virtual: 55 + 0.5 x (40 - (55 - 22)) = 58.5 x E.
    # Two years: 113.5 x 10,842.329 = 1,230,604.35 USD.
    for kind in ("physical", "virtual"):
        sc = scenario(
            ppa_share=0.5,
            ppa_strike_usd_per_mwh=40.0,
            ppa_type=kind,
            price_escalation_per_year=0.1,
        )
        sc.scenario.horizon_years = 2
        m = evaluate_arrays(sc, levy_sites(), GPUS, CENTERS, FINANCE).metrics.loc["s0"]
        assert m["cost_energy_usd"] == pytest.approx(1_230_604.35, abs=0.1), kind


def test_ppa_strike_defaults_to_the_regions():
    # No strike in the scenario: each region's typical strike (here 40 at s0, 60 at s1).
    arrays = levy_sites(levy=0.0)
    arrays.table["ppa_strike_usd_per_mwh"] = [40.0, 60.0]
    sc = scenario(ppa_share=0.5, ppa_type="physical")
    assert sc.energy.ppa_strike_usd_per_mwh is None
    m = evaluate_arrays(sc, arrays, GPUS, CENTERS, FINANCE).metrics
    # 0.5 x 50 + 0.5 x 40 = 45; 0.5 x 50 + 0.5 x 60 = 55 USD/MWh.
    assert m["price_usd_per_mwh"].tolist() == pytest.approx([45.0, 55.0])


def test_virtual_ppa_with_an_hourly_price_file_by_hand(tmp_path):
    # Hourly price 20 in even hours and 80 in odd ones (mean 50), flat load, levy 20, strike 40,
    # share 0.5. Retail: 50 x E. Settlement: 0.5 x sum over hours of E_h x (40 - (p_h - 20)):
    # 0.5 x E x (60 - 50) = 5 x E. Total 55 x E = 596,328.10 USD, as with a flat price.
    path = tmp_path / "price.csv"
    pd.DataFrame({"price": [20.0, 80.0] * 4380}).to_csv(path, index=False)
    sc = scenario(ppa_share=0.5, ppa_strike_usd_per_mwh=40.0, price_file=str(path))
    m = evaluate_arrays(sc, levy_sites(), GPUS, CENTERS, FINANCE).metrics.loc["s0"]
    assert m["cost_energy_usd"] == pytest.approx(596_328.10, abs=0.1)


def test_market_based_co2_uses_the_residual_mix_by_hand():
    # s0 publishes a residual mix of 500 g/kWh, s1 none (production mix 400 is used). Half the
    # energy from a carbon-free PPA. s0: 0.5 x 10,842.329 MWh x 500 = 2,710.58 t;
    # s1: 0.5 x 4,336.93 = 2,168.47 t. Location-based stays at 4,336.93 t for both.
    arrays = sites()
    arrays.table["residual_mix_g_per_kwh"] = [500.0, np.nan]
    sc = scenario(ppa_share=0.5, ppa_strike_usd_per_mwh=40.0)
    m = evaluate_arrays(sc, arrays, GPUS, CENTERS, FINANCE).metrics
    assert m["co2_market_t_per_year"].tolist() == pytest.approx([2_710.58, 2_168.47], abs=0.01)
    assert m["co2_location_t_per_year"].tolist() == pytest.approx([4_336.93] * 2, abs=0.01)
    assert m["market_factor_basis"].tolist() == [
        "residual mix",
        "production mix (no residual mix published)",
    ]
    # A PPA that is not carbon free covers nothing: s0 at 10,842.329 x 500 = 5,421.16 t.
    sc.energy.ppa_carbon_free = False
    m = evaluate_arrays(sc, arrays, GPUS, CENTERS, FINANCE).metrics
    assert m.loc["s0", "co2_market_t_per_year"] == pytest.approx(5_421.16, abs=0.01)
    # The carbon price is charged on market-based tonnes: 100 USD/t x 5,421.16 t.
    sc.objective.carbon_price_usd_per_t = 100.0
    m = evaluate_arrays(sc, arrays, GPUS, CENTERS, FINANCE).metrics
    assert m.loc["s0", "cost_carbon_usd"] == pytest.approx(542_116.45, abs=0.1)


def test_gpus_are_bought_when_power_is_ready_by_hand():
    # s1 gets power after 6 months. Default: GPUs bought then, so no idle charge; six months of
    # the 1,024 x 25,000 / 60 = 426,666.67 USD monthly charge in use: 2,560,000 USD.
    sc = scenario()
    assert sc.fleet.buy_gpus_when == "power_ready"
    m = evaluate_arrays(sc, sites(), GPUS, CENTERS, FINANCE).metrics.loc["s1"]
    assert m["cost_idle_usd"] == 0.0
    assert m["cost_gpus_usd"] == pytest.approx(2_560_000.0)
    # Energy only July-December: 184 of 365 days.
    assert m["cost_energy_usd"] == pytest.approx(542_116.45 * 184 / 365, abs=0.1)
    # The GPU-hours lost January-June (181 days x 24 = 4,344 h x 1,024 GPUs) at the model's
    # rent 2.5: 11,120,640 USD of bridge rent (reported; the allocation charges it).
    assert m["bridge_rent_usd"] == pytest.approx(11_120_640.0)
    # Bought at the phase start instead (the sensitivity case): six idle months as well.
    sc.fleet.buy_gpus_when = "phase_start"
    late = evaluate_arrays(sc, sites(), GPUS, CENTERS, FINANCE).metrics.loc["s1"]
    assert late["cost_idle_usd"] == pytest.approx(2_560_000.0)
    assert late["cost_gpus_usd"] == pytest.approx(2_560_000.0)
    assert late["tco_usd"] - m["tco_usd"] == pytest.approx(2_560_000.0)
    assert late["bridge_rent_usd"] == pytest.approx(11_120_640.0)


def two_models() -> tuple:
    gpus = pd.concat(
        [GPUS, GPUS.rename(index={"H100-SXM": "X"}).assign(cloud_usd_per_gpu_hour=4.0)]
    )
    sc = scenario()
    sc.fleet.phases[0].count = 512
    sc.fleet.phases.append(sc.fleet.phases[0].model_copy(update={"gpu": "X"}))
    return sc, gpus


def test_rent_follows_each_phases_gpu_model_by_hand():
    # 512 GPUs renting at 2.5 and 512 at 4.0 USD/GPU-hour, all year at utilization 1 at s0:
    # 512 x 8,760 x (2.5 + 4.0) = 29,153,280 USD of rent, 3.25 USD per GPU-hour on average.
    sc, gpus = two_models()
    assert sc.energy.cloud_gpu_hour_usd is None
    m = evaluate_arrays(sc, sites(), gpus, CENTERS, FINANCE).metrics
    assert m.loc["s0", "rent_usd_per_gpu_hour"] == pytest.approx(3.25)
    assert m.loc["s0", "build_minus_rent_usd"] == pytest.approx(
        m.loc["s0", "tco_usd"] - 29_153_280.0
    )
    # s1 waits 6 months: 512 x 4,344 h x (2.5 + 4.0) = 14,456,832 USD of bridge rent.
    assert m.loc["s1", "bridge_rent_usd"] == pytest.approx(14_456_832.0)
    # A rent in the scenario overrides every model: 1,024 x 8,760 x 3.0.
    sc.energy.cloud_gpu_hour_usd = 3.0
    m = evaluate_arrays(sc, sites(), gpus, CENTERS, FINANCE).metrics
    assert m.loc["s0", "rent_usd_per_gpu_hour"] == pytest.approx(3.0)
    assert m.loc["s0", "build_minus_rent_usd"] == pytest.approx(
        m.loc["s0", "tco_usd"] - 3.0 * 1024 * 8760
    )


def test_missing_rent_or_capital_is_named():
    from planner.errors import InputError

    with pytest.raises(InputError, match="cloud_usd_per_gpu_hour.*H100-SXM"):
        evaluate_arrays(
            scenario(),
            sites(),
            GPUS.drop(columns="cloud_usd_per_gpu_hour"),
            CENTERS,
            FINANCE,
        )
    with pytest.raises(InputError, match="capital_usd_per_gpu"):
        evaluate_arrays(
            scenario(), sites(), GPUS.drop(columns="capital_usd_per_gpu"), CENTERS, FINANCE
        )


def test_capital_nominal_and_capital_charges_by_hand():
    # Nominal capital at full build-out, undiscounted, for the worked example (1.3056 MW):
    # facility: (4.0 + 5.6 + 2.1) M USD/MW on the scale curve 40 MW x (1.3056 / 40)^0.9
    # = 1.83838 MW-equivalents: 21,509,038 USD; land 59 USD/m2 x m2_per_mw x 1.3056 MW;
    # grid 10 M + 0.1 M x 1.2 x 1.3056 = 10,156,672; GPUs 1,024 x 25,000 = 25,600,000.
    m = evaluate_arrays(scenario(), sites(), GPUS, CENTERS, FINANCE).metrics.loc["s0"]
    land = 59.0 * FINANCE["land"]["m2_per_mw"] * 1.3056
    assert m["capital_nominal_usd"] == pytest.approx(
        21_509_038.07 + land + 10_156_672.0 + 25_600_000.0, abs=1.0
    )
    # The present value of capital charges plus energy, O&M and carbon is the TCO.
    assert m["capital_charges_pv_usd"] + m["cost_energy_usd"] + m["cost_opex_usd"] + m[
        "cost_carbon_usd"
    ] == pytest.approx(m["tco_usd"], rel=1e-12)
    # Inside a one-year horizon only a year of the charges falls: far below the nominal figure.
    assert m["capital_charges_pv_usd"] < 0.25 * m["capital_nominal_usd"]


def test_block_costs_add_up_to_the_whole_fleet():
    sc = scenario(demand_charge_usd_per_kw_month=8.0)
    ev = evaluate_arrays(sc, sites(), GPUS, CENTERS, FINANCE)
    blocks = 1024 / 256
    total = ev.site_fixed_cost_usd + ev.phase_block_cost_usd["phase_0"] * blocks
    assert np.allclose(total, ev.metrics["tco_usd"], rtol=1e-12)
    assert (ev.site_fixed_cost_usd > 0).all()  # economies of scale and the grid connection
    # Block facility MW: 256 x 1.275 kW x peak PUE 1.2 = 0.39168 MW.
    assert ev.block_site_mw.loc["s0", "phase_0"] == pytest.approx(0.39168)
    assert ev.phase_block_co2_t.loc["s0", "phase_0"] == pytest.approx(4_336.93 / 4, abs=0.01)


def test_fixed_cost_runs_from_the_first_phase_a_site_serves():
    # Two phases of 512 GPUs, at months 0 and 6; one year at a 0 % discount rate, so every fixed
    # part (capex charge, grid, staff) is a constant monthly amount from the first running month.
    # s0 (power at once) first used by the late phase pays 6 of the 12 months: half. s1 (power
    # in month 6) runs both phases from month 6: the same either way.
    sc = scenario()
    sc.fleet.phases[0].count = 512
    sc.fleet.phases.append(sc.fleet.phases[0].model_copy(update={"start_month": 6}))
    ev = evaluate_arrays(sc, sites(), GPUS, CENTERS, FINANCE)
    f = ev.site_fixed_cost_by_first_phase_usd
    assert list(f.columns) == ["phase_0", "phase_1"]
    assert f.loc["s0", "phase_1"] == pytest.approx(f.loc["s0", "phase_0"] * 6 / 12)
    assert f.loc["s1", "phase_1"] == pytest.approx(f.loc["s1", "phase_0"])
    # The earliest phase's value is the published whole-fleet fixed cost.
    assert np.allclose(f["phase_0"], ev.site_fixed_cost_usd, rtol=1e-12)
    # Staff alone is 2 M USD a year (data/finance.toml), so s1 (6 months) pays at least 1 M.
    assert ev.site_fixed_cost_usd["s1"] > 1e6
    # Training at utilization 1: every hour useful; January 31 x 24 = 744 h, the year 8,760 h.
    useful = ev.useful_gpu_hours_per_gpu_month
    assert useful.shape == (12,)
    assert useful[0] == pytest.approx(744.0)
    assert useful.sum() == pytest.approx(8760.0)


def test_latency_is_population_weighted_without_demand():
    ev = evaluate_arrays(scenario(), sites(), GPUS, CENTERS, FINANCE)
    # The site is in New York: no distance there, only the fixed switching delay of every
    # round trip; weights Chicago 1, New York 3.
    rtt = ev.rtt_ms.loc["s0"]
    assert rtt["New York"] == pytest.approx(FINANCE["latency"]["fixed_rtt_ms"], abs=1e-6)
    assert ev.metrics.loc["s0", "latency_ms"] == pytest.approx(
        (rtt["Chicago"] + 3 * rtt["New York"]) / 4
    )


def test_time_of_use_keeps_the_average_price_for_flat_load():
    ev = evaluate_arrays(scenario(tariff="time-of-use"), sites(), GPUS, CENTERS, FINANCE)
    assert ev.metrics.loc["s0", "cost_energy_usd"] == pytest.approx(542_116.45, abs=0.1)


def test_hourly_price_file(tmp_path):
    path = tmp_path / "price.csv"
    pd.DataFrame({"hour": range(8760), "price": [80.0] * 8760}).to_csv(path, index=False)
    ev = evaluate_arrays(scenario(price_file=str(path)), sites(), GPUS, CENTERS, FINANCE)
    assert ev.metrics.loc["s0", "cost_energy_usd"] == pytest.approx(542_116.45 * 80 / 50, abs=0.2)


def test_bad_hourly_price_file_names_row_and_column(tmp_path):
    from planner.errors import InputError

    path = tmp_path / "price.csv"
    values = ["50"] * 8760
    values[41] = "abc"
    path.write_text("price\n" + "\n".join(values) + "\n")
    with pytest.raises(InputError, match=r"row 42, field 'price'"):
        evaluate_arrays(scenario(price_file=str(path)), sites(), GPUS, CENTERS, FINANCE)
    path.write_text("price\n1\n2\n")
    with pytest.raises(InputError, match="8760"):
        evaluate_arrays(scenario(price_file=str(path)), sites(), GPUS, CENTERS, FINANCE)


def test_phase_that_never_gets_power_cannot_take_blocks():
    ev = evaluate_arrays(scenario(), sites(ttp=(0, 12)), GPUS, CENTERS, FINANCE)
    assert np.isinf(ev.phase_block_cost_usd.loc["s1", "phase_0"])
    assert np.isinf(ev.metrics.loc["s1", "usd_per_gpu_hour"])


def test_economies_of_scale_lower_the_cost_per_mw_of_a_bigger_fleet():
    fin = copy.deepcopy(FINANCE)
    small = evaluate_arrays(scenario(), sites(), GPUS, CENTERS, fin).metrics.loc[
        "s0", "cost_shell_usd"
    ]
    big_sc = scenario()
    big_sc.fleet.phases[0].count = 8192
    big = evaluate_arrays(big_sc, sites(), GPUS, CENTERS, fin).metrics.loc["s0", "cost_shell_usd"]
    assert big / 8 < small


@settings(max_examples=25, deadline=None)
@given(price=st.floats(1.0, 300.0), extra=st.floats(1.0, 100.0), demand=st.floats(0.0, 20.0))
def test_cost_rises_with_price(price, extra, demand):
    sc = scenario(demand_charge_usd_per_kw_month=demand)
    low = evaluate_arrays(sc, sites(price=price), GPUS, CENTERS, FINANCE).metrics["tco_usd"]
    high = evaluate_arrays(sc, sites(price=price + extra), GPUS, CENTERS, FINANCE).metrics[
        "tco_usd"
    ]
    assert (high > low).all()


@settings(max_examples=25, deadline=None)
@given(intensity=st.floats(0.0, 1000.0), k=st.floats(0.0, 5.0))
def test_carbon_scales_with_intensity(intensity, k):
    base = evaluate_arrays(scenario(), sites(carbon=intensity), GPUS, CENTERS, FINANCE).metrics
    scaled = evaluate_arrays(
        scenario(), sites(carbon=k * intensity), GPUS, CENTERS, FINANCE
    ).metrics
    assert np.allclose(
        scaled["co2_market_t_per_year"], k * base["co2_market_t_per_year"], rtol=1e-9, atol=1e-9
    )


def test_hourly_arrays_per_case_give_the_same_result_as_per_site():
    per_site = sites(n=2, ttp=(0, 6))
    rng = np.random.default_rng(1)
    hourly = 1.05 + 0.2 * rng.random((1, 8760))
    per_site.hourly_pue = np.repeat(hourly, 2, axis=0)
    shared = sites(n=2, ttp=(0, 6))
    shared.hourly_pue, shared.hourly_wue_l_per_kwh = hourly, np.full((1, 8760), 0.5)
    shared.case_of_site = np.array([0, 0])
    sc = scenario(tariff="time-of-use", demand_charge_usd_per_kw_month=5.0)
    a = evaluate_arrays(sc, per_site, GPUS, CENTERS, FINANCE)
    b = evaluate_arrays(sc, shared, GPUS, CENTERS, FINANCE)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    # The shared case is kept once; each site reads its row through hourly_row.
    assert b.hourly_pue.shape == (1, 8760) and a.hourly_pue.shape == (2, 8760)
    np.testing.assert_array_equal(b.hourly_pue[b.hourly_row("s1")], a.hourly_pue[a.hourly_row(1)])


@settings(max_examples=15, deadline=None)
@given(
    temp_c=st.floats(-30.0, 45.0),
    rh=st.floats(5.0, 100.0),
    technology=st.sampled_from(
        ["air-economizer", "water-economizer", "air-chiller", "evaporative", "liquid-dtc"]
    ),
)
def test_pue_is_at_least_one_through_the_cooling_model(temp_c, rh, technology):
    # Facility power includes the IT load, so PUE >= 1 in every hour, month and year.
    from planner.climate import dew_point_from_rh_c, wet_bulb_c
    from planner.cooling import load_cooling_parameters, simulate_cooling

    params, _ = load_cooling_parameters("hyperscale")
    temp = np.full((1, 8760), temp_c)
    wet = wet_bulb_c(temp, dew_point_from_rh_c(temp, rh), 101_325.0)
    result = simulate_cooling(technology, temp, wet, params, 0.79)
    arrays = sites(n=1, ttp=(0,))
    arrays.hourly_pue, arrays.hourly_wue_l_per_kwh = result.pue, result.wue_l_per_kwh
    ev = evaluate_arrays(scenario(), arrays, GPUS, CENTERS, FINANCE)
    assert (ev.hourly_pue >= 1.0).all()
    assert (ev.monthly["pue"] >= 1.0 - 1e-9).all()
    assert ev.metrics["pue_annual"].iloc[0] >= 1.0 - 1e-9
    assert ev.metrics["energy_mwh_per_year"].iloc[0] >= IT_KW * 8760 / 1000 * (1 - 1e-9)


def test_hourly_it_power_adds_up_to_the_monthly_it_energy():
    # The hourly series and the monthly table are two views of one load: summing the hours
    # of each month (31, 28, 31, ... days of a 365-day typical year) must give the month.
    from planner.evaluate import evaluate_sites
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    ev = evaluate_sites(load_scenario(example_scenario("retail-seasonal")))
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    month_of_hour = np.repeat(np.arange(12), [24 * d for d in days])
    hourly_mwh = np.bincount(month_of_hour, weights=ev.hourly_it_kw) / 1000.0
    first = ev.monthly[ev.monthly["site_id"] == ev.site_ids[0]]
    np.testing.assert_allclose(hourly_mwh, first["it_energy_mwh"].to_numpy(), rtol=1e-9)
    # The seasonal fleet is busier in November (load factor 1.0) than in February (0.5); power
    # is idle + (busy - idle) x activity, so it rises by less than the factor's 2x.
    assert 1.0 < (hourly_mwh[10] / 30) / (hourly_mwh[1] / 28) < 2.0


def test_regions_file_of_the_scenario_reaches_the_evaluation(tmp_path):
    # A user's regions file (sites.regions_file) used to be validated and then ignored: the
    # evaluation read the embedded regions. Sweden's SE1 zone at a round price of 10 USD/MWh
    # must be the price Lulea's evaluation uses (no PPA, no escalation: the region's price).
    from planner.evaluate import evaluate_sites

    (tmp_path / "regions.csv").write_text(
        "region_code,price_usd_per_mwh\nSE-SE1,10.0\n", encoding="utf-8"
    )
    data = {
        "scenario": {"name": "own regions"},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
        "energy": {"price_escalation_per_year": 0.0},
        "sites": {"include_countries": ["SE"]},
    }
    before = evaluate_sites(scenario_from_dict(data)).metrics
    data["sites"]["regions_file"] = str(tmp_path / "regions.csv")
    after = evaluate_sites(scenario_from_dict(data)).metrics
    in_se1 = after["region_code"] == "SE-SE1"
    assert in_se1.any()
    assert after.loc[in_se1, "price_usd_per_mwh"].tolist() == pytest.approx([10.0] * in_se1.sum())
    assert (before.loc[in_se1, "price_usd_per_mwh"] > 15.0).all()


def test_a_block_larger_than_its_phase_counts_only_the_phases_gpus_against_capacity():
    # One 1,024-GPU phase in blocks of 10 million: the phase is one partial block of 1,024 GPUs,
    # so the capacity check must see 1,024 GPUs of load (as with blocks of exactly 1,024), not
    # ten million (which screened out every site as "capacity below one block").
    from planner.evaluate import evaluate_sites

    def block_mw(block_gpus):
        data = {
            "scenario": {"name": "big blocks"},
            "fleet": {"block_gpus": block_gpus, "phases": [{"gpu": "H100-SXM", "count": 1024}]},
            "sites": {"include_countries": ["SE"]},
        }
        return evaluate_sites(scenario_from_dict(data)).block_site_mw.to_numpy(float)

    assert block_mw(10_000_000) == pytest.approx(block_mw(1024))
    assert block_mw(512) == pytest.approx(block_mw(1024) / 2)


@pytest.mark.parametrize(
    "phase, rack, technology, reason",
    [
        # GB200 NVL72 ships liquid-cooled only (GPU catalog), whatever the rack.
        ({"gpu": "GB200", "count": 1024}, 8, "air-economizer", "liquid-cooled only"),
        # 72 H100 at 1,275 W per GPU (DGX H100: 10.2 kW / 8) = 92 kW racks, above the 50 kW limit.
        ({"gpu": "H100-SXM", "count": 1024}, 72, "air-chiller", "exceed what air removes"),
    ],
)
def test_a_fixed_air_technology_that_cannot_cool_the_fleet_is_refused(
    phase, rack, technology, reason
):
    from planner.errors import InputError
    from planner.evaluate import evaluate_sites

    data = {
        "scenario": {"name": "fixed cooling"},
        "fleet": {"gpus_per_rack": rack, "phases": [phase]},
        "cooling": {"technology": technology},
        "sites": {"include_countries": ["SE"]},
    }
    with pytest.raises(InputError, match=reason) as err:
        evaluate_sites(scenario_from_dict(data))
    assert err.value.field == "cooling.technology"
    data["cooling"]["technology"] = "liquid-dtc"  # the same fleet on cold plates is fine
    assert len(evaluate_sites(scenario_from_dict(data)).metrics) > 0


def test_a_price_below_the_network_levy_is_warned_about_with_a_ppa(tmp_path):
    # Wholesale = retail - levy: a user region priced at 5 USD/MWh with Sweden's levy (about 23)
    # would make the PPA's wholesale price negative; the evaluation says so.
    from planner.evaluate import evaluate_sites

    (tmp_path / "regions.csv").write_text(
        "region_code,price_usd_per_mwh\nSE-SE1,5.0\n", encoding="utf-8"
    )
    data = {
        "scenario": {"name": "cheap"},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
        "energy": {"ppa_share": 0.5},
        "sites": {"include_countries": ["SE"], "regions_file": str(tmp_path / "regions.csv")},
    }
    warnings = evaluate_sites(scenario_from_dict(data)).warnings
    assert any("below their region's network levy" in w and "SE-SE1" in w for w in warnings)
    data["energy"]["ppa_share"] = 0.0  # no PPA: the levy split does not matter
    warnings = evaluate_sites(scenario_from_dict(data)).warnings
    assert not any("network levy" in w for w in warnings)


@pytest.mark.parametrize("technology", ["water-economizer", "auto"])
def test_a_high_site_is_cooled_at_its_station_pressure(technology):
    # Queretaro (default site, 1,820 m): the evaluation builds its synthetic year from the
    # site's normals (seed 0), takes the standard-atmosphere pressure of its elevation,
    # 101325 (1 - 2.25577e-5 x 1820)^5.2559 = 81,288 Pa (ASHRAE Fundamentals ch. 1 eq. 3), for
    # both the wet-bulb and the cooling model, and runs the technology (fixed, or the one auto
    # chose) at the fleet's load (training at utilization 1: the busy fraction 0.79). The same
    # chain by hand must give the same hourly PUE and WUE; at sea-level pressure the annual
    # PUE would be lower (smaller fans, a cooler wet-bulb for the towers).
    from planner.catalog import default_catalog
    from planner.climate import pressure_from_elevation_pa, wet_bulb_c
    from planner.climate.synth import synthesize_years
    from planner.cooling import load_cooling_parameters, simulate_cooling
    from planner.evaluate import evaluate_sites

    data = {
        "scenario": {"name": "altitude"},
        "fleet": {
            "utilization": 1.0,
            "network_overhead_fraction": 0.0,
            "phases": [{"gpu": "H100-SXM", "count": 1024}],
        },
        "cooling": {"technology": technology},
        "sites": {"include_countries": ["MX"]},
    }
    ev = evaluate_sites(scenario_from_dict(data))
    assert list(ev.site_ids) == ["queretaro-mx"]
    used = ev.metrics.loc["queretaro-mx", "cooling_technology"]
    assert technology in ("auto", used)
    catalog = default_catalog()
    site = catalog.sites.loc["queretaro-mx"]
    assert site["elevation_m"] == 1820.0
    pressure = float(pressure_from_elevation_pa(1820.0))
    assert pressure == pytest.approx(81_288, abs=1)
    normals = catalog.climate_normals_for(["queretaro-mx"])
    temp, dew = synthesize_years(normals, seed=0, lat=[site.lat])
    params, _ = load_cooling_parameters("hyperscale")
    load = FINANCE["workload"]["training_busy_fraction"]
    wet = wet_bulb_c(temp, dew, pressure)
    here = simulate_cooling(used, temp, wet, params, load, pressure_pa=pressure)
    row = ev.hourly_row("queretaro-mx")
    np.testing.assert_allclose(ev.hourly_pue[row], here.pue[0], rtol=1e-6)
    np.testing.assert_allclose(ev.hourly_wue_l_per_kwh[row], here.wue_l_per_kwh[0], rtol=1e-5)
    assert ev.metrics.loc["queretaro-mx", "pue_annual"] == pytest.approx(here.pue_annual()[0])
    wet_sea = wet_bulb_c(temp, dew, 101_325.0)
    sea = simulate_cooling(used, temp, wet_sea, params, load, pressure_pa=None)
    assert here.pue_annual()[0] - sea.pue_annual()[0] > 0.01  # 0.015 and 0.017 when written


def test_default_regions_residual_mix_reaches_market_based_co2():
    # Default catalog, half the energy from a carbon-free PPA. Germany publishes a residual mix
    # (AIB European Residual Mixes 2023: 719.90 g/kWh), so market-based CO2 per MWh is
    # 0.5 x 0.71990 = 0.35995 t, while location-based is the direct production mix
    # (135.35 x 998 + 76.0 x 408 + 20.13 x 771) / 504.79 = 359.8 g/kWh. Singapore has none
    # (data/README.md): market-based falls back to its production mix, halved.
    from planner.catalog import default_catalog
    from planner.evaluate import evaluate_sites

    data = {
        "scenario": {"name": "market"},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
        "energy": {"ppa_share": 0.5},
        "sites": {"include_countries": ["DE", "SG"]},
    }
    m = evaluate_sites(scenario_from_dict(data)).metrics
    per_mwh = m["co2_market_t_per_year"] / m["energy_mwh_per_year"]
    location = m["co2_location_t_per_year"] / m["energy_mwh_per_year"]
    de = m["region_code"] == "DE"
    assert de.sum() >= 1 and (m["region_code"] == "SG").sum() == 1
    assert per_mwh[de].tolist() == pytest.approx([0.5 * 0.71990] * de.sum(), rel=1e-9)
    assert location[de].tolist() == pytest.approx([0.3598] * de.sum(), abs=1e-4)
    assert (m.loc[de, "market_factor_basis"] == "residual mix").all()
    sg_mix = default_catalog().regions.at["SG", "carbon_g_per_kwh"] / 1000.0
    assert per_mwh["singapore-sg"] == pytest.approx(0.5 * sg_mix, rel=1e-9)
    assert location["singapore-sg"] == pytest.approx(sg_mix, rel=1e-9)
    assert m.at["singapore-sg", "market_factor_basis"] == (
        "production mix (no residual mix published)"
    )


def test_auto_cooling_keeps_to_the_scenarios_water_stress_ceiling():
    # cooling.allow_water_cooling_above_stress (default 3.5): auto rules out water-intensive
    # cooling where the region's Aqueduct score is above it. Mesa, Arizona (4.5) gets a dry
    # technology; the Texas sites (3.5, exactly at the ceiling) may still evaporate. Raising the
    # ceiling to 5 lets Mesa evaporate too (evaporative is the cheapest there when allowed).
    from planner.evaluate import evaluate_sites

    def choices(**cooling):
        data = {
            "scenario": {"name": "stress"},
            "fleet": {"phases": [{"gpu": "H100-SXM", "count": 1024}]},
            "cooling": {"technology": "auto", **cooling},
            "sites": {"include_regions": ["US-AZ", "US-TX"]},
        }
        m = evaluate_sites(scenario_from_dict(data)).metrics
        return m["water_stress"].to_dict(), m["cooling_technology"].to_dict()

    stress, chosen = choices()
    assert stress["mesa-az"] == 4.5 and stress["garland-tx"] == 3.5
    assert chosen["mesa-az"] not in ("evaporative", "water-economizer")
    assert chosen["garland-tx"] == "evaporative"
    _, relaxed = choices(allow_water_cooling_above_stress=5.0)
    assert relaxed["mesa-az"] == "evaporative"
