"""Every modal question the window asks, in one object the window receives.

Tests pass a :class:`Dialogs` subclass that records messages and answers questions without
showing anything; the window never calls QMessageBox or QFileDialog directly.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

SCENARIO_FILTER = "Scenario files (*.toml);;All files (*)"
SITES_FILTER = "Site files (*.csv *.geojson *.json *.gpkg *.shp);;All files (*)"
WEATHER_FILTER = "Weather files (*.epw *.csv *.tm3);;All files (*)"
REPORT_FILTER = "Report, PDF and HTML (*.pdf *.html);;All files (*)"


class Dialogs:
    """Real dialogs. Each method is one question or one message."""

    def error(self, parent: QWidget | None, text: str, title: str = "Problem") -> None:
        self._plain_box(QMessageBox.Icon.Warning, title, text, parent).exec()

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self._plain_box(QMessageBox.Icon.Information, title, text, parent).exec()

    @staticmethod
    def _plain_box(
        icon: QMessageBox.Icon, title: str, text: str, parent: QWidget | None
    ) -> QMessageBox:
        # Messages quote user data (file names, site names): never interpret them as markup.
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box

    def ask_save(self, parent: QWidget | None, name: str) -> str:
        """'save', 'discard' or 'cancel' for unsaved changes to ``name``."""
        answer = QMessageBox.question(
            parent,
            "Unsaved changes",
            f"Save the changes to {html.escape(name)} before closing it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(answer, "cancel")

    def open_file(
        self, parent: QWidget | None, title: str, file_filter: str, folder: str = ""
    ) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, folder, file_filter)
        return Path(name) if name else None

    def save_file(
        self,
        parent: QWidget | None,
        title: str,
        file_filter: str,
        suggested: str = "",
        *,
        confirm_overwrite: bool = True,
    ) -> Path | None:
        """A file name to write; ``confirm_overwrite=False`` when the caller asks itself."""
        options = QFileDialog.Option(0)
        if not confirm_overwrite:
            options |= QFileDialog.Option.DontConfirmOverwrite
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter, "", options)
        return Path(name) if name else None

    def confirm_overwrite(self, parent: QWidget | None, paths: list[Path]) -> bool:
        """Whether to replace existing files (named in the question)."""
        shown = "\n".join(f"• {p.name}" for p in paths[:8])
        more = f"\n… and {len(paths) - 8} more" if len(paths) > 8 else ""
        box = self._plain_box(
            QMessageBox.Icon.Question,
            "Replace files?",
            f"These files already exist in {paths[0].parent}:\n{shown}{more}\n\nReplace them?",
            parent,
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def choose_folder(self, parent: QWidget | None, title: str, folder: str = "") -> Path | None:
        name = QFileDialog.getExistingDirectory(parent, title, folder)
        return Path(name) if name else None

    def about(self, parent: QWidget | None, title: str, html: str) -> None:
        QMessageBox.about(parent, title, html)


def one_sentence(exc: BaseException, what: str) -> str:
    """A dialog sentence for an unexpected error: what failed and the error's own words."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    text = f"{what}: {detail}"
    return text if text.endswith(".") else text + "."
