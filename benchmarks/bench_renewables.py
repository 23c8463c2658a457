"""Time solar and wind profiles for 1,000 sites x 8,760 hours from climate normals, and for
one weather file.

    python benchmarks/bench_renewables.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.climate import read_weather
from planner.paths import data_dir
from planner.renewables import profiles_from_normals, profiles_from_weather

N_SITES = 1000


def main() -> None:
    normals = pd.read_csv(data_dir() / "climate_normals.csv")
    stations = pd.read_csv(data_dir() / "climate_stations.csv")
    rng = np.random.default_rng(0)
    pick = stations.iloc[rng.integers(0, len(stations), N_SITES)].reset_index(drop=True)
    ids = [f"site-{k}" for k in range(N_SITES)]
    by_station = {s: g for s, g in normals.groupby("station_id")}
    long = pd.concat(
        [by_station[s].assign(site_id=i) for s, i in zip(pick["station_id"], ids, strict=True)]
    )
    start = time.perf_counter()
    p = profiles_from_normals(
        pick["lat"], pick["lon"], pick["elevation_m"], None, long, ids, pick["country"].tolist()
    )
    took = time.perf_counter() - start
    print(
        f"profiles_from_normals: {N_SITES} sites x 8760 h in {took:.2f} s; "
        f"mean solar CF {p.solar_cf.mean():.3f}, wind CF {p.wind_cf.mean():.3f}"
    )
    epw = Path(__file__).parent.parent / "tests/data/USA_CO_Golden-NREL.724666_TMY3.epw.gz"
    if epw.exists():
        table, meta = read_weather(epw, resource=True)
        start = time.perf_counter()
        solar, wind = profiles_from_weather(table, meta)
        print(
            f"profiles_from_weather (Golden EPW): {time.perf_counter() - start:.3f} s; "
            f"solar CF {solar.mean():.3f}, wind CF {wind.mean():.3f}"
        )


if __name__ == "__main__":
    main()
