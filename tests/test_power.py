"""Fleet power: load fractions, design IT load and installed load, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.power import (
    HOUR_MONTH,
    MONTH_HOURS,
    WorkloadParams,
    activity_profile,
    diurnal_shape,
    fleet_power,
    load_fraction,
)
from planner.scenario import Fleet

# Node figures typed from public specifications: DGX H100 10.2 kW max for 8 GPUs (NVIDIA DGX
# H100 datasheet); DGX B200 14.3 kW for 8 GPUs (NVIDIA DGX B200 datasheet).
GPUS = pd.DataFrame(
    {
        "node_power_w_per_gpu": [10_200 / 8, 14_300 / 8],
        "rack_density_kw": [40.8, 57.2],
        "liquid_required": [False, True],
    },
    index=pd.Index(["H100-SXM", "B200"], name="gpu_id"),
)
PARAMS = WorkloadParams(
    training_busy_fraction=0.79,
    inference_busy_fraction=0.7,
    idle_fraction=0.25,
    diurnal_hour_weights=tuple([1.0] * 12 + [3.0] * 12),
)


def fleet(**kwargs) -> Fleet:
    data = {
        "phases": [
            {"gpu": "H100-SXM", "count": 4096, "start_month": 0},
            {"gpu": "B200", "count": 1024, "start_month": 6},
        ]
    }
    data.update(kwargs)
    return Fleet.model_validate(data)


def test_month_hours_make_a_typical_year():
    assert MONTH_HOURS.sum() == 8760
    assert (HOUR_MONTH == 1).sum() == 28 * 24


def test_training_load_fraction_by_hand():
    # Training at the measured 79 % of node rating (Latif et al. 2025; Newkirk et al. 2025) when
    # busy, 25 % when idle, 85 % utilization: 0.25 + (0.79 - 0.25) * 0.85 = 0.709.
    fp = fleet_power(fleet(utilization=0.85), GPUS, PARAMS)
    assert np.allclose(fp.load_fraction, 0.709)
    assert fp.load_fraction.shape == (8760,)


def test_design_it_load_by_hand():
    # 4096 x 1275 W x 1.07 = 5,587.968 kW; 1024 x 1787.5 W x 1.07 = 1,958.528 kW.
    fp = fleet_power(fleet(), GPUS, PARAMS)
    assert fp.phases["design_it_kw"].tolist() == pytest.approx([5587.968, 1958.528])
    assert fp.design_it_mw == pytest.approx(7.546496)
    assert fp.rack_density_kw == 57.2
    assert fp.liquid_required is True


def test_inference_diurnal_keeps_the_mean_and_peaks_in_the_afternoon():
    # Weights 1 (hours 0-11) and 3 (hours 12-23) normalise to 0.5 and 1.5; utilization 0.5.
    activity = activity_profile("inference", 0.5, diurnal_hour_weights=PARAMS.diurnal_hour_weights)
    assert activity[:12] == pytest.approx([0.25] * 12)
    assert activity[12:24] == pytest.approx([0.75] * 12)
    assert activity.mean() == pytest.approx(0.5)


def test_inference_activity_is_capped_at_one():
    activity = activity_profile("inference", 0.9, diurnal_hour_weights=PARAMS.diurnal_hour_weights)
    assert activity.max() == 1.0  # 0.9 x 1.5 = 1.35 clipped


def test_monthly_load_factor_scales_each_month():
    factors = [0.5] + [1.0] * 11
    activity = activity_profile("training", 0.8, monthly_load_factor=factors)
    assert activity[: 31 * 24] == pytest.approx([0.4] * 744)
    assert activity[744] == pytest.approx(0.8)


def test_useful_hours_per_month_by_hand():
    fp = fleet_power(fleet(utilization=0.5), GPUS, PARAMS)
    # January: 744 hours x 0.5 = 372 useful GPU-hours per GPU.
    assert fp.useful_gpu_hours_per_month()[0] == pytest.approx(372.0)


def test_installed_load_waits_for_power():
    fp = fleet_power(fleet(), GPUS, PARAMS)
    installed = fp.installed_it_kw(12, ready_month=np.array([0, 3, 12]))
    assert installed.shape == (3, 12)
    assert installed[0, 0] == pytest.approx(5587.968)
    assert installed[0, 6] == pytest.approx(5587.968 + 1958.528)
    assert installed[1, :3].tolist() == [0.0, 0.0, 0.0]
    assert installed[1, 3] == pytest.approx(5587.968)
    assert installed[2].sum() == 0.0


def test_load_fraction_formula():
    assert load_fraction(np.array([0.0, 1.0]), 0.8, 0.2).tolist() == pytest.approx([0.2, 0.8])


def test_unknown_gpu_names_the_phase():
    bad = Fleet.model_validate(
        {"phases": [{"gpu": "H100-SXM", "count": 8}, {"gpu": "Z9", "count": 8}]}
    )
    with pytest.raises(
        InputError, match="unknown GPU model 'Z9'; expected one of H100-SXM, B200"
    ) as err:
        fleet_power(bad, GPUS, PARAMS)
    assert err.value.field == "fleet.phases[1].gpu"


def test_bad_diurnal_weights_are_rejected():
    words = "expected 24 non-negative hourly weights with a positive sum"
    for weights in ([1.0] * 23, [0.0] * 24, [1.0] * 23 + [-1.0]):
        with pytest.raises(InputError, match=words) as err:
            diurnal_shape(weights)
        assert err.value.field == "workload.diurnal_hour_weights"


def test_bad_utilization_is_rejected():
    with pytest.raises(InputError, match="expected a utilization between 0 and 1, got 1.5") as err:
        activity_profile("training", 1.5)
    assert err.value.field == "fleet.utilization"


def test_gpus_per_rack_sets_the_rack_density():
    # Two DGX H100 per rack (16 GPUs) is 2 x 10.2 kW = 20.4 kW, under the ~40 kW line where
    # air cooling ends; two DGX B200 (16 GPUs) is 2 x 14.3 = 28.6 kW (NVIDIA datasheets).
    fp = fleet_power(fleet(gpus_per_rack=16), GPUS, PARAMS)
    assert fp.phases["rack_density_kw"].tolist() == pytest.approx([20.4, 28.6])
    assert fp.rack_density_kw == pytest.approx(28.6)
    # The catalog's typical racks when the scenario says nothing (4 DGX H100 = 40.8 kW).
    assert fleet_power(fleet(), GPUS, PARAMS).phases["rack_density_kw"].iloc[0] == 40.8


def test_gpus_per_rack_must_be_positive():
    with pytest.raises(ValueError, match=r"gpus_per_rack\n  Input should be greater than 0"):
        fleet(gpus_per_rack=0)
    # Read from a scenario, the same rule is one sentence naming the field.
    from planner.scenario import scenario_from_dict

    data = {"scenario": {"name": "r"}, "fleet": {"phases": [{"gpu": "B200", "count": 8}]}}
    data["fleet"]["gpus_per_rack"] = 0
    with pytest.raises(InputError, match=r"greater than 0 \(got 0\)") as err:
        scenario_from_dict(data)
    assert err.value.field == "fleet.gpus_per_rack"
