"""The commands a user runs, including the CI case: no terminal and no answers never hangs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import costmark

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def costmark_cli(*args: str, ws: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from costmark.cli.main import run; run()", *args, "-w", str(ws)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def test_non_interactive_assess_without_answers_fails_clearly(tmp_path: Path) -> None:
    costmark.init_workspace(tmp_path / "w").close()
    out = costmark_cli("assess", ws=tmp_path / "w")
    assert out.returncode == 2
    assert "--answers" in out.stderr
    out = costmark_cli("iteration", "review", ws=tmp_path / "w")
    assert out.returncode == 2 and "--notes" in out.stderr


def test_walkthrough_with_example_files(tmp_path: Path) -> None:
    ws = tmp_path / "w"
    costmark.init_workspace(ws).close()
    out = costmark_cli("assess", "--answers", str(EXAMPLES / "answers.yaml"), "--format",
                       "json", ws=ws)  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [len(c["lenses"]) for c in doc["capabilities"]] == [5] * 5
    out = costmark_cli("iteration", "plan", "--file", str(EXAMPLES / "plan.yaml"), ws=ws)
    assert out.returncode == 0, out.stderr
    out = costmark_cli("iteration", "status", "--format", "json", ws=ws)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["goals"]) >= 1
    report = tmp_path / "review.html"
    notes = ("--notes", str(EXAMPLES / "review-notes.yaml"))
    out = costmark_cli("iteration", "review", *notes, "-o", str(report), ws=ws)
    assert out.returncode == 2 and "the period is not over" in out.stderr  # planned today
    assert "--early" in out.stderr and not report.exists()
    out = costmark_cli("iteration", "review", "--early", *notes, "-o", str(report), ws=ws)
    assert out.returncode == 0, out.stderr
    assert "<h2>What went well</h2>" in report.read_text()
    out = costmark_cli("iteration", "next", "--goal", "Allocation/process/score=3", ws=ws)
    assert out.returncode == 0, out.stderr
    out = costmark_cli("iteration", "list", "--format", "csv", ws=ws)
    assert out.stdout.splitlines()[0].startswith("id,name,status")
    assert len(out.stdout.splitlines()) == 3
    bad = costmark_cli("iteration", "plan", "--goal", "nonsense", ws=ws)
    assert bad.returncode == 2
    bad = costmark_cli("iteration", "status", "--as-of", "31/12/2026", ws=ws)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
