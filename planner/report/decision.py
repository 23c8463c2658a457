"""The decision: page 1 of the report, its "Why this site" section and the workbook's Summary.

Everything here is computed once from a :class:`planner.results.Results` and kept as numbers
next to display text (no matplotlib: the XLSX export reads the same facts). Named steps:

1. :func:`site_schedule` - month power arrives and month each phase's GPUs run, per site.
2. :func:`site_risks` / :func:`top_risks` - the risks of the recommended sites in words, the
   three largest first.
3. :func:`runner_up` - the cheapest alternative that differs from the recommendation.
4. :func:`confidence` - robustness figures of the allocation and the nearest switching value.
5. :func:`build_decision` - page 1 and the Summary sheet.
6. :func:`build_why` - alternatives, switching values, robustness, tornado, build/bridge/rent,
   levelised cost, annual cash flows and Scope 2 as tables.

Every optional part of the results (``recommendation``, its ``robustness``, ``build_vs_rent``,
``cash_flows``, ``scope2``, the tornado columns) may be missing in an older results.json or an
infeasible run; the tables are then None and the text says what was not computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.labels import DRIVER_WORDS, ROLES
from planner.report.exports import allocation_table
from planner.report.sources import Table
from planner.results import Results

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TOP_RISKS = 3


def _switching_input(parameter: str) -> tuple[str, str]:
    """(label, unit) of a switching-value parameter; unknown ones by their name's suffix."""
    if parameter in DRIVER_WORDS:
        return DRIVER_WORDS[parameter]
    label = parameter.replace("_", " ")
    for suffix, unit in (("_factor", "x"), ("_months", "months"), ("_usd_per_t", "USD/t")):
        if parameter.endswith(suffix):
            return label.removesuffix(suffix.replace("_", " ")).strip().capitalize(), unit
    return label.capitalize(), ""


# Levelised cost components of build_vs_rent["usd_per_gpu_hour_by_component"], in order.
LEVELISED_COMPONENTS = {
    "capital": "Capital (GPUs and facility)",
    "opex": "Operation and maintenance",
    "energy": "Energy",
    "carbon": "Carbon price",
    "rent": "Bridge rent while waiting for power",
}
# Older results: the evaluation's cost parts, grouped.
LEVELISED_PARTS = [
    ("GPUs", ("cost_gpus_usd",)),
    (
        "Facility capital (shell, electrical, mechanical, land, grid)",
        (
            "cost_shell_usd",
            "cost_electrical_usd",
            "cost_mechanical_usd",
            "cost_land_usd",
            "cost_grid_usd",
        ),
    ),
    ("Energy", ("cost_energy_usd",)),
    ("Operation and maintenance", ("cost_opex_usd",)),
    ("Idle GPUs waiting for power", ("cost_idle_usd",)),
    ("Carbon price", ("cost_carbon_usd",)),
]
CASH_COLUMNS = [
    ("capital_usd", "Capital"),
    ("residual_usd", "Residual value"),
    ("opex_usd", "O&M"),
    ("energy_usd", "Energy"),
    ("rent_usd", "Bridge rent"),
    ("carbon_usd", "Carbon price"),
]
# Aqueduct's baseline water stress classes (0-5 score).
WATER_STRESS_CLASSES = [
    (4.0, "extremely high"),
    (3.0, "high"),
    (2.0, "medium-high"),
    (1.0, "low-medium"),
    (-1.0, "low"),
]
SAIDI_FULL_RISK_MINUTES = 300.0  # planner.risk.RiskParams: risk_grid = SAIDI / 300, capped at 1


# --- text helpers ----------------------------------------------------------------------------


def missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any) -> float:
    """A float, NaN for anything that is not a finite-or-infinite number."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def money(usd: float) -> str:
    """USD amount in words a board reads: USD 712 million, USD 1.24 billion."""
    if missing(usd) or not math.isfinite(usd):
        return "–"
    if abs(usd) >= 1e9:
        return f"USD {usd / 1e9:,.2f} billion"
    if abs(usd) >= 1e6:
        return (
            f"USD {usd / 1e6:,.1f} million" if abs(usd) < 1e7 else f"USD {usd / 1e6:,.0f} million"
        )
    return f"USD {usd:,.0f}"


def short_money(usd: float) -> str:
    """USD amount for a key figure: USD 687 M, USD 1.14 bn."""
    if missing(usd) or not math.isfinite(usd):
        return "–"
    if abs(usd) >= 1e9:
        return f"USD {usd / 1e9:,.2f} bn"
    if abs(usd) >= 1e6:
        return f"USD {usd / 1e6:,.0f} M"
    return f"USD {usd:,.0f}"


def signed_money(usd: float) -> str:
    if missing(usd):
        return "–"
    return ("+" if usd >= 0 else "-") + money(abs(usd))


def musd(usd: Any, digits: int = 1) -> str:
    value = number(usd)
    if not math.isfinite(value):
        return "–"
    return f"{value / 1e6:,.{digits}f}"


def percent(share: float, digits: int = 0) -> str:
    if missing(share) or not math.isfinite(share):
        return "–"
    return f"{100 * share:.{digits}f} %"


def join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def month_text(start_year: int, month: float) -> str:
    """Horizon month (0-based from January of ``start_year``) as "Jan 2028 (month 24)"."""
    m = int(month)
    return f"{MONTHS[m % 12]} {start_year + m // 12} (month {m})"


def short_month(start_year: int, month: float) -> str:
    m = int(month)
    return f"{MONTHS[m % 12]} {start_year + m // 12}"


def _names(results: Results) -> pd.Series:
    metrics = results.evaluation.metrics
    if "name" in metrics:
        return metrics["name"].astype(str)
    return pd.Series(metrics.index.astype(str), index=metrics.index)


def _name(names: pd.Series, site: Any) -> str:
    return str(names.get(site, site))


# --- schedule --------------------------------------------------------------------------------


@dataclass
class SiteSchedule:
    """When power arrives at a recommended site and when each phase's GPUs run there."""

    power_month: int
    run_month: list[int | None]  # per phase; None when the site takes none of that phase
    wait_months: list[int]  # per phase: months the phase waits for power (bridge rent)


