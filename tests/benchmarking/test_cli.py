"""`costmark benchmark ...` in-process, over the fake KPI engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from costmark import api
from costmark.cli.main import run
from costmark.engine.kpiengine import KpiEngine

from .fake_engine import TEAMS, fake_kpi
from .test_service import CONFIG


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # the engine is the one place every service asks for numbers and KPI definitions
    monkeypatch.setattr(KpiEngine, "kpi", fake_kpi)
    monkeypatch.setattr(KpiEngine, "catalog", lambda self: [])
    api.init_workspace(tmp_path / "org", config_text=CONFIG).close()
    return tmp_path / "org"


def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["costmark", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_benchmark_kpi_by_dim_json_table_csv(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = ["--workspace", str(root)]
    code, out, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "effective_savings_rate",
        "--by",
        "team",
        "--against",
        "targets,peers",
        "--format",
        "json",
        *w,
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["period"] == "2026-04-01"
    assert {r["team"]: r["rank"] for r in doc["sections"]["peers"]}["zeta-orbit"] == 1
    code, out, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "run",
        "effective_savings_rate",
        "-b",
        "team",
        "-a",
        "history",
        "--period",
        "2026-03",
        "-f",
        "csv",
        *w,
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("section,kpi,period_start,team")
    assert all(line.startswith("history,effective_savings_rate,2026-03-01") for line in lines[1:])
    code, out, err = cli(
        monkeypatch, capsys, "benchmark", "effective_savings_rate", "--by", "team", *w
    )
    assert code == 0, err
    assert "effective_savings_rate: targets" in out and "effective_savings_rate: peers" in out
    assert "peer cohorts" in err


def test_export_import_baseline_references(
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    w = ["--workspace", str(root)]
    pack = tmp_path / "pack.json"
    code, out, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "export",
        "-o",
        str(pack),
        "--kpi",
        "effective_savings_rate",
        "--by",
        "team",
        "-f",
        "json",
        *w,
    )
    assert code == 0, err
    assert json.loads(out)[0]["distributions"] == 8
    text = pack.read_text()
    assert not any(t in text for t in TEAMS)
    code, out, err = cli(
        monkeypatch, capsys, "benchmark", "import", str(pack), "--label", "north", "-f", "json", *w
    )
    assert code == 0, err
    code, out, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "effective_savings_rate",
        "--by",
        "team",
        "--against",
        "external",
        "-f",
        "json",
        *w,
    )
    assert code == 0, err
    assert len(json.loads(out)["sections"]["external"]) == len(TEAMS)
    code, out, err = cli(
        monkeypatch, capsys, "benchmark", "baseline", "set", "it-1", "--at", "2026-01-05", *w
    )
    assert code == 0, err
    code, out, err = cli(monkeypatch, capsys, "benchmark", "baseline", "list", "-f", "json", *w)
    assert json.loads(out)[0]["at"] == "2026-01-05"
    code, out, err = cli(
        monkeypatch, capsys, "benchmark", "references", "--kpi", "waste_share", "-f", "csv", *w
    )
    assert code == 0 and "Flexera" in out and "2025" in out


def test_exit_codes(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = ["--workspace", str(root)]
    code, _, err = cli(
        monkeypatch, capsys, "benchmark", "effective_savings_rate", "--against", "peers", *w
    )
    assert code == 2 and "--by" in err
    code, _, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "effective_savings_rate",
        "--by",
        "team",
        "-a",
        "history",
        "--baseline",
        "nope",
        *w,
    )
    assert code == 1 and "no baseline" in err
    code, _, _ = cli(monkeypatch, capsys, "benchmark", "import", "/nonexistent.json", *w)
    assert code == 1
    code, out, _ = cli(monkeypatch, capsys, "benchmark", "--help")
    assert code == 0 and "export" in out


def test_without_by_the_default_skips_peers(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        monkeypatch,
        capsys,
        "benchmark",
        "effective_savings_rate",
        "-f",
        "json",
        "--workspace",
        str(root),
    )
    assert code == 0, err
    assert set(json.loads(out)["sections"]) == {"targets", "history", "industry"}
