"""Parameter sweeps: one base scenario, axes of values, every point run on a Dask cluster.

- :mod:`planner.sweep.spec`: the sweep file, its points and their stable ids;
- :mod:`planner.sweep.run`: check and group the points, run them, keep the rows;
- :mod:`planner.sweep.tasks`: what a worker runs (one evaluation per group, each point);
- :mod:`planner.sweep.engine`: the Dask executor (local cluster or a scheduler), shared with
  ``planner optimize DIR --workers N``;
- :mod:`planner.sweep.store`: the sweep folder (manifest, durable log, Parquet table).

Dask is imported only when a sweep or a batch runs. See ``docs/sweep.md``.
"""

from planner.sweep.spec import Point, SweepSpec, load_sweep, point_id, point_scenario

__all__ = ["Point", "SweepSpec", "load_sweep", "point_id", "point_scenario"]
