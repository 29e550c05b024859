"""`/calendars` and `/slas`: business calendars, SLAs, their policies, targets, maintenance windows,
availability figures and burn alerts. Thin routes over `slas.service` and `slas.figures` (STYLE 25).

Reading needs any authenticated caller (viewers see only their client's SLAs and calendars);
changing needs provider staff (`Writer` on collections; on one object, 404 first, then 403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from pysteward.server.deps import CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.estate.schemas import SafeText
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.server.slas import figures
from pysteward.server.slas import service as slas
from pysteward.server.slas.models import Priority
from pysteward.server.slas.schemas import (
    AvailabilityPublic,
    BurnAlertPublic,
    CalendarCreate,
    CalendarPublic,
    CalendarUpdate,
    MaintenanceCreate,
    MaintenancePublic,
    PolicyCreate,
    PolicyPublic,
    SlaCreate,
    SlaDetail,
    SlaFilters,
    SlaPublic,
    SlaUpdate,
    TargetPublic,
    TargetSet,
)
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(tags=["slas"], responses=error_responses(400, 401, 422))
_READ = error_responses(404)
_WRITE = error_responses(403, 404)


# Calendars --------------------------------------------------------------------------------------


@router.get("/calendars", summary="List business calendars")
def list_calendars(session: DbSession, principal: CurrentUser, page: Paging) -> Page[CalendarPublic]:
    """The calendars the caller sees: their client's, and the provider's for staff."""
    items, next_after = slas.list_calendars(session, principal=principal, page=page)
    return Page(items=[CalendarPublic.model_validate(c) for c in items], next_after=next_after)


@router.post("/calendars", status_code=201, summary="Create a business calendar", responses=_WRITE)
def create_calendar(session: DbSession, principal: Writer, data: CalendarCreate) -> CalendarPublic:
    """A new calendar of a client, or of the provider (`client_id` null)."""
    created = slas.create_calendar(session, principal=principal, data=data, now=utcnow())
    return CalendarPublic.model_validate(created)


@router.get("/calendars/{calendar_id}", summary="Show a business calendar", responses=_READ)
def get_calendar(session: DbSession, principal: CurrentUser, calendar_id: PathId) -> CalendarPublic:
    """One calendar; 404 if missing or not the caller's."""
    return CalendarPublic.model_validate(slas.get_calendar_for(session, principal, calendar_id))


@router.patch("/calendars/{calendar_id}", summary="Change a business calendar", responses=_WRITE)
def update_calendar(
    session: DbSession, principal: CurrentUser, calendar_id: PathId, data: CalendarUpdate
) -> CalendarPublic:
    """Change the given fields; the whole calendar is checked again."""
    updated = slas.update_calendar(session, principal=principal, calendar_id=calendar_id, data=data)
    return CalendarPublic.model_validate(updated)


@router.delete("/calendars/{calendar_id}", status_code=204, summary="Delete a calendar", responses=_WRITE)
def delete_calendar(session: DbSession, principal: CurrentUser, calendar_id: PathId) -> Response:
    """Delete a calendar; its SLAs fall back to office hours in their time zone."""
    slas.delete_calendar(session, principal=principal, calendar_id=calendar_id)
    return Response(status_code=204)


# SLAs -------------------------------------------------------------------------------------------


def _filters(
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this client's SLAs.")] = None,
    service_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this service's SLA.")] = None,
) -> SlaFilters:
    return SlaFilters(client_id=client_id, service_id=service_id)


@router.get("/slas", summary="List SLAs")
def list_slas(
    session: DbSession,
    principal: CurrentUser,
    page: Paging,
    filters: Annotated[SlaFilters, Depends(_filters)],
) -> Page[SlaPublic]:
    """The SLAs the caller sees, oldest first."""
    items, next_after = slas.list_slas(session, principal=principal, filters=filters, page=page)
    return Page(items=[slas.sla_public(s) for s in items], next_after=next_after)


@router.post("/slas", status_code=201, summary="Create an SLA", responses=error_responses(403, 404, 409))
def create_sla(session: DbSession, principal: Writer, data: SlaCreate) -> SlaDetail:
    """A new SLA with accounting policy version 1 and the P1–P4 targets (defaults unless given)."""
    now = utcnow()
    created = slas.create_sla(session, principal=principal, data=data, now=now)
    return slas.show_sla(session, principal=principal, sla_id=created.id, now=now)


@router.get("/slas/{sla_id}", summary="Show an SLA", responses=_READ)
def get_sla(session: DbSession, principal: CurrentUser, sla_id: PathId) -> SlaDetail:
    """One SLA with its current policy, targets and maintenance windows."""
    return slas.show_sla(session, principal=principal, sla_id=sla_id, now=utcnow())


@router.patch("/slas/{sla_id}", summary="Change an SLA", responses=_WRITE)
def update_sla(session: DbSession, principal: CurrentUser, sla_id: PathId, data: SlaUpdate) -> SlaPublic:
    """Change the given fields (the accounting policy changes through `POST …/policies`)."""
    return slas.sla_public(slas.update_sla(session, principal=principal, sla_id=sla_id, data=data))


