"""Hard-constraint screening: which sites may host any part of the fleet, and why not.

Every site keeps its row; a site that fails a hard constraint gets ``feasible = False`` and
one sentence per failed constraint in ``reasons`` (joined with ``"; "``). Screening is what
the scenario rules out for a site on its own; rules that involve several sites together
(latency shares, max share, grid diversity) are allocation constraints, see
:mod:`planner.optimize.allocate`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.results import Evaluation
from planner.scenario import Scenario

REASON_SEPARATOR = "; "


def screen_sites(evaluation: Evaluation, scenario: Scenario) -> pd.DataFrame:
    """Check every site against the scenario's hard constraints.

    Parameters
    ----------
    evaluation : Evaluation
        Metrics per site (``capacity_mw``, ``time_to_power_months``, ``country``,
        ``water_stress``, ``lat``, ``lon``, ``moratorium`` and ``moratorium_area``, the
        restricted area's phrase from :mod:`planner.moratoria`) and ``block_site_mw``
        (facility MW per block).
    scenario : Scenario
        Horizon, ``constraints`` and ``sites.exclusion_zones_file``.

    Returns
    -------
    DataFrame
        Index ``site_id`` (metrics order): ``feasible`` (bool), ``reasons`` (str, empty when
        feasible).
    """
    metrics = evaluation.metrics
    n = len(metrics)
    reasons: list[list[str]] = [[] for _ in range(n)]

    def add(mask: np.ndarray, texts: list[str] | np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            reasons[i].append(str(texts[i]))

    con = scenario.constraints
    horizon_months = scenario.scenario.horizon_years * 12

    # Capacity below one block of the lightest phase: the site cannot take a single block.
    capacity_mw = _column(metrics, "capacity_mw", np.inf)
    block_mw = evaluation.block_site_mw.reindex(metrics.index).to_numpy(dtype=float)
    smallest_mw = np.nanmin(np.where(np.isfinite(block_mw), block_mw, np.inf), axis=1)
    low = capacity_mw < smallest_mw
    add(
        low,
        [
            f"capacity {c:,.1f} MW is below one block ({b:,.1f} MW)"
            for c, b in zip(capacity_mw, smallest_mw, strict=True)
        ],
    )

    ttp = _column(metrics, "time_to_power_months", 0.0)
    late = ttp >= horizon_months
    add(
        late,
        [f"power arrives in month {t:.0f}, after the {horizon_months}-month horizon" for t in ttp],
    )
    if con.max_time_to_power_months is not None:
        limit = con.max_time_to_power_months
        slow = (ttp > limit) & ~late
        add(slow, [f"time to power {t:.0f} months exceeds the {limit}-month limit" for t in ttp])

    if con.allowed_countries:
        country = (
            metrics["country"].astype(str).str.upper().to_numpy()
            if "country" in metrics
            else np.full(n, "?")
        )
        outside = ~np.isin(country, con.allowed_countries)
        add(
            outside,
            [f"country {c} is outside the allowed countries (data residency)" for c in country],
        )

    if con.max_water_stress < 5.0 and "water_stress" in metrics:
        stress = metrics["water_stress"].to_numpy(dtype=float)
        dry = stress > con.max_water_stress
        add(
            dry,
            [f"water stress {s:.1f} exceeds the {con.max_water_stress:.1f} limit" for s in stress],
        )

    if "moratorium" in metrics:
        # Name the restricted area (data/moratoria.csv) where one applies; else the region's flag.
        blocked = metrics["moratorium"].fillna(False).to_numpy(dtype=bool)
        area = (
            metrics["moratorium_area"].fillna("").astype(str).to_numpy()
            if "moratorium_area" in metrics
            else np.full(n, "")
        )
        add(
            blocked,
            [
                f"in {a}, a moratorium on new data centres"
                if a
                else "the region has a moratorium on new data-centre grid connections"
                for a in area
            ],
        )

    # A latency rule that asks for the whole fleet rules out every site beyond its reach.
    for rule in con.latency:
        if rule.min_share < 1.0 - 1e-9 or rule.demand_center not in evaluation.rtt_ms:
            continue
        rtt = evaluation.rtt_ms[rule.demand_center].reindex(metrics.index).to_numpy(dtype=float)
        far = ~(rtt <= rule.max_rtt_ms)
        add(
            far,
            [
                f"round trip to {rule.demand_center} is {r:.0f} ms, "
                f"above the {rule.max_rtt_ms:g} ms "
                "that the whole fleet must meet"
                for r in rtt
            ],
        )

    if "cfe_reachable" in metrics:
        # 24/7 matching: a site whose largest allowed portfolio misses the target.
        short = ~metrics["cfe_reachable"].fillna(True).to_numpy(dtype=bool)
        target = float(scenario.energy.cfe_target or 0.0)
        add(
            short,
            [
                f"cannot reach the {100 * target:.0f} % hourly carbon-free target ({note})"
                for note in metrics.get("cfe_note", pd.Series("", index=metrics.index)).astype(str)
            ],
        )

    cost = (
        pd.to_numeric(metrics["usd_per_gpu_hour"], errors="coerce").to_numpy(dtype=float)
        if "usd_per_gpu_hour" in metrics
        else np.zeros(n)
    )
    block_cost = evaluation.phase_block_cost_usd.reindex(metrics.index).to_numpy(dtype=float)
    unusable = ~np.isfinite(cost) | ~np.isfinite(block_cost).any(axis=1)
    add(unusable, ["costs could not be evaluated for this site"] * n)

    if scenario.sites.exclusion_zones_file is not None:
        zone = exclusion_zone_names(metrics, scenario.sites.exclusion_zones_file)
        add(zone != "", [f"inside exclusion zone '{z}'" for z in zone])

    text = [REASON_SEPARATOR.join(r) for r in reasons]
    return pd.DataFrame(
        {"feasible": [not r for r in reasons], "reasons": text}, index=metrics.index.copy()
    )


_RULE_WORDS = (
    ("below one block", "capacity below one block"),
    ("-month horizon", "power only after the horizon"),
    ("-month limit", "time to power above the limit"),
    ("allowed countries", "outside the allowed countries"),
    ("water stress", "water stress above the limit"),
    ("moratorium", "a grid-connection moratorium"),
    ("whole fleet must meet", "too far for a whole-fleet latency rule"),
    ("could not be evaluated", "no cost estimate"),
    ("exclusion zone", "inside an exclusion zone"),
)


def summarise_reasons(reasons: pd.Series) -> str:
    """How many sites fail each kind of rule, most common first, e.g. ``"40 sites: outside the
    allowed countries; 3 sites: capacity below one block"``."""
    text = reasons.fillna("").astype(str)
    counts = [
        (phrase, int(text.str.contains(key, regex=False).sum())) for key, phrase in _RULE_WORDS
    ]
    counts = sorted((c for c in counts if c[1] > 0), key=lambda c: -c[1])
    return "; ".join(f"{n} site{'s' if n > 1 else ''}: {phrase}" for phrase, n in counts)


def exclusion_zone_names(metrics: pd.DataFrame, path: str | Path) -> np.ndarray:
    """Name of the exclusion-zone polygon each site lies in ('' when in none).

    Parameters
    ----------
    metrics : DataFrame
        ``lat`` and ``lon`` in degrees (EPSG:4326).
    path : path
        Any vector file geopandas reads (GeoJSON, GeoPackage, shapefile) with polygons. The
        zone's name comes from a ``name`` (or ``zone``, ``id``) column, else its 1-based row.
    """
    import geopandas as gpd

    path = Path(path)
    try:
        zones = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad input file
        raise InputError(f"cannot read the exclusion zones ({exc})", file=path) from None
    if zones.empty:
        return np.full(len(metrics), "", dtype=object)
    if zones.crs is not None and zones.crs.to_epsg() != 4326:
        zones = zones.to_crs(4326)
    kinds = set(zones.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(
            f"expected polygons, found {', '.join(sorted(kinds))}", file=path, field="geometry"
        )
    label_col = next(
        (c for c in ("name", "NAME", "Name", "zone", "id") if c in zones.columns), None
    )
    labels = (
        zones[label_col].astype(str).to_numpy()
        if label_col
        else np.array([f"zone {i + 1}" for i in range(len(zones))])
    )
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(metrics["lon"].to_numpy(float), metrics["lat"].to_numpy(float)),
        crs=4326,
    )
    site_pos, zone_pos = zones.sindex.query(points.geometry, predicate="within")
    out = np.full(len(metrics), "", dtype=object)
    # First zone wins when polygons overlap; iterate in reverse so the first assignment sticks.
    for s, z in zip(site_pos[::-1], zone_pos[::-1], strict=True):
        out[s] = labels[z]
    return out


def _column(metrics: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in metrics:
        return np.full(len(metrics), default, dtype=float)
    return pd.to_numeric(metrics[name], errors="coerce").fillna(default).to_numpy(dtype=float)
