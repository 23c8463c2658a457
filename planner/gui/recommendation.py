"""The Recommendation tab: what to build where, why, what else was tried, what would change
the answer, how robust it is, and building against renting.

Two different answers are named on their own basis and never called "best":

- **Recommended** is the allocation: the whole fleet split over sites at the lowest objective
  (net present cost plus any priced carbon, water and risk) that meets every rule.
- **Highest weighted score** is the ranking: a screening view of each site on its own, its
  criteria weighted by the sliders; it ignores the rules across sites.

Every figure comes from :class:`planner.results.Results` (``allocation``,
``recommendation``, ``build_vs_rent``, ``cash_flows``, ``scope2``); keys that a run or an
older results file lacks are shown as "not available", never as an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from planner.gui.columns import (
    CFE_COLUMNS,
    CRITERIA,
    CRITERION_LABELS,
    Column,
    format_value,
    has_matching,
)
from planner.gui.models import FrameModel
from planner.gui.widgets import FitTable
from planner.labels import DRIVER_WORDS, ROLES
from planner.matching import portfolio_sentence
from planner.results import Results

USD_M = 1e-6

BUILD_VS_RENT_ROWS = (
    ("build_usd", "Build at the recommended sites"),
    ("bridge_rent_usd", "Bridge rent while sites wait for power"),
    ("rent_then_build_usd", "Rent, then build (the recommendation)"),
    ("rent_only_usd", "Rent the whole fleet instead"),
)

NOT_AVAILABLE = "not available in these results"


# --- texts (pure functions of the results: the window's header uses them too) ---------------


def site_name(results: Results, site_id: Any) -> str:
    metrics = results.evaluation.metrics
    if "name" in metrics.columns and site_id in metrics.index:
        return str(metrics.at[site_id, "name"])
    return str(site_id)


def recommended_sites(results: Results | None) -> list[tuple[str, str, float]]:
    """``(site_id, name, share)`` of the recommendation, largest share first."""
    if results is None:
        return []
    rec = results.recommendation or {}
    sites = rec.get("sites")
    if sites:
        out = [
            (str(s.get("site_id")), str(s.get("name") or s.get("site_id")), _float(s.get("share")))
            for s in sites
        ]
    else:
        alloc = results.allocation
        summary = alloc.summary
        if not alloc.feasible or summary is None or "share" not in summary:
            return []
        out = [(str(sid), site_name(results, sid), float(v)) for sid, v in summary["share"].items()]
    return sorted(out, key=lambda t: -(t[2] if t[2] == t[2] else 0.0))


def recommended_text(results: Results | None) -> str:
    """ "Recommended: Lulea, Sweden 56 % · Madrid, Spain 44 %" (or why there is none)."""
    if results is None:
        return "Recommended: run the scenario to see the allocation."
    sites = recommended_sites(results)
    if not sites:
        return "Recommended: no allocation meets the rules (see the Recommendation tab)."
    return "Recommended: " + " · ".join(f"{name} {share:.0%}" for _, name, share in sites)


def recommended_basis(results: Results | None) -> str:
    if results is None:
        return ""
    alloc = results.allocation
    if not alloc.feasible:
        return "Basis: the allocation. " + " ".join(str(alloc.message).split())
    rec = results.recommendation or {}
    objective = rec.get("objective") or "net present cost"
    gpus = results.scenario.fleet.total_gpus
    text = (
        f"Basis: the whole fleet ({gpus:,} GPUs) split over sites at the lowest {objective}, "
        "meeting every rule (sites, shares, countries, latency, water, power)"
    )
    if alloc.objective_usd is not None:
        text += f"; objective {format_value(alloc.objective_usd, ',.1f', USD_M)} M USD"
    return text + "."


def top_score_site(results: Results | None, ranking: pd.DataFrame | None) -> str | None:
    if results is None:
        return None
    ranking = ranking if ranking is not None else results.ranking
    if ranking is None or not len(ranking) or "rank" not in ranking:
        return None
    ranks = pd.to_numeric(ranking["rank"], errors="coerce").to_numpy(dtype=float)
    if "feasible" in ranking:
        ranks = np.where(ranking["feasible"].fillna(False).to_numpy(dtype=bool), ranks, np.inf)
    ranks = np.nan_to_num(ranks, nan=np.inf)
    best = int(np.argmin(ranks)) if len(ranks) else 0
    return None if not np.isfinite(ranks[best]) else str(ranking.index[best])


def top_score_text(results: Results | None, ranking: pd.DataFrame | None) -> str:
    """ "Highest weighted score: Madrid, Spain (0.753)"."""
    top = top_score_site(results, ranking)
    if top is None:
        return "Highest weighted score: –"
    ranking = ranking if ranking is not None else results.ranking
    score = format_value(ranking.at[top, "score"], ".3f") if "score" in ranking else "–"
    return f"Highest weighted score: {site_name(results, top)} ({score})"


def top_score_basis(weights: dict[str, float] | None) -> str:
    text = (
        "Basis: a screening view of each site on its own (score 0–1 from the weighted criteria), "
        "not a split of the fleet; it ignores the rules across sites"
    )
    if weights:
        total = sum(weights.values()) or 1.0
        parts = [
            f"{CRITERION_LABELS.get(k, k).lower()} {weights[k] / total:.0%}"
            for k in CRITERIA
            if weights.get(k, 0) > 0
        ]
        if parts:
            text += " (weights " + ", ".join(parts) + ")"
    return text + "."


def switching_value_text(value: Any, parameter: str, unit: str | None = None) -> str:
    unit = unit or DRIVER_WORDS.get(parameter, ("", ""))[1]
    if value is None or value != value:
        return "–"
    v = float(value)
    if unit == "x":
        return f"{v:.2f}×"
    if unit == "fraction":
        return f"{v:.1%}"
    if unit == "months":
        return f"{v:.0f} months"
    if unit:
        return f"{v:,.0f} {unit}"
    return f"{v:.3g}"


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


# --- tables as DataFrames (display only: columns renamed and ordered, nothing computed) -----

ALLOCATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "Site"),
    Column("gpus", "GPUs", "", ",.0f"),
    Column("share", "Share", "%", ".1f", 100.0),
    Column("facility_mw", "Facility", "MW", ",.1f"),
    Column("capital_usd", "Capital", "USD M", ",.1f", USD_M),
    Column("capital_nominal_usd", "Capital, nominal", "USD M", ",.1f", USD_M),
    Column("cost_usd", "Net present cost", "USD M", ",.1f", USD_M),
    Column("delay_rent_usd", "Bridge rent", "USD M", ",.1f", USD_M),
    Column("co2_t", "CO₂ over horizon", "kt", ",.1f", 1e-3),
    Column("water_m3", "Water over horizon", "thousand m³", ",.1f", 1e-3),
)


def allocation_frame(results: Results) -> tuple[pd.DataFrame, list[Column]]:
    """One row per chosen site (GPUs per phase, share, MW, costs) and a totals row."""
    alloc = results.allocation
    summary = alloc.summary
    if not alloc.feasible or summary is None or not len(summary):
        return pd.DataFrame(), []
    frame = pd.DataFrame(index=summary.index)
    specs: list[Column] = []
    for col in ALLOCATION_COLUMNS[:1]:
        if col.key in summary:
            frame[col.key] = summary[col.key]
            specs.append(col)
    gpus = alloc.gpus
    if gpus is not None:
        phases = results.scenario.fleet.phases
        for i, column in enumerate(gpus.columns):
            key = f"gpus_{column}"
            phase = phases[i] if i < len(phases) else None
            label = (
                f"Phase {i + 1}: {phase.gpu}\nfrom month {phase.start_month}"
                if phase is not None
                else str(column)
            )
            frame[key] = gpus[column].reindex(summary.index)
            specs.append(Column(key, label, "GPUs", ",.0f"))
    for col in ALLOCATION_COLUMNS[1:]:
        if col.key in summary:
            frame[col.key] = summary[col.key]
            specs.append(col)
    totals: dict[str, Any] = {}
    for col in specs:
        if col.fmt:
            totals[col.key] = pd.to_numeric(frame[col.key], errors="coerce").sum()
        else:
            totals[col.key] = ""
    totals[specs[0].key] = "All sites"
    frame = pd.concat([frame, pd.DataFrame([totals], index=["total"])])
    return frame.reset_index(drop=True), specs


ALTERNATIVE_COLUMNS: tuple[Column, ...] = (
    Column("alternative", "Alternative"),
    Column("cost_usd", "Net present cost", "USD M", ",.1f", USD_M),
    Column("delta_cost_usd", "Δ cost", "USD M", "+,.1f", USD_M),
    Column("delta_co2_t", "Δ CO₂", "kt", "+,.1f", 1e-3),
    Column("delta_water_m3", "Δ water", "thousand m³", "+,.1f", 1e-3),
    Column("sentence", "In words"),
)


def alternatives_frame(results: Results) -> tuple[pd.DataFrame, list[str]]:
    rows, tips = [], []
    for alt in (results.recommendation or {}).get("alternatives") or []:
        name = alt.get("name") or alt.get("site_id") or ""
        role = str(alt.get("role", ""))
        label = ROLES.get(role, "{name} (" + role.replace("_", " ") + ")").format(name=name)
        rows.append(
            {
                "alternative": label,
                "cost_usd": alt.get("cost_usd"),
                "delta_cost_usd": alt.get("delta_cost_usd"),
                "delta_co2_t": alt.get("delta_co2_t"),
                "delta_water_m3": alt.get("delta_water_m3"),
                "sentence": alt.get("sentence", ""),
            }
        )
        sites = alt.get("sites") or []
        names = ", ".join(site_name(results, s) for s in sites)
        tips.append(f"Sites: {names}" if names else "No allocation meets the rules.")
    return pd.DataFrame(rows, columns=[c.key for c in ALTERNATIVE_COLUMNS]), tips


SWITCHING_COLUMNS: tuple[Column, ...] = (
    Column("what", "What changes"),
    Column("base", "Scenario value", align="right"),
    Column("value", "Changes at", align="right"),
    Column("sentence", "In words"),
)


def switching_frame(results: Results) -> pd.DataFrame:
    rows = []
    for row in (results.recommendation or {}).get("switching_values") or []:
        parameter = str(row.get("parameter", ""))
        label = DRIVER_WORDS.get(parameter, (parameter.replace("_", " ").capitalize(), ""))[0]
        if row.get("site_id"):
            label += f" at {site_name(results, row['site_id'])}"
        unit = row.get("unit")
        value = row.get("value")
        arrow = {"up": "above ", "down": "below "}.get(str(row.get("direction")), "")
        rows.append(
            {
                "what": label,
                "base": switching_value_text(row.get("base"), parameter, unit),
                "value": (arrow + switching_value_text(value, parameter, unit))
                if value is not None
                else "no change in range",
                "sentence": row.get("sentence", ""),
            }
        )
    return pd.DataFrame(rows, columns=[c.key for c in SWITCHING_COLUMNS])


def cash_flow_columns(frame: pd.DataFrame) -> list[Column]:
    words = {
        "year": Column("year", "Year", "", ".0f"),
        "capital_usd": Column("capital_usd", "Capital", "USD M", ",.1f", USD_M),
        "residual_usd": Column("residual_usd", "Residual value", "USD M", ",.1f", USD_M),
        "opex_usd": Column("opex_usd", "Opex", "USD M", ",.1f", USD_M),
        "energy_usd": Column("energy_usd", "Energy", "USD M", ",.1f", USD_M),
        "rent_usd": Column("rent_usd", "Bridge rent", "USD M", ",.1f", USD_M),
        "carbon_usd": Column("carbon_usd", "Carbon", "USD M", ",.1f", USD_M),
        "present_value_usd": Column("present_value_usd", "Present value", "USD M", ",.1f", USD_M),
    }
    out = []
    for key in frame.columns:
        key = str(key)
        if key in words:
            out.append(words[key])
        elif key.endswith("_usd"):
            label = key[: -len("_usd")].replace("_", " ").capitalize()
            out.append(Column(key, label, "USD M", ",.1f", USD_M))
    return out


CFE_NOTE = (
    "The CFE score counts, hour by hour, the load met by the portfolio plus the grid's own "
    "carbon-free share of the rest (24/7 carbon-free energy). Each site's portfolio is its "
    "least-cost solar, wind and battery PPAs that reach the target. MW, MWh, surplus and CO₂ "
    "are for the whole fleet at that site at full build-out, as in the site table; the net "
    "cost is per MWh of the site's load (negative: the PPAs earn more than they cost). "
    "CO₂ market-based is counted hour by hour."
)


def cfe_text(results: Results | None) -> str:
    """The 24/7 matching sentence: the target, and each recommended site's score against its
    grid alone and its portfolio's net cost ("" without matching)."""
    if results is None or not has_matching(results.evaluation.metrics):
        return ""
    metrics = results.evaluation.metrics
    target = results.scenario.energy.cfe_target
    if target is None and "cfe_target" in metrics:
        target = _float(metrics["cfe_target"].iloc[0]) if len(metrics) else None
    sites = [(sid, name) for sid, name, _ in recommended_sites(results) if sid in metrics.index]
    if target is None or not sites:
        return ""
    return portfolio_sentence(metrics, float(target), sites)


