"""The results object: what every layer (CLI, reports, GUI) reads, and nothing computes twice.

:class:`Evaluation` is what :func:`planner.evaluate.evaluate_sites` returns: one row per site
with every metric, plus the per-block costs the optimizer needs and the hourly series that
charts need. :class:`Results` adds what the optimizer made of it (ranking, allocation, Pareto
front, uncertainty, sensitivity). Column names carry their units; see ``docs/nomenclature.md``.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.scenario import Scenario, scenario_from_dict, scenario_to_dict


@dataclass
class Evaluation:
    """Every candidate site evaluated for one scenario.

    Attributes
    ----------
    metrics : DataFrame
        Index ``site_id``; one row per site; columns listed in ``docs/nomenclature.md``.
    phase_block_cost_usd : DataFrame
        Index ``site_id``, one column per phase (``phase_0``, ``phase_1``...): net present cost
        over the horizon of one block of that phase placed at that site, everything that scales
        with the block (GPUs, facility capex per MW, energy, opex, idle GPUs, carbon price).
    phase_block_co2_t, phase_block_water_m3 : DataFrame
        Same shape: tonnes CO2 (market-based) and cubic metres of water over the horizon per block.
    site_fixed_cost_usd : Series
        Net present cost of opening a site at all (interconnection, the fixed part of capex).
    block_facility_mw : Series
        Index phase column name: grid MW one block of that phase draws at design (IT x peak PUE
        of the most demanding site is *not* used; per-site values are in ``block_site_mw``).
    block_site_mw : DataFrame
        Index ``site_id``, one column per phase: facility MW one block needs at that site.
    rtt_ms : DataFrame
        Index ``site_id``, one column per demand center name: round-trip time estimate.
    hourly_pue : ndarray, shape (n_rows, 8760)
        Hourly PUE of the chosen cooling technology: one row per distinct cooling case (climate,
        price and water stress), ``hourly_case_of_site`` giving each site's row, so that a
        100,000-site file keeps a few hundred rows; without it (older results), one row per
        site in ``metrics`` order. Read a site's row with :meth:`hourly_row`.
    hourly_wue_l_per_kwh : ndarray, same shape as ``hourly_pue``
    monthly : DataFrame
        Long table: site_id, month (1-12), pue, wue_l_per_kwh, it_energy_mwh.
    provenance : DataFrame
        Columns: dataset, key, field, value, unit, source, year, note. Every input figure used.
    warnings : list of str
        Defaults applied to user data (nearest climate at N km, region by nearest polygon...).
    hourly_it_kw : ndarray, shape (8760,), optional
        IT power of the whole fleet at full build-out, hour by hour (same at every site).
    site_fixed_cost_by_first_phase_usd : DataFrame, optional
        Index ``site_id``, one column per phase: net present fixed cost of the site when the
        first phase it serves is that phase (the fixed cost runs from that phase's running
        month at the site). The earliest phase's column equals ``site_fixed_cost_usd``. None in
        older results: the MILP then charges ``site_fixed_cost_usd`` whatever the phases.
    useful_gpu_hours_per_gpu_month : ndarray, shape (12,), optional
        Useful (delivered) GPU-hours per installed, powered GPU in each calendar month: the
        hourly activity summed after its cap at 1, so what ``usd_per_gpu_hour`` divides by.
    hourly_case_of_site : ndarray of int, shape (n_sites,), optional
        Row of the hourly arrays for each site (see ``hourly_pue``).
    hourly_cfe, hourly_grid_cfe : ndarray, shape (n_cases, 8760), optional
        With 24/7 matching (``energy.cfe_target``): the carbon-free share of the site's load in
        each hour with its portfolio, and its grid's alone; one row per distinct site
        (``cfe_case_of_site``). Read a site's row with :meth:`cfe_row`.
    cfe_case_of_site : ndarray of int, shape (n_sites,), optional
    """

    metrics: pd.DataFrame
    phase_block_cost_usd: pd.DataFrame
    phase_block_co2_t: pd.DataFrame
    phase_block_water_m3: pd.DataFrame
    site_fixed_cost_usd: pd.Series
    block_site_mw: pd.DataFrame
    rtt_ms: pd.DataFrame
    hourly_pue: np.ndarray
    hourly_wue_l_per_kwh: np.ndarray
    monthly: pd.DataFrame
    provenance: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    hourly_it_kw: np.ndarray | None = None
    site_fixed_cost_by_first_phase_usd: pd.DataFrame | None = None
    useful_gpu_hours_per_gpu_month: np.ndarray | None = None
    hourly_case_of_site: np.ndarray | None = None
    hourly_cfe: np.ndarray | None = None
    hourly_grid_cfe: np.ndarray | None = None
    cfe_case_of_site: np.ndarray | None = None

    @property
    def site_ids(self) -> list[str]:
        return list(self.metrics.index)

    def hourly_row(self, site: int | str) -> int:
        """Row of ``hourly_pue`` / ``hourly_wue_l_per_kwh`` for a site, by position or id."""
        position = site if isinstance(site, (int, np.integer)) else self.metrics.index.get_loc(site)
        if self.hourly_case_of_site is None:
            return int(position)
        return int(self.hourly_case_of_site[position])

    def cfe_row(self, site: int | str) -> int:
        """Row of ``hourly_cfe`` / ``hourly_grid_cfe`` for a site, by position or id."""
        if self.cfe_case_of_site is None:
            raise ValueError("these results have no 24/7 matching")
        position = site if isinstance(site, (int, np.integer)) else self.metrics.index.get_loc(site)
        return int(self.cfe_case_of_site[position])


@dataclass
class Allocation:
    """Outcome of the MILP: a status, and when feasible, GPUs per site and phase."""

    status: str  # "optimal", "feasible" (time limit, with gap), "infeasible", "error"
    message: str  # one or more sentences; explains infeasibility in words
    objective_usd: float | None = None
    gap: float | None = None
    blocks: pd.DataFrame | None = None  # index site_id, columns phase_0..: block counts
    gpus: pd.DataFrame | None = None  # same shape, GPU counts
    summary: pd.DataFrame | None = None  # per open site: gpus, share, mw, cost, co2, water
    binding: list[str] = field(default_factory=list)  # constraints at their limit, in words

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass
class Results:
    """Everything one run produced; the only thing the CLI, reports and GUI read."""

    scenario: Scenario
    evaluation: Evaluation
    ranking: pd.DataFrame  # index site_id: rank, score, feasible, reasons, contrib_<criterion>
    allocation: Allocation
    pareto: pd.DataFrame | None = None  # one row per point: cost_usd, co2_t, water_m3, sites
    pareto_allocations: list[pd.DataFrame] = field(default_factory=list)
    # index site_id: p_first, p_top_k, usd_per_gpu_hour_p10 / _p50 / _p90
    uncertainty: pd.DataFrame | None = None
    # Tornado (planner.optimize.tornado): parameter, label, low_input, high_input, low, high,
    # base (USD per delivered GPU-hour of the recommendation), sites_low, sites_high. Older
    # results: parameter, low, high, base, low_factor, high_factor, first_low, first_high.
    sensitivity: pd.DataFrame | None = None
    # The recommended allocation explained (planner.optimize.explain); None when infeasible.
    build_vs_rent: dict[str, Any] | None = None  # build/bridge/rent-only/rent-then-build, verdict
    cash_flows: pd.DataFrame | None = None  # one row per calendar year, nominal USD
    scope2: dict[str, float] | None = None  # location/market tCO2 per year and over the horizon
    # objective, sites, why, alternatives (planner.optimize.explain.recommend); None: infeasible
    recommendation: dict[str, Any] | None = None
    created: str = ""  # ISO timestamp
    version: str = ""

    # --- serialisation: a results.json that `planner report` can rebuild a report from -----

    def to_json_dict(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "format": "gpu-site-planner-results",
            "version": self.version,
            "created": self.created,
            "scenario": scenario_to_dict(self.scenario),
            "evaluation": {
                "metrics": _frame(ev.metrics),
                "phase_block_cost_usd": _frame(ev.phase_block_cost_usd),
                "phase_block_co2_t": _frame(ev.phase_block_co2_t),
                "phase_block_water_m3": _frame(ev.phase_block_water_m3),
                "site_fixed_cost_usd": _series(ev.site_fixed_cost_usd),
                "block_site_mw": _frame(ev.block_site_mw),
                # A microsecond is 0.2 km of fibre; PUE and WUE to a millionth.
                "rtt_ms": _frame(ev.rtt_ms, decimals=3),
                "hourly_pue": _pack_array(ev.hourly_pue),
                "hourly_wue_l_per_kwh": _pack_array(ev.hourly_wue_l_per_kwh),
                "hourly_case_of_site": None
                if ev.hourly_case_of_site is None
                else [int(c) for c in ev.hourly_case_of_site],
                "monthly": _frame(ev.monthly, index=False, decimals=6),
                "provenance": _frame(ev.provenance, index=False),
                "warnings": list(ev.warnings),
                "hourly_it_kw": None if ev.hourly_it_kw is None else _pack_array(ev.hourly_it_kw),
                "site_fixed_cost_by_first_phase_usd": _frame(ev.site_fixed_cost_by_first_phase_usd),
                "useful_gpu_hours_per_gpu_month": None
                if ev.useful_gpu_hours_per_gpu_month is None
                else [float(v) for v in ev.useful_gpu_hours_per_gpu_month],
                **_cfe_json(ev),
            },
            "ranking": _frame(self.ranking),
            "allocation": {
                "status": self.allocation.status,
                "message": self.allocation.message,
                "objective_usd": self.allocation.objective_usd,
                "gap": self.allocation.gap,
                "blocks": _frame(self.allocation.blocks),
                "gpus": _frame(self.allocation.gpus),
                "summary": _frame(self.allocation.summary),
                "binding": list(self.allocation.binding),
            },
            "pareto": _frame(self.pareto, index=False),
            "pareto_allocations": [_frame(a) for a in self.pareto_allocations],
            "uncertainty": _frame(self.uncertainty),
            "sensitivity": _frame(self.sensitivity, index=False),
            "build_vs_rent": self.build_vs_rent,
            "cash_flows": _frame(self.cash_flows, index=False),
            "scope2": self.scope2,
            "recommendation": self.recommendation,
        }

    def save_json(self, path: str | Path) -> Path:
        """Write ``results.json`` (and, above :data:`SIDE_FILE_SITES` sites, its per-site tables
        to the Parquet side file :func:`side_file_path` beside it); returns the JSON's path."""
        from planner.outputs import write_text

        path = Path(path)
        data = self.to_json_dict()
        # Indented for reading by eye, but not past a few thousand sites (a third of the size).
        small = len(self.evaluation.metrics) <= INDENT_SITES
        if len(self.evaluation.metrics) > SIDE_FILE_SITES:
            data["side_file"] = write_side_file(data, side_file_path(path))
        write_text(path, json.dumps(data, allow_nan=True, indent=1 if small else None))
        return path

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Results:
        ev = data["evaluation"]
        evaluation = Evaluation(
            metrics=_unframe(ev["metrics"]),
            phase_block_cost_usd=_unframe(ev["phase_block_cost_usd"]),
            phase_block_co2_t=_unframe(ev["phase_block_co2_t"]),
            phase_block_water_m3=_unframe(ev["phase_block_water_m3"]),
            site_fixed_cost_usd=_unseries(ev["site_fixed_cost_usd"]),
            block_site_mw=_unframe(ev["block_site_mw"]),
            rtt_ms=_unframe(ev["rtt_ms"]),
            hourly_pue=_unpack_array(ev["hourly_pue"]),
            hourly_wue_l_per_kwh=_unpack_array(ev["hourly_wue_l_per_kwh"]),
            hourly_case_of_site=None
            if ev.get("hourly_case_of_site") is None
            else np.asarray(ev["hourly_case_of_site"], dtype=int),
            monthly=_unframe(ev["monthly"]),
            provenance=_unframe(ev["provenance"]),
            warnings=list(ev.get("warnings", [])),
            hourly_it_kw=None
            if ev.get("hourly_it_kw") is None
            else _unpack_array(ev["hourly_it_kw"]),
            site_fixed_cost_by_first_phase_usd=_unframe(
                ev.get("site_fixed_cost_by_first_phase_usd")
            ),
            useful_gpu_hours_per_gpu_month=None
            if ev.get("useful_gpu_hours_per_gpu_month") is None
            else np.asarray(ev["useful_gpu_hours_per_gpu_month"], dtype=float),
            **_cfe_arrays(ev),
        )
        al = data["allocation"]
        allocation = Allocation(
            status=al["status"],
            message=al["message"],
            objective_usd=al.get("objective_usd"),
            gap=al.get("gap"),
            blocks=_unframe(al.get("blocks")),
            gpus=_unframe(al.get("gpus")),
            summary=_unframe(al.get("summary")),
            binding=list(al.get("binding", [])),
        )
        return cls(
            scenario=scenario_from_dict(data["scenario"]),
            evaluation=evaluation,
            ranking=_unframe(data["ranking"]),
            allocation=allocation,
            pareto=_unframe(data.get("pareto")),
            pareto_allocations=[_unframe(a) for a in data.get("pareto_allocations", [])],
            uncertainty=_unframe(data.get("uncertainty")),
            sensitivity=_unframe(data.get("sensitivity")),
            build_vs_rent=data.get("build_vs_rent"),
            cash_flows=_unframe(data.get("cash_flows")),
            scope2=data.get("scope2"),
            recommendation=data.get("recommendation"),
            created=data.get("created", ""),
            version=data.get("version", ""),
        )

    @classmethod
    def load_json(cls, path: str | Path) -> Results:
        """Read a ``results.json`` written by :meth:`save_json`, checking it first.

        Raises
        ------
        InputError
            Unreadable or truncated JSON, or a document whose structure, types, table shapes
            or numbers are not what :meth:`save_json` writes; the message names the field
            (``allocation.summary``) and, for a table, the row.
        """
        from planner.errors import InputError

        path = Path(path)
        data = _parse_json(path)
        if isinstance(data, dict) and "side_file" in data:
            read_side_file(data, path)
        validate_results_dict(data, file=path)
        try:
            return cls.from_json_dict(data)
        except InputError as exc:  # the scenario's validation names its own field
            field = f"scenario.{exc.field}" if exc.field else "scenario"
            raise InputError(exc.problem, file=path, field=field) from None
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise InputError(f"results file is incomplete ({exc})", file=path) from None


