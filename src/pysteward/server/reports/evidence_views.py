"""The console's evidence pack: a form (`/evidence`) and its download button (`/evidence/download`).

Provider staff choose the client; a client viewer's is fixed to their own (another client answers
404). A download without a client goes back to the form for staff; without a period it is the last
full month. The zip is the API's (`evidence.export_pack`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.schemas import SafeText
from pysteward.server.pagination import MAX_ID
from pysteward.server.reports.evidence import PERIOD_FORMS, export_pack
from pysteward.server.reports.evidence_api import zip_response
from pysteward.server.slas.models import WindowKind
from pysteward.server.slas.periods import Period, period_containing, previous_period
from pysteward.server.tenancy.models import Client
from pysteward.server.web.auth import Viewer, Web
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_MONTHS = 12
_WEEKS = 8


def _recent(kind: WindowKind, count: int, now: datetime) -> list[str]:
    """Labels of the `count` periods of `kind` before the current one (UTC), latest first."""
    period: Period = period_containing(kind, now, "UTC", anchor=now)
    labels = []
    for _ in range(count):
        period = previous_period(kind, period, "UTC", anchor=now)
        labels.append(period.label)
    return labels


def _form(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    chosen: int | None,
    period: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    principal = viewer.principal
    query = select(Client).order_by(Client.name)
    if not (principal.is_provider and principal.client_id is None):
        query = query.where(Client.id == principal.client_id)
    now = utcnow()
    months = _recent(WindowKind.MONTH, _MONTHS, now)
    context = {
        "viewer": viewer,
        "nav": "evidence",
        "clients": list(session.scalars(query)),
        "chosen": chosen,
        "period": period or months[0],
        "months": months,
        "weeks": _recent(WindowKind.WEEK, _WEEKS, now),
        "forms": PERIOD_FORMS,
        "error": error,
    }
    return page(request, "evidence/index.html", context, status_code=422 if error else 200)


@router.get("/evidence")
def evidence_form(
    request: Request,
    viewer: Web,
    session: DbSession,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """The form: client (staff choose one; a viewer's is their own) and period, and the button."""
    return _form(request, viewer, session, chosen=client_id)


@router.get("/evidence/download")
def evidence_download(
    request: Request,
    viewer: Web,
    session: DbSession,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    period: Annotated[SafeText, Query(max_length=16)] = "",
) -> Response:
    """The zip of the chosen client and period (the console's button); a bad period shows the form
    again with the reason (422), another client's answers 404."""
    principal = viewer.principal
    if client_id is None:
        if principal.client_id is None:
            return RedirectResponse("/evidence", status_code=303)
        client_id = principal.client_id
    text = period.strip() or "previous"
    try:
        filename, content = export_pack(
            session, principal=principal, client_id=client_id, period=text, now=utcnow()
        )
    except ApiError as e:
        if e.status != 422:
            raise
        reason = e.message.split(": ", 1)[-1].capitalize() + "."  # without "query.period: "
        return _form(request, viewer, session, chosen=client_id, period=text, error=reason)
    return zip_response(filename, content)
