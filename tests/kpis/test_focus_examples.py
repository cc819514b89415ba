"""The FOCUS specification's commitment examples, with the ESR / utilization of KPIS.md.

The example files carry only the columns their point needs; the loader fills the other
mandatory columns (currency, provider, account) and reads the literal ``null`` as NULL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import costmark
from tests.kpi_support import load_rows, read_csv_rows

FLEX = "commitment_discount_flexibility"
SCEN = "commitment_discount_scenarios"

# (file, ESR, utilization); None: null value (no known list price)
EXPECTED = [
    (f"{FLEX}/one_hundred_percent_utilization_without_commitment_discount_flexibility.csv",
     0.5, 1.0),
    (f"{FLEX}/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_"
     "1_resource.csv", 1 - 2.75 / 5.25, 1.0),
    (f"{FLEX}/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_"
     "2_resources.csv", 0.5, 1.0),
    (f"{FLEX}/zero_percent_utilization_without_commitment_discount_flexibility.csv",
     -0.75, 0.0),
    (f"{SCEN}/commitment_discount_usage_scenario_1.csv", None, 1.0),
    (f"{SCEN}/commitment_discount_usage_scenario_2.csv", None, 0.0),
    (f"{SCEN}/commitment_discount_usage_scenario_3.csv", None, 0.75),
    (f"{SCEN}/commitment_discount_usage_scenario_4.csv", None, 1.0),
]


@pytest.mark.parametrize(("name", "esr", "utilization"), EXPECTED,
                         ids=[Path(e[0]).stem for e in EXPECTED])
def test_spec_examples(workspace: costmark.Workspace, shared_data: Path, engine: str,
                       name: str, esr: float | None, utilization: float) -> None:
    rows = read_csv_rows(shared_data / "focus-spec" / "examples" / name)
    load_rows(workspace, rows)
    result = workspace.kpi(["effective_savings_rate", "commitment_utilization"], engine=engine)
    got_esr = result.value("effective_savings_rate")
    if esr is None:
        assert got_esr is None
        row = next(r for r in result.rows() if r["kpi"] == "effective_savings_rate")
        assert row["note"] == "no usage with a known list price"
    else:
        assert got_esr == pytest.approx(esr, rel=1e-12)
    assert result.value("commitment_utilization") == pytest.approx(utilization, rel=1e-12)


def test_purchases_add_nothing(workspace: costmark.Workspace, shared_data: Path,
                               engine: str) -> None:
    """Purchase rows are amortized into usage: adding them changes neither ESR nor
    utilization (ChargePeriodEnd is dropped: one example file has an impossible hour 30)."""
    folder = shared_data / "focus-spec" / "examples"
    usage = read_csv_rows(folder / EXPECTED[3][0])
    purchases = []
    for i in (1, 2, 3):
        for r in read_csv_rows(folder / SCEN / f"commitment_discount_purchase_scenario_{i}.csv"):
            r.pop("ChargePeriodEnd", None)
            purchases.append(r)
    load_rows(workspace, usage + purchases)
    result = workspace.kpi(["effective_savings_rate", "commitment_utilization",
                            "commitment_waste"], engine=engine)
    assert result.value("effective_savings_rate") == pytest.approx(-0.75)
    assert result.value("commitment_utilization") == 0.0
    assert result.value("commitment_waste") == 1.0


# (file, quantity utilization): usage-based commitments (CommitmentDiscountCategory Usage,
# quantities in Hour / Normalized Hour)
QUANTITY = [
    (f"{FLEX}/one_hundred_percent_utilization_without_commitment_discount_flexibility.csv", 1.0),
    (f"{FLEX}/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_"
     "2_resources.csv", 1.0),
    (f"{FLEX}/zero_percent_utilization_without_commitment_discount_flexibility.csv", 0.0),
]


@pytest.mark.parametrize(("name", "expected"), QUANTITY, ids=[Path(e[0]).stem for e in QUANTITY])
def test_quantity_form_of_utilization(workspace: costmark.Workspace, shared_data: Path,
                                      engine: str, name: str, expected: float) -> None:
    load_rows(workspace, read_csv_rows(shared_data / "focus-spec" / "examples" / name))
    result = workspace.kpi("commitment_utilization_quantity", engine=engine)
    assert result.value("commitment_utilization_quantity") == expected


def test_quantity_form_leaves_spend_based_commitments_out(
    workspace: costmark.Workspace, shared_data: Path, engine: str
) -> None:
    """Scenario 3 is a spend-based commitment (its CommitmentDiscountUnit is USD): the cost
    form says 0.75; the quantity form has no usage-based quantity to count."""
    rows = read_csv_rows(shared_data / "focus-spec" / "examples" / SCEN
                         / "commitment_discount_usage_scenario_3.csv")
    load_rows(workspace, rows)
    result = workspace.kpi(["commitment_utilization", "commitment_utilization_quantity"],
                           engine=engine)
    assert result.value("commitment_utilization") == pytest.approx(0.75)
    row = next(r for r in result.rows() if r["kpi"] == "commitment_utilization_quantity")
    assert row["value"] is None
    assert row["note"] == "no usage-based commitment discount quantities"
