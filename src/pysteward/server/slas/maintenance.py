"""Maintenance windows: one-off spans, and occurrences of a cron expression or an RFC 5545 RRULE.

Recurring occurrences are local times in the window's time zone, so a 02:00 Sunday window stays at 02:00
local across DST changes; each lasts `duration` of real time. On the days the clocks change:

- RRULE follows RFC 5545: a local time the spring-forward gap skips is read with the offset before the gap
  (`fold=0`, as zoneinfo does: 02:30 becomes 03:30 summer time), a repeated autumn time counts once, the
  first time.
- Cron follows Debian cron, as cronsim does: an expression with a fixed minute and hour (`0 2 * * sun`)
  runs once, a skipped time read as above; one with a wildcard minute or hour (`*/5 * * * *`) runs by real
  time, so it has no occurrences in the gap and runs in both passes of the repeated hour.

An occurrence that would start at the same instant as another is kept once.

Cron expressions have five fields (minute hour day month weekday, as cronsim reads them). Rather than
stepping cronsim one occurrence at a time (a window every five minutes for a year is 100,000 steps through
zoneinfo), cronsim lists the matching dates and the times of day once, and a day without a clock change
is a plain sum.

Errors: `MaintenanceError` (a `ValueError`), its message naming the field: `expression: ...`,
`duration_minutes: ...`, `starts_at: ...`, `ends_at: ...`, `timezone: ...`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final, assert_never, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]

from pysteward.server.slas.models import MaintenanceKind

__all__ = ["MaintenanceError", "MaintenanceSpec", "merge", "occurrences", "validate"]

_MINIMUM: Final = timedelta(minutes=1)
_ONE_DAY: Final = timedelta(days=1)
_SECOND: Final = timedelta(seconds=1)
_CRON_FIELDS: Final = 5
_SOME_DAY: Final = datetime(2001, 1, 1)  # only its times of day are read


class MaintenanceError(ValueError):
    """A maintenance window is invalid: `expression: '0 25 * * *' is not a cron expression (bad hour)`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceSpec:
    """A maintenance window: once, or recurring by a cron expression or an RRULE."""

    kind: MaintenanceKind
    starts_at: datetime
    """ONCE: the start. Recurring: when the recurrence begins (the RRULE's DTSTART, read in `timezone`)."""
    ends_at: datetime | None
    """ONCE: the end (required). Recurring: no occurrence starts at or after it (None: forever)."""
    expression: str = ""
    """Cron (`0 2 * * sun`) or RRULE (`FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0`, `RRULE:` prefix allowed)."""
    duration: timedelta = timedelta(0)
    """Recurring: the length of each occurrence, at least a minute."""
    timezone: str = "UTC"


def validate(spec: MaintenanceSpec) -> None:
    """Raise `MaintenanceError` naming the field when `spec` is not a usable window."""
    zone = _zone(spec.timezone)
    _aware(spec.starts_at, "starts_at")
    if spec.ends_at is not None:
        _aware(spec.ends_at, "ends_at")
    if spec.kind is MaintenanceKind.ONCE:
        if spec.ends_at is None:
            raise MaintenanceError("ends_at: a one-off window needs an end")
    elif spec.duration < _MINIMUM:
        minutes = spec.duration.total_seconds() / 60
        raise MaintenanceError(f"duration_minutes: {minutes:g} is less than 1 minute")
    if spec.ends_at is not None and spec.ends_at <= spec.starts_at:
        raise MaintenanceError(
            f"ends_at: {spec.ends_at.isoformat()} is not after starts_at {spec.starts_at.isoformat()}"
        )
    match spec.kind:
        case MaintenanceKind.ONCE:
            pass
        case MaintenanceKind.CRON:
            _cron_fields(spec.expression)
        case MaintenanceKind.RRULE:
            _rule(spec.expression, spec.starts_at.astimezone(zone))
        case _:
            assert_never(spec.kind)


