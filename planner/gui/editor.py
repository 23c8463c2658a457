"""Scenario editor dock: every field is bound to a path in the scenario and edits go through
the document's undo stack (:class:`planner.gui.document.ScenarioDocument`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.errors import InputError
from planner.gui.columns import CRITERIA, CRITERION_LABELS
from planner.gui.dialogs import SITES_FILTER
from planner.gui.document import FieldPath, ScenarioDocument
from planner.gui.text import plain_tooltip
from planner.scenario import COOLING_TECHNOLOGIES

HOURLY_FILTER = "Hourly tables (*.csv *.csv.gz);;All files (*)"
TABLE_FILTER = "Tables (*.csv *.xlsx);;All files (*)"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_DRAG_IDS = itertools.count(1)


class ScenarioEditor(QScrollArea):
    """All scenario sections in one scrollable column.

    Parameters
    ----------
    gpu_models : list of str
        GPU ids from the catalog for the phase table's combo boxes.
    on_error : callable
        Shows one sentence when an edit is rejected by validation.
    """

    def __init__(
        self,
        gpu_models: list[str],
        on_error: Callable[[str], None],
        parent: Any = None,
        *,
        choose_file: Callable[[str, str], Path | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._gpu_models = list(gpu_models)
        self._demand_names: list[str] = []
        self._on_error = on_error
        self._choose_file = choose_file
        self._doc: ScenarioDocument | None = None
        self._refreshers: list[tuple[FieldPath, Callable[[], None]]] = []
        self._refreshing = False
        self.weight_sliders: dict[str, QSlider] = {}
        self._weight_labels: dict[str, QLabel] = {}
        self.sections: dict[str, Section] = {}

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(6)
        self._column = column
        self._add("Criterion weights (re-rank live)", self._weights_box(), opened=True)
        self._add("Fleet phases", self._phases_box(), opened=True)
        self._add(
            "Scenario",
            self._form(
                [
                    ("Name", ("scenario", "name"), "text", None),
                    ("Description", ("scenario", "description"), "text", None),
                    ("Horizon (years)", ("scenario", "horizon_years"), "int", (1, 30, 1)),
                    ("Discount rate (%)", ("scenario", "discount_rate"), "percent", (0, 50, 0.5)),
                    ("Start year", ("scenario", "start_year"), "int", (2000, 2100, 1)),
                ]
            ),
            opened=True,
        )
        self._add(
            "Workload",
            self._form(
                [
                    ("Workload", ("fleet", "workload"), "choice", ["training", "inference"]),
                    ("Utilization (%)", ("fleet", "utilization"), "percent", (1, 100, 1)),
                    (
                        "Network overhead (%)",
                        ("fleet", "network_overhead_fraction"),
                        "percent",
                        (0, 50, 1),
                    ),
                    ("Block size (GPUs)", ("fleet", "block_gpus"), "int", (1, 100_000, 128)),
                    (
                        "GPUs per rack",
                        ("fleet", "gpus_per_rack"),
                        "optional-int",
                        (1, 1024, 1, "each GPU's typical"),
                    ),
                    ("Monthly load", ("fleet", "monthly_load_factor"), "months", None),
                ]
            ),
        )
        self._add(
            "Cooling and facility",
            self._form(
                [
                    (
                        "Cooling technology",
                        ("cooling", "technology"),
                        "choice",
                        ["auto", *COOLING_TECHNOLOGIES],
                    ),
                    (
                        "Design preset",
                        ("cooling", "preset"),
                        "choice",
                        ["hyperscale", "legacy-enterprise"],
                    ),
                    (
                        "No evaporative above stress",
                        ("cooling", "allow_water_cooling_above_stress"),
                        "float",
                        (0, 5, 0.1),
                    ),
                    ("Redundancy tier", ("facility", "tier"), "choice", ["I", "II", "III", "IV"]),
                    (
                        "Build lead time (months)",
                        ("facility", "build_lead_months"),
                        "int",
                        (0, 120, 1),
                    ),
                ]
            ),
        )
        self._add(
            "Energy and PPA",
            self._form(
                [
                    ("Tariff", ("energy", "tariff"), "choice", ["flat", "time-of-use"]),
                    (
                        "Price escalation (%/yr)",
                        ("energy", "price_escalation_per_year"),
                        "percent",
                        (-20, 50, 0.5),
                    ),
                    (
                        "Demand charge (USD/kW-month)",
                        ("energy", "demand_charge_usd_per_kw_month"),
                        "float",
                        (0, 1000, 1),
                    ),
                    ("Hourly price file", ("energy", "price_file"), "file", HOURLY_FILTER),
                    ("Hourly carbon file", ("energy", "carbon_file"), "file", HOURLY_FILTER),
                    ("PPA share (%)", ("energy", "ppa_share"), "percent", (0, 100, 5)),
                    ("PPA type", ("energy", "ppa_type"), "choice", ["virtual", "physical"]),
                    (
                        "PPA strike (USD/MWh)",
                        ("energy", "ppa_strike_usd_per_mwh"),
                        "optional-float",
                        (0, 10_000, 1, "region's"),
                    ),
                    ("PPA carbon-free", ("energy", "ppa_carbon_free"), "bool", None),
                    (
                        "24/7 carbon-free target (%)",
                        ("energy", "cfe_target"),
                        "optional-percent",
                        (0, 100, 5, "off"),
                    ),
                    ("Hourly carbon-free file", ("energy", "cfe_file"), "file", HOURLY_FILTER),
                    (
                        "Solar PPA (USD/MWh)",
                        ("energy", "solar_ppa_usd_per_mwh"),
                        "optional-float",
                        (0, 10_000, 1, "default"),
                    ),
                    (
                        "Wind PPA (USD/MWh)",
                        ("energy", "wind_ppa_usd_per_mwh"),
                        "optional-float",
                        (0, 10_000, 1, "default"),
                    ),
                    (
                        "Battery (USD/kWh)",
                        ("energy", "battery_usd_per_kwh"),
                        "optional-float",
                        (0, 10_000, 5, "default"),
                    ),
                ]
            ),
        )
        self._add(
            "Finance and prices",
            self._form(
                [
                    (
                        "Carbon price (USD/t)",
                        ("objective", "carbon_price_usd_per_t"),
                        "float",
                        (0, 10_000, 5),
                    ),
                    (
                        "Water price (USD/m³ stress-weighted)",
                        ("objective", "water_price_usd_per_m3"),
                        "float",
                        (0, 1000, 0.5),
                    ),
                    (
                        "Risk price (USD/MW-year)",
                        ("objective", "risk_price_usd_per_mw_year"),
                        "float",
                        (0, 10_000_000, 1000),
                    ),
                    (
                        "Cost metric (ranking)",
                        ("objective", "cost_metric"),
                        "choice",
                        ["usd_per_gpu_hour", "tco"],
                    ),
                    (
                        "Cloud rent (USD/GPU-h)",
                        ("energy", "cloud_gpu_hour_usd"),
                        "optional-float",
                        (0, 1000, 0.1, "each GPU's"),
                    ),
                    (
                        "Buy GPUs",
                        ("fleet", "buy_gpus_when"),
                        "choice",
                        ["power_ready", "phase_start"],
                    ),
                ]
            ),
        )
        self._add("Candidate sites", self._sites_box())
        self._add("Demand centres", self._demand_box())
        self._add(
            "Constraints",
            self._form(
                [
                    ("Minimum sites", ("constraints", "min_sites"), "int", (1, 10_000, 1)),
                    ("Maximum sites", ("constraints", "max_sites"), "int", (1, 10_000, 1)),
                    (
                        "Max share per site (%)",
                        ("constraints", "max_share_per_site"),
                        "percent",
                        (1, 100, 5),
                    ),
                    (
                        "Min grid regions",
                        ("constraints", "min_grid_regions"),
                        "int",
                        (1, 10_000, 1),
                    ),
                    (
                        "Allowed countries",
                        ("constraints", "allowed_countries"),
                        "codes",
                        "any country (data residency: e.g. DE, FR, SE)",
                    ),
                    (
                        "Max water stress (0–5)",
                        ("constraints", "max_water_stress"),
                        "float",
                        (0, 5, 0.1),
                    ),
                    (
                        "Max time to power (months)",
                        ("constraints", "max_time_to_power_months"),
                        "optional-int",
                        (0, 1200, 1),
                    ),
                ]
            ),
        )
        self._add("Latency rules", self._latency_box())
        self._add("Analysis", self._analysis_box())
        column.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(370)

    def _add(self, title: str, content: QWidget, *, opened: bool = False) -> Section:
        section = Section(title, content, opened=opened)
        self._column.addWidget(section)
        self.sections[title.split(" (")[0]] = section
        return section

    def set_choices(self, gpu_models: list[str], demand_names: list[str]) -> None:
        """GPU models and demand centre names from the catalog (known once it has loaded)."""
        self._gpu_models = list(gpu_models)
        self._demand_names = list(demand_names)
        self.refresh(("fleet", "phases"))
        self.refresh(("demand",))
        self.refresh(("constraints", "latency"))

    # --- document --------------------------------------------------------------------------

    def set_document(self, doc: ScenarioDocument) -> None:
        if self._doc is not None:
            self._doc.changed.disconnect(self._on_changed)
        self._doc = doc
        doc.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, path: tuple) -> None:
        self.refresh(path)

    def refresh(self, changed: FieldPath = ()) -> None:
        """Show the document's values; only the widgets under ``changed`` (all if empty)."""
        if self._doc is None:
            return
        self._refreshing = True
        try:
            for path, refresh in self._refreshers:
                n = min(len(path), len(changed))
                if path[:n] == tuple(changed)[:n]:
                    refresh()
        finally:
            self._refreshing = False

    def _edit(self, path: FieldPath, value: Any, text: str, merge_key: Any = None) -> None:
        if self._refreshing or self._doc is None:
            return
        try:
            self._doc.edit(path, value, text, merge_key=merge_key)
        except InputError as exc:
            self.refresh()  # put the widget back to the document's value
            self._on_error(str(exc))

    # --- sections --------------------------------------------------------------------------

    def _weights_box(self) -> QWidget:
        box = QWidget()
        grid = QFormLayout(box)
        grid.setContentsMargins(4, 2, 4, 2)
        for name in CRITERIA:
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, 100)
            slider.setObjectName(f"weight_{name}")
            slider.setToolTip(
                f"Weight of {CRITERION_LABELS[name].lower()} in the score: 0–1 here; a larger "
                "weight typed in the scenario file shows the slider at its end"
            )
            label = QLabel("0.00")
            label.setMinimumWidth(34)
            row = QHBoxLayout()
            row.addWidget(slider, 1)
            row.addWidget(label)
            grid.addRow(CRITERION_LABELS[name], row)
            path = ("objective", "weights", name)
            drag = {"key": None}

            def pressed(drag: dict = drag) -> None:
                drag["key"] = next(_DRAG_IDS)

            def released(drag: dict = drag) -> None:
                drag["key"] = None

            def moved(
                value: int, path: FieldPath = path, drag: dict = drag, label: QLabel = label
            ) -> None:
                label.setText(f"{value / 100:.2f}")
                key = drag["key"] if drag["key"] is not None else next(_DRAG_IDS)
                self._edit(
                    path, value / 100.0, f"Weight {path[-1]} = {value / 100:.2f}", merge_key=key
                )

            slider.sliderPressed.connect(pressed)
            slider.sliderReleased.connect(released)
            slider.valueChanged.connect(moved)
            self.weight_sliders[name] = slider
            self._weight_labels[name] = label

            def refresh(
                path: FieldPath = path, slider: QSlider = slider, label: QLabel = label
            ) -> None:
                value = float(self._doc.value(path)) if self._doc else 0.0
                slider.blockSignals(True)
                slider.setValue(slider_position(value))
                slider.blockSignals(False)
                label.setText(f"{value:.3g}")

            self._refreshers.append((path, refresh))
        return box

    def _phases_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 2, 4, 2)
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(["GPU model", "GPUs", "Start month"])
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        self.phases_table = table
        layout.addWidget(table)
        buttons = QHBoxLayout()
        add = QPushButton("Add phase")
        remove = QPushButton("Remove phase")
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        self.total_label = QLabel()
        buttons.addWidget(self.total_label)
        layout.addLayout(buttons)

        def phases() -> list[dict[str, Any]]:
            return [dict(p) for p in self._doc.value(("fleet", "phases"))] if self._doc else []

        def set_phase(row: int, key: str, value: Any) -> None:
            new = phases()
            if row < len(new) and new[row].get(key) != value:
                new[row][key] = value
                self._edit(("fleet", "phases"), new, f"Phase {row + 1} {key}")

        def add_phase() -> None:
            new = phases()
            last = (
                new[-1]
                if new
                else {"gpu": (self._gpu_models or ["H100-SXM"])[0], "count": 1024, "start_month": 0}
            )
            new.append(
                {
                    "gpu": last["gpu"],
                    "count": last["count"],
                    "start_month": int(last.get("start_month", 0)) + 6,
                }
            )
            self._edit(("fleet", "phases"), new, "Add phase")

        def remove_phase() -> None:
            new = phases()
            row = table.currentRow() if table.currentRow() >= 0 else len(new) - 1
            if len(new) <= 1:
                self._on_error("A fleet needs at least one phase.")
                return
            del new[row]
            self._edit(("fleet", "phases"), new, "Remove phase")

        add.clicked.connect(add_phase)
        remove.clicked.connect(remove_phase)

        def refresh() -> None:
            rows = phases()
            table.setRowCount(len(rows))
            for r, phase in enumerate(rows):
                combo = QComboBox()
                models = list(self._gpu_models)
                if phase["gpu"] not in models:
                    models.append(phase["gpu"])
                combo.addItems(models)
                combo.setCurrentText(phase["gpu"])
                combo.currentTextChanged.connect(lambda text, r=r: set_phase(r, "gpu", text))
                table.setCellWidget(r, 0, combo)
                count = _spin(1, 10_000_000, 512)
                count.setValue(_int32(phase["count"]))
                count.valueChanged.connect(lambda v, r=r: set_phase(r, "count", int(v)))
                table.setCellWidget(r, 1, count)
                start = _spin(0, 360, 1)
                start.setValue(_int32(phase.get("start_month", 0)))
                start.valueChanged.connect(lambda v, r=r: set_phase(r, "start_month", int(v)))
                table.setCellWidget(r, 2, start)
            _fit_height(table, rows_min=1)
            self.total_label.setText(f"{sum(int(p['count']) for p in rows):,} GPUs")

        self._refreshers.append((("fleet", "phases"), refresh))
        return box

    def _form(self, fields: list[tuple[str, FieldPath, str, Any]]) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(4, 2, 4, 2)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, path, kind, spec in fields:
            widget = self._field_widget(path, kind, spec, label)
            widget.setObjectName(".".join(str(p) for p in path))
            form.addRow(label, widget)
        return box

    def _sites_box(self) -> QWidget:
        box = self._form(
            [
                ("Site file", ("sites", "catalog"), "site-file", SITES_FILTER),
                (
                    "Only countries",
                    ("sites", "include_countries"),
                    "codes",
                    "all countries (e.g. SE, NO, FI)",
                ),
                ("Leave out countries", ("sites", "exclude_countries"), "codes", "none"),
                ("Only regions", ("sites", "include_regions"), "codes", "all regions"),
                ("Regions file", ("sites", "regions_file"), "file", TABLE_FILTER),
                (
                    "Exclusion zones file",
                    ("sites", "exclusion_zones_file"),
                    "file",
                    "GIS files (*.geojson *.json *.gpkg *.shp);;All files (*)",
                ),
            ]
        )
        form = box.layout()
        table = QTableWidget(0, 3)
        table.setObjectName("sites.weather_files")
        table.setHorizontalHeaderLabels(["Site", "Weather file", ""])
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.weather_table = table
        note = QLabel("Weather files in use (add one with File > Import weather file for site).")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(table)

        def remove(site: str) -> None:
            files = dict(_get(self._doc, ("sites", "weather_files")) or {})
            files.pop(site, None)
            self._edit(("sites", "weather_files"), files, f"Remove the weather file of {site}")

        def refresh() -> None:
            files = dict(_get(self._doc, ("sites", "weather_files")) or {})
            table.setRowCount(len(files))
            for r, (site, path) in enumerate(sorted(files.items())):
                table.setItem(r, 0, QTableWidgetItem(site))
                item = QTableWidgetItem(Path(str(path)).name)
                item.setToolTip(plain_tooltip(path))
                table.setItem(r, 1, item)
                button = QPushButton("Remove")
                button.clicked.connect(lambda _=False, s=site: remove(s))
                table.setCellWidget(r, 2, button)
            _fit_height(table, rows_min=1)
            table.setVisible(bool(files))
            note.setText(
                "Weather files in use:"
                if files
                else "No weather file: every site uses its climate normals (File > Import "
                "weather file for site adds one)."
            )

        self._refreshers.append((("sites", "weather_files"), refresh))
        return box

    def _demand_box(self) -> QWidget:
        return self._rows_box(
            ("demand",),
            [("name", "Demand centre", "name"), ("weight", "Weight", (0.0, 1e6, 0.5))],
            lambda rows: {"name": (self._demand_names or ["Frankfurt"])[0], "weight": 1.0},
            "Where the users are: latency is weighted by these (names from the catalog).",
            "demand centre",
        )

    def _latency_box(self) -> QWidget:
        return self._rows_box(
            ("constraints", "latency"),
            [
                ("demand_center", "Demand centre", "name"),
                ("max_rtt_ms", "Max RTT (ms)", (0.1, 1000.0, 5.0)),
                ("min_share", "Min share (%)", (1.0, 100.0, 5.0, 100.0)),
            ],
            lambda rows: {
                "demand_center": (self._demand_names or ["Frankfurt"])[0],
                "max_rtt_ms": 30.0,
                "min_share": 0.5,
            },
            "At least the share of the fleet sits within the round-trip time of the centre.",
            "latency rule",
        )

    def _rows_box(
        self,
        path: FieldPath,
        columns: list[tuple[str, str, Any]],
        new_row: Callable[[list[dict[str, Any]]], dict[str, Any]],
        note: str,
        what: str,
    ) -> QWidget:
        """A table editing a list of small records (demand centres, latency rules).

        ``columns``: (key, header, kind) with kind "name" (an editable combo of the catalog's
        demand centres) or ``(low, high, step[, factor])`` for a number (shown x factor).
        """
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 2, 4, 2)
        hint = QLabel(note)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        table = QTableWidget(0, len(columns))
        table.setObjectName(".".join(map(str, path)))
        table.setHorizontalHeaderLabels([c[1] for c in columns])
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        layout.addWidget(table)
        buttons = QHBoxLayout()
        add = QPushButton(f"Add {what}")
        remove = QPushButton("Remove")
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        def rows() -> list[dict[str, Any]]:
            return [dict(r) for r in (_get(self._doc, path) or [])]

        def set_cell(row: int, key: str, value: Any) -> None:
            new = rows()
            if row < len(new) and new[row].get(key) != value:
                new[row][key] = value
                self._edit(path, new, f"Change {what} {row + 1}: {key}")

        def add_row() -> None:
            new = rows()
            new.append(new_row(new))
            self._edit(path, new, f"Add {what}")

        def remove_row() -> None:
            new = rows()
            if not new:
                return
            row = table.currentRow() if 0 <= table.currentRow() < len(new) else len(new) - 1
            del new[row]
            self._edit(path, new, f"Remove {what}")

        add.clicked.connect(add_row)
        remove.clicked.connect(remove_row)

        def refresh() -> None:
            records = rows()
            table.setRowCount(len(records))
            for r, record in enumerate(records):
                for c, (key, _, kind) in enumerate(columns):
                    value = record.get(key)
                    if kind == "name":
                        combo = QComboBox()
                        combo.setEditable(True)
                        names = list(self._demand_names)
                        if value not in names:
                            names.append(str(value))
                        combo.addItems(names)
                        combo.setCurrentText(str(value))
                        combo.lineEdit().editingFinished.connect(
                            lambda r=r, k=key, b=combo: set_cell(r, k, b.currentText().strip())
                        )
                        combo.activated.connect(
                            lambda _i, r=r, k=key, b=combo: set_cell(r, k, b.currentText())
                        )
                        table.setCellWidget(r, c, combo)
                    else:
                        low, high, step, *factor = kind
                        f = factor[0] if factor else 1.0
                        spin = QDoubleSpinBox()
                        spin.setRange(low, high)
                        spin.setSingleStep(step)
                        spin.setDecimals(1)
                        spin.setKeyboardTracking(False)
                        spin.setValue(float(value or 0.0) * f)
                        spin.valueChanged.connect(
                            lambda v, r=r, k=key, f=f: set_cell(r, k, round(v / f, 6))
                        )
                        table.setCellWidget(r, c, spin)
            _fit_height(table, rows_min=1)

        self._refreshers.append((path, refresh))
        return box

    def _analysis_box(self) -> QWidget:
        unc = ("analysis", "uncertainty")
        return self._form(
            [
                ("Pareto points", ("analysis", "pareto_points"), "int", (0, 200, 1)),
                ("Tornado (sensitivity)", ("analysis", "sensitivity"), "bool", None),
                ("Monte Carlo draws", (*unc, "draws"), "int", (0, 50_000, 500)),
                ("Seed", (*unc, "seed"), "int", (0, 2**31 - 1, 1)),
                ("Top k (rank frequency)", (*unc, "top_k"), "int", (1, 1000, 1)),
                ("Electricity price σ (%)", (*unc, "price_sigma"), "percent", (0, 200, 1)),
                ("Grid carbon σ (%)", (*unc, "carbon_sigma"), "percent", (0, 200, 1)),
                ("PUE σ (%)", (*unc, "pue_sigma"), "percent", (0, 200, 0.5)),
                ("Fleet growth σ (%)", (*unc, "growth_sigma"), "percent", (0, 200, 1)),
                ("GPU capital σ (%)", (*unc, "gpu_capital_sigma"), "percent", (0, 200, 1)),
                (
                    "Capital per MW σ (%)",
                    (*unc, "capital_per_mw_sigma"),
                    "percent",
                    (0, 200, 1),
                ),
                ("GPU rent σ (%)", (*unc, "rent_sigma"), "percent", (0, 200, 1)),
                (
                    "Carbon price σ (USD/t)",
                    (*unc, "carbon_price_sigma_usd_per_t"),
                    "float",
                    (0, 1000, 5),
                ),
                (
                    "Time to power σ (months)",
                    (*unc, "time_to_power_sigma_months"),
                    "float",
                    (0, 120, 1),
                ),
                ("Utilization σ (points %)", (*unc, "utilization_sigma"), "percent", (0, 50, 1)),
                (
                    "Discount rate σ (points %)",
                    (*unc, "discount_rate_sigma"),
                    "percent",
                    (0, 20, 0.1),
                ),
            ]
        )

    def _field_widget(self, path: FieldPath, kind: str, spec: Any, label: str) -> QWidget:
        text = f"Change {label.split(' (')[0].lower()}"
        if kind == "text":
            edit = QLineEdit()
            edit.editingFinished.connect(lambda: self._edit(path, edit.text().strip(), text))

            def refresh_text() -> None:
                edit.setText(str(self._doc.value(path)))
                edit.setCursorPosition(0)  # show the start of a long name

            self._refreshers.append((path, refresh_text))
            return edit
        if kind == "bool":
            return self._bool_widget(path, text)
        if kind == "codes":
            return self._codes_widget(path, text, spec)
        if kind in ("file", "site-file"):
            return self._file_widget(path, text, spec, label, site_file=kind == "site-file")
        if kind == "months":
            return self._months_widget(path)
        if kind == "choice":
            combo = QComboBox()
            combo.addItems(spec)
            combo.currentTextChanged.connect(lambda value: self._edit(path, value, text))

            def refresh_choice() -> None:
                combo.blockSignals(True)
                combo.setCurrentText(str(self._doc.value(path)))
                combo.blockSignals(False)

            self._refreshers.append((path, refresh_choice))
            return combo
        low, high, step, *special = spec
        if kind in ("int", "optional-int"):
            spin: QAbstractSpinBox = _spin(low - (1 if kind == "optional-int" else 0), high, step)
            spin.setGroupSeparatorShown(high >= 10_000)  # 4,096 GPUs but not "2,026" as a year
            if kind == "optional-int":
                spin.setSpecialValueText(special[0] if special else "no limit")

            def commit_int(value: int) -> None:
                self._edit(
                    path, None if kind == "optional-int" and value < low else int(value), text
                )

            spin.valueChanged.connect(commit_int)

            def refresh_int() -> None:
                value = _get(self._doc, path)
                spin.blockSignals(True)
                spin.setValue(low - 1 if value is None else _int32(value))
                spin.blockSignals(False)

            self._refreshers.append((path, refresh_int))
            return spin
        factor = 100.0 if kind in ("percent", "optional-percent") else 1.0
        # One step below the range means "not set" (None).
        optional = kind in ("optional-float", "optional-percent")
        dspin = QDoubleSpinBox()
        dspin.setRange(low - (step if optional else 0), high)
        dspin.setSingleStep(step)
        dspin.setDecimals(2)
        dspin.setKeyboardTracking(False)
        if optional:
            dspin.setSpecialValueText(special[0] if special else "not set")

        def commit_float(value: float) -> None:
            unset = optional and value < low
            self._edit(path, None if unset else round(value / factor, 6), text)

        dspin.valueChanged.connect(commit_float)

        def refresh_float() -> None:
            value = _get(self._doc, path)
            dspin.blockSignals(True)
            dspin.setValue(dspin.minimum() if value is None else float(value) * factor)
            dspin.blockSignals(False)

        self._refreshers.append((path, refresh_float))
        return dspin

    def _bool_widget(self, path: FieldPath, text: str) -> QWidget:
        box = QCheckBox()
        box.toggled.connect(lambda on: self._edit(path, bool(on), text))

        def refresh() -> None:
            box.blockSignals(True)
            box.setChecked(bool(_get(self._doc, path)))
            box.blockSignals(False)

        self._refreshers.append((path, refresh))
        return box

    def _codes_widget(self, path: FieldPath, text: str, empty: str) -> QWidget:
        """A list of codes typed as "SE, NO, FI" (checked by the scenario schema)."""
        edit = QLineEdit()
        edit.setPlaceholderText(empty)
        edit.setClearButtonEnabled(True)
        edit.setToolTip("Codes separated by commas or spaces; empty means " + empty)

        def commit() -> None:
            codes = [c.strip() for c in edit.text().replace(";", ",").split(",")]
            codes = [part for c in codes for part in c.split() if part]
            self._edit(path, codes, text)

        edit.editingFinished.connect(commit)

        def refresh() -> None:
            edit.setText(", ".join(_get(self._doc, path) or []))

        self._refreshers.append((path, refresh))
        return edit

    def _file_widget(
        self, path: FieldPath, text: str, file_filter: str, label: str, *, site_file: bool
    ) -> QWidget:
        """The file in use (its name; the full path on hover), Browse… and Clear."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        shown = QLineEdit()
        shown.setReadOnly(True)
        shown.setObjectName(".".join(map(str, path)) + ".shown")
        row.addWidget(shown, 1)
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip(f"Choose the {label.lower()}")
        row.addWidget(browse)
        clear = QToolButton()
        clear.setText("×")
        clear.setToolTip(
            "Back to the default catalog's sites" if site_file else "No file (use the defaults)"
        )
        row.addWidget(clear)
        unset = "default" if site_file else None

        def choose() -> None:
            if self._choose_file is None:
                return
            chosen = self._choose_file(label, file_filter)
            if chosen is not None:
                self._edit(path, str(Path(chosen).resolve()), f"Use {Path(chosen).name}")

        browse.clicked.connect(choose)
        clear.clicked.connect(lambda: self._edit(path, unset, text))

        def refresh() -> None:
            value = _get(self._doc, path)
            if value is None or value == "default":
                shown.setText("the default catalog's sites" if site_file else "none")
                shown.setToolTip("")
                clear.setEnabled(False)
            else:
                shown.setText(Path(str(value)).name)
                shown.setToolTip(plain_tooltip(value))
                clear.setEnabled(True)
            shown.setCursorPosition(0)

        self._refreshers.append((path, refresh))
        return box

    def _months_widget(self, path: FieldPath) -> QWidget:
        """Seasonal load: off (every month 1), or twelve factors 0-1, January first."""
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(1)
        seasonal = QCheckBox("Seasonal")
        seasonal.setObjectName(".".join(map(str, path)) + ".on")
        grid.addWidget(seasonal, 0, 0, 1, 6)
        spins: list[QDoubleSpinBox] = []
        for m, name in enumerate(MONTHS):
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 1.0)
            spin.setSingleStep(0.05)
            spin.setDecimals(2)
            spin.setKeyboardTracking(False)
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setToolTip(f"{name}: share of the fleet at work (0–1)")
            spin.setObjectName(f"{'.'.join(map(str, path))}.{m}")
            grid.addWidget(spin, 1 + m // 6, m % 6)
            spins.append(spin)

        def commit(*_: Any) -> None:
            if seasonal.isChecked():
                self._edit(path, [round(sp.value(), 4) for sp in spins], "Change the monthly load")
            else:
                self._edit(path, None, "No seasonal load")

        seasonal.toggled.connect(commit)
        for spin in spins:
            spin.valueChanged.connect(commit)

        def refresh() -> None:
            values = _get(self._doc, path)
            seasonal.blockSignals(True)
            seasonal.setChecked(values is not None)
            seasonal.blockSignals(False)
            for spin, value in zip(spins, values or [1.0] * 12, strict=True):
                spin.blockSignals(True)
                spin.setValue(float(value))
                spin.setEnabled(values is not None)
                spin.blockSignals(False)

        self._refreshers.append((path, refresh))
        return box


class Section(QWidget):
    """A titled part of the editor that folds away (click its title)."""

    def __init__(self, title: str, content: QWidget, *, opened: bool = False) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.button = QToolButton()
        self.button.setText(title)
        self.button.setCheckable(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button.setStyleSheet(
            "QToolButton { border: none; font-weight: 600; text-align: left; padding: 2px; }"
        )
        self.button.toggled.connect(self.set_open)
        layout.addWidget(self.button)
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(2, 2, 2, 2)
        inner.addWidget(content)
        self.content = frame
        layout.addWidget(frame)
        self.button.setChecked(opened)
        self.set_open(opened)

    def set_open(self, opened: bool) -> None:
        self.button.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        self.content.setVisible(opened)

    @property
    def opened(self) -> bool:
        return self.button.isChecked()


def _fit_height(table: QTableWidget, rows_min: int = 0) -> None:
    """A small editing table exactly as tall as its rows (the dock scrolls, not the table)."""
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    rows = max(rows, rows_min * table.verticalHeader().defaultSectionSize())
    table.setFixedHeight(table.horizontalHeader().height() + rows + 2 * table.frameWidth() + 2)


def _get(doc: ScenarioDocument | None, path: FieldPath) -> Any:
    try:
        return doc.value(path) if doc else None
    except KeyError:  # optional fields are dropped from the dict when None
        return None


def _spin(low: int, high: int, step: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)
    spin.setGroupSeparatorShown(True)
    return spin


def slider_position(weight: float) -> int:
    """Position 0-100 of a weight's slider. Weights may have any scale (the score divides by
    their sum), so weights above 1 pin the slider at its end instead of overflowing Qt's int."""
    if not math.isfinite(weight):
        return 0
    return round(min(max(weight, 0.0), 1.0) * 100)


def _int32(value: object) -> int:
    """An int a spin box can hold: Qt's are 32-bit and a larger value would raise in the slot
    (the box clamps to its own range anyway; the scenario's validation bounds the real value)."""
    return max(-(2**31), min(int(value), 2**31 - 1))
