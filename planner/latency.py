"""Latency: a round-trip time estimate from each site to each demand center.

Light in single-mode fiber travels at ``c / n`` with group index ``n`` about 1.468 (Corning
SMF-28 Ultra, 1550 nm), about 204,000 km/s, so a round trip over 100 km of fiber takes about
0.98 ms. Fiber does not follow the geodesic: the route is ``route_factor`` times longer, 1.3 by
default, the median shortest path through the U.S. long-haul conduits (Bozkurt et al. 2018,
"Dissecting Latency in the Internet's Fiber Infrastructure"). A fixed ``fixed_rtt_ms`` (1 ms,
estimate) stands for switching and metro access at both ends. Queuing, detours of Internet
routing (measured paths are about 2.1 times the geodesic) and server time are not included, so
the figure is the round trip of a well-connected private network, a best case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.errors import InputError
from planner.geo import geodesic_distance_km

SPEED_OF_LIGHT_KM_PER_S = 299_792.458


def rtt_ms(
    distance_km: ArrayLike,
    *,
    route_factor: float = 1.3,
    fiber_group_index: float = 1.468,
    fixed_rtt_ms: float = 1.0,
) -> np.ndarray:
    """Round-trip time over fiber, ms: ``2 * distance * route_factor / (c / n) + fixed``."""
    if route_factor < 1.0:
        raise InputError(
            f"expected a route factor of at least 1, got {route_factor}",
            field="latency.route_factor",
        )
    if fiber_group_index < 1.0:
        raise InputError(
            f"expected a fiber group index of at least 1, got {fiber_group_index}",
            field="latency.fiber_group_index",
        )
    speed_km_per_ms = SPEED_OF_LIGHT_KM_PER_S / fiber_group_index / 1000.0
    return (
        2.0 * np.asarray(distance_km, dtype=float) * route_factor / speed_km_per_ms + fixed_rtt_ms
    )


def site_rtt_ms(
    site_lat: ArrayLike,
    site_lon: ArrayLike,
    centers: pd.DataFrame,
    **rtt_kwargs: float,
) -> np.ndarray:
    """RTT from every site to every center, shape (n_sites, n_centers).

    ``centers`` has ``lat`` and ``lon`` columns (degrees).
    """
    lat = np.asarray(site_lat, dtype=float)[:, None]
    lon = np.asarray(site_lon, dtype=float)[:, None]
    distance = geodesic_distance_km(
        lat, lon, centers["lat"].to_numpy(float)[None, :], centers["lon"].to_numpy(float)[None, :]
    )
    return rtt_ms(distance, **rtt_kwargs)


def weighted_latency_ms(rtt: np.ndarray, weights: ArrayLike) -> np.ndarray:
    """Demand-weighted mean RTT per site: ``sum_k w_k rtt_ik / sum_k w_k``, shape (n_sites,)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.shape[0] != rtt.shape[1]:
        raise InputError("expected one weight per demand center", field="demand")
    if np.any(w < 0) or w.sum() <= 0:
        raise InputError("expected non-negative demand weights with a positive sum", field="demand")
    return rtt @ (w / w.sum())
