"""The data catalog: embedded default data with provenance, and user overrides.

Everything the models need that is not in a scenario file lives here: GPU models, grid regions,
candidate sites, monthly climate normals, demand centers, the country basemap and the cooling
and finance parameter files. Every default figure carries a source and a year; the
``provenance`` table lists them, one row per figure (or per table row where a whole row shares
one source).

Entry points
------------
:func:`default_catalog`
    The embedded defaults, loaded once and validated (types, ranges, referential integrity).
:func:`load_catalog`
    A new catalog with the user's sites file and/or regions file in place of the defaults.
:func:`read_sites_file`
    Read and validate a user site file (CSV with lat/lon, GeoJSON, GeoPackage, Shapefile).
:meth:`Catalog.climate_normals_for`
    Monthly normals for given site ids (user sites take the nearest default site's normals).

Region codes: ``US-XX`` for U.S. states (USPS code), ISO 3166-1 alpha-2 for a whole country
(``IE``), ``CC-ZONE`` for a sub-national bidding zone or area (``SE-SE1``, ``NO-NO1``,
``CA-QC``, ``JP-TK``, ``AU-NSW``).
"""

from __future__ import annotations

import copy
import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from warnings import catch_warnings, simplefilter

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.moratoria import empty_moratoria, read_moratoria_file
from planner.params import PROVENANCE_COLUMNS, load_parameter_file
from planner.paths import data_dir

GPU_COLUMNS = [
    "name",
    "vendor",
    "tdp_w",
    "node_power_w_per_gpu",
    "gpus_per_node",
    "rack_density_kw",
    "liquid_required",
    "server_usd_per_gpu",
    "network_usd_per_gpu",
    "capital_usd_per_gpu",
    "capital_source",
    "capital_year",
    "cloud_usd_per_gpu_hour",
    "cloud_source",
    "cloud_year",
    "source",
    "year",
]
#: Accepted range (inclusive) of each money column of gpus.csv (USD per GPU, USD per GPU-hour).
GPU_RANGES: dict[str, tuple[float, float]] = {
    "server_usd_per_gpu": (1_000, 500_000),
    "network_usd_per_gpu": (0, 100_000),
    "capital_usd_per_gpu": (1_000, 600_000),
    "cloud_usd_per_gpu_hour": (0.1, 100),
}
REGION_FIELDS = [
    "price_usd_per_mwh",
    "carbon_g_per_kwh",
    "carbon_free_share",
    "saidi_minutes",
    "water_stress",
    "construction_index",
    "time_to_power_months",
    "hazard",
    "residual_mix_g_per_kwh",
    "network_levy_usd_per_mwh",
    "ppa_strike_usd_per_mwh",
]
REGION_COLUMNS = ["name", "country", "grid", "lat", "lon", *REGION_FIELDS, "moratorium"]
#: Accepted range (inclusive) of each numeric column of a regions file; years are 1900-2100.
REGION_RANGES: dict[str, tuple[float, float]] = {
    "lat": (-90, 90),
    "lon": (-180, 180),
    "price_usd_per_mwh": (0, 2000),
    "carbon_g_per_kwh": (0, 1500),
    "carbon_free_share": (0, 1),
    "saidi_minutes": (0, 100_000),
    "water_stress": (0, 5),
    "construction_index": (0.1, 10),
    "time_to_power_months": (0, 240),
    "hazard": (0, 1),
    "carbon_lifecycle_g_per_kwh": (0, 2000),
    # Residual mixes run far above production mixes where certificates are exported.
    "residual_mix_g_per_kwh": (0, 1500),
    "network_levy_usd_per_mwh": (0, 1000),
    "ppa_strike_usd_per_mwh": (0, 1000),
}
# Not compiled everywhere; an empty residual mix means none is published (fall back to the mix).
_REGION_OPTIONAL = {"saidi_minutes", "carbon_lifecycle_g_per_kwh", "residual_mix_g_per_kwh"}
SITE_COLUMNS = [
    "name",
    "country",
    "region_code",
    "lat",
    "lon",
    "elevation_m",
    "capacity_mw",
    "time_to_power_months",
    "ttp_is_estimate",
    "land_usd_per_m2",
    "notes",
]
NORMAL_COLUMNS = [
    "site_id",
    "month",
    "temp_max_c",
    "temp_min_c",
    "temp_dew_c",
    "station",
    "source",
    "year",
]
DEMAND_COLUMNS = ["country", "lat", "lon", "population"]

#: Units of the catalog's numeric columns, for the provenance table and the docs.
UNITS = {
    "tdp_w": "W",
    "node_power_w_per_gpu": "W",
    "gpus_per_node": "GPU",
    "rack_density_kw": "kW",
    "liquid_required": "bool",
    "server_usd_per_gpu": "USD/GPU",
    "network_usd_per_gpu": "USD/GPU",
    "capital_usd_per_gpu": "USD/GPU",
    "cloud_usd_per_gpu_hour": "USD/GPU-h",
    "price_usd_per_mwh": "USD/MWh",
    "residual_mix_g_per_kwh": "gCO2/kWh",
    "network_levy_usd_per_mwh": "USD/MWh",
    "ppa_strike_usd_per_mwh": "USD/MWh",
    "carbon_g_per_kwh": "gCO2e/kWh",
    "carbon_free_share": "-",
    "saidi_minutes": "min/yr",
    "water_stress": "0-5",
    "construction_index": "US avg = 1",
    "time_to_power_months": "months",
    "moratorium": "bool",
    "hazard": "0-1",
    "capacity_mw": "MW",
    "land_usd_per_m2": "USD/m2",
    "lat": "deg",
    "lon": "deg",
    "elevation_m": "m",
    "population": "people",
    "temp_max_c": "C",
    "temp_min_c": "C",
    "temp_dew_c": "C",
}

