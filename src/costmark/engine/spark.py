"""Spark engine: run the same Ibis KPI expressions on Apache Spark (``--engine spark``).

Why this shape:

* The workspace keeps its data in DuckDB. Spark cannot read a DuckDB file, so the tables a query
  needs are exported with DuckDB's own ``COPY ... TO (FORMAT parquet)`` (fast, exact: DECIMAL
  stays DECIMAL(38,18), TIMESTAMP stays a naive timestamp) into a staging folder, by default
  ``<workspace>/.costmark/spark/``, and registered as Spark temp views. Each export is named by a
  fingerprint of the table's content, so unchanged tables are reused and a changed table gets a
  new file (Spark caches file listings, so overwriting a path in place would read stale data).
* One SparkSession per process (Spark allows only one SparkContext anyway); starting it costs
  4-8 s on a 2-core machine, so it is created lazily and reused.
* ANSI mode stays on (Spark 4's default): a DECIMAL(38,18) sum that overflows raises an error
  instead of silently becoming NULL, the same behaviour DuckDB has.
* Spark's Python workers must run the same interpreter as the driver, hence ``PYSPARK_PYTHON``.

Known Spark differences the KPI engine must respect (measured with Ibis 12 / PySpark 4.0):
decimal x decimal and decimal / decimal lose scale in Spark SQL (results are DECIMAL(38,6)), so
ratios are computed in float64 (Ibis already casts decimal division to double); and JSON access to
``Tags`` is not portable (DuckDB returns a quoted JSON string, Spark the bare value), so
dimensions read the ``tag_<key>`` columns materialised at ingest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmark.errors import BackendUnavailable, UsageError

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

#: The exact line users need when the extra is missing.
INSTALL_HINT = "pip install 'costmark[spark]'"
ENV_MASTER = "COSTMARK_SPARK_MASTER"
ENV_STAGING = "COSTMARK_SPARK_STAGING"
ENV_JAVA_OPTIONS = "COSTMARK_SPARK_JAVA_OPTIONS"
#: Local mode on a small machine: KPI queries are many short jobs, where the JVM's optimising
#: JIT compiler (C2) and parallel GC threads cost more CPU than they save. Measured on 2 cores:
#: startup and per-query time roughly halve. Set $COSTMARK_SPARK_JAVA_OPTIONS (even to "") for
#: long, heavy local runs.
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
DEFAULT_MASTER = "local[2]"
#: Ibis 12's PySpark backend supports PySpark < 4.1.
MAX_PYSPARK = (4, 1)
STAGING_SUBDIR = "spark"

_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.tasks.name = org.apache.spark.scheduler.TaskSetManager
logger.tasks.level = off
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = off
# Spark prints "Setting default log level" unless the shell logger matches the root level.
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
"""


@dataclass(frozen=True)
class SparkSettings:
    """How to start Spark. ``master`` is ``local[N]`` or a cluster URL (``spark://host:7077``,
    ``yarn``, ``k8s://...``); ``staging`` must be a folder every executor can read when the master
    is not local (a shared mount), since exported Parquet files are read by the executors."""

    master: str = DEFAULT_MASTER
    app_name: str = "costmark"
    shuffle_partitions: int = 4
    driver_memory: str = "2g"
    staging: Path | None = None
    #: Extra driver JVM options; None: QUICK_JVM in local mode, nothing for a cluster.
    java_options: str | None = None
    #: Extra Spark configuration (costmark.yaml ``engine.spark.options``), applied last.
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def resolve(cls, master: str | None = None, staging: str | Path | None = None,
                options: Mapping[str, str] | None = None) -> SparkSettings:
        """Explicit arguments (costmark.yaml ``engine.spark``) win, then
        $COSTMARK_SPARK_MASTER / $COSTMARK_SPARK_STAGING (and $COSTMARK_SPARK_JAVA_OPTIONS)."""
        chosen = master or os.environ.get(ENV_MASTER) or DEFAULT_MASTER
        stage = staging or os.environ.get(ENV_STAGING) or None
        return cls(master=chosen.strip(), staging=Path(stage) if stage else None,
                   java_options=os.environ.get(ENV_JAVA_OPTIONS),
                   options=tuple(sorted((options or {}).items())))

    @property
    def driver_java_options(self) -> str:
        if self.java_options is not None:
            return self.java_options.strip()
        return QUICK_JVM if self.is_local else ""

    @property
    def is_local(self) -> bool:
        return self.master.startswith("local")


