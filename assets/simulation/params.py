"""`ScenarioParams`: the uncertain parameters of one scenario, and the loader for scenarios.csv.

`data/registry/scenarios.csv` has one row per scenario and parameter:
`scenario, parameter, value, low, high, unit, basis, source_url, source_date, reason`. `low` and
`high` are the parameter's stated range (the one-at-a-time swings of `sim.sensitivity`). `basis`
is `stated` or `derived` (then `source_url` and `source_date` name the figure it rests on) or
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
SCENARIOS_FILE = "data/registry/scenarios.csv"
INF = float("inf")
# name -> (unit, smallest allowed, largest allowed); both ends allowed
SPECS = {
    "user_ceiling_median_m": ("million users", 0.0, INF),
    "user_ceiling_log_sd": ("log-sd", 0.0, INF),
    "arpu_drift_scale": ("multiplier", -INF, INF),
    "arpu_vol_annual": ("share per year", 0.0, INF),
    "personal_share_target": ("share", 1e-9, 1.0),
    "personal_share_target_yyyymm": ("YYYYMM", 190001, 299912),
    "delay_mean_months": ("months", 0.0, INF),
    "nvidia_loi_probability": ("probability", 0.0, 1.0),
    "own_capex_share": ("share", 0.0, 1.0),
    "nvidia_cost_per_gw_usd_bn": ("USD bn per GW", 0.0, INF),
    "amd_cost_per_gw_usd_bn": ("USD bn per GW", 0.0, INF),
    "broadcom_cost_per_gw_usd_bn": ("USD bn per GW", 0.0, INF),
    "cloud_rent_per_gw_year_usd_bn": ("USD bn per GW-year", 1e-9, INF),
    "revenue_per_gw_growth_annual": ("share per year", -0.999, INF),
    "revenue_per_gw_log_sd": ("log-sd", 0.0, INF),
    "other_opex_growth_annual": ("share per year", -0.999, INF),
    "amd_drift_scale": ("multiplier", -INF, INF),
    "warrant_discount_rate_annual": ("share per year", 0.0, INF),
}
UNITS = {name: spec[0] for name, spec in SPECS.items()}


class ScenarioError(ValueError):
    """A scenario file or parameter is unusable; the message names the file, line and parameter."""


@dataclass(frozen=True)
class ScenarioParams:
    """Uncertain parameters. Defaults are neutral values for tests, not a scenario.

    user_ceiling_median_m: median ceiling of weekly active users (million) of the logistic curve.
    user_ceiling_log_sd: log-sd of the headroom (ceiling minus the largest reported user count).
    arpu_drift_scale: multiplier on the ARPU drift estimated from the ARPU history.
    arpu_vol_annual: yearly volatility of the log-ARPU random walk (months after the level month).
    personal_share_target: personal share of revenue the mix moves to after the last statement.
    personal_share_target_yyyymm: month (YYYYMM) the target is reached, linearly from the last statement.
    delay_mean_months: mean of the per-path delivery delay (geometric on 0, 1, 2, ... months) of
        every deal whose deliveries start in the simulated months.
    nvidia_loi_probability: probability (per path) that the NVIDIA letter of intent happens: its
        10 GW of systems and its per-GW money together.
    own_capex_share: share of a vendor deal's GW (NVIDIA, AMD, Broadcom) that OpenAI buys itself;
        the rest is installed by clouds and paid through their contracts, which are already paid.
    nvidia/amd/broadcom_cost_per_gw_usd_bn: that vendor's system cost per GW OpenAI pays.
    cloud_rent_per_gw_year_usd_bn: rent per GW-year; turns cloud payments into GW online.
    revenue_per_gw_growth_annual: yearly growth of the revenue one GW online can serve.
    revenue_per_gw_log_sd: log-sd (per path) of revenue per GW around its reported level.
    other_opex_growth_annual: yearly growth of the other operating costs.
    amd_drift_scale: multiplier on AMD's estimated GBM drift (the volatility is kept).
    warrant_discount_rate_annual: rate that discounts vested warrant value to the valuation month.
    sources: parameter -> where its value comes from (filled by `load_scenarios`).
    lines: parameter -> `scenarios.csv:<line>` it was read from (for error messages).
    """

    user_ceiling_median_m: float = 1500.0
    user_ceiling_log_sd: float = 0.0
    arpu_drift_scale: float = 1.0
    arpu_vol_annual: float = 0.0
    personal_share_target: float = 0.5
    personal_share_target_yyyymm: int = 202612
    delay_mean_months: float = 0.0
    nvidia_loi_probability: float = 1.0
    own_capex_share: float = 1.0
    nvidia_cost_per_gw_usd_bn: float = 35.0
    amd_cost_per_gw_usd_bn: float = 17.0
    broadcom_cost_per_gw_usd_bn: float = 35.0
    cloud_rent_per_gw_year_usd_bn: float = 13.0
    revenue_per_gw_growth_annual: float = 0.0
    revenue_per_gw_log_sd: float = 0.0
    other_opex_growth_annual: float = 0.0
    amd_drift_scale: float = 1.0
    warrant_discount_rate_annual: float = 0.1
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    lines: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in self.names():
            problem = out_of_range(name, getattr(self, name))
            if problem:
                raise ScenarioError(f"{self.where(name)}: {name} {problem}")
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "lines", MappingProxyType(dict(self.lines)))

    @classmethod
    def names(cls) -> list[str]:
        """The parameter names, in declaration order (without `sources` and `lines`)."""
        return [f.name for f in dataclasses.fields(cls) if f.name not in ("sources", "lines")]

    def where(self, name: str) -> str:
        """Where a parameter was set: `scenarios.csv:<line>`, or the run config."""
        return self.lines.get(name, "scenario parameters")

    def override(self, **values: float) -> ScenarioParams:
        """A copy with some parameters replaced; their source becomes 'run config override'."""
        unknown = set(values) - set(self.names())
        if unknown:
            raise ScenarioError(f"unknown scenario parameters: {sorted(unknown)}")
        sources = {**self.sources, **{name: OVERRIDE_SOURCE for name in values}}
        lines = {**self.lines, **{name: f"run config override of {name}" for name in values}}
        return dataclasses.replace(self, **values, sources=sources, lines=lines)


def out_of_range(name: str, value: float) -> str | None:
    """Why `value` is not allowed for parameter `name`, or None."""
    _, low, high = SPECS[name]
    if not low <= value <= high:
        return f"{value:g} is outside [{low:g}, {high:g}]"
    if name == "personal_share_target_yyyymm":
        try:
            from_yyyymm(value)
        except ValueError as exc:
            return str(exc)
    return None


@dataclass(frozen=True)
class Ranges:
    """Per parameter of one scenario: its stated (low, high) range."""

    low: Mapping[str, float]
    high: Mapping[str, float]


def _source(row: dict) -> str:
    if row["basis"] == "assumption":
        return f"assumption: {row['reason']}"
    return f"{row['basis']}: {row['source_url']} ({row['source_date']}); {row['reason']}"


def _number(where: str, row: dict, column: str) -> float:
    try:
        return float(row[column])
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}: {row['parameter']} {column} {row[column]!r} is not a number") from None


def read_scenarios(path: str | Path) -> tuple[dict[str, ScenarioParams], dict[str, Ranges]]:
    """Read scenarios.csv: one `ScenarioParams` and one `Ranges` per scenario, in file order.

    Raises ScenarioError naming the file, line and parameter for a missing or unknown parameter, a
    duplicate, a value or range outside what the parameter allows, a value outside its own range,
    an unknown basis, a sourced row without URL and date, or an assumption without a reason.
    """
    path = Path(path)
    try:
        rows = pl.read_csv(path, infer_schema=False).with_row_index("line", offset=2)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    columns = ["scenario", "parameter", "value", "low", "high", "unit", "basis", "source_url", "source_date", "reason"]
    missing_columns = [c for c in columns if c not in rows.columns]
    if missing_columns:
        raise ScenarioError(f"{path.name}:1: columns {missing_columns} missing (need {columns})")
    names = ScenarioParams.names()
    values: dict[str, dict[str, float]] = {}
    ranges: dict[str, dict[str, tuple[float, float]]] = {}
    sources: dict[str, dict[str, str]] = {}
    lines: dict[str, dict[str, str]] = {}
    for row in rows.iter_rows(named=True):
        where = f"{path.name}:{row['line']}"
        scenario, name = row["scenario"], row["parameter"]
        if name not in names:
            raise ScenarioError(f"{where}: parameter {name!r} is not one of {names}")
        if row["unit"] != UNITS[name]:
            raise ScenarioError(f"{where}: {name} unit {row['unit']!r}; {name} is in {UNITS[name]!r}")
        if row["basis"] not in BASES:
            raise ScenarioError(f"{where}: {name} basis {row['basis']!r}; must be one of {BASES}")
        if row["basis"] == "assumption" and not row["reason"]:
            raise ScenarioError(f"{where}: {name} reason: an assumption needs a reason")
        if row["basis"] != "assumption" and not (row["source_url"] and row["source_date"]):
            raise ScenarioError(f"{where}: {name} source_url/source_date: a {row['basis']} value needs its source")
        if name in values.setdefault(scenario, {}):
            raise ScenarioError(f"{where}: {scenario}/{name} is given twice")
        value, low, high = (_number(where, row, c) for c in ("value", "low", "high"))
        for column, number in (("value", value), ("low", low), ("high", high)):
            if problem := out_of_range(name, number):
                raise ScenarioError(f"{where}: {name} {column} {problem}")
        if not low <= value <= high:
            raise ScenarioError(f"{where}: {name} value {value:g} is outside its own range low {low:g} .. high {high:g}")
        values[scenario][name] = value
        ranges.setdefault(scenario, {})[name] = (low, high)
        sources.setdefault(scenario, {})[name] = _source(row)
        lines.setdefault(scenario, {})[name] = where
    scenarios, spans = {}, {}
    for scenario, given in values.items():
        missing = [name for name in names if name not in given]
        if missing:
            raise ScenarioError(f"{path.name}: scenario {scenario!r} lacks parameters {missing}")
        given["personal_share_target_yyyymm"] = int(given["personal_share_target_yyyymm"])
        scenarios[scenario] = ScenarioParams(**given, sources=sources[scenario], lines=lines[scenario])
        spans[scenario] = Ranges(low={k: v[0] for k, v in ranges[scenario].items()},
                                 high={k: v[1] for k, v in ranges[scenario].items()})
    return scenarios, spans


def load_scenarios(path: str | Path) -> dict[str, ScenarioParams]:
    """The `ScenarioParams` of every scenario in scenarios.csv (see `read_scenarios`)."""
    return read_scenarios(path)[0]
