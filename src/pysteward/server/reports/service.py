"""Service functions of the reports domain (STYLE 25): generate, archive, list, read and deliver reports.

    generate_report   gather, render HTML and PDF, store version n+1 with the PDF's SHA-256; commits
    latest_reports    the latest version of each report of a client within a span (the evidence pack)
    request_report    `generate_report` for a caller: tenancy, staff only, the period as text
    list_reports, get_report_for, report_public, deliver_report   for the API, console and CLI

The archive is append-only: no function here updates or deletes a `Report`. Generating a period again
adds the next version; every earlier one stays byte for byte as it was. Another client's report
answers 404 exactly like a missing one; client viewers read their own client's reports and change
nothing (403).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, Select, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, defer

from pysteward.server.errors import ApiError
from pysteward.server.estate.service import keyset_page
from pysteward.server.notify.delivery import notify_targets
from pysteward.server.notify.models import Channel, Delivery
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.reports.data import gather, parse_report_period, report_window
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.reports.render import render_html, render_pdf, stated_figures
from pysteward.server.reports.schemas import ReportFilters, ReportPublic
from pysteward.server.slas.periods import Period, PeriodError, period_containing
from pysteward.server.tenancy.auth import require_writer
from pysteward.server.tenancy.models import Client

__all__ = [
    "DELIVERY_EVENT",
    "HTML_POLICY",
    "deliver_report",
    "download_headers",
    "generate_report",
    "get_report_for",
    "latest_reports",
    "list_reports",
    "period_of",
    "queue_delivery",
    "recent_reports",
    "report_public",
    "request_report",
    "show_report",
    "versions_of",
]

DELIVERY_EVENT = "report.generated"
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
"""A report page needs its inline styles and inline SVG, nothing else; sandboxed, it runs no script."""


def _next_version(session: Session, client_id: int, kind: ReportKind, start: datetime) -> int:
    latest = session.scalar(
        select(func.max(Report.version)).where(
            Report.client_id == client_id, Report.kind == kind, Report.period_start == start
        )
    )
    return (latest or 0) + 1


def generate_report(
    session: Session, *, client_id: int, kind: ReportKind, period: Period, now: datetime, actor_id: int | None
) -> Report:
    """Generate `client_id`'s `kind` report over `period` as of `now` and archive it as the next version
    of that period (1 for the first), with the SHA-256 of its PDF; commits. 404 for no such client;
    409 when another worker stored the same version first (generate again for the next one)."""
    client = session.get(Client, client_id)
    if client is None:
        raise ApiError(404, f"client {client_id} not found")
    data = gather(session, client=client, kind=kind, period=period, now=now)
    version = _next_version(session, client_id, kind, period.start)
    timezone = client.report_timezone
    # End the reading transaction before rendering (seconds for a large client): a snapshot held that
    # long would make SQLite refuse the insert below whenever another writer committed meanwhile.
    session.commit()
    html = render_html(data, version=version)
    pdf = render_pdf(html)
    report = Report(
        client_id=client_id,
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        timezone=timezone,
        version=version,
        sha256=hashlib.sha256(pdf).hexdigest(),
        html=html,
        pdf=pdf,
        created_at=now,
        created_by=actor_id,
    )
    session.add(report)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError(
            409, f"version {version} of this report was just stored by another request; generate it again"
        ) from None
    return report


def _metadata() -> Select[Report, int, int]:
    """Reports without their HTML and PDF, with the PDF's size and the latest version of their period."""
    newer = aliased(Report)
    latest = (
        select(func.max(newer.version))
        .where(
            newer.client_id == Report.client_id,
            newer.kind == Report.kind,
            newer.period_start == Report.period_start,
        )
        .scalar_subquery()
    )
    size = func.length(Report.pdf)
    return select(Report, size, latest).options(defer(Report.html), defer(Report.pdf))


