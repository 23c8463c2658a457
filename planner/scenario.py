"""Scenario files: the TOML a planner writes, validated into typed objects.

A scenario says what fleet to place (phases of GPUs over time), how it runs, how the
buildings are cooled and built, how energy is bought, which sites to consider, what to
optimise and which rules the answer must obey. :func:`load_scenario` reads and validates
a file, :func:`save_scenario` writes one atomically; ``load_scenario(save_scenario(s)) == s``.

Paths inside a scenario (site files, hourly price files...) are relative to the scenario
file's folder; they are resolved to absolute paths on load and written back relative where
possible on save.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.errors import InputError

COOLING_TECHNOLOGIES = (
    "air-economizer",
    "water-economizer",
    "air-chiller",
    "evaporative",
    "liquid-dtc",
)
"""Cooling technology ids understood by :mod:`planner.cooling` (plus ``"auto"``)."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


class Workload(StrEnum):
    training = "training"
    inference = "inference"


class Tier(StrEnum):
    """Uptime Institute redundancy tiers."""

    I = "I"  # noqa: E741 - the tier's own name
    II = "II"
    III = "III"
    IV = "IV"


class ScenarioInfo(_Section):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    horizon_years: int = Field(10, ge=1, le=30)
    discount_rate: float = Field(0.08, ge=0.0, le=0.5)
    start_year: int = Field(2026, ge=2000, le=2100)


class Phase(_Section):
    """GPUs of one model that start work in a given month (0 = first month of the horizon)."""

    gpu: str = Field(min_length=1)
    count: int = Field(gt=0, le=10_000_000)
    start_month: int = Field(0, ge=0)


class Fleet(_Section):
    workload: Workload = Workload.training
    utilization: Fraction = Field(0.8, description="share of GPU-hours doing useful work")
    network_overhead_fraction: float = Field(
        0.07, ge=0.0, le=0.5, description="network and storage power as a share of GPU node power"
    )
    block_gpus: int = Field(1024, gt=0, description="allocation granularity: GPUs per block")
    gpus_per_rack: int | None = Field(
        None, gt=0, le=1024, description="GPUs per rack; none = each GPU model's typical rack"
    )
    monthly_load_factor: list[float] | None = Field(
        None, description="12 multipliers (January first) for a seasonal load, max 1"
    )
    phases: list[Phase] = Field(min_length=1)

    @field_validator("monthly_load_factor")
    @classmethod
    def _twelve_months(cls, value: list[float] | None) -> list[float] | None:
        if value is not None:
            if len(value) != 12:
                raise ValueError(f"expected 12 monthly values, got {len(value)}")
            if any(v < 0 or v > 1 for v in value):
                raise ValueError("expected every monthly factor between 0 and 1")
        return value

    @property
    def total_gpus(self) -> int:
        return sum(p.count for p in self.phases)


class Cooling(_Section):
    technology: Literal["auto", *COOLING_TECHNOLOGIES] = "auto"  # type: ignore[valid-type]
    preset: Literal["hyperscale", "legacy-enterprise"] = "hyperscale"
    allow_water_cooling_above_stress: float = Field(
        5.0,
        ge=0.0,
        le=5.0,
        description="auto rules out evaporative cooling above this water stress",
    )


class Facility(_Section):
    tier: Tier = Tier.III
    build_lead_months: int = Field(18, ge=0, le=120, description="design and construction time")


class Energy(_Section):
    tariff: Literal["flat", "time-of-use"] = "flat"
    price_file: Path | None = Field(None, description="hourly price CSV, USD/MWh, 8760 rows")
    carbon_file: Path | None = Field(None, description="hourly carbon CSV, gCO2/kWh, 8760 rows")
    price_escalation_per_year: float = Field(0.02, ge=-0.2, le=0.5)
    demand_charge_usd_per_kw_month: NonNegative = 0.0
    ppa_share: Fraction = 0.0
    ppa_strike_usd_per_mwh: NonNegative = 60.0
    ppa_carbon_free: bool = True
    cloud_gpu_hour_usd: NonNegative = Field(2.5, description="rent price to compare building with")


