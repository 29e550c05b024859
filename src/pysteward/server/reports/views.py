"""Console pages of the SLA reports: the archive, one report's page, its documents, and the forms.

    GET  /reports                    the archive, newest first, filtered by client and kind; for staff,
                                     the form that generates a report
    POST /reports                    generate (staff): 303 to the new report's page
    GET  /reports/{id}               one version: figures as stated, hash, other versions, delivery
    GET  /reports/{id}/pdf           the archived PDF (a download)
    GET  /reports/{id}/html          the archived HTML, shown in the browser, sandboxed
    POST /reports/{id}/deliver       announce it on channels of its client (staff): 303 back

A client viewer sees their own client's reports only (another client's answers 404) and changes
nothing (403). Every page calls the same service functions as the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.deps import AppSettings, DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.schemas import SafeText
from pysteward.server.notify.models import Channel
from pysteward.server.pagination import MAX_ID, PathId
from pysteward.server.principal import Principal
from pysteward.server.reports import service as reports
from pysteward.server.reports.models import ReportKind
from pysteward.server.reports.render import local_time, stated_figures
from pysteward.server.reports.schemas import ReportFilters
from pysteward.server.tenancy.models import Client
from pysteward.server.web.auth import Web
from pysteward.server.web.templating import page
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
ARCHIVE_LIMIT = 200
"""The archive page lists this many versions, newest first."""


def _clients(session: Session, principal: Principal) -> dict[int, str]:
    query = select(Client.id, Client.name).order_by(Client.name)
    if not (principal.is_provider and principal.client_id is None):
        query = query.where(Client.id == principal.client_id)
    return {row[0]: row[1] for row in session.execute(query)}


def _kind(value: str) -> ReportKind | None:
    if not value:
        return None
    if value not in {kind.value for kind in ReportKind}:
        raise ApiError(422, f"query.kind: {value[:40]!r} is not weekly or monthly")
    return ReportKind(value)


@router.get("/reports")
def archive(
    request: Request,
    viewer: Web,
    session: DbSession,
    client: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    kind: Annotated[SafeText, Query(max_length=16)] = "",
) -> HTMLResponse:
    """The reports the viewer may read, newest first, and (staff) the generate form."""
    filters = ReportFilters(client_id=client, kind=_kind(kind))
    items = reports.recent_reports(session, principal=viewer.principal, filters=filters, limit=ARCHIVE_LIMIT)
    context = {
        "viewer": viewer,
        "nav": "reports",
        "items": items,
        "limit": ARCHIVE_LIMIT,
        "clients": _clients(session, viewer.principal),
        "filters": filters,
        "kinds": list(ReportKind),
    }
    return page(request, "reports/list.html", context)


@router.post("/reports")
def generate(
    viewer: Web,
    session: DbSession,
    client_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[ReportKind, Form()] = ReportKind.MONTHLY,
    period: Annotated[SafeText, Form(max_length=32)] = "previous",
) -> RedirectResponse:
    """Generate a report now (staff); answers 303 to its page."""
    report = reports.request_report(
        session,
        principal=viewer.principal,
        client_id=client_id,
        kind=kind,
        period=period.strip() or "previous",
        now=utcnow(),
    )
    return RedirectResponse(f"/reports/{report.id}", status_code=303)


@router.get("/reports/{report_id}")
def show(
    request: Request,
    viewer: Web,
    session: DbSession,
    report_id: PathId,
    delivered: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> HTMLResponse:
    """One archived version: its figures as the document states them, its hash, its siblings."""
    report = reports.get_report_for(session, viewer.principal, report_id)
    public = reports.show_report(session, principal=viewer.principal, report_id=report_id)
    channels = session.scalars(
        select(Channel).where(Channel.client_id == report.client_id).order_by(Channel.id)
    ).all()
    context = {
        "viewer": viewer,
        "nav": "reports",
        "report": public,
        "span": " to ".join(
            local_time(at, public.timezone) for at in (public.period_start, public.period_end)
        ),
        "client": session.get_one(Client, report.client_id),
        "figures": stated_figures(report.html),
        "versions": reports.versions_of(session, report),
        "channels": channels if viewer.is_staff else [],
        "delivered": delivered,
    }
    return page(request, "reports/detail.html", context)


@router.get("/reports/{report_id}/pdf")
def pdf(viewer: Web, session: DbSession, report_id: PathId) -> Response:
    """The PDF as archived."""
    report = reports.get_report_for(session, viewer.principal, report_id)
    headers = reports.download_headers(session, report, "pdf")
    return Response(report.pdf, media_type="application/pdf", headers=headers)


@router.get("/reports/{report_id}/html")
def html(viewer: Web, session: DbSession, report_id: PathId) -> Response:
    """The HTML as archived, shown in the browser under a policy that lets it load nothing."""
    report = reports.get_report_for(session, viewer.principal, report_id)
    headers = reports.download_headers(session, report, "html", inline=True)
    return Response(report.html, media_type="text/html; charset=utf-8", headers=headers)


@router.post("/reports/{report_id}/deliver")
def deliver(
    viewer: Web,
    session: DbSession,
    settings: AppSettings,
    report_id: PathId,
    channel_ids: Annotated[list[int] | None, Form(max_length=50)] = None,
) -> RedirectResponse:
    """Queue the report's announcement (staff): on the ticked channels, or the client's default ones."""
    for channel_id in channel_ids or []:
        if not 1 <= channel_id <= MAX_ID:
            raise ApiError(422, f"body.channel_ids: {channel_id} is not an id")
    deliveries = reports.deliver_report(
        session,
        principal=viewer.principal,
        report_id=report_id,
        channel_ids=channel_ids or None,
        base_url=settings.base_url,
        now=utcnow(),
    )
    return RedirectResponse(f"/reports/{report_id}?delivered={len(deliveries)}", status_code=303)
