"""Placeholder: resolves no caller until sessions and tokens exist."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from pysteward.server.principal import Principal


def authenticate(request: Request, session: Session) -> Principal | None:
    """The caller of `request`, or None."""
    return None
