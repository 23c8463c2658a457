"""The least-cost PPA portfolio that reaches a target CFE score: a linear program on HiGHS.

Variables (load scaled to a peak of 1 MW inside; results are scaled back): solar S [MW],
wind W [MW], battery energy E [MWh]; per hour h the matched energy m_h, charge c_h,
discharge d_h and state of charge s_h (at the start of the hour). Constraints:

- ``0 <= m_h <= load_h``;
- ``m_h + c_h <= S*solar_h + W*wind_h + d_h``: the battery charges from the portfolio only
  (the slack is the excess, spilled or sold);
- ``s_{h+1} = s_h + eta*c_h - d_h/eta``, cyclic (the hour after the last is the first);
- ``s_h <= E``, ``c_h <= E/duration``, ``d_h <= E/duration``;
- the score: ``sum_h m_h*(1 - grid_cfe_h) >= target*sum_h load_h - sum_h grid_cfe_h*load_h``;
- ``S, W <= max_build_multiple * peak load``, ``E <= that * duration``.

Objective, per year (``year = 8760 / hours``):

- virtual PPA: ``S*sum solar_h*(strike_s - price_h) + W*sum wind_h*(strike_w - price_h)
  + E*battery``: every MWh generated is bought at the strike and sold at the hourly price.
  The net cost is negative when a PPA is in the money; the bounds keep the LP bounded and
  the solution then builds the bound (a financial hedge, not a need of the load).
- physical PPA: ``S*strike_s*sum solar_h + W*strike_w*sum wind_h + E*battery
  - sum_h price_h*m_h``: all generation is paid at the strike, matched energy saves the
  grid price, excess is worth nothing.

Both are the cost of the portfolio over buying all of the load from the grid. A tiny cost
on battery throughput removes pointless charge-and-discharge from the reported dispatch.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from planner.cfe.dispatch import dispatch_figures, greedy_dispatch
from planner.cfe.fast import fast_capacities
from planner.cfe.model import CfeSite, PortfolioCosts, PortfolioResult, check_target
from planner.errors import InputError

THROUGHPUT_USD_PER_MWH = 1e-3  # tie-break only: below any real price by five orders
METHODS = ("lp", "fast")


def solve_portfolio(
    load_mw,
    grid_cfe,
    solar_cf,
    wind_cf,
    price_usd_per_mwh,
    grid_carbon_g_per_kwh=None,
    *,
    target: float,
    costs: PortfolioCosts | None = None,
    method: str = "lp",
) -> PortfolioResult:
    """Least-cost solar, wind and battery reaching ``target`` CFE score at one site.

    Parameters
    ----------
    load_mw, grid_cfe, solar_cf, wind_cf, price_usd_per_mwh, grid_carbon_g_per_kwh :
        Hourly arrays, as in :class:`planner.cfe.CfeSite` (8,760 values for a year).
    target : float
        Target CFE score, 0-1 (hourly matched, grid's carbon-free share included).
    costs : PortfolioCosts, optional
        Strike prices, battery cost and limits; the defaults of data/finance.toml if omitted.
    method : {"lp", "fast"}
        "lp": the full hourly LP on HiGHS (exact; seconds per site for a year). "fast": the
        three capacities by SLSQP with greedy dispatch (:mod:`planner.cfe.fast`; exact when
        ``grid_cfe`` is constant, otherwise a feasible portfolio that may cost a little more).

    Returns
    -------
    PortfolioResult
        ``status`` "optimal", "unreachable" (with the reason) or "failed".
    """
    site = CfeSite(
        load_mw,
        grid_cfe,
        solar_cf,
        wind_cf,
        price_usd_per_mwh,
        np.zeros(0) if grid_carbon_g_per_kwh is None else grid_carbon_g_per_kwh,
    )
    return solve_site(site, target, costs or PortfolioCosts(), method)


def solve_site(
    site: CfeSite, target: float, costs: PortfolioCosts, method: str = "lp"
) -> PortfolioResult:
    """:func:`solve_portfolio` for a :class:`CfeSite`: solved at a peak load of 1 MW."""
    target = check_target(target)
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", field="method")
    peak = float(site.load_mw.max())
    unit = _with_load(site, site.load_mw / peak)
    started = time.perf_counter()
    result = _solve_lp(unit, target, costs) if method == "lp" else _solve_fast(unit, target, costs)
    return replace(result.scaled(peak), solve_seconds=time.perf_counter() - started, method=method)


def _solve_fast(site: CfeSite, target: float, costs: PortfolioCosts) -> PortfolioResult:
    caps = fast_capacities(site, target, costs)
    if caps is None:
        return _unreachable(site, target, costs)
    s_mw, w_mw, e_mwh = (float(v) for v in caps)
    gen = s_mw * site.solar_cf + w_mw * site.wind_cf
    charge, discharge, soc = greedy_dispatch(
        gen - site.load_mw, np.array(e_mwh), costs.battery_duration_h, costs.efficiency_one_way
    )
    fig = dispatch_figures(
        site.load_mw, site.grid_cfe, site.grid_carbon_g_per_kwh, gen, charge, discharge, soc
    )
    cost = portfolio_cost(site, costs, s_mw, w_mw, e_mwh, fig.matched_mw)
    return _make(site, target, "optimal", "", (s_mw, w_mw, e_mwh), costs, fig, cost)


def _solve_lp(site: CfeSite, target: float, costs: PortfolioCosts) -> PortfolioResult:
    c, a_ub, b_ub, a_eq, bounds = build_lp(site, target, costs)
    solved = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.zeros(a_eq.shape[0]),
        bounds=bounds,
        method="highs",
    )
    if solved.status == 2:
        return _unreachable(site, target, costs)
    if solved.status != 0:
        return _empty(site, target, "failed", f"the solver stopped: {solved.message}")
    return _result(site, target, costs, solved.x)


def _with_load(site: CfeSite, load: np.ndarray) -> CfeSite:
    return CfeSite(
        load,
        site.grid_cfe,
        site.solar_cf,
        site.wind_cf,
        site.price_usd_per_mwh,
        site.grid_carbon_g_per_kwh,
    )


def build_lp(site: CfeSite, target: float, costs: PortfolioCosts):
    """The LP in scipy's form: variables ``[S, W, E, m(n), c(n), d(n), s(n)]``.

    Returns ``(c, A_ub, b_ub, A_eq, bounds)``; the equality right-hand side is zero.
    """
    n = site.hours
    load, cfe = site.load_mw, site.grid_cfe
    eta, dur = costs.efficiency_one_way, costs.battery_duration_h
    eye = sp.identity(n, format="csr")
    zero = sp.csr_matrix((n, n))
    col = sp.csr_matrix
    ones = np.ones((n, 1))
    # m + c - d - S*solar - W*wind <= 0
    balance = sp.hstack(
        [
            col(-site.solar_cf[:, None]),
            col(-site.wind_cf[:, None]),
            col((n, 1)),
            eye,
            eye,
            -eye,
            zero,
        ]
    )
    # s - E <= 0; c - E/dur <= 0; d - E/dur <= 0
    soc_cap = sp.hstack([col((n, 2)), col(-ones), zero, zero, zero, eye])
    charge_cap = sp.hstack([col((n, 2)), col(-ones / dur), zero, eye, zero, zero])
    discharge_cap = sp.hstack([col((n, 2)), col(-ones / dur), zero, zero, eye, zero])
    # -sum m*(1 - cfe) <= -(target*L - sum cfe*load)
    score = sp.hstack([col((1, 3)), col(-(1.0 - cfe)[None, :]), col((1, 3 * n))])
    a_ub = sp.vstack([balance, soc_cap, charge_cap, discharge_cap, score], format="csr")
    b_ub = np.zeros(4 * n + 1)
    b_ub[-1] = -(target * load.sum() - (cfe * load).sum())
    # s_{h+1} - s_h - eta*c_h + d_h/eta = 0, with s_n = s_0
    step = sp.diags([-np.ones(n), np.ones(n - 1)], [0, 1], shape=(n, n), format="lil")
    step[n - 1, 0] += 1.0  # the cyclic year (n = 1: s_0 - s_0 = 0)
    a_eq = sp.hstack([col((n, 3)), zero, -eta * eye, eye / eta, step.tocsr()], format="csr")
    return _objective(site, costs), a_ub, b_ub, a_eq, _bounds(site, costs)


def _objective(site: CfeSite, costs: PortfolioCosts) -> np.ndarray:
    """Annual net cost per unit of each variable (see the module docstring)."""
    n, year = site.hours, site.year_factor
    price = site.price_usd_per_mwh
    strikes = np.array([costs.solar_strike_usd_per_mwh, costs.wind_strike_usd_per_mwh])
    profiles = np.stack([site.solar_cf, site.wind_cf])
    c = np.zeros(3 + 4 * n)
    if costs.contract == "virtual":
        c[:2] = year * ((strikes[:, None] - price[None, :]) * profiles).sum(axis=1)
    else:
        c[:2] = year * strikes * profiles.sum(axis=1)
        c[3 : 3 + n] = -year * price
    c[2] = costs.battery_usd_per_kwh_year * 1000.0
    c[3 + n : 3 + 3 * n] = year * THROUGHPUT_USD_PER_MWH
    return c


def _bounds(site: CfeSite, costs: PortfolioCosts) -> np.ndarray:
    n = site.hours
    cap = costs.max_build_multiple * float(site.load_mw.max())
    bounds = np.zeros((3 + 4 * n, 2))
    bounds[:, 1] = np.inf
    bounds[:2, 1] = cap
    bounds[2, 1] = cap * costs.battery_duration_h
    bounds[3 : 3 + n, 1] = site.load_mw
    return bounds


def _result(site: CfeSite, target: float, costs: PortfolioCosts, x: np.ndarray):
    """Figures of the LP's portfolio and dispatch (matched recomputed from the dispatch)."""
    n = site.hours
    s_mw, w_mw, e_mwh = (max(0.0, float(v)) for v in x[:3])
    charge, discharge, soc = (np.maximum(x[3 + k * n : 3 + (k + 1) * n], 0.0) for k in (1, 2, 3))
    gen = s_mw * site.solar_cf + w_mw * site.wind_cf
    fig = dispatch_figures(
        site.load_mw, site.grid_cfe, site.grid_carbon_g_per_kwh, gen, charge, discharge, soc
    )
    cost = portfolio_cost(site, costs, s_mw, w_mw, e_mwh, fig.matched_mw)
    return _make(site, target, "optimal", "", (s_mw, w_mw, e_mwh), costs, fig, cost)


def portfolio_cost(
    site: CfeSite,
    costs: PortfolioCosts,
    s_mw: float,
    w_mw: float,
    e_mwh: float,
    matched_mw: np.ndarray,
) -> float:
    """Annual net cost of a portfolio [USD/year] under the contract (module docstring)."""
    x = np.zeros(3 + 4 * site.hours)
    x[:3] = s_mw, w_mw, e_mwh
    x[3 : 3 + site.hours] = matched_mw
    return float(_objective(site, costs)[: 3 + site.hours] @ x[: 3 + site.hours])


def _make(site, target, status, reason, caps, costs, fig, cost) -> PortfolioResult:
    load_mwh = float(site.load_mw.sum() * site.year_factor)
    grid_only = float((site.grid_cfe * site.load_mw).sum() / site.load_mw.sum())
    return PortfolioResult(
        status=status,
        reason=reason,
        target=target,
        solar_mw=caps[0],
        wind_mw=caps[1],
        battery_mwh=caps[2],
        battery_mw=caps[2] / costs.battery_duration_h,
        cfe_score=float(fig.cfe_score),
        grid_only_score=grid_only,
        annual_matched_share=float(fig.annual_matched_share),
        excess_mwh=float(fig.excess_mwh),
        load_mwh=load_mwh,
        net_cost_usd_per_year=cost,
        cost_usd_per_mwh_load=cost / load_mwh,
        emissions_market_t=float(fig.emissions_market_t),
        emissions_location_t=float(fig.emissions_location_t),
        matched_mw=fig.matched_mw,
        grid_mw=fig.grid_mw,
        charge_mw=fig.charge_mw,
        discharge_mw=fig.discharge_mw,
        soc_mwh=fig.soc_mwh,
    )


def _empty(site: CfeSite, target: float, status: str, reason: str) -> PortfolioResult:
    nan = float("nan")
    fig = dispatch_figures(
        site.load_mw,
        site.grid_cfe,
        site.grid_carbon_g_per_kwh,
        np.zeros(site.hours),
        *(np.zeros(site.hours) for _ in range(3)),
    )
    result = _make(site, target, status, reason, (nan, nan, nan), PortfolioCosts(), fig, nan)
    return replace(result, cfe_score=nan)


def _unreachable(site: CfeSite, target: float, costs: PortfolioCosts) -> PortfolioResult:
    """Why the target is out of reach: the score of the largest portfolio allowed."""
    from planner.cfe.dispatch import simulate_portfolio

    cap = costs.max_build_multiple
    best = simulate_portfolio(
        site.load_mw,
        site.grid_cfe,
        site.solar_cf,
        site.wind_cf,
        cap,
        cap,
        cap * costs.battery_duration_h,
        battery_duration_h=costs.battery_duration_h,
        round_trip_efficiency=costs.round_trip_efficiency,
    )
    reason = (
        f"even the largest portfolio allowed ({cap:g} x the peak load of solar and of wind, "
        f"with {cap * costs.battery_duration_h:g} hours of peak load in storage) reaches "
        f"about {100 * float(best.cfe_score):.1f} % against a target of {100 * target:.1f} %"
    )
    return _empty(site, target, "unreachable", reason)


def site_key(site: CfeSite, target: float, costs: PortfolioCosts) -> str:
    """Digest of a site's inputs at a peak load of 1 MW: equal keys, equal (scaled) results."""
    digest = hashlib.sha256(repr((target, costs)).encode())
    digest.update((site.load_mw / site.load_mw.max()).tobytes())
    for name in ("grid_cfe", "solar_cf", "wind_cf", "price_usd_per_mwh", "grid_carbon_g_per_kwh"):
        digest.update(getattr(site, name).tobytes())
    return digest.hexdigest()


def solve_portfolios(
    sites: Sequence[CfeSite],
    target: float,
    costs: PortfolioCosts | None = None,
    method: str = "lp",
) -> list[PortfolioResult]:
    """:func:`solve_portfolio` for many sites; identical inputs (up to load scale) solve once.

    Sites whose arrays are equal once the load is divided by its peak share one LP; each
    gets the result scaled to its own peak. Returns one result per site, in order.
    """
    costs = costs or PortfolioCosts()
    target = check_target(target)
    solved: dict[str, tuple[PortfolioResult, float]] = {}
    results = []
    for site in sites:
        key = site_key(site, target, costs) + method
        peak = float(site.load_mw.max())
        if key not in solved:
            solved[key] = (solve_site(site, target, costs, method), peak)
        first, first_peak = solved[key]
        results.append(first if peak == first_peak else first.scaled(peak / first_peak))
    return results
