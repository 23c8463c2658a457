"""``auto`` cooling: the cheapest allowed technology per site, vectorised over sites.

Cost of a technology at a site, per MW of design IT and per year::

    capex * CRF                                             (annualised cooling plant)
    + (PUE_annual - 1) * mean IT load * 8760 h * price      (overhead energy)
    + WUE_annual * mean IT load * 8760 h * 1000 kWh/MWh / 1000 L/m3 * water price

    capex = capex_usd_per_mw[tech]
            - mechanical_plant_usd_per_mw * (1 - design mechanical share at the site)

The refrigeration plant inside each technology's capex is sized for the site's 0.4 % design
hour: an airside economizer in a dry, cool climate needs little or no backup chiller, in a
hot, humid one a full-size plant. IT energy itself is the same for every technology and left
out. Rules, applied before cost:

- the fleet's GPUs need liquid (``liquid_required``), or racks are denser than
  ``selection.liquid_rack_kw_threshold`` (50 kW: active rear-door coils): only ``liquid-dtc``
  (a rack exactly at the threshold may still use air);
- water stress above the ceiling rules out technologies flagged ``water_intensive`` in the
  preset, and any candidate whose annual WUE at that site exceeds
  ``selection.water_intensive_wue_l_per_kwh``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.cooling.components import crf
from planner.cooling.model import F32, TECHNOLOGIES, CoolingResult, simulate_cooling
from planner.errors import InputError


def select_cooling(
    temp_air_c: ArrayLike,
    temp_wet_c: ArrayLike,
    params: Mapping[str, Any],
    *,
    price_usd_per_mwh: ArrayLike,
    water_stress: ArrayLike = 0.0,
    max_water_stress: float = 5.0,
    rack_density_kw: ArrayLike = 0.0,
    liquid_required: ArrayLike = False,
    it_load_fraction: ArrayLike = 1.0,
    capital_recovery_factor: float | None = None,
    discount_rate: float = 0.08,
    horizon_years: float = 15.0,
    technologies: Sequence[str] | None = None,
    pressure_pa: ArrayLike | None = None,
) -> tuple[np.ndarray, CoolingResult]:
    """Pick the cheapest allowed cooling technology at each site.

    Parameters
    ----------
    temp_air_c, temp_wet_c : array_like, shape (n_sites, 8760)
        Outdoor dry-bulb and wet-bulb [C].
    params : mapping
        One cooling preset (``load_cooling_parameters(...)[0]``) with ``capex_usd_per_mw``,
        ``water_intensive`` and ``selection`` sections.
    price_usd_per_mwh : array_like, shape (n_sites,) or scalar
        Effective electricity price per site [USD/MWh].
    water_stress : array_like, shape (n_sites,) or scalar
        Water stress score per site (0-5, WRI Aqueduct scale).
    max_water_stress : float
        Above this stress, water-intensive technologies are not allowed (the scenario's
        ``cooling.allow_water_cooling_above_stress``).
    rack_density_kw : array_like, shape (n_sites,) or scalar
        Rack power [kW]; above the preset threshold only ``liquid-dtc`` is allowed.
    liquid_required : bool or array_like of bool, shape (n_sites,)
        The fleet's GPUs ship liquid-cooled only (the GPU catalog's ``liquid_required``):
        only ``liquid-dtc`` is allowed, whatever the rack density.
    it_load_fraction : float or array_like broadcastable to (n_sites, 8760)
        IT load as a fraction of design.
    capital_recovery_factor : float, optional
        Annualisation factor of the cooling capex; from ``discount_rate`` and
        ``horizon_years`` if omitted.
    technologies : sequence of str, optional
        Candidates (default: all five).
    pressure_pa : array_like, optional
        Station pressure per site [Pa] (see :func:`simulate_cooling`).

    Returns
    -------
    (ndarray of str, CoolingResult)
        Technology per site and the combined hourly result, whose ``candidates`` table has
        one row per (site index, technology): ``site, technology, allowed, reason,
        pue_annual, wue_l_per_kwh, design_mechanical_fraction, capex_usd_per_mw,
        cost_usd_per_mw_year``; ``result.capex_usd_per_mw`` holds the chosen one's capex.
    """
    candidates = list(technologies or TECHNOLOGIES)
    unknown = [t for t in candidates if t not in TECHNOLOGIES]
    if unknown:
        raise InputError(f"unknown cooling technology '{unknown[0]}'", field="technologies")
    ta = np.asarray(temp_air_c, dtype=F32)
    if ta.ndim == 1:
        ta = ta[None, :]
    n = ta.shape[0]
    price = np.broadcast_to(np.asarray(price_usd_per_mwh, dtype=float), (n,))
    stress = np.broadcast_to(np.asarray(water_stress, dtype=float), (n,))
    density = np.broadcast_to(np.asarray(rack_density_kw, dtype=float), (n,))
    needs_liquid = np.broadcast_to(np.asarray(liquid_required, dtype=bool), (n,))
    if np.any(~np.isfinite(price)):
        raise InputError("electricity price is missing for some sites", field="price_usd_per_mwh")
    sel = params.get("selection", {})
    capex = params.get("capex_usd_per_mw", {})
    intensive = params.get("water_intensive", {})
    threshold = float(sel.get("liquid_rack_kw_threshold", 50.0))
    plant_usd_per_mw = float(sel.get("mechanical_plant_usd_per_mw", 0.0))
    wue_ceiling = float(sel.get("water_intensive_wue_l_per_kwh", np.inf))
    water_usd_per_m3 = float(sel.get("water_usd_per_m3", 0.0))
    factor = capital_recovery_factor if capital_recovery_factor is not None else crf(
        discount_rate, horizon_years)
    load = np.asarray(it_load_fraction, dtype=float)
    mean_load = np.broadcast_to(load, (n, ta.shape[-1])).mean(axis=1) if load.ndim else \
        np.full(n, float(load))
    it_mwh = mean_load * 8760.0  # per MW of design IT

    # Screening rules, at their boundaries: a rack exactly at the threshold may use air.
    dense = density > threshold
    stressed = stress > max_water_stress
    best_cost = np.full(n, np.inf)
    best_capex = np.full(n, np.nan)
    chosen = np.full(n, "", dtype=object)
    result: CoolingResult | None = None
    rows: list[pd.DataFrame] = []
    for tech in candidates:
        allowed = np.ones(n, dtype=bool)
        reason = np.full(n, "", dtype=object)
        if tech != "liquid-dtc":
            reason[needs_liquid] = "the GPUs are liquid-cooled only"
            reason[dense & ~needs_liquid] = (f"rack density above {threshold:g} kW needs "
                                             "liquid cooling")
            allowed &= ~(dense | needs_liquid)
        if tech not in capex:
            raise InputError(f"cooling parameters have no capex for '{tech}'",
                             field=f"capex_usd_per_mw.{tech}")
        res = simulate_cooling(tech, ta, temp_wet_c, params, it_load_fraction,
                               pressure_pa=pressure_pa)
        pue = res.pue_annual()
        wue = res.wue_annual()
        # Water: flagged technologies, and any candidate that evaporates much at this site.
        thirsty = np.full(n, bool(intensive.get(tech, False))) | (wue > wue_ceiling)
        reason[stressed & thirsty & allowed] = f"water stress above {max_water_stress:g}"
        allowed &= ~(stressed & thirsty)
        # Mechanical plant sized for the design hour (0.4 %), not always full size.
        design_mech = res.design_mechanical_fraction()
        tech_capex = float(capex[tech]) - plant_usd_per_mw * (1.0 - design_mech)
        cost = (tech_capex * factor + (pue - 1.0) * it_mwh * price
                + wue * it_mwh * water_usd_per_m3)
        rows.append(pd.DataFrame({"site": np.arange(n), "technology": tech, "allowed": allowed,
                                  "reason": reason, "pue_annual": pue, "wue_l_per_kwh": wue,
                                  "design_mechanical_fraction": design_mech,
                                  "capex_usd_per_mw": tech_capex,
                                  "cost_usd_per_mw_year": cost}))
        better = allowed & (cost < best_cost)
        best_capex = np.where(better, tech_capex, best_capex)
        if result is None:
            result = res
            result.technology = np.where(better, tech, "").astype(object)
        elif better.any():
            result.pue[better] = res.pue[better]
            result.wue_l_per_kwh[better] = res.wue_l_per_kwh[better]
            result.economizer_fraction[better] = res.economizer_fraction[better]
        best_cost = np.where(better, cost, best_cost)
        chosen = np.where(better, tech, chosen)
        del res
    assert result is not None
    if np.any(chosen == ""):
        k = int(np.flatnonzero(chosen == "")[0])
        raise InputError(f"no allowed cooling technology at site {k + 1} (rack density and water "
                         "stress rule out every candidate)", row=k + 1, field="cooling.technology")
    result.technology = chosen
    result.capex_usd_per_mw = best_capex
    result.candidates = pd.concat(rows, ignore_index=True)
    return chosen, result
