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
    # SAIDI 120 / 300 = 0.4; unknown -> 0.5; 1000 / 300 capped at 1.
    assert out["risk_grid"].tolist() == pytest.approx([0.4, 0.5, 1.0])
    assert out["risk_constraint"].tolist() == pytest.approx([0.0, 0.25, 1.0])
    # 0.4 x 0.4 + 0.4 x 0.2 + 0.2 x 0 = 0.24; 0.4 x 0.5 + 0.4 x 0.5 + 0.2 x 0.25 = 0.45; 1.
    assert out["risk_score"].tolist() == pytest.approx([0.24, 0.45, 1.0])


def test_saidi_without_major_events_spreads_over_the_scale():
    # Published SAIDI without major events: Germany about 12 min (CEER), U.S. average 123.9
    # (EIA 2023), Maine 247.4 (EIA 2023), CEER's 2016 maximum 290.
    saidi = [12.0, 123.9, 247.4, 290.0]
    out = risk_components(saidi, [0.2] * 4, [False] * 4, [False] * 4)
    # 12 / 300 = 0.04; 123.9 / 300 = 0.413; 247.4 / 300 = 0.8247; 290 / 300 = 0.9667.
    assert out["risk_grid"].tolist() == pytest.approx([0.04, 0.413, 0.8247, 0.9667], abs=1e-4)
    # Composite of the U.S. average with hazard 0.2, no constraint: 0.4 x 0.413 + 0.4 x 0.2.
    assert out["risk_score"][1] == pytest.approx(0.4 * 0.413 + 0.08, abs=1e-4)


def test_defaults_are_the_finance_file_values():
    from planner.evaluate import load_finance

    params = RiskParams.from_dict(load_finance()[0]["risk"])
    assert params == RiskParams()
    assert params.saidi_full_risk_minutes == 300.0


def test_weights_are_normalised():
    params = RiskParams(weight_grid=2.0, weight_hazard=0.0, weight_constraint=0.0)
    out = risk_components([150.0], [1.0], [True], [False], params)
    # Grid only: 150 / 300 = 0.5.
    assert out["risk_score"][0] == pytest.approx(0.5)


def test_bad_inputs_are_rejected():
    with pytest.raises(InputError, match="expected a hazard index between 0 and 1") as e:
        risk_components([1.0], [1.5], [False], [False])
    assert e.value.field == "hazard"
    words = "expected non-negative risk weights with a positive sum"
    with pytest.raises(InputError, match=words) as e:
        risk_components(
            [1.0],
            [0.5],
            [False],
            [False],
            RiskParams(weight_grid=0, weight_hazard=0, weight_constraint=0),
        )
    assert e.value.field == "risk.weight_grid"
