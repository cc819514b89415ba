"""Runs every tests/cases/*.yaml (see tests/cases/README.md for the format)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import costmark
from tests.kpi_support import load_rows, row, write_config

CASES = sorted((Path(__file__).resolve().parents[1] / "cases").glob("*.yaml"))
CHECKED = ("value", "numerator", "denominator", "coverage", "note")


def _same(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, int | float | Decimal) and not isinstance(want, bool):
        return float(got) == pytest.approx(float(want), rel=1e-9, abs=1e-12)
    if isinstance(got, dt.date):
        return got.isoformat() == str(want)
    return bool(got == want)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(workspace: costmark.Workspace, engine: str, path: Path) -> None:
    case = yaml.safe_load(path.read_text("utf-8"))
    if case.get("config"):
        write_config(workspace, case["config"])
    load_rows(workspace, [row(**{k: (str(v) if not isinstance(v, str) and v is not None else v)
                                 for k, v in r.items()}) for r in case["rows"]])
    req = case["request"]
    result = workspace.kpi(req["kpis"], grain=req.get("grain", "month"), by=req.get("by", ()),
                           start=req.get("from"), end=req.get("to"), where=req.get("where"),
                           engine=engine)
    rows = result.rows()
    for want in case["expect"]:
        keys = {k: v for k, v in want.items() if k not in CHECKED}
        hits = [r for r in rows if all(_same(r.get(k), v) for k, v in keys.items())]
        assert len(hits) == 1, f"{path.name}: {len(hits)} rows match {keys}: {rows}"
        for k in CHECKED:
            if k in want:
                assert _same(hits[0][k], want[k]), f"{path.name} {keys}: {k} {hits[0][k]!r}"
