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

``drivers`` then explains an anomaly: which values of another dimension moved by how much,
against each value's own same-weekday median of the four weeks before.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Robust z threshold; 3.5 is the usual cut for modified z-scores (Iglewicz & Hoaglin).
THRESHOLD = 3.5
PERIOD = 7
#: Fewer days than this (three weeks) and STL has too little to learn the weekly shape.
MIN_DAYS = 3 * PERIOD
SEVERITIES = ("low", "medium", "high")
BASELINE_WEEKS = 4


def severity(score: float, threshold: float = THRESHOLD) -> str:
    """low below 2× the threshold, medium below 4×, high beyond."""
    a = abs(score)
    if a >= 4 * threshold:
        return "high"
    if a >= 2 * threshold:
        return "medium"
    return "low"


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
        res = STL(y.to_numpy(), period=period, robust=True).fit()
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


def events(
    scored: pd.DataFrame,
    *,
    threshold: float = THRESHOLD,
    min_relative: float = 0.10,
) -> list[dict[str, Any]]:
    """Merge consecutive anomalous days (same direction) into anomalies."""
    level = float(np.median(np.abs(scored["actual"]))) or float(np.mean(np.abs(scored["actual"])))
    delta = scored["actual"] - scored["expected"]
    flagged = (scored["score"].abs() >= threshold) & (delta.abs() >= min_relative * level)
    sign = np.sign(scored["score"]).where(flagged, 0)
    out: list[dict[str, Any]] = []
    current: list[pd.Timestamp] = []

    def close() -> None:
        if not current:
            return
        part = scored.loc[current]
        scores = part["score"].to_numpy(dtype=float)
        score = float(scores[int(np.argmax(np.abs(scores)))])
        out.append(
            {
                "start": current[0].date(),
                "end": current[-1].date(),
                "days": len(current),
                "direction": "up" if score > 0 else "down",
                "expected": float(part["expected"].sum()),
                "actual": float(part["actual"].sum()),
                "delta": float((part["actual"] - part["expected"]).sum()),
                "score": score,
                "severity": severity(score, threshold),
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
        event["delta_pct"] = event["delta"] / abs(event["expected"]) if event["expected"] else None
    return out


def drivers(
    child: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    column: str,
    value_col: str = "cost",
    date_col: str = "date",
    top: int = 3,
) -> list[dict[str, Any]]:
    """Values of ``column`` ranked by their contribution to the change over [start, end].

    Each value's expected day is the median of its same weekday in the ``BASELINE_WEEKS`` weeks
    before; contribution = Σ (actual − expected). ``share`` is the contribution over the sum of
    all contributions (so shares add up to 1 and a driver that explains everything shows 100%).
    """
    if child.empty:
        return []
    table = child.pivot_table(
        index=date_col, columns=column, values=value_col, aggfunc="sum", fill_value=0.0
    )
    table.index = pd.to_datetime(table.index)
    lo = start - pd.Timedelta(weeks=BASELINE_WEEKS)
    table = table.reindex(pd.date_range(min(lo, table.index.min()), end, freq="D"), fill_value=0.0)
    table = table.astype(float)
    window = table.loc[start:end]
    lags = [table.shift(7 * k).loc[start:end] for k in range(1, BASELINE_WEEKS + 1)]
    expected = np.median(np.stack([lag.to_numpy() for lag in lags]), axis=0)
    contrib = pd.Series((window.to_numpy() - expected).sum(axis=0), index=table.columns)
    total = float(contrib.sum())
    if total == 0:
        return []
    ranked = contrib.sort_values(ascending=total < 0)
    rows = []
    for value, c in ranked.head(top).items():
        if np.sign(c) != np.sign(total):
            break
        rows.append(
            {"dimension": column, "value": value, "delta": float(c), "share": float(c) / total}
        )
    return rows


def summarize_drivers(found: Sequence[dict[str, Any]], *, min_share: float = 0.5) -> str:
    """'team=payments (92%), service=Compute (88%)': the top value per dimension that explains
    at least ``min_share`` of the change, strongest first."""
    best: dict[str, dict[str, Any]] = {}
    for d in found:
        if d["share"] >= min_share and (
            d["dimension"] not in best or d["share"] > best[d["dimension"]]["share"]
        ):
            best[d["dimension"]] = d
    ordered = sorted(best.values(), key=lambda d: -d["share"])
    return ", ".join(f"{d['dimension']}={d['value']} ({d['share']:.0%})" for d in ordered)
