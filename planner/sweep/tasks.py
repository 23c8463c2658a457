"""What runs on a worker: one evaluation per group of points, then each point's optimisation.

Points that differ only in what the evaluation does not read (ranking weights and cost
metric, the water and risk prices, constraints, analysis settings, the scenario's name) share
one :func:`evaluate_group`; each point then runs :func:`run_point` on that evaluation. Groups
that differ only in what the sites' climate and cooling do not read (fleet size, carbon price)
take the prepared sites from the worker's cache (:mod:`planner.sweep.cache`). Both
return plain dicts and never raise for a problem of the point: bad input becomes status
``bad-input``, anything else ``error``, each with a one-sentence message (and the traceback,
kept in the sweep's log).

How much of the explanation a point computes (``analysis``):

- ``fast`` (the sweep's default): screening, ranking, the allocation and its build-versus-rent,
  cash flows and Scope 2 — every figure of the sweep table, nothing more;
- ``explained`` (when per-point files are asked for): also the recommendation's alternatives
  and switching values (:func:`planner.optimize.run.optimize_evaluation`), with the Monte
  Carlo draws, the Pareto front and the tornado off;
- ``full`` (``--full-analysis``): everything the point's scenario asks for.
"""

from __future__ import annotations

import copy
import hashlib
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.errors import InputError

OK, INFEASIBLE, BAD_INPUT, ERROR = "ok", "infeasible", "bad-input", "error"
STATUSES = (OK, INFEASIBLE, BAD_INPUT, ERROR)
DONE = frozenset({OK, INFEASIBLE, BAD_INPUT})
"""Statuses a resumed sweep keeps; ``error`` points run again."""
ANALYSES = ("fast", "explained", "full")


@dataclass
class GroupTask:
    """One evaluation shared by the points of a group."""

    key: str
    scenario: Any  # planner.scenario.Scenario: any point of the group
    warnings: list[str]
    files: dict[str, str]  # path -> sha256 the client read
    fingerprint: dict[str, str]


@dataclass
class PointTask:
    """One point to optimise on its group's evaluation."""

    id: str
    scenario: Any  # planner.scenario.Scenario
    analysis: str = "fast"
    out_dir: str | None = None  # per-point files go here (with ``formats``)
    formats: tuple[str, ...] = ()
    fingerprint: dict[str, str] = field(default_factory=dict)
    # Replaces the optimisation (tests: a point that raises); called as
    # ``optimize(evaluation, scenario, analysis)`` and returning a Results.
    optimize: Callable[..., Any] | None = None


def failure(exc: BaseException) -> dict[str, Any]:
    """Status, one-sentence message and traceback of an exception met on a worker."""
    from planner.sweep.engine import WorkerMismatch

    if isinstance(exc, InputError):
        return {"status": BAD_INPUT, "message": str(exc), "traceback": ""}
    if isinstance(exc, WorkerMismatch):
        return {"status": ERROR, "message": _sentence(str(exc)), "traceback": ""}
    message = _sentence(f"internal error: {type(exc).__name__}: {exc}".strip())
    return {"status": ERROR, "message": message, "traceback": traceback.format_exc()}


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


# --- the group's evaluation ---------------------------------------------------------------


def evaluate_group(task: GroupTask) -> dict[str, Any]:
    """Evaluate every candidate site once for the group (see the module docstring).

    Returns ``{"ok": True, "evaluation", "seconds", "worker"}`` or ``{"ok": False, "status",
    "message", "traceback", "seconds", "worker"}``.
    """
    from planner.evaluate import evaluate_prepared
    from planner.sweep.cache import prepared_sites
    from planner.sweep.engine import check_fingerprint, worker_name

    started = time.perf_counter()
    try:
        check_fingerprint(task.fingerprint)
        check_files(task.files)
        # evaluate_sites, with the climate and cooling kept across this worker's groups.
        evaluation = evaluate_prepared(task.scenario, prepared_sites(task.scenario))
        # As run_scenario: the checks' warnings join the evaluation's.
        evaluation.warnings.extend(w for w in task.warnings if w not in evaluation.warnings)
    except Exception as exc:  # noqa: BLE001 - the group's points report it
        out = failure(exc)
        out.update(ok=False, seconds=time.perf_counter() - started, worker=worker_name())
        return out
    return {
        "ok": True,
        "evaluation": evaluation,
        "seconds": time.perf_counter() - started,
        "worker": worker_name(),
    }


def scenario_catalog(scenario: Any) -> Any:
    """The scenario's data catalog, read once per worker for each site and regions file."""
    from planner.evaluate import scenario_catalog as catalog_of

    if scenario.sites.catalog == "default" and scenario.sites.regions_file is None:
        return catalog_of(scenario)
    return _user_catalog(
        scenario.sites.catalog,
        None if scenario.sites.regions_file is None else str(scenario.sites.regions_file),
        _stamp(scenario.sites.catalog),
        _stamp(scenario.sites.regions_file),
    )


