"""Hourly PUE, WUE and economizer use per cooling technology, vectorised over sites and hours.

Energy balance per kW of design IT and per hour (``L`` = IT load fraction):

- electrical losses ``fixed + proportional L + square L^2`` (UPS, transformers, PDUs);
- lighting and miscellaneous, a fixed share of design IT;
- heat in the hall ``Q = L + losses + lighting + fan power`` (fans heat the air they move);
- fans and pumps from flow and pressure (:mod:`planner.cooling.components`), scaled by flow
  fraction to a part-load exponent;
- an economizer fraction ``e`` (0 = all mechanical, 1 = all free cooling) from the outdoor
  condition that the technology uses; the chiller removes ``(1 - e) Q`` with a COP looked up
  from condenser temperature and part load;
- water from tower evaporation, blowdown and drift, adiabatic and evaporative cooling, and
  humidification of cold, dry outside air.

``PUE = (L + losses + lighting + fans + pumps + chiller + heat rejection) / L`` and
``WUE = water / L`` [L per kWh of IT energy] for each hour. Technologies (registry
:data:`TECHNOLOGIES`): ``air-economizer``, ``water-economizer``, ``air-chiller``,
``evaporative`` (indirect), ``liquid-dtc``. See docs/cooling.md for the equations and the
validation against published figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from planner.climate.psychro import (
    humidity_ratio,
    humidity_ratio_from_vapor_pressure,
    humidity_ratio_from_wet_bulb,
    saturation_pressure_pa,
)
from planner.climate.weather import HOURS_PER_YEAR, month_of_hour
from planner.cooling.components import (
    AIR_CP_KJ_PER_KG_K,
    LATENT_HEAT_KJ_PER_KG,
    air_mass_flow_kg_per_s,
    chiller_cop,
    electrical_loss,
    fan_density_factor,
    fan_kw_per_kw,
    part_load_power,
    pump_kw_per_kw,
    tower_evaporation_l_per_kwh,
    tower_water_l,
)
from planner.errors import InputError

F32 = np.float32
Array = NDArray[np.floating]
_BLOCK_ELEMENTS = 1 << 19  # about 60 sites x 8760 hours per block: bounded memory, cache-friendly
_MONTH = month_of_hour() - 1
DESIGN_PERCENTILE = 99.6
"""Peak PUE is the hourly PUE exceeded in 0.4 % of hours (35 h), the ASHRAE 0.4 % condition."""


@dataclass
class CoolingResult:
    """Hourly cooling results for ``n`` sites.

    Attributes
    ----------
    technology : ndarray of str, shape (n,)
        Technology id per site.
    pue : ndarray float32, shape (n, 8760)
        Hourly power usage effectiveness (facility power / IT power).
    wue_l_per_kwh : ndarray float32, shape (n, 8760)
        Hourly site water use [L per kWh of IT energy in that hour].
    economizer_fraction : ndarray float32, shape (n, 8760)
        Share of the heat removed without mechanical cooling (1 = all free cooling).
    it_load_fraction : ndarray float32, broadcastable to (n, 8760)
        IT load as a fraction of design, the weights of the annual figures.
    candidates : DataFrame or None
        For :func:`planner.cooling.select_cooling`: one row per (site, technology) with
        annual PUE, WUE, cost and whether it was allowed (and why not).
    capex_usd_per_mw : ndarray or None, shape (n,)
        For :func:`planner.cooling.select_cooling`: cooling capex of the chosen technology
        per MW of design IT, its mechanical plant sized for the site's design hour.
    """

    technology: np.ndarray
    pue: Array
    wue_l_per_kwh: Array
    economizer_fraction: Array
    it_load_fraction: Array
    candidates: pd.DataFrame | None = field(default=None, repr=False)
    capex_usd_per_mw: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_sites(self) -> int:
        return int(self.pue.shape[0])

    def _weights(self) -> Array:
        return np.broadcast_to(self.it_load_fraction, self.pue.shape)

    def pue_annual(self) -> Array:
        """Annual energy-weighted PUE per site: sum(facility kWh) / sum(IT kWh)."""
        w = self._weights()
        return _weighted_mean(self.pue, w)

    def wue_annual(self) -> Array:
        """Annual WUE per site [L per kWh of IT energy]."""
        return _weighted_mean(self.wue_l_per_kwh, self._weights())

    def economizer_hours(self) -> Array:
        """Equivalent full economizer hours per site: sum of the hourly economizer fraction."""
        return self.economizer_fraction.sum(axis=1, dtype=np.float64)

    def full_economizer_hours(self) -> Array:
        """Hours per site with no mechanical cooling at all (fraction at least 0.999)."""
        return (self.economizer_fraction >= 0.999).sum(axis=1).astype(float)

    def mechanical_hours(self) -> Array:
        """Hours per site in which a chiller or DX trim runs (economizer fraction below 1)."""
        return HOURS_PER_YEAR - self.full_economizer_hours()

    def monthly_pue(self) -> Array:
        """Energy-weighted PUE per site and month, shape (n, 12)."""
        return _monthly(self.pue, self._weights())

    def monthly_wue(self) -> Array:
        """WUE [L/kWh IT] per site and month, shape (n, 12)."""
        return _monthly(self.wue_l_per_kwh, self._weights())

    def monthly_economizer_hours(self) -> Array:
        """Equivalent full economizer hours per site and month, shape (n, 12)."""
        starts = np.flatnonzero(np.diff(np.concatenate([[-1], _MONTH])))
        return np.add.reduceat(self.economizer_fraction, starts, axis=1, dtype=np.float64)

    def design_mechanical_fraction(self) -> Array:
        """Share of the heat removed mechanically at the 0.4 % design hour, per site.

        The 99.6th percentile of the hourly ``1 - economizer_fraction``: the chiller or trim
        capacity the site needs (1 = a full-size plant, 0 = none).
        """
        return np.percentile(1.0 - self.economizer_fraction, DESIGN_PERCENTILE, axis=1)

    def pue_peak(self) -> Array:
        """PUE at the 0.4 % design condition: the 99.6th percentile of hourly PUE per site."""
        return np.percentile(self.pue, DESIGN_PERCENTILE, axis=1)

    def summary(self) -> pd.DataFrame:
        """One row per site: technology, pue_annual, pue_peak, wue_l_per_kwh, economizer_hours,
        full_economizer_hours, mechanical_hours."""
        return pd.DataFrame({
            "cooling_technology": self.technology,
            "pue_annual": self.pue_annual(),
            "pue_peak": self.pue_peak(),
            "wue_l_per_kwh": self.wue_annual(),
            "economizer_hours": self.economizer_hours(),
            "full_economizer_hours": self.full_economizer_hours(),
            "mechanical_hours": self.mechanical_hours(),
        })


def _weighted_mean(values: Array, weights: Array) -> Array:
    num = np.einsum("ij,ij->i", values, weights, dtype=np.float64)
    den = weights.sum(axis=1, dtype=np.float64)
    return num / np.where(den > 0, den, np.nan)


def _monthly(values: Array, weights: Array) -> Array:
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], _MONTH])))
    num = np.add.reduceat((values * weights).astype(np.float64), starts, axis=1)
    den = np.add.reduceat(weights.astype(np.float64), starts, axis=1)
    return num / np.where(den > 0, den, np.nan)


# ------------------------------------------------------------------------- the technologies
@dataclass
class _Hour:
    """Inputs of one block: (rows, 8760) float32 arrays plus per-row pressure."""

    temp_air_c: Array
    temp_wet_c: Array
    load: Array
    pressure_pa: Array  # (rows, 1)

    @property
    def fan_factor(self) -> Array:
        """Fan power multiplier for thin air at the station pressure, shape (rows, 1)."""
        return fan_density_factor(self.pressure_pa).astype(F32)


@dataclass
class _Out:
    facility: Array  # kW per kW design IT
    water_l: Array  # L per hour per kW design IT
    economizer: Array


class _Common:
    """Parameters shared by every technology, read once from a preset."""

    def __init__(self, p: Mapping[str, Any]) -> None:
        try:
            self.elec = p["electrical"]
            self.misc = float(p["misc"]["lighting_misc_fraction"])
            self.air = p["air"]
            self.chw = p["chilled_water"]
            self.cw = p["condenser_water"]
            self.water = p["water"]
            self.env = p["envelope"]
            self.ch = p["chiller"]
            self.p = p
        except KeyError as exc:
            raise InputError(f"cooling parameters have no section {exc}", field="cooling") from None
        self.fan_design = fan_kw_per_kw(self.air["fan_pressure_pa"], self.air["fan_efficiency"],
                                        self.air["delta_t_k"], self.air["airflow_ratio"])
        self.chw_pump_design = pump_kw_per_kw(self.chw["pump_head_pa"], self.chw["pump_efficiency"],
                                              self.chw["delta_t_k"])
        self.cw_pump_design = pump_kw_per_kw(self.cw["pump_head_pa"], self.cw["pump_efficiency"],
                                             self.cw["delta_t_k"])
        e = self.elec
        # Heat in the hall at full design load: IT + all electrical losses + lighting.
        self.q_design = (1.0 + e["fixed_fraction"] + e["proportional_fraction"]
                         + e["square_fraction"] + self.misc)

    def base(self, h: _Hour) -> tuple[Array, Array]:
        """IT + electrical losses + lighting [kW/kW design], and the heat they leave in the hall."""
        e = self.elec
        losses = electrical_loss(h.load, e["fixed_fraction"], e["proportional_fraction"],
                                 e["square_fraction"]) + self.misc
        return h.load + losses, h.load + losses

    def fans(self, h: _Hour, heat: Array, design_heat: float,
             fan_design: float | None = None) -> Array:
        """Air-handler fan power; the design duty grows in thin air (:func:`fan_density_factor`)."""
        d = (self.fan_design if fan_design is None else fan_design) * design_heat * h.fan_factor
        return part_load_power(d, heat / design_heat, float(self.air["fan_part_load_exponent"]))

    def loop_design(self, h: _Hour, design_heat: float, fan_design: float | None = None) -> Array:
        """Heat carried by the water loops at full load: the hall heat plus the fans' heat."""
        fan = self.fan_design if fan_design is None else fan_design
        return design_heat * (1.0 + fan * h.fan_factor)

    def pump(self, design_per_kw: float, heat: Array, design_heat: float) -> Array:
        return part_load_power(design_per_kw * design_heat, heat / design_heat,
                               float(self.chw["pump_part_load_exponent"]))

    def chiller_power(self, mech: Array, condenser_c: Array, kind: str,
                      design_heat: float) -> Array:
        ch = self.ch
        if kind == "water-cooled":
            tc, tcop = ch["water_cooled_condenser_c"], ch["water_cooled_cop"]
        else:
            tc, tcop = ch["air_cooled_ambient_c"], ch["air_cooled_cop"]
        cop = chiller_cop(condenser_c, mech / design_heat, tc, tcop, ch["part_load_ratio"],
                          ch["part_load_cop_factor"], int(ch["count"]))
        return mech / cop

    def tower_water_temp(self, h: _Hour) -> Array:
        return np.maximum(h.temp_wet_c + F32(self.cw["tower_approach_k"]),
                          F32(self.cw["min_supply_c"]))

    def evaporation(self, h: _Hour) -> Array:
        """Tower evaporation per kWh rejected [L/kWh] from the inlet air (Merkel, saturated exit).

        Without ``water.tower_liquid_gas_ratio`` the fixed ``evaporation_l_per_kwh`` is used.
        """
        w = self.water
        ratio = w.get("tower_liquid_gas_ratio")
        if ratio is None:
            return F32(w["evaporation_l_per_kwh"])
        return tower_evaporation_l_per_kwh(h.temp_air_c, h.temp_wet_c, h.pressure_pa,
                                           float(ratio), float(self.cw["delta_t_k"]),
                                           float(w["evaporation_l_per_kwh"])).astype(F32)

    def tower(self, rejected: Array, h: _Hour) -> tuple[Array, Array]:
        """Tower fan power and make-up water [L/h] for heat rejected [kW/kW design]."""
        w = self.water
        fan = F32(self.cw["tower_fan_kw_per_kw"]) * rejected
        water = tower_water_l(rejected, self.evaporation(h), w["cycles_of_concentration"],
                              w["drift_fraction"], self.cw["delta_t_k"])
        return fan, water.astype(F32, copy=False)

    def max_humidity_ratio(self, h: _Hour) -> Array:
        """Upper humidity ratio of the supply air [kg/kg]: the dew-point and the RH limit.

        ``w_max = min(w(max_dew_c), w(max_rh_pct at the supply temperature))``; the RH limit
        binds when the supply air is cool (legacy 20 C at 70 %: dew point 14.4 C), the dew
        point when it is warm (27 C at 80 % would be a 23.3 C dew point, above A1's 17 C).
        """
        p = h.pressure_pa
        w_dew = humidity_ratio(self.env["max_dew_c"], p)
        rh = self.env.get("max_rh_pct")
        if rh is not None:
            pw = float(rh) / 100.0 * saturation_pressure_pa(float(self.air["supply_c"]))
            w_dew = np.minimum(w_dew, humidity_ratio_from_vapor_pressure(pw, p))
        return w_dew.astype(F32)

    def mechanical(self, h: _Hour, mech: Array, kind: str, design_heat: float
                   ) -> tuple[Array, Array]:
        """Power [kW/kW design] and water [L/h] of removing ``mech`` by chiller of ``kind``."""
        if kind == "water-cooled":
            t_cw = self.tower_water_temp(h)
            chiller = self.chiller_power(mech, t_cw, kind, design_heat)
            fan, water = self.tower(mech + chiller, h)
            pump = self.pump(self.cw_pump_design, mech, design_heat)
            return chiller + fan + pump, water
        chiller = self.chiller_power(mech, h.temp_air_c, kind, design_heat)
        return chiller, np.zeros_like(mech)


