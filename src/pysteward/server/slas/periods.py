"""Measurement periods: calendar months, ISO weeks, quarters and 28-day blocks in an SLA's time zone.

A period runs from local midnight to local midnight, so its length in UTC follows the clocks: March 2026 in
Europe/Paris is 31 days less an hour. Rolling 28-day periods close as consecutive blocks counted from the
local midnight on or before the SLA's start (`anchor`); `rolling_window` is the sliding "28 days to now".

Errors: `PeriodError` (a `ValueError`), its message naming the field (`period: ...`, `timezone: ...`);
a naive datetime is refused with it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, assert_never
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pysteward.server.slas.models import WindowKind

__all__ = [
    "Period",
    "PeriodError",
    "nominal_seconds",
    "parse_period",
    "period_containing",
    "periods_between",
    "previous_period",
    "rolling_window",
]

_BLOCK_DAYS: Final = 28
_DAY_SECONDS: Final = 86_400.0
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q(\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FORMS: Final = {
    WindowKind.MONTH: "a month (YYYY-MM)",
    WindowKind.WEEK: "a week (YYYY-Www)",
    WindowKind.QUARTER: "a quarter (YYYY-Qn)",
    WindowKind.ROLLING_28D: "a 28-day block (a date in it, YYYY-MM-DD)",
}


class PeriodError(ValueError):
    """A period or its time zone is invalid: `period: '2026-13' is not a month (YYYY-MM)`."""


@dataclass(frozen=True, slots=True)
class Period:
    """A measurement period: [start, end) in UTC, with the label people read."""

    start: datetime
    end: datetime
    """Exclusive."""
    label: str
    """`2026-11`, `2026-W47`, `2026-Q4`, or `2026-10-26/2026-11-23` (a 28-day block's local dates)."""

    @property
    def seconds(self) -> float:
        """The period's length in seconds (real time, so DST months are an hour shorter or longer)."""
        return (self.end - self.start).total_seconds()


def period_containing(kind: WindowKind, at: datetime, timezone: str, *, anchor: datetime) -> Period:
    """The period of `kind` in `timezone` that contains `at`; `anchor` only places 28-day blocks."""
    zone = _zone(timezone)
    day = _aware(at, "at").astimezone(zone).date()
    return _period_of(kind, day, zone, _aware(anchor, "anchor"))


def periods_between(
    kind: WindowKind, start: datetime, end: datetime, timezone: str, *, anchor: datetime
) -> list[Period]:
    """Every period overlapping [start, end), in order; empty when `end <= start`."""
    zone = _zone(timezone)
    start, end, anchor = _aware(start, "start"), _aware(end, "end"), _aware(anchor, "anchor")
    periods: list[Period] = []
    if end <= start:
        return periods
    period = _period_of(kind, start.astimezone(zone).date(), zone, anchor)
    while period.start < end:
        periods.append(period)
        period = _period_of(kind, period.end.astimezone(zone).date(), zone, anchor)
    return periods


def previous_period(kind: WindowKind, period: Period, timezone: str, *, anchor: datetime) -> Period:
    """The period of `kind` just before `period`."""
    zone = _zone(timezone)
    day = period.start.astimezone(zone).date() - timedelta(days=1)
    return _period_of(kind, day, zone, _aware(anchor, "anchor"))


def rolling_window(at: datetime, days: int = _BLOCK_DAYS) -> Period:
    """The sliding window of `days` days up to `at`: [at - days, at), labelled `28 days to <iso>`."""
    if days < 1:
        raise PeriodError(f"days: {days} is not a positive number of days")
    end = _aware(at, "at").astimezone(UTC)
    return Period(end - timedelta(days=days), end, f"{days} days to {end.isoformat()}")


def nominal_seconds(kind: WindowKind) -> float:
    """A typical length of a `kind` period (month 30 d, week 7 d, quarter 90 d, rolling 28 d).

    Burn-rate factors are scaled by it, so they must not wobble with month lengths or DST.
    """
    match kind:
        case WindowKind.MONTH:
            return 30 * _DAY_SECONDS
        case WindowKind.WEEK:
            return 7 * _DAY_SECONDS
        case WindowKind.QUARTER:
            return 90 * _DAY_SECONDS
        case WindowKind.ROLLING_28D:
            return _BLOCK_DAYS * _DAY_SECONDS
        case _:
            assert_never(kind)


def parse_period(kind: WindowKind, text: str, timezone: str, *, anchor: datetime, now: datetime) -> Period:
    """The period named by `text`: `current`, `previous`, `2026-11`, `2026-W47`, `2026-Q4` or a date.

    A date (`2026-11-05`) names the period of any kind that contains it; the other forms fit one kind.
    """
    zone = _zone(timezone)
    anchor, now = _aware(anchor, "anchor"), _aware(now, "now")
    if text in {"current", "previous"}:
        current = _period_of(kind, now.astimezone(zone).date(), zone, anchor)
        return current if text == "current" else previous_period(kind, current, timezone, anchor=anchor)
    try:
        day = _first_day(kind, text)
    except ValueError as e:
        form = "a date (YYYY-MM-DD)" if _ISO_DATE.fullmatch(text) else _FORMS[kind]
        raise PeriodError(f"period: {text!r} is not {form}") from e
    try:
        return _period_of(kind, day, zone, anchor)
    except (ValueError, OverflowError) as e:
        # At the very ends of the calendar: the next period's first day, or UTC, would be in year 0 or 10000.
        raise PeriodError(f"period: {text!r} is out of range") from e


def _first_day(kind: WindowKind, text: str) -> date:
    """A local date inside the period `text` names; ValueError when it names none."""
    if _ISO_DATE.fullmatch(text):
        return date.fromisoformat(text)
    month, week, quarter = _MONTH.fullmatch(text), _WEEK.fullmatch(text), _QUARTER.fullmatch(text)
    if kind is WindowKind.MONTH and month:
        return date(int(month[1]), int(month[2]), 1)
    if kind is WindowKind.WEEK and week:
        return date.fromisocalendar(int(week[1]), int(week[2]), 1)
    if kind is WindowKind.QUARTER and quarter and 1 <= int(quarter[2]) <= 4:
        return date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
    raise ValueError(text)


def _period_of(kind: WindowKind, day: date, zone: ZoneInfo, anchor: datetime) -> Period:
    """The period of `kind` holding the local date `day`."""
    match kind:
        case WindowKind.MONTH:
            first = day.replace(day=1)
            return _local(first, _add_months(first, 1), zone, f"{first:%Y-%m}")
        case WindowKind.WEEK:
            monday = day - timedelta(days=day.weekday())
            year, week, _ = monday.isocalendar()
            return _local(monday, monday + timedelta(days=7), zone, f"{year:04d}-W{week:02d}")
        case WindowKind.QUARTER:
            first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            label = f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
            return _local(first, _add_months(first, 3), zone, label)
        case WindowKind.ROLLING_28D:
            origin = anchor.astimezone(zone).date()
            first = origin + timedelta(days=(day - origin).days // _BLOCK_DAYS * _BLOCK_DAYS)
            last = first + timedelta(days=_BLOCK_DAYS)
            return _local(first, last, zone, f"{first.isoformat()}/{last.isoformat()}")
        case _:
            assert_never(kind)


def _local(first: date, last: date, zone: ZoneInfo, label: str) -> Period:
    """The period from local midnight of `first` to local midnight of `last`."""
    return Period(_midnight(first, zone), _midnight(last, zone), label)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Where midnight falls in a spring-forward gap, fold=0 reads it as the first instant of the day.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise PeriodError(f"{name}: {at.isoformat()} is a naive datetime; give a time zone")
    return at


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise PeriodError(f"timezone: unknown time zone {name!r}") from e
