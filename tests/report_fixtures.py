"""A synthetic but realistic :class:`planner.results.Results` for report and chart tests.

Twelve candidate sites, three fleet phases, a two-site allocation, a Pareto front, Monte Carlo
rank probabilities and a tornado table. The numbers are *illustrative*, not outputs of the
planner's models: they are chosen to be of the right order (PUE 1.1 to 1.4, USD 1.5 to 2.5 per
GPU-hour, grid carbon 20 to 700 g/kWh) so that charts and tables look like a real run, and so
that tests can compare what a writer printed with what went in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.results import Allocation, Evaluation, Results
from planner.scenario import scenario_from_dict

HOURS = 8760
GPUS_PER_BLOCK = 1024

# site_id, name, country, region_code, grid, lat, lon, mean temp C, seasonal swing C,
# price USD/MWh, carbon g/kWh, water stress 0-5, time to power months
_SITES = [
    (
        "us-va-ashburn",
        "Ashburn, VA",
        "US",
        "US-VA",
        "PJM",
        39.04,
        -77.49,
        13.0,
        11.0,
        78,
        370,
        2.1,
        36,
    ),
    (
        "us-oh-columbus",
        "Columbus, OH",
        "US",
        "US-OH",
        "PJM",
        39.96,
        -83.00,
        11.5,
        12.0,
        70,
        480,
        1.2,
        24,
    ),
    (
        "us-tx-abilene",
        "Abilene, TX",
        "US",
        "US-TX",
        "ERCOT",
        32.45,
        -99.73,
        18.5,
        9.5,
        52,
        390,
        3.8,
        18,
    ),
    (
        "us-az-phoenix",
        "Phoenix, AZ",
        "US",
        "US-AZ",
        "WECC",
        33.45,
        -112.07,
        24.0,
        9.0,
        64,
        360,
        4.6,
        30,
    ),
    (
        "us-wa-quincy",
        "Quincy, WA",
        "US",
        "US-WA",
        "BPA",
        47.23,
        -119.85,
        10.5,
        11.5,
        38,
        90,
        2.6,
        30,
    ),
    (
        "us-ia-desmoines",
        "Des Moines, IA",
        "US",
        "US-IA",
        "MISO",
        41.59,
        -93.62,
        10.0,
        14.0,
        58,
        420,
        1.0,
        20,
    ),
    ("se-lulea", "Luleå", "SE", "SE-SE1", "SE1", 65.58, 22.15, 2.0, 11.0, 35, 20, 0.3, 24),
    ("no-oslo", "Oslo", "NO", "NO-NO1", "NO1", 59.91, 10.75, 6.0, 9.5, 48, 30, 0.2, 30),
    ("ie-dublin", "Dublin", "IE", "IE", "SEM", 53.35, -6.26, 10.0, 4.5, 150, 330, 0.8, 60),
    ("de-frankfurt", "Frankfurt", "DE", "DE", "DE-LU", 50.11, 8.68, 10.5, 9.0, 140, 380, 1.5, 42),
    (
        "ca-qc-montreal",
        "Montréal, QC",
        "CA",
        "CA-QC",
        "HQ",
        45.50,
        -73.57,
        7.0,
        14.5,
        40,
        30,
        0.5,
        28,
    ),
    ("sg-singapore", "Singapore", "SG", "SG", "SG", 1.35, 103.82, 27.5, 1.0, 160, 470, 2.4, 48),
]

SCENARIO_NAME = "Synthetic training fleet 12k"


def scenario_dict(name: str = SCENARIO_NAME) -> dict:
    """The scenario the synthetic results pretend to answer (valid for the schema)."""
    return {
        "scenario": {
            "name": name,
            "description": "Illustrative data for report tests.",
            "horizon_years": 10,
            "discount_rate": 0.08,
            "start_year": 2026,
        },
        "fleet": {
            "workload": "training",
            "block_gpus": GPUS_PER_BLOCK,
            "phases": [
                {"gpu": "H100-SXM", "count": 4096, "start_month": 0},
                {"gpu": "H100-SXM", "count": 4096, "start_month": 6},
                {"gpu": "B200", "count": 4096, "start_month": 18},
            ],
        },
        "energy": {
            "ppa_share": 0.5,
            "ppa_strike_usd_per_mwh": 55.0,
            "cloud_gpu_hour_usd": 2.2,
        },
        "objective": {"carbon_price_usd_per_t": 50.0},
        "constraints": {"max_sites": 2, "max_water_stress": 4.0},
        "analysis": {"pareto_points": 6},
    }


def _hourly_pue(mean_c: np.ndarray, swing_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hourly PUE and WUE from a sinusoidal synthetic temperature (coldest in mid-January)."""
    hours = np.arange(HOURS)
    season = -np.cos(2 * np.pi * (hours - 15 * 24) / HOURS)  # -1 mid-January, +1 mid-July
    daily = -np.cos(2 * np.pi * ((hours % 24) - 3) / 24)  # coolest 03:00
    south = np.where(np.array([row[5] for row in _SITES]) < 0, -1.0, 1.0)[:, None]
    temp_c = mean_c[:, None] + swing_c[:, None] * season[None, :] * south + 4.0 * daily[None, :]
    # Economizer below 18 C, mechanical load rising above it; a floor of electrical losses.
    pue = 1.08 + 0.012 * np.clip(temp_c - 18.0, 0.0, None) + 0.002 * np.clip(temp_c, 0.0, 18.0)
    wue = 0.05 + 0.045 * np.clip(temp_c - 12.0, 0.0, None)
    return pue, wue