def _water_economizer(c: _Common, h: _Hour) -> _Out:
    q = c.p.get("water-economizer", {})
    power, heat = c.base(h)
    fans = c.fans(h, heat, c.q_design)
    heat = heat + fans
    design = c.loop_design(h, c.q_design)
    supply = F32(c.chw["supply_c"])
    ret = supply + F32(c.chw["delta_t_k"])
    hx = F32(c.cw["hx_approach_k"])
    # Condenser water: the tower makes wet-bulb + approach; free cooling only needs
    # supply - exchanger approach, so the plant never cools the water below that.
    t_need = supply - hx
    t_cw = np.maximum(c.tower_water_temp(h), t_need)
    # Full free cooling when tower water + exchanger approach reaches the supply set point,
    # partial (series pre-cooling of the return water) up to the return temperature.
    econ = np.clip((ret - (t_cw + hx)) / (ret - supply), 0.0, 1.0)
    mech = (1.0 - econ) * heat
    chiller = c.chiller_power(mech, t_cw, "water-cooled", design)
    rejected = heat + chiller
    # Hybrid (dry + wet) heat rejection: dry coils ahead of the tower cool the returning water
    # from t_cw + range toward dry-bulb + approach; the approach shrinks with load (fixed coil
    # area), so cold or part-load hours reject heat without evaporating water.
    range_k = F32(c.cw["delta_t_k"])
    if bool(q.get("dry_mode", False)):
        t_dry = h.temp_air_c + F32(q.get("dry_cooler_approach_k", 8.0)) * (rejected / design)
        dry_share = np.clip((t_cw + range_k - t_dry) / range_k, 0.0, 1.0)
    else:
        dry_share = np.zeros_like(rejected)
    wet = (1.0 - dry_share) * rejected
    tower_fan, water = c.tower(wet, h)
    dry_fans = F32(q.get("dry_cooler_fan_kw_per_kw", 0.0)) * dry_share * rejected
    pumps = c.pump(c.chw_pump_design, heat, design) + c.pump(c.cw_pump_design, heat, design)
    return _Out(power + fans + chiller + tower_fan + dry_fans + pumps, water, econ)