#: Documented defaults for user sites (see docs/data.md).
DEFAULT_LAND_USD_PER_M2 = 60.0  # Cushman & Wakefield 2025: about 5.5 USD/sq ft, U.S. average
DEFAULT_CAPACITY_MW = math.inf  # unlimited unless the user gives a capacity

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass
class Catalog:
    """All default (or user-replaced) data the models read; see docs/nomenclature.md."""

    gpus: pd.DataFrame
    regions: pd.DataFrame
    sites: gpd.GeoDataFrame
    climate_normals: pd.DataFrame
    demand_centers: pd.DataFrame
    basemap: gpd.GeoDataFrame
    cooling: dict[str, Any] = field(default_factory=dict)
    finance: dict[str, Any] = field(default_factory=dict)
    provenance: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=PROVENANCE_COLUMNS)
    )
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    #: Normals of every default site (user sites borrow from these by ``climate_site_id``).
    default_normals: pd.DataFrame | None = None
    #: Restricted and exempt areas for new data centres (``data/moratoria.csv``).
    moratoria: pd.DataFrame = field(default_factory=empty_moratoria)

    def climate_normals_for(self, site_ids: Any) -> pd.DataFrame:
        """Monthly normals (12 rows per site) for the given site ids, in the order given.

        A user site without normals has the normals of the nearest default site; the columns
        ``climate_site_id`` and ``climate_distance_km`` say which one and how far.

        Raises
        ------
        InputError
            A site id that is not in the catalog.
        """
        ids = [str(s) for s in (site_ids if not isinstance(site_ids, str) else [site_ids])]
        unknown = [s for s in ids if s not in self.sites.index]
        if unknown:
            raise InputError(f"unknown site id '{unknown[0]}'", field="site_id")
        table = self.climate_normals.set_index("site_id")
        out = table.loc[ids].reset_index()
        return out

    def region_of(self, site_ids: Any) -> pd.DataFrame:
        """The region rows of the given sites, indexed by site id."""
        codes = self.sites.loc[list(site_ids), "region_code"]
        reg = self.regions.reindex(codes.to_numpy())
        reg.index = codes.index
        return reg

    def site_table(self) -> pd.DataFrame:
        """Sites with their region's price, carbon, water stress and time to power joined.

        The site's own time to power (if any) wins over its region's.
        """
        sites = pd.DataFrame(self.sites.drop(columns="geometry"))
        reg = self.regions.reindex(sites["region_code"].to_numpy())
        out = sites.copy()
        for col in (
            "grid",
            "price_usd_per_mwh",
            "carbon_g_per_kwh",
            "carbon_free_share",
            "water_stress",
            "saidi_minutes",
            "construction_index",
            "moratorium",
            "hazard",
        ):
            out[col] = reg[col].to_numpy()
        out["region_time_to_power_months"] = reg["time_to_power_months"].to_numpy()
        own = pd.to_numeric(out["time_to_power_months"], errors="coerce")
        out["time_to_power_months"] = own.fillna(out["region_time_to_power_months"])
        return out


# --- loading the embedded defaults -----------------------------------------------------------


@cache
def _default_catalog() -> Catalog:
    root = data_dir()
    sources = _read_sources(root / "sources.csv")
    gpus = _read_gpus(root / "gpus.csv")
    regions = read_regions_file(root / "regions.csv")
    stations = pd.read_csv(root / "climate_stations.csv", dtype={"station_id": str})
    station_normals = pd.read_csv(root / "climate_normals.csv", dtype={"station_id": str})
    sites = _read_default_sites(root / "sites.csv")
    demand = _read_demand(root / "demand_centers.csv")
    basemap = load_basemap(root / "basemap_countries.geojson")
    normals = _site_normals(sites, stations, station_normals)
    cooling, cooling_prov = _parameter_file(root / "cooling.toml")
    finance, finance_prov = _parameter_file(root / "finance.toml")
    sites = sites.drop(columns=["climate_station"])
    sites["climate_site_id"] = sites.index
    sites["climate_distance_km"] = 0.0
    sites["defaults_applied"] = ""
    catalog = Catalog(
        gpus=gpus,
        regions=regions,
        sites=sites,
        climate_normals=normals,
        demand_centers=demand,
        basemap=basemap,
        cooling=cooling,
        finance=finance,
        sources=sources,
        provenance=pd.DataFrame(columns=PROVENANCE_COLUMNS),
        default_normals=normals,
        moratoria=read_moratoria_file(root / "moratoria.csv"),
    )
    validate_catalog(catalog, stations=stations, station_normals=station_normals)
    provenance = _provenance(root, sources, gpus, regions, sites, stations, demand)
    catalog.provenance = pd.concat(
        [provenance, *(p for p in (cooling_prov, finance_prov) if len(p))], ignore_index=True
    )
    return catalog


def default_catalog() -> Catalog:
    """The embedded default catalog, loaded once per process and validated.

    Returns a shallow copy so callers may reassign attributes freely; do not modify the
    tables in place (they are shared).
    """
    cat = _default_catalog()
    return replace(
        cat,
        warnings=list(cat.warnings),
        cooling=copy.deepcopy(cat.cooling),
        finance=copy.deepcopy(cat.finance),
    )


def load_catalog(
    *, sites_file: str | Path | None = None, regions_file: str | Path | None = None
) -> Catalog:
    """A new catalog with user files in place of the default sites and/or regions.

    Parameters
    ----------
    sites_file : path, optional
        A site file for :func:`read_sites_file`; its sites replace the default candidates.
    regions_file : path, optional
        A regions CSV (``region_code`` plus any region columns); rows update the default
        regions of the same code and add new ones (new ones need every column).

    Returns
    -------
    Catalog
        ``warnings`` lists each default that was applied to the user's data.
    """
    base = default_catalog()
    warnings: list[str] = []
    regions = base.regions
    if regions_file is not None:
        regions = merge_regions(
            base.regions, read_regions_file(regions_file, partial=True), regions_file
        )
    catalog = replace(base, regions=regions, warnings=warnings)
    if sites_file is not None:
        sites, site_warnings = read_sites_file(sites_file, catalog=catalog)
        warnings.extend(site_warnings)
        catalog.sites = sites
        catalog.climate_normals = _borrowed_normals(sites, base.default_normals)
    else:
        missing = sorted(set(catalog.sites["region_code"]) - set(regions.index))
        if missing:
            raise InputError(
                f"default sites refer to region '{missing[0]}' that the regions file removed",
                file=regions_file,
                field="region_code",
            )
    return catalog


# --- readers ---------------------------------------------------------------------------------


