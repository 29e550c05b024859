"""Availability accounting a client can audit: time-weighted, from state intervals, under a versioned policy.

Each instant of the measured window [start, end) counts as follows:

1. inside a scheduled maintenance window: maintenance (excluded), whatever the monitors say, so adding
   maintenance never adds downtime (it can lower the percentage when it covers up time, since the
   measured time shrinks; over downtime it never lowers it);
2. each monitor's state is mapped: degraded counts as up or down per the policy; a monitor in
   maintenance is left out (every monitor left out: maintenance); time a monitor has no span for is
   unknown for that monitor; a service with no monitors at all is unknown;
3. the monitors combine: ALL is down if any is down, else unknown if any is unknown, else up; ANY is up
   if any is up, else unknown if any is unknown, else down;
4. unknown time is excluded, or counts as up or as down, per the policy.

Everything is counted in integer microseconds, so up + down + excluded is exactly the window, and the
percentage is computed from those integers (never from binary floats). Differences are taken in UTC:
two datetimes sharing a `ZoneInfo` subtract as wall-clock times, which is an hour off across a DST change.

`availability` takes spans of aware datetimes and checks them; `availability_of` takes `Stored` spans,
plain tuples of UTC epoch microseconds, which is what the store hands over for a year of history
(building and subtracting millions of datetimes would cost more than the accounting itself).

Pure: no database, no web framework. One monitor takes a fast path (its spans walked once, merged
maintenance subtracted with two pointers); several monitors a sweep over their boundaries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple, assert_never

from pysteward.server.monitors.models import State
from pysteward.server.slas.models import Combine, DegradedAs, Rounding, UnknownAs

__all__ = [
    "EPOCH",
    "Availability",
    "Policy",
    "Span",
    "Stored",
    "availability",
    "availability_of",
    "epoch_micros",
]

_ONE_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000

# What an instant counts as before the unknown rule applies (indexes into _Tally.micros).
_UP, _DOWN, _UNKNOWN, _MAINTENANCE = 0, 1, 2, 3
# Counters of the multi-monitor sweep: monitors currently up, down, degraded, in maintenance.
_SLOT = {State.UP: 0, State.DOWN: 1, State.DEGRADED: 2, State.MAINTENANCE: 3}

Segment = tuple[int, int, int, bool]
"""Microseconds [a, b) from the window start, what they count as, and whether the service was degraded."""


def _require_aware(name: str, moment: datetime) -> None:
    # UTC first: it is what the store returns, and utcoffset() costs more than the identity test.
    if moment.tzinfo is None or (moment.tzinfo is not UTC and moment.utcoffset() is None):
        raise ValueError(f"{name}: naive datetime {moment.isoformat()}; pass a timezone-aware one")


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """One version of an SLA's accounting policy."""

    version: int
    unknown_as: UnknownAs = UnknownAs.EXCLUDE
    degraded_as: DegradedAs = DegradedAs.UP
    combine: Combine = Combine.ALL
    decimals: int = 3
    rounding: Rounding = Rounding.DOWN

    def __post_init__(self) -> None:
        if self.decimals < 0:
            raise ValueError(f"decimals: {self.decimals} is negative")

    def describe(self) -> str:
        """Every rule of this policy in plain English, for the client's report."""
        match self.unknown_as:
            case UnknownAs.EXCLUDE:
                unknown = "unknown time (no data) is excluded"
            case UnknownAs.UP | UnknownAs.DOWN:
                unknown = f"unknown time (no data) counts as {self.unknown_as.value}"
            case _:
                assert_never(self.unknown_as)
        match self.combine:
            case Combine.ALL:
                combine = "a service is up only while all its monitors are up"
            case Combine.ANY:
                combine = "a service is up while at least one of its monitors is up"
            case _:
                assert_never(self.combine)
        return (
            f"Accounting policy v{self.version}: time-weighted from state intervals; "
            "only confirmed DOWN counts as downtime (retries do not); "
            "scheduled maintenance and monitor maintenance are excluded from measured time and downtime; "
            f"{unknown}; degraded counts as {self.degraded_as.value}; {combine}; {self._rounding_text()}."
        )

    def formula(self) -> str:
        """The availability formula, with what up, down and the excluded time hold under this policy."""
        up, down = ["time up"], ["time confirmed down"]
        (up if self.degraded_as is DegradedAs.UP else down).append("time degraded")
        excluded = ["scheduled maintenance", "monitor maintenance"]
        match self.unknown_as:
            case UnknownAs.EXCLUDE:
                excluded.append("unknown time (no data)")
            case UnknownAs.UP:
                up.append("unknown time (no data)")
            case UnknownAs.DOWN:
                down.append("unknown time (no data)")
            case _:
                assert_never(self.unknown_as)
        return (
            f"availability = up ÷ (up + down) × 100, {self._rounding_text()}; "
            f"up = {' + '.join(up)}; down = {' + '.join(down)}; not counted: {', '.join(excluded)}"
        )

    def _rounding_text(self) -> str:
        match self.rounding:
            case Rounding.DOWN:
                how = "rounded down"
            case Rounding.HALF_EVEN:
                how = "rounded half to even"
            case _:
                assert_never(self.rounding)
        return f"{how} to {self.decimals} decimal{'' if self.decimals == 1 else 's'}"


