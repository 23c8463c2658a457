"""Sweep files: a base scenario, axes of values and how they combine into points.

A sweep file is TOML::

    [sweep]
    base = "scenario.toml"      # relative to this file, or a bundled example's name
    mode = "product"            # or "zip"

    [sweep.axes]
    "fleet.phases[0].count" = [4096, 8192]
    "objective.carbon_price_usd_per_t" = [0, 100]
    "sites.catalog" = ["eu.csv", "us.csv"]      # paths relative to this file

    [[sweep.linked]]            # axes that move together (zipped), as HOMER's linked
    axes = ["energy.ppa_share", "energy.ppa_strike_usd_per_mwh"]   # sensitivities

Axes are grouped: each ``[[sweep.linked]]`` group is zipped (its axes have as many values),
every other axis is a group of its own, and the groups are combined by ``mode``: ``product``
(every combination, the first group varying slowest) or ``zip`` (the n-th value of every
group; all groups of one length).

Each point has a stable id, a short hash of its sorted axis values (:func:`point_id`), so the
same values give the same id in any sweep file and order. :func:`point_scenario` merges a
point into the base scenario and validates it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import InputError

MODES = ("product", "zip")
MAX_POINTS = 100_000
"""Largest sweep accepted: a product of a few long axes grows fast, and a table of more points
than this is better cut into several sweeps."""
MAX_SWEEP_BYTES = 1_000_000
ID_CHARS = 12
"""Hex characters of a point id: 48 bits, so two of 100,000 points share one with a chance
of about 2 in 100 million (checked anyway)."""

# Scenario fields that hold a path: a value given on an axis is relative to the sweep file.
PATH_FIELDS = frozenset(
    {
        "sites.catalog",
        "sites.regions_file",
        "sites.exclusion_zones_file",
        "energy.price_file",
        "energy.carbon_file",
        "energy.cfe_file",
    }
)
WEATHER_FILES = "sites.weather_files"

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_SEGMENT = re.compile(rf"({_NAME})((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its id and the value of each axis (as written in the file)."""

    id: str
    values: dict[str, Any]

    def label(self) -> str:
        """``fleet.phases[0].count=4096, objective.carbon_price_usd_per_t=0``."""
        return ", ".join(f"{axis}={format_value(v)}" for axis, v in self.values.items())


