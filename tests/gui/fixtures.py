"""A fake core for GUI tests: the synthetic results of ``tests/report_fixtures.py``.

The fake engine replaces the slow pipeline (``run``) and the catalog; re-ranking and charts
use the real core functions (:func:`planner.optimize.rank.rank_sites`, :mod:`planner.charts`),
so the tests see the same behaviour as the application.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.gui.dialogs import Dialogs
from planner.gui.engine import Engine
from planner.scenario import save_scenario, scenario_from_dict
from tests.report_fixtures import make_results, scenario_dict

GPU_MODELS = ["H100-SXM", "H200-SXM", "B200", "GB200", "MI300X"]


def write_scenario(path: Path) -> Path:
    """The scenario the synthetic results answer, as a TOML file."""
    save_scenario(scenario_from_dict(scenario_dict()), path)
    return path


def rough_basemap() -> Any:
    """A few country-sized rectangles (illustrative outlines, not real borders)."""
    import geopandas as gpd
    from shapely.geometry import box

    shapes = {
        "US": box(-125, 25, -67, 49),
        "CA": box(-140, 49, -55, 70),
        "SE": box(11, 55, 24, 69),
        "NO": box(5, 58, 11, 71),
        "IE": box(-10.5, 51.4, -6, 55.4),
        "DE": box(6, 47.3, 15, 55),
        "SG": box(103.6, 1.2, 104.1, 1.5),
    }
    return gpd.GeoDataFrame(
        {"iso_a2": list(shapes), "name": list(shapes)},
        geometry=list(shapes.values()),
        crs="EPSG:4326",
    )


class FakeEngine(Engine):
    """Returns the synthetic results after a few progress steps.

    Parameters
    ----------
    steps : int
        Progress reports during a run; with ``step_wait_s`` the run takes steps x wait seconds
        (a long run to cancel).
    """

    def __init__(self, steps: int = 4, step_wait_s: float = 0.0, results: Any = None) -> None:
        super().__init__()
        self.steps = steps
        self.step_wait_s = step_wait_s
        self.results = results
        self.runs = 0
        self.exports: list[tuple[Path, tuple[str, ...]]] = []
        # Analyses (Pareto, uncertainty) use the real core on the synthetic results; these
        # progress reports before it make one long enough to cancel.
        self.analysis_steps = 0
        self.analyses: list[tuple[str, int]] = []

    def gpu_models(self) -> list[str]:
        return list(GPU_MODELS)

    def basemap(self) -> Any:
        return rough_basemap()

    def data_sources(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"dataset": ["gpus"], "source": ["NVIDIA DGX H100 datasheet"], "year": [2023]}
        )

    def run(self, scenario: Any, progress: Any = None) -> Any:
        self.runs += 1
        pause = threading.Event()
        for i in range(self.steps):
            if progress is not None:
                progress(f"Evaluating sites ({i + 1}/{self.steps})", (i + 1) / self.steps)
            if self.step_wait_s:
                pause.wait(self.step_wait_s)  # simulated work between progress reports
        return self.results if self.results is not None else make_results()

    def _slow_start(self, progress: Any, label: str) -> None:
        pause = threading.Event()
        for i in range(self.analysis_steps):
            if progress is not None:
                progress(label, 0.5 * i / self.analysis_steps)
            pause.wait(self.step_wait_s)

    def pareto(self, results: Any, points: int, progress: Any = None) -> Any:
        self.analyses.append(("pareto", points))
        self._slow_start(progress, "Pareto front (simulated wait)")
        return super().pareto(results, points, progress)

    def uncertainty(self, results: Any, draws: int, progress: Any = None) -> Any:
        self.analyses.append(("uncertainty", draws))
        self._slow_start(progress, "Monte Carlo (simulated wait)")
        return super().uncertainty(results, draws, progress)

    def candidate_sites(self, scenario: Any) -> tuple[pd.DataFrame, list[str]]:
        """The synthetic sites, or a site file's (read by :meth:`read_sites`)."""
        if scenario.sites.catalog != "default":
            frame, warnings = self.read_sites(Path(scenario.sites.catalog))
            frame = frame.set_index("site_id")
            if "name" not in frame:
                frame["name"] = frame.index
            return frame, warnings
        metrics = make_results().evaluation.metrics
        return metrics[["name", "country", "region_code", "lat", "lon"]], []

    def read_sites(self, path: Path) -> Any:
        """A minimal site reader: CSV with numeric lat and lon columns (rows 1-based); without
        a region_code column each site's region is "assigned by distance" (a warning each)."""
        path = Path(path)
        try:
            frame = pd.read_csv(path)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"cannot read the CSV ({exc})", file=path) from None
        for field in ("site_id", "lat", "lon"):
            if field not in frame.columns:
                raise InputError("missing column", file=path, field=field)
        for field, (low, high) in {"lat": (-90, 90), "lon": (-180, 180)}.items():
            values = pd.to_numeric(frame[field], errors="coerce")
            bad = np.flatnonzero(values.isna() | (values < low) | (values > high))
            if bad.size:
                raise InputError(
                    f"expected a number from {low} to {high}, got '{frame[field].iloc[bad[0]]}'",
                    file=path,
                    row=int(bad[0]) + 1,
                    field=field,
                )
        warnings = []
        if "region_code" not in frame.columns:
            warnings = [
                f"site '{sid}': region assigned by distance (nearest region centre)"
                for sid in frame["site_id"]
            ]
        return frame, warnings

    def read_weather(self, path: Path) -> Any:
        if Path(path).suffix.lower() != ".epw":
            raise InputError("not an EPW or TMY3 weather file", file=path)
        return pd.DataFrame()

    def export(
        self, results: Any, out_dir: Path, formats: tuple[str, ...], progress: Any = None
    ) -> list[Path]:
        self.exports.append((Path(out_dir), tuple(formats)))
        out = []
        for fmt in formats:
            target = Path(out_dir) / f"report.{fmt}"
            target.write_text("synthetic", encoding="utf-8")
            out.append(target)
        return out


