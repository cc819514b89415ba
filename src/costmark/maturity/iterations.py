"""FinOps iterations (the "Conduct a FinOps iteration" tutorial): scope, goals, review, next.

Rules enforced here, each failing with a message that quotes the tutorial:
- scope: a first iteration takes 3-5 capabilities; a later one keeps the previous ones or adds
  at most 2 new ones;
- goals: 1-3 per iteration, each on a lens, each measurable: a KPI with a target (baseline
  captured when the plan is made) or a lens score target; plus owner and actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from costmark.engine.periods import GRAINS
from costmark.errors import InputError, UsageError
from costmark.maturity.assessment import largest_gaps, parse_group
from costmark.maturity.catalog import LENSES, Catalog
from costmark.maturity.progress import baseline_for, meets
from costmark.maturity.series import as_date
from costmark.maturity.sources import Source
from costmark.present import numbers

DEFAULT_WEEKS = 6
FIRST_MIN, FIRST_MAX, MAX_ADDED = 3, 5, 2
MIN_GOALS, MAX_GOALS = 1, 3

#: kpi id -> direction ("higher"/"lower"/"none"); None when the KPI engine is not there
KpiDirections = Callable[[], dict[str, str] | None]


def check_scope(caps: Sequence[str], previous: Sequence[str] | None) -> list[str]:
    """Enforce the tutorial's scope rule; return notes (e.g. capabilities dropped)."""
    if previous is None:
        if not FIRST_MIN <= len(caps) <= FIRST_MAX:
            raise UsageError(
                f"a first iteration takes {FIRST_MIN}-{FIRST_MAX} capabilities "
                f'("we recommend selecting three to five FinOps capabilities as a starting '
                f'point"); you gave {len(caps)}: {", ".join(caps) or "none"}'
            )
        return []
    added = [c for c in caps if c not in previous]
    dropped = [c for c in previous if c not in caps]
    if len(added) > MAX_ADDED:
        raise UsageError(
            f"a later iteration keeps the same capabilities or adds one to two new ones; "
            f"this plan adds {len(added)} ({', '.join(added)}) to the previous scope "
            f"({', '.join(previous)}): keep at most {MAX_ADDED} of them"
        )
    if not caps:
        raise UsageError("an iteration needs at least one capability")
    return [f"dropped from the previous scope: {', '.join(dropped)}"] if dropped else []


def check_goal_count(n: int) -> None:
    if not MIN_GOALS <= n <= MAX_GOALS:
        raise UsageError(
            f'an iteration has {MIN_GOALS}-{MAX_GOALS} goals ("select one to three highly '
            f'related goals"); this plan has {n}'
        )


def suggest(
    catalog: Catalog,
    *,
    situation: str | None,
    assessment: Mapping[str, Any] | None,
    previous: Sequence[str] | None = None,
) -> list[dict[str, str]]:
    """Capabilities to consider, each with the reason: the situation's bundle (tutorial) ranked
    by the latest assessment's gaps, then the largest gaps."""
    out: dict[str, str] = {}
    gaps = dict(largest_gaps(assessment)) if assessment else {}
    if previous:
        for cid in previous:
            out[cid] = "in the previous iteration (keep it)"
    if situation:
        sit = catalog.situation(situation)
        bundle = catalog.resolve_many(list(sit.names))
        bundle.sort(key=lambda c: -gaps.get(c.id, 0))
        for c in bundle:
            out.setdefault(c.id, f"tutorial situation '{sit.id}': {sit.title}")
    for cid, gap in gaps.items():
        out.setdefault(cid, f"gap of {gap:g} lens points in the latest assessment")
    return [{"id": k, "name": catalog.current[k].name, "reason": v} for k, v in out.items()]


