"""Map of candidate sites over country outlines: zoom, pan, hover, click, colour legend.

Plate carrée (x = longitude, y = -latitude, in degrees) is enough to find a site on a
continent; markers keep their pixel size at any zoom (ItemIgnoresTransformations).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
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
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from planner.gui.columns import Column, format_value

MARKER_PX = 11.0
_SEA = QColor(226, 236, 244)
_LAND = QColor(247, 245, 240)
_BORDER = QColor(175, 175, 170)
_INFEASIBLE = QColor(165, 165, 165)
_ALLOCATED = QColor(150, 20, 20)
_CMAP = colormaps["viridis"]


def _qcolors(values: np.ndarray, low: float, high: float, reverse: bool) -> list[QColor]:
    span = high - low if high > low else 1.0
    t = np.clip((values - low) / span, 0.0, 1.0)
    if reverse:
        t = 1.0 - t
    rgba = (_CMAP(np.nan_to_num(t, nan=0.0)) * 255).astype(int)
    return [QColor(int(r), int(g), int(b)) for r, g, b, _ in rgba]


class SiteMarker(QGraphicsEllipseItem):
    """A site's dot. Painting stays in C++ (no Python paint override: fast with 1,000s)."""

    def __init__(self, site_id: str, x: float, y: float) -> None:
        r = MARKER_PX / 2
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.site_id = site_id
        self.setPos(x, y)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


