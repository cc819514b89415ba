"""Internal peers: rank, percentile and quartile of each member within a fair cohort.

Cohorts come from the user's peer groups when some cover the dimension, otherwise from spend
bands (orders of magnitude of the member's cost, merged until each band holds enough members),
so a team spending 2k is not ranked against one spending 2M. Ranking respects the KPI's
direction: rank 1 is the best. Ties share the best rank they cover (1, 2, 2, 4).

percentile = 100 · (members strictly worse + ½ · other members tied) / (n − 1): the share of the
other members this one beats, ties counting half; best alone = 100, worst alone = 0.
quartile: 1 (top) when percentile ≥ 75, 2 when ≥ 50, 3 when ≥ 25, else 4.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from costmark.benchmarking.common import (
    check_frame,
    is_missing,
    latest_period,
    shift_period,
)
from costmark.spec.peers import PeerGroup

UNGROUPED = "(ungrouped)"
#: Values that stand for "nobody": never ranked as a peer (besides each dimension's default).
PLACEHOLDERS = frozenset({"unallocated", "untagged", "(none)", "(untagged)", ""})
ALL = "all"
#: Spend bands are merged until each holds at least this many members.
MIN_BAND_MEMBERS = 3


def _money(x: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= div:
            return f"{x / div:g}{suffix}"
    return f"{x:g}"


def band_label(low_decade: int | None, high_decade: int, currency: str | None) -> str:
    low = "0" if low_decade is None else _money(10.0**low_decade)
    return f"spend {low}–{_money(10.0 ** (high_decade + 1))} {currency or ''}".rstrip()


def spend_bands(
    spend: pd.DataFrame, by: Sequence[str], min_members: int = MIN_BAND_MEMBERS
) -> pd.DataFrame:
    """Cohort label per member from its spend (columns: by..., currency, value = spend).

    Members fall into decades (1k–10k, 10k–100k...) per currency; walking up from the smallest,
    decades are merged until a band has ``min_members``; a short last band joins the one below.
    Zero or negative spend counts as the lowest decade.
    """
    rows = []
    frame = spend.copy()
    frame["value"] = [0.0 if is_missing(v) else float(v) for v in frame["value"]]
    for currency, members in frame.groupby("currency", dropna=False, sort=True):
        cur = None if is_missing(currency) else str(currency)
        members = members.assign(
            decade=[math.floor(math.log10(v)) if v > 0 else -999 for v in members["value"]]
        ).sort_values("value")
        chunks: list[list[int]] = []
        current: list[int] = []
        for decade in sorted(set(members["decade"])):
            current.append(decade)
            if int((members["decade"].isin(current)).sum()) >= min_members:
                chunks.append(current)
                current = []
        if current:
            if chunks:
                chunks[-1].extend(current)
            else:
                chunks.append(current)
        for chunk in chunks:
            positive = [d for d in chunk if d != -999]
            low = min(positive) if positive and -999 not in chunk else None
            high = max(positive) if positive else 0
            label = band_label(low, high, cur)
            for _, member in members[members["decade"].isin(chunk)].iterrows():
                rows.append(
                    {
                        **{d: member[d] for d in by},
                        "currency": cur,
                        "cohort": label,
                        "spend": member["value"],
                    }
                )
    return pd.DataFrame(rows, columns=[*by, "currency", "cohort", "spend"])


def assign_cohorts(
    frame: pd.DataFrame,
    by: Sequence[str],
    peer_groups: Mapping[str, PeerGroup] | None = None,
    bands: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, str]:
    """Add a ``cohort`` column; returns (frame, how cohorts were formed).

    Peer groups covering a ``by`` dimension win (a member in two groups appears in both;
    members in none form "(ungrouped)"); else spend bands; else one cohort "all".
    """
    groups = {n: g for n, g in (peer_groups or {}).items() if g.dimension in by}
    if groups:
        parts = []
        covered = pd.Series(False, index=frame.index)
        for name, group in sorted(groups.items()):
            hit = frame[group.dimension].isin(group.members)
            covered |= hit
            parts.append(frame[hit].assign(cohort=name))
        parts.append(frame[~covered].assign(cohort=UNGROUPED))
        return pd.concat(parts, ignore_index=True), "peer groups"
    if bands is not None and not bands.empty:
        # a dict lookup, not a merge: this runs once per KPI and the frames are small
        keys = [*by, "currency"]
        band_of = {tuple(r[k] for k in keys): r["cohort"] for r in bands.to_dict("records")}
        members = zip(*(frame[k] for k in keys), strict=True)
        cohort = [band_of.get(m, "spend 0") for m in members]
        return frame.assign(cohort=cohort).reset_index(drop=True), "spend bands"
    return frame.assign(cohort=ALL), "all members"


def peer_members(
    frame: pd.DataFrame,
    by: Sequence[str],
    spend: pd.DataFrame | None = None,
    defaults: Mapping[str, str | None] | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """The rows that are real peers, and a note naming what was left out.

    Left out: members with a missing (untagged) value in any ``by`` dimension, members named
    by a dimension's default ("unallocated") or a placeholder, and members with no positive
    spend in the period (``spend``: by..., currency, period_start, value). The cost nobody owns
    is not a team that can be best or worst, and a team that spent nothing has a savings rate
    of nothing: ranking it "best" (ESR 1.0 on free usage) says nothing.
    """
    if frame.empty or not by:
        return frame, None
    names = {d: {*(PLACEHOLDERS), *(v for v in [(defaults or {}).get(d)] if v is not None)}
             for d in by}
    paying: set[tuple[Any, ...]] | None = None
    if spend is not None:
        paying = {
            (r["period_start"], *(r[d] for d in by), r["currency"])
            for r in spend.to_dict("records")
            if not is_missing(r["value"]) and float(r["value"]) > 0
        }
    keep, placeholder, idle = [], 0, 0
    for rec in frame[[*by, "period_start", "currency"]].to_dict("records"):
        values = [rec[d] for d in by]
        if any(is_missing(v) or str(v) in names[d] for d, v in zip(by, values, strict=True)):
            keep.append(False)
            placeholder += 1
        elif paying is not None and (rec["period_start"], *values, rec["currency"]) not in paying:
            keep.append(False)
            idle += 1
        else:
            keep.append(True)
    parts = []
    if placeholder:
        parts.append(f"{placeholder} unallocated or untagged row(s)")
    if idle:
        parts.append(f"{idle} row(s) of members with no spend in the period")
    note = ("not ranked as peers: " + ", ".join(parts)) if parts else None
    return frame[keep], note


def _percentile(values: Sequence[float], v: float, direction: str) -> float:
    n = len(values)
    if n < 2:
        return math.nan
    worse = sum(1 for x in values if (x < v if direction == "higher" else x > v))
    ties = sum(1 for x in values if x == v) - 1
    return 100 * (worse + 0.5 * ties) / (n - 1)


def quartile_of(percentile: float) -> int | None:
    if math.isnan(percentile):
        return None
    return 1 if percentile >= 75 else 2 if percentile >= 50 else 3 if percentile >= 25 else 4


def peer_ranks(
    cohorts: pd.DataFrame,
    kpi: str,
    by: Sequence[str],
    direction: str,
    period: dt.date | None = None,
) -> pd.DataFrame:
    """Rank members (rows with a ``cohort``) in ``period`` (default: latest) per cohort and
    currency. Members without a value are listed last with no rank."""
    frame = check_frame(cohorts, by)
    frame = frame[frame["kpi"] == kpi]
    when = latest_period(frame, period)
    cols = [
        "kpi",
        "period_start",
        "cohort",
        *by,
        "currency",
        "value",
        "members",
        "rank",
        "percentile",
        "quartile",
        "cohort_median",
        "cohort_best",
        "gap_to_median",
        "gap_to_best",
    ]
    if when is None:
        return pd.DataFrame(columns=cols)
    now = frame[frame["period_start"] == when]
    # plain Python over records: cohorts are small, and per-group pandas calls cost far more
    # than the arithmetic (this runs once per KPI when benchmarking the whole library)
    groups: dict[tuple[Any, Any], list[dict[Any, Any]]] = {}
    for rec in now.to_dict("records"):
        groups.setdefault((rec["cohort"], rec["currency"]), []).append(rec)
    rows: list[dict[Any, Any]] = []
    for key in sorted(groups, key=lambda k: (str(k[0]), str(k[1]))):
        recs = groups[key]
        valued = [r for r in recs if not math.isnan(r["value"])]
        values = [float(r["value"]) for r in valued]
        n = len(values)
        median = statistics.median(values) if n else math.nan
        best = (max(values) if direction == "higher" else min(values)) if n else math.nan
        ranked = []
        for r in valued:
            v = float(r["value"])
            better = sum(1 for x in values if (x > v if direction == "higher" else x < v))
            pct = _percentile(values, v, direction)
            ranked.append(
                {
                    **r,
                    "members": n,
                    "rank": better + 1,
                    "percentile": pct,
                    "quartile": quartile_of(pct),
                    "cohort_median": median,
                    "cohort_best": best,
                    "gap_to_median": v - median,
                    "gap_to_best": v - best,
                }
            )
        ranked.sort(key=lambda r: (r["rank"], *[str(r[d]) for d in by]))
        rows += ranked
        rows += [{**r, "members": n} for r in recs if math.isnan(r["value"])]
    out = pd.DataFrame(rows, columns=cols)
    out["period_start"] = when
    for col in ("members", "rank", "quartile"):
        out[col] = pd.array([None if is_missing(v) else int(v) for v in out[col]], dtype="Int64")
    return out.reindex(columns=cols)


def most_improved(
    cohorts: pd.DataFrame,
    kpi: str,
    by: Sequence[str],
    direction: str,
    periods: int = 3,
    period: dt.date | None = None,
    grain: str = "month",
) -> pd.DataFrame:
    """Improvement of each member from ``periods`` periods before ``period`` to ``period``,
    signed so that positive is better; rank 1 = most improved within cohort and currency."""
    frame = check_frame(cohorts, by)
    frame = frame[frame["kpi"] == kpi]
    when = latest_period(frame, period)
    cols = [
        "kpi",
        "cohort",
        *by,
        "currency",
        "from_period",
        "from_value",
        "period_start",
        "value",
        "improvement",
        "improvement_pct",
        "improved_rank",
    ]
    if when is None:
        return pd.DataFrame(columns=cols)
    then = shift_period(when, grain, -periods)
    keys = ["cohort", *by, "currency"]
    sign = 1.0 if direction == "higher" else -1.0
    edges = frame[frame["period_start"].isin([then, when])]
    before: dict[tuple[Any, ...], float] = {}
    after: dict[tuple[Any, ...], float] = {}
    for rec in edges.to_dict("records"):
        if not math.isnan(rec["value"]):
            side = after if rec["period_start"] == when else before
            side[tuple(rec[k] for k in keys)] = float(rec["value"])
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for key, now in after.items():
        if key not in before:
            continue
        old = before[key]
        imp = (now - old) * sign
        row = {
            "kpi": kpi,
            **dict(zip(keys, key, strict=True)),
            "from_period": then,
            "from_value": old,
            "period_start": when,
            "value": now,
            "improvement": imp,
            "improvement_pct": 100 * imp / abs(old) if old != 0 else None,
        }
        groups.setdefault((key[0], key[-1]), []).append(row)
    rows: list[dict[str, Any]] = []
    for gkey in sorted(groups, key=lambda k: (str(k[0]), str(k[1]))):
        members = groups[gkey]
        for row in members:
            row["improved_rank"] = 1 + sum(
                1 for m in members if m["improvement"] > row["improvement"]
            )
        rows += sorted(members, key=lambda r: (r["improved_rank"], *[str(r[d]) for d in by]))
    return pd.DataFrame(rows, columns=cols)
