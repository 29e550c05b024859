"""Tenancy API under /api/v1: login and logout, the caller, API tokens, users and clients.

Objects of a client the caller cannot see answer 404 exactly as missing ones do; an object the caller
sees but may not change answers 403 (docs/server-access.md). Every route declares the error answers
it can give (`error_responses`), so the OpenAPI schema lists every status a client can get; a
changing request can always answer 403, because a browser session needs its CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pysteward.server.deps import AppSettings, CurrentUser, DbSession, Writer
from pysteward.server.errors import ApiError, error_responses
from pysteward.server.estate.service import keyset_page
from pysteward.server.pagination import MAX_ID, Page, Paging, PathId
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy import service
from pysteward.server.tenancy.auth import (
    SESSION_COOKIE,
    check_csrf,
    clear_session_cookie,
    is_admin,
    require_admin,
    require_writer,
    set_session_cookie,
)
from pysteward.server.tenancy.models import ApiToken, Client, User
from pysteward.server.tenancy.ratelimit import SlidingWindowLimiter, login_limiter
from pysteward.server.tenancy.schemas import (
    ClientCreate,
    ClientPublic,
    ClientUpdate,
    LoginRequest,
    LoginResponse,
    Me,
    StatusLink,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from pysteward.store.base import utcnow

__all__ = ["router"]

router = APIRouter()
_NO_CONTENT: dict[str, Any] = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}

T = TypeVar("T", bound=BaseModel)
M = TypeVar("M", Client, User, ApiToken)


def _page(
    session: Session,
    query: Select[M],
    key: InstrumentedAttribute[int],
    paging: Paging,
    schema: type[T],
) -> Page[T]:
    # keyset_page answers an empty page for an `after` beyond the id column's range, which the
    # database would refuse (PostgreSQL) or fail to bind (SQLite).
    rows, next_after = keyset_page(session, query, paging, key)
    return Page[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(row[0]) for row in rows], next_after=next_after
    )


def _not_found(kind: str, object_id: int) -> ApiError:
    return ApiError(404, f"{kind} {object_id} does not exist")


# Login and the caller ---------------------------------------------------------------------------


def _limiter(request: Request, settings: Settings) -> SlidingWindowLimiter:
    return login_limiter(request.app.state, settings.login_attempts_per_minute)


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    tags=["auth"],
    responses=error_responses(400, 401, 422, 429),
)
def login(
    body: LoginRequest, request: Request, response: Response, session: DbSession, settings: AppSettings
) -> LoginResponse:
    """Start a browser session: sets the `steward_session` cookie and returns the CSRF token.

    Failed attempts are limited per e-mail address and per client address (429 with Retry-After).
    """
    limiter = _limiter(request, settings)
    now = utcnow()
    peer = request.client.host if request.client else "unknown"
    keys = (f"email:{body.email.lower()}", f"ip:{peer}")
    wait = limiter.retry_after(keys, now.timestamp())
    if wait is not None:
        raise ApiError(429, "too many failed logins; try again later", headers={"Retry-After": str(wait)})
    try:
        web_session, secret = service.login(
            session, email=body.email, password=body.password, now=now, settings=settings
        )
    except ApiError:
        limiter.record(keys, now.timestamp())
        raise
    user = session.get_one(User, web_session.user_id)
    set_session_cookie(response, secret, settings)
    return LoginResponse(user=UserPublic.model_validate(user), csrf_token=web_session.csrf_token)


@router.post("/auth/logout", tags=["auth"], responses=error_responses(403), **_NO_CONTENT)
def logout(request: Request, session: DbSession, settings: AppSettings) -> Response:
    """End the browser session (CSRF token required while it is live); harmless without one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = service.authenticate_session(session, cookie, now=utcnow())
        if found is not None:
            check_csrf(request, found[1])
        service.logout(session, secret=cookie)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, settings)
    return response


@router.get("/me", response_model=Me, tags=["auth"], responses=error_responses(401))
def me(principal: CurrentUser, session: DbSession) -> Me:
    """The caller, with the role and client scope in force for this request."""
    user = session.get_one(User, principal.user_id)
    return Me(
        user=UserPublic.model_validate(user),
        role=principal.role,
        client_id=principal.client_id,
        via=principal.via,
        token_id=principal.token_id,
    )


