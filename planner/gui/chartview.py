"""A matplotlib Figure from :mod:`planner.charts` embedded with the QtAgg canvas."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QWidget

if TYPE_CHECKING:  # matplotlib loads with the first chart, not with the window (start-up)
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

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
        self._pending: tuple[Callable[[], Any], str, Any] | None = None
        self.setMinimumSize(240, 120)

    @property
    def canvas(self) -> FigureCanvasQTAgg | None:
        self._render_pending()
        return self._canvas

    @property
    def figure(self) -> Figure | None:
        self._render_pending()
        return None if self._canvas is None else self._canvas.figure

    @property
    def pending(self) -> bool:
        """A figure is waiting to be drawn until the chart is first shown."""
        return self._pending is not None

    def show_message(self, text: str) -> None:
        self._pending = None
        self._message.setText(text)
        self._layout.setCurrentWidget(self._message)

    def set_figure(
        self,
        build: Callable[[], Figure | None],
        unavailable: str = "This chart is not available.",
        on_ready: Callable[[FigureCanvasQTAgg], Any] | None = None,
    ) -> None:
        """Show the figure ``build`` makes (errors become a message, never a crash).

        A chart that is not on screen (another tab) is drawn when it is first shown: results
        appear without waiting for charts nobody looks at yet (matplotlib itself loads with
        the first chart drawn). ``on_ready`` receives the canvas once it exists.
        """
        self._pending = (build, unavailable, on_ready)
        if self.isVisible():
            self._render_pending()
        else:
            self._message.setText("")
            self._layout.setCurrentWidget(self._message)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self._render_pending()

    def _render_pending(self) -> None:
        if self._pending is None:
            return
        build, unavailable, on_ready = self._pending
        self._pending = None
        try:
            figure = build()
        except Exception as exc:  # noqa: BLE001 - a chart failure must not break the window
            log.warning("chart failed: %s", exc, exc_info=True)
            figure = None
            unavailable = f"{unavailable} ({type(exc).__name__}: {exc})"
        if figure is None:
            self.show_message(unavailable)
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

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
        if on_ready is not None:
            on_ready(self._canvas)
