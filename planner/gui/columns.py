"""How each metric is shown: header with its unit, display scale, format, better direction.

Display only: a scale turns USD into USD million or tonnes into kilotonnes for reading; the
numbers themselves come from the core's metrics and ranking tables (``docs/nomenclature.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""
    fmt: str = ""  # format spec for numbers; "" = text
    scale: float = 1.0  # multiply for display (e.g. 1e-6 for USD million)
    better: str = ""  # "low", "high" or "" (not a criterion)
    align: str = ""  # "right" for text that reads as a figure ("1.15×"); numbers always are

    @property
    def right(self) -> bool:
        """Right-aligned: every number, and text marked ``align="right"``."""
        return bool(self.fmt) or self.align == "right"

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def text(self, value: Any) -> str:
        return format_value(value, self.fmt, self.scale)


def format_value(value: Any, fmt: str, scale: float = 1.0) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if fmt:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(number):
            return "–"
        if math.isinf(number):
            return "unlimited" if number > 0 else "–"
        return format(number * scale, fmt)
    text = str(value)
    return "–" if text in ("nan", "None") else text


#: Columns of the ranking table, in order. Keys are ranking or metrics column names.
TABLE_COLUMNS: tuple[Column, ...] = (
    Column("rank", "Rank", "", ".0f", better="low"),
    Column("name", "Site"),
    Column("country", "Country"),
    Column("score", "Score", "0–1", ".3f", better="high"),
    Column("usd_per_gpu_hour", "Cost", "USD/GPU-h", ".3f", better="low"),
    Column("tco_usd", "TCO", "USD M", ",.0f", 1e-6, better="low"),
    Column("pue_annual", "PUE", "", ".3f", better="low"),
    Column("wue_l_per_kwh", "WUE", "L/kWh", ".2f", better="low"),
    Column("co2_market_t_per_year", "CO₂ market", "kt/yr", ",.1f", 1e-3, better="low"),
    Column("water_m3_per_year", "Water", "thousand m³/yr", ",.1f", 1e-3, better="low"),
    Column("latency_ms", "Latency", "ms", ".0f", better="low"),
    Column("time_to_power_months", "Time to power", "months", ".0f", better="low"),
    Column("risk_score", "Risk", "0–1", ".2f", better="low"),
    Column("cooling_technology", "Cooling"),
    Column("price_usd_per_mwh", "Energy price", "USD/MWh", ".0f", better="low"),
    Column("capacity_mw", "Capacity", "MW", ",.0f", better="high"),
    Column("region_code", "Region"),
)

#: Ranking table columns shown only when the metrics carry them (24/7 carbon-free matching,
#: ``energy.cfe_target``), after :data:`TABLE_COLUMNS` so the fixed columns keep their places.
OPTIONAL_TABLE_COLUMNS: tuple[Column, ...] = (
    Column("cfe_score", "CFE score", "%", ".1f", 100.0, better="high"),
    Column("cfe_usd_per_mwh", "CFE cost", "USD/MWh", "+,.1f", better="low"),
)

#: A site's 24/7 carbon-free matching figures (metrics ``cfe_*``, whole fleet at the site).
CFE_COLUMNS: tuple[Column, ...] = (
    Column("cfe_score", "CFE score", "%", ".1f", 100.0, better="high"),
    Column("cfe_grid_score", "Grid alone", "%", ".1f", 100.0, better="high"),
    Column("cfe_annual_matched", "Matched annually", "%", ".0f", 100.0),
    Column("cfe_solar_mw", "Solar PPA", "MW", ",.0f"),
    Column("cfe_wind_mw", "Wind PPA", "MW", ",.0f"),
    Column("cfe_battery_mwh", "Battery", "MWh", ",.0f"),
    Column("cfe_excess_mwh_per_year", "Surplus", "GWh/yr", ",.1f", 1e-3, better="low"),
    Column("cfe_usd_per_mwh", "Portfolio net cost", "USD/MWh", "+,.1f", better="low"),
    Column("co2_market_t_per_year", "CO₂ hourly market-based", "kt/yr", ",.1f", 1e-3),
)


def has_matching(metrics: Any) -> bool:
    """Whether a metrics table carries 24/7 carbon-free matching (``cfe_*`` columns)."""
    return metrics is not None and "cfe_score" in getattr(metrics, "columns", ())


#: Rows of the comparison table: every criterion and the figures behind it.
COMPARE_ROWS: tuple[Column, ...] = (
    Column("rank", "Rank", "", ".0f", better="low"),
    Column("score", "Score", "0–1", ".3f", better="high"),
    Column("usd_per_gpu_hour", "Cost per GPU-hour", "USD/GPU-h", ".3f", better="low"),
    Column("tco_usd", "TCO over horizon", "USD M", ",.0f", 1e-6, better="low"),
    Column("capital_nominal_usd", "Capital, nominal", "USD M", ",.0f", 1e-6, better="low"),
    Column("capital_charges_pv_usd", "Capital charges (PV)", "USD M", ",.0f", 1e-6, better="low"),
    Column("cost_energy_usd", "Energy cost", "USD M", ",.0f", 1e-6, better="low"),
    Column("build_minus_rent_usd", "Build minus rent", "USD M", ",.0f", 1e-6, better="low"),
    Column("pue_annual", "PUE annual", "", ".3f", better="low"),
    Column("pue_peak", "PUE peak", "", ".3f", better="low"),
    Column("wue_l_per_kwh", "WUE", "L/kWh", ".2f", better="low"),
    Column("cooling_technology", "Cooling technology"),
    Column("price_usd_per_mwh", "Energy price", "USD/MWh", ".1f", better="low"),
    Column("co2_location_t_per_year", "CO₂ location-based", "kt/yr", ",.1f", 1e-3, better="low"),
    Column("co2_market_t_per_year", "CO₂ market-based", "kt/yr", ",.1f", 1e-3, better="low"),
    Column("market_factor_basis", "Market-based factor"),
    Column("water_m3_per_year", "Water", "thousand m³/yr", ",.1f", 1e-3, better="low"),
    Column(
        "water_weighted_m3_per_year",
        "Stress-weighted water",
        "thousand m³/yr",
        ",.1f",
        1e-3,
        better="low",
    ),
    Column("water_stress", "Water stress", "0–5", ".1f", better="low"),
    Column("latency_ms", "Latency", "ms", ".0f", better="low"),
    Column("time_to_power_months", "Time to power", "months", ".0f", better="low"),
    Column("risk_score", "Risk", "0–1", ".2f", better="low"),
    Column("capacity_mw", "Capacity", "MW", ",.0f", better="high"),
)

#: Metrics the map can colour markers by (key -> column); "score" first.
MAP_METRICS: tuple[Column, ...] = tuple(
    c
    for c in TABLE_COLUMNS
    if c.key
    in (
        "score",
        "usd_per_gpu_hour",
        "pue_annual",
        "wue_l_per_kwh",
        "co2_market_t_per_year",
        "water_m3_per_year",
        "latency_ms",
        "time_to_power_months",
        "risk_score",
    )
)

CRITERIA = ("cost", "carbon", "water", "latency", "risk", "time_to_power")
CRITERION_LABELS = {
    "cost": "Cost",
    "carbon": "Carbon",
    "water": "Water",
    "latency": "Latency",
    "risk": "Risk",
    "time_to_power": "Time to power",
}
