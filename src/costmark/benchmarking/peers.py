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
from collections.abc import Mapping, Sequence

import pandas as pd

from costmark.benchmarking.common import (
    check_frame,
    is_missing,
    latest_period,
    shift_period,
)
from costmark.spec.peers import PeerGroup

UNGROUPED = "(ungrouped)"
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
        merged = frame.merge(bands[[*by, "currency", "cohort"]], on=[*by, "currency"], how="left")
        merged["cohort"] = merged["cohort"].fillna("spend 0")
        return merged, "spend bands"
    return frame.assign(cohort=ALL), "all members"


def _percentile(values: pd.Series, direction: str) -> pd.Series:
    n = len(values)
    out = []
    for v in values:
        worse = int((values < v).sum() if direction == "higher" else (values > v).sum())
        ties = int((values == v).sum()) - 1
        out.append(100 * (worse + 0.5 * ties) / (n - 1) if n > 1 else math.nan)
    return pd.Series(out, index=values.index)


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
    parts = []
    for _, group in now.groupby(["cohort", "currency"], dropna=False, sort=True):
        valued = group[group["value"].notna()].copy()
        values = valued["value"].astype(float)
        n = len(valued)
        valued["members"] = n
        valued["rank"] = values.rank(method="min", ascending=direction == "lower").astype(int)
        valued["percentile"] = _percentile(values, direction)
        valued["quartile"] = [quartile_of(p) for p in valued["percentile"]]
        median = float(values.median()) if n else math.nan
        best = float(values.max() if direction == "higher" else values.min()) if n else math.nan
        valued["cohort_median"] = median
        valued["cohort_best"] = best
        valued["gap_to_median"] = values - median
        valued["gap_to_best"] = values - best
        rest = group[group["value"].isna()].assign(members=n)
        parts.append(valued.sort_values(["rank", *by]))
        parts.append(rest)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
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
    a = frame[frame["period_start"] == then][[*keys, "value"]].rename(
        columns={"value": "from_value"}
    )
    b = frame[frame["period_start"] == when][[*keys, "value"]]
    both = a.merge(b, on=keys, how="inner")
    both = both[both["from_value"].notna() & both["value"].notna()].copy()
    sign = 1.0 if direction == "higher" else -1.0
    both["improvement"] = (both["value"] - both["from_value"]) * sign
    both["improvement_pct"] = [
        100 * imp / abs(f) if f != 0 else None
        for imp, f in zip(both["improvement"], both["from_value"], strict=True)
    ]
    both["improved_rank"] = (
        both.groupby(["cohort", "currency"], dropna=False)["improvement"]
        .rank(method="min", ascending=False)
        .astype(int)
    )
    both["kpi"], both["from_period"], both["period_start"] = kpi, then, when
    return both.sort_values(["cohort", "currency", "improved_rank"]).reindex(columns=cols)
