"""Every chart of the planner, drawn once with matplotlib for the reports and the GUI.

Each function takes plain data (DataFrames, arrays) and returns a :class:`matplotlib.figure.Figure`.
No pyplot (no global figure registry) and no Qt: the GUI passes the ``Figure`` of its own canvas
as ``fig`` and the function clears and redraws it; the report writers let the function make a new
one and turn it into PNG or SVG with :func:`figure_png` / :func:`figure_svg`.

All charts share one style (:data:`STYLE`, :data:`PALETTE`): a title, axes labelled with units,
a legend or colour bar whenever colour carries meaning.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from functools import cache, wraps
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

PALETTE = {
    "primary": "#1f5f8b",
    "secondary": "#e07b39",
    "good": "#2e8b57",
    "bad": "#b23a48",
    "neutral": "#8a8f98",
    "land": "#eceae4",
    "border": "#b5b1a8",
    "water": "#f4f8fb",
    "grid": "#dde1e6",
}
"""Named colours shared by every chart."""

# Cost components in stacking order, with a label and a colour each (colour-blind safe set).
COST_PARTS = [
    ("cost_gpus_usd", "GPUs", "#1f5f8b"),
    ("cost_shell_usd", "Shell", "#7fa7c9"),
    ("cost_electrical_usd", "Electrical", "#e07b39"),
    ("cost_mechanical_usd", "Mechanical", "#f2b880"),
    ("cost_land_usd", "Land", "#8c6d46"),
    ("cost_grid_usd", "Grid connection", "#c9b28f"),
    ("cost_energy_usd", "Energy", "#2e8b57"),
    ("cost_opex_usd", "Other opex", "#9ccfa9"),
    ("cost_idle_usd", "Idle GPUs (waiting for power)", "#b23a48"),
    ("cost_carbon_usd", "Carbon price", "#5e4b8b"),
]

CRITERIA = [
    ("contrib_cost", "Cost", "#1f5f8b"),
    ("contrib_carbon", "Carbon", "#2e8b57"),
    ("contrib_water", "Water", "#4fa3c7"),
    ("contrib_latency", "Latency", "#e07b39"),
    ("contrib_risk", "Risk", "#b23a48"),
    ("contrib_time_to_power", "Time to power", "#8c6d46"),
]

STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": PALETTE["grid"],
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
    # Site names are typed by users in any script: Droid Sans Fallback (shipped, see
    # resources/fonts) draws the CJK characters DejaVu Sans lacks.
    "font.family": ["DejaVu Sans", "Droid Sans Fallback"],
}
"""matplotlib rc settings applied while a chart is built."""

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

F = TypeVar("F", bound=Callable[..., Figure])


def _styled(func: F) -> F:
    """Build the chart inside the shared style (rc settings are read when artists are made)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        register_fallback_font()
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@cache
def register_fallback_font() -> None:
    """Make the shipped CJK font known to matplotlib (once; a missing file only loses CJK)."""
    from matplotlib import font_manager

    from planner.paths import cjk_font_file

    path = cjk_font_file()
    if path.is_file():
        font_manager.fontManager.addfont(str(path))
        # The font has one weight; bold titles use it as it is. Say nothing about that.
        logging.getLogger("matplotlib.font_manager").addFilter(
            lambda record: "Failed to find font weight" not in record.getMessage()
        )


def _figure(fig: Figure | None, size_in: tuple[float, float]) -> Figure:
    """A fresh figure, or the caller's (the GUI's canvas figure) cleared for redrawing."""
    if fig is None:
        return Figure(figsize=size_in, layout="constrained")
    fig.clear()
    fig.set_layout_engine("constrained")
    return fig


def _empty(fig: Figure, title: str, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=PALETTE["neutral"],
    )
    ax.set_axis_off()
    return fig


# --- output ------------------------------------------------------------------------------


