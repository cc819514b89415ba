"""A CLI ingest evaluates the alert rules, so cron-driven loads alert without a server."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import costmark
from costmark.cli.main import _register, app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"
# The fixture's data ends on 4 September 2024: September is a running month (4 of 30 days), so a
# monthly rule has no complete period to judge; the latest complete day (a -2.00 credit) is.
RULES = (
    "\nalerts:\n  rules:\n"
    "    - {name: any-spend, kind: kpi_above, kpi: total_cost, grain: day, threshold: -100}\n"
)


def _ingest(ws: costmark.Workspace, *extra: str) -> str:
    _register()
    result = CliRunner().invoke(
        app, ["ingest", "focus", str(FIXTURE), "-w", str(ws.root), "-f", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_evaluates_alert_rules(workspace: costmark.Workspace) -> None:
    workspace.config_path.write_text(workspace.config_path.read_text() + RULES)
    root = workspace.root
    workspace.close()
    _ingest(costmark.open(root))
    with costmark.open(root) as ws:
        log = ws.alert_log()
    assert [r["rule"] for r in log] == ["any-spend"] * len(log) and log


def test_no_alerts_flag_skips_them(workspace: costmark.Workspace) -> None:
    workspace.config_path.write_text(workspace.config_path.read_text() + RULES)
    root = workspace.root
    workspace.close()
    _ingest(costmark.open(root), "--no-alerts")
    with costmark.open(root) as ws:
        assert ws.alert_log() == []
