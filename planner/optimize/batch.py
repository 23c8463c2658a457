"""Batch runs: several scenario files, one output folder each, in parallel worker processes.

One scenario never takes the others down: bad input, an infeasible problem, an unexpected
exception in the worker and a worker process that dies are each caught for that scenario and
become its row of ``summary.csv`` (column ``outcome``: ``ok``, ``bad input``, ``infeasible``
or ``internal error``, with a one-sentence ``message``). The batch's exit code is the worst
outcome, in the order internal error (1) > bad input (2) > infeasible (3) > ok (0).

With more than one worker, scenarios run on a local Dask cluster of worker processes (at most
``workers`` at a time; the sweep's executor, :mod:`planner.sweep.engine`), so a crash of one
process is seen as that scenario's outcome. Workers ignore Ctrl-C; the parent cancels the
scenarios in flight, closes the cluster and removes the half-built folders of the scenarios
that did not finish. Output folders are built whole and swapped in
(:func:`planner.outputs.staged_folder`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.inputs import check_regular_file
from planner.progress import ProgressCallback

SUMMARY_FILE = "summary.csv"

OK, BAD_INPUT, INFEASIBLE, INTERNAL_ERROR = "ok", "bad input", "infeasible", "internal error"
#: Exit code of each outcome, worst first: the batch exits with the first one present.
EXIT_CODES = {INTERNAL_ERROR: 1, BAD_INPUT: 2, INFEASIBLE: 3, OK: 0}


@dataclass
class Job:
    """One scenario to run and where its outputs go."""

    scenario_file: Path
    out_dir: Path
    formats: tuple[str, ...]
    sites_file: Path | None = None


def scenario_files(arguments: Iterable[Path]) -> list[Path]:
    """Expand arguments into scenario files: a folder stands for the ``*.toml`` files in it.

    Raises
    ------
    InputError
        For a missing path or a folder without scenario files.
    """
    files: list[Path] = []
    for arg in arguments:
        if arg.is_dir():
            found = sorted(arg.glob("*.toml"))
            if not found:
                raise InputError("the folder holds no scenario files (*.toml)", file=arg)
            files += found
        elif arg.exists():
            check_regular_file(arg, what="scenario")  # a device or FIFO: say which
            files.append(arg)
        else:
            raise InputError("no such scenario file or folder", file=arg)
    return files


def plan_jobs(
    files: Sequence[Path], out_root: Path, formats: Sequence[str], *, sites_file: Path | None = None
) -> list[Job]:
    """One output folder per scenario, named after its file (``-2``, ``-3`` on clashes).

    The name is made safe for a folder name (no ``..``, no separators), so outputs never land
    outside ``out_root``.
    """
    from planner.report.exports import safe_filename

    jobs, used = [], set()
    for f in files:
        stem = safe_filename(f.stem, default="scenario")
        name, n = stem, 1
        while name.lower() in used:
            n += 1
            name = f"{stem}-{n}"
        used.add(name.lower())
        jobs.append(Job(f, out_root / name, tuple(formats), sites_file))
    return jobs


def check_writable(out_root: Path, jobs: Sequence[Job], *, overwrite: bool, summary: bool) -> None:
    """Refuse, before any work, outputs that cannot or may not be written.

    Raises
    ------
    InputError
        One sentence naming the path: a file where a folder should be (or the reverse),
        existing results without ``overwrite``, or a folder that cannot be written.
    """
    from planner.outputs import check_output_folder

    check_output_folder(out_root, overwrite=True)
    for job in jobs:
        check_output_folder(job.out_dir, overwrite=overwrite)
    summary_file = out_root / SUMMARY_FILE
    if summary and summary_file.is_dir():
        raise InputError("expected a file name, found a folder", file=summary_file)
    if summary and summary_file.exists() and not overwrite:
        raise InputError(
            "a batch summary already exists; pass --overwrite to replace it", file=summary_file
        )
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_root):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot write results here ({exc.strerror or exc})", file=out_root
        ) from None


def run_job(job: Job, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Run one scenario and write its outputs; never raises for a problem of the scenario.

    Returns
    -------
    dict
        ``outcome`` (``ok``, ``bad input``, ``infeasible``, ``internal error``), ``row`` (batch
        summary line), ``files`` (written), ``error`` (sentence or ""), ``traceback`` (text for
        an internal error, else ""), ``results`` (the :class:`Results`, or None).
    """
    from planner.optimize.run import run_scenario, summary_row
    from planner.scenario import load_scenario

    try:
        scenario = load_scenario(job.scenario_file)
        results = run_scenario(
            scenario,
            sites_file=job.sites_file,
            progress=progress,
            scenario_file=job.scenario_file,
        )
        files = write_results(results, job.out_dir, job.formats)
    except InputError as exc:
        return failed_outcome(job, BAD_INPUT, str(exc))
    except Exception as exc:  # noqa: BLE001 - one scenario's bug must not stop the batch
        return failed_outcome(job, INTERNAL_ERROR, internal_message(exc), traceback.format_exc())
    row = summary_row(results, scenario_file=str(job.scenario_file), out_dir=str(job.out_dir))
    outcome = OK if results.allocation.feasible else INFEASIBLE
    row = {"outcome": outcome, **row}
    files = [str(f) for f in files]
    return {
        "outcome": outcome,
        "row": row,
        "files": files,
        "error": "",
        "traceback": "",
        "results": results,
    }


