"""User data shown as plain text: a site named ``<img src=...>`` is shown as typed, never run
as Qt rich text (labels, message boxes and tool tips guess "rich text" from a leading tag)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_tooltip(text: object) -> str:
    """A tool tip that shows ``text`` literally (escaped inside an explicit rich-text block)."""
    return "<qt>" + html.escape(str(text)).replace("\n", "<br>") + "</qt>"


def make_labels_plain(root: QWidget) -> None:
    """Every label under ``root`` shows its text literally, whatever is set on it later."""
    for label in root.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
