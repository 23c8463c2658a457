"""Tables for analysts: CSV, XLSX, GeoJSON and GeoPackage files from a :class:`Results`.

Column names are the canonical names of ``docs/nomenclature.md``, which carry their units
(``usd_per_gpu_hour``, ``water_m3_per_year``); a name without a unit is dimensionless. The
tables written are:

``ranking``
    One row per site: rank, score, feasibility and reasons, per-criterion contributions.
``metrics``
    One row per site: every metric of the evaluation.
``allocation``
    One row per site that receives GPUs: GPUs per phase, share, MW, cost, CO2, water.
``hourly_<site>``
    8,760 rows per chosen site: PUE, WUE, IT and facility power, water.
``provenance``
    Every input figure of the evaluation with its source, year, license and note.
``sources`` (XLSX only)
    The distinct sources cited by the provenance, with publisher, URL and license.
``Summary``, ``Scenario`` (XLSX only)
    The report's page 1 (the decision) item by item, and every scenario setting.
``cash_flows``, ``alternatives``, ``switching_values``, ``allocation_robustness`` (XLSX only)
    The recommendation explained, when the results carry it.

CSV numbers are written with at most 10 significant digits (no float noise such as
``0.30000000000000004``); XLSX cells keep full precision and show their unit through the
cell's number format (``#,##0" USD"``), with bold frozen headers and fitted column widths.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from planner.outputs import atomic_file
from planner.params import PROVENANCE_COLUMNS
from planner.results import Results

HOURS_PER_YEAR = 8760
CSV_FLOAT_FORMAT = "%.10g"  # 10 significant digits: no float noise, nothing lost that matters


# --- file names --------------------------------------------------------------------------


def safe_filename(text: str, *, default: str = "site", max_length: int = 80) -> str:
    """A file-name stem safe on Windows, macOS and Linux, made from user text.

    Accents are folded to ASCII, anything but letters, digits, ``-``, ``_`` and ``.`` becomes
    ``-``, leading dots are dropped (no hidden files, no ``..``), reserved Windows device names
    get a suffix, and the result is at most ``max_length`` characters.
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip("-.")[:max_length].strip("-.")
    if not stem:
        stem = default
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem += "_"
    return stem


