"""Service functions for notification channels, deliveries and admin notices (STYLE 25).

Queueing and sending deliveries is `notify.delivery`. API-facing functions here take the caller's
`Principal`: provider staff see every channel and delivery; a client viewer sees only their
client's channels and the deliveries to them, everything else answers 404 like a missing object.
Admin notices are for provider admins only.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.service import get_service_for, keyset_page
from pysteward.server.monitors.targets import refuse_private_literal
from pysteward.server.notify.delivery import send_now
from pysteward.server.notify.models import (
    AdminNotice,
    Channel,
    Delivery,
    DeliveryAttempt,
)
from pysteward.server.notify.schemas import (
    AttemptPublic,
    ChannelCreate,
    ChannelFilters,
    ChannelUpdate,
    DeliveryDetail,
    DeliveryFilters,
    DeliveryPublic,
)
from pysteward.server.notify.sender import Sender
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy.auth import require_admin, require_writer
from pysteward.server.tenancy.models import Client

__all__ = [
    "create_channel",
    "delete_channel",
    "get_channel_for",
    "list_channels",
    "list_deliveries",
    "list_notices",
    "mark_notice_read",
    "send_test",
    "show_delivery",
    "update_channel",
]


# Channels ------------------------------------------------------------------------------------------


def _sees(principal: Principal, client_id: int | None) -> bool:
    if client_id is None:
        return principal.is_provider and principal.client_id is None
    return principal.sees_client(client_id)


def _visible_channels(principal: Principal) -> ColumnElement[bool]:
    if principal.is_provider and principal.client_id is None:
        return true()
    return Channel.client_id == principal.client_id


def get_channel_for(session: Session, principal: Principal, channel_id: int) -> Channel:
    """The channel `channel_id` if `principal` sees it; 404 otherwise."""
    channel = session.get(Channel, channel_id)
    if channel is None or not _sees(principal, channel.client_id):
        raise ApiError(404, f"channel {channel_id} not found")
    return channel


def list_channels(
    session: Session, *, principal: Principal, filters: ChannelFilters, page: PageParams
) -> tuple[list[Channel], int | None]:
    """One page of the channels `principal` sees, narrowed by `filters`, in id order."""
    query = select(Channel).where(_visible_channels(principal))
    if filters.client_id is not None:
        query = query.where(Channel.client_id == filters.client_id)
    if filters.service_id is not None:
        query = query.where(Channel.service_id == filters.service_id)
    if filters.enabled is not None:
        query = query.where(Channel.enabled == filters.enabled)
    rows, next_after = keyset_page(session, query, page, Channel.id)
    return [row[0] for row in rows], next_after


def _scope(session: Session, principal: Principal, data: ChannelCreate) -> tuple[int | None, int | None]:
    """The checked (client_id, service_id) of a new channel: 404 for what the caller cannot see."""
    client_id = data.client_id
    if data.service_id is not None:
        service = get_service_for(session, principal, data.service_id)
        if client_id is not None and client_id != service.client_id:
            raise ApiError(422, f"body.service_id: service {service.id} belongs to another client")
        client_id = service.client_id
    if client_id is not None:
        if session.get(Client, client_id) is None or not principal.sees_client(client_id):
            raise ApiError(404, f"client {client_id} not found")
    elif principal.client_id is not None:
        raise ApiError(403, "a caller limited to one client cannot create provider-wide channels")
    return client_id, data.service_id


def _refuse_scoped_admin_channel(client_id: int | None, for_admins: bool) -> None:
    # Admin notices name any client's channels: they must not reach a client's own channel.
    if for_admins and client_id is not None:
        raise ApiError(422, "body.for_admins: only provider-wide channels may receive admin notices")


def _refuse_private(url: str, settings: Settings) -> None:
    """422 when the URL's host is an IP literal in a private or reserved range not allowed (STYLE 19):
    a webhook to 10.0.0.5 is a request from inside the provider's network."""
    host = urlsplit(url).hostname or ""
    refuse_private_literal("body.url", host, settings.private_networks_allowed, to="send notifications there")


def create_channel(
    session: Session, *, principal: Principal, data: ChannelCreate, now: datetime, settings: Settings
) -> Channel:
    """A new channel in a scope `principal` sees (provider staff only)."""
    require_writer(principal)
    _refuse_private(data.url, settings)
    client_id, service_id = _scope(session, principal, data)
    _refuse_scoped_admin_channel(client_id, data.for_admins)
    values = data.model_dump(exclude={"client_id", "service_id"})
    channel = Channel(**values, client_id=client_id, service_id=service_id, created_at=now)
    session.add(channel)
    session.commit()
    return channel