def cfe_frame(results: Results) -> tuple[pd.DataFrame, list[Column]]:
    """One row per recommended site: its share and its portfolio figures (``cfe_*``)."""
    metrics = results.evaluation.metrics
    sites = [(s, n, share) for s, n, share in recommended_sites(results) if s in metrics.index]
    if not has_matching(metrics) or not sites:
        return pd.DataFrame(), []
    ids = [s for s, _, _ in sites]
    frame = pd.DataFrame(
        {"name": [n for _, n, _ in sites], "share": [share for _, _, share in sites]}
    )
    specs = [Column("name", "Site"), Column("share", "Share", "%", ".0f", 100.0)]
    for col in CFE_COLUMNS:
        if col.key in metrics:
            frame[col.key] = metrics.loc[ids, col.key].to_numpy()
            specs.append(col)
    return frame, specs


# --- the widget --------------------------------------------------------------------------------


class Paragraph(QLabel):
    """Wrapped plain text, hidden while empty (no blank gap in the column)."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setVisible(bool(text))


def _note_and_table(column: QVBoxLayout, title: str) -> tuple[QLabel, _Table]:
    """A titled box holding a wrapping note above a table, added to ``column``."""
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    note, table = _wrapping(""), _Table()
    layout.addWidget(note)
    layout.addWidget(table.view)
    column.addWidget(box)
    return note, table


def _wrapping(text: str = "", style: str = "") -> QLabel:
    label = Paragraph(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


class _Table:
    """A FitTable over a FrameModel."""

    def __init__(self) -> None:
        self.model = FrameModel()
        self.model.unit_on_own_line = True
        self.view = FitTable()
        self.view.setModel(self.model)

    def show(self, frame: pd.DataFrame | None, columns: Any = (), **kwargs: Any) -> None:
        self.model.set_frame(frame, columns=tuple(columns), **kwargs)
        self.view.setVisible(frame is not None and len(frame) > 0)
        self.view.fit()

    def cell(self, row: int, column: int) -> str:
        return str(self.model.index(row, column).data() or "")


class RecommendationPanel(QScrollArea):
    """The recommendation and everything that explains it, in one scrolling column."""

    runUncertaintyRequested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("RecommendationBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(10)

        header = QFrame()
        header.setObjectName("RecommendationHeader")
        header.setStyleSheet(
            "#RecommendationHeader { background: #f4f7fb; border: 1px solid #c9d6e6;"
            " border-radius: 4px; }"
        )
        head = QVBoxLayout(header)
        head.setContentsMargins(10, 8, 10, 8)
        head.setSpacing(2)
        self.recommended = _wrapping("", "font-size: 13pt; font-weight: 600;")
        self.recommended_basis = _wrapping("", "color: #444;")
        self.top_score = _wrapping("", "font-size: 11pt; font-weight: 600; margin-top: 6px;")
        self.top_score_basis = _wrapping("", "color: #444;")
        for label in (
            self.recommended,
            self.recommended_basis,
            self.top_score,
            self.top_score_basis,
        ):
            head.addWidget(label)
        column.addWidget(header)

        # Allocation
        box = QGroupBox("Allocation: GPUs per site and phase")
        layout = QVBoxLayout(box)
        self.allocation = _Table()
        layout.addWidget(self.allocation.view)
        self.allocation_note = _wrapping("")
        layout.addWidget(self.allocation_note)
        self.binding = _wrapping("")
        layout.addWidget(self.binding)
        column.addWidget(box)

        box = QGroupBox("Why these sites")
        layout = QVBoxLayout(box)
        self.why = _wrapping("")
        layout.addWidget(self.why)
        column.addWidget(box)

        self.cfe_box = QGroupBox("24/7 carbon-free matching")
        layout = QVBoxLayout(self.cfe_box)
        self.cfe_sentence = _wrapping("")
        layout.addWidget(self.cfe_sentence)
        self.cfe_table = _Table()
        layout.addWidget(self.cfe_table.view)
        self.cfe_note = _wrapping(CFE_NOTE, "color: #444;")
        layout.addWidget(self.cfe_note)
        column.addWidget(self.cfe_box)

        self.alternatives_note, self.alternatives = _note_and_table(
            column, "Alternatives, solved on the same basis"
        )
        self.switching_note, self.switching = _note_and_table(
            column, "Switching values: what would change the recommendation"
        )

        box = QGroupBox("Robustness under uncertainty")
        layout = QVBoxLayout(box)
        self.robustness_sentence = _wrapping("")
        layout.addWidget(self.robustness_sentence)
        self.robustness_figures = QWidget()
        self.robustness_form = QFormLayout(self.robustness_figures)
        self.robustness_form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.robustness_figures)
        self._robustness_values: dict[str, QLabel] = {}
        for key, label in (
            ("p_same_sites", "Same sites as recommended"),
            ("cost", "Net present cost P10 / P50 / P90"),
            ("usd_per_gpu_hour", "Cost per GPU-hour P10 / P50 / P90"),
            ("regret", "Regret P50 / P90"),
            ("draws", "Draws"),
        ):
            value = _wrapping("–")
            self.robustness_form.addRow(label, value)
            self._robustness_values[key] = value
        self.robustness_sites = _Table()
        layout.addWidget(self.robustness_sites.view)
        self.robustness_button = QPushButton("Run uncertainty…")
        self.robustness_button.setToolTip(
            "Monte Carlo draws of the uncertain inputs, with the draws set on the Uncertainty tab"
        )
        self.robustness_button.clicked.connect(self.runUncertaintyRequested)
        layout.addWidget(self.robustness_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(box)

        box = QGroupBox("Build versus rent")
        layout = QVBoxLayout(box)
        self.verdict = _wrapping("")
        layout.addWidget(self.verdict)
        form = QFormLayout()
        self._bvr_values: dict[str, QLabel] = {}
        for key, label in (*BUILD_VS_RENT_ROWS, ("usd_per_gpu_hour", "Cost per GPU-hour")):
            value = _wrapping("–")
            form.addRow(label, value)
            self._bvr_values[key] = value
        layout.addLayout(form)
        self.components = _Table()
        layout.addWidget(self.components.view)
        self.scope2 = _wrapping("")
        layout.addWidget(self.scope2)
        layout.addWidget(_wrapping("Cash flows by calendar year (nominal USD)", "color: #444;"))
        self.cash_flows = _Table()
        layout.addWidget(self.cash_flows.view)
        column.addWidget(box)
        column.addStretch(1)
        self.setWidget(body)
        self.show_results(None, None)

    # --- showing -------------------------------------------------------------------------------

    def show_results(
        self,
        results: Results | None,
        ranking: pd.DataFrame | None,
        weights: dict[str, float] | None = None,
    ) -> None:
        self.recommended.setText(recommended_text(results))
        self.recommended_basis.setText(recommended_basis(results))
        self.show_ranking(results, ranking, weights)
        self._show_cfe(results)
        if results is None:
            for table in (
                self.allocation,
                self.alternatives,
                self.switching,
                self.robustness_sites,
                self.components,
                self.cash_flows,
            ):
                table.show(None)
            for label in (
                self.allocation_note,
                self.binding,
                self.why,
                self.alternatives_note,
                self.switching_note,
                self.verdict,
                self.scope2,
            ):
                label.setText("")
            self.why.setText("Run the scenario (F5) to see the recommendation.")
            self._show_robustness(None)
            for value in self._bvr_values.values():
                value.setText("–")
            return
        self._show_allocation(results)
        rec = results.recommendation or {}
        self.why.setText(rec.get("why") or _sentences(results.allocation.message))
        frame, tips = alternatives_frame(results)
        self.alternatives.show(frame, ALTERNATIVE_COLUMNS, row_tooltips=tips)
        self.alternatives_note.setText(
            "" if len(frame) else "No alternatives in these results (" + NOT_AVAILABLE + ")."
        )
        frame = switching_frame(results)
        self.switching.show(frame, SWITCHING_COLUMNS)
        self.switching_note.setText(
            "Each line moves one input from its scenario value until the recommended sites "
            "change (the others held at their scenario values)."
            if len(frame)
            else "No switching values in these results (" + NOT_AVAILABLE + ")."
        )
        self._show_robustness(rec.get("robustness"), results)
        self._show_build_vs_rent(results)

    def show_ranking(
        self,
        results: Results | None,
        ranking: pd.DataFrame | None,
        weights: dict[str, float] | None = None,
    ) -> None:
        """The "Highest weighted score" lines (they follow the sliders; the rest does not)."""
        self.top_score.setText(top_score_text(results, ranking))
        self.top_score_basis.setText(top_score_basis(weights) if results is not None else "")

    def _show_allocation(self, results: Results) -> None:
        alloc = results.allocation
        frame, specs = allocation_frame(results)
        self.allocation.show(frame, specs, bold_rows={len(frame) - 1} if len(frame) else set())
        if not alloc.feasible:
            self.allocation_note.setText(_sentences(alloc.message))
        else:
            parts = []
            flows = results.cash_flows
            if flows is not None and "capital_usd" in flows:
                total = pd.to_numeric(flows["capital_usd"], errors="coerce").sum()
                parts.append(
                    f"Capital purchases over the horizon (nominal): "
                    f"{format_value(total, ',.1f', USD_M)} M USD."
                )
            bvr = results.build_vs_rent or {}
            if bvr.get("bridge_rent_usd") is not None:
                parts.append(
                    "Bridge rent while sites wait for power (present value): "
                    f"{format_value(bvr['bridge_rent_usd'], ',.1f', USD_M)} M USD."
                )
            self.allocation_note.setText(" ".join(parts))
        binding = [str(b) for b in (alloc.binding or [])]
        self.binding.setText(
            "Binding constraints (at their limit):\n" + "\n".join(f"• {b}" for b in binding)
            if binding
            else ("No constraint is at its limit." if alloc.feasible else "")
        )

    def _show_cfe(self, results: Results | None) -> None:
        """The 24/7 matching box: only for results with matching (``energy.cfe_target``)."""
        matching = results is not None and has_matching(results.evaluation.metrics)
        self.cfe_box.setVisible(matching)
        if not matching:
            self.cfe_sentence.setText("")
            self.cfe_table.show(None)
            return
        target = format_value(results.scenario.energy.cfe_target, ".0f", 100.0)
        self.cfe_box.setTitle(f"24/7 carbon-free matching: {target} % of every hour's load")
        self.cfe_sentence.setText(cfe_text(results))
        frame, specs = cfe_frame(results)
        self.cfe_table.show(frame if len(frame) else None, specs)

    def _show_robustness(self, rob: dict[str, Any] | None, results: Results | None = None) -> None:
        values = self._robustness_values
        if not rob:
            self.robustness_sentence.setText(
                "No robustness analysis in these results: set the draws on the Uncertainty tab "
                "and press Run uncertainty."
                if results is not None
                else ""
            )
            for value in values.values():
                value.setText("–")
            self.robustness_figures.setVisible(False)
            self.robustness_sites.show(None)
            self.robustness_button.setVisible(results is not None)
            return
        self.robustness_figures.setVisible(True)
        self.robustness_button.setVisible(True)
        self.robustness_sentence.setText(str(rob.get("sentence") or ""))
        values["p_same_sites"].setText(
            f"{format_value(rob.get('p_same_sites'), '.0f', 100.0)} % of the draws"
        )

        def triple(prefix: str, fmt: str, scale: float, unit: str) -> str:
            suffix = "_usd" if unit == "M USD" else ""
            parts = [format_value(rob.get(f"{prefix}_{q}{suffix}"), fmt, scale) for q in Q]
            return " / ".join(parts) + f" {unit}"

        values["cost"].setText(triple("cost", ",.1f", USD_M, "M USD"))
        values["usd_per_gpu_hour"].setText(triple("usd_per_gpu_hour", ".3f", 1.0, "USD/GPU-h"))
        values["regret"].setText(
            f"{format_value(rob.get('regret_p50_usd'), ',.1f', USD_M)} / "
            f"{format_value(rob.get('regret_p90_usd'), ',.1f', USD_M)} M USD"
        )
        draws = format_value(rob.get("draws"), ",.0f")
        method = str(rob.get("method") or "")
        factors = rob.get("factors")
        factor_text = ", ".join(str(f) for f in factors) if isinstance(factors, list) else ""
        values["draws"].setText(
            draws
            + (f" ({method})" if method else "")
            + (f"; drawn: {factor_text}" if factor_text else "")
        )
        p_in = rob.get("p_in_optimum") or {}
        shares = {sid: share for sid, _, share in recommended_sites(results)} if results else {}
        if p_in:
            frame = pd.DataFrame(
                {
                    "site": [site_name(results, s) if results else str(s) for s in p_in],
                    "share": [shares.get(str(s)) for s in p_in],
                    "p": [float(v) for v in p_in.values()],
                }
            ).sort_values("p", ascending=False)
            self.robustness_sites.show(
                frame,
                (
                    Column("site", "Site"),
                    Column("share", "Share recommended", "%", ".0f", 100.0),
                    Column("p", "In the cheapest allocation", "% of draws", ".0f", 100.0),
                ),
            )
        else:
            self.robustness_sites.show(None)

    def _show_build_vs_rent(self, results: Results) -> None:
        bvr = results.build_vs_rent or {}
        self.verdict.setText(
            str(bvr.get("verdict") or f"No build-versus-rent comparison ({NOT_AVAILABLE}).")
        )
        for key, _ in BUILD_VS_RENT_ROWS:
            value = bvr.get(key)
            self._bvr_values[key].setText(
                "–" if value is None else f"{format_value(value, ',.1f', USD_M)} M USD"
            )
        rate = bvr.get("usd_per_gpu_hour")
        self._bvr_values["usd_per_gpu_hour"].setText(
            "–" if rate is None else f"{format_value(rate, '.3f')} USD/GPU-h"
        )
        parts = bvr.get("usd_per_gpu_hour_by_component")
        if isinstance(parts, dict) and parts:
            frame = pd.DataFrame(
                {
                    "component": [str(k).replace("_", " ").capitalize() for k in parts],
                    "usd_per_gpu_hour": [_float(v) for v in parts.values()],
                }
            )
            self.components.show(
                frame,
                (
                    Column("component", "Component of the cost per GPU-hour"),
                    Column("usd_per_gpu_hour", "Cost", "USD/GPU-h", ".3f"),
                ),
            )
        else:
            self.components.show(None)
        scope2 = results.scope2 or {}
        if scope2:
            self.scope2.setText(
                "Scope 2 emissions: "
                f"{format_value(scope2.get('location_t_per_year'), ',.1f', 1e-3)} kt/yr "
                "location-based, "
                f"{format_value(scope2.get('market_t_per_year'), ',.1f', 1e-3)} kt/yr "
                "market-based ("
                f"{format_value(scope2.get('market_t_horizon'), ',.1f', 1e-3)} kt over the "
                "horizon)."
            )
        else:
            self.scope2.setText("")
        flows = results.cash_flows
        if flows is not None and len(flows):
            self.cash_flows.show(flows, cash_flow_columns(flows))
        else:
            self.cash_flows.show(None)


Q = ("p10", "p50", "p90")


def _sentences(text: Any) -> str:
    return " ".join(str(text or "").split())
