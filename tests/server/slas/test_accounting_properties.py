"""Availability accounting holds its invariants for any timelines, maintenance and policy."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pysteward.server.monitors.models import State
from pysteward.server.slas.accounting import Availability, Policy, Span, availability
from pysteward.server.slas.models import Combine, DegradedAs, Rounding, UnknownAs

pytestmark = pytest.mark.property

START = datetime(2026, 3, 2, tzinfo=UTC)
US = timedelta(microseconds=1)
HOUR_US = 3_600_000_000
TARGET = Decimal("99.9")


def at(micros: int) -> datetime:
    return START + micros * US


def build_timeline(cursor: int, steps: list[tuple[int, State | None]], open_last: bool) -> list[Span]:
    """A sorted, non-overlapping timeline from `cursor`; a None state is a gap."""
    spans = []
    for length, state in steps:
        if state is not None:
            spans.append(Span(at(cursor), at(cursor + length), state))
        cursor += length
    if spans and open_last:
        spans[-1] = Span(spans[-1].start, None, spans[-1].state)
    return spans


def timelines() -> st.SearchStrategy[list[Span]]:
    """Timelines from up to two hours before the window to well after it, with gaps."""
    steps = st.lists(st.tuples(st.integers(1, 3 * HOUR_US), st.sampled_from([*State, None])), max_size=10)
    return st.builds(build_timeline, st.integers(-2 * HOUR_US, 2 * HOUR_US), steps, st.booleans())


windows = st.lists(
    st.tuples(st.integers(-HOUR_US, 11 * HOUR_US), st.integers(0, 3 * HOUR_US)).map(
        lambda pair: (at(pair[0]), at(pair[0] + pair[1]))
    ),
    max_size=4,
)
policies = st.builds(
    Policy,
    version=st.just(1),
    unknown_as=st.sampled_from(UnknownAs),
    degraded_as=st.sampled_from(DegradedAs),
    combine=st.sampled_from(Combine),
    decimals=st.integers(0, 6),
    rounding=st.sampled_from(Rounding),
)
lengths = st.integers(0, 10 * HOUR_US)


def measure(
    monitors: list[list[Span]],
    length: int,
    policy: Policy,
    maintenance: list[tuple[datetime, datetime]],
) -> Availability:
    return availability(
        monitors, start=START, end=at(length), policy=policy, target=TARGET, maintenance=maintenance
    )


def micros(seconds: float) -> int:
    """Back to the microseconds the seconds were divided from (exact far beyond a century)."""
    return round(seconds * 1_000_000)


@given(st.lists(timelines(), max_size=3), lengths, policies, windows)
def test_the_percentage_is_between_0_and_100(
    monitors: list[list[Span]], length: int, policy: Policy, maintenance: list[tuple[datetime, datetime]]
) -> None:
    figure = measure(monitors, length, policy, maintenance)

    assert figure.percent is None or Decimal(0) <= figure.percent <= Decimal(100)
    assert (figure.met is None) is (figure.percent is None)
    assert (figure.percent is None) is (figure.measured_seconds == 0)


@given(st.lists(timelines(), max_size=3), lengths, policies, windows)
def test_up_down_and_excluded_add_up_to_the_window_exactly(
    monitors: list[list[Span]], length: int, policy: Policy, maintenance: list[tuple[datetime, datetime]]
) -> None:
    figure = measure(monitors, length, policy, maintenance)

    parts = micros(figure.up_seconds) + micros(figure.down_seconds) + micros(figure.excluded_seconds)
    assert parts == micros(figure.window_seconds) == length
    excluded_unknown = figure.unknown_seconds if policy.unknown_as is UnknownAs.EXCLUDE else 0
    assert micros(figure.excluded_seconds) == micros(figure.maintenance_seconds) + micros(excluded_unknown)
    assert sum((b - a) // US for a, b in figure.outages) == micros(figure.down_seconds)
    assert all(a < b < c for (a, b), (c, _) in zip(figure.outages, figure.outages[1:], strict=False))


@given(st.lists(timelines(), max_size=3), lengths, policies, windows, windows)
def test_adding_maintenance_never_adds_up_or_down_time(
    monitors: list[list[Span]],
    length: int,
    policy: Policy,
    maintenance: list[tuple[datetime, datetime]],
    more: list[tuple[datetime, datetime]],
) -> None:
    before = measure(monitors, length, policy, maintenance)
    after = measure(monitors, length, policy, maintenance + more)

    assert after.down_seconds <= before.down_seconds
    assert after.up_seconds <= before.up_seconds
    assert after.excluded_seconds >= before.excluded_seconds


@given(st.lists(timelines(), max_size=3), lengths, policies, windows, st.data())
def test_maintenance_over_downtime_never_lowers_availability(
    monitors: list[list[Span]],
    length: int,
    policy: Policy,
    maintenance: list[tuple[datetime, datetime]],
    data: st.DataObject,
) -> None:
    before = measure(monitors, length, policy, maintenance)
    assume(before.outages)
    begin, end = data.draw(st.sampled_from(before.outages))

    after = measure(monitors, length, policy, [*maintenance, (begin, end)])

    assert after.percent is None or before.percent is None or after.percent >= before.percent
    assert after.down_seconds < before.down_seconds


@given(st.lists(timelines(), min_size=1, max_size=3), lengths, policies, windows)
def test_all_never_reports_higher_availability_than_any(
    monitors: list[list[Span]], length: int, policy: Policy, maintenance: list[tuple[datetime, datetime]]
) -> None:
    strict = measure(monitors, length, dataclasses.replace(policy, combine=Combine.ALL), maintenance)
    lenient = measure(monitors, length, dataclasses.replace(policy, combine=Combine.ANY), maintenance)

    if strict.percent is not None and lenient.percent is not None:
        assert strict.percent <= lenient.percent
    assert strict.down_seconds >= lenient.down_seconds
    assert strict.up_seconds <= lenient.up_seconds


@given(timelines(), lengths, policies, windows)
def test_the_single_monitor_fast_path_agrees_with_the_sweep(
    timeline: list[Span], length: int, policy: Policy, maintenance: list[tuple[datetime, datetime]]
) -> None:
    # The same monitor twice combines to itself, under ALL and ANY, through the multi-monitor sweep.
    assert measure([timeline], length, policy, maintenance) == measure(
        [timeline, timeline], length, policy, maintenance
    )
