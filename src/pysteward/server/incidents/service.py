"""Service functions for incidents (STYLE 25): opening, the lifecycle, and reading them.

    triggered ──acknowledge──► acknowledged ──resolve──► resolved ──reopen──► triggered
        └────────────────────────resolve───────────────────┘
    pause / resume   waiting for the client: the resolution clock stops (any open state)

Every change is one timeline event, re-derives the SLA timers from stored facts (`timers.derive`),
notifies the channels that follow the incident, and is committed by the caller of the public
functions here (the API's, the CLI's, a tick's). Another client's incident answers 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.incidents import escalation
from pysteward.server.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentPause,
    IncidentSource,
    IncidentStatus,
)
from pysteward.server.incidents.timers import derive
from pysteward.server.notify.delivery import notify_incident
from pysteward.server.principal import Principal
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.tenancy.models import Role, User

__all__ = [
    "acknowledge",
    "add_event",
    "assign",
    "close",
    "comment",
    "create_incident",
    "get_incident_for",
    "open_incident",
    "pause",
    "reopen",
    "reopen_incident",
    "resolve",
    "resume",
    "retime",
    "update_incident",
]


def add_event(
    session: Session,
    incident: Incident,
    kind: str,
    *,
    at: datetime,
    message: str = "",
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
    public: bool = False,
) -> IncidentEvent:
    """Append one entry to `incident`'s timeline (`public`: shown on the client's status page)."""
    event = IncidentEvent(
        incident_id=incident.id,
        at=at,
        kind=kind,
        actor_id=actor_id,
        message=message,
        details=details or {},
        public=public,
    )
    session.add(event)
    incident.updated_at = at
    return event


def retime(session: Session, incident: Incident, *, now: datetime) -> None:
    """Re-derive `incident`'s timers from its SLA, priority and stored facts."""
    from pysteward.server.slas.models import Sla
    from pysteward.server.slas.service import calendar_for, target_for

    sla = session.get(Sla, incident.sla_id) if incident.sla_id is not None else None
    target = target_for(session, sla_id=sla.id, priority=incident.priority) if sla is not None else None
    business = calendar_for(session, sla) if sla is not None else None
    derive(session, incident, sla=sla, target=target, business=business, now=now)


def _notify(session: Session, incident: Incident, event: str, headline: str, *, now: datetime) -> None:
    title = f"[{incident.priority.value}] {headline}: {incident.title}"
    body = f"Incident #{incident.id} ({incident.status.value}), opened {incident.opened_at.isoformat()}."
    notify_incident(session, incident=incident, event=event, title=title[:300], body=body, now=now)


def open_incident(
    session: Session,
    *,
    client_id: int,
    service_id: int | None,
    priority: Priority,
    title: str,
    source: IncidentSource,
    now: datetime,
    description: str = "",
    monitor_id: int | None = None,
    actor_id: int | None = None,
    opened_at: datetime | None = None,
) -> Incident:
    """Open an incident (added and flushed, not committed) with its SLA timers and escalation.

    `opened_at` is when the trouble began (a monitor's outage start), `now` when Steward saw it.
    """
    from pysteward.server.slas.service import covering_sla

    sla = covering_sla(session, service_id=service_id) if service_id is not None else None
    incident = Incident(
        client_id=client_id,
        service_id=service_id,
        monitor_id=monitor_id,
        sla_id=sla.id if sla is not None else None,
        title=title[:300],
        description=description,
        priority=priority,
        status=IncidentStatus.TRIGGERED,
        source=source,
        opened_at=opened_at or now,
        updated_at=now,
        escalation_policy_id=sla.escalation_policy_id if sla is not None else None,
    )
    session.add(incident)
    session.flush()
    add_event(
        session,
        incident,
        "opened",
        at=incident.opened_at,
        actor_id=actor_id,
        message=title[:300],
        details={"priority": priority.value, "source": source.value},
    )
    retime(session, incident, now=now)
    escalation.start(session, incident, anchor=incident.opened_at)
    _notify(session, incident, "incident.opened", "Opened", now=now)
    session.flush()
    return incident


