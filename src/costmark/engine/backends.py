"""The backend seam: where Ibis expressions run.

The KPI compiler only ever asks a backend for a table by name, runs an expression to Arrow and
renders SQL for ``explain``. DuckDB (the workspace's own warehouse, through the very same
connection so a query inside an ingest transaction sees its uncommitted rows) is the default.
Spark (``engine="spark"``) runs the same expressions through Ibis's PySpark backend; the tables
it needs are exported by ``costmark.engine.spark``. New engines register in ``ENGINES``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa

from costmark.engine import memo
from costmark.engine.sqlcache import SqlCache, project_stamp

if TYPE_CHECKING:
    from costmark.engine.context import Context
    from costmark.engine.rollups import RollupState


class Backend:
    """One place to run KPI expressions. Subclasses set ``name`` and ``dialect``."""

    name = "abstract"
    dialect = "duckdb"
    #: Whether daily rollup tables may be read (they live in the DuckDB warehouse).
    supports_rollups = True

    def __init__(self, con: Any) -> None:
        self.con = con

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def has_table(self, name: str) -> bool:
        return name in set(self.con.list_tables())

    def execute(self, expr: ir.Table) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def to_sql(self, expr: ir.Expr) -> str:
        return str(ibis.to_sql(expr, dialect=self.dialect))

    def prepare(self, tables: Iterable[str]) -> None:
        """Make warehouse tables visible to this engine (no-op where they already are)."""
        return None

    def run_cached(self, key: Hashable, project: object, build: Callable[[], ir.Table], *,
                   table: str | None = None) -> pa.Table:
        """Run the expression ``build()`` makes; engines that can reuse its compiled form for
        the same ``key`` (and ``project`` object, and ``table``'s columns) do."""
        return self.execute(build())

    def rollup_state(self) -> RollupState:
        """The warehouse rollups' state (they live in DuckDB whatever the engine)."""
        from costmark.engine import rollups

        return rollups.state(self.warehouse_con())

    def warehouse_con(self) -> Any:
        raise NotImplementedError


class DuckDbBackend(Backend):
    """The workspace's own DuckDB connection, so queries see the caller's open transaction."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, ctx: Context) -> None:
        self.raw = ctx.shared_warehouse.con
        super().__init__(ibis.duckdb.from_connection(self.raw))
        self._tables: dict[str, tuple[Any, ir.Table]] = {}
        self._sql: dict[Any, str] = {}
        self._compiled: dict[Hashable, tuple[object, str]] = {}
        self._meta_exists = False
        self._disk = SqlCache(ctx.root)
        self._project_digest: tuple[object, str] | None = None

    def warehouse_con(self) -> Any:
        return self.raw

    def rollup_state(self) -> RollupState:
        """One query; whether the meta table exists is remembered once it does (rollups
        create it and never drop it), because asking DuckDB's catalog costs as much again."""
        from costmark.engine import rollups

        self._settle()
        if not self._meta_exists:
            self._meta_exists = _duck_has(self.raw, rollups.META_TABLE)
        try:  # read once per report (``memo.one_pass``): its data does not change under it
            return memo.remember((self.raw,), "rollup state", lambda: rollups.state(
                self.raw, meta_exists=self._meta_exists))
        except duckdb.CatalogException:  # gone with a rolled-back first refresh
            self._meta_exists = False
            return rollups.state(self.raw)

    def run_cached(self, key: Hashable, project: object, build: Callable[[], ir.Table], *,
                   table: str | None = None) -> pa.Table:
        """Compile once per key: building and compiling an Ibis expression takes longer than
        DuckDB needs to answer from a rollup. Compiled SQL is also kept on disk
        (``engine.sqlcache``): a new process (``costmark report``) reads it back."""
        self._settle()
        if table is not None:
            key = (key, tuple(self._signature(table)))
        hit = self._compiled.get(key)
        if hit is not None and hit[0] is project:
            sql = hit[1]
        else:
            digest = self._digest(project)
            sql = self._disk.get(key, digest) or ""
            if not sql:  # compiled by no earlier process of this code and project
                sql = self.to_sql(build())
                self._disk.put(key, digest, sql)
            if len(self._compiled) > 256:
                self._compiled.clear()
            self._compiled[key] = (project, sql)
        return self.raw.sql(sql).to_arrow_table()

    def _digest(self, project: object) -> str:
        """The project's digest for the on-disk SQL (computed once per loaded project)."""
        if self._project_digest is None or self._project_digest[0] is not project:
            self._project_digest = (project, project_stamp(project))
        return self._project_digest[1]

    def _signature(self, name: str) -> list[tuple[str, str]]:
        return self.raw.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
            [name],
        ).fetchall()

    def _settle(self) -> None:
        # DuckDB 2 refuses new work while an earlier execute() result is unread (e.g. after a
        # fetchone() elsewhere on this shared connection); finish it first.
        complete = getattr(self.raw, "complete", None)
        if complete is not None:
            complete()

    def table(self, name: str) -> ir.Table:
        """The Ibis table, reused while the table's columns are unchanged: building it parses
        every column type (tens of ms for the 100-column cost table), more than a rollup query
        takes."""
        self._settle()
        signature = self._signature(name)
        hit = self._tables.get(name)
        if hit is None or hit[0] != signature:
            hit = (signature, self.con.table(name))
            self._tables[name] = hit
        return hit[1]

    def execute(self, expr: ir.Table) -> pa.Table:
        """Run ``expr``; its SQL is compiled once per distinct expression and reused."""
        self._settle()
        op = expr.op()
        sql = self._sql.get(op)
        if sql is None:
            sql = self.to_sql(expr)
            if len(self._sql) > 256:
                self._sql.clear()
            self._sql[op] = sql
        return self.raw.sql(sql).to_arrow_table()

    def has_table(self, name: str) -> bool:
        self._settle()
        return _duck_has(self.raw, name)


