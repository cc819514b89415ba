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


def test_unexpected_failure_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """Outside tests an unexpected exception is one located line and exit 1; with
    COSTMARK_DEBUG=1 (and under pytest, so genuine bugs fail loudly) it keeps its traceback."""
    import os

    broken = (
        "import costmark.api as api\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('disk on fire')\n"
        "api.validate_files = boom\n"
        "from costmark.cli.main import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.pop("COSTMARK_DEBUG", None)
    args = [sys.executable, "-c", broken, "validate", "x.csv"]
    out = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "unexpected failure (RuntimeError: disk on fire)" in out.stderr
    env["COSTMARK_DEBUG"] = "1"
    debug = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert debug.returncode == 1 and "Traceback" in debug.stderr
