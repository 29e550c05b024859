"""The demo estate, created through the API in-process (so it passes the same validation as a user's).

Two clients, five services and eleven monitors against the demo target and a channel to its
notification receiver, seeded once: a database that
already has clients is left as it is. The demo admin gets a fresh password and token on every start,
so the printed credentials always work.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.engine.datadir import data_dir
from pysteward.server.app import API_PREFIX, create_app
from pysteward.server.demo.history import HISTORY_DAYS, backfill
from pysteward.server.deps import get_principal
from pysteward.server.estate.assessment_demo import seed_demo_project
from pysteward.server.estate.assessments import run_assessment
from pysteward.server.estate.models import Service
from pysteward.server.principal import Principal
from pysteward.server.settings import Settings
from pysteward.server.tenancy.models import Client, Role, User

__all__ = [
    "ADMIN_EMAIL",
    "CLIENTS",
    "ORDERS_MONITOR",
    "RECEIVER_CHANNEL",
    "VIEWER_EMAIL",
    "DemoLogin",
    "Seeded",
    "demo_api",
    "existing_target_port",
    "reset_login",
    "seed_estate",
]

ADMIN_EMAIL = "admin@demo.invalid"
VIEWER_EMAIL = "viewer@acme.demo.invalid"
CLIENTS = ("Acme Retail", "Globex Health")
ORDERS_MONITOR = "Orders API (break me)"
"""Up until someone POSTs the target's /break: the outage a new user triggers to watch an incident."""
RECEIVER_CHANNEL = "Demo receiver"
PINGED_HEARTBEAT = "Nightly export heartbeat"
"""The heartbeat the demo itself pings; the other one nobody pings, so it goes down after its grace."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """The demo admin's credentials, and the client viewer's for the portal, as printed at start-up."""

    email: str
    password: str
    token: str
    viewer_email: str | None = None
    """Acme Retail's viewer (the client portal); None when the database has no Acme Retail."""
    viewer_password: str | None = None


LOCAL_OPERATOR = Principal(user_id=0, role=Role.ADMIN, client_id=None, via="local")


def demo_api(settings: Settings) -> FastAPI:
    """The API on the demo's database, answering as a local admin (the operator running the demo)."""
    app = create_app(settings)
    app.dependency_overrides[get_principal] = lambda: LOCAL_OPERATOR
    return app


def _call(app: FastAPI, work: Callable[[httpx.AsyncClient], Coroutine[Any, Any, T]]) -> T:
    async def run() -> T:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://demo.invalid{API_PREFIX}/"
        ) as client:
            return await work(client)

    return asyncio.run(run())


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


def existing_target_port(app: FastAPI) -> int | None:
    """The demo target port the seeded monitors point at, so a restart can listen there again."""

    async def find(client: httpx.AsyncClient) -> int | None:
        response = await client.get("monitors", params={"kind": "http", "limit": 500})
        response.raise_for_status()
        for monitor in response.json()["items"]:
            parts = urlsplit(str(monitor["config"].get("url", "")))
            if parts.hostname == "127.0.0.1" and parts.path == "/ok":
                return parts.port
        return None

    return _call(app, find)


@dataclass(frozen=True, slots=True)
class Seeded:
    """Whether this start seeded the estate, and the pinged heartbeat's push URL (shown only then)."""

    seeded: bool
    push_url: str | None = None


def seed_estate(app: FastAPI, target_url: str, *, now: datetime) -> Seeded:
    """Seed the demo estate unless the database has clients: clients, services, monitors and SLAs,
    then six weeks of history (`history.backfill`), then the notification channel (after the
    history, so the receiver gets only what happens from now on)."""

    async def existing(client: httpx.AsyncClient) -> Seeded | None:
        response = await client.get("clients", params={"limit": 1})
        response.raise_for_status()
        if response.json()["items"]:
            return Seeded(seeded=False, push_url=await _rotate_pinged(client))
        return None

    project = seed_demo_project(data_dir() / "demo-projects")

    async def seed(client: httpx.AsyncClient) -> str | None:
        return await _seed(
            client, target_url, project=project, history_start=now - timedelta(days=HISTORY_DAYS)
        )

    async def finish(client: httpx.AsyncClient) -> None:
        # Provider-wide, so every incident event reaches the target's /hooks receiver.
        await _post(client, "channels", {"name": RECEIVER_CHANNEL, "url": _receiver_url(target_url)})
        listed = await client.get("clients", params={"limit": 500})
        listed.raise_for_status()
        acme = next(c["id"] for c in listed.json()["items"] if c["name"] == CLIENTS[0])
        response = await client.patch(f"clients/{acme}", json={"status_page": "public"})
        response.raise_for_status()

    found = _call(app, existing)
    if found is not None:
        return found
    push_url = _call(app, seed)
    backfill(app.state.sessions, end=now)
    _call(app, finish)
    _assess_storefront(app, now=now)
    return Seeded(seeded=True, push_url=push_url)


def _assess_storefront(app: FastAPI, *, now: datetime) -> None:
    """The first assessment of the storefront's checked-out code: a failed run (and why) when no
    advisory database is installed yet, which the console shows as it is."""
    with app.state.sessions() as session:
        storefront = session.scalars(select(Service.id).where(Service.name == "storefront")).one()
        run_assessment(
            session, principal=LOCAL_OPERATOR, service_id=storefront, repository_path=None, now=now
        )


async def _rotate_pinged(client: httpx.AsyncClient) -> str | None:
    # The push URL's secret is stored hashed: a restart needs a new one to keep pinging.
    response = await client.get("monitors", params={"kind": "heartbeat", "q": PINGED_HEARTBEAT})
    response.raise_for_status()
    for monitor in response.json()["items"]:
        if monitor["name"] == PINGED_HEARTBEAT:
            rotated = await _post(client, f"monitors/{monitor['id']}/rotate-token", {})
            return rotated.get("push_url")
    return None


