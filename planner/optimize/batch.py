"""Batch runs: several scenario files, one output folder each, in parallel worker processes.

Workers ignore Ctrl-C; the parent catches it, terminates the pool and re-raises, so a stop is
clean (no half-written results.json: files are written atomically).
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.progress import ProgressCallback

SUMMARY_FILE = "summary.csv"


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
        elif arg.is_file():
            files.append(arg)
        else:
            raise InputError("no such scenario file or folder", file=arg)
    return files


def plan_jobs(
    files: Sequence[Path], out_root: Path, formats: Sequence[str], *, sites_file: Path | None = None
) -> list[Job]:
    """One output folder per scenario, named after its file (``-2``, ``-3`` on clashes)."""
    jobs, used = [], set()
    for f in files:
        name, n = f.stem, 1
        while name in used:
            n += 1
            name = f"{f.stem}-{n}"
        used.add(name)
        jobs.append(Job(f, out_root / name, tuple(formats), sites_file))
    return jobs


def check_writable(out_root: Path, jobs: Sequence[Job], *, overwrite: bool, summary: bool) -> None:
    """Refuse to replace existing outputs without ``overwrite``; make sure ``out_root`` is writable.

    Raises
    ------
    InputError
        One sentence naming the folder.
    """
    if not overwrite:
        for job in jobs:
            if job.out_dir.exists() and any(job.out_dir.iterdir()):
                raise InputError(
                    "results already exist here; pass --overwrite to replace them", file=job.out_dir
                )
        if summary and (out_root / SUMMARY_FILE).exists():
            raise InputError(
                "a batch summary already exists; pass --overwrite to replace it",
                file=out_root / SUMMARY_FILE,
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
    """Run one scenario and write its outputs. Never raises for bad input: reports it.

    Returns
    -------
    dict
        ``row`` (batch summary line), ``files`` (written), ``error`` (sentence or ""),
        ``results`` (the :class:`Results`, only when run in this process).
    """
    from planner.optimize.run import run_scenario, summary_row
    from planner.scenario import load_scenario

    try:
        scenario = load_scenario(job.scenario_file)
        results = run_scenario(scenario, sites_file=job.sites_file, progress=progress)
        files = write_results(results, job.out_dir, job.formats)
    except InputError as exc:
        row = {
            "scenario": job.scenario_file.stem,
            "file": str(job.scenario_file),
            "status": "bad input",
            "out_dir": str(job.out_dir),
            "message": str(exc),
        }
        return {"row": row, "files": [], "error": str(exc), "results": None}
    row = summary_row(results, scenario_file=str(job.scenario_file), out_dir=str(job.out_dir))
    return {"row": row, "files": [str(f) for f in files], "error": "", "results": results}


def write_results(results: Any, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """results.json always, and the other formats through :func:`planner.report.write_outputs`."""
    from planner.report import make_output_folder, write_outputs

    written = [results.save_json(make_output_folder(out_dir) / "results.json")]
    others = [f for f in formats if f != "json"]
    if others:
        written += write_outputs(results, out_dir, others)
    return written


def _worker_init() -> None:
    # The parent owns Ctrl-C: it terminates the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_worker(job: Job) -> dict[str, Any]:
    out = run_job(job)
    results = out.pop("results")
    out["json"] = run_json(results, job) if results is not None else None
    return out


def run_json(results: Any, job: Job, files: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON document `planner optimize --json` prints for one scenario."""
    alloc = results.allocation
    ranking = results.ranking
    cols = [c for c in ranking.columns]
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
        "files": list(files),
    }


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    on_done: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run jobs in ``workers`` processes (default: CPU count, at most one per job).

    ``on_done(done, total, outcome)`` is called in the parent as each job finishes. Outcomes come
    back in job order, each with ``row``, ``files``, ``error`` and ``json``.
    """
    import multiprocessing

    n = len(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, n))
    outcomes: list[dict[str, Any] | None] = [None] * n
    if workers == 1:
        for i, job in enumerate(jobs):
            outcomes[i] = _run_in_worker(job)
            if on_done:
                on_done(i + 1, n, outcomes[i])  # type: ignore[arg-type]
        return outcomes  # type: ignore[return-value]
    pool = multiprocessing.get_context().Pool(workers, initializer=_worker_init)
    try:
        indexed = pool.imap_unordered(_indexed, list(enumerate(jobs)))
        for done, (i, outcome) in enumerate(indexed, start=1):
            outcomes[i] = outcome
            if on_done:
                on_done(done, n, outcome)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return outcomes  # type: ignore[return-value]


def _indexed(item: tuple[int, Job]) -> tuple[int, dict[str, Any]]:
    return item[0], _run_in_worker(item[1])


def write_summary(out_root: Path, outcomes: Sequence[dict[str, Any]]) -> Path:
    """The batch summary table (one row per scenario) as CSV in ``out_root``."""
    from planner.scenario import atomic_write_text

    path = out_root / SUMMARY_FILE
    atomic_write_text(path, pd.DataFrame([o["row"] for o in outcomes]).to_csv(index=False))
    return path
