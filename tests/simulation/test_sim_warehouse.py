"""The simulation in the real graph: `refresh` materializes prices, registry, marts and the three
scenario partitions into a temporary warehouse (2025-01-01..2026-05-29, bundled snapshot prices).

Three refreshes on one warehouse: the real registry; an edited copy of it (Oracle's ~300 bn
contract cut to 250 bn, i.e. 50 bn a year, and the 2025-06-30 cash balance raised from 17.5 to
25 bn) loaded through RegistryResource(folder=copy); the real registry again. The edits must reach
sim.scenario_inputs and the simulated compute spend through the marts; the third run, with the
same inputs and seed as the first, must give identical sim.* tables.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

import pipelines.definitions
from assets.deals import RegistryResource
from assets.settings import Settings
from assets.simulation.warehouse_inputs import inputs_from_tables
from assets.simulation.warehouse_tables import read_input_tables, scratch_input_tables
from pipelines.refresh import refresh
from sim_testdata import REGISTRY, REGISTRY_TODAY, ROOT
from tests.integration.conftest import table_hashes

START, END = "2025-01-01", "2026-05-29"
ORACLE = "ORCL-OAI-2025-09-300B"
SIM_TABLES = ("sim.scenario_inputs", "sim.path_quantiles", "sim.outcomes", "sim.sample_paths")

pytestmark = pytest.mark.slow


def edited_copy(folder: Path) -> Path:
    """The registry with Oracle's contract at 250 bn (50 bn a year 2027-2031) and 25 bn of cash on 2025-06-30."""
    shutil.copytree(REGISTRY, folder)
    for file, key, column, value in (("deals.csv", "deal_id", "amount_usd_bn", "250"),
                                     ("deal_terms.csv", "deal_id", "value", "50")):
        frame = pl.read_csv(folder / file, infer_schema=False)
        frame.with_columns(pl.when(pl.col(key) == ORACLE).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
                           ).write_csv(folder / file)
    metrics = pl.read_csv(folder / "metrics.csv", infer_schema=False)
    metrics.with_columns(value=pl.when(pl.col("metric_id") == "M008").then(pl.lit("25")).otherwise("value")
                         ).write_csv(folder / "metrics.csv")
    return folder


def snapshot(warehouse: Path) -> dict:
    """What the tests compare after each refresh: sim.* hashes, the inputs used, and the frames read."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        inputs = conn.sql("FROM sim.scenario_inputs").pl()
        spend = conn.sql("FROM sim.path_quantiles WHERE metric = 'compute_spend'").pl()
        tables = read_input_tables(conn)
    hashes = {name: digest for name, digest in table_hashes(warehouse).items() if name in SIM_TABLES}
    return {"hashes": hashes, "inputs": inputs, "compute_spend": spend, "tables": tables}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("sim_warehouse")
    settings = Settings.from_env({"PERPETUUM_WAREHOUSE": str(folder / "perpetuum.duckdb"),
                                  "PERPETUUM_START_DATE": START, "PERPETUUM_END_DATE": END})
    edited = edited_copy(folder / "registry")
    real_resources = pipelines.definitions.build_resources
    out = {}
    with dg.DagsterInstance.ephemeral() as instance:
        refresh(settings, instance, simulate=True)
        out["first"] = snapshot(settings.warehouse)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pipelines.definitions, "build_resources",
                          lambda s: {**real_resources(s), "registry": RegistryResource(folder=str(edited))})
            refresh(settings, instance, simulate=True)
        out["edited"] = snapshot(settings.warehouse)
        refresh(settings, instance, simulate=True)
        out["again"] = snapshot(settings.warehouse)
    return out


def values(inputs: pl.DataFrame, parameter: str) -> list[float]:
    """The value of `parameter` in each scenario (base, bull, bear)."""
    rows = inputs.filter(pl.col("parameter") == parameter).sort("scenario")
    assert rows["scenario"].to_list() == ["base", "bear", "bull"]
    return rows["value"].to_list()


def test_every_scenario_is_simulated_from_the_marts(runs):
    inputs = runs["first"]["inputs"]
    assert values(inputs, "starting_cash_usd_bn") == [17.5] * 3
    assert values(inputs, f"compute_commitment:{ORACLE}") == [300.0] * 3
    oracle = inputs.filter(pl.col("parameter") == f"compute_commitment:{ORACLE}")["estimated_from"]
    assert oracle.str.starts_with("mart.commitment_schedule Oracle 2027..2031").all()
    amd = inputs.filter(pl.col("parameter") == "amd_s0_usd")["estimated_from"]
    assert amd.to_list() == ["core.prices AMD close"] * 3


def test_a_registry_edit_changes_the_scenario_inputs(runs):
    first, edited = runs["first"]["inputs"], runs["edited"]["inputs"]
    assert values(edited, "starting_cash_usd_bn") == [25.0] * 3
    assert values(edited, f"compute_commitment:{ORACLE}") == pytest.approx([250.0] * 3)
    changed = (first.join(edited, on=["scenario", "parameter"], suffix="_edited")
               .filter(pl.col("value") != pl.col("value_edited"))["parameter"].unique().sort().to_list())
    assert changed == [f"compute_commitment:{ORACLE}", "starting_cash_usd_bn"]


def test_the_edit_reaches_the_simulated_compute_spend(runs):
    """Oracle's payments are not tied to GW deliveries, so every path pays 10/12 bn less a month in 2027-2030."""
    def spend(run: str) -> pl.DataFrame:
        return runs[run]["compute_spend"].filter(scenario="base").sort("month").select("month", "p05", "p50", "p95")

    before, after = spend("first"), spend("edited")
    gap = before.select("month", *[(pl.col(c) - after[c]).alias(c) for c in ("p05", "p50", "p95")])
    in_contract = gap.filter(pl.col("month").is_between(date(2027, 1, 1), date(2030, 12, 1)))
    assert in_contract.height == 48
    for column in ("p05", "p50", "p95"):
        assert in_contract[column].to_list() == pytest.approx([10 / 12] * 48)
    assert gap.filter(pl.col("month") < date(2027, 1, 1))["p50"].abs().max() < 1e-12


def test_same_inputs_and_seed_give_identical_sim_tables(runs):
    first, edited, again = (runs[name]["hashes"] for name in ("first", "edited", "again"))
    assert set(first) == set(SIM_TABLES)
    assert again == first
    assert edited["sim.scenario_inputs"] != first["sim.scenario_inputs"]
    assert edited["sim.outcomes"] != first["sim.outcomes"]


def test_the_scratch_warehouse_reads_the_same_frames(runs, tmp_path):
    """scratch_input_tables (engine tests, benchmark) builds what the Dagster graph builds."""
    real = runs["again"]["tables"]
    prices = pl.read_parquet(ROOT / "data" / "snapshot" / "prices.parquet").filter(
        pl.col("trade_date").is_between(date.fromisoformat(START), date.fromisoformat(END)))
    scratch = scratch_input_tables(REGISTRY, prices, REGISTRY_TODAY)
    for name, frame in real.items():
        assert scratch[name].equals(frame), name
    assert inputs_from_tables(**scratch).provenance.equals(inputs_from_tables(**real).provenance)
