"""Where tracking gets its numbers: the KPI engine when the workspace has it, else a small SQL.

Why the fallback: daily cost (Σ EffectiveCost per day, dimension values and currency) is all
anomalies, budgets and cost forecasts need, and computing it here keeps tracking usable and
testable on its own. When ``Workspace.kpi`` / ``Workspace.daily_cost`` exist (the KPI engine),
they are used instead so dimension rules and filters have one implementation.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import ConfigError, NotFoundError, UsageError, did_you_mean
from costmark.focus.schema import tag_column

if TYPE_CHECKING:
    from costmark.api import Workspace

COST_COLUMNS = {"total_cost": "EffectiveCost", "billed_cost": "BilledCost"}


def has_engine(ws: Workspace) -> bool:
    return callable(getattr(ws, "kpi", None))


def _call(ws: Workspace, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call a facade method another part provides (looked up at run time: it may not exist)."""
    return getattr(ws, method)(*args, **kwargs)


def check_dims(ws: Workspace, by: Sequence[str]) -> list[str]:
    """Configured dimensions only without the KPI engine; with it, the engine also accepts FOCUS
    columns and ``tag:<key>`` and reports unknown names itself."""
    if has_engine(ws):
        if len(set(by)) != len(by):
            raise UsageError("a dimension is repeated in --by")
        return list(by)
    known = ws.project.dimensions
    for name in by:
        if name not in known:
            raise NotFoundError(f"unknown dimension {name!r}{did_you_mean(name, known)}")
    return list(by)


