"""Sweep files: points of product and zip sweeps, linked axes, stable ids, merging, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import InputError
from planner.sweep.run import evaluation_key, prepare
from planner.sweep.spec import (
    load_sweep,
    parse_path,
    point_dict,
    point_id,
    point_scenario,
    set_path,
)


def write_sweep(folder: Path, body: str, base: str = "training-16k") -> Path:
    path = folder / "sweep.toml"
    path.write_text(f'[sweep]\nbase = "{base}"\n{body}', encoding="utf-8")
    return path


def test_product_varies_the_first_axis_slowest(tmp_path):
    spec = load_sweep(
        write_sweep(
            tmp_path,
            '[sweep.axes]\n"fleet.phases[0].count" = [1024, 2048]\n'
            '"objective.carbon_price_usd_per_t" = [0, 50, 100]\n',
        )
    )
    points = spec.points()
    assert spec.size() == len(points) == 6
    assert [tuple(p.values.values()) for p in points] == [
        (1024, 0), (1024, 50), (1024, 100), (2048, 0), (2048, 50), (2048, 100)
    ]  # fmt: skip


def test_linked_axes_move_together_and_groups_combine_by_the_mode(tmp_path):
    body = (
        "[sweep.axes]\n"
        '"energy.ppa_share" = [0.0, 0.5, 1.0]\n'
        '"energy.ppa_strike_usd_per_mwh" = [70, 60, 50]\n'
        '"objective.carbon_price_usd_per_t" = [0, 100]\n'
        "[[sweep.linked]]\n"
        'axes = ["energy.ppa_share", "energy.ppa_strike_usd_per_mwh"]\n'
    )
    spec = load_sweep(write_sweep(tmp_path, body))
    points = spec.points()
    assert len(points) == 6  # 3 linked pairs x 2 carbon prices, not 3 x 3 x 2
    pairs = {
        (p.values["energy.ppa_share"], p.values["energy.ppa_strike_usd_per_mwh"]) for p in points
    }
    assert pairs == {(0.0, 70), (0.5, 60), (1.0, 50)}
    zipped = load_sweep(
        write_sweep(tmp_path, body.replace("[0, 100]", "[0, 100, 200]"), "training-16k")
    )
    assert zipped.size() == 9
    text = (
        (tmp_path / "sweep.toml")
        .read_text()
        .replace('base = "training-16k"', 'base = "training-16k"\nmode = "zip"')
    )
    (tmp_path / "sweep.toml").write_text(text)
    zipped = load_sweep(tmp_path / "sweep.toml")
    assert [tuple(p.values.values()) for p in zipped.points()] == [
        (0.0, 70, 0), (0.5, 60, 100), (1.0, 50, 200)
    ]  # fmt: skip


def test_point_ids_are_stable_short_hashes_of_the_sorted_values():
    a = point_id({"x": 1, "y": "eu.csv"})
    assert a == point_id({"y": "eu.csv", "x": 1}) and len(a) == 12
    assert a != point_id({"x": 2, "y": "eu.csv"})
    # The same point has the same id in another sweep file (resume after adding values).
    # Pinned: a resumed sweep finds its points by these ids, so they must not change.
    assert point_id({"objective.carbon_price_usd_per_t": 100}) == "4c3adbc3b63f"


def test_paths_and_merging(tmp_path):
    assert parse_path("fleet.phases[0].count") == ["fleet", "phases", 0, "count"]
    assert parse_path("sites.weather_files.lulea-se") == ["sites", "weather_files", "lulea-se"]
    for bad in ("", "fleet..count", "fleet.phases[x]", "3fleet", "a b"):
        with pytest.raises(ValueError):
            parse_path(bad)
    data = {"fleet": {"phases": [{"count": 1}]}}
    set_path(data, "fleet.phases[0].count", 5)
    set_path(data, "objective.weights.cost", 0.7)  # tables made where missing
    assert data == {"fleet": {"phases": [{"count": 5}]}, "objective": {"weights": {"cost": 0.7}}}
    with pytest.raises(InputError, match="index 3 is past the end"):
        set_path(data, "fleet.phases[3].count", 1)


def test_a_point_merges_into_the_base_with_paths_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "eu.csv").write_text("id,name,lat,lon\nx,X,60,18\n")
    spec = load_sweep(
        write_sweep(
            tmp_path,
            '[sweep.axes]\n"sites.catalog" = ["eu.csv", "default"]\n'
            '"fleet.phases[1].count" = [2048]\n',
        )
    )
    first, second = spec.points()
    data = point_dict(spec, first)
    assert data["sites"]["catalog"] == str((tmp_path / "eu.csv").resolve())
    assert data["fleet"]["phases"][1]["count"] == 2048
    assert point_dict(spec, second)["sites"]["catalog"] == "default"
    scenario = point_scenario(spec, second)
    assert scenario.fleet.phases[1].count == 2048
    # The base itself is untouched by merging a point.
    assert spec.base_data["fleet"]["phases"][1]["count"] == 4096


def test_a_base_file_relative_to_the_sweep_file(tmp_path):
    from planner.paths import example_scenario

    (tmp_path / "base.toml").write_text(example_scenario().read_text())
    spec = load_sweep(
        write_sweep(tmp_path, '[sweep.axes]\n"fleet.utilization" = [0.5]\n', "base.toml")
    )
    assert spec.base_file == tmp_path / "base.toml"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("", "sweep.axes", "at least one axis"),
        (
            '[sweep.axes]\n"fleet.phases[0].count" = []\n',
            'sweep.axes."fleet.phases[0].count"',
            "non-empty",
        ),
        ('[sweep.axes]\n"fleet..count" = [1]\n', 'sweep.axes."fleet..count"', "dotted"),
        (
            '[sweep.axes]\n"fleet.utilization" = [0.5, 0.5]\n',
            'sweep.axes."fleet.utilization"',
            "twice",
        ),
        (
            'mode = "grid"\n[sweep.axes]\n"fleet.utilization" = [0.5]\n',
            "sweep.mode",
            "product, zip",
        ),
        (
            'oops = 1\n[sweep.axes]\n"fleet.utilization" = [0.5]\n',
            "sweep.oops",
            "not a known field",
        ),
        (
            '[sweep.axes]\n"fleet.utilization" = [0.5, 0.6]\n"energy.ppa_share" = [0.1]\n'
            '[[sweep.linked]]\naxes = ["fleet.utilization", "energy.ppa_share"]\n',
            "sweep.linked[0].axes",
            "as many values",
        ),
        (
            '[sweep.axes]\n"fleet.utilization" = [0.5]\n'
            '[[sweep.linked]]\naxes = ["fleet.utilization", "nope"]\n',
            "sweep.linked[0].axes",
            "not an axis",
        ),
        (
            'mode = "zip"\n[sweep.axes]\n"fleet.utilization" = [0.5, 0.6]\n'
            '"energy.ppa_share" = [0.1]\n',
            "sweep.axes",
            "zip mode",
        ),
    ],
    ids=[
        "no-axes",
        "empty",
        "bad-path",
        "repeated",
        "mode",
        "unknown-key",
        "linked-lengths",
        "linked-unknown",
        "zip-lengths",
    ],
)
def test_bad_sweep_files_name_the_field(tmp_path, body, field, words):
    path = write_sweep(tmp_path, body)
    with pytest.raises(InputError) as caught:
        load_sweep(path)
    assert caught.value.field == field and words in str(caught.value)
    assert str(path) in str(caught.value)


def test_too_many_points_are_refused_before_any_is_made(tmp_path):
    values = ", ".join(str(0.01 + i / 1000) for i in range(400))
    body = f'[sweep.axes]\n"fleet.utilization" = [{values}]\n"energy.ppa_share" = [{values}]\n'
    with pytest.raises(InputError, match="160,000 points"):
        load_sweep(write_sweep(tmp_path, body))


def test_invalid_points_are_found_before_any_work_with_their_field(tmp_path):
    body = (
        '[sweep.axes]\n"fleet.phases[0].count" = [1024, 0]\n'
        '"sites.include_countries" = [["SE"], ["XX"]]\n'
    )
    plan = prepare(load_sweep(write_sweep(tmp_path, body)))
    assert len(plan.points) == 4 and len(plan.scenarios) == 1
    fields = sorted(b.field for b in plan.invalid)
    assert fields == [
        "fleet.phases[0].count",
        "fleet.phases[0].count",
        "sites.include_countries[0]",
    ]
    # The sweep's defaults: no draws, Pareto front or tornado unless --full-analysis.
    (scenario,) = plan.scenarios.values()
    assert scenario.analysis.uncertainty.draws == 0 and scenario.analysis.pareto_points == 0
    assert scenario.analysis.sensitivity is False
    full = prepare(load_sweep(write_sweep(tmp_path, body)), analysis="full")
    (scenario,) = full.scenarios.values()
    assert scenario.analysis.uncertainty.draws == 200 and scenario.analysis.sensitivity


def test_points_differing_only_in_weights_or_constraints_share_an_evaluation(tmp_path):
    body = (
        '[sweep.axes]\n"objective.weights.cost" = [0.5, 0.9]\n"constraints.max_sites" = [1, 2]\n'
        '"objective.carbon_price_usd_per_t" = [0, 100]\n'
    )
    spec = load_sweep(write_sweep(tmp_path, body))
    plan = prepare(spec)
    assert len(plan.points) == 8 and len(set(plan.groups.values())) == 2
    # The carbon price is in every block's cost: it is evaluated.
    a, b = (point_scenario(spec, p) for p in spec.points()[:2])
    assert evaluation_key(a) != evaluation_key(b)
