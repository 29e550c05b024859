"""Heartbeat monitors: jobs push signals (start, success, fail) to a secret URL; silence past the
expected time plus grace is a failure.

`Monitor.next_run_at` holds a heartbeat's deadline (next expected signal + grace), so finding the
overdue ones is one indexed query. A monitor never pinged has no deadline and stays unknown.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import Monitor, MonitorKind, State
from pysteward.server.monitors.results import NewResult, record_results
from pysteward.server.tenancy.service import digest

__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "Signal",
    "SignalReceipt",
    "deadline_after",
    "hash_token",
    "record_heartbeat",
]

DEFAULT_GRACE_SECONDS = 300


class Signal(enum.StrEnum):
    """What a job tells its heartbeat monitor."""

    START = "start"
    SUCCESS = "success"
    FAIL = "fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalReceipt:
    """A signal was accepted for `monitor_id`; `duration` from the last start, for a success."""

    monitor_id: int
    signal: Signal
    duration: timedelta | None = None


# What `Monitor.heartbeat_token_hash` stores for a token: the same SHA-256 digest as API tokens and
# sessions. The token is a random secret, so a fast hash is enough and a ping is one indexed lookup.
hash_token = digest


def next_expected(config: Mapping[str, Any], after: datetime) -> datetime:
    """When the next signal is due after `after`: `period_seconds` later, or the cron expression's
    next time in the monitor's time zone (in UTC)."""
    cron = config.get("cron")
    if cron:
        zone = ZoneInfo(str(config.get("timezone") or "UTC"))
        upcoming: datetime = next(iter(CronSim(str(cron), after.astimezone(zone))))
        return upcoming.astimezone(UTC)
    return after + timedelta(seconds=int(config.get("period_seconds") or 0))


def deadline_after(config: Mapping[str, Any], after: datetime) -> datetime:
    """The time after which silence since `after` is a failure: next expected time plus grace."""
    grace = config.get("grace_seconds")
    grace_seconds = DEFAULT_GRACE_SECONDS if grace is None else int(grace)
    return next_expected(config, after) + timedelta(seconds=grace_seconds)


def record_heartbeat(session: Session, *, token: str, signal: Signal, now: datetime) -> SignalReceipt | None:
    """Take a signal for the heartbeat monitor whose token is `token`; None for an unknown token.

    `start` only notes the time; `success` and `fail` are results (UP, DOWN) that go through the
    same state machine as checks, move the deadline, and measure the run from the last start.
    """
    query = select(Monitor).where(
        Monitor.heartbeat_token_hash == hash_token(token), Monitor.kind == MonitorKind.HEARTBEAT
    )
    monitor = session.scalars(query).one_or_none()
    if monitor is None:
        return None
    if signal is Signal.START:
        monitor.last_started_at = now
        session.commit()
        return SignalReceipt(monitor_id=monitor.id, signal=signal)
    started = monitor.last_started_at
    duration = now - started if started is not None and started <= now else None
    details: dict[str, Any] = {"signal": signal.value}
    if duration is not None:
        details["duration_seconds"] = duration.total_seconds()
    outcome = CheckOutcome(
        state=State.UP if signal is Signal.SUCCESS else State.DOWN,
        message="the job reported success" if signal is Signal.SUCCESS else "the job reported a failure",
        details=details,
    )
    monitor.last_started_at = None
    monitor.next_run_at = deadline_after(monitor.config, now)
    record_results(session, [NewResult(monitor_id=monitor.id, checked_at=now, outcome=outcome)], now=now)
    return SignalReceipt(monitor_id=monitor.id, signal=signal, duration=duration)
