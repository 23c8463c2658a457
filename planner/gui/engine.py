"""The one place where the window reaches the core: run, re-rank, charts, imports, export.

The window receives an :class:`Engine` (tests pass a fake one), calls only these methods, and
never computes a figure itself. Every method imports its core module lazily so that opening
the window does not pay for the whole core up front.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError, PlannerError
from planner.results import Results
from planner.scenario import Scenario

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]

#: Chart kinds the window shows (each drawn by :mod:`planner.charts`, the report's plotting code).
CHART_KINDS = (
    "cost_breakdown",
    "cost_compare",
    "monthly_pue_wue",
    "hourly_pue_heatmap",
    "pareto",
    "tornado",
    "rank_probabilities",
    "score_contributions",
    "cfe_heatmap",
    "cfe_duration",
)

#: Per-site chart kinds of 24/7 carbon-free matching (results with ``energy.cfe_target``).
CFE_CHART_KINDS = ("cfe_heatmap", "cfe_duration")

REPORT_FORMATS = ("pdf", "html")
DATA_FORMATS = ("csv", "xlsx", "geojson")


class Engine:
    """The core as the window sees it. Methods may be slow; the window calls the slow ones
    (``run``, ``export``) from a worker thread and the rest on the GUI thread."""

    def __init__(self) -> None:
        self._catalog: Any = None
        self._catalog_lock = threading.Lock()  # the worker and the GUI thread may both ask

    # --- data catalog ----------------------------------------------------------------------

    def catalog(self) -> Any:
        with self._catalog_lock:
            if self._catalog is None:
                from planner.catalog import default_catalog

                self._catalog = default_catalog()
            return self._catalog

    def gpu_models(self) -> list[str]:
        """GPU ids of the catalog, for the phase editor's combo box."""
        try:
            return [str(g) for g in self.catalog().gpus.index]
        except Exception:  # noqa: BLE001 - an editor without a catalog still edits free text
            log.warning("GPU catalog unavailable", exc_info=True)
            return []

    def basemap(self) -> Any:
        """Country outlines (GeoDataFrame with ``geometry``), or None."""
        try:
            return self.catalog().basemap
        except Exception:  # noqa: BLE001 - the map works without outlines
            log.warning("basemap unavailable", exc_info=True)
            return None

    def data_sources(self) -> pd.DataFrame:
        """Provenance of the embedded data (dataset, source, year) for the About box."""
        try:
            prov = self.catalog().provenance
        except Exception:  # noqa: BLE001
            return pd.DataFrame(columns=["dataset", "source", "year"])
        return prov[["dataset", "source", "year"]].drop_duplicates().reset_index(drop=True)

    def candidate_sites(self, scenario: Scenario) -> tuple[pd.DataFrame, list[str]]:
        """The scenario's candidate sites before any run: the catalog's sites, or its site
        file's, after the scenario's country and region filters (slow the first time: call
        from a worker).

        Returns
        -------
        (DataFrame indexed by site id with name, country, region_code, lat, lon;
        the site reader's warnings)
        """
        warnings: list[str] = []
        source = scenario.sites.catalog
        if source != "default":
            from planner.catalog import read_sites_file

            sites, warnings = read_sites_file(require_file(Path(source)), catalog=self.catalog())
        else:
            sites = self.catalog().sites
        return filter_sites(sites, scenario), list(warnings)

    def demand_centre_names(self) -> list[str]:
        """Names of the catalog's demand centres, for the editor's tables."""
        try:
            table = self.catalog().demand_centers
        except Exception:  # noqa: BLE001 - the editor still takes typed names
            return []
        column = "name" if "name" in table.columns else None
        names = table[column] if column else table.index.to_series()
        return sorted(str(n) for n in names)

    def preview(self, scenario: Scenario) -> dict[str, Any]:
        """What the window shows before a run (slow the first time: call from a worker).

        Returns ``{basemap, sites, warnings, error, gpu_models, demand_centres}``: the country
        outlines, the candidate sites after the scenario's filters (None with ``error``, one
        sentence, when the site file cannot be read), the site reader's warnings, and the
        catalog's GPU models and demand centre names for the editor.
        """
        out: dict[str, Any] = {
            "basemap": self.basemap(),
            "gpu_models": self.gpu_models(),
            "demand_centres": self.demand_centre_names(),
            "sites": None,
            "warnings": [],
            "error": None,
        }
        try:
            out["sites"], out["warnings"] = self.candidate_sites(scenario)
        except PlannerError as exc:
            out["error"] = str(exc)
        return out

    # --- the pipeline ----------------------------------------------------------------------

    def run(self, scenario: Scenario, progress: Progress | None = None) -> Results:
        """Evaluate, rank, allocate and analyse one scenario (slow: call from a worker)."""
        from planner.optimize.run import run_scenario

        return run_scenario(scenario, progress=progress)

    def rerank(self, results: Results, scenario: Scenario) -> pd.DataFrame:
        """Ranking of the already evaluated sites under the scenario's current weights.

        Feasibility depends on constraints, not weights, so the run's screen (``feasible``,
        ``reasons``) is reused and nothing is re-evaluated.
        """
        from planner.optimize.rank import rank_sites

        return rank_sites(
            results.evaluation.metrics,
            results.ranking[["feasible", "reasons"]],
            scenario.objective.weights,
            scenario.objective.cost_metric,
        )

    # --- analyses of a finished run (slow: call from a worker) ---------------------------------

    def pareto(self, results: Results, points: int, progress: Progress | None = None) -> Results:
        """The run's results with a new cost / carbon front of ``points`` points.

        Reuses the run's evaluation and screen (``results.ranking["feasible"]``): nothing is
        re-evaluated. The returned results' ``scenario.analysis.pareto_points`` is ``points``,
        so the report states what was computed.

        Raises
        ------
        PlannerError
            When no allocation meets the rules (the sentence says why).
        """
        from planner.optimize.pareto import ParetoInfeasible, pareto_front

        scenario = results.scenario.model_copy(deep=True)
        scenario.analysis.pareto_points = int(points)
        try:
            front, allocations = pareto_front(
                results.evaluation,
                scenario,
                results.ranking[["feasible"]],
                points=int(points),
                time_limit_s=60.0,  # as the whole run allows each solve
                progress=progress,
            )
        except ParetoInfeasible as exc:
            raise PlannerError(str(exc)) from None
        return replace(results, scenario=scenario, pareto=front, pareto_allocations=allocations)

    def uncertainty(
        self, results: Results, draws: int, progress: Progress | None = None
    ) -> Results:
        """The run's results with new Monte Carlo rank frequencies of the weighted score and
        the recommendation's robustness (``recommendation["robustness"]``), both under
        ``draws`` draws, from the run's cached metrics and screen (nothing is re-evaluated).
        The tornado does not depend on draws: the run's own stays.

        Raises
        ------
        PlannerError
            When no site passes the constraints (nothing to rank).
        """
        from planner.optimize.robustness import robustness
        from planner.optimize.uncertainty import monte_carlo
        from planner.progress import scaled

        feasible = results.ranking["feasible"].astype(bool)
        if not feasible.any():
            raise PlannerError("no site passes the constraints, so there is nothing to rank")
        scenario = results.scenario.model_copy(deep=True)
        scenario.analysis.uncertainty.draws = int(draws)
        robust = results.allocation.feasible
        table = monte_carlo(
            results.evaluation,
            scenario,
            feasible,
            progress=scaled(progress, 0.0, 0.3 if robust else 1.0),
        )
        recommendation = results.recommendation
        if robust:
            found = robustness(
                results.evaluation,
                scenario,
                results.ranking[["feasible", "reasons"]],
                results.allocation,
                draws=int(draws),
                seed=scenario.analysis.uncertainty.seed,
                progress=scaled(progress, 0.3, 1.0),
            )
            if found is not None:
                recommendation = {**(recommendation or {}), "robustness": found}
        return replace(results, scenario=scenario, uncertainty=table, recommendation=recommendation)

    # --- charts ----------------------------------------------------------------------------

    def figure(self, kind: str, results: Results, site_id: Any = None) -> Any:
        """A matplotlib Figure drawn by :mod:`planner.charts` from the results.

        ``site_id`` is one site id for the per-site charts, a list of ids for ``cost_compare``.
        """
        import planner.charts as charts

        ev = results.evaluation
        names = ev.metrics["name"] if "name" in ev.metrics.columns else None
        if names is not None:  # long names would squeeze the bars of a chart out of its panel
            names = names.astype(str).where(
                names.astype(str).str.len() <= 30, names.astype(str).str[:29] + "…"
            )
        if kind == "cost_breakdown":
            return charts.cost_breakdown(
                ev.metrics, [site_id], title="Cost breakdown (net present, whole fleet here)"
            )
        if kind == "cost_compare":
            return charts.cost_breakdown(
                ev.metrics, list(site_id), title="Cost breakdown of the compared sites"
            )
        if kind == "monthly_pue_wue":
            return charts.monthly_pue_wue(ev.monthly, site_id)
        if kind == "hourly_pue_heatmap":
            return charts.pue_heatmap(
                ev.hourly_pue[ev.hourly_row(site_id)],
                start_year=results.scenario.scenario.start_year,
                title="Hourly PUE (month × hour of day)",
            )
        if kind == "pareto":
            chosen: dict[str, float] = {}
            summary = results.allocation.summary
            if (
                results.allocation.feasible
                and summary is not None
                and {"cost_usd", "co2_t"} <= set(summary)
            ):
                # The allocation summary's co2_t is over the whole horizon, like the front's.
                chosen = {
                    "chosen_cost_usd": float(summary["cost_usd"].sum()),
                    "chosen_co2_t": float(summary["co2_t"].sum()),
                }
            return charts.pareto_front(results.pareto, **chosen)
        if kind == "tornado":
            return charts.tornado(results.sensitivity)
        if kind == "rank_probabilities":
            return charts.rank_probability(
                results.uncertainty,
                names,
                top_k=results.scenario.analysis.uncertainty.top_k,
                title="How often each site ranks first (Monte Carlo)",
            )
        if kind == "score_contributions":
            return charts.score_contributions(results.ranking, names)
        if kind in CFE_CHART_KINDS:
            return _cfe_figure(kind, results, site_id)
        raise KeyError(f"unknown chart kind {kind!r}")

    # --- files -----------------------------------------------------------------------------

    def read_sites(self, path: Path) -> tuple[Any, list[str]]:
        """Read and validate a site file (CSV, GeoJSON, GeoPackage, Shapefile).

        Returns the sites and the reader's warnings (regions assigned by distance, defaults
        applied, climate borrowed from the nearest default site).
        """
        from planner.catalog import read_sites_file

        sites, warnings = read_sites_file(path, catalog=self.catalog())
        return sites, list(warnings)

    def read_weather(self, path: Path) -> Any:
        """Read and validate an EPW or TMY3 weather file; returns (table, metadata)."""
        from planner.climate import read_weather

        return read_weather(path)

    def export(
        self,
        results: Results,
        out_dir: Path,
        formats: tuple[str, ...],
        progress: Progress | None = None,
    ) -> list[Path]:
        """Write report or data files (slow: call from a worker)."""
        from planner.report import write_outputs

        written: list[Path] = []
        for i, fmt in enumerate(formats):
            # One format at a time, so a cancel stops between whole files.
            if progress is not None:
                progress(f"Writing {fmt.upper()} ({i + 1} of {len(formats)})", i / len(formats))
            written += write_outputs(results, out_dir, (fmt,)) or []
        if progress is not None:
            progress("Done", 1.0)
        return written


