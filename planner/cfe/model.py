"""Inputs and results of the CFE portfolio model: one site's hourly arrays, the costs, checks.

Arrays hold one value per hour. A year is 8,760 hours; a shorter array is read as a period
that repeats (one typical day, one week), and every annual figure is scaled by
``8760 / hours``, so a 24-hour array stands for a year of identical days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from planner.economics import crf
from planner.errors import InputError

HOURS_PER_YEAR = 8760
CONTRACTS = ("virtual", "physical")

# name -> (lowest, highest, unit): the range every hourly value must lie in.
RANGES: dict[str, tuple[float, float, str]] = {
    "load_mw": (0.0, math.inf, "MW"),
    "grid_cfe": (0.0, 1.0, "(share)"),
    "solar_cf": (0.0, 1.0, "MW per MW installed"),
    "wind_cf": (0.0, 1.0, "MW per MW installed"),
    "price_usd_per_mwh": (-math.inf, math.inf, "USD/MWh"),
    "grid_carbon_g_per_kwh": (0.0, math.inf, "gCO2/kWh"),
}


def hourly_array(values: ArrayLike, name: str, hours: int | None = None) -> np.ndarray:
    """One hourly input as a finite float array inside :data:`RANGES`; InputError if not.

    ``hours`` is the length every array of the site must have (the load's length).
    """
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise InputError(
            f"expected a one-dimensional array of hourly values, got {array.shape}", field=name
        )
    if hours is not None and array.size != hours:
        raise InputError(
            f"expected {hours} hourly values like the load, got {array.size}", field=name
        )
    low, high, unit = RANGES[name]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(array) | (array < low) | (array > high)
    if bad.any():
        hour = int(np.flatnonzero(bad)[0])
        value = array[hour]
        problem = (
            f"expected a finite number, got {value}"
            if not np.isfinite(value)
            else f"{value:g} {unit} is outside {low:g}..{high:g}"
        )
        raise InputError(problem, row=hour + 1, field=name)
    return array


def check_target(target: float) -> float:
    """The target CFE score as a float in 0..1; InputError if not."""
    value = float(target)
    if not 0.0 <= value <= 1.0:
        raise InputError(f"expected a CFE target between 0 and 1, got {target}", field="target")
    return value


@dataclass(frozen=True)
class CfeSite:
    """One site's hourly inputs (all of the same length; see the module docstring).

    Parameters
    ----------
    load_mw : facility load [MW] (any scale: results scale linearly with it).
    grid_cfe : carbon-free share of the grid in each hour [0-1].
    solar_cf, wind_cf : output per MW installed [MW/MW, 0-1].
    price_usd_per_mwh : hourly wholesale energy price, the value of PPA energy [USD/MWh].
    grid_carbon_g_per_kwh : hourly grid intensity [gCO2/kWh]; zeros if not given.
    """

    load_mw: np.ndarray
    grid_cfe: np.ndarray
    solar_cf: np.ndarray
    wind_cf: np.ndarray
    price_usd_per_mwh: np.ndarray
    grid_carbon_g_per_kwh: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        load = hourly_array(self.load_mw, "load_mw")
        if not load.sum() > 0:
            raise InputError("expected a load above zero in at least one hour", field="load_mw")
        object.__setattr__(self, "load_mw", load)
        carbon = np.asarray(self.grid_carbon_g_per_kwh, dtype=float)
        if carbon.size == 0:
            object.__setattr__(self, "grid_carbon_g_per_kwh", np.zeros(load.size))
        for name in list(RANGES)[1:]:
            object.__setattr__(self, name, hourly_array(getattr(self, name), name, load.size))

    @property
    def hours(self) -> int:
        return int(self.load_mw.size)

    @property
    def year_factor(self) -> float:
        """Annual figures per sum over the arrays: ``8760 / hours``."""
        return HOURS_PER_YEAR / self.hours


def annual_battery_cost_usd_per_kwh(
    capex_usd_per_kwh: float, life_years: float, discount_rate: float, fixed_om_fraction: float
) -> float:
    """Annual cost of a battery per kWh of energy capacity [USD/kWh/year].

    ``capex * (crf(rate, life) + fixed_om_fraction)``: the capital as a level annuity over
    its life plus fixed operation and maintenance as a share of the capital each year.
    """
    annuity = float(crf(discount_rate, life_years))
    return float(capex_usd_per_kwh) * (annuity + float(fixed_om_fraction))


@dataclass(frozen=True)
class PortfolioCosts:
    """Costs and technical limits of the PPA portfolio (defaults: data/finance.toml [cfe]).

    Parameters
    ----------
    solar_strike_usd_per_mwh, wind_strike_usd_per_mwh : PPA strike prices [USD/MWh].
        Defaults: LevelTen Energy PPA Price Index, North America P25, Q4 2024.
    battery_usd_per_kwh_year : annual cost per kWh of battery energy capacity.
        Default: 326 USD/kWh (NREL mid projection for 2030) at 8 %/year over 15 years plus
        2.5 %/year fixed O&M (see :func:`annual_battery_cost_usd_per_kwh`).
    battery_duration_h : energy over power; power = energy / duration [h].
    round_trip_efficiency : AC-AC, split evenly: charge and discharge each ``sqrt(rte)``.
    contract : ``"virtual"`` (all generation settled at the hourly price: a PPA MWh costs
        strike - price) or ``"physical"`` (all generation paid at the strike; only the
        energy that meets the load saves its hourly price; excess is worth nothing).
    max_build_multiple : upper bound of solar MW, wind MW and battery MW as a multiple of
        the peak load, so the LP stays bounded when PPAs are in the money.
    """

    solar_strike_usd_per_mwh: float = 56.76
    wind_strike_usd_per_mwh: float = 67.81
    battery_usd_per_kwh_year: float = field(
        default_factory=lambda: annual_battery_cost_usd_per_kwh(326.0, 15.0, 0.08, 0.025)
    )
    battery_duration_h: float = 4.0
    round_trip_efficiency: float = 0.85
    contract: Literal["virtual", "physical"] = "virtual"
    max_build_multiple: float = 20.0

    def __post_init__(self) -> None:
        for name in ("solar_strike_usd_per_mwh", "wind_strike_usd_per_mwh"):
            if not math.isfinite(getattr(self, name)):
                raise InputError("expected a finite strike price in USD/MWh", field=name)
        checks = {
            "battery_usd_per_kwh_year": (0.0, math.inf, True),
            "battery_duration_h": (0.0, math.inf, False),
            "round_trip_efficiency": (0.0, 1.0, False),
            "max_build_multiple": (0.0, math.inf, False),
        }
        for name, (low, high, low_ok) in checks.items():
            value = getattr(self, name)
            above = value >= low if low_ok else value > low
            if not (math.isfinite(value) and above and value <= high):
                raise InputError(f"expected a value in {low:g}..{high:g}, got {value}", field=name)
        if self.contract not in CONTRACTS:
            raise InputError(
                f"expected one of {', '.join(CONTRACTS)}, got {self.contract!r}", field="contract"
            )

    @property
    def efficiency_one_way(self) -> float:
        return math.sqrt(self.round_trip_efficiency)

    @classmethod
    def from_finance(cls, cfe: dict, discount_rate: float, **overrides: object) -> PortfolioCosts:
        """Costs from the values of data/finance.toml's ``[cfe]`` section (plain values)."""
        battery = annual_battery_cost_usd_per_kwh(
            cfe["battery_capex_usd_per_kwh"],
            cfe["battery_life_years"],
            discount_rate,
            cfe["battery_fixed_om_fraction"],
        )
        values: dict[str, object] = {
            "solar_strike_usd_per_mwh": cfe["solar_strike_usd_per_mwh"],
            "wind_strike_usd_per_mwh": cfe["wind_strike_usd_per_mwh"],
            "battery_usd_per_kwh_year": battery,
            "battery_duration_h": cfe["battery_duration_h"],
            "round_trip_efficiency": cfe["round_trip_efficiency"],
            "max_build_multiple": cfe["max_build_multiple"],
            "contract": cfe.get("contract", "virtual"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PortfolioResult:
    """The least-cost portfolio of one site and its hourly dispatch (annual figures).

    ``status`` is ``"optimal"``, ``"unreachable"`` (the target cannot be met within the
    build bounds; ``reason`` says why) or ``"failed"`` (the solver stopped; ``reason`` has
    its message). Capacities and figures are NaN unless optimal. Hourly arrays have the
    site's length: matched, grid, charge and discharge in MW, state of charge in MWh at the
    start of each hour.
    """

    status: str
    reason: str
    target: float
    solar_mw: float
    wind_mw: float
    battery_mwh: float
    battery_mw: float
    cfe_score: float
    grid_only_score: float
    annual_matched_share: float
    excess_mwh: float
    load_mwh: float
    net_cost_usd_per_year: float
    cost_usd_per_mwh_load: float
    emissions_market_t: float
    emissions_location_t: float
    matched_mw: np.ndarray
    grid_mw: np.ndarray
    charge_mw: np.ndarray
    discharge_mw: np.ndarray
    soc_mwh: np.ndarray
    solve_seconds: float = 0.0
    method: str = "lp"

    def scaled(self, factor: float) -> PortfolioResult:
        """The same result for a load ``factor`` times larger (the LP is scale-invariant)."""
        k = float(factor)
        big = (
            "solar_mw",
            "wind_mw",
            "battery_mwh",
            "battery_mw",
            "excess_mwh",
            "load_mwh",
            "net_cost_usd_per_year",
            "emissions_market_t",
            "emissions_location_t",
            "matched_mw",
            "grid_mw",
            "charge_mw",
            "discharge_mw",
            "soc_mwh",
        )
        return replace(self, **{name: getattr(self, name) * k for name in big})