def site_schedule(results: Results, sites: list[str]) -> dict[str, SiteSchedule]:
    """Per recommended site: power month and the running month of each phase it serves.

    From :func:`planner.optimize.explain.site_timing`; an empty dict when the timing cannot be
    worked out (an allocation without GPUs per phase).
    """
    alloc = results.allocation
    if not alloc.feasible or alloc.gpus is None or not sites:
        return {}
    scenario, ev = results.scenario, results.evaluation
    try:
        from planner.optimize.explain import site_timing

        gpus = alloc.gpus.reindex(index=sites).fillna(0.0)
        timing = site_timing(ev, scenario, gpus)
    except Exception:  # noqa: BLE001 - the report shows the allocation without a schedule
        return {}
    metrics = ev.metrics.reindex(sites)
    if "ready_month" in metrics:
        ready = pd.to_numeric(metrics["ready_month"], errors="coerce")
    else:
        ttp = pd.to_numeric(metrics["time_to_power_months"], errors="coerce")
        ready = np.ceil(np.maximum(ttp, scenario.facility.build_lead_months))
    phase_start = [p.start_month for p in scenario.fleet.phases]
    out = {}
    g = gpus.to_numpy(float)
    for i, site in enumerate(sites):
        runs = [int(timing.start[i, p]) if g[i, p] > 0 else None for p in range(g.shape[1])]
        waits = [
            max(0, int(timing.start[i, p]) - phase_start[p]) if g[i, p] > 0 else 0
            for p in range(g.shape[1])
        ]
        power = ready.iloc[i]
        out[site] = SiteSchedule(
            power_month=int(power) if not missing(power) else min(r for r in runs if r is not None),
            run_month=runs,
            wait_months=waits,
        )
    return out


# --- risks -----------------------------------------------------------------------------------


@dataclass
class Risk:
    """One risk of one site, in words, with a severity from 0 (none) to 1 (worst)."""

    site_id: str
    site: str
    kind: str
    text: str
    severity: float


def _level(value: float) -> str:
    return "high" if value >= 0.6 else "moderate" if value >= 0.3 else "low"


def water_stress_class(stress: float) -> str:
    return next(label for limit, label in WATER_STRESS_CLASSES if stress >= limit)


def region_figure(results: Results, region: str, field_name: str) -> float:
    """A catalog figure of a grid region from the provenance (NaN when not recorded)."""
    prov = results.evaluation.provenance
    if prov is None or not len(prov) or not {"dataset", "key", "field", "value"} <= set(prov):
        return math.nan
    rows = prov[(prov["dataset"] == "regions") & (prov["key"] == region)]
    rows = rows[rows["field"] == field_name]
    return number(rows["value"].iloc[0]) if len(rows) else math.nan


def site_risks(results: Results, site_id: str) -> list[Risk]:
    """Every risk of a site the evaluation measures, in words, largest first.

    Severities on the 0-1 scale of :mod:`planner.risk`: the natural-hazard index, the grid's
    outage risk (SAIDI / 300 minutes), a connection moratorium (1), a time to power that is an
    estimate (the risk model's 0.25); water stress as its 0-5 score / 5; power later than the
    fleet wants it as the months of waiting / 24 (capped at 1).
    """
    metrics = results.evaluation.metrics
    row = metrics.loc[site_id]
    site = str(row.get("name", site_id))
    risks: list[Risk] = []

    def add(kind: str, text: str, severity: float) -> None:
        if math.isfinite(severity) and severity > 0:
            risks.append(Risk(site_id, site, kind, text, float(min(severity, 1.0))))

    if bool(row.get("moratorium", False)) is True:
        area = str(row.get("moratorium_area", "") or "")
        where = f"in {area}" if area else "in its region"
        add("moratorium", f"a moratorium on new data-centre grid connections {where}", 1.0)
    hazard = number(row.get("risk_hazard"))
    if math.isfinite(hazard):
        add(
            "hazard",
            f"{_level(hazard)} natural-hazard exposure (index {hazard:.2f} of 1)",
            hazard,
        )
    grid = number(row.get("risk_grid"))
    if math.isfinite(grid):
        saidi = region_figure(results, str(row.get("region_code", "")), "saidi_minutes")
        if not math.isfinite(saidi) and grid < 1.0 and grid != 0.5:
            saidi = grid * SAIDI_FULL_RISK_MINUTES
        text = (
            f"grid outages of about {saidi:,.0f} minutes a year per customer (SAIDI)"
            if math.isfinite(saidi)
            else f"grid reliability not published (outage risk {grid:.2f} of 1 assumed)"
        )
        add("grid", text, grid)
    stress = number(row.get("water_stress"))
    if math.isfinite(stress):
        cooling = str(row.get("cooling_technology", "") or "")
        with_cooling = f", with {cooling} cooling" if cooling else ""
        add(
            "water",
            f"{water_stress_class(stress)} water stress ({stress:.1f} of 5{with_cooling})",
            stress / 5.0,
        )
    estimate = row.get("ttp_is_estimate", False)
    ttp = number(row.get("time_to_power_months"))
    if bool(estimate) is True and math.isfinite(ttp):
        add(
            "time_to_power",
            f"time to power of {ttp:.0f} months is an estimate, not a utility's figure",
            0.25,
        )
    schedule = site_schedule(results, [site_id]).get(site_id)
    if schedule is not None and max(schedule.wait_months, default=0) > 0:
        wait = max(schedule.wait_months)
        add(
            "waiting",
            f"power arrives in month {schedule.power_month}, {wait} months after the fleet "
            "wants it there (GPU-hours rented meanwhile)",
            wait / 24.0,
        )
    return sorted(risks, key=lambda r: -r.severity)


def top_risks(results: Results, sites: list[str], limit: int = TOP_RISKS) -> list[Risk]:
    """The ``limit`` largest risks of the recommended sites (``sites``: most GPUs first)."""
    rank = {s: i for i, s in enumerate(sites)}
    every = [
        r for s in sites if s in results.evaluation.metrics.index for r in site_risks(results, s)
    ]
    every.sort(key=lambda r: (-round(r.severity, 6), rank[r.site_id]))
    return every[:limit]


def risk_sentence(risk: Risk, *, with_site: bool) -> str:
    text = risk.text[0].upper() + risk.text[1:]
    return f"{risk.site}: {risk.text}" if with_site else text


# --- alternatives, switching values, robustness ---------------------------------------------


