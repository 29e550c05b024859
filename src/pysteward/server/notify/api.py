"""`/channels`, `/deliveries`, `/notices`: thin routes over `notify.service` (STYLE 25).

Reading channels and deliveries needs any authenticated caller (viewers see their client's);
changing channels and the test button need provider staff; notices are for provider admins. The
test button sends through `app.state.sender` when the application has one (tests put a
`FakeSender` there), else through Apprise.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from pysteward.server.deps import AppSettings, CurrentUser, DbSession, Writer
from pysteward.server.errors import error_responses
from pysteward.server.notify import service as notify
from pysteward.server.notify.models import DeliveryStatus
from pysteward.server.notify.schemas import (
    ChannelCreate,
    ChannelFilters,
    ChannelPublic,
    ChannelUpdate,
    DeliveryDetail,
    DeliveryFilters,
    DeliveryPublic,
    NoticePublic,
)
from pysteward.server.notify.sender import AppriseSender, Sender
from pysteward.server.pagination import MAX_BIG_ID, MAX_ID, Page, Paging, PathId
from pysteward.store import utcnow

__all__ = ["router"]

router = APIRouter(tags=["notifications"], responses=error_responses(400, 401, 422))
T = TypeVar("T")
BigPathId = Annotated[int, Path(ge=1, le=MAX_BIG_ID, description="The id.")]
"""A delivery id (BIGINT): 422 outside 1..MAX_BIG_ID."""


def _sender(request: Request) -> Sender:
    sender: Sender | None = getattr(request.app.state, "sender", None)
    return sender if sender is not None else AppriseSender()


AppSender = Annotated[Sender, Depends(_sender)]


def _page(found: tuple[list[T], int | None]) -> Page[T]:
    items, next_after = found
    return Page(items=items, next_after=next_after)


def _channel_filters(
    client_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's channels.")
    ] = None,
    service_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this service's channels.")
    ] = None,
    enabled: Annotated[
        bool | None, Query(description="Only enabled (true) or disabled (false) ones.")
    ] = None,
) -> ChannelFilters:
    return ChannelFilters(client_id=client_id, service_id=service_id, enabled=enabled)


def _delivery_filters(
    channel_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only to this channel.")] = None,
    incident_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only about this incident.")
    ] = None,
    status: Annotated[DeliveryStatus | None, Query(description="Only in this state.")] = None,
) -> DeliveryFilters:
    return DeliveryFilters(channel_id=channel_id, incident_id=incident_id, status=status)


ChannelQuery = Annotated[ChannelFilters, Depends(_channel_filters)]
DeliveryQuery = Annotated[DeliveryFilters, Depends(_delivery_filters)]


@router.get("/channels", summary="List channels")
def list_channels(
    session: DbSession, principal: CurrentUser, page: Paging, filters: ChannelQuery
) -> Page[ChannelPublic]:
    """The channels the caller sees, URLs masked, in id order, one page at a time."""
    items, next_after = notify.list_channels(session, principal=principal, filters=filters, page=page)
    return Page(items=[ChannelPublic.from_channel(c) for c in items], next_after=next_after)


@router.post("/channels", status_code=201, summary="Create a channel", responses=error_responses(403, 404))
def create_channel(
    session: DbSession, principal: Writer, data: ChannelCreate, settings: AppSettings
) -> ChannelPublic:
    """A new channel; 422 names the field when Apprise cannot use the URL or its host is a private
    address not allowed by `STEWARD_ALLOW_PRIVATE_TARGETS`."""
    created = notify.create_channel(session, principal=principal, data=data, now=utcnow(), settings=settings)
    return ChannelPublic.from_channel(created)


@router.get("/channels/{channel_id}", summary="Show a channel", responses=error_responses(404))
def get_channel(session: DbSession, principal: CurrentUser, channel_id: PathId) -> ChannelPublic:
    """One channel, its URL masked; 404 if missing or not the caller's to see."""
    return ChannelPublic.from_channel(notify.get_channel_for(session, principal, channel_id))


@router.patch("/channels/{channel_id}", summary="Change a channel", responses=error_responses(403, 404))
def update_channel(
    session: DbSession, principal: CurrentUser, channel_id: PathId, data: ChannelUpdate, settings: AppSettings
) -> ChannelPublic:
    """Change the given fields; enabling a disabled channel clears its `disabled_reason`."""
    updated = notify.update_channel(
        session, principal=principal, channel_id=channel_id, data=data, settings=settings
    )
    return ChannelPublic.from_channel(updated)


@router.delete(
    "/channels/{channel_id}", status_code=204, summary="Delete a channel", responses=error_responses(403, 404)
)
def delete_channel(session: DbSession, principal: CurrentUser, channel_id: PathId) -> Response:
    """Delete a channel with its deliveries."""
    notify.delete_channel(session, principal=principal, channel_id=channel_id)
    return Response(status_code=204)


@router.post(
    "/channels/{channel_id}/test",
    summary="Send a test notification",
    responses=error_responses(403, 404),
)
def send_test(
    session: DbSession, principal: CurrentUser, settings: AppSettings, sender: AppSender, channel_id: PathId
) -> DeliveryDetail:
    """Send a test message now; the answer is its delivery with the attempt (sent or failed, why)."""
    return notify.send_test(
        session, principal=principal, channel_id=channel_id, sender=sender, settings=settings, now=utcnow()
    )


@router.get("/deliveries", summary="List deliveries")
def list_deliveries(
    session: DbSession, principal: CurrentUser, page: Paging, filters: DeliveryQuery
) -> Page[DeliveryPublic]:
    """The deliveries the caller sees, in id order, one page at a time."""
    return _page(notify.list_deliveries(session, principal=principal, filters=filters, page=page))


@router.get("/deliveries/{delivery_id}", summary="Show a delivery", responses=error_responses(404))
def get_delivery(session: DbSession, principal: CurrentUser, delivery_id: BigPathId) -> DeliveryDetail:
    """One delivery with every attempt, oldest first."""
    return notify.show_delivery(session, principal=principal, delivery_id=delivery_id)


@router.get("/notices", summary="List admin notices", responses=error_responses(403))
def list_notices(
    session: DbSession,
    principal: CurrentUser,
    page: Paging,
    unread: Annotated[bool | None, Query(description="Only unread (true) or read (false) ones.")] = None,
) -> Page[NoticePublic]:
    """Notices for the provider's admins (a channel disabled, a user not reached), in id order."""
    items, next_after = notify.list_notices(session, principal=principal, unread=unread, page=page)
    return Page(items=[NoticePublic.model_validate(n) for n in items], next_after=next_after)


@router.post(
    "/notices/{notice_id}/read", summary="Mark an admin notice read", responses=error_responses(403, 404)
)
def mark_notice_read(session: DbSession, principal: CurrentUser, notice_id: PathId) -> NoticePublic:
    """Mark a notice read; marking it again keeps the first time."""
    notice = notify.mark_notice_read(session, principal=principal, notice_id=notice_id, now=utcnow())
    return NoticePublic.model_validate(notice)
