# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows for channels, deliveries and admin notices (see tests/server/matrix.py).

Notices belong to no client: every caller but a provider admin gets 403, whatever the notice, so
their object routes use `Access.ADMIN` with a notice made for the path.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pysteward.server.notify.models import AdminNotice, Channel, Delivery
from tests.server.conftest import Personas
from tests.server.matrix import Access, Factory, Rule, next_number

NOW = datetime(2030, 1, 1, tzinfo=UTC)
# Nothing listens on port 9 of the loopback: the test button fails fast, and the route still answers 200.
URL = "json://127.0.0.1:9/matrix"


def _channel(session: Session, world: Personas, role: str, side: str) -> int:
    row = Channel(
        client_id=world.acme if side == "own" else world.globex, name=f"channel {next_number()}", url=URL
    )
    session.add(row)
    session.commit()
    return row.id


def _delivery(session: Session, world: Personas, role: str, side: str) -> int:
    row = Delivery(
        channel_id=_channel(session, world, role, side), event="incident.opened", title="t", body="b"
    )
    session.add(row)
    session.commit()
    return row.id


def _notice(session: Session, world: Personas, role: str, side: str) -> int:
    row = AdminNotice(at=NOW, kind="channel.disabled", message=f"notice {next_number()}")
    session.add(row)
    session.commit()
    return row.id


FACTORIES: dict[str, Factory] = {"channel": _channel, "delivery": _delivery, "admin_notice": _notice}

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/channels"): Rule(Access.AUTHENTICATED),
    ("POST", "/api/v1/channels"): Rule(Access.CREATE, body=lambda t: {"name": f"c {t.n}", "url": URL, "client_id": t.client_id}),
    ("GET", "/api/v1/channels/{channel_id}"): Rule(Access.READ, kind="channel"),
    ("PATCH", "/api/v1/channels/{channel_id}"): Rule(Access.WRITE, kind="channel", body=lambda t: {"subscribed": False}),
    ("DELETE", "/api/v1/channels/{channel_id}"): Rule(Access.WRITE, kind="channel"),
    ("POST", "/api/v1/channels/{channel_id}/test"): Rule(Access.WRITE, kind="channel"),
    ("GET", "/api/v1/deliveries"): Rule(Access.AUTHENTICATED),
    ("GET", "/api/v1/deliveries/{delivery_id}"): Rule(Access.READ, kind="delivery"),
    ("GET", "/api/v1/notices"): Rule(Access.ADMIN),
    ("POST", "/api/v1/notices/{notice_id}/read"): Rule(Access.ADMIN, kind="admin_notice"),
}
# fmt: on
