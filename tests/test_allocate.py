"""MILP allocation: equals brute-force enumeration, obeys every rule, explains infeasibility."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from optimizer_fixtures import brute_force, make_evaluation, make_scenario, rule_breaks

from planner.optimize.allocate import (
    allocate,
    build_problem,
    compile_problem,
    delay_rent_usd,
    fleet_cost_usd,
    solve,
    violations,
)
from planner.optimize.allocate.model import objective_vector
from planner.optimize.screen import screen_sites
from planner.results import Evaluation

BLOCK = 1024


def random_instance(seed: int):
    rng = np.random.default_rng(seed)
    n_sites = int(rng.integers(3, 6))
    counts = [int(rng.integers(1, 4)) * BLOCK, int(rng.integers(1, 3)) * BLOCK]
    # Start months in either order, so that a site's fixed cost depends on which phase it
    # serves first (the fixture's fixed cost runs from that phase's start or power month).
    starts = [int(v) for v in rng.choice([0, 6, 24, 40], 2)]
    max_sites = int(rng.integers(1, n_sites + 1))
    constraints = {
        "max_sites": max_sites,
        "min_sites": int(rng.integers(1, max_sites + 1)),
        "max_share_per_site": float(rng.choice([1.0, 0.75, 0.5, 0.34])),
        "min_grid_regions": int(rng.choice([1, 1, 2, 3])),
    }
    if rng.random() < 0.5:
        constraints["latency"] = [
            {
                "demand_center": "Frankfurt",
                "max_rtt_ms": float(rng.uniform(5, 15)),
                "min_share": float(rng.choice([0.25, 0.5, 0.75])),
            }
        ]
    sc = make_scenario(
        fleet={
            "block_gpus": BLOCK,
            "phases": [
                {"gpu": "H100-SXM", "count": counts[0], "start_month": starts[0]},
                {"gpu": "B200", "count": counts[1], "start_month": starts[1]},
            ],
        },
        constraints=constraints,
    )
    # Capacities of one to five blocks so that capacity binds often.
    ev = make_evaluation(sc, n_sites, seed, capacity_mw=(1.2, 8.0), unlimited_share=0.2, n_grids=3)
    return sc, ev


@pytest.mark.parametrize("seed", range(60))
def test_milp_equals_brute_force(seed):
    sc, ev = random_instance(seed)
    expected = brute_force(ev, sc)
    # The reference charges the evaluation's block costs only: no rent for late power here.
    got = allocate(ev, sc, mip_rel_gap=1e-9, delay_rent=False)
    if expected is None:
        assert got.status == "infeasible"
        assert len(got.message) > 20 and got.message.endswith(".")
    else:
        assert got.status == "optimal", got.message
        assert got.objective_usd == pytest.approx(expected, rel=1e-9)
        assert rule_breaks(ev, sc, got.blocks) == []


def test_random_instances_cover_both_outcomes():
    # The brute-force comparison above means something only if both cases occur.
    outcomes = {brute_force(ev, sc) is None for sc, ev in map(random_instance, range(60))}
    assert outcomes == {True, False}


def test_random_instances_charge_fixed_cost_by_first_phase():
    # The first-phase fixed cost matters in the comparison above only if some optimum opens a
    # site for its later phase alone (it then pays less than site_fixed_cost_usd).
    late_only = 0
    for seed in range(60):
        sc, ev = random_instance(seed)
        got = allocate(ev, sc, mip_rel_gap=1e-9, delay_rent=False)
        if not got.feasible:
            continue
        charged = got.summary["cost_usd"] - (
            got.blocks * ev.phase_block_cost_usd.loc[got.blocks.index]
        ).sum(axis=1)
        late_only += int((charged < ev.site_fixed_cost_usd[charged.index] - 1.0).sum())
    assert late_only > 0


@pytest.mark.parametrize("late_first", [False, True])
def test_site_used_only_for_the_late_phase_pays_the_late_fixed_cost(late_first):
    # One block per phase; early phase at month 0, late phase at month 24 (listed first when
    # late_first, to check that phases are ordered by start month, not by position).
    # Fixed cost if first used by the early / late phase: A 50 / 40, B 30 / 12 million USD.
    # Block cost early / late: A 100 / 100, B 160 / 100. A holds one block (1.5 of 1.5 MW).
    #   A early + B late: 50 + 100 + 12 + 100 = 262   <- optimum (B pays 12, its late cost)
    #   B both:           30 + 160 + 100     = 290
    #   B early + A late: 30 + 160 + 40 + 100 = 330
    # Charging B its early-phase 30 whatever it serves would make the split cost 280.
    early, late = (
        {"gpu": "H100-SXM", "count": BLOCK, "start_month": 0},
        {
            "gpu": "B200",
            "count": BLOCK,
            "start_month": 24,
        },
    )
    sc = make_scenario(
        fleet={"block_gpus": BLOCK, "phases": [late, early] if late_first else [early, late]},
        constraints={"max_sites": 2},
        facility={"build_lead_months": 0},
    )
    _, ev = hand_instance()
    cols = ["phase_0", "phase_1"]
    e, lt = (1, 0) if late_first else (0, 1)  # column of the early and the late phase
    ids = ev.metrics.index

    def frame(a_early, a_late, b_early, b_late):
        v = np.zeros((2, 2))
        v[0, e], v[0, lt], v[1, e], v[1, lt] = a_early, a_late, b_early, b_late
        return pd.DataFrame(v, index=ids, columns=cols)

    ev.metrics["capacity_mw"] = [1.5, math.inf]
    ev.phase_block_cost_usd = frame(100e6, 100e6, 160e6, 100e6)
    ev.site_fixed_cost_by_first_phase_usd = frame(50e6, 40e6, 30e6, 12e6)
    ev.site_fixed_cost_usd = pd.Series([50e6, 30e6], index=ids)
    ev.phase_block_co2_t = frame(1.0, 1.0, 1.0, 1.0)
    ev.phase_block_water_m3 = frame(1.0, 1.0, 1.0, 1.0)
    ev.block_site_mw = frame(1.5, 1.5, 1.5, 1.5)
    got = allocate(ev, sc, mip_rel_gap=1e-9)
    assert got.status == "optimal", got.message
    assert got.objective_usd == pytest.approx(262e6)
    assert got.blocks.loc["A", cols[e]] == 1 and got.blocks.loc["B", cols[lt]] == 1
    assert got.summary.loc["B", "cost_usd"] == pytest.approx(12e6 + 100e6)
    assert got.summary.loc["A", "cost_usd"] == pytest.approx(50e6 + 100e6)


def test_fixed_cost_rising_with_a_later_first_phase_is_refused():
    # The telescoping objective would be wrong (a later first phase must not cost more).
    sc, ev = hand_instance()
    sc.fleet.phases.append(sc.fleet.phases[0].model_copy(update={"start_month": 12}))
    ids = ev.metrics.index
    for name in ("phase_block_cost_usd", "phase_block_co2_t", "phase_block_water_m3"):
        table = getattr(ev, name)
        table["phase_1"] = table["phase_0"]
    ev.block_site_mw["phase_1"] = ev.block_site_mw["phase_0"]
    ev.site_fixed_cost_by_first_phase_usd = pd.DataFrame(
        {"phase_0": [50e6, 10e6], "phase_1": [60e6, 10e6]}, index=ids
    )
    with pytest.raises(ValueError, match="site A"):
        build_problem(ev, sc)


def hand_instance(capacity_a: float = 4.0, **constraints):
    """Two sites, known numbers: A is cheap per block but holds two blocks, B is dear and big."""
    sc = make_scenario(
        fleet={
            "block_gpus": BLOCK,
            "phases": [{"gpu": "H100-SXM", "count": 3 * BLOCK, "start_month": 0}],
        },
        constraints={"max_sites": 2, **constraints},
        facility={"build_lead_months": 0},
    )
    ids = pd.Index(["A", "B"], name="site_id")
    cols = ["phase_0"]
    metrics = pd.DataFrame(
        {
            "name": ["A", "B"],
            "country": ["SE", "DE"],
            "grid": ["SE1", "DE"],
            "lat": [60.0, 50.0],
            "lon": [17.0, 8.0],
            "capacity_mw": [capacity_a, math.inf],
            "time_to_power_months": [0, 0],
            "water_stress": [1.0, 1.0],
            "usd_per_gpu_hour": [1.0, 1.2],
        },
        index=ids,
    )
    frame = lambda v: pd.DataFrame(v, index=ids, columns=cols)  # noqa: E731
    ev = Evaluation(
        metrics=metrics,
        phase_block_cost_usd=frame([[100e6], [130e6]]),
        phase_block_co2_t=frame([[1000.0], [5000.0]]),
        phase_block_water_m3=frame([[10.0], [20.0]]),
        site_fixed_cost_usd=pd.Series([50e6, 10e6], index=ids),
        block_site_mw=frame([[1.5], [1.6]]),
        rtt_ms=pd.DataFrame({"Frankfurt": [25.0, 2.0]}, index=ids),
        hourly_pue=np.ones((2, 24)),
        hourly_wue_l_per_kwh=np.zeros((2, 24)),
        monthly=pd.DataFrame(),
        provenance=pd.DataFrame(),
    )
    return sc, ev


def test_hand_calculated_split():
    # A holds floor(4.0 / 1.5) = 2 blocks; the third goes to B.
    # Cost = 50 + 10 (fixed) + 2 x 100 + 1 x 130 = 390 million USD;
    # all at B would be 10 + 3 x 130 = 400.
    sc, ev = hand_instance()
    got = allocate(ev, sc)
    assert got.status == "optimal"
    assert got.objective_usd == pytest.approx(390e6)
    assert got.blocks.loc["A", "phase_0"] == 2 and got.blocks.loc["B", "phase_0"] == 1
    assert got.gpus["phase_0"].sum() == 3 * BLOCK
    assert got.summary.loc["A", "facility_mw"] == pytest.approx(3.0)
    assert got.summary.loc["A", "co2_t"] == pytest.approx(2000.0)
    assert got.summary["share"].sum() == pytest.approx(1.0)
    assert any("site A is full" in b for b in got.binding)


def test_max_sites_one_forces_the_big_site():
    # Only B can hold all three blocks: 10 + 3 x 130 = 400 million USD.
    sc, ev = hand_instance(max_sites=1)
    got = allocate(ev, sc)
    assert got.objective_usd == pytest.approx(400e6)
    assert list(got.summary.index) == ["B"]


def test_latency_rule_moves_blocks_near_the_center():
    # 60 % within 10 ms of Frankfurt means two blocks at B, and with at most two blocks per site
    # (67 %) the third goes to A: 50 + 10 + 100 + 2 x 130 = 420 million USD (390 without the rule).
    sc, ev = hand_instance(
        max_share_per_site=0.67,
        latency=[{"demand_center": "Frankfurt", "max_rtt_ms": 10, "min_share": 0.6}],
    )
    got = allocate(ev, sc)
    assert got.objective_usd == pytest.approx(420e6)
    assert got.blocks.loc["B", "phase_0"] == 2
    assert any("latency rule for Frankfurt" in b for b in got.binding)


def test_partial_last_block_counts_exact_gpus():
    sc, ev = hand_instance()
    sc.fleet.phases[0].count = 3 * BLOCK - 100  # still three blocks, the last one partial
    got = allocate(ev, sc)
    assert got.gpus["phase_0"].sum() == 3 * BLOCK - 100


def test_partial_last_block_costs_only_its_gpus():
    # 2,972 GPUs = two full blocks + one block of 924. A takes two blocks, B one; the 100 missing
    # GPUs come off A (the site with the most blocks): A runs 1,948 GPUs = 1.90234375 blocks.
    # A: 50 + 1.90234375 x 100 = 240.234375 M USD, 1.90234375 x 1,000 = 1,902.34375 t CO2,
    # 1.90234375 x 1.5 = 2.853515625 MW; B: 10 + 130 = 140 M USD. Objective 380.234375 M USD
    # (charging the phantom 100 GPUs at full block cost would give 390).
    sc, ev = hand_instance()
    sc.fleet.phases[0].count = 3 * BLOCK - 100
    got = allocate(ev, sc)
    assert got.gpus.loc["A", "phase_0"] == 1948
    assert got.summary.loc["A", "cost_usd"] == pytest.approx(240.234375e6)
    assert got.summary.loc["B", "cost_usd"] == pytest.approx(140e6)
    assert got.summary.loc["A", "co2_t"] == pytest.approx(1902.34375)
    assert got.summary.loc["A", "facility_mw"] == pytest.approx(2.853515625)
    assert got.summary.loc["A", "blocks"] == 2
    assert got.objective_usd == pytest.approx(380.234375e6)
    assert got.objective_usd == pytest.approx(got.summary["cost_usd"].sum())


# --- infeasible problems explained in words ---------------------------------------------------


def test_capacity_shortfall_is_explained_with_megawatts():
    # Fleet 3 blocks at 1.5 MW (A's lighter block) = 4.5 MW; with B limited to 1 MW, A and B
    # offer 2 + 1 = 3 MW and B cannot even take one block (screened out).
    sc, ev = hand_instance(capacity_a=2.0)
    ev.metrics.loc["B", "capacity_mw"] = 1.0
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert "the fleet needs 4.5 MW but the only feasible site offers 2.0 MW" in got.message


def test_no_site_near_a_center_is_explained():
    sc, ev = hand_instance(
        latency=[{"demand_center": "Frankfurt", "max_rtt_ms": 1, "min_share": 0.5}]
    )
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    expected = "no feasible site is within 1 ms of Frankfurt (the nearest is 2.0 ms away)"
    assert expected in got.message


def test_share_limit_is_explained():
    # 34 % per site of a 3-block fleet is one block per site; two sites hold two of three blocks.
    sc, ev = hand_instance(max_share_per_site=0.34)
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert (
        "at most 34% of the fleet per site (1 of 3 blocks) at 2 sites covers only 67% of the fleet"
        in got.message
    )


def test_grid_diversity_is_explained():
    sc, ev = hand_instance(min_grid_regions=2)
    ev.metrics["grid"] = ["PJM", "PJM"]
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert "min_grid_regions is 2 but the feasible sites lie in 1 grid region" in got.message


def test_rules_that_conflict_only_together_are_named():
    # 60 % near Frankfurt (only B) and 60 % far from it (only A, via a made-up center) cannot
    # both hold; either rule alone can.
    sc, ev = hand_instance(
        capacity_a=math.inf,
        latency=[
            {"demand_center": "Frankfurt", "max_rtt_ms": 10, "min_share": 0.6},
            {"demand_center": "Stockholm", "max_rtt_ms": 10, "min_share": 0.6},
        ],
    )
    ev.rtt_ms["Stockholm"] = [2.0, 25.0]
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert "becomes feasible without the latency rule for Frankfurt" in got.message
    assert "or without the latency rule for Stockholm" in got.message


def test_no_site_left_after_screening_says_why():
    sc, ev = hand_instance(allowed_countries=["FR"])
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert "none of the 2 sites passes the hard constraints" in got.message
    assert "2 sites: outside the allowed countries" in got.message


def test_large_instance_meets_every_rule():
    sc = make_scenario(
        fleet={
            "block_gpus": 1024,
            "phases": [
                {"gpu": "H100-SXM", "count": 20 * 1024},
                {"gpu": "B200", "count": 12 * 1024, "start_month": 12},
            ],
        },
        constraints={
            "max_sites": 4,
            "min_sites": 2,
            "max_share_per_site": 0.4,
            "min_grid_regions": 3,
            "latency": [{"demand_center": "Paris", "max_rtt_ms": 12, "min_share": 0.3}],
        },
    )
    ev = make_evaluation(sc, 200, 7, capacity_mw=(5.0, 40.0))
    got = allocate(ev, sc, delay_rent=False)
    assert got.feasible, got.message
    assert rule_breaks(ev, sc, got.blocks) == []
    # Independent recomputation of the objective from the evaluation's own tables.
    b = got.blocks.reindex(ev.metrics.index).fillna(0)
    cost = (
        ev.site_fixed_cost_usd[got.blocks.index].sum()
        + (b * ev.phase_block_cost_usd).to_numpy().sum()
    )
    assert got.objective_usd == pytest.approx(cost)


def test_disabled_groups_relax_the_problem():
    sc, ev = hand_instance(max_sites=1)
    problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"])
    with_limit = solve(problem, mip_rel_gap=1e-9)
    without = solve(problem, drop={"sites"}, mip_rel_gap=1e-9)
    assert with_limit.blocks.sum(axis=0).tolist() == [3]
    assert (without.blocks > 0).sum() == 2  # the cheaper split of the hand calculation


def test_phase_without_power_in_time_is_explained():
    # The evaluation marks a phase that never gets power at a site with an infinite block cost.
    sc, ev = hand_instance()
    ev.phase_block_cost_usd.loc[:, "phase_0"] = math.inf
    ev.phase_block_cost_usd["phase_0"] = ev.phase_block_cost_usd["phase_0"].astype(float)
    ev.metrics["usd_per_gpu_hour"] = [1.0, 1.0]
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert "none of the 2 sites passes" in got.message  # no phase can go anywhere: screened


def test_phase_limited_to_small_sites_is_explained():
    sc = make_scenario(
        fleet={
            "block_gpus": BLOCK,
            "phases": [
                {"gpu": "H100-SXM", "count": BLOCK},
                {"gpu": "B200", "count": 3 * BLOCK, "start_month": 6},
            ],
        },
        constraints={"max_sites": 2},
    )
    _, ev2 = hand_instance()
    ev = ev2
    ev.phase_block_cost_usd = pd.DataFrame(
        {"phase_0": [1e8, 1.3e8], "phase_1": [1e8, math.inf]}, index=ev.metrics.index
    )
    ev.phase_block_co2_t = pd.DataFrame(
        {"phase_0": [1.0, 1.0], "phase_1": [1.0, 1.0]}, index=ev.metrics.index
    )
    ev.phase_block_water_m3 = ev.phase_block_co2_t.copy()
    ev.block_site_mw = pd.DataFrame(
        {"phase_0": [1.5, 1.6], "phase_1": [1.5, 1.6]}, index=ev.metrics.index
    )
    # Phase 1 only fits at A (B gets power too late): 3 blocks x 1.5 MW = 4.5 MW > A's 4.0 MW.
    got = allocate(ev, sc)
    assert got.status == "infeasible"
    assert (
        "phase 2 (B200, month 6) needs 4.5 MW but the sites that get power in time for it "
        "offer 4.0 MW" in got.message
    )


def test_late_power_pays_rent_for_lost_gpu_hours():
    # Discount rate 0, utilisation 0.8, rent 2.5 USD/GPU-h, site A ready at month 30, the phase
    # starts at month 0. Lost useful hours per GPU = 0.8 x (2 x 8,760 + 181 days x 24) =
    # 0.8 x 21,864 = 17,491.2 h (January to June = 181 days); per block of 1,024 GPUs at
    # 2.5 USD: 44,777,472 USD.
    sc, ev = hand_instance()
    sc.scenario.discount_rate = 0.0
    sc.energy.cloud_gpu_hour_usd = 2.5
    ev.metrics["time_to_power_months"] = [30, 0]
    rent = delay_rent_usd(ev, sc)
    assert rent.loc["A", "phase_0"] == pytest.approx(44_777_472.0)
    assert rent.loc["B", "phase_0"] == 0.0
    # A's block now costs 100 + 44.8 > B's 130: every block goes to B (10 + 3 x 130 = 400 M).
    got = allocate(ev, sc)
    assert got.objective_usd == pytest.approx(400e6)
    assert list(got.summary.index) == ["B"]
    # Without the rent, the hand split of test_hand_calculated_split (390 M) comes back.
    assert allocate(ev, sc, delay_rent=False).objective_usd == pytest.approx(390e6)


def test_delay_rent_matches_the_evaluations_delivered_gpu_hours():
    # For every site, delivered GPU-hours (tco / usd_per_gpu_hour, from the evaluation) plus the
    # hours the rent charges for must equal the fleet's hours with no wait at all: one number.
    from planner.evaluate import evaluate_sites
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    sc = load_scenario(example_scenario("retail-seasonal"))  # seasonal load: the hard case
    sc.energy.cloud_gpu_hour_usd = 1.6  # one rent for every model: hours = rent / price
    ev = evaluate_sites(sc)
    m = ev.metrics
    counts = np.array([p.count for p in sc.fleet.phases])
    rent = delay_rent_usd(ev, sc).to_numpy() @ counts
    lost_hours = rent / sc.energy.cloud_gpu_hour_usd / sc.fleet.block_gpus
    total = (m["tco_usd"] / m["usd_per_gpu_hour"]).to_numpy() + lost_hours
    total = total[np.isfinite(total)]
    assert len(total) > 10
    assert np.ptp(total) <= 1e-9 * total.mean()


def test_delay_rent_uses_capped_inference_activity():
    # Inference at utilization 0.9: the diurnal peak (about 1.35x the mean) would ask for more
    # than every GPU, and the evaluation caps activity at 1 each hour, so useful hours are below
    # 0.9 x 8,760 h a year. The rent must charge those capped hours: delivered plus rented
    # GPU-hours are then the same for every site.
    from planner.evaluate import evaluate_sites
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    sc = load_scenario(example_scenario("eu-inference"))
    sc.energy.cloud_gpu_hour_usd = 3.0  # one rent for every model: hours = rent / price
    assert sc.fleet.workload == "inference"
    sc.fleet.utilization = 0.9
    ev = evaluate_sites(sc)
    assert ev.useful_gpu_hours_per_gpu_month.sum() < 0.99 * 0.9 * 8760  # the cap binds
    m = ev.metrics
    counts = np.array([p.count for p in sc.fleet.phases])
    rent = delay_rent_usd(ev, sc).to_numpy() @ counts
    lost_hours = rent / sc.energy.cloud_gpu_hour_usd / sc.fleet.block_gpus
    total = (m["tco_usd"] / m["usd_per_gpu_hour"]).to_numpy() + lost_hours
    total = total[np.isfinite(total)]
    assert len(total) > 5 and np.ptp(lost_hours[np.isfinite(lost_hours)]) > 0  # some sites wait
    assert np.ptp(total) <= 1e-9 * total.mean()


def test_delay_rent_is_priced_at_each_gpu_models_rent():
    # The wait of test_late_power_pays_rent_for_lost_gpu_hours: 17,491.2 lost useful hours per
    # GPU, 1,024 GPUs per block. With no rent in the scenario, the H100's own catalog rent.
    from planner.catalog import default_catalog

    sc, ev = hand_instance()
    sc.scenario.discount_rate = 0.0
    ev.metrics["time_to_power_months"] = [30, 0]
    sc.energy.cloud_gpu_hour_usd = None
    h100 = float(default_catalog().gpus.loc["H100-SXM", "cloud_usd_per_gpu_hour"])
    rent = delay_rent_usd(ev, sc)
    assert rent.loc["A", "phase_0"] == pytest.approx(17_491.2 * 1024 * h100)
    # A rent per phase given directly: 17,491.2 x 1,024 x 4.0 = 71,643,955.2 USD.
    rent = delay_rent_usd(ev, sc, rent_usd_per_gpu_hour=np.array([4.0]))
    assert rent.loc["A", "phase_0"] == pytest.approx(71_643_955.2)


def test_delay_rent_equals_the_evaluations_bridge_rent_per_gpu_model():
    # training-16k ramps from H100 to B200, each at its own catalog rent: the allocation's
    # delay rent for the whole fleet at a site is the evaluation's bridge_rent_usd there.
    from planner.evaluate import evaluate_sites
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    sc = load_scenario(example_scenario("training-16k"))
    sc.energy.cloud_gpu_hour_usd = None
    assert len({p.gpu for p in sc.fleet.phases}) > 1
    ev = evaluate_sites(sc)
    counts = np.array([p.count for p in sc.fleet.phases])
    whole = delay_rent_usd(ev, sc).to_numpy() @ counts / sc.fleet.block_gpus
    bridge = ev.metrics["bridge_rent_usd"].to_numpy()
    assert (bridge > 0).any()
    np.testing.assert_allclose(whole, bridge, rtol=1e-9)


def price_instance(water_price: float = 0.0, risk_price: float = 0.0):
    """Two sites, one block, one site allowed, 10 years at 0 %: A cheaper, thirstier, riskier.

    A: 100 M USD per block, 1,000,000 m3 over the horizon at stress 4 (400 / 100 weighted per
    volume), risk score 0.5; B: 102 M USD, 500,000 m3 at stress 1 (its own ``water_stress``,
    as it reports no water per year), risk score 0.1. Both 2 MW per block, power at once.
    """
    sc = make_scenario(
        scenario={"name": "prices", "horizon_years": 10, "discount_rate": 0.0},
        fleet={"block_gpus": BLOCK, "phases": [{"gpu": "H100-SXM", "count": BLOCK}]},
        constraints={"max_sites": 1},
        facility={"build_lead_months": 0},
        objective={"water_price_usd_per_m3": water_price, "risk_price_usd_per_mw_year": risk_price},
    )
    ids = pd.Index(["A", "B"], name="site_id")
    metrics = pd.DataFrame(
        {
            "name": ["A", "B"],
            "grid": ["X", "Y"],
            "capacity_mw": [math.inf, math.inf],
            "time_to_power_months": [0, 0],
            "water_stress": [4.0, 1.0],
            "water_m3_per_year": [100.0, 0.0],
            "water_weighted_m3_per_year": [400.0, 0.0],
            "risk_score": [0.5, 0.1],
        },
        index=ids,
    )
    frame = lambda v: pd.DataFrame(v, index=ids, columns=["phase_0"])  # noqa: E731
    ev = Evaluation(
        metrics=metrics,
        phase_block_cost_usd=frame([[100e6], [102e6]]),
        phase_block_co2_t=frame([[1000.0], [1000.0]]),
        phase_block_water_m3=frame([[1e6], [0.5e6]]),
        site_fixed_cost_usd=pd.Series([0.0, 0.0], index=ids),
        block_site_mw=frame([[2.0], [2.0]]),
        rtt_ms=pd.DataFrame(index=ids),
        hourly_pue=np.ones((2, 24)),
        hourly_wue_l_per_kwh=np.zeros((2, 24)),
        monthly=pd.DataFrame(),
        provenance=pd.DataFrame(),
    )
    return sc, ev


@pytest.mark.parametrize(("price", "site"), [(0.0, "A"), (0.5, "A"), (0.6, "B")])
def test_water_price_flips_the_choice_at_a_computable_price(price, site):
    # Priced water: A 100 M + p x 4 x 1,000,000, B 102 M + p x 1 x 500,000 (0 %: no discount).
    # Equal at 3,500,000 p = 2,000,000, p = 0.571 USD/m3: below it A, above it B.
    sc, ev = price_instance(water_price=price)
    got = allocate(ev, sc)
    assert list(got.summary.index) == [site]
    stress = {"A": 4.0, "B": 1.0}[site]
    water = {"A": 1e6, "B": 0.5e6}[site]
    base = {"A": 100e6, "B": 102e6}[site]
    # At 0.6 on B: 0.6 x 1 x 500,000 = 300,000 USD priced water inside cost_usd.
    assert got.summary.loc[site, "water_price_usd"] == pytest.approx(price * stress * water)
    assert got.objective_usd == pytest.approx(base + price * stress * water)


@pytest.mark.parametrize(("price", "site"), [(200_000.0, "A"), (300_000.0, "B")])
def test_risk_price_flips_the_choice_at_a_computable_price(price, site):
    # Risk: price x score x 2 MW x 120 months / 12 = 10 p at A (0.5), 2 p at B (0.1).
    # Equal at 8 p = 2 M USD, p = 250,000 USD per MW-year.
    sc, ev = price_instance(risk_price=price)
    got = allocate(ev, sc)
    assert list(got.summary.index) == [site]
    score = {"A": 0.5, "B": 0.1}[site]
    assert got.summary.loc[site, "risk_price_usd"] == pytest.approx(price * score * 20.0)


def test_priced_externalities_are_discounted_over_running_months():
    # At 12 %/year the 120 end-of-month factors sum to T; a level flow over 120 running months
    # is priced T / 120 of its undiscounted amount (water) and T / 12 per MW-year (risk).
    from planner import economics as econ
    from planner.optimize.allocate import externality_costs

    sc, ev = price_instance(water_price=1.0, risk_price=1000.0)
    sc.scenario.discount_rate = 0.12
    water, risk = externality_costs(ev, sc)
    T = econ.discount_factors(0.12, 120).sum()
    assert water.loc["A", "phase_0"] == pytest.approx(4 * 1e6 * T / 120)
    assert risk.loc["B", "phase_0"] == pytest.approx(1000.0 * 0.1 * 2.0 * T / 12)


def test_exclude_and_only_restrict_the_sites():
    # hand_instance: A holds 2 of 3 blocks. Without A all goes to B: 10 + 3 x 130 = 400 M;
    # B alone is the same; A alone cannot hold 3 x 1.5 = 4.5 MW in 4 MW.
    sc, ev = hand_instance()
    assert allocate(ev, sc, exclude=["A"]).objective_usd == pytest.approx(400e6)
    assert allocate(ev, sc, only=["B"]).objective_usd == pytest.approx(400e6)
    alone = allocate(ev, sc, only=["A"])
    assert alone.status == "infeasible" and "4.0 MW" in alone.message
    none = allocate(ev, sc, exclude=["A", "B"])
    assert none.status == "infeasible" and "no other site" in none.message.lower()


# --- the compiled model (planner.optimize.allocate.solver / model) -------------------------------


def compiled_instance(seed: int):
    """A random instance that has an allocation, its problem and the cost optimum."""
    sc, ev = random_instance(seed)
    problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"])
    return problem, solve(problem, mip_rel_gap=1e-9)


def solved_instances(n: int):
    found = (compiled_instance(seed) for seed in range(60))
    return [(p, s) for p, s in found if s.ok][:n]


def same_solution(got, fresh) -> None:
    assert (got.status, got.message) == (fresh.status, fresh.message)
    if fresh.blocks is None:
        assert got.blocks is None
    else:
        assert np.array_equal(got.blocks, fresh.blocks)


def test_compiled_model_resolved_with_new_caps_equals_fresh_solves():
    # One compiled model, many solves in a row: each is the fresh solve with the same caps,
    # so nothing of one solve leaks into the next.
    for problem, best in solved_instances(8):
        model = compile_problem(problem)
        co2 = float((best.blocks * problem.block_co2_t).sum())
        water = float((best.blocks * problem.block_water_m3).sum())
        cost = fleet_cost_usd(problem, best.blocks)
        for kw in (
            {"co2_cap_t": 0.9 * co2},
            {"co2_cap_t": 0.5 * co2},
            {"water_cap_m3": 0.9 * water},
            {"objective": "co2", "cost_cap_usd": 1.05 * cost},
            {"objective": "water"},
            {"co2_cap_t": 0.8 * co2, "water_cap_m3": 1.1 * water},
            {},
        ):
            got = model.solve(mip_rel_gap=1e-9, **kw)
            same_solution(got, solve(problem, mip_rel_gap=1e-9, **kw))


def test_compiled_model_with_new_block_costs_equals_a_fresh_solve_on_the_changed_problem():
    rng = np.random.default_rng(5)
    changed_sites = 0
    for problem, best in solved_instances(8):
        model = compile_problem(problem)
        for _ in range(3):
            factor = rng.uniform(0.5, 1.5, problem.block_cost_usd.shape)
            cost = np.where(problem.allowed, problem.block_cost_usd * factor, 0.0)
            got = model.solve(block_cost_usd=cost, mip_rel_gap=1e-9)
            fresh = solve(replace(problem, block_cost_usd=cost), mip_rel_gap=1e-9)
            same_solution(got, fresh)
            changed_sites += not np.array_equal(got.blocks > 0, best.blocks > 0)
            # The cost cap uses the block costs given, too.
            cap = 1.01 * fleet_cost_usd(replace(problem, block_cost_usd=cost), fresh.blocks)
            got = model.solve(
                objective="co2", block_cost_usd=cost, cost_cap_usd=cap, mip_rel_gap=1e-9
            )
            fresh = solve(
                replace(problem, block_cost_usd=cost),
                objective="co2",
                cost_cap_usd=cap,
                mip_rel_gap=1e-9,
            )
            same_solution(got, fresh)
        # The problem's own costs are untouched by the solves above.
        same_solution(model.solve(mip_rel_gap=1e-9), best)
    assert changed_sites > 0  # the new costs changed some allocation: the check means something


def test_compiled_model_refuses_block_costs_of_another_shape():
    problem, _ = compiled_instance(0)
    with pytest.raises(ValueError, match="shape"):
        compile_problem(problem).solve(block_cost_usd=np.ones((1, 1)))


def test_compiled_model_with_dropped_groups_equals_fresh_solves():
    sc, ev = hand_instance(max_sites=1)
    problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"])
    for drop in ({"sites"}, {"capacity"}, {"share", "grids"}):
        same_solution(
            compile_problem(problem, drop).solve(mip_rel_gap=1e-9),
            solve(problem, drop=drop, mip_rel_gap=1e-9),
        )


def lift(problem, layout, blocks: np.ndarray) -> np.ndarray:
    """The MILP's variable vector of an allocation: x = blocks, y / z / g = site / grid in use."""
    v = np.zeros(layout.nvar)
    v[: layout.nx] = blocks.ravel()
    served = blocks > 0
    v[layout.yi] = served.any(axis=1)
    # z[s, k]: the site serves one of the first k + 1 phases in order of start month.
    by_start = np.cumsum(served[:, layout.order], axis=1) > 0
    v[layout.zi] = by_start[layout.z_site, layout.z_k]
    used = np.unique(layout.grid_index[served.any(axis=1)])
    v[layout.gi] = np.isin(np.arange(layout.n_grids), used)
    return v