def _parse_json(path: Path) -> Any:
    from planner.errors import InputError
    from planner.inputs import read_plain_bytes

    raw = read_plain_bytes(path, what="results")  # refuses folders, devices and FIFOs
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read results JSON ({exc})", file=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}; truncated "
            "or edited by hand?)",
            file=path,
        ) from None
    except (ValueError, RecursionError) as exc:  # 5,000-digit integers, absurd nesting
        raise InputError(
            f"cannot read results JSON ({type(exc).__name__}: nested too deeply or a number "
            "too long)",
            file=path,
        ) from None


INDENT_SITES = 5_000


def _frame(
    df: pd.DataFrame | None, *, index: bool = True, decimals: int = 10
) -> dict[str, Any] | None:
    """A table as ``{index, columns, data}``; numbers to ``decimals`` places."""
    if df is None:
        return None
    out = df.reset_index() if index else df
    return {
        "index": (df.index.name or "index") if index else None,
        "columns": [str(c) for c in out.columns],
        "data": json.loads(out.to_json(orient="values", double_precision=decimals)),
    }


def _unframe(obj: dict[str, Any] | None) -> pd.DataFrame | None:
    if obj is None:
        return None
    df = pd.DataFrame(obj["data"], columns=obj["columns"])
    if obj.get("index"):
        df = df.set_index(obj["index"])
    return df


