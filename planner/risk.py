"""Risk: a composite 0 (best) to 1 (worst) of grid reliability, natural hazard and constraints.

- ``risk_grid``: SAIDI (average interruption minutes per customer per year, without major
  events where published so) divided by the SAIDI that counts as full risk, capped at 1. The
  default 300 min is about the worst published without major events: CEER's 2016 European
  range is 9-290 min, U.S. states reach about 250 (EIA 2023; U.S. average 123.9 -> 0.41).
  Regions that publish no SAIDI get a middle value (0.5, assumption: as for 150 min).
- ``risk_hazard``: the catalog's 0-1 natural hazard index of the region.
- ``risk_constraint``: 1 under a connection moratorium; otherwise a small value when the time
  to power is an estimate rather than a published figure (0.25, assumption), else 0.
- ``risk_score``: weighted mean (weights 0.4 / 0.4 / 0.2 by default, assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from planner.errors import InputError


@dataclass(frozen=True)
class RiskParams:
    saidi_full_risk_minutes: float = 300.0
    saidi_unknown_risk: float = 0.5
    estimate_ttp_risk: float = 0.25
    weight_grid: float = 0.4
    weight_hazard: float = 0.4
    weight_constraint: float = 0.2

    @classmethod
    def from_dict(cls, values: dict) -> RiskParams:
        return cls(**{k: float(values[k]) for k in cls.__dataclass_fields__ if k in values})


def risk_components(
    saidi_minutes: ArrayLike,
    hazard: ArrayLike,
    moratorium: ArrayLike,
    ttp_is_estimate: ArrayLike,
    params: RiskParams = RiskParams(),
) -> dict[str, np.ndarray]:
    """Risk parts and composite per site.

    Returns
    -------
    dict with ``risk_grid, risk_hazard, risk_constraint, risk_score`` arrays (0-1).
    """
    weights = np.array([params.weight_grid, params.weight_hazard, params.weight_constraint])
    if np.any(weights < 0) or weights.sum() <= 0:
        raise InputError(
            "expected non-negative risk weights with a positive sum", field="risk.weight_grid"
        )
    if params.saidi_full_risk_minutes <= 0:
        raise InputError("expected a positive SAIDI scale", field="risk.saidi_full_risk_minutes")
    saidi = np.asarray(saidi_minutes, dtype=float)
    grid = np.where(
        np.isnan(saidi),
        params.saidi_unknown_risk,
        np.clip(saidi / params.saidi_full_risk_minutes, 0, 1),
    )
    haz = np.asarray(hazard, dtype=float)
    if np.any(haz[~np.isnan(haz)] < 0) or np.any(haz[~np.isnan(haz)] > 1):
        raise InputError("expected a hazard index between 0 and 1", field="hazard")
    haz = np.nan_to_num(haz, nan=0.5)
    blocked = np.asarray(moratorium, dtype=bool)
    estimate = np.asarray(ttp_is_estimate, dtype=bool)
    constraint = np.where(blocked, 1.0, np.where(estimate, params.estimate_ttp_risk, 0.0))
    w = weights / weights.sum()
    score = w[0] * grid + w[1] * haz + w[2] * constraint
    return {
        "risk_grid": grid,
        "risk_hazard": haz,
        "risk_constraint": constraint,
        "risk_score": score,
    }
