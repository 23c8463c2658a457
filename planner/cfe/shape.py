"""An hourly carbon-free share of the grid where only the annual share is published.

Two documented shapes, both with a time mean exactly equal to the annual share (the
region's ``carbon_free_share`` in data/regions.csv):

- flat (``solar_share = 0``, the default): every hour at the annual share. This overstates
  the night-time share and understates the midday share in solar-heavy grids, so it flatters
  portfolios without storage there; in grids whose clean energy is hydro or nuclear it is
  close to right.
- solar-shaped (``solar_share > 0``, with the region's hourly solar profile): the clean
  share is a firm part, the same every hour, plus a solar part that follows the solar
  profile, ``min(1, firm + solar_share * solar_cf_h / mean(solar_cf))``, with ``firm``
  chosen so the mean is the annual share.

The annual share published by Ember or EIA is weighted by generation, this keeps the
unweighted time mean: the two agree when total generation is about flat through the year.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.cfe.model import HOURS_PER_YEAR, hourly_array
from planner.errors import InputError


def grid_cfe_shape(
    annual_share: float,
    solar_cf: ArrayLike | None = None,
    solar_share: float = 0.0,
    hours: int = HOURS_PER_YEAR,
) -> np.ndarray:
    """Hourly carbon-free share of a grid from its annual share [0-1].

    Parameters
    ----------
    annual_share : float
        Carbon-free share of the region's generation over the year, 0-1.
    solar_cf : array (hours,), optional
        The region's solar output per MW; needed when ``solar_share > 0``.
    solar_share : float
        Share of the region's generation from solar, 0 to ``annual_share`` (0: flat).
    hours : int
        Length of the flat profile when no ``solar_cf`` is given.

    Returns
    -------
    ndarray (hours,)
        Values in 0-1 whose mean is ``annual_share``.
    """
    share = _share(annual_share, "annual_share", 1.0)
    solar_part = _share(solar_share, "solar_share", share)
    if solar_part == 0.0:
        n = hours if solar_cf is None else np.asarray(solar_cf).size
        return np.full(n, share)
    if solar_cf is None:
        raise InputError(
            "expected a solar profile when the solar share is above zero", field="solar_cf"
        )
    cf = hourly_array(solar_cf, "solar_cf")
    if not cf.mean() > 0:
        raise InputError("expected a solar profile above zero in some hour", field="solar_cf")
    profile = solar_part * cf / cf.mean()
    low, high = share - solar_part, share  # mean(min(1, firm + profile)) rises with firm
    for _ in range(100):
        firm = 0.5 * (low + high)
        if np.minimum(1.0, firm + profile).mean() < share:
            low = firm
        else:
            high = firm
    shaped = np.minimum(1.0, high + profile)
    free = shaped < 1.0  # spread the bisection's last rounding over the unclipped hours
    if free.any():
        shaped[free] += (share - shaped.mean()) * shaped.size / free.sum()
    return shaped


def _share(value: float, name: str, highest: float) -> float:
    number = float(value)
    if not 0.0 <= number <= highest:
        raise InputError(f"expected a share between 0 and {highest:g}, got {value}", field=name)
    return number