def _pack_array(values: np.ndarray) -> dict[str, Any]:
    """Hourly arrays as zlib-compressed float32 in base64: a 60-site year is ~1 MB, not ~20 MB.

    float32 keeps 7 significant digits, far finer than any PUE or WUE is known.
    """
    array = np.ascontiguousarray(values, dtype="<f4")
    packed = base64.b64encode(zlib.compress(array.tobytes(), 6)).decode("ascii")
    return {"dtype": "float32", "shape": list(array.shape), "zlib_base64": packed}


def _unpack_array(obj: Any) -> np.ndarray:
    if isinstance(obj, dict):
        shape = [int(n) for n in obj["shape"]]
        size = 4 * int(np.prod(shape, dtype=np.int64))
        # Inflate no more than the shape needs: a hand-made zlib bomb stops there.
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(obj["zlib_base64"], validate=True), size + 1)
        if len(raw) != size:
            raise ValueError(f"packed array holds {len(raw)} bytes, its shape needs {size}")
        return np.frombuffer(raw, dtype="<f4").reshape(shape).astype(float)
    return np.asarray(obj, dtype=float)  # plain nested lists are accepted too


def _series(s: pd.Series) -> dict[str, Any]:
    return {"name": s.name, "index": [str(i) for i in s.index], "values": s.tolist()}


def _unseries(obj: dict[str, Any]) -> pd.Series:
    return pd.Series(obj["values"], index=pd.Index(obj["index"], name="site_id"), name=obj["name"])


# --- the side file of large runs: per-site tables in Parquet ----------------------------------

SIDE_FILE_SITES = 5_000
"""Above this many sites, :meth:`Results.save_json` writes the per-site tables to a Parquet
side file: a 100,000-site run's JSON would hold about 230 MB of them."""
SIDE_SUFFIX = ".sites.parquet"
MAX_SIDE_FILE_BYTES = 2**30
"""Largest side file read back (a 100,000-site one is some tens of MB)."""