def _read_sources(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("source_id")
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    return table


def _read_gpus(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("gpu_id", *GPU_COLUMNS):
        if col not in table.columns:
            raise InputError(f"missing column '{col}'", file=path, field=col)
    _check_ids(table, "gpu_id", path)
    table = table.set_index("gpu_id")
    table["liquid_required"] = _bool_column(table["liquid_required"], path, "liquid_required")
    for col in ("tdp_w", "node_power_w_per_gpu", "rack_density_kw"):
        table[col] = _numeric_column(table[col], path, col)
    for col, (low, high) in GPU_RANGES.items():
        table[col] = _checked_numbers(table[col], path, col, low, high, allow_empty=False)
    table["gpus_per_node"] = _checked_numbers(
        table["gpus_per_node"], path, "gpus_per_node", 1, 1000, allow_empty=False
    ).astype(int)
    for col in ("capital_year", "cloud_year", "year"):
        table[col] = _checked_numbers(table[col], path, col, 1900, 2100, allow_empty=False).astype(
            int
        )
    # The economics reads capital_usd_per_gpu alone: it must be the all-in sum it claims to be.
    mismatch = (
        table["capital_usd_per_gpu"] - table["server_usd_per_gpu"] - table["network_usd_per_gpu"]
    ).abs() > 0.5
    if mismatch.any():
        row = int(np.flatnonzero(mismatch.to_numpy())[0]) + 1
        raise InputError(
            "capital_usd_per_gpu must equal server_usd_per_gpu + network_usd_per_gpu",
            file=path,
            row=row,
            field="capital_usd_per_gpu",
        )
    return table


def read_regions_file(path: str | Path, *, partial: bool = False) -> pd.DataFrame:
    """Read a regions CSV (index ``region_code``), checking types and ranges.

    Parameters
    ----------
    path : path
    partial : bool
        Allow missing columns and empty cells (a user file that updates some figures of
        existing regions; an empty cell keeps the default).

    Raises
    ------
    InputError
        A value that is not a finite number or lies outside :data:`REGION_RANGES`, a missing
        column, a duplicate code; naming file, row (1-based, header excluded) and column.
    """
    path = Path(path)
    raw = _read_csv_text(path, what="region")
    if "region_code" not in raw.columns:
        raise InputError("missing column 'region_code'", file=path, field="region_code")
    if not partial:
        for col in REGION_COLUMNS:
            if col not in raw.columns:
                raise InputError(f"missing column '{col}'", file=path, field=col)
    years = [c for c in raw.columns if c.endswith("_year")]
    text_columns = [c for c in raw.columns if c not in {*REGION_RANGES, *years, "moratorium"}]
    _check_text_cells(
        raw,
        path,
        one_line=[c for c in text_columns if c not in _FREE_TEXT],
        free=[c for c in text_columns if c in _FREE_TEXT],
    )
    _check_ids(raw, "region_code", path)
    if "tz" in raw:
        _check_zones(raw["tz"], path)
    table = raw.copy()
    for col in [*REGION_RANGES, *years]:
        if col in table:
            low, high = REGION_RANGES.get(col, (1900, 2100))
            optional = partial or col in _REGION_OPTIONAL or col in years
            table[col] = _checked_numbers(table[col], path, col, low, high, allow_empty=optional)
    if "moratorium" in table:
        table["moratorium"] = _bool_column(table["moratorium"], path, "moratorium")
    if "country" in table:
        table["country"] = table["country"].str.strip().str.upper()
    return table.set_index("region_code")


def _check_zones(cells: pd.Series, path: Path) -> None:
    """Each non-empty ``tz`` cell is an IANA time zone (``America/Chicago``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for row, cell in enumerate(cells.astype(str).str.strip(), start=1):
        try:
            if cell:
                ZoneInfo(cell)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"unknown time zone '{_shown(cell)}': expected an IANA zone such as "
                "'America/Chicago'",
                file=path,
                row=row,
                field="tz",
            ) from None


def merge_regions(base: pd.DataFrame, update: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Default regions updated by a (possibly partial) user regions table."""
    new = [code for code in update.index if code not in base.index]
    for code in new:
        row = int(np.flatnonzero(update.index == code)[0]) + 1
        for col in REGION_COLUMNS:
            if (
                col not in update.columns
                or pd.isna(update.at[code, col])
                and col not in _REGION_OPTIONAL
            ):
                raise InputError(
                    f"new region '{code}' needs a value for '{col}'", file=path, row=row, field=col
                )
    merged = base.reindex(base.index.union(update.index, sort=False))
    for col in update.columns:
        if col not in merged.columns:
            merged[col] = np.nan
        values = update[col]
        mask = values.notna() & (values.astype(str) != "")
        merged.loc[values.index[mask], col] = values[mask]
    for col in REGION_FIELDS:
        if col in update.columns:
            # User figures are the user's: say so in the per-field source.
            merged.loc[update.index[update[col].notna()], f"{col}_source"] = (
                f"user file {Path(path).name}"
            )
    merged["moratorium"] = merged["moratorium"].astype(bool)
    return merged


def _read_default_sites(path: Path) -> gpd.GeoDataFrame:
    table = pd.read_csv(
        path, dtype={"site_id": str, "climate_station": str, "notes": str}, keep_default_na=False
    )
    table["ttp_is_estimate"] = _bool_column(table["ttp_is_estimate"], path, "ttp_is_estimate")
    for col in (
        "lat",
        "lon",
        "elevation_m",
        "capacity_mw",
        "time_to_power_months",
        "land_usd_per_m2",
    ):
        table[col] = _numeric_column(table[col].astype(str), path, col)
    table = table.set_index("site_id")
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )


def _read_demand(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"name": str, "country": str}, keep_default_na=False)
    table["population"] = table["population"].astype(np.int64)
    return table.set_index("name")