def role_label(alternative: dict[str, Any]) -> str:
    name = str(alternative.get("name", alternative.get("site_id", "")))
    return ROLES.get(str(alternative.get("role", "")), "{name}").format(name=name)


def _recommendation(results: Results) -> dict[str, Any]:
    rec = results.recommendation
    return rec if isinstance(rec, dict) else {}


def _recommended_cost(results: Results) -> float:
    alloc = results.allocation
    if alloc.objective_usd is not None:
        return float(alloc.objective_usd)
    if alloc.summary is not None and "cost_usd" in alloc.summary:
        return float(alloc.summary["cost_usd"].sum())
    return math.nan


def _summary_total(results: Results, column: str) -> float:
    summary = results.allocation.summary
    if summary is None or column not in summary:
        return math.nan
    return float(pd.to_numeric(summary[column], errors="coerce").sum())


def runner_up(results: Results) -> dict[str, Any] | None:
    """The cheapest alternative that costs more than the recommendation (None: none solved)."""
    alternatives = _recommendation(results).get("alternatives") or []
    rivals = [
        a
        for a in alternatives
        if not missing(a.get("delta_cost_usd")) and number(a.get("delta_cost_usd")) > 0
    ]
    return min(rivals, key=lambda a: number(a["delta_cost_usd"]), default=None)


def runner_up_sentence(results: Results, names: pd.Series) -> str:
    alt = runner_up(results)
    if alt is None:
        return ""
    label = role_label(alt)
    sites = [_name(names, s) for s in alt.get("sites") or []]
    if sites and not (len(sites) == 1 and sites[0] == alt.get("name")):
        label += f" ({join(sites)})"
    cost = _recommended_cost(results)
    delta = number(alt.get("delta_cost_usd"))
    rel = f" ({delta / cost:+.1%})".replace("%", " %") if math.isfinite(cost) and cost else ""
    parts = [f"{signed_money(delta)}{rel} net present cost"]
    co2 = number(alt.get("delta_co2_t"))
    if math.isfinite(co2):
        base = _summary_total(results, "co2_t")
        co2_rel = (
            f" ({co2 / base:+.0%})".replace("%", " %") if math.isfinite(base) and base > 0 else ""
        )
        parts.append(f"{co2:+,.0f} t CO₂ over the horizon{co2_rel}")
    water = number(alt.get("delta_water_m3"))
    if math.isfinite(water):
        parts.append(f"{water:+,.0f} m³ water")
    return f"{label}: " + ", ".join(parts) + "."


def switching_distance(row: dict[str, Any]) -> float:
    """How far a switching value is from the scenario's value, relative (inf: no switch)."""
    value, base = number(row.get("value")), number(row.get("base"))
    if not math.isfinite(value):
        return math.inf
    if math.isfinite(base) and base != 0:
        return abs(value / base - 1.0)
    # A carbon price from zero: relative to the range of carbon prices searched (0-1,000).
    return abs(value - (base if math.isfinite(base) else 0.0)) / 1000.0


def nearest_switch(results: Results) -> dict[str, Any] | None:
    rows = _recommendation(results).get("switching_values") or []
    rows = [r for r in rows if math.isfinite(switching_distance(r))]
    return min(rows, key=switching_distance, default=None)


def robustness(results: Results) -> dict[str, Any] | None:
    rob = _recommendation(results).get("robustness")
    return rob if isinstance(rob, dict) and rob else None


def confidence(results: Results) -> list[str]:
    """Sentences on how sure the recommendation is: robustness figures, nearest switch."""
    lines: list[str] = []
    rob = robustness(results)
    if rob is not None:
        p_same = number(rob.get("p_same_sites"))
        draws = number(rob.get("draws"))
        parts = []
        if math.isfinite(p_same):
            of = f" of {draws:,.0f} draws" if math.isfinite(draws) else " of the draws"
            parts.append(
                f"the optimal allocation uses the recommended sites in {percent(p_same)}{of} of "
                "the uncertain inputs"
            )
        lo, mid, hi = (number(rob.get(f"usd_per_gpu_hour_p{q}")) for q in (10, 50, 90))
        if all(math.isfinite(v) for v in (lo, mid, hi)):
            parts.append(
                f"cost per delivered GPU-hour {lo:.2f} to {hi:.2f} USD (P10 to P90, median "
                f"{mid:.2f})"
            )
        regret = number(rob.get("regret_p90_usd"))
        if math.isfinite(regret):
            parts.append(f"regret at most {money(regret)} in 90 % of draws")
        if parts:
            text = "; ".join(parts)
            lines.append(text[0].upper() + text[1:] + ".")
        elif rob.get("sentence"):
            lines.append(str(rob["sentence"]))
    else:
        lines.append("Robustness of the allocation (Monte Carlo re-solves) was not computed.")
    near = nearest_switch(results)
    if near is not None and near.get("sentence"):
        lines.append(f"Nearest switching value: {near['sentence']}")
    return lines


# --- levelised cost --------------------------------------------------------------------------


def _shares(results: Results, sites: list[str]) -> pd.Series:
    at = allocation_table(results)
    if not len(at):
        return pd.Series(dtype=float)
    share = at["share"] if "share" in at else at["gpus"] / at["gpus"].sum()
    return share.reindex(sites).astype(float).fillna(0.0)


def levelised_rows(results: Results, sites: list[str]) -> tuple[list[tuple[str, float]], str]:
    """(component, USD per delivered GPU-hour) rows and where they come from."""
    bvr = results.build_vs_rent or {}
    parts = bvr.get("usd_per_gpu_hour_by_component")
    if isinstance(parts, dict) and parts:
        keys = [k for k in LEVELISED_COMPONENTS if k in parts]
        keys += [k for k in parts if k not in LEVELISED_COMPONENTS]
        rows = [(LEVELISED_COMPONENTS.get(k, str(k)), number(parts[k])) for k in keys]
        return rows, (
            "Each component's net present cost divided by the allocation's discounted delivered "
            "GPU-hours (build versus rent)."
        )
    metrics = results.evaluation.metrics
    share = _shares(results, sites)
    if share.empty or "usd_per_gpu_hour" not in metrics or "tco_usd" not in metrics:
        return [], ""
    rows_m = metrics.loc[share.index]
    with np.errstate(divide="ignore", invalid="ignore"):
        hours = rows_m["tco_usd"].astype(float) / rows_m["usd_per_gpu_hour"].astype(float)
    rows = []
    for label, columns in LEVELISED_PARTS:
        present = [c for c in columns if c in rows_m]
        if not present:
            continue
        per_hour = rows_m[present].astype(float).sum(axis=1) / hours
        value = float((per_hour * share).sum())
        if math.isfinite(value) and value != 0:
            rows.append((label, value))
    return rows, (
        "From the evaluation's net present costs of the whole fleet at each recommended site, "
        "per delivered GPU-hour, weighted by the site's share of GPUs."
    )


