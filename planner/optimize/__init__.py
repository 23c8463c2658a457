"""The optimizer: screening, ranking, allocation, the explained recommendation, orchestration.

Pure core (numpy, pandas, scipy); works from an :class:`planner.results.Evaluation`, so a
change of weights, constraints or analysis settings needs no re-evaluation.

- :func:`screen_sites` - hard constraints per site, with reasons in words
- :func:`rank_sites` - the weighted score (a screening view) with per-criterion contributions
- :func:`allocate` - MILP fleet allocation (scipy.optimize.milp / HiGHS): the recommendation
- :func:`recommend` - alternatives, switching values and robustness of the recommendation
- :func:`tornado` - one driver at a time on the recommendation's cost per GPU-hour
- :func:`pareto_front` - cost / CO2 (or water) epsilon-constraint sweep
- :func:`monte_carlo` - robustness of the weighted score
- :func:`run_scenario`, :func:`optimize_evaluation` - everything for one scenario
"""

from planner.optimize.allocate import allocate
from planner.optimize.pareto import pareto_front
from planner.optimize.rank import rank_sites
from planner.optimize.recommend import recommend
from planner.optimize.run import optimize_evaluation, run_scenario
from planner.optimize.screen import screen_sites
from planner.optimize.tornado import tornado
from planner.optimize.uncertainty import monte_carlo

__all__ = [
    "allocate",
    "monte_carlo",
    "optimize_evaluation",
    "pareto_front",
    "rank_sites",
    "recommend",
    "run_scenario",
    "screen_sites",
    "tornado",
]
