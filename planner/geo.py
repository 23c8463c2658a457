"""Geography: geodesic distances (and, with the catalog, basemap and region joins)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

if TYPE_CHECKING:
    import geopandas as gpd

_WGS84 = Geod(ellps="WGS84")


# Above this many pairs (a 100,000-site file against 60 demand centres is 6 million) the
# distances use Lambert's formula: pyproj's exact geodesic costs about 2.5 us a pair.
EXACT_PAIRS = 200_000
_A, _F = 6_378_137.0, 1.0 / 298.257223563  # WGS84


def geodesic_distance_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    """Distance on the WGS84 ellipsoid in km; inputs broadcast (e.g. sites[:, None] x centers).

    Exact (pyproj's geodesic) up to :data:`EXACT_PAIRS` pairs; above, Lambert's formula for
    long lines on the ellipsoid (:func:`lambert_distance_km`): within 0.002 % of it up to
    18,000 km, 0.1 % for nearly antipodal points.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array-like
        Degrees north and east.
    """
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lat1, float),
        np.asarray(lon1, float),
        np.asarray(lat2, float),
        np.asarray(lon2, float),
    )
    if a.size > EXACT_PAIRS:
        return lambert_distance_km(a, b, c, d)
    _, _, metres = _WGS84.inv(b.ravel(), a.ravel(), d.ravel(), c.ravel())
    return np.asarray(metres, dtype=float).reshape(a.shape) / 1000.0


def lambert_distance_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Lambert's formula (1942) for geodesic distance on the WGS84 ellipsoid, vectorised.

    The central angle between the reduced latitudes, corrected for flattening; errors are
    metres over thousands of kilometres (they grow only close to antipodal points).
    """
    b1 = np.arctan((1.0 - _F) * np.tan(np.radians(lat1)))
    b2 = np.arctan((1.0 - _F) * np.tan(np.radians(lat2)))
    dlon = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin((b2 - b1) / 2.0) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dlon / 2.0) ** 2
    sigma = 2.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    p, q = (b1 + b2) / 2.0, (b2 - b1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2.0) ** 2
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2.0) ** 2
        metres = _A * (sigma - _F / 2.0 * (np.nan_to_num(x) + np.nan_to_num(y)))
    return np.where(sigma > 0, metres, 0.0) / 1000.0


def load_basemap(path: str | Path) -> gpd.GeoDataFrame:
    """Read a country-outline file (GeoJSON, GeoPackage, Shapefile) in EPSG:4326.

    The embedded one has columns ``iso_a2, iso_a3, name, continent, geometry``.
    """
    import geopandas as gpd

    frame = gpd.read_file(path)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def join_countries(
    lat: ArrayLike, lon: ArrayLike, basemap: gpd.GeoDataFrame, *, coast_tolerance_deg: float = 0.75
) -> np.ndarray:
    """ISO 3166-1 alpha-2 code of the country polygon containing each point ('' if none).

    Points outside every polygon but within ``coast_tolerance_deg`` degrees of one take the
    nearest country: the 1:110m outlines cut off many coastal towns (Lulea, Singapore).
    Vectorised through the basemap's spatial index (about 10 ms for 1,000 points).
    """
    import shapely

    lat = np.asarray(lat, float).ravel()
    lon = np.asarray(lon, float).ravel()
    points = shapely.points(lon, lat)
    point_idx, poly_idx = basemap.sindex.query(points, predicate="intersects")
    codes = np.full(len(lat), "", dtype=object)
    # A point on a shared border belongs to the first polygon found; either answer is fair.
    first = np.unique(point_idx, return_index=True)[1]
    codes[point_idx[first]] = basemap["iso_a2"].to_numpy()[poly_idx[first]]
    outside = np.flatnonzero(codes == "")
    if len(outside) and coast_tolerance_deg > 0:
        near_pt, near_poly = basemap.sindex.nearest(
            points[outside], max_distance=coast_tolerance_deg, return_all=False
        )
        codes[outside[near_pt]] = basemap["iso_a2"].to_numpy()[near_poly]
    return codes


def nearest_point(
    lat: ArrayLike, lon: ArrayLike, lat_ref: ArrayLike, lon_ref: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest reference point for each point, and its geodesic distance in km.

    A (points x references) distance matrix: fine for thousands by hundreds.
    """
    lat = np.asarray(lat, float).ravel()
    lon = np.asarray(lon, float).ravel()
    lat_ref = np.asarray(lat_ref, float)[None, :]
    lon_ref = np.asarray(lon_ref, float)[None, :]
    dist = geodesic_distance_km(lat[:, None], lon[:, None], lat_ref, lon_ref)
    idx = np.argmin(dist, axis=1)
    return idx, dist[np.arange(len(lat)), idx]