class _SpanFields(NamedTuple):
    start: datetime
    end: datetime | None
    state: State


class Span(_SpanFields):
    """A monitor's state from `start` to `end` (None: still open, so it runs to the end of the window)."""

    __slots__ = ()

    def __new__(cls, start: datetime, end: datetime | None, state: State) -> Span:
        _require_aware("span start", start)
        if end is not None:
            _require_aware("span end", end)
            if end < start:
                raise ValueError(f"span: ends at {end.isoformat()}, before its start")
        return super().__new__(cls, start, end, state)


Stored = tuple[int, int | None, State]
"""A span as stored: start and end (None: still open) in microseconds since the UTC epoch, and the state."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_micros(moment: datetime) -> int:
    """Microseconds from the UTC epoch to the aware `moment`."""
    return (moment - EPOCH) // _ONE_US


def _stored(span: Span) -> Stored:
    return epoch_micros(span.start), None if span.end is None else epoch_micros(span.end), span.state


@dataclass(frozen=True, slots=True, kw_only=True)
class Availability:
    """A service's availability over one window, with every figure a client needs to check it.

    Invariant: up + down + excluded is the window, exactly in microseconds (the seconds are the
    microsecond counts divided by a million).
    """

    start: datetime
    end: datetime
    policy: Policy
    target: Decimal
    """Percent, e.g. Decimal("99.9")."""
    window_seconds: float
    up_seconds: float
    """Counted as up under the policy (includes degraded-as-up, unknown-as-up)."""
    down_seconds: float
    """Counted as down (includes degraded-as-down, unknown-as-down)."""
    maintenance_seconds: float
    """Excluded: scheduled maintenance windows and monitor maintenance."""
    unknown_seconds: float
    """Unknown time outside maintenance, whatever the policy does with it."""
    degraded_seconds: float
    """Time outside maintenance the service was degraded: up had degraded counted as up, not up had it
    counted as down (information only; it is already inside up or down)."""
    excluded_seconds: float
    """Maintenance, plus unknown when the policy excludes it."""
    percent: Decimal | None
    """up ÷ (up + down) × 100, rounded per the policy; None when nothing was measured."""
    met: bool | None
    """percent >= target; None when percent is None."""
    outages: tuple[tuple[datetime, datetime], ...]
    """The time counted as downtime, merged, in order, in UTC."""

    @property
    def measured_seconds(self) -> float:
        """Up plus down: the time the percentage is computed over."""
        return self.up_seconds + self.down_seconds


class _Tally:
    """Microseconds per kind of time, degraded time and the outages, added segment by segment."""

    __slots__ = ("_is_down", "degraded", "micros", "outages", "scheduled")

    def __init__(self, unknown_as: UnknownAs) -> None:
        self.micros = [0, 0, 0, 0]
        self.scheduled = 0
        self.degraded = 0
        self.outages: list[list[int]] = []
        self._is_down = (False, True, unknown_as is UnknownAs.DOWN, False)

    def add(self, a: int, b: int, kind: int, degraded: bool) -> None:
        length = b - a
        self.micros[kind] += length
        if degraded:
            self.degraded += length
        if self._is_down[kind]:
            if self.outages and self.outages[-1][1] == a:
                self.outages[-1][1] = b
            else:
                self.outages.append([a, b])


def _micros(delta: timedelta) -> int:
    return delta // _ONE_US


def _merge(
    maintenance: Sequence[tuple[datetime, datetime]], origin: datetime, total: int
) -> list[tuple[int, int]]:
    """Scheduled windows clipped to the measured window, sorted, overlapping and touching ones merged."""
    clipped = []
    for index, (begin, finish) in enumerate(maintenance):
        _require_aware(f"maintenance[{index}] start", begin)
        _require_aware(f"maintenance[{index}] end", finish)
        if finish < begin:
            raise ValueError(f"maintenance[{index}]: ends at {finish.isoformat()}, before its start")
        a, b = max(_micros(begin - origin), 0), min(_micros(finish - origin), total)
        if a < b:
            clipped.append((a, b))
    clipped.sort()
    merged: list[tuple[int, int]] = []
    for a, b in clipped:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _span_start(span: Stored) -> int:
    return span[0]


def _pieces(spans: Sequence[Stored], origin: int, end: int) -> Iterator[tuple[int, int, State]]:
    """One monitor's states over the window [origin, end) (epoch microseconds), as offsets from
    `origin`, in order and without gaps: a gap is UNKNOWN.

    Spans wholly before the window are skipped by bisection; where spans overlap, the earlier one wins.
    """
    total, cursor = end - origin, 0
    for index in range(max(bisect_left(spans, origin, key=_span_start) - 1, 0), len(spans)):
        begin, finish, state = spans[index]
        if begin >= end:
            break
        finish = total if finish is None or finish >= end else finish - origin
        if finish <= cursor:
            continue
        begin -= origin
        if begin > cursor:
            yield cursor, begin, State.UNKNOWN
            cursor = begin
        yield cursor, finish, state
        cursor = finish
    if cursor < total:
        yield cursor, total, State.UNKNOWN


def _single(pieces: Iterable[tuple[int, int, State]], policy: Policy) -> Iterator[Segment]:
    """The fast path: one monitor's states are the service's."""
    degraded = _UP if policy.degraded_as is DegradedAs.UP else _DOWN
    table = {
        State.UP: (_UP, False),
        State.DOWN: (_DOWN, False),
        State.DEGRADED: (degraded, True),
        State.MAINTENANCE: (_MAINTENANCE, False),
        State.UNKNOWN: (_UNKNOWN, False),
    }
    for a, b, state in pieces:
        yield a, b, *table[state]


def _combine(counts: list[int], monitors: int, policy: Policy) -> tuple[int, bool]:
    """What an instant counts as, given how many monitors are up, down, degraded, in maintenance."""
    up, down, degraded, maintenance = counts
    if monitors == 0:
        return _UNKNOWN, False
    if maintenance == monitors:
        return _MAINTENANCE, False
    unknown = monitors - up - down - degraded - maintenance
    if policy.degraded_as is DegradedAs.UP:
        counted_up, counted_down = up + degraded, down
    else:
        counted_up, counted_down = up, down + degraded
    match policy.combine:
        case Combine.ALL:
            kind = _DOWN if counted_down else _UNKNOWN if unknown else _UP
            return kind, not down and not unknown and degraded > 0
        case Combine.ANY:
            kind = _UP if counted_up else _UNKNOWN if unknown else _DOWN
            return kind, not up and degraded > 0
        case _:
            assert_never(policy.combine)


def _sweep(timelines: Sequence[Sequence[Stored]], origin: int, end: int, policy: Policy) -> Iterator[Segment]:
    """Several monitors (or none): one pass over every boundary, sorted."""
    total = end - origin
    events = []
    for spans in timelines:
        for a, b, state in _pieces(spans, origin, end):
            if state is not State.UNKNOWN:
                events.append((a, _SLOT[state], 1))
                events.append((b, _SLOT[state], -1))
    events.sort()
    counts = [0, 0, 0, 0]
    monitors = len(timelines)
    previous = 0
    for moment, slot, delta in events:
        if moment > previous:
            yield previous, moment, *_combine(counts, monitors, policy)
            previous = moment
        counts[slot] += delta
    if previous < total:
        yield previous, total, *_combine(counts, monitors, policy)


def _tally(segments: Iterable[Segment], windows: list[tuple[int, int]], tally: _Tally) -> None:
    """Add each segment to the tally, less the scheduled maintenance windows (two pointers)."""
    first, count = 0, len(windows)
    for a, b, kind, degraded in segments:
        while first < count and windows[first][1] <= a:
            first += 1
        if first == count or windows[first][0] >= b:
            tally.add(a, b, kind, degraded)
            continue
        cursor, index = a, first
        while index < count and windows[index][0] < b:
            begin, finish = windows[index]
            if begin > cursor:
                tally.add(cursor, begin, kind, degraded)
            cut = min(finish, b)
            tally.scheduled += cut - max(begin, cursor)
            cursor = cut
            index += 1
        if cursor < b:
            tally.add(cursor, b, kind, degraded)


def _percent(up: int, down: int, policy: Policy) -> Decimal | None:
    """up × 100 ÷ (up + down), rounded in exact integer arithmetic to the policy's decimals."""
    measured = up + down
    if measured == 0:
        return None
    quotient, remainder = divmod(up * 100 * 10**policy.decimals, measured)
    match policy.rounding:
        case Rounding.DOWN:
            pass
        case Rounding.HALF_EVEN:
            if 2 * remainder > measured or (2 * remainder == measured and quotient % 2):
                quotient += 1
        case _:
            assert_never(policy.rounding)
    return Decimal(f"{quotient}E-{policy.decimals}")


