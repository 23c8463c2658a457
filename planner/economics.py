"""Economics: capital charges, discounting, capex with scale, energy bills and idle GPUs.

Conventions (see docs/evaluation.md):

- Money is discounted monthly at the scenario's annual ``discount_rate``: a payment at the end
  of horizon month ``m`` (0-based) is worth ``(1 + r) ** (-(m + 1) / 12)`` today.
- Capital is turned into a level monthly charge with the capital recovery factor of its asset
  life at the monthly rate, ``capex * crf(r_month, 12 * life)``; the charge is paid every month
  the asset is needed inside the horizon. Over a full life its present value is the capex, and
  assets shorter-lived than the horizon (GPUs) are implicitly replaced at the same cost.
- The retail price (and with it the network charges and the wholesale price a virtual PPA
  settles against) escalates by ``price_escalation_per_year`` once per horizon year; a PPA
  strike is fixed for the horizon.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.errors import InputError
from planner.power import MONTH_START_HOUR


def monthly_rate(annual_rate: ArrayLike) -> np.ndarray:
    """Monthly rate equivalent to an annual rate: ``(1 + r) ** (1/12) - 1``."""
    return np.power(1.0 + np.asarray(annual_rate, dtype=float), 1.0 / 12.0) - 1.0


def crf(rate: ArrayLike, periods: ArrayLike) -> np.ndarray:
    """Capital recovery factor ``r (1+r)^n / ((1+r)^n - 1)``; ``1/n`` when ``r = 0``.

    Parameters
    ----------
    rate : array-like
        Interest rate per period (e.g. 0.08 per year).
    periods : array-like
        Number of periods (e.g. asset life in years), > 0.
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(periods, dtype=float)
    if np.any(n <= 0):
        raise InputError("expected an asset life of more than zero periods", field="life_years")
    with np.errstate(divide="ignore", invalid="ignore"):
        # r / (1 - (1+r)^-n) with expm1/log1p: exact even for rates near zero, where the
        # textbook form loses all its digits to cancellation.
        value = r / -np.expm1(-n * np.log1p(r))
    return np.where(r == 0, 1.0 / n, value)


def discount_factors(annual_rate: float, months: int) -> np.ndarray:
    """End-of-month discount factors for months 0..months-1, shape (months,)."""
    return np.power(1.0 + annual_rate, -(np.arange(months) + 1.0) / 12.0)


def npv(monthly_cash_usd: ArrayLike, annual_rate: float) -> np.ndarray:
    """Present value of monthly cash flows (last axis = horizon months, end of month)."""
    cash = np.asarray(monthly_cash_usd, dtype=float)
    return cash @ discount_factors(annual_rate, cash.shape[-1])


