"""Render the report model to HTML with the one Jinja2 template (also the PDF's source).

User text (scenario, site and parameter names) is escaped by Jinja2's autoescaping; the only
unescaped markup is what this module builds itself (tables with escaped cells, chart images).
"""

from __future__ import annotations

import base64
import itertools
import re
import struct
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from matplotlib.figure import Figure

from planner import charts
from planner.outputs import write_text
from planner.report.model import ReportModel, Table

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html.j2"
PDF_DPI = 150  # charts at 150 dpi print sharply at A4 widths
HTML_CHART_FORMAT = "svg"  # crisp at any zoom, text stays selectable


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _text(text: str) -> str:
    """Escaped cell text; a line break in the text becomes a line break in the cell."""
    return "<br/>".join(str(escape(line)) for line in str(text).split("\n"))


def _th(text: str, *, numeric: bool, width: float | None) -> str:
    """A header cell; the width (percent) goes both as attribute (PDF layout) and CSS."""
    attrs = ' class="num"' if numeric else ""
    if width:
        attrs += f' width="{width:.0f}%" style="width: {width:.1f}%;"'
    return f"<th{attrs}>{_text(text)}</th>"


def render_table(table: Table, css_class: str = "") -> Markup:
    """An HTML table with escaped cells, header repeated on each PDF page."""
    cls = f' class="{escape(css_class)}"' if css_class else ""
    widths = list(table.widths) + [None] * (len(table.headers) - len(table.widths))
    head = "".join(
        _th(h, numeric=n, width=w)
        for h, n, w in zip(table.headers, table.numeric, widths, strict=False)
    )
    body = []
    for i, row in enumerate(table.rows):
        chosen = bool(table.highlight and table.highlight[i])
        cells = "".join(
            f'<td class="num">{_text(c)}</td>' if n else f"<td>{_text(c)}</td>"
            for c, n in zip(row, table.numeric, strict=False)
        )
        body.append(f'<tr class="chosen">{cells}</tr>' if chosen else f"<tr>{cells}</tr>")
    return Markup(
        f'<table{cls} repeat="1"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _png_img(
    fig: Figure, width_cm: float, *, fluid: bool = False, max_height_cm: float | None = None
) -> Markup:
    """A PNG data-URI image ``width_cm`` wide (narrower if taller than ``max_height_cm``);
    ``fluid`` scales it down on narrow screens."""
    png = charts.figure_png(fig, dpi=PDF_DPI)
    data = base64.b64encode(png).decode("ascii")
    # Keep the image's aspect ratio (saved with a tight box, so read it from the PNG header).
    w_px, h_px = struct.unpack(">II", png[16:24])
    height_cm = width_cm * h_px / max(w_px, 1)
    if max_height_cm is not None and height_cm > max_height_cm:
        width_cm, height_cm = width_cm * max_height_cm / height_cm, max_height_cm
    title = escape(_figure_title(fig))
    return Markup(
        f'<img src="data:image/png;base64,{data}" alt="{title}" '
        + (
            f'style="width: 100%; max-width: {width_cm:.1f}cm; height: auto;" />'
            if fluid
            else f'style="width: {width_cm:.1f}cm; height: {height_cm:.1f}cm;" />'
        )
    )


def _figure_title(fig: Figure) -> str:
    for ax in fig.axes:
        title = ax.get_title(loc="left") or ax.get_title()
        if title:
            return title
    return fig._suptitle.get_text() if fig._suptitle is not None else "chart"


_SVG_ID = re.compile(r'\bid="([^"]+)"')


def unique_svg_ids(svg: str, prefix: str) -> str:
    """The SVG with every id, and every reference to one, prefixed: several charts inline in
    one page would otherwise repeat matplotlib's ids (``figure_1``, ``patch_1``...)."""
    ids = set(_SVG_ID.findall(svg))
    if not ids:
        return svg
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    pattern = re.compile(r"(url\(#|href=\"#)(" + "|".join(map(re.escape, ids)) + r")\b")
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def render_html(model: ReportModel, *, pdf: bool = False) -> str:
    """The report as an HTML string; ``pdf=True`` gives the variant the PDF writer lays out."""
    counter = itertools.count(1)

    def chart(
        fig: Figure | None,
        width_cm: float = 16.0,
        raster: bool = False,
        max_height_cm: float | None = None,
    ) -> Markup:
        """``raster=True`` for charts whose SVG is heavy (the map: every country outline)."""
        if fig is None:
            return Markup("")
        if pdf or raster or HTML_CHART_FORMAT == "png":
            return _png_img(fig, width_cm, fluid=not pdf, max_height_cm=max_height_cm)
        svg = unique_svg_ids(charts.figure_svg(fig), f"c{next(counter)}-")
        return Markup(f'<figure aria-label="{escape(_figure_title(fig))}">{svg}</figure>')

    fonts: tuple = ()
    if pdf:
        from planner.report.fonts import FONT_STACK, pdf_font_faces

        fonts = pdf_font_faces()
    template = _environment().get_template(TEMPLATE)
    return template.render(
        m=model,
        pdf=pdf,
        chart=chart,
        table=render_table,
        fonts=fonts,
        font_stack=FONT_STACK if pdf else "",
    )


def write_html(model: ReportModel, path: Path | str) -> Path:
    """Write the self-contained HTML report (charts inline) atomically."""
    path = Path(path)
    write_text(path, render_html(model, pdf=False))
    return path
