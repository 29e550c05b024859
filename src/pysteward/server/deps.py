"""Dependency aliases for routes (STYLE 25): the request's database session and its caller.

DbSession       a SQLAlchemy session for the request, committed by the service functions
CurrentUser     the authenticated `Principal` (401 without one)
Writer          a principal allowed to change things (provider staff; 403 for viewers), for routes
                that create; routes about one object look it up first (404) and then check
AppSettings     the server's `Settings`
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings

__all__ = ["AppSettings", "CurrentUser", "DbSession", "Writer", "get_principal", "get_session"]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed (and rolled back if not committed) at its end."""
    with request.app.state.sessions() as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(_settings)]


def get_principal(request: Request, session: DbSession) -> Principal:
    """The caller, from a bearer token or a session cookie; 401 when neither is valid."""
    from pysteward.server.tenancy.auth import authenticate

    principal = authenticate(request, session)
    if principal is None:
        raise ApiError(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def _writer(principal: CurrentUser) -> Principal:
    from pysteward.server.tenancy.auth import require_writer

    require_writer(principal)
    return principal


Writer = Annotated[Principal, Depends(_writer)]
