"""Login, logout and password pages, and the console's front door.

The login form shares the API's limit on failed logins (per address and per client IP).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pysteward.server.deps import AppSettings, DbSession
from pysteward.server.errors import ApiError
from pysteward.server.tenancy import passwords, service
from pysteward.server.tenancy.auth import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from pysteward.server.tenancy.models import User
from pysteward.server.tenancy.ratelimit import login_limiter
from pysteward.server.web.auth import Web
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only a path on this server: "//host" or "https://…" would turn the login into an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/")
def front_door(viewer: Web) -> RedirectResponse:
    """Staff land on the estate overview, a client viewer on their portal (the same page, scoped)."""
    del viewer
    return RedirectResponse("/overview", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login")
def login(
    *,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter = login_limiter(request.app.state, settings.login_attempts_per_minute)
    now = utcnow()
    peer = request.client.host if request.client else "unknown"
    keys = (f"email:{email.strip().lower()}", f"ip:{peer}")
    context = {"next": _safe_next(next), "email": email}
    if limiter.retry_after(keys, now.timestamp()) is not None:
        error = "Too many failed logins; try again in a minute."
        return page(request, "login.html", context | {"error": error}, status_code=429)
    try:
        _web_session, secret = service.login(
            session, email=email, password=password, now=now, settings=settings
        )
    except ApiError as e:
        limiter.record(keys, now.timestamp())
        return page(request, "login.html", context | {"error": e.message.capitalize() + "."}, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, secret, settings)
    return response


@router.post("/logout")
def logout(request: Request, viewer: Web, session: DbSession, settings: AppSettings) -> Response:
    del viewer  # the dependency checked the CSRF token: nobody else can sign this browser out
    service.logout(session, secret=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.get("/account/password")
def password_form(request: Request, viewer: Web) -> HTMLResponse:
    return page(request, "password.html", {"viewer": viewer, "error": None, "done": False})


@router.post("/account/password")
def change_password(
    *,
    request: Request,
    viewer: Web,
    session: DbSession,
    settings: AppSettings,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    repeat: Annotated[str, Form()],
) -> Response:
    """A new password ends every session of the user, this one included: sign in again with it."""
    user = session.get_one(User, viewer.principal.user_id)
    error = _password_problem(user, current, new, repeat)
    if error is not None:
        return page(
            request, "password.html", {"viewer": viewer, "error": error, "done": False}, status_code=422
        )
    service.update_user(session, user=user, password=new)
    response = RedirectResponse("/login?changed=1", status_code=303)
    clear_session_cookie(response, settings)
    return response


def _password_problem(user: User, current: str, new: str, repeat: str) -> str | None:
    if new != repeat:
        return "The new password and its repetition differ."
    if not passwords.verify_password(user.password_hash, current):
        return "The current password is wrong."
    try:
        service.check_password(new)
    except ApiError as e:
        return e.message.capitalize() + "."
    return None
