"""Every input from issue #11 through the real CLI: a located error and exit 1, no traceback.

The subprocess inherits PYTEST_CURRENT_TEST, so an unexpected exception keeps its traceback
here (cli/main.py) and fails the test: nothing is hidden, every case must be handled on purpose.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from tests.focus.helpers import FIXTURE, variant


def cm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from costmark.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def lines() -> list[bytes]:
    return [line for line in FIXTURE.read_bytes().splitlines() if line]


def bare_cr(tmp: Path) -> Path:
    rows = lines()
    data = rows[0] + b"\r\n" + rows[1] + b"\r" + b"\r\n".join(rows[2:]) + b"\r\n"
    (tmp / "bare_cr.csv").write_bytes(data)
    return tmp / "bare_cr.csv"


def unbalanced(tmp: Path) -> Path:
    rows = lines()
    rows[2] = rows[2].replace(b"VM hours", b'"VM hours', 1)
    (tmp / "quote.csv").write_bytes(b"\n".join(rows) + b"\n")
    return tmp / "quote.csv"


def extra(tmp: Path) -> Path:
    rows = lines()
    rows[3] += b",surplus"
    (tmp / "extra.csv").write_bytes(b"\n".join(rows) + b"\n")
    return tmp / "extra.csv"


def int64_dates(tmp: Path) -> Path:
    out = tmp / "int64.parquet"
    duckdb.sql(
        "COPY (SELECT * REPLACE (epoch(ChargePeriodStart::TIMESTAMP)::BIGINT AS "
        f"ChargePeriodStart) FROM read_csv('{FIXTURE}', all_varchar=true)) TO '{out}'"
    )
    return out


def nan_costs(tmp: Path) -> Path:
    out = tmp / "nan.parquet"
    duckdb.sql(
        "COPY (SELECT * REPLACE ('nan'::DOUBLE AS BilledCost) "
        f"FROM read_csv('{FIXTURE}', all_varchar=true)) TO '{out}'"
    )
    return out


REFUSED = {  # the file is refused as a whole by validate, ingest and ingest --strict
    "bare CR": (bare_cr, "bare carriage return"),
    "unbalanced quote": (unbalanced, "unbalanced quote"),
    "extra fields": (extra, "more fields than the header"),
    "INT64 dates": (int64_dates, "stored as BIGINT"),
    "NaN costs": (nan_costs, "NaN or infinite"),
}


def test_refused_files_exit_1_with_the_place(tmp_path: Path) -> None:
    """validate and ingest refuse each file naming it and the problem (ingest without
    --strict shares the refusal: tests/focus/test_csvtext.py covers all three in-process)."""
    ws = str(tmp_path / "ws")
    assert cm("init", ws, cwd=tmp_path).returncode == 0
    for case, (make, words) in sorted(REFUSED.items()):
        path = make(tmp_path)
        for args in (("validate", str(path)), ("ingest", "focus", str(path), "-w", ws)):
            out = cm(*args, cwd=tmp_path)
            assert out.returncode == 1, (case, args, out.stderr)
            assert "Traceback" not in out.stderr and words in out.stderr, (case, out.stderr)
            assert path.name in out.stderr


def test_poisonous_values_fail_validate_and_strict_and_are_quarantined(tmp_path: Path) -> None:
    def poison(header: list[str], rows: list[dict[str, str]]) -> None:
        rows[1]["BillingPeriodStart"] = "-0001-09-01"
        rows[2]["ChargePeriodStart"] = "9999-09-01T00:00:00Z"
        rows[3]["BilledCost"] = "12345678901234567890"

    path = variant(tmp_path / "bad.csv", poison)
    ws = str(tmp_path / "ws")
    assert cm("init", ws, cwd=tmp_path).returncode == 0
    checked = cm("validate", str(path), "-f", "json", cwd=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    for rule in ('"date_range"', '"amount_range"'):
        assert rule in checked.stdout
    strict = cm("ingest", "focus", "--strict", str(path), "-w", ws, cwd=tmp_path)
    assert strict.returncode == 1 and "row 2" in strict.stderr, strict.stderr
    loaded = cm("ingest", "focus", str(path), "-w", ws, "-f", "json", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert '"rows_quarantined": 3' in loaded.stdout
    # the workspace stays usable: KPIs answer after the load, also with hostile filters
    kpi = cm("kpi", "total_cost", "-w", ws, "-f", "json", cwd=tmp_path)
    assert kpi.returncode == 0, kpi.stderr
    for where, words in (
        ("BilledCost > " + "9" * 40, "40 integer"),
        ("(" * 2000 + "ServiceCategory = 'Compute'" + ")" * 2000, "nested more than"),
    ):
        out = cm("kpi", "total_cost", "-w", ws, "--where", where, cwd=tmp_path)
        assert out.returncode == 1 and words in out.stderr and "Traceback" not in out.stderr
