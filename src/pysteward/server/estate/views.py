"""Console pages of the estate: the overview (a client viewer's portal) and the service page.

GET /overview                 staff: every client and its services; a client viewer: their own
GET /services/{service_id}    one service: timeline, response times, monitors, incidents, SLA,
                              the latest assessment (another client's service answers 404)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.overview import estate_overview
from pysteward.server.estate.service_page import service_page
from pysteward.server.estate.window_cache import app_cache
from pysteward.server.pagination import PathId
from pysteward.server.slas.models import Priority
from pysteward.server.web.auth import Web
from pysteward.server.web.templating import page
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_SPANS = (7, 30)


@router.get("/overview")
def overview(request: Request, viewer: Web, session: DbSession) -> HTMLResponse:
    """Staff see the estate; a client viewer the same page narrowed to their client (their portal)."""
    data = estate_overview(
        session, principal=viewer.principal, now=utcnow(), cache=app_cache(request.app.state)
    )
    if viewer.is_staff:
        title = "Estate overview"
    else:
        name = data.clients[0].name if data.clients else "Your"
        title = f"{name} service portal"
    context = {
        "viewer": viewer,
        "nav": "overview",
        "overview": data,
        "title": title,
        "priorities": list(Priority),
    }
    return page(request, "estate/overview.html", context)


@router.get("/services/{service_id}")
def show_service(
    request: Request,
    viewer: Web,
    session: DbSession,
    service_id: PathId,
    days: Annotated[int, Query(description="How many days the uptime timeline shows: 7 or 30.")] = 7,
) -> HTMLResponse:
    """One service; another client's answers 404 exactly like a missing one."""
    if days not in _SPANS:
        raise ApiError(422, f"query.days: {days} is not 7 or 30")
    data = service_page(
        session,
        principal=viewer.principal,
        service_id=service_id,
        now=utcnow(),
        days=days,
        cache=app_cache(request.app.state),
    )
    context = {"viewer": viewer, "nav": "overview", "s": data, "days": days, "priorities": list(Priority)}
    return page(request, "estate/service.html", context)
