"""24/7 carbon-free matching at every site: the evaluation step after the energy bills.

When a scenario sets ``energy.cfe_target``, each site buys the least-cost solar, wind and
battery portfolio (:mod:`planner.cfe`) whose hourly matching reaches the target, given

- the site's hourly facility load (the fleet's activity times the cooling model's PUE),
- its solar and wind output per MW (:mod:`planner.renewables`: from the site's weather file, or
  from its climate normals and its country's wind capacity factor),
- its region's hourly carbon-free share (``energy.cfe_file``, else the annual
  ``carbon_free_share`` of the regions table, flat over the year: docs/cfe.md says what that
  overstates),
- the hourly price the PPA energy is settled at (retail minus the network levy, as for the
  annual PPA) and the hourly grid intensity.

The portfolio's money joins the energy bill (strike payments do not escalate, the settlement
value follows the retail price) and its hourly accounting replaces the market-based CO2.
Everything here is per kW of design IT, like the rest of :mod:`planner.evaluate`; the LP is
scale-invariant, so one solve per distinct site serves any fleet size.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.power import HOURS_PER_YEAR, MONTH_START_HOUR
from planner.scenario import Scenario

if TYPE_CHECKING:  # scipy's optimizer loads with the first portfolio, not with the window
    from planner.cfe import PortfolioCosts, PortfolioResult
    from planner.cfe.model import CfeSite

MAX_DISTINCT_SITES = 2_000
"""One portfolio search (0.01-0.1 s) and one solar and wind year (about 10 ms) per distinct
site: this many take a few minutes on two cores."""


# --- solar and wind at each site ----------------------------------------------------------------


@dataclass(frozen=True)
class SiteRenewables:
    """Hourly output per MW installed, one row per distinct case, and each site's case."""

    solar_cf: np.ndarray  # (cases, 8760)
    wind_cf: np.ndarray  # (cases, 8760)
    case_of_site: np.ndarray  # (n_sites,)
    basis: np.ndarray  # (n_sites,) of str: where the profiles come from


def site_renewables(
    scenario: Scenario, catalog: Any, table: pd.DataFrame, warnings: list[str]
) -> SiteRenewables:
    """Solar and wind profiles of every site: its weather file's, else from its normals.

    Sites with the same climate donor, position (to 0.01 degree), country and time zone share
    one case.
    """
    from planner.evaluate import climate_donors, donor_normals
    from planner.renewables.profiles import profiles_from_normals

    ids = np.asarray(table.index, dtype=object)
    donor = climate_donors(catalog, ids)
    tz_hours = _standard_offsets(table)
    keys = pd.DataFrame(
        {
            "donor": donor,
            "lat": np.round(table["lat"].to_numpy(float), 2),
            "lon": np.round(table["lon"].to_numpy(float), 2),
            "country": table["country"].astype(str).to_numpy(),
            "tz": tz_hours,
        }
    )
    case_of_site, _ = pd.MultiIndex.from_frame(keys).factorize()
    first = pd.Series(np.arange(len(ids))).groupby(case_of_site).first().to_numpy()
    case_ids = [str(i) for i in ids[first]]  # seeds the synthetic wind: a site's own year
    normals = donor_normals(catalog, list(dict.fromkeys(donor[first])))
    by_donor = {d: g for d, g in normals.groupby("site_id")}
    normals_long = pd.concat(
        [by_donor[d].assign(site_id=c) for d, c in zip(donor[first], case_ids, strict=True)],
        ignore_index=True,
    )
    profiles = profiles_from_normals(
        keys["lat"].to_numpy()[first],
        keys["lon"].to_numpy()[first],
        _elevations(catalog, ids)[first],
        tz_hours[first],
        normals_long,
        case_ids,
        list(keys["country"].to_numpy()[first]),
    )
    solar = profiles.solar_cf.astype(np.float32)
    wind = profiles.wind_cf.astype(np.float32)
    basis = np.array(
        [
            f"solar: {s}; wind: {w}"
            for s, w in zip(profiles.solar_basis, profiles.wind_basis, strict=True)
        ],
        dtype=object,
    )[case_of_site]
    solar, wind, case_of_site, basis = _weather_file_profiles(
        scenario, ids, (solar, wind, np.asarray(case_of_site), basis), warnings
    )
    return SiteRenewables(solar, wind, case_of_site, basis)


