"""Reading incidents: public views with their timers as of now, lists, timelines and breaches.

Timers are shown on their own clock: the business time left, frozen while the incident is paused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from pysteward.server.estate.service import keyset_page
from pysteward.server.incidents.models import Breach, Incident, IncidentEvent, IncidentPause, IncidentStatus
from pysteward.server.incidents.schemas import (
    BreachPublic,
    EventPublic,
    IncidentFilters,
    IncidentPublic,
    TimerPublic,
)
from pysteward.server.incidents.service import get_incident_for
from pysteward.server.incidents.timers import TimerView, view
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.slas.calendar import Calendar
from pysteward.server.slas.models import Clock, PriorityTarget, Sla

__all__ = ["incident_public", "list_breaches", "list_events", "list_incidents", "show_incident"]

_OPEN = (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.is_provider and principal.client_id is None:
        return true()
    return Incident.client_id == principal.client_id


class _Clocks:
    """Calendars and targets per SLA, loaded once per request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._calendars: dict[int, Calendar] = {}

    def business(self, sla_id: int) -> Calendar | None:
        if sla_id not in self._calendars:
            from pysteward.server.slas.service import calendar_for

            sla = self.session.get(Sla, sla_id)
            if sla is None:
                return None
            self._calendars[sla_id] = calendar_for(self.session, sla)
        return self._calendars[sla_id]

    def target(self, incident: Incident) -> PriorityTarget | None:
        if incident.sla_id is None:
            return None
        return self.session.get(PriorityTarget, (incident.sla_id, incident.priority))


def _timer(view_: TimerView) -> TimerPublic:
    return TimerPublic(
        state=view_.state,
        due_at=view_.due_at,
        warn_at=view_.warn_at,
        remaining_seconds=view_.remaining_seconds,
        used_percent=view_.used_percent,
        paused=view_.paused,
    )


def _paused_seconds(session: Session, incident: Incident, calendar: Calendar) -> float:
    query = select(IncidentPause.started_at, IncidentPause.ended_at).where(
        IncidentPause.incident_id == incident.id, IncidentPause.ended_at.is_not(None)
    )
    return sum(
        calendar.business_seconds(start, end) for start, end in session.execute(query) if end is not None
    )


def incident_public(
    session: Session, incident: Incident, *, now: datetime, clocks: _Clocks | None = None
) -> IncidentPublic:
    """The public view of `incident` at `now`."""
    clocks = clocks or _Clocks(session)
    target = clocks.target(incident)
    business = clocks.business(incident.sla_id) if incident.sla_id is not None else None
    always = Calendar.around_the_clock()
    response_calendar = resolution_calendar = always
    if target is not None and business is not None:
        if target.response_clock is Clock.BUSINESS:
            response_calendar = business
        if target.resolution_clock is Clock.BUSINESS:
            resolution_calendar = business
    response = view(
        incident.response_state,
        start=incident.opened_at,
        warn_at=incident.response_warn_at,
        due_at=incident.response_due_at,
        calendar=response_calendar,
        now=incident.acknowledged_at or incident.resolved_at or now,
    )
    resolution = view(
        incident.resolution_state,
        start=incident.opened_at,
        warn_at=incident.resolution_warn_at,
        due_at=incident.resolution_due_at,
        calendar=resolution_calendar,
        now=incident.resolved_at or now,
        paused_since=incident.paused_since,
        paused_seconds=_paused_seconds(session, incident, resolution_calendar) if target is not None else 0.0,
    )
    return IncidentPublic(
        id=incident.id,
        client_id=incident.client_id,
        service_id=incident.service_id,
        monitor_id=incident.monitor_id,
        sla_id=incident.sla_id,
        title=incident.title,
        description=incident.description,
        priority=incident.priority,
        status=incident.status,
        source=incident.source,
        assignee_id=incident.assignee_id,
        opened_at=incident.opened_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        paused_since=incident.paused_since,
        response=_timer(response),
        resolution=_timer(resolution),
        next_escalation_at=incident.next_escalation_at,
        escalations_fired=incident.escalations_fired,
    )


def show_incident(
    session: Session, *, principal: Principal, incident_id: int, now: datetime
) -> IncidentPublic:
    """One incident `principal` sees; 404 otherwise."""
    return incident_public(session, get_incident_for(session, principal, incident_id), now=now)


def _filtered(query: Select[Incident], filters: IncidentFilters) -> Select[Incident]:
    if filters.client_id is not None:
        query = query.where(Incident.client_id == filters.client_id)
    if filters.service_id is not None:
        query = query.where(Incident.service_id == filters.service_id)
    if filters.status is not None:
        query = query.where(Incident.status == filters.status)
    if filters.priority is not None:
        query = query.where(Incident.priority == filters.priority)
    if filters.open is not None:
        is_open = Incident.status.in_(_OPEN)
        query = query.where(is_open if filters.open else ~is_open)
    return query


def list_incidents(
    session: Session, *, principal: Principal, filters: IncidentFilters, page: PageParams, now: datetime
) -> tuple[list[IncidentPublic], int | None]:
    """One page of the incidents `principal` sees, narrowed by `filters`, oldest id first."""
    query = _filtered(select(Incident).where(_visible(principal)), filters)
    rows, next_after = keyset_page(session, query, page, Incident.id)
    clocks = _Clocks(session)
    return [incident_public(session, row[0], now=now, clocks=clocks) for row in rows], next_after


def list_events(
    session: Session, *, principal: Principal, incident_id: int, page: PageParams
) -> tuple[list[EventPublic], int | None]:
    """One page of an incident's timeline, in order."""
    get_incident_for(session, principal, incident_id)
    query = select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
    rows, next_after = keyset_page(session, query, page, IncidentEvent.id)
    return [EventPublic.model_validate(row[0], from_attributes=True) for row in rows], next_after


def list_breaches(
    session: Session,
    *,
    principal: Principal,
    client_id: int | None,
    since: datetime | None,
    until: datetime | None,
    page: PageParams,
) -> tuple[list[BreachPublic], int | None]:
    """One page of recorded breaches `principal` sees (for the reports)."""
    query = select(Breach)
    if not (principal.is_provider and principal.client_id is None):
        query = query.where(Breach.client_id == principal.client_id)
    if client_id is not None:
        query = query.where(Breach.client_id == client_id)
    if since is not None:
        query = query.where(Breach.breached_at >= since)
    if until is not None:
        query = query.where(Breach.breached_at < until)
    rows, next_after = keyset_page(session, query, page, Breach.id)
    return [BreachPublic.model_validate(row[0], from_attributes=True) for row in rows], next_after
