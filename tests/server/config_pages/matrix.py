# ruff: noqa: E501 (one line per route)
"""Authorization matrix rows for the configuration pages (see tests/server/matrix.py): SLAs and
calendars, users, tokens, clients, channels and notices.

Staff-only pages (SLAs, calendars) answer 403 to a client viewer before looking anything up, own or
foreign alike, so their object routes use `Access.CREATE` (403 for the viewer, OK for staff) with the
object made for the path. Admin pages do the same for everyone but an admin (`Access.ADMIN`). Tokens
are every signed-in user's own (`Access.SELF`): another user's token answers 404 unless an admin asks.
The objects come from the factories of the slas, notify and core tables.
"""

from __future__ import annotations

from tests.server.conftest import PASSWORD
from tests.server.matrix import Access, Factory, Rule

# Nothing listens on port 9 of the loopback: a channel's test fails fast, and the page still answers 303.
URL = "json://127.0.0.1:9/matrix"
ONCE = {
    "title": "upgrade",
    "kind": "once",
    "starts_at": "2030-01-01T00:00",
    "ends_at": "2030-01-01T01:00",
    "timezone": "UTC",
}
POLICY = {"unknown_as": "up", "degraded_as": "up", "combine": "all", "rounding": "down", "decimals": "3"}
TARGETS = {
    "priority": "P1", "response_amount": "5", "response_unit": "minutes", "response_clock": "24x7",
    "resolution_amount": "1", "resolution_unit": "hours", "resolution_clock": "24x7",
}  # fmt: skip

FACTORIES: dict[str, Factory] = {}

# fmt: off
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/slas"): Rule(Access.CREATE),
    ("GET", "/slas/{sla_id}"): Rule(Access.CREATE, kind="sla"),
    ("POST", "/slas/{sla_id}/maintenance"): Rule(Access.CREATE, kind="sla", body=lambda t: ONCE),
    ("POST", "/slas/{sla_id}/maintenance/{window_id}/delete"): Rule(Access.CREATE, kind="sla_maintenance_path"),
    ("POST", "/slas/{sla_id}/policy"): Rule(Access.CREATE, kind="sla", body=lambda t: POLICY),
    ("POST", "/slas/{sla_id}/targets"): Rule(Access.CREATE, kind="sla", body=lambda t: TARGETS),
    ("GET", "/calendars"): Rule(Access.CREATE),
    ("GET", "/calendars/{calendar_id}"): Rule(Access.CREATE, kind="calendar"),
    ("GET", "/admin"): Rule(Access.ADMIN),
    ("GET", "/admin/users"): Rule(Access.ADMIN),
    ("POST", "/admin/users"): Rule(Access.ADMIN, body=lambda t: {
        "email": f"page{t.n}@example.invalid", "password": PASSWORD, "role": "viewer", "client_id": str(t.client_id)}),
    ("POST", "/admin/users/{user_id}"): Rule(Access.ADMIN, kind="user", body=lambda t: {"role": "viewer", "active": "true"}),
    ("POST", "/admin/users/{user_id}/password"): Rule(Access.ADMIN, kind="user", body=lambda t: {"password": PASSWORD}),
    ("GET", "/admin/tokens"): Rule(Access.AUTHENTICATED),
    ("POST", "/admin/tokens"): Rule(Access.AUTHENTICATED, body=lambda t: {"name": f"page token {t.n}"}),
    ("POST", "/admin/tokens/{token_id}/revoke"): Rule(Access.SELF, kind="token"),
    ("GET", "/admin/clients"): Rule(Access.ADMIN),
    ("GET", "/admin/channels"): Rule(Access.ADMIN),
    ("POST", "/admin/channels"): Rule(Access.ADMIN, body=lambda t: {"name": f"c {t.n}", "url": URL, "scope": f"client:{t.client_id}"}),
    ("GET", "/admin/channels/{channel_id}"): Rule(Access.ADMIN, kind="channel"),
    ("POST", "/admin/channels/{channel_id}/enable"): Rule(Access.ADMIN, kind="channel"),
    ("POST", "/admin/channels/{channel_id}/disable"): Rule(Access.ADMIN, kind="channel"),
    ("POST", "/admin/channels/{channel_id}/delete"): Rule(Access.ADMIN, kind="channel"),
    ("POST", "/admin/channels/{channel_id}/test"): Rule(Access.ADMIN, kind="channel"),
    ("GET", "/admin/notices"): Rule(Access.ADMIN),
    ("POST", "/admin/notices/{notice_id}/read"): Rule(Access.ADMIN, kind="admin_notice"),
}
# fmt: on
