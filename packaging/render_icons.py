"""Render the application icon's PNG sizes from its SVG.

Run after editing the SVG (the PNGs are committed, so a build needs no renderer)::

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py

Uses Qt's own SVG renderer (part of PySide6 Essentials), so no extra dependency is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_ID = "io.github.gpusiteplanner.Planner"
SIZES_PX = (16, 32, 48, 64, 128, 256)
ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg_path: Path, out_dir: Path, sizes_px: tuple[int, ...] = SIZES_PX) -> list[Path]:
    """Render ``svg_path`` to one square PNG per size.

    Parameters
    ----------
    svg_path : Path
        The source icon.
    out_dir : Path
        Folder for ``<stem>-<size>.png``.
    sizes_px : tuple of int
        Edge lengths in pixels.

    Returns
    -------
    list of Path
        The written files, in the order of ``sizes_px``.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"{svg_path} is not a valid SVG file")
    written = []
    for size in sizes_px:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        out = out_dir / f"{svg_path.stem}-{size}.png"
        if not image.save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
        written.append(out)
    return written


if __name__ == "__main__":
    for path in render(ICON_DIR / f"{APP_ID}.svg", ICON_DIR):
        print(path.name)
