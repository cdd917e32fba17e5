"""Deals: the curated registry in data/registry, its validation, and the deal tables.

registry.py reads the CSV files strictly (file and line of every row), schemas.py holds the pandera
models, rules.py the rules across rows and files; none of them imports Dagster. assets.py turns
them into the `registry` asset group: raw/deals, raw/deal_terms, raw/companies, raw/openai_metrics,
raw/reference_estimates (one multi-asset, all-or-nothing), core/companies and core/deal_flows.
"""

from .assets import (
    company_names_resolve_once,
    core_companies,
    core_deal_flows,
    flow_parties_are_companies,
    one_flow_per_deal,
    overlap_groups_counted_once,
    registry_files,
)
from .resource import RegistryResource

REGISTRY_ASSETS = [registry_files, core_companies, core_deal_flows]
REGISTRY_CHECKS = [flow_parties_are_companies, one_flow_per_deal, overlap_groups_counted_once, company_names_resolve_once]

__all__ = ["REGISTRY_ASSETS", "REGISTRY_CHECKS", "RegistryResource"]
