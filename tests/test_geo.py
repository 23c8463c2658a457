"""Geodesic distances: pyproj's exact geodesic and Lambert's formula for large matrices."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo import _WGS84, EXACT_PAIRS, geodesic_distance_km, lambert_distance_km


def test_lambert_agrees_with_the_exact_geodesic():
    rng = np.random.default_rng(3)
    n = 20_000
    lat1, lat2 = rng.uniform(-75, 75, n), rng.uniform(-75, 75, n)
    lon1, lon2 = rng.uniform(-180, 180, n), rng.uniform(-180, 180, n)
    _, _, metres = _WGS84.inv(lon1, lat1, lon2, lat2)
    exact = metres / 1000.0
    fast = lambert_distance_km(lat1, lon1, lat2, lon2)
    usual = (exact > 1.0) & (exact < 18_000.0)
    assert np.max(np.abs(fast - exact)[usual] / exact[usual]) < 2e-5
    assert np.max(np.abs(fast - exact)) < 20.0  # km, nearly antipodal pairs included


def test_known_distances_both_ways():
    # WGS84 geodesics: New York - Paris 5,853 km, New York - Chicago 1,147 km.
    for lat, lon, km in ((48.8566, 2.3522, 5_853.0), (41.8781, -87.6298, 1_147.0)):
        assert float(geodesic_distance_km(40.7128, -74.0060, lat, lon)) == pytest.approx(km, abs=1)
        assert float(lambert_distance_km(40.7128, -74.0060, lat, lon)) == pytest.approx(km, abs=1)
    assert float(lambert_distance_km(10.0, 20.0, 10.0, 20.0)) == 0.0


def test_large_matrices_switch_to_lambert():
    rng = np.random.default_rng(4)
    lat = rng.uniform(30, 60, EXACT_PAIRS // 50 + 1)
    lon = rng.uniform(-120, 20, len(lat))
    centres = (rng.uniform(30, 60, 50), rng.uniform(-120, 20, 50))
    big = geodesic_distance_km(lat[:, None], lon[:, None], centres[0][None], centres[1][None])
    exact = geodesic_distance_km(
        lat[:100, None], lon[:100, None], centres[0][None], centres[1][None]
    )
    assert big.shape == (len(lat), 50)
    np.testing.assert_allclose(big[:100], exact, rtol=2e-5, atol=1e-3)
