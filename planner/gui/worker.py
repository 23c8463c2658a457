"""Long work off the GUI thread: a QRunnable whose progress, result and failure are signals.

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
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

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


class Task(QRunnable):
    """Run ``fn(progress)`` in a thread pool.

    Parameters
    ----------
    fn : callable
        Takes a progress callback ``(label, fraction)`` and returns the result.
    title : str
        What the work is, for failure messages ("The run", "The export").
    """

    def __init__(self, fn: Callable[[Callable[[str, float], None]], Any], title: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the window keeps a reference until `done`
        self.fn = fn
        self.title = title
        self.signals = TaskSignals()
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

    def run(self) -> None:  # noqa: D401 - Qt's name
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


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."
