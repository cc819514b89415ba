"""Convert native billing exports into FOCUS 1.2 Parquet, totals reconciled to the last digit.

Everything runs in DuckDB: the export is read as text (so no reader guesses a type and loses a
digit), every FOCUS column is one SQL expression from the provider's mapping
(:mod:`costmark.convert.mapping`), and the result is written as Parquet with money in
DECIMAL(38,18) and timestamps in UTC. Before anything is written, the converted BilledCost and
EffectiveCost per currency are compared with the provider's own cost columns; a difference is an
error, not a footnote.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from costmark.convert.detect import Detection, detect_native, keys_for, not_a_cost_export
from costmark.convert.mapping import (
    SOURCE_NAMES,
    NativeMapping,
    Renderer,
    mappings,
    qident,
    qstr,
)
from costmark.errors import InputError, Located, UsageError

MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
DECIMALS = (
    *MONEY,
    "PricingQuantity",
    "ConsumedQuantity",
    "ListUnitPrice",
    "ContractedUnitPrice",
)
TIMESTAMPS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
#: FOCUS 1.2 columns every converted file carries (mandatory ones and the ones KPIs read)
FOCUS_ORDER = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
    "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName",
    "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName",
    "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId",
    "SubAccountName", "Tags",
)  # fmt: skip
_CREDIT_TYPE = (
    '[{"name": "VARCHAR", "amount": "VARCHAR", "full_name": "VARCHAR", "id": "VARCHAR", '
    '"type": "VARCHAR"}]'
)
_TS_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%dT%H:%MZ",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y%m%d",
)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """UTC session and the parsing macros the mappings use."""
    con.execute("SET TimeZone = 'UTC'")
    formats = ", ".join(qstr(f) for f in _TS_FORMATS)
    con.execute("CREATE OR REPLACE TEMP MACRO cm_dec(x) AS TRY_CAST(trim(x) AS DECIMAL(38,18))")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO cm_ts(x) AS coalesce(TRY_CAST(trim(x) AS TIMESTAMPTZ), "
        f"try_strptime(trim(x), [{formats}])::TIMESTAMPTZ)"
    )
    # koku-style exports write JSON arrays as Python reprs ([{'key': 'a', ...}]): read those too.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO cm_json(x) AS CASE WHEN x IS NULL OR trim(x) IN ('', '[]') "
        "THEN NULL WHEN json_valid(x) THEN x "
        f"WHEN json_valid(replace(x, {qstr(chr(39))}, {qstr(chr(34))})) "
        f"THEN replace(x, {qstr(chr(39))}, {qstr(chr(34))}) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO cm_credits(x) AS CASE WHEN cm_json(x) IS NULL THEN [] "
        f"ELSE from_json(cm_json(x), {qstr(_CREDIT_TYPE)}) END"
    )


@dataclass
class ConvertResult:
    """One converted file: where from, what it was, what it became, and the reconciliation."""

    file: str
    source: str
    label: str
    rows_read: int
    rows_written: int
    output: str | None
    #: currency -> {"BilledCost": ..., "EffectiveCost": ...} as converted
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    #: the same from the provider's own cost columns
    provider_totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    cost_sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        return self.totals == self.provider_totals

    def to_dict(self) -> dict[str, Any]:
        def text(t: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, str]]:
            return {c: {k: _dec_text(v) for k, v in m.items()} for c, m in t.items()}

        return {
            "file": self.file,
            "source": self.source,
            "format": self.label,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "output": self.output,
            "totals": text(self.totals),
            "provider_totals": text(self.provider_totals),
            "reconciled": self.reconciled,
            "cost_sources": self.cost_sources,
            "notes": self.notes,
        }


def _dec_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _read_header(path: Path) -> list[str]:
    name = path.name.lower()
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if name.endswith((".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz")):
        return []
    opener = gzip.open if name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(io.StringIO(fh.readline())), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the header: {exc}") from exc


def _is_json(path: Path) -> bool:
    return path.name.lower().endswith((".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz"))


def _open_text_relation(
    con: duckdb.DuckDBPyConnection, path: Path, name: str
) -> tuple[list[str], dict[str, str]]:
    """Load ``path`` into a temp table of text columns c0..cN plus ``__row``; returns the raw
    headers and raw header -> SQL column."""
    p = qstr(str(path))
    if _is_json(path):
        con.execute(
            f"CREATE TEMP VIEW {name}_j AS SELECT * FROM "
            f"read_json_auto({p}, format='newline_delimited')"
        )
        raw: list[str] = []
        exprs: list[str] = []
        for col, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {name}_j").fetchall():
            _flatten(col, str(typ), qident(col), raw, exprs)
        selects = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
        con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT {selects}, row_number() OVER () AS __row "
            f"FROM {name}_j"
        )
        con.execute(f"DROP VIEW {name}_j")
        return raw, {h: f"c{i}" for i, h in enumerate(raw)}
    if path.name.lower().endswith(".parquet"):
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()
        raw = [str(r[0]) for r in described]
        exprs = [_text_expr(qident(str(r[0])), str(r[1])) for r in described]
        selects = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
        con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT {selects}, file_row_number + 1 AS __row "
            f"FROM read_parquet({p}, file_row_number=true)"
        )
        return raw, {h: f"c{i}" for i, h in enumerate(raw)}
    raw = _read_header(path)
    if not raw:
        raise InputError(f"{path}: the file is empty (no header)")
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(raw)))
    try:
        con.execute(
            f"CREATE TEMP TABLE {name}_t AS SELECT * FROM read_csv({p}, "
            f"header=true, auto_detect=false, columns={{{cols}}}, delim=',', quote='\"', "
            "escape='\"', nullstr=[''], null_padding=true, strict_mode=false)"
        )
    except duckdb.Error as exc:
        raise InputError(f"{path}: cannot parse as CSV: {str(exc).splitlines()[0]}") from exc
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT *, rowid + 1 AS __row FROM {name}_t")
    return raw, {h: f"c{i}" for i, h in enumerate(raw)}


def _text_expr(col: str, typ: str) -> str:
    if typ.startswith(("MAP", "STRUCT", "LIST")) or typ.endswith("[]"):
        return f"to_json({col})::VARCHAR"
    return f"{col}::VARCHAR"


def _flatten(name: str, typ: str, expr: str, raw: list[str], exprs: list[str]) -> None:
    """GCP JSON lines: ``service: {description}`` becomes the CSV's ``service.description``."""
    if typ.startswith("STRUCT(") and typ.endswith(")"):
        inner = typ[len("STRUCT(") : -1]
        for field_name, field_type in _struct_fields(inner):
            _flatten(f"{name}.{field_name}", field_type, f"{expr}.{qident(field_name)}", raw, exprs)
        return
    raw.append(name)
    exprs.append(_text_expr(expr, typ))


