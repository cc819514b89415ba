"""Benchmarking: KPIs against targets, internal peers, history, industry figures and external
peer packs. The core is pure functions over the KPI engine's long-format frames (one row per
kpi, period_start, by-dimensions..., currency) so every answer can be tested on hand-made frames;
``service`` wires them to a workspace.
"""

from costmark.benchmarking.common import TOTAL_KPIS, kpi_direction
from costmark.benchmarking.exchange import build_pack, external_standing, validate_pack
from costmark.benchmarking.history import history_compare
from costmark.benchmarking.industry import ReferenceFigure, industry_standing, load_references
from costmark.benchmarking.peers import assign_cohorts, most_improved, peer_ranks, spend_bands
from costmark.benchmarking.targets import evaluate_targets

__all__ = [
    "TOTAL_KPIS",
    "ReferenceFigure",
    "assign_cohorts",
    "build_pack",
    "evaluate_targets",
    "external_standing",
    "history_compare",
    "industry_standing",
    "kpi_direction",
    "load_references",
    "most_improved",
    "peer_ranks",
    "spend_bands",
    "validate_pack",
]
