"""Fast portfolio search: the three capacities by SLSQP, each trial scored by greedy dispatch.

The full LP (:mod:`planner.cfe.solve`) has about 35,000 variables for a year and takes
seconds to tens of seconds on HiGHS. Here the problem is kept in its three capacities:
minimise the annual net cost subject to ``score(S, W, E) >= target``, where ``score`` is the
greedy dispatch's CFE score (exact and vectorised, under a millisecond per portfolio).

- When the grid's carbon-free share is the same in every hour, greedy dispatch is optimal,
  the score is concave in the capacities and this solves the same problem as the LP (up to
  the optimiser's tolerance).
- When the share varies by hour, greedy does not save energy for the dirtiest hours: its
  score is at most the LP's, so the portfolio found still meets the target (conservative)
  and may cost a little more than the LP's.

The gradients of cost and score are exact (:func:`planner.cfe.dispatch.greedy_tangent`:
one dispatch and a cumulative sum, no finite differences), so each SLSQP step costs about
one dispatch. The answer is always checked: if the optimiser stops slightly short of the
target the capacities are scaled up until greedy dispatch meets it. Then the gradients
gathered on the way, as cutting planes, bound the least cost from below; where SLSQP
stalled at a kink of the score they lead on to the optimum (:meth:`_Search.polish`).
benchmarks/bench_cfe.py measures the cost difference against the full LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize

from planner.cfe.dispatch import greedy_dispatch, greedy_tangent
from planner.cfe.model import CfeSite, PortfolioCosts

MAX_ITERATIONS = 60  # SLSQP zig-zags at kinks (e.g. battery power = peak load); enough there
TOLERANCE = 1e-6  # SLSQP's, on the cost over the dearest unit cost; the planes finish
MAX_CUTS = 30  # cutting-plane steps after SLSQP; a few where SLSQP stalls at a kink
GAP = 1e-4  # stop within this share of the portfolio's gross cost of the lower bound
FLOOR_MWH = 1e-9  # gradients at E = 0 are taken at this much storage (one-sided)


@dataclass(frozen=True)
class _Problem:
    """One site's arrays for scoring and costing portfolios (peak load 1 MW)."""

    site: CfeSite
    costs: PortfolioCosts
    unit_usd: np.ndarray  # (3,) annual cost per MW solar, MW wind, MWh battery
    matched_usd: np.ndarray  # (hours,) annual cost per MW matched in each hour (<= 0)
    weight: np.ndarray  # (hours,) score per MW matched in each hour
    floor: float  # the score with nothing matched (the grid's share)
    d_net: np.ndarray  # (3, hours) net output per MW solar, MW wind, MWh battery
    per_mw: np.ndarray  # (hours, 2): matched_usd and weight side by side

    @classmethod
    def of(cls, site: CfeSite, costs: PortfolioCosts) -> _Problem:
        from planner.cfe.solve import _objective

        c = _objective(site, costs)
        load = site.load_mw
        return cls(
            site,
            costs,
            c[:3],
            c[3 : 3 + site.hours],
            (1.0 - site.grid_cfe) / load.sum(),
            float((site.grid_cfe * load).sum() / load.sum()),
            np.stack([site.solar_cf, site.wind_cf, np.zeros(site.hours)]),
            np.column_stack([c[3 : 3 + site.hours], (1.0 - site.grid_cfe) / load.sum()]),
        )

    def value(self, caps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Annual net cost and CFE score of portfolios ``caps`` (k, 3)."""
        gen = caps[:, 0:1] * self.site.solar_cf + caps[:, 1:2] * self.site.wind_cf
        charge, discharge, _ = greedy_dispatch(
            gen - self.site.load_mw,
            caps[:, 2],
            self.costs.battery_duration_h,
            self.costs.efficiency_one_way,
        )
        matched = np.clip(gen + discharge - charge, 0.0, self.site.load_mw)
        return caps @ self.unit_usd + matched @ self.matched_usd, matched @ self.weight + self.floor

    def gradient(self, x: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """Cost, score and their gradients over (S, W, E) of one portfolio ``x`` (3,)."""
        site, eta = self.site, self.costs.efficiency_one_way
        energy = max(float(x[2]), FLOOR_MWH)
        gen = x[0] * site.solar_cf + x[1] * site.wind_cf
        net = gen - site.load_mw
        charge, discharge, soc = greedy_dispatch(
            net, np.array(energy), self.costs.battery_duration_h, eta
        )
        matched = np.clip(gen + discharge - charge, 0.0, site.load_mw)
        d_soc = greedy_tangent(
            net, self.d_net, np.eye(3)[2], energy, self.costs.battery_duration_h, eta, soc
        )
        # matched moves only in hours of deficit (in surplus it is the load), by gen +
        # discharge = gen - eta * (soc_{h+1} - soc_h); summed by parts over the cyclic year
        per_mw = self.per_mw * (net < 0)[:, None]  # (hours, 2): cost and score per MW
        d_sums = self.d_net @ per_mw + eta * d_soc @ (per_mw - np.roll(per_mw, 1, axis=0))
        return (
            float(x @ self.unit_usd + matched @ self.matched_usd),
            float(matched @ self.weight + self.floor),
            self.unit_usd + d_sums[:, 0],
            d_sums[:, 1],
        )


def evaluate(site: CfeSite, costs: PortfolioCosts, caps: np.ndarray) -> tuple[np.ndarray, ...]:
    """Annual net cost and CFE score of portfolios ``caps`` (k, 3) under greedy dispatch."""
    return _Problem.of(site, costs).value(np.asarray(caps, dtype=float))


def fast_capacities(site: CfeSite, target: float, costs: PortfolioCosts) -> np.ndarray | None:
    """Least-cost (S, W, E) meeting ``target`` under greedy dispatch; None if out of reach.

    ``site`` has a peak load of 1 MW. SLSQP from a balanced portfolio with storage (then
    solar-led, wind-led if that cannot be made feasible), then cutting planes
    (:meth:`_Search.polish`) until the cost is within :data:`GAP` of a lower bound.
    """
    problem = _Problem.of(site, costs)
    cap = costs.max_build_multiple
    upper = np.array([cap, cap, cap * costs.battery_duration_h])
    if problem.value(upper[None, :])[1][0] < target - 1e-12:
        return None
    search = _Search(problem, target, upper)
    for start in ([1.5, 1.5, 2.0], [2.0, 0.5, 0.0], [0.5, 2.0, 0.0]):
        x = search.repair(search.slsqp(np.minimum(start, upper)))
        if x is not None:
            return search.polish(x)  # a convex problem: the other starts are a fallback only
    return None


class _Search:
    """One site's search; every portfolio scored with gradients is kept as a cutting plane."""

    def __init__(self, problem: _Problem, target: float, upper: np.ndarray) -> None:
        self.problem, self.target, self.upper = problem, target, upper
        self.scale = max(1.0, float(np.abs(problem.unit_usd).max()))
        self.points: dict[bytes, tuple[np.ndarray, float, float, np.ndarray, np.ndarray]] = {}

    def at(self, x: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """Cost, score and their gradients at ``x`` (clipped to the bounds), memoised."""
        x = np.clip(x, 0.0, self.upper)
        key = x.tobytes()
        if key not in self.points:
            self.points[key] = (x, *self.problem.gradient(x))
        return self.points[key][1:]

    def slsqp(self, x0: np.ndarray) -> np.ndarray:
        """SLSQP on (S, W, E) with exact gradients, one dispatch per new point."""
        result = minimize(
            lambda x: self.at(x)[0] / self.scale,
            x0,
            jac=lambda x: self.at(x)[2] / self.scale,
            bounds=[(0.0, u) for u in self.upper],
            constraints=[
                {
                    "type": "ineq",
                    "fun": lambda x: np.array([self.at(x)[1] - self.target]),
                    "jac": lambda x: self.at(x)[3][None, :],
                }
            ],
            method="SLSQP",
            options={"maxiter": MAX_ITERATIONS, "ftol": TOLERANCE},
        )
        return np.clip(result.x, 0.0, self.upper)

    def repair(self, x: np.ndarray) -> np.ndarray | None:
        """x, scaled up until greedy dispatch meets the target (None if even the bound fails).

        The first try is twice the Newton step along x (the score is concave along the ray,
        so one Newton step falls short); then that step times 4, 16, ... up to doubling x.
        """
        _, score, _, d_score = self.at(x)
        if score >= self.target - 1e-12:
            return x
        slope = float(d_score @ x)
        first = 2.0 * (self.target - score) / slope if slope > 0 else 1e-6
        for rel in (np.array([first]), first * 4.0 ** np.arange(1, 12)):
            rel = np.minimum(rel, 1.0)
            trials = np.minimum(x * (1.0 + rel[:, None]) + 1e-3 * rel[:, None], self.upper)
            ok = np.flatnonzero(self.problem.value(trials)[1] >= self.target - 1e-12)
            if ok.size:
                return trials[ok[0]]
        return None

    def polish(self, x: np.ndarray) -> np.ndarray:
        """Kelley's cutting planes from feasible ``x``: the cheapest feasible point found.

        With a concave score and a convex cost (a flat grid share; a virtual contract, or a
        physical one at a flat price) every gradient gives a plane above the score and one
        below the cost, so the least cost over the planes is a lower bound: stop when ``x``
        is within :data:`GAP` of it. Otherwise the planes only propose portfolios, kept if
        feasible (after :meth:`repair`) and cheaper, so the answer is never worse than x.
        """
        best, best_usd = x, self.at(x)[0]
        for _ in range(MAX_CUTS):
            lower_usd, y = self._planes_minimum()
            slack = GAP * (float(np.abs(self.problem.unit_usd) @ best) + 1e-3 * self.scale)
            if y is None or best_usd - lower_usd <= slack:
                break
            y = self.repair(y)
            if y is not None and self.at(y)[0] < best_usd:
                best, best_usd = y, self.at(y)[0]
        return best

    def _planes_minimum(self) -> tuple[float, np.ndarray | None]:
        """The least cost t over (S, W, E, t) above every cost plane, score planes >= target."""
        x, usd, score, d_usd, d_score = (
            np.array(v) for v in zip(*self.points.values(), strict=True)
        )
        k = len(usd)
        # score_i + d_score_i . (y - x_i) >= target;  usd_i + d_usd_i . (y - x_i) <= t
        a_ub = np.block([[-d_score, np.zeros((k, 1))], [d_usd, -np.ones((k, 1))]])
        b_ub = np.concatenate(
            [score - self.target - (d_score * x).sum(1), (d_usd * x).sum(1) - usd]
        )
        bounds = [(0.0, u) for u in self.upper] + [(None, None)]
        solved = linprog(np.eye(4)[3], A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        if solved.status != 0:
            return -np.inf, None
        return float(solved.fun), np.clip(solved.x[:3], 0.0, self.upper)
