"""The open scenario: its file, its undo history and whether it has unsaved changes.

Every edit is a :class:`SetValue` command on the document's QUndoStack. A command names a
path into the scenario (``("objective", "weights", "cost")``) and the old and new values; the
new scenario is validated by the core (:func:`planner.scenario.scenario_from_dict`) before the
command is pushed, so an invalid edit never reaches the document.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from planner.scenario import (
    Scenario,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

FieldPath = tuple[str | int, ...]


def get_value(data: dict[str, Any], path: FieldPath) -> Any:
    node: Any = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError):
            return None  # optional fields are dropped from the dict when None
    return node


def set_value(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        if isinstance(part, str) and isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            node = node[part]
    node[path[-1]] = value


def dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


class ScenarioDocument(QObject):
    """A scenario being edited.

    Signals
    -------
    changed(tuple)
        After any edit, undo or redo, with the path that changed (``()`` for a new document).
    """

    changed = Signal(tuple)
    pathChanged = Signal(object)

    def __init__(self, scenario: Scenario, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._scenario = scenario
        self._path = path
        self.undo_stack = QUndoStack(self)

    # --- state -----------------------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def value(self, path: FieldPath) -> Any:
        return get_value(scenario_to_dict(self._scenario), path)

    def display_name(self) -> str:
        return self._path.name if self._path else "Untitled scenario"

    # --- editing ---------------------------------------------------------------------------

    def validated(self, path: FieldPath, value: Any) -> Scenario:
        """The scenario with ``path`` set to ``value``; raises InputError naming the field."""
        data = scenario_to_dict(self._scenario)
        set_value(data, path, copy.deepcopy(value))
        return scenario_from_dict(data)

    def edit(
        self, path: FieldPath, value: Any, text: str | None = None, *, merge_key: Any = None
    ) -> bool:
        """Push an undoable edit. Returns False (and changes nothing) if the value is unchanged.

        Successive edits with the same non-None ``merge_key`` (one slider drag) become one
        undo step.

        Raises
        ------
        InputError
            If the edited scenario fails validation; the document is left as it was.
        """
        old = self.value(path)
        if old == value:
            return False
        self.validated(path, value)  # raises before anything changes
        self.undo_stack.push(SetValue(self, path, old, value, text, merge_key=merge_key))
        return True

    def _apply(self, path: FieldPath, value: Any) -> None:
        self._scenario = self.validated(path, value)
        self.changed.emit(tuple(path))

    # --- files -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, parent: QObject | None = None) -> ScenarioDocument:
        return cls(load_scenario(path), Path(path), parent)

    def save(self, path: Path | None = None) -> Path:
        """Save atomically (the core writes a temporary file and renames it)."""
        target = Path(path) if path is not None else self._path
        if target is None:
            raise ValueError("a new document needs a file name")
        save_scenario(self._scenario, target)
        if target != self._path:
            self._path = target
            self.pathChanged.emit(target)
        self.undo_stack.setClean()
        return target


class SetValue(QUndoCommand):
    """Set one field of the scenario. Successive slider moves on one field merge into one."""

    _MERGE_ID = 4242

    def __init__(
        self,
        doc: ScenarioDocument,
        path: FieldPath,
        old: Any,
        new: Any,
        text: str | None,
        *,
        merge_key: Any,
    ) -> None:
        super().__init__(text or f"Change {dotted(path)}")
        self.doc = doc
        self.path = tuple(path)
        self.old = copy.deepcopy(old)
        self.new = copy.deepcopy(new)
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self._MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if (
            not isinstance(other, SetValue)
            or other.path != self.path
            or other.merge_key != self.merge_key
        ):
            return False
        self.new = copy.deepcopy(other.new)
        return True

    def redo(self) -> None:
        self.doc._apply(self.path, self.new)

    def undo(self) -> None:
        self.doc._apply(self.path, self.old)
