"""The native-export commands as a user runs them: exit codes, JSON, what ingest focus says."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_main import costmark

AWS = "focus-converters/provider-native/aws_cur_legacy_sample-anonymous-aws-export-dataset.csv"


def test_convert_then_validate_then_ingest(shared_data: Path, tmp_path: Path) -> None:
    out = costmark("convert", str(shared_data / AWS), "--to", str(tmp_path), "--format", "json")
    assert out.returncode == 0, out.stderr
    (doc,) = json.loads(out.stdout)["files"]
    assert doc["reconciled"] and doc["totals"]["USD"]["BilledCost"] == "1.6823086974"
    assert costmark("validate", doc["output"]).returncode == 0
    # ingest focus on the native file names it and the command that loads it
    assert costmark("init", str(tmp_path / "ws")).returncode == 0
    refused = costmark("ingest", "focus", str(shared_data / AWS), "-w", str(tmp_path / "ws"))
    assert refused.returncode == 1
    assert "costmark ingest aws-cur" in refused.stderr and "Traceback" not in refused.stderr
    loaded = costmark(
        "ingest", "aws-cur", str(shared_data / AWS), "-w", str(tmp_path / "ws"),
        "--no-alerts", "--format", "json",
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["rows_loaded"] == 1281
    kpi = costmark("kpi", "total_cost", "-w", str(tmp_path / "ws"), "--format", "json")
    assert '"1.6823086974"' in kpi.stdout or "1.6823086974" in kpi.stdout


def test_convert_errors_exit_1_with_location(shared_data: Path, tmp_path: Path) -> None:
    bad = costmark(
        "convert", str(shared_data / "koku/aws/November-2023-None.csv"), "--to", str(tmp_path)
    )
    assert bad.returncode == 1 and "row 6" in bad.stderr and "Traceback" not in bad.stderr
    wrong = costmark("convert", str(shared_data / AWS), "--from", "azure", "--to", str(tmp_path))
    assert wrong.returncode == 1 and "AWS Cost and Usage Report" in wrong.stderr
    usage = costmark("convert", str(shared_data / AWS), "--from", "nope")
    assert usage.returncode == 2