def get_incident_for(session: Session, principal: Principal, incident_id: int) -> Incident:
    """The incident `incident_id` if `principal` sees it; 404 otherwise."""
    incident = session.get(Incident, incident_id)
    if incident is None or not principal.sees_client(incident.client_id):
        raise ApiError(404, f"incident {incident_id} not found")
    return incident


def _writable(session: Session, principal: Principal, incident_id: int) -> Incident:
    incident = get_incident_for(session, principal, incident_id)
    require_writer(principal)
    return incident


def _refuse(incident: Incident, *allowed: IncidentStatus, action: str) -> None:
    if incident.status not in allowed:
        raise ApiError(
            409, f"incident {incident.id} is {incident.status.value}: cannot {action} it", code="conflict"
        )


def acknowledge(session: Session, *, principal: Principal, incident_id: int, now: datetime) -> Incident:
    """Someone is on it: stops the response timer and the escalation."""
    incident = _writable(session, principal, incident_id)
    _refuse(incident, IncidentStatus.TRIGGERED, action="acknowledge")
    incident.status, incident.acknowledged_at = IncidentStatus.ACKNOWLEDGED, now
    if incident.assignee_id is None:
        incident.assignee_id = principal.actor_id  # None for the local operator: nobody to assign
    escalation.stop(incident)
    add_event(session, incident, "acknowledged", at=now, actor_id=principal.actor_id)
    retime(session, incident, now=now)
    _notify(session, incident, "incident.acknowledged", "Acknowledged", now=now)
    session.commit()
    return incident


def assign(
    session: Session, *, principal: Principal, incident_id: int, assignee_id: int | None, now: datetime
) -> Incident:
    """Give the incident to a provider engineer or admin (None: to nobody)."""
    incident = _writable(session, principal, incident_id)
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is None or not user.active or user.role is Role.VIEWER:
            raise ApiError(422, "assignee_id: must be an active provider user (admin or engineer)")
    incident.assignee_id = assignee_id
    add_event(
        session,
        incident,
        "assigned",
        at=now,
        actor_id=principal.actor_id,
        details={"assignee_id": assignee_id},
    )
    session.commit()
    return incident


def pause(
    session: Session, *, principal: Principal, incident_id: int, reason: str, now: datetime
) -> Incident:
    """Waiting for the client: the resolution clock stops until `resume`."""
    incident = _writable(session, principal, incident_id)
    _refuse(incident, IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED, action="pause")
    if incident.paused_since is not None:
        raise ApiError(409, f"incident {incident.id} is already paused", code="conflict")
    incident.paused_since = now
    session.add(IncidentPause(incident_id=incident.id, started_at=now, ended_at=None, reason=reason))
    add_event(session, incident, "paused", at=now, actor_id=principal.actor_id, message=reason)
    session.commit()
    return incident


def _end_pause(session: Session, incident: Incident, *, now: datetime) -> None:
    open_pause = session.scalars(
        select(IncidentPause).where(
            IncidentPause.incident_id == incident.id, IncidentPause.ended_at.is_(None)
        )
    ).first()
    if open_pause is not None:
        open_pause.ended_at = max(now, open_pause.started_at)
    incident.paused_since = None
    session.flush()


def resume(session: Session, *, principal: Principal, incident_id: int, now: datetime) -> Incident:
    """The client answered: the resolution clock runs again, its due time moved by the pause."""
    incident = _writable(session, principal, incident_id)
    if incident.paused_since is None:
        raise ApiError(409, f"incident {incident.id} is not paused", code="conflict")
    _end_pause(session, incident, now=now)
    add_event(session, incident, "resumed", at=now, actor_id=principal.actor_id)
    retime(session, incident, now=now)
    session.commit()
    return incident


def close(session: Session, incident: Incident, *, now: datetime, actor_id: int | None, message: str) -> None:
    """Resolve `incident` at `now` (ending a pause), stopping its timers and escalation; no commit."""
    if incident.paused_since is not None:
        _end_pause(session, incident, now=now)
    incident.status, incident.resolved_at = IncidentStatus.RESOLVED, now
    escalation.stop(incident)
    add_event(session, incident, "resolved", at=now, actor_id=actor_id, message=message)
    retime(session, incident, now=now)
    _notify(session, incident, "incident.resolved", "Resolved", now=now)


