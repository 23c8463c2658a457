"""Geography: geodesic distances (and, with the catalog, basemap and region joins)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

_WGS84 = Geod(ellps="WGS84")


def geodesic_distance_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    """Distance on the WGS84 ellipsoid in km; inputs broadcast (e.g. sites[:, None] x centers).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array-like
        Degrees north and east.
    """
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lat1, float), np.asarray(lon1, float), np.asarray(lat2, float), np.asarray(lon2, float)
    )
    _, _, metres = _WGS84.inv(b.ravel(), a.ravel(), d.ravel(), c.ravel())
    return np.asarray(metres, dtype=float).reshape(a.shape) / 1000.0
