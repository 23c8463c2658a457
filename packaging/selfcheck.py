"""Self-check of a frozen build: do the bundled libraries find their data files?

A one-folder build can start and print ``--version`` and still fail the first time a report is
written, because a library could not find its fonts, its coordinate database or a Qt plugin.
This module exercises each such dependency once with a known answer. The frozen ``planner``
runs it instead of the command line when ``PLANNER_BUNDLE_SELFCHECK=1`` is set::

    PLANNER_BUNDLE_SELFCHECK=1 QT_QPA_PLATFORM=offscreen ./planner

It prints one JSON document ``{"ok": bool, "checks": {name: "ok" | error}}`` and exits 0 when
every check passes, 1 otherwise. It also runs unfrozen (``python packaging/selfcheck.py``).
"""

from __future__ import annotations

import io
import json
import math
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path


def _inside_bundle(path: Path) -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and not Path(path).resolve().is_relative_to(Path(bundle).resolve()):
        raise AssertionError(f"{path} is outside the bundle {bundle}")


def check_embedded_data() -> None:
    from planner.paths import data_dir, example_scenario, resources_dir

    _inside_bundle(data_dir())
    _inside_bundle(resources_dir())
    if not example_scenario().is_file():
        raise AssertionError("the default example scenario is missing")
    icons = list((resources_dir() / "icons").glob("*.svg"))
    if not icons:
        raise AssertionError("no application icon under resources/icons")


def check_cli_commands_importable() -> None:
    # The CLI imports its commands by name; each must have been collected into the bundle.
    import importlib

    from planner.cli.main import cli

    for spec in cli.lazy.values():
        module_name, attribute = spec.split(":")
        getattr(importlib.import_module(module_name), attribute)


def check_pyproj() -> None:
    from pyproj import CRS, Transformer

    if CRS.from_epsg(4326).name != "WGS 84":  # needs proj.db
        raise AssertionError("EPSG:4326 is not WGS 84: PROJ's database was not found")
    x_m, y_m = Transformer.from_crs(4326, 3857, always_xy=True).transform(10.0, 0.0)
    # Web Mercator x = R * lon_rad with R = 6,378,137 m (EPSG:3857 definition):
    # 6378137 * 10 * pi / 180 = 1,113,194.9079 m; y = 0 on the equator.
    if not (math.isclose(x_m, 1113194.9079, abs_tol=1e-3) and abs(y_m) < 1e-6):
        raise AssertionError(f"EPSG:3857 transform gave ({x_m}, {y_m})")


def check_geopandas_io() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 1)],
                             crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.geojson"
        frame.to_file(path, driver="GeoJSON")  # GDAL through pyogrio
        back = gpd.read_file(path)
    if list(back["name"]) != ["a", "b"] or back.crs.to_epsg() != 4326:
        raise AssertionError("GeoJSON round trip through GDAL lost rows or the CRS")


def check_scipy_milp() -> None:
    import numpy as np
    from scipy.optimize import LinearConstraint, milp

    # max x + y with x + 2y <= 4, 3x + y <= 6, x, y >= 0 integers. By enumeration the best
    # integer points are (2, 0), (1, 1), (0, 2): objective 2.
    res = milp(c=[-1.0, -1.0], constraints=LinearConstraint(np.array([[1, 2], [3, 1]]), ub=[4, 6]),
               integrality=np.ones(2))
    if not res.success or not math.isclose(-res.fun, 2.0):
        raise AssertionError(f"HiGHS MILP gave {res}")


def check_matplotlib() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 0, 1])
    ax.set_title("PUE by month")  # text needs the bundled fonts
    for fmt, magic in (("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt)
        if not buf.getvalue().startswith(magic):
            raise AssertionError(f"matplotlib wrote no {fmt}")


def check_report_templates() -> None:
    import importlib.util

    import jinja2

    env = jinja2.Environment(autoescape=True)
    if env.from_string("{{ x }} MW").render(x=12) != "12 MW":
        raise AssertionError("jinja2 rendered wrongly")
    spec = importlib.util.find_spec("planner.report")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "templates").is_dir():
            loader = jinja2.PackageLoader("planner.report", "templates")
            if not loader.list_templates():
                raise AssertionError("planner/report/templates is empty")


def check_xhtml2pdf() -> None:
    from xhtml2pdf import pisa

    html = ("<html><body><h1>Site ranking</h1><table><tr><th>site</th><th>score</th></tr>"
            "<tr><td>A</td><td>0.81</td></tr></table></body></html>")
    buf = io.BytesIO()
    status = pisa.CreatePDF(html, dest=buf)
    if status.err or not buf.getvalue().startswith(b"%PDF"):
        raise AssertionError(f"xhtml2pdf failed with {status.err} errors")


def check_openpyxl() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["site_id", "tco_usd"])
    buf = io.BytesIO()
    book.save(buf)
    if not buf.getvalue().startswith(b"PK"):
        raise AssertionError("openpyxl wrote no XLSX")


def check_qt_offscreen() -> None:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QLabel

    from planner.paths import resources_dir

    app = QApplication.instance() or QApplication(["planner"])
    svg = next((resources_dir() / "icons").glob("*.svg"))
    icon = QIcon(str(svg))
    if icon.isNull() or icon.pixmap(64, 64).isNull():  # needs the SVG icon-engine plugin
        raise AssertionError(f"Qt could not load {svg.name}")
    label = QLabel("GPU Site Planner")
    label.resize(200, 40)
    if label.grab().isNull():
        raise AssertionError("Qt could not render a widget offscreen")
    label.deleteLater()
    app.processEvents()


CHECKS: dict[str, Callable[[], None]] = {
    "embedded_data": check_embedded_data,
    "cli_commands": check_cli_commands_importable,
    "pyproj": check_pyproj,
    "geopandas_io": check_geopandas_io,
    "scipy_milp": check_scipy_milp,
    "matplotlib": check_matplotlib,
    "report_templates": check_report_templates,
    "xhtml2pdf": check_xhtml2pdf,
    "openpyxl": check_openpyxl,
    "qt_offscreen": check_qt_offscreen,
}


def run(verbose: bool = False) -> int:
    """Run every check, print the JSON summary on stdout and return the exit code."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - report every failure, not just the first
            results[name] = f"{type(exc).__name__}: {exc}"
            if verbose:
                traceback.print_exc()
    ok = all(v == "ok" for v in results.values())
    sys.stdout.write(json.dumps({"ok": ok, "checks": results}, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(verbose="-v" in sys.argv))
