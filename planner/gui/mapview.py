"""Map of candidate sites over country outlines: zoom, pan, hover, click, a movable legend.

Plate carrée (x = longitude, y = -latitude, in degrees) is enough to find a site on a
continent; markers keep their pixel size at any zoom (ItemIgnoresTransformations).

Three looks a site can have, never confused with one another:

- a dot coloured by the chosen metric (grey: fails a hard constraint; blue-grey before a run);
- the sites the allocation chose: a larger diamond with a black outline and a name label
  giving its share of the fleet;
- the selection: a blue ring around the marker.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.gui.columns import Column, format_value

MARKER_PX = 11.0
CHOSEN_PX = 19.0
LABEL_CHARS = 30
_SEA = QColor(226, 236, 244)
_LAND = QColor(247, 245, 240)
_BORDER = QColor(175, 175, 170)
_INFEASIBLE = QColor(165, 165, 165)
_CANDIDATE = QColor(96, 125, 160)
_CHOSEN_PEN = QColor(20, 20, 20)
_SELECTED = QColor(0, 110, 220)

# matplotlib's viridis at 17 evenly spaced points (bright = good); interpolated linearly, so
# the map does not import matplotlib to colour its dots.
_VIRIDIS = np.array(
    [
        (68, 1, 84),
        (72, 24, 106),
        (71, 45, 123),
        (66, 64, 134),
        (59, 82, 139),
        (51, 99, 141),
        (44, 114, 142),
        (38, 130, 142),
        (33, 145, 140),
        (31, 160, 136),
        (40, 174, 128),
        (63, 188, 115),
        (94, 201, 98),
        (132, 212, 75),
        (173, 220, 48),
        (216, 226, 25),
        (253, 231, 37),
    ],
    dtype=float,
)


def viridis(t: np.ndarray | float) -> np.ndarray:
    """RGB 0-255 rows of viridis at ``t`` in 0..1 (NaN as 0)."""
    t = np.clip(np.nan_to_num(np.atleast_1d(np.asarray(t, dtype=float)), nan=0.0), 0.0, 1.0)
    grid = np.linspace(0.0, 1.0, len(_VIRIDIS))
    return np.stack([np.interp(t, grid, _VIRIDIS[:, k]) for k in range(3)], axis=1)


LUT_SIZE = 256


def _lut_index(values: np.ndarray, low: float, high: float, reverse: bool) -> np.ndarray:
    """Index 0..255 into the viridis brushes for each value (NaN as the low end)."""
    span = high - low if high > low else 1.0
    t = np.clip(np.nan_to_num((values - low) / span, nan=0.0), 0.0, 1.0)
    if reverse:
        t = 1.0 - t
    return np.rint(t * (LUT_SIZE - 1)).astype(int)


_BRUSHES: list[QBrush] = []


def _lut_brushes() -> list[QBrush]:
    """256 viridis brushes made once: a re-rank hands markers existing brushes."""
    if not _BRUSHES:
        rgb = viridis(np.linspace(0.0, 1.0, LUT_SIZE)).round().astype(int)
        _BRUSHES.extend(QBrush(QColor(int(r), int(g), int(b))) for r, g, b in rgb)
    return _BRUSHES


def _circle(size: float) -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(QRectF(-size / 2, -size / 2, size, size))
    return path


def _diamond(size: float) -> QPainterPath:
    r = size / 2
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0)]))
    path.closeSubpath()
    return path


_DOT = _circle(MARKER_PX)
_CHOSEN = _diamond(CHOSEN_PX)


class SiteMarker(QGraphicsPathItem):
    """A site's dot, or diamond when chosen. Painting stays in C++ (no Python paint override:
    fast with 1,000s)."""

    def __init__(self, site_id: str, x: float, y: float) -> None:
        super().__init__(_DOT)
        self.site_id = site_id
        self.chosen = False
        self.setPos(x, y)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_chosen(self, chosen: bool) -> None:
        if chosen != self.chosen:
            self.chosen = chosen
            self.setPath(_CHOSEN if chosen else _DOT)


def _ring(marker: SiteMarker) -> QGraphicsEllipseItem:
    """The selection: a blue ring a little outside the marker (dot or diamond)."""
    r = (CHOSEN_PX if marker.chosen else MARKER_PX) / 2 + 5
    ring = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
    ring.setPen(QPen(_SELECTED, 3))
    ring.setBrush(Qt.BrushStyle.NoBrush)
    ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    ring.setPos(marker.pos())
    ring.setZValue(15)
    ring.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return ring


class SiteLabel(QGraphicsRectItem):
    """A chosen site's name and share on a white plate, beside its diamond."""

    def __init__(self, text: str, marker: SiteMarker, left: bool = False) -> None:
        super().__init__()
        self.text_item = QGraphicsSimpleTextItem(text, self)
        font = QFont()
        font.setPointSize(9)
        font.setBold(True)
        self.text_item.setFont(font)
        self.text_item.setBrush(QBrush(QColor(20, 20, 20)))
        box = self.text_item.boundingRect()
        pad = 3.0
        dx = -(box.width() + 2 * pad + CHOSEN_PX / 2 + 4) if left else CHOSEN_PX / 2 + 4
        dy = -box.height() / 2 - pad
        self.setRect(QRectF(dx, dy, box.width() + 2 * pad, box.height() + 2 * pad))
        self.text_item.setPos(dx + pad, dy + pad)
        self.setBrush(QBrush(QColor(255, 255, 255, 225)))
        self.setPen(QPen(QColor(60, 60, 60), 1))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(marker.pos())
        self.setZValue(20)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def text(self) -> str:
        return self.text_item.text()


