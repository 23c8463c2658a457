"""Generation mix to carbon intensity or carbon-free share, with cited factors per fuel.

The factors are in ``data/emission_factors.csv`` (per fuel: direct and lifecycle gCO2/kWh
with source ids and years, whether the fuel counts as carbon-free, whether it is in the mix).

Rules:

* negative net generation (pumped storage pumping, solar plants' night draw) is clipped at
  zero: the mix describes what is generated, not what plants consume;
* storage discharge and imports are left out of the mix (``in_mix`` false): storage
  re-delivers energy of the same grid, and an import's origin is not in these files;
* carbon-free share counts nuclear, hydro, solar, wind, geothermal and marine: zero stack
  emissions and lifecycle medians under 50 gCO2/kWh. Biomass and waste burn fuel and are not
  counted.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.paths import data_dir

QUANTITIES = {
    "carbon": ("direct_g_per_kwh", "gCO2/kWh"),
    "carbon-lifecycle": ("lifecycle_g_per_kwh", "gCO2e/kWh"),
    "cfe-share": ("carbon_free", "share"),
}


@functools.cache
def emission_factors() -> pd.DataFrame:
    """The factor table, index ``fuel``."""
    table = pd.read_csv(data_dir() / "emission_factors.csv", keep_default_na=False)
    for col in ("direct_g_per_kwh", "lifecycle_g_per_kwh"):
        table[col] = pd.to_numeric(table[col].replace("", np.nan))
    for col in ("carbon_free", "in_mix"):
        table[col] = table[col].astype(str).str.lower() == "true"
    return table.set_index("fuel")


# Source names of production types (EIA-930, ENTSO-E, gridstatus), matched in this order on
# the lower-case name; the first pattern that matches wins.
_FUEL_PATTERNS = [
    (r"storage|batter|pumped", "storage"),
    (r"import", "imports"),
    (r"lignite|brown coal", "lignite"),
    (r"coal.derived gas|coal-derived", "coal_gas"),
    (r"oil shale", "oil_shale"),
    (r"peat", "peat"),
    (r"coal", "coal"),
    (r"natural gas|fossil gas|\bgas\b", "gas"),
    (r"petroleum|\boil\b|diesel", "oil"),
    (r"nuclear", "nuclear"),
    (r"hydro|water", "hydro"),
    (r"solar|photovoltaic", "solar"),
    (r"offshore", "wind_offshore"),
    (r"wind", "wind"),
    (r"geothermal", "geothermal"),
    (r"marine|tidal|wave", "marine"),
    (r"other renewable", "other_renewable"),
    (r"biomass|biogas|wood|landfill", "biomass"),
    (r"waste|refuse", "waste"),
    (r"unknown", "unknown"),
    (r"other", "other"),
]


def fuel_of(name: str) -> str | None:
    """The factor table's fuel for a source's production-type name, or None if unknown.

    "Hydropower and Pumped Storage" (EIA-930's combined column) is hydro, not storage: it is
    mostly conventional hydropower, and EIA does not split it before 2025.
    """
    low = name.strip().lower()
    if "hydropower and pumped storage" in low:
        return "hydro"
    if "excluding pumped" in low:
        return "hydro"
    if "with integrated battery" in low:
        return "solar" if "solar" in low else "wind"
    for pattern, fuel in _FUEL_PATTERNS:
        if re.search(pattern, low):
            return fuel
    return None


def mix_quantity(generation_mw: pd.DataFrame, quantity: str) -> tuple[np.ndarray, str, list[str]]:
    """Hourly intensity (or carbon-free share) of a generation mix.

    Parameters
    ----------
    generation_mw : DataFrame
        One column per fuel of the factor table (several source columns already summed),
        NaN where the source printed no value.
    quantity : {"carbon", "carbon-lifecycle", "cfe-share"}

    Returns
    -------
    (ndarray, str, list of str)
        Values (NaN for rows without any generation), the unit, notes.
    """
    if quantity not in QUANTITIES:
        raise InputError(
            f"a generation mix gives {', '.join(QUANTITIES)}, not '{quantity}'", field="quantity"
        )
    factors = emission_factors()
    column, unit = QUANTITIES[quantity]
    in_mix = [f for f in generation_mw.columns if factors.at[f, "in_mix"]]
    mw = generation_mw[in_mix].to_numpy(dtype=float)
    negative = int((mw < 0).sum())
    all_missing = np.isnan(mw).all(axis=1)
    mw = np.clip(np.nan_to_num(mw, nan=0.0), 0.0, None)
    weight = factors.loc[in_mix, column].to_numpy(dtype=float)
    total = mw.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = (mw @ weight) / total
    values[all_missing | (total <= 0)] = np.nan
    notes = [f"mix of {', '.join(in_mix)}; factors: data/emission_factors.csv ({column})"]
    if negative:
        notes.append(f"{negative} negative generation value(s) clipped at zero")
    left_out = [f for f in generation_mw.columns if f not in in_mix]
    if left_out:
        notes.append(f"left out of the mix: {', '.join(left_out)}")
    return values, unit, notes


def fuel_frame(columns: dict[str, np.ndarray], path: object) -> pd.DataFrame:
    """Source columns (name -> MW) summed per fuel; an unknown production type is 'other'."""
    per_fuel: dict[str, np.ndarray] = {}
    for name, mw in columns.items():
        fuel = fuel_of(name) or "other"
        prior = per_fuel.get(fuel)
        per_fuel[fuel] = (
            mw
            if prior is None
            else np.where(np.isnan(prior), mw, np.where(np.isnan(mw), prior, prior + mw))
        )
    if not per_fuel:
        raise InputError("no generation columns found for a fuel mix", file=path)
    return pd.DataFrame(per_fuel)
