"""Synthetic scenarios and evaluations for the optimizer's tests and benchmarks.

The numbers are made up but shaped like the real thing (assumptions, not data): a block of
GPUs draws ``block_gpus x kW per GPU x PUE`` of facility power; its net present cost is GPU
capex plus facility capex per MW plus energy over the horizon; CO2 is energy times a grid
intensity; water is IT energy times a WUE. Everything is seeded.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pandas as pd

from planner.results import Evaluation
from planner.scenario import Scenario, scenario_from_dict

CENTERS = {"Frankfurt": (50.11, 8.68), "Paris": (48.86, 2.35), "Madrid": (40.42, -3.70)}
COUNTRIES = np.array(["DE", "FR", "ES", "NL", "SE", "NO"])
GRIDS = np.array(["G1", "G2", "G3", "G4"])
KW_PER_GPU = (1.3, 1.8, 1.5, 1.2)  # assumption: node power per GPU by phase, kW
HOURS_PER_YEAR = 8760.0


def make_scenario(**sections: Any) -> Scenario:
    """A valid scenario; keyword arguments replace or extend whole top-level sections.

    ``make_scenario(constraints={"max_sites": 2}, fleet={"phases": [...]})`` merges one level
    deep into the defaults.
    """
    base: dict[str, Any] = {
        "scenario": {"name": "synthetic", "horizon_years": 10},
        "fleet": {
            "block_gpus": 1024,
            "phases": [
                {"gpu": "H100-SXM", "count": 4096, "start_month": 0},
                {"gpu": "B200", "count": 2048, "start_month": 12},
            ],
        },
        "constraints": {"min_sites": 1, "max_sites": 3},
        # One rent for every model, so that the delay rent needs no GPU catalog.
        "energy": {"cloud_gpu_hour_usd": 2.5},
        "analysis": {"pareto_points": 0, "sensitivity": False, "uncertainty": {"draws": 0}},
    }
    data = copy.deepcopy(base)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return scenario_from_dict(data)


def make_evaluation(
    scenario: Scenario,
    n_sites: int = 8,
    seed: int = 0,
    *,
    capacity_mw: tuple[float, float] = (10.0, 120.0),
    unlimited_share: float = 0.1,
    n_grids: int = 4,
    hours: int = 8760,
) -> Evaluation:
    """A synthetic :class:`Evaluation` for ``scenario`` with ``n_sites`` random sites."""
    rng = np.random.default_rng(seed)
    phases = scenario.fleet.phases
    n_phase = len(phases)
    block = scenario.fleet.block_gpus
    years = scenario.scenario.horizon_years
    ids = pd.Index([f"S{i:04d}" for i in range(n_sites)], name="site_id")
    phase_cols = [f"phase_{p}" for p in range(n_phase)]

    lat = rng.uniform(38.0, 60.0, n_sites)
    lon = rng.uniform(-8.0, 20.0, n_sites)
    pue = rng.uniform(1.08, 1.45, n_sites)
    price = rng.uniform(40.0, 140.0, n_sites)  # USD/MWh
    carbon = rng.uniform(20.0, 450.0, n_sites)  # g/kWh
    wue = rng.uniform(0.0, 1.8, n_sites)  # L/kWh IT
    capex_per_mw = rng.uniform(8e6, 14e6, n_sites)  # USD per facility MW
    fixed = rng.uniform(20e6, 90e6, n_sites)
    cap = rng.uniform(*capacity_mw, n_sites)
    cap[rng.random(n_sites) < unlimited_share] = np.inf
    ttp = rng.integers(3, 48, n_sites).astype(float)
    stress = rng.uniform(0.0, 5.0, n_sites)

    kw = np.array([KW_PER_GPU[p % len(KW_PER_GPU)] for p in range(n_phase)])
    it_mw = block * kw / 1000.0  # (P,)
    block_mw = pue[:, None] * it_mw[None, :]  # (S, P)
    utilisation = scenario.fleet.utilization
    months_on = np.array([years * 12 - ph.start_month for ph in phases], dtype=float)
    mwh = block_mw * utilisation * HOURS_PER_YEAR * months_on[None, :] / 12.0
    energy_usd = mwh * price[:, None]
    carbon_price = scenario.objective.carbon_price_usd_per_t
    co2_t = mwh * carbon[:, None] / 1000.0
    block_cost = (
        block * 30_000.0 + block_mw * capex_per_mw[:, None] + energy_usd + co2_t * carbon_price
    )
    water_m3 = mwh / pue[:, None] * wue[:, None]  # MWh IT x L/kWh = m3

    n_blocks = np.array([-(-ph.count // block) for ph in phases])
    # Fixed cost when phase p is the first the site serves: paid undiscounted from the month the
    # phase runs there (its start, or the site's time to power if later) to the horizon end, so
    # a site first used by a later phase pays less (shape of the evaluation's rule, made up).
    months = years * 12
    runs_from = np.minimum(
        np.maximum(np.array([ph.start_month for ph in phases])[None, :], ttp[:, None]), months
    )
    fixed_by_phase = fixed[:, None] * (months - runs_from) / months  # (S, P)
    fixed = fixed_by_phase.max(axis=1)  # the fleet's earliest phase
    tco = fixed + block_cost @ n_blocks
    gpu_hours = scenario.fleet.total_gpus * utilisation * HOURS_PER_YEAR * years
    rtt = {}
    for name, (clat, clon) in CENTERS.items():
        # About 1 ms of round trip per 100 km of fibre, route factor 1.5 (assumption).
        km = 111.0 * np.hypot(lat - clat, (lon - clon) * np.cos(np.radians(clat)))
        rtt[name] = 1.5 * km / 100.0 + 1.0
    rtt_df = pd.DataFrame(rtt, index=ids)

    metrics = pd.DataFrame(
        {
            "name": [f"Site {i}" for i in range(n_sites)],
            "country": rng.choice(COUNTRIES, n_sites),
            "region_code": [f"R{i % 7}" for i in range(n_sites)],
            "grid": rng.choice(GRIDS[:n_grids], n_sites),
            "lat": lat,
            "lon": lon,
            "capacity_mw": cap,
            "time_to_power_months": ttp,
            "water_stress": stress,
            "pue_annual": pue,
            "price_usd_per_mwh": price,
            "cost_energy_usd": energy_usd @ n_blocks,
            "cost_carbon_usd": (co2_t * carbon_price) @ n_blocks,
            "tco_usd": tco,
            "usd_per_gpu_hour": tco / gpu_hours,
            "co2_market_t_per_year": (co2_t @ n_blocks) / years,
            "water_m3_per_year": (water_m3 @ n_blocks) / years,
            "water_weighted_m3_per_year": (water_m3 @ n_blocks) / years * (1 + stress),
            "latency_ms": rtt_df.mean(axis=1).to_numpy(),
            "risk_score": rng.uniform(0.0, 1.0, n_sites),
        },
        index=ids,
    )
    # A mild seasonal swing (assumption) so charts of hourly series have something to show.
    season = 1.0 + 0.03 * np.sin(2 * np.pi * np.arange(hours) / hours)
    frame = lambda a: pd.DataFrame(a, index=ids, columns=phase_cols)  # noqa: E731
    return Evaluation(
        metrics=metrics,
        phase_block_cost_usd=frame(block_cost),
        phase_block_co2_t=frame(co2_t),
        phase_block_water_m3=frame(water_m3),
        site_fixed_cost_usd=pd.Series(fixed, index=ids, name="site_fixed_cost_usd"),
        site_fixed_cost_by_first_phase_usd=frame(fixed_by_phase),
        block_site_mw=frame(block_mw),
        rtt_ms=rtt_df,
        hourly_pue=pue[:, None] * season[None, :],
        hourly_wue_l_per_kwh=wue[:, None] * season[None, :],
        monthly=pd.DataFrame(
            {
                "site_id": np.repeat(ids.to_numpy(), 12),
                "month": np.tile(np.arange(1, 13), n_sites),
                "pue": np.repeat(pue, 12),
                "wue_l_per_kwh": np.repeat(wue, 12),
                "it_energy_mwh": np.repeat(
                    it_mw.sum() * utilisation * HOURS_PER_YEAR / 12.0, 12 * n_sites
                ),
            }
        ),
        provenance=pd.DataFrame(
            columns=["dataset", "key", "field", "value", "unit", "source", "year", "note"]
        ),
    )


# --- an independent reference: enumerate every placement and check every rule by hand -------


def compositions(n: int, k: int):
    """All ways to put n identical blocks into k sites."""
    for cuts in itertools.combinations(range(n + k - 1), k - 1):
        parts, prev = [], -1
        for c in (*cuts, n + k - 1):
            parts.append(c - prev - 1)
            prev = c
        yield parts


def rule_breaks(ev: Evaluation, scenario, blocks: pd.DataFrame) -> list[str]:
    """Rules an allocation (site_id x phase block counts, all sites or only open ones) breaks.

    Written from the scenario text, not from the optimizer's model: a fleet share is GPUs over
    the fleet's GPUs, a latency rule counts GPUs at sites whose RTT is within the limit.
    """
    m = ev.metrics
    con = scenario.constraints
    b = blocks.reindex(index=m.index, columns=ev.phase_block_cost_usd.columns).fillna(0).to_numpy()
    gpus_site = b.sum(axis=1) * scenario.fleet.block_gpus
    fleet = scenario.fleet.total_gpus
    open_ = gpus_site > 0
    out = []
    for p, phase in enumerate(scenario.fleet.phases):
        if b[:, p].sum() * scenario.fleet.block_gpus != phase.count:
            out.append(
                f"phase {p} placed {b[:, p].sum() * scenario.fleet.block_gpus} of {phase.count}"
            )
    mw = (b * ev.block_site_mw.to_numpy()).sum(axis=1)
    if (mw > m["capacity_mw"].to_numpy() + 1e-9).any():
        out.append("capacity")
    if (gpus_site > con.max_share_per_site * fleet + 1e-9).any():
        out.append("share")
    if not con.min_sites <= open_.sum() <= con.max_sites:
        out.append("site count")
    for rule in con.latency:
        near = ev.rtt_ms[rule.demand_center].to_numpy() <= rule.max_rtt_ms
        if gpus_site[near].sum() < rule.min_share * fleet - 1e-9:
            out.append(f"latency {rule.demand_center}")
    if m["grid"][open_].nunique() < con.min_grid_regions:
        out.append("grids")
    if con.allowed_countries and not m["country"][open_].isin(con.allowed_countries).all():
        out.append("residency")
    return out


def feasible_placements(ev: Evaluation, scenario) -> list[tuple[float, float, float]]:
    """(cost USD, CO2 t, water m3) of every placement that meets every rule."""
    m = ev.metrics
    sites = list(m.index)
    phases = list(ev.phase_block_cost_usd.columns)
    cost = ev.phase_block_cost_usd.to_numpy()
    fixed_by_phase = ev.site_fixed_cost_by_first_phase_usd
    starts = [p.start_month for p in scenario.fleet.phases]
    need = [p.count // scenario.fleet.block_gpus for p in scenario.fleet.phases]
    co2 = ev.phase_block_co2_t.to_numpy()
    water = ev.phase_block_water_m3.to_numpy()
    found = []
    for combo in itertools.product(*(list(compositions(n, len(sites))) for n in need)):
        b = np.array(combo).T  # sites x phases
        frame = pd.DataFrame(b, index=m.index, columns=phases)
        if rule_breaks(ev, scenario, frame):
            continue
        total = (b * cost).sum()
        for i, site in enumerate(sites):  # a site pays from the earliest phase it serves
            served = [p for p in range(len(phases)) if b[i, p] > 0]
            if served:
                first = min(served, key=lambda p: starts[p])
                total += fixed_by_phase.loc[site, phases[first]]
        found.append((float(total), float((b * co2).sum()), float((b * water).sum())))
    return found


def brute_force(ev: Evaluation, scenario) -> float | None:
    """Lowest cost over every placement that meets every rule (None if there is none)."""
    found = feasible_placements(ev, scenario)
    return min(c for c, _, _ in found) if found else None
