"""Everything a run checks before it computes: a scenario's files and the codes it names.

:func:`check_scenario` is the one check shared by ``planner scenario validate``, by
:func:`planner.optimize.run.run_scenario` (so ``planner optimize`` and the desktop window) and
by anyone who wants to know that a scenario will run: every referenced file exists, is a
regular file and parses with the reader the evaluation uses, and every name in the scenario
(GPU model, demand center, country, region, site id) exists. It evaluates nothing.

:func:`check_codes` checks the country and region codes and the site ids of weather files
against given sets; :func:`planner.scenario.check_references` calls it.
"""

from __future__ import annotations

import difflib
import math
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.scenario import Scenario

# ISO 3166-1 alpha-2: the 249 officially assigned codes (ISO 3166 Maintenance Agency).
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()
)
"""Officially assigned ISO 3166-1 alpha-2 country codes."""

COUNTRY_HINTS = {
    "UK": "'UK' is not an ISO 3166-1 country code; the United Kingdom is 'GB'",
    "EL": "'EL' is the EU's code for Greece; the ISO 3166-1 code is 'GR'",
    "EU": "'EU' is not a country; list the member states' codes instead",
}
"""Codes people write for a country that ISO 3166-1 spells otherwise."""

WEATHER_DISTANCE_WARN_KM = 100.0
"""A weather file measured farther than this from its site gets a warning: beyond about
100 km climate changes with terrain and coast, so the file may belong to another site."""

COUNTRY_FIELDS = (
    ("sites", "include_countries"),
    ("sites", "exclude_countries"),
    ("constraints", "allowed_countries"),
)


def check_scenario(
    scenario: Scenario,
    *,
    file: str | Path | None = None,
    sites_file: str | Path | None = None,
    catalog: Any = None,
) -> list[str]:
    """Check everything a run would check before computing; return warnings, raise errors.

    Checks that every file the scenario refers to (``sites.catalog``, ``regions_file``,
    ``exclusion_zones_file``, ``energy.price_file``, ``energy.carbon_file``, ``energy.cfe_file``,
    ``sites.weather_files``) exists, is a regular file (not a folder or device) and parses with
    the reader the evaluation uses, and that every name resolves: GPU models, demand centers,
    ISO country codes, region codes (the catalog's plus the regions file's) and the site ids of
    weather files (among the candidate sites). Each file is read once; nothing is evaluated.

    Parameters
    ----------
    scenario : Scenario
    file : path, optional
        The scenario's own file, named in error messages.
    sites_file : path, optional
        A site file replacing the scenario's candidates (``--sites``), as in
        :func:`planner.evaluate.evaluate_sites`.
    catalog : Catalog, optional
        Data catalog (default: the embedded one).

    Returns
    -------
    list of str
        Warnings, one sentence each: defaults applied to user sites, a weather file far from
        its site, hourly-file columns that are no region code.

    Raises
    ------
    InputError
        The first problem found, naming the file and the field.
    """
    from planner.catalog import default_catalog

    site_path, site_field = _site_file(scenario, sites_file)
    for field, path in referenced_files(scenario, sites_file=sites_file):
        check_regular_file(path, field=field, file=file)
    base = catalog if catalog is not None else default_catalog()
    regions = _regions(scenario, base)
    warnings: list[str] = []
    if site_path is not None:
        sites, site_warnings = _read_sites(site_path, replace(base, regions=regions), site_field)
        warnings.extend(site_warnings)
    else:
        sites = base.sites
    from planner.scenario import check_references

    check_references(
        scenario,
        file=file,
        gpu_ids=set(base.gpus.index),
        demand_centers=set(base.demand_centers.index),
        region_codes=set(map(str, regions.index)),
        site_ids=set(map(str, sites.index)),
        country_codes=catalog_countries(base, regions),
    )
    warnings.extend(_check_hourly_files(scenario, regions))
    _check_exclusion_zones(scenario, sites)
    warnings.extend(_check_weather_files(scenario, sites))
    return warnings


