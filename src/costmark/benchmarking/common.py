"""What the benchmarking functions share: KPI directions, period arithmetic, frame checks."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.engine.periods import GRAINS
from costmark.errors import InputError, UsageError
from costmark.kpis.library import BY_ID

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: KPIs that are money totals: they grow with the size of what is measured, so ranking them
#: compares size more than efficiency.
TOTAL_KPIS = frozenset(
    {
        "total_cost",
        "billed_cost",
        "list_cost",
        "contracted_cost",
        "savings_achieved",
        "negotiated_savings",
        "commitment_savings",
    }
)

TOTAL_CAVEAT = (
    "{kpi} is a total that grows with size: ranks compare how big members are as much as how "
    "efficient; prefer a size-normalised KPI (a unit cost such as cost_per_<metric>, or a rate "
    "such as effective_savings_rate)"
)

KEY_COLUMNS = ("kpi", "period_start", "currency", "value")
_CHECKED = "costmark.benchmarking.checked"


def kpi_direction(kpi: str, catalog: dict[str, str] | None = None) -> str:
    """The KPI's better direction: ``higher``, ``lower`` or ``none``; from the project's
    ``catalog`` when given, else from the built-in KPI's own definition."""
    if catalog and kpi in catalog:
        return catalog[kpi]
    base = BY_ID.get(kpi.split(":", 1)[0])  # a family (spend_elasticity:<metric>) as its base
    if base is not None:
        return base.definition.direction
    if kpi.startswith("cost_per_"):
        return "lower"
    return "none"


def is_total_kpi(kpi: str, unit: str | None = None) -> bool:
    if kpi in TOTAL_KPIS:
        return True
    return unit is not None and unit.lower() in {"currency", "money"}


def total_caveat(kpi: str, unit: str | None = None) -> str | None:
    """The caveat to show when a size-dependent total is ranked, else None."""
    return TOTAL_CAVEAT.format(kpi=kpi) if is_total_kpi(kpi, unit) else None


def require_direction(kpi: str, direction: str) -> str:
    if direction not in ("higher", "lower"):
        raise UsageError(
            f"KPI {kpi!r} has no better direction, so it cannot be ranked or judged; "
            "pass a direction (--direction higher|lower)"
        )
    return direction


