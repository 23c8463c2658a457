"""Speed and accuracy of the 24/7 CFE portfolio: the full LP against the fast search.

One synthetic site-year (8,760 hours: half-sine sun with cloudy days, multi-day wind
swings, flat load) under a flat grid share (greedy dispatch optimal: both methods solve
the same problem) and a solar-shaped one (the fast method is conservative); then a batch
of sites of which only a few are distinct.

    python benchmarks/bench_cfe.py [--targets 0.8 0.95 0.99] [--sites 40] [--no-lp]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from planner.cfe import CfeSite, grid_cfe_shape, solve_portfolio, solve_portfolios


def synthetic_year(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    hours = np.arange(8760)
    hod, day = hours % 24, hours // 24
    season = 0.8 + 0.2 * np.cos(2 * np.pi * (day - 172) / 365)
    clouds = rng.uniform(0.5, 1.0, 365).repeat(24)
    solar = np.clip(np.sin((hod - 6) / 12 * np.pi), 0, None) * season * clouds
    swing = 0.25 * np.sin(2 * np.pi * day / 9.3)
    wind = np.clip(0.35 + swing + 0.1 * rng.standard_normal(8760), 0, 1)
    price = 40 + 20 * np.sin((hod - 18) / 24 * 2 * np.pi) + 5 * rng.standard_normal(8760)
    return {"load_mw": np.ones(8760), "solar_cf": solar, "wind_cf": wind, "price": price}


def compare(year: dict[str, np.ndarray], grids: dict[str, np.ndarray], targets, lp: bool):
    print("grid   target method  status   solar_mw wind_mw battery_mwh  score  cost_usd/yr  s")
    for name, cfe in grids.items():
        carbon = 450 * (1 - cfe)
        for target in targets:
            costs = {}
            for method in ("fast", "lp") if lp else ("fast",):
                r = solve_portfolio(
                    year["load_mw"],
                    cfe,
                    year["solar_cf"],
                    year["wind_cf"],
                    year["price"],
                    carbon,
                    target=target,
                    method=method,
                )
                costs[method] = r.net_cost_usd_per_year
                print(
                    f"{name:6} {target:6.2f} {method:6} {r.status:8} {r.solar_mw:8.3f} "
                    f"{r.wind_mw:7.3f} {r.battery_mwh:11.3f} {r.cfe_score:6.4f} "
                    f"{r.net_cost_usd_per_year:12,.0f} {r.solve_seconds:6.2f}"
                )
            if lp and np.isfinite(costs["lp"]):
                gap = (costs["fast"] - costs["lp"]) / abs(costs["lp"])
                print(f"{'':14}fast - lp: {100 * gap:+.3f} % of the LP's cost")


def batch(year: dict[str, np.ndarray], n_sites: int) -> None:
    distinct = [synthetic_year(seed) for seed in range(1, 6)]
    sites = []
    for k in range(n_sites):
        y = distinct[k % len(distinct)]
        cfe = np.full(8760, 0.4)
        sites.append(CfeSite(y["load_mw"] * (1 + k), cfe, y["solar_cf"], y["wind_cf"], y["price"]))
    started = time.perf_counter()
    results = solve_portfolios(sites, 0.9, method="fast")
    seconds = time.perf_counter() - started
    ok = sum(r.status == "optimal" for r in results)
    print(
        f"batch: {n_sites} sites, {len(distinct)} distinct up to load scale, fast method: "
        f"{seconds:.2f} s ({ok} optimal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=float, nargs="+", default=[0.8, 0.95, 0.99])
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--no-lp", action="store_true", help="skip the full LP (slow)")
    args = parser.parse_args()
    year = synthetic_year()
    grids = {
        "flat": grid_cfe_shape(0.4),
        "solar": grid_cfe_shape(0.4, year["solar_cf"], solar_share=0.15),
    }
    compare(year, grids, args.targets, not args.no_lp)
    batch(year, args.sites)


if __name__ == "__main__":
    main()
