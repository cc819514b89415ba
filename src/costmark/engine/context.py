"""The context every service takes: root, validated project, warehouse, KPI engine, scope.

Services (tracking, benchmarking, maturity, reports, alerts, demo ...) take a ``Context`` and
never the ``costmark.api.Workspace`` facade, so the import graph points one way: front ends →
facade → services → engine → lower layers. The facade only composes contexts and services.

A context seen through a scope (``with_scope({"team": "payments"})``) shares the warehouse, the
project and the engine's backend cache with its parent; its engine adds the scope to every KPI
request, and its ``warehouse`` refuses (``ScopeUnsupported``): raw reads cannot be scoped, so
anything not asked of the engine fails closed. Reads that are restricted to the scope by their
caller (a group's own assessments, alerts about the scope's rows) use ``shared_warehouse``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from costmark.errors import NotFoundError, ScopeUnsupported, UsageError, did_you_mean
from costmark.store import Warehouse
from costmark.workspace import CONFIG_FILE, warehouse_path

if TYPE_CHECKING:
    from costmark.engine.kpiengine import BackendCache, KpiEngine
    from costmark.spec import Project

#: Engines a context can run KPIs on (``engine:`` in costmark.yaml, ``--engine``).
ENGINE_NAMES = ("duckdb", "spark")

EngineFactory = Callable[["Context", "BackendCache"], "KpiEngine"]


@dataclass
class _Shared:
    """What a context and its scoped or re-engined copies share: one warehouse connection,
    one loaded project, one backend cache (Spark exports are reused across scopes)."""

    root: Path
    read_only: bool
    project: Project | None = None
    warehouse: Warehouse | None = None
    backends: BackendCache | None = None
    #: Makes the KPI engine (tests pass a double that serves known numbers).
    engine_factory: EngineFactory | None = None


class Context:
    """An opened workspace as the services see it."""

    def __init__(
        self,
        root: Path,
        *,
        read_only: bool = False,
        engine: str | None = None,
        scope: Mapping[str, str] | None = None,
        as_of: dt.date | None = None,
        engine_factory: EngineFactory | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        self._shared = _shared or _Shared(root, read_only, engine_factory=engine_factory)
        if engine is not None and engine not in ENGINE_NAMES:
            raise UsageError(f"unknown engine {engine!r}" + did_you_mean(engine, ENGINE_NAMES))
        self._engine_name = engine
        self.scope: dict[str, str] = dict(scope or {})
        self.as_of = as_of
        self._engine: KpiEngine | None = None

    # -- what every service reads --------------------------------------------------------
    @property
    def root(self) -> Path:
        return self._shared.root

    @property
    def read_only(self) -> bool:
        return self._shared.read_only

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def project(self) -> Project:
        if self._shared.project is None:
            # imported here: pydantic models cost 0.2 s, which commands such as
            # `costmark validate` (no workspace) should not pay
            from costmark.spec import load_project

            self._shared.project = load_project(self.config_path)
        return self._shared.project

    def reload_project(self) -> Project:
        self._shared.project = None
        return self.project

    @property
    def shared_warehouse(self) -> Warehouse:
        """The warehouse, whatever the scope: only for reads the caller itself restricts to
        the scope (or that hold no per-scope rows)."""
        if self._shared.warehouse is None:
            self._shared.warehouse = Warehouse(
                warehouse_path(self.root), read_only=self._shared.read_only
            )
        return self._shared.warehouse

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse; a scoped context refuses (the one place unscopable work stops)."""
        if self.scope:
            raise ScopeUnsupported(
                "this is not available to a scoped token (it reads rows of every "
                f"{', '.join(self.scope)})"
            )
        return self.shared_warehouse

    @property
    def engine_name(self) -> str:
        """``--engine`` when given, else ``engine:`` in costmark.yaml, else DuckDB."""
        if self._engine_name is not None:
            return self._engine_name
        return self.project.engine.name

    @property
    def engine(self) -> KpiEngine:
        """The KPI engine: every number a service shows comes from it."""
        if self._engine is None:
            from costmark.engine.kpiengine import BackendCache, KpiEngine

            if self._shared.backends is None:
                self._shared.backends = BackendCache()
            make = self._shared.engine_factory or KpiEngine
            self._engine = make(self, self._shared.backends)
        return self._engine

    @property
    def group(self) -> str | None:
        """The maturity group ("team=payments") of a one-dimension scope, else None."""
        if len(self.scope) != 1:
            return None
        ((key, value),) = self.scope.items()
        return f"{key}={value}"

    # -- derived contexts ------------------------------------------------------------------
    def with_scope(self, scope: Mapping[str, str] | None) -> Context:
        """This context restricted to rows whose dimensions match ``scope`` (none: itself)."""
        if not scope:
            return self
        for key in scope:
            if key not in self.project.dimensions:
                raise NotFoundError(
                    f"scope dimension {key!r} is not declared in costmark.yaml"
                    + did_you_mean(key, self.project.dimensions)
                )
        return Context(self.root, engine=self._engine_name, scope={**self.scope, **scope},
                       as_of=self.as_of, _shared=self._shared)

    def with_engine(self, engine: str | None) -> Context:
        """This context running its KPIs on ``engine`` (None: itself)."""
        if engine is None or engine == self._engine_name:
            return self
        return Context(self.root, engine=engine, scope=self.scope, as_of=self.as_of,
                       _shared=self._shared)

    def data_version(self) -> str:
        """Changes whenever an ingest (or removal) commits; a failed load changed no data."""
        row = self.shared_warehouse.con.execute(
            "SELECT count(*), max(finished_at) FROM ingest_log "
            "WHERE finished_at IS NOT NULL AND status = 'ok'"
        ).fetchone()
        return f"{row[0]}:{row[1]}" if row else "0:None"

    def close(self) -> None:
        if self._shared.warehouse is not None:
            self._shared.warehouse.close()
            self._shared.warehouse = None
