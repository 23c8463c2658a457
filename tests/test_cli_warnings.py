"""Defaults applied to a user's site file are said on stderr, and --json output stays clean."""

from __future__ import annotations

import json

from planner.cli.main import run


def test_optimize_warns_about_defaults_applied_to_user_sites(tmp_path, capsys):
    sites = tmp_path / "mine.csv"
    # Two sites near default sites, and one in the middle of the Sahara: its climate comes from
    # a default site more than 300 km away, which the user must be told.
    sites.write_text(
        "id,name,lat,lon\n"
        "a,Near Dallas,32.9,-96.9\n"
        "b,Near Chicago,41.9,-87.9\n"
        "c,Sahara,23.0,12.0\n",
        encoding="utf-8",
    )
    code = run(
        ["optimize", "training-16k", "--sites", str(sites), "--out", str(tmp_path / "out"),
         "--format", "csv", "--json"]
    )
    out, err = capsys.readouterr()
    assert code in (0, 3)
    doc = json.loads(out)  # nothing but JSON on stdout
    assert doc["scenario"]
    assert "Warning:" in err and "more than 300 km" in err
