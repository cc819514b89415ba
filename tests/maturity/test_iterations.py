from __future__ import annotations

import datetime as dt

import pytest

from costmark.errors import InputError, UsageError
from costmark.maturity.iterations import check_goal_count, check_scope

NOW = dt.datetime(2026, 11, 23, 9, 0)
M = [dt.date(2026, m, 1) for m in range(1, 13)]


def kpi_goal(target: float = 0.9, **kw: object) -> dict:
    return {"capability": "Allocation", "lens": "metrics", "kpi": "allocation_coverage",
            "target": target, "owner": "platform", "actions": ["tag buckets"], **kw}  # fmt: skip


def plan_spec(caps: list[str] | None = None, goals: list[dict] | None = None) -> dict:
    return {"capabilities": caps or ["Allocation", "Forecasting", "Budget management"],
            "goals": goals if goals is not None else [kpi_goal()], "end": "2027-02-28"}  # fmt: skip


@pytest.mark.parametrize("n", [3, 4, 5])
def test_first_iteration_takes_3_to_5(n: int) -> None:
    assert check_scope([f"c{i}" for i in range(n)], None) == []


@pytest.mark.parametrize("n", [0, 1, 2, 6, 7])
def test_first_iteration_refuses_other_sizes(n: int) -> None:
    with pytest.raises(UsageError, match="first iteration takes 3-5 capabilities"):
        check_scope([f"c{i}" for i in range(n)], None)


def test_later_iteration_keeps_or_adds_one_or_two() -> None:
    prev = ["a", "b", "c"]
    assert check_scope(prev, prev) == []
    assert check_scope([*prev, "d"], prev) == []
    assert check_scope([*prev, "d", "e"], prev) == []
    with pytest.raises(UsageError, match="adds 3"):
        check_scope([*prev, "d", "e", "f"], prev)
    assert check_scope(["a", "b"], prev) == ["dropped from the previous scope: c"]


@pytest.mark.parametrize(("n", "ok"), [(0, False), (1, True), (3, True), (4, False)])
def test_one_to_three_goals(n: int, ok: bool) -> None:
    if ok:
        check_goal_count(n)
    else:
        with pytest.raises(UsageError, match="1-3 goals"):
            check_goal_count(n)


def test_plan_enforces_rules_through_the_facade(workspace, make_source) -> None:
    src = make_source({})
    with pytest.raises(UsageError, match="3-5"):
        workspace.plan_iteration(plan_spec(["Allocation", "Forecasting"]), source=src, now=NOW)
    with pytest.raises(UsageError, match="1-3 goals"):
        workspace.plan_iteration(plan_spec(goals=[kpi_goal()] * 4), source=src, now=NOW)
    with pytest.raises(UsageError, match="not in this iteration's scope"):
        goal = {**kpi_goal(), "capability": "Rate Optimization"}
        workspace.plan_iteration(plan_spec(goals=[goal]), source=src, now=NOW)
    with pytest.raises(InputError, match="not measurable"):
        goal = {"capability": "Allocation", "lens": "process"}
        workspace.plan_iteration(plan_spec(goals=[goal]), source=src, now=NOW)
    # older (tutorial) names collapse to the same current capability: 2 unique, refused
    with pytest.raises(UsageError, match="you gave 2"):
        spec = plan_spec(["Cost allocation", "Managing shared cost", "Forecasting"])
        workspace.plan_iteration(spec, source=src, now=NOW)
    assert workspace.iterations() == []


def test_situation_suggests_scope(workspace, make_source) -> None:
    spec = {"situation": "new-to-finops", "goals": [{"capability": "Forecasting",
            "lens": "process", "target_score": 2}]}  # fmt: skip
    doc = workspace.plan_iteration(spec, source=make_source({}), now=NOW)
    assert doc["capabilities"] == ["reporting_analytics", "forecasting", "budgeting",
                                   "usage_optimization", "anomaly_management"]  # fmt: skip
    assert doc["end"] == "2027-01-04"  # default: six weeks


