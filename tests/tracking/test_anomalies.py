from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from costmark.tracking.anomalies import (
    drivers,
    events,
    score_series,
    severity,
    summarize_drivers,
)

PATTERN = np.array([100, 104, 108, 103, 99, 60, 55], dtype=float)


def team_frame(n: int = 70, spike_day: int = 50, spike: float = 80.0) -> pd.DataFrame:
    """Three teams with weekly rhythms and noise; team b spikes on one day."""
    rng = np.random.default_rng(4)
    idx = pd.date_range("2026-01-05", periods=n, freq="D")
    rows = []
    for team, scale in (("a", 1.0), ("b", 0.5), ("c", 0.3)):
        values = scale * np.tile(PATTERN, n // 7 + 1)[:n] + rng.normal(0, 1.0, n)
        if team == "b":
            values[spike_day] += spike
        rows += [{"date": d, "team": team, "cost": v} for d, v in zip(idx, values, strict=True)]
    return pd.DataFrame(rows)


def test_spike_is_one_anomaly_with_the_right_driver() -> None:
    frame = team_frame()
    total = frame.groupby("date")["cost"].sum()
    scored = score_series(total)
    assert scored is not None
    found = events(scored)
    assert len(found) == 1
    event = found[0]
    spike_day = pd.Timestamp("2026-01-05") + pd.Timedelta(days=50)
    assert event["start"] == event["end"] == spike_day.date()
    assert event["direction"] == "up"
    assert event["delta"] == pytest.approx(80, rel=0.15)
    assert event["actual"] - event["expected"] == pytest.approx(event["delta"])
    assert event["severity"] == "high"
    found_drivers = drivers(frame, start=spike_day, end=spike_day, column="team")
    assert found_drivers[0]["value"] == "b"
    assert found_drivers[0]["share"] == pytest.approx(1.0, abs=0.1)
    assert summarize_drivers(found_drivers).startswith("team=b (")


def test_consecutive_days_merge_and_directions_split() -> None:
    frame = team_frame(spike=0.0)
    total = frame.groupby("date")["cost"].sum()
    total.iloc[40:43] += 70  # three high days
    total.iloc[60] -= 90  # one low day
    scored = score_series(total)
    assert scored is not None
    found = events(scored)
    assert [(e["days"], e["direction"]) for e in found] == [(3, "up"), (1, "down")]
    assert found[0]["start"] == total.index[40].date()
    assert found[0]["end"] == total.index[42].date()


def test_noisy_series_without_anomalies_is_quiet() -> None:
    frame = team_frame(spike=0.0)
    scored = score_series(frame.groupby("date")["cost"].sum())
    assert scored is not None
    assert len(events(scored)) <= 1  # a 3.5 robust-sigma day is rare in 70 normal days


def test_missing_days_count_as_zero_cost_and_short_history_is_skipped() -> None:
    assert (
        score_series(pd.Series([1.0] * 10, index=pd.date_range("2026-01-01", periods=10))) is None
    )
    idx = pd.date_range("2026-01-05", periods=60, freq="D")
    values = pd.Series(np.tile(PATTERN, 9)[:60], index=idx).drop(idx[30])
    scored = score_series(values)
    assert scored is not None
    assert scored.loc[idx[30], "actual"] == 0
    assert [e["start"] for e in events(scored)] == [idx[30].date()]


@pytest.mark.parametrize(("score", "level"), [(3.6, "low"), (-8, "medium"), (20, "high")])
def test_severity(score: float, level: str) -> None:
    assert severity(score) == level


def test_weaker_neighbouring_days_join_the_anomaly() -> None:
    """A three-day incident whose first and last days are milder than its peak is reported as
    one three-day anomaly (hysteresis), and a mild day alone starts nothing."""
    frame = team_frame(spike=0.0)
    total = frame.groupby("date")["cost"].sum()
    scored_plain = score_series(total)
    assert scored_plain is not None
    spread = float((scored_plain["actual"] - scored_plain["expected"]).abs().median())
    total.iloc[40] += 8 * spread  # mild
    total.iloc[41] += 40 * spread  # peak
    total.iloc[42] += 8 * spread  # mild
    total.iloc[55] += 8 * spread  # mild, alone
    scored = score_series(total)
    assert scored is not None
    found = events(scored)
    first = found[0]
    assert (first["start"], first["end"]) == (total.index[40].date(), total.index[42].date())
    assert all(e["start"] != total.index[55].date() or abs(e["score"]) >= 3.5 for e in found)


@pytest.mark.parametrize(
    ("score", "impact", "level"),
    [
        (200.0, 0.001, "low"),  # statistically extreme, financially nothing
        (10.0, 0.05, "low"),
        (200.0, 0.2, "high"),  # material money, and a strong score
        (3.6, 0.8, "high"),  # half a day's bill and more: high even on a modest score
        (3.6, 0.2, "medium"),
    ],
)
def test_severity_weighs_dollar_impact(score: float, impact: float, level: str) -> None:
    assert severity(score, impact=impact) == level


def test_events_severity_and_delta_pct_from_a_tiny_base() -> None:
    """A day expected at 0.001 comes in at 50 (+5,000,000%): the score is huge, the money is
    small against a typical day, and no relative change is shown from that base."""
    idx = pd.date_range("2026-01-05", periods=30, freq="D")
    scored = pd.DataFrame({"actual": 100.0, "expected": 100.0, "score": 0.0}, index=idx)
    scored.iloc[10] = [50.0, 0.001, 60.0]
    (event,) = events(scored, impact_scale=10_000.0)
    assert event["start"] == idx[10].date() and event["delta"] == pytest.approx(49.999)
    assert event["severity"] == "low"
    assert event["delta_pct"] is None and "tiny base" in event["note"]
    (plain,) = events(scored.assign(expected=lambda f: f["expected"].where(f.index != idx[10],
                                                                             20.0)))
    assert plain["delta_pct"] == pytest.approx(30 / 20) and plain["note"] is None