def figure_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure (150 dpi prints sharply at the report's sizes)."""
    buffer = io.BytesIO()
    # "tight" keeps titles that a fixed-aspect map pushes past the figure's edge.
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    return buffer.getvalue()


def figure_svg(fig: Figure) -> str:
    """SVG text of a figure, without the XML prolog, ready to inline in HTML."""
    buffer = io.StringIO()
    # Text as <text> elements, not glyph outlines: selectable, and a fifth of the size.
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", facecolor="white", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def _musd(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float) / 1e6


def _wrap(label: str, width: int = 18) -> str:
    """Break a long site name onto two lines at a space near the middle."""
    if len(label) <= width or " " not in label:
        return label
    cut = label.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else label.find(" ")
    return label[:cut] + "\n" + label[cut + 1 :]


# --- map ---------------------------------------------------------------------------------


@_styled
def site_map(
    sites: pd.DataFrame,
    basemap: Any | None = None,
    *,
    chosen: Sequence[str] = (),
    title: str = "Candidate sites by weighted score",
    label_top: int = 5,
    fig: Figure | None = None,
) -> Figure:
    """Candidate sites coloured by weighted score over country outlines; recommended sites starred.

    The view frames the sites that pass the constraints and the recommended ones; recommended
    sites are named with leader lines, the ``label_top`` highest-scoring others are numbered
    with a key below the map. Legends sit outside the map, so they never cover a site.

    Parameters
    ----------
    sites : DataFrame
        Index ``site_id``; columns ``lat``, ``lon`` [degrees], ``score`` (0-1), ``feasible``
        (bool), optional ``name`` and ``rank`` (weighted-score rank).
    basemap : GeoDataFrame or None
        Country polygons in EPSG:4326; drawn in the background when given.
    chosen : site ids that receive GPUs in the recommended allocation.
    """
    lon = sites["lon"].to_numpy(dtype=float)
    lat = sites["lat"].to_numpy(dtype=float)
    if len(sites) == 0:
        return _empty(_figure(fig, (7.2, 4.2)), title, "No candidate sites")
    feasible = (
        sites["feasible"].astype(bool).to_numpy()
        if "feasible" in sites
        else np.ones(len(sites), bool)
    )
    is_chosen = sites.index.isin(list(chosen))
    # Frame the sites that can be chosen and those that are: an EU-only scenario gets a map of
    # Europe, with the excluded sites elsewhere counted in a note rather than shrinking Europe.
    focus = feasible | is_chosen
    focus = focus if focus.any() else np.ones(len(sites), bool)
    x0, x1, y0, y1 = _extent(lon[focus], lat[focus])
    aspect = 1.0 / max(np.cos(np.radians((y0 + y1) / 2)), 0.2)
    # Landscape at least 1.6:1, so the map fits on a page beside the summary.
    min_width = (y1 - y0) * aspect * 1.6
    if x1 - x0 < min_width:
        cx = (x0 + x1) / 2
        x0, x1 = max(cx - min_width / 2, -180.0), min(cx + min_width / 2, 180.0)
    outside = int((~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))).sum())
    # A new figure gets the map's own aspect ratio, so no blank band above or below it.
    ratio = (y1 - y0) * aspect / (x1 - x0)
    fig = _figure(fig, (7.2, float(np.clip(5.6 * ratio + 1.4, 2.8, 7.4))))
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_facecolor(PALETTE["water"])
    if basemap is not None and len(basemap):
        polygons = _polygons(basemap, (x0, x1, y0, y1))
        ax.add_collection(
            PolyCollection(
                polygons,
                facecolors=PALETTE["land"],
                edgecolors=PALETTE["border"],
                linewidths=0.4,
                zorder=1,
            )
        )
    score = (
        sites["score"].to_numpy(dtype=float) if "score" in sites else np.full(len(sites), np.nan)
    )
    cmap = mpl.colormaps["viridis"]
    points = ax.scatter(
        lon[feasible],
        lat[feasible],
        c=score[feasible],
        cmap=cmap,
        vmin=0,
        vmax=1,
        s=42,
        edgecolors="white",
        linewidths=0.6,
        zorder=3,
    )
    if (~feasible).any():
        ax.scatter(
            lon[~feasible],
            lat[~feasible],
            marker="x",
            s=30,
            color=PALETTE["bad"],
            linewidths=1.2,
            zorder=3,
        )
    if is_chosen.any():
        ax.scatter(
            lon[is_chosen],
            lat[is_chosen],
            marker="*",
            s=260,
            color=PALETTE["secondary"],
            edgecolors="black",
            linewidths=0.7,
            zorder=5,
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)  # equirectangular, true shape at mid-latitude
    if outside:
        # Above the map's frame, right-aligned: a note inside the frame could cover a site.
        ax.text(
            1.0,
            1.01,
            f"{outside} excluded site{'s' if outside > 1 else ''} outside this view",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="0.35",
        )
    key = _label_sites(ax, sites, lon, lat, is_chosen, label_top)
    ax.set_xlabel("Longitude [°]")
    ax.set_ylabel("Latitude [°]")
    ax.grid(False)
    fig.colorbar(points, ax=ax, label="Weighted score (0-1, higher is better)", shrink=0.8)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=cmap(0.8),
            markeredgecolor="white",
            label="Passes the constraints",
        )
    ]
    if (~feasible).any():
        handles.append(
            Line2D([], [], marker="x", ls="", color=PALETTE["bad"], label="Fails a constraint")
        )
    if is_chosen.any():
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                ls="",
                markersize=13,
                color=PALETTE["secondary"],
                markeredgecolor="black",
                markeredgewidth=0.7,
                label="Recommended (named)",
            )
        )
    # The numbered sites' names follow the symbols, all in one key below the map (outside the
    # frame, so no site is ever covered).
    handles += [
        Line2D([], [], ls="", marker=f"${label}$", color="black", markersize=5 + 3 * len(label))
        for label, _ in key
    ]
    labels = [h.get_label() for h in handles[: len(handles) - len(key)]] + [n for _, n in key]
    fig.legend(
        handles=handles,
        labels=labels,
        loc="outside lower center",
        ncol=3,
        frameon=False,
        fontsize=7,
        handletextpad=0.4,
        columnspacing=1.2,
    )
    return fig


