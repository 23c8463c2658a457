"""The report of a sweep folder: the answer along each axis, heat maps, where the answer changes.

``planner report DIR`` on a sweep folder (one with ``sweep.json``) writes
``DIR/sweep-report.html`` and ``DIR/sweep-report.pdf`` from the manifest and the table, nothing
recomputed:

- the answers: each distinct set of recommended sites (A, B, C...), how many points give it and
  its objective range;
- along each axis (linked axes count as one; a zip sweep is one axis): the objective of every
  point against the axis value, one line per combination of the other axes, each point
  coloured by its answer;
- a heat map for each pair of axes: the mean objective over the other axes, each cell marked
  with its most frequent answer;
- the points that changed the answer: neighbours along one axis, all else equal, whose
  recommended sites differ;
- the points that failed, with their message.

Charts are matplotlib in the shared style of :mod:`planner.charts`.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from planner.report.sources import Table

TEMPLATE = "sweep.html.j2"
MAX_ANSWERS_COLOURED = 8
MAX_LINES = 24  # lines per axis chart; more: the spread (min, median, max) instead
MAX_HEATMAPS = 6
MAX_CHANGES = 100
MAX_FAILED = 50
ANSWER_COLOURS = [
    "#1f5f8b", "#e07b39", "#2e8b57", "#b23a48", "#5e4b8b", "#8c6d46", "#4fa3c7", "#c9b28f"
]  # fmt: skip


@dataclass
class AxisSection:
    label: str
    chart: Figure
    table: Table


@dataclass
class SweepReport:
    """What the sweep template renders."""

    title: str
    scenario_name: str
    sweep_file: str
    base: str
    mode: str
    version: str
    created: str
    points: int
    counts: dict[str, int]
    analysis: str
    summary: list[str]
    answers: Table
    axes: list[AxisSection]
    heatmaps: list[Figure]
    changes: Table | None
    changes_more: int
    failed: Table | None
    failed_more: int
    notes: list[str] = field(default_factory=list)


# --- the data -------------------------------------------------------------------------------


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _short(value: Any) -> str:
    from planner.sweep.spec import format_value

    text = format_value(value)
    return text if len(text) <= 24 else text[:21] + "..."


def axis_groups(manifest: dict[str, Any]) -> list[list[str]]:
    """Axes that move together: linked groups, single axes; a zip sweep is one group."""
    axes = list(manifest["axes"])
    if manifest.get("mode") == "zip":
        return [axes]
    linked = {a: g for g in manifest.get("linked", []) for a in g}
    groups: list[list[str]] = []
    for axis in axes:
        group = linked.get(axis, [axis])
        if group not in groups:
            groups.append(group)
    return groups


def sweep_frame(manifest: dict[str, Any], table: pd.DataFrame) -> pd.DataFrame:
    """One row per finished point: the table's figures, each group's position and answer."""
    points = {p["id"]: p["values"] for p in manifest["points"]}
    groups = axis_groups(manifest)
    index = {axis: {_key(v): i for i, v in enumerate(vs)} for axis, vs in manifest["axes"].items()}
    rows = []
    for record in table.to_dict(orient="records"):
        values = points.get(record["id"])
        if values is None:
            continue  # a point of an earlier version of the sweep file
        row = dict(record)
        for g, group in enumerate(groups):
            row[f"pos_{g}"] = index[group[0]].get(_key(values.get(group[0])), -1)
        row["answer"] = record["sites"] if record["status"] == "ok" else record["status"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame):
        frame["objective_musd"] = pd.to_numeric(frame["objective_usd"], errors="coerce") / 1e6
    return frame


def group_label(manifest: dict[str, Any], group: list[str]) -> str:
    return " / ".join(group)


def tick_labels(manifest: dict[str, Any], group: list[str]) -> list[str]:
    axes = manifest["axes"]
    n = len(axes[group[0]])
    return [" / ".join(_short(axes[a][i]) for a in group) for i in range(n)]


def answer_codes(frame: pd.DataFrame) -> dict[str, str]:
    """A letter for each distinct answer with sites, most frequent first."""
    ok = frame[frame["status"] == "ok"] if len(frame) else frame
    counts = Counter(ok["answer"]) if len(ok) else Counter()
    ordered = sorted(counts, key=lambda a: (-counts[a], a))
    return {answer: _letters(i) for i, answer in enumerate(ordered)}


def _letters(i: int) -> str:
    text = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        text = chr(65 + r) + text
    return text


# --- charts ---------------------------------------------------------------------------------


@cache
def _style() -> dict[str, Any]:
    from planner import charts

    # The shared style names the shipped CJK font; charts registers it once per process.
    charts.register_fallback_font()
    return dict(charts.STYLE)


def _new_figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, layout="constrained")


def _colour(code: str | None, codes: dict[str, str]) -> str:
    if code is None:
        return "#8a8f98"
    ranked = sorted(codes.values(), key=lambda c: (len(c), c))
    i = ranked.index(code)
    return ANSWER_COLOURS[i] if i < MAX_ANSWERS_COLOURED else "#8a8f98"


def axis_chart(
    frame: pd.DataFrame, g: int, n_groups: int, label: str, ticks: list[str], codes: dict
) -> Figure:
    """Objective against the axis's values; lines join points with the other axes equal."""
    import matplotlib as mpl

    with mpl.rc_context(_style()):
        fig = _new_figure((7.2, 3.4))
        ax = fig.add_subplot()
        ax.set_title(f"Objective along {label}")
        ok = frame[(frame["status"] == "ok") & (frame[f"pos_{g}"] >= 0)]
        others = [f"pos_{k}" for k in range(n_groups) if k != g]
        lines = list(ok.groupby(others)) if others else [((), ok)]
        if len(lines) <= MAX_LINES:
            for _, part in lines:
                part = part.sort_values(f"pos_{g}")
                ax.plot(part[f"pos_{g}"], part["objective_musd"], color="#c5cad1", lw=0.9,
                        zorder=1)  # fmt: skip
        else:
            spread = ok.groupby(f"pos_{g}")["objective_musd"].agg(["min", "median", "max"])
            ax.fill_between(spread.index, spread["min"], spread["max"], color="#dde1e6",
                            zorder=0, label="range over the other axes")  # fmt: skip
            ax.plot(spread.index, spread["median"], color="#8a8f98", lw=1.2, zorder=1,
                    label="median")  # fmt: skip
        shown: set[str] = set()
        for answer, part in ok.groupby("answer"):
            code = codes.get(answer)
            name = f"{code}: {answer}" if code else answer
            if code in shown:
                name = None
            ax.scatter(part[f"pos_{g}"], part["objective_musd"], s=22, zorder=2,
                       color=_colour(code, codes), label=_cut(name) if name else None)  # fmt: skip
            shown.add(code)
        ax.set_xticks(range(len(ticks)))
        ax.set_xticklabels(ticks, rotation=30 if len(ticks) > 6 else 0, ha="right"
                           if len(ticks) > 6 else "center")  # fmt: skip
        ax.set_xlabel(label)
        ax.set_ylabel("objective (M USD, net present)")
        if len(ok):
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="recommended sites")
        else:
            ax.text(0.5, 0.5, "no point with an allocation", ha="center", va="center",
                    transform=ax.transAxes, color="#8a8f98")  # fmt: skip
    return fig


