"""Every menu and toolbar action declared once, as data; menus are built from this table."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence


@dataclass(frozen=True)
class ActionSpec:
    id: str  # also the MainWindow slot name: on_<id>
    menu: str
    text: str
    shortcut: str | QKeySequence.StandardKey | None = None
    tip: str = ""
    toolbar: bool = False
    separator_before: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "new",
        "&File",
        "&New",
        QKeySequence.StandardKey.New,
        "Start from the bundled example scenario",
        True,
    ),
    ActionSpec(
        "open", "&File", "&Open…", QKeySequence.StandardKey.Open, "Open a scenario file", True
    ),
    ActionSpec("open_recent", "&File", "Open &Recent", None, "Scenarios opened before"),
    ActionSpec(
        "open_sweep",
        "&File",
        "Open S&weep Folder…",
        "Ctrl+Shift+O",
        "A folder written by planner sweep (it holds sweep.json): its points, answers and charts",
    ),
    ActionSpec("save", "&File", "&Save", QKeySequence.StandardKey.Save, "Save the scenario", True),
    ActionSpec(
        "save_as", "&File", "Save &As…", QKeySequence.StandardKey.SaveAs, "Save under a new name"
    ),
    ActionSpec(
        "import_sites",
        "&File",
        "Import &sites…",
        "Ctrl+I",
        "Candidate sites from CSV, GeoJSON, GeoPackage or Shapefile",
        separator_before=True,
    ),
    ActionSpec(
        "import_weather",
        "&File",
        "Import &weather file for site…",
        "Ctrl+Shift+W",
        "An EPW or TMY3 file replacing the selected site's climate normals",
    ),
    ActionSpec(
        "export_report",
        "&File",
        "Export &report (PDF, HTML)…",
        "Ctrl+E",
        "Write the report",
        True,
        separator_before=True,
    ),
    ActionSpec(
        "export_data",
        "&File",
        "Export &data (CSV, XLSX, GeoJSON)…",
        "Ctrl+Shift+E",
        "Write tables for analysts",
    ),
    ActionSpec(
        "quit",
        "&File",
        "&Quit",
        QKeySequence.StandardKey.Quit,
        "Close the window",
        separator_before=True,
    ),
    ActionSpec("undo", "&Edit", "&Undo", QKeySequence.StandardKey.Undo, "Undo the last edit", True),
    ActionSpec("redo", "&Edit", "&Redo", QKeySequence.StandardKey.Redo, "Redo the edit", True),
    ActionSpec(
        "find",
        "&Edit",
        "&Filter sites",
        QKeySequence.StandardKey.Find,
        "Type to filter the ranking table",
    ),
    ActionSpec("run", "&Run", "&Run scenario", "F5", "Evaluate, rank, allocate and analyse", True),
    ActionSpec("cancel", "&Run", "&Cancel", "Esc", "Stop the running work", True),
    ActionSpec(
        "compute_pareto",
        "&Run",
        "Compute &Pareto front",
        None,
        "The cost / carbon front of the last run, with the points set on the Pareto tab",
        separator_before=True,
    ),
    ActionSpec(
        "run_uncertainty",
        "&Run",
        "Run &uncertainty",
        None,
        "Monte Carlo rank frequencies and the tornado of the last run, with the draws set on "
        "the Uncertainty tab",
    ),
    ActionSpec(
        "fit_map",
        "&View",
        "&Fit map to sites",
        "Ctrl+0",
        "Zoom the map to the feasible and chosen sites (every candidate before a run)",
    ),
    ActionSpec("tab_map", "&View", "Map and ranking", "Ctrl+1", separator_before=True),
    ActionSpec("tab_recommendation", "&View", "Recommendation", "Ctrl+2"),
    ActionSpec("tab_detail", "&View", "Site detail", "Ctrl+3"),
    ActionSpec("tab_compare", "&View", "Compare", "Ctrl+4"),
    ActionSpec("tab_pareto", "&View", "Pareto", "Ctrl+5"),
    ActionSpec("tab_uncertainty", "&View", "Uncertainty", "Ctrl+6"),
    ActionSpec("tab_sweep", "&View", "Sweep", "Ctrl+7", "The sweep folder opened last"),
    ActionSpec(
        "show_messages",
        "&View",
        "&Messages",
        "Ctrl+M",
        "What the readers and the run said about the input (defaults applied, regions by distance)",
        separator_before=True,
    ),
    ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", "F1"),
    ActionSpec("about", "&Help", "&About"),
)


def shortcut_text(spec: ActionSpec) -> str:
    if spec.shortcut is None:
        return ""
    sequence = QKeySequence(spec.shortcut)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)