def latest_reports(session: Session, *, client_id: int, start: datetime, end: datetime) -> list[Report]:
    """The latest version of each of `client_id`'s reports whose period lies within `[start, end)`,
    by period start and kind."""
    rows = session.execute(
        _metadata()
        .where(Report.client_id == client_id, Report.period_start >= start, Report.period_end <= end)
        .order_by(Report.period_start, Report.kind, Report.version)
    )
    return [row[0] for row in rows if row[0].version == row[2]]


def period_of(report: Report) -> Period:
    """The period `report` covers, with its label (`2026-11`, `2026-W47`)."""
    window = report_window(report.kind)
    return period_containing(window, report.period_start, report.timezone, anchor=report.period_start)


def report_public(row: Report | Row[Report, int, int]) -> ReportPublic:
    """The API view of a report: from a `_metadata()` row, or a loaded report (then `latest_version`
    is its own version: the caller did not ask)."""
    if isinstance(row, Report):
        report, size, latest = row, len(row.pdf), row.version
    else:
        report, size, latest = row[0], int(row[1] or 0), int(row[2] or row[0].version)
    return ReportPublic(
        id=report.id,
        client_id=report.client_id,
        kind=report.kind,
        period=period_of(report).label,
        period_start=report.period_start,
        period_end=report.period_end,
        timezone=report.timezone,
        version=report.version,
        latest_version=latest,
        sha256=report.sha256,
        pdf_bytes=size,
        created_at=report.created_at,
        created_by=report.created_by,
        pdf_path=f"/api/v1/reports/{report.id}/pdf",
        html_path=f"/api/v1/reports/{report.id}/html",
        console_path=f"/reports/{report.id}",
    )


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.is_provider and principal.client_id is None:
        return true()
    return Report.client_id == principal.client_id


def list_reports(
    session: Session, *, principal: Principal, filters: ReportFilters, page: PageParams
) -> tuple[list[ReportPublic], int | None]:
    """One page of the reports `principal` sees, narrowed by `filters`, newest id last."""
    query = _metadata().where(_visible(principal))
    if filters.client_id is not None:
        query = query.where(Report.client_id == filters.client_id)
    if filters.kind is not None:
        query = query.where(Report.kind == filters.kind)
    rows, next_after = keyset_page(session, query, page, Report.id)
    return [report_public(row) for row in rows], next_after


def recent_reports(
    session: Session, *, principal: Principal, filters: ReportFilters, limit: int
) -> list[ReportPublic]:
    """The `limit` newest reports `principal` sees, narrowed by `filters`, newest first (the console)."""
    query = _metadata().where(_visible(principal))
    if filters.client_id is not None:
        query = query.where(Report.client_id == filters.client_id)
    if filters.kind is not None:
        query = query.where(Report.kind == filters.kind)
    return [report_public(row) for row in session.execute(query.order_by(Report.id.desc()).limit(limit))]


def versions_of(session: Session, report: Report) -> list[ReportPublic]:
    """Every version of `report`'s period, oldest first."""
    query = _metadata().where(
        Report.client_id == report.client_id,
        Report.kind == report.kind,
        Report.period_start == report.period_start,
    )
    return [report_public(row) for row in session.execute(query.order_by(Report.version))]


def get_report_for(session: Session, principal: Principal, report_id: int) -> Report:
    """The report `report_id` (HTML and PDF included) if `principal` sees its client; 404 otherwise."""
    report = session.get(Report, report_id)
    if report is None or not principal.sees_client(report.client_id):
        raise ApiError(404, f"report {report_id} not found")
    return report


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def download_headers(
    session: Session, report: Report, extension: str, *, inline: bool = False
) -> dict[str, str]:
    """Headers of `report` as `pdf` or `html`: a file name naming the client, period and version; for
    the PDF its SHA-256 (`Repr-Digest`, RFC 9530) so a client can check what it got; for the HTML a
    content security policy that lets it load and run nothing (its styles and charts are inline)."""
    client = session.get_one(Client, report.client_id)
    name = (
        f"steward-report-{_slug(client.name) or report.client_id}-{period_of(report).label}-v{report.version}"
    )
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}.{extension}"'}
    if extension == "html":
        headers["Content-Security-Policy"] = HTML_POLICY
    else:
        digest = base64.b64encode(bytes.fromhex(report.sha256)).decode()
        headers |= {"Repr-Digest": f"sha-256=:{digest}:", "ETag": f'"{report.sha256}"'}
    return headers


