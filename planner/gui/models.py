"""Qt item models as adapters over the core's DataFrames (no figure is computed here)."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from planner.gui.columns import OPTIONAL_TABLE_COLUMNS, TABLE_COLUMNS, Column
from planner.gui.text import plain_tooltip

SORT_ROLE = Qt.ItemDataRole.UserRole
SITE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
_GREY = QBrush(QColor(140, 140, 140))
_BOLD = QFont()
_BOLD.setBold(True)


class SiteTableModel(QAbstractTableModel):
    """One row per site: the metrics table joined with the ranking.

    The model sorts itself with numpy (``sort``), not through the proxy: a proxy sort calls
    ``data()`` in Python n log n times, too slow for a live re-rank of 1,000 sites. Rows are
    kept by site, so the view's selection follows its sites when the order changes.

    ``optional`` columns (24/7 matching) follow ``columns`` only while the metrics or the
    ranking have them: results without them show no empty columns.
    """

    def __init__(
        self,
        columns: tuple[Column, ...] = TABLE_COLUMNS,
        parent: Any = None,
        optional: tuple[Column, ...] = OPTIONAL_TABLE_COLUMNS,
    ) -> None:
        super().__init__(parent)
        self._fixed = columns
        self._optional = optional  # appended when the metrics have them (24/7 matching)
        self._columns = columns
        self._ids: list[str] = []
        self._values: list[np.ndarray] = []
        self._feasible = np.zeros(0, dtype=bool)
        self._reasons: list[str] = []
        self._data_row: dict[str, int] = {}
        self._allocated: dict[str, float] = {}
        self._order = np.zeros(0, dtype=int)  # display row -> data row
        self._position = np.zeros(0, dtype=int)  # data row -> display row
        self._sort_column = 0
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._metrics = pd.DataFrame()

    # --- data in ---------------------------------------------------------------------------

    def set_frames(
        self,
        metrics: pd.DataFrame,
        ranking: pd.DataFrame,
        allocated: dict[str, float] | None = None,
    ) -> None:
        self.beginResetModel()
        self._ids = [str(i) for i in metrics.index]
        self._data_row = {sid: r for r, sid in enumerate(self._ids)}
        self._allocated = dict(allocated or {})
        self._metrics = metrics
        self._columns = self._fixed + tuple(
            c for c in self._optional if c.key in metrics.columns or c.key in ranking.columns
        )
        if self._sort_column >= len(self._columns):  # sorted by a column now gone
            self._sort_column, self._sort_order = 0, Qt.SortOrder.AscendingOrder
        self._fill(metrics, ranking)
        self._order = self._sorted_order()
        self._position = np.argsort(self._order)
        self.endResetModel()

    def set_ranking(self, ranking: pd.DataFrame) -> None:
        """Replace rank, score, feasibility and reasons; re-sort; selection follows its sites."""
        if not self._ids:
            return
        self._fill(self._metrics, ranking)
        self._apply_order(self._sorted_order())
        self.dataChanged.emit(
            self.index(0, 0), self.index(len(self._ids) - 1, len(self._columns) - 1)
        )

    def _fill(self, metrics: pd.DataFrame, ranking: pd.DataFrame) -> None:
        ranking = ranking.reindex(metrics.index)
        values = []
        for col in self._columns:
            source = ranking if col.key in ranking.columns else metrics
            if col.key in source.columns:
                values.append(source[col.key].to_numpy())
            else:
                values.append(np.full(len(metrics), np.nan))
        self._values = values
        feasible = (
            ranking["feasible"]
            if "feasible" in ranking.columns
            else pd.Series(True, index=metrics.index)
        )
        self._feasible = feasible.fillna(False).to_numpy(dtype=bool)
        reasons = (
            ranking["reasons"]
            if "reasons" in ranking.columns
            else pd.Series("", index=metrics.index)
        )
        self._reasons = reasons.fillna("").astype(str).tolist()

    # --- sorting ---------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort_column, self._sort_order = column, order
        self._apply_order(self._sorted_order())

    def _sorted_order(self) -> np.ndarray:
        n = len(self._ids)
        if n == 0:
            return np.zeros(0, dtype=int)
        values = self._values[self._sort_column]
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        try:
            keys = np.asarray(values, dtype=float)
            keys = np.where(np.isnan(keys), np.inf if not descending else -np.inf, keys)
            return np.argsort(-keys if descending else keys, kind="stable")
        except (TypeError, ValueError):
            keys = pd.Series(values).astype(str).str.lower()
            return keys.sort_values(ascending=not descending, kind="stable").index.to_numpy()

    def _apply_order(self, order: np.ndarray) -> None:
        if np.array_equal(order, self._order):
            return
        self.layoutAboutToBeChanged.emit()
        position = np.argsort(order)
        old = self.persistentIndexList()
        new = [self.index(int(position[self._order[i.row()]]), i.column()) for i in old]
        self._order, self._position = order, position
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # --- lookups (rows are display rows) -----------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns shown now: the fixed ones, then the optional ones the results have."""
        return self._columns

    def site_id(self, row: int) -> str:
        return self._ids[self._order[row]]

    def row_of(self, site_id: str) -> int | None:
        data_row = self._data_row.get(site_id)
        return None if data_row is None else int(self._position[data_row])

    def feasible(self, row: int) -> bool:
        return bool(self._feasible[self._order[row]])

    def column_of(self, key: str) -> int | None:
        for i, c in enumerate(self._columns):
            if c.key == key:
                return i
        return None

    def raw(self, row: int, key: str) -> Any:
        i = self.column_of(key)
        return None if i is None else self._values[i][self._order[row]]

    # --- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        return self._header(section, orientation, role)

    def _header(self, section: int, orientation: Qt.Orientation, role: int) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            col = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.header
            if role == Qt.ItemDataRole.ToolTipRole:
                hint = {"low": "lower is better", "high": "higher is better"}.get(col.better, "")
                return f"{col.key}" + (f" — {hint}" if hint else "")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self._data(index, role)

    def _data(self, index: _Index, role: int) -> Any:
        if not index.isValid():
            return None
        row, column = int(self._order[index.row()]), index.column()
        col = self._columns[column]
        sid = self._ids[row]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._values[column][row]
            if col.key == "rank" and not self._feasible[row]:
                return "–"
            text = col.text(value)
            if col.key == "name" and sid in self._allocated:
                text += f"  ◆ {self._allocated[sid]:.0%}"
            return text
        if role == SORT_ROLE:
            return _sortable(self._values[column][row])
        if role == SITE_ID_ROLE:
            return sid
        if role == Qt.ItemDataRole.ForegroundRole and not self._feasible[row]:
            return _GREY
        if role == Qt.ItemDataRole.FontRole and sid in self._allocated and col.key == "name":
            return _BOLD
        if role == Qt.ItemDataRole.ToolTipRole:
            if not self._feasible[row]:
                return plain_tooltip(
                    "Infeasible: " + (self._reasons[row] or "fails a hard constraint")
                )
            if sid in self._allocated:
                return plain_tooltip(f"{sid}: allocated {self._allocated[sid]:.0%} of the fleet")
            return plain_tooltip(sid)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.fmt:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