def _cfe_figure(kind: str, results: Results, site_id: Any) -> Any:
    """A site's hourly carbon-free share: month x hour heat map, or duration curve.

    Raises
    ------
    ValueError
        When the results have no 24/7 matching (no ``energy.cfe_target``, or a results file
        from before matching).
    """
    import planner.charts as charts

    ev = results.evaluation
    if ev.hourly_cfe is None or ev.hourly_grid_cfe is None:
        raise ValueError("these results have no 24/7 matching")
    row = ev.cfe_row(site_id)
    if kind == "cfe_heatmap":
        return charts.cfe_heatmap(
            ev.hourly_cfe[row], title="Hourly carbon-free share (month × hour of day)"
        )
    return charts.cfe_duration_curve(
        ev.hourly_cfe[row],
        ev.hourly_grid_cfe[row],
        target=results.scenario.energy.cfe_target,
        title="Hours of the year at each carbon-free share",
    )


def filter_sites(sites: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Sites kept by the scenario's ``sites`` filters (include / exclude countries, include
    regions), with the columns the map needs: name, country, region_code, lat, lon.

    The same rule as the evaluation's (``planner.evaluate``), so the map before a run shows
    the sites the run will evaluate.
    """
    frame = pd.DataFrame(sites.drop(columns="geometry", errors="ignore"))
    rule = scenario.sites
    keep = pd.Series(True, index=frame.index)
    country = (
        frame["country"].astype(str).str.upper()
        if "country" in frame
        else pd.Series("", index=frame.index)
    )
    if rule.include_countries:
        keep &= country.isin(rule.include_countries)
    if rule.exclude_countries:
        keep &= ~country.isin(rule.exclude_countries)
    if rule.include_regions and "region_code" in frame:
        keep &= frame["region_code"].astype(str).isin(rule.include_regions)
    columns = [c for c in ("name", "country", "region_code", "lat", "lon") if c in frame]
    return frame.loc[keep.to_numpy(), columns]


def require_file(path: Path) -> Path:
    """An InputError naming the file if it does not exist (before handing it to a reader)."""
    if not Path(path).is_file():
        raise InputError("no such file", file=path)
    return Path(path)
