"""FOCUS 1.4 worked examples: eligibility-aware commitment coverage and AI token unit costs.

The expected numbers are the ones the spec pages state (../shared/data/focus-spec-current,
SOURCES.md sections 2d and 2f). The example files carry only the columns their point needs;
``load_rows`` fills the rest. The coverage-rate file still names its column by the working-draft
name ``CommitmentProgramEligibility``: it is read through the same alias ingest uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark.focus.values import DRAFT_NAMES
from tests.kpi_support import load_rows, read_csv_rows

ELIG = "commitment_eligibility"
AI = "ai_model_billing"


def spec_rows(shared_data: Path, folder: str, name: str) -> list[dict[str, Any]]:
    path = shared_data / "focus-spec-current" / "specification" / "data" / folder / name
    rows = read_csv_rows(path)
    return [{DRAFT_NAMES.get(k, k): v for k, v in r.items()} for r in rows]


def _row(result: costmark.KpiResult, kpi: str, **keys: Any) -> dict[str, Any]:
    hits = [r for r in result.rows()
            if r["kpi"] == kpi and all(r.get(k) == v for k, v in keys.items())]
    assert len(hits) == 1, hits
    return hits[0]


# -- eligibility-aware coverage ------------------------------------------------------------
def test_coverage_rate_eligibility_adjusted(workspace: costmark.Workspace, shared_data: Path,
                                            engine: str) -> None:
    """The spec's four rows: 42.9% without the OR (150 / 350), 55.6% with it (250 / 450). The
    built-in uses the OR (the spec calls it the accurate rate); the strict form is the other."""
    load_rows(workspace, spec_rows(shared_data, ELIG, "coverage_rate_eligibility_adjusted.csv"))
    result = workspace.kpi(["commitment_coverage_eligible", "commitment_coverage_eligible_strict",
                            "commitment_coverage"], engine=engine)
    strict = _row(result, "commitment_coverage_eligible_strict")
    assert strict["numerator"] == pytest.approx(150)
    assert strict["denominator"] == pytest.approx(350)
    assert strict["value"] == pytest.approx(150 / 350)
    assert round(strict["value"] * 100, 1) == 42.9
    defensive = _row(result, "commitment_coverage_eligible")
    assert defensive["numerator"] == pytest.approx(250)
    assert defensive["denominator"] == pytest.approx(450)
    assert round(defensive["value"] * 100, 1) == 55.6
    # the plain definition is unchanged: no ListCost/ContractedCost, no ServiceCategory Compute
    assert _row(result, "commitment_coverage")["value"] is None


def test_uncovered_eligible_spend(workspace: costmark.Workspace, shared_data: Path,
                                  engine: str) -> None:
    """Eligible spend: 300 + 200 + 150 (Aura Web Compute) + 120 + 80 (StackLens); support is
    left out. Covered: 150. Uncovered eligible spend per provider is the spec's $500 / $200."""
    load_rows(workspace, spec_rows(shared_data, ELIG,
                                   "uncovered_eligible_spend_by_program_type.csv"))
    result = workspace.kpi("commitment_coverage_eligible", by="ServiceProviderName",
                           engine=engine)
    aura = _row(result, "commitment_coverage_eligible", ServiceProviderName="Aura Web")
    assert aura["denominator"] - aura["numerator"] == pytest.approx(500)
    assert aura["value"] == pytest.approx(150 / 650)
    stack = _row(result, "commitment_coverage_eligible", ServiceProviderName="StackLens")
    assert stack["denominator"] - stack["numerator"] == pytest.approx(200)
    assert stack["value"] == 0


def test_no_eligibility_data_is_null_with_a_note(workspace: costmark.Workspace,
                                                 shared_data: Path, engine: str) -> None:
    """FOCUS < 1.4 (no eligibility column): null with the fallback said, never the covered
    rows alone reported as 100% covered."""
    rows = spec_rows(shared_data, ELIG, "coverage_rate_eligibility_adjusted.csv")
    for r in rows:
        r.pop("CommitmentProgramEligibilityDetails")
    load_rows(workspace, rows)
    result = workspace.kpi(["commitment_coverage_eligible", "commitment_coverage_eligible_strict"],
                           engine=engine)
    for kpi in ("commitment_coverage_eligible", "commitment_coverage_eligible_strict"):
        row = _row(result, kpi)
        assert row["value"] is None
        assert "CommitmentProgramEligibilityDetails" in row["note"]
        assert "commitment_coverage" in row["note"]