# --- the decision ----------------------------------------------------------------------------


@dataclass
class Fact:
    """One line of the decision: label, value (number or text), display text, Excel format."""

    label: str
    value: Any
    text: str
    excel_format: str = "General"


@dataclass
class Decision:
    """Page 1: the answer, in the order a committee reads it."""

    feasible: bool
    headline: str
    why: str
    objective: str
    figures: list[tuple[str, str, str]]  # label, value, note
    allocation: Table | None
    binding: list[str]
    verdict: str
    risks: list[str]
    confidence: list[str]
    runner_up: str
    message: str
    screening_note: str
    numbers: dict[str, float]
    facts: list[Fact] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)  # recommended site ids, most GPUs first


def recommended_sites(results: Results) -> list[str]:
    """Site ids of the recommended allocation, most GPUs first."""
    at = allocation_table(results)
    if not len(at):
        return []
    return list(at["gpus"].astype(float).sort_values(ascending=False, kind="stable").index)


def phase_headers(results: Results) -> list[str]:
    scenario = results.scenario
    year = scenario.scenario.start_year
    return [
        f"Phase {i + 1}: {p.gpu}\nwanted {short_month(year, p.start_month)}"
        for i, p in enumerate(scenario.fleet.phases)
    ]


def _highest_score(results: Results, names: pd.Series) -> str | None:
    ranking = results.ranking
    if "rank" not in ranking or not len(ranking):
        return None
    feasible = ranking[ranking["feasible"].astype(bool)] if "feasible" in ranking else ranking
    if not len(feasible):
        return None
    return _name(names, feasible.sort_values("rank", kind="stable").index[0])


