"""The status page's availability: one figure per day of the last 90 days per service, and over them all.

Days are local days in the client's report time zone (the last one runs to now). Each day is counted
by the SLA accounting (`slas.accounting`) under the policy of the SLA covering the service, with that
SLA's maintenance excluded; a service no SLA covers is counted under the default policy. Every
service's intervals come from one streamed query (`slas.figures.load_timelines`).

A day's level, for the bar's colour:

    up            measured, no downtime
    minor         some downtime, still at or above 99 %
    major         below 99 %
    maintenance   nothing measured, some scheduled or monitor maintenance
    nodata        nothing measured (no monitor, nobody looking, or before the service existed)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pysteward.server.slas.accounting import Availability, Policy, availability_of
from pysteward.server.slas.figures import Timeline, load_timelines

__all__ = ["DAYS", "Coverage", "Day", "ServiceAvailability", "day_bounds", "measure", "overall_percent"]

DAYS = 90
_MINOR = Decimal(99)
_US = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """How one service is counted: the accounting policy, the SLA target, the maintenance spans (UTC)."""

    policy: Policy
    target: Decimal
    maintenance: Sequence[tuple[datetime, datetime]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Day:
    """One bar of the strip: a local day, its availability and level (see the module docstring)."""

    day: date
    percent: Decimal | None
    level: str
    down_seconds: float
    measured_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceAvailability:
    """A service's days, oldest first, and the figure over all of them (None: nothing measured)."""

    days: tuple[Day, ...]
    percent: Decimal | None
    up_micros: int
    down_micros: int


def day_bounds(now: datetime, timezone: str, days: int = DAYS) -> tuple[list[date], list[datetime]]:
    """The last `days` local dates in `timezone` up to `now` (today included), oldest first, and their
    bounds: each date's local midnight in UTC, then `now` (one more bound than dates)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    starts = [datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) for day in dates]
    return dates, [*starts, now]


def _level(figure: Availability) -> str:
    if figure.percent is None:
        return "maintenance" if figure.maintenance_seconds > 0 else "nodata"
    if figure.down_seconds == 0:
        return "up"
    return "minor" if figure.percent >= _MINOR else "major"


def _measure_one(
    timelines: list[Timeline], dates: list[date], bounds: list[datetime], coverage: Coverage
) -> ServiceAvailability:
    days = []
    for day, start, end in zip(dates, bounds[:-1], bounds[1:], strict=True):
        cut = [timeline.within(start, end) for timeline in timelines]
        figure = availability_of(
            cut,
            start=start,
            end=end,
            policy=coverage.policy,
            target=coverage.target,
            maintenance=[(a, b) for a, b in coverage.maintenance if a < end and b > start],
        )
        days.append(
            Day(
                day=day,
                percent=figure.percent,
                level=_level(figure),
                down_seconds=figure.down_seconds,
                measured_seconds=figure.measured_seconds,
            )
        )
    whole = availability_of(
        [timeline.within(bounds[0], bounds[-1]) for timeline in timelines],
        start=bounds[0],
        end=bounds[-1],
        policy=coverage.policy,
        target=coverage.target,
        maintenance=coverage.maintenance,
    )
    return ServiceAvailability(
        days=tuple(days),
        percent=whole.percent,
        up_micros=round(whole.up_seconds * _US),
        down_micros=round(whole.down_seconds * _US),
    )


def measure(
    session: Session, *, coverage: Mapping[int, Coverage], now: datetime, timezone: str
) -> dict[int, ServiceAvailability]:
    """Each service's (the keys of `coverage`) days and 90-day figure, from one load of intervals."""
    dates, bounds = day_bounds(now, timezone)
    loaded = load_timelines(session, service_ids=coverage, start=bounds[0], end=now)
    return {
        service_id: _measure_one([Timeline(spans) for spans in loaded[service_id]], dates, bounds, rules)
        for service_id, rules in coverage.items()
    }


def overall_percent(figures: Sequence[ServiceAvailability], decimals: int = 3) -> Decimal | None:
    """Up ÷ (up + down) over every service's 90 days, time-weighted, rounded down; None if nothing
    was measured."""
    up = sum(figure.up_micros for figure in figures)
    measured = up + sum(figure.down_micros for figure in figures)
    if measured == 0:
        return None
    return Decimal(f"{up * 100 * 10**decimals // measured}E-{decimals}")