def _air_chiller(c: _Common, h: _Hour) -> _Out:
    power, heat = c.base(h)
    fans = c.fans(h, heat, c.q_design)
    heat = heat + fans
    design = c.loop_design(h, c.q_design)
    chiller = c.chiller_power(heat, h.temp_air_c, "air-cooled", design)
    pumps = c.pump(c.chw_pump_design, heat, design)
    return _Out(power + fans + chiller + pumps, np.zeros_like(heat), np.zeros_like(heat))


def _air_economizer(c: _Common, h: _Hour) -> _Out:
    q = c.p.get("air-economizer", {})
    power, heat = c.base(h)
    fans = c.fans(h, heat, c.q_design)
    heat = heat + fans
    design = c.loop_design(h, c.q_design)
    t_oa, t_wb = h.temp_air_c, h.temp_wet_c
    supply = F32(c.air["supply_c"])
    ret = supply + F32(c.air["delta_t_k"])
    w_oa = humidity_ratio_from_wet_bulb(t_oa, t_wb, h.pressure_pa).astype(F32, copy=False)
    w_max = c.max_humidity_ratio(h)
    w_min = humidity_ratio(c.env["min_dew_c"], h.pressure_pa).astype(F32)
    # Outside air is admitted only inside the humidity envelope (upper dew point and RH at the
    # supply temperature); outside it the hall recirculates and the chiller carries the load.
    humid_ok = outside_air_allowed(w_oa, w_max)
    air_kg_s = air_mass_flow_kg_per_s(heat, float(c.air["delta_t_k"])) * F32(c.air["airflow_ratio"])
    t_eff = t_oa
    water = np.zeros_like(heat)
    if bool(q.get("adiabatic_assist", False)):
        # Direct evaporative pads cool hot outside air toward its wet-bulb, only as far as
        # needed to reach the supply set point and only while the moistened air stays in the
        # envelope (humidity ratio below that of the maximum dew point).
        eff = F32(q.get("adiabatic_effectiveness", 0.85))
        wanted = np.clip(t_oa - supply, 0.0, None)
        possible = eff * (t_oa - t_wb)
        room = np.clip((w_max - w_oa) * F32(LATENT_HEAT_KJ_PER_KG / AIR_CP_KJ_PER_KG_K), 0.0, None)
        delta = np.minimum(np.minimum(wanted, possible), room)
        delta = np.where(humid_ok, delta, 0.0)
        t_eff = t_oa - delta
        water = air_kg_s * delta * F32(AIR_CP_KJ_PER_KG_K / LATENT_HEAT_KJ_PER_KG * 3600.0)
    econ = np.where(humid_ok, np.clip((ret - t_eff) / (ret - supply), 0.0, 1.0), 0.0)
    # Humidification of cold, dry outside air up to the lower dew point: the outside-air share
    # of the mixed supply is (ret - supply) / (ret - outside) when outside is colder.
    oa_share = np.where(t_oa < supply, (ret - supply) / np.maximum(ret - t_oa, 1e-3), 1.0)
    oa_share = np.where(humid_ok, np.clip(oa_share, 0.0, 1.0), 0.0)
    humidify_kg_h = air_kg_s * oa_share * np.clip(w_min - w_oa, 0.0, None) * F32(3600.0)
    humidifier = humidify_kg_h * F32(c.water["humidifier_kwh_per_kg"])
    mech = (1.0 - econ) * heat
    backup = str(q.get("backup", "water-cooled"))
    mech_power, mech_water = c.mechanical(h, mech, backup, design)
    pumps = c.pump(c.chw_pump_design, mech, design)
    facility = power + fans + mech_power + pumps + humidifier
    return _Out(facility, water + humidify_kg_h + mech_water, econ)


