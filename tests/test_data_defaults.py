"""Default figures pinned to their published values (issue "Defaults that match reality").

Each assertion names its source (an id in data/sources.csv). Estimates are pinned to the method
data/README.md states, so a silent change to either shows up here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from planner.catalog import GPU_RANGES, REGION_RANGES, _read_gpus, default_catalog
from planner.errors import InputError
from planner.paths import data_dir


@pytest.fixture(scope="module")
def cat():
    return default_catalog()


# --- GPU capital and rent ---------------------------------------------------------------------


def test_capital_is_server_plus_network_for_every_model(cat):
    g = cat.gpus
    assert (g["capital_usd_per_gpu"] == g["server_usd_per_gpu"] + g["network_usd_per_gpu"]).all()
    # gpu-network-share-est: fabric, optics and storage at 12.5 % of the server price.
    assert ((g["network_usd_per_gpu"] - 0.125 * g["server_usd_per_gpu"]).abs() <= 0.5).all()


def test_capital_per_gpu_is_the_server_price_over_eight(cat):
    g = cat.gpus
    # gpu-server-press: HGX/DGX H100 8-GPU server about 300,000 USD (2024).
    assert g.at["H100-SXM", "server_usd_per_gpu"] == 300_000 / 8
    assert g.at["H100-SXM", "capital_usd_per_gpu"] == 37_500 + round(37_500 * 0.125)
    # dgx-b200-price-press: DGX B200 about 515,000 USD.
    assert g.at["B200", "server_usd_per_gpu"] == pytest.approx(515_000 / 8, abs=0.5)
    # gb200-nvl72-price-press: NVL72 rack about 3.0 M USD for 72 GPUs.
    assert g.at["GB200", "server_usd_per_gpu"] == pytest.approx(3_000_000 / 72, abs=0.5)
    # nvidia-dgx-a100-price: DGX A100 launch price 199,000 USD.
    assert g.at["A100-SXM", "server_usd_per_gpu"] == pytest.approx(199_000 / 8, abs=0.5)
    # gpu-server-est: H200 server = H100 server x 1.10 (AWS Capacity Blocks 5.408 / 4.916).
    assert g.at["H200", "server_usd_per_gpu"] == pytest.approx(1.10 * 300_000 / 8, abs=0.5)


def test_capital_is_all_in_not_a_module_price(cat):
    g = cat.gpus
    # A GPU module alone was 25,000-40,000 USD (trade press); a server slot costs more.
    assert g.at["H100-SXM", "capital_usd_per_gpu"] > 40_000
    assert g.at["B200", "capital_usd_per_gpu"] > g.at["H100-SXM", "capital_usd_per_gpu"]
    for col, (low, high) in GPU_RANGES.items():
        assert g[col].between(low, high).all(), col


def test_cloud_rent_per_model(cat):
    rent = cat.gpus["cloud_usd_per_gpu_hour"]
    # semianalysis-h100-reserved-2026: one-year reserved H100 at 2.35 USD/GPU-h (March 2026).
    assert rent["H100-SXM"] == 2.35
    # gpu-rent-committed-est: on-demand list x 2.35 / 2.99 (gpu-cloud-ondemand: RunPod B200 5.98,
    # H200 3.59 USD/GPU-h): 5.98 x 0.786 = 4.70, 3.59 x 0.786 = 2.82.
    assert rent["B200"] == 4.70
    assert rent["H200"] == 2.82
    # A B200 hour does not rent for an H100's price, nor an H100 hour for an L40S's.
    assert rent["B200"] > rent["H200"] > rent["H100-SXM"] > rent["L40S"]
    assert rent["H100-SXM"] > rent["A100-SXM"]
    assert cat.gpus["cloud_source"].str.contains("semianalysis|gpu-rent-committed-est").all()


def _gpus_file(tmp_path: Path, **changes: str) -> Path:
    table = pd.read_csv(data_dir() / "gpus.csv", dtype=str, keep_default_na=False)
    for col, value in changes.items():
        table.loc[table["gpu_id"] == "H100-SXM", col] = value
    path = tmp_path / "gpus.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("col", "value", "message"),
    [
        ("cloud_usd_per_gpu_hour", "", "expected a number, got an empty cell"),
        ("cloud_usd_per_gpu_hour", "inf", "expected a finite number, got 'inf'"),
        ("capital_usd_per_gpu", "abc", "expected a number, got 'abc'"),
        ("cloud_usd_per_gpu_hour", "500", "500 is outside 0.1..100"),
        ("capital_usd_per_gpu", "1000000", "1e+06 is outside 1000..600000"),
        (
            "capital_usd_per_gpu",
            "50000",
            "capital_usd_per_gpu must equal server_usd_per_gpu + network_usd_per_gpu",
        ),
    ],
)
def test_gpu_reader_refuses_bad_money_columns(tmp_path, col, value, message):
    path = _gpus_file(tmp_path, **{col: value})
    with pytest.raises(InputError, match=re.escape(message)) as err:
        _read_gpus(path)
    # H100-SXM is the second row of data/gpus.csv.
    assert (err.value.file, err.value.row, err.value.field) == (str(path), 2, col)


def test_gpu_reader_requires_the_new_columns_and_no_longer_reads_price_usd(tmp_path):
    table = pd.read_csv(data_dir() / "gpus.csv", dtype=str, keep_default_na=False)
    assert "price_usd" not in table.columns
    path = tmp_path / "gpus.csv"
    table.drop(columns="cloud_usd_per_gpu_hour").to_csv(path, index=False)
    with pytest.raises(InputError, match="missing column 'cloud_usd_per_gpu_hour'") as err:
        _read_gpus(path)
    assert (err.value.file, err.value.field) == (str(path), "cloud_usd_per_gpu_hour")


# --- residual mix -----------------------------------------------------------------------------


def test_residual_mix_published_values(cat):
    r = cat.regions["residual_mix_g_per_kwh"]
    # aib-rm-2023: AIB European Residual Mixes 2023 v1.0, Table 2 (g CO2/kWh).
    assert r["DE"] == 719.90
    assert r["IE"] == 445.50
    assert r["NL"] == 379.89
    assert r["FR"] == 40.74
    assert r["FI"] == 565.31
    for zone in ("SE-SE1", "SE-SE2", "SE-SE3", "SE-SE4"):
        assert r[zone] == 68.23  # national residual mix, Sweden
    # Certificates exported: the residual mix is many times the production mix.
    assert r["FI"] > 10 * cat.regions.at["FI", "carbon_g_per_kwh"]
    assert r["SE-SE1"] > 5 * cat.regions.at["SE-SE1", "carbon_g_per_kwh"]
    # nve-disclosure-2020: NVE national electricity disclosure 2020, 402 g CO2/kWh for power sold
    # without guarantees of origin: Norway exports its certificates, so its residual mix is
    # tens of times its hydro production mix (8 g/kWh direct).
    for zone in ("NO-NO1", "NO-NO2", "NO-NO3", "NO-NO4", "NO-NO5"):
        assert r[zone] == 402.0
        assert r[zone] > 30 * cat.regions.at[zone, "carbon_g_per_kwh"]
    # green-e-rm-2018: Green-e residual mix, eGRID SRVC 0.366199 kg/kWh (Virginia), ERCT 0.485453.
    assert r["US-VA"] == 366.2
    assert r["US-TX"] == 485.5


def test_every_residual_mix_cell_is_blank_or_a_sourced_number(cat):
    reg = cat.regions
    r = reg["residual_mix_g_per_kwh"]
    low, high = REGION_RANGES["residual_mix_g_per_kwh"]
    assert r.dropna().between(low, high).all()
    assert (r.dropna() >= 0).all()
    published = r.notna()
    assert reg.loc[published, "residual_mix_g_per_kwh_source"].ne("").all()
    # Every blank is named in data/README.md, so the fallback to the production mix is stated.
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    section = readme.split("Residual mix blanks:", 1)[1].split("\n\n", 1)[0]
    for code in reg.index[~published]:
        assert f"`{code}`" in section, code


# --- network levies and PPA strikes -----------------------------------------------------------


def test_network_levy_estimates_follow_the_stated_shares(cat):
    reg = cat.regions
    levy, price = reg["network_levy_usd_per_mwh"], reg["price_usd_per_mwh"]
    share = {
        "levy-share-est-us": 0.15,
        "levy-share-est-eu": 0.30,
        "levy-share-est-other": 0.20,
    }
    for code in reg.index:
        expected = share[reg.at[code, "network_levy_usd_per_mwh_source"]] * price[code]
        assert levy[code] == pytest.approx(expected, abs=0.051), code
    assert (levy < price).all()


def test_ppa_strikes(cat):
    ppa = cat.regions["ppa_strike_usd_per_mwh"]
    # levelten-na-q4-2024: North America market-averaged blended P25, 62.29 USD/MWh.
    assert ppa["US-VA"] == 62.29 and ppa["US-TX"] == 62.29
    # pexapark-euro-2025: EURO Composite 50.25 EUR/MWh at 1.0813 USD/EUR (fx-2023).
    assert ppa["DE"] == pytest.approx(50.25 * 1.0813, abs=0.05)
    assert ppa.notna().all() and (ppa > 0).all()
    assert all(math.isfinite(v) for v in ppa)


# --- regions fixes ----------------------------------------------------------------------------


def test_no_national_moratorium_in_the_netherlands_or_ireland(cat):
    # The restrictions are sub-national (Amsterdam region, greater Dublin): data/moratoria.csv.
    assert not cat.regions.at["NL", "moratorium"]
    assert not cat.regions.at["IE", "moratorium"]


def test_new_columns_have_provenance(cat):
    prov = cat.provenance
    for field in (
        "capital_usd_per_gpu",
        "cloud_usd_per_gpu_hour",
        "residual_mix_g_per_kwh",
        "network_levy_usd_per_mwh",
        "ppa_strike_usd_per_mwh",
    ):
        rows = prov[prov["field"] == field]
        assert len(rows), field
        assert rows["source_id"].ne("").all(), field
        assert rows["year"].notna().all(), field


def test_new_south_wales_has_its_own_carbon_intensity(cat):
    # dcceew-nga-2024: National Greenhouse Accounts Factors 2024, Table 1, New South Wales and
    # ACT scope 2 factor 0.66 kg CO2-e/kWh; NSW burns more coal than the national mix.
    reg = cat.regions
    assert reg.at["AU-NSW", "carbon_g_per_kwh"] == 660.0
    assert reg.at["AU-NSW", "carbon_g_per_kwh_source"] == "dcceew-nga-2024"


def test_us_saidi_is_without_major_events_like_the_risk_scale(cat):
    # eia-epa-reliability-2023: EIA Electric Power Annual 2023, tables 11.1 and 11.3, SAIDI
    # without major event days: U.S. 123.9 min, Rhode Island 52.2, Maine 247.4. With major events
    # (366.6) every state would sit above the 300-minute top of the risk scale.
    saidi = cat.regions["saidi_minutes"]
    assert saidi["US-RI"] == 52.2 and saidi["US-ME"] == 247.4
    assert saidi["US-VA"] == 123.9 and saidi["US-TX"] == 123.9
    us = cat.regions["country"] == "US"
    assert (saidi[us] < 300).all()
