"""Admin pages of the console: the admin home, users, API tokens and clients.

    /admin            admins: what needs attention (unread notices, disabled channels) and the way in
    /admin/users      admins: every user; create one, change a role or the active flag, set a password
    /admin/tokens     every signed-in user: their own API tokens (create, shown once; revoke);
                      an admin sees and revokes everyone's
    /admin/clients    admins: clients with their status page access and report cadences (read-only)

Forms post back and answer 303 to the page (a new token answers 200 with its secret, shown once and
never cached). A form whose input the service refuses (422, 409) shows the page again with the reason.
`AdminOnly` and `form_problem` serve the other admin pages (notify.views) too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.notify.models import AdminNotice, Channel
from pysteward.server.pagination import MAX_ID, PathId
from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import ApiToken, Client, Role, User
from pysteward.server.web.auth import Viewer, Web
from pysteward.server.web.templating import page
from pysteward.store.base import utcnow

__all__ = ["AdminOnly", "OptionalId", "form_problem", "router", "see_other"]

router = APIRouter(include_in_schema=False)
_MAX_ROWS = 500
_DONE = {
    "created": "User created.",
    "changed": "User changed.",
    "password": "Password set; the user's browser sessions were ended.",
    "revoked": "Token revoked.",
}


def _admin(viewer: Web) -> Viewer:
    if not viewer.is_admin:
        raise ApiError(403, "this page is for the provider's admins")
    return viewer


AdminOnly = Annotated[Viewer, Depends(_admin)]
"""The signed-in viewer of an admin page; 403 for everyone but a provider admin."""


def form_problem(error: ValidationError) -> str:
    """The first problem of a submitted form as a sentence naming the field (`title: field required`)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return f"{where}: {message}" if where else message


def see_other(path: str) -> RedirectResponse:
    """The answer to a form that worked: 303 to the page to look at next."""
    return RedirectResponse(path, status_code=303)


OptionalId = Annotated[int | None, Form(ge=1, le=MAX_ID)]
"""An id from a form's select; its empty choice ("none") arrives as None."""


# Home -------------------------------------------------------------------------------------------


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


@router.get("/admin")
def admin_home(request: Request, viewer: AdminOnly, session: DbSession) -> HTMLResponse:
    """The admin area: counts, and what needs attention."""
    counts = {
        "users": _count(session, select(User.id).where(User.active)),
        "clients": _count(session, select(Client.id)),
        "tokens": _count(session, select(ApiToken.id)),
        "channels": _count(session, select(Channel.id)),
        "disabled": _count(session, select(Channel.id).where(Channel.enabled.is_(False))),
        "unread": _count(session, select(AdminNotice.id).where(AdminNotice.read_at.is_(None))),
    }
    return page(request, "admin/home.html", {"viewer": viewer, "nav": "admin", "counts": counts})


# Users ------------------------------------------------------------------------------------------


def _clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).order_by(Client.name).limit(_MAX_ROWS)))


