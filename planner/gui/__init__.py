"""The desktop window: the only package that imports Qt (PySide6).

Everything shown here comes from :class:`planner.results.Results` and the core's functions,
reached through :mod:`planner.gui.engine`; Qt item models are adapters over DataFrames and no
widget computes a figure the command line could not print.

Entry point: :func:`planner.gui.app.run_gui` (used by ``planner gui``).
"""

from __future__ import annotations

import sys

__all__ = ["run_gui"]


def _pin_singletons() -> None:
    """Work around a reference-count bug of the Qt bindings on Python 3.11.

    With PySide6 6.12 on Python 3.11, each ``Signal.emit`` releases one reference to True and
    each Python ``data()`` override that returns None releases one to None; after some
    thousands of calls the interpreter aborts ("deallocating None"). These three objects live
    as long as the interpreter anyway, so giving them 2**40 extra references makes the
    stray releases harmless. Python 3.12+ makes them immortal, so nothing is done there.
    """
    if sys.version_info >= (3, 12) or hasattr(sys, "getobjects"):  # immortal, or a trace-refs build
        return
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_pin_singletons()


def run_gui(*args, **kwargs):  # noqa: ANN002, ANN003 - thin re-export, documented in app
    from planner.gui.app import run_gui as _run

    return _run(*args, **kwargs)
