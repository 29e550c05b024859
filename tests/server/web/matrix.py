"""Authorization rules of the console's own pages (sign-in, sign-out, password, front door)."""

from __future__ import annotations

from tests.server.matrix import Access, Factory, Rule

# The password "change" keeps the same password: every cell of the matrix signs in with it.
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule(Access.AUTHENTICATED),
    ("GET", "/login"): Rule(Access.PUBLIC),
    ("POST", "/login"): Rule(Access.PUBLIC, body=lambda t: {"email": t.email, "password": t.password}),
    ("POST", "/logout"): Rule(Access.AUTHENTICATED),
    ("GET", "/account/password"): Rule(Access.AUTHENTICATED),
    ("POST", "/account/password"): Rule(
        Access.AUTHENTICATED, body=lambda t: {"current": t.password, "new": t.password, "repeat": t.password}
    ),
}
FACTORIES: dict[str, Factory] = {}
