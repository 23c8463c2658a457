"""The recommendation explained: build vs rent, yearly cash flows and Scope 2."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from planner.evaluate import evaluate_arrays, load_finance
from planner.optimize.allocate import allocate
from planner.optimize.explain import (
    annual_cash_flows,
    build_vs_rent,
    explain_allocation,
    monthly_cash,
    rent_only_usd,
    scope2,
)
from planner.paths import data_dir
from planner.results import Results
from planner.scenario import load_scenario
from tests.test_evaluate import CENTERS, GPUS, IT_KW, scenario, sites

FINANCE, _ = load_finance()


def hand_case(rent_usd_per_gpu_hour: float = 2.5):
    """One site ready at once, 1,024 H100 for one year at 0 %, flat load, no escalation."""
    sc = scenario(cloud_gpu_hour_usd=rent_usd_per_gpu_hour)
    ev = evaluate_arrays(sc, sites(n=1, ttp=(0,)), GPUS, CENTERS, FINANCE)
    return sc, ev, allocate(ev, sc)


def test_hand_calculated_cash_flows():
    sc, ev, alloc = hand_case()
    cash = monthly_cash(ev, sc, alloc, gpu_catalog=GPUS, finance=FINANCE)
    flows = annual_cash_flows(cash, 2026, 0.0)
    row = flows.iloc[0]
    assert list(flows["year"]) == [2026]
    # GPUs: 1,024 x 25,000 = 25,600,000 USD bought in January; a 5-year life at 0 % charges
    # 426,666.67 a month, so after the one-year horizon 48 months are left: 20,480,000 USD.
    gpu_capital = 1024 * 25_000.0
    facility = ev.metrics.loc["s0"]
    facility_capex = facility["capital_nominal_usd"] - gpu_capital
    assert row["capital_usd"] == pytest.approx(gpu_capital + facility_capex, rel=1e-9)
    # Energy: 1,031.424 kW x 1.2 x 8,760 h = 10,842.33 MWh x 50 USD = 542,116.45 USD.
    assert row["energy_usd"] == pytest.approx(542_116.45, abs=0.1)
    assert row["rent_usd"] == 0.0 and row["carbon_usd"] == 0.0
    # Residual: 48 of 60 GPU months (20,480,000) plus the facility's unused lives.
    assert -row["residual_usd"] > 48 / 60 * gpu_capital
    # At 0 % the year's cash is the evaluation's TCO: 5,120,000 of GPUs + energy + facility.
    assert row["present_value_usd"] == pytest.approx(facility["tco_usd"], rel=1e-9)
    assert row.drop(["year", "present_value_usd"]).sum() == pytest.approx(facility["tco_usd"])
    # Renting: 1,024 GPUs x 8,760 useful hours (utilization 1) x 2.5 USD = 22,425,600 USD.
    assert rent_only_usd(ev, sc) == pytest.approx(22_425_600.0)
    assert IT_KW == pytest.approx(1_031.424)


def test_building_cheaper_says_so():
    sc, ev, alloc = hand_case(2.5)
    out = build_vs_rent(alloc, rent_only_usd(ev, sc), 1)
    assert out["build_usd"] < out["rent_only_usd"]
    assert out["verdict"].startswith("Building at the recommended sites costs")
    assert out["rent_then_build_usd"] == out["build_usd"] + out["bridge_rent_usd"]


def test_renting_cheaper_says_so():
    sc, ev, alloc = hand_case(0.2)  # 1,024 x 8,760 x 0.2 = 1,794,048 USD: below the GPUs alone
    out = build_vs_rent(alloc, rent_only_usd(ev, sc), 1)
    assert out["rent_only_usd"] == pytest.approx(1_794_048.0)
    diff = out["rent_then_build_usd"] - out["rent_only_usd"]
    assert out["verdict"].startswith(
        f"Renting the whole fleet costs {diff / 1e6:,.1f} M USD "
        f"({100 * diff / out['rent_then_build_usd']:.0f} %) less than building"
    )
    assert "over 1 year." in out["verdict"]


@pytest.fixture(scope="module", params=["training-16k", "retail-seasonal"])
def bundled(request):
    from planner.optimize.run import run_scenario

    sc = load_scenario(data_dir() / "scenarios" / f"{request.param}.toml")
    return request.param, run_scenario(sc)


def test_present_value_of_cash_flows_is_build_plus_bridge(bundled):
    """The identity: discounted yearly cash = build + bridge = the allocation's own cost."""
    name, results = bundled
    bvr, flows = results.build_vs_rent, results.cash_flows
    total = bvr["build_usd"] + bvr["bridge_rent_usd"]
    assert flows["present_value_usd"].sum() == pytest.approx(total, rel=1e-9)
    assert total == pytest.approx(results.allocation.objective_usd, rel=1e-9)
    # The bridge rent column, discounted, is the summary's delay rent.
    assert (flows["rent_usd"] > 0).any() == (bvr["bridge_rent_usd"] > 0)
    horizon = results.scenario.scenario.horizon_years
    start = results.scenario.scenario.start_year
    assert list(flows["year"]) == list(range(start, start + horizon))
    if name == "retail-seasonal":
        assert bvr["verdict"].startswith("Renting the whole fleet costs")
    else:
        assert bvr["verdict"].startswith("Building at the recommended sites costs")


