"""The report's "24/7 carbon-free matching" section: each recommended site's PPA portfolio.

Present only when the scenario set ``energy.cfe_target`` (the metrics then carry the ``cfe_*``
columns of :mod:`planner.matching`). Tables are display text built from those numbers; the two
charts per site (hour-of-day by month, and the duration curve) come from :mod:`planner.charts`,
as in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner import charts
from planner.matching import portfolio_sentence
from planner.report.sources import Table
from planner.results import Results

MAX_CHARTED_SITES = 3
"""Sites whose hourly charts the report draws: the recommended ones, largest share first."""


@dataclass
class SiteMatchingCharts:
    name: str
    heatmap: Any  # matplotlib Figure
    duration: Any


@dataclass
class MatchingSection:
    target: float
    intro: str
    portfolio: Table
    note: str
    charts: list[SiteMatchingCharts]


def _number(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out


def _text(value: Any, fmt: str, scale: float = 1.0, unit: str = "") -> str:
    number = _number(value)
    if not np.isfinite(number):
        return "–"
    return f"{number * scale:{fmt}}{unit}"


PORTFOLIO_ROWS: list[tuple[str, str, str, float, str]] = [
    ("cfe_score", "CFE score (hourly matched)", ".1f", 100.0, " %"),
    ("cfe_grid_score", "Grid alone, same hours", ".1f", 100.0, " %"),
    ("cfe_annual_matched", "Annual matched (volume)", ".0f", 100.0, " %"),
    ("cfe_solar_mw", "Solar PPA", ",.0f", 1.0, " MW"),
    ("cfe_wind_mw", "Wind PPA", ",.0f", 1.0, " MW"),
    ("cfe_battery_mwh", "Battery", ",.0f", 1.0, " MWh"),
    ("cfe_excess_mwh_per_year", "Surplus (not used in its hour)", ",.0f", 1e-3, " GWh/yr"),
    ("cfe_usd_per_mwh", "Portfolio net cost per MWh of load", ",.1f", 1.0, " USD"),
    ("co2_location_t_per_year", "CO₂ location-based", ",.0f", 1.0, " t/yr"),
    ("co2_market_t_per_year", "CO₂ hourly market-based", ",.0f", 1.0, " t/yr"),
]
"""Metrics column, label, format, scale, unit: one row of the portfolio table each."""


def _matched_sites(results: Results, sites: list[str]) -> tuple[float, list[tuple[str, str]]]:
    """The target and the (site id, name) pairs to describe; no pairs without matching."""
    metrics = results.evaluation.metrics
    target = results.scenario.energy.cfe_target
    if target is None or "cfe_score" not in metrics:
        return 0.0, []
    names = metrics["name"].astype(str) if "name" in metrics else None
    return float(target), [
        (s, str(names[s]) if names is not None else str(s)) for s in sites if s in metrics.index
    ]


def build_matching(results: Results, sites: list[str]) -> MatchingSection | None:
    """The section for the recommended ``sites``; None without a CFE target or sites."""
    target, pairs = _matched_sites(results, sites)
    if not pairs:
        return None
    metrics = results.evaluation.metrics
    rows = [
        [label, *(_text(metrics.at[s, col], fmt, scale, unit) for s, _ in pairs)]
        for col, label, fmt, scale, unit in PORTFOLIO_ROWS
        if col in metrics
    ]
    table = Table(
        headers=["At full build-out", *(name for _, name in pairs)],
        rows=rows,
        numeric=[False] + [True] * len(pairs),
    )
    return MatchingSection(
        target=target,
        intro=portfolio_sentence(metrics, target, pairs),
        portfolio=table,
        note=(
            "The CFE score counts, hour by hour, the load met by the portfolio plus the grid's "
            "own carbon-free share of the rest (Google's 24/7 CFE method, 2021). The portfolio "
            "is the least-cost solar, wind and 4-hour battery that reaches the target at each "
            "site, dispatched over 8,760 hours (a search over the three capacities, checked "
            "against the exact linear program); every PPA MWh is paid at its strike and only "
            "the MWh that meet the load in their hour save that hour's price. Hourly "
            "market-based CO₂ counts grid energy at its hour's intensity. Sources and "
            "limits: docs/cfe.md."
        ),
        charts=_charts(results, pairs, target),
    )


def matching_sentence(results: Results, sites: list[str]) -> str | None:
    """What the 24/7 target asks and what each recommended site's portfolio does, in words."""
    target, pairs = _matched_sites(results, sites)
    return portfolio_sentence(results.evaluation.metrics, target, pairs) if pairs else None


def _charts(
    results: Results, pairs: list[tuple[str, str]], target: float
) -> list[SiteMatchingCharts]:
    ev = results.evaluation
    if getattr(ev, "hourly_cfe", None) is None:
        return []
    out = []
    for site, name in pairs[:MAX_CHARTED_SITES]:
        row = ev.cfe_row(site)
        share, grid = ev.hourly_cfe[row], ev.hourly_grid_cfe[row]
        out.append(
            SiteMatchingCharts(
                name=name,
                heatmap=charts.cfe_heatmap(
                    share, title=f"Hourly carbon-free share: {name} (month × hour of day)"
                ),
                duration=charts.cfe_duration_curve(
                    share, grid, target=target, title=f"Hours at each carbon-free share: {name}"
                ),
            )
        )
    return out
