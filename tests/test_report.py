"""HTML and PDF reports: the numbers of the results appear, user text is escaped, CLI works."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest
from report_fixtures import SCENARIO_NAME, make_results

from planner.cli.main import run
from planner.errors import InputError
from planner.report import write_outputs, write_report
from planner.report.html import render_html
from planner.report.model import build_report

HOSTILE = 'Fleet <script>alert("x")</script> & co'


@pytest.fixture(scope="module")
def results():
    return make_results()


@pytest.fixture(scope="module")
def model(results):
    return build_report(results)


@pytest.fixture(scope="module")
def pdf_path(results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    # Written from the user's own folder, far from the installed fonts: a layout engine that
    # reads local files from the working directory only must still embed them.
    here = os.getcwd()
    os.chdir(folder)
    try:
        path = write_outputs(results, folder, ["pdf"])[0]
    finally:
        os.chdir(here)
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf_path):
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(pdf_path).pages]


def test_pdf_embeds_its_fonts_from_any_working_folder(pdf_path):
    # xhtml2pdf 0.2.28 confines local reads to the working directory unless told otherwise: the
    # fonts were then dropped (Helvetica without CO2 or CJK glyphs, or every letter as glyph 0).
    from pypdf import PdfReader

    fonts = {
        str(font.get_object().get("/BaseFont"))
        for page in PdfReader(pdf_path).pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any(name.endswith("+DejaVuSans") for name in fonts), fonts


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_summary_numbers_from_hand_calculation(results, model):
    m = results.evaluation.metrics
    # Allocation: Luleå 10,240 GPUs and Montréal 2,048 of 12,288, i.e. shares 5/6 and 1/6.
    expected = (
        5 / 6 * m.loc["se-lulea", "usd_per_gpu_hour"]
        + 1 / 6 * m.loc["ca-qc-montreal", "usd_per_gpu_hour"]
    )
    assert model.numbers["usd_per_gpu_hour"] == pytest.approx(expected)
    assert model.numbers["tco_usd"] == pytest.approx(results.allocation.summary["cost_usd"].sum())
    assert model.numbers["time_to_power_months"] == 28  # Montréal 28 months, Luleå 24
    assert model.recommended == ["Luleå", "Montréal, QC"]
    assert any("Luleå (83%, 10,240 GPUs)" in s for s in model.summary)


def test_pdf_contains_scenario_site_and_numbers(pdf_text, model):
    assert len(pdf_text) >= 6
    first = _flat(pdf_text[0])
    assert SCENARIO_NAME in first
    assert "Recommended: Luleå (10,240 GPUs) and Montréal, QC (2,048 GPUs)" in first
    assert f"{model.numbers['usd_per_gpu_hour']:.2f} USD" in first
    everything = _flat(" ".join(pdf_text))
    assert "Summary" in everything
    assert f"{model.numbers['usd_per_gpu_hour']:.2f} USD per GPU-hour" in everything
    assert f"{model.numbers['co2_t_per_year']:,.0f} t of CO2" in everything
    assert "Weighted-score screening" in everything and "Data sources" in everything
    assert "NVIDIA DGX H100 datasheet" in everything  # provenance row
    # The failed-constraint rule, with the site's own figure.
    assert "Dublin (60 months)" in everything
    assert "fleet.phases[2].gpu" in everything and "B200" in everything  # the scenario in full
    # Every page carries the footer with its number.
    assert all(f"page {i + 1} of {len(pdf_text)}" in _flat(t) for i, t in enumerate(pdf_text))


def test_html_is_well_formed_and_escapes_user_text(tmp_path):
    results = make_results(HOSTILE)
    results.evaluation.metrics.loc["se-lulea", "name"] = "Luleå <b>bold</b>"
    path = write_report(results, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    ET.fromstring(text.split("\n", 1)[1])  # well-formed XML after the doctype line
    assert "<script>" not in text and "<b>bold</b>" not in text
    assert "Fleet &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in text
    assert "Luleå &lt;b&gt;bold&lt;/b&gt;" in text


def test_infeasible_and_no_pareto(tmp_path):
    from pypdf import PdfReader

    results = make_results(HOSTILE, feasible=False, with_pareto=False)
    results.sensitivity = None
    results.uncertainty = None
    model = build_report(results)
    assert model.allocation is None and not model.recommended
    assert "pareto" not in model.charts and "tornado" not in model.charts
    assert any("No allocation meets every rule" in s for s in model.summary)
    assert any("feasible site with the highest weighted score is Luleå" in s for s in model.summary)
    html = render_html(model)
    ET.fromstring(html.split("\n", 1)[1])
    assert "the fleet needs 52 MW" in html
    path = write_report(results, tmp_path / "r.pdf")
    assert HOSTILE in _flat(PdfReader(path).pages[0].extract_text())  # shown as text, not markup


def test_html_has_every_section(model):
    html = render_html(model)
    for anchor in (
        "decision",
        "why",
        "summary",
        "map",
        "ranking",
        "excluded",
        "comparison",
        "site-1",
        "analysis",
        "assumptions",
        "sources",
    ):
        assert f'id="{anchor}"' in html
    assert html.count("<svg") >= 6  # contributions, per-site charts, tornado, analysis charts


def test_report_rejects_other_suffix(results, tmp_path):
    with pytest.raises(InputError, match=r"\.pdf or \.html"):
        write_report(results, tmp_path / "report.docx")


def test_cli_report_from_results_json(results, tmp_path, capsys):
    source = results.save_json(tmp_path / "results.json")
    out = tmp_path / "again.html"
    assert run(["report", str(source), "--out", str(out), "--json"]) == 0
    doc = capsys.readouterr().out
    assert '"report"' in doc and out.is_file()
    assert SCENARIO_NAME in out.read_text(encoding="utf-8")
    # No silent overwrite; bad suffix and missing source are bad input (exit 2).
    assert run(["report", str(source), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert run(["report", str(source), "--out", str(out), "--overwrite"]) == 0
    assert run(["report", str(source), "--out", str(tmp_path / "r.txt")]) == 2
    assert run(["report", str(tmp_path / "missing.json"), "--out", str(tmp_path / "m.pdf")]) == 2
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert run(["report", str(tmp_path / "bad.json"), "--out", str(tmp_path / "b.pdf")]) == 2