@router.delete("/slas/{sla_id}", status_code=204, summary="Delete an SLA", responses=_WRITE)
def delete_sla(session: DbSession, principal: CurrentUser, sla_id: PathId) -> Response:
    """Delete an SLA with its policies, targets, windows, stored figures and alerts."""
    slas.delete_sla(session, principal=principal, sla_id=sla_id)
    return Response(status_code=204)


@router.get("/slas/{sla_id}/policies", summary="An SLA's accounting policy versions", responses=_READ)
def list_policies(
    session: DbSession, principal: CurrentUser, sla_id: PathId, page: Paging
) -> Page[PolicyPublic]:
    """Every version, oldest first, each described in words and as a formula."""
    items, next_after = slas.list_policies(session, principal=principal, sla_id=sla_id, page=page)
    return Page(items=[slas.policy_public(p) for p in items], next_after=next_after)


@router.post(
    "/slas/{sla_id}/policies",
    status_code=201,
    summary="Change the accounting policy",
    responses=error_responses(403, 404, 409),
)
def change_policy(
    session: DbSession, principal: CurrentUser, sla_id: PathId, data: PolicyCreate
) -> PolicyPublic:
    """A new version in effect from now; closed periods keep the version they were stored with."""
    created = slas.change_policy(session, principal=principal, sla_id=sla_id, data=data, now=utcnow())
    return slas.policy_public(created)


@router.put("/slas/{sla_id}/targets/{priority}", summary="Set a priority's targets", responses=_WRITE)
def set_target(
    session: DbSession,
    principal: CurrentUser,
    sla_id: PathId,
    priority: Annotated[Priority, Path(description="P1 to P4.")],
    data: TargetSet,
) -> TargetPublic:
    """Replace the response and resolution targets of one priority."""
    row = slas.set_target(session, principal=principal, sla_id=sla_id, priority=priority, data=data)
    return TargetPublic.model_validate(row)


@router.get("/slas/{sla_id}/maintenance", summary="An SLA's maintenance windows", responses=_READ)
def list_maintenance(
    session: DbSession, principal: CurrentUser, sla_id: PathId, page: Paging
) -> Page[MaintenancePublic]:
    """The windows excluded from the SLA's measured time, oldest first."""
    items, next_after = slas.list_maintenance(session, principal=principal, sla_id=sla_id, page=page)
    return Page(items=[MaintenancePublic.model_validate(w) for w in items], next_after=next_after)


@router.post(
    "/slas/{sla_id}/maintenance", status_code=201, summary="Plan a maintenance window", responses=_WRITE
)
def create_maintenance(
    session: DbSession, principal: CurrentUser, sla_id: PathId, data: MaintenanceCreate
) -> MaintenancePublic:
    """A one-off window, or a recurring one by cron expression or RRULE."""
    row = slas.create_maintenance(session, principal=principal, sla_id=sla_id, data=data, now=utcnow())
    return MaintenancePublic.model_validate(row)


@router.delete(
    "/slas/{sla_id}/maintenance/{window_id}",
    status_code=204,
    summary="Delete a maintenance window",
    responses=_WRITE,
)
def delete_maintenance(
    session: DbSession, principal: CurrentUser, sla_id: PathId, window_id: PathId
) -> Response:
    """Delete a window; closed periods keep the figures they were stored with."""
    slas.delete_maintenance(session, principal=principal, sla_id=sla_id, window_id=window_id)
    return Response(status_code=204)


@router.get("/slas/{sla_id}/availability", summary="Availability and error budget", responses=_READ)
def get_availability(
    session: DbSession,
    principal: CurrentUser,
    sla_id: PathId,
    period: Annotated[
        SafeText,
        Query(
            max_length=32,
            description="`current`, `previous`, or a period: `2026-11`, `2026-W47`, `2026-Q4`, `2026-11-05`.",
        ),
    ] = "current",
) -> AvailabilityPublic:
    """Every covered service's availability over the period, with the policy version it was counted by."""
    return figures.availability_report(
        session, principal=principal, sla_id=sla_id, period=period, now=utcnow()
    )


@router.get("/slas/{sla_id}/burn-alerts", summary="An SLA's burn-rate alerts", responses=_READ)
def list_burn_alerts(
    session: DbSession,
    principal: CurrentUser,
    sla_id: PathId,
    page: Paging,
    open_only: Annotated[bool, Query(alias="open", description="Only alerts not cleared yet.")] = False,
) -> Page[BurnAlertPublic]:
    """Alerts fired while the error budget burned too fast, oldest first."""
    items, next_after = slas.list_burn_alerts(
        session, principal=principal, sla_id=sla_id, open_only=open_only, page=page
    )
    return Page(items=[BurnAlertPublic.model_validate(a) for a in items], next_after=next_after)