def test_scope2_both_ways(bundled):
    _, results = bundled
    s2 = results.scope2
    summary = results.allocation.summary
    assert s2["market_t_horizon"] == pytest.approx(summary["co2_t"].sum())
    metrics = results.evaluation.metrics.reindex(summary.index)
    share = summary["share"]
    assert s2["location_t_per_year"] == pytest.approx(
        (metrics["co2_location_t_per_year"] * share).sum()
    )
    assert s2["market_t_per_year"] == pytest.approx(
        (metrics["co2_market_t_per_year"] * share).sum()
    )
    assert s2 == scope2(results.evaluation, results.scenario, results.allocation)


def test_results_json_round_trip(bundled, tmp_path):
    _, results = bundled
    path = results.save_json(tmp_path / "results.json")
    back = Results.load_json(path)
    assert back.build_vs_rent == results.build_vs_rent
    assert back.scope2 == pytest.approx(results.scope2)
    np.testing.assert_allclose(back.cash_flows.to_numpy(float), results.cash_flows.to_numpy(float))
    # A results.json from before these fields still loads.
    data = json.loads(path.read_text())
    for key in ("build_vs_rent", "cash_flows", "scope2", "recommendation"):
        data.pop(key)
    (tmp_path / "old.json").write_text(json.dumps(data))
    old = Results.load_json(tmp_path / "old.json")
    assert old.build_vs_rent is None and old.cash_flows is None and old.scope2 is None
    assert old.recommendation is None
    assert back.recommendation == results.recommendation


def test_bad_explanation_is_refused(bundled, tmp_path):
    from planner.errors import InputError

    _, results = bundled
    # A copy: to_json_dict shares the explanation's dicts with the (module-wide) results.
    data = copy.deepcopy(results.to_json_dict())
    data["build_vs_rent"]["rent_only_usd"] = "cheap"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match="build_vs_rent.rent_only_usd"):
        Results.load_json(tmp_path / "bad.json")
    data = copy.deepcopy(results.to_json_dict())
    data["recommendation"]["alternatives"][0]["delta_cost_usd"] = "more"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"recommendation.alternatives\[0\]"):
        Results.load_json(tmp_path / "bad.json")


def test_infeasible_gives_nulls():
    from planner.results import Allocation

    sc, ev, _ = hand_case()
    assert explain_allocation(ev, sc, Allocation("infeasible", "No.")) == (None, None, None)


def test_optimize_json_keys(bundled):
    from pathlib import Path

    from planner.cli.options import to_jsonable
    from planner.optimize.batch import Job, run_json

    _, results = bundled
    doc = to_jsonable(run_json(results, Job(Path("s.toml"), Path("out"), ("json",))))
    assert set(doc["build_vs_rent"]) == {
        "build_usd",
        "bridge_rent_usd",
        "rent_only_usd",
        "rent_then_build_usd",
        "verdict",
        "gpu_hours",
        "usd_per_gpu_hour",
        "usd_per_gpu_hour_by_component",
    }
    # The levelised parts add up to the whole, which is build + bridge over the GPU-hours.
    bvr = doc["build_vs_rent"]
    parts = bvr["usd_per_gpu_hour_by_component"]
    assert set(parts) == {"capital", "opex", "energy", "carbon", "rent"}
    assert sum(parts.values()) == pytest.approx(bvr["usd_per_gpu_hour"], rel=1e-12)
    assert bvr["usd_per_gpu_hour"] * bvr["gpu_hours"] == pytest.approx(
        bvr["rent_then_build_usd"], rel=1e-6
    )
    assert set(doc["cash_flows"][0]) >= {
        "year",
        "capital_usd",
        "opex_usd",
        "energy_usd",
        "rent_usd",
        "carbon_usd",
    }
    assert set(doc["scope2"]) == {
        "location_t_per_year",
        "market_t_per_year",
        "location_t_horizon",
        "market_t_horizon",
    }
    rec = doc["recommendation"]
    assert set(rec) == {
        "objective",
        "sites",
        "why",
        "alternatives",
        "switching_values",
        "robustness",
    }
    assert set(rec["sites"][0]) == {"site_id", "name", "gpus", "share"}
    assert set(rec["alternatives"][0]) >= {
        "site_id",
        "name",
        "role",
        "cost_usd",
        "delta_cost_usd",
        "delta_co2_t",
        "delta_water_m3",
        "sentence",
    }
    json.dumps(doc, allow_nan=False)


