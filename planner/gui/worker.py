"""Long work off the GUI thread: one long-lived worker thread, tasks whose progress, result and
failure are signals.

Why one Python thread and not Qt's thread pool: pyproj (used whenever a site file becomes a
GeoDataFrame) keeps each thread's PROJ context in native thread-specific storage and frees it
when the thread's Python ``threading.local`` data goes. A pooled Qt thread is not a Python
thread: PySide makes a Python thread state for each call into Python and drops it afterwards,
which freed the context while the native storage still pointed at it, so the second run on
the same pooled thread crashed the window (SIGSEGV in ``pyproj.CRS``). A
:class:`concurrent.futures.ThreadPoolExecutor` with one thread keeps one Python thread, and
its PROJ context, for the life of the window, and runs tasks one at a time.

The work is a plain function ``fn(progress) -> result`` from the core. The progress callback
handed to it emits :attr:`TaskSignals.progress` and raises :class:`CancelledError` once
:meth:`Task.cancel` was called, which is how the core's long loops are stopped (see
:mod:`planner.progress`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from planner.errors import CancelledError, InputError, PlannerError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05


class TaskSignals(QObject):
    """Signals of one task; lives in the GUI thread so slots run there (queued connections)."""

    progress = Signal(str, float)  # label, fraction 0..1
    finished = Signal(object)  # the function's return value
    failed = Signal(str)  # one sentence for a dialog
    cancelled = Signal()
    done = Signal()  # after any of finished / failed / cancelled


class Task:
    """``fn(progress)`` to run on the :class:`Worker`'s thread.

    Parameters
    ----------
    fn : callable
        Takes a progress callback ``(label, fraction)`` and returns the result.
    title : str
        What the work is, for failure messages ("The run", "The export").
    parent : QObject, optional
        Owner of the task's signals. With a parent the signals object is deleted by Qt on the
        GUI thread (``deleteLater`` once the task is done), never by the worker thread that
        drops the last Python reference to the task.
    """

    def __init__(
        self,
        fn: Callable[[Callable[[str, float], None]], Any],
        title: str,
        parent: QObject | None = None,
    ) -> None:
        self.fn = fn
        self.title = title
        self.signals = TaskSignals(parent)
        self.for_document = False  # cancelled when another scenario opens (runs, not exports)
        self._cancel = threading.Event()
        self._last_emit_s = -1.0

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, label: str, fraction: float) -> None:
        if self._cancel.is_set():
            raise CancelledError(f"{self.title} was cancelled")
        # At most ~20 updates a second: a bar needs no more, and a flood of queued signals
        # from a tight loop would keep the GUI thread busy (cancellation is still checked on
        # every call).
        now = time.monotonic()
        if now - self._last_emit_s >= PROGRESS_INTERVAL_S or fraction >= 1.0:
            self._last_emit_s = now
            self.signals.progress.emit(str(label), float(fraction))

    def run(self) -> None:
        """Run the work and report how it ended; never raises (a bug must not kill the window)."""
        try:
            if self._cancel.is_set():
                raise CancelledError(f"{self.title} was cancelled")
            result = self.fn(self._progress)
        except CancelledError:
            self.signals.cancelled.emit()
        except InputError as exc:
            self.signals.failed.emit(str(exc))
        except PlannerError as exc:
            self.signals.failed.emit(_sentence(f"{self.title} stopped: {exc}"))
        except MemoryError:
            self.signals.failed.emit(f"{self.title} ran out of memory; try fewer sites or draws.")
        except Exception as exc:  # noqa: BLE001 - a bug in the core must not kill the window
            log.debug("%s failed", self.title, exc_info=True)  # traceback only with --debug
            self.signals.failed.emit(
                _sentence(
                    f"{self.title} failed with an internal error ({type(exc).__name__}: {exc})"
                )
            )
        else:
            self.signals.finished.emit(result)
        self.signals.done.emit()


class Worker:
    """The one thread that runs all of the window's background work, one task at a time."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-worker")
        self._last: Future[None] | None = None

    def start(self, task: Task) -> None:
        """Queue ``task``; its signals say when it has ended."""
        self._last = self._executor.submit(task.run)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until the queued work has ended; False if it still runs after ``timeout_s``."""
        if self._last is None:
            return True
        try:
            self._last.result(timeout=timeout_s)
        except TimeoutError:
            return False
        return True

    def shutdown(self) -> None:
        """Stop taking work; the thread ends after the current task (call on window close)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."
