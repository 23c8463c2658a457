"""Evaluate every candidate site for a scenario at once: one row of metrics per site.

:func:`evaluate_sites` loads the catalog (or a user site file), applies the scenario's site
filters, builds each site's typical-year climate, runs the cooling model, and hands the arrays
to :func:`evaluate_arrays`, which computes everything else vectorised over sites (rows) and
hours or horizon months (columns); there is no Python loop over sites.

Costs are additive so that the allocation MILP can use them directly: the net present cost of
an allocation is the sum of the opened sites' fixed costs plus, for every block placed,
``phase_block_cost_usd[site, phase]``. A site's fixed cost runs from the first phase it serves
(``site_fixed_cost_by_first_phase_usd``; ``site_fixed_cost_usd`` is the value when it serves
the fleet's earliest phase). Economies of scale enter only through the fixed
part (see :func:`planner.economics.capex_affine`). The whole-fleet cost columns in ``metrics``
are exactly ``fixed + sum over phases of (count / block_gpus) x block cost``.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner import economics as econ
from planner.emissions import market_share_emitting
from planner.errors import InputError
from planner.latency import site_rtt_ms, weighted_latency_ms
from planner.moratoria import flag_moratoria
from planner.params import PROVENANCE_COLUMNS, load_parameter_file
from planner.paths import data_dir
from planner.power import HOURS_PER_YEAR, MONTH_START_HOUR, FleetPower, WorkloadParams, fleet_power
from planner.progress import ProgressCallback, report
from planner.results import Evaluation
from planner.risk import RiskParams, risk_components
from planner.scenario import Scenario, Tier

CAPEX_COMPONENTS = ("shell", "electrical", "mechanical")

IDENTITY_COLUMNS = (
    "name",
    "country",
    "region_code",
    "grid",
    "lat",
    "lon",
    "capacity_mw",
    "time_to_power_months",
    "ttp_is_estimate",
    "water_stress",
    "climate_source",
)
"""Site columns copied unchanged into the metrics table."""

SITE_COLUMNS = (
    *IDENTITY_COLUMNS,
    "price_usd_per_mwh",
    "carbon_g_per_kwh",
    "construction_index",
    "land_usd_per_m2",
    "saidi_minutes",
    "hazard",
    "moratorium",
)
"""Columns :func:`evaluate_arrays` reads from its site table (regional values merged in)."""


def load_finance(path: str | Path | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read the finance parameter file (default: the embedded ``finance.toml``)."""
    return load_parameter_file(path or data_dir() / "finance.toml")


@dataclass
class SiteArrays:
    """What :func:`evaluate_arrays` needs about the sites, already aligned row by row.

    Attributes
    ----------
    table : DataFrame
        Index ``site_id``; the columns of :data:`SITE_COLUMNS`.
    hourly_pue : ndarray, shape (n_sites, 8760) or (n_cases, 8760) with ``case_of_site``
    hourly_wue_l_per_kwh : ndarray, same shape as ``hourly_pue``
    cooling_technology : ndarray of str, shape (n_sites,)
    economizer_hours : ndarray, shape (n_sites,)
    """

    table: pd.DataFrame
    hourly_pue: np.ndarray
    hourly_wue_l_per_kwh: np.ndarray
    cooling_technology: np.ndarray
    economizer_hours: np.ndarray
    warnings: list[str] = field(default_factory=list)
    mechanical_usd_per_mw: dict[str, float] | None = None
    """Cooling capex per MW of IT by technology (the cooling preset's ``capex_usd_per_mw``)."""
    case_of_site: np.ndarray | None = None
    """If given, the hourly arrays have one row per distinct cooling case and this is each
    site's row; otherwise they have one row per site."""


# --- hourly files ------------------------------------------------------------------------------


#: Accepted range of hourly values per kind of file, with the unit. Hourly prices may be
#: negative (day-ahead markets clear down to -500 EUR/MWh; ERCOT's floor is -251 USD/MWh), so
#: only absurd values are refused; carbon intensity never is below zero.
HOURLY_RANGES = {
    "price": (-1000.0, 20_000.0, "USD/MWh"),
    "carbon": (0.0, 2_000.0, "gCO2/kWh"),
}
_TIME_COLUMNS = {"hour", "time", "timestamp", "datetime", "date", "", "unnamed: 0"}


def read_hourly_file(path: str | Path, what: str) -> pd.DataFrame:
    """Read an hourly CSV of 8,760 rows: one numeric column for all sites, or one per region code.

    A column named ``hour``, ``time``, ``timestamp``, ``datetime`` or ``date`` (or left
    unnamed, as a pandas index column is) is ignored. The file may be gzip-compressed or a
    zip archive holding one CSV.

    Parameters
    ----------
    path : str or Path
    what : {"price", "carbon"}
        The kind of values: USD/MWh or gCO2/kWh; sets the accepted range
        (:data:`HOURLY_RANGES`).

    Returns
    -------
    DataFrame
        8,760 rows of floats, columns named as in the file (stripped).

    Raises
    ------
    InputError
        Naming the file, the first bad row (1-based, header excluded) and column: a cell that
        is empty or not a finite number, a value outside the range, a column of zeros, or a
        file without 8,760 rows.
    """
    path = Path(path)
    frame = _read_hourly_table(path, what)
    frame = frame.drop(columns=[c for c in frame.columns if c.strip().lower() in _TIME_COLUMNS])
    if frame.shape[1] == 0:
        raise InputError(f"expected at least one column of hourly {what} values", file=path)
    if len(frame) != HOURS_PER_YEAR:
        hint = " (a leap year? remove 29 February)" if len(frame) == HOURS_PER_YEAR + 24 else ""
        raise InputError(f"expected 8760 hourly rows, got {len(frame)}{hint}", file=path)
    numeric = pd.DataFrame(
        {str(c).strip(): _hourly_column(frame[c], path, str(c), what) for c in frame.columns}
    )
    return numeric


