"""Speed and accuracy of the 24/7 CFE portfolio: the full LP against the fast search.

One synthetic site-year (8,760 hours: half-sine sun with cloudy days, multi-day wind
swings, flat load) under a flat grid share (greedy dispatch optimal: both methods solve
the same problem) and a solar-shaped one (the fast method is conservative); then a batch
of sites of which only some are distinct; then many 72-hour weeks, where the LP is quick
and the few hours make the score's kinks large (the hard case for the fast search).

    python benchmarks/bench_cfe.py [--targets 0.8 0.95 0.99] [--sites 40] [--distinct 5]
                                   [--weeks 10] [--no-lp]
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


def batch(n_sites: int, n_distinct: int) -> None:
    distinct = [synthetic_year(seed) for seed in range(1, n_distinct + 1)]
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
        f"{seconds:.2f} s, {seconds / len(distinct):.3f} s per distinct site ({ok} optimal)"
    )


def synthetic_week(seed: int) -> dict[str, np.ndarray]:
    """72 hours: noisy sun, a slow wind swing, a daily load and price cycle."""
    rng = np.random.default_rng(seed)
    hours = np.arange(72)
    solar = np.clip(np.sin((hours % 24 - 6) / 12 * np.pi), 0, None) * rng.uniform(0.4, 1, 72)
    wind = np.clip(0.4 + 0.3 * np.sin(hours / 11.0) + 0.1 * rng.standard_normal(72), 0, 1)
    load = 1.0 + 0.2 * np.sin(hours / 24 * 2 * np.pi)
    price = 30 + 10 * np.cos(hours / 24 * 2 * np.pi)
    return {"load_mw": load, "solar_cf": solar, "wind_cf": wind, "price": price}


def weeks(n_weeks: int, targets=(0.6, 0.85, 0.95, 0.99)) -> None:
    """The fast search against the LP on weeks with a flat grid share (the same problem)."""
    gaps, seconds = [], {"fast": 0.0, "lp": 0.0}
    for seed in range(1, n_weeks + 1):
        w = synthetic_week(seed)
        args = (w["load_mw"], np.full(72, 0.2), w["solar_cf"], w["wind_cf"], w["price"])
        for target in targets:
            r = {m: solve_portfolio(*args, target=target, method=m) for m in ("fast", "lp")}
            for m in r:
                seconds[m] += r[m].solve_seconds
            lp_usd = r["lp"].net_cost_usd_per_year
            gaps.append((r["fast"].net_cost_usd_per_year - lp_usd) / abs(lp_usd))
    gaps = 100 * np.array(gaps)
    print(
        f"weeks: {len(gaps)} (week, target) pairs, fast - lp: median {np.median(gaps):+.4f} %, "
        f"worst {gaps.max():+.4f} %, best {gaps.min():+.4f} %; "
        f"{seconds['fast']:.2f} s fast, {seconds['lp']:.2f} s LP"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=float, nargs="+", default=[0.8, 0.95, 0.99])
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--distinct", type=int, default=5, help="distinct years in the batch")
    parser.add_argument("--weeks", type=int, default=10, help="72-hour weeks against the LP")
    parser.add_argument("--no-lp", action="store_true", help="skip the full LP (slow)")
    args = parser.parse_args()
    year = synthetic_year()
    grids = {
        "flat": grid_cfe_shape(0.4),
        "solar": grid_cfe_shape(0.4, year["solar_cf"], solar_share=0.15),
    }
    compare(year, grids, args.targets, not args.no_lp)
    batch(args.sites, args.distinct)
    if not args.no_lp:
        weeks(args.weeks)


if __name__ == "__main__":
    main()