def make_results(
    name: str = SCENARIO_NAME,
    *,
    with_pareto: bool = True,
    feasible: bool = True,
) -> Results:
    """Build the synthetic results; ``feasible=False`` gives an infeasible allocation."""
    ids = [s[0] for s in _SITES]
    n = len(ids)
    col = {
        k: np.array([s[i] for s in _SITES])
        for i, k in enumerate(
            [
                "site_id",
                "name",
                "country",
                "region_code",
                "grid",
                "lat",
                "lon",
                "mean_c",
                "swing_c",
                "price",
                "carbon",
                "stress",
                "ttp",
            ]
        )
    }
    pue, wue = _hourly_pue(col["mean_c"].astype(float), col["swing_c"].astype(float))
    gpus = 12288
    # 12,288 GPUs at about 1.36 kW each (node power with network overhead) = 16.7 MW IT.
    design_it_mw = gpus * 1.36 / 1000
    it_mwh = design_it_mw * 0.85 * HOURS
    pue_annual = pue.mean(axis=1)
    energy_mwh = it_mwh * pue_annual
    price = col["price"].astype(float)
    annuity = (1 - 1.08**-10) / 0.08  # present value of 1 USD a year for 10 years at 8 %
    cost_energy = energy_mwh * price * annuity
    construction = np.where(np.isin(col["country"], ["US"]), 1.0, 1.15)
    facility_mw = design_it_mw * pue.max(axis=1)
    cost_shell = 2.0e6 * facility_mw * construction
    cost_electrical = 4.5e6 * facility_mw * construction
    cost_mechanical = 2.2e6 * facility_mw * construction
    cost_land = np.full(n, 6.0e6)
    cost_grid = 1.5e6 * facility_mw
    cost_gpus = np.full(n, gpus * 32_000.0)
    cost_opex = 0.04 * (cost_shell + cost_electrical + cost_mechanical) * annuity
    ttp = col["ttp"].astype(float)
    cost_idle = np.clip(ttp - 18, 0, None) * gpus * 32_000 * 0.0125  # capital charge while idle
    co2_loc = energy_mwh * col["carbon"].astype(float) / 1000.0
    co2_mkt = co2_loc * 0.5
    cost_carbon = co2_mkt * 50.0 * annuity
    capital_charges = (
        cost_shell
        + cost_electrical
        + cost_mechanical
        + cost_land
        + cost_grid
        + cost_gpus
        + cost_idle
    )
    tco = capital_charges + cost_energy + cost_opex + cost_carbon
    capital_nominal = (11.7e6 * facility_mw + 6.0e6 + 1.5e6 * facility_mw) * construction + (
        gpus * 32_000.0
    )
    gpu_hours = gpus * 0.85 * HOURS * annuity
    water_m3 = wue.mean(axis=1) * it_mwh  # L/kWh x MWh = m3
    stress = col["stress"].astype(float)
    metrics = pd.DataFrame(
        {
            "name": col["name"],
            "country": col["country"],
            "region_code": col["region_code"],
            "grid": col["grid"],
            "lat": col["lat"].astype(float),
            "lon": col["lon"].astype(float),
            "capacity_mw": np.where(np.arange(n) % 4 == 0, np.inf, 60.0),
            "time_to_power_months": ttp,
            "ttp_is_estimate": np.arange(n) % 3 == 0,
            "water_stress": stress,
            "climate_source": "normals",
            "design_it_mw": design_it_mw,
            "rack_density_kw": 41.0,
            "liquid_required": False,
            "cooling_technology": np.where(stress > 3.5, "air-economizer", "evaporative"),
            "pue_annual": pue_annual,
            "pue_peak": pue.max(axis=1),
            "wue_l_per_kwh": wue.mean(axis=1),
            "economizer_hours": (pue < 1.12).sum(axis=1),
            "energy_mwh_per_year": energy_mwh,
            "price_usd_per_mwh": price,
            "peak_facility_mw": facility_mw,
            "cost_shell_usd": cost_shell,
            "cost_electrical_usd": cost_electrical,
            "cost_mechanical_usd": cost_mechanical,
            "cost_land_usd": cost_land,
            "cost_grid_usd": cost_grid,
            "cost_gpus_usd": cost_gpus,
            "cost_energy_usd": cost_energy,
            "cost_opex_usd": cost_opex,
            "cost_idle_usd": cost_idle,
            "cost_carbon_usd": cost_carbon,
            "tco_usd": tco,
            "capital_charges_pv_usd": capital_charges,
            "capital_nominal_usd": capital_nominal,
            "usd_per_gpu_hour": tco / gpu_hours,
            "rent_usd_per_gpu_hour": 2.2,
            "build_minus_rent_usd": tco - 2.2 * gpu_hours,
            "bridge_rent_usd": np.clip(ttp - 18, 0, None) * gpus * 0.85 * 730.0 * 2.2,
            "co2_location_t_per_year": co2_loc,
            "co2_market_t_per_year": co2_mkt,
            "market_factor_basis": np.where(
                np.arange(n) % 2 == 0, "residual mix", "production mix (no residual mix published)"
            ),
            "water_m3_per_year": water_m3,
            "water_weighted_m3_per_year": water_m3 * (1 + stress),
            "latency_ms": np.hypot(col["lat"].astype(float) - 40, col["lon"].astype(float) + 80)
            * 0.9,
            "risk_grid": np.linspace(0.1, 0.5, n),
            "risk_hazard": np.linspace(0.3, 0.05, n),
            "risk_constraint": np.where(ttp > 40, 0.6, 0.1),
        },
        index=pd.Index(ids, name="site_id"),
    )
    metrics["risk_score"] = metrics[["risk_grid", "risk_hazard", "risk_constraint"]].mean(axis=1)

    # Ranking: Phoenix fails water stress, Dublin fails time to power (60 > 48 months).
    reasons = pd.Series("", index=metrics.index)
    reasons["us-az-phoenix"] = "water stress 4.6 exceeds the limit of 4.0"
    reasons["ie-dublin"] = "time to power 60 months exceeds the limit of 48 months"
    feasible_mask = reasons == ""

    def norm_good_low(v: pd.Series) -> pd.Series:
        return 1 - (v - v.min()) / (v.max() - v.min())

    weights = {
        "cost": 0.4,
        "carbon": 0.2,
        "water": 0.1,
        "latency": 0.1,
        "risk": 0.1,
        "time_to_power": 0.1,
    }
    parts = {
        "cost": norm_good_low(metrics["usd_per_gpu_hour"]),
        "carbon": norm_good_low(metrics["co2_market_t_per_year"]),
        "water": norm_good_low(metrics["water_weighted_m3_per_year"]),
        "latency": norm_good_low(metrics["latency_ms"]),
        "risk": norm_good_low(metrics["risk_score"]),
        "time_to_power": norm_good_low(metrics["time_to_power_months"]),
    }
    ranking = pd.DataFrame({f"contrib_{k}": weights[k] * v for k, v in parts.items()})
    ranking.insert(0, "score", ranking.sum(axis=1))
    ranking.insert(1, "feasible", feasible_mask)
    ranking.insert(2, "reasons", reasons)
    order = (
        ranking.assign(_f=~ranking["feasible"])
        .sort_values(["_f", "score"], ascending=[True, False])
        .index
    )
    ranking.insert(0, "rank", pd.Series(np.arange(1, n + 1), index=order).reindex(ranking.index))
    ranking = ranking.sort_values("rank")
    top = list(ranking.index[:2])

    phases = ["phase_0", "phase_1", "phase_2"]
    block_cost = pd.DataFrame(
        {p: (metrics["tco_usd"] / 12) * f for p, f in zip(phases, [1.0, 0.96, 0.88], strict=False)}
    )
    block_co2 = pd.DataFrame({p: metrics["co2_market_t_per_year"] * 10 / 12 for p in phases})
    block_water = pd.DataFrame({p: metrics["water_m3_per_year"] * 10 / 12 for p in phases})
    block_mw = pd.DataFrame({p: metrics["peak_facility_mw"] / 12 for p in phases})
    rtt = pd.DataFrame(
        {"New York": metrics["latency_ms"], "London": metrics["latency_ms"][::-1].values}
    )

    months = np.repeat(np.arange(1, 13), 1)
    month_of_hour = pd.date_range("2026-01-01", periods=HOURS, freq="h").month.to_numpy()
    monthly_rows = []
    for i, sid in enumerate(ids):  # fixture only; 12 sites x 12 months
        for m in months:
            sel = month_of_hour == m
            monthly_rows.append(
                {
                    "site_id": sid,
                    "month": int(m),
                    "pue": float(pue[i, sel].mean()),
                    "wue_l_per_kwh": float(wue[i, sel].mean()),
                    "it_energy_mwh": float(design_it_mw * 0.85 * sel.sum()),
                }
            )
    provenance = pd.DataFrame(
        [
            (
                "gpus",
                "H100-SXM",
                "node_power_w_per_gpu",
                1275.0,
                "W",
                "NVIDIA DGX H100 datasheet (10.2 kW per 8-GPU system)",
                2023,
                "",
            ),
            (
                "regions",
                "US-VA",
                "price_usd_per_mwh",
                78.0,
                "USD/MWh",
                "EIA Electric Power Monthly, industrial average",
                2024,
                "synthetic test value",
            ),
            (
                "regions",
                "SE-SE1",
                "carbon_g_per_kwh",
                20.0,
                "gCO2/kWh",
                "Electricity Maps annual average",
                2023,
                "synthetic test value",
            ),
            (
                "finance",
                "capex",
                "electrical_usd_per_mw",
                4.5e6,
                "USD/MW",
                "Turner & Townsend Data Centre Cost Index",
                2024,
                "synthetic test value",
            ),
        ],
        columns=["dataset", "key", "field", "value", "unit", "source", "year", "note"],
    )
    evaluation = Evaluation(
        metrics=metrics,
        phase_block_cost_usd=block_cost,
        phase_block_co2_t=block_co2,
        phase_block_water_m3=block_water,
        site_fixed_cost_usd=pd.Series(
            cost_grid + cost_land, index=metrics.index, name="site_fixed_cost_usd"
        ),
        block_site_mw=block_mw,
        rtt_ms=rtt,
        hourly_pue=pue,
        hourly_wue_l_per_kwh=wue,
        monthly=pd.DataFrame(monthly_rows),
        provenance=provenance,
        warnings=["site us-ia-desmoines: climate from normals of the nearest station at 12 km"],
    )

    if feasible:
        blocks = pd.DataFrame(0, index=metrics.index, columns=phases)
        blocks.loc[top[0]] = [4, 4, 2]
        blocks.loc[top[1]] = [0, 0, 2]
        blocks = blocks.loc[blocks.sum(axis=1) > 0]
        gpus_df = blocks * GPUS_PER_BLOCK
        share = gpus_df.sum(axis=1) / gpus_df.values.sum()
        share = gpus_df.sum(axis=1) / gpus_df.values.sum()
        # Same columns as the optimizer's summary; co2_t and water_m3 are totals over the horizon.
        summary = pd.DataFrame(
            {
                "name": metrics.loc[blocks.index, "name"],
                "country": metrics.loc[blocks.index, "country"],
                "grid": metrics.loc[blocks.index, "grid"],
                "blocks": blocks.sum(axis=1),
                "gpus": gpus_df.sum(axis=1),
                "share": share,
                "facility_mw": metrics.loc[blocks.index, "peak_facility_mw"] * share,
                "capacity_mw": metrics.loc[blocks.index, "capacity_mw"],
                "cost_usd": metrics.loc[blocks.index, "tco_usd"] * share,
                "co2_t": metrics.loc[blocks.index, "co2_market_t_per_year"] * share * 10,
                "water_m3": metrics.loc[blocks.index, "water_m3_per_year"] * share * 10,
            }
        )
        allocation = Allocation(
            status="optimal",
            message="Optimal split across 2 sites.",
            objective_usd=float(summary["cost_usd"].sum()),
            gap=0.0,
            blocks=blocks,
            gpus=gpus_df,
            summary=summary,
            binding=["max_sites = 2 is binding"],
        )
    else:
        allocation = Allocation(
            status="infeasible",
            message=(
                "No split meets the rules: the feasible sites hold 40 MW but the fleet needs 52 MW."
            ),
        )

    pareto = None
    pareto_allocs: list[pd.DataFrame] = []
    if with_pareto:
        # From the cheapest split (about 2.5e5 t over 10 years) to the cleanest (about 1.4e4 t).
        co2 = np.linspace(2.5e5, 1.4e4, 6)
        cost = 7.0e8 + 6.0e7 * (1.0 - co2 / co2.max()) ** 2
        pareto = pd.DataFrame(
            {
                "cost_usd": cost,
                "co2_t": co2,
                "water_m3": np.linspace(4e5, 2e5, 6),
                "sites": [f"{top[0]}; {top[1]}"] * 3 + ["se-lulea; no-oslo"] * 3,
            }
        )
    uncertainty = pd.DataFrame(
        {
            "p_first": np.r_[0.62, 0.25, 0.08, 0.05, np.zeros(n - 4)],
            "p_top_k": np.r_[0.98, 0.90, 0.55, 0.35, 0.12, 0.10, np.zeros(n - 6)],
        },
        index=ranking.index,
    )
    u50 = metrics.loc[ranking.index, "usd_per_gpu_hour"].to_numpy()
    uncertainty["p10"], uncertainty["p50"], uncertainty["p90"] = u50 * 0.93, u50, u50 * 1.09
    base = float(metrics.loc[top[0], "usd_per_gpu_hour"])
    sensitivity = pd.DataFrame(
        {
            "parameter": [
                "energy price ±30 %",
                "GPU price ±20 %",
                "discount rate 6-10 %",
                "PUE ±0.05",
                "carbon price 0-100 USD/t",
            ],
            "low": base + np.array([-0.06, -0.21, -0.08, -0.01, -0.02]),
            "high": base + np.array([0.06, 0.21, 0.09, 0.01, 0.02]),
            "base": base,
        }
    )
    return Results(
        scenario=scenario_from_dict(scenario_dict(name)),
        evaluation=evaluation,
        ranking=ranking,
        allocation=allocation,
        pareto=pareto,
        pareto_allocations=pareto_allocs,
        uncertainty=uncertainty,
        sensitivity=sensitivity,
        created="2026-03-01T09:30:00",
        version="0.1.0",
    )


