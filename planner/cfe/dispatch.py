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
    a = np.array(shift, dtype=float)
    # low and high stacked: one operation clips both ends of the composed maps
    bounds = np.stack(np.broadcast_arrays(np.asarray(low, float), np.asarray(high, float)))
    offset = 1
    while offset < a.shape[-1]:
        ends = bounds[..., :-offset] + a[..., offset:]
        np.maximum(ends, bounds[0:1, ..., offset:], out=ends)
        np.minimum(ends, bounds[1:2, ..., offset:], out=ends)
        bounds[..., offset:] = ends
        a[..., offset:] += a[..., :-offset]  # numpy buffers the overlapping operands
        offset *= 2
    return a, bounds[0], bounds[1]


def greedy_tangent(
    net_mw: np.ndarray,
    d_net_mw: np.ndarray,
    d_energy_mwh: np.ndarray,
    energy_mwh: float,
    duration_h: float,
    eta: float,
    soc_mwh: np.ndarray,
) -> np.ndarray:
    """Derivatives of one greedy dispatch's state of charge along some directions.

    ``net_mw`` (hours,) and ``soc_mwh`` are one portfolio's net output and greedy state of
    charge (:func:`greedy_dispatch`); ``d_net_mw`` (k, hours) and ``d_energy_mwh`` (k,) are
    the derivatives of the net output and of the energy capacity along k directions (for
    solar MW: the solar profile and 0). Returns the derivative of the state of charge at
    the start of each hour, (k, hours) MWh per unit; charge and discharge are its hourly
    differences over ``eta`` and times ``eta``.

    Between two hours where the state hits a bound it moves by the hourly steps, so its
    derivative is the sum of the steps' derivatives since the last hour that hit 0 (where it
    is 0) or E (where it is dE): a segmented cumulative sum, wrapping round the cyclic year.
    At a kink (a step ending exactly on a bound) this is one of the one-sided derivatives.
    """
    power = energy_mwh / duration_h
    d_energy = np.asarray(d_energy_mwh, dtype=float)
    charging = net_mw > 0
    free = np.abs(net_mw) < power  # else the power limit sets the step
    gain = np.where(charging, eta, 1.0 / eta)
    d_step = np.where(free, gain, 0.0) * d_net_mw
    d_step += np.outer(d_energy, np.where(free, 0.0, np.where(charging, gain, -gain) / duration_h))
    after = np.roll(soc_mwh, -1)
    step = np.where(charging, eta, -1.0 / eta) * np.minimum(np.abs(net_mw), power)
    tol = 1e-12 * max(energy_mwh, 1.0)
    # hours that end on a bound the step would have crossed: the state restarts there
    full = charging & (after >= energy_mwh - tol) & (after - soc_mwh < step - tol)
    empty = ~charging & (after <= tol) & (after - soc_mwh > step + tol)
    hits = np.flatnonzero(full | empty)
    total = np.cumsum(d_step, axis=-1)
    if hits.size == 0:  # never at a bound (E = 0, or a measure-zero balance): start held
        return np.roll(total, 1, axis=-1)
    # after a restart at hour j: d_after_h = restart_j + total_h - total_j; before the
    # first, the year's last restart carried round the end of the year
    restart = np.outer(d_energy, full[hits]) - total[:, hits]
    restart = np.column_stack([restart, restart[:, -1] + total[:, -1]])
    segment = np.cumsum(full | empty) - 1  # -1 before the first: the wrapped column
    return np.roll(restart[:, segment] + total, 1, axis=-1)


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