def _sortable(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return math.inf if math.isnan(number) else number


class SiteFilterProxy(QSortFilterProxyModel):
    """Filter on site id, name, country and region by a text; sorting is the source's."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""
        self._feasible_only = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source model sorts with numpy; the proxy keeps the source order and only filters.
        model = self.sourceModel()
        if isinstance(model, SiteTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)

    def set_text(self, text: str) -> None:
        self._needle = text.strip().lower()
        self.invalidateRowsFilter()

    def set_feasible_only(self, on: bool) -> None:
        self._feasible_only = on
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not isinstance(model, SiteTableModel):
            return True
        if self._feasible_only and not model.feasible(source_row):
            return False
        if not self._needle:
            return True
        hay = " ".join(
            str(x)
            for x in (
                model.site_id(source_row),
                model.raw(source_row, "name"),
                model.raw(source_row, "country"),
                model.raw(source_row, "region_code"),
            )
        ).lower()
        return self._needle in hay


class FrameModel(QAbstractTableModel):
    """A read-only view of any small DataFrame (provenance, allocation, analyses).

    Each column is shown through a :class:`~planner.gui.columns.Column` spec when one is given
    (header with its unit, display scale, precision; numbers right-aligned); columns without a
    spec get their name as header and a precision by magnitude.
    """

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        tooltip_columns: tuple[str, ...] = (),
        parent: Any = None,
    ):
        super().__init__(parent)
        self._frame = pd.DataFrame() if frame is None else frame
        self._tips = tooltip_columns
        self._specs: dict[str, Column] = {}
        self._row_tips: list[str] | None = None
        self._bold_rows: set[int] = set()
        self.unit_on_own_line = False  # "Net present cost\n(USD M)": narrow number columns

    def set_frame(
        self,
        frame: pd.DataFrame | None,
        formats: dict[str, str] | None = None,
        *,
        columns: tuple[Column, ...] | list[Column] = (),
        row_tooltips: list[str] | None = None,
        bold_rows: set[int] | None = None,
    ) -> None:
        """Show ``frame``.

        ``columns`` are specs keyed by frame column name; ``formats`` (column -> format spec)
        is the short form for a spec without unit or scale. ``row_tooltips`` gives each row a
        tool tip (plain text); ``bold_rows`` are shown bold (a totals row).
        """
        self.beginResetModel()
        self._frame = pd.DataFrame() if frame is None else frame.reset_index(drop=True)
        specs = {str(k): Column(str(k), str(k), "", fmt) for k, fmt in (formats or {}).items()}
        specs.update({c.key: c for c in columns})
        self._specs = specs
        self._row_tips = list(row_tooltips) if row_tooltips is not None else None
        self._bold_rows = set(bold_rows or ())
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        return self._frame

    def spec(self, column: int) -> Column | None:
        return self._specs.get(str(self._frame.columns[column]))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._frame.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        return self._header(section, orientation, role)

    def _header(self, section: int, orientation: Qt.Orientation, role: int) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        spec = self.spec(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if spec is not None and (spec.label != spec.key or spec.unit):
                if self.unit_on_own_line and spec.right:
                    # Narrow number columns: the label on short lines, the unit on its own.
                    lines = textwrap.wrap(spec.label, 14) or [spec.label]
                    return "\n".join([*lines, f"({spec.unit})"] if spec.unit else lines)
                return spec.header
            return str(self._frame.columns[section]).replace("_", " ")
        if role == Qt.ItemDataRole.TextAlignmentRole and spec is not None and spec.right:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self._data(index, role)

    def _data(self, index: _Index, role: int) -> Any:
        if not index.isValid():
            return None
        value = self._frame.iat[index.row(), index.column()]
        spec = self.spec(index.column())
        numeric = _is_number(value)
        if role == Qt.ItemDataRole.DisplayRole:
            if spec is not None and (spec.fmt or not numeric):
                return spec.text(value)
            if isinstance(value, float | np.floating):
                return format_number(float(value))
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return "–"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if (spec is not None and spec.right) or (spec is None and numeric):
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and index.row() in self._bold_rows:
            return _BOLD
        if role == Qt.ItemDataRole.ToolTipRole:
            if self._row_tips is not None and index.row() < len(self._row_tips):
                tip = self._row_tips[index.row()]
                return plain_tooltip(tip) if tip else None
            if self._tips:
                row = self._frame.iloc[index.row()]
                parts = [
                    f"{c}: {row[c]}"
                    for c in self._tips
                    if c in self._frame.columns and str(row[c]) not in ("", "nan")
                ]
                return plain_tooltip("\n".join(parts)) if parts else None
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def format_number(value: float) -> str:
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "unlimited" if value > 0 else "–"
    magnitude = abs(value)
    if magnitude >= 1e4:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:.3g}" if magnitude < 10 else f"{value:.2f}"
    return f"{value:.3g}"