_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def _unique_names(site_ids: Iterable[str]) -> dict[str, str]:
    """Map each site id to a distinct safe stem (two ids may fold to the same text)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for site_id in site_ids:
        stem = safe_filename(site_id)
        candidate, i = stem, 2
        while candidate.lower() in used:
            candidate, i = f"{stem}-{i}", i + 1
        used.add(candidate.lower())
        out[site_id] = candidate
    return out


# --- tables ------------------------------------------------------------------------------


def ranking_table(results: Results) -> pd.DataFrame:
    """Ranking with the site name and country in front, sorted by rank."""
    ranking = results.ranking.copy()
    metrics = results.evaluation.metrics
    front = metrics.reindex(ranking.index)[["name", "country"]]
    table = pd.concat([front, ranking], axis=1)
    if "rank" in table:
        table = table.sort_values("rank", kind="stable")
    table.index.name = "site_id"
    return table


def metrics_table(results: Results) -> pd.DataFrame:
    """Every evaluated metric, one row per site, in rank order when ranked."""
    metrics = results.evaluation.metrics.copy()
    if "rank" in results.ranking:
        order = results.ranking["rank"].reindex(metrics.index)
        metrics = metrics.iloc[np.argsort(order.to_numpy(), kind="stable")]
    metrics.index.name = "site_id"
    return metrics


def allocation_table(results: Results) -> pd.DataFrame:
    """GPUs per phase at each site that receives any, with the allocation summary columns.

    Columns ``gpus_<phase>`` (GPU count per phase) then the optimizer's summary columns.
    Empty (no rows) when the allocation is infeasible.
    """
    alloc = results.allocation
    if not alloc.feasible or alloc.gpus is None:
        return pd.DataFrame(index=pd.Index([], name="site_id"), columns=["name", "gpus"])
    gpus = alloc.gpus.copy()
    gpus = gpus.loc[gpus.sum(axis=1) > 0]
    gpus.columns = [f"gpus_{c}" for c in gpus.columns]
    names = results.evaluation.metrics["name"].reindex(gpus.index)
    parts = [names.rename("name"), gpus]
    if alloc.summary is not None:
        summary = alloc.summary.drop(
            columns=[c for c in alloc.summary.columns if c in gpus or c == "name"]
        )
        parts.append(summary.reindex(gpus.index))
    table = pd.concat(parts, axis=1)
    table.index.name = "site_id"
    if "gpus" not in table:
        table.insert(1, "gpus", gpus.sum(axis=1))
    return table


def chosen_sites(results: Results) -> list[str]:
    """Sites the allocation places GPUs at, in rank order; the top-ranked site if infeasible."""
    table = allocation_table(results)
    if len(table):
        ids = list(table.index)
    else:
        ranking = results.ranking
        feasible = ranking[ranking["feasible"].astype(bool)] if "feasible" in ranking else ranking
        ids = list(feasible.sort_values("rank").index[:1]) if len(feasible) else []
    if "rank" in results.ranking:
        ids.sort(key=lambda s: results.ranking["rank"].get(s, math.inf))
    return ids


def hourly_table(results: Results, site_id: str) -> pd.DataFrame:
    """8,760 hourly rows for one site: PUE, WUE, IT and facility power, water.

    ``it_power_kw`` is the IT power of the GPUs this site receives in the allocation (the whole
    fleet when there is no feasible allocation), at full build-out; results files written before
    the hourly IT series was kept carry each month's mean instead. Facility power is IT power
    times the hour's PUE, and water is IT energy times the hour's WUE.
    """
    ev = results.evaluation
    try:
        row = ev.site_ids.index(site_id)
    except ValueError:
        raise KeyError(f"unknown site '{site_id}'") from None
    stamps = pd.date_range(
        f"{results.scenario.scenario.start_year}-01-01", periods=HOURS_PER_YEAR, freq="h"
    )
    # A leap year has 8,784 hours; the typical year has 8,760, so drop 29 February if present.
    stamps = stamps[~((stamps.month == 2) & (stamps.day == 29))]
    if len(stamps) < HOURS_PER_YEAR:
        extra = pd.date_range(
            stamps[-1] + pd.Timedelta(hours=1), periods=HOURS_PER_YEAR - len(stamps), freq="h"
        )
        stamps = stamps.append(extra)
    stamps = stamps[:HOURS_PER_YEAR]
    month = stamps.month.to_numpy()
    monthly = ev.monthly[ev.monthly["site_id"] == site_id].set_index("month")
    hours_in_month = np.bincount(month, minlength=13)[1:]
    it_mwh = monthly["it_energy_mwh"].reindex(range(1, 13)).to_numpy(dtype=float)
    it_mw_by_month = np.where(hours_in_month > 0, it_mwh / np.maximum(hours_in_month, 1), np.nan)
    share = _allocated_share(results, site_id)
    if ev.hourly_it_kw is not None:
        it_kw = np.asarray(ev.hourly_it_kw, dtype=float) * share
    else:
        it_kw = it_mw_by_month[month - 1] * 1000.0 * share
    pue = np.asarray(ev.hourly_pue[ev.hourly_row(row)], dtype=float)
    wue = np.asarray(ev.hourly_wue_l_per_kwh[ev.hourly_row(row)], dtype=float)
    return pd.DataFrame(
        {
            "time_local": stamps.strftime("%m-%d %H:%M"),
            "month": month,
            "hour_of_day": stamps.hour.to_numpy(),
            "pue": pue,
            "wue_l_per_kwh": wue,
            "it_power_kw": it_kw,
            "facility_power_kw": it_kw * pue,
            "water_l": it_kw * wue,  # kW over one hour = kWh; times L/kWh
        },
        index=pd.RangeIndex(HOURS_PER_YEAR, name="hour"),
    )


def _allocated_share(results: Results, site_id: str) -> float:
    alloc = results.allocation
    if alloc.feasible and alloc.gpus is not None and site_id in alloc.gpus.index:
        total = float(alloc.gpus.to_numpy().sum())
        return float(alloc.gpus.loc[site_id].sum()) / total if total > 0 else 0.0
    return 1.0


def scored_sites(results: Results):  # -> geopandas.GeoDataFrame
    """Sites as points (EPSG:4326) with rank, score, key metrics and allocated GPUs."""
    import geopandas as gpd

    metrics = results.evaluation.metrics
    ranking = results.ranking.reindex(metrics.index)
    frame = pd.concat([metrics, ranking.drop(columns=[c for c in ranking if c in metrics])], axis=1)
    alloc = allocation_table(results)
    frame["allocated_gpus"] = (
        alloc["gpus"].reindex(frame.index).fillna(0).astype(int) if len(alloc) else 0
    )
    frame["chosen"] = frame["allocated_gpus"] > 0
    frame = _finite(frame)
    geometry = gpd.points_from_xy(metrics["lon"], metrics["lat"], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(frame.reset_index(), geometry=geometry, crs="EPSG:4326")
    if "rank" in gdf:
        gdf = gdf.sort_values("rank", kind="stable").reset_index(drop=True)
    return gdf


def allocation_sites(results: Results):  # -> geopandas.GeoDataFrame
    """Sites receiving GPUs as points, with GPUs per phase and the allocation summary."""
    import geopandas as gpd

    table = _finite(allocation_table(results))
    metrics = results.evaluation.metrics.reindex(table.index)
    geometry = gpd.points_from_xy(metrics["lon"], metrics["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(table.reset_index(), geometry=geometry, crs="EPSG:4326")


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    """Infinities become missing (GeoJSON and GeoPackage have no infinity; 'unlimited' = empty)."""
    out = frame.copy()
    for column in out.select_dtypes(include="number").columns:
        values = out[column].astype(float)
        if np.isinf(values.to_numpy()).any():
            out[column] = values.where(np.isfinite(values))
    for column in out.select_dtypes(include="bool").columns:
        out[column] = out[column].astype(bool)
    return out


# --- spreadsheet safety ------------------------------------------------------------------

# OWASP's CSV-injection rule: a cell starting with one of these may be run as a formula by a
# spreadsheet. Site and scenario names come from user files.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet could take for a formula (numbers never are)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_text(value: object) -> object:
    """Prefix formula-like text with a single quote; anything else is returned unchanged."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def csv_text(value: object) -> object:
    """Text made safe for a CSV cell: formula-like text prefixed, line breaks as ``\\n``.

    A bare carriage return is not quoted by Python's CSV writer with ``\\n`` line ends, so
    it would split the row in a reader; inside a cell it means the same as ``\\n``.
    """
    if not isinstance(value, str):
        return value
    text = neutralise_text(value)
    return text.replace("\r\n", "\n").replace("\r", "\n")  # type: ignore[union-attr]


