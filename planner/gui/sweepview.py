"""The Sweep tab: a sweep folder's points, answers and charts, as ``planner report DIR`` has them.

:func:`read_sweep` reads the folder (manifest and Parquet table) and lays out what the report
lays out, with the report's own functions (:mod:`planner.report.sweep`): the positions and
answers of each point, the answer letters, the points that changed the answer. It is plain
work for the window's worker thread. :class:`SweepView` shows the result: the points table
(sortable), the along-axis chart and the heat map for axes the user picks (the report's chart
functions, so the window and the report draw the same charts), and tables of the answers, the
values of one axis, the points that changed the answer and the points that failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.errors import InputError
from planner.gui.chartview import ChartView
from planner.gui.columns import Column
from planner.gui.models import FrameModel
from planner.gui.widgets import ElidedLabel

RESIZE_ROWS = 60
STATUSES = ("ok", "infeasible", "bad-input", "error")
FAILED = ("bad-input", "error")

#: Result columns of the points table (after the id, the answer letter and the axes); the
#: objective in M USD with one decimal, as in the sweep report.
RESULT_COLUMNS: tuple[Column, ...] = (
    Column("status", "Status"),
    Column("answer_code", "Answer", align="right"),
    Column("objective_usd", "Objective", "M USD", ",.1f", 1e-6),
    Column("sites", "Recommended sites"),
    Column("usd_per_gpu_hour", "Cost per GPU-hour", "USD/GPU-h", ".3f"),
    Column("co2_location_t", "CO₂ location-based", "kt", ",.1f", 1e-3),
    Column("co2_market_t", "CO₂ market-based", "kt", ",.1f", 1e-3),
    Column("water_m3", "Water", "thousand m³", ",.1f", 1e-3),
    Column("wall_s", "Wall time", "s", ".2f"),
    Column("worker", "Worker"),
    Column("message", "Message"),
)

#: The report's headers of the points that changed the answer (its rows, in the same order).
CHANGES_HEADERS = [
    "Axis", "From -> to", "Other axes", "Answer before", "Answer after",
    "Objective change (M USD)",
]  # fmt: skip


# --- reading (plain work, no widgets: runs on the worker thread) ----------------------------


@dataclass
class SweepData:
    """A sweep folder as the window shows it (see :func:`read_sweep`)."""

    folder: Path
    manifest: dict[str, Any]
    table: pd.DataFrame  # sweep.parquet as read
    frame: pd.DataFrame  # the report's frame: positions (pos_<g>) and answer per point
    groups: list[list[str]]  # axes moving together (the report's axis groups)
    labels: list[str]
    ticks: list[list[str]]
    codes: dict[str, str]  # answer (sites) -> letter
    changes: list[list[str]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def varying(self) -> list[int]:
        """Groups with more than one value: the ones charted."""
        return [g for g, t in enumerate(self.ticks) if len(t) > 1]


def check_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a manifest this planner cannot read.

    Raises
    ------
    InputError
        Another kind of file, or a sweep folder format other than this planner's (the
        planner version that wrote it is named).
    """
    from planner import __version__
    from planner.sweep.store import FORMAT_VERSION

    if manifest.get("kind", "planner-sweep") != "planner-sweep":
        raise InputError(f"not a sweep manifest (kind '{manifest.get('kind')}')", file=path)
    made = manifest.get("format", FORMAT_VERSION)  # hand-made manifests may leave it out
    if made != FORMAT_VERSION:
        by = manifest.get("planner_version") or "an unknown version"
        raise InputError(
            f"written by planner {by} in sweep format {made}, but planner {__version__} reads "
            f"format {FORMAT_VERSION}: open it with the planner that made it",
            file=path,
        )
    for key in ("axes", "points"):
        if not isinstance(manifest.get(key), dict if key == "axes" else list):
            raise InputError("not a sweep manifest", file=path, field=key)


def check_table(table: pd.DataFrame, manifest: dict[str, Any], path: Path) -> None:
    """Refuse a table without a column the manifest or the sweep view needs."""
    from planner.sweep.store import RESULT_COLUMNS as STORED

    for column in ("id", *manifest["axes"], *STORED):
        if column not in table.columns:
            raise InputError(
                "expected a column for the point id, each axis of sweep.json and each result",
                file=path,
                field=column,
            )


