"""Load FOCUS files into the canonical ``costs`` table: idempotent, atomic, nothing lost.

How a load works (all of it is SQL run by DuckDB; no file is pulled into Python):

1. Each file is opened as a relation (CSV: a temporary all-text table; Parquet: a view, so the
   typed columns flow straight into the insert with no text round-trip).
2. Every canonical column gets one SQL expression: the file's column (or its FOCUS 0.5 name,
   or for 1.3 ``ServiceProviderName`` for ``ProviderName``), parsed to DECIMAL(38,18) money or
   UTC TIMESTAMP. Columns a version lacks become NULL.
3. One boolean predicate marks rows that *cannot* be loaded: a money or date value that does not
   parse, or a missing slice key / ChargePeriodStart / BillingCurrency. Everything else loads,
   including rows that break softer FOCUS rules (e.g. the null ContractedCost on Oracle rows of
   the FOCUS 1.0 sample): dropping a row loses real cost, which is worse than a null column, and
   ``costmark validate`` reports those rows anyway.
4. In ONE transaction: delete every (ProviderName, BillingAccountId, BillingPeriodStart) slice
   the load contains, insert the good rows, put the bad ones in ``quarantine`` with their reasons
   and raw record, and write the ingest log. Loading the same file twice therefore gives the
   same table; a restated bill replaces its slice; a killed process leaves the warehouse as it
   was (DuckDB discards the uncommitted transaction).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from costmark import money
from costmark.errors import InputError, Located, ValidationFailed
from costmark.focus.columns import ColumnSpec, ColumnType
from costmark.focus.frame import Frame, open_frame, prepare_connection
from costmark.focus.limits import DateBounds
from costmark.focus.reader import (
    FILE_COLUMN,
    ROW_COLUMN,
    close_relation,
    open_parquet_group,
    qident,
    qstr,
    sources,
)
from costmark.focus.schema import (
    COST_TABLE,
    SLICE_COLUMNS,
    canonical_columns,
    tag_column,
)
from costmark.focus.typed import bad_value_sql, refuse_untyped
from costmark.focus.validate import check_frame
from costmark.focus.values import ALLOWED_VALUES
from costmark.ingest import corrections
from costmark.ingest.tags import (
    ensure_tag_columns,
    json_member_path,
    tag_groups,
    tag_value_sql,
)
from costmark.store import Warehouse

MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")

#: Columns a row cannot be loaded without: the slice key, when it happened, and its currency.
HARD_KEYS = (*SLICE_COLUMNS, "ChargePeriodStart", "BillingCurrency")


def dec_text(value: Decimal | None) -> str:
    """Exact decimal as plain text without trailing zeros ('14.976514', '0', '-3.5')."""
    if value is None:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class FileResult:
    file: str
    ingest_id: str
    focus_version: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    sha256: str | None = None
    billing_periods: list[str] = field(default_factory=list)
    totals: dict[str, dict[str, str]] = field(default_factory=dict)
    #: rows that do not fit the declared delivery style (costmark.ingest.corrections)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "file": self.file,
            "ingest_id": self.ingest_id,
            "focus_version": self.focus_version,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "billing_periods": self.billing_periods,
            "totals": self.totals,
        }


@dataclass
class IngestSummary:
    """What a load did. Always ``rows_read == rows_loaded + rows_quarantined``."""

    files: list[FileResult] = field(default_factory=list)
    rows_replaced: int = 0
    billing_periods: list[str] = field(default_factory=list)
    totals: dict[str, dict[str, str]] = field(default_factory=dict)
    delivery: str = "replace"
    #: corrected slices recorded in ``corrections`` by this load
    corrections: int = 0
    #: wall seconds per phase of the load (checks, count, insert, rollup, commit, ...), for
    #: ``make bench`` and for anyone asking where an ingest spends its time
    phases: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_replaced": self.rows_replaced,
            "delivery": self.delivery,
            "corrections": self.corrections,
            "billing_periods": self.billing_periods,
            "totals": self.totals,
        }


# -- per-file SQL plan ------------------------------------------------------------------------
def _source_column(f: Frame, name: str) -> str | None:
    if name == "ProviderName":
        return f.resolve("ProviderName") or f.resolve("ServiceProviderName")
    if name == "ServiceProviderName":
        return f.resolve("ServiceProviderName") or f.resolve("ProviderName")
    return f.resolve(name)


def _text_expr(f: Frame, col: str) -> str:
    text = f.text(col)
    return text if f.source.kind == "csv" else f"NULLIF({text}, 'NULL')"


def _tags_json_expr(f: Frame, col: str) -> str:
    """Tags as a JSON object, or null: the common export bug of a missing outer ``{}`` is
    repaired; anything else unparseable (or JSON that is not an object) gives null here, and
    the ``Tags`` column keeps the text as it came (nothing is lost; tag columns stay null).

    One JSON parse per value: for valid JSON, "is an object" is "starts with {"."""
    t = _text_expr(f, col)
    braced = f"'{{' || {t} || '}}'"
    return (
        f"CASE WHEN {t} IS NULL THEN NULL "
        f"WHEN json_valid({t}) THEN CASE WHEN starts_with(ltrim({t}), '{{') THEN {t} END "
        f"WHEN json_valid({braced}) THEN {braced} END"
    )


def _canonical_case(text: str, allowed: tuple[str, ...]) -> str:
    """Allowed values in the spec's spelling ('Usage-based' -> 'Usage-Based'), so KPIs that
    filter on them see one value; anything else is kept as it was (validate reports it)."""
    cases = " ".join(f"WHEN {qstr(v.lower())} THEN {qstr(v)}" for v in allowed)
    return f"CASE lower({text}) {cases} ELSE {text} END"


@dataclass
class Plan:
    frame: Frame
    ingest_id: str
    exprs: dict[str, str]
    hard: list[tuple[str, str, str]]  # (rule, column, predicate true on bad rows)
    #: Tags as a JSON object (repaired) or null; the stored Tags keeps unrepairable text
    tags_json: str | None = None
    #: lineage of each row as SQL: constants for one file, per-row for a group of files
    ingest_id_sql: str = ""
    file_sql: str = ""
    #: a relation over several files opened for the load alone (closed after the insert)
    grouped: bool = False
    #: the count scan found no unloadable row, so the insert need not test each row again
    clean: bool = False

    def __post_init__(self) -> None:
        self.ingest_id_sql = self.ingest_id_sql or qstr(self.ingest_id)
        self.file_sql = self.file_sql or qstr(self.frame.file)

    @property
    def bad(self) -> str:
        if not self.hard:
            return "false"
        return "(" + " OR ".join(f"coalesce({p}, true)" for _, _, p in self.hard) + ")"

    def reasons_sql(self) -> str:
        parts = []
        for rule, column, pred in self.hard:
            message = json.dumps({"rule": rule, "column": column})
            parts.append(f"CASE WHEN coalesce({pred}, true) THEN {qstr(message)} END")
        return "'[' || concat_ws(', ', " + ", ".join(parts) + ") || ']'"

    def record_sql(self) -> str:
        f = self.frame
        pairs = ", ".join(f"{qstr(f.source.original.get(c, c))}, {f.text(c)}" for c in f.columns)
        return f"CAST(json_object({pairs}) AS VARCHAR)" if pairs else "'{}'"


def plan_file(f: Frame, ingest_id: str) -> Plan:
    """Build the canonical SELECT expressions and the hard checks for one opened file."""
    missing = [
        k for k in (*HARD_KEYS, "BilledCost", "EffectiveCost") if _source_column(f, k) is None
    ]
    if missing:
        raise InputError(
            f"{f.file}: cannot be loaded as FOCUS: missing column(s) {', '.join(missing)} "
            "(run 'costmark validate' for the full list)",
            [Located(f"missing column {m}", file=f.file, column=m) for m in missing],
        )
    exprs: dict[str, str] = {}
    hard: list[tuple[str, str, str]] = []
    tags_json: str | None = None
    for spec in canonical_columns():
        src = _source_column(f, spec.name)
        if src is None:
            exprs[spec.name] = "NULL"
            continue
        if spec.type is ColumnType.DECIMAL:
            exprs[spec.name] = f.decimal(src)
        elif spec.type is ColumnType.DATETIME:
            exprs[spec.name] = f.timestamp(src)
        elif spec.name == "Tags":
            exprs[spec.name] = _text_expr(f, src)
            tags_json = _tags_json_expr(f, src)
        elif spec.name in ALLOWED_VALUES:
            exprs[spec.name] = _canonical_case(_text_expr(f, src), ALLOWED_VALUES[spec.name])
        else:
            exprs[spec.name] = _text_expr(f, src)
        fails = f.parse_fails(src, spec) if spec.type is not ColumnType.JSON else None
        if fails:
            hard.append(("unparseable", src, fails))
        hard += _implausible(f, spec, src, exprs[spec.name])
    if f.has("ProviderName") and f.has("ServiceProviderName"):
        # 1.3 deprecates ProviderName for ServiceProviderName: either fills the other.
        a, b = _text_expr(f, "ProviderName"), _text_expr(f, "ServiceProviderName")
        exprs["ProviderName"] = f"coalesce({a}, {b})"
        exprs["ServiceProviderName"] = f"coalesce({b}, {a})"
    for key in HARD_KEYS:
        hard.append(("missing_key", key, f"({exprs[key]}) IS NULL"))
    return Plan(f, ingest_id, exprs, hard, tags_json)


def _implausible(f: Frame, spec: ColumnSpec, src: str, parsed: str) -> list[tuple[str, str, str]]:
    """Quarantine reasons for values that parse but would poison the workspace (the same
    bounds as the validator's ``date_range`` and ``amount_range`` rules, focus/limits.py)."""
    if spec.type is ColumnType.DATETIME:
        return [("date_range", src, f"coalesce({f.dates.outside_sql(parsed)}, false)")]
    if spec.type is ColumnType.DECIMAL:
        return [("amount_range", src, f"coalesce({f.too_large(src)}, false)")]
    return []


# -- the load -------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _progress(enabled: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not enabled,
    )


