"""External peer exchange: anonymised packs of KPI distributions, and standing against them.

A pack holds, per KPI, period, cohort and currency, only the member count and the p10, p25,
p50, p75 and p90 of members' values (numpy's linear interpolation). It never holds rows,
names, ids or dimension values: cohorts are "all" or spend bands (orders of magnitude), never
peer-group names, which users choose and which may name teams. A cohort with fewer than
``MIN_MEMBERS`` members is left out whole, because a percentile of three teams is close to
their raw values. Packs are checked again on import, so a hand-edited pack cannot smuggle a
small cohort in.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from costmark.benchmarking.common import check_frame, is_missing, latest_period, to_date
from costmark.errors import InputError, Located

FORMAT = "costmark-benchmark-pack"
VERSION = 1
MIN_MEMBERS = 5
PERCENTILES = (10, 25, 50, 75, 90)
P_COLS = tuple(f"p{p}" for p in PERCENTILES)
PACK_KEYS = {
    "format",
    "version",
    "pack_id",
    "created",
    "label",
    "grain",
    "unit",
    "min_members",
    "cohorting",
    "suppressed_cohorts",
    "distributions",
}
ROW_KEYS = {"kpi", "period_start", "cohort", "currency", "members", *P_COLS}


def build_pack(
    df: pd.DataFrame,
    *,
    by: Sequence[str],
    grain: str,
    unit: str,
    cohorting: str,
    label: str | None = None,
    min_members: int = MIN_MEMBERS,
) -> dict[str, Any]:
    """Summarise a KPI frame with a ``cohort`` column into a pack (a JSON-ready dict)."""
    if min_members < MIN_MEMBERS:
        raise InputError(f"packs suppress cohorts under {MIN_MEMBERS} members; cannot go lower")
    frame = check_frame(df, by)
    if "cohort" not in frame.columns:
        raise InputError("KPI frame lacks the 'cohort' column")
    frame = frame[frame["value"].notna()]
    distributions, suppressed = [], 0
    keys = ["kpi", "period_start", "cohort", "currency"]
    for key, group in frame.groupby(keys, dropna=False, sort=True):
        kpi, period, cohort, currency = key
        # one value per member: a member appearing twice would be counted twice
        members = group.drop_duplicates(subset=list(by))
        if len(members) < min_members:
            suppressed += 1
            continue
        values = members["value"].to_numpy(dtype=float)
        pct = np.percentile(values, PERCENTILES)
        distributions.append(
            {
                "kpi": str(kpi),
                "period_start": to_date(period).isoformat(),
                "cohort": str(cohort),
                "currency": None if is_missing(currency) else str(currency),
                "members": len(members),
                **{c: float(v) for c, v in zip(P_COLS, pct, strict=True)},
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "pack_id": uuid.uuid4().hex,
        "created": dt.date.today().isoformat(),
        "label": label,
        "grain": grain,
        "unit": unit,
        "min_members": min_members,
        "cohorting": cohorting,
        "suppressed_cohorts": suppressed,
        "distributions": distributions,
    }


def validate_pack(data: Any, file: str = "pack") -> dict[str, Any]:
    """Check a pack's shape and its privacy floor; raise InputError listing every problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{file} is not a costmark benchmark pack (format {FORMAT!r})")
    problems: list[Located] = []
    if data.get("version") != VERSION:
        problems.append(Located(f"unsupported pack version {data.get('version')!r}", file))
    extra = set(data) - PACK_KEYS
    if extra:
        problems.append(Located(f"unexpected field(s) {', '.join(sorted(extra))}", file))
    for key in ("pack_id", "grain", "unit"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(Located(f"missing or empty {key!r}", file))
    rows = data.get("distributions")
    if not isinstance(rows, list):
        problems.append(Located("'distributions' must be a list", file))
        rows = []
    for i, row in enumerate(rows):
        where = f"distributions[{i}]"
        if not isinstance(row, dict) or set(row) != ROW_KEYS:
            problems.append(Located(f"{where}: expected exactly {sorted(ROW_KEYS)}", file))
            continue
        members = row["members"]
        if not isinstance(members, int) or members < MIN_MEMBERS:
            problems.append(
                Located(f"{where}: cohort of {members} members (< {MIN_MEMBERS}) not allowed", file)
            )
        try:
            to_date(row["period_start"])
            ps = [float(row[c]) for c in P_COLS]
        except (TypeError, ValueError):
            problems.append(Located(f"{where}: bad period_start or percentile", file))
            continue
        rising = all(a <= b + 1e-12 for a, b in itertools.pairwise(ps))
        if any(math.isnan(p) for p in ps) or not rising:
            problems.append(Located(f"{where}: percentiles must be numbers in rising order", file))
    if problems:
        raise InputError(f"{file} is not a valid benchmark pack", problems)
    return data


def pack_rows(data: dict[str, Any]) -> pd.DataFrame:
    """The distributions of a validated pack as a frame (one row per kpi/period/cohort)."""
    frame = pd.DataFrame(data["distributions"], columns=sorted(ROW_KEYS))
    frame["period_start"] = [to_date(v) for v in frame["period_start"]]
    frame["grain"] = data["grain"]
    return frame


def _estimate_percentile(value: float, ps: Sequence[float]) -> tuple[float, str]:
    """Where ``value`` falls in the distribution: a linear interpolation between the known
    percentiles (clamped to 10..90) and the band it is in."""
    if value < ps[0]:
        return 10.0, "below p10"
    if value > ps[-1]:
        return 90.0, "above p90"
    est = float(np.interp(value, ps, PERCENTILES))
    for (lo, hi), (a, b) in zip(itertools.pairwise(P_COLS), itertools.pairwise(ps), strict=True):
        if a <= value <= b:
            return est, f"{lo}–{hi}"
    return est, "p50"


def external_standing(
    cohorts: pd.DataFrame,
    packs: pd.DataFrame,
    kpi: str,
    *,
    by: Sequence[str],
    direction: str,
    grain: str,
    period: dt.date | None = None,
) -> pd.DataFrame:
    """Each member against every imported pack's distribution for the same KPI, grain and
    currency: the member's spend-band cohort when the pack has it, else the pack's "all";
    the same period when the pack has it, else the pack's latest earlier period (noted)."""
    cols = [
        "kpi",
        "period_start",
        *by,
        "currency",
        "value",
        "pack",
        "pack_label",
        "pack_period",
        "pack_cohort",
        "members",
        *P_COLS,
        "gap_to_median",
        "position",
        "better_than_pct",
        "standing",
        "note",
    ]
    frame = check_frame(cohorts, by)
    frame = frame[frame["kpi"] == kpi]
    when = latest_period(frame, period)
    if when is None or packs.empty:
        return pd.DataFrame(columns=cols)
    mine = packs[(packs["kpi"] == kpi) & (packs["grain"] == grain)]
    rows = []
    now = frame[(frame["period_start"] == when) & frame["value"].notna()]
    for _, member in now.drop_duplicates(subset=[*by, "currency"]).iterrows():
        for pack_id, pack in mine.groupby("pack_id", sort=True):
            same = pack[(pack["currency"].fillna("") == (member["currency"] or ""))]
            same = same[same["period_start"] <= when]
            if same.empty:
                continue
            pack_period = max(same["period_start"])
            at = same[same["period_start"] == pack_period]
            cohort = member.get("cohort")
            pick = at[at["cohort"] == cohort]
            if pick.empty:
                pick = at[at["cohort"] == "all"]
            if pick.empty:
                continue
            dist = pick.iloc[0]
            ps = [float(dist[c]) for c in P_COLS]
            value = float(member["value"])
            est, position = _estimate_percentile(value, ps)
            better = est if direction == "higher" else 100 - est if direction == "lower" else None
            gap = value - ps[2]
            if abs(gap) < 1e-12 or direction not in ("higher", "lower"):
                standing = "level" if abs(gap) < 1e-12 else "n/a"
            else:
                standing = "better" if (gap > 0) == (direction == "higher") else "worse"
            note = None if pack_period == when else f"pack has no {when}; used {pack_period}"
            rows.append(
                {
                    "kpi": kpi,
                    "period_start": when,
                    **{d: member[d] for d in by},
                    "currency": member["currency"],
                    "value": value,
                    "pack": pack_id,
                    "pack_label": dist.get("label"),
                    "pack_period": pack_period,
                    "pack_cohort": dist["cohort"],
                    "members": int(dist["members"]),
                    **dict(zip(P_COLS, ps, strict=True)),
                    "gap_to_median": gap,
                    "position": position,
                    "better_than_pct": better,
                    "standing": standing,
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=cols)
