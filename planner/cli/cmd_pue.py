"""`planner pue`: hourly cooling model for one climate, summed to annual and monthly figures."""

from __future__ import annotations

from typing import Any

import click

from planner.cli.options import json_option

_TECHS = ["air-economizer", "water-economizer", "air-chiller", "evaporative", "liquid-dtc", "auto"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DEFAULT_PRICE_USD_PER_MWH = 80.0
"""Price used by ``--cooling auto`` with ``--climate`` when ``--price`` is not given."""


@click.command()
@click.option("--climate", "climate_file", type=click.Path(dir_okay=False, path_type=str),
              help="EPW or TMY3 weather file (gzip allowed).")
@click.option("--site", "site_id", help="Site id of the default catalog (synthetic year from "
              "its monthly normals).")
@click.option("--cooling", "technology", required=True, type=click.Choice(_TECHS),
              help="Cooling technology id, or auto for the cheapest allowed one.")
@click.option("--preset", type=click.Choice(["hyperscale", "legacy-enterprise"]),
              default="hyperscale", show_default=True, help="Cooling parameter preset.")
@click.option("--load", "it_load_fraction", type=click.FloatRange(0.05, 1.0), default=1.0,
              show_default=True, help="IT load as a fraction of design.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the synthetic year (with --site).")
@click.option("--price", "price_usd_per_mwh", type=click.FloatRange(0.0), default=None,
              help="Electricity price for auto [USD/MWh]; the site's region price with --site, "
              f"else {DEFAULT_PRICE_USD_PER_MWH:g}.")
@click.option("--rack-kw", "rack_density_kw", type=click.FloatRange(0.0), default=0.0,
              show_default=True, help="Rack density for auto [kW]; above 40 forces liquid-dtc.")
@json_option
def pue(climate_file: str | None, site_id: str | None, technology: str, preset: str,
        it_load_fraction: float, seed: int, price_usd_per_mwh: float | None,
        rack_density_kw: float, as_json: bool) -> None:
    """Annual and monthly PUE, WUE and economizer hours of one cooling technology.

    Give either --climate FILE (a real weather year) or --site ID (a synthetic year from the
    catalog's monthly normals for that site).
    """
    if (climate_file is None) == (site_id is None):
        raise click.UsageError("give exactly one of --climate FILE or --site ID")
    doc = run_pue(climate_file=climate_file, site_id=site_id, technology=technology,
                  preset=preset, it_load_fraction=it_load_fraction, seed=seed,
                  price_usd_per_mwh=price_usd_per_mwh, rack_density_kw=rack_density_kw)
    if as_json:
        from planner.cli.options import emit_json

        emit_json(doc)
        return
    _print(doc)


def run_pue(*, climate_file: str | None, site_id: str | None, technology: str, preset: str,
            it_load_fraction: float = 1.0, seed: int = 0, price_usd_per_mwh: float | None = None,
            rack_density_kw: float = 0.0) -> dict[str, Any]:
    """The document that ``planner pue --json`` prints (also used by tests)."""
    import numpy as np

    from planner.climate import pressure_from_elevation_pa, read_weather, wet_bulb_c
    from planner.climate.synth import synthesize_years
    from planner.cooling import load_cooling_parameters, select_cooling, simulate_cooling

    params, _ = load_cooling_parameters(preset)
    water_stress = 0.0
    if climate_file is not None:
        table, meta = read_weather(climate_file)
        temp_air = table["temp_air_c"].to_numpy()[None, :]
        temp_wet = table["temp_wet_c"].to_numpy()[None, :]
        pressure = float(table["pressure_pa"].mean())
        climate = {"source": "file", **{k: meta[k] for k in ("file", "format", "name", "lat",
                                                               "lon", "elevation_m")}}
        price = DEFAULT_PRICE_USD_PER_MWH if price_usd_per_mwh is None else price_usd_per_mwh
    else:
        from planner.catalog import default_catalog

        catalog = default_catalog()
        normals = catalog.climate_normals_for([site_id])
        site = catalog.sites.loc[site_id]
        lat, elevation = float(site["lat"]), float(site["elevation_m"])
        temp_air, temp_dew = synthesize_years(normals, seed=seed, lat=[lat])
        pressure = float(pressure_from_elevation_pa(elevation))
        temp_wet = wet_bulb_c(temp_air, temp_dew, pressure, dtype=np.float32)
        climate = {"source": "normals", "site_id": site_id, "name": str(site["name"]),
                   "lat": lat, "lon": float(site["lon"]), "elevation_m": elevation,
                   "seed": seed}
        region = catalog.region_of([site_id]).iloc[0]
        price = float(region["price_usd_per_mwh"]) if price_usd_per_mwh is None \
            else price_usd_per_mwh
        water_stress = float(region.get("water_stress", 0.0))
    candidates = None
    if technology == "auto":
        from planner.scenario import Cooling

        ceiling = float(Cooling().allow_water_cooling_above_stress)
        chosen, result = select_cooling(
            temp_air, temp_wet, params, price_usd_per_mwh=price, water_stress=water_stress,
            max_water_stress=ceiling, rack_density_kw=rack_density_kw,
            it_load_fraction=it_load_fraction, pressure_pa=pressure)
        technology_used = str(chosen[0])
        assert result.candidates is not None
        candidates = result.candidates.drop(columns="site").to_dict(orient="records")
    else:
        result = simulate_cooling(technology, temp_air, temp_wet, params, it_load_fraction,
                                  pressure_pa=pressure)
        technology_used = technology
    monthly_pue = result.monthly_pue()[0]
    monthly_wue = result.monthly_wue()[0]
    monthly_econ = result.monthly_economizer_hours()[0]
    doc: dict[str, Any] = {
        "technology": technology_used,
        "requested": technology,
        "preset": preset,
        "climate": climate,
        "it_load_fraction": it_load_fraction,
        "pue_annual": float(result.pue_annual()[0]),
        "pue_peak": float(result.pue_peak()[0]),
        "wue_l_per_kwh": float(result.wue_annual()[0]),
        "economizer_hours": float(result.economizer_hours()[0]),
        "full_economizer_hours": float(result.full_economizer_hours()[0]),
        "mechanical_hours": float(result.mechanical_hours()[0]),
        "monthly": [
            {"month": m + 1, "pue": float(monthly_pue[m]), "wue_l_per_kwh": float(monthly_wue[m]),
             "economizer_hours": float(monthly_econ[m])}
            for m in range(12)
        ],
    }
    if candidates is not None:
        doc["candidates"] = candidates
        doc["price_usd_per_mwh"] = price
        doc["water_stress"] = water_stress
    return doc


def _print(doc: dict[str, Any]) -> None:
    from planner.cli.options import emit_table

    c = doc["climate"]
    where = c.get("file") if c["source"] == "file" else f"{c['site_id']} (synthetic year from " \
        f"monthly normals, seed {c['seed']})"
    click.echo(f"{c['name']}: {where}")
    tech = doc["technology"] + (" (chosen by auto)" if doc["requested"] == "auto" else "")
    click.echo(f"cooling {tech}, preset {doc['preset']}, IT load {doc['it_load_fraction']:g}")
    click.echo(f"  annual PUE        {doc['pue_annual']:.3f}   (peak at 0.4 % design: "
               f"{doc['pue_peak']:.3f})")
    click.echo(f"  annual WUE        {doc['wue_l_per_kwh']:.2f} L/kWh of IT energy")
    click.echo(f"  economizer hours  {doc['economizer_hours']:.0f} equivalent, "
               f"{doc['full_economizer_hours']:.0f} with no mechanical cooling, "
               f"{doc['mechanical_hours']:.0f} mechanical")
    click.echo("")
    rows = [{**r, "name": _MONTHS[r["month"] - 1]} for r in doc["monthly"]]
    emit_table(rows, [("name", "month", ""), ("pue", "PUE", ".3f"),
                      ("wue_l_per_kwh", "WUE L/kWh", ".2f"),
                      ("economizer_hours", "economizer h", ".0f")])
    if "candidates" in doc:
        click.echo("")
        emit_table(doc["candidates"], [("technology", "candidate", ""),
                                       ("pue_annual", "PUE", ".3f"),
                                       ("wue_l_per_kwh", "WUE", ".2f"),
                                       ("cost_usd_per_mw_year", "USD/MW-year", ",.0f"),
                                       ("reason", "ruled out because", "")])
