"""Tenancy service functions: clients, users, API tokens and browser sessions.

Plain functions with keyword-only arguments (STYLE 25), shared by the API and the CLI; each commits
its own change. Failures are `ApiError`s so the API answers them as they are and the CLI prints them.
Secrets (token and session ids) are random, shown once, and stored only as SHA-256 digests: a copy
of the database lets nobody log in.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy import passwords
from pysteward.server.tenancy.models import ApiToken, Client, Role, StatusPageAccess, User, WebSession
from pysteward.server.tenancy.schemas import MIN_PASSWORD, normalise_email

__all__ = [
    "TOKEN_PREFIX",
    "authenticate_session",
    "authenticate_token",
    "check_password",
    "create_client",
    "create_user",
    "delete_client",
    "delete_user",
    "issue_token",
    "login",
    "logout",
    "rank",
    "revoke_token",
    "rotate_status_token",
    "update_client",
    "update_user",
]

TOKEN_PREFIX = "stw_"  # noqa: S105 (a marker, not a secret)
"""Every API token starts with this, so secret scanners and humans can recognise one."""
_LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is written at most this often per token, not on every request."""
_RANK = {Role.VIEWER: 0, Role.ENGINEER: 1, Role.ADMIN: 2}


def rank(role: Role) -> int:
    """How much `role` may do: admin > engineer > viewer."""
    return _RANK[role]


def digest(secret: str) -> str:
    """The SHA-256 hex digest a secret is stored as."""
    return hashlib.sha256(secret.encode()).hexdigest()


# Clients ----------------------------------------------------------------------------------------


def create_client(session: Session, *, name: str) -> Client:
    """A new client named `name`; 409 when the name is taken."""
    client = Client(name=_name(name))
    session.add(client)
    _commit(session, f"a client named {client.name!r} already exists")
    return client


def update_client(
    session: Session,
    *,
    client: Client,
    name: str | None = None,
    status_page: StatusPageAccess | None = None,
    report_cadences: Sequence[str] | None = None,
    report_timezone: str | None = None,
) -> Client:
    """`client` with the given fields changed (None leaves a field as it is); 409 when the name is taken.

    Cadences are stored once each, in the order weekly, monthly. Switching the status page to `link`
    keeps the current secret; `rotate_status_token` issues one."""
    if name is not None:
        client.name = _name(name)
    if status_page is not None:
        client.status_page = status_page
    if report_cadences is not None:
        client.report_cadences = [kind for kind in ("weekly", "monthly") if kind in report_cadences]
    if report_timezone is not None:
        client.report_timezone = report_timezone
    _commit(session, f"a client named {client.name!r} already exists")
    return client


def rotate_status_token(session: Session, *, client: Client) -> str:
    """A new secret for `client`'s status page link, shown this once and stored only as its SHA-256;
    the previous link stops working."""
    secret = secrets.token_urlsafe(24)
    client.status_token_hash = digest(secret)
    session.commit()
    return secret


def delete_client(session: Session, *, client: Client) -> None:
    """Remove `client` with everything it owns (its viewers, services and monitors cascade)."""
    session.execute(delete(Client).where(Client.id == client.id))
    session.commit()


# Users ------------------------------------------------------------------------------------------


def create_user(session: Session, *, email: str, password: str, role: Role, client_id: int | None) -> User:
    """A new active user; a viewer needs `client_id`, provider staff must have none.

    The e-mail address is stored lower-case; 409 when it is taken, 422 for a short password.
    """
    check_password(password)
    _check_scope(session, role, client_id)
    try:
        address = normalise_email(email)
    except ValueError as e:
        raise ApiError(422, f"email: {e}") from None
    user = User(
        email=address, password_hash=passwords.hash_password(password), role=role, client_id=client_id
    )
    session.add(user)
    _commit(session, f"a user with e-mail {address!r} already exists")
    return user


