"""Scenario editor dock: every field is bound to a path in the scenario and edits go through
the document's undo stack (:class:`planner.gui.document.ScenarioDocument`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from planner.errors import InputError
from planner.gui.columns import CRITERIA, CRITERION_LABELS
from planner.gui.document import FieldPath, ScenarioDocument
from planner.scenario import COOLING_TECHNOLOGIES

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
        self, gpu_models: list[str], on_error: Callable[[str], None], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._gpu_models = list(gpu_models)
        self._on_error = on_error
        self._doc: ScenarioDocument | None = None
        self._refreshers: list[tuple[FieldPath, Callable[[], None]]] = []
        self._refreshing = False
        self.weight_sliders: dict[str, QSlider] = {}
        self._weight_labels: dict[str, QLabel] = {}

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(8)
        column.addWidget(self._weights_box())
        column.addWidget(self._phases_box())
        column.addWidget(
            self._form_box(
                "Scenario",
                [
                    ("Name", ("scenario", "name"), "text", None),
                    ("Horizon (years)", ("scenario", "horizon_years"), "int", (1, 30, 1)),
                    ("Discount rate (%)", ("scenario", "discount_rate"), "percent", (0, 50, 0.5)),
                    ("Start year", ("scenario", "start_year"), "int", (2000, 2100, 1)),
                ],
            )
        )
        column.addWidget(
            self._form_box(
                "Workload",
                [
                    ("Workload", ("fleet", "workload"), "choice", ["training", "inference"]),
                    ("Utilization (%)", ("fleet", "utilization"), "percent", (0, 100, 1)),
                    (
                        "Network overhead (%)",
                        ("fleet", "network_overhead_fraction"),
                        "percent",
                        (0, 50, 1),
                    ),
                    ("Block size (GPUs)", ("fleet", "block_gpus"), "int", (1, 100_000, 128)),
                ],
            )
        )
        column.addWidget(
            self._form_box(
                "Cooling and facility",
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
                ],
            )
        )
        column.addWidget(
            self._form_box(
                "Finance and energy",
                [
                    (
                        "Carbon price (USD/t)",
                        ("objective", "carbon_price_usd_per_t"),
                        "float",
                        (0, 1000, 5),
                    ),
                    (
                        "Cost metric",
                        ("objective", "cost_metric"),
                        "choice",
                        ["usd_per_gpu_hour", "tco"],
                    ),
                    ("Tariff", ("energy", "tariff"), "choice", ["flat", "time-of-use"]),
                    (
                        "Price escalation (%/yr)",
                        ("energy", "price_escalation_per_year"),
                        "percent",
                        (-20, 50, 0.5),
                    ),
                    ("PPA share (%)", ("energy", "ppa_share"), "percent", (0, 100, 5)),
                    ("PPA type", ("energy", "ppa_type"), "choice", ["virtual", "physical"]),
                    (
                        "PPA strike (USD/MWh)",
                        ("energy", "ppa_strike_usd_per_mwh"),
                        "optional-float",
                        (0, 1000, 1, "region's"),
                    ),
                    (
                        "Cloud rent (USD/GPU-h)",
                        ("energy", "cloud_gpu_hour_usd"),
                        "optional-float",
                        (0, 100, 0.1, "each GPU's"),
                    ),
                    (
                        "Buy GPUs",
                        ("fleet", "buy_gpus_when"),
                        "choice",
                        ["power_ready", "phase_start"],
                    ),
                ],
            )
        )
        column.addWidget(
            self._form_box(
                "Constraints",
                [
                    ("Minimum sites", ("constraints", "min_sites"), "int", (1, 50, 1)),
                    ("Maximum sites", ("constraints", "max_sites"), "int", (1, 50, 1)),
                    (
                        "Max share per site (%)",
                        ("constraints", "max_share_per_site"),
                        "percent",
                        (0, 100, 5),
                    ),
                    ("Min grid regions", ("constraints", "min_grid_regions"), "int", (1, 20, 1)),
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
                        (0, 240, 1),
                    ),
                ],
            )
        )
        column.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(370)

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

    def _weights_box(self) -> QGroupBox:
        box = QGroupBox("Criterion weights (re-rank live)")
        grid = QFormLayout(box)
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

    def _phases_box(self) -> QGroupBox:
        box = QGroupBox("Fleet phases")
        layout = QVBoxLayout(box)
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(["GPU model", "GPUs", "Start month"])
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setMinimumHeight(120)
        table.setMaximumHeight(170)
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
            table.resizeRowsToContents()
            self.total_label.setText(f"{sum(int(p['count']) for p in rows):,} GPUs")

        self._refreshers.append((("fleet", "phases"), refresh))
        return box

    def _form_box(self, title: str, fields: list[tuple[str, FieldPath, str, Any]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, path, kind, spec in fields:
            widget = self._field_widget(path, kind, spec, label)
            widget.setObjectName(".".join(str(p) for p in path))
            form.addRow(label, widget)
        return box

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
                spin.setSpecialValueText("no limit")

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
        factor = 100.0 if kind == "percent" else 1.0
        optional = kind == "optional-float"  # one step below the range means "not set" (None)
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
