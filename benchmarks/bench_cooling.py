"""Throughput of the climate and cooling models: prints wall time and peak memory.

1,000 sites x 8,760 hours for one technology, psychrometrics (wet-bulb from dry-bulb and
dew point at each site's pressure) included; then all five technologies with ``auto``; then
``planner pue`` on one EPW file in this process (after start-up) and as a fresh command.

    python benchmarks/bench_cooling.py [--sites N] [--technology ID]

Peak memory is the process's maximum resident set size (``ru_maxrss``), so it includes the
interpreter and libraries.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EPW = ROOT / "tests" / "data" / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def climates(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n synthetic years from varied normals (cold to hot-humid), float32."""
    from planner.climate.synth import synthesize_years

    rng = np.random.default_rng(42)
    base = rng.uniform(-5, 28, n)
    swing = rng.uniform(3, 14, n)
    spread = rng.uniform(6, 14, n)
    dryness = rng.uniform(1, 15, n)
    months = np.arange(1, 13)
    season = -np.cos(2 * np.pi * (months - 0.5) / 12)
    mean = base[:, None] + swing[:, None] * season[None, :]
    normals = pd.DataFrame({
        "site_id": np.repeat(np.arange(n), 12),
        "month": np.tile(months, n),
        "temp_max_c": (mean + spread[:, None] / 2).ravel(),
        "temp_min_c": (mean - spread[:, None] / 2).ravel(),
        "temp_dew_c": np.minimum(mean - spread[:, None] / 2 - dryness[:, None] / 3, 27.0).ravel(),
    })
    temp, dew = synthesize_years(normals, seed=0, lat=rng.uniform(-50, 60, n))
    elevation = rng.uniform(0, 2000, n)
    return temp, dew, elevation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--technology", default="water-economizer")
    args = parser.parse_args()

    from planner.climate import pressure_from_elevation_pa, wet_bulb_c
    from planner.cooling import load_cooling_parameters, select_cooling, simulate_cooling

    params, _ = load_cooling_parameters("hyperscale")
    t0 = time.perf_counter()
    temp, dew, elevation = climates(args.sites)
    t_synth = time.perf_counter() - t0
    pressure = pressure_from_elevation_pa(elevation)
    print(f"synthetic years from normals: {args.sites} sites in {t_synth:.2f} s")

    t0 = time.perf_counter()
    wet = wet_bulb_c(temp, dew, pressure[:, None], dtype=np.float32)
    t_psy = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = simulate_cooling(args.technology, temp, wet, params, pressure_pa=pressure)
    annual = result.pue_annual()
    t_cool = time.perf_counter() - t0
    print(f"{args.sites} sites x 8760 h, {args.technology}: psychrometrics {t_psy:.2f} s + "
          f"cooling {t_cool:.2f} s = {t_psy + t_cool:.2f} s "
          f"(annual PUE {annual.min():.3f}-{annual.max():.3f}); peak memory {peak_mb():.0f} MB")

    t0 = time.perf_counter()
    price = np.random.default_rng(1).uniform(30, 150, args.sites)
    tech, _ = select_cooling(temp, wet, params, price_usd_per_mwh=price, pressure_pa=pressure)
    t_auto = time.perf_counter() - t0
    counts = dict(zip(*np.unique(tech.astype(str), return_counts=True), strict=True))
    print(f"auto over all 5 technologies: {t_auto:.2f} s, choices {counts}; "
          f"peak memory {peak_mb():.0f} MB")

    from planner.cli.cmd_pue import run_pue

    t0 = time.perf_counter()
    run_pue(climate_file=str(EPW), site_id=None, technology="water-economizer",
            preset="hyperscale")
    print(f"planner pue on one EPW file, after start-up: {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "planner", "pue", "--climate", str(EPW), "--cooling",
                    "water-economizer", "--json"], check=True, capture_output=True)
    print(f"planner pue as a fresh command (start-up included): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