def test_goal_attainment_on_known_data(workspace, make_source) -> None:
    """Baseline captured at plan time; status by trend; review achieved/missed; next."""
    values = {
        "allocation_coverage": [(M[8], 0.80), (M[9], 0.82)],
        "total_cost": [(M[8], 1000.0), (M[9], 1100.0)],
    }
    src = make_source(values)
    goals = [kpi_goal(0.90), {"capability": "Budgeting", "lens": "metrics", "kpi": "total_cost",
                              "target": 900, "owner": "finance"}]  # fmt: skip
    it = workspace.plan_iteration(plan_spec(goals=goals), source=src, now=NOW)
    g1, g2 = it["goals"]
    assert (g1["baseline"], g1["baseline_period"], g1["direction"]) == (
        0.82,
        "2026-10-01",
        "higher",
    )
    assert (g2["baseline"], g2["direction"]) == (1100.0, "lower")  # inferred: target below

    st = workspace.iteration_status(source=src, today=dt.date(2026, 11, 25))
    assert [g["status"] for g in st["goals"]] == ["waiting", "waiting"]  # no new period yet

    values["allocation_coverage"].append((M[10], 0.86))  # November: +0.04 per month
    values["total_cost"].append((M[10], 1150.0))
    st = workspace.iteration_status(source=src, today=dt.date(2026, 12, 10))
    a, b = st["goals"]
    assert a["now"] == 0.86 and a["progress"] == pytest.approx(0.5)
    assert a["status"] == "on track"  # the trend passes 0.90 before 2027-02-28
    assert b["status"] == "off track" and b["progress"] == pytest.approx(-0.25)

    values["allocation_coverage"].append((M[11], 0.91))
    values["total_cost"].append((M[11], 1120.0))
    done = workspace.review_iteration(
        source=src, notes={"went_well": ["tag policy"], "improve": "start with budgets"},
        now=dt.datetime(2027, 1, 5), early=True,
    )  # fmt: skip
    outcomes = {o["goal"]: o["outcome"] for o in done["review"]["outcomes"]}
    assert outcomes == {"g1": "achieved", "g2": "missed"}
    assert done["status"] == "reviewed" and done["review"]["went_well"] == ["tag policy"]
    md = workspace.iteration_report(fmt="md")
    assert (
        "| g1 | Allocation | metrics | allocation_coverage | 0.82 | 0.9 | 0.91 | **achieved**" in md
    )
    assert "start with budgets" in md
    html = workspace.iteration_report(fmt="html")
    assert '<td class="missed">missed</td>' in html

    with pytest.raises(UsageError, match="adds 3"):
        workspace.next_iteration(add=["Rate Optimization", "Unit Economics", "Licensing & SaaS"],
                                 source=src, now=dt.datetime(2027, 1, 6))  # fmt: skip
    nxt = workspace.next_iteration(add=["Rate Optimization"], source=src,
                                   now=dt.datetime(2027, 1, 6))  # fmt: skip
    assert nxt["id"] == "it-2" and "rate_optimization" in nxt["capabilities"]
    assert [g["carried_from"] for g in nxt["goals"]] == ["it-1/g2"]
    assert nxt["goals"][0]["baseline"] == 1120.0  # fresh baseline, same target
    assert nxt["goals"][0]["target"] == 900
    assert any("g1 achieved" in c for c in nxt["suggested_changes"])
    assert any("start with budgets" in c for c in nxt["suggested_changes"])


def test_plan_refused_while_previous_is_active(workspace, make_source) -> None:
    src = make_source({})
    workspace.plan_iteration(plan_spec(), source=src, now=NOW)
    with pytest.raises(UsageError, match="still active"):
        workspace.plan_iteration(plan_spec(), source=src, now=NOW)
    with pytest.raises(UsageError, match="has not been reviewed"):
        workspace.next_iteration(source=src, now=NOW)


