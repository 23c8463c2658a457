"""A worker's cache of prepared sites: the climate and the hourly cooling model, kept across
sweep points whose site set, climate and cooling inputs are the same.

Points that differ in what the evaluation reads need an evaluation each (a fleet size, a
carbon price), but most of an evaluation's time goes to the sites' typical years and the
hourly cooling model (:func:`planner.evaluate.prepare_sites`), which read only part of the
scenario. :func:`prepared_sites` keeps a few of them per process, keyed by a hash of exactly
that part (:func:`prepared_key`), so a Dask worker prepares the sites once for a sweep over
fleet size or carbon price. A wrong hit would be a wrong answer, so the key is generous: it
leaves out only the fleet's GPU counts and start months, the scenario's name and the
objective, constraints and analysis sections, which the preparation does not read.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

MAX_PREPARED = 4
"""Prepared site sets kept per process: a 63-site set is about 5 MB, a 100,000-site file's
about 50 MB (a few hundred cooling cases of 8,760 hours, and the site table)."""

NOT_PREPARED = {
    "scenario": ("name", "description"),
    "objective": None,  # the whole section
    "constraints": None,
    "analysis": None,
    "demand": None,
    "facility": None,
}
"""Scenario sections (None) or keys that :func:`planner.evaluate.prepare_sites` does not read;
the fleet's phases lose their ``count`` and ``start_month`` (only the design power reads them,
and it is worked out again for each point)."""


@dataclass
class CacheInfo:
    """How the process's cache has served: prepared site sets reused and computed."""

    hits: int = 0
    misses: int = 0
    size: int = 0


_PREPARED: OrderedDict[str, Any] = OrderedDict()
_INFO = CacheInfo()


def prepared_key(scenario: Any) -> str:
    """SHA-256 of what preparing the scenario's sites reads: the scenario less
    :data:`NOT_PREPARED`, the bytes of every file it names (site file, regions, weather,
    price and carbon files) and the embedded data."""
    from planner.checks import referenced_files
    from planner.sweep.engine import data_hash
    from planner.sweep.run import scenario_without
    from planner.sweep.tasks import _digest_at, _stamp

    data = scenario_without(scenario, NOT_PREPARED)
    fleet = data.get("fleet", {})
    fleet["phases"] = [
        {k: v for k, v in phase.items() if k not in ("count", "start_month")}
        for phase in fleet.get("phases", [])
    ]
    # The bytes of each file, not only its path: the same path edited is another input.
    files = {
        str(path): _digest_at(str(path), _stamp(path)) for _, path in referenced_files(scenario)
    }
    text = json.dumps(
        {"scenario": data, "files": files, "data": data_hash()}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepared_sites(scenario: Any) -> Any:
    """:func:`planner.evaluate.prepare_sites` on the scenario's catalog, from this process's
    cache when a point with the same :func:`prepared_key` prepared them already.

    The design power (the only figure of the preparation that the fleet's GPU counts move) is
    worked out for this scenario; the cached hourly arrays are read-only, so that a step that
    would change them in place fails instead of changing them for the next point.
    """
    from planner.evaluate import prepare_sites
    from planner.power import WorkloadParams, fleet_power
    from planner.sweep.tasks import scenario_catalog

    catalog = scenario_catalog(scenario)
    key = prepared_key(scenario)
    cached = _PREPARED.get(key)
    if cached is None:
        _INFO.misses += 1
        cached = _read_only(prepare_sites(scenario, catalog))
        _PREPARED[key] = cached
        while len(_PREPARED) > MAX_PREPARED:
            _PREPARED.popitem(last=False)
    else:
        _INFO.hits += 1
        _PREPARED.move_to_end(key)
    _INFO.size = len(_PREPARED)
    workload = WorkloadParams.from_dict(cached.finance["workload"])
    fp = fleet_power(scenario.fleet, cached.catalog.gpus, workload)
    return replace(cached, catalog=catalog, design_it_mw=float(fp.design_it_mw))


def _read_only(prepared: Any) -> Any:
    arrays = prepared.arrays
    for name in (
        "hourly_pue",
        "hourly_wue_l_per_kwh",
        "case_of_site",
        "cooling_technology",
        "economizer_hours",
    ):
        value = getattr(arrays, name, None)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return prepared


def cache_info() -> CacheInfo:
    """This process's hits, misses and entries."""
    return replace(_INFO)


def clear_cache() -> None:
    """Forget every prepared site set (and the counts)."""
    _PREPARED.clear()
    _INFO.hits = _INFO.misses = _INFO.size = 0
