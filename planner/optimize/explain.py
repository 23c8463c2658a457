"""The recommended allocation explained: build, bridge and rent; yearly cash; Scope 2 both ways.

Named steps, each a function of the evaluation, the scenario and the allocation:

1. :func:`site_timing` - when each phase runs and its GPUs are bought at each chosen site.
2. :func:`monthly_cash` - the allocation's nominal cash, month by month and item by item, built
   so that its present value is exactly the allocation's own net present cost
   (``Allocation.summary`` ``cost_usd``, bridge rent included).
3. :func:`annual_cash_flows` - the months summed into calendar years.
4. :func:`rent_only_usd` - renting the whole fleet for the whole horizon instead.
5. :func:`build_vs_rent` - the three options compared, with a verdict sentence.
6. :func:`scope2` - location- and market-based CO2 of the allocation.

:func:`explain_allocation` runs them all. Money conventions are those of
:mod:`planner.economics`: operating cash at the end of its month, capital at the start of the
month it is bought; the evaluation's level capital charges are turned back into purchases
(replacements at the end of an asset's life inside the horizon) less the value left at the
horizon's end (``residual_usd``), which is what makes the identity exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner import economics as econ
from planner.results import Allocation, Evaluation
from planner.scenario import Scenario

FACILITY_CAPITAL = ("shell", "electrical", "mechanical", "land", "grid")
CASH_COLUMNS = (
    "capital_usd",
    "residual_usd",
    "opex_usd",
    "energy_usd",
    "rent_usd",
    "carbon_usd",
)


# Allocation.summary columns that are priced externalities inside cost_usd, not cash.
PRICED_COLUMNS = ("water_price_usd", "risk_price_usd")


@dataclass
class SiteTiming:
    """Months (0-based, ``months`` = never) for the chosen sites (rows) and phases (columns)."""

    months: int
    start: np.ndarray  # (S, P) the phase runs at the site
    buy: np.ndarray  # (S, P) its GPUs are bought
    first: np.ndarray  # (S,) the site's fixed costs start: its earliest served phase runs
    first_phase: np.ndarray  # (S,) index of that phase


def site_timing(evaluation: Evaluation, scenario: Scenario, gpus: pd.DataFrame) -> SiteTiming:
    """Running and purchase months as the evaluation has them (``planner.evaluate``)."""
    months = int(scenario.scenario.horizon_years) * 12
    metrics = evaluation.metrics.reindex(gpus.index)
    if "ready_month" in metrics:
        ready = pd.to_numeric(metrics["ready_month"], errors="coerce").fillna(0).to_numpy(int)
    else:
        ttp = pd.to_numeric(metrics["time_to_power_months"], errors="coerce").fillna(0.0)
        ready = np.ceil(np.maximum(ttp, scenario.facility.build_lead_months)).to_numpy(int)
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    start = np.minimum(np.maximum(phase_start[None, :], ready[:, None]), months)
    if scenario.fleet.buy_gpus_when == "phase_start":
        buy = np.broadcast_to(np.minimum(phase_start, months), start.shape).copy()
    else:
        buy = start
    served = gpus.to_numpy(float) > 0
    # The fixed cost runs from the earliest-starting phase the site serves (as in the MILP).
    order = np.argsort(phase_start, kind="stable")
    first_phase = order[np.argmax(served[:, order], axis=1)]
    if evaluation.site_fixed_cost_by_first_phase_usd is None:
        first = start.min(axis=1)  # older results: fixed costs from the fleet's first phase
    else:
        first = start[np.arange(len(start)), first_phase]
    return SiteTiming(months, start, buy, first, first_phase)


def asset_purchases(
    charge_usd_per_month: float, life_months: int, start_month: int, months: int, rate: float
) -> tuple[np.ndarray, float]:
    """Purchases that a level capital charge stands for, and the value left at the horizon end.

    A charge ``k`` paid from ``start_month`` to the horizon's end, at the capital recovery
    factor of ``life_months``, is an asset bought for ``k / crf`` at ``start_month`` and again
    at the end of each life inside the horizon; what its last purchase would still charge
    after the horizon, discounted to the horizon's end, is the residual value. Purchases at
    the start of their month minus the residual at the end have the charge's present value.

    Returns
    -------
    purchases_usd : ndarray, shape (months,)
    residual_usd : float
        Value left at the end of the horizon (positive).
    """
    purchases = np.zeros(months)
    if start_month >= months or charge_usd_per_month == 0:
        return purchases, 0.0
    r_month = float(econ.monthly_rate(rate))
    capex = charge_usd_per_month / float(econ.crf(r_month, life_months))
    bought = np.arange(start_month, months, life_months)
    purchases[bought] = capex
    left = int(bought[-1] + life_months - months)  # months of the last life after the horizon
    annuity = left if r_month == 0 else -np.expm1(-left * np.log1p(r_month)) / r_month
    return purchases, charge_usd_per_month * float(annuity)


def useful_gpu_hours_per_gpu_month(evaluation: Evaluation, scenario: Scenario) -> np.ndarray:
    """The evaluation's useful GPU-hours per GPU and calendar month, shape (12,).

    Older results without them: utilization x hours x ``fleet.monthly_load_factor``, as in
    :func:`planner.optimize.allocate.delay_rent_usd`.
    """
    if evaluation.useful_gpu_hours_per_gpu_month is not None:
        return np.asarray(evaluation.useful_gpu_hours_per_gpu_month, dtype=float)
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    factor = np.asarray(scenario.fleet.monthly_load_factor or [1.0] * 12, dtype=float)
    return scenario.fleet.utilization * 24.0 * days * factor


def facility_energy_shape(evaluation: Evaluation, sites: pd.Index) -> np.ndarray:
    """Facility MWh per calendar month at each site, relative (S, 12): IT energy x monthly PUE.

    Only the shape over the year matters: each site's amounts are scaled to the evaluation's
    present values in :func:`monthly_cash`.
    """
    monthly = evaluation.monthly
    if monthly is None or not {"site_id", "month", "pue", "it_energy_mwh"} <= set(monthly):
        return np.ones((len(sites), 12))
    mwh = monthly.assign(mwh=monthly["pue"] * monthly["it_energy_mwh"])
    table = mwh.pivot_table(index="site_id", columns="month", values="mwh", aggfunc="sum")
    table = table.reindex(index=sites, columns=range(1, 13))
    return np.nan_to_num(table.to_numpy(float), nan=1.0)


def _pv_scale(target_usd: np.ndarray, weight: np.ndarray, running: np.ndarray, disc: np.ndarray):
    """Scale per site that gives a (S, months) weight x running profile the target's PV."""
    base = (weight * running * disc[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, np.nan_to_num(target_usd) / base, 0.0)


def _running(per_gpu_kw: np.ndarray, count: np.ndarray, start: np.ndarray, months: int):
    """(S, months) kW running: ``count`` (S, P) GPUs of ``per_gpu_kw`` (P,) from ``start``."""
    on = np.arange(months)[None, None, :] >= start[:, :, None]
    return ((count * per_gpu_kw[None, :])[:, :, None] * on).sum(axis=1)


def monthly_cash(
    evaluation: Evaluation,
    scenario: Scenario,
    allocation: Allocation,
    *,
    gpu_catalog: pd.DataFrame | None = None,
    finance: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Nominal cash of the allocation, month by month, whose present value is its cost.

    Per chosen site and phase the evaluation's net present cost of one GPU is split into: GPUs
    (catalog capital at the capital recovery factor of the GPU life, from the purchase month),
    energy and carbon (a monthly amount shaped like the site's facility energy over the year,
    escalated like the retail price for energy, scaled so that the whole fleet at that site has
    the evaluation's ``cost_energy_usd`` and ``cost_carbon_usd``), and the rest, a level monthly
    facility amount (capital charges and O&M). With the site's fixed cost (level from its first
    served phase) the facility amount is split among shell, electrical, mechanical, land, grid
    and O&M in the shares of the site's whole-fleet ``cost_<item>_usd``; each capital item's
    charge becomes purchases at its life (:func:`asset_purchases`). Bridge rent is paid in the
    months a phase waits for power, on the evaluation's useful GPU-hours.

    Returns
    -------
    DataFrame
        Index horizon month (0-based); columns :data:`CASH_COLUMNS`, USD, nominal. Capital is
        paid at the start of its month, everything else at the end; the residual value (negative)
        is in the last month.
    """
    from planner.catalog import default_catalog
    from planner.evaluate import load_finance

    catalog = gpu_catalog if gpu_catalog is not None else default_catalog().gpus
    finance = finance if finance is not None else load_finance()[0]
    phases = list(evaluation.phase_block_cost_usd.columns)
    gpus = allocation.gpus.reindex(columns=phases).fillna(0.0)
    sites, g = gpus.index, gpus.to_numpy(float)
    timing = site_timing(evaluation, scenario, gpus)
    months, rate = timing.months, float(scenario.scenario.discount_rate)
    disc = econ.discount_factors(rate, months)
    annuity = econ.tail_sums(disc)
    rows = np.arange(len(sites))[:, None]
    life = {k: int(round(12 * float(v))) for k, v in finance["life_years"].items()}
    models = [p.gpu for p in scenario.fleet.phases]
    capital_per_gpu = pd.to_numeric(catalog["capital_usd_per_gpu"]).reindex(models).to_numpy(float)
    node_kw = pd.to_numeric(catalog["node_power_w_per_gpu"]).reindex(models).to_numpy(float) / 1e3
    count = np.array([p.count for p in scenario.fleet.phases], dtype=float)
    metrics = evaluation.metrics.reindex(sites)

    # GPUs: a level charge from the purchase month (idle months included) is the evaluation's.
    gpu_charge = capital_per_gpu * float(econ.crf(econ.monthly_rate(rate), life["gpus"]))
    gpu_pv = gpu_charge[None, :] * annuity[timing.buy]
    per_gpu_pv = evaluation.phase_block_cost_usd.reindex(sites)[phases].to_numpy(float)
    per_gpu_pv = np.where(g > 0, per_gpu_pv / scenario.fleet.block_gpus, 0.0)

    # Energy and carbon: the site's yearly shape, scaled to the whole fleet's present value.
    cal = np.arange(months) % 12
    shape = facility_energy_shape(evaluation, sites)[:, cal]
    esc = econ.escalation_factors(scenario.energy.price_escalation_per_year, months)
    whole = _running(node_kw, np.broadcast_to(count, g.shape), timing.start, months)
    ours = _running(node_kw, g, timing.start, months)
    scale_e = _pv_scale(metrics["cost_energy_usd"].to_numpy(float), shape * esc, whole, disc)
    scale_c = _pv_scale(metrics["cost_carbon_usd"].to_numpy(float), shape, whole, disc)
    energy = scale_e[:, None] * shape * esc * ours
    carbon = scale_c[:, None] * shape * ours
    tail_e = econ.tail_sums(scale_e[:, None] * shape * esc * disc[None, :])
    tail_c = econ.tail_sums(scale_c[:, None] * shape * disc[None, :])
    ec_pv = (tail_e[rows, timing.start] + tail_c[rows, timing.start]) * node_kw[None, :]

    # Facility: what is left of each GPU's cost is level from its running month.
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(g > 0, (per_gpu_pv - gpu_pv - ec_pv) / annuity[timing.start], 0.0)
    fixed_pv = _fixed_cost_usd(evaluation, sites, timing)
    with np.errstate(divide="ignore", invalid="ignore"):
        fixed_level = np.where(annuity[timing.first] > 0, fixed_pv / annuity[timing.first], 0.0)
    items = [*FACILITY_CAPITAL, "opex"]
    weights = metrics[[f"cost_{c}_usd" for c in items]].to_numpy(float)
    weights = np.nan_to_num(weights / weights.sum(axis=1, keepdims=True))
    facility = _running(np.ones(1), fixed_level[:, None], timing.first[:, None], months)
    facility += ((g * level)[:, :, None] * (np.arange(months) >= timing.start[:, :, None])).sum(1)

    capital, residual = _capital_purchases(
        g, timing, fixed_level, level, weights, gpu_charge, life, rate
    )
    rent = _bridge_rent(evaluation, scenario, g, timing)

    out = pd.DataFrame(
        {
            "capital_usd": capital,
            "residual_usd": np.zeros(months),
            "opex_usd": (weights[:, -1][:, None] * facility).sum(axis=0),
            "energy_usd": energy.sum(axis=0),
            "rent_usd": rent,
            "carbon_usd": carbon.sum(axis=0),
        },
        index=pd.RangeIndex(months, name="month"),
    )
    out.loc[months - 1, "residual_usd"] = -residual
    return out


def _capital_purchases(
    g: np.ndarray,
    timing: SiteTiming,
    fixed_level: np.ndarray,
    level: np.ndarray,
    weights: np.ndarray,
    gpu_charge: np.ndarray,
    life: dict[str, int],
    rate: float,
) -> tuple[np.ndarray, float]:
    """Monthly capital purchases and the residual value at the horizon's end: each facility
    item's level charge (site fixed part and each phase's part) and each phase's GPU charge
    turned into purchases at the item's life (:func:`asset_purchases`)."""
    months = timing.months
    capital, residual = np.zeros(months), 0.0
    for s in range(g.shape[0]):
        streams = [(int(timing.first[s]), fixed_level[s])]
        streams += [(int(timing.start[s, p]), g[s, p] * level[s, p]) for p in range(g.shape[1])]
        for start, amount in streams:
            for k, item in enumerate(FACILITY_CAPITAL):
                bought, left = asset_purchases(
                    amount * weights[s, k], life[item], start, months, rate
                )
                capital, residual = capital + bought, residual + left
        for p in np.flatnonzero(g[s] > 0):
            charge = gpu_charge[p] * g[s, p]
            bought, left = asset_purchases(
                charge, life["gpus"], int(timing.buy[s, p]), months, rate
            )
            capital, residual = capital + bought, residual + left
    return capital, residual


def _bridge_rent(
    evaluation: Evaluation, scenario: Scenario, g: np.ndarray, timing: SiteTiming
) -> np.ndarray:
    """Monthly bridge rent: the useful GPU-hours each phase wants before its site has power,
    at its GPU model's rent."""
    from planner.evaluate import phase_rent_usd_per_gpu_hour

    month = np.arange(timing.months)
    phase_start = np.array([p.start_month for p in scenario.fleet.phases], dtype=int)
    waiting = (month[None, None, :] >= phase_start[None, :, None]) & (
        month[None, None, :] < timing.start[:, :, None]
    )
    useful = useful_gpu_hours_per_gpu_month(evaluation, scenario)[month % 12]
    rent_rate = phase_rent_usd_per_gpu_hour(scenario)
    return ((g * rent_rate[None, :])[:, :, None] * waiting).sum(axis=(0, 1)) * useful


def _fixed_cost_usd(evaluation: Evaluation, sites: pd.Index, timing: SiteTiming) -> np.ndarray:
    """Each chosen site's net present fixed cost for the first phase it serves (as the MILP)."""
    by_first = evaluation.site_fixed_cost_by_first_phase_usd
    if by_first is None:
        return evaluation.site_fixed_cost_usd.reindex(sites).fillna(0.0).to_numpy(float)
    table = by_first.reindex(sites).to_numpy(float)
    return np.nan_to_num(table[np.arange(len(sites)), timing.first_phase])


def _month_discounts(cash: pd.DataFrame, annual_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Discount factors at the start and at the end of each month of :func:`monthly_cash`."""
    m = np.asarray(cash.index, dtype=float)
    return (1.0 + annual_rate) ** (-m / 12.0), (1.0 + annual_rate) ** (-(m + 1.0) / 12.0)


def present_value_usd(cash: pd.DataFrame, annual_rate: float) -> pd.Series:
    """Present value of each month of :func:`monthly_cash` (capital at the start of its month)."""
    start, end = _month_discounts(cash, annual_rate)
    operating = cash[[c for c in CASH_COLUMNS if c != "capital_usd"]].sum(axis=1)
    return pd.Series(cash["capital_usd"] * start + operating * end, index=cash.index)


def annual_cash_flows(cash: pd.DataFrame, start_year: int, annual_rate: float) -> pd.DataFrame:
    """Monthly cash summed by calendar year (the horizon starts in January of ``start_year``).

    Columns ``year``, :data:`CASH_COLUMNS` and ``present_value_usd`` (that year's cash
    discounted to the start of the horizon; the column sums to build + bridge).
    """
    year = start_year + np.asarray(cash.index) // 12
    table = cash.assign(present_value_usd=present_value_usd(cash, annual_rate))
    table = table.groupby(year).sum()
    table.index.name = "year"
    return table.reset_index()


def phase_gpu_hours(evaluation: Evaluation, scenario: Scenario) -> np.ndarray:
    """(P,) discounted useful GPU-hours each phase delivers from its start to the horizon's end.

    Every allocation delivers them (built, or rented while a site waits for power), so they are
    what a levelised cost per delivered GPU-hour divides by: the evaluation's useful GPU-hours
    per GPU-month, discounted monthly at the scenario's rate.
    """
    months = int(scenario.scenario.horizon_years) * 12
    rate = float(scenario.scenario.discount_rate)
    hours = useful_gpu_hours_per_gpu_month(evaluation, scenario)[np.arange(months) % 12]
    tail = econ.tail_sums(hours * econ.discount_factors(rate, months))
    start = np.minimum([p.start_month for p in scenario.fleet.phases], months)
    count = np.array([p.count for p in scenario.fleet.phases], dtype=float)
    return count * tail[start]


def rent_only_usd(evaluation: Evaluation, scenario: Scenario) -> float:
    """Present cost of renting the whole fleet for the whole horizon.

    Each phase's GPUs from its start month at its model's rent
    (:func:`planner.evaluate.phase_rent_usd_per_gpu_hour`), on :func:`phase_gpu_hours`: the
    hours the build delivers once running, plus those the bridge rents.
    """
    from planner.evaluate import phase_rent_usd_per_gpu_hour

    hours = phase_gpu_hours(evaluation, scenario)
    return float((hours * phase_rent_usd_per_gpu_hour(scenario)).sum())


def build_vs_rent(
    allocation: Allocation, rent_only: float, horizon_years: int
) -> dict[str, float | str]:
    """Build (owned), bridge rent, rent only and rent-then-build, net present USD, and a verdict.

    Rent-then-build (rent until the recommended sites are ready, then own) is exactly what the
    allocation does, so it is build + bridge.
    """
    summary = allocation.summary
    bridge = float(summary["delay_rent_usd"].sum()) if "delay_rent_usd" in summary else 0.0
    # Priced water and risk steer the allocation but are not cash: left out of the build.
    priced = sum(float(summary[c].sum()) for c in PRICED_COLUMNS if c in summary)
    build = float(summary["cost_usd"].sum()) - bridge - priced
    ours = build + bridge
    years = f"{horizon_years} year{'s' if horizon_years != 1 else ''}"
    diff = abs(rent_only - ours)
    if rent_only < ours:
        verdict = (
            f"Renting the whole fleet costs {musd(diff)} ({100 * diff / ours:.0f} %) less "
            f"than building at the recommended sites over {years}."
        )
    else:
        verdict = (
            f"Building at the recommended sites costs {musd(diff)} "
            f"({100 * diff / rent_only:.0f} %) less than renting the whole fleet over {years}."
        )
    if bridge > 0:
        verdict += (
            f" Rent-then-build is the recommendation itself: it rents {musd(bridge)} of "
            "GPU-hours while sites wait for power, then owns."
        )
    verdict += " Net present values at the scenario's discount rate."
    return {
        "build_usd": build,
        "bridge_rent_usd": bridge,
        "rent_only_usd": float(rent_only),
        "rent_then_build_usd": ours,
        "verdict": verdict,
    }


def musd(value: float) -> str:
    return f"{value / 1e6:,.1f} M USD"


def scope2(evaluation: Evaluation, scenario: Scenario, allocation: Allocation) -> dict[str, float]:
    """Location- and market-based tCO2 of the allocation: a year at full build-out, and the horizon.

    A year: each site's whole-fleet ``co2_*_t_per_year`` times its share of the fleet. Over the
    horizon: market-based is the allocation summary's ``co2_t`` (running months only);
    location-based is each site's ``co2_t`` times its location-to-market ratio, or, at a site
    whose market-based figure is zero (carbon-free PPA), its yearly location figure times the
    whole-fleet years the allocation runs there.
    """
    summary = allocation.summary
    metrics = evaluation.metrics.reindex(summary.index)
    share = summary["share"].to_numpy(float)
    location_year = np.nan_to_num(metrics["co2_location_t_per_year"].to_numpy(float))
    market_year = np.nan_to_num(metrics["co2_market_t_per_year"].to_numpy(float))
    market_horizon = np.nan_to_num(summary["co2_t"].to_numpy(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(market_year > 0, location_year / market_year, 0.0)
    location_horizon = np.where(
        market_year > 0,
        market_horizon * ratio,
        location_year * _fleet_years(evaluation, scenario, allocation),
    )
    return {
        "location_t_per_year": float((location_year * share).sum()),
        "market_t_per_year": float((market_year * share).sum()),
        "location_t_horizon": float(location_horizon.sum()),
        "market_t_horizon": float(market_horizon.sum()),
    }


def _fleet_years(evaluation: Evaluation, scenario: Scenario, allocation: Allocation):
    """Years of the whole fleet's facility energy that the allocation uses at each site."""
    from planner.catalog import default_catalog

    phases = list(evaluation.phase_block_cost_usd.columns)
    gpus = allocation.gpus.reindex(index=allocation.summary.index, columns=phases).fillna(0.0)
    timing = site_timing(evaluation, scenario, gpus)
    models = [p.gpu for p in scenario.fleet.phases]
    node_kw = pd.to_numeric(default_catalog().gpus["node_power_w_per_gpu"]).reindex(models)
    node_kw = node_kw.to_numpy(float) / 1e3
    count = np.array([p.count for p in scenario.fleet.phases], dtype=float)
    shape = facility_energy_shape(evaluation, gpus.index)
    ours = _running(node_kw, gpus.to_numpy(float), timing.start, timing.months)
    used = (ours * shape[:, np.arange(timing.months) % 12]).sum(axis=1)
    return used / ((count * node_kw).sum() * shape.sum(axis=1))


REQUIRED_METRICS = (
    *(f"cost_{c}_usd" for c in (*FACILITY_CAPITAL, "opex", "energy", "carbon")),
    "co2_location_t_per_year",
    "co2_market_t_per_year",
)


def explainable(evaluation: Evaluation, scenario: Scenario) -> bool:
    """Whether the evaluation and the embedded GPU catalog hold what the explanation uses."""
    from planner.catalog import default_catalog
    from planner.errors import InputError
    from planner.evaluate import phase_rent_usd_per_gpu_hour

    if not set(REQUIRED_METRICS) <= set(evaluation.metrics.columns):
        return False
    gpus = default_catalog().gpus
    models = [p.gpu for p in scenario.fleet.phases]
    for column in ("capital_usd_per_gpu", "node_power_w_per_gpu"):
        if column not in gpus or pd.to_numeric(gpus[column]).reindex(models).isna().any():
            return False
    try:
        phase_rent_usd_per_gpu_hour(scenario)
    except InputError:
        return False
    return True


def explain_allocation(
    evaluation: Evaluation, scenario: Scenario, allocation: Allocation
) -> tuple[dict[str, Any] | None, pd.DataFrame | None, dict[str, float] | None]:
    """Build vs rent, yearly cash flows and Scope 2 of a feasible allocation (else Nones).

    Also Nones for an evaluation without the cost and CO2 columns it splits (a hand-made one),
    or a fleet whose GPU models the embedded catalog does not price.

    Returns
    -------
    build_vs_rent : dict
        ``build_usd, bridge_rent_usd, rent_only_usd, rent_then_build_usd, verdict``.
    cash_flows : DataFrame
        :func:`annual_cash_flows`.
    scope2 : dict
        :func:`scope2`.
    """
    if not allocation.feasible or allocation.summary is None or allocation.gpus is None:
        return None, None, None
    if not explainable(evaluation, scenario):
        return None, None, None
    info = scenario.scenario
    cash = monthly_cash(evaluation, scenario, allocation)
    flows = annual_cash_flows(cash, int(info.start_year), float(info.discount_rate))
    verdict = build_vs_rent(
        allocation, rent_only_usd(evaluation, scenario), int(info.horizon_years)
    )
    verdict.update(
        levelised_cost(cash, float(info.discount_rate), phase_gpu_hours(evaluation, scenario))
    )
    return verdict, flows, scope2(evaluation, scenario, allocation)


LEVELISED_PARTS = {
    "capital": ("capital_usd", "residual_usd"),
    "opex": ("opex_usd",),
    "energy": ("energy_usd",),
    "carbon": ("carbon_usd",),
    "rent": ("rent_usd",),
}


def levelised_cost(cash: pd.DataFrame, annual_rate: float, gpu_hours: np.ndarray) -> dict[str, Any]:
    """Cost per delivered GPU-hour: the present value of each cash item over the fleet's
    discounted delivered GPU-hours (:func:`phase_gpu_hours`); the parts sum to the whole.

    Returns
    -------
    dict
        ``gpu_hours`` (discounted), ``usd_per_gpu_hour`` and ``usd_per_gpu_hour_by_component``
        ``{capital, opex, energy, carbon, rent}`` (capital net of the value left at the end).
    """
    hours = float(np.sum(gpu_hours))
    start, end = _month_discounts(cash, annual_rate)
    pv = {c: float((cash[c] * (start if c == "capital_usd" else end)).sum()) for c in CASH_COLUMNS}
    parts = {k: sum(pv[c] for c in cols) / hours for k, cols in LEVELISED_PARTS.items()}
    return {
        "gpu_hours": hours,
        "usd_per_gpu_hour": sum(parts.values()),
        "usd_per_gpu_hour_by_component": parts,
    }
