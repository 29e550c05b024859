"""Console pages of incidents: the queue, an incident's page, and the actions on it (forms).

    GET  /incidents                        the queue: filters, most urgent first, live timers
    GET  /incidents/{id}                   the incident: timers, timeline, actions
    POST /incidents/{id}/acknowledge       and /assign, /pause, /resume, /resolve, /reopen, /comment:
                                           staff only (a client viewer gets 403 on their own client's
                                           incident, 404 on another's); each answers 303 back to the
                                           page it came from (`next`, a path on this server)

The actions call the same service functions as the API, so the timeline, the timers and the
notifications are the same whichever way an engineer acts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.schemas import NUL_MESSAGE
from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.queue import (
    QUEUE_LIMIT,
    QueueFilters,
    StateFilter,
    choices,
    incident_detail,
    queue,
)
from pysteward.server.pagination import MAX_ID, PathId
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.web.auth import Viewer, Web
from pysteward.server.web.templating import page
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_STATES: tuple[StateFilter, ...] = ("open", "triggered", "acknowledged", "resolved", "all")
_TEXT_LIMIT = 10_000
Next = Annotated[str, Form()]


def _id(name: str, value: str) -> int | None:
    """A filter's id, None when empty; 422 naming the field when it is not an id."""
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise ApiError(422, f"query.{name}: {value[:40]!r} is not an id")
    return int(value)


def _filters(viewer: Viewer, request: Request) -> QueueFilters:
    params = request.query_params
    priority, state = params.get("priority", ""), params.get("state", "open") or "open"
    assignee, breached = params.get("assignee", ""), params.get("breached", "")
    if priority and priority not in Priority.__members__:
        raise ApiError(422, f"query.priority: {priority[:40]!r} is not one of P1, P2, P3, P4")
    if state not in _STATES:
        raise ApiError(422, f"query.state: {state[:40]!r} is not one of {', '.join(_STATES)}")
    if breached not in ("", "yes", "no"):
        raise ApiError(422, f"query.breached: {breached[:40]!r} is not yes or no")
    chosen = {"me": viewer.principal.user_id, "none": 0}.get(assignee)
    return QueueFilters(
        client_id=_id("client", params.get("client", "")),
        service_id=_id("service", params.get("service", "")),
        priority=Priority(priority) if priority else None,
        state=state,  # checked against _STATES above
        assignee=chosen if chosen is not None else _id("assignee", assignee),
        breached=None if not breached else breached == "yes",
    )


@router.get("/incidents")
def incident_queue(request: Request, viewer: Web, session: DbSession) -> HTMLResponse:
    """The incidents the viewer sees, narrowed by the query's filters, most urgent first."""
    filters = _filters(viewer, request)
    now = utcnow()
    items, total = queue(session, principal=viewer.principal, filters=filters, now=now)
    context = {
        "viewer": viewer,
        "nav": "incidents",
        "items": items,
        "total": total,
        "limit": QUEUE_LIMIT,
        "filters": filters,
        "params": request.query_params,
        "choices": choices(session, principal=viewer.principal),
        "states": _STATES,
        "priorities": list(Priority),
        "now": now,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    return page(request, "incidents/queue.html", context)


@router.get("/incidents/{incident_id}")
def show_incident(request: Request, viewer: Web, session: DbSession, incident_id: PathId) -> HTMLResponse:
    """One incident: its timers, its timeline and, for staff, the actions."""
    now = utcnow()
    detail = incident_detail(session, principal=viewer.principal, incident_id=incident_id, now=now)
    context = {"viewer": viewer, "nav": "incidents", "d": detail, "now": now, "here": request.url.path}
    return page(request, "incidents/incident.html", context)


def _back(target: str, incident_id: int) -> RedirectResponse:
    """303 to `target` if it is a path on this server, else to the incident's page."""
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return RedirectResponse(target if safe else f"/incidents/{incident_id}", status_code=303)


def _staff_on(session: DbSession, viewer: Viewer, incident_id: int) -> None:
    """404 for an incident the viewer does not see, then 403 unless staff: before any form check."""
    incidents.get_incident_for(session, viewer.principal, incident_id)
    require_writer(viewer.principal)


def _text(name: str, value: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ApiError(422, f"body.{name}: must not be empty")
    if len(value) > _TEXT_LIMIT:
        raise ApiError(422, f"body.{name}: must be at most {_TEXT_LIMIT:,} characters")
    if "\x00" in value:
        raise ApiError(422, f"body.{name}: {NUL_MESSAGE}")
    return value


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(viewer: Web, session: DbSession, incident_id: PathId, next: Next = "") -> RedirectResponse:
    """Someone is on it: the response timer stops, the escalation too."""
    _staff_on(session, viewer, incident_id)
    incidents.acknowledge(session, principal=viewer.principal, incident_id=incident_id, now=utcnow())
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/assign")
def assign(
    viewer: Web,
    session: DbSession,
    incident_id: PathId,
    assignee_id: Annotated[str, Form()] = "",
    next: Next = "",
) -> RedirectResponse:
    """Give the incident to a provider user (`me`, an id) or to nobody (empty)."""
    _staff_on(session, viewer, incident_id)
    chosen = viewer.principal.user_id if assignee_id == "me" else _id("assignee_id", assignee_id)
    incidents.assign(
        session, principal=viewer.principal, incident_id=incident_id, assignee_id=chosen, now=utcnow()
    )
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/pause")
def pause(
    viewer: Web, session: DbSession, incident_id: PathId, reason: Annotated[str, Form()] = "", next: Next = ""
) -> RedirectResponse:
    """Waiting for the client: the resolution clock stops."""
    _staff_on(session, viewer, incident_id)
    incidents.pause(
        session,
        principal=viewer.principal,
        incident_id=incident_id,
        reason=_text("reason", reason),
        now=utcnow(),
    )
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/resume")
def resume(viewer: Web, session: DbSession, incident_id: PathId, next: Next = "") -> RedirectResponse:
    """The client answered: the resolution clock runs again."""
    _staff_on(session, viewer, incident_id)
    incidents.resume(session, principal=viewer.principal, incident_id=incident_id, now=utcnow())
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/resolve")
def resolve(
    viewer: Web, session: DbSession, incident_id: PathId, note: Annotated[str, Form()] = "", next: Next = ""
) -> RedirectResponse:
    """The service is restored: the resolution timer stops."""
    _staff_on(session, viewer, incident_id)
    incidents.resolve(
        session, principal=viewer.principal, incident_id=incident_id, note=_text("note", note), now=utcnow()
    )
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/reopen")
def reopen(
    viewer: Web, session: DbSession, incident_id: PathId, note: Annotated[str, Form()] = "", next: Next = ""
) -> RedirectResponse:
    """The trouble is back: the incident is triggered again."""
    _staff_on(session, viewer, incident_id)
    incidents.reopen(
        session, principal=viewer.principal, incident_id=incident_id, reason=_text("note", note), now=utcnow()
    )
    return _back(next, incident_id)


@router.post("/incidents/{incident_id}/comment")
def comment(
    *,
    viewer: Web,
    session: DbSession,
    incident_id: PathId,
    message: Annotated[str, Form()] = "",
    public: Annotated[str, Form()] = "",
    next: Next = "",
) -> RedirectResponse:
    """A note on the timeline; with `public` ticked, also an update on the client's status page."""
    _staff_on(session, viewer, incident_id)
    text = _text("message", message, required=True)
    incidents.comment(
        session,
        principal=viewer.principal,
        incident_id=incident_id,
        message=text,
        now=utcnow(),
        public=bool(public),
    )
    return _back(next, incident_id)