def read_sweep(
    folder: str | Path, progress: Callable[[str, float], None] | None = None
) -> SweepData:
    """Read a sweep folder and lay it out as the sweep report does.

    Raises
    ------
    InputError
        No ``sweep.json``, a manifest of another format, a missing or unreadable
        ``sweep.parquet``, or a table that does not match its manifest; each names the file.
    """
    from planner.report import sweep as report
    from planner.sweep.store import SweepStore, read_table

    step = progress or (lambda label, fraction: None)
    store = SweepStore(folder)
    step("reading the sweep manifest", 0.0)
    manifest = store.read_manifest()
    check_manifest(manifest, store.manifest_path)
    step("reading the sweep table", 0.2)
    table = read_table(store.table_path)
    check_table(table, manifest, store.table_path)
    step("laying out the sweep", 0.6)
    frame = report.sweep_frame(manifest, table)
    groups = report.axis_groups(manifest)
    ticks = [report.tick_labels(manifest, g) for g in groups]
    codes = report.answer_codes(frame) if len(frame) else {}
    changed = report.changes(frame, groups, ticks, codes) if len(frame) else []
    counts = Counter(frame["status"]) if len(frame) else Counter()
    step("done", 1.0)
    return SweepData(
        folder=Path(folder),
        manifest=manifest,
        table=table,
        frame=frame,
        groups=groups,
        labels=[report.group_label(manifest, g) for g in groups],
        ticks=ticks,
        codes=codes,
        changes=changed,
        counts={s: int(counts.get(s, 0)) for s in STATUSES},
    )


def summary_text(data: SweepData) -> str:
    """The counts of each status ("8 of 8 points finished: 4 ok, ...") and the sweep."""
    from planner import __version__

    m = data.manifest
    made = m.get("planner_version")
    version = f"; made with planner {made}" if made and made != __version__ else ""
    done = ", ".join(f"{data.counts[s]:,} {s}" for s in STATUSES)
    failed = sum(data.counts[s] for s in FAILED)
    see = f" The {failed:,} that failed are on the Failed tab below." if failed else ""
    return (
        f"{len(data.frame):,} of {len(m['points']):,} points finished: {done}."
        f"{see} Base {m.get('base', '?')}, {m.get('mode', '?')} of {len(m['axes'])} "
        f"axes{version}."
    )


def points_frame(data: SweepData) -> tuple[pd.DataFrame, list[Column]]:
    """The points table: id, answer letter, one column per axis, the results."""
    table = data.table
    kinds = data.manifest.get("axis_kinds", {})
    out = pd.DataFrame({"id": table["id"].astype(str)})
    columns = [Column("id", "Point")]
    for axis in data.manifest["axes"]:
        key = f"axis:{axis}"
        numeric = kinds.get(axis, "number" if table[axis].dtype.kind in "if" else "text")
        out[key] = table[axis]
        columns.append(Column(key, axis_header(axis), "", "g" if numeric == "number" else ""))
    answers = data.frame.set_index("id")["answer"] if len(data.frame) else pd.Series(dtype=object)
    for col in RESULT_COLUMNS:
        if col.key == "answer_code":
            out[col.key] = out["id"].map(answers).map(data.codes).fillna("")
        else:
            out[col.key] = table[col.key].to_numpy()
        columns.append(col)
    return out, columns


def axis_header(axis: str, width: int = 18) -> str:
    """An axis path on short lines, broken after its dots: a narrow column for a long path."""
    lines = [""]
    for part in axis.replace(".", ".\n").split("\n"):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)


def failed_frame(data: SweepData) -> pd.DataFrame:
    """The points that failed: id, status, axis values, message."""
    frame = data.frame
    if not len(frame):
        return pd.DataFrame(columns=["Point", "Status", "Values", "Message"])
    bad = frame[frame["status"].isin(FAILED)]
    values = {p["id"]: p["values"] for p in data.manifest["points"]}
    from planner.sweep.spec import format_value

    return pd.DataFrame(
        {
            "Point": bad["id"].to_numpy(),
            "Status": bad["status"].to_numpy(),
            "Values": [
                ", ".join(f"{a}={format_value(v)}" for a, v in values.get(i, {}).items())
                for i in bad["id"]
            ],
            "Message": bad["message"].to_numpy(),
        }
    )


def text_table(headers: list[str], rows: list[list[str]], numeric: list[bool]) -> tuple:
    """A table of display texts (the report's) as a frame and its column specs."""
    frame = pd.DataFrame(rows, columns=headers) if rows else pd.DataFrame(columns=headers)
    specs = [
        Column(h, h, align="right" if n else "") for h, n in zip(headers, numeric, strict=True)
    ]
    return frame, specs


# --- the table model ------------------------------------------------------------------------


