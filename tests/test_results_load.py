"""results.json: the round trip, and every damaged or hand-edited document refused in one sentence.

`planner report RESULTS.json` must exit 2 naming what is wrong, never 1 with a traceback.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_fixtures import make_results

from planner.cli.main import run
from planner.errors import InputError
from planner.results import Results


@pytest.fixture(scope="module")
def document() -> dict:
    return make_results().to_json_dict()


def save(folder: Path, doc, name: str = "results.json") -> Path:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_round_trip_is_intact(tmp_path):
    results = make_results()
    again = Results.load_json(results.save_json(tmp_path / "results.json"))
    assert again.scenario == results.scenario
    assert again.allocation.status == results.allocation.status
    assert again.allocation.objective_usd == pytest.approx(results.allocation.objective_usd)
    np.testing.assert_allclose(again.evaluation.hourly_pue, results.evaluation.hourly_pue,
                               rtol=1e-6)
    assert list(again.ranking.index) == list(results.ranking.index)
    assert again.evaluation.metrics.shape == results.evaluation.metrics.shape


def test_hourly_arrays_per_case_round_trip(tmp_path):
    """A real evaluation keeps one hourly row per cooling case; the index survives the file."""
    from planner.evaluate import evaluate_sites
    from planner.optimize.run import optimize_evaluation
    from planner.paths import example_scenario
    from planner.scenario import load_scenario

    sc = load_scenario(example_scenario("eu-inference"))
    sc.analysis.uncertainty.draws, sc.analysis.pareto_points = 0, 0
    sc.analysis.sensitivity = False
    ev = evaluate_sites(sc)
    assert ev.hourly_case_of_site is not None
    assert ev.hourly_pue.shape[0] == ev.hourly_case_of_site.max() + 1 <= len(ev.metrics)
    results = optimize_evaluation(ev, sc)
    again = Results.load_json(results.save_json(tmp_path / "results.json"))
    site = ev.metrics.index[-1]
    np.testing.assert_allclose(again.evaluation.hourly_pue[again.evaluation.hourly_row(site)],
                               ev.hourly_pue[ev.hourly_row(site)], rtol=1e-6)


def edit(path: str, value):
    """A function setting the value at a dotted path ('allocation.summary', 'ranking.data.3.2')."""

    def apply(doc: dict) -> dict:
        doc = copy.deepcopy(doc)
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is KeyError:
            del node[int(last) if isinstance(node, list) else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return doc

    return apply


@pytest.mark.parametrize(
    ("change", "field", "row", "words"),
    [
        (edit("allocation.summary", [1, 2]), "allocation.summary", None,
         "expected a table {index, columns, data}, got a list"),
        (edit("evaluation.metrics", KeyError), "evaluation.metrics", None,
         "expected a table {index, columns, data}, got null"),
        (edit("evaluation", "x"), "evaluation", None, "expected an object, got text"),
        (edit("allocation.objective_usd", math.nan), "allocation.objective_usd", None,
         "got nan"),
        (edit("allocation.gap", 10**400), "allocation.gap", None,
         "expected a finite number of magnitude below 1e+15"),
        (edit("ranking.data.3.2", "high"), "ranking.score", 4, "expected a number, got text"),
        (edit("ranking.data.0", [1]), "ranking", 1, "expected a row of 11 cells"),
        (edit("evaluation.rtt_ms.data.11", KeyError), "evaluation.rtt_ms", None,
         "11 rows, expected 12"),
        (edit("evaluation.hourly_pue.shape", [12, 100]), "evaluation.hourly_pue", None,
         "expected a packed array of shape [12, 8760]"),
        (edit("evaluation.hourly_pue.zlib_base64", "AAAA"), "evaluation.hourly_pue", None,
         "the packed array is damaged"),
        (edit("evaluation.hourly_case_of_site", [0] * 11), "evaluation.hourly_case_of_site",
         None, "expected a list of 12 row numbers, one per site"),
        (edit("evaluation.hourly_case_of_site", [0] * 11 + [-1]),
         "evaluation.hourly_case_of_site", None, "expected whole numbers from 0"),
        (edit("evaluation.hourly_case_of_site", [0] * 11 + [1]), "evaluation.hourly_pue", None,
         "expected a packed array of shape [2, 8760]"),
        (edit("allocation.status", "great"), "allocation.status", None, "expected one of"),
        (edit("format", "other"), "format", None, "not a results file"),
        (edit("scenario.fleet.phases.0.count", -3), "scenario.fleet.phases[0].count", None,
         "greater than 0"),
        (edit("evaluation.site_fixed_cost_usd.values.0", math.inf),
         "evaluation.site_fixed_cost_usd", None, "got inf"),
    ],
)
def test_damaged_documents_name_the_field(tmp_path, document, change, field, row, words):
    path = save(tmp_path, change(document))
    with pytest.raises(InputError) as info:
        Results.load_json(path)
    err = info.value
    assert (err.file, err.field, err.row) == (str(path), field, row)
    assert words in str(err) and "\n" not in str(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[1, 2]", "expected a JSON object {...}, got a list"),
        ('{"format": "gpu-site', "not valid JSON at line 1, column 12"),
        ("", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": 1' + "0" * 5000 + "}", "cannot read results JSON"),
    ],
)
def test_unreadable_documents(tmp_path, text, words):
    path = save(tmp_path, text)
    with pytest.raises(InputError) as info:
        Results.load_json(path)
    assert words in str(info.value) and info.value.file == str(path)


def test_truncated_file(tmp_path, document):
    text = json.dumps(document)
    with pytest.raises(InputError, match="not valid JSON .* truncated or edited by hand"):
        Results.load_json(save(tmp_path, text[: len(text) // 2]))


def test_nan_literal_in_a_table(tmp_path, document):
    text = json.dumps(edit("ranking.data.2.2", math.nan)(document), allow_nan=True)
    assert "NaN" in text
    with pytest.raises(InputError) as info:
        Results.load_json(save(tmp_path, text))
    assert (info.value.field, info.value.row) == ("ranking", 3)


def test_cli_report_exits_2_with_one_sentence(tmp_path, document, capsys):
    path = save(tmp_path, edit("allocation.summary", "oops")(document))
    assert run(["report", str(path), "--out", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "field 'allocation.summary'" in err[0] and str(path) in err[0]
    assert not (tmp_path / "r.pdf").exists()


# --- property test: generated damage anywhere in the document --------------------------------

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.just([]),
    st.just({}),
    st.just([[1, 2], [3]]),
    st.just({"columns": ["a"], "data": [[1, 2]], "index": None}),
)


def paths_of(node, prefix=(), depth=0):
    """Every (path) in the document down to table rows, skipping long data lists' middles."""
    yield prefix
    if depth > 4:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths_of(value, (*prefix, key), depth + 1)
    elif isinstance(node, list):
        for k in sorted({0, len(node) - 1} if node else set()):
            yield from paths_of(node[k], (*prefix, k), depth + 1)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_property_damaged_documents(tmp_path, document, data):
    paths = [p for p in paths_of(document) if p]
    where = data.draw(st.sampled_from(paths))
    value = data.draw(HOSTILE)
    doc = copy.deepcopy(document)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    path = save(tmp_path, json.dumps(doc, allow_nan=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            results = Results.load_json(path)
        except InputError as err:
            assert str(err) and "\n" not in str(err)
        else:
            assert isinstance(results, Results)


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_results_path_that_is_no_file_says_what_it_is(tmp_path, kind, capsys):
    if kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "results.json"
        path.mkdir() if kind == "folder" else os.mkfifo(path)
    with pytest.raises(InputError, match="expected a regular results file, got a ") as info:
        Results.load_json(path)
    assert "no such" not in str(info.value)
    if kind == "device":
        return  # /dev/zero has no .json suffix: the CLI takes it for a scenario
    assert run(["report", str(path), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a regular results file" in err[0]


# --- site ids: every table names sites of evaluation.metrics, each once ----------------------


def first_cell(table: str, value):
    """Replace the site id of the first row of a table ('allocation.summary')."""
    return edit(f"{table}.data.0.0", value)


@pytest.mark.parametrize(
    ("table", "row", "words"),
    [
        ("allocation.summary", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("allocation.gpus", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("allocation.blocks", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("ranking", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("uncertainty", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("evaluation.rtt_ms", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
        ("evaluation.monthly", 1, "site 'xx-nowhere' is not in evaluation.metrics"),
    ],
)
def test_unknown_site_is_refused(tmp_path, document, table, row, words):
    # Unknown sites in the allocation gave exit 1 (NaN to int); in the ranking, a report.
    path = save(tmp_path, first_cell(table, "xx-nowhere")(document))
    with pytest.raises(InputError) as info:
        Results.load_json(path)
    assert (info.value.field, info.value.row) == (table, row)
    assert words in str(info.value)


def test_unknown_site_in_a_pareto_allocation_is_refused(tmp_path, document):
    doc = copy.deepcopy(document)
    table = copy.deepcopy(doc["allocation"]["gpus"])
    table["data"][1][0] = "xx-nowhere"
    doc["pareto_allocations"] = [table]
    with pytest.raises(InputError, match="site 'xx-nowhere' is not in") as info:
        Results.load_json(save(tmp_path, doc))
    assert (info.value.field, info.value.row) == ("pareto_allocations[0]", 2)


@pytest.mark.parametrize("table", ["evaluation.metrics", "ranking", "allocation.summary",
                                   "uncertainty"])
def test_duplicate_site_is_refused(tmp_path, document, table):
    doc = copy.deepcopy(document)
    node = doc
    for key in table.split("."):
        node = node[key]
    twice = node["data"][1][0]
    node["data"][0][0] = twice
    with pytest.raises(InputError, match=f"the site_id '{twice}' appears twice") as info:
        Results.load_json(save(tmp_path, doc))
    assert (info.value.field, info.value.row) == (table, 2)


def test_cli_report_unknown_allocation_site_exits_2(tmp_path, document, capsys):
    path = save(tmp_path, first_cell("allocation.summary", "xx-nowhere")(document))
    assert run(["report", str(path), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "field 'allocation.summary'" in err[0]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("evaluation.monthly", "the site_id, month appears twice"),
        ("evaluation.provenance", "the row appears twice"),
        ("allocation.summary", "appears twice"),
        ("uncertainty", "appears twice"),
    ],
)
def test_repeated_table_is_refused_fast(tmp_path, document, table, words):
    # A table pasted many times over (18 MB) was accepted and took 26 s to report.
    doc = copy.deepcopy(document)
    node = doc
    for key in table.split("."):
        node = node[key]
    node["data"] = node["data"] * (200_000 // len(node["data"]))
    path = save(tmp_path, doc)
    started = time.perf_counter()
    with pytest.raises(InputError, match=words) as info:
        Results.load_json(path)
    assert info.value.field == table
    assert time.perf_counter() - started < 5.0
