"""Run a sweep: check every point, group them by evaluation, run them on the cluster, keep rows.

:func:`prepare` merges every point into the base scenario and validates it (the scenario's
own validation and :func:`planner.checks.check_scenario`) before any work starts; invalid
points are returned with their message. :func:`run_sweep` then runs the points that are not
done yet on a Dask cluster (:mod:`planner.sweep.engine`), one evaluation per group of points
that differ only in what the evaluation does not read (:func:`evaluation_key`), with a bounded
number of points in flight, and streams each finished row into the sweep folder
(:class:`planner.sweep.store.SweepStore`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.sweep import tasks
from planner.sweep.spec import Point, SweepSpec, point_scenario, resolve_value
from planner.sweep.store import POINTS, SweepStore, axis_kinds

# Scenario parts the evaluation never reads (checked against planner.evaluate and the models
# it calls): points that differ only here share one evaluation.
NOT_EVALUATED = {
    "scenario": ("name", "description"),
    "objective": ("weights", "cost_metric", "water_price_usd_per_m3", "risk_price_usd_per_mw_year"),
    "constraints": None,  # the whole section
    "analysis": None,
}


@dataclass
class Invalid:
    """A point refused before any work: its message names the field."""

    point: Point
    message: str
    field: str | None = None


@dataclass
class Plan:
    """Every point checked and grouped."""

    points: list[Point]
    scenarios: dict[str, Any]  # point id -> validated Scenario (valid points)
    warnings: dict[str, list[str]]  # point id -> the checks' warnings
    groups: dict[str, str]  # point id -> evaluation group key
    invalid: list[Invalid]
    files: dict[str, dict[str, str]]  # group key -> {path: sha256} of its referenced files


@dataclass
class SweepOutcome:
    """What a run did."""

    rows: list[dict[str, Any]]  # one per point with a row, in sweep order
    ran: int  # points run this time
    skipped: int  # points already done (resume)
    invalid: list[Invalid]
    table: Path | None
    manifest: Path
    counts: dict[str, int] = field(default_factory=dict)


def reduce_analysis(scenario: Any) -> Any:
    """The sweep's default: no Monte Carlo draws, no Pareto front, no tornado."""
    scenario.analysis.uncertainty.draws = 0
    scenario.analysis.pareto_points = 0
    scenario.analysis.sensitivity = False
    return scenario


def scenario_without(scenario: Any, dropped: dict[str, Any]) -> dict[str, Any]:
    """The scenario as a dict less ``dropped``: section -> keys to drop (None: the section)."""
    from planner.scenario import scenario_to_dict

    data = scenario_to_dict(scenario)
    for section, keys in dropped.items():
        if keys is None:
            data.pop(section, None)
        else:
            for key in keys:
                data.get(section, {}).pop(key, None)
    return data


def evaluation_key(scenario: Any) -> str:
    """A hash of the part of a scenario the evaluation reads (see :data:`NOT_EVALUATED`)."""
    data = scenario_without(scenario, NOT_EVALUATED)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_key(scenario: Any) -> str:
    """What :func:`planner.checks.check_scenario` reads: files, names and codes."""
    from planner.scenario import scenario_to_dict

    data = scenario_to_dict(scenario)
    part = {
        "sites": data.get("sites"),
        "energy": {k: data["energy"].get(k) for k in ("price_file", "carbon_file", "cfe_file")},
        "gpus": [p["gpu"] for p in data["fleet"]["phases"]],
        "demand": [d["name"] for d in data.get("demand", [])],
        "latency": [r["demand_center"] for r in data["constraints"].get("latency", [])],
        "allowed": data["constraints"].get("allowed_countries"),
    }
    return json.dumps(part, sort_keys=True, default=str)


def prepare(spec: SweepSpec, *, analysis: str = "fast") -> Plan:
    """Merge, validate and check every point; group the valid ones by evaluation."""
    from planner.checks import check_scenario, referenced_files

    points = spec.points()
    ids = Counter(p.id for p in points)
    clash = [i for i, n in ids.items() if n > 1]
    if clash:  # 48-bit ids: practically never
        raise InputError(f"two points share the id {clash[0]}", file=spec.file)
    checked: dict[str, list[str] | InputError] = {}
    digests: dict[str, str] = {}
    plan = Plan(points, {}, {}, {}, [], {})
    for point in points:
        try:
            scenario = point_scenario(spec, point)
            if analysis != "full":
                reduce_analysis(scenario)
            key = _check_key(scenario)
            if key not in checked:
                try:
                    checked[key] = check_scenario(scenario)
                except InputError as exc:
                    checked[key] = exc
            if isinstance(checked[key], InputError):
                raise checked[key]
        except InputError as exc:
            plan.invalid.append(Invalid(point, str(exc), exc.field))
            continue
        group = evaluation_key(scenario)
        plan.scenarios[point.id] = scenario
        plan.warnings[point.id] = list(checked[key])
        plan.groups[point.id] = group
        if group not in plan.files:
            files = {}
            for _field, path in referenced_files(scenario):
                text = str(path)
                if text not in digests:
                    digests[text] = tasks.file_digest(path)
                files[text] = digests[text]
            plan.files[group] = files
    return plan