def _struct_fields(inner: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    depth, start = 0, 0
    for i, ch in enumerate(inner + ","):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            part = inner[start:i].strip()
            start = i + 1
            if not part:
                continue
            fname, _, ftype = part.partition(" ")
            fields.append((fname.strip('"'), ftype.strip()))
    return fields


@dataclass
class _Prepared:
    path: Path
    detection: Detection
    relation: str
    sql_names: dict[str, str]  # normalised key -> quoted SQL column
    raw_sql: dict[str, str]  # raw header -> SQL column
    rows: int
    view: str = ""
    #: currency for rows whose export names none (Azure subsets without a currency column)
    currency: str | None = None


def _resolve(path: Path, headers: list[str], source: str | None) -> Detection:
    if source is not None:
        name = SOURCE_NAMES.get(source)
        if name is None:
            raise UsageError(f"unknown --from {source!r}; choose one of: aws-cur, azure, gcp, oci")
        mapping = mappings()[name]
        found = detect_native(headers)
        if found is not None and found.mapping.name == name:
            return found
        if found is not None:
            raise InputError(f"{path}: this looks like an {found.label}, not --from {source}")
        keys = keys_for(mapping, headers)
        missing = [k for k in mapping.detect.get("all", ()) if k not in keys]
        raise InputError(
            f"{path}: not an {mapping.label}: "
            + (
                f"missing {', '.join(missing)}"
                if missing
                else "its cost and date columns are missing"
            )
        )
    found = detect_native(headers)
    if found is None:
        reason = not_a_cost_export(headers)
        if reason:
            raise InputError(f"{path}: {reason}")
        raise InputError(
            f"{path}: not a native export costmark knows (AWS CUR, Azure cost details, GCP "
            "billing export, OCI cost report); for FOCUS files use `costmark ingest focus`"
        )
    return found


def _prepare_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: str | None, index: int
) -> _Prepared:
    name = f"__native_{index}"
    headers, raw_sql = _open_text_relation(con, path, name)
    reason = not_a_cost_export(headers)
    if reason and source is None:
        _drop(con, name)
        raise InputError(f"{path}: {reason}")
    detection = _resolve(path, headers, source)
    sql_names = {key: qident(raw_sql[h]) for key, h in detection.keys.items()}
    rows = int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
    return _Prepared(path, detection, name, sql_names, raw_sql, rows)


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    for stmt in (f"DROP VIEW IF EXISTS {name}", f"DROP TABLE IF EXISTS {name}_t"):
        with contextlib.suppress(duckdb.Error):
            con.execute(stmt)


