"""Emissions and water: tonnes of CO2 from facility energy, cubic metres of water from IT energy.

- Location-based CO2: all facility energy at the grid's average (production mix) intensity.
- Market-based CO2 (GHG Protocol Scope 2 Guidance, 2015, market-based method): energy covered
  by carbon-free contractual instruments counts zero (the PPA share when
  ``energy.ppa_carbon_free``); the rest is at the region's *residual mix*, the grid mix left
  after others' certificates and PPAs are taken out (higher than the production mix where
  much clean energy is sold separately). Where no residual mix is published the production
  mix is used instead, as the Guidance allows, and the basis is reported per site.
- Water: on-site water = WUE (litres per kWh of IT energy) x IT energy. Water-stress weighted
  water multiplies the volume by the region's WRI Aqueduct baseline water stress score (0-5),
  so a cubic metre in a low-stress basin counts little and one in an extremely stressed basin
  counts five times.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.errors import InputError


def co2_t(energy_kwh: ArrayLike, carbon_g_per_kwh: ArrayLike) -> np.ndarray:
    """Tonnes CO2: ``energy_kwh * carbon_g_per_kwh / 1e6``."""
    intensity = np.asarray(carbon_g_per_kwh, dtype=float)
    if np.any(intensity < 0):
        raise InputError(
            "expected a carbon intensity of zero or more gCO2/kWh", field="carbon_g_per_kwh"
        )
    return np.asarray(energy_kwh, dtype=float) * intensity / 1e6


def market_share_emitting(ppa_share: float, ppa_carbon_free: bool) -> float:
    """Share of energy that carries grid emissions under market-based accounting."""
    if not 0.0 <= ppa_share <= 1.0:
        raise InputError(
            f"expected a PPA share between 0 and 1, got {ppa_share}", field="energy.ppa_share"
        )
    return 1.0 - ppa_share if ppa_carbon_free else 1.0


RESIDUAL_MIX = "residual mix"
PRODUCTION_MIX = "production mix (no residual mix published)"
"""Values of the ``market_factor_basis`` metric: which factor the market-based CO2 used."""


def market_factor_g_per_kwh(
    residual_mix_g_per_kwh: ArrayLike, production_mix_g_per_kwh: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Emission factor of energy not covered by contractual instruments, and its basis.

    The residual mix where one is published (not NaN), else the production mix.

    Returns
    -------
    factor_g_per_kwh : ndarray
    basis : ndarray of str
        :data:`RESIDUAL_MIX` or :data:`PRODUCTION_MIX` per element.
    """
    residual = np.asarray(residual_mix_g_per_kwh, dtype=float)
    production = np.asarray(production_mix_g_per_kwh, dtype=float)
    residual, production = np.broadcast_arrays(residual, production)
    published = np.isfinite(residual)
    if np.any(residual[published] < 0):
        raise InputError(
            "expected a residual mix of zero or more gCO2/kWh", field="residual_mix_g_per_kwh"
        )
    factor = np.where(published, residual, production)
    basis = np.where(published, RESIDUAL_MIX, PRODUCTION_MIX).astype(object)
    return factor, basis


def co2_market_t(
    energy_kwh: ArrayLike,
    carbon_g_per_kwh: ArrayLike,
    ppa_share: float,
    ppa_carbon_free: bool,
    residual_mix_g_per_kwh: ArrayLike | None = None,
) -> np.ndarray:
    """Market-based tonnes CO2: the carbon-free PPA share counts zero, the rest is at the
    residual mix (the production mix ``carbon_g_per_kwh`` where the residual mix is NaN or not
    given)."""
    factor = carbon_g_per_kwh
    if residual_mix_g_per_kwh is not None:
        factor, _ = market_factor_g_per_kwh(residual_mix_g_per_kwh, carbon_g_per_kwh)
    return co2_t(energy_kwh, factor) * market_share_emitting(ppa_share, ppa_carbon_free)


def carbon_cost_usd(co2_tonnes: ArrayLike, carbon_price_usd_per_t: float) -> np.ndarray:
    """Cost of emissions at a carbon price, USD."""
    return np.asarray(co2_tonnes, dtype=float) * float(carbon_price_usd_per_t)


def water_m3(it_energy_kwh: ArrayLike, wue_l_per_kwh: ArrayLike) -> np.ndarray:
    """On-site water, m3: ``it_energy_kwh * wue_l_per_kwh / 1000``."""
    wue = np.asarray(wue_l_per_kwh, dtype=float)
    if np.any(wue < 0):
        raise InputError(
            "expected a water usage effectiveness of zero or more L/kWh", field="wue_l_per_kwh"
        )
    return np.asarray(it_energy_kwh, dtype=float) * wue / 1000.0


def water_weighted_m3(volume_m3: ArrayLike, water_stress: ArrayLike) -> np.ndarray:
    """Water volume times the Aqueduct water-stress score (0-5)."""
    stress = np.asarray(water_stress, dtype=float)
    if np.any((stress < 0) | (stress > 5)):
        raise InputError("expected a water stress score between 0 and 5", field="water_stress")
    return np.asarray(volume_m3, dtype=float) * stress