def build_decision(results: Results) -> Decision:
    """Page 1 of the report (and the workbook's Summary) from ``results``."""
    scenario = results.scenario
    info = scenario.scenario
    names = _names(results)
    metrics = results.evaluation.metrics
    alloc = results.allocation
    rec = _recommendation(results)
    sites = recommended_sites(results) if alloc.feasible else []
    top_score = _highest_score(results, names)
    screening = (
        f"Highest weighted score (a screening view, not the recommendation): {top_score}."
        if top_score
        else ""
    )
    facts: list[Fact] = [Fact("Scenario", scenario.name, scenario.name)]
    numbers: dict[str, float] = {}
    if not sites:
        facts.append(Fact("Recommendation", "none: no allocation meets every rule", ""))
        facts.append(Fact("Reason", alloc.message, alloc.message))
        if top_score:
            facts.append(Fact("Highest weighted score (screening)", top_score, top_score))
        return Decision(
            feasible=False,
            headline="No allocation meets every rule",
            why="",
            objective=str(rec.get("objective", "")),
            figures=[],
            allocation=None,
            binding=list(alloc.binding),
            verdict="",
            risks=[],
            confidence=[],
            runner_up="",
            message=alloc.message,
            screening_note=screening,
            numbers=numbers,
            facts=facts,
            sites=[],
        )

    at = allocation_table(results).reindex(sites)
    share = _shares(results, sites)
    total_gpus = float(at["gpus"].sum())
    site_names = [_name(names, s) for s in sites]
    if len(sites) == 1:
        headline = f"Recommended: {site_names[0]}, all {total_gpus:,.0f} GPUs"
    else:
        headline = "Recommended: " + join(
            [
                f"{n} ({float(at.at[s, 'gpus']):,.0f} GPUs)"
                for n, s in zip(site_names, sites, strict=True)
            ]
        )
    facts.append(Fact("Recommended sites", "; ".join(site_names), join(site_names)))
    for s, n in zip(sites, site_names, strict=True):
        facts.append(
            Fact(
                f"GPUs at {n}",
                float(at.at[s, "gpus"]),
                f"{float(at.at[s, 'gpus']):,.0f}",
                '#,##0" GPUs"',
            )
        )

    # Cost per delivered GPU-hour: the allocation's own (build versus rent) when it has it.
    bvr = results.build_vs_rent or {}
    rows = metrics.reindex(sites)
    usd_h = number(bvr.get("usd_per_gpu_hour"))
    if not math.isfinite(usd_h) and "usd_per_gpu_hour" in rows:
        usd_h = float((rows["usd_per_gpu_hour"].astype(float) * share).sum())
    numbers["usd_per_gpu_hour"] = usd_h
    rent_h = (
        float((rows["rent_usd_per_gpu_hour"].astype(float) * share).sum())
        if "rent_usd_per_gpu_hour" in rows
        else number(scenario.energy.cloud_gpu_hour_usd)
    )
    numbers["rent_usd_per_gpu_hour"] = rent_h
    npc = _summary_total(results, "cost_usd")
    if not math.isfinite(npc):
        npc = _recommended_cost(results)
    numbers["tco_usd"] = npc
    capital = (
        float((rows["capital_nominal_usd"].astype(float) * share).sum())
        if "capital_nominal_usd" in rows
        else math.nan
    )
    numbers["capital_nominal_usd"] = capital
    flows = results.cash_flows
    capital_horizon = (
        float(flows["capital_usd"].sum())
        if flows is not None and len(flows) and "capital_usd" in flows
        else math.nan
    )
    numbers["capital_horizon_usd"] = capital_horizon
    end_year = info.start_year + info.horizon_years - 1
    scope2 = results.scope2 or {}
    co2_year = number(scope2.get("market_t_per_year"))
    if not math.isfinite(co2_year) and "co2_market_t_per_year" in rows:
        co2_year = float((rows["co2_market_t_per_year"].astype(float) * share).sum())
    co2_loc = number(scope2.get("location_t_per_year"))
    if not math.isfinite(co2_loc) and "co2_location_t_per_year" in rows:
        co2_loc = float((rows["co2_location_t_per_year"].astype(float) * share).sum())
    numbers["co2_t_per_year"] = co2_year
    numbers["co2_location_t_per_year"] = co2_loc

    figures = [
        (
            "Cost per delivered GPU-hour",
            f"{usd_h:.2f} USD" if math.isfinite(usd_h) else "–",
            f"renting: {rent_h:.2f} USD" if math.isfinite(rent_h) else "",
        ),
        (
            "Total capital, nominal",
            short_money(capital),
            (
                f"at full build-out; {money(capital_horizon)} to {end_year} with replacements"
                if math.isfinite(capital_horizon)
                else "at full build-out"
            ),
        ),
        (
            "Net present cost",
            short_money(npc),
            f"{info.horizon_years} years at {100 * info.discount_rate:g} %",
        ),
    ]
    verdict = str(bvr.get("verdict", "") or "")
    build, rent_only = number(bvr.get("rent_then_build_usd")), number(bvr.get("rent_only_usd"))
    if math.isfinite(build) and math.isfinite(rent_only) and build > 0 and rent_only > 0:
        if build <= rent_only:
            figures.append(
                (
                    "Build or rent",
                    "Build",
                    f"{(rent_only - build) / rent_only:.0%} cheaper than renting".replace(
                        "%", " %"
                    ),
                )
            )
        else:
            figures.append(
                (
                    "Build or rent",
                    "Rent",
                    f"{(build - rent_only) / build:.0%} cheaper than building".replace("%", " %"),
                )
            )
        numbers["rent_only_usd"] = rent_only
        numbers["rent_then_build_usd"] = build
    figures.append(
        (
            "CO₂, market-based",
            f"{co2_year:,.0f} t/yr" if math.isfinite(co2_year) else "–",
            f"location-based {co2_loc:,.0f} t/yr" if math.isfinite(co2_loc) else "",
        )
    )

    # Allocation with its schedule: GPUs per phase and the month they run.
    schedule = site_schedule(results, sites)
    year = info.start_year
    phase_cols = [c for c in at.columns if c.startswith("gpus_")]
    headers = ["Site"] + phase_headers(results)[: len(phase_cols)]
    headers += ["GPUs", "Share", "Facility MW", "Power arrives"]
    table_rows = []
    for s, n in zip(sites, site_names, strict=True):
        plan = schedule.get(s)
        cells = [n]
        for p, column in enumerate(phase_cols):
            g = number(at.at[s, column])
            if not math.isfinite(g) or g <= 0:
                cells.append("–")
                continue
            run = plan.run_month[p] if plan is not None and p < len(plan.run_month) else None
            cells.append(
                f"{g:,.0f}" + (f"\nrun {short_month(year, run)}" if run is not None else "")
            )
        mw = number(at.at[s, "facility_mw"]) if "facility_mw" in at else math.nan
        cells += [
            f"{number(at.at[s, 'gpus']):,.0f}",
            percent(number(share.get(s))),
            f"{mw:,.1f}" if math.isfinite(mw) else "–",
            short_month(year, plan.power_month) + f"\nmonth {plan.power_month}" if plan else "–",
        ]
        table_rows.append(cells)
    if len(sites) > 1:
        totals = ["Total"] + [f"{number(at[c].sum()):,.0f}" for c in phase_cols]
        mw_total = number(at["facility_mw"].sum()) if "facility_mw" in at else math.nan
        totals += [
            f"{total_gpus:,.0f}",
            "100 %",
            f"{mw_total:,.1f}" if math.isfinite(mw_total) else "–",
            "",
        ]
        table_rows.append(totals)
    n_phase = len(phase_cols)
    allocation = Table(
        headers=headers,
        rows=table_rows,
        numeric=[False] + [True] * (len(headers) - 1),
        highlight=[False] * len(table_rows),
        widths=[30.0] + [max(8.0, 40.0 / max(n_phase, 1))] * n_phase + [9.0, 7.0, 8.0, 11.0],
    )
    for s, n in zip(sites, site_names, strict=True):
        plan = schedule.get(s)
        if plan is None:
            continue
        facts.append(
            Fact(
                f"Power arrives at {n}",
                plan.power_month,
                month_text(year, plan.power_month),
                '"month "0',
            )
        )
        for p, run in enumerate(plan.run_month):
            if run is not None:
                facts.append(
                    Fact(f"Phase {p + 1} GPUs run at {n}", run, month_text(year, run), '"month "0')
                )

    risks = top_risks(results, sites)
    risk_lines = [risk_sentence(r, with_site=len(sites) > 1) for r in risks]
    sure = confidence(results)
    second = runner_up_sentence(results, names)
    why = str(rec.get("why", "") or "")

    facts += [
        Fact("Cost per delivered GPU-hour", usd_h, figures[0][1], '0.000" USD/GPU-h"'),
        Fact("Rent price per GPU-hour", rent_h, f"{rent_h:.2f} USD", '0.000" USD/GPU-h"'),
        Fact("Total capital at full build-out, nominal", capital, money(capital), '#,##0" USD"'),
    ]
    if math.isfinite(capital_horizon):
        facts.append(
            Fact(
                f"Capital to {end_year} with replacements, nominal",
                capital_horizon,
                money(capital_horizon),
                '#,##0" USD"',
            )
        )
    facts.append(Fact("Net present cost", npc, money(npc), '#,##0" USD"'))
    if "rent_only_usd" in numbers:
        facts.append(
            Fact(
                "Rent the whole fleet instead, net present",
                rent_only,
                money(rent_only),
                '#,##0" USD"',
            )
        )
    if verdict:
        facts.append(Fact("Build versus rent", verdict, verdict))
    facts.append(
        Fact("CO₂ market-based at full build-out", co2_year, figures[-1][1], '#,##0" t/yr"')
    )
    facts.append(
        Fact(
            "CO₂ location-based at full build-out", co2_loc, f"{co2_loc:,.0f} t/yr", '#,##0" t/yr"'
        )
    )
    for i, line in enumerate(risk_lines, 1):
        facts.append(Fact(f"Risk {i}", line, line))
    rob = robustness(results)
    if rob is not None:
        p_same = number(rob.get("p_same_sites"))
        if math.isfinite(p_same):
            facts.append(Fact("Draws with the same sites optimal", p_same, percent(p_same), "0%"))
        for q in (10, 50, 90):
            v = number(rob.get(f"usd_per_gpu_hour_p{q}"))
            if math.isfinite(v):
                facts.append(
                    Fact(
                        f"Cost per delivered GPU-hour, P{q}", v, f"{v:.2f} USD", '0.000" USD/GPU-h"'
                    )
                )
    for line in sure:
        facts.append(Fact("Confidence", line, line))
    alt = runner_up(results)
    if alt is not None:
        facts.append(Fact("Runner-up", second, second))
        facts.append(
            Fact(
                "Runner-up, extra net present cost",
                number(alt.get("delta_cost_usd")),
                signed_money(number(alt.get("delta_cost_usd"))),
                '#,##0" USD"',
            )
        )
        facts.append(
            Fact(
                "Runner-up, CO₂ difference over the horizon",
                number(alt.get("delta_co2_t")),
                f"{number(alt.get('delta_co2_t')):+,.0f} t",
                '+#,##0" t";-#,##0" t"',
            )
        )
    if alloc.binding:
        facts.append(
            Fact("Constraints at their limit", "; ".join(alloc.binding), "; ".join(alloc.binding))
        )
    if why:
        facts.append(Fact("Why", why, why))
    return Decision(
        feasible=True,
        headline=headline,
        why=why,
        objective=str(rec.get("objective", "") or ""),
        figures=figures,
        allocation=allocation,
        binding=list(alloc.binding),
        verdict=verdict,
        risks=risk_lines,
        confidence=sure,
        runner_up=second,
        message=alloc.message,
        screening_note=screening,
        numbers=numbers,
        facts=facts,
        sites=sites,
    )


