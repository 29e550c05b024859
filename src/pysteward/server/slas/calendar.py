"""Business calendars: weekly hours in a time zone, holidays, and arithmetic on business time.

Weekly hours are local spans (`09:00`–`17:00`). They become UTC spans one local date at a time, through
zoneinfo, so days on which the clocks change come out right: 09:00–17:00 is still 8 h of business time on
such a day, while 00:00–24:00 on a spring-forward day is 23 h. A local time that does not exist (the
spring-forward gap) is read with `fold=0`, as zoneinfo does; a span that this would reverse or overlap with
the span before it is clipped, never reversed.

Errors: `CalendarError` (a `ValueError`) for a bad spec, its message naming the field
(`weekly_hours.mon[0]: ...`); a plain `ValueError` for a naive datetime or a negative amount.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DAY_NAMES", "DEFAULT_OFFICE_HOURS", "Calendar", "CalendarError"]

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The keys of `weekly_hours`, Monday first (the index is `date.weekday()`)."""

DEFAULT_OFFICE_HOURS: Final[Mapping[str, Sequence[Sequence[str]]]] = MappingProxyType(
    dict.fromkeys(DAY_NAMES[:5], (("09:00", "17:00"),))
)
"""Monday to Friday, 09:00 to 17:00, as `weekly_hours`."""

LocalSpan: TypeAlias = tuple[time, time | None]
Span: TypeAlias = tuple[datetime, datetime]

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_MIDNIGHT = time(0)


