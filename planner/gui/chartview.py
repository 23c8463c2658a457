"""A matplotlib Figure from :mod:`planner.charts` embedded with the QtAgg canvas."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QWidget

log = logging.getLogger(__name__)


class ChartView(QWidget):
    """Shows one Figure, or a one-line message when there is nothing to draw."""

    def __init__(
        self, empty_text: str = "Run the scenario to see this chart.", parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._layout = QStackedLayout(self)
        self._message = QLabel(empty_text)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setStyleSheet("color: #666; font-size: 11pt;")
        self._layout.addWidget(self._message)
        self._canvas: FigureCanvasQTAgg | None = None
        self.setMinimumSize(240, 120)

    @property
    def canvas(self) -> FigureCanvasQTAgg | None:
        return self._canvas

    @property
    def figure(self) -> Figure | None:
        return None if self._canvas is None else self._canvas.figure

    def show_message(self, text: str) -> None:
        self._message.setText(text)
        self._layout.setCurrentWidget(self._message)

    def set_figure(
        self, build: Callable[[], Figure | None], unavailable: str = "This chart is not available."
    ) -> None:
        """Build a figure (errors become a message, never a crash) and show it."""
        try:
            figure = build()
        except Exception as exc:  # noqa: BLE001 - a chart failure must not break the window
            log.warning("chart failed: %s", exc, exc_info=True)
            figure = None
            unavailable = f"{unavailable} ({type(exc).__name__}: {exc})"
        if figure is None:
            self.show_message(unavailable)
            return
        if self._canvas is not None:
            self._layout.removeWidget(self._canvas)
            self._canvas.figure.clear()
            self._canvas.deleteLater()
        self._canvas = FigureCanvasQTAgg(figure)
        self._canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._canvas.setMinimumSize(200, 110)
        try:
            figure.set_layout_engine("constrained")
        except Exception:  # noqa: BLE001 - a figure with its own fixed layout keeps it
            pass
        self._layout.addWidget(self._canvas)
        self._layout.setCurrentWidget(self._canvas)
        self._canvas.draw_idle()
