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
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner import economics as econ
from planner.emissions import market_factor_g_per_kwh, market_share_emitting
from planner.errors import InputError
from planner.latency import site_rtt_ms, weighted_latency_ms
from planner.matching import (
    HourlyInputs,
    Matching,
    grid_cfe_hourly,
    match_sites,
    portfolio_costs,
    site_renewables,
)
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

OPTIONAL_REGION_COLUMNS = (
    "residual_mix_g_per_kwh",
    "network_levy_usd_per_mwh",
    "ppa_strike_usd_per_mwh",
    "carbon_free_share",
    "tz",
)
"""Regional columns the site table may also carry; missing or blank values have fallbacks
(:func:`emissions`, :func:`ppa_terms`)."""


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
    renewables: Any = None
    """Solar and wind output per MW at each site (:class:`planner.matching.SiteRenewables`);
    needed only when the scenario sets ``energy.cfe_target``."""


# --- hourly files ------------------------------------------------------------------------------


#: Accepted range of hourly values per kind of file, with the unit. Hourly prices may be
#: negative (day-ahead markets clear down to -500 EUR/MWh; ERCOT's floor is -251 USD/MWh), so
#: only absurd values are refused; carbon intensity never is below zero.
HOURLY_RANGES = {
    "price": (-1000.0, 20_000.0, "USD/MWh"),
    "carbon": (0.0, 2_000.0, "gCO2/kWh"),
    "cfe": (0.0, 1.0, "share"),
}
_TIME_COLUMNS = {"hour", "time", "timestamp", "datetime", "date", "", "unnamed: 0"}
_STAMP_COLUMNS = ("timestamp", "time", "datetime")


def read_hourly_file(
    path: str | Path, what: str, tz_by_column: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read an hourly CSV of 8,760 rows: one numeric column for all sites, or one per region code.

    A column named ``hour``, ``time``, ``timestamp``, ``datetime`` or ``date`` (or left
    unnamed, as a pandas index column is) is ignored. The file may be gzip-compressed or a
    zip archive holding one CSV. Leading lines starting with ``#`` are provenance
    (:func:`read_hourly_provenance`).

    A ``timestamp``, ``time`` or ``datetime`` column of ISO 8601 stamps with an offset or
    ``Z`` (each the start of its interval) makes a timestamped file: each column is moved to
    its region's local standard time, sub-hourly values become hourly means, 29 February is
    dropped and several years are averaged (:mod:`planner.hourly.timebase`). The zone of a
    column comes from ``tz_by_column``, else from the regions table; a column that is no
    region code is read in UTC.

    Parameters
    ----------
    path : str or Path
    what : {"price", "carbon", "cfe"}
        The kind of values: USD/MWh, gCO2/kWh or carbon-free share; sets the accepted range
        (:data:`HOURLY_RANGES`).
    tz_by_column : mapping, optional
        IANA zone per column name, for timestamped files.

    Returns
    -------
    DataFrame
        8,760 rows of floats, columns named as in the file (stripped).

    Raises
    ------
    InputError
        Naming the file, the first bad row (1-based, header excluded) and column: a cell that
        is empty or not a finite number, a value outside the range, a price column of zeros
        (a carbon column of zeros is a carbon-free grid), a file without 8,760 rows, or
        time stamps without an offset or that do not make one whole year.
    """
    path = Path(path)
    # One evaluation reads a file for the bills, the emissions and 24/7 matching, and the
    # explanations re-evaluate: parse it once while it is unchanged (copies: callers own them).
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, what,
               tuple(sorted((tz_by_column or {}).items())))  # fmt: skip
    except OSError:  # the reader says what is wrong with the path
        return _parse_hourly_file(path, what, tz_by_column)
    if key not in _HOURLY_READ:
        _HOURLY_READ[key] = _parse_hourly_file(path, what, tz_by_column)
        while len(_HOURLY_READ) > 8:
            _HOURLY_READ.popitem(last=False)
    return _HOURLY_READ[key].copy()


_HOURLY_READ: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()


def _parse_hourly_file(
    path: Path, what: str, tz_by_column: Mapping[str, str] | None
) -> pd.DataFrame:
    """:func:`read_hourly_file` without its memory of files already read."""
    frame = _read_hourly_table(path, what)
    stamps = _stamp_column(frame, path)
    if stamps is not None:
        return _timestamped_hourly(frame, stamps, path, what, tz_by_column)
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
        text = _without_provenance(raw.decode("utf-8-sig"))
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
    # A carbon-free grid (Iceland, Norway) is all zeros for real; a price never is all year.
    if what == "price" and not numbers.any():
        raise InputError(
            "every hourly price value is zero; prices reach zero or below in some hours, but "
            "a whole year at exactly zero is almost surely an export that lost its data",
            file=path,
            field=column.strip(),
        )
    return numbers


def _without_provenance(text: str) -> str:
    """The text after its leading ``#`` lines."""
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[first:])