def ingest_focus_files(
    wh: Warehouse,
    paths: Sequence[str | Path] | str | Path,
    *,
    tag_keys: Sequence[str] = (),
    strict: bool = False,
    focus_version: str | None = None,
    progress: bool = True,
    on_loaded: Callable[[set[tuple[Any, Any, Any]]], object] | None = None,
    dates: DateBounds | None = None,
    delivery: str = "replace",
) -> IngestSummary:
    """Load FOCUS files into ``costs`` in one transaction (see the module docstring).
    ``on_loaded(slices)`` runs inside that transaction once the rows are in (the KPI engine
    refreshes its daily rollup for the replaced slices there). ``delivery``: "replace" (a
    full delivery of each slice), or "delta" / "ledger" (corrections added to what is stored;
    costmark.ingest.corrections)."""
    if delivery not in corrections.DELIVERIES:
        raise InputError(f"unknown delivery {delivery!r}: one of "
                         + ", ".join(corrections.DELIVERIES))
    if isinstance(paths, str | Path):
        paths = [paths]
    con = wh.con
    prepare_connection(con)
    ensure_tag_columns(wh, tag_keys)
    srcs = sources(con, paths, focus_version)
    load_id = uuid.uuid4().hex[:12]
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    pool = ThreadPoolExecutor(max_workers=1)
    digests: list[Future[str]] = [pool.submit(_sha256, s.path) for s in srcs]
    plans: list[Plan] = []
    summary = IngestSummary(delivery=delivery)
    try:
        with _progress(progress) as bar:
            task = bar.add_task("reading", total=len(srcs) * 2)
            slices: set[tuple[Any, Any, Any]] = set()
            for i, src in enumerate(srcs, start=1):
                bar.update(task, description=f"checking {src.path.name}")
                with summary.phase("typed checks"):
                    frame = open_frame(con, src)
                    frame.dates = dates or frame.dates
                    try:
                        refuse_untyped(frame, values=False)  # the values: in the count scan
                    except InputError:
                        close_relation(con, frame.relation)
                        raise
                plan = plan_file(frame, f"{load_id}-{i}")
                plans.append(plan)
                result = FileResult(src.name, plan.ingest_id, src.version)
                with summary.phase("count"):
                    unreadable = _count(plan, result, slices)
                plan.clean = result.rows_quarantined == 0
                if unreadable:
                    refuse_untyped(frame)  # names each column, its row count and first row
                if strict:
                    with summary.phase("strict validation"):
                        _refuse_if_invalid(plan, result)
                summary.files.append(result)
                bar.advance(task)
            inner = dict(summary.phases)
            committed = time.perf_counter()
            with wh.transaction():
                with summary.phase("delete slices"):
                    if delivery == "replace":
                        corrections.snapshot(con, slices)
                        summary.rows_replaced = _delete_slices(con, slices)
                    else:  # a correction adds to the slice; re-loading it replaces its own rows
                        summary.rows_replaced = _delete_files(con, [s.name for s in srcs])
                    con.execute(
                        "DELETE FROM quarantine WHERE source_file IN ("
                        + ", ".join(qstr(s.name) for s in srcs)
                        + ")"
                    )
                bar.update(task, description=f"loading {len(plans)} file(s)")
                _insert(con, wh, plans, summary, tag_keys)
                bar.advance(task, len(plans))
                with summary.phase("totals"):
                    _totals(con, summary)
                with summary.phase("corrections"):
                    _corrections(con, summary, delivery)
                with summary.phase("hash and log"):
                    for i, (result, digest) in enumerate(
                        zip(summary.files, digests, strict=True)
                    ):
                        result.sha256 = digest.result()
                        # rows replaced belong to the load, so they are logged on its first file
                        replaced = summary.rows_replaced if i == 0 else 0
                        _log(con, result, started, "ok", None, replaced)
                if on_loaded is not None:
                    with summary.phase("rollup refresh"):
                        on_loaded(slices)
            # the commit (and any checkpoint DuckDB runs with it): the transaction's time
            # less the phases inside it
            inside = sum(v - inner.get(k, 0.0) for k, v in summary.phases.items())
            summary.phases["commit"] = time.perf_counter() - committed - inside
    except duckdb.OutOfRangeException as exc:
        # every value fits DECIMAL(38,18), their sum (a total, a rollup cell) does not
        raise InputError(
            f"{', '.join(s.name for s in srcs)}: a money sum exceeds DECIMAL(38,18) (10^20); "
            f"nothing was loaded ({str(exc).splitlines()[0]})"
        ) from None
    except BaseException as exc:
        if plans and summary.files and not isinstance(exc, InputError | KeyboardInterrupt):
            _log_failure(con, summary.files, started, exc)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for plan in plans:
            close_relation(con, plan.frame.relation)
    periods = sorted({p for r in summary.files for p in r.billing_periods})
    summary.billing_periods = periods
    return summary


