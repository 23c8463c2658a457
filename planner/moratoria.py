"""Moratoria on new data centres, by area: which sites fall under one, and which one.

Restrictions on new data centres belong to places, not countries: the Dutch hyperscale rule
covers the Netherlands except two designated locations, EirGrid's restriction covers greater
Dublin, not Ireland. ``data/moratoria.csv`` lists one area per row:

- ``kind``: ``restricted`` (no new data centre, or none of ``min_facility_mw`` and more) or
  ``exempt`` (a designated location that a restriction leaves out);
- ``lat``, ``lon``, ``radius_km``: a circle (boundary included); an empty radius is the
  whole ``country``;
- ``start_year``, ``end_year``: the years the area is in force (both included; an empty end
  is open).

A site is under an area moratorium when, in the given year, it lies in a restricted area whose
size threshold its facility reaches and in no exempt area. The region's own ``moratorium``
flag still applies on top (see :func:`flag_moratoria`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.errors import InputError
from planner.geo import geodesic_distance_km

MORATORIA_COLUMNS = [
    "area_id",
    "name",
    "country",
    "kind",
    "lat",
    "lon",
    "radius_km",
    "min_facility_mw",
    "start_year",
    "end_year",
    "source",
    "year",
    "note",
]
KINDS = ("restricted", "exempt")
_NUMBERS = {
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "radius_km": (0.0, 5000.0),
    "min_facility_mw": (0.0, 100_000.0),
    "start_year": (1900, 2100),
    "end_year": (1900, 2100),
    "year": (1900, 2100),
}
_OPTIONAL = {"lat", "lon", "radius_km", "min_facility_mw", "end_year"}


def empty_moratoria() -> pd.DataFrame:
    """A moratoria table without areas (index ``area_id``)."""
    return pd.DataFrame(columns=MORATORIA_COLUMNS).set_index("area_id")


def read_moratoria_file(path: str | Path) -> pd.DataFrame:
    """Read and check a moratoria CSV (columns of :data:`MORATORIA_COLUMNS`).

    Parameters
    ----------
    path : path
        A CSV like ``data/moratoria.csv``.

    Returns
    -------
    DataFrame
        Index ``area_id``; numbers as floats (NaN where empty), ``country`` upper case.

    Raises
    ------
    InputError
        A missing column, a duplicate id, an unknown ``kind``, a number out of range, a circle
        without its centre, or an end before the start; naming file, row and column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the moratoria ({exc})", file=path) from None
    missing = [c for c in MORATORIA_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"missing column '{missing[0]}'", file=path, field=missing[0])
    table = raw[MORATORIA_COLUMNS].apply(lambda c: c.str.strip())
    rows = np.arange(1, len(table) + 1)

    def fail(mask: np.ndarray, column: str, problem: str) -> None:
        if mask.any():
            raise InputError(problem, file=path, row=int(rows[mask][0]), field=column)

    ids = table["area_id"]
    fail((ids == "").to_numpy(), "area_id", "expected an area id")
    fail(ids.duplicated().to_numpy(), "area_id", "duplicate area id")
    kind = table["kind"].str.lower()
    fail(~kind.isin(KINDS).to_numpy(), "kind", f"expected kind {' or '.join(KINDS)}")
    table["kind"] = kind
    table["country"] = table["country"].str.upper()
    for column, (low, high) in _NUMBERS.items():
        text = table[column]
        values = pd.to_numeric(text, errors="coerce")
        empty = (text == "").to_numpy()
        bad = ~empty & ~((values >= low) & (values <= high)).to_numpy()
        fail(bad, column, f"expected a number from {low:g} to {high:g}")
        if column not in _OPTIONAL:
            fail(empty, column, "expected a value")
        table[column] = values.astype(float)
    circle = table["radius_km"].notna().to_numpy()
    no_centre = (table["lat"].isna() | table["lon"].isna()).to_numpy()
    fail(circle & no_centre, "lat", "a radius needs the circle's lat and lon")
    fail(~circle & (table["country"] == "").to_numpy(), "country", "whole-country area needs one")
    fail((table["end_year"] < table["start_year"]).to_numpy(), "end_year", "ends before it starts")
    return table.set_index("area_id")


def describe_area(area: pd.Series) -> str:
    """The phrase that names an area in a screening reason, e.g. ``"the EirGrid greater-Dublin
    connection restriction (until 2028)"``."""
    if pd.notna(area["end_year"]):
        return f"the {area['name']} (until {int(area['end_year'])})"
    return f"the {area['name']} (since {int(area['start_year'])})"


