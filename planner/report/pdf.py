"""Render the report model to PDF: the HTML template laid out by xhtml2pdf (on reportlab).

Pure Python, no browser and no Qt (the report package must not import Qt). Charts are embedded
as PNG at :data:`planner.report.html.PDF_DPI`.
"""

from __future__ import annotations

import gc
import io
import logging
from pathlib import Path

from planner.outputs import write_bytes
from planner.report.html import render_html
from planner.report.model import ReportModel


def pdf_bytes(model: ReportModel) -> bytes:
    """The report as PDF bytes."""
    return pdf_from_html(render_html(model, pdf=True))


def pdf_from_html(source: str) -> bytes:
    """HTML rendered for print as PDF bytes (xhtml2pdf, embedded fonts, no remote reads)."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    # xhtml2pdf logs every CSS property it does not know at WARNING; keep stderr for our messages.
    logger = logging.getLogger("xhtml2pdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        status = pisa.CreatePDF(source, dest=out, encoding="utf-8", **_resource_policy())
    finally:
        logger.setLevel(level)
        # xhtml2pdf leaves closed temporary files for the garbage collector, whose cleanup
        # then fails (already removed); collect them here, not at some random later moment
        # (under Python 3.11 such a failure inside the parser's AST build is a SystemError).
        gc.collect()
    if status.err:
        raise RuntimeError(f"the PDF layout failed with {status.err} error(s)")
    return out.getvalue()


def write_pdf(model: ReportModel, path: Path | str) -> Path:
    """Write the PDF report atomically (a temporary file in the same folder, then a rename)."""
    path = Path(path)
    write_bytes(path, pdf_bytes(model))
    return path


def _resource_policy() -> dict[str, object]:
    """What the layout may read: the font folders, nothing remote.

    Recent xhtml2pdf confines local reads to the working directory by default, so a report
    written from any other folder silently lost its embedded fonts (every letter came out as
    glyph 0). The fonts are named by absolute path; their folders are the only roots. Older
    xhtml2pdf has no such policy and reads any local file.
    """
    try:
        from xhtml2pdf.config.resources import ResourceAccessPolicy
    except ImportError:  # xhtml2pdf before 0.2.28: no confinement to lift
        return {}
    from planner.report.fonts import pdf_font_faces

    folders = sorted({face.path.resolve().parent for face in pdf_font_faces()})
    policy = ResourceAccessPolicy(
        allow_remote=False, base_dir=folders[0], extra_roots=tuple(folders[1:])
    )
    return {"resource_policy": policy}