def _count(plan: Plan, result: FileResult, slices: set[tuple[Any, Any, Any]]) -> bool:
    """One scan over the key columns: rows read, rows bad, and the slices the good rows touch.
    True when a typed column holds a value FOCUS cannot represent (NaN, infinity, 10^20 or
    more: :func:`costmark.focus.typed.bad_value_sql`), which refuses the file."""
    e = plan.exprs
    # keys of bad rows are not fetched: they may be dates Python cannot hold (year -1, 10000)
    keys = ", ".join(
        f"CASE WHEN NOT __bad THEN {e[k]} END AS {qident(k)}" for k in SLICE_COLUMNS
    )
    unreadable = bad_value_sql(plan.frame) or "false"
    rows = plan.frame.con.execute(
        f"SELECT __bad, {keys}, count(*), count_if(__unreadable) FROM (SELECT {plan.bad} AS "
        f"__bad, {unreadable} AS __unreadable, * FROM {plan.frame.relation}) GROUP BY ALL"
    ).fetchall()
    periods: set[str] = set()
    for bad, provider, account, period, n, _ in rows:
        result.rows_read += n
        if bad:
            result.rows_quarantined += n
        else:
            result.rows_loaded += n
            slices.add((provider, account, period))
            periods.add(period.date().isoformat())
    result.billing_periods = sorted(periods)
    return any(r[-1] for r in rows)