def check_frame(df: pd.DataFrame, by: Sequence[str], what: str = "KPI frame") -> pd.DataFrame:
    """Check the long format and normalise types: period_start as date, value as float."""
    missing = [c for c in (*KEY_COLUMNS, *by) if c not in df.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {', '.join(missing)}")
    if set(by) <= set(df.attrs.get(_CHECKED, ())):
        return df  # already normalised (pandas carries attrs through filters and copies)
    out = df.copy()
    out["period_start"] = pd.Series([to_date(v) for v in out["period_start"]], index=out.index,
                                    dtype=object)
    out["value"] = [to_float(v) for v in out["value"]]
    # Plain Python objects, not pandas' Arrow-backed strings: benchmarking walks these frames
    # row by row once per KPI, and Arrow element access costs several times more.
    for col in ("currency", *by):
        out[col] = pd.Series([None if is_missing(v) else str(v) for v in out[col]],
                             index=out.index, dtype=object)
    if "kpi" in out.columns:
        out["kpi"] = out["kpi"].astype(object)
    out.attrs[_CHECKED] = tuple(by)
    return out


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_float(value: Any) -> float:
    if is_missing(value):
        return math.nan
    return float(value)


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def period_floor(day: dt.date, grain: str) -> dt.date:
    """The start of the period of ``grain`` containing ``day`` (weeks start on Monday)."""
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    raise UsageError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")


def shift_period(start: dt.date, grain: str, steps: int) -> dt.date:
    """The start of the period ``steps`` periods after (negative: before) ``start``."""
    if grain == "day":
        return start + dt.timedelta(days=steps)
    if grain == "week":
        return start + dt.timedelta(weeks=steps)
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months is None:
        raise UsageError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")
    total = start.year * 12 + (start.month - 1) + steps * months
    return dt.date(total // 12, total % 12 + 1, 1)


def periods_per_year(grain: str) -> int:
    return {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}[grain]


def year_ago(start: dt.date, grain: str) -> dt.date:
    """Same period last year: 12 months back, 52 weeks back for weeks, the same date for days."""
    if grain == "day":
        try:
            return start.replace(year=start.year - 1)
        except ValueError:  # 29 February
            return start.replace(year=start.year - 1, day=28)
    return shift_period(start, grain, -periods_per_year(grain))


def frame_grain(df: pd.DataFrame, default: str = "month") -> str:
    if "grain" in df.columns and len(df):
        grains = {g for g in df["grain"] if not is_missing(g)}
        if len(grains) == 1:
            return str(grains.pop())
    return default


def latest_period(df: pd.DataFrame, period: dt.date | None) -> dt.date | None:
    """The requested period, or the latest period with a value."""
    if period is not None:
        return period
    valued = df[df["value"].notna()]
    if valued.empty:
        return None
    return max(valued["period_start"])


def data_bound(ws: Context, today: dt.date | None = None) -> dt.date | None:
    """The exclusive end complete periods may reach: ``today`` when given (an as-of day,
    exclusive), else the day after the data's last day (``costmark.engine.asof``), never the
    wall clock."""
    if today is not None:
        return today
    from costmark.engine.asof import data_extent

    last = data_extent(ws.engine).last_day
    return last + dt.timedelta(days=1) if last else None


def complete_period(
    df: pd.DataFrame, grain: str, today: dt.date | None = None
) -> tuple[dt.date | None, bool]:
    """The latest period with a value that has ended before ``today`` (exclusive; the day after
    the data's last day, see ``data_bound``), and whether a later (running, incomplete) period
    was passed over. A running month judged against a full-month target or last year's full
    month would mislead, so it is skipped unless it is all there is (the caller then says it
    is partial). ``today`` None: every period with a value counts as complete.
    """
    valued = sorted(
        {p for p, v in zip(df["period_start"], df["value"], strict=True) if not is_missing(v)}
    )
    if not valued:
        return None, False
    done = [p for p in valued if today is None or shift_period(p, grain, 1) <= today]
    if not done:
        return valued[-1], False
    return done[-1], done[-1] != valued[-1]


def group_keys(by: Iterable[str]) -> list[str]:
    return [*by, "currency"]


def iter_series(
    frame: pd.DataFrame, by: Sequence[str]
) -> list[tuple[dict[str, str | None], str | None, dict[Any, float]]]:
    """(dimension values, currency, {period_start: value}) per group, in the order of
    :func:`iter_groups` (sorted, missing keys last). Plain Python: cheaper than one pandas
    group per member when it runs once per KPI over small frames."""
    if frame.empty:
        return []
    keys = [*by, "currency"]
    series: dict[tuple[str | None, ...], dict[Any, float]] = {}
    for rec in frame[[*keys, "period_start", "value"]].to_dict("records"):
        key = tuple(None if is_missing(rec[k]) else str(rec[k]) for k in keys)
        series.setdefault(key, {})[rec["period_start"]] = rec["value"]
    order = sorted(series, key=lambda key: tuple((v is None, v or "") for v in key))
    return [(dict(zip(by, key[:-1], strict=True)), key[-1], series[key]) for key in order]


def iter_groups(
    frame: pd.DataFrame, by: Sequence[str]
) -> Iterable[tuple[dict[str, str | None], str | None, pd.DataFrame]]:
    """Yield (dimension values, currency, rows) per group; missing keys come back as None."""
    if frame.empty:
        return
    for key, group in frame.groupby(group_keys(by), dropna=False, sort=True):
        parts = key if isinstance(key, tuple) else (key,)
        clean = [None if is_missing(p) else str(p) for p in parts]
        yield dict(zip(by, clean[: len(by)], strict=True)), clean[-1], group