# --- why this site ---------------------------------------------------------------------------


@dataclass
class WhySection:
    """The recommendation explained, table by table; None where the results lack the part."""

    why: str
    objective: str
    alternatives: Table | None
    switching: Table | None
    nearest_switch: str
    robustness: Table | None
    robustness_sentence: str
    tornado: Table | None
    tornado_note: str
    build_rent: Table | None
    verdict: str
    levelised: Table | None
    levelised_note: str
    cash_flows: Table | None
    cash_note: str
    scope2: Table | None
    scope2_note: str


def _alternatives_table(results: Results, names: pd.Series) -> Table | None:
    rec = _recommendation(results)
    alternatives = rec.get("alternatives") or []
    if not alternatives:
        return None
    cost = _recommended_cost(results)
    ours = [
        str(s)
        for s in (
            results.allocation.summary.index if results.allocation.summary is not None else []
        )
    ]
    rows = [
        [
            "Recommendation",
            join([_name(names, s) for s in ours]),
            musd(cost),
            "0.0",
            "0 %",
            "0",
            "0",
        ]
    ]
    highlight = [True]
    seen: set[tuple] = set()

    def key(a: dict) -> tuple:
        return (
            missing(a.get("cost_usd")),
            number(a.get("delta_cost_usd")) if not missing(a.get("delta_cost_usd")) else math.inf,
        )

    for alt in sorted(alternatives, key=key):
        sites = [str(s) for s in alt.get("sites") or []]
        if sites and set(sites) == set(ours) and abs(number(alt.get("delta_cost_usd"))) < 1:
            continue  # the recommendation itself
        label = role_label(alt)
        ident = (label, tuple(sites))
        if ident in seen:
            continue
        seen.add(ident)
        if missing(alt.get("cost_usd")):
            reason = str(alt.get("sentence", "")).split(": ", 1)[-1].rstrip(".")
            rows.append([label, reason or "infeasible", "infeasible", "–", "–", "–", "–"])
        else:
            delta = number(alt.get("delta_cost_usd"))
            rows.append(
                [
                    label,
                    join([_name(names, s) for s in sites]),
                    musd(alt.get("cost_usd")),
                    f"{delta / 1e6:+,.1f}",
                    f"{delta / cost:+.1%}".replace("%", " %")
                    if math.isfinite(cost) and cost
                    else "–",
                    f"{number(alt.get('delta_co2_t')):+,.0f}",
                    f"{number(alt.get('delta_water_m3')):+,.0f}",
                ]
            )
        highlight.append(False)
    return Table(
        headers=[
            "Alternative",
            "Sites",
            "Objective, net present [USD M]",
            "Δ cost [USD M]",
            "Δ cost",
            "Δ CO₂ [t, horizon]",
            "Δ water [m³, horizon]",
        ],
        rows=rows,
        numeric=[False, False, True, True, True, True, True],
        highlight=highlight,
        widths=[22.0, 24.0, 12.0, 10.0, 8.0, 12.0, 12.0],
    )


def _switch_value_text(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "–"
    if unit == "USD/t":
        return f"{value:,.0f} USD/t"
    if unit == "months":
        whole = abs(value - round(value)) < 0.005
        return f"{value:,.0f} months" if whole else f"{value:,.2f} months"
    if unit == "fraction":
        return f"{100 * value:.1f} %"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:,.4g}"


def _switch_change(value: float, base: float, unit: str) -> str:
    """How far the switch is from the scenario's value, in the input's own terms."""
    base = base if math.isfinite(base) else 0.0
    if unit == "months":
        change = value - base
        return f"{change:+,.2f} months" if abs(change) < 1 else f"{change:+,.1f} months"
    if unit == "fraction":
        return f"{100 * (value - base):+.1f} points"
    if unit == "USD/t" and base == 0:
        return f"{value - base:+,.0f} USD/t"
    if base != 0:
        return f"{value / base - 1:+.0%}".replace("%", " %")
    return f"{value - base:+,.4g}"


def switching_rows(results: Results, names: pd.Series) -> list[dict[str, Any]]:
    """Switching values with their input in words, nearest to the scenario's value first."""
    rows = _recommendation(results).get("switching_values") or []
    out = []
    for row in rows:
        parameter = str(row.get("parameter", ""))
        label, unit = _switching_input(parameter)
        if row.get("site_id"):
            label += f" at {_name(names, row['site_id'])}"
        out.append({**row, "label": label, "unit": unit, "distance": switching_distance(row)})
    return sorted(out, key=lambda r: (r["distance"], r["label"]))