def _cut(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


MAX_HEAT_MARKS = 900
"""Cells of a heat map marked with their answer's letter (30 x 30 still read); a 100 x 100
map with letters took 13 s to draw."""


def heat_map(
    frame: pd.DataFrame,
    g1: int,
    g2: int,
    labels: tuple[str, str],
    ticks: tuple[list[str], list[str]],
    codes: dict[str, str],
    max_marks: int | None = None,
) -> Figure:
    """Mean objective over the other axes for each pair of values; cells marked with the most
    frequent answer's letter (none when there are more than ``max_marks`` cells: the window's
    picker may ask for a 100 x 100 grid, whose 10,000 marks take seconds to lay out)."""
    import matplotlib as mpl

    ok = frame[frame["status"] == "ok"]
    n1, n2 = len(ticks[0]), len(ticks[1])
    grid = np.full((n2, n1), np.nan)
    marks = [["" for _ in range(n1)] for _ in range(n2)]
    for (i, j), part in ok.groupby([f"pos_{g1}", f"pos_{g2}"]):
        if i < 0 or j < 0:
            continue
        grid[j, i] = part["objective_musd"].mean()
        marks[j][i] = codes.get(Counter(part["answer"]).most_common(1)[0][0], "")
    with mpl.rc_context({**_style(), "axes.grid": False}):
        fig = _new_figure((min(7.2, 2.2 + 0.55 * n1), min(6.0, 1.6 + 0.38 * n2)))
        ax = fig.add_subplot()
        ax.set_title("Objective by two axes")
        image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto",
                          cmap="viridis")  # fmt: skip
        finite = grid[np.isfinite(grid)]
        middle = float(np.mean([finite.min(), finite.max()])) if finite.size else 0.0
        marked = max_marks is None or n1 * n2 <= max_marks
        for j in range(n2 if marked else 0):
            for i in range(n1):
                text = marks[j][i] if np.isfinite(grid[j, i]) else "-"
                dark = np.isfinite(grid[j, i]) and grid[j, i] < middle
                ax.text(i, j, text, ha="center", va="center", fontsize=7,
                        color="white" if dark else "#1d232b")  # fmt: skip
        ax.set_xticks(range(n1))
        ax.set_xticklabels(ticks[0], rotation=30 if n1 > 5 else 0, ha="right" if n1 > 5
                           else "center", fontsize=7)  # fmt: skip
        ax.set_yticks(range(n2))
        ax.set_yticklabels(ticks[1], fontsize=7)
        ax.set_xlabel(_cut(labels[0], 60))
        ax.set_ylabel(_cut(labels[1], 40))
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.set_label("M USD, mean over the other axes")
    return fig


