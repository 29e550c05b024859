"""SLA and calendar pages of the console, for provider staff.

    /slas              every SLA: client, service (or client-wide), target, window, time zone
    /slas/{id}         the definition; the accounting policy in words, its formula and version history;
                       P1–P4 targets; maintenance windows with their next occurrences; this window's
                       availability per covered service with its error budget; burn-rate alerts.
                       Forms: plan or delete a maintenance window, change the accounting policy (a new
                       version), set a priority's targets
    /calendars[/{id}]  business calendars: weekly hours, holidays, time zone, the SLAs using them

Staff only (`StaffOnly`: 403 for client viewers, whose portal shows their services, incidents and
reports, nothing else). Every look-up and change goes through `slas.service`, which keeps tenancy.
A form the service refuses (422, 409) shows the SLA page again with the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.incidents.models import EscalationPolicy
from pysteward.server.pagination import MAX_ID, MAX_LIMIT, PageParams, PathId
from pysteward.server.slas import figures, maintenance
from pysteward.server.slas import service as slas
from pysteward.server.slas.calendar import DAY_NAMES
from pysteward.server.slas.models import (
    BurnAlert,
    BusinessCalendar,
    Clock,
    Combine,
    DegradedAs,
    MaintenanceKind,
    MaintenanceWindow,
    Priority,
    Rounding,
    Sla,
    TargetUnit,
    UnknownAs,
)
from pysteward.server.slas.schemas import MaintenanceCreate, PolicyCreate, SlaFilters, TargetSet
from pysteward.server.tenancy.models import Client, User
from pysteward.server.tenancy.views import form_problem, see_other
from pysteward.server.web.auth import StaffOnly, Viewer
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_FORM_ERRORS = (409, 422)
_PAGE = 100
_ALERTS = 10
_NEXT = 3
_HORIZONS = (timedelta(days=8), timedelta(days=100), timedelta(days=800))
"""How far ahead to look for a window's next occurrences: near first, so a frequent cron stays cheap."""
_DONE = {
    "maintenance": "Maintenance window planned.",
    "deleted": "Maintenance window deleted.",
    "policy": "New accounting policy version in effect from now.",
    "target": "Targets set.",
}
_CHOICES = {
    "kinds": list(MaintenanceKind),
    "unknown_as": list(UnknownAs),
    "degraded_as": list(DegradedAs),
    "combine": list(Combine),
    "rounding": list(Rounding),
    "priorities": list(Priority),
    "units": list(TargetUnit),
    "clocks": list(Clock),
}


def _names(session: Session, model: type[Client] | type[Service], ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in session.execute(select(model.id, model.name).where(model.id.in_(ids)))}


def _invalid(error: ValidationError) -> ApiError:
    return ApiError(422, form_problem(error))


# SLAs -------------------------------------------------------------------------------------------


