"""Tabs that read the results: site detail, comparison, Pareto front, uncertainty."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.gui.chartview import ChartView
from planner.gui.columns import CFE_COLUMNS, COMPARE_ROWS, Column, format_value, has_matching
from planner.gui.models import FrameModel
from planner.gui.text import plain_tooltip
from planner.gui.widgets import ElidedLabel
from planner.results import Results
from planner.scenario import COOLING_TECHNOLOGIES

FigureFor = Callable[..., Any]  # engine.figure(kind, results, site_id=None)

#: Spin box defaults when the scenario did not ask for the analysis (its value is 0).
DEFAULT_PARETO_POINTS = 10
DEFAULT_DRAWS = 1_000


def _analysis_bar(
    label: str, spin: QSpinBox, button: QToolButton, tip: str
) -> tuple[QHBoxLayout, ElidedLabel]:
    """A row above a tab: "<label> [spin] [button]" and a note on what the numbers are from."""
    bar = QHBoxLayout()
    bar.setContentsMargins(6, 4, 6, 0)
    caption = QLabel(label)
    caption.setBuddy(spin)
    spin.setToolTip(tip)
    bar.addWidget(caption)
    bar.addWidget(spin)
    bar.addWidget(button)
    note = ElidedLabel("")  # a long note is cut with "…" (whole on hover), never widening
    note.setStyleSheet("color: #555;")
    bar.addWidget(note, 1)
    return bar, note


def _action_button() -> QToolButton:
    button = QToolButton()
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setEnabled(False)  # until the window hands it its action
    return button


_DETAIL_FIGURES: tuple[tuple[str, str], ...] = (
    ("Total cost", "tco_usd"),
    ("Cost per GPU-hour", "usd_per_gpu_hour"),
    ("Capital, nominal", "capital_nominal_usd"),
    ("Capital charges (PV)", "capital_charges_pv_usd"),
    ("Build minus rent", "build_minus_rent_usd"),
    ("Cooling", "cooling_technology"),
    ("PUE annual / peak", "pue_annual"),
    ("WUE", "wue_l_per_kwh"),
    ("Energy price", "price_usd_per_mwh"),
    ("CO₂ location-based", "co2_location_t_per_year"),
    ("CO₂ market-based", "co2_market_t_per_year"),
    ("Water", "water_m3_per_year"),
    ("Stress-weighted water", "water_weighted_m3_per_year"),
    ("Latency", "latency_ms"),
    ("Time to power", "time_to_power_months"),
    ("Risk 0–1 (grid / hazard / constraint)", "risk_score"),
    ("Climate data", "climate_source"),
)


#: Key figures of 24/7 carbon-free matching: shown after "CO₂ market-based" when the results
#: have it (text built by :func:`cfe_figure_text`).
_CFE_FIGURES: tuple[tuple[str, str], ...] = (
    ("24/7 CFE score", "cfe_score"),
    ("Solar / wind PPA", "cfe_solar_mw"),
    ("Battery", "cfe_battery_mwh"),
    ("Portfolio net cost", "cfe_usd_per_mwh"),
)

NO_CFE_TARGET = (
    "No 24/7 carbon-free target in this scenario: set one in the editor under "
    "Energy and PPA > 24/7 carbon-free target."
)


def cfe_figure_text(row: pd.Series, key: str) -> str:
    """A 24/7 matching key figure of one site, with its units, e.g. "90.0 % (grid alone 43.7 %)"."""
    col = {c.key: c for c in CFE_COLUMNS}

    def text(k: str) -> str:
        return col[k].text(row.get(k))

    if key == "cfe_score":
        out = f"{text('cfe_score')} % (grid alone {text('cfe_grid_score')} %)"
        if not bool(row.get("cfe_reachable", True)):
            note = str(row.get("cfe_note") or "")
            out += "; target not reachable" + (f": {note}" if note else "")
        return out
    if key == "cfe_solar_mw":
        return f"{text('cfe_solar_mw')} / {text('cfe_wind_mw')} MW"
    if key == "cfe_battery_mwh":
        return f"{text('cfe_battery_mwh')} MWh"
    if key == "cfe_usd_per_mwh":
        return f"{text('cfe_usd_per_mwh')} USD per MWh of load"
    return text(key)


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a vertical scroll area that gives it the whole width."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    area.setMinimumWidth(300)
    return area


#: Columns of the inputs table on the detail tab.
PROVENANCE: tuple[Column, ...] = (
    Column("field", "Input"),
    Column("key", "For"),
    Column("value", "Value", "", ",.7g"),
    Column("unit", "Unit"),
    Column("source", "Source"),
    Column("year", "Year", "", ".0f"),
    Column("note", "Note"),
    Column("dataset", "Dataset"),
)

PARETO_COLUMNS: tuple[Column, ...] = (
    Column("point", "Point", "", ".0f"),
    Column("cost_usd", "Cost", "USD M", ",.1f", 1e-6),
    Column("co2_t", "CO₂", "kt", ",.1f", 1e-3),
    Column("water_m3", "Water", "thousand m³", ",.1f", 1e-3),
    Column("n_sites", "Sites", "", ".0f"),
    Column("sites", "Site ids"),
)


def phase_columns(results: Results, columns: Any, prefix: str = "") -> list[Column]:
    """GPU count columns named by phase: "Phase 1: H200 from month 0 (GPUs)"."""
    phases = results.scenario.fleet.phases
    out = []
    for i, name in enumerate(columns):
        phase = phases[i] if i < len(phases) else None
        label = (
            f"Phase {i + 1}: {phase.gpu} from month {phase.start_month}"
            if phase is not None
            else str(name)
        )
        out.append(Column(f"{prefix}{name}", label, "GPUs", ",.0f"))
    return out


def _col(key: str) -> Column:
    for c in COMPARE_ROWS:
        if c.key == key:
            return c
    return Column(key, key)


class SiteDetail(QWidget):
    """One site: key figures, provenance of its inputs and three charts."""

    def __init__(self, figure_for: FigureFor, parent: Any = None) -> None:
        super().__init__(parent)
        self._figure_for = figure_for
        self.site_id: str | None = None
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("Select a site in the table or on the map.")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #555;")
        left_layout.addWidget(self.title)
        left_layout.addWidget(self.subtitle)
        box = QGroupBox("Key figures")
        self.form = QFormLayout(box)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self._values: dict[str, QLabel] = {}
        self._cfe_values: dict[str, QLabel] = {}
        for label, key in _DETAIL_FIGURES:
            self._values[key] = self._add_figure(label)
            if key == "co2_market_t_per_year":
                for cfe_label, cfe_key in _CFE_FIGURES:
                    self._cfe_values[cfe_key] = self._add_figure(cfe_label)
        self._cfe_values["cfe_score"].setToolTip(
            "Hourly carbon-free energy score with the site's least-cost solar, wind and battery "
            "PPA portfolio, against its grid's own carbon-free share alone (docs/cfe.md)"
        )
        self._cfe_values["cfe_solar_mw"].setToolTip(
            "Sized for the whole fleet at this site, at full build-out"
        )
        self._show_cfe_rows(False)
        left_layout.addWidget(box)
        prov_box = QGroupBox("Inputs and their sources (hover for source and year)")
        prov_layout = QVBoxLayout(prov_box)
        self.provenance = FrameModel(tooltip_columns=("source", "year", "note"))
        view = QTableView()
        view.setModel(self.provenance)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(22)
        view.setWordWrap(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.provenance_view = view
        view.setMinimumHeight(170)
        prov_layout.addWidget(view)
        left_layout.addWidget(prov_box, 1)
        # Both halves scroll: on a laptop the figures and the charts keep readable sizes and
        # the window's minimum stays small.
        splitter.addWidget(_scrolling(left))

        charts = QWidget()
        grid = QGridLayout(charts)
        grid.setContentsMargins(4, 4, 4, 4)
        self.cost_chart = ChartView("Select a site to see its cost breakdown.")
        self.monthly_chart = ChartView("Select a site to see its monthly PUE and WUE.")
        self.heatmap_chart = ChartView("Select a site to see its hourly PUE.")
        # stacked full width: each chart keeps the aspect it was designed for (7.2 in wide)
        for r, (chart, stretch, height) in enumerate(
            ((self.cost_chart, 4, 280), (self.monthly_chart, 3, 240), (self.heatmap_chart, 3, 240))
        ):
            chart.setMinimumHeight(height)
            grid.addWidget(chart, r, 0)
            grid.setRowStretch(r, stretch)
        grid.addWidget(self._build_cfe_box(), 3, 0)
        grid.setRowStretch(3, 6)
        self.charts_area = _scrolling(charts)
        splitter.addWidget(self.charts_area)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([480, 820])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _add_figure(self, label: str) -> QLabel:
        value = QLabel("–")
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(label, value)
        return value

    def _show_cfe_rows(self, visible: bool) -> None:
        for value in self._cfe_values.values():
            self.form.setRowVisible(value, visible)

    def _build_cfe_box(self) -> QGroupBox:
        """24/7 carbon-free matching: two charts, or one line saying there is no target."""
        self.cfe_box = QGroupBox("24/7 carbon-free matching")
        layout = QVBoxLayout(self.cfe_box)
        layout.setContentsMargins(4, 4, 4, 4)
        self.cfe_duration_chart = ChartView("Select a site to see its hourly carbon-free share.")
        self.cfe_heatmap_chart = ChartView("Select a site to see its hourly carbon-free share.")
        for chart in (self.cfe_duration_chart, self.cfe_heatmap_chart):
            chart.setMinimumHeight(240)
            chart.setVisible(False)
            layout.addWidget(chart, 1)
        # Below the charts: where the profiles come from, or why there are no charts.
        self.cfe_message = QLabel(NO_CFE_TARGET)
        self.cfe_message.setWordWrap(True)
        self.cfe_message.setStyleSheet("color: #555;")
        layout.addWidget(self.cfe_message)
        return self.cfe_box

    def _show_cfe(self, results: Results | None, row: pd.Series | None, site_id: Any) -> None:
        """The matching rows and charts when the results have matching; else one line."""
        matching = results is not None and has_matching(results.evaluation.metrics)
        self._show_cfe_rows(matching and row is not None)
        hourly = matching and getattr(results.evaluation, "hourly_cfe", None) is not None
        for chart in (self.cfe_duration_chart, self.cfe_heatmap_chart):
            chart.setVisible(hourly and row is not None)
        if not matching or row is None:
            self.cfe_box.setTitle("24/7 carbon-free matching")
            self.cfe_message.setText(
                NO_CFE_TARGET if results is not None else "Select a site to see its charts."
            )
            self.cfe_message.setVisible(True)
            return
        for key, value in self._cfe_values.items():
            value.setText(cfe_figure_text(row, key))
        co2 = self._values["co2_market_t_per_year"]
        co2.setText(co2.text() + " (hourly, with the PPAs)")
        target = format_value(row.get("cfe_target"), ".0f", 100.0)
        self.cfe_box.setTitle(f"24/7 carbon-free matching (target {target} % hour by hour)")
        basis = str(row.get("renewables_basis") or "")
        self.cfe_message.setText(
            (f"Solar and wind profiles: {basis}." if basis else "")
            if hourly
            else "The hourly carbon-free shares are not in these results."
        )
        self.cfe_message.setVisible(bool(self.cfe_message.text()))
        if hourly:
            self.cfe_duration_chart.set_figure(
                lambda: self._figure_for("cfe_duration", results, site_id)
            )
            self.cfe_heatmap_chart.set_figure(
                lambda: self._figure_for("cfe_heatmap", results, site_id)
            )

    def show_site(
        self, results: Results | None, site_id: str | None, share: float | None = None
    ) -> None:
        self.site_id = site_id
        if results is None or site_id is None or site_id not in results.evaluation.metrics.index:
            self.title.setText("Select a site in the table or on the map.")
            self.subtitle.setText("")
            for value in self._values.values():
                value.setText("–")
            self.provenance.set_frame(None)
            for chart in (self.cost_chart, self.monthly_chart, self.heatmap_chart):
                chart.show_message("Select a site to see its charts.")
            self._show_cfe(None, None, None)
            return
        row = results.evaluation.metrics.loc[site_id]
        rank = results.ranking.loc[site_id] if site_id in results.ranking.index else None
        self.title.setText(f"{row.get('name', site_id)}  ·  {row.get('country', '')}")
        parts = [
            f"{site_id}",
            f"region {row.get('region_code', '–')}",
            f"grid {row.get('grid', '–')}",
        ]
        if rank is not None:
            if bool(rank.get("feasible", True)):
                parts.append(
                    f"rank {format_value(rank.get('rank'), '.0f')}, "
                    f"score {format_value(rank.get('score'), '.3f')}"
                )
            else:
                parts.append(f"infeasible: {rank.get('reasons', '')}")
        if share:
            parts.append(f"allocated {share:.0%} of the fleet")
        self.subtitle.setText(" · ".join(parts))
        for _, key in _DETAIL_FIGURES:
            self._values[key].setText(self._figure_text(row, key))
        self.provenance.set_frame(_site_provenance(results, row, site_id), columns=PROVENANCE)
        self._size_provenance()
        self.cost_chart.set_figure(lambda: self._figure_for("cost_breakdown", results, site_id))
        self.monthly_chart.set_figure(lambda: self._figure_for("monthly_pue_wue", results, site_id))
        self.heatmap_chart.set_figure(
            lambda: self._figure_for("hourly_pue_heatmap", results, site_id)
        )
        self._show_cfe(results, row, site_id)

    def _size_provenance(self) -> None:
        header = self.provenance_view.horizontalHeader()
        widths = {"field": 140, "key": 80, "value": 70, "unit": 64, "source": 320, "year": 48}
        for i, name in enumerate(self.provenance.frame().columns):
            header.resizeSection(i, widths.get(str(name), 120))

    @staticmethod
    def _figure_text(row: pd.Series, key: str) -> str:
        col = _col(key)
        text = col.text(row.get(key))
        if col.unit and text not in ("–", "unlimited"):
            text = f"{text} {col.unit}"
        if key == "pue_annual":
            text += f" / {format_value(row.get('pue_peak'), '.3f')}"
        elif key == "time_to_power_months" and bool(row.get("ttp_is_estimate", False)):
            text += " (estimate)"
        elif key == "risk_score":
            text = (
                col.text(row.get(key))
                + "  ("
                + " / ".join(
                    format_value(row.get(k), ".2f")
                    for k in ("risk_grid", "risk_hazard", "risk_constraint")
                )
                + ")"
            )
        return text


def _site_provenance(results: Results, row: pd.Series, site_id: str) -> pd.DataFrame:
    """The provenance rows that concern this site: its own row, its region, the scenario's GPU
    models, cooling preset and technology, demand centers, and the general finance inputs."""
    prov = results.evaluation.provenance
    cols = ["field", "key", "value", "unit", "source", "year", "note", "dataset"]
    if prov is None or len(prov) == 0:
        return pd.DataFrame(columns=cols)
    scenario = results.scenario
    dataset = prov["dataset"].astype(str)
    key = prov["key"].astype(str)
    tech = str(row.get("cooling_technology", ""))
    preset = scenario.cooling.preset
    part = key.str.split(".", n=1).str[-1]
    cooling_ok = key.str.startswith(preset + ".") & (
        (part == tech) | ~part.isin(COOLING_TECHNOLOGIES)
    )
    mask = (
        ((dataset == "sites") & (key == site_id))
        | ((dataset == "regions") & (key == str(row.get("region_code", ""))))
        | ((dataset == "climate_normals") & (key == site_id))
        | ((dataset == "gpus") & key.isin({p.gpu for p in scenario.fleet.phases}))
        | ((dataset == "cooling") & cooling_ok)
        | ((dataset == "demand_centers") & key.isin({d.name for d in scenario.demand}))
        | ~dataset.isin(
            ["sites", "regions", "climate_normals", "gpus", "cooling", "demand_centers"]
        )
    )
    return prov.loc[mask, [c for c in cols if c in prov.columns]]


class ComparePanel(QWidget):
    """Two to four sites side by side; the best value of each criterion is marked."""

    def __init__(self, figure_for: FigureFor, parent: Any = None) -> None:
        super().__init__(parent)
        self._figure_for = figure_for
        layout = QVBoxLayout(self)
        self.hint = QLabel(
            "Select two to four sites (Ctrl+click in the table or on the map) to compare them."
        )
        self.hint.setStyleSheet("color: #555; font-size: 11pt;")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        self.chart = ChartView("The cost breakdown of the compared sites appears here.")
        self.chart.setMinimumHeight(220)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setSizes([560, 330])
        self.splitter = splitter
        layout.addWidget(splitter, 1)
        self.site_ids: list[str] = []

    def show_sites(
        self, results: Results | None, ranking: pd.DataFrame | None, site_ids: list[str]
    ) -> None:
        if results is not None and list(site_ids[:4]) == self.site_ids and self.table.rowCount():
            self._fill(results, ranking, site_ids)  # same sites: numbers may change, chart does not
            return
        self.site_ids = list(site_ids[:4])
        if results is None or len(self.site_ids) < 2:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.hint.setText(
                "Select two to four sites (Ctrl+click in the table or on the map) to compare them."
            )
            self.chart.show_message("Select two to four sites to compare their costs.")
            return
        self._fill(results, ranking, site_ids)
        self.chart.set_figure(lambda: self._figure_for("cost_compare", results, self.site_ids))
        # the table as tall as its rows, the chart takes the rest
        rows_px = (
            self.table.horizontalHeader().height()
            + sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
            + 6
        )
        total = sum(self.splitter.sizes()) or 900
        self.splitter.setSizes(
            [min(rows_px, int(total * 0.7)), max(total - rows_px, int(total * 0.3))]
        )

    def _fill(self, results: Results, ranking: pd.DataFrame | None, site_ids: list[str]) -> None:
        metrics = results.evaluation.metrics
        rank = ranking if ranking is not None else results.ranking
        frame = metrics.loc[self.site_ids].drop(columns=["rank", "score"], errors="ignore")
        frame = pd.concat([frame, rank.reindex(self.site_ids)[["rank", "score"]]], axis=1)
        self.hint.setText(
            "★ best of the compared sites; ★= tied for the best; = the same at every site; "
            "(+x) how far a value is from the best, in the row's unit"
            + ("" if len(site_ids) <= 4 else f" (first four of {len(site_ids)} selected)")
            + "."
        )
        self.table.setColumnCount(len(self.site_ids))
        self.table.setRowCount(len(COMPARE_ROWS))
        names = [str(metrics.at[s, "name"]) if "name" in metrics else s for s in self.site_ids]
        # Long names on two or three short lines rather than cut in the middle.
        self.table.setHorizontalHeaderLabels(["\n".join(textwrap.wrap(n, 28)[:3]) for n in names])
        for c, name in enumerate(names):
            self.table.horizontalHeaderItem(c).setToolTip(plain_tooltip(name))
        self.table.setVerticalHeaderLabels([c.header for c in COMPARE_ROWS])
        bold = QFont()
        bold.setBold(True)
        best_brush = QBrush(QColor(214, 240, 214))
        same_brush = QBrush(QColor(238, 238, 238))
        for r, col in enumerate(COMPARE_ROWS):
            values = (
                frame[col.key] if col.key in frame.columns else pd.Series(np.nan, index=frame.index)
            )
            cells = compare_cells(values.reindex(self.site_ids), col)
            for c, sid in enumerate(self.site_ids):
                text, mark = cells[sid]
                item = QTableWidgetItem(text)
                align = Qt.AlignmentFlag.AlignRight if col.fmt else Qt.AlignmentFlag.AlignLeft
                item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
                if mark in ("best", "tie"):
                    item.setFont(bold)
                    item.setBackground(best_brush)
                    item.setToolTip("Tied for the best" if mark == "tie" else "The best")
                elif mark == "same":
                    item.setBackground(same_brush)
                    item.setToolTip("The same at every compared site")
                self.table.setItem(r, c, item)


def compare_cells(values: pd.Series, col: Column) -> dict[str, tuple[str, str]]:
    """Each compared site's cell text and mark ("best", "tie", "same", "" ) for one row.

    Values are compared as shown (rounded to the row's precision), so two values that read
    the same are a tie. A value that is not the best shows its distance from the best:
    "3.654 (+0.164)".
    """
    shown = {sid: col.text(v) for sid, v in values.items()}
    if not col.fmt:  # text rows: the same everywhere or not, nothing is better
        same = len(set(shown.values())) == 1 and len(shown) > 1
        return {s: (("= " if same else "") + t, "same" if same else "") for s, t in shown.items()}
    numbers = pd.to_numeric(values, errors="coerce") * col.scale
    decimals = _decimals(col.fmt)
    rounded = numbers.round(decimals)
    finite = rounded[np.isfinite(rounded.to_numpy(dtype=float))]
    out = {sid: (text, "") for sid, text in shown.items()}
    if len(finite) < 2:
        return out
    if finite.nunique() == 1:
        return {
            s: (("= " + t) if s in finite.index else t, "same" if s in finite.index else "")
            for s, t in shown.items()
        }
    if col.better not in ("low", "high"):
        return out
    target = finite.min() if col.better == "low" else finite.max()
    winners = set(finite.index[finite == target])
    mark = "tie" if len(winners) > 1 else "best"
    delta_fmt = "+" + col.fmt.lstrip("+")
    for sid in values.index:
        if sid in winners:
            out[sid] = (("★= " if mark == "tie" else "★ ") + shown[sid], mark)
        elif sid in finite.index:
            delta = format(float(rounded[sid] - target), delta_fmt)
            out[sid] = (f"{shown[sid]} ({delta})", "")
    return out


def _decimals(fmt: str) -> int:
    """Decimals a format spec shows: ",.1f" -> 1, ".0f" -> 0, ".3g" -> 3."""
    if "." not in fmt:
        return 0
    digits = "".join(ch for ch in fmt.split(".", 1)[1] if ch.isdigit())
    return int(digits) if digits else 0


class ParetoPanel(QWidget):
    """The cost/carbon front; clicking a point (or a row) shows that point's allocation."""

    pointSelected = Signal(int)

    def __init__(self, figure_for: FigureFor, parent: Any = None) -> None:
        super().__init__(parent)
        self._figure_for = figure_for
        self._results: Results | None = None
        self.points_spin = QSpinBox()
        self.points_spin.setRange(2, 200)  # the scenario schema's upper bound
        self.points_spin.setValue(DEFAULT_PARETO_POINTS)
        self.points_spin.setSuffix(" points")
        self.compute_button = _action_button()
        bar, self.note = _analysis_bar(
            "Front of",
            self.points_spin,
            self.compute_button,
            "Points asked for, end points included; duplicate or dominated points are dropped, "
            "so the front may have fewer",
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.chart = ChartView(
            "No cost/carbon front yet: run the scenario, then Compute Pareto front."
        )
        self.chart.setMinimumSize(380, 260)  # readable; the splitter gives it more
        splitter.addWidget(self.chart)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel("Points of the front (click one here or on the chart)"))
        self.points = FrameModel()
        self.points.unit_on_own_line = True
        self.points_view = QTableView()
        self.points_view.setModel(self.points)
        self.points_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.points_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.points_view.horizontalHeader().setStretchLastSection(True)
        self.points_view.verticalHeader().setVisible(False)
        right_layout.addWidget(self.points_view, 1)
        self.alloc_label = QLabel("Allocation of the chosen point")
        right_layout.addWidget(self.alloc_label)
        self.allocation = FrameModel()
        self.allocation.unit_on_own_line = True
        alloc_view = QTableView()
        alloc_view.setModel(self.allocation)
        alloc_view.horizontalHeader().setStretchLastSection(True)
        alloc_view.verticalHeader().setVisible(False)
        self.allocation_view = alloc_view
        right_layout.addWidget(alloc_view, 1)
        splitter.addWidget(right)
        splitter.setSizes([760, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.points_view.selectionModel().selectionChanged.connect(self._on_row)
        self._cid: int | None = None

    def set_compute_action(self, action: QAction) -> None:
        """The window's "Compute Pareto front" action, shown as this tab's button."""
        self.compute_button.setDefaultAction(action)

    def show_results(self, results: Results | None) -> None:
        self._results = results
        if results is not None:
            asked = results.scenario.analysis.pareto_points
            self.points_spin.setValue(asked if asked > 0 else DEFAULT_PARETO_POINTS)
        front = None if results is None else results.pareto
        if front is None or len(front) == 0:
            self.points.set_frame(None)
            self.allocation.set_frame(None)
            self.note.setText("")
            self.chart.show_message(
                "No cost/carbon front yet: run the scenario, then Compute Pareto front."
                if results is None
                else "No cost/carbon front in this run: press Compute Pareto front."
            )
            return
        self.note.setText(f"{len(front)} points on the front shown")
        shown = [c for c in PARETO_COLUMNS if c.key in front.columns]
        self.points.set_frame(front[[c.key for c in shown]], columns=shown)
        self.points_view.resizeColumnsToContents()
        self.chart.set_figure(
            lambda: self._figure_for("pareto", results),
            on_ready=lambda canvas: canvas.mpl_connect("button_press_event", self._on_click),
        )
        self.select_point(0)

    def select_point(self, i: int) -> None:
        if (
            self._results is None
            or self._results.pareto is None
            or not 0 <= i < len(self._results.pareto)
        ):
            return
        self.points_view.selectRow(i)

    def _on_row(self, *_: Any) -> None:
        rows = self.points_view.selectionModel().selectedRows()
        if not rows or self._results is None:
            return
        i = rows[0].row()
        allocs = self._results.pareto_allocations
        if i < len(allocs) and allocs[i] is not None:
            table = allocs[i]
            metrics = self._results.evaluation.metrics
            frame = pd.DataFrame(
                {
                    "site": [
                        str(metrics.at[s, "name"]) if s in metrics.index else str(s)
                        for s in table.index
                    ]
                }
            )
            for column in table.columns:
                frame[f"gpus_{column}"] = table[column].to_numpy()
            specs = [
                Column("site", "Site"),
                *phase_columns(self._results, table.columns, "gpus_"),
            ]
            self.allocation.set_frame(frame, columns=specs)
            self.allocation_view.resizeColumnsToContents()
        else:
            sites = str(self._results.pareto.iloc[i].get("sites", ""))
            self.allocation.set_frame(
                pd.DataFrame({"site_id": [s.strip() for s in sites.split(";") if s.strip()]})
            )
        self.alloc_label.setText(f"Allocation of point {i + 1}")
        self.pointSelected.emit(i)

    def _on_click(self, event: Any) -> None:
        # Nearest plotted point (in pixels) on any artist with one point per front row.
        if event.inaxes is None or self._results is None or self._results.pareto is None:
            return
        n = len(self._results.pareto)
        best: tuple[float, int] | None = None
        for artist in [*event.inaxes.lines, *event.inaxes.collections]:
            data = artist.get_xydata() if hasattr(artist, "get_xydata") else artist.get_offsets()
            data = np.asarray(data, dtype=float)
            if data.ndim != 2 or len(data) != n:
                continue
            pixels = event.inaxes.transData.transform(data)
            dist = np.hypot(pixels[:, 0] - event.x, pixels[:, 1] - event.y)
            j = int(np.nanargmin(dist))
            nearest = float(dist[j])
            if np.all(np.diff(data[:, 0]) >= 0) and "co2_t" in self._results.pareto:
                # the chart draws the front sorted by carbon: map back to the table's row
                j = int(np.argsort(self._results.pareto["co2_t"].to_numpy(), kind="stable")[j])
            if best is None or nearest < best[0]:
                best = (nearest, j)
        if best is not None and best[0] < 25:
            self.select_point(best[1])


def _uncertainty_display(
    table: pd.DataFrame, names: pd.Series | None, top_k: int
) -> tuple[pd.DataFrame, list[Column]]:
    """Rank probabilities and cost quantiles, most often first, with their column specs."""
    specs = [Column("site", "Site")]
    out = pd.DataFrame(index=table.index)
    out["site"] = names.reindex(table.index) if names is not None else table.index
    wanted = (
        ("p_first", Column("p_first", "P(first)", "%", ".1f", 100.0)),
        ("p_top_k", Column("p_top_k", f"P(top {top_k})", "%", ".1f", 100.0)),
        # older results name the quantiles p10..p90
        ("p10", Column("p10", "P10", "USD/GPU-h", ".3f")),
        ("p50", Column("p50", "P50", "USD/GPU-h", ".3f")),
        ("p90", Column("p90", "P90", "USD/GPU-h", ".3f")),
        ("usd_per_gpu_hour_p10", Column("p10", "P10", "USD/GPU-h", ".3f")),
        ("usd_per_gpu_hour_p50", Column("p50", "P50", "USD/GPU-h", ".3f")),
        ("usd_per_gpu_hour_p90", Column("p90", "P90", "USD/GPU-h", ".3f")),
    )
    for key, spec in wanted:
        if key in table and spec.key not in out:
            out[spec.key] = table[key]
            specs.append(spec)
    order = [c for c in ("p_first", "p_top_k") if c in table]
    if order:
        out = out.loc[table.sort_values(order, ascending=False).index]
    return out.reset_index(drop=True), specs


class UncertaintyPanel(QWidget):
    """Tornado (one-at-a-time sensitivity) and Monte Carlo rank probabilities."""

    def __init__(self, figure_for: FigureFor, parent: Any = None) -> None:
        super().__init__(parent)
        self._figure_for = figure_for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.draws_spin = QSpinBox()
        self.draws_spin.setRange(100, 100_000)  # the scenario schema's upper bound
        self.draws_spin.setSingleStep(500)
        self.draws_spin.setGroupSeparatorShown(True)
        self.draws_spin.setValue(DEFAULT_DRAWS)
        self.draws_spin.setSuffix(" draws")
        self.run_button = _action_button()
        bar, self.note = _analysis_bar(
            "Monte Carlo with",
            self.draws_spin,
            self.run_button,
            "Draws of electricity price, carbon intensity, PUE and fleet growth "
            "(spreads from the scenario's analysis.uncertainty); same seed, same numbers",
        )
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Vertical)
        charts = QSplitter(Qt.Orientation.Horizontal)
        self.tornado = ChartView("No tornado chart yet: run the scenario, then Run uncertainty.")
        self.probabilities = ChartView(
            "No rank probabilities yet: run the scenario, then Run uncertainty."
        )
        for chart in (self.tornado, self.probabilities):
            chart.setMinimumSize(320, 240)  # readable; the splitters give them more
            charts.addWidget(chart)
        charts.setChildrenCollapsible(False)
        charts.setStretchFactor(0, 1)
        charts.setStretchFactor(1, 1)
        self.charts = charts
        splitter.addWidget(charts)
        self.table_model = FrameModel()
        view = QTableView()
        view.setModel(self.table_model)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table_view = view
        splitter.addWidget(view)
        splitter.setSizes([650, 220])
        layout.addWidget(splitter, 1)

    def set_run_action(self, action: QAction) -> None:
        """The window's "Run uncertainty" action, shown as this tab's button."""
        self.run_button.setDefaultAction(action)

    def show_results(self, results: Results | None) -> None:
        if results is None:
            self.tornado.show_message("Run the scenario to see the tornado chart.")
            self.probabilities.show_message("Run the scenario to see rank probabilities.")
            self.table_model.set_frame(None)
            self.note.setText("")
            return
        unc = results.scenario.analysis.uncertainty
        self.draws_spin.setValue(unc.draws if unc.draws > 0 else DEFAULT_DRAWS)
        self.note.setText(
            f"rank frequencies from {unc.draws:,} draws (seed {unc.seed})"
            if results.uncertainty is not None and len(results.uncertainty) and unc.draws > 0
            else ""
        )
        if results.sensitivity is not None and len(results.sensitivity):
            self.tornado.set_figure(lambda: self._figure_for("tornado", results))
        else:
            self.tornado.show_message("No sensitivity analysis in this run: press Run uncertainty.")
        has_draws = results.uncertainty is not None and len(results.uncertainty) > 0
        # Without draws the tornado takes the whole width and the note says what to press.
        self.probabilities.setVisible(has_draws)
        self.table_view.setVisible(has_draws)
        if not has_draws:
            self.note.setText(
                "No Monte Carlo draws in this run: press Run uncertainty for rank frequencies "
                "and the recommendation's robustness."
            )
        else:
            width = sum(self.charts.sizes()) or 1000
            self.charts.setSizes([width // 2, width - width // 2])
        if has_draws:
            self.probabilities.set_figure(lambda: self._figure_for("rank_probabilities", results))
            names = (
                results.evaluation.metrics["name"] if "name" in results.evaluation.metrics else None
            )
            table, specs = _uncertainty_display(
                results.uncertainty, names, results.scenario.analysis.uncertainty.top_k
            )
            self.table_model.set_frame(table.head(50), columns=specs)
        else:
            self.probabilities.show_message(
                "No Monte Carlo draws in this run: press Run uncertainty."
            )
            self.table_model.set_frame(None)


def is_number(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
