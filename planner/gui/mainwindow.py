"""The main window: map and ranking, scenario editor dock, detail, compare, Pareto, uncertainty."""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from planner import __version__
from planner.errors import InputError
from planner.gui.actions import ACTIONS, shortcut_text
from planner.gui.columns import MAP_METRICS, TABLE_COLUMNS, format_value
from planner.gui.dialogs import (
    REPORT_FILTER,
    SCENARIO_FILTER,
    SITES_FILTER,
    WEATHER_FILTER,
    Dialogs,
    one_sentence,
)
from planner.gui.document import ScenarioDocument
from planner.gui.engine import DATA_FORMATS, REPORT_FORMATS, Engine
from planner.gui.mapview import MapView
from planner.gui.models import SITE_ID_ROLE, SiteFilterProxy, SiteTableModel
from planner.gui.panels import ComparePanel, ParetoPanel, SiteDetail, UncertaintyPanel
from planner.gui.recommendation import (
    RecommendationPanel,
    recommended_basis,
    recommended_text,
    top_score_basis,
    top_score_text,
)
from planner.gui.sweepview import SweepData, SweepView, read_sweep
from planner.gui.text import make_labels_plain, plain_tooltip
from planner.gui.widgets import Banner, ElidedLabel, MessagesPanel
from planner.gui.worker import Task, Worker
from planner.results import Results
from planner.scenario import scenario_to_dict

log = logging.getLogger(__name__)

ORGANIZATION = "GPU Site Planner"
APPLICATION = "planner"
DESKTOP_ID = "io.github.gpusiteplanner.Planner"  # resources/DESKTOP_ID.desktop
MAX_RECENT = 8
TABS = ("map", "recommendation", "detail", "compare", "pareto", "uncertainty")

#: The core's progress labels in words a user reads in the status bar (others are shown as
#: they come, with a capital letter).
STAGES = {
    "checking the scenario": "Checking the scenario",
    "loading the data catalog": "Loading the data catalog",
    "climate": "Reading each site's climate",
    "cooling": "Modelling cooling hour by hour",
    "energy and emissions": "Pricing energy and emissions",
    "costs": "Adding up costs",
    "latency and risk": "Estimating latency and risk",
    "done": "Sites evaluated",
    "screening sites": "Screening sites against the rules",
    "allocating the fleet": "Allocating the fleet and explaining the recommendation",
    "monte carlo": "Monte Carlo draws",
}


def stage_text(label: str) -> str:
    """A progress label in words: "cooling" -> "Modelling cooling hour by hour"."""
    text = " ".join(str(label).split())
    known = STAGES.get(text.lower())
    if known is not None:
        return known
    return text[:1].upper() + text[1:]


def default_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


