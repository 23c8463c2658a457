"""Defaults applied to a user's site file are said on stderr, and --json output stays clean."""

from __future__ import annotations

import json

from planner.cli.main import EXIT_INFEASIBLE, EXIT_OK, run

# One 1,024-GPU phase, one site, no sensitivity runs: the smallest optimize that still reads
# the user's sites and solves.
SMALL = """
[scenario]
name = "small"

[[fleet.phases]]
gpu = "H100-SXM"
count = 1024

[constraints]
max_sites = 1
{extra}

[analysis]
sensitivity = false
"""


def user_sites(tmp_path):
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
    return sites


def optimize(tmp_path, extra: str = "") -> int:
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL.format(extra=extra), encoding="utf-8")
    argv = ["optimize", str(scenario), "--sites", str(user_sites(tmp_path))]
    return run([*argv, "--out", str(tmp_path / "out"), "--format", "csv", "--json"])


def test_optimize_warns_about_defaults_applied_to_user_sites(tmp_path, capsys):
    code = optimize(tmp_path)
    out, err = capsys.readouterr()
    # No capacity limit, no country rule: every site is feasible and one site takes the fleet.
    assert code == EXIT_OK
    doc = json.loads(out)  # nothing but JSON on stdout
    assert doc["scenario"] == "small" and doc["status"] == "optimal"
    assert [row["gpus"] for row in doc["allocation"]] == [1024]
    warnings = [line for line in err.splitlines() if line.startswith("Warning:")]
    assert (
        "Warning: mine.csv: 1 site(s) are more than 300 km from the nearest default climate "
        "(up to 2,334 km); give them a weather file for a better answer"
    ) in warnings
    assert "take the nearest known region by its centre: c -> IT (2,196 km)" in err


def test_optimize_without_a_feasible_site_exits_3(tmp_path, capsys):
    # Data residency in Germany rules out all three sites (US, US, and the Sahara).
    code = optimize(tmp_path, extra='allowed_countries = ["DE"]')
    out, _ = capsys.readouterr()
    assert code == EXIT_INFEASIBLE
    doc = json.loads(out)
    assert doc["status"] == "infeasible"
    assert doc["message"] == (
        "No allocation is possible: none of the 3 sites passes the hard constraints "
        "(3 sites: outside the allowed countries)."
    )