def test_lens_goal_judged_by_a_later_assessment(workspace, make_source) -> None:
    src = make_source({})
    ans = {"capabilities": {c: {ln: 1 for ln in ("knowledge", "process", "metrics", "adoption",
                                                 "automation")}
                            for c in ("Allocation", "Forecasting", "Budgeting")}}  # fmt: skip
    workspace.assess(ans, source=src, now=NOW - dt.timedelta(days=1))
    goal = {"capability": "Forecasting", "lens": "process", "target_score": 2}
    it = workspace.plan_iteration(plan_spec(goals=[goal]), source=src, now=NOW)
    assert it["goals"][0]["baseline_score"] == 1
    assert workspace.iteration_status(source=src)["goals"][0]["status"] == "waiting"
    ans["capabilities"]["Forecasting"]["process"] = 2
    workspace.assess(ans, source=src, now=NOW + dt.timedelta(days=30))
    st = workspace.iteration_status(source=src)["goals"][0]
    assert (st["now"], st["status"]) == (2, "achieved")


def test_goal_already_met_is_refused(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.93)]})
    with pytest.raises(UsageError, match=r"already 0\.93 .* meets the target 0\.9"):
        workspace.plan_iteration(plan_spec(goals=[kpi_goal(0.9)]), source=src, now=NOW)


def test_goal_follows_the_main_currency(workspace, make_source) -> None:
    data = (("EUR", 0.50, 100), ("USD", 0.80, 5000))
    rows = [{"kpi": "allocation_coverage", "period_start": M[9], "currency": c, "value": v,
             "denominator": d} for c, v, d in data]  # fmt: skip
    src = make_source({})
    src.kpis = lambda kpi, grain, by: list(rows)
    it = workspace.plan_iteration(plan_spec(goals=[kpi_goal(0.9)]), source=src, now=NOW)
    goal = it["goals"][0]
    assert (goal["baseline"], goal["currency"]) == (0.80, "USD")
    rows.append({"kpi": "allocation_coverage", "period_start": M[10], "currency": "USD",
                 "value": 0.92, "denominator": 5000})  # fmt: skip
    st = workspace.iteration_status(source=src, today=dt.date(2026, 12, 3))["goals"][0]
    assert (st["now"], st["status"]) == (0.92, "achieved")


def test_review_without_new_data_is_unknown_and_report_shows_latest_reviewed(
    workspace, make_source
) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    workspace.plan_iteration(plan_spec(), source=src, now=NOW)
    it = workspace.review_iteration(source=src, now=NOW + dt.timedelta(days=2), early=True)
    assert it["review"]["outcomes"][0]["outcome"] == "unknown"
    workspace.next_iteration(source=src, now=NOW + dt.timedelta(days=3))
    assert "(it-1) — review" in workspace.iteration_report()


def test_plan_for_a_group_tracks_that_group(workspace, make_source) -> None:
    from tests.kpi_support import write_config

    write_config(workspace, "version: 1\ndimensions:\n  team: {tag: team}\n")
    values = {"allocation_coverage@payments": [(M[9], 0.70)],
              "allocation_coverage@search": [(M[9], 0.99)]}  # fmt: skip
    src = make_source(values, project=workspace.project)
    spec = {**plan_spec(), "group": "team=payments"}
    it = workspace.plan_iteration(spec, source=src, now=NOW)
    assert it["group"] == "team=payments"
    assert (it["goals"][0]["group"], it["goals"][0]["baseline"]) == ("team=payments", 0.70)
    values["allocation_coverage@payments"].append((M[10], 0.75))
    st = workspace.iteration_status(source=src, today=dt.date(2026, 12, 5))["goals"][0]
    assert (st["now"], st["status"]) == (0.75, "on track")


def test_bad_goal_fields_are_located(workspace, make_source) -> None:
    src = make_source({})
    for bad, msg in (({"target": "ninety"}, "goal 1: target 'ninety' is not a number"),
                     ({"grain": "fortnight"}, "goal 1: grain must be one of"),
                     ({"direction": "up"}, "goal 1: direction must be")):  # fmt: skip
        with pytest.raises(InputError, match=msg):
            workspace.plan_iteration(plan_spec(goals=[kpi_goal(**bad)]), source=src, now=NOW)


