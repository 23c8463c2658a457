"""Fonts the PDF report embeds, so every character a user types prints (no empty boxes).

Two families, each character drawn by the first that has it (xhtml2pdf splits text by glyph
coverage, as CSS does):

- DejaVu Sans, from matplotlib (already a dependency; the charts use it too): Latin with every
  accent, Greek, Cyrillic, Arabic with its presentation forms (xhtml2pdf joins the letters and
  lays right-to-left runs out in order), subscripts such as CO₂, symbols;
- Droid Sans Fallback, shipped in ``resources/fonts`` (Apache-2.0, 3.4 MB): Chinese, Japanese
  and Korean (20,902 unified ideographs, kana, 11,172 Hangul syllables).

Only the glyphs a report uses are embedded (reportlab subsets TrueType fonts), so a report
in English grows by the Latin subset alone. Nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from planner.paths import cjk_font_file

BODY_FAMILY = "PlannerSans"
CJK_FAMILY = "PlannerCJK"
#: The CSS font-family of the PDF's text: body face first, CJK where it has no glyph.
FONT_STACK = f"{BODY_FAMILY}, {CJK_FAMILY}"


@dataclass(frozen=True)
class FontFace:
    """One ``@font-face`` rule: family, weight, style and the TrueType file."""

    family: str
    weight: str
    style: str
    path: Path

    @property
    def url(self) -> str:
        # Forward slashes on every platform: xhtml2pdf reads it as a CSS url().
        return self.path.resolve().as_posix()


@cache
def pdf_font_faces() -> tuple[FontFace, ...]:
    """The faces the PDF template declares, in the order of :data:`FONT_STACK`.

    Raises
    ------
    FileNotFoundError
        When a font file is missing from the installation (a broken install, not bad input).
    """
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    cjk = cjk_font_file()
    faces = []
    # No italic faces: the report sets no italic text, and each face costs its parse time
    # (about 0.2 s for the CJK file) in every process that writes a PDF.
    for weight, style, name in (
        ("normal", "normal", "DejaVuSans.ttf"),
        ("bold", "normal", "DejaVuSans-Bold.ttf"),
    ):
        faces.append(FontFace(BODY_FAMILY, weight, style, ttf / name))
        # One CJK file for every weight and style: Droid has no bold, and a bold request
        # without a bold face would fall back to Helvetica, which has no CJK at all.
        faces.append(FontFace(CJK_FAMILY, weight, style, cjk))
    missing = [f.path for f in faces if not f.path.is_file()]
    if missing:
        raise FileNotFoundError(f"the report font {missing[0]} is missing from this installation")
    return tuple(faces)