def load_basemap(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Country outlines (``iso_a2, iso_a3, name, continent, geometry``, EPSG:4326).

    The default is Natural Earth 1:110m Admin 0 (public domain), simplified to 0.02 degree.
    """
    from planner.geo import load_basemap as _load

    return _load(path or data_dir() / "basemap_countries.geojson")


def _parameter_file(path: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    if not path.is_file():
        return {}, pd.DataFrame(columns=PROVENANCE_COLUMNS)
    return load_parameter_file(path)


def _site_normals(
    sites: pd.DataFrame, stations: pd.DataFrame, normals: pd.DataFrame
) -> pd.DataFrame:
    """Expand station normals to one block of 12 months per default site."""
    meta = stations.set_index("station_id")
    link = pd.DataFrame({"site_id": sites.index, "station_id": sites["climate_station"].to_numpy()})
    table = link.merge(normals, on="station_id", how="left", validate="many_to_many")
    table["station"] = meta["name"].reindex(table["station_id"]).to_numpy()
    table["source"] = meta["source"].reindex(table["station_id"]).to_numpy()
    table["year"] = meta["year"].reindex(table["station_id"]).to_numpy()
    table["note"] = meta["note"].reindex(table["station_id"]).to_numpy()
    table["climate_site_id"] = table["site_id"]
    table["climate_distance_km"] = 0.0
    table["month"] = table["month"].astype("Int64")
    return table[[*NORMAL_COLUMNS, "station_id", "note", "climate_site_id", "climate_distance_km"]]


def _borrowed_normals(sites: pd.DataFrame, default_normals: pd.DataFrame) -> pd.DataFrame:
    """Normals for user sites: each takes those of its ``climate_site_id`` (a default site)."""
    link = pd.DataFrame(
        {
            "site_id": sites.index.to_numpy(),
            "climate_site_id": sites["climate_site_id"].to_numpy(),
            "climate_distance_km": sites["climate_distance_km"].to_numpy(float),
        }
    )
    donor = default_normals.drop(columns=["site_id", "climate_distance_km"])
    table = link.merge(donor, on="climate_site_id", how="left")
    return table[[*NORMAL_COLUMNS, "station_id", "note", "climate_site_id", "climate_distance_km"]]


# --- user site files -------------------------------------------------------------------------

_ALIASES = {
    "site_id": "id",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "region": "region_code",
    "elevation": "elevation_m",
    "capacity": "capacity_mw",
}
_OPTIONAL_NUMERIC = ["elevation_m", "capacity_mw", "time_to_power_months", "land_usd_per_m2"]

#: Accepted range (inclusive) of each numeric column of a user site file.
SITE_RANGES: dict[str, tuple[float, float]] = {
    "lat": (-90, 90),
    "lon": (-180, 180),
    "elevation_m": (-500, 9000),  # the Dead Sea shore is at -430 m
    "capacity_mw": (0, 100_000),  # the largest announced campuses are a few GW
    "time_to_power_months": (0, 240),
    "land_usd_per_m2": (0, 100_000),  # central Tokyo is about 30,000 USD/m2
}
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: Text columns of a site file that must be one line: they become CSV cells and chart labels.
_SITE_ONE_LINE = ("id", "name", "country", "region_code")
#: Free-text columns, where tabs and line breaks are fine (control characters are not).
_FREE_TEXT = ("note", "notes")
#: C0 and C1 control characters but tab and line breaks: invisible, and XLSX cannot store them.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Tabs and line breaks: they split a CSV row or a label in two.
_LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")
_SPREADSHEET_ENGINES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".ods": "odf"}
_GIS_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")


def read_sites_file(
    path: str | Path, *, catalog: Catalog | None = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read and validate a user site file; fill what is missing from documented defaults.

    The file is a CSV (or TSV), an XLSX or ODS workbook (first sheet, first row the header;
    formulas give their saved values), GeoJSON, GeoPackage or Shapefile; a CSV may be gzip- or
    zip-compressed. Only ``id``, ``name``, ``lat`` and ``lon`` are required (``site_id``,
    ``latitude``, ``longitude`` are accepted too; GIS points may leave lat/lon to the
    geometry). Optional columns are checked against :data:`SITE_RANGES`; an empty cell takes
    the default. Defaults, each listed per site in the ``defaults_applied`` column:

    - ``region_code``: spatial join of the point to the country basemap, then the country's
      region; in countries with several regions, or for points outside every country, the
      region whose centre is nearest (with a warning).
    - ``country``: from the region.
    - ``capacity_mw``: unlimited (inf).
    - ``time_to_power_months``: the region's, with ``ttp_is_estimate`` true.
    - ``land_usd_per_m2``: 60 USD/m2 (Cushman & Wakefield 2025 U.S. average).
    - ``elevation_m``: the nearest default site's.
    - climate: the nearest default site's normals (``climate_site_id``, ``climate_distance_km``).

    Returns
    -------
    (GeoDataFrame indexed by ``site_id``, list of warning sentences)

    Raises
    ------
    InputError
        Empty, unreadable or encrypted file, missing column, a value that is not a finite
        number or lies outside its range, duplicate id, unknown region code, a formula
        without a saved value; naming file, row (1-based, header excluded) and column.
    """
    path = Path(path)
    cat = catalog or default_catalog()
    raw = _site_columns(_read_site_table(path), path)
    out = _site_numbers(raw, path)
    ttp_given = out["time_to_power_months"].notna().to_numpy()
    defaults: list[list[str]] = [[] for _ in range(len(out))]
    messages: list[str] = []
    out["region_code"] = _site_regions(out, raw, cat, path, defaults, messages)
    out["country"] = _site_countries(out, raw, cat.regions, defaults)
    donor_elevation = _borrow_climate(out, path, messages)
    _fill_site_defaults(out, cat.regions, donor_elevation, defaults)
    out["ttp_is_estimate"] = _ttp_is_estimate(raw, ttp_given, path)
    out["notes"] = raw["notes"].fillna("").astype(str).to_numpy() if "notes" in raw else ""
    for applied in defaults:
        applied.append("climate")
    out["defaults_applied"] = [", ".join(d) for d in defaults]
    out = out[[*SITE_COLUMNS, "climate_site_id", "climate_distance_km", "defaults_applied"]]
    gdf = gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326"
    )
    return gdf, messages


#: The GUI's name for :func:`read_sites_file`.
read_sites = read_sites_file


