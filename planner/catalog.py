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
import math
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.errors import InputError
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
    "price_usd",
    "price_year",
    "source",
    "year",
]
REGION_FIELDS = [
    "price_usd_per_mwh",
    "carbon_g_per_kwh",
    "carbon_free_share",
    "saidi_minutes",
    "water_stress",
    "construction_index",
    "time_to_power_months",
    "hazard",
]
REGION_COLUMNS = ["name", "country", "grid", "lat", "lon", *REGION_FIELDS, "moratorium"]
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
    "price_usd": "USD",
    "price_usd_per_mwh": "USD/MWh",
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
    table = pd.read_csv(path, dtype={"gpu_id": str, "note": str}, keep_default_na=False)
    table = table.set_index("gpu_id")
    table["liquid_required"] = _bool_column(table["liquid_required"], path, "liquid_required")
    for col in ("tdp_w", "node_power_w_per_gpu", "rack_density_kw", "price_usd"):
        table[col] = table[col].astype(float)
    for col in ("gpus_per_node", "price_year", "year"):
        table[col] = table[col].astype(int)
    return table


def read_regions_file(path: str | Path, *, partial: bool = False) -> pd.DataFrame:
    """Read a regions CSV (index ``region_code``), checking types and ranges.

    Parameters
    ----------
    path : path
    partial : bool
        Allow missing columns (a user file that updates some figures of existing regions).

    Raises
    ------
    InputError
        Naming file, row (1-based, header excluded) and column.
    """
    path = Path(path)
    raw = _read_csv_text(path)
    if "region_code" not in raw.columns:
        raise InputError("missing column 'region_code'", file=path, field="region_code")
    if not partial:
        for col in REGION_COLUMNS:
            if col not in raw.columns:
                raise InputError(f"missing column '{col}'", file=path, field=col)
    _check_ids(raw, "region_code", path)
    table = raw.copy()
    numeric = ["lat", "lon", *REGION_FIELDS]
    for col in numeric:
        if col in table:
            table[col] = _numeric_column(table[col], path, col, allow_empty=col == "saidi_minutes")
    for col in [c for c in table.columns if c.endswith("_year")] + ["carbon_lifecycle_g_per_kwh"]:
        if col in table:
            table[col] = pd.to_numeric(table[col].replace("", np.nan), errors="coerce")
    if "moratorium" in table:
        table["moratorium"] = _bool_column(table["moratorium"], path, "moratorium")
    if "country" in table:
        table["country"] = table["country"].str.strip().str.upper()
    _check_range(table, "lat", -90, 90, path)
    _check_range(table, "lon", -180, 180, path)
    _check_range(table, "price_usd_per_mwh", 0, 2000, path)
    _check_range(table, "carbon_g_per_kwh", 0, 1500, path)
    _check_range(table, "carbon_free_share", 0, 1, path)
    _check_range(table, "saidi_minutes", 0, 100_000, path)
    _check_range(table, "water_stress", 0, 5, path)
    _check_range(table, "construction_index", 0.1, 10, path)
    _check_range(table, "time_to_power_months", 0, 240, path)
    _check_range(table, "hazard", 0, 1, path)
    return table.set_index("region_code")