# -- availability ------------------------------------------------------------------------------


def java_version() -> str | None:
    """The `java -version` banner's first line, or None when no Java runtime is found."""
    java_home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(java_home) / "bin" / "java")] if java_home else []
    found = shutil.which("java")
    if found:
        candidates.append(found)
    for exe in candidates:
        try:
            out = subprocess.run(
                [exe, "-version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0:
            lines = (out.stderr or out.stdout).strip().splitlines()
            return lines[0] if lines else "java"
    return None


def check_available() -> None:
    """Raise BackendUnavailable (with the fix) unless PySpark, Ibis's backend and Java are here."""
    try:
        import pyspark
    except ImportError as exc:
        raise BackendUnavailable(
            f"the Spark engine needs the 'spark' extra: {INSTALL_HINT}"
        ) from exc
    version = tuple(int(p) for p in pyspark.__version__.split(".")[:2] if p.isdigit())
    if version >= MAX_PYSPARK:
        raise BackendUnavailable(
            f"PySpark {pyspark.__version__} is too new for Ibis's Spark backend (needs < "
            f"{'.'.join(map(str, MAX_PYSPARK))}): {INSTALL_HINT} (installs a supported PySpark)"
        )
    try:
        import ibis.backends.pyspark  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailable(
            f"Ibis's PySpark backend cannot be imported ({exc}): {INSTALL_HINT}"
        ) from exc
    if java_version() is None:
        raise BackendUnavailable(
            "the Spark engine needs a Java runtime (17 or 21) and none was found: install one "
            "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )


# -- the session -------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict[str, Any] = {}
#: Bumped whenever a session starts, so holders of views can tell theirs are gone.
_generation = [0]


def _quiet_python_loggers() -> None:
    """PySpark logs every SQL error as a JSON blob before raising it; we raise our own error."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _log4j_file() -> Path:
    import tempfile

    path = Path(tempfile.gettempdir()) / "costmark-spark-log4j2.properties"
    if not path.exists() or path.read_text("utf-8") != _LOG4J:
        path.write_text(_LOG4J, "utf-8")
    return path


def session(settings: SparkSettings | None = None) -> Any:
    """The process's SparkSession, started on first use with costmark's settings.

    Asking for a different master than the running session's stops it and starts a new one.
    """
    settings = settings or SparkSettings.resolve()
    with _lock:
        current = _state.get("session")
        if current is not None and _state.get("master") == settings.master:
            return current
        check_available()
        if current is not None:
            current.stop()
            _state.clear()
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
        from pyspark.sql import SparkSession

        _quiet_python_loggers()
        driver_opts = f"-Dlog4j.configurationFile={_log4j_file()} {settings.driver_java_options}"
        builder = (
            SparkSession.builder.master(settings.master)
            .appName(settings.app_name)
            .config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "true")
            .config("spark.driver.memory", settings.driver_memory)
            .config("spark.driver.extraJavaOptions", driver_opts.strip())
            .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.log.structuredLogging.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        if settings.is_local:
            builder = builder.config("spark.ui.enabled", "false")
        for key, value in settings.options:
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM failed to start or could not reach the master
            raise BackendUnavailable(
                f"could not start Spark with master {settings.master!r}: {exc}"
            ) from exc
        spark.sparkContext.setLogLevel("ERROR")
        _state.update(session=spark, master=settings.master)
        _generation[0] += 1
        return spark


def connect(settings: SparkSettings | None = None) -> BaseBackend:
    """An Ibis backend on the process's SparkSession."""
    import ibis

    spark = session(settings)
    with _lock:
        backend = _state.get("backend")
        if backend is None:
            backend = ibis.pyspark.connect(spark)
            _state["backend"] = backend
        return backend


def stop() -> None:
    """Stop the SparkSession (tests and long-lived processes that are done with Spark)."""
    with _lock:
        current = _state.get("session")
        if current is not None:
            current.stop()
        _state.clear()


def is_running() -> bool:
    return "session" in _state


def generation() -> int:
    """How many sessions this process has started (views die with their session)."""
    return _generation[0]


# -- exposing warehouse tables -------------------------------------------------------------------


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A digest of the table's schema and content (order-insensitive row hashes).

    Hashing every row costs well under a second per 10 M rows in DuckDB, far less than
    re-exporting, and it catches any change (a restated bill, a new mapping) without having to
    trust timestamps.
    """
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    if not cols:
        raise UsageError(f"the warehouse has no table {table!r} to hand to Spark")
    row = con.execute(f'SELECT count(*), sum(hash(t)) FROM "{table}" AS t').fetchone()
    digest = hashlib.sha256(json.dumps([cols, [str(v) for v in row or ()]]).encode())
    return digest.hexdigest()[:16]


def staging_dir(workspace_root: Path, settings: SparkSettings | None = None) -> Path:
    settings = settings or SparkSettings.resolve()
    if settings.staging is not None:
        return settings.staging
    return workspace_root / ".costmark" / STAGING_SUBDIR


def owns_staging(settings: SparkSettings | None = None) -> bool:
    """True when exports go to the workspace's own folder (so old ones may be deleted); a shared
    staging folder ($COSTMARK_SPARK_STAGING) may hold other workspaces' live exports."""
    return (settings or SparkSettings.resolve()).staging is None


def export_table(
    con: duckdb.DuckDBPyConnection, table: str, folder: Path, *, cleanup: bool = True
) -> Path:
    """Write ``table`` to ``folder/<table>-<fingerprint>.parquet`` unless it is already there;
    with ``cleanup``, remove older exports of the same table. Returns the Parquet path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{table}-{table_fingerprint(con, table)}.parquet"
    if not target.exists():
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        con.execute(
            f"COPY (SELECT * FROM \"{table}\") TO '{_sql_path(partial)}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        partial.replace(target)  # atomic: a crash never leaves a half file under the real name
    if not cleanup:
        return target
    for old in folder.glob(f"{table}-*.parquet"):
        if old != target and old.name.startswith(f"{table}-") and _is_export_of(old, table):
            old.unlink(missing_ok=True)
    return target


def _is_export_of(path: Path, table: str) -> bool:
    suffix = path.name[len(table) + 1 : -len(".parquet")]
    return len(suffix) == 16 and all(c in "0123456789abcdef" for c in suffix)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def expose_tables(
    con: duckdb.DuckDBPyConnection,
    backend: BaseBackend,
    tables: Iterable[str],
    folder: Path,
    *,
    cleanup: bool = True,
) -> dict[str, ir.Table]:
    """Make warehouse ``tables`` queryable by ``backend`` (Spark); returns Ibis tables by name.

    Each export is a view named after its file (``costs_<fingerprint>``), not after the table:
    two workspaces open in one process (or one workspace before and after an ingest) then never
    read each other's ``costs``. A view already registered for the same file is reused.
    """
    registered: dict[str, tuple[str, int]] = _state.setdefault("registered", {})
    out: dict[str, ir.Table] = {}
    for name in dict.fromkeys(tables):
        path = export_table(con, name, folder, cleanup=cleanup)
        view = view_name(path)
        stamp = (str(path), path.stat().st_mtime_ns)  # a re-written file is re-read
        if registered.get(view) != stamp:
            backend.read_parquet(path, table_name=view)
            registered[view] = stamp
        out[name] = backend.table(view)
    return out


def view_name(export: Path) -> str:
    """The Spark view for an export file: ``costs-1a2b....parquet`` -> ``costs_1a2b...``."""
    return export.stem.replace("-", "_")


# -- expression rewrites -------------------------------------------------------------------------


def _exact_division(node: Any, kwargs: dict[str, Any] | None) -> Any:
    import ibis.expr.datatypes as dt
    import ibis.expr.operations as ops

    new = node.__recreate__(kwargs) if kwargs else node
    if isinstance(new, ops.Divide) and (
        new.left.dtype.is_decimal() or new.right.dtype.is_decimal()
    ):
        return ops.Divide(ops.Cast(new.left, dt.float64), ops.Cast(new.right, dt.float64))
    return new


def for_spark(expr: ir.Expr) -> ir.Expr:
    """Rewrite an Ibis expression so Spark computes what DuckDB computes.

    Spark SQL divides DECIMAL(38,18) by DECIMAL(38,18) as DECIMAL(38,6): a ratio like 0.5617283945
    comes back as 0.561728, a relative error near 1e-6. DuckDB divides decimals in double precision
    (and Ibis types the result float64), so decimal operands of every division are cast to float64
    first; the sums feeding them stay exact decimals.
    """
    return expr.op().replace(_exact_division).to_expr()
