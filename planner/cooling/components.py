"""Physical components of the cooling and power chain, each a small vectorised function.

Everything is expressed per kW of design IT power, so a hall of any size uses the same numbers:
an hourly value of 0.03 means 30 W of fan power per kW of design IT. Arrays broadcast; the hourly
model passes float32 blocks of shape (sites, 8760).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

AIR_DENSITY_KG_PER_M3 = 1.2
"""Air density at about 20 C and sea level [kg/m3]; the fan pressure rise is specified at it."""
SEA_LEVEL_PA = 101325.0
"""Standard sea-level pressure [Pa], the pressure at which fan duties are specified."""
AIR_CP_KJ_PER_KG_K = 1.006
"""Specific heat of dry air [kJ/(kg K)], ASHRAE Fundamentals 2017 ch. 1."""
WATER_CP_KJ_PER_KG_K = 4.186
"""Specific heat of liquid water [kJ/(kg K)]."""
WATER_DENSITY_KG_PER_M3 = 1000.0
LATENT_HEAT_KJ_PER_KG = 2501.0
"""Latent heat of vaporisation at 0 C [kJ/kg], the reference of ASHRAE eq. 33."""

Array = NDArray[np.floating]


def electrical_loss(it_load_fraction: ArrayLike, fixed_fraction: float,
                    proportional_fraction: float, square_fraction: float) -> Array:
    """UPS, transformer and distribution losses [kW per kW design IT].

    ``loss = fixed + proportional * L + square * L**2`` with ``L`` the IT load as a fraction of
    design: no-load losses stay when the hall is half empty, resistive losses grow with the
    square of the current (Schneider Electric White Paper 113).
    """
    load = np.asarray(it_load_fraction)
    return fixed_fraction + load * (proportional_fraction + square_fraction * load)


def fan_kw_per_kw(pressure_pa: float, efficiency: float, delta_t_k: float,
                  airflow_ratio: float = 1.0) -> float:
    """Fan power [kW] per kW of heat carried by air at full flow.

    Air volume ``V = Q / (rho cp dT)`` [m3/s per kW]; power ``V dp / eta``. For 500 Pa, 65 %,
    13 K: 1 / (1.2 * 1.006 * 13) = 0.0637 m3/s per kW, times 500 Pa / 0.65 = 49 W per kW.
    """
    volume_m3_per_s = 1.0 / (AIR_DENSITY_KG_PER_M3 * AIR_CP_KJ_PER_KG_K * delta_t_k)
    return airflow_ratio * volume_m3_per_s * pressure_pa / efficiency / 1000.0


def pump_kw_per_kw(head_pa: float, efficiency: float, delta_t_k: float) -> float:
    """Pump power [kW] per kW of heat carried by water at full flow.

    Water volume ``V = Q / (rho cp dT)`` [m3/s per kW]; power ``V dp / eta``: 200 kPa, 70 %,
    8 K gives 1 / (1000 * 4.186 * 8) * 200000 / 0.7 = 8.53 W per kW.
    """
    volume_m3_per_s = 1.0 / (WATER_DENSITY_KG_PER_M3 * WATER_CP_KJ_PER_KG_K * delta_t_k)
    return volume_m3_per_s * head_pa / efficiency / 1000.0


def part_load_power(design_kw: float, flow_fraction: ArrayLike, exponent: float) -> Array:
    """Power of a variable-speed fan or pump at a flow fraction: ``design * f**n``.

    ``n = 0`` models constant-speed machines (full power whenever they run).
    """
    f = np.clip(np.asarray(flow_fraction), 0.0, None)
    if exponent == 0.0:
        return np.zeros_like(f) + design_kw  # design_kw may be an array (per site)
    return design_kw * f**exponent


def fan_density_factor(pressure_pa: ArrayLike) -> Array:
    """Fan power multiplier at station pressure: ``(p0 / p)**2`` (fan laws).

    Air moves the same mass of air per kW at any altitude (``m = Q / (cp dT)``). Thinner air
    needs ``rho0 / rho`` times the volume, the fixed ducts and coils then need ``rho0 / rho``
    times the pressure (``dp ~ rho V^2 = m^2 / rho``), so power ``V dp`` grows as
    ``(rho0 / rho)^2`` (ASHRAE Handbook HVAC Systems and Equipment 2020 ch. 21, fan laws,
    at constant mass flow). Density is taken proportional to pressure (same air temperature):
    1,600 m in the standard atmosphere is 83.5 kPa, so fans draw (101.325 / 83.5)^2 = 1.47
    times their sea-level power.
    """
    p = np.asarray(pressure_pa, dtype=float)
    return (SEA_LEVEL_PA / p) ** 2


def chiller_cop(condenser_c: ArrayLike, load_fraction: ArrayLike,
                table_condenser_c: Sequence[float], table_cop: Sequence[float],
                part_load_ratio: Sequence[float], part_load_factor: Sequence[float],
                count: int = 1) -> Array:
    """Chiller plant COP from condenser temperature and load, by table look-up.

    Parameters
    ----------
    condenser_c : array_like
        Entering condenser water [C] (water-cooled) or outdoor dry-bulb [C] (air-cooled).
    load_fraction : array_like
        Cooling load of the plant as a fraction of its design capacity (0-1).
    table_condenser_c, table_cop : sequence
        Full-load COP against condenser temperature. Linear between points and held
        constant outside the table: a fit is never extrapolated beyond its valid range.
    part_load_ratio, part_load_factor : sequence
        COP multiplier against the load ratio of the running chillers.
    count : int
        Chillers sharing the design load; they stage on one by one, so the running ones see
        ``plr = load * count / ceil(load * count)``.

    Returns
    -------
    ndarray
        COP (kW cooling per kW electric); positive everywhere.
    """
    cop_full = np.interp(condenser_c, table_condenser_c, table_cop)
    load = np.clip(np.asarray(load_fraction), 1e-6, 1.0)
    running = np.ceil(load * count - 1e-6)
    plr = load * count / np.maximum(running, 1.0)
    factor = np.interp(plr, part_load_ratio, part_load_factor)
    return (cop_full * factor).astype(np.result_type(load, np.float32), copy=False)


def tower_water_l(heat_rejected_kw: ArrayLike, evaporation_l_per_kwh: ArrayLike,
                  cycles_of_concentration: float, drift_fraction: float,
                  range_k: float) -> Array:
    """Cooling-tower make-up water [L per hour] for heat rejected [kW] over that hour.

    Evaporation ``E = e * Q``; drift ``D = d * circulating flow`` with the flow
    ``Q / (cp dT)`` (3600 / (4.186 dT) L per kWh); blowdown ``B = E / (C - 1) - D`` (drift
    already removes some dissolved solids), at least 0. Make-up ``= E + B + D``.
    """
    q = np.asarray(heat_rejected_kw)
    evaporation = evaporation_l_per_kwh * q  # a scalar or an hourly array (L/kWh)
    circulating_l = q * 3600.0 / (WATER_CP_KJ_PER_KG_K * range_k)
    drift = drift_fraction * circulating_l
    blowdown = np.maximum(evaporation / (cycles_of_concentration - 1.0) - drift, 0.0)
    return evaporation + blowdown + drift


def tower_evaporation_l_per_kwh(temp_air_c: ArrayLike, temp_wet_c: ArrayLike,
                                pressure_pa: ArrayLike, liquid_gas_ratio: float,
                                range_k: float, latent_l_per_kwh: float) -> Array:
    """Water evaporated by a wet cooling tower per kWh it rejects [L/kWh], from the inlet air.

    Merkel's assumptions (ASHRAE Handbook HVAC Systems and Equipment 2020 ch. 40): the air
    leaves saturated, and takes up the heat as enthalpy ``dh = (L/G) cp_w range`` per kg of
    dry air (``L/G`` the water-to-air mass ratio). With ``h_out = h_in + dh`` the leaving air is
    saturated at ``T_out`` with ``h_sat(T_out) = h_out``; the evaporation is
    ``3600 (w_sat(T_out) - w_in) / dh`` L per kWh. Cold or humid-enough inlet air warms up
    sensibly and evaporates less (about 0.8 L/kWh at 0 C, dry); warm air evaporates nearly all
    the heat. Capped at ``latent_l_per_kwh`` (all heat as latent, 3600 / h_fg = 1.48 L/kWh):
    very dry air would evaporate more only if it left saturated, which it rarely does.

    Parameters
    ----------
    temp_air_c, temp_wet_c : array_like
        Inlet dry-bulb and wet-bulb [C].
    pressure_pa : array_like
        Station pressure [Pa], broadcastable.
    liquid_gas_ratio : float
        Water to dry-air mass flow ratio ``L/G`` (held at its design value: variable-speed fans
        follow the water flow).
    range_k : float
        Water temperature drop through the tower [K].
    latent_l_per_kwh : float
        Upper bound [L/kWh].
    """
    from planner.climate.psychro import humidity_ratio_from_wet_bulb
    from planner.climate.psychro import saturation_pressure_pa as _pws64

    t = np.asarray(temp_air_c)
    dtype = np.float32 if t.dtype == np.float32 else np.float64  # float32 blocks stay float32
    t = t.astype(dtype, copy=False)
    twb = np.minimum(np.asarray(temp_wet_c, dtype=dtype), t)
    p = np.asarray(pressure_pa, dtype=dtype)
    if dtype == np.float32:
        from planner.climate.psychro import _pws as saturation_pressure_pa  # keeps float32
    else:
        saturation_pressure_pa = _pws64
    w_in = humidity_ratio_from_wet_bulb(t, twb, p)
    h_in = AIR_CP_KJ_PER_KG_K * t + w_in * (LATENT_HEAT_KJ_PER_KG + 1.86 * t)
    dh = liquid_gas_ratio * WATER_CP_KJ_PER_KG_K * range_k
    h_out = h_in + dh
    # Newton on h_sat(T) = h_out from the wet-bulb (h_sat(twb) ~ h_in, below the root);
    # d ln p_ws / dT from the Magnus form is enough for the step, the value is exact.
    temp = twb + dh / 4.0
    for _ in range(3):  # converged to about 0.01 K (0.1 % in evaporation) from this start
        pws = saturation_pressure_pa(temp)
        ws = 0.621945 * pws / (p - pws)
        f = AIR_CP_KJ_PER_KG_K * temp + ws * (LATENT_HEAT_KJ_PER_KG + 1.86 * temp) - h_out
        dln = 17.62 * 243.12 / (temp + 243.12) ** 2
        dws = ws * (1.0 + ws / 0.621945) * dln
        slope = AIR_CP_KJ_PER_KG_K + 1.86 * ws + (LATENT_HEAT_KJ_PER_KG + 1.86 * temp) * dws
        temp = temp - f / slope
    pws = saturation_pressure_pa(temp)
    w_out = 0.621945 * pws / (p - pws)
    return np.clip(3600.0 * (w_out - w_in) / dh, 0.0, latent_l_per_kwh)


def air_mass_flow_kg_per_s(heat_kw: ArrayLike, delta_t_k: float) -> Array:
    """Air mass flow [kg/s] that carries ``heat_kw`` with a temperature rise ``delta_t_k``."""
    return np.asarray(heat_kw) / (AIR_CP_KJ_PER_KG_K * delta_t_k)


def crf(discount_rate: float, years: float) -> float:
    """Capital recovery factor ``r (1+r)^n / ((1+r)^n - 1)``; ``1/n`` at zero rate."""
    if years <= 0:
        raise ValueError("years must be positive")
    if discount_rate == 0:
        return 1.0 / years
    growth = (1.0 + discount_rate) ** years
    return discount_rate * growth / (growth - 1.0)