def _evaporative(c: _Common, h: _Hour) -> _Out:
    q = c.p.get("evaporative", {})
    power, heat = c.base(h)
    fan_design = fan_kw_per_kw(q.get("fan_pressure_pa", 700.0), c.air["fan_efficiency"],
                               c.air["delta_t_k"], c.air["airflow_ratio"])
    fans = c.fans(h, heat, c.q_design, fan_design)
    heat = heat + fans
    design = c.loop_design(h, c.q_design, fan_design)
    t_oa, t_wb = h.temp_air_c, h.temp_wet_c
    supply = F32(c.air["supply_c"])
    ret = supply + F32(c.air["delta_t_k"])
    span = ret - supply
    # Indirect evaporative exchanger: hall air (at the return temperature) is cooled by
    # scavenger outside air, dry while that suffices, wetted (toward the wet-bulb) otherwise.
    t_dry = ret - F32(q.get("dry_effectiveness", 0.6)) * (ret - t_oa)
    t_wet = ret - F32(q.get("wet_effectiveness", 0.75)) * (ret - t_wb)
    dry_share = np.clip((ret - t_dry) / span, 0.0, 1.0)
    wet_mode = t_dry > supply
    t_out = np.where(wet_mode, np.minimum(t_dry, t_wet), t_dry)
    econ = np.clip((ret - t_out) / span, 0.0, 1.0)
    evaporated_heat = np.where(wet_mode, np.clip(econ - dry_share, 0.0, None), 0.0) * heat
    w = c.water
    blowdown = 1.0 / (w["cycles_of_concentration"] - 1.0)
    water = evaporated_heat * F32(w["evaporation_l_per_kwh"] * (1.0 + blowdown))
    mech = (1.0 - econ) * heat
    trim, trim_water = c.mechanical(h, mech, str(q.get("trim", "air-cooled")), design)
    return _Out(power + fans + trim, water + trim_water, econ)


