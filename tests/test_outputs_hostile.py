"""Outputs under hostile conditions: interrupted writes, stale files, planted symlinks, two runs
at once, files where folders should be, formula text in spreadsheets, scripts in the PDF.

`planner optimize` runs on a synthetic evaluation (as in test_cli_optimize) and writes CSV only
unless a test needs another format, so each run takes a second or two.
"""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from optimizer_fixtures import make_evaluation
from report_fixtures import make_results

from planner.cli.main import run
from planner.outputs import FolderLock, atomic_file, lock_path, write_text
from planner.report import write_outputs
from planner.report.exports import safe_filename

SCENARIO = """
[scenario]
name = "plan"

[fleet]
block_gpus = 1024

[[fleet.phases]]
gpu = "H100-SXM"
count = 4096
"""


@pytest.fixture(autouse=True)
def synthetic_evaluation(monkeypatch):
    import planner.evaluate
    import planner.optimize.run

    def fake(scenario, catalog=None, *, sites_file=None, progress=None, **_reevaluation):
        return make_evaluation(scenario, 12, 3)

    monkeypatch.setattr(planner.evaluate, "evaluate_sites", fake)
    # Synthetic sites cannot be re-evaluated from the catalog: no re-evaluated drivers.
    monkeypatch.setattr(planner.optimize.run, "scenario_reevaluator", lambda *_: None)


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(SCENARIO)
    return path