def _switching_table(results: Results, names: pd.Series) -> Table | None:
    rows = switching_rows(results, names)
    if not rows:
        return None
    body = []
    for r in rows:
        base, value = number(r.get("base")), number(r.get("value"))
        direction = str(r.get("direction", ""))
        if math.isfinite(value):
            change = _switch_change(value, base, r["unit"])
            becomes = join([_name(names, s) for s in r.get("new_sites") or []]) or "–"
            at = ("below " if direction == "down" else "above ") + _switch_value_text(
                value, r["unit"]
            )
        else:
            change = "–"
            becomes = "no change in the range searched"
            at = "–"
        body.append(
            [
                r["label"],
                "falls" if direction == "down" else "rises",
                _switch_value_text(base, r["unit"]),
                at,
                change,
                becomes,
            ]
        )
    return Table(
        headers=[
            "Input",
            "If it",
            "Scenario value",
            "Switches",
            "Change",
            "Recommendation becomes",
        ],
        rows=body,
        numeric=[False, False, True, True, True, False],
        widths=[28.0, 8.0, 12.0, 14.0, 9.0, 29.0],
    )


def _robustness_table(rob: dict[str, Any]) -> Table:
    def trio(prefix: str, fmt) -> str:
        values = [
            number(rob.get(f"{prefix}{q}{'_usd' if prefix.startswith('cost') else ''}"))
            for q in ("p10", "p50", "p90")
        ]
        return " / ".join(fmt(v) for v in values)

    rows = [
        [
            "Draws",
            f"{number(rob.get('draws')):,.0f}"
            + (f" ({rob['method']})" if rob.get("method") else ""),
        ],
    ]
    if rob.get("factors"):
        rows.append(["Uncertain inputs", "; ".join(str(f) for f in rob["factors"])])
    if not missing(rob.get("p_same_sites")):
        rows.append(
            ["Draws whose optimum uses the recommended sites", percent(number(rob["p_same_sites"]))]
        )
    rows.append(["Net present cost of the recommendation, P10 / P50 / P90", trio("cost_", money)])
    rows.append(
        [
            "Cost per delivered GPU-hour, P10 / P50 / P90",
            " / ".join(f"{number(rob.get(f'usd_per_gpu_hour_p{q}')):.3f}" for q in (10, 50, 90))
            + " USD",
        ]
    )
    rows.append(
        [
            "Regret (extra cost over each draw's optimum), P50 / P90",
            " / ".join(money(number(rob.get(f"regret_p{q}_usd"))) for q in (50, 90)),
        ]
    )
    if rob.get("sites_considered"):
        rows.append(["Sites considered", f"{len(rob['sites_considered'])}"])
    return Table(
        headers=["Figure", "Value"], rows=rows, numeric=[False, False], widths=[45.0, 55.0]
    )


def _percent_change(factor: float) -> str:
    change = (factor - 1.0) * 100.0
    return f"{change:+.0f} %" if abs(change) >= 9.95 else f"{change:+.1f} %"


def _sites_text(value: Any, names: pd.Series) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return ", ".join(_name(names, v) if v in names.index else str(v) for v in value)
    return "" if missing(value) else str(value)


def _same_sites(text: str, names: list[str]) -> bool:
    """Whether ``text`` names exactly ``names`` (any order, joined by ", ", "; " or "and")."""
    variants = {sep.join(o) for o in (names, sorted(names)) for sep in (", ", "; ", " and ")}
    variants |= {join(o) for o in (names, sorted(names))}
    return text in variants


def _tornado_table(results: Results, names: pd.Series) -> tuple[Table | None, str]:
    sens = results.sensitivity
    if sens is None or not len(sens) or not {"low", "high"} <= set(sens):
        return None, ""
    rows = sens.assign(_swing=(sens["high"] - sens["low"]).abs()).sort_values(
        "_swing", ascending=False, kind="stable"
    )
    new = {"low_input", "high_input"} <= set(rows)
    label_col = "label" if "label" in rows else "parameter"
    ours = [_name(names, s) for s in recommended_sites(results)]
    body = []
    for _, r in rows.iterrows():
        if new:
            lo_in, hi_in = str(r["low_input"]), str(r["high_input"])
        elif {"low_factor", "high_factor"} <= set(rows):
            lo_in, hi_in = (
                _percent_change(number(r["low_factor"])),
                _percent_change(number(r["high_factor"])),
            )
        else:
            lo_in = hi_in = "–"
        cells = [
            str(r[label_col]),
            lo_in,
            hi_in,
            f"{number(r['low']):.3f}",
            f"{number(r['high']):.3f}",
        ]
        if {"sites_low", "sites_high"} <= set(rows):
            for end in ("sites_low", "sites_high"):
                text = _sites_text(r[end], names)
                cells.append("as recommended" if _same_sites(text, ours) else text)
        elif {"first_low", "first_high"} <= set(rows):
            cells += [_sites_text([r["first_low"]], names), _sites_text([r["first_high"]], names)]
        body.append(cells)
    headers = ["Input", "Low", "High", "USD/GPU-h at low", "USD/GPU-h at high"]
    note = f"Base case {number(rows['base'].iloc[0]):.3f} USD per delivered GPU-hour."
    if {"sites_low", "sites_high"} <= set(rows):
        headers += ["Recommended at low", "Recommended at high"]
        note += (
            ' Recommended sites re-solved with the input at each end ("as recommended": the '
            "same sites as at the base case)."
        )
    elif {"first_low", "first_high"} <= set(rows):
        headers += ["Highest weighted score at low", "at high"]
        note += (
            " This older result re-ranked the sites only: the last columns are the sites with "
            "the highest weighted score, not a re-solved recommendation."
        )
    widths = [24.0, 9.0, 9.0, 10.0, 10.0] + [19.0, 19.0][: len(headers) - 5]
    return (
        Table(
            headers=headers,
            rows=body,
            numeric=[False, True, True, True, True] + [False] * (len(headers) - 5),
            widths=widths,
        ),
        note,
    )


def _build_rent_table(results: Results) -> Table | None:
    bvr = results.build_vs_rent
    if not bvr:
        return None
    hours = number(bvr.get("gpu_hours"))
    rows = []
    for key, label in (
        ("build_usd", "Build and own at the recommended sites"),
        ("bridge_rent_usd", "Bridge rent while the sites wait for power"),
        ("rent_then_build_usd", "Rent then build (the recommendation)"),
        ("rent_only_usd", "Rent the whole fleet for the whole horizon"),
    ):
        value = number(bvr.get(key))
        if not math.isfinite(value):
            continue
        per_hour = f"{value / hours:.3f}" if math.isfinite(hours) and hours > 0 else "–"
        rows.append([label, musd(value), per_hour])
    if not rows:
        return None
    return Table(
        headers=["Option", "Net present cost [USD M]", "USD per delivered GPU-hour"],
        rows=rows,
        numeric=[False, True, True],
        highlight=[r[0].startswith("Rent then build") for r in rows],
        widths=[54.0, 23.0, 23.0],
    )


