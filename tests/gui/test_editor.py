"""The scenario editor covers every field of the scenario, and its list and file widgets edit
the document through the undo stack."""

from __future__ import annotations

import typing

import pytest

from planner.scenario import Scenario

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]


def leaf_paths(model: type, prefix: tuple = ()) -> list[tuple]:
    """Every field of the scenario schema, down to a value (a list or table is one field)."""
    out = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        inner = [a for a in typing.get_args(annotation) if hasattr(a, "model_fields")]
        if hasattr(annotation, "model_fields"):
            out += leaf_paths(annotation, (*prefix, name))
        elif inner and typing.get_origin(annotation) is not list:
            out += leaf_paths(inner[0], (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_every_scenario_field_has_an_editor(window):
    covered = [path for path, _ in window.editor._refreshers]
    missing = [
        ".".join(path)
        for path in leaf_paths(Scenario)
        if not any(path[: len(c)] == tuple(c) for c in covered)
    ]
    assert missing == []
    # Every section of the scenario file has its part of the editor.
    titles = set(window.editor.sections)
    for title in (
        "Criterion weights",
        "Fleet phases",
        "Scenario",
        "Workload",
        "Cooling and facility",
        "Energy and PPA",
        "Finance and prices",
        "Candidate sites",
        "Demand centres",
        "Constraints",
        "Latency rules",
        "Analysis",
    ):
        assert title in titles


def test_codes_lists_tables_and_files_edit_the_document(window, dialogs, tmp_path):
    from PySide6.QtWidgets import (
        QCheckBox,
        QDoubleSpinBox,
        QLineEdit,
        QPushButton,
        QTableWidget,
        QToolButton,
        QWidget,
    )

    editor, doc = window.editor, window.doc
    allowed = editor.findChild(QLineEdit, "constraints.allowed_countries")
    allowed.setText("de, fr se")
    allowed.editingFinished.emit()
    assert doc.scenario.constraints.allowed_countries == ["DE", "FR", "SE"]
    allowed.setText("Germany")  # not a two-letter code: one sentence, nothing changes
    allowed.editingFinished.emit()
    assert dialogs.errors and "Germany" in dialogs.errors[-1]
    assert doc.scenario.constraints.allowed_countries == ["DE", "FR", "SE"]
    assert allowed.text() == "DE, FR, SE"

    # A latency rule added, then its RTT changed in the table, undoable step by step.
    rules = editor.findChild(QTableWidget, "constraints.latency")
    before = len(doc.scenario.constraints.latency)
    box = rules.parentWidget()
    add = next(b for b in box.findChildren(QPushButton) if b.text() == "Add latency rule")
    add.click()
    assert len(doc.scenario.constraints.latency) == before + 1
    assert rules.rowCount() == before + 1
    rules.cellWidget(before, 1).setValue(25.0)
    assert doc.scenario.constraints.latency[-1].max_rtt_ms == 25.0
    window.on_undo()
    assert doc.scenario.constraints.latency[-1].max_rtt_ms == 30.0
    window.on_undo()
    assert len(doc.scenario.constraints.latency) == before

    # Seasonal load: twelve factors, or none.
    seasonal = editor.findChild(QCheckBox, "fleet.monthly_load_factor.on")
    seasonal.setChecked(True)
    assert doc.scenario.fleet.monthly_load_factor == [1.0] * 12

    editor.findChild(QDoubleSpinBox, "fleet.monthly_load_factor.6").setValue(0.5)
    assert doc.scenario.fleet.monthly_load_factor[6] == 0.5
    seasonal.setChecked(False)
    assert doc.scenario.fleet.monthly_load_factor is None

    # The site file in use: chosen through the dialog, shown by name, cleared back.
    sites = tmp_path / "my_sites.csv"
    sites.write_text("site_id,lat,lon\na,60,20\n", encoding="utf-8")
    dialogs.answers.append(sites)
    field = editor.findChild(QWidget, "sites.catalog")
    field.findChildren(QToolButton)[0].click()
    assert doc.scenario.sites.catalog == str(sites.resolve())
    shown = editor.findChild(QLineEdit, "sites.catalog.shown")
    assert shown.text() == "my_sites.csv"
    field.findChildren(QToolButton)[1].click()
    assert doc.scenario.sites.catalog == "default"
    assert shown.text() == "the default catalog's sites"
