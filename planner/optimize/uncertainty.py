"""Monte Carlo robustness of the weighted score (the screening ranking).

The recommendation's own robustness and tornado are :mod:`planner.optimize.robustness` and
:mod:`planner.optimize.tornado`.

No re-evaluation: each draw rescales the cached cost components of every site.

Model of a draw (all factors lognormal with median 1, ``exp(sigma z)``, ``z ~ N(0, 1)``;
sigmas from ``scenario.analysis.uncertainty``):

- electricity price ``f_price``, one draw per ``region_code`` (regional markets move apart):
  the market part of ``cost_energy_usd`` scales with it; the PPA share (``energy.ppa_share``)
  stays at its strike price;
- carbon intensity ``f_carbon``, one draw per ``region_code``: ``co2_market_t_per_year`` and
  ``cost_carbon_usd`` scale with it;
- PUE ``f_pue``, one draw per site (cooling-model error): facility energy, hence energy cost,
  CO2 and carbon cost, scale with it;
- fleet growth ``f_growth``, one draw per draw (global): every cost except the site's fixed cost
  (``site_fixed_cost_usd``) and the GPU-hours delivered scale with it, so fixed costs are spread
  over more or fewer GPU-hours.

``usd_per_gpu_hour = (fixed + f_growth (tco - fixed + d_energy + d_carbon)) / (f_growth H)``
with ``H = tco_usd / usd_per_gpu_hour`` the GPU-hours of the base evaluation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.optimize.rank import CRITERIA, contributions, criteria_values, weight_vector
from planner.progress import ProgressCallback, report
from planner.results import Evaluation
from planner.scenario import Scenario

P10_Z = 1.2815515655446004  # standard normal quantile at 0.9
# Draws per vectorised batch: a batch holds draws x sites x criteria numbers, so about 2
# million draw-sites (100 MB a criterion) whatever the number of sites.
_CHUNK_DRAW_SITES = 2_000_000


class _Components:
    """Cached per-site arrays a draw rescales."""

    def __init__(self, evaluation: Evaluation, scenario: Scenario) -> None:
        m = evaluation.metrics
        num = lambda col: (  # noqa: E731
            pd.to_numeric(m[col], errors="coerce").fillna(0.0).to_numpy(float)
            if col in m
            else np.zeros(len(m))
        )
        self.tco = num("tco_usd")
        self.usd_per_gpu_hour = num("usd_per_gpu_hour")
        with np.errstate(divide="ignore", invalid="ignore"):
            hours = self.tco / self.usd_per_gpu_hour
        self.gpu_hours = np.where(np.isfinite(hours) & (hours > 0), hours, np.nan)
        self.energy = num("cost_energy_usd")
        self.carbon_cost = num("cost_carbon_usd")
        self.co2 = (
            num("co2_market_t_per_year")
            if "co2_market_t_per_year" in m
            else num("co2_location_t_per_year")
        )
        self.fixed = np.nan_to_num(
            evaluation.site_fixed_cost_usd.reindex(m.index).to_numpy(float), nan=0.0
        )
        regions = (
            m["region_code"].astype(str).to_numpy()
            if "region_code" in m
            else np.asarray(m.index, str)
        )
        self.region_labels, self.region_index = np.unique(regions, return_inverse=True)
        self.ppa_share = scenario.energy.ppa_share
        self.cost_metric = scenario.objective.cost_metric

    def apply(
        self, f_price: np.ndarray, f_carbon: np.ndarray, f_pue: np.ndarray, f_growth: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cost (USD), USD per GPU-hour and CO2 (t/yr) per draw and site; factors broadcast to
        (draws, sites)."""
        energy_factor = (self.ppa_share + (1.0 - self.ppa_share) * f_price) * f_pue
        carbon_factor = f_carbon * f_pue
        variable = (
            self.tco
            - self.fixed
            + self.energy * (energy_factor - 1.0)
            + self.carbon_cost * (carbon_factor - 1.0)
        )
        cost = self.fixed + f_growth * variable
        per_hour = cost / (f_growth * self.gpu_hours)
        co2 = self.co2 * carbon_factor * f_growth
        return cost, per_hour, co2


