"""The one period rule (costmark.engine.asof): cutoff, latest complete period, partial periods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import costmark
from costmark.engine.asof import AsOf, Extent, data_extent, parse_as_of, period_label
from costmark.errors import UsageError

D = dt.date


def cut(last: dt.date | None, given: dt.date | None = None) -> AsOf:
    return AsOf(Extent(D(2024, 1, 1) if last else None, last), given)


@pytest.mark.parametrize(
    ("grain", "last", "label", "start"),
    [
        ("month", D(2024, 9, 30), "2024-09", D(2024, 9, 1)),  # the data reaches September's end
        ("month", D(2024, 9, 29), "2024-08", D(2024, 8, 1)),  # one day short: still running
        ("month", D(2026, 12, 1), "2026-11", D(2026, 11, 1)),  # December has only started
        ("week", D(2024, 9, 29), "2024-W39", D(2024, 9, 23)),  # a Sunday ends its ISO week
        ("week", D(2024, 9, 30), "2024-W39", D(2024, 9, 23)),  # a Monday starts the next
        ("quarter", D(2024, 9, 30), "2024-Q3", D(2024, 7, 1)),
        ("quarter", D(2024, 12, 30), "2024-Q3", D(2024, 7, 1)),
        ("year", D(2024, 12, 31), "2024", D(2024, 1, 1)),
        ("day", D(2024, 9, 30), "2024-09-30", D(2024, 9, 30)),  # the last day is complete
    ],
)
def test_latest_complete_period(grain: str, last: dt.date, label: str, start: dt.date) -> None:
    judged = cut(last).latest_complete(grain)
    assert judged is not None
    assert (judged.label, judged.start, judged.complete) == (label, start, True)
    assert judged.partial_note is None
    assert judged.reason == f"latest complete {grain} in the data, which ends {last}"
    assert judged.describe() == f"period {label} ({judged.reason})"


def test_running_period_is_partial_with_days() -> None:
    running = cut(D(2026, 12, 1)).running("month")
    assert running is not None and not running.complete
    assert (running.label, running.days_covered, running.days_total) == ("2026-12", 1, 31)
    assert running.partial_note == "partial: 1 of 31 days"
    assert "partial: 1 of 31 days" in running.describe()
    # a period the cutoff reaches entirely is complete, whichever way it is asked for
    assert cut(D(2024, 9, 30)).running("month").complete  # type: ignore[union-attr]
    assert cut(D(2024, 9, 30)).period(D(2024, 9, 17), "month").complete


def test_as_of_overrides_the_data_and_says_so() -> None:
    given = cut(D(2024, 9, 30), given=D(2024, 10, 15))
    assert given.day == D(2024, 10, 15)
    judged = given.latest_complete("month")
    assert judged is not None and judged.label == "2024-09"
    assert judged.reason == "latest complete month as of 2024-10-15 (given)"
    running = given.running("month")
    assert running is not None and running.partial_note == "partial: 15 of 31 days"
    # earlier than the data's end: later data is not counted
    early = cut(D(2024, 9, 30), given=D(2024, 9, 15)).latest_complete("month")
    assert early is not None and early.label == "2024-08"


def test_last_n_days_count_back_from_the_cutoff() -> None:
    first, last = cut(D(2024, 9, 30)).window(180) or (None, None)
    assert (first, last) == (D(2024, 4, 4), D(2024, 9, 30))
    assert (last - first).days + 1 == 180  # type: ignore[operator]
    assert cut(D(2024, 9, 30)).window(1) == (D(2024, 9, 30), D(2024, 9, 30))
    assert cut(None).window(30) is None


def test_no_data_judges_nothing() -> None:
    empty = cut(None)
    assert empty.empty and empty.latest_complete("month") is None and empty.running("day") is None


def test_parse_as_of() -> None:
    assert parse_as_of(None) is None and parse_as_of("") is None
    assert parse_as_of("2024-10-15") == D(2024, 10, 15)
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        parse_as_of("October")


def test_period_labels() -> None:
    assert period_label(D(2024, 12, 30), "week") == "2025-W01"  # ISO year
    assert period_label(D(2024, 10, 1), "quarter") == "2024-Q4"


def test_extent_of_the_focus_sample_through_the_engine(
    shared_data: Path, workspace: costmark.Workspace
) -> None:
    """The FOCUS 1.0 sample (September 2024) ends on its last charge start, 30 September; a
    scoped view sees only its own rows' extent."""
    workspace.ingest_focus([shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"],
                           progress=False)
    extent = data_extent(workspace)
    assert (extent.first_day, extent.last_day) == (D(2024, 9, 1), D(2024, 9, 30))
    assert workspace.cutoff().latest_complete("month").label == "2024-09"
    aws = data_extent(workspace, where={"ProviderName": "AWS"})
    assert aws.last_day is not None and aws.last_day <= D(2024, 9, 30)
    assert data_extent(workspace, where={"ProviderName": "no such provider"}).empty