# -- AI token unit costs -------------------------------------------------------------------
def test_per_token_ai_model_api(workspace: costmark.Workspace, shared_data: Path,
                                engine: str) -> None:
    """42.00 for 8,400,000 input tokens, 52.50 for 2,100,000 output tokens."""
    load_rows(workspace, spec_rows(shared_data, AI, "per_token_ai_model_api.csv"))
    ids = ["ai_cost_per_1k_tokens", "ai_cost_per_1k_input_tokens",
           "ai_cost_per_1k_output_tokens", "ai_cost_per_1k_cached_tokens"]
    result = workspace.kpi(ids, engine=engine)
    assert result.value("ai_cost_per_1k_input_tokens") == pytest.approx(0.005)
    assert result.value("ai_cost_per_1k_output_tokens") == pytest.approx(0.025)
    total = _row(result, "ai_cost_per_1k_tokens")
    assert total["numerator"] == pytest.approx(94_500)  # 1000 × 94.50
    assert total["denominator"] == pytest.approx(10_500_000)
    assert total["value"] == pytest.approx(0.009)
    cached = _row(result, "ai_cost_per_1k_cached_tokens")
    assert cached["value"] is None
    assert cached["note"].startswith("no token usage")
    split = workspace.kpi("ai_cost_per_1k_tokens", by="x_TokenDirection", engine=engine)
    assert split.value("ai_cost_per_1k_tokens", x_TokenDirection="Input") == pytest.approx(0.005)
    assert split.value("ai_cost_per_1k_tokens", x_TokenDirection="Output") == pytest.approx(0.025)


def test_cached_tokens(workspace: costmark.Workspace, shared_data: Path, engine: str) -> None:
    """10.00 for 50,000,000 cache-read tokens and 37.50 for 15,000,000 cache-write tokens."""
    load_rows(workspace, spec_rows(shared_data, AI, "cached_tokens_via_csp_marketplace.csv"))
    result = workspace.kpi("ai_cost_per_1k_cached_tokens", by="x_TokenCacheAction",
                           engine=engine)
    assert result.value("ai_cost_per_1k_cached_tokens",
                        x_TokenCacheAction="Read") == pytest.approx(0.0002)
    assert result.value("ai_cost_per_1k_cached_tokens",
                        x_TokenCacheAction="Write") == pytest.approx(0.0025)
    both = workspace.kpi("ai_cost_per_1k_cached_tokens", engine=engine)
    assert both.value("ai_cost_per_1k_cached_tokens") == pytest.approx(47.5 / 65_000)


def test_prepaid_drawdown_counts_effective_cost(workspace: costmark.Workspace,
                                                shared_data: Path, engine: str) -> None:
    """BilledCost is 0 on drawdown usage; EffectiveCost 20.00 (5M input) and 30.00 (1.5M
    output) is the unit cost. The 500,000 purchase row counts no tokens and stays out."""
    load_rows(workspace, spec_rows(shared_data, AI, "drawdown_via_prepayment_ai_model_api.csv"))
    result = workspace.kpi(["ai_cost_per_1k_input_tokens", "ai_cost_per_1k_output_tokens",
                            "ai_cost_per_1k_tokens"], engine=engine)
    assert result.value("ai_cost_per_1k_input_tokens") == pytest.approx(0.004)
    assert result.value("ai_cost_per_1k_output_tokens") == pytest.approx(0.02)
    assert result.value("ai_cost_per_1k_tokens") == pytest.approx(50_000 / 6_500_000)


def test_token_units_with_a_multiplier(workspace: costmark.Workspace, shared_data: Path,
                                       engine: str) -> None:
    """A ConsumedUnit of "1000 Tokens" counts 1,000 tokens per unit; with no token
    ConsumedUnit the PricingUnit ("1000000 Tokens" × PricingQuantity) counts them."""
    rows = spec_rows(shared_data, AI, "per_token_ai_model_api.csv")
    rows[0]["ConsumedQuantity"], rows[0]["ConsumedUnit"] = "8400", "1000 Tokens"
    rows[1]["ConsumedQuantity"], rows[1]["ConsumedUnit"] = "", ""
    load_rows(workspace, rows)
    result = workspace.kpi(["ai_cost_per_1k_input_tokens", "ai_cost_per_1k_output_tokens"],
                           engine=engine)
    assert result.value("ai_cost_per_1k_input_tokens") == pytest.approx(0.005)
    assert result.value("ai_cost_per_1k_output_tokens") == pytest.approx(0.025)
