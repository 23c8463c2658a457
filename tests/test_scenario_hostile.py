"""Hostile scenario files: every number finite and in range, strict types, unreadable TOML.

Each bad input must give :class:`InputError` naming the field (and, through the CLI, exit code
2 with one sentence on stderr), never another exception, a traceback or a RuntimeWarning.
"""

from __future__ import annotations

import copy
import math
import os
import string
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli.main import run
from planner.errors import InputError
from planner.scenario import Scenario, load_scenario, loads_scenario, scenario_from_dict

BASE: dict[str, Any] = {
    "scenario": {"name": "hostile", "horizon_years": 10, "discount_rate": 0.08},
    "fleet": {
        "utilization": 0.8,
        "block_gpus": 1024,
        "phases": [{"gpu": "H100-SXM", "count": 2048, "start_month": 0}],
    },
    "energy": {"ppa_share": 0.5, "ppa_carbon_free": True},
    "demand": [{"name": "Frankfurt", "weight": 1.0}],
    "constraints": {"latency": [{"demand_center": "Frankfurt", "max_rtt_ms": 30.0}]},
    "analysis": {"sensitivity": True, "uncertainty": {"draws": 10, "seed": 1}},
}

MINIMAL = """
[scenario]
name = "minimal"

[[fleet.phases]]
gpu = "H100-SXM"
count = 1024
"""