def _azure_view(con: duckdb.DuckDBPyConnection, prep: _Prepared) -> str:
    """'actual' or 'amortized': which of Azure's two views of one bill this export is."""
    r = Renderer(prep.detection.mapping, prep.sql_names, {"view": "actual"})
    covered, unused, cost = (r.render(f"${n}") for n in ("covered", "unused", "cost"))
    charge = r.column("chargetype")
    model = r.column("pricingmodel")
    amortized_signs, actual_signs = con.execute(
        f"SELECT count_if(({unused}) OR (({covered}) AND {cost} <> 0)), "
        f"count_if(({covered}) AND {cost} = 0 OR ({charge} = 'Purchase' AND "
        f"{model} IN ('Reservation', 'SavingsPlan'))) FROM {prep.relation}"
    ).fetchone()  # type: ignore[misc]
    if amortized_signs and not actual_signs:
        return "amortized"
    return "actual" if actual_signs else "on-demand"


def _tags_expr(prep: _Prepared) -> str:
    spec = prep.detection.mapping.tags
    pairs: list[tuple[str, str]] = []
    for raw, sql in prep.raw_sql.items():
        header = raw.lstrip("\ufeff").strip()
        for prefix in spec.get("raw_prefixes", ()):
            if header.startswith(prefix) and len(header) > len(prefix):
                pairs.append((header[len(prefix) :], qident(sql)))
                break
    parts: list[str] = []
    if pairs:
        entries = ", ".join(f"{{'k': {qstr(k)}, 'v': {v}}}" for k, v in pairs)
        parts.append(
            f"map_from_entries(list_filter([{entries}], lambda e: e.v IS NOT NULL AND e.v <> ''))"
        )
    for key in spec.get("label_arrays", ()):
        if key in prep.sql_names:
            col = prep.sql_names[key]
            parts.append(
                "map_from_entries(list_transform(CASE WHEN cm_json("
                + col
                + ") IS NULL THEN [] ELSE from_json(cm_json("
                + col
                + '), \'[{"key": "VARCHAR", "value": "VARCHAR"}]\') END, '
                "lambda e: {'k': e.key, 'v': e.value}))"
            )
    exprs = [
        f"CASE WHEN cardinality({p}) = 0 THEN NULL ELSE to_json({p})::VARCHAR END" for p in parts
    ]
    json_col = spec.get("json_column")
    if json_col and json_col in prep.sql_names:
        col = prep.sql_names[json_col]
        exprs.append(
            f"CASE WHEN {col} IS NULL OR trim({col}) = '' THEN NULL "
            f"WHEN starts_with(trim({col}), '{{') THEN trim({col}) "
            f"ELSE '{{' || trim({col}) || '}}' END"
        )
    map_col = spec.get("map_column")
    if map_col and map_col in prep.sql_names:
        col = prep.sql_names[map_col]
        exprs.append(f"CASE WHEN {col} IN ('{{}}', '') THEN NULL ELSE {col} END")
    if not exprs:
        return "NULL"
    return exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"


def _select(
    prep: _Prepared, renderer: Renderer, overrides: dict[str, str] | None = None
) -> dict[str, str]:
    mapping = prep.detection.mapping
    exprs: dict[str, str] = {}
    for col, template in mapping.columns.items():
        exprs[col] = renderer.render(template)
    exprs["Tags"] = _tags_expr(prep)
    for col, template in (overrides or {}).items():
        exprs[col] = renderer.render(template)
    if prep.currency:
        exprs["BillingCurrency"] = f"coalesce({exprs['BillingCurrency']}, {qstr(prep.currency)})"
    return exprs