def _liquid_dtc(c: _Common, h: _Hour) -> _Out:
    q = c.p.get("liquid-dtc", {})
    power, heat = c.base(h)
    share = F32(q.get("liquid_share", 0.8))
    liquid = share * h.load
    air_heat = heat - liquid
    air_design = c.q_design - float(share)
    fans = c.fans(h, air_heat, air_design)
    air_heat = air_heat + fans
    t_oa = h.temp_air_c
    approach = F32(q.get("dry_cooler_approach_k", 5.0))
    # Warm facility water through dry coolers: free while outdoor + approach is below the
    # supply, partial up to the return; the small air-cooled share uses the chilled-water
    # loop, pre-cooled by the same dry coolers when it is cold enough.
    ls, lr = F32(q.get("supply_c", 32.0)), F32(q.get("return_c", 42.0))
    econ_l = np.clip((lr - (t_oa + approach)) / (lr - ls), 0.0, 1.0)
    cs = F32(c.chw["supply_c"])
    cr = cs + F32(c.chw["delta_t_k"])
    econ_a = np.clip((cr - (t_oa + approach)) / (cr - cs), 0.0, 1.0)
    free = econ_l * liquid + econ_a * air_heat
    total = liquid + air_heat
    mech = total - free
    design = c.loop_design(h, c.q_design)
    chiller = c.chiller_power(mech, t_oa, "air-cooled", design)
    dry_fans = F32(q.get("dry_cooler_fan_kw_per_kw", 0.015)) * free
    loop = pump_kw_per_kw(q.get("pump_head_pa", 250000.0), c.chw["pump_efficiency"],
                          float(lr - ls))
    pumps = c.pump(loop, liquid, float(share)) + c.pump(c.chw_pump_design, air_heat, air_design)
    econ = free / np.maximum(total, 1e-6)
    return _Out(power + fans + chiller + dry_fans + pumps, np.zeros_like(total), econ)