def referenced_files(
    scenario: Scenario, *, sites_file: str | Path | None = None
) -> list[tuple[str, Path]]:
    """``(field, path)`` of every file a scenario refers to, in the order they are checked.

    ``sites_file`` (``--sites``) replaces ``sites.catalog`` and is listed under ``"--sites"``.
    """
    out: list[tuple[str, Path]] = []
    site_path, site_field = _site_file(scenario, sites_file)
    if site_path is not None:
        out.append((site_field, site_path))
    for field, value in (
        ("sites.regions_file", scenario.sites.regions_file),
        ("sites.exclusion_zones_file", scenario.sites.exclusion_zones_file),
        ("energy.price_file", scenario.energy.price_file),
        ("energy.carbon_file", scenario.energy.carbon_file),
        ("energy.cfe_file", scenario.energy.cfe_file),
    ):
        if value is not None:
            out.append((field, Path(value)))
    for site_id, path in scenario.sites.weather_files.items():
        out.append((f"sites.weather_files.{site_id}", Path(path)))
    return out


def check_regular_file(path: str | Path, *, field: str, file: str | Path | None = None) -> None:
    """Refuse a path that is missing, a folder, or a device or pipe (reading those may hang).

    Raises
    ------
    InputError
        Naming ``file`` (the scenario), the ``field`` and the path.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"no such file '{path}'", file=file, field=field) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot read '{path}' ({reason})", file=file, field=field) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"expected a file, got the folder '{path}'", file=file, field=field)
    if not stat.S_ISREG(mode):
        raise InputError(
            f"expected a file, got the device or pipe '{path}'", file=file, field=field
        )


def check_codes(
    scenario: Scenario,
    *,
    file: str | Path | None = None,
    region_codes: Iterable[str] | None = None,
    site_ids: Iterable[str] | None = None,
    country_codes: Iterable[str] = (),
) -> None:
    """Check the scenario's country codes, region codes and weather-file site ids.

    Parameters
    ----------
    scenario : Scenario
    file : path, optional
        The scenario's file, named in error messages.
    region_codes : iterable of str, optional
        Known region codes for ``sites.include_regions``; None skips that check.
    site_ids : iterable of str, optional
        Candidate site ids for the keys of ``sites.weather_files``; None skips that check.
    country_codes : iterable of str
        Codes accepted besides ISO 3166-1 alpha-2 (e.g. ``XK`` where the catalog uses it).

    Raises
    ------
    InputError
        Naming the unknown code and its field (``sites.include_countries[1]``).
    """
    countries = ISO_3166_ALPHA2 | set(country_codes)
    for section, key in COUNTRY_FIELDS:
        for i, code in enumerate(getattr(getattr(scenario, section), key)):
            if code not in countries:
                raise InputError(_unknown_country(code), file=file, field=f"{section}.{key}[{i}]")
    if region_codes is not None:
        known = set(region_codes)
        for i, code in enumerate(scenario.sites.include_regions):
            if code not in known:
                raise InputError(
                    f"unknown region code '{code}'{_did_you_mean(code, known)} "
                    "(see `planner sites list`)",
                    file=file,
                    field=f"sites.include_regions[{i}]",
                )
    if site_ids is not None:
        ids = set(site_ids)
        for site_id in scenario.sites.weather_files:
            if site_id not in ids:
                raise InputError(
                    f"unknown site id '{site_id}': not among the {len(ids)} candidate sites"
                    f"{_did_you_mean(site_id, ids)}",
                    file=file,
                    field=f"sites.weather_files.{site_id}",
                )


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the closest known name (case first), or ``""``."""
    return _did_you_mean(name, set(known))


# --- helpers ----------------------------------------------------------------------------------