def _typed(col: str, expr: str) -> str:
    if col in DECIMALS:
        return f"CAST({expr} AS DECIMAL(38,18))"
    if col in TIMESTAMPS:
        return f"CAST({expr} AS TIMESTAMPTZ)"
    return f"CAST({expr} AS VARCHAR)"


def _bad_values(
    con: duckdb.DuckDBPyConnection, prep: _Prepared, renderer: Renderer
) -> list[Located]:
    problems: list[Located] = []
    for kind, keys in renderer.parsed.items():
        for key in sorted(keys):
            col = prep.sql_names[key]
            rows = con.execute(
                f"SELECT __row, {col} FROM {prep.relation} WHERE {col} IS NOT NULL "
                f"AND trim({col}) <> '' AND cm_{kind}({col}) IS NULL ORDER BY __row LIMIT 5"
            ).fetchall()
            what = "a decimal number" if kind == "dec" else "a date or timestamp"
            for row, value in rows:
                problems.append(
                    Located(
                        f"{str(value)[:60]!r} is not {what}",
                        file=str(prep.path),
                        row=int(row),
                        column=prep.detection.keys[key],
                    )
                )
    return problems


def _queries(prep: _Prepared) -> tuple[str, str, Renderer]:
    """(converted rows SQL, provider totals SQL, the renderer whose parsed columns get checked)"""
    mapping = prep.detection.mapping
    params = {"view": prep.view or "actual"}
    renderer = Renderer(mapping, prep.sql_names, params)
    base = _select(prep, renderer)
    selects: list[str] = []
    row_filter = ""
    if mapping.skip:
        row_filter = f" WHERE NOT coalesce({renderer.render(mapping.skip)}, false)"
    if prep.view == "combined-actual":
        covered_purchase = (
            f"{renderer.column('chargetype')} = 'Purchase' AND "
            f"{renderer.column('pricingmodel')} IN ('Reservation', 'SavingsPlan')"
        )
        row_filter = f" WHERE {covered_purchase}"
    cols = [c for c in FOCUS_ORDER if c in base] + sorted(c for c in base if c.startswith("x_"))

    def one(exprs: dict[str, str], origin: str, tail: str) -> str:
        items = [f"{_typed(c, exprs[c])} AS {qident(c)}" for c in cols]
        items.append(f'{qstr(str(prep.path.name))} AS "x_NativeFile"')
        items.append('__row AS "x_NativeRow"')
        items.append(f'{qstr(origin)} AS "x_NativeRowKind"')
        return f"SELECT {', '.join(items)} FROM {prep.relation}{tail}"

    selects.append(one(base, "line item", row_filter))
    if prep.view != "combined-actual":
        for extra in mapping.extra_rows:
            exprs = _select(prep, renderer, dict(extra.columns))
            if extra.unnest:
                col = renderer.column(extra.unnest)
                if col == "NULL":
                    continue
                tail = f", unnest(cm_credits({col})) AS u(credit)"
                selects.append(one(exprs, extra.name, tail))
            else:
                where = renderer.render(extra.where or "true")
                selects.append(one(exprs, extra.name, f" WHERE {where}"))
    rec = mapping.reconcile
    imbalance = renderer.render(rec["imbalance"]) if "imbalance" in rec else "0"
    currency = renderer.render(rec["currency"])
    if prep.currency:
        currency = f"coalesce({currency}, {qstr(prep.currency)})"
    billed = renderer.render(rec["BilledCost"])
    effective = renderer.render(rec["EffectiveCost"])
    totals_sql = (
        f"SELECT {currency} AS cur, sum(CAST({billed} AS DECIMAL(38,18))), "
        f"sum(CAST({effective} AS DECIMAL(38,18))), sum(CAST({imbalance} AS DECIMAL(38,18))) "
        f"FROM {prep.relation} GROUP BY ALL"
    )
    if prep.view == "combined-actual":
        totals_sql = (
            f"SELECT {currency} AS cur, sum(CAST({billed} AS DECIMAL(38,18))), 0::DECIMAL(38,18), "
            f"0::DECIMAL(38,18) FROM {prep.relation}{row_filter} GROUP BY ALL"
        )
    return " UNION ALL ".join(selects), totals_sql, renderer