def merge_regions(base: pd.DataFrame, update: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Default regions updated by a (possibly partial) user regions table."""
    new = [code for code in update.index if code not in base.index]
    for code in new:
        row = int(np.flatnonzero(update.index == code)[0]) + 1
        for col in REGION_COLUMNS:
            if (
                col not in update.columns
                or pd.isna(update.at[code, col])
                and col != "saidi_minutes"
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


def read_sites_file(
    path: str | Path, *, catalog: Catalog | None = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read and validate a user site file; fill what is missing from documented defaults.

    Only ``id``, ``name``, ``lat`` and ``lon`` are required (``site_id``, ``latitude``,
    ``longitude`` are accepted too; GeoJSON, GeoPackage and Shapefile points may leave lat/lon
    to the geometry). Defaults, each listed per site in the ``defaults_applied`` column:

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
        Empty file, missing column, non-numeric value, latitude outside -90..90, longitude
        outside -180..180, duplicate id, unknown region code; naming file, row and column.
    """
    from planner.geo import join_countries, nearest_point

    path = Path(path)
    cat = catalog or default_catalog()
    raw = _read_site_table(path)
    raw.columns = [_ALIASES.get(c, c) for c in (str(c).strip().lower() for c in raw.columns)]
    for col in ("id", "name", "lat", "lon"):
        if col not in raw.columns:
            raise InputError(
                f"missing column '{col}' (a site file needs id, name, lat and lon)",
                file=path,
                field=col,
            )
    raw["id"] = raw["id"].astype(str).str.strip()
    _check_ids(raw, "id", path)
    lat = _numeric_column(raw["lat"], path, "lat")
    lon = _numeric_column(raw["lon"], path, "lon")
    _check_range(pd.DataFrame({"lat": lat}), "lat", -90, 90, path)
    _check_range(pd.DataFrame({"lon": lon}), "lon", -180, 180, path)
    n = len(raw)
    defaults: list[list[str]] = [[] for _ in range(n)]
    warnings: list[str] = []
    out = pd.DataFrame(index=pd.Index(raw["id"].to_numpy(), name="site_id"))
    out["name"] = raw["name"].astype(str).str.strip().to_numpy()
    out["lat"] = lat.to_numpy()
    out["lon"] = lon.to_numpy()
    for col in _OPTIONAL_NUMERIC:
        out[col] = (
            _numeric_column(raw[col], path, col, allow_empty=True).to_numpy()
            if col in raw
            else np.full(n, np.nan)
        )

    # Region: the user's code if given (must be known), else the spatial join.
    regions = cat.regions
    given = (
        raw["region_code"].astype(str).str.strip() if "region_code" in raw else pd.Series([""] * n)
    )
    given = given.replace({"nan": "", "None": ""}).to_numpy()
    for i, code in enumerate(given):
        if code and code not in regions.index:
            raise InputError(
                f"unknown region '{code}' (see `planner sites list` or the regions table)",
                file=path,
                row=i + 1,
                field="region_code",
            )
    need = np.array([not c for c in given])
    codes = given.astype(object)
    if need.any():
        iso = join_countries(out["lat"].to_numpy()[need], out["lon"].to_numpy()[need], cat.basemap)
        found, how, km = _regions_for_points(
            out["lat"].to_numpy()[need],
            out["lon"].to_numpy()[need],
            iso,
            regions,
            mapped=set(cat.basemap["iso_a2"]),
        )
        codes[need] = found
        idx = np.flatnonzero(need)
        for i in idx:
            defaults[i].append("region_code")
        for kind, text in (
            (
                "nearest-in-country",
                "lie in a country with several regions and take the region "
                "of that country whose centre is nearest",
            ),
            (
                "nearest",
                "lie outside every country of the basemap (or in one with no region) "
                "and take the nearest known region by its centre",
            ),
        ):
            hit = np.flatnonzero(how == kind)
            if len(hit):
                shown = [f"{out.index[idx[j]]} -> {found[j]} ({km[j]:,.0f} km)" for j in hit[:5]]
                warnings.append(
                    f"{path.name}: {len(hit)} site(s) {text}: {', '.join(shown)}"
                    + (" ..." if len(hit) > 5 else "")
                )
    out["region_code"] = codes
    reg = regions.reindex(out["region_code"].to_numpy())
    user_country = raw["country"].astype(str).str.strip().str.upper() if "country" in raw else None
    out["country"] = reg["country"].to_numpy()
    if user_country is not None:
        ok = user_country.str.len().eq(2).to_numpy()
        out.loc[ok, "country"] = user_country.to_numpy()[ok]
    else:
        for i in range(n):
            defaults[i].append("country")

    # Nearest default site: climate donor and elevation.
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
        warnings.append(
            f"{path.name}: {int(far.sum())} site(s) are more than 300 km from the nearest default "
            f"climate (up to {dist.max():,.0f} km); give them a weather file for a better answer"
        )

    fill = {
        "capacity_mw": (np.full(n, DEFAULT_CAPACITY_MW), "capacity_mw"),
        "time_to_power_months": (
            reg["time_to_power_months"].to_numpy(float),
            "time_to_power_months",
        ),
        "land_usd_per_m2": (np.full(n, DEFAULT_LAND_USD_PER_M2), "land_usd_per_m2"),
        "elevation_m": (dsites["elevation_m"].to_numpy(float)[j], "elevation_m"),
    }
    for col, (values, label) in fill.items():
        missing = np.isnan(out[col].to_numpy(float))
        out.loc[missing, col] = values[missing]
        for i in np.flatnonzero(missing):
            defaults[i].append(label)
    ttp_given = (
        ~np.isnan(
            _numeric_column(
                raw["time_to_power_months"], path, "time_to_power_months", allow_empty=True
            ).to_numpy(float)
        )
        if "time_to_power_months" in raw
        else np.zeros(n, bool)
    )
    if "ttp_is_estimate" in raw:
        flag = _bool_column(raw["ttp_is_estimate"].fillna(""), path, "ttp_is_estimate").to_numpy()
        out["ttp_is_estimate"] = np.where(ttp_given, flag, True)
    else:
        out["ttp_is_estimate"] = ~ttp_given
    out["notes"] = raw["notes"].fillna("").astype(str).to_numpy() if "notes" in raw else ""
    for i in range(n):
        defaults[i].append("climate")
    out["defaults_applied"] = [", ".join(d) for d in defaults]
    out = out[[*SITE_COLUMNS, "climate_site_id", "climate_distance_km", "defaults_applied"]]
    gdf = gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326"
    )
    return gdf, warnings


