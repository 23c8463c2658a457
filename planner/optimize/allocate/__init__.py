"""Fleet allocation as a mixed-integer linear programme (scipy.optimize.milp, HiGHS).

Decision variables
------------------
``x[s, p]``  integer blocks of phase ``p`` placed at site ``s`` (a block is
             ``scenario.fleet.block_gpus`` GPUs; a phase needs ``ceil(count / block_gpus)`` blocks),
``y[s]``     binary, site ``s`` is opened,
``z[s, k]``  binary, site ``s`` is open by the ``k``-th phase in order of start month (only where
             the site's fixed cost depends on it; ``y[s]`` is the last one),
``g[k]``     binary, grid region ``k`` hosts an open site (only with ``min_grid_regions > 1``).

Constraints (each a named *group* so an infeasible problem can be explained by relaxing one)
---------------------------------------------------------------------------------------------
demand     ``sum_s x[s, p] = n_p`` for every phase,
capacity   ``sum_p block_site_mw[s, p] x[s, p] <= capacity_mw[s] y[s]``,
share      ``sum_p x[s, p] <= floor(max_share_per_site N) y[s]`` (N = blocks of the fleet),
open       ``sum_p x[s, p] >= y[s]`` (an open site hosts at least one block),
first      ``z[s, k] <= z[s, k + 1]``, ``x[s, p_k] <= u[s, p_k] z[s, k]`` (u: the bound on x),
sites      ``min_sites <= sum_s y[s] <= max_sites``,
latency    ``sum_{s within max_rtt_ms of center} sum_p x[s, p] >= ceil(min_share N)`` per rule,
grids      ``g[k] <= sum_{s in k} y[s]``, ``sum_k g[k] >= min_grid_regions``,
caps       optional ``sum co2 x <= cap`` / ``sum water x <= cap`` (Pareto sweeps).

Objective: ``sum_s sum_k (F[s, k] - F[s, k + 1]) z[s, k] + sum_{s,p} (phase_block_cost_usd[s, p] +
delay_rent_usd[s, p]) x[s, p]``, with ``F[s, k]`` the evaluation's
``site_fixed_cost_by_first_phase_usd`` (phases sorted by start month, ``F[s, P] = 0``): ``z`` is
0 up to the first phase the site serves and 1 from there on, so the sum telescopes to ``F`` of
that phase: a site used only by a late phase pays its fixed cost from that phase on. This needs
``F`` non-increasing in ``k`` (a later first phase charges fewer, more discounted months), which
:func:`build_problem` checks. The block cost is the evaluation's net present cost of one block
(GPUs, facility, energy, opex, idle GPUs while a site waits for power, and the scenario's carbon
price), so the objective is the fleet's TCO including the carbon price, plus the rent of the
GPU-hours a late site cannot deliver (see :func:`delay_rent_usd`), so that every allocation
delivers the same work. Two optional priced externalities join the block cost the same way
(:func:`externality_costs`): stress-weighted water at ``objective.water_price_usd_per_m3`` and
an expected-loss proxy for risk at ``objective.risk_price_usd_per_mw_year``. Data residency,
time to power and the other single-site rules are applied before, by

Code layout, in the order of a solve
------------------------------------
:mod:`~planner.optimize.allocate.problem`   the candidate sites' arrays and the rules
                                            (:func:`build_problem`, :class:`AllocationProblem`),
:mod:`~planner.optimize.allocate.model`     the MILP's variables, bounds and one function per
                                            constraint group above,
:mod:`~planner.optimize.allocate.solver`    :func:`compile_problem` (the matrices, once) and
                                            :meth:`CompiledModel.solve` (HiGHS, many times),
                                            :func:`solve` (both at once), :class:`Solution`,
:mod:`~planner.optimize.allocate.diagnose`  broken and binding rules, and why no allocation exists,
:mod:`~planner.optimize.allocate.result`    :func:`allocate`, the :class:`Allocation` it returns.
"""

from planner.optimize.allocate.diagnose import (
    binding_constraints,
    explain_infeasible,
    violations,
)
from planner.optimize.allocate.model import GROUPS
from planner.optimize.allocate.problem import (
    AllocationProblem,
    LatencyRuleData,
    blocks_needed,
    build_problem,
    delay_rent_usd,
    externality_costs,
    restrict_mask,
    running_start_month,
    water_stress_factor,
)
from planner.optimize.allocate.result import _gpu_counts as _gpu_counts  # for pareto
from planner.optimize.allocate.result import (
    allocate,
    allocation_from_blocks,
)
from planner.optimize.allocate.solver import (
    CompiledModel,
    Solution,
    compile_problem,
    fleet_cost_usd,
    solve,
)

__all__ = [
    "GROUPS",
    "AllocationProblem",
    "CompiledModel",
    "LatencyRuleData",
    "Solution",
    "allocate",
    "allocation_from_blocks",
    "binding_constraints",
    "blocks_needed",
    "build_problem",
    "compile_problem",
    "delay_rent_usd",
    "explain_infeasible",
    "externality_costs",
    "fleet_cost_usd",
    "restrict_mask",
    "running_start_month",
    "solve",
    "violations",
    "water_stress_factor",
]