def _money_totals(rows: Sequence[tuple[Any, ...]]) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for cur, billed, effective, *_ in rows:
        if billed is None and effective is None:
            continue
        out[str(cur)] = {
            "BilledCost": Decimal(billed or 0),
            "EffectiveCost": Decimal(effective or 0),
        }
    return out


def _pair_azure_views(con: duckdb.DuckDBPyConnection, preps: list[_Prepared]) -> list[str]:
    """Azure actual + amortized exports of the same bill, given together, become one: the
    amortized rows (commitment-covered usage billed 0) plus the actual view's commitment
    purchases (effective 0). Anything else would count the bill twice."""
    notes: list[str] = []
    azure = [p for p in preps if p.detection.mapping.name == "azure"]
    for p in azure:
        p.view = _azure_view(con, p)

    def key(p: _Prepared) -> set[tuple[Any, ...]]:
        r = Renderer(p.detection.mapping, p.sql_names, {"view": p.view})
        acct = r.render(p.detection.mapping.columns["BillingAccountId"])
        period = r.render(p.detection.mapping.columns["BillingPeriodStart"])
        return set(con.execute(f"SELECT DISTINCT {acct}, {period} FROM {p.relation}").fetchall())

    amortized = [p for p in azure if p.view == "amortized"]
    for actual in (p for p in azure if p.view in ("actual", "on-demand")):
        mine = key(actual)
        if any(mine & key(a) for a in amortized):
            actual.view = "combined-actual"
            notes.append(
                f"{actual.path.name}: actual-cost view of a bill whose amortized view is also "
                "given: only its commitment purchases are kept (the rest is in the amortized "
                "export)"
            )
    return notes


def convert_files(
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    out_dir: str | Path | None = None,
    write: bool = True,
    currency: str | None = None,
) -> list[ConvertResult]:
    """Convert native exports into FOCUS 1.2 Parquet files in ``out_dir`` (beside the input when
    None), one ``<name>.focus.parquet`` per input. Raises InputError (located) on values that do
    not parse and when converted totals do not reconcile with the provider's own columns."""
    files = _expand(paths)
    if not files:
        raise InputError("no files to convert")
    con = duckdb.connect()
    try:
        prepare(con)
        if currency is not None and not (len(currency) == 3 and currency.isalpha()):
            raise UsageError(f"--currency {currency!r}: give a three-letter ISO 4217 code")
        preps = [_prepare_file(con, f, source, i) for i, f in enumerate(files)]
        for prep in preps:
            prep.currency = currency.upper() if currency else None
        pair_notes = _pair_azure_views(con, preps)
        results: list[ConvertResult] = []
        for prep in preps:
            results.append(_convert_one(con, prep, out_dir, write))
        for note in pair_notes:
            for r in results:
                prefix = Path(r.file).name + ": "
                if note.startswith(prefix):
                    r.notes.append(note.removeprefix(prefix))
        return results
    finally:
        con.close()


_NATIVE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".json", ".jsonl", ".ndjson", ".jsonl.gz")


