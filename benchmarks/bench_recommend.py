"""Benchmark: the explained recommendation of a bundled example, step by step.

Prints the wall time of each step for one scenario (default: training-16k): evaluation,
allocation, alternatives, switching values (linear and re-evaluated drivers), robustness
(Monte Carlo draws that re-solve the allocation) and the tornado, and their sum against the
target (issue: alternatives, switching values and robustness under 20 s on 2 cores).

    python benchmarks/bench_recommend.py [--scenario training-16k] [--draws 256]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from planner.evaluate import evaluate_sites, scenario_catalog
from planner.optimize.allocate import allocate
from planner.optimize.rank import rank_sites
from planner.optimize.recommend import (
    alternative_requests,
    single_site_cost_usd,
    solve_alternatives,
)
from planner.optimize.robustness import robustness
from planner.optimize.run import scenario_reevaluator
from planner.optimize.screen import screen_sites
from planner.optimize.switching import switching_values
from planner.optimize.tornado import tornado
from planner.paths import example_scenario
from planner.scenario import load_scenario

TARGET_S = 20.0


def timed(label: str, step: Callable[[], Any], times: dict[str, float]) -> Any:
    start = time.perf_counter()
    out = step()
    times[label] = time.perf_counter() - start
    print(f"{label:<32} {times[label]:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="training-16k")
    parser.add_argument("--draws", type=int, default=256)
    args = parser.parse_args()
    sc = load_scenario(example_scenario(args.scenario))
    catalog = scenario_catalog(sc)
    reevaluate = scenario_reevaluator(sc, catalog)
    times: dict[str, float] = {}

    ev = timed("evaluation", lambda: evaluate_sites(sc, catalog), times)
    screen = screen_sites(ev, sc)
    ranking = rank_sites(ev.metrics, screen, sc.objective.weights, sc.objective.cost_metric)
    alloc = timed("allocation", lambda: allocate(ev, sc, screen), times)
    requests = alternative_requests(ranking, alloc, single_site_cost_usd(ev, sc, screen))
    solved = timed("alternatives", lambda: solve_alternatives(ev, sc, screen, requests), times)
    others = [s for _, _, a in solved if a.summary is not None for s in a.summary.index]
    rows = timed(
        "switching values",
        lambda: switching_values(
            ev, sc, screen, alloc, reevaluate=reevaluate, also_consider=list(map(str, others))
        ),
        times,
    )
    rob = timed(
        f"robustness ({args.draws} draws)",
        lambda: robustness(ev, sc, screen, alloc, draws=args.draws),
        times,
    )
    timed(
        "tornado (9 drivers)", lambda: tornado(ev, sc, screen, alloc, reevaluate=reevaluate), times
    )

    explained = (
        times["alternatives"]
        + times["switching values"]
        + times[f"robustness ({args.draws} draws)"]
    )
    label = "alternatives + switching + robustness"
    print(f"{label:<32} {explained:7.2f} s (target < {TARGET_S:.0f} s)")
    print(f"{'everything above':<32} {sum(times.values()):7.2f} s")
    changed = sum(1 for r in rows if r["value"] is not None)
    print(
        f"{len(requests)} alternatives, {len(rows)} switching rows ({changed} with a change), "
        f"{rob['draws']} draws on {len(rob['sites_considered'])} sites"
    )


if __name__ == "__main__":
    main()
