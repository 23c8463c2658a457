"""The report's "Data sources" section: the provenance digested so a reviewer can read it.

``Evaluation.provenance`` holds one row per input figure (about 1,600 for the bundled
catalog: a row per region, site, climate station and parameter). Printed in full it is two
hundred pages nobody reads, so the report shows four tables instead and the exports keep
every row (``provenance.csv``, the ``provenance`` sheet):

``sources``
    The distinct sources actually used, numbered, with full citation, publisher, year,
    license and the datasets and fields each supports.
``fields``
    Per catalog dataset and field: how many values, their range with unit, the years and the
    sources (by number) they come from.
``parameters``
    The model parameters one by one (the cooling preset the scenario uses, finance, the
    scenario's own assumptions), because these are the assumptions a reviewer checks.
``focus``
    The figures of the recommended and compared sites and their grid regions, one by one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Datasets summarised per field (catalog tables with a row per region, site, station...).
CATALOG_DATASETS = ("gpus", "regions", "sites", "climate_normals", "demand_centers", "basemap")
# Datasets listed one parameter per row.
PARAMETER_DATASETS = ("cooling", "finance", "scenario")
# Sources that are not publications: shown under one readable name each.
GENERIC_SOURCES = {
    "estimate": "Estimate of this project (reasoning in each figure's note, provenance export)",
    "assumption": "Assumption of this project (reasoning in each figure's note, provenance export)",
    "scenario": "The scenario file of this run",
}
MAX_FIELDS_LISTED = 6  # per dataset in the "supports" column of the sources table
FOCUS_SITE_FIELDS = ("capacity_mw", "time_to_power_months", "land_usd_per_m2")


@dataclass
class Table:
    """A table ready to lay out: header texts, rows of display texts, numeric-column flags.

    ``highlight`` marks rows (chosen sites); ``widths`` gives each column's share of the page
    width in percent (empty: the layout engine decides).
    """

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    highlight: list[bool] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # percent of the page width per column


@dataclass
class SourcesSection:
    """What the "Data sources" section shows; see the module docstring."""

    sources: Table
    fields: Table
    parameters: Table
    focus: Table
    rows_total: int  # provenance rows of the evaluation (all in the exports)
    rows_used: int  # of which used by this run (the other cooling preset and GPUs dropped)
    cooling_preset: str


# --- value text ------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    """Display text of one provenance value: numbers to 4 significant digits, lists joined."""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(value_text(v) for v in value) if len(value) else "(none)"
    if value is None:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return "–"
        if math.isinf(value):
            return "unlimited"
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.4g}"
        if abs(value) >= 1e5:  # big figures in full with separators: 3,739,000 not 3.739e+06
            return f"{value:,.0f}"
        return f"{value:,.6g}"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(value)


def _number(value: Any) -> float | None:
    """A finite float for numeric scalars (not bools), else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _years(years: Iterable[Any]) -> str:
    ys = sorted({int(y) for y in years if _number(y) is not None})
    if not ys:
        return "–"
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def _unit_suffix(unit: str) -> str:
    """`` USD/MWh``; scores such as ``0-5`` read ``(scale 0-5)``; no unit, no text."""
    if unit in ("", "-", "nan", "bool"):
        return ""
    if re.fullmatch(r"\d+-\d+", unit):
        return f" (scale {unit})"
    return f" {unit}"


def value_range(values: Sequence[Any], unit: str) -> str:
    """``90 values, 41–240 USD/MWh``; booleans counted; texts listed (at most three)."""
    n = len(values)
    count = f"{n:,} value{'s' if n != 1 else ''}"
    numbers = [v for v in (_number(x) for x in values) if v is not None]
    bools = [bool(x) for x in values if isinstance(x, bool | np.bool_)]
    missing = sum(1 for x in values if _number(x) is None and value_text(x) == "–")
    if numbers and len(numbers) + missing == n:
        lo, hi = min(numbers), max(numbers)
        span = value_text(lo) if lo == hi else f"{value_text(lo)} to {value_text(hi)}"
        text = f"{count}, {span}{_unit_suffix(unit)}"
        return text + (f" ({missing} not published)" if missing else "")
    if bools and len(bools) == n:
        yes = sum(bools)
        return f"{count}: {yes} yes, {n - yes} no"
    distinct = list(dict.fromkeys(value_text(x) for x in values))
    shown = "; ".join(distinct[:3]) + (
        f"; … ({len(distinct) - 3} more)" if len(distinct) > 3 else ""
    )
    return f"{count}: {shown}"


# --- sources ---------------------------------------------------------------------------------


def _split_source(text: str, known: dict[str, str]) -> list[str]:
    """A cell may cite several catalog sources joined by ' + '; split only when all are known."""
    parts = [p.strip() for p in text.split(" + ")]
    if len(parts) > 1 and all(p in known for p in parts):
        return parts
    return [text.strip()]


