"""Composite risk: each part and the weighted score, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import InputError
from planner.risk import RiskParams, risk_components


def test_risk_parts_and_score_by_hand():
    out = risk_components(
        saidi_minutes=[120.0, np.nan, 1000.0],
        hazard=[0.2, 0.5, 1.0],
        moratorium=[False, False, True],
        ttp_is_estimate=[False, True, False],
    )
    # SAIDI 120 / 480 = 0.25; unknown -> 0.5; 1000 / 480 capped at 1.
    assert out["risk_grid"].tolist() == pytest.approx([0.25, 0.5, 1.0])
    assert out["risk_constraint"].tolist() == pytest.approx([0.0, 0.25, 1.0])
    # 0.4 x 0.25 + 0.4 x 0.2 + 0.2 x 0 = 0.18; 0.4 x 0.5 + 0.4 x 0.5 + 0.2 x 0.25 = 0.45; 1.
    assert out["risk_score"].tolist() == pytest.approx([0.18, 0.45, 1.0])


def test_weights_are_normalised():
    params = RiskParams(weight_grid=2.0, weight_hazard=0.0, weight_constraint=0.0)
    out = risk_components([240.0], [1.0], [True], [False], params)
    assert out["risk_score"][0] == pytest.approx(0.5)


def test_bad_inputs_are_rejected():
    with pytest.raises(InputError, match="hazard"):
        risk_components([1.0], [1.5], [False], [False])
    with pytest.raises(InputError, match="weights"):
        risk_components(
            [1.0],
            [0.5],
            [False],
            [False],
            RiskParams(weight_grid=0, weight_hazard=0, weight_constraint=0),
        )