def test_evaluation_without_cost_columns_gives_nulls():
    from tests.optimizer_fixtures import make_evaluation, make_scenario

    sc = make_scenario()
    ev = make_evaluation(sc, 10, 3)
    alloc = allocate(ev, sc)
    assert alloc.feasible
    assert explain_allocation(ev, sc, alloc) == (None, None, None)


def test_recommendation_and_alternatives_by_hand():
    # tests/test_allocate.hand_instance: A (50 M fixed, 100 M per block, holds 2 blocks) and B
    # (10 M fixed, 130 M per block). The recommendation is 2 at A + 1 at B: 50 + 10 + 200 +
    # 130 = 390 M USD, CO2 2 x 1,000 + 5,000 = 7,000 t, water 2 x 10 + 20 = 40 m3.
    import pandas as pd

    from planner.optimize.recommend import recommend
    from tests.test_allocate import hand_instance

    sc, ev = hand_instance()
    screen = pd.Series(True, index=ev.metrics.index)
    ranking = pd.DataFrame({"feasible": [True, True]}, index=pd.Index(["B", "A"], name="site_id"))
    rec = recommend(ev, sc, screen, ranking, allocate(ev, sc, screen))
    assert rec["objective"] == (
        "net present cost + carbon at 0 USD/t + water at 0 USD/m³ (stress-weighted)"
        " + risk at 0 USD per MW-year at risk score 1"
    )
    assert [(s["site_id"], s["gpus"]) for s in rec["sites"]] == [("A", 2048.0), ("B", 1024.0)]
    alts = {(a["role"], a["site_id"]): a for a in rec["alternatives"]}
    # (a) B has the top weighted score; (b) without A, without B; (c) cheapest alone: A
    # (50 + 3 x 100 = 350 M, ignoring capacity), then B (10 + 390), already solved as (a).
    assert list(alts) == [
        ("top_weighted_score", "B"),
        ("without", "A"),
        ("without", "B"),
        ("single_site", "A"),
    ]
    b = alts[("top_weighted_score", "B")]
    # B alone: 10 + 3 x 130 = 400 M, +10 M (+2.6 %); 15,000 t (+114 %), 60 m3 (+50 %).
    assert b["cost_usd"] == pytest.approx(400e6)
    assert b["delta_cost_usd"] == pytest.approx(10e6)
    assert b["delta_co2_t"] == pytest.approx(8000.0)
    assert b["delta_water_m3"] == pytest.approx(20.0)
    assert b["sentence"] == (
        "B alone (top weighted score): +10.0 M USD (+2.6 %), 114 % more CO₂, 50 % more water."
    )
    assert alts[("without", "A")]["delta_cost_usd"] == pytest.approx(10e6)
    # A alone needs 3 x 1.5 = 4.5 MW in 4 MW: infeasible, in one phrase.
    for key in (("without", "B"), ("single_site", "A")):
        alt = alts[key]
        assert alt["cost_usd"] is None and alt["delta_cost_usd"] is None
        assert "infeasible (the fleet needs 4.5 MW" in alt["sentence"]
    # B is in the recommendation too, so no rate comparison: only the runner-up's cost.
    assert rec["why"] == (
        "A and B are the cheapest allocation; A runs at 1.00 USD per GPU-hour (the runner-up, "
        "B alone (top weighted score), +10.0 M USD)."
    )


def test_infeasible_allocation_has_no_recommendation():
    import pandas as pd

    from planner.optimize.recommend import recommend
    from planner.results import Allocation

    sc, ev, _ = hand_case()
    screen = pd.Series(True, index=ev.metrics.index)
    assert recommend(ev, sc, screen, pd.DataFrame(), Allocation("infeasible", "No.")) is None


def test_a_one_site_recommendation_is_not_its_own_alternative():
    import pandas as pd

    from planner.optimize.recommend import alternative_requests
    from planner.results import Allocation

    ranking = pd.DataFrame({"feasible": [True, True, True]}, index=["B", "A", "C"])
    summary = pd.DataFrame({"gpus": [1024.0], "share": [1.0]}, index=["A"])
    alloc = Allocation("optimal", "", summary=summary)
    costs = pd.Series({"A": 1.0, "C": 2.0, "B": 3.0})
    assert alternative_requests(ranking, alloc, costs) == [
        ("top_weighted_score", "B"),
        ("without", "A"),
        ("single_site", "C"),
    ]
