"""Admin pages for notifications: channels with a "Send test" button, and admin notices.

    /admin/channels        every channel by scope (provider-wide, per client, per service), URLs
                           masked; create one; enable, disable, delete, send a test
    /admin/channels/{id}   one channel with its latest deliveries and every attempt; after "Send
                           test" the test's outcome heads the page
    /admin/notices         notices from permanent delivery failures (a channel disabled, a user not
                           reached); acknowledge them

Admins only (403 for everyone else), through the same service functions as the API, so a channel
URL to a private address is refused here as it is there. The test is sent at once, one attempt,
through `app.state.sender` when the application has one (tests put a `FakeSender` there), else
through Apprise.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.deps import AppSettings, DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.notify import service as notify
from pysteward.server.notify.models import AdminNotice, Channel, Delivery, DeliveryAttempt
from pysteward.server.notify.schemas import ChannelCreate, ChannelFilters, ChannelUpdate
from pysteward.server.notify.sender import AppriseSender, Sender, masked
from pysteward.server.pagination import MAX_BIG_ID, MAX_LIMIT, PageParams, PathId
from pysteward.server.tenancy.models import Client
from pysteward.server.tenancy.views import AdminOnly, form_problem, see_other
from pysteward.server.web.auth import Viewer
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_LATEST = 20
_DONE = {
    "created": "Channel created.",
    "enabled": "Channel enabled.",
    "disabled": "Channel disabled.",
    "deleted": "Channel deleted.",
}


def _sender(request: Request) -> Sender:
    sender: Sender | None = getattr(request.app.state, "sender", None)
    return sender if sender is not None else AppriseSender()


AppSender = Annotated[Sender, Depends(_sender)]


# Channels ---------------------------------------------------------------------------------------


def _scopes(session: Session) -> tuple[dict[int, str], dict[int, tuple[str, int]]]:
    """Client names by id, and (service name, client id) by service id, for scopes and the form."""
    clients = {
        row[0]: row[1] for row in session.execute(select(Client.id, Client.name).order_by(Client.name))
    }
    rows = session.execute(select(Service.id, Service.name, Service.client_id).order_by(Service.name))
    return clients, {row[0]: (row[1], row[2]) for row in rows}


def _short(url: str) -> str:
    """The masked URL without its query: Apprise adds every default option there, which hides the rest
    in a list (the channel's own page shows it whole)."""
    return masked(url).split("?", 1)[0]


def _channels_page(
    request: Request, viewer: Viewer, session: Session, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    channels, _more = notify.list_channels(
        session, principal=viewer.principal, filters=ChannelFilters(), page=PageParams(limit=MAX_LIMIT)
    )
    clients, services = _scopes(session)
    groups: dict[str, list[tuple[Channel, str, str]]] = {"provider": [], "client": [], "service": []}
    for channel in channels:
        if channel.service_id is not None:
            name, owner = services[channel.service_id]
            groups["service"].append((channel, f"{name} ({clients[owner]})", _short(channel.url)))
        elif channel.client_id is not None:
            groups["client"].append((channel, clients[channel.client_id], _short(channel.url)))
        else:
            groups["provider"].append((channel, "provider-wide", _short(channel.url)))
    context = {
        "viewer": viewer,
        "nav": "admin",
        "groups": groups,
        "clients": clients,
        "services": services,
        "error": error,
        "done": _DONE.get(request.query_params.get("done", "")),
    }
    return page(request, "admin/channels.html", context, status_code=status)


@router.get("/admin/channels")
def channels(request: Request, viewer: AdminOnly, session: DbSession) -> HTMLResponse:
    """Every channel by scope, with the form to add one."""
    return _channels_page(request, viewer, session)


def _scope_ids(scope: str) -> tuple[int | None, int | None]:
    """`provider`, `client:<id>` or `service:<id>` as (client_id, service_id)."""
    kind, _, number = scope.partition(":")
    if kind == "provider" and not number:
        return None, None
    if kind in {"client", "service"} and number.isdigit() and len(number) <= 10:
        return (int(number), None) if kind == "client" else (None, int(number))
    raise ApiError(422, f"scope: {scope!r} is not provider, client:<id> or service:<id>")


@router.post("/admin/channels")
def create_channel(
    *,
    request: Request,
    viewer: AdminOnly,
    session: DbSession,
    settings: AppSettings,
    name: Annotated[str, Form(max_length=200)],
    url: Annotated[str, Form(max_length=4000)],
    scope: Annotated[str, Form(max_length=32)] = "provider",
    subscribed: Annotated[bool, Form()] = False,
    for_admins: Annotated[bool, Form()] = False,
) -> Response:
    """A new channel; 422 (shown on the page) for a URL Apprise cannot use or a private address."""
    try:
        client_id, service_id = _scope_ids(scope)
        try:
            data = ChannelCreate(
                name=name,
                url=url,
                client_id=client_id,
                service_id=service_id,
                subscribed=subscribed,
                for_admins=for_admins,
            )
        except ValidationError as e:
            raise ApiError(422, form_problem(e)) from None
        notify.create_channel(session, principal=viewer.principal, data=data, now=utcnow(), settings=settings)
    except ApiError as e:
        message = e.message.removeprefix("body.")
        return _channels_page(request, viewer, session, error=message, status=e.status)
    return see_other("/admin/channels?done=created")


def _set_enabled(
    session: Session, viewer: Viewer, channel_id: int, *, enabled: bool, settings: AppSettings
) -> None:
    notify.update_channel(
        session,
        principal=viewer.principal,
        channel_id=channel_id,
        data=ChannelUpdate(enabled=enabled),
        settings=settings,
    )


@router.post("/admin/channels/{channel_id}/enable")
def enable_channel(
    viewer: AdminOnly, session: DbSession, settings: AppSettings, channel_id: PathId
) -> Response:
    """Enable a channel again (its reason for being disabled is cleared)."""
    _set_enabled(session, viewer, channel_id, enabled=True, settings=settings)
    return see_other("/admin/channels?done=enabled")


@router.post("/admin/channels/{channel_id}/disable")
def disable_channel(
    viewer: AdminOnly, session: DbSession, settings: AppSettings, channel_id: PathId
) -> Response:
    """Disable a channel: nothing is sent to it until it is enabled again."""
    _set_enabled(session, viewer, channel_id, enabled=False, settings=settings)
    return see_other("/admin/channels?done=disabled")


@router.post("/admin/channels/{channel_id}/delete")
def delete_channel(viewer: AdminOnly, session: DbSession, channel_id: PathId) -> Response:
    """Delete a channel with its deliveries."""
    notify.delete_channel(session, principal=viewer.principal, channel_id=channel_id)
    return see_other("/admin/channels?done=deleted")


@router.post("/admin/channels/{channel_id}/test")
def send_test(
    viewer: AdminOnly, session: DbSession, settings: AppSettings, sender: AppSender, channel_id: PathId
) -> Response:
    """Send a test message now (one attempt) and show how it went on the channel's page."""
    delivery = notify.send_test(
        session,
        principal=viewer.principal,
        channel_id=channel_id,
        sender=sender,
        settings=settings,
        now=utcnow(),
    )
    return see_other(f"/admin/channels/{channel_id}?test={delivery.id}")


def _latest_deliveries(session: Session, channel_id: int) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    deliveries = list(
        session.scalars(
            select(Delivery)
            .where(Delivery.channel_id == channel_id)
            .order_by(Delivery.id.desc())
            .limit(_LATEST)
        )
    )
    attempts: dict[int, list[DeliveryAttempt]] = {delivery.id: [] for delivery in deliveries}
    query = (
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(attempts)).order_by(DeliveryAttempt.id)
    )
    for attempt in session.scalars(query):
        attempts[attempt.delivery_id].append(attempt)
    return [(delivery, attempts[delivery.id]) for delivery in deliveries]


@router.get("/admin/channels/{channel_id}")
def channel(
    request: Request,
    viewer: AdminOnly,
    session: DbSession,
    channel_id: PathId,
    test: Annotated[int | None, Query(ge=1, le=MAX_BIG_ID)] = None,
) -> HTMLResponse:
    """One channel, its latest deliveries with their attempts, and a test's outcome after the button."""
    row = notify.get_channel_for(session, viewer.principal, channel_id)
    clients, services = _scopes(session)
    tested = None
    if test is not None:
        found = notify.show_delivery(session, principal=viewer.principal, delivery_id=test)
        tested = found if found.channel_id == row.id else None
    context = {
        "viewer": viewer,
        "nav": "admin",
        "channel": row,
        "url": masked(row.url),
        "client": clients.get(row.client_id or 0),
        "service": services.get(row.service_id or 0),
        "deliveries": _latest_deliveries(session, row.id),
        "tested": tested,
    }
    return page(request, "admin/channel.html", context)


# Notices ----------------------------------------------------------------------------------------


@router.get("/admin/notices")
def notices(request: Request, viewer: AdminOnly, session: DbSession) -> HTMLResponse:
    """Unread notices first (oldest first), then the latest read ones."""
    unread, _more = notify.list_notices(
        session, principal=viewer.principal, unread=True, page=PageParams(limit=MAX_LIMIT)
    )
    read = list(
        session.scalars(
            select(AdminNotice)
            .where(AdminNotice.read_at.is_not(None))
            .order_by(AdminNotice.id.desc())
            .limit(50)
        )
    )
    context = {"viewer": viewer, "nav": "admin", "unread": unread, "read": read}
    return page(request, "admin/notices.html", context)


@router.post("/admin/notices/{notice_id}/read")
def acknowledge(viewer: AdminOnly, session: DbSession, notice_id: PathId) -> Response:
    """Mark a notice read (acknowledged); it moves to the read list."""
    notify.mark_notice_read(session, principal=viewer.principal, notice_id=notice_id, now=utcnow())
    return see_other("/admin/notices")