def manifest(spec: SweepSpec, plan: Plan, *, analysis: str, formats: Sequence[str]) -> dict:
    """The sweep folder's ``sweep.json``."""
    from planner import __version__
    from planner.sweep.engine import data_hash

    return {
        "kind": "planner-sweep",
        "format": 1,
        "sweep_file": str(spec.file),
        "base": spec.base,
        "base_file": str(spec.base_file),
        "base_hash": spec.base_hash(),
        "scenario_name": spec.base_data.get("scenario", {}).get("name", ""),
        "mode": spec.mode,
        "axes": spec.axes,
        "linked": spec.linked,
        "axis_kinds": axis_kinds(spec.axes),
        "analysis": analysis,
        "formats": list(formats),
        "planner_version": __version__,
        "data_hash": data_hash(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        # values: as written in the sweep file (what the id hashes); overrides: as merged
        # into the base (paths made absolute).
        "points": [
            {
                "id": p.id,
                "values": p.values,
                "overrides": {a: resolve_value(a, v, spec.folder) for a, v in p.values.items()},
                "group": plan.groups.get(p.id),
            }
            for p in plan.points
        ],
    }


def check_resumable(previous: dict[str, Any], current: dict[str, Any], folder: Path) -> None:
    """Refuse to resume a sweep made from another base, planner, data or analysis depth."""
    for key, what in (
        ("base_hash", "another base scenario"),
        ("planner_version", "another planner version"),
        ("data_hash", "other embedded data"),
        ("analysis", "another analysis depth (--full-analysis or --format)"),
    ):
        if previous.get(key) != current.get(key):
            raise InputError(
                f"the sweep here was made with {what}; its rows would not compare with new "
                "ones: pass --overwrite to start again, or write to another --out",
                file=folder,
            )


def run_sweep(
    spec: SweepSpec,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retries: int = 0,
    formats: Sequence[str] = (),
    skip_invalid: bool = False,
    full_analysis: bool = False,
    plan: Plan | None = None,
    on_row: Callable[[dict[str, Any], int, int], None] | None = None,
    optimize: Callable[..., Any] | None = None,
) -> SweepOutcome:
    """Run the sweep into ``out_dir`` (see the module docstring).

    Parameters
    ----------
    resume : bool
        Keep the rows of points already done (status ok, infeasible or bad-input) and run the
        others; without it the folder's previous sweep files are replaced.
    retries : int
        Times a point whose worker died is run again.
    formats : list of str
        Per-point files (``json`` for results.json alone, or report formats) in
        ``out_dir/points/<id>/``; none by default.
    skip_invalid : bool
        Invalid points become rows with status ``bad-input``; without it they raise.
    on_row : callable, optional
        ``on_row(row, done, total)`` in this process as each point finishes.
    optimize : callable, optional
        Replaces :func:`planner.sweep.tasks.optimize_point` on the workers (tests).

    Raises
    ------
    InputError
        Invalid points without ``skip_invalid`` (the first one's message; all are in
        ``plan.invalid``), a folder that cannot be resumed, an unreachable scheduler or a
        worker with another planner version.
    """
    from planner.sweep.engine import dask_client, fingerprint

    analysis = "full" if full_analysis else ("explained" if formats else "fast")
    plan = plan or prepare(spec, analysis=analysis)
    if plan.invalid and not skip_invalid:
        first = plan.invalid[0]
        raise InputError(
            f"{len(plan.invalid)} of {len(plan.points)} points are invalid; the first "
            f"({first.point.label()}): {first.message}",
            file=spec.file,
        )
    out_dir = Path(out_dir)
    store = SweepStore(out_dir)
    doc = manifest(spec, plan, analysis=analysis, formats=formats)
    previous: dict[str, dict[str, Any]] = {}
    if resume and store.manifest_path.exists():
        check_resumable(store.read_manifest(), doc, out_dir)
        previous = store.read_log()
    else:
        store.reset()
    manifest_path = store.write_manifest(doc)
    axes = list(spec.axes)
    kinds = axis_kinds(spec.axes)
    order = {p.id: i for i, p in enumerate(plan.points)}
    rows: dict[str, dict[str, Any]] = {
        i: r for i, r in previous.items() if i in order and r.get("status") in tasks.DONE
    }
    skipped = len(rows)
    total = len(plan.points)

    def table_rows() -> list[dict[str, Any]]:
        return sorted(rows.values(), key=lambda r: order[r["id"]])

    def finish(row: dict[str, Any]) -> None:
        rows[row["id"]] = row
        store.append(row)
        if on_row:
            on_row(row, len(rows), total)
        if store.table_due():
            store.write_table(table_rows(), axes, kinds)

    ran = 0
    try:
        for bad in plan.invalid:
            if bad.point.id not in rows:
                finish(_row(bad.point, status=tasks.BAD_INPUT, message=bad.message))
                ran += 1
        todo = [p for p in plan.points if p.id in plan.scenarios and p.id not in rows]
        if todo:
            expected = fingerprint()
            with dask_client(workers=workers, scheduler=scheduler, retries=retries) as client:
                for row in _run_points(
                    client, plan, todo, expected, analysis, formats, out_dir, retries, optimize
                ):
                    finish(row)
                    ran += 1
    finally:
        with contextlib.suppress(Exception):
            if rows:
                store.write_table(table_rows(), axes, kinds)
        store.close()
    final = table_rows()
    counts = Counter(r["status"] for r in final)
    return SweepOutcome(
        rows=final,
        ran=ran,
        skipped=skipped,
        invalid=plan.invalid,
        table=store.table_path if final else None,
        manifest=manifest_path,
        counts={s: counts.get(s, 0) for s in tasks.STATUSES},
    )


def _row(point: Point, **columns: Any) -> dict[str, Any]:
    return {"id": point.id, "values": point.values, **columns}


def _run_points(
    client: Any,
    plan: Plan,
    todo: list[Point],
    expected: dict[str, str],
    analysis: str,
    formats: Sequence[str],
    out_dir: Path,
    retries: int,
    optimize: Callable[..., Any] | None,
):
    """Yield each point's row as it finishes; one evaluation future per group in flight."""
    from distributed import as_completed

    from planner.sweep.engine import IN_FLIGHT_PER_WORKER, TaskLost, n_workers, settle

    run_id = uuid.uuid4().hex[:8]
    # Points of one group next to each other: a group's evaluation lives only while its
    # points run.
    by_group: dict[str, list[Point]] = {}
    for point in todo:
        by_group.setdefault(plan.groups[point.id], []).append(point)
    queue = deque(p for points in by_group.values() for p in points)
    left = Counter(plan.groups[p.id] for p in todo)
    evaluations: dict[str, Any] = {}
    running: dict[Any, Point] = {}
    limit = IN_FLIGHT_PER_WORKER * n_workers(client)
    done = as_completed(loop=client.loop)

    def submit_next() -> None:
        point = queue.popleft()
        group = plan.groups[point.id]
        scenario = plan.scenarios[point.id]
        if group not in evaluations:
            evaluations[group] = client.submit(
                tasks.evaluate_group,
                tasks.GroupTask(
                    group, scenario, plan.warnings[point.id], plan.files[group], expected
                ),
                key=f"sweep-evaluate-{run_id}-{group}",
                retries=retries,
                pure=False,
            )
        task = tasks.PointTask(
            id=point.id,
            scenario=scenario,
            analysis=analysis,
            out_dir=str(out_dir / POINTS / point.id) if formats else None,
            formats=tuple(formats),
            fingerprint=expected,
            optimize=optimize,
        )
        future = client.submit(
            tasks.run_point,
            evaluations[group],
            task,
            key=f"sweep-point-{run_id}-{point.id}",
            retries=retries,
            pure=False,
        )
        running[future] = point
        done.add(future)

    try:
        while queue and len(running) < limit:
            submit_next()
        for future in done:
            point = running.pop(future)
            outcome = settle(future, "this point")
            future.release()
            group = plan.groups[point.id]
            left[group] -= 1
            if left[group] == 0:
                evaluations.pop(group).release()
            if isinstance(outcome, TaskLost):
                outcome = {
                    "status": tasks.ERROR,
                    "message": outcome.message,
                    "traceback": outcome.traceback,
                    "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            yield _row(point, group=group, **outcome)
            while queue and len(running) < limit:
                submit_next()
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel([*running, *evaluations.values()])
        raise
