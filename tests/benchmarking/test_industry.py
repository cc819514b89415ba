"""Industry reference data: shipped figures are complete and cited; standing is by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from costmark.benchmarking.industry import industry_standing, load_references
from costmark.errors import InputError

APR = dt.date(2026, 4, 1)


def org(kpi: str, value: float, currency: str = "USD") -> pd.DataFrame:
    return pd.DataFrame(
        [{"kpi": kpi, "period_start": APR, "grain": "month", "currency": currency, "value": value}]
    )


def test_shipped_figures_are_complete_and_cited() -> None:
    figures = {f.id: f for f in load_references()}
    esr = figures["prosperops-aws-compute-esr-median-2024"]
    assert (esr.value, esr.year, esr.kpi) == (0.15, 2024, "effective_savings_rate")
    assert "ProsperOps" in esr.source and "EC2, Fargate, Lambda" in esr.scope
    assert figures["prosperops-aws-compute-coverage-median-2024"].value == 0.55
    assert figures["flexera-waste-2025"].value == 0.27
    assert figures["flexera-waste-2025"].kpi == "waste_share"
    assert figures["flexera-over-budget-2025"].kpi is None  # context only
    for f in figures.values():
        assert f.source and f.scope and f.year and f.title


def test_standing_against_esr_figures() -> None:
    figures = load_references()
    res = industry_standing(
        org("effective_savings_rate", 0.20),
        figures,
        "effective_savings_rate",
        direction="higher",
        annual_spend={"USD": 1_000_000.0},
    )
    got = {r["figure"]: r for r in res.to_dict("records")}
    main = got["prosperops-aws-compute-esr-median-2024"]
    assert main["gap"] == pytest.approx(0.05)
    assert (main["position"], main["standing"]) == ("above", "better")
    assert main["citation"] == "ProsperOps, 2025 AWS Compute Rate Optimization Insights (2024 data)"
    assert main["applicable"]
    small = got["prosperops-aws-compute-esr-median-small-2024"]
    assert not small["applicable"] and "500,000" in small["note"]
    gcp = got["prosperops-gcp-compute-esr-median-low-spend-2024"]
    assert gcp["gap"] == pytest.approx(0.20 - 0.094)
    assert list(res["year"]) == sorted(res["year"], reverse=True)  # newest first
    assert "flexera-waste-2025" not in got  # other KPI


def test_waste_lower_is_better() -> None:
    res = industry_standing(
        org("waste_share", 0.30), load_references(), "waste_share", direction="lower"
    )
    got = {r["figure"]: r for r in res.to_dict("records")}
    assert got["flexera-waste-2025"]["gap"] == pytest.approx(0.03)
    assert got["flexera-waste-2025"]["position"] == "above"
    assert got["flexera-waste-2025"]["standing"] == "worse"
    assert got["flexera-waste-2020"]["standing"] == "level"  # 0.30 vs 0.30


def test_user_files_add_and_replace(tmp_path: Path) -> None:
    own = tmp_path / "references"
    own.mkdir()
    (own / "mine.yaml").write_text(
        "figures:\n"
        "  - id: flexera-waste-2025\n"
        "    title: corrected\n"
        "    value: 0.25\n"
        "    year: 2025\n"
        "    source: our reading\n"
        "    scope: all\n"
        "    kpi: waste_share\n"
    )
    csv = tmp_path / "peers.csv"
    csv.write_text(
        "id,title,value,year,source,scope,kpi\n"
        "club-esr,Cloud club median ESR,0.22,2025,Cloud club survey,members only,"
        "effective_savings_rate\n"
    )
    figures = {f.id: f for f in load_references([csv], workspace=tmp_path)}
    assert figures["flexera-waste-2025"].value == 0.25
    assert figures["flexera-waste-2025"].origin.endswith("mine.yaml")
    assert figures["club-esr"].value == 0.22 and figures["club-esr"].origin == str(csv)


def test_bad_reference_file_names_file_and_figure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,value,year,source,scope\nx,t,notanumber,2025,s,sc\n")
    with pytest.raises(InputError) as err:
        load_references([bad])
    text = str(err.value)
    assert "bad.csv:2" in text and "figure x" in text and "value" in text
    with pytest.raises(InputError, match="not found"):
        load_references([tmp_path / "missing.yaml"])


def test_applicable_only_when_the_scope_is_known_to_match() -> None:
    """A spend band that cannot be checked and a scope with no cost are not applicable (each
    with its reason); a checked match is."""
    figures = load_references()
    small = "prosperops-aws-compute-esr-median-small-2024"
    main = "prosperops-aws-compute-esr-median-2024"

    def standing(value: float, currency: str, spend: dict[str, float]) -> dict[str, dict]:
        res = industry_standing(org("effective_savings_rate", value, currency), figures,
                                "effective_savings_rate", direction="higher",
                                annual_spend=spend)
        return {r["figure"]: r for r in res.to_dict("records")}

    eur = standing(0.2, "EUR", {"EUR": 100_000.0})
    assert not eur[small]["applicable"] and "cannot be placed" in eur[small]["note"]
    assert eur[main]["applicable"]
    nothing = standing(0.2, "USD", {"USD": 0.0})
    assert not nothing[main]["applicable"] and "no cost in the figure's scope" in (
        nothing[main]["note"])
    fits = standing(0.2, "USD", {"USD": 100_000.0})
    assert fits[small]["applicable"] and fits[main]["applicable"]


def test_annual_spend_is_scaled_up_from_a_partial_year() -> None:
    from costmark.benchmarking.service import _annual_spend

    spend = pd.DataFrame({"period_start": [dt.date(2026, 2, 1), dt.date(2026, 3, 1),
                                           dt.date(2026, 4, 1)],
                          "currency": "USD", "value": [100_000.0] * 3})
    annual = _annual_spend(spend, APR, "month")["USD"]
    assert annual == pytest.approx(300_000 * 365 / 89)  # Feb 1 to May 1: 89 days
