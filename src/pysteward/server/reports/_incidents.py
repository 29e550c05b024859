"""The incidents part of a report: every incident open at some time in the period, with its priority,
how long response and resolution took against their targets, its pauses and breaches; the breaches
recorded in the period; and the previous period's counts for the trend.

Timer states are the incident's own (`incidents.timers`): met, missed, breached or still running at the
time the report is generated. Response and resolution times are wall-clock spans; a business-clock
target says so beside it, and its state was judged on that clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pysteward.server.incidents.models import Breach, Incident, IncidentPause, IncidentStatus, TimerState
from pysteward.server.slas.models import Priority, PriorityTarget, TargetUnit
from pysteward.server.slas.periods import Period
from pysteward.server.slas.service import target_for

__all__ = ["BreachLine", "IncidentLine", "IncidentPart", "incident_part"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentLine:
    """One incident as the report lists it."""

    id: int
    priority: Priority
    title: str
    service: str
    status: IncidentStatus
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    response_seconds: float | None
    """From opening to acknowledgement (or resolution, when nobody acknowledged it); None while open."""
    resolution_seconds: float | None
    response_target: str
    """`15 minutes (24x7)`; `—` when no SLA target applies."""
    resolution_target: str
    response_state: TimerState
    resolution_state: TimerState
    pauses: int
    paused_seconds: float
    """Time spent waiting for the client (the resolution clock stopped), up to the report."""
    breaches: tuple[str, ...]
    """`response`, `resolution`: the targets it missed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BreachLine:
    """A missed target recorded in the period."""

    incident_id: int
    priority: Priority
    target: str
    due_at: datetime
    breached_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentPart:
    """Incidents and breaches of the period, and the previous period's counts."""

    incidents: tuple[IncidentLine, ...]
    breaches: tuple[BreachLine, ...]
    opened: int
    """Incidents opened within the period (the list also holds older ones still open in it)."""
    previous_opened: int
    previous_breaches: int


def _target_text(amount: int, unit: TargetUnit, clock: str) -> str:
    name = unit.value.removesuffix("s") if amount == 1 else unit.value
    return f"{amount} {name} ({clock})"


def _targets(session: Session, incident: Incident) -> tuple[str, str]:
    target: PriorityTarget | None = None
    if incident.sla_id is not None:
        target = target_for(session, sla_id=incident.sla_id, priority=incident.priority)
    if target is None:
        return "—", "—"
    return (
        _target_text(target.response_amount, target.response_unit, target.response_clock.value),
        _target_text(target.resolution_amount, target.resolution_unit, target.resolution_clock.value),
    )


def _pauses(session: Session, ids: Sequence[int], now: datetime) -> dict[int, tuple[int, float]]:
    query = select(IncidentPause.incident_id, IncidentPause.started_at, IncidentPause.ended_at).where(
        IncidentPause.incident_id.in_(ids)
    )
    found: dict[int, tuple[int, float]] = {}
    for incident_id, start, end in session.execute(query):
        count, seconds = found.get(incident_id, (0, 0.0))
        found[incident_id] = (count + 1, seconds + max(((end or now) - start).total_seconds(), 0.0))
    return found


def _breached(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = select(Breach.incident_id, Breach.target).where(Breach.incident_id.in_(ids)).order_by(Breach.id)
    found: dict[int, list[str]] = {}
    for incident_id, target in session.execute(query):
        if target not in found.setdefault(incident_id, []):
            found[incident_id].append(target)
    return {key: tuple(value) for key, value in found.items()}


def _line(
    session: Session, incident: Incident, service: str, pauses: tuple[int, float], breaches: tuple[str, ...]
) -> IncidentLine:
    answered = incident.acknowledged_at or incident.resolved_at
    response, resolution = _targets(session, incident)
    return IncidentLine(
        id=incident.id,
        priority=incident.priority,
        title=incident.title,
        service=service,
        status=incident.status,
        opened_at=incident.opened_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        response_seconds=None if answered is None else (answered - incident.opened_at).total_seconds(),
        resolution_seconds=None
        if incident.resolved_at is None
        else (incident.resolved_at - incident.opened_at).total_seconds(),
        response_target=response,
        resolution_target=resolution,
        response_state=incident.response_state,
        resolution_state=incident.resolution_state,
        pauses=pauses[0],
        paused_seconds=pauses[1],
        breaches=breaches,
    )


def _previous_counts(session: Session, client_id: int, period: Period) -> tuple[int, int]:
    """Incidents opened and breaches recorded in `period`."""
    opened = select(func.count(Incident.id)).where(
        Incident.client_id == client_id, Incident.opened_at >= period.start, Incident.opened_at < period.end
    )
    breached = select(func.count(Breach.id)).where(
        Breach.client_id == client_id, Breach.breached_at >= period.start, Breach.breached_at < period.end
    )
    return int(session.scalar(opened) or 0), int(session.scalar(breached) or 0)


def _recorded(session: Session, client_id: int, period: Period) -> tuple[BreachLine, ...]:
    query = (
        select(Breach)
        .where(
            Breach.client_id == client_id, Breach.breached_at >= period.start, Breach.breached_at < period.end
        )
        .order_by(Breach.breached_at, Breach.id)
    )
    return tuple(
        BreachLine(
            incident_id=row.incident_id,
            priority=row.priority,
            target=row.target,
            due_at=row.due_at,
            breached_at=row.breached_at,
        )
        for row in session.scalars(query)
    )


def incident_part(
    session: Session,
    *,
    client_id: int,
    period: Period,
    previous: Period,
    now: datetime,
    labels: dict[int, str],
) -> IncidentPart:
    """The incidents open at some time in `period` (opened before its end, not resolved before its
    start), oldest first, and the breaches recorded in it; counts of `previous` for the trend."""
    query = (
        select(Incident)
        .where(
            Incident.client_id == client_id,
            Incident.opened_at < period.end,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at >= period.start),
        )
        .order_by(Incident.opened_at, Incident.id)
    )
    incidents = session.scalars(query).all()
    ids = [incident.id for incident in incidents]
    pauses, breached = _pauses(session, ids, now), _breached(session, ids)
    lines = tuple(
        _line(
            session,
            incident,
            labels.get(incident.service_id, "—") if incident.service_id is not None else "—",
            pauses.get(incident.id, (0, 0.0)),
            breached.get(incident.id, ()),
        )
        for incident in incidents
    )
    previous_opened, previous_breaches = _previous_counts(session, client_id, previous)
    return IncidentPart(
        incidents=lines,
        breaches=_recorded(session, client_id, period),
        opened=sum(1 for line in lines if line.opened_at >= period.start),
        previous_opened=previous_opened,
        previous_breaches=previous_breaches,
    )