def _split_unknown(unknown: int, unknown_as: UnknownAs) -> tuple[int, int, int]:
    """Unknown microseconds as (up, down, excluded)."""
    match unknown_as:
        case UnknownAs.EXCLUDE:
            return 0, 0, unknown
        case UnknownAs.UP:
            return unknown, 0, 0
        case UnknownAs.DOWN:
            return 0, unknown, 0
        case _:
            assert_never(unknown_as)


def _check_target(target: Decimal) -> None:
    if not target.is_finite() or not 0 <= target <= 100:
        raise ValueError(f"target: {target} is not a percentage between 0 and 100")


def availability(
    timelines: Sequence[Sequence[Span]],
    *,
    start: datetime,
    end: datetime,
    policy: Policy,
    target: Decimal,
    maintenance: Sequence[tuple[datetime, datetime]] = (),
) -> Availability:
    """A service's availability over [start, end) from its monitors' spans (one list per monitor).

    Each list is sorted and non-overlapping, may have gaps and may start after `start`: time a monitor
    has no span for is unknown for that monitor. `maintenance` holds scheduled windows, which may
    overlap each other and the window's edges.
    """
    stored = [[_stored(span) for span in spans] for spans in timelines]
    return availability_of(
        stored, start=start, end=end, policy=policy, target=target, maintenance=maintenance
    )


