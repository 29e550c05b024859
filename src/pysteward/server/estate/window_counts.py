"""Availability as whole microseconds that add up over consecutive windows, and a faster `measure`.

Availability is additive in time: the figure of [start, now) is the figure of [start, c) plus the
figure of [c, now), counted in whole microseconds, with an outage running over c kept as one. `Counts`
holds those microseconds; `Counts.figure` turns them back into the `Availability` that
`slas.accounting.availability_of` would have answered for the whole window (the percentage computed
and rounded the same way, from the same integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pysteward.server.monitors.models import State
from pysteward.server.slas.accounting import Availability, Policy, Stored, availability_of, epoch_micros
from pysteward.server.slas.models import Rounding

__all__ = ["Counts", "joined", "measure", "steady"]

_US = 1_000_000


def _micros(seconds: float) -> int:
    return round(seconds * _US)


def _percent(up: int, down: int, policy: Policy) -> Decimal | None:
    """As `accounting`: up × 100 ÷ (up + down) in integers, rounded to the policy's decimals."""
    measured = up + down
    if measured == 0:
        return None
    quotient, remainder = divmod(up * 100 * 10**policy.decimals, measured)
    if policy.rounding is Rounding.HALF_EVEN and (
        2 * remainder > measured or (2 * remainder == measured and quotient % 2)
    ):
        quotient += 1
    return Decimal(f"{quotient}E-{policy.decimals}")


@dataclass(frozen=True, slots=True)
class Counts:
    """A figure's time in whole microseconds, which add up over consecutive windows."""

    window: int
    up: int
    down: int
    maintenance: int
    unknown: int
    degraded: int
    excluded: int
    outages: tuple[tuple[datetime, datetime], ...] = ()

    @classmethod
    def of(cls, figure: Availability) -> Counts:
        """The counts of `figure` (its seconds are microseconds divided by a million)."""
        return cls(
            window=_micros(figure.window_seconds),
            up=_micros(figure.up_seconds),
            down=_micros(figure.down_seconds),
            maintenance=_micros(figure.maintenance_seconds),
            unknown=_micros(figure.unknown_seconds),
            degraded=_micros(figure.degraded_seconds),
            excluded=_micros(figure.excluded_seconds),
            outages=figure.outages,
        )

    @classmethod
    def all_up(cls, micros: int) -> Counts:
        """A window up from end to end, with no maintenance."""
        return cls(window=micros, up=micros, down=0, maintenance=0, unknown=0, degraded=0, excluded=0)

    def plus(self, later: Counts) -> Counts:
        """These counts followed by `later`'s; an outage running over the seam is one outage."""
        outages = self.outages
        if outages and later.outages and outages[-1][1] == later.outages[0][0]:
            outages = (*outages[:-1], (outages[-1][0], later.outages[0][1]), *later.outages[1:])
        else:
            outages = outages + later.outages
        return Counts(
            window=self.window + later.window,
            up=self.up + later.up,
            down=self.down + later.down,
            maintenance=self.maintenance + later.maintenance,
            unknown=self.unknown + later.unknown,
            degraded=self.degraded + later.degraded,
            excluded=self.excluded + later.excluded,
            outages=outages,
        )

    def figure(self, *, start: datetime, end: datetime, policy: Policy, target: Decimal) -> Availability:
        """The `Availability` these counts make over [start, end)."""
        percent = _percent(self.up, self.down, policy)
        return Availability(
            start=start,
            end=end,
            policy=policy,
            target=target,
            window_seconds=self.window / _US,
            up_seconds=self.up / _US,
            down_seconds=self.down / _US,
            maintenance_seconds=self.maintenance / _US,
            unknown_seconds=self.unknown / _US,
            degraded_seconds=self.degraded / _US,
            excluded_seconds=self.excluded / _US,
            percent=percent,
            met=None if percent is None else percent >= target,
            outages=self.outages,
        )


def joined(first: Availability, second: Availability) -> Availability:
    """The figure of `first`'s start to `second`'s end, `second` starting where `first` ends."""
    if first.end != second.start or first.policy != second.policy or first.target != second.target:
        raise ValueError("joined: the figures are not consecutive under one policy and target")
    total = Counts.of(first).plus(Counts.of(second))
    return total.figure(start=first.start, end=second.end, policy=first.policy, target=first.target)


def _always_up(spans: Sequence[Stored], start: int, end: int) -> bool:
    return (
        len(spans) == 1 and spans[0][2] is State.UP and spans[0][0] <= start and (spans[0][1] or end) >= end
    )


def steady(timelines: Sequence[Sequence[Stored]], start: int, end: int) -> bool:
    """Whether every monitor was up from `start` to `end` (epoch microseconds), with at least one."""
    return bool(timelines) and all(_always_up(spans, start, end) for spans in timelines)


def measure(
    timelines: Sequence[Sequence[Stored]],
    *,
    start: datetime,
    end: datetime,
    policy: Policy,
    target: Decimal,
    maintenance: Sequence[tuple[datetime, datetime]],
) -> Availability:
    """`availability_of`, with the monitors that are up all along counted once.

    Exact under both combine rules: with one monitor up the whole time, a service is never all in
    maintenance, a second such monitor adds one to the monitors and one to those up (no unknown, no
    down, no degraded), and any monitor up makes ANY up; so it is the single-monitor fast path
    whenever every monitor was up."""
    low, high = epoch_micros(start), epoch_micros(end)
    varying = [spans for spans in timelines if not _always_up(spans, low, high)]
    if len(varying) < len(timelines):
        varying.append(next(spans for spans in timelines if _always_up(spans, low, high)))
    return availability_of(
        varying, start=start, end=end, policy=policy, target=target, maintenance=maintenance
    )
