"""The one facade every front end (CLI, web, Python users) calls. Nothing deeper.

    import costmark
    ws = costmark.open("path/to/workspace")
    ws.kpi("effective_savings_rate", grain="month", by=["team"]).to_pandas()

Each subsystem adds its entry points to ``Workspace`` in its own section below.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    import pandas as pd

    from costmark.engine.result import KpiResult
    from costmark.errors import Located
    from costmark.spec import Project
    from costmark.spec.kpis import KpiDefinition


class Workspace:
    """An opened workspace: its validated project and its warehouse."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        require_workspace(root)
        self.root = root
        self.read_only = read_only
        self._project: Project | None = None
        self._warehouse: Warehouse | None = None

    # -- basics ------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def project(self) -> Project:
        if self._project is None:
            # imported here: pydantic models cost 0.2 s, which commands such as
            # `costmark validate` (no workspace) should not pay
            from costmark.spec import load_project

            self._project = load_project(self.config_path)
        return self._project

    def reload_project(self) -> Project:
        self._project = None
        return self.project

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse(warehouse_path(self.root), read_only=self.read_only)
        return self._warehouse

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
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

    # -- validation and ingest (issue: foundation) -------------------------------------
    def validate(self, paths: Any, *, focus_version: str | None = None) -> Any:
        """Check FOCUS files against the spec (with this workspace's ingest bounds, as
        :meth:`ingest_focus` applies them); returns a ``ValidationReport``."""
        from costmark.focus.validate import validate_files as _validate

        dates = self.project.ingest.date_range.bounds()
        return _validate(paths, focus_version=focus_version, dates=dates)

    def ingest_focus(
        self,
        paths: Any,
        *,
        strict: bool = False,
        focus_version: str | None = None,
        progress: bool = True,
        delivery: str = "replace",
    ) -> Any:
        """Load FOCUS files into ``costs`` (one transaction; replaces the slices they hold, or
        with ``delivery`` "delta"/"ledger" adds FOCUS 1.4 corrections to them); returns an
        ``IngestSummary``."""
        from costmark.engine.rollups import refresh_rollups
        from costmark.ingest.datasets import ingest_dataset_files
        from costmark.ingest.focus import FileResult, IngestSummary, ingest_focus_files

        cost_paths, datasets = _split_datasets(paths)
        summary = (
            ingest_focus_files(
                self.warehouse,
                cost_paths,
                tag_keys=self.project.tag_key_spellings,
                strict=strict,
                focus_version=focus_version,
                progress=progress,
                on_loaded=lambda slices: refresh_rollups(self, slices),
                dates=self.project.ingest.date_range.bounds(),
                delivery=delivery,
            )
            if cost_paths
            else IngestSummary()
        )
        if datasets:
            for r in ingest_dataset_files(self.warehouse, datasets, strict=strict):
                summary.files.append(
                    FileResult(
                        r.file,
                        r.ingest_id,
                        f"{r.focus_version} {r.dataset}",
                        rows_read=r.rows_read,
                        rows_loaded=r.rows_loaded,
                        rows_quarantined=r.rows_quarantined,
                        sha256=r.sha256,
                    )
                )
                summary.rows_replaced += r.rows_replaced
        return summary

    def remove_focus(
        self,
        *,
        ingest_ids: Sequence[str] = (),
        files: Sequence[str] = (),
        provider: str | None = None,
        billing_account: str | None = None,
        billing_period: str | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Take loaded FOCUS rows back out (one transaction, logged, rollups refreshed):
        by ingest id, by file, or by provider / billing account / billing period (criteria of
        different kinds narrow each other). Returns a ``RemovalSummary``; raises
        ``NotFoundError`` when nothing matches."""
        from costmark.engine.rollups import refresh_rollups
        from costmark.ingest.remove import Selector, remove_focus_rows

        selector = Selector(
            tuple([ingest_ids] if isinstance(ingest_ids, str) else ingest_ids),
            tuple([files] if isinstance(files, str) else files),
            provider,
            billing_account,
            billing_period,
        )
        return remove_focus_rows(
            self.warehouse,
            selector,
            dry_run=dry_run,
            on_removed=lambda slices: refresh_rollups(self, slices),
        )

    def convert_native(
        self,
        paths: Any,
        *,
        source: str,
        strict: bool = False,
        currency: str | None = None,
        progress: bool = True,
    ) -> tuple[list[Any], Any]:
        """Convert native exports (AWS CUR, Azure, GCP, OCI) to FOCUS Parquet kept in
        ``.costmark/converted/`` and load them like FOCUS files; returns the conversion results
        and the ``IngestSummary``. A restated export replaces its slices, as FOCUS loads do."""
        from costmark.convert import convert_files

        out_dir = self.root / ".costmark" / "converted"
        results = convert_files(
            [paths] if isinstance(paths, str | Path) else paths,
            source=source,
            out_dir=out_dir,
            currency=currency,
        )
        outputs = [r.output for r in results if r.output]
        summary = self.ingest_focus(outputs, strict=strict, focus_version="1.2", progress=progress)
        return results, summary

    def ensure_tag_columns(self) -> list[str]:
        """Add and backfill ``tag_<key>`` columns for tag keys costmark.yaml gained."""
        from costmark.ingest.tags import ensure_tag_columns

        return ensure_tag_columns(self)

    def contract_burndown(self, *, as_of: Any = None) -> list[Any]:
        """Contract commitments (FOCUS 1.3+) with consumed, remaining, projected consumption at
        term end and projected shortfall, as of the data's last day unless ``as_of`` is given."""
        from costmark.contracts.burndown import burndown

        return burndown(self.warehouse.con, as_of=as_of)

    def reconcile_invoices(self) -> list[Any]:
        """Cost rows' BilledCost against FOCUS 1.4 Invoice Detail, per invoice: a difference is
        a data-quality finding (missing days, late corrections, restated bills)."""
        from costmark.contracts.invoices import reconcile_invoices

        return reconcile_invoices(self.warehouse.con)

    def ingest_log(self, *, limit: int | None = None, kind: str | None = None) -> list[dict]:
        from costmark.ingest.log import ingest_log

        return ingest_log(self.warehouse, limit=limit, kind=kind)

    def quarantine(self, *, limit: int | None = 100, ingest_id: str | None = None) -> list[dict]:
        from costmark.ingest.log import quarantine_rows

        return quarantine_rows(self.warehouse, limit=limit, ingest_id=ingest_id)

    # -- business metrics and demo -----------------------------------------------------
    def ingest_business(self, path: str | Path, *, format: str = "auto") -> dict[str, Any]:
        """Load business metrics (``format``: auto, long or wide); replaces the (metric,
        dimension values, date) rows the file covers. Returns the load summary."""
        from costmark.ingest.business import ingest_business

        return ingest_business(self.warehouse, self.project, path, layout=format).to_dict()

    def ingest_utilization(self, path: str | Path) -> dict[str, Any]:
        """Load CPU/memory samples; replaces the (resource, date) samples the file covers."""
        from costmark.ingest.utilization import ingest_utilization

        return ingest_utilization(self.warehouse, path).to_dict()

    def ingest_recommendations(self, path: str | Path) -> dict[str, Any]:
        """Load optimization recommendations; upserts by recommendation id."""
        from costmark.ingest.recommendations import ingest_recommendations

        return ingest_recommendations(self.warehouse, path).to_dict()

    # -- KPIs (issue: KPI engine) ------------------------------------------------------
    def kpi(
        self,
        ids: str | Sequence[str],
        *,
        grain: str = "month",
        by: str | Sequence[str] = (),
        start: Any = None,
        end: Any = None,
        where: Any = None,
        engine: str = "duckdb",
        rollups: bool | None = None,
    ) -> KpiResult:
        """Compute KPIs per period (``grain``), ``by`` dimensions and currency; ``start`` and
        ``end`` are inclusive dates; ``where`` a filter (text or mapping). ``rollups=False``
        forces the raw table. Returns ``KpiResult`` (.rows(), .to_pandas(), .to_arrow() ...)."""
        from costmark.engine.query import request_from_args, run

        request = request_from_args(ids, grain=grain, by=by, start=start, end=end, where=where,
                                    engine=engine, rollups=rollups)
        return run(self, request)

    def cutoff(self, as_of: Any = None, *, scope: dict[str, str] | None = None) -> Any:
        """The day judgments count back from and the data's extent (``AsOf``): ``as_of`` when
        given, else the last day of the data in ``scope``. ``.latest_complete("month")`` is
        the period every command judges by default; ``.running("month")`` the partial one."""
        from costmark.engine.asof import resolve

        return resolve(self.scoped(scope), as_of)

    def kpi_catalog(self) -> list[KpiDefinition]:
        """Every KPI this project can compute: built-ins, per-metric families, user KPIs."""
        from costmark.kpis.catalog import catalog

        return catalog(self.project)

    def explain(self, ids: str | Sequence[str], **options: Any) -> str:
        """The SQL (with the plan as comments) that ``kpi(ids, **options)`` runs."""
        from costmark.engine.explain import explain
        from costmark.engine.query import request_from_args

        return explain(self, request_from_args(ids, **options))

    def daily_cost(
        self, by: str | Sequence[str] = (), start: Any = None, end: Any = None,
        where: Any = None,
    ) -> pd.DataFrame:
        """Daily total cost: columns date, by-dimensions..., currency, cost (Decimal)."""
        result = self.kpi("total_cost", grain="day", by=by, start=start, end=end, where=where)
        frame = result.to_pandas()
        keep = ["period_start", *result.by, "currency", "value"]
        return frame[keep].rename(columns={"period_start": "date", "value": "cost"})

    def refresh_rollups(self, slices: Any = None) -> dict[str, Any]:
        """Rebuild the daily and monthly rollups (``slices=None``) or recompute the given
        (ProviderName, BillingAccountId, BillingPeriodStart) slices."""
        from costmark.engine.rollups import refresh_rollups

        return refresh_rollups(self, slices)

    def rollup_status(self) -> dict[str, Any]:
        """Whether the rollups exist, their sizes (daily, monthly), freshness and columns."""
        from costmark.engine.rollups import rollup_status

        return rollup_status(self)

    def check(self) -> list[Located]:
        """Every problem in costmark.yaml (syntax, schema and cross-references), located."""
        from costmark.spec.rules import check_file

        return check_file(self.config_path, self.root)


    # -- tracking and benchmarking -----------------------------------------------------
    # tracking (costmark.tracking): trends, forecasts with snapshots, anomalies, budgets
    def track(self, kpi: str, **options: Any) -> Any:
        """A KPI series with change, year over year, rolling mean and a trend per series;
        returns ``TrackResult`` (``.series`` and ``.trends`` DataFrames). Options: grain, by,
        start, end, where, window, alpha, include_partial."""
        from costmark.tracking.track import track

        return track(self, kpi, **options)

    def forecast(self, kpi: str = "total_cost", **options: Any) -> Any:
        """Forecast cost (daily, rolled up to month/quarter) or any KPI; stores a snapshot.
        Returns ``ForecastResult`` (``.frame``). Options: grain, by, horizon, start, where,
        level, store."""
        from costmark.tracking.forecasting import forecast

        return forecast(self, kpi, **options)

    def forecast_accuracy(self, kpi: str = "total_cost", **options: Any) -> Any:
        """Actual vs the forecast snapshot made before each finished period (DataFrame)."""
        from costmark.tracking.forecasting import forecast_accuracy

        return forecast_accuracy(self, kpi, **options)

    def forecast_snapshots(self) -> list[dict[str, Any]]:
        """Stored forecast runs, newest first."""
        from costmark.tracking.snapshots import runs

        return runs(self)

    def anomalies(self, kpi: str = "total_cost", **options: Any) -> Any:
        """Anomalies per series with severity, expected vs actual and drivers (DataFrame).
        Options: by, start, end, min_severity, threshold, drill, where."""
        from costmark.tracking.detect import anomalies

        return anomalies(self, kpi, **options)

    def budgets(self, name: str | None = None, *, as_of: Any = None) -> Any:
        """Each budget's running period: actual, burn, projection, variance, status."""
        from costmark.tracking.budgeting import budgets

        return budgets(self, name=name, as_of=as_of)

    def planning_kpi(self, kpi: str, **options: Any) -> Any:
        """``budget_variance``, ``budget_burn``, ``forecast_accuracy`` or ``forecast_variance``
        in the KPI long format (for the KPI engine's planning KPIs)."""
        from costmark.tracking.planning import planning_kpi

        return planning_kpi(self, kpi, **options)

    # benchmarking (costmark.benchmarking): targets, peers, history, industry, peer packs
    def benchmark(
        self,
        kpi: str,
        *,
        by: Any = (),
        against: Any = ("targets", "peers", "history", "industry"),
        **options: Any,
    ) -> Any:
        """Benchmark a KPI; returns ``BenchmarkResult`` (``.sections``: DataFrames named
        targets, peers, improved, history, industry, external; ``.caveats``). Options: grain,
        period, start, end, where, baselines, references, improved_periods, direction,
        cohorts (auto|groups|bands|all)."""
        from costmark.benchmarking.service import run_benchmark

        by = (by,) if isinstance(by, str) else tuple(by)
        if isinstance(against, str):
            against = tuple(a.strip() for a in against.split(","))
        return run_benchmark(self, kpi, by=by, against=against, **options)

    def benchmark_all(
        self, kpis: Any = (), *, by: Any = (), against: Any = "targets,history", **options: Any
    ) -> dict[str, Any]:
        """Benchmark many KPIs (default: every catalog KPI with a better direction) from one
        engine call; returns {kpi: BenchmarkResult}. KPIs that cannot be ranked or computed
        are skipped with a caveat instead of failing the lot."""
        from costmark.benchmarking.service import run_benchmarks

        by = (by,) if isinstance(by, str) else tuple(by)
        if isinstance(against, str):
            against = tuple(a.strip() for a in against.split(","))
        kpis = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        return run_benchmarks(self, kpis, by=by, against=against, **options)

    def export_benchmark_pack(self, path: str | Path | None = None, **options: Any) -> Any:
        """An anonymised pack of KPI distributions (dict); written to ``path`` when given.
        Options: kpis, by, grain, start, end, where, label. ``.notes`` explain omissions."""
        from costmark.benchmarking.service import export_pack
        from costmark.benchmarking.store import pack_json

        pack, notes = export_pack(self, **options)
        if path is not None:
            Path(path).write_text(pack_json(pack), encoding="utf-8")
        return {"pack": pack, "notes": notes}

    def import_benchmark_pack(self, pack: Any, *, label: str | None = None) -> dict[str, Any]:
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

    def set_baseline(self, name: str, at: Any, note: str | None = None) -> dict[str, Any]:
        """Store a named baseline date (e.g. the start of a FinOps iteration)."""
        import datetime as dt

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

    def industry_references(self, references: Any = ()) -> Any:
        """Every industry reference figure (shipped + workspace ``references/`` + given files)
        as a DataFrame, with value, year, source and scope."""
        from costmark.benchmarking.industry import load_references, references_frame

        return references_frame(load_references([Path(p) for p in references], self.root))

    # -- maturity and iterations -------------------------------------------------------
    # Facts come from this facade (KPIs, anomalies, schedules, packs); each missing part makes
    # its evidence item say "no evidence (reason)" instead of failing. ``source``/``now`` are
    # for tests and what-ifs (see costmark.maturity.sources.StaticSource).
    def capabilities(self, framework: str = "current") -> list[dict[str, Any]]:
        """The FinOps capability catalog: ``current`` (22), ``older`` (18) or ``both``."""
        from costmark.maturity import service

        return service.capabilities(framework)

    def maturity_evidence(self, capabilities: Any = (), **kw: Any) -> list[dict[str, Any]]:
        """Evidence items computed from the data (per capability and lens)."""
        from costmark.maturity import service

        return service.evidence(self, capabilities=capabilities, **kw)

    def assess(self, answers: Any, **kw: Any) -> dict[str, Any]:
        """Score capabilities on the five lenses from answers + evidence; stored with its date."""
        from costmark.maturity import service

        return service.run_assessment(self, answers, **kw)

    def assessments(self, group: str | None = None) -> list[dict[str, Any]]:
        from costmark.maturity import store

        return store.list_assessments(self.warehouse.con, group)

    def assessment(self, ref: str = "latest", previous: str | None = None) -> dict[str, Any]:
        """An assessment with the rows current vs target vs ``previous`` (default: last time)."""
        from costmark.maturity import service

        return service.assessment_comparison(self, ref, previous)

    def plan_iteration(self, spec: dict[str, Any], **kw: Any) -> dict[str, Any]:
        from costmark.maturity import service

        return service.plan(self, spec, **kw)

    def iterations(self) -> list[dict[str, Any]]:
        from costmark.maturity import store

        return store.list_iterations(self.warehouse.con)

    def iteration(self, ref: str | None = None) -> dict[str, Any]:
        from costmark.maturity import store

        return store.get_iteration(self.warehouse.con, ref)

    def iteration_status(self, ref: str | None = None, **kw: Any) -> dict[str, Any]:
        from costmark.maturity import service

        return service.status(self, ref, **kw)

    def review_iteration(self, ref: str | None = None, **kw: Any) -> dict[str, Any]:
        from costmark.maturity import service

        return service.review(self, ref, **kw)

    def next_iteration(self, **kw: Any) -> dict[str, Any]:
        from costmark.maturity import service

        return service.start_next(self, **kw)

    def iteration_report(self, ref: str | None = None, fmt: str = "md") -> str:
        from costmark.maturity import service

        return service.report(self, ref, fmt)

    def export_maturity(self) -> str:
        """Assessments and iterations as YAML (keep them in git)."""
        from costmark.maturity import service

        return service.export_yaml(self)

    def import_maturity(self, text: str, file: str = "import") -> dict[str, int]:
        from costmark.maturity import service

        return service.import_yaml(self, text, file)


    # -- reports, web, alerts ----------------------------------------------------------
    def scoped(self, scope: dict[str, str] | None) -> Any:
        """This workspace seen through a scope (``{"team": "payments"}``): only matching rows,
        no totals over other teams. No scope: the workspace itself."""
        from costmark.access.scope import scoped

        return scoped(self, scope)

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

    def authenticate(self, token: str) -> Any:
        """The ``TokenInfo`` of a valid, active token, else None."""
        from costmark.access import tokens

        return tokens.verify(self.warehouse.con, token)

    def token_info(self, token_id: str) -> Any:
        from costmark.access import tokens

        return tokens.lookup(self.warehouse.con, token_id)

    def report_context(
        self,
        *,
        cadence: str = "monthly",
        period: str | None = None,
        scope: dict[str, str] | None = None,
        as_of: Any = None,
        today: Any = None,
    ) -> dict[str, Any]:
        """The numbers of a report (what every format renders). Default period: the latest
        complete one of the data in scope, or as of ``as_of`` (``today``: its older name)."""
        from costmark.reports import build_context

        return build_context(self.scoped(scope), cadence=cadence, period=period,
                             as_of=as_of if as_of is not None else today)

    def report(
        self,
        *,
        cadence: str = "monthly",
        period: str | None = None,
        format: str = "html",
        scope: dict[str, str] | None = None,
        as_of: Any = None,
        today: Any = None,
    ) -> bytes:
        """A rendered report: html (self-contained), md, json or pdf."""
        from costmark.reports import render

        ctx = self.report_context(cadence=cadence, period=period, scope=scope,
                                  as_of=as_of if as_of is not None else today)
        return render(ctx, format)

    def schedules(self, now: Any = None) -> list[dict[str, Any]]:
        from costmark.reports import schedule

        return schedule.listing(self.project.schedules, self.warehouse.con,
                                now or schedule.utcnow())

    def run_schedules(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Run due schedules once (``force=True``: all; ``names=(...)``: only those)."""
        from costmark.reports import schedule

        return schedule.run_due(self, **kwargs)

    def report_runs(self, limit: int = 100) -> list[dict[str, Any]]:
        from costmark.reports import schedule

        return schedule.history(self.warehouse.con, limit)

    def evaluate_alerts(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Evaluate the alert rules; deliver and log new alerts (de-duplicated)."""
        from costmark.alerts import engine

        return engine.evaluate(self, **kwargs)

    def alert_log(self, limit: int = 200) -> list[dict[str, Any]]:
        from costmark.alerts import engine

        return engine.log(self.warehouse.con, limit)

    def data_version(self) -> str:
        """Changes whenever an ingest (or removal) commits, for live dashboards; a failed load
        changed no data, so it must not empty their caches."""
        row = self.warehouse.con.execute(
            "SELECT count(*), max(finished_at) FROM ingest_log "
            "WHERE finished_at IS NOT NULL AND status = 'ok'"
        ).fetchone()
        return f"{row[0]}:{row[1]}" if row else "0:None"


def _split_datasets(paths: Any) -> tuple[list[Path], list[Any]]:
    """Cost and Usage files apart from FOCUS 1.3/1.4 dataset files (Contract Commitment,
    Billing Period, Invoice Detail), each told by its columns, read once per file. A provider's
    native export is refused here with the command that loads it."""
    import duckdb

    from costmark.convert.detect import detect_native
    from costmark.focus.datasets import detect_dataset
    from costmark.focus.reader import sources

    costs: list[Path] = []
    datasets: list[Any] = []
    con = duckdb.connect()
    try:
        for src in sources(con, [paths] if isinstance(paths, str | Path) else list(paths)):
            native = detect_native([src.original.get(c, c) for c in src.columns])
            if native is not None:
                raise InputError(native.hint(str(src.path)))
            spec = detect_dataset(set(src.columns))
            if spec is None:
                costs.append(src.path)
            else:
                datasets.append((src, spec))
    finally:
        con.close()
    return costs, datasets


def validate_files(
    paths: Any, *, focus_version: str | None = None, workspace: str | Path | None = None
) -> Any:
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


def open_workspace(path: str | Path | None = None, *, read_only: bool = False) -> Workspace:
    """Open an existing workspace (the path, $COSTMARK_WORKSPACE, or the current folder)."""
    root = resolve_root(path)
    if not root.exists():
        raise WorkspaceError(f"workspace folder {root} does not exist")
    return Workspace(root, read_only=read_only)


def create_demo(
    path: str | Path | None = None,
    *,
    seed: int = 7,
    months: int = 13,
    rows: int | None = None,
    end: Any = None,
    force: bool = False,
    ingest: bool = True,
    progress: Any = None,
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
            ws,
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
