"""Humidity envelope, station pressure and auto choices of the cooling model, by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from planner.climate import pressure_from_elevation_pa, read_weather, wet_bulb_c
from planner.cooling import load_cooling_parameters, select_cooling, simulate_cooling

HYPER, _ = load_cooling_parameters("hyperscale")
LEGACY, _ = load_cooling_parameters("legacy-enterprise")
DATA = Path(__file__).parent / "data"
SEA_PA = 101325.0


def hours(temp_air_c: float, temp_dew_c: float, pressure_pa: float = SEA_PA):
    ta = np.full((1, 8760), temp_air_c)
    return ta, wet_bulb_c(ta, np.full_like(ta, temp_dew_c), pressure_pa)


@pytest.mark.parametrize(("dew_c", "free"), [(16.9, True), (17.1, False)])
def test_outside_air_dew_point_limit(dew_c, free):
    # Hyperscale envelope: ASHRAE A1 allowable upper dew point 17 C. Outside air at 20 C is
    # below the 27 C supply: inside the envelope it cools the hall alone (economizer 1);
    # 0.1 K above the limit the hall recirculates and the chiller takes it all (0).
    ta, tw = hours(20.0, dew_c)
    r = simulate_cooling("air-economizer", ta, tw, HYPER)
    assert_allclose(r.economizer_fraction[0, 0], 1.0 if free else 0.0)


@pytest.mark.parametrize(("dew_c", "free"), [(14.2, True), (14.6, False)])
def test_outside_air_relative_humidity_limit(dew_c, free):
    # Legacy envelope: recommended 15 C dew point and 70 % RH (5th ed.) at the 20 C supply.
    # 70 % of p_ws(20 C) = 0.70 * 2339 Pa = 1637 Pa, the vapour pressure of a 14.4 C dew
    # point: the RH limit binds before the 15 C dew point. Outside air at 15 C is below the
    # supply, so the economizer fraction is 1 just inside and 0 just outside.
    ta, tw = hours(15.0, dew_c)
    r = simulate_cooling("air-economizer", ta, tw, LEGACY)
    assert_allclose(r.economizer_fraction[0, 0], 1.0 if free else 0.0)


def test_outside_air_exactly_at_the_limit_is_admitted():
    # The envelope is "at most" its humidity ratio (ASHRAE gives the limits inclusive): air at
    # the limit enters, air above it does not.
    from planner.cooling.model import outside_air_allowed

    limit = np.float32(0.012127)
    w = np.array([0.0121, limit, np.nextafter(limit, np.float32(1.0))], dtype=np.float32)
    assert outside_air_allowed(w, limit).tolist() == [True, True, False]


def test_cold_dry_outside_air_is_humidified_to_the_lower_dew_point_by_hand():
    # Legacy preset (minimum dew point -9 C, steam humidifiers 0.75 kWh/kg, no pads, air-cooled
    # backup), full load, 0 C outside. Hall heat 1.12 + fans 0.120609 = 1.240609 kW/kW; air
    # 1.240609 / (1.006 x 10) x 1.3 = 0.160318 kg/s per kW; the outside share of the supply
    # (30 - 20) / (30 - 0) = 1/3. At a -20 C dew point w = 0.00063447 kg/kg, at -9 C
    # w = 0.0017477 (ASHRAE eq. 20, 22): 0.160318 / 3 x 0.0011133 x 3600 = 0.21417 kg/h per
    # kW of IT, drawing 0.75 x 0.21417 = 0.16063 kW more than air already at a -5 C dew point.
    dry = simulate_cooling("air-economizer", *hours(0.0, -20.0), LEGACY)
    moist = simulate_cooling("air-economizer", *hours(0.0, -5.0), LEGACY)
    assert_allclose([dry.economizer_fraction[0, 0], moist.economizer_fraction[0, 0]], 1.0)
    assert_allclose(dry.wue_l_per_kwh[0, 0], 0.21417, rtol=1e-3)
    assert_allclose(moist.wue_l_per_kwh[0, 0], 0.0, atol=1e-7)
    assert_allclose(dry.pue[0, 0] - moist.pue[0, 0], 0.16063, rtol=1e-3)


def test_adiabatic_pads_wet_the_outside_air_only_as_far_as_needed_by_hand():
    # Hyperscale air economizer, 35 C with a 5 C dew point (wet-bulb 17.59 C): the pads cool by
    # min(35 - 27 = 8 K wanted, 0.85 x (35 - 17.59) = 14.8 K possible, (0.012127 - 0.005400)
    # x 2501 / 1.006 = 16.7 K before the 17 C dew point) = 8 K, so the air reaches the 27 C
    # supply (economizer 1). Water: air 1.06834 / (1.006 x 13) x 1.05 = 0.085775 kg/s per kW
    # x 8 K x 1.006 / 2501 x 3600 = 0.99365 L/h; power IT + losses + fans, 1.06834.
    dry = simulate_cooling("air-economizer", *hours(35.0, 5.0), HYPER)
    assert_allclose(dry.economizer_fraction[0, 0], 1.0)
    assert_allclose(dry.wue_l_per_kwh[0, 0], 0.99365, rtol=1e-4)
    assert_allclose(dry.pue[0, 0], 1.06834, rtol=1e-5)
    # With a 15 C dew point at 38 C the moistened air may only rise to the 17 C dew point:
    # (0.012127 - 0.010647) x 2501 / 1.006 = 3.679 K of cooling (11 K wanted, 13.2 K possible),
    # so the air enters at 34.32 C and the economizer covers (40 - 34.32) / 13 = 0.43685.
    warm = simulate_cooling("air-economizer", *hours(38.0, 15.0), HYPER)
    assert_allclose(warm.economizer_fraction[0, 0], 0.43685, rtol=2e-4)
    # With a 24 C dew point the air is outside the envelope: no outside air, no pads, the
    # water-cooled backup takes the heat. Wet-bulb 26.78 C, tower water 30.68 C, chiller COP
    # 10.2 - 2.2 x 1.277 / 5.6 = 9.698: rejected 1.06834 + 0.110157 = 1.178497 kW at the
    # 1.5 L/kWh evaporation cap (dry air for its wet-bulb) x 6 / 5 cycles = 2.1213 L/h.
    humid = simulate_cooling("air-economizer", *hours(35.0, 24.0), HYPER)
    assert_allclose(humid.economizer_fraction[0, 0], 0.0)
    assert_allclose(humid.wue_l_per_kwh[0, 0], 2.1213, rtol=2e-4)


P_1600_M = 83_523.46  # standard atmosphere at 1,600 m (see the fan test below)


@pytest.mark.parametrize(("dew_c", "free"), [(16.9, True), (17.1, False)])
def test_dew_point_limit_holds_at_station_pressure(dew_c, free):
    # The envelope is a dew point, whatever the pressure: at 1,600 m the 17 C limit is a
    # humidity ratio of 0.621945 x 1,938 / (83,523 - 1,938) = 0.01477 kg/kg, and a 16.9 C dew
    # point there is 0.01467 (inside). Taking either side at sea level instead would move the
    # limit by a fifth: 0.01213 kg/kg for the 17 C limit (16.9 C air outside), or 0.01221 for
    # the outside air (17.1 C air inside).
    ta, tw = hours(20.0, dew_c, P_1600_M)
    r = simulate_cooling("air-economizer", ta, tw, HYPER, pressure_pa=P_1600_M)
    assert_allclose(r.economizer_fraction[0, 0], 1.0 if free else 0.0)


def test_tower_evaporation_at_station_pressure_by_hand():
    # Hot humid hour, 30 C at 26 C wet-bulb, hyperscale waterside economizer: no free cooling
    # (tower water 29.9 C) and no dry rejection (the coils would leave 30 + 8.8 = 38.8 C, above
    # the 35.5 C return). Merkel with a saturated exit (ASHRAE eq. 33 for the inlet):
    #   sea level: w_in 0.019643, h 80.40 -> 108.53 kJ/kg, exit 31.62 C, w 0.029971:
    #              3600 x 0.010328 / 28.13 = 1.3217 L/kWh;
    #   1,600 m:   w_in 0.024371, h 92.49 -> 120.62 kJ/kg, exit 30.83 C, w 0.035025:
    #              3600 x 0.010654 / 28.13 = 1.3635 L/kWh (thinner air holds more vapour per kg).
    # Heat rejected per kW of IT: sea level 1.06834 + 1.06834 / 10.0036 (chiller) = 1.175137;
    # at 1,600 m the fans draw 1.47169 x as much: 1.029 (1 + 0.038231 x 1.47169) = 1.086897
    # plus the chiller 0.108651 = 1.195549. Make-up water is evaporation x C / (C - 1) with
    # 6 cycles: WUE = 1.175137 x 1.3217 x 1.2 = 1.8638 and 1.195549 x 1.3635 x 1.2 = 1.9561.
    from planner.cooling.components import tower_evaporation_l_per_kwh

    assert_allclose(
        tower_evaporation_l_per_kwh(30.0, 26.0, P_1600_M, 1.2, 5.6, 1.5), 1.3635, rtol=2e-4
    )
    ta, tw = np.full((1, 8760), 30.0), np.full((1, 8760), 26.0)
    sea = simulate_cooling("water-economizer", ta, tw, HYPER, pressure_pa=SEA_PA)
    alt = simulate_cooling("water-economizer", ta, tw, HYPER, pressure_pa=P_1600_M)
    assert_allclose([sea.economizer_fraction[0, 0], alt.economizer_fraction[0, 0]], 0.0)
    assert_allclose(sea.wue_l_per_kwh[0, 0], 1.8638, rtol=2e-4)
    assert_allclose(alt.wue_l_per_kwh[0, 0], 1.9561, rtol=2e-4)


def test_station_pressure_raises_fan_power_by_hand():
    # Cold dry hour (5 C, dew point -10 C) with the hyperscale waterside economizer: all
    # free cooling and all heat through the dry coils (5 + 8 = 13 C <= 15.8 C needed).
    # PUE = 1.029 + fans * (1 + 0.014138 pumps + 0.015 dry coils) + 1.029 * 0.029138 with
    # sea-level fans 0.03934 kW/kW (see test_cooling.py). At 1,600 m the standard atmosphere
    # gives p = 101325 (1 - 2.25577e-5 * 1600)^5.2559 = 83,523 Pa; the fan laws at constant
    # mass flow scale fan power by (101325 / 83523)^2 = 1.47169, so
    # dPUE = 0.03934 * 1.029138 * 0.47169 = 0.019097 (higher at altitude).
    p_alt = float(pressure_from_elevation_pa(1600.0))
    assert_allclose(p_alt, P_1600_M, rtol=1e-7)
    sea = simulate_cooling("water-economizer", *hours(5.0, -10.0), HYPER, pressure_pa=SEA_PA)
    alt = simulate_cooling("water-economizer", *hours(5.0, -10.0, p_alt), HYPER, pressure_pa=p_alt)
    assert_allclose(alt.pue[0, 0] - sea.pue[0, 0], 0.019097, rtol=2e-3)
    # Air-cooled chiller: same fan penalty direction.
    sea_c = simulate_cooling("air-chiller", *hours(25.0, 10.0), HYPER, pressure_pa=SEA_PA)
    alt_c = simulate_cooling("air-chiller", *hours(25.0, 10.0, p_alt), HYPER, pressure_pa=p_alt)
    assert alt_c.pue[0, 0] > sea_c.pue[0, 0]


def test_water_economizer_wue_rises_with_wet_bulb():
    # Along a humid climate path (dry-bulb and wet-bulb rising together, 3-4 K apart): a
    # higher wet-bulb means less dry rejection, warmer tower water, chiller heat on top and a
    # warmer leaving air holding more vapour, so more water per kWh of IT. (At a fixed
    # dry-bulb, drier air evaporates more per kWh: 30 C at 18 C wet-bulb reaches the 1.5 L/kWh
    # cap, 30 C at 26 C gives about 1.34 L/kWh rejected; Merkel's balance, see
    # test_cooling.py.)
    ta = np.array([[10.0], [20.0], [30.0]]) + np.zeros((3, 8760))
    tw = np.array([[7.0], [16.0], [26.0]]) + np.zeros((3, 8760))
    wue = simulate_cooling("water-economizer", ta, tw, HYPER).wue_annual()
    assert np.all(np.diff(wue) > 0), wue
    # 30 C / 26 C is the hot hour of test_tower_evaporation_at_station_pressure_by_hand:
    # 1.175137 kW rejected x 1.3217 L/kWh x 1.2 = 1.8638 L/kWh of IT.
    assert wue[0] < 0.6
    assert_allclose(wue[-1], 1.8638, rtol=2e-4)


def test_water_economizer_wue_rises_with_load():
    # 13 C dry-bulb, 8 C wet-bulb, all free cooling (tower water held at 15.8 C). The dry coils
    # leave 13 + 8 K x (heat / design) C; the plant needs 15.8 C water returning at 21.4 C, so
    # the dry share is (21.4 - 13 - 8 r) / 5.6. More load, more heat through the wet tower,
    # more water per kWh of IT. Tower evaporation at 13 C / 8 C (Merkel, saturated exit):
    # w_in 0.004612, h 24.72 -> 52.85 kJ/kg, exit 18.62 C, w 0.013458: 3600 x 0.008846 / 28.13
    # = 1.1320 L/kWh; make-up = evaporation x 6 / 5.
    #   full load: r = 1, dry share 0.4 / 5.6 = 0.0714, wet heat 0.928571 x 1.06834 = 0.99203;
    #              WUE = 0.99203 x 1.1320 x 1.2 = 1.3476 L/kWh of IT.
    #   40 % load: power 0.4 + 0.004 + 0.0048 + 0.00128 + 0.005 = 0.41508, fans 0.03934 x
    #              (0.41508 / 1.029)^2 = 0.006401, heat 0.421481, r = 0.394519, dry share
    #              0.936400, wet heat 0.026805; WUE = 0.026805 x 1.1320 x 1.2 / 0.4 = 0.09104.
    ta = np.full((1, 8760), 13.0)
    tw = np.full((1, 8760), 8.0)
    wue = [
        float(simulate_cooling("water-economizer", ta, tw, HYPER, load).wue_annual()[0])
        for load in (0.4, 0.7, 1.0)
    ]
    assert wue[0] < wue[1] < wue[2], wue
    assert_allclose([wue[0], wue[2]], [0.09104, 1.3476], rtol=3e-4)


@pytest.fixture(scope="module")
def real_climates():
    out = {}
    for key, name in {
        "golden": "USA_CO_Golden-NREL.724666_TMY3.epw.gz",
        "tampa": "USA_FL_Tampa.Intl.AP.722110_TMY3.epw.gz",
        "chicago": "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz",
        "dulles": "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz",
    }.items():
        table, _ = read_weather(DATA / name)
        out[key] = (
            table["temp_air_c"].to_numpy(),
            table["temp_wet_c"].to_numpy(),
            float(table["pressure_pa"].mean()),
        )
    return out


def _synthetic(day_max_c: float, day_min_c: float, dew_c: float):
    hour = np.arange(8760) % 24
    ta = day_min_c + (day_max_c - day_min_c) * 0.5 * (1 - np.cos(2 * np.pi * (hour - 3) / 24))
    return ta, wet_bulb_c(ta, np.minimum(np.full_like(ta, dew_c), ta), SEA_PA)


def test_auto_choices_by_climate(real_climates):
    # Cold-dry (Golden, 1,829 m): outside air with evaporative assist and almost no chiller.
    # Hot-dry (synthetic: 42/26 C days, 5 C dew point): outside air cooled adiabatically.
    # Hot-humid (synthetic: 33/26 C, 25 C dew point, and Tampa): outside air is outside the
    # envelope nearly all year, so auto never picks the airside economizer there.
    hot_dry = _synthetic(42.0, 26.0, 5.0)
    hot_humid = _synthetic(33.0, 26.0, 25.0)
    keys = ["golden", "hot-dry", "hot-humid", "tampa"]
    ta = np.stack([real_climates["golden"][0], hot_dry[0], hot_humid[0], real_climates["tampa"][0]])
    tw = np.stack([real_climates["golden"][1], hot_dry[1], hot_humid[1], real_climates["tampa"][1]])
    pressure = [real_climates["golden"][2], SEA_PA, SEA_PA, real_climates["tampa"][2]]
    tech, result = select_cooling(ta, tw, HYPER, price_usd_per_mwh=80.0, pressure_pa=pressure)
    chosen = dict(zip(keys, tech, strict=True))
    assert chosen["golden"] == "air-economizer"
    assert chosen["hot-dry"] == "air-economizer"
    # The indirect evaporative cooler keeps humid air out of the hall: cheapest where outside
    # air may not enter.
    assert chosen["hot-humid"] == "evaporative" and chosen["tampa"] == "evaporative"
    air = simulate_cooling("air-economizer", hot_humid[0][None], hot_humid[1][None], HYPER)
    assert air.economizer_hours()[0] == 0.0  # a 25 C dew point is above 17 C every hour
    # Water stress above the ceiling leaves hot-humid sites with dry technologies only.
    tech_dry, _ = select_cooling(
        ta[2:],
        tw[2:],
        HYPER,
        price_usd_per_mwh=80.0,
        water_stress=4.0,
        max_water_stress=3.5,
        pressure_pa=SEA_PA,
    )
    assert set(tech_dry) <= {"air-chiller", "liquid-dtc"}
    # Liquid where required: the same sites with liquid-only GPUs.
    tech_liq, _ = select_cooling(
        ta, tw, HYPER, price_usd_per_mwh=80.0, liquid_required=True, pressure_pa=pressure
    )
    assert set(tech_liq) == {"liquid-dtc"}
