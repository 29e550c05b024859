# ruff: noqa: E501 (one line per route in TABLE, however long)
"""The authorization matrix (issue 4 §2): every route × every role × own and foreign object.

`TABLE` maps each (method, path) of the application to its access rule and how to build a request.
`test_every_route_of_the_app_has_a_rule` fails, naming the route, when a route has no entry, so a new
route cannot ship without deciding who may call it. Adding a route is one line in `TABLE`.

Roles: anonymous, admin, engineer, acme_viewer. "Own" objects belong to Acme (acme_viewer's client) or,
for self-scoped objects such as tokens, to the caller; "foreign" ones to Globex or to another user.
Every request works on a freshly made object, so a DELETE in one cell cannot disturb the next.
Domains added later keep their rows beside their tests: a `matrix.py` in a `tests/server/<domain>/`
package with `RULES` and `FACTORIES` (see `tests/server/matrix.py`) is merged in.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import Service
from pysteward.server.monitors.heartbeats import hash_token
from pysteward.server.monitors.models import Monitor, MonitorKind
from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import Role, User
from tests.server.conftest import PASSWORD, Personas
from tests.server.matrix import (
    OK,
    Access,
    Factory,
    Rule,
    Target,
    domain_tables,
    expected,
    fill_path,
    is_page,
    next_number,
)

ROLES = ("anonymous", "admin", "engineer", "acme_viewer")
SIDES = ("own", "foreign")


# fmt: off
TABLE: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/openapi.json"): Rule(Access.PUBLIC),
    ("GET", "/api/v1/docs"): Rule(Access.PUBLIC),
    ("POST", "/api/v1/auth/login"): Rule(Access.PUBLIC, body=lambda t: {"email": t.email, "password": t.password}),
    ("POST", "/api/v1/auth/logout"): Rule(Access.PUBLIC),
    ("GET", "/api/v1/me"): Rule(Access.AUTHENTICATED),
    ("GET", "/api/v1/tokens"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/tokens"): Rule(Access.AUTHENTICATED, body=lambda t: {"name": f"token {t.n}"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Rule(Access.SELF, kind="token"),
    ("GET", "/api/v1/users"): Rule(Access.ADMIN),
    ("POST", "/api/v1/users"): Rule(Access.ADMIN, body=lambda t: {
        "email": f"new{t.n}@example.invalid", "password": PASSWORD, "role": "viewer", "client_id": t.client_id}),
    ("GET", "/api/v1/users/{user_id}"): Rule(Access.ADMIN_OBJECT, kind="user"),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(Access.ADMIN_OBJECT, kind="user", body=lambda t: {"active": False}),
    ("DELETE", "/api/v1/users/{user_id}"): Rule(Access.ADMIN_OBJECT, kind="user"),
    ("GET", "/api/v1/clients"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/clients"): Rule(Access.CREATE, body=lambda t: {"name": f"Client {t.n}"}),
    ("GET", "/api/v1/clients/{client_id}"): Rule(Access.READ, kind="client"),
    ("PATCH", "/api/v1/clients/{client_id}"): Rule(Access.WRITE, kind="client", body=lambda t: {"name": f"C {t.n}"}),
    ("DELETE", "/api/v1/clients/{client_id}"): Rule(Access.ADMIN_OBJECT, kind="client"),
    ("GET", "/api/v1/services"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/services"): Rule(Access.CREATE, body=lambda t: {"client_id": t.client_id, "name": f"s {t.n}"}),
    ("GET", "/api/v1/services/{service_id}"): Rule(Access.READ, kind="service"),
    ("PATCH", "/api/v1/services/{service_id}"): Rule(Access.WRITE, kind="service", body=lambda t: {"tags": ["x"]}),
    ("DELETE", "/api/v1/services/{service_id}"): Rule(Access.WRITE, kind="service"),
    ("GET", "/api/v1/monitors"): Rule(Access.AUTHENTICATED),
    # `kind="service"` on a collection route: the new monitor's service, made for the side, comes in the body.
    ("POST", "/api/v1/monitors"): Rule(Access.CREATE, kind="service", body=lambda t: {
        "service_id": t.object_id, "name": f"m {t.n}", "kind": "tcp", "config": {"host": "127.0.0.1", "port": 9}}),
    ("GET", "/api/v1/monitors/{monitor_id}"): Rule(Access.READ, kind="monitor"),
    ("PATCH", "/api/v1/monitors/{monitor_id}"): Rule(Access.WRITE, kind="monitor", body=lambda t: {"maintenance": True}),
    ("DELETE", "/api/v1/monitors/{monitor_id}"): Rule(Access.WRITE, kind="monitor"),
    ("GET", "/api/v1/monitors/{monitor_id}/results"): Rule(Access.READ, kind="monitor"),
    ("GET", "/api/v1/monitors/{monitor_id}/intervals"): Rule(Access.READ, kind="monitor"),
    ("GET", "/api/v1/monitors/{monitor_id}/rollups"): Rule(Access.READ, kind="monitor"),
    ("POST", "/api/v1/monitors/{monitor_id}/rotate-token"): Rule(Access.WRITE, kind="heartbeat_monitor"),
    # Counts by route template, kind and state only: nothing about any client (docs/server-runner.md).
    ("GET", "/metrics"): Rule(Access.PUBLIC),
    # The push token is the credential: whoever holds it may ping, signed in or not.
    ("GET", "/ping/{token}"): Rule(Access.PUBLIC, kind="heartbeat_token"),
    ("POST", "/ping/{token}"): Rule(Access.PUBLIC, kind="heartbeat_token"),
    ("GET", "/ping/{token}/start"): Rule(Access.PUBLIC, kind="heartbeat_token"),
    ("POST", "/ping/{token}/start"): Rule(Access.PUBLIC, kind="heartbeat_token"),
    ("GET", "/ping/{token}/fail"): Rule(Access.PUBLIC, kind="heartbeat_token"),
    ("POST", "/ping/{token}/fail"): Rule(Access.PUBLIC, kind="heartbeat_token"),
}
# fmt: on


# Making the objects requests are about ----------------------------------------------------------


def _client(session: Session, world: Personas, role: str, side: str) -> int:
    # The viewer's own client is Acme itself; every other case gets a fresh client, so that deleting
    # or renaming it leaves the test world intact (provider staff see every client alike).
    if side == "own" and role == "acme_viewer":
        return world.acme
    return service.create_client(session, name=f"Client {next_number()}").id


def _user(session: Session, world: Personas, role: str, side: str) -> int:
    client_id = world.acme if side == "own" else world.globex
    email = f"user{next_number()}@example.invalid"
    return service.create_user(
        session, email=email, password=PASSWORD, role=Role.VIEWER, client_id=client_id
    ).id


def _token(session: Session, world: Personas, role: str, side: str) -> int:
    owner = world[role if side == "own" and role != "anonymous" else "globex_viewer"]
    user = session.get_one(User, owner.user_id)
    now = datetime.now(UTC)
    return service.issue_token(session, user=user, name="matrix", expires_at=None, now=now)[0].id


def _service(session: Session, world: Personas, role: str, side: str) -> int:
    row = Service(client_id=world.acme if side == "own" else world.globex, name=f"service {next_number()}")
    session.add(row)
    session.commit()
    return row.id


def _monitor(session: Session, world: Personas, role: str, side: str) -> int:
    row = Monitor(
        service_id=_service(session, world, role, side),
        name=f"monitor {next_number()}",
        kind=MonitorKind.HTTP,
        config={"url": "http://127.0.0.1:9/", "method": "GET"},
    )
    session.add(row)
    session.commit()
    return row.id


def _heartbeat(session: Session, world: Personas, role: str, side: str) -> tuple[int, str]:
    token = f"matrix-{next_number()}"
    row = Monitor(
        service_id=_service(session, world, role, side),
        name=f"heartbeat {next_number()}",
        kind=MonitorKind.HEARTBEAT,
        config={"period_seconds": 3600, "cron": None, "timezone": "UTC", "grace_seconds": 300},
        heartbeat_token_hash=hash_token(token),
    )
    session.add(row)
    session.commit()
    return row.id, token


FACTORIES: dict[str, Factory] = {
    "heartbeat_monitor": lambda *args: _heartbeat(*args)[0],
    "heartbeat_token": lambda *args: _heartbeat(*args)[1],
    "client": _client,
    "user": _user,
    "token": _token,
    "service": _service,
    "monitor": _monitor,
}


for _rules, _factories in domain_tables():
    TABLE.update(_rules)
    FACTORIES.update(_factories)


def _target(sessions: sessionmaker[Session], world: Personas, rule: Rule, role: str, side: str) -> Target:
    caller = world["acme_viewer" if role == "anonymous" else role]
    with sessions() as session:
        object_id = FACTORIES[rule.kind](session, world, role, side) if rule.kind else None
    client_id = world.acme if side == "own" else world.globex
    return Target(object_id, client_id, next_number(), caller.email, caller.password)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the application answers; HEAD goes with GET."""
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if context.path is not None
        for method in context.methods or ()
        if method != "HEAD"
    }


