"""Measurement periods: months, ISO weeks, quarters and 28-day blocks in a time zone (frozen dates)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pysteward.server.slas.models import WindowKind
from pysteward.server.slas.periods import (
    Period,
    PeriodError,
    nominal_seconds,
    parse_period,
    period_containing,
    periods_between,
    previous_period,
    rolling_window,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
DAY = 86_400.0
HOUR = 3_600.0
MICROSECOND = timedelta(microseconds=1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def new_york(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=NEW_YORK)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


ANCHOR = paris(2026, 10, 26, 14, 30)  # the SLA's start: 28-day blocks count from local midnight that day


def containing(kind: WindowKind, at: datetime, timezone: str = "Europe/Paris") -> Period:
    return period_containing(kind, at, timezone, anchor=ANCHOR)


# --- months ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "timezone", "label", "start", "seconds"),
    [
        (paris(2026, 2, 14), "Europe/Paris", "2026-02", paris(2026, 2, 1), 28 * DAY),
        (paris(2028, 2, 29, 12), "Europe/Paris", "2028-02", paris(2028, 2, 1), 29 * DAY),  # leap day
        (paris(2026, 4, 30, 23, 59), "Europe/Paris", "2026-04", paris(2026, 4, 1), 30 * DAY),
        (paris(2026, 1, 1), "Europe/Paris", "2026-01", paris(2026, 1, 1), 31 * DAY),
        (paris(2026, 3, 15), "Europe/Paris", "2026-03", paris(2026, 3, 1), 31 * DAY - HOUR),  # spring forward
        (
            paris(2026, 10, 31, 23, 59),
            "Europe/Paris",
            "2026-10",
            paris(2026, 10, 1),
            31 * DAY + HOUR,
        ),  # autumn
        (new_york(2026, 3, 8, 12), "America/New_York", "2026-03", new_york(2026, 3, 1), 31 * DAY - HOUR),
        (new_york(2026, 11, 1, 12), "America/New_York", "2026-11", new_york(2026, 11, 1), 30 * DAY + HOUR),
        (utc(2026, 10, 31, 23, 30), "Europe/Paris", "2026-11", paris(2026, 11, 1), 30 * DAY),  # 00:30 local
        (utc(2026, 10, 31, 23, 30), "UTC", "2026-10", utc(2026, 10, 1), 31 * DAY),
        (paris(2026, 12, 31, 23, 59), "Europe/Paris", "2026-12", paris(2026, 12, 1), 31 * DAY),
    ],
)
def test_a_month_runs_from_local_midnight_to_local_midnight(
    at: datetime, timezone: str, label: str, start: datetime, seconds: float
) -> None:
    period = containing(WindowKind.MONTH, at, timezone)
    assert period.label == label
    assert period.start == start
    assert period.seconds == seconds
    assert period.start.tzinfo is UTC and period.end.tzinfo is UTC


def test_a_period_boundary_belongs_to_the_later_period():
    november = containing(WindowKind.MONTH, paris(2026, 11, 1))
    assert november.label == "2026-11"
    assert containing(WindowKind.MONTH, paris(2026, 11, 1) - MICROSECOND).label == "2026-10"
    assert containing(WindowKind.MONTH, november.end - MICROSECOND) == november
    assert containing(WindowKind.MONTH, november.end).label == "2026-12"


# --- weeks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "label", "start", "seconds"),
    [
        (paris(2026, 11, 18), "2026-W47", paris(2026, 11, 16), 7 * DAY),
        (paris(2026, 11, 22, 23, 59), "2026-W47", paris(2026, 11, 16), 7 * DAY),  # Sunday night
        (paris(2026, 11, 23), "2026-W48", paris(2026, 11, 23), 7 * DAY),
        (paris(2025, 12, 30), "2026-W01", paris(2025, 12, 29), 7 * DAY),  # ISO year starts in December
        (paris(2027, 1, 2), "2026-W53", paris(2026, 12, 28), 7 * DAY),  # 2026 has 53 ISO weeks
        (paris(2027, 1, 4), "2027-W01", paris(2027, 1, 4), 7 * DAY),
        (paris(2026, 3, 29, 12), "2026-W13", paris(2026, 3, 23), 7 * DAY - HOUR),
        (paris(2026, 10, 25, 12), "2026-W43", paris(2026, 10, 19), 7 * DAY + HOUR),
    ],
)
def test_a_week_is_an_iso_week_from_monday_local_midnight(
    at: datetime, label: str, start: datetime, seconds: float
) -> None:
    period = containing(WindowKind.WEEK, at)
    assert (period.label, period.start, period.seconds) == (label, start, seconds)


# --- quarters -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "label", "start", "end"),
    [
        (paris(2026, 1, 1), "2026-Q1", paris(2026, 1, 1), paris(2026, 4, 1)),
        (paris(2026, 3, 31, 23, 59), "2026-Q1", paris(2026, 1, 1), paris(2026, 4, 1)),
        (paris(2026, 4, 1), "2026-Q2", paris(2026, 4, 1), paris(2026, 7, 1)),
        (paris(2026, 9, 30, 23, 59), "2026-Q3", paris(2026, 7, 1), paris(2026, 10, 1)),
        (paris(2026, 12, 31, 23, 59), "2026-Q4", paris(2026, 10, 1), paris(2027, 1, 1)),
    ],
)
def test_quarters_start_in_january_april_july_and_october(
    at: datetime, label: str, start: datetime, end: datetime
) -> None:
    assert containing(WindowKind.QUARTER, at) == Period(start, end, label)


def test_quarter_lengths_follow_the_calendar_and_the_clocks():
    assert containing(WindowKind.QUARTER, paris(2026, 2, 1)).seconds == 90 * DAY - HOUR
    assert containing(WindowKind.QUARTER, paris(2028, 2, 1)).seconds == 91 * DAY - HOUR  # leap year
    assert containing(WindowKind.QUARTER, paris(2026, 11, 1)).seconds == 92 * DAY + HOUR


# --- 28-day blocks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "label", "seconds"),
    [
        (ANCHOR, "2026-10-26/2026-11-23", 28 * DAY),
        (paris(2026, 10, 26), "2026-10-26/2026-11-23", 28 * DAY),  # the anchor's midnight, before its time
        (paris(2026, 11, 22, 23, 59), "2026-10-26/2026-11-23", 28 * DAY),
        (paris(2026, 11, 23), "2026-11-23/2026-12-21", 28 * DAY),
        (paris(2027, 3, 1), "2027-02-15/2027-03-15", 28 * DAY),
        (paris(2026, 10, 25, 23), "2026-09-28/2026-10-26", 28 * DAY + HOUR),  # before the anchor, over DST
    ],
)
def test_rolling_blocks_count_28_days_from_the_anchor_midnight(
    at: datetime, label: str, seconds: float
) -> None:
    period = containing(WindowKind.ROLLING_28D, at)
    assert (period.label, period.seconds) == (label, seconds)
    first, last = label.split("/")
    assert period.start == datetime.fromisoformat(first).replace(tzinfo=PARIS)
    assert period.end == datetime.fromisoformat(last).replace(tzinfo=PARIS)


def test_the_anchor_is_read_as_a_local_date_in_the_sla_zone():
    anchor = utc(2026, 10, 25, 23, 30)  # 26 October 00:30 in Paris, still 25 October in New York
    in_paris = period_containing(WindowKind.ROLLING_28D, paris(2026, 11, 1), "Europe/Paris", anchor=anchor)
    in_new_york = period_containing(
        WindowKind.ROLLING_28D, new_york(2026, 11, 1), "America/New_York", anchor=anchor
    )
    assert in_paris.label == "2026-10-26/2026-11-23"
    assert in_new_york.label == "2026-10-25/2026-11-22"


def test_the_anchor_is_ignored_by_calendar_periods():
    for kind in (WindowKind.MONTH, WindowKind.WEEK, WindowKind.QUARTER):
        one = period_containing(kind, paris(2026, 11, 5), "Europe/Paris", anchor=utc(2020, 1, 1))
        other = period_containing(kind, paris(2026, 11, 5), "Europe/Paris", anchor=utc(2026, 11, 4, 13))
        assert one == other


# --- between, previous, rolling window, nominal ---------------------------------------------------------


def test_periods_between_lists_every_overlapping_period_in_order():
    labels = [
        p.label
        for p in periods_between(
            WindowKind.MONTH, paris(2026, 1, 15), paris(2026, 4, 1), "Europe/Paris", anchor=ANCHOR
        )
    ]
    assert labels == ["2026-01", "2026-02", "2026-03"]
    labels = [
        p.label
        for p in periods_between(
            WindowKind.MONTH, paris(2026, 1, 15), paris(2026, 4, 1, 0, 1), "Europe/Paris", anchor=ANCHOR
        )
    ]
    assert labels == ["2026-01", "2026-02", "2026-03", "2026-04"]
    weeks = periods_between(
        WindowKind.WEEK, paris(2026, 12, 20), paris(2027, 1, 5), "Europe/Paris", anchor=ANCHOR
    )
    assert [p.label for p in weeks] == ["2026-W51", "2026-W52", "2026-W53", "2027-W01"]
    quarters = periods_between(
        WindowKind.QUARTER, utc(2026, 3, 31, 23), utc(2026, 4, 1), "UTC", anchor=ANCHOR
    )
    assert [p.label for p in quarters] == ["2026-Q1"]


def test_periods_between_is_empty_for_an_empty_range():
    assert (
        periods_between(WindowKind.MONTH, paris(2026, 5, 1), paris(2026, 5, 1), "Europe/Paris", anchor=ANCHOR)
        == []
    )
    assert (
        periods_between(WindowKind.WEEK, paris(2026, 5, 2), paris(2026, 5, 1), "Europe/Paris", anchor=ANCHOR)
        == []
    )


def test_rolling_blocks_between_are_consecutive():
    blocks = periods_between(WindowKind.ROLLING_28D, ANCHOR, paris(2027, 1, 1), "Europe/Paris", anchor=ANCHOR)
    assert [p.label for p in blocks] == [
        "2026-10-26/2026-11-23",
        "2026-11-23/2026-12-21",
        "2026-12-21/2027-01-18",
    ]


@pytest.mark.parametrize(
    ("kind", "at", "label"),
    [
        (WindowKind.MONTH, paris(2026, 1, 10), "2025-12"),
        (WindowKind.MONTH, paris(2026, 3, 10), "2026-02"),
        (WindowKind.WEEK, paris(2026, 1, 1), "2025-W52"),
        (WindowKind.WEEK, paris(2027, 1, 4), "2026-W53"),
        (WindowKind.QUARTER, paris(2026, 1, 1), "2025-Q4"),
        (WindowKind.QUARTER, paris(2026, 10, 1), "2026-Q3"),
        (WindowKind.ROLLING_28D, paris(2026, 11, 30), "2026-10-26/2026-11-23"),
        (WindowKind.ROLLING_28D, ANCHOR, "2026-09-28/2026-10-26"),
    ],
)
def test_previous_period_ends_where_the_period_starts(kind: WindowKind, at: datetime, label: str) -> None:
    period = containing(kind, at)
    previous = previous_period(kind, period, "Europe/Paris", anchor=ANCHOR)
    assert previous.label == label
    assert previous.end == period.start


def test_rolling_window_is_the_days_up_to_an_instant():
    window = rolling_window(paris(2026, 11, 5, 13))
    assert window == Period(
        utc(2026, 10, 8, 12), utc(2026, 11, 5, 12), "28 days to 2026-11-05T12:00:00+00:00"
    )
    assert window.seconds == 28 * DAY
    assert rolling_window(utc(2026, 11, 5), days=7).label == "7 days to 2026-11-05T00:00:00+00:00"


def test_rolling_window_needs_a_positive_number_of_days():
    with pytest.raises(PeriodError, match=r"^days: 0 is not a positive number of days$"):
        rolling_window(utc(2026, 11, 5), days=0)


@pytest.mark.parametrize(
    ("kind", "days"),
    [(WindowKind.MONTH, 30), (WindowKind.WEEK, 7), (WindowKind.QUARTER, 90), (WindowKind.ROLLING_28D, 28)],
)
def test_nominal_seconds_are_fixed_lengths(kind: WindowKind, days: int) -> None:
    assert nominal_seconds(kind) == days * DAY


# --- parse_period -------------------------------------------------------------------------------------

NOW = paris(2026, 11, 18, 10)


@pytest.mark.parametrize(
    ("kind", "text", "label"),
    [
        (WindowKind.MONTH, "current", "2026-11"),
        (WindowKind.MONTH, "previous", "2026-10"),
        (WindowKind.MONTH, "2026-11", "2026-11"),
        (WindowKind.MONTH, "2028-02", "2028-02"),
        (WindowKind.MONTH, "2026-11-05", "2026-11"),
        (WindowKind.WEEK, "current", "2026-W47"),
        (WindowKind.WEEK, "previous", "2026-W46"),
        (WindowKind.WEEK, "2026-W47", "2026-W47"),
        (WindowKind.WEEK, "2026-W53", "2026-W53"),
        (WindowKind.WEEK, "2027-01-03", "2026-W53"),
        (WindowKind.QUARTER, "current", "2026-Q4"),
        (WindowKind.QUARTER, "previous", "2026-Q3"),
        (WindowKind.QUARTER, "2026-Q1", "2026-Q1"),
        (WindowKind.QUARTER, "2026-Q4", "2026-Q4"),
        (WindowKind.QUARTER, "2026-07-01", "2026-Q3"),
        (WindowKind.ROLLING_28D, "current", "2026-10-26/2026-11-23"),
        (WindowKind.ROLLING_28D, "previous", "2026-09-28/2026-10-26"),
        (WindowKind.ROLLING_28D, "2026-11-23", "2026-11-23/2026-12-21"),
    ],
)
def test_parse_period_reads_each_form(kind: WindowKind, text: str, label: str) -> None:
    period = parse_period(kind, text, "Europe/Paris", anchor=ANCHOR, now=NOW)
    assert period.label == label
    assert period == containing(kind, period.start)


def test_parse_period_reads_a_date_in_the_sla_zone():
    # The first of a month, in a zone whose midnight is the previous day in UTC.
    period = parse_period(WindowKind.MONTH, "2026-11-01", "Asia/Tokyo", anchor=ANCHOR, now=NOW)
    assert period.label == "2026-11"
    assert period.start == utc(2026, 10, 31, 15)


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (WindowKind.MONTH, "2026-13", "period: '2026-13' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "2026-00", "period: '2026-00' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "0000-01", "period: '0000-01' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "2026-W47", "period: '2026-W47' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "2026-1", "period: '2026-1' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "", "period: '' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "Current", "period: 'Current' is not a month (YYYY-MM)"),
        (WindowKind.MONTH, "2026-02-30", "period: '2026-02-30' is not a date (YYYY-MM-DD)"),
        (WindowKind.WEEK, "2025-W53", "period: '2025-W53' is not a week (YYYY-Www)"),
        (WindowKind.WEEK, "2026-W00", "period: '2026-W00' is not a week (YYYY-Www)"),
        (WindowKind.WEEK, "2026-11", "period: '2026-11' is not a week (YYYY-Www)"),
        (WindowKind.QUARTER, "2026-Q5", "period: '2026-Q5' is not a quarter (YYYY-Qn)"),
        (WindowKind.QUARTER, "2026-Q0", "period: '2026-Q0' is not a quarter (YYYY-Qn)"),
        (WindowKind.QUARTER, "2026-11", "period: '2026-11' is not a quarter (YYYY-Qn)"),
        (
            WindowKind.ROLLING_28D,
            "2026-11",
            "period: '2026-11' is not a 28-day block (a date in it, YYYY-MM-DD)",
        ),
        (
            WindowKind.ROLLING_28D,
            "2026-W47",
            "period: '2026-W47' is not a 28-day block (a date in it, YYYY-MM-DD)",
        ),
        (WindowKind.MONTH, "9999-12", "period: '9999-12' is out of range"),
        (
            WindowKind.MONTH,
            "0001-01",
            "period: '0001-01' is out of range",
        ),  # 1 Jan 0001 Paris is in year 0 UTC
    ],
)
def test_parse_period_names_the_expected_form(kind: WindowKind, text: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(kind, text, "Europe/Paris", anchor=ANCHOR, now=NOW)
    assert str(caught.value) == message


# --- refusals -----------------------------------------------------------------------------------------

NAIVE = datetime(2026, 11, 5, 12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: containing(WindowKind.MONTH, NAIVE),
            "at: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (
            lambda: period_containing(WindowKind.MONTH, NOW, "UTC", anchor=NAIVE),
            "anchor: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (
            lambda: periods_between(WindowKind.WEEK, NAIVE, NOW, "UTC", anchor=ANCHOR),
            "start: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (
            lambda: periods_between(WindowKind.WEEK, NOW, NAIVE, "UTC", anchor=ANCHOR),
            "end: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (
            lambda: previous_period(WindowKind.WEEK, containing(WindowKind.WEEK, NOW), "UTC", anchor=NAIVE),
            "anchor: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (lambda: rolling_window(NAIVE), "at: 2026-11-05T12:00:00 is a naive datetime; give a time zone"),
        (
            lambda: parse_period(WindowKind.MONTH, "2026-11", "UTC", anchor=ANCHOR, now=NAIVE),
            "now: 2026-11-05T12:00:00 is a naive datetime; give a time zone",
        ),
        (lambda: containing(WindowKind.MONTH, NOW, "Mars/Base"), "timezone: unknown time zone 'Mars/Base'"),
        (
            lambda: periods_between(WindowKind.MONTH, NOW, NOW, "", anchor=ANCHOR),
            "timezone: unknown time zone ''",
        ),
        (
            lambda: parse_period(WindowKind.MONTH, "current", "../etc", anchor=ANCHOR, now=NOW),
            "timezone: unknown time zone '../etc'",
        ),
    ],
)
def test_naive_datetimes_and_unknown_zones_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        call()
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


# --- properties -------------------------------------------------------------------------------------

LABELS = {
    WindowKind.MONTH: r"\d{4}-\d{2}",
    WindowKind.WEEK: r"\d{4}-W\d{2}",
    WindowKind.QUARTER: r"\d{4}-Q[1-4]",
    WindowKind.ROLLING_28D: r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}",
}
DAYS = {
    WindowKind.MONTH: (28, 31),
    WindowKind.WEEK: (7, 7),
    WindowKind.QUARTER: (90, 92),
    WindowKind.ROLLING_28D: (28, 28),
}
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
FIXTURES_ARE_HARMLESS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@pytest.mark.property
@FIXTURES_ARE_HARMLESS
@given(kind=st.sampled_from(WindowKind), timezone=st.sampled_from(ZONES), at=instants, anchor=instants)
def test_the_containing_period_contains_the_instant_and_chains(
    kind: WindowKind, timezone: str, at: datetime, anchor: datetime
) -> None:
    period = period_containing(kind, at, timezone, anchor=anchor)
    assert period.start <= at < period.end
    assert re.fullmatch(LABELS[kind], period.label)
    shortest, longest = DAYS[kind]
    assert shortest * DAY - HOUR <= period.seconds <= longest * DAY + HOUR
    before = previous_period(kind, period, timezone, anchor=anchor)
    assert before.end == period.start
    assert period_containing(kind, period.end, timezone, anchor=anchor).start == period.end


@pytest.mark.property
@FIXTURES_ARE_HARMLESS
@given(
    kind=st.sampled_from(WindowKind),
    timezone=st.sampled_from(ZONES),
    start=instants,
    length=st.integers(0, 400),
)
def test_periods_between_tile_the_range(
    kind: WindowKind, timezone: str, start: datetime, length: int
) -> None:
    end = start + timedelta(days=length)
    periods = periods_between(kind, start, end, timezone, anchor=utc(2024, 5, 17, 9))
    if length == 0:
        assert periods == []
        return
    assert periods[0].start <= start < periods[0].end
    assert periods[-1].start < end <= periods[-1].end
    assert all(first.end == second.start for first, second in itertools.pairwise(periods))
