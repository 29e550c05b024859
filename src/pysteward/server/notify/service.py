"""Service functions for notifications (STYLE 25): queueing deliveries, sending them, and channels.

Queueing (`notify_incident`, `notify_targets`, `notify_admins`) adds pending deliveries to the
caller's session and never commits: they go out with the change that caused them or not at all.
`deliver_due` sends them: it claims each due delivery with a conditional UPDATE (STYLE 28), so any
number of workers can run it, and records every attempt. A transient failure is retried after
`notify_backoff_seconds`, doubling per attempt up to an hour, until `notify_max_attempts`; a
permanent one fails the delivery at once, disables its channel and tells the admins.

API-facing functions take the caller's `Principal`: provider staff see every channel and delivery;
a client viewer sees only their client's channels and the deliveries to them, everything else
answers 404 like a missing object. Admin notices are for provider admins only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, true, update
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.service import get_service_for, keyset_page
from pysteward.server.incidents.models import Incident
from pysteward.server.notify.models import (
    AdminNotice,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
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
from pysteward.server.notify.sender import Sender, SendResult, with_recipient
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy.auth import require_admin, require_writer
from pysteward.server.tenancy.models import Client, User

__all__ = [
    "MAX_BACKOFF",
    "NO_MAIL_SERVER",
    "create_channel",
    "delete_channel",
    "deliver_due",
    "get_channel_for",
    "list_channels",
    "list_deliveries",
    "list_notices",
    "mark_notice_read",
    "notify_admins",
    "notify_incident",
    "notify_targets",
    "send_test",
    "show_delivery",
    "update_channel",
]

MAX_BACKOFF = timedelta(hours=1)
NO_MAIL_SERVER = "no mail server configured (STEWARD_MAIL_URL)"
_MIN_LEASE = timedelta(minutes=10)


# Queueing ------------------------------------------------------------------------------------------


def _queue(session: Session, deliveries: list[Delivery]) -> list[Delivery]:
    session.add_all(deliveries)
    session.flush()
    return deliveries


def notify_incident(
    session: Session, *, incident: Incident, event: str, title: str, body: str, now: datetime
) -> list[Delivery]:
    """A pending delivery to every enabled, subscribed channel whose scope covers `incident`: its
    service's channels, its client's client-wide ones, and the provider-wide ones. No commit."""
    scopes: list[ColumnElement[bool]] = [
        and_(Channel.client_id == incident.client_id, Channel.service_id.is_(None)),
        and_(Channel.client_id.is_(None), Channel.service_id.is_(None)),
    ]
    if incident.service_id is not None:  # `service_id == None` would match every client-wide channel
        scopes.append(Channel.service_id == incident.service_id)
    query = select(Channel).where(Channel.enabled, Channel.subscribed, or_(*scopes)).order_by(Channel.id)
    return _queue(
        session,
        [
            Delivery(
                channel_id=channel.id,
                client_id=incident.client_id,
                incident_id=incident.id,
                event=event,
                title=title,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for channel in session.scalars(query)
        ],
    )


def notify_targets(
    session: Session,
    *,
    channel_ids: Sequence[int],
    user_ids: Sequence[int],
    client_id: int | None,
    incident_id: int | None,
    event: str,
    title: str,
    body: str,
    now: datetime,
) -> list[Delivery]:
    """Pending deliveries to the named channels (subscribed or not; disabled ones skipped) and to the
    named active users' e-mail, for an escalation step. No commit."""
    channels = session.scalars(select(Channel.id).where(Channel.id.in_(channel_ids), Channel.enabled))
    users = session.scalars(select(User.id).where(User.id.in_(user_ids), User.active))
    common = {"client_id": client_id, "incident_id": incident_id, "event": event, "title": title}
    deliveries = [
        Delivery(channel_id=c, **common, body=body, next_attempt_at=now, created_at=now) for c in channels
    ]
    deliveries += [
        Delivery(user_id=u, **common, body=body, next_attempt_at=now, created_at=now) for u in users
    ]
    return _queue(session, deliveries)


def notify_admins(
    session: Session, *, kind: str, message: str, now: datetime, channel_id: int | None = None
) -> AdminNotice:
    """An admin notice, and a delivery of it to every enabled `for_admins` channel except the one
    it is about (it may be the channel just disabled). No commit."""
    notice = AdminNotice(at=now, kind=kind, message=message, channel_id=channel_id)
    session.add(notice)
    query = select(Channel.id).where(Channel.enabled, Channel.for_admins)
    if channel_id is not None:
        query = query.where(Channel.id != channel_id)
    title = f"Steward: {kind}"
    _queue(
        session,
        [
            Delivery(
                channel_id=c, event=kind[:32], title=title, body=message, next_attempt_at=now, created_at=now
            )
            for c in session.scalars(query)
        ],
    )
    return notice


# Sending -------------------------------------------------------------------------------------------


