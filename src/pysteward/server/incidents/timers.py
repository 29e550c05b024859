"""SLA timers of an incident, derived from stored timestamps only (never from in-memory sleeps).

    response     from opening to acknowledgement; does not pause
    resolution   from opening to resolution; stopped while waiting for the client and while resolved
                 (a reopened incident's resolved span counts as a pause)

Each timer has a due time and a warning time (75 % of the target), both on the target's own clock
(around the clock, or the SLA's business calendar). A pause shifts the resolution due time by the
business time it lasted, if it started before that due time: a breach is never undone by pausing
afterwards.

`derive` recomputes both timers from the incident's stored facts and is called whenever they change
(opening, acknowledging, pausing, resuming, resolving, reopening, a new priority). `tick_timers` then
moves running timers to warning and breached as the clock passes the stored times, recording each
step on the timeline and each breach as a fact (`Breach`) for the reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.incidents.models import Breach, Incident, IncidentPause, IncidentStatus, TimerState
from pysteward.server.slas.calendar import Calendar
from pysteward.server.slas.models import Clock, PriorityTarget, Sla, TargetUnit

__all__ = ["WARNING_SHARE", "Deadline", "TimerView", "deadline", "derive", "record_breach", "view"]

WARNING_SHARE = 0.75
"""A timer warns when this share of its target is used."""
_STOPPED = frozenset({TimerState.MET, TimerState.MISSED})


@dataclass(frozen=True, slots=True)
class Deadline:
    """A timer's warning and due times, and the clock they run on."""

    warn_at: datetime
    due_at: datetime
    calendar: Calendar


def deadline(start: datetime, amount: int, unit: TargetUnit, clock: Clock, business: Calendar) -> Deadline:
    """When a target of `amount` `unit` on `clock`, started at `start`, warns and falls due."""
    calendar = business if clock is Clock.BUSINESS else Calendar.around_the_clock()
    if unit is TargetUnit.DAYS:
        due = calendar.add_days(start, amount)
        total = calendar.business_seconds(start, due)
    else:
        total = amount * (60 if unit is TargetUnit.MINUTES else 3600)
        due = calendar.add(start, total)
    return Deadline(warn_at=calendar.add(start, total * WARNING_SHARE), due_at=due, calendar=calendar)


def _shifted(point: datetime, pauses: Sequence[tuple[datetime, datetime]], calendar: Calendar) -> datetime:
    """`point` moved later by each pause that started before it (in order, so pauses compound)."""
    for start, end in pauses:
        if start < point:
            point = calendar.add(point, calendar.business_seconds(start, end))
    return point


def derive(
    session: Session,
    incident: Incident,
    *,
    sla: Sla | None,
    target: PriorityTarget | None,
    business: Calendar | None,
    now: datetime,
) -> None:
    """Recompute `incident`'s due and warning times and timer states from its stored facts.

    States only move as far as what is already recorded: a running timer past its due time stays
    `running` until `tick_timers` records the breach (with its `Breach` row), so every breach is a
    fact with a time. A stopped timer is `met` or `missed` by the stop time against the due time.
    """
    if sla is None or target is None or business is None:
        incident.response_state = incident.resolution_state = TimerState.NONE
        incident.response_due_at = incident.response_warn_at = None
        incident.resolution_due_at = incident.resolution_warn_at = None
        return
    opened = incident.opened_at
    response = deadline(opened, target.response_amount, target.response_unit, target.response_clock, business)
    resolution = deadline(
        opened, target.resolution_amount, target.resolution_unit, target.resolution_clock, business
    )
    pauses = _closed_pauses(session, incident)
    incident.response_warn_at, incident.response_due_at = response.warn_at, response.due_at
    incident.resolution_warn_at = _shifted(resolution.warn_at, pauses, resolution.calendar)
    incident.resolution_due_at = _shifted(resolution.due_at, pauses, resolution.calendar)
    resolved = incident.resolved_at if incident.status is IncidentStatus.RESOLVED else None
    # Resolving answers too: an incident resolved before anyone acknowledged it was responded to then.
    answered = incident.acknowledged_at or resolved
    incident.response_state = _state(session, incident, "response", answered, now)
    incident.resolution_state = _state(session, incident, "resolution", resolved, now)


