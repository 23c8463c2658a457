"""Small widgets the window shares: a label that elides, the out-of-date banner, a table view
that is exactly as tall as its rows, and the messages panel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.gui.text import plain_tooltip


class ElidedLabel(QLabel):
    """One line of plain text that shrinks with its layout: what does not fit ends in "…",
    and the tool tip holds the whole text.

    :meth:`text` is always the whole text; :meth:`is_elided` says whether it is cut now.
    """

    MIN_WIDTH = 60

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(str(text))
        self.setToolTip(plain_tooltip(text) if text else "")
        self.update()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.MIN_WIDTH, super().minimumSizeHint().height())

    def elided_text(self) -> str:
        width = max(0, self.contentsRect().width())
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def is_elided(self) -> bool:
        return self.elided_text() != self.text()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            self.elided_text(),
            self.foregroundRole(),
        )
        painter.end()


class Banner(QFrame):
    """A coloured strip with one sentence and an optional button ("Run now")."""

    activated = Signal()

    STYLES = {
        "warning": "background: #fff4ce; border: 1px solid #e0c060; color: #4a3b00;",
        "info": "background: #e7f1fb; border: 1px solid #9cc2e6; color: #123;",
    }

    def __init__(self, button_text: str = "", kind: str = "warning", parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setStyleSheet(f"#Banner {{ {self.STYLES[kind]} border-radius: 3px; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 3)
        self.label = ElidedLabel("")
        self.label.setStyleSheet("border: none; background: transparent;")
        layout.addWidget(self.label, 1)
        self.button = QPushButton(button_text)
        self.button.setVisible(bool(button_text))
        self.button.clicked.connect(self.activated)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(True)

    def text(self) -> str:
        """The sentence shown, or "" while the banner is hidden."""
        return "" if self.isHidden() else self.label.text()


class FitTable(QTableView):
    """A read-only table as tall as its rows (no inner scroll bar): it lives in a scroll area.

    Number columns (right-aligned) take the width of their contents; text columns share what
    is left and wrap, so a long sentence grows its row instead of pushing the table wider
    than the window. Rows are sized to their contents.
    """

    MIN_TEXT_PX = 110

    def __init__(self, parent: Any = None, *, max_rows: int = 60) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._natural: list[int] = []
        self._numeric: list[bool] = []

    def fit(self) -> None:
        """Measure the columns once (after new data); :meth:`_spread` lays them out."""
        model = self.model()
        if model is None:
            return
        self._natural, self._numeric = [], []
        metrics = self.horizontalHeader().fontMetrics()
        for c in range(model.columnCount()):
            align = model.index(0, c).data(Qt.ItemDataRole.TextAlignmentRole)
            numeric = align is not None and bool(
                Qt.AlignmentFlag(int(align)) & Qt.AlignmentFlag.AlignRight
            )
            # The header's widest line (headers are broken into lines by the model).
            title = str(model.headerData(c, Qt.Orientation.Horizontal) or "")
            line = max((metrics.horizontalAdvance(t) for t in title.split("\n")), default=0)
            self._natural.append(max(self.sizeHintForColumn(c), line + 16))
            self._numeric.append(numeric)
        self._spread()

    def _spread(self) -> None:
        if not self._natural:
            return
        header = self.horizontalHeader()
        available = max(200, self.viewport().width())
        fixed = sum(w for w, n in zip(self._natural, self._numeric, strict=True) if n)
        texts = [i for i, n in enumerate(self._numeric) if not n]
        left = available - fixed
        natural_text = sum(self._natural[i] for i in texts) or 1
        widths = list(self._natural)
        if texts and natural_text <= left:
            # Everything fits: text columns as wide as their text, the last one takes the rest.
            widths[texts[-1]] += left - natural_text
        elif texts:
            for i in texts[:-1]:
                share = int(left * self._natural[i] / natural_text)
                widths[i] = min(self._natural[i], max(self.MIN_TEXT_PX, share))
            used = sum(widths[i] for i in texts[:-1])
            widths[texts[-1]] = max(self.MIN_TEXT_PX, left - used)
        for i, width in enumerate(widths):
            header.resizeSection(i, width)
        self.resizeRowsToContents()
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        model = self.model()
        rows = 0 if model is None else min(model.rowCount(), self.max_rows)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(rows))
        if self.horizontalScrollBar().maximum() > 0:
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(hint.width(), height + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.sizeHint().height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._spread()  # a narrower window gives the text columns less room: rows grow


class MessagesPanel(QWidget):
    """What the readers and the run said about the input: regions assigned by distance,
    defaults applied, climate borrowed from a neighbour. One group per source, newest first;
    a group given again replaces the old one (the last run's messages, not every run's)."""

    changed = Signal(int)  # number of messages shown

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.list, 1)
        bar = QHBoxLayout()
        self.count_label = QLabel("No messages.")
        bar.addWidget(self.count_label, 1)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clear)
        bar.addWidget(clear)
        layout.addLayout(bar)
        self._groups: dict[str, tuple[str, list[str]]] = {}

    def set_group(self, key: str, title: str, messages: list[str]) -> None:
        """Show ``messages`` under ``title``, first; replaces the group ``key`` (none: removed)."""
        self._groups.pop(key, None)
        if messages:
            self._groups = {key: (title, [" ".join(str(m).split()) for m in messages])} | (
                self._groups
            )
        self._fill()

    def messages(self) -> list[str]:
        """Every message shown, without the group titles."""
        return [m for _, group in self._groups.values() for m in group]

    def clear(self) -> None:
        self._groups = {}
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for title, group in self._groups.values():
            heading = QListWidgetItem(f"{title} ({len(group)})")
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(heading)
            for text in group:
                item = QListWidgetItem("• " + text)
                item.setToolTip(plain_tooltip(text))
                self.list.addItem(item)
        n = len(self.messages())
        self.count_label.setText(f"{n:,} message{'s' if n != 1 else ''}." if n else "No messages.")
        self.changed.emit(n)
