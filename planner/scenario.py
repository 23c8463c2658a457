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
import stat
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

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
Share = Annotated[float, Field(gt=0.0, le=1.0)]
# Ranking and demand weights have any scale; the bound only keeps their sums finite.
Weight = Annotated[float, Field(ge=0.0, le=1e12)]
# Lognormal one-sigma spreads: 2 already means a factor e^2 = 7.4 at one sigma.
Sigma = Annotated[float, Field(ge=0.0, le=2.0)]
# Strings from TOML become paths and enums: these two types alone are validated in lax mode.
FilePath = Annotated[Path, Strict(False)]

MAX_PATH_CHARS = 4096
"""Longest path accepted in a scenario (PATH_MAX on Linux)."""
MAX_SCENARIO_BYTES = 10_000_000
"""Largest scenario file read: real ones are a few kilobytes; a bigger one is not a scenario."""


class _FieldError(ValueError):
    """A check across fields that still names the one field to fix (dotted, from the top)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field


def _check_path_text(value: Any) -> Any:
    """Refuse text no file system accepts as a path (before it reaches ``Path.resolve``).

    Runs before type validation: anything but text is left to that.
    """
    if not isinstance(value, str | os.PathLike):
        return value
    text = os.fspath(value)
    if not text.strip():
        raise ValueError("expected a file path, got an empty string")
    if "\x00" in text:
        raise ValueError("a file path cannot contain a NUL character")
    if len(text) > MAX_PATH_CHARS:
        raise ValueError(f"expected a file path of at most {MAX_PATH_CHARS} characters")
    return value


class _Section(BaseModel):
    # Strict: TOML `true` is not a GPU count, "5" is not a number, "yes" is not a boolean;
    # integers stay valid where a float is expected. No inf or nan anywhere.
    model_config = ConfigDict(
        extra="forbid",
        frozen=False,
        validate_assignment=True,
        strict=True,
        allow_inf_nan=False,
    )


MAX_FLEET_GPUS = 10_000_000
"""Largest fleet (all phases): 50 times the largest fleet the planner is made for."""


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
    description: str = Field("", max_length=10_000)
    horizon_years: int = Field(10, ge=1, le=30)
    discount_rate: float = Field(0.08, ge=0.0, le=0.5)
    start_year: int = Field(2026, ge=2000, le=2100)


class Phase(_Section):
    """GPUs of one model that start work in a given month (0 = first month of the horizon)."""

    gpu: str = Field(min_length=1, max_length=100)
    count: int = Field(gt=0, le=10_000_000)
    start_month: int = Field(0, ge=0, le=360, description="inside the horizon (30 years at most)")


class Fleet(_Section):
    workload: Annotated[Workload, Strict(False)] = Workload.training
    # A fleet doing no work has no cost per GPU-hour (a division by zero downstream); 1 % is
    # already far below any fleet worth placing.
    utilization: float = Field(
        0.8, ge=0.01, le=1.0, description="share of GPU-hours doing useful work"
    )
    network_overhead_fraction: float = Field(
        0.07, ge=0.0, le=0.5, description="network and storage power as a share of GPU node power"
    )
    block_gpus: int = Field(
        1024, gt=0, le=10_000_000, description="allocation granularity: GPUs per block"
    )
    gpus_per_rack: int | None = Field(
        None, gt=0, le=1024, description="GPUs per rack; none = each GPU model's typical rack"
    )
    monthly_load_factor: list[float] | None = Field(
        None, description="12 multipliers (January first) for a seasonal load, max 1"
    )
    # One phase a month for the longest horizon; more would only slow the allocation down.
    phases: list[Phase] = Field(min_length=1, max_length=360)
    # GPUs bought when the site has power cost nothing while the grid connection waits; the
    # GPU-hours lost meanwhile are priced at the rent (bridge rent) either way.
    buy_gpus_when: Literal["power_ready", "phase_start"] = Field(
        "power_ready",
        description="buy each phase's GPUs when its site's power is ready, or at the phase start "
        "(then they are charged as idle while they wait)",
    )

    @field_validator("monthly_load_factor")
    @classmethod
    def _twelve_months(cls, value: list[float] | None) -> list[float] | None:
        if value is not None:
            if len(value) != 12:
                raise ValueError(f"expected 12 monthly values, got {len(value)}")
            if any(v < 0 or v > 1 for v in value):
                raise ValueError("expected every monthly factor between 0 and 1")
            # As for utilization: a year without work has no cost per GPU-hour.
            if max(value) < 0.01:
                raise ValueError("expected at least one month with a load factor of 0.01 or more")
        return value

    @model_validator(mode="after")
    def _fleet_size(self) -> Fleet:
        if self.total_gpus > MAX_FLEET_GPUS:
            raise _FieldError(
                "fleet.phases",
                f"the fleet has {self.total_gpus:,} GPUs; at most {MAX_FLEET_GPUS:,} are supported",
            )
        return self

    @property
    def total_gpus(self) -> int:
        return sum(p.count for p in self.phases)


class Cooling(_Section):
    technology: Literal["auto", *COOLING_TECHNOLOGIES] = "auto"  # type: ignore[valid-type]
    preset: Literal["hyperscale", "legacy-enterprise"] = "hyperscale"
    allow_water_cooling_above_stress: float = Field(
        3.5,
        ge=0.0,
        le=5.0,
        description="auto rules out evaporative cooling above this water stress",
    )


class Facility(_Section):
    tier: Annotated[Tier, Strict(False)] = Tier.III
    build_lead_months: int = Field(18, ge=0, le=120, description="design and construction time")


class Energy(_Section):
    tariff: Literal["flat", "time-of-use"] = "flat"
    price_file: FilePath | None = Field(None, description="hourly price CSV, USD/MWh, 8760 rows")
    carbon_file: FilePath | None = Field(None, description="hourly carbon CSV, gCO2/kWh, 8760 rows")
    price_escalation_per_year: float = Field(0.02, ge=-0.2, le=0.5)
    # Real demand charges are 0-50 USD/kW-month; 1,000 leaves room for any tariff.
    demand_charge_usd_per_kw_month: float = Field(0.0, ge=0.0, le=1000.0)
    ppa_share: Fraction = 0.0
    # Virtual (financial, contract for difference) is the common form for data centres; a
    # physical (sleeved) PPA delivers the energy, which still pays network charges and levies.
    ppa_type: Literal["virtual", "physical"] = "virtual"
    # Above the highest wholesale price caps (ERCOT: 5,000 USD/MWh). None: the region's typical
    # strike (regions table ``ppa_strike_usd_per_mwh``).
    ppa_strike_usd_per_mwh: float | None = Field(None, ge=0.0, le=10_000.0)
    ppa_carbon_free: bool = True
    # 24/7 carbon-free matching (docs/cfe.md): a target makes every chosen site buy the
    # least-cost solar, wind and battery portfolio that reaches it, hour by hour.
    cfe_target: Fraction | None = Field(
        None, description="hourly-matched carbon-free share each chosen site must reach; none = off"
    )
    cfe_file: FilePath | None = Field(
        None, description="hourly carbon-free share of the grid, 0-1, one column per region"
    )
    # None: the portfolio costs of data/finance.toml [cfe]. Strikes up to the price caps.
    solar_ppa_usd_per_mwh: float | None = Field(None, ge=0.0, le=10_000.0)
    wind_ppa_usd_per_mwh: float | None = Field(None, ge=0.0, le=10_000.0)
    battery_usd_per_kwh: float | None = Field(
        None, ge=0.0, le=10_000.0, description="battery capital per kWh of storage"
    )
    # Cloud GPUs rent for 1-10 USD/GPU-hour; 1,000 is far above any. None: each phase's GPU
    # model's rent (GPU catalog ``cloud_usd_per_gpu_hour``).
    cloud_gpu_hour_usd: float | None = Field(
        None,
        ge=0.0,
        le=1000.0,
        description="rent price to compare building with; none = each GPU model's rent",
    )

    @field_validator("price_file", "carbon_file", "cfe_file", mode="before")
    @classmethod
    def _path_text(cls, value: Any) -> Any:
        return _check_path_text(value)

    @model_validator(mode="after")
    def _one_way_to_buy_clean_energy(self) -> Energy:
        # An annual-volume PPA and an hourly-matched portfolio would count the same MWh twice.
        if self.cfe_target is not None and self.ppa_share > 0:
            raise _FieldError(
                "energy.cfe_target",
                "set either ppa_share (an annual-volume PPA) or cfe_target (hourly matching), "
                "not both",
            )
        return self


class Sites(_Section):
    catalog: str = Field("default", min_length=1, description='"default" or a path to a site file')
    regions_file: FilePath | None = None
    # 249 ISO codes exist; a longer list repeats some.
    include_countries: list[str] = Field(
        default_factory=list, max_length=300, description="ISO 3166 alpha-2"
    )
    exclude_countries: list[str] = Field(default_factory=list, max_length=300)
    include_regions: list[str] = Field(default_factory=list, max_length=10_000)
    exclusion_zones_file: FilePath | None = None
    weather_files: dict[str, FilePath] = Field(
        default_factory=dict, description="site id -> EPW or TMY3 file replacing its normals"
    )

    @field_validator("catalog", "regions_file", "exclusion_zones_file", mode="before")
    @classmethod
    def _path_text(cls, value: Any) -> Any:
        return _check_path_text(value)

    @field_validator("weather_files", mode="before")
    @classmethod
    def _weather_paths(cls, value: Any) -> Any:
        for site_id, path in value.items() if isinstance(value, dict) else ():
            try:
                _check_path_text(path)
            except ValueError as exc:
                raise _FieldError(f"sites.weather_files.{site_id}", str(exc)) from None
        return value

    @field_validator("include_countries", "exclude_countries")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        """Two letters; whether the code exists is checked by :func:`check_references`."""
        for code in value:
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"expected two-letter ISO country codes, got '{code}'")
        return [c.upper() for c in value]


class Weights(_Section):
    cost: Weight = 0.4
    carbon: Weight = 0.2
    water: Weight = 0.1
    latency: Weight = 0.1
    risk: Weight = 0.1
    time_to_power: Weight = 0.1

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
    # Published social costs of carbon stay below 1,000 USD/t; 10,000 leaves room.
    carbon_price_usd_per_t: float = Field(0.0, ge=0.0, le=10_000.0)
    # Priced externalities of the allocation (planner.optimize.allocate.externality_costs):
    # USD per stress-weighted m3 (a m3 at Aqueduct stress 3 counts 3 m3); bottled water
    # costs under 1,000 USD/m3, so that bounds any sane shadow price.
    water_price_usd_per_m3: float = Field(0.0, ge=0.0, le=1_000.0)
    # Expected loss per MW-year of facility power at risk score 1 (score 0-1 scales it): a
    # simple expected-loss proxy. 10 M USD/MW-year is far above any facility's yearly cost.
    risk_price_usd_per_mw_year: float = Field(0.0, ge=0.0, le=10_000_000.0)


class DemandCenter(_Section):
    name: str = Field(min_length=1, max_length=200)
    weight: Weight = 1.0


class LatencyRule(_Section):
    """At least ``min_share`` of the fleet sits within ``max_rtt_ms`` of a demand center."""

    demand_center: str = Field(min_length=1, max_length=200)
    # Half the Earth's circumference of fibre is about 200 ms round trip; 1 s bounds it loosely.
    max_rtt_ms: float = Field(gt=0, le=1000.0)
    min_share: Share = 1.0


class Constraints(_Section):
    # A fleet of at most 10 million GPUs never fills more than 10,000 sites usefully.
    min_sites: int = Field(1, ge=1, le=10_000)
    max_sites: int = Field(5, ge=1, le=10_000)
    max_share_per_site: Share = 1.0
    min_grid_regions: int = Field(1, ge=1, le=10_000)
    allowed_countries: list[str] = Field(
        default_factory=list, max_length=300, description="data residency"
    )
    max_water_stress: float = Field(5.0, ge=0.0, le=5.0)
    # 100 years: far beyond any horizon, so larger limits mean nothing.
    max_time_to_power_months: int | None = Field(None, ge=0, le=1200)
    latency: list[LatencyRule] = Field(default_factory=list, max_length=1000)

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

    # Results keep one cost per draw and site: 50,000 draws x 1,000 sites is 400 MB.
    draws: int = Field(0, ge=0, le=50_000)
    seed: int = Field(12345, ge=0, le=2**63 - 1, description="NumPy seeds are non-negative")
    price_sigma: Sigma = 0.2
    carbon_sigma: Sigma = 0.15
    pue_sigma: Sigma = 0.03
    growth_sigma: Sigma = 0.2
    # Spreads of the drivers the recommendation's robustness and tornado vary. No market
    # publishes these as one figure: they are the planner's judgement, documented in
    # docs/optimizer.md ("Robustness and tornado"); set your own.
    gpu_capital_sigma: Sigma = 0.15
    capital_per_mw_sigma: Sigma = 0.15
    rent_sigma: Sigma = 0.25
    carbon_price_sigma_usd_per_t: float = Field(50.0, ge=0.0, le=1_000.0)
    time_to_power_sigma_months: float = Field(6.0, ge=0.0, le=120.0)
    utilization_sigma: float = Field(0.05, ge=0.0, le=0.5)
    discount_rate_sigma: float = Field(0.015, ge=0.0, le=0.2)
    top_k: int = Field(3, ge=1, le=1000)


class Analysis(_Section):
    # One MILP per point (about 0.15 s each at 200 sites); 200 points is already a dense curve.
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
                raise _FieldError(
                    f"fleet.phases[{i}].start_month",
                    f"fleet.phases[{i}].start_month {phase.start_month} is beyond the "
                    f"{months}-month horizon",
                )
        return self

    @model_validator(mode="after")
    def _some_demand_weight(self) -> Scenario:
        # Latency is weighted by demand: all-zero weights leave nothing to average over.
        if self.demand and not any(d.weight > 0 for d in self.demand):
            raise _FieldError("demand", "at least one demand center needs a positive weight")
        return self

    @property
    def name(self) -> str:
        return self.scenario.name


# --- reading and writing -------------------------------------------------------------------

_PATH_FIELDS = (
    ("energy", "price_file"),
    ("energy", "carbon_file"),
    ("energy", "cfe_file"),
    ("sites", "regions_file"),
    ("sites", "exclusion_zones_file"),
)


def scenario_from_dict(data: dict[str, Any], *, file: str | Path | None = None) -> Scenario:
    """Validate a parsed scenario; relative paths are taken relative to ``file``'s folder.

    Raises
    ------
    InputError
        Naming the first field that fails validation and what was expected.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, file) from None
    except RecursionError:
        raise InputError("the scenario is nested too deeply", file=file) from None
    if file is not None:
        _resolve_paths(scenario, Path(file).resolve().parent)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file (UTF-8, with or without a byte-order mark).

    Raises
    ------
    InputError
        On a missing file, a folder or device instead of a file, text that is not UTF-8, a
        TOML syntax error (or nesting too deep to read) or a field that fails validation; the
        message names the file and the field (``fleet.phases[1].count``) and what was expected.
    """
    path = Path(path)
    return loads_scenario(_read_scenario_text(path), file=path)


def loads_scenario(text: str, *, file: str | Path | None = None) -> Scenario:
    """Parse and validate scenario TOML text; ``file`` names it and anchors relative paths.

    Raises
    ------
    InputError
        On a TOML syntax error, nesting too deep to read, or a field that fails validation.
    """
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=file) from None
    except RecursionError:
        raise InputError("not valid TOML (nested too deeply)", file=file) from None
    except ValueError:  # Python refuses to read integers of more than 4,300 digits
        raise InputError(
            "not valid TOML (an integer of more than 4,300 digits)", file=file
        ) from None
    return scenario_from_dict(data, file=file)


def _read_scenario_text(path: Path) -> str:
    """The file's text; refuses folders, devices, pipes and files too big to be a scenario."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("no such scenario file", file=path) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the scenario file ({_reason(exc)})", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("expected a scenario file, got a folder", file=path)
    if not stat.S_ISREG(info.st_mode):
        # Reading a device or a pipe may never end.
        raise InputError("expected a scenario file, got a device or pipe", file=path)
    if info.st_size > MAX_SCENARIO_BYTES:
        raise InputError(
            f"the file has {info.st_size:,} bytes; a scenario has at most {MAX_SCENARIO_BYTES:,}",
            file=path,
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SCENARIO_BYTES + 1)  # capped: the file may grow after stat
    except OSError as exc:
        raise InputError(f"cannot read the scenario file ({_reason(exc)})", file=path) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError(f"a scenario has at most {MAX_SCENARIO_BYTES:,} bytes", file=path)
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark is dropped, not an error
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not a text file in UTF-8 (byte {exc.start + 1} is {raw[exc.start]:#04x})",
            file=path,
        ) from None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


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
    from planner.outputs import write_text

    path = Path(path)
    return write_text(path, dumps_scenario(scenario, relative_to=path.resolve().parent))


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
    error = first.get("ctx", {}).get("error")
    if isinstance(error, _FieldError):
        field = error.field
    if kind == "missing":
        problem = "is required but missing"
    elif kind == "extra_forbidden":
        problem = "is not a known field (check its spelling)"
    else:
        message = first["msg"]
        message = message.removeprefix("Value error, ")
        got = first.get("input")
        scalar = not isinstance(got, dict | list) and got is not None
        shown = f" (got {_shown(got)})" if scalar else ""
        problem = f"{message[0].lower()}{message[1:]}{shown}"
    more = len(exc.errors()) - 1
    if more:
        problem += f" ({more} more problem{'s' if more > 1 else ''} after this one)"
    return InputError(problem, file=file, field=field or None)


def _shown(value: Any, limit: int = 60) -> str:
    """A short repr for messages: long strings cut, huge integers by their size."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        # repr() of an integer above 4,300 digits raises: say its size instead.
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


def _dotted(loc: tuple[Any, ...]) -> str:
    """``("fleet", "phases", 0, "count")`` as ``fleet.phases[0].count``; a key holding a
    control character (a line break typed into a TOML key) is shown escaped, so the error
    stays one line."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = str(part)
            if any(ord(c) < 32 or ord(c) == 127 for c in name):
                name = repr(name)[1:-1]
            text += ("." if text else "") + name
    return text


def check_references(
    scenario: Scenario,
    *,
    file: str | Path | None = None,
    gpu_ids: set[str] | None = None,
    demand_centers: set[str] | None = None,
    region_codes: set[str] | None = None,
    site_ids: set[str] | None = None,
    country_codes: set[str] | None = None,
) -> None:
    """Check names that point into the data catalog.

    GPU models, demand centers, ISO 3166-1 country codes, region codes of
    ``sites.include_regions`` and the site ids keying ``sites.weather_files``.

    By default the names come from the embedded catalog; pass sets to check against others.
    Without ``region_codes`` a scenario with its own ``regions_file``, and without ``site_ids``
    one with its own site file, skip that check (it needs the file read):
    :func:`planner.checks.check_scenario` reads the files and checks everything.

    Raises
    ------
    InputError
        Naming the unknown name, its field and, where one is close, the name meant.
    """
    from planner.checks import (
        COUNTRY_FIELDS,
        ISO_3166_ALPHA2,
        catalog_countries,
        check_codes,
        did_you_mean,
    )

    catalog = None

    def default() -> Any:
        nonlocal catalog
        if catalog is None:
            from planner.catalog import default_catalog

            catalog = default_catalog()
        return catalog

    gpu_ids = set(default().gpus.index) if gpu_ids is None else gpu_ids
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
    if named and demand_centers is None:
        demand_centers = set(default().demand_centers.index)
    for where, name in named:
        if name not in demand_centers:
            raise InputError(
                f"unknown demand center '{name}'{did_you_mean(name, demand_centers)} "
                "(see `planner data sources` for the list)",
                file=file,
                field=where,
            )
    sites = scenario.sites
    if region_codes is None and sites.include_regions and sites.regions_file is None:
        region_codes = set(default().regions.index)
    if site_ids is None and sites.weather_files and sites.catalog == "default":
        site_ids = set(default().sites.index)
    codes = {c for section, key in COUNTRY_FIELDS for c in getattr(getattr(scenario, section), key)}
    if country_codes is None and not codes <= ISO_3166_ALPHA2:
        country_codes = catalog_countries(default())  # e.g. Kosovo's XK, used by the basemap
    check_codes(
        scenario,
        file=file,
        region_codes=region_codes,
        site_ids=site_ids,
        country_codes=country_codes or (),
    )
