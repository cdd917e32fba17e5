"""Same inputs and seed give identical tables; another seed differs; chunking and n_paths=1 work."""

from __future__ import annotations

from dataclasses import fields

import pytest

from assets.simulation.draws import BLOCK_PATHS
from assets.simulation.run import SimulationResult, run_scenario

N = 2 * BLOCK_PATHS + 123  # a partial last block


def tables(result: SimulationResult):
    return [(f.name, getattr(result, f.name)) for f in fields(result) if f.name != "summaries"]


@pytest.fixture(scope="module")
def base_run(registry_inputs, scenarios):
    return run_scenario(registry_inputs, scenarios["base"], "base", n_paths=N, seed=42)


def test_same_seed_gives_identical_tables(base_run, registry_inputs, scenarios):
    again = run_scenario(registry_inputs, scenarios["base"], "base", n_paths=N, seed=42)
    for (name, first), (_, second) in zip(tables(base_run), tables(again)):
        assert first.equals(second), name


def test_chunk_size_does_not_change_the_tables(base_run, registry_inputs, scenarios):
    small = run_scenario(registry_inputs, scenarios["base"], "base", n_paths=N, seed=42, chunk_paths=BLOCK_PATHS)
    for (name, first), (_, second) in zip(tables(base_run), tables(small)):
        assert first.equals(second), name


def test_another_seed_gives_other_tables(base_run, registry_inputs, scenarios):
    other = run_scenario(registry_inputs, scenarios["base"], "base", n_paths=N, seed=43)
    assert not other.path_quantiles.equals(base_run.path_quantiles)
    assert not other.sample_paths.equals(base_run.sample_paths)


def test_one_path_works(registry_inputs, scenarios):
    result = run_scenario(registry_inputs, scenarios["bear"], "bear", n_paths=1, seed=42)
    assert result.sample_paths["path"].unique().to_list() == [0]
    assert result.sample_paths.height == registry_inputs.n_months
    assert result.path_quantiles.select("p05", "p95").null_count().sum_horizontal().item() == 0
    assert (result.path_quantiles["p05"] == result.path_quantiles["p95"]).all()


def test_overrides_are_used_and_marked(registry_inputs, scenarios):
    params = scenarios["base"].override(nvidia_loi_probability=0.0)
    result = run_scenario(registry_inputs, params, "base", n_paths=BLOCK_PATHS, seed=42)
    row = result.scenario_inputs.filter(parameter="nvidia_loi_probability").row(0, named=True)
    assert row["value"] == 0.0 and row["source_or_assumption"] == "run config override"
    financing = result.path_quantiles.filter(metric="vendor_financing")
    assert (financing["p95"] == financing["p05"]).all()  # no per-GW money: only the fixed supplier equity
