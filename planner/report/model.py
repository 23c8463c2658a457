"""The report model: everything a report shows, computed once from a :class:`Results`.

The HTML and PDF writers only lay this out; they compute nothing. Numbers are kept as numbers
(for tests and for any other writer) next to their display text. Charts are matplotlib figures
made by :mod:`planner.charts`, the same functions the GUI draws with.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from planner import charts
from planner.report.decision import Decision, WhySection, build_decision, build_why
from planner.report.exports import allocation_table, catalog_sources, chosen_sites
from planner.report.matching import MatchingSection, build_matching
from planner.report.sources import SourcesSection, Table, build_sources_section
from planner.results import Results
from planner.scenario import scenario_to_dict

MAX_SITE_PAGES = 6
COMPARE_SITES = 4

# Criteria of the side-by-side comparison: column, label with unit, format.
COMPARISON_ROWS: list[tuple[str, str, str]] = [
    ("score", "Weighted score (0-1, higher is better)", "{:.3f}"),
    ("rank", "Weighted-score rank", "{:.0f}"),
    ("usd_per_gpu_hour", "Cost per GPU-hour [USD]", "{:.3f}"),
    ("tco_usd", "TCO, net present [USD million]", "musd"),
    ("capital_nominal_usd", "Capital at full build-out, nominal [USD million]", "musd"),
    (
        "capital_charges_pv_usd",
        "Capital charges inside the horizon, net present [USD million]",
        "musd",
    ),
    ("cost_energy_usd", "Energy cost, net present [USD million]", "musd"),
    ("rent_usd_per_gpu_hour", "Cloud rent for comparison [USD per GPU-hour]", "{:.2f}"),
    ("build_minus_rent_usd", "Build minus rent [USD million] (negative: build is cheaper)", "musd"),
    ("price_usd_per_mwh", "Effective energy price [USD/MWh]", "{:.1f}"),
    ("cooling_technology", "Cooling technology", "{}"),
    ("pue_annual", "PUE, annual [-]", "{:.3f}"),
    ("pue_peak", "PUE, peak hour [-]", "{:.3f}"),
    ("wue_l_per_kwh", "WUE [L/kWh IT]", "{:.2f}"),
    ("economizer_hours", "Economizer hours [h/year]", "{:,.0f}"),
    ("design_it_mw", "Design IT load [MW]", "{:.1f}"),
    ("peak_facility_mw", "Peak facility load [MW]", "{:.1f}"),
    ("energy_mwh_per_year", "Facility energy [MWh/year]", "{:,.0f}"),
    ("co2_location_t_per_year", "CO2, location-based [t/year]", "{:,.0f}"),
    ("co2_market_t_per_year", "CO2, market-based [t/year]", "{:,.0f}"),
    ("market_factor_basis", "Market-based factor", "{}"),
    ("water_m3_per_year", "Water [m³/year]", "{:,.0f}"),
    ("water_weighted_m3_per_year", "Stress-weighted water [m³/year]", "{:,.0f}"),
    ("water_stress", "Water stress (0-5)", "{:.1f}"),
    ("latency_ms", "Latency to demand, round trip [ms]", "{:.0f}"),
    ("time_to_power_months", "Time to power [months]", "{:.0f}"),
    ("risk_score", "Risk (0 lowest, 1 highest)", "{:.2f}"),
    ("capacity_mw", "Grid capacity available [MW]", "{:.0f}"),
]

RANKING_COLUMNS: list[tuple[str, str, str]] = [
    ("rank", "Score rank", "{:.0f}"),
    ("name", "Site", "{}"),
    ("country", "Country", "{}"),
    ("score", "Weighted score", "{:.3f}"),
    ("usd_per_gpu_hour", "USD per GPU-h", "{:.3f}"),
    ("pue_annual", "PUE", "{:.2f}"),
    ("wue_l_per_kwh", "WUE L/kWh", "{:.2f}"),
    ("co2_market_t_per_year", "CO2 t/yr", "{:,.0f}"),
    ("time_to_power_months", "Power in (months)", "{:.0f}"),
]
# Column widths in percent: the site name gets the room, numbers what their text needs.
RANKING_WIDTHS = [6.0, 31.0, 8.0, 9.0, 9.0, 6.0, 8.0, 10.0, 13.0]

# Rows of the facts table on each site page (a subset of COMPARISON_ROWS, same order).
SITE_FACTS = {
    "usd_per_gpu_hour",
    "tco_usd",
    "capital_nominal_usd",
    "capital_charges_pv_usd",
    "cost_energy_usd",
    "build_minus_rent_usd",
    "price_usd_per_mwh",
    "cooling_technology",
    "pue_annual",
    "pue_peak",
    "wue_l_per_kwh",
    "design_it_mw",
    "peak_facility_mw",
    "co2_market_t_per_year",
    "water_m3_per_year",
    "water_stress",
    "latency_ms",
    "time_to_power_months",
    "capacity_mw",
}

RISK_ROWS = [
    ("risk_grid", "Grid reliability"),
    ("risk_hazard", "Natural hazard"),
    ("risk_constraint", "Power and permitting constraints"),
    ("risk_score", "Overall risk"),
]


# Kinds of screening rule (planner.optimize.screen), recognised by a phrase of the reason: the
# rule in words, and a pattern for the site's own figure.
RULE_KINDS: list[tuple[str, str, str]] = [
    ("below one block", "Grid capacity below one block", r"capacity ([\d,.]+ MW)"),
    ("-month horizon", "Power only after the horizon", r"(month \d+)"),
    ("time to power", "Time to power above the limit", r"time to power (\d+ months)"),
    ("allowed countries", "Outside the allowed countries (data residency)", r"country (\S+)"),
    ("water stress", "Water stress above the limit", r"water stress ([\d.]+)"),
    ("moratorium", "Grid-connection moratorium", r"^in (.+), a moratorium"),
    ("whole fleet must meet", "Too far for a whole-fleet latency rule", r"is (\d+ ms)"),
    (
        "hourly carbon-free target",
        "Cannot reach the 24/7 carbon-free target",
        r"reaches about ([\d.]+ %)",
    ),
    ("could not be evaluated", "No cost estimate", r"$^"),
    ("exclusion zone", "Inside an exclusion zone", r"'(.+)'"),
]


@dataclass
class SitePage:
    site_id: str
    name: str
    rank: int | None
    chosen: bool
    feasible: bool
    reasons: list[str]
    facts: Table
    risk: Table
    contributions: Table
    cost_chart: Figure
    monthly_chart: Figure


@dataclass
class ExcludedGroup:
    """Sites failing one kind of rule: the rule in words, the sites (name and own figure)."""

    rule: str
    sites: list[str]
    example: str  # one site's full reason, e.g. "time to power 60 months exceeds the ..."


@dataclass
class ReportModel:
    """What the report template renders; built by :func:`build_report`."""

    title: str
    scenario_name: str
    description: str
    date: str
    version: str
    status: str  # allocation status
    feasible: bool
    summary: list[str]  # sentences of the executive summary
    key_figures: list[tuple[str, str]]  # label, display text
    numbers: dict[str, float]  # the figures behind the summary, for tests and other writers
    recommended: list[str]  # site names
    allocation: Table | None
    allocation_message: str
    binding: list[str]
    ranking: Table
    failed: list[tuple[str, str]]  # site name, reasons
    excluded: list[ExcludedGroup]  # the same sites grouped by the rule they fail
    ranking_caption: str
    decision: Decision
    why: WhySection | None
    matching: MatchingSection | None  # 24/7 carbon-free matching, when the scenario asks
    comparison: Table
    sites: list[SitePage]
    # map, contributions, pareto, tornado, rank_probability, robustness
    charts: dict[str, Figure]
    assumptions: list[tuple[str, str]]  # dotted key, value text
    sources: SourcesSection
    warnings: list[str]


# --- formatting --------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if not np.isscalar(value) and not isinstance(value, pd.Timestamp):
        return False  # a tabulated parameter (list) is a value, never "missing"
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt(value: Any, spec: str) -> str:
    """Display text of a value: ``musd`` for USD millions, a format string otherwise."""
    if _missing(value):
        return "–"
    if isinstance(value, float | np.floating) and math.isinf(value):
        return "unlimited"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if spec == "musd":
        return f"{float(value) / 1e6:,.1f}"
    try:
        return spec.format(value)
    except (TypeError, ValueError):
        return str(value)


def money(usd: float) -> str:
    """USD amount in words a board reads: USD 712 million, USD 1.24 billion."""
    if _missing(usd):
        return "–"
    if abs(usd) >= 1e9:
        return f"USD {usd / 1e9:,.2f} billion"
    if abs(usd) >= 1e6:
        return f"USD {usd / 1e6:,.0f} million"
    return f"USD {usd:,.0f}"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- building ----------------------------------------------------------------------------


def default_basemap() -> Any | None:
    """Country outlines from the data catalog (or its embedded file), None when unavailable."""
    try:
        from planner.catalog import default_catalog

        return default_catalog().basemap
    except Exception:  # noqa: BLE001 - a report without outlines beats no report
        pass
    try:
        import geopandas as gpd

        from planner.paths import data_dir

        return gpd.read_file(data_dir() / "basemap_countries.geojson")
    except Exception:  # noqa: BLE001
        return None


def build_report(
    results: Results, *, basemap: Any | None = None, title: str | None = None
) -> ReportModel:
    """Gather the report's text, tables and charts from ``results``.

    Parameters
    ----------
    basemap : GeoDataFrame, optional
        Country outlines for the map; by default the catalog's.
    """
    scenario = results.scenario
    ev = results.evaluation
    metrics = ev.metrics
    ranking = results.ranking.reindex(metrics.index)
    table = metrics.join(ranking.drop(columns=[c for c in ranking if c in metrics]))
    names = (
        metrics["name"].astype(str)
        if "name" in metrics
        else pd.Series(metrics.index, index=metrics.index)
    )
    alloc = results.allocation
    chosen = chosen_sites(results) if alloc.feasible else []
    order = (
        list(table.sort_values("rank", kind="stable").index)
        if "rank" in table
        else list(table.index)
    )
    feasible_col = (
        table["feasible"].astype(bool)
        if "feasible" in table
        else pd.Series(True, index=table.index)
    )

    numbers, key_figures, summary = _summary(results, table, names, chosen, order, feasible_col)
    decision = build_decision(results)
    why = build_why(results, decision.sites)
    for key in ("capital_nominal_usd", "capital_horizon_usd", "rent_only_usd"):
        if key in decision.numbers:
            numbers[key] = decision.numbers[key]
    if "usd_per_gpu_hour" in decision.numbers:
        numbers["usd_per_gpu_hour"] = decision.numbers["usd_per_gpu_hour"]

    # Ranking table, every site, chosen ones highlighted.
    # The screening: sites that pass every hard constraint, in weighted-score order; those that
    # fail one are grouped by rule below the table (excluded_groups), not listed row by row.
    listed = [s for s in order if feasible_col[s]]
    ranking_table = Table(
        headers=[h for _, h, _ in RANKING_COLUMNS],
        rows=[
            [fmt(table.at[s, c], f) if c in table else "–" for c, _, f in RANKING_COLUMNS]
            for s in listed
        ],
        numeric=[f != "{}" for _, _, f in RANKING_COLUMNS],
        highlight=[s in chosen for s in listed],
        widths=RANKING_WIDTHS,
    )
    failed = [
        (names[s], str(table.at[s, "reasons"]))
        for s in order
        if not feasible_col[s] and "reasons" in table
    ]
    excluded = excluded_groups(table, names, order, feasible_col)
    weights = ", ".join(
        f"{k.replace('_', ' ')} {v:g}" for k, v in scenario.objective.weights.as_dict().items() if v
    )
    n_ok = int(feasible_col.sum())
    n_out = len(table) - n_ok
    ranking_caption = (
        f"The {n_ok} of {len(table)} candidate sites that pass every hard constraint, in order of "
        f"weighted score (weights: {weights})"
        + (f"; the {n_out} that fail one are grouped by rule below" if n_out else "")
        + ". A screening view: each row is the whole fleet at that one site, costs net present "
        "over the horizon. The recommendation is the optimizer's allocation, not the top score; "
        "recommended sites are highlighted."
    )

    top = list(dict.fromkeys(chosen + [s for s in order if feasible_col[s]]))[:COMPARE_SITES]
    comparison = Table(
        headers=["Criterion"] + [names[s] for s in top],
        rows=[
            [label] + [fmt(table.at[s, c], f) for s in top]
            for c, label, f in COMPARISON_ROWS
            if c in table
        ],
        numeric=[False] + [True] * len(top),
        widths=[36.0] + [64.0 / max(len(top), 1)] * len(top),
    )

    allocation = None
    if alloc.feasible:
        at = allocation_table(results)
        phase_cols = [c for c in at.columns if c.startswith("gpus_")]
        headers = (
            ["Site"]
            + [f"GPUs {c.removeprefix('gpus_').replace('_', ' ')}" for c in phase_cols]
            + ["GPUs", "Share"]
        )
        rows = [
            [names.get(s, s)]
            + [fmt(at.at[s, c], "{:,.0f}") for c in phase_cols]
            + [
                fmt(at.at[s, "gpus"], "{:,.0f}"),
                fmt(at.at[s, "share"], "{:.0%}") if "share" in at else "–",
            ]
            for s in at.index
        ]
        allocation = Table(
            headers=headers, rows=rows, numeric=[False] + [True] * (len(headers) - 1)
        )

    page_ids = list(dict.fromkeys(chosen + [s for s in order if feasible_col[s]][:3]))[
        :MAX_SITE_PAGES
    ]
    sites = [_site_page(results, table, s, s in chosen, bool(feasible_col[s])) for s in page_ids]

    figures: dict[str, Figure] = {}
    map_sites = table[
        [c for c in ("name", "lat", "lon", "score", "feasible", "rank") if c in table]
    ]
    figures["map"] = charts.site_map(
        map_sites, default_basemap() if basemap is None else basemap, chosen=chosen
    )
    if any(c.startswith("contrib_") for c in table.columns) and "rank" in table:
        figures["contributions"] = charts.score_contributions(table, names)
    if results.pareto is not None and len(results.pareto):
        co2_t = numbers.get("co2_t_horizon", math.nan)
        figures["pareto"] = charts.pareto_front(
            results.pareto,
            chosen_cost_usd=numbers.get("tco_usd") if alloc.feasible else None,
            chosen_co2_t=co2_t if alloc.feasible and math.isfinite(co2_t) else None,
        )
    if results.sensitivity is not None and len(results.sensitivity):
        figures["tornado"] = charts.tornado(
            results.sensitivity, recommended=[names[s] for s in decision.sites] or None
        )
    robustness = (results.recommendation or {}).get("robustness") or {}
    if robustness.get("p_in_optimum") is not None:
        figures["robustness"] = charts.allocation_robustness(
            robustness["p_in_optimum"], names, chosen=decision.sites
        )
    if (
        results.uncertainty is not None
        and len(results.uncertainty)
        and "p_first" in results.uncertainty
    ):
        figures["rank_probability"] = charts.rank_probability(
            results.uncertainty, names, top_k=scenario.analysis.uncertainty.top_k
        )

    sources = build_sources_section(
        ev.provenance,
        catalog_sources(),
        cooling_preset=scenario.cooling.preset,
        gpu_models=[p.gpu for p in scenario.fleet.phases],
        focus_sites=[
            (s, names[s], str(table.at[s, "region_code"]) if "region_code" in table else "")
            for s in top
        ],
    )
    date = (results.created or _dt.datetime.now().isoformat())[:10]
    return ReportModel(
        title=title or "GPU fleet site selection",
        scenario_name=scenario.name,
        description=scenario.scenario.description,
        date=date,
        version=results.version,
        status=alloc.status,
        feasible=alloc.feasible,
        summary=summary,
        key_figures=key_figures,
        numbers=numbers,
        recommended=[names[s] for s in chosen],
        allocation=allocation,
        allocation_message=alloc.message,
        binding=list(alloc.binding),
        ranking=ranking_table,
        failed=failed,
        excluded=excluded,
        ranking_caption=ranking_caption,
        decision=decision,
        why=why,
        matching=build_matching(results, decision.sites) if alloc.feasible else None,
        comparison=comparison,
        sites=sites,
        charts=figures,
        assumptions=_flatten(scenario_to_dict(scenario)),
        sources=sources,
        warnings=list(ev.warnings),
    )


def _summary(
    results: Results,
    table: pd.DataFrame,
    names: pd.Series,
    chosen: list[str],
    order: list[str],
    feasible: pd.Series,
) -> tuple[dict[str, float], list[tuple[str, str]], list[str]]:
    """The executive summary: figures of the recommended allocation, and sentences about them."""
    scenario = results.scenario
    alloc = results.allocation
    total_gpus = scenario.fleet.total_gpus
    n_feasible = int(feasible.sum())
    sentences = [
        f"{len(table)} candidate sites were evaluated for a fleet of {total_gpus:,} GPUs in "
        f"{len(scenario.fleet.phases)} phase{'s' if len(scenario.fleet.phases) != 1 else ''} over "
        f"{scenario.scenario.horizon_years} years; {n_feasible} meet every constraint."
    ]
    numbers: dict[str, float] = {
        "sites_evaluated": float(len(table)),
        "sites_feasible": float(n_feasible),
    }
    if alloc.feasible and chosen:
        at = allocation_table(results)
        share = (
            (at["share"] if "share" in at else at["gpus"] / at["gpus"].sum())
            .reindex(chosen)
            .astype(float)
        )
        rows = table.loc[chosen]
        # Whole-fleet metrics at each site, weighted by the share of GPUs the site receives.
        numbers["usd_per_gpu_hour"] = float((rows["usd_per_gpu_hour"] * share).sum())
        summary = alloc.summary if alloc.summary is not None else pd.DataFrame(index=chosen)
        numbers["tco_usd"] = (
            float(summary["cost_usd"].sum())
            if "cost_usd" in summary
            else float(alloc.objective_usd)
            if alloc.objective_usd is not None
            else float((rows["tco_usd"] * share).sum())
        )
        # Yearly figures at full build-out: each site's whole-fleet figure times its GPU share.
        numbers["co2_t_per_year"] = float((rows["co2_market_t_per_year"] * share).sum())
        numbers["water_m3_per_year"] = float((rows["water_m3_per_year"] * share).sum())
        if "co2_t" in summary:  # the optimizer's total over the horizon, as on the Pareto axis
            numbers["co2_t_horizon"] = float(summary["co2_t"].sum())
        numbers["time_to_power_months"] = float(rows["time_to_power_months"].max())
        # The rent of each site's GPU models (older results: the scenario's one rent).
        fixed_rent = scenario.energy.cloud_gpu_hour_usd
        numbers["rent_usd_per_gpu_hour"] = (
            float((rows["rent_usd_per_gpu_hour"] * share).sum())
            if "rent_usd_per_gpu_hour" in rows
            else float("nan" if fixed_rent is None else fixed_rent)
        )
        parts = [f"{names[s]} ({share[s]:.0%}, {int(at.at[s, 'gpus']):,} GPUs)" for s in chosen]
        sentences.append(
            f"The recommended allocation places the fleet at {_join(parts)}."
            if len(chosen) > 1
            else f"The recommended site is {names[chosen[0]]}, which takes the whole fleet."
        )
        rent = numbers["rent_usd_per_gpu_hour"]
        against = f", against {rent:.2f} USD to rent" if math.isfinite(rent) else ""
        sentences.append(
            f"It costs {numbers['usd_per_gpu_hour']:.2f} USD per GPU-hour{against}, with a total "
            "cost of ownership of "
            f"{money(numbers['tco_usd'])} (net present, {scenario.scenario.horizon_years} years)."
        )
        sentences.append(
            f"At full build-out it emits about {numbers['co2_t_per_year']:,.0f} t of CO2 a year "
            f"(market-based) and uses about {numbers['water_m3_per_year']:,.0f} m³ of water "
            "a year; power is available in "
            f"{numbers['time_to_power_months']:.0f} months at the slowest chosen site."
        )
        if alloc.binding:
            sentences.append("Limits that shape the answer: " + "; ".join(alloc.binding) + ".")
    else:
        sentences.append(f"No allocation meets every rule ({alloc.status}): {alloc.message}")
        ranked = [s for s in order if feasible[s]]
        if ranked:
            row = table.loc[ranked[0]]
            numbers["usd_per_gpu_hour"] = float(row["usd_per_gpu_hour"])
            numbers["tco_usd"] = float(row["tco_usd"])
            numbers["co2_t_per_year"] = float(row["co2_market_t_per_year"])
            numbers["water_m3_per_year"] = float(row["water_m3_per_year"])
            numbers["time_to_power_months"] = float(row["time_to_power_months"])
            sentences.append(
                f"The feasible site with the highest weighted score is {names[ranked[0]]}: "
                f"{row['usd_per_gpu_hour']:.2f} USD per "
                f"GPU-hour and {money(row['tco_usd'])} total cost for the whole fleet there."
            )
    if "rank" in table and order and feasible[order[0]] and chosen and order[0] not in chosen:
        sentences.append(
            f"The highest weighted score (a screening of each site alone) goes to "
            f"{names[order[0]]}; the recommendation is the cheapest allocation instead."
        )
    key_figures = []
    for key, label, spec in (
        ("usd_per_gpu_hour", "Cost per GPU-hour", "{:.2f} USD"),
        ("tco_usd", "Total cost of ownership (NPV)", "money"),
        ("co2_t_per_year", "CO2, market-based", "{:,.0f} t/year"),
        ("water_m3_per_year", "Water", "{:,.0f} m³/year"),
        ("time_to_power_months", "Time to power", "{:.0f} months"),
    ):
        if key in numbers and not _missing(numbers[key]):
            key_figures.append(
                (label, money(numbers[key]) if spec == "money" else spec.format(numbers[key]))
            )
    return numbers, key_figures, sentences


def _site_page(
    results: Results, table: pd.DataFrame, site_id: str, chosen: bool, feasible: bool
) -> SitePage:
    row = table.loc[site_id]
    facts_rows = [
        [label, fmt(row[c], f)]
        for c, label, f in COMPARISON_ROWS
        if c in row.index and c in SITE_FACTS
    ]
    facts_rows.insert(
        0,
        [
            "Location",
            f"{row.get('name', site_id)}, {row.get('country', '')}",
        ],
    )
    lat, lon = float(row["lat"]), float(row["lon"])
    facts_rows.insert(
        1,
        [
            "Coordinates",
            f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.2f}° {'E' if lon >= 0 else 'W'}",
        ],
    )
    if "region_code" in row.index:
        facts_rows.insert(2, ["Region / grid", f"{row['region_code']} / {row.get('grid', '–')}"])
    risk = Table(
        headers=["Risk part", "Value (0 lowest, 1 highest)"],
        rows=[[label, fmt(row[c], "{:.2f}")] for c, label in RISK_ROWS if c in row.index],
        numeric=[False, True],
    )
    contrib = Table(
        headers=["Criterion", "Weighted contribution"],
        rows=[[label, fmt(row[c], "{:.3f}")] for c, label, _ in charts.CRITERIA if c in row.index]
        + ([["Score", fmt(row["score"], "{:.3f}")]] if "score" in row.index else []),
        numeric=[False, True],
    )
    reasons = [r.strip() for r in str(row.get("reasons", "") or "").split(";") if r.strip()]
    name = str(row.get("name", site_id))
    return SitePage(
        site_id=site_id,
        name=name,
        rank=int(row["rank"]) if "rank" in row.index and not _missing(row["rank"]) else None,
        chosen=chosen,
        feasible=feasible,
        reasons=reasons,
        facts=Table(
            headers=["Fact", "Value"], rows=facts_rows, numeric=[False, True], widths=[50, 50]
        ),
        risk=risk,
        contributions=contrib,
        cost_chart=charts.cost_breakdown(table, [site_id], title=f"Cost breakdown: {name}"),
        monthly_chart=charts.monthly_pue_wue(
            results.evaluation.monthly, site_id, title=f"Monthly PUE and WUE: {name}"
        ),
    )


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``{"a": {"b": 1}, "l": [x, y]}`` -> [("a.b", "1"), ("l[0]", ...)]: the scenario in full."""
    out: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, value in enumerate(data):
            out += _flatten(value, f"{prefix}[{i}]")
    elif isinstance(data, list):
        out.append((prefix, ", ".join(str(v) for v in data) if data else "(none)"))
    else:
        out.append((prefix, str(data)))
    return out


