"""Greedy dispatch of a given portfolio, and the CFE figures of any hourly dispatch.

Greedy: each hour the battery charges from the portfolio's surplus and discharges into its
deficit, as far as its power and state of charge allow. This maximises the energy matched
in the same hour (every MWh of deficit is worth the same, so holding energy back never
helps), hence it maximises the CFE score when the grid's carbon-free share is the same in
every hour. When the grid's share varies, saving energy for the dirtiest hours can score
higher: :func:`planner.cfe.solve.solve_portfolio` optimises that, this does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from planner.cfe.model import HOURS_PER_YEAR, hourly_array
from planner.errors import InputError


@dataclass(frozen=True)
class DispatchResult:
    """CFE figures of a dispatch (annual; leading axes are the portfolios' shape).

    Hourly arrays have the hours as their last axis: MW, and MWh for ``soc_mwh`` (state of
    charge at the start of each hour). Emissions are tonnes CO2 per year.
    """

    cfe_score: np.ndarray
    annual_matched_share: np.ndarray
    excess_mwh: np.ndarray
    emissions_market_t: np.ndarray
    emissions_location_t: np.ndarray
    matched_mw: np.ndarray
    grid_mw: np.ndarray
    charge_mw: np.ndarray
    discharge_mw: np.ndarray
    soc_mwh: np.ndarray


def simulate_portfolio(
    load_mw: ArrayLike,
    grid_cfe: ArrayLike,
    solar_cf: ArrayLike,
    wind_cf: ArrayLike,
    solar_mw: ArrayLike,
    wind_mw: ArrayLike,
    battery_mwh: ArrayLike,
    *,
    battery_duration_h: float = 4.0,
    round_trip_efficiency: float = 0.85,
    grid_carbon_g_per_kwh: ArrayLike | None = None,
) -> DispatchResult:
    """CFE score of a given portfolio with greedy dispatch over a cyclic year.

    Parameters
    ----------
    load_mw, grid_cfe, solar_cf, wind_cf : array (hours,)
        As in :class:`planner.cfe.CfeSite`.
    solar_mw, wind_mw, battery_mwh : array-like
        Capacities; any broadcastable shape, e.g. a grid of portfolios evaluated at once.
    battery_duration_h : float
        Energy over power [h].
    round_trip_efficiency : float
        AC-AC; charge and discharge each lose ``sqrt`` of it.
    grid_carbon_g_per_kwh : array (hours,), optional
        Hourly grid intensity for the emissions; zeros if omitted.

    Returns
    -------
    DispatchResult
        The cyclic year: the battery ends as it started (the largest such state of charge).
    """
    load = hourly_array(load_mw, "load_mw")
    n = load.size
    cfe = hourly_array(grid_cfe, "grid_cfe", n)
    s_mw, w_mw, energy = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (solar_mw, wind_mw, battery_mwh))
    )
    gen = _generation(solar_cf, wind_cf, s_mw, w_mw, n)
    if not (np.all(np.isfinite(energy)) and np.all(energy >= 0)):
        raise InputError("expected battery capacities of zero or more MWh", field="battery_mwh")
    if not (0.0 < round_trip_efficiency <= 1.0 and battery_duration_h > 0):
        raise InputError(
            "expected an efficiency in 0..1 and a duration above zero hours",
            field="round_trip_efficiency",
        )
    charge, discharge, soc = greedy_dispatch(
        gen - load, energy, battery_duration_h, float(np.sqrt(round_trip_efficiency))
    )
    carbon = (
        np.zeros(n)
        if grid_carbon_g_per_kwh is None
        else hourly_array(grid_carbon_g_per_kwh, "grid_carbon_g_per_kwh", n)
    )
    return dispatch_figures(load, cfe, carbon, gen, charge, discharge, soc)


def _generation(solar_cf, wind_cf, solar_mw, wind_mw, n: int) -> np.ndarray:
    """Portfolio output per hour, shape (*portfolios, hours)."""
    solar = hourly_array(solar_cf, "solar_cf", n)
    wind = hourly_array(wind_cf, "wind_cf", n)
    s_mw, w_mw = solar_mw, wind_mw
    if not (
        np.all(np.isfinite(s_mw))
        and np.all(s_mw >= 0)
        and np.all(w_mw >= 0)
        and np.all(np.isfinite(w_mw))
    ):
        raise InputError("expected solar and wind capacities of zero or more MW", field="solar_mw")
    return s_mw[..., None] * solar + w_mw[..., None] * wind


def greedy_dispatch(
    net_mw: np.ndarray, energy_mwh: np.ndarray, duration_h: float, eta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charge from surplus, discharge to deficit; cyclic year, vectorised over portfolios.

    ``net_mw`` is generation - load, shape (*portfolios, hours); ``eta`` the one-way
    efficiency. Returns charge, discharge (MW) and the state of charge at the start of each
    hour (MWh). The year is cyclic: it starts at the largest state of charge that it also
    ends at, which matches the most energy (greedy is monotone in the starting state).
    """
    energy = np.asarray(energy_mwh, dtype=float)[..., None]
    power = energy / duration_h
    # the change of state each hour before the bounds 0 and E: s' = clip(s + step, 0, E)
    step = np.where(net_mw > 0, eta * np.minimum(net_mw, power), -np.minimum(-net_mw, power) / eta)
    shift, low, high = clip_scan(step, np.zeros_like(step), np.broadcast_to(energy, step.shape))
    # the year's map x -> clip(x + a, l, u): its largest fixed point is u if a >= 0, else l
    start = np.where(shift[..., -1] >= 0, high[..., -1], low[..., -1])[..., None]
    after = np.clip(start + shift, low, high)  # state at the end of each hour
    soc = np.concatenate([start, after[..., :-1]], axis=-1)
    change = after - soc
    return np.maximum(change, 0.0) / eta, np.maximum(-change, 0.0) * eta, soc


def clip_scan(
    shift: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prefix compositions of the maps ``x -> clip(x + shift, low, high)`` along the last axis.

    Such maps are closed under composition (applying (a1, l1, u1) then (a2, l2, u2) gives
    ``(a1 + a2, clip(l1 + a2, l2, u2), clip(u1 + a2, l2, u2))``), so the state after every
    hour follows from log2(hours) vectorised steps instead of a loop over hours.
    """
    a, lo, hi = shift.copy(), np.array(low, dtype=float), np.array(high, dtype=float)
    offset = 1
    while offset < a.shape[-1]:
        pa, pl, ph = a[..., :-offset], lo[..., :-offset], hi[..., :-offset]
        ca, cl, ch = a[..., offset:], lo[..., offset:], hi[..., offset:]
        new_lo = np.clip(pl + ca, cl, ch)
        new_hi = np.clip(ph + ca, cl, ch)
        a[..., offset:] = pa + ca
        lo[..., offset:], hi[..., offset:] = new_lo, new_hi
        offset *= 2
    return a, lo, hi


def dispatch_figures(
    load: np.ndarray,
    grid_cfe: np.ndarray,
    carbon: np.ndarray,
    generation: np.ndarray,
    charge: np.ndarray,
    discharge: np.ndarray,
    soc: np.ndarray,
) -> DispatchResult:
    """The CFE figures of an hourly dispatch (Google 2021 definitions), annualised."""
    year = HOURS_PER_YEAR / load.size
    supply = generation + discharge - charge
    matched = np.clip(supply, 0.0, load)
    grid = load - matched
    load_sum = load.sum()
    return DispatchResult(
        cfe_score=(matched + grid_cfe * grid).sum(axis=-1) / load_sum,
        annual_matched_share=np.minimum(1.0, generation.sum(axis=-1) / load_sum),
        excess_mwh=np.maximum(supply - load, 0.0).sum(axis=-1) * year,
        # MWh x g/kWh = kg; / 1000 = t
        emissions_market_t=(grid * carbon).sum(axis=-1) * year / 1e3,
        emissions_location_t=np.broadcast_to(
            (load * carbon).sum() * year / 1e3, matched.shape[:-1]
        ).copy(),
        matched_mw=matched,
        grid_mw=grid,
        charge_mw=charge,
        discharge_mw=discharge,
        soc_mwh=soc,
    )
