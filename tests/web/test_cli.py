"""The CLI front ends: token, report, schedule and alerts commands (subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import costmark


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


_APP: list[Any] = []


def cm(*args: str) -> Result:
    """Run the CLI in-process (fast) with the same exit-code mapping as ``run()``."""
    import contextlib
    import io

    from costmark.cli import main
    from costmark.errors import CostmarkError

    if not _APP:
        main._register()
        _APP.append(main.app)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = _APP[0](args=list(args), standalone_mode=False, prog_name="costmark")
            code = rc if isinstance(rc, int) else 0
        except CostmarkError as exc:
            err.write(str(exc))
            code = exc.exit_code
        except SystemExit as exc:
            code = int(exc.code or 0)
        except Exception as exc:
            code = getattr(exc, "exit_code", None)
            if not isinstance(code, int):
                raise
            err.write(str(exc))
    return Result(code, out.getvalue(), err.getvalue())


def test_entry_point_exit_codes(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from costmark.cli.main import run; run()",
            "token",
            "list",
            "-w",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "does not exist" in " ".join(proc.stderr.split())


def test_token_lifecycle(tmp_path: Path) -> None:
    ws = str(tmp_path / "w")
    costmark.init_workspace(ws).close()
    made = cm(
        "token",
        "create",
        "--role",
        "viewer",
        "--scope",
        "service=EC2",
        "--name",
        "bob",
        "-w",
        ws,
        "-f",
        "json",
    )
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)[0]
    assert token["token"].startswith("cm_") and token["scope"] == {"service": "EC2"}
    listed = json.loads(cm("token", "list", "-w", ws, "-f", "json").stdout)
    assert [t["name"] for t in listed] == ["bob"] and "token" not in listed[0]
    assert token["token"].split("_", 2)[2] not in cm("token", "list", "-w", ws, "-f", "csv").stdout
    assert cm("token", "revoke", token["id"], "-w", ws).returncode == 0
    again = cm("token", "revoke", token["id"], "-w", ws)
    assert again.returncode == 1 and "no active token" in again.stderr
    bad = cm("token", "create", "--scope", "colour=red", "-w", ws)
    assert bad.returncode == 1 and "colour" in bad.stderr
    assert cm("token", "create", "--scope", "nonsense", "-w", ws).returncode == 2
    assert cm("token", "create", "--role", "root", "-w", ws).returncode == 2


def test_report_schedule_alerts_commands(tmp_path: Path) -> None:
    ws = tmp_path / "w"
    costmark.init_workspace(ws).close()
    cfg = ws / "costmark.yaml"
    cfg.write_text(
        cfg.read_text()
        + (
            "schedules:\n"
            "  - {name: weekly, cron: '0 8 * * MON', cadence: weekly, format: md,"
            " destination: {folder: out}}\n"
        )
    )
    md = cm(
        "report", "--cadence", "weekly", "--period", "2026-W40", "--format", "md", "-w", str(ws)
    )
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# ") and "2026-W40" in md.stdout and "KPI scorecard" in md.stdout
    out = tmp_path / "r.html"
    html = cm("report", "--format", "html", "-o", str(out), "-w", str(ws))
    assert html.returncode == 0 and out.stat().st_size > 1_000_000
    assert cm("report", "--format", "pdf", "-w", str(ws)).returncode == 2  # needs -o
    assert cm("report", "--period", "someday", "-w", str(ws)).returncode == 2
    listed = json.loads(cm("schedule", "list", "-w", str(ws), "-f", "json").stdout)
    assert listed[0]["name"] == "weekly" and listed[0]["due"] is True
    ran = cm("schedule", "run", "-w", str(ws), "-f", "json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)[0]["status"] == "ok"
    assert len(list((ws / "out").glob("weekly-*.md"))) == 1
    assert json.loads(cm("schedule", "run", "-w", str(ws), "-f", "json").stdout) == []
    assert len(json.loads(cm("schedule", "log", "-w", str(ws), "-f", "json").stdout)) == 1
    assert cm("schedule", "run", "--name", "nope", "-w", str(ws)).returncode == 2
    assert cm("alerts", "run", "-w", str(ws), "-f", "json").returncode == 0
    assert json.loads(cm("alerts", "log", "-w", str(ws), "-f", "json").stdout) == []
    assert cm("serve", "--help").returncode == 0