def show_report(session: Session, *, principal: Principal, report_id: int) -> ReportPublic:
    """The metadata of one report `principal` sees (without loading its HTML and PDF); 404 otherwise."""
    row = session.execute(_metadata().where(Report.id == report_id)).first()
    if row is None or not principal.sees_client(row[0].client_id):
        raise ApiError(404, f"report {report_id} not found")
    return report_public(row)


def request_report(
    session: Session, *, principal: Principal, client_id: int, kind: ReportKind, period: str, now: datetime
) -> Report:
    """Generate a report for a caller: staff only (403), a client they see (404), a period named as
    `previous`, `current`, `2026-11` or `2026-W47` in the client's time zone that has begun (422)."""
    require_writer(principal)
    client = session.get(Client, client_id)
    if client is None or not principal.sees_client(client_id):
        raise ApiError(404, f"client {client_id} not found")
    try:
        chosen = parse_report_period(kind, period, client.report_timezone, now=now)
    except PeriodError as e:
        raise ApiError(422, f"body.{e}") from None
    if chosen.start > now:
        raise ApiError(422, f"body.period: {chosen.label} has not begun yet")
    return generate_report(
        session, client_id=client_id, kind=kind, period=chosen, now=now, actor_id=principal.actor_id
    )


def _channels(session: Session, report: Report, channel_ids: Sequence[int] | None) -> list[int]:
    """The channels to deliver `report` through: the given ones, each a channel of its client (422
    otherwise), or every enabled, subscribed client-wide channel of its client."""
    if channel_ids is None:
        query = select(Channel.id).where(
            Channel.client_id == report.client_id,
            Channel.service_id.is_(None),
            Channel.enabled,
            Channel.subscribed,
        )
        return list(session.scalars(query.order_by(Channel.id)))
    found = set(
        session.scalars(
            select(Channel.id).where(Channel.id.in_(channel_ids), Channel.client_id == report.client_id)
        )
    )
    for channel_id in channel_ids:
        if channel_id not in found:
            raise ApiError(
                422, f"body.channel_ids: channel {channel_id} is not a channel of client {report.client_id}"
            )
    return list(dict.fromkeys(channel_ids))


def _message(session: Session, report: Report, base_url: str) -> tuple[str, str]:
    client = session.get_one(Client, report.client_id)
    label = period_of(report).label
    kind = report.kind.value.capitalize()
    title = f"{kind} service report {label} for {client.name} (version {report.version})"
    figures = "\n".join(f"{name}: {value}" for name, value in stated_figures(report.html).items())
    body = (
        f"{figures}\n\nVersion {report.version} of the {report.kind.value} report {label}.\n"
        f"SHA-256 of the PDF: {report.sha256}\n"
        f"Download: {base_url}/reports/{report.id}/pdf"
    )
    return title[:300], body


def queue_delivery(
    session: Session, *, report: Report, channel_ids: Sequence[int] | None, base_url: str, now: datetime
) -> list[Delivery]:
    """Queue one delivery of `report`'s announcement per channel (see `_channels`); no commit."""
    chosen = _channels(session, report, channel_ids)
    title, body = _message(session, report, base_url)
    return notify_targets(
        session, channel_ids=chosen, user_ids=[], client_id=report.client_id, incident_id=None,
        event=DELIVERY_EVENT, title=title, body=body, now=now,
    )  # fmt: skip


def deliver_report(
    session: Session,
    *,
    principal: Principal,
    report_id: int,
    channel_ids: Sequence[int] | None,
    base_url: str,
    now: datetime,
) -> list[Delivery]:
    """Queue deliveries of a report (staff only, after the look-up); the runner sends them. Commits."""
    report = get_report_for(session, principal, report_id)
    require_writer(principal)
    deliveries = queue_delivery(session, report=report, channel_ids=channel_ids, base_url=base_url, now=now)
    session.commit()
    return deliveries