def _expand(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given (a name is a file when it exists, even with * in it), folders searched
    for exports, other names as glob patterns; each file once."""
    import glob

    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.name.lower().endswith(_NATIVE_SUFFIXES))
        else:
            matches = sorted(Path(m) for m in glob.glob(str(raw)) if Path(m).is_file())
            if not matches:
                raise InputError(f"{raw}: no such file")
            found += matches
    unique: list[Path] = []
    for p in found:
        if p.resolve() not in {u.resolve() for u in unique}:
            unique.append(p)
    return unique


def _output_path(path: Path, out_dir: str | Path | None) -> Path:
    stem = path.name
    for suffix in (".gz", ".csv", ".parquet", ".jsonl", ".ndjson", ".json"):
        stem = stem.removesuffix(suffix)
    folder = Path(out_dir) if out_dir is not None else path.parent
    return folder / f"{stem}.focus.parquet"


def _convert_one(
    con: duckdb.DuckDBPyConnection, prep: _Prepared, out_dir: str | Path | None, write: bool
) -> ConvertResult:
    mapping = prep.detection.mapping
    rows_sql, totals_sql, renderer = _queries(prep)
    problems = _bad_values(con, prep, renderer)
    if problems:
        raise InputError(
            f"{prep.path}: {len(problems)} value(s) cannot be converted", problems=problems
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {prep.relation}_out AS {rows_sql}")
    converted = con.execute(
        f"SELECT BillingCurrency, sum(BilledCost), sum(EffectiveCost) FROM {prep.relation}_out "
        "GROUP BY ALL"
    ).fetchall()
    written = int(con.execute(f"SELECT count(*) FROM {prep.relation}_out").fetchone()[0])  # type: ignore[index]
    provider_rows = con.execute(totals_sql).fetchall()
    result = ConvertResult(
        file=str(prep.path),
        source=mapping.name,
        label=prep.detection.label,
        rows_read=prep.rows,
        rows_written=written,
        output=None,
        totals=_money_totals(converted),
        provider_totals=_money_totals(provider_rows),
        cost_sources=dict(mapping.cost_sources),
    )
    for cur, *_, unbalanced in provider_rows:
        if unbalanced:
            result.notes.append(
                f"{cur}: Savings Plan covered usage and SavingsPlanNegation lines do not cancel "
                f"(net {_dec_text(Decimal(unbalanced))}): the export is incomplete; covered usage "
                "is billed 0 as FOCUS has it"
            )
    if prep.view and prep.view != "on-demand":
        result.notes.append(f"Azure {prep.view.replace('combined-', '')} cost view")
    if prep.view == "actual":
        result.notes.append(
            "an actual-cost export alone is not amortized: EffectiveCost equals its cost; give "
            "the amortized export of the same period too for amortized EffectiveCost"
        )
    estimated = con.execute(
        f"SELECT count_if(x_ListCostSource LIKE 'contracted%') FROM {prep.relation}_out"
    ).fetchone()
    if estimated and estimated[0]:
        result.notes.append(
            f"{estimated[0]} row(s) have no list price in the export: ListCost = ContractedCost "
            "there (no savings claimed; see x_ListCostSource)"
        )
    bad_currency = con.execute(
        f"SELECT DISTINCT BillingCurrency FROM {prep.relation}_out WHERE BillingCurrency IS NULL "
        "OR NOT regexp_matches(BillingCurrency, '^[A-Z]{3}$')"
    ).fetchall()
    if bad_currency:
        row = con.execute(
            f"SELECT min(x_NativeRow) FROM {prep.relation}_out WHERE BillingCurrency IS NULL OR "
            "NOT regexp_matches(BillingCurrency, '^[A-Z]{3}$')"
        ).fetchone()
        missing = bad_currency[0][0] is None
        raise InputError(
            f"{prep.path}: the export names no billing currency; give it with --currency CODE"
            if missing
            else f"{prep.path}: billing currency {bad_currency[0][0]!r} is not an ISO 4217 code",
            problems=[
                Located(
                    "the currency column must hold a three-letter code",
                    file=str(prep.path),
                    row=int(row[0]) if row and row[0] is not None else None,
                )
            ],
        )
    empty = [
        Located(
            f"no {col} after conversion (the export's row leaves it empty)",
            file=str(prep.path),
            row=int(row),
            column=col,
        )
        for col in ("BilledCost", "EffectiveCost", "ChargePeriodStart", "BillingAccountId")
        for (row,) in con.execute(
            f"SELECT x_NativeRow FROM {prep.relation}_out WHERE {qident(col)} IS NULL "
            "ORDER BY x_NativeRow LIMIT 5"
        ).fetchall()
    ]
    if empty:
        raise InputError(
            f"{prep.path}: {len(empty)} row(s) lack what every cost row needs; nothing written",
            problems=empty,
        )
    if not result.reconciled:
        raise InputError(
            f"{prep.path}: converted totals {result.to_dict()['totals']} do not match the "
            f"provider's own cost columns {result.to_dict()['provider_totals']}; nothing written"
        )
    if write:
        out = _output_path(prep.path, out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        con.execute(
            f"COPY {prep.relation}_out TO {qstr(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
        )
        tmp.replace(out)
        result.output = str(out)
    con.execute(f"DROP TABLE IF EXISTS {prep.relation}_out")
    return result


def describe(path: str | Path) -> Detection | None:
    """The native export a file is, from its header (None for FOCUS and unknown files)."""
    headers = _read_header(Path(path))
    return detect_native(headers) if headers else None


__all__ = ["ConvertResult", "Detection", "NativeMapping", "convert_files", "describe"]