#: The GUI's name for :func:`read_sites_file`.
read_sites = read_sites_file


def _read_site_table(path: Path) -> pd.DataFrame:
    """Raw user table as text columns (geometry points give lat/lon when those are absent)."""
    if not path.is_file():
        raise InputError("no such file", file=path)
    if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        raw = _read_csv_text(path)
    else:
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for bad files
            raise InputError(
                f"cannot read as a GIS file ({type(exc).__name__}: {exc})", file=path
            ) from None
        if len(frame) == 0:
            raise InputError("the file has no sites", file=path)
        raw = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).astype(object)
        raw.columns = [str(c).lower() for c in raw.columns]
        if frame.geometry is not None and ("lat" not in raw or "lon" not in raw):
            geom = frame.geometry
            if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
                geom = geom.to_crs("EPSG:4326")
            if not (geom.geom_type == "Point").all():
                bad = int(np.flatnonzero((geom.geom_type != "Point").to_numpy())[0]) + 1
                raise InputError("expected point geometry", file=path, row=bad, field="geometry")
            raw["lat"] = geom.y.to_numpy()
            raw["lon"] = geom.x.to_numpy()
        raw = raw.astype(object).where(raw.notna(), "").astype(str)
    if len(raw) == 0:
        raise InputError("the file has no sites", file=path)
    return raw


def _read_csv_text(path: Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    try:
        table = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            sep=None if path.suffix.lower() == ".tsv" else ",",
            engine="python" if path.suffix.lower() == ".tsv" else "c",
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=path) from None
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
    for col in ("source", "price_source"):
        ids.update(cat.gpus[col])
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
    for col in (
        "tdp_w",
        "node_power_w_per_gpu",
        "gpus_per_node",
        "rack_density_kw",
        "liquid_required",
    ):
        parts.append(
            pd.DataFrame(
                {
                    "dataset": "gpus",
                    "key": gp["gpu_id"],
                    "field": col,
                    "value": gp[col],
                    "source_id": gp["source"],
                    "year": gp["year"],
                    "note": gp["note"],
                }
            )
        )
    parts.append(
        pd.DataFrame(
            {
                "dataset": "gpus",
                "key": gp["gpu_id"],
                "field": "price_usd",
                "value": gp["price_usd"],
                "source_id": gp["price_source"],
                "year": gp["price_year"],
                "note": "indicative price, estimate",
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
        raise InputError(f"duplicate id '{ids.iloc[i]}'", file=path, row=i + 1, field=col)


def _numeric_column(
    values: pd.Series, path: Path, col: str, *, allow_empty: bool = False
) -> pd.Series:
    text = values.astype(str).str.strip()
    empty = text.eq("") | text.str.lower().isin(["nan", "none"])
    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    bad = numbers.isna() & ~empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"expected a number, got '{text.iloc[i]}'", file=path, row=i + 1, field=col
        )
    if empty.any() and not allow_empty:
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("expected a number, got an empty cell", file=path, row=i + 1, field=col)
    return numbers


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


def _bool_column(values: pd.Series, path: Path, col: str) -> pd.Series:
    text = values.astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"expected true or false, got '{values.iloc[i]}'", file=path, row=i + 1, field=col
        )
    return text.isin(_TRUE)