def with_value(path: str, value: Any) -> dict[str, Any]:
    """BASE with the dotted ``path`` (``fleet.phases.0.count``) set to ``value``."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


def refused(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as err:
        scenario_from_dict(data, file="s.toml")
    assert err.value.file == "s.toml" and err.value.row is None
    assert str(err.value) == f"s.toml, field '{err.value.field}': {err.value.problem}."
    return err.value


def test_base_is_valid():
    assert scenario_from_dict(BASE).fleet.total_gpus == 2048


# --- numbers: finite and in a physical range ------------------------------------------------

INF, NAN = math.inf, math.nan

# (dotted path in BASE, value, field named by the error, words of the message)
OUT_OF_RANGE = [
    ("fleet.utilization", 0, "fleet.utilization", "greater than or equal to 0.01"),
    ("fleet.utilization", 0.0, "fleet.utilization", "greater than or equal to 0.01"),
    ("fleet.utilization", NAN, "fleet.utilization", "finite number"),
    ("fleet.utilization", INF, "fleet.utilization", "finite number"),
    ("fleet.utilization", 1.5, "fleet.utilization", "less than or equal to 1"),
    ("fleet.network_overhead_fraction", -INF, "fleet.network_overhead_fraction", "finite"),
    ("fleet.block_gpus", 0, "fleet.block_gpus", "greater than 0"),
    ("fleet.block_gpus", 2**62, "fleet.block_gpus", "less than or equal to 10000000"),
    ("fleet.gpus_per_rack", 0, "fleet.gpus_per_rack", "greater than 0"),
    ("fleet.monthly_load_factor", [0.0] * 12, "fleet.monthly_load_factor", "at least one month"),
    ("fleet.monthly_load_factor", [1e-300] * 12, "fleet.monthly_load_factor", "0.01 or more"),
    (
        "fleet.monthly_load_factor",
        [1.0] * 3 + [NAN] + [1.0] * 8,
        "fleet.monthly_load_factor[3]",
        "finite number",
    ),
    ("fleet.monthly_load_factor", [1.0] * 11, "fleet.monthly_load_factor", "12 monthly values"),
    ("fleet.monthly_load_factor", [2.0] * 12, "fleet.monthly_load_factor", "between 0 and 1"),
    ("fleet.phases.0.count", 0, "fleet.phases[0].count", "greater than 0"),
    ("fleet.phases.0.count", 10**12, "fleet.phases[0].count", "less than or equal to 10000000"),
    ("fleet.phases.0.start_month", -1, "fleet.phases[0].start_month", "greater than or equal"),
    ("fleet.phases.0.start_month", 200, "fleet.phases[0].start_month", "120-month horizon"),
    ("scenario.discount_rate", INF, "scenario.discount_rate", "finite number"),
    ("scenario.discount_rate", -0.1, "scenario.discount_rate", "greater than or equal to 0"),
    ("scenario.horizon_years", 10**6, "scenario.horizon_years", "less than or equal to 30"),
    (
        "cooling.allow_water_cooling_above_stress",
        NAN,
        "cooling.allow_water_cooling_above_stress",
        "finite",
    ),
    ("facility.build_lead_months", -3, "facility.build_lead_months", "greater than or equal"),
    ("energy.ppa_strike_usd_per_mwh", -1.0, "energy.ppa_strike_usd_per_mwh", "greater than"),
    ("energy.ppa_strike_usd_per_mwh", 1e308, "energy.ppa_strike_usd_per_mwh", "less than"),
    ("energy.cloud_gpu_hour_usd", 1e308, "energy.cloud_gpu_hour_usd", "less than or equal"),
    ("energy.cloud_gpu_hour_usd", -2.5, "energy.cloud_gpu_hour_usd", "greater than or equal"),
    (
        "energy.demand_charge_usd_per_kw_month",
        -5,
        "energy.demand_charge_usd_per_kw_month",
        "greater than or equal to 0",
    ),
    (
        "energy.demand_charge_usd_per_kw_month",
        INF,
        "energy.demand_charge_usd_per_kw_month",
        "finite",
    ),
    ("energy.price_escalation_per_year", NAN, "energy.price_escalation_per_year", "finite"),
    ("energy.ppa_share", 1.01, "energy.ppa_share", "less than or equal to 1"),
    (
        "objective.carbon_price_usd_per_t",
        -100,
        "objective.carbon_price_usd_per_t",
        "greater than or equal to 0",
    ),
    ("objective.carbon_price_usd_per_t", 1e308, "objective.carbon_price_usd_per_t", "less than"),
    ("objective.weights.cost", INF, "objective.weights.cost", "finite number"),
    ("objective.weights.cost", NAN, "objective.weights.cost", "finite number"),
    ("objective.weights.cost", -0.4, "objective.weights.cost", "greater than or equal to 0"),
    ("objective.weights.cost", 1e308, "objective.weights.cost", "less than or equal"),
    (
        "objective.weights",
        {k: 0 for k in ("cost", "carbon", "water", "latency", "risk", "time_to_power")},
        "objective.weights",
        "at least one weight must be positive",
    ),
    ("demand.0.weight", NAN, "demand[0].weight", "finite number"),
    ("demand.0.weight", -1, "demand[0].weight", "greater than or equal to 0"),
    ("demand.0.weight", 0, "demand", "at least one demand center needs a positive weight"),
    ("constraints.latency.0.max_rtt_ms", 0, "constraints.latency[0].max_rtt_ms", "greater than 0"),
    ("constraints.latency.0.max_rtt_ms", INF, "constraints.latency[0].max_rtt_ms", "finite"),
    ("constraints.latency.0.max_rtt_ms", 1e9, "constraints.latency[0].max_rtt_ms", "less than"),
    ("constraints.latency.0.min_share", 0, "constraints.latency[0].min_share", "greater than 0"),
    ("constraints.latency.0.min_share", 1.2, "constraints.latency[0].min_share", "less than"),
    ("constraints.max_share_per_site", 0, "constraints.max_share_per_site", "greater than 0"),
    ("constraints.max_water_stress", NAN, "constraints.max_water_stress", "finite"),
    (
        "constraints.max_time_to_power_months",
        10**30,
        "constraints.max_time_to_power_months",
        "less than or equal to 1200",
    ),
    (
        "constraints.max_time_to_power_months",
        -1,
        "constraints.max_time_to_power_months",
        "greater than or equal to 0",
    ),
    ("constraints.max_sites", 10**9, "constraints.max_sites", "less than or equal to 10000"),
    ("constraints.min_grid_regions", 0, "constraints.min_grid_regions", "greater than or equal"),
    ("analysis.pareto_points", 10**6, "analysis.pareto_points", "less than or equal to 200"),
    ("analysis.pareto_points", -1, "analysis.pareto_points", "greater than or equal to 0"),
    (
        "analysis.uncertainty.draws",
        10**9,
        "analysis.uncertainty.draws",
        "less than or equal to 50000",
    ),
    ("analysis.uncertainty.seed", -1, "analysis.uncertainty.seed", "greater than or equal to 0"),
    (
        "analysis.uncertainty.price_sigma",
        -0.2,
        "analysis.uncertainty.price_sigma",
        "greater than or equal to 0",
    ),
    (
        "analysis.uncertainty.carbon_sigma",
        1e3,
        "analysis.uncertainty.carbon_sigma",
        "less than or equal to 2",
    ),
    ("analysis.uncertainty.pue_sigma", NAN, "analysis.uncertainty.pue_sigma", "finite"),
    ("analysis.uncertainty.growth_sigma", INF, "analysis.uncertainty.growth_sigma", "finite"),
    ("analysis.uncertainty.top_k", 0, "analysis.uncertainty.top_k", "greater than or equal to 1"),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    OUT_OF_RANGE,
    ids=[f"{c[0]}={c[1]!r:.20}" for c in OUT_OF_RANGE],
)
def test_out_of_range_numbers_name_their_field(path, value, field, words):
    error = refused(with_value(path, value))
    assert error.field == field
    assert words in str(error)
    assert str(error).startswith("s.toml, field ")


def test_a_fleet_beyond_ten_million_gpus_is_refused():
    phases = [{"gpu": "H100-SXM", "count": 6_000_000}, {"gpu": "B200", "count": 6_000_000}]
    error = refused(with_value("fleet.phases", phases))
    assert error.field == "fleet.phases"
    assert "12,000,000 GPUs" in str(error)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("objective.weights.cost", 1e10),  # weights have any scale
        ("objective.weights.carbon", 0),
        ("scenario.discount_rate", 0),  # an integer where a float is expected
        ("energy.ppa_strike_usd_per_mwh", 55),
        ("fleet.monthly_load_factor", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        ("analysis.uncertainty.seed", 0),
        ("analysis.uncertainty.draws", 20_000),
        ("constraints.latency.0.min_share", 1),
    ],
)
def test_legal_edge_values_are_kept(path, value):
    scenario = scenario_from_dict(with_value(path, value))
    node: Any = scenario
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else getattr(node, part)
    assert node == value


def test_integer_for_a_float_field_becomes_a_float():
    scenario = scenario_from_dict(with_value("scenario.discount_rate", 0))
    assert type(scenario.scenario.discount_rate) is float


# --- strict types ---------------------------------------------------------------------------

WRONG_TYPES = [
    ("fleet.phases.0.count", True, "fleet.phases[0].count", "valid integer"),
    ("fleet.phases.0.count", "5", "fleet.phases[0].count", "valid integer"),
    ("fleet.phases.0.count", 5.0, "fleet.phases[0].count", "valid integer"),
    ("fleet.block_gpus", False, "fleet.block_gpus", "valid integer"),
    ("fleet.utilization", True, "fleet.utilization", "valid number"),
    ("fleet.utilization", "0.8", "fleet.utilization", "valid number"),
    ("energy.ppa_carbon_free", "yes", "energy.ppa_carbon_free", "valid boolean"),
    ("energy.ppa_carbon_free", 1, "energy.ppa_carbon_free", "valid boolean"),
    ("analysis.sensitivity", "true", "analysis.sensitivity", "valid boolean"),
    ("analysis.uncertainty.seed", 1.5, "analysis.uncertainty.seed", "valid integer"),
    ("scenario.name", 5, "scenario.name", "valid string"),
    ("scenario.horizon_years", "10", "scenario.horizon_years", "valid integer"),
    ("fleet.workload", 1, "fleet.workload", "'training' or 'inference'"),
    ("facility.tier", 4, "facility.tier", "'I', 'II', 'III' or 'IV'"),
    ("sites.include_countries", "DE", "sites.include_countries", "valid list"),
    ("energy.price_file", 5, "energy.price_file", "valid path"),
    ("sites.weather_files", {"ashburn-va": 7}, "sites.weather_files.ashburn-va", "valid path"),
    ("fleet.monthly_load_factor", [True] * 12, "fleet.monthly_load_factor[0]", "valid number"),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    WRONG_TYPES,
    ids=[f"{c[0]}={c[1]!r:.20}" for c in WRONG_TYPES],
)
def test_wrong_types_are_not_coerced(path, value, field, words):
    error = refused(with_value(path, value))
    assert error.field == field
    assert words in str(error)


def test_enums_and_paths_still_read_from_toml_strings(tmp_path: Path):
    text = MINIMAL.replace(
        "[[fleet.phases]]", '[fleet]\nworkload = "inference"\n\n[[fleet.phases]]'
    )
    text += '\n[facility]\ntier = "IV"\n[energy]\nprice_file = "p.csv"\n'
    scenario = loads_scenario(text, file=tmp_path / "s.toml")
    assert scenario.fleet.workload == "inference"
    assert scenario.facility.tier == "IV"
    assert scenario.energy.price_file == (tmp_path / "p.csv").resolve()


@pytest.mark.parametrize(
    ("value", "words"),
    [("", "empty string"), ("a\x00b.csv", "NUL character"), ("x" * 5000, "at most 4096")],
)
def test_impossible_paths_are_refused_before_use(value, words):
    error = refused(with_value("energy.price_file", value))
    assert error.field == "energy.price_file"
    assert words in str(error)


def test_impossible_weather_path_names_its_site():
    error = refused(with_value("sites.weather_files", {"ashburn-va": "a\x00b.epw"}))
    assert error.field == "sites.weather_files.ashburn-va"
    assert "NUL character" in str(error)


def test_long_values_are_cut_in_the_message():
    error = refused(with_value("fleet.phases.0.count", "9" * 10_000))
    assert error.field == "fleet.phases[0].count"
    assert len(str(error)) < 200


def test_huge_integer_is_described_not_printed():
    error = refused(with_value("fleet.phases.0.count", 10**5000))
    assert "integer of about 5,001 digits" in str(error)


# --- reading the file -----------------------------------------------------------------------


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "s.toml"
    path.write_bytes(data)
    return path


def test_byte_order_mark_is_read(tmp_path: Path):
    path = write_bytes(tmp_path, b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_scenario(path).name == "minimal"


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 100_000 + "]" * 100_000,
        "a = " + "{b = " * 100_000 + "1" + "}" * 100_000,
    ],
    ids=["arrays", "inline-tables"],
)
def test_pathological_nesting_is_one_sentence(tmp_path: Path, text: str):
    path = write_bytes(tmp_path, text.encode())
    with pytest.raises(InputError, match="nested too deeply") as err:
        load_scenario(path)
    assert err.value.file == str(path)


def test_integer_beyond_python_limit(tmp_path: Path):
    path = write_bytes(tmp_path, MINIMAL.replace("1024", "1" * 5000).encode())
    with pytest.raises(InputError, match="an integer of more than 4,300 digits") as err:
        load_scenario(path)
    assert err.value.file == str(path) and err.value.problem.startswith("not valid TOML")


def test_binary_garbage_is_not_utf8(tmp_path: Path):
    path = write_bytes(tmp_path, bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"not a text file in UTF-8 \(byte 129 is 0x80\)") as err:
        load_scenario(path)
    assert err.value.file == str(path)


def test_latin1_text_is_not_utf8(tmp_path: Path):
    path = write_bytes(tmp_path, MINIMAL.replace("minimal", "Zürich").encode("latin-1"))
    # 'ü' is 0xFC in Latin-1, the file's 22nd byte (counting from 1, as for 0x80 above).
    with pytest.raises(InputError, match=r"not a text file in UTF-8 \(byte 22 is 0xfc\)") as err:
        load_scenario(path)
    assert err.value.file == str(path)


def test_nul_bytes_are_not_toml(tmp_path: Path):
    path = write_bytes(tmp_path, MINIMAL.encode() + b"\x00\x00")
    with pytest.raises(InputError, match=r"not valid TOML \(Invalid statement") as err:
        load_scenario(path)
    assert err.value.file == str(path)


def test_a_folder_is_not_a_scenario(tmp_path: Path):
    with pytest.raises(InputError, match="expected a scenario file, got a folder") as err:
        load_scenario(tmp_path)
    assert err.value.file == str(tmp_path)


@pytest.mark.skipif(not Path(os.devnull).exists() or os.name == "nt", reason="POSIX device")
def test_a_device_is_not_a_scenario():
    with pytest.raises(InputError, match="expected a scenario file, got a device or pipe") as err:
        load_scenario(os.devnull)
    assert err.value.file == os.devnull


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_pipe_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="expected a scenario file, got a device or pipe") as err:
        load_scenario(fifo)
    assert err.value.file == str(fifo)


def test_a_huge_file_is_refused_unread(tmp_path: Path):
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: no 20 MB written
    words = "the file has 20,000,000 bytes; a scenario has at most 10,000,000"
    with pytest.raises(InputError, match=words) as err:
        load_scenario(path)
    assert err.value.file == str(path)


# --- property tests: InputError or a Scenario, nothing else -------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**6000), max_value=10**6000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 1e308, -1e308, 5e-324, 2**63, "5", "yes", "", "\x00"]),
    st.text(max_size=20),
    st.datetimes(),  # TOML has dates and times too
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def leaf_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a nested dict/list (including containers)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            out += leaf_paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out += leaf_paths(child, (*prefix, i))
    return out


PATHS = leaf_paths(BASE) + [
    ("fleet", "monthly_load_factor"),
    ("fleet", "gpus_per_rack"),
    ("objective", "weights", "cost"),
    ("sites", "weather_files"),
    ("sites", "include_countries"),
    ("sites", "catalog"),
    ("constraints", "max_time_to_power_months"),
    ("analysis", "pareto_points"),
    ("extra",),
]


def set_path(data: dict[str, Any], path: tuple, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[path[-1]] = value


def accepts_or_input_error(call) -> None:
    try:
        result = call()
    except InputError as exc:
        assert str(exc).strip()
        assert "\n" not in str(exc)
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=4))
def test_random_field_values_give_a_scenario_or_input_error(changes):
    data = copy.deepcopy(BASE)
    for path, value in changes:
        try:
            set_path(data, path, value)
        except (TypeError, IndexError, KeyError, AttributeError):
            continue  # an earlier change replaced a parent: nothing to set
    accepts_or_input_error(lambda: scenario_from_dict(data, file="s.toml"))


@settings(max_examples=100, deadline=None)
@given(values)
def test_random_documents_give_a_scenario_or_input_error(document):
    accepts_or_input_error(lambda: scenario_from_dict(document))


toml_fragments = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        "=",
        ",",
        '"',
        "'",
        "\n",
        "a",
        "1",
        "1e999",
        "nan",
        "inf",
        "-",
        ".",
        "[fleet]",
        "[[fleet.phases]]",
        "true",
        "\ufeff",
        "\x00",
        "\\u0000",
        "#",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(toml_fragments, max_size=60).map("".join),
        st.builds(
            lambda at, junk: MINIMAL[:at] + junk + MINIMAL[at:],
            st.integers(0, len(MINIMAL)),
            st.text(alphabet=string.printable + "[]{}\ufeff", max_size=30),
        ),
    )
)
def test_random_toml_text_gives_a_scenario_or_input_error(text):
    accepts_or_input_error(lambda: loads_scenario(text, file="s.toml"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_random_values_written_as_toml_and_read_back(changes):
    data = copy.deepcopy(BASE)
    for path, value in changes:
        try:
            set_path(data, path, value)
        except (TypeError, IndexError, KeyError, AttributeError):
            continue
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # None, or a value TOML cannot hold: no file could say this
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        path.write_text(text, encoding="utf-8")
        accepts_or_input_error(lambda: load_scenario(path))


# --- through the command line: exit 2, one line, no traceback, no RuntimeWarning -----------

HOSTILE_FILES = {
    "nan-utilization": MINIMAL + "\n[fleet]\nutilization = nan\n",
    "bool-count": MINIMAL.replace("count = 1024", "count = true"),
    "negative-seed": MINIMAL + "\n[analysis.uncertainty]\nseed = -1\n",
    "inf-weight": MINIMAL + "\n[objective.weights]\ncost = inf\n",
    "zero-load": MINIMAL + "\n[fleet]\nmonthly_load_factor = " + str([0.0] * 12) + "\n",
    "uk": MINIMAL + '\n[sites]\ninclude_countries = ["UK"]\n',
    "deep": "a = " + "[" * 50_000 + "]" * 50_000,
}
# What follows "Error: <file>" on stderr for each.
HOSTILE_SENTENCES = {
    "nan-utilization": ", field 'fleet.utilization': input should be a finite number (got nan).",
    "bool-count": ", field 'fleet.phases[0].count': input should be a valid integer (got True).",
    "negative-seed": (
        ", field 'analysis.uncertainty.seed': input should be greater than or equal to 0 (got -1)."
    ),
    "inf-weight": ", field 'objective.weights.cost': input should be a finite number (got inf).",
    "zero-load": (
        ", field 'fleet.monthly_load_factor': expected at least one month with a load factor "
        "of 0.01 or more."
    ),
    "uk": (
        ", field 'sites.include_countries[0]': 'UK' is not an ISO 3166-1 country code; "
        "the United Kingdom is 'GB'."
    ),
    "deep": ": not valid TOML (nested too deeply).",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_cli_validate_exits_2_with_one_line(tmp_path: Path, capsys, name: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(HOSTILE_FILES[name], encoding="utf-8")
    code = run(["scenario", "validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == f"Error: {path}{HOSTILE_SENTENCES[name]}"
    assert "Traceback" not in err


def test_cli_validate_refuses_a_folder(tmp_path: Path, capsys):
    assert run(["scenario", "validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"Error: {tmp_path}: expected a scenario file, got a folder.\n"
    )


def test_cli_subprocess_has_no_traceback_and_no_runtime_warning(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text(HOSTILE_FILES["zero-load"], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "planner", "scenario", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "fleet.monthly_load_factor" in done.stderr
    assert "Traceback" not in done.stderr
    assert "RuntimeWarning" not in done.stderr


def test_an_unknown_key_with_a_line_break_still_gives_one_line(tmp_path: Path, capsys):
    # TOML allows any quoted key; the message must stay one line for the CLI.
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL + '\n[constraints]\n"a\\nb" = 1\n', encoding="utf-8")
    assert run(["scenario", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not a known field" in err
    assert len(err.strip().splitlines()) == 1, err
    assert "constraints.a\\nb" in err  # the line break shown escaped
