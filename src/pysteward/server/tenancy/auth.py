"""Who is calling: a bearer token, else a browser session cookie, with CSRF checks for the cookie.

    Authorization: Bearer stw_…      an API token (CLI, scripts); no CSRF check, since a browser
                                     never attaches this header to a cross-site request by itself
    Cookie: steward_session=…        a browser session; unsafe methods must echo the session's CSRF
                                     token as the `X-CSRF-Token` header or a `csrf_token` form field

A request that sends an `Authorization` header is judged by it alone: a bad token is not rescued
by a cookie. The rules are described for users in docs/server-access.md.
"""

from __future__ import annotations

import hmac

import anyio.from_thread
from fastapi import Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from pysteward.server.errors import ApiError
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import Role
from pysteward.store.base import utcnow

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "authenticate",
    "check_csrf",
    "clear_session_cookie",
    "is_admin",
    "require_admin",
    "require_writer",
    "set_session_cookie",
]

SESSION_COOKIE = "steward_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def authenticate(request: Request, session: Session) -> Principal | None:
    """The caller of `request`, or None; `ApiError` 403 (code `csrf`) for a session request that
    changes something without its CSRF token.

    Call it from a synchronous dependency (FastAPI runs those in a worker thread): reading a form
    field for the CSRF check needs to wait for the request body.
    """
    now = utcnow()
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return service.authenticate_token(session, credentials.strip(), now=now)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = service.authenticate_session(session, cookie, now=now)
    if found is None:
        return None
    principal, csrf_token = found
    if request.method in _UNSAFE:
        check_csrf(request, csrf_token)
    return principal


def check_csrf(request: Request, expected: str) -> None:
    """403 (code `csrf`) unless `request` carries `expected` as header or form field."""
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(_FORMS):
        form = anyio.from_thread.run(_read_form, request)
        field = form.get(CSRF_FIELD)
        submitted = field if isinstance(field, str) else None
    # Constant time: a comparison that stops at the first wrong character leaks the token bit by bit.
    if submitted is None or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise ApiError(403, "missing or wrong CSRF token", code="csrf")


async def _read_form(request: Request) -> FormData:
    return await request.form()


def set_session_cookie(response: Response, secret: str, settings: Settings) -> None:
    """Put the session cookie on `response`: HttpOnly, SameSite=Lax, Secure unless configured off."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(settings.session_hours * 3600),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to forget the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
    )


def is_admin(principal: Principal) -> bool:
    """A provider admin with the full provider scope (a token narrowed to one client is not)."""
    return principal.role is Role.ADMIN and principal.client_id is None


def require_writer(principal: Principal) -> None:
    """403 unless `principal` may change things. Call it after the object was found visible, so
    another client's object still answers 404."""
    if not principal.can_write:
        raise ApiError(403, "this role can only read")


def require_admin(principal: Principal) -> None:
    """403 unless `principal` is a provider admin with the full provider scope."""
    if not is_admin(principal):
        raise ApiError(403, "only a provider admin may do this")
