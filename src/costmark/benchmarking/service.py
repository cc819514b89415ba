"""Benchmarking wired to a context: fetch KPI frames through its KPI engine (see
``fetch``), then run the pure functions of this package per KPI. The facade's ``benchmark``,
``benchmark_all`` and ``export_benchmark_pack`` (re-exported from ``export``) call in here;
nothing here knows about the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.benchmarking import store
from costmark.benchmarking.common import (
    complete_period,
    data_bound,
    frame_grain,
    kpi_direction,
    require_direction,
    shift_period,
    to_float,
    total_caveat,
)
from costmark.benchmarking.exchange import external_standing
from costmark.benchmarking.export import export_pack as export_pack
from costmark.benchmarking.fetch import SPEND_KPI, banded, catalog_of, fetch_many
from costmark.benchmarking.history import history_compare
from costmark.benchmarking.industry import (
    ReferenceFigure,
    industry_standing,
    load_references,
)
from costmark.benchmarking.peers import (
    assign_cohorts,
    most_improved,
    peer_members,
    peer_ranks,
    spend_bands,
)
from costmark.benchmarking.result import BenchmarkResult as BenchmarkResult
from costmark.benchmarking.targets import evaluate_targets
from costmark.errors import (
    CostmarkError,
    NotFoundError,
    ScopeUnsupported,
    UsageError,
    did_you_mean,
)

if TYPE_CHECKING:
    from costmark.engine.context import Context

AGAINST = ("targets", "peers", "history", "industry", "external")
DEFAULT_AGAINST = ("targets", "peers", "history", "industry")


@dataclass(frozen=True)
class Scope:
    """Industry figures sharing one scope filter, with the org-level frames computed in it."""

    where: str | None
    frames: dict[str, pd.DataFrame]
    figures: list[ReferenceFigure]


def empty_org() -> pd.DataFrame:
    return pd.DataFrame(columns=["kpi", "period_start", "currency", "value"])


def both_filters(user: Any, scope: str | None) -> Any:
    """The user's ``--where`` and a figure's scope filter, both applied."""
    if scope is None:
        return user
    if user is None:
        return scope
    if not isinstance(user, str):
        raise UsageError("combine a structured 'where' with industry scopes as text filters")
    return f"({user}) and ({scope})"


def _check_options(against: Sequence[str], cohorts: str) -> tuple[str, ...]:
    against = tuple(dict.fromkeys(against))
    unknown = [a for a in against if a not in AGAINST]
    if unknown or not against:
        raise UsageError(
            f"unknown --against {', '.join(unknown) or '(empty)'}; choose from {', '.join(AGAINST)}"
        )
    if cohorts not in ("auto", "groups", "bands", "all"):
        raise UsageError("cohorts must be auto, groups, bands or all")
    return against


def run_benchmark(ws: Context, kpi: str, **options: Any) -> BenchmarkResult:
    """Benchmark one KPI against what ``against`` names; see the README's Benchmarking.
    Unlike ``run_benchmarks``, a KPI that cannot be ranked is an error here."""
    return run_benchmarks(ws, [kpi], strict=True, **options)[kpi]


def run_benchmarks(
    ws: Context,
    kpis: Sequence[str] = (),
    *,
    by: Sequence[str] = (),
    against: Sequence[str] = DEFAULT_AGAINST,
    grain: str = "month",
    period: dt.date | None = None,
    start: Any = None,
    end: Any = None,
    where: Any = None,
    baselines: Sequence[str] = (),
    references: Sequence[str | Path] = (),
    improved_periods: int = 3,
    direction: str | None = None,
    cohorts: str = "auto",
    today: dt.date | None = None,
    strict: bool = False,
) -> dict[str, BenchmarkResult]:
    """Benchmark several KPIs (default: every KPI in the catalog with a better direction) from
    one engine call per slicing, so benchmarking costs little beyond computing the KPIs."""
    against = _check_options(against, cohorts)
    by = tuple(by)
    hidden = [a for a in against if a not in ("targets", "history")]
    if ws.scope and (hidden or not against):
        # peers show other teams' values; industry and packs compare unscoped totals
        raise ScopeUnsupported(
            f"{', '.join(hidden) or 'peer'} benchmarks are not available to a scoped token"
        )
    if any(a in against for a in ("peers", "external")) and not by:
        raise UsageError("peers and external benchmarks compare members: give --by DIM")
    catalog = catalog_of(ws)
    ids = list(kpis) or [k for k, d in catalog.items() if getattr(d, "direction", "none") != "none"]
    for k in ids:
        if catalog and k not in catalog:
            raise NotFoundError(f"unknown KPI {k!r}{did_you_mean(k, catalog)}")
    kw = {"grain": grain, "start": start, "end": end, "where": where}
    today = data_bound(ws, today)
    needs_spend = any(a in against for a in ("peers", "external"))
    frames, notes = fetch_many(ws, [*ids, SPEND_KPI] if needs_spend else ids, by, **kw)
    scopes: list[Scope] = []
    if "industry" in against:
        figures = load_references([Path(p) for p in references], workspace=ws.root)
        by_filter: dict[str | None, list[ReferenceFigure]] = {}
        for fig in figures:
            if fig.kpi in ids:
                by_filter.setdefault(fig.where, []).append(fig)
        for scope_filter, figs in by_filter.items():
            wanted = sorted({str(f.kpi) for f in figs})
            scoped = {**kw, "where": both_filters(where, scope_filter)}
            org, more = fetch_many(ws, [*wanted, SPEND_KPI], (), **scoped)
            notes += [f"industry scope {scope_filter}: {m}" for m in more]
            scopes.append(Scope(scope_filter, org, figs))
    # baselines are named dates, not rows: a scoped context reads them too
    dated = (store.resolve_baselines(ws.shared_warehouse, list(baselines))
             if "history" in against else {})
    packs = store.pack_frame(ws.warehouse) if "external" in against else pd.DataFrame()
    empty = pd.DataFrame(columns=["kpi", "period_start", *by, "currency", "value"])
    band_cache: dict[dt.date, pd.DataFrame] = {}
    results = {}
    for k in ids:
        if k not in frames:
            if strict:
                raise CostmarkError(f"{k} cannot be computed: {'; '.join(notes)}")
            continue
        definition = catalog.get(k)
        natural = getattr(definition, "direction", None) or kpi_direction(k)
        results[k] = _one(
            ws.project,
            k,
            frames[k],
            frames.get(SPEND_KPI, empty),
            scopes,
            by=by,
            against=against,
            grain=grain,
            period=period,
            direction=direction or natural,
            unit=getattr(definition, "unit", None),
            improved_periods=improved_periods,
            cohorts=cohorts,
            today=today,
            strict=strict,
            dated=dated,
            packs=packs,
            band_cache=band_cache,
        )
        results[k].caveats += notes
    return results


def _one(
    project: Any,
    kpi: str,
    frame: pd.DataFrame,
    spend: pd.DataFrame,
    scopes: list[Scope],
    *,
    by: tuple[str, ...],
    against: tuple[str, ...],
    grain: str,
    period: dt.date | None,
    direction: str,
    unit: str | None,
    improved_periods: int,
    cohorts: str,
    today: dt.date | None,
    strict: bool,
    dated: dict[str, dt.date],
    packs: pd.DataFrame,
    band_cache: dict[dt.date, pd.DataFrame],
) -> BenchmarkResult:
    """Every requested section for one KPI from frames already fetched."""
    frame = frame[frame["kpi"] == kpi]
    grain = frame_grain(frame, grain)
    skipped = False
    when = period
    if when is None:
        when, skipped = complete_period(frame, grain, today)
    result = BenchmarkResult(kpi, by, grain, when, direction)
    if when is None:
        result.caveats.append(f"no values of {kpi} in the selected range")
    elif skipped:
        result.caveats.append(
            f"judging {when}, the latest complete {grain}; the running one is left out "
            "(pass --period to choose)"
        )
    elif period is None and today is not None and shift_period(when, grain, 1) > today:
        covered = (today - when).days
        total = (shift_period(when, grain, 1) - when).days
        result.caveats.append(
            f"judging {when}, a running {grain} (partial: {covered} of {total} days): "
            f"the data holds no complete {grain} yet"
        )

    if "targets" in against:
        result.sections["targets"] = evaluate_targets(
            frame, project.targets, kpi, by=by, kpi_direction=direction, period=when, grain=grain
        )
        if not any(t.kpi == kpi for t in project.targets):
            result.caveats.append(f"no target for {kpi} in costmark.yaml (targets:)")

    rankable = direction in ("higher", "lower")
    if any(a in against for a in ("peers", "external")) and not rankable:
        if strict:
            require_direction(kpi, direction)
        result.caveats.append(f"{kpi} has no better direction: not ranked")

    if "peers" in against and rankable:
        groups = project.peer_groups if cohorts in ("auto", "groups") else {}
        if cohorts == "groups" and not any(g.dimension in by for g in groups.values()):
            raise UsageError(f"no peer group in costmark.yaml covers {', '.join(by)}")
        dims = getattr(project, "dimensions", {}) or {}
        defaults = {d: getattr(dims.get(d), "default", None) for d in by}
        peers, left_out = peer_members(frame, by, spend if len(spend) else None, defaults)
        bands = None
        if cohorts in ("auto", "bands") and when is not None:
            if when not in band_cache:  # the same for every KPI judged in this period
                members, _ = peer_members(spend[spend["period_start"] == when], by, None,
                                          defaults)
                band_cache[when] = spend_bands(members, by)
            bands = band_cache[when]
        ranked, how = assign_cohorts(peers, by, groups, bands)
        if left_out:
            result.caveats.append(left_out)
        result.sections["peers"] = peer_ranks(ranked, kpi, by, direction, when)
        result.sections["improved"] = most_improved(
            ranked, kpi, by, direction, improved_periods, when, grain
        )
        result.caveats.append(f"peer cohorts: {how}")
        caveat = total_caveat(kpi, unit)
        if caveat:
            result.caveats.append(caveat)

    if "history" in against:
        result.sections["history"] = history_compare(
            frame, kpi, by=by, direction=direction, period=when, grain=grain, baselines=dated
        )

    if "industry" in against:
        parts = []
        for scope in scopes:
            if kpi not in scope.frames or not any(f.kpi == kpi for f in scope.figures):
                continue
            spend_in_scope = scope.frames.get(SPEND_KPI)
            annual = {} if spend_in_scope is None else _annual_spend(spend_in_scope, when, grain)
            part = industry_standing(
                scope.frames[kpi],
                scope.figures,
                kpi,
                direction=direction,
                period=when,
                annual_spend=annual,
            )
            parts.append(part.assign(filter=scope.where))
        frames_ = [p for p in parts if len(p)]
        result.sections["industry"] = (
            pd.concat(frames_, ignore_index=True).sort_values(
                ["year", "figure"], ascending=[False, True]
            )
            if frames_
            else industry_standing(empty_org(), [], kpi).assign(filter=None)
        )
        if result.sections["industry"].empty:
            result.caveats.append(f"no industry figure is comparable to {kpi}")

    if "external" in against and rankable:
        if packs.empty:
            result.caveats.append("no peer packs imported ('costmark benchmark import PACK')")
        members = banded(frame, spend, by) if len(frame) else frame.assign(cohort=[])
        result.sections["external"] = external_standing(
            members, packs, kpi, by=by, direction=direction, grain=grain, period=when
        )
    return result


def _annual_spend(spend: pd.DataFrame, when: dt.date | None, grain: str) -> dict[str, float]:
    """Total cost per currency over the year up to and including ``when``'s period, scaled up
    to a year when the data covers less (three months of 100k are 400k a year, not 100k: a
    figure "for organisations under 500k" must not apply on a partial year's sum)."""
    if when is None or spend.empty:
        return {}
    start = when.replace(year=when.year - 1) + dt.timedelta(days=1)
    window = spend[(spend["period_start"] >= start) & (spend["period_start"] <= when)]
    if grain == "year":
        window = spend[spend["period_start"] == when]
    out: dict[str, float] = {}
    end = shift_period(when, grain, 1)
    for currency, rows in window.groupby("currency", dropna=True):
        total = float(sum(to_float(v) for v in rows["value"] if v == v))
        days = (end - min(rows["period_start"])).days
        out[str(currency)] = total * 365 / days if 0 < days < 365 else total
    return out
