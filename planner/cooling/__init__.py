"""Cooling model: hourly PUE, WUE and economizer use per technology (pure core, no Qt).

Public API
----------
simulate_cooling(technology, temp_air_c, temp_wet_c, params, it_load_fraction=1.0)
    -> CoolingResult, for one technology at many sites (:mod:`planner.cooling.model`).
select_cooling(...)
    -> (technology per site, CoolingResult): the cheapest allowed technology per site
    (:mod:`planner.cooling.select`).
load_cooling_parameters(preset="hyperscale") -> (params, provenance)
    One preset of data/cooling.toml.
TECHNOLOGIES
    Registry of technology ids.
"""

from __future__ import annotations

from planner.cooling.model import TECHNOLOGIES, CoolingResult, simulate_cooling
from planner.cooling.params import PRESETS, load_cooling_parameters
from planner.cooling.select import select_cooling

__all__ = [
    "PRESETS",
    "TECHNOLOGIES",
    "CoolingResult",
    "load_cooling_parameters",
    "select_cooling",
    "simulate_cooling",
]