def random_blocks(problem, rng) -> np.ndarray:
    """Every phase's blocks spread over a few random sites (demand met, other rules may break)."""
    blocks = np.zeros((problem.n_sites, problem.n_phases), dtype=int)
    k = int(rng.integers(1, problem.n_sites + 1))
    sites = rng.choice(problem.n_sites, size=k, replace=False)
    for p, n in enumerate(problem.blocks_needed):
        np.add.at(blocks[:, p], rng.choice(sites, size=int(n)), 1)
    return blocks


def test_model_rows_accept_exactly_the_allocations_the_referee_accepts():
    # violations() recomputes each rule from the blocks; the compiled rows and bounds must
    # agree with it on every allocation, and the objective must price it as fleet_cost_usd.
    rng = np.random.default_rng(11)
    verdicts = set()
    for seed in range(30):
        sc, ev = random_instance(seed)
        problem = build_problem(ev, sc, screen_sites(ev, sc)["feasible"])
        if problem.n_sites == 0:
            continue
        model = compile_problem(problem)
        A, lo, hi = model.constraints()
        for _ in range(20):
            blocks = random_blocks(problem, rng)
            v = lift(problem, model.layout, blocks)
            av = A @ v
            tol = 1e-9 * np.maximum(np.abs(av), 1.0)
            in_rows = bool(np.all((av >= lo - tol) & (av <= hi + tol)))
            in_bounds = bool(np.all(v <= model.bounds.upper + 1e-9))
            valid = violations(problem, blocks) == []
            assert (in_rows and in_bounds) == valid, violations(problem, blocks)
            verdicts.add(valid)
            c = objective_vector(problem, model.layout, "cost")
            assert c @ v == pytest.approx(fleet_cost_usd(problem, blocks), rel=1e-12)
            c = objective_vector(problem, model.layout, "co2")
            assert c @ v == pytest.approx((blocks * problem.block_co2_t).sum(), rel=1e-12)
    assert verdicts == {True, False}
