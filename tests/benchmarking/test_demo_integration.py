"""Benchmarking through the real KPI engine on a small generated demo organisation: the
sections agree with ws.kpi, and exported packs hold no team, app, account or resource name."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

import costmark
from tests.cli.test_main import costmark as run

ESR = "effective_savings_rate"


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bm") / "demo"
    out = run(
        "demo",
        "--workspace",
        str(root),
        "--months",
        "4",
        "--rows",
        "6000",
        "--end",
        "2026-05-01",
        "--seed",
        "5",
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    return root


def test_peer_ranks_agree_with_the_kpi_engine(demo_root: Path) -> None:
    with costmark.open_workspace(demo_root) as ws:
        res = ws.benchmark(
            ESR,
            by="team",
            against="peers,history,industry",
            cohorts="all",
            today=dt.date(2026, 5, 1),
        )
        assert res.period == dt.date(2026, 4, 1)
        kpi = ws.kpi(ESR, by="team", start="2026-04-01", end="2026-04-30").to_pandas()
    usd = kpi[(kpi["currency"] == "USD") & kpi["value"].notna()]
    # the cost nobody owns is not a peer: "unallocated" (the team default) is left out
    expected = [t for t in usd.sort_values("value", ascending=False)["team"]
                if t != "unallocated"]
    peers = res["peers"]
    ranked = peers[(peers["currency"] == "USD") & peers["rank"].notna()].sort_values("rank")
    assert ranked["team"].tolist() == expected and "unallocated" not in set(peers["team"])
    assert any("not ranked as peers: " in c and "unallocated" in c for c in res.caveats)
    assert ranked["rank"].iloc[0] == 1 and ranked["percentile"].iloc[0] == 100.0
    assert not res["industry"].empty and res["industry"]["citation"].str.contains("20").all()
    ind = res["industry"]
    aws = ind[
        (ind["figure"] == "prosperops-aws-compute-esr-median-2024") & (ind["currency"] == "USD")
    ].iloc[0]
    with costmark.open_workspace(demo_root) as ws:
        scoped = ws.kpi(ESR, where=aws["filter"], start="2026-04-01", end="2026-04-30").rows()
    assert aws["value"] == pytest.approx(
        float(next(r["value"] for r in scoped if r["currency"] == "USD"))
    )
    assert aws["gap"] == pytest.approx(aws["value"] - 0.15)


def test_exported_packs_leak_nothing(demo_root: Path, tmp_path: Path) -> None:
    with costmark.open_workspace(demo_root) as ws:
        names: set[str] = set()
        con = ws.warehouse.con
        cols = [
            c
            for c in ws.warehouse.table_columns("costs")
            if c.endswith(("Id", "Name")) or c.startswith("tag_")
        ]
        for col in cols:
            rows = con.execute(f'SELECT DISTINCT "{col}" FROM costs WHERE "{col}" IS NOT NULL')
            names |= {str(r[0]) for r in rows.fetchall()}
        with open(demo_root / "mappings" / "team_by_account.csv", newline="") as fh:
            names |= {cell for row in csv.reader(fh) for cell in row}
        texts = []
        for dim in ("team", "app", "account"):
            path = tmp_path / f"{dim}.json"
            out = ws.export_benchmark_pack(
                path, by=[dim], kpis=[ESR, "on_demand_share"], today=dt.date(2026, 5, 1)
            )
            assert all(d["members"] >= 5 for d in out["pack"]["distributions"])
            texts.append(path.read_text())
    text = "\n".join(texts)
    # dimension names ("team", "app", "account") are the pack's unit, not values
    suspicious = {n for n in names if len(n) >= 4 and n not in {"team", "app", "account"}}
    assert len(suspicious) > 20
    leaks = sorted(n for n in suspicious if n in text)
    assert leaks == []
    for pack in texts:
        json.loads(pack)