def _generic(text: str) -> str:
    """'estimate' and bare 'assumption' / 'scenario' rows share one entry each."""
    low = text.strip().lower()
    return GENERIC_SOURCES.get(low, text.strip())


def short_label(citation: str, max_chars: int = 60) -> str:
    """The start of a citation, up to its first ':' '(' or ';' (and at most ``max_chars``)."""
    cut = len(citation)
    for mark in (":", " (", ";"):
        i = citation.find(mark, 12)
        if i != -1:
            cut = min(cut, i)
    label = citation[:cut].rstrip(" ,.")
    if len(label) > max_chars:  # cut at a word boundary
        label = label[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ,.&") + " …"
    return label


def used_provenance(
    provenance: pd.DataFrame,
    *,
    cooling_preset: str | None = None,
    gpu_models: Iterable[str] = (),
) -> pd.DataFrame:
    """The rows this run uses: the scenario's cooling preset only, the fleet's GPU models only.

    Filters are skipped when they would remove every row of the dataset (keys not matching
    the expected ``<preset>.<group>`` or GPU model pattern), so nothing is hidden by accident.
    """
    prov = provenance
    if cooling_preset and "dataset" in prov:
        cooling = prov["dataset"] == "cooling"
        mine = cooling & prov["key"].astype(str).str.startswith(f"{cooling_preset}.")
        if mine.any():
            prov = prov[~cooling | mine]
    models = set(gpu_models)
    if models and "dataset" in prov:
        gpus = prov["dataset"] == "gpus"
        mine = gpus & prov["key"].astype(str).isin(models)
        if mine.any():
            prov = prov[~gpus | mine]
    return prov


def build_sources_section(
    provenance: pd.DataFrame | None,
    catalog_sources: pd.DataFrame | None = None,
    *,
    cooling_preset: str = "",
    gpu_models: Iterable[str] = (),
    focus_sites: Sequence[tuple[str, str, str]] = (),
) -> SourcesSection:
    """Digest the provenance into the four tables of the section.

    Parameters
    ----------
    provenance : DataFrame
        ``Evaluation.provenance`` (columns dataset, key, field, value, unit, source, year,
        license, note).
    catalog_sources : DataFrame, optional
        The catalog's ``sources`` table (index source id; citation, publisher, year, url,
        license) to complete citations with publisher, URL and license.
    cooling_preset : str
        The scenario's cooling preset; only its parameters are listed.
    gpu_models : iterable of str
        GPU models of the fleet; only their figures are summarised.
    focus_sites : sequence of (site_id, display name, region code)
        The recommended and compared sites, whose figures are listed one by one.
    """
    prov = provenance if provenance is not None else pd.DataFrame()
    for column in ("dataset", "key", "field", "value", "unit", "source", "year", "license"):
        if column not in prov:
            prov = prov.assign(**{column: pd.Series(dtype=object, index=prov.index)})
    rows_total = len(prov)
    prov = used_provenance(prov, cooling_preset=cooling_preset, gpu_models=gpu_models)
    prov = prov.assign(
        unit=prov["unit"].fillna("").astype(str),
        source=prov["source"].fillna("").astype(str),
        license=prov["license"].fillna("").astype(str),
        key=prov["key"].astype(str),
        field=prov["field"].astype(str),
        dataset=prov["dataset"].astype(str),
    )

    cat = catalog_sources if catalog_sources is not None else pd.DataFrame()
    known = (
        {str(c).strip(): str(i) for i, c in cat["citation"].items()} if "citation" in cat else {}
    )

    # Number the distinct sources in order of first use (datasets in report order).
    order = {d: i for i, d in enumerate(CATALOG_DATASETS + PARAMETER_DATASETS)}
    prov = prov.iloc[
        np.argsort(prov["dataset"].map(order).fillna(len(order)).to_numpy(), kind="stable")
    ]
    row_sources = [
        [_generic(s) for s in _split_source(text, known)] if text.strip() else ["(not recorded)"]
        for text in prov["source"]
    ]
    numbers: dict[str, int] = {}
    for cites in row_sources:
        for c in cites:
            numbers.setdefault(c, len(numbers) + 1)

    # Which datasets and fields each source supports, and the years of its rows.
    supports: dict[str, dict[str, dict[str, int]]] = {c: {} for c in numbers}
    years: dict[str, list[Any]] = {c: [] for c in numbers}
    licenses: dict[str, str] = {}
    preset_prefix = f"{cooling_preset}." if cooling_preset else ""
    for (dataset, key, fld, year, lic), cites in zip(
        prov[["dataset", "key", "field", "year", "license"]].itertuples(index=False),
        row_sources,
        strict=True,
    ):
        name = _parameter_name(dataset, key, fld, preset_prefix)
        for c in cites:
            by_field = supports[c].setdefault(dataset, {})
            by_field[name] = by_field.get(name, 0) + 1
            years[c].append(year)
            if lic and c not in licenses:
                licenses[c] = lic

    source_rows = []
    for cite, n in numbers.items():
        sid = known.get(cite)
        meta = cat.loc[sid] if sid is not None else None
        publisher = str(meta["publisher"]) if meta is not None and "publisher" in meta else ""
        url = str(meta["url"]) if meta is not None and "url" in meta else ""
        year = (
            _years([meta["year"]])
            if meta is not None and "year" in meta and _number(meta["year"]) is not None
            else _years(years[cite])
        )
        lic = (
            str(meta["license"])
            if meta is not None and "license" in meta and str(meta["license"])
            else licenses.get(cite, "")
        )
        citation = cite + (f". {publisher}" if publisher and publisher not in cite else "")
        citation += f". {url}" if url else ""
        source_rows.append(
            [f"[{n}]", citation, year, lic or "not recorded", _supports_text(supports[cite])]
        )
    sources = Table(
        headers=["#", "Source (citation, publisher, address)", "Year", "License", "Supports"],
        rows=source_rows,
        numeric=[False, False, True, False, False],
        widths=[5, 45, 7, 14, 29],
    )

    # Per dataset and field of the catalog tables.
    catalog_part = prov[prov["dataset"].isin(CATALOG_DATASETS)]
    field_rows = []
    for (dataset, fld), group in catalog_part.groupby(["dataset", "field"], sort=False):
        cites = [c for i in group.index for c in row_sources[prov.index.get_loc(i)]]
        counts = pd.Series(cites).value_counts(sort=False)
        # One source: its number and name; several: numbers with their value counts.
        src = (
            f"[{numbers[counts.index[0]]}] {short_label(counts.index[0], 50)}"
            if len(counts) == 1
            else ", ".join(f"[{numbers[c]}] ({k})" for c, k in counts.items())
        )
        unit = _common(group["unit"])
        field_rows.append(
            [
                dataset,
                fld,
                value_range(list(group["value"]), unit),
                _years(group["year"]),
                src,
            ]
        )
    fields = Table(
        headers=["Dataset", "Field", "Values and range", "Year", "Sources [#] (values)"],
        rows=field_rows,
        numeric=[False, False, False, True, False],
        widths=[12, 19, 28, 9, 32],
    )

    # Model parameters, one per row.
    param_part = prov[prov["dataset"].isin(PARAMETER_DATASETS)]
    param_rows = []
    for r, (dataset, key, fld, value, unit, year) in zip(
        param_part.index,
        param_part[["dataset", "key", "field", "value", "unit", "year"]].itertuples(index=False),
        strict=True,
    ):
        group = key.removeprefix(preset_prefix) if dataset == "cooling" else key
        cites = row_sources[prov.index.get_loc(r)]
        param_rows.append(
            [
                f"{dataset} · {group}",
                fld,
                value_text(value),
                _unit_suffix(unit).strip(),
                _years([year]),
                "; ".join(f"[{numbers[c]}] {short_label(c, 34)}" for c in dict.fromkeys(cites)),
            ]
        )
    parameters = Table(
        headers=["Group", "Parameter", "Value", "Unit", "Year", "Source [#]"],
        rows=param_rows,
        numeric=[False, False, True, False, True, False],
        widths=[19, 21, 14, 12, 6, 28],
    )

    focus = _focus_table(prov, row_sources, numbers, focus_sites)
    return SourcesSection(
        sources=sources,
        fields=fields,
        parameters=parameters,
        focus=focus,
        rows_total=rows_total,
        rows_used=len(prov),
        cooling_preset=cooling_preset,
    )


def _parameter_name(dataset: str, key: str, fld: str, preset_prefix: str) -> str:
    if dataset == "cooling":
        return f"{key.removeprefix(preset_prefix)}.{fld}"
    if dataset in ("finance", "scenario"):
        return f"{key}.{fld}"
    return fld


def _supports_text(by_dataset: dict[str, dict[str, int]]) -> str:
    parts = []
    for dataset, by_field in by_dataset.items():
        names = list(by_field)
        shown = ", ".join(
            f"{n} ({by_field[n]})" if by_field[n] > 1 else n for n in names[:MAX_FIELDS_LISTED]
        )
        if len(names) > MAX_FIELDS_LISTED:
            shown += f" and {len(names) - MAX_FIELDS_LISTED} more"
        parts.append(f"{dataset}: {shown}")
    return "; ".join(parts)


def _common(values: pd.Series) -> str:
    """The unit shared by a field's rows (the first when they differ)."""
    units = [u for u in dict.fromkeys(values) if u not in ("", "-", "nan")]
    return units[0] if units else ""


def _focus_table(
    prov: pd.DataFrame,
    row_sources: list[list[str]],
    numbers: dict[str, int],
    focus_sites: Sequence[tuple[str, str, str]],
) -> Table:
    """Rows: the region fields then the site fields; one column per focus site."""
    if not focus_sites:
        return Table(headers=[], rows=[], numeric=[])
    position = {idx: i for i, idx in enumerate(prov.index)}
    cells: dict[tuple[str, str, str], str] = {}
    units: dict[str, str] = {}
    for idx, dataset, key, fld, value, unit, year in zip(
        prov.index,
        prov["dataset"],
        prov["key"],
        prov["field"],
        prov["value"],
        prov["unit"],
        prov["year"],
        strict=True,
    ):
        if dataset not in ("regions", "sites"):
            continue
        cites = row_sources[position[idx]]
        cells[(dataset, key, fld)] = (
            f"{value_text(value)} {refs_text(cites, numbers)} {_years([year])}"
        )
        units.setdefault(f"{dataset}.{fld}", unit)
    region_fields = list(
        dict.fromkeys(
            fld for (d, k, fld) in cells if d == "regions" and any(k == s[2] for s in focus_sites)
        )
    )
    rows = []
    for fld in region_fields:
        unit = _unit_suffix(units.get(f"regions.{fld}", "")).strip()
        rows.append(
            [f"{fld}" + (f" [{unit}]" if unit and not unit.startswith("(") else f" {unit}")]
            + [cells.get(("regions", region, fld), "–") for _, _, region in focus_sites]
        )
    for fld in FOCUS_SITE_FIELDS:
        if not any(("sites", s, fld) in cells for s, _, _ in focus_sites):
            continue
        unit = _unit_suffix(units.get(f"sites.{fld}", "")).strip()
        rows.append(
            [f"site {fld}" + (f" [{unit}]" if unit else "")]
            + [cells.get(("sites", s, fld), "–") for s, _, _ in focus_sites]
        )
    n = len(focus_sites)
    return Table(
        headers=["Figure [unit]"] + [f"{name} ({region})" for _, name, region in focus_sites],
        rows=rows,
        numeric=[False] + [True] * n,
        widths=[28] + [72 / n] * n,
    )


def refs_text(cites: Iterable[str], numbers: dict[str, int]) -> str:
    return "".join(f"[{numbers[c]}]" for c in dict.fromkeys(cites))


# --- the table for the exports ---------------------------------------------------------------


def sources_list(
    provenance: pd.DataFrame | None, catalog_sources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Distinct sources of the provenance with citation, publisher, year, URL, license, rows.

    Columns ``source_id`` (the catalog id, empty for sources outside the catalog), ``citation``,
    ``publisher``, ``year``, ``url``, ``license``, ``rows`` (provenance rows citing it) and
    ``datasets``.
    """
    prov = provenance if provenance is not None else pd.DataFrame(columns=["source", "dataset"])
    cat = catalog_sources if catalog_sources is not None else pd.DataFrame()
    known = (
        {str(c).strip(): str(i) for i, c in cat["citation"].items()} if "citation" in cat else {}
    )
    counts: dict[str, int] = {}
    datasets: dict[str, list[str]] = {}
    years: dict[str, list[Any]] = {}
    for text, dataset, year in zip(
        prov["source"].fillna("").astype(str),
        prov["dataset"].astype(str),
        prov["year"] if "year" in prov else [None] * len(prov),
        strict=True,
    ):
        for cite in _split_source(text, known) if text.strip() else ["(not recorded)"]:
            cite = _generic(cite)
            counts[cite] = counts.get(cite, 0) + 1
            datasets.setdefault(cite, [])
            if dataset not in datasets[cite]:
                datasets[cite].append(dataset)
            years.setdefault(cite, []).append(year)
    records = []
    for cite, n in counts.items():
        sid = known.get(cite, "")
        meta = cat.loc[sid] if sid else None
        records.append(
            {
                "source_id": sid,
                "citation": cite,
                "publisher": str(meta["publisher"]) if meta is not None else "",
                "year": _years([meta["year"]] if meta is not None else years[cite]),
                "url": str(meta["url"]) if meta is not None else "",
                "license": str(meta["license"]) if meta is not None else "",
                "rows": n,
                "datasets": ", ".join(datasets[cite]),
            }
        )
    return pd.DataFrame(
        records,
        columns=[
            "source_id",
            "citation",
            "publisher",
            "year",
            "url",
            "license",
            "rows",
            "datasets",
        ],
    )