def neutralised(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` for CSV whose text cells, index and headers cannot start a formula.

    Only text is changed (see :func:`csv_text`); number columns, negative numbers included,
    stay numbers. Text is found by dtype, object or string alike: pandas 3 keeps text in a
    ``str`` dtype, so a test for ``object`` alone let site ids in the index through raw.
    """
    out = table.copy()
    for column in out.columns:
        if _holds_text(out[column]):
            out[column] = out[column].map(csv_text)
    out.columns = [csv_text(c) for c in out.columns]
    out.index = _neutralised_index(out.index)
    return out


def _holds_text(values: pd.Series | pd.Index) -> bool:
    dtype = values.dtype
    return (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def _neutralised_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        keys = [tuple(csv_text(v) for v in key) for key in index]
        return pd.MultiIndex.from_tuples(keys, names=index.names)
    if not _holds_text(index):
        return index
    return index.map(csv_text).rename(index.name)


def write_table_csv(table: pd.DataFrame, path: Path, *, index: bool, **options: object) -> Path:
    """Write ``table`` to ``path`` as UTF-8 CSV, atomically, its text neutralised.

    The one CSV writer of the planner: every table goes through :func:`neutralised` here,
    index included, so no caller can forget it. Numbers get at most 10 significant digits
    (``float_format`` in ``options`` overrides it), also inside mixed-type columns.
    """
    path = Path(path)
    options.setdefault("float_format", CSV_FLOAT_FORMAT)
    table = _rounded_objects(table, str(options["float_format"]))
    with atomic_file(path) as tmp:
        neutralised(table).to_csv(
            tmp, encoding="utf-8", lineterminator="\n", index=index, **options
        )
    return path


def _rounded_objects(table: pd.DataFrame, float_format: str) -> pd.DataFrame:
    """Floats inside mixed-type (object) columns rounded as ``float_format`` would print them.

    pandas applies ``float_format`` to float columns only; a provenance ``value`` column mixes
    numbers and text and would otherwise print ``0.30000000000000004``.
    """
    columns = [c for c in table.columns if pd.api.types.is_object_dtype(table[c].dtype)]
    if not columns:
        return table
    out = table.copy()
    for column in columns:
        out[column] = out[column].map(
            lambda v: (
                float(float_format % v)
                if isinstance(v, float | np.floating) and math.isfinite(v)
                else v
            )
        )
    return out


def xlsx_text(value: object) -> object:
    """Text without the control characters openpyxl refuses (it raises on them); else as is.

    The readers refuse such names; this is the writer's safety net, so an export never dies.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells, index and headers openpyxl can store."""
    out = table.copy()
    for column in out.columns:
        if _holds_text(out[column]):
            out[column] = out[column].map(xlsx_text)
    out.columns = [xlsx_text(c) for c in out.columns]
    if _holds_text(out.index) and not isinstance(out.index, pd.MultiIndex):
        out.index = out.index.map(xlsx_text).rename(out.index.name)
    return out


def mark_text_cells(sheet) -> int:  # sheet: openpyxl Worksheet
    """Store formula-like strings of ``sheet`` as text (quote prefix), never as live formulas.

    openpyxl turns any string starting with ``=`` into a formula; the planner writes no
    formulas, so every such cell came from user text. Returns the number of cells changed.
    """
    changed = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed


# --- writers -----------------------------------------------------------------------------


def provenance_table(results: Results) -> pd.DataFrame:
    """Every input figure: dataset, key, field, value, unit, source, year, license, note.

    Tabulated values (a chiller COP curve, 24 hourly weights) become text with ``; `` between
    the numbers, so CSV and XLSX cells hold one value each; numbers stay numbers.
    """
    prov = results.evaluation.provenance
    if prov is None:
        return pd.DataFrame(columns=PROVENANCE_COLUMNS)
    out = prov.reset_index(drop=True).copy()
    out["value"] = [_cell(v) for v in out["value"]] if "value" in out else None
    return out


def _cell(value: object) -> object:
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(_cell(v)) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_csv(results: Results, out_dir: Path) -> list[Path]:
    """ranking.csv, metrics.csv, allocation.csv, provenance.csv and hourly_<site>.csv."""
    out_dir = Path(out_dir)
    written = [
        write_table_csv(table, out_dir / f"{name}.csv", index=keep_index)
        for name, table, keep_index in (
            ("ranking", ranking_table(results), True),
            ("metrics", metrics_table(results), True),
            ("allocation", allocation_table(results), True),
            ("provenance", provenance_table(results), False),
        )
    ]
    # File names from site ids are made safe (and distinct) by _unique_names.
    for site_id, stem in _unique_names(chosen_sites(results)).items():
        path = out_dir / f"hourly_{stem}.csv"
        table = hourly_table(results, site_id)
        written.append(write_table_csv(table, path, index=True, float_format="%.6g"))
    return written


def extra_tables(results: Results) -> dict[str, pd.DataFrame]:
    """Optional tables present in the results: Pareto, uncertainty, sensitivity, monthly,
    sources (distinct, with citations) and provenance (every input figure)."""
    tables: dict[str, pd.DataFrame] = {}
    if results.pareto is not None and len(results.pareto):
        tables["pareto"] = results.pareto
    if results.uncertainty is not None and len(results.uncertainty):
        tables["uncertainty"] = results.uncertainty
    if results.sensitivity is not None and len(results.sensitivity):
        tables["sensitivity"] = results.sensitivity
    monthly = results.evaluation.monthly
    if monthly is not None and len(monthly):
        tables["monthly"] = monthly
    provenance = results.evaluation.provenance
    if provenance is not None and len(provenance):
        from planner.report.sources import sources_list

        tables["sources"] = sources_list(provenance, catalog_sources())
        tables["provenance"] = provenance_table(results)
    return tables


def catalog_sources() -> pd.DataFrame | None:
    """The catalog's source list, for publisher, URL and license; None when unavailable."""
    try:
        from planner.catalog import default_catalog

        return default_catalog().sources
    except Exception:  # noqa: BLE001 - the citations alone still trace every figure
        return None


def write_xlsx(results: Results, path: Path) -> Path:
    """One workbook, one sheet per table; the header row is frozen and column widths fitted.

    Text that a spreadsheet could take for a formula is stored as text (see
    :func:`mark_text_cells`).
    """
    path = Path(path)
    with atomic_file(path) as tmp:
        _write_workbook(results, tmp)
    return path


def explanation_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The recommendation explained, as tables: yearly cash, alternatives, switching values
    and how often each site is in the optimal allocation (each only when present)."""
    tables: dict[str, pd.DataFrame] = {}
    if results.cash_flows is not None and len(results.cash_flows):
        tables["cash_flows"] = results.cash_flows.reset_index(drop=True)
    rec = results.recommendation if isinstance(results.recommendation, dict) else {}
    join = "; ".join
    if rec.get("alternatives"):
        rows = pd.DataFrame(rec["alternatives"])
        if "sites" in rows:
            rows["sites"] = rows["sites"].map(lambda v: join(map(str, v or [])))
        tables["alternatives"] = rows
    if rec.get("switching_values"):
        rows = pd.DataFrame(rec["switching_values"])
        if "new_sites" in rows:
            rows["new_sites"] = rows["new_sites"].map(lambda v: join(map(str, v or [])))
        tables["switching_values"] = rows
    robustness = rec.get("robustness") or {}
    if robustness.get("p_in_optimum"):
        names = results.evaluation.metrics.get("name")
        p = pd.Series(robustness["p_in_optimum"], dtype=float).sort_values(ascending=False)
        tables["allocation_robustness"] = pd.DataFrame(
            {
                "site_id": p.index,
                "name": [str(names.get(s, s)) if names is not None else s for s in p.index],
                "p_in_optimum": p.to_numpy(),
            }
        )
    return tables


def scenario_rows(results: Results) -> pd.DataFrame:
    """Every scenario setting, one row each (``fleet.phases[1].count``), numbers as numbers."""
    from planner.scenario import scenario_to_dict

    rows: list[tuple[str, object]] = []

    def walk(data: object, prefix: str) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
            for i, value in enumerate(data):
                walk(value, f"{prefix}[{i}]")
        elif isinstance(data, list):
            rows.append((prefix, ", ".join(map(str, data)) if data else "(none)"))
        elif isinstance(data, bool) or data is None:
            rows.append((prefix, "(none)" if data is None else str(data).lower()))
        elif isinstance(data, int | float):
            rows.append((prefix, data))
        else:
            rows.append((prefix, str(data)))

    walk(scenario_to_dict(results.scenario), "")
    return pd.DataFrame(rows, columns=["setting", "value"])


# Number formats by column name (the unit is in the name, docs/nomenclature.md): the cell keeps
# its full-precision number and shows its unit. First match wins; checked on the lower-case name.
_NUMBER_FORMATS: list[tuple[Callable[[str], bool], str]] = [
    (lambda c: c in ("lat", "lon"), '0.0000"°"'),
    (lambda c: c in ("year", "month", "hour", "hour_of_day", "rank", "blocks", "draws"), "0"),
    (lambda c: c == "ready_month" or c.endswith("_month"), '"month "0'),
    (lambda c: c == "gpus" or c.startswith("gpus_") or c.endswith("_gpus"), "#,##0"),
    (lambda c: "usd_per_gpu_hour" in c, '0.000" USD/GPU-h"'),
    (lambda c: c.endswith("_usd_per_mwh"), '0.00" USD/MWh"'),
    (lambda c: c.endswith("_usd_per_t"), '#,##0.00" USD/t"'),
    (lambda c: c.endswith("_usd_per_m3"), '#,##0.00" USD/m³"'),
    (lambda c: c.endswith("_usd_per_m2"), '#,##0.00" USD/m²"'),
    (lambda c: c.endswith("_usd_per_mw"), '#,##0" USD/MW"'),
    (lambda c: c.endswith("_usd"), '#,##0" USD";-#,##0" USD"'),
    (lambda c: c.endswith("_t_per_year"), '#,##0" t/yr"'),
    (lambda c: c.endswith("_t") or c.endswith("_t_horizon"), '#,##0" t";-#,##0" t"'),
    (lambda c: c.endswith("_m3_per_year"), '#,##0" m³/yr"'),
    (lambda c: c.endswith("_m3"), '#,##0" m³";-#,##0" m³"'),
    (lambda c: c.endswith("_mwh_per_year"), '#,##0" MWh/yr"'),
    (lambda c: c.endswith("_mwh"), '#,##0.0" MWh"'),
    (lambda c: c.endswith("_mw"), '#,##0.0" MW"'),
    (lambda c: c.endswith("_kw"), '#,##0.0" kW"'),
    (lambda c: c.endswith("_l_per_kwh"), '0.000" L/kWh"'),
    (lambda c: c.endswith("_l"), '#,##0.0" L"'),
    (lambda c: c.endswith("_months"), '0" months"'),
    (lambda c: c.endswith("_ms"), '0.0" ms"'),
    (lambda c: c.endswith("_c"), '0.0" °C"'),
    (lambda c: c == "economizer_hours", '#,##0" h/yr"'),
    (lambda c: c.endswith("_hours"), '#,##0" h"'),
    (
        lambda c: c == "share" or c.startswith(("p_", "share_")) or c.endswith("_share"),
        "0.0%",
    ),
    (lambda c: c.endswith("_factor"), '0.000"×"'),
    (lambda c: c.startswith(("pue", "contrib_", "risk_")) or c in ("score", "wue"), "0.000"),
    (lambda c: c == "water_stress", '0.0" of 5"'),
]
# Columns whose unit is the sheet's (the tornado: results in USD per delivered GPU-hour).
_SHEET_FORMATS = {
    "sensitivity": {c: '0.000" USD/GPU-h"' for c in ("low", "high", "base")},
}


def number_format(column: str, sheet: str = "") -> str | None:
    """The XLSX number format of a column, from the unit in its name (None: General)."""
    name = str(column).lower()
    if name in _SHEET_FORMATS.get(sheet, {}):
        return _SHEET_FORMATS[sheet][name]
    return next((fmt for test, fmt in _NUMBER_FORMATS if test(name)), None)


def _write_workbook(results: Results, path: Path) -> None:
    sheets: dict[str, tuple[pd.DataFrame, bool]] = {
        "ranking": (ranking_table(results), True),
        "metrics": (metrics_table(results), True),
        "allocation": (allocation_table(results), True),
    }
    for name, table in explanation_tables(results).items():
        sheets[name] = (table, False)
    for name, table in extra_tables(results).items():
        sheets[name] = (table, name == "uncertainty")
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _summary_sheet(writer, results)
        _scenario_sheet(writer, results)
        for name, (table, keep_index) in sheets.items():
            table = xlsx_safe(_finite(_lists_as_text(table)))
            table.to_excel(
                writer, sheet_name=name, index=keep_index, freeze_panes=(1, 1 if keep_index else 0)
            )
            _format_sheet(writer.sheets[name], name)
            mark_text_cells(writer.sheets[name])


def _lists_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """List cells (the sites of a tornado end) as one text each: ``Luleå; Oslo``."""
    columns = [
        c
        for c in table.columns
        if _holds_text(table[c]) and table[c].map(lambda v: isinstance(v, list | tuple)).any()
    ]
    if not columns:
        return table
    out = table.copy()
    for column in columns:
        out[column] = out[column].map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v
        )
    return out


def _format_sheet(sheet, name: str) -> None:  # sheet: openpyxl Worksheet
    """Bold header row, number formats with units, column widths fitted to the contents."""
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    for column in sheet.iter_cols():
        header = column[0]
        header.font = bold
        header.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        fmt = number_format(str(header.value or ""), name)
        width = len(str(header.value or ""))
        for cell in column[1:]:
            value = cell.value
            if isinstance(value, bool) or value is None:
                text = "" if value is None else str(value)
            elif isinstance(value, int | float):
                if fmt is not None:
                    cell.number_format = fmt
                text = _shown_number(value, fmt)
            else:
                text = str(value)
            width = max(width, len(text))
        sheet.column_dimensions[header.column_letter].width = float(min(max(width + 2, 8), 60))


def _shown_number(value: float, fmt: str | None) -> str:
    """About the text a spreadsheet shows for ``value`` in ``fmt`` (for the column width)."""
    if not math.isfinite(value):
        return str(value)
    unit = fmt.split('"')[1] if fmt and fmt.count('"') >= 2 and not fmt.startswith('"') else ""
    if fmt and "%" in fmt:
        return f"{100 * value:.1f} %"
    if fmt and fmt.startswith(("#,##0", "+#,##0")):
        decimals = len(fmt.split(".")[1].split('"')[0]) if "." in fmt.split('"')[0] else 0
        return f"{value:,.{decimals}f} {unit}"
    if fmt and fmt.startswith("0."):
        decimals = len(fmt.split('"')[0]) - 2
        return f"{value:.{decimals}f} {unit}"
    return f"{value:.10g}"


def _summary_sheet(writer, results: Results) -> None:
    """The report's page 1, item by item: a value (a number with its unit, or text) and, for
    numbers, the same in words."""
    from openpyxl.styles import Alignment, Font

    from planner.report.decision import build_decision

    decision = build_decision(results)
    pd.DataFrame(columns=["item", "value", "in words"]).to_excel(
        writer, sheet_name="Summary", index=False
    )
    sheet = writer.sheets["Summary"]
    for row, fact in enumerate(decision.facts, start=2):
        value = fact.value
        numeric = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
        if numeric and not math.isfinite(float(value)):
            value, numeric = None, False
        label = sheet.cell(row=row, column=1, value=xlsx_text(fact.label))
        label.font = Font(bold=True)
        cell = sheet.cell(row=row, column=2, value=float(value) if numeric else xlsx_text(value))
        if numeric:
            cell.number_format = fact.excel_format
            sheet.cell(row=row, column=3, value=xlsx_text(fact.text))
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        label.alignment = Alignment(vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 46
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 28
    mark_text_cells(sheet)


def _scenario_sheet(writer, results: Results) -> None:
    table = xlsx_safe(scenario_rows(results))
    table.to_excel(writer, sheet_name="Scenario", index=False, freeze_panes=(1, 0))
    sheet = writer.sheets["Scenario"]
    _format_sheet(sheet, "Scenario")
    mark_text_cells(sheet)


def write_geojson(results: Results, out_dir: Path) -> list[Path]:
    """sites.geojson (every scored site) and allocation.geojson (sites receiving GPUs)."""
    out_dir = Path(out_dir)
    written = []
    for name, gdf in (("sites", scored_sites(results)), ("allocation", allocation_sites(results))):
        path = out_dir / f"{name}.geojson"
        with atomic_file(path) as tmp:
            gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio")
        written.append(path)
    return written


def write_gpkg(results: Results, path: Path) -> Path:
    """One GeoPackage with layers ``sites`` and ``allocation``."""
    path = Path(path)
    with atomic_file(path) as tmp:
        scored_sites(results).to_file(tmp, layer="sites", driver="GPKG", engine="pyogrio")
        alloc = allocation_sites(results)
        if len(alloc):
            alloc.to_file(tmp, layer="allocation", driver="GPKG", engine="pyogrio")
    return path