def _refuse_if_invalid(plan: Plan, result: FileResult) -> None:
    """--strict: any validation error or unloadable row refuses the whole load."""
    _total, issues = check_frame(plan.frame)
    errors = [i for i in issues if i.severity == "error"]
    if errors or result.rows_quarantined:
        problems = [
            Located(
                f"[{i.rule}] {i.message} ({i.rows} rows; e.g. rows "
                f"{', '.join(map(str, i.examples))})"
                if i.rows
                else f"[{i.rule}] {i.message}",
                file=i.file,
                row=i.examples[0] if i.examples else None,
                column=i.column or None,
            )
            for i in errors
        ]
        raise ValidationFailed(
            f"{result.file}: --strict refused the file: {len(errors)} validation error(s), "
            f"{result.rows_quarantined} unloadable row(s); nothing was written",
            problems,
        )


def _delete_slices(con: duckdb.DuckDBPyConnection, slices: set[tuple[Any, Any, Any]]) -> int:
    if not slices:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE __load_slices (p VARCHAR, a VARCHAR, s TIMESTAMP)")
    con.executemany("INSERT INTO __load_slices VALUES (?, ?, ?)", [list(s) for s in slices])
    row = con.execute(
        f"DELETE FROM {COST_TABLE} c USING __load_slices s "
        'WHERE c."ProviderName" = s.p AND c."BillingAccountId" = s.a '
        'AND c."BillingPeriodStart" = s.s'
    ).fetchone()
    con.execute("DROP TABLE __load_slices")
    return int(row[0]) if row else 0