def _read_hourly_table(path: Path, what: str) -> pd.DataFrame:
    """The file's cells as text, columns named by the header."""
    from planner.inputs import read_input_bytes

    raw, _name = read_input_bytes(path, what=f"hourly {what}", suffixes=(".csv", ".txt"))
    try:
        text = raw.decode("utf-8-sig")
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise InputError(f"the hourly {what} file is not UTF-8 text", file=path) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"the hourly {what} file is empty", file=path) from None
    except (pd.errors.ParserError, ValueError) as exc:
        problem = " ".join(str(exc).split())
        raise InputError(f"not a readable CSV file ({problem})", file=path) from None
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _hourly_column(values: pd.Series, path: Path, column: str, what: str) -> np.ndarray:
    """One column as floats, every value finite and in :data:`HOURLY_RANGES`."""
    text = values.astype(str).str.strip()
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    low, high, unit = HOURLY_RANGES.get(what, (-np.inf, np.inf, ""))
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) | (numbers < low) | (numbers > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        cell = text.iloc[row]
        if not np.isfinite(numbers[row]):
            got = "an empty cell" if cell == "" else f"'{cell[:40]}'"
            problem = f"expected a finite number, got {got}"
        else:
            problem = f"{numbers[row]:g} {unit} is outside {low:g}..{high:g} {unit}"
        raise InputError(problem, file=path, row=row + 1, field=column.strip())
    if not numbers.any():
        raise InputError(
            f"every hourly {what} value is zero (an export that lost its data?)",
            file=path,
            field=column.strip(),
        )
    return numbers


def hourly_by_site(
    frame: pd.DataFrame, region_codes: np.ndarray, flat: np.ndarray, warnings: list[str], what: str
) -> np.ndarray:
    """Hourly values per site from a file: shape (1, 8760) for one column, else (n_sites, 8760).

    With several columns, each site takes its region's column; a site whose region has no
    column keeps its flat regional value (and a warning says how many).
    """
    if frame.shape[1] == 1:
        return frame.to_numpy(dtype=float).T
    values = frame.to_numpy(dtype=float).T  # (columns, 8760)
    position = {c: i for i, c in enumerate(frame.columns)}
    idx = np.array([position.get(str(code), -1) for code in region_codes])
    out = np.where(idx[:, None] >= 0, values[np.maximum(idx, 0)], np.asarray(flat, float)[:, None])
    missing = int((idx < 0).sum())
    if missing:
        warnings.append(
            f"{missing} site(s) have no column in the hourly {what} file; "
            "their regional average is used"
        )
    return out


# --- the vectorised core -----------------------------------------------------------------------


def evaluate_arrays(
    scenario: Scenario,
    sites: SiteArrays,
    gpus: pd.DataFrame,
    demand_centers: pd.DataFrame,
    finance: dict[str, Any],
    *,
    provenance: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
) -> Evaluation:
    """Metrics, per-block costs and hourly series for sites whose climate and cooling are known.

    Parameters
    ----------
    scenario : Scenario
    sites : SiteArrays
        Site table with regional values, hourly PUE and WUE, per-site cooling technology.
    gpus : DataFrame
        GPU catalog (``node_power_w_per_gpu, rack_density_kw, liquid_required, price_usd``).
    demand_centers : DataFrame
        Index ``name``: ``lat, lon, population``.
    finance : dict
        Values of ``finance.toml`` (see :func:`load_finance`).
    provenance : DataFrame, optional
        Provenance rows of every input, returned with the evaluation.
    """
    warnings = list(sites.warnings)
    table = sites.table
    n = len(table)
    fin = finance
    info, energy = scenario.scenario, scenario.energy
    rate = float(info.discount_rate)
    months = int(info.horizon_years) * 12

    # Fleet power (site independent).
    fp: FleetPower = fleet_power(scenario.fleet, gpus, WorkloadParams.from_dict(fin["workload"]))
    phases = fp.phases
    names = fp.phase_names
    it_kw_per_gpu = phases["it_kw_per_gpu"].to_numpy(float)  # (P,)
    counts = phases["count"].to_numpy(float)
    phase_start = phases["start_month"].to_numpy(int)
    gpu_price = gpus.loc[phases["gpu"], "price_usd"].to_numpy(float)
    block = float(scenario.fleet.block_gpus)
    lf = fp.load_fraction  # (8760,)
    design_kw = fp.design_it_mw * 1000.0

    # Hourly arrays may be given per distinct cooling case (climate x technology) with an
    # index per site: the hourly work is then done once per case, not once per site.
    pue = np.asarray(sites.hourly_pue)  # float32 from the cooling model is kept: half the memory
    wue = np.asarray(sites.hourly_wue_l_per_kwh)
    case = np.arange(n) if sites.case_of_site is None else np.asarray(sites.case_of_site, dtype=int)
    m = pue.shape[0]
    if (
        case.shape != (n,)
        or pue.shape != (m, HOURS_PER_YEAR)
        or wue.shape != pue.shape
        or (n and case.max() >= m)
    ):
        raise ValueError(
            f"hourly PUE/WUE must have shape (cases, 8760) with a case per site; got {pue.shape}"
        )
    report(progress, "energy and emissions", 0.1)

    # Hourly facility kW per kW of design IT load, and the monthly bill per kW of design IT.
    facility = lf[None, :] * pue  # (cases, 8760)
    region_codes = table["region_code"].astype(str).to_numpy()
    flat_price = table["price_usd_per_mwh"].to_numpy(float)
    price_factor = flat_price  # per site multiplier of the hourly price shape
    if energy.price_file is not None:
        shape = hourly_by_site(
            read_hourly_file(energy.price_file, "price"),
            region_codes,
            flat_price,
            warnings,
            "price",
        )
        price_factor = np.ones(n)
    elif energy.tariff == "time-of-use":
        t = fin["tariff"]
        first_weekday = _dt.date(info.start_year, 1, 1).weekday()
        shape = econ.time_of_use_shape(
            t["peak_start_hour"], t["peak_end_hour"], t["peak_multiplier"], first_weekday
        )
        shape = shape[None, :]
    else:
        shape = np.ones((1, 1))
    demand_kwargs = {
        "demand_charge_usd_per_kw_month": energy.demand_charge_usd_per_kw_month,
        "ppa_share": energy.ppa_share,
        "ppa_strike_usd_per_mwh": energy.ppa_strike_usd_per_mwh,
    }
    if shape.shape[0] == 1:
        # One price shape for every site: bill each case at a unit price level, then scale.
        bill_case = econ.monthly_energy_bill(facility, shape, **demand_kwargs)
        bill = {k: v[case] for k, v in bill_case.items()}
        bill["grid_usd"] = bill["grid_usd"] * price_factor[:, None]
    else:  # a price column per region: hourly products per site
        bill = econ.monthly_energy_bill(facility[case], shape, **demand_kwargs)
    fac_mwh = bill["energy_mwh"]  # (n, 12) MWh per kW design IT
    it_mwh = np.add.reduceat(lf, MONTH_START_HOUR) / 1000.0  # (12,)

    flat_carbon = table["carbon_g_per_kwh"].to_numpy(float)
    if energy.carbon_file is not None:
        carbon = hourly_by_site(
            read_hourly_file(energy.carbon_file, "carbon"),
            region_codes,
            flat_carbon,
            warnings,
            "carbon",
        )
        if carbon.shape[0] == 1:
            co2_loc = (
                np.add.reduceat(facility * carbon, MONTH_START_HOUR, axis=1)[case] / 1e6
            )  # t per kW design
        else:
            co2_loc = np.add.reduceat(facility[case] * carbon, MONTH_START_HOUR, axis=1) / 1e6
    else:
        co2_loc = fac_mwh * 1000.0 * flat_carbon[:, None] / 1e6
    co2_mkt = co2_loc * market_share_emitting(energy.ppa_share, energy.ppa_carbon_free)
    water_month = (np.add.reduceat(lf[None, :] * wue, MONTH_START_HOUR, axis=1) / 1000.0)[
        case
    ]  # m3 per kW design
    peak_facility = facility.max(axis=1)[case]
    pue_peak = pue.max(axis=1).astype(float)[case]
    del facility

    # Present values from month s to the horizon end, per kW of design IT: shape (n, months + 1).
    esc = energy.price_escalation_per_year
    pv_energy = econ.horizon_pv_from(
        bill["grid_usd"] + bill["demand_usd"], rate, months, esc
    ) + econ.horizon_pv_from(bill["ppa_usd"], rate, months)
    carbon_price = scenario.objective.carbon_price_usd_per_t
    pv_carbon = econ.horizon_pv_from(co2_mkt * carbon_price, rate, months)
    sum_co2 = econ.horizon_pv_from(co2_mkt, 0.0, months)  # undiscounted totals (discount 0)
    sum_water = econ.horizon_pv_from(water_month, 0.0, months)
    annuity = econ.tail_sums(econ.discount_factors(rate, months))  # (months + 1,)
    gpu_hours_pv = econ.horizon_pv_from(fp.useful_gpu_hours_per_month(), rate, months)  # per GPU

    # When each phase can run at each site: GPUs arrive at the phase start; power at the ready
    # month = max(time to power, build lead): construction proceeds while the grid connection
    # is in the queue.
    ttp = table["time_to_power_months"].to_numpy(float)
    ready = np.maximum(np.nan_to_num(ttp, nan=0.0), scenario.facility.build_lead_months)
    ready = np.ceil(ready).astype(int)
    start = np.minimum(np.maximum(phase_start[None, :], ready[:, None]), months)  # (n, P)
    first = start.min(axis=1)  # the fleet's earliest running month at each site
    runs = start < months  # the phase operates inside the horizon at this site
    rows = np.arange(n)[:, None]
    report(progress, "costs", 0.4)

    # Capex per MW of design IT by component: reference cost x regional index x tier/cooling
    # factor, straight-line approximation of the scale curve between one block and the fleet.
    cap = fin["capex"]
    index = np.nan_to_num(table["construction_index"].to_numpy(float), nan=1.0)
    tech = np.asarray(sites.cooling_technology, dtype=object)
    # Mechanical cost per MW: the cooling preset's figure for the site's technology, so that
    # 'auto' cooling selection and the economics use the same number.
    kinds, kind_of_site = np.unique(
        tech.astype(str), return_inverse=True
    )  # loop over kinds, not sites
    mech_capex = sites.mechanical_usd_per_mw or {}
    fallback = float(cap["mechanical_usd_per_mw"])
    mechanical = np.array([float(mech_capex.get(k, fallback)) for k in kinds])[kind_of_site]
    unit_per_mw = {
        "shell": index * float(cap["shell_usd_per_mw"]),
        "electrical": index
        * float(cap["electrical_usd_per_mw"])
        * float(cap["tier_factor"][Tier(scenario.facility.tier).value]),
        "mechanical": index * mechanical,
    }
    small_mw = float((block * it_kw_per_gpu).min()) / 1000.0
    fixed_unit, per_mw_unit = econ.capex_affine(
        1.0, cap["reference_size_mw"], cap["scale_exponent"], small_mw, fp.design_it_mw
    )
    life = fin["life_years"]
    mcrf = {k: float(econ.crf(econ.monthly_rate(rate), 12.0 * float(v))) for k, v in life.items()}

    mw_per_gpu = it_kw_per_gpu / 1000.0  # (P,)
    per_gpu: dict[str, np.ndarray] = {}  # component -> (n, P) present cost per GPU
    fixed: dict[str, np.ndarray] = {}  # component -> (n,) present fixed cost of the site
    facility_per_mw = np.zeros(n)
    facility_fixed = np.zeros(n)
    for comp in CAPEX_COMPONENTS:  # three components, vectorised over sites
        unit = unit_per_mw[comp]
        per_gpu[comp] = (
            (unit * per_mw_unit)[:, None] * mw_per_gpu[None, :] * mcrf[comp] * annuity[start]
        )
        fixed[comp] = unit * fixed_unit * mcrf[comp] * annuity[first]
        facility_per_mw += unit * per_mw_unit
        facility_fixed += unit * fixed_unit
    land_price = table["land_usd_per_m2"].to_numpy(float)
    land_price = np.where(
        np.isnan(land_price), float(fin["land"]["default_usd_per_m2"]), land_price
    )
    land_per_mw = land_price * float(fin["land"]["m2_per_mw"])
    per_gpu["land"] = land_per_mw[:, None] * mw_per_gpu[None, :] * mcrf["land"] * annuity[start]
    fixed["land"] = np.zeros(n)
    grid_per_mw = (
        float(fin["grid"]["usd_per_mw"]) * pue_peak
    )  # per MW of IT: facility MW = IT x peak PUE
    per_gpu["grid"] = grid_per_mw[:, None] * mw_per_gpu[None, :] * mcrf["grid"] * annuity[start]
    fixed["grid"] = float(fin["grid"]["fixed_usd"]) * mcrf["grid"] * annuity[first]
    opex_rate = float(fin["opex"]["facility_fraction_per_year"]) / 12.0
    per_gpu["opex"] = (opex_rate * facility_per_mw)[:, None] * mw_per_gpu[None, :] * annuity[start]
    fixed["opex"] = (
        opex_rate * facility_fixed + float(fin["opex"]["site_fixed_usd_per_year"]) / 12.0
    ) * annuity[first]
    per_gpu["energy"] = pv_energy[rows, start] * it_kw_per_gpu[None, :]
    per_gpu["carbon"] = pv_carbon[rows, start] * it_kw_per_gpu[None, :]
    gpu_charge = gpu_price * mcrf["gpus"]  # (P,) USD per GPU-month
    per_gpu["gpus"] = gpu_charge[None, :] * annuity[start]
    per_gpu["idle"] = gpu_charge[None, :] * (annuity[phase_start][None, :] - annuity[start])
    for comp in ("energy", "carbon", "gpus", "idle"):
        fixed[comp] = np.zeros(n)

    def whole(comp: str) -> np.ndarray:
        return fixed[comp] + per_gpu[comp] @ counts

    block_cost = sum(per_gpu.values()) * block
    block_cost = np.where(runs, block_cost, np.inf)  # a phase that never gets power cannot go there
    site_fixed = sum(fixed.values())
    # Every fixed component is a monthly amount paid from the site's first running month on,
    # i.e. rate x annuity[first]. For an allocation that gives the site only some phases, the
    # fixed cost starts with the earliest of *those*: publish it per first phase served.
    with np.errstate(divide="ignore", invalid="ignore"):
        fixed_rate = np.where(annuity[first] > 0, site_fixed / annuity[first], 0.0)
    fixed_by_phase = fixed_rate[:, None] * annuity[start]  # (n, P)
    tco = site_fixed + sum(per_gpu.values()) @ counts
    delivered = gpu_hours_pv[start] @ counts  # discounted useful GPU-hours
    with np.errstate(divide="ignore", invalid="ignore"):
        usd_per_gpu_hour = np.where(delivered > 0, tco / delivered, np.inf)
    cloud = energy.cloud_gpu_hour_usd
    report(progress, "latency and risk", 0.8)

    # Latency: every catalog demand center in rtt_ms; the scenario's weights (or population).
    lat_cfg = fin["latency"]
    rtt = site_rtt_ms(
        table["lat"].to_numpy(float),
        table["lon"].to_numpy(float),
        demand_centers,
        route_factor=float(lat_cfg["route_factor"]),
        fiber_group_index=float(lat_cfg["fiber_group_index"]),
        fixed_rtt_ms=float(lat_cfg["fixed_rtt_ms"]),
    )
    center_names = list(demand_centers.index)
    if scenario.demand:
        weights = np.zeros(len(center_names))
        for i, d in enumerate(scenario.demand):
            if d.name not in demand_centers.index:
                raise InputError(f"unknown demand center '{d.name}'", field=f"demand[{i}].name")
            weights[center_names.index(d.name)] += d.weight
    else:
        weights = demand_centers["population"].to_numpy(float)
    latency = weighted_latency_ms(rtt, weights) if len(center_names) else np.full(n, np.nan)

    risk = risk_components(
        table["saidi_minutes"].to_numpy(float),
        table["hazard"].to_numpy(float),
        table["moratorium"].fillna(False).to_numpy(bool),
        table["ttp_is_estimate"].fillna(False).to_numpy(bool),
        RiskParams.from_dict(fin["risk"]),
    )

    stress = table["water_stress"].to_numpy(float)
    unknown_stress = np.isnan(stress)
    if unknown_stress.any():
        warnings.append(
            f"{int(unknown_stress.sum())} site(s) have no water stress score; "
            f"{fin['water']['unknown_stress']} is assumed"
        )
    stress_used = np.where(unknown_stress, float(fin["water"]["unknown_stress"]), stress)

    # --- assemble the tables ---------------------------------------------------------------
    fac_year = fac_mwh.sum(axis=1)  # MWh facility per kW design IT per year
    it_year = it_mwh.sum()
    pue_annual = fac_year / it_year
    water_year = water_month.sum(axis=1) * design_kw
    metrics = pd.DataFrame(index=table.index.copy())
    for col in IDENTITY_COLUMNS:
        metrics[col] = table[col].to_numpy()
    metrics["ready_month"] = ready
    metrics["moratorium"] = table["moratorium"].fillna(False).to_numpy(bool)
    metrics["moratorium_area"] = table.get("moratorium_area", "")  # which area, for the reason
    metrics["design_it_mw"] = fp.design_it_mw
    metrics["rack_density_kw"] = fp.rack_density_kw
    metrics["liquid_required"] = fp.liquid_required
    metrics["cooling_technology"] = tech.astype(str)
    metrics["pue_annual"] = pue_annual
    metrics["pue_peak"] = pue_peak
    metrics["wue_l_per_kwh"] = water_month.sum(axis=1) * 1000.0 / (it_year * 1000.0)
    metrics["economizer_hours"] = np.asarray(sites.economizer_hours, dtype=float)
    metrics["energy_mwh_per_year"] = fac_year * design_kw
    with np.errstate(divide="ignore", invalid="ignore"):
        metrics["price_usd_per_mwh"] = (bill["grid_usd"].sum(1) + bill["ppa_usd"].sum(1)) / fac_year
    metrics["peak_facility_mw"] = peak_facility * fp.design_it_mw
    for comp in (
        "shell",
        "electrical",
        "mechanical",
        "land",
        "grid",
        "gpus",
        "energy",
        "opex",
        "idle",
        "carbon",
    ):
        metrics[f"cost_{comp}_usd"] = whole(comp)
    metrics["tco_usd"] = tco
    metrics["capex_usd"] = sum(whole(c) for c in (*CAPEX_COMPONENTS, "land", "grid"))
    metrics["usd_per_gpu_hour"] = usd_per_gpu_hour
    metrics["rent_usd_per_gpu_hour"] = cloud
    metrics["build_minus_rent_usd"] = tco - cloud * delivered
    metrics["co2_location_t_per_year"] = co2_loc.sum(axis=1) * design_kw
    metrics["co2_market_t_per_year"] = co2_mkt.sum(axis=1) * design_kw
    metrics["water_m3_per_year"] = water_year
    metrics["water_weighted_m3_per_year"] = water_year * stress_used
    metrics["latency_ms"] = latency
    for key in ("risk_score", "risk_grid", "risk_hazard", "risk_constraint"):
        metrics[key] = risk[key]

    def by_phase(values: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame(values, index=table.index.copy(), columns=names)
        frame.columns.name = "phase"
        return frame

    block_kw = block * it_kw_per_gpu[None, :]
    monthly = pd.DataFrame(
        {
            "site_id": np.repeat(table.index.to_numpy(), 12),
            "month": np.tile(np.arange(1, 13), n),
            "pue": (fac_mwh / it_mwh[None, :]).ravel(),
            "wue_l_per_kwh": (water_month / it_mwh[None, :]).ravel(),
            "it_energy_mwh": np.tile(it_mwh * design_kw, n),
        }
    )
    scenario_rows = _scenario_provenance(scenario)
    prov = pd.concat(
        [p for p in (provenance, scenario_rows) if p is not None and len(p)], ignore_index=True
    )
    report(progress, "done", 1.0)
    return Evaluation(
        metrics=metrics,
        phase_block_cost_usd=by_phase(block_cost),
        phase_block_co2_t=by_phase(sum_co2[rows, start] * block_kw),
        phase_block_water_m3=by_phase(sum_water[rows, start] * block_kw),
        site_fixed_cost_usd=pd.Series(
            site_fixed, index=table.index.copy(), name="site_fixed_cost_usd"
        ),
        block_site_mw=by_phase(block_kw / 1000.0 * pue_peak[:, None]),
        site_fixed_cost_by_first_phase_usd=by_phase(fixed_by_phase),
        useful_gpu_hours_per_gpu_month=np.asarray(fp.useful_gpu_hours_per_month(), dtype=float),
        rtt_ms=pd.DataFrame(rtt, index=table.index.copy(), columns=center_names),
        hourly_pue=pue if sites.case_of_site is None else pue[case],
        hourly_wue_l_per_kwh=wue if sites.case_of_site is None else wue[case],
        monthly=monthly,
        provenance=prov.reindex(columns=PROVENANCE_COLUMNS),
        warnings=warnings,
        hourly_it_kw=lf * design_kw,
    )


def _scenario_provenance(scenario: Scenario) -> pd.DataFrame:
    """The scenario's own assumptions that the evaluation uses, as provenance rows."""
    rows = [
        (
            "fleet",
            "network_overhead_fraction",
            scenario.fleet.network_overhead_fraction,
            "-",
            "assumption of the scenario (default 7 %: network and storage power over node power)",
        ),
        ("fleet", "utilization", scenario.fleet.utilization, "-", "scenario"),
        ("scenario", "discount_rate", scenario.scenario.discount_rate, "1/year", "scenario"),
        (
            "energy",
            "price_escalation_per_year",
            scenario.energy.price_escalation_per_year,
            "1/year",
            "scenario",
        ),
        (
            "energy",
            "cloud_gpu_hour_usd",
            scenario.energy.cloud_gpu_hour_usd,
            "USD/GPU-hour",
            "scenario",
        ),
        (
            "facility",
            "build_lead_months",
            scenario.facility.build_lead_months,
            "months",
            "scenario",
        ),
    ]
    return pd.DataFrame(
        [
            {
                "dataset": "scenario",
                "key": k,
                "field": f,
                "value": v,
                "unit": u,
                "source": s,
                "year": scenario.scenario.start_year,
                "license": "",
                "note": "",
            }
            for k, f, v, u, s in rows
        ],
        columns=PROVENANCE_COLUMNS,
    )


# --- orchestration: catalog -> sites -> climate -> cooling -> evaluate_arrays -------------------


def evaluate_sites(
    scenario: Scenario,
    catalog: Any | None = None,
    *,
    sites_file: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> Evaluation:
    """Evaluate every candidate site of a scenario.

    Parameters
    ----------
    scenario : Scenario
    catalog : planner.catalog.Catalog, optional
        Data catalog; by default the embedded one, or the scenario's ``sites.catalog`` file.
    sites_file : path, optional
        A user site file replacing the catalog's sites (read with
        ``planner.catalog.load_catalog(sites_file=...)``). Sites without climate normals take
        the nearest default site's climate; the distance is in ``climate_source`` and warnings.
    progress : callable(label, fraction), optional

    Returns
    -------
    planner.results.Evaluation

    Raises
    ------
    InputError
        Unknown GPU model or demand center, unreadable files, or no site left after the
        scenario's filters (``sites.include_countries``, ``exclude_countries``,
        ``include_regions``).
    """
    from planner.catalog import default_catalog, load_catalog

    report(progress, "loading the data catalog", 0.0)
    if sites_file is None and scenario.sites.catalog != "default":
        sites_file = scenario.sites.catalog
    regions_file = scenario.sites.regions_file
    if sites_file is not None or regions_file is not None:
        catalog = load_catalog(sites_file=sites_file, regions_file=regions_file)
    elif catalog is None:
        catalog = default_catalog()
    warnings: list[str] = list(getattr(catalog, "warnings", []) or [])
    table = _site_table(scenario, catalog, warnings)
    report(progress, "climate", 0.1)
    temp_air, temp_wet, climate_of_site, pressure, source = _climate_arrays(
        scenario, catalog, table, warnings
    )
    table["climate_source"] = source
    report(progress, "cooling", 0.35)
    finance = getattr(catalog, "finance", None) or {}
    provenance = getattr(catalog, "provenance", None)
    if "capex" not in finance:  # a catalog without the finance file: use the embedded one
        finance, finance_prov = load_finance()
        provenance = pd.concat(
            [p for p in (provenance, finance_prov) if p is not None and len(p)], ignore_index=True
        )
    fp = fleet_power(scenario.fleet, catalog.gpus, WorkloadParams.from_dict(finance["workload"]))
    arrays = _cooling_arrays(
        scenario, catalog, table, (temp_air, temp_wet, climate_of_site, pressure), warnings, fp
    )
    # Area moratoria (data/moratoria.csv): some start at a facility size, so they wait for the
    # peak PUE; the whole fleet's facility MW at each site stands for what would be built there.
    peak_mw = fp.design_it_mw * arrays.hourly_pue.max(axis=1)[arrays.case_of_site]
    areas = getattr(catalog, "moratoria", None)
    flag_moratoria(table, areas, peak_mw, year=scenario.scenario.start_year)
    del temp_air, temp_wet
    from planner.progress import scaled

    return evaluate_arrays(
        scenario,
        arrays,
        catalog.gpus,
        catalog.demand_centers,
        finance,
        provenance=provenance,
        progress=scaled(progress, 0.6, 1.0),
    )


def _site_table(scenario: Scenario, catalog: Any, warnings: list[str]) -> pd.DataFrame:
    """Candidate sites after the scenario's filters, with their region's values merged in."""
    sites = pd.DataFrame(catalog.sites.drop(columns="geometry", errors="ignore"))
    rule = scenario.sites
    keep = np.ones(len(sites), dtype=bool)
    country = sites["country"].astype(str).str.upper()
    if rule.include_countries:
        keep &= country.isin(rule.include_countries).to_numpy()
    if rule.exclude_countries:
        keep &= ~country.isin(rule.exclude_countries).to_numpy()
    if rule.include_regions:
        keep &= sites["region_code"].astype(str).isin(rule.include_regions).to_numpy()
    if not keep.any():
        raise InputError(
            f"no candidate site is left after the site filters ({len(sites)} before filtering)",
            field="sites",
        )
    sites = sites.loc[keep].copy()
    regions = catalog.regions
    _fill_region_codes(sites, regions, warnings)
    wanted = [
        "grid",
        "price_usd_per_mwh",
        "carbon_g_per_kwh",
        "saidi_minutes",
        "water_stress",
        "construction_index",
        "time_to_power_months",
        "moratorium",
        "hazard",
    ]
    reg = regions.reindex(columns=wanted).reindex(sites["region_code"].astype(str).to_numpy())
    table = pd.DataFrame(index=sites.index.copy())
    for col in ("name", "country", "region_code", "lat", "lon", "capacity_mw", "land_usd_per_m2"):
        table[col] = sites[col].to_numpy() if col in sites else np.nan
    for col in wanted:
        table[col] = reg[col].to_numpy()
    # A site's own time to power (if given) overrides its region's.
    if "time_to_power_months" in sites:
        own = pd.to_numeric(sites["time_to_power_months"], errors="coerce").to_numpy(float)
        table["time_to_power_months"] = np.where(
            np.isnan(own), table["time_to_power_months"].to_numpy(float), own
        )
    estimate = (
        sites["ttp_is_estimate"]
        if "ttp_is_estimate" in sites
        else pd.Series(False, index=sites.index)
    )
    table["ttp_is_estimate"] = estimate.fillna(False).astype(bool).to_numpy()
    table["moratorium"] = table["moratorium"].fillna(False).astype(bool)
    table["capacity_mw"] = pd.to_numeric(table["capacity_mw"], errors="coerce").fillna(np.inf)
    missing = table["region_code"].isna() | table["price_usd_per_mwh"].isna()
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} site(s) have no known region "
            f"(first: '{table.index[missing][0]}'), so no "
            "electricity price or carbon intensity; give a region_code from the regions table",
            field="region_code",
        )
    return table


def _fill_region_codes(sites: pd.DataFrame, regions: pd.DataFrame, warnings: list[str]) -> None:
    """Give sites without a known region the region whose centre is nearest (same country first).

    The catalog normally joins user sites to region polygons; this is the fallback for points
    it could not place. Vectorised: one (sites x regions) distance matrix.
    """
    code = sites["region_code"] if "region_code" in sites else pd.Series(np.nan, index=sites.index)
    unknown = ~code.astype(str).isin(regions.index.astype(str)).to_numpy()
    if not unknown.any() or not {"lat", "lon"} <= set(regions.columns):
        return
    from planner.geo import geodesic_distance_km

    sub = sites.loc[unknown]
    dist = geodesic_distance_km(
        sub["lat"].to_numpy(float)[:, None],
        sub["lon"].to_numpy(float)[:, None],
        regions["lat"].to_numpy(float)[None, :],
        regions["lon"].to_numpy(float)[None, :],
    )
    if "country" in sub and "country" in regions:
        same = (
            sub["country"].astype(str).str.upper().to_numpy()[:, None]
            == regions["country"].astype(str).to_numpy()[None, :]
        )
        has_same = same.any(axis=1)
        dist = np.where(same | ~has_same[:, None], dist, np.inf)
    nearest = np.argmin(dist, axis=1)
    codes = code.astype(object).to_numpy().copy()
    codes[unknown] = regions.index.to_numpy()[nearest]
    sites["region_code"] = codes
    km = dist[np.arange(len(sub)), nearest]
    warnings.append(
        f"{int(unknown.sum())} site(s) had no known region code; "
        "each takes the region whose centre is "
        f"nearest (median {np.median(km):,.0f} km, at most {km.max():,.0f} km)"
    )


def _climate_arrays(
    scenario: Scenario, catalog: Any, table: pd.DataFrame, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Typical-year dry-bulb and wet-bulb for each distinct climate, and which one each site uses.

    A user site without normals uses the nearest default site's climate (its
    ``climate_site_id``): the same synthetic year, so it is computed once per donor and
    elevation rather than once per site. Sites named in ``scenario.sites.weather_files`` get
    their file's year.

    Returns
    -------
    temp_air_c, temp_wet_c : ndarray float32, shape (n_climates, 8760)
    climate_of_site : ndarray int, shape (n_sites,)
        Row of the climate arrays for each site.
    pressure_pa : ndarray, shape (n_climates,)
    climate_source : ndarray of str, shape (n_sites,)
    """
    from planner.climate import pressure_from_elevation_pa, read_weather, wet_bulb_c
    from planner.climate.synth import synthesize_years

    ids = np.asarray(table.index, dtype=object)
    sites = catalog.sites
    donor = (
        sites["climate_site_id"].reindex(ids)
        if "climate_site_id" in sites
        else pd.Series(ids, index=ids)
    ).to_numpy(dtype=object)
    donor = np.where(pd.isna(donor), ids, donor).astype(str)
    km = (
        pd.to_numeric(sites["climate_distance_km"], errors="coerce")
        .reindex(ids)
        .fillna(0.0)
        .to_numpy(float)
        if "climate_distance_km" in sites
        else np.zeros(len(ids))
    )
    elevation = (
        pd.to_numeric(sites["elevation_m"], errors="coerce")
        .reindex(ids)
        .fillna(0.0)
        .to_numpy(float)
    )
    # Distinct climates: one per (donor site, elevation to the metre).
    keys = pd.MultiIndex.from_arrays([donor, np.round(elevation)])
    climate_of_site, uniques = keys.factorize()
    u_donor = uniques.get_level_values(0).to_numpy(dtype=object).astype(str)
    u_elev = uniques.get_level_values(1).to_numpy(float)

    donors = list(dict.fromkeys(u_donor))
    # Donors' own normals: the default sites' table, else the catalog's (keyed by donor id).
    pool = getattr(catalog, "default_normals", None)
    pool = pd.concat(
        [p for p in (pool, catalog.climate_normals) if p is not None], ignore_index=True
    )
    if "climate_site_id" in pool:
        pool = pool.assign(site_id=pool["climate_site_id"].fillna(pool["site_id"]))
    pool = pool.assign(site_id=pool["site_id"].astype(str)).drop_duplicates(["site_id", "month"])
    normals = pool[pool["site_id"].isin(donors)]
    have = set(normals["site_id"])
    lacking = [d for d in donors if d not in have]
    if lacking:
        raise InputError(
            f"site '{lacking[0]}' has no climate normals and no nearest default site",
            field="site_id",
        )
    # Donors are default sites (a user catalog's site table no longer lists them).
    from planner.catalog import default_catalog

    lat_of: dict[str, float] = {}
    for frame in (default_catalog().sites, sites):
        if "lat" in frame:
            lats = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float)
            lat_of.update(zip(frame.index.astype(str), lats, strict=True))
    donor_lat = np.array([lat_of.get(d, 45.0) for d in donors])  # one per distinct donor
    temp_air_d, temp_dew_d = synthesize_years(normals, seed=0, lat=donor_lat, site_ids=donors)
    row_of_donor = {d: i for i, d in enumerate(donors)}
    rows = np.array([row_of_donor[d] for d in u_donor], dtype=int)  # distinct climates, not sites
    temp_air = temp_air_d[rows]
    pressure = pressure_from_elevation_pa(u_elev)
    temp_wet = wet_bulb_c(temp_air, temp_dew_d[rows], pressure[:, None]).astype(
        np.float32, copy=False
    )
    del temp_air_d, temp_dew_d

    borrowed = donor != ids.astype(str)
    source = np.where(
        borrowed,
        np.char.add(
            np.char.add(np.char.add("nearest:", donor), "@"), np.round(km).astype(int).astype(str)
        ),
        "normals",
    ).astype(object)
    if borrowed.any():
        d = km[borrowed]
        warnings.append(
            f"{int(borrowed.sum())} site(s) have no climate normals "
            "and use the nearest default site's "
            f"(median {np.median(d):,.0f} km, at most {d.max():,.0f} km away)"
        )
    position = {s: i for i, s in enumerate(ids.astype(str))}
    extra_air: list[np.ndarray] = []
    extra_wet: list[np.ndarray] = []
    extra_p: list[float] = []
    for site_id, path in scenario.sites.weather_files.items():  # a few named files, not all sites
        if str(site_id) not in position:
            continue
        weather, _meta = read_weather(path)
        i = position[str(site_id)]
        climate_of_site[i] = len(temp_air) + len(extra_air)
        extra_air.append(weather["temp_air_c"].to_numpy(np.float32))
        extra_wet.append(weather["temp_wet_c"].to_numpy(np.float32))
        extra_p.append(float(weather["pressure_pa"].mean()))
        source[i] = Path(path).name
    if extra_air:
        temp_air = np.vstack([temp_air, np.array(extra_air)])
        temp_wet = np.vstack([temp_wet, np.array(extra_wet)])
        pressure = np.concatenate([pressure, extra_p])
    return temp_air, temp_wet, np.asarray(climate_of_site, dtype=int), pressure, source


def _cooling_arrays(
    scenario: Scenario,
    catalog: Any,
    table: pd.DataFrame,
    climate: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    warnings: list[str],
    fp: FleetPower,
) -> SiteArrays:
    """Run the cooling model (one technology, or 'auto': the cheapest allowed per site).

    The model runs once per distinct (climate, effective price, water stress): what 'auto'
    selection depends on. The hourly results are then laid out one row per site.
    """
    from planner.cooling import load_cooling_parameters, select_cooling, simulate_cooling

    temp_air, temp_wet, climate_of_site, pressure = climate
    preset = scenario.cooling.preset
    params = (
        (catalog.cooling or {}).get(preset)
        if isinstance(getattr(catalog, "cooling", None), dict)
        else None
    )
    if not params:
        params, _ = load_cooling_parameters(preset)
    load = fp.load_fraction.astype(np.float32)
    technology = scenario.cooling.technology
    energy = scenario.energy
    price = table["price_usd_per_mwh"].to_numpy(float)
    effective = (1.0 - energy.ppa_share) * price + energy.ppa_share * energy.ppa_strike_usd_per_mwh
    stress = np.nan_to_num(table["water_stress"].to_numpy(float), nan=0.0)
    if technology != "auto":
        effective, stress = np.zeros_like(effective), np.zeros_like(stress)  # the choice is fixed
    keys = pd.MultiIndex.from_arrays([climate_of_site, effective, stress])
    case_of_site, uniques = keys.factorize()
    u_climate = uniques.get_level_values(0).to_numpy(int)
    u_price = uniques.get_level_values(1).to_numpy(float)
    u_stress = uniques.get_level_values(2).to_numpy(float)
    ta, tw, pa = temp_air[u_climate], temp_wet[u_climate], pressure[u_climate]
    if technology == "auto":
        chosen, result = select_cooling(
            ta,
            tw,
            params,
            price_usd_per_mwh=u_price,
            water_stress=u_stress,
            max_water_stress=scenario.cooling.allow_water_cooling_above_stress,
            rack_density_kw=fp.rack_density_kw,
            it_load_fraction=load,
            discount_rate=scenario.scenario.discount_rate,
            horizon_years=scenario.scenario.horizon_years,
            pressure_pa=pa,
        )
    else:
        result = simulate_cooling(technology, ta, tw, params, load, pressure_pa=pa)
        chosen = result.technology
        if fp.liquid_required and technology != "liquid-dtc":
            warnings.append(
                f"the fleet's racks ({fp.rack_density_kw:.0f} kW) need liquid cooling "
                "but the scenario "
                f"asks for '{technology}'"
            )
    return SiteArrays(
        table=table,
        hourly_pue=result.pue,
        hourly_wue_l_per_kwh=result.wue_l_per_kwh,
        case_of_site=np.asarray(case_of_site, dtype=int),
        cooling_technology=np.asarray(chosen, dtype=object)[case_of_site],
        economizer_hours=np.asarray(result.economizer_hours())[case_of_site],
        warnings=warnings,
        mechanical_usd_per_mw={k: float(v) for k, v in params.get("capex_usd_per_mw", {}).items()},
    )
