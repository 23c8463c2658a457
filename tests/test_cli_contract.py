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
    for command in (
        "optimize",
        "evaluate",
        "pareto",
        "pue",
        "climate",
        "sites",
        "scenario",
        "data",
        "report",
        "sweep",
        "gui",
    ):
        assert command in out


def test_unknown_option_is_bad_input(capsys):
    assert run(["--frobnicate"]) == 2


USAGE_ERRORS = {
    "unknown-option": (["optimize", "--bogus"], "--bogus"),
    "missing-argument": (["climate", "summary"], "FILE"),
    "workers-0": (["optimize", "--workers", "0"], "--workers"),
    "unknown-cooling": (["pue", "--cooling", "ice"], "--cooling"),
    "missing-cooling": (["pue"], "--cooling"),
    "site-and-climate": (
        ["pue", "--site", "X", "--climate", "{file}", "--cooling", "auto"],
        "--climate",
    ),
    "climate-folder": (["pue", "--climate", "{folder}", "--cooling", "auto"], "--climate"),
    "negative-top": (["evaluate", "--top", "-5"], "--top"),
    "too-many-points": (["pareto", "--points", "100000"], "--points"),
    "unknown-tab": (["gui", "--tab", "bogus"], "--tab"),
    "report-into-folder": (["report", "training-16k", "--out", "{folder}"], "--out"),
    "unknown-command": (["frob"], "frob"),
}


@pytest.mark.parametrize(("args", "named"), USAGE_ERRORS.values(), ids=USAGE_ERRORS)
def test_usage_error_is_one_line_naming_the_option(args, named, tmp_path, capsys):
    (tmp_path / "weather.epw").write_text("")
    args = [a.format(file=tmp_path / "weather.epw", folder=tmp_path) for a in args]
    assert run(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("Error: ") and named in lines[0]
    assert "Usage:" not in captured.err and captured.out == ""


def test_usage_error_hints_at_the_command_help(capsys):
    assert run(["optimize", "--workers", "0"]) == 2
    assert "see 'planner optimize --help'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [["--help"], ["optimize", "--help"], [], ["sites"]],
    ids=["help", "optimize-help", "no-args", "group-no-args"],
)
def test_help_prints_on_stdout_with_exit_0(args, capsys):
    assert run(args) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Usage: planner") and captured.err == ""


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


@pytest.mark.parametrize("size", ["0x0", "-5x10", "10x", "x10", "abc", "10x10x10", "99999x10"])
def test_gui_screenshot_size_refused_before_the_window(size, tmp_path, capsys):
    args = ["gui", str(EXAMPLES[0]), "--screenshot", str(tmp_path / "s.png"), "--size", size]
    assert run(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--size" in err[0]
    assert not (tmp_path / "s.png").exists()


@pytest.mark.parametrize(
    "target", ["missing/s.png", ".", "s.txt"], ids=["missing-folder", "a-folder", "not-an-image"]
)
def test_gui_screenshot_target_refused_before_the_window(target, tmp_path, capsys):
    assert run(["gui", str(EXAMPLES[0]), "--screenshot", str(tmp_path / target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(tmp_path) in err[0]


def test_gui_screenshot_of_a_bad_scenario_is_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("not toml [")
    assert run(["gui", str(bad), "--screenshot", str(tmp_path / "s.png")]) == 2
    assert str(bad) in capsys.readouterr().err


def test_warnings_go_to_the_debug_log_not_the_terminal(monkeypatch, capsys, caplog):
    import logging
    import warnings

    import planner.scenario

    real = planner.scenario.load_scenario

    def noisy(*args, **kwargs):
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planner.scenario, "load_scenario", noisy)
    with caplog.at_level(logging.DEBUG, logger="py.warnings"):
        assert run(["scenario", "validate", str(EXAMPLES[0])]) == 0
    assert "RuntimeWarning" not in capsys.readouterr().err
    assert any("invalid value encountered" in r.getMessage() for r in caplog.records)
    assert warnings.showwarning.__module__ == "warnings"  # restored after the command


def test_a_run_that_fails_leaves_no_empty_out_folder_it_made(tmp_path, capsys):
    # The real pipeline (no test double): the scenario parses, then fails in the evaluation
    # (air cannot cool liquid-only GB200): the --out folder the run made must not stay, empty.
    from planner.cli.main import run

    scenario = tmp_path / "gb200.toml"
    scenario.write_text(
        '[scenario]\nname = "gb200 on air"\n[cooling]\ntechnology = "air-economizer"\n'
        '[[fleet.phases]]\ngpu = "GB200"\ncount = 1024\n',
        encoding="utf-8",
    )
    out = tmp_path / "new" / "results"
    assert run(["optimize", str(scenario), "--out", str(out), "--format", "csv"]) == 2
    assert "cooling.technology" in capsys.readouterr().err
    assert not out.exists()
