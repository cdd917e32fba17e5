"""The simulation in the real graph: `refresh` materializes prices, registry, marts and the three
scenario partitions into a temporary warehouse (2025-01-01..2026-05-29, bundled snapshot prices).

Three refreshes on one warehouse: the real registry; an edited copy of it (Oracle's ~300 bn
contract cut to 250 bn, i.e. 50 bn a year, and the 2026-03-31 cash balance cut from 73 to 25 bn)
loaded through RegistryResource(folder=copy); the real registry again. The edits must reach
sim.scenario_inputs and the simulated compute spend; the third run, with the same inputs and seed
as the first, must give identical sim.* tables. A fourth refresh on its own warehouse with a
universe without AMD (PERPETUUM_TICKERS=NVDA) must build every other table and skip the
simulation with its reason in sim.status and in the report.
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
ORACLE_TERMS = "even split of the ~300 bn total over the stated ~5 years starting 2027"  # its payment_schedule rows

pytestmark = pytest.mark.slow


def edited_copy(folder: Path) -> Path:
    """The registry with Oracle's contract at 250 bn (50 bn a year 2027-2031) and 25 bn of cash on 2026-03-31."""
    shutil.copytree(REGISTRY, folder)
    for file, key, match, column, value in (("deals.csv", "deal_id", ORACLE, "amount_usd_bn", "250"),
                                            ("deal_terms.csv", "rule", ORACLE_TERMS, "value", "50"),
                                            ("metrics.csv", "metric_id", "M104", "value", "25")):
        frame = pl.read_csv(folder / file, infer_schema=False)
        frame.with_columns(pl.when(pl.col(key) == match).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
                           ).write_csv(folder / file)
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


def test_every_scenario_is_simulated_from_the_registry(runs):
    inputs = runs["first"]["inputs"]
    assert values(inputs, "starting_cash_usd_bn") == [73.0] * 3
    assert values(inputs, f"payment_model:{ORACLE}") == [240.0] * 3  # 2027-2030 of the 60 bn a year
    oracle = inputs.filter(pl.col("parameter") == f"payment_model:{ORACLE}")["estimated_from"]
    assert oracle.str.starts_with("paid as delivered 2027-01..2030-12").all()
    amd = inputs.filter(pl.col("parameter") == "amd_s0_usd")["estimated_from"]
    assert amd.to_list() == ["core.prices AMD close"] * 3


def test_a_registry_edit_changes_the_scenario_inputs(runs):
    first, edited = runs["first"]["inputs"], runs["edited"]["inputs"]
    assert values(edited, "starting_cash_usd_bn") == [25.0] * 3
    assert values(edited, f"payment_model:{ORACLE}") == pytest.approx([200.0] * 3)
    assert values(edited, f"scheduled_payments:{ORACLE}") == pytest.approx([200.0] * 3)
    changed = (first.join(edited, on=["scenario", "parameter"], suffix="_edited")
               .filter(pl.col("value") != pl.col("value_edited"))["parameter"].unique().sort().to_list())
    assert changed == [f"payment_model:{ORACLE}", f"scheduled_payments:{ORACLE}", "starting_cash_usd_bn"]


def test_the_edit_reaches_the_simulated_compute_spend(runs):
    """A smaller Oracle contract never raises the compute spend, and lowers it once Oracle delivers."""
    def spend(run: str) -> pl.DataFrame:
        return runs[run]["compute_spend"].filter(scenario="base").sort("month").select("month", "p05", "p50", "p95")

    before, after = spend("first"), spend("edited")
    for column in ("p05", "p50", "p95"):
        assert (after[column] <= before[column] + 1e-12).all()
    late = before.join(after, on="month", suffix="_edited").filter(pl.col("month") >= date(2028, 1, 1))
    assert (late["p50_edited"] < late["p50"]).all()
    assert (before.filter(pl.col("month") < date(2027, 1, 1))["p50"]
            == after.filter(pl.col("month") < date(2027, 1, 1))["p50"]).all()


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


def test_a_universe_without_amd_skips_the_simulation_and_builds_everything_else(tmp_path):
    settings = Settings.from_env({"PERPETUUM_WAREHOUSE": str(tmp_path / "perpetuum.duckdb"),
                                  "PERPETUUM_START_DATE": START, "PERPETUUM_END_DATE": END,
                                  "PERPETUUM_TICKERS": "NVDA", "PERPETUUM_REPORT_DIR": str(tmp_path / "reports")})
    with dg.DagsterInstance.ephemeral() as instance:
        refresh(settings, instance, simulate=True)
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        status = conn.sql("SELECT part, status, reason FROM sim.status ORDER BY part").pl()
        assert conn.execute("SELECT count(*) FROM sim.outcomes").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM mart.commitment_schedule").fetchone()[0] > 0
    assert status["part"].to_list() == ["base", "bear", "bull", "comparison"]
    assert status["status"].to_list() == ["skipped"] * 4
    assert status["reason"].str.contains("daily AMD closes in core.prices").all()
    page = (tmp_path / "reports" / "perpetuum.html").read_text()
    assert "Simulation base skipped" in page and "daily AMD closes" in page
