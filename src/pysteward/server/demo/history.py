"""Six weeks of history for the demo estate, so its console, status page and last month's report
have something to show on the first start.

The history goes through the real pipeline with a frozen clock: hourly check results are recorded
with `record_results`, incidents are opened and resolved by `sync_monitor_incidents`, their timers
moved by `tick_timers`, some acknowledged by the provider, and closed SLA periods stored by
`close_periods`, each called at the moment the event happened. Only the check results are made up:
the outages below are scripted (`OUTAGES`), labelled in the demo's welcome text as backfilled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.incidents.models import Incident, IncidentStatus
from pysteward.server.incidents.service import acknowledge, comment
from pysteward.server.incidents.tasks import sync_monitor_incidents, tick_timers
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import Monitor, MonitorKind, State
from pysteward.server.monitors.results import NewResult, record_results
from pysteward.server.principal import Principal
from pysteward.server.slas.tasks import close_periods
from pysteward.server.tenancy.models import Role

__all__ = ["HISTORY_DAYS", "OUTAGES", "Outage", "backfill"]

HISTORY_DAYS = 42


@dataclass(frozen=True, slots=True)
class Outage:
    """A scripted outage of one monitor: `days_ago` days before the backfill's end, at local hour."""

    monitor: str
    days_ago: int
    hour: float
    minutes: int
    message: str
    acknowledged_after: int | None = None
    """Minutes until the provider acknowledged the incident; None: nobody did before recovery."""
    state: State = State.DOWN


OUTAGES = (
    Outage("Orders API (break me)", 34, 10.2, 47, "HTTP 503 from the orders endpoint", acknowledged_after=12),
    Outage("Payments (flaky)", 27, 3.1, 9, "connection reset by peer"),
    Outage("Login page", 25, 8.5, 130, "connection refused", acknowledged_after=25),
    Outage("Orders API (break me)", 13, 15.6, 18, "timed out after 5 s", acknowledged_after=6),
    Outage("Search (slow)", 9, 11.0, 70, "answered in 1,850 ms (limit 500 ms)", state=State.DEGRADED),
    Outage("Status API", 4, 22.3, 80, "HTTP 502 from the status API"),
)

_PROVIDER = Principal(user_id=0, role=Role.ADMIN, client_id=None, via="local")
_TICK = timedelta(minutes=10)


def _hours(start: datetime, end: datetime) -> Iterator[datetime]:
    at = start
    while at < end:
        yield at
        at += timedelta(hours=1)


def _steady(monitors: list[Monitor], start: datetime, end: datetime) -> list[NewResult]:
    up = CheckOutcome(state=State.UP, latency_ms=80.0)
    return [
        NewResult(monitor_id=m.id, checked_at=at, outcome=up)
        for at in _hours(start, end)
        for m in monitors
        if m.kind is not MonitorKind.HEARTBEAT
    ]


def _result(monitor: Monitor, at: datetime, state: State, message: str = "") -> NewResult:
    latency = 1850.0 if state is State.DEGRADED else (None if state is State.DOWN else 85.0)
    return NewResult(
        monitor_id=monitor.id,
        checked_at=at,
        outcome=CheckOutcome(state=state, latency_ms=latency, message=message),
    )


def _outage_results(monitor: Monitor, outage: Outage, start: datetime) -> list[NewResult]:
    end = start + timedelta(minutes=outage.minutes)
    failing = [
        _result(monitor, start + timedelta(minutes=i), outage.state, outage.message)
        for i in range(monitor.failures_before_down)
    ]
    recovered = [
        _result(monitor, end + timedelta(minutes=i), State.UP) for i in range(monitor.successes_before_up)
    ]
    return failing + recovered


def backfill(sessions: sessionmaker[Session], *, end: datetime) -> int:
    """Record `HISTORY_DAYS` of the demo monitors' history ending at `end`; the incidents opened."""
    start = end - timedelta(days=HISTORY_DAYS)
    with sessions() as session:
        monitors = list(session.scalars(select(Monitor)))
        by_name = {m.name: m for m in monitors}
        for day in range(HISTORY_DAYS):  # a day per batch: a batch is one statement's parameters
            since = start + timedelta(days=day)
            record_results(session, _steady(monitors, since, min(since + timedelta(days=1), end)), now=since)
        for outage in sorted(OUTAGES, key=lambda o: -o.days_ago):
            monitor = by_name[outage.monitor]
            begins = _at(end, outage)
            _replay(session, monitor, outage, begins)
        close_periods(session, now=end)
        return session.query(Incident).count()


def _at(end: datetime, outage: Outage) -> datetime:
    day = (end - timedelta(days=outage.days_ago)).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(hours=outage.hour)


def _replay(session: Session, monitor: Monitor, outage: Outage, begins: datetime) -> None:
    results = _outage_results(monitor, outage, begins)
    down, up = results[: monitor.failures_before_down], results[monitor.failures_before_down :]
    record_results(session, down, now=down[-1].checked_at)
    opened_at = down[-1].checked_at
    sync_monitor_incidents(session, now=opened_at)
    incident = session.scalars(
        select(Incident).where(Incident.monitor_id == monitor.id, Incident.status == IncidentStatus.TRIGGERED)
    ).first()
    ends = up[0].checked_at
    at = opened_at
    while at + _TICK < ends:
        at += _TICK
        tick_timers(session, now=at)
        if (
            incident is not None
            and outage.acknowledged_after is not None
            and at >= opened_at + timedelta(minutes=outage.acknowledged_after)
            and incident.status is IncidentStatus.TRIGGERED
        ):
            acknowledge(session, principal=_PROVIDER, incident_id=incident.id, now=at)
            comment(
                session,
                principal=_PROVIDER,
                incident_id=incident.id,
                message="Looking into it with the client's on-call.",
                now=at,
            )
    tick_timers(session, now=ends)
    record_results(session, up, now=ends)
    sync_monitor_incidents(session, now=ends)
