"""A real-size report stays readable: bounded page count, a sources table, list-valued figures."""

from __future__ import annotations

import re

import pytest
from report_fixtures import CHILLER_COP, make_large_results

from planner.report import write_outputs
from planner.report.model import build_report
from planner.report.sources import build_sources_section, value_range, value_text

MAX_PAGES = 40  # issue 7: the 1,570-row provenance printed in full gave 264 pages


@pytest.fixture(scope="module")
def large():
    return make_large_results()


@pytest.fixture(scope="module")
def large_pdf_pages(large, tmp_path_factory):
    from pypdf import PdfReader

    path = write_outputs(large, tmp_path_factory.mktemp("large"), ["pdf"])[0]
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(path).pages]


def test_large_result_shape(large):
    assert len(large.evaluation.metrics) == 60
    assert len(large.evaluation.provenance) > 1_400


def test_pdf_page_count_is_bounded(large_pdf_pages):
    assert len(large_pdf_pages) < MAX_PAGES
    text = " ".join(large_pdf_pages)
    assert "Sources used" in text
    assert "Figures per dataset and field" in text
    assert "Model parameters" in text
    assert "provenance.csv" in text  # the report says where the full provenance is
    # The field summary: 90 regions' prices counted, range with its unit. The fixture's price
    # of region i is 40 + (7 i mod 200): lowest 40 (i = 0), highest 40 + 199 at i = 57
    # (7 x 57 = 399 = 199 mod 200).
    assert "90 values, 40 to 239 USD/MWh" in text


def test_sources_table_lists_each_source_once(large):
    section = build_sources_section(
        large.evaluation.provenance, cooling_preset="hyperscale", gpu_models=["H100-SXM"]
    )
    citations = [row[1] for row in section.sources.rows]
    assert len(citations) == len(set(citations))
    assert any(c.startswith("Synthetic energy statistics 2023") for c in citations)
    # Only the preset in use is listed: 60 cooling rows of "hyperscale", none of the other.
    groups = [row[0] for row in section.parameters.rows]
    assert sum(g.startswith("cooling") for g in groups) == 60
    assert section.rows_total == len(large.evaluation.provenance)
    assert section.rows_used == section.rows_total - 60


def test_list_valued_parameter_renders(large):
    section = build_sources_section(large.evaluation.provenance, cooling_preset="hyperscale")
    cop = [r for r in section.parameters.rows if r[1] == "water_cooled_cop"]
    assert cop and cop[0][2] == "12, 10, 8.2, 6.9, 5.6"
    assert value_text(CHILLER_COP) == "12, 10, 8.2, 6.9, 5.6"
    # The whole model builds with list values in the provenance.
    assert build_report(large).sources.parameters.rows


def test_value_range_texts():
    assert value_range([41.0, 240.0, 90.0], "USD/MWh") == "3 values, 41 to 240 USD/MWh"
    assert value_range([2.0, 2.0], "0-5") == "2 values, 2 (scale 0-5)"
    assert value_range([True, False, False], "bool") == "3 values: 1 yes, 2 no"
    assert value_range(["12 monthly values"] * 2, "C") == "2 values: 12 monthly values"
    assert value_text(37_390_000.0) == "37,390,000"