def test_carried_goal_met_in_between_is_dropped_with_a_note(workspace, make_source) -> None:
    values = {"allocation_coverage": [(M[9], 0.80)], "total_cost": [(M[9], 100.0)]}
    src = make_source(values)
    cost_goal = {"capability": "Budgeting", "lens": "metrics", "kpi": "total_cost",
                 "target": 90, "owner": "finance"}  # fmt: skip
    workspace.plan_iteration(plan_spec(goals=[kpi_goal(0.9), cost_goal]), source=src, now=NOW)
    values["allocation_coverage"].append((M[10], 0.85))
    values["total_cost"].append((M[10], 110.0))
    workspace.review_iteration(source=src, now=dt.datetime(2026, 12, 2), early=True)  # missed
    values["allocation_coverage"].append((M[11], 0.95))  # met after the review
    values["total_cost"].append((M[11], 105.0))
    nxt = workspace.next_iteration(source=src, now=dt.datetime(2027, 1, 3))
    assert [(g["id"], g["kpi"], g["carried_from"]) for g in nxt["goals"]] == [
        ("g1", "total_cost", "it-1/g2")
    ]
    assert any("not carried over, already met now" in n for n in nxt["notes"])


# -- the calendar of the loop (issue 16) -------------------------------------------------------
def _six_weeks(workspace, src, now=NOW):  # type: ignore[no-untyped-def]
    spec = {**plan_spec(), "end": None, "weeks": 6}
    return workspace.plan_iteration(spec, source=src, now=now)