def excluded_groups(
    table: pd.DataFrame, names: pd.Series, order: list[str], feasible: pd.Series
) -> list[ExcludedGroup]:
    """Sites failing the hard constraints, one group per kind of rule, largest group first.

    A site failing two rules is in both groups. Each site is listed with its own figure when
    the reason has one ("Dublin (60 months)"); the rule carries its limit when it has one.
    """
    import re

    groups: dict[str, ExcludedGroup] = {}
    for s in order:
        if feasible[s]:
            continue
        text = str(table.at[s, "reasons"]) if "reasons" in table else ""
        reasons = [r.strip() for r in text.split(";") if r.strip() and r.strip() != "nan"]
        for reason in reasons or ["fails a constraint"]:
            kind = next((k for k in RULE_KINDS if k[0] in reason), None)
            if kind is None:
                rule, own = reason[0].upper() + reason[1:], None
            else:
                rule = kind[1]
                limit = re.search(
                    r"the ([\d.,]+)(-month)? limit|limit of ([\d.,]+)( months)?", reason
                )
                if limit and "limit" in rule:
                    value = limit.group(1) or limit.group(3)
                    unit = " months" if limit.group(2) or limit.group(4) else ""
                    rule += f" of {value}{unit}"
                own = re.search(kind[2], reason)
            name = str(names[s])
            entry = f"{name} ({own.group(1)})" if own else name
            group = groups.setdefault(rule, ExcludedGroup(rule, [], reason))
            group.sites.append(entry)
    return sorted(groups.values(), key=lambda g: -len(g.sites))