def kpi_series(
    ws: Workspace,
    kpi: str | Sequence[str],
    *,
    grain: str,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """A KPI in the long format (kpi, period_start, grain, by..., currency, value, ...)."""
    if has_engine(ws):
        result = _call(ws, "kpi", kpi, grain=grain, by=list(by), start=start, end=end, where=where)
        frame: pd.DataFrame = result.to_pandas()
        return frame
    if not isinstance(kpi, str) or kpi not in COST_COLUMNS:
        raise NotFoundError(f"KPI {kpi!r} needs the KPI engine, which this build does not have")
    daily = daily_cost(ws, by=by, start=start, end=end, where=where, kpi=kpi)
    daily["period_start"] = _truncate(pd.to_datetime(daily["date"]), grain)
    grouped = daily.groupby(["period_start", *by, "currency"], dropna=False, sort=True)
    frame = grouped["cost"].agg(lambda s: sum(s, start=type(s.iloc[0])(0))).reset_index()
    frame = frame.rename(columns={"cost": "value"})
    frame.insert(0, "kpi", kpi)
    frame.insert(2, "grain", grain)
    frame["period_start"] = frame["period_start"].dt.date
    return frame


def _truncate(days: pd.Series, grain: str) -> pd.Series:
    from costmark.tracking.periods import period_start

    return days.map(lambda d: period_start(d, grain))


def daily_cost(
    ws: Workspace,
    *,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
    kpi: str = "total_cost",
    usage_only: bool = False,
) -> pd.DataFrame:
    """Cost per day: columns ``date`` (Timestamp), by-dimensions, ``currency``, ``cost``.

    ``usage_only`` keeps usage-based charges (FOCUS ``ChargeFrequency = 'Usage-Based'``): monthly
    fees, taxes and credits land on the 1st and are not daily behaviour.
    """
    check_dims(ws, by)
    if usage_only:
        where = with_usage_only(where)
    if has_engine(ws):
        if kpi == "total_cost" and where is None and callable(getattr(ws, "daily_cost", None)):
            frame = _call(ws, "daily_cost", by=list(by), start=start, end=end)
        else:
            frame = _call(
                ws, "kpi", kpi, grain="day", by=list(by), start=start, end=end, where=where
            )
            frame = frame.to_pandas().rename(columns={"period_start": "date", "value": "cost"})
        frame = frame[["date", *by, "currency", "cost"]].copy()
        frame["date"] = pd.to_datetime(frame["date"])
        return frame
    if where is not None and where != USAGE_FILTER:
        raise UsageError("filters (--where) need the KPI engine, which this build does not have")
    return _daily_cost_sql(
        ws, by=by, start=start, end=end, column=COST_COLUMNS[kpi], usage_only=usage_only
    )


USAGE_FILTER = "ChargeFrequency = 'Usage-Based'"


def with_usage_only(where: Any) -> Any:
    """``where`` narrowed to usage-based charges (string or structured filter)."""
    if where is None:
        return USAGE_FILTER
    if isinstance(where, str):
        return f"({where}) and {USAGE_FILTER}"
    if isinstance(where, dict):
        return {**where, "ChargeFrequency": "Usage-Based"}
    raise UsageError(f"cannot combine filter {where!r} with usage-only charges")


def _daily_cost_sql(
    ws: Workspace,
    *,
    by: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    column: str,
    usage_only: bool = False,
) -> pd.DataFrame:
    con = ws.warehouse.con
    columns = set(ws.warehouse.table_columns("costs"))
    params: list[Any] = []
    dims = [f'{dimension_sql(ws, name, columns)} AS "{name}"' for name in by]
    conds = ["ChargeFrequency = 'Usage-Based'"] if usage_only else []
    if start is not None:
        conds.append("ChargePeriodStart >= ?")
        params.append(pd.Timestamp(start).to_pydatetime())
    if end is not None:
        conds.append("ChargePeriodStart < ?")
        params.append((pd.Timestamp(end) + pd.Timedelta(days=1)).to_pydatetime())
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    select = ", ".join(["CAST(date_trunc('day', ChargePeriodStart) AS DATE) AS date", *dims])
    group = ", ".join(str(i) for i in range(1, len(by) + 3))
    sql = (
        f"SELECT {select}, BillingCurrency AS currency, sum({column}) AS cost "
        f"FROM costs {where} GROUP BY {group} ORDER BY {group}"
    )
    frame = con.execute(sql, params).fetchdf()
    frame["date"] = pd.to_datetime(frame["date"])
    frame["cost"] = frame["cost"].astype(object)
    return frame


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def dimension_sql(ws: Workspace, name: str, columns: set[str]) -> str:
    """SQL for a dimension's value: its rules tried in order, then its default."""
    from costmark.spec.models import ColumnRule, MappingRule, TagRule

    dim = ws.project.dimensions[name]
    parts = []
    for rule in dim.resolved_rules:
        if isinstance(rule, TagRule):
            col = tag_column(rule.tag)
            if col in columns:
                parts.append(f"NULLIF(\"{col}\", '')")
            else:
                key = _quote("$." + rule.tag.replace('"', ""))
                parts.append(f"NULLIF(json_extract_string(Tags, {key}), '')")
        elif isinstance(rule, ColumnRule | MappingRule) and rule.column not in columns:
            raise ConfigError(f"dimension {name!r} uses unknown column {rule.column!r}")
        elif isinstance(rule, MappingRule):
            mapping = rule.values or _read_mapping(ws.root / (rule.file or ""))
            if mapping:
                cases = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in mapping.items())
                parts.append(f'CASE CAST("{rule.column}" AS VARCHAR) {cases} END')
        else:
            parts.append(f"NULLIF(CAST(\"{rule.column}\" AS VARCHAR), '')")
    if dim.default is not None:
        parts.append(_quote(dim.default))
    return f"COALESCE({', '.join(parts)})" if len(parts) > 1 else (parts[0] if parts else "NULL")


def _read_mapping(path: Path) -> Mapping[str, str]:
    if not path.exists():
        raise ConfigError(f"mapping file {path} not found")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if rows and rows[0] and rows[0][0].strip().lower() in ("key", "subaccountid", "account"):
        rows = rows[1:]
    return {r[0]: r[1] for r in rows if len(r) >= 2}