def _draw_factors(
    rng: np.random.Generator, n: int, comp: _Components, unc: object
) -> tuple[np.ndarray, ...]:
    n_regions = len(comp.region_labels)
    n_sites = len(comp.tco)
    f_price = np.exp(unc.price_sigma * rng.standard_normal((n, n_regions)))[:, comp.region_index]  # type: ignore[attr-defined]
    f_carbon = np.exp(unc.carbon_sigma * rng.standard_normal((n, n_regions)))[:, comp.region_index]  # type: ignore[attr-defined]
    f_pue = np.exp(unc.pue_sigma * rng.standard_normal((n, n_sites)))  # type: ignore[attr-defined]
    f_growth = np.exp(unc.growth_sigma * rng.standard_normal((n, 1)))  # type: ignore[attr-defined]
    return f_price, f_carbon, f_pue, f_growth


def monte_carlo(
    evaluation: Evaluation,
    scenario: Scenario,
    feasible: np.ndarray | pd.Series | None = None,
    *,
    draws: int | None = None,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """How robust the ranking is: rank-first and top-k frequencies and cost percentiles.

    Parameters
    ----------
    evaluation, scenario :
        Cached metrics, and the spreads, weights and cost metric.
    feasible : bool array or Series, optional
        Screening result; only feasible sites compete for rank 1 (default: all sites).
    draws, seed : int, optional
        Override ``scenario.analysis.uncertainty.draws`` / ``seed``.

    Returns
    -------
    DataFrame
        Index ``site_id`` (metrics order): ``p_first``, ``p_top_k`` (k =
        ``uncertainty.top_k``), ``usd_per_gpu_hour_p10``, ``usd_per_gpu_hour_p50``,
        ``usd_per_gpu_hour_p90``. Same seed, same numbers.
    """
    unc = scenario.analysis.uncertainty
    n_draws = unc.draws if draws is None else int(draws)
    if n_draws <= 0:
        raise ValueError("Monte Carlo needs at least one draw")
    rng = np.random.default_rng(unc.seed if seed is None else seed)
    comp = _Components(evaluation, scenario)
    metrics = evaluation.metrics
    mask = _mask(metrics, feasible)
    w = weight_vector(scenario.objective.weights)
    base = criteria_values(metrics, scenario.objective.cost_metric)
    cost_j, carbon_j = CRITERIA.index("cost"), CRITERIA.index("carbon")
    k = min(unc.top_k, max(int(mask.sum()), 1))

    first = np.zeros(len(metrics))
    top = np.zeros(len(metrics))
    per_hour_all = np.empty((n_draws, len(metrics)))
    done = 0
    chunk = max(1, _CHUNK_DRAW_SITES // max(len(metrics), 1))
    while done < n_draws:
        n = min(chunk, n_draws - done)
        f = _draw_factors(rng, n, comp, unc)
        cost, per_hour, co2 = comp.apply(*f)
        per_hour_all[done : done + n] = per_hour
        values = np.broadcast_to(base, (n, *base.shape)).copy()
        values[:, :, cost_j] = (
            per_hour if scenario.objective.cost_metric == "usd_per_gpu_hour" else cost
        )
        if np.isfinite(base[:, carbon_j]).any():
            values[:, :, carbon_j] = co2
        score = contributions(values, mask, w).sum(axis=-1)
        score = np.where(mask[None, :], score, -np.inf)
        # Position of each site in its draw's order (0 = first) without a full double argsort.
        order = np.argsort(-score, axis=1, kind="stable")
        first += np.bincount(order[:, 0], minlength=len(metrics))
        top += np.bincount(order[:, :k].ravel(), minlength=len(metrics))
        done += n
        report(progress, "Monte Carlo", done / n_draws)
    first[~mask] = 0
    top[~mask] = 0
    p10, p50, p90 = np.nanpercentile(per_hour_all, [10, 50, 90], axis=0)
    return pd.DataFrame(
        {
            "p_first": first / n_draws,
            "p_top_k": top / n_draws,
            "usd_per_gpu_hour_p10": p10,
            "usd_per_gpu_hour_p50": p50,
            "usd_per_gpu_hour_p90": p90,
        },
        index=metrics.index.copy(),
    ).rename_axis("site_id")


def _mask(metrics: pd.DataFrame, feasible: np.ndarray | pd.Series | None) -> np.ndarray:
    if feasible is None:
        return np.ones(len(metrics), dtype=bool)
    if isinstance(feasible, pd.DataFrame):
        feasible = feasible["feasible"]
    if isinstance(feasible, pd.Series):
        return feasible.reindex(metrics.index).fillna(False).to_numpy(dtype=bool)
    return np.asarray(feasible, dtype=bool)
