"""The Sweep tab on a real sweep folder written by ``planner sweep`` (a process of its own):
the points table equals the Parquet file, the charts follow the axis pickers, a bad folder is
one sentence and leaves what is open, and the window still fits a laptop."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import run

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
]

# Three axes, 2 x 2 x 2 points. A GPU count of 0 is refused by the scenario's own rule
# (count > 0), so those four points are bad-input rows. Keflavik is the catalog's only
# Icelandic site (data/sites.csv), so every point limited to IS recommends it, and every point
# limited to SE and NO recommends something else: the answer changes along the countries.
SWEEP = """
[sweep]
base = "base.toml"
mode = "product"

[sweep.axes]
"fleet.phases[0].count" = [1024, 0]
"sites.include_countries" = [["SE", "NO"], ["IS"]]
"objective.carbon_price_usd_per_t" = [0, 400]
"""
COUNT, COUNTRIES, CARBON = (
    "fleet.phases[0].count",
    "sites.include_countries",
    "objective.carbon_price_usd_per_t",
)
LAPTOP = (1366, 768)
WINDOW_FRAME_PX = 40  # title bar and a task bar take at least this much of the height
READ_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """The sweep run by the real command line, one local worker, in its own process."""
    from planner.paths import example_scenario

    folder = tmp_path_factory.mktemp("sweep")
    (folder / "base.toml").write_text(example_scenario("training-16k").read_text())
    (folder / "sweep.toml").write_text(SWEEP)
    out = folder / "out"
    args = ["sweep", str(folder / "sweep.toml"), "--out", str(out), "--workers", "1",
            "--skip-invalid"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def parquet(sweep_dir):
    """The table as fastparquet reads it, not through the planner's reader."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastparquet asks pandas about a deprecated option
        import fastparquet

    return fastparquet.ParquetFile(str(sweep_dir / "sweep.parquet")).to_pandas()


def open_sweep(qtbot, window, folder):
    with qtbot.waitSignals([window.sweep_view.shown, window.workDone], timeout=READ_TIMEOUT_MS):
        assert window.open_sweep(folder) is not None
    return window.sweep_view


def _column(model, key: str) -> int:
    return list(model.frame().columns).index(key)


def _cells(model, key: str) -> list[str]:
    c = _column(model, key)
    return [model.index(r, c).data() for r in range(model.rowCount())]


def test_the_points_table_equals_the_parquet_file(qtbot, window, sweep_dir, parquet):
    view = open_sweep(qtbot, window, sweep_dir)
    assert window.tabs.currentWidget() is view
    points = view.points
    assert points.rowCount() == len(parquet) == 8
    assert _cells(points, "id") == list(parquet["id"])
    # Every figure as the sweep report writes it: M USD with one decimal, kt, thousand m3.
    for r, row in enumerate(parquet.to_dict(orient="records")):
        shown = {k: points.index(r, _column(points, k)).data() for k in points.frame().columns}
        assert shown["status"] == row["status"]
        assert shown[f"axis:{COUNT}"] == f"{row[COUNT]:g}"
        assert shown[f"axis:{COUNTRIES}"] == row[COUNTRIES]
        if row["status"] == "ok":
            assert shown["objective_usd"] == f"{row['objective_usd'] / 1e6:,.1f}"
            assert shown["usd_per_gpu_hour"] == f"{row['usd_per_gpu_hour']:.3f}"
            assert shown["co2_market_t"] == f"{row['co2_market_t'] / 1e3:,.1f}"
            assert shown["water_m3"] == f"{row['water_m3'] / 1e3:,.1f}"
            assert shown["sites"] == row["sites"] and shown["worker"] == row["worker"]
        else:
            assert shown["objective_usd"] == "–"
    # The four points with no GPUs are bad input; the rest have an allocation.
    statuses = dict(zip(parquet["id"], parquet["status"], strict=True))
    assert sorted(statuses.values()) == ["bad-input"] * 4 + ["ok"] * 4
    assert all((parquet[COUNT] == 0) == (parquet["status"] == "bad-input"))
    assert view.summary.text().startswith(
        "8 of 8 points finished: 4 ok, 0 infeasible, 4 bad-input, 0 error."
    )
    # Keflavik, the only Icelandic site, answers every IS point; it is the most frequent
    # answer (or tied and first by name), so it is answer A.
    iceland = parquet[(parquet[COUNTRIES] == '["IS"]') & (parquet["status"] == "ok")]
    assert set(iceland["sites"]) == {"keflavik-is"}
    codes = dict(zip(_cells(points, "id"), _cells(points, "answer_code"), strict=True))
    assert {codes[i] for i in iceland["id"]} == {"A"}
    # The failing points and their messages are listed, naming the field at fault.
    assert view.failed.rowCount() == 4
    assert all(COUNT in m for m in _cells(view.failed, "Message"))
    assert view.tables.tabText(4) == "Failed (4)"


