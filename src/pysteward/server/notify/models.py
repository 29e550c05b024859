"""Notification channels (Apprise URLs), deliveries with every attempt, and notices for admins.

A delivery is one message to one channel (or one user's e-mail). It is sent by a tick that claims
due deliveries with a conditional UPDATE; a transient failure schedules a retry with backoff, a
permanent one disables the channel and leaves an `AdminNotice` (STYLE 18).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pysteward.server.slas.models import str_enum
from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["AdminNotice", "AttemptOutcome", "Channel", "Delivery", "DeliveryAttempt", "DeliveryStatus"]

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class DeliveryStatus(enum.StrEnum):
    """Pending until sent, or failed for good (a permanent failure, or retries exhausted)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class AttemptOutcome(enum.StrEnum):
    """The result of one attempt to send."""

    SUCCESS = "success"
    TRANSIENT = "transient"
    """Worth retrying: a timeout, a refused connection, a 5xx or 429 answer."""
    PERMANENT = "permanent"
    """Retrying cannot help: a bad URL, an unknown service, a 4xx answer such as 401 or 404."""


class Channel(Base):
    """Where notifications go: one Apprise URL, scoped to a client or a service, or provider-wide."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    """The Apprise URL; it often holds a secret, so the API shows it with secrets masked."""
    subscribed: Mapped[bool] = mapped_column(default=True)
    """Receives incident events of its scope by itself; False: only when an escalation step names it."""
    for_admins: Mapped[bool] = mapped_column(default=False)
    """Also receives notices meant for the provider's admins (a channel disabled, …)."""
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One message to one channel or user, and where its sending stands."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    """To this user's e-mail through `STEWARD_MAIL_URL`, when no channel is named."""
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    """`incident.opened`, `incident.escalated`, `sla.breach`, `channel.test`, …"""
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    """One attempt to send a delivery, and how it went."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[AttemptOutcome] = mapped_column(str_enum(AttemptOutcome))
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[float] = mapped_column(default=0.0)


class AdminNotice(Base):
    """Something the provider's admins must know (a channel was disabled, …)."""

    __tablename__ = "admin_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
