"""24/7 carbon-free energy (CFE): hourly matching of a site's load with a PPA portfolio.

Definitions follow Google, *24/7 Carbon-Free Energy: Methodologies and Metrics* (2021). In
hour h, the portfolio's clean supply is solar + wind + battery discharge - battery charge;
``matched_h = min(load_h, supply_h)`` and ``grid_h = load_h - matched_h``. The CFE score is

    sum_h (matched_h + grid_cfe_h * grid_h) / sum_h load_h,

the share of the load met by carbon-free energy in the same hour, counting the grid's own
carbon-free share for what the portfolio leaves to the grid.

- :func:`solve_portfolio`: the least-cost solar MW, wind MW and battery MWh that reach a
  target CFE score, as a linear program solved by HiGHS (:mod:`planner.cfe.solve`).
- :func:`solve_portfolios`: the same for many sites, solving identical inputs once.
- :func:`simulate_portfolio`: the score of a given portfolio under greedy dispatch.
- :func:`grid_cfe_shape`: an hourly carbon-free share from a region's annual share.

docs/cfe.md explains the model, the contract (virtual or physical PPA) and the costs.
"""

from __future__ import annotations

from planner.cfe.dispatch import DispatchResult, simulate_portfolio
from planner.cfe.model import (
    HOURS_PER_YEAR,
    CfeSite,
    PortfolioCosts,
    PortfolioResult,
    annual_battery_cost_usd_per_kwh,
)
from planner.cfe.shape import grid_cfe_shape
from planner.cfe.solve import METHODS, solve_portfolio, solve_portfolios

__all__ = [
    "HOURS_PER_YEAR",
    "METHODS",
    "CfeSite",
    "DispatchResult",
    "PortfolioCosts",
    "PortfolioResult",
    "annual_battery_cost_usd_per_kwh",
    "grid_cfe_shape",
    "simulate_portfolio",
    "solve_portfolio",
    "solve_portfolios",
]