def area_membership(
    lat: ArrayLike, lon: ArrayLike, country: ArrayLike, areas: pd.DataFrame
) -> np.ndarray:
    """Which sites lie in which area: bool array of shape (n_sites, n_areas).

    A circle includes its boundary; a whole-country area (no radius) takes every site of that
    country. A circle with a country takes only sites of that country, so that it never spills
    over a border.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    code = pd.Series(np.asarray(country, dtype=object)).astype(str).str.upper().to_numpy()
    if areas.empty:
        return np.zeros((lat.size, 0), dtype=bool)
    area_country = areas["country"].astype(str).to_numpy()
    same_country = (area_country[None, :] == "") | (code[:, None] == area_country[None, :])
    radius = areas["radius_km"].to_numpy(float)
    circle = ~np.isnan(radius)
    # Whole-country areas have no centre: measure to (0, 0) and ignore the result.
    centre_lat = np.nan_to_num(areas["lat"].to_numpy(float))
    centre_lon = np.nan_to_num(areas["lon"].to_numpy(float))
    distance = geodesic_distance_km(
        lat[:, None], lon[:, None], centre_lat[None, :], centre_lon[None, :]
    )
    inside = np.where(circle[None, :], distance <= radius[None, :], True)
    return inside & same_country


def site_moratoria(
    lat: ArrayLike,
    lon: ArrayLike,
    country: ArrayLike,
    facility_mw: ArrayLike,
    areas: pd.DataFrame | None,
    *,
    year: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Area moratoria in force at each site in a given year.

    Parameters
    ----------
    lat, lon : array-like
        Sites, degrees.
    country : array-like of str
        ISO 3166-1 alpha-2 code of each site.
    facility_mw : array-like
        Facility power the scenario would build at each site, MW; compared with each area's
        ``min_facility_mw`` (NaN counts as large enough: the restriction applies).
    areas : DataFrame or None
        A table from :func:`read_moratoria_file`; None or empty: no area moratoria.
    year : int or array-like of int, shape (n_sites,)
        Areas in force this year (``start_year <= year <= end_year``) count; one year per
        site: the year it would connect (a restriction that ends first does not stop it).

    Returns
    -------
    blocked : ndarray of bool, shape (n_sites,)
        In a restricted area (of a size the facility reaches) and in no exempt area.
    names : ndarray of str, shape (n_sites,)
        The restricted areas of each blocked site (:func:`describe_area`, ``" and "``-joined),
        ``""`` elsewhere.
    """
    n = np.asarray(lat, dtype=float).size
    blocked = np.zeros(n, dtype=bool)
    names = np.full(n, "", dtype=object)
    if areas is None or areas.empty:
        return blocked, names

    # Step 1: areas in force this year, and where each site lies.
    start = areas["start_year"].to_numpy(float)
    end = areas["end_year"].to_numpy(float)
    years = np.broadcast_to(np.asarray(year, dtype=float).reshape(-1), (n,))[:, None]
    in_force = (start[None, :] <= years) & (np.isnan(end)[None, :] | (years <= end[None, :]))
    inside = area_membership(lat, lon, country, areas) & in_force

    # Step 2: restrictions that reach the facility's size; exemptions whatever the size.
    kind = areas["kind"].to_numpy(str)
    threshold = np.nan_to_num(areas["min_facility_mw"].to_numpy(float), nan=0.0)
    size = np.asarray(facility_mw, dtype=float).reshape(-1)
    big_enough = np.isnan(size)[:, None] | (size[:, None] >= threshold[None, :])
    restricted = inside & (kind == "restricted")[None, :] & big_enough
    exempt = (inside & (kind == "exempt")[None, :]).any(axis=1)

    # Step 3: an exempt location lifts every restriction it lies in.
    blocked = restricted.any(axis=1) & ~exempt
    phrases = np.array([describe_area(row) for _, row in areas.iterrows()], dtype=object)
    for i in np.flatnonzero(blocked):  # only the (few) blocked sites need their names joined
        names[i] = " and ".join(phrases[restricted[i]])
    return blocked, names


def flag_moratoria(
    table: pd.DataFrame, areas: pd.DataFrame | None, facility_mw: ArrayLike, *, year: ArrayLike
) -> None:
    """Add area moratoria to a site table in place: ``moratorium`` (region flag or area) and
    ``moratorium_area`` (the restricted areas' phrase, ``""`` where none).

    Parameters
    ----------
    table : DataFrame
        ``lat``, ``lon``, ``country``, ``capacity_mw`` and the region's ``moratorium``.
    areas : DataFrame or None
        See :func:`site_moratoria`.
    facility_mw : array-like
        Facility MW of the whole fleet at each site; capped here by the site's capacity, since
        no larger facility can be built there.
    year : int or array-like of int
        The year each site would connect (see :func:`site_moratoria`).
    """
    capacity = pd.to_numeric(table["capacity_mw"], errors="coerce").fillna(np.inf).to_numpy()
    size = np.minimum(np.asarray(facility_mw, dtype=float), capacity)
    blocked, names = site_moratoria(
        table["lat"], table["lon"], table["country"], size, areas, year=year
    )
    region = table["moratorium"].fillna(False).to_numpy(dtype=bool)
    table["moratorium"] = region | blocked
    table["moratorium_area"] = names
