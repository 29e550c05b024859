"""`/reports`: archived SLA reports per client and period, thin routes over `reports.service` (STYLE 25).

    GET  /reports                      list (viewers: their client's only)
    POST /reports                      generate a new version for a period (provider staff)
    GET  /reports/{id}                 metadata: period, version, SHA-256 of the PDF
    GET  /reports/{id}/pdf | /html     the archived document, byte for byte as generated
    POST /reports/{id}/deliver         announce it on notification channels of its client (staff)

Reports are never changed or deleted through the API: generating again adds a version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from pysteward.server.deps import AppSettings, CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.server.reports import service as reports
from pysteward.server.reports.models import ReportKind
from pysteward.server.reports.schemas import (
    DeliveryQueued,
    ReportCreate,
    ReportDeliver,
    ReportFilters,
    ReportPublic,
)
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(tags=["reports"], responses=error_responses(400, 401, 422))
_READ = error_responses(404)
_WRITE = error_responses(403, 404)


def _filters(
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's reports.")
    ] = None,
    kind: Annotated[ReportKind | None, Query(description="Only weekly or monthly reports.")] = None,
) -> ReportFilters:
    return ReportFilters(client_id=client_id, kind=kind)


@router.get("/reports", summary="List reports")
def list_reports(
    session: DbSession,
    principal: CurrentUser,
    filters: Annotated[ReportFilters, Depends(_filters)],
    page: Paging,
) -> Page[ReportPublic]:
    """Every archived version the caller may see (a viewer: their client's), oldest first."""
    items, next_after = reports.list_reports(session, principal=principal, filters=filters, page=page)
    return Page(items=items, next_after=next_after)


@router.post(
    "/reports", status_code=201, summary="Generate a report", responses=error_responses(403, 404, 409)
)
def create_report(session: DbSession, principal: Writer, data: ReportCreate) -> ReportPublic:
    """Generate the client's report for the period now and archive it as the period's next version."""
    report = reports.request_report(
        session,
        principal=principal,
        client_id=data.client_id,
        kind=data.kind,
        period=data.period,
        now=utcnow(),
    )
    return reports.report_public(report)


@router.get("/reports/{report_id}", summary="Show a report's metadata", responses=_READ)
def get_report(session: DbSession, principal: CurrentUser, report_id: PathId) -> ReportPublic:
    """Period, version, and the SHA-256 of the PDF."""
    return reports.show_report(session, principal=principal, report_id=report_id)


@router.get(
    "/reports/{report_id}/pdf",
    summary="Download a report's PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The PDF."}, **_READ},
)
def get_pdf(session: DbSession, principal: CurrentUser, report_id: PathId) -> Response:
    """The PDF exactly as archived; `Repr-Digest` holds its SHA-256."""
    report = reports.get_report_for(session, principal, report_id)
    headers = reports.download_headers(session, report, "pdf")
    return Response(report.pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/reports/{report_id}/html",
    summary="Download a report's HTML",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "The HTML page."}, **_READ},
)
def get_html(session: DbSession, principal: CurrentUser, report_id: PathId) -> Response:
    """The HTML page the PDF was made from, self-contained."""
    report = reports.get_report_for(session, principal, report_id)
    headers = reports.download_headers(session, report, "html")
    return Response(report.html, media_type="text/html; charset=utf-8", headers=headers)


@router.post("/reports/{report_id}/deliver", summary="Deliver a report", responses=_WRITE)
def deliver_report(
    session: DbSession,
    principal: CurrentUser,
    settings: AppSettings,
    report_id: PathId,
    data: Annotated[ReportDeliver | None, Body()] = None,
) -> DeliveryQueued:
    """Queue a message announcing the report (title, period, key figures, version, SHA-256, download
    link) to the given channels of its client, or to all its enabled subscribed client-wide ones."""
    deliveries = reports.deliver_report(
        session,
        principal=principal,
        report_id=report_id,
        channel_ids=None if data is None else data.channel_ids,
        base_url=settings.base_url,
        now=utcnow(),
    )
    return DeliveryQueued(
        report_id=report_id,
        delivery_ids=[delivery.id for delivery in deliveries],
        channel_ids=[delivery.channel_id for delivery in deliveries if delivery.channel_id is not None],
    )