SIDE_TABLES = (
    ("evaluation", "metrics"),
    ("evaluation", "phase_block_cost_usd"),
    ("evaluation", "phase_block_co2_t"),
    ("evaluation", "phase_block_water_m3"),
    ("evaluation", "block_site_mw"),
    ("evaluation", "rtt_ms"),
    ("evaluation", "site_fixed_cost_by_first_phase_usd"),
    ("evaluation", "site_fixed_cost_usd"),  # a series
    ("evaluation", "hourly_case_of_site"),  # a list, one row number per site
    ("evaluation", "monthly"),  # twelve rows per site
    ("", "ranking"),
    ("", "uncertainty"),
)
"""Where the per-site tables sit in a results document: ``(section, key)``."""


def side_file_path(json_path: str | Path) -> Path:
    """The side file beside a results JSON: ``results.json`` -> ``results.sites.parquet``."""
    json_path = Path(json_path)
    return json_path.with_name(json_path.stem + SIDE_SUFFIX)


def write_side_file(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Move the per-site tables of a results document (:data:`SIDE_TABLES`) to one Parquet
    table at ``path``, one row per site of ``evaluation.metrics``; returns the document's
    ``side_file`` entry: the file's name (beside the JSON), SHA-256 and each table's layout.

    Column ``<table>/<column>`` holds a table's column in site order, ``<table>/@row`` the
    site's row in that table (-1: not in it); the monthly table's ``<column>/<month>``. A
    table the layout cannot hold (a site twice or unknown, months out of order) stays in the
    JSON.
    """
    import hashlib

    from planner.outputs import write_parquet

    sites = np.asarray(_Checker.index_of(data["evaluation"]["metrics"]), dtype=object)
    columns: dict[str, Any] = {"site_id": sites}
    tables: dict[str, Any] = {}
    for section, key in SIDE_TABLES:
        holder = data[section] if section else data
        name = f"{section}.{key}" if section else key
        layout = _side_columns(holder.get(key), key, name, sites, columns)
        if layout is not None:
            tables[name] = layout
            holder.pop(key)
    wide = pd.DataFrame(columns)
    encoding = {c: _text_encoding(wide[c]) for c in wide.columns if wide[c].dtype == object}
    write_parquet(path, wide, object_encoding=encoding)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "sha256": digest, "sites": len(sites), "tables": tables}


def _side_columns(
    obj: Any, key: str, name: str, sites: np.ndarray, out: dict[str, Any]
) -> dict[str, Any] | None:
    """Add one table's columns to ``out``; its layout, or None to keep it in the JSON."""
    if obj is None:
        return None
    if key == "hourly_case_of_site":
        out[f"{name}/row"] = np.asarray(obj, dtype=np.int64)
        return {"kind": "list"}
    if key == "site_fixed_cost_usd":
        frame = pd.DataFrame({"site_id": obj["index"], "value": obj["values"]})
        layout = _side_table(frame, "site_id", name, sites, out)
        return None if layout is None else {"kind": "series", "name": obj["name"]}
    frame = pd.DataFrame(obj["data"], columns=obj["columns"])
    if key == "monthly":
        return _side_monthly(frame, name, sites, out)
    layout = _side_table(frame, obj["index"], name, sites, out)
    return None if layout is None else {"kind": "table", **layout}


def _side_table(
    frame: pd.DataFrame, index: str, name: str, sites: np.ndarray, out: dict[str, Any]
) -> dict[str, Any] | None:
    """A table indexed by site: its columns in site order and each site's row in it."""
    ids = pd.Index(frame[index])
    if not ids.is_unique or not ids.isin(sites).all():
        return None
    row = ids.get_indexer(sites)  # the site's row in the table, -1 when absent
    absent = row < 0
    out[f"{name}/@row"] = row.astype(np.int64)
    for column in frame.columns:
        if column == index:
            continue
        cells = frame[column].to_numpy()[np.maximum(row, 0)]
        if absent.any():  # null there; whole numbers stay whole (JSON text), not 1.0
            cells = cells.astype(float if cells.dtype.kind == "f" else object)
            cells[absent] = np.nan if cells.dtype.kind == "f" else None
        out[f"{name}/{column}"] = cells
    return {"index": index, "columns": [str(c) for c in frame.columns]}


def _side_monthly(
    frame: pd.DataFrame, name: str, sites: np.ndarray, out: dict[str, Any]
) -> dict[str, Any] | None:
    """The monthly table (site by site in metrics order, months 1-12) as twelve columns."""
    n = len(sites)
    canonical = (
        list(frame.columns[:2]) == ["site_id", "month"]
        and len(frame) == 12 * n
        and (frame["site_id"].to_numpy(dtype=object) == np.repeat(sites, 12)).all()
        and (frame["month"].to_numpy() == np.tile(np.arange(1, 13), n)).all()
    )
    if not canonical:
        return None
    values = list(frame.columns[2:])
    for column in values:
        by_month = frame[column].to_numpy().reshape(n, 12)
        for m in range(12):
            out[f"{name}/{column}/{m + 1}"] = by_month[:, m]
    return {"kind": "monthly", "columns": [str(c) for c in frame.columns]}


def _text_encoding(values: pd.Series) -> str:
    """utf8 for text (or null) cells, else JSON (true/false with nulls, lists)."""
    return "utf8" if all(v is None or isinstance(v, str) for v in values) else "json"


def read_side_file(data: dict[str, Any], json_path: Path) -> None:
    """Put the tables of a results document's side file back in place (the inverse of
    :func:`write_side_file`), as the JSON would have held them.

    Raises
    ------
    InputError
        The side file is missing, unreadable, not the one the JSON records (SHA-256), or
        lacks a column of its layout; the message names the side file.
    """
    import hashlib
    import io

    from planner.errors import InputError
    from planner.inputs import read_plain_bytes
    from planner.outputs import fastparquet_module

    ref = data["side_file"]
    name = ref.get("name") if isinstance(ref, dict) else None
    ok = isinstance(name, str) and name == Path(name).name and name not in ("", ".", "..")
    known = {f"{section}.{key}" if section else key for section, key in SIDE_TABLES}
    tables = ref.get("tables") if isinstance(ref, dict) else None
    if not ok or not isinstance(tables, dict) or not set(tables) <= known:
        raise InputError(
            "expected a file name beside this one, its sha256 and tables of the per-site ones",
            file=json_path,
            field="side_file",
        )
    path = json_path.parent / name
    if not path.exists():
        raise InputError(
            f"the side file that {json_path.name} names is missing (keep the two files together)",
            file=path,
        )
    raw = read_plain_bytes(path, what="results side", limit=MAX_SIDE_FILE_BYTES)
    if hashlib.sha256(raw).hexdigest() != ref.get("sha256"):
        raise InputError(
            f"the side file is not the one {json_path.name} was written with (its SHA-256 "
            "differs: replaced or damaged?)",
            file=path,
        )
    try:
        wide = fastparquet_module().ParquetFile(io.BytesIO(raw)).to_pandas()
        sites = wide["site_id"].to_numpy(dtype=object)
        for table, layout in tables.items():
            section, _, key = table.rpartition(".")
            holder = data[section] if section else data
            holder[key] = _side_table_back(wide, table, layout, sites)
    except Exception as exc:  # noqa: BLE001 - any decoder failure or missing column
        raise InputError(
            f"cannot read the side file ({type(exc).__name__}: {exc})", file=path
        ) from None


def _side_table_back(
    wide: pd.DataFrame, name: str, layout: dict[str, Any], sites: np.ndarray
) -> Any:
    """One table of the side file in the JSON's form (table, series or list)."""
    kind = layout["kind"]
    if kind == "list":
        return [int(v) for v in wide[f"{name}/row"]]
    if kind == "monthly":
        columns = layout["columns"]
        n = len(sites)
        frame = pd.DataFrame(
            {"site_id": np.repeat(sites, 12), "month": np.tile(np.arange(1, 13), n)}
        )
        for column in columns[2:]:
            frame[column] = np.column_stack(
                [wide[f"{name}/{column}/{m + 1}"].to_numpy() for m in range(12)]
            ).reshape(-1)
        return {"index": None, "columns": columns, "data": _rows(frame)}
    row = wide[f"{name}/@row"].to_numpy()
    order = np.flatnonzero(row >= 0)
    order = order[np.argsort(row[order], kind="stable")]
    if kind == "series":
        values = _rows(wide[[f"{name}/value"]].iloc[order])
        return {
            "name": layout["name"],
            "index": list(sites[order]),
            "values": [v[0] for v in values],
        }
    index = layout["index"]
    frame = pd.DataFrame(
        {
            c: sites[order] if c == index else wide[f"{name}/{c}"].to_numpy()[order]
            for c in layout["columns"]
        },
        columns=layout["columns"],
    )
    return {"index": index, "columns": layout["columns"], "data": _rows(frame)}


def _rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A table's cells as JSON would give them: plain numbers, text, true/false, null."""
    cells = frame.astype(object)
    return cells.where(frame.notna(), None).to_numpy().tolist()


# --- checking a results document before it becomes objects -----------------------------------

RESULTS_FORMAT = "gpu-site-planner-results"
ALLOCATION_STATUSES = ("optimal", "feasible", "infeasible", "error")
MAX_ABS_NUMBER = 1e15
"""Largest magnitude of a number in a results table (USD over a horizon stay below 1e13)."""

_SITE_TABLES = (
    "phase_block_cost_usd",
    "phase_block_co2_t",
    "phase_block_water_m3",
    "block_site_mw",
    "rtt_ms",
)


def validate_results_dict(data: Any, *, file: str | Path | None = None) -> None:
    """Check a parsed ``results.json`` has the structure :meth:`Results.save_json` writes.

    Top-level keys and types, each table's shape (``{index, columns, data}`` with rows as long
    as the columns), per-site tables and hourly arrays as long as ``evaluation.metrics``,
    numbers finite and below :data:`MAX_ABS_NUMBER`. The scenario is checked by
    :func:`planner.scenario.scenario_from_dict` afterwards.

    Raises
    ------
    InputError
        The first problem, naming the field (``allocation.summary``) and the row of a table.
    """
    check = _Checker(file)
    check.require(isinstance(data, dict), "", f"expected a JSON object {{...}}, got {_kind(data)}")
    check.require(
        data.get("format") == RESULTS_FORMAT,
        "format",
        f"expected '{RESULTS_FORMAT}' (not a results file written by `planner optimize`)",
    )
    for key in ("version", "created"):
        check.require(isinstance(data.get(key, ""), str), key, "expected text")
    check.require(
        isinstance(data.get("scenario"), dict),
        "scenario",
        f"expected an object, got {_kind(data.get('scenario'))}",
    )
    sites = _check_evaluation(check, check.section(data, "evaluation"))
    check.table(
        data.get("ranking"), "ranking", rows=len(sites), index="site_id", numbers=("rank", "score")
    )
    check.same_sites(data["ranking"], "ranking", sites)
    _check_allocation(check, check.section(data, "allocation"), sites)
    n_points = check.table(data.get("pareto"), "pareto", optional=True)
    allocations = data.get("pareto_allocations", [])
    check.require(
        isinstance(allocations, list) and len(allocations) <= n_points,
        "pareto_allocations",
        f"expected a list of at most {n_points} tables, one per point of the Pareto front",
    )
    for k, table in enumerate(allocations):
        check.table(table, f"pareto_allocations[{k}]", index="site_id")
        check.known_sites(table, f"pareto_allocations[{k}]", sites)
    if check.table(data.get("uncertainty"), "uncertainty", optional=True, index="site_id"):
        check.known_sites(data["uncertainty"], "uncertainty", sites)
    check.table(data.get("sensitivity"), "sensitivity", optional=True)
    _check_explanation(check, data)


BUILD_VS_RENT_NUMBERS = ("build_usd", "bridge_rent_usd", "rent_only_usd", "rent_then_build_usd")
SCOPE2_NUMBERS = (
    "location_t_per_year",
    "market_t_per_year",
    "location_t_horizon",
    "market_t_horizon",
)
CASH_FLOW_COLUMNS = (
    "year",
    "capital_usd",
    "residual_usd",
    "opex_usd",
    "energy_usd",
    "rent_usd",
    "carbon_usd",
    "present_value_usd",
)


def _check_explanation(check: _Checker, data: dict[str, Any]) -> None:
    """The optional explanation of the allocation: absent or null in older results."""
    bvr = data.get("build_vs_rent")
    if bvr is not None:
        check.require(
            isinstance(bvr, dict), "build_vs_rent", f"expected an object, got {_kind(bvr)}"
        )
        for key in BUILD_VS_RENT_NUMBERS:
            check.require(key in bvr, f"build_vs_rent.{key}", "missing")
            check.numbers([bvr[key]], f"build_vs_rent.{key}")
        check.require(isinstance(bvr.get("verdict"), str), "build_vs_rent.verdict", "expected text")
    if check.table(data.get("cash_flows"), "cash_flows", optional=True, numbers=CASH_FLOW_COLUMNS):
        for k, row in enumerate(data["cash_flows"]["data"]):
            check.numbers([v for v in row if v is not None], "cash_flows", k + 1)
    s2 = data.get("scope2")
    if s2 is not None:
        check.require(isinstance(s2, dict), "scope2", f"expected an object, got {_kind(s2)}")
        for key in SCOPE2_NUMBERS:
            check.require(key in s2, f"scope2.{key}", "missing")
            check.numbers([s2[key]], f"scope2.{key}")
    _check_recommendation(check, data.get("recommendation"))


RECOMMENDATION_TEXT = ("objective", "why")
ALTERNATIVE_NUMBERS = ("cost_usd", "delta_cost_usd", "delta_co2_t", "delta_water_m3")


def _check_recommendation(check: _Checker, rec: Any) -> None:
    """The optional recommendation: absent or null in older results and when infeasible."""
    if rec is None:
        return
    check.require(isinstance(rec, dict), "recommendation", f"expected an object, got {_kind(rec)}")
    for key in RECOMMENDATION_TEXT:
        check.require(isinstance(rec.get(key), str), f"recommendation.{key}", "expected text")
    for key in ("sites", "alternatives"):
        check.require(
            isinstance(rec.get(key), list),
            f"recommendation.{key}",
            f"expected a list, got {_kind(rec.get(key))}",
        )
    for k, site in enumerate(rec["sites"]):
        where = f"recommendation.sites[{k}]"
        check.require(isinstance(site, dict), where, f"expected an object, got {_kind(site)}")
        for key in ("site_id", "name", "gpus", "share"):
            check.require(key in site, f"{where}.{key}", "missing")
        check.numbers([site["gpus"], site["share"]], where)
    for k, alt in enumerate(rec["alternatives"]):
        where = f"recommendation.alternatives[{k}]"
        check.require(isinstance(alt, dict), where, f"expected an object, got {_kind(alt)}")
        for key in ("site_id", "name", "role", "sentence", *ALTERNATIVE_NUMBERS):
            check.require(key in alt, f"{where}.{key}", "missing")
        check.require(isinstance(alt["sentence"], str), f"{where}.sentence", "expected text")
        # Infeasible alternatives carry nulls.
        check.numbers([alt[key] for key in ALTERNATIVE_NUMBERS if alt[key] is not None], where)
    _check_switching(check, rec.get("switching_values"))
    _check_robustness(check, rec.get("robustness"))


ROBUSTNESS_NUMBERS = (
    "draws",
    "p_same_sites",
    "cost_p10_usd",
    "cost_p50_usd",
    "cost_p90_usd",
    "usd_per_gpu_hour_p10",
    "usd_per_gpu_hour_p50",
    "usd_per_gpu_hour_p90",
    "regret_p50_usd",
    "regret_p90_usd",
)


def _check_robustness(check: _Checker, rob: Any) -> None:
    """The optional robustness (absent in older results, null without Monte Carlo draws)."""
    if rob is None:
        return
    where = "recommendation.robustness"
    check.require(isinstance(rob, dict), where, f"expected an object, got {_kind(rob)}")
    for key in (*ROBUSTNESS_NUMBERS, "p_in_optimum", "sentence"):
        check.require(key in rob, f"{where}.{key}", "missing")
    check.numbers([rob[key] for key in ROBUSTNESS_NUMBERS if rob[key] is not None], where)
    p_in = rob["p_in_optimum"]
    check.require(
        isinstance(p_in, dict), f"{where}.p_in_optimum", f"expected an object, got {_kind(p_in)}"
    )
    check.numbers(list(p_in.values()), f"{where}.p_in_optimum")
    check.require(
        all(0.0 <= p <= 1.0 for p in p_in.values()),
        f"{where}.p_in_optimum",
        "expected probabilities between 0 and 1",
    )
    check.require(isinstance(rob["sentence"], str), f"{where}.sentence", "expected text")


def _check_switching(check: _Checker, rows: Any) -> None:
    """The optional switching values (absent in older results); no change has a null value."""
    if rows is None:
        return
    check.require(
        isinstance(rows, list),
        "recommendation.switching_values",
        f"expected a list, got {_kind(rows)}",
    )
    for k, row in enumerate(rows):
        where = f"recommendation.switching_values[{k}]"
        check.require(isinstance(row, dict), where, f"expected an object, got {_kind(row)}")
        for key in ("parameter", "base", "value", "direction", "new_sites", "sentence"):
            check.require(key in row, f"{where}.{key}", "missing")
        for key in ("parameter", "sentence"):
            check.require(isinstance(row[key], str), f"{where}.{key}", "expected text")
        check.require(
            row["direction"] in ("up", "down", None),
            f"{where}.direction",
            f"expected up, down or null, got {row['direction']!r}",
        )
        check.texts(row["new_sites"], f"{where}.new_sites")
        check.numbers([row[key] for key in ("base", "value") if row[key] is not None], where)


def _cfe_json(ev: Evaluation) -> dict[str, Any]:
    """The 24/7 matching arrays of a results document (none without matching)."""
    if ev.cfe_case_of_site is None or ev.hourly_cfe is None or ev.hourly_grid_cfe is None:
        return {}
    return {
        "hourly_cfe": _pack_array(ev.hourly_cfe),
        "hourly_grid_cfe": _pack_array(ev.hourly_grid_cfe),
        "cfe_case_of_site": [int(c) for c in ev.cfe_case_of_site],
    }


def _cfe_arrays(ev: dict[str, Any]) -> dict[str, Any]:
    if ev.get("cfe_case_of_site") is None:
        return {}
    return {
        "hourly_cfe": _unpack_array(ev["hourly_cfe"]),
        "hourly_grid_cfe": _unpack_array(ev["hourly_grid_cfe"]),
        "cfe_case_of_site": np.asarray(ev["cfe_case_of_site"], dtype=int),
    }


def _check_hourly_cases(
    check: _Checker, cases: Any, n: int, where: str = "evaluation.hourly_case_of_site"
) -> int:
    """Rows the hourly arrays must have: one per site, or as many as ``hourly_case_of_site``
    (one index per site, each in range) names."""
    if cases is None:
        return n
    check.require(
        isinstance(cases, list) and len(cases) == n,
        where,
        f"expected a list of {n} row numbers, one per site",
    )
    check.require(
        all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in cases),
        where,
        "expected whole numbers from 0",
    )
    return max(cases, default=-1) + 1


