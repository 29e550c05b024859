"""The incidents queue and an incident's page, for the console: filters, urgency order, names.

Urgency, most urgent first: open before resolved; among open incidents, a breached timer first, then
the nearest due time of the running clock (the response timer until acknowledged, then the resolution
timer; a paused incident's clock is stopped, so it comes after), then priority and age. Resolved
incidents follow, the latest resolved first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, or_, select, true
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import Incident, IncidentEvent, IncidentStatus, TimerState
from pysteward.server.incidents.reading import incident_public
from pysteward.server.incidents.schemas import IncidentPublic
from pysteward.server.incidents.service import get_incident_for
from pysteward.server.monitors.models import Monitor
from pysteward.server.principal import Principal
from pysteward.server.slas.models import Priority, Sla
from pysteward.server.tenancy.models import Client, Role, User

__all__ = [
    "QUEUE_LIMIT",
    "Choices",
    "Detail",
    "QueueFilters",
    "QueueItem",
    "StateFilter",
    "choices",
    "incident_detail",
    "queue",
    "urgency",
]

QUEUE_LIMIT = 200
"""The most incidents one queue page lists (the most urgent ones)."""
StateFilter = Literal["open", "triggered", "acknowledged", "resolved", "all"]
_OPEN = (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)
_BREACHED = (TimerState.BREACHED, TimerState.MISSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilters:
    """What the queue is narrowed to; `assignee` is a user id, 0 for unassigned, None for anyone."""

    client_id: int | None = None
    service_id: int | None = None
    priority: Priority | None = None
    state: StateFilter = "open"
    assignee: int | None = None
    breached: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueItem:
    """One incident of the queue with the names it is shown with."""

    incident: IncidentPublic
    client_name: str
    service_name: str | None
    assignee: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Choices:
    """What the filters offer: clients, services with incidents, provider users."""

    clients: list[tuple[int, str]]
    services: list[tuple[int, str]]
    staff: list[tuple[int, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Detail:
    """An incident's page: the incident, names around it, its timeline and who could take it."""

    incident: IncidentPublic
    client_name: str
    service_name: str | None
    monitor_name: str | None
    sla_name: str | None
    assignee: str | None
    events: list[tuple[IncidentEvent, str | None]]
    """Each event with the e-mail of who did it (None: Steward itself)."""
    staff: list[tuple[int, str]]


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.is_provider and principal.client_id is None:
        return true()
    return Incident.client_id == principal.client_id


def urgency() -> tuple[Any, ...]:
    """The ORDER BY of the queue (see the module docstring)."""
    resolved = Incident.status == IncidentStatus.RESOLVED
    breached = or_(Incident.response_state.in_(_BREACHED), Incident.resolution_state.in_(_BREACHED))
    running_due = case(
        (resolved, None),
        (Incident.status == IncidentStatus.TRIGGERED, Incident.response_due_at),
        (Incident.paused_since.is_(None), Incident.resolution_due_at),
        else_=None,
    )
    return (
        case((resolved, 1), else_=0),
        case((resolved, 1), (breached, 0), else_=1),
        running_due.asc().nulls_last(),
        case((resolved, Incident.resolved_at), else_=None).desc(),
        Incident.priority,
        Incident.opened_at,
        Incident.id,
    )


def _filtered(query: Select[Any], filters: QueueFilters) -> Select[Any]:
    if filters.client_id is not None:
        query = query.where(Incident.client_id == filters.client_id)
    if filters.service_id is not None:
        query = query.where(Incident.service_id == filters.service_id)
    if filters.priority is not None:
        query = query.where(Incident.priority == filters.priority)
    match filters.state:
        case "open":
            query = query.where(Incident.status.in_(_OPEN))
        case "triggered" | "acknowledged" | "resolved":
            query = query.where(Incident.status == IncidentStatus(filters.state))
        case "all":
            pass
    if filters.assignee == 0:
        query = query.where(Incident.assignee_id.is_(None))
    elif filters.assignee is not None:
        query = query.where(Incident.assignee_id == filters.assignee)
    if filters.breached is not None:
        breached = or_(Incident.response_state.in_(_BREACHED), Incident.resolution_state.in_(_BREACHED))
        query = query.where(breached if filters.breached else ~breached)
    return query


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [user_id for user_id in ids if user_id is not None]
    if not wanted:
        return {}
    return {row[0]: row[1] for row in session.execute(select(User.id, User.email).where(User.id.in_(wanted)))}


def queue(
    session: Session, *, principal: Principal, filters: QueueFilters, now: datetime, limit: int = QUEUE_LIMIT
) -> tuple[list[QueueItem], int]:
    """The `limit` most urgent incidents `principal` sees under `filters`, and how many match."""
    base = _filtered(select(Incident).where(_visible(principal)), filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    query = (
        base.add_columns(Client.name, Service.name)
        .join(Client, Client.id == Incident.client_id)
        .outerjoin(Service, Service.id == Incident.service_id)
        .order_by(*urgency())
        .limit(limit)
    )
    rows = session.execute(query).all()
    emails = _emails(session, {row[0].assignee_id for row in rows})
    items = [
        QueueItem(
            incident=incident_public(session, incident, now=now),
            client_name=client_name,
            service_name=service_name,
            assignee=emails.get(incident.assignee_id) if incident.assignee_id is not None else None,
        )
        for incident, client_name, service_name in rows
    ]
    return items, total


def staff_users(session: Session) -> list[tuple[int, str]]:
    """Active provider users (who may be assigned an incident), by e-mail."""
    query = select(User.id, User.email).where(User.active, User.role.in_((Role.ADMIN, Role.ENGINEER)))
    return [(row[0], row[1]) for row in session.execute(query.order_by(User.email))]


def choices(session: Session, *, principal: Principal) -> Choices:
    """The filters' options for `principal`: visible clients, services that have incidents, staff."""
    clients = select(Client.id, Client.name)
    if not (principal.is_provider and principal.client_id is None):
        clients = clients.where(Client.id == principal.client_id)
    services = (
        select(Service.id, Service.name)
        .where(Service.id.in_(select(Incident.service_id).where(_visible(principal)).distinct()))
        .order_by(Service.name, Service.id)
    )
    return Choices(
        clients=[(row[0], row[1]) for row in session.execute(clients.order_by(Client.name))],
        services=[(row[0], row[1]) for row in session.execute(services)],
        staff=staff_users(session) if principal.is_provider else [],
    )


def _name(session: Session, column: Any, object_id: int | None) -> str | None:
    """The `name` column of the row `object_id` of its table (None for no id or a deleted row)."""
    if object_id is None:
        return None
    found: str | None = session.scalar(select(column).where(column.table.c.id == object_id))
    return found


def incident_detail(session: Session, *, principal: Principal, incident_id: int, now: datetime) -> Detail:
    """The page of one incident `principal` sees (404 otherwise)."""
    incident = get_incident_for(session, principal, incident_id)
    events = list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident.id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
    )
    emails = _emails(session, {event.actor_id for event in events} | {incident.assignee_id})
    return Detail(
        incident=incident_public(session, incident, now=now),
        client_name=session.get_one(Client, incident.client_id).name,
        service_name=_name(session, Service.name, incident.service_id),
        monitor_name=_name(session, Monitor.name, incident.monitor_id),
        sla_name=_name(session, Sla.name, incident.sla_id),
        assignee=emails.get(incident.assignee_id) if incident.assignee_id is not None else None,
        events=[(event, emails.get(event.actor_id) if event.actor_id else None) for event in events],
        staff=staff_users(session) if principal.is_provider else [],
    )