def test_sorting_is_by_value_with_missing_values_last(qtbot, window, sweep_dir, parquet):
    from PySide6.QtCore import Qt

    view = open_sweep(qtbot, window, sweep_dir)
    view.points_view.sortByColumn(
        _column(view.points, "objective_usd"), Qt.SortOrder.DescendingOrder
    )
    objective = list(view.points.frame()["objective_usd"])
    finite = sorted(parquet["objective_usd"].dropna(), reverse=True)
    assert objective[:4] == finite and all(v != v for v in objective[4:])  # NaN last
    view.points_view.sortByColumn(
        _column(view.points, f"axis:{CARBON}"), Qt.SortOrder.AscendingOrder
    )
    assert list(view.points.frame()[f"axis:{CARBON}"]) == [0.0] * 4 + [400.0] * 4


def test_the_answer_changes_along_the_countries(qtbot, window, sweep_dir):
    view = open_sweep(qtbot, window, sweep_dir)
    rows = [tuple(r) for r in view.changed.frame().itertuples(index=False)]
    along_countries = [r for r in rows if r[0] == COUNTRIES]
    # At both carbon prices (the 1024-GPU points; the 0-GPU points have no answer).
    assert [r[1] for r in along_countries] == ['["SE", "NO"] -> ["IS"]'] * 2
    assert {r[2] for r in along_countries} == {
        f"{COUNT}=1024, {CARBON}=0",
        f"{COUNT}=1024, {CARBON}=400",
    }
    assert all(r[4].startswith("A: keflavik-is") for r in along_countries)
    assert view.tables.tabText(3) == f"Changed the answer ({len(rows)})"


def test_the_charts_follow_the_axis_pickers(qtbot, window, sweep_dir):
    view = open_sweep(qtbot, window, sweep_dir)
    heat = view.heat_chart.figure.axes[0]
    assert (heat.get_xlabel(), heat.get_ylabel()) == (COUNT, COUNTRIES)
    # Across the carbon price instead: the x axis changes, the y axis stays.
    view.heat_x.setCurrentIndex(view.heat_x.findData(2))
    heat = view.heat_chart.figure.axes[0]
    assert (heat.get_xlabel(), heat.get_ylabel()) == (CARBON, COUNTRIES)
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0", "400"]
    # The same axis on both sides is no heat map: the other side takes the axis left free.
    view.heat_y.setCurrentIndex(view.heat_y.findData(2))
    assert view.heat_axes() == (0, 2)
    heat = view.heat_chart.figure.axes[0]
    assert (heat.get_xlabel(), heat.get_ylabel()) == (COUNT, CARBON)
    # The chart along an axis, and its table of values.
    # (The shared chart style puts titles on the left.)
    assert view.along_chart.figure.axes[0].get_title(loc="left") == f"Objective along {COUNT}"
    view.set_along_axis(1)
    along = view.along_chart.figure.axes[0]
    assert along.get_title(loc="left") == f"Objective along {COUNTRIES}"
    assert view.axis_values.rowCount() == 2


def _copy(sweep_dir: Path, target: Path) -> Path:
    shutil.copytree(sweep_dir, target)
    return target