def _http(url: str, interval: int, *, priority: str = "P2", **config: Any) -> dict[str, Any]:
    return {
        "kind": "http",
        "interval_seconds": interval,
        "timeout_seconds": 5,
        "incident_priority": priority,
        "config": {"url": url, **config},
    }


def _monitors(target: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    port = urlsplit(target).port
    return {
        "storefront": [
            ("Home page", _http(f"{target}/ok", 10)),
            ("Search (slow)", _http(f"{target}/slow", 15, max_latency_ms=500)),
            (ORDERS_MONITOR, _http(f"{target}/orders", 10, priority="P3")),
        ],
        "checkout-api": [
            ("Payments (flaky)", _http(f"{target}/flaky", 10, priority="P4")),
            ("Health JSON", _http(f"{target}/json", 15, json_path="$.status", json_equals="ok")),
            (
                "Database port",
                {
                    "kind": "tcp",
                    "interval_seconds": 15,
                    "timeout_seconds": 5,
                    "config": {"host": "127.0.0.1", "port": port},
                },
            ),
        ],
        "nightly-export": [
            (PINGED_HEARTBEAT, {"kind": "heartbeat", "config": {"period_seconds": 20, "grace_seconds": 15}}),
        ],
        "patient-portal": [
            ("Login page", _http(f"{target}/ok", 10, expected_status=[200], body_contains="ok")),
            ("Legacy admin (down)", _http(f"{target}/down", 10, priority="P4")),
            ("Status API", _http(f"{target}/json", 15, body_contains='"status"')),
        ],
        "records-sync": [
            (
                "Sync job heartbeat (silent)",
                {"kind": "heartbeat", "config": {"period_seconds": 20, "grace_seconds": 10}},
            ),
        ],
    }


_SERVICES = {
    "storefront": (0, "production", ["web@acme.invalid"], ["git@acme.invalid:shop/storefront.git"], ["web"]),
    "checkout-api": (
        0,
        "production",
        ["payments@acme.invalid"],
        ["git@acme.invalid:shop/checkout.git"],
        ["api"],
    ),
    "nightly-export": (0, "production", ["data@acme.invalid"], [], ["batch"]),
    "patient-portal": (1, "production", ["it@globex.invalid"], ["git@globex.invalid:portal.git"], ["web"]),
    "records-sync": (1, "staging", ["it@globex.invalid"], [], ["batch"]),
}


def _receiver_url(target: str) -> str:
    """The Apprise `json://` URL of the target's notification receiver."""
    parts = urlsplit(target)
    return f"json://{parts.hostname}:{parts.port}/hooks"


async def _slas(client: httpx.AsyncClient, client_ids: list[int], *, history_start: datetime) -> None:
    acme, globex = client_ids
    calendar = await _post(
        client, "calendars", {"client_id": acme, "name": "Acme office hours", "timezone": "Europe/Berlin"}
    )
    since = history_start.isoformat()
    gold = {"name": "Acme Gold", "target": 99.9, "timezone": "Europe/Berlin", "calendar_id": calendar["id"]}
    await _post(client, "slas", {"client_id": acme, "starts_at": since, **gold})
    await _post(
        client, "slas", {"client_id": globex, "name": "Globex Standard", "target": 99.5, "starts_at": since}
    )


async def _seed(
    client: httpx.AsyncClient, target: str, *, project: Path, history_start: datetime
) -> str | None:
    client_ids = [(await _post(client, "clients", {"name": name}))["id"] for name in CLIENTS]
    await _slas(client, client_ids, history_start=history_start)
    push_url: str | None = None
    monitors = _monitors(target)
    for name, (owner, environment, owners, repositories, tags) in _SERVICES.items():
        service = await _post(
            client,
            "services",
            {
                "client_id": client_ids[owner],
                "name": name,
                "environment": environment,
                "owners": owners,
                "repository_paths": [str(project), *repositories] if name == "storefront" else repositories,
                "tags": tags,
            },
        )
        for monitor_name, spec in monitors[name]:
            created = await _post(
                client, "monitors", {"service_id": service["id"], "name": monitor_name, **spec}
            )
            if monitor_name == PINGED_HEARTBEAT:
                push_url = created.get("push_url")
    return push_url


def _with_password(session: Session, email: str, role: Role, client_id: int | None) -> tuple[User, str]:
    from pysteward.server.tenancy.service import create_user, update_user

    password = secrets.token_urlsafe(12)
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        user = create_user(session, email=email, password=password, role=role, client_id=client_id)
    else:
        user = update_user(session, user=user, role=role, client_id=client_id, active=True, password=password)
    return user, password


def reset_login(app: FastAPI, *, now: datetime) -> DemoLogin:
    """Create the demo admin and Acme Retail's viewer (or give them new passwords) and issue a fresh
    admin token."""
    from pysteward.server.tenancy.service import issue_token

    with app.state.sessions() as session:
        user, password = _with_password(session, ADMIN_EMAIL, Role.ADMIN, None)
        _token, secret = issue_token(
            session, user=user, name=f"demo {now:%Y-%m-%d %H:%M}", expires_at=None, now=now
        )
        acme = session.scalars(select(Client.id).where(Client.name == CLIENTS[0])).first()
        if acme is None:
            return DemoLogin(email=ADMIN_EMAIL, password=password, token=secret)
        _viewer, viewer_password = _with_password(session, VIEWER_EMAIL, Role.VIEWER, acme)
    return DemoLogin(
        ADMIN_EMAIL, password, secret, viewer_email=VIEWER_EMAIL, viewer_password=viewer_password
    )
