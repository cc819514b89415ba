"""Workspace-level benchmarking on a tiny hand-made organisation (fake KPI engine)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import costmark
from costmark import api
from costmark.engine.kpiengine import KpiEngine
from costmark.errors import NotFoundError, UsageError
from costmark.present.records import dumps

from .fake_engine import ACCOUNTS, CALLS, TEAMS, fake_kpi

CONFIG = """version: 1
dimensions:
  team: {tag: team}
  account: {column: SubAccountId}
targets:
  - kpi: effective_savings_rate
    value: 0.25
    tolerance: 0.05
    overrides:
      - where: {team: zeta-payments}
        value: 0.05
"""
ESR = "effective_savings_rate"
APR = dt.date(2026, 4, 1)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> costmark.Workspace:
    # the engine is the one place every service asks for numbers and KPI definitions
    monkeypatch.setattr(KpiEngine, "kpi", fake_kpi)
    monkeypatch.setattr(KpiEngine, "catalog", lambda self: [])
    w = api.init_workspace(tmp_path / "org", config_text=CONFIG)
    yield w
    w.close()


def rows(frame, key: str = "team") -> dict:  # type: ignore[no-untyped-def]
    return {r[key]: r for r in frame.to_dict("records")}


def test_benchmark_all_sections(ws: costmark.Workspace) -> None:
    ws.set_baseline("it-1", "2026-01-10", note="first FinOps iteration")
    res = ws.benchmark(ESR, by="team", against="targets,peers,history,industry", baselines=["it-1"])
    assert res.period == APR and res.direction == "higher"
    t = rows(res["targets"])
    assert t["zeta-ledger"]["status"] == "off target"  # 0.16 < 0.20
    assert t["zeta-mobile"]["status"] == "at risk"  # 0.21 in [0.20, 0.25)
    assert t["zeta-atlas"]["status"] == "on target"  # 0.26
    assert t["zeta-payments"]["status"] == "on target"  # 0.06 vs override 0.05
    # 0.10, 0.12, 0.14, 0.16 → (0.25 - 0.10) / 0.02 = 7.5 → step 8 after Jan = Sep
    assert t["zeta-ledger"]["projected_date"] == dt.date(2026, 9, 1)
    p = rows(res["peers"])
    assert p["zeta-orbit"]["rank"] == 1 and p["zeta-payments"]["rank"] == 6
    assert p["zeta-atlas"]["percentile"] == pytest.approx(80.0)
    assert set(res["peers"]["cohort"]) == {"spend 1k–10k USD"}  # 1k..6k: one band
    assert p["zeta-orbit"]["gap_to_median"] == pytest.approx(0.31 - 0.185)
    assert len(res["improved"]) == 6  # Jan → Apr, all +0.06
    h = res["history"]
    prev = h[(h["team"] == "zeta-orbit") & (h["comparison"] == "previous period")].iloc[0]
    assert prev["change"] == pytest.approx(0.02) and prev["verdict"] == "better"
    base = h[(h["team"] == "zeta-orbit") & (h["comparison"] == "baseline it-1")].iloc[0]
    assert base["reference_period"] == dt.date(2026, 1, 1)
    assert base["change"] == pytest.approx(0.06)
    ind = rows(res["industry"], "figure")
    main = ind["prosperops-aws-compute-esr-median-2024"]
    assert main["gap"] == pytest.approx(0.05) and main["standing"] == "better"
    assert "2024" in main["citation"]
    # measured like for like: the org value comes from the figure's own scope filter
    assert "ServiceCategory = 'Compute'" in main["filter"]
    assert any(w and "ProviderName in ('AWS'" in str(w) and by == () for _, by, w in CALLS)
    # annual spend 4 × 21 000 = 84 000 USD < 500k: the small-spender figure applies
    assert ind["prosperops-aws-compute-esr-median-small-2024"]["applicable"]
    assert "peer cohorts: spend bands" in res.caveats
    doc = res.to_dict()
    assert json.loads(dumps(doc))["sections"]["targets"][0]["period_start"] == "2026-04-01"
    assert set(doc["sections"]) == {"targets", "peers", "improved", "history", "industry"}
    assert set(res.to_frame()["section"]) == set(doc["sections"])


def test_total_cost_ranking_says_so(ws: costmark.Workspace) -> None:
    res = ws.benchmark("total_cost", by=["team"], against=["peers"])
    assert any("grows with size" in c for c in res.caveats)
    assert rows(res["peers"])["zeta-payments"]["rank"] == 1  # cheapest; lower is better


def test_usage_errors(ws: costmark.Workspace) -> None:
    with pytest.raises(UsageError, match="give --by"):
        ws.benchmark(ESR, against=["peers"])
    with pytest.raises(UsageError, match="unknown --against"):
        ws.benchmark(ESR, by="team", against="peers,friends")
    with pytest.raises(NotFoundError, match="no baseline"):
        ws.benchmark(ESR, by="team", against="history", baselines=["nope"])
    with pytest.raises(UsageError, match="no better direction"):
        ws.benchmark("list_cost", by="team", against="peers")


def test_export_import_external_without_leaks(
    ws: costmark.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack_file = tmp_path / "pack.json"
    out = ws.export_benchmark_pack(pack_file, kpis=[ESR], by=["team"], label="BU north")
    text = pack_file.read_text()
    for secret in [*TEAMS, *ACCOUNTS.values(), "zeta", "org"]:
        assert secret not in text, secret
    pack = json.loads(text)
    assert {d["cohort"] for d in pack["distributions"]} == {"all", "spend 1k–10k USD"}
    assert all(d["members"] == 6 for d in pack["distributions"])
    assert out["pack"]["pack_id"] == pack["pack_id"]
    # the account view has the same members; its ids must not leak either
    acct = ws.export_benchmark_pack(tmp_path / "acct.json", kpis=[ESR], by=["account"])
    acct_text = (tmp_path / "acct.json").read_text()
    for secret in ACCOUNTS.values():
        assert secret not in acct_text
    assert acct["pack"]["unit"] == "account"

    other = api.init_workspace(tmp_path / "other", config_text=CONFIG)
    summary = other.import_benchmark_pack(pack_file, label="north")
    assert summary["distributions"] == 8 and summary["label"] == "north"
    other.import_benchmark_pack(pack_file)  # idempotent: same pack id replaces
    assert len(other.benchmark_packs()) == 1
    res = other.benchmark(ESR, by="team", against="external")
    ext = rows(res["external"])
    # Apr values 0.06, 0.11, ..., 0.31 (n = 6): p10 = 0.085, p50 = 0.185, p90 = 0.285
    assert ext["zeta-orbit"]["p50"] == pytest.approx(0.185)
    assert ext["zeta-orbit"]["position"] == "above p90"
    assert ext["zeta-orbit"]["better_than_pct"] == 90.0
    assert ext["zeta-payments"]["position"] == "below p10"
    # p25 at position 1.25 = 0.1225; 0.16 lies between p25 and p50 (0.185):
    # 25 + 25 * (0.16 - 0.1225) / (0.185 - 0.1225) = 25 + 15 = 40
    assert ext["zeta-ledger"]["better_than_pct"] == pytest.approx(40.0)
    assert ext["zeta-orbit"]["pack_cohort"] == "spend 1k–10k USD"
    assert ext["zeta-payments"]["standing"] == "worse"
    other.remove_benchmark_pack(pack["pack_id"])
    assert other.benchmark_packs() == []
    other.close()


def test_import_rejects_bad_pack(ws: costmark.Workspace, tmp_path: Path) -> None:
    from costmark.errors import InputError

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "costmark-benchmark-pack",
                "version": 1,
                "pack_id": "x",
                "grain": "month",
                "unit": "team",
                "distributions": [
                    {
                        "kpi": ESR,
                        "period_start": "2026-04-01",
                        "cohort": "all",
                        "currency": "USD",
                        "members": 2,
                        "p10": 0,
                        "p25": 0,
                        "p50": 0,
                        "p75": 0,
                        "p90": 0,
                    }
                ],
            }
        )
    )
    with pytest.raises(InputError, match="not a valid benchmark pack"):
        ws.import_benchmark_pack(bad)
    assert ws.benchmark_packs() == []
    with pytest.raises(InputError, match="not found"):
        ws.import_benchmark_pack(tmp_path / "missing.json")


def test_baselines_roundtrip(ws: costmark.Workspace) -> None:
    ws.set_baseline("it-1", "2026-01-10")
    ws.set_baseline("it-1", "2026-02-01")  # moved, not duplicated
    assert [(b["name"], b["at"]) for b in ws.benchmark_baselines()] == [
        ("it-1", dt.date(2026, 2, 1))
    ]
    ws.delete_baseline("it-1")
    with pytest.raises(NotFoundError):
        ws.delete_baseline("it-1")
    with pytest.raises(UsageError):
        ws.set_baseline("x", "yesterday")


def test_running_period_is_left_out(ws: costmark.Workspace, tmp_path: Path) -> None:
    # on 15 April, April is still running: judge March and say so
    res = ws.benchmark(ESR, by="team", against="history", today=dt.date(2026, 4, 15))
    assert res.period == dt.date(2026, 3, 1)
    assert any("latest complete month" in c for c in res.caveats)
    assert ws.benchmark(ESR, by="team", against="history", today=dt.date(2026, 5, 1)).period == APR
    out = ws.export_benchmark_pack(kpis=[ESR], by=["team"], today=dt.date(2026, 4, 15))
    assert {d["period_start"] for d in out["pack"]["distributions"]} == {
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
    }
    assert "the running month (2026-04-01) left out" in out["notes"]


def test_benchmark_all_skips_what_cannot_be_ranked(ws: costmark.Workspace) -> None:
    results = ws.benchmark_all([ESR, "total_cost", "list_cost"], by="team", against="peers")
    assert set(results) == {ESR, "total_cost", "list_cost"}
    assert "peers" not in results["list_cost"].sections
    assert any("no better direction" in c for c in results["list_cost"].caveats)
    assert rows(results[ESR]["peers"])["zeta-orbit"]["rank"] == 1
    assert rows(results["total_cost"]["peers"])["zeta-payments"]["rank"] == 1
    # the same answers as one at a time
    single = ws.benchmark(ESR, by="team", against="peers")
    assert single["peers"]["rank"].tolist() == results[ESR]["peers"]["rank"].tolist()
