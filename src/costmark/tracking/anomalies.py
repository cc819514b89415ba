"""Anomalies in daily series: robust seasonal decomposition and a robust residual score.

Per series (one per dimension value and currency):
1. Fill the calendar (a day without cost rows cost 0; a KPI without a value is interpolated).
2. STL with a weekly period and robust weights, so the anomaly itself barely bends the trend;
   ``expected = trend + seasonal``.
3. Score each day's residual by how many robust standard deviations (1.4826 × MAD) it sits from
   the residuals' median. Mean and standard deviation would be inflated by the very spikes we
   look for; median and MAD are not.
4. Days with |score| ≥ threshold whose deviation is also material (≥ ``min_relative`` of the
   series' typical level) are anomalous; consecutive anomalous days in the same direction merge
   into one anomaly with a start, an end, expected and actual totals and a severity.
5. Severity weighs money, not only the score: for cost, the anomaly's |delta| against a typical
   day's total spend of its currency decides: under 10% of it "low" whatever the score, else the
   higher of the money tier and the score tier. A 600,000% jump of a series that costs cents is
   "low"; a 4-sigma day that added half a day's bill is "high". ``delta_pct`` is null (with a
   note) when the expected value is a tiny base (under 10% of the series' typical level).

``drivers`` then explains an anomaly: which values of another dimension moved by how much,
against each value's own same-weekday median of the four weeks before.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from costmark.present import numbers

#: Robust z threshold; 3.5 is the usual cut for modified z-scores (Iglewicz & Hoaglin).
THRESHOLD = 3.5
#: Share of the threshold a neighbouring day needs to join an anomaly (hysteresis).
EXTEND = 0.5
PERIOD = 7
#: Fewer days than this (three weeks) and STL has too little to learn the weekly shape.
MIN_DAYS = 3 * PERIOD
SEVERITIES = ("low", "medium", "high")
BASELINE_WEEKS = 4
#: STL's seasonal smoother (odd, in periods): 13 weeks keeps the weekly shape steady, so a
#: three-day spike does not leak into the next weeks' "expected" (7 did, in the demo data).
SEASONAL_SMOOTHER = 13
#: Dollar impact tiers: |delta| as a share of a typical day's total spend in the currency;
#: at least the first is "medium", at least the second "high".
IMPACT_TIERS = (0.10, 0.50)
#: Expected values below this share of the series' typical level are a tiny base for delta_pct.
TINY_EXPECTED = 0.10


def severity(score: float, threshold: float = THRESHOLD, impact: float | None = None) -> str:
    """From the score: low below 2× the threshold, medium below 4×, high beyond. With
    ``impact`` (|delta| over a typical day's total spend) money decides first: an anomaly under
    the first impact tier is "low" whatever its score; above it, the higher of the money tier
    and the score tier."""
    a = abs(score)
    by_score = 2 if a >= 4 * threshold else 1 if a >= 2 * threshold else 0
    if impact is None:
        return SEVERITIES[by_score]
    by_money = sum(abs(impact) >= tier for tier in IMPACT_TIERS)
    return SEVERITIES[0 if by_money == 0 else max(by_money, by_score)]


def score_series(
    values: pd.Series, *, period: int = PERIOD, fill: str = "zero"
) -> pd.DataFrame | None:
    """STL-decompose a daily series and score residuals; None when the history is too short.

    Returns a frame indexed by day with ``actual``, ``expected`` and ``score``.
    """
    from statsmodels.tsa.seasonal import STL

    if values.empty:
        return None
    values = values.sort_index()
    full = pd.date_range(values.index.min(), values.index.max(), freq="D")
    y = values.astype(float).reindex(full)
    y = y.fillna(0.0) if fill == "zero" else y.interpolate(limit_direction="both")
    if len(y) < max(MIN_DAYS, 2 * period + 1) or y.isna().all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = STL(y.to_numpy(), period=period, seasonal=SEASONAL_SMOOTHER, robust=True).fit()
    expected = np.asarray(res.trend) + np.asarray(res.seasonal)
    resid = y.to_numpy() - expected
    med = float(np.median(resid))
    mad = 1.4826 * float(np.median(np.abs(resid - med)))
    level = float(np.median(np.abs(y.to_numpy())))
    # a perfectly regular series has MAD 0; floor the scale so a flat line is not all anomalies
    scale = max(mad, 1e-3 * level, 1e-12)
    return pd.DataFrame(
        {"actual": y.to_numpy(), "expected": expected, "score": (resid - med) / scale},
        index=full,
    )


def _grow(strong: pd.Series, weak: pd.Series, sign: pd.Series) -> pd.Series:
    """Extend each run of ``strong`` days over adjacent ``weak`` days of the same sign."""
    out = strong.to_numpy(dtype=bool).copy()
    ok, sg = weak.to_numpy(dtype=bool), sign.to_numpy()
    days = pd.DatetimeIndex(strong.index)
    for order in (range(1, len(out)), range(len(out) - 2, -1, -1)):
        for i in order:
            j = i - 1 if order.step == 1 else i + 1
            if (
                not out[i]
                and ok[i]
                and out[j]
                and sg[i] == sg[j]
                and abs((days[i] - days[j]).days) == 1
            ):
                out[i] = True
    return pd.Series(out, index=strong.index)


def events(
    scored: pd.DataFrame,
    *,
    threshold: float = THRESHOLD,
    min_relative: float = 0.10,
    min_impact: float = 0.0,
    additive: bool = True,
    impact_scale: float | None = None,
) -> list[dict[str, Any]]:
    """Merge consecutive anomalous days (same direction) into anomalies.

    A day counts when its robust score passes ``threshold``, its deviation is at least
    ``min_relative`` of what was expected that day (the series' typical level when nothing was
    expected) and at least ``min_impact`` in money: a 6-sigma wobble of a series that never
    moves is statistically odd and financially irrelevant. ``expected``, ``actual`` and
    ``delta`` are totals over the days for additive series (cost), daily means otherwise (rates).
    ``impact_scale`` (a typical day's total spend of the currency) makes severity weigh money.
    """
    actual = scored["actual"]
    level = float(np.median(np.abs(actual))) or float(np.mean(np.abs(actual)))
    delta = actual - scored["expected"]
    base = scored["expected"].abs().where(scored["expected"].abs() >= 0.1 * level, level)

    def passes(share: float) -> pd.Series:
        return (
            (scored["score"].abs() >= share * threshold)
            & (delta.abs() >= share * min_relative * base)
            & (delta.abs() >= min_impact)
        )

    flagged = passes(1.0)
    # Hysteresis: a day next to an anomalous day, moving the same way, joins it at a lower bar
    # (``EXTEND`` x the score and size bars), so a three-day incident reads as one three-day
    # anomaly instead of only its sharpest day. It only widens anomalies; it never starts one.
    weak = passes(EXTEND)
    flagged = _grow(flagged, weak, np.sign(scored["score"]))
    sign = np.sign(scored["score"]).where(flagged, 0)
    out: list[dict[str, Any]] = []
    current: list[pd.Timestamp] = []

    def agg(values: pd.Series) -> float:
        return float(values.sum() if additive else values.mean())

    def close() -> None:
        if not current:
            return
        part = scored.loc[current]
        scores = part["score"].to_numpy(dtype=float)
        score = float(scores[int(np.argmax(np.abs(scores)))])
        total_delta = float(agg(part["actual"] - part["expected"]))
        impact = abs(total_delta) / impact_scale if impact_scale else None
        tiny = float(part["expected"].abs().mean()) < TINY_EXPECTED * level
        out.append(
            {
                "start": current[0].date(),
                "end": current[-1].date(),
                "days": len(current),
                "direction": "up" if score > 0 else "down",
                "expected": float(agg(part["expected"])),
                "actual": float(agg(part["actual"])),
                "delta": total_delta,
                "score": score,
                "severity": severity(score, threshold, impact),
                "impact": impact,
                "note": (f"expected {numbers.number(float(agg(part['expected'])))} is under "
                         f"{numbers.percent(TINY_EXPECTED, places=0)} of the series' typical "
                         f"level {numbers.number(level)}: no relative change from a tiny base")
                if tiny else None,
            }
        )
        current.clear()

    prev_sign = 0.0
    prev_day: pd.Timestamp | None = None
    for day, s in sign.items():
        if s == 0:
            close()
        else:
            contiguous = prev_day is not None and (day - prev_day).days == 1
            if current and not (contiguous and s == prev_sign):
                close()
            current.append(pd.Timestamp(day))
        prev_sign, prev_day = s, pd.Timestamp(day)
    close()
    for event in out:
        meaningful = event["expected"] and event["note"] is None
        event["delta_pct"] = event["delta"] / abs(event["expected"]) if meaningful else None
    return out


def driver_table(
    child: pd.DataFrame, *, column: str, value_col: str = "cost", date_col: str = "date"
) -> pd.DataFrame:
    """Days × values of ``column`` (cost, 0 where absent), on a full calendar: built once per
    series and dimension, then sliced for each anomaly."""
    table = child.pivot_table(
        index=date_col, columns=column, values=value_col, aggfunc="sum", fill_value=0.0
    )
    table.index = pd.to_datetime(table.index)
    if table.empty:
        return table
    full = pd.date_range(table.index.min(), table.index.max(), freq="D")
    return table.reindex(full, fill_value=0.0).astype(float)


def drivers(
    child: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    column: str,
    table: pd.DataFrame | None = None,
    value_col: str = "cost",
    date_col: str = "date",
    top: int = 3,
) -> list[dict[str, Any]]:
    """Values of ``column`` ranked by their contribution to the change over [start, end].

    Each value's expected day is the median of its same weekday in the ``BASELINE_WEEKS`` weeks
    before; contribution = Σ (actual − expected). ``share`` is a value's contribution over the
    sum of the contributions that moved in the anomaly's direction (so 1.0 = all of the rise).
    Pass ``child`` (long: date, column, cost) or a prepared ``table`` from ``driver_table``.
    """
    if table is None:
        if child is None or child.empty:
            return []
        table = driver_table(child, column=column, value_col=value_col, date_col=date_col)
    if table.empty:
        return []
    lo = start - pd.Timedelta(weeks=BASELINE_WEEKS)
    frame = table.reindex(pd.date_range(lo, end, freq="D"), fill_value=0.0)
    window = frame.loc[start:end].to_numpy()
    lags = [frame.shift(7 * k).loc[start:end].to_numpy() for k in range(1, BASELINE_WEEKS + 1)]
    expected = np.median(np.stack(lags), axis=0)
    contrib = pd.Series((window - expected).sum(axis=0), index=table.columns)
    total = float(contrib.sum())
    if total == 0:
        return []
    same = contrib[np.sign(contrib) == np.sign(total)]
    moved = float(same.sum())
    ranked = same.sort_values(ascending=total < 0)
    return [
        {"dimension": column, "value": value, "delta": float(c), "share": float(c) / moved}
        for value, c in ranked.head(top).items()
    ]


def summarize_drivers(
    found: Sequence[dict[str, Any]],
    *,
    min_share: float = 0.5,
    limit: int = 4,
    order: Sequence[str] = (),
) -> str:
    """'team=payments (92%), service=Compute (88%)': the top value per dimension that explains
    at least ``min_share`` of the change, strongest first (ties, to 5%, in ``order``)."""
    best: dict[str, dict[str, Any]] = {}
    for d in found:
        if d["share"] >= min_share and (
            d["dimension"] not in best or d["share"] > best[d["dimension"]]["share"]
        ):
            best[d["dimension"]] = d
    rank = {name: i for i, name in enumerate(order)}
    ordered = sorted(
        best.values(),
        key=lambda d: (-round(d["share"] * 20), rank.get(d["dimension"], len(rank))),
    )[:limit]
    return ", ".join(f"{d['dimension']}={d['value']} ({numbers.percent(d['share'], places=0)})"
                     for d in ordered)