# API tokens -------------------------------------------------------------------------------------


@router.get(
    "/tokens", response_model=Page[TokenPublic], tags=["tokens"], responses=error_responses(401, 403, 422)
)
def list_tokens(
    principal: CurrentUser,
    session: DbSession,
    paging: Paging,
    user_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this user's tokens (admins only).")
    ] = None,
) -> Page[TokenPublic]:
    """The caller's tokens; an admin sees everyone's, or one user's with `user_id`."""
    query = select(ApiToken)
    if is_admin(principal):
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
    elif user_id not in (None, principal.user_id):
        raise ApiError(403, "only a provider admin may list other users' tokens")
    else:
        query = query.where(ApiToken.user_id == principal.user_id)
    return _page(session, query, ApiToken.id, paging, TokenPublic)


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    tags=["tokens"],
    responses=error_responses(400, 401, 403, 422),
)
def create_token(body: TokenCreate, principal: CurrentUser, session: DbSession) -> TokenCreated:
    """A new token for the caller; the secret is in this answer only.

    It can be narrowed (a lower role, one client) but never exceed the rights of the request
    that creates it, so a narrowed token cannot mint a wider one.
    """
    role = body.role or principal.role
    client_id = body.client_id if body.client_id is not None else principal.client_id
    if service.rank(role) > service.rank(principal.role):
        raise ApiError(403, f"role: a token cannot have more rights than its creator ({principal.role})")
    if principal.client_id is not None and client_id != principal.client_id:
        raise ApiError(403, "client_id: a token cannot reach a client its creator cannot")
    user = session.get_one(User, principal.user_id)
    token, secret = service.issue_token(
        session,
        user=user,
        name=body.name,
        role=role,
        client_id=client_id,
        expires_at=body.expires_at,
        now=utcnow(),
    )
    return TokenCreated.model_validate({**TokenPublic.model_validate(token).model_dump(), "secret": secret})


@router.delete(
    "/tokens/{token_id}", tags=["tokens"], responses=error_responses(401, 403, 404, 422), **_NO_CONTENT
)
def delete_token(token_id: PathId, principal: CurrentUser, session: DbSession) -> None:
    """Revoke a token: one's own, or anyone's for an admin."""
    token = session.get(ApiToken, token_id)
    if token is None or not (token.user_id == principal.user_id or is_admin(principal)):
        raise _not_found("token", token_id)
    service.revoke_token(session, token=token)


# Users (admin) ----------------------------------------------------------------------------------


def _admin(principal: CurrentUser) -> Principal:
    require_admin(principal)
    return principal


Admin = Annotated[Principal, Depends(_admin)]


def _user_for(session: Session, principal: Principal, user_id: int) -> User:
    """The user, if the caller may know of them (viewers: users of their own client); else 404."""
    user = session.get(User, user_id)
    if user is None:
        raise _not_found("user", user_id)
    unscoped_provider = principal.is_provider and principal.client_id is None
    if not unscoped_provider and (user.client_id is None or not principal.sees_client(user.client_id)):
        raise _not_found("user", user_id)
    return user


@router.get(
    "/users", response_model=Page[UserPublic], tags=["users"], responses=error_responses(401, 403, 422)
)
def list_users(_caller: Admin, session: DbSession, paging: Paging) -> Page[UserPublic]:
    """Every user."""
    return _page(session, select(User), User.id, paging, UserPublic)


@router.post(
    "/users",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    responses=error_responses(400, 401, 403, 409, 422),
)
def create_user(body: UserCreate, _caller: Admin, session: DbSession) -> User:
    """A new user; a viewer needs `client_id`."""
    return service.create_user(
        session, email=body.email, password=body.password, role=body.role, client_id=body.client_id
    )


@router.get(
    "/users/{user_id}",
    response_model=UserPublic,
    tags=["users"],
    responses=error_responses(401, 403, 404, 422),
)
def get_user(user_id: PathId, principal: CurrentUser, session: DbSession) -> User:
    """One user."""
    user = _user_for(session, principal, user_id)
    require_admin(principal)
    return user


