"""The one facade every front end (CLI, web, Python users) calls. Nothing deeper.

    import costmark
    ws = costmark.open("path/to/workspace")
    ws.kpi("effective_savings_rate", grain="month", by=["team"]).to_pandas()

``Workspace`` only composes: it holds a ``Context`` (``costmark.engine.context``: root, project,
warehouse, KPI engine, scope) and hands it to the service that does the work. No module below
imports this one; each subsystem's entry points are grouped in their own section below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmark.engine.context import Context
from costmark.errors import InputError, NotFoundError, WorkspaceError, did_you_mean
from costmark.store import Warehouse
from costmark.workspace import (
    CONFIG_FILE,
    init_files,
    require_workspace,
    resolve_root,
    warehouse_path,
)

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from costmark.access.tokens import TokenInfo
    from costmark.benchmarking.result import BenchmarkResult
    from costmark.contracts.invoices import InvoiceCheck
    from costmark.convert.native import ConvertResult
    from costmark.engine.asof import AsOf
    from costmark.engine.kpiengine import KpiEngine
    from costmark.engine.result import KpiResult
    from costmark.engine.rollups import Slice
    from costmark.errors import Located
    from costmark.focus.validate import ValidationReport
    from costmark.ingest.focus import IngestSummary
    from costmark.ingest.pipeline import Paths
    from costmark.ingest.remove import RemovalSummary
    from costmark.kpis.burndown import Burndown
    from costmark.maturity.sources import Source
    from costmark.reports.schedule import SmtpFactory
    from costmark.spec import Project
    from costmark.spec.alerts import AlertSettings
    from costmark.spec.kpis import KpiDefinition
    from costmark.tracking.forecasting import ForecastResult
    from costmark.tracking.track import TrackResult

Dims = str | Sequence[str]
#: A day: a date or ISO text (YYYY-MM-DD).
DateLike = dt.date | str | None
#: A row filter: text ("ServiceCategory = 'Compute'") or a mapping ({"team": "payments"}).
Where = str | Mapping[str, Any] | None


def _dims(by: Dims) -> tuple[str, ...]:
    return (by,) if isinstance(by, str) else tuple(by)


def _against(against: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(against, str):
        return tuple(a.strip() for a in against.split(","))
    return tuple(against)


class Workspace:
    """An opened workspace: a ``Context`` and the services that take it.

    ``scoped({"team": "payments"})`` and ``with_engine("spark")`` give the same facade over a
    derived context (sharing its warehouse and backend cache): every number then comes from
    that scope's rows, on that engine; what cannot be scoped raises ``ScopeUnsupported``."""

    def __init__(
        self,
        root: Path,
        *,
        read_only: bool = False,
        engine: str | None = None,
        context: Context | None = None,
    ) -> None:
        if context is None:
            require_workspace(root)
            context = Context(root, read_only=read_only, engine=engine)
        self.context = context

    # -- basics ------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self.context.root

    @property
    def read_only(self) -> bool:
        return self.context.read_only

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def project(self) -> Project:
        return self.context.project

    def reload_project(self) -> Project:
        return self.context.reload_project()

    @property
    def warehouse(self) -> Warehouse:
        return self.context.warehouse

    @property
    def engine(self) -> KpiEngine:
        """The KPI engine (``plan``, ``run``, ``explain``) of this workspace's context."""
        return self.context.engine

    @property
    def scope(self) -> dict[str, str]:
        return dict(self.context.scope)

    def scoped(self, scope: Mapping[str, str] | None) -> Workspace:
        """This workspace seen through a scope (``{"team": "payments"}``): only matching rows,
        no totals over other teams. No scope: the workspace itself."""
        if not scope:
            return self
        return Workspace(self.root, context=self.context.with_scope(scope))

    def with_engine(self, engine: str | None) -> Workspace:
        """This workspace computing on ``engine`` (duckdb, spark); None: unchanged."""
        ctx = self.context.with_engine(engine)
        return self if ctx is self.context else Workspace(self.root, context=ctx)

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def info(self) -> dict[str, Any]:
        wh = self.warehouse
        rows = wh.con.execute("SELECT count(*) FROM costs").fetchone()
        return {
            "workspace": str(self.root),
            "schema_version": wh.schema_version,
            "cost_rows": rows[0] if rows else 0,
            "dimensions": sorted(self.project.dimensions),
            "business_metrics": sorted(self.project.business_metrics),
        }

    # -- validation and ingest (costmark.ingest.pipeline) ------------------------------
    def validate(self, paths: Paths, *, focus_version: str | None = None) -> ValidationReport:
        """Check FOCUS files against the spec (with this workspace's ingest bounds, as
        :meth:`ingest_focus` applies them)."""
        from costmark.ingest import pipeline

        return pipeline.validate(self.context, paths, focus_version=focus_version)

    def ingest_focus(
        self,
        paths: Paths,
        *,
        strict: bool = False,
        focus_version: str | None = None,
        progress: bool = True,
        delivery: str = "replace",
    ) -> IngestSummary:
        """Load FOCUS files into ``costs`` (one transaction; replaces the slices they hold, or
        with ``delivery`` "delta"/"ledger" adds FOCUS 1.4 corrections to them)."""
        from costmark.ingest import pipeline

        return pipeline.ingest_focus(self.context, paths, strict=strict,
                                     focus_version=focus_version, progress=progress,
                                     delivery=delivery)

    def remove_focus(
        self,
        *,
        ingest_ids: Sequence[str] = (),
        files: Sequence[str] = (),
        provider: str | None = None,
        billing_account: str | None = None,
        billing_period: str | None = None,
        dry_run: bool = False,
    ) -> RemovalSummary:
        """Take loaded FOCUS rows back out (one transaction, logged, rollups refreshed):
        by ingest id, by file, or by provider / billing account / billing period (criteria of
        different kinds narrow each other). Raises ``NotFoundError`` when nothing matches."""
        from costmark.ingest import pipeline

        return pipeline.remove_focus(
            self.context, ingest_ids=ingest_ids, files=files, provider=provider,
            billing_account=billing_account, billing_period=billing_period, dry_run=dry_run,
        )

    def convert_native(
        self,
        paths: Paths,
        *,
        source: str,
        strict: bool = False,
        currency: str | None = None,
        progress: bool = True,
    ) -> tuple[list[ConvertResult], IngestSummary]:
        """Convert native exports (AWS CUR, Azure, GCP, OCI) to FOCUS Parquet kept in
        ``.costmark/converted/`` and load them like FOCUS files. A restated export replaces
        its slices, as FOCUS loads do."""
        from costmark.ingest import pipeline

        return pipeline.convert_native(self.context, paths, source=source, strict=strict,
                                       currency=currency, progress=progress)

    def ensure_tag_columns(self) -> list[str]:
        """Add and backfill ``tag_<key>`` columns for tag keys costmark.yaml gained."""
        from costmark.ingest.tags import ensure_tag_columns

        return ensure_tag_columns(self.warehouse, self.project.tag_key_spellings)

    def contract_burndown(self, *, as_of: dt.date | None = None) -> list[Burndown]:
        """Contract commitments (FOCUS 1.3+) with consumed, remaining, projected consumption at
        term end and projected shortfall, as of the data's last day unless ``as_of`` is given."""
        from costmark.kpis.burndown import burndown

        return burndown(self.warehouse.con, as_of=as_of)

    def reconcile_invoices(self) -> list[InvoiceCheck]:
        """Cost rows' BilledCost against FOCUS 1.4 Invoice Detail, per invoice: a difference is
        a data-quality finding (missing days, late corrections, restated bills)."""
        from costmark.contracts.invoices import reconcile_invoices

        return reconcile_invoices(self.warehouse.con)

    def ingest_log(self, *, limit: int | None = None, kind: str | None = None) -> list[dict]:
        """File-level lineage; in a scope without totals (they span every team)."""
        from costmark.ingest import pipeline

        return pipeline.lineage(self.context, limit=limit, kind=kind)

    def quarantine(self, *, limit: int | None = 100, ingest_id: str | None = None) -> list[dict]:
        from costmark.ingest.log import quarantine_rows

        return quarantine_rows(self.warehouse, limit=limit, ingest_id=ingest_id)

    # -- business metrics and demo -----------------------------------------------------
    def ingest_business(self, path: str | Path, *, format: str = "auto") -> dict[str, Any]:
        """Load business metrics (``format``: auto, long or wide); replaces the (metric,
        dimension values, date) rows the file covers. Returns the load summary."""
        from costmark.ingest import pipeline

        return pipeline.ingest_business(self.context, path, layout=format)

    def ingest_utilization(self, path: str | Path) -> dict[str, Any]:
        """Load CPU/memory samples; replaces the (resource, date) samples the file covers."""
        from costmark.ingest import pipeline

        return pipeline.ingest_utilization(self.context, path)

    def ingest_recommendations(self, path: str | Path) -> dict[str, Any]:
        """Load optimization recommendations; upserts by recommendation id."""
        from costmark.ingest import pipeline

        return pipeline.ingest_recommendations(self.context, path)

    # -- KPIs (costmark.engine) --------------------------------------------------------
    def kpi(
        self,
        ids: str | Sequence[str],
        *,
        grain: str = "month",
        by: Dims = (),
        start: DateLike = None,
        end: DateLike = None,
        where: Where = None,
        engine: str | None = None,
        rollups: bool | None = None,
    ) -> KpiResult:
        """Compute KPIs per period (``grain``), ``by`` dimensions and currency; ``start`` and
        ``end`` are inclusive dates; ``where`` a filter (text or mapping). ``engine``: the
        context's engine unless given. ``rollups=False`` forces the raw table. Returns
        ``KpiResult`` (.rows(), .to_pandas(), .to_arrow() ...)."""
        return self.engine.kpi(ids, grain=grain, by=by, start=start, end=end, where=where,
                               engine=engine, rollups=rollups)

    def explain(
        self,
        ids: str | Sequence[str],
        *,
        grain: str = "month",
        by: Dims = (),
        start: DateLike = None,
        end: DateLike = None,
        where: Where = None,
        engine: str | None = None,
        rollups: bool | None = None,
    ) -> str:
        """The SQL (with the plan as comments) that ``kpi`` runs for the same arguments."""
        request = self.engine.request(ids, grain=grain, by=by, start=start, end=end,
                                      where=where, engine=engine, rollups=rollups)
        return self.engine.explain(self.engine.plan(request))

    def cutoff(self, as_of: DateLike = None, *, scope: Mapping[str, str] | None = None) -> AsOf:
        """The day judgments count back from and the data's extent (``AsOf``): ``as_of`` when
        given, else the last day of the data in ``scope``. ``.latest_complete("month")`` is
        the period every command judges by default; ``.running("month")`` the partial one."""
        return self.context.with_scope(scope).engine.cutoff(as_of)

    def kpi_catalog(self) -> list[KpiDefinition]:
        """Every KPI this project can compute: built-ins, per-metric families, user KPIs."""
        return self.engine.catalog()

    def daily_cost(
        self, by: Dims = (), start: DateLike = None, end: DateLike = None, where: Where = None,
    ) -> pd.DataFrame:
        """Daily total cost: columns date, by-dimensions..., currency, cost (Decimal)."""
        result = self.kpi("total_cost", grain="day", by=by, start=start, end=end, where=where)
        frame = result.to_pandas()
        keep = ["period_start", *result.by, "currency", "value"]
        return frame[keep].rename(columns={"period_start": "date", "value": "cost"})

    def refresh_rollups(self, slices: Iterable[Slice] | None = None) -> dict[str, Any]:
        """Rebuild the daily and monthly rollups (``slices=None``) or recompute the given
        (ProviderName, BillingAccountId, BillingPeriodStart) slices."""
        from costmark.engine.rollups import refresh_rollups

        return refresh_rollups(self.context, slices)

    def rollup_status(self) -> dict[str, Any]:
        """Whether the rollups exist, their sizes (daily, monthly), freshness and columns."""
        from costmark.engine.rollups import rollup_status

        return rollup_status(self.context)

    def check(self) -> list[Located]:
        """Every problem in costmark.yaml (syntax, schema and cross-references), located."""
        from costmark.spec.rules import check_file

        return check_file(self.config_path, self.root)

    # -- tracking (costmark.tracking): trends, forecasts with snapshots, anomalies, budgets
    def track(
        self,
        kpi: str | Sequence[str],
        *,
        grain: str = "month",
        by: Dims = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        where: Where = None,
        window: int | None = None,
        alpha: float = 0.05,
        include_partial: bool = False,
    ) -> TrackResult:
        """A KPI series with change, year over year, rolling mean and a trend per series
        (``.series`` and ``.trends`` DataFrames)."""
        from costmark.tracking.track import track

        return track(self.context, kpi, grain=grain, by=_dims(by), start=start, end=end,
                     where=where, window=window, alpha=alpha, include_partial=include_partial)

    def forecast(
        self,
        kpi: str = "total_cost",
        *,
        grain: str | None = None,
        by: Dims = (),
        horizon: int | None = None,
        start: dt.date | None = None,
        where: Where = None,
        level: float = 0.95,
        store: bool = True,
        created_at: dt.datetime | None = None,
    ) -> ForecastResult:
        """Forecast cost (daily, rolled up to month/quarter) or any KPI; stores a snapshot
        unless ``store=False`` (``.frame``)."""
        from costmark.tracking.forecasting import forecast

        return forecast(self.context, kpi, grain=grain, by=_dims(by), horizon=horizon,
                        start=start, where=where, level=level, store=store,
                        created_at=created_at)

    def forecast_accuracy(
        self,
        kpi: str = "total_cost",
        *,
        grain: str = "month",
        by: Dims = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        where: Where = None,
    ) -> pd.DataFrame:
        """Actual vs the forecast snapshot made before each finished period."""
        from costmark.tracking.forecasting import forecast_accuracy

        return forecast_accuracy(self.context, kpi, grain=grain, by=_dims(by), start=start,
                                 end=end, where=where)

    def forecast_snapshots(self) -> list[dict[str, Any]]:
        """Stored forecast runs, newest first."""
        from costmark.tracking.snapshots import runs

        return runs(self.context)

    def anomalies(
        self,
        kpi: str = "total_cost",
        *,
        by: Dims = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        min_severity: str = "low",
        threshold: float | None = None,
        min_relative: float = 0.10,
        min_impact_share: float | None = None,
        all_charges: bool = False,
        drill: Sequence[str] | None = None,
        where: Where = None,
    ) -> pd.DataFrame:
        """Anomalies per series with severity, expected vs actual and drivers."""
        from costmark.tracking import detect

        return detect.anomalies(
            self.context, kpi, by=_dims(by), start=start, end=end, min_severity=min_severity,
            threshold=detect.THRESHOLD if threshold is None else threshold,
            min_relative=min_relative,
            min_impact_share=(detect.MIN_IMPACT_SHARE if min_impact_share is None
                              else min_impact_share),
            all_charges=all_charges, drill=drill, where=where,
        )

    def budgets(self, name: str | None = None, *, as_of: dt.date | None = None) -> pd.DataFrame:
        """Each budget's running period: actual, burn, projection, variance, status (in a
        scope: the budgets whose own scope lies inside it)."""
        from costmark.tracking.budgeting import budgets

        return budgets(self.context, name=name, as_of=as_of)

    def planning_kpi(
        self,
        kpi: str,
        *,
        grain: str = "month",
        by: Dims = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        where: Where = None,
        base: str = "total_cost",
    ) -> pd.DataFrame:
        """``budget_variance``, ``budget_burn``, ``forecast_accuracy`` or ``forecast_variance``
        in the KPI long format."""
        from costmark.tracking.planning import planning_kpi

        return planning_kpi(self.context, kpi, grain=grain, by=_dims(by), start=start, end=end,
                            where=where, base=base)

    # -- benchmarking (costmark.benchmarking): targets, peers, history, industry, packs --
    def benchmark(
        self,
        kpi: str,
        *,
        by: Dims = (),
        against: str | Sequence[str] = ("targets", "peers", "history", "industry"),
        grain: str = "month",
        period: dt.date | None = None,
        start: DateLike = None,
        end: DateLike = None,
        where: Where = None,
        baselines: Sequence[str] = (),
        references: Sequence[str | Path] = (),
        improved_periods: int = 3,
        direction: str | None = None,
        cohorts: str = "auto",
        today: dt.date | None = None,
    ) -> BenchmarkResult:
        """Benchmark a KPI (``.sections``: DataFrames named targets, peers, improved, history,
        industry, external; ``.caveats``). In a scope: targets and history only."""
        from costmark.benchmarking.service import run_benchmark

        return run_benchmark(
            self.context, kpi, by=_dims(by), against=_against(against), grain=grain,
            period=period, start=start, end=end, where=where, baselines=baselines,
            references=references, improved_periods=improved_periods, direction=direction,
            cohorts=cohorts, today=today,
        )

    def benchmark_all(
        self,
        kpis: str | Sequence[str] = (),
        *,
        by: Dims = (),
        against: str | Sequence[str] = "targets,history",
        grain: str = "month",
        period: dt.date | None = None,
        start: DateLike = None,
        end: DateLike = None,
        where: Where = None,
        baselines: Sequence[str] = (),
        references: Sequence[str | Path] = (),
        improved_periods: int = 3,
        direction: str | None = None,
        cohorts: str = "auto",
        today: dt.date | None = None,
    ) -> dict[str, BenchmarkResult]:
        """Benchmark many KPIs (default: every catalog KPI with a better direction) from one
        engine call. KPIs that cannot be ranked or computed are skipped with a caveat."""
        from costmark.benchmarking.service import run_benchmarks

        return run_benchmarks(
            self.context, _dims(kpis), by=_dims(by), against=_against(against), grain=grain,
            period=period, start=start, end=end, where=where, baselines=baselines,
            references=references, improved_periods=improved_periods, direction=direction,
            cohorts=cohorts, today=today,
        )

    def export_benchmark_pack(
        self,
        path: str | Path | None = None,
        *,
        kpis: Sequence[str] = (),
        by: Dims = ("team",),
        grain: str = "month",
        start: DateLike = None,
        end: DateLike = None,
        where: Where = None,
        label: str | None = None,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        """An anonymised pack of KPI distributions; written to ``path`` when given.
        ``notes`` explain omissions."""
        from costmark.benchmarking.service import export_pack
        from costmark.benchmarking.store import pack_json

        pack, notes = export_pack(self.context, kpis=kpis, by=_dims(by), grain=grain,
                                  start=start, end=end, where=where, label=label, today=today)
        if path is not None:
            Path(path).write_text(pack_json(pack), encoding="utf-8")
        return {"pack": pack, "notes": notes}

    def import_benchmark_pack(
        self, pack: str | Path | dict[str, Any], *, label: str | None = None
    ) -> dict[str, Any]:
        """Store a pack (a file path or the pack dict) as external peers; returns its summary."""
        import json

        from costmark.benchmarking.store import store_pack

        source = "pack"
        if isinstance(pack, str | Path):
            source = str(pack)
            try:
                pack = json.loads(Path(pack).read_text("utf-8"))
            except FileNotFoundError:
                raise InputError(f"pack file {source} not found") from None
            except json.JSONDecodeError as exc:
                raise InputError(f"{source} is not JSON: {exc}") from None
        return store_pack(self.warehouse, pack, source=source, label=label)

    def benchmark_packs(self) -> list[dict[str, Any]]:
        """Imported peer packs, oldest first."""
        from costmark.benchmarking.store import packs

        return packs(self.warehouse)

    def remove_benchmark_pack(self, pack_id: str) -> None:
        from costmark.benchmarking.store import remove_pack

        remove_pack(self.warehouse, pack_id)

    def set_baseline(self, name: str, at: dt.date | str, note: str | None = None) -> dict[str, Any]:
        """Store a named baseline date (e.g. the start of a FinOps iteration)."""
        from costmark.benchmarking.store import set_baseline
        from costmark.errors import UsageError

        if not isinstance(at, dt.date):
            try:
                at = dt.date.fromisoformat(str(at))
            except ValueError:
                raise UsageError(f"--at must be a date YYYY-MM-DD, not {at!r}") from None
        return set_baseline(self.warehouse, name, at, note)

    def benchmark_baselines(self) -> list[dict[str, Any]]:
        from costmark.benchmarking.store import baselines

        return baselines(self.warehouse)

    def delete_baseline(self, name: str) -> None:
        from costmark.benchmarking.store import delete_baseline

        delete_baseline(self.warehouse, name)

    def industry_references(self, references: Sequence[str | Path] = ()) -> pd.DataFrame:
        """Every industry reference figure (shipped + workspace ``references/`` + given files)
        as a DataFrame, with value, year, source and scope."""
        from costmark.benchmarking.industry import load_references, references_frame

        return references_frame(load_references([Path(p) for p in references], self.root))

    # -- maturity and iterations (costmark.maturity) -----------------------------------
    # Evidence comes through the context's engine (so a scoped workspace gets its scope's own
    # evidence); each missing part makes its item say "no evidence (reason)" instead of failing.
    # ``source``/``now`` are for tests and what-ifs (see costmark.maturity.sources.StaticSource).
    def capabilities(self, framework: str = "current") -> list[dict[str, Any]]:
        """The FinOps capability catalog: ``current`` (22), ``older`` (18) or ``both``."""
        from costmark.maturity import service

        return service.capabilities(framework)

    def maturity_evidence(
        self,
        capabilities: Sequence[str] = (),
        *,
        group: str | None = None,
        source: Source | None = None,
        today: dt.date | None = None,
        as_of: dt.date | None = None,
    ) -> list[dict[str, Any]]:
        """Evidence items computed from the data (per capability and lens)."""
        from costmark.maturity import service

        return service.evidence(self.context, capabilities=capabilities, group=group,
                                source=source, today=today, as_of=as_of)

    def assess(
        self,
        answers: Mapping[str, Any] | str | Path,
        *,
        capabilities: Sequence[str] = (),
        group: str | None = None,
        source: Source | None = None,
        now: dt.datetime | None = None,
        save: bool = True,
        as_of: dt.date | None = None,
    ) -> dict[str, Any]:
        """Score capabilities on the five lenses from answers + evidence; stored with its date."""
        from costmark.maturity import service

        return service.run_assessment(self.context, answers, capabilities=capabilities,
                                      group=group, source=source, now=now, save=save,
                                      as_of=as_of)

    def assessments(self, group: str | None = None) -> list[dict[str, Any]]:
        from costmark.maturity import service

        return service.list_assessments(self.context, group)

    def assessment(self, ref: str = "latest", previous: str | None = None) -> dict[str, Any]:
        """An assessment with the rows current vs target vs ``previous`` (default: last time)."""
        from costmark.maturity import service

        return service.comparison(self.context, ref, previous)

    def plan_iteration(
        self,
        spec: Mapping[str, Any],
        *,
        source: Source | None = None,
        now: dt.datetime | None = None,
    ) -> dict[str, Any]:
        from costmark.maturity import service

        return service.plan(self.context, spec, source=source, now=now)

    def iterations(self) -> list[dict[str, Any]]:
        from costmark.maturity import service

        return service.list_iterations(self.context)

    def iteration(self, ref: str | None = None) -> dict[str, Any]:
        from costmark.maturity import service

        return service.get_iteration(self.context, ref)

    def iteration_status(
        self,
        ref: str | None = None,
        *,
        source: Source | None = None,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        from costmark.maturity import service

        return service.status(self.context, ref, source=source, today=today)

    def review_iteration(
        self,
        ref: str | None = None,
        *,
        notes: Mapping[str, Any] | str | Path | None = None,
        source: Source | None = None,
        now: dt.datetime | None = None,
        early: bool = False,
    ) -> dict[str, Any]:
        from costmark.maturity import service

        return service.review(self.context, ref, notes=notes, source=source, now=now,
                              early=early)

    def next_iteration(
        self,
        *,
        add: Sequence[str] = (),
        weeks: int | None = None,
        end: str | None = None,
        extra_goals: Sequence[Mapping[str, Any]] = (),
        source: Source | None = None,
        now: dt.datetime | None = None,
    ) -> dict[str, Any]:
        from costmark.maturity import service

        return service.start_next(self.context, add=add, weeks=weeks, end=end,
                                  extra_goals=extra_goals, source=source, now=now)

    def iteration_report(self, ref: str | None = None, fmt: str = "md") -> str:
        from costmark.maturity import service

        return service.report(self.context, ref, fmt)

    def export_maturity(self) -> str:
        """Assessments and iterations as YAML (keep them in git)."""
        from costmark.maturity import service

        return service.export_yaml(self.context)

    def import_maturity(self, text: str, file: str = "import") -> dict[str, int]:
        from costmark.maturity import service

        return service.import_yaml(self.context, text, file)

    # -- access, reports, alerts -------------------------------------------------------
    def create_token(
        self, role: str, *, scope: dict[str, str] | None = None, name: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """A new API token (text shown once) for ``role`` in admin, analyst, viewer."""
        from costmark.access import tokens

        for key in scope or {}:
            if key not in self.project.dimensions:
                raise NotFoundError(
                    f"--scope dimension {key!r} is not declared in costmark.yaml"
                    + did_you_mean(key, self.project.dimensions)
                )
        text, info = tokens.create_token(self.warehouse.con, role, scope, name)
        return text, info.to_dict()

    def tokens(self) -> list[dict[str, Any]]:
        from costmark.access import tokens

        return tokens.list_tokens(self.warehouse.con)

    def revoke_token(self, token_id: str) -> None:
        from costmark.access import tokens

        tokens.revoke_token(self.warehouse.con, token_id)

    def authenticate(self, token: str) -> TokenInfo | None:
        """The ``TokenInfo`` of a valid, active token, else None."""
        from costmark.access import tokens

        return tokens.verify(self.warehouse.con, token)

    def token_info(self, token_id: str) -> TokenInfo | None:
        from costmark.access import tokens

        return tokens.lookup(self.warehouse.con, token_id)

    def report_context(
        self,
        *,
        cadence: str = "monthly",
        period: str | None = None,
        scope: Mapping[str, str] | None = None,
        as_of: DateLike = None,
        today: DateLike = None,
    ) -> dict[str, Any]:
        """The numbers of a report (what every format renders). Default period: the latest
        complete one of the data in scope, or as of ``as_of`` (``today``: its older name)."""
        from costmark.reports import build_context

        return build_context(self.context.with_scope(scope), cadence=cadence, period=period,
                             as_of=as_of if as_of is not None else today)

    def report(
        self,
        *,
        cadence: str = "monthly",
        period: str | None = None,
        format: str = "html",
        scope: Mapping[str, str] | None = None,
        as_of: DateLike = None,
        today: DateLike = None,
    ) -> bytes:
        """A rendered report: html (self-contained), md, json or pdf."""
        from costmark.reports import render

        ctx = self.report_context(cadence=cadence, period=period, scope=scope,
                                  as_of=as_of if as_of is not None else today)
        return render(ctx, format)

    def schedules(self, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        from costmark.reports import schedule

        return schedule.listing(self.project.schedules, self.warehouse.con,
                                now or schedule.utcnow())

    def run_schedules(
        self,
        *,
        now: dt.datetime | None = None,
        force: bool = False,
        names: tuple[str, ...] = (),
        transport: httpx.BaseTransport | None = None,
        smtp_factory: SmtpFactory | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Run due schedules once (``force=True``: all; ``names=(...)``: only those)."""
        from costmark.reports import schedule

        delivery: dict[str, Any] = {"transport": transport}
        if smtp_factory is not None:
            delivery["smtp_factory"] = smtp_factory
        if sleep is not None:
            delivery["sleep"] = sleep
        return schedule.run_due(self.context, now=now, force=force, names=names, **delivery)

    def report_runs(self, limit: int = 100) -> list[dict[str, Any]]:
        from costmark.reports import schedule

        return schedule.history(self.warehouse.con, limit)

    def evaluate_alerts(
        self,
        *,
        settings: AlertSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        now: dt.datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Evaluate the alert rules; deliver and log new alerts (de-duplicated)."""
        from costmark.alerts import engine

        if sleep is None:
            return engine.evaluate(self.context, settings=settings, transport=transport, now=now)
        return engine.evaluate(self.context, settings=settings, transport=transport,
                               sleep=sleep, now=now)

    def alert_log(self, limit: int = 200) -> list[dict[str, Any]]:
        """Logged alerts; in a scope only those about rows inside it."""
        from costmark.alerts import engine

        return engine.visible_log(self.context, limit)

    def data_version(self) -> str:
        """Changes whenever an ingest (or removal) commits, for live dashboards; a failed load
        changed no data, so it must not empty their caches."""
        return self.context.data_version()

def validate_files(
    paths: Paths, *, focus_version: str | None = None, workspace: str | Path | None = None
) -> ValidationReport:
    """Validate FOCUS files without a workspace (validation only reads files). When
    ``workspace`` (or $COSTMARK_WORKSPACE / the current folder) holds a costmark.yaml, its
    ``ingest`` bounds apply, so validate judges files exactly as that workspace's ingest does."""
    from costmark.focus.validate import validate_files as _validate

    dates = None
    config = resolve_root(workspace) / CONFIG_FILE
    if config.is_file():  # pydantic and the project models load only then
        from costmark.spec import load_project

        dates = load_project(config).ingest.date_range.bounds()
    return _validate(paths, focus_version=focus_version, dates=dates)


def init_workspace(
    path: str | Path | None = None, *, force: bool = False, config_text: str | None = None
) -> Workspace:
    """Create (or complete) a workspace and return it opened."""
    root = resolve_root(path)
    init_files(root, config_text=config_text, force=force)
    Warehouse(warehouse_path(root), create=True).close()
    return Workspace(root)


def open_workspace(
    path: str | Path | None = None, *, read_only: bool = False, engine: str | None = None
) -> Workspace:
    """Open an existing workspace (the path, $COSTMARK_WORKSPACE, or the current folder).
    ``engine`` (duckdb, spark) overrides costmark.yaml's ``engine:`` for every computation."""
    root = resolve_root(path)
    if not root.exists():
        raise WorkspaceError(f"workspace folder {root} does not exist")
    return Workspace(root, read_only=read_only, engine=engine)


def create_demo(
    path: str | Path | None = None,
    *,
    seed: int = 7,
    months: int = 13,
    rows: int | None = None,
    end: dt.date | None = None,
    force: bool = False,
    ingest: bool = True,
    progress: Callable[[int, int], None] | None = None,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Create (or refresh) a demo workspace: demo costmark.yaml (kept if it exists), generated
    FOCUS 1.2 + business files in ``demo-data/``, validated and ingested. Returns a summary.
    ``progress(done, total)`` follows generation; ``force`` overwrites a non-demo config."""
    from costmark.demo.workspace import DEMO_CONFIG, build_demo, check_config

    root = resolve_root(path)
    check_config(root, force=force)
    ws = init_workspace(root, force=force, config_text=DEMO_CONFIG)
    try:
        return build_demo(
            ws.context,
            seed=seed,
            months=months,
            rows=rows,
            end=end,
            ingest=ingest,
            progress=progress,
            show_progress=show_progress,
        )
    finally:
        ws.close()