@lru_cache(maxsize=4)
def _user_catalog(catalog: str, regions: str | None, *_stamps: Any) -> Any:
    from planner.catalog import load_catalog

    return load_catalog(sites_file=None if catalog == "default" else catalog, regions_file=regions)


def _stamp(path: Any) -> tuple[int, int] | None:
    if path is None or path == "default":
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _digest_at(path: str, stamp: tuple[int, int] | None) -> str | None:
    return None if stamp is None else file_digest(path)


def check_files(files: dict[str, str]) -> None:
    """Refuse a worker that does not see the client's files, byte for byte, at their paths.

    Sweeps read the scenario's files where they are: on a cluster of several machines every
    worker needs them at the same paths (a shared file system).
    """
    from planner.sweep.engine import WorkerMismatch, worker_name

    for path, expected in files.items():
        if _digest_at(path, _stamp(path)) != expected:
            raise WorkerMismatch(
                f"the worker {worker_name()} does not see the file {path} as this computer "
                "does; workers need the sweep's files at the same paths (a shared file system)"
            )


# --- each point -----------------------------------------------------------------------------


def run_point(group: dict[str, Any], task: PointTask) -> dict[str, Any]:
    """Optimise one point on its group's evaluation; the sweep row's computed columns.

    Returns ``status, message, solver_status, objective_usd, sites, n_sites,
    usd_per_gpu_hour, co2_location_t, co2_market_t, water_m3, evaluation_s, wall_s, worker,
    finished, files, traceback``.
    """
    from planner.sweep.engine import check_fingerprint, worker_name

    started = time.perf_counter()
    row: dict[str, Any] = {"evaluation_s": group.get("seconds")}
    if not group.get("ok"):
        row.update(status=group["status"], message=group["message"])
        row["traceback"] = group.get("traceback", "")
    else:
        try:
            check_fingerprint(task.fingerprint)
            # Points of a group share the evaluation object on a worker: each works on a copy.
            evaluation = copy.deepcopy(group["evaluation"])
            optimize = task.optimize or optimize_point
            results = optimize(evaluation, task.scenario, task.analysis)
            row.update(result_columns(results))
            if task.formats and task.out_dir:
                row["files"] = write_point_files(results, Path(task.out_dir), task.formats)
        except Exception as exc:  # noqa: BLE001 - becomes this point's row
            row.update(failure(exc))
    row.update(
        wall_s=time.perf_counter() - started,
        worker=worker_name(),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return row


def optimize_point(evaluation: Any, scenario: Any, analysis: str = "fast") -> Any:
    """The point's :class:`~planner.results.Results` at the asked depth of explanation."""
    if analysis != "fast":
        from planner.optimize.run import optimize_evaluation, scenario_reevaluator

        return optimize_evaluation(
            evaluation,
            scenario,
            reevaluate=scenario_reevaluator(scenario, scenario_catalog(scenario)),
        )
    return optimize_fast(evaluation, scenario)


def optimize_fast(evaluation: Any, scenario: Any, *, time_limit_s: float = 60.0) -> Any:
    """Screening, ranking, the allocation and its build vs rent, cash flows and Scope 2:
    :func:`planner.optimize.run.optimize_evaluation` without the recommendation's explanations
    (alternatives, switching values, robustness); the point's scenario has no Pareto front,
    Monte Carlo or tornado either, so every figure is the one a full run gives."""
    from planner.optimize.run import optimize_evaluation

    return optimize_evaluation(evaluation, scenario, time_limit_s=time_limit_s, explain=False)


def result_columns(results: Any) -> dict[str, Any]:
    """The sweep table's figures of one run (the same for a sweep point and a direct run)."""
    alloc = results.allocation
    summary = alloc.summary if alloc.feasible and alloc.summary is not None else None
    bvr = results.build_vs_rent or {}
    scope2 = results.scope2 or {}

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        "status": OK if alloc.feasible else INFEASIBLE,
        "message": alloc.message,
        "solver_status": alloc.status,
        "objective_usd": number(alloc.objective_usd) if summary is not None else None,
        "sites": ", ".join(map(str, summary.index)) if summary is not None else "",
        "n_sites": len(summary) if summary is not None else 0,
        "usd_per_gpu_hour": number(bvr.get("usd_per_gpu_hour")),
        "co2_location_t": number(scope2.get("location_t_horizon")),
        "co2_market_t": number(scope2.get("market_t_horizon")),
        "water_m3": float(summary["water_m3"].sum()) if summary is not None else None,
    }


def write_point_files(results: Any, out_dir: Path, formats: tuple[str, ...]) -> list[str]:
    """results.json and the asked formats in the point's folder, built whole and swapped in."""
    from planner.optimize.batch import write_results

    return [str(p) for p in write_results(results, out_dir, formats)]
