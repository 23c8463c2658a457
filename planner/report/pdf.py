"""Render the report model to PDF: the HTML template laid out by xhtml2pdf (on reportlab).

Pure Python, no browser and no Qt (the report package must not import Qt). Charts are embedded
as PNG at :data:`planner.report.html.PDF_DPI`.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path

from planner.errors import InputError
from planner.report.html import render_html
from planner.report.model import ReportModel


def pdf_bytes(model: ReportModel) -> bytes:
    """The report as PDF bytes."""
    from xhtml2pdf import pisa

    source = render_html(model, pdf=True)
    out = io.BytesIO()
    # xhtml2pdf logs every CSS property it does not know at WARNING; keep stderr for our messages.
    logger = logging.getLogger("xhtml2pdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        status = pisa.CreatePDF(source, dest=out, encoding="utf-8")
    finally:
        logger.setLevel(level)
    if status.err:
        raise RuntimeError(f"the PDF layout failed with {status.err} error(s)")
    return out.getvalue()


def write_pdf(model: ReportModel, path: Path | str) -> Path:
    """Write the PDF report atomically (a temporary file in the same folder, then a rename)."""
    path = Path(path)
    data = pdf_bytes(model)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.resolve().parent
        )
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror})", file=path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
