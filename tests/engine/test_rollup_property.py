"""Property: for any small set of rows, rollup answers equal raw answers exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costmark
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        values: {a1: ops}
    default: unallocated
"""
KPIS = ["total_cost", "effective_savings_rate", "savings_achieved", "commitment_utilization",
        "commitment_coverage", "on_demand_share", "allocation_coverage", "cost_change",
        "cost_variance", "untagged_cost_share"]

money = st.decimals(min_value=-50, max_value=500, places=4, allow_nan=False)
rows = st.lists(
    st.fixed_dictionaries({
        "ChargePeriodStart": st.sampled_from(["2024-01-03", "2024-01-29", "2024-02-14",
                                              "2024-03-01"]),
        "ChargeCategory": st.sampled_from(["Usage", "Usage", "Purchase", "Credit"]),
        "CommitmentDiscountStatus": st.sampled_from([None, None, "Used", "Unused"]),
        "PricingCategory": st.sampled_from(["Standard", "Committed", "Dynamic"]),
        "ServiceCategory": st.sampled_from(["Compute", "Storage"]),
        "SubAccountId": st.sampled_from(["a1", "a2"]),
        "Tags": st.sampled_from([None, '{"team": "web"}', '{"team": ""}']),
        "BillingCurrency": st.sampled_from(["USD", "USD", "EUR"]),
        "EffectiveCost": money,
        "ListCost": st.one_of(st.none(), money),
        "ContractedCost": st.one_of(st.none(), money),
    }),
    min_size=1, max_size=12,
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> costmark.Workspace:
    workspace = costmark.init_workspace(Path(tmp_path_factory.mktemp("prop")) / "ws")
    write_config(workspace, CONFIG)
    yield workspace
    workspace.close()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows, grain=st.sampled_from(["day", "week", "month"]),
       by=st.sampled_from([(), ("team",), ("ServiceCategory",)]))
def test_rollup_equals_raw(ws: costmark.Workspace, data: list[dict], grain: str,
                           by: tuple[str, ...]) -> None:
    ws.warehouse.con.execute("DELETE FROM costs").fetchall()
    load_rows(ws, [row(**{k: (None if v is None else str(v)) for k, v in r.items()})
                   for r in data])
    ws.refresh_rollups()
    rolled = ws.kpi(KPIS, grain=grain, by=by, rollups=True)
    raw = ws.kpi(KPIS, grain=grain, by=by, rollups=False)
    assert rolled.rows() == raw.rows()
