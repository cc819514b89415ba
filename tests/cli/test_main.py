from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def costmark(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from costmark.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_help_and_exit_codes(tmp_path: Path) -> None:
    assert costmark("--help").returncode == 0
    assert costmark("info", "--bogus").returncode == 2
    missing = costmark("info", "--workspace", str(tmp_path / "none"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr


def test_init_then_info_json(tmp_path: Path) -> None:
    assert costmark("init", str(tmp_path / "w")).returncode == 0
    out = costmark("info", "--workspace", str(tmp_path / "w"), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc[0]["cost_rows"] == 0