def short_name(name: str, limit: int = LABEL_CHARS) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


class _GradientBar(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reverse = False
        self.setFixedHeight(12)
        self.setMinimumWidth(150)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        rect = QRectF(self.rect())
        gradient = QLinearGradient(rect.topLeft(), rect.topRight())
        for t in np.linspace(0, 1, 9):
            r, g, b = viridis(1 - t if self.reverse else t)[0]
            gradient.setColorAt(float(t), QColor(int(r), int(g), int(b)))
        painter.fillRect(rect, gradient)
        painter.end()


class MapLegend(QFrame):
    """The map's key, floating over it: drag its title to move it, ▾ / ▸ folds it away."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("MapLegend")
        self.setStyleSheet(
            "#MapLegend { background: rgba(255, 255, 255, 235); border: 1px solid #a0a0a0;"
            " border-radius: 5px; } QLabel { background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(4)
        self.title = QLabel("Candidate sites")
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setCursor(Qt.CursorShape.SizeAllCursor)
        self.title.setToolTip("Drag to move the legend")
        head.addWidget(self.title, 1)
        self.fold = QToolButton()
        self.fold.setAutoRaise(True)
        self.fold.setText("▾")
        self.fold.setToolTip("Fold the legend away (click again to show it)")
        self.fold.clicked.connect(lambda: self.set_collapsed(not self.collapsed))
        head.addWidget(self.fold)
        layout.addLayout(head)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(1)
        self.bar = _GradientBar()
        body.addWidget(self.bar)
        ends = QHBoxLayout()
        self.low = QLabel("")
        self.high = QLabel("")
        self.high.setAlignment(Qt.AlignmentFlag.AlignRight)
        ends.addWidget(self.low)
        ends.addStretch(1)
        ends.addWidget(self.high)
        body.addLayout(ends)
        self.key = QLabel("")
        self.key.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(self.key)
        layout.addWidget(self.body)
        self.collapsed = False
        self._drag: QPoint | None = None
        self.moved_by_user = False
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_scale(self, column: Column | None, low: float, high: float, reverse: bool) -> None:
        """A colour scale (``column`` None: the plain candidates before a run)."""
        has_scale = column is not None
        self.bar.setVisible(has_scale)
        self.low.setVisible(has_scale)
        self.high.setVisible(has_scale)
        if column is None:
            self.title.setText("Candidate sites")
            self.key.setText("● a candidate site (not evaluated yet)\n◯ selected")
        else:
            self.title.setText(column.header + (" (bright = better)" if column.better else ""))
            self.bar.reverse = reverse
            self.bar.update()
            fmt = column.fmt or ".3g"
            self.low.setText(format_value(high if reverse else low, fmt, column.scale))
            self.high.setText(format_value(low if reverse else high, fmt, column.scale))
            self.key.setText(
                "◆ chosen by the allocation (label: share)\n● grey: fails a hard rule\n◯ selected"
            )
        self._fit()

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self.body.setVisible(not collapsed)
        self.fold.setText("▸" if collapsed else "▾")
        self._fit()

    def _fit(self) -> None:
        """Take the size the contents need; stay at the bottom left unless moved.

        Once now and once more after Qt has laid out labels whose text or visibility just
        changed (their size is known only then)."""
        self._fit_now()
        QTimer.singleShot(0, self._fit_now)

    def _fit_now(self) -> None:
        bottom = self.geometry().bottom()
        self.layout().activate()
        self.resize(self.sizeHint())
        if self.moved_by_user:
            self.move(self.x(), bottom - self.height() + 1)  # anchored by its bottom edge
            self.keep_inside()
        else:
            self.place_default()

    def place_default(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.move(10, max(0, parent.height() - self.height() - 10))

    def keep_inside(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        x = min(max(0, self.x()), max(0, parent.width() - self.width()))
        y = min(max(0, self.y()), max(0, parent.height() - self.height()))
        self.move(x, y)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.position().toPoint()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: Any) -> None:  # noqa: N802
        if self._drag is not None:
            self.move(self.mapToParent(event.position().toPoint() - self._drag))
            self.moved_by_user = True
            self.keep_inside()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802
        self._drag = None
        super().mouseReleaseEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(max(hint.width(), 230), hint.height())


class MapView(QGraphicsView):
    """Sites on a map. Emits :attr:`selectionChangedSites` with the selected site ids."""

    selectionChangedSites = Signal(list)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # Markers and outlines leave the painter as they found it: no save/restore per item.
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setBackgroundBrush(QBrush(_SEA))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(320, 200)
        self._markers: dict[str, SiteMarker] = {}
        self._labels: dict[str, SiteLabel] = {}
        self._names: dict[str, str] = {}
        self._basemap_items: list[QGraphicsPathItem] = []
        self._selected: list[str] = []
        self._rings: dict[str, QGraphicsEllipseItem] = {}
        self._shares: dict[str, float] = {}
        self._focus: list[str] = []
        self._looks: tuple[np.ndarray, np.ndarray] | None = None
        self._press: QPointF | None = None
        # A wide scene rect so panning past the sites still works.
        self.scene().setSceneRect(QRectF(-200, -100, 400, 200))
        # A child of the view, not of its viewport: a scroll (fit, pan) moves the viewport's
        # children with the scene, and the legend must stay where it was put.
        self.legend = MapLegend(self)
        self.legend.set_scale(None, 0.0, 1.0, False)
        self.legend.setVisible(False)
        self.legend.raise_()

    # --- content ---------------------------------------------------------------------------

    def set_basemap(self, basemap: Any) -> None:
        """Country outlines from a GeoDataFrame (or anything with polygon ``geometry``)."""
        for item in self._basemap_items:
            self.scene().removeItem(item)
        self._basemap_items = []
        if basemap is None or len(basemap) == 0:
            return
        pen = QPen(_BORDER, 0)  # cosmetic 1-px line at any zoom
        brush = QBrush(_LAND)
        for geom in basemap.geometry:
            if geom is None or geom.is_empty:
                continue
            path = QPainterPath()
            polygons = getattr(geom, "geoms", [geom])
            for poly in polygons:
                exterior = getattr(poly, "exterior", None)
                if exterior is None:
                    continue
                coords = np.asarray(exterior.coords)
                path.addPolygon(QPolygonF([QPointF(x, -y) for x, y in coords[:, :2]]))
                path.closeSubpath()
            item = QGraphicsPathItem(path)
            item.setPen(pen)
            item.setBrush(brush)
            item.setZValue(0)
            # Outlines never change between repaints: keep each as a device pixmap so a re-rank
            # repaints the markers, not thousands of polygon vertices (rebuilt on zoom).
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.scene().addItem(item)
            self._basemap_items.append(item)

    def set_sites(self, metrics: pd.DataFrame, tooltips: dict[str, str]) -> None:
        """One marker per site at (lon, lat); replaces previous markers, labels and focus."""
        scene = self.scene()
        self.set_selected([])
        self.set_allocation({})
        for marker in self._markers.values():
            scene.removeItem(marker)
        self._markers = {}
        self._focus = []
        self._looks = None
        lon = pd.to_numeric(metrics["lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(metrics["lat"], errors="coerce").to_numpy(dtype=float)
        names = (
            metrics["name"].astype(str).tolist()
            if "name" in metrics
            else [str(i) for i in metrics.index]
        )
        self._names = {}
        for sid, x, y, name in zip(metrics.index, lon, lat, names, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            marker = SiteMarker(str(sid), float(x), -float(y))
            marker.setToolTip(tooltips.get(str(sid), str(sid)))
            scene.addItem(marker)
            self._markers[str(sid)] = marker
            self._names[str(sid)] = name
        self.legend.setVisible(bool(self._markers))

    def set_plain_colors(self) -> None:
        """Every marker in one colour: the candidates before a run."""
        pen = QPen(QColor(40, 40, 40), 1)
        for marker in self._markers.values():
            marker.setBrush(QBrush(_CANDIDATE))
            marker.setPen(pen)
            marker.setZValue(11)
        self._looks = None
        self.legend.set_scale(None, 0.0, 1.0, False)
        self.viewport().update()

    def set_colors(
        self, values: pd.Series, feasible: pd.Series, column: Column, *, reverse: bool = False
    ) -> None:
        """Colour markers by ``values`` (viridis; infeasible sites grey) and show a legend."""
        ids = list(self._markers)
        values = values.reindex(ids)
        feasible = feasible.reindex(ids).fillna(False).to_numpy(dtype=bool)
        array = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        finite = array[np.isfinite(array) & feasible]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        index = _lut_index(array, low, high, reverse)
        chosen = np.array([sid in self._shares for sid in ids], dtype=bool)
        # Each marker's look as a code: LUT index, or -1 grey (fails a rule); only markers
        # whose look changed are touched (a re-rank moves the colours, not feasibility).
        look = np.where(feasible | chosen, index, -1)
        style = np.where(chosen, 2, np.where(feasible, 1, 0))
        previous = self._looks
        if previous is None or len(previous[0]) != len(ids):
            previous = (np.full(len(ids), -2), np.full(len(ids), -1))
        brushes = _lut_brushes()
        grey = QBrush(_INFEASIBLE)
        pens = (
            QPen(QColor(120, 120, 120), 1),
            QPen(QColor(40, 40, 40), 1),
            QPen(_CHOSEN_PEN, 2.2),
        )
        markers = list(self._markers.values())
        for i in np.flatnonzero(look != previous[0]):
            markers[i].setBrush(brushes[look[i]] if look[i] >= 0 else grey)
        for i in np.flatnonzero(style != previous[1]):
            markers[i].setPen(pens[style[i]])
            markers[i].setZValue(10 + float(style[i]))
        self._looks = (look, style)
        self._focus = [sid for sid, ok in zip(ids, feasible, strict=True) if ok]
        self.legend.set_scale(column, low, high, reverse)
        self.viewport().update()

    def set_allocation(self, shares: dict[str, float]) -> None:
        """Draw the chosen sites as diamonds with a label: name and share of the fleet."""
        for label in self._labels.values():
            self.scene().removeItem(label)
        self._labels = {}
        for sid, marker in self._markers.items():
            marker.set_chosen(sid in shares)
        self._looks = None  # pens follow the chosen sites
        self._shares = {s: v for s, v in shares.items() if s in self._markers}
        # West to east; a label whose site is close east of the previous one goes to the left.
        order = sorted(self._shares, key=lambda s: self._markers[s].pos().x())
        previous: QPointF | None = None
        for sid in order:
            marker = self._markers[sid]
            pos = marker.pos()
            left = (
                previous is not None
                and abs(pos.y() - previous.y()) < 3
                and pos.x() - (previous.x()) < 8
            )
            text = f"{short_name(self._names.get(sid, sid))} · {self._shares[sid]:.0%}"
            label = SiteLabel(text, marker, left=left)
            self.scene().addItem(label)
            self._labels[sid] = label
            previous = pos
        self.set_selected(self._selected)  # rings sized to the new symbols

    def labels(self) -> dict[str, str]:
        """Site id -> the text of its label (chosen sites only)."""
        return {sid: label.text() for sid, label in self._labels.items()}

    # --- selection -------------------------------------------------------------------------

    def selected_sites(self) -> list[str]:
        return list(self._selected)

    def set_selected(self, site_ids: list[str]) -> None:
        """Show ``site_ids`` as selected (a blue ring); does not emit a signal."""
        wanted = [s for s in site_ids if s in self._markers]
        for sid in list(self._rings):
            self.scene().removeItem(self._rings.pop(sid))
        for sid in wanted:
            self._rings[sid] = _ring(self._markers[sid])
            self.scene().addItem(self._rings[sid])
        self._selected = wanted

    def marker(self, site_id: str) -> SiteMarker | None:
        return self._markers.get(site_id)

    def marker_count(self) -> int:
        return len(self._markers)

    def _marker_at(self, pos: Any) -> SiteMarker | None:
        for item in self.items(pos):
            if isinstance(item, SiteMarker):
                return item
        return None

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        marker = self._marker_at(event.position().toPoint())
        if marker is not None and event.button() == Qt.MouseButton.LeftButton:
            additive = bool(
                event.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
            )
            if additive:
                ids = [s for s in self._selected if s != marker.site_id]
                if marker.site_id not in self._selected:
                    ids.append(marker.site_id)
            else:
                ids = [marker.site_id]
            self.set_selected(ids)
            self.selectionChangedSites.emit(self.selected_sites())
            event.accept()
            return
        self._press = event.position()
        super().mousePressEvent(event)  # drag on the background pans

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802
        press, self._press = self._press, None
        super().mouseReleaseEvent(event)
        if (
            press is not None
            and (event.position() - press).manhattanLength() < 3
            and self._selected
        ):
            self.set_selected([])  # a click on empty map clears the selection
            self.selectionChangedSites.emit([])

    # --- navigation ------------------------------------------------------------------------

    def fit_ids(self) -> list[str]:
        """The sites "Fit to sites" frames: feasible and chosen ones after a run, else all."""
        ids = list(dict.fromkeys([*self._focus, *self._shares]))
        return [s for s in ids if s in self._markers] or list(self._markers)

    def fit_sites(self) -> None:
        """Zoom to show the feasible and chosen sites (every site before a run), with a margin
        wide enough for the chosen sites' labels."""
        ids = self.fit_ids()
        if not ids:
            self.resetTransform()
            self.fitInView(QRectF(-180, -85, 360, 170), Qt.AspectRatioMode.KeepAspectRatio)
            return
        xs = [self._markers[s].pos().x() for s in ids]
        ys = [self._markers[s].pos().y() for s in ids]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        pad_x, pad_y = max(3.0, 0.15 * w), max(2.5, 0.15 * h)
        if self._shares:
            pad_x = max(pad_x, 0.35 * w)  # the labels extend east (or west) of their diamond
        rect = QRectF(min(xs) - pad_x, min(ys) - pad_y, w + 2 * pad_x, h + 2 * pad_y)
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def visible_sites(self) -> list[str]:
        """Sites whose marker lies inside the viewport now."""
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        return [s for s, m in self._markers.items() if area.contains(m.pos())]

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        if not (0.2 < current * factor < 2000):
            return
        self.scale(factor, factor)

    def wheelEvent(self, event: Any) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(math.pow(1.2, steps))
        event.accept()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.legend.moved_by_user:
            self.legend.keep_inside()
        else:
            self.legend.place_default()