def outside_air_allowed(humidity_ratio_kg_per_kg: ArrayLike, max_humidity_ratio: ArrayLike
                        ) -> np.ndarray:
    """Whether outside air may enter the hall: its humidity ratio is at most the envelope's.

    Parameters
    ----------
    humidity_ratio_kg_per_kg : array_like
        Outdoor humidity ratio [kg water / kg dry air].
    max_humidity_ratio : array_like
        Upper limit of the envelope [kg/kg] (:meth:`_Common.max_humidity_ratio`).
    """
    return np.asarray(humidity_ratio_kg_per_kg) <= np.asarray(max_humidity_ratio)


TECHNOLOGIES: dict[str, Callable[[_Common, _Hour], _Out]] = {
    "air-economizer": _air_economizer,
    "water-economizer": _water_economizer,
    "air-chiller": _air_chiller,
    "evaporative": _evaporative,
    "liquid-dtc": _liquid_dtc,
}
"""Technology id -> hourly model. Ids match :data:`planner.scenario.COOLING_TECHNOLOGIES`."""


def _as_2d(name: str, value: ArrayLike) -> Array:
    a = np.asarray(value, dtype=F32)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != HOURS_PER_YEAR:
        raise InputError(f"expected an array of shape (n_sites, {HOURS_PER_YEAR}), got {a.shape}",
                         field=name)
    return a