class SortedFrameModel(FrameModel):
    """A :class:`FrameModel` that sorts by the values (numbers as numbers, missing last)."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        frame = self.frame()
        if not 0 <= column < len(frame.columns):
            return
        key = frame.columns[column]
        self.layoutAboutToBeChanged.emit()
        self._frame = frame.sort_values(
            key,
            ascending=order == Qt.SortOrder.AscendingOrder,
            kind="stable",
            na_position="last",
            key=_sort_key,
        ).reset_index(drop=True)
        self.layoutChanged.emit()


def _sort_key(values: pd.Series) -> pd.Series:
    if values.dtype.kind in "ifu":
        return values
    return values.astype(str).str.lower().replace({"nan": None, "": None})


# --- the view -------------------------------------------------------------------------------


def _table(model: FrameModel, *, sorting: bool = False) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(sorting)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(True)
    # Column widths from the first rows: measuring 1,000 rows of each column (Qt's default)
    # took seconds on a 10,000-point sweep.
    view.horizontalHeader().setResizeContentsPrecision(RESIZE_ROWS)
    return view


def _picker(caption: str) -> tuple[QHBoxLayout, QComboBox]:
    bar = QHBoxLayout()
    bar.setContentsMargins(4, 2, 4, 0)
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    label = QLabel(caption)
    label.setBuddy(combo)
    bar.addWidget(label)
    bar.addWidget(combo, 1)
    return bar, combo


class SweepView(QWidget):
    """A sweep folder: counts, charts with axis pickers, and the tables below them."""

    shown = Signal(object)  # SweepData, once on screen

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.data: SweepData | None = None
        self.summary = ElidedLabel("")
        self.summary.setStyleSheet("font-weight: 600;")
        self.charts = self._build_charts()
        self.tables = self._build_tables()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.charts)
        splitter.addWidget(self.tables)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([380, 260])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _build_charts(self) -> QWidget:
        box = QSplitter(Qt.Orientation.Horizontal)
        along = QWidget()
        along_layout = QVBoxLayout(along)
        along_layout.setContentsMargins(0, 0, 0, 0)
        bar, self.along_axis = _picker("Objective along")
        along_layout.addLayout(bar)
        self.along_chart = ChartView("Open a sweep folder to see this chart.")
        along_layout.addWidget(self.along_chart, 1)
        heat = QWidget()
        heat_layout = QVBoxLayout(heat)
        heat_layout.setContentsMargins(0, 0, 0, 0)
        bar, self.heat_x = _picker("Heat map across")
        up = QLabel("up")
        self.heat_y = QComboBox()
        self.heat_y.setSizeAdjustPolicy(self.heat_x.sizeAdjustPolicy())
        self.heat_y.setMinimumContentsLength(14)
        up.setBuddy(self.heat_y)
        bar.addWidget(up)
        bar.addWidget(self.heat_y, 1)
        heat_layout.addLayout(bar)
        self.heat_chart = ChartView("Open a sweep folder to see this chart.")
        heat_layout.addWidget(self.heat_chart, 1)
        box.addWidget(along)
        box.addWidget(heat)
        box.setSizes([560, 440])
        self.along_axis.currentIndexChanged.connect(lambda _: self._draw_along())
        self.heat_x.currentIndexChanged.connect(lambda _: self._on_heat_axis(self.heat_x))
        self.heat_y.currentIndexChanged.connect(lambda _: self._on_heat_axis(self.heat_y))
        return box

    def _build_tables(self) -> QTabWidget:
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        self.points = SortedFrameModel()
        self.points_view = _table(self.points, sorting=True)
        self.answers = FrameModel()
        self.axis_values = FrameModel()
        self.changed = FrameModel()
        self.failed = FrameModel()
        for title, model in (
            ("Points", self.points),
            ("Answers", self.answers),
            ("Values along the axis", self.axis_values),
            ("Changed the answer", self.changed),
            ("Failed", self.failed),
        ):
            view = self.points_view if model is self.points else _table(model)
            tabs.addTab(view, title)
        return tabs

    # --- filling ----------------------------------------------------------------------------

    def show_sweep(self, data: SweepData) -> None:
        """Show a sweep read by :func:`read_sweep` (replaces the one shown)."""
        self.data = data
        self.summary.setText(summary_text(data))
        self._fill_tables()
        self._fill_pickers()
        self._draw_along()
        self._draw_heat()
        self.shown.emit(data)

    def _fill_tables(self) -> None:
        from planner.report.sweep import answers_table

        data = self.data
        assert data is not None
        frame, columns = points_frame(data)
        self.points.set_frame(frame, columns=columns)
        self.points_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if len(data.frame):
            answers = answers_table(data.frame, data.codes)
            _set_text(self.answers, answers.headers, answers.rows, answers.numeric)
        else:
            self.answers.set_frame(None)
        _set_text(self.changed, CHANGES_HEADERS, data.changes, [False] * 5 + [True])
        failed_rows = failed_frame(data)
        self.failed.set_frame(
            failed_rows,
            row_tooltips=[f"{r.Values}\n{r.Message}" for r in failed_rows.itertuples()],
        )
        failed = sum(data.counts[s] for s in FAILED)
        titles = (
            f"Points ({len(frame):,})",
            f"Answers ({len(data.codes):,})",
            "Values along the axis",
            f"Changed the answer ({len(data.changes):,})",
            f"Failed ({failed:,})",
        )
        for i, title in enumerate(titles):
            self.tables.setTabText(i, title)
        for view in self.tables.findChildren(QTableView):
            view.resizeColumnsToContents()
            _cap_columns(view)

    def _fill_pickers(self) -> None:
        data = self.data
        assert data is not None
        varying = data.varying
        for combo, first in ((self.along_axis, 0), (self.heat_x, 0), (self.heat_y, 1)):
            combo.blockSignals(True)
            combo.clear()
            for g in varying:
                combo.addItem(data.labels[g], g)
                combo.setItemData(combo.count() - 1, data.labels[g], Qt.ItemDataRole.ToolTipRole)
            if len(varying) > first:
                combo.setCurrentIndex(first)
            combo.setEnabled(len(varying) > (1 if combo is not self.along_axis else 0))
            combo.blockSignals(False)

    def set_along_axis(self, group: int) -> None:
        """Chart the objective along axis group ``group`` (an index of ``data.groups``)."""
        self.along_axis.setCurrentIndex(self.along_axis.findData(group))

    def set_heat_axes(self, across: int, up: int) -> None:
        """The heat map of two axis groups (indices of ``data.groups``)."""
        for combo, group in ((self.heat_x, across), (self.heat_y, up)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(group))
            combo.blockSignals(False)
        self._draw_heat()

    def heat_axes(self) -> tuple[int | None, int | None]:
        return self.heat_x.currentData(), self.heat_y.currentData()

    def _on_heat_axis(self, changed: QComboBox) -> None:
        # One axis on both sides is no heat map: the other side takes the axis left free.
        other = self.heat_y if changed is self.heat_x else self.heat_x
        if changed.currentData() is not None and changed.currentData() == other.currentData():
            taken = changed.currentData()
            free = [other.itemData(i) for i in range(other.count()) if other.itemData(i) != taken]
            if free:
                other.blockSignals(True)
                other.setCurrentIndex(other.findData(free[0]))
                other.blockSignals(False)
        self._draw_heat()

    # --- charts: the report's own functions ---------------------------------------------------

    def _draw_along(self) -> None:
        from planner.report.sweep import axis_chart, axis_table

        data, g = self.data, self.along_axis.currentData()
        if data is None or g is None or not len(data.frame):
            self.along_chart.show_message(_no_chart(data, "an axis with more than one value"))
            self.axis_values.set_frame(None)
            return
        table = axis_table(data.frame, g, data.ticks[g], data.codes)
        _set_text(self.axis_values, table.headers, table.rows, table.numeric)
        n = len(data.groups)
        self.along_chart.set_figure(
            lambda: axis_chart(data.frame, g, n, data.labels[g], data.ticks[g], data.codes),
            "The chart along this axis is not available.",
        )

    def _draw_heat(self) -> None:
        from planner.report.sweep import MAX_HEAT_MARKS, heat_map

        data = self.data
        a, b = self.heat_axes()
        if data is None or a is None or b is None or a == b or not len(data.frame):
            self.heat_chart.show_message(_no_chart(data, "two axes with more than one value"))
            return
        self.heat_chart.set_figure(
            lambda: heat_map(
                data.frame, a, b, (data.labels[a], data.labels[b]),
                (data.ticks[a], data.ticks[b]), data.codes, max_marks=MAX_HEAT_MARKS,
            ),
            "The heat map is not available.",
        )  # fmt: skip


def _set_text(model: FrameModel, headers: list[str], rows: list[list[str]], numeric: list[bool]):
    frame, specs = text_table(headers, rows, numeric)
    model.set_frame(frame, columns=specs)


def _no_chart(data: SweepData | None, needs: str) -> str:
    if data is None:
        return "Open a sweep folder to see this chart."
    if not len(data.frame):
        return "No point of this sweep has finished yet."
    return f"This chart needs {needs}."


def _cap_columns(view: QTableView, max_px: int = 320) -> None:
    """Long texts (messages, site lists) do not push the other columns out of sight."""
    header = view.horizontalHeader()
    for c in range(header.count() - 1):
        header.resizeSection(c, min(header.sectionSize(c), max_px))