# --- a real-size result: 60 sites and about 1,500 provenance rows -------------------------------


def _copy_sites(frame: pd.DataFrame, copies: int, suffix) -> pd.DataFrame:
    parts = []
    for k in range(copies):
        part = frame.copy()
        if k:
            part.index = [suffix(s, k) for s in part.index]
        parts.append(part)
    out = pd.concat(parts)
    out.index.name = frame.index.name
    return out


def make_large_results(copies: int = 5) -> Results:
    """The synthetic results with every site repeated ``copies`` times (60 sites for 5).

    Copies are moved 1.5 degrees east per copy and renamed "<name> #k"; their rank follows
    the originals'. The provenance has the shape of the bundled catalog's (about 1,500 rows:
    90 regions x 9 fields, a row per site and climate station, two cooling presets with
    tabulated chiller curves, the finance parameters) so page counts are realistic.
    """
    base = make_results()
    ev = base.evaluation

    def suffix(s: str, k: int) -> str:
        return f"{s}-{k}"

    metrics = _copy_sites(ev.metrics, copies, suffix)
    for k in range(1, copies):
        ids = [suffix(s, k) for s in ev.metrics.index]
        metrics.loc[ids, "lon"] = metrics.loc[ids, "lon"] + 1.5 * k
        metrics.loc[ids, "name"] = [f"{n} #{k}" for n in ev.metrics["name"]]
    ranking = _copy_sites(base.ranking, copies, suffix)
    n = len(base.ranking)
    for k in range(1, copies):
        ids = [suffix(s, k) for s in base.ranking.index]
        ranking.loc[ids, "rank"] = base.ranking["rank"].to_numpy() + k * n
    monthly = pd.concat(
        [
            ev.monthly.assign(site_id=ev.monthly["site_id"] + (f"-{k}" if k else ""))
            for k in range(copies)
        ],
        ignore_index=True,
    )
    evaluation = Evaluation(
        metrics=metrics,
        phase_block_cost_usd=_copy_sites(ev.phase_block_cost_usd, copies, suffix),
        phase_block_co2_t=_copy_sites(ev.phase_block_co2_t, copies, suffix),
        phase_block_water_m3=_copy_sites(ev.phase_block_water_m3, copies, suffix),
        site_fixed_cost_usd=_copy_sites(ev.site_fixed_cost_usd.to_frame(), copies, suffix).iloc[
            :, 0
        ],
        block_site_mw=_copy_sites(ev.block_site_mw, copies, suffix),
        rtt_ms=_copy_sites(ev.rtt_ms, copies, suffix),
        hourly_pue=np.tile(ev.hourly_pue, (copies, 1)),
        hourly_wue_l_per_kwh=np.tile(ev.hourly_wue_l_per_kwh, (copies, 1)),
        monthly=monthly,
        provenance=large_provenance(list(metrics.index)),
        warnings=list(ev.warnings),
    )
    return Results(
        scenario=base.scenario,
        evaluation=evaluation,
        ranking=ranking,
        allocation=base.allocation,
        pareto=base.pareto,
        uncertainty=base.uncertainty,
        sensitivity=base.sensitivity,
        created=base.created,
        version=base.version,
    )


