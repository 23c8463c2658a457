"""Progress and cancellation for long work, the same for the terminal bar and the GUI bar.

Long functions take ``progress: ProgressCallback | None``. They call it with a short label and
a fraction 0..1 of their own work; the callback may raise :class:`planner.errors.CancelledError`
to stop the work (the GUI's Cancel button does exactly that). :func:`scaled` maps a sub-step
into a slice of the caller's range so nested steps share one bar.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, float], None]


def report(progress: ProgressCallback | None, label: str, fraction: float) -> None:
    """Call ``progress`` if there is one (and so give it the chance to cancel)."""
    if progress is not None:
        progress(label, min(max(fraction, 0.0), 1.0))


def scaled(progress: ProgressCallback | None, start: float, stop: float) -> ProgressCallback | None:
    """A callback that maps 0..1 onto ``start..stop`` of ``progress``."""
    if progress is None:
        return None

    def inner(label: str, fraction: float) -> None:
        progress(label, start + (stop - start) * min(max(fraction, 0.0), 1.0))

    return inner