def resolve(
    session: Session, *, principal: Principal, incident_id: int, note: str, now: datetime
) -> Incident:
    """The service is restored: stops the resolution timer."""
    incident = _writable(session, principal, incident_id)
    _refuse(incident, IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED, action="resolve")
    close(session, incident, now=now, actor_id=principal.actor_id, message=note)
    session.commit()
    return incident


def reopen_incident(
    session: Session, incident: Incident, *, now: datetime, actor_id: int | None, reason: str
) -> None:
    """Reopen a resolved `incident`: its resolved span becomes a pause of the resolution clock, the
    escalation starts again from now; no commit."""
    resolved_at = incident.resolved_at or now
    session.add(
        IncidentPause(
            incident_id=incident.id,
            started_at=resolved_at,
            ended_at=max(now, resolved_at),
            reason="resolved, then reopened",
        )
    )
    incident.status, incident.resolved_at = IncidentStatus.TRIGGERED, None
    session.flush()
    add_event(session, incident, "reopened", at=now, actor_id=actor_id, message=reason)
    retime(session, incident, now=now)
    escalation.start(session, incident, anchor=now)
    _notify(session, incident, "incident.reopened", "Reopened", now=now)


def reopen(
    session: Session, *, principal: Principal, incident_id: int, reason: str, now: datetime
) -> Incident:
    """The trouble is back: the incident is triggered again."""
    incident = _writable(session, principal, incident_id)
    _refuse(incident, IncidentStatus.RESOLVED, action="reopen")
    reopen_incident(session, incident, now=now, actor_id=principal.actor_id, reason=reason)
    session.commit()
    return incident


def comment(
    session: Session,
    *,
    principal: Principal,
    incident_id: int,
    message: str,
    now: datetime,
    public: bool = False,
) -> Incident:
    """A note on the timeline; a `public` one is also an update on the client's status page (the only
    way an incident's timeline reaches it: acknowledging or resolving writes no public update)."""
    incident = _writable(session, principal, incident_id)
    add_event(
        session, incident, "comment", at=now, actor_id=principal.actor_id, message=message, public=public
    )
    session.commit()
    return incident


def update_incident(
    session: Session, *, principal: Principal, incident_id: int, changes: dict[str, Any], now: datetime
) -> Incident:
    """Change title, description or priority; a new priority re-times the incident from its opening."""
    incident = _writable(session, principal, incident_id)
    for name in ("title", "description"):
        if name in changes and changes[name] is not None:
            setattr(incident, name, changes[name])
    new_priority = changes.get("priority")
    if new_priority is not None and new_priority != incident.priority:
        old = incident.priority
        incident.priority = Priority(new_priority)
        add_event(
            session,
            incident,
            "priority_changed",
            at=now,
            actor_id=principal.actor_id,
            details={"from": old.value, "to": incident.priority.value},
        )
        retime(session, incident, now=now)
    elif changes:
        add_event(
            session,
            incident,
            "edited",
            at=now,
            actor_id=principal.actor_id,
            details={"fields": sorted(changes)},
        )
    session.commit()
    return incident


def create_incident(
    session: Session,
    *,
    principal: Principal,
    service_id: int,
    title: str,
    priority: Priority,
    description: str,
    now: datetime,
) -> Incident:
    """An incident opened by hand (CLI, console) or through the API (a token)."""
    from pysteward.server.estate.service import get_service_for

    service: Service = get_service_for(session, principal, service_id)
    require_writer(principal)
    source = IncidentSource.API if principal.via == "token" else IncidentSource.MANUAL
    incident = open_incident(
        session,
        client_id=service.client_id,
        service_id=service.id,
        priority=priority,
        title=title,
        description=description,
        source=source,
        now=now,
        actor_id=principal.actor_id,
    )
    session.commit()
    return incident
