"""Weighted multi-criteria ranking with the contribution of each criterion per site.

Each criterion is a metrics column where lower is better. It is min-max normalised over the
*feasible* sites to 0 (worst) .. 1 (best); the score is the weighted mean of the normalised
criteria, so it lies in 0..1 and ``sum(contrib_<criterion>) == score`` exactly. Infeasible
sites are scored on the same scale (clipped to 0..1) and ranked after every feasible one.

Changing weights needs no re-evaluation: :func:`rank_sites` reads the cached metrics and runs
in about a millisecond for a thousand sites (see ``benchmarks/bench_optimize.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

CRITERIA: tuple[str, ...] = ("cost", "carbon", "water", "latency", "risk", "time_to_power")
"""Criterion names, in the order of the ``contrib_<criterion>`` columns."""

COST_COLUMNS = {"usd_per_gpu_hour": "usd_per_gpu_hour", "tco": "tco_usd"}


def criterion_columns(cost_metric: str = "usd_per_gpu_hour") -> dict[str, tuple[str, ...]]:
    """Metrics column(s) behind each criterion, first present one used.

    Water uses the stress-weighted volume when the evaluation provides it (a litre in a dry
    basin counts more than one in a wet basin), else the plain volume.
    """
    if cost_metric not in COST_COLUMNS:
        raise ValueError(f"cost_metric must be one of {sorted(COST_COLUMNS)}, got {cost_metric!r}")
    return {
        "cost": (COST_COLUMNS[cost_metric],),
        "carbon": ("co2_market_t_per_year", "co2_location_t_per_year"),
        "water": ("water_weighted_m3_per_year", "water_m3_per_year"),
        "latency": ("latency_ms",),
        "risk": ("risk_score",),
        # The month power and building are both ready (the build lead can be the longer wait);
        # the grid's own time to power for evaluations that do not give it.
        "time_to_power": ("ready_month", "time_to_power_months"),
    }


def criteria_values(metrics: pd.DataFrame, cost_metric: str = "usd_per_gpu_hour") -> np.ndarray:
    """Matrix (n_sites, len(CRITERIA)) of raw criterion values, NaN where a column is missing."""
    out = np.full((len(metrics), len(CRITERIA)), np.nan)
    for j, (_, columns) in enumerate(criterion_columns(cost_metric).items()):
        for col in columns:
            if col in metrics.columns:
                out[:, j] = pd.to_numeric(metrics[col], errors="coerce").to_numpy(dtype=float)
                break
    return out


def weight_vector(weights: Mapping[str, float] | object) -> np.ndarray:
    """Weights in CRITERIA order from a dict or a :class:`planner.scenario.Weights`."""
    if hasattr(weights, "as_dict"):
        weights = weights.as_dict()  # type: ignore[union-attr]
    assert isinstance(weights, Mapping)
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria {sorted(unknown)}; expected some of {list(CRITERIA)}")
    w = np.array([float(weights.get(c, 0.0)) for c in CRITERIA])
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and non-negative")
    return w


def contributions(values: np.ndarray, feasible: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted normalised contributions, vectorised over leading axes (e.g. Monte Carlo draws).

    Parameters
    ----------
    values : ndarray, shape (..., n_sites, n_criteria)
        Raw criterion values, lower is better.
    feasible : ndarray of bool, shape (n_sites,)
        Sites that define the normalisation range.
    weights : ndarray, shape (n_criteria,)
        Non-negative weights; criteria with no finite value among feasible sites drop out and
        the remaining weights are rescaled to sum to 1.

    Returns
    -------
    ndarray, same shape as ``values``
        Contributions in 0..1 whose sum over the last axis is the score.
    """
    ref = values[..., feasible, :] if feasible.any() else values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN criteria are handled below
        lo = np.nanmin(ref, axis=-2, keepdims=True)
        hi = np.nanmax(ref, axis=-2, keepdims=True)
    span = hi - lo
    flat = ~(span > 0)
    norm = np.where(flat, 1.0, (hi - values) / np.where(flat, 1.0, span))
    norm = np.clip(np.nan_to_num(norm, nan=0.0), 0.0, 1.0)
    # A criterion nobody can be judged on (all NaN, e.g. latency without demand centers) drops out.
    present = np.isfinite(lo)
    w = np.where(present, weights, 0.0)
    total = w.sum(axis=-1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
    return norm * w


def rank_order(score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """1-based rank per site: feasible sites by score (best first), then infeasible by score."""
    # lexsort sorts by the last key first: infeasible after feasible, then higher score first.
    order = np.lexsort((-score, ~feasible))
    rank = np.empty(len(score), dtype=int)
    rank[order] = np.arange(1, len(score) + 1)
    return rank


def rank_sites(
    metrics: pd.DataFrame,
    screen: pd.DataFrame | pd.Series | None = None,
    weights: Mapping[str, float] | object | None = None,
    cost_metric: str = "usd_per_gpu_hour",
) -> pd.DataFrame:
    """Rank sites by a weighted multi-criteria score.

    Parameters
    ----------
    metrics : DataFrame
        ``Evaluation.metrics`` (index ``site_id``).
    screen : DataFrame or Series, optional
        :func:`planner.optimize.screen.screen_sites` output (``feasible``, ``reasons``) or a bool
        Series of feasibility; default every site feasible.
    weights : dict or Weights, optional
        Criterion -> weight (``cost, carbon, water, latency, risk, time_to_power``); default
        the scenario defaults.
    cost_metric : {"usd_per_gpu_hour", "tco"}
        Which cost column the ``cost`` criterion reads.

    Returns
    -------
    DataFrame
        Index ``site_id`` in rank order: ``rank, score, feasible, reasons,
        contrib_<criterion>`` (see docs/nomenclature.md "Ranking").
    """
    if weights is None:
        from planner.scenario import Weights

        weights = Weights()
    w = weight_vector(weights)
    feasible, reasons = _screen_arrays(metrics.index, screen)
    contrib = contributions(criteria_values(metrics, cost_metric), feasible, w)
    score = contrib.sum(axis=1)
    rank = rank_order(score, feasible)
    out = pd.DataFrame(
        {"rank": rank, "score": score, "feasible": feasible, "reasons": reasons},
        index=metrics.index.copy(),
    )
    for j, name in enumerate(CRITERIA):
        out[f"contrib_{name}"] = contrib[:, j]
    out.index.name = "site_id"
    return out.iloc[np.argsort(rank, kind="stable")]


def _screen_arrays(
    index: pd.Index, screen: pd.DataFrame | pd.Series | None
) -> tuple[np.ndarray, np.ndarray]:
    n = len(index)
    if screen is None:
        return np.ones(n, dtype=bool), np.full(n, "", dtype=object)
    if isinstance(screen, pd.Series):
        feasible = screen.reindex(index).fillna(False).to_numpy(dtype=bool)
        return feasible, np.full(n, "", dtype=object)
    screen = screen.reindex(index)
    feasible = screen["feasible"].fillna(False).to_numpy(dtype=bool)
    reasons = (
        screen["reasons"].fillna("").astype(str).to_numpy(dtype=object)
        if "reasons" in screen
        else np.full(n, "", dtype=object)
    )
    return feasible, reasons