# A tabulated chiller curve as the catalog's cooling presets give it (list-valued parameter).
CHILLER_COP = [12.0, 10.0, 8.2, 6.9, 5.6]


def large_provenance(site_ids: list[str]) -> pd.DataFrame:
    """Provenance rows shaped like the bundled catalog's (synthetic values and citations)."""
    rows = []
    region_sources = ["Synthetic energy statistics 2023", "Synthetic tariff survey 2023"]
    fields = [
        ("price_usd_per_mwh", "USD/MWh"),
        ("carbon_g_per_kwh", "gCO2e/kWh"),
        ("carbon_free_share", "-"),
        ("saidi_minutes", "min/yr"),
        ("water_stress", "0-5"),
        ("construction_index", "US avg = 1"),
        ("time_to_power_months", "months"),
        ("hazard", "0-1"),
        ("moratorium", "bool"),
    ]
    regions = [f"R-{i:02d}" for i in range(88)] + ["US-VA", "SE-SE1"]
    for i, region in enumerate(regions):
        for j, (fld, unit) in enumerate(fields):
            value = bool(i % 30 == 0) if fld == "moratorium" else float(40 + (i * 7 + j) % 200)
            rows.append(
                ("regions", region, fld, value, unit, region_sources[i % 2], 2023, "CC BY 4.0", "")
            )
    for s in site_ids:
        for fld, unit in (
            ("lat", "deg"),
            ("lon", "deg"),
            ("capacity_mw", "MW"),
            ("time_to_power_months", "months"),
            ("land_usd_per_m2", "USD/m2"),
        ):
            rows.append(
                ("sites", s, fld, 10.0, unit, "Synthetic site survey", 2024, "", "estimate")
            )
    for i in range(58):
        for fld in ("temp_max_c", "temp_min_c", "temp_dew_c"):
            rows.append(
                (
                    "climate_normals",
                    f"ST{i:02d}",
                    fld,
                    "12 monthly values",
                    "C",
                    "Synthetic climate normals 1991-2020",
                    2021,
                    "Public domain",
                    "",
                )
            )
    for preset in ("hyperscale", "legacy-enterprise"):
        rows.append(
            (
                "cooling",
                f"{preset}.chiller",
                "water_cooled_cop",
                list(CHILLER_COP),
                "-",
                "Synthetic chiller standard, table 3",
                2019,
                "",
                "",
            )
        )
        for i in range(59):
            rows.append(
                (
                    "cooling",
                    f"{preset}.group{i % 8}",
                    f"parameter_{i}",
                    0.5 + i,
                    "K",
                    "estimate",
                    2024,
                    "",
                    "",
                )
            )
    for i in range(38):
        rows.append(
            (
                "finance",
                "capex",
                f"finance_{i}",
                1e6 * (i + 1),
                "USD/MW",
                "assumption",
                2025,
                "",
                "",
            )
        )
    rows.append(
        ("finance", "workload", "diurnal_hour_weights", [1.0] * 24, "-", "estimate", 2024, "", "")
    )
    rows.append(
        (
            "gpus",
            "H100-SXM",
            "node_power_w_per_gpu",
            1275.0,
            "W",
            "NVIDIA DGX H100 datasheet (10.2 kW per 8-GPU system)",
            2023,
            "",
            "",
        )
    )
    return pd.DataFrame(
        rows,
        columns=["dataset", "key", "field", "value", "unit", "source", "year", "license", "note"],
    )