def _elevations(catalog: Any, ids: np.ndarray) -> np.ndarray:
    """Each site's elevation [m] from the catalog (0 where not given), as the climate uses."""
    sites = catalog.sites
    if "elevation_m" not in sites:
        return np.zeros(len(ids))
    return pd.to_numeric(sites["elevation_m"], errors="coerce").reindex(ids).fillna(0.0).to_numpy()


def _standard_offsets(table: pd.DataFrame) -> np.ndarray:
    """Standard UTC offset [h] of each site's region (``tz``), NaN where unknown."""
    from planner.hourly.timebase import standard_offset

    zones = table["tz"] if "tz" in table else pd.Series(np.nan, index=table.index)
    hours = {
        z: standard_offset(str(z), 2023).total_seconds() / 3600.0
        for z in zones.dropna().unique()
        if str(z).strip()
    }
    return np.array([hours.get(z, np.nan) for z in zones], dtype=float)


def _weather_file_profiles(
    scenario: Scenario,
    ids: np.ndarray,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    warnings: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sites with a weather file get their own case from the file's irradiance and wind."""
    from planner.climate import read_weather
    from planner.renewables.profiles import profiles_from_weather

    solar, wind, case_of_site, basis = arrays
    position = {str(s): i for i, s in enumerate(ids)}
    extra_solar, extra_wind = [], []
    for site_id, path in scenario.sites.weather_files.items():
        i = position.get(str(site_id))
        if i is None:
            continue
        weather, meta = read_weather(path, resource=True)
        warnings.extend(f"{Path(path).name}: {w}" for w in meta.get("warnings", []))
        file_solar, file_wind = profiles_from_weather(weather, meta)
        row = case_of_site[i]
        extra_solar.append(solar[row] if file_solar is None else file_solar.astype(np.float32))
        extra_wind.append(wind[row] if file_wind is None else file_wind.astype(np.float32))
        case_of_site[i] = len(solar) + len(extra_solar) - 1
        basis[i] = (
            f"solar: {'normals' if file_solar is None else Path(path).name}; "
            f"wind: {'regional factor' if file_wind is None else Path(path).name}"
        )
    if extra_solar:
        solar = np.vstack([solar, np.array(extra_solar)])
        wind = np.vstack([wind, np.array(extra_wind)])
    return solar, wind, case_of_site, basis


# --- the portfolio at each site -----------------------------------------------------------------


@dataclass
class Matching:
    """Each site's portfolio and its money and carbon, per kW of design IT.

    Monthly arrays have shape (n_sites, 12). ``results`` holds one LP result per distinct
    site (at 1 kW of design IT) and ``case_of_site`` each site's; ``grid_cfe`` the grid's
    hourly carbon-free share of each result, for charts.
    """

    results: list[PortfolioResult]
    case_of_site: np.ndarray
    grid_cfe: np.ndarray  # (cases, 8760)
    strike_usd: np.ndarray  # PPA strike payments and the battery's annual cost
    value_usd: np.ndarray  # settlement value of the portfolio's energy, at the retail price
    market_t: np.ndarray  # hourly-accounted CO2: grid energy at the hour's intensity
    reachable: np.ndarray  # (n_sites,) bool
    basis: np.ndarray  # (n_sites,) of str: where the solar and wind profiles come from

    def hourly_arrays(self) -> dict[str, np.ndarray]:
        """The :class:`planner.results.Evaluation` fields of the matching, for charts."""
        return {
            "hourly_cfe": np.array(
                [self.hourly_cfe_share(k) for k in range(len(self.results))], dtype=np.float32
            ),
            "hourly_grid_cfe": self.grid_cfe.astype(np.float32),
            "cfe_case_of_site": np.asarray(self.case_of_site, dtype=int),
        }

    def hourly_cfe_share(self, case: int) -> np.ndarray:
        """Carbon-free share of the load each hour: matched, plus the grid's share of the rest."""
        r = self.results[case]
        load = r.matched_mw + r.grid_mw
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (r.matched_mw + self.grid_cfe[case] * r.grid_mw) / load
        return np.where(load > 0, share, 1.0)


@dataclass(frozen=True)
class HourlyInputs:
    """The hourly series matching reads; per-site arrays have one row for all sites or one per
    site, and 8,760 columns or one (a flat value)."""

    load_kw: np.ndarray  # (cooling cases, 8760) facility kW per kW of design IT
    load_case: np.ndarray  # (n_sites,) row of load_kw
    price_shape: np.ndarray  # retail price = shape x level
    price_level: np.ndarray  # (n_sites,)
    levy_usd_per_mwh: np.ndarray  # (n_sites,): settlement price = retail - levy
    carbon_g_per_kwh: np.ndarray
    grid_cfe: np.ndarray


def match_sites(
    scenario: Scenario,
    renewables: SiteRenewables,
    hourly: HourlyInputs,
    costs: list[PortfolioCosts],
    cost_of_site: np.ndarray,
) -> Matching:
    """The least-cost portfolio reaching ``energy.cfe_target`` at each site, and its money.

    ``costs`` are the distinct portfolio costs (strikes differ by market) and
    ``cost_of_site`` the index of each site's.
    """
    target = float(scenario.energy.cfe_target or 0.0)
    n = len(hourly.load_case)
    case_of_site, first = _distinct_sites(renewables, hourly, cost_of_site, n)
    if len(first) > MAX_DISTINCT_SITES:
        raise InputError(
            f"24/7 matching sizes one portfolio per distinct site and {len(first):,} "
            f"sites differ; keep it to {MAX_DISTINCT_SITES:,} (filter the sites or drop "
            "energy.cfe_target)",
            field="energy.cfe_target",
        )
    sites = [_cfe_site(renewables, hourly, int(i)) for i in first]
    site_costs = [costs[int(cost_of_site[i])] for i in first]
    results = [_solved(site, target, c) for site, c in zip(sites, site_costs, strict=True)]
    strike, value, market = _monthly_money_and_carbon(sites, results, site_costs)
    reachable = np.array([r.status == "optimal" for r in results])
    return Matching(
        results=results,
        case_of_site=case_of_site,
        grid_cfe=np.array([s.grid_cfe for s in sites]),
        strike_usd=strike[case_of_site],
        value_usd=value[case_of_site],
        market_t=market[case_of_site],
        reachable=reachable[case_of_site],
        basis=renewables.basis,
    )


_SOLVED: OrderedDict[str, tuple[PortfolioResult, float]] = OrderedDict()
MAX_SOLVED = 4_096
"""Portfolios kept for re-evaluations (switching values, the tornado): about 0.3 MB each."""


def _solved(site: CfeSite, target: float, costs: PortfolioCosts) -> PortfolioResult:
    """One site's portfolio, solved once per process for the same inputs.

    The capacity search (``method="fast"``): the LP takes 7-27 s a site-year; the search
    finds the same portfolio on a flat grid share and one 1.5-2.1 % dearer on an hourly one
    (docs/cfe.md).
    """
    from planner.cfe import solve_portfolios
    from planner.cfe.solve import site_key

    key = site_key(site, target, costs) + ":fast"
    peak = float(site.load_mw.max())
    if key in _SOLVED:
        _SOLVED.move_to_end(key)
    else:
        (result,) = solve_portfolios([site], target, costs, method="fast")
        _SOLVED[key] = (result, peak)
        while len(_SOLVED) > MAX_SOLVED:
            _SOLVED.popitem(last=False)
    result, solved_peak = _SOLVED[key]
    return result if peak == solved_peak else result.scaled(peak / solved_peak)


def _row(values: np.ndarray, i: int) -> np.ndarray:
    """Site i's hourly series from an array of one row for all sites or one per site."""
    row = np.asarray(values[i if values.shape[0] > 1 else 0], dtype=float)
    return np.broadcast_to(row, HOURS_PER_YEAR) if row.size == 1 else row


def _distinct_sites(
    renewables: SiteRenewables, hourly: HourlyInputs, cost_of_site: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which sites share every input (so one LP), without building per-site arrays."""

    def key(values: np.ndarray) -> np.ndarray:
        if values.shape[0] == 1:
            return np.zeros(n, dtype=np.int64)
        if values.shape[1] == 1:
            return pd.factorize(values[:, 0])[0]
        return pd.factorize(np.array([hash(r.tobytes()) for r in values]))[0]

    frame = pd.DataFrame(
        {
            "load": hourly.load_case,
            "costs": cost_of_site,
            "renewables": renewables.case_of_site,
            "shape": key(hourly.price_shape),
            "level": hourly.price_level,
            "levy": hourly.levy_usd_per_mwh,
            "carbon": key(hourly.carbon_g_per_kwh),
            "cfe": key(hourly.grid_cfe),
        }
    )
    case_of_site, _ = pd.MultiIndex.from_frame(frame).factorize()
    first = pd.Series(np.arange(n)).groupby(case_of_site).first().to_numpy()
    return np.asarray(case_of_site), first


def _cfe_site(renewables: SiteRenewables, hourly: HourlyInputs, i: int) -> CfeSite:
    from planner.cfe.model import CfeSite

    case = renewables.case_of_site[i]
    price = _row(hourly.price_shape, i) * hourly.price_level[i] - hourly.levy_usd_per_mwh[i]
    return CfeSite(
        load_mw=hourly.load_kw[hourly.load_case[i]].astype(float),
        grid_cfe=_row(hourly.grid_cfe, i),
        solar_cf=renewables.solar_cf[case].astype(float),
        wind_cf=renewables.wind_cf[case].astype(float),
        price_usd_per_mwh=price,
        grid_carbon_g_per_kwh=_row(hourly.carbon_g_per_kwh, i),
    )


def _monthly_money_and_carbon(
    sites: list[CfeSite], results: list[PortfolioResult], costs: list[PortfolioCosts]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly strike payments, settlement value and CO2 of each distinct site, (cases, 12).

    The load is in kW per kW of design IT, so the LP's "MW" are kW here and its USD are USD
    per kW of design IT. An unreachable target costs nothing here: screening excludes the site.
    """
    strike = np.zeros((len(sites), 12))
    value = np.zeros((len(sites), 12))
    market = np.zeros((len(sites), 12))
    for k, (site, r, c) in enumerate(zip(sites, results, costs, strict=True)):
        if r.status != "optimal":
            market[k] = _by_month(site.load_mw * site.grid_carbon_g_per_kwh) / 1e6
            continue
        solar = r.solar_mw * site.solar_cf
        wind = r.wind_mw * site.wind_cf
        payments = solar * c.solar_strike_usd_per_mwh + wind * c.wind_strike_usd_per_mwh
        battery = r.battery_mwh * 1000.0 * c.battery_usd_per_kwh_year / 12.0
        strike[k] = (_by_month(payments) + battery) / 1000.0
        settled = solar + wind if c.contract == "virtual" else r.matched_mw
        value[k] = _by_month(settled * site.price_usd_per_mwh) / 1000.0
        market[k] = _by_month(r.grid_mw * site.grid_carbon_g_per_kwh) / 1e6
    return strike, value, market


def _by_month(hourly: np.ndarray) -> np.ndarray:
    return np.add.reduceat(hourly, MONTH_START_HOUR)


# --- inputs from the scenario and the regions table ---------------------------------------------


EUROPE = frozenset(
    "AL AT BA BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV ME MK MT NL "
    "NO PL PT RO RS SE SI SK UA XK".split()
)
"""Countries priced with the European PPA index (finance.toml ``europe_strike_usd_per_mwh``)."""


def portfolio_costs(
    scenario: Scenario, finance: dict[str, Any], countries: np.ndarray
) -> tuple[list[PortfolioCosts], np.ndarray]:
    """Portfolio costs per market: finance.toml ``[cfe]`` with the scenario's prices in place.

    Returns the distinct costs and the index of each site's. European sites take the European
    index for both solar and wind; every other site the North American solar and wind P25
    (no comparable index is published for the other markets: docs/cfe.md). A strike the
    scenario gives applies everywhere.

    Every MWh of the portfolio is paid at its strike and only the MWh that meet the load in
    their hour save that hour's price (the ``"physical"`` valuation of :mod:`planner.cfe`),
    whatever ``energy.ppa_type`` says: the regional prices are retail less the network levy,
    well above wholesale in many regions, and settling surplus at them would make a portfolio
    twenty times the load look like a profit. Surplus earns nothing: a conservative buyer's view.
    """
    from planner.cfe import PortfolioCosts

    energy = scenario.energy
    cfe = dict(finance["cfe"])
    if energy.battery_usd_per_kwh is not None:
        cfe["battery_capex_usd_per_kwh"] = energy.battery_usd_per_kwh
    rate = float(scenario.scenario.discount_rate)

    def market(solar: float, wind: float) -> PortfolioCosts:
        overrides: dict[str, Any] = {
            "contract": "physical",
            "solar_strike_usd_per_mwh": _given(energy.solar_ppa_usd_per_mwh, solar),
            "wind_strike_usd_per_mwh": _given(energy.wind_ppa_usd_per_mwh, wind),
        }
        return PortfolioCosts.from_finance(cfe, rate, **overrides)

    europe = float(cfe.get("europe_strike_usd_per_mwh", cfe["solar_strike_usd_per_mwh"]))
    costs = [
        market(float(cfe["solar_strike_usd_per_mwh"]), float(cfe["wind_strike_usd_per_mwh"])),
        market(europe, europe),
    ]
    in_europe = np.isin(np.asarray(countries, dtype=str), list(EUROPE)).astype(int)
    return costs, in_europe


def _given(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def grid_cfe_hourly(scenario: Scenario, table: pd.DataFrame, warnings: list[str]) -> np.ndarray:
    """The grid's hourly carbon-free share: (1 or n_sites, 8760) from a file, else (n, 1).

    Without ``energy.cfe_file`` each region's annual ``carbon_free_share`` is used in every
    hour; a region without one counts as 0 (a warning says how many sites).
    """
    from planner.evaluate import hourly_by_site, read_hourly_file

    flat = (
        pd.to_numeric(table["carbon_free_share"], errors="coerce").to_numpy(float)
        if "carbon_free_share" in table
        else np.full(len(table), np.nan)
    )
    unknown = np.isnan(flat)
    if unknown.any():
        warnings.append(
            f"{int(unknown.sum())} site(s) have no carbon-free share for their region; "
            "their grid counts as 0 % carbon-free in 24/7 matching"
        )
    flat = np.where(unknown, 0.0, flat)
    path = scenario.energy.cfe_file
    if path is None:
        return flat[:, None]
    frame = read_hourly_file(path, "cfe")
    codes = table["region_code"].astype(str).to_numpy()
    return hourly_by_site(frame, codes, flat, warnings, "carbon-free share")


# --- in words -------------------------------------------------------------------------------------


def portfolio_sentence(metrics: pd.DataFrame, target: float, sites: list[tuple[str, str]]) -> str:
    """The target and each site's score against its grid alone and its portfolio's net cost,
    in words (the report and the window say the same). ``sites`` are (site id, name) pairs."""
    parts = []
    for site, name in sites:
        row = metrics.loc[site]
        score, grid = float(row["cfe_score"]), float(row["cfe_grid_score"])
        bought = sum(
            float(row.get(c, 0.0)) > 0 for c in ("cfe_solar_mw", "cfe_wind_mw", "cfe_battery_mwh")
        )
        if not bought and grid >= target:
            parts.append(
                f"{name}'s grid alone is {100 * grid:.1f} % carbon-free hour by hour, so it "
                "needs no portfolio"
            )
            continue
        parts.append(
            f"{name} reaches {100 * score:.1f} % against {100 * grid:.1f} % from its grid "
            f"alone, for a net {float(row['cfe_usd_per_mwh']):+,.1f} USD per MWh of load"
        )
    return (
        f"The scenario asks every chosen site to match {100 * target:.0f} % of its load with "
        "carbon-free energy hour by hour. " + "; ".join(parts) + "."
    )