def optimize(scenario: Path, out: Path, *extra: str) -> int:
    return run(["optimize", str(scenario), "--out", str(out), "--format", "csv", *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def hidden_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# --- interrupted and failed writes -------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"),
    [(KeyboardInterrupt(), 130), (OSError(errno.ENOSPC, "No space left on device"), 2)],
    ids=["ctrl-c", "disk-full"],
)
def test_interrupted_write_keeps_the_previous_folder(scenario, tmp_path, monkeypatch, error, code):
    out = tmp_path / "out"
    assert optimize(scenario, out) == 0
    before = snapshot(out / "plan")
    import planner.report.exports as exports

    real_write_csv = exports.write_csv

    def half_then_fail(results, folder):
        real_write_csv(results, folder)  # the new files exist in the stage...
        raise error  # ...when the run is stopped

    monkeypatch.setattr(exports, "write_csv", half_then_fail)
    assert optimize(scenario, out, "--overwrite") == code
    assert snapshot(out / "plan") == before
    assert hidden_leftovers(out) == []
    assert not lock_path(out).exists()


def test_overwrite_leaves_no_stale_file(scenario, tmp_path):
    out = tmp_path / "out"
    assert optimize(scenario, out) == 0
    (out / "plan" / "stale.txt").write_text("from an earlier run")
    assert optimize(scenario, out, "--overwrite") == 0
    names = {p.name for p in (out / "plan").iterdir()}
    assert "stale.txt" not in names and {"results.json", "ranking.csv"} <= names
    assert hidden_leftovers(out) == []


def test_existing_results_refused_without_overwrite_before_any_work(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "plan").mkdir(parents=True)
    (out / "plan" / "notes.txt").write_text("mine")
    assert optimize(scenario, out) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert snapshot(out / "plan") == {"notes.txt": b"mine"}


# --- symlinks and names ------------------------------------------------------------------


def test_planted_file_symlink_is_replaced_not_followed(scenario, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    (out / "plan").mkdir(parents=True)
    (out / "plan" / "ranking.csv").symlink_to(victim)
    assert optimize(scenario, out, "--overwrite") == 0
    assert victim.read_text() == "precious"
    ranking = out / "plan" / "ranking.csv"
    assert not ranking.is_symlink() and "site_id" in ranking.read_text()


def test_planted_folder_symlink_is_replaced_not_followed(scenario, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan").symlink_to(victim, target_is_directory=True)
    assert optimize(scenario, out, "--overwrite") == 0
    assert snapshot(victim) == {"keep.txt": b"precious"}
    assert not (out / "plan").is_symlink() and (out / "plan" / "results.json").is_file()


def test_export_into_a_user_folder_keeps_other_files_and_follows_no_link(tmp_path):
    """The window's export: files written one by one, the user's other files untouched."""
    folder = tmp_path / "chosen"
    folder.mkdir()
    (folder / "my-notes.txt").write_text("mine")
    victim = tmp_path / "victim.csv"
    victim.write_text("precious")
    (folder / "ranking.csv").symlink_to(victim)
    written = write_outputs(make_results(), folder, ["csv"])
    assert victim.read_text() == "precious"
    assert (folder / "my-notes.txt").read_text() == "mine"
    assert not (folder / "ranking.csv").is_symlink()
    assert all(p.parent == folder for p in written)
    assert hidden_leftovers(folder) == []


def test_atomic_file_failure_leaves_the_old_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stop")
    assert path.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    write_text(path, "new")
    assert path.read_text() == "new"


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/abs/path", "..", "a/../../b", "C:\\x"])
def test_names_from_user_text_cannot_leave_the_folder(hostile):
    name = safe_filename(hostile)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name not in (".", "..") and Path(name).name == name


def test_scenario_file_names_make_safe_folders(tmp_path):
    from planner.optimize.batch import plan_jobs

    jobs = plan_jobs([tmp_path / "..toml", tmp_path / "a b.toml"], tmp_path / "out", ["csv"])
    for job in jobs:
        assert job.out_dir.parent == tmp_path / "out"
        assert not job.out_dir.name.startswith(".")


# --- two runs at once; files where folders should be -------------------------------------


def test_second_run_into_a_locked_folder_is_refused(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    with FolderLock(out):  # this process is "the first run"
        assert optimize(scenario, out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another planner run" in err[0]
    assert not (out / "plan").exists()
    assert optimize(scenario, out) == 0  # lock released: the next run goes ahead


def test_stale_lock_of_a_dead_process_is_taken_over(scenario, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    out = tmp_path / "out"
    lock_path(out).write_text(done.stdout)  # that process has exited
    assert optimize(scenario, out) == 0
    assert not lock_path(out).exists()


def test_out_naming_a_file_is_bad_input(scenario, tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("a file")
    assert optimize(scenario, blocker, "--overwrite") == 2
    assert "expected a folder, found a file" in capsys.readouterr().err
    assert blocker.read_text() == "a file"


def test_file_where_the_scenario_folder_goes_is_bad_input(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan").write_text("a file")
    assert optimize(scenario, out, "--overwrite") == 2
    assert "expected a folder, found a file" in capsys.readouterr().err
    assert (out / "plan").read_text() == "a file"


def test_folder_where_a_file_goes_is_bad_input(tmp_path):
    from planner.errors import InputError

    (tmp_path / "ranking.csv").mkdir()
    with pytest.raises(InputError, match="found a folder"):
        write_outputs(make_results(), tmp_path, ["csv"])


# --- spreadsheets ------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture(scope="module")
def hostile_results():
    results = make_results(name="=cmd|' /C calc'!A0")
    metrics = results.evaluation.metrics
    for site_id, name in zip(metrics.index, HOSTILE_NAMES, strict=False):
        metrics.loc[site_id, "name"] = name
    return results


def test_xlsx_formula_text_is_stored_as_text(hostile_results, tmp_path):
    (path,) = write_outputs(hostile_results, tmp_path, ["xlsx"])
    sheet = openpyxl.load_workbook(path)["metrics"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value in HOSTILE_NAMES}
    assert set(cells) == set(HOSTILE_NAMES)  # the text itself, unchanged
    for cell in cells.values():
        assert cell.data_type == "s" and cell.quotePrefix
    numbers = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, int | float) and v < 0 for v in numbers)  # longitudes stay numbers
    assert not any(
        c.data_type == "f"
        for ws in openpyxl.load_workbook(path)
        for row in ws.iter_rows()
        for c in row
    )


def test_csv_formula_text_is_prefixed_numbers_are_not(hostile_results, tmp_path):
    import csv

    write_outputs(hostile_results, tmp_path, ["csv"])
    with open(tmp_path / "metrics.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["name"] for row in rows}
    # A carriage return inside a cell becomes a quoted line break, not a split row.
    assert {"'" + name.replace("\r", "\n") for name in HOSTILE_NAMES} <= names
    lons = [float(row["lon"]) for row in rows]
    assert min(lons) < 0  # negative numbers are written as numbers, without a quote
    cells = [v for row in rows for v in row.values()]
    assert not [v for v in cells if v[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [v for v in cells if v.startswith("-") and not _is_number(v)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- PDF glyphs --------------------------------------------------------------------------

SCRIPTS = {
    "subscript": "CO₂",
    "accents": "Zürich São Paulo Émissions",
    "cjk": "東京データセンター 北京 서울",
    "arabic": "مركز البيانات",
}


def embedded_glyphs(pdf: Path) -> dict[str, bool]:
    """Every character drawn in the PDF's embedded TrueType fonts -> whether it has outlines.

    Reads each font's ToUnicode map (code -> character) and the embedded font program's own
    cmap (code -> glyph), so a character shown as an empty box (.notdef or a glyph without
    contours) counts as missing.
    """
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    found: dict[str, bool] = {}
    for font in _embedded_truetype_fonts(PdfReader(pdf)):
        program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        tt = TTFont(io.BytesIO(program))
        code_to_glyph = {}
        for table in tt["cmap"].tables:
            code_to_glyph.update(table.cmap)
        to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        for code, uni in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,})>", to_unicode):
            char = chr(int(uni, 16))
            glyph = code_to_glyph.get(int(code, 16), ".notdef")
            drawn = glyph != ".notdef" and tt["glyf"][glyph].numberOfContours != 0
            found[char] = found.get(char, False) or drawn
    return found


def _embedded_truetype_fonts(reader) -> list:
    """Every font dictionary of the file with an embedded TrueType program, wherever it is
    referenced from (pages, inherited resources, form XObjects)."""
    fonts = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - free or compressed-away object numbers
            continue
        if hasattr(obj, "get") and obj.get("/Type") == "/Font" and "/FontDescriptor" in obj:
            if "/FontFile2" in obj["/FontDescriptor"].get_object():
                fonts.append(obj)
    return fonts


@pytest.fixture(scope="module")
def multilingual_pdf(tmp_path_factory):
    results = make_results(name=f"{SCRIPTS['accents']} {SCRIPTS['subscript']} {SCRIPTS['cjk']}")
    metrics = results.evaluation.metrics
    metrics.loc[metrics.index[0], "name"] = SCRIPTS["arabic"]
    return write_outputs(results, tmp_path_factory.mktemp("pdf"), ["pdf"])[0]


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_pdf_embeds_glyphs_for_what_users_type(multilingual_pdf, script):
    import arabic_reshaper

    text = SCRIPTS[script]
    # Arabic is drawn in its joined (presentation) forms: those are the glyphs to look for.
    wanted = set(arabic_reshaper.reshape(text) if script == "arabic" else text) - {" "}
    glyphs = embedded_glyphs(multilingual_pdf)
    missing = sorted(c for c in wanted if not glyphs.get(c))
    assert not missing, f"no glyph embedded for {missing}"


def test_pdf_embeds_every_font_it_draws_with(multilingual_pdf):
    from pypdf import PdfReader

    fonts = _embedded_truetype_fonts(PdfReader(multilingual_pdf))
    names = {str(font["/BaseFont"]).split("+")[-1] for font in fonts}
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"} <= names


# --- the terminal ------------------------------------------------------------------------


def test_closed_stdout_pipe_exits_0_quietly():
    env = {**os.environ, "PYTHONWARNINGS": ""}
    reader = subprocess.Popen(
        [sys.executable, "-m", "planner", "sites", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    reader.stdout.close()  # like `| head -1` having exited before the first line
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 0
    assert "BrokenPipeError" not in err and "Exception ignored" not in err, err


# --- hostile site ids --------------------------------------------------------------------

HOSTILE_ID_PREFIXES = ['=HYPERLINK("http://x","y{}")', "@{}", "+{}", "-s{}"]


def with_site_ids(evaluation, new_ids):
    """``evaluation`` with its site ids replaced, in every index and ``site_id`` column."""
    import dataclasses

    import pandas as pd

    mapping = dict(zip(evaluation.site_ids, new_ids, strict=True))
    changes = {}
    for field in dataclasses.fields(evaluation):
        value = getattr(evaluation, field.name)
        if isinstance(value, pd.DataFrame | pd.Series) and value.index.isin(mapping).any():
            value = value.rename(index=mapping)
        if isinstance(value, pd.DataFrame) and "site_id" in value:
            value = value.assign(site_id=value["site_id"].map(mapping))
        changes[field.name] = value
    return dataclasses.replace(evaluation, **changes)


@pytest.fixture
def hostile_ids(monkeypatch):
    import planner.evaluate
    import planner.optimize.run

    def fake(scenario, catalog=None, *, sites_file=None, progress=None, **_reevaluation):
        evaluation = make_evaluation(scenario, 12, 3)
        ids = [HOSTILE_ID_PREFIXES[i % 4].format(i) for i in range(12)]
        return with_site_ids(evaluation, ids)

    monkeypatch.setattr(planner.evaluate, "evaluate_sites", fake)
    # Synthetic sites cannot be re-evaluated from the catalog: no re-evaluated drivers.
    monkeypatch.setattr(planner.optimize.run, "scenario_reevaluator", lambda *_: None)


def formula_cells(path: Path) -> list[str]:
    """Cells of a CSV file a spreadsheet could run as a formula (negative numbers are fine)."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    return [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r", "-") and not _is_number(c)]


def test_hostile_site_ids_are_neutralised_in_every_csv(hostile_ids, scenario, tmp_path):
    out = tmp_path / "out"
    assert optimize(scenario, out, "--format", "csv,xlsx") == 0
    folder = out / "plan"
    csvs = sorted(folder.glob("*.csv"))
    assert {"ranking.csv", "metrics.csv", "allocation.csv"} <= {p.name for p in csvs}
    for path in csvs:
        assert formula_cells(path) == [], path.name
    hourly = [p.name for p in csvs if p.name.startswith("hourly_")]
    assert hourly and all(
        re.fullmatch(r"hourly_[A-Za-z0-9][A-Za-z0-9._-]*\.csv", n) for n in hourly
    )
    ids = (folder / "allocation.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert all(line.startswith(("'=HYPERLINK", "'@", "'+", "'-s")) for line in ids)


def test_hostile_site_ids_are_text_in_xlsx(hostile_ids, scenario, tmp_path):
    out = tmp_path / "out"
    assert optimize(scenario, out, "--format", "xlsx") == 0
    book = openpyxl.load_workbook(out / "plan" / "results.xlsx")
    for name in ("ranking", "metrics", "allocation"):
        index_cells = [row[0] for row in book[name].iter_rows(min_row=2)]
        assert index_cells, name
        for cell in index_cells:
            assert cell.data_type == "s" and cell.quotePrefix, (name, cell.value)


def test_batch_summary_neutralises_scenario_names(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for stem, name in (("a", "=1+1"), ("b", "@SUM(A1)")):
        (folder / f"{stem}.toml").write_text(SCENARIO.replace('"plan"', f'"{name}"'))
    out = tmp_path / "out"
    assert (
        run(["optimize", str(folder), "--out", str(out), "--format", "csv", "--workers", "1"]) == 0
    )
    assert formula_cells(out / "summary.csv") == []


def test_xlsx_strips_control_characters_openpyxl_refuses(tmp_path):
    # The readers refuse such names; the writer is the safety net that never dies on them.
    results = make_results(name="plan\x00\x07")
    metrics = results.evaluation.metrics
    metrics.loc[metrics.index[0], "name"] = "Site\x01\x1bname"
    metrics.loc[metrics.index[1], "name"] = "=\x02HYPERLINK()"
    (path,) = write_outputs(results, tmp_path, ["xlsx"])
    sheet = openpyxl.load_workbook(path)["metrics"]
    column = [c.value for c in sheet[1]].index("name") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert "Sitename" in [c.value for c in cells]
    hyperlink = next(c for c in cells if c.value == "=HYPERLINK()")
    assert hyperlink.data_type == "s" and hyperlink.quotePrefix


# --- Ctrl-C at every stage of a run ------------------------------------------------------

INTERRUPTED_RUN = """
import atexit, builtins, os, signal, sys
sys.path.insert(0, {tests!r})
from optimizer_fixtures import make_evaluation
import planner.evaluate
import planner.outputs as folder
from planner.cli.main import main

planner.evaluate.evaluate_sites = lambda scenario, *a, **k: make_evaluation(scenario, 12, 3)
import planner.optimize.run
planner.optimize.run.scenario_reevaluator = lambda *_: None
stage = {stage!r}

def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)

def at(owner, name, when=lambda *a: True):
    real, sent = getattr(owner, name), []
    def wrapped(*args):
        if when(*args) and not sent:  # one Ctrl-C, as a user would press it
            sent.append(True)
            ctrl_c()
        return real(*args)
    setattr(owner, name, wrapped)

if stage == "swap":
    at(folder, "_swap_in")
elif stage == "remove-old":
    at(folder, "_remove", lambda path: ".old-" in path.name)
elif stage == "release":
    at(folder.FolderLock, "_release")
elif stage == "exit":
    atexit.register(ctrl_c)
elif stage == "teardown":
    class Canary:
        def __del__(self):
            ctrl_c()
    builtins.canary = Canary()  # freed late in the interpreter's own teardown
main({args!r})
"""


def run_interrupted(scenario: Path, out: Path, stage: str) -> subprocess.CompletedProcess:
    args = ["optimize", str(scenario), "--out", str(out), "--format", "csv", "--overwrite"]
    code = INTERRUPTED_RUN.format(tests=str(Path(__file__).parent), stage=stage, args=args)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def assert_old_or_complete(out: Path, before: dict[str, bytes]) -> None:
    folder = out / "plan"
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)
    assert hidden_leftovers(out) == [] and not lock_path(out).exists()


@pytest.mark.parametrize("stage", ["swap", "remove-old", "release", "exit"])
def test_ctrl_c_late_in_a_run_says_stopped(scenario, tmp_path, stage):
    out = tmp_path / "out"
    assert optimize(scenario, out) == 0
    before = snapshot(out / "plan")
    done = run_interrupted(scenario, out, stage)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1:] == ["Stopped."], done.stderr
    assert_old_or_complete(out, before)


def test_ctrl_c_after_the_run_never_kills_by_the_signal(scenario, tmp_path):
    # The interpreter's teardown runs with SIGINT at the system default: the planner skips it.
    out = tmp_path / "out"
    assert optimize(scenario, out) == 0
    before = snapshot(out / "plan")
    done = run_interrupted(scenario, out, "teardown")
    assert done.returncode == 0, done.stderr
    assert_old_or_complete(out, before)


def test_ctrl_c_at_any_moment_is_stopped_or_done(scenario, tmp_path):
    out = tmp_path / "out"
    assert optimize(scenario, out) == 0
    before = snapshot(out / "plan")
    args = ["optimize", str(scenario), "--out", str(out), "--format", "csv", "--overwrite"]
    code = INTERRUPTED_RUN.format(tests=str(Path(__file__).parent), stage="", args=args)
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, check=True)
    whole_run_s = time.monotonic() - started
    for fraction in (0.5, 0.8, 0.9, 0.95, 1.0, 1.05):
        child = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(whole_run_s * fraction)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
        assert child.returncode in (0, 130), (fraction, child.returncode, err)
        if child.returncode == 130:
            assert err.splitlines()[-1:] == ["Stopped."], err
        assert_old_or_complete(out, before)
