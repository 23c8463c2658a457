"""Solving the allocation MILP with scipy.optimize.milp (HiGHS): compile once, solve many times.

:func:`compile_problem` builds the layout, bounds and constraint groups of
:mod:`planner.optimize.allocate.model` once; :meth:`CompiledModel.solve` then forms only what
changes between solves (the objective vector, block costs, the bounds of the cap rows) and
calls HiGHS. :func:`solve` is the one-off form: compile, then solve once. Both give the same
matrices, so the same problem gives the same solution either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from planner.optimize.allocate.model import (
    Layout,
    Rows,
    VariableBounds,
    cap_row,
    constraint_groups,
    cost_cap_row,
    objective_vector,
    variable_bounds,
    variables,
)
from planner.optimize.allocate.problem import AllocationProblem


@dataclass
class Solution:
    """Raw MILP outcome on an :class:`AllocationProblem`."""

    status: str  # optimal / feasible / infeasible / error
    message: str
    blocks: np.ndarray | None = None  # (S, P) int
    gap: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible") and self.blocks is not None


class CompiledModel:
    """The allocation MILP of one problem, its matrices built once, to be solved many times.

    Made by :func:`compile_problem`. Holds the variable layout and bounds and every constraint
    group but the caps, stacked into one sparse matrix; the CO2 and water cap rows are built
    too and join the matrix only in a solve that sets their bound. A solve therefore costs
    HiGHS's own time and little else (see :meth:`solve`).

    Attributes
    ----------
    problem : AllocationProblem
    drop : frozenset of str
        Constraint groups left out (as in :func:`solve`).
    layout : Layout
    bounds : VariableBounds
    """

    def __init__(self, problem: AllocationProblem, drop: frozenset[str] = frozenset()) -> None:
        self.problem = problem
        self.drop = frozenset(drop)
        self.layout: Layout = variables(problem, self.drop)
        self.bounds: VariableBounds = variable_bounds(problem, self.layout, self.drop)
        groups = constraint_groups(problem, self.layout, self.bounds, self.drop)
        self._A = sparse.vstack([g.A for g in groups]).tocsr()
        self._lo = np.concatenate([g.lo for g in groups])
        self._hi = np.concatenate([g.hi for g in groups])
        # The cap rows' coefficients never change; a solve sets only their bound.
        self._co2_row = cap_row(self.layout, problem.block_co2_t, np.inf).A.tocsr()
        self._water_row = cap_row(self.layout, problem.block_water_m3, np.inf).A.tocsr()

    def solve(
        self,
        *,
        objective: str = "cost",
        block_cost_usd: np.ndarray | None = None,
        co2_cap_t: float | None = None,
        water_cap_m3: float | None = None,
        cost_cap_usd: float | None = None,
        time_limit_s: float = 60.0,
        mip_rel_gap: float = 1e-3,
    ) -> Solution:
        """Solve the compiled MILP, with what may change between solves given here.

        Parameters
        ----------
        objective : {"cost", "co2", "water"}
            What to minimise, as in :func:`solve`.
        block_cost_usd : (S, P) array, optional
            Block costs (USD) in place of ``problem.block_cost_usd``, for the ``cost``
            objective and the cost cap. The result is the same as :func:`solve` on
            ``dataclasses.replace(problem, block_cost_usd=block_cost_usd)``; like there, the
            values are used as given (keep disallowed pairs finite, e.g. 0).
        co2_cap_t, water_cap_m3, cost_cap_usd : float, optional
            Upper bounds on the fleet's CO2 (t), water (m3) and net present cost (USD), as in
            :func:`solve`; ignored when the model was compiled with ``"caps"`` in ``drop``.
        time_limit_s, mip_rel_gap : float
            Solver limits, as in :func:`solve`.

        Returns
        -------
        Solution
        """
        problem, layout = self.problem, self.layout
        if problem.n_sites == 0:
            return Solution("infeasible", "no candidate site")
        cost = self._block_cost(block_cost_usd)
        c = objective_vector(problem, layout, objective, cost)
        bad = _not_finite_message(problem, c, layout.nx, problem.n_phases, objective)
        if bad:  # HiGHS would scale by nan or inf and could call the result optimal
            return Solution("error", bad)
        # Scaled to order one so HiGHS's absolute tolerances mean something.
        scale = float(np.max(np.abs(c))) or 1.0
        A, lo, hi = self.constraints(co2_cap_t, water_cap_m3, cost_cap_usd, cost)
        result = milp(
            c / scale,
            integrality=np.ones(layout.nvar),
            bounds=Bounds(self.bounds.lower, self.bounds.upper),
            constraints=LinearConstraint(A, lo, hi),
            options={
                "time_limit": float(time_limit_s),
                "mip_rel_gap": float(mip_rel_gap),
                "disp": False,
            },
        )
        return _solution(result, layout, time_limit_s)

    def constraints(
        self,
        co2_cap_t: float | None = None,
        water_cap_m3: float | None = None,
        cost_cap_usd: float | None = None,
        block_cost_usd: np.ndarray | None = None,
    ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """``(A, lo, hi)``: the compiled rows, then the cap rows asked for (CO2, water, cost)."""
        caps: list[tuple[sparse.csr_matrix, float]] = []
        if "caps" not in self.drop:
            if co2_cap_t is not None:
                caps.append((self._co2_row, co2_cap_t))
            if water_cap_m3 is not None:
                caps.append((self._water_row, water_cap_m3))
            if cost_cap_usd is not None:
                cost = self._block_cost(block_cost_usd)
                row: Rows = cost_cap_row(self.layout, cost, cost_cap_usd)
                caps.append((row.A.tocsr(), float(row.hi[0])))
        if not caps:
            return self._A, self._lo, self._hi
        A = sparse.vstack([self._A, *(a for a, _ in caps)], format="csr")
        lo = np.concatenate([self._lo, np.full(len(caps), -np.inf)])
        hi = np.concatenate([self._hi, np.array([cap for _, cap in caps], dtype=float)])
        return A, lo, hi

    def _block_cost(self, block_cost_usd: np.ndarray | None) -> np.ndarray:
        if block_cost_usd is None:
            return self.problem.block_cost_usd
        cost = np.asarray(block_cost_usd, dtype=float)
        shape = (self.problem.n_sites, self.problem.n_phases)
        if cost.shape != shape:
            raise ValueError(f"block_cost_usd must have shape {shape}, got {cost.shape}")
        return cost


def compile_problem(
    problem: AllocationProblem, drop: frozenset[str] | set[str] = frozenset()
) -> CompiledModel:
    """Build the MILP's matrices once (see :class:`CompiledModel`; ``drop`` as in :func:`solve`)."""
    return CompiledModel(problem, frozenset(drop))


