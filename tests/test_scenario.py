"""Scenario files: validation messages name the field, saving is atomic and round-trips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.paths import data_dir, example_scenario
from planner.scenario import check_references, dumps_scenario, load_scenario, save_scenario

EXAMPLES = sorted((data_dir() / "scenarios").glob("*.toml"))

MINIMAL = """
[scenario]
name = "minimal"

[[fleet.phases]]
gpu = "H100-SXM"
count = 1024
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


KINDS = (
    "eu-inference",
    "finserv-lowlatency",
    "healthcare-two-regions",
    "retail-seasonal",
    "training-16k-247",  # sorted by file name: "-" before "."
    "training-16k",
)


def test_bundled_examples_exist():
    # One per kind of buyer: training, EU inference, finance, healthcare, retail, plus the
    # training cluster's 24/7 carbon-free variant; each found by its stem and loadable, and an
    # unknown stem lists them.
    assert [p.stem for p in EXAMPLES] == list(KINDS)
    for stem in KINDS:
        assert load_scenario(example_scenario(stem)).scenario.name
    with pytest.raises(FileNotFoundError, match="no bundled scenario 'x'; known: eu-inference, f"):
        example_scenario("x")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_bundled_examples_load_and_round_trip(path: Path, tmp_path: Path):
    scenario = load_scenario(path)
    saved = save_scenario(scenario, tmp_path / path.name)
    assert load_scenario(saved) == scenario


def test_defaults_fill_optional_sections(tmp_path: Path):
    scenario = load_scenario(write(tmp_path, MINIMAL))
    assert scenario.scenario.horizon_years == 10
    assert scenario.fleet.phases[0].start_month == 0
    assert scenario.cooling.technology == "auto"
    assert scenario.facility.tier == "III"
    assert scenario.fleet.total_gpus == 1024


def test_syntax_error_names_the_file(tmp_path: Path):
    path = write(tmp_path, "[scenario\nname = 'x'\n")
    with pytest.raises(InputError, match=r"not valid TOML \(Expected '\]'") as err:
        load_scenario(path)
    assert err.value.file == str(path)
    assert str(err.value).startswith(f"{path}: not valid TOML")


def test_negative_count_names_the_field(tmp_path: Path):
    path = write(tmp_path, MINIMAL.replace("count = 1024", "count = -5"))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "fleet.phases[0].count")
    assert err.value.problem == "input should be greater than 0 (got -5)"


def test_missing_required_field(tmp_path: Path):
    path = write(tmp_path, MINIMAL.replace('name = "minimal"', 'description = "no name"'))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "scenario.name")
    assert err.value.problem == "is required but missing"


def test_misspelt_field_is_refused(tmp_path: Path):
    path = write(tmp_path, MINIMAL + "\n[cooling]\ntechnolgy = 'auto'\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "cooling.technolgy")
    assert err.value.problem == "is not a known field (check its spelling)"


def test_unknown_cooling_technology(tmp_path: Path):
    path = write(tmp_path, MINIMAL + "\n[cooling]\ntechnology = 'ice-blocks'\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "cooling.technology")
    assert err.value.problem.startswith("input should be 'auto', 'air-economizer'")
    assert "'liquid-dtc' (got 'ice-blocks')" in err.value.problem


def test_phase_beyond_horizon(tmp_path: Path):
    text = MINIMAL.replace('name = "minimal"', 'name = "m"\nhorizon_years = 2')
    path = write(tmp_path, text + "start_month = 30\n")
    with pytest.raises(InputError, match="start_month 30 is beyond the 24-month horizon") as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "fleet.phases[0].start_month")


def test_min_sites_above_max_sites(tmp_path: Path):
    path = write(tmp_path, MINIMAL + "\n[constraints]\nmin_sites = 4\nmax_sites = 2\n")
    with pytest.raises(InputError, match=r"min_sites \(4\) exceeds max_sites \(2\)") as err:
        load_scenario(path)
    assert (err.value.file, err.value.field) == (str(path), "constraints")


def test_unknown_gpu_model_is_refused(tmp_path: Path):
    path = write(tmp_path, MINIMAL.replace("H100-SXM", "Voodoo-5"))
    scenario = load_scenario(path)
    with pytest.raises(InputError) as err:
        check_references(scenario, file=path, gpu_ids={"H100-SXM"}, demand_centers=set())
    assert (err.value.file, err.value.field) == (str(path), "fleet.phases[0].gpu")
    assert err.value.problem.startswith("unknown GPU model 'Voodoo-5'; expected one of H100-SXM")


def test_missing_file():
    with pytest.raises(InputError, match="no such scenario file") as err:
        load_scenario("does/not/exist.toml")
    assert err.value.file == "does/not/exist.toml" and err.value.field is None


def test_relative_paths_resolve_against_the_scenario_folder(tmp_path: Path):
    text = MINIMAL + '\n[energy]\nprice_file = "prices.csv"\n'
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.energy.price_file == (tmp_path / "prices.csv").resolve()
    # Written back relative to where it is saved.
    assert 'price_file = "prices.csv"' in dumps_scenario(scenario, relative_to=tmp_path.resolve())


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path: Path, monkeypatch):
    path = write(tmp_path, MINIMAL)
    scenario = load_scenario(path)
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    scenario.scenario.name = "changed"
    with pytest.raises(OSError, match="disk full"):
        save_scenario(scenario, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]  # no temp file left behind