# --- the recommendation explained (issues 14 and 15), hand-built ---------------------------------

RUNNER_UP_DELTA_USD = 3.1e6
RUNNER_UP_DELTA_CO2_T = -2_000.0
CARBON_SWITCH_USD_PER_T = 182.0


def make_explained_results(name: str = SCENARIO_NAME) -> Results:
    """The synthetic results with a recommendation, its robustness, build versus rent, yearly
    cash flows, Scope 2 and a tornado re-solved per input (the newer results.json keys).

    The allocation is the synthetic one: Luleå 10,240 GPUs, Montréal 2,048. The runner-up is
    "without Montréal, QC" (Luleå and Oslo), 3.1 M USD dearer and 2,000 t CO2 cleaner; the
    carbon price switches the recommendation to Oslo and Luleå above 182 USD/t.
    """
    results = make_results(name)
    metrics = results.evaluation.metrics
    alloc = results.allocation
    summary = alloc.summary
    cost = float(alloc.objective_usd)
    share = summary["share"]
    usd_h = float((metrics.loc[share.index, "usd_per_gpu_hour"] * share).sum())
    co2 = float(summary["co2_t"].sum())

    def alt(site, role, delta, d_co2, d_water, sites, sentence):
        return {
            "site_id": site,
            "name": str(metrics.at[site, "name"]),
            "role": role,
            "cost_usd": None if delta is None else cost + delta,
            "delta_cost_usd": delta,
            "delta_co2_t": d_co2,
            "delta_water_m3": d_water,
            "sites": sites,
            "sentence": sentence,
        }

    alternatives = [
        alt(
            "se-lulea",
            "top_weighted_score",
            None,
            None,
            None,
            [],
            "Luleå alone (top weighted score): infeasible (grid capacity of 60 MW is below "
            "the 70 MW the fleet needs).",
        ),
        alt(
            "se-lulea",
            "without",
            12.4e6,
            8_500.0,
            -1_200.0,
            ["no-oslo", "ca-qc-montreal"],
            "Without Luleå: +12.4 M USD (+1.6 %), 12 % more CO₂, 3 % less water.",
        ),
        alt(
            "ca-qc-montreal",
            "without",
            RUNNER_UP_DELTA_USD,
            RUNNER_UP_DELTA_CO2_T,
            500.0,
            ["se-lulea", "no-oslo"],
            "Without Montréal, QC: +3.1 M USD (+0.4 %), 3 % less CO₂, 1 % more water.",
        ),
        alt(
            "ca-qc-montreal",
            "single_site",
            25.0e6,
            -4_000.0,
            2_000.0,
            ["ca-qc-montreal"],
            "Montréal, QC alone: +25.0 M USD (+3.2 %), 6 % less CO₂, 4 % more water.",
        ),
    ]
    switching = [
        {
            "parameter": "carbon_price_usd_per_t",
            "site_id": None,
            "base": 50.0,
            "value": CARBON_SWITCH_USD_PER_T,
            "direction": "up",
            "new_sites": ["se-lulea", "no-oslo"],
            "sentence": "The recommendation changes to Luleå and Oslo if the carbon price "
            "rises above 182 USD/t.",
        },
        {
            "parameter": "electricity_price_factor",
            "site_id": "se-lulea",
            "base": 1.0,
            "value": 1.31,
            "direction": "up",
            "new_sites": ["no-oslo", "ca-qc-montreal"],
            "sentence": "The recommendation changes to Oslo and Montréal, QC if the electricity "
            "price at Luleå rises above 1.31× its scenario value.",
        },
        {
            "parameter": "gpu_capital_factor",
            "site_id": None,
            "base": 1.0,
            "value": None,
            "direction": "down",
            "new_sites": [],
            "sentence": "The recommendation does not change with GPU capital between 0.25× and "
            "1.00× its scenario value.",
        },
    ]
    robustness = {
        "draws": 256,
        "method": "scrambled Sobol (scipy.stats.qmc), re-solving the allocation in each draw",
        "factors": ["electricity price (per region)", "GPU capital", "carbon price"],
        "sites_considered": [s for s in metrics.index if s not in ("us-az-phoenix", "ie-dublin")],
        "p_in_optimum": {
            "se-lulea": 0.91,
            "ca-qc-montreal": 0.64,
            "no-oslo": 0.38,
            "us-wa-quincy": 0.07,
        },
        "p_same_sites": 0.58,
        "cost_p10_usd": cost * 0.94,
        "cost_p50_usd": cost,
        "cost_p90_usd": cost * 1.07,
        "usd_per_gpu_hour_p10": usd_h * 0.94,
        "usd_per_gpu_hour_p50": usd_h,
        "usd_per_gpu_hour_p90": usd_h * 1.07,
        "regret_p50_usd": 0.0,
        "regret_p90_usd": 6.5e6,
        "sentence": "Across 256 draws of the uncertain inputs, the optimal allocation uses the "
        "same sites as the recommendation in 58 % of draws.",
    }
    results.recommendation = {
        "objective": "net present cost + carbon at 50 USD/t + water at 0 USD/m³ "
        "(stress-weighted) + risk at 0 USD per MW-year at risk score 1",
        "sites": [
            {
                "site_id": str(s),
                "name": str(summary.at[s, "name"]),
                "gpus": float(summary.at[s, "gpus"]),
                "share": float(summary.at[s, "share"]),
            }
            for s in summary.index
        ],
        "why": "Luleå and Montréal, QC are the cheapest allocation; Luleå runs at "
        f"{metrics.at['se-lulea', 'usd_per_gpu_hour']:.2f} USD per GPU-hour.",
        "alternatives": alternatives,
        "switching_values": switching,
        "robustness": robustness,
    }
    bridge = 4.2e6
    components = {"capital": 0.62, "opex": 0.08, "energy": 0.2, "carbon": 0.09, "rent": 0.01}
    results.build_vs_rent = {
        "build_usd": cost - bridge,
        "bridge_rent_usd": bridge,
        "rent_only_usd": cost * 1.38,
        "rent_then_build_usd": cost,
        "verdict": "Building at the recommended sites costs 296.1 M USD (28 %) less than "
        "renting the whole fleet over 10 years.",
        "usd_per_gpu_hour": usd_h,
        "gpu_hours": cost / usd_h,
        "usd_per_gpu_hour_by_component": {k: v * usd_h for k, v in components.items()},
    }
    years = np.arange(2026, 2036)
    capital = np.r_[4.1e8, 2.0e8, 1.6e8, 0, 0, 1.2e8, 0, 0, 0, 0]
    residual = np.r_[np.zeros(9), -1.5e8]
    opex = np.r_[1.0e6, np.full(9, 9.0e6)]
    energy = np.r_[2.0e6, np.full(9, 2.2e7)]
    rent = np.r_[bridge, np.zeros(9)]
    carbon = np.r_[0.5e6, np.full(9, 2.5e6)]
    net = capital + residual + opex + energy + rent + carbon
    results.cash_flows = pd.DataFrame(
        {
            "year": years,
            "capital_usd": capital,
            "residual_usd": residual,
            "opex_usd": opex,
            "energy_usd": energy,
            "rent_usd": rent,
            "carbon_usd": carbon,
            "present_value_usd": net / 1.08 ** (years - 2026),
        }
    )
    location = float((metrics.loc[share.index, "co2_location_t_per_year"] * share).sum())
    market = float((metrics.loc[share.index, "co2_market_t_per_year"] * share).sum())
    results.scope2 = {
        "location_t_per_year": location,
        "market_t_per_year": market,
        "location_t_horizon": co2 * location / market,
        "market_t_horizon": co2,
    }
    base = usd_h
    names = [["Luleå", "Montréal, QC"]] * 4
    results.sensitivity = pd.DataFrame(
        {
            "parameter": ["gpu_capital", "electricity_price", "time_to_power", "carbon_price"],
            "label": ["GPU capital", "Electricity price", "Time to power", "Carbon price"],
            "low_input": ["-15 %", "-19 %", "-6 months", "0 USD/t"],
            "high_input": ["+17 %", "+24 %", "+6 months", "150 USD/t"],
            "low": base + np.array([-0.18, -0.06, -0.01, -0.03]),
            "high": base + np.array([0.2, 0.07, 0.03, 0.05]),
            "base": base,
            "sites_low": names,
            "sites_high": [names[0], ["Oslo", "Montréal, QC"], names[0], ["Luleå", "Oslo"]],
        }
    )
    return results
