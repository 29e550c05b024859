"""Business calendars: hours, holidays, DST days, and business-time arithmetic (frozen dates, no clock)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pysteward.server.slas.calendar import DEFAULT_OFFICE_HOURS, Calendar, CalendarError

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0
SECOND = timedelta(seconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
EVERY_DAY = (*WEEKDAYS, "sat", "sun")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(timezone: str, *spans: tuple[str, str], days: tuple[str, ...] = EVERY_DAY) -> Calendar:
    return Calendar.from_spec(
        timezone=timezone, weekly_hours={day: [list(span) for span in spans] for day in days}, holidays=()
    )


OFFICE = Calendar.office_hours("Europe/Paris")
LUNCH = Calendar.from_spec(
    timezone="Europe/Paris",
    weekly_hours={day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in WEEKDAYS},
    holidays=["2026-12-24", "2026-12-25", "2026-05-01"],
)
CHRISTMAS = Calendar.from_spec(
    timezone="Europe/Paris", weekly_hours=DEFAULT_OFFICE_HOURS, holidays=["2026-12-24", "2026-12-25"]
)


# --- construction -----------------------------------------------------------------------------------


def test_office_hours_are_monday_to_friday_nine_to_five():
    assert OFFICE.timezone is PARIS
    nine_to_five = ((paris(2026, 1, 1, 9).time(), paris(2026, 1, 1, 17).time()),)
    assert OFFICE.weekly == (nine_to_five,) * 5 + ((), ())
    assert OFFICE.holidays == frozenset()
    assert not OFFICE.always


def test_from_spec_sorts_spans_and_reads_holidays_and_a_24_00_end():
    calendar = Calendar.from_spec(
        timezone="UTC",
        weekly_hours={"sat": [["18:00", "24:00"], ["08:00", "12:00"]]},
        holidays=["2026-12-25", "2028-02-29"],
    )
    saturday = calendar.weekly[5]
    assert [(start.isoformat(), end and end.isoformat()) for start, end in saturday] == [
        ("08:00:00", "12:00:00"),
        ("18:00:00", None),
    ]
    assert calendar.weekly[:5] == ((),) * 5
    assert calendar.holidays == {date(2026, 12, 25), date(2028, 2, 29)}


@pytest.mark.parametrize(
    ("timezone", "weekly_hours", "holidays", "message"),
    [
        ("Mars/Base", {"mon": [["09:00", "17:00"]]}, [], "timezone: unknown time zone 'Mars/Base'"),
        ("", {"mon": [["09:00", "17:00"]]}, [], "timezone: unknown time zone ''"),
        ("../etc", {"mon": [["09:00", "17:00"]]}, [], "timezone: unknown time zone '../etc'"),
        (
            "UTC",
            {"monday": [["09:00", "17:00"]]},
            [],
            "weekly_hours: unknown day 'monday' (use mon, tue, wed, thu, fri, sat, sun)",
        ),
        (
            "UTC",
            {"mon": "09:00-17:00"},
            [],
            "weekly_hours.mon: give a list of [start, end] spans, not '09:00-17:00'",
        ),
        (
            "UTC",
            {"mon": [["09:00"]]},
            [],
            "weekly_hours.mon[0]: a span is a pair [start, end], got ['09:00']",
        ),
        ("UTC", {"mon": ["0900"]}, [], "weekly_hours.mon[0]: a span is a pair [start, end], got '0900'"),
        ("UTC", {"mon": [["9:00", "17:00"]]}, [], "weekly_hours.mon[0]: start '9:00' is not a time (HH:MM)"),
        ("UTC", {"tue": [["09:00", "17:60"]]}, [], "weekly_hours.tue[0]: end '17:60' is not a time (HH:MM)"),
        ("UTC", {"wed": [[9, 17]]}, [], "weekly_hours.wed[0]: start 9 is not a time (HH:MM)"),
        (
            "UTC",
            {"mon": [["24:00", "24:00"]]},
            [],
            "weekly_hours.mon[0]: start 24:00 is not a time of day (HH:MM, 00:00 to 23:59)",
        ),
        ("UTC", {"mon": [["09:00", "08:00"]]}, [], "weekly_hours.mon[0]: end 08:00 is not after start 09:00"),
        ("UTC", {"fri": [["09:00", "09:00"]]}, [], "weekly_hours.fri[0]: end 09:00 is not after start 09:00"),
        (
            "UTC",
            {"tue": [["13:00", "17:00"], ["09:00", "13:30"]]},
            [],
            "weekly_hours.tue[0]: 13:00–17:00 overlaps 09:00–13:30",
        ),
        (
            "UTC",
            {"sun": [["18:00", "24:00"], ["20:00", "21:00"]]},
            [],
            "weekly_hours.sun[1]: 20:00–21:00 overlaps 18:00–24:00",
        ),
        (
            "UTC",
            {"mon": [["09:00", "17:00"]]},
            ["2026-12-25", "2026-12-26", "2026-02-30"],
            "holidays[2]: '2026-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            "UTC",
            {"mon": [["09:00", "17:00"]]},
            ["20261225"],
            "holidays[0]: '20261225' is not a date (YYYY-MM-DD)",
        ),
        ("UTC", {"mon": [["09:00", "17:00"]]}, [None], "holidays[0]: None is not a date (YYYY-MM-DD)"),
        ("UTC", {}, [], "weekly_hours: the week has no business hours"),
        ("UTC", {"mon": [], "sun": []}, [], "weekly_hours: the week has no business hours"),
    ],
)
def test_from_spec_names_the_bad_field(timezone: str, weekly_hours: Any, holidays: Any, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        Calendar.from_spec(timezone=timezone, weekly_hours=weekly_hours, holidays=holidays)
    assert str(caught.value) == message


def test_a_calendar_error_is_a_value_error():
    assert issubclass(CalendarError, ValueError)


def test_a_hand_built_calendar_needs_seven_days_with_some_hours():
    with pytest.raises(CalendarError, match=r"^weekly: a week has 7 days, got 5$"):
        Calendar(PARIS, OFFICE.weekly[:5], frozenset())
    with pytest.raises(CalendarError, match=r"^weekly_hours: the week has no business hours$"):
        Calendar(PARIS, ((),) * 7, frozenset())
    nine = OFFICE.weekly[0][0][0]
    with pytest.raises(CalendarError, match=r"^weekly_hours: the week has no business hours$"):
        Calendar(PARIS, (((nine, nine),),) * 7, frozenset())


def test_touching_spans_are_allowed_and_come_out_as_one_span():
    calendar = daily("UTC", ("09:00", "12:00"), ("12:00", "17:00"))
    assert list(calendar.open_spans(utc(2026, 6, 1), utc(2026, 6, 2))) == [
        (utc(2026, 6, 1, 9), utc(2026, 6, 1, 17))
    ]


# --- is_open ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (paris(2026, 6, 1, 9), True),  # Monday, opening instant
        (paris(2026, 6, 1, 17) - SECOND, True),
        (paris(2026, 6, 1, 17), False),  # the end is exclusive
        (paris(2026, 6, 1, 8, 59), False),
        (paris(2026, 6, 1, 12, 30), False),  # lunch
        (paris(2026, 6, 6, 10), False),  # Saturday
        (paris(2026, 12, 25, 10), False),  # holiday
        (paris(2026, 12, 28, 10), True),
        (utc(2026, 6, 1, 7), True),  # 09:00 in Paris summer time
        (new_york(2026, 6, 1, 3), True),  # 09:00 in Paris
    ],
)
def test_is_open_reads_local_hours_lunch_weekends_and_holidays(at: datetime, expected: bool) -> None:
    assert LUNCH.is_open(at) is expected


def test_a_span_ending_at_24_00_runs_into_the_next_morning():
    calendar = Calendar.from_spec(
        timezone="Europe/Paris",
        weekly_hours={"sat": [["18:00", "24:00"]], "sun": [["00:00", "06:00"]]},
        holidays=(),
    )
    assert calendar.is_open(paris(2026, 6, 7) - SECOND)
    assert calendar.is_open(paris(2026, 6, 7, 0))
    assert not calendar.is_open(paris(2026, 6, 7, 6))
    spans = list(calendar.open_spans(paris(2026, 6, 1), paris(2026, 6, 15)))
    assert spans == [
        (paris(2026, 6, 6, 18), paris(2026, 6, 7, 6)),
        (paris(2026, 6, 13, 18), paris(2026, 6, 14, 6)),
    ]
    assert calendar.business_seconds(paris(2026, 6, 6, 20), paris(2026, 6, 7, 2)) == 6 * HOUR


# --- business_seconds and open_spans ----------------------------------------------------------------


def test_a_working_week_of_office_hours_is_forty_hours():
    assert OFFICE.business_seconds(paris(2026, 6, 1), paris(2026, 6, 8)) == 40 * HOUR
    assert OFFICE.business_seconds(utc(2026, 6, 1), utc(2026, 6, 8)) == 40 * HOUR


def test_business_seconds_is_zero_for_an_empty_or_reversed_range():
    assert OFFICE.business_seconds(paris(2026, 6, 1, 10), paris(2026, 6, 1, 10)) == 0
    assert OFFICE.business_seconds(paris(2026, 6, 1, 12), paris(2026, 6, 1, 10)) == 0
    assert list(OFFICE.open_spans(paris(2026, 6, 1, 12), paris(2026, 6, 1, 10))) == []


def test_business_seconds_clips_to_the_range_and_skips_lunch():
    assert LUNCH.business_seconds(paris(2026, 6, 1, 11), paris(2026, 6, 1, 14)) == 2 * HOUR
    assert LUNCH.business_seconds(paris(2026, 6, 1, 12, 15), paris(2026, 6, 1, 12, 45)) == 0
    assert LUNCH.business_seconds(paris(2026, 6, 5, 16), paris(2026, 6, 8, 10)) == 2 * HOUR


def test_open_spans_are_utc_clipped_and_in_order():
    spans = list(LUNCH.open_spans(paris(2026, 6, 1, 10), paris(2026, 6, 2, 10)))
    assert spans == [
        (utc(2026, 6, 1, 8), utc(2026, 6, 1, 10)),
        (utc(2026, 6, 1, 11), utc(2026, 6, 1, 15)),
        (utc(2026, 6, 2, 7), utc(2026, 6, 2, 8)),
    ]
    assert all(start.tzinfo is UTC and end.tzinfo is UTC for start, end in spans)


def test_holidays_consecutive_ones_included_have_no_hours():
    # Wednesday 23 to Monday 28 December 2026: only Wednesday afternoon and Monday morning are open.
    assert LUNCH.business_seconds(paris(2026, 12, 23, 15), paris(2026, 12, 28, 11)) == 4 * HOUR
    assert list(LUNCH.open_spans(paris(2026, 12, 24), paris(2026, 12, 26))) == []


@pytest.mark.parametrize(
    ("calendar", "day", "hours"),
    [
        (daily("Europe/Paris", ("09:00", "17:00")), paris(2026, 3, 29), 8),  # spring forward
        (daily("Europe/Paris", ("09:00", "17:00")), paris(2026, 10, 25), 8),  # autumn back
        (daily("Europe/Paris", ("00:00", "24:00")), paris(2026, 3, 29), 23),
        (daily("Europe/Paris", ("00:00", "24:00")), paris(2026, 10, 25), 25),
        (daily("Europe/Paris", ("00:00", "24:00")), paris(2026, 3, 28), 24),
        (daily("America/New_York", ("09:00", "17:00")), new_york(2026, 3, 8), 8),
        (daily("America/New_York", ("09:00", "17:00")), new_york(2026, 11, 1), 8),
        (daily("America/New_York", ("00:00", "24:00")), new_york(2026, 3, 8), 23),
        (daily("America/New_York", ("00:00", "24:00")), new_york(2026, 11, 1), 25),
        (daily("America/New_York", ("01:00", "03:00")), new_york(2026, 3, 8), 1),  # 02:00–03:00 skipped
        (daily("America/New_York", ("01:00", "03:00")), new_york(2026, 11, 1), 3),  # 01:00–02:00 twice
    ],
)
def test_dst_days_count_real_time(calendar: Calendar, day: datetime, hours: int) -> None:
    next_midnight = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=day.tzinfo)
    assert calendar.business_seconds(day, next_midnight) == hours * HOUR


def test_the_dst_week_in_paris_still_has_forty_office_hours():
    assert OFFICE.business_seconds(paris(2026, 3, 23), paris(2026, 3, 30)) == 40 * HOUR
    assert OFFICE.business_seconds(paris(2026, 3, 30), paris(2026, 4, 6)) == 40 * HOUR
    assert list(OFFICE.open_spans(paris(2026, 3, 27, 16), paris(2026, 3, 30, 10))) == [
        (utc(2026, 3, 27, 15), utc(2026, 3, 27, 16)),
        (utc(2026, 3, 30, 7), utc(2026, 3, 30, 8)),
    ]


def test_a_span_wholly_inside_the_spring_gap_is_read_with_fold_0():
    calendar = daily("Europe/Paris", ("02:00", "02:30"), days=("sun",))
    # 02:00 and 02:30 do not exist on 29 March 2026; fold=0 reads them at +01:00, i.e. 03:00–03:30 CEST.
    assert list(calendar.open_spans(paris(2026, 3, 29), paris(2026, 3, 30))) == [
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))
    ]


def test_a_span_the_spring_gap_would_reverse_is_empty_not_negative():
    calendar = daily("Europe/Paris", ("02:30", "03:00"), days=("sun",))
    # 02:30 reads as 03:30 CEST, after 03:00 CEST: the span would end before it starts.
    assert list(calendar.open_spans(paris(2026, 3, 29), paris(2026, 3, 30))) == []
    assert calendar.business_seconds(paris(2026, 3, 22), paris(2026, 4, 6)) == 2 * 30 * 60
    assert calendar.add(paris(2026, 3, 28), 30 * 60) == utc(2026, 4, 5, 1)  # the next Sunday, 03:00 CEST


def test_spans_the_spring_gap_would_overlap_are_clipped_not_counted_twice():
    calendar = daily("Europe/Paris", ("01:00", "02:30"), ("03:00", "04:00"), days=("sun",))
    # 01:00–02:30 reads as 00:00–01:30 UTC, 03:00–04:00 as 01:00–02:00 UTC: together 00:00–02:00 UTC.
    assert list(calendar.open_spans(paris(2026, 3, 29), paris(2026, 3, 30))) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    ]
    assert calendar.business_seconds(paris(2026, 3, 29), paris(2026, 3, 30)) == 2 * HOUR


# --- add ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "hours", "expected"),
    [
        (OFFICE, paris(2026, 6, 1, 10), 2, paris(2026, 6, 1, 12)),
        (OFFICE, paris(2026, 6, 1, 7), 1, paris(2026, 6, 1, 10)),  # before opening
        (OFFICE, paris(2026, 6, 1, 16), 8, paris(2026, 6, 2, 16)),
        (OFFICE, paris(2026, 6, 1, 10), 7, paris(2026, 6, 1, 17)),  # the earliest instant: closing time
        (OFFICE, paris(2026, 6, 5, 16), 2, paris(2026, 6, 8, 10)),  # over the weekend
        (OFFICE, paris(2026, 6, 6, 12), 1, paris(2026, 6, 8, 10)),  # from a Saturday
        (OFFICE, paris(2026, 3, 27, 16), 2, paris(2026, 3, 30, 10)),  # over the spring change
        (OFFICE, paris(2026, 10, 23, 16), 2, paris(2026, 10, 26, 10)),  # over the autumn change
        (LUNCH, paris(2026, 6, 1, 10), 2, paris(2026, 6, 1, 12)),  # earliest: not 13:00
        (LUNCH, paris(2026, 6, 1, 10), 3.5, paris(2026, 6, 1, 14, 30)),
        (LUNCH, paris(2026, 12, 23, 16), 2, paris(2026, 12, 28, 10)),  # over two holidays and a weekend
        (CHRISTMAS, paris(2026, 12, 23, 16), 1, paris(2026, 12, 23, 17)),
        (OFFICE, paris(2026, 6, 1, 9), 52 * 40, paris(2027, 5, 28, 17)),  # a year of business time
    ],
)
def test_add_counts_only_business_time(
    calendar: Calendar, start: datetime, hours: float, expected: datetime
) -> None:
    due = calendar.add(start, hours * HOUR)
    assert due == expected
    assert due.tzinfo is UTC
    assert calendar.business_seconds(start, due) == hours * HOUR


def test_adding_nothing_returns_the_start_even_when_closed():
    assert OFFICE.add(paris(2026, 6, 6, 12), 0) == paris(2026, 6, 6, 12)
    assert OFFICE.add(paris(2026, 6, 6, 12), 0).tzinfo is UTC


def test_add_terminates_on_a_holiday_heavy_calendar():
    weekdays_of_2026 = [
        (date(2026, 1, 1) + timedelta(days=n)).isoformat()
        for n in range(365)
        if (date(2026, 1, 1) + timedelta(days=n)).weekday() < 5
    ]
    calendar = Calendar.from_spec(
        timezone="Europe/Paris", weekly_hours=DEFAULT_OFFICE_HOURS, holidays=weekdays_of_2026
    )
    assert calendar.add(paris(2026, 1, 1, 10), HOUR) == paris(2027, 1, 1, 10)


@pytest.mark.parametrize("seconds", [-1.0, math.nan, math.inf])
def test_add_refuses_a_negative_or_non_finite_amount(seconds: float) -> None:
    with pytest.raises(ValueError, match=r"^seconds: .* is not a finite number >= 0$"):
        OFFICE.add(paris(2026, 6, 1, 10), seconds)


# --- add_days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        (OFFICE, paris(2026, 6, 5, 15), 1, paris(2026, 6, 8, 15)),  # Friday afternoon: Monday afternoon
        (OFFICE, paris(2026, 6, 1, 7), 1, paris(2026, 6, 2, 9)),  # before opening: from 09:00
        (OFFICE, paris(2026, 6, 1, 17), 1, paris(2026, 6, 3, 9)),  # at closing: from the next opening
        (OFFICE, paris(2026, 6, 6, 11), 1, paris(2026, 6, 9, 9)),  # Saturday: from Monday's opening
        (OFFICE, paris(2026, 6, 1, 10, 30), 5, paris(2026, 6, 8, 10, 30)),
        (OFFICE, paris(2026, 6, 1, 10, 30), 0, paris(2026, 6, 1, 10, 30)),
        (OFFICE, paris(2026, 6, 6, 11), 0, paris(2026, 6, 8, 9)),  # zero days still snaps forward
        (CHRISTMAS, paris(2026, 12, 25, 11), 1, paris(2026, 12, 29, 9)),  # on a holiday
        (CHRISTMAS, paris(2026, 12, 23, 10), 1, paris(2026, 12, 28, 10)),  # the due day is a holiday
        (CHRISTMAS, paris(2026, 12, 22, 16), 2, paris(2026, 12, 28, 16)),
        (OFFICE, paris(2026, 3, 27, 16), 1, paris(2026, 3, 30, 16)),  # over the spring change
        (OFFICE, paris(2026, 10, 23, 16), 1, paris(2026, 10, 26, 16)),  # over the autumn change
        (LUNCH, paris(2026, 6, 1, 12, 30), 1, paris(2026, 6, 2, 13)),  # lunch: from 13:00, lands on 13:00
        (LUNCH, paris(2026, 6, 1, 14), 1, paris(2026, 6, 2, 14)),
    ],
)
def test_add_days_keeps_the_business_time_of_day(
    calendar: Calendar, start: datetime, days: int, expected: datetime
) -> None:
    due = calendar.add_days(start, days)
    assert due == expected
    assert due.tzinfo is UTC


def test_add_days_stops_at_the_end_of_a_shorter_day():
    calendar = Calendar.from_spec(
        timezone="Europe/Paris",
        weekly_hours={"thu": [["09:00", "17:00"]], "fri": [["09:00", "13:00"]]},
        holidays=(),
    )
    assert calendar.add_days(paris(2026, 6, 4, 16), 1) == paris(2026, 6, 5, 13)
    assert calendar.add_days(paris(2026, 6, 4, 12), 1) == paris(2026, 6, 5, 12)
    assert calendar.add_days(paris(2026, 6, 5, 12), 1) == paris(2026, 6, 11, 12)


def test_add_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match=r"^days: -1 is negative$"):
        OFFICE.add_days(paris(2026, 6, 1, 10), -1)


# --- around the clock ---------------------------------------------------------------------------------


def test_around_the_clock_counts_every_instant():
    always = Calendar.around_the_clock()
    assert always.always
    start = paris(2026, 3, 28, 12)
    assert always.is_open(paris(2026, 3, 29, 2, 30))
    # Two local days later is 47 h of real time here: the clocks spring forward on 29 March.
    assert always.business_seconds(start, start + timedelta(days=2)) == 47 * HOUR
    assert always.business_seconds(start, start.astimezone(UTC) + timedelta(hours=48)) == 48 * HOUR
    assert always.business_seconds(start, start - timedelta(days=2)) == 0
    assert list(always.open_spans(start, start + timedelta(hours=1))) == [
        (utc(2026, 3, 28, 11), utc(2026, 3, 28, 12))
    ]
    assert always.add(start, 90) == utc(2026, 3, 28, 11, 1) + 30 * SECOND
    assert always.add_days(start, 3) == utc(2026, 3, 31, 11)


# --- naive datetimes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [OFFICE, Calendar.around_the_clock()])
def test_naive_datetimes_are_refused(calendar: Calendar) -> None:
    naive, aware = datetime(2026, 6, 1, 10), paris(2026, 6, 1, 10)
    calls: list[Callable[[], object]] = [
        lambda: calendar.is_open(naive),
        lambda: list(calendar.open_spans(naive, aware)),
        lambda: calendar.business_seconds(aware, naive),
        lambda: calendar.add(naive, 60),
        lambda: calendar.add_days(naive, 1),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"^(at|start|end): 2026-06-01T10:00:00 is a naive datetime"):
            call()


def test_open_spans_refuses_a_naive_datetime_before_being_iterated():
    with pytest.raises(ValueError, match=r"^end: "):
        OFFICE.open_spans(paris(2026, 6, 1), datetime(2026, 6, 2))


# --- properties -------------------------------------------------------------------------------------

CALENDARS = [
    LUNCH,
    CHRISTMAS,
    daily("America/New_York", ("01:00", "03:00"), ("22:00", "24:00"), days=("sat", "sun")),
    Calendar.from_spec(
        timezone="Europe/Paris",
        weekly_hours={"sun": [["00:00", "02:30"], ["03:00", "24:00"]], "wed": [["08:00", "20:00"]]},
        holidays=["2026-12-30"],
    ),
]
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
amounts = st.floats(min_value=0, max_value=60 * 24 * HOUR, allow_nan=False)
FIXTURES_ARE_HARMLESS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@pytest.mark.property
@FIXTURES_ARE_HARMLESS
@given(calendar=st.sampled_from(CALENDARS), start=instants, seconds=amounts)
def test_add_and_business_seconds_round_trip(calendar: Calendar, start: datetime, seconds: float) -> None:
    due = calendar.add(start, seconds)
    assert due >= start
    assert math.isclose(calendar.business_seconds(start, due), seconds, abs_tol=1e-6)
    if due > start:
        # The earliest such instant: a microsecond before, the business time is short.
        assert calendar.business_seconds(start, due - timedelta(microseconds=1)) < seconds


@pytest.mark.property
@FIXTURES_ARE_HARMLESS
@given(calendar=st.sampled_from(CALENDARS), points=st.lists(instants, min_size=3, max_size=3))
def test_business_seconds_adds_up_and_matches_open_spans(calendar: Calendar, points: list[datetime]) -> None:
    a, b, c = sorted(points)
    assert calendar.business_seconds(a, c) == pytest.approx(
        calendar.business_seconds(a, b) + calendar.business_seconds(b, c), abs=1e-6
    )
    spans = list(calendar.open_spans(a, c))
    assert all(a <= s < e <= c for s, e in spans)
    assert all(first[1] < second[0] for first, second in itertools.pairwise(spans))
    assert all(calendar.is_open(s) and not calendar.is_open(e) for s, e in spans if e < c)


@pytest.mark.property
@FIXTURES_ARE_HARMLESS
@given(calendar=st.sampled_from(CALENDARS), start=instants, days=st.integers(min_value=0, max_value=30))
def test_add_days_lands_in_or_at_the_end_of_business_hours(
    calendar: Calendar, start: datetime, days: int
) -> None:
    due = calendar.add_days(start, days)
    assert due >= start
    # An instant inside business hours, or the end of a business day's last span.
    assert calendar.is_open(due) or calendar.is_open(due - timedelta(microseconds=1))
