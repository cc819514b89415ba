"""Targets: status, attainment, tolerance, overrides, dates and the projected date, by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from costmark.benchmarking.targets import evaluate_targets, project_date
from costmark.errors import ConfigError
from costmark.spec import load_project
from costmark.spec.targets import Target

from .conftest import kpi_frame, months

APR = dt.date(2026, 4, 1)
ESR_ID = "effective_savings_rate"


def T(**kw: object) -> Target:
    return Target.model_validate(kw)


def by_team(df: pd.DataFrame) -> dict:
    return {r["team"]: r for r in df.to_dict("records")}


def test_higher_with_absolute_band() -> None:
    # target 0.30, band 0.05: >= 0.30 on; [0.25, 0.30) at risk; < 0.25 off
    df = kpi_frame(
        "effective_savings_rate",
        [(APR, "a", 0.32), (APR, "b", 0.27), (APR, "c", 0.20), (APR, "d", 0.25)],
    )
    out = by_team(
        evaluate_targets(
            df,
            [T(kpi="effective_savings_rate", value=0.30, tolerance=0.05)],
            "effective_savings_rate",
            by=["team"],
            kpi_direction="higher",
        )
    )
    assert [out[t]["status"] for t in "abcd"] == ["on target", "at risk", "off target", "at risk"]
    assert out["a"]["attainment_pct"] == pytest.approx(100 * 0.32 / 0.30)  # 106.67
    assert out["c"]["attainment_pct"] == pytest.approx(66.6667, abs=1e-3)
    assert out["b"]["gap"] == pytest.approx(-0.03)
    assert out["a"]["direction"] == "higher"  # from the KPI
    assert out["a"]["projection"] == "met" and out["a"]["projected_date"] == APR


def test_lower_with_relative_band_and_currency() -> None:
    # target 100 USD, 10% band = 10: <= 100 on; (100, 110] at risk; > 110 off
    df = kpi_frame("total_cost", [(APR, "a", 95.0), (APR, "b", 108.0), (APR, "c", 120.0)])
    eur = kpi_frame("total_cost", [(APR, "a", 500.0)], currency="EUR")
    targets = [T(kpi="total_cost", value=100, tolerance_pct=10, currency="USD")]
    res = evaluate_targets(
        pd.concat([df, eur]), targets, "total_cost", by=["team"], kpi_direction="lower"
    )
    assert list(res["currency"]) == ["USD"] * 3  # the USD target says nothing about EUR
    out = by_team(res)
    assert [out[t]["status"] for t in "abc"] == ["on target", "at risk", "off target"]
    assert out["a"]["attainment_pct"] == pytest.approx(100 * 100 / 95)  # 105.26
    assert out["c"]["attainment_pct"] == pytest.approx(100 * 100 / 120)  # 83.33
    assert out["b"]["tolerance"] == pytest.approx(10.0)


def test_equal_direction_and_default_band() -> None:
    # equal: within band on, within 2x band at risk. Default band = 5% of 0.5 = 0.025
    df = kpi_frame("forecast_variance", [(APR, "a", 0.51), (APR, "b", 0.54), (APR, "c", 0.60)])
    out = by_team(
        evaluate_targets(
            df, [T(kpi="forecast_variance", value=0.5)], "forecast_variance", by=["team"]
        )
    )
    assert out["a"]["direction"] == "equal"  # the KPI has no direction
    assert out["a"]["tolerance"] == pytest.approx(0.025)
    assert [out[t]["status"] for t in "abc"] == ["on target", "at risk", "off target"]
    assert out["a"]["attainment_pct"] == pytest.approx(98.0)  # 100 * (1 - 0.01/0.5)


def test_explicit_direction_beats_kpi_direction() -> None:
    df = kpi_frame("spot_share", [(APR, "a", 0.2)])
    res = evaluate_targets(
        df,
        [T(kpi="spot_share", value=0.1, direction="lower", tolerance=0)],
        "spot_share",
        by=["team"],
        kpi_direction="higher",
    )
    assert res.iloc[0]["status"] == "off target"
    assert res.iloc[0]["attainment_pct"] == pytest.approx(50.0)


def test_override_most_specific_wins_and_dates() -> None:
    df = kpi_frame(
        "effective_savings_rate",
        [(APR, "a", "prod", 0.22), (APR, "b", "prod", 0.22), (APR, "b", "dev", 0.22)],
        by=("team", "env"),
    )
    target = T(
        kpi="effective_savings_rate",
        value=0.30,
        tolerance=0.02,
        overrides=[
            {"where": {"team": "b"}, "value": 0.25},
            {"where": {"team": "b", "env": "dev"}, "value": 0.20, "tolerance": 0.0},
        ],
        **{"from": "2026-01-01", "to": "2026-12-31"},
    )
    res = evaluate_targets(
        df, [target], "effective_savings_rate", by=["team", "env"], kpi_direction="higher"
    )
    got = {(r["team"], r["env"]): r for r in res.to_dict("records")}
    assert got[("a", "prod")]["target"] == 0.30 and pd.isna(got[("a", "prod")]["override"])
    assert got[("a", "prod")]["status"] == "off target"
    assert got[("b", "prod")]["target"] == 0.25 and got[("b", "prod")]["override"] == "team=b"
    assert got[("b", "prod")]["status"] == "off target"  # 0.03 short, band 0.02
    assert got[("b", "dev")]["target"] == 0.20 and got[("b", "dev")]["status"] == "on target"
    # not yet in force in 2025: no rows
    early = kpi_frame(
        "effective_savings_rate", [(dt.date(2025, 12, 1), "a", "prod", 0.1)], by=("team", "env")
    )
    assert evaluate_targets(early, [target], "effective_savings_rate", by=["team", "env"]).empty


def test_later_target_wins() -> None:
    df = kpi_frame("waste_share", [(APR, "a", 0.08)])
    targets = [T(kpi="waste_share", value=0.05), T(kpi="waste_share", value=0.10, name="new")]
    res = evaluate_targets(df, targets, "waste_share", by=["team"], kpi_direction="lower")
    assert res.iloc[0]["target_name"] == "new" and res.iloc[0]["status"] == "on target"


def test_projected_date_on_a_linear_series() -> None:
    # 0.10, 0.12, 0.14, 0.16 Jan..Apr 2026: slope 0.02 per month from 0.10 at Jan;
    # 0.24 is reached at step (0.24 - 0.10) / 0.02 = 7 months after Jan = 2026-08-01
    ps = months(2026, 1, 4)
    df = kpi_frame("effective_savings_rate", [(p, "a", 0.10 + 0.02 * i) for i, p in enumerate(ps)])
    res = evaluate_targets(
        df,
        [T(kpi="effective_savings_rate", value=0.24, tolerance=0.01)],
        "effective_savings_rate",
        by=["team"],
        kpi_direction="higher",
    )
    row = res.iloc[0]
    assert row["status"] == "off target"
    assert row["projected_date"] == dt.date(2026, 8, 1)
    assert row["projection"] == "by 2026-08-01"


def test_projected_date_lower_and_away_and_short() -> None:
    ps = months(2026, 1, 4)
    falling = kpi_frame("total_cost", [(p, "a", 100.0 - 10 * i) for i, p in enumerate(ps)])
    # 100, 90, 80, 70: reaches 40 at step 6 → 2026-07-01
    when, text = project_date(falling, 40.0, "lower", "month")
    assert when == dt.date(2026, 7, 1) and text == "by 2026-07-01"
    rising = kpi_frame("total_cost", [(p, "a", 100.0 + 10 * i) for i, p in enumerate(ps)])
    assert project_date(rising, 40.0, "lower", "month") == (None, "not on current trend")
    flat = kpi_frame("total_cost", [(p, "a", 100.0) for p in ps])
    assert project_date(flat, 40.0, "lower", "month")[1] == "not on current trend"
    short = kpi_frame("total_cost", [(p, "a", 100.0 - 10 * i) for i, p in enumerate(ps[:2])])
    assert project_date(short, 40.0, "lower", "month")[1].startswith("not enough history")


def test_projection_is_robust_to_one_outlier() -> None:
    # Theil–Sen ignores the single spike in March; least squares would not
    ps = months(2026, 1, 5)
    vals = [0.10, 0.12, 0.90, 0.16, 0.18]
    df = kpi_frame("effective_savings_rate", list(zip(ps, ["a"] * 5, vals, strict=True)))
    when, _ = project_date(df, 0.30, "higher", "month")
    # slope = median of the 10 pairwise slopes = 0.02 (six of them are 0.02);
    # intercept = median(y) - slope * median(x) = 0.16 - 0.02 * 2 = 0.12;
    # (0.30 - 0.12) / 0.02 = 9 steps after Jan = 2026-10-01
    assert when == dt.date(2026, 10, 1)


def test_projection_after_target_end_is_said() -> None:
    ps = months(2026, 1, 4)
    df = kpi_frame("effective_savings_rate", [(p, "a", 0.10 + 0.02 * i) for i, p in enumerate(ps)])
    target = T(kpi="effective_savings_rate", value=0.24, tolerance=0.01, to="2026-06-30")
    res = evaluate_targets(
        df, [target], "effective_savings_rate", by=["team"], kpi_direction="higher"
    )
    assert "after the target ends on 2026-06-30" in res.iloc[0]["projection"]


def test_targets_and_peer_groups_load_from_yaml(tmp_path: Path) -> None:
    cfg = tmp_path / "costmark.yaml"
    cfg.write_text(
        "version: 1\n"
        "dimensions:\n"
        "  team: {tag: team}\n"
        "targets:\n"
        "  - kpi: effective_savings_rate\n"
        "    value: 0.3\n"
        "    from: 2026-01-01\n"
        "    overrides:\n"
        "      - where: {team: data}\n"
        "        value: 0.2\n"
        "peer_groups:\n"
        "  product:\n"
        "    dimension: team\n"
        "    members: [checkout, search]\n"
    )
    project = load_project(cfg)
    assert project.targets[0].from_ == dt.date(2026, 1, 1)
    assert project.targets[0].overrides[0].where == {"team": "data"}
    assert project.peer_groups["product"].members == ("checkout", "search")
    cfg.write_text("targets:\n  - kpi: x\n    value: 1\n    tolerance: 1\n    tolerance_pct: 5\n")
    with pytest.raises(ConfigError) as err:
        load_project(cfg)
    assert "costmark.yaml:2" in str(err.value) and "tolerance" in str(err.value)


def test_cross_references_are_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "costmark.yaml"
    cfg.write_text(
        "version: 1\n"
        "dimensions:\n"
        "  team: {tag: team}\n"
        "targets:\n"
        "  - kpi: effective_saving_rate\n"
        "    value: 0.3\n"
        "    overrides:\n"
        "      - where: {teams: data}\n"
        "        value: 0.2\n"
        "peer_groups:\n"
        "  product:\n"
        "    dimension: tem\n"
        "    members: [checkout]\n"
    )
    with pytest.raises(ConfigError) as err:
        load_project(cfg)
    text = str(err.value)
    assert "costmark.yaml:5: targets.0.kpi: unknown KPI 'effective_saving_rate'" in text
    assert "did you mean 'effective_savings_rate'" in text
    assert "costmark.yaml:8" in text and "unknown dimension 'teams'" in text
    assert "costmark.yaml:12" in text and "unknown dimension 'tem'" in text


def test_far_projection_is_flagged() -> None:
    # +0.001 a month from 0.10: 0.30 is 200 months (16+ years) after Jan 2026
    ps = months(2026, 1, 4)
    df = kpi_frame(ESR_ID, [(p, "a", 0.10 + 0.001 * i) for i, p in enumerate(ps)])
    when, text = project_date(df, 0.30, "higher", "month")
    assert when == dt.date(2042, 9, 1)
    assert text == "by 2042-09-01 (over 5 years away: effectively not on current trend)"
