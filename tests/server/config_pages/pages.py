"""Signing in as a browser does and posting forms, for the configuration page tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from pysteward.server.monitors.models import State
from pysteward.server.slas import service as slas
from pysteward.server.slas.models import Sla
from pysteward.server.slas.schemas import SlaCreate
from tests.server.conftest import Personas
from tests.server.slas.matrix import NOW, add_monitor, add_service, staff

__all__ = ["post_form", "sign_in", "storefront_sla"]


def sign_in(client: TestClient, personas: Personas, name: str) -> str:
    """Sign `client` in as persona `name` (a session cookie, no bearer token); the CSRF token."""
    client.cookies.clear()
    person = personas[name]
    response = client.post("/api/v1/auth/login", json={"email": person.email, "password": person.password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def post_form(client: TestClient, path: str, csrf: str | None, **fields: Any) -> Any:
    """POST `fields` as a form with the CSRF token (None: without it), not following redirects."""
    data = {name: str(value) for name, value in fields.items()}
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post(path, data=data, follow_redirects=False)


def storefront_sla(session: Session, world: Personas, **fields: Any) -> Sla:
    """Acme's storefront, down for 30 minutes this month, under a 99.9 % monthly SLA."""
    shop = add_service(session, world.acme, "storefront")
    add_monitor(session, shop.id, [
        (State.UP, datetime(2026, 10, 1, tzinfo=UTC), NOW - timedelta(hours=3)),
        (State.DOWN, NOW - timedelta(hours=3), NOW - timedelta(hours=2, minutes=30)),
        (State.UP, NOW - timedelta(hours=2, minutes=30), None),
    ])  # fmt: skip
    data = SlaCreate(
        client_id=world.acme,
        service_id=shop.id,
        name="Storefront gold",
        target=Decimal("99.9"),
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        **fields,
    )
    return slas.create_sla(session, principal=staff(world), data=data, now=datetime(2026, 1, 1, tzinfo=UTC))