@router.get("/slas")
def sla_list(
    request: Request,
    viewer: StaffOnly,
    session: DbSession,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> HTMLResponse:
    """Every SLA, oldest first, a hundred a page."""
    rows, next_after = slas.list_slas(
        session, principal=viewer.principal, filters=SlaFilters(), page=PageParams(limit=_PAGE, after=after)
    )
    context = {
        "viewer": viewer,
        "nav": "slas",
        "slas": rows,
        "next_after": next_after,
        "clients": _names(session, Client, {row.client_id for row in rows}),
        "services": _names(session, Service, {row.service_id for row in rows if row.service_id}),
    }
    return page(request, "slas/list.html", context)


def _local_span(start: datetime, end: datetime, zone: str) -> str:
    """`Sun 2026-11-22 02:00–04:00` in `zone`, or both dates when it ends on another day."""
    first, last = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    if first.date() == last.date():
        return f"{first:%a %Y-%m-%d %H:%M}–{last:%H:%M}"
    return f"{first:%a %Y-%m-%d %H:%M} – {last:%a %Y-%m-%d %H:%M}"


def _next_occurrences(window: MaintenanceWindow, now: datetime) -> list[dict[str, Any]]:
    """The window's next few occurrences (one already running included), in its own time zone."""
    spec = slas.maintenance_spec(window)
    found: list[tuple[datetime, datetime]] = []
    for horizon in _HORIZONS:
        found = maintenance.occurrences(spec, now, now + horizon)
        if len(found) >= _NEXT:
            break
    return [
        {
            "text": _local_span(start, end, window.timezone),
            "running": start <= now,
        }
        for start, end in found[:_NEXT]
    ]


def _policies(session: Session, viewer: Viewer, sla: Sla) -> list[dict[str, Any]]:
    rows, _more = slas.list_policies(
        session, principal=viewer.principal, sla_id=sla.id, page=PageParams(limit=MAX_LIMIT)
    )
    authors = {row.created_by for row in rows if row.created_by is not None}
    emails = {
        row[0]: row[1] for row in session.execute(select(User.id, User.email).where(User.id.in_(authors)))
    }
    return [
        {"row": row, "public": slas.policy_public(row), "by": emails.get(row.created_by or 0, "—")}
        for row in reversed(rows)
    ]


def _links(session: Session, sla: Sla) -> dict[str, Any]:
    calendar = session.get(BusinessCalendar, sla.calendar_id) if sla.calendar_id else None
    policy = session.get(EscalationPolicy, sla.escalation_policy_id) if sla.escalation_policy_id else None
    return {
        "client": session.get_one(Client, sla.client_id),
        "service": session.get(Service, sla.service_id) if sla.service_id else None,
        "calendar": calendar,
        "escalation": policy,
    }


def _alerts(session: Session, sla: Sla) -> list[tuple[BurnAlert, str]]:
    """The latest burn-rate alerts, newest first, with their service's name."""
    query = select(BurnAlert, Service.name).join(Service, Service.id == BurnAlert.service_id)
    query = query.where(BurnAlert.sla_id == sla.id).order_by(BurnAlert.id.desc()).limit(_ALERTS)
    return [(row[0], row[1]) for row in session.execute(query)]


def _detail(
    request: Request,
    viewer: Viewer,
    session: Session,
    sla_id: int,
    *,
    error: tuple[str, str] | None = None,
    kept: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The SLA page; `error` is (form, reason) when a form was refused, shown with that form open and
    the fields `kept` as they were typed."""
    now = utcnow()
    sla = slas.get_sla_for(session, viewer.principal, sla_id)
    detail = slas.show_sla(session, principal=viewer.principal, sla_id=sla.id, now=now)
    windows = session.scalars(
        select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla.id).order_by(MaintenanceWindow.id)
    )
    context = {
        "viewer": viewer,
        "nav": "slas",
        "sla": detail,
        **_links(session, sla),
        "policies": _policies(session, viewer, sla),
        "windows": [(window, _next_occurrences(window, now)) for window in windows],
        "availability": figures.availability_report(
            session, principal=viewer.principal, sla_id=sla.id, period="current", now=now
        ),
        "alerts": _alerts(session, sla),
        "choices": _CHOICES,
        "error": error[1] if error else None,
        "failed": error[0] if error else None,
        "kept": kept or {},
        "done": _DONE.get(request.query_params.get("done", "")),
    }
    return page(request, "slas/detail.html", context, status_code=status)


@router.get("/slas/{sla_id}")
def sla_detail(request: Request, viewer: StaffOnly, session: DbSession, sla_id: PathId) -> HTMLResponse:
    """One SLA with everything that decides and shows how it is met."""
    return _detail(request, viewer, session, sla_id)


def _refused(
    request: Request,
    viewer: Viewer,
    session: Session,
    sla_id: int,
    *,
    form: str,
    error: ApiError,
    kept: dict[str, str] | None = None,
) -> Response:
    """The SLA page again with why `form` was refused; other errors (403, 404) stay errors."""
    if error.status not in _FORM_ERRORS:
        raise error
    session.rollback()
    reason = error.message.removeprefix("body.")
    return _detail(request, viewer, session, sla_id, error=(form, reason), kept=kept, status=error.status)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, f"timezone: unknown time zone {name!r}") from None
    return name


def _moment(text: str, zone: str, field: str) -> datetime | None:
    """A `datetime-local` value (`2026-11-22T02:00`), read in `zone`; None when empty."""
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(422, f"{field}: {text!r} is not a date and time") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone))


@router.post("/slas/{sla_id}/maintenance")
def plan_maintenance(
    *,
    request: Request,
    viewer: StaffOnly,
    session: DbSession,
    sla_id: PathId,
    title: Annotated[str, Form(max_length=200)],
    kind: Annotated[MaintenanceKind, Form()],
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)] = "",
    expression: Annotated[str, Form(max_length=500)] = "",
    duration_minutes: Annotated[int, Form(ge=0, le=100_000)] = 0,
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """A one-off window (start and end), or a recurring one (cron or RRULE, each lasting a duration);
    times are read in the window's time zone."""
    typed = {"title": title, "kind": kind.value, "starts_at": starts_at, "ends_at": ends_at}
    typed |= {"expression": expression, "duration_minutes": str(duration_minutes), "timezone": timezone}
    try:
        zone = _zone(timezone.strip() or "UTC")
        values = {
            "title": title,
            "kind": kind,
            "starts_at": _moment(starts_at, zone, "starts_at"),
            "ends_at": _moment(ends_at, zone, "ends_at"),
            "expression": expression.strip(),
            "duration_minutes": duration_minutes,
            "timezone": zone,
        }
        try:
            data = MaintenanceCreate.model_validate(values)
        except ValidationError as e:
            raise _invalid(e) from None
        slas.create_maintenance(session, principal=viewer.principal, sla_id=sla_id, data=data, now=utcnow())
    except ApiError as e:
        return _refused(request, viewer, session, sla_id, form="maintenance", error=e, kept=typed)
    return see_other(f"/slas/{sla_id}?done=maintenance#maintenance")


@router.post("/slas/{sla_id}/maintenance/{window_id}/delete")
def delete_maintenance(viewer: StaffOnly, session: DbSession, sla_id: PathId, window_id: PathId) -> Response:
    """Delete a maintenance window (closed periods keep the figures they were stored with)."""
    slas.delete_maintenance(session, principal=viewer.principal, sla_id=sla_id, window_id=window_id)
    return see_other(f"/slas/{sla_id}?done=deleted#maintenance")


@router.post("/slas/{sla_id}/policy")
def change_policy(
    *,
    request: Request,
    viewer: StaffOnly,
    session: DbSession,
    sla_id: PathId,
    unknown_as: Annotated[UnknownAs, Form()],
    degraded_as: Annotated[DegradedAs, Form()],
    combine: Annotated[Combine, Form()],
    rounding: Annotated[Rounding, Form()],
    decimals: Annotated[int, Form(ge=0, le=6)] = 3,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A new version of the accounting policy, in effect from now; earlier periods keep theirs."""
    try:
        data = PolicyCreate(
            unknown_as=unknown_as, degraded_as=degraded_as, combine=combine, decimals=decimals,
            rounding=rounding, note=note.strip(),
        )  # fmt: skip
        slas.change_policy(session, principal=viewer.principal, sla_id=sla_id, data=data, now=utcnow())
    except ValidationError as e:
        return _refused(request, viewer, session, sla_id, form="policy", error=_invalid(e))
    except ApiError as e:
        return _refused(request, viewer, session, sla_id, form="policy", error=e)
    return see_other(f"/slas/{sla_id}?done=policy#policy")


@router.post("/slas/{sla_id}/targets")
def set_target(
    *,
    request: Request,
    viewer: StaffOnly,
    session: DbSession,
    sla_id: PathId,
    priority: Annotated[Priority, Form()],
    response_amount: Annotated[int, Form(ge=1, le=100_000)],
    response_unit: Annotated[TargetUnit, Form()],
    response_clock: Annotated[Clock, Form()],
    resolution_amount: Annotated[int, Form(ge=1, le=100_000)],
    resolution_unit: Annotated[TargetUnit, Form()],
    resolution_clock: Annotated[Clock, Form()],
) -> Response:
    """Replace one priority's response and resolution targets (open incidents keep their deadlines)."""
    data = TargetSet(
        response_amount=response_amount,
        response_unit=response_unit,
        response_clock=response_clock,
        resolution_amount=resolution_amount,
        resolution_unit=resolution_unit,
        resolution_clock=resolution_clock,
    )
    try:
        slas.set_target(session, principal=viewer.principal, sla_id=sla_id, priority=priority, data=data)
    except ApiError as e:
        return _refused(request, viewer, session, sla_id, form="targets", error=e)
    return see_other(f"/slas/{sla_id}?done=target#targets")


# Calendars --------------------------------------------------------------------------------------


def _week(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    """Each day's hours as text, Monday first: `09:00–12:00, 13:00–17:00`, or `closed`."""
    return [
        (day, ", ".join(f"{start}–{end}" for start, end in calendar.weekly_hours.get(day, [])) or "closed")
        for day in DAY_NAMES
    ]


@router.get("/calendars")
def calendar_list(request: Request, viewer: StaffOnly, session: DbSession) -> HTMLResponse:
    """Every business calendar, the provider's and each client's."""
    rows, _more = slas.list_calendars(session, principal=viewer.principal, page=PageParams(limit=MAX_LIMIT))
    context = {
        "viewer": viewer,
        "nav": "slas",
        "calendars": [(row, _week(row)) for row in rows],
        "clients": _names(session, Client, {row.client_id for row in rows if row.client_id}),
    }
    return page(request, "slas/calendars.html", context)


@router.get("/calendars/{calendar_id}")
def calendar_detail(
    request: Request, viewer: StaffOnly, session: DbSession, calendar_id: PathId
) -> HTMLResponse:
    """One calendar: weekly hours, holidays, time zone, and the SLAs whose business clock it runs."""
    row = slas.get_calendar_for(session, viewer.principal, calendar_id)
    users = list(session.scalars(select(Sla).where(Sla.calendar_id == row.id).order_by(Sla.name)))
    context = {
        "viewer": viewer,
        "nav": "slas",
        "calendar": row,
        "week": _week(row),
        "holidays": sorted(row.holidays),
        "client": session.get(Client, row.client_id) if row.client_id else None,
        "slas": users,
    }
    return page(request, "slas/calendar.html", context)