def test_review_before_the_end_date_needs_early(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    it = _six_weeks(workspace, src)
    assert (it["start"], it["end"]) == ("2026-11-23", "2027-01-04")
    for day in (NOW, dt.datetime(2027, 1, 3, 23, 0)):  # the first day, the day before the end
        with pytest.raises(UsageError, match=r"runs until 2027-01-04: the period is not over"):
            workspace.review_iteration(source=src, now=day)
    with pytest.raises(UsageError, match=r"\(1 day left on 2027-01-03\).*--early"):
        workspace.review_iteration(source=src, now=dt.datetime(2027, 1, 3))
    assert workspace.iteration()["status"] == "active"  # a refused review changes nothing
    done = workspace.review_iteration(source=src, now=NOW, early=True)
    assert done["status"] == "reviewed"
    assert done["review"]["early"] == "reviewed early: the iteration runs until 2027-01-04"
    assert "reviewed early" in workspace.iteration_report(fmt="md")


def test_review_on_or_after_the_end_date_needs_no_flag(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    _six_weeks(workspace, src)
    done = workspace.review_iteration(source=src, now=dt.datetime(2027, 1, 4, 8, 0))
    assert done["status"] == "reviewed" and "early" not in done["review"]


def test_next_starts_the_day_after_and_keeps_the_length(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    _six_weeks(workspace, src)  # 2026-11-23 -> 2027-01-04: 42 days
    workspace.review_iteration(source=src, now=NOW + dt.timedelta(days=1), early=True)
    nxt = workspace.next_iteration(source=src, now=NOW + dt.timedelta(days=1))
    assert (nxt["start"], nxt["end"]) == ("2027-01-05", "2027-02-16")  # not the same dates


def test_next_starts_today_when_the_previous_ended_long_ago(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    spec = {**plan_spec(), "end": "2026-12-03"}  # ten days, not whole weeks
    workspace.plan_iteration(spec, source=src, now=NOW)
    workspace.review_iteration(source=src, now=dt.datetime(2027, 2, 1))
    nxt = workspace.next_iteration(source=src, now=dt.datetime(2027, 2, 10))
    assert (nxt["start"], nxt["end"]) == ("2027-02-10", "2027-02-20")  # same 10-day length


def test_next_length_and_end_can_be_given(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    _six_weeks(workspace, src)
    workspace.review_iteration(source=src, now=dt.datetime(2027, 1, 4))
    nxt = workspace.next_iteration(source=src, weeks=2, now=dt.datetime(2027, 1, 4))
    assert (nxt["start"], nxt["end"]) == ("2027-01-05", "2027-01-19")


def test_next_end_before_its_start_is_refused(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(M[9], 0.80)]})
    _six_weeks(workspace, src)
    workspace.review_iteration(source=src, now=dt.datetime(2027, 1, 4))
    with pytest.raises(UsageError, match=r"starts on 2027-01-05 .* its end \(2027-01-04\)"):
        workspace.next_iteration(source=src, end="2027-01-04", now=dt.datetime(2027, 1, 4))
    assert len(workspace.iterations()) == 1


def _answers(score: int) -> dict:
    lenses = ("knowledge", "process", "metrics", "adoption", "automation")
    caps = ("Allocation", "Forecasting", "Budgeting")
    return {"capabilities": {c: dict.fromkeys(lenses, score) for c in caps}}


def test_lens_goal_waits_for_a_reassessment_and_says_so(workspace, make_source) -> None:
    src = make_source({})
    workspace.assess(_answers(1), source=src, now=NOW - dt.timedelta(days=3))
    goal = {"capability": "Forecasting", "lens": "process", "target_score": 2}
    workspace.plan_iteration(plan_spec(goals=[goal]), source=src, now=NOW)
    st = workspace.iteration_status(source=src, today=NOW.date())["goals"][0]
    assert st["status"] == "waiting" and st["now"] is None
    assert "waiting for a reassessment" in st["note"] and "2026-11-23" in st["note"]
    # reviewed without reassessing: unknown, with the reason kept in the review
    done = workspace.review_iteration(source=src, now=NOW, early=True)
    outcome = done["review"]["outcomes"][0]
    assert outcome["outcome"] == "unknown" and "reassessment" in outcome["note"]


def test_lens_goal_is_judged_by_a_reassessment_made_the_same_day(workspace, make_source) -> None:
    """The README's order: plan, reassess, review, all on one day."""
    src = make_source({})
    workspace.assess(_answers(1), source=src, now=NOW - dt.timedelta(days=3))
    goal = {"capability": "Forecasting", "lens": "process", "target_score": 2}
    workspace.plan_iteration(plan_spec(goals=[goal]), source=src, now=NOW)
    workspace.assess(_answers(2), source=src, now=NOW + dt.timedelta(minutes=5))
    done = workspace.review_iteration(source=src, now=NOW + dt.timedelta(minutes=6), early=True)
    assert done["review"]["outcomes"][0]["outcome"] == "achieved"


def test_next_lens_goal_ignores_assessments_before_its_start(workspace, make_source) -> None:
    """`next` may plan an iteration that starts later: an assessment made between planning and
    the start date is still the baseline, not progress."""
    src = make_source({})
    workspace.assess(_answers(1), source=src, now=NOW - dt.timedelta(days=3))
    goal = {"capability": "Forecasting", "lens": "process", "target_score": 3}
    workspace.plan_iteration({**plan_spec(goals=[goal]), "end": None, "weeks": 6},
                             source=src, now=NOW)  # fmt: skip
    workspace.review_iteration(source=src, now=NOW + dt.timedelta(days=1), early=True)
    nxt = workspace.next_iteration(source=src, now=NOW + dt.timedelta(days=1))
    assert nxt["start"] == "2027-01-05" and nxt["goals"][0]["carried_from"] == "it-1/g1"
    workspace.assess(_answers(3), source=src, now=NOW + dt.timedelta(days=2))  # before start
    st = workspace.iteration_status(source=src, today=dt.date(2026, 11, 26))["goals"][0]
    assert st["status"] == "waiting" and "2027-01-05" in st["note"]
    workspace.assess(_answers(3), source=src, now=dt.datetime(2027, 1, 6))
    st = workspace.iteration_status(source=src, today=dt.date(2027, 1, 6))["goals"][0]
    assert (st["now"], st["status"]) == (3, "achieved")
