"""The recommendation's names in words, shared by the optimizer, the report and the window.

Plain data outside :mod:`planner.optimize`, whose package loads the solver: the window labels
its tables without it.
"""

from __future__ import annotations

#: Each driver's ``parameter`` in words, with the unit of its values ("x": a factor on the
#: scenario's own value), as the report and the window label switching values and tornado bars.
DRIVER_WORDS: dict[str, tuple[str, str]] = {
    "carbon_price_usd_per_t": ("Carbon price", "USD/t"),
    "electricity_price_factor": ("Electricity price", "x"),
    "pue_factor": ("PUE", "x"),
    "gpu_capital_factor": ("GPU capital", "x"),
    "capital_per_mw_factor": ("Facility capital per MW", "x"),
    "rent_price_factor": ("GPU rent price", "x"),
    "time_to_power_months": ("Time to power", "months"),
    "discount_rate": ("Discount rate", "fraction"),
    "utilization": ("Utilization", "fraction"),
}

#: Alternatives' ``role`` (:func:`planner.optimize.recommend.alternative_requests`) in words.
ROLES = {
    "top_weighted_score": "{name} alone (top weighted score)",
    "without": "Without {name}",
    "single_site": "{name} alone",
}