class SparkBackend(Backend):
    """Ibis's PySpark backend; warehouse tables are exported to Parquet and registered."""

    name = "spark"
    dialect = "pyspark"
    #: The daily rollup is exported like any table; freshness is checked in DuckDB first.
    supports_rollups = True

    def __init__(self, ctx: Context) -> None:
        from costmark.engine import spark

        spark.check_available()
        self._ws = ctx
        self._spark = spark
        cfg = ctx.project.engine.spark
        self._settings = spark.SparkSettings.resolve(cfg.master, cfg.staging, cfg.options)
        super().__init__(spark.connect(self._settings))
        self._folder = spark.staging_dir(ctx.root, self._settings)
        self._cleanup = spark.owns_staging(self._settings)
        self._exposed: dict[str, ir.Table] = {}
        self._stamp: tuple[int, str] | None = None

    def warehouse_con(self) -> Any:
        return self._ws.shared_warehouse.con

    def prepare(self, tables: Iterable[str]) -> None:
        # Re-export after an ingest (data_version), a rollup refresh, or a restarted session
        # (views are gone).
        version = self._ws.data_version() + "|" + _rollup_version(self._ws.shared_warehouse.con)
        stamp = (self._spark.generation(), version)
        if stamp != self._stamp:
            self.con = self._spark.connect(self._settings)
            self._exposed.clear()
            self._stamp = (self._spark.generation(), stamp[1])
        raw = self._ws.shared_warehouse.con
        wanted = [t for t in tables if t not in self._exposed and _duck_has(raw, t)]
        if wanted:
            self._exposed.update(self._spark.expose_tables(raw, self.con, wanted, self._folder,
                                                           cleanup=self._cleanup))

    def has_table(self, name: str) -> bool:
        return _duck_has(self._ws.shared_warehouse.con, name)

    def table(self, name: str) -> ir.Table:
        # Views are named per export (costs_<fingerprint>), so another workspace's never leaks.
        self.prepare([name])
        if name not in self._exposed:
            return self.con.table(name)  # not a warehouse table: let Spark say it is missing
        return self._exposed[name]

    def execute(self, expr: ir.Table) -> pa.Table:
        # Spark divides decimals at 6 decimals; for_spark makes divisions double, as in DuckDB.
        return self.con.to_pyarrow(self._spark.for_spark(expr))

    def to_sql(self, expr: ir.Expr) -> str:
        return str(ibis.to_sql(self._spark.for_spark(expr), dialect=self.dialect))


def _rollup_version(con: Any) -> str:
    from costmark.engine.rollups import META_TABLE

    if not _duck_has(con, META_TABLE):
        return ""
    return repr(con.execute(f"SELECT key, value FROM {META_TABLE} ORDER BY key").fetchall())


def _duck_has(con: Any, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [name],
    ).fetchall()[0]
    return bool(row and row[0])


#: Backend factories by engine name; ``KpiEngine.backend`` makes and caches them.
ENGINES: dict[str, Callable[[Context], Backend]] = {
    "duckdb": DuckDbBackend,
    "spark": SparkBackend,
}
