"""Clients, users, web sessions and API tokens.

One Steward installation is one provider organisation: its admins and engineers see every client;
a client viewer sees only the client they belong to.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pysteward.store.base import Base, UTCDateTime, utcnow

__all__ = ["ApiToken", "Client", "Role", "StatusPageAccess", "User", "WebSession"]


class Role(enum.StrEnum):
    """What a user or token may do. Provider roles see every client; a viewer only their own."""

    ADMIN = "admin"
    """Provider admin: everything, including users and tokens of others."""
    ENGINEER = "engineer"
    """Provider engineer: manages clients, services and monitors."""
    VIEWER = "viewer"
    """Client viewer: reads their own client's services, monitors and results."""


def _role_column() -> Mapped[Role]:
    return mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [r.value for r in e])
    )


class StatusPageAccess(enum.StrEnum):
    """Who may read a client's status page."""

    OFF = "off"
    """No status page."""
    PUBLIC = "public"
    """Anyone with the address."""
    LINK = "link"
    """Only through its secret link (a token in the address)."""


class Client(Base):
    """A client organisation whose systems the provider runs."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_page: Mapped[StatusPageAccess] = mapped_column(
        Enum(StatusPageAccess, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=StatusPageAccess.OFF,
        server_default=StatusPageAccess.OFF.value,
    )
    status_token_hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the status page's secret token (shown once), for `StatusPageAccess.LINK`."""
    report_cadences: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["monthly"], server_default='["monthly"]'
    )
    """Which SLA reports Steward generates on schedule for this client: "weekly", "monthly"."""
    report_timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    """The time zone that report periods (weeks, months) are cut in."""


class User(Base):
    """A person who logs in; a viewer belongs to one client, provider staff to none."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = _role_column()
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client | None] = relationship(lazy="raise")


class WebSession(Base):
    """A browser session: the cookie holds a random id, the database only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the API and CLI, scoped to a role and (for viewers) a client; stored hashed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, shown in lists so a user can tell tokens apart."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = _role_column()
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