def _site_columns(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Canonical column names (aliases applied), the four required ones present, text cells
    clean and stripped, ids unique."""
    raw.columns = [_ALIASES.get(c, c) for c in (_header_name(c) for c in raw.columns)]
    twice = raw.columns[raw.columns.duplicated()]
    if len(twice):
        raise InputError(
            f"two columns give '{twice[0]}' (say '{twice[0]}' or an alias of it once)",
            file=path,
            field=str(twice[0]),
        )
    for col in ("id", "name", "lat", "lon"):
        if col not in raw.columns:
            raise InputError(
                f"missing column '{col}' (a site file needs id, name, lat and lon)",
                file=path,
                field=col,
            )
    # Text first: a message about a duplicate id must not print a control character.
    _check_text_cells(raw, path, one_line=_SITE_ONE_LINE, free=_FREE_TEXT)
    _check_ids(raw, "id", path)
    return raw


def _header_name(name: object) -> str:
    """``Site ID`` or ``site-id`` as ``site_id``: spreadsheets favour spaced headers."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def _site_numbers(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Name and numeric columns, each finite and in :data:`SITE_RANGES` (NaN where empty)."""
    out = pd.DataFrame(index=pd.Index(raw["id"].to_numpy(), name="site_id"))
    out["name"] = raw["name"].astype(str).str.strip().to_numpy()
    for col in ("lat", "lon", *_OPTIONAL_NUMERIC):
        if col not in raw:
            out[col] = np.nan
            continue
        low, high = SITE_RANGES[col]
        values = _checked_numbers(
            raw[col], path, col, low, high, allow_empty=col in _OPTIONAL_NUMERIC
        )
        out[col] = values.to_numpy()
    return out


def _site_regions(
    out: pd.DataFrame,
    raw: pd.DataFrame,
    cat: Catalog,
    path: Path,
    defaults: list[list[str]],
    messages: list[str],
) -> np.ndarray:
    """The user's region code if given (it must be known), else the spatial join's."""
    from planner.geo import join_countries

    regions = cat.regions
    n = len(out)
    given = (
        raw["region_code"].astype(str).str.strip() if "region_code" in raw else pd.Series([""] * n)
    )
    given = given.replace({"nan": "", "None": ""}).to_numpy()
    for i, code in enumerate(given):
        if code and code not in regions.index:
            raise InputError(
                f"unknown region '{_shown(code)}' (see `planner sites list` or the regions table)",
                file=path,
                row=i + 1,
                field="region_code",
            )
    need = np.array([not c for c in given], dtype=bool)
    codes = given.astype(object)
    if not need.any():
        return codes
    lat, lon = out["lat"].to_numpy()[need], out["lon"].to_numpy()[need]
    iso = join_countries(lat, lon, cat.basemap)
    found, how, km = _regions_for_points(lat, lon, iso, regions, mapped=set(cat.basemap["iso_a2"]))
    codes[need] = found
    idx = np.flatnonzero(need)
    for i in idx:
        defaults[i].append("region_code")
    messages.extend(_region_warnings(path, out.index.to_numpy()[idx], found, how, km))
    return codes


def _region_warnings(
    path: Path, ids: np.ndarray, found: np.ndarray, how: np.ndarray, km: np.ndarray
) -> list[str]:
    """One sentence per kind of guessed region, naming up to five sites."""
    texts = {
        "nearest-in-country": "lie in a country with several regions and take the region "
        "of that country whose centre is nearest",
        "nearest": "lie outside every country of the basemap (or in one with no region) "
        "and take the nearest known region by its centre",
    }
    out = []
    for kind, text in texts.items():
        hit = np.flatnonzero(how == kind)
        if len(hit):
            shown = [f"{ids[j]} -> {found[j]} ({km[j]:,.0f} km)" for j in hit[:5]]
            out.append(
                f"{path.name}: {len(hit)} site(s) {text}: {', '.join(shown)}"
                + (" ..." if len(hit) > 5 else "")
            )
    return out


def _site_countries(
    out: pd.DataFrame, raw: pd.DataFrame, regions: pd.DataFrame, defaults: list[list[str]]
) -> np.ndarray:
    """The user's two-letter country code where given, else the region's."""
    country = regions["country"].reindex(out["region_code"].to_numpy()).to_numpy(dtype=object)
    if "country" not in raw:
        for applied in defaults:
            applied.append("country")
        return country
    user = raw["country"].astype(str).str.strip().str.upper()
    ok = user.str.len().eq(2).to_numpy()
    country[ok] = user.to_numpy()[ok]
    return country


def _borrow_climate(out: pd.DataFrame, path: Path, messages: list[str]) -> np.ndarray:
    """Nearest default site as climate donor; returns that site's elevation per user site."""
    from planner.geo import nearest_point

    dsites = _default_catalog().sites
    j, dist = nearest_point(
        out["lat"].to_numpy(),
        out["lon"].to_numpy(),
        dsites["lat"].to_numpy(),
        dsites["lon"].to_numpy(),
    )
    out["climate_site_id"] = dsites.index.to_numpy()[j]
    out["climate_distance_km"] = np.round(dist, 1)
    far = dist > 300
    if far.any():
        messages.append(
            f"{path.name}: {int(far.sum())} site(s) are more than 300 km from the nearest default "
            f"climate (up to {dist.max():,.0f} km); give them a weather file for a better answer"
        )
    return dsites["elevation_m"].to_numpy(float)[j]


def _fill_site_defaults(
    out: pd.DataFrame,
    regions: pd.DataFrame,
    donor_elevation: np.ndarray,
    defaults: list[list[str]],
) -> None:
    """Empty optional figures take their documented defaults; each is listed per site."""
    n = len(out)
    reg = regions.reindex(out["region_code"].to_numpy())
    fill = {
        "capacity_mw": np.full(n, DEFAULT_CAPACITY_MW),
        "time_to_power_months": reg["time_to_power_months"].to_numpy(float),
        "land_usd_per_m2": np.full(n, DEFAULT_LAND_USD_PER_M2),
        "elevation_m": donor_elevation,
    }
    for col, values in fill.items():
        missing = np.isnan(out[col].to_numpy(float))
        out.loc[missing, col] = values[missing]
        for i in np.flatnonzero(missing):
            defaults[i].append(col)


def _ttp_is_estimate(raw: pd.DataFrame, ttp_given: np.ndarray, path: Path) -> np.ndarray:
    """The user's flag where they gave a time to power; a region's figure is an estimate."""
    if "ttp_is_estimate" not in raw:
        return ~ttp_given
    flag = _bool_column(raw["ttp_is_estimate"].fillna(""), path, "ttp_is_estimate").to_numpy()
    return np.where(ttp_given, flag, True)


# --- reading a site table: CSV, spreadsheets, GIS files ----------------------------------------


def _read_site_table(path: Path) -> pd.DataFrame:
    """Raw user table as text columns (geometry points give lat/lon when those are absent)."""
    from planner.inputs import check_regular_file

    check_regular_file(path, what="site")
    suffix = path.suffix.lower()
    if suffix in _SPREADSHEET_ENGINES:
        raw = _read_spreadsheet(path, _SPREADSHEET_ENGINES[suffix])
    elif suffix == ".xls":
        raise InputError(
            "old .xls workbooks are not read; save the sheet as .xlsx, .ods or CSV", file=path
        )
    elif suffix in _CSV_SUFFIXES:
        raw = _read_csv_text(path, what="site")
    elif suffix in (".gz", ".zip"):
        raw = _read_compressed_site_table(path)
    else:
        raw = _read_gis_table(path, path)
    if len(raw) == 0:
        raise InputError("the file has no sites", file=path)
    return raw


def _read_compressed_site_table(path: Path) -> pd.DataFrame:
    """A gzip- or zip-compressed CSV; a zipped shapefile (or other GIS file) goes to GDAL."""
    from planner.inputs import read_input_bytes

    if path.suffix.lower() == ".zip" and _zip_holds_gis(path):
        return _read_gis_table(path, path)
    zipped = path.suffix.lower() == ".zip"
    data, name = read_input_bytes(path, what="site", suffixes=_CSV_SUFFIXES if zipped else ())
    inner = Path(name).suffix.lower()
    if inner in _CSV_SUFFIXES:
        return _csv_table(data, path, tab=inner == ".tsv")
    return _read_gis_table(path, io.BytesIO(data))


def _zip_holds_gis(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"broken zip archive ({_shown(str(exc))})", file=path) from None
    return any(PurePosixPath(n).suffix.lower() in _GIS_SUFFIXES for n in names)


def _read_gis_table(path: Path, source: Path | io.BytesIO) -> pd.DataFrame:
    """Attributes of a GIS file as text; lat/lon from point geometry when not columns."""
    try:
        with catch_warnings():
            simplefilter("ignore")  # pyogrio's notes on odd drivers are not the user's concern
            frame = gpd.read_file(source, fid_as_index=True)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for bad files
        raise InputError(
            f"cannot read as a GIS file ({type(exc).__name__}: {_shown(str(exc), 120)})",
            file=path,
        ) from None
    if len(frame) == 0:
        raise InputError("the file has no sites", file=path)
    raw = _gis_cells_as_text(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")), source)
    raw.columns = [str(c).lower() for c in raw.columns]
    if frame.geometry is not None and ("lat" not in raw or "lon" not in raw):
        raw["lat"], raw["lon"] = _point_coordinates(frame, path)
    return raw.reset_index(drop=True)


def _gis_cells_as_text(table: pd.DataFrame, source: Path | io.BytesIO) -> pd.DataFrame:
    """Attributes as text: a null is an empty cell (missing), a stored NaN stays 'nan'.

    pyogrio reads both a null and a NaN in a number field as NaN; only a null means "not
    given", so the NaN cells are told apart by asking GDAL for the null ones.
    """
    text = table.astype(object).where(table.notna(), "").astype(str)
    for col in table.columns:
        if not (pd.api.types.is_float_dtype(table[col]) and table[col].isna().any()):
            continue
        nulls = _null_fids(source, str(col))
        if nulls is not None:
            text.loc[table[col].isna() & ~table.index.isin(nulls), col] = "nan"
    return text


def _null_fids(source: Path | io.BytesIO, column: str) -> pd.Index | None:
    """Feature ids whose ``column`` is null; None where the driver cannot filter."""
    import pyogrio

    if isinstance(source, io.BytesIO):
        source.seek(0)
    quoted = column.replace('"', '""')
    try:
        with catch_warnings():
            simplefilter("ignore")
            nulls = pyogrio.read_dataframe(
                source,
                columns=[column],
                read_geometry=False,
                where=f'"{quoted}" IS NULL',
                fid_as_index=True,
            )
    except Exception:  # noqa: BLE001 - a driver without attribute filters: take NaN as null
        return None
    return nulls.index


def _point_coordinates(frame: gpd.GeoDataFrame, path: Path) -> tuple[np.ndarray, np.ndarray]:
    geom = frame.geometry
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        geom = geom.to_crs("EPSG:4326")
    if not (geom.geom_type == "Point").all():
        bad = int(np.flatnonzero((geom.geom_type != "Point").to_numpy())[0]) + 1
        raise InputError("expected point geometry", file=path, row=bad, field="geometry")
    return geom.y.to_numpy(), geom.x.to_numpy()


def _read_spreadsheet(path: Path, engine: str) -> pd.DataFrame:
    """First sheet of an XLSX or ODS workbook, its first row the header, cells as text."""
    from planner.inputs import check_archive_size

    kind = "ODS spreadsheet" if engine == "odf" else "XLSX workbook"
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: encrypted OOXML or old .xls
        raise InputError(
            f"the {kind} is password-protected (or an old .xls file); save it without a "
            "password as .xlsx, .ods or CSV",
            file=path,
        )
    check_archive_size(path, what=kind)
    try:
        with catch_warnings():
            simplefilter("ignore")  # openpyxl's notes on styles and extensions it drops
            frame = pd.read_excel(
                path, sheet_name=0, dtype=str, keep_default_na=False, engine=engine
            )
    except Exception as exc:  # noqa: BLE001 - zip, XML and reader errors come in many types
        raise InputError(
            f"cannot read as an {kind} ({type(exc).__name__}: {_shown(str(exc), 120)})",
            file=path,
        ) from None
    if frame.shape[1] == 0:
        raise InputError(f"the first sheet of the {kind} is empty", file=path)
    if engine == "openpyxl":
        _refuse_unsaved_formulas(path, [str(c) for c in frame.columns])
    return frame


def _refuse_unsaved_formulas(path: Path, header: list[str]) -> None:
    """A formula cell whose value was never saved (written by a program, never opened in a
    spreadsheet) reads as empty: say so rather than take a default for it."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    with catch_warnings():
        simplefilter("ignore")
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        pairs = zip(
            formulas.worksheets[0].iter_rows(values_only=True),
            values.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        for r, (frow, vrow) in enumerate(pairs):
            for c, (text, value) in enumerate(zip(frow, vrow, strict=False)):
                if isinstance(text, str) and text.startswith("=") and value is None:
                    raise InputError(
                        f"cell {get_column_letter(c + 1)}{r + 1} holds the formula "
                        f"'{_shown(text)}' with no saved value; open and save the workbook in "
                        "a spreadsheet program, or paste the values",
                        file=path,
                        row=r if r else None,
                        field=header[c] if c < len(header) else None,
                    )
    finally:
        formulas.close()
        values.close()


def _read_csv_text(path: Path, *, what: str) -> pd.DataFrame:
    """A CSV (or TSV) file's cells as text, columns lower-case; .gz or a one-CSV .zip too."""
    from planner.inputs import read_input_bytes

    path = Path(path)
    data, name = read_input_bytes(path, what=what, suffixes=_CSV_SUFFIXES)
    return _csv_table(data, path, tab=Path(name).suffix.lower() == ".tsv")


def _csv_table(data: bytes, path: Path, *, tab: bool) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (Comma delimited)" in the ANSI code page.
        text = data.decode("cp1252", errors="replace")
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            sep=None if tab else ",",
            engine="python" if tab else "c",
        )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path) from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise InputError(f"not a readable CSV file ({_shown(str(exc), 120)})", file=path) from None
    if len(table) == 0:
        raise InputError("the file has a header but no rows", file=path)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


