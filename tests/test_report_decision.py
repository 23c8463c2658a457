"""Page 1 is the decision; "Why this site" explains it; the ranking is a weighted-score screening.

Read back from the PDF (pypdf) and the HTML, so what is tested is what a reader sees.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from report_fixtures import (
    CARBON_SWITCH_USD_PER_T,
    RUNNER_UP_DELTA_CO2_T,
    RUNNER_UP_DELTA_USD,
    make_explained_results,
    make_results,
)

from planner.report import write_outputs
from planner.report.decision import build_decision, site_risks, top_risks
from planner.report.html import render_html, unique_svg_ids
from planner.report.model import build_report


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def explained():
    return make_explained_results()


@pytest.fixture(scope="module")
def model(explained):
    return build_report(explained)


@pytest.fixture(scope="module")
def written(explained, tmp_path_factory):
    folder = tmp_path_factory.mktemp("decision")
    write_outputs(explained, folder, ["pdf", "html"])
    return folder


@pytest.fixture(scope="module")
def pages(written):
    from pypdf import PdfReader

    return [_flat(p.extract_text()) for p in PdfReader(written / "report.pdf").pages]


@pytest.fixture(scope="module")
def html(written):
    return (written / "report.html").read_text(encoding="utf-8")


def test_page_one_is_the_decision(explained, pages):
    page = pages[0]
    # The recommended sites and GPUs, the cost per delivered GPU-hour of the allocation.
    assert "Recommended: Luleå (10,240 GPUs) and Montréal, QC (2,048 GPUs)" in page
    usd_h = explained.build_vs_rent["usd_per_gpu_hour"]
    assert f"Cost per delivered GPU-hour {usd_h:.2f} USD" in page
    # Capital at full build-out, nominal: each site's whole-fleet capital times its share.
    m = explained.evaluation.metrics
    capital = (
        5 / 6 * m.at["se-lulea", "capital_nominal_usd"]
        + 1 / 6 * m.at["ca-qc-montreal", "capital_nominal_usd"]
    )
    assert f"Total capital, nominal USD {capital / 1e6:,.0f} M" in page
    assert "USD 890 million to 2035 with replacements" in page  # the cash flows' capital
    # Schedule: GPUs per phase and the month they run; the month power arrives per site.
    assert "Phase 3: B200 wanted Jul 2027" in page
    assert "2,048 run May 2028" in page  # Montréal's B200s run when its power arrives
    assert "May 2028 month 28" in page
    # Build versus rent, the constraint at its limit, confidence and the runner-up.
    assert "Build 28 % cheaper than renting" in page
    assert "Constraints at their limit: max_sites = 2 is binding" in page
    assert "recommended sites in 58 % of 256 draws" in page
    assert "1.31× its scenario value" in page  # the nearest switching value
    assert (
        f"Without Montréal, QC (Luleå and Oslo): +USD {RUNNER_UP_DELTA_USD / 1e6:.1f} million"
        in page
    )
    assert f"{RUNNER_UP_DELTA_CO2_T:+,.0f} t CO₂ over the horizon" in page
    # Never a "best" site: the weighted score is a screening view.
    assert "Highest weighted score (a screening view, not the recommendation): Luleå" in page


def test_top_risks_are_the_largest_of_the_recommended_sites(explained, pages):
    m = explained.evaluation.metrics
    risks = top_risks(explained, ["se-lulea", "ca-qc-montreal"])
    assert len(risks) == 3
    every = site_risks(explained, "se-lulea") + site_risks(explained, "ca-qc-montreal")
    assert [r.severity for r in risks] == sorted((r.severity for r in every), reverse=True)[:3]
    # Luleå's phases are wanted from month 0 but its power arrives in month 24 (ready after
    # its 24-month time to power): the largest risk, a full two years of waiting.
    assert risks[0].site_id == "se-lulea" and risks[0].kind == "waiting"
    assert "power arrives in month 24, 24 months after the fleet wants it" in risks[0].text
    # Montréal's grid: risk_grid x 300 minutes (no SAIDI in the synthetic provenance).
    grid = next(r for r in risks if r.kind == "grid")
    assert grid.site_id == "ca-qc-montreal"
    assert f"about {m.at['ca-qc-montreal', 'risk_grid'] * 300:,.0f} minutes a year" in grid.text
    page = pages[0]
    for risk in risks:
        assert _flat(f"{risk.site}: {risk.text}") in page


def test_risks_read_the_outage_minutes_and_water_stress_in_words():
    results = make_results()
    m = results.evaluation.metrics
    m.loc["se-lulea", ["risk_hazard", "water_stress", "risk_grid"]] = [0.8, 3.5, 0.413]
    m.loc["se-lulea", "region_code"] = "SE-SE1"
    extra = pd.DataFrame(
        [("regions", "SE-SE1", "saidi_minutes", 123.9, "min/yr", "EIA", 2023, "")],
        columns=results.evaluation.provenance.columns,
    )
    results.evaluation.provenance = pd.concat([results.evaluation.provenance, extra])
    texts = [r.text for r in site_risks(results, "se-lulea")]
    assert "high natural-hazard exposure (index 0.80 of 1)" in texts
    assert "high water stress (3.5 of 5, with evaporative cooling)" in texts
    assert "grid outages of about 124 minutes a year per customer (SAIDI)" in texts


def test_why_this_site_tables(model, pages):
    why = model.why
    alternatives = {row[0]: row for row in why.alternatives.rows}
    assert alternatives["Recommendation"][1] == "Luleå and Montréal, QC"
    assert alternatives["Without Montréal, QC"][3] == f"+{RUNNER_UP_DELTA_USD / 1e6:.1f}"
    assert alternatives["Luleå alone (top weighted score)"][2] == "infeasible"
    # Switching values: nearest first, with the new recommendation in words.
    first, second = why.switching.rows[:2]
    assert first[0] == "Electricity price at Luleå" and first[3] == "above 1.31×"
    assert second[0] == "Carbon price" and second[3] == f"above {CARBON_SWITCH_USD_PER_T:.0f} USD/t"
    assert second[5] == "Luleå and Oslo"
    text = " ".join(pages)
    assert "Why these sites" in text
    assert "Alternatives on the same basis" in text
    assert f"above {CARBON_SWITCH_USD_PER_T:.0f} USD/t" in text
    assert "Robustness of the allocation" in text and "Draws whose optimum uses" in text
    assert "Recommended at high" in text and "Oslo, Montréal, QC" in text  # tornado re-solved
    assert "Rent the whole fleet for the whole horizon" in text
    assert "Levelised cost per delivered GPU-hour" in text
    assert "Annual cash flows" in text and "Residual value" in text
    assert "t CO₂ over 2026–2035" in text and "Location-based (grid average)" in text


def test_why_numbers_add_up(explained, model):
    why = model.why
    # Levelised components sum to the allocation's cost per delivered GPU-hour.
    total = why.levelised.rows[-1]
    assert total[0] == "Total"
    assert float(total[1]) == pytest.approx(explained.build_vs_rent["usd_per_gpu_hour"], abs=1e-3)
    # Cash flows: a row per year and a total; the net cash column is the sum of the items.
    flows = explained.cash_flows
    assert [r[0] for r in why.cash_flows.rows] == [str(y) for y in flows["year"]] + ["Total"]
    net = flows[[c for c in flows if c.endswith("_usd") and c != "present_value_usd"]].sum(axis=1)
    assert why.cash_flows.rows[-1][7] == f"{net.sum() / 1e6:,.1f}"
    # Scope 2: a year at full build-out and the horizon, both bases.
    scope2 = {r[0]: r for r in why.scope2.rows}
    loc = scope2["Location-based (grid average)"]
    assert loc[1] == f"{explained.scope2['location_t_per_year']:,.0f}"
    assert loc[2] == f"{explained.scope2['location_t_horizon']:,.0f}"


def test_robustness_chart_is_the_shared_chart(model, explained):
    fig = model.charts["robustness"]
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:2] == ["Luleå", "Montréal, QC"]  # the highest bars, most frequent first
    widths = sorted((p.get_width() for p in ax.patches), reverse=True)
    assert widths[0] == pytest.approx(91.0)


def test_no_site_is_called_best(pages, html):
    text = " ".join(pages)
    before_sources = text[: text.rfind("Data sources")]
    assert not re.search(r"\bbest\b", before_sources, re.IGNORECASE)
    body = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\bbest\b", body[: body.rfind("Data sources")], re.IGNORECASE)
    assert "Weighted-score screening" in text
    # The caption says what the ranking lists.
    assert "The 10 of 12 candidate sites that pass every hard constraint" in text
    assert "the 2 that fail one are grouped by rule below" in text


def test_excluded_sites_are_grouped_by_rule(tmp_path):
    results = make_results()
    ranking = results.ranking
    more = "water stress 4.3 exceeds the 4.0 limit"
    ranking.loc["sg-singapore", ["feasible", "reasons"]] = [False, more]
    ranking.loc["us-az-phoenix", "reasons"] = "water stress 4.6 exceeds the 4.0 limit"
    ranking.loc["ie-dublin", "reasons"] = (
        "time to power 60 months exceeds the 48-month limit; water stress 4.1 exceeds the 4.0 limit"
    )
    model = build_report(results)
    groups = {g.rule: g.sites for g in model.excluded}
    assert sorted(groups["Water stress above the limit of 4.0"]) == [
        "Dublin (4.1)",
        "Phoenix, AZ (4.6)",
        "Singapore (4.3)",
    ]
    assert groups["Time to power above the limit of 48 months"] == ["Dublin (60 months)"]
    assert len(model.excluded) == 2  # one line per rule, not one per site
    # The screening table lists the sites that pass; the others only in their rule's line.
    assert len(model.ranking.rows) == int(results.ranking["feasible"].sum()) == 9
    assert not any(row[1] in ("Dublin", "Singapore", "Phoenix, AZ") for row in model.ranking.rows)
    html = render_html(model)
    assert html.count("Water stress above the limit of 4.0") == 1


def test_html_ids_are_unique_and_content_matches_the_pdf(html, pages, model):
    root = ET.fromstring(html.split("\n", 1)[1])
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1][:5]
    assert {"decision", "why", "summary", "ranking", "map", "sources"} <= set(ids)
    # Every inline chart's references point at its own ids.
    refs = re.findall(r'(?:url\(#|href="#)([^")]+)', html)
    assert set(refs) <= set(ids)
    # The same decision in both.
    text = " ".join(pages)
    plain = _flat(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'"))
    for line in [model.decision.headline, *model.decision.risks, model.decision.runner_up]:
        assert _flat(line) in text
        assert _flat(line).replace("&", "&amp;") in plain


def test_svg_ids_are_prefixed_with_their_references():
    svg = (
        '<svg id="a"><clipPath id="p1"/><g clip-path="url(#p1)"><use xlink:href="#p10"/></g></svg>'
    )
    out = unique_svg_ids(svg, "c3-")
    assert 'id="c3-a"' in out and 'id="c3-p1"' in out and "url(#c3-p1)" in out
    assert 'href="#p10"' in out  # an id the SVG does not define is left alone


def test_old_results_render_without_the_newer_keys(tmp_path):
    from pypdf import PdfReader

    results = make_results()  # no recommendation, build versus rent, cash flows or Scope 2
    decision = build_decision(results)
    assert decision.feasible and decision.headline.startswith("Recommended: Luleå")
    path = write_outputs(results, tmp_path, ["pdf"])[0]
    text = " ".join(_flat(p.extract_text()) for p in PdfReader(path).pages)
    assert "Robustness of the allocation (Monte Carlo re-solves) was not computed" in text
    assert "Alternatives were not solved for this run" in text
    assert "Market-based (contracts, residual mix)" in text  # Scope 2 from the metrics


def test_infeasible_page_one(tmp_path):
    from pypdf import PdfReader

    results = make_results(feasible=False)
    path = write_outputs(results, tmp_path, ["pdf"])[0]
    page = _flat(PdfReader(path).pages[0].extract_text())
    assert "No allocation meets every rule" in page
    assert "the fleet needs 52 MW" in page
    assert "Highest weighted score (a screening view, not the recommendation): Luleå" in page