def _users_page(
    request: Request, viewer: Viewer, session: Session, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    users = list(session.scalars(select(User).order_by(User.email).limit(_MAX_ROWS)))
    context = {
        "viewer": viewer,
        "nav": "admin",
        "users": users,
        "clients": _clients(session),
        "client_names": {c.id: c.name for c in _clients(session)},
        "roles": list(Role),
        "error": error,
        "done": _DONE.get(request.query_params.get("done", "")),
    }
    return page(request, "admin/users.html", context, status_code=status)


@router.get("/admin/users")
def users(request: Request, viewer: AdminOnly, session: DbSession) -> HTMLResponse:
    """Every user, with forms to create one and to change each."""
    return _users_page(request, viewer, session)


@router.post("/admin/users")
def create_user(
    *,
    request: Request,
    viewer: AdminOnly,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[Role, Form()],
    client_id: OptionalId = None,
) -> Response:
    """A new user; a viewer needs a client, provider staff have none."""
    try:
        client = client_id if role is Role.VIEWER else None
        service.create_user(session, email=email, password=password, role=role, client_id=client)
    except ApiError as e:
        return _users_page(request, viewer, session, error=e.message, status=e.status)
    return see_other("/admin/users?done=created")


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(404, f"user {user_id} does not exist")
    return user


@router.post("/admin/users/{user_id}")
def change_user(
    *,
    request: Request,
    viewer: AdminOnly,
    session: DbSession,
    user_id: PathId,
    role: Annotated[Role, Form()],
    client_id: OptionalId = None,
    active: Annotated[bool, Form()] = False,
) -> Response:
    """Change a user's role, client and active flag (an unticked box deactivates)."""
    user = _user(session, user_id)
    try:
        client = client_id if role is Role.VIEWER else None
        service.update_user(session, user=user, role=role, client_id=client, active=active)
    except ApiError as e:
        session.rollback()
        return _users_page(request, viewer, session, error=e.message, status=e.status)
    return see_other("/admin/users?done=changed")


@router.post("/admin/users/{user_id}/password")
def reset_password(
    *,
    request: Request,
    viewer: AdminOnly,
    session: DbSession,
    user_id: PathId,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Give a user a new password; their browser sessions end."""
    user = _user(session, user_id)
    try:
        service.update_user(session, user=user, password=password)
    except ApiError as e:
        session.rollback()
        return _users_page(request, viewer, session, error=e.message, status=e.status)
    return see_other("/admin/users?done=password")


# Tokens -----------------------------------------------------------------------------------------


def _tokens_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    error: str | None = None,
    created: tuple[ApiToken, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    if not viewer.is_admin:
        query = query.where(ApiToken.user_id == viewer.principal.user_id)
    rows = session.execute(query.order_by(ApiToken.id.desc()).limit(_MAX_ROWS)).all()
    mine = service.rank(viewer.principal.role)
    context = {
        "viewer": viewer,
        "nav": "admin" if viewer.is_admin else "",
        "tokens": [(token, email) for token, email in rows],
        "roles": [role for role in Role if service.rank(role) <= mine],
        "clients": _clients(session) if viewer.is_staff else [],
        "client_names": {c.id: c.name for c in _clients(session)},
        "error": error,
        "created": created,
        "done": _DONE.get(request.query_params.get("done", "")),
    }
    response = page(request, "admin/tokens.html", context, status_code=status)
    if created is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret is on this page, once
    return response


@router.get("/admin/tokens")
def tokens(request: Request, viewer: Web, session: DbSession) -> HTMLResponse:
    """The viewer's API tokens (an admin's page lists everyone's)."""
    return _tokens_page(request, viewer, session)


@router.post("/admin/tokens")
def create_token(
    *,
    request: Request,
    viewer: Web,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[Role | None, Form()] = None,
    client_id: OptionalId = None,
    expires_in_days: Annotated[int | None, Form(ge=1, le=3650)] = None,
) -> Response:
    """A new token of the viewer's own, no wider than their rights; its secret is shown this once."""
    user = session.get_one(User, viewer.principal.user_id)
    now = utcnow()
    try:
        created = service.issue_token(
            session,
            user=user,
            name=name,
            role=role,
            client_id=client_id,
            expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
            now=now,
        )
    except ApiError as e:
        return _tokens_page(request, viewer, session, error=e.message, status=e.status)
    return _tokens_page(request, viewer, session, created=created)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(viewer: Web, session: DbSession, token_id: PathId) -> Response:
    """Revoke one's own token, or anyone's as an admin; another's answers 404."""
    token = session.get(ApiToken, token_id)
    if token is None or not (token.user_id == viewer.principal.user_id or viewer.is_admin):
        raise ApiError(404, f"token {token_id} does not exist")
    service.revoke_token(session, token=token)
    return see_other("/admin/tokens?done=revoked")


# Clients ----------------------------------------------------------------------------------------


@router.get("/admin/clients")
def clients(request: Request, viewer: AdminOnly, session: DbSession) -> HTMLResponse:
    """Every client with its status page access, report cadences and how much it holds."""
    per_service = select(Service.client_id, func.count()).group_by(Service.client_id)
    services = {row[0]: row[1] for row in session.execute(per_service)}
    per_viewer = select(User.client_id, func.count()).where(User.client_id.is_not(None))
    viewers = {row[0]: row[1] for row in session.execute(per_viewer.group_by(User.client_id))}
    context = {
        "viewer": viewer,
        "nav": "admin",
        "clients": _clients(session),
        "services": services,
        "viewers": viewers,
    }
    return page(request, "admin/clients.html", context)