class MainWindow(QMainWindow):
    """The planner's window.

    Parameters
    ----------
    engine : Engine
        The core as the window reaches it (tests pass a fake).
    dialogs : Dialogs
        Message boxes and file choosers (tests pass a recorder).
    settings : QSettings
        Where geometry, layout and recent files are kept (tests pass a temporary INI file).
    """

    runFinished = Signal(object)  # Results
    runFailed = Signal(str)
    runCancelled = Signal()
    reranked = Signal(float)  # milliseconds the re-rank took
    candidatesShown = Signal(int)  # the map shows a scenario's candidate sites before a run
    exportFinished = Signal(object)  # list of paths
    analysisFinished = Signal(str)  # "pareto" or "uncertainty", after the tab shows it
    workDone = Signal()  # after any worker task ended and the actions are enabled again

    def __init__(
        self,
        engine: Engine | None = None,
        dialogs: Dialogs | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine or Engine()
        self.dialogs = dialogs or Dialogs()
        self.settings = settings or default_settings()
        self.worker = Worker()  # one thread owns all background work (see worker.py)
        self.results: Results | None = None
        self.ranking: pd.DataFrame | None = None
        self.stale = False
        self.task: Task | None = None
        self.selected: list[str] = []
        self._syncing = False
        self.doc: ScenarioDocument | None = None
        self._preview_task: Task | None = None
        self._choices_set = False
        self.candidates: pd.DataFrame | None = None  # candidate sites shown before a run
        self.actions_by_id: dict[str, QAction] = {}

        self.setObjectName("MainWindow")
        self.resize(1600, 1000)
        self._set_icon()
        self._build_central()
        self._build_sweep()
        self._build_editor()
        self._build_messages()
        self._build_status()
        self._build_actions()
        make_labels_plain(self)
        self._restore_layout()

    # ================================================================== construction

    def _set_icon(self) -> None:
        """The application icon from resources/icons (SVG and PNG sizes); none if absent."""
        try:
            from planner.paths import resources_dir

            folder = resources_dir() / "icons"
        except FileNotFoundError:
            return
        files = (
            sorted(folder.glob("planner*.svg"))
            + sorted(folder.glob("*Planner*.svg"))
            + sorted(folder.glob("*.png"))
        )
        if not files:
            return
        icon = QIcon()
        for file in files:
            icon.addFile(str(file))
        self.setWindowIcon(icon)

    def _build_central(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 2, 0, 0)
        outer.setSpacing(2)
        # The two answers, each on its own basis (see planner/gui/recommendation.py).
        header = QHBoxLayout()
        header.setContentsMargins(6, 0, 6, 0)
        self.header_recommended = ElidedLabel("")
        self.header_recommended.setStyleSheet("font-weight: 600;")
        self.header_top_score = ElidedLabel("")
        self.header_top_score.setStyleSheet("color: #444;")
        header.addWidget(self.header_recommended, 3)
        header.addWidget(self.header_top_score, 2)
        outer.addLayout(header)
        self.banner = Banner("Run now (F5)")
        self.banner.activated.connect(self.on_run)
        outer.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs, 1)
        # --- map and ranking
        page = QWidget()
        splitter = QSplitter(Qt.Orientation.Vertical)
        map_box = QWidget()
        map_layout = QVBoxLayout(map_box)
        map_layout.setContentsMargins(4, 4, 4, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Colour sites by"))
        self.color_by = QComboBox()
        for col in MAP_METRICS:
            self.color_by.addItem(col.header, col.key)
        self.color_by.currentIndexChanged.connect(lambda _: self._recolor())
        bar.addWidget(self.color_by)
        fit = QPushButton("Fit to sites")
        fit.clicked.connect(lambda: self.map.fit_sites())
        bar.addWidget(fit)
        self.summary_label = ElidedLabel("")
        self.summary_label.setStyleSheet("color: #333;")
        bar.addWidget(self.summary_label, 1)
        map_layout.addLayout(bar)
        self.map = MapView()
        self.map.selectionChangedSites.connect(self._on_map_selection)
        map_layout.addWidget(self.map, 1)
        splitter.addWidget(map_box)

        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(4, 0, 4, 4)
        filter_bar = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by site, name, country or region…")
        self.filter_edit.setClearButtonEnabled(True)
        filter_bar.addWidget(self.filter_edit, 1)
        self.feasible_only = QCheckBox("Feasible only")
        filter_bar.addWidget(self.feasible_only)
        table_layout.addLayout(filter_bar)
        self.model = SiteTableModel(TABLE_COLUMNS, self)
        self.proxy = SiteFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.feasible_only.toggled.connect(self.proxy.set_feasible_only)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.table.doubleClicked.connect(lambda _: self.tabs.setCurrentIndex(TABS.index("detail")))
        table_layout.addWidget(self.table, 1)
        self._size_columns()  # headers readable before the first run too
        splitter.addWidget(table_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 360])
        self.map_splitter = splitter
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(splitter)
        self.tabs.addTab(page, "Map and ranking")
        # --- the others
        self.recommendation = RecommendationPanel()
        self.recommendation.runUncertaintyRequested.connect(self._run_uncertainty_from_panel)
        self.tabs.addTab(self.recommendation, "Recommendation")
        self.detail = SiteDetail(self._figure)
        self.compare = ComparePanel(self._figure)
        self.pareto = ParetoPanel(self._figure)
        self.uncertainty = UncertaintyPanel(self._figure)
        self.tabs.addTab(self.detail, "Site detail")
        self.tabs.addTab(self.compare, "Compare")
        self.tabs.addTab(self.pareto, "Pareto")
        self.tabs.addTab(self.uncertainty, "Uncertainty")
        self.setCentralWidget(central)

    def _build_sweep(self) -> None:
        # A tab of its own, added when the first sweep folder opens (see open_sweep).
        self.sweep_view = SweepView()

    def _build_editor(self) -> None:
        from planner.gui.editor import ScenarioEditor

        # The catalog's GPU models and demand centres arrive with the first preview (they
        # need the catalog, which loads on the worker): the window shows without waiting.
        self.editor = ScenarioEditor(
            [],
            self._error,
            choose_file=lambda title, file_filter: self.dialogs.open_file(
                self, f"Choose the {title.lower()}", file_filter
            ),
        )
        dock = QDockWidget("Scenario", self)
        dock.setObjectName("ScenarioDock")
        dock.setWidget(self.editor)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.editor_dock = dock

    def _build_messages(self) -> None:
        self.messages = MessagesPanel()
        dock = QDockWidget("Messages", self)
        dock.setObjectName("MessagesDock")
        dock.setWidget(self.messages)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.tabifyDockWidget(self.editor_dock, dock)
        self.editor_dock.raise_()
        self.messages_dock = dock
        self.messages.changed.connect(
            lambda n: dock.setWindowTitle(f"Messages ({n})" if n else "Messages")
        )

    def _build_status(self) -> None:
        status = self.statusBar()
        self.status_label = ElidedLabel("Ready.")
        status.addWidget(self.status_label, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        status.addPermanentWidget(self.progress)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.on_cancel)
        status.addPermanentWidget(self.cancel_button)

    def _build_actions(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("MainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        menus: dict[str, QMenu] = {}
        for spec in ACTIONS:
            menu = menus.get(spec.menu) or self.menuBar().addMenu(spec.menu)
            menus[spec.menu] = menu
            if spec.separator_before:
                menu.addSeparator()
            if spec.id == "open_recent":
                self.recent_menu = menu.addMenu(spec.text)
                self.recent_menu.aboutToShow.connect(self._fill_recent)
                continue
            action = QAction(spec.text.replace("…", "…"), self)
            action.setObjectName(f"action_{spec.id}")
            if spec.shortcut is not None:
                action.setShortcut(spec.shortcut)
            action.setStatusTip(spec.tip)
            action.setToolTip(
                f"{spec.tip} ({shortcut_text(spec)})" if shortcut_text(spec) else spec.tip
            )
            action.triggered.connect(getattr(self, f"on_{spec.id}"))
            menu.addAction(action)
            if spec.toolbar:
                toolbar.addAction(action)
            self.actions_by_id[spec.id] = action
        self.actions_by_id["cancel"].setEnabled(False)
        self.pareto.set_compute_action(self.actions_by_id["compute_pareto"])
        self.uncertainty.set_run_action(self.actions_by_id["run_uncertainty"])
        self._update_analysis_actions()
        self.addActions(list(self.actions_by_id.values()))

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/map_splitter")
        if splitter is not None:
            self.map_splitter.restoreState(splitter)

    def _save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/map_splitter", self.map_splitter.saveState())
        self.settings.sync()

    # ================================================================== document

    def set_document(self, doc: ScenarioDocument) -> None:
        """Show a scenario; previous results are dropped (they belong to the old scenario), and
        a run or analysis of the old scenario still going is cancelled."""
        if self.task is not None and self.task.for_document:
            self.on_cancel()
        if self.doc is not None:
            self.doc.deleteLater()
        self.doc = doc
        doc.setParent(self)
        doc.changed.connect(self._on_doc_changed)
        doc.undo_stack.cleanChanged.connect(self._update_title)
        doc.pathChanged.connect(self._update_title)
        doc.undo_stack.canUndoChanged.connect(self.actions_by_id["undo"].setEnabled)
        doc.undo_stack.canRedoChanged.connect(self.actions_by_id["redo"].setEnabled)
        self.actions_by_id["undo"].setEnabled(False)
        self.actions_by_id["redo"].setEnabled(False)
        self.editor.set_document(doc)
        self.results = None
        self.ranking = None
        self.stale = True
        self.messages.clear()
        self._show_results()
        self._update_banner()
        self._update_title()
        if doc.path is not None:
            self._add_recent(doc.path)
        self._status(f"Opened {doc.display_name()}. Press Run (F5) to evaluate the sites.")
        self._preview_sites(doc)

    def _preview_sites(self, doc: ScenarioDocument) -> None:
        """Draw the scenario's candidate sites (and the country outlines) before any run.

        Read on the worker thread (the catalog loads the first time), but not as the window's
        current task: a Run pressed meanwhile is queued behind it, not refused.
        """
        if self._preview_task is not None:
            self._preview_task.cancel()
        scenario = doc.scenario.model_copy(deep=True)
        engine = self.engine
        task = Task(lambda progress: engine.preview(scenario), "Reading the sites", parent=self)
        task.signals.finished.connect(lambda found: self._on_preview(found, doc, task))
        task.signals.failed.connect(lambda sentence: self._on_preview_failed(sentence, doc))
        task.signals.done.connect(lambda: self._on_preview_done(task))
        self._preview_task = task
        self.worker.start(task)

    def _on_preview(self, found: Any, doc: ScenarioDocument, task: Task) -> None:
        if doc is not self.doc or task is not self._preview_task:
            return  # another scenario, or a newer preview, is shown
        if not getattr(self, "_basemap_set", False):
            self.map.set_basemap(found["basemap"])
            self._basemap_set = True
        if not self._choices_set:
            self.editor.set_choices(found["gpu_models"], found["demand_centres"])
            self._choices_set = True
        sites, warnings = found["sites"], found["warnings"]
        if found["error"]:
            self._on_preview_failed(found["error"], doc)
            return
        self.messages.set_group("sites", f"Site file {_site_source(doc)}", warnings)
        if self.results is not None:
            return  # a run's results are shown: they are the sites that were evaluated
        self.candidates = sites
        self.map.set_sites(sites, self._tooltips(sites))
        self.map.set_plain_colors()
        self.map.set_allocation({})
        self.map.fit_sites()
        self.summary_label.setText(
            f"{len(sites):,} candidate sites; press Run (F5) to evaluate them."
        )
        self.candidatesShown.emit(len(sites))

    def _on_preview_failed(self, sentence: str, doc: ScenarioDocument) -> None:
        # Not a dialog: the run reports the same problem, with its field, when it is pressed.
        if doc is self.doc:
            self.messages.set_group("sites", "Candidate sites", [sentence])
            self.summary_label.setText("The candidate sites cannot be shown: see Messages.")

    def _on_preview_done(self, task: Task) -> None:
        task.signals.deleteLater()
        if task is self._preview_task:
            self._preview_task = None

    def open_path(self, path: Path) -> bool:
        """Open a scenario file, or a sweep folder (:meth:`open_sweep`); a bad file shows one
        sentence and leaves the window as it was."""
        if Path(path).is_dir():
            return self.open_sweep(Path(path)) is not None
        try:
            doc = ScenarioDocument.open(Path(path))
        except InputError as exc:
            self._error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001
            self._error(one_sentence(exc, f"Cannot open {path}"))
            return False
        self.set_document(doc)
        return True

    def _update_title(self, *_: Any) -> None:
        if self.doc is None:
            self.setWindowTitle("GPU Site Planner")
            return
        self.setWindowTitle(
            f"{self.doc.display_name()}[*] — {self.doc.scenario.name} — GPU Site Planner"
        )
        self.setWindowModified(self.doc.dirty)

    def _on_doc_changed(self, path: tuple) -> None:
        if tuple(path[:2]) == ("objective", "weights") or tuple(path[:2]) == (
            "objective",
            "cost_metric",
        ):
            self.rerank()
            return
        if tuple(path[:1]) == ("sites",) and self.doc is not None:
            self._preview_sites(self.doc)  # the map shows what the next run will evaluate
        if self.results is not None:
            stale = self._inputs_differ(self.results)
            if stale and not self.stale:
                self._status(
                    "Inputs changed: press Run (F5) to evaluate again; "
                    "the results shown are from the last run."
                )
            self.stale = stale
            self._update_banner()

    def _inputs_differ(self, results: Results) -> bool:
        """Whether the document's scenario differs from the one the results answer, leaving
        out the ranking weights and cost metric (a re-rank follows them without a run)."""
        if self.doc is None:
            return True

        def key(scenario: Any) -> dict:
            data = scenario_to_dict(scenario)
            objective = dict(data.get("objective", {}))
            objective.pop("weights", None)
            objective.pop("cost_metric", None)
            data["objective"] = objective
            data.pop("analysis", None)  # the analyses are re-run from their own tabs
            return data

        return key(self.doc.scenario) != key(results.scenario)

    def _update_banner(self) -> None:
        if self.results is not None and self.stale:
            self.banner.show_text(
                "Results out of date: the scenario changed since the last run. "
                "Press Run (F5) to evaluate it again; until then the results shown are the "
                "last run's."
            )
        else:
            self.banner.setVisible(False)

    def maybe_save(self) -> bool:
        """True if it is fine to drop the current document (saved, discarded or clean)."""
        if self.doc is None or not self.doc.dirty:
            return True
        answer = self.dialogs.ask_save(self, self.doc.display_name())
        if answer == "cancel":
            return False
        if answer == "save":
            return self.on_save()
        return True

    # ================================================================== running

    def start_task(
        self,
        fn: Callable[[Callable[[str, float], None]], Any],
        title: str,
        on_done: Callable[[Any], None],
        *,
        for_document: bool = False,
    ) -> Task | None:
        """Run ``fn`` on the worker thread; ``for_document`` work (a run, an analysis) is
        cancelled when another scenario is opened, an export is not."""
        if self.task is not None:
            self._status("Wait for the current work to finish or cancel it first.")
            return None
        task = Task(fn, title, parent=self)
        task.for_document = for_document
        task.signals.progress.connect(self._on_progress)
        task.signals.finished.connect(on_done)
        task.signals.failed.connect(self._on_task_failed)
        task.signals.cancelled.connect(self._on_task_cancelled)
        task.signals.done.connect(self._on_task_done)
        self.task = task
        self.progress.setValue(0)
        self.progress.setFormat(f"{title}… %p%")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.actions_by_id["cancel"].setEnabled(True)
        self.actions_by_id["run"].setEnabled(False)
        self._update_analysis_actions()
        self._status(f"{title} started…")
        self.worker.start(task)
        return task

    def _on_progress(self, label: str, fraction: float) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        self._status(stage_text(label) + "…")

    def _on_task_failed(self, sentence: str) -> None:
        self._status("Stopped: " + sentence)
        self._error(sentence)
        self.runFailed.emit(sentence)

    def _on_task_cancelled(self) -> None:
        self._status("Cancelled; the previous results are unchanged.")
        self.runCancelled.emit()

    def _on_task_done(self) -> None:
        if self.task is not None:
            self.task.signals.deleteLater()  # on this thread, once its queued signals are out
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.actions_by_id["cancel"].setEnabled(False)
        self.actions_by_id["run"].setEnabled(True)
        self._update_analysis_actions()
        self.workDone.emit()

    def _update_analysis_actions(self) -> None:
        """The analyses reuse a run's evaluation: enabled once a run has results, and not while
        other work runs (one worker)."""
        ready = self.results is not None and self.task is None
        for key in ("compute_pareto", "run_uncertainty"):
            if key in self.actions_by_id:
                self.actions_by_id[key].setEnabled(ready)

    def on_run(self) -> Task | None:
        if self.doc is None:
            return None
        scenario = self.doc.scenario.model_copy(deep=True)
        engine = self.engine
        self._run_started = time.perf_counter()
        doc = self.doc
        return self.start_task(
            lambda progress: engine.run(scenario, progress),
            "The run",
            lambda results: self._on_results(results, doc),
            for_document=True,
        )

    def on_compute_pareto(self) -> Task | None:
        """The cost / carbon front of the last run's evaluation, with the Pareto tab's points."""
        if self.results is None:
            self._error("Run the scenario first; the Pareto front is computed from its results.")
            return None
        results, engine = self.results, self.engine
        points = int(self.pareto.points_spin.value())
        self.tabs.setCurrentWidget(self.pareto)
        return self.start_task(
            lambda progress: engine.pareto(results, points, progress),
            "The Pareto front",
            lambda new: self._on_analysis(new, "pareto", results),
            for_document=True,
        )

    def on_run_uncertainty(self, *, show_tab: bool = True) -> Task | None:
        """Monte Carlo, tornado and the recommendation's robustness from the last run's
        evaluation, with the Uncertainty tab's draws."""
        if self.results is None:
            self._error("Run the scenario first; the uncertainty is computed from its results.")
            return None
        results, engine = self.results, self.engine
        draws = int(self.uncertainty.draws_spin.value())
        if show_tab:
            self.tabs.setCurrentWidget(self.uncertainty)
        return self.start_task(
            lambda progress: engine.uncertainty(results, draws, progress),
            "The uncertainty analysis",
            lambda new: self._on_analysis(new, "uncertainty", results),
            for_document=True,
        )

    def _on_analysis(self, results: Results, kind: str, base: Results) -> None:
        if self.results is not base:  # another scenario was opened meanwhile: not its analysis
            self._status("The analysis finished for results no longer shown; it was dropped.")
            return
        # Only the analysis tabs change: the ranking, map and selection stay as they are.
        self.results = results
        if kind == "pareto":
            self.pareto.show_results(results)
            n = 0 if results.pareto is None else len(results.pareto)
            self._status(f"Pareto front computed: {n} points (from the last run's evaluation).")
        else:
            self.uncertainty.show_results(results)
            self._show_recommendation()
            draws = results.scenario.analysis.uncertainty.draws
            robust = "robustness" in (results.recommendation or {})
            self._status(
                f"Uncertainty computed: {draws:,} Monte Carlo draws, the tornado"
                + (" and the recommendation's robustness" if robust else "")
                + " (from the last run's evaluation)."
            )
        self.analysisFinished.emit(kind)

    def on_cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self._status("Cancelling…")

    def _on_results(self, results: Results, doc: ScenarioDocument | None = None) -> None:
        if doc is not None and doc is not self.doc:  # another scenario was opened meanwhile
            self._status(
                "The run finished for a scenario no longer open; its results were dropped."
            )
            return
        self.set_results(results)
        seconds = time.perf_counter() - getattr(self, "_run_started", time.perf_counter())
        self._status(
            f"Run finished in {seconds:.1f} s: {len(results.evaluation.metrics):,} sites; "
            f"{results.allocation.message}"
        )
        warnings = list(results.evaluation.warnings or [])
        self.messages.set_group("run", "Last run", warnings)
        if warnings:
            self._status(
                self.status_label.text() + f" {len(warnings):,} message(s) about the input: "
                "see Messages (Ctrl+M)."
            )
        self.runFinished.emit(results)

    def set_results(self, results: Results) -> None:
        """Show a run's results (the ranking is recomputed for the current weights)."""
        self.results = results
        self.ranking = results.ranking
        self.stale = self._inputs_differ(results) if self.doc is not None else False
        self._update_banner()
        self._show_results()
        if (
            self.doc is not None
            and self.doc.scenario.objective.weights != results.scenario.objective.weights
        ):
            self.rerank()

    def rerank(self) -> None:
        """Re-rank from the cached metrics under the document's weights (no re-evaluation)."""
        if self.results is None or self.doc is None:
            return
        started = time.perf_counter()
        try:
            ranking = self.engine.rerank(self.results, self.doc.scenario)
        except Exception as exc:  # noqa: BLE001 - a ranking failure leaves the old one shown
            self._status(one_sentence(exc, "Re-ranking failed"))
            return
        self.ranking = ranking
        self.model.set_ranking(ranking)
        if self.color_by.currentData() == "score":
            self._recolor()
        self._update_summary()
        if self.tabs.currentWidget() is self.compare:
            self.compare.show_sites(self.results, self.ranking, self.selected)
        self.recommendation.show_ranking(self.results, ranking, self._weights())
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.reranked.emit(elapsed_ms)

    # ================================================================== showing results

    def _show_results(self) -> None:
        results = self.results
        if results is None:
            self.model.set_frames(pd.DataFrame(columns=["name", "lat", "lon"]), pd.DataFrame())
            self.map.set_sites(pd.DataFrame(columns=["lat", "lon"]), {})
            self.map.set_allocation({})
            self.detail.show_site(None, None)
            self.compare.show_sites(None, None, [])
            self.pareto.show_results(None)
            self.uncertainty.show_results(None)
            self._show_recommendation()
            self._update_analysis_actions()
            self.summary_label.setText("No results yet: press Run (F5).")
            return
        if not getattr(self, "_basemap_set", False):
            self.map.set_basemap(self.engine.basemap())
            self._basemap_set = True
        metrics = results.evaluation.metrics
        shares = self.shares()
        self.model.set_frames(
            metrics, self.ranking if self.ranking is not None else results.ranking, shares
        )
        self.table.sortByColumn(
            self.table.horizontalHeader().sortIndicatorSection(),
            self.table.horizontalHeader().sortIndicatorOrder(),
        )
        self._size_columns()
        self.map.set_sites(metrics, self._tooltips(metrics))
        self.map.set_allocation(shares)
        self._recolor()
        self.map.fit_sites()
        self.pareto.show_results(results)
        self.uncertainty.show_results(results)
        self._show_recommendation()
        self._update_analysis_actions()
        self._update_summary()
        keep = [s for s in self.selected if s in metrics.index]
        self.select_sites(keep)
        self._refresh_selection_views()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics_font = self.table.fontMetrics()
        for i, col in enumerate(self.model.columns):
            width = metrics_font.horizontalAdvance(col.header) + 28
            if col.key == "name":
                width = max(width, 250)
            header.resizeSection(i, width)

    def shares(self) -> dict[str, float]:
        if self.results is None:
            return {}
        summary = self.results.allocation.summary
        if not self.results.allocation.feasible or summary is None or "share" not in summary:
            return {}
        return {str(k): float(v) for k, v in summary["share"].items()}

    def _tooltips(self, metrics: pd.DataFrame) -> dict[str, str]:
        keys = (
            "usd_per_gpu_hour",
            "pue_annual",
            "co2_market_t_per_year",
            "latency_ms",
            "time_to_power_months",
        )
        cols = {c.key: c for c in TABLE_COLUMNS}
        present = [k for k in keys if k in metrics.columns]
        names = (
            metrics["name"].astype(str)
            if "name" in metrics
            else pd.Series(metrics.index, index=metrics.index)
        )
        out = {}
        rows = metrics[present].to_numpy(dtype=float) if present else None
        for i, sid in enumerate(metrics.index):
            lines = [f"<b>{html.escape(names.iloc[i])}</b> ({html.escape(str(sid))})"]
            for j, key in enumerate(present):
                col = cols[key]
                text = f"{col.label}: {col.text(rows[i, j])} {col.unit}".rstrip()
                lines.append(html.escape(text))
            out[str(sid)] = "<qt>" + "<br>".join(lines) + "</qt>"
        return out

    def _recolor(self) -> None:
        if self.results is None:
            return
        key = self.color_by.currentData() or "score"
        column = next(c for c in MAP_METRICS if c.key == key)
        ranking = self.ranking if self.ranking is not None else self.results.ranking
        source = ranking if key in ranking.columns else self.results.evaluation.metrics
        if key not in source.columns:
            return
        # viridis: bright = good, so metrics where lower is better are drawn reversed
        self.map.set_colors(
            source[key], ranking["feasible"], column, reverse=column.better == "low"
        )

    def _update_summary(self) -> None:
        if self.results is None or self.ranking is None:
            return
        feasible = int(self.ranking["feasible"].sum())
        shares = self.shares()
        text = f"{len(self.ranking):,} sites, {feasible:,} feasible"
        if shares:
            text += f"; {len(shares)} chosen (◆ on the map, bold in the table)"
        self.summary_label.setText(text)
        self._update_header()

    def _weights(self) -> dict[str, float]:
        if self.doc is None:
            return {}
        return self.doc.scenario.objective.weights.as_dict()

    def _update_header(self) -> None:
        """ "Recommended: …" and "Highest weighted score: …", each with its basis on hover."""
        results = self.results
        recommended = recommended_text(results) if results is not None else ""
        top = top_score_text(results, self.ranking) if results is not None else ""
        if recommended != self.header_recommended.text():
            self.header_recommended.setText(recommended)
        if results is not None:
            self.header_recommended.setToolTip(
                plain_tooltip(recommended + "\n" + recommended_basis(results))
            )
        self.header_top_score.setText(top)
        if results is not None:
            self.header_top_score.setToolTip(
                plain_tooltip(top + "\n" + top_score_basis(self._weights()))
            )

    def _show_recommendation(self) -> None:
        self.recommendation.show_results(self.results, self.ranking, self._weights())
        self._update_header()

    def _run_uncertainty_from_panel(self) -> None:
        self.on_run_uncertainty(show_tab=False)  # the robustness appears where it was asked

    def _figure(self, kind: str, results: Results, site_id: Any = None) -> Any:
        return self.engine.figure(kind, results, site_id)

    # ================================================================== selection

    def select_sites(self, site_ids: list[str]) -> None:
        """Select sites everywhere (table, map, detail, compare)."""
        self._syncing = True
        try:
            self.map.set_selected(site_ids)
            self._select_in_table(site_ids)
        finally:
            self._syncing = False
        self.selected = list(site_ids)
        self._refresh_selection_views()

    def _select_in_table(self, site_ids: list[str]) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for sid in site_ids:
            row = self.model.row_of(sid)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().select(selection, flags)
        if site_ids:
            row = self.model.row_of(site_ids[0])
            if row is not None:
                self.table.scrollTo(self.proxy.mapFromSource(self.model.index(row, 0)))

    def _on_table_selection(self, *_: Any) -> None:
        if self._syncing:
            return
        rows = self.table.selectionModel().selectedRows()
        rows.sort(key=lambda index: index.row())
        ids = [index.data(SITE_ID_ROLE) for index in rows]
        self._syncing = True
        try:
            self.map.set_selected(ids)
        finally:
            self._syncing = False
        self.selected = ids
        self._refresh_selection_views()

    def _on_map_selection(self, ids: list[str]) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self._select_in_table(ids)
        finally:
            self._syncing = False
        self.selected = list(ids)
        self._refresh_selection_views()

    def _refresh_selection_views(self) -> None:
        first = self.selected[0] if self.selected else None
        self.detail.show_site(self.results, first, self.shares().get(first) if first else None)
        self.compare.show_sites(self.results, self.ranking, self.selected)

    # ================================================================== file actions

    def on_new(self) -> None:
        if not self.maybe_save():
            return
        from planner.paths import example_scenario

        try:
            doc = ScenarioDocument.open(example_scenario())
        except InputError as exc:
            self._error(str(exc))
            return
        doc._path = None  # a new, untitled document that starts from the bundled example
        self.set_document(doc)

    def on_open(self) -> None:
        if not self.maybe_save():
            return
        folder = str(self.doc.path.parent) if self.doc and self.doc.path else ""
        path = self.dialogs.open_file(self, "Open scenario", SCENARIO_FILTER, folder)
        if path is not None:
            self.open_path(path)

    def on_open_sweep(self) -> None:
        folder = self.dialogs.choose_folder(self, "Open sweep folder (the one holding sweep.json)")
        if folder is not None:
            self.open_sweep(folder)

    def open_sweep(self, folder: Path) -> Task | None:
        """Read a sweep folder on the worker and show it on the Sweep tab; a bad folder is one
        sentence naming the file, and the sweep and scenario already shown stay as they were."""
        folder = Path(folder)
        return self.start_task(
            lambda progress: read_sweep(folder, progress), "Reading the sweep", self._show_sweep
        )

    def _show_sweep(self, data: SweepData) -> None:
        if self.tabs.indexOf(self.sweep_view) < 0:
            self.tabs.addTab(self.sweep_view, "Sweep")
        index = self.tabs.indexOf(self.sweep_view)
        self.tabs.setTabText(index, f"Sweep: {data.folder.name}")
        self.tabs.setTabToolTip(index, str(data.folder))
        self.tabs.setCurrentWidget(self.sweep_view)
        self.sweep_view.show_sweep(data)
        self._status(f"Opened the sweep {data.folder.name}: {len(data.frame):,} points.")

    def on_open_recent(self) -> None:  # the submenu does the work
        self.recent_menu.popup(self.cursor().pos())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        if not recent:
            action = self.recent_menu.addAction("(none yet)")
            action.setEnabled(False)
            return
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(
                lambda _=False, p=path: self.maybe_save() and self.open_path(Path(p))
            )

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        recent = [text, *[p for p in self.recent_files() if p != text]][:MAX_RECENT]
        self.settings.setValue("recent_files", recent)

    def on_save(self) -> bool:
        if self.doc is None:
            return False
        if self.doc.path is None:
            return self.on_save_as()
        return self._save_to(self.doc.path)

    def on_save_as(self) -> bool:
        if self.doc is None:
            return False
        suggested = str(self.doc.path) if self.doc.path else "scenario.toml"
        path = self.dialogs.save_file(self, "Save scenario as", SCENARIO_FILTER, suggested)
        if path is None:
            return False
        if path.suffix.lower() != ".toml":
            path = path.with_suffix(".toml")
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        try:
            saved = self.doc.save(path)
        except InputError as exc:
            self._error(str(exc))
            return False
        except OSError as exc:
            self._error(one_sentence(exc, f"Cannot save {path}"))
            return False
        self._add_recent(saved)
        self._status(f"Saved {saved}.")
        return True

    def on_import_sites(self) -> None:
        if self.doc is None:
            return
        path = self.dialogs.open_file(self, "Import candidate sites", SITES_FILTER)
        if path is not None:
            self.import_sites(path)

    def import_sites(self, path: Path) -> bool:
        """Use a site file as the scenario's candidates; a bad file changes nothing."""
        try:
            sites, warnings = self.engine.read_sites(Path(path))
        except InputError as exc:
            self._error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - any reader failure is one sentence
            self._error(one_sentence(exc, f"Cannot read the site file {path}"))
            return False
        try:
            self.doc.edit(
                ("sites", "catalog"),
                str(Path(path).resolve()),
                f"Import sites from {Path(path).name}",
            )
        except InputError as exc:
            self._error(str(exc))
            return False
        self.messages.set_group("sites", f"Site file {Path(path).name}", warnings)
        note = (
            f" The reader applied defaults or assumptions: {len(warnings):,} message(s) in "
            "Messages (Ctrl+M)."
            if warnings
            else ""
        )
        self._status(
            f"Imported {len(sites):,} sites from {Path(path).name}; "
            "press Run (F5) to evaluate them." + note
        )
        if warnings:
            self.on_show_messages()
        return True

    def on_import_weather(self) -> None:
        if self.doc is None:
            return
        if not self.selected:
            self._error(
                "Select the site the weather file belongs to first (in the table or on the map)."
            )
            return
        path = self.dialogs.open_file(self, f"Weather file for {self.selected[0]}", WEATHER_FILTER)
        if path is not None:
            self.import_weather(self.selected[0], path)

    def import_weather(self, site_id: str, path: Path) -> bool:
        try:
            self.engine.read_weather(Path(path))
        except InputError as exc:
            self._error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001
            self._error(one_sentence(exc, f"Cannot read the weather file {path}"))
            return False
        files = dict(self.doc.value(("sites", "weather_files")) or {})
        files[site_id] = str(Path(path).resolve())
        self.doc.edit(("sites", "weather_files"), files, f"Weather file for {site_id}")
        self._status(f"{site_id} now uses {Path(path).name}; press Run (F5) to evaluate again.")
        return True

    def on_export_report(self) -> Task | None:
        """The report as PDF and HTML under a name the user chooses (NAME.pdf, NAME.html)."""
        if self.results is None:
            self._error("Run the scenario first; there is nothing to export yet.")
            return None
        stem = self.doc.path.stem if self.doc is not None and self.doc.path else "scenario"
        folder = self.doc.path.parent if self.doc is not None and self.doc.path else Path.home()
        path = self.dialogs.save_file(
            self,
            "Export report (PDF and HTML)",
            REPORT_FILTER,
            str(folder / f"{stem}-report.pdf"),
            confirm_overwrite=False,  # asked once the files are ready, for both of them
        )
        if path is None:
            return None
        path = Path(path)
        if path.suffix.lower() in (".pdf", ".html", ".htm"):
            path = path.with_suffix("")
        names = {f"report.{fmt}": f"{path.name}.{fmt}" for fmt in REPORT_FORMATS}
        return self.export_to(path.parent, REPORT_FORMATS, names=names)

    def on_export_data(self) -> Task | None:
        if self.results is None:
            self._error("Run the scenario first; there is nothing to export yet.")
            return None
        folder = self.dialogs.choose_folder(
            self, "Export data (CSV, XLSX, GeoJSON): choose a folder"
        )
        if folder is None:
            return None
        return self.export_to(folder, DATA_FORMATS)

    def export_to(
        self, folder: Path, formats: tuple[str, ...], *, names: dict[str, str] | None = None
    ) -> Task | None:
        """Write ``formats`` into ``folder`` in the background, one format at a time.

        The files are written into a hidden folder beside their targets first; once all are
        written, files they would replace are named in a question, and only then are they
        moved in (Cancel, a failure or a "no" leaves the folder as it was). ``names`` renames
        written files (``{"report.pdf": "eu-report.pdf"}``).
        """
        results, engine = self.results, self.engine
        folder = Path(folder)
        names = dict(names or {})

        def work(progress: Callable[[str, float], None]) -> tuple[Path, list[Path]]:
            folder.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".planner-export-", dir=folder))
            try:
                return staging, list(engine.export(results, staging, formats, progress))
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise

        def done(found: Any) -> None:
            staging, written = found
            try:
                targets = [
                    (
                        p,
                        folder
                        / names.get(p.relative_to(staging).as_posix(), p.relative_to(staging)),
                    )
                    for p in written
                ]
                existing = [t for _, t in targets if t.exists()]
                if existing and not self.dialogs.confirm_overwrite(self, existing):
                    self._status(f"Export not written: the files in {folder} were kept.")
                    self.exportFinished.emit([])
                    return
                for source, target in targets:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
            except OSError as exc:
                self._error(one_sentence(exc, f"Cannot write the export into {folder}"))
                self.exportFinished.emit([])
                return
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            shown = ", ".join(t.name for _, t in targets[:4]) + (" …" if len(targets) > 4 else "")
            self._status(f"Wrote {len(targets)} file(s) to {folder}: {shown}.")
            self.exportFinished.emit([t for _, t in targets])

        return self.start_task(work, "The export", done)

    def on_quit(self) -> None:
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        if self.task is not None:
            self.task.cancel()
        self.worker.wait(10.0)
        self.worker.shutdown()
        self._save_layout()
        event.accept()

    # ================================================================== edit / view / help

    def on_undo(self) -> None:
        if self.doc is not None:
            self.doc.undo_stack.undo()

    def on_redo(self) -> None:
        if self.doc is not None:
            self.doc.undo_stack.redo()

    def on_find(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def on_fit_map(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.map.fit_sites()

    def on_tab_map(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("map"))

    def on_tab_recommendation(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("recommendation"))

    def on_tab_detail(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("detail"))

    def on_tab_compare(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("compare"))

    def on_tab_pareto(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("pareto"))

    def on_tab_uncertainty(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("uncertainty"))

    def on_tab_sweep(self) -> None:
        if self.tabs.indexOf(self.sweep_view) < 0:
            self._status("No sweep open: File > Open Sweep Folder… (Ctrl+Shift+O).")
            return
        self.tabs.setCurrentWidget(self.sweep_view)

    def on_show_messages(self) -> None:
        self.messages_dock.show()
        self.messages_dock.raise_()

    def on_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{html.escape(spec.text.replace('&', '').replace('…', ''))}</td>"
            f"<td><b>{html.escape(shortcut_text(spec))}</b></td></tr>"
            for spec in ACTIONS
            if shortcut_text(spec)
        )
        extra = (
            "<tr><td>Zoom the map</td><td><b>mouse wheel</b></td></tr>"
            "<tr><td>Pan the map</td><td><b>drag</b></td></tr>"
            "<tr><td>Select several sites</td><td><b>Ctrl+click</b></td></tr>"
        )
        self.dialogs.about(
            self, "Keyboard shortcuts", f"<table cellpadding='3'>{rows}{extra}</table>"
        )

    def on_about(self) -> None:
        sources = self.engine.data_sources()
        items = (
            "".join(
                f"<li>{html.escape(str(r.source))} "
                f"({html.escape(format_value(r.year, '.0f'))})</li>"
                for r in sources.drop_duplicates("source").head(12).itertuples()
            )
            or "<li>see <code>planner data sources</code></li>"
        )
        self.dialogs.about(
            self,
            "About GPU Site Planner",
            f"<h3>GPU Site Planner {html.escape(__version__)}</h3>"
            "<p>Decides where to build data centres for a GPU fleet: cost, carbon, water, latency, "
            "risk and time to power per site, and the cheapest split of the fleet.</p>"
            f"<p>Data sources:</p><ul>{items}</ul>",
        )

    # ================================================================== helpers

    def _error(self, sentence: str) -> None:
        self.dialogs.error(self, sentence)

    def _status(self, text: str) -> None:
        self.status_label.setText(text)


def _site_source(doc: ScenarioDocument) -> str:
    source = doc.scenario.sites.catalog
    return "(the default catalog)" if source == "default" else Path(source).name
