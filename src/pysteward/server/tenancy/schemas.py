"""HTTP schemas of the tenancy API (STYLE 13, 25): `XCreate` / `XUpdate` in, `XPublic` out.

No public schema has a field for a password hash or a token hash: they cannot leak by accident.
Request bodies are `StrictModel`s (unknown fields and NUL characters answer 422) and ids in them are
bounded like path ids, so hostile input is refused before it reaches the database.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.pagination import MAX_ID
from pysteward.server.tenancy.models import Role, StatusPageAccess

__all__ = [
    "ClientCreate",
    "ClientPublic",
    "ClientUpdate",
    "LoginRequest",
    "LoginResponse",
    "Me",
    "StatusLink",
    "TokenCreate",
    "TokenCreated",
    "TokenPublic",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
    "normalise_email",
]

MIN_PASSWORD = 12


def normalise_email(value: str) -> str:
    """`value` stripped and lower-cased; ValueError unless it looks like an e-mail address."""
    value = value.strip()
    # Deliberately loose (no e-mail-validator dependency): one "@" with text on both sides, no spaces.
    local, at, domain = value.partition("@")
    if not (at and local and domain) or "@" in domain or any(c.isspace() for c in value):
        raise ValueError("must be an e-mail address such as ops@example.invalid")
    return value.lower()


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(normalise_email)
]
Password = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=1024)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ClientId = Annotated[int, Field(ge=1, le=MAX_ID)]
Cadence = Literal["weekly", "monthly"]


def _known_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        raise ValueError(f"unknown time zone {value!r}; give an IANA name such as Europe/Paris") from None
    return value


Zone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(_known_zone)
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ClientCreate(StrictModel):
    """A new client organisation."""

    name: Name


class ClientUpdate(StrictModel):
    """Fields of a client to change; absent fields stay."""

    name: Name | None = None
    status_page: StatusPageAccess | None = None
    """Who may read the client's status page: off, public, or link (the secret of the rotate route)."""
    report_cadences: Annotated[list[Cadence], Field(max_length=2)] | None = None
    """Which SLA reports are generated on schedule; an empty list: none."""
    report_timezone: Zone | None = None
    """The IANA time zone report periods (and the status page's days) are cut in."""


class ClientPublic(_Out):
    """A client as the API shows it (never the status page's secret or its hash)."""

    id: int
    name: str
    created_at: datetime
    status_page: StatusPageAccess
    report_cadences: list[str]
    report_timezone: str


class StatusLink(BaseModel):
    """A status page's new secret link: shown this once; the previous link stops working."""

    client_id: int
    status_page: StatusPageAccess
    secret: str
    url: str
    """The page's address with the secret (`…/status/{client_id}?key=…`)."""


class UserCreate(StrictModel):
    """A new user: a viewer needs `client_id`, provider staff must have none."""

    email: Email
    password: Password
    role: Role
    client_id: ClientId | None = None


class UserUpdate(StrictModel):
    """Fields of a user to change; a new password or deactivation ends the user's web sessions."""

    role: Role | None = None
    client_id: ClientId | None = None
    active: bool | None = None
    password: Password | None = None


class UserPublic(_Out):
    """A user as the API shows it (never the password hash)."""

    id: int
    email: str
    role: Role
    client_id: int | None
    active: bool
    created_at: datetime


class LoginRequest(StrictModel):
    """E-mail and password for a browser session."""

    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)]
    password: Annotated[str, Field(max_length=1024)]


class LoginResponse(BaseModel):
    """Who logged in, and the CSRF token to send as `X-CSRF-Token` with unsafe requests."""

    user: UserPublic
    csrf_token: str


class Me(BaseModel):
    """The caller: their user, and the role and client scope in force for this request."""

    user: UserPublic
    role: Role
    client_id: int | None
    via: Literal["session", "token", "local"]
    token_id: int | None


class TokenCreate(StrictModel):
    """A new API token for the caller; role and client default to the caller's own, and may only narrow."""

    name: Name
    role: Role | None = None
    client_id: ClientId | None = None
    expires_at: datetime | None = None


class TokenPublic(_Out):
    """A token as lists show it: its prefix identifies it, the secret is never shown again."""

    id: int
    user_id: int
    name: str
    prefix: str
    role: Role
    client_id: int | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    """A token just issued, with its secret: shown this once."""

    secret: str
