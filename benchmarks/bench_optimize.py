"""Optimizer speed on synthetic instances; prints each figure with its instance size.

Run: python benchmarks/bench_optimize.py   (exit code 1 if a target is missed)

Targets (issue 6): re-rank 1,000 sites after a weight change < 50 ms; MILP of a 100,000-GPU
fleet in 3 phases over 1,000 sites to a 0.1 % gap < 10 s; 20-point Pareto front over 200 sites
< 30 s; 1,000 Monte Carlo draws over 200 sites < 30 s.

Then, without targets, the bundled example ``data/scenarios/training-16k.toml``: one MILP solve
(matrices built, or compiled once and re-solved) and its Pareto front with the matrices
compiled once per sweep ("compiled") against rebuilt for every solve ("rebuilt", as before
the model was compiled).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from optimizer_fixtures import make_evaluation, make_scenario  # noqa: E402

from planner.evaluate import evaluate_sites  # noqa: E402
from planner.optimize.allocate import allocate, build_problem, compile_problem, solve  # noqa: E402
from planner.optimize.pareto import pareto_front, sweep  # noqa: E402
from planner.optimize.rank import rank_sites  # noqa: E402
from planner.optimize.screen import screen_sites  # noqa: E402
from planner.optimize.uncertainty import monte_carlo  # noqa: E402
from planner.paths import example_scenario  # noqa: E402
from planner.scenario import load_scenario  # noqa: E402


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    failures = []

    def check(name: str, seconds: float, limit: float, size: str) -> None:
        ok = seconds < limit
        print(
            f"{name:<34} {seconds * 1000:10.1f} ms   target < {limit * 1000:,.0f} ms   {size}"
            f"   {'ok' if ok else 'SLOW'}"
        )
        if not ok:
            failures.append(name)

    # 1. Re-rank after a weight change.
    sc = make_scenario()
    ev = make_evaluation(sc, 1000, 1, hours=24)
    screen = screen_sites(ev, sc)
    weights = {
        "cost": 0.3,
        "carbon": 0.4,
        "water": 0.1,
        "latency": 0.0,
        "risk": 0.1,
        "time_to_power": 0.1,
    }
    seconds, _ = timed(lambda: rank_sites(ev.metrics, screen, weights), repeat=20)
    check("re-rank after a weight change", seconds, 0.050, "1,000 sites x 6 criteria")

    # 2. MILP allocation.
    sc = make_scenario(
        fleet={
            "block_gpus": 1024,
            "phases": [
                {"gpu": "H100-SXM", "count": 40_000, "start_month": 0},
                {"gpu": "H200", "count": 30_000, "start_month": 12},
                {"gpu": "B200", "count": 30_000, "start_month": 24},
            ],
        },
        constraints={
            "min_sites": 2,
            "max_sites": 20,
            "max_share_per_site": 0.25,
            "min_grid_regions": 3,
            "latency": [
                {"demand_center": "Frankfurt", "max_rtt_ms": 10, "min_share": 0.3},
                {"demand_center": "Madrid", "max_rtt_ms": 12, "min_share": 0.2},
            ],
        },
    )
    # Sites of 5 to 40 MW against a fleet of about 200 MW: several sites must share the fleet.
    ev = make_evaluation(sc, 1000, 2, capacity_mw=(5.0, 40.0), hours=24)
    screen = screen_sites(ev, sc)
    seconds, alloc = timed(lambda: allocate(ev, sc, screen, mip_rel_gap=1e-3))
    n_vars = 1000 * 3 + 1000
    check(
        "MILP allocation",
        seconds,
        10.0,
        f"100,000 GPUs, 3 phases, 98 blocks, 1,000 sites ({n_vars:,}+ integer variables), "
        f"2 latency "
        f"rules, 3 grids; "
        f"{alloc.status}, gap {100 * (alloc.gap or 0):.3f} %, {len(alloc.summary)} sites",
    )

    # 3. Pareto front.
    sc = make_scenario(
        fleet={
            "block_gpus": 1024,
            "phases": [
                {"gpu": "H100-SXM", "count": 16_384},
                {"gpu": "B200", "count": 16_384, "start_month": 12},
            ],
        },
        constraints={"max_sites": 4, "max_share_per_site": 0.5},
    )
    ev = make_evaluation(sc, 200, 3, capacity_mw=(10.0, 60.0), hours=24)
    seconds, (table, _) = timed(lambda: pareto_front(ev, sc, points=20))
    check(
        "Pareto front",
        seconds,
        30.0,
        f"20 points asked, {len(table)} non-dominated, 200 sites, 32 blocks",
    )

    # 4. Monte Carlo.
    sc = make_scenario(analysis={"uncertainty": {"draws": 1000, "seed": 1}})
    ev = make_evaluation(sc, 200, 4, hours=24)
    seconds, _ = timed(lambda: monte_carlo(ev, sc))
    check("Monte Carlo", seconds, 30.0, "1,000 draws x 200 sites (rank, top-k, P10/P50/P90)")

    bundled_example("training-16k")
    return 1 if failures else 0


class RebuildEverySolve:
    """Stands in for a compiled model in :func:`sweep`: every solve builds the matrices anew."""

    def __init__(self, problem) -> None:
        self.problem = problem
        self.solves = 0

    def solve(self, **kw):
        self.solves += 1
        return solve(self.problem, **kw)


class CountSolves:
    """A compiled model that counts its solves."""

    def __init__(self, problem) -> None:
        self.model = compile_problem(problem)
        self.problem = problem
        self.solves = 0

    def solve(self, **kw):
        self.solves += 1
        return self.model.solve(**kw)


def bundled_example(name: str, repeat: int = 5) -> None:
    """Single-solve and Pareto-front figures on a bundled scenario (best of ``repeat``)."""
    sc = load_scenario(example_scenario(name))
    ev = evaluate_sites(sc)
    problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"])
    size = f"{problem.n_sites} sites, {problem.n_phases} phases, {problem.total_blocks} blocks"
    print(f"\n{name} ({size}); best of {repeat} runs, no targets")

    def line(task: str, seconds: float, note: str = "") -> None:
        print(f"{task:<44} {seconds * 1000:8.1f} ms   {note}")

    opts = {"mip_rel_gap": 1e-4}  # the Pareto sweep's own gap
    model = compile_problem(problem)
    seconds, _ = timed(lambda: solve(problem, **opts), repeat=10 * repeat)
    line("single solve, matrices built", seconds)
    seconds, _ = timed(lambda: compile_problem(problem), repeat=10 * repeat)
    line("  of which compile_problem", seconds)
    seconds, _ = timed(lambda: model.solve(**opts), repeat=10 * repeat)
    line("single solve, compiled model", seconds)
    cost = problem.block_cost_usd * 1.01
    seconds, _ = timed(lambda: model.solve(block_cost_usd=cost, **opts), repeat=10 * repeat)
    line("  with new block costs", seconds)

    for n_points in sorted({max(2, sc.analysis.pareto_points), 20}):
        for label, make in (("rebuilt", RebuildEverySolve), ("compiled", CountSolves)):
            counter = make(problem)
            run = lambda c=counter, n=n_points: sweep(problem, n, model=c)  # noqa: E731
            seconds, (table, _) = timed(run, repeat)
            solves = counter.solves // repeat
            line(
                f"Pareto front, {n_points} points asked, {label}",
                seconds,
                f"{len(table)} on the front, {solves} solves; {n_points / seconds:,.1f} points "
                f"asked/s, {solves / seconds:,.0f} solves/s",
            )


if __name__ == "__main__":
    sys.exit(main())
