"""Benchmark: full evaluation of 10 and 1,000 user sites for a three-phase fleet, one core.

Prints the wall time of each (best of a few runs after a warm-up), their ratio, and the peak
memory of the 1,000-site run. Targets (issue): 1,000 sites under 3 s, under 4x the time for
10 sites, under 2 GB peak.

    python benchmarks/bench_evaluate.py [--sites 1000] [--repeat 3]
    python benchmarks/bench_evaluate.py --sites 100000 --write-to FOLDER   # the file only
"""

from __future__ import annotations

import os

# One core: keep numerical libraries from spreading over several threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from planner.evaluate import evaluate_sites  # noqa: E402
from planner.paths import example_scenario  # noqa: E402
from planner.scenario import load_scenario  # noqa: E402

# Boxes (lat, lon) of land with candidate sites: continental US and western/northern Europe.
BOXES = [((30.0, 47.0), (-120.0, -75.0)), ((40.0, 60.0), (-5.0, 20.0))]


def write_site_file(folder: Path, n: int, seed: int = 7) -> Path:
    """A user site file of ``n`` points with no region codes (site_id, name, lat, lon)."""
    rng = np.random.default_rng(seed)
    box = rng.integers(0, len(BOXES), n)
    lat = np.array([rng.uniform(*BOXES[b][0]) for b in box])
    lon = np.array([rng.uniform(*BOXES[b][1]) for b in box])
    path = folder / f"sites_{n}.csv"
    lines = ["site_id,name,lat,lon"] + [
        f"p{i:05d},Point {i},{a:.4f},{o:.4f}" for i, (a, o) in enumerate(zip(lat, lon, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def best_time(scenario, sites_file: Path, repeat: int) -> tuple[float, int]:
    times = []
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        ev = evaluate_sites(scenario, sites_file=sites_file)
        times.append(time.perf_counter() - t0)
        n = len(ev.metrics)
    return min(times), n


def cold_time(sites_file: Path) -> float:
    """Seconds for a fresh process to import the planner, load the catalog and evaluate."""
    import subprocess

    code = (
        "import os, time; t0 = time.perf_counter()\n"
        "from planner.evaluate import evaluate_sites\n"
        "from planner.paths import example_scenario\n"
        "from planner.scenario import load_scenario\n"
        "scenario = load_scenario(example_scenario('training-16k'))\n"
        "evaluate_sites(scenario, sites_file=os.environ['SITES'])\n"
        "print(time.perf_counter() - t0)\n"
    )
    env = dict(os.environ, SITES=str(sites_file))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write-to", type=Path, help="only write the site file there, and exit")
    args = parser.parse_args(argv)
    if args.write_to is not None:
        args.write_to.mkdir(parents=True, exist_ok=True)
        print(write_site_file(args.write_to, args.sites))
        return 0
    scenario = load_scenario(example_scenario("training-16k"))  # three phases: H100, H100, B200
    with tempfile.TemporaryDirectory() as tmp:
        small_file = write_site_file(Path(tmp), 10)
        large_file = write_site_file(Path(tmp), args.sites)
        evaluate_sites(scenario, sites_file=small_file)  # warm-up: imports, caches
        t_small, n_small = best_time(scenario, small_file, args.repeat)
        t_large, n_large = best_time(scenario, large_file, args.repeat)
        cold_small = min(cold_time(small_file) for _ in range(2))
        cold_large = min(cold_time(large_file) for _ in range(2))
        tracemalloc.start()
        evaluate_sites(scenario, sites_file=large_file)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    ratio = t_large / t_small
    print(f"phases: {len(scenario.fleet.phases)}, GPUs: {scenario.fleet.total_gpus:,}")
    print(f"{n_small:>6,} sites: {t_small:7.3f} s")
    print(f"{n_large:>6,} sites: {t_large:7.3f} s  ({n_large / t_large:,.0f} sites/s)")
    print(f"ratio {n_large:,} / {n_small:,} sites: {ratio:.2f}x (catalog cached, in one process)")
    print(
        f"fresh process (imports + catalog + evaluation): {n_small:,} sites {cold_small:.3f} s, "
        f"{n_large:,} sites {cold_large:.3f} s, ratio {cold_large / cold_small:.2f}x"
    )
    print(
        f"peak memory: {traced_peak / 2**20:,.0f} MB traced during the {n_large:,}-site run, "
        f"{rss_mb:,.0f} MB process peak RSS"
    )
    print(
        f"target < 3 s for {n_large:,} sites: {'met' if t_large < 3.0 else 'NOT met'}; "
        f"< 4x the 10-site time: {'met' if ratio < 4.0 else 'not met'} warm, "
        f"{'met' if cold_large / cold_small < 4.0 else 'not met'} from a fresh process; "
        f"< 2 GB: {'met' if rss_mb < 2048 else 'NOT met'}"
    )
    ok = t_large < 3.0 and rss_mb < 2048
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
