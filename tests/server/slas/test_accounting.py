"""Availability accounting: hand-computed figures for every rule, on a frozen day (no wall clock)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pysteward.server.monitors.models import State
from pysteward.server.slas.accounting import Availability, Policy, Span, availability
from pysteward.server.slas.models import Combine, DegradedAs, Rounding, UnknownAs

DAY = datetime(2026, 3, 2, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
HOUR = 3600.0
TARGET = Decimal("99.9")

UP, DOWN, DEGRADED, MAINTENANCE, UNKNOWN = (
    State.UP,
    State.DOWN,
    State.DEGRADED,
    State.MAINTENANCE,
    State.UNKNOWN,
)


def at(hours: float) -> datetime:
    """A moment of the measured day, `hours` after its midnight (negative: the day before)."""
    return DAY + timedelta(hours=hours)


def span(start: float, end: float | None, state: State) -> Span:
    return Span(at(start), None if end is None else at(end), state)


def day(
    *timelines: Sequence[Span],
    maintenance: Sequence[tuple[float, float]] = (),
    **policy: object,
) -> Availability:
    """The availability of the measured day for these monitors, under a v1 policy with `policy` set."""
    return availability(
        list(timelines),
        start=DAY,
        end=NEXT_DAY,
        policy=Policy(version=1, **policy),  # type: ignore[arg-type]
        target=TARGET,
        maintenance=[(at(a), at(b)) for a, b in maintenance],
    )


def hours(figure: Availability) -> dict[str, float]:
    """Every duration of the figure, in hours."""
    return {
        "up": figure.up_seconds / HOUR,
        "down": figure.down_seconds / HOUR,
        "maintenance": figure.maintenance_seconds / HOUR,
        "unknown": figure.unknown_seconds / HOUR,
        "degraded": figure.degraded_seconds / HOUR,
        "excluded": figure.excluded_seconds / HOUR,
    }


def outages(figure: Availability) -> list[tuple[float, float]]:
    return [((a - DAY) / timedelta(hours=1), (b - DAY) / timedelta(hours=1)) for a, b in figure.outages]


ONE_HOUR_DOWN = [span(0, 10, UP), span(10, 11, DOWN), span(11, None, UP)]


def test_it_counts_a_down_free_timeline_as_fully_available_whatever_the_retries():
    # Failed checks being retried never leave UP: the state intervals hold confirmed states only.
    figure = day([span(-2, 7.5, UP), span(7.5, 7.6, UP), span(7.6, None, UP)])

    assert figure.percent == Decimal("100.000")
    assert figure.met is True
    assert figure.outages == ()
    assert figure.window_seconds == 24 * HOUR
    assert figure.measured_seconds == 24 * HOUR


def test_it_counts_one_confirmed_hour_down_against_the_day():
    figure = day(ONE_HOUR_DOWN)

    assert hours(figure) == {
        "up": 23,
        "down": 1,
        "maintenance": 0,
        "unknown": 0,
        "degraded": 0,
        "excluded": 0,
    }
    assert figure.percent == Decimal("95.833")  # 23 / 24 = 95.8333…, rounded down
    assert figure.met is False
    assert outages(figure) == [(10, 11)]
    assert figure.start == DAY
    assert figure.end == NEXT_DAY
    assert figure.target == TARGET
    assert figure.policy == Policy(version=1)


def test_it_excludes_maintenance_that_covers_part_of_an_outage():
    figure = day(ONE_HOUR_DOWN, maintenance=[(10.5, 12)])

    assert hours(figure)["down"] == 0.5
    assert hours(figure)["up"] == 22
    assert hours(figure)["maintenance"] == 1.5
    assert hours(figure)["excluded"] == 1.5
    assert outages(figure) == [(10, 10.5)]


def test_it_excludes_maintenance_that_starts_inside_an_outage_and_ends_before_it():
    figure = day(ONE_HOUR_DOWN, maintenance=[(10.25, 10.5)])

    assert hours(figure)["down"] == 0.75
    assert outages(figure) == [(10, 10.25), (10.5, 11)]


def test_it_excludes_an_outage_that_maintenance_covers_fully():
    figure = day(ONE_HOUR_DOWN, maintenance=[(9, 12)])

    assert figure.down_seconds == 0
    assert hours(figure)["maintenance"] == 3
    assert figure.percent == Decimal("100.000")
    assert figure.met is True
    assert figure.outages == ()


def test_maintenance_over_up_time_shrinks_the_measured_time_and_so_the_percentage():
    # Maintenance never adds downtime, but the ratio is over less time: 23/24 becomes 14/15.
    before, after = day(ONE_HOUR_DOWN), day(ONE_HOUR_DOWN, maintenance=[(0, 9)])

    assert after.down_seconds == before.down_seconds
    assert (before.percent, after.percent) == (Decimal("95.833"), Decimal("93.333"))


def test_it_clips_maintenance_to_the_window_and_merges_overlapping_windows():
    figure = day(
        ONE_HOUR_DOWN,
        maintenance=[(-1, 1), (23.5, 26), (2, 4), (3, 5), (5, 6), (30, 31), (-5, -4)],
    )

    # 00–01, 02–06 (three windows overlapping or touching), 23:30–24: 5.5 hours.
    assert hours(figure)["maintenance"] == 5.5
    assert hours(figure)["up"] == 24 - 5.5 - 1
    assert hours(figure)["down"] == 1


def test_it_clips_an_outage_that_crosses_the_window_start():
    figure = day([span(-10, -2, UP), span(-2, 1, DOWN), span(1, None, UP)])

    assert hours(figure)["down"] == 1
    assert outages(figure) == [(0, 1)]


def test_it_runs_an_open_outage_to_the_window_end():
    figure = day([span(-3, 23, UP), span(23, None, DOWN)])

    assert hours(figure)["down"] == 1
    assert outages(figure) == [(23, 24)]


def test_it_clips_a_closed_outage_that_crosses_the_window_end():
    figure = day([span(-3, 22, UP), span(22, 30, DOWN), span(30, None, UP)])

    assert hours(figure)["down"] == 2
    assert outages(figure) == [(22, 24)]


def test_it_ignores_spans_wholly_outside_the_window():
    timeline = [span(-20 + i, -19 + i, DOWN) for i in range(18)]  # ends two hours before the day
    timeline += [span(-2, 26, UP), span(26, 27, DOWN), span(27, None, DOWN)]

    figure = day(timeline)

    assert figure.percent == Decimal("100.000")
    assert figure.down_seconds == 0


def test_it_lets_the_earlier_span_win_where_spans_overlap():
    figure = day([span(0, 12, UP), span(6, 8, DOWN), span(12, None, UP)])

    assert figure.down_seconds == 0
    assert figure.up_seconds == 24 * HOUR


GAPPY = [span(6, 12, UP), span(13, None, UP)]  # no data before 06:00 nor from 12:00 to 13:00


def test_it_excludes_time_without_data_by_default():
    figure = day(GAPPY)

    assert hours(figure) == {
        "up": 17,
        "down": 0,
        "maintenance": 0,
        "unknown": 7,
        "degraded": 0,
        "excluded": 7,
    }
    assert figure.percent == Decimal("100.000")


def test_it_counts_time_without_data_as_up_when_told():
    figure = day(GAPPY, unknown_as=UnknownAs.UP)

    assert hours(figure)["up"] == 24
    assert hours(figure)["unknown"] == 7
    assert hours(figure)["excluded"] == 0
    assert figure.percent == Decimal("100.000")


def test_it_counts_time_without_data_as_down_when_told():
    figure = day(GAPPY, unknown_as=UnknownAs.DOWN)

    assert hours(figure)["up"] == 17
    assert hours(figure)["down"] == 7
    assert hours(figure)["unknown"] == 7
    assert hours(figure)["excluded"] == 0
    assert figure.percent == Decimal("70.833")  # 17 / 24 = 70.8333…
    assert outages(figure) == [(0, 6), (12, 13)]


def test_it_counts_time_after_the_last_closed_span_as_unknown():
    figure = day([span(-1, 20, UP)])

    assert hours(figure)["unknown"] == 4
    assert hours(figure)["up"] == 20


def test_it_counts_an_explicit_unknown_span_like_a_gap():
    figure = day([span(0, 6, UNKNOWN), span(6, None, UP)], unknown_as=UnknownAs.DOWN)

    assert hours(figure)["down"] == 6
    assert outages(figure) == [(0, 6)]


def test_it_merges_adjacent_outages_of_different_causes():
    timeline = [span(2, 4, DOWN), span(4, 5, DEGRADED), span(6, None, UP)]

    figure = day(timeline, unknown_as=UnknownAs.DOWN, degraded_as=DegradedAs.DOWN)

    assert outages(figure) == [(0, 6)]
    assert hours(figure)["down"] == 6
    assert hours(figure)["degraded"] == 1
    assert hours(figure)["unknown"] == 3


DEGRADED_DAY = [span(0, 12, UP), span(12, 18, DEGRADED), span(18, 19, DOWN), span(19, None, UP)]


def test_it_counts_degraded_time_as_up_by_default():
    figure = day(DEGRADED_DAY)

    assert hours(figure)["up"] == 23
    assert hours(figure)["down"] == 1
    assert hours(figure)["degraded"] == 6
    assert outages(figure) == [(18, 19)]


def test_it_counts_degraded_time_as_down_when_told():
    figure = day(DEGRADED_DAY, degraded_as=DegradedAs.DOWN)

    assert hours(figure)["up"] == 17
    assert hours(figure)["down"] == 7
    assert hours(figure)["degraded"] == 6
    assert outages(figure) == [(12, 19)]


def test_it_does_not_report_degraded_time_inside_scheduled_maintenance():
    figure = day(DEGRADED_DAY, maintenance=[(11, 14)], degraded_as=DegradedAs.DOWN)

    assert hours(figure)["degraded"] == 4
    assert outages(figure) == [(14, 19)]


def test_it_excludes_time_a_single_monitor_is_in_maintenance():
    figure = day([span(0, 2, MAINTENANCE), span(2, 3, DOWN), span(3, None, UP)])

    assert hours(figure)["maintenance"] == 2
    assert hours(figure)["excluded"] == 2
    assert hours(figure)["down"] == 1
    assert hours(figure)["up"] == 21


def test_it_leaves_out_a_monitor_in_maintenance_while_another_is_down():
    first = [span(0, 4, MAINTENANCE), span(4, None, UP)]
    second = [span(0, 1, DOWN), span(1, 2, MAINTENANCE), span(2, None, UP)]

    for combine in Combine:
        figure = day(first, second, combine=combine)

        # 00–01: only the second counts, and it is down; 01–02 both are in maintenance.
        assert hours(figure)["down"] == 1, combine
        assert hours(figure)["maintenance"] == 1, combine
        assert hours(figure)["up"] == 22, combine


TWO = (
    [span(0, 1, UP), span(1, 2, DOWN), span(2, None, UP)],
    [span(0, 1.5, UP), span(1.5, 3, DOWN), span(3, None, UP)],
)


def test_all_counts_the_service_down_while_any_monitor_is_down():
    figure = day(*TWO, combine=Combine.ALL)

    assert hours(figure)["down"] == 2
    assert outages(figure) == [(1, 3)]


def test_any_counts_the_service_down_only_while_every_monitor_is_down():
    figure = day(*TWO, combine=Combine.ANY)

    assert hours(figure)["down"] == 0.5
    assert outages(figure) == [(1.5, 2)]


THREE = (
    *TWO,
    # The third has no data from 05:00 to 06:00.
    [span(0, 1.75, UP), span(1.75, 2.25, DOWN), span(2.25, 5, UP), span(6, None, UP)],
)


def test_all_with_three_monitors_excludes_time_one_monitor_has_no_data():
    figure = day(*THREE, combine=Combine.ALL)

    assert hours(figure)["down"] == 2
    assert hours(figure)["unknown"] == 1
    assert hours(figure)["up"] == 21
    assert figure.percent == Decimal("91.304")  # 21 / 23 = 0.913043…


def test_any_with_three_monitors_needs_all_three_down():
    figure = day(*THREE, combine=Combine.ANY)

    assert outages(figure) == [(1.75, 2)]
    assert hours(figure)["unknown"] == 0
    assert hours(figure)["up"] == 23.75


def test_any_counts_down_and_no_data_as_unknown_and_all_as_down():
    down = [span(0, 1, DOWN), span(1, None, UP)]
    late = [span(1, None, UP)]

    assert hours(day(down, late, combine=Combine.ANY))["unknown"] == 1
    assert hours(day(down, late, combine=Combine.ANY))["down"] == 0
    assert hours(day(down, late, combine=Combine.ALL))["down"] == 1
    assert hours(day(down, late, combine=Combine.ALL))["unknown"] == 0


def test_the_service_is_degraded_when_degradation_alone_stands_between_it_and_up():
    degraded = [span(0, 4, DEGRADED), span(4, None, UP)]
    other = [span(0, 1, UP), span(1, 2, DOWN), span(3, None, UP)]  # no data 02–03

    # ALL: degraded while the other is up (00–01, 03–04), not while it is down or unknown.
    assert hours(day(degraded, other, combine=Combine.ALL))["degraded"] == 2
    # ANY: degraded while the other is not up (01–03).
    assert hours(day(degraded, other, combine=Combine.ANY))["degraded"] == 2
    # Counted as down, ALL is down 00–04 (the degraded monitor), ANY only 01–02 and 02–03 is up.
    assert hours(day(degraded, other, combine=Combine.ALL, degraded_as=DegradedAs.DOWN))["down"] == 4
    figure = day(degraded, other, combine=Combine.ANY, degraded_as=DegradedAs.DOWN)
    assert outages(figure) == [(1, 2)]
    assert hours(figure)["unknown"] == 1


def test_several_monitors_honour_scheduled_maintenance():
    figure = day(*TWO, maintenance=[(1.5, 2.5)], combine=Combine.ALL)

    assert outages(figure) == [(1, 1.5), (2.5, 3)]
    assert hours(figure)["maintenance"] == 1


def test_a_service_without_monitors_is_unknown_all_day():
    figure = day()

    assert hours(figure)["unknown"] == 24
    assert figure.percent is None
    assert figure.met is None
    assert figure.measured_seconds == 0


def test_a_service_without_monitors_counts_as_down_when_unknown_counts_as_down():
    figure = day(maintenance=[(0, 2)], unknown_as=UnknownAs.DOWN)

    assert hours(figure)["maintenance"] == 2
    assert hours(figure)["down"] == 22
    assert figure.percent == Decimal("0.000")
    assert outages(figure) == [(2, 24)]


def test_nothing_measured_gives_no_percentage():
    figure = day(ONE_HOUR_DOWN, maintenance=[(-1, 25)])

    assert figure.percent is None
    assert figure.met is None
    assert hours(figure)["excluded"] == 24


def test_an_empty_window_measures_nothing():
    figure = availability([ONE_HOUR_DOWN], start=DAY, end=DAY, policy=Policy(version=1), target=TARGET)

    assert figure.window_seconds == 0
    assert figure.percent is None
    assert figure.outages == ()


MILLION_SECONDS_FOUR_DOWN = [
    Span(DAY, DAY + timedelta(seconds=500_000), UP),
    Span(DAY + timedelta(seconds=500_000), DAY + timedelta(seconds=500_004), DOWN),
    Span(DAY + timedelta(seconds=500_004), None, UP),
]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.DOWN, Decimal("99.999")), (Rounding.HALF_EVEN, Decimal("100.000"))],
)
def test_it_rounds_99_9996_per_the_policy(rounding: Rounding, expected: Decimal) -> None:
    figure = availability(
        [MILLION_SECONDS_FOUR_DOWN],
        start=DAY,
        end=DAY + timedelta(seconds=1_000_000),
        policy=Policy(version=1, rounding=rounding),
        target=Decimal("99.9995"),
    )

    assert figure.percent == expected
    assert str(figure.percent) == str(expected)
    # Rounding down never turns a miss into a hit; half-even can.
    assert figure.met is (rounding is Rounding.HALF_EVEN)


@pytest.mark.parametrize(
    ("up_seconds", "down_seconds", "expected"),
    [
        (1, 7, "12"),  # 12.5: a tie, to the even 12
        (3, 5, "38"),  # 37.5: a tie, to the even 38
        (2, 7, "22"),  # 22.2…: below the half
        (7, 2, "78"),  # 77.7…: above the half
    ],
)
def test_half_even_rounds_ties_to_the_even_neighbour(
    up_seconds: int, down_seconds: int, expected: str
) -> None:
    timeline = [
        Span(DAY, DAY + timedelta(seconds=up_seconds), UP),
        Span(DAY + timedelta(seconds=up_seconds), None, DOWN),
    ]
    figure = availability(
        [timeline],
        start=DAY,
        end=DAY + timedelta(seconds=up_seconds + down_seconds),
        policy=Policy(version=1, decimals=0, rounding=Rounding.HALF_EVEN),
        target=TARGET,
    )

    assert str(figure.percent) == expected


@pytest.mark.parametrize(
    ("month_start", "month_end", "expected", "met"),
    [
        # 31 days = 44,640 minutes: 44,597 / 44,640 = 99.90367…
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC), "99.903", True),
        # 28 days = 40,320 minutes: 40,277 / 40,320 = 99.89335…
        (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC), "99.893", False),
    ],
)
def test_43_minutes_down_meets_99_9_in_a_31_day_month_but_not_in_february(
    month_start: datetime, month_end: datetime, expected: str, met: bool
) -> None:
    outage = month_start + timedelta(days=10)
    timeline = [
        Span(month_start - timedelta(days=1), outage, UP),
        Span(outage, outage + timedelta(minutes=43), DOWN),
        Span(outage + timedelta(minutes=43), None, UP),
    ]

    figure = availability(
        [timeline], start=month_start, end=month_end, policy=Policy(version=1), target=TARGET
    )

    assert figure.down_seconds == 43 * 60
    assert str(figure.percent) == expected
    assert figure.met is met


def test_a_month_in_a_time_zone_lasts_its_real_length_across_a_dst_change():
    paris = ZoneInfo("Europe/Paris")
    start, end = datetime(2026, 10, 1, tzinfo=paris), datetime(2026, 11, 1, tzinfo=paris)
    outage = datetime(2026, 10, 25, 1, 30, tzinfo=paris)  # the clocks go back at 03:00 that night
    timeline = [Span(start, outage, UP), Span(outage, datetime(2026, 10, 25, 4, tzinfo=paris), DOWN)]
    timeline.append(Span(timeline[-1].end or end, None, UP))

    figure = availability([timeline], start=start, end=end, policy=Policy(version=1), target=TARGET)

    assert figure.window_seconds == (31 * 24 + 1) * HOUR
    assert figure.down_seconds == 3.5 * HOUR  # 01:30 CEST to 04:00 CET
    assert figure.outages == ((outage.astimezone(UTC), datetime(2026, 10, 25, 3, tzinfo=UTC)),)


DEFAULT_DESCRIPTION = (
    "Accounting policy v1: time-weighted from state intervals; only confirmed DOWN counts as downtime "
    "(retries do not); scheduled maintenance and monitor maintenance are excluded from measured time and "
    "downtime; unknown time (no data) is excluded; degraded counts as up; a service is up only while all "
    "its monitors are up; rounded down to 3 decimals."
)


def test_it_describes_the_default_policy_in_plain_english():
    assert Policy(version=1).describe() == DEFAULT_DESCRIPTION


def test_it_describes_every_non_default_choice():
    policy = Policy(
        version=4,
        unknown_as=UnknownAs.DOWN,
        degraded_as=DegradedAs.DOWN,
        combine=Combine.ANY,
        decimals=1,
        rounding=Rounding.HALF_EVEN,
    )

    assert policy.describe() == (
        "Accounting policy v4: time-weighted from state intervals; only confirmed DOWN counts as downtime "
        "(retries do not); scheduled maintenance and monitor maintenance are excluded from measured time "
        "and downtime; unknown time (no data) counts as down; degraded counts as down; a service is up "
        "while at least one of its monitors is up; rounded half to even to 1 decimal."
    )
    assert policy.formula() == (
        "availability = up ÷ (up + down) × 100, rounded half to even to 1 decimal; up = time up; "
        "down = time confirmed down + time degraded + unknown time (no data); "
        "not counted: scheduled maintenance, monitor maintenance"
    )


def test_it_states_the_formula_of_the_default_policy():
    assert Policy(version=1).formula() == (
        "availability = up ÷ (up + down) × 100, rounded down to 3 decimals; "
        "up = time up + time degraded; down = time confirmed down; "
        "not counted: scheduled maintenance, monitor maintenance, unknown time (no data)"
    )


def test_it_describes_unknown_time_counted_as_up():
    policy = Policy(version=2, unknown_as=UnknownAs.UP, decimals=0)

    assert "unknown time (no data) counts as up;" in policy.describe()
    assert policy.describe().endswith("rounded down to 0 decimals.")
    assert "up = time up + time degraded + unknown time (no data);" in policy.formula()


def test_it_refuses_a_negative_number_of_decimals():
    with pytest.raises(ValueError, match="decimals: -1 is negative"):
        Policy(version=1, decimals=-1)


NAIVE = datetime(2026, 3, 2)  # deliberately naive


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Span(NAIVE, None, UP), "span start: naive datetime"),
        (lambda: Span(DAY, NAIVE, UP), "span end: naive datetime"),
        (lambda: Span(NEXT_DAY, DAY, UP), "span: ends at 2026-03-02T00:00:00[+]00:00, before its start"),
        (
            lambda: availability([], start=NAIVE, end=NEXT_DAY, policy=Policy(version=1), target=TARGET),
            "start: naive datetime",
        ),
        (
            lambda: availability([], start=DAY, end=NAIVE, policy=Policy(version=1), target=TARGET),
            "end: naive datetime",
        ),
        (
            lambda: availability([], start=NEXT_DAY, end=DAY, policy=Policy(version=1), target=TARGET),
            "end: 2026-03-02T00:00:00[+]00:00 is before start",
        ),
        (lambda: day(maintenance=[(5, 4)]), r"maintenance\[0\]: ends at .*, before its start"),
    ],
)
def test_it_refuses_naive_or_backwards_times(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize("end_naive", [False, True])
def test_it_refuses_naive_maintenance_windows(end_naive: bool) -> None:
    window = (at(1), NAIVE) if end_naive else (NAIVE, at(1))
    with pytest.raises(ValueError, match=rf"maintenance\[1\] {'end' if end_naive else 'start'}: naive"):
        availability(
            [],
            start=DAY,
            end=NEXT_DAY,
            policy=Policy(version=1),
            target=TARGET,
            maintenance=[(at(0), at(1)), window],
        )


class Nowhere(ZoneInfo):
    """A time zone that knows no offset, which makes its datetimes naive in all but name."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


def test_it_refuses_a_datetime_whose_zone_gives_no_offset():
    with pytest.raises(ValueError, match="start: naive datetime"):
        availability(
            [],
            start=datetime(2026, 3, 2, tzinfo=Nowhere("UTC")),
            end=NEXT_DAY,
            policy=Policy(version=1),
            target=TARGET,
        )


def test_it_accepts_datetimes_in_any_zone():
    paris = ZoneInfo("Europe/Paris")
    timeline = [Span(DAY.astimezone(paris), None, UP)]

    figure = availability(
        [timeline], start=DAY.astimezone(paris), end=NEXT_DAY, policy=Policy(version=1), target=TARGET
    )

    assert figure.up_seconds == 24 * HOUR


@pytest.mark.parametrize("target", [Decimal("-0.1"), Decimal("100.01"), Decimal("NaN"), Decimal("Infinity")])
def test_it_refuses_a_target_that_is_not_a_percentage(target: Decimal) -> None:
    with pytest.raises(ValueError, match=r"target: .* is not a percentage between 0 and 100"):
        availability([], start=DAY, end=NEXT_DAY, policy=Policy(version=1), target=target)
