"""Scheduled incident work as plain functions of `now` (ARCHITECTURE): each commits its own work and
is safe to run twice or on several workers.

    sync_monitor_incidents  a monitor gone DOWN opens (or, within its cool-down, reopens) its
                            incident; a monitor back up resolves it
    tick_timers             running timers past their warning or due time move to warning or
                            breached, with a timeline event, a notification and a `Breach` fact
    run_escalations         (in `escalation`) due escalation steps notify their channel or user

Incidents are found from the monitors' stored state rather than from the runner's transitions, so
whatever recorded the state (a check batch, a heartbeat ping, a missed deadline, another worker) and
whenever this runs, each outage gets exactly one open incident: the partial unique index on open
incidents per monitor turns a race between two workers into one incident and one skipped insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.escalation import run_escalations
from pysteward.server.incidents.models import (
    Breach,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    TimerState,
)
from pysteward.server.incidents.service import close, open_incident, reopen_incident
from pysteward.server.monitors.models import Monitor, State
from pysteward.server.notify.delivery import IncidentNotice, notify_incidents
from pysteward.server.slas.models import Priority
from pysteward.store import insert_rows

__all__ = ["TickCounts", "run_escalations", "sync_monitor_incidents", "tick_timers"]

_OPEN = (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)
_RECOVERED = (State.UP, State.DEGRADED)


def sync_monitor_incidents(session: Session, *, now: datetime) -> tuple[int, int]:
    """Open or reopen incidents of monitors that are DOWN, resolve those of monitors back up;
    `(opened or reopened, resolved)`."""
    opened = sum(_open_for(session, monitor_id, now=now) for monitor_id in _down_without_incident(session))
    resolved = 0
    recovered = (
        select(Incident, Monitor.state_since)
        .join(Monitor, Monitor.id == Incident.monitor_id)
        .where(
            Incident.status.in_(_OPEN),
            Incident.source == IncidentSource.MONITOR,
            Monitor.state.in_(_RECOVERED),
        )
    )
    for incident, since in session.execute(recovered).all():
        at = max(since or now, incident.opened_at)
        close(session, incident, now=at, actor_id=None, message="the monitor is up again")
        resolved += 1
    session.commit()
    return opened, resolved


def _down_without_incident(session: Session) -> list[int]:
    open_incident_exists = (
        select(Incident.id).where(Incident.monitor_id == Monitor.id, Incident.status.in_(_OPEN)).exists()
    )
    query = select(Monitor.id).where(
        Monitor.state == State.DOWN,
        Monitor.enabled.is_(True),
        Monitor.incident_priority.is_not(None),
        ~open_incident_exists,
    )
    return list(session.scalars(query.order_by(Monitor.id)))


def _open_for(session: Session, monitor_id: int, *, now: datetime) -> int:
    monitor = session.get(Monitor, monitor_id)
    service = session.get(Service, monitor.service_id) if monitor is not None else None
    if monitor is None or service is None or monitor.incident_priority is None:
        return 0
    down_since = monitor.state_since or now
    try:
        with session.begin_nested():
            last = session.scalars(
                select(Incident)
                .where(Incident.monitor_id == monitor.id, Incident.status == IncidentStatus.RESOLVED)
                .order_by(Incident.resolved_at.desc())
                .limit(1)
            ).first()
            cooldown = timedelta(seconds=monitor.incident_cooldown_seconds)
            if (
                last is not None
                and last.resolved_at is not None
                and down_since - last.resolved_at <= cooldown
            ):
                reopen_incident(
                    session,
                    last,
                    now=down_since,
                    actor_id=None,
                    reason=f"{monitor.name} went down again within the cool-down (a flap)",
                )
            else:
                open_incident(
                    session,
                    client_id=service.client_id,
                    service_id=service.id,
                    monitor_id=monitor.id,
                    priority=monitor.incident_priority,
                    title=f"{monitor.name} is down",
                    description=f"Monitor {monitor.id} ({monitor.kind.value}) of {service.name} went down.",
                    source=IncidentSource.MONITOR,
                    opened_at=down_since,
                    now=now,
                )
    except IntegrityError:
        # Another worker opened it between our read and our insert: theirs stands.
        return 0
    return 1


@dataclass(frozen=True, slots=True)
class TickCounts:
    """What one timer tick changed."""

    warnings: int
    breaches: int


def tick_timers(session: Session, *, now: datetime) -> TickCounts:
    """Move every timer whose warning or due time has passed; commits. Paused resolution timers
    and stopped timers are left alone."""
    warnings = breaches = 0
    for target in ("response", "resolution"):
        warnings += _advance(session, target, TimerState.WARNING, now=now)
        breaches += _advance(session, target, TimerState.BREACHED, now=now)
    session.commit()
    return TickCounts(warnings, breaches)


def _known_breaches(session: Session, ids: list[int], target: str) -> set[tuple[int, datetime]]:
    """(incident id, due time) of breaches already recorded for `ids`, in one query per chunk."""
    known: set[tuple[int, datetime]] = set()
    for start in range(0, len(ids), 1000):
        query = select(Breach.incident_id, Breach.due_at).where(
            Breach.incident_id.in_(ids[start : start + 1000]), Breach.target == target
        )
        known.update((incident_id, due) for incident_id, due in session.execute(query))
    return known


@dataclass(frozen=True, slots=True)
class _Due:
    """What a timer change needs of an incident (plain columns: a tick may move thousands)."""

    id: int
    client_id: int
    service_id: int | None
    sla_id: int | None
    priority: Priority
    title: str
    due_at: datetime


def _advance(session: Session, target: str, to: TimerState, *, now: datetime) -> int:
    """Move `target` timers past their warning (or due) time to `to`, in bulk: one update, and a
    multi-row insert each of timeline events, breaches and deliveries, for any number of incidents."""
    state = getattr(Incident, f"{target}_state")
    moment = getattr(Incident, f"{target}_{'warn' if to is TimerState.WARNING else 'due'}_at")
    before = (TimerState.RUNNING,) if to is TimerState.WARNING else (TimerState.RUNNING, TimerState.WARNING)
    running = (
        Incident.status == IncidentStatus.TRIGGERED
        if target == "response"
        else and_(Incident.status.in_(_OPEN), Incident.paused_since.is_(None))
    )
    # Claimed with one conditional UPDATE (STYLE 28): a worker that ticks at the same moment finds the
    # rows already moved and takes none of them twice.
    claim = (
        update(Incident)
        .where(running, state.in_(before), moment.is_not(None), moment <= now)
        .values({state: to, Incident.updated_at: now})
        .returning(
            Incident.id,
            Incident.client_id,
            Incident.service_id,
            Incident.sla_id,
            Incident.priority,
            Incident.title,
            getattr(Incident, f"{target}_due_at"),
        )
    )
    rows = sorted((_Due(*row) for row in session.execute(claim)), key=attrgetter("id"))
    if not rows:
        return 0
    _record_change(session, rows, target, to, now)
    return len(rows)


def _record_change(
    session: Session, rows: Sequence[_Due], target: str, to: TimerState, now: datetime
) -> None:
    """A timeline event, a notification and (on a breach) a `Breach` fact per incident, in bulk."""
    word = "warning" if to is TimerState.WARNING else "breached"
    kind = f"{target}_{word}"
    events = [
        {
            "incident_id": row.id,
            "at": now,
            "kind": kind,
            "actor_id": None,
            "message": "",
            "details": {"due_at": row.due_at.isoformat()},
        }
        for row in rows
    ]
    insert_rows(session, IncidentEvent, events)
    if to is TimerState.BREACHED:
        _record_breaches(session, rows, target, now)
    headline = f"{target.capitalize()} target {'75 % used' if to is TimerState.WARNING else 'breached'}"
    event = "sla.warning" if to is TimerState.WARNING else "sla.breach"
    notices = [
        IncidentNotice(
            incident_id=row.id,
            client_id=row.client_id,
            service_id=row.service_id,
            event=event,
            title=f"[{row.priority.value}] {headline}: {row.title}"[:300],
            body=f"Incident #{row.id}: {target} due {row.due_at.isoformat(timespec='minutes')}.",
        )
        for row in rows
    ]
    notify_incidents(session, notices=notices, now=now)


def _record_breaches(session: Session, rows: Sequence[_Due], target: str, now: datetime) -> None:
    """A `Breach` fact per incident and due time not recorded before (a reopened timer breaches anew)."""
    known = _known_breaches(session, [row.id for row in rows], target)
    breaches = [
        {
            "incident_id": row.id,
            "client_id": row.client_id,
            "sla_id": row.sla_id,
            "priority": row.priority,
            "target": target,
            "due_at": row.due_at,
            "breached_at": now,
        }
        for row in rows
        if (row.id, row.due_at) not in known
    ]
    if breaches:
        insert_rows(session, Breach, breaches)