def simulate_cooling(
    technology: str,
    temp_air_c: ArrayLike,
    temp_wet_c: ArrayLike,
    params: Mapping[str, Any],
    it_load_fraction: ArrayLike = 1.0,
    *,
    pressure_pa: ArrayLike | None = None,
) -> CoolingResult:
    """Hourly PUE, WUE and economizer fraction of one technology at many sites.

    Parameters
    ----------
    technology : str
        One of :data:`TECHNOLOGIES` (for ``"auto"`` use :func:`select_cooling`).
    temp_air_c, temp_wet_c : array_like, shape (n_sites, 8760) or (8760,)
        Outdoor dry-bulb and thermodynamic wet-bulb [C].
    params : mapping
        One preset of data/cooling.toml (``load_cooling_parameters("hyperscale")``).
    it_load_fraction : float or array_like broadcastable to (n_sites, 8760)
        IT power as a fraction of design IT power (0-1]; weights the annual figures.
    pressure_pa : array_like, shape (n_sites,) or scalar, optional
        Station pressure [Pa] for the humidity limits of the airside economizer; sea level
        (101,325 Pa) if omitted.

    Returns
    -------
    CoolingResult
        float32 hourly arrays (float32 halves memory; results agree with float64 to 1e-5).
    """
    if technology not in TECHNOLOGIES:
        raise InputError(f"unknown cooling technology '{technology}'; expected one of "
                         f"{', '.join(TECHNOLOGIES)}", field="cooling.technology")
    ta = _as_2d("temp_air_c", temp_air_c)
    tw = _as_2d("temp_wet_c", temp_wet_c)
    if ta.shape != tw.shape:
        raise InputError(f"temp_air_c {ta.shape} and temp_wet_c {tw.shape} differ in shape",
                         field="temp_wet_c")
    n = ta.shape[0]
    load = np.asarray(it_load_fraction, dtype=F32)
    try:
        load_b = np.broadcast_to(load, ta.shape)
    except ValueError:
        raise InputError(f"it_load_fraction of shape {load.shape} does not fit {ta.shape}",
                         field="it_load_fraction") from None
    if np.any(load <= 0) or np.any(load > 1.5) or not np.all(np.isfinite(load)):
        raise InputError("it_load_fraction must be above 0 and at most 1.5",
                         field="it_load_fraction")
    pres = np.broadcast_to(np.asarray(101325.0 if pressure_pa is None else pressure_pa,
                                      dtype=F32).reshape(-1), (n,))
    common = _Common(params)
    model = TECHNOLOGIES[technology]
    pue = np.empty(ta.shape, dtype=F32)
    wue = np.empty(ta.shape, dtype=F32)
    econ = np.empty(ta.shape, dtype=F32)
    rows = max(1, _BLOCK_ELEMENTS // HOURS_PER_YEAR)
    for start in range(0, n, rows):
        s = slice(start, start + rows)
        lb = np.ascontiguousarray(load_b[s])
        out = model(common, _Hour(ta[s], tw[s], lb, pres[s, None]))
        np.divide(out.facility, lb, out=pue[s])
        np.divide(out.water_l, lb, out=wue[s])
        econ[s] = out.economizer
    return CoolingResult(
        technology=np.full(n, technology, dtype=object),
        pue=pue, wue_l_per_kwh=wue, economizer_fraction=econ,
        it_load_fraction=load,
    )
