"""The executor of sweeps and batches: Dask distributed, on a local cluster or an existing one.

:func:`dask_client` starts a local cluster of worker processes (one thread each, no dashboard,
nothing to set up, works offline) or connects to a running scheduler
(``tcp://host:8786``), and checks that every worker runs this planner version on the same
embedded data (:func:`fingerprint`); a worker that does not is refused with one sentence.

:func:`run_unordered` runs one function over many items with a bounded number in flight (new
ones are submitted as others finish, so a sweep of 100,000 points never queues 100,000 tasks),
calling back as each finishes. A task that raises, or whose worker dies more often than
``retries`` allows, becomes that item's :class:`TaskLost` outcome; it never stops the others.

Local worker processes are forked where fork is the platform's default start method (Linux
before Python 3.14: they start in a fraction of a second and see what the parent imported),
else spawned.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from planner.errors import InputError

IN_FLIGHT_PER_WORKER = 1
"""Tasks submitted per worker at a time. One: a task waits on the scheduler, not in a worker's
queue, so a worker that dies takes only the task it was running down with it (Dask counts a
death against every task a worker holds); the round trip to submit the next one is
milliseconds against seconds of work."""
CONNECT_TIMEOUT_S = 30
WAIT_FOR_WORKERS_S = 60


@dataclass
class TaskLost:
    """A task that did not return: it raised outside the task's own guard, or its worker died
    (``retries`` + 1 times), or it was cancelled."""

    message: str
    traceback: str = ""


# --- the worker's fingerprint ---------------------------------------------------------------


@cache
def data_hash() -> str:
    """SHA-256 of the embedded data folder (every file's relative path and bytes)."""
    from planner.paths import data_dir

    root = data_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint() -> dict[str, str]:
    """What a worker must share with the client: the planner version and the data hash."""
    from planner import __version__

    return {"version": __version__, "data": data_hash()}


def mismatch(expected: dict[str, str], found: dict[str, str], where: str) -> str | None:
    """One sentence when ``found`` differs from ``expected``, else None."""
    if found == expected:
        return None
    return (
        f"the worker {where} runs planner {found.get('version')} with data "
        f"{str(found.get('data'))[:12]}, but this sweep needs planner {expected['version']} with "
        f"data {expected['data'][:12]}; install the same planner version on every worker"
    )


def check_fingerprint(expected: dict[str, str]) -> None:
    """Refuse to run (RuntimeError, one sentence) in a worker that differs from the client."""
    problem = mismatch(expected, fingerprint(), worker_name())
    if problem:
        raise WorkerMismatch(problem)


class WorkerMismatch(RuntimeError):
    """A worker with another planner version or other embedded data."""


def worker_name() -> str:
    """The Dask worker running this code (its name, else its address), or ``local``."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return "local"
    name = worker.name
    return str(name if name is not None and name != worker.address else worker.address)


def dask_setup(worker: Any) -> None:
    """Dask preload of local workers: ignore Ctrl-C, which the client turns into a clean stop
    (it cancels the points in flight and closes the cluster); the terminal sends it to every
    process of the group, and a worker would print a traceback."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- the client -----------------------------------------------------------------------------


def start_method() -> str:
    """The platform's default start method for local worker processes (fork, spawn...)."""
    return multiprocessing.get_context().get_start_method()


@contextlib.contextmanager
def dask_client(
    *, workers: int | None = None, scheduler: str | None = None, retries: int = 0
) -> Iterator[Any]:
    """A :class:`distributed.Client` on a new local cluster or an existing scheduler.

    Parameters
    ----------
    workers : int, optional
        Worker processes of the local cluster (default: one per CPU).
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); then ``workers`` is ignored.
    retries : int
        How many times a task whose worker died is run again on the local cluster (Dask's
        ``allowed-failures``); a remote scheduler keeps its own setting.

    Raises
    ------
    InputError
        The scheduler cannot be reached or has no worker, or a worker runs another planner
        version or other data.
    """
    import dask
    from distributed import Client, LocalCluster

    config = {
        "distributed.scheduler.allowed-failures": int(retries),
        "distributed.worker.multiprocessing-method": start_method(),
        # Our tasks run for seconds; Dask's warnings about long ticks and GIL holds are noise.
        "distributed.admin.tick.limit": "1h",
        "distributed.admin.system-monitor.gil.enabled": False,
        # The statistical profiler samples the running task's stack every 10 ms: a few per
        # cent of every point's time, for a dashboard nobody looks at here.
        "distributed.worker.profile.enabled": False,
    }
    if not scheduler:
        # Local workers share the terminal: Ctrl-C is the client's to handle (dask_setup).
        config["distributed.worker.preload"] = [__name__]
    cluster = client = None
    with dask.config.set(config), _quiet_logs():
        try:
            if scheduler:
                client = _connect(scheduler)
            else:
                n = max(1, workers or os.cpu_count() or 1)
                cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                    silence_logs=logging.ERROR,
                    # The scheduler serves a few HTTP routes even without a dashboard, by
                    # default on port 8787: any free port, so two sweeps never warn.
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
                client = Client(cluster, set_as_default=False)
            check_workers(client)
            yield client
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"cannot reach the Dask scheduler ({exc}); is `dask scheduler` running there?",
            field="--scheduler",
        ) from None
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
    except TimeoutError:
        client.close()
        raise InputError(
            f"the Dask scheduler at {address} has no worker after {WAIT_FOR_WORKERS_S} s; start "
            "one with `dask worker ADDRESS`",
            field="--scheduler",
        ) from None
    return client


