"""The KPI engine: the one object every feature asks for numbers.

``plan(request)`` checks a request once (grain, ``--by``, dates, engine) and adds the context's
scope; ``run(plan)`` answers it; ``explain(plan)`` shows the SQL of that very plan (as
metricflow's engine builds both from one plan). The engine owns its backend cache, so DuckDB's
compiled queries and Spark's table exports are reused by every request of a workspace.

Scope: the scope's dimensions are added to the request's ``by`` and its filter to ``where``,
and only the matching groups are kept (the added columns dropped). A KPI computed per team and
read for ``team = payments`` is exactly the KPI over payments' rows, ratios included, and no
other team's row can reach a total: there is no unscoped total to read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from costmark.engine import periods
from costmark.engine.result import KpiResult
from costmark.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    from costmark.engine.asof import AsOf, Extent
    from costmark.engine.backends import Backend
    from costmark.engine.context import Context
    from costmark.engine.query import DateLike, FilterArg, KpiRequest, Names
    from costmark.spec.kpis import KpiDefinition


@dataclass
class BackendCache:
    """Backends by engine name, each tied to the warehouse connection it was made for."""

    entries: dict[str, tuple[Any, Backend]] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiPlan:
    """A checked request as the engine runs it: ``request`` carries the scope (its ``by``
    widened, its ``where`` narrowed); ``asked_by`` is what the caller asked to group by."""

    request: KpiRequest
    asked_by: tuple[str, ...]
    scope: tuple[tuple[str, str], ...] = ()


class KpiEngine:
    """KPIs for one context (its project, warehouse, engine and scope)."""

    def __init__(self, ctx: Context, backends: BackendCache) -> None:
        self.ctx = ctx
        self._backends = backends

    # -- backends ------------------------------------------------------------------------
    def backend(self, name: str | None = None) -> Backend:
        """The backend for ``name`` (default: the context's engine), made once per
        warehouse connection."""
        from costmark.engine.backends import ENGINES

        name = name or self.ctx.engine_name
        if name not in ENGINES:
            raise UsageError(f"unknown engine {name!r}" + did_you_mean(name, ENGINES))
        con = self.ctx.shared_warehouse.con
        hit = self._backends.entries.get(name)
        if hit is None or hit[0] is not con:
            self._backends.entries[name] = (con, ENGINES[name](self.ctx))
        return self._backends.entries[name][1]

    # -- plan, run, explain ----------------------------------------------------------------
    def request(
        self,
        ids: Names,
        *,
        grain: str = "month",
        by: Names = (),
        start: DateLike = None,
        end: DateLike = None,
        where: FilterArg = None,
        engine: str | None = None,
        rollups: bool | None = None,
    ) -> KpiRequest:
        """A request from facade-style arguments (strings or sequences, dates or ISO text)."""
        from costmark.engine.query import request_from_args

        return request_from_args(ids, grain=grain, by=by, start=start, end=end, where=where,
                                 engine=engine or self.ctx.engine_name, rollups=rollups)

    def plan(self, request: KpiRequest) -> KpiPlan:
        """Check ``request`` once and add the scope to it."""
        from costmark.spec import filters as f

        periods.check_grain(request.grain)
        if request.start and request.end and request.start > request.end:
            raise UsageError(f"--from {request.start} is after --to {request.end}")
        scope = self.ctx.scope
        if not scope:
            return KpiPlan(request, request.by)
        widened = request.by + tuple(k for k in scope if k not in request.by)
        where = f.combine(request.where, f.parse_filter(dict(scope)))
        return KpiPlan(replace(request, by=widened, where=where), request.by,
                       tuple(scope.items()))

    def run(self, plan: KpiPlan) -> KpiResult:
        """The numbers of ``plan``; a scoped plan keeps only its scope's groups. Inside a
        pass (``engine.memo.one_pass``: one report) a plan asked again is not recomputed."""
        from costmark.engine import memo

        owners = (self._backends, self.ctx.project, type(self))
        return memo.recall(owners, plan, lambda: self._scoped(plan))

    def _scoped(self, plan: KpiPlan) -> KpiResult:
        result = self.answer(plan.request)
        if not plan.scope:
            return result
        scope = dict(plan.scope)
        drop = [k for k in scope if k not in plan.asked_by]
        rows = [
            {k: v for k, v in row.items() if k not in drop}
            for row in result.rows()
            if all(str(row.get(k)) == v for k, v in scope.items())
        ]
        return KpiResult(by=plan.asked_by, grain=result.grain, _rows=rows,
                         source=result.source)

    def answer(self, request: KpiRequest) -> KpiResult:
        """Compute a checked request on the backend (``run`` adds the scope's group filter;
        a test double replaces this one method to serve known numbers)."""
        from costmark.engine import query

        return query.run(self.ctx, request)

    def catalog(self) -> list[KpiDefinition]:
        """Every KPI this engine can compute for the project: built-ins, per-metric families,
        user KPIs."""
        from costmark.kpis.catalog import catalog

        return catalog(self.ctx.project)

    def explain(self, plan: KpiPlan) -> str:
        """The SQL (with the plan as comments) that ``run(plan)`` runs."""
        from costmark.engine.explain import explain

        return explain(self.ctx, plan.request)

    def kpi(
        self,
        ids: Names,
        *,
        grain: str = "month",
        by: Names = (),
        start: DateLike = None,
        end: DateLike = None,
        where: FilterArg = None,
        engine: str | None = None,
        rollups: bool | None = None,
    ) -> KpiResult:
        """``run(plan(request(...)))``: the shorthand services use."""
        request = self.request(ids, grain=grain, by=by, start=start, end=end, where=where,
                               engine=engine, rollups=rollups)
        return self.run(self.plan(request))

    # -- the data's extent ------------------------------------------------------------------
    def extent(self, *, where: Any = None) -> Extent:
        """First and last day a charge starts on, in the rows this engine can see."""
        from costmark.engine.asof import data_extent

        return data_extent(self, where=where)

    def cutoff(self, as_of: dt.date | str | None = None, *, where: Any = None) -> AsOf:
        """The day judgments count back from: ``as_of`` (else the context's), else the last
        day of the data in scope."""
        from costmark.engine.asof import resolve

        return resolve(self, as_of if as_of is not None else self.ctx.as_of, where=where)