def availability_of(
    timelines: Sequence[Sequence[Stored]],
    *,
    start: datetime,
    end: datetime,
    policy: Policy,
    target: Decimal,
    maintenance: Sequence[tuple[datetime, datetime]] = (),
) -> Availability:
    """`availability` from spans as stored (epoch microseconds, sorted by start per monitor)."""
    _require_aware("start", start)
    _require_aware("end", end)
    if end < start:
        raise ValueError(f"end: {end.isoformat()} is before start {start.isoformat()}")
    _check_target(target)
    origin, finish = epoch_micros(start), epoch_micros(end)
    total = finish - origin
    if len(timelines) == 1:
        segments = _single(_pieces(timelines[0], origin, finish), policy)
    else:
        segments = _sweep(timelines, origin, finish, policy)
    tally = _Tally(policy.unknown_as)
    _tally(segments, _merge(maintenance, start.astimezone(UTC), total), tally)
    return _figure(tally, start=start, end=end, total=total, policy=policy, target=target)


def _figure(
    tally: _Tally, *, start: datetime, end: datetime, total: int, policy: Policy, target: Decimal
) -> Availability:
    unknown = tally.micros[_UNKNOWN]
    unknown_up, unknown_down, unknown_excluded = _split_unknown(unknown, policy.unknown_as)
    up, down = tally.micros[_UP] + unknown_up, tally.micros[_DOWN] + unknown_down
    maintenance = tally.micros[_MAINTENANCE] + tally.scheduled
    percent = _percent(up, down, policy)
    origin = start.astimezone(UTC)
    return Availability(
        start=start,
        end=end,
        policy=policy,
        target=target,
        window_seconds=total / _US_PER_SECOND,
        up_seconds=up / _US_PER_SECOND,
        down_seconds=down / _US_PER_SECOND,
        maintenance_seconds=maintenance / _US_PER_SECOND,
        unknown_seconds=unknown / _US_PER_SECOND,
        degraded_seconds=tally.degraded / _US_PER_SECOND,
        excluded_seconds=(maintenance + unknown_excluded) / _US_PER_SECOND,
        percent=percent,
        met=None if percent is None else percent >= target,
        outages=tuple((origin + a * _ONE_US, origin + b * _ONE_US) for a, b in tally.outages),
    )
