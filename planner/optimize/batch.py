"""Batch runs: several scenario files, one output folder each, in parallel worker processes.

One scenario never takes the others down: bad input, an infeasible problem, an unexpected
exception in the worker and a worker process that dies are each caught for that scenario and
become its row of ``summary.csv`` (column ``outcome``: ``ok``, ``bad input``, ``infeasible``
or ``internal error``, with a one-sentence ``message``). The batch's exit code is the worst
outcome, in the order internal error (1) > bad input (2) > infeasible (3) > ok (0).

Each scenario runs in a process of its own (at most ``workers`` at a time), so a crash of one
is seen as that scenario's outcome. Workers ignore Ctrl-C; the parent stops them with SIGTERM,
which they turn into KeyboardInterrupt so their half-built output folders are removed. Output
folders are built whole and swapped in (:func:`planner.outputs.staged_folder`).
"""

from __future__ import annotations

import logging
import os
import signal
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

    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        written = [results.save_json(stage / "results.json")]
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
    # One process per job rather than a pool: a pool loses the task of a worker that dies and
    # waits for it forever; here a dead process is that one scenario's outcome.
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context()
    outcomes: list[dict[str, Any] | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))[::-1]
    running: dict[int, tuple[Any, Any]] = {}  # job index -> (process, receiving end)
    done = 0
    try:
        while pending or running:
            while pending and len(running) < workers:
                i, job = pending.pop()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(sender, job_function, job), daemon=True
                )
                process.start()
                sender.close()  # the parent's copy: EOF on the receiver once the child exits
                running[i] = (process, receiver)
            wait([r for _, r in running.values()])
            for i in [i for i, (_, r) in running.items() if r.poll()]:
                process, receiver = running.pop(i)
                outcomes[i] = _receive(receiver, process, jobs[i])
                done += 1
                if on_done:
                    on_done(done, len(jobs), outcomes[i])  # type: ignore[arg-type]
    except BaseException:
        _stop(running)
        raise
    return outcomes  # type: ignore[return-value]


def _receive(receiver: Any, process: Any, job: Job) -> dict[str, Any]:
    try:
        outcome = receiver.recv()
    except (EOFError, OSError):
        outcome = None
    finally:
        receiver.close()
    process.join()
    if outcome is None:
        code = process.exitcode
        how = f"was killed by signal {-code}" if code and code < 0 else f"exited with code {code}"
        message = f"internal error: the worker process running this scenario {how}."
        return failed_outcome(job, INTERNAL_ERROR, message)
    return outcome


def _stop(running: dict[int, tuple[Any, Any]]) -> None:
    """Stop the workers still running; each removes its half-built output folder."""
    for process, _ in running.values():
        process.terminate()
    for process, receiver in running.values():
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
        receiver.close()


def _child(sender: Any, job_function: Callable[[Job], dict[str, Any]], job: Job) -> None:
    # The parent owns Ctrl-C; its SIGTERM becomes KeyboardInterrupt so `finally` blocks run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _interrupt)
    warnings.showwarning = _log_warning  # a spawned worker does not inherit the CLI's routing
    try:
        outcome = _guarded(job_function, job)
        sender.send(outcome)
    except KeyboardInterrupt:
        return
    finally:
        sender.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


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
