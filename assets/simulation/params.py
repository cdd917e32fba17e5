"""`ScenarioParams`: the uncertain parameters of one scenario, and the loader for scenarios.csv.

`data/registry/scenarios.csv` has one row per scenario and parameter:
`scenario, parameter, value, unit, basis, source_url, source_date, reason`. `basis` is `stated`
or `derived` (then `source_url` and `source_date` name the registry figure it rests on) or
`assumption` (then `reason` says why). Every parameter must be given for every scenario.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import polars as pl

from assets.simulation.months import from_yyyymm

BASES = ("stated", "derived", "assumption")
OVERRIDE_SOURCE = "run config override"
UNITS = {
    "user_ceiling_median_m": "million users",
    "user_ceiling_log_sd": "log-sd",
    "arpu_drift_scale": "multiplier",
    "arpu_vol_annual": "share per year",
    "personal_share_target": "share",
    "personal_share_target_yyyymm": "YYYYMM",
    "delay_mean_months": "months",
    "nvidia_loi_probability": "probability",
    "chip_spend_per_gw_usd_bn": "USD bn per GW",
    "other_opex_growth_annual": "share per year",
    "amd_drift_scale": "multiplier",
}


@dataclass(frozen=True)
class ScenarioParams:
    """Uncertain parameters. Defaults are neutral values for tests, not a scenario.

    user_ceiling_median_m: median ceiling of weekly active users (million) of the logistic curve.
    user_ceiling_log_sd: log-sd of the headroom (ceiling minus the largest reported user count).
    arpu_drift_scale: multiplier on the ARPU drift estimated from the ARPU history.
    arpu_vol_annual: yearly volatility of the log-ARPU random walk (months after the level month).
    personal_share_target: personal share of revenue the mix moves to after the last statement.
    personal_share_target_yyyymm: month (YYYYMM) the target is reached, linearly from the last statement.
    delay_mean_months: mean of the per-path deployment delay (geometric on 0, 1, 2, ... months).
    nvidia_loi_probability: probability that NVIDIA's per-GW financing happens at all (per path).
    chip_spend_per_gw_usd_bn: what OpenAI pays per GW of a deal without a disclosed value.
    other_opex_growth_annual: yearly growth of the other operating costs.
    amd_drift_scale: multiplier on AMD's estimated GBM drift (the volatility is kept).
    sources: parameter -> where its value comes from (filled by `load_scenarios`).
    """

    user_ceiling_median_m: float = 1500.0
    user_ceiling_log_sd: float = 0.0
    arpu_drift_scale: float = 1.0
    arpu_vol_annual: float = 0.0
    personal_share_target: float = 0.5
    personal_share_target_yyyymm: int = 202612
    delay_mean_months: float = 0.0
    nvidia_loi_probability: float = 1.0
    chip_spend_per_gw_usd_bn: float = 35.0
    other_opex_growth_annual: float = 0.0
    amd_drift_scale: float = 1.0
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        checks = {
            "user_ceiling_log_sd": self.user_ceiling_log_sd >= 0,
            "arpu_vol_annual": self.arpu_vol_annual >= 0,
            "personal_share_target": 0 < self.personal_share_target <= 1,
            "delay_mean_months": self.delay_mean_months >= 0,
            "nvidia_loi_probability": 0 <= self.nvidia_loi_probability <= 1,
            "chip_spend_per_gw_usd_bn": self.chip_spend_per_gw_usd_bn >= 0,
            "other_opex_growth_annual": self.other_opex_growth_annual > -1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"ScenarioParams.{name}: {getattr(self, name)} is out of range")
        from_yyyymm(self.personal_share_target_yyyymm)
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    @classmethod
    def names(cls) -> list[str]:
        """The parameter names, in declaration order (without `sources`)."""
        return [f.name for f in dataclasses.fields(cls) if f.name != "sources"]

    def override(self, **values: float) -> ScenarioParams:
        """A copy with some parameters replaced; their source becomes 'run config override'."""
        unknown = set(values) - set(self.names())
        if unknown:
            raise ValueError(f"unknown scenario parameters: {sorted(unknown)}")
        sources = {**self.sources, **{name: OVERRIDE_SOURCE for name in values}}
        return dataclasses.replace(self, **values, sources=sources)


def _source(row: dict) -> str:
    if row["basis"] == "assumption":
        return f"assumption: {row['reason']}"
    return f"{row['basis']}: {row['source_url']} ({row['source_date']}); {row['reason']}"


def load_scenarios(path: str | Path) -> dict[str, ScenarioParams]:
    """Read scenarios.csv into one `ScenarioParams` per scenario, in file order.

    Raises ValueError naming the file and line for a missing or unknown parameter, a duplicate,
    an unknown basis, a sourced row without URL and date, or an assumption without a reason.
    """
    path = Path(path)
    rows = pl.read_csv(path, infer_schema=False).with_row_index("line", offset=2)
    names = ScenarioParams.names()
    values: dict[str, dict[str, float]] = {}
    sources: dict[str, dict[str, str]] = {}
    for row in rows.iter_rows(named=True):
        where = f"{path.name}:{row['line']}"
        scenario, name = row["scenario"], row["parameter"]
        if name not in names:
            raise ValueError(f"{where}: parameter {name!r} — not one of {names}")
        if row["unit"] != UNITS[name]:
            raise ValueError(f"{where}: unit {row['unit']!r} — {name} is in {UNITS[name]!r}")
        if row["basis"] not in BASES:
            raise ValueError(f"{where}: basis {row['basis']!r} — must be one of {BASES}")
        if row["basis"] == "assumption" and not row["reason"]:
            raise ValueError(f"{where}: reason — an assumption needs a reason")
        if row["basis"] != "assumption" and not (row["source_url"] and row["source_date"]):
            raise ValueError(f"{where}: source_url/source_date — a {row['basis']} value needs its source")
        if name in values.setdefault(scenario, {}):
            raise ValueError(f"{where}: {scenario}/{name} — given twice")
        values[scenario][name] = float(row["value"])
        sources.setdefault(scenario, {})[name] = _source(row)
    scenarios = {}
    for scenario, given in values.items():
        missing = [name for name in names if name not in given]
        if missing:
            raise ValueError(f"{path.name}: scenario {scenario!r} lacks {missing}")
        given["personal_share_target_yyyymm"] = int(given["personal_share_target_yyyymm"])
        scenarios[scenario] = ScenarioParams(**given, sources=sources[scenario])
    return scenarios
