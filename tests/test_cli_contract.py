"""The command-line contract: exit codes, one-sentence errors, JSON on stdout only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import planner
from planner.cli.main import run
from planner.paths import data_dir

EXAMPLES = sorted((data_dir() / "scenarios").glob("*.toml"))


def planner_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300
    )


def test_version():
    done = planner_cli("--version")
    assert done.returncode == 0
    assert planner.__version__ in done.stdout


def test_help_lists_every_command(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("optimize", "evaluate", "pareto", "pue", "climate", "sites", "scenario",
                    "data", "report", "gui"):
        assert command in out


def test_unknown_option_is_bad_input(capsys):
    assert run(["--frobnicate"]) == 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_scenario_validate_accepts_bundled_examples(path: Path, capsys):
    assert run(["scenario", "validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


def test_scenario_validate_json_is_clean(capsys):
    assert run(["scenario", "validate", str(EXAMPLES[0]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is True


def test_scenario_validate_rejects_a_broken_file_in_one_line(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\n[[fleet.phases]]\ngpu = "H100-SXM"\ncount = -1\n')
    done = planner_cli("scenario", "validate", str(bad))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(bad) in lines[0] and "fleet.phases[0].count" in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_debug_shows_the_traceback(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("not toml [")
    done = planner_cli("--debug", "scenario", "validate", str(bad))
    assert done.returncode == 2
    assert "Traceback" in done.stderr