def _halo(marker: SiteMarker) -> QGraphicsEllipseItem:
    r = MARKER_PX / 2 + 4
    halo = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
    halo.setPen(QPen(QColor(220, 40, 40), 3))
    halo.setBrush(Qt.BrushStyle.NoBrush)
    halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    halo.setPos(marker.pos())
    halo.setZValue(15)
    halo.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return halo


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
        self.setBackgroundBrush(QBrush(_SEA))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(320, 240)
        self._markers: dict[str, SiteMarker] = {}
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._legend: tuple[Column, float, float, bool] | None = None
        self._basemap_items: list[QGraphicsPathItem] = []
        self._selected: list[str] = []
        self._halos: dict[str, QGraphicsEllipseItem] = {}
        self._shares: dict[str, float] = {}
        self._press: QPointF | None = None
        # A wide scene rect so panning past the sites still works.
        self.scene().setSceneRect(QRectF(-200, -100, 400, 200))

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
        """One marker per site at (lon, lat); replaces previous markers."""
        scene = self.scene()
        self.set_selected([])
        for marker in self._markers.values():
            scene.removeItem(marker)
        self._markers = {}
        lon = metrics["lon"].to_numpy(dtype=float)
        lat = metrics["lat"].to_numpy(dtype=float)
        for sid, x, y in zip(metrics.index, lon, lat, strict=True):
            marker = SiteMarker(str(sid), float(x), -float(y))
            marker.setToolTip(tooltips.get(str(sid), str(sid)))
            scene.addItem(marker)
            self._markers[str(sid)] = marker

    def set_colors(
        self, values: pd.Series, feasible: pd.Series, column: Column, *, reverse: bool = False
    ) -> None:
        """Colour markers by ``values`` (viridis; infeasible sites grey) and show a legend."""
        values = values.reindex(list(self._markers))
        feasible = feasible.reindex(list(self._markers)).fillna(False).to_numpy(dtype=bool)
        array = values.to_numpy(dtype=float)
        finite = array[np.isfinite(array) & feasible]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        colors = _qcolors(array, low, high, reverse)
        dark = QPen(QColor(40, 40, 40), 1)
        grey_pen = QPen(QColor(120, 120, 120), 1)
        allocated_pen = QPen(_ALLOCATED, 2.5)
        for (sid, marker), color, ok in zip(self._markers.items(), colors, feasible, strict=True):
            marker.setBrush(QBrush(color if ok else _INFEASIBLE))
            marker.setPen(allocated_pen if sid in self._shares else dark if ok else grey_pen)
            marker.setZValue(12 if sid in self._shares else 11 if ok else 10)
        self._legend = (column, low, high, reverse)
        self.viewport().update()

    def set_allocation(self, shares: dict[str, float]) -> None:
        """Mark allocated sites with their share of the fleet."""
        for label in self._labels:
            self.scene().removeItem(label)
        self._labels = []
        self._shares = dict(shares)
        font = QFont()
        font.setBold(True)
        font.setPointSize(9)
        for sid, share in shares.items():
            marker = self._markers.get(sid)
            if marker is None:
                continue
            label = QGraphicsSimpleTextItem(f"◆ {share:.0%}")
            label.setFont(font)
            label.setBrush(QBrush(_ALLOCATED))
            label.setPen(QPen(QColor(255, 255, 255), 0.4))
            label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            label.setPos(marker.pos())
            label.setZValue(20)
            # offset in pixels: the label ignores the view transform, so shift by its transform
            label.setTransform(label.transform().translate(8, -18))
            self.scene().addItem(label)
            self._labels.append(label)

    # --- selection -------------------------------------------------------------------------

    def selected_sites(self) -> list[str]:
        return list(self._selected)

    def set_selected(self, site_ids: list[str]) -> None:
        """Show ``site_ids`` as selected (a red ring); does not emit a signal."""
        wanted = [s for s in site_ids if s in self._markers]
        for sid in [s for s in self._halos if s not in wanted]:
            self.scene().removeItem(self._halos.pop(sid))
        for sid in wanted:
            if sid not in self._halos:
                self._halos[sid] = _halo(self._markers[sid])
                self.scene().addItem(self._halos[sid])
        self._selected = wanted

    def marker(self, site_id: str) -> SiteMarker | None:
        return self._markers.get(site_id)

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

    def fit_sites(self) -> None:
        """Zoom to show every site with a margin."""
        if not self._markers:
            self.fitInView(QRectF(-180, -85, 360, 170), Qt.AspectRatioMode.KeepAspectRatio)
            return
        xs = [m.pos().x() for m in self._markers.values()]
        ys = [m.pos().y() for m in self._markers.values()]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        pad_x, pad_y = max(4.0, 0.12 * w), max(4.0, 0.15 * h)
        rect = QRectF(min(xs) - pad_x, min(ys) - pad_y, w + 2 * pad_x, h + 2 * pad_y)
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

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

    # --- legend ----------------------------------------------------------------------------

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        if self._legend is None:
            return
        column, low, high, reverse = self._legend
        painter.save()
        painter.resetTransform()
        vp = self.viewport().rect()
        box = QRectF(12, vp.height() - 86, 250, 74)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(160, 160, 160)))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(box, 6, 6)
        font = painter.font()
        font.setPointSize(9)
        painter.setFont(font)
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(
            QRectF(box.left() + 10, box.top() + 4, box.width() - 20, 18),
            Qt.AlignmentFlag.AlignLeft,
            column.header,
        )
        bar = QRectF(box.left() + 10, box.top() + 25, box.width() - 20, 12)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for t in np.linspace(0, 1, 9):
            r, g, b, _ = _CMAP(1 - t if reverse else t)
            gradient.setColorAt(float(t), QColor(int(r * 255), int(g * 255), int(b * 255)))
        painter.fillRect(bar, gradient)
        painter.drawText(
            QRectF(bar.left(), bar.bottom() + 2, 110, 16),
            Qt.AlignmentFlag.AlignLeft,
            format_value(low, column.fmt or ".3g", column.scale),
        )
        painter.drawText(
            QRectF(bar.right() - 110, bar.bottom() + 2, 110, 16),
            Qt.AlignmentFlag.AlignRight,
            format_value(high, column.fmt or ".3g", column.scale),
        )
        painter.setBrush(_INFEASIBLE)
        painter.setPen(QPen(QColor(120, 120, 120)))
        painter.drawEllipse(QRectF(box.left() + 10, box.bottom() - 17, 9, 9))
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(
            QRectF(box.left() + 24, box.bottom() - 21, 200, 16),
            Qt.AlignmentFlag.AlignLeft,
            "infeasible     ◆ allocated share",
        )
        painter.restore()
