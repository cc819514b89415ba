"""Internal peers: ranks with ties, percentiles, quartiles, gaps, cohorts, most improved."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from costmark.benchmarking.common import total_caveat
from costmark.benchmarking.peers import assign_cohorts, most_improved, peer_ranks, spend_bands
from costmark.spec.peers import PeerGroup

from .conftest import kpi_frame

APR = dt.date(2026, 4, 1)
JAN = dt.date(2026, 1, 1)
ESR = "effective_savings_rate"


def fixture() -> pd.DataFrame:
    return kpi_frame(
        ESR,
        [
            (APR, "a", 0.40),
            (APR, "b", 0.30),
            (APR, "c", 0.30),
            (APR, "d", 0.20),
            (APR, "e", 0.10),
            (APR, "f", None),  # no value: listed, not ranked
        ],
    )


def test_ranks_percentiles_quartiles_with_ties() -> None:
    cohorts, how = assign_cohorts(fixture(), ["team"])
    assert how == "all members"
    res = peer_ranks(cohorts, ESR, ["team"], "higher")
    got = {r["team"]: r for r in res.to_dict("records")}
    # competition ranking: 1, 2, 2, 4, 5
    assert [got[t]["rank"] for t in "abcde"] == [1, 2, 2, 4, 5]
    # percentile = 100 * (strictly worse + ties/2) / (n - 1), n = 5
    assert got["a"]["percentile"] == pytest.approx(100.0)  # 4 worse
    assert got["b"]["percentile"] == pytest.approx(62.5)  # (2 + 0.5) / 4
    assert got["c"]["percentile"] == pytest.approx(62.5)
    assert got["d"]["percentile"] == pytest.approx(25.0)
    assert got["e"]["percentile"] == pytest.approx(0.0)
    assert [got[t]["quartile"] for t in "abcde"] == [1, 2, 2, 3, 4]
    assert got["a"]["members"] == 5 and got["a"]["cohort_median"] == pytest.approx(0.30)
    assert got["a"]["cohort_best"] == pytest.approx(0.40)
    assert got["a"]["gap_to_median"] == pytest.approx(0.10)
    assert got["e"]["gap_to_best"] == pytest.approx(-0.30)
    assert pd.isna(got["f"]["rank"]) and list(res["team"])[-1] == "f"


def test_lower_is_better_reverses_ranks() -> None:
    df = kpi_frame("cost_per_transaction", [(APR, "a", 0.04), (APR, "b", 0.01), (APR, "c", 0.02)])
    cohorts, _ = assign_cohorts(df, ["team"])
    got = {
        r["team"]: r
        for r in peer_ranks(cohorts, "cost_per_transaction", ["team"], "lower").to_dict("records")
    }
    assert [got[t]["rank"] for t in "bca"] == [1, 2, 3]
    assert [got[t]["percentile"] for t in "bca"] == [100.0, 50.0, 0.0]
    assert got["b"]["cohort_best"] == pytest.approx(0.01)
    assert got["a"]["gap_to_best"] == pytest.approx(0.03)


def test_single_member_has_no_percentile() -> None:
    cohorts, _ = assign_cohorts(kpi_frame(ESR, [(APR, "a", 0.4)]), ["team"])
    row = peer_ranks(cohorts, ESR, ["team"], "higher").iloc[0]
    assert row["rank"] == 1 and pd.isna(row["percentile"]) and pd.isna(row["quartile"])


def spend(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"team": t, "currency": "USD", "value": v} for t, v in values.items()])


def test_spend_bands_merge_small_decades() -> None:
    s = spend(
        {
            "a": 500,
            "b": 800,
            "c": 2000,
            "d": 5000,
            "e": 9000,
            "f": 150_000,
            "g": 300_000,
            "h": 700_000,
        }
    )
    bands = {r["team"]: r["cohort"] for r in spend_bands(s, ["team"]).to_dict("records")}
    # decade 10^2 has 2 members (< 3): merged with 10^3 → 100–10k; 10^5 has 3 → its own band
    assert {bands[t] for t in "abcde"} == {"spend 100–10k USD"}
    assert {bands[t] for t in "fgh"} == {"spend 100k–1M USD"}
    # a lone giant joins the band below rather than standing alone
    s2 = pd.concat([s, spend({"i": 5_000_000})])
    bands2 = {r["team"]: r["cohort"] for r in spend_bands(s2, ["team"]).to_dict("records")}
    assert {bands2[t] for t in "fghi"} == {"spend 100k–10M USD"}


def test_spend_bands_zero_spend_and_cohorts() -> None:
    s = spend({"a": 0, "b": 50, "c": 70, "d": 1e6, "e": 2e6, "f": 3e6})
    bands = spend_bands(s, ["team"])
    got = dict(zip(bands["team"], bands["cohort"], strict=True))
    assert got["a"] == got["b"] == got["c"] == "spend 0–100 USD"
    cohorts, how = assign_cohorts(
        kpi_frame(ESR, [(APR, t, 0.1 * i) for i, t in enumerate("abcdef")]), ["team"], bands=bands
    )
    assert how == "spend bands"
    res = peer_ranks(cohorts, ESR, ["team"], "higher")
    small = res[res["cohort"] == "spend 0–100 USD"]
    assert list(small["team"]) == ["c", "b", "a"] and list(small["rank"]) == [1, 2, 3]
    big = res[res["cohort"] == "spend 1M–10M USD"]
    assert list(big["rank"]) == [1, 2, 3] and set(big["members"]) == {3}


def test_peer_groups_win_over_bands() -> None:
    groups = {
        "product": PeerGroup(dimension="team", members=("a", "b", "c")),
        "platform": PeerGroup(dimension="team", members=("d", "e")),
        "other-dim": PeerGroup(dimension="app", members=("x",)),
    }
    cohorts, how = assign_cohorts(fixture(), ["team"], groups)
    assert how == "peer groups"
    got = dict(zip(cohorts["team"], cohorts["cohort"], strict=True))
    assert got == {
        "a": "product",
        "b": "product",
        "c": "product",
        "d": "platform",
        "e": "platform",
        "f": "(ungrouped)",
    }
    res = peer_ranks(cohorts, ESR, ["team"], "higher")
    product = res[res["cohort"] == "product"]
    assert list(product["rank"]) == [1, 2, 2]
    assert list(product["percentile"]) == [100.0, 25.0, 25.0]  # (0 + 0.5) / 2


def test_total_cost_caveat() -> None:
    assert "grows with size" in (total_caveat("total_cost") or "")
    assert total_caveat(ESR) is None
    assert total_caveat("cost_per_transaction") is None
    assert total_caveat("my_custom_cost", unit="currency") is not None


def test_most_improved_over_n_periods() -> None:
    df = kpi_frame(
        ESR,
        [
            (JAN, "a", 0.30),
            (APR, "a", 0.40),
            (JAN, "b", 0.35),
            (APR, "b", 0.30),
            (JAN, "c", 0.10),
            (APR, "c", 0.30),
            (APR, "d", 0.50),  # no value 3 periods ago: not in the list
        ],
    )
    cohorts, _ = assign_cohorts(df, ["team"])
    res = most_improved(cohorts, ESR, ["team"], "higher", periods=3)
    assert list(res["team"]) == ["c", "a", "b"]
    assert list(res["improved_rank"]) == [1, 2, 3]
    assert list(res["improvement"]) == pytest.approx([0.20, 0.10, -0.05])
    assert list(res["improvement_pct"]) == pytest.approx([200.0, 100 / 3, -100 * 0.05 / 0.35])
    # for a lower-is-better KPI a fall is an improvement
    res_low = most_improved(cohorts, ESR, ["team"], "lower", periods=3)
    assert list(res_low["team"]) == ["b", "a", "c"]
    assert res_low.iloc[0]["from_period"] == JAN


def test_rank_columns_are_integers() -> None:
    cohorts, _ = assign_cohorts(fixture(), ["team"])
    res = peer_ranks(cohorts, ESR, ["team"], "higher")
    assert str(res["rank"].dtype) == "Int64" and str(res["quartile"].dtype) == "Int64"


def test_peer_members_leave_out_nobody_and_members_without_spend() -> None:
    """Unallocated, untagged and placeholder members are not peers, and neither is a service
    whose usage all cost 0 (its ESR of 1.0 would rank it best)."""
    from costmark.benchmarking.peers import peer_members

    day = dt.date(2026, 4, 1)
    members = ["web", "shared-pool", None, "(none)", "free-tier", "api"]
    frame = pd.DataFrame({
        "kpi": "effective_savings_rate", "period_start": day, "team": members,
        "currency": "USD", "value": [0.2, 0.1, 0.3, 0.4, 1.0, 0.25],
    })
    spend = frame.assign(kpi="total_cost", value=[100.0, 50.0, 10.0, 5.0, 0.0, 80.0])
    kept, note = peer_members(frame, ["team"], spend, {"team": "shared-pool"})
    assert kept["team"].tolist() == ["web", "api"]
    assert note == ("not ranked as peers: 3 unallocated or untagged row(s), 1 row(s) of members "
                    "with no spend in the period")
    ranks = peer_ranks(kept.assign(cohort="all"), "effective_savings_rate", ["team"], "higher")
    assert ranks["team"].tolist() == ["api", "web"]