def _did_you_mean(name: str, known: set[str]) -> str:
    same_case = [k for k in known if k.casefold() == name.casefold()]
    close = same_case or difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown_country(code: str) -> str:
    if code in COUNTRY_HINTS:
        return COUNTRY_HINTS[code]
    return f"'{code}' is not an ISO 3166-1 alpha-2 country code"


def _site_file(scenario: Scenario, sites_file: str | Path | None) -> tuple[Path | None, str]:
    """The site file a run reads (``--sites`` wins over ``sites.catalog``) and its field."""
    if sites_file is not None:
        return Path(sites_file), "--sites"
    if scenario.sites.catalog != "default":
        return Path(scenario.sites.catalog), "sites.catalog"
    return None, ""


def _regions(scenario: Scenario, base: Any) -> pd.DataFrame:
    """The catalog's regions, updated by the scenario's regions file if it has one."""
    path = scenario.sites.regions_file
    if path is None:
        return base.regions
    from planner.catalog import merge_regions, read_regions_file

    return merge_regions(base.regions, read_regions_file(path, partial=True), path)


def _read_sites(path: Path, catalog: Any, field: str) -> tuple[pd.DataFrame, list[str]]:
    from planner.catalog import read_sites_file

    sites, warnings = read_sites_file(path, catalog=catalog)
    if len(sites) == 0:
        raise InputError("the site file holds no site", file=path, field=None)
    return sites, list(warnings)


def catalog_countries(base: Any, regions: pd.DataFrame | None = None) -> set[str]:
    """Country codes a catalog uses besides ISO's (e.g. Kosovo's XK in the basemap).

    From the basemap's ``iso_a2`` column and the ``country`` column of ``regions`` (default:
    the catalog's).
    """
    regions = base.regions if regions is None else regions
    codes: set[str] = set()
    basemap = getattr(base, "basemap", None)
    if basemap is not None and "iso_a2" in basemap:
        codes |= {str(c) for c in basemap["iso_a2"]}
    if "country" in regions:
        codes |= {str(c) for c in regions["country"].dropna()}
    return {c for c in codes if len(c) == 2 and c.isalpha() and c.isupper()}


def _check_hourly_files(scenario: Scenario, regions: pd.DataFrame) -> list[str]:
    from planner.evaluate import read_hourly_file

    warnings = []
    for what, path in (
        ("price", scenario.energy.price_file),
        ("carbon", scenario.energy.carbon_file),
        ("cfe", scenario.energy.cfe_file),
    ):
        if path is None:
            continue
        frame = read_hourly_file(path, what)
        if frame.shape[1] > 1:
            # One column per region: a column that is no region code is never used.
            stray = [c for c in frame.columns if c not in regions.index]
            if stray:
                warnings.append(
                    f"{Path(path).name}: {len(stray)} column(s) of the hourly {what} file are no "
                    f"region code and are not used (first: '{stray[0]}')"
                )
    return warnings


def _check_exclusion_zones(scenario: Scenario, sites: pd.DataFrame) -> None:
    path = scenario.sites.exclusion_zones_file
    if path is None:
        return
    from planner.optimize.screen import exclusion_zone_names

    exclusion_zone_names(pd.DataFrame(sites[["lat", "lon"]]), path)


def _check_weather_files(scenario: Scenario, sites: pd.DataFrame) -> list[str]:
    """Read each weather file; warn when the file's station is far from its site."""
    from planner.climate import read_weather
    from planner.geo import geodesic_distance_km

    warnings = []
    for site_id, path in scenario.sites.weather_files.items():
        _weather, meta = read_weather(path)
        lat, lon = meta.get("lat"), meta.get("lon")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        site = sites.loc[site_id]
        km = float(geodesic_distance_km(site["lat"], site["lon"], lat, lon))
        if km > WEATHER_DISTANCE_WARN_KM:
            warnings.append(
                f"the weather file {Path(path).name} for site {site_id} was measured {km:,.0f} km "
                f"from the site (field sites.weather_files.{site_id}); is it the right file?"
            )
    return warnings
