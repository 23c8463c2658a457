"""The desktop window: the only package that imports Qt (PySide6).

Everything shown here comes from :class:`planner.results.Results` and the core's functions,
reached through :mod:`planner.gui.engine`; Qt item models are adapters over DataFrames and no
widget computes a figure the command line could not print.

Entry point: :func:`planner.gui.app.run_gui` (used by ``planner gui``).
"""

from __future__ import annotations

__all__ = ["run_gui"]


def run_gui(*args, **kwargs):  # noqa: ANN002, ANN003 - thin re-export, documented in app
    from planner.gui.app import run_gui as _run

    return _run(*args, **kwargs)