def solve(
    problem: AllocationProblem,
    *,
    objective: str = "cost",
    co2_cap_t: float | None = None,
    water_cap_m3: float | None = None,
    cost_cap_usd: float | None = None,
    drop: frozenset[str] | set[str] = frozenset(),
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-3,
) -> Solution:
    """Solve the allocation MILP.

    Builds the matrices on every call; to solve one problem many times (caps, block costs),
    :func:`compile_problem` once and call :meth:`CompiledModel.solve`.

    Parameters
    ----------
    problem : AllocationProblem
    objective : {"cost", "co2", "water"}
        What to minimise: fleet net present cost (USD), or CO2 (t) / water (m3) over the horizon.
    co2_cap_t, water_cap_m3 : float, optional
        Upper bounds on the fleet's CO2 and water (epsilon constraints of a Pareto sweep).
    cost_cap_usd : float, optional
        Upper bound on the fleet's net present cost (second stage of a lexicographic solve).
    drop : set of str
        Constraint groups to leave out (``capacity``, ``share``, ``sites``, ``latency:<i>``,
        ``grids``), used to find which rule makes a problem infeasible.
    time_limit_s : float
        Wall-clock limit of the solver; on hitting it the best allocation found is returned with
        status ``feasible`` and its gap.
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops (1e-3 = 0.1 %).
    """
    if problem.n_sites == 0:
        return Solution("infeasible", "no candidate site")
    return compile_problem(problem, drop).solve(
        objective=objective,
        co2_cap_t=co2_cap_t,
        water_cap_m3=water_cap_m3,
        cost_cap_usd=cost_cap_usd,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )


def fleet_cost_usd(problem: AllocationProblem, blocks: np.ndarray) -> float:
    """Objective value of an allocation: fixed costs of open sites plus block costs (USD).

    Each open site pays the fixed cost of the earliest-starting phase it serves.
    """
    return float(problem.site_fixed_cost(blocks).sum() + (blocks * problem.block_cost_usd).sum())


def _solution(result: OptimizeResult, layout: Layout, time_limit_s: float) -> Solution:
    """HiGHS's result in words: blocks (S, P), status and gap."""
    gap = getattr(result, "mip_gap", None)
    gap = None if gap is None or not np.isfinite(gap) else float(gap)
    if result.x is None:
        if result.status == 2:
            return Solution("infeasible", "the constraints cannot all be met")
        if result.status == 1:
            return Solution(
                "error", f"no allocation found within the {time_limit_s:g} s time limit"
            )
        return Solution("error", f"the solver stopped: {result.message}")
    shape = (layout.n_sites, layout.n_phases)
    blocks = np.rint(result.x[: layout.nx]).astype(int).reshape(shape)
    status = "optimal" if result.status == 0 else "feasible"
    message = (
        "optimal allocation found"
        if status == "optimal"
        else (f"time limit reached; best allocation found (gap {100 * (gap or 0):.2f} %)")
    )
    return Solution(status, message, blocks, gap)


def _not_finite_message(
    problem: AllocationProblem, c: np.ndarray, nx: int, n_phases: int, objective: str
) -> str:
    """Why the objective cannot be trusted (a coefficient, or the largest total, not finite)."""
    bad = np.flatnonzero(~np.isfinite(c))
    if len(bad):
        i = int(bad[0])
        if i < nx:
            s, p = divmod(i, n_phases)
            where = f"site {problem.site_ids[s]}, {problem.phase_label(p)}"
        else:
            where = "a site's fixed cost"
        return f"the {objective} of {where} is {c[i]}, so no allocation can be priced"
    # Every block at its dearest site, every site open: the objective cannot exceed this.
    worst = float(np.abs(c).max(initial=0.0)) * (problem.total_blocks + len(c))
    if not math.isfinite(worst):
        return f"the {objective} figures are too large to add up (above 1e308)"
    return ""