def internal_message(exc: BaseException) -> str:
    """One sentence for an unexpected exception."""
    text = f"internal error: {type(exc).__name__}: {exc}".strip()
    return text if text.endswith(".") else text + "."


def error_line(outcome: dict[str, Any]) -> str:
    """The terminal line of a failed scenario, naming its file once.

    A bad-input sentence already starts with the file it is about when that is the scenario
    file; one about another file (a site or weather file) gets the scenario file in front.
    """
    file, message = outcome["row"]["file"], outcome["error"]
    if message.startswith((f"{file}:", f"{file},")):
        return message
    return f"{file}: {message}"


def failed_outcome(job: Job, outcome: str, message: str, trace: str = "") -> dict[str, Any]:
    """The outcome of a scenario that produced no results."""
    row = {
        "outcome": outcome,
        "scenario": job.scenario_file.stem,
        "file": str(job.scenario_file),
        "status": outcome,
        "out_dir": str(job.out_dir),
        "message": message,
    }
    return {
        "outcome": outcome,
        "row": row,
        "files": [],
        "error": message,
        "traceback": trace,
        "results": None,
        "json": {k: row[k] for k in ("scenario", "file", "out_dir", "status", "outcome")}
        | {"message": message, "files": []},
    }


def write_results(results: Any, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """results.json and the other formats, the folder built whole and swapped in.

    No file of a previous run survives in ``out_dir``; a failure leaves it as it was.
    """
    from planner.outputs import staged_folder
    from planner.report import write_outputs
    from planner.results import side_file_path

    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        written = [results.save_json(stage / "results.json")]
        side = side_file_path(written[0])
        if side.exists():  # above SIDE_FILE_SITES sites the per-site tables sit beside it
            written.append(side)
        others = [f for f in formats if f != "json"]
        if others:
            written += write_outputs(results, stage, others)
    return [out_dir / Path(p).relative_to(stage) for p in written]


def batch_exit_code(outcomes: Iterable[dict[str, Any]]) -> int:
    """The exit code of the worst outcome (internal error > bad input > infeasible > ok)."""
    present = {o["outcome"] for o in outcomes}
    for outcome, code in EXIT_CODES.items():
        if outcome in present:
            return code
    return 0


def run_in_worker(job: Job) -> dict[str, Any]:
    """The default job function of :func:`run_batch`: :func:`run_job` plus its JSON document."""
    out = run_job(job)
    results = out.pop("results")
    if results is not None:
        out["json"] = run_json(results, job, out["files"]) | {"outcome": out["outcome"]}
    return out


def run_json(results: Any, job: Job, files: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON document `planner optimize --json` prints for one scenario."""
    alloc = results.allocation
    ranking = results.ranking
    cols = [c for c in ranking.columns]
    flows = getattr(results, "cash_flows", None)
    return {
        "scenario": results.scenario.name,
        "file": str(job.scenario_file),
        "out_dir": str(job.out_dir),
        "status": alloc.status,
        "objective_usd": alloc.objective_usd,
        "gap": alloc.gap,
        "message": alloc.message,
        "binding": list(alloc.binding),
        "allocation": alloc.summary if alloc.summary is not None else [],
        "gpus": alloc.gpus if alloc.gpus is not None else [],
        "ranking": ranking[cols],
        # The recommendation explained; null when the allocation is infeasible.
        "build_vs_rent": getattr(results, "build_vs_rent", None),
        "cash_flows": None if flows is None else flows.to_dict(orient="records"),
        "scope2": getattr(results, "scope2", None),
        # The allocation as the recommendation with its alternatives; null when infeasible.
        "recommendation": getattr(results, "recommendation", None),
        "files": list(files),
    }


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    on_done: Callable[[int, int, dict[str, Any]], None] | None = None,
    job_function: Callable[[Job], dict[str, Any]] = run_in_worker,
) -> list[dict[str, Any]]:
    """Run every job and return its outcome, in job order; one job's failure stops no other.

    Parameters
    ----------
    jobs : list of Job
        The scenarios.
    workers : int, optional
        Processes at a time (default: CPU count, at most one per job). With 1 the jobs run
        one after the other in this process.
    on_done : callable, optional
        ``on_done(done, total, outcome)``, called in this process as each job finishes.
    job_function : callable
        Runs one job and returns its outcome dict (``outcome``, ``row``, ``files``, ``error``,
        ``json``); must be importable by name (it is sent to worker processes). An exception
        it raises, or its process dying, becomes an ``internal error`` outcome.

    Returns
    -------
    list of dict
        One outcome per job.
    """
    n = len(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, n))
    if workers == 1:
        outcomes = []
        for i, job in enumerate(jobs):
            outcomes.append(_guarded(job_function, job))
            if on_done:
                on_done(i + 1, n, outcomes[-1])
        return outcomes
    return _run_in_processes(jobs, workers, on_done, job_function)


def _guarded(job_function: Callable[[Job], dict[str, Any]], job: Job) -> dict[str, Any]:
    try:
        return job_function(job)
    except Exception as exc:  # noqa: BLE001 - becomes this scenario's outcome
        return failed_outcome(job, INTERNAL_ERROR, internal_message(exc), traceback.format_exc())


def _run_in_processes(
    jobs: Sequence[Job],
    workers: int,
    on_done: Callable[[int, int, dict[str, Any]], None] | None,
    job_function: Callable[[Job], dict[str, Any]],
) -> list[dict[str, Any]]:
    # The sweep's executor (planner.sweep.engine): a local Dask cluster of worker processes.
    # A job whose worker process dies is that one scenario's outcome (no retry: a scenario
    # that crashes its process would crash it again).
    from planner.sweep.engine import TaskLost, dask_client, run_unordered

    outcomes: list[dict[str, Any] | None] = [None] * len(jobs)
    done = 0

    def finished(item: tuple[int, Any, Job], outcome: Any) -> None:
        nonlocal done
        i, _, job = item
        if isinstance(outcome, TaskLost):
            message = outcome.message.replace("this task", "this scenario")
            outcome = failed_outcome(job, INTERNAL_ERROR, message, outcome.traceback)
        outcomes[i] = outcome
        done += 1
        if on_done:
            on_done(done, len(jobs), outcome)

    items = [(i, job_function, job) for i, job in enumerate(jobs)]
    try:
        with dask_client(workers=workers, retries=0) as client:
            run_unordered(
                client, _in_worker, items, on_done=finished, in_flight=workers, key_prefix="batch"
            )
    except BaseException:
        _clean_unfinished([job for job, o in zip(jobs, outcomes, strict=True) if o is None])
        raise
    return outcomes  # type: ignore[return-value]


def _in_worker(item: tuple[int, Callable[[Job], dict[str, Any]], Job]) -> dict[str, Any]:
    """One job in a worker process: warnings to the debug log, any exception its outcome."""
    _, job_function, job = item
    warnings.showwarning = _log_warning  # a worker does not inherit the CLI's routing
    return _guarded(job_function, job)


def _clean_unfinished(jobs: Sequence[Job]) -> None:
    """After a stop: the half-built folders of jobs whose workers were killed mid-write.

    A worker stopped while building a folder leaves its hidden sibling (``.NAME.tmp-*``); one
    stopped in the middle of the swap leaves the previous folder aside (``.NAME.old-*``),
    which goes back in place.
    """
    from planner.outputs import remove_tree

    for job in jobs:
        out, parent = Path(job.out_dir), Path(job.out_dir).parent
        if not parent.is_dir():
            continue
        for stage in parent.glob(f".{out.name}.tmp-*"):
            remove_tree(stage)
        olds = sorted(parent.glob(f".{out.name}.old-*"))
        if olds and not out.exists():
            os.rename(olds.pop(), out)
        for old in olds:
            remove_tree(old)


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    logging.getLogger("py.warnings").debug(
        "%s:%s: %s: %s", filename, lineno, category.__name__, message
    )


def write_summary(out_root: Path, outcomes: Sequence[dict[str, Any]]) -> Path:
    """The batch summary table (one row per scenario) as CSV in ``out_root``.

    Text cells are neutralised against spreadsheet formulas (scenario names are user text).
    """
    from planner.report.exports import write_table_csv

    table = pd.DataFrame([o["row"] for o in outcomes])
    return write_table_csv(table, out_root / SUMMARY_FILE, index=False)
