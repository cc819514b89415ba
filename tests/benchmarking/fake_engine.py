"""A stand-in for the KPI engine's ``kpi`` over a tiny hand-made organisation, so the
workspace-level benchmark (and the CLI) can be tested with known answers without real data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd

TEAMS = ["zeta-payments", "zeta-search", "zeta-ledger", "zeta-mobile", "zeta-atlas", "zeta-orbit"]
ACCOUNTS = {t: f"{900000000000 + 131 * i}" for i, t in enumerate(TEAMS)}
MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
#: The (ids, by, where) of every call, so tests can see what was asked for.
CALLS: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = []


def esr(team_index: int, month_index: int) -> float:
    """Team i's ESR in month m: 0.05 i + 0.02 m (Apr: 0.06, 0.11, ..., 0.31)."""
    return round(0.05 * team_index + 0.02 * month_index, 10)


def cost(team_index: int) -> Decimal:
    return Decimal(1000 * (team_index + 1))


class FakeResult:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def to_pandas(self) -> pd.DataFrame:
        return self.frame

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.frame.to_dict("records")]


def fake_kpi(
    self: Any,
    ids: Any,
    *,
    grain: str = "month",
    by: Any = (),
    start: Any = None,
    end: Any = None,
    where: Any = None,
    **_: Any,
) -> FakeResult:
    ids = [ids] if isinstance(ids, str) else list(ids)
    by = [by] if isinstance(by, str) else list(by)
    if grain == "day":  # the data's extent: the organisation's data runs 1 Jan - 30 Apr 2026
        days = [MONTHS[0], dt.date(2026, 4, 30)]
        return FakeResult(pd.DataFrame({"kpi": ids[0], "period_start": days, "grain": "day",
                                        "currency": "USD", "value": Decimal(1)}))
    CALLS.append((tuple(ids), tuple(by), where))
    rows: list[dict[str, Any]] = []
    for kpi in ids:
        for m, period in enumerate(MONTHS):
            if by == ["team"] or by == ["account"]:
                for i, team in enumerate(TEAMS):
                    member = team if by == ["team"] else ACCOUNTS[team]
                    value: Any = esr(i, m) if kpi == "effective_savings_rate" else cost(i)
                    rows.append(
                        {
                            "kpi": kpi,
                            "period_start": period,
                            "grain": grain,
                            by[0]: member,
                            "currency": "USD",
                            "value": value,
                        }
                    )
            elif not by:
                value = 0.20 if kpi == "effective_savings_rate" else Decimal(21000)
                rows.append(
                    {
                        "kpi": kpi,
                        "period_start": period,
                        "grain": grain,
                        "currency": "USD",
                        "value": value,
                    }
                )
            else:
                raise AssertionError(f"fake engine does not know by={by}")
    return FakeResult(pd.DataFrame(rows))
