"""`/monitors`: monitor definitions and their history. Thin routes over `monitors.service` (STYLE 25).

Reading needs any authenticated caller (viewers see only their client's monitors); changing needs
provider staff (`Writer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AwareDatetime, BeforeValidator, Field

from pysteward.server.deps import AppSettings, CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.estate.schemas import SafeText
from pysteward.server.monitors import service as monitors
from pysteward.server.monitors.models import MonitorKind, State
from pysteward.server.monitors.schemas import (
    IntervalPublic,
    MonitorCreate,
    MonitorCreated,
    MonitorFilters,
    MonitorPublic,
    MonitorUpdate,
    ResultPublic,
    RollupList,
)
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.store import utcnow

__all__ = ["router"]

_KINDS = {kind.value for kind in MonitorKind}


def _untagged(error: dict[str, Any]) -> dict[str, Any]:
    """Drop the union tag pydantic puts in a location (`body.http.interval_seconds`) and say plainly
    what is wrong with `kind` itself."""
    loc = tuple(error["loc"])
    if error.get("type") == "union_tag_invalid":
        return {**error, "loc": (*loc, "kind"), "msg": f"must be one of {', '.join(sorted(_KINDS))}"}
    if error.get("type") == "union_tag_not_found":
        return {**error, "loc": (*loc, "kind"), "msg": "field required"}
    if len(loc) > 1 and loc[0] == "body" and loc[1] in _KINDS:
        return {**error, "loc": (loc[0], *loc[2:])}
    return error


class _MonitorRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as e:
                raise RequestValidationError([_untagged(err) for err in e.errors()], body=e.body) from None

        return route


router = APIRouter(
    prefix="/monitors", tags=["monitors"], route_class=_MonitorRoute, responses=error_responses(400, 401, 422)
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso(value: Any) -> Any:
    """Refuse what pydantic would read as a Unix timestamp (`until=0.5`): the schema says date-time."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be an ISO 8601 date and time with a zone, such as 2024-05-01T12:00:00Z")
    return value


When = Annotated[AwareDatetime, BeforeValidator(_iso)]
Since = Annotated[When | None, Query(description="From this time (inclusive, with a zone).")]
Until = Annotated[When | None, Query(description="Before this time (with a zone).")]


def _window(since: Since = None, until: Until = None) -> monitors.TimeWindow:
    return monitors.TimeWindow(since=since, until=until)


Window = Annotated[monitors.TimeWindow, Depends(_window)]
T = TypeVar("T")


def _page(found: tuple[list[T], int | None]) -> Page[T]:
    """A service function's `(items, next_after)` as the API's page."""
    items, next_after = found
    return Page(items=items, next_after=next_after)


def _filters(
    *,
    service_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this service's monitors.")
    ] = None,
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's monitors.")
    ] = None,
    kind: Annotated[MonitorKind | None, Query(description="Only monitors of this kind.")] = None,
    state: Annotated[State | None, Query(description="Only monitors in this state now.")] = None,
    tag: Annotated[
        SafeText | None, Query(max_length=64, description="Only monitors of services with this tag.")
    ] = None,
    q: Annotated[SafeText | None, Query(max_length=200, description="Name contains this (any case).")] = None,
) -> MonitorFilters:
    return MonitorFilters(service_id=service_id, client_id=client_id, kind=kind, state=state, tag=tag, q=q)


Filters = Annotated[MonitorFilters, Depends(_filters)]
NewMonitor = Annotated[MonitorCreate, Field(discriminator="kind")]


@router.get("", summary="List monitors")
def list_monitors(
    session: DbSession, principal: CurrentUser, page: Paging, filters: Filters
) -> Page[MonitorPublic]:
    """The monitors the caller sees, in id order, one page at a time."""
    return _page(monitors.list_monitors(session, principal=principal, filters=filters, page=page))


@router.post("", status_code=201, summary="Create a monitor", responses=error_responses(403, 404))
def create_monitor(
    session: DbSession, principal: Writer, settings: AppSettings, data: NewMonitor
) -> MonitorCreated:
    """A new monitor, due at once. A heartbeat's `push_url` is in this answer only."""
    return monitors.create_monitor(session, principal=principal, data=data, now=utcnow(), settings=settings)


@router.get("/{monitor_id}", summary="Show a monitor", responses=error_responses(404))
def get_monitor(session: DbSession, principal: CurrentUser, monitor_id: PathId) -> MonitorPublic:
    """One monitor; 404 if missing or another client's."""
    return monitors.show_monitor(session, principal=principal, monitor_id=monitor_id)


@router.patch("/{monitor_id}", summary="Change a monitor", responses=error_responses(403, 404))
def update_monitor(
    session: DbSession, principal: CurrentUser, settings: AppSettings, monitor_id: PathId, data: MonitorUpdate
) -> MonitorPublic:
    """Change the given fields; `config` replaces the whole config."""
    return monitors.update_monitor(
        session, principal=principal, monitor_id=monitor_id, data=data, now=utcnow(), settings=settings
    )


@router.delete(
    "/{monitor_id}", status_code=204, summary="Delete a monitor", responses=error_responses(403, 404)
)
def delete_monitor(session: DbSession, principal: CurrentUser, monitor_id: PathId) -> Response:
    """Delete a monitor with its results, intervals and rollups."""
    monitors.delete_monitor(session, principal=principal, monitor_id=monitor_id)
    return Response(status_code=204)


@router.post(
    "/{monitor_id}/rotate-token",
    summary="Give a heartbeat a new push URL",
    responses=error_responses(403, 404, 409),
)
def rotate_token(
    session: DbSession, principal: CurrentUser, settings: AppSettings, monitor_id: PathId
) -> MonitorCreated:
    """A new secret token for a heartbeat monitor; the old push URL stops working."""
    return monitors.rotate_token(session, principal=principal, monitor_id=monitor_id, settings=settings)


@router.get("/{monitor_id}/results", summary="A monitor's check results", responses=error_responses(404))
def list_results(
    session: DbSession, principal: CurrentUser, monitor_id: PathId, window: Window, page: Paging
) -> Page[ResultPublic]:
    """Raw results (kept for `raw_retention_days`), one page at a time."""
    return _page(
        monitors.list_results(session, principal=principal, monitor_id=monitor_id, window=window, page=page)
    )


@router.get("/{monitor_id}/intervals", summary="A monitor's state intervals", responses=error_responses(404))
def list_intervals(
    session: DbSession, principal: CurrentUser, monitor_id: PathId, window: Window, page: Paging
) -> Page[IntervalPublic]:
    """Spans of time in one state that overlap the window, oldest first."""
    return _page(
        monitors.list_intervals(session, principal=principal, monitor_id=monitor_id, window=window, page=page)
    )


@router.get(
    "/{monitor_id}/rollups",
    summary="A monitor's per-minute or per-hour rollups",
    responses=error_responses(404),
)
def list_rollups(
    *,
    session: DbSession,
    principal: CurrentUser,
    monitor_id: PathId,
    period: Annotated[Literal["minute", "hour"], Query(description="Bucket size.")] = "hour",
    window: Window,
) -> RollupList:
    """Check counts per bucket, oldest first (at most 5,000 buckets)."""
    return monitors.list_rollups(
        session, principal=principal, monitor_id=monitor_id, period=period, window=window, now=utcnow()
    )
