"""External peer exchange: distributions, suppression of small cohorts, no identifying leaks."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from costmark.benchmarking.exchange import (
    build_pack,
    external_standing,
    pack_rows,
    validate_pack,
)
from costmark.benchmarking.peers import assign_cohorts, spend_bands
from costmark.errors import InputError

APR = dt.date(2026, 4, 1)
MAR = dt.date(2026, 3, 1)
ESR = "effective_savings_rate"
# distinctive names and ids so a leak cannot hide behind a common word
TEAMS = [
    f"team-zeta-{n}"
    for n in ("payments", "search", "ledger", "mobile", "atlas", "orbit", "quasar", "nimbus")
]
ACCOUNTS = [f"acct-{100000000000 + 7919 * i}" for i in range(8)]


def org_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    """8 team/account members with ESR 0.1..0.8 in Mar and Apr; spend puts 5 in one band and 3
    giants in another (a band of its own, but under 5 members: suppressed from packs)."""
    rows, spend = [], []
    for i, (team, acct) in enumerate(zip(TEAMS, ACCOUNTS, strict=True)):
        for period in (MAR, APR):
            rows.append(
                {
                    "kpi": ESR,
                    "period_start": period,
                    "grain": "month",
                    "team": team,
                    "account": acct,
                    "currency": "USD",
                    "value": (i + 1) / 10,
                }
            )
        spend.append(
            {
                "team": team,
                "account": acct,
                "currency": "USD",
                "value": 5_000.0 + i if i < 5 else 5_000_000.0 + i,
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(spend)


def make_pack() -> dict:
    df, spend = org_frame()
    by = ["team", "account"]
    bands, _ = assign_cohorts(df, by, bands=spend_bands(spend, by))
    everyone, _ = assign_cohorts(df, by)
    return build_pack(
        pd.concat([everyone, bands]), by=by, grain="month", unit="team", cohorting="spend bands"
    )


def test_pack_percentiles_and_suppression() -> None:
    pack = make_pack()
    rows = {(r["period_start"], r["cohort"]): r for r in pack["distributions"]}
    everyone = rows[("2026-04-01", "all")]
    # numpy linear percentiles of 0.1..0.8: position p/100 * 7
    assert everyone["members"] == 8
    assert everyone["p10"] == pytest.approx(0.17)
    assert everyone["p25"] == pytest.approx(0.275)
    assert everyone["p50"] == pytest.approx(0.45)
    assert everyone["p75"] == pytest.approx(0.625)
    assert everyone["p90"] == pytest.approx(0.73)
    band = rows[("2026-04-01", "spend 1k–10k USD")]
    assert band["members"] == 5 and band["p50"] == pytest.approx(0.30)
    # the 3-member giant band is left out entirely, in both months
    assert not any("1M" in c for _, c in rows)
    assert pack["suppressed_cohorts"] == 2
    assert all(r["members"] >= 5 for r in pack["distributions"])
    validate_pack(json.loads(json.dumps(pack)))


def test_nothing_identifying_leaks() -> None:
    _, spend = org_frame()
    pack = make_pack()
    text = json.dumps(pack)
    for name in [*TEAMS, *ACCOUNTS, "zeta"]:
        assert name not in text, name
    assert set(pack) == {
        "format",
        "version",
        "pack_id",
        "created",
        "label",
        "grain",
        "unit",
        "min_members",
        "cohorting",
        "suppressed_cohorts",
        "distributions",
    }
    for row in pack["distributions"]:
        assert set(row) == {
            "kpi",
            "period_start",
            "cohort",
            "currency",
            "members",
            "p10",
            "p25",
            "p50",
            "p75",
            "p90",
        }
    for value in spend["value"]:
        assert f"{value}" not in text and f"{value:.0f}" not in text


def test_cohort_of_four_is_suppressed_five_kept() -> None:
    for n, expect in ((4, 0), (5, 1)):
        df = pd.DataFrame(
            [
                {
                    "kpi": ESR,
                    "period_start": APR,
                    "team": f"t{i}",
                    "currency": "USD",
                    "value": i / 10,
                    "cohort": "all",
                }
                for i in range(n)
            ]
        )
        pack = build_pack(df, by=["team"], grain="month", unit="team", cohorting="all")
        assert len(pack["distributions"]) == expect
    with pytest.raises(InputError):
        build_pack(df, by=["team"], grain="month", unit="team", cohorting="all", min_members=3)


def test_validate_rejects_small_cohorts_and_junk() -> None:
    pack = make_pack()
    pack["distributions"][0]["members"] = 4
    pack["distributions"][1]["p10"] = 99.0  # above p25
    pack["team_names"] = ["x"]
    with pytest.raises(InputError) as err:
        validate_pack(pack, "p.json")
    text = str(err.value)
    assert "4 members" in text and "rising order" in text and "team_names" in text
    with pytest.raises(InputError, match="not a costmark benchmark pack"):
        validate_pack({"rows": []})


def test_external_standing_interpolates_and_respects_direction() -> None:
    pack = make_pack()
    pack["label"] = "peer co"
    packs = pack_rows(pack).assign(pack_id="P1", label="peer co")
    me = pd.DataFrame(
        [
            {
                "kpi": ESR,
                "period_start": APR,
                "team": "x",
                "currency": "USD",
                "value": 0.45,
                "cohort": "nonexistent band",
            },
            {
                "kpi": ESR,
                "period_start": APR,
                "team": "y",
                "currency": "USD",
                "value": 0.43,
                "cohort": "spend 1k–10k USD",
            },
            {
                "kpi": ESR,
                "period_start": APR,
                "team": "z",
                "currency": "USD",
                "value": 0.05,
                "cohort": "all",
            },
        ]
    )
    res = external_standing(me, packs, ESR, by=["team"], direction="higher", grain="month")
    got = {r["team"]: r for r in res.to_dict("records")}
    assert got["x"]["pack_cohort"] == "all"  # fell back
    assert got["x"]["better_than_pct"] == pytest.approx(50.0)
    assert got["x"]["standing"] == "level"
    # y in the 5-member band 0.1..0.5: p50 0.30, p75 0.40, p90 0.46; 0.43 is halfway
    # from p75 to p90 → 75 + 15 / 2 = 82.5
    assert got["y"]["pack_cohort"] == "spend 1k–10k USD"
    assert got["y"]["position"] == "p75–p90"
    assert got["y"]["better_than_pct"] == pytest.approx(82.5)
    assert got["y"]["gap_to_median"] == pytest.approx(0.13)
    assert got["z"]["position"] == "below p10" and got["z"]["standing"] == "worse"
    low = external_standing(me, packs, ESR, by=["team"], direction="lower", grain="month")
    assert dict(zip(low["team"], low["better_than_pct"], strict=True))["z"] == 90.0
    # a later period than the pack has uses the pack's latest, with a note
    later = me.assign(period_start=dt.date(2026, 6, 1))
    res = external_standing(later, packs, ESR, by=["team"], direction="higher", grain="month")
    assert set(res["pack_period"]) == {APR} and "used 2026-04-01" in res.iloc[0]["note"]
    assert np.isclose(res[res["team"] == "x"]["p50"].iloc[0], 0.45)