def _levelised_table(results: Results, sites: list[str]) -> tuple[Table | None, str]:
    rows, note = levelised_rows(results, sites)
    if not rows:
        return None, ""
    total = sum(v for _, v in rows if math.isfinite(v))
    body = [[label, f"{v:.3f}", percent(v / total) if total else "–"] for label, v in rows]
    body.append(["Total", f"{total:.3f}", "100 %"])
    return (
        Table(
            headers=["Component", "USD per delivered GPU-hour", "Share"],
            rows=body,
            numeric=[False, True, True],
            highlight=[False] * (len(body) - 1) + [True],
            widths=[60.0, 25.0, 15.0],
        ),
        note,
    )


def _cash_table(results: Results) -> tuple[Table | None, str]:
    flows = results.cash_flows
    if flows is None or not len(flows) or "year" not in flows:
        return None, ""
    columns = [(c, label) for c, label in CASH_COLUMNS if c in flows]
    net = flows[[c for c, _ in columns]].sum(axis=1)
    body = []
    for i, r in flows.iterrows():
        body.append(
            [f"{int(r['year'])}"]
            + [musd(r[c]) for c, _ in columns]
            + [musd(net[i])]
            + ([musd(r["present_value_usd"])] if "present_value_usd" in flows else [])
        )
    body.append(
        ["Total"]
        + [musd(flows[c].sum()) for c, _ in columns]
        + [musd(net.sum())]
        + ([musd(flows["present_value_usd"].sum())] if "present_value_usd" in flows else [])
    )
    headers = ["Year"] + [label for _, label in columns] + ["Net cash"]
    if "present_value_usd" in flows:
        headers.append("Present value")
    info = results.scenario.scenario
    note = (
        "USD million, nominal. Capital is paid at the start of its month, everything else at the "
        "end; the residual value of assets still in service at the horizon's end is a credit "
        f"(negative) in the last year. Present value discounts each year to January "
        f"{info.start_year} at {100 * info.discount_rate:g} %; its total is the net present cost "
        "of building plus bridge rent."
    )
    n = len(headers)
    return (
        Table(
            headers=headers,
            rows=body,
            numeric=[False] + [True] * (n - 1),
            highlight=[False] * (len(body) - 1) + [True],
            widths=[8.0] + [92.0 / (n - 1)] * (n - 1),
        ),
        note,
    )


def _scope2_table(results: Results, sites: list[str]) -> tuple[Table | None, str]:
    info = results.scenario.scenario
    end = info.start_year + info.horizon_years - 1
    scope2 = results.scope2
    if scope2:
        rows = [
            (
                "Location-based (grid average)",
                scope2.get("location_t_per_year"),
                scope2.get("location_t_horizon"),
            ),
            (
                "Market-based (contracts, residual mix)",
                scope2.get("market_t_per_year"),
                scope2.get("market_t_horizon"),
            ),
        ]
        note = (
            f"Tonnes of CO₂ from purchased electricity. A year at full build-out; the horizon "
            f"total counts only the months the GPUs run ({info.start_year}–{end})."
        )
    else:
        metrics = results.evaluation.metrics
        share = _shares(results, sites)
        if share.empty or "co2_market_t_per_year" not in metrics:
            return None, ""
        rows_m = metrics.loc[share.index]
        horizon = _summary_total(results, "co2_t")
        rows = [
            (
                "Location-based (grid average)",
                float((rows_m["co2_location_t_per_year"].astype(float) * share).sum())
                if "co2_location_t_per_year" in rows_m
                else math.nan,
                math.nan,
            ),
            (
                "Market-based (contracts, residual mix)",
                float((rows_m["co2_market_t_per_year"].astype(float) * share).sum()),
                horizon,
            ),
        ]
        note = (
            "Tonnes of CO₂ from purchased electricity; a year at full build-out (each site's "
            "whole-fleet figure times its share of GPUs) and, market-based, the optimizer's "
            f"total over the horizon ({info.start_year}–{end})."
        )
    body = [
        [
            label,
            f"{number(y):,.0f}" if math.isfinite(number(y)) else "–",
            f"{number(h):,.0f}" if math.isfinite(number(h)) else "–",
        ]
        for label, y, h in rows
    ]
    return (
        Table(
            headers=["Scope 2 basis", "t CO₂ per year", f"t CO₂ over {info.start_year}–{end}"],
            rows=body,
            numeric=[False, True, True],
            widths=[50.0, 25.0, 25.0],
        ),
        note,
    )


def build_why(results: Results, sites: list[str] | None = None) -> WhySection | None:
    """The "Why this site" section; None when there is no feasible allocation."""
    if not results.allocation.feasible:
        return None
    sites = recommended_sites(results) if sites is None else sites
    names = _names(results)
    rec = _recommendation(results)
    rob = robustness(results)
    near = nearest_switch(results)
    tornado, tornado_note = _tornado_table(results, names)
    levelised, levelised_note = _levelised_table(results, sites)
    cash, cash_note = _cash_table(results)
    scope2, scope2_note = _scope2_table(results, sites)
    return WhySection(
        why=str(rec.get("why", "") or ""),
        objective=str(rec.get("objective", "") or ""),
        alternatives=_alternatives_table(results, names),
        switching=_switching_table(results, names),
        nearest_switch=str(near.get("sentence", "")) if near else "",
        robustness=_robustness_table(rob) if rob else None,
        robustness_sentence=str(rob.get("sentence", "")) if rob else "",
        tornado=tornado,
        tornado_note=tornado_note,
        build_rent=_build_rent_table(results),
        verdict=str((results.build_vs_rent or {}).get("verdict", "") or ""),
        levelised=levelised,
        levelised_note=levelised_note,
        cash_flows=cash,
        cash_note=cash_note,
        scope2=scope2,
        scope2_note=scope2_note,
    )
