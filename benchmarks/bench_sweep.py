"""Benchmark: sweep throughput on the local Dask cluster, and its overhead per point.

Builds a sweep of training-16k variants (first-phase GPU count, carbon price, PPA share: every
point a different evaluation), runs the same points directly in this process (evaluation and
the sweep's fast optimisation, one after the other), then as a sweep with 1 and with 2
workers, and prints points per minute and the overhead per point against the direct run
(target under 10 %; the 1-worker run, its cluster's start and stop timed apart and left out).
``--points 1000`` is the issue's 1,000-point sweep without reports (target under 30 minutes on
2 cores); it skips the direct run unless ``--direct``. ``--vary fleet`` leaves the PPA share
alone: every point still needs its own evaluation, but the sites' climate and cooling inputs
are the same, so each worker prepares the sites once (planner.sweep.cache).

``--cache`` times the worker's side alone, in this process and in CPU seconds (steadier than
wall time on a shared machine): each point's group evaluation and fast optimisation, with the
prepared-sites cache emptied before every point, then kept.

    python benchmarks/bench_sweep.py [--points 12] [--workers 1,2] [--direct] [--vary fleet]
    python benchmarks/bench_sweep.py --cache [--vary fleet] [--workers ""]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

TARGET_OVERHEAD = 0.10
TARGET_1000_S = 30 * 60.0


def sweep_text(points: int, vary: str = "all") -> str:
    """A zip sweep of ``points`` points over evaluated axes, each value distinct: fleet count
    and carbon price, and with ``vary="all"`` the PPA share (which moves the cooling choice)."""
    counts = [1024 + 8 * i for i in range(points)]
    prices = [round(0.5 * i, 1) for i in range(points)]
    shares = [round(i / max(points, 1), 4) for i in range(points)]
    text = (
        '[sweep]\nbase = "training-16k"\nmode = "zip"\n\n[sweep.axes]\n'
        f'"fleet.phases[0].count" = {counts}\n'
        f'"objective.carbon_price_usd_per_t" = {prices}\n'
    )
    return text + (f'"energy.ppa_share" = {shares}\n' if vary == "all" else "")


def direct(spec, points) -> float:  # noqa: ANN001
    """Seconds to run the points one after the other in this process, without Dask."""
    from planner.checks import check_scenario
    from planner.evaluate import evaluate_sites
    from planner.sweep.run import reduce_analysis
    from planner.sweep.spec import point_scenario
    from planner.sweep.tasks import optimize_fast, scenario_catalog

    started = time.perf_counter()
    for point in points:
        scenario = reduce_analysis(point_scenario(spec, point))
        check_scenario(scenario)
        evaluation = evaluate_sites(scenario, scenario_catalog(scenario))
        optimize_fast(evaluation, scenario)
    return time.perf_counter() - started


def cpu_per_point(spec, points, *, keep: bool) -> float:  # noqa: ANN001
    """CPU seconds per point of the worker's tasks, the prepared sites kept or not."""
    from planner.sweep import cache, tasks
    from planner.sweep.engine import fingerprint
    from planner.sweep.run import reduce_analysis
    from planner.sweep.spec import point_scenario

    scenarios = [reduce_analysis(point_scenario(spec, p)) for p in points]
    expected = fingerprint()
    cache.clear_cache()
    started = time.process_time()
    for scenario in scenarios:
        if not keep:
            cache.clear_cache()
        group = tasks.evaluate_group(tasks.GroupTask("bench", scenario, [], {}, expected))
        tasks.optimize_fast(group["evaluation"], scenario)
    return (time.process_time() - started) / len(scenarios)


def start_up(workers: int) -> float:
    """Seconds to start and stop a local cluster of ``workers`` (Dask imported already)."""
    from planner.sweep.engine import dask_client

    started = time.perf_counter()
    with dask_client(workers=workers):
        pass
    return time.perf_counter() - started


def swept(spec, workers: int, folder: Path) -> tuple[float, int]:  # noqa: ANN001
    from planner.sweep.run import run_sweep

    started = time.perf_counter()
    out = run_sweep(spec, folder / f"w{workers}", workers=workers)
    return time.perf_counter() - started, out.counts["ok"] + out.counts["infeasible"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=12)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--direct", action="store_true", help="also time the direct run")
    parser.add_argument(
        "--cache", action="store_true", help="CPU per point in this process, cache off and on"
    )
    parser.add_argument(
        "--vary",
        choices=("all", "fleet"),
        default="all",
        help="all: fleet count, carbon price and PPA share; fleet: the first two only",
    )
    args = parser.parse_args()
    from planner.sweep.spec import load_sweep

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sweep.toml").write_text(sweep_text(args.points, args.vary))
        spec = load_sweep(folder / "sweep.toml")
        points = spec.points()
        n = len(points)
        print(f"{n} points of training-16k variants (63 candidate sites each; vary {args.vary})")
        if args.cache:
            cpu_per_point(spec, points[:1], keep=False)  # warm-up: imports, catalog
            for keep in (False, True):
                cpu = cpu_per_point(spec, points, keep=keep)
                kept = "kept" if keep else "not kept"
                print(
                    f"worker tasks in this process, prepared sites {kept}: "
                    f"{cpu:.3f} CPU s per point, {60 / cpu:6.0f} points per CPU-minute"
                )
        base_s = None
        if args.direct or (args.points <= 100 and not args.cache):
            base_s = direct(spec, points[:1])  # warm-up: imports, catalog, caches
            base_s = direct(spec, points)
            print(f"direct, in this process:   {base_s:8.1f} s  {n / base_s * 60:7.1f} points/min")
        import distributed  # noqa: F401 - imported once, outside every timing

        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            fixed = start_up(workers)
            seconds, finished = swept(spec, workers, folder)
            line = (
                f"sweep, {workers} worker{'s' if workers > 1 else ' '}:      {seconds:8.1f} s  "
                f"{finished / seconds * 60:7.1f} points/min  (cluster start and stop {fixed:.1f} s)"
            )
            if base_s is not None and workers == 1:
                overhead = (seconds - fixed - base_s) / base_s
                line += f"; overhead per point {overhead:+.1%} (target < {TARGET_OVERHEAD:.0%})"
            elif base_s is not None:
                line += f"  {base_s / seconds:.2f}x the direct run"
            if n >= 1000:
                line += f"  ({'within' if seconds < TARGET_1000_S else 'over'} the 30 min target)"
            print(line)


if __name__ == "__main__":
    main()
