"""`planner data sources`: where every default figure comes from."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli.options import emit_json, emit_table, json_option


@click.group()
def data() -> None:
    """The embedded default data and its sources."""


@data.command()
@click.option(
    "--all", "every_row", is_flag=True, help="One row per figure instead of one per source."
)
@json_option
def sources(every_row: bool, as_json: bool) -> None:
    """List the sources of the default data: citation, year, license, and what each covers."""
    from planner.catalog import default_catalog

    prov = default_catalog().provenance
    if every_row:
        if as_json:
            emit_json({"count": len(prov), "figures": prov.to_dict(orient="records")})
        else:
            emit_table(
                prov.to_dict(orient="records"),
                [
                    ("dataset", "dataset", ""),
                    ("key", "key", ""),
                    ("field", "field", ""),
                    ("value", "value", ""),
                    ("unit", "unit", ""),
                    ("year", "year", ""),
                    ("source_id", "source", ""),
                ],
            )
        return
    grouped = (
        prov.assign(source=prov["source"].astype(str))
        .groupby("source", sort=False)
        .agg(
            year=("year", "max"),
            license=("license", "first"),
            datasets=("dataset", lambda s: ", ".join(sorted(set(s)))),
            fields=("field", lambda s: ", ".join(sorted(set(map(str, s))))),
            figures=("field", "size"),
        )
        .reset_index()
    )
    if as_json:
        emit_json({"count": len(grouped), "sources": grouped.to_dict(orient="records")})
        return
    for row in grouped.itertuples():
        year = "" if row.year is None or str(row.year) == "<NA>" else f" ({row.year})"
        click.echo(f"- {row.source}{year}")
        click.echo(
            f"    {row.figures} figure(s) in {row.datasets}: {row.fields}; "
            f"license: {row.license or '-'}"
        )


@data.command("import-hourly")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["eia930", "entsoe", "gridstatus", "cambium", "csv"]),
    help="Publisher's CSV layout (docs/hourly-data.md).",
)
@click.option("--region", required=True, help="Region code: the output column (US-VA, DE...).")
@click.option("--tz", help="IANA time zone; default: the region's (regions table).")
@click.option("--year", type=int, help="Take this local year; default: average complete years.")
@click.option(
    "--quantity",
    type=click.Choice(["price", "carbon", "carbon-lifecycle", "cfe-share", "demand"]),
    help="What to make; default: the format's main quantity.",
)
@click.option("--column", help="Value column when the file has several.")
@click.option("--ba", "--location", "select", help="Balancing authority or location to keep.")
@click.option(
    "--eur-usd",
    type=float,
    default=None,
    help="USD per EUR for ENTSO-E prices; default 1.0824 (ECB 2024 annual average).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Hourly file to write; an existing one keeps its other regions' columns.",
)
@json_option
def import_hourly(
    file: Path,
    fmt: str,
    region: str,
    tz: str | None,
    year: int | None,
    quantity: str | None,
    column: str | None,
    select: str | None,
    eur_usd: float | None,
    out: Path,
    as_json: bool,
) -> None:
    """Import an hourly export as one region's 8,760 hours of local standard time."""
    from planner.errors import InputError
    from planner.evaluate import HOURLY_RANGES
    from planner.hourly.formats import DEFAULT_EUR_USD, ReadOptions
    from planner.hourly.importer import KIND_OF_QUANTITY, import_hourly, write_region_column

    if eur_usd is not None and not 0.1 <= eur_usd <= 10:
        raise InputError(f"--eur-usd {eur_usd:g} is outside 0.1..10 USD per EUR")
    options = ReadOptions(
        quantity=quantity, column=column, select=select, eur_usd=eur_usd or DEFAULT_EUR_USD
    )
    result = import_hourly(file, fmt, region, tz=tz, year=year, options=options)
    values = result.year.values
    low, high, unit = HOURLY_RANGES.get(KIND_OF_QUANTITY[result.quantity], (-1e12, 1e12, ""))
    if values.min() < low or values.max() > high:
        raise InputError(
            f"values run {values.min():g}..{values.max():g} {unit}, outside {low:g}..{high:g}",
            file=file,
        )
    write_region_column(out, region, values, result.provenance)
    summary = {
        "out": str(out),
        "region": region,
        "quantity": result.quantity,
        "unit": result.unit,
        "rows": int(values.size),
        "years": result.year.years_used,
        "time_zone": result.zone,
        "standard_offset_hours": result.standard_offset_hours,
        "mean": float(values.mean()),
        "min": float(values.min()),
        "max": float(values.max()),
        "first_hour": f"{result.year.years_used[0]}-01-01 00:00-01:00 local standard time",
        "provenance": result.provenance,
    }
    if as_json:
        emit_json(summary)
        return
    sign = "+" if result.standard_offset_hours >= 0 else "-"
    click.echo(f"{out}: column {region}, {values.size} rows of {result.quantity} [{result.unit}]")
    click.echo(
        f"  years: {', '.join(map(str, result.year.years_used))} "
        f"({len(result.year.years_used)} averaged); time zone {result.zone}, local standard "
        f"time UTC{sign}{abs(result.standard_offset_hours):g}"
    )
    click.echo(
        f"  mean {values.mean():.4g}, min {values.min():.4g}, max {values.max():.4g}; "
        f"row 0 = {summary['first_hour']}"
    )
