"""`planner climate`: look at weather files."""

from __future__ import annotations

import click

from planner.cli.options import json_option


@click.group()
def climate() -> None:
    """Weather files: EnergyPlus EPW and NREL TMY3 (optionally .gz or a .zip holding one)."""


@climate.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@json_option
def summary(file: str, as_json: bool) -> None:
    """Summarise a weather FILE: location, hours, dry-bulb and wet-bulb, economizer hours."""
    from planner.cli.options import emit_json, emit_table
    from planner.climate import read_weather
    from planner.climate.summary import MONTH_NAMES, summarize_weather

    table, meta = read_weather(file)
    doc = summarize_weather(table, meta)
    if as_json:
        emit_json(doc)
        return
    click.echo(f"{doc['name']}  ({doc['format'].upper()}, {doc['source']})")
    elevation = "elevation not given" if doc["elevation_m"] is None \
        else f"{doc['elevation_m']:.0f} m"
    click.echo(f"  {doc['lat']:.3f}, {doc['lon']:.3f}, {elevation}, "
               f"UTC{doc['tz_hours']:+g}, {doc['hours']} hours")
    for key, label in (("temp_air_c", "dry-bulb"), ("temp_wet_c", "wet-bulb")):
        s = doc[key]
        click.echo(f"  {label:9s} mean {s['mean']:6.1f} C   min {s['min']:6.1f} C   "
                   f"max {s['max']:6.1f} C")
    click.echo(f"  dew point mean {doc['temp_dew_c_mean']:.1f} C, relative humidity mean "
               f"{doc['relative_humidity_pct_mean']:.0f} %")
    click.echo("")
    emit_table(doc["thresholds"], [("hours", "hours", "d"), ("key", "threshold", ""),
                                   ("meaning", "meaning", "")])
    click.echo("")
    rows = [{**r, "name": MONTH_NAMES[r["month"] - 1]} for r in doc["monthly"]]
    emit_table(rows, [("name", "month", ""), ("temp_air_c", "dry-bulb C", ".1f"),
                      ("temp_wet_c", "wet-bulb C", ".1f"), ("temp_dew_c", "dew point C", ".1f")])