# The tests ---------------------------------------------------------------------------------------


def test_every_route_of_the_app_has_a_rule(app):
    missing = sorted(app_routes(app) - TABLE.keys())
    assert not missing, (
        "routes without a rule in TABLE of tests/server/test_authorization_matrix.py: "
        + ", ".join(f"{method} {path}" for method, path in missing)
    )


def test_every_rule_names_a_route_of_the_app(app):
    stale = sorted(TABLE.keys() - app_routes(app))
    assert not stale, "rules for routes the app does not have: " + ", ".join(f"{m} {p}" for m, p in stale)


def test_expected_answers_follow_the_404_rule_for_foreign_objects():
    for access in (Access.READ, Access.WRITE, Access.ADMIN_OBJECT):
        assert expected(access, "acme_viewer", "foreign") == 404
    assert expected(Access.SELF, "engineer", "foreign") == 404
    assert expected(Access.SELF, "admin", "foreign") == OK


def _matches(status: int, want: str | int, *, page: bool) -> bool:
    if want == OK:
        return 200 <= status < 300 or (page and status == 303)
    return status == want


def _page_request(
    client: Any, method: str, path: str, *, role: str, target: Target, body: dict[str, Any] | None
) -> httpx.Response:
    """A page request as a browser makes it: the session cookie of `role` and its CSRF token."""
    headers: dict[str, str] = {}
    if role != "anonymous":
        login = client.post("/api/v1/auth/login", json={"email": target.email, "password": target.password})
        headers["X-CSRF-Token"] = login.json()["csrf_token"]
    response: httpx.Response = client.request(
        method, path, headers=headers, data=body, follow_redirects=False
    )
    return response


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda route: f"{route[0]} {route[1]}")
def test_the_route_answers_every_role_as_its_rule_says(route, client, personas, sessions):
    method, template = route
    rule = TABLE[route]
    wrong = []
    for role, side in itertools.product(ROLES, SIDES):
        target = _target(sessions, personas, rule, role, side)
        path = fill_path(template, target.object_id)
        client.cookies.clear()  # a login in an earlier cell must not sign in the next one
        body = rule.body(target) if rule.body else None
        page = is_page(template)
        if page:
            response = _page_request(client, method, path, role=role, target=target, body=body)
        else:
            headers = personas.headers(role) if role != "anonymous" else {}
            response = client.request(method, path, headers=headers, json=body)
        want = expected(rule.access, role, side, page=page)
        if not _matches(response.status_code, want, page=page):
            wrong.append(f"{role}/{side}: got {response.status_code}, expected {want}: {response.text[:200]}")
    assert not wrong, f"{method} {template} ({rule.access.value}):\n" + "\n".join(wrong)
