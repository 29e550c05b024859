"""The demo: a target that misbehaves on purpose, seeding that happens once, a login that works."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pysteward.server.demo import (
    ADMIN_EMAIL,
    CLIENTS,
    DemoLogin,
    DemoTarget,
    Pinger,
    demo_api,
    demo_app,
    existing_target_port,
    reset_login,
    seed_estate,
    welcome,
)
from pysteward.server.demo.seed import ORDERS_MONITOR, RECEIVER_CHANNEL
from pysteward.server.demo.target import HOOKS_KEPT
from pysteward.server.models import Client, Monitor, Service, User
from pysteward.server.notify.models import Channel
from pysteward.server.settings import load_settings
from pysteward.server.slas.models import Priority
from pysteward.server.tenancy.passwords import verify_password
from pysteward.server.tenancy.service import authenticate_token
from tests.httpserver import serve

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def target() -> Iterator[DemoTarget]:
    running = DemoTarget(demo_app(pattern=(200, 500), slow_seconds=0.05)).start()
    yield running
    running.stop()


def test_each_endpoint_behaves_as_its_name_says(target: DemoTarget) -> None:
    with httpx.Client(base_url=target.url, timeout=5) as client:
        assert client.get("/ok").status_code == 200
        assert client.get("/slow").status_code == 200
        assert [client.get("/flaky").status_code for _ in range(4)] == [200, 500, 200, 500]
        assert client.get("/down").status_code == 500
        assert client.get("/json").json() == {"status": "ok"}


def test_orders_break_and_repair_on_request_and_the_receiver_keeps_what_it_gets(target: DemoTarget) -> None:
    with httpx.Client(base_url=target.url, timeout=5) as client:
        assert client.get("/orders").status_code == 200
        assert client.post("/break").status_code == 200
        assert client.get("/orders").status_code == 500
        assert client.post("/repair").status_code == 200
        assert client.get("/orders").status_code == 200
        assert client.get("/hooks").json() == []
        assert client.post("/hooks", json={"title": "[P3] Opened"}).json() == {"received": 1}
        assert client.post("/hooks", content=b"plain words").json() == {"received": 2}
        assert client.get("/hooks").json() == [{"title": "[P3] Opened"}, {"text": "plain words"}]
        for n in range(HOOKS_KEPT):
            client.post("/hooks", json={"n": n})
        kept = client.get("/hooks").json()
        assert len(kept) == HOOKS_KEPT
        assert kept[-1] == {"n": HOOKS_KEPT - 1}


def test_a_taken_port_falls_back_to_a_free_one(target: DemoTarget) -> None:
    second = DemoTarget(port=target.port).start()
    try:
        assert second.port not in {0, target.port}
        assert httpx.get(f"{second.url}/ok", timeout=5).status_code == 200
    finally:
        second.stop()


@pytest.fixture
def app(database_url: str) -> Iterator[FastAPI]:
    api = demo_api(load_settings(database_url=database_url, allow_private_targets=("127.0.0.1/32",)))
    yield api
    api.state.engine.dispose()


def _count(app: FastAPI, model: type[object]) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seeding_happens_once_and_a_restart_gets_a_new_push_url(app: FastAPI) -> None:
    assert existing_target_port(app) is None
    first = seed_estate(app, "http://127.0.0.1:4321", now=NOW)
    assert first.seeded
    assert first.push_url is not None and "/ping/" in first.push_url
    counts = (_count(app, Client), _count(app, Service), _count(app, Monitor))
    assert counts == (len(CLIENTS), 5, 11)
    with app.state.sessions() as session:
        kinds = sorted(m.kind.value for m in session.scalars(select(Monitor)))
        priorities = {m.name: m.incident_priority for m in session.scalars(select(Monitor))}
        channel = session.scalars(select(Channel)).one()
    assert priorities[ORDERS_MONITOR] is Priority.P3
    assert priorities["Home page"] is Priority.P2
    assert (channel.name, channel.url, channel.client_id) == (
        RECEIVER_CHANNEL,
        "json://127.0.0.1:4321/hooks",
        None,
    )
    assert kinds.count("heartbeat") == 2
    assert kinds.count("tcp") == 1
    assert existing_target_port(app) == 4321
    again = seed_estate(app, "http://127.0.0.1:4321", now=NOW)
    assert not again.seeded
    assert again.push_url is not None and again.push_url != first.push_url
    assert (_count(app, Client), _count(app, Service), _count(app, Monitor)) == counts


def test_a_database_with_other_clients_is_left_alone(app: FastAPI) -> None:
    with app.state.sessions() as session:
        session.add(Client(name="Someone else"))
        session.commit()
    result = seed_estate(app, "http://127.0.0.1:4321", now=NOW)
    assert (result.seeded, result.push_url) == (False, None)
    assert _count(app, Monitor) == 0


def test_each_start_gives_the_demo_admin_a_fresh_password_and_a_working_token(app: FastAPI) -> None:
    now = datetime.now(UTC)
    first = reset_login(app, now=now)
    second = reset_login(app, now=now)
    assert first.password != second.password
    with app.state.sessions() as session:
        [user] = session.scalars(select(User)).all()
        assert user.email == ADMIN_EMAIL
        assert verify_password(user.password_hash, second.password)
        for login in (first, second):
            principal = authenticate_token(session, login.token, now=now)
            assert principal is not None and principal.role.value == "admin"


def test_the_pinger_keeps_calling_and_survives_failures() -> None:
    with serve({"/ping/x": b"OK"}) as server:
        pinger = Pinger(server.url("/ping/x"), every=0.01, first=0.0).start()
        while pinger.sent < 2:
            pass
        pinger.stop()
    assert server.paths()[:2] == ["/ping/x", "/ping/x"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    silent = Pinger(f"http://127.0.0.1:{closed}/ping/x", every=0.01, first=0.0).start()
    silent.stop()
    assert silent.sent == 0


def test_the_welcome_names_the_login_and_commands_to_try(target: DemoTarget) -> None:
    settings = load_settings(port=8555)
    text = welcome(
        settings, DemoLogin(email=ADMIN_EMAIL, password="pw-123", token="stw_abc"), target, seeded=True
    )
    assert f"{ADMIN_EMAIL} / pw-123" in text
    assert "export STEWARD_SERVER=http://127.0.0.1:8555 STEWARD_TOKEN=stw_abc" in text
    assert f"curl -X POST {target.url}/break" in text
    assert f"curl {target.url}/hooks" in text
    assert "steward incidents ack ID" in text
    assert "console:       http://127.0.0.1:8555/" in text
    assert "status page:   http://127.0.0.1:8555/status/1" in text


def test_the_welcome_names_the_client_portal_login_when_there_is_one(target: DemoTarget) -> None:
    login = DemoLogin(
        ADMIN_EMAIL, "pw-123", "stw_abc", viewer_email="viewer@acme.demo.invalid", viewer_password="pw-9"
    )
    with_viewer = welcome(load_settings(port=8555), login, target, seeded=True)
    without = welcome(
        load_settings(port=8555), DemoLogin(ADMIN_EMAIL, "pw-123", "stw_abc"), target, seeded=False
    )
    assert "client portal: viewer@acme.demo.invalid / pw-9" in with_viewer
    assert "client portal" not in without
    assert "kept them as they are" in without