# --- tables ---------------------------------------------------------------------------------


def _musd(value: Any) -> str:
    return "-" if value is None or not math.isfinite(float(value)) else f"{value:,.1f}"


def answers_table(frame: pd.DataFrame, codes: dict[str, str]) -> Table:
    rows = []
    for answer, code in codes.items():
        part = frame[frame["answer"] == answer]
        objective = part["objective_musd"]
        rows.append(
            [code, answer, f"{len(part):,}", _musd(objective.min()), _musd(objective.max())]
        )
    return Table(
        ["", "Recommended sites", "Points", "Objective from (M USD)", "to (M USD)"],
        rows,
        [False, False, True, True, True],
        widths=[5, 50, 12, 17, 16],
    )


def axis_table(frame: pd.DataFrame, g: int, ticks: list[str], codes: dict[str, str]) -> Table:
    rows = []
    for i, tick in enumerate(ticks):
        part = frame[frame[f"pos_{g}"] == i]
        ok = part[part["status"] == "ok"]
        answers = Counter(ok["answer"])
        common = ", ".join(f"{codes.get(a, '?')} ({n})" for a, n in answers.most_common(3)) or "-"
        rows.append([
            tick, f"{len(part):,}", f"{len(ok):,}", _musd(ok["objective_musd"].min()),
            _musd(ok["objective_musd"].median()), common,
        ])  # fmt: skip
    return Table(
        ["Value", "Points", "With an allocation", "Lowest (M USD)", "Median (M USD)",
         "Answers (points)"],
        rows,
        [False, True, True, True, True, False],
    )  # fmt: skip


