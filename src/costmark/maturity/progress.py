"""Goal progress from the data: KPI now vs baseline vs target, trend, achieved or missed.

A KPI goal is judged on complete periods only (a half month says little about a month) and
direction-aware (``higher``: value >= target is met; ``lower``: value <= target). "On track"
means met already, or the straight line through the values since the baseline reaches the
target by the due date; with no new period since the baseline the answer is "waiting for data".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from costmark.maturity.assessment import group_tuple
from costmark.maturity.series import as_date, kpi_series
from costmark.maturity.sources import Source, Unavailable
from costmark.present import numbers


def meets(value: float, target: float, direction: str) -> bool:
    v, t = round(value, 9), round(target, 9)
    return v <= t if direction == "lower" else v >= t


def baseline_for(
    source: Source, kpi: str, *, grain: str, group: str, today: dt.date,
    currency: str | None = None,
) -> tuple[float | None, str | None, str | None, str | None]:  # fmt: skip
    """(value, period ISO date, currency, note) of the KPI's latest complete period at plan
    time. With several currencies the main one (largest denominator) is followed unless the
    goal names one; the goal then tracks that currency's series."""
    weights: dict[str, float] = {}
    try:
        series = kpi_series(
            source, kpi, grain=grain, group=group_tuple(group), today=today, weights=weights
        )
    except Unavailable as exc:
        return None, None, currency, f"baseline not available: {exc}"
    if currency is not None:
        series = {c: s for c, s in series.items() if c == currency}
    if not series:
        return None, None, currency, f"baseline not available: {kpi} has no complete {grain} yet"
    cur = max(series, key=lambda c: (weights.get(c, 0.0), len(series[c])))
    period, value = series[cur][-1]
    note = f"tracked in {cur}, the main currency" if cur and len(series) > 1 else None
    return value, period.isoformat(), cur or None, note


def _slope(points: Sequence[tuple[dt.date, float]]) -> float:
    """Least-squares slope per day."""
    xs = [(p - points[0][0]).days for p, _ in points]
    ys = [v for _, v in points]
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    if den == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def kpi_goal_status(goal: Mapping[str, Any], source: Source, today: dt.date) -> dict[str, Any]:
    """Progress of one KPI goal today."""
    kpi, target, direction = goal["kpi"], float(goal["target"]), goal["direction"]
    out: dict[str, Any] = {"baseline": goal.get("baseline"), "target": target}
    try:
        series = kpi_series(
            source, kpi, grain=goal.get("grain", "month"), group=group_tuple(goal["group"]),
            today=today,
        )  # fmt: skip
    except Unavailable as exc:
        return {**out, "now": None, "status": "unknown", "note": str(exc)}
    cur = goal.get("currency")
    points = series.get(cur or "", []) if cur is not None else []
    if not points and series and cur is None:
        points = max(series.values(), key=len)
    if not points:
        return {**out, "now": None, "status": "unknown", "note": f"{kpi} has no value yet"}
    baseline = goal.get("baseline")
    base_period = as_date(goal["baseline_period"]) if goal.get("baseline_period") else None
    if baseline is None:  # not computable at plan time: the first value since then
        later = [p for p in points if base_period is None or p[0] >= base_period]
        base_period, baseline = (later or points)[0]
        out["baseline"] = baseline
    now_period, now = points[-1]
    out.update(now=now, period=now_period.isoformat())
    span = target - float(baseline)
    out["progress"] = None if span == 0 else round((now - float(baseline)) / span, 4)
    if meets(now, target, direction):
        return {**out, "status": "achieved", "on_track": True, "note": "target met"}
    since = [p for p in points if base_period is None or p[0] >= base_period]
    if base_period is not None and (not since or since[0][0] != base_period):
        since = [(base_period, float(baseline)), *since]
    if len(since) < 2 or now_period == base_period:
        note = "no complete period since the baseline yet" + _to_date(goal, source, today)
        return {**out, "status": "waiting", "on_track": None, "note": note}
    due = as_date(goal["due"])
    slope = _slope(since)
    projected = now + slope * max(0, (due - now_period).days)
    out["projected"] = round(projected, 6)
    on_track = meets(projected, target, direction)
    note = (
        f"trend reaches {numbers.short(projected)} by {due} (target {numbers.short(target)})"
        if slope
        else "flat: no movement since the baseline"
    )
    return {**out, "status": "on track" if on_track else "off track", "on_track": on_track,
            "note": note}  # fmt: skip


def _to_date(goal: Mapping[str, Any], source: Source, today: dt.date) -> str:
    """The running period's value so far, as a hint (never used to judge a goal)."""
    try:
        series = kpi_series(
            source, goal["kpi"], grain=goal.get("grain", "month"),
            group=group_tuple(goal["group"]), today=today, complete_only=False,
        )  # fmt: skip
    except Unavailable:
        return ""
    points = series.get(goal.get("currency") or "", [])
    if not points or (goal.get("baseline_period") and
                      points[-1][0] <= as_date(goal["baseline_period"])):  # fmt: skip
        return ""
    period, value = points[-1]
    return f"; {period:%Y-%m} so far: {numbers.short(value)} (not final)"


def iteration_started(iteration: Mapping[str, Any]) -> str:
    """When the iteration started, as ISO text comparable with ``assessed_at``: the later of
    when it was planned and its start date (``next`` may plan one that starts later)."""
    return max(str(iteration["created_at"]), str(iteration["start"]))


def lens_goal_status(
    goal: Mapping[str, Any], assessments: list[dict[str, Any]], since: str
) -> dict[str, Any]:
    """A lens-score goal: the latest assessment made after the iteration started (``since``).
    An earlier one is the baseline, not progress, so until a reassessment the goal waits."""
    later = [a for a in assessments if a["assessed_at"] >= since and a["group"] == goal["group"]]
    out: dict[str, Any] = {"baseline": goal.get("baseline_score"), "target": goal["target_score"]}
    for a in reversed(later):
        for cap in a["capabilities"]:
            if cap["id"] == goal["capability"]:
                score = cap["lenses"][goal["lens"]]["current"]
                ok = score >= goal["target_score"]
                return {**out, "now": score, "status": "achieved" if ok else "off track",
                        "on_track": ok, "note": f"assessment {a['id']}"}  # fmt: skip
    note = (
        f"waiting for a reassessment: none made since the iteration started ({since[:10]}); "
        "run 'costmark assess' to judge this lens score"
    )
    return {**out, "now": None, "status": "waiting", "on_track": None, "note": note}


def goal_status(
    goal: Mapping[str, Any],
    source: Source,
    assessments: list[dict[str, Any]],
    iteration: Mapping[str, Any],
    today: dt.date,
) -> dict[str, Any]:
    if goal["kind"] == "kpi":
        st = kpi_goal_status(goal, source, today)
    else:
        st = lens_goal_status(goal, assessments, iteration_started(iteration))
    return {"goal": goal["id"], "capability": goal["capability"], "lens": goal["lens"],
            "measure": goal.get("kpi") or f"{goal['lens']} score", "due": goal["due"],
            "owner": goal.get("owner"), **st}  # fmt: skip


def outcome(status: Mapping[str, Any]) -> str:
    """At review: achieved, missed, or unknown (no data to judge)."""
    if status["status"] == "achieved":
        return "achieved"
    if status["status"] in ("unknown", "waiting") or status.get("now") is None:
        return "unknown"  # no data to judge by (e.g. no complete period since the baseline)
    return "missed"
