"""Maintenance windows: one-off spans, cron and RRULE occurrences across DST, merging (frozen dates)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pysteward.server.slas.maintenance import MaintenanceError, MaintenanceSpec, merge, occurrences, validate
from pysteward.server.slas.models import MaintenanceKind

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = timedelta(hours=1)
MINUTES = timedelta(minutes=1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


SINCE_2025 = utc(2025, 1, 1)


def once(starts_at: datetime, ends_at: datetime | None) -> MaintenanceSpec:
    return MaintenanceSpec(kind=MaintenanceKind.ONCE, starts_at=starts_at, ends_at=ends_at)


def cron(
    expression: str,
    timezone: str = "Europe/Paris",
    duration: timedelta = 2 * HOURS,
    starts_at: datetime = SINCE_2025,
    ends_at: datetime | None = None,
) -> MaintenanceSpec:
    return MaintenanceSpec(
        kind=MaintenanceKind.CRON,
        starts_at=starts_at,
        ends_at=ends_at,
        expression=expression,
        duration=duration,
        timezone=timezone,
    )


def rrule(
    expression: str,
    starts_at: datetime,
    timezone: str = "Europe/Paris",
    duration: timedelta = 2 * HOURS,
    ends_at: datetime | None = None,
) -> MaintenanceSpec:
    return MaintenanceSpec(
        kind=MaintenanceKind.RRULE,
        starts_at=starts_at,
        ends_at=ends_at,
        expression=expression,
        duration=duration,
        timezone=timezone,
    )


def starts(spans: list[tuple[datetime, datetime]]) -> list[datetime]:
    return [start for start, _ in spans]


# --- one-off windows ----------------------------------------------------------------------------------

ONE_OFF = once(paris(2026, 6, 1, 22), paris(2026, 6, 2, 2))  # 20:00 to 00:00 UTC


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (utc(2026, 6, 1), utc(2026, 6, 3), [(utc(2026, 6, 1, 20), utc(2026, 6, 2))]),  # inside the range
        (
            utc(2026, 6, 1, 21),
            utc(2026, 6, 1, 23),
            [(utc(2026, 6, 1, 21), utc(2026, 6, 1, 23))],
        ),  # over both edges
        (
            utc(2026, 6, 1, 22),
            utc(2026, 6, 3),
            [(utc(2026, 6, 1, 22), utc(2026, 6, 2))],
        ),  # began before start
        (utc(2026, 6, 1), utc(2026, 6, 1, 21), [(utc(2026, 6, 1, 20), utc(2026, 6, 1, 21))]),  # runs past end
        (utc(2026, 6, 1), utc(2026, 6, 1, 20), []),  # the range ends where the window starts
        (utc(2026, 6, 2), utc(2026, 6, 3), []),  # the range starts where the window ends
        (utc(2026, 6, 3), utc(2026, 6, 1), []),  # an empty range
    ],
)
def test_a_one_off_window_is_clipped_to_the_range(
    start: datetime, end: datetime, expected: list[tuple[datetime, datetime]]
) -> None:
    spans = occurrences(ONE_OFF, start, end)
    assert spans == expected
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in spans)


# --- cron -----------------------------------------------------------------------------------------------


def test_a_weekly_cron_window_stays_at_local_time_over_the_spring_change_in_paris():
    spans = occurrences(cron("0 2 * * sun"), paris(2026, 3, 15), paris(2026, 4, 10))
    assert spans == [
        (utc(2026, 3, 15, 1), utc(2026, 3, 15, 3)),
        (utc(2026, 3, 22, 1), utc(2026, 3, 22, 3)),
        # 02:00 does not exist on 29 March; read with fold=0 it is 03:00 summer time, 01:00 UTC.
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 3)),
        (utc(2026, 4, 5, 0), utc(2026, 4, 5, 2)),  # 02:00 summer time
    ]


def test_a_weekly_cron_window_happens_once_over_the_autumn_change_in_paris():
    spans = occurrences(cron("0 2 * * sun"), paris(2026, 10, 17), paris(2026, 11, 2))
    # 02:00 happens twice on 25 October; a fixed-time window takes the first, summer-time one.
    assert starts(spans) == [utc(2026, 10, 18, 0), utc(2026, 10, 25, 0), utc(2026, 11, 1, 1)]


def test_a_weekly_cron_window_stays_at_local_time_in_new_york():
    spring = occurrences(cron("0 2 * * sun", "America/New_York"), new_york(2026, 3, 1), new_york(2026, 3, 16))
    # 8 March: 02:00 is skipped, read as 03:00 daylight time (07:00 UTC), like 02:00 standard time.
    assert starts(spring) == [utc(2026, 3, 1, 7), utc(2026, 3, 8, 7), utc(2026, 3, 15, 6)]
    autumn = occurrences(
        cron("0 2 * * sun", "America/New_York"), new_york(2026, 10, 20), new_york(2026, 11, 2)
    )
    assert starts(autumn) == [utc(2026, 10, 25, 6), utc(2026, 11, 1, 7)]


def test_a_fixed_cron_time_repeated_in_autumn_runs_once():
    spans = occurrences(
        cron("30 1 * * *", "America/New_York", 10 * MINUTES), new_york(2026, 11, 1), new_york(2026, 11, 2)
    )
    assert spans == [(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 40))]


def test_a_wildcard_cron_runs_by_real_time_over_both_dst_changes():
    window = 10 * MINUTES
    autumn = occurrences(
        cron("*/30 1 * * *", "America/New_York", window), new_york(2026, 11, 1), new_york(2026, 11, 2)
    )
    # 01:00 and 01:30 happen twice on 1 November, in daylight time and then in standard time.
    assert starts(autumn) == [
        utc(2026, 11, 1, 5),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 6),
        utc(2026, 11, 1, 6, 30),
    ]
    spring = occurrences(
        cron("*/30 1,2 * * *", "America/New_York", window), new_york(2026, 3, 8), new_york(2026, 3, 9)
    )
    # 02:00 and 02:30 never happen on 8 March.
    assert starts(spring) == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30)]


def test_a_fixed_cron_time_in_the_gap_is_read_with_fold_0_and_kept_once():
    spans = occurrences(cron("30 2,3 * * *", duration=MINUTES), paris(2026, 3, 29), paris(2026, 3, 30))
    # 02:30 reads as 03:30 summer time (01:30 UTC), the same instant as 03:30: one occurrence.
    assert starts(spans) == [utc(2026, 3, 29, 1, 30)]


def test_a_five_minute_cron_over_thirteen_months_covers_every_slot():
    start, end = utc(2025, 12, 1), utc(2027, 1, 1)
    spans = occurrences(cron("*/5 * * * *", duration=5 * MINUTES), start, end)
    assert len(spans) == 396 * 24 * 12  # 396 days of real time, both DST changes included
    assert merge(spans) == [(start, end)]


def test_an_occurrence_that_began_before_the_range_is_included_clipped():
    spans = occurrences(cron("0 2 * * *", "UTC", 3 * HOURS), utc(2026, 6, 1, 3), utc(2026, 6, 1, 12))
    assert spans == [(utc(2026, 6, 1, 3), utc(2026, 6, 1, 5))]


def test_cron_occurrences_respect_starts_at_and_ends_at():
    spec = cron("0 2 * * *", "UTC", HOURS, starts_at=utc(2026, 6, 2, 2), ends_at=utc(2026, 6, 4, 2))
    spans = occurrences(spec, utc(2026, 6, 1), utc(2026, 6, 10))
    # From starts_at on; none starting at or after ends_at.
    assert starts(spans) == [utc(2026, 6, 2, 2), utc(2026, 6, 3, 2)]
    late = cron("0 2 * * *", "UTC", 3 * HOURS, starts_at=utc(2026, 6, 1), ends_at=utc(2026, 6, 1, 3))
    # An occurrence that started before ends_at runs its full length.
    assert occurrences(late, utc(2026, 6, 1), utc(2026, 6, 2)) == [(utc(2026, 6, 1, 2), utc(2026, 6, 1, 5))]


def test_cron_day_fields_follow_cron_rules():
    leap = occurrences(cron("0 3 29 2 *", "UTC", HOURS), utc(2026, 1, 1), utc(2030, 1, 1))
    assert starts(leap) == [utc(2028, 2, 29, 3)]
    # Both day-of-month and day-of-week given: either matches (1 June 2026 is also a Monday).
    either = occurrences(cron("0 3 1,10 * mon", "UTC", HOURS), utc(2026, 6, 1), utc(2026, 6, 12))
    assert starts(either) == [utc(2026, 6, 1, 3), utc(2026, 6, 8, 3), utc(2026, 6, 10, 3)]


# --- RRULE ----------------------------------------------------------------------------------------------

WEEKLY = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"


@pytest.mark.parametrize(
    "expression", [WEEKLY, f"RRULE:{WEEKLY}", f"rrule:{WEEKLY.lower()}", f"  {WEEKLY}\n"]
)
def test_an_rrule_window_stays_at_local_time_over_both_dst_changes(expression: str) -> None:
    spec = rrule(expression, paris(2026, 1, 4, 2))
    spring = occurrences(spec, paris(2026, 3, 15), paris(2026, 4, 10))
    assert starts(spring) == [
        utc(2026, 3, 15, 1),
        utc(2026, 3, 22, 1),
        utc(2026, 3, 29, 1),
        utc(2026, 4, 5, 0),
    ]
    autumn = occurrences(spec, paris(2026, 10, 17), paris(2026, 11, 2))
    assert starts(autumn) == [utc(2026, 10, 18, 0), utc(2026, 10, 25, 0), utc(2026, 11, 1, 1)]
    assert all(end - start == 2 * HOURS for start, end in spring + autumn)


def test_an_rrule_in_new_york_over_the_spring_change():
    spec = rrule(WEEKLY, new_york(2026, 1, 4, 2), "America/New_York")
    assert starts(occurrences(spec, new_york(2026, 3, 1), new_york(2026, 3, 16))) == [
        utc(2026, 3, 1, 7),
        utc(2026, 3, 8, 7),
        utc(2026, 3, 15, 6),
    ]


def test_an_rrule_time_in_the_gap_is_kept_once():
    spec = rrule("FREQ=HOURLY;BYMINUTE=30", paris(2026, 3, 29, 0, 30), duration=MINUTES)
    spans = occurrences(spec, paris(2026, 3, 29), paris(2026, 3, 29, 5))
    # 02:30 does not exist and reads as 03:30 summer time, which the rule names too.
    assert starts(spans) == [
        utc(2026, 3, 28, 23, 30),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 29, 2, 30),
    ]


def test_an_rrule_starts_at_its_dtstart_and_honours_count_and_until():
    daily = rrule("FREQ=DAILY", paris(2026, 6, 1, 2) + timedelta(milliseconds=500), duration=HOURS)
    # DTSTART keeps whole seconds (as RRULE does), so the first occurrence is the start itself.
    assert starts(occurrences(daily, paris(2026, 5, 25), paris(2026, 6, 3))) == [
        utc(2026, 6, 1, 0),
        utc(2026, 6, 2, 0),
    ]
    counted = rrule("FREQ=DAILY;COUNT=3", paris(2026, 6, 1, 2), duration=HOURS)
    assert len(occurrences(counted, paris(2026, 5, 1), paris(2026, 7, 1))) == 3
    assert occurrences(counted, paris(2026, 6, 4), paris(2026, 7, 1)) == []
    until = rrule("FREQ=DAILY;UNTIL=20260602T235959Z", paris(2026, 6, 1, 2), duration=HOURS)
    assert len(occurrences(until, paris(2026, 5, 1), paris(2026, 7, 1))) == 2
    ended = rrule("FREQ=DAILY", paris(2026, 6, 1, 2), duration=HOURS, ends_at=paris(2026, 6, 3, 2))
    assert len(occurrences(ended, paris(2026, 5, 1), paris(2026, 7, 1))) == 2


# --- merge ----------------------------------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_spans_and_drops_empty_ones():
    spans = [
        (utc(2026, 6, 1, 10), utc(2026, 6, 1, 12)),
        (utc(2026, 6, 1, 1), utc(2026, 6, 1, 3)),
        (utc(2026, 6, 1, 2), utc(2026, 6, 1, 4)),  # overlaps the one before
        (utc(2026, 6, 1, 4), utc(2026, 6, 1, 5)),  # touches it
        (utc(2026, 6, 1, 2), utc(2026, 6, 1, 2, 30)),  # inside
        (utc(2026, 6, 1, 8), utc(2026, 6, 1, 8)),  # empty
        (utc(2026, 6, 1, 9), utc(2026, 6, 1, 7)),  # reversed
        (utc(2026, 6, 1, 11), utc(2026, 6, 1, 13)),
    ]
    assert merge(spans) == [
        (utc(2026, 6, 1, 1), utc(2026, 6, 1, 5)),
        (utc(2026, 6, 1, 10), utc(2026, 6, 1, 13)),
    ]
    assert merge(iter(spans)) == merge(spans)
    assert merge([]) == []


def test_merge_of_occurrences_gives_the_time_under_maintenance():
    spec = cron("0,45 2 * * *", "UTC", HOURS)
    spans = occurrences(spec, utc(2026, 6, 1), utc(2026, 6, 3))
    assert merge(spans) == [
        (utc(2026, 6, 1, 2), utc(2026, 6, 1, 3, 45)),
        (utc(2026, 6, 2, 2), utc(2026, 6, 2, 3, 45)),
    ]


# --- validate -------------------------------------------------------------------------------------------

NAIVE = datetime(2026, 6, 1, 2)


@pytest.mark.parametrize(
    "spec",
    [
        ONE_OFF,
        cron("0 2 * * sun"),
        cron("*/5 9-17 * * mon-fri", "America/New_York", MINUTES, ends_at=utc(2027, 1, 1)),
        rrule(WEEKLY, paris(2026, 1, 4, 2)),
        rrule(f"RRULE:{WEEKLY}", paris(2026, 1, 4, 2), ends_at=paris(2027, 1, 1)),
    ],
)
def test_validate_accepts_good_windows(spec: MaintenanceSpec) -> None:
    validate(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (cron("0 2 * * sun", "Mars/Base"), "timezone: unknown time zone 'Mars/Base'"),
        (cron("0 2 * * sun", ""), "timezone: unknown time zone ''"),
        (
            once(NAIVE, paris(2026, 6, 2)),
            "starts_at: 2026-06-01T02:00:00 is a naive datetime; give a time zone",
        ),
        (
            once(paris(2026, 6, 1), NAIVE),
            "ends_at: 2026-06-01T02:00:00 is a naive datetime; give a time zone",
        ),
        (once(paris(2026, 6, 1), None), "ends_at: a one-off window needs an end"),
        (
            once(utc(2026, 6, 1, 2), utc(2026, 6, 1, 2)),
            "ends_at: 2026-06-01T02:00:00+00:00 is not after starts_at 2026-06-01T02:00:00+00:00",
        ),
        (
            cron("0 2 * * *", "UTC", starts_at=utc(2026, 6, 2), ends_at=utc(2026, 6, 1)),
            "ends_at: 2026-06-01T00:00:00+00:00 is not after starts_at 2026-06-02T00:00:00+00:00",
        ),
        (cron("0 2 * * *", duration=timedelta(0)), "duration_minutes: 0 is less than 1 minute"),
        (cron("0 2 * * *", duration=timedelta(seconds=30)), "duration_minutes: 0.5 is less than 1 minute"),
        (rrule(WEEKLY, utc(2026, 1, 4), duration=-HOURS), "duration_minutes: -60 is less than 1 minute"),
        (
            cron(""),
            "expression: '' is not a cron expression (five fields: minute hour day month weekday)",
        ),
        (
            cron("0 2 * *"),
            "expression: '0 2 * *' is not a cron expression (five fields: minute hour day month weekday)",
        ),
        (
            cron("0 0 2 * * sun"),
            "expression: '0 0 2 * * sun' is not a cron expression"
            " (five fields: minute hour day month weekday)",
        ),
        (cron("0 25 * * *"), "expression: '0 25 * * *' is not a cron expression (bad hour)"),
        (cron("61 2 * * *"), "expression: '61 2 * * *' is not a cron expression (bad minute)"),
        (cron("0 2 * * funday"), "expression: '0 2 * * funday' is not a cron expression (bad day-of-week)"),
        (cron("0 2 31 2 *"), "expression: '0 2 31 2 *' is not a cron expression (bad day-of-month)"),
        (cron("0 2 * 13 *"), "expression: '0 2 * 13 *' is not a cron expression (bad month)"),
        (rrule("", utc(2026, 1, 4)), "expression: '' is not an RRULE (FREQ is required)"),
        (rrule("BYHOUR=2", utc(2026, 1, 4)), "expression: 'BYHOUR=2' is not an RRULE (FREQ is required)"),
        (rrule("FREQ=FOO", utc(2026, 1, 4)), "expression: 'FREQ=FOO' is not an RRULE (invalid 'FREQ': FOO)"),
        (
            rrule("FREQ=DAILY;BYHOUR=99", utc(2026, 1, 4)),
            "expression: 'FREQ=DAILY;BYHOUR=99' is not an RRULE (hour must be in 0..23)",
        ),
        (
            rrule("FREQ=DAILY;FOO=1", utc(2026, 1, 4)),
            "expression: 'FREQ=DAILY;FOO=1' is not an RRULE (unknown parameter 'FOO')",
        ),
        (
            rrule("FREQ=DAILY;UNTIL=20260401T000000", utc(2026, 1, 4)),
            "expression: 'FREQ=DAILY;UNTIL=20260401T000000' is not an RRULE"
            " (RRULE UNTIL values must be specified in UTC when DTSTART is timezone-aware)",
        ),
        (
            rrule("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", utc(2026, 1, 4)),
            "expression: 'DTSTART:20260101T000000\\nRRULE:FREQ=DAILY' is not an RRULE"
            " (give one rule; the start comes from starts_at)",
        ),
        (
            rrule("EXRULE:FREQ=DAILY", utc(2026, 1, 4)),
            "expression: 'EXRULE:FREQ=DAILY' is not an RRULE (give one rule; the start comes from starts_at)",
        ),
    ],
)
def test_validate_names_the_bad_field(spec: MaintenanceSpec, message: str) -> None:
    with pytest.raises(MaintenanceError) as caught:
        validate(spec)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_occurrences_validates_the_spec_and_refuses_naive_bounds():
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: occurrences(cron("0 25 * * *"), utc(2026, 6, 1), utc(2026, 6, 2)), "expression: "),
        (
            lambda: occurrences(ONE_OFF, NAIVE, utc(2026, 6, 2)),
            "start: 2026-06-01T02:00:00 is a naive datetime",
        ),
        (
            lambda: occurrences(ONE_OFF, utc(2026, 6, 1), NAIVE),
            "end: 2026-06-01T02:00:00 is a naive datetime",
        ),
    ]
    for call, message in calls:
        with pytest.raises(MaintenanceError) as caught:
            call()
        assert str(caught.value).startswith(message)


def test_recurring_occurrences_are_empty_for_an_empty_range():
    assert occurrences(cron("*/5 * * * *"), utc(2026, 6, 2), utc(2026, 6, 1)) == []