def test_a_bad_folder_is_one_sentence_and_keeps_what_is_open(
    qtbot, window, dialogs, sweep_dir, tmp_path
):
    view = open_sweep(qtbot, window, sweep_dir)
    shown, doc = view.data, window.doc
    empty = tmp_path / "empty"
    empty.mkdir()
    corrupt = _copy(sweep_dir, tmp_path / "corrupt")
    (corrupt / "sweep.parquet").write_bytes(b"PAR1 this is not a table PAR1")
    newer = _copy(sweep_dir, tmp_path / "newer")
    manifest = json.loads((newer / "sweep.json").read_text())
    (newer / "sweep.json").write_text(
        json.dumps({**manifest, "format": 2, "planner_version": "9.0.0"})
    )
    cases = [
        (empty, "not a sweep folder (no sweep.json)", str(empty)),
        (corrupt, "not a readable Parquet table", str(corrupt / "sweep.parquet")),
        (newer, "written by planner 9.0.0 in sweep format 2", str(newer / "sweep.json")),
    ]
    for folder, problem, named in cases:
        before = len(dialogs.errors)
        with qtbot.waitSignal(window.workDone, timeout=READ_TIMEOUT_MS):
            window.open_sweep(folder)
        assert len(dialogs.errors) == before + 1
        sentence = dialogs.errors[-1]
        assert problem in sentence and named in sentence, sentence
        assert sentence.endswith(".") and "\n" not in sentence and "Traceback" not in sentence
        assert view.data is shown and window.doc is doc
        assert window.tabs.indexOf(view) >= 0
    # Through the window's open path (the command line's route) too.
    with qtbot.waitSignal(window.workDone, timeout=READ_TIMEOUT_MS):
        assert window.open_path(empty)
    assert "no sweep.json" in dialogs.errors[-1] and view.data is shown


def test_the_window_fits_a_laptop_with_the_sweep_open(qtbot, window, sweep_dir):
    window.resize(*LAPTOP)
    view = open_sweep(qtbot, window, sweep_dir)
    for i in range(view.tables.count()):
        view.tables.setCurrentIndex(i)
        qtbot.wait(10)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1] - WINDOW_FRAME_PX, hint
    assert window.size().width() == LAPTOP[0] and window.size().height() == LAPTOP[1]
    # Both charts get a readable share of the tab.
    for chart in (view.along_chart, view.heat_chart):
        canvas = chart.canvas
        assert canvas.width() >= 300 and canvas.height() >= 220, (canvas.width(), canvas.height())


def test_planner_gui_on_a_folder_checks_it_before_the_window(tmp_path, capsys, sweep_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["gui", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "no sweep.json" in err and str(empty) in err and "Traceback" not in err
    assert run(["gui", str(sweep_dir), "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "--screenshot takes a scenario file, not a sweep folder" in capsys.readouterr().err


def test_a_manifest_of_another_format_is_refused_and_an_older_version_is_read(tmp_path):
    from planner.errors import InputError
    from planner.gui.sweepview import axis_header, check_manifest

    path = tmp_path / "sweep.json"
    ok = {"kind": "planner-sweep", "format": 1, "planner_version": "0.0.1", "axes": {},
          "points": []}  # fmt: skip
    check_manifest(ok, path)  # same format, older planner: readable
    with pytest.raises(InputError, match="written by planner 0.0.1 in sweep format 3"):
        check_manifest({**ok, "format": 3}, path)
    with pytest.raises(InputError, match="not a sweep manifest"):
        check_manifest({**ok, "kind": "planner-results"}, path)
    assert axis_header("objective.carbon_price_usd_per_t") == "objective.\ncarbon_price_usd_per_t"


def test_the_heat_map_leaves_out_letters_only_when_asked(sweep_dir):
    from planner.gui.sweepview import read_sweep
    from planner.report.sweep import heat_map

    data = read_sweep(sweep_dir)
    args = (data.frame, 0, 1, (data.labels[0], data.labels[1]), (data.ticks[0], data.ticks[1]))
    # Two values on each axis: 2 x 2 cells, each marked (a letter, or "-" without an answer).
    assert len(heat_map(*args, data.codes).axes[0].texts) == 4  # the report's call
    assert len(heat_map(*args, data.codes, max_marks=4).axes[0].texts) == 4
    assert len(heat_map(*args, data.codes, max_marks=3).axes[0].texts) == 0
