"""`planner sites list|validate`: the candidate sites and a check of a user site file."""

from __future__ import annotations

import click

from planner.cli.options import emit_json, emit_table, json_option

_LIST_COLUMNS = [
    ("site_id", "site", ""),
    ("country", "cc", ""),
    ("region_code", "region", ""),
    ("grid", "grid", ""),
    ("capacity_mw", "MW", ",.0f"),
    ("time_to_power_months", "TTP mo", ".0f"),
    ("price_usd_per_mwh", "USD/MWh", ".0f"),
    ("carbon_g_per_kwh", "gCO2/kWh", ".0f"),
    ("water_stress", "water", ".1f"),
    ("name", "name", ""),
]


@click.group()
def sites() -> None:
    """Candidate sites: list the defaults, validate a user site file."""


@sites.command("list")
@click.option(
    "--file",
    "sites_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="List the sites of this user file (with defaults filled) instead of the defaults.",
)
@json_option
def list_sites(sites_file: str | None, as_json: bool) -> None:
    """List candidate sites with their region's price, carbon, water stress and time to power."""
    from planner.catalog import default_catalog, load_catalog

    catalog = load_catalog(sites_file=sites_file) if sites_file else default_catalog()
    table = catalog.site_table().reset_index()
    if as_json:
        emit_json(
            {
                "count": len(table),
                "warnings": catalog.warnings,
                "sites": table.to_dict(orient="records"),
            }
        )
        return
    for warning in catalog.warnings:
        click.echo(f"Warning: {warning}", err=True)
    emit_table(table.to_dict(orient="records"), _LIST_COLUMNS)
    click.echo(
        f"{len(table)} sites in {table['country'].nunique()} countries; TTP = time to power "
        "(months), water = WRI Aqueduct baseline water stress 0-5.",
        err=True,
    )


@sites.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
def validate(file: str, as_json: bool) -> None:
    """Check a user site file (CSV, XLSX or ODS with lat/lon, GeoJSON, GeoPackage, Shapefile).

    Prints what defaults each site would take. Bad files exit with code 2 and one sentence
    naming the file, row and column.
    """
    from planner.catalog import read_sites_file

    table, warnings = read_sites_file(file)
    defaulted = table["defaults_applied"].str.split(", ").explode()
    counts = defaulted[defaulted != ""].value_counts().to_dict()
    if as_json:
        emit_json(
            {
                "valid": True,
                "file": file,
                "count": len(table),
                "warnings": warnings,
                "defaults_applied": counts,
                "sites": table.drop(columns="geometry").reset_index().to_dict(orient="records"),
            }
        )
        return
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{file}: valid, {len(table)} sites in {table['country'].nunique()} countries.")
    for name, count in counts.items():
        click.echo(f"  default applied to {count} site(s): {name}")
