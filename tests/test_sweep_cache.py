"""The worker's cache of prepared sites (planner.sweep.cache): a sweep over fleet size runs the
climate and cooling models once per worker and gives the rows of direct runs; a point that
changes a climate or cooling input does not take another point's prepared sites.

The base is the bundled training-16k restricted to four Nordic countries (five sites).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import planner.evaluate as evaluate
from planner.scenario import load_scenario
from planner.sweep import cache
from planner.sweep.run import reduce_analysis, run_sweep
from planner.sweep.spec import load_sweep, point_scenario
from planner.sweep.store import read_table
from planner.sweep.tasks import result_columns

DATA = Path(__file__).parent / "data"
DULLES = DATA / "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz"
NORDIC = 'include_countries = ["SE", "NO", "FI", "IS"]\n'
COMPUTED = ["status", "solver_status", "objective_usd", "sites", "n_sites", "usd_per_gpu_hour",
            "co2_location_t", "co2_market_t", "water_m3"]  # fmt: skip
COUNTS = [1024, 2048, 3072, 4096]

needs_fork = pytest.mark.skipif(
    multiprocessing.get_context().get_start_method() != "fork",
    reason="the workers inherit the spies when they are forked",
)


@pytest.fixture(autouse=True)
def empty_cache():
    # Forked workers inherit this process's cache: start each test without one.
    cache.clear_cache()
    yield
    cache.clear_cache()


def base_text(sites: str = "") -> str:
    from planner.paths import example_scenario

    return example_scenario("training-16k").read_text() + "\n[sites]\n" + NORDIC + sites


def scenario(tmp_path: Path, sites: str = "", name: str = "s.toml", **edits):
    path = tmp_path / name
    path.write_text(base_text(sites))
    out = reduce_analysis(load_scenario(path))
    for dotted, value in edits.items():
        section, key = dotted.split("__")
        setattr(getattr(out, section), key, value)
    return out


def spy(monkeypatch, name: str, log: Path | None = None) -> list[int]:
    """Count calls of ``planner.evaluate.<name>`` (in this process, or by pid in ``log``)."""
    calls: list[int] = []
    real = getattr(evaluate, name)

    def counted(*args, **kwargs):
        calls.append(os.getpid())
        if log is not None:
            with open(log, "a") as handle:
                handle.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate, name, counted)
    return calls


def per_process(log: Path) -> Counter:
    return Counter(log.read_text().split()) if log.exists() else Counter()


@needs_fork
@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_fleet_sweep_prepares_once_per_worker_and_equals_direct_runs(
    tmp_path, monkeypatch, workers
):
    from planner.optimize.run import run_scenario

    (tmp_path / "base.toml").write_text(base_text())
    (tmp_path / "sweep.toml").write_text(
        '[sweep]\nbase = "base.toml"\nmode = "zip"\n[sweep.axes]\n'
        f'"fleet.phases[0].count" = {COUNTS}\n'
        '"objective.carbon_price_usd_per_t" = [0, 50, 100, 400]\n'
    )
    spec = load_sweep(tmp_path / "sweep.toml")
    climate_log, cooling_log = tmp_path / "climate.log", tmp_path / "cooling.log"
    spy(monkeypatch, "_climate_arrays", climate_log)
    spy(monkeypatch, "_cooling_arrays", cooling_log)
    out = run_sweep(spec, tmp_path / "out", workers=workers)
    assert out.counts["ok"] == 4
    table = read_table(tmp_path / "out" / "sweep.parquet")
    # Four groups (each count is its own evaluation), one preparation per worker that ran one.
    assert table["group"].nunique() == 4
    for log in (climate_log, cooling_log):
        calls = per_process(log)
        assert set(calls.values()) == {1}, log.name
        assert 1 <= len(calls) <= workers, log.name
    monkeypatch.undo()  # the direct runs below are plain
    for i, point in enumerate(spec.points()):
        direct = result_columns(run_scenario(reduce_analysis(point_scenario(spec, point))))
        row = table.iloc[i]
        for column in COMPUTED:
            assert row[column] == direct[column], (i, column)


def test_a_hit_gives_the_evaluation_of_a_fresh_preparation(tmp_path, monkeypatch):
    cooling = spy(monkeypatch, "_cooling_arrays")
    climate = spy(monkeypatch, "_climate_arrays")
    first = scenario(tmp_path)
    cache.prepared_sites(first)
    point = scenario(tmp_path, name="p.toml")
    point.fleet.phases[0].count = 2048  # a bigger first phase: more MW, same climate
    point.objective.carbon_price_usd_per_t = 400.0
    cached = evaluate.evaluate_prepared(point, cache.prepared_sites(point))
    assert (len(climate), len(cooling)) == (1, 1)
    assert cache.cache_info().hits == 1
    fresh = evaluate.evaluate_sites(point, evaluate.scenario_catalog(point))
    pd.testing.assert_frame_equal(cached.metrics, fresh.metrics, check_exact=True)
    pd.testing.assert_frame_equal(
        cached.phase_block_cost_usd, fresh.phase_block_cost_usd, check_exact=True
    )
    # 2,048 fewer H100 (data/gpus.csv: 1,275 W per GPU in a DGX H100 node, plus the 7 %
    # network overhead of training-16k): 2048 x 1275 x 1.07 W = 2.794 MW less design power.
    design = [cache.prepared_sites(s).design_it_mw for s in (first, point)]
    assert design[0] - design[1] == pytest.approx(2.793984, abs=1e-6)


def test_cached_hourly_arrays_are_read_only(tmp_path):
    prepared = cache.prepared_sites(scenario(tmp_path))
    with pytest.raises(ValueError, match="read-only"):
        prepared.arrays.hourly_pue[0, 0] = 1.0


@pytest.mark.parametrize(
    ("sites", "edits"),
    [
        ("", {"cooling__technology": "liquid-dtc"}),
        ("", {"cooling__preset": "legacy-enterprise"}),
        ("", {"cooling__allow_water_cooling_above_stress": 0.5}),
        ("", {"energy__ppa_share": 0.9}),  # the effective price moves the 'auto' choice
        ("", {"scenario__discount_rate": 0.12}),  # so does the capex annuity
        ("", {"fleet__utilization": 0.5}),  # the hourly IT load the cooling model runs at
        ('include_regions = ["SE-SE1"]\n', {}),  # another site set
    ],
)
def test_a_climate_or_cooling_input_misses(tmp_path, monkeypatch, sites, edits):
    cooling = spy(monkeypatch, "_cooling_arrays")
    cache.prepared_sites(scenario(tmp_path))
    changed = scenario(tmp_path, sites=sites, name="changed.toml", **edits)
    cache.prepared_sites(changed)
    assert len(cooling) == 2
    assert (cache.cache_info().hits, cache.cache_info().misses) == (0, 2)


def test_another_gpu_misses(tmp_path, monkeypatch):
    cooling = spy(monkeypatch, "_cooling_arrays")
    cache.prepared_sites(scenario(tmp_path))
    changed = scenario(tmp_path, name="b.toml")
    changed.fleet.phases[0].gpu = "GB200"  # liquid-cooled only: another cooling choice
    cache.prepared_sites(changed)
    assert len(cooling) == 2


def test_a_weather_file_misses_and_so_does_its_edited_bytes(tmp_path, monkeypatch):
    climate = spy(monkeypatch, "_climate_arrays")
    weather = tmp_path / "w.epw.gz"
    shutil.copy(DULLES, weather)
    cache.prepared_sites(scenario(tmp_path))
    with_file = scenario(tmp_path, sites=f'[sites.weather_files]\nlulea-se = "{weather}"\n')
    prepared = cache.prepared_sites(with_file)
    assert len(climate) == 2
    assert prepared.arrays.table.loc["lulea-se", "climate_source"] == "w.epw.gz"
    cache.prepared_sites(with_file)
    assert len(climate) == 2  # the same file again: a hit
    # Touched but the same bytes: still a hit; other bytes at the same path: prepared again.
    os.utime(weather, ns=(1, 1))
    cache.prepared_sites(with_file)
    assert len(climate) == 2
    shutil.copy(DATA / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz", weather)
    cache.prepared_sites(with_file)
    assert len(climate) == 3


def test_a_site_catalog_misses_and_so_does_its_edited_bytes(tmp_path, monkeypatch):
    climate = spy(monkeypatch, "_climate_arrays")
    sites = tmp_path / "sites.csv"
    # Luleå and Stockholm (rounded coordinates).
    sites.write_text("id,name,lat,lon\na,A,65.6,22.1\nb,B,59.3,18.0\n")
    cache.prepared_sites(scenario(tmp_path))
    user = scenario(tmp_path, sites=f'catalog = "{sites}"\n')
    assert list(cache.prepared_sites(user).arrays.table.index) == ["a", "b"]
    assert len(climate) == 2
    sites.write_text("id,name,lat,lon\na,A,65.6,22.1\nc,C,60.17,24.94\n")  # Helsinki instead
    assert list(cache.prepared_sites(user).arrays.table.index) == ["a", "c"]
    assert len(climate) == 3


def test_the_cache_is_bounded(tmp_path):
    for k in range(cache.MAX_PREPARED + 2):
        cache.prepared_sites(scenario(tmp_path, cooling__allow_water_cooling_above_stress=k / 2))
    assert cache.cache_info().size == cache.MAX_PREPARED
    assert cache.cache_info().misses == cache.MAX_PREPARED + 2
