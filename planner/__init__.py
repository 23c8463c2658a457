"""GPU site planner: where to build data centres for a GPU fleet.

The package is a pure computational core (no Qt) with three thin layers on top:
the command line (:mod:`planner.cli`), the report writers (:mod:`planner.report`)
and the desktop window (:mod:`planner.gui`, the only package that imports Qt).
"""

__version__ = "0.1.0"