# --- region assignment -----------------------------------------------------------------------


#: A point this close to the centre of a region whose country has no basemap outline (a city
#: state such as Singapore, absent at 1:110m) belongs to that region.
SMALL_COUNTRY_RADIUS_KM = 30.0


def _regions_for_points(
    lat: np.ndarray,
    lon: np.ndarray,
    iso: np.ndarray,
    regions: pd.DataFrame,
    mapped: set[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Region per point from its country code; nearest region centre where that is ambiguous.

    Returns (codes, how, km) where ``how`` is ``"country"`` (the country has exactly one region),
    ``"nearest-in-country"`` or ``"nearest"`` (no region for the country, or outside every
    country), and ``km`` the distance to the chosen region's centre.
    """
    from planner.geo import geodesic_distance_km

    rc = regions["country"].astype(str).to_numpy()
    dist = geodesic_distance_km(
        lat[:, None],
        lon[:, None],
        regions["lat"].to_numpy(float)[None, :],
        regions["lon"].to_numpy(float)[None, :],
    )
    iso = iso.astype(object).copy()
    if mapped is not None:
        unmapped = ~np.isin(rc, list(mapped))
        if unmapped.any():
            sub = np.where(unmapped[None, :], dist, np.inf)
            close = sub.min(axis=1) <= SMALL_COUNTRY_RADIUS_KM
            iso[close] = rc[np.argmin(sub, axis=1)[close]]
    same = iso[:, None] == rc[None, :]
    count = same.sum(axis=1)
    masked = np.where(same | (count == 0)[:, None], dist, np.inf)
    pick = np.argmin(masked, axis=1)
    codes = regions.index.to_numpy()[pick]
    how = np.where(count == 1, "country", np.where(count > 1, "nearest-in-country", "nearest"))
    return codes, how, dist[np.arange(len(lat)), pick]


# --- validation ------------------------------------------------------------------------------


def validate_catalog(
    cat: Catalog,
    *,
    stations: pd.DataFrame | None = None,
    station_normals: pd.DataFrame | None = None,
) -> None:
    """Check the catalog's tables: columns, types, ranges and referential integrity.

    Raises
    ------
    InputError
        The first problem found, naming the data file and the row or key.
    """
    root = data_dir()
    for col in GPU_COLUMNS:
        if col not in cat.gpus.columns:
            raise InputError(f"missing column '{col}'", file=root / "gpus.csv", field=col)
    g = cat.gpus
    if not ((g["node_power_w_per_gpu"] >= g["tdp_w"]).all() and (g["tdp_w"] > 0).all()):
        raise InputError(
            "node power per GPU must be at least the GPU's TDP", file=root / "gpus.csv"
        )
    for col in SITE_COLUMNS:
        if col not in cat.sites.columns:
            raise InputError(f"missing column '{col}'", file=root / "sites.csv", field=col)
    bad = ~cat.sites["region_code"].isin(cat.regions.index)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(
            f"unknown region '{cat.sites['region_code'][bad].iloc[0]}'",
            file=root / "sites.csv",
            row=row,
            field="region_code",
        )
    mismatch = (
        cat.regions["country"].reindex(cat.sites["region_code"]).to_numpy()
        != cat.sites["country"].to_numpy()
    )
    if mismatch.any():
        row = int(np.flatnonzero(mismatch)[0]) + 1
        raise InputError(
            "country differs from its region's country",
            file=root / "sites.csv",
            row=row,
            field="country",
        )
    _check_ids(cat.sites.reset_index(), "site_id", root / "sites.csv")
    counts = (
        cat.climate_normals.dropna(subset=["temp_max_c", "temp_min_c", "temp_dew_c"])
        .groupby("site_id")["month"]
        .nunique()
    )
    lacking = [s for s in cat.sites.index if counts.get(s, 0) != 12]
    if lacking:
        raise InputError(
            f"site '{lacking[0]}' lacks 12 months of climate normals",
            file=root / "climate_normals.csv",
            field="climate_station",
        )
    cn = cat.climate_normals
    if not (
        (cn["temp_max_c"] > cn["temp_min_c"]).all()
        and cn["temp_max_c"].between(-40, 50).all()
        and cn["temp_min_c"].between(-50, 40).all()
        and (cn["temp_dew_c"] <= cn["temp_max_c"]).all()
    ):
        raise InputError(
            "climate normals out of range (need -50 <= min < max <= 50, dew <= max)",
            file=root / "climate_normals.csv",
        )
    if cat.sources is not None and len(cat.sources):
        used = _used_source_ids(cat, stations)
        unknown = sorted(used - set(cat.sources.index))
        if unknown:
            raise InputError(
                f"source id '{unknown[0]}' is not in sources.csv", file=root / "sources.csv"
            )


def _used_source_ids(cat: Catalog, stations: pd.DataFrame | None) -> set[str]:
    ids: set[str] = set()
    for col in ("source", "capital_source", "cloud_source"):
        for value in cat.gpus[col].astype(str):
            ids.update(v for v in value.split("+") if v)
    for col in [c for c in cat.regions.columns if c.endswith("_source")]:
        for value in cat.regions[col].dropna().astype(str):
            ids.update(v for v in value.split("+") if v and not v.startswith("user file"))
    if stations is not None:
        ids.update(stations["source"])
        ids.update(stations["dew_source"])
    return ids


# --- provenance ------------------------------------------------------------------------------


def _provenance(
    root: Path,
    sources: pd.DataFrame,
    gpus: pd.DataFrame,
    regions: pd.DataFrame,
    sites: pd.DataFrame,
    stations: pd.DataFrame,
    demand: pd.DataFrame,
) -> pd.DataFrame:
    """One row per default figure (per table row for whole-row sources), citations expanded."""
    parts = []
    gp = gpus.reset_index()
    # (column, its source column, its year column, note; None = the row's own note)
    power = ("tdp_w", "node_power_w_per_gpu", "gpus_per_node", "rack_density_kw", "liquid_required")
    gpu_fields = [(col, "source", "year", None) for col in power]
    gpu_fields += [
        ("server_usd_per_gpu", "capital_source", "capital_year", "8-GPU server price / 8"),
        ("network_usd_per_gpu", "capital_source", "capital_year", "fabric, optics, storage"),
        ("capital_usd_per_gpu", "capital_source", "capital_year", "server + network, all-in"),
        ("cloud_usd_per_gpu_hour", "cloud_source", "cloud_year", "committed rent per GPU-hour"),
    ]
    for col, src, year, note in gpu_fields:
        parts.append(
            pd.DataFrame(
                {
                    "dataset": "gpus",
                    "key": gp["gpu_id"],
                    "field": col,
                    "value": gp[col],
                    "source_id": gp[src],
                    "year": gp[year],
                    "note": gp["note"] if note is None else note,
                }
            )
        )
    rg = regions.reset_index()
    for col in [*REGION_FIELDS, "moratorium"]:
        src = rg.get(f"{col}_source", pd.Series("", index=rg.index)).fillna("")
        year = rg.get(f"{col}_year", pd.Series(np.nan, index=rg.index))
        parts.append(
            pd.DataFrame(
                {
                    "dataset": "regions",
                    "key": rg["region_code"],
                    "field": col,
                    "value": rg[col],
                    "source_id": src,
                    "year": year,
                    "note": rg.get("note", ""),
                }
            )
        )
    st = sites.reset_index()
    for col in ("lat", "lon", "capacity_mw", "time_to_power_months", "land_usd_per_m2"):
        parts.append(
            pd.DataFrame(
                {
                    "dataset": "sites",
                    "key": st["site_id"],
                    "field": col,
                    "value": st[col],
                    "source_id": st["source"]
                    if col in ("lat", "lon")
                    else ("land-cw-2025" if col == "land_usd_per_m2" else st["source"]),
                    "year": st["year"],
                    "note": "" if col in ("lat", "lon") else "estimate",
                }
            )
        )
    for col, src in (
        ("temp_max_c", "source"),
        ("temp_min_c", "source"),
        ("temp_dew_c", "dew_source"),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "dataset": "climate_normals",
                    "key": stations["station_id"],
                    "field": col,
                    "value": "12 monthly values",
                    "source_id": stations[src],
                    "year": stations["year"],
                    "note": stations["name"] + "; " + stations["note"],
                }
            )
        )
    dc = demand.reset_index()
    parts.append(
        pd.DataFrame(
            {
                "dataset": "demand_centers",
                "key": dc["name"],
                "field": "population",
                "value": dc["population"],
                "source_id": dc["source"],
                "year": dc["year"],
                "note": "urban agglomeration",
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "dataset": ["basemap"],
                "key": ["countries"],
                "field": ["geometry"],
                "value": ["177 country outlines"],
                "source_id": ["natural-earth"],
                "year": [2018],
                "note": ["simplified"],
            }
        )
    )
    table = pd.concat(parts, ignore_index=True)
    # Unpublished figures (NaN, e.g. SAIDI where none was compiled) have no source to list.
    table = table[~(table["value"].isna() & table["source_id"].isin(["", "nan"]))].reset_index(
        drop=True
    )
    table["value"] = table["value"].astype(object)
    table["source_id"] = table["source_id"].astype(str)
    first = table["source_id"].str.split("+").str[0]
    table["source"] = [
        " + ".join(sources.at[s, "citation"] if s in sources.index else s for s in ids.split("+"))
        for ids in table["source_id"]
    ]
    table["license"] = sources["license"].reindex(first).fillna("").to_numpy()
    table["unit"] = table["field"].map(UNITS).fillna("")
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    table["note"] = table["note"].fillna("").astype(str)
    return table[[*PROVENANCE_COLUMNS, "source_id"]]


# --- small checks ----------------------------------------------------------------------------


def _check_ids(table: pd.DataFrame, col: str, path: Path) -> None:
    ids = table[col].astype(str).str.strip()
    empty = ids.eq("") | ids.eq("nan")
    if empty.any():
        raise InputError(
            "empty id", file=path, row=int(np.flatnonzero(empty.to_numpy())[0]) + 1, field=col
        )
    dup = ids.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"duplicate id '{_shown(ids.iloc[i])}'", file=path, row=i + 1, field=col)


def _check_text_cells(
    raw: pd.DataFrame, path: Path, *, one_line: Sequence[str], free: Sequence[str]
) -> None:
    """Refuse control characters in text columns, and tabs or line breaks in one-line ones.

    Cells are stripped first, in place, as the tables keep them: a trailing line break that
    a spreadsheet left in a cell is harmless, one inside a name is not.
    """
    for col in [*one_line, *free]:
        if col not in raw:
            continue
        raw[col] = raw[col].astype(str).str.strip()
        for pattern in (_CONTROL_CHARACTER, *((_LINE_BREAK,) if col in one_line else ())):
            first = _first_match(raw[col], pattern)
            if first is not None:
                row, found = first
                raise InputError(_bad_character(found), file=path, row=row, field=col)


def _first_match(cells: pd.Series, pattern: re.Pattern[str]) -> tuple[int, re.Match[str]] | None:
    """Row (1-based) and match of the first cell the pattern finds something in."""
    for i, cell in enumerate(cells):
        found = pattern.search(cell)
        if found:
            return i + 1, found
    return None


def _bad_character(found: re.Match[str]) -> str:
    char, where = found.group(), found.start() + 1
    if found.re is _LINE_BREAK:
        kind = "a tab" if char == "\t" else "a line break"
        return (
            f"the text holds {kind} at character {where}; ids, names and codes must be one line "
            "(tabs and line breaks split CSV rows and chart labels)"
        )
    return (
        f"the text holds the control character U+{ord(char):04X} at character {where}, which "
        "is invisible and cannot be saved in a spreadsheet; remove it"
    )


def _shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: on one line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _numeric_column(
    values: pd.Series, path: Path, col: str, *, allow_empty: bool = False
) -> pd.Series:
    """Text cells as floats; an empty cell is NaN where allowed; a written nan or inf never is.

    Only an empty cell means "not given": 'nan' typed or exported into a cell is more likely
    a broken formula or export than a wish for the default (for capacity, unlimited).
    """
    text = values.astype(str).str.strip()
    empty = text.eq("")
    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    bad = (numbers.isna() & ~empty) | np.isinf(numbers)
    if not allow_empty:
        bad |= empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            _not_a_number(text.iloc[i], numbers.iloc[i], allow_empty),
            file=path,
            row=i + 1,
            field=col,
        )
    return numbers


def _not_a_number(cell: str, number: float, allow_empty: bool) -> str:
    if cell == "":
        return "expected a number, got an empty cell"
    kind = "a finite number" if np.isinf(number) else "a number"
    hint = " (leave the cell empty to take the default)" if allow_empty else ""
    return f"expected {kind}, got '{_shown(cell)}'{hint}"


def _check_range(table: pd.DataFrame, col: str, lo: float, hi: float, path: Path) -> None:
    if col not in table:
        return
    values = pd.to_numeric(table[col], errors="coerce")
    bad = values.notna() & ~values.between(lo, hi)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{values.iloc[i]:g} is outside {lo:g}..{hi:g}", file=path, row=i + 1, field=col
        )


def _checked_numbers(
    values: pd.Series, path: Path, col: str, lo: float, hi: float, *, allow_empty: bool
) -> pd.Series:
    """:func:`_numeric_column` then :func:`_check_range`: finite numbers within lo..hi."""
    numbers = _numeric_column(values, path, col, allow_empty=allow_empty)
    _check_range(pd.DataFrame({col: numbers}), col, lo, hi, path)
    return numbers


def _bool_column(values: pd.Series, path: Path, col: str) -> pd.Series:
    text = values.astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"expected true or false, got '{_shown(values.iloc[i])}'",
            file=path,
            row=i + 1,
            field=col,
        )
    return text.isin(_TRUE)