def _check_evaluation(check: _Checker, ev: dict[str, Any]) -> list[str]:
    """Check the evaluation section; returns the site ids of its metrics table."""
    n = check.table(
        ev.get("metrics"), "evaluation.metrics", index="site_id", numbers=("lat", "lon")
    )
    sites = check.index_of(ev["metrics"])
    for name in _SITE_TABLES:
        check.table(ev.get(name), f"evaluation.{name}", rows=n, index="site_id")
        check.same_sites(ev[name], f"evaluation.{name}", sites)
    check.table(
        ev.get("site_fixed_cost_by_first_phase_usd"),
        "evaluation.site_fixed_cost_by_first_phase_usd",
        rows=n,
        optional=True,
    )
    check.table(ev.get("monthly"), "evaluation.monthly")
    check.unique_rows(ev["monthly"], "evaluation.monthly", key=("site_id", "month"))
    check.known_sites(ev["monthly"], "evaluation.monthly", sites, column="site_id")
    check.table(ev.get("provenance"), "evaluation.provenance")
    check.unique_rows(ev["provenance"], "evaluation.provenance")
    fixed = ev.get("site_fixed_cost_usd")
    where = "evaluation.site_fixed_cost_usd"
    check.require(
        isinstance(fixed, dict)
        and isinstance(fixed.get("index"), list)
        and isinstance(fixed.get("values"), list),
        where,
        "expected a series {name, index, values}",
    )
    check.require(
        len(fixed["index"]) == len(fixed["values"]) == n,
        where,
        f"expected {n} values, one per site of evaluation.metrics",
    )
    check.numbers(fixed["values"], where)
    as_table = {"index": "site_id", "columns": ["site_id"], "data": [[i] for i in fixed["index"]]}
    check.table(as_table, where, index="site_id")
    check.same_sites(as_table, where, sites)
    rows = _check_hourly_cases(check, ev.get("hourly_case_of_site"), n)
    for name in ("hourly_pue", "hourly_wue_l_per_kwh"):
        check.array(ev.get(name), f"evaluation.{name}", (rows, 8760))
    if ev.get("hourly_it_kw") is not None:
        check.array(ev["hourly_it_kw"], "evaluation.hourly_it_kw", (8760,))
    if ev.get("cfe_case_of_site") is not None:
        rows = _check_hourly_cases(check, ev["cfe_case_of_site"], n, "evaluation.cfe_case_of_site")
        for name in ("hourly_cfe", "hourly_grid_cfe"):
            check.array(ev.get(name), f"evaluation.{name}", (rows, 8760))
    useful = ev.get("useful_gpu_hours_per_gpu_month")
    if useful is not None:
        where = "evaluation.useful_gpu_hours_per_gpu_month"
        check.require(
            isinstance(useful, list) and len(useful) == 12, where, "expected a list of 12 numbers"
        )
        check.numbers(useful, where)
    check.texts(ev.get("warnings", []), "evaluation.warnings")
    return sites


