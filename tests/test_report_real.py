"""The bundled example end to end: `planner optimize` writes the report a committee reads.

One real run (about half a minute): page 1 of its PDF names the recommended site, its cost per
delivered GPU-hour and its risks; the workbook shows numbers with units; the HTML's ids are
unique. Nothing here is hand-built: this is what the pipeline produces today.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from planner.cli.main import run
from planner.results import Results

pytestmark = pytest.mark.slow


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    code = run(["optimize", "training-16k", "--out", str(out), "--format", "pdf,html,xlsx,csv"])
    assert code == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="module")
def results(folder):
    return Results.load_json(folder / "results.json")


def test_page_one_names_the_site_its_cost_and_its_risks(folder, results):
    from pypdf import PdfReader

    from planner.report.decision import recommended_sites, risk_sentence, top_risks

    page = _flat(PdfReader(folder / "report.pdf").pages[0].extract_text())
    assert results.allocation.feasible and results.recommendation
    sites = recommended_sites(results)
    names = results.evaluation.metrics["name"]
    assert "Recommended: " in page
    for site in sites:
        assert str(names[site]) in page
    usd_h = results.build_vs_rent["usd_per_gpu_hour"]
    assert f"Cost per delivered GPU-hour {usd_h:.2f} USD" in page
    assert "Top risks of the recommended site" in page
    risks = top_risks(results, sites)
    assert risks
    for risk in risks:
        assert _flat(risk_sentence(risk, with_site=len(sites) > 1)) in page
    assert "Build or rent" in page and "Runner-up" in page and "Confidence" in page
    assert not re.search(r"\bbest\b", page, re.IGNORECASE)


def test_workbook_shows_numbers_with_units(folder, results):
    import openpyxl

    book = openpyxl.load_workbook(folder / "results.xlsx")
    assert book.sheetnames[:2] == ["Summary", "Scenario"]
    rows = {r[0].value: r for r in book["Summary"].iter_rows(min_row=2) if r[0].value}
    cost = rows["Cost per delivered GPU-hour"][1]
    assert cost.value == pytest.approx(results.build_vs_rent["usd_per_gpu_hour"])
    assert "USD/GPU-h" in cost.number_format
    metrics = book["metrics"]
    headers = [c.value for c in metrics[1]]
    tco = metrics.cell(row=2, column=headers.index("tco_usd") + 1)
    assert isinstance(tco.value, float) and '" USD"' in tco.number_format
    assert metrics.freeze_panes == "B2" and metrics["A1"].font.b


def test_html_ids_are_unique_and_csv_has_no_float_noise(folder):
    html = (folder / "report.html").read_text(encoding="utf-8")
    ids = [el.get("id") for el in ET.fromstring(html.split("\n", 1)[1]).iter() if el.get("id")]
    assert ids and len(ids) == len(set(ids))
    for cell in (folder / "metrics.csv").read_text(encoding="utf-8").replace("\n", ",").split(","):
        try:
            float(cell)
        except ValueError:
            continue
        assert len(cell.lstrip("-").split("e")[0].replace(".", "").lstrip("0")) <= 10, cell
