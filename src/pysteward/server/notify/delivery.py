"""The delivery pipeline of notifications: queueing pending deliveries and sending them.

Queueing (`notify_incidents`, `notify_incident`, `notify_targets`, `notify_admins`) adds pending
deliveries to the caller's session and never commits: they go out with the change that caused them
or not at all. `deliver_due` sends them: it claims each due delivery with a conditional UPDATE
(STYLE 28), so any number of workers can run it, and records every attempt. A transient failure is
retried after `notify_backoff_seconds`, doubling per attempt up to an hour, until
`notify_max_attempts`; a permanent one fails the delivery at once, disables its channel and tells
the admins.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pysteward.server.incidents.models import Incident
from pysteward.server.notify.models import (
    AdminNotice,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
)
from pysteward.server.notify.sender import Sender, SendResult, with_recipient
from pysteward.server.settings import Settings
from pysteward.server.tenancy.models import User
from pysteward.store import insert_rows

__all__ = [
    "MAX_BACKOFF",
    "NO_MAIL_SERVER",
    "IncidentNotice",
    "deliver_due",
    "notify_admins",
    "notify_incident",
    "notify_incidents",
    "notify_targets",
    "send_now",
]

MAX_BACKOFF = timedelta(hours=1)
NO_MAIL_SERVER = "no mail server configured (STEWARD_MAIL_URL)"
_MIN_LEASE = timedelta(minutes=10)


# Queueing ------------------------------------------------------------------------------------------


def _queue(session: Session, deliveries: list[Delivery]) -> list[Delivery]:
    session.add_all(deliveries)
    session.flush()
    return deliveries


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentNotice:
    """One thing to tell about one incident (its ids, not the ORM object: a tick may hold thousands)."""

    incident_id: int
    client_id: int
    service_id: int | None
    event: str
    title: str
    body: str

    @classmethod
    def about(cls, incident: Incident, *, event: str, title: str, body: str) -> IncidentNotice:
        """A notice about a loaded incident."""
        return cls(
            incident_id=incident.id,
            client_id=incident.client_id,
            service_id=incident.service_id,
            event=event,
            title=title,
            body=body,
        )


def _covers(channel: Channel, notice: IncidentNotice) -> bool:
    """A service channel hears its service; a client-wide one its client; a provider-wide one all."""
    if channel.service_id is not None:
        return channel.service_id == notice.service_id
    return channel.client_id is None or channel.client_id == notice.client_id


def _incident_rows(
    session: Session, notices: Sequence[IncidentNotice], now: datetime
) -> list[dict[str, object]]:
    """The pending deliveries for `notices`: one per notice and enabled, subscribed channel whose scope
    covers its incident (its service's channels, its client's client-wide ones, the provider-wide
    ones), from one query for all of them."""
    if not notices:
        return []
    clients = {notice.client_id for notice in notices}
    scope = or_(Channel.client_id.is_(None), Channel.client_id.in_(clients))
    query = select(Channel).where(Channel.enabled, Channel.subscribed, scope).order_by(Channel.id)
    channels = list(session.scalars(query))
    return [
        {
            "channel_id": channel.id,
            "user_id": None,
            "client_id": notice.client_id,
            "incident_id": notice.incident_id,
            "event": notice.event,
            "title": notice.title,
            "body": notice.body,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "finished_at": None,
        }
        for notice in notices
        for channel in channels
        if _covers(channel, notice)
    ]


def notify_incidents(session: Session, *, notices: Sequence[IncidentNotice], now: datetime) -> int:
    """Queue the deliveries of many notices in one bulk insert (a tick may warn thousands of incidents
    at once); how many. No commit."""
    return insert_rows(session, Delivery, _incident_rows(session, notices, now))


def notify_incident(
    session: Session, *, incident: Incident, event: str, title: str, body: str, now: datetime
) -> list[Delivery]:
    """Queue the deliveries of one notice about `incident`, as objects the caller can read. No commit."""
    notice = IncidentNotice.about(incident, event=event, title=title, body=body)
    return _queue(session, [Delivery(**row) for row in _incident_rows(session, [notice], now)])


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


def send_now(
    session: Session, *, delivery: Delivery, url: str, sender: Sender, settings: Settings, now: datetime
) -> None:
    """Send `delivery` to `url` once, at once, and record the attempt; no retry, no channel disabled."""
    _record(session, delivery, *_timed_send(session, sender, url, delivery, settings), now)
