"""`/incidents`, `/breaches` and `/escalation-policies`: thin routes over the incident services.

Reading needs any authenticated caller (viewers see only their client's incidents); acting on an
incident (acknowledge, assign, pause, resume, resolve, reopen, comment, edit) needs provider staff.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from pysteward.server.deps import CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.incidents import policies, reading
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.models import IncidentStatus
from pysteward.server.incidents.schemas import (
    AssignBody,
    BreachPublic,
    CommentBody,
    EscalationPolicyCreate,
    EscalationPolicyPublic,
    EscalationPolicyUpdate,
    EventPublic,
    IncidentCreate,
    IncidentFilters,
    IncidentPublic,
    IncidentUpdate,
    NoteBody,
)
from pysteward.server.monitors.api import Since, Until
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.server.slas.models import Priority
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(tags=["incidents"], responses=error_responses(400, 401, 422))
_OBJECT = error_responses(403, 404, 409)


def _filters(
    *,
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's incidents.")
    ] = None,
    service_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this service's incidents.")
    ] = None,
    status: Annotated[IncidentStatus | None, Query(description="Only incidents in this status.")] = None,
    priority: Annotated[Priority | None, Query(description="Only incidents of this priority.")] = None,
    open: Annotated[
        bool | None, Query(description="Only open (true) or only resolved (false) incidents.")
    ] = None,
) -> IncidentFilters:
    return IncidentFilters(
        client_id=client_id, service_id=service_id, status=status, priority=priority, open=open
    )


Filters = Annotated[IncidentFilters, Depends(_filters)]


@router.get("/incidents", summary="List incidents")
def list_incidents(
    session: DbSession, principal: CurrentUser, filters: Filters, page: Paging
) -> Page[IncidentPublic]:
    items, next_after = reading.list_incidents(
        session, principal=principal, filters=filters, page=page, now=utcnow()
    )
    return Page(items=items, next_after=next_after)


@router.post("/incidents", status_code=201, summary="Open an incident", responses=error_responses(403, 404))
def create_incident(session: DbSession, principal: Writer, body: IncidentCreate) -> IncidentPublic:
    now = utcnow()
    incident = incidents.create_incident(
        session,
        principal=principal,
        service_id=body.service_id,
        title=body.title,
        priority=body.priority,
        description=body.description,
        now=now,
    )
    return reading.incident_public(session, incident, now=now)


@router.get(
    "/incidents/{incident_id}", summary="Show an incident with its timers", responses=error_responses(404)
)
def show_incident(session: DbSession, principal: CurrentUser, incident_id: PathId) -> IncidentPublic:
    return reading.show_incident(session, principal=principal, incident_id=incident_id, now=utcnow())


@router.patch("/incidents/{incident_id}", summary="Change title, description or priority", responses=_OBJECT)
def update_incident(
    session: DbSession, principal: CurrentUser, incident_id: PathId, body: IncidentUpdate
) -> IncidentPublic:
    now = utcnow()
    changes = body.model_dump(exclude_unset=True)
    incident = incidents.update_incident(
        session, principal=principal, incident_id=incident_id, changes=changes, now=now
    )
    return reading.incident_public(session, incident, now=now)


@router.get(
    "/incidents/{incident_id}/events", summary="An incident's timeline", responses=error_responses(404)
)
def list_events(
    session: DbSession, principal: CurrentUser, incident_id: PathId, page: Paging
) -> Page[EventPublic]:
    items, next_after = reading.list_events(session, principal=principal, incident_id=incident_id, page=page)
    return Page(items=items, next_after=next_after)


@router.post("/incidents/{incident_id}/acknowledge", summary="Acknowledge", responses=_OBJECT)
def acknowledge(session: DbSession, principal: CurrentUser, incident_id: PathId) -> IncidentPublic:
    now = utcnow()
    incident = incidents.acknowledge(session, principal=principal, incident_id=incident_id, now=now)
    return reading.incident_public(session, incident, now=now)


@router.post("/incidents/{incident_id}/assign", summary="Assign to a provider user", responses=_OBJECT)
def assign(
    session: DbSession, principal: CurrentUser, incident_id: PathId, body: AssignBody
) -> IncidentPublic:
    now = utcnow()
    incident = incidents.assign(
        session, principal=principal, incident_id=incident_id, assignee_id=body.assignee_id, now=now
    )
    return reading.incident_public(session, incident, now=now)


@router.post(
    "/incidents/{incident_id}/pause",
    summary="Wait for the client (stops the resolution clock)",
    responses=_OBJECT,
)
def pause(session: DbSession, principal: CurrentUser, incident_id: PathId, body: NoteBody) -> IncidentPublic:
    now = utcnow()
    incident = incidents.pause(
        session, principal=principal, incident_id=incident_id, reason=body.note, now=now
    )
    return reading.incident_public(session, incident, now=now)


@router.post("/incidents/{incident_id}/resume", summary="Resume the resolution clock", responses=_OBJECT)
def resume(session: DbSession, principal: CurrentUser, incident_id: PathId) -> IncidentPublic:
    now = utcnow()
    incident = incidents.resume(session, principal=principal, incident_id=incident_id, now=now)
    return reading.incident_public(session, incident, now=now)


@router.post("/incidents/{incident_id}/resolve", summary="Resolve", responses=_OBJECT)
def resolve(
    session: DbSession, principal: CurrentUser, incident_id: PathId, body: NoteBody
) -> IncidentPublic:
    now = utcnow()
    incident = incidents.resolve(
        session, principal=principal, incident_id=incident_id, note=body.note, now=now
    )
    return reading.incident_public(session, incident, now=now)


@router.post("/incidents/{incident_id}/reopen", summary="Reopen", responses=_OBJECT)
def reopen(session: DbSession, principal: CurrentUser, incident_id: PathId, body: NoteBody) -> IncidentPublic:
    now = utcnow()
    incident = incidents.reopen(
        session, principal=principal, incident_id=incident_id, reason=body.note, now=now
    )
    return reading.incident_public(session, incident, now=now)


@router.post(
    "/incidents/{incident_id}/comments", status_code=201, summary="Comment on the timeline", responses=_OBJECT
)
def comment(
    session: DbSession, principal: CurrentUser, incident_id: PathId, body: CommentBody
) -> IncidentPublic:
    now = utcnow()
    incident = incidents.comment(
        session,
        principal=principal,
        incident_id=incident_id,
        message=body.message,
        now=now,
        public=body.public,
    )
    return reading.incident_public(session, incident, now=now)


@router.get("/breaches", summary="Missed response and resolution targets")
def list_breaches(
    *,
    session: DbSession,
    principal: CurrentUser,
    page: Paging,
    since: Since = None,
    until: Until = None,
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's breaches.")
    ] = None,
) -> Page[BreachPublic]:
    items, next_after = reading.list_breaches(
        session, principal=principal, client_id=client_id, since=since, until=until, page=page
    )
    return Page(items=items, next_after=next_after)


@router.get("/escalation-policies", summary="List escalation policies")
def list_policies(session: DbSession, principal: CurrentUser, page: Paging) -> Page[EscalationPolicyPublic]:
    items, next_after = policies.list_policies(session, principal=principal, page=page)
    return Page(items=items, next_after=next_after)


@router.post(
    "/escalation-policies",
    status_code=201,
    summary="Create an escalation policy",
    responses=error_responses(403),
)
def create_policy(
    session: DbSession, principal: Writer, body: EscalationPolicyCreate
) -> EscalationPolicyPublic:
    return policies.create_policy(session, principal=principal, body=body)


@router.get(
    "/escalation-policies/{policy_id}", summary="Show an escalation policy", responses=error_responses(404)
)
def show_policy(session: DbSession, principal: CurrentUser, policy_id: PathId) -> EscalationPolicyPublic:
    return policies.show_policy(session, principal=principal, policy_id=policy_id)


@router.patch("/escalation-policies/{policy_id}", summary="Change an escalation policy", responses=_OBJECT)
def update_policy(
    session: DbSession, principal: CurrentUser, policy_id: PathId, body: EscalationPolicyUpdate
) -> EscalationPolicyPublic:
    return policies.update_policy(session, principal=principal, policy_id=policy_id, body=body)


@router.delete(
    "/escalation-policies/{policy_id}",
    status_code=204,
    summary="Delete an escalation policy",
    responses=_OBJECT,
)
def delete_policy(session: DbSession, principal: CurrentUser, policy_id: PathId) -> Response:
    policies.delete_policy(session, principal=principal, policy_id=policy_id)
    return Response(status_code=204)