def check_workers(client: Any) -> None:
    """Refuse workers with another planner version or data (one sentence, InputError)."""
    expected = fingerprint()
    for address, found in sorted(client.run(fingerprint).items()):
        problem = mismatch(expected, found, address)
        if problem:
            raise InputError(problem)


def n_workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's INFO and shutdown chatter off stderr; our own messages say what matters."""
    names = (
        "distributed",
        "distributed.client",
        "distributed.scheduler",
        "distributed.nanny",
        "distributed.worker",
        "distributed.core",
        "distributed.batched",
        "tornado",
    )
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        if not lg.isEnabledFor(logging.DEBUG):  # --debug keeps them
            lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


# --- running many tasks ---------------------------------------------------------------------


def lost_message(exc: BaseException, what: str = "this task") -> str:
    """One sentence for a task that did not return."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return (
            f"internal error: the worker process running {what} died (a crash, or out of memory)."
        )
    text = f"internal error: {type(exc).__name__}: {exc}".strip()
    return text if text.endswith(".") else text + "."


def run_unordered(
    client: Any,
    function: Callable[..., Any],
    items: Iterable[Any],
    *,
    on_done: Callable[[Any, Any], None],
    retries: int = 0,
    in_flight: int | None = None,
    key_prefix: str = "planner",
) -> None:
    """Run ``function(item)`` for each item on the cluster; ``on_done(item, outcome)`` as each
    finishes (in the calling thread), the outcome a :class:`TaskLost` when it did not return.

    At most ``in_flight`` tasks (default :data:`IN_FLIGHT_PER_WORKER` per worker) are submitted
    at a time. Ctrl-C cancels what is still submitted and re-raises.
    """
    import uuid

    from distributed import as_completed

    limit = in_flight or IN_FLIGHT_PER_WORKER * n_workers(client)
    pending = iter(items)
    running: dict[Any, Any] = {}
    done = as_completed(loop=client.loop)
    run_id = uuid.uuid4().hex[:8]

    def submit_one() -> bool:
        try:
            item = next(pending)
        except StopIteration:
            return False
        future = client.submit(
            function,
            item,
            key=f"{key_prefix}-{run_id}-{len(running)}-{uuid.uuid4().hex[:8]}",
            retries=retries,
            pure=False,
        )
        running[future] = item
        done.add(future)
        return True

    try:
        while len(running) < limit and submit_one():
            pass
        for future in done:
            item = running.pop(future)
            outcome = settle(future)
            future.release()
            on_done(item, outcome)
            while len(running) < limit and submit_one():
                pass
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(running))
        raise


def settle(future: Any, what: str = "this task") -> Any:
    """The future's result, or a :class:`TaskLost` when it raised or its worker died."""
    import traceback

    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - one task's failure is its own outcome
        return TaskLost(lost_message(exc, what), "".join(traceback.format_exception(exc)))
