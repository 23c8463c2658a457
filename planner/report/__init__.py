"""Reports and exports of a :class:`planner.results.Results`.

:func:`write_outputs` is the one entry point of the CLI and the window: give it the results, a
folder and the formats wanted, it returns the files it wrote. Two modes:

- ``replace=False`` (the window's export into a folder the user chose): each file is written
  atomically into the folder (temporary file, then a rename that replaces a symlink rather
  than following it); other files in the folder are never touched.
- ``replace=True`` (``planner optimize``'s results folders): the whole folder is built in a
  hidden sibling and swapped in at the end, so it holds the new run's files and nothing else,
  or, after a failure or Ctrl-C, exactly what it held before.

Formats:

``csv``      ranking.csv, metrics.csv, allocation.csv, hourly_<site>.csv per chosen site
``xlsx``     results.xlsx, one sheet per table
``geojson``  sites.geojson and allocation.geojson, plus sites.gpkg (GeoPackage)
``gpkg``     sites.gpkg alone
``html``     report.html (self-contained: charts inline)
``pdf``      report.pdf

The heavy modules (matplotlib, geopandas, xhtml2pdf) are imported only for the formats asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from planner.errors import InputError
from planner.results import Results

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "html", "pdf")


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """Normalise ``"pdf,csv"`` or ``["PDF", "csv"]`` to known format names, in FORMATS order.

    Raises
    ------
    InputError
        Naming the unknown format and the ones accepted.
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {str(f).strip().lower().lstrip(".") for f in items if str(f).strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise InputError(
            f"unknown output format '{unknown[0]}'; expected some of {', '.join(FORMATS)}",
            field="format",
        )
    return [f for f in FORMATS if f in wanted]


def make_output_folder(out_dir: Path | str) -> Path:
    """Create ``out_dir`` (and parents) if missing; a folder that cannot be made is bad input."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("expected a folder, found a file", file=out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the output folder ({exc.strerror})", file=out_dir
        ) from None
    return out_dir


def write_outputs(
    results: Results,
    out_dir: Path | str,
    formats: str | Iterable[str],
    *,
    replace: bool = False,
) -> list[Path]:
    """Write the requested formats into ``out_dir`` (created if missing); return the paths.

    Parameters
    ----------
    results : Results
        What to write.
    out_dir : path
        The folder.
    formats : str or list of str
        ``"pdf,csv"`` or ``["pdf", "csv"]``; see :data:`FORMATS`.
    replace : bool
        False: write each file atomically into ``out_dir``, replacing files of the same names
        and leaving every other file alone. True: build the folder whole in a hidden sibling
        and swap it in for ``out_dir``, so no file of a previous run survives.

    Raises
    ------
    InputError
        Unknown format, or a folder that cannot be written.
    """
    wanted = parse_formats(formats)
    if not replace:
        return _write_formats(results, make_output_folder(out_dir), wanted)
    from planner.outputs import staged_folder

    out_dir = Path(out_dir)
    with staged_folder(out_dir) as stage:
        written = _write_formats(results, stage, wanted)
    return [out_dir / p.relative_to(stage) for p in written]


def _write_formats(results: Results, out_dir: Path, wanted: list[str]) -> list[Path]:
    written: list[Path] = []
    if "csv" in wanted:
        from planner.report.exports import write_csv

        written += write_csv(results, out_dir)
    if "xlsx" in wanted:
        from planner.report.exports import write_xlsx

        written.append(write_xlsx(results, out_dir / "results.xlsx"))
    if "geojson" in wanted:
        from planner.report.exports import write_geojson

        written += write_geojson(results, out_dir)
    if "geojson" in wanted or "gpkg" in wanted:
        from planner.report.exports import write_gpkg

        written.append(write_gpkg(results, out_dir / "sites.gpkg"))
    if "html" in wanted or "pdf" in wanted:
        from planner.report.model import build_report

        model = build_report(results)
        if "html" in wanted:
            from planner.report.html import write_html

            written.append(write_html(model, out_dir / "report.html"))
        if "pdf" in wanted:
            from planner.report.pdf import write_pdf

            written.append(write_pdf(model, out_dir / "report.pdf"))
    return written


def write_report(results: Results, path: Path | str) -> Path:
    """One report file, its type from the suffix (``.html``/``.htm`` or ``.pdf``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError("expected a report file name ending in .pdf or .html", file=path)
    from planner.report.model import build_report

    model = build_report(results)
    if suffix == ".pdf":
        from planner.report.pdf import write_pdf

        return write_pdf(model, path)
    from planner.report.html import write_html

    return write_html(model, path)