def test_save_into_missing_folder_is_bad_input(tmp_path: Path):
    scenario = load_scenario(write(tmp_path, MINIMAL))
    target = tmp_path / "nope" / "s.toml"
    with pytest.raises(InputError, match=r"cannot write here \(No such file or directory\)") as err:
        save_scenario(scenario, target)
    assert err.value.file == str(target)


def test_atomic_write_replaces_a_planted_link_and_never_writes_beside_its_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import tempfile

    from planner.outputs import write_text

    folders: list[Path] = []
    mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        folders.append(Path(kwargs["dir"]))
        return mkdtemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").symlink_to(victim)
    write_text(out / "summary.csv", "new")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert folders == [out]  # the temporary folder was made in the folder asked for
    assert not (out / "summary.csv").is_symlink()
    assert (out / "summary.csv").read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("water_price_usd_per_m3", -1.0, "greater than or equal to 0 (got -1.0)"),
        ("water_price_usd_per_m3", float("inf"), "a finite number (got inf)"),
        # Above the 1,000 USD/m3 ceiling.
        ("water_price_usd_per_m3", 1e6, "less than or equal to 1000 (got 1000000.0)"),
        ("risk_price_usd_per_mw_year", -5.0, "greater than or equal to 0 (got -5.0)"),
        ("risk_price_usd_per_mw_year", float("nan"), "a finite number (got nan)"),
        # A boolean is not a price.
        ("risk_price_usd_per_mw_year", True, "a valid number (got True)"),
    ],
)
def test_externality_prices_are_checked(field: str, value: object, problem: str):
    from planner.scenario import scenario_from_dict

    data = {
        "scenario": {"name": "prices"},
        "fleet": {"phases": [{"gpu": "H100-SXM", "count": 8}]},
        "objective": {field: value},
    }
    with pytest.raises(InputError) as err:
        scenario_from_dict(data)
    assert err.value.field == f"objective.{field}"
    assert err.value.problem == f"input should be {problem}"


def test_externality_prices_default_to_zero_and_accept_integers():
    from planner.scenario import scenario_from_dict

    base = {"scenario": {"name": "p"}, "fleet": {"phases": [{"gpu": "H100-SXM", "count": 8}]}}
    objective = scenario_from_dict(base).objective
    assert objective.water_price_usd_per_m3 == 0.0 and objective.risk_price_usd_per_mw_year == 0.0
    base["objective"] = {"water_price_usd_per_m3": 2, "risk_price_usd_per_mw_year": 150_000}
    objective = scenario_from_dict(base).objective
    assert objective.water_price_usd_per_m3 == 2.0


def test_cfe_target_and_ppa_share_are_refused_together(tmp_path):
    # An annual-volume PPA and hourly matching would count the same clean MWh twice.
    text = MINIMAL + "\n[energy]\nppa_share = 0.5\ncfe_target = 0.9\n"
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.field == "energy.cfe_target"
    assert "not both" in str(err.value)


@pytest.mark.parametrize("target", [-0.1, 1.5])
def test_cfe_target_outside_zero_to_one_is_refused(tmp_path, target):
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL + f"\n[energy]\ncfe_target = {target}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.field == "energy.cfe_target"


def test_cfe_file_is_relative_to_the_scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL + '\n[energy]\ncfe_target = 0.9\ncfe_file = "cfe.csv"\n')
    scenario = load_scenario(path)
    assert scenario.energy.cfe_file == (tmp_path / "cfe.csv").resolve()
    assert scenario.energy.cfe_target == 0.9