def occurrences(spec: MaintenanceSpec, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The window's UTC spans overlapping [start, end), clipped to it, sorted by start.

    An occurrence that began before `start` and still runs is included, clipped. Occurrences may overlap
    one another (a long duration, a frequent rule); `merge` joins them.
    """
    validate(spec)
    start, end = _aware(start, "start").astimezone(UTC), _aware(end, "end").astimezone(UTC)
    if end <= start:
        return []
    if spec.kind is MaintenanceKind.ONCE:
        return _clipped([(spec.starts_at, cast(datetime, spec.ends_at))], start, end)
    zone = ZoneInfo(spec.timezone)
    first = spec.starts_at.replace(microsecond=0) if spec.kind is MaintenanceKind.RRULE else spec.starts_at
    low = max(start - spec.duration, first)
    high = end if spec.ends_at is None else min(end, spec.ends_at)
    if spec.kind is MaintenanceKind.CRON:
        starts = _cron_starts(spec.expression, zone, low, high)
    else:
        starts = _rule_starts(spec.expression, zone, spec.starts_at.astimezone(zone), low, high)
    # The date ranges above are a day wider than [low, high) on each side; keep exactly the starts inside.
    chosen = (moment for moment in starts if low <= moment < high)
    return _clipped(((moment, moment + spec.duration) for moment in chosen), start, end)


def merge(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of `spans`: sorted, overlapping or touching spans joined, empty ones dropped."""
    merged: list[tuple[datetime, datetime]] = []
    for span_start, span_end in sorted(span for span in spans if span[0] < span[1]):
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
        else:
            merged.append((span_start, span_end))
    return merged


def _clipped(
    spans: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    clipped = []
    for span_start, span_end in spans:
        low, high = max(span_start.astimezone(UTC), start), min(span_end.astimezone(UTC), end)
        if low < high:
            clipped.append((low, high))
    return sorted(clipped)


def _cron_starts(expression: str, zone: ZoneInfo, low: datetime, high: datetime) -> Iterator[datetime]:
    """UTC starts of the cron occurrences on the local dates around [low, high), in order."""
    minute, hour, day, month, weekday = _cron_fields(expression)
    times = _times_of_day(expression)
    # Debian cron's rule (cronsim's too): a wildcard minute or hour means "by real time".
    by_real_time = minute.startswith("*") or hour.startswith("*")
    first = datetime.combine(low.astimezone(zone).date() - _ONE_DAY, time(0))
    last = high.astimezone(zone).date() + _ONE_DAY
    # A naive start makes cronsim step in plain local dates; midnight of each matching date comes out.
    days = CronSim(f"0 0 {day} {month} {weekday}", first - _SECOND)
    for midnight in itertools.takewhile(lambda moment: moment.date() <= last, days):
        offset = midnight.replace(tzinfo=zone).utcoffset()
        if offset == (midnight + _ONE_DAY).replace(tzinfo=zone).utcoffset():
            # No clock change that day: every local time is the same distance from UTC.
            base = (midnight - cast(timedelta, offset)).replace(tzinfo=UTC)
            yield from (base + since_midnight for since_midnight in times)
        else:
            yield from _on_changing_date(midnight, times, zone, by_real_time=by_real_time)


def _on_changing_date(
    midnight: datetime, times: tuple[timedelta, ...], zone: ZoneInfo, *, by_real_time: bool
) -> list[datetime]:
    found: set[datetime] = set()
    for since_midnight in times:
        local = midnight + since_midnight
        first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
        second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
        if first == second or not by_real_time:
            found.add(
                first
            )  # an ordinary time; or a fixed one, read once (fold=0) even if skipped or repeated
        elif first < second:
            found.update((first, second))  # repeated in autumn: both passes
        # else: skipped by the spring-forward gap, and real time never reaches it
    return sorted(found)


@functools.lru_cache(maxsize=256)
def _times_of_day(expression: str) -> tuple[timedelta, ...]:
    """The times of day (as time since midnight) the minute and hour fields of `expression` select."""
    minute, hour, *_ = _cron_fields(expression)
    end = _SOME_DAY + _ONE_DAY
    moments = CronSim(f"{minute} {hour} * * *", _SOME_DAY - _SECOND)
    return tuple(moment - _SOME_DAY for moment in itertools.takewhile(lambda moment: moment < end, moments))


def _cron_fields(expression: str) -> tuple[str, str, str, str, str]:
    fields = expression.split()
    if len(fields) != _CRON_FIELDS:
        fields_wanted = "five fields: minute hour day month weekday"
        raise MaintenanceError(f"expression: {expression!r} is not a cron expression ({fields_wanted})")
    try:
        CronSim(expression, _SOME_DAY)
    except CronSimError as e:
        raise MaintenanceError(
            f"expression: {expression!r} is not a cron expression ({str(e).lower()})"
        ) from e
    minute, hour, day, month, weekday = fields
    return minute, hour, day, month, weekday


def _rule_starts(
    expression: str, zone: ZoneInfo, dtstart: datetime, low: datetime, high: datetime
) -> Iterator[datetime]:
    rule = _rule(expression, dtstart)
    # dateutil compares datetimes of one zone by their wall time, so widen by a day and filter in UTC after.
    found = rule.between((low - _ONE_DAY).astimezone(zone), (high + _ONE_DAY).astimezone(zone), inc=True)
    # A time in the spring gap reads as the real time an hour later, which the rule may name as well.
    return iter(sorted({cast(datetime, moment).astimezone(UTC) for moment in found}))


def _rule(expression: str, dtstart: datetime) -> rrule:
    body = expression.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    problem = f"expression: {expression!r} is not an RRULE"
    if ":" in body or "\n" in body:
        raise MaintenanceError(f"{problem} (give one rule; the start comes from starts_at)")
    if "FREQ=" not in body.upper():
        raise MaintenanceError(f"{problem} (FREQ is required)")
    try:
        return rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError) as e:
        raise MaintenanceError(f"{problem} ({e})") from e


def _aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise MaintenanceError(f"{name}: {at.isoformat()} is a naive datetime; give a time zone")
    return at


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise MaintenanceError(f"timezone: unknown time zone {name!r}") from e