def _check_allocation(check: _Checker, al: dict[str, Any], sites: list[str]) -> None:
    check.require(
        al.get("status") in ALLOCATION_STATUSES,
        "allocation.status",
        f"expected one of {', '.join(ALLOCATION_STATUSES)}",
    )
    check.require(isinstance(al.get("message"), str), "allocation.message", "expected text")
    for key in ("objective_usd", "gap"):
        if al.get(key) is not None:
            check.numbers([al[key]], f"allocation.{key}")
    for key in ("blocks", "gpus", "summary"):
        if check.table(al.get(key), f"allocation.{key}", optional=True, index="site_id"):
            check.known_sites(al[key], f"allocation.{key}", sites)
    check.texts(al.get("binding", []), "allocation.binding")


class _Checker:
    """Small checks that raise one :class:`InputError` naming the file and field."""

    def __init__(self, file: str | Path | None) -> None:
        self.file = file

    def fail(self, field: str, problem: str, row: int | None = None) -> None:
        from planner.errors import InputError

        raise InputError(problem, file=self.file, row=row, field=field or None)

    def require(self, ok: bool, field: str, problem: str) -> None:
        if not ok:
            self.fail(field, problem)

    def section(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key)
        self.require(isinstance(value, dict), key, f"expected an object, got {_kind(value)}")
        return value

    def texts(self, values: Any, field: str) -> None:
        self.require(
            isinstance(values, list) and all(isinstance(v, str) for v in values),
            field,
            "expected a list of text",
        )

    def numbers(self, values: list[Any], field: str, row: int | None = None) -> None:
        for value in values:
            if not _is_number(value):
                self.fail(field, f"expected a number, got {_kind(value)}", row)
            if abs(value) > MAX_ABS_NUMBER or not math.isfinite(value):  # ints never overflow
                shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:12] + "..."
                self.fail(
                    field,
                    f"expected a finite number of magnitude below "
                    f"{MAX_ABS_NUMBER:g}, got {shown} (edited by hand?)",
                    row,
                )

    def table(
        self,
        obj: Any,
        field: str,
        *,
        rows: int | None = None,
        optional: bool = False,
        index: str | None = None,
        numbers: tuple[str, ...] = (),
    ) -> int:
        """Check a table ``{index, columns, data}``; returns its number of rows."""
        if obj is None and optional:
            return 0
        self.require(
            isinstance(obj, dict)
            and isinstance(obj.get("columns"), list)
            and isinstance(obj.get("data"), list),
            field,
            f"expected a table {{index, columns, data}}, got {_kind(obj)}",
        )
        columns, data = obj["columns"], obj["data"]
        self.require(
            all(isinstance(c, str) for c in columns), field, "expected column names as text"
        )
        self.require(len(set(columns)) == len(columns), field, "a column name appears twice")
        if index is not None or obj.get("index") is not None:
            name = index or obj.get("index")
            self.require(
                obj.get("index") == name and name in columns,
                field,
                f"expected the index column '{_shown(str(name))}'",
            )
        for k, row in enumerate(data):
            if not isinstance(row, list) or len(row) != len(columns):
                self.fail(field, f"expected a row of {len(columns)} cells", k + 1)
        if rows is not None:
            self.require(
                len(data) == rows,
                field,
                f"{len(data)} rows, expected {rows} (one per site of evaluation.metrics)",
            )
        if obj.get("index") is not None:
            self._unique_index(obj, field)
        for k, row in enumerate(data):
            self._cells(row, field, k + 1)
        for col in numbers:
            self.require(col in columns, field, f"missing column '{col}'")
            j = columns.index(col)
            for k, row in enumerate(data):
                if row[j] is not None and not _is_number(row[j]):
                    self.fail(f"{field}.{col}", f"expected a number, got {_kind(row[j])}", k + 1)
        return len(data)

    def _unique_index(self, obj: dict[str, Any], field: str) -> None:
        """Index cells are text and each appears once (a pasted-twice table stops here)."""
        j = obj["columns"].index(obj["index"])
        seen: set[str] = set()
        for k, row in enumerate(obj["data"]):
            key = row[j]
            if not isinstance(key, str):
                self.fail(field, f"expected the {obj['index']} as text, got {_kind(key)}", k + 1)
            if key in seen:
                self.fail(field, f"the {obj['index']} '{_shown(key)}' appears twice", k + 1)
            seen.add(key)

    def unique_rows(self, obj: dict[str, Any], field: str, key: tuple[str, ...] = ()) -> None:
        """No two rows alike (in the ``key`` columns, or whole): a repeated table stops here."""
        for col in key:
            self.require(col in obj["columns"], field, f"missing column '{col}'")
        cols = [obj["columns"].index(c) for c in key] or range(len(obj["columns"]))
        seen: set[str] = set()
        for k, row in enumerate(obj["data"]):
            # JSON text as the key: cells may be lists (provenance's monthly factors).
            text = json.dumps([row[j] for j in cols])
            if text in seen:
                what = f"the {', '.join(key)}" if key else "the row"
                self.fail(field, f"{what} appears twice (a pasted or repeated table?)", k + 1)
            seen.add(text)

    @staticmethod
    def index_of(obj: dict[str, Any], column: str | None = None) -> list[str]:
        """The index (or ``column``) of a table :meth:`table` has checked."""
        j = obj["columns"].index(column or obj["index"])
        return [row[j] for row in obj["data"]]

    def known_sites(
        self, obj: dict[str, Any], field: str, sites: list[str], column: str | None = None
    ) -> None:
        """Every site of the table is a site of ``evaluation.metrics``."""
        known = set(sites)
        for k, site in enumerate(self.index_of(obj, column)):
            if not isinstance(site, str) or site not in known:
                self.fail(
                    field,
                    f"site '{_shown(str(site))}' is not in evaluation.metrics (edited by hand?)",
                    k + 1,
                )

    def same_sites(self, obj: dict[str, Any], field: str, sites: list[str]) -> None:
        """The table has one row for each site of ``evaluation.metrics``, and no other."""
        self.known_sites(obj, field, sites)
        missing = set(sites) - set(self.index_of(obj))
        if missing:
            first = next(s for s in sites if s in missing)
            self.fail(field, f"no row for site '{_shown(first)}' of evaluation.metrics")

    def _cells(self, row: list[Any], field: str, k: int) -> None:
        # Lists are real cells too: provenance holds parameter lists such as 12 monthly factors.
        for cell in row:
            if _is_number(cell):
                self.numbers([cell], field, k)

    def array(self, obj: Any, field: str, shape: tuple[int, ...]) -> None:
        packed = isinstance(obj, dict) and isinstance(obj.get("zlib_base64"), str)
        self.require(
            packed and obj.get("shape") == list(shape),
            field,
            f"expected a packed array of shape {list(shape)}",
        )
        try:
            values = _unpack_array(obj)
        except (ValueError, zlib.error) as exc:
            self.fail(field, f"the packed array is damaged ({exc})")
        if not np.isfinite(values).all():
            self.fail(field, "the array holds values that are not finite numbers")


def _shown(text: str, limit: int = 40) -> str:
    """A site id as quoted in a message: printable, at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        type(None): "null",
        int: "a number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)