def update_channel(
    session: Session, *, principal: Principal, channel_id: int, data: ChannelUpdate, settings: Settings
) -> Channel:
    """Apply the given fields; re-enabling a channel clears why it was disabled."""
    channel = get_channel_for(session, principal, channel_id)
    require_writer(principal)  # after the look-up: another client's channel answers 404, not 403
    changes = data.model_dump(exclude_none=True)
    if "url" in changes:
        _refuse_private(changes["url"], settings)
    _refuse_scoped_admin_channel(channel.client_id, changes.get("for_admins", channel.for_admins))
    if changes.get("enabled") and not channel.enabled:
        channel.disabled_reason = ""
    for name, value in changes.items():
        setattr(channel, name, value)
    session.commit()
    return channel


def delete_channel(session: Session, *, principal: Principal, channel_id: int) -> None:
    """Delete a channel with its deliveries (the database cascades)."""
    channel = get_channel_for(session, principal, channel_id)
    require_writer(principal)
    session.delete(channel)
    session.commit()


def send_test(
    session: Session,
    *,
    principal: Principal,
    channel_id: int,
    sender: Sender,
    settings: Settings,
    now: datetime,
) -> DeliveryDetail:
    """Send a `channel.test` message at once and return its delivery with the attempt.

    One attempt, to the channel's URL even when the channel is disabled (to check a corrected URL
    before enabling it again); a failure neither retries nor disables the channel: the caller reads
    it in the answer.
    """
    channel = get_channel_for(session, principal, channel_id)
    require_writer(principal)
    delivery = Delivery(
        channel_id=channel.id,
        client_id=channel.client_id,
        event="channel.test",
        title="Steward test notification",
        body=f"This is a test of the channel {channel.name!r}. If you read this, it works.",
        created_at=now,
    )
    session.add(delivery)
    # Pending without a due time: no worker claims it while it is being sent here.
    send_now(session, delivery=delivery, url=channel.url, sender=sender, settings=settings, now=now)
    session.commit()
    return show_delivery(session, principal=principal, delivery_id=delivery.id)


# Deliveries and notices ----------------------------------------------------------------------------


def _visible_deliveries(principal: Principal) -> ColumnElement[bool]:
    """Provider staff see every delivery; a viewer those to their client's channels."""
    if principal.is_provider and principal.client_id is None:
        return true()
    return Delivery.channel_id.in_(select(Channel.id).where(Channel.client_id == principal.client_id))


def list_deliveries(
    session: Session, *, principal: Principal, filters: DeliveryFilters, page: PageParams
) -> tuple[list[DeliveryPublic], int | None]:
    """One page of the deliveries `principal` sees, narrowed by `filters`, in id order."""
    query = select(Delivery).where(_visible_deliveries(principal))
    if filters.channel_id is not None:
        query = query.where(Delivery.channel_id == filters.channel_id)
    if filters.incident_id is not None:
        query = query.where(Delivery.incident_id == filters.incident_id)
    if filters.status is not None:
        query = query.where(Delivery.status == filters.status)
    rows, next_after = keyset_page(session, query, page, Delivery.id)
    return [DeliveryPublic.model_validate(row[0]) for row in rows], next_after


def show_delivery(session: Session, *, principal: Principal, delivery_id: int) -> DeliveryDetail:
    """One delivery with its attempts, oldest first; 404 if missing or not the caller's to see."""
    delivery = session.scalar(
        select(Delivery).where(Delivery.id == delivery_id, _visible_deliveries(principal))
    )
    if delivery is None:
        raise ApiError(404, f"delivery {delivery_id} not found")
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id).order_by(DeliveryAttempt.id)
    )
    public = DeliveryPublic.model_validate(delivery).model_dump()
    return DeliveryDetail(**public, attempt_log=[AttemptPublic.model_validate(a) for a in attempts])


def list_notices(
    session: Session, *, principal: Principal, unread: bool | None, page: PageParams
) -> tuple[list[AdminNotice], int | None]:
    """One page of the admin notices (admins only), in id order; `unread` narrows to (un)read ones."""
    require_admin(principal)
    query = select(AdminNotice)
    if unread is not None:
        query = query.where(AdminNotice.read_at.is_(None) if unread else AdminNotice.read_at.is_not(None))
    rows, next_after = keyset_page(session, query, page, AdminNotice.id)
    return [row[0] for row in rows], next_after


def mark_notice_read(session: Session, *, principal: Principal, notice_id: int, now: datetime) -> AdminNotice:
    """Mark a notice read (admins only); marking it again keeps the first time."""
    require_admin(principal)
    notice = session.get(AdminNotice, notice_id)
    if notice is None:
        raise ApiError(404, f"notice {notice_id} not found")
    if notice.read_at is None:
        notice.read_at = now
        session.commit()
    return notice
