"""Fleet power: what the GPUs draw, hour by hour over a typical year, month by month of the horizon.

A fleet is a list of phases (GPU model, count, start month). Each GPU carries its share of a
node's maximum power (``node_power_w_per_gpu`` in the GPU catalog, e.g. an 8-GPU H100 server of
10.2 kW is 1,275 W per GPU). Network and storage add ``network_overhead_fraction`` on top
(default 7 %, an assumption of the scenario schema).

The *design IT load* is what the building must be able to deliver: every GPU at its node's
maximum, plus overhead. The *hourly load fraction* is the share of that design load drawn in
each hour of a typical year:

    load_fraction(h) = idle + (busy - idle) * activity(h)

with ``busy`` the node's draw while working (training measured at 76-82 % of the rating: Latif
et al. 2025, Newkirk et al. 2025), ``idle`` its draw while idle, and ``activity(h)`` the share of
GPUs doing useful work in hour ``h``: flat ``utilization`` for training; ``utilization`` times a
diurnal shape (mean 1) for inference; both times ``fleet.monthly_load_factor`` when given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.scenario import Fleet, Workload

HOURS_PER_YEAR = 8760
DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
MONTH_HOURS = DAYS_PER_MONTH * 24
MONTH_START_HOUR = np.concatenate([[0], np.cumsum(MONTH_HOURS)[:-1]])
HOUR_MONTH = np.repeat(np.arange(12), MONTH_HOURS)
"""Calendar month (0 = January) of each hour of the typical year."""
HOUR_OF_DAY = np.tile(np.arange(24), 365)


@dataclass(frozen=True)
class WorkloadParams:
    """Share of a node's maximum power drawn when busy and when idle, and the diurnal shape.

    Attributes
    ----------
    training_busy_fraction, inference_busy_fraction, idle_fraction : float
        Fractions 0-1 of the node's maximum power.
    diurnal_hour_weights : sequence of 24 floats
        Relative inference activity for hours 0-23 (normalised to mean 1 here).
    """

    training_busy_fraction: float = 0.79
    inference_busy_fraction: float = 0.7
    idle_fraction: float = 0.25
    diurnal_hour_weights: tuple[float, ...] = (1.0,) * 24

    @classmethod
    def from_dict(cls, values: dict) -> WorkloadParams:
        return cls(
            training_busy_fraction=float(values["training_busy_fraction"]),
            inference_busy_fraction=float(values["inference_busy_fraction"]),
            idle_fraction=float(values["idle_fraction"]),
            diurnal_hour_weights=tuple(float(v) for v in values["diurnal_hour_weights"]),
        )


def diurnal_shape(hour_weights: np.ndarray | list[float] | tuple[float, ...]) -> np.ndarray:
    """24 hourly weights normalised to mean 1.

    Raises
    ------
    InputError
        If there are not 24 non-negative weights with a positive sum.
    """
    weights = np.asarray(hour_weights, dtype=float)
    if weights.shape != (24,) or np.any(weights < 0) or weights.sum() <= 0:
        raise InputError(
            "expected 24 non-negative hourly weights with a positive sum",
            field="workload.diurnal_hour_weights",
        )
    return weights / weights.mean()


def activity_profile(
    workload: Workload | str,
    utilization: float,
    *,
    diurnal_hour_weights: np.ndarray | list[float] | tuple[float, ...] | None = None,
    monthly_load_factor: list[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Share of installed GPUs doing useful work in each hour of the typical year, shape (8760,).

    Training is flat at ``utilization``. Inference follows ``utilization`` times the diurnal
    shape (mean 1), clipped to 1 (the fleet cannot be busier than all of it). A
    ``monthly_load_factor`` (12 values, January first) multiplies either.
    """
    if not 0.0 <= utilization <= 1.0:
        raise InputError(
            f"expected a utilization between 0 and 1, got {utilization}", field="fleet.utilization"
        )
    if Workload(workload) is Workload.training or diurnal_hour_weights is None:
        activity = np.full(HOURS_PER_YEAR, float(utilization))
    else:
        activity = utilization * diurnal_shape(diurnal_hour_weights)[HOUR_OF_DAY]
    if monthly_load_factor is not None:
        factors = np.asarray(monthly_load_factor, dtype=float)
        if factors.shape != (12,):
            raise InputError("expected 12 monthly values", field="fleet.monthly_load_factor")
        activity = activity * factors[HOUR_MONTH]
    return np.clip(activity, 0.0, 1.0)


def load_fraction(activity: np.ndarray, busy_fraction: float, idle_fraction: float) -> np.ndarray:
    """Share of the design IT load drawn each hour: ``idle + (busy - idle) * activity``.

    Parameters
    ----------
    activity : ndarray
        Share 0-1 of GPUs doing useful work.
    busy_fraction, idle_fraction : float
        Node power while working / idle as a share of its maximum.
    """
    return idle_fraction + (busy_fraction - idle_fraction) * np.asarray(activity, dtype=float)