class RecordingDialogs(Dialogs):
    """Dialogs that show nothing: messages are recorded, questions answered from a queue."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.abouts: list[tuple[str, str]] = []
        self.answers: list[Any] = []  # popped for ask_save / open_file / save_file / choose_folder
        self.suggested: list[str] = []  # file names suggested by save_file
        self.overwrite_answers: list[bool] = []
        self.overwrite_questions: list[list[Path]] = []

    def error(self, parent: Any, text: str, title: str = "Problem") -> None:
        self.errors.append(text)

    def info(self, parent: Any, title: str, text: str) -> None:
        self.abouts.append((title, text))

    def about(self, parent: Any, title: str, html: str) -> None:
        self.abouts.append((title, html))

    def _answer(self) -> Any:
        return self.answers.pop(0) if self.answers else None

    def ask_save(self, parent: Any, name: str) -> str:
        return self._answer() or "discard"

    def open_file(self, parent: Any, title: str, file_filter: str, folder: str = "") -> Path | None:
        return self._answer()

    def save_file(
        self,
        parent: Any,
        title: str,
        file_filter: str,
        suggested: str = "",
        *,
        confirm_overwrite: bool = True,
    ) -> Path | None:
        self.suggested.append(suggested)
        return self._answer()

    def confirm_overwrite(self, parent: Any, paths: list[Path]) -> bool:
        """Answered from ``overwrite_answers`` (yes when empty); the files asked are kept."""
        self.overwrite_questions.append(list(paths))
        return self.overwrite_answers.pop(0) if self.overwrite_answers else True

    def choose_folder(self, parent: Any, title: str, folder: str = "") -> Path | None:
        return self._answer()


RUN_TIMEOUT_MS = 120_000  # a real run takes a second or two; CI machines are shared


def run_to_end(qtbot, window):
    """Press Run and wait until the results are shown and the worker is free again."""
    with qtbot.waitSignals([window.runFinished, window.workDone], timeout=RUN_TIMEOUT_MS):
        assert window.on_run() is not None
    return window.results