def read_hourly_provenance(path: str | Path) -> list[str]:
    """The leading ``# `` lines of an hourly file, without the ``# `` (empty if none)."""
    from planner.inputs import read_input_bytes

    raw, _name = read_input_bytes(path, what="hourly", suffixes=(".csv", ".txt"))
    out = []
    for line in raw.decode("utf-8-sig", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        out.append(line[1:].strip())
    return out


def _stamp_column(frame: pd.DataFrame, path: Path) -> str | None:
    """The time-stamp column of a timestamped file, or None for a plain 8,760-row file."""
    import re

    for col in frame.columns:
        if col.strip().lower() in _STAMP_COLUMNS and len(frame):
            first = str(frame[col].iloc[0]).strip()
            if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", first):
                return col
    return None


def _timestamped_hourly(
    frame: pd.DataFrame,
    stamps: str,
    path: Path,
    what: str,
    tz_by_column: Mapping[str, str] | None,
) -> pd.DataFrame:
    """Each column of a timestamped file as 8,760 hours of its region's local standard time."""
    from planner.hourly.timebase import parse_instants, typical_year

    instants = parse_instants(frame[stamps], zone=None, path=path, field=stamps)
    columns = [c for c in frame.columns if c.strip().lower() not in _TIME_COLUMNS]
    if not columns:
        raise InputError(f"expected at least one column of hourly {what} values", file=path)
    zones = dict(tz_by_column) if tz_by_column is not None else _region_zones()
    out = {}
    for col in columns:
        values = pd.Series(_hourly_column(frame[col], path, col, what), index=instants)
        zone = zones.get(col.strip()) or "UTC"
        out[col.strip()] = typical_year(values, zone, path=path).values
    return pd.DataFrame(out)


def _region_zones() -> dict[str, str]:
    """Region code -> IANA zone from the default regions table."""
    from planner.catalog import default_catalog

    regions = default_catalog().regions
    if "tz" not in regions:
        return {}
    return {str(k): str(v) for k, v in regions["tz"].items() if isinstance(v, str) and v}


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
#
# evaluate_arrays reads as a chain of named steps, each a function below it:
#   phases -> hourly cases -> energy bills -> emissions -> water -> power timing
#   -> capital items -> cost components -> totals -> latency and risk -> metrics table.
# Arrays are per kW of design IT load until the totals scale them by GPUs and counts.


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
        GPU catalog (``node_power_w_per_gpu, rack_density_kw, liquid_required,
        capital_usd_per_gpu``, and ``cloud_usd_per_gpu_hour`` unless the scenario gives
        ``energy.cloud_gpu_hour_usd``).
    demand_centers : DataFrame
        Index ``name``: ``lat, lon, population``.
    finance : dict
        Values of ``finance.toml`` (see :func:`load_finance`).
    provenance : DataFrame, optional
        Provenance rows of every input, returned with the evaluation.
    """
    warnings = list(sites.warnings)
    table = sites.table
    fp = fleet_power(scenario.fleet, gpus, WorkloadParams.from_dict(finance["workload"]))
    phases = phase_table(scenario, gpus, fp)
    hourly = _hourly_cases(sites, len(table))
    report(progress, "energy and emissions", 0.1)

    facility = fp.load_fraction[None, :] * hourly.pue  # (cases, 8760) kW per kW of design IT
    bill = energy_bills(scenario, table, facility, hourly.case, finance, warnings)
    matching = cfe_matching(scenario, sites, facility, hourly.case, finance, warnings)
    if matching is not None:
        _add_portfolio_to_bill(bill, matching)
    carbon = emissions(
        scenario, table, facility, hourly.case, bill["energy_mwh"], warnings, matching
    )
    water_month = (
        np.add.reduceat(fp.load_fraction[None, :] * hourly.wue, MONTH_START_HOUR, axis=1) / 1000.0
    )[hourly.case]  # m3 per kW of design IT
    pue_peak = hourly.pue.max(axis=1).astype(float)[hourly.case]
    del facility
    report(progress, "costs", 0.4)

    timing = power_timing(scenario, table, phases)
    items = capital_items(scenario, sites, finance, fp, pue_peak)
    costs = cost_components(scenario, finance, phases, timing, items, bill, carbon)
    totals = cost_totals(scenario, fp, phases, timing, items, costs)
    report(progress, "latency and risk", 0.8)

    rtt, latency = _latency(table, demand_centers, scenario, finance)
    risk = risk_components(
        table["saidi_minutes"].to_numpy(float),
        table["hazard"].to_numpy(float),
        table["moratorium"].fillna(False).to_numpy(bool),
        table["ttp_is_estimate"].fillna(False).to_numpy(bool),
        RiskParams.from_dict(finance["risk"]),
    )
    stress = _water_stress(table, finance, warnings)

    metrics = _metrics_table(sites, fp, timing, bill, carbon, water_month, pue_peak, totals, stress)
    metrics["latency_ms"] = latency
    if matching is not None:
        _add_matching_metrics(metrics, matching, fp.design_it_mw * 1000.0, scenario)
    for key in ("risk_score", "risk_grid", "risk_hazard", "risk_constraint"):
        metrics[key] = risk[key]
    report(progress, "done", 1.0)
    evaluation = _evaluation(
        scenario,
        sites,
        fp,
        hourly,
        metrics,
        timing,
        bill,
        carbon,
        water_month,
        pue_peak,
        totals,
        rtt,
        provenance,
        warnings,
    )
    return evaluation if matching is None else replace(evaluation, **matching.hourly_arrays())


# --- step: phases ------------------------------------------------------------------------------


@dataclass
class Phases:
    """Per-phase figures of the fleet, each an array of shape (P,)."""

    names: list[str]
    gpu: np.ndarray
    count: np.ndarray
    start_month: np.ndarray
    it_kw_per_gpu: np.ndarray
    capital_usd_per_gpu: np.ndarray
    """All-in capital per GPU (server share and cluster network share): GPU catalog."""
    rent_usd_per_gpu_hour: np.ndarray
    """Cloud rent of the phase's GPU model, or the scenario's one rent for every model."""


def phase_rent_usd_per_gpu_hour(scenario: Scenario, gpus: pd.DataFrame | None = None) -> np.ndarray:
    """Rent per GPU-hour of each phase, shape (P,).

    ``energy.cloud_gpu_hour_usd`` when the scenario gives one (it overrides every model), else
    each phase's GPU model's ``cloud_usd_per_gpu_hour`` from ``gpus`` (default: the embedded
    GPU catalog).

    Raises
    ------
    InputError
        If the rent is taken from the catalog and a phase's model has none.
    """
    fixed = scenario.energy.cloud_gpu_hour_usd
    if fixed is not None:
        return np.full(len(scenario.fleet.phases), float(fixed))
    if gpus is None:
        from planner.catalog import default_catalog

        gpus = default_catalog().gpus
    ids = [p.gpu for p in scenario.fleet.phases]
    column = "cloud_usd_per_gpu_hour"
    values = (
        pd.to_numeric(gpus[column], errors="coerce").reindex(ids).to_numpy(float)
        if column in gpus
        else np.full(len(ids), np.nan)
    )
    if np.isnan(values).any():
        gpu = ids[int(np.flatnonzero(np.isnan(values))[0])]
        raise InputError(
            f"the GPU catalog has no cloud rent ({column}) for '{gpu}'; "
            "give energy.cloud_gpu_hour_usd in the scenario",
            field="energy.cloud_gpu_hour_usd",
        )
    return values


def phase_table(scenario: Scenario, gpus: pd.DataFrame, fp: FleetPower) -> Phases:
    """Counts, timing, power, capital and rent of each phase."""
    table = fp.phases
    column = "capital_usd_per_gpu"
    if column not in gpus:
        raise InputError(f"the GPU catalog has no column '{column}'", field=column)
    capital = pd.to_numeric(gpus.loc[table["gpu"], column], errors="coerce").to_numpy(float)
    if np.isnan(capital).any():
        gpu = table["gpu"].iloc[int(np.flatnonzero(np.isnan(capital))[0])]
        raise InputError(f"the GPU catalog has no {column} for '{gpu}'", field=column)
    return Phases(
        names=fp.phase_names,
        gpu=table["gpu"].to_numpy(dtype=object),
        count=table["count"].to_numpy(float),
        start_month=table["start_month"].to_numpy(int),
        it_kw_per_gpu=table["it_kw_per_gpu"].to_numpy(float),
        capital_usd_per_gpu=capital,
        rent_usd_per_gpu_hour=phase_rent_usd_per_gpu_hour(scenario, gpus),
    )


@dataclass
class HourlyCases:
    """Hourly PUE and WUE per distinct cooling case, and each site's case."""

    pue: np.ndarray  # (cases, 8760); float32 from the cooling model is kept: half the memory
    wue: np.ndarray
    case: np.ndarray  # (n_sites,)


def _hourly_cases(sites: SiteArrays, n: int) -> HourlyCases:
    """The hourly arrays, given per site or per distinct case (climate x technology)."""
    pue = np.asarray(sites.hourly_pue)
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
    return HourlyCases(pue=pue, wue=wue, case=case)


# --- step: energy bills ------------------------------------------------------------------------


def _optional_column(table: pd.DataFrame, column: str) -> np.ndarray:
    """A regional value the site table may lack (NaN where missing)."""
    if column not in table:
        return np.full(len(table), np.nan)
    return pd.to_numeric(table[column], errors="coerce").to_numpy(float)


def ppa_terms(
    energy: Any, table: pd.DataFrame, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """PPA strike and network levy per site, USD/MWh, shape (n_sites,) each.

    The strike is the scenario's, else the region's typical ``ppa_strike_usd_per_mwh``; the
    levy is the region's ``network_levy_usd_per_mwh`` (network charges, levies and taxes in
    the retail price). They matter only with a PPA share: a region without a levy then takes 0
    (wholesale = retail) and one without a strike the wholesale estimate (retail - levy), each
    with a warning.
    """
    levy = _optional_column(table, "network_levy_usd_per_mwh")
    if energy.ppa_strike_usd_per_mwh is not None:
        strike = np.full(len(table), float(energy.ppa_strike_usd_per_mwh))
    else:
        strike = _optional_column(table, "ppa_strike_usd_per_mwh")
    if energy.ppa_share > 0:
        for values, what, fallback in (
            (levy, "network levy (network_levy_usd_per_mwh)", "0 is assumed"),
            (strike, "PPA strike (ppa_strike_usd_per_mwh)", "the retail price minus the levy"),
        ):
            missing = np.isnan(values)
            if missing.any():
                first = table["region_code"].astype(str).to_numpy()[missing][0]
                warnings.append(
                    f"{int(missing.sum())} site(s) have no regional {what} (first: region "
                    f"'{first}'); {fallback}"
                )
    levy = np.nan_to_num(levy, nan=0.0)
    price = table["price_usd_per_mwh"].to_numpy(float)
    below = price < levy
    if energy.ppa_share > 0 and below.any():
        # Wholesale is taken as retail minus the levy: a user's price below the levy makes it
        # negative, and the PPA's cost with it meaningless.
        first = table["region_code"].astype(str).to_numpy()[below][0]
        warnings.append(
            f"{int(below.sum())} site(s) have a price below their region's network levy (first: "
            f"region '{first}'), so the wholesale price behind the PPA is negative; check the "
            "price or give network_levy_usd_per_mwh in the regions file"
        )
    strike = np.where(np.isnan(strike), price - levy, strike)
    return strike, levy


def _price_shape(
    scenario: Scenario, table: pd.DataFrame, fin: dict[str, Any], warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Hourly price = shape x level: shape (1 or n_sites, 8760 or 1), level (n_sites,)."""
    energy, flat = scenario.energy, table["price_usd_per_mwh"].to_numpy(float)
    if energy.price_file is not None:
        frame = read_hourly_file(energy.price_file, "price")
        codes = table["region_code"].astype(str).to_numpy()
        return hourly_by_site(frame, codes, flat, warnings, "price"), np.ones(len(table))
    if energy.tariff == "time-of-use":
        t = fin["tariff"]
        first_weekday = _dt.date(scenario.scenario.start_year, 1, 1).weekday()
        shape = econ.time_of_use_shape(
            t["peak_start_hour"], t["peak_end_hour"], t["peak_multiplier"], first_weekday
        )
        return shape[None, :], flat
    return np.ones((1, 1)), flat


def energy_bills(
    scenario: Scenario,
    table: pd.DataFrame,
    facility: np.ndarray,
    case: np.ndarray,
    fin: dict[str, Any],
    warnings: list[str],
) -> dict[str, np.ndarray]:
    """Monthly bill per kW of design IT at each site: (n_sites, 12) arrays.

    Keys of :func:`planner.economics.ppa_bill` plus ``energy_mwh``, ``demand_usd``,
    ``peak_kw``. Hourly products are taken once per cooling case when every site shares one
    price shape, and per site only with a price column per region.
    """
    energy = scenario.energy
    shape, level = _price_shape(scenario, table, fin, warnings)
    if shape.shape[0] == 1:
        energy_mwh, retail_usd, peak_kw = econ.monthly_energy_sums(facility, shape)
        energy_mwh, peak_kw = energy_mwh[case], peak_kw[case]
        retail_usd = retail_usd[case] * level[:, None]
    else:
        energy_mwh, retail_usd, peak_kw = econ.monthly_energy_sums(facility[case], shape)
    strike, levy = ppa_terms(energy, table, warnings)
    bill = econ.ppa_bill(
        energy_mwh,
        retail_usd,
        ppa_share=energy.ppa_share,
        ppa_strike_usd_per_mwh=strike[:, None],
        ppa_type=energy.ppa_type,
        network_levy_usd_per_mwh=levy[:, None],
    )
    bill["energy_mwh"] = energy_mwh
    bill["demand_usd"] = energy.demand_charge_usd_per_kw_month * peak_kw
    bill["peak_kw"] = peak_kw
    return bill


# --- step: 24/7 carbon-free matching -------------------------------------------------------------


def cfe_matching(
    scenario: Scenario,
    sites: SiteArrays,
    facility: np.ndarray,
    case: np.ndarray,
    fin: dict[str, Any],
    warnings: list[str],
) -> Matching | None:
    """Each site's least-cost portfolio for ``energy.cfe_target`` (None without a target)."""
    if scenario.energy.cfe_target is None:
        return None
    if sites.renewables is None:
        raise ValueError("24/7 matching needs the sites' solar and wind (prepare_sites)")
    table = sites.table
    shape, level = _price_shape(scenario, table, fin, [])  # energy_bills gave its warnings
    _strike, levy = ppa_terms(scenario.energy, table, [])
    flat_carbon = table["carbon_g_per_kwh"].to_numpy(float)
    carbon = flat_carbon[:, None]
    if scenario.energy.carbon_file is not None:
        frame = read_hourly_file(scenario.energy.carbon_file, "carbon")
        codes = table["region_code"].astype(str).to_numpy()
        carbon = hourly_by_site(frame, codes, flat_carbon, [], "carbon")
    hourly = HourlyInputs(
        load_kw=facility,
        load_case=case,
        price_shape=shape,
        price_level=level,
        levy_usd_per_mwh=np.nan_to_num(levy),
        carbon_g_per_kwh=carbon,
        grid_cfe=grid_cfe_hourly(scenario, table, warnings),
    )
    costs, cost_of_site = portfolio_costs(scenario, fin, table["country"].astype(str).to_numpy())
    matching = match_sites(scenario, sites.renewables, hourly, costs, cost_of_site)
    unreachable = int((~matching.reachable).sum())
    if unreachable:
        warnings.append(
            f"{unreachable} site(s) cannot reach the "
            f"{100 * scenario.energy.cfe_target:.0f} % hourly carbon-free target "
            "with the largest portfolio allowed and are ruled out"
        )
    return matching


def _add_portfolio_to_bill(bill: dict[str, np.ndarray], matching: Matching) -> None:
    """Strike payments are fixed; the settlement value moves with the retail price."""
    bill["ppa_strike_usd"] = bill["ppa_strike_usd"] + matching.strike_usd
    bill["ppa_indexed_usd"] = bill["ppa_indexed_usd"] - matching.value_usd
    bill["ppa_usd"] = bill["ppa_strike_usd"] + bill["ppa_indexed_usd"]


def _add_matching_metrics(
    metrics: pd.DataFrame, matching: Matching, design_kw: float, scenario: Scenario
) -> None:
    """Whole-fleet portfolio and scores at each site (results are per kW of design IT)."""
    results = [matching.results[k] for k in matching.case_of_site]

    def column(name: str, scale: float = 1.0) -> np.ndarray:
        values = np.array([float(getattr(r, name)) for r in results])
        # The search's round-off (1e-13 MW) is no purchase: a buyer reads it as zero.
        return np.where(np.abs(values) < 1e-9, 0.0, values) * scale

    metrics["cfe_target"] = float(scenario.energy.cfe_target or 0.0)
    metrics["cfe_score"] = column("cfe_score")
    metrics["cfe_grid_score"] = column("grid_only_score")
    metrics["cfe_annual_matched"] = column("annual_matched_share")
    metrics["cfe_solar_mw"] = column("solar_mw", design_kw / 1000.0)
    metrics["cfe_wind_mw"] = column("wind_mw", design_kw / 1000.0)
    metrics["cfe_battery_mwh"] = column("battery_mwh", design_kw / 1000.0)
    metrics["cfe_excess_mwh_per_year"] = column("excess_mwh", design_kw / 1000.0)
    metrics["cfe_usd_per_mwh"] = column("cost_usd_per_mwh_load")
    metrics["cfe_reachable"] = matching.reachable
    metrics["cfe_note"] = np.array([r.reason for r in results], dtype=object)
    metrics["renewables_basis"] = matching.basis


# --- step: emissions ---------------------------------------------------------------------------


@dataclass
class Emissions:
    """Monthly tonnes per kW of design IT, (n_sites, 12), and the market factor's basis."""

    location_t: np.ndarray
    market_t: np.ndarray
    market_basis: np.ndarray  # (n_sites,) of str


def emissions(
    scenario: Scenario,
    table: pd.DataFrame,
    facility: np.ndarray,
    case: np.ndarray,
    energy_mwh: np.ndarray,
    warnings: list[str],
    matching: Matching | None = None,
) -> Emissions:
    """Location- and market-based CO2 (GHG Protocol Scope 2 Guidance 2015).

    Location-based: facility energy at the production mix (the region's ``carbon_g_per_kwh``
    or the hourly carbon file). Market-based: the carbon-free PPA share at 0, the rest at the
    region's ``residual_mix_g_per_kwh``, or at the location-based figure where no residual mix
    is published (``market_basis`` says which). With 24/7 matching, market-based is hourly:
    what the grid supplies in each hour at that hour's intensity, matched energy at 0.
    """
    energy = scenario.energy
    flat = table["carbon_g_per_kwh"].to_numpy(float)
    if energy.carbon_file is not None:
        codes = table["region_code"].astype(str).to_numpy()
        frame = read_hourly_file(energy.carbon_file, "carbon")
        carbon = hourly_by_site(frame, codes, flat, warnings, "carbon")
        if carbon.shape[0] == 1:  # one column: products once per case
            location = np.add.reduceat(facility * carbon, MONTH_START_HOUR, axis=1)[case] / 1e6
        else:
            location = np.add.reduceat(facility[case] * carbon, MONTH_START_HOUR, axis=1) / 1e6
    else:
        location = energy_mwh * flat[:, None] / 1000.0  # MWh x g/kWh = kg; / 1000 = t
    residual = _optional_column(table, "residual_mix_g_per_kwh")
    factor, basis = market_factor_g_per_kwh(residual, flat)
    published = np.isfinite(residual)[:, None]
    emitting = market_share_emitting(energy.ppa_share, energy.ppa_carbon_free)
    market = np.where(published, energy_mwh * factor[:, None] / 1000.0, location) * emitting
    if matching is not None:  # hourly accounting: grid energy at the hour's intensity
        market = matching.market_t
        basis = np.full(len(table), "hourly matching", dtype=object)
    return Emissions(location_t=location, market_t=market, market_basis=basis)


def _water_stress(table: pd.DataFrame, fin: dict[str, Any], warnings: list[str]) -> np.ndarray:
    """Aqueduct score per site; the finance file's value where unknown (with a warning)."""
    stress = table["water_stress"].to_numpy(float)
    unknown = np.isnan(stress)
    if unknown.any():
        warnings.append(
            f"{int(unknown.sum())} site(s) have no water stress score; "
            f"{fin['water']['unknown_stress']} is assumed"
        )
    return np.where(unknown, float(fin["water"]["unknown_stress"]), stress)


# --- step: when power arrives and GPUs are bought ----------------------------------------------


@dataclass
class PowerTiming:
    """Months, per site (n,) or per site and phase (n, P); ``months`` means never."""

    months: int
    ready: np.ndarray  # the site has power: max(time to power, build lead)
    start: np.ndarray  # the phase runs: max(phase start, ready)
    buy: np.ndarray  # the phase's GPUs are bought (ready, or the phase start)
    first: np.ndarray  # the fleet's earliest running month at the site
    runs: np.ndarray  # the phase runs inside the horizon


def power_timing(scenario: Scenario, table: pd.DataFrame, phases: Phases) -> PowerTiming:
    """When each phase can run and when its GPUs are bought, at each site.

    Construction proceeds while the grid connection waits in the queue, so power is ready at
    ``max(time to power, facility.build_lead_months)``. GPUs are bought when it is
    (``fleet.buy_gpus_when = "power_ready"``) or at the phase start (``"phase_start"``).
    """
    months = int(scenario.scenario.horizon_years) * 12
    ttp = np.nan_to_num(table["time_to_power_months"].to_numpy(float), nan=0.0)
    ready = np.ceil(np.maximum(ttp, scenario.facility.build_lead_months)).astype(int)
    phase_start = phases.start_month[None, :]
    start = np.minimum(np.maximum(phase_start, ready[:, None]), months)
    if scenario.fleet.buy_gpus_when == "phase_start":
        buy = np.broadcast_to(np.minimum(phase_start, months), start.shape)
    else:
        buy = start
    return PowerTiming(
        months=months,
        ready=ready,
        start=start,
        buy=buy,
        first=start.min(axis=1),
        runs=start < months,
    )


# --- step: capital -----------------------------------------------------------------------------


@dataclass
class CapitalItem:
    """One capital item at each site: a fixed part and a part per MW of design IT, USD."""

    fixed_usd: np.ndarray  # (n,)
    usd_per_mw: np.ndarray  # (n,)
    life: str  # key of finance [life_years]


def capital_items(
    scenario: Scenario,
    sites: SiteArrays,
    fin: dict[str, Any],
    fp: FleetPower,
    pue_peak: np.ndarray,
) -> dict[str, CapitalItem]:
    """Up-front capital of the facility, land and grid connection, per site.

    Shell, electrical and mechanical: reference cost per MW x construction index x tier (or
    the cooling preset's figure for the site's technology), on the straight line through the
    scale curve's values for one block and the whole fleet (its intercept is a fixed cost).
    Land: USD/m2 x m2 per MW. Grid: a fixed part plus a part per MW of facility load.
    """
    table, cap = sites.table, fin["capex"]
    n = len(table)
    index = np.nan_to_num(table["construction_index"].to_numpy(float), nan=1.0)
    # The cooling preset's figure for the site's technology: 'auto' and the economics agree.
    kinds, kind_of_site = np.unique(np.asarray(sites.cooling_technology, str), return_inverse=True)
    own = sites.mechanical_usd_per_mw or {}
    fallback = float(cap["mechanical_usd_per_mw"])
    mechanical = np.array([float(own.get(k, fallback)) for k in kinds])[kind_of_site]
    tier = float(cap["tier_factor"][Tier(scenario.facility.tier).value])
    unit = {
        "shell": index * float(cap["shell_usd_per_mw"]),
        "electrical": index * float(cap["electrical_usd_per_mw"]) * tier,
        "mechanical": index * mechanical,
    }
    block_kw = scenario.fleet.block_gpus * fp.phases["it_kw_per_gpu"].to_numpy(float)
    fixed_unit, per_mw_unit = econ.capex_affine(
        1.0,
        cap["reference_size_mw"],
        cap["scale_exponent"],
        block_kw.min() / 1000.0,
        fp.design_it_mw,
    )
    items = {c: CapitalItem(u * fixed_unit, u * per_mw_unit, c) for c, u in unit.items()}
    land = fin["land"]
    price = table["land_usd_per_m2"].to_numpy(float)
    price = np.where(np.isnan(price), float(land["default_usd_per_m2"]), price)
    items["land"] = CapitalItem(np.zeros(n), price * float(land["m2_per_mw"]), "land")
    grid = fin["grid"]  # per MW of facility load = IT x peak PUE
    items["grid"] = CapitalItem(
        np.full(n, float(grid["fixed_usd"])), float(grid["usd_per_mw"]) * pue_peak, "grid"
    )
    return items


# --- step: cost components ---------------------------------------------------------------------


@dataclass
class CostComponents:
    """Net present cost of each component: per GPU of each phase (n, P) and fixed per site (n,)."""

    per_gpu: dict[str, np.ndarray]
    fixed: dict[str, np.ndarray]


def cost_components(
    scenario: Scenario,
    fin: dict[str, Any],
    phases: Phases,
    timing: PowerTiming,
    items: dict[str, CapitalItem],
    bill: dict[str, np.ndarray],
    carbon: Emissions,
) -> CostComponents:
    """Present value over the horizon of every cost component.

    Capital becomes a level monthly charge at the item's capital recovery factor, paid from
    the month it is needed: per-MW parts from the phase's running month, fixed parts from the
    site's first. GPUs are charged from their purchase month; the months between purchase and
    power are ``idle``. Energy, O&M and carbon are paid from the running month.
    """
    rate, months = float(scenario.scenario.discount_rate), timing.months
    annuity = econ.tail_sums(econ.discount_factors(rate, months))  # (months + 1,)
    mcrf = {
        k: float(econ.crf(econ.monthly_rate(rate), 12.0 * float(v)))
        for k, v in fin["life_years"].items()
    }
    start, first = timing.start, timing.first
    rows = np.arange(start.shape[0])[:, None]
    mw_per_gpu = phases.it_kw_per_gpu[None, :] / 1000.0
    per_gpu, fixed = {}, {}
    for name, item in items.items():
        per_gpu[name] = (item.usd_per_mw * mcrf[item.life])[:, None] * mw_per_gpu * annuity[start]
        fixed[name] = item.fixed_usd * mcrf[item.life] * annuity[first]
    facility = [items[c] for c in CAPEX_COMPONENTS]
    opex = fin["opex"]
    opex_rate = float(opex["facility_fraction_per_year"]) / 12.0
    per_gpu["opex"] = opex_rate * sum(i.usd_per_mw for i in facility)[:, None] * mw_per_gpu
    per_gpu["opex"] = per_gpu["opex"] * annuity[start]
    fixed["opex"] = (
        opex_rate * sum(i.fixed_usd for i in facility)
        + float(opex["site_fixed_usd_per_year"]) / 12.0
    ) * annuity[first]
    # The strike is fixed for the horizon; the retail price and what follows it escalate.
    escalating = bill["grid_usd"] + bill["ppa_indexed_usd"] + bill["demand_usd"]
    esc = scenario.energy.price_escalation_per_year
    pv_energy = econ.horizon_pv_from(escalating, rate, months, esc) + econ.horizon_pv_from(
        bill["ppa_strike_usd"], rate, months
    )
    carbon_price = scenario.objective.carbon_price_usd_per_t
    pv_carbon = econ.horizon_pv_from(carbon.market_t * carbon_price, rate, months)
    per_gpu["energy"] = pv_energy[rows, start] * phases.it_kw_per_gpu[None, :]
    per_gpu["carbon"] = pv_carbon[rows, start] * phases.it_kw_per_gpu[None, :]
    charge = phases.capital_usd_per_gpu[None, :] * mcrf["gpus"]  # USD per GPU-month
    per_gpu["gpus"] = charge * annuity[start]
    per_gpu["idle"] = charge * (annuity[timing.buy] - annuity[start])
    zeros = np.zeros(start.shape[0])
    fixed.update({c: zeros for c in ("energy", "carbon", "gpus", "idle")})
    return CostComponents(per_gpu=per_gpu, fixed=fixed)


# --- step: totals ------------------------------------------------------------------------------

CAPITAL_COMPONENTS = (*CAPEX_COMPONENTS, "land", "grid", "gpus", "idle")
"""Components whose sum is ``capital_charges_pv_usd``; the others are energy, opex, carbon."""


@dataclass
class CostTotals:
    """Whole-fleet and per-block figures at each site."""

    whole: dict[str, np.ndarray]  # component -> (n,) whole-fleet present cost
    tco_usd: np.ndarray
    block_cost_usd: np.ndarray  # (n, P), inf where the phase never gets power
    site_fixed_usd: np.ndarray
    fixed_by_first_phase_usd: np.ndarray  # (n, P)
    capital_nominal_usd: np.ndarray
    delivered_gpu_hours: np.ndarray  # discounted useful GPU-hours
    rent_value_usd: np.ndarray  # the delivered GPU-hours at each phase's rent
    bridge_rent_usd: np.ndarray  # the GPU-hours lost while waiting for power, at the rent


def cost_totals(
    scenario: Scenario,
    fp: FleetPower,
    phases: Phases,
    timing: PowerTiming,
    items: dict[str, CapitalItem],
    costs: CostComponents,
) -> CostTotals:
    """TCO, block and fixed costs, nominal capital, delivered GPU-hours and their rent."""
    rate, months = float(scenario.scenario.discount_rate), timing.months
    counts, start = phases.count, timing.start
    whole = {c: costs.fixed[c] + costs.per_gpu[c] @ counts for c in costs.per_gpu}
    per_gpu_total = sum(costs.per_gpu.values())
    site_fixed = sum(costs.fixed.values())
    # Every fixed component is paid monthly from the site's first running month; a site given
    # only later phases starts paying with the earliest of those.
    annuity = econ.tail_sums(econ.discount_factors(rate, months))
    with np.errstate(divide="ignore", invalid="ignore"):
        fixed_rate = np.where(annuity[timing.first] > 0, site_fixed / annuity[timing.first], 0.0)
    hours_from = econ.horizon_pv_from(fp.useful_gpu_hours_per_month(), rate, months)  # per GPU
    delivered = hours_from[start] * counts  # (n, P)
    lost = (hours_from[phases.start_month][None, :] - hours_from[start]) * counts
    # Nominal capital at full build-out: the scale line is exact at the whole fleet's MW.
    facility_nominal = sum(i.fixed_usd + i.usd_per_mw * fp.design_it_mw for i in items.values())
    return CostTotals(
        whole=whole,
        tco_usd=site_fixed + per_gpu_total @ counts,
        block_cost_usd=np.where(timing.runs, per_gpu_total * scenario.fleet.block_gpus, np.inf),
        site_fixed_usd=site_fixed,
        fixed_by_first_phase_usd=fixed_rate[:, None] * annuity[start],
        capital_nominal_usd=facility_nominal + phases.capital_usd_per_gpu @ counts,
        delivered_gpu_hours=delivered.sum(axis=1),
        rent_value_usd=delivered @ phases.rent_usd_per_gpu_hour,
        bridge_rent_usd=lost @ phases.rent_usd_per_gpu_hour,
    )


# --- step: latency -----------------------------------------------------------------------------


def _latency(
    table: pd.DataFrame, demand_centers: pd.DataFrame, scenario: Scenario, fin: dict[str, Any]
) -> tuple[pd.DataFrame, np.ndarray]:
    """RTT to every catalog demand center, and its weighted mean (scenario weights or
    population)."""
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
    n = len(table)
    latency = weighted_latency_ms(rtt, weights) if len(center_names) else np.full(n, np.nan)
    return pd.DataFrame(rtt, index=table.index.copy(), columns=center_names), latency


# --- step: the tables --------------------------------------------------------------------------

COST_COLUMNS = (
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
)
"""Components published as ``cost_<component>_usd``."""


def _metrics_table(
    sites: SiteArrays,
    fp: FleetPower,
    timing: PowerTiming,
    bill: dict[str, np.ndarray],
    carbon: Emissions,
    water_month: np.ndarray,
    pue_peak: np.ndarray,
    totals: CostTotals,
    stress: np.ndarray,
) -> pd.DataFrame:
    """One row per site: the columns of docs/nomenclature.md (latency and risk added after)."""
    table, design_kw = sites.table, fp.design_it_mw * 1000.0
    fac_year = bill["energy_mwh"].sum(axis=1)  # MWh of facility energy per kW design IT
    it_year = fp.load_fraction.sum() / 1000.0  # MWh of IT energy per kW design IT
    m = pd.DataFrame(index=table.index.copy())
    for col in IDENTITY_COLUMNS:
        m[col] = table[col].to_numpy()
    m["ready_month"] = timing.ready
    m["moratorium"] = table["moratorium"].fillna(False).to_numpy(bool)
    m["moratorium_area"] = table.get("moratorium_area", "")  # which area, for the reason
    m["design_it_mw"] = fp.design_it_mw
    m["rack_density_kw"] = fp.rack_density_kw
    m["liquid_required"] = fp.liquid_required
    m["cooling_technology"] = np.asarray(sites.cooling_technology, dtype=object).astype(str)
    m["pue_annual"] = fac_year / it_year
    m["pue_peak"] = pue_peak
    m["wue_l_per_kwh"] = water_month.sum(axis=1) / it_year
    m["economizer_hours"] = np.asarray(sites.economizer_hours, dtype=float)
    m["energy_mwh_per_year"] = fac_year * design_kw
    with np.errstate(divide="ignore", invalid="ignore"):
        m["price_usd_per_mwh"] = (bill["grid_usd"].sum(1) + bill["ppa_usd"].sum(1)) / fac_year
    m["peak_facility_mw"] = bill["peak_kw"].max(axis=1) * fp.design_it_mw
    for comp in COST_COLUMNS:
        m[f"cost_{comp}_usd"] = totals.whole[comp]
    m["tco_usd"] = totals.tco_usd
    m["capital_charges_pv_usd"] = sum(totals.whole[c] for c in CAPITAL_COMPONENTS)
    m["capital_nominal_usd"] = totals.capital_nominal_usd
    delivered = totals.delivered_gpu_hours
    with np.errstate(divide="ignore", invalid="ignore"):
        m["usd_per_gpu_hour"] = np.where(delivered > 0, totals.tco_usd / delivered, np.inf)
        m["rent_usd_per_gpu_hour"] = np.where(
            delivered > 0, totals.rent_value_usd / delivered, np.nan
        )
    m["build_minus_rent_usd"] = totals.tco_usd - totals.rent_value_usd
    m["bridge_rent_usd"] = totals.bridge_rent_usd
    m["co2_location_t_per_year"] = carbon.location_t.sum(axis=1) * design_kw
    m["co2_market_t_per_year"] = carbon.market_t.sum(axis=1) * design_kw
    m["market_factor_basis"] = carbon.market_basis
    m["water_m3_per_year"] = water_month.sum(axis=1) * design_kw
    m["water_weighted_m3_per_year"] = m["water_m3_per_year"].to_numpy() * stress
    return m


def _evaluation(
    scenario: Scenario,
    sites: SiteArrays,
    fp: FleetPower,
    hourly: HourlyCases,
    metrics: pd.DataFrame,
    timing: PowerTiming,
    bill: dict[str, np.ndarray],
    carbon: Emissions,
    water_month: np.ndarray,
    pue_peak: np.ndarray,
    totals: CostTotals,
    rtt: pd.DataFrame,
    provenance: pd.DataFrame | None,
    warnings: list[str],
) -> Evaluation:
    """Bundle the metrics with the per-block tables the optimizer reads and the hourly series."""
    index = metrics.index
    rows, months = np.arange(len(index))[:, None], timing.months
    block_kw = scenario.fleet.block_gpus * fp.phases["it_kw_per_gpu"].to_numpy(float)[None, :]
    # Undiscounted totals from the running month to the horizon's end.
    sum_co2 = econ.horizon_pv_from(carbon.market_t, 0.0, months)
    sum_water = econ.horizon_pv_from(water_month, 0.0, months)

    def by_phase(values: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame(values, index=index.copy(), columns=fp.phase_names)
        frame.columns.name = "phase"
        return frame

    it_mwh = np.add.reduceat(fp.load_fraction, MONTH_START_HOUR) / 1000.0  # (12,)
    n, design_kw = len(index), fp.design_it_mw * 1000.0
    monthly = pd.DataFrame(
        {
            "site_id": np.repeat(index.to_numpy(), 12),
            "month": np.tile(np.arange(1, 13), n),
            "pue": (bill["energy_mwh"] / it_mwh[None, :]).ravel(),
            "wue_l_per_kwh": (water_month / it_mwh[None, :]).ravel(),
            "it_energy_mwh": np.tile(it_mwh * design_kw, n),
        }
    )
    prov = pd.concat(
        [p for p in (provenance, _scenario_provenance(scenario)) if p is not None and len(p)],
        ignore_index=True,
    )
    per_site = sites.case_of_site is None
    return Evaluation(
        metrics=metrics,
        phase_block_cost_usd=by_phase(totals.block_cost_usd),
        phase_block_co2_t=by_phase(sum_co2[rows, timing.start] * block_kw),
        phase_block_water_m3=by_phase(sum_water[rows, timing.start] * block_kw),
        site_fixed_cost_usd=pd.Series(
            totals.site_fixed_usd, index=index.copy(), name="site_fixed_cost_usd"
        ),
        block_site_mw=by_phase(_capacity_block_kw(scenario, fp) / 1000.0 * pue_peak[:, None]),
        site_fixed_cost_by_first_phase_usd=by_phase(totals.fixed_by_first_phase_usd),
        useful_gpu_hours_per_gpu_month=np.asarray(fp.useful_gpu_hours_per_month(), dtype=float),
        rtt_ms=rtt,
        hourly_pue=hourly.pue,
        hourly_wue_l_per_kwh=hourly.wue,
        hourly_case_of_site=None if per_site else np.asarray(hourly.case, dtype=int),
        monthly=monthly,
        provenance=prov.reindex(columns=PROVENANCE_COLUMNS),
        warnings=warnings,
        hourly_it_kw=fp.load_fraction * design_kw,
    )


def _given_or(value: object, default: str) -> str:
    """Source of an optional scenario value: the scenario, or the default that stands in."""
    return "scenario" if value is not None else f"not set: {default}"


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
            _given_or(
                scenario.energy.cloud_gpu_hour_usd,
                "each GPU model's cloud_usd_per_gpu_hour (GPU catalog)",
            ),
        ),
        ("energy", "ppa_type", scenario.energy.ppa_type, "-", "scenario"),
        (
            "energy",
            "ppa_strike_usd_per_mwh",
            scenario.energy.ppa_strike_usd_per_mwh,
            "USD/MWh",
            _given_or(
                scenario.energy.ppa_strike_usd_per_mwh, "each region's ppa_strike_usd_per_mwh"
            ),
        ),
        ("fleet", "buy_gpus_when", scenario.fleet.buy_gpus_when, "-", "scenario"),
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
        ]
        + _hourly_file_provenance(scenario),
        columns=PROVENANCE_COLUMNS,
    )


def _hourly_file_provenance(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per provenance line an hourly file records (``planner data import-hourly``
    writes them as leading ``# region: fact`` lines), so the report's sources list it."""
    energy = scenario.energy
    rows = []
    for what, path in (
        ("price", energy.price_file),
        ("carbon", energy.carbon_file),
        ("carbon-free share", energy.cfe_file),
    ):
        if path is None:
            continue
        lines = read_hourly_provenance(path) or ["no import record in the file"]
        for line in lines:
            region, _, fact = line.partition(": ") if ": " in line else ("", "", line)
            rows.append(
                {
                    "dataset": "hourly files",
                    "key": region or Path(path).name,
                    "field": what,
                    "value": fact,
                    "unit": "",
                    "source": f"hourly {what} file {Path(path).name}",
                    "year": scenario.scenario.start_year,
                    "license": "",
                    "note": "",
                }
            )
    return rows


def _capacity_block_kw(scenario: Scenario, fp: FleetPower) -> np.ndarray:
    """IT kW of the largest block of each phase, for capacity limits: a phase smaller than one
    block is one partial block of its own GPUs, not a full block's load."""
    counts = np.array([p.count for p in scenario.fleet.phases], dtype=float)
    gpus = np.minimum(float(scenario.fleet.block_gpus), counts)
    return (gpus * fp.phases["it_kw_per_gpu"].to_numpy(float))[None, :]


def _check_fixed_cooling(technology: str, fp: FleetPower, params: dict[str, Any]) -> None:
    """A cooling technology the scenario fixes must be able to cool the fleet: air cannot cool
    GPUs sold liquid-cooled only, nor racks denser than the preset's air limit."""
    if technology == "liquid-dtc":
        return
    limit_kw = float(params.get("selection", {}).get("liquid_rack_kw_threshold", 50.0))
    if fp.liquid_required:
        why = "the fleet's GPUs ship liquid-cooled only"
    elif fp.rack_density_kw > limit_kw:
        why = f"{fp.rack_density_kw:.0f} kW racks exceed what air removes ({limit_kw:.0f} kW)"
    else:
        return
    raise InputError(
        f"'{technology}' cannot cool this fleet: {why}; use 'liquid-dtc' or 'auto'",
        field="cooling.technology",
    )


def _connection_year(scenario: Scenario, table: pd.DataFrame) -> np.ndarray:
    """Calendar year each site would connect: when both its power and its building are ready
    (as :func:`power_timing` counts), the year a connection restriction must still be in force."""
    ttp = pd.to_numeric(table["time_to_power_months"], errors="coerce").fillna(0.0).to_numpy()
    ready_month = np.ceil(np.maximum(ttp, scenario.facility.build_lead_months))
    return scenario.scenario.start_year + np.floor(ready_month / 12.0)


# --- orchestration: catalog -> sites -> climate -> cooling -> evaluate_arrays -------------------


def evaluate_sites(
    scenario: Scenario,
    catalog: Any | None = None,
    *,
    sites_file: str | Path | None = None,
    progress: ProgressCallback | None = None,
    only_sites: Sequence[str] | None = None,
    site_values: Mapping[str, Mapping[str, float]] | None = None,
) -> Evaluation:
    """Evaluate every candidate site of a scenario.

    Parameters
    ----------
    scenario : Scenario
    catalog : planner.catalog.Catalog, optional
        Data catalog already loaded for this scenario (:func:`scenario_catalog`), used as is;
        by default the scenario's ``sites.catalog`` and ``regions_file``, or the embedded one.
    sites_file : path, optional
        A user site file replacing the catalog's sites (read with
        ``planner.catalog.load_catalog(sites_file=...)``). Sites without climate normals take
        the nearest default site's climate; the distance is in ``climate_source`` and warnings.
    progress : callable(label, fraction), optional
    only_sites : sequence of str, optional
        Evaluate these sites only (after the scenario's filters); each site's figures are the
        same as in a full evaluation. The explanations re-evaluate a few leading sites this way.
    site_values : mapping, optional
        ``{site_id: {column: value}}`` replacing values of the site table, e.g.
        ``{"lulea": {"time_to_power_months": 30}}`` (a switching value on time to power).

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
    report(progress, "loading the data catalog", 0.0)
    if catalog is None or sites_file is not None:
        catalog = scenario_catalog(scenario, sites_file)
    prepared = prepare_sites(
        scenario, catalog, only_sites=only_sites, site_values=site_values, progress=progress
    )
    from planner.progress import scaled

    return evaluate_prepared(scenario, prepared, progress=scaled(progress, 0.6, 1.0))


@dataclass
class PreparedSites:
    """Sites with their climate and cooling done: everything :func:`evaluate_arrays` needs
    besides the scenario. A site's time to power can still change (:func:`evaluate_prepared`);
    the cooling choice cannot, so a changed discount rate or fleet needs a new one."""

    arrays: SiteArrays
    catalog: Any
    finance: dict[str, Any]
    provenance: pd.DataFrame | None
    design_it_mw: float


def prepare_sites(
    scenario: Scenario,
    catalog: Any,
    *,
    only_sites: Sequence[str] | None = None,
    site_values: Mapping[str, Mapping[str, float]] | None = None,
    progress: ProgressCallback | None = None,
) -> PreparedSites:
    """The candidate sites of ``catalog`` after the scenario's filters, with climate and
    cooling (see :func:`evaluate_sites` for ``only_sites`` and ``site_values``)."""
    warnings: list[str] = list(getattr(catalog, "warnings", []) or [])
    table = _site_table(scenario, catalog, warnings)
    table = _adjusted_table(table, only_sites, site_values)
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
    return PreparedSites(arrays, catalog, finance, provenance, float(fp.design_it_mw))


def evaluate_prepared(
    scenario: Scenario,
    prepared: PreparedSites,
    *,
    time_to_power_months: Mapping[str, float] | None = None,
    progress: ProgressCallback | None = None,
) -> Evaluation:
    """Area moratoria, then :func:`evaluate_arrays`, on prepared sites; optionally with new
    times to power ``{site_id: months}`` (a switching value or tornado bar)."""
    table = _adjusted_table(
        prepared.arrays.table.copy(),
        None,
        {s: {"time_to_power_months": v} for s, v in (time_to_power_months or {}).items()},
    )
    if scenario.energy.cfe_target is not None and prepared.arrays.renewables is None:
        # Kept on the prepared sites: they depend on the sites only, not on the fleet or money.
        prepared.arrays.renewables = site_renewables(
            scenario, prepared.catalog, prepared.arrays.table, prepared.arrays.warnings
        )
    arrays = replace(prepared.arrays, table=table, warnings=list(prepared.arrays.warnings))
    # Area moratoria (data/moratoria.csv): some start at a facility size, so they wait for the
    # peak PUE; the whole fleet's facility MW at each site stands for what would be built there.
    peak_mw = prepared.design_it_mw * arrays.hourly_pue.max(axis=1)[arrays.case_of_site]
    areas = getattr(prepared.catalog, "moratoria", None)
    flag_moratoria(table, areas, peak_mw, year=_connection_year(scenario, table))
    return evaluate_arrays(
        scenario,
        arrays,
        prepared.catalog.gpus,
        prepared.catalog.demand_centers,
        prepared.finance,
        provenance=prepared.provenance,
        progress=progress,
    )


def scenario_catalog(scenario: Scenario, sites_file: str | Path | None = None) -> Any:
    """The data catalog a scenario evaluates on: the embedded one, or a new one with the
    scenario's ``sites.catalog`` and ``regions_file`` (or ``sites_file``) in place."""
    from planner.catalog import default_catalog, load_catalog

    if sites_file is None and scenario.sites.catalog != "default":
        sites_file = scenario.sites.catalog
    regions_file = scenario.sites.regions_file
    if sites_file is not None or regions_file is not None:
        return load_catalog(sites_file=sites_file, regions_file=regions_file)
    return default_catalog()


def _adjusted_table(
    table: pd.DataFrame,
    only_sites: Sequence[str] | None,
    site_values: Mapping[str, Mapping[str, float]] | None,
) -> pd.DataFrame:
    """The site table restricted to ``only_sites`` with ``site_values`` written in."""
    if only_sites is not None:
        missing = [s for s in only_sites if s not in table.index]
        if missing:
            raise InputError(
                f"site '{missing[0]}' is not among the candidate sites", field="only_sites"
            )
        table = table.loc[list(dict.fromkeys(only_sites))].copy()
    for site, values in (site_values or {}).items():
        for column, value in values.items():
            if site not in table.index or column not in table.columns:
                raise InputError(
                    f"cannot set '{column}' of site '{site}': no such site or column",
                    field="site_values",
                )
            table.at[site, column] = value
    return table


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
        # Optional (NaN where the regions table has none): market-based carbon and the PPA.
        *OPTIONAL_REGION_COLUMNS,
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


def climate_donors(catalog: Any, ids: np.ndarray) -> np.ndarray:
    """Whose climate normals each site uses: its own, or the nearest default site's
    (``climate_site_id`` of a user catalog)."""
    sites = catalog.sites
    donor = (
        sites["climate_site_id"].reindex(ids)
        if "climate_site_id" in sites
        else pd.Series(ids, index=ids)
    ).to_numpy(dtype=object)
    return np.where(pd.isna(donor), ids, donor).astype(str)


def donor_normals(catalog: Any, donors: Sequence[str]) -> pd.DataFrame:
    """The monthly normals (``site_id, month, ...``, 12 rows a donor) of these donors."""
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
    return normals


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
    donor = climate_donors(catalog, ids)
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
    normals = donor_normals(catalog, donors)
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
    # What a MWh costs with the PPA (either type): (1 - s) retail + s (strike + levy).
    strike, levy = ppa_terms(energy, table, [])  # evaluate_arrays gives the warnings
    effective = (1.0 - energy.ppa_share) * price + energy.ppa_share * (strike + levy)
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
            liquid_required=fp.liquid_required,
            it_load_fraction=load,
            discount_rate=scenario.scenario.discount_rate,
            horizon_years=scenario.scenario.horizon_years,
            pressure_pa=pa,
        )
    else:
        _check_fixed_cooling(technology, fp, params)
        result = simulate_cooling(technology, ta, tw, params, load, pressure_pa=pa)
        chosen = result.technology
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