def changes(
    frame: pd.DataFrame, groups: list[list[str]], ticks: list[list[str]], codes: dict[str, str]
) -> list[list[str]]:
    """Neighbours along one axis, all else equal, whose answer differs (sites, or infeasible;
    a failed point is no answer and is listed with the failures)."""
    out = []
    n = len(groups)
    positions = [f"pos_{k}" for k in range(n)]
    answered = frame[frame["status"].isin(["ok", "infeasible"])]
    lookup = {tuple(r[c] for c in positions): r for r in answered.to_dict(orient="records")}
    for g in range(n):
        for key, row in sorted(lookup.items()):
            nxt = key[:g] + (key[g] + 1,) + key[g + 1 :]
            other = lookup.get(nxt)
            if other is None or key[g] < 0 or row["answer"] == other["answer"]:
                continue
            rest = ", ".join(
                f"{' / '.join(groups[k])}={ticks[k][key[k]]}"
                for k in range(n)
                if k != g and len(ticks[k]) > 1  # a single value is the same everywhere
            )
            delta = other["objective_musd"] - row["objective_musd"]
            out.append([
                " / ".join(groups[g]), f"{ticks[g][key[g]]} -> {ticks[g][key[g] + 1]}",
                rest or "-", _answer_text(row, codes), _answer_text(other, codes),
                "-" if not math.isfinite(delta) else f"{delta:+,.1f}",
            ])  # fmt: skip
    return out


def _answer_text(row: dict[str, Any], codes: dict[str, str]) -> str:
    code = codes.get(row["answer"])
    return f"{code}: {row['answer']}" if code else str(row["answer"])


# --- the model and its files ------------------------------------------------------------------


