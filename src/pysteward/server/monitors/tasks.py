"""Scheduled work as plain functions of `now` (ARCHITECTURE: run in-process, by Celery, or by a test
with a frozen clock). Each commits its own work and is safe to run twice or on several workers.

    claim_due          checks whose time has come, claimed with a conditional UPDATE (STYLE 28)
    expire_heartbeats  heartbeats silent past their deadline get a DOWN result
    mark_gap           at runner start: the time nobody was looking becomes `unknown`
    touch_liveness     the runner proves it is alive
    prune              raw results and rollups past their retention, in chunks
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.heartbeats import deadline_after
from pysteward.server.monitors.models import (
    CheckResult,
    Monitor,
    MonitorKind,
    Rollup,
    RunnerLiveness,
    State,
    StateInterval,
)
from pysteward.server.monitors.results import NewResult, record_results, switch_interval
from pysteward.server.settings import Settings

__all__ = [
    "DueCheck",
    "PruneCounts",
    "claim_due",
    "expire_heartbeats",
    "mark_gap",
    "prune",
    "touch_liveness",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DueCheck:
    """A claimed check: what to run, and when it was due and claimed (their gap is scheduling lag)."""

    monitor_id: int
    kind: MonitorKind
    config: Mapping[str, Any]
    timeout_seconds: float
    due_at: datetime
    claimed_at: datetime
    check_id: str
    """A random id for this one run, carried by its log lines."""


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    lease_seconds: float = 0.0,
    jitter_seconds: float = 0.0,
    rng: random.Random | None = None,
) -> list[DueCheck]:
    """Claim up to `limit` enabled HTTP/TCP checks due at `now` (a new monitor is due at once).

    Each claim moves `next_run_at` to `now + max(interval, lease_seconds) + jitter` with an UPDATE
    conditioned on the value read, so two runners never claim the same run; `lease_seconds` is the
    least time before the same monitor can be claimed again, whatever its interval. Jitter (uniform in
    `[0, jitter_seconds]`) spreads monitors created together over time.
    """
    rng = rng or random.Random()  # noqa: S311 (spreading load, not a secret)
    due = (Monitor.next_run_at.is_(None)) | (Monitor.next_run_at <= now)
    query = (
        select(
            Monitor.id,
            Monitor.kind,
            Monitor.config,
            Monitor.timeout_seconds,
            Monitor.interval_seconds,
            Monitor.next_run_at,
        )
        .where(Monitor.enabled.is_(True), Monitor.kind != MonitorKind.HEARTBEAT, due)
        .order_by(Monitor.next_run_at)
        .limit(limit)
    )
    claimed: list[DueCheck] = []
    for row in session.execute(query).all():
        hold = max(row.interval_seconds, lease_seconds) + rng.uniform(0, jitter_seconds)
        same = (
            Monitor.next_run_at.is_(None)
            if row.next_run_at is None
            else Monitor.next_run_at == row.next_run_at
        )
        statement = (
            update(Monitor)
            .where(Monitor.id == row.id, same)
            .values(next_run_at=now + timedelta(seconds=hold))
            .execution_options(synchronize_session=False)
        )
        if session.connection().execute(statement).rowcount == 1:
            claimed.append(
                DueCheck(
                    monitor_id=row.id,
                    kind=row.kind,
                    config=dict(row.config or {}),
                    timeout_seconds=row.timeout_seconds,
                    due_at=row.next_run_at or now,
                    claimed_at=now,
                    check_id=uuid.uuid4().hex[:16],
                )
            )
    session.commit()
    return claimed


def expire_heartbeats(session: Session, *, now: datetime) -> int:
    """Give every heartbeat silent past its deadline one DOWN result and its next deadline; how many."""
    query = select(Monitor).where(
        Monitor.kind == MonitorKind.HEARTBEAT,
        Monitor.enabled.is_(True),
        Monitor.next_run_at.is_not(None),
        Monitor.next_run_at <= now,
    )
    results: list[NewResult] = []
    for monitor in session.scalars(query.order_by(Monitor.id).with_for_update()).all():
        deadline = monitor.next_run_at
        assert deadline is not None
        # Counted once per missed deadline, then the next deadline from now: a long silence is
        # one failure per expected run, never a burst of catch-up failures.
        monitor.next_run_at = deadline_after(monitor.config, now)
        message = f"no signal by {deadline.isoformat(timespec='seconds')} (expected time plus grace)"
        outcome = CheckOutcome(state=State.DOWN, message=message, details={"signal": "missed"})
        results.append(NewResult(monitor_id=monitor.id, checked_at=now, outcome=outcome))
    record_results(session, results, now=now)
    session.commit()
    return len(results)


def touch_liveness(session: Session, *, runner_name: str, now: datetime) -> None:
    """Note that the runner `runner_name` is alive at `now`."""
    live = session.get(RunnerLiveness, runner_name)
    if live is None:
        session.add(RunnerLiveness(name=runner_name, seen_at=now))
    elif live.seen_at < now:
        live.seen_at = now
    session.commit()


def mark_gap(session: Session, *, runner_name: str, now: datetime) -> datetime | None:
    """At runner start: the time since the runner was last seen becomes `unknown` for every enabled
    monitor with a timeline (never `down`); heartbeat deadlines missed meanwhile are moved past it.

    The gap starts when the runner was last seen, or at a monitor's last result if that is later.
    Returns the gap's start, or None on a first start.
    """
    live = session.get(RunnerLiveness, runner_name)
    if live is None or live.seen_at >= now:
        touch_liveness(session, runner_name=runner_name, now=now)
        return None
    since = live.seen_at
    monitors = session.scalars(select(Monitor).where(Monitor.enabled.is_(True)).order_by(Monitor.id)).all()
    query = select(StateInterval).where(StateInterval.ended_at.is_(None))
    open_ = {interval.monitor_id: interval for interval in session.scalars(query)}
    for monitor in monitors:
        if (
            monitor.kind is MonitorKind.HEARTBEAT
            and monitor.next_run_at is not None
            and monitor.next_run_at < now
        ):
            # Signals sent while the server was down were lost, so the job gets a fresh window.
            monitor.next_run_at = deadline_after(monitor.config, now)
        start = max(since, monitor.last_checked_at or since)
        current = open_.get(monitor.id)
        if current is None or start >= now or current.state is State.UNKNOWN:
            continue
        switch_interval(session, current, monitor.id, State.UNKNOWN, start)
        monitor.state, monitor.state_since = State.UNKNOWN, max(start, current.started_at)
    live.seen_at = now
    session.commit()
    return since


@dataclass(frozen=True, slots=True)
class PruneCounts:
    """Rows deleted by `prune`."""

    results: int
    minute_rollups: int
    hour_rollups: int


def prune(session: Session, *, now: datetime, settings: Settings, chunk: int = 5000) -> PruneCounts:
    """Delete raw results and rollups older than their retention settings, `chunk` rows per
    transaction so a large backlog never holds a long lock."""
    results = _prune_results(session, now - timedelta(days=settings.raw_retention_days), chunk)
    minutes = _prune_rollups(session, 60, now - timedelta(days=settings.minute_rollup_retention_days), chunk)
    hours = _prune_rollups(session, 3600, now - timedelta(days=settings.hour_rollup_retention_days), chunk)
    return PruneCounts(results, minutes, hours)


def _prune_results(session: Session, cutoff: datetime, chunk: int) -> int:
    total = 0
    while True:
        ids = select(CheckResult.id).where(CheckResult.checked_at < cutoff).limit(chunk).scalar_subquery()
        deleted = session.connection().execute(delete(CheckResult).where(CheckResult.id.in_(ids))).rowcount
        session.commit()
        total += deleted
        if deleted < chunk:
            return total


def _prune_rollups(session: Session, period: int, cutoff: datetime, chunk: int) -> int:
    old = (Rollup.period == period) & (Rollup.bucket_start < cutoff)
    total = 0
    while True:
        # Chunked by the oldest buckets (the composite key has no single id to select a chunk by);
        # `<=` so a chunk always deletes something even when many rows share one bucket.
        edge = session.scalar(
            select(Rollup.bucket_start).where(old).order_by(Rollup.bucket_start).offset(chunk).limit(1)
        )
        bound = old if edge is None else old & (Rollup.bucket_start <= edge)
        deleted = session.connection().execute(delete(Rollup).where(bound)).rowcount
        session.commit()
        total += deleted
        if edge is None:
            return total