def _delete_files(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> int:
    row = con.execute(
        f"DELETE FROM {COST_TABLE} WHERE x_SourceFile IN ({', '.join(qstr(n) for n in names)})"
    ).fetchone()
    return int(row[0]) if row else 0


def _corrections(con: duckdb.DuckDBPyConnection, summary: IngestSummary, delivery: str) -> None:
    """Record what this load corrected and the rows that do not fit the declared style."""
    ids = [r.ingest_id for r in summary.files]
    files = {r.ingest_id: r.file for r in summary.files}
    for finding in corrections.style_findings(con, ids, files, delivery):
        owner = next(r for r in summary.files if r.file == finding.file)
        owner.findings.append(finding.to_dict())
    n = corrections.record_appended(con, ids, files, delivery)
    if delivery == "replace":
        n += corrections.record_replacement(con, ids, files)
    summary.corrections = n


def _insert(
    con: duckdb.DuckDBPyConnection,
    wh: Warehouse,
    plans: Sequence[Plan],
    summary: IngestSummary,
    tag_keys: Sequence[str],
) -> None:
    """Good rows of every file in ONE insert (DuckDB then writes all files' row groups in
    parallel and finalises the table once); bad rows go to the quarantine."""
    results = summary.files
    loading = [plan for plan, result in zip(plans, results, strict=True) if result.rows_loaded]
    with summary.phase("insert"):
        loading = _one_scan_per_schema(con, loading)
        try:
            _insert_good_rows(con, wh, loading, tag_keys)
        finally:
            for plan in loading:
                if plan.grouped:
                    close_relation(con, plan.frame.relation)
    for plan, result in zip(plans, results, strict=True):
        if result.rows_quarantined:
            f = plan.frame
            with summary.phase("quarantine"):
                con.execute(
                    "INSERT INTO quarantine (ingest_id, source_file, source_row, reasons, "
                    f"record) SELECT {qstr(plan.ingest_id)}, {qstr(f.file)}, \"__row\", "
                    f"{plan.reasons_sql()}, {plan.record_sql()} FROM {f.relation} "
                    f"WHERE {plan.bad}"
                )


def _insert_good_rows(
    con: duckdb.DuckDBPyConnection,
    wh: Warehouse,
    loading: Sequence[Plan],
    tag_keys: Sequence[str],
) -> None:
    every_col = wh.table_columns(COST_TABLE)
    # Columns no file fills are left out of the insert: DuckDB writes defaulted (null) columns
    # far faster than explicit NULLs (0.5 s per 5M rows for seven of them, measured).
    unfilled = [_null_columns(p, every_col, tag_keys) for p in loading]
    all_null = set.intersection(*unfilled) if unfilled else set()
    table_cols = [c for c in every_col if c not in all_null]
    selects = [_good_rows_select(plan, table_cols, tag_keys) for plan in loading]
    if not selects:
        return
    sql = (
        f"INSERT INTO {COST_TABLE} ({', '.join(qident(c) for c in table_cols)}) "
        + " UNION ALL ".join(selects)
    )
    # Row order in the table means nothing (x_SourceRow does): let DuckDB write in parallel.
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(sql)
    finally:
        # after a failed insert the transaction is aborted and this would hide the failure
        with contextlib.suppress(duckdb.Error):
            con.execute("RESET preserve_insertion_order")


def _one_scan_per_schema(con: duckdb.DuckDBPyConnection, plans: Sequence[Plan]) -> list[Plan]:
    """Parquet files with the same columns, physical types and FOCUS version (the parts of one
    export, typically) as one plan over one ``read_parquet`` of all of them; other plans as
    they are.

    Why: rows inserted by a UNION ALL of several large scans were written twice by DuckDB
    (2.0.1): once by the insert, again by the commit's checkpoint (1M typed rows in 3 files:
    insert+commit 5.2 s and a 150 MB file as a union of three scans, 3.0 s and 90 MB as one
    scan). Each file's checks, counts and quarantine still run on its own relation; the group
    only loads. Files of different shapes still load as a union (and may pay that rewrite)."""
    groups: dict[tuple[object, ...], list[Plan]] = {}
    for plan in plans:
        f = plan.frame
        # (a column of the file named like DuckDB's file_index would hide the file's position)
        shadowed = "file_index" in {c.lower() for c in f.source.original.values()}
        if f.source.kind != "parquet" or shadowed:
            groups[("single", id(plan))] = [plan]
            continue
        key = (f.version, tuple(f.source.original.items()), tuple(f.types.items()))
        groups.setdefault(key, []).append(plan)
    out: list[Plan] = []
    for members in groups.values():
        if len(members) == 1:
            out += members
            continue
        first = members[0].frame
        relation = open_parquet_group(con, [p.frame.source for p in members])
        try:  # the members' column types are the group's: that is what grouped them
            plan = plan_file(Frame(con, first.source, relation, dict(first.types),
                                   dates=first.dates), members[0].ingest_id)
        except BaseException:
            close_relation(con, relation)
            raise
        index = f"CAST({qident(FILE_COLUMN)} AS BIGINT)"
        # list literals indexed by the file's position: 1-based in SQL
        ids = "[" + ", ".join(qstr(p.ingest_id) for p in members) + "]"
        names = "[" + ", ".join(qstr(p.frame.file) for p in members) + "]"
        plan.ingest_id_sql = f"{ids}[{index} + 1]"
        plan.file_sql = f"{names}[{index} + 1]"
        plan.grouped = True
        plan.clean = all(p.clean for p in members)
        out.append(plan)
    return out


#: Lineage columns every loaded row carries (ingest id, source file, row in the file).
LINEAGE = ("x_IngestId", "x_SourceFile", "x_SourceRow")


def _null_columns(plan: Plan, table_cols: Sequence[str], tag_keys: Sequence[str]) -> set[str]:
    """Columns of ``costs`` this file leaves null (it has no such column)."""
    filled = {name for name, expr in plan.exprs.items() if expr != "NULL"} | set(LINEAGE)
    if plan.tags_json is not None:
        filled |= {tag_column(k) for k in tag_keys}  # lower case; a column may not be
    return {c for c in table_cols if c not in filled and c.lower() not in filled}


def _good_rows_select(plan: Plan, table_cols: Sequence[str], tag_keys: Sequence[str]) -> str:
    """SELECT of one file's loadable rows in ``costs`` column order."""
    f = plan.frame
    inner = [f"{expr} AS {qident(name)}" for name, expr in plan.exprs.items()]
    inner += [
        f'{plan.ingest_id_sql} AS "x_IngestId"',
        f'{plan.file_sql} AS "x_SourceFile"',
        f'{qident(ROW_COLUMN)} AS "x_SourceRow"',
    ]
    if plan.tags_json is not None:
        inner.append(f'{plan.tags_json} AS "__tags_json"')
    # All materialised tags come out of ONE parse of Tags (a list of JSON paths: every
    # spelling of every key), from the repaired object, so the extraction never meets invalid
    # JSON. Spellings of one key fill one column (rule in costmark.ingest.tags).
    keys = list(dict.fromkeys(tag_keys)) if plan.tags_json is not None else []
    slot = {k: i + 1 for i, k in enumerate(keys)}
    tag_exprs = {
        col: tag_value_sql('"__tags_json"', [f'"__tags"[{slot[k]}]' for k in spellings],
                           spellings)
        for col, spellings in tag_groups(keys).items()
    }
    middle = "*"
    if keys:
        paths = ", ".join(qstr(json_member_path(k)) for k in keys)
        middle = f'*, json_extract_string("__tags_json", [{paths}]) AS "__tags"'
    outer = []
    for col in table_cols:
        if col == "Tags" and plan.tags_json is not None:
            outer.append('coalesce("__tags_json", "Tags")')  # the text as it came if unusable
        elif col in plan.exprs or col in LINEAGE:
            outer.append(qident(col))
        elif col.lower() in tag_exprs:
            outer.append(tag_exprs[col.lower()])
        else:
            outer.append("NULL")
    return (
        f"SELECT {', '.join(outer)} FROM (SELECT {middle} FROM (SELECT {', '.join(inner)} "
        f"FROM {f.relation}{'' if plan.clean else f' WHERE NOT {plan.bad}'}))"
    )


def _totals(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    ids = ", ".join(qstr(r.ingest_id) for r in summary.files)
    sums = ", ".join(f'sum("{m}")' for m in MONEY_COLUMNS)
    rows = con.execute(
        f'SELECT "x_IngestId", "BillingCurrency", {sums} FROM {COST_TABLE} '
        f'WHERE "x_IngestId" IN ({ids}) GROUP BY ALL ORDER BY 1, 2'
    ).fetchall()
    by_id = {r.ingest_id: r for r in summary.files}
    grand: dict[str, dict[str, Decimal]] = {}
    for ingest_id, currency, *values in rows:
        per_file = by_id[ingest_id].totals.setdefault(currency, {})
        total = grand.setdefault(currency, {})
        for name, value in zip(MONEY_COLUMNS, values, strict=True):
            amount = value if value is not None else Decimal(0)
            per_file[name] = dec_text(amount)
            total[name] = money.add(total.get(name, Decimal(0)), amount)  # exact, not 28 digits
    summary.totals = {
        cur: {k: dec_text(v) for k, v in vals.items()} for cur, vals in sorted(grand.items())
    }


def _log(
    con: duckdb.DuckDBPyConnection,
    result: FileResult,
    started: dt.datetime,
    status: str,
    message: str | None,
    replaced: int | None = None,
) -> None:
    con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, sha256, focus_version, started_at, "
        "finished_at, rows_read, rows_loaded, rows_quarantined, rows_replaced, billing_periods, "
        "totals, status, message) VALUES (?, 'focus', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.ingest_id,
            result.file,
            result.sha256,
            result.focus_version,
            started,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            replaced,
            json.dumps(result.billing_periods),
            json.dumps(result.totals),
            status,
            message,
        ],
    )


def _log_failure(
    con: duckdb.DuckDBPyConnection,
    results: list[FileResult],
    started: dt.datetime,
    exc: BaseException,
) -> None:
    """Record a failed load after its transaction rolled back (best effort)."""
    try:
        for result in results:
            result.rows_loaded = 0
            result.rows_quarantined = 0
            result.totals = {}
            _log(con, result, started, "failed", f"{type(exc).__name__}: {exc}"[:2000])
    except duckdb.Error:
        pass
