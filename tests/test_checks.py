"""planner.checks: a scenario's files and codes are checked before anything is computed."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from planner.checks import ISO_3166_ALPHA2, check_scenario, referenced_files
from planner.cli.main import run
from planner.errors import InputError
from planner.paths import data_dir, example_scenario
from planner.scenario import check_references, load_scenario
from tests.optimizer_fixtures import make_evaluation, make_scenario

DATA = Path(__file__).parent / "data"
DULLES = DATA / "USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw.gz"
OHARE = DATA / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw.gz"

MINIMAL = """
[scenario]
name = "checked"

[[fleet.phases]]
gpu = "H100-SXM"
count = 1024
"""


def scenario_file(tmp_path: Path, extra: str = "", name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


def check(path: Path, **kwargs) -> list[str]:
    return check_scenario(load_scenario(path), file=path, **kwargs)


def refused(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        check(path, **kwargs)
    return err.value


@pytest.mark.parametrize("name", [p.stem for p in sorted((data_dir() / "scenarios").glob("*"))])
def test_bundled_examples_pass_without_warnings(name: str):
    assert check_scenario(load_scenario(example_scenario(name))) == []


def test_iso_list_is_complete_and_covers_the_basemap():
    from planner.catalog import default_catalog

    assert len(ISO_3166_ALPHA2) == 249
    assert {"GB", "GR", "DE", "US", "AX", "BQ", "SS", "SX"} <= ISO_3166_ALPHA2
    assert "UK" not in ISO_3166_ALPHA2 and "EL" not in ISO_3166_ALPHA2
    basemap = set(default_catalog().basemap["iso_a2"])
    assert basemap - ISO_3166_ALPHA2 <= {"XK"}  # Kosovo: user-assigned, used by Natural Earth


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ('[sites]\ninclude_countries = ["DE", "UK"]', "sites.include_countries[1]", "'GB'"),
        (
            '[sites]\nexclude_countries = ["ZZ"]',
            "sites.exclude_countries[0]",
            "'ZZ' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            '[constraints]\nallowed_countries = ["FR", "EL"]',
            "constraints.allowed_countries[1]",
            "the ISO 3166-1 code is 'GR'",
        ),
        (
            '[constraints]\nallowed_countries = ["EU"]',
            "constraints.allowed_countries[0]",
            "list the member states",
        ),
        (
            '[sites]\ninclude_regions = ["US-VAA"]',
            "sites.include_regions[0]",
            "unknown region code 'US-VAA'; did you mean 'US-VA'?",
        ),
        ('[sites]\ninclude_regions = ["us-va"]', "sites.include_regions[0]", "'US-VA'"),
        ('[[demand]]\nname = "Frankfrut"', "demand[0].name", "did you mean 'Frankfurt'?"),
        (
            '[[constraints.latency]]\ndemand_center = "Atlantis"\nmax_rtt_ms = 5',
            "constraints.latency[0].demand_center",
            "unknown demand center 'Atlantis'",
        ),
        (
            '[sites.weather_files]\nnowhere-xx = "w.epw"',
            "sites.weather_files.nowhere-xx",
            "unknown site id 'nowhere-xx': not among the 63 candidate sites",
        ),
    ],
)
def test_unknown_codes_name_the_code_and_field(tmp_path: Path, extra: str, field: str, words):
    if "w.epw" in extra:
        shutil.copy(DULLES, tmp_path / "w.epw")
    path = scenario_file(tmp_path, "\n" + extra + "\n")
    error = refused(path)
    assert error.field == field
    assert words in str(error)
    assert error.file == str(path)


def test_check_references_alone_checks_codes_too(tmp_path: Path):
    scenario = load_scenario(scenario_file(tmp_path, '\n[sites]\ninclude_countries = ["UK"]\n'))
    with pytest.raises(InputError, match="'UK' is not an ISO 3166-1 country code; the Un") as err:
        check_references(scenario)
    assert err.value.field == "sites.include_countries[0]"


def test_kosovo_code_of_the_basemap_is_accepted(tmp_path: Path):
    path = scenario_file(tmp_path, '\n[sites]\nexclude_countries = ["XK", "GB"]\n')
    assert check(path) == []
    check_references(load_scenario(path))


# --- files ------------------------------------------------------------------------------------

FILE_FIELDS = [
    ("[energy]\nprice_file = '{}'", "energy.price_file"),
    ("[energy]\ncarbon_file = '{}'", "energy.carbon_file"),
    ("[sites]\nregions_file = '{}'", "sites.regions_file"),
    ("[sites]\nexclusion_zones_file = '{}'", "sites.exclusion_zones_file"),
    ("[sites]\ncatalog = '{}'", "sites.catalog"),
    ("[sites.weather_files]\nashburn-va = '{}'", "sites.weather_files.ashburn-va"),
]


@pytest.mark.parametrize(("template", "field"), FILE_FIELDS, ids=[f for _, f in FILE_FIELDS])
def test_missing_file_names_the_field(tmp_path: Path, template: str, field: str):
    path = scenario_file(tmp_path, "\n" + template.format("missing.csv") + "\n")
    error = refused(path)
    assert (error.file, error.field) == (str(path), field)
    assert error.problem == f"no such file '{(tmp_path / 'missing.csv').resolve()}'"


@pytest.mark.parametrize(("template", "field"), FILE_FIELDS, ids=[f for _, f in FILE_FIELDS])
def test_folder_instead_of_a_file(tmp_path: Path, template: str, field: str):
    (tmp_path / "folder").mkdir()
    path = scenario_file(tmp_path, "\n" + template.format("folder") + "\n")
    error = refused(path)
    assert (error.file, error.field) == (str(path), field)
    assert error.problem == f"expected a file, got the folder '{(tmp_path / 'folder').resolve()}'"


@pytest.mark.skipif(os.name == "nt" or not Path(os.devnull).exists(), reason="POSIX device")
def test_device_instead_of_a_file(tmp_path: Path):
    path = scenario_file(tmp_path, f"\n[energy]\nprice_file = '{os.devnull}'\n")
    error = refused(path)
    assert (error.file, error.field) == (str(path), "energy.price_file")
    assert error.problem == f"expected a file, got the device or pipe '{os.devnull}'"


def test_sites_option_replaces_the_scenario_catalog(tmp_path: Path):
    path = scenario_file(tmp_path)
    error = refused(path, sites_file=tmp_path / "nope.csv")
    assert (error.file, error.field) == (str(path), "--sites")
    assert error.problem == f"no such file '{(tmp_path / 'nope.csv').resolve()}'"
    assert [f for f, _ in referenced_files(load_scenario(path), sites_file="x.csv")] == ["--sites"]


def write_hourly(path: Path, columns: dict[str, float]) -> Path:
    header = ",".join(columns)
    row = ",".join(str(v) for v in columns.values())
    path.write_text(header + "\n" + (row + "\n") * 8760, encoding="utf-8")
    return path


def test_hourly_files_are_read_and_stray_columns_warned(tmp_path: Path):
    write_hourly(tmp_path / "price.csv", {"price": 55.0})
    write_hourly(tmp_path / "carbon.csv", {"US-VA": 300.0, "US-XX": 200.0})
    path = scenario_file(
        tmp_path, "\n[energy]\nprice_file = 'price.csv'\ncarbon_file = 'carbon.csv'\n"
    )
    warnings = check(path)
    assert len(warnings) == 1
    assert "carbon.csv: 1 column(s) of the hourly carbon file are no region code" in warnings[0]
    assert "'US-XX'" in warnings[0]


def test_bad_hourly_file_is_refused_by_its_reader(tmp_path: Path):
    (tmp_path / "price.csv").write_text("price\n1\n2\n", encoding="utf-8")
    path = scenario_file(tmp_path, "\n[energy]\nprice_file = 'price.csv'\n")
    error = refused(path)
    assert error.file == str((tmp_path / "price.csv").resolve())
    assert error.problem == "expected 8760 hourly rows, got 2"


def test_regions_file_adds_region_codes(tmp_path: Path):
    lines = (data_dir() / "regions.csv").read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if line.startswith("US-VA,"))
    (tmp_path / "regions.csv").write_text(
        lines[0] + "\n" + row.replace("US-VA,", "XX-NEW,", 1) + "\n", encoding="utf-8"
    )
    path = scenario_file(
        tmp_path, "\n[sites]\nregions_file = 'regions.csv'\ninclude_regions = ['XX-NEW']\n"
    )
    assert check(path) == []
    check_references(load_scenario(path))  # skips regions: it cannot know the file's codes
    bad = scenario_file(tmp_path, "\n[sites]\ninclude_regions = ['XX-NEW']\n", name="b.toml")
    error = refused(bad)
    assert (error.file, error.field) == (str(bad), "sites.include_regions[0]")
    assert error.problem == "unknown region code 'XX-NEW' (see `planner sites list`)"


def write_sites(path: Path) -> Path:
    path.write_text(
        "id,name,lat,lon\nmy-site,Mine,39.0,-77.5\nother,Other,41.9,-87.9\n", encoding="utf-8"
    )
    return path


def test_weather_files_key_must_be_a_site_of_the_scenario_catalog(tmp_path: Path):
    write_sites(tmp_path / "sites.csv")
    shutil.copy(DULLES, tmp_path / "dulles.epw.gz")
    ok = scenario_file(
        tmp_path,
        "\n[sites]\ncatalog = 'sites.csv'\n[sites.weather_files]\nmy-site = 'dulles.epw.gz'\n",
    )
    assert not any("km from the site" in w for w in check(ok))
    bad = scenario_file(
        tmp_path,
        "\n[sites]\ncatalog = 'sites.csv'\n[sites.weather_files]\nashburn-va = 'dulles.epw.gz'\n",
        name="bad.toml",
    )
    error = refused(bad)
    assert (error.file, error.field) == (str(bad), "sites.weather_files.ashburn-va")
    assert error.problem == "unknown site id 'ashburn-va': not among the 2 candidate sites"


def test_distant_weather_file_is_a_warning_with_its_distance(tmp_path: Path):
    shutil.copy(OHARE, tmp_path / "ohare.epw.gz")
    shutil.copy(DULLES, tmp_path / "dulles.epw.gz")
    far = scenario_file(tmp_path, "\n[sites.weather_files]\nashburn-va = 'ohare.epw.gz'\n")
    warnings = check(far)
    # Ashburn (39.04, -77.49) to O'Hare (41.98, -87.92, the file's header): the haversine on a
    # 6,371 km sphere gives 939.6 km; the planner measures on the WGS84 ellipsoid, 942 km.
    assert warnings == [
        "the weather file ohare.epw.gz for site ashburn-va was measured 942 km from the site "
        "(field sites.weather_files.ashburn-va); is it the right file?"
    ]
    near = scenario_file(
        tmp_path, "\n[sites.weather_files]\nashburn-va = 'dulles.epw.gz'\n", name="near.toml"
    )
    assert check(near) == []


def test_broken_weather_file_is_refused_by_its_reader(tmp_path: Path):
    (tmp_path / "w.epw").write_text("not weather\n", encoding="utf-8")
    path = scenario_file(tmp_path, "\n[sites.weather_files]\nashburn-va = 'w.epw'\n")
    error = refused(path)
    assert error.file == str((tmp_path / "w.epw").resolve())
    assert "not a weather file" in str(error)


def test_exclusion_zones_must_be_polygons(tmp_path: Path):
    (tmp_path / "zones.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "a point"},
                        "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    path = scenario_file(tmp_path, "\n[sites]\nexclusion_zones_file = 'zones.geojson'\n")
    error = refused(path)
    assert (error.file, error.field) == (str((tmp_path / "zones.geojson").resolve()), "geometry")
    assert error.problem == "expected polygons, found Point"


# --- speed, the command line and the run ------------------------------------------------------


def test_check_is_fast_on_the_bundled_example():
    scenario = load_scenario(example_scenario("training-16k"))
    check_scenario(scenario)  # the first call loads the embedded catalog (cached)
    start = time.perf_counter()
    check_scenario(scenario)
    assert time.perf_counter() - start < 0.5  # about 1 ms on the development machine


def test_cli_validate_prints_warnings_and_json(tmp_path: Path, capsys):
    shutil.copy(OHARE, tmp_path / "ohare.epw.gz")
    path = scenario_file(tmp_path, "\n[sites.weather_files]\nashburn-va = 'ohare.epw.gz'\n")
    assert run(["scenario", "validate", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["valid"] is True
    assert len(doc["warnings"]) == 1 and "km from the site" in doc["warnings"][0]
    assert err.startswith("Warning: the weather file ohare.epw.gz")


def test_cli_validate_unknown_country_exits_2_in_one_line(tmp_path: Path, capsys):
    path = scenario_file(tmp_path, '\n[sites]\ninclude_countries = ["UK"]\n')
    assert run(["scenario", "validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [
        f"Error: {path}, field 'sites.include_countries[0]': 'UK' is not an ISO 3166-1 country "
        "code; the United Kingdom is 'GB'."
    ]


def test_cli_validate_accepts_a_bundled_name(capsys):
    assert run(["scenario", "validate", "eu-inference", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_run_scenario_checks_before_computing(tmp_path: Path, monkeypatch):
    import planner.evaluate
    from planner.optimize.run import run_scenario

    def must_not_run(*args, **kwargs):
        raise AssertionError("evaluated a scenario that does not pass its checks")

    monkeypatch.setattr(planner.evaluate, "evaluate_sites", must_not_run)
    path = scenario_file(tmp_path, '\n[constraints]\nallowed_countries = ["EL"]\n')
    with pytest.raises(InputError, match="'EL' is the EU's code for Greece; the ISO") as err:
        run_scenario(load_scenario(path), scenario_file=path)
    assert err.value.field == "constraints.allowed_countries[0]"
    assert err.value.file == str(path)


def test_run_scenario_adds_check_warnings_to_the_evaluation(tmp_path: Path, monkeypatch):
    import planner.evaluate
    import planner.optimize.run as run_module

    shutil.copy(OHARE, tmp_path / "ohare.epw.gz")
    path = scenario_file(tmp_path, "\n[sites.weather_files]\nashburn-va = 'ohare.epw.gz'\n")
    evaluation = SimpleNamespace(warnings=["from the evaluation"])
    monkeypatch.setattr(planner.evaluate, "evaluate_sites", lambda *a, **k: evaluation)
    monkeypatch.setattr(run_module, "optimize_evaluation", lambda ev, *a, **k: ev)
    out = run_module.run_scenario(load_scenario(path))
    assert out.warnings[0] == "from the evaluation"
    assert len(out.warnings) == 2 and "km from the site" in out.warnings[1]


# --- the allocation never calls a non-finite objective optimal ---------------------------------


def test_solve_refuses_a_nan_block_cost():
    from planner.optimize.allocate import build_problem, solve

    scenario = make_scenario()
    problem = build_problem(make_evaluation(scenario, 4), scenario)
    problem.block_cost_usd[1, 0] = np.nan
    solution = solve(problem)
    assert solution.status == "error"
    assert solution.message.startswith(f"the cost of site {problem.site_ids[1]}, phase 1")
    assert "is nan" in solution.message


def test_allocate_with_an_overflowing_fixed_cost_is_not_optimal():
    from planner.optimize.allocate import allocate

    scenario = make_scenario()
    evaluation = make_evaluation(scenario, 4)
    evaluation.site_fixed_cost_usd.iloc[:] = np.inf  # nan_to_num turns it into 1.8e308
    if evaluation.site_fixed_cost_by_first_phase_usd is not None:
        evaluation.site_fixed_cost_by_first_phase_usd.iloc[:, :] = np.inf
    with np.errstate(all="raise"):
        allocation = allocate(evaluation, scenario)
    assert allocation.status == "error"
    assert "too large to add up" in allocation.message
    assert allocation.objective_usd is None or not np.isfinite(allocation.objective_usd)


def test_validate_json_reports_an_invalid_scenario_on_stdout(tmp_path, capsys):
    import json

    from planner.cli.main import run

    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[scenario]\nname = "x"\n[energy]\nppa_type = "Physical"\n'
        '[[fleet.phases]]\ngpu = "H100-SXM"\ncount = 8\n',
        encoding="utf-8",
    )
    assert run(["scenario", "validate", str(bad), "--json"]) == 2
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["valid"] is False and doc["field"] == "energy.ppa_type"
    assert "ppa_type" in out.err  # the sentence on stderr as for every bad input
