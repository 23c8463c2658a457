"""CSV, XLSX, GeoJSON and GeoPackage exports re-read to the values that went in."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from report_fixtures import make_results

from planner.errors import InputError
from planner.report import parse_formats, write_outputs
from planner.report.exports import hourly_table, safe_filename


@pytest.fixture(scope="module")
def results():
    return make_results()


@pytest.fixture(scope="module")
def csv_dir(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("csv")
    write_outputs(results, out, ["csv"])
    return out


def test_csv_files_written(csv_dir, results):
    names = sorted(p.name for p in csv_dir.iterdir())
    # The synthetic allocation puts GPUs at the two top-ranked sites.
    chosen = list(results.allocation.gpus.index)
    assert names == sorted(
        ["ranking.csv", "metrics.csv", "allocation.csv", "provenance.csv"]
        + [f"hourly_{s}.csv" for s in chosen]
    )


def test_ranking_csv_rereads(csv_dir, results):
    table = pd.read_csv(csv_dir / "ranking.csv", index_col="site_id")
    assert list(table.index) == list(results.ranking.sort_values("rank").index)
    # CSV keeps 10 significant digits.
    np.testing.assert_allclose(
        table["score"], results.ranking["score"].reindex(table.index), rtol=1e-9
    )
    assert table.loc["ie-dublin", "reasons"].startswith("time to power 60 months")
    assert table.loc["se-lulea", "name"] == "Luleå"  # UTF-8 round trip


def test_metrics_csv_units_in_headers(csv_dir, results):
    table = pd.read_csv(csv_dir / "metrics.csv", index_col="site_id")
    for column in ("usd_per_gpu_hour", "tco_usd", "water_m3_per_year", "co2_market_t_per_year"):
        assert column in table
        np.testing.assert_allclose(
            table[column], results.evaluation.metrics[column].reindex(table.index), rtol=1e-9
        )
    # Unlimited capacity is written as inf and reads back as inf.
    assert np.isinf(table.loc["us-va-ashburn", "capacity_mw"])


def test_allocation_csv(csv_dir, results):
    table = pd.read_csv(csv_dir / "allocation.csv", index_col="site_id")
    # 4 + 4 + 2 blocks of 1,024 GPUs at the first site and 2 blocks at the second.
    assert table["gpus"].to_dict() == {"se-lulea": 10 * 1024, "ca-qc-montreal": 2 * 1024}
    assert table.loc["se-lulea", "gpus_phase_2"] == 2048
    assert table["share"].sum() == pytest.approx(1.0)


def test_hourly_csv(csv_dir, results):
    table = pd.read_csv(csv_dir / "hourly_ca-qc-montreal.csv")
    assert len(table) == 8760
    assert {"pue", "wue_l_per_kwh", "it_power_kw", "facility_power_kw", "water_l"} <= set(table)
    row = results.evaluation.site_ids.index("ca-qc-montreal")
    ev = results.evaluation
    np.testing.assert_allclose(table["pue"], ev.hourly_pue[ev.hourly_row(row)], rtol=1e-5)
    # Montreal holds 2,048 of 12,288 GPUs; the January IT energy of the whole fleet there is
    # spread over January's 744 hours.
    monthly = results.evaluation.monthly
    jan_mwh = monthly[(monthly.site_id == "ca-qc-montreal") & (monthly.month == 1)][
        "it_energy_mwh"
    ].item()
    assert table["it_power_kw"].iloc[0] == pytest.approx(
        jan_mwh / 744 * 1000 * 2048 / 12288, rel=1e-5
    )
    np.testing.assert_allclose(
        table["facility_power_kw"], table["it_power_kw"] * table["pue"], rtol=1e-5
    )


def test_hourly_is_8760_in_a_leap_start_year(results):
    leap = make_results()
    leap.scenario.scenario.start_year = 2028
    table = hourly_table(leap, "se-lulea")
    assert len(table) == 8760 and not table["time_local"].str.startswith("02-29").any()
    assert table["time_local"].iloc[-1] == "12-31 23:00"


def test_xlsx_rereads(results, tmp_path):
    (path,) = write_outputs(results, tmp_path, "xlsx")
    sheets = pd.read_excel(path, sheet_name=None, index_col=None)
    assert {"ranking", "metrics", "allocation", "pareto", "sensitivity", "sources"} <= set(sheets)
    assert len(sheets["provenance"]) == len(results.evaluation.provenance)
    # One row per distinct source, counting the provenance rows that cite it.
    assert sheets["sources"]["rows"].sum() == len(results.evaluation.provenance)
    ranking = sheets["ranking"].set_index("site_id")
    np.testing.assert_allclose(ranking["score"], results.ranking["score"].reindex(ranking.index))
    metrics = sheets["metrics"].set_index("site_id")
    np.testing.assert_allclose(
        metrics["tco_usd"], results.evaluation.metrics["tco_usd"].reindex(metrics.index)
    )
    np.testing.assert_allclose(sheets["pareto"]["co2_t"], results.pareto["co2_t"])


def test_geojson_and_gpkg_reread(results, tmp_path):
    import geopandas as gpd

    paths = write_outputs(results, tmp_path, ["geojson"])
    assert {p.name for p in paths} == {"sites.geojson", "allocation.geojson", "sites.gpkg"}
    data = json.loads((tmp_path / "sites.geojson").read_text(encoding="utf-8"))
    assert len(data["features"]) == 12
    lulea = next(f for f in data["features"] if f["properties"]["site_id"] == "se-lulea")
    assert lulea["geometry"]["coordinates"] == pytest.approx([22.15, 65.58])
    assert lulea["properties"]["rank"] == 1 and lulea["properties"]["allocated_gpus"] == 10240
    assert lulea["properties"]["score"] == pytest.approx(results.ranking.loc["se-lulea", "score"])
    sites = gpd.read_file(tmp_path / "sites.gpkg", layer="sites").set_index("site_id")
    np.testing.assert_allclose(
        sites["usd_per_gpu_hour"],
        results.evaluation.metrics["usd_per_gpu_hour"].reindex(sites.index),
    )
    assert sites.crs.to_epsg() == 4326
    alloc = gpd.read_file(tmp_path / "sites.gpkg", layer="allocation")
    assert sorted(alloc["gpus"]) == [2048, 10240]


def test_infeasible_allocation_exports(tmp_path):
    results = make_results(feasible=False, with_pareto=False)
    paths = write_outputs(results, tmp_path, "csv,xlsx,geojson")
    assert (tmp_path / "allocation.csv").read_text(encoding="utf-8").startswith("site_id")
    # With no allocation the hourly file is written for the top-ranked feasible site.
    assert (tmp_path / "hourly_se-lulea.csv") in paths
    assert "pareto" not in pd.read_excel(tmp_path / "results.xlsx", sheet_name=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("us-va-ashburn", "us-va-ashburn"),
        ("../../etc/passwd", "etc-passwd"),
        ("Luleå / Boden", "Lulea-Boden"),
        ("<script>", "script"),
        ("CON", "CON_"),
        ("...", "site"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


def test_unknown_format_is_input_error():
    with pytest.raises(InputError, match="unknown output format 'docx'"):
        parse_formats("pdf,docx")
    assert parse_formats(" PDF, csv ,") == ["csv", "pdf"]


def test_provenance_csv_rereads(tmp_path):
    from report_fixtures import CHILLER_COP, make_large_results

    large = make_large_results()
    write_outputs(large, tmp_path, ["csv"])
    prov = large.evaluation.provenance
    table = pd.read_csv(tmp_path / "provenance.csv", keep_default_na=False)
    assert len(table) == len(prov)
    assert list(table.columns[:7]) == ["dataset", "key", "field", "value", "unit", "source", "year"]
    price = table[(table["key"] == "US-VA") & (table["field"] == "price_usd_per_mwh")]
    expected = prov[(prov["key"] == "US-VA") & (prov["field"] == "price_usd_per_mwh")]
    assert float(price["value"].iloc[0]) == expected["value"].iloc[0]
    # A tabulated curve is one cell, numbers separated by "; ".
    cop = table[table["field"] == "water_cooled_cop"]["value"].iloc[0]
    assert [float(v) for v in cop.split(";")] == CHILLER_COP


def test_csv_has_no_float_noise(tmp_path):
    results = make_results()
    metrics = results.evaluation.metrics
    metrics.loc["se-lulea", "pue_annual"] = 0.1 + 0.2  # 0.30000000000000004
    results.evaluation.provenance.loc[0, "value"] = 1.1 * 3  # 3.3000000000000003, mixed column
    write_outputs(results, tmp_path, ["csv"])
    text = (tmp_path / "metrics.csv").read_text(encoding="utf-8")
    assert "0.30000000000000004" not in text and ",0.3," in text
    assert "3.3000000000000003" not in (tmp_path / "provenance.csv").read_text(encoding="utf-8")
    for name in ("metrics", "ranking", "allocation", "provenance"):
        cells = (tmp_path / f"{name}.csv").read_text(encoding="utf-8").replace("\n", ",")
        for cell in cells.split(","):
            try:
                float(cell)
            except ValueError:
                continue
            digits = cell.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
            assert len(digits) <= 10, (name, cell)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    import openpyxl
    from report_fixtures import make_explained_results

    results = make_explained_results()
    folder = tmp_path_factory.mktemp("xlsx")
    (path,) = write_outputs(results, folder, ["xlsx"])
    return results, openpyxl.load_workbook(path)


def test_xlsx_summary_is_the_page_one_answer(workbook):
    results, book = workbook
    assert book.sheetnames[:2] == ["Summary", "Scenario"]
    sheet = book["Summary"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2) if r[0].value}
    assert rows["Recommended sites"][1].value == "Luleå; Montréal, QC"
    assert rows["GPUs at Luleå"][1].value == 10240
    cost = rows["Cost per delivered GPU-hour"][1]
    assert cost.value == pytest.approx(results.build_vs_rent["usd_per_gpu_hour"])
    assert cost.number_format == '0.000" USD/GPU-h"'
    capital = rows["Total capital at full build-out, nominal"][1]
    assert isinstance(capital.value, float) and capital.number_format == '#,##0" USD"'
    assert rows["Power arrives at Montréal, QC"][2].value == "May 2028 (month 28)"
    assert rows["Risk 1"][1].value.startswith("Luleå: power arrives in month 24")
    assert rows["Runner-up"][1].value.startswith("Without Montréal, QC")
    assert rows["Draws with the same sites optimal"][1].number_format == "0%"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b


def test_xlsx_scenario_sheet_has_every_setting(workbook):
    results, book = workbook
    rows = {r[0].value: r[1].value for r in book["Scenario"].iter_rows(min_row=2)}
    assert rows["scenario.name"] == results.scenario.name
    assert rows["fleet.phases[2].gpu"] == "B200"
    assert rows["fleet.phases[1].start_month"] == 6  # a number, not text
    assert rows["scenario.discount_rate"] == pytest.approx(0.08)


def test_xlsx_numbers_carry_their_units(workbook):
    results, book = workbook
    sheet = book["metrics"]
    headers = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "B2"

    def cell(column: str):
        return sheet.cell(row=2, column=headers.index(column) + 1)

    assert cell("tco_usd").number_format.startswith('#,##0" USD"')
    assert isinstance(cell("tco_usd").value, float)  # a number, shown with its unit
    assert cell("usd_per_gpu_hour").number_format == '0.000" USD/GPU-h"'
    assert cell("co2_market_t_per_year").number_format == '#,##0" t/yr"'
    assert cell("water_m3_per_year").number_format == '#,##0" m³/yr"'
    assert cell("time_to_power_months").number_format == '0" months"'
    assert cell("pue_annual").number_format == "0.000"
    assert cell("name").number_format == "General"
    # Widths fitted: the site id column is at least as wide as the longest id.
    longest = max(len(str(s)) for s in results.evaluation.metrics.index)
    assert sheet.column_dimensions["A"].width >= longest
    allocation = book["allocation"]
    head = [c.value for c in allocation[1]]
    assert allocation.cell(row=2, column=head.index("share") + 1).number_format == "0.0%"
    flows = book["cash_flows"]
    head = [c.value for c in flows[1]]
    assert flows.cell(row=2, column=head.index("year") + 1).number_format == "0"
    assert flows.cell(row=2, column=head.index("capital_usd") + 1).number_format.startswith(
        '#,##0" USD"'
    )
    robust = {r[0].value: r[2] for r in book["allocation_robustness"].iter_rows(min_row=2)}
    assert robust["se-lulea"].value == pytest.approx(0.91)
    assert robust["se-lulea"].number_format == "0.0%"
    tornado = book["sensitivity"]
    head = [c.value for c in tornado[1]]
    assert tornado.cell(row=2, column=head.index("low") + 1).number_format.endswith('USD/GPU-h"')
    assert tornado.cell(row=3, column=head.index("sites_high") + 1).value == "Oslo; Montréal, QC"