def build_sweep_report(folder: str | Path) -> SweepReport:
    """Read a sweep folder and lay its report out.

    Raises
    ------
    InputError
        Not a sweep folder, or no table yet.
    """
    from planner import __version__
    from planner.sweep.store import SweepStore, read_table

    store = SweepStore(folder)
    manifest = store.read_manifest()
    table = read_table(store.table_path)
    frame = sweep_frame(manifest, table)
    groups = axis_groups(manifest)
    ticks = [tick_labels(manifest, g) for g in groups]
    labels = [group_label(manifest, g) for g in groups]
    codes = answer_codes(frame) if len(frame) else {}
    counts = Counter(frame["status"]) if len(frame) else Counter()
    total = len(manifest["points"])
    summary = [
        f"{len(frame):,} of {total:,} points finished: "
        + ", ".join(
            f"{counts[s]:,} {s}"
            for s in ("ok", "infeasible", "bad-input", "error")
            if counts.get(s)
        )  # fmt: skip
        + "."
    ]
    if codes:
        top = next(iter(codes))
        share = (frame["answer"] == top).sum() / max(int(counts.get("ok", 0)), 1)
        summary.append(
            f"{len(codes)} distinct answer{'s' if len(codes) > 1 else ''}; the most frequent, "
            f"{top}, in {share:.0%} of the points with an allocation."
        )
        best = frame[frame["status"] == "ok"].sort_values("objective_usd").iloc[0]
        summary.append(
            f"Lowest objective: {best['objective_musd']:,.1f} M USD at point {best['id']}"
            f" ({best['sites']})."
        )
    varying = [g for g in range(len(groups)) if len(ticks[g]) > 1]
    axes = [
        AxisSection(
            labels[g],
            axis_chart(frame, g, len(groups), labels[g], ticks[g], codes),
            axis_table(frame, g, ticks[g], codes),
        )
        for g in varying
    ] if len(frame) else []  # fmt: skip
    pairs = list(itertools.combinations(varying, 2))[:MAX_HEATMAPS]
    heatmaps = [
        heat_map(
            frame, a, b, (labels[a], labels[b]), (ticks[a], ticks[b]), codes,
            max_marks=MAX_HEAT_MARKS,
        )
        for a, b in pairs
    ] if len(frame) else []  # fmt: skip
    changed = changes(frame, groups, ticks, codes) if len(frame) else []
    failed_rows = frame[frame["status"].isin(["error", "bad-input"])] if len(frame) else frame
    notes = [
        f"{' / '.join(groups[g])} = {ticks[g][0]} at every point."
        for g in range(len(groups))
        if len(ticks[g]) == 1
    ]
    if manifest.get("analysis") == "fast":
        notes.append(
            "Points ran without the recommendation's explanation (alternatives, switching "
            "values), Monte Carlo draws, Pareto front or tornado (the sweep's default; "
            "--full-analysis keeps them)."
        )
    return SweepReport(
        title="Sweep report",
        scenario_name=str(manifest.get("scenario_name") or ""),
        sweep_file=str(manifest.get("sweep_file", "")),
        base=str(manifest.get("base", "")),
        mode=str(manifest.get("mode", "")),
        version=str(manifest.get("planner_version") or __version__),
        created=str(manifest.get("created", "")),
        points=total,
        counts=dict(counts),
        analysis=str(manifest.get("analysis", "")),
        summary=summary,
        answers=answers_table(frame, codes),
        axes=axes,
        heatmaps=heatmaps,
        changes=Table(
            [
                "Axis",
                "From -> to",
                "Other axes",
                "Answer before",
                "Answer after",
                "Objective change (M USD)",
            ],
            changed[:MAX_CHANGES],
            [False, False, False, False, False, True],
        )
        if changed
        else None,  # fmt: skip
        changes_more=max(0, len(changed) - MAX_CHANGES),
        failed=Table(
            ["Point", "Status", "Message"],
            [
                [r["id"], r["status"], r["message"]]
                for r in failed_rows.head(MAX_FAILED).to_dict(orient="records")
            ],
            [False, False, False],
            widths=[14, 10, 76],
        )
        if len(failed_rows)
        else None,  # fmt: skip
        failed_more=max(0, len(failed_rows) - MAX_FAILED),
        notes=notes,
    )


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from planner.report.html import TEMPLATE_DIR

    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_sweep_html(model: SweepReport, *, pdf: bool = False) -> str:
    """The report as HTML; ``pdf=True`` gives the variant the PDF writer lays out."""
    from markupsafe import Markup, escape

    from planner import charts
    from planner.report.html import PDF_DPI, render_table, unique_svg_ids

    counter = itertools.count(1)

    def chart(fig: Figure | None, width_cm: float = 16.0) -> Markup:
        if fig is None:
            return Markup("")
        title = escape(fig.axes[0].get_title(loc="left") or fig.axes[0].get_title()
                       if fig.axes else "chart")  # fmt: skip
        if pdf:
            png = charts.figure_png(fig, dpi=PDF_DPI)
            data = base64.b64encode(png).decode("ascii")
            return Markup(
                f'<img src="data:image/png;base64,{data}" alt="{title}" '
                f'style="width: {width_cm:.1f}cm;" />'
            )
        svg = unique_svg_ids(charts.figure_svg(fig), f"s{next(counter)}-")
        return Markup(f'<figure aria-label="{title}">{svg}</figure>')

    fonts: tuple = ()
    font_stack = ""
    if pdf:
        from planner.report.fonts import FONT_STACK, pdf_font_faces

        fonts, font_stack = pdf_font_faces(), FONT_STACK
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            m=model, pdf=pdf, chart=chart, table=render_table, fonts=fonts, font_stack=font_stack
        )
    )


def write_sweep_report(folder: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write the sweep's report: ``out`` (.html or .pdf), or both beside the table.

    Returns the files written (each atomically).
    """
    from planner.outputs import write_bytes, write_text
    from planner.sweep.store import REPORT

    folder = Path(folder)
    model = build_sweep_report(folder)
    targets = [Path(out)] if out is not None else [
        folder / f"{REPORT}.html", folder / f"{REPORT}.pdf"
    ]  # fmt: skip
    written = []
    for target in targets:
        if target.suffix.lower() == ".pdf":
            written.append(write_bytes(target, _pdf_bytes(model)))
        else:
            written.append(write_text(target, render_sweep_html(model)))
    return written


def _pdf_bytes(model: SweepReport) -> bytes:
    """The PDF through the report package's path (xhtml2pdf, embedded fonts, no remote reads)."""
    from planner.report.pdf import pdf_from_html

    return pdf_from_html(render_sweep_html(model, pdf=True))