def deliver_due(
    session: Session, *, now: datetime, sender: Sender, settings: Settings, limit: int = 100
) -> int:
    """Send up to `limit` deliveries due at `now`, oldest due first; how many were attempted.

    Each is claimed first by moving its `next_attempt_at` to a lease in the future, only if it is
    unchanged since read, and the claim is committed before sending: another worker reading the
    same row finds it changed and leaves it. A worker that dies mid-send lets the lease run out and
    the delivery is tried again. No transaction is open while a message is on its way, and every
    attempt is committed on its own.
    """
    due = session.execute(
        select(Delivery.id, Delivery.next_attempt_at)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    session.commit()  # end the read transaction; each claim below is its own
    attempted = 0
    for delivery_id, due_at in due:
        if not _claim(session, delivery_id, due_at, now + _lease(settings)):
            continue
        # Fresh from the database: another worker or request may have changed it since it was loaded.
        delivery = session.get_one(Delivery, delivery_id, populate_existing=True)
        _attempt(session, delivery, now=now, sender=sender, settings=settings)
        session.commit()
        attempted += 1
    return attempted


def _lease(settings: Settings) -> timedelta:
    # Longer than any one send may take (Apprise's service limit is three timeouts).
    return max(_MIN_LEASE, timedelta(seconds=settings.notify_timeout_seconds * 6))


def _claim(session: Session, delivery_id: int, due_at: datetime | None, until: datetime) -> bool:
    claimed = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at == due_at,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def _destination(session: Session, delivery: Delivery, settings: Settings) -> str | SendResult:
    """The URL to send `delivery` to, or the permanent failure that makes sending pointless."""
    if delivery.channel_id is not None:
        channel = session.get_one(Channel, delivery.channel_id, populate_existing=True)
        if not channel.enabled:
            return SendResult(
                ok=False, permanent=True, error=f"channel is disabled: {channel.disabled_reason}"
            )
        return channel.url
    user = session.get(User, delivery.user_id) if delivery.user_id is not None else None
    if user is None or not user.active:
        return SendResult(ok=False, permanent=True, error="the user is inactive or gone")
    if settings.mail_url is None:
        return SendResult(ok=False, permanent=True, error=NO_MAIL_SERVER)
    return with_recipient(settings.mail_url.get_secret_value(), user.email)


def _send(
    session: Session, delivery: Delivery, sender: Sender, settings: Settings
) -> tuple[SendResult, float]:
    """The outcome of one attempt to send `delivery`, and how long it took in milliseconds."""
    destination = _destination(session, delivery, settings)
    if isinstance(destination, SendResult):
        return destination, 0.0
    return _timed_send(session, sender, destination, delivery, settings)


def _timed_send(
    session: Session, sender: Sender, url: str, delivery: Delivery, settings: Settings
) -> tuple[SendResult, float]:
    """Send with no transaction open: on SQLite an open write transaction would block every other
    writer (the runner, the API) for as long as a slow far end takes to answer."""
    title, body = delivery.title, delivery.body
    session.commit()
    started = time.perf_counter()
    result = sender.send(url, title=title, body=body, timeout=settings.notify_timeout_seconds)
    return result, (time.perf_counter() - started) * 1000


def _record(
    session: Session, delivery: Delivery, result: SendResult, duration_ms: float, now: datetime
) -> None:
    """Count and record one attempt; finish `delivery` as sent or failed (the caller may retry)."""
    delivery.attempts += 1
    session.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            at=now,
            outcome=_outcome(result),
            error=result.error,
            duration_ms=duration_ms,
        )
    )
    delivery.status = DeliveryStatus.SENT if result.ok else DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    delivery.finished_at = now


def _outcome(result: SendResult) -> AttemptOutcome:
    if result.ok:
        return AttemptOutcome.SUCCESS
    return AttemptOutcome.PERMANENT if result.permanent else AttemptOutcome.TRANSIENT


def _attempt(
    session: Session, delivery: Delivery, *, now: datetime, sender: Sender, settings: Settings
) -> None:
    """Try `delivery` once and record how it went: done, retried later, or failed for good."""
    result, duration_ms = _send(session, delivery, sender, settings)
    _record(session, delivery, result, duration_ms, now)
    if result.ok:
        return
    if result.permanent:
        _after_permanent(session, delivery, result.error, now)
    elif delivery.attempts < settings.notify_max_attempts:
        backoff = timedelta(seconds=settings.notify_backoff_seconds * 2 ** (delivery.attempts - 1))
        delivery.status, delivery.finished_at = DeliveryStatus.PENDING, None
        delivery.next_attempt_at = now + min(backoff, MAX_BACKOFF)


def _after_permanent(session: Session, delivery: Delivery, error: str, now: datetime) -> None:
    """Disable the channel that failed for good (once), or report a user who could not be told."""
    if delivery.channel_id is None:
        message = f"delivery {delivery.id} ({delivery.event}) to user {delivery.user_id} failed: {error}"
        notify_admins(session, kind="delivery.failed", message=message, now=now)
        return
    channel = session.get_one(Channel, delivery.channel_id)
    if not channel.enabled:
        return  # already disabled, and the admins were told then
    channel.enabled = False
    channel.disabled_reason = f"delivery {delivery.id} failed permanently: {error}"
    message = f"channel {channel.id} ({channel.name!r}) was disabled: {error}"
    notify_admins(session, kind="channel.disabled", message=message, now=now, channel_id=channel.id)


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


def create_channel(session: Session, *, principal: Principal, data: ChannelCreate, now: datetime) -> Channel:
    """A new channel in a scope `principal` sees (provider staff only)."""
    require_writer(principal)
    client_id, service_id = _scope(session, principal, data)
    _refuse_scoped_admin_channel(client_id, data.for_admins)
    values = data.model_dump(exclude={"client_id", "service_id"})
    channel = Channel(**values, client_id=client_id, service_id=service_id, created_at=now)
    session.add(channel)
    session.commit()
    return channel


def update_channel(
    session: Session, *, principal: Principal, channel_id: int, data: ChannelUpdate
) -> Channel:
    """Apply the given fields; re-enabling a channel clears why it was disabled."""
    channel = get_channel_for(session, principal, channel_id)
    require_writer(principal)  # after the look-up: another client's channel answers 404, not 403
    changes = data.model_dump(exclude_none=True)
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
    _record(session, delivery, *_timed_send(session, sender, channel.url, delivery, settings), now)
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