@router.patch(
    "/users/{user_id}",
    response_model=UserPublic,
    tags=["users"],
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def update_user(user_id: PathId, body: UserUpdate, principal: CurrentUser, session: DbSession) -> User:
    """Change a user's role, client, password or active flag."""
    user = _user_for(session, principal, user_id)
    require_admin(principal)
    return service.update_user(
        session,
        user=user,
        role=body.role,
        client_id=body.client_id,
        active=body.active,
        password=body.password,
    )


@router.delete(
    "/users/{user_id}", tags=["users"], responses=error_responses(401, 403, 404, 409, 422), **_NO_CONTENT
)
def delete_user(user_id: PathId, principal: CurrentUser, session: DbSession) -> None:
    """Remove a user with their tokens and sessions."""
    user = _user_for(session, principal, user_id)
    require_admin(principal)
    service.delete_user(session, user=user)


# Clients ----------------------------------------------------------------------------------------


def _client_for(session: Session, principal: Principal, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or not principal.sees_client(client.id):
        raise _not_found("client", client_id)
    return client


@router.get(
    "/clients", response_model=Page[ClientPublic], tags=["clients"], responses=error_responses(401, 422)
)
def list_clients(principal: CurrentUser, session: DbSession, paging: Paging) -> Page[ClientPublic]:
    """The clients the caller sees: all for provider staff, their own for a viewer."""
    query = select(Client)
    if principal.client_id is not None:
        query = query.where(Client.id == principal.client_id)
    return _page(session, query, Client.id, paging, ClientPublic)


@router.post(
    "/clients",
    response_model=ClientPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["clients"],
    responses=error_responses(400, 401, 403, 409, 422),
)
def create_client(body: ClientCreate, principal: Writer, session: DbSession) -> Client:
    """A new client (provider staff with the full provider scope)."""
    if principal.client_id is not None:
        raise ApiError(403, "a token narrowed to one client cannot create clients")
    return service.create_client(session, name=body.name)


@router.get(
    "/clients/{client_id}",
    response_model=ClientPublic,
    tags=["clients"],
    responses=error_responses(401, 404, 422),
)
def get_client(client_id: PathId, principal: CurrentUser, session: DbSession) -> Client:
    """One client."""
    return _client_for(session, principal, client_id)


@router.patch(
    "/clients/{client_id}",
    response_model=ClientPublic,
    tags=["clients"],
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def update_client(
    client_id: PathId, body: ClientUpdate, principal: CurrentUser, session: DbSession
) -> Client:
    """Rename a client, or change its status page access or report cadences and time zone."""
    client = _client_for(session, principal, client_id)
    require_writer(principal)
    return service.update_client(
        session,
        client=client,
        name=body.name,
        status_page=body.status_page,
        report_cadences=body.report_cadences,
        report_timezone=body.report_timezone,
    )


@router.post(
    "/clients/{client_id}/status-page/rotate",
    response_model=StatusLink,
    tags=["clients"],
    responses=error_responses(401, 403, 404, 422),
)
def rotate_status_link(
    client_id: PathId, principal: CurrentUser, session: DbSession, settings: AppSettings
) -> StatusLink:
    """A new secret link to the client's status page, shown this once; the previous link stops working.

    The link opens the page while its access is `link` (docs/status-pages.md)."""
    client = _client_for(session, principal, client_id)
    require_writer(principal)
    secret = service.rotate_status_token(session, client=client)
    url = f"{settings.base_url}/status/{client.id}?key={secret}"
    return StatusLink(client_id=client.id, status_page=client.status_page, secret=secret, url=url)


@router.delete(
    "/clients/{client_id}", tags=["clients"], responses=error_responses(401, 403, 404, 422), **_NO_CONTENT
)
def delete_client(client_id: PathId, principal: CurrentUser, session: DbSession) -> None:
    """Remove a client with its viewers, services and monitors (admins only)."""
    client = _client_for(session, principal, client_id)
    require_admin(principal)
    service.delete_client(session, client=client)
