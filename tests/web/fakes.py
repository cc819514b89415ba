"""A facade with a tiny, hand-checkable KPI engine, so web and report tests do not depend on
the real engine's numbers: total_cost per team and month, and a ratio KPI.

The double replaces only the engine's ``answer`` and ``catalog``: the scope handling of
``KpiEngine.run`` (add the scope's dimensions, keep the matching groups) is the real one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from costmark.api import Workspace
from costmark.engine.context import Context
from costmark.engine.kpiengine import BackendCache, KpiEngine
from costmark.engine.query import KpiRequest
from costmark.engine.result import KpiResult

XSS = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'

#: (team, month) -> (cost, savings): total_cost is cost; savings_rate = savings / cost.
DATA: dict[tuple[str, dt.date], tuple[Decimal, Decimal]] = {
    ("payments", dt.date(2026, 9, 1)): (Decimal("100.00"), Decimal("10.00")),
    ("payments", dt.date(2026, 10, 1)): (Decimal("150.00"), Decimal("30.00")),
    ("search", dt.date(2026, 9, 1)): (Decimal("1000.00"), Decimal("100.00")),
    ("search", dt.date(2026, 10, 1)): (Decimal("900.00"), Decimal("90.00")),
    (XSS, dt.date(2026, 10, 1)): (Decimal("5.00"), Decimal("0.00")),
    (FORMULA, dt.date(2026, 10, 1)): (Decimal("7.00"), Decimal("0.00")),
}


class Catalog:
    def __init__(self, id: str, title: str, unit: str, direction: str) -> None:
        self.id, self.title, self.unit, self.direction = id, title, unit, direction
        self.description = f"{title} <b>described</b>"
        self.kind = "builtin"


CATALOG = [
    Catalog("total_cost", "Total cost", "currency", "lower"),
    Catalog("savings_rate", "Savings rate", "ratio", "higher"),
]


def _month_ends(
    ids: list[str], by: tuple[str, ...], teams: tuple[str, ...] | None = None
) -> list[dict]:
    """Daily rows on each month's first and last day: enough for the data's extent (the data
    covers September and October 2026 entirely)."""
    out = []
    for (team, month), (cost, _) in sorted(DATA.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if teams is not None and team not in teams:
            continue
        last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for day in (month, last):
            for kpi in ids:
                row = {"kpi": kpi, "period_start": day, "grain": "day", "currency": "USD",
                       "value": cost / 2, "note": None}
                out.append({**row, "team": team} if by else row)
    return out


def kpi_rows(
    ids: list[str],
    grain: str,
    by: tuple[str, ...],
    start: Any,
    end: Any,
    teams: tuple[str, ...] | None = None,
) -> list[dict]:
    """``teams``: only those teams' rows exist (a workspace holding one team's rows alone)."""
    if grain == "day" and not start and not end:
        return _month_ends(ids, by, teams)
    if grain != "month":
        return []
    unknown = [d for d in by if d != "team"]
    if unknown:
        return []
    groups: dict[tuple[Any, ...], list[Decimal]] = {}
    for (team, month), (cost, saved) in DATA.items():
        if teams is not None and team not in teams:
            continue
        if start is not None and month < start:
            continue
        if end is not None and month >= end:
            continue
        key = (month, team) if by else (month,)
        acc = groups.setdefault(key, [Decimal(0), Decimal(0)])
        acc[0] += cost
        acc[1] += saved
    out = []
    for key, (cost, saved) in sorted(groups.items()):
        for kpi in ids:
            row: dict[str, Any] = {"kpi": kpi, "period_start": key[0], "grain": grain}
            if by:
                row["team"] = key[1]
            row["currency"] = "USD"
            if kpi == "total_cost":
                row.update(value=cost, numerator=None, denominator=None)
            elif kpi == "savings_rate":
                row.update(value=float(saved / cost), numerator=saved, denominator=cost)
            else:
                continue
            row["note"] = None
            out.append(row)
    return out


class FakeEngine(KpiEngine):
    """The tiny KPI engine above behind the real engine's ``run`` (and so its scoping)."""

    def __init__(self, ctx: Context, backends: BackendCache,
                 teams: tuple[str, ...] | None, items: list[Any] | None = None) -> None:
        super().__init__(ctx, backends)
        self.teams = teams
        self.items = CATALOG if items is None else items

    def answer(self, request: KpiRequest) -> KpiResult:
        rows = kpi_rows(list(request.ids), request.grain, request.by, request.start,
                        request.end, self.teams)
        return KpiResult(by=request.by, grain=request.grain, _rows=rows)

    def catalog(self) -> list[Any]:
        return self.items


class FakeWorkspace(Workspace):
    """The real facade (tokens, logs, reports) with the tiny KPI engine above."""

    teams: tuple[str, ...] | None = None

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        teams, items = self.teams, self.catalog_items()

        def make(ctx: Context, backends: BackendCache) -> KpiEngine:
            return FakeEngine(ctx, backends, teams, items)

        super().__init__(root, context=Context(root, read_only=read_only, engine_factory=make))

    def catalog_items(self) -> list[Any]:
        """The engine's KPI catalog (a test double may describe its KPIs differently)."""
        return CATALOG


def opener(root: Path, read_only: bool) -> FakeWorkspace:
    return FakeWorkspace(root, read_only=read_only)


def opener_for(teams: tuple[str, ...]) -> Any:
    """An opener whose workspaces hold only ``teams``' rows."""

    class Only(FakeWorkspace):
        pass

    Only.teams = teams

    def open_only(root: Path, read_only: bool) -> FakeWorkspace:
        return Only(root, read_only=read_only)

    return open_only
