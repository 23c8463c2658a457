"""Emissions and water: tonnes of CO2 from facility energy, cubic metres of water from IT energy.

- Location-based CO2: all facility energy at the grid's average intensity.
- Market-based CO2: the PPA share carbon-free when the PPA is from carbon-free generation
  (``energy.ppa_carbon_free``), the rest at the grid intensity. (The GHG Protocol asks for a
  residual-mix factor for the rest; the grid average is used because residual mixes are not in
  the catalog, which slightly understates market-based emissions.)
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


def co2_market_t(
    energy_kwh: ArrayLike, carbon_g_per_kwh: ArrayLike, ppa_share: float, ppa_carbon_free: bool
) -> np.ndarray:
    """Market-based tonnes CO2: the carbon-free PPA share counts zero."""
    return co2_t(energy_kwh, carbon_g_per_kwh) * market_share_emitting(ppa_share, ppa_carbon_free)


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