def _closed_pauses(session: Session, incident: Incident) -> list[tuple[datetime, datetime]]:
    query = (
        select(IncidentPause.started_at, IncidentPause.ended_at)
        .where(IncidentPause.incident_id == incident.id, IncidentPause.ended_at.is_not(None))
        .order_by(IncidentPause.started_at)
    )
    return [(start, end) for start, end in session.execute(query) if end is not None]


def _state(
    session: Session, incident: Incident, target: str, stopped_at: datetime | None, now: datetime
) -> TimerState:
    due = incident.response_due_at if target == "response" else incident.resolution_due_at
    warn = incident.response_warn_at if target == "response" else incident.resolution_warn_at
    assert due is not None and warn is not None
    if stopped_at is not None:
        if stopped_at <= due:
            return TimerState.MET
        record_breach(session, incident, target=target, due_at=due, at=stopped_at)
        return TimerState.MISSED
    if _breached(session, incident, target):
        return TimerState.BREACHED
    current = incident.response_state if target == "response" else incident.resolution_state
    # A warning already told stays told; anything else runs until the tick sees the clock pass.
    if current is TimerState.WARNING and warn <= now < due:
        return TimerState.WARNING
    return TimerState.RUNNING


def _breached(session: Session, incident: Incident, target: str) -> bool:
    query = select(Breach.id).where(Breach.incident_id == incident.id, Breach.target == target).limit(1)
    return session.scalar(query) is not None


def record_breach(
    session: Session, incident: Incident, *, target: str, due_at: datetime, at: datetime
) -> bool:
    """Record that `incident` missed its `target` due at `due_at` (once per due time); whether new."""
    exists = select(Breach.id).where(
        Breach.incident_id == incident.id, Breach.target == target, Breach.due_at == due_at
    )
    if session.scalar(exists) is not None:
        return False
    session.add(
        Breach(
            incident_id=incident.id,
            client_id=incident.client_id,
            sla_id=incident.sla_id,
            priority=incident.priority,
            target=target,
            due_at=due_at,
            breached_at=at,
        )
    )
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerView:
    """A timer as people read it: state, due time, business time left and the share used."""

    state: TimerState
    due_at: datetime | None
    warn_at: datetime | None
    remaining_seconds: float | None
    """Business time left on the timer's clock (negative once overdue; frozen while paused)."""
    used_percent: float | None
    paused: bool


def view(
    state: TimerState,
    *,
    start: datetime,
    warn_at: datetime | None,
    due_at: datetime | None,
    calendar: Calendar,
    now: datetime,
    paused_since: datetime | None = None,
    paused_seconds: float = 0.0,
) -> TimerView:
    """How a timer stands at `now` (or at `paused_since`, while paused); `paused_seconds` is the
    business time of closed pauses that moved `due_at`, so the share used leaves it out."""
    if due_at is None or state is TimerState.NONE:
        return TimerView(
            state=state, due_at=None, warn_at=None, remaining_seconds=None, used_percent=None, paused=False
        )
    at = paused_since or now
    if at <= due_at:
        remaining = calendar.business_seconds(at, due_at)
    else:
        remaining = -calendar.business_seconds(due_at, at)
    if state in _STOPPED:
        remaining = 0.0
    total = calendar.business_seconds(start, due_at) - paused_seconds
    used = 100.0 if total <= 0 else round(100.0 * (total - remaining) / total, 1)
    return TimerView(
        state=state,
        due_at=due_at,
        warn_at=warn_at,
        remaining_seconds=remaining,
        used_percent=used,
        paused=paused_since is not None,
    )