def _parse_goal(
    raw: Mapping[str, Any],
    i: int,
    *,
    scope: Sequence[str],
    catalog: Catalog,
    end: dt.date,
    group: str,
    dims: Mapping[str, Any],
) -> dict[str, Any]:
    where = f"goal {i}"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected a mapping (capability, lens, kpi/target...)")
    if "capability" not in raw or "lens" not in raw:
        raise InputError(f"{where}: needs 'capability' and 'lens'")
    cap = catalog.resolve(str(raw["capability"]))
    if cap.id not in scope:
        raise UsageError(
            f"{where}: {cap.name} is not in this iteration's scope ({', '.join(scope)})"
        )
    lens = str(raw["lens"]).lower()
    if lens not in LENSES:
        raise InputError(f"{where}: lens must be one of {', '.join(LENSES)}, got {lens!r}")
    goal: dict[str, Any] = {
        "id": str(raw.get("id") or f"g{i}"),
        "capability": cap.id,
        "lens": lens,
        "description": raw.get("description"),
        "owner": raw.get("owner"),
        "actions": [str(a) for a in raw.get("actions") or []],
        "due": as_date(raw.get("due") or end).isoformat(),
        "group": parse_group(raw.get("group") or group, dims),
    }
    if raw.get("kpi") is not None:
        if raw.get("target") is None:
            raise InputError(f"{where}: a KPI goal needs a numeric 'target'")
        try:
            target = float(raw["target"])
        except (TypeError, ValueError):
            raise InputError(f"{where}: target {raw['target']!r} is not a number") from None
        grain = str(raw.get("grain", "month"))
        if grain not in GRAINS:
            raise InputError(f"{where}: grain must be one of {', '.join(GRAINS)}, got {grain!r}")
        direction = raw.get("direction")
        if direction not in (None, "higher", "lower"):
            raise InputError(f"{where}: direction must be 'higher' or 'lower'")
        goal.update(
            kind="kpi", kpi=str(raw["kpi"]), grain=grain, target=target, direction=direction,
            currency=raw.get("currency"),
        )  # fmt: skip
    elif raw.get("target_score") is not None:
        score = raw["target_score"]
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 4:
            raise InputError(f"{where}: target_score must be an integer 0-4")
        goal.update(kind="lens", target_score=score)
    else:
        raise InputError(
            f"{where}: not measurable; give 'kpi' + 'target' or a lens 'target_score' (0-4)"
        )
    if raw.get("carried_from"):
        goal["carried_from"] = str(raw["carried_from"])
    return goal


def _capture_baseline(
    goal: dict[str, Any],
    source: Source,
    today: dt.date,
    directions: dict[str, str] | None,
    assessment: Mapping[str, Any] | None,
) -> str | None:
    """Fill in the baseline; return why the goal is already met (not measurable), if it is."""
    if goal["kind"] == "lens":
        score = None
        for cap in (assessment or {}).get("capabilities", []):
            if (
                cap["id"] == goal["capability"]
                and assessment
                and assessment["group"] == goal["group"]
            ):
                score = cap["lenses"][goal["lens"]]["current"]
        goal["baseline_score"] = score
        if score is not None and score >= goal["target_score"]:
            return (
                f"goal {goal['id']}: {goal['capability']} {goal['lens']} is already {score} in "
                f"the latest assessment; a target_score above it makes the goal measurable"
            )
        return None
    if directions is not None and goal["kpi"] not in directions:
        from costmark.errors import NotFoundError, did_you_mean

        raise NotFoundError(f"unknown KPI {goal['kpi']!r}{did_you_mean(goal['kpi'], directions)}")
    value, period, currency, note = baseline_for(
        source, goal["kpi"], grain=goal["grain"], group=goal["group"], today=today,
        currency=goal.get("currency"),
    )  # fmt: skip
    goal.update(baseline=value, baseline_period=period, currency=currency, baseline_note=note)
    if not goal.get("direction"):
        d = (directions or {}).get(goal["kpi"])
        if d not in ("higher", "lower"):
            d = "lower" if value is not None and goal["target"] < value else "higher"
        goal["direction"] = d
    if value is not None and meets(value, goal["target"], goal["direction"]):
        return (
            f"goal {goal['id']}: {goal['kpi']} is already {numbers.short(value)} ({period}), "
            f"which meets the target {numbers.short(goal['target'])} ({goal['direction']} is "
            "better); set a target "
            "beyond today's value"
        )
    return None