def escalation_factors(escalation_per_year: float, months: int) -> np.ndarray:
    """Price multiplier in each horizon month: ``(1 + e) ** (month // 12)``."""
    return np.power(1.0 + escalation_per_year, np.arange(months) // 12)


def tail_sums(monthly: np.ndarray) -> np.ndarray:
    """``out[..., m] = sum(monthly[..., m:])``, with one extra trailing 0 column for 'never'.

    Gathering ``out[..., start]`` gives the total from ``start`` to the end of the horizon.
    """
    monthly = np.asarray(monthly, dtype=float)
    rev = np.cumsum(monthly[..., ::-1], axis=-1)[..., ::-1]
    pad = np.zeros((*monthly.shape[:-1], 1))
    return np.concatenate([rev, pad], axis=-1)


def capital_charge_pv(
    capex_usd: ArrayLike, life_years: float, annual_rate: float, months: int, start_month: ArrayLike
) -> np.ndarray:
    """Present value of an asset's level monthly capital charge from ``start_month`` on.

    The charge is paid every month from ``start_month`` to the end of the horizon.

    Parameters
    ----------
    capex_usd : array-like
        Purchase cost, USD.
    life_years : float
        Asset life for the capital recovery factor.
    annual_rate : float
        Discount rate per year.
    months : int
        Horizon length in months.
    start_month : array-like of int
        First month the charge is paid (>= months: never, present value 0).
    """
    charge = np.asarray(capex_usd, dtype=float) * crf(monthly_rate(annual_rate), 12.0 * life_years)
    annuity = tail_sums(discount_factors(annual_rate, months))
    start = np.clip(np.asarray(start_month, dtype=int), 0, months)
    return charge * annuity[start]


def idle_gpu_cost_usd(
    gpu_capital_usd: ArrayLike,
    gpu_count: ArrayLike,
    start_month: ArrayLike,
    ready_month: ArrayLike,
    life_years: float,
    annual_rate: float,
    months: int,
) -> np.ndarray:
    """Capital charge of GPUs delivered at ``start_month`` while they wait for power.

    ``capital * count * crf_month * sum of discount factors over months start..ready-1``; zero
    when the site is ready in time. Broadcasts over all arguments. This is the charge of the
    ``fleet.buy_gpus_when = "phase_start"`` case; GPUs bought when power is ready have none.
    """
    start = np.asarray(start_month, dtype=int)
    ready = np.maximum(np.asarray(ready_month, dtype=int), start)
    capex = np.asarray(gpu_capital_usd, dtype=float) * np.asarray(gpu_count, dtype=float)
    return capital_charge_pv(capex, life_years, annual_rate, months, start) - capital_charge_pv(
        capex, life_years, annual_rate, months, ready
    )


def capex_affine(
    usd_per_mw_at_reference: ArrayLike,
    reference_mw: float,
    scale_exponent: float,
    small_mw: float,
    large_mw: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed + per-MW approximation of a power-law capex curve, for additive block costs.

    The curve is ``C(P) = u * P0 * (P / P0) ** b``. It is replaced by the straight line through
    its values at ``small_mw`` (one block) and ``large_mw`` (the whole fleet), exact at both:
    ``C(P) ~ fixed + per_mw * P``. With ``b < 1`` the fixed part is positive: that is how
    economies of scale enter an additive (MILP) cost. If the two sizes coincide, the tangent at
    that size is used.

    Returns
    -------
    fixed_usd, usd_per_mw : ndarray
        Same shape as ``usd_per_mw_at_reference``.
    """
    u = np.asarray(usd_per_mw_at_reference, dtype=float)
    if small_mw <= 0 or large_mw <= 0 or reference_mw <= 0:
        raise InputError(
            "expected positive sizes for the capex curve", field="capex.reference_size_mw"
        )

    def curve(p: float) -> np.ndarray:
        return u * reference_mw * (p / reference_mw) ** scale_exponent

    if np.isclose(small_mw, large_mw):
        per_mw = scale_exponent * curve(large_mw) / large_mw
    else:
        per_mw = (curve(large_mw) - curve(small_mw)) / (large_mw - small_mw)
    fixed = curve(large_mw) - per_mw * large_mw
    return fixed, per_mw


def time_of_use_shape(
    peak_start_hour: int, peak_end_hour: int, peak_multiplier: float, first_weekday: int = 0
) -> np.ndarray:
    """Hourly price multipliers of a typical year with mean 1, shape (8760,).

    Weekday hours from ``peak_start_hour`` (inclusive) to ``peak_end_hour`` (exclusive) cost
    ``peak_multiplier`` times the other hours; ``first_weekday`` is 1 January's weekday
    (0 = Monday). Normalised so the yearly mean is 1, keeping a region's average price.
    """
    hours = np.arange(8760)
    weekday = (first_weekday + hours // 24) % 7
    hour = hours % 24
    peak = (weekday < 5) & (hour >= peak_start_hour) & (hour < peak_end_hour)
    shape = np.where(peak, float(peak_multiplier), 1.0)
    return shape / shape.mean()


PPA_TYPES = ("virtual", "physical")


def monthly_energy_bill(
    facility_kw: np.ndarray,
    price_usd_per_mwh: np.ndarray,
    *,
    demand_charge_usd_per_kw_month: float = 0.0,
    ppa_share: float = 0.0,
    ppa_strike_usd_per_mwh: ArrayLike = 0.0,
    ppa_type: str = "virtual",
    network_levy_usd_per_mwh: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    """Monthly electricity bill of a typical year from hourly facility power.

    Parameters
    ----------
    facility_kw : ndarray, shape (..., 8760)
        Facility power each hour (IT x PUE), kW; one hour at P kW is P kWh.
    price_usd_per_mwh : ndarray, broadcastable to ``facility_kw``
        Retail price each hour (network charges, levies and taxes included).
    demand_charge_usd_per_kw_month : float
        Charge on each month's highest hourly kW.
    ppa_share : float
        Share 0-1 of every hour's energy covered by the PPA.
    ppa_strike_usd_per_mwh, network_levy_usd_per_mwh : array-like
        Broadcastable to ``facility_kw.shape[:-1] + (1,)``; see :func:`ppa_bill`.
    ppa_type : {"virtual", "physical"}

    Returns
    -------
    dict of ndarray, each shape (..., 12)
        ``energy_mwh``, ``peak_kw`` (each month's highest hour), ``demand_usd`` and the
        energy bill of :func:`ppa_bill`.
    """
    energy_mwh, retail_usd, peak_kw = monthly_energy_sums(facility_kw, price_usd_per_mwh)
    bill = ppa_bill(
        energy_mwh,
        retail_usd,
        ppa_share=ppa_share,
        ppa_strike_usd_per_mwh=ppa_strike_usd_per_mwh,
        ppa_type=ppa_type,
        network_levy_usd_per_mwh=network_levy_usd_per_mwh,
    )
    return {
        "energy_mwh": energy_mwh,
        **bill,
        "demand_usd": demand_charge_usd_per_kw_month * peak_kw,
        "peak_kw": peak_kw,
    }


def monthly_energy_sums(
    facility_kw: np.ndarray, price_usd_per_mwh: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each month's energy, its cost at the hourly retail price, and its highest hour.

    Parameters
    ----------
    facility_kw : ndarray, shape (..., 8760)
    price_usd_per_mwh : array-like, broadcastable to ``facility_kw`` (one value per row, or
        hourly)

    Returns
    -------
    energy_mwh, retail_usd, peak_kw : ndarray, shape (..., 12)
    """
    kw = np.asarray(facility_kw, dtype=float)
    if kw.shape[-1] != 8760:
        raise InputError(f"expected 8760 hourly values, got {kw.shape[-1]}")
    energy_mwh = np.add.reduceat(kw, MONTH_START_HOUR, axis=-1) / 1000.0
    price = np.asarray(price_usd_per_mwh, dtype=float)
    if price.ndim == 0 or price.shape[-1] == 1:
        retail_usd = energy_mwh * price  # one price for the year: no hourly product needed
    else:
        retail_usd = np.add.reduceat(kw * price, MONTH_START_HOUR, axis=-1) / 1000.0
    return energy_mwh, retail_usd, np.maximum.reduceat(kw, MONTH_START_HOUR, axis=-1)


def ppa_bill(
    energy_mwh: np.ndarray,
    retail_usd: np.ndarray,
    *,
    ppa_share: float = 0.0,
    ppa_strike_usd_per_mwh: ArrayLike = 0.0,
    ppa_type: str = "virtual",
    network_levy_usd_per_mwh: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    """Energy bill split into retail purchases and the PPA's part, from monthly sums.

    With ``s`` the PPA share, ``E`` the energy, ``R`` its cost at the retail price (sum over
    hours of energy x price), ``K`` the strike and ``L`` the network charges, levies and taxes
    per MWh included in the retail price:

    - physical (sleeved): the PPA share is delivered and pays ``K + L``; the rest pays retail:
      ``retail = (1 - s) R``, ``ppa = s (K + L) E``;
    - virtual (contract for difference): all energy pays retail, and the contract settles
      ``(K - wholesale)`` on the PPA volume ``s E``, with wholesale approximated as the retail
      price minus ``L`` (hour by hour where the price is hourly):
      ``retail = R``, ``ppa = s (K E - (R - L E))``.

    Both add up to ``(1 - s) R + s (K + L) E``: with the PPA volume following the load and
    wholesale = retail - levy, the two forms cost the same; they differ in what is bought
    where. The strike is fixed; everything else moves with the retail price, so the result
    separates the two (``ppa_strike_usd`` fixed, ``ppa_indexed_usd`` indexed to retail).

    Parameters
    ----------
    energy_mwh, retail_usd : ndarray, shape (..., 12)
        Monthly energy and its cost at the retail price.
    ppa_share : float
        0-1.
    ppa_strike_usd_per_mwh, network_levy_usd_per_mwh : array-like
        Broadcastable to ``energy_mwh`` (e.g. shape (n_sites, 1)).
    ppa_type : {"virtual", "physical"}

    Returns
    -------
    dict of ndarray, each shape (..., 12)
        ``grid_usd`` (bought at the retail price), ``ppa_strike_usd`` (``s K E``),
        ``ppa_indexed_usd`` (the PPA's part that moves with the retail price: ``s L E`` when
        physical, ``-s (R - L E)`` when virtual) and ``ppa_usd`` (their sum).
    """
    if not 0.0 <= ppa_share <= 1.0:
        raise InputError(
            f"expected a PPA share between 0 and 1, got {ppa_share}", field="energy.ppa_share"
        )
    if ppa_type not in PPA_TYPES:
        raise InputError(
            f"expected a PPA type of {' or '.join(PPA_TYPES)}, got '{ppa_type}'",
            field="energy.ppa_type",
        )
    energy = np.asarray(energy_mwh, dtype=float)
    retail = np.asarray(retail_usd, dtype=float)
    levy_usd = np.asarray(network_levy_usd_per_mwh, dtype=float) * energy
    strike_usd = ppa_share * np.asarray(ppa_strike_usd_per_mwh, dtype=float) * energy
    if ppa_type == "physical":
        grid = (1.0 - ppa_share) * retail
        indexed = ppa_share * levy_usd
    else:
        grid = retail
        indexed = -ppa_share * (retail - levy_usd)  # minus the wholesale value of the volume
    return {
        "grid_usd": grid,
        "ppa_strike_usd": strike_usd,
        "ppa_indexed_usd": indexed,
        "ppa_usd": strike_usd + indexed,
    }


def horizon_calendar(months: int) -> np.ndarray:
    """Calendar month (0 = January) of each horizon month; the horizon starts in January."""
    return np.arange(months) % 12


def horizon_pv_from(
    per_calendar_month: np.ndarray,
    annual_rate: float,
    months: int,
    escalation_per_year: float = 0.0,
) -> np.ndarray:
    """Tail sums of a typical-year monthly amount repeated over the horizon, discounted.

    ``out[..., s]`` is the present value of paying ``per_calendar_month[..., m % 12]`` (times
    the escalation of year ``m // 12``) every month ``m >= s``; ``out[..., months] = 0``.
    """
    amount = np.asarray(per_calendar_month, dtype=float)[..., horizon_calendar(months)]
    weights = discount_factors(annual_rate, months) * escalation_factors(
        escalation_per_year, months
    )
    return tail_sums(amount * weights)
