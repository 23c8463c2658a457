"""`planner data sources`: where every default figure comes from."""

from __future__ import annotations

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