# Label offsets tried in turn [points]: right-up, right-down, left-up, left-down, up, down.
_LABEL_OFFSETS = ((5, 3), (5, -11), (-5, 3), (-5, -11), (0, 8), (0, -16))
# Leader-line label offsets [points], tried nearest first in eight directions.
_LEADER_OFFSETS = tuple(
    (round(r * np.cos(a)), round(r * np.sin(a)))
    for r in (26, 40, 56, 74)
    for a in np.radians((35, -35, 145, -145, 0, 180, 90, -90))
)


def _overlaps(box: tuple[float, float, float, float], others) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in others)


def _label_sites(
    ax: Any,
    sites: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    is_chosen: np.ndarray,
    label_top: int,
) -> list[tuple[str, str]]:
    """Name the recommended sites with leader lines; number ``label_top`` high scorers.

    Each label takes the first offset whose box (estimated from the font size) overlaps no
    label already placed, stays inside the frame and covers as few sites as possible.
    Returns the key of the numbered sites: (number, name).
    """
    if "rank" in sites:
        rank = pd.to_numeric(sites["rank"], errors="coerce").to_numpy(dtype=float)
    else:
        rank = np.full(len(sites), np.nan)
    numbered = (rank <= label_top) & ~is_chosen if label_top else np.zeros(len(sites), bool)
    if not numbered.any() and not is_chosen.any():
        return []
    names = sites["name"] if "name" in sites else pd.Series(sites.index, index=sites.index)
    ax.apply_aspect()  # final data-to-display transform before measuring
    scale = ax.figure.dpi / 72.0
    frame = ax.get_window_extent()
    xy = ax.transData.transform(np.column_stack([lon, lat]))
    inside = (
        (xy[:, 0] >= frame.x0)
        & (xy[:, 0] <= frame.x1)
        & (xy[:, 1] >= frame.y0)
        & (xy[:, 1] <= frame.y1)
    )
    placed: list[tuple[float, float, float, float]] = []

    def covered(box: tuple[float, float, float, float]) -> int:
        pad = 5 * scale
        px, py = xy[inside, 0], xy[inside, 1]
        return int(
            (
                (px > box[0] - pad)
                & (px < box[2] + pad)
                & (py > box[1] - pad)
                & (py < box[3] + pad)
            ).sum()
        )

    def box_at(px: float, py: float, dx: float, dy: float, w: float, h: float):
        x = px + dx * scale - (w if dx < 0 else w / 2 if dx == 0 else 0)
        y = py + dy * scale - h / 2
        return (x, y, x + w, y + h)

    # Recommended sites first (most GPUs first is the caller's order), named, leader lines.
    for i in np.flatnonzero(is_chosen & inside):
        text = _wrap(str(names.iloc[i]), 28)
        lines = text.split("\n")
        w = (5.0 * max(len(line) for line in lines) + 6) * scale  # 8 pt bold, with padding
        h = (11 * len(lines) + 3) * scale
        best, best_cost = None, np.inf
        for dx, dy in _LEADER_OFFSETS:
            box = box_at(xy[i, 0], xy[i, 1], dx, dy, w, h)
            out = box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1
            cost = 1000 * _overlaps(box, placed) + 500 * out + 10 * covered(box) + np.hypot(dx, dy)
            if cost < best_cost:
                best, best_cost = (dx, dy, box), cost
        dx, dy, box = best
        placed.append(box)
        ax.annotate(
            text,
            (lon[i], lat[i]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "center" if dx == 0 else "left",
            va="center",
            fontsize=8,
            fontweight="bold",
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.2",
                "fc": "white",
                "ec": PALETTE["secondary"],
                "lw": 0.8,
                "alpha": 0.92,
            },
            arrowprops={"arrowstyle": "-", "color": "0.15", "lw": 0.8, "shrinkA": 0, "shrinkB": 6},
        )
    key: list[tuple[str, str]] = []
    order = np.argsort(np.where(np.isnan(rank), np.inf, rank), kind="stable")
    for i in order:
        if not numbered[i]:
            continue
        label = f"{int(rank[i])}"
        w, h = (4.3 * len(label) + 3) * scale, 10 * scale  # 7 pt digits, with the box padding
        for dx, dy in _LABEL_OFFSETS:
            x = xy[i, 0] + dx * scale - (w if dx < 0 else w / 2 if dx == 0 else 0)
            y = xy[i, 1] + dy * scale
            box = (x, y, x + w, y + h)
            if not _overlaps(box, placed):
                break
        placed.append(box)
        ax.annotate(
            label,
            (lon[i], lat[i]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "center" if dx == 0 else "left",
            fontsize=7,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
        key.append((label, f"{names.iloc[i]}"))
    return key


def _stacked_barh(
    ax: Any, y: np.ndarray, parts: Sequence[tuple[np.ndarray, str, str]], *, height: float
) -> None:
    """Horizontal bars stacked left to right: one (values, label, colour) per segment."""
    left = np.zeros(len(y))
    for values, label, colour in parts:
        ax.barh(
            y,
            values,
            left=left,
            color=colour,
            label=label,
            height=height,
            edgecolor="white",
            linewidth=0.4,
        )
        left = left + values


def _extent(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """Bounding box of the sites with a margin, at least 30 x 20 degrees, inside the globe."""
    x0, x1, y0, y1 = np.nanmin(lon), np.nanmax(lon), np.nanmin(lat), np.nanmax(lat)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max((x1 - x0) * 1.15 + 8, 30.0)
    h = max((y1 - y0) * 1.2 + 8, 20.0)
    x0, x1 = max(cx - w / 2, -180.0), min(cx + w / 2, 180.0)
    y0, y1 = max(cy - h / 2, -85.0), min(cy + h / 2, 85.0)
    return float(x0), float(x1), float(y0), float(y1)


def _polygons(basemap: Any, bbox: tuple[float, float, float, float]) -> list[np.ndarray]:
    """Exterior rings of the country polygons touching the box, as (n, 2) lon/lat arrays."""
    import shapely

    x0, x1, y0, y1 = bbox
    geoms = np.asarray(basemap.geometry.values)
    geoms = geoms[shapely.intersects(geoms, shapely.box(x0 - 5, y0 - 5, x1 + 5, y1 + 5))]
    parts = shapely.get_parts(geoms)
    rings = shapely.get_exterior_ring(parts[shapely.get_type_id(parts) == 3])  # 3 = Polygon
    return [shapely.get_coordinates(r) for r in rings]


# --- site charts -------------------------------------------------------------------------


@_styled
def cost_breakdown(
    metrics: pd.DataFrame,
    site_ids: Sequence[str] | None = None,
    *,
    title: str = "Cost breakdown (net present, whole fleet)",
    fig: Figure | None = None,
) -> Figure:
    """Stacked horizontal bars of the cost components of one or more sites [USD million].

    ``metrics`` has the ``cost_<part>_usd`` columns of ``docs/nomenclature.md`` and ``name``.
    """
    site_ids = list(metrics.index if site_ids is None else site_ids)
    fig = _figure(fig, (7.2, 1.9 + 0.42 * len(site_ids)))
    if not site_ids:
        return _empty(fig, title, "No sites")
    ax = fig.add_subplot()
    ax.set_title(title)
    rows = metrics.loc[site_ids]
    if len(site_ids) == 1:
        return _cost_components(fig, ax, rows.iloc[0])
    labels = [_wrap(str(n)) for n in (rows["name"] if "name" in rows else rows.index)]
    y = np.arange(len(site_ids))[::-1]
    parts = [
        (_musd(rows[column].fillna(0.0)), label, colour)
        for column, label, colour in COST_PARTS
        if column in rows
    ]
    _stacked_barh(ax, y, [p for p in parts if np.any(p[0] > 0)], height=0.62)
    ax.set_yticks(y, labels)
    ax.set_xlabel("Net present cost over the horizon [USD million]")
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncol=5, fontsize=7)
    return fig


def _cost_components(fig: Figure, ax: Any, row: pd.Series) -> Figure:
    """One site: one labelled bar per cost component, largest first, with its share of TCO."""
    parts = [
        (label, float(row[c]) / 1e6, colour)
        for c, label, colour in COST_PARTS
        if c in row and np.isfinite(row[c]) and row[c] > 0
    ]
    parts.sort(key=lambda p: p[1])
    total = sum(p[1] for p in parts) or 1.0
    fig.set_size_inches(7.2, 0.9 + 0.24 * len(parts))
    y = np.arange(len(parts))
    ax.barh(y, [p[1] for p in parts], color=[p[2] for p in parts], height=0.65)
    for yi, (_, value, _) in zip(y, parts, strict=False):
        ax.annotate(
            f"{value:,.0f}  ({value / total:.0%})",
            (value, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(y, [p[0] for p in parts])
    ax.set_xlim(0, max(p[1] for p in parts) * 1.22 if parts else 1)
    ax.set_xlabel(f"Net present cost over the horizon [USD million]; total {total:,.0f}")
    ax.grid(axis="y", visible=False)
    return fig


@_styled
def monthly_pue_wue(
    monthly: pd.DataFrame,
    site_id: str,
    *,
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Monthly PUE (line, left axis) and WUE (bars, right axis [L/kWh]) of one site.

    ``monthly`` is the long table of :class:`planner.results.Evaluation`: ``site_id, month,
    pue, wue_l_per_kwh``.
    """
    fig = _figure(fig, (7.2, 2.6))
    title = title or "Monthly PUE and WUE"
    rows = monthly[monthly["site_id"] == site_id].sort_values("month")
    if rows.empty:
        return _empty(fig, title, "No monthly data for this site")
    ax = fig.add_subplot()
    ax.set_title(title)
    months = rows["month"].to_numpy(dtype=int)
    wue_ax = ax.twinx()
    wue_ax.spines["right"].set_visible(True)
    bars = wue_ax.bar(
        months,
        rows["wue_l_per_kwh"],
        color=PALETTE["primary"],
        alpha=0.28,
        width=0.7,
        label="WUE [L/kWh IT] (right axis)",
    )
    wue_ax.set_ylabel("WUE [L per kWh of IT energy]")
    wue_ax.grid(False)
    wue_ax.set_ylim(0, max(float(rows["wue_l_per_kwh"].max()) * 1.25, 0.1))
    (line,) = ax.plot(
        months, rows["pue"], color=PALETTE["secondary"], marker="o", lw=2, label="PUE (left axis)"
    )
    ax.set_zorder(wue_ax.get_zorder() + 1)
    ax.patch.set_visible(False)  # the line axis on top, the bars visible through it
    lo, hi = float(rows["pue"].min()), float(rows["pue"].max())
    ax.set_ylim(max(1.0, lo - 0.05), hi + max(0.03, (hi - lo) * 0.35))
    ax.set_ylabel("PUE [facility / IT energy]")
    ax.set_xticks(range(1, 13), MONTHS)
    ax.set_xlim(0.4, 12.6)
    ax.legend(handles=[line, bars], loc="upper left", ncol=2)
    return fig


@_styled
def pue_heatmap(
    hourly_pue: np.ndarray,
    *,
    start_year: int = 2026,
    title: str = "Hourly PUE (mean by month and hour of day)",
    fig: Figure | None = None,
) -> Figure:
    """Month x hour-of-day heat map of a site's 8,760 hourly PUE values."""
    fig = _figure(fig, (7.2, 3.0))
    ax = fig.add_subplot()
    ax.set_title(title)
    grid = _month_hour_means(np.asarray(hourly_pue, dtype=float), start_year)
    _month_hour_image(fig, ax, grid, "magma_r", "PUE [-]")
    return fig


def _month_hour_means(values: np.ndarray, start_year: int = 2026) -> np.ndarray:
    """Mean of an hourly year per (month, hour of day) cell, shape (12, 24)."""
    month = _month_of_hour(len(values), start_year)
    # Mean per cell with bincount: vectorised, no loop over 288 cells.
    cell = (month - 1) * 24 + np.arange(len(values)) % 24
    total = np.bincount(cell, weights=values, minlength=288)
    return (total / np.maximum(np.bincount(cell, minlength=288), 1)).reshape(12, 24)


def _month_hour_image(
    fig: Figure, ax: Any, grid: np.ndarray, cmap: str, label: str, **limits: float
) -> None:
    """A (12, 24) grid drawn months down, hours across, with its colour bar."""
    image = ax.imshow(
        grid, aspect="auto", cmap=cmap, origin="upper", extent=(-0.5, 23.5, 12.5, 0.5), **limits
    )
    ax.set_yticks(range(1, 13), MONTHS)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlabel("Hour of day [local standard time]")
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, label=label)
    # Plain tick labels: a nearly flat year (PUE 1.080 ± 0.0003) read "+1.08" and "-0.0002".
    bar.formatter.set_useOffset(False)
    bar.update_ticks()


@_styled
def cfe_heatmap(
    hourly_cfe_share: np.ndarray,
    *,
    title: str = "Hourly carbon-free share (mean by month and hour of day)",
    fig: Figure | None = None,
) -> Figure:
    """Month x hour-of-day heat map of the hourly carbon-free share of a site's load [0-1]."""
    fig = _figure(fig, (7.2, 3.0))
    ax = fig.add_subplot()
    ax.set_title(title)
    grid = _month_hour_means(100.0 * np.asarray(hourly_cfe_share, dtype=float))
    _month_hour_image(fig, ax, grid, "YlGn", "Carbon-free [%]", vmin=0.0, vmax=100.0)
    return fig


@_styled
def cfe_duration_curve(
    hourly_cfe_share: np.ndarray,
    grid_cfe_share: np.ndarray,
    *,
    target: float | None = None,
    title: str = "Duration curve of the hourly carbon-free share",
    fig: Figure | None = None,
) -> Figure:
    """Hourly carbon-free share sorted from highest to lowest: with the portfolio, grid alone.

    The areas under the curves (divided by the hours) are the CFE scores when the load is
    flat; the target is drawn as a reference line, not a per-hour requirement.
    """
    fig = _figure(fig, (7.2, 3.0))
    ax = fig.add_subplot()
    ax.set_title(title)
    with_portfolio = np.sort(100.0 * np.asarray(hourly_cfe_share, dtype=float))[::-1]
    grid = np.sort(100.0 * np.asarray(grid_cfe_share, dtype=float))[::-1]
    hours = np.arange(1, len(with_portfolio) + 1)
    ax.plot(hours, with_portfolio, color=PALETTE["good"], label="with the PPA portfolio")
    ax.plot(hours, grid, color=PALETTE["neutral"], linestyle="--", label="grid alone")
    if target is not None:
        ax.axhline(100.0 * target, color=PALETTE["secondary"], linewidth=1.0, linestyle=":")
        ax.annotate(
            f"target score {100.0 * target:.0f} %",
            (len(hours), 100.0 * target),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize="small",
            color=PALETTE["secondary"],
        )
    ax.set_xlim(0, len(hours))
    ax.set_ylim(0, 105)
    ax.set_xlabel("Hours of the year at or above the share")
    ax.set_ylabel("Carbon-free [%]")
    ax.legend(loc="lower left", fontsize="small")
    return fig


def _month_of_hour(n_hours: int, start_year: int) -> np.ndarray:
    """Month (1-12) of each hour of a typical 8,760-hour year (no 29 February)."""
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    month = np.repeat(np.arange(1, 13), days * 24)
    return np.resize(month, n_hours)


# --- ranking and analysis charts ---------------------------------------------------------


@_styled
def score_contributions(
    ranking: pd.DataFrame,
    names: pd.Series | None = None,
    *,
    top: int = 12,
    title: str = "Weighted score by criterion",
    fig: Figure | None = None,
) -> Figure:
    """Stacked bars: each criterion's weighted contribution to the highest scores."""
    ranked = ranking.sort_values("rank").head(top) if "rank" in ranking else ranking.head(top)
    fig = _figure(fig, (7.2, 1.2 + 0.3 * len(ranked)))
    if ranked.empty:
        return _empty(fig, title, "No ranking")
    ax = fig.add_subplot()
    ax.set_title(title)
    labels = [str(names.get(s, s)) if names is not None else str(s) for s in ranked.index]
    y = np.arange(len(ranked))[::-1]
    parts = [
        (ranked[column].fillna(0.0).to_numpy(dtype=float), label, colour)
        for column, label, colour in CRITERIA
        if column in ranked
    ]
    _stacked_barh(ax, y, parts, height=0.65)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Weighted score contribution (0-1, higher is better)")
    ax.grid(axis="y", visible=False)
    # Below the bars: inside the axes it covers the lowest sites.
    fig.legend(loc="outside lower center", ncol=6, fontsize=7)
    return fig


@_styled
def rank_probability(
    uncertainty: pd.DataFrame,
    names: pd.Series | None = None,
    *,
    top_k: int = 3,
    show: int = 10,
    title: str = "How often each site ranks first (Monte Carlo)",
    fig: Figure | None = None,
) -> Figure:
    """Horizontal bars of P(rank 1) and P(rank <= k) per site [%], sites ordered by P(top k)."""
    if uncertainty is None or uncertainty.empty:
        return _empty(_figure(fig, (7.2, 2.0)), title, "No Monte Carlo draws")
    rows = uncertainty.sort_values(["p_first", "p_top_k"], ascending=False).head(show)
    # Sites never in the top k add empty bars; keep them out (at least one row stays).
    rows = rows[(rows["p_top_k"] > 0) | (np.arange(len(rows)) == 0)]
    fig = _figure(fig, (7.2, 1.3 + 0.28 * len(rows)))
    ax = fig.add_subplot()
    ax.set_title(title)
    labels = [str(names.get(s, s)) if names is not None else str(s) for s in rows.index]
    y = np.arange(len(rows))[::-1]
    ax.barh(
        y + 0.18,
        rows["p_top_k"] * 100,
        height=0.36,
        color=PALETTE["primary"],
        alpha=0.45,
        label=f"In top {top_k}",
    )
    ax.barh(y - 0.18, rows["p_first"] * 100, height=0.36, color=PALETTE["primary"], label="First")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of draws [%]")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return fig


@_styled
def pareto_front(
    pareto: pd.DataFrame,
    *,
    chosen_cost_usd: float | None = None,
    chosen_co2_t: float | None = None,
    title: str = "Cost / carbon trade-off (Pareto front)",
    fig: Figure | None = None,
) -> Figure:
    """Cost [USD million] against CO2 [kt over the horizon] of the Pareto points.

    ``pareto`` has ``cost_usd`` and ``co2_t`` per point; the recommended allocation is marked
    when its cost and CO2 are given.
    """
    fig = _figure(fig, (7.2, 3.4))
    if pareto is None or pareto.empty:
        return _empty(fig, title, "Pareto front not computed")
    ax = fig.add_subplot()
    ax.set_title(title)
    rows = pareto.sort_values("co2_t")
    ax.plot(
        rows["co2_t"] / 1e3,
        _musd(rows["cost_usd"]),
        color=PALETTE["primary"],
        marker="o",
        lw=1.6,
        label="Lowest cost for each carbon limit",
    )
    if chosen_cost_usd is not None and chosen_co2_t is not None:
        ax.scatter(
            [chosen_co2_t / 1e3],
            [chosen_cost_usd / 1e6],
            s=110,
            marker="*",
            color=PALETTE["secondary"],
            zorder=4,
            label="Recommended allocation",
        )
    ax.set_xlabel("CO2, market-based [kt over the horizon]")
    ax.set_ylabel("Total cost [USD million]")
    ax.legend(loc="upper right")
    return fig


@_styled
def tornado(
    sensitivity: pd.DataFrame,
    *,
    unit: str = "USD per delivered GPU-hour",
    title: str = "Sensitivity of cost per GPU-hour (one at a time)",
    recommended: Sequence[str] | str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Tornado chart: result at each input's low and high value around the base case.

    ``sensitivity`` has ``parameter, low, high, base`` (results in ``unit``); the widest swing
    is drawn on top. Each label says how far the input moved: from ``low_input, high_input``
    (text such as ``-19 %`` or ``+6 months``) when present, else from ``low_factor,
    high_factor`` (multipliers), e.g. ``electricity price (-23 % / +29 %)``; ``label`` is used
    for the name when present. With ``sites_low, sites_high`` (the sites recommended when the
    input is at that end), a bar end whose sites differ from ``recommended`` (default: the
    most frequent value) is marked with the sites it leads to.
    """
    n_rows = 0 if sensitivity is None else len(sensitivity)
    two_line = sensitivity is not None and (
        {"low_factor", "high_factor"} <= set(sensitivity)
        or {"low_input", "high_input"} <= set(sensitivity)
    )
    fig = _figure(fig, (7.2, 1.6 + (0.48 if two_line else 0.36) * n_rows))
    if sensitivity is None or sensitivity.empty:
        return _empty(fig, title, "Sensitivity not computed")
    rows = sensitivity.assign(_swing=(sensitivity["high"] - sensitivity["low"]).abs())
    rows = rows.sort_values("_swing", kind="stable")
    ax = fig.add_subplot()
    ax.set_title(title)
    base = float(rows["base"].iloc[0])
    y = np.arange(len(rows))
    low = rows["low"].to_numpy(dtype=float) - base
    high = rows["high"].to_numpy(dtype=float) - base
    ax.barh(y, low, left=base, color=PALETTE["good"], height=0.6, label="Input at its low value")
    ax.barh(y, high, left=base, color=PALETTE["bad"], height=0.6, label="Input at its high value")
    ax.axvline(base, color="black", lw=0.8)
    ax.set_yticks(y, _tornado_labels(rows))
    ax.set_xlabel(f"Result [{unit}] (base case {base:.3g})")
    ax.grid(axis="y", visible=False)
    if {"sites_low", "sites_high"} <= set(rows.columns):
        _mark_site_changes(ax, rows, y, low + base, high + base, recommended)
    fig.legend(loc="outside lower center", ncol=3)
    return fig


def sites_text(value: Any) -> str:
    """Names of a set of sites as one text: a list joined with ", ", text as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence | np.ndarray | pd.Series):
        return ", ".join(str(v) for v in value)
    return "" if pd.isna(value) else str(value)


def _same_sites(text: str, names: str | Sequence[str]) -> bool:
    """Whether ``text`` names the same sites as ``names``, in any order and joined by ", ",
    "; " or "and" (site names may themselves hold commas, so the text is not split)."""
    if isinstance(names, str):
        return text == names
    names = [str(n) for n in names]
    variants = {
        sep.join(order) for order in (names, sorted(names)) for sep in (", ", "; ", " and ")
    }
    if len(names) > 1:
        variants |= {", ".join(o[:-1]) + " and " + o[-1] for o in (names, sorted(names))}
    return text in variants


def _mark_site_changes(
    ax: Any,
    rows: pd.DataFrame,
    y: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    recommended: Sequence[str] | str | None,
) -> None:
    """Write "→ sites" at each bar end where the recommended sites change."""
    base_x = float(rows["base"].iloc[0])
    at_low = [sites_text(v) for v in rows["sites_low"]]
    at_high = [sites_text(v) for v in rows["sites_high"]]
    if recommended is None:
        seen = [s for s in at_low + at_high if s]
        base: str | Sequence[str] = max(set(seen), key=seen.count) if seen else ""
    else:
        base = [recommended] if isinstance(recommended, str) else list(recommended)
    notes: list[tuple[float, float, bool, str]] = []  # x, y, left of the bar, sites
    for yi, lo, hi, s_lo, s_hi in zip(y, low, high, at_low, at_high, strict=True):
        # The end with the smaller result is noted left of the bar, the other right of it.
        left_x, right_x = min(lo, hi, base_x), max(lo, hi, base_x)
        ends = sorted(((lo, s_lo), (hi, s_hi)), key=lambda e: e[0])
        for (_, sites), left in zip(ends, (True, False), strict=True):
            if sites and not _same_sites(sites, base):
                notes.append((left_x if left else right_x, float(yi), left, sites))
    if not notes:
        return
    if max(len(n[3]) for n in notes) > 28:
        # Long names would crowd the chart: a mark at the bar end, the names in the table.
        ax.plot(
            [n[0] for n in notes],
            [n[1] for n in notes],
            ls="",
            marker="D",
            markersize=5,
            color="black",
            label="Other sites recommended at this end",
            zorder=4,
        )
        return
    for x, yi, left, sites in notes:
        ax.annotate(
            f"→ {sites}",
            (x, yi),
            xytext=(-4 if left else 4, 0),
            textcoords="offset points",
            ha="right" if left else "left",
            va="center",
            fontsize=6.5,
            color="0.2",
        )
    # Room for the notes on both sides.
    x0, x1 = ax.get_xlim()
    pad = (x1 - x0) * 0.45
    ax.set_xlim(x0 - pad, x1 + pad)


def _percent_change(factor: float) -> str:
    """A multiplier as a signed change: 0.774 -> "-23 %", 1.039 -> "+3.9 %"."""
    change = (factor - 1.0) * 100.0
    return f"{change:+.0f} %" if abs(change) >= 9.95 else f"{change:+.1f} %"


def _tornado_labels(rows: pd.DataFrame) -> list[str]:
    """Input names, with the low / high values on a second line when the table has them."""
    source = rows["label"] if "label" in rows else rows["parameter"]
    names = [_wrap(str(p), 26) for p in source]
    if {"low_input", "high_input"} <= set(rows.columns):
        return [
            f"{name}\n({lo} / {hi})" if str(lo) and str(hi) else name
            for name, lo, hi in zip(
                names,
                rows["low_input"].fillna("").astype(str),
                rows["high_input"].fillna("").astype(str),
                strict=True,
            )
        ]
    if not {"low_factor", "high_factor"} <= set(rows.columns):
        return names
    low = pd.to_numeric(rows["low_factor"], errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(rows["high_factor"], errors="coerce").to_numpy(dtype=float)
    return [
        f"{name}\n({_percent_change(lo)} / {_percent_change(hi)})"
        if np.isfinite(lo) and np.isfinite(hi)
        else name
        for name, lo, hi in zip(names, low, high, strict=True)
    ]


@_styled
def allocation_robustness(
    p_in_optimum: Any,
    names: Any = None,
    *,
    chosen: Sequence[str] = (),
    show: int = 12,
    title: str = "How often each site is in the optimal allocation (Monte Carlo)",
    fig: Figure | None = None,
) -> Figure:
    """Horizontal bars: share of draws in which each site is in the optimal allocation [%].

    ``p_in_optimum`` maps site id to probability (0-1), as ``recommendation["robustness"]
    ["p_in_optimum"]`` holds it (a dict or Series); ``names`` maps site id to name; ``chosen``
    are the recommended sites, drawn in the accent colour and always shown. At most ``show``
    sites, most frequent first.
    """
    p = pd.Series(dict(p_in_optimum) if p_in_optimum is not None else {}, dtype=float)
    p = p[p.notna()]
    for site in chosen:
        if site not in p.index:
            p[site] = 0.0
    if p.empty:
        return _empty(_figure(fig, (7.2, 2.0)), title, "Robustness not computed")
    recommended = set(chosen)
    order = sorted(p.index, key=lambda s: (-p[s], s not in recommended, str(s)))
    keep = [s for s in order if p[s] > 0 or s in recommended][:show]
    keep = keep or order[:1]
    fig = _figure(fig, (7.2, 1.25 + 0.3 * len(keep)))
    ax = fig.add_subplot()
    ax.set_title(title)
    lookup = dict(names) if names is not None else {}
    labels = [_wrap(str(lookup.get(s, s)), 30) for s in keep]
    values = np.array([p[s] for s in keep]) * 100
    y = np.arange(len(keep))[::-1]
    colours = [PALETTE["secondary"] if s in recommended else PALETTE["primary"] for s in keep]
    ax.barh(y, values, color=colours, height=0.62)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(
            f"{v:.0f} %",
            (v, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 108)
    ax.set_xlabel("Share of draws with the site in the optimal allocation [%]")
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=PALETTE["secondary"], label="Recommended site")]
    if any(s not in recommended for s in keep):
        handles.append(Patch(color=PALETTE["primary"], label="Other site"))
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    return fig


@_styled
def comparison_bars(
    metrics: pd.DataFrame,
    site_ids: Sequence[str],
    columns: Sequence[tuple[str, str]],
    *,
    title: str = "Top sites compared",
    fig: Figure | None = None,
) -> Figure:
    """Small multiples: one bar panel per metric, one bar per site. ``columns`` is (name, label)."""
    columns = [c for c in columns if c[0] in metrics]
    fig = _figure(fig, (7.2, 1.0 + 1.3 * ((len(columns) + 2) // 3)))
    if not columns or not site_ids:
        return _empty(fig, title, "Nothing to compare")
    fig.suptitle(title, x=0.02, ha="left", fontweight="bold", fontsize=10.5)
    rows = metrics.loc[list(site_ids)]
    colours = [mpl.colormaps["tab10"](i % 10) for i in range(len(site_ids))]
    axes = fig.subplots((len(columns) + 2) // 3, 3, squeeze=False).ravel()
    for ax, (column, label) in zip(axes, columns, strict=False):
        ax.bar(range(len(site_ids)), rows[column].to_numpy(dtype=float), color=colours)
        ax.set_title(label, fontsize=8, fontweight="normal")
        ax.set_xticks([])
        ax.grid(axis="x", visible=False)
    for ax in axes[len(columns) :]:
        ax.set_axis_off()
    names = rows["name"] if "name" in rows else pd.Series(site_ids, index=site_ids)
    fig.legend(
        handles=[Patch(color=c, label=str(n)) for c, n in zip(colours, names, strict=False)],
        loc="outside lower center",
        ncol=min(len(site_ids), 5),
    )
    return fig
