"""The signed-in viewer of a console page, from the browser session cookie alone.

    Viewer        the `Principal`, the session's CSRF token (forms echo it) and the user's e-mail
    Web           a route dependency: the viewer, or a redirect to /login?next=… without a session
    StaffOnly     the same for pages only provider staff see (403 for a client viewer)

Pages never accept a bearer token: a console is a browser thing, and a token in a header would skip
the CSRF check that protects every form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from pysteward.server.deps import DbSession
from pysteward.server.errors import ApiError
from pysteward.server.principal import Principal
from pysteward.server.tenancy import service
from pysteward.server.tenancy.auth import SESSION_COOKIE, check_csrf, is_admin
from pysteward.server.tenancy.models import User
from pysteward.store.base import utcnow

__all__ = ["LoginRequired", "StaffOnly", "Viewer", "Web", "get_viewer", "login_redirect"]

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at a page."""

    principal: Principal
    csrf_token: str
    email: str

    @property
    def is_staff(self) -> bool:
        """Provider staff (they see every client and may act); otherwise a read-only client viewer."""
        return self.principal.is_provider

    @property
    def is_admin(self) -> bool:
        """A provider admin (users, tokens, channels)."""
        return is_admin(self.principal)


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_redirect(next_path: str) -> RedirectResponse:
    """303 to the login page, coming back to `next_path` afterwards."""
    return RedirectResponse(f"/login?next={quote(next_path, safe='/')}", status_code=303)


def get_viewer(request: Request, session: DbSession) -> Viewer:
    """The viewer of `request`; `LoginRequired` without a live session, 403 (code `csrf`) for a form
    posted without the session's CSRF token."""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = service.authenticate_session(session, cookie, now=utcnow()) if cookie else None
    if found is None:
        raise LoginRequired(request.url.path)
    principal, csrf_token = found
    if request.method in _UNSAFE:
        check_csrf(request, csrf_token)
    user = session.get_one(User, principal.user_id)
    return Viewer(principal=principal, csrf_token=csrf_token, email=user.email)


Web = Annotated[Viewer, Depends(get_viewer)]


def _staff(viewer: Web) -> Viewer:
    if not viewer.is_staff:
        raise ApiError(403, "this page is for the provider's staff")
    return viewer


StaffOnly = Annotated[Viewer, Depends(_staff)]