def build_iteration(
    catalog: Catalog,
    spec: Mapping[str, Any],
    *,
    source: Source,
    number: int,
    previous: Mapping[str, Any] | None,
    assessment: Mapping[str, Any] | None,
    directions: dict[str, str] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """A new iteration document from a plan spec (YAML file or flags), rules enforced."""
    today = now.date()
    dims = source.project.dimensions
    group = parse_group(spec.get("group"), dims)
    names = list(spec.get("capabilities") or [])
    situation = spec.get("situation")
    prev_scope = list(previous["capabilities"]) if previous else None
    suggestions = suggest(catalog, situation=situation, assessment=assessment, previous=prev_scope)
    if not names:
        if prev_scope:
            names = list(prev_scope)
        elif situation:
            names = [s["id"] for s in suggestions][:FIRST_MAX]
        else:
            raise UsageError(
                "choose the scope: --capability NAME (3-5 for a first iteration) or "
                "--situation (" + ", ".join(catalog.situations) + ")"
            )
    scope = [c.id for c in catalog.resolve_many(names)]
    notes = check_scope(scope, prev_scope)
    start = as_date(spec.get("start") or today)
    end = (
        as_date(spec["end"])
        if spec.get("end")
        else start + dt.timedelta(weeks=int(spec.get("weeks") or DEFAULT_WEEKS))
    )
    if end <= start:
        raise UsageError(f"the iteration ends ({end}) before it starts ({start})")
    raw_goals = list(spec.get("goals") or [])
    check_goal_count(len(raw_goals))
    goals = []
    for i, raw in enumerate(raw_goals, 1):
        goal = _parse_goal(raw, i, scope=scope, catalog=catalog, end=end, group=group, dims=dims)
        met = _capture_baseline(goal, source, today, directions, assessment)
        if met and goal.get("carried_from"):
            notes.append(f"not carried over, already met now: {met}")
            continue
        if met:
            raise UsageError(met)
        goals.append(goal)
    if raw_goals and not goals:
        raise UsageError("every goal carried over is already met: give 1-3 new goals")
    for n, goal in enumerate(goals, 1):
        if not any(str(r.get("id") or "") == goal["id"] for r in raw_goals):
            goal["id"] = f"g{n}"
    if len({g["id"] for g in goals}) != len(goals):
        raise InputError("two goals share an id")
    return {
        "id": f"it-{number}",
        "number": number,
        "name": spec.get("name") or f"Iteration {number}",
        "status": "active",
        "created_at": now.replace(microsecond=0).isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "group": group,
        "situation": situation,
        "capabilities": scope,
        "goals": goals,
        "notes": notes,
        "suggestions": [s for s in suggestions if s["id"] not in scope],
        "review": None,
        "previous": previous["id"] if previous else None,
    }


def next_dates(
    previous: Mapping[str, Any], today: dt.date, *, weeks: int | None = None,
    end: str | None = None,
) -> tuple[dt.date, dt.date]:  # fmt: skip
    """(start, end) of the iteration after ``previous``.

    Iterations follow each other on the calendar: the next one starts the day after the
    previous one ended (its end date is its last day), or today when that day is already past,
    so two iterations never share days. It lasts as long as the previous one unless ``weeks``
    or ``end`` says otherwise."""
    start = max(as_date(previous["end"]) + dt.timedelta(days=1), today)
    if end:
        stop = as_date(end)
    elif weeks:
        stop = start + dt.timedelta(weeks=weeks)
    else:
        stop = start + (as_date(previous["end"]) - as_date(previous["start"]))
    if stop <= start:
        raise UsageError(
            f"the next iteration starts on {start} (the day after {previous['id']} ended on "
            f"{previous['end']}, or today); its end ({stop}) must come after that"
        )
    return start, stop


def next_spec(
    previous: Mapping[str, Any], *, add: Sequence[str] = (), weeks: int | None = None,
    end: str | None = None, extra_goals: Sequence[Mapping[str, Any]] = (),
    today: dt.date | None = None,
) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    """The plan spec for the iteration after ``previous`` (which must be reviewed): same scope
    plus ``add``; missed goals carried over (new baseline, same target); suggested changes;
    dates from ``next_dates``."""
    review = previous.get("review")
    if not review:
        raise UsageError(
            f"{previous['id']} has not been reviewed; run 'costmark iteration review' first"
        )
    outcomes = {o["goal"]: o for o in review["outcomes"]}
    carried, changes = [], []
    for g in previous["goals"]:
        result = outcomes.get(g["id"], {}).get("outcome")
        if result == "achieved":
            changes.append(
                f"{g['id']} achieved: raise the bar on {g['capability']} "
                f"({g['lens']}) or move to the next lens"
            )
            continue
        keep = {k: g[k] for k in ("capability", "lens", "description", "owner", "actions",
                                  "kpi", "grain", "target", "direction", "currency",
                                  "target_score", "group") if g.get(k) is not None}  # fmt: skip
        keep["carried_from"] = f"{previous['id']}/{g['id']}"
        carried.append(keep)
    for text in review.get("improve") or []:
        changes.append(f"from the review: {text}")
    goals = [*carried, *extra_goals]
    if len(goals) > MAX_GOALS:
        changes.append(
            "not carried (3 goals at most): "
            + ", ".join(str(g.get("carried_from") or g.get("capability")) for g in goals[3:])
        )
        goals = goals[:MAX_GOALS]
    spec: dict[str, Any] = {
        "capabilities": [*previous["capabilities"], *add],
        "group": previous["group"],
        "goals": goals,
    }
    start, stop = next_dates(previous, today or dt.date.today(), weeks=weeks, end=end)
    spec["start"], spec["end"] = start.isoformat(), stop.isoformat()
    return spec, changes


def days_left(iteration: Mapping[str, Any], day: dt.date) -> int:
    """Days of the iteration still to come after ``day`` (0 once its end date is reached)."""
    return max(0, (as_date(iteration["end"]) - day).days)


def check_review_time(iteration: Mapping[str, Any], day: dt.date, *, early: bool) -> None:
    """A review judges a finished period: before the end date it needs ``early``.

    Why: reviewing on the day an iteration starts (or any day before it ends) judges goals on
    data the iteration could not yet change, and closes the iteration for good."""
    left = days_left(iteration, day)
    if left and not early:
        raise UsageError(
            f"{iteration['id']} runs until {iteration['end']}: the period is not over "
            f"({left} day{'s' if left != 1 else ''} left on {day}). Review now with --early "
            "(early=True), or wait for the end date"
        )