@dataclass
class FleetPower:
    """The fleet's power, independent of site.

    Attributes
    ----------
    phases : DataFrame
        One row per phase (index ``phase_0``...): ``gpu, count, start_month, node_w_per_gpu,
        it_kw_per_gpu`` (with overhead), ``design_it_kw, rack_density_kw, liquid_required``.
    activity : ndarray, shape (8760,)
        Share of GPUs doing useful work each hour.
    load_fraction : ndarray, shape (8760,)
        Share of the design IT load drawn each hour.
    design_it_mw : float
        Whole fleet at maximum node power plus overhead, MW.
    rack_density_kw : float
        Densest rack of any phase, kW.
    liquid_required : bool
        Whether any phase's GPUs need liquid cooling.
    """

    phases: pd.DataFrame
    activity: np.ndarray
    load_fraction: np.ndarray
    design_it_mw: float
    rack_density_kw: float
    liquid_required: bool

    @property
    def phase_names(self) -> list[str]:
        return list(self.phases.index)

    def useful_gpu_hours_per_month(self) -> np.ndarray:
        """Useful GPU-hours per installed GPU in each calendar month, shape (12,)."""
        return np.add.reduceat(self.activity, MONTH_START_HOUR)

    def installed_it_kw(self, horizon_months: int, ready_month: np.ndarray | int = 0) -> np.ndarray:
        """Design IT kW installed and powered in each month of the horizon.

        A phase counts from ``max(start_month, ready_month)``: its GPUs cannot run before the
        site has power. Broadcasts over ``ready_month`` (shape (n,) gives (n, horizon_months)).
        Multiply by ``load_fraction`` over the hours of month ``m % 12`` for hourly kW.
        """
        ready = np.asarray(ready_month)
        months = np.arange(horizon_months)
        starts = np.maximum(self.phases["start_month"].to_numpy()[:, None], ready[..., None, None])
        running = months >= starts  # (..., phases, months)
        return np.einsum("p,...pm->...m", self.phases["design_it_kw"].to_numpy(float), running)


def fleet_power(
    fleet: Fleet,
    gpus: pd.DataFrame,
    params: WorkloadParams,
) -> FleetPower:
    """Power of a fleet from its phases, the GPU catalog and the workload parameters.

    Parameters
    ----------
    fleet : planner.scenario.Fleet
    gpus : DataFrame
        The catalog's GPU table, index ``gpu_id``, with ``node_power_w_per_gpu,
        rack_density_kw, liquid_required``.
    params : WorkloadParams

    Raises
    ------
    InputError
        If a phase names a GPU that is not in the catalog.
    """
    rows = []
    for i, phase in enumerate(fleet.phases):
        if phase.gpu not in gpus.index:
            raise InputError(
                f"unknown GPU model '{phase.gpu}'; "
                f"expected one of {', '.join(map(str, gpus.index))}",
                field=f"fleet.phases[{i}].gpu",
            )
        gpu = gpus.loc[phase.gpu]
        node_w = float(gpu["node_power_w_per_gpu"])
        it_kw = node_w * (1.0 + fleet.network_overhead_fraction) / 1000.0
        rows.append(
            {
                "gpu": phase.gpu,
                "count": int(phase.count),
                "start_month": int(phase.start_month),
                "node_w_per_gpu": node_w,
                "it_kw_per_gpu": it_kw,
                "design_it_kw": it_kw * phase.count,
                # A planner's own rack layout replaces the catalog's typical rack.
                "rack_density_kw": (
                    float(gpu["rack_density_kw"])
                    if fleet.gpus_per_rack is None
                    else fleet.gpus_per_rack * node_w / 1000.0
                ),
                "liquid_required": bool(gpu["liquid_required"]),
            }
        )
    phases = pd.DataFrame(
        rows, index=pd.Index([f"phase_{i}" for i in range(len(rows))], name="phase")
    )
    busy = (
        params.training_busy_fraction
        if Workload(fleet.workload) is Workload.training
        else params.inference_busy_fraction
    )
    activity = activity_profile(
        fleet.workload,
        fleet.utilization,
        diurnal_hour_weights=params.diurnal_hour_weights,
        monthly_load_factor=fleet.monthly_load_factor,
    )
    return FleetPower(
        phases=phases,
        activity=activity,
        load_fraction=load_fraction(activity, busy, params.idle_fraction),
        design_it_mw=float(phases["design_it_kw"].sum()) / 1000.0,
        rack_density_kw=float(phases["rack_density_kw"].max()),
        liquid_required=bool(phases["liquid_required"].any()),
    )