def update_user(
    session: Session,
    *,
    user: User,
    role: Role | None = None,
    client_id: int | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """`user` with the given fields changed; None leaves a field as it is.

    A provider role clears the client; a viewer keeps theirs unless `client_id` moves them. A new
    password or deactivation ends the user's browser sessions. The last active admin cannot be demoted
    or deactivated (409).
    """
    new_role = role or user.role
    new_client = None if new_role is not Role.VIEWER else (client_id or user.client_id)
    if client_id is not None and new_role is not Role.VIEWER:
        raise ApiError(422, "client_id: provider staff belong to no client")
    _check_scope(session, new_role, new_client)
    if (new_role is not Role.ADMIN or active is False) and _is_last_admin(session, user):
        raise ApiError(409, "the last active admin cannot be demoted or deactivated")
    user.role, user.client_id = new_role, new_client
    if password is not None:
        check_password(password)
        user.password_hash = passwords.hash_password(password)
    if active is not None:
        user.active = active
    if password is not None or active is False:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.commit()
    return user


def delete_user(session: Session, *, user: User) -> None:
    """Remove `user` with their tokens and sessions; 409 for the last active admin."""
    if _is_last_admin(session, user):
        raise ApiError(409, "the last active admin cannot be deleted")
    session.execute(delete(User).where(User.id == user.id))
    session.commit()


def _is_last_admin(session: Session, user: User) -> bool:
    if user.role is not Role.ADMIN or not user.active:
        return False
    others = select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    return session.scalar(others) == 0


def check_password(password: str) -> None:
    """422 unless `password` is long enough to be a password."""
    if len(password) < MIN_PASSWORD:
        raise ApiError(422, f"password: must be at least {MIN_PASSWORD} characters")


def _check_scope(session: Session, role: Role, client_id: int | None) -> None:
    if role is Role.VIEWER and client_id is None:
        raise ApiError(422, "client_id: a viewer belongs to a client")
    if role is not Role.VIEWER and client_id is not None:
        raise ApiError(422, "client_id: provider staff belong to no client")
    if client_id is not None and session.get(Client, client_id) is None:
        raise ApiError(422, f"client_id: client {client_id} does not exist")


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ApiError(422, "name: must not be empty")
    return name


def _commit(session: Session, conflict: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, conflict) from None


# API tokens -------------------------------------------------------------------------------------


def issue_token(
    session: Session,
    *,
    user: User,
    name: str,
    role: Role | None = None,
    client_id: int | None = None,
    expires_at: datetime | None,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is shown this once and stored only hashed.

    The token has the user's role unless `role` narrows it, never more (403); a viewer's token is
    bound to the viewer's client (403 for another), and a provider token may be narrowed to one client.
    """
    role = role or user.role
    if rank(role) > rank(user.role):
        raise ApiError(403, f"role: a token cannot have more rights than its user ({user.role})")
    if user.role is Role.VIEWER:
        if client_id not in (None, user.client_id):
            raise ApiError(403, "client_id: a viewer's token is limited to the viewer's client")
        client_id = user.client_id
    elif client_id is not None and session.get(Client, client_id) is None:
        raise ApiError(422, f"client_id: client {client_id} does not exist")
    if role is Role.VIEWER and client_id is None:
        raise ApiError(422, "client_id: a viewer token is limited to one client")
    if expires_at is not None and expires_at <= now:
        raise ApiError(422, "expires_at: must be in the future")
    if not user.active:
        raise ApiError(422, "user: an inactive user cannot have tokens")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=_name(name),
        prefix=secret[:8],
        token_hash=digest(secret),
        role=role,
        client_id=client_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.commit()
    return token, secret


def revoke_token(session: Session, *, token: ApiToken) -> None:
    """Revoke `token`: the row goes, so the secret authenticates nobody from now on."""
    session.execute(delete(ApiToken).where(ApiToken.id == token.id))
    session.commit()


def authenticate_token(session: Session, secret: str, *, now: datetime) -> Principal | None:
    """The caller a token secret stands for; None if unknown, revoked, expired or its user inactive.

    The token's rights are re-capped by its user's current ones, so demoting a user demotes their tokens.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret))
    ).one_or_none()
    if row is None:
        return None
    token, user = row
    if not user.active or (token.expires_at is not None and token.expires_at <= now):
        return None
    if user.role is Role.VIEWER and token.client_id != user.client_id:
        return None  # the viewer moved to another client since the token was issued
    role = min(token.role, user.role, key=rank)
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return Principal(user_id=user.id, role=role, client_id=token.client_id, via="token", token_id=token.id)


# Browser sessions -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def login(
    session: Session, *, email: str, password: str, now: datetime, settings: Settings
) -> tuple[WebSession, str]:
    """A new browser session for the user with `email` and `password`, and the cookie secret.

    401 with one message for an unknown address, a wrong password and an inactive user alike; an
    unknown address costs a hash verification too, so timing does not tell which addresses exist.
    A hash made with older parameters is upgraded.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        passwords.verify_password(_dummy_hash(passwords.HASHER), password)
        raise ApiError(401, "wrong e-mail address or password")
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        raise ApiError(401, "wrong e-mail address or password")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    secret = secrets.token_urlsafe(32)
    web_session = WebSession(
        token_hash=digest(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
    )
    session.add(web_session)
    session.commit()
    return web_session, secret


def logout(session: Session, *, secret: str) -> None:
    """End the browser session whose cookie is `secret` (nothing happens for an unknown one)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(secret)))
    session.commit()


def authenticate_session(session: Session, secret: str, *, now: datetime) -> tuple[Principal, str] | None:
    """The caller of a session cookie and the session's CSRF token; None if unknown, expired or inactive."""
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == digest(secret))
    ).one_or_none()
    if row is None:
        return None
    web_session, user = row
    if web_session.expires_at <= now or not user.active:
        return None
    principal = Principal(user_id=user.id, role=user.role, client_id=user.client_id, via="session")
    return principal, web_session.csrf_token