class Sites(_Section):
    catalog: str = Field("default", description='"default" or a path to a site file')
    regions_file: Path | None = None
    include_countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-2")
    exclude_countries: list[str] = Field(default_factory=list)
    include_regions: list[str] = Field(default_factory=list)
    exclusion_zones_file: Path | None = None
    weather_files: dict[str, Path] = Field(
        default_factory=dict, description="site id -> EPW or TMY3 file replacing its normals"
    )

    @field_validator("include_countries", "exclude_countries")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        for code in value:
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"expected two-letter ISO country codes, got '{code}'")
        return [c.upper() for c in value]


class Weights(_Section):
    cost: NonNegative = 0.4
    carbon: NonNegative = 0.2
    water: NonNegative = 0.1
    latency: NonNegative = 0.1
    risk: NonNegative = 0.1
    time_to_power: NonNegative = 0.1

    @model_validator(mode="after")
    def _not_all_zero(self) -> Weights:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in type(self).model_fields}


class Objective(_Section):
    weights: Weights = Field(default_factory=Weights)
    cost_metric: Literal["usd_per_gpu_hour", "tco"] = "usd_per_gpu_hour"
    carbon_price_usd_per_t: NonNegative = 0.0


class DemandCenter(_Section):
    name: str
    weight: NonNegative = 1.0


class LatencyRule(_Section):
    """At least ``min_share`` of the fleet sits within ``max_rtt_ms`` of a demand center."""

    demand_center: str
    max_rtt_ms: float = Field(gt=0)
    min_share: Fraction = 1.0


class Constraints(_Section):
    min_sites: int = Field(1, ge=1)
    max_sites: int = Field(5, ge=1)
    max_share_per_site: Fraction = 1.0
    min_grid_regions: int = Field(1, ge=1)
    allowed_countries: list[str] = Field(default_factory=list, description="data residency")
    max_water_stress: float = Field(5.0, ge=0.0, le=5.0)
    max_time_to_power_months: int | None = Field(None, ge=0)
    latency: list[LatencyRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sites_order(self) -> Constraints:
        if self.min_sites > self.max_sites:
            raise ValueError(f"min_sites ({self.min_sites}) exceeds max_sites ({self.max_sites})")
        return self

    @field_validator("allowed_countries")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        return Sites._iso2(value)


class Uncertainty(_Section):
    """Spreads for Monte Carlo draws, as one-sigma relative changes (lognormal)."""

    draws: int = Field(0, ge=0, le=100_000)
    seed: int = 12345
    price_sigma: NonNegative = 0.2
    carbon_sigma: NonNegative = 0.15
    pue_sigma: NonNegative = 0.03
    growth_sigma: NonNegative = 0.2
    top_k: int = Field(3, ge=1)


class Analysis(_Section):
    pareto_points: int = Field(0, ge=0, le=200, description="0 = no Pareto front")
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    sensitivity: bool = True


class Scenario(_Section):
    scenario: ScenarioInfo
    fleet: Fleet
    cooling: Cooling = Field(default_factory=Cooling)
    facility: Facility = Field(default_factory=Facility)
    energy: Energy = Field(default_factory=Energy)
    sites: Sites = Field(default_factory=Sites)
    objective: Objective = Field(default_factory=Objective)
    demand: list[DemandCenter] = Field(default_factory=list)
    constraints: Constraints = Field(default_factory=Constraints)
    analysis: Analysis = Field(default_factory=Analysis)

    @model_validator(mode="after")
    def _phases_inside_horizon(self) -> Scenario:
        months = self.scenario.horizon_years * 12
        for i, phase in enumerate(self.fleet.phases):
            if phase.start_month >= months:
                raise ValueError(
                    f"fleet.phases[{i}].start_month {phase.start_month} is beyond the "
                    f"{months}-month horizon"
                )
        return self

    @property
    def name(self) -> str:
        return self.scenario.name


# --- reading and writing -------------------------------------------------------------------

_PATH_FIELDS = (
    ("energy", "price_file"),
    ("energy", "carbon_file"),
    ("sites", "regions_file"),
    ("sites", "exclusion_zones_file"),
)


def scenario_from_dict(data: dict[str, Any], *, file: str | Path | None = None) -> Scenario:
    """Validate a parsed scenario; relative paths are taken relative to ``file``'s folder."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, file) from None
    if file is not None:
        _resolve_paths(scenario, Path(file).resolve().parent)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    InputError
        On a missing file, a TOML syntax error or a field that fails validation; the message
        names the file and the field (``fleet.phases[1].count``) and what was expected.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such scenario file", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the scenario file ({exc})", file=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=path) from None
    return scenario_from_dict(data, file=path)


def scenario_to_dict(scenario: Scenario, *, relative_to: Path | None = None) -> dict[str, Any]:
    """Plain TOML-ready dict (None values dropped, paths as strings)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    if relative_to is not None:
        for section, key in _PATH_FIELDS:
            if key in data.get(section, {}):
                data[section][key] = _relative(Path(data[section][key]), relative_to)
        files = data.get("sites", {}).get("weather_files", {})
        for site_id, value in files.items():
            files[site_id] = _relative(Path(value), relative_to)
        catalog = data.get("sites", {}).get("catalog")
        if catalog and catalog != "default":
            data["sites"]["catalog"] = _relative(Path(catalog), relative_to)
    return data


def dumps_scenario(scenario: Scenario, *, relative_to: Path | None = None) -> str:
    return tomli_w.dumps(scenario_to_dict(scenario, relative_to=relative_to))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario atomically: a temporary file in the same folder, then a rename.

    A failure leaves any existing file untouched.
    """
    path = Path(path)
    text = dumps_scenario(scenario, relative_to=path.resolve().parent)
    atomic_write_text(path, text)
    return path


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) so readers see either the old or the new file, never half."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in the same folder, then rename it over ``path``.

    A failure leaves any existing file untouched and no temporary file behind.
    """
    path = Path(path)
    folder = path.resolve().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror})", file=path) from None
    try:
        # mkstemp creates 0600; give the file the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _resolve_paths(scenario: Scenario, folder: Path) -> None:
    for section, key in _PATH_FIELDS:
        part = getattr(scenario, section)
        value = getattr(part, key)
        if value is not None and not value.is_absolute():
            setattr(part, key, (folder / value).resolve())
    sites = scenario.sites
    sites.weather_files = {
        k: v if v.is_absolute() else (folder / v).resolve() for k, v in sites.weather_files.items()
    }
    if sites.catalog != "default" and not Path(sites.catalog).is_absolute():
        sites.catalog = str((folder / sites.catalog).resolve())


