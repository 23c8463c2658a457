"""The allocation MILP's matrices: where each variable sits, its bounds, one function per group.

Every constraint group of :mod:`planner.optimize.allocate` is one function here returning
:class:`Rows` (``lo <= A v <= hi`` over the whole variable vector ``v``), so that a group can be
read, tested and left out (``drop``) on its own. :func:`constraint_groups` lists them in the
order the matrix stacks them; the optional caps (:func:`cap_row`, :func:`cost_cap_row`) come
last. Nothing here calls the solver: :mod:`planner.optimize.allocate.solver` compiles these
pieces once and solves them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from planner.optimize.allocate.problem import AllocationProblem

GROUPS = ("capacity", "share", "sites", "latency", "grids", "caps")


@dataclass(frozen=True)
class Layout:
    """Where each variable sits in the MILP's vector ``v = [x, y, g, z]``.

    ``x`` (S x P, site-major) integer blocks, ``y`` (S) site open, ``g`` (G) grid region used
    (only with grid diversity enforced, else G = 0), ``z`` (one per site and phase step where
    the fixed cost changes) site open by the k-th phase in start order.
    """

    n_sites: int
    n_phases: int
    n_grids: int  # G
    grid_index: np.ndarray  # (S,) region number of each site
    order: np.ndarray  # (P,) phase indices by start month
    steps: np.ndarray  # (S, P - 1) USD: F[s, k] - F[s, k + 1] in start order, >= 0
    fixed_y: np.ndarray  # (S,) USD: F[s, last], the objective coefficient of y
    z_site: np.ndarray  # (nz,) site of each z
    z_k: np.ndarray  # (nz,) position in start order of each z
    zi: np.ndarray  # (nz,) index of each z in v
    link: np.ndarray  # (S, P) index of the variable that must be 1 if s holds the k-th phase

    @property
    def nx(self) -> int:
        return self.n_sites * self.n_phases

    @property
    def xi(self) -> np.ndarray:
        """(S, P) index of each ``x`` in ``v``."""
        return np.arange(self.nx).reshape(self.n_sites, self.n_phases)

    @property
    def yi(self) -> np.ndarray:
        return self.nx + np.arange(self.n_sites)

    @property
    def gi(self) -> np.ndarray:
        return self.nx + self.n_sites + np.arange(self.n_grids)

    @property
    def nz(self) -> int:
        return len(self.zi)

    @property
    def nvar(self) -> int:
        return self.nx + self.n_sites + self.n_grids + self.nz

    @property
    def fixed_z(self) -> np.ndarray:
        """(nz,) USD: the objective coefficient of each ``z``."""
        return self.steps[self.z_site, self.z_k]


@dataclass(frozen=True)
class VariableBounds:
    """Upper bounds: ``x`` up to what one site could ever take, disallowed pairs at 0."""

    ub_site: np.ndarray  # (S,) int: most blocks a site can hold
    ub_x: np.ndarray  # (S, P) float: most blocks of a phase a site can hold
    lower: np.ndarray  # (nvar,)
    upper: np.ndarray  # (nvar,)


@dataclass(frozen=True)
class Rows:
    """One constraint group: ``lo <= A v <= hi``, ``A`` over the whole variable vector."""

    A: sparse.coo_matrix
    lo: np.ndarray
    hi: np.ndarray


def rows(
    layout: Layout,
    r: np.ndarray,
    col: np.ndarray,
    val: np.ndarray,
    n_rows: int,
    low: np.ndarray | list[float],
    high: np.ndarray | list[float],
) -> Rows:
    """:class:`Rows` from coordinates (row ``r``, variable ``col``, coefficient ``val``)."""
    return Rows(
        sparse.coo_matrix((val, (r, col)), shape=(n_rows, layout.nvar)),
        np.asarray(low, dtype=float),
        np.asarray(high, dtype=float),
    )


# --- variables ----------------------------------------------------------------------------------


def variables(problem: AllocationProblem, drop: frozenset[str] = frozenset()) -> Layout:
    """Lay out ``x``, ``y``, ``g`` and ``z``.

    Fixed cost by first phase served: ``F`` in start order, steps ``d[s, k] = F[s, k] -
    F[s, k + 1] >= 0`` (checked in :func:`~planner.optimize.allocate.problem.build_problem`),
    ``F[s, P] = 0``. ``z[s, k]`` ("open by the k-th phase") exists only where ``d > 0``; a step
    of zero merges with the next variable (``y[s]`` for the last).
    """
    S, P = problem.n_sites, problem.n_phases
    use_grids = "grids" not in drop and problem.min_grids > 1
    grid_labels, grid_index = np.unique(problem.grid.astype(str), return_inverse=True)
    G = len(grid_labels) if use_grids else 0
    nx = S * P
    yi = nx + np.arange(S)
    order = problem.phase_order()
    F = problem.fixed_by_phase()[:, order]
    steps = np.maximum(F[:, :-1] - F[:, 1:], 0.0)  # (S, P - 1)
    has_z = steps > 1e-9 * max(float(np.abs(F).max(initial=0.0)), 1.0)
    z_of = np.full((S, P - 1), -1, dtype=int)
    z_of[has_z] = nx + S + G + np.arange(int(has_z.sum()))
    link = np.empty((S, P), dtype=int)
    link[:, P - 1] = yi
    for k in range(P - 2, -1, -1):  # a loop over phases, vectorised over sites
        link[:, k] = np.where(has_z[:, k], z_of[:, k], link[:, k + 1])
    z_site, z_k = np.nonzero(has_z)
    return Layout(
        n_sites=S,
        n_phases=P,
        n_grids=G,
        grid_index=grid_index,
        order=order,
        steps=steps,
        fixed_y=F[:, P - 1],
        z_site=z_site,
        z_k=z_k,
        zi=z_of[z_site, z_k],
        link=link,
    )


def objective_vector(
    problem: AllocationProblem,
    layout: Layout,
    objective: str = "cost",
    block_cost_usd: np.ndarray | None = None,
) -> np.ndarray:
    """Unscaled objective coefficients over ``v``.

    ``cost``: block costs on ``x`` (``block_cost_usd``, default the problem's), the fixed cost
    steps on ``y`` and ``z`` (they telescope to the fixed cost of the first phase served);
    ``co2`` / ``water``: the blocks' tonnes / cubic metres on ``x``.
    """
    c = np.zeros(layout.nvar)
    if objective == "cost":
        cost = problem.block_cost_usd if block_cost_usd is None else block_cost_usd
        c[: layout.nx] = cost.ravel()
        c[layout.yi] = layout.fixed_y
        c[layout.zi] = layout.fixed_z
    elif objective == "co2":
        c[: layout.nx] = problem.block_co2_t.ravel()
    elif objective == "water":
        c[: layout.nx] = problem.block_water_m3.ravel()
    else:
        raise ValueError(f"objective must be cost, co2 or water, got {objective!r}")
    return c


def variable_bounds(
    problem: AllocationProblem, layout: Layout, drop: frozenset[str] = frozenset()
) -> VariableBounds:
    """``x`` up to what one site could ever take (capacity and share unless dropped), else 0/1."""
    ub_site = problem.max_blocks_per_site(
        capacity="capacity" not in drop, share="share" not in drop
    )
    ub_x = np.minimum(problem.blocks_needed[None, :], ub_site[:, None]).astype(float)
    ub_x[~problem.allowed] = 0.0
    if "capacity" not in drop:
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.floor(problem.capacity_mw[:, None] / problem.block_mw + 1e-9)
        ub_x = np.minimum(ub_x, np.nan_to_num(fit, nan=0.0, posinf=float(problem.total_blocks)))
    open_ub = (ub_site > 0).astype(float)
    upper = np.concatenate([ub_x.ravel(), open_ub, np.ones(layout.n_grids), open_ub[layout.z_site]])
    return VariableBounds(ub_site, ub_x, np.zeros(layout.nvar), upper)


# --- constraint groups --------------------------------------------------------------------------


def demand_rows(problem: AllocationProblem, layout: Layout) -> Rows:
    """demand: ``sum_s x[s, p] = n_p``, every block of every phase is placed."""
    S, P, nx = layout.n_sites, layout.n_phases, layout.nx
    n = problem.blocks_needed
    return rows(layout, np.tile(np.arange(P), S), np.arange(nx), np.ones(nx), P, n, n)


def share_rows(layout: Layout, bounds: VariableBounds) -> Rows:
    """share: ``sum_p x[s, p] <= U_s y[s]``, U the site's bound (share limit and capacity)."""
    S, P, nx = layout.n_sites, layout.n_phases, layout.nx
    return rows(
        layout,
        np.concatenate([np.repeat(np.arange(S), P), np.arange(S)]),
        np.concatenate([np.arange(nx), layout.yi]),
        np.concatenate([np.ones(nx), -bounds.ub_site.astype(float)]),
        S,
        np.full(S, -np.inf),
        np.zeros(S),
    )


def open_rows(layout: Layout) -> Rows:
    """open: ``sum_p x[s, p] >= y[s]``, an open site hosts at least one block."""
    S, P, nx = layout.n_sites, layout.n_phases, layout.nx
    return rows(
        layout,
        np.concatenate([np.repeat(np.arange(S), P), np.arange(S)]),
        np.concatenate([np.arange(nx), layout.yi]),
        np.concatenate([np.ones(nx), -np.ones(S)]),
        S,
        np.zeros(S),
        np.full(S, np.inf),
    )


def first_phase_rows(layout: Layout, bounds: VariableBounds) -> list[Rows]:
    """first: ``z[s, k] <= z[s, k + 1]``, and ``x[s, p_k] <= u[s, p_k] z[s, k]``.

    A block of the k-th phase opens the site from that phase on. Rows only where ``z`` exists.
    """
    nz = layout.nz
    if not nz:
        return []
    S, P = layout.n_sites, layout.n_phases
    nxt = layout.link[layout.z_site, layout.z_k + 1]
    chain = rows(
        layout,
        np.concatenate([np.arange(nz), np.arange(nz)]),
        np.concatenate([layout.zi, nxt]),
        np.concatenate([np.ones(nz), -np.ones(nz)]),
        nz,
        np.full(nz, -np.inf),
        np.zeros(nz),
    )
    order, ub_x = layout.order, bounds.ub_x
    k_all = np.broadcast_to(np.arange(P), (S, P))
    s_all = np.broadcast_to(np.arange(S)[:, None], (S, P))
    use = (layout.link != layout.yi[:, None]) & (ub_x[:, order] > 0)
    s_use, k_use = s_all[use], k_all[use]
    m = len(s_use)
    opens = rows(
        layout,
        np.concatenate([np.arange(m), np.arange(m)]),
        np.concatenate([layout.xi[s_use, order[k_use]], layout.link[s_use, k_use]]),
        np.concatenate([np.ones(m), -ub_x[s_use, order[k_use]]]),
        m,
        np.full(m, -np.inf),
        np.zeros(m),
    )
    return [chain, opens]


def capacity_rows(problem: AllocationProblem, layout: Layout) -> list[Rows]:
    """capacity: ``sum_p block_mw[s, p] x[s, p] <= capacity_mw[s] y[s]`` where finite."""
    finite = np.flatnonzero(np.isfinite(problem.capacity_mw))
    if not len(finite):
        return []
    k, P = len(finite), layout.n_phases
    return [
        rows(
            layout,
            np.concatenate([np.repeat(np.arange(k), P), np.arange(k)]),
            np.concatenate([layout.xi[finite].ravel(), layout.yi[finite]]),
            np.concatenate([problem.block_mw[finite].ravel(), -problem.capacity_mw[finite]]),
            k,
            np.full(k, -np.inf),
            np.zeros(k),
        )
    ]


def sites_rows(problem: AllocationProblem, layout: Layout) -> Rows:
    """sites: ``min_sites <= sum_s y[s] <= max_sites``."""
    S = layout.n_sites
    low, high = [problem.min_sites], [problem.max_sites]
    return rows(layout, np.zeros(S, dtype=int), layout.yi, np.ones(S), 1, low, high)


def latency_rows(
    problem: AllocationProblem, layout: Layout, drop: frozenset[str] = frozenset()
) -> list[Rows]:
    """latency: blocks within ``max_rtt_ms`` of the center ``>= ceil(min_share N)``, per rule."""
    out = []
    for i, rule in enumerate(problem.latency):
        if f"latency:{i}" in drop or "latency" in drop:
            continue
        cols = layout.xi[np.flatnonzero(rule.within)].ravel()
        need = [problem.latency_blocks(rule)]
        out.append(
            rows(
                layout, np.zeros(len(cols), dtype=int), cols, np.ones(len(cols)), 1, need, [np.inf]
            )
        )
    return out


def grid_rows(problem: AllocationProblem, layout: Layout) -> list[Rows]:
    """grids: ``g[k] <= sum_{s in k} y[s]``, ``sum_k g[k] >= min_grid_regions``."""
    G, S = layout.n_grids, layout.n_sites
    if not G:
        return []
    gcols = layout.gi
    used = rows(
        layout,
        np.concatenate([np.arange(G), layout.grid_index]),
        np.concatenate([gcols, layout.yi]),
        np.concatenate([np.ones(G), -np.ones(S)]),
        G,
        np.full(G, -np.inf),
        np.zeros(G),
    )
    enough = rows(
        layout, np.zeros(G, dtype=int), gcols, np.ones(G), 1, [problem.min_grids], [np.inf]
    )
    return [used, enough]


def constraint_groups(
    problem: AllocationProblem,
    layout: Layout,
    bounds: VariableBounds,
    drop: frozenset[str] = frozenset(),
) -> list[Rows]:
    """Every group but the caps, in the order the matrix stacks them, less those in ``drop``."""
    out = [demand_rows(problem, layout), share_rows(layout, bounds), open_rows(layout)]
    out += first_phase_rows(layout, bounds)
    if "capacity" not in drop:
        out += capacity_rows(problem, layout)
    if "sites" not in drop:
        out.append(sites_rows(problem, layout))
    out += latency_rows(problem, layout, drop)
    out += grid_rows(problem, layout)  # empty when dropped: the layout then has no g
    return out


# --- caps (epsilon constraints of a Pareto sweep, second stage of a lexicographic solve) -----


def cap_row(layout: Layout, per_block: np.ndarray, cap: float) -> Rows:
    """``sum_{s,p} per_block[s, p] x[s, p] <= cap`` (CO2 in t or water in m3)."""
    nx = layout.nx
    return rows(
        layout, np.zeros(nx, dtype=int), np.arange(nx), per_block.ravel(), 1, [-np.inf], [cap]
    )


def cost_cap_row(layout: Layout, block_cost_usd: np.ndarray, cap_usd: float) -> Rows:
    """The fleet's net present cost ``<= cap_usd``, in millions of USD (a row of order one)."""
    cols = np.concatenate([np.arange(layout.nx), layout.yi, layout.zi])
    vals = np.concatenate([block_cost_usd.ravel(), layout.fixed_y, layout.fixed_z])
    return rows(
        layout, np.zeros(len(cols), dtype=int), cols, vals / 1e6, 1, [-np.inf], [cap_usd / 1e6]
    )