@dataclass
class SweepSpec:
    """A parsed sweep file.

    Attributes
    ----------
    file : Path
        The sweep file (its folder anchors relative paths).
    base : str
        ``base`` as written.
    base_file : Path
        The base scenario file (a bundled example's file for a name).
    base_data : dict
        The base scenario, validated, as a plain dict with absolute paths and defaults.
    mode : str
        ``product`` or ``zip``.
    axes : dict
        Axis path -> list of values, in file order.
    linked : list of list of str
        Groups of axes that move together.
    """

    file: Path
    base: str
    base_file: Path
    base_data: dict[str, Any]
    mode: str
    axes: dict[str, list[Any]]
    linked: list[list[str]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.file.resolve().parent

    def groups(self) -> list[list[str]]:
        """Axis groups in file order of their first axis: linked ones, and single axes."""
        linked_of = {axis: group for group in self.linked for axis in group}
        out: list[list[str]] = []
        for axis in self.axes:
            group = linked_of.get(axis, [axis])
            if group not in out:
                out.append(group)
        return out

    def size(self) -> int:
        lengths = [len(self.axes[g[0]]) for g in self.groups()]
        if self.mode == "zip":
            return lengths[0] if lengths else 0
        return math.prod(lengths)

    def points(self) -> list[Point]:
        """Every point, in sweep order (product: the first group varies slowest)."""
        return list(self._iter_points())

    def _iter_points(self) -> Iterator[Point]:
        groups = self.groups()
        columns = [range(len(self.axes[g[0]])) for g in groups]
        combos = zip(*columns, strict=True) if self.mode == "zip" else itertools.product(*columns)
        for combo in combos:
            values = {}
            for group, i in zip(groups, combo, strict=True):
                for axis in group:
                    values[axis] = self.axes[axis][i]
            ordered = {axis: values[axis] for axis in self.axes}
            yield Point(point_id(ordered), ordered)

    def base_hash(self) -> str:
        """A hash of the base scenario's content (what a resumed sweep must share)."""
        return _digest(self.base_data)


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def point_id(values: dict[str, Any]) -> str:
    """A short, stable hash of a point's axis values (sorted by axis): 12 hex characters."""
    return _digest(dict(sorted(values.items())))[:ID_CHARS]


def format_value(value: Any) -> str:
    """A value as it reads in a label: numbers plainly, text as is, lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:g}"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


# --- reading ------------------------------------------------------------------------------


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; load its base scenario.

    Raises
    ------
    InputError
        Naming the sweep file and the field (``sweep.axes."fleet.phases[0].count"``) for a
        missing or misspelt key, an axis path that is not a dotted path, an empty or
        repeated value list, linked axes of different lengths, zipped groups of different
        lengths, a sweep of more than :data:`MAX_POINTS` points, or a base scenario that does
        not load (its own message).
    """
    path = Path(path)
    from planner.inputs import check_regular_file

    if not path.exists():
        raise InputError("no such sweep file", file=path)
    check_regular_file(path, what="sweep")
    raw = path.read_bytes()[: MAX_SWEEP_BYTES + 1]
    if len(raw) > MAX_SWEEP_BYTES:
        raise InputError(f"a sweep file has at most {MAX_SWEEP_BYTES:,} bytes", file=path)
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("not a text file in UTF-8", file=path) from None
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        raise InputError(f"not valid TOML ({exc})", file=path) from None
    return sweep_from_dict(data, file=path)


def sweep_from_dict(data: dict[str, Any], *, file: Path) -> SweepSpec:
    """Check a parsed sweep file (see :func:`load_sweep`)."""

    def bad(problem: str, where: str) -> InputError:
        return InputError(problem, file=file, field=where)

    extra = sorted(set(data) - {"sweep"})
    if extra:
        raise bad("is not a known table (a sweep file holds [sweep] only)", extra[0])
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise bad("is required but missing", "sweep")
    extra = sorted(set(sweep) - {"base", "mode", "axes", "linked"})
    if extra:
        raise bad("is not a known field (check its spelling)", f"sweep.{extra[0]}")
    base = sweep.get("base")
    if not isinstance(base, str) or not base.strip():
        raise bad("expected the base scenario's file or a bundled example's name", "sweep.base")
    mode = sweep.get("mode", "product")
    if mode not in MODES:
        raise bad(f"expected one of {', '.join(MODES)} (got {mode!r})", "sweep.mode")
    axes = sweep.get("axes")
    if not isinstance(axes, dict) or not axes:
        raise bad("expected at least one axis: a scenario field and a list of values", "sweep.axes")
    checked: dict[str, list[Any]] = {}
    for axis, values in axes.items():
        where = f'sweep.axes."{axis}"'
        try:
            parse_path(axis)
        except ValueError as exc:
            raise bad(str(exc), where) from None
        if not isinstance(values, list) or not values:
            raise bad("expected a non-empty list of values", where)
        seen: set[str] = set()
        for value in values:
            key = _digest(value)
            if key in seen:
                raise bad(f"the value {format_value(value)} is listed twice", where)
            seen.add(key)
            if isinstance(value, float) and not math.isfinite(value):
                raise bad("expected finite numbers (no nan or inf)", where)
        checked[axis] = values
    linked = _linked_groups(sweep.get("linked", []), checked, bad)
    spec = SweepSpec(
        file=file,
        base=base,
        base_file=file,  # replaced below
        base_data={},
        mode=mode,
        axes=checked,
        linked=linked,
    )
    lengths = {g[0]: len(checked[g[0]]) for g in spec.groups()}
    if mode == "zip" and len(set(lengths.values())) > 1:
        raise bad(
            "in zip mode every axis (or linked group) needs as many values; got "
            + ", ".join(f"{a}: {n}" for a, n in lengths.items()),
            "sweep.axes",
        )
    if spec.size() > MAX_POINTS:
        raise bad(
            f"the sweep has {spec.size():,} points; at most {MAX_POINTS:,} are supported "
            "(use fewer values, linked axes or zip mode)",
            "sweep.axes",
        )
    spec.base_file = base_scenario_file(base, spec.folder)
    spec.base_data = _base_data(spec.base_file)
    return spec


def _linked_groups(value: Any, axes: dict[str, list[Any]], bad: Any) -> list[list[str]]:
    if not isinstance(value, list):
        raise bad("expected [[sweep.linked]] tables, each with axes = [...]", "sweep.linked")
    groups: list[list[str]] = []
    owner: dict[str, int] = {}
    for i, table in enumerate(value):
        where = f"sweep.linked[{i}]"
        if not isinstance(table, dict) or set(table) != {"axes"}:
            raise bad("expected one key, axes = [axis names of [sweep.axes]]", where)
        names = table["axes"]
        if not isinstance(names, list) or len(names) < 2:
            raise bad("expected a list of at least two axis names", f"{where}.axes")
        for name in names:
            if not isinstance(name, str) or name not in axes:
                raise bad(f"'{name}' is not an axis of [sweep.axes]", f"{where}.axes")
            if name in owner:
                raise bad(f"'{name}' is already linked in sweep.linked[{owner[name]}]", where)
            owner[name] = i
        lengths = {name: len(axes[name]) for name in names}
        if len(set(lengths.values())) > 1:
            raise bad(
                "linked axes move together and need as many values; got "
                + ", ".join(f"{a}: {n}" for a, n in lengths.items()),
                f"{where}.axes",
            )
        groups.append(list(names))
    return groups


def base_scenario_file(base: str, folder: Path) -> Path:
    """``base`` as a file relative to ``folder``, or a bundled example's file by its name."""
    from planner.paths import example_scenario

    path = Path(base)
    path = path if path.is_absolute() else folder / path
    if path.exists() or Path(base).suffix:
        return path
    try:
        return example_scenario(base)
    except FileNotFoundError:
        return path


def _base_data(base_file: Path) -> dict[str, Any]:
    from planner.scenario import load_scenario, scenario_to_dict

    return scenario_to_dict(load_scenario(base_file))


# --- merging ------------------------------------------------------------------------------


def parse_path(text: str) -> list[str | int]:
    """``"fleet.phases[0].count"`` -> ``["fleet", "phases", 0, "count"]``.

    Raises
    ------
    ValueError
        For text that is not a dotted path of names with optional ``[index]`` parts.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("expected a dotted scenario field such as fleet.phases[0].count")
    out: list[str | int] = []
    for part in text.split("."):
        match = _SEGMENT.fullmatch(part)
        if not match:
            raise ValueError(
                f"'{text}' is not a dotted scenario field (names, dots and [index], such as "
                "fleet.phases[0].count)"
            )
        out.append(match.group(1))
        out += [int(i) for i in _INDEX.findall(match.group(2))]
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` of ``data`` (tables made where missing).

    Raises
    ------
    InputError
        An index past the end of a list, or a path through a value that is no table or list;
        the field is ``path``.
    """
    parts = parse_path(path)
    node: Any = data
    walked = ""
    for part, nxt in zip(parts, parts[1:] + [None], strict=True):
        here = (
            f"{walked}[{part}]"
            if isinstance(part, int)
            else (f"{walked}.{part}" if walked else part)
        )
        if isinstance(part, int):
            if not isinstance(node, list):
                raise InputError(f"{walked} is not a list", field=path)
            if part >= len(node):
                raise InputError(
                    f"{walked} has {len(node)} entr{'y' if len(node) == 1 else 'ies'} in the "
                    f"base scenario; index {part} is past the end",
                    field=path,
                )
        elif not isinstance(node, dict):
            raise InputError(f"{walked} is not a table", field=path)
        if nxt is None:
            node[part] = value
            return
        if isinstance(node, dict) and part not in node:
            node[part] = [] if isinstance(nxt, int) else {}
        node = node[part]
        walked = here


def resolve_value(axis: str, value: Any, folder: Path) -> Any:
    """A path-valued axis's value made absolute against ``folder`` (the sweep file's)."""

    def absolute(v: Any) -> Any:
        if not isinstance(v, str) or not v.strip() or "\x00" in v:
            return v  # validation says what is wrong with it
        p = Path(v)
        return str(p if p.is_absolute() else (folder / p).resolve())

    if axis in PATH_FIELDS:
        return value if value == "default" and axis == "sites.catalog" else absolute(value)
    if axis.startswith(WEATHER_FILES + "."):
        return absolute(value)
    if axis == WEATHER_FILES and isinstance(value, dict):
        return {k: absolute(v) for k, v in value.items()}
    return value


def point_dict(spec: SweepSpec, point: Point) -> dict[str, Any]:
    """The base scenario with the point's values written in (not validated)."""
    data = json.loads(json.dumps(spec.base_data))  # a deep copy of plain data
    for axis, value in point.values.items():
        set_path(data, axis, resolve_value(axis, value, spec.folder))
    return data


def point_scenario(spec: SweepSpec, point: Point) -> Any:
    """The point's scenario, validated (:func:`planner.scenario.scenario_from_dict`).

    Raises
    ------
    InputError
        The first problem, naming the field.
    """
    from planner.scenario import scenario_from_dict

    return scenario_from_dict(point_dict(spec, point))


def describe(points: Sequence[Point]) -> list[dict[str, Any]]:
    """The manifest's view of the points: id and axis values."""
    return [{"id": p.id, "values": p.values} for p in points]