def _input_error(exc: ValidationError, file: str | Path | None) -> InputError:
    """Turn pydantic's report into one sentence about the first problem."""
    first = exc.errors()[0]
    field = _dotted(first["loc"])
    kind = first["type"]
    if kind == "missing":
        problem = "is required but missing"
    elif kind == "extra_forbidden":
        problem = "is not a known field (check its spelling)"
    else:
        message = first["msg"]
        message = message.removeprefix("Value error, ")
        got = first.get("input")
        shown = f" (got {got!r})" if not isinstance(got, dict | list) and got is not None else ""
        problem = f"{message[0].lower()}{message[1:]}{shown}"
    more = len(exc.errors()) - 1
    if more:
        problem += f" ({more} more problem{'s' if more > 1 else ''} after this one)"
    return InputError(problem, file=file, field=field or None)


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def check_references(
    scenario: Scenario,
    *,
    file: str | Path | None = None,
    gpu_ids: set[str] | None = None,
    demand_centers: set[str] | None = None,
) -> None:
    """Check names that point into the data catalog: GPU models and demand centers.

    By default the names come from the embedded catalog; pass sets to check against others.
    """
    if gpu_ids is None or demand_centers is None:
        from planner.catalog import default_catalog

        catalog = default_catalog()
        gpu_ids = set(catalog.gpus.index) if gpu_ids is None else gpu_ids
        if demand_centers is None:
            demand_centers = set(catalog.demand_centers.index)
    for i, phase in enumerate(scenario.fleet.phases):
        if phase.gpu not in gpu_ids:
            raise InputError(
                f"unknown GPU model '{phase.gpu}'; expected one of {', '.join(sorted(gpu_ids))}",
                file=file,
                field=f"fleet.phases[{i}].gpu",
            )
    named = [(f"demand[{i}].name", d.name) for i, d in enumerate(scenario.demand)]
    named += [
        (f"constraints.latency[{i}].demand_center", r.demand_center)
        for i, r in enumerate(scenario.constraints.latency)
    ]
    for where, name in named:
        if name not in demand_centers:
            raise InputError(
                f"unknown demand center '{name}' (see `planner data sources` for the list)",
                file=file,
                field=where,
            )