class CalendarError(ValueError):
    """A calendar spec is invalid: `weekly_hours.mon[0]: end 08:00 is not after start 09:00`."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """Business hours in a time zone (or around the clock)."""

    timezone: ZoneInfo
    weekly: tuple[tuple[LocalSpan, ...], ...]
    """Seven entries, Monday to Sunday, each a sorted tuple of local spans; an end of None means 24:00."""
    holidays: frozenset[date]
    """Local dates with no business hours."""
    always: bool = False
    """Around the clock: every instant is business time (lets every method take a shortcut)."""

    def __post_init__(self) -> None:
        # The loops below rely on a week having some business time, so hand-built calendars are checked too.
        if len(self.weekly) != len(DAY_NAMES):
            raise CalendarError(f"weekly: a week has 7 days, got {len(self.weekly)}")
        if not any(end is None or start < end for day in self.weekly for start, end in day):
            raise CalendarError("weekly_hours: the week has no business hours")

    @classmethod
    def around_the_clock(cls) -> Calendar:
        """Every instant is business time."""
        return cls(ZoneInfo("UTC"), (((_MIDNIGHT, None),),) * 7, frozenset(), always=True)

    @classmethod
    def office_hours(cls, timezone: str) -> Calendar:
        """Monday to Friday, 09:00 to 17:00 in `timezone`, no holidays."""
        return cls.from_spec(timezone=timezone, weekly_hours=DEFAULT_OFFICE_HOURS, holidays=())

    @classmethod
    def from_spec(
        cls, *, timezone: str, weekly_hours: Mapping[str, Sequence[Sequence[str]]], holidays: Sequence[str]
    ) -> Calendar:
        """A calendar from its stored form; raises `CalendarError` naming the first bad field."""
        zone = _zone(timezone)
        unknown = [name for name in weekly_hours if name not in DAY_NAMES]
        if unknown:
            raise CalendarError(f"weekly_hours: unknown day {unknown[0]!r} (use {', '.join(DAY_NAMES)})")
        weekly = tuple(_day_spans(f"weekly_hours.{name}", weekly_hours.get(name, ())) for name in DAY_NAMES)
        days = frozenset(_holiday(f"holidays[{index}]", text) for index, text in enumerate(holidays))
        return cls(zone, weekly, days)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is business time (a span's start is, its end is not)."""
        at = _utc(at, "at")
        if self.always:
            return True
        day = at.astimezone(self.timezone).date()
        return any(start <= at < end for start, end in (*self._spans(day - _ONE_DAY), *self._spans(day)))

    def open_spans(self, start: datetime, end: datetime) -> Iterator[Span]:
        """The business spans (UTC) clipped to [start, end), in order, touching spans merged."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end <= start:
            return iter(())
        if self.always:
            return iter(((start, end),))
        return self._merged(start, end)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business time in [start, end), in seconds; 0 if `end <= start`."""
        # Summed as timedelta (whole microseconds), so long ranges do not collect float rounding.
        total = sum((span_end - span_start for span_start, span_end in self.open_spans(start, end)), _ZERO)
        return total.total_seconds()

    def add(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant t >= start with `business_seconds(start, t) == seconds` (UTC)."""
        start = _utc(start, "start")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds: {seconds} is not a finite number >= 0")
        remaining = timedelta(seconds=seconds)
        if remaining == _ZERO:
            return start
        if self.always:
            return start + remaining
        day = start.astimezone(self.timezone).date() - _ONE_DAY
        while True:
            # One local date per turn: a date contributes its few spans, never minute by minute.
            for span_start, span_end in self._spans(day):
                if span_end <= start:
                    continue
                begin = max(span_start, start)
                if span_end - begin >= remaining:
                    return begin + remaining
                remaining -= span_end - begin
            day += _ONE_DAY

    def add_days(self, start: datetime, days: int) -> datetime:
        """`days` business days after `start`, at the same business time of day (UTC).

        `start` moves forward to the next business instant s when closed; o is the business time from the
        start of s's business day to s; the answer is the instant o into the `days`-th business day after
        s's (the end of that day's hours when it is shorter). An o that ends exactly where a span ends
        lands on the next span's start, as the snapping of `start` does. Around the clock: `days` * 24 h.
        """
        start = _utc(start, "start")
        if days < 0:
            raise ValueError(f"days: {days} is negative")
        if self.always:
            return start + days * _ONE_DAY
        day, spans, at = self._snap(start)
        offset = sum(
            (min(span_end, at) - span_start for span_start, span_end in spans if span_start < at), _ZERO
        )
        for _ in range(days):
            day, spans = self._next_business_day(day)
        for span_start, span_end in spans:
            if span_end - span_start > offset:
                return span_start + offset
            offset -= span_end - span_start
        return spans[-1][1]

    def _spans(self, day: date) -> tuple[Span, ...]:
        if day in self.holidays:
            return ()
        return _utc_spans(self.timezone, self.weekly[day.weekday()], day)

    def _merged(self, start: datetime, end: datetime) -> Iterator[Span]:
        day = start.astimezone(self.timezone).date() - _ONE_DAY
        last = end.astimezone(self.timezone).date()
        pending: Span | None = None
        while day <= last:
            for span_start, span_end in self._spans(day):
                if span_end <= start or span_start >= end:
                    continue
                span = (max(span_start, start), min(span_end, end))
                if pending is not None and pending[1] >= span[0]:
                    pending = (pending[0], span[1])
                    continue
                if pending is not None:
                    yield pending
                pending = span
            day += _ONE_DAY
        if pending is not None:
            yield pending

    def _snap(self, start: datetime) -> tuple[date, tuple[Span, ...], datetime]:
        """The business day holding the first business instant at or after `start`, its spans, the instant."""
        day = start.astimezone(self.timezone).date() - _ONE_DAY
        while True:
            spans = self._spans(day)
            for span_start, span_end in spans:
                if span_end > start:
                    return day, spans, max(span_start, start)
            day += _ONE_DAY

    def _next_business_day(self, day: date) -> tuple[date, tuple[Span, ...]]:
        while True:
            day += _ONE_DAY
            spans = self._spans(day)
            if spans:
                return day, spans


@functools.lru_cache(maxsize=16384)
def _utc_spans(zone: ZoneInfo, local: tuple[LocalSpan, ...], day: date) -> tuple[Span, ...]:
    """The UTC spans of `local` on the local date `day` (cached: deadlines revisit the same dates)."""
    spans: list[Span] = []
    for local_start, local_end in local:
        start = datetime.combine(day, local_start, tzinfo=zone).astimezone(UTC)
        if local_end is None:
            end = datetime.combine(day + _ONE_DAY, _MIDNIGHT, tzinfo=zone).astimezone(UTC)
        else:
            end = datetime.combine(day, local_end, tzinfo=zone).astimezone(UTC)
        if spans:
            # A time in the spring-forward gap reads as later than the real time after it, so the span
            # before may already reach past this start: continue from its end instead of overlapping.
            start = max(start, spans[-1][1])
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def _utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name}: {at.isoformat()} is a naive datetime; give a time zone")
    return at.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise CalendarError(f"timezone: unknown time zone {name!r}") from e


def _day_spans(place: str, raw: Sequence[Sequence[str]]) -> tuple[LocalSpan, ...]:
    if isinstance(raw, str):
        raise CalendarError(f"{place}: give a list of [start, end] spans, not {raw!r}")
    spans = [_span(f"{place}[{index}]", item) for index, item in enumerate(raw)]
    order = sorted(range(len(spans)), key=lambda index: spans[index][0])
    for before, after in itertools.pairwise(order):
        end = spans[before][1]
        if end is None or end > spans[after][0]:
            raise CalendarError(f"{place}[{after}]: {_show(spans[after])} overlaps {_show(spans[before])}")
    return tuple(spans[index] for index in order)


def _span(place: str, item: Sequence[str]) -> LocalSpan:
    if isinstance(item, str) or len(item) != 2:
        raise CalendarError(f"{place}: a span is a pair [start, end], got {item!r}")
    start = _clock(place, "start", item[0])
    if start is None:
        raise CalendarError(f"{place}: start 24:00 is not a time of day (HH:MM, 00:00 to 23:59)")
    end = _clock(place, "end", item[1])
    if end is not None and end <= start:
        raise CalendarError(f"{place}: end {end:%H:%M} is not after start {start:%H:%M}")
    return start, end


def _clock(place: str, role: str, text: str) -> time | None:
    """A local time; None for 24:00 (the end of the day)."""
    if text == "24:00":
        return None
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise CalendarError(f"{place}: {role} {text!r} is not a time (HH:MM)")
    return time(int(match[1]), int(match[2]))


def _holiday(place: str, text: str) -> date:
    problem = CalendarError(f"{place}: {text!r} is not a date (YYYY-MM-DD)")
    if not (isinstance(text, str) and _ISO_DATE.fullmatch(text)):
        raise problem
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise problem from e


def _show(span: LocalSpan) -> str:
    start, end = span
    return f"{start:%H:%M}–{'24:00' if end is None else format(end, '%H:%M')}"
